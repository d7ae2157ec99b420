/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-connect: Connect and Disconnect of a device-only interface by
 * root — the kernel link, State, ConnectedSince, IfIndex and their
 * PropertiesChanged. */
#include "wand-test.h"


static void
test_connect_disconnect(WandFixture *f, gconstpointer data)
{
        g_autofree char *state = NULL, *last_error = NULL;
        g_auto(GStrv) reasons = NULL;
        WandLink link;
        gint64 before, after;
        guint64 since;

        wand_fixture_start_wan0(f, NULL);
        link = wand_link("veth0");
        g_assert_false(link.up);
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "disconnected");
        g_assert_cmpuint(wand_get_connected_since(f, WAN0), ==, 0);
        g_assert_cmpint(wand_get_ifindex(f, WAN0), ==, link.ifindex);
        reasons = wand_get_reasons(f, WAN0);
        g_assert_cmpuint(g_strv_length(reasons), ==, 0);

        wand_fixture_clear_signals(f);
        before = g_get_real_time();
        wand_iface_ok(f, WAN0, "Connect", NULL);
        after = g_get_real_time();

        /* It replied once connected: the kernel agrees already. */
        link = wand_link("veth0");
        g_assert_true(link.up);
        g_assert_true(link.lower_up);
        g_clear_pointer(&state, g_free);
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "connected");
        since = wand_get_connected_since(f, WAN0);
        g_assert_cmpuint(since, >=, (guint64) before - G_USEC_PER_SEC);
        g_assert_cmpuint(since, <=, (guint64) after + G_USEC_PER_SEC);
        g_assert_cmpint(wand_get_ifindex(f, WAN0), ==, link.ifindex);
        last_error = wand_get_string(f, WAN0, WAND_INTERFACE_IFACE, "LastError");
        g_assert_cmpstr(last_error, ==, "");

        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                          g_variant_new_string("connected"));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "ConnectedSince",
                                          g_variant_new_uint64(since));

        wand_fixture_clear_signals(f);
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        link = wand_link("veth0");
        g_assert_false(link.up);
        g_clear_pointer(&state, g_free);
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "disconnected");
        g_assert_cmpuint(wand_get_connected_since(f, WAN0), ==, 0);
        g_assert_cmpint(wand_get_ifindex(f, WAN0), ==, link.ifindex);
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                          g_variant_new_string("disconnected"));
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "ConnectedSince",
                                          g_variant_new_uint64(0));

        /* And again: nothing is left over from the first round. */
        wand_iface_ok(f, WAN0, "Connect", NULL);
        g_assert_true(wand_link("veth0").up);
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        g_assert_false(wand_link("veth0").up);
        wand_fixture_assert_no_polkit(f);
}

static void
test_disconnect_when_disconnected(WandFixture *f, gconstpointer data)
{
        g_autofree char *msg = NULL, *state = NULL;

        wand_fixture_start_wan0(f, NULL);
        msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL,
                              WAND_ERROR("InterfaceNotConnected"));
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "disconnected");
}

static void
test_connect_when_connected(WandFixture *f, gconstpointer data)
{
        g_autofree char *msg = NULL, *state = NULL;
        guint64 since;

        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        since = wand_get_connected_since(f, WAN0);
        msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL,
                              WAND_ERROR("AlreadyConnected"));
        /* The connection was left alone. */
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "connected");
        g_assert_cmpuint(wand_get_connected_since(f, WAN0), ==, since);
        g_assert_true(wand_link("veth0").up);
}

static void
test_connect_joins_attempt(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) first = NULL;
        g_autoptr(WandCall) second = NULL;

        /* No carrier until the peer comes up: the attempt stays pending. */
        wand_fixture_start_wan0(f, NULL);
        wand_ip("link set veth0-p down");
        first = wand_call_async(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_wait_state(f, WAN0, "connecting");
        g_assert_true(wand_link("veth0").up);
        second = wand_call_async(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_iterate(300);
        g_assert_false(first->done);
        g_assert_false(second->done);

        wand_ip("link set veth0-p up");
        wand_call_assert_ok(first);
        wand_call_assert_ok(second);
        wand_wait_state(f, WAN0, "connected");
}

static void
test_state_signals_sequence(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL;

        /* Every State on the way is announced: connecting, then connected. */
        wand_fixture_start_wan0(f, NULL);
        wand_ip("link set veth0-p down");
        wand_fixture_clear_signals(f);
        call = wand_call_async(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                          g_variant_new_string("connecting"));
        g_assert_false(wand_fixture_has_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                                        g_variant_new_string("connected")));
        wand_ip("link set veth0-p up");
        wand_call_assert_ok(call);
        wand_fixture_wait_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                          g_variant_new_string("connected"));
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/connect/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("connect-disconnect", test_connect_disconnect);
        ADD("disconnect-when-disconnected", test_disconnect_when_disconnected);
        ADD("connect-when-connected", test_connect_when_connected);
        ADD("connect-joins-attempt", test_connect_joins_attempt);
        ADD("state-signals", test_state_signals_sequence);
#undef ADD
        return g_test_run();
}
