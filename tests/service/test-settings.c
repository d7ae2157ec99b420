/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-settings: wand's additions for clients that manage settings
 * (Ansible, Cockpit): GetSettings() and UpdateSettings() behind
 * org.wand.Router1.configure, what UpdateSettings() writes and how it
 * applies to a live connection, and InstanceId telling a re-created
 * interface from the one a handle meant. */
#include "wand-test.h"

#include <string.h>

static GVariant *
get_settings(WandFixture *f, GDBusConnection *c)
{
        g_autoptr(GVariant) r = wand_call_ok(c, WAN0, WAND_INTERFACE_IFACE, "GetSettings", NULL,
                                             G_VARIANT_TYPE("(a{sv})"));
        return g_variant_get_child_value(r, 0);
}

static void
update(WandFixture *f, const char *dict)
{
        g_autoptr(GVariant) r = wand_call_ok(f->root, WAN0, WAND_INTERFACE_IFACE, "UpdateSettings",
                                             g_variant_new_parsed(dict), NULL);
}

static void
test_get_settings(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) s = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;
        g_autoptr(WandCall) call = NULL;
        const char *device = NULL;
        gboolean persistent = FALSE, enabled = FALSE;
        guint32 timeout = 0, attempts = 0;
        g_autofree const char **argv = NULL;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0",
                                     "ConnectCommand=/usr/sbin/pppd call 'isp one'\nPersistent=yes\n"
                                     "ConnectTimeoutSec=7\n");
        wand_fixture_start(f);

        s = get_settings(f, f->root);
        g_assert_true(g_variant_lookup(s, "Device", "&s", &device));
        g_assert_cmpstr(device, ==, "veth0");
        g_assert_true(g_variant_lookup(s, "ConnectCommand", "^a&s", &argv));
        g_assert_cmpuint(g_strv_length((char **) argv), ==, 3);
        g_assert_cmpstr(argv[2], ==, "isp one");
        g_assert_true(g_variant_lookup(s, "Persistent", "b", &persistent));
        g_assert_true(persistent);
        g_assert_true(g_variant_lookup(s, "Enabled", "b", &enabled));
        g_assert_true(enabled);
        g_assert_true(g_variant_lookup(s, "ConnectTimeoutSec", "u", &timeout));
        g_assert_cmpuint(timeout, ==, 7);
        g_assert_true(g_variant_lookup(s, "RedialAttempts", "u", &attempts));
        g_assert_cmpuint(attempts, ==, 10);
        g_assert_cmpuint(g_variant_n_children(s), ==, 11);

        /* A command line may hold a secret: not for everyone. */
        call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "GetSettings", NULL, 0);
        check = wand_fixture_expect_check(f, "org.wand.Router1.configure", f->user, "wan0", "veth0", 0);
        wand_polkit_reply(check, FALSE, FALSE);
        wand_call_assert_error(call, DBUS_ERROR("AccessDenied"));
}

static void
test_update_writes_only_its_keys(WandFixture *f, gconstpointer data)
{
        g_autofree char *before = NULL, *after = NULL, *expected = NULL;
        g_autoptr(GVariant) s = NULL;
        guint32 timeout = 0;
        gboolean persistent = FALSE;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface_file(f, "wan0",
                                          "# the uplink\n[Interface]\nDevice=veth0\n; keep me\nPersistent=no\n");
        wand_fixture_start(f);
        before = wand_fixture_read_interface_file(f, "wan0");

        update(f, "({'Persistent': <true>, 'ConnectTimeoutSec': <uint32 7>},)");
        after = wand_fixture_read_interface_file(f, "wan0");
        expected = g_strdup("# the uplink\n[Interface]\nDevice=veth0\n; keep me\nPersistent=yes\n"
                            "ConnectTimeoutSec=7\n");
        g_assert_cmpstr(after, ==, expected);
        g_assert_true(wand_get_bool(f, WAN0, "Persistent"));
        s = get_settings(f, f->root);
        g_assert_true(g_variant_lookup(s, "ConnectTimeoutSec", "u", &timeout));
        g_assert_cmpuint(timeout, ==, 7);
        g_assert_true(g_variant_lookup(s, "Persistent", "b", &persistent));
        g_assert_true(persistent);

        /* The same again changes nothing, not even the file. */
        update(f, "({'Persistent': <true>},)");
        g_free(before);
        before = wand_fixture_read_interface_file(f, "wan0");
        g_assert_cmpstr(before, ==, expected);
}

static void
test_update_invalid_changes_nothing(WandFixture *f, gconstpointer data)
{
        g_autofree char *before = NULL, *after = NULL, *msg = NULL;

        wand_fixture_start_wan0(f, NULL);
        before = wand_fixture_read_interface_file(f, "wan0");

        msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "UpdateSettings",
                              g_variant_new_parsed("({'Persistant': <true>},)"), DBUS_ERROR("InvalidArgs"));
        g_assert_nonnull(strstr(msg, "Persistant"));
        g_free(msg);
        msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "UpdateSettings",
                              g_variant_new_parsed("({'ConnectTimeoutSec': <'7'>},)"), DBUS_ERROR("InvalidArgs"));
        g_assert_nonnull(strstr(msg, "ConnectTimeoutSec"));
        g_free(msg);
        msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "UpdateSettings",
                              g_variant_new_parsed("({'Device': <'no/slash'>},)"), DBUS_ERROR("InvalidArgs"));
        g_free(msg);
        /* Arguments before authorization: polkit is not asked. */
        msg = wand_call_error(f->user, WAN0, WAND_INTERFACE_IFACE, "UpdateSettings",
                              g_variant_new_parsed("({'Bogus': <1>},)"), DBUS_ERROR("InvalidArgs"));
        wand_fixture_assert_no_polkit(f);

        after = wand_fixture_read_interface_file(f, "wan0");
        g_assert_cmpstr(after, ==, before);
}

/* A changed Device on a connected interface: the old link is taken down,
 * the call replies once that is done, and the interface comes back on the
 * new one (nobody waits for that: State shows it). */
static void
test_update_device_reconnects(WandFixture *f, gconstpointer data)
{
        wand_fixture_add_veth(f, "veth1");
        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        g_assert_true(wand_link("veth0").up);

        update(f, "({'Device': <'veth1'>},)");
        g_assert_false(wand_link("veth0").up);
        wand_wait_state(f, WAN0, "connected");
        g_assert_true(wand_link("veth1").up);
        g_assert_cmpint(wand_get_ifindex(f, WAN0), ==, wand_link("veth1").ifindex);
}

/* Disabling a connected interface: down first, then disabled. */
static void
test_update_disable_connected(WandFixture *f, gconstpointer data)
{
        static const char *const disabled[] = { "disabled", NULL };

        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        update(f, "({'Enabled': <false>},)");
        g_assert_false(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "unreachable");
        wand_assert_reasons(f, WAN0, disabled);
        g_assert_false(wand_get_bool(f, WAN0, "Enabled"));
}

static guint64
instance_id(WandFixture *f, const char *path)
{
        g_autoptr(GVariant) v = wand_get_property(f, path, WAND_INTERFACE_IFACE, "InstanceId");
        return g_variant_get_uint64(v);
}

/* Issue 22: InstanceId below 2^53 (JSON and JavaScript hold it exactly; it
 * was a random 32-bit value shifted left by 32, near 2^63), and never the
 * same within a boot, across restarts too: a later wand's ids are above an
 * earlier one's. */
static void
test_instance_id(WandFixture *f, gconstpointer data)
{
        guint64 first, second, third;

        wand_fixture_start_wan0(f, NULL);
        first = instance_id(f, WAN0);
        g_assert_cmpuint(first, <, G_GUINT64_CONSTANT(1) << 53);
        g_assert_cmpuint(first & 0xffff, ==, 1);

        wand_iface_ok(f, WAN0, "Delete", NULL);
        g_variant_unref(wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                                     g_variant_new_parsed("('wan0', {'Device': <'veth0'>})"), G_VARIANT_TYPE("(o)")));
        second = instance_id(f, WAN0);
        g_assert_cmpuint(second, ==, first + 1);

        wand_fixture_restart(f);
        third = instance_id(f, WAN0);
        g_assert_cmpuint(third >> 16, >, second >> 16);
        g_assert_cmpuint(third, <, G_GUINT64_CONSTANT(1) << 53);
}

/* Issue 22: Device and Persistent announce their changes with their values
 * (they were EmitsChangedSignal=false), by UpdateSettings() and Reload. */
static void
test_device_persistent_announced(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        wand_fixture_clear_signals(f);
        update(f, "({'Device': <'veth9'>, 'Persistent': <true>},)");
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "Device", g_variant_new_string("veth9"));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "Persistent", g_variant_new_boolean(TRUE));

        wand_fixture_clear_signals(f);
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        wand_manager_ok(f, "Reload");
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "Device", g_variant_new_string("veth0"));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "Persistent", g_variant_new_boolean(FALSE));
}

/* Issue 22: LastErrorReason on the bus: set with LastError when an attempt
 * fails, announced, and cleared with it by a connection. */
static void
test_last_error_reason(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL;
        g_autofree char *reason = NULL;

        wand_fixture_start_wan0(f, "ConnectTimeoutSec=1\n");
        reason = wand_get_string(f, WAN0, WAND_INTERFACE_IFACE, "LastErrorReason");
        g_assert_cmpstr(reason, ==, "");
        wand_ip("link set veth0-p down");
        wand_fixture_clear_signals(f);
        call = wand_call_async(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_call_assert_error(call, WAND_ERROR("ConnectionFailed"));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "LastErrorReason",
                                          g_variant_new_string("no-carrier"));
        g_clear_pointer(&reason, g_free);
        reason = wand_get_string(f, WAN0, WAND_INTERFACE_IFACE, "LastErrorReason");
        g_assert_cmpstr(reason, ==, "no-carrier");

        wand_ip("link set veth0-p up");
        wand_fixture_clear_signals(f);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "LastErrorReason", g_variant_new_string(""));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "LastError", g_variant_new_string(""));
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/settings/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("get", test_get_settings);
        ADD("update/writes-only-its-keys", test_update_writes_only_its_keys);
        ADD("update/invalid-changes-nothing", test_update_invalid_changes_nothing);
        ADD("update/device-reconnects", test_update_device_reconnects);
        ADD("update/disable-connected", test_update_disable_connected);
        ADD("instance-id", test_instance_id);
        ADD("announced/device-persistent", test_device_persistent_announced);
        ADD("announced/last-error-reason", test_last_error_reason);
        return g_test_run();
}
