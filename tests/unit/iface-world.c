/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See iface-world.h. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "config.h"
#include "conn-method.h"
#include "iface-world.h"
#include "log.h"
#include "wand-errors.h"

/* The scripted methods reach their world through the manager's clock. */
static World *world_of(Iface *i) {
        return i->manager->clock->data;
}

/* ── the fake clock ─────────────────────────────────────────────────── */

typedef struct FakeTimer {
        uint64_t due;
        uint64_t seq;
} FakeTimer;

static uint64_t fake_now(Clock *c, clockid_t id) {
        World *w = c->data;
        /* Realtime: some fixed day, moving with the monotonic clock. */
        return id == CLOCK_REALTIME ? UINT64_C(1795000000000000) + w->now : w->now;
}

typedef struct TimerList {
        ClockTimer **items;
        size_t n, allocated;
        uint64_t seq;
} TimerList;

static int fake_arm(Clock *c, ClockTimer *t) {
        World *w = c->data;
        TimerList *l = w->timers;
        FakeTimer *f;

        if (l->n == l->allocated) {
                size_t m = l->allocated ? l->allocated * 2 : 16;
                ClockTimer **items = realloc(l->items, m * sizeof(*items));
                if (!items)
                        return -ENOMEM;
                l->items = items;
                l->allocated = m;
        }
        f = malloc(sizeof(*f));
        if (!f)
                return -ENOMEM;
        *f = (FakeTimer) { .due = w->now + t->usec, .seq = ++l->seq };
        t->impl = f;
        l->items[l->n++] = t;
        return 0;
}

static void fake_disarm(Clock *c, ClockTimer *t) {
        World *w = c->data;
        TimerList *l = w->timers;

        for (size_t k = 0; k < l->n; k++)
                if (l->items[k] == t) {
                        l->items[k] = l->items[--l->n];
                        break;
                }
        free(t->impl);
        t->impl = NULL;
}

static const ClockOps fake_clock_ops = {
        .now = fake_now,
        .arm = fake_arm,
        .disarm = fake_disarm,
};

static ClockTimer *earliest_timer(World *w) {
        TimerList *l = w->timers;
        ClockTimer *best = NULL;

        for (size_t k = 0; k < l->n; k++) {
                FakeTimer *f = l->items[k]->impl, *b = best ? best->impl : NULL;
                if (!b || f->due < b->due || (f->due == b->due && f->seq < b->seq))
                        best = l->items[k];
        }
        return best;
}

bool world_clock_next(World *w) {
        ClockTimer *t = earliest_timer(w);
        uint64_t due;

        if (!t)
                return false;
        due = ((FakeTimer *) t->impl)->due;
        w->now = due;
        /* Everything due now, in the order it was armed; a timer armed by a
         * callback for "now + 0" fires too. */
        while ((t = earliest_timer(w)) && ((FakeTimer *) t->impl)->due <= due)
                clock_timer_fire(t);
        return true;
}

/* ── the kernel ─────────────────────────────────────────────────────── */

WorldLink *world_link(World *w, const char *name) {
        for (size_t k = 0; k < w->n_links; k++)
                if (streq(w->links[k].name, name))
                        return &w->links[k];
        return NULL;
}

static void queue(World *w, const WorldMessage *m) {
        if (w->n_messages == WORLD_MAX_MESSAGES)
                abort(); /* the generator keeps far below */
        w->messages[w->n_messages++] = *m;
}

static void notify(World *w, uint16_t type, unsigned char family, const WorldLink *l) {
        WorldMessage m = { .type = type, .family = family, .link.ifindex = l->ifindex };

        m.link.flags = (l->up ? IFF_UP : 0) | (l->up && l->carrier ? IFF_LOWER_UP | IFF_RUNNING : 0);
        snprintf(m.link.name, sizeof(m.link.name), "%s", l->name);
        queue(w, &m);
}

static void feed(World *w, const WorldMessage *m) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = m->type;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = m->family;
        ifi->ifi_index = m->link.ifindex;
        ifi->ifi_flags = m->link.flags;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, m->link.name);
        link_cache_apply(w->manager->links, nlh);
}

static WorldLink *link_make(World *w, const char *name) {
        WorldLink *l = world_link(w, name);

        if (!l) {
                if (w->n_links == WORLD_MAX_LINKS)
                        abort();
                l = &w->links[w->n_links++];
                snprintf(l->name, sizeof(l->name), "%s", name);
        }
        return l;
}

void world_link_add(World *w, const char *name, bool carrier) {
        WorldLink *l = link_make(w, name);

        if (l->exists)
                return;
        *l = (WorldLink) { .ifindex = ++w->next_ifindex, .exists = true, .carrier = carrier,
                           .managed_elsewhere = l->managed_elsewhere };
        snprintf(l->name, sizeof(l->name), "%s", name);
        notify(w, RTM_NEWLINK, AF_UNSPEC, l);
}

void world_link_set(World *w, const char *name, bool up, bool carrier) {
        WorldLink *l = world_link(w, name);

        if (!l || !l->exists)
                return;
        if (l->up != up)
                l->up_by_wand = false;
        l->up = up;
        l->carrier = carrier;
        notify(w, RTM_NEWLINK, AF_UNSPEC, l);
}

void world_link_del(World *w, const char *name) {
        WorldLink *l = world_link(w, name);

        if (!l || !l->exists)
                return;
        l->exists = l->up = l->up_by_wand = false;
        notify(w, RTM_DELLINK, AF_UNSPEC, l);
}

void world_set_managed_elsewhere(World *w, const char *name, bool managed) {
        WorldLink *l = link_make(w, name);

        if (l->managed_elsewhere == managed)
                return;
        l->managed_elsewhere = managed;
        /* The other manager's now: what it does with the link is not wand's
         * doing. */
        if (managed)
                l->up_by_wand = false;
        manager_update_all(w->manager);
}

static unsigned scripted_link_owners(Manager *m, const char *device) {
        WorldLink *l = device ? world_link(m->clock->data, device) : NULL;
        return l && l->managed_elsewhere ? LINK_OWNER_NETWORKMANAGER : 0;
}

void world_link_bridge_del(World *w, const char *name) {
        WorldLink *l = world_link(w, name);

        if (l && l->exists)
                notify(w, RTM_DELLINK, AF_BRIDGE, l);
}

/* ── the scripted device method ─────────────────────────────────────── */

static const Link *iface_link(Iface *i) {
        return manager_get_link(i->manager, i->settings.device);
}

static IfaceState device_observe(Iface *i) {
        const Link *l = iface_link(i);

        if (!l || !(l->flags & IFF_UP))
                return IFACE_DISCONNECTED;
        return (l->flags & IFF_LOWER_UP) ? IFACE_CONNECTED : IFACE_CONNECTING;
}

/* The device method's request in flight, per interface. */
typedef struct DeviceState {
        unsigned request;
} DeviceState;

static void request_cancel(World *w, unsigned request) {
        if (request && w->n_cancelled < WORLD_MAX_MESSAGES)
                w->cancelled[w->n_cancelled++] = request;
}

static void device_cancel(Iface *i) {
        DeviceState *d = i->method_data;

        if (d) {
                request_cancel(world_of(i), d->request);
                d->request = 0;
        }
}

/* As netlink_set_link_up(): the kernel makes the change while wand sends
 * the request; its notification and then its answer are queued. */
static int device_request(Iface *i, bool up) {
        World *w = world_of(i);
        const Link *l = iface_link(i);
        DeviceState *d = i->method_data;
        WorldMessage answer = { .is_answer = true };
        WorldLink *k = NULL;

        if (!l)
                return up ? -ENODEV : 0;
        if (!d && !(d = i->method_data = calloc(1, sizeof(DeviceState))))
                return -ENOMEM;
        device_cancel(i);
        for (size_t n = 0; n < w->n_links; n++)
                if (w->links[n].exists && w->links[n].ifindex == l->ifindex)
                        k = &w->links[n];
        if (k) {
                k->up = up;
                k->up_by_wand = up;
                notify(w, RTM_NEWLINK, AF_UNSPEC, k);
        } else
                answer.error = -ENODEV;
        answer.request = d->request = ++w->next_request;
        snprintf(answer.iface, sizeof(answer.iface), "%s", i->name);
        queue(w, &answer);
        return 0;
}

static int device_start_connect(Iface *i) {
        return device_request(i, true);
}

static int device_start_disconnect(Iface *i) {
        return device_request(i, false);
}

static void device_release(Iface *i, bool terminate) {
        WorldLink *l = world_link(world_of(i), i->settings.device);

        device_cancel(i);
        free(i->method_data);
        i->method_data = NULL;
        /* No longer managed (its file was removed): wand leaves the link as
         * it is, and it is no longer any interface's doing. */
        if (terminate && l)
                l->up_by_wand = false;
}

static bool device_busy(Iface *i) {
        DeviceState *d = i->method_data;
        return d && d->request;
}

static const ConnMethod scripted_device = {
        .name = "scripted-device",
        .device_required = true,
        .observe = device_observe,
        .busy = device_busy,
        .start_connect = device_start_connect,
        .start_disconnect = device_start_disconnect,
        .cancel = device_cancel,
        .release = device_release,
};

static bool request_is_cancelled(World *w, unsigned request) {
        for (size_t k = 0; k < w->n_cancelled; k++)
                if (w->cancelled[k] == request) {
                        w->cancelled[k] = w->cancelled[--w->n_cancelled];
                        return true;
                }
        return false;
}

bool world_netlink_deliver(World *w) {
        WorldMessage m;
        Iface *i;

        if (w->n_messages == 0)
                return false;
        m = w->messages[0];
        memmove(w->messages, w->messages + 1, (--w->n_messages) * sizeof(WorldMessage));
        if (!m.is_answer) {
                feed(w, &m);
                return true;
        }
        if (request_is_cancelled(w, m.request))
                return true;
        i = manager_find_iface(w->manager, m.iface);
        if (!i || !i->method_data || ((DeviceState *) i->method_data)->request != m.request)
                return true;
        ((DeviceState *) i->method_data)->request = 0;
        if (m.error < 0)
                iface_method_failed(i, m.error, "Could not set the device's state: no such device.");
        else
                iface_update(i);
        return true;
}

void world_netlink_flush(World *w) {
        while (world_netlink_deliver(w))
                ;
}

size_t world_requests_pending(World *w) {
        size_t n = 0;

        for (size_t k = 0; k < w->n_messages; k++)
                n += w->messages[k].is_answer;
        return n;
}

/* ── the scripted dialer method ─────────────────────────────────────── */

static WorldProc *proc_find(World *w, const char *iface, bool disconnect_command) {
        for (size_t k = 0; k < w->n_procs; k++)
                if (!w->procs[k].orphan && w->procs[k].disconnect_command == disconnect_command &&
                    streq(w->procs[k].iface, iface))
                        return &w->procs[k];
        return NULL;
}

WorldProc *world_proc(World *w, const char *iface) {
        return proc_find(w, iface, false);
}

WorldProc *world_disconnect_command(World *w, const char *iface) {
        return proc_find(w, iface, true);
}

static WorldProc *proc_make(World *w, const char *iface, bool disconnect_command) {
        WorldProc *p = proc_find(w, iface, disconnect_command);

        for (size_t k = 0; !p && k < w->n_procs; k++)
                if (w->procs[k].orphan && !w->procs[k].running)
                        p = &w->procs[k]; /* a slot that is free again */
        if (!p) {
                if (w->n_procs == WORLD_MAX_PROCS)
                        abort();
                p = &w->procs[w->n_procs++];
        }
        if (p->orphan)
                *p = (WorldProc) {};
        snprintf(p->iface, sizeof(p->iface), "%s", iface);
        p->disconnect_command = disconnect_command;
        return p;
}

static bool proc_running(World *w, const char *iface) {
        WorldProc *p = world_proc(w, iface);
        return p && p->running;
}

static bool disconnect_command_running(World *w, const char *iface) {
        WorldProc *p = world_disconnect_command(w, iface);
        return p && p->running;
}

/* As conn-dialer.c's: the dialer or its DisconnectCommand. */
static bool dialer_running(Iface *i) {
        return proc_running(world_of(i), i->name) || disconnect_command_running(world_of(i), i->name);
}

static IfaceState dialer_observe(Iface *i) {
        const Link *l = iface_link(i);

        if (!proc_running(world_of(i), i->name))
                return IFACE_DISCONNECTED;
        return l && (l->flags & IFF_UP) && (l->flags & IFF_LOWER_UP) ? IFACE_CONNECTED : IFACE_CONNECTING;
}

static bool dialer_torn_down(Iface *i) {
        return !dialer_running(i);
}

static int dialer_start_connect(Iface *i) {
        World *w = world_of(i);
        WorldProc *p = proc_make(w, i->name, false);

        if (p->running)
                return 0; /* still dialing */
        if (disconnect_command_running(w, i->name))
                return -EBUSY; /* as conn-dialer.c: never beside it */
        if (w->dialers_fail_to_start)
                return -ENOENT;
        p->running = true;
        p->term = p->killed = false;
        p->ignores_term = w->dialers_ignore_term;
        snprintf(p->device, sizeof(p->device), "%s", i->settings.device);
        return 0;
}

static void on_kill(void *userdata) {
        WorldProc *p = userdata;
        p->killed = true;
}

static void proc_arm_kill(World *w, WorldProc *p, uint32_t kill_after_sec) {
        (void) clock_timer_start(&w->clock, &p->kill_timer, sec_to_usec(kill_after_sec), on_kill, p);
}

static void proc_signal(World *w, WorldProc *p, uint32_t kill_after_sec) {
        p->term = true;
        proc_arm_kill(w, p, kill_after_sec);
}

static int dialer_start_disconnect(Iface *i) {
        World *w = world_of(i);
        WorldProc *p = world_proc(w, i->name), *c;

        if (!p || !p->running)
                return 0;
        if (strv_length(i->settings.disconnect_command) > 0 && !disconnect_command_running(w, i->name)) {
                /* It hangs the dialer up (the dialer exits when the test
                 * says); both are killed after DisconnectTimeoutSec. */
                c = proc_make(w, i->name, true);
                *c = (WorldProc) { .running = true, .disconnect_command = true };
                snprintf(c->iface, sizeof(c->iface), "%s", i->name);
                proc_arm_kill(w, c, i->settings.disconnect_timeout_sec);
                proc_arm_kill(w, p, i->settings.disconnect_timeout_sec);
        } else if (!p->term)
                proc_signal(w, p, i->settings.disconnect_timeout_sec);
        return 0;
}

static void dialer_release(Iface *i, bool terminate) {
        World *w = world_of(i);
        WorldProc *p = world_proc(w, i->name), *c = world_disconnect_command(w, i->name);

        /* The interface is gone: its dialer is stopped all the same, as
         * conn-dialer.c hands it to the reaper — SIGTERM, SIGKILL after
         * DisconnectTimeoutSec — and Stop and Reload wait for it. So is a
         * DisconnectCommand still running, without SIGTERM. */
        if (terminate && p && p->running) {
                p->orphan = true;
                if (!p->term)
                        proc_signal(w, p, i->settings.disconnect_timeout_sec);
                manager_lingering_begin(i->manager);
        }
        if (terminate && c && c->running) {
                c->orphan = true;
                proc_arm_kill(w, c, i->settings.disconnect_timeout_sec);
                manager_lingering_begin(i->manager);
        }
}

static const ConnMethod scripted_dialer = {
        .name = "scripted-dialer",
        .device_required = false,
        .redials = true,
        .observe = dialer_observe,
        .running = dialer_running,
        .torn_down = dialer_torn_down,
        .start_connect = dialer_start_connect,
        .start_disconnect = dialer_start_disconnect,
        .release = dialer_release,
};

static const ConnMethod *scripted_method_for(const Settings *s) {
        return strv_length(s->connect_command) > 0 ? &scripted_dialer : &scripted_device;
}

bool world_dialer_up(World *w, const char *iface) {
        WorldProc *p = world_proc(w, iface);
        WorldLink *l;

        if (!p || !p->running || p->killed)
                return false;
        l = world_link(w, p->device);
        if (!l || !l->exists) {
                world_link_add(w, p->device, true);
                l = world_link(w, p->device);
                l->made_by_dialer = true;
        }
        if (l->up && l->carrier)
                return false;
        world_link_set(w, p->device, true, true);
        return true;
}

bool world_dialer_exit(World *w, const char *iface) {
        WorldProc *p = world_proc(w, iface);
        return p && world_proc_exit(w, p);
}

bool world_proc_exit(World *w, WorldProc *p) {
        WorldLink *l;
        Iface *i;

        if (!p->running)
                return false;
        p->running = false;
        clock_timer_stop(&p->kill_timer);
        if (p->orphan) {
                /* Reaped. */
                manager_lingering_end(w->manager);
                i = NULL;
        } else
                i = manager_find_iface(w->manager, p->iface);
        if (i && i->method == &scripted_dialer && p->disconnect_command)
                iface_update(i); /* as conn-dialer.c reports its exit */
        else if (i && i->method == &scripted_dialer) {
                /* As conn-dialer.c reports an exit. */
                switch (i->op) {
                case IFACE_OP_CONNECT:
                        if (i->redial_timer)
                                iface_update(i);
                        else
                                iface_dialer_exited(i, "The dialer exited before the device came up.");
                        break;
                case IFACE_OP_DISCONNECT:
                        iface_update(i);
                        break;
                case IFACE_OP_NONE:
                        iface_connection_dropped(i, "the dialer exited.");
                        break;
                }
        }
        /* Its tun goes with it. */
        l = p->disconnect_command ? NULL : world_link(w, p->device);
        if (l && l->exists && l->made_by_dialer)
                world_link_del(w, p->device);
        return true;
}

/* ── calls ──────────────────────────────────────────────────────────── */

const char *call_kind_to_string(CallKind k) {
        static const char *const table[_CALL_KIND_MAX] = {
                [CALL_CONNECT] = "Connect",     [CALL_DISCONNECT] = "Disconnect",
                [CALL_SET_ENABLED] = "SetEnabled", [CALL_DELETE] = "Delete",
                [CALL_CREATE] = "CreateInterface", [CALL_RELOAD] = "Reload",
                [CALL_START] = "StartDemandDialManager", [CALL_STOP] = "StopDemandDialManager",
        };
        return table[k];
}

static void call_answer(WorldCall *c, const char *error, const char *message) {
        c->answers++;
        c->phase = CALL_ANSWERED;
        snprintf(c->error, sizeof(c->error), "%s", error ?: "");
        snprintf(c->message, sizeof(c->message), "%s", message ?: "");
}

static void call_answer_errno(WorldCall *c, Iface *i, int r, const char *message) {
        sd_bus_error error = SD_BUS_ERROR_NULL;

        if (r >= 0)
                call_answer(c, NULL, NULL);
        else {
                /* The bus layer's own mapping to the contract's names. */
                iface_bus_error(i, r, message, &error);
                call_answer(c, error.name, error.message);
                sd_bus_error_free(&error);
        }
}

static void on_iface_done(Iface *i, int r, const char *message, void *userdata) {
        WorldCall *c = userdata;

        call_answer_errno(c, i, r, message);
        c->state_at_answer = i->state;
        snprintf(c->last_error_at_answer, sizeof(c->last_error_at_answer), "%s", i->last_error);
}

static void on_manager_done(Manager *m, int r, void *userdata) {
        WorldCall *c = userdata;

        call_answer(c, r < 0 ? SD_BUS_ERROR_FAILED : NULL, NULL);
        c->running_at_answer = m->running;
}

WorldCall *world_call(World *w, CallKind kind, const char *name) {
        WorldCall *c = calloc(1, sizeof(*c));

        if (!c || w->n_calls == WORLD_MAX_CALLS)
                abort();
        c->id = ++w->next_call_id;
        c->kind = kind;
        snprintf(c->name, sizeof(c->name), "%s", name ?: "");
        settings_init(&c->settings);
        c->phase = CALL_AUTHORIZING;
        w->calls[w->n_calls++] = c;
        return c;
}

static void run_call(World *w, WorldCall *c) {
        Manager *m = w->manager;
        Iface *i = NULL;
        int r;

        c->phase = CALL_RUNNING;
        if (c->kind <= CALL_DELETE) {
                /* The handle first: a path that names no interface. */
                i = manager_find_iface(m, c->name);
                if (!i) {
                        call_answer(c, WAND_ERROR_INVALID_HANDLE, "names no WAN interface");
                        return;
                }
        }
        switch (c->kind) {
        case CALL_CONNECT:
                r = iface_connect(i, on_iface_done, c);
                break;
        case CALL_DISCONNECT:
                r = iface_disconnect(i, on_iface_done, c);
                break;
        case CALL_SET_ENABLED:
                r = manager_set_iface_enabled_async(m, i, c->arg, on_iface_done, c);
                break;
        case CALL_DELETE:
                r = iface_is_idle(i) ? manager_delete_iface(m, i) : -WAND_E_INTERFACE_CONNECTED;
                if (r >= 0)
                        call_answer(c, NULL, NULL);
                break;
        case CALL_CREATE:
                r = manager_find_iface(m, c->name) ? -WAND_E_INTERFACE_ALREADY_EXISTS
                                                   : manager_create_iface(m, c->name, &c->settings, NULL);
                if (r == -WAND_E_INTERFACE_ALREADY_EXISTS)
                        call_answer(c, WAND_ERROR_INTERFACE_ALREADY_EXISTS, NULL);
                else
                        call_answer(c, r < 0 ? SD_BUS_ERROR_FAILED : NULL, NULL);
                return;
        case CALL_RELOAD:
                r = manager_reload(m, on_manager_done, c);
                if (r < 0)
                        call_answer(c, SD_BUS_ERROR_FAILED, NULL);
                return;
        case CALL_START:
                r = manager_start_ddm(m);
                call_answer(c, r < 0 ? SD_BUS_ERROR_FAILED : NULL, NULL);
                return;
        case CALL_STOP:
                r = manager_stop_ddm(m, on_manager_done, c);
                if (r < 0)
                        call_answer(c, SD_BUS_ERROR_FAILED, NULL);
                return;
        default:
                abort();
        }
        if (r < 0)
                call_answer_errno(c, i, r, NULL);
        if (i && c->answers && manager_find_iface(m, c->name) == i) {
                c->state_at_answer = i->state;
                snprintf(c->last_error_at_answer, sizeof(c->last_error_at_answer), "%s", i->last_error);
        }
}

void world_authorize(World *w, WorldCall *c, bool allow) {
        if (c->phase != CALL_AUTHORIZING)
                abort();
        if (!allow) {
                call_answer(c, SD_BUS_ERROR_ACCESS_DENIED, "Not authorized.");
                return;
        }
        run_call(w, c);
}

Iface *world_iface(World *w, const char *name) {
        return manager_find_iface(w->manager, name);
}

/* ── configuration files ───────────────────────────────────────────── */

void world_write_iface(World *w, const char *name, const Settings *s) {
        if (config_write_interface(w->config_dir, name, s) < 0)
                abort();
}

void world_remove_iface_file(World *w, const char *name) {
        (void) config_remove_interface(w->config_dir, name);
}

bool world_read_iface(World *w, const char *name, Settings *ret) {
        _cleanup_free_ char *path = config_interface_path(w->config_dir, name), *error = NULL;

        return path && config_read_interface(path, ret, &error) >= 0;
}

/* ── life cycle ─────────────────────────────────────────────────────── */

World *world_new(void) {
        World *w = calloc(1, sizeof(*w));
        /* In memory where there is a tmpfs: the model run writes files
         * thousands of times, each with fsync(). */
        char tmpl_shm[] = "/dev/shm/wand-test-iface-XXXXXX", tmpl_tmp[] = "/tmp/wand-test-iface-XXXXXX";
        char *tmpl = mkdtemp(tmpl_shm) ?: mkdtemp(tmpl_tmp);

        if (!w || !tmpl)
                abort();
        if (asprintf(&w->config_dir, "%s/config", tmpl) < 0 || asprintf(&w->runtime_dir, "%s/run", tmpl) < 0)
                abort();
        (void) mkdir(w->config_dir, 0755);
        (void) mkdir(w->runtime_dir, 0755);
        w->timers = calloc(1, sizeof(TimerList));
        w->clock = (Clock) { .ops = &fake_clock_ops, .data = w };
        w->now = 1000 * USEC_PER_SEC;
        if (!w->timers || sd_event_new(&w->event) < 0)
                abort();
        if (manager_new_detached(&w->manager, w->event, w->config_dir, w->runtime_dir, &w->clock,
                                 scripted_method_for) < 0)
                abort();
        w->manager->scripted_link_owners = scripted_link_owners;
        return w;
}

void world_start(World *w) {
        /* The first dump. */
        world_netlink_flush(w);
        if (manager_load(w->manager) < 0)
                abort();
}

static void rm_rf(const char *dir) {
        _cleanup_free_ char *cmd = NULL;
        /* Our own mkdtemp() directory, nothing else. */
        if (asprintf(&cmd, "rm -rf -- '%s'", dir) >= 0 &&
            (strncmp(dir, "/tmp/wand-test-iface-", 21) == 0 || strncmp(dir, "/dev/shm/wand-test-iface-", 25) == 0))
                (void) system(cmd);
}

void world_free(World *w) {
        _cleanup_free_ char *top = NULL;
        TimerList *l;

        if (!w)
                return;
        top = strndup(w->config_dir, strlen(w->config_dir) - strlen("/config"));
        w->manager = manager_free(w->manager);
        for (size_t k = 0; k < w->n_procs; k++)
                clock_timer_stop(&w->procs[k].kill_timer);
        l = w->timers;
        free(l->items);
        free(l);
        for (size_t k = 0; k < w->n_calls; k++) {
                settings_done(&w->calls[k]->settings);
                free(w->calls[k]);
        }
        sd_event_unref(w->event);
        if (top)
                rm_rf(top);
        free(w->config_dir);
        free(w->runtime_dir);
        free(w);
}
