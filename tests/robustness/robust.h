/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the robustness tests add to the service tests' fixture: wand's
 * resource use read from /proc, a polkit double on a connection of its own
 * (so that it can die and come back), and figures printed for the record. */
#pragma once

#include <sys/types.h>

#include "wand-test.h"

G_BEGIN_DECLS

/* ── wand's resources ─────────────────────────────────────────────────── */

typedef struct {
        guint64 rss_kib;     /* VmRSS */
        guint n_fds;         /* entries of /proc/PID/fd */
        guint64 cpu_ticks;   /* utime + stime, in clock ticks */
} WandUsage;

WandUsage wand_usage(GPid pid);

/* "name: value" on stdout as a TAP comment, and in $WAND_FIGURES (a file
 * the long runs collect) when set. */
void robust_figure(const char *name, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* True when wand was built with a sanitizer ($WAND_SANITIZED set by meson):
 * its memory then includes the sanitizer's quarantine, so RSS says nothing
 * about leaks (LeakSanitizer at exit does). */
gboolean robust_sanitized(void);

/* ── raw connections, for messages GDBus would not send ───────────────── */

/* A connection of our own to the bus socket at address, authenticated as
 * uid (it has not said Hello yet). */
int raw_connect(const char *address, uid_t uid);
/* Overwrites the first occurrence of find in blob with with (as long). */
void replace_bytes(guchar *blob, gsize size, const char *find, const char *with);
/* Reads until the bus closes the connection or 2 s pass; true if closed. */
gboolean raw_wait_closed(int fd);

/* ── a polkit double that can leave and come back ─────────────────────── */

typedef enum {
        POLKIT_ALLOW,      /* authorized */
        POLKIT_DENY,       /* not authorized, no challenge */
        POLKIT_ERROR,      /* org.freedesktop.PolicyKit1.Error.Failed */
        POLKIT_SILENT,     /* never answers; the calls are kept */
} PolkitMode;

typedef struct {
        GDBusConnection *c;   /* its own connection; NULL while "dead" */
        guint object_id, name_id;
        PolkitMode mode;
        GPtrArray *pending;   /* GDBusMethodInvocation of unanswered checks */
        GPtrArray *cancelled; /* cancellation ids received (char *) */
        guint n_checks;
} PolkitDouble;

/* Takes the name from the fixture's double (which leaves the bus) and owns
 * org.freedesktop.PolicyKit1 on a new connection. */
PolkitDouble *polkit_double_new(WandFixture *f, PolkitMode mode);
/* Answers every check kept in POLKIT_SILENT mode. */
void polkit_double_answer_all(PolkitDouble *p, gboolean authorized);
/* The process "dies": its connection closes with checks unanswered, so the
 * bus answers them with NoReply. */
void polkit_double_die(PolkitDouble *p, WandFixture *f);
/* And comes back, owning the name again on a new connection. */
void polkit_double_revive(PolkitDouble *p, WandFixture *f);
void polkit_double_free(PolkitDouble *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PolkitDouble, polkit_double_free)

/* GetNameOwner on the fixture's bus; NULL when none. */
char *robust_name_owner(WandFixture *f, const char *name);

G_END_DECLS
