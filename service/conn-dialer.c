/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervised-dialer connection method: ConnectCommand runs as a child
 * of wand (pppd, openvpn, …); the interface is connected while it runs and
 * Device is up with carrier. Teardown runs DisconnectCommand or sends SIGTERM
 * to the dialer's process group, and SIGKILL after DisconnectTimeoutSec.
 * Running dialers are recorded in the runtime directory so that a restarted
 * wand adopts them instead of dropping the link. */
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

typedef struct Dialer {
        Process *process;            /* ConnectCommand */
        Process *disconnect_command; /* DisconnectCommand, while it runs */
        ClockTimer *kill_timer;
        uint32_t netlink_request;
        bool link_was_up;        /* the dialer's link has been up with carrier */
        bool dropping;           /* its link dropped: we are stopping it */
        bool connect_after_exit; /* Connect() while it was being stopped */
} Dialer;

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
        /* Nothing to adopt after a restart any more. */
        (void) runtime_state_forget(i->manager->runtime_dir, i->name);
        (void) process_kill(d->process, SIGTERM);
        arm_kill_timer(i);
}

static bool dialer_busy(Iface *i) {
        Dialer *d = i->method_data;
        return d && d->netlink_request;
}

static bool dialer_torn_down(Iface *i) {
        Dialer *d = i->method_data;
        const Link *l = dialer_link(i);

        return (!d || !d->process) && (!l || !(l->flags & IFF_UP));
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
        int id;

        if (!d || !l || !(l->flags & IFF_UP) || d->netlink_request)
                return;
        id = netlink_set_link_up(i->manager->netlink, l->ifindex, false, on_link_down, i);
        if (id > 0)
                d->netlink_request = (uint32_t) id;
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
                iface_method_failed(i, -ECONNREFUSED, msg ?: "The dialer exited.");
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

        r = runtime_state_save(i->manager->runtime_dir, i->name, process_pid(d->process), process_start_time(d->process));
        if (r < 0)
                log_warning_errno(r, "%s: cannot record the dialer in %s (a restart of wand would drop it): %m", i->name,
                                  i->manager->runtime_dir);
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
        if (d->disconnect_command)
                (void) process_kill(d->disconnect_command, SIGKILL);
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
        Dialer *d;
        pid_t pid;
        uint64_t start_time;
        int r;

        r = runtime_state_load(i->manager->runtime_dir, i->name, &pid, &start_time);
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
        r = process_adopt(&d->process, i->manager->event, pid, start_time, i->name, on_dialer_exit, i);
        if (r < 0) {
                (void) runtime_state_forget(i->manager->runtime_dir, i->name);
                log_warning("%s: its dialer (pid %d) ended while wand was not running.", i->name, (int) pid);
                iface_connection_adopted(i);
                iface_connection_dropped(i, "the dialer ended while wand was not running.");
                return;
        }
        log_info("%s: adopted the running dialer (pid %d).", i->name, (int) pid);
        iface_connection_adopted(i);
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
                        log_info("%s: stopping its dialer (pid %d).", i->name, (int) process_pid(d->process));
                        (void) process_kill(d->process, SIGTERM);
                        manager_lingering_begin(i->manager);
                        process_reaper_add(i->manager->reaper, TAKE_PTR(d->process), i->settings.disconnect_timeout_sec,
                                           manager_lingering_end, i->manager);
                }
                if (d->disconnect_command) {
                        manager_lingering_begin(i->manager);
                        process_reaper_add(i->manager->reaper, TAKE_PTR(d->disconnect_command),
                                           i->settings.disconnect_timeout_sec, manager_lingering_end, i->manager);
                }
                CRASH_POINT("release-signalled");
                (void) runtime_state_forget(i->manager->runtime_dir, i->name);
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
        .torn_down = dialer_torn_down,
        .start_connect = dialer_start_connect,
        .start_disconnect = dialer_start_disconnect,
        .cancel = dialer_cancel,
        .restore = dialer_restore,
        .release = dialer_release,
};
