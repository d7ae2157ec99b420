/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reference model, written from the contract (org.wand.Router1(5)), not
 * from iface.c: what each call must answer given what a caller could read
 * when it ran, which properties must agree with which, and what must hold
 * once StopDemandDialManager() has replied. The generator picks each step at
 * random among what can happen next — a call, a polkit answer (calls wait
 * for it, so Reload, Delete or Stop can overtake them), an administrator's
 * edit of a file, a kernel link event, another network manager taking or
 * releasing a device, a kernel message delivered to wand, a dialer coming
 * up, exiting or ignoring SIGTERM, a DisconnectCommand exiting, a timer
 * expiring — and the model checks wand after every step. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iface-model.h"
#include "iface-world.h"
#include "wand-errors.h"

#define N_NAMES 3
#define MAX_AUTHORIZING 6
#define TRACE 120

static const char *const names[N_NAMES] = { "a", "b", "c" };
static const char *const eth[2] = { "eth0", "eth1" };
static const char *const tun[2] = { "tun0", "tun1" };

/* An interface's settings as the model knows them. */
typedef struct MSet {
        bool present;
        bool dialer;
        unsigned dev; /* eth[dev] or tun[dev] */
        unsigned cmd; /* which of two dialer command lines */
        bool disc;    /* a dialer with a DisconnectCommand */
        bool enabled, persistent;
} MSet;

typedef struct Model {
        World *w;
        uint64_t rng;
        unsigned step;
        bool exists[N_NAMES];
        MSet cfg[N_NAMES];  /* in wand's memory: the last applied request */
        MSet disk[N_NAMES]; /* in the file */
        unsigned last_start; /* step of the last StartDemandDialManager() run */
        /* Per call, in the order of m->w->calls: */
        unsigned *dispatched; /* the step it ran at (0: not yet) */
        unsigned *seen;       /* answers already checked */
        MSet *create;         /* CreateInterface()'s settings */
        WorldCall **done;     /* answered and checked: taken out of the world */
        size_t n_done;
        bool files_touched; /* this step: check the files again */
        char trace[TRACE][200];
        unsigned n_trace;
        char *failure;
} Model;

static uint64_t next_random(Model *m) {
        /* splitmix64: small, and the same everywhere. */
        uint64_t z = (m->rng += UINT64_C(0x9E3779B97F4A7C15));
        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        return z ^ (z >> 31);
}

static unsigned pick(Model *m, unsigned n) {
        return (unsigned) (next_random(m) % n);
}

static bool chance(Model *m, unsigned percent) {
        return pick(m, 100) < percent;
}

static void trace(Model *m, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void trace(Model *m, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vsnprintf(m->trace[m->n_trace % TRACE], sizeof(m->trace[0]), format, ap);
        va_end(ap);
        /* With WAND_TEST_LOG, between wand's own lines. */
        if (getenv("WAND_TEST_LOG"))
                fprintf(stderr, "## %s\n", m->trace[m->n_trace % TRACE]);
        m->n_trace++;
}

static void diverge(Model *m, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void diverge(Model *m, const char *format, ...) {
        char what[512];
        size_t size = 0;
        FILE *f;
        va_list ap;

        if (m->failure)
                return;
        va_start(ap, format);
        vsnprintf(what, sizeof(what), format, ap);
        va_end(ap);
        f = open_memstream(&m->failure, &size);
        if (!f)
                abort();
        fprintf(f, "step %u: %s\nthe last steps:\n", m->step, what);
        for (unsigned k = m->n_trace > TRACE ? m->n_trace - TRACE : 0; k < m->n_trace; k++)
                fprintf(f, "  %s\n", m->trace[k % TRACE]);
        fclose(f);
}

/* ── settings ──────────────────────────────────────────────────────── */

static const char *mset_device(const MSet *s) {
        return s->dialer ? tun[s->dev] : eth[s->dev];
}

static Settings mset_to_settings(const MSet *s) {
        Settings t;

        settings_init(&t);
        t.device = strdup(mset_device(s));
        if (s->dialer) {
                t.connect_command = calloc(3, sizeof(char *));
                t.connect_command[0] = strdup("/usr/sbin/test-dialer");
                t.connect_command[1] = strdup(s->cmd ? "--peer=b" : "--peer=a");
                if (s->disc) {
                        t.disconnect_command = calloc(3, sizeof(char *));
                        t.disconnect_command[0] = strdup("/usr/sbin/test-dialer");
                        t.disconnect_command[1] = strdup("--mode=hangup");
                }
        }
        t.enabled = s->enabled;
        t.persistent = s->persistent;
        t.connect_timeout_sec = 5;
        t.disconnect_timeout_sec = 3;
        t.redial_interval_sec = 1;
        t.redial_max_interval_sec = 4;
        t.redial_attempts = 2;
        return t;
}

static bool settings_match(const Settings *t, const MSet *s) {
        Settings want = mset_to_settings(s);
        bool same = settings_equal(t, &want);

        settings_done(&want);
        return same;
}

static MSet random_mset(Model *m) {
        return (MSet) { .present = true, .dialer = chance(m, 50), .dev = pick(m, 2), .cmd = pick(m, 2),
                        .disc = chance(m, 50), .enabled = chance(m, 85), .persistent = chance(m, 40) };
}

static int name_index(const char *name) {
        for (int k = 0; k < N_NAMES; k++)
                if (strcmp(names[k], name) == 0)
                        return k;
        return -1;
}

/* ── what a caller reads ────────────────────────────────────────────── */

typedef struct Seen {
        bool exists;
        IfaceState state;
        unsigned reasons;
        bool running, stopping;
} Seen;

static Seen seen_now(Model *m, const char *name) {
        Iface *i = world_iface(m->w, name);
        Seen s = { .running = m->w->manager->running, .stopping = m->w->manager->stopping };

        if (i)
                s = (Seen) { true, i->state, i->reasons, s.running, s.stopping };
        return s;
}

/* The contract's answer to a call given what the caller could read when it
 * ran, where the state alone decides it; NULL where the call goes ahead. */
static const char *expected_error(const WorldCall *c, const Seen *s, const Model *m) {
        int k = name_index(c->name);

        switch (c->kind) {
        case CALL_CONNECT:
                if (!s->exists)
                        return WAND_ERROR_INVALID_HANDLE;
                if (!s->running || s->stopping)
                        return WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING;
                if (s->state == IFACE_CONNECTED)
                        return WAND_ERROR_ALREADY_CONNECTED;
                if (s->state == IFACE_UNREACHABLE)
                        return (s->reasons & IFACE_REASON_DISABLED) ? WAND_ERROR_INTERFACE_DISABLED
                                                                    : WAND_ERROR_INTERFACE_UNREACHABLE;
                return NULL;
        case CALL_DISCONNECT:
                if (!s->exists)
                        return WAND_ERROR_INVALID_HANDLE;
                if (!s->running)
                        return WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING;
                if (s->state == IFACE_DISCONNECTED || s->state == IFACE_UNREACHABLE)
                        return WAND_ERROR_INTERFACE_NOT_CONNECTED;
                return NULL;
        case CALL_SET_ENABLED:
                if (!s->exists)
                        return WAND_ERROR_INVALID_HANDLE;
                /* The file is gone (an administrator removed it, no Reload
                 * yet): nothing to write Enabled= into. */
                if (!m->disk[k].present && c->arg != m->cfg[k].enabled)
                        return "(any error)";
                return NULL;
        case CALL_DELETE:
                if (!s->exists)
                        return WAND_ERROR_INVALID_HANDLE;
                if (s->state != IFACE_DISCONNECTED && s->state != IFACE_UNREACHABLE)
                        return WAND_ERROR_INTERFACE_CONNECTED;
                return NULL;
        case CALL_CREATE:
                /* A file not loaded yet counts: Reload() would load it. */
                if (s->exists || m->disk[k].present)
                        return WAND_ERROR_INTERFACE_ALREADY_EXISTS;
                return NULL;
        default:
                return NULL;
        }
}

/* Errors a call may end with later, once it has gone ahead. */
static bool late_error_allowed(CallKind kind, const char *error) {
        static const char *const connect[] = {
                WAND_ERROR_CONNECTION_FAILED, WAND_ERROR_INVALID_HANDLE, WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING,
                WAND_ERROR_INTERFACE_DISABLED, WAND_ERROR_INTERFACE_UNREACHABLE, WAND_ERROR_ALREADY_CONNECTED, NULL,
        };
        /* Failed: the teardown did not end in time. */
        static const char *const disconnect[] = { WAND_ERROR_INVALID_HANDLE, SD_BUS_ERROR_FAILED, NULL };
        static const char *const set_enabled[] = { WAND_ERROR_INVALID_HANDLE, NULL };
        const char *const *allowed = kind == CALL_CONNECT      ? connect
                                     : kind == CALL_DISCONNECT ? disconnect
                                     : kind == CALL_SET_ENABLED ? set_enabled
                                                                : (const char *const[]) { NULL };

        for (; *allowed; allowed++)
                if (strcmp(*allowed, error) == 0)
                        return true;
        return false;
}

/* ── applying what a call does to the model ────────────────────────── */

static void model_dispatched(Model *m, size_t idx, const char *expected) {
        WorldCall *c = m->w->calls[idx];
        int k = name_index(c->name);

        if (expected)
                return; /* refused: nothing changes */
        switch (c->kind) {
        case CALL_SET_ENABLED:
                /* Written only when it changes what wand has. */
                if (m->cfg[k].enabled != c->arg)
                        m->cfg[k].enabled = m->disk[k].enabled = c->arg;
                break;
        case CALL_DELETE:
                m->exists[k] = false;
                m->disk[k].present = false;
                break;
        case CALL_CREATE:
                m->exists[k] = true;
                m->cfg[k] = m->disk[k] = m->create[idx];
                break;
        case CALL_RELOAD:
                for (int n = 0; n < N_NAMES; n++) {
                        m->exists[n] = m->disk[n].present;
                        if (m->exists[n])
                                m->cfg[n] = m->disk[n];
                }
                break;
        case CALL_START:
                m->last_start = m->step;
                break;
        default:
                break;
        }
}

/* ── checks ────────────────────────────────────────────────────────── */

/* What wand has been told of a link (its cache), as the contract's mirror
 * rule reads it. */
static unsigned seen_flags(Model *m, const char *device) {
        const Link *l = manager_get_link(m->w->manager, device);
        return l ? (l->flags | 0x80000000u) : 0; /* high bit: exists */
}

/* What must hold once the demand-dial manager is stopped. */
static void check_stopped(Model *m, const char *when) {
        /* No dialer at all: those of interfaces that are gone included. */
        for (size_t k = 0; k < m->w->n_procs; k++)
                if (m->w->procs[k].running && !m->w->procs[k].killed && m->w->procs[k].orphan)
                        diverge(m, "%s: the %s of %s, which is gone, still runs", when,
                                m->w->procs[k].disconnect_command ? "DisconnectCommand" : "dialer", m->w->procs[k].iface);
        for (int k = 0; k < N_NAMES; k++) {
                Iface *i = world_iface(m->w, names[k]);
                WorldProc *p = world_proc(m->w, names[k]), *dc = world_disconnect_command(m->w, names[k]);
                WorldLink *l;

                if (!i)
                        continue;
                if (dc && dc->running && !dc->killed)
                        diverge(m, "%s: the DisconnectCommand of %s still runs", when, i->name);
                if (i->state != IFACE_UNREACHABLE || !(i->reasons & IFACE_REASON_SERVICE_STOPPED))
                        diverge(m, "%s: %s is %s", when, i->name, iface_state_to_string(i->state));
                if (p && p->running && !p->killed)
                        diverge(m, "%s: the dialer of %s still runs", when, i->name);
                l = world_link(m->w, i->settings.device);
                if (!i->settings.connect_command && l && l->exists && l->up_by_wand)
                        diverge(m, "%s: wand left %s up", when, l->name);
        }
}

static void check_answer(Model *m, size_t idx) {
        WorldCall *c = m->w->calls[idx];

        if (c->answers > 1)
                diverge(m, "%s(%s) #%u was answered %u times", call_kind_to_string(c->kind), c->name, c->id, c->answers);
        if (c->answers == m->seen[idx])
                return; /* nothing new, or answered as it ran: checked there */
        m->seen[idx] = c->answers;
        trace(m, "  answer #%u %s(%s): %s %s", c->id, call_kind_to_string(c->kind), c->name,
              c->error[0] ? c->error : "ok", c->message);
        if (!c->error[0]) {
                /* Stop() replied, and no Start() ran since it was asked:
                 * stopped, and nothing of any connection is left. */
                if (c->kind == CALL_STOP && m->dispatched[idx] > m->last_start) {
                        if (c->running_at_answer)
                                diverge(m, "StopDemandDialManager() #%u replied while the manager still ran", c->id);
                        check_stopped(m, "StopDemandDialManager() replied");
                }
                if (c->kind == CALL_CONNECT && c->state_at_answer != IFACE_CONNECTED)
                        diverge(m, "Connect(%s) #%u succeeded while %s", c->name, c->id,
                                iface_state_to_string(c->state_at_answer));
                if (c->kind == CALL_DISCONNECT && c->state_at_answer != IFACE_DISCONNECTED &&
                    c->state_at_answer != IFACE_UNREACHABLE)
                        diverge(m, "Disconnect(%s) #%u succeeded while %s", c->name, c->id,
                                iface_state_to_string(c->state_at_answer));
                return;
        }
        if (strcmp(c->error, SD_BUS_ERROR_ACCESS_DENIED) == 0 && m->dispatched[idx] == 0)
                return; /* polkit said no */
        if (!late_error_allowed(c->kind, c->error))
                diverge(m, "%s(%s) #%u ended with %s (%s)", call_kind_to_string(c->kind), c->name, c->id, c->error,
                        c->message);
        /* A failed attempt, not a cancelled one or one whose interface went
         * away, sets LastError. */
        if (strcmp(c->error, WAND_ERROR_CONNECTION_FAILED) == 0 && !strstr(c->message, "cancelled") &&
            !strstr(c->message, "removed") && !strstr(c->message, "deleted") &&
            strcmp(c->last_error_at_answer, WAND_ERROR_CONNECTION_FAILED) != 0)
                diverge(m, "Connect(%s) #%u failed (%s) but LastError is \"%s\"", c->name, c->id, c->message,
                        c->last_error_at_answer);
}

static void check_iface(Model *m, int k) {
        Iface *i = world_iface(m->w, names[k]);
        Manager *mgr = m->w->manager;
        Settings disk;
        bool on_disk, dialer;
        unsigned f, reasons;
        WorldProc *p, *dc;
        WorldLink *wl;

        if (!!i != m->exists[k]) {
                diverge(m, "%s %s, the model says it %s", names[k], i ? "exists" : "does not exist",
                        m->exists[k] ? "does" : "does not");
                return;
        }
        if (m->files_touched) {
                settings_init(&disk);
                on_disk = world_read_iface(m->w, names[k], &disk);
                if (on_disk != m->disk[k].present || (on_disk && !settings_match(&disk, &m->disk[k])))
                        diverge(m, "the file of %s is not what was written to it (Enabled=%s on disk, %s in the model)",
                                names[k], on_disk ? (disk.enabled ? "yes" : "no") : "(no file)",
                                m->disk[k].present ? (m->disk[k].enabled ? "yes" : "no") : "(no file)");
                settings_done(&disk);
        }
        if (!i)
                return;

        /* The later request wins: what wand will run with is what was asked
         * last — and what the file says, where the request wrote it. */
        if (!settings_match(iface_configured_settings(i), &m->cfg[k]))
                diverge(m, "%s: the configured settings are not the last ones asked for (Enabled=%s, model %s)",
                        i->name, iface_configured_settings(i)->enabled ? "yes" : "no",
                        m->cfg[k].enabled ? "yes" : "no");

        /* The state table. */
        dialer = i->settings.connect_command != NULL;
        f = seen_flags(m, i->settings.device);
        wl = world_link(m->w, i->settings.device);
        reasons = (!mgr->running ? IFACE_REASON_SERVICE_STOPPED : 0) |
                  (!i->settings.enabled ? IFACE_REASON_DISABLED : 0) | (!dialer && !f ? IFACE_REASON_NO_DEVICE : 0) |
                  (wl && wl->managed_elsewhere ? IFACE_REASON_MANAGED_ELSEWHERE : 0);
        if ((i->reasons & ~IFACE_REASON_CONNECTION_FAILURE) != reasons)
                diverge(m, "%s: reasons 0x%x, expected 0x%x", i->name, i->reasons, reasons);
        if ((i->reasons & IFACE_REASON_CONNECTION_FAILURE) && !(dialer && i->settings.persistent))
                diverge(m, "%s: connection-failure, but it never redials", i->name);

        /* The reasons make it unreachable once nothing of its own runs: a
         * dialer or DisconnectCommand is followed until it has exited. */
        p = world_proc(m->w, i->name);
        dc = world_disconnect_command(m->w, i->name);
        bool running = p && p->running;
        bool own = dialer && (running || (dc && dc->running));
        if ((i->state == IFACE_UNREACHABLE) != (i->reasons != 0 && !own))
                diverge(m, "%s: %s with reasons 0x%x%s", i->name, iface_state_to_string(i->state), i->reasons,
                        own ? " while its dialer or DisconnectCommand runs" : "");
        bool link_up = (f & IFF_UP) && (f & IFF_LOWER_UP);
        switch (i->state) {
        case IFACE_CONNECTED:
                if (!link_up || (dialer && !running))
                        diverge(m, "%s: connected, but %s%s", i->name, link_up ? "" : "its link is not up with carrier",
                                dialer && !running ? " no dialer runs" : "");
                break;
        case IFACE_DISCONNECTED:
        case IFACE_UNREACHABLE:
                if (dialer && running && !p->killed)
                        diverge(m, "%s: %s, but its dialer runs", i->name, iface_state_to_string(i->state));
                if (dialer && dc && dc->running && !dc->killed)
                        diverge(m, "%s: %s, but its DisconnectCommand runs", i->name, iface_state_to_string(i->state));
                if (!dialer && i->state == IFACE_DISCONNECTED && (f & IFF_UP))
                        diverge(m, "%s: disconnected, but %s is up", i->name, i->settings.device);
                break;
        default:
                break;
        }
        if ((i->connected_since != 0) != (i->state == IFACE_CONNECTED))
                diverge(m, "%s: ConnectedSince %llu while %s", i->name, (unsigned long long) i->connected_since,
                        iface_state_to_string(i->state));
        if (i->last_error[0] && strcmp(i->last_error, WAND_ERROR_CONNECTION_FAILED) != 0)
                diverge(m, "%s: LastError \"%s\"", i->name, i->last_error);
        if (i->state == IFACE_CONNECTED && i->last_error[0])
                diverge(m, "%s: connected, LastError still \"%s\"", i->name, i->last_error);
        /* LastErrorReason says why exactly when LastError says that. */
        if (!i->last_error[0] != (i->last_error_reason == IFACE_FAILURE_NONE))
                diverge(m, "%s: LastError \"%s\" with LastErrorReason \"%s\"", i->name, i->last_error,
                        iface_failure_to_string(i->last_error_reason));
}

static void check_all(Model *m) {
        Manager *mgr = m->w->manager;

        for (size_t k = 0; k < m->w->n_calls; k++)
                check_answer(m, k);
        for (int k = 0; k < N_NAMES; k++)
                check_iface(m, k);
        m->files_touched = false;
        if (mgr->stopping && !mgr->running)
                diverge(m, "the manager is stopping but not running");
        if (!mgr->running)
                check_stopped(m, "demand-dial manager stopped");
}

/* ── the generator ─────────────────────────────────────────────────── */

static void dispatch(Model *m, WorldCall *c, bool allow) {
        size_t idx;
        Seen s = seen_now(m, c->name);
        const char *expected = allow ? expected_error(c, &s, m) : NULL;

        for (idx = 0; m->w->calls[idx] != c; idx++)
                ;
        trace(m, "%u: authorize #%u %s(%s%s) %s [%s%s]", m->step, c->id, call_kind_to_string(c->kind), c->name,
              c->kind == CALL_SET_ENABLED ? (c->arg ? ", true" : ", false") : "", allow ? "allow" : "deny",
              s.exists ? iface_state_to_string(s.state) : "no interface", s.stopping ? ", stopping" : "");
        if (allow) {
                m->dispatched[idx] = m->step;
                m->files_touched = true;
        }
        world_authorize(m->w, c, allow);
        if (!allow)
                return;
        m->seen[idx] = c->answers;
        if (expected) {
                if (c->answers != 1 || !c->error[0] ||
                    (strcmp(expected, "(any error)") != 0 && strcmp(c->error, expected) != 0))
                        diverge(m, "%s(%s) #%u while %s: answered %s, the contract says %s", call_kind_to_string(c->kind),
                                c->name, c->id, s.exists ? iface_state_to_string(s.state) : "absent",
                                c->answers ? (c->error[0] ? c->error : "ok") : "nothing yet", expected);
        } else if (c->answers && c->error[0] && !late_error_allowed(c->kind, c->error))
                diverge(m, "%s(%s) #%u while %s: answered %s (%s), the contract names no such error here",
                        call_kind_to_string(c->kind), c->name, c->id,
                        s.exists ? iface_state_to_string(s.state) : "absent", c->error, c->message);
        else if (c->answers && !c->error[0] && c->kind == CALL_STOP && !s.running)
                check_stopped(m, "StopDemandDialManager() replied");
        if (c->answers)
                trace(m, "  answer #%u: %s %s", c->id, c->error[0] ? c->error : "ok", c->message);
        model_dispatched(m, idx, expected);
}

static WorldCall *random_waiting_call(Model *m) {
        WorldCall *found[WORLD_MAX_CALLS];
        size_t n = 0;

        for (size_t k = 0; k < m->w->n_calls; k++)
                if (m->w->calls[k]->phase == CALL_AUTHORIZING)
                        found[n++] = m->w->calls[k];
        return n ? found[pick(m, (unsigned) n)] : NULL;
}

static size_t calls_authorizing(Model *m) {
        size_t n = 0;
        for (size_t k = 0; k < m->w->n_calls; k++)
                n += m->w->calls[k]->phase == CALL_AUTHORIZING;
        return n;
}

static void step_call(Model *m) {
        static const CallKind kinds[] = {
                CALL_CONNECT, CALL_CONNECT, CALL_CONNECT, CALL_CONNECT, CALL_DISCONNECT, CALL_DISCONNECT,
                CALL_DISCONNECT, CALL_SET_ENABLED, CALL_SET_ENABLED, CALL_DELETE, CALL_CREATE, CALL_RELOAD,
                CALL_RELOAD, CALL_START, CALL_STOP,
        };
        CallKind kind = kinds[pick(m, sizeof(kinds) / sizeof(kinds[0]))];
        const char *name = names[pick(m, N_NAMES)];
        WorldCall *c;

        if (m->w->n_calls == WORLD_MAX_CALLS)
                return;
        c = world_call(m->w, kind, name);
        c->step = m->step;
        m->dispatched[m->w->n_calls - 1] = m->seen[m->w->n_calls - 1] = 0;
        if (kind == CALL_SET_ENABLED)
                c->arg = chance(m, 50);
        if (kind == CALL_CREATE) {
                m->create[m->w->n_calls - 1] = random_mset(m);
                c->settings = mset_to_settings(&m->create[m->w->n_calls - 1]);
        }
        trace(m, "%u: call #%u %s(%s%s)", m->step, c->id, call_kind_to_string(kind), name,
              kind == CALL_SET_ENABLED ? (c->arg ? ", true" : ", false") : "");
        /* Root and polkit's quick yes answer at once; others wait. */
        if (chance(m, 30))
                dispatch(m, c, true);
}

static void step_edit(Model *m) {
        int k = (int) pick(m, N_NAMES);
        MSet *d = &m->disk[k];
        Settings s;

        m->files_touched = true;
        if (!d->present || chance(m, 15)) {
                if (d->present) {
                        world_remove_iface_file(m->w, names[k]);
                        d->present = false;
                        trace(m, "%u: edit: rm %s.conf", m->step, names[k]);
                        return;
                }
                *d = random_mset(m);
        } else
                switch (pick(m, 6)) {
                case 0: d->enabled = !d->enabled; break;
                case 1: d->persistent = !d->persistent; break;
                case 2: d->dev = !d->dev; break;
                case 3: d->cmd = !d->cmd; break;
                case 4: d->disc = !d->disc; break;
                default: d->dialer = !d->dialer; break;
                }
        s = mset_to_settings(d);
        world_write_iface(m->w, names[k], &s);
        settings_done(&s);
        trace(m, "%u: edit: %s.conf Device=%s%s%s Enabled=%d Persistent=%d", m->step, names[k], mset_device(d),
              d->dialer ? (d->cmd ? " dialer-b" : " dialer-a") : "", d->dialer && d->disc ? " hangup" : "",
              d->enabled, d->persistent);
}

static void step_kernel(Model *m) {
        const char *dev;
        WorldLink *l;

        if (chance(m, 10)) {
                /* NetworkManager takes a device or lets go of it. */
                dev = chance(m, 50) ? eth[pick(m, 2)] : tun[pick(m, 2)];
                l = world_link(m->w, dev);
                bool managed = !(l && l->managed_elsewhere);
                world_set_managed_elsewhere(m->w, dev, managed);
                trace(m, "%u: NetworkManager %s %s", m->step, managed ? "takes" : "lets go of", dev);
                return;
        }
        if (chance(m, 80)) {
                dev = eth[pick(m, 2)];
                l = world_link(m->w, dev);
                switch (pick(m, 6)) {
                case 0:
                        world_link_add(m->w, dev, true);
                        trace(m, "%u: kernel: %s added", m->step, dev);
                        break;
                case 1:
                        world_link_del(m->w, dev);
                        trace(m, "%u: kernel: %s deleted", m->step, dev);
                        break;
                case 2:
                case 3:
                        if (l && l->exists) {
                                bool up = !l->up;
                                world_link_set(m->w, dev, up, l->carrier);
                                trace(m, "%u: kernel: %s set %s by someone else", m->step, dev, up ? "up" : "down");
                        }
                        break;
                case 4:
                        if (l && l->exists) {
                                world_link_set(m->w, dev, l->up, !l->carrier);
                                trace(m, "%u: kernel: %s carrier %s", m->step, dev, l->carrier ? "on" : "off");
                        }
                        break;
                default:
                        world_link_bridge_del(m->w, dev);
                        trace(m, "%u: kernel: %s left its bridge (AF_BRIDGE RTM_DELLINK)", m->step, dev);
                        break;
                }
                return;
        }
        dev = tun[pick(m, 2)];
        l = world_link(m->w, dev);
        if (l && l->exists) {
                world_link_set(m->w, dev, false, l->carrier);
                trace(m, "%u: kernel: %s set down by someone else", m->step, dev);
        }
}

static WorldProc *random_proc(Model *m, bool (*want)(const WorldProc *p)) {
        WorldProc *found[WORLD_MAX_PROCS];
        size_t n = 0;

        for (size_t k = 0; k < m->w->n_procs; k++)
                if (want(&m->w->procs[k]))
                        found[n++] = &m->w->procs[k];
        return n ? found[pick(m, (unsigned) n)] : NULL;
}

static bool proc_may_come_up(const WorldProc *p) {
        return p->running && !p->killed && !p->term && !p->disconnect_command;
}

static const char *proc_kind(const WorldProc *p) {
        return p->disconnect_command ? "DisconnectCommand" : "dialer";
}

static bool proc_may_exit(const WorldProc *p) {
        return p->running;
}

static bool proc_obeys_term(const WorldProc *p) {
        return p->running && p->term && !p->ignores_term;
}

/* SIGKILL cannot be ignored: a killed dialer is gone before anything else
 * happens. */
static void reap_killed(Model *m) {
        for (size_t k = 0; k < m->w->n_procs; k++)
                if (m->w->procs[k].running && m->w->procs[k].killed) {
                        trace(m, "%u: %s of %s%s killed", m->step, proc_kind(&m->w->procs[k]), m->w->procs[k].iface,
                              m->w->procs[k].orphan ? " (gone)" : "");
                        world_proc_exit(m->w, &m->w->procs[k]);
                }
}

static void one_step(Model *m) {
        unsigned r = pick(m, 100);
        WorldCall *c;
        WorldProc *p;

        if (r < 28 && calls_authorizing(m) < MAX_AUTHORIZING) {
                step_call(m);
        } else if (r < 50) {
                if ((c = random_waiting_call(m)))
                        dispatch(m, c, chance(m, 93));
        } else if (r < 53) {
                step_edit(m);
        } else if (r < 62) {
                step_kernel(m);
        } else if (r < 74) {
                if (world_netlink_deliver(m->w))
                        trace(m, "%u: kernel message delivered", m->step);
        } else if (r < 82) {
                if ((p = random_proc(m, proc_may_come_up)) && world_dialer_up(m->w, p->iface))
                        trace(m, "%u: dialer of %s brings %s up", m->step, p->iface, p->device);
        } else if (r < 86) {
                if ((p = random_proc(m, proc_may_exit))) {
                        trace(m, "%u: %s of %s%s exits", m->step, proc_kind(p), p->iface, p->orphan ? " (gone)" : "");
                        world_proc_exit(m->w, p);
                }
        } else if (r < 91) {
                if ((p = random_proc(m, proc_obeys_term))) {
                        trace(m, "%u: dialer of %s%s exits on SIGTERM", m->step, p->iface, p->orphan ? " (gone)" : "");
                        world_proc_exit(m->w, p);
                }
        } else if (r < 92) {
                m->w->dialers_ignore_term = !m->w->dialers_ignore_term;
                trace(m, "%u: dialers started from now on %s SIGTERM", m->step,
                      m->w->dialers_ignore_term ? "ignore" : "obey");
        } else {
                uint64_t before = m->w->now;
                if (world_clock_next(m->w))
                        trace(m, "%u: +%.1f s", m->step, (m->w->now - before) / 1e6);
        }
        reap_killed(m);
}

/* Everything in flight ends: polkit answers, the kernel's messages arrive,
 * dialers do what they do, time passes until nothing is armed. */
static void drain(Model *m) {
        WorldCall *c;
        WorldProc *p;

        for (unsigned round = 0; round < 10000 && !m->failure; round++) {
                m->step++;
                if ((c = random_waiting_call(m)))
                        dispatch(m, c, true);
                else if (world_netlink_deliver(m->w))
                        trace(m, "%u: kernel message delivered", m->step);
                else if ((p = random_proc(m, proc_obeys_term))) {
                        trace(m, "%u: dialer of %s exits on SIGTERM", m->step, p->iface);
                        world_proc_exit(m->w, p);
                } else if (world_clock_next(m->w))
                        trace(m, "%u: time passes", m->step);
                else
                        break;
                reap_killed(m);
                check_all(m);
        }
        for (size_t k = 0; k < m->w->n_calls && !m->failure; k++)
                if (m->w->calls[k]->answers != 1)
                        diverge(m, "%s(%s) #%u was answered %u times once everything ended",
                                call_kind_to_string(m->w->calls[k]->kind), m->w->calls[k]->name, m->w->calls[k]->id,
                                m->w->calls[k]->answers);
}

/* Answered and checked calls are forgotten, so that a long run keeps few. */
static void forget_answered(Model *m) {
        size_t n = 0;

        for (size_t k = 0; k < m->w->n_calls; k++) {
                WorldCall *c = m->w->calls[k];
                if (c->phase == CALL_ANSWERED && m->seen[k] == c->answers) {
                        /* Kept: an answer more must not find freed memory. */
                        WorldCall **d = realloc(m->done, (m->n_done + 1) * sizeof(WorldCall *));
                        if (!d)
                                abort();
                        m->done = d;
                        m->done[m->n_done++] = c;
                        continue;
                }
                m->w->calls[n] = c;
                m->dispatched[n] = m->dispatched[k];
                m->seen[n] = m->seen[k];
                m->create[n] = m->create[k];
                n++;
        }
        m->w->n_calls = n;
}

char *model_run(uint64_t seed, unsigned steps) {
        Model m = { .rng = seed };
        Settings s;

        m.dispatched = calloc(WORLD_MAX_CALLS, sizeof(unsigned));
        m.seen = calloc(WORLD_MAX_CALLS, sizeof(unsigned));
        m.create = calloc(WORLD_MAX_CALLS, sizeof(MSet));
        m.w = world_new();
        if (!m.dispatched || !m.seen || !m.create || !m.w)
                abort();

        /* a: an Ethernet uplink; b: a persistent dialer; c: created later. */
        m.disk[0] = (MSet) { .present = true, .enabled = true };
        m.disk[1] = (MSet) { .present = true, .dialer = true, .enabled = true, .persistent = true };
        for (int k = 0; k < 2; k++) {
                s = mset_to_settings(&m.disk[k]);
                world_write_iface(m.w, names[k], &s);
                settings_done(&s);
                m.exists[k] = true;
                m.cfg[k] = m.disk[k];
        }
        world_link_add(m.w, "eth0", true);
        world_link_add(m.w, "eth1", true);
        world_start(m.w);
        m.files_touched = true;
        check_all(&m);

        for (m.step = 1; m.step <= steps && !m.failure; m.step++) {
                one_step(&m);
                check_all(&m);
                forget_answered(&m);
        }
        if (!m.failure)
                drain(&m);

        for (size_t k = 0; k < m.n_done; k++) {
                if (m.done[k]->answers != 1)
                        diverge(&m, "%s(%s) #%u was answered %u times", call_kind_to_string(m.done[k]->kind),
                                m.done[k]->name, m.done[k]->id, m.done[k]->answers);
                settings_done(&m.done[k]->settings);
                free(m.done[k]);
        }
        free(m.done);
        world_free(m.w);
        free(m.dispatched);
        free(m.seen);
        free(m.create);
        return m.failure;
}
