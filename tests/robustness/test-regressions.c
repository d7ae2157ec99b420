/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* robustness-regressions: what the fuzzers found, checked against the real
 * daemon. Each case names the fuzz input that found it
 * (fuzz/corpus/<target>/crash-*). */
#include "robust.h"

#include <string.h>

/* fuzz/corpus/settings-bus/crash-command-line-break: a command word with a
 * line break passed settings_from_bus_message(), so CreateInterface asked
 * polkit and then failed to save with org.freedesktop.DBus.Error.Failed
 * ("Invalid argument"), where the contract says InvalidArgs, naming the key,
 * before authorization. */
static void
test_create_command_line_break(WandFixture *f, gconstpointer data)
{
        const char *const keys[] = { "ConnectCommand", "DisconnectCommand" };

        wand_fixture_start(f);
        for (gsize k = 0; k < G_N_ELEMENTS(keys); k++) {
                g_autofree char *args = g_strdup_printf(
                        "('nl%" G_GSIZE_FORMAT "', {'Device': <'veth0'>, '%s': <['/bin/sh', 'two\\nlines']>})",
                        k, keys[k]);
                g_autofree char *msg = NULL, *name = g_strdup_printf("nl%" G_GSIZE_FORMAT, k);
                g_autofree char *file = NULL;

                g_test_message("CreateInterface%s", args);
                msg = wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                                      g_variant_new_parsed(args), DBUS_ERROR("InvalidArgs"));
                g_assert_nonnull(strstr(msg, keys[k]));
                file = wand_fixture_read_interface_file(f, name);
                g_assert_null(file);

                /* And for anyone else before polkit is asked. */
                {
                        g_autoptr(WandCall) c = wand_call_async(f->user, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                                                "CreateInterface", g_variant_new_parsed(args), 0);
                        wand_fixture_assert_no_polkit(f);
                        wand_call_assert_error(c, DBUS_ERROR("InvalidArgs"));
                }
        }
}

/* fuzz/corpus/config/crash-device-not-utf8 and
 * fuzz/corpus/names/crash-device-not-utf8: Device=<bytes that are not
 * UTF-8> was accepted from a file, and the interface published with a Device
 * no D-Bus message can carry. The file must be skipped with a log line, and
 * everything else must keep working. */
static void
test_device_not_utf8(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) objects = NULL, dict = NULL;
        g_autoptr(GVariant) list = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *log = NULL, *printed = NULL;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "good", "veth0", NULL);
        wand_fixture_write_interface_file(f, "bad", "[Interface]\nDevice=caf\xe9\n");
        wand_fixture_start(f);

        objects = wand_call(f->root, WAND_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                            "GetManagedObjects", NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"), &error);
        g_assert_no_error(error);
        dict = g_variant_get_child_value(objects, 0);
        g_assert_cmpuint(g_variant_n_children(dict), ==, 1);

        list = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "ListInterfaces", NULL,
                            G_VARIANT_TYPE("(a(sos))"));
        printed = g_variant_print(list, FALSE);
        g_assert_cmpstr(printed, ==,
                        "([('good', '/org/wand/Router1/interface/good', 'disconnected')],)");

        wand_wait_until((g_free(log), log = wand_fixture_get_log(f), strstr(log, "bad.conf") != NULL),
                        "a log line naming bad.conf");
}

/* fuzz/corpus/config/crash-number-too-large: RedialAttempts=4294967296 made
 * the file be skipped with a log line that named neither the line nor the
 * problem (-ERANGE passed by the code that adds them to -EINVAL only). */
static void
test_number_too_large(WandFixture *f, gconstpointer data)
{
        g_autofree char *log = NULL;

        wand_fixture_write_interface_file(f, "big", "[Interface]\nDevice=veth0\nRedialAttempts=4294967296\n");
        wand_fixture_start(f);
        wand_wait_until((g_free(log), log = wand_fixture_get_log(f), strstr(log, "big.conf") != NULL),
                        "a log line naming big.conf");
        g_assert_nonnull(strstr(log, "big.conf:3: \"4294967296\" is too large"));
}

/* Found by robustness-faults-lifecycle: callers waiting for a connection when
 * SIGTERM came got org.freedesktop.DBus.Error.NoReply from the bus, not the
 * "wand is shutting down." wand means to send them — sd-bus's own exit
 * handler had closed the connection before manager_free() answered them. */
static void
test_sigterm_answers_waiters(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) c = NULL;
        const char *msg;

        wand_fixture_add_veth(f, "slow");
        wand_ip("link set slow-p down"); /* no carrier: Connect waits */
        wand_fixture_write_interface(f, "slow", "slow", "ConnectTimeoutSec=60\n");
        wand_fixture_start(f);
        c = wand_call_async(f->root, "/org/wand/Router1/interface/slow", WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_wait_state(f, "/org/wand/Router1/interface/slow", "connecting");
        wand_fixture_stop(f);
        msg = wand_call_assert_error(c, WAND_ERROR("ConnectionFailed"));
        g_assert_nonnull(strstr(msg, "shutting down"));
}

static GVariant *
create_with_words(const char *name, guint n)
{
        GVariantBuilder argv, settings;

        g_variant_builder_init(&argv, G_VARIANT_TYPE("as"));
        for (guint k = 0; k < n; k++)
                g_variant_builder_add(&argv, "s", k == 0 ? "/bin/true" : "word");
        g_variant_builder_init(&settings, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&settings, "{sv}", "Device", g_variant_new_string("veth9"));
        g_variant_builder_add(&settings, "{sv}", "ConnectCommand", g_variant_builder_end(&argv));
        return g_variant_new("(sa{sv})", name, &settings);
}

/* Found by robustness-hostile: a ConnectCommand of 20 000 words was
 * accepted and saved in a file larger than wand reads (64 KiB), so after a
 * restart the interface was gone. What is acknowledged must survive. */
static void
test_long_command_survives_restart(WandFixture *f, gconstpointer data)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = NULL;

        wand_fixture_start(f);
        r = wand_call(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                      create_with_words("long", 20000), G_VARIANT_TYPE("(o)"), &error);
        if (error) {
                /* Refusing it is fine, as InvalidArgs. */
                g_autofree char *name = wand_error_name(error);
                g_assert_cmpstr(name, ==, DBUS_ERROR("InvalidArgs"));
                return;
        }
        wand_fixture_restart(f);
        {
                g_autofree char *path = wand_get_interface(f, "long");
                g_assert_cmpstr(path, ==, "/org/wand/Router1/interface/long");
        }
}

/* Found by robustness-hostile under ASan: reading a ConnectCommand array
 * took time quadratic in its length (sd_bus_message_read_strv() grows the
 * list one element at a time), before polkit was even asked, so one local
 * user's call with a few hundred thousand words stalled wand for everyone.
 * Now such a command is refused for its length while it is read, before a
 * word is copied and before polkit is asked. How long that takes is a
 * figure, not an assertion (tests never fail on timing). */
static void
test_huge_command_is_quick(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) c = NULL;
        gint64 start, deadline;
        const char *msg;

        wand_fixture_start(f);
        start = g_get_monotonic_time();
        deadline = start + 120 * G_USEC_PER_SEC;
        c = wand_call_async(f->user, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                            create_with_words("huge", 400000), 0);
        while (!c->done && g_get_monotonic_time() < deadline)
                wand_iterate(10);
        robust_figure("CreateInterface with 400 000 words", "refused after %.2f s",
                      (g_get_monotonic_time() - start) / 1e6);
        msg = wand_call_assert_error(c, DBUS_ERROR("InvalidArgs"));
        g_assert_nonnull(strstr(msg, "longer than a command line may be"));
        wand_fixture_assert_no_polkit(f);
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/regressions/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("create-command-line-break", test_create_command_line_break);
        ADD("device-not-utf8", test_device_not_utf8);
        ADD("number-too-large", test_number_too_large);
        ADD("sigterm-answers-waiters", test_sigterm_answers_waiters);
        ADD("long-command-survives-restart", test_long_command_survives_restart);
        ADD("huge-command-is-quick", test_huge_command_is_quick);
#undef ADD
        return g_test_run();
}
