/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-polkit: how wand asks polkit about unprivileged callers (uid
 * 65534) and acts on each possible answer; root never asks; the check is
 * asynchronous, cancellable, and the state is read again afterwards. */
#include "wand-test.h"

#include <string.h>

#define CONNECT "org.wand.Router1.connect"
#define DISCONNECT "org.wand.Router1.disconnect"
#define CONFIGURE "org.wand.Router1.configure"
#define CONTROL "org.wand.Router1.control"

/* uid 65534 calls method on wan0 (on veth0), and polkit must be asked action
 * about it, with AllowUserInteraction exactly when flags allow interaction.
 * Returns the check, unanswered; *ret_call waits for wand's answer. */
static WandPolkitCheck *
user_asks(WandFixture *f, const char *method, GVariant *params, GDBusCallFlags flags, const char *action,
          WandCall **ret_call)
{
        *ret_call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, method, params, flags);
        return wand_fixture_expect_check(f, action, f->user, "wan0", "veth0",
                                         flags & G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION ? 1 : 0);
}

/* The whole exchange: polkit answers (authorized, challenge), and the call
 * then succeeds (error_name NULL) or fails with error_name. */
static void
user_asks_answered(WandFixture *f, const char *method, GVariant *params, GDBusCallFlags flags, const char *action,
                   gboolean authorized, gboolean challenge, const char *error_name)
{
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = user_asks(f, method, params, flags, action, &call);

        wand_polkit_reply(check, authorized, challenge);
        if (error_name)
                wand_call_assert_error(call, error_name);
        else
                wand_call_assert_ok(call);
}

static void
test_authorized(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;

        wand_fixture_start_wan0(f, NULL);
        check = user_asks(f, "Connect", NULL, 0, CONNECT, &call);
        /* Nothing happens before polkit has said yes. */
        wand_iterate(200);
        g_assert_false(call->done);
        g_assert_false(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "disconnected");

        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_ok(call);
        g_assert_true(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "connected");

        user_asks_answered(f, "Disconnect", NULL, 0, DISCONNECT, TRUE, FALSE, NULL);
        g_assert_false(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "disconnected");
}

static void
test_denied(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        wand_fixture_clear_signals(f);
        user_asks_answered(f, "Connect", NULL, 0, CONNECT, FALSE, FALSE, DBUS_ERROR("AccessDenied"));
        g_assert_false(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "disconnected");
        wand_iterate(100);
        g_assert_false(wand_fixture_has_property_change(f, WAN0, WAND_INTERFACE_IFACE, "State",
                                                        g_variant_new_string("connecting")));
}

static void
test_challenge_without_interaction(WandFixture *f, gconstpointer data)
{
        wand_fixture_start_wan0(f, NULL);
        user_asks_answered(f, "Connect", NULL, 0, CONNECT, FALSE, TRUE,
                           DBUS_ERROR("InteractiveAuthorizationRequired"));
        g_assert_false(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "disconnected");
}

static void
test_interactive(WandFixture *f, gconstpointer data)
{
        /* With the flag, polkit may ask for a password: AllowUserInteraction. */
        wand_fixture_start_wan0(f, NULL);
        /* A challenge even though interaction was allowed: no agent
         * authenticated anyone, so this is a no. */
        user_asks_answered(f, "Connect", NULL, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, CONNECT, FALSE,
                           TRUE, DBUS_ERROR("AccessDenied"));
        g_assert_false(wand_link("veth0").up);

        user_asks_answered(f, "Connect", NULL, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, CONNECT, TRUE,
                           FALSE, NULL);
        wand_assert_state(f, WAN0, "connected");
}

static void
test_polkit_error(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;

        wand_fixture_start_wan0(f, NULL);
        check = user_asks(f, "Connect", NULL, 0, CONNECT, &call);
        wand_polkit_reply_error(check, "org.freedesktop.PolicyKit1.Error.Failed", "it broke");
        wand_call_assert_error(call, DBUS_ERROR("AccessDenied"));
        g_assert_false(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "disconnected");
}

static void
test_polkit_not_on_bus(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandCall) manager = NULL;

        wand_fixture_start_wan0(f, NULL);
        wand_fixture_polkit_leave(f);
        call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_call_assert_error(call, DBUS_ERROR("AccessDenied"));
        manager = wand_call_async(f->user, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                  "StopDemandDialManager", NULL, 0);
        wand_call_assert_error(manager, DBUS_ERROR("AccessDenied"));
        g_assert_false(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "disconnected");

        /* root does not need polkit */
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_assert_state(f, WAN0, "connected");
}

static void
test_never_answers(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) pending = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;
        g_autoptr(GVariant) list = NULL;
        g_autofree char *state = NULL;

        wand_fixture_add_veth(f, "veth1");
        wand_fixture_write_interface(f, "wan1", "veth1", NULL);
        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);

        /* uid 65534 waits for polkit (think: a password prompt) … */
        check = user_asks(f, "Disconnect", NULL, 0, DISCONNECT, &pending);

        /* … while everybody else is served. */
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "connected");
        list = wand_call_ok(f->user, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "ListInterfaces", NULL,
                            G_VARIANT_TYPE("(a(sos))"));
        {
                g_autoptr(GVariant) r = wand_call_ok(f->root, "/org/wand/Router1/interface/wan1",
                                                     WAND_INTERFACE_IFACE, "Connect", NULL,
                                                     G_VARIANT_TYPE_UNIT);
        }
        g_assert_true(wand_link("veth1").up);
        g_assert_false(pending->done);
        g_assert_true(wand_link("veth0").up);

        wand_polkit_reply(check, FALSE, FALSE);
        wand_call_assert_error(pending, DBUS_ERROR("AccessDenied"));
        g_assert_true(wand_link("veth0").up);
}

static void
test_two_pending_checks(WandFixture *f, gconstpointer data)
{
        g_autoptr(GDBusConnection) other = wand_fixture_connect_as(f, 65534);
        g_autoptr(WandCall) a = NULL;
        g_autoptr(WandCall) b = NULL;
        g_autoptr(WandPolkitCheck) ca = NULL;
        g_autoptr(WandPolkitCheck) cb = NULL;

        /* Two checks in flight at once, answered in the other order: each
         * answer goes to its own caller. */
        wand_fixture_start_wan0(f, NULL);
        ca = user_asks(f, "Connect", NULL, 0, CONNECT, &a);
        b = wand_call_async(other, WAN0, WAND_INTERFACE_IFACE, "SetEnabled",
                            g_variant_new("(b)", FALSE), 0);
        cb = wand_fixture_expect_check(f, CONFIGURE, other, "wan0", "veth0", 0);
        g_assert_cmpstr(ca->cancellation_id, !=, cb->cancellation_id);

        wand_polkit_reply(cb, FALSE, FALSE);
        wand_call_assert_error(b, DBUS_ERROR("AccessDenied"));
        g_assert_true(wand_get_bool(f, WAN0, "Enabled"));
        g_assert_false(a->done);
        wand_polkit_reply(ca, TRUE, FALSE);
        wand_call_assert_ok(a);
        wand_assert_state(f, WAN0, "connected");
        g_dbus_connection_close_sync(other, NULL, NULL);
}

static void
test_caller_leaves(WandFixture *f, gconstpointer data)
{
        g_autoptr(GDBusConnection) leaver = wand_fixture_connect_as(f, 65534);
        g_autoptr(WandPolkitCheck) check = NULL;
        g_autoptr(GDBusMethodInvocation) cancel = NULL;
        g_autofree char *leaver_name = g_strdup(g_dbus_connection_get_unique_name(leaver));
        GVariant *params;
        const char *id;

        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);

        /* The reply is never read: the connection goes away first. */
        g_dbus_connection_call(leaver, WAND_BUS_NAME, WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL,
                               NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
        check = wand_fixture_expect_check(f, DISCONNECT, leaver, "wan0", "veth0", 0);
        g_dbus_connection_close_sync(leaver, NULL, NULL);

        cancel = wand_fixture_pop_polkit(f);
        g_assert_cmpstr(g_dbus_method_invocation_get_sender(cancel), ==, f->wand_unique_name);
        g_assert_cmpstr(g_dbus_method_invocation_get_method_name(cancel), ==,
                        "CancelCheckAuthorization");
        params = g_dbus_method_invocation_get_parameters(cancel);
        g_variant_get(params, "(&s)", &id);
        g_assert_cmpstr(id, ==, check->cancellation_id);
        g_dbus_method_invocation_return_value(g_steal_pointer(&cancel), NULL);

        /* Even a late yes (polkit races the cancellation) must not act for a
         * caller that is gone. */
        wand_polkit_reply(check, TRUE, FALSE);
        wand_iterate(300);
        g_assert_true(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "connected");
        g_test_message("caller was %s", leaver_name);
}

static void
test_root_never_asks(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) r = NULL;

        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        r = wand_call_ok(f->root, WAN0, WAND_INTERFACE_IFACE, "SetEnabled",
                         g_variant_new("(b)", TRUE), G_VARIANT_TYPE_UNIT);
        g_clear_pointer(&r, g_variant_unref);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                         g_variant_new_parsed("('wan2', {'Device': <'veth2'>})"),
                         G_VARIANT_TYPE("(o)"));
        g_clear_pointer(&r, g_variant_unref);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "Reload", NULL,
                         G_VARIANT_TYPE_UNIT);
        g_clear_pointer(&r, g_variant_unref);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StopDemandDialManager",
                         NULL, G_VARIANT_TYPE_UNIT);
        g_clear_pointer(&r, g_variant_unref);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StartDemandDialManager",
                         NULL, G_VARIANT_TYPE_UNIT);
        g_clear_pointer(&r, g_variant_unref);
        r = wand_call_ok(f->root, "/org/wand/Router1/interface/wan2", WAND_INTERFACE_IFACE,
                         "Delete", NULL, G_VARIANT_TYPE_UNIT);
        wand_fixture_assert_no_polkit(f);
}

static void
test_reads_need_no_polkit(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL, g = NULL;

        wand_fixture_start_wan0(f, NULL);
        a = wand_call_ok(f->user, WAN0, "org.freedesktop.DBus.Properties", "GetAll",
                         g_variant_new("(s)", WAND_INTERFACE_IFACE), G_VARIANT_TYPE("(a{sv})"));
        b = wand_call_ok(f->user, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "ListInterfaces", NULL,
                         G_VARIANT_TYPE("(a(sos))"));
        c = wand_call_ok(f->user, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                         g_variant_new("(s)", "wan0"), G_VARIANT_TYPE("(o)"));
        d = wand_call_ok(f->user, WAND_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                         "GetManagedObjects", NULL, NULL);
        e = wand_call_ok(f->user, WAN0, "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
                         NULL);
        g = wand_call_ok(f->user, WAND_MANAGER_PATH, "org.freedesktop.DBus.Properties", "Get",
                         g_variant_new("(ss)", WAND_MANAGER_IFACE, "DemandDialManager"), NULL);
        wand_fixture_assert_no_polkit(f);
}

/* Every privileged method asks for its action with the right details; a
 * denial leaves everything as it was. */
static void
test_actions(WandFixture *f, gconstpointer data)
{
        const char *wan1 = "/org/wand/Router1/interface/wan1";
        g_autofree char *ddm = NULL;
        g_autoptr(GVariant) r = NULL;
        struct {
                const char *path, *iface, *method, *args, *action;
                gboolean per_interface;
        } cases[] = {
                { WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, CONNECT, TRUE },
                { wan1, WAND_INTERFACE_IFACE, "Disconnect", NULL, DISCONNECT, TRUE },
                { WAN0, WAND_INTERFACE_IFACE, "SetEnabled", "(false,)", CONFIGURE, TRUE },
                { WAN0, WAND_INTERFACE_IFACE, "Delete", NULL, CONFIGURE, TRUE },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                  "('wan9', {'Device': <'veth9'>})", CONFIGURE, FALSE },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "Reload", NULL, CONFIGURE, FALSE },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StopDemandDialManager", NULL, CONTROL, FALSE },
                { WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "StartDemandDialManager", NULL, CONTROL, FALSE },
        };

        wand_fixture_add_veth(f, "veth1");
        wand_fixture_write_interface(f, "wan1", "veth1", NULL);
        wand_fixture_start_wan0(f, NULL);
        r = wand_call_ok(f->root, wan1, WAND_INTERFACE_IFACE, "Connect", NULL, G_VARIANT_TYPE_UNIT);
        /* A file only a Reload would pick up. */
        wand_fixture_write_interface(f, "late", "veth0", NULL);

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(WandCall) call = NULL;
                g_autoptr(WandPolkitCheck) check = NULL;
                const char *device = strcmp(cases[i].path, wan1) == 0 ? "veth1" : "veth0";
                const char *name = strcmp(cases[i].path, wan1) == 0 ? "wan1" : "wan0";

                g_test_message("%s as uid 65534", cases[i].method);
                call = wand_call_async(f->user, cases[i].path, cases[i].iface, cases[i].method,
                                       cases[i].args ? g_variant_new_parsed(cases[i].args) : NULL, 0);
                check = wand_fixture_expect_check(f, cases[i].action, f->user,
                                                  cases[i].per_interface ? name : NULL, device, 0);
                wand_polkit_reply(check, FALSE, FALSE);
                wand_call_assert_error(call, DBUS_ERROR("AccessDenied"));
        }

        /* Nothing changed. */
        g_assert_false(wand_link("veth0").up);
        g_assert_true(wand_link("veth1").up);
        g_assert_true(wand_get_bool(f, WAN0, "Enabled"));
        {
                g_autofree char *p = wand_get_interface(f, "wan0");
                g_autofree char *file = wand_fixture_read_interface_file(f, "wan0");
                g_assert_nonnull(file);
        }
        g_free(wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                               g_variant_new("(s)", "wan9"), WAND_ERROR("NoSuchInterface")));
        g_free(wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                               g_variant_new("(s)", "late"), WAND_ERROR("NoSuchInterface")));
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "running");
}

static void
test_state_read_again(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;

        /* While polkit thinks about uid 65534's Disconnect, root disconnects;
         * the yes that follows finds nothing to disconnect. */
        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        check = user_asks(f, "Disconnect", NULL, 0, DISCONNECT, &call);
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        g_assert_false(wand_link("veth0").up);
        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_error(call, WAND_ERROR("InterfaceNotConnected"));
        wand_assert_state(f, WAN0, "disconnected");
}

static void
test_state_read_again_connect(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;

        /* The other way round: Connect asked while disconnected, root
         * connected meanwhile → AlreadyConnected. And a Delete asked while
         * disconnected, root connected meanwhile → InterfaceConnected. */
        wand_fixture_start_wan0(f, NULL);
        check = user_asks(f, "Connect", NULL, 0, CONNECT, &call);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_error(call, WAND_ERROR("AlreadyConnected"));

        g_clear_pointer(&call, wand_call_free);
        g_clear_pointer(&check, wand_polkit_check_free);
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        check = user_asks(f, "Delete", NULL, 0, CONFIGURE, &call);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_error(call, WAND_ERROR("InterfaceConnected"));
        wand_assert_state(f, WAN0, "connected");
}

static void
test_interface_deleted_while_asking(WandFixture *f, gconstpointer data)
{
        g_autoptr(GDBusConnection) other = wand_fixture_connect_as(f, 65534);
        g_autoptr(WandCall) call = NULL, open_call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL, open_check = NULL;
        g_autofree char *log = NULL;

        /* The handle is checked again too: deleted meanwhile → InvalidHandle. */
        wand_fixture_start_wan0(f, NULL);
        check = user_asks(f, "Connect", NULL, 0, CONNECT, &call);
        wand_iface_ok(f, WAN0, "Delete", NULL);
        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_error(call, WAND_ERROR("InvalidHandle"));
        g_assert_false(wand_link("veth0").up);

        /* The answer was never consulted (the handle's fallback answered),
         * and wand must forget it rather than keep it and its call until
         * exit: with one other check open when wand stops, it counts one. */
        open_call = wand_call_async(other, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "Reload", NULL, 0);
        open_check = wand_fixture_expect_check(f, CONFIGURE, other, NULL, NULL, 0);
        wand_fixture_stop(f);
        log = wand_fixture_get_log(f);
        if (!strstr(log, "Exiting with 1 authorization check still open."))
                g_error("wand's log at exit does not count exactly one open check:\n%s", log);
        wand_call_assert_error(open_call, DBUS_ERROR("NoReply"));
        wand_polkit_reply(open_check, FALSE, FALSE);
        g_dbus_connection_close_sync(other, NULL, NULL);
}

/* Reload changes wan0's Device while polkit decides about a Connect: the
 * yes was for veth0, so wand asks again for veth1 before acting. */
static void
test_details_changed_by_reload(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL, again = NULL;

        wand_fixture_add_veth(f, "veth1");
        wand_fixture_start_wan0(f, NULL);
        check = user_asks(f, "Connect", NULL, 0, CONNECT, &call);
        wand_fixture_write_interface(f, "wan0", "veth1", NULL);
        wand_manager_ok(f, "Reload");
        {
                g_autofree char *device = wand_get_string(f, WAN0, WAND_INTERFACE_IFACE, "Device");
                g_assert_cmpstr(device, ==, "veth1");
        }
        wand_polkit_reply(check, TRUE, FALSE);

        again = wand_fixture_expect_check(f, CONNECT, f->user, "wan0", "veth1", 0);
        g_assert_cmpstr(again->cancellation_id, !=, check->cancellation_id);
        g_assert_false(call->done);
        wand_polkit_reply(again, FALSE, FALSE);
        wand_call_assert_error(call, DBUS_ERROR("AccessDenied"));
        g_assert_false(wand_link("veth0").up);
        g_assert_false(wand_link("veth1").up);
        wand_assert_state(f, WAN0, "disconnected");
}

/* wan0 deleted and created again on another device while polkit decides:
 * the same handle, other details, so wand asks again; this time yes. */
static void
test_details_changed_by_recreate(WandFixture *f, gconstpointer data)
{
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL, again = NULL;
        g_autoptr(GVariant) created = NULL;

        wand_fixture_add_veth(f, "veth1");
        wand_fixture_start_wan0(f, NULL);
        check = user_asks(f, "Connect", NULL, 0, CONNECT, &call);
        wand_iface_ok(f, WAN0, "Delete", NULL);
        created = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                               g_variant_new_parsed("('wan0', {'Device': <'veth1'>})"), G_VARIANT_TYPE("(o)"));
        wand_polkit_reply(check, TRUE, FALSE);

        again = wand_fixture_expect_check(f, CONNECT, f->user, "wan0", "veth1", 0);
        g_assert_false(call->done);
        g_assert_false(wand_link("veth1").up);
        wand_polkit_reply(again, TRUE, FALSE);
        wand_call_assert_ok(call);
        g_assert_true(wand_link("veth1").up);
        g_assert_false(wand_link("veth0").up);
        wand_assert_state(f, WAN0, "connected");
}

/* As service/polkit.c has it. */
#define MAX_CHECKS_PER_UID 16

/* One user's checks waiting for polkit are capped, so that they cannot use
 * up the replies wand may wait for on the bus: that user's next call, from
 * any of its connections, gets LimitsExceeded at once, while another user
 * is asked about as usual and root is served. */
static void
test_cap_per_user(WandFixture *f, gconstpointer data)
{
        g_autoptr(GDBusConnection) second = wand_fixture_connect_as(f, 65534);
        /* uid 1 (daemon): the bus admits only uids with an account. */
        g_autoptr(GDBusConnection) other_user = wand_fixture_connect_as(f, 1);
        g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func((GDestroyNotify) wand_call_free);
        g_autoptr(GPtrArray) checks = g_ptr_array_new_with_free_func((GDestroyNotify) wand_polkit_check_free);
        g_autoptr(WandCall) capped_new = NULL, capped_known = NULL, other = NULL;
        g_autoptr(WandPolkitCheck) other_check = NULL;
        const char *msg;

        wand_fixture_start_wan0(f, NULL);
        for (guint k = 0; k < MAX_CHECKS_PER_UID; k++) {
                WandCall *call;
                g_ptr_array_add(checks, user_asks(f, "Connect", NULL, 0, CONNECT, &call));
                g_ptr_array_add(calls, call);
        }

        /* A connection wand has not seen yet: it learns the uid, then
         * refuses; and one it knows: refused at once. Neither reaches polkit. */
        capped_new = wand_call_async(second, WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL, 0);
        msg = wand_call_assert_error(capped_new, DBUS_ERROR("LimitsExceeded"));
        g_assert_nonnull(strstr(msg, "uid 65534 has 16 authorization checks waiting for polkit"));
        g_assert_nonnull(strstr(msg, "then call again"));
        capped_known = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "SetEnabled",
                                       g_variant_new("(b)", FALSE), 0);
        wand_call_assert_error(capped_known, DBUS_ERROR("LimitsExceeded"));
        wand_fixture_assert_no_polkit(f);
        g_assert_true(wand_get_bool(f, WAN0, "Enabled"));

        /* Another user meanwhile: asked about, and served. */
        other = wand_call_async(other_user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        other_check = wand_fixture_expect_check(f, CONNECT, other_user, "wan0", "veth0", 0);
        wand_polkit_reply(other_check, TRUE, FALSE);
        wand_call_assert_ok(other);
        wand_assert_state(f, WAN0, "connected");
        /* Root, never asked about, is never capped. */
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        wand_fixture_assert_no_polkit(f);

        /* Once polkit has answered, the first user is asked about again. */
        for (guint k = 0; k < checks->len; k++) {
                wand_polkit_reply(g_ptr_array_index(checks, k), FALSE, FALSE);
                wand_call_assert_error(g_ptr_array_index(calls, k), DBUS_ERROR("AccessDenied"));
        }
        user_asks_answered(f, "Connect", NULL, 0, CONNECT, TRUE, FALSE, NULL);
        wand_assert_state(f, WAN0, "connected");
        g_dbus_connection_close_sync(second, NULL, NULL);
        g_dbus_connection_close_sync(other_user, NULL, NULL);
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/polkit/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("authorized", test_authorized);
        ADD("denied", test_denied);
        ADD("challenge-without-interaction", test_challenge_without_interaction);
        ADD("interactive", test_interactive);
        ADD("polkit-error", test_polkit_error);
        ADD("polkit-not-on-bus", test_polkit_not_on_bus);
        ADD("never-answers", test_never_answers);
        ADD("two-pending", test_two_pending_checks);
        ADD("caller-leaves", test_caller_leaves);
        ADD("root-never-asks", test_root_never_asks);
        ADD("reads-need-no-polkit", test_reads_need_no_polkit);
        ADD("actions", test_actions);
        ADD("state-read-again/disconnect", test_state_read_again);
        ADD("state-read-again/connect-delete", test_state_read_again_connect);
        ADD("state-read-again/deleted", test_interface_deleted_while_asking);
        ADD("details-read-again/reload", test_details_changed_by_reload);
        ADD("details-read-again/recreated", test_details_changed_by_recreate);
        ADD("cap-per-user", test_cap_per_user);
#undef ADD
        return g_test_run();
}
