/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-privileged: the commands wand runs as root are behind their own
 * polkit action, org.wand.Router1.configure-privileged. Exactly which
 * action each call shape asks for (one, never two prompts), what
 * GetSettings() shows to whom, and that a call's arguments cost wand
 * little memory before anyone is asked. */
#include "wand-test.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define CONFIGURE "org.wand.Router1.configure"
#define PRIVILEGED "org.wand.Router1.configure-privileged"
#define INTERACTIVE G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION

#define DIALER_LINES "ConnectCommand=/usr/sbin/pppd call 'isp secret'\nDisconnectCommand=/bin/true\n"

/* uid 65534 calls UpdateSettings(dict) on wan0 (veth0); polkit must be asked
 * exactly action, with details interface=wan0, device=veth0 and
 * new-device=new_device, and nothing else. */
static WandPolkitCheck *
user_updates(WandFixture *f, const char *dict, const char *action, const char *new_device, WandCall **ret_call)
{
        WandPolkitCheck *check;
        const char *v = NULL;

        *ret_call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "UpdateSettings",
                                    g_variant_new_parsed(dict), 0);
        check = wand_fixture_expect_check(f, action, f->user, "wan0", "veth0", 0);
        g_assert_true(g_variant_lookup(check->details, "new-device", "&s", &v));
        g_assert_cmpstr(v, ==, new_device);
        g_assert_cmpuint(g_variant_n_children(check->details), ==, 3);
        return check;
}

/* Every shape of UpdateSettings: with a command key, whatever its value
 * (new, the same as now, empty to remove it), only configure-privileged
 * is asked; without one, only configure. A denial changes nothing. */
static void
test_update_actions(WandFixture *f, gconstpointer data)
{
        g_autofree char *before = NULL;
        struct {
                const char *dict, *action, *new_device;
        } cases[] = {
                { "({'Persistent': <true>},)", CONFIGURE, "veth0" },
                { "({'Device': <'veth1'>, 'ClaimDevice': <true>},)", CONFIGURE, "veth1" },
                { "({'ConnectCommand': <['/bin/sh', '-c', 'id']>},)", PRIVILEGED, "veth0" },
                { "({'DisconnectCommand': <['/bin/true']>},)", PRIVILEGED, "veth0" }, /* as it is */
                { "({'ConnectCommand': <@as []>},)", PRIVILEGED, "veth0" },          /* removes it */
                { "({'Device': <'veth1'>, 'DisconnectCommand': <['/bin/false']>},)", PRIVILEGED, "veth1" },
        };

        wand_fixture_add_veth(f, "veth1");
        wand_fixture_start_wan0(f, DIALER_LINES);
        before = wand_fixture_read_interface_file(f, "wan0");

        for (gsize k = 0; k < G_N_ELEMENTS(cases); k++) {
                g_autoptr(WandCall) call = NULL;
                g_autoptr(WandPolkitCheck) check = NULL;
                g_autofree char *after = NULL;

                g_test_message("UpdateSettings%s as uid 65534", cases[k].dict);
                check = user_updates(f, cases[k].dict, cases[k].action, cases[k].new_device, &call);
                wand_polkit_reply(check, FALSE, TRUE);
                wand_call_assert_error(call, DBUS_ERROR("InteractiveAuthorizationRequired"));
                wand_fixture_assert_no_polkit(f);
                after = wand_fixture_read_interface_file(f, "wan0");
                g_assert_cmpstr(after, ==, before);
        }
}

/* Authorized, each asks one action and is done: one prompt, not two. */
static void
test_update_authorized(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL, second = NULL;
        g_autoptr(WandPolkitCheck) check = NULL, again = NULL;
        g_autofree char *file = NULL;

        wand_fixture_start_wan0(f, DIALER_LINES);

        check = user_updates(f, "({'ConnectCommand': <['/bin/sleep', '1000']>},)", PRIVILEGED, "veth0", &call);
        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_ok(call);
        wand_fixture_assert_no_polkit(f);
        file = wand_fixture_read_interface_file(f, "wan0");
        g_assert_nonnull(strstr(file, "ConnectCommand=/bin/sleep 1000\n"));

        again = user_updates(f, "({'Persistent': <true>},)", CONFIGURE, "veth0", &second);
        wand_polkit_reply(again, TRUE, FALSE);
        wand_call_assert_ok(second);
        wand_fixture_assert_no_polkit(f);
        g_assert_true(wand_get_bool(f, WAN0, "Persistent"));
}

static WandPolkitCheck *
user_creates(WandFixture *f, const char *args, const char *action, WandCall **ret_call)
{
        *ret_call = wand_call_async(f->user, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                                    g_variant_new_parsed(args), 0);
        return wand_fixture_expect_check(f, action, f->user, "wan1", "veth1", 0);
}

/* CreateInterface with a command asks only configure-privileged, so that
 * a rule granting configure on one interface does not let Delete followed
 * by CreateInterface put a command of the caller's there. */
static void
test_create_actions(WandFixture *f, gconstpointer data)
{
        const char *wan1 = "/org/wand/Router1/interface/wan1";
        struct {
                const char *args, *action;
        } denied[] = {
                { "('wan1', {'Device': <'veth1'>, 'ConnectCommand': <['/bin/sh']>})", PRIVILEGED },
                { "('wan1', {'Device': <'veth1'>, 'DisconnectCommand': <['/bin/sh']>})", PRIVILEGED },
                { "('wan1', {'Device': <'veth1'>, 'Persistent': <true>})", CONFIGURE },
        };
        g_autoptr(WandCall) call = NULL, del = NULL;
        g_autoptr(WandPolkitCheck) check = NULL, del_check = NULL;
        g_autoptr(GVariant) created = NULL;

        wand_fixture_start_wan0(f, NULL);
        for (gsize k = 0; k < G_N_ELEMENTS(denied); k++) {
                g_autoptr(WandCall) c = NULL;
                g_autoptr(WandPolkitCheck) ch = NULL;

                g_test_message("CreateInterface%s as uid 65534", denied[k].args);
                ch = user_creates(f, denied[k].args, denied[k].action, &c);
                wand_polkit_reply(ch, FALSE, FALSE);
                wand_call_assert_error(c, DBUS_ERROR("AccessDenied"));
                wand_fixture_assert_no_polkit(f);
                g_assert_null(wand_fixture_read_interface_file(f, "wan1"));
        }

        /* Delete, then the same name again with a command: a user who may
         * configure wan1 needs configure-privileged for that too. */
        created = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                               g_variant_new_parsed("('wan1', {'Device': <'veth1'>})"), G_VARIANT_TYPE("(o)"));
        del = wand_call_async(f->user, wan1, WAND_INTERFACE_IFACE, "Delete", NULL, 0);
        del_check = wand_fixture_expect_check(f, CONFIGURE, f->user, "wan1", "veth1", 0);
        wand_polkit_reply(del_check, TRUE, FALSE);
        wand_call_assert_ok(del);
        check = user_creates(f, "('wan1', {'Device': <'veth1'>, 'ConnectCommand': <['/bin/sh', '-c', 'id']>})",
                             PRIVILEGED, &call);
        wand_polkit_reply(check, FALSE, FALSE);
        wand_call_assert_error(call, DBUS_ERROR("AccessDenied"));
        g_free(wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                               g_variant_new("(s)", "wan1"), WAND_ERROR("NoSuchInterface")));

        /* Authorized: created with its command, one prompt. */
        g_clear_pointer(&call, wand_call_free);
        g_clear_pointer(&check, wand_polkit_check_free);
        check = user_creates(f, "('wan1', {'Device': <'veth1'>, 'ConnectCommand': <['/bin/true']>})", PRIVILEGED,
                             &call);
        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_ok(call);
        wand_fixture_assert_no_polkit(f);
        {
                g_autofree char *file = wand_fixture_read_interface_file(f, "wan1");
                g_assert_nonnull(strstr(file, "ConnectCommand=/bin/true\n"));
        }
}

static GVariant *
settings_of(WandCall *call)
{
        wand_call_assert_ok(call);
        return g_variant_get_child_value(call->reply, 0);
}

static void
assert_commands_hidden(GVariant *s)
{
        gboolean hidden = FALSE;

        g_assert_false(g_variant_lookup(s, "ConnectCommand", "^a&s", NULL));
        g_assert_false(g_variant_lookup(s, "DisconnectCommand", "^a&s", NULL));
        g_assert_true(g_variant_lookup(s, "CommandsHidden", "b", &hidden));
        g_assert_true(hidden);
        g_assert_cmpuint(g_variant_n_children(s), ==, 10);
}

static void
assert_commands_shown(GVariant *s)
{
        g_autofree const char **argv = NULL;

        g_assert_true(g_variant_lookup(s, "ConnectCommand", "^a&s", &argv));
        g_assert_cmpstr(argv[2], ==, "isp secret");
        g_assert_false(g_variant_lookup(s, "CommandsHidden", "b", NULL));
        g_assert_cmpuint(g_variant_n_children(s), ==, 11);
}

/* GetSettings asks configure (interactively when the call allows it),
 * then configure-privileged, never interactively: the commands only for
 * those who hold both. */
static void
test_get_settings(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, DIALER_LINES);

        for (int interactive = 0; interactive <= 1; interactive++) {
                g_autoptr(WandCall) call = NULL, call2 = NULL;
                g_autoptr(WandPolkitCheck) c1 = NULL, c2 = NULL, c3 = NULL, c4 = NULL;
                g_autoptr(GVariant) hidden = NULL, shown = NULL;

                g_test_message("GetSettings, interactive: %d", interactive);
                call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "GetSettings", NULL,
                                       interactive ? INTERACTIVE : 0);
                c1 = wand_fixture_expect_check(f, CONFIGURE, f->user, "wan0", "veth0", interactive);
                wand_polkit_reply(c1, TRUE, FALSE);
                c2 = wand_fixture_expect_check(f, PRIVILEGED, f->user, "wan0", "veth0", 0);
                g_assert_cmpstr(c2->cancellation_id, !=, c1->cancellation_id);
                wand_polkit_reply(c2, FALSE, TRUE);
                hidden = settings_of(call);
                assert_commands_hidden(hidden);
                wand_fixture_assert_no_polkit(f);

                call2 = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "GetSettings", NULL,
                                        interactive ? INTERACTIVE : 0);
                c3 = wand_fixture_expect_check(f, CONFIGURE, f->user, "wan0", "veth0", interactive);
                wand_polkit_reply(c3, TRUE, FALSE);
                c4 = wand_fixture_expect_check(f, PRIVILEGED, f->user, "wan0", "veth0", 0);
                wand_polkit_reply(c4, TRUE, FALSE);
                shown = settings_of(call2);
                assert_commands_shown(shown);
                wand_fixture_assert_no_polkit(f);
        }
}

/* configure refused: AccessDenied, and configure-privileged is never asked.
 * polkit failing on the second question: the call still succeeds, the
 * commands stay hidden (fails closed). Root: everything, nobody asked. */
static void
test_get_settings_refused_and_failing(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) denied = NULL, failing = NULL;
        g_autoptr(WandPolkitCheck) c1 = NULL, c2 = NULL, c3 = NULL;
        g_autoptr(GVariant) hidden = NULL, root = NULL, all = NULL;

        wand_fixture_start_wan0(f, DIALER_LINES);

        denied = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "GetSettings", NULL, 0);
        c1 = wand_fixture_expect_check(f, CONFIGURE, f->user, "wan0", "veth0", 0);
        wand_polkit_reply(c1, FALSE, TRUE);
        wand_call_assert_error(denied, DBUS_ERROR("InteractiveAuthorizationRequired"));
        wand_fixture_assert_no_polkit(f);

        failing = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "GetSettings", NULL, 0);
        c2 = wand_fixture_expect_check(f, CONFIGURE, f->user, "wan0", "veth0", 0);
        wand_polkit_reply(c2, TRUE, FALSE);
        c3 = wand_fixture_expect_check(f, PRIVILEGED, f->user, "wan0", "veth0", 0);
        wand_polkit_reply_error(c3, "org.freedesktop.PolicyKit1.Error.Failed", "it broke");
        hidden = settings_of(failing);
        assert_commands_hidden(hidden);

        root = wand_call_ok(f->root, WAN0, WAND_INTERFACE_IFACE, "GetSettings", NULL, G_VARIANT_TYPE("(a{sv})"));
        all = g_variant_get_child_value(root, 0);
        assert_commands_shown(all);
        wand_fixture_assert_no_polkit(f);
}

/* The caller leaves while polkit decides the second question: that check
 * is cancelled like any other. */
static void
test_get_settings_caller_leaves(WandFixture *f, gconstpointer data)
{
        g_autoptr(GDBusConnection) leaver = wand_fixture_connect_as(f, 65534);
        g_autoptr(WandPolkitCheck) c1 = NULL, c2 = NULL;
        g_autoptr(GDBusMethodInvocation) cancel = NULL;
        const char *id;

        wand_fixture_start_wan0(f, DIALER_LINES);
        g_dbus_connection_call(leaver, WAND_BUS_NAME, WAN0, WAND_INTERFACE_IFACE, "GetSettings", NULL, NULL,
                               G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
        c1 = wand_fixture_expect_check(f, CONFIGURE, leaver, "wan0", "veth0", 0);
        wand_polkit_reply(c1, TRUE, FALSE);
        c2 = wand_fixture_expect_check(f, PRIVILEGED, leaver, "wan0", "veth0", 0);
        g_dbus_connection_close_sync(leaver, NULL, NULL);

        cancel = wand_fixture_pop_polkit(f);
        g_assert_cmpstr(g_dbus_method_invocation_get_method_name(cancel), ==, "CancelCheckAuthorization");
        g_variant_get(g_dbus_method_invocation_get_parameters(cancel), "(&s)", &id);
        g_assert_cmpstr(id, ==, c2->cancellation_id);
        g_dbus_method_invocation_return_value(g_steal_pointer(&cancel), NULL);
        wand_polkit_reply(c2, TRUE, FALSE);
        wand_fixture_assert_no_polkit(f);
        wand_assert_state(f, WAN0, "disconnected"); /* wand still serves */
}

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

        const char *wrapper = g_getenv("WAND_WRAPPER"), *sanitize = g_getenv("WAND_SANITIZE");
        gboolean wrapped = (wrapper && *wrapper) || (sanitize && *sanitize && !g_str_equal(sanitize, "none"));

        if (wrapped)
                g_test_message("wand runs under %s: its peak memory is the tool's (shadow memory, quarantine), so "
                               "only the refusal is checked; the plain build's run compares the memory",
                               wrapper && *wrapper ? wrapper : sanitize);
        memset(word, '\'', BIG_WORD);
        word[BIG_WORD] = 0;
        wand_fixture_start_wan0(f, NULL);

        for (gsize k = 0; k < G_N_ELEMENTS(calls); k++) {
                const char *argv[] = { "/bin/true", word, NULL };
                GVariantBuilder b;
                GVariant *params;
                g_autofree char *msg = NULL;
                WandCall *call;
                gint64 deadline;
                guint64 before, after;

                g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
                g_variant_builder_add(&b, "{sv}", "Device", g_variant_new_string("veth0"));
                g_variant_builder_add(&b, "{sv}", "ConnectCommand", g_variant_new_strv(argv, -1));
                params = k == 0 ? g_variant_new("(a{sv})", &b) : g_variant_new("(sa{sv})", "wan7", &b);

                reset_peak(f->wand_pid);
                before = status_kib(f->wand_pid, "VmHWM:");
                call = wand_call_async(f->user, calls[k].path, calls[k].iface, calls[k].method, params, 0);
                /* 16 MiB through the bus and sd-bus's checks: longer than the
                 * fixture's usual bound under ASan on a busy machine. */
                deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
                while (!call->done && g_get_monotonic_time() < deadline)
                        wand_iterate(100);
                msg = g_strdup(wand_call_assert_error(call, DBUS_ERROR("InvalidArgs")));
                g_clear_pointer(&call, wand_call_free);
                after = status_kib(f->wand_pid, "VmHWM:");
                g_test_message("%s: peak %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB after",
                               calls[k].method, before, after);
                /* Under valgrind or the sanitizers the peak is the tool's, with
                 * its shadow memory: only the refusal is checked there. */
                if (!wrapped)
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
        check = wand_fixture_expect_check(f, PRIVILEGED, f->user, "wan0", "veth0", 0);
        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_ok(call);
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/privileged/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("update/actions", test_update_actions);
        ADD("update/authorized", test_update_authorized);
        ADD("create/actions", test_create_actions);
        ADD("get-settings/hidden-or-shown", test_get_settings);
        ADD("get-settings/refused-and-failing", test_get_settings_refused_and_failing);
        ADD("get-settings/caller-leaves", test_get_settings_caller_leaves);
        ADD("memory-before-authorization", test_memory_before_authorization);
        ADD("command-line-limit", test_command_line_limit);
#undef ADD
        return g_test_run();
}
