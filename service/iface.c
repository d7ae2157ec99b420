/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The interface state machine. State is derived, never stored by anyone
 * else: from the manager (running?), the settings (enabled?), the kernel link
 * (present? up? carrier?) and the operation in flight. iface_update() derives
 * it, finishes operations whose goal is reached and announces what changed.
 * Every start of a connection attempt goes through attempt_start(), every
 * end of a teardown through teardown_finished(): the places where the
 * manager's state, new settings and waiting callers are taken into account. */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn-method.h"
#include "iface.h"
#include "log.h"
#include "manager.h"
#include "names.h"
#include "wand-errors.h"

/* How long callers of a teardown wait beyond DisconnectTimeoutSec, after
 * which a dialer is killed: then they are told it failed. */
#define TEARDOWN_GRACE_USEC (5 * USEC_PER_SEC)

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

static const char *const failure_table[_IFACE_FAILURE_MAX] = {
        [IFACE_FAILURE_NONE] = "",
        [IFACE_FAILURE_TIMEOUT] = "timeout",
        [IFACE_FAILURE_NO_CARRIER] = "no-carrier",
        [IFACE_FAILURE_DIALER_EXITED] = "dialer-exited",
        [IFACE_FAILURE_DEVICE_GONE] = "device-gone",
        [IFACE_FAILURE_REFUSED] = "refused",
        [IFACE_FAILURE_START_FAILED] = "start-failed",
};

const char *iface_failure_to_string(IfaceFailure f) {
        return f >= 0 && f < _IFACE_FAILURE_MAX ? failure_table[f] : NULL;
}

void iface_reasons_to_strv(unsigned reasons, const char *ret[static IFACE_REASONS_MAX + 1]) {
        size_t n = 0;

        if (reasons & IFACE_REASON_DISABLED)
                ret[n++] = "disabled";
        if (reasons & IFACE_REASON_NO_DEVICE)
                ret[n++] = "no-device";
        if (reasons & IFACE_REASON_CONNECTION_FAILURE)
                ret[n++] = "connection-failure";
        if (reasons & IFACE_REASON_SERVICE_STOPPED)
                ret[n++] = "service-stopped";
        if (reasons & IFACE_REASON_MANAGED_ELSEWHERE)
                ret[n++] = "managed-elsewhere";
        ret[n] = NULL;
}

static Settings *settings_dup(const Settings *s) {
        Settings *c = malloc(sizeof(*c));

        if (!c)
                return NULL;
        settings_init(c);
        if (settings_copy(c, s) < 0) {
                free(c);
                return NULL;
        }
        return c;
}

static Settings *settings_free(Settings *s) {
        if (s) {
                settings_done(s);
                free(s);
        }
        return NULL;
}

int iface_new(Iface **ret, Manager *m, const char *name, const Settings *settings) {
        Iface *i;
        int r;

        /* Checked where names come in (files, CreateInterface); here too,
         * since the bus writes Name as known-good text (iface-bus.c). */
        if (!interface_name_is_valid(name))
                return -EINVAL;
        i = calloc(1, sizeof(*i));
        if (!i)
                return -ENOMEM;
        i->manager = m;
        i->instance_id = instance_ids_next(&m->instance_ids);
        i->state = IFACE_UNREACHABLE;
        settings_init(&i->settings);
        i->name = strdup(name);
        i->path = interface_bus_path(name);
        i->last_error = strdup("");
        if (!i->name || !i->path || !i->last_error) {
                iface_free(i);
                return -ENOMEM;
        }
        r = settings_copy(&i->settings, settings);
        if (r < 0) {
                iface_free(i);
                return r;
        }
        i->method = m->method_for(&i->settings);
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
        clock_timer_stop(&i->op_timeout);
        clock_timer_stop(&i->redial_timer);
        waiters_free(i->connect_waiters);
        waiters_free(i->disconnect_waiters);
        waiters_free(i->connect_after_teardown);
        waiters_free(i->settings_waiters);
        settings_done(&i->settings);
        settings_free(i->next_settings);
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

/* Appends the waiters of from to to, in order. */
static void waiters_move(IfaceWaiter **to, IfaceWaiter **from) {
        IfaceWaiter **p;

        for (p = to; *p; p = &(*p)->next)
                ;
        *p = *from;
        *from = NULL;
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

/* New connections may start: the demand-dial manager runs and is not on its
 * way to stopping. */
static bool may_connect(Iface *i) {
        return i->manager->running && !i->manager->stopping;
}

/* A process of the connection's own (a dialer, its DisconnectCommand) runs:
 * until it has exited, State follows it whatever the reasons say, and no
 * teardown has ended. */
static bool method_running(Iface *i) {
        return i->method->running && i->method->running(i);
}

static bool managed_elsewhere(Iface *i) {
        return manager_get_link_owners(i->manager, i->settings.device) != 0;
}

static unsigned derive_reasons(Iface *i) {
        unsigned reasons = 0;

        if (!i->manager->running)
                reasons |= IFACE_REASON_SERVICE_STOPPED;
        if (!i->settings.enabled)
                reasons |= IFACE_REASON_DISABLED;
        if (i->method->device_required && !iface_link(i))
                reasons |= IFACE_REASON_NO_DEVICE;
        if (i->gave_up)
                reasons |= IFACE_REASON_CONNECTION_FAILURE;
        /* Claimed or not, while another manager holds Device it is not
         * wand's: with ClaimDevice=yes only until the claim is through. */
        if (managed_elsewhere(i))
                reasons |= IFACE_REASON_MANAGED_ELSEWHERE;
        return reasons;
}

static IfaceState derive_state(Iface *i, unsigned *ret_reasons) {
        unsigned reasons = derive_reasons(i);

        *ret_reasons = reasons;
        /* The reasons say whether a connection may start, not whether
         * wand's own dialer still runs: that is followed until it has
         * exited (Disconnect, SetEnabled(false) and Stop stop it). */
        if (reasons != 0 && !method_running(i))
                return IFACE_UNREACHABLE;
        if (i->op == IFACE_OP_DISCONNECT)
                return IFACE_DISCONNECTING;
        /* Connected once the attempt is judged so (iface_update()). */
        if (i->op == IFACE_OP_CONNECT)
                return IFACE_CONNECTING;
        return i->method->observe(i);
}

static void set_last_error(Iface *i, const char *error, IfaceFailure reason, unsigned *changed) {
        if (reason != i->last_error_reason) {
                i->last_error_reason = reason;
                *changed |= IFACE_PROP_LAST_ERROR_REASON;
        }
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
        /* UnreachabilityReasons lists them only while unreachable. */
        unsigned shown_before = i->state == IFACE_UNREACHABLE ? i->reasons : 0;
        unsigned shown = state == IFACE_UNREACHABLE ? reasons : 0;

        if (state != i->state) {
                /* At start-up every interface leaves its initial state:
                 * that is not news worth a line each. */
                log_internal(i->manager->published ? LOG_INFO : LOG_DEBUG, 0, "%s: %s → %s", i->name,
                             iface_state_to_string(i->state), iface_state_to_string(state));
                if (state == IFACE_CONNECTED) {
                        i->connected_since = clock_now(i->manager->clock, CLOCK_REALTIME);
                        changed |= IFACE_PROP_CONNECTED_SINCE;
                        set_last_error(i, "", IFACE_FAILURE_NONE, &changed);
                } else if (i->state == IFACE_CONNECTED) {
                        i->connected_since = 0;
                        changed |= IFACE_PROP_CONNECTED_SINCE;
                }
                i->state = state;
                changed |= IFACE_PROP_STATE;
        }
        /* An attempt failed (connect_failed()): after the clearing above,
         * since it is the newer news. */
        if (i->failure != IFACE_FAILURE_NONE) {
                set_last_error(i, WAND_ERROR_CONNECTION_FAILED, i->failure, &changed);
                i->failure = IFACE_FAILURE_NONE;
        }
        i->reasons = reasons;
        if (shown != shown_before)
                changed |= IFACE_PROP_REASONS;
        if (ifindex != i->ifindex) {
                i->ifindex = ifindex;
                changed |= IFACE_PROP_IFINDEX;
        }
        unsigned managed_by = manager_get_link_owners(i->manager, i->settings.device);
        if (managed_by != i->managed_by) {
                i->managed_by = managed_by;
                changed |= IFACE_PROP_MANAGED_BY;
        }
        if (changed && i->announced)
                iface_send_changed(i, changed);
}

bool iface_is_idle(Iface *i) {
        return i->op == IFACE_OP_NONE && (i->state == IFACE_DISCONNECTED || i->state == IFACE_UNREACHABLE);
}

/* Idle, and nothing of the connection left running either: no process of
 * its own, and nothing it left up (a device a dialer left up, say). A
 * device another manager holds is not wand's to take down. */
static bool is_torn_down(Iface *i) {
        return iface_is_idle(i) && !method_running(i) &&
               (managed_elsewhere(i) || !(i->method->torn_down && !i->method->torn_down(i)));
}

const Settings *iface_configured_settings(Iface *i) {
        return i->next_settings ?: &i->settings;
}

static void op_end(Iface *i) {
        i->redial_attempt = false;
        if (i->method->cancel)
                i->method->cancel(i);
        clock_timer_stop(&i->op_timeout);
        clock_timer_stop(&i->redial_timer);
        i->op = IFACE_OP_NONE;
}

static void attempt_start(Iface *i);
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

/* The attempt failed: LastError and LastErrorReason say so (the next
 * publish() writes them). With rollback, what the attempt left half up is
 * taken down again first (the callers then read disconnecting, not whatever
 * the half-up link looks like); a persistent interface redials once that is
 * done. */
static void connect_failed(Iface *i, IfaceFailure why, const char *message, bool rollback) {
        IfaceWaiter *w = waiters_take(&i->connect_waiters);
        bool was_redial = i->redial_attempt;

        op_end(i);
        log_warning("%s: connection attempt failed (%s): %s", i->name, iface_failure_to_string(why), message);
        i->failure = why;
        /* The backoff counts failed redials; the attempt an administrator
         * asked for is not one. */
        if (i->redialing && was_redial)
                i->redial_failures++;
        if (rollback) {
                i->redial_after_teardown = i->redialing;
                (void) disconnect_internal(i, NULL, NULL, false);
                if (i->op == IFACE_OP_NONE && i->redial_after_teardown) {
                        /* Torn down at once. */
                        i->redial_after_teardown = false;
                        redial_schedule(i);
                }
        } else if (i->redialing)
                /* A persistent interface goes on trying: it stays
                 * connecting through the pause, and the callers read that. */
                redial_schedule(i);
        publish(i, 0);
        waiters_finish(i, w, -WAND_E_CONNECTION_FAILED, message);
}

/* The connection's own settings: changing one of them means another
 * connection, not the same one configured differently. */
static bool connection_settings_differ(const Settings *a, const Settings *b) {
        return !streq_ptr(a->device, b->device) || !strv_equal(a->connect_command, b->connect_command) ||
               !strv_equal(a->disconnect_command, b->disconnect_command);
}

/* Puts s in force (the interface is idle, or s leaves the connection as it
 * is) and announces what changed. Takes s. */
static void settings_apply(Iface *i, Settings *s) {
        _cleanup_free_ char *old_device = NULL;
        const ConnMethod *method = i->manager->method_for(s);
        unsigned changed = 0;

        if (method != i->method)
                /* A method cannot take over another's connection; there is
                 * none left, only the old one's records to clear. */
                iface_terminate(i);

        if (!streq_ptr(s->device, i->settings.device)) {
                changed |= IFACE_PROP_DEVICE;
                old_device = TAKE_PTR(i->settings.device);
        }
        if (s->enabled != i->settings.enabled)
                changed |= IFACE_PROP_ENABLED;
        if (s->persistent != i->settings.persistent)
                changed |= IFACE_PROP_PERSISTENT;
        bool claim_changed = s->claim_device != i->settings.claim_device;

        /* New settings, new chances: the pause after giving up ends too. */
        if (i->gave_up) {
                i->gave_up = false;
                clock_timer_stop(&i->redial_timer);
        }
        settings_done(&i->settings);
        i->settings = *s;
        free(s);
        i->method = method;

        /* Persistent= off: no more redials; a pause before one ends. */
        if (i->redialing && !(i->method->redials && i->settings.persistent)) {
                redial_stop(i);
                if (i->op == IFACE_OP_CONNECT && i->redial_timer)
                        op_end(i);
        }

        if (old_device || claim_changed)
                manager_iface_settings_changed(i->manager, i, old_device);
        if (changed && i->announced)
                iface_send_changed(i, changed);
}

static void teardown_finished(Iface *i, int r, const char *message) {
        IfaceWaiter *w = waiters_take(&i->disconnect_waiters);
        IfaceWaiter *then_connect = waiters_take(&i->connect_after_teardown);
        IfaceWaiter *settings_done_w = waiters_take(&i->settings_waiters);
        Settings *next = TAKE_PTR(i->next_settings);
        bool reconnect = i->reconnect_after_teardown;

        op_end(i);
        i->reconnect_after_teardown = false;
        publish(i, 0);
        /* Those who asked for the teardown are answered while State is its
         * end, before new settings (another Device, say) show. */
        waiters_finish(i, w, r, message);

        if (next) {
                settings_apply(i, next);
                reconnect = reconnect && i->settings.enabled && may_connect(i);
        } else
                reconnect = false;
        if (i->redial_after_teardown && !then_connect && !reconnect && i->redialing)
                redial_schedule(i);
        i->redial_after_teardown = false;
        iface_update(i);
        waiters_finish(i, settings_done_w, 0, NULL);

        if (reconnect && i->op == IFACE_OP_NONE && i->state != IFACE_UNREACHABLE) {
                /* The connection is back with its new settings, as after a
                 * redial: nobody waits for it, State tells. */
                log_info("%s: connecting again with the new settings (device %s).", i->name, i->settings.device);
                redial_stop(i);
                i->redialing = i->method->redials && i->settings.persistent;
                attempt_start(i);
        }

        /* Connect() calls that arrived during the teardown start now (or
         * join the attempt just started). */
        while (then_connect) {
                IfaceWaiter *next_w = then_connect->next;
                int k = iface_connect(i, then_connect->done, then_connect->userdata);
                if (k < 0)
                        then_connect->done(i, k, NULL, then_connect->userdata);
                free(then_connect);
                then_connect = next_w;
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

        /* A device that is gone ends what was going on over it, whatever
         * was asked of it: the interface is unreachable. */
        if (link_gone(i) && i->op == IFACE_OP_CONNECT && !i->redial_timer) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "Device %s disappeared while %s was connecting.", i->settings.device, i->name) < 0)
                        msg = NULL;
                connect_failed(i, IFACE_FAILURE_DEVICE_GONE, msg ?: "Device disappeared.", false);
                return;
        }
        if (link_gone(i) && i->op == IFACE_OP_DISCONNECT) {
                teardown_finished(i, 0, NULL);
                return;
        }
        /* Unreachable with nothing of its own running (another manager
         * took the device): nothing is wand's to do on it any more. An
         * attempt (or the pause before a redial) fails, a teardown ends. */
        if (i->op != IFACE_OP_NONE && derive_reasons(i) != 0 && !method_running(i)) {
                if (i->op == IFACE_OP_DISCONNECT) {
                        teardown_finished(i, 0, NULL);
                        return;
                }
                /* During the pause before a redial the device may go:
                 * that is the device, not the state, ending it. */
                IfaceFailure why = derive_reasons(i) & IFACE_REASON_NO_DEVICE ? IFACE_FAILURE_DEVICE_GONE
                                                                               : IFACE_FAILURE_REFUSED;
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "%s became unreachable while connecting.", i->name) < 0)
                        msg = NULL;
                connect_failed(i, why, msg ?: "The interface became unreachable.", false);
                return;
        }
        if (i->method->busy && i->method->busy(i)) {
                /* Its answer comes after what the request changed: judged then. */
                publish(i, 0);
                return;
        }

        switch (i->op) {
        case IFACE_OP_CONNECT:
                if (i->redial_timer)
                        break; /* pausing before a redial: nothing is dialing */
                if (i->method->observe(i) == IFACE_CONNECTED) {
                        connect_succeeded(i);
                        return;
                }
                break;
        case IFACE_OP_DISCONNECT:
                /* Only the exit of the dialer (and of its
                 * DisconnectCommand) ends a dialer's teardown. */
                if (method_running(i))
                        observed = IFACE_DISCONNECTING;
                else if (i->method->torn_down)
                        observed = i->method->torn_down(i) ? IFACE_DISCONNECTED : IFACE_DISCONNECTING;
                else
                        observed = i->method->observe(i);
                if (observed == IFACE_DISCONNECTED) {
                        teardown_finished(i, 0, NULL);
                        return;
                }
                break;
        case IFACE_OP_NONE:
                break;
        }
        publish(i, 0);
}

static void on_op_timeout(void *userdata) {
        Iface *i = userdata;
        _cleanup_free_ char *msg = NULL;

        if (i->op == IFACE_OP_CONNECT) {
                /* Up without carrier is a cable, a modem or a peer not
                 * answering; absent or down, the dialer never got so far. */
                const Link *l = iface_link(i);
                bool no_carrier = l && (l->flags & IFF_UP) && !(l->flags & IFF_LOWER_UP);

                if (asprintf(&msg, "%s did not come up within %u s (device %s %s).", i->name,
                             i->settings.connect_timeout_sec, i->settings.device,
                             no_carrier ? "has no carrier" : l ? "is down" : "does not exist") < 0)
                        msg = NULL;
                /* Leave nothing half up: take the link down again. */
                connect_failed(i, no_carrier ? IFACE_FAILURE_NO_CARRIER : IFACE_FAILURE_TIMEOUT,
                               msg ?: "Connection attempt timed out.", true);
        } else if (i->op == IFACE_OP_DISCONNECT) {
                if (asprintf(&msg, "%s did not go down within %u s.", i->name, i->settings.disconnect_timeout_sec) < 0)
                        msg = NULL;
                log_warning("%s: %s", i->name, msg ?: "teardown timed out");
                teardown_finished(i, -ETIMEDOUT, msg ?: "Teardown timed out.");
        }
}

static int start_connect(Iface *i) {
        int r;

        i->op = IFACE_OP_CONNECT;
        r = clock_timer_start(i->manager->clock, &i->op_timeout, sec_to_usec(i->settings.connect_timeout_sec),
                              on_op_timeout, i);
        if (r >= 0)
                r = i->method->start_connect(i);
        return r;
}

static int start_disconnect(Iface *i) {
        int r;

        i->op = IFACE_OP_DISCONNECT;
        /* The method has DisconnectTimeoutSec to finish (a dialer is then
         * killed); a few seconds more, and the callers are told it failed. */
        r = clock_timer_start(i->manager->clock, &i->op_timeout,
                              sec_to_usec(i->settings.disconnect_timeout_sec) + TEARDOWN_GRACE_USEC, on_op_timeout, i);
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
                connect_failed(i, IFACE_FAILURE_START_FAILED, msg ?: "Could not start connecting.", false);
                return;
        }
        iface_update(i);
}

void iface_method_failed(Iface *i, int r, const char *message) {
        if (i->op == IFACE_OP_CONNECT)
                connect_failed(i, IFACE_FAILURE_START_FAILED, message, false);
        else if (i->op == IFACE_OP_DISCONNECT) {
                log_warning("%s: teardown failed: %s", i->name, message);
                teardown_finished(i, r, message);
        }
}

void iface_dialer_exited(Iface *i, const char *message) {
        if (i->op == IFACE_OP_CONNECT)
                connect_failed(i, IFACE_FAILURE_DIALER_EXITED, message, false);
        else
                iface_update(i);
}

int iface_connect(Iface *i, IfaceDoneFunc done, void *userdata) {
        int r;

        if (!may_connect(i))
                return -WAND_E_DDM_NOT_RUNNING;

        switch (i->op) {
        case IFACE_OP_CONNECT:
                r = waiter_add(&i->connect_waiters, done, userdata);
                if (r >= 0 && i->redial_timer) {
                        /* Waiting to redial: an administrator wants it now. */
                        clock_timer_stop(&i->redial_timer);
                        i->redial_failures = 0;
                        attempt_start(i);
                }
                return r;
        case IFACE_OP_DISCONNECT:
                return waiter_add(&i->connect_after_teardown, done, userdata);
        case IFACE_OP_NONE:
                break;
        }

        if (i->state == IFACE_CONNECTED)
                return -WAND_E_ALREADY_CONNECTED;
        /* Unreachable, or a dialer still runs where the reasons say no
         * connection may start. */
        if (i->reasons != 0)
                return (i->reasons & IFACE_REASON_DISABLED) ? -WAND_E_INTERFACE_DISABLED : -WAND_E_INTERFACE_UNREACHABLE;

        r = waiter_add(&i->connect_waiters, done, userdata);
        if (r < 0)
                return r;
        /* The state's change says it at info level, next to who asked. */
        log_debug("%s: connecting (device %s).", i->name, i->settings.device);
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

        if (done) {
                r = waiter_add(&i->disconnect_waiters, done, userdata);
                if (r < 0)
                        return r;
        }
        if (i->op == IFACE_OP_DISCONNECT)
                return 0; /* joined */

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
                waiters_finish(i, w, -WAND_E_CONNECTION_FAILED, msg ?: "Connection attempt cancelled.");
        } else {
                log_debug("%s: disconnecting (device %s).", i->name, i->settings.device);
                r = start_disconnect(i);
        }
        if (r < 0) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "Could not disconnect %s: %s", i->name, strerror(-r)) < 0)
                        msg = NULL;
                teardown_finished(i, r, msg ?: "Could not disconnect.");
                return 0;
        }
        iface_update(i);
        return 0;
}

int iface_disconnect(Iface *i, IfaceDoneFunc done, void *userdata) {
        if (!i->manager->running)
                return -WAND_E_DDM_NOT_RUNNING;
        if (iface_is_idle(i))
                return -WAND_E_INTERFACE_NOT_CONNECTED;
        return disconnect_internal(i, done, userdata, true);
}

int iface_ensure_disconnected(Iface *i, IfaceDoneFunc done, void *userdata) {
        if (is_torn_down(i)) {
                redial_stop(i);
                clock_timer_stop(&i->redial_timer);
                publish(i, 0);
                if (done)
                        done(i, 0, NULL, userdata);
                return 0;
        }
        return disconnect_internal(i, done, userdata, true);
}

int iface_set_settings(Iface *i, const Settings *s, IfaceDoneFunc done, void *userdata) {
        Settings *copy;
        bool live, conn_changed;
        int r;

        if (settings_equal(s, iface_configured_settings(i))) {
                /* Nothing new; a change still waiting is what it asks for. */
                if (i->next_settings && done)
                        return waiter_add(&i->settings_waiters, done, userdata);
                if (done)
                        done(i, 0, NULL, userdata);
                return 0;
        }

        copy = settings_dup(s);
        if (!copy)
                return -ENOMEM;
        if (done) {
                r = waiter_add(&i->settings_waiters, done, userdata);
                if (r < 0) {
                        settings_free(copy);
                        return r;
                }
        }

        if (i->op == IFACE_OP_DISCONNECT) {
                /* A teardown is in flight: the later request wins, and
                 * applies when it ends. */
                settings_free(i->next_settings);
                i->next_settings = copy;
                return 0;
        }

        conn_changed = connection_settings_differ(&i->settings, copy);
        live = !is_torn_down(i);
        if (live && (!copy->enabled || conn_changed)) {
                log_info("%s: %s; disconnecting first.", i->name,
                         copy->enabled ? "its connection settings changed" : "disabled");
                settings_free(i->next_settings);
                i->next_settings = copy;
                /* Connected or connecting: back with the new settings. */
                i->reconnect_after_teardown = copy->enabled &&
                                              (i->op == IFACE_OP_CONNECT || i->state == IFACE_CONNECTED ||
                                               i->state == IFACE_CONNECTING);
                /* Callers waiting for the attempt wait for the next one, or
                 * learn why there is none. */
                waiters_move(&i->connect_after_teardown, &i->connect_waiters);
                return disconnect_internal(i, NULL, NULL, true);
        }

        settings_apply(i, copy);
        iface_update(i);
        waiters_finish(i, waiters_take(&i->settings_waiters), 0, NULL);
        return 0;
}

void iface_abort_operations(Iface *i, int error, const char *message) {
        IfaceWaiter *c = waiters_take(&i->connect_waiters);
        IfaceWaiter *d = waiters_take(&i->disconnect_waiters);
        IfaceWaiter *t = waiters_take(&i->connect_after_teardown);
        IfaceWaiter *s = waiters_take(&i->settings_waiters);

        op_end(i);
        i->reconnect_after_teardown = false;
        waiters_finish(i, c, error ?: -WAND_E_CONNECTION_FAILED, message);
        waiters_finish(i, d, error ?: -ECANCELED, message);
        waiters_finish(i, t, error ?: -WAND_E_CONNECTION_FAILED, message);
        waiters_finish(i, s, error ?: -ECANCELED, message);
}

static void on_redial_timer(void *userdata) {
        Iface *i = userdata;

        if (i->gave_up) {
                /* The pause after giving up is over: reachable again. */
                i->gave_up = false;
                log_info("%s: may be connected again.", i->name);
                publish(i, 0);
                return;
        }
        if (i->op != IFACE_OP_CONNECT)
                return;
        log_info("%s: redialing (attempt %u).", i->name, i->redial_failures + 1);
        i->redial_attempt = true;
        attempt_start(i);
}

/* Waits, then dials again (the caller publishes the state): RedialIntervalSec,
 * doubled after each failure up to RedialMaxIntervalSec; after RedialAttempts
 * failures in a row, gives up and the interface is unreachable
 * (connection-failure) for the longest pause, so that nothing redials in a
 * tight loop. */
static void redial_schedule(Iface *i) {
        uint64_t delay;
        int r;

        if (!may_connect(i) || derive_reasons(i) != 0 || !(i->method->redials && i->settings.persistent)) {
                redial_stop(i);
                return;
        }
        if (i->settings.redial_attempts > 0 && i->redial_failures >= i->settings.redial_attempts) {
                log_warning("%s: giving up after %u failed redial attempts; unreachable for %u s.", i->name,
                            i->redial_failures, i->settings.redial_max_interval_sec);
                redial_stop(i);
                i->gave_up = true;
                (void) clock_timer_start(i->manager->clock, &i->redial_timer,
                                         sec_to_usec(i->settings.redial_max_interval_sec), on_redial_timer, i);
                return;
        }

        delay = i->settings.redial_interval_sec;
        for (unsigned k = 0; k < i->redial_failures && delay < i->settings.redial_max_interval_sec; k++)
                delay *= 2;
        if (delay > i->settings.redial_max_interval_sec)
                delay = i->settings.redial_max_interval_sec;

        log_info("%s: redialing in %" PRIu64 " s.", i->name, delay);
        i->op = IFACE_OP_CONNECT; /* connecting, after a pause */
        r = clock_timer_start(i->manager->clock, &i->redial_timer, delay * USEC_PER_SEC, on_redial_timer, i);
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

void iface_connection_adopted(Iface *i) {
        /* It was connected by someone's Connect(): keep it so. */
        i->redialing = i->method->redials && i->settings.persistent;
        /* Unless it may not be connected any more: disabled, or the
         * demand-dial manager stopped, while wand was not running. */
        if ((!i->settings.enabled || !i->manager->running) && i->method->torn_down && !i->method->torn_down(i)) {
                log_info("%s: %s; stopping the connection an earlier wand left running.", i->name,
                         i->settings.enabled ? "the demand-dial manager is stopped" : "it is disabled");
                (void) disconnect_internal(i, NULL, NULL, true);
        }
}

void iface_terminate(Iface *i) {
        if (i->method && i->method->release)
                i->method->release(i, true);
}
