/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The interface state machine without root, bus or kernel (iface-world.h):
 * one scripted test per race a review found, then a randomized model-based
 * run: random interleavings of calls, polkit answers, kernel link events,
 * dialer ups, exits and hangs, and timer expiries, checked after every step
 * against the contract (iface-model.c).
 *
 *   WAND_TEST_SEED=N   replay one seed of the model run (printed on failure)
 *   WAND_TEST_STEPS=N  steps per seed (default 20000: ten seeds, 200,000 steps)
 *   WAND_TEST_LOG=1    wand's log and the model's steps, interleaved, on stderr */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "iface-model.h"
#include "iface-world.h"
#include "log.h"
#include "wand-errors.h"

static Settings settings_for(const char *device, bool dialer) {
        Settings s;

        settings_init(&s);
        s.device = g_strdup(device);
        if (dialer) {
                s.connect_command = g_new0(char *, 2);
                s.connect_command[0] = g_strdup("/usr/sbin/test-dialer");
        }
        s.connect_timeout_sec = 5;
        s.disconnect_timeout_sec = 3;
        return s;
}

static World *world_with(const char *name, const char *device, bool dialer, bool enabled) {
        World *w = world_new();
        Settings s = settings_for(device, dialer);

        s.enabled = enabled;
        world_write_iface(w, name, &s);
        settings_done(&s);
        if (!dialer)
                world_link_add(w, device, true);
        world_start(w);
        return w;
}

static const char *state_of(World *w, const char *name) {
        Iface *i = world_iface(w, name);
        return i ? iface_state_to_string(i->state) : "(gone)";
}

static WorldCall *call_now(World *w, CallKind kind, const char *name) {
        WorldCall *c = world_call(w, kind, name);
        world_authorize(w, c, true);
        return c;
}

static void assert_answer(WorldCall *c, const char *error) {
        g_assert_cmpuint(c->answers, ==, 1);
        g_assert_cmpstr(c->error, ==, error ?: "");
}

/* A dialer interface, connected. */
static void connect_dialer(World *w, const char *name) {
        WorldCall *c = call_now(w, CALL_CONNECT, name);
        g_assert_true(world_dialer_up(w, name));
        world_netlink_flush(w);
        assert_answer(c, NULL);
        g_assert_cmpstr(state_of(w, name), ==, "connected");
}

/* Defect 1: Connect() while StopDemandDialManager() tears down succeeded. */
static void test_connect_while_stopping(void) {
        World *w = world_new();
        Settings s = settings_for("tun0", true);
        WorldCall *stop, *c;

        world_write_iface(w, "a", &s);
        settings_done(&s);
        s = settings_for("tun1", true);
        world_write_iface(w, "b", &s);
        settings_done(&s);
        world_start(w);
        w->dialers_ignore_term = true;
        connect_dialer(w, "a");

        stop = call_now(w, CALL_STOP, "");
        g_assert_cmpuint(stop->answers, ==, 0);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnecting");
        c = call_now(w, CALL_CONNECT, "b");
        assert_answer(c, WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING);
        g_assert_null(world_proc(w, "b"));

        /* DisconnectTimeoutSec, SIGKILL, exit. */
        g_assert_true(world_clock_next(w));
        g_assert_true(world_proc(w, "a")->killed);
        g_assert_true(world_dialer_exit(w, "a"));
        assert_answer(stop, NULL);
        g_assert_false(w->manager->running);
        g_assert_cmpstr(state_of(w, "b"), ==, "unreachable");
        world_free(w);
}

/* Defect 2: SetEnabled(true) during the teardown of SetEnabled(false) was
 * answered at once and then undone. */
static void test_enable_during_disable(void) {
        World *w = world_with("a", "tun0", true, true);
        WorldCall *off, *on;
        Settings disk;

        w->dialers_ignore_term = true;
        connect_dialer(w, "a");
        off = world_call(w, CALL_SET_ENABLED, "a");
        off->arg = false;
        world_authorize(w, off, true);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnecting");
        on = world_call(w, CALL_SET_ENABLED, "a");
        on->arg = true;
        world_authorize(w, on, true);
        g_assert_true(world_clock_next(w));
        g_assert_true(world_dialer_exit(w, "a"));
        assert_answer(off, NULL);
        assert_answer(on, NULL);
        g_assert_true(world_iface(w, "a")->settings.enabled);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnected");
        settings_init(&disk);
        g_assert_true(world_read_iface(w, "a", &disk));
        g_assert_true(disk.enabled);
        settings_done(&disk);
        world_free(w);
}

/* Defect 3: Reload() that disables a connected interface left its dialer
 * up; one that moves it to another Device kept the old connection. */
static void test_reload_disables_connected(void) {
        World *w = world_with("a", "tun0", true, true);
        Settings s = settings_for("tun0", true);
        WorldCall *reload;

        connect_dialer(w, "a");
        s.enabled = false;
        world_write_iface(w, "a", &s);
        settings_done(&s);
        reload = call_now(w, CALL_RELOAD, "");
        g_assert_cmpuint(reload->answers, ==, 0); /* waits for the teardown */
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnecting");
        g_assert_true(world_dialer_exit(w, "a"));
        assert_answer(reload, NULL);
        g_assert_cmpstr(state_of(w, "a"), ==, "unreachable");
        g_assert_false(world_proc(w, "a")->running);
        assert_answer(call_now(w, CALL_DISCONNECT, "a"), WAND_ERROR_INTERFACE_NOT_CONNECTED);
        world_free(w);
}

static void test_reload_moves_device(void) {
        World *w = world_with("a", "eth0", false, true);
        Settings s = settings_for("eth1", false);
        WorldCall *reload, *c;

        world_link_add(w, "eth1", true);
        world_netlink_flush(w);
        c = call_now(w, CALL_CONNECT, "a");
        world_netlink_flush(w);
        assert_answer(c, NULL);
        world_write_iface(w, "a", &s);
        settings_done(&s);
        reload = call_now(w, CALL_RELOAD, "");
        g_assert_cmpuint(reload->answers, ==, 0);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnecting");
        /* eth0's notification and the answer to "down": torn down, then
         * eth1 is set up. */
        g_assert_true(world_netlink_deliver(w));
        g_assert_true(world_netlink_deliver(w));
        assert_answer(reload, NULL);
        g_assert_false(world_link(w, "eth0")->up);
        g_assert_true(world_link(w, "eth1")->up);
        g_assert_cmpstr(state_of(w, "a"), ==, "connecting");
        world_netlink_flush(w);
        g_assert_cmpstr(state_of(w, "a"), ==, "connected");
        world_free(w);
}

/* Defect 4: a bridge port's RTM_DELLINK (AF_BRIDGE) is no device leaving. */
static void test_bridge_dellink(void) {
        World *w = world_with("a", "eth0", false, true);
        WorldCall *c = call_now(w, CALL_CONNECT, "a");

        world_netlink_flush(w);
        assert_answer(c, NULL);
        world_link_bridge_del(w, "eth0");
        world_netlink_flush(w);
        g_assert_cmpstr(state_of(w, "a"), ==, "connected");
        g_assert_cmpint(world_iface(w, "a")->ifindex, ==, world_link(w, "eth0")->ifindex);
        world_free(w);
}

/* DisconnectTimeoutSec + 5 s wrapped at UINT32_MAX seconds: the callers of
 * a teardown were told it failed after 4 s. */
static void test_teardown_timeout_no_wrap(void) {
        World *w = world_new();
        Settings s = settings_for("tun0", true);
        WorldCall *d;

        s.disconnect_timeout_sec = UINT32_MAX;
        world_write_iface(w, "a", &s);
        settings_done(&s);
        world_start(w);
        w->dialers_ignore_term = true;
        connect_dialer(w, "a");
        d = call_now(w, CALL_DISCONNECT, "a");
        g_assert_true(world_clock_next(w));
        /* The first timer due is the dialer's SIGKILL, not a teardown that
         * gave up after a wrapped 4 s. */
        g_assert_cmpuint(d->answers, ==, 0);
        g_assert_true(world_proc(w, "a")->killed);
        g_assert_true(world_dialer_exit(w, "a"));
        assert_answer(d, NULL);
        world_free(w);
}

/* What the model ends a call with when nothing refused it but something
 * failed is not a contract name made of an errno value: a teardown that
 * did not end in time was org.freedesktop.DBus.Error.Timeout, and the calls
 * wand's exit cut short were System.Error.ECANCELED. Both are Failed, with a
 * message that says what failed. */
static void test_failures_are_failed(void) {
        World *w = world_with("a", "tun0", true, true);
        WorldCall *d, *off, *c;

        w->dialers_ignore_term = true;
        connect_dialer(w, "a");
        d = call_now(w, CALL_DISCONNECT, "a");
        g_assert_true(world_clock_next(w));
        g_assert_true(world_proc(w, "a")->killed);
        /* Not even SIGKILL ends it (a process in D state): the callers are
         * told once DisconnectTimeoutSec and the grace have passed. */
        g_assert_true(world_clock_next(w));
        assert_answer(d, SD_BUS_ERROR_FAILED);
        g_assert_nonnull(strstr(d->message, "did not go down within 3 s"));
        g_assert_true(world_dialer_exit(w, "a"));
        world_free(w);

        w = world_with("a", "tun0", true, true);
        w->dialers_ignore_term = true;
        connect_dialer(w, "a");
        d = call_now(w, CALL_DISCONNECT, "a");
        off = world_call(w, CALL_SET_ENABLED, "a");
        off->arg = false;
        world_authorize(w, off, true);
        c = call_now(w, CALL_CONNECT, "a");
        g_assert_cmpuint(d->answers + off->answers + c->answers, ==, 0);
        manager_abort_operations(w->manager, "wand is shutting down.");
        assert_answer(d, SD_BUS_ERROR_FAILED);
        g_assert_cmpstr(d->message, ==, "wand is shutting down.");
        assert_answer(off, SD_BUS_ERROR_FAILED);
        g_assert_cmpstr(off->message, ==, "wand is shutting down.");
        assert_answer(c, WAND_ERROR_CONNECTION_FAILED);
        world_free(w);
}

/* New settings clear "gave up" — and the timer that would end it. */
static void test_settings_end_give_up(void) {
        World *w = world_new();
        Settings s = settings_for("tun0", true);
        WorldCall *c;

        s.persistent = true;
        s.redial_attempts = 1;
        s.redial_interval_sec = 1;
        s.redial_max_interval_sec = 100;
        world_write_iface(w, "a", &s);
        world_start(w);
        connect_dialer(w, "a");
        g_assert_true(world_dialer_exit(w, "a"));    /* dropped: redial in 1 s */
        world_netlink_flush(w);
        g_assert_true(world_clock_next(w));           /* redial */
        g_assert_true(world_dialer_exit(w, "a"));    /* fails: gives up for 100 s */
        g_assert_cmpstr(state_of(w, "a"), ==, "unreachable");
        g_assert_true(world_iface(w, "a")->gave_up);

        s.persistent = false;
        world_write_iface(w, "a", &s);
        settings_done(&s);
        assert_answer(call_now(w, CALL_RELOAD, ""), NULL);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnected");
        g_assert_null(world_iface(w, "a")->redial_timer);
        c = call_now(w, CALL_CONNECT, "a");
        g_assert_true(world_dialer_up(w, "a"));
        world_netlink_flush(w);
        assert_answer(c, NULL);
        /* No leftover timer makes it unreachable or "may connect again". */
        g_assert_false(world_clock_next(w) && world_iface(w, "a")->gave_up);
        g_assert_cmpstr(state_of(w, "a"), ==, "connected");
        world_free(w);
}

/* Issue 21, item 5: another network manager took the device of a dialer
 * that runs. State said unreachable, Disconnect() was refused
 * (InterfaceNotConnected), and SetEnabled(false) and Stop left the dialer
 * running. State follows the dialer until it has exited; the reasons apply
 * then. */
static void test_dialer_runs_managed_elsewhere_disconnect(void) {
        World *w = world_with("a", "tun0", true, true);
        WorldCall *d;

        connect_dialer(w, "a");
        world_set_managed_elsewhere(w, "tun0", true);
        g_assert_cmpstr(state_of(w, "a"), ==, "connected");
        g_assert_true(world_iface(w, "a")->reasons & IFACE_REASON_MANAGED_ELSEWHERE);
        assert_answer(call_now(w, CALL_CONNECT, "a"), WAND_ERROR_ALREADY_CONNECTED);
        assert_answer(call_now(w, CALL_DELETE, "a"), WAND_ERROR_INTERFACE_CONNECTED);

        d = call_now(w, CALL_DISCONNECT, "a");
        g_assert_cmpuint(d->answers, ==, 0);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnecting");
        g_assert_true(world_proc(w, "a")->term);
        g_assert_true(world_dialer_exit(w, "a"));
        assert_answer(d, NULL);
        g_assert_cmpstr(state_of(w, "a"), ==, "unreachable");
        assert_answer(call_now(w, CALL_CONNECT, "a"), WAND_ERROR_INTERFACE_UNREACHABLE);
        world_set_managed_elsewhere(w, "tun0", false);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnected");
        world_free(w);
}

static void test_dialer_runs_managed_elsewhere_disable(void) {
        World *w = world_with("a", "tun0", true, true);
        WorldCall *off;

        connect_dialer(w, "a");
        world_set_managed_elsewhere(w, "tun0", true);
        off = world_call(w, CALL_SET_ENABLED, "a");
        off->arg = false;
        world_authorize(w, off, true);
        /* Torn down first, as any live connection is. */
        g_assert_cmpuint(off->answers, ==, 0);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnecting");
        g_assert_true(world_proc(w, "a")->term);
        g_assert_true(world_dialer_exit(w, "a"));
        assert_answer(off, NULL);
        g_assert_cmpstr(state_of(w, "a"), ==, "unreachable");
        g_assert_true(world_iface(w, "a")->reasons & IFACE_REASON_DISABLED);
        world_free(w);
}

static void test_dialer_runs_managed_elsewhere_stop(void) {
        World *w = world_with("a", "tun0", true, true);
        WorldCall *stop;

        w->dialers_ignore_term = true;
        connect_dialer(w, "a");
        world_set_managed_elsewhere(w, "tun0", true);
        stop = call_now(w, CALL_STOP, "");
        g_assert_cmpuint(stop->answers, ==, 0);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnecting");
        /* DisconnectTimeoutSec, SIGKILL, exit. */
        g_assert_true(world_clock_next(w));
        g_assert_true(world_proc(w, "a")->killed);
        g_assert_true(world_dialer_exit(w, "a"));
        assert_answer(stop, NULL);
        g_assert_false(w->manager->running);
        g_assert_cmpstr(state_of(w, "a"), ==, "unreachable");
        world_free(w);
}

/* A device interface whose device another manager takes while wand sets it
 * up: the attempt ends (unreachable), it does not wait for its timeout. */
static void test_device_taken_while_connecting(void) {
        World *w = world_with("a", "eth0", false, true);
        WorldCall *c;

        world_link_set(w, "eth0", false, false);
        world_netlink_flush(w);
        c = call_now(w, CALL_CONNECT, "a");
        world_netlink_flush(w);
        g_assert_cmpuint(c->answers, ==, 0); /* up, no carrier: connecting */
        world_set_managed_elsewhere(w, "eth0", true);
        assert_answer(c, WAND_ERROR_CONNECTION_FAILED);
        g_assert_cmpstr(state_of(w, "a"), ==, "unreachable");
        assert_answer(call_now(w, CALL_DISCONNECT, "a"), WAND_ERROR_INTERFACE_NOT_CONNECTED);
        world_free(w);
}

/* Item 9: a teardown ended once the dialer had exited, while its
 * DisconnectCommand still ran, and a Connect() then started a dialer beside
 * it. A teardown ends when both have exited, or were killed. */
static World *world_with_disconnect_command(const char *name, const char *device) {
        World *w = world_new();
        Settings s = settings_for(device, true);

        s.disconnect_command = g_new0(char *, 3);
        s.disconnect_command[0] = g_strdup("/usr/sbin/test-dialer");
        s.disconnect_command[1] = g_strdup("--mode=hangup");
        world_write_iface(w, name, &s);
        settings_done(&s);
        world_start(w);
        return w;
}

static void test_disconnect_command_outlives_dialer(void) {
        World *w = world_with_disconnect_command("a", "tun0");
        WorldCall *d, *c;

        connect_dialer(w, "a");
        d = call_now(w, CALL_DISCONNECT, "a");
        g_assert_nonnull(world_disconnect_command(w, "a"));
        g_assert_true(world_disconnect_command(w, "a")->running);
        g_assert_false(world_proc(w, "a")->term); /* hung up by the command */
        g_assert_true(world_dialer_exit(w, "a"));
        g_assert_cmpuint(d->answers, ==, 0);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnecting");
        c = call_now(w, CALL_CONNECT, "a");
        g_assert_false(world_proc(w, "a")->running); /* not beside it */
        g_assert_true(world_proc_exit(w, world_disconnect_command(w, "a")));
        assert_answer(d, NULL);
        /* Then the Connect() that waited. */
        g_assert_true(world_proc(w, "a")->running);
        g_assert_true(world_dialer_up(w, "a"));
        world_netlink_flush(w);
        assert_answer(c, NULL);
        world_free(w);
}

static void test_disconnect_command_killed(void) {
        World *w = world_with_disconnect_command("a", "tun0");
        WorldCall *d;

        connect_dialer(w, "a");
        d = call_now(w, CALL_DISCONNECT, "a");
        g_assert_true(world_dialer_exit(w, "a"));
        /* DisconnectTimeoutSec: SIGKILL for the command that hangs. */
        g_assert_true(world_clock_next(w));
        g_assert_true(world_disconnect_command(w, "a")->killed);
        g_assert_cmpuint(d->answers, ==, 0);
        g_assert_true(world_proc_exit(w, world_disconnect_command(w, "a")));
        assert_answer(d, NULL);
        g_assert_cmpstr(state_of(w, "a"), ==, "disconnected");
        world_free(w);
}

/* ── the model-based run ───────────────────────────────────────────── */

static unsigned steps_per_seed(void) {
        const char *e = g_getenv("WAND_TEST_STEPS");
        return e ? (unsigned) strtoul(e, NULL, 10) : 20000;
}

static bool run_seed(uint64_t seed, unsigned steps) {
        g_autofree char *failure = NULL;

        failure = model_run(seed, steps);
        if (!failure)
                return true;
        g_test_message("model divergence with seed %" G_GUINT64_FORMAT ", %u steps: %s\n"
                       "replay: WAND_TEST_SEED=%" G_GUINT64_FORMAT " WAND_TEST_STEPS=%u %s -p /iface/model",
                       seed, steps, failure, seed, steps, g_get_prgname());
        g_test_fail();
        return false;
}

/* Issue 22: LastErrorReason says why the last attempt failed, in one word
 * decided where the attempt ends; "" exactly while LastError is. */
static const char *reason_of(World *w, const char *name) {
        return iface_failure_to_string(world_iface(w, name)->last_error_reason);
}

static void assert_failed_with(World *w, WorldCall *c, const char *reason) {
        assert_answer(c, WAND_ERROR_CONNECTION_FAILED);
        g_assert_cmpstr(world_iface(w, "a")->last_error, ==, WAND_ERROR_CONNECTION_FAILED);
        g_assert_cmpstr(reason_of(w, "a"), ==, reason);
}

static void test_reason_timeout(void) {
        World *w = world_with("a", "tun0", true, true);
        WorldCall *c;

        g_assert_cmpstr(reason_of(w, "a"), ==, "");
        c = call_now(w, CALL_CONNECT, "a");
        g_assert_true(world_clock_next(w)); /* ConnectTimeoutSec: the dialer made no device */
        assert_failed_with(w, c, "timeout");
        g_assert_nonnull(strstr(c->message, "does not exist"));
        world_free(w);
}

static void test_reason_no_carrier(void) {
        World *w = world_with("a", "eth0", false, true);
        WorldCall *c;

        world_link_set(w, "eth0", false, false);
        world_netlink_flush(w);
        c = call_now(w, CALL_CONNECT, "a");
        world_netlink_flush(w);
        g_assert_cmpuint(c->answers, ==, 0); /* up, no carrier */
        g_assert_true(world_clock_next(w));
        assert_failed_with(w, c, "no-carrier");
        g_assert_nonnull(strstr(c->message, "has no carrier"));
        world_free(w);
}

static void test_reason_dialer_exited(void) {
        World *w = world_with("a", "tun0", true, true);
        WorldCall *c = call_now(w, CALL_CONNECT, "a");

        g_assert_true(world_dialer_exit(w, "a"));
        assert_failed_with(w, c, "dialer-exited");
        world_free(w);
}

static void test_reason_device_gone(void) {
        World *w = world_with("a", "eth0", false, true);
        WorldCall *c;

        world_link_set(w, "eth0", false, false);
        world_netlink_flush(w);
        c = call_now(w, CALL_CONNECT, "a");
        world_netlink_flush(w);
        world_link_del(w, "eth0");
        world_netlink_flush(w);
        assert_failed_with(w, c, "device-gone");
        world_free(w);
}

static void test_reason_refused(void) {
        World *w = world_with("a", "eth0", false, true);
        WorldCall *c;

        world_link_set(w, "eth0", false, false);
        world_netlink_flush(w);
        c = call_now(w, CALL_CONNECT, "a");
        world_netlink_flush(w);
        world_set_managed_elsewhere(w, "eth0", true);
        assert_failed_with(w, c, "refused");
        world_free(w);
}

static void test_reason_start_failed(void) {
        World *w = world_with("a", "tun0", true, true);
        WorldCall *c;

        w->dialers_fail_to_start = true;
        c = call_now(w, CALL_CONNECT, "a");
        assert_failed_with(w, c, "start-failed");
        world_free(w);
}

/* Cleared with LastError once a connection is established; a cancelled
 * attempt and calls refused before any attempt (polkit, the state) leave
 * both as they were. */
static void test_reason_kept_and_cleared(void) {
        World *w = world_with("a", "tun0", true, true);
        WorldCall *c, *d, *denied;

        c = call_now(w, CALL_CONNECT, "a");
        g_assert_true(world_dialer_exit(w, "a"));
        assert_failed_with(w, c, "dialer-exited");

        c = call_now(w, CALL_CONNECT, "a");
        d = call_now(w, CALL_DISCONNECT, "a");
        assert_answer(c, WAND_ERROR_CONNECTION_FAILED); /* cancelled */
        g_assert_true(world_dialer_exit(w, "a"));
        assert_answer(d, NULL);
        g_assert_cmpstr(reason_of(w, "a"), ==, "dialer-exited");

        denied = world_call(w, CALL_CONNECT, "a");
        world_authorize(w, denied, false);
        assert_answer(denied, SD_BUS_ERROR_ACCESS_DENIED);
        g_assert_cmpstr(reason_of(w, "a"), ==, "dialer-exited");

        connect_dialer(w, "a");
        g_assert_cmpstr(world_iface(w, "a")->last_error, ==, "");
        g_assert_cmpstr(reason_of(w, "a"), ==, "");
        world_free(w);
}

static void test_model(void) {
        static const uint64_t fixed[] = { 1, 2, 3, 5, 8, 13, 21, 34, 55 };
        const char *replay = g_getenv("WAND_TEST_SEED");
        unsigned steps = steps_per_seed();
        uint64_t seed;
        gint64 start = g_get_monotonic_time();
        unsigned total = 0;

        if (replay) {
                run_seed(g_ascii_strtoull(replay, NULL, 10), steps);
                return;
        }
        for (size_t k = 0; k < G_N_ELEMENTS(fixed); k++, total += steps)
                if (!run_seed(fixed[k], steps))
                        return;
        seed = (uint64_t) g_random_int() << 32 | g_random_int();
        g_test_message("random seed %" G_GUINT64_FORMAT, seed);
        if (!run_seed(seed, steps))
                return;
        total += steps;
        g_test_message("model: %u steps in %.2f s (%.0f steps/s)", total,
                       (g_get_monotonic_time() - start) / 1e6,
                       total / ((g_get_monotonic_time() - start) / 1e6));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        /* The scripted worlds make wand log every state change. */
        log_set_max_level(g_getenv("WAND_TEST_LOG") ? LOG_DEBUG : LOG_CRIT);

        g_test_add_func("/iface/race/connect-while-stopping", test_connect_while_stopping);
        g_test_add_func("/iface/race/enable-during-disable", test_enable_during_disable);
        g_test_add_func("/iface/race/reload-disables-connected", test_reload_disables_connected);
        g_test_add_func("/iface/race/reload-moves-device", test_reload_moves_device);
        g_test_add_func("/iface/bridge-dellink", test_bridge_dellink);
        g_test_add_func("/iface/teardown-timeout-no-wrap", test_teardown_timeout_no_wrap);
        g_test_add_func("/iface/settings-end-give-up", test_settings_end_give_up);
        g_test_add_func("/iface/failures-are-failed", test_failures_are_failed);
        g_test_add_func("/iface/dialer-runs/managed-elsewhere/disconnect", test_dialer_runs_managed_elsewhere_disconnect);
        g_test_add_func("/iface/dialer-runs/managed-elsewhere/disable", test_dialer_runs_managed_elsewhere_disable);
        g_test_add_func("/iface/dialer-runs/managed-elsewhere/stop", test_dialer_runs_managed_elsewhere_stop);
        g_test_add_func("/iface/device-taken-while-connecting", test_device_taken_while_connecting);
        g_test_add_func("/iface/disconnect-command/outlives-dialer", test_disconnect_command_outlives_dialer);
        g_test_add_func("/iface/disconnect-command/killed", test_disconnect_command_killed);
        g_test_add_func("/iface/last-error-reason/timeout", test_reason_timeout);
        g_test_add_func("/iface/last-error-reason/no-carrier", test_reason_no_carrier);
        g_test_add_func("/iface/last-error-reason/dialer-exited", test_reason_dialer_exited);
        g_test_add_func("/iface/last-error-reason/device-gone", test_reason_device_gone);
        g_test_add_func("/iface/last-error-reason/refused", test_reason_refused);
        g_test_add_func("/iface/last-error-reason/start-failed", test_reason_start_failed);
        g_test_add_func("/iface/last-error-reason/kept-and-cleared", test_reason_kept_and_cleared);
        g_test_add_func("/iface/model", test_model);
        return g_test_run();
}
