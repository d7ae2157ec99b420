/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See audit.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "audit.h"
#include "log.h"
#include "macro.h"

typedef struct MethodInfo {
        const char *member;
        const char *message_id; /* of the result */
        const char *done;       /* "disconnected %s" */
        const char *verb;       /* "disconnect %s" */
} MethodInfo;

/* The sentence is "<who> <done> <interface>." or "<who> may <verb> <interface>". */
static const MethodInfo methods[] = {
        { "Connect", WAND_MESSAGE_CONNECT, "connected", "connect" },
        { "Disconnect", WAND_MESSAGE_DISCONNECT, "disconnected", "disconnect" },
        { "SetEnabled", WAND_MESSAGE_CONFIGURE, NULL, NULL }, /* enabled / disabled, from the argument */
        { "UpdateSettings", WAND_MESSAGE_CONFIGURE, "changed the settings of", "change the settings of" },
        { "GetSettings", WAND_MESSAGE_CONFIGURE, "read the settings of", "read the settings of" },
        { "Delete", WAND_MESSAGE_CONFIGURE, "deleted", "delete" },
        { "CreateInterface", WAND_MESSAGE_CONFIGURE, "created", "create" },
        { "Reload", WAND_MESSAGE_CONFIGURE, "reloaded the configuration", "reload the configuration" },
        { "StartDemandDialManager", WAND_MESSAGE_CONTROL, "started the demand-dial manager",
          "start the demand-dial manager" },
        { "StopDemandDialManager", WAND_MESSAGE_CONTROL, "stopped the demand-dial manager",
          "stop the demand-dial manager" },
};

static const char *const verdicts[_AUDIT_VERDICT_MAX] = {
        [AUDIT_VERDICT_ROOT] = "root",
        [AUDIT_VERDICT_AUTHORIZED] = "authorized",
        [AUDIT_VERDICT_DENIED] = "denied",
        [AUDIT_VERDICT_CHALLENGE] = "authentication-required",
        [AUDIT_VERDICT_LIMIT] = "limit",
};

static const MethodInfo *method_info(sd_bus_message *call) {
        const char *member = sd_bus_message_get_member(call);

        for (size_t k = 0; member && k < ELEMENTSOF(methods); k++)
                if (streq(methods[k].member, member))
                        return &methods[k];
        return NULL;
}

/* "enable wan0", "disconnect site-b", "reload the configuration". */
static char *what(const MethodInfo *mi, sd_bus_message *call, const char *interface, bool done) {
        const char *verb = done ? mi->done : mi->verb;
        char *s = NULL;

        if (!verb) {
                int enabled = 0;
                /* SetEnabled: the argument, read afresh (the handler read it). */
                if (sd_bus_message_rewind(call, true) < 0 || sd_bus_message_read(call, "b", &enabled) < 0)
                        enabled = -1;
                verb = enabled < 0 ? (done ? "enabled or disabled" : "enable or disable")
                       : enabled  ? (done ? "enabled" : "enable")
                                  : (done ? "disabled" : "disable");
        }
        if (asprintf(&s, "%s%s%s", verb, interface ? " " : "", strempty(interface)) < 0)
                return NULL;
        return s;
}

static char *who(const AuditCaller *c) {
        char *s = NULL;

        if (c->known ? asprintf(&s, "uid %" PRIu32 " (pid %" PRIu32 ", %s)", c->uid, c->pid, c->name) < 0
                     : asprintf(&s, "%s (uid unknown)", c->name) < 0)
                return NULL;
        return s;
}

/* To the journal with its fields when journald reads our stderr (there,
 * stderr would only repeat it); else to stderr. */
static void emit(int priority, const char *message_id, const char *message, const AuditCaller *c,
                 const char *member, const char *action, const char *interface, const char *verdict,
                 const char *result, const char *error_message) {
        static int journal = -1;
        char uid[16] = "", pid[16] = "";

        if (journal < 0)
                journal = getenv("JOURNAL_STREAM") != NULL;
        if (!journal) {
                log_internal(priority, 0, "%s", message);
                return;
        }
        if (c->known) {
                snprintf(uid, sizeof(uid), "%" PRIu32, c->uid);
                snprintf(pid, sizeof(pid), "%" PRIu32, c->pid);
        }
        (void) sd_journal_send("MESSAGE=%s", message, "MESSAGE_ID=%s", message_id, "PRIORITY=%d", priority,
                               "WAND_METHOD=%s", strempty(member), "WAND_ACTION=%s", strempty(action),
                               "WAND_INTERFACE=%s", strempty(interface), "WAND_CALLER=%s", c->name,
                               "WAND_CALLER_UID=%s", uid, "WAND_CALLER_PID=%s", pid, "WAND_VERDICT=%s",
                               strempty(verdict), "WAND_RESULT=%s", strempty(result), "WAND_ERROR_MESSAGE=%s",
                               strempty(error_message), NULL);
}

void audit_decision(sd_bus_message *call, const AuditCaller *caller, const char *action, const char *interface,
                    AuditVerdict verdict, const char *why) {
        const MethodInfo *mi = method_info(call);
        _cleanup_free_ char *w = who(caller), *act = mi ? what(mi, call, interface, false) : NULL, *msg = NULL;
        bool yes = verdict == AUDIT_VERDICT_ROOT || verdict == AUDIT_VERDICT_AUTHORIZED;

        int r;

        if (!mi)
                return;
        r = yes ? asprintf(&msg, "%s may %s (%s).", strna(w), strna(act),
                           verdict == AUDIT_VERDICT_ROOT ? "root" : "authorized by polkit")
                : asprintf(&msg, "%s was refused to %s: %s", strna(w), strna(act), why ?: verdicts[verdict]);
        if (r < 0)
                msg = NULL;
        emit(yes ? LOG_INFO : LOG_NOTICE, yes ? WAND_MESSAGE_AUTHORIZED : WAND_MESSAGE_DENIED, strna(msg), caller,
             mi->member, action, interface, verdicts[verdict], NULL, yes ? NULL : why);
}

bool audit_has_result(sd_bus_message *call) {
        const MethodInfo *mi = method_info(call);

        return mi && !streq(mi->member, "GetSettings"); /* reading changes nothing: its decision is logged */
}

void audit_result(sd_bus_message *call, const AuditCaller *caller, const char *interface, const sd_bus_error *error) {
        const MethodInfo *mi = method_info(call);
        bool ok = !sd_bus_error_is_set(error);
        _cleanup_free_ char *w = NULL, *act = NULL, *msg = NULL;
        int r;

        if (!audit_has_result(call))
                return;
        w = who(caller);
        act = what(mi, call, interface, ok);
        r = ok ? asprintf(&msg, "%s %s.", strna(w), strna(act))
               : asprintf(&msg, "%s could not %s: %s: %s", strna(w), strna(act), error->name, strempty(error->message));
        if (r < 0)
                msg = NULL;
        emit(ok ? LOG_INFO : LOG_WARNING, mi->message_id, strna(msg), caller, mi->member, NULL, interface, NULL,
             ok ? "ok" : error->name, ok ? NULL : error->message);
}
