/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-privileged: the commands wand runs as root, and what a call
 * carrying them costs wand before anyone is asked. */
#include "wand-test.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ── memory before authorization ──────────────────────────────────────── */

static guint64
status_kib(GPid pid, const char *field)
{
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
        g_autofree char *text = NULL;
        const char *line;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        line = strstr(text, field);
        g_assert_nonnull(line);
        return g_ascii_strtoull(line + strlen(field) + 1, NULL, 10);
}

/* Resets the peak resident set size (VmHWM) of pid to its current size. */
static void
reset_peak(GPid pid)
{
        g_autofree char *path = g_strdup_printf("/proc/%d/clear_refs", (int) pid);
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(write(fd, "5", 1), ==, 1);
        g_assert_cmpint(close(fd), ==, 0);
}

#define BIG_WORD (16u * 1024 * 1024)

/* A 16 MiB word of single quotes, from a caller polkit has not been asked
 * about: refused as InvalidArgs before polkit is asked, and on its way
 * costing wand at most about twice the message (sd-bus holds the message
 * itself; quoting that word to measure it once cost ~100 MiB). */
static void
test_memory_before_authorization(WandFixture *f, gconstpointer data)
{
        g_autofree char *word = g_malloc(BIG_WORD + 1);
        struct {
                const char *path, *iface, *method;
        } calls[] = {
                { WAN0, WAND_INTERFACE_IFACE, "UpdateSettings" },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface" },
        };

        memset(word, '\'', BIG_WORD);
        word[BIG_WORD] = 0;
        wand_fixture_start_wan0(f, NULL);

        for (gsize k = 0; k < G_N_ELEMENTS(calls); k++) {
                const char *argv[] = { "/bin/true", word, NULL };
                GVariantBuilder b;
                GVariant *params;
                g_autofree char *msg = NULL;
                guint64 before, after;

                g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
                g_variant_builder_add(&b, "{sv}", "Device", g_variant_new_string("veth0"));
                g_variant_builder_add(&b, "{sv}", "ConnectCommand", g_variant_new_strv(argv, -1));
                params = k == 0 ? g_variant_new("(a{sv})", &b) : g_variant_new("(sa{sv})", "wan7", &b);

                reset_peak(f->wand_pid);
                before = status_kib(f->wand_pid, "VmHWM:");
                msg = wand_call_error(f->user, calls[k].path, calls[k].iface, calls[k].method, params,
                                      DBUS_ERROR("InvalidArgs"));
                after = status_kib(f->wand_pid, "VmHWM:");
                g_test_message("%s: peak %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB after",
                               calls[k].method, before, after);
                g_assert_cmpuint(after - before, <, 2 * BIG_WORD / 1024);
                g_assert_nonnull(strstr(msg, "ConnectCommand is longer than a command line may be"));
                wand_fixture_assert_no_polkit(f);
        }
        wand_assert_state(f, WAN0, "disconnected");
}

/* Where the limit is: the words and a blank between each two, at most
 * 16384 bytes; one byte more is refused before polkit is asked, the limit
 * itself is authorization's to decide. */
static void
test_command_line_limit(WandFixture *f, gconstpointer data)
{
        g_autofree char *fits = g_strnfill(16384 - strlen("/bin/true "), 'x');
        g_autofree char *over = g_strnfill(16384 - strlen("/bin/true ") + 1, 'x');
        const char *argv_fits[] = { "/bin/true", fits, NULL };
        const char *argv_over[] = { "/bin/true", over, NULL };
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;
        g_autofree char *msg = NULL;
        GVariantBuilder b;

        wand_fixture_start_wan0(f, NULL);

        g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&b, "{sv}", "ConnectCommand", g_variant_new_strv(argv_over, -1));
        msg = wand_call_error(f->user, WAN0, WAND_INTERFACE_IFACE, "UpdateSettings", g_variant_new("(a{sv})", &b),
                              DBUS_ERROR("InvalidArgs"));
        wand_fixture_assert_no_polkit(f);

        g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&b, "{sv}", "ConnectCommand", g_variant_new_strv(argv_fits, -1));
        call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "UpdateSettings", g_variant_new("(a{sv})", &b),
                               0);
        check = wand_fixture_expect_check(f, "org.wand.Router1.configure", f->user, "wan0", "veth0", 0);
        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_ok(call);
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/privileged/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("memory-before-authorization", test_memory_before_authorization);
        ADD("command-line-limit", test_command_line_limit);
#undef ADD
        return g_test_run();
}
