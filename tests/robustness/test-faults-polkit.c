/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* robustness-faults-polkit: polkit answers with an error, never answers,
 * dies in the middle of a check and comes back, and is kept busy by many
 * callers with many checks. wand fails closed for the callers concerned and
 * keeps serving everyone else. (The polkit double answers from this
 * thread's main context: calls that reach it are made asynchronously.) */
#include "robust.h"

#include <string.h>

#define USER_UID 65534

static void
assert_still_serving(WandFixture *f)
{
        gint64 start = g_get_monotonic_time();
        g_autofree char *state = wand_get_state(f, WAN0);

        g_assert_nonnull(state);
        /* Served at once, not after some timeout. */
        g_assert_cmpint(g_get_monotonic_time() - start, <, G_USEC_PER_SEC);
}

static void
test_error(WandFixture *f, gconstpointer data)
{
        g_autoptr(PolkitDouble) polkit = polkit_double_new(f, POLKIT_ERROR);
        g_autoptr(WandCall) call = NULL;

        wand_fixture_start_wan0(f, NULL);
        call = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        g_assert_nonnull(strstr(wand_call_assert_error(call, DBUS_ERROR("AccessDenied")),
                                "org.freedesktop.PolicyKit1.Error.Failed"));
        g_assert_cmpuint(polkit->n_checks, ==, 1);
        wand_assert_state(f, WAN0, "disconnected");
        /* root is not asked about, and is served. */
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_assert_state(f, WAN0, "connected");
        g_assert_cmpuint(polkit->n_checks, ==, 1);
}

static void
on_call_done(GObject *source, GAsyncResult *res, gpointer data)
{
        WandCall *call = data;

        call->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &call->error);
        call->done = TRUE;
}

static void
test_never_answers(WandFixture *f, gconstpointer data)
{
        g_autoptr(PolkitDouble) polkit = polkit_double_new(f, POLKIT_SILENT);
        g_autoptr(GDBusConnection) caller = NULL;
        WandCall call = { 0 };
        g_autofree char *id = NULL;

        wand_fixture_start_wan0(f, NULL);
        caller = wand_fixture_connect_as(f, USER_UID);
        /* The caller gives up after 1 s, as any client with a timeout does. */
        g_dbus_connection_call(caller, WAND_BUS_NAME, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, NULL,
                               G_DBUS_CALL_FLAGS_NO_AUTO_START, 1000, NULL, on_call_done, &call);
        wand_wait_until(call.done, "the caller's timeout");
        g_assert_error(call.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
        g_clear_error(&call.error);
        g_assert_cmpuint(polkit->pending->len, ==, 1);
        g_variant_get_child(g_dbus_method_invocation_get_parameters(g_ptr_array_index(polkit->pending, 0)), 4, "s",
                            &id);

        /* Meanwhile everyone else is served, root's privileged calls too. */
        assert_still_serving(f);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_iface_ok(f, WAN0, "Disconnect", NULL);

        /* The caller leaves: wand cancels exactly that check. */
        g_dbus_connection_close_sync(caller, NULL, NULL);
        wand_wait_until(polkit->cancelled->len == 1, "CancelCheckAuthorization");
        g_assert_cmpstr(g_ptr_array_index(polkit->cancelled, 0), ==, id);
        g_assert_cmpuint(polkit->pending->len, ==, 0);
        wand_assert_state(f, WAN0, "disconnected");
}

static void
test_dies_and_comes_back(WandFixture *f, gconstpointer data)
{
        g_autoptr(PolkitDouble) polkit = polkit_double_new(f, POLKIT_SILENT);
        g_autoptr(WandCall) pending = NULL, gone = NULL;
        const char *msg;

        wand_fixture_start_wan0(f, NULL);
        pending = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_wait_until(polkit->pending->len == 1, "the check to reach polkit");

        /* polkitd crashes with the check unanswered: the bus tells wand
         * (NoReply), and wand denies rather than allows. */
        polkit_double_die(polkit, f);
        msg = wand_call_assert_error(pending, DBUS_ERROR("AccessDenied"));
        g_assert_nonnull(strstr(msg, "NoReply"));
        wand_assert_state(f, WAN0, "disconnected");

        /* While it is gone: "not on the bus", denied at once. */
        gone = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        msg = wand_call_assert_error(gone, DBUS_ERROR("AccessDenied"));
        g_assert_nonnull(strstr(msg, "polkit is not running"));
        assert_still_serving(f);

        /* It comes back (systemd restarts it): the next check is asked of
         * the new process and its answer is followed. */
        polkit->mode = POLKIT_ALLOW;
        polkit_double_revive(polkit, f);
        {
                g_autoptr(WandCall) again = wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
                wand_call_assert_ok(again);
        }
        wand_assert_state(f, WAN0, "connected");
        g_assert_cmpuint(polkit->n_checks, ==, 2);
}

/* The subject of a check the polkit double holds. */
static const char *
subject_name(GDBusMethodInvocation *inv)
{
        g_autoptr(GVariant) subject = g_variant_get_child_value(g_dbus_method_invocation_get_parameters(inv), 0);
        g_autoptr(GVariant) details = g_variant_get_child_value(subject, 1);
        const char *name = NULL;

        g_assert_true(g_variant_lookup(details, "name", "&s", &name));
        return name; /* points into the invocation's parameters */
}

/* Many users keep many checks waiting (authentication agents that never
 * answer). wand may wait for at most 128 replies on the bus
 * (max_replies_per_connection), past which the bus would refuse its calls
 * to polkit for everyone. wand keeps below that by itself: at most 16
 * checks per uid and 96 in all, the calls past that answered LimitsExceeded
 * at once. Root, even from a connection wand has yet to identify, is
 * served throughout, and wand recovers once the checks end. */
#define N_USERS 8
#define CALLS_PER_USER 20
#define MAX_CHECKS_PER_UID 16 /* as service/polkit.c has them */
#define MAX_CHECKS 96

static void
test_many_pending(WandFixture *f, gconstpointer data)
{
        g_autoptr(PolkitDouble) polkit = polkit_double_new(f, POLKIT_SILENT);
        g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func((GDestroyNotify) wand_call_free);
        g_autoptr(GPtrArray) callers = g_ptr_array_new_with_free_func(g_object_unref);
        g_autoptr(GHashTable) user_of = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GDBusConnection) new_root = NULL;
        g_autoptr(WandCall) late = NULL;
        const guint n = N_USERS * CALLS_PER_USER;
        guint per_user[N_USERS] = { 0 };
        gboolean refused[N_USERS * CALLS_PER_USER];
        guint done = 0;

        wand_fixture_start_wan0(f, NULL);
        /* Two connections per user: the cap is per uid, not per connection.
         * uids 1-8: the bus admits only uids that have an account, and these
         * have one everywhere (daemon, bin, …). */
        for (guint k = 0; k < 2 * N_USERS; k++) {
                GDBusConnection *c = wand_fixture_connect_as(f, 1 + k / 2);
                g_ptr_array_add(callers, c);
                g_hash_table_insert(user_of, (gpointer) g_dbus_connection_get_unique_name(c), GUINT_TO_POINTER(k / 2));
        }
        for (guint k = 0; k < n; k++)
                g_ptr_array_add(calls, wand_call_async(g_ptr_array_index(callers, k % (2 * N_USERS)), WAN0,
                                                       WAND_INTERFACE_IFACE, "Connect", NULL,
                                                       G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION));
        /* Every call is either waiting at polkit or already refused. */
        wand_wait_until((done = 0, ({
                                 for (guint k = 0; k < calls->len; k++)
                                         done += ((WandCall *) g_ptr_array_index(calls, k))->done;
                         }),
                         polkit->pending->len + done == n),
                        "%u calls to wait at polkit or be refused (%u waiting, %u refused)", n, polkit->pending->len,
                        done);
        robust_figure("polkit checks pending at once", "%u of %u calls from %u users (the rest refused: %u)",
                      polkit->pending->len, n, N_USERS, done);
        g_assert_cmpuint(polkit->pending->len, ==, MAX_CHECKS);
        for (guint k = 0; k < polkit->pending->len; k++) {
                gpointer user;
                g_assert_true(g_hash_table_lookup_extended(user_of, subject_name(g_ptr_array_index(polkit->pending, k)),
                                                           NULL, &user));
                per_user[GPOINTER_TO_UINT(user)]++;
        }
        for (guint u = 0; u < N_USERS; u++)
                g_assert_cmpuint(per_user[u], <=, MAX_CHECKS_PER_UID);
        /* Refused by wand, with what to do - not denied by a bus at its limit. */
        for (guint k = 0; k < calls->len; k++) {
                WandCall *c = g_ptr_array_index(calls, k);
                refused[k] = c->done;
                if (c->done)
                        g_assert_nonnull(strstr(wand_call_assert_error(c, DBUS_ERROR("LimitsExceeded")), "call again"));
        }

        /* Root, from a connection whose uid wand must first ask the bus. */
        new_root = wand_fixture_connect_as(f, 0);
        {
                g_autoptr(GVariant) r = wand_call_ok(new_root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL,
                                                     G_VARIANT_TYPE_UNIT);
        }
        wand_assert_state(f, WAN0, "connected");
        assert_still_serving(f);

        /* polkit answers them all: wand is back to normal. */
        polkit_double_answer_all(polkit, FALSE);
        for (guint k = 0; k < calls->len; k++)
                if (!refused[k])
                        wand_call_assert_error(g_ptr_array_index(calls, k), DBUS_ERROR("AccessDenied"));
        polkit->mode = POLKIT_ALLOW;
        late = wand_call_async(g_ptr_array_index(callers, 0), WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL, 0);
        wand_call_assert_ok(late);
        wand_assert_state(f, WAN0, "disconnected");
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/faults/polkit/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("error", test_error);
        ADD("never-answers", test_never_answers);
        ADD("dies-and-comes-back", test_dies_and_comes_back);
        ADD("many-pending", test_many_pending);
#undef ADD
        return g_test_run();
}
