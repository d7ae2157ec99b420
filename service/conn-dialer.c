/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervised-dialer connection method: ConnectCommand runs as a child
 * of wand (pppd, openvpn, …); the interface is connected while it runs and
 * Device is up with carrier. Teardown runs DisconnectCommand or sends SIGTERM
 * to the dialer's process group, and SIGKILL after DisconnectTimeoutSec.
 * Running dialers are recorded in the runtime directory, from their start
 * until they have exited, so that a restarted wand adopts them instead of
 * dropping the link, and stops those that no interface owns any more. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn-method.h"
#include "crash-point.h"
#include "log.h"
#include "manager.h"
#include "process.h"
#include "runtime-state.h"
#include "strv.h"

typedef struct Dialer {
        Process *process;            /* ConnectCommand */
        Process *disconnect_command; /* DisconnectCommand, while it runs */
        ClockTimer *kill_timer;
        uint32_t netlink_request;
        bool link_was_up;        /* the dialer's link has been up with carrier */
        bool dropping;           /* its link dropped: we are stopping it */
        bool connect_after_exit; /* Connect() while it was being stopped */
        uint32_t recorded_kill_after; /* what its record says of DisconnectTimeoutSec */
        bool recorded_stopping;
} Dialer;

/* The dialer's record: what a restarted wand adopts (or, stopping, goes on
 * stopping) instead of leaving it unsupervised. */
static void record_save(Iface *i, bool stopping) {
        Dialer *d = i->method_data;
        DialerRecord rec = {
                .pid = process_pid(d->process),
                .start_time = process_start_time(d->process),
                .kill_after_sec = i->settings.disconnect_timeout_sec,
                .stopping = stopping,
        };
        int r;

        d->recorded_kill_after = rec.kill_after_sec;
        d->recorded_stopping = stopping;
        r = runtime_state_save(i->manager->runtime_dir, i->name, &rec);
        if (r < 0)
                log_warning_errno(r, "%s: cannot record the dialer (pid %d) in %s (a restart of wand would %s it): %m",
                                  i->name, (int) rec.pid, i->manager->runtime_dir, stopping ? "not stop" : "drop");
}

static Dialer *dialer_get(Iface *i) {
        if (!i->method_data)
                i->method_data = calloc(1, sizeof(Dialer));
        return i->method_data;
}

static const Link *dialer_link(Iface *i) {
        return manager_get_link(i->manager, i->settings.device);
}

static IfaceState dialer_observe(Iface *i) {
        Dialer *d = i->method_data;
        const Link *l = dialer_link(i);

        if (!d || !d->process)
                return IFACE_DISCONNECTED;
        if (d->dropping)
                /* Lost: a persistent interface is on its way back. */
                return i->redialing ? IFACE_CONNECTING : IFACE_DISCONNECTED;
        if (l && (l->flags & IFF_UP) && (l->flags & IFF_LOWER_UP))
                return IFACE_CONNECTED;
        /* Still coming up (adopted mid-attempt); a link that was up and
         * went away is a drop, see dialer_update(). */
        return IFACE_CONNECTING;
}

static void on_kill_timer(void *userdata);

static void arm_kill_timer(Iface *i) {
        Dialer *d = i->method_data;

        (void) clock_timer_start(i->manager->clock, &d->kill_timer, sec_to_usec(i->settings.disconnect_timeout_sec),
                                 on_kill_timer, i);
}

/* A dialer's link that was up went away or down without anyone asking: the
 * connection is lost. Stop the dialer; once it is reaped the loss is
 * reported (and a persistent interface redials with a fresh one). */
static void dialer_update(Iface *i) {
        Dialer *d = i->method_data;
        const Link *l = dialer_link(i);
        bool up = l && (l->flags & IFF_UP) && (l->flags & IFF_LOWER_UP);

        if (d && d->process && d->recorded_kill_after != i->settings.disconnect_timeout_sec)
                /* DisconnectTimeoutSec changed under it: a restarted wand
                 * gives it as long as this one would. */
                record_save(i, d->recorded_stopping);
        if (!d || !d->process || d->dropping || i->op == IFACE_OP_DISCONNECT)
                return;
        if (up) {
                d->link_was_up = true;
                return;
        }
        if (!d->link_was_up || i->op != IFACE_OP_NONE)
                return;

        log_warning("%s: %s %s under its running dialer; stopping the dialer (pid %d).", i->name, i->settings.device,
                    l ? "went down" : "went away", (int) process_pid(d->process));
        d->dropping = true;
        /* Nothing to adopt after a restart any more, but still to stop. */
        record_save(i, true);
        (void) process_kill(d->process, SIGTERM);
        arm_kill_timer(i);
}

static bool dialer_busy(Iface *i) {
        Dialer *d = i->method_data;
        return d && d->netlink_request;
}

/* The dialer or its DisconnectCommand: a teardown ends only once both have
 * exited (or were killed after DisconnectTimeoutSec). */
static bool dialer_running(Iface *i) {
        Dialer *d = i->method_data;
        return d && (d->process || d->disconnect_command);
}

static bool dialer_torn_down(Iface *i) {
        const Link *l = dialer_link(i);

        return !dialer_running(i) && (!l || !(l->flags & IFF_UP));
}

static void on_link_down(int error, void *userdata) {
        Iface *i = userdata;
        Dialer *d = i->method_data;

        if (d)
                d->netlink_request = 0;
        if (error < 0)
                log_warning_errno(error, "%s: could not set %s down after its dialer ended: %m", i->name,
                                  i->settings.device);
        iface_update(i);
}

/* The dialer is gone but left its device up (a persistent tun, say). */
static void set_link_down(Iface *i) {
        Dialer *d = i->method_data;
        const Link *l = dialer_link(i);

        if (!d || !l || !(l->flags & IFF_UP) || d->netlink_request)
                return;
        if (netlink_set_link_up(i->manager->netlink, l->ifindex, false, on_link_down, i, &d->netlink_request) < 0)
                d->netlink_request = 0;
}

static int dialer_start_connect(Iface *i);

static void on_dialer_exit(Process *p, int code, int status, void *userdata) {
        Iface *i = userdata;
        Dialer *d = i->method_data;
        _cleanup_free_ char *how = NULL, *msg = NULL;

        how = code ? process_describe_exit(code, status) : strdup("exited");
        log_info("%s: dialer (pid %d) %s.", i->name, (int) process_pid(p), how ?: "exited");
        d->process = process_free(p);
        d->link_was_up = false;
        d->dropping = false;
        (void) runtime_state_forget(i->manager->runtime_dir, i->name);

        if (i->op == IFACE_OP_CONNECT && d->connect_after_exit) {
                /* The old dialer is gone: now the one that was asked for. */
                int r;

                d->connect_after_exit = false;
                clock_timer_stop(&d->kill_timer);
                r = dialer_start_connect(i);
                if (r < 0) {
                        if (asprintf(&msg, "Could not start the dialer of %s: %s", i->name, strerror(-r)) < 0)
                                msg = NULL;
                        iface_method_failed(i, r, msg ?: "Could not start the dialer.");
                } else
                        iface_update(i);
                return;
        }

        switch (i->op) {
        case IFACE_OP_CONNECT:
                if (asprintf(&msg, "The dialer of %s (%s) %s before %s came up.", i->name, i->settings.connect_command[0],
                             how ?: "exited", i->settings.device) < 0)
                        msg = NULL;
                iface_dialer_exited(i, msg ?: "The dialer exited.");
                break;
        case IFACE_OP_DISCONNECT:
                set_link_down(i);
                iface_update(i);
                break;
        case IFACE_OP_NONE:
                if (asprintf(&msg, "the dialer (%s) %s.", i->settings.connect_command[0], how ?: "exited") < 0)
                        msg = NULL;
                iface_connection_dropped(i, msg ?: "the dialer exited.");
                break;
        }
}

static int dialer_start_connect(Iface *i) {
        Dialer *d = dialer_get(i);
        _cleanup_free_ char *env_iface = NULL, *env_device = NULL;
        int r;

        if (!d)
                return -ENOMEM;
        if (d->process && d->dropping) {
                /* Its link dropped and it is being stopped: start afresh
                 * once it is gone. */
                d->connect_after_exit = true;
                return 0;
        }
        if (d->process)
                return 0; /* already dialing (adopted after a restart) */
        if (d->disconnect_command)
                /* Not beside the DisconnectCommand of the last dialer: only
                 * a teardown that timed out leaves one running. */
                return -EBUSY;

        if (asprintf(&env_iface, "WAND_INTERFACE=%s", i->name) < 0 ||
            asprintf(&env_device, "WAND_DEVICE=%s", i->settings.device) < 0)
                return -ENOMEM;
        char *env[] = { env_iface, env_device, NULL };

        /* Held until it is recorded: killed in between, wand would leave a
         * dialer running that no record names and no restart could find. */
        r = process_spawn_held(&d->process, i->manager->event, i->settings.connect_command, env, i->name,
                               on_dialer_exit, i);
        if (r < 0)
                return log_error_errno(r, "%s: cannot start the dialer %s: %m", i->name, i->settings.connect_command[0]);
        log_info("%s: started dialer %s (pid %d).", i->name, i->settings.connect_command[0], (int) process_pid(d->process));
        CRASH_POINT("dialer-spawned");

        record_save(i, false);
        (void) process_let_go(d->process);
        return 0;
}

static void on_disconnect_command_exit(Process *p, int code, int status, void *userdata) {
        Iface *i = userdata;
        Dialer *d = i->method_data;
        _cleanup_free_ char *how = process_describe_exit(code, status);

        if (!(code == CLD_EXITED && status == 0))
                log_warning("%s: DisconnectCommand %s.", i->name, how ?: "failed");
        d->disconnect_command = process_free(p);
        iface_update(i);
}

static void on_kill_timer(void *userdata) {
        Iface *i = userdata;
        Dialer *d = i->method_data;

        if (d->process) {
                log_warning("%s: dialer (pid %d) still running after %u s; killing it.", i->name,
                            (int) process_pid(d->process), i->settings.disconnect_timeout_sec);
                (void) process_kill(d->process, SIGKILL);
        }
        if (d->disconnect_command) {
                log_warning("%s: DisconnectCommand (pid %d) still running after %u s; killing it.", i->name,
                            (int) process_pid(d->disconnect_command), i->settings.disconnect_timeout_sec);
                (void) process_kill(d->disconnect_command, SIGKILL);
        }
}

static int dialer_start_disconnect(Iface *i) {
        Dialer *d = dialer_get(i);
        int r;

        if (!d)
                return -ENOMEM;
        if (!d->process) {
                set_link_down(i);
                return 0;
        }
        /* A wand restarted meanwhile goes on stopping it, not adopts it. */
        record_save(i, true);

        if (i->settings.disconnect_command && i->settings.disconnect_command[0] && !d->disconnect_command) {
                _cleanup_free_ char *log_name = NULL, *env_iface = NULL, *env_device = NULL, *env_pid = NULL;

                if (asprintf(&log_name, "%s (disconnect)", i->name) < 0 ||
                    asprintf(&env_iface, "WAND_INTERFACE=%s", i->name) < 0 ||
                    asprintf(&env_device, "WAND_DEVICE=%s", i->settings.device) < 0 ||
                    asprintf(&env_pid, "WAND_DIALER_PID=%d", (int) process_pid(d->process)) < 0)
                        return -ENOMEM;
                char *env[] = { env_iface, env_device, env_pid, NULL };
                r = process_spawn(&d->disconnect_command, i->manager->event, i->settings.disconnect_command, env, log_name,
                                  on_disconnect_command_exit, i);
                if (r < 0) {
                        log_warning_errno(r, "%s: cannot run DisconnectCommand (%m); sending SIGTERM instead.", i->name);
                        (void) process_kill(d->process, SIGTERM);
                }
        } else
                (void) process_kill(d->process, SIGTERM);

        d->connect_after_exit = false;
        arm_kill_timer(i);
        CRASH_POINT("teardown-signalled");
        return 0;
}

static void dialer_cancel(Iface *i) {
        Dialer *d = i->method_data;

        if (!d)
                return;
        d->connect_after_exit = false;
        /* A dropped dialer is still to be killed if it lingers. */
        if (!d->dropping)
                clock_timer_stop(&d->kill_timer);
        if (d->netlink_request) {
                netlink_cancel(i->manager->netlink, d->netlink_request);
                d->netlink_request = 0;
        }
}

static void dialer_restore(Iface *i) {
        DialerRecord rec;
        Dialer *d;
        int r;

        r = runtime_state_load(i->manager->runtime_dir, i->name, &rec);
        if (r == -ENOENT)
                return;
        if (r < 0) {
                log_warning_errno(r, "%s: cannot read its dialer record in %s: %m", i->name, i->manager->runtime_dir);
                return;
        }
        d = dialer_get(i);
        if (!d) {
                log_oom();
                return;
        }
        r = process_adopt(&d->process, i->manager->event, rec.pid, rec.start_time, i->name, on_dialer_exit, i);
        if (r < 0) {
                (void) runtime_state_forget(i->manager->runtime_dir, i->name);
                log_warning("%s: its dialer (pid %d) ended while wand was not running.", i->name, (int) rec.pid);
                iface_connection_adopted(i);
                iface_connection_dropped(i, "the dialer ended while wand was not running.");
                return;
        }
        d->recorded_kill_after = rec.kill_after_sec;
        d->recorded_stopping = rec.stopping;
        if (rec.stopping) {
                /* The wand before was stopping it (its link had dropped, or
                 * a teardown): finish that. Its exit is a drop as any. */
                log_info("%s: adopted its dialer (pid %d), which was being stopped; stopping it.", i->name,
                         (int) rec.pid);
                iface_connection_adopted(i);
                d->dropping = true;
                (void) process_kill(d->process, SIGTERM);
                (void) clock_timer_start(i->manager->clock, &d->kill_timer, sec_to_usec(rec.kill_after_sec),
                                         on_kill_timer, i);
                return;
        }
        log_info("%s: adopted the running dialer (pid %d).", i->name, (int) rec.pid);
        iface_connection_adopted(i);
}

/* The reaper is done with the dialer of an interface that is gone: its
 * record goes, and Stop and Reload stop waiting for it. */
typedef struct Stopped {
        Manager *manager;
        char *record;
} Stopped;

static void on_orphan_reaped(void *userdata) {
        Stopped *s = userdata;

        (void) runtime_state_forget(s->manager->runtime_dir, s->record);
        manager_lingering_end(s->manager);
        free(s->record);
        free(s);
}

/* Takes p. record: its record's name, forgotten once it has exited (NULL:
 * it has none). */
static void stop_orphan(Manager *m, Process *p, const char *record, uint32_t kill_after_sec) {
        Stopped *s = NULL;

        if (record) {
                s = calloc(1, sizeof(*s));
                if (s)
                        s->record = strdup(record);
                if (!s || !s->record) {
                        /* Its record stays: a restarted wand stops it. */
                        free(s);
                        log_oom();
                        s = NULL;
                } else
                        s->manager = m;
        }
        (void) process_kill(p, SIGTERM);
        manager_lingering_begin(m);
        process_reaper_add(m->reaper, p, kill_after_sec, s ? on_orphan_reaped : manager_lingering_end,
                           s ? (void *) s : (void *) m);
}

static bool strv_contains(char *const *l, const char *s) {
        for (; l && *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

void dialer_stop_unowned(Manager *m, char *const *keep, bool at_start) {
        char **records = NULL;
        int r;

        r = runtime_state_list(m->runtime_dir, &records);
        if (r < 0) {
                log_warning_errno(r, "Cannot read the dialer records in %s/dialers (dialers of interfaces that are "
                                  "gone stay running): %m", m->runtime_dir);
                return;
        }
        for (char **name = records; *name; name++) {
                const char *iface = runtime_state_record_interface(*name);
                bool stopping = !streq(iface, *name);
                DialerRecord rec;
                Process *p;
                Iface *i;

                /* Those of interfaces that are gone are this wand's own after
                 * the start: in its reaper already. */
                if (stopping && !at_start)
                        continue;
                if (!stopping && strv_contains(keep, iface))
                        continue;
                if (!stopping && (i = manager_find_iface(m, iface)) && i->method == &conn_method_dialer)
                        continue; /* adopted (or refused) by its interface */
                r = runtime_state_load(m->runtime_dir, *name, &rec);
                if (r < 0) {
                        if (r != -ENOENT)
                                log_warning_errno(r, "Cannot read the dialer record %s/dialers/%s: %m", m->runtime_dir,
                                                  *name);
                        continue;
                }
                /* The same check as an adoption's: a pid reused since is not
                 * the dialer. */
                r = process_adopt(&p, m->event, rec.pid, rec.start_time, iface, NULL, NULL);
                if (r < 0) {
                        log_info("%s: its dialer (pid %d) ended while wand was not running.", iface, (int) rec.pid);
                        (void) runtime_state_forget(m->runtime_dir, *name);
                        continue;
                }
                log_notice("%s: stopping its dialer (pid %d), left running by an earlier wand: %s.", iface,
                           (int) rec.pid, stopping ? "the interface was removed" : "its configuration file is gone");
                stop_orphan(m, p, *name, rec.kill_after_sec);
        }
        strv_free(records);
}

static void dialer_release(Iface *i, bool terminate) {
        Dialer *d = i->method_data;

        if (!d)
                return;
        dialer_cancel(i);
        clock_timer_stop(&d->kill_timer);
        if (terminate) {
                /* The interface is gone, its processes are not yet: they are
                 * still stopped, reaped, and killed if they linger. */
                /* Until they are gone, Stop and Reload wait for them. */
                if (d->process) {
                        /* Its record moves aside (an interface of the same
                         * name may start a dialer of its own) and stays
                         * until it has exited: a wand restarted meanwhile
                         * goes on stopping it. */
                        _cleanup_free_ char *record = runtime_state_stopping_name(i->name, process_pid(d->process));
                        DialerRecord rec = {
                                .pid = process_pid(d->process),
                                .start_time = process_start_time(d->process),
                                .kill_after_sec = i->settings.disconnect_timeout_sec,
                                .stopping = true,
                        };
                        int r = record ? runtime_state_save(i->manager->runtime_dir, record, &rec) : -ENOMEM;

                        if (r < 0)
                                log_warning_errno(r, "%s: cannot record its dialer (pid %d) as being stopped: %m", i->name,
                                                  (int) rec.pid);
                        (void) runtime_state_forget(i->manager->runtime_dir, i->name);
                        log_info("%s: stopping its dialer (pid %d).", i->name, (int) rec.pid);
                        stop_orphan(i->manager, TAKE_PTR(d->process), r < 0 ? NULL : record,
                                    i->settings.disconnect_timeout_sec);
                }
                if (d->disconnect_command) {
                        manager_lingering_begin(i->manager);
                        process_reaper_add(i->manager->reaper, TAKE_PTR(d->disconnect_command),
                                           i->settings.disconnect_timeout_sec, manager_lingering_end, i->manager);
                }
                CRASH_POINT("release-signalled");
        }
        process_free(d->process);
        process_free(d->disconnect_command);
        free(d);
        i->method_data = NULL;
}

const ConnMethod conn_method_dialer = {
        .name = "dialer",
        .device_required = false,
        .redials = true,
        .observe = dialer_observe,
        .update = dialer_update,
        .busy = dialer_busy,
        .running = dialer_running,
        .torn_down = dialer_torn_down,
        .start_connect = dialer_start_connect,
        .start_disconnect = dialer_start_disconnect,
        .cancel = dialer_cancel,
        .restore = dialer_restore,
        .release = dialer_release,
};
