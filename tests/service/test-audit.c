/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-audit: the audit trail. Every call that changes something is
 * logged when it is decided (also when refused) and again with its result,
 * naming the caller's uid, pid and bus name, the interface and what
 * happened. Here wand's stderr is read (without journald it writes the
 * sentences there; the journal fields are checked by the systemd test). */
#include "wand-test.h"

#include <string.h>
#include <unistd.h>

static gboolean
log_has(WandFixture *f, const char *text)
{
        g_autofree char *log = wand_fixture_get_log(f);
        return strstr(log, text) != NULL;
}

/* "uid U (pid P, :1.N)" of a connection of this test process. */
static char *
who(GDBusConnection *c, uid_t uid)
{
        return g_strdup_printf("uid %u (pid %d, %s)", (unsigned) uid, (int) getpid(),
                               g_dbus_connection_get_unique_name(c));
}

static void
wait_log(WandFixture *f, const char *text)
{
        wand_wait_until(log_has(f, text), "\"%s\" in wand's log", text);
}

static void
test_root_decided_and_done(WandFixture *f, gconstpointer data)
{
        g_autofree char *root = who(f->root, 0), *line = NULL;

        wand_fixture_start_wan0(f, NULL);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        line = g_strdup_printf("%s may connect wan0 (root).", root);
        wait_log(f, line);
        g_free(line);
        line = g_strdup_printf("%s connected wan0.", root);
        wait_log(f, line);
        g_free(line);

        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        line = g_strdup_printf("%s disconnected wan0.", root);
        wait_log(f, line);
        g_free(line);

        /* A refusal by the state is a result too. */
        wand_assert_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL,
                          WAND_ERROR("InterfaceNotConnected"));
        line = g_strdup_printf("%s could not disconnect wan0: org.wand.Router1.Error.InterfaceNotConnected:", root);
        wait_log(f, line);
        g_free(line);

        wand_iface_ok(f, WAN0, "SetEnabled", g_variant_new("(b)", FALSE));
        line = g_strdup_printf("%s disabled wan0.", root);
        wait_log(f, line);
        g_free(line);

        wand_manager_ok(f, "StopDemandDialManager");
        line = g_strdup_printf("%s stopped the demand-dial manager.", root);
        wait_log(f, line);
}

static void
test_denied_logged(WandFixture *f, gconstpointer data)
{
        g_autofree char *user = who(f->user, 65534), *line = NULL;
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;

        wand_fixture_start_wan0(f, NULL);
        call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        check = wand_fixture_expect_check(f, "org.wand.Router1.connect", f->user, "wan0", "veth0", 0);
        wand_polkit_reply(check, FALSE, FALSE);
        wand_call_assert_error(call, DBUS_ERROR("AccessDenied"));
        line = g_strdup_printf("%s was refused to connect wan0: Not authorized by polkit for "
                               "org.wand.Router1.connect.", user);
        wait_log(f, line);
        /* Refused: nothing was done, so no result. */
        g_free(line);
        line = g_strdup_printf("%s connected wan0", user);
        g_assert_false(log_has(f, line));
        g_assert_false(wand_link("veth0").up);
}

static void
test_authorized_logged(WandFixture *f, gconstpointer data)
{
        g_autofree char *user = who(f->user, 65534), *line = NULL;
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;

        wand_fixture_start_wan0(f, NULL);
        call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        check = wand_fixture_expect_check(f, "org.wand.Router1.connect", f->user, "wan0", "veth0", 0);
        wand_polkit_reply(check, TRUE, FALSE);
        wand_call_assert_ok(call);
        line = g_strdup_printf("%s may connect wan0 (authorized by polkit).", user);
        wait_log(f, line);
        g_free(line);
        line = g_strdup_printf("%s connected wan0.", user);
        wait_log(f, line);
}

/* The result names the caller as the bus told before the call was decided,
 * however many callers came between the decision and the result. wand
 * keeps the last 1,024 callers it learned; 1,100 others call meanwhile. */
#define OTHER_CALLERS 1100

static void
test_result_after_many_callers(WandFixture *f, gconstpointer data)
{
        g_autofree char *user = who(f->user, 65534), *line = NULL;
        g_autoptr(WandCall) call = NULL;
        g_autoptr(WandPolkitCheck) check = NULL;

        /* No carrier until the peer comes up: Connect stays pending. */
        wand_fixture_start_wan0(f, "ConnectTimeoutSec=120\n");
        wand_ip("link set veth0-p down");
        call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        check = wand_fixture_expect_check(f, "org.wand.Router1.connect", f->user, "wan0", "veth0", 0);
        wand_polkit_reply(check, TRUE, FALSE);
        line = g_strdup_printf("%s may connect wan0 (authorized by polkit).", user);
        wait_log(f, line);
        wand_wait_state(f, WAN0, "connecting");

        /* Others (root: polkit is not asked) make wand learn who they are. */
        for (guint k = 0; k < OTHER_CALLERS; k++) {
                g_autoptr(GDBusConnection) other = wand_fixture_connect_as(f, 0);
                g_autoptr(GVariant) settings = wand_call_ok(other, WAN0, WAND_INTERFACE_IFACE, "GetSettings", NULL,
                                                            NULL);

                g_dbus_connection_close_sync(other, NULL, NULL);
        }
        g_assert_false(call->done);

        wand_ip("link set veth0-p up");
        wand_call_assert_ok(call);
        g_free(line);
        line = g_strdup_printf("%s connected wan0.", user);
        wait_log(f, line);
        g_free(line);
        line = g_strdup_printf("%s (uid unknown)", g_dbus_connection_get_unique_name(f->user));
        g_assert_false(log_has(f, line));
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/audit/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("root", test_root_decided_and_done);
        ADD("denied", test_denied_logged);
        ADD("authorized", test_authorized_logged);
        ADD("result-after-many-callers", test_result_after_many_callers);
        return g_test_run();
}
