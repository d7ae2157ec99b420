/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Concurrency: K clients, each on its own connection, each disconnecting and
 * connecting its own interface (bw0…bwK-1) in a loop, against a stand-in
 * that does, per operation, only the work no implementation can avoid, with
 * as many operations in flight: CheckAuthorization sent from one root
 * connection as wand sends it (the same subject — the client's bus name —,
 * action, details and flags), then, once polkitd has answered, the same
 * rtnetlink link change on a veth of its own (bfK, in FLOOR_NETNS, its peer
 * up in the peers' namespace as wand's are). And against polkitd's bare
 * CheckAuthorization throughput, the same checks with nothing after them.
 *
 *   bench-throughput --clients K --floor-netns PATH [--floor-prefix bf]
 *                    [--uids UID,UID,…] [--user-in-flight N]
 *                    [--seconds T] [--rounds R] [--only user|floor|polkit|root]
 *
 * Unprivileged client k calls as uid k mod n of the n given (default: nobody
 * alone). wand lets one uid have 16 checks waiting for polkit and 96 in all,
 * and refuses calls past that (LimitsExceeded), so the unprivileged loop, and
 * polkitd's with it, keeps N = min(K, 16 n, 96) calls in flight: when a
 * uid's client is answered, the next idle client of the same uid calls, in
 * turn, so that all K callers take part and no uid has more in flight than
 * it started with, at most ceil(N / n) <= 16. Root is never capped: its loop
 * has all K in flight. --user-in-flight sets N, for a wand without the caps.
 * The stand-in and polkitd's loop keep N in flight too.
 *
 * Each round runs wand's loop for unprivileged callers and the stand-in's
 * (in turns: one first in even rounds, the other in odd ones), polkitd's,
 * and wand's loop for root callers, T seconds each after a short warm-up;
 * many short rounds alternate so that whatever else the machine does weighs
 * on all. Prints JSON: operations (one Disconnect or Connect answered, one
 * check and link change done) per second, checks per second, and the median
 * over rounds of wand's unprivileged operations per second divided by the
 * stand-in's (ratio_*), and by polkitd's checks per second (ratio_polkit_*). */
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "bench.h"

#define WARMUP_MS 200

static unsigned arg_clients = 1, arg_rounds = 5;
static unsigned arg_user_in_flight; /* 0: as many as wand's caps allow */
static uid_t *arg_uids;
static unsigned arg_n_uids;
static int arg_only = -1; /* one phase only: for profiling */
static double arg_seconds = 1;
static const char *arg_floor_netns, *arg_floor_prefix = "bf";

typedef enum Phase { PHASE_WAND_USER, PHASE_FLOOR, PHASE_POLKIT, PHASE_WAND_ROOT, _PHASE_MAX } Phase;
static const char *const phase_names[_PHASE_MAX] = { "wand_user", "floor", "polkit", "wand_root" };

typedef struct Client {
        unsigned index;
        uid_t uid; /* of its unprivileged connection, user */
        sd_bus *user, *root;
        char *path, *name;
        bool connected;       /* after the last call that completed */
        bool busy;
        uint64_t user_calls;  /* answered in wand's unprivileged loop: do all take turns? */
        int floor_ifindex;    /* the stand-in's veth for this client, in the floor namespace */
        bool floor_up;
} Client;

typedef struct Run {
        sd_event *event;
        Phase phase;
        Client *clients;
        sd_bus *checker; /* root, for CheckAuthorization */
        Rtnl *floor_nl;  /* the stand-in's rtnetlink socket, in the floor namespace */
        uint64_t cancellation; /* the stand-in's cancellation ids, unique as wand's */
        bool counting, stopping, done;
        uint64_t started, count, total;
        unsigned busy;
        unsigned *last; /* by uid slot: the last client started, as its place among that uid's clients */
} Run;

static void issue(Run *run, Client *c);

/* The client to call once c is answered: the next idle one after the last
 * started among the clients of c's uid (slot g: clients g, g + n, g + 2n, …),
 * in turn; c itself if no other is idle. So each uid keeps in flight as many
 * calls as the phase started for it. */
static Client *next_client(Run *run, Client *c) {
        unsigned n = arg_n_uids, g = c->index % n, members = (arg_clients - g + n - 1) / n;

        for (unsigned step = 1; step <= members; step++) {
                unsigned place = (run->last[g] + step) % members;
                Client *next = &run->clients[g + place * n];
                if (!next->busy) {
                        run->last[g] = place;
                        return next;
                }
        }
        abort(); /* c itself is idle */
}

typedef struct Pending {
        Run *run;
        Client *client;
} Pending;

static int on_done(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Pending *p = userdata;
        Run *run = p->run;
        Client *c = p->client;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        bool check = run->phase == PHASE_POLKIT || run->phase == PHASE_FLOOR;

        if (e)
                die("%s (%s): %s: %s", c->name,
                    check ? "CheckAuthorization" : c->connected ? "Disconnect" : "Connect", e->name, e->message);
        if (check) {
                int authorized = 0, challenge = 0;
                if (sd_bus_message_enter_container(reply, 'r', "bba{ss}") < 0 ||
                    sd_bus_message_read(reply, "bb", &authorized, &challenge) < 0 || !authorized)
                        die("polkit does not authorize the benchmark's caller for %s", c->name);
        } else
                c->connected = !c->connected;
        if (run->phase == PHASE_FLOOR) {
                /* What wand does once polkit said yes: the link change. */
                rtnl_set_up(run->floor_nl, c->floor_ifindex, !c->floor_up);
                c->floor_up = !c->floor_up;
        }
        if (run->phase == PHASE_WAND_USER)
                c->user_calls++;
        if (run->counting)
                run->count++;
        run->total++;
        c->busy = false;
        run->busy--;
        free(p);
        if (!run->stopping)
                issue(run, next_client(run, c));
        else if (run->busy == 0)
                run->done = true;
        return 0;
}

static void issue(Run *run, Client *c) {
        Pending *p = calloc(1, sizeof(*p));
        int r;

        if (!p)
                die("out of memory");
        *p = (Pending) { run, c };
        switch (run->phase) {
        case PHASE_WAND_USER:
        case PHASE_WAND_ROOT:
                r = sd_bus_call_method_async(run->phase == PHASE_WAND_USER ? c->user : c->root, NULL, WAND_BUS, c->path,
                                             WAND_IFACE, c->connected ? "Disconnect" : "Connect", on_done, p, NULL);
                break;
        case PHASE_POLKIT: /* polkitd bare: as the first version of this benchmark asked it */
        case PHASE_FLOOR: {  /* as wand asks it: connect or disconnect, a cancellation id */
                sd_bus_message *m = NULL;
                char cancellation[64] = "";
                const char *action = "org.wand.Router1.disconnect";
                if (run->phase == PHASE_FLOOR) {
                        action = c->floor_up ? "org.wand.Router1.disconnect" : "org.wand.Router1.connect";
                        snprintf(cancellation, sizeof(cancellation), "bench-%d-%" PRIu64, (int) getpid(),
                                 ++run->cancellation);
                }
                r = sd_bus_message_new_method_call(run->checker, &m, POLKIT_BUS, POLKIT_PATH, POLKIT_IFACE,
                                                   "CheckAuthorization");
                if (r >= 0)
                        r = sd_bus_message_append(m, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s",
                                                  bus_unique(c->user), action, 2, "interface", c->name, "device",
                                                  c->name, (uint32_t) 0, cancellation);
                if (r >= 0)
                        r = sd_bus_call_async(run->checker, NULL, m, on_done, p, 0);
                sd_bus_message_unref(m);
                break;
        }
        default:
                abort();
        }
        if (r < 0)
                die("sending a call for %s: %s", c->name, strerror(-r));
        c->busy = true;
        run->busy++;
}

static int on_start_counting(sd_event_source *s, uint64_t usec, void *userdata) {
        Run *run = userdata;
        run->counting = true;
        run->count = 0;
        run->started = now_ns();
        return 0;
}

static int on_stop(sd_event_source *s, uint64_t usec, void *userdata) {
        Run *run = userdata;
        run->counting = false;
        run->stopping = true;
        if (run->busy == 0)
                run->done = true;
        return 0;
}

/* Where the CPU goes: the processes behind the bus names, and this one. */
enum { CPU_WAND, CPU_POLKITD, CPU_BUS, CPU_CLIENT, _CPU_MAX };
static const char *const cpu_names[_CPU_MAX] = { "wand", "polkitd", "dbus_daemon", "client" };
static pid_t cpu_pids[_CPU_MAX];

static double cpu_sum[_PHASE_MAX][_CPU_MAX], ops_sum[_PHASE_MAX];

/* Calls in flight in a phase: see the top. */
static unsigned in_flight(Phase phase) {
        return phase == PHASE_WAND_ROOT ? arg_clients : arg_user_in_flight;
}

/* Runs one phase; returns completed operations per second. */
static double run_phase(Run *run, Phase phase) {
        uint64_t now_us, elapsed, count;
        sd_event_source *start = NULL, *stop = NULL;
        int r;

        run->phase = phase;
        run->counting = run->stopping = run->done = false;
        run->count = run->total = 0;
        now_us = now_ns() / 1000;
        r = sd_event_add_time(run->event, &start, CLOCK_MONOTONIC, now_us + WARMUP_MS * 1000, 0, on_start_counting,
                              run);
        if (r >= 0)
                r = sd_event_add_time(run->event, &stop, CLOCK_MONOTONIC,
                                      now_us + WARMUP_MS * 1000 + (uint64_t) (arg_seconds * 1e6), 0, on_stop, run);
        if (r < 0)
                die("timers: %s", strerror(-r));
        double cpu0[_CPU_MAX], cpu1[_CPU_MAX];
        for (int k = 0; k < _CPU_MAX; k++)
                cpu0[k] = proc_cpu_ms(cpu_pids[k]);
        for (unsigned k = 0; k < in_flight(phase); k++) {
                issue(run, &run->clients[k]);
                run->last[k % arg_n_uids] = k / arg_n_uids;
        }
        /* sd_event_exit() would finish the loop for good: it runs again. */
        while (!run->done)
                if (sd_event_run(run->event, UINT64_MAX) < 0)
                        die("event loop");
        elapsed = now_ns() - run->started;
        count = run->count;
        /* CPU over the whole phase, warm-up and drain included, per
         * operation completed in it. */
        for (int k = 0; k < _CPU_MAX; k++) {
                cpu1[k] = proc_cpu_ms(cpu_pids[k]);
                cpu_sum[phase][k] += cpu1[k] - cpu0[k];
        }
        ops_sum[phase] += (double) run->total;
        sd_event_source_unref(start);
        sd_event_source_unref(stop);
        (void) elapsed;
        return (double) count / arg_seconds;
}

static void connect_all(Run *run) {
        /* Every interface starts connected, whatever the last phase left;
         * so does every stand-in link. */
        for (unsigned k = 0; k < arg_clients; k++) {
                Client *c = &run->clients[k];
                sd_bus_error error = SD_BUS_ERROR_NULL;
                int r = sd_bus_call_method(c->root, WAND_BUS, c->path, WAND_IFACE, "Connect", &error, NULL, NULL);
                if (r < 0 && !sd_bus_error_has_name(&error, "org.wand.Router1.Error.AlreadyConnected"))
                        die("Connect %s: %s", c->name, error.message ?: strerror(-r));
                sd_bus_error_free(&error);
                c->connected = true;
                if (!c->floor_up) {
                        rtnl_set_up(run->floor_nl, c->floor_ifindex, true);
                        c->floor_up = true;
                }
        }
}

/* "65534,1,2": the unprivileged callers' uids, root excluded. */
static void parse_uids(const char *list) {
        _cleanup_free_ char *copy = strdup(list);
        char *save = NULL;

        if (!copy)
                die("out of memory");
        free(arg_uids);
        arg_uids = NULL;
        arg_n_uids = 0;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                char *end;
                unsigned long uid = strtoul(w, &end, 10);
                if (*end || end == w || uid == 0 || uid >= UINT32_MAX)
                        die("--uids: \"%s\" is not an unprivileged uid", w);
                arg_uids = realloc(arg_uids, (arg_n_uids + 1) * sizeof(uid_t));
                if (!arg_uids)
                        die("out of memory");
                arg_uids[arg_n_uids++] = (uid_t) uid;
        }
        if (arg_n_uids == 0)
                die("--uids: none given");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "clients", required_argument, NULL, 'c' },
                { "seconds", required_argument, NULL, 's' },
                { "rounds", required_argument, NULL, 'r' },
                { "only", required_argument, NULL, 'o' },
                { "uids", required_argument, NULL, 'u' },
                { "user-in-flight", required_argument, NULL, 'f' },
                { "floor-netns", required_argument, NULL, 'F' },
                { "floor-prefix", required_argument, NULL, 'P' },
                {}
        };
        Run run = {};
        double sum[_PHASE_MAX] = {}, ops[_PHASE_MAX] = {};
        Samples ratio = { "ratio" }, ratio_polkit = { "ratio_polkit" };
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'c': arg_clients = (unsigned) atoi(optarg); break;
                case 's': arg_seconds = atof(optarg); break;
                case 'r': arg_rounds = (unsigned) atoi(optarg); break;
                case 'o':
                        arg_only = strcmp(optarg, "user") == 0     ? PHASE_WAND_USER
                                   : strcmp(optarg, "floor") == 0  ? PHASE_FLOOR
                                   : strcmp(optarg, "polkit") == 0 ? PHASE_POLKIT
                                   : strcmp(optarg, "root") == 0   ? PHASE_WAND_ROOT
                                                                   : (die("--only user, floor, polkit or root"), 0);
                        break;
                case 'u': parse_uids(optarg); break;
                case 'f': arg_user_in_flight = (unsigned) atoi(optarg); break;
                case 'F': arg_floor_netns = optarg; break;
                case 'P': arg_floor_prefix = optarg; break;
                default: exit(2);
                }
        if (arg_clients < 1 || arg_rounds < 1 || arg_seconds <= 0 || arg_user_in_flight > arg_clients)
                die("bad arguments");
        if (!arg_floor_netns)
                die("--floor-netns is required: the namespace of the stand-in's veths %s0…", arg_floor_prefix);
        if (arg_n_uids == 0) {
                static uid_t nobody = BENCH_USER_UID;
                arg_uids = &nobody;
                arg_n_uids = 1;
        }
        if (arg_user_in_flight == 0) {
                arg_user_in_flight = arg_clients;
                if (arg_user_in_flight > WAND_MAX_CHECKS_PER_UID * arg_n_uids)
                        arg_user_in_flight = WAND_MAX_CHECKS_PER_UID * arg_n_uids;
                if (arg_user_in_flight > WAND_MAX_CHECKS)
                        arg_user_in_flight = WAND_MAX_CHECKS;
        }

        if (sd_event_new(&run.event) < 0)
                die("event loop");
        run.clients = calloc(arg_clients, sizeof(Client));
        run.last = calloc(arg_n_uids, sizeof(unsigned));
        if (!run.clients || !run.last)
                die("out of memory");
        run.checker = bus_open_system_as(0);
        if (sd_bus_attach_event(run.checker, run.event, 0) < 0)
                die("attach");
        run.floor_nl = rtnl_open_in(arg_floor_netns);
        for (unsigned k = 0; k < arg_clients; k++) {
                Client *cl = &run.clients[k];
                cl->index = k;
                cl->uid = arg_uids[k % arg_n_uids];
                if (asprintf(&cl->name, "bw%u", k) < 0 || sd_bus_path_encode(WAND_PATH "/interface", cl->name, &cl->path) < 0)
                        die("out of memory");
                char floor_dev[IF_NAMESIZE + 16];
                snprintf(floor_dev, sizeof(floor_dev), "%s%u", arg_floor_prefix, k);
                cl->floor_ifindex = rtnl_ifindex_in(arg_floor_netns, floor_dev);
                cl->user = bus_open_system_as(cl->uid);
                cl->root = bus_open_system_as(0);
                if (sd_bus_attach_event(cl->user, run.event, 0) < 0 || sd_bus_attach_event(cl->root, run.event, 0) < 0)
                        die("attach");
        }

        cpu_pids[CPU_WAND] = bus_name_pid(run.checker, WAND_BUS);
        cpu_pids[CPU_POLKITD] = bus_name_pid(run.checker, POLKIT_BUS);
        cpu_pids[CPU_BUS] = bus_name_pid(run.checker, "org.freedesktop.DBus");
        cpu_pids[CPU_CLIENT] = getpid();

        for (unsigned round = 0; round < arg_rounds; round++) {
                /* wand's unprivileged loop and the stand-in's side by side,
                 * each first in every other round. */
                static const Phase order[2][_PHASE_MAX] = {
                        { PHASE_WAND_USER, PHASE_FLOOR, PHASE_POLKIT, PHASE_WAND_ROOT },
                        { PHASE_FLOOR, PHASE_WAND_USER, PHASE_POLKIT, PHASE_WAND_ROOT },
                };
                for (int k = 0; k < _PHASE_MAX; k++) {
                        Phase p = order[round % 2][k];
                        if (arg_only >= 0 && (int) p != arg_only)
                                continue;
                        connect_all(&run);
                        ops[p] = run_phase(&run, p);
                        sum[p] += ops[p];
                }
                if (arg_only < 0 && ops[PHASE_FLOOR] > 0)
                        samples_add(&ratio, ops[PHASE_WAND_USER] / ops[PHASE_FLOOR]);
                if (arg_only < 0 && ops[PHASE_POLKIT] > 0)
                        samples_add(&ratio_polkit, ops[PHASE_WAND_USER] / ops[PHASE_POLKIT]);
        }
        connect_all(&run);

        json_begin();
        json_number("clients", arg_clients);
        json_number("uids", arg_n_uids);
        json_number("user_in_flight", arg_user_in_flight);
        json_number("user_in_flight_per_uid_max", (arg_user_in_flight + arg_n_uids - 1) / arg_n_uids);
        json_number("root_in_flight", arg_clients);
        json_number("seconds", arg_seconds * arg_rounds);
        if (arg_only < 0 || arg_only == PHASE_WAND_USER)
                json_number("wand_user_ops_per_s", sum[PHASE_WAND_USER] / arg_rounds);
        if (arg_only < 0 || arg_only == PHASE_FLOOR)
                json_number("floor_ops_per_s", sum[PHASE_FLOOR] / arg_rounds);
        if (arg_only < 0 || arg_only == PHASE_POLKIT)
                json_number("polkit_checks_per_s", sum[PHASE_POLKIT] / arg_rounds);
        if (arg_only < 0 || arg_only == PHASE_WAND_ROOT)
                json_number("wand_root_ops_per_s", sum[PHASE_WAND_ROOT] / arg_rounds);
        /* CPU ms per operation (or check), by process and phase. */
        for (Phase p = 0; p < _PHASE_MAX; p++)
                for (int k = 0; k < _CPU_MAX; k++) {
                        char key[80];
                        if (ops_sum[p] <= 0)
                                continue;
                        snprintf(key, sizeof(key), "cpu_ms_per_op_%s_%s", phase_names[p], cpu_names[k]);
                        json_number(key, cpu_sum[p][k] / ops_sum[p]);
                }
        if (arg_only < 0 || arg_only == PHASE_WAND_USER) {
                uint64_t lo = UINT64_MAX, hi = 0;
                for (unsigned k = 0; k < arg_clients; k++) {
                        lo = run.clients[k].user_calls < lo ? run.clients[k].user_calls : lo;
                        hi = run.clients[k].user_calls > hi ? run.clients[k].user_calls : hi;
                }
                json_number("wand_user_calls_per_client_min", (double) lo);
                json_number("wand_user_calls_per_client_max", (double) hi);
        }
        if (arg_only < 0) {
                json_number("ratio_median", samples_percentile(&ratio, 50));
                json_number("ratio_min", samples_percentile(&ratio, 0));
                json_number("ratio_max", samples_percentile(&ratio, 100));
                json_number("ratio_polkit_median", samples_percentile(&ratio_polkit, 50));
                json_number("ratio_polkit_min", samples_percentile(&ratio_polkit, 0));
                json_number("ratio_polkit_max", samples_percentile(&ratio_polkit, 100));
        }
        json_end();
        return 0;
}
