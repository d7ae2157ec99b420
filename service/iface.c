/* The interface state machine. State is derived, never stored by anyone
 * else: from the manager (running?), the settings (enabled?), the kernel link
 * (present? up? carrier?) and the operation in flight. iface_update() derives
 * it, finishes operations whose goal is reached and announces what changed. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn-method.h"
#include "iface.h"
#include "log.h"
#include "manager.h"
#include "names.h"
#include "wand-errors.h"

static const char *const state_table[_IFACE_STATE_MAX] = {
        [IFACE_UNREACHABLE] = "unreachable",
        [IFACE_DISCONNECTED] = "disconnected",
        [IFACE_CONNECTING] = "connecting",
        [IFACE_CONNECTED] = "connected",
        [IFACE_DISCONNECTING] = "disconnecting",
};

const char *iface_state_to_string(IfaceState s) {
        return s >= 0 && s < _IFACE_STATE_MAX ? state_table[s] : NULL;
}

void iface_reasons_to_strv(unsigned reasons, const char *ret[static 5]) {
        size_t n = 0;

        if (reasons & IFACE_REASON_DISABLED)
                ret[n++] = "disabled";
        if (reasons & IFACE_REASON_NO_DEVICE)
                ret[n++] = "no-device";
        if (reasons & IFACE_REASON_CONNECTION_FAILURE)
                ret[n++] = "connection-failure";
        if (reasons & IFACE_REASON_SERVICE_STOPPED)
                ret[n++] = "service-stopped";
        ret[n] = NULL;
}

static uint64_t now_realtime_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

int iface_new(Iface **ret, Manager *m, const char *name, const Settings *settings) {
        Iface *i;
        int r;

        i = calloc(1, sizeof(*i));
        if (!i)
                return -ENOMEM;
        i->manager = m;
        i->state = IFACE_UNREACHABLE;
        i->name = strdup(name);
        i->path = interface_bus_path(name);
        i->last_error = strdup("");
        if (!i->name || !i->path || !i->last_error) {
                iface_free(i);
                return -ENOMEM;
        }
        settings_init(&i->settings);
        r = settings_copy(&i->settings, settings);
        if (r < 0) {
                iface_free(i);
                return r;
        }
        i->method = conn_method_for(&i->settings);
        *ret = i;
        return 0;
}

static void waiters_free(IfaceWaiter *w) {
        while (w) {
                IfaceWaiter *next = w->next;
                free(w);
                w = next;
        }
}

Iface *iface_free(Iface *i) {
        if (!i)
                return NULL;
        if (i->method && i->method->cancel)
                i->method->cancel(i);
        /* wand is exiting or the interface is gone: whatever the method left
         * running stays up unless iface_terminate() stopped it. */
        if (i->method && i->method->release)
                i->method->release(i, false);
        sd_event_source_disable_unref(i->op_timeout);
        sd_event_source_disable_unref(i->redial_timer);
        waiters_free(i->connect_waiters);
        waiters_free(i->disconnect_waiters);
        waiters_free(i->connect_after_teardown);
        settings_done(&i->settings);
        free(i->name);
        free(i->path);
        free(i->last_error);
        free(i);
        return NULL;
}

static int waiter_add(IfaceWaiter **list, IfaceDoneFunc done, void *userdata) {
        IfaceWaiter *w, **p;

        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->done = done;
        w->userdata = userdata;
        for (p = list; *p; p = &(*p)->next)
                ;
        *p = w;
        return 0;
}

/* Calls and frees every waiter of a list already detached from the iface:
 * callbacks may start new operations. */
static void waiters_finish(Iface *i, IfaceWaiter *w, int r, const char *message) {
        while (w) {
                IfaceWaiter *next = w->next;
                w->done(i, r, message, w->userdata);
                free(w);
                w = next;
        }
}

static IfaceWaiter *waiters_take(IfaceWaiter **list) {
        IfaceWaiter *w = *list;
        *list = NULL;
        return w;
}

static const Link *iface_link(Iface *i) {
        return manager_get_link(i->manager, i->settings.device);
}

static IfaceState derive_state(Iface *i, unsigned *ret_reasons) {
        unsigned reasons = 0;
        IfaceState observed;

        if (!i->manager->running)
                reasons |= IFACE_REASON_SERVICE_STOPPED;
        if (!i->settings.enabled)
                reasons |= IFACE_REASON_DISABLED;
        if (i->method->device_required && !iface_link(i))
                reasons |= IFACE_REASON_NO_DEVICE;
        if (i->gave_up)
                reasons |= IFACE_REASON_CONNECTION_FAILURE;

        *ret_reasons = reasons;
        if (reasons != 0)
                return IFACE_UNREACHABLE;
        if (i->op == IFACE_OP_DISCONNECT)
                return IFACE_DISCONNECTING;
        observed = i->method->observe(i);
        if (i->op == IFACE_OP_CONNECT && observed != IFACE_CONNECTED)
                return IFACE_CONNECTING;
        return observed;
}

static void set_last_error(Iface *i, const char *error, unsigned *changed) {
        if (streq(i->last_error, error))
                return;
        char *s = strdup(error);
        if (!s) {
                log_oom();
                return;
        }
        free(i->last_error);
        i->last_error = s;
        *changed |= IFACE_PROP_LAST_ERROR;
}

/* Re-derives the published properties and announces those that changed. */
static void publish(Iface *i, unsigned changed) {
        unsigned reasons;
        IfaceState state = derive_state(i, &reasons);
        const Link *l = iface_link(i);
        int ifindex = l ? l->ifindex : 0;

        if (state != i->state) {
                /* At start-up every interface leaves its initial state:
                 * that is not news worth a line each. */
                log_internal(i->manager->published ? LOG_INFO : LOG_DEBUG, 0, "%s: %s → %s", i->name,
                             iface_state_to_string(i->state), iface_state_to_string(state));
                if (state == IFACE_CONNECTED) {
                        i->connected_since = now_realtime_usec();
                        changed |= IFACE_PROP_CONNECTED_SINCE;
                        set_last_error(i, "", &changed);
                } else if (i->state == IFACE_CONNECTED) {
                        i->connected_since = 0;
                        changed |= IFACE_PROP_CONNECTED_SINCE;
                }
                i->state = state;
                changed |= IFACE_PROP_STATE;
        }
        if (reasons != i->reasons) {
                i->reasons = reasons;
                changed |= IFACE_PROP_REASONS;
        }
        if (ifindex != i->ifindex) {
                i->ifindex = ifindex;
                changed |= IFACE_PROP_IFINDEX;
        }
        if (changed && i->announced)
                iface_send_changed(i, changed);
}

static void op_end(Iface *i) {
        i->redial_attempt = false;
        if (i->method->cancel)
                i->method->cancel(i);
        i->op_timeout = sd_event_source_disable_unref(i->op_timeout);
        i->redial_timer = sd_event_source_disable_unref(i->redial_timer);
        i->op = IFACE_OP_NONE;
}

static int start_connect(Iface *i);
static void redial_schedule(Iface *i);
static int disconnect_internal(Iface *i, IfaceDoneFunc done, void *userdata, bool by_request);

static void redial_stop(Iface *i) {
        i->redialing = false;
        i->redial_after_teardown = false;
        i->redial_failures = 0;
        i->gave_up = false;
}

static void connect_succeeded(Iface *i) {
        IfaceWaiter *w = waiters_take(&i->connect_waiters);

        op_end(i);
        i->redial_failures = 0;
        publish(i, 0);
        waiters_finish(i, w, 0, NULL);
}

/* The attempt failed: LastError says so, unless it was cancelled. With
 * rollback, what the attempt left half up is taken down again; a persistent
 * interface redials once that is done. */
static void connect_failed(Iface *i, const char *message, bool cancelled, bool rollback) {
        IfaceWaiter *w = waiters_take(&i->connect_waiters);
        bool was_redial = i->redial_attempt;
        unsigned changed = 0;

        op_end(i);
        if (!cancelled) {
                log_warning("%s: connection attempt failed: %s", i->name, message);
                set_last_error(i, WAND_ERROR_CONNECTION_FAILED, &changed);
                /* The backoff counts failed redials; the attempt an
                 * administrator asked for is not one. */
                if (i->redialing && was_redial)
                        i->redial_failures++;
        }
        /* A persistent interface goes on trying: it stays connecting
         * through the pause, and the callers read that. */
        if (!cancelled && !rollback && i->redialing)
                redial_schedule(i);
        publish(i, changed);
        waiters_finish(i, w, -ECONNREFUSED, message);

        if (cancelled || !rollback || i->op != IFACE_OP_NONE)
                return; /* nothing to roll back, or a callback started something new */
        i->redial_after_teardown = i->redialing;
        (void) disconnect_internal(i, NULL, NULL, false);
        if (i->op == IFACE_OP_NONE && i->redial_after_teardown) {
                /* Torn down at once. */
                i->redial_after_teardown = false;
                redial_schedule(i);
                publish(i, 0);
        }
}

static void disconnect_finished(Iface *i, int r, const char *message) {
        IfaceWaiter *w = waiters_take(&i->disconnect_waiters);
        IfaceWaiter *then_connect = waiters_take(&i->connect_after_teardown);

        op_end(i);
        if (i->redial_after_teardown && !then_connect) {
                i->redial_after_teardown = false;
                if (i->redialing)
                        redial_schedule(i);
        }
        publish(i, 0);
        waiters_finish(i, w, r, message);

        /* Connect() calls that arrived during the teardown start now. */
        while (then_connect) {
                IfaceWaiter *next = then_connect->next;
                int k = iface_connect(i, then_connect->done, then_connect->userdata);
                if (k < 0)
                        then_connect->done(i, k, NULL, then_connect->userdata);
                free(then_connect);
                then_connect = next;
        }
}

static bool link_gone(Iface *i) {
        return i->method->device_required && !iface_link(i);
}

void iface_update(Iface *i) {
        IfaceState observed;

        /* The method sees every change first: a dialer whose link dropped
         * under it is stopped there. */
        if (i->method->update)
                i->method->update(i);

        switch (i->op) {
        case IFACE_OP_CONNECT:
                if (link_gone(i)) {
                        _cleanup_free_ char *msg = NULL;
                        if (asprintf(&msg, "Device %s disappeared while %s was connecting.", i->settings.device, i->name) < 0)
                                msg = NULL;
                        connect_failed(i, msg ?: "Device disappeared.", false, false);
                        return;
                }
                if (i->method->observe(i) == IFACE_CONNECTED) {
                        connect_succeeded(i);
                        return;
                }
                break;
        case IFACE_OP_DISCONNECT:
                if (i->method->torn_down)
                        observed = i->method->torn_down(i) ? IFACE_DISCONNECTED : IFACE_DISCONNECTING;
                else
                        observed = link_gone(i) ? IFACE_DISCONNECTED : i->method->observe(i);
                if (observed == IFACE_DISCONNECTED) {
                        disconnect_finished(i, 0, NULL);
                        return;
                }
                break;
        case IFACE_OP_NONE:
                break;
        }
        publish(i, 0);
}

static int on_op_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Iface *i = userdata;
        _cleanup_free_ char *msg = NULL;

        if (i->op == IFACE_OP_CONNECT) {
                if (asprintf(&msg, "%s did not come up within %u s (device %s has no carrier).", i->name,
                             i->settings.connect_timeout_sec, i->settings.device) < 0)
                        msg = NULL;
                /* Leave nothing half up: take the link down again. */
                connect_failed(i, msg ?: "Connection attempt timed out.", false, true);
        } else if (i->op == IFACE_OP_DISCONNECT) {
                if (asprintf(&msg, "%s did not go down within %u s.", i->name, i->settings.disconnect_timeout_sec) < 0)
                        msg = NULL;
                log_warning("%s: %s", i->name, msg ?: "teardown timed out");
                disconnect_finished(i, -ETIMEDOUT, msg ?: "Teardown timed out.");
        }
        return 0;
}

static int arm_timeout(Iface *i, uint32_t sec) {
        i->op_timeout = sd_event_source_disable_unref(i->op_timeout);
        return sd_event_add_time_relative(i->manager->event, &i->op_timeout, CLOCK_MONOTONIC,
                                          (uint64_t) sec * 1000000u, 0, on_op_timeout, i);
}

static int start_connect(Iface *i) {
        int r;

        i->op = IFACE_OP_CONNECT;
        r = arm_timeout(i, i->settings.connect_timeout_sec);
        if (r >= 0)
                r = i->method->start_connect(i);
        return r;
}

static int start_disconnect(Iface *i) {
        int r;

        i->op = IFACE_OP_DISCONNECT;
        /* The method has DisconnectTimeoutSec to finish (a dialer is then
         * killed); a few seconds more, and the callers are told it failed. */
        r = arm_timeout(i, i->settings.disconnect_timeout_sec + 5);
        if (r >= 0)
                r = i->method->start_disconnect(i);
        return r;
}

/* Starts the connection attempt; failing to start is its failure. */
static void attempt_start(Iface *i) {
        int r = start_connect(i);

        if (r < 0) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "Could not start connecting %s: %s", i->name, strerror(-r)) < 0)
                        msg = NULL;
                connect_failed(i, msg ?: "Could not start connecting.", false, false);
                return;
        }
        iface_update(i);
}

void iface_method_failed(Iface *i, int r, const char *message) {
        if (i->op == IFACE_OP_CONNECT)
                connect_failed(i, message, false, false);
        else if (i->op == IFACE_OP_DISCONNECT) {
                log_warning("%s: teardown failed: %s", i->name, message);
                disconnect_finished(i, r, message);
        }
}

int iface_connect(Iface *i, IfaceDoneFunc done, void *userdata) {
        int r;

        if (!i->manager->running)
                return -ESRCH;

        switch (i->op) {
        case IFACE_OP_CONNECT:
                r = waiter_add(&i->connect_waiters, done, userdata);
                if (r >= 0 && i->redial_timer) {
                        /* Waiting to redial: an administrator wants it now. */
                        i->redial_timer = sd_event_source_disable_unref(i->redial_timer);
                        i->redial_failures = 0;
                        attempt_start(i);
                }
                return r;
        case IFACE_OP_DISCONNECT:
                return waiter_add(&i->connect_after_teardown, done, userdata);
        case IFACE_OP_NONE:
                break;
        }

        if (i->state == IFACE_UNREACHABLE)
                return (i->reasons & IFACE_REASON_DISABLED) ? -EHOSTDOWN : -ENETUNREACH;
        if (i->state == IFACE_CONNECTED)
                return -EISCONN;

        r = waiter_add(&i->connect_waiters, done, userdata);
        if (r < 0)
                return r;
        log_info("%s: connecting (device %s).", i->name, i->settings.device);
        redial_stop(i);
        i->redialing = i->method->redials && i->settings.persistent;
        attempt_start(i);
        return 0;
}

/* by_request: someone asked for the link to go down, and wants no redial;
 * otherwise wand is rolling back a failed attempt. */
static int disconnect_internal(Iface *i, IfaceDoneFunc done, void *userdata, bool by_request) {
        int r;

        if (by_request)
                redial_stop(i);

        if (i->op == IFACE_OP_DISCONNECT)
                return done ? waiter_add(&i->disconnect_waiters, done, userdata) : 0;

        if (done) {
                r = waiter_add(&i->disconnect_waiters, done, userdata);
                if (r < 0)
                        return r;
        }

        if (i->op == IFACE_OP_CONNECT) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "The connection attempt of %s was cancelled by a Disconnect().", i->name) < 0)
                        msg = NULL;
                log_info("%s: connection attempt cancelled.", i->name);
                /* The cancelled callers are answered once the teardown has
                 * started, so the State they then read is disconnecting. */
                IfaceWaiter *w = waiters_take(&i->connect_waiters);
                op_end(i);
                r = start_disconnect(i);
                publish(i, 0);
                waiters_finish(i, w, -ECONNREFUSED, msg ?: "Connection attempt cancelled.");
        } else {
                log_info("%s: disconnecting (device %s).", i->name, i->settings.device);
                r = start_disconnect(i);
        }
        if (r < 0) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "Could not disconnect %s: %s", i->name, strerror(-r)) < 0)
                        msg = NULL;
                disconnect_finished(i, r, msg ?: "Could not disconnect.");
                return 0;
        }
        iface_update(i);
        return 0;
}

int iface_disconnect(Iface *i, IfaceDoneFunc done, void *userdata) {
        if (!i->manager->running)
                return -ESRCH;
        if (i->op == IFACE_OP_NONE && (i->state == IFACE_DISCONNECTED || i->state == IFACE_UNREACHABLE))
                return -ENOTCONN;
        return disconnect_internal(i, done, userdata, true);
}

int iface_ensure_disconnected(Iface *i, IfaceDoneFunc done, void *userdata) {
        if (i->op == IFACE_OP_NONE && (i->state == IFACE_DISCONNECTED || i->state == IFACE_UNREACHABLE) &&
            !(i->method->torn_down && !i->method->torn_down(i))) {
                redial_stop(i);
                i->redial_timer = sd_event_source_disable_unref(i->redial_timer);
                publish(i, 0);
                if (done)
                        done(i, 0, NULL, userdata);
                return 0;
        }
        return disconnect_internal(i, done, userdata, true);
}

int iface_set_settings(Iface *i, const Settings *s) {
        Settings copy;
        unsigned changed = 0;
        int r;

        settings_init(&copy);
        r = settings_copy(&copy, s);
        if (r < 0)
                return r;

        if (!streq_ptr(copy.device, i->settings.device))
                changed |= IFACE_PROP_DEVICE;
        if (copy.enabled != i->settings.enabled)
                changed |= IFACE_PROP_ENABLED;
        if (copy.persistent != i->settings.persistent)
                changed |= IFACE_PROP_PERSISTENT;

        if (conn_method_for(&copy) != i->method) {
                /* A new method cannot finish the old one's work. */
                iface_abort_operations(i, "The interface's configuration changed.");
                iface_terminate(i);
        }
        /* New settings, new chances. */
        i->gave_up = false;
        settings_done(&i->settings);
        i->settings = copy;
        i->method = conn_method_for(&i->settings);

        if (changed && i->announced)
                iface_send_changed(i, changed);
        iface_update(i);
        return 0;
}

void iface_abort_operations(Iface *i, const char *message) {
        IfaceWaiter *c = waiters_take(&i->connect_waiters);
        IfaceWaiter *d = waiters_take(&i->disconnect_waiters);
        IfaceWaiter *t = waiters_take(&i->connect_after_teardown);

        op_end(i);
        waiters_finish(i, c, -ECONNREFUSED, message);
        waiters_finish(i, d, -ECANCELED, message);
        waiters_finish(i, t, -ECONNREFUSED, message);
}

static int on_redial_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Iface *i = userdata;

        i->redial_timer = sd_event_source_disable_unref(i->redial_timer);
        if (i->gave_up) {
                /* The pause after giving up is over: reachable again. */
                i->gave_up = false;
                log_info("%s: may be connected again.", i->name);
                publish(i, 0);
                return 0;
        }
        if (i->op != IFACE_OP_CONNECT)
                return 0;
        log_info("%s: redialing (attempt %u).", i->name, i->redial_failures + 1);
        i->redial_attempt = true;
        attempt_start(i);
        return 0;
}

/* Waits, then dials again (the caller publishes the state): RedialIntervalSec, doubled after each failure up
 * to RedialMaxIntervalSec; after RedialAttempts failures in a row, gives up
 * and the interface is unreachable (connection-failure) for the longest
 * pause, so that nothing redials in a tight loop. */
static void redial_schedule(Iface *i) {
        uint64_t delay;
        int r;

        if (!i->manager->running || i->manager->stopping) {
                redial_stop(i);
                return;
        }
        if (i->settings.redial_attempts > 0 && i->redial_failures >= i->settings.redial_attempts) {
                log_warning("%s: giving up after %u failed redial attempts; unreachable for %u s.", i->name,
                            i->redial_failures, i->settings.redial_max_interval_sec);
                redial_stop(i);
                i->gave_up = true;
                (void) sd_event_add_time_relative(i->manager->event, &i->redial_timer, CLOCK_MONOTONIC,
                                                  (uint64_t) i->settings.redial_max_interval_sec * 1000000u, 0,
                                                  on_redial_timer, i);
                return;
        }

        delay = i->settings.redial_interval_sec;
        for (unsigned k = 0; k < i->redial_failures && delay < i->settings.redial_max_interval_sec; k++)
                delay *= 2;
        if (delay > i->settings.redial_max_interval_sec)
                delay = i->settings.redial_max_interval_sec;

        log_info("%s: redialing in %" PRIu64 " s.", i->name, delay);
        i->op = IFACE_OP_CONNECT; /* connecting, after a pause */
        r = sd_event_add_time_relative(i->manager->event, &i->redial_timer, CLOCK_MONOTONIC, delay * 1000000u, 0,
                                       on_redial_timer, i);
        if (r < 0) {
                log_error_errno(r, "%s: cannot schedule the redial: %m", i->name);
                i->op = IFACE_OP_NONE;
                redial_stop(i);
        }
}

void iface_connection_dropped(Iface *i, const char *message) {
        log_warning("%s: connection lost: %s", i->name, message);
        if (i->op == IFACE_OP_NONE && i->redialing)
                redial_schedule(i);
        iface_update(i);
}

void iface_terminate(Iface *i) {
        if (i->method && i->method->release)
                i->method->release(i, true);
}
