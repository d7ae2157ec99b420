/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See robust.h. */
#include "robust.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* ── wand's resources ─────────────────────────────────────────────────── */

WandUsage
wand_usage(GPid pid)
{
        g_autofree char *status_path = g_strdup_printf("/proc/%d/status", pid);
        g_autofree char *stat_path = g_strdup_printf("/proc/%d/stat", pid);
        g_autofree char *fd_path = g_strdup_printf("/proc/%d/fd", pid);
        g_autofree char *status = NULL, *stat = NULL;
        g_autoptr(GDir) dir = NULL;
        WandUsage u = { 0 };
        const char *p;

        g_assert_true(g_file_get_contents(status_path, &status, NULL, NULL));
        p = strstr(status, "\nVmRSS:");
        g_assert_nonnull(p);
        u.rss_kib = g_ascii_strtoull(p + strlen("\nVmRSS:"), NULL, 10);

        dir = g_dir_open(fd_path, 0, NULL);
        g_assert_nonnull(dir);
        while (g_dir_read_name(dir))
                u.n_fds++;

        /* Fields 14 and 15 (utime, stime), counted after the ")" that ends
         * the command name, which may itself hold spaces. */
        g_assert_true(g_file_get_contents(stat_path, &stat, NULL, NULL));
        p = strrchr(stat, ')');
        g_assert_nonnull(p);
        {
                g_auto(GStrv) fields = g_strsplit(p + 2, " ", -1);
                g_assert_cmpuint(g_strv_length(fields), >, 13);
                u.cpu_ticks = g_ascii_strtoull(fields[11], NULL, 10) +
                              g_ascii_strtoull(fields[12], NULL, 10);
        }
        return u;
}

void
robust_figure(const char *name, const char *format, ...)
{
        g_autofree char *value = NULL;
        const char *file = g_getenv("WAND_FIGURES");
        va_list ap;

        va_start(ap, format);
        value = g_strdup_vprintf(format, ap);
        va_end(ap);
        /* g_test_message() is a TAP comment, shown in meson's log. */
        g_test_message("figure %s: %s", name, value);
        if (file && *file) {
                FILE *out = fopen(file, "a");
                if (out) {
                        fprintf(out, "%s: %s\n", name, value);
                        fclose(out);
                }
        }
}

gboolean
robust_sanitized(void)
{
        const char *s = g_getenv("WAND_SANITIZED");

        return s && *s && strcmp(s, "none") != 0;
}

char *
robust_name_owner(WandFixture *f, const char *name)
{
        g_autoptr(GVariant) r = NULL;
        char *owner = NULL;

        r = wand_call(f->root, "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner",
                      g_variant_new("(s)", name), G_VARIANT_TYPE("(s)"), NULL);
        if (r)
                g_variant_get(r, "(s)", &owner);
        return owner;
}

/* ── raw connections ──────────────────────────────────────────────────── */

int
raw_connect(const char *address, uid_t uid)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        g_autofree char *uid_str = g_strdup_printf("%u", (unsigned) uid);
        g_autoptr(GString) auth = g_string_new(NULL);
        const char *p;
        char buf[512];
        int fd, r;
        ssize_t n;
        gsize len;
        gboolean abstract;

        p = strstr(address, "path=");
        abstract = !p;
        if (!p)
                p = strstr(address, "abstract=");
        g_assert_nonnull(p);
        p = strchr(p, '=') + 1;
        len = strcspn(p, ",");
        g_assert_cmpuint(len + 1, <, sizeof sa.sun_path);
        memcpy(sa.sun_path + (abstract ? 1 : 0), p, len);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        /* SO_PEERCRED records the effective uid at connect(). */
        g_assert_cmpint(setresuid(-1, uid, -1), ==, 0);
        r = connect(fd, (struct sockaddr *) &sa, offsetof(struct sockaddr_un, sun_path) + len + (abstract ? 1 : 0));
        g_assert_cmpint(setresuid(-1, 0, -1), ==, 0);
        g_assert_cmpint(r, ==, 0);
        /* "\0AUTH EXTERNAL <the uid's digits in hex>", then BEGIN. */
        g_string_append_c(auth, '\0');
        g_string_append(auth, "AUTH EXTERNAL ");
        for (const char *d = uid_str; *d; d++)
                g_string_append_printf(auth, "%02x", (unsigned) *d);
        g_string_append(auth, "\r\n");
        g_assert_cmpint(write(fd, auth->str, auth->len), ==, (gssize) auth->len);
        n = read(fd, buf, sizeof buf - 1);
        g_assert_cmpint(n, >, 2);
        buf[n] = 0;
        g_assert_true(g_str_has_prefix(buf, "OK "));
        g_assert_cmpint(write(fd, "BEGIN\r\n", 7), ==, 7);
        return fd;
}

void
replace_bytes(guchar *blob, gsize size, const char *find, const char *with)
{
        gsize n = strlen(find);

        g_assert_cmpuint(n, ==, strlen(with));
        for (gsize k = 0; k + n <= size; k++)
                if (memcmp(blob + k, find, n) == 0) {
                        memcpy(blob + k, with, n);
                        return;
                }
        g_assert_not_reached();
}

gboolean
raw_wait_closed(int fd)
{
        gint64 deadline = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
        guchar buf[65536];

        for (;;) {
                fd_set set;
                struct timeval tv = { 0, 50000 };
                ssize_t n;

                FD_ZERO(&set);
                FD_SET(fd, &set);
                if (select(fd + 1, &set, NULL, NULL, &tv) > 0) {
                        n = read(fd, buf, sizeof buf);
                        if (n <= 0)
                                return TRUE;
                }
                if (g_get_monotonic_time() > deadline)
                        return FALSE;
        }
}

/* ── the polkit double ────────────────────────────────────────────────── */

static void
on_polkit_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
               const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer data)
{
        PolkitDouble *p = data;

        if (strcmp(method, "CancelCheckAuthorization") == 0) {
                const char *id;

                g_variant_get(params, "(&s)", &id);
                g_ptr_array_add(p->cancelled, g_strdup(id));
                /* polkitd answers the cancelled check with an error; until
                 * it is answered the bus counts it against wand's limit of
                 * pending calls. */
                for (guint k = 0; k < p->pending->len; k++) {
                        GDBusMethodInvocation *check = g_ptr_array_index(p->pending, k);
                        const char *check_id;

                        g_variant_get_child(g_dbus_method_invocation_get_parameters(check), 4, "&s", &check_id);
                        if (strcmp(check_id, id) == 0) {
                                g_dbus_method_invocation_return_dbus_error(
                                        g_object_ref(check), "org.freedesktop.PolicyKit1.Error.Cancelled",
                                        "The authorization check was cancelled");
                                g_ptr_array_remove_index(p->pending, k);
                                break;
                        }
                }
                g_dbus_method_invocation_return_value(inv, NULL);
                return;
        }

        p->n_checks++;
        /* Like polkitd: a subject that has left the bus cannot be checked
         * (wand relies on that for callers that leave before it watches
         * them). */
        if (p->mode == POLKIT_SILENT) {
                g_autoptr(GVariant) subject = g_variant_get_child_value(params, 0);
                g_autoptr(GVariant) details = g_variant_get_child_value(subject, 1);
                g_autoptr(GVariant) r = NULL;
                const char *name = NULL;

                g_variant_lookup(details, "name", "&s", &name);
                r = g_dbus_connection_call_sync(c, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                "org.freedesktop.DBus", "GetNameOwner",
                                                g_variant_new("(s)", name ? name : ""), NULL,
                                                G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
                if (!r) {
                        g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.PolicyKit1.Error.Failed",
                                                                   "The subject has left the bus");
                        return;
                }
        }
        switch (p->mode) {
        case POLKIT_ALLOW:
        case POLKIT_DENY:
                g_dbus_method_invocation_return_value(
                        inv, g_variant_new_parsed("((%b, false, @a{ss} {}),)", p->mode == POLKIT_ALLOW));
                break;
        case POLKIT_ERROR:
                g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.PolicyKit1.Error.Failed",
                                                           "The polkit double fails on purpose");
                break;
        case POLKIT_SILENT:
                g_ptr_array_add(p->pending, inv); /* owned until the double dies */
                break;
        }
}

static const GDBusInterfaceVTable polkit_vtable = { on_polkit_call, NULL, NULL, { 0 } };

static void
polkit_double_connect(PolkitDouble *p, WandFixture *f)
{
        g_autoptr(GDBusNodeInfo) node = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *owner = NULL;

        node = g_dbus_node_info_new_for_xml(wand_test_polkit_xml, &error);
        g_assert_no_error(error);
        p->c = wand_fixture_connect_as(f, 0);
        p->object_id = g_dbus_connection_register_object(p->c, POLKIT_PATH, node->interfaces[0],
                                                         &polkit_vtable, p, NULL, &error);
        g_assert_no_error(error);
        p->name_id = g_bus_own_name_on_connection(p->c, POLKIT_BUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
                                                  NULL, NULL, NULL, NULL);
        wand_wait_until((g_free(owner), owner = robust_name_owner(f, POLKIT_BUS_NAME),
                         g_strcmp0(owner, g_dbus_connection_get_unique_name(p->c)) == 0),
                        "the polkit double to own " POLKIT_BUS_NAME);
}

PolkitDouble *
polkit_double_new(WandFixture *f, PolkitMode mode)
{
        PolkitDouble *p = g_new0(PolkitDouble, 1);

        wand_fixture_polkit_leave(f);
        p->mode = mode;
        p->pending = g_ptr_array_new_with_free_func(g_object_unref);
        p->cancelled = g_ptr_array_new_with_free_func(g_free);
        polkit_double_connect(p, f);
        return p;
}

void
polkit_double_answer_all(PolkitDouble *p, gboolean authorized)
{
        for (guint k = 0; k < p->pending->len; k++)
                g_dbus_method_invocation_return_value(
                        g_object_ref(g_ptr_array_index(p->pending, k)),
                        g_variant_new_parsed("((%b, false, @a{ss} {}),)", authorized));
        g_ptr_array_set_size(p->pending, 0);
}

void
polkit_double_die(PolkitDouble *p, WandFixture *f)
{
        g_autofree char *owner = NULL;

        g_assert_nonnull(p->c);
        g_bus_unown_name(p->name_id);
        g_dbus_connection_unregister_object(p->c, p->object_id);
        g_dbus_connection_close_sync(p->c, NULL, NULL);
        g_clear_object(&p->c);
        /* Unanswered, as a crashed polkitd leaves them. */
        g_ptr_array_set_size(p->pending, 0);
        wand_wait_until((g_free(owner), owner = robust_name_owner(f, POLKIT_BUS_NAME), owner == NULL),
                        "the polkit double to leave the bus");
}

void
polkit_double_revive(PolkitDouble *p, WandFixture *f)
{
        g_assert_null(p->c);
        polkit_double_connect(p, f);
}

void
polkit_double_free(PolkitDouble *p)
{
        if (!p)
                return;
        g_ptr_array_unref(p->pending);
        if (p->c) {
                g_bus_unown_name(p->name_id);
                g_dbus_connection_unregister_object(p->c, p->object_id);
                g_dbus_connection_close_sync(p->c, NULL, NULL);
                g_clear_object(&p->c);
        }
        g_ptr_array_unref(p->cancelled);
        g_free(p);
}
