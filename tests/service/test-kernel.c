/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-kernel: a device-only interface mirrors the kernel whoever changes
 * the link; devices come and go (and bridge ports leaving a bridge do not);
 * disabling, stopping the demand-dial manager, cancelled and failed
 * attempts, and LastError. */
#include "wand-test.h"

#include <string.h>

#include <glib/gstdio.h>

#define WAN1 "/org/wand/Router1/interface/wan1"

static void
assert_last_error(WandFixture *f, const char *path, const char *expected)
{
        g_autofree char *e = wand_get_string(f, path, WAND_INTERFACE_IFACE, "LastError");

        g_assert_cmpstr(e, ==, expected);
}

static void
test_external_up_down(WandFixture *f, gconstpointer data)
{
        WandLink link;

        wand_fixture_start_wan0(f, NULL);
        wand_fixture_clear_signals(f);

        /* Someone else sets it up: connected all the same. */
        wand_ip("link set veth0 up");
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                          g_variant_new_string("connected"));
        wand_wait_state(f, WAN0, "connected");
        g_assert_cmpuint(wand_get_connected_since(f, WAN0), >, 0);
        link = wand_link("veth0");
        g_assert_cmpint(wand_get_ifindex(f, WAN0), ==, link.ifindex);

        /* … and down. */
        wand_fixture_clear_signals(f);
        wand_ip("link set veth0 down");
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                          g_variant_new_string("disconnected"));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "ConnectedSince",
                                          g_variant_new_uint64(0));
        wand_wait_state(f, WAN0, "disconnected");

        /* Up without carrier is connecting; carrier makes it connected. */
        wand_ip("link set veth0-p down");
        wand_ip("link set veth0 up");
        wand_wait_state(f, WAN0, "connecting");
        wand_ip("link set veth0-p up");
        wand_wait_state(f, WAN0, "connected");
        /* Losing carrier while up: connecting again. */
        wand_ip("link set veth0-p down");
        wand_wait_state(f, WAN0, "connecting");
        g_assert_cmpuint(wand_get_connected_since(f, WAN0), ==, 0);
}

static void
test_device_removed_and_added(WandFixture *f, gconstpointer data)
{
        int old_index, new_index;
        g_autofree char *state = NULL;

        wand_fixture_start_wan0(f, NULL);
        old_index = wand_get_ifindex(f, WAN0);
        g_assert_cmpint(old_index, ==, wand_link("veth0").ifindex);

        wand_fixture_clear_signals(f);
        wand_ip("link del veth0");
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                          g_variant_new_string("unreachable"));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "IfIndex",
                                          g_variant_new_int32(0));
        {
                const char *no_device[] = { "no-device", NULL };
                wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE,
                                                  "UnreachabilityReasons",
                                                  g_variant_new_strv(no_device, -1));
        }
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "unreachable");
        wand_assert_reasons(f, WAN0, (const char *[]){ "no-device", NULL });
        g_assert_cmpint(wand_get_ifindex(f, WAN0), ==, 0);

        wand_fixture_clear_signals(f);
        wand_fixture_add_veth(f, "veth0");
        new_index = wand_link("veth0").ifindex;
        g_assert_cmpint(new_index, !=, old_index);
        wand_wait_state(f, WAN0, "disconnected");
        g_assert_cmpint(wand_get_ifindex(f, WAN0), ==, new_index);
        wand_assert_reasons(f, WAN0, (const char *[]){ NULL });
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "IfIndex",
                                          g_variant_new_int32(new_index));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "UnreachabilityReasons",
                                          g_variant_new_strv(NULL, 0));

        /* and it works */
        wand_iface_ok(f, WAN0, "Connect", NULL);
        g_assert_true(wand_link("veth0").up);
}

static void
test_device_removed_while_connected(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_ip("link del veth0");
        wand_wait_state(f, WAN0, "unreachable");
        g_assert_cmpuint(wand_get_connected_since(f, WAN0), ==, 0);
        g_assert_cmpint(wand_get_ifindex(f, WAN0), ==, 0);
        wand_assert_reasons(f, WAN0, (const char *[]){ "no-device", NULL });
}

static gboolean
file_says_enabled(WandFixture *f, const char *name, gboolean *value)
{
        g_autofree char *contents = wand_fixture_read_interface_file(f, name);
        g_auto(GStrv) lines = NULL;
        gboolean found = FALSE;

        g_assert_nonnull(contents);
        lines = g_strsplit(contents, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_autofree char *line = g_strstrip(g_strdup(*l));
                char *eq;
                if (!g_str_has_prefix(line, "Enabled"))
                        continue;
                eq = strchr(line, '=');
                g_assert_nonnull(eq);
                g_strstrip(++eq);
                found = TRUE;
                if (g_strv_contains((const char *[]){ "yes", "true", "1", NULL }, eq))
                        *value = TRUE;
                else if (g_strv_contains((const char *[]){ "no", "false", "0", NULL }, eq))
                        *value = FALSE;
                else
                        g_error("Enabled=%s is no boolean of the contract", eq);
        }
        return found;
}

/* Whether wand announced any new value of prop on path. */
static gboolean
has_any_property_change(WandFixture *f, const char *path, const char *prop)
{
        for (guint k = 0; k < f->signals->len; k++) {
                WandSignal *s = g_ptr_array_index(f->signals, k);
                g_autoptr(GVariant) changed = NULL;
                g_autoptr(GVariant) v = NULL;

                if (strcmp(s->member, "PropertiesChanged") != 0 || strcmp(s->path, path) != 0)
                        continue;
                g_variant_get(s->params, "(&s@a{sv}@as)", NULL, &changed, NULL);
                v = g_variant_lookup_value(changed, prop, NULL);
                if (v) {
                        g_autofree char *printed = g_variant_print(v, TRUE);
                        g_test_message("%s: %s changed to %s", path, prop, printed);
                        return TRUE;
                }
        }
        return FALSE;
}

/* An interface (device-only, or with a dialer when command is set) over
 * veth0, a bridge port that leaves its bridge: the kernel sends an AF_BRIDGE
 * RTM_DELLINK for the port, which is gone from the bridge, not from the
 * system. Nothing about the interface may change. */
static void
check_bridge_port_released(WandFixture *f, const char *command)
{
        g_autofree char *extra = command ? g_strdup_printf("ConnectCommand=%s\n", command) : NULL;
        int ifindex;

        /* wan1 is the marker that tells when wand has read what came
         * before. */
        wand_ip("link add wbr0 type bridge");
        wand_fixture_add_veth(f, "veth0");
        wand_fixture_add_veth(f, "veth1");
        wand_ip("link set veth0 master wbr0");
        wand_fixture_write_interface(f, "wan0", "veth0", extra);
        wand_fixture_write_interface(f, "wan1", "veth1", NULL);
        wand_fixture_start(f);
        if (command)
                wand_ip("link set veth0 up"); /* as the dialer would */
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_assert_state(f, WAN0, "connected");
        ifindex = wand_get_ifindex(f, WAN0);
        g_assert_cmpint(ifindex, ==, wand_link("veth0").ifindex);

        wand_fixture_clear_signals(f);
        wand_ip("link set veth0 nomaster");
        wand_ip("link set veth1 up");
        wand_fixture_wait_property_change(f, WAN1, WAND_INTERFACE_IFACE, "State",
                                          g_variant_new_string("connected"));

        g_assert_false(has_any_property_change(f, WAN0, "State"));
        g_assert_false(has_any_property_change(f, WAN0, "IfIndex"));
        wand_assert_state(f, WAN0, "connected");
        g_assert_cmpint(wand_get_ifindex(f, WAN0), ==, ifindex);

        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        wand_ip("link del wbr0");
}

static void
test_bridge_port_released(WandFixture *f, gconstpointer data)
{
        check_bridge_port_released(f, NULL);
}

static void
test_bridge_port_released_dialer(WandFixture *f, gconstpointer data)
{
        /* The dialer was killed: its link had "gone away". */
        check_bridge_port_released(f, "/bin/sleep 1000");
}

static void
test_set_enabled(WandFixture *f, gconstpointer data)
{
        gboolean enabled = TRUE;
        g_autofree char *state = NULL;

        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_fixture_clear_signals(f);

        wand_iface_ok(f, WAN0, "SetEnabled", g_variant_new("(b)", FALSE));
        /* Disconnected first, then unreachable for being disabled. */
        g_assert_false(wand_link("veth0").up);
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "unreachable");
        wand_assert_reasons(f, WAN0, (const char *[]){ "disabled", NULL });
        g_assert_false(wand_get_bool(f, WAN0, "Enabled"));
        g_assert_cmpuint(wand_get_connected_since(f, WAN0), ==, 0);
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "Enabled",
                                          g_variant_new_boolean(FALSE));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                          g_variant_new_string("unreachable"));
        g_assert_true(file_says_enabled(f, "wan0", &enabled));
        g_assert_false(enabled);

        /* Someone setting the device up does not make it connected. */
        wand_ip("link set veth0 up");
        wand_iterate(300);
        g_clear_pointer(&state, g_free);
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "unreachable");
        wand_ip("link set veth0 down");

        /* Persisted. */
        wand_fixture_restart(f);
        g_assert_false(wand_get_bool(f, WAN0, "Enabled"));
        wand_assert_reasons(f, WAN0, (const char *[]){ "disabled", NULL });

        wand_fixture_clear_signals(f);
        wand_iface_ok(f, WAN0, "SetEnabled", g_variant_new("(b)", TRUE));
        g_assert_true(wand_get_bool(f, WAN0, "Enabled"));
        wand_wait_state(f, WAN0, "disconnected");
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "Enabled",
                                          g_variant_new_boolean(TRUE));
        enabled = FALSE;
        if (file_says_enabled(f, "wan0", &enabled))
                g_assert_true(enabled);
        /* Setting the same value again is no error. */
        wand_iface_ok(f, WAN0, "SetEnabled", g_variant_new("(b)", TRUE));
        wand_iface_ok(f, WAN0, "Connect", NULL);
}

static void
test_stop_demand_dial_manager(WandFixture *f, gconstpointer data)
{
        const char *stopped[] = { "service-stopped", NULL };
        g_autofree char *ddm = NULL;

        wand_fixture_add_veth(f, "veth1");
        wand_fixture_write_interface(f, "wan1", "veth1", NULL);
        wand_fixture_add_veth(f, "veth2");
        wand_fixture_write_interface(f, "wan2", "veth2", NULL);
        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_iface_ok(f, WAN1, "Connect", NULL);
        /* wan2 is connecting (no carrier) when the manager stops */
        wand_ip("link set veth2-p down");
        {
                g_autoptr(WandCall) pending = wand_call_async(f->root,
                                                              "/org/wand/Router1/interface/wan2",
                                                              WAND_INTERFACE_IFACE, "Connect",
                                                              NULL, 0);
                wand_wait_state(f, "/org/wand/Router1/interface/wan2", "connecting");
                wand_fixture_clear_signals(f);
                wand_manager_ok(f, "StopDemandDialManager");
                wand_call_assert_error(pending, WAND_ERROR("ConnectionFailed"));
        }

        /* When it replies, every link is down and every interface is
         * unreachable for that reason. */
        g_assert_false(wand_link("veth0").up);
        g_assert_false(wand_link("veth1").up);
        g_assert_false(wand_link("veth2").up);
        for (const char *const *p = (const char *[]){ WAN0, WAN1, "/org/wand/Router1/interface/wan2",
                                                      NULL }; *p; p++) {
                g_autofree char *state = wand_get_state(f, *p);
                g_assert_cmpstr(state, ==, "unreachable");
                wand_assert_reasons(f, *p, stopped);
                g_assert_cmpuint(wand_get_connected_since(f, *p), ==, 0);
                wand_fixture_wait_property_change(f, *p, WAND_INTERFACE_IFACE, "State",
                                                  g_variant_new_string("unreachable"));
        }
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "stopped");
        wand_fixture_wait_property_change(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                          "DemandDialManager", g_variant_new_string("stopped"));

        /* While stopped, a device set up by someone else stays unreachable. */
        wand_ip("link set veth0 up");
        wand_iterate(300);
        {
                g_autofree char *state = wand_get_state(f, WAN0);
                g_assert_cmpstr(state, ==, "unreachable");
        }
        wand_ip("link set veth0 down");

        wand_fixture_clear_signals(f);
        wand_manager_ok(f, "StartDemandDialManager");
        g_clear_pointer(&ddm, g_free);
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "running");
        wand_fixture_wait_property_change(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                          "DemandDialManager", g_variant_new_string("running"));
        wand_wait_state(f, WAN0, "disconnected");
        wand_wait_state(f, WAN1, "disconnected");
        wand_assert_reasons(f, WAN0, (const char *[]){ NULL });
        wand_iface_ok(f, WAN0, "Connect", NULL);
}

/* A dialer that, told to hang up (SIGTERM, however often, to the process or
 * its group), leaves a mark and hangs up only once its partner has been
 * told too: "term-NAME", then "done-NAME" once "term-OTHER" exists. Stopped
 * one after the other, the first would wait for the second until wand
 * killed it (DisconnectTimeoutSec), and never write "done". */
static char *
write_partner_dialer(WandFixture *f)
{
        g_autoptr(GError) error = NULL;
        char *path = g_build_filename(f->config_dir, "partner-dialer", NULL);

        g_file_set_contents(path,
                            "#!/bin/sh\n"
                            "# partner-dialer DIR NAME OTHER\n"
                            "hang_up() {\n"
                            "        trap '' TERM\n"
                            "        kill $! 2>/dev/null\n"
                            "        touch \"$1/term-$2\"\n"
                            "        while [ ! -e \"$1/term-$3\" ]; do sleep 0.05; done\n"
                            "        touch \"$1/done-$2\"\n"
                            "        exit 0\n"
                            "}\n"
                            "trap 'hang_up \"$1\" \"$2\" \"$3\"' TERM\n"
                            "sleep 600 &\n"
                            "wait\n",
                            -1, &error);
        g_assert_no_error(error);
        g_assert_cmpint(g_chmod(path, 0755), ==, 0);
        return path;
}

static void
test_stop_in_parallel(WandFixture *f, gconstpointer data)
{
        /* Two such dialers: Stop tells both at once and replies once both
         * have hung up. */
        g_autofree char *script = write_partner_dialer(f);
        g_autofree char *d0 = g_strdup_printf("ConnectCommand=%s %s d0 d1\nDisconnectTimeoutSec=5\n", script,
                                              f->config_dir);
        g_autofree char *d1 = g_strdup_printf("ConnectCommand=%s %s d1 d0\nDisconnectTimeoutSec=5\n", script,
                                              f->config_dir);

        wand_fixture_add_veth(f, "dial0");
        wand_fixture_add_veth(f, "dial1");
        wand_fixture_write_interface(f, "d0", "dial0", d0);
        wand_fixture_write_interface(f, "d1", "dial1", d1);
        wand_fixture_start(f);
        /* The dialer "brings up" the device; here it is already there, so
         * bring the link up alongside to give the connection its carrier. */
        {
                g_autoptr(WandCall) c0 = wand_call_async(f->root, "/org/wand/Router1/interface/d0",
                                                         WAND_INTERFACE_IFACE, "Connect", NULL, 0);
                g_autoptr(WandCall) c1 = wand_call_async(f->root, "/org/wand/Router1/interface/d1",
                                                         WAND_INTERFACE_IFACE, "Connect", NULL, 0);
                wand_iterate(300);
                wand_ip("link set dial0 up");
                wand_ip("link set dial1 up");
                wand_call_assert_ok(c0);
                wand_call_assert_ok(c1);
        }
        wand_manager_ok(f, "StopDemandDialManager");
        /* Both were told before either hung up, and both hung up by
         * themselves (killed, one would have no "done"). */
        for (const char *const *name = (const char *[]){ "d0", "d1", NULL }; *name; name++) {
                g_autofree char *term = g_strdup_printf("%s/term-%s", f->config_dir, *name);
                g_autofree char *done = g_strdup_printf("%s/done-%s", f->config_dir, *name);
                g_assert_true(g_file_test(term, G_FILE_TEST_EXISTS));
                g_assert_true(g_file_test(done, G_FILE_TEST_EXISTS));
        }
        /* It replied once both were down, not while they were going. */
        for (const char *const *p = (const char *[]){ "/org/wand/Router1/interface/d0",
                                                      "/org/wand/Router1/interface/d1", NULL };
             *p; p++) {
                g_autofree char *state = wand_get_state(f, *p);
                g_assert_cmpstr(state, ==, "unreachable");
                wand_assert_reasons(f, *p, (const char *[]){ "service-stopped", NULL });
        }
}

static void
test_up_before_start(WandFixture *f, gconstpointer data)
{
        g_autofree char *state = NULL;
        int ifindex;

        /* Already up with carrier when wand starts (as after a restart):
         * connected. */
        wand_fixture_add_veth(f, "veth0");
        wand_ip("link set veth0 up");
        wand_wait_until(wand_link("veth0").lower_up, "carrier on veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        wand_fixture_start(f);
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "connected");
        g_assert_cmpuint(wand_get_connected_since(f, WAN0), >, 0);
        ifindex = wand_get_ifindex(f, WAN0);
        g_assert_cmpint(ifindex, ==, wand_link("veth0").ifindex);
        g_free(wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL,
                               WAND_ERROR("AlreadyConnected")));

        /* and across a restart of the service */
        wand_fixture_stop(f);
        wand_ip("link set veth0 up");
        wand_fixture_start(f);
        g_clear_pointer(&state, g_free);
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "connected");
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        g_assert_false(wand_link("veth0").up);
}

static void
test_disconnect_cancels_connect(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) connect = NULL;
        g_autoptr(WandCall) joined = NULL;
        const char *message;
        g_autofree char *lower = NULL;

        wand_fixture_start_wan0(f, "ConnectTimeoutSec=30\n");
        wand_ip("link set veth0-p down");
        connect = wand_call_async(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_wait_state(f, WAN0, "connecting");
        joined = wand_call_async(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_iterate(200);

        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        message = wand_call_assert_error(connect, WAND_ERROR("ConnectionFailed"));
        lower = g_ascii_strdown(message, -1);
        if (!strstr(lower, "cancel"))
                g_error("the cancelled Connect's message does not say it was cancelled: %s", message);
        wand_call_assert_error(joined, WAND_ERROR("ConnectionFailed"));

        g_assert_false(wand_link("veth0").up);
        wand_wait_state(f, WAN0, "disconnected");
        /* A cancellation is no failure. */
        assert_last_error(f, WAN0, "");
}

static void
test_connect_timeout(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) connect = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = NULL;
        gint64 start, took;
        g_autofree char *state = NULL;

        wand_fixture_start_wan0(f, "ConnectTimeoutSec=1\n");
        wand_ip("link set veth0-p down");
        wand_fixture_clear_signals(f);
        start = g_get_monotonic_time();
        connect = wand_call_async(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_call_assert_error(connect, WAND_ERROR("ConnectionFailed"));
        took = g_get_monotonic_time() - start;
        g_assert_cmpint(took, >=, 900 * 1000);
        g_assert_cmpint(took, <, 5000 * 1000);

        assert_last_error(f, WAN0, WAND_ERROR("ConnectionFailed"));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "LastError",
                                          g_variant_new_string(WAND_ERROR("ConnectionFailed")));
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, !=, "connected");

        /* A later connection clears LastError. (Whether the failed attempt
         * left the device up is the daemon's business; once carrier comes
         * the interface is connected one way or the other.) */
        wand_fixture_clear_signals(f);
        wand_ip("link set veth0-p up");
        r = wand_call(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, NULL, &error);
        if (error) {
                g_autofree char *name = wand_error_name(error);
                g_assert_cmpstr(name, ==, WAND_ERROR("AlreadyConnected"));
        }
        wand_wait_state(f, WAN0, "connected");
        assert_last_error(f, WAN0, "");
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "LastError",
                                          g_variant_new_string(""));
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/kernel/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("external-up-down", test_external_up_down);
        ADD("device-removed-and-added", test_device_removed_and_added);
        ADD("device-removed-while-connected", test_device_removed_while_connected);
        ADD("bridge-port-released", test_bridge_port_released);
        ADD("bridge-port-released-dialer", test_bridge_port_released_dialer);
        ADD("set-enabled", test_set_enabled);
        ADD("stop-demand-dial-manager", test_stop_demand_dial_manager);
        ADD("stop-in-parallel", test_stop_in_parallel);
        ADD("up-before-start", test_up_before_start);
        ADD("disconnect-cancels-connect", test_disconnect_cancels_connect);
        ADD("connect-timeout", test_connect_timeout);
#undef ADD
        return g_test_run();
}
