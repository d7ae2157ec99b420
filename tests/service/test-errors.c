/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-errors: every row of the contract's error table, and the order of
 * checks (handle and arguments before authorization). */
#include "wand-test.h"

#include <string.h>


/* Every member and property access on a path that names no interface, by
 * root and by an unprivileged caller (who must not get as far as polkit). */
static void
assert_invalid_handle(WandFixture *f, const char *path)
{
        GDBusConnection *callers[] = { f->root, f->user };

        for (gsize i = 0; i < G_N_ELEMENTS(callers); i++) {
                GDBusConnection *c = callers[i];

                g_test_message("InvalidHandle on %s as %s", path, i ? "uid 65534" : "root");
                wand_assert_error(c, path, WAND_INTERFACE_IFACE, "Connect", NULL, WAND_ERROR("InvalidHandle"));
                wand_assert_error(c, path, WAND_INTERFACE_IFACE, "Disconnect", NULL, WAND_ERROR("InvalidHandle"));
                wand_assert_error(c, path, WAND_INTERFACE_IFACE, "SetEnabled", g_variant_new("(b)", FALSE),
                         WAND_ERROR("InvalidHandle"));
                wand_assert_error(c, path, WAND_INTERFACE_IFACE, "Delete", NULL, WAND_ERROR("InvalidHandle"));
                wand_assert_error(c, path, "org.freedesktop.DBus.Properties", "Get",
                         g_variant_new("(ss)", WAND_INTERFACE_IFACE, "State"),
                         WAND_ERROR("InvalidHandle"));
                wand_assert_error(c, path, "org.freedesktop.DBus.Properties", "GetAll",
                         g_variant_new("(s)", WAND_INTERFACE_IFACE), WAND_ERROR("InvalidHandle"));
                wand_assert_error(c, path, "org.freedesktop.DBus.Properties", "Get",
                         g_variant_new("(ss)", WAND_INTERFACE_IFACE, "Name"),
                         WAND_ERROR("InvalidHandle"));
                /* Even the members sd-bus answers for every path itself. */
                wand_assert_error(c, path, "org.freedesktop.DBus.Peer", "Ping", NULL, WAND_ERROR("InvalidHandle"));
                wand_assert_error(c, path, "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
                         WAND_ERROR("InvalidHandle"));
        }
        wand_fixture_assert_no_polkit(f);
}

static void
test_invalid_handle_unknown(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        assert_invalid_handle(f, "/org/wand/Router1/interface/nope");
        /* A label that decodes to no valid name, and a path below an
         * interface's. */
        assert_invalid_handle(f, "/org/wand/Router1/interface/_2dx");
        assert_invalid_handle(f, WAN0 "/x");
}

static void
test_invalid_handle_deleted(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        wand_fixture_clear_signals(f);
        wand_iface_ok(f, WAN0, "Delete", NULL);
        wand_fixture_wait_interfaces_removed(f, WAN0);
        assert_invalid_handle(f, WAN0);
        wand_assert_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                 g_variant_new("(s)", "wan0"), WAND_ERROR("NoSuchInterface"));
}

/* Peer still works on the objects that exist, and on the prefix itself. */
static void
test_peer_on_valid_paths(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        g_variant_unref(wand_call_ok(f->root, WAN0, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL));
        g_variant_unref(wand_call_ok(f->root, WAND_MANAGER_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL));
        g_variant_unref(wand_call_ok(f->root, "/org/wand/Router1/interface", "org.freedesktop.DBus.Peer", "Ping",
                                     NULL, NULL));
}

static void
test_no_such_interface(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        wand_assert_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                 g_variant_new("(s)", "wan1"), WAND_ERROR("NoSuchInterface"));
        /* Names are case-sensitive. */
        wand_assert_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                 g_variant_new("(s)", "WAN0"), WAND_ERROR("NoSuchInterface"));
}

static void
test_interface_not_connected(WandFixture *f, gconstpointer data)
{
        wand_fixture_write_interface(f, "gone", "nodev0", NULL);
        wand_fixture_start_wan0(f, NULL);
        wand_assert_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL,
                 WAND_ERROR("InterfaceNotConnected"));
        /* unreachable counts as not connected too */
        wand_assert_error(f->root, "/org/wand/Router1/interface/gone", WAND_INTERFACE_IFACE, "Disconnect",
                 NULL, WAND_ERROR("InterfaceNotConnected"));
}

static void
test_interface_already_exists(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        wand_assert_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                 g_variant_new_parsed("('wan0', {'Device': <'veth0'>})"),
                 WAND_ERROR("InterfaceAlreadyExists"));
}

static void
test_interface_connected_on_delete(WandFixture *f, gconstpointer data)
{
        g_autofree char *file = NULL, *state = NULL;
        g_autoptr(WandCall) connect = NULL;

        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_assert_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Delete", NULL,
                 WAND_ERROR("InterfaceConnected"));
        file = wand_fixture_read_interface_file(f, "wan0");
        g_assert_nonnull(file);
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "connected");

        /* connecting is not deletable either */
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        wand_ip("link set veth0-p down");
        connect = wand_call_async(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_wait_state(f, WAN0, "connecting");
        wand_assert_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Delete", NULL,
                 WAND_ERROR("InterfaceConnected"));
        wand_ip("link set veth0-p up");
        wand_call_assert_ok(connect);

        /* disconnected and unreachable ones are */
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        wand_iface_ok(f, WAN0, "Delete", NULL);
        g_clear_pointer(&file, g_free);
        file = wand_fixture_read_interface_file(f, "wan0");
        g_assert_null(file);
}

static void
test_delete_unreachable(WandFixture *f, gconstpointer data)
{
        g_autofree char *file = NULL;

        wand_fixture_write_interface(f, "gone", "nodev0", NULL);
        wand_fixture_start_wan0(f, "Enabled=no\n");
        wand_iface_ok(f, "/org/wand/Router1/interface/gone", "Delete", NULL);
        wand_iface_ok(f, WAN0, "Delete", NULL);
        file = wand_fixture_read_interface_file(f, "gone");
        g_assert_null(file);
}

static void
test_already_connected(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_assert_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, WAND_ERROR("AlreadyConnected"));
}

static void
test_interface_disabled(WandFixture *f, gconstpointer data)
{
        g_autofree char *state = NULL;

        wand_fixture_start_wan0(f, "Enabled=no\n");
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "unreachable");
        wand_assert_reasons(f, WAN0, (const char *[]){ "disabled", NULL });
        wand_assert_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL,
                 WAND_ERROR("InterfaceDisabled"));
        g_assert_false(wand_link("veth0").up);
        wand_assert_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL,
                 WAND_ERROR("InterfaceNotConnected"));
}

static void
test_disabled_and_missing(WandFixture *f, gconstpointer data)
{
        /* Disabled wins over the missing device: the error says what the
         * administrator can change. */
        wand_fixture_write_interface(f, "off", "nodev0", "Enabled=no\n");
        wand_fixture_start(f);
        wand_assert_reasons(f, "/org/wand/Router1/interface/off",
                            (const char *[]){ "disabled", "no-device", NULL });
        wand_assert_error(f->root, "/org/wand/Router1/interface/off", WAND_INTERFACE_IFACE, "Connect", NULL,
                 WAND_ERROR("InterfaceDisabled"));
}

static void
test_interface_unreachable(WandFixture *f, gconstpointer data)
{
        const char *path = "/org/wand/Router1/interface/gone";
        g_autofree char *state = NULL;

        wand_fixture_write_interface(f, "gone", "nodev0", NULL);
        wand_fixture_start(f);
        state = wand_get_state(f, path);
        g_assert_cmpstr(state, ==, "unreachable");
        wand_assert_reasons(f, path, (const char *[]){ "no-device", NULL });
        g_assert_cmpint(wand_get_ifindex(f, path), ==, 0);
        wand_assert_error(f->root, path, WAND_INTERFACE_IFACE, "Connect", NULL,
                 WAND_ERROR("InterfaceUnreachable"));
}

static void
test_demand_dial_manager_not_running(WandFixture *f, gconstpointer data)
{
        g_autofree char *ddm = NULL;
        g_autoptr(GVariant) r = NULL;

        wand_fixture_start_wan0(f, NULL);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StopDemandDialManager",
                         NULL, G_VARIANT_TYPE_UNIT);
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "stopped");
        wand_assert_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL,
                 WAND_ERROR("DemandDialManagerNotRunning"));
        wand_assert_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL,
                 WAND_ERROR("DemandDialManagerNotRunning"));
        g_assert_false(wand_link("veth0").up);

        /* Stopping again is no error; starting makes Connect work again. */
        g_clear_pointer(&r, g_variant_unref);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StopDemandDialManager",
                         NULL, G_VARIANT_TYPE_UNIT);
        g_clear_pointer(&r, g_variant_unref);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StartDemandDialManager",
                         NULL, G_VARIANT_TYPE_UNIT);
        g_clear_pointer(&r, g_variant_unref);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StartDemandDialManager",
                         NULL, G_VARIANT_TYPE_UNIT);
        wand_iface_ok(f, WAN0, "Connect", NULL);
}

static void
test_invalid_args_signatures(WandFixture *f, gconstpointer data)
{
        const struct {
                const char *path;
                const char *iface;
                const char *method;
                const char *args; /* GVariant text, NULL for no arguments */
        } cases[] = {
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName", "(uint32 1,)" },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName", NULL },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName", "('wan0', 'x')" },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "ListInterfaces", "('x',)" },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface", "('x',)" },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface", "('x', {'Device': 'veth0'})" },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StartDemandDialManager", "(true,)" },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StopDemandDialManager", "(true,)" },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "Reload", "('now',)" },
                { WAN0, WAND_INTERFACE_IFACE, "Connect", "('now',)" },
                { WAN0, WAND_INTERFACE_IFACE, "Disconnect", "(1,)" },
                { WAN0, WAND_INTERFACE_IFACE, "SetEnabled", "('no',)" },
                { WAN0, WAND_INTERFACE_IFACE, "SetEnabled", NULL },
                { WAN0, WAND_INTERFACE_IFACE, "Delete", "(true,)" },
        };
        GDBusConnection *callers[] = { f->root, f->user };

        wand_fixture_start_wan0(f, NULL);
        for (gsize c = 0; c < G_N_ELEMENTS(callers); c++)
                for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                        g_test_message("%s%s", cases[i].method, cases[i].args ? cases[i].args : "()");
                        wand_assert_error(callers[c], cases[i].path, cases[i].iface, cases[i].method,
                                 cases[i].args ? g_variant_new_parsed(cases[i].args) : NULL,
                                 DBUS_ERROR("InvalidArgs"));
                }
        /* Nothing happened, and the unprivileged caller never got to polkit. */
        wand_fixture_assert_no_polkit(f);
        g_assert_false(wand_link("veth0").up);
        g_assert_true(wand_get_bool(f, WAN0, "Enabled"));
}

/* What the kernel refuses is a failure, not a decision of wand's: wand
 * without CAP_NET_ADMIN (setpriv drops it from the bounding set) cannot set
 * veth0 down, and the kernel's EPERM reaches the caller as Failed with a
 * message saying what failed and why, never as polkit's AccessDenied. */
static void
test_failed_kernel_eperm(WandFixture *f, gconstpointer data)
{
        g_autofree char *msg = NULL, *connect_msg = NULL, *state = NULL;

        wand_fixture_add_veth(f, "veth0");
        wand_ip("link set veth0 up");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        f->wand_prefix = "setpriv --bounding-set=-net_admin";
        wand_fixture_start(f);
        wand_wait_state(f, WAN0, "connected");

        msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL, DBUS_ERROR("Failed"));
        g_test_message("Disconnect: %s", msg);
        g_assert_nonnull(strstr(msg, "Could not set device veth0 down: Operation not permitted"));
        g_assert_true(wand_link("veth0").up);
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "connected");

        /* A connection attempt the kernel refuses is the contract's
         * ConnectionFailed, the kernel's reason in its message. */
        wand_ip("link set veth0 down");
        wand_wait_state(f, WAN0, "disconnected");
        connect_msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL,
                                      WAND_ERROR("ConnectionFailed"));
        g_test_message("Connect: %s", connect_msg);
        g_assert_nonnull(strstr(connect_msg, "Operation not permitted"));
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/errors/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("invalid-handle/unknown", test_invalid_handle_unknown);
        ADD("invalid-handle/deleted", test_invalid_handle_deleted);
        ADD("invalid-handle/peer-on-valid-paths", test_peer_on_valid_paths);
        ADD("no-such-interface", test_no_such_interface);
        ADD("interface-not-connected", test_interface_not_connected);
        ADD("interface-already-exists", test_interface_already_exists);
        ADD("interface-connected", test_interface_connected_on_delete);
        ADD("delete-unreachable", test_delete_unreachable);
        ADD("already-connected", test_already_connected);
        ADD("interface-disabled", test_interface_disabled);
        ADD("disabled-and-missing", test_disabled_and_missing);
        ADD("interface-unreachable", test_interface_unreachable);
        ADD("demand-dial-manager-not-running", test_demand_dial_manager_not_running);
        ADD("invalid-args/signatures", test_invalid_args_signatures);
        ADD("failed/kernel-eperm", test_failed_kernel_eperm);
#undef ADD
        return g_test_run();
}
