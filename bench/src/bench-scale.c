/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scale: wand started with N configured interfaces. Start to READY (the
 * sd_notify READY=1 wand sends once it owns its name, measured from just
 * before fork()), resident memory, GetManagedObjects against its floor,
 * ListInterfaces, and Disconnect by root on bw0 with the same idle gap as
 * the latency loop.
 *
 *   bench-scale --wand BIN --config-dir DIR --runtime-dir DIR --interfaces N
 *               --floor-dev DEV [--starts S] [--disconnects D] [--gap-ms MS]
 *               [--gmo-calls C] [--log FILE] [--no-listing]
 *
 * GetManagedObjects' floor is a stand-in (gmo-stand-in.c: a child process
 * on the same bus, owning org.wand.Bench, speaking the wire protocol itself)
 * that asked wand for GetManagedObjects once, kept the reply's body as the
 * bytes wand sent, and answers each call with a header marshalled for it and
 * those bytes. The floor is thus the bus passing a reply of that size and
 * signature (call in, reply out: dbus-daemon reading, validating and writing
 * N bytes) and this client reading it, and no serialization at all, no
 * library's and no lookup of any object or property. That the two replies
 * hold the same is checked once, value by value. Its calls alternate with
 * wand's on the same connection, so the machine's load weighs on both
 * alike; the CPU each call costs wand, the stand-in and dbus-daemon is read
 * from /proc around it.
 *
 * The Disconnect loop also takes the floors (Ping, rtnetlink link down of
 * DEV, a veth wand does not manage) with the same gap, so that a change
 * between sizes can be told apart from the kernel's or the bus's.
 *
 * A GetManagedObjects reply the bus would not pass (over its 32 MiB message
 * limit) is refused with org.freedesktop.DBus.Error.LimitsExceeded: the
 * figure is then null, with the error's message beside it.
 *
 * wand is started S times (the median is reported); the last one is
 * measured further, then stopped. --no-listing: only the Disconnect loop.
 * Prints JSON. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "gmo-stand-in.h"

static const char *arg_wand, *arg_config_dir, *arg_runtime_dir, *arg_floor_dev, *arg_log = "/dev/null";
static unsigned arg_interfaces, arg_starts = 3, arg_disconnects = 100, arg_gmo_calls;
static bool arg_gmo_calls_set;
static double arg_gap_ms = 10;
static bool arg_listing = true;

static void parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "wand", required_argument, NULL, 'w' },
                { "config-dir", required_argument, NULL, 'c' },
                { "runtime-dir", required_argument, NULL, 'r' },
                { "interfaces", required_argument, NULL, 'n' },
                { "starts", required_argument, NULL, 's' },
                { "disconnects", required_argument, NULL, 'd' },
                { "gap-ms", required_argument, NULL, 'g' },
                { "log", required_argument, NULL, 'l' },
                { "floor-dev", required_argument, NULL, 'f' },
                { "gmo-calls", required_argument, NULL, 'G' },
                { "no-listing", no_argument, NULL, 'N' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'w': arg_wand = optarg; break;
                case 'c': arg_config_dir = optarg; break;
                case 'r': arg_runtime_dir = optarg; break;
                case 'n': arg_interfaces = (unsigned) atoi(optarg); break;
                case 's': arg_starts = (unsigned) atoi(optarg); break;
                case 'd': arg_disconnects = (unsigned) atoi(optarg); break;
                case 'g': arg_gap_ms = atof(optarg); break;
                case 'l': arg_log = optarg; break;
                case 'f': arg_floor_dev = optarg; break;
                case 'G': arg_gmo_calls = (unsigned) atoi(optarg); arg_gmo_calls_set = true; break;
                case 'N': arg_listing = false; break;
                default: exit(2);
                }
        if (!arg_wand || !arg_config_dir || !arg_runtime_dir || !arg_floor_dev || arg_interfaces < 1 || arg_starts < 1)
                die("--wand, --config-dir, --runtime-dir, --interfaces and --floor-dev are required");
}

/* Starts wand; returns its pid and the seconds until READY=1. */
static pid_t start_wand(double *ready_s) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char name[64], env[80], config[4096], runtime[4096], buf[4096];
        socklen_t len;
        uint64_t t0;
        pid_t pid;
        int fd;

        snprintf(name, sizeof(name), "wand-bench-notify-%d", (int) getpid());
        memcpy(sa.sun_path + 1, name, strlen(name)); /* abstract */
        len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, len) < 0)
                die("notify socket: %m");
        snprintf(env, sizeof(env), "NOTIFY_SOCKET=@%s", name);
        snprintf(config, sizeof(config), "--config-dir=%s", arg_config_dir);
        snprintf(runtime, sizeof(runtime), "--runtime-dir=%s", arg_runtime_dir);

        t0 = now_ns();
        pid = fork();
        if (pid < 0)
                die("fork: %m");
        if (pid == 0) {
                int logfd = open(arg_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (logfd >= 0) {
                        dup2(logfd, STDOUT_FILENO);
                        dup2(logfd, STDERR_FILENO);
                }
                putenv(env);
                execl(arg_wand, arg_wand, config, runtime, (char *) NULL);
                _exit(127);
        }

        /* Generous: a start-up that grows worse than linearly should show
         * as a figure, not as a failed run; one that ends says so at once. */
        for (unsigned waited = 0;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int r = poll(&p, 1, 1000), status;
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        die("poll: %m");
                if (r == 0) {
                        if (waitpid(pid, &status, WNOHANG) == pid)
                                die("wand exited (status %d) before READY=1 (see %s)", status, arg_log);
                        if (++waited < 600)
                                continue;
                        kill(pid, SIGTERM);
                        die("wand did not report READY=1 within 600 s (see %s)", arg_log);
                }
                ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
                if (n < 0)
                        die("notify socket: %m");
                buf[n] = '\0';
                if (strstr(buf, "READY=1")) {
                        *ready_s = (double) (now_ns() - t0) / 1e9;
                        break;
                }
        }
        close(fd);
        return pid;
}

/* Stops wand; returns the seconds until it exited. */
static double stop_wand(pid_t pid) {
        uint64_t t0 = now_ns();

        if (kill(pid, SIGTERM) < 0)
                die("kill %d: %m", (int) pid);
        if (waitpid(pid, NULL, 0) < 0)
                die("waitpid: %m");
        return (double) (now_ns() - t0) / 1e9;
}

/* VmRSS or VmHWM of pid, MiB. */
static double proc_status_mib(pid_t pid, const char *key) {
        char path[64], line[256];
        double kib = -1;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        f = fopen(path, "re");
        if (!f)
                die("%s: %m", path);
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
                        kib = atof(line + strlen(key) + 1);
        fclose(f);
        if (kib < 0)
                die("%s: no %s", path, key);
        return kib / 1024.0;
}

#define OBJECT_MANAGER "org.freedesktop.DBus.ObjectManager"
#define LIMITS_EXCEEDED "org.freedesktop.DBus.Error.LimitsExceeded"

/* CPU time pid has used, all its threads, in ns: the scheduler's own sum
 * (schedstat), finer than /proc/PID/stat's clock ticks, which a call of
 * 0.1 ms would mostly miss. 0 if pid is gone. */
static uint64_t proc_cpu_ns(pid_t pid) {
        char path[64], file[64 + 256 + 16];
        uint64_t sum = 0;
        struct dirent *de;
        DIR *d;

        snprintf(path, sizeof(path), "/proc/%d/task", (int) pid);
        d = opendir(path);
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                unsigned long long ns;
                FILE *f;

                if (de->d_name[0] == '.')
                        continue;
                snprintf(file, sizeof(file), "%s/%s/schedstat", path, de->d_name);
                f = fopen(file, "re");
                if (!f)
                        continue;
                if (fscanf(f, "%llu", &ns) == 1)
                        sum += ns;
                fclose(f);
        }
        closedir(d);
        return sum;
}

/* The number of elements of the array the reader is at. */
static unsigned count_array(sd_bus_message *m, const char *contents) {
        unsigned n = 0;
        if (sd_bus_message_enter_container(m, 'a', contents) < 0)
                die("reading the reply");
        while (sd_bus_message_skip(m, contents) > 0)
                n++;
        return n;
}

/* One call, timed. A LimitsExceeded answer is returned in *error (its
 * message), any other error is fatal. Returns µs, the reply in *reply (NULL
 * after an error). */
static double call_limited(sd_bus *bus, const char *dest, const char *iface, const char *member,
                           sd_bus_message **reply, char **error) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL;
        uint64_t t0, t1;
        int r;

        *reply = NULL;
        if (sd_bus_message_new_method_call(bus, &m, dest, WAND_PATH, iface, member) < 0)
                die("new message");
        t0 = now_ns();
        r = sd_bus_call(bus, m, 0, &e, reply);
        t1 = now_ns();
        if (r < 0) {
                if (!sd_bus_error_has_name(&e, LIMITS_EXCEEDED))
                        die("%s.%s on %s: %s", iface, member, dest, e.message ?: strerror(-r));
                if (!*error && asprintf(error, "%s: %s", e.name, e.message ?: "") < 0)
                        die("out of memory");
        }
        sd_bus_error_free(&e);
        sd_bus_message_unref(m);
        return (double) (t1 - t0) / 1000.0;
}

static double call_and_count(sd_bus *bus, const char *iface, const char *member, const char *contents,
                             unsigned *count) {
        sd_bus_message *m = NULL, *reply = NULL;
        double us;

        if (sd_bus_message_new_method_call(bus, &m, WAND_BUS, WAND_PATH, iface, member) < 0)
                die("new message");
        us = timed_call(bus, m, &reply, NULL);
        *count = count_array(reply, contents);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        return us;
}

/* JSON strings of ours are plain, but an error message comes from elsewhere. */
static void json_error(const char *key, char *message) {
        if (!message)
                return;
        for (char *c = message; *c; c++)
                if (*c == '"' || *c == '\\' || (unsigned char) *c < 0x20)
                        *c = '\'';
        json_string(key, message);
}

static double iface_call(sd_bus *bus, const char *path, const char *method, const char *allow_error) {
        sd_bus_message *m = NULL;
        double us;

        if (sd_bus_message_new_method_call(bus, &m, WAND_BUS, path, WAND_IFACE, method) < 0)
                die("new message");
        us = timed_call(bus, m, NULL, allow_error);
        sd_bus_message_unref(m);
        return us;
}

/* One GetManagedObjects of wand's or of the stand-in's, its latency and the
 * CPU it cost the answering process and dbus-daemon. */
typedef struct Target {
        const char *dest;
        pid_t pid;
        Samples latency;
        double cpu_ms, bus_cpu_ms;
        unsigned calls, objects;
        char *error;
        sd_bus_message *first; /* the first reply, for same_contents() */
} Target;

static void gmo_call(sd_bus *bus, pid_t bus_pid, Target *t) {
        uint64_t cpu0 = proc_cpu_ns(t->pid), bus0 = proc_cpu_ns(bus_pid);
        sd_bus_message *reply = NULL;
        double us;

        us = call_limited(bus, t->dest, OBJECT_MANAGER, "GetManagedObjects", &reply, &t->error);
        if (!reply)
                return;
        t->cpu_ms += (double) (proc_cpu_ns(t->pid) - cpu0) / 1e6;
        t->bus_cpu_ms += (double) (proc_cpu_ns(bus_pid) - bus0) / 1e6;
        t->calls++;
        samples_add(&t->latency, us);
        t->objects = count_array(reply, "{oa{sa{sv}}}");
        if (!t->first)
                t->first = sd_bus_message_ref(reply);
        sd_bus_message_unref(reply);
}

static bool same_string(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

/* Dies unless a and b, read from where they are, hold the same values of
 * the same types: the floor must stay wand's reply, whatever either does. */
static void same_contents(sd_bus_message *a, sd_bus_message *b) {
        for (;;) {
                const char *ca, *cb;
                char ta, tb;
                int ra = sd_bus_message_peek_type(a, &ta, &ca), rb = sd_bus_message_peek_type(b, &tb, &cb);

                if (ra < 0 || rb < 0)
                        die("reading the replies: %s", strerror(-(ra < 0 ? ra : rb)));
                if (ra != rb || (ra > 0 && (ta != tb || !same_string(ca, cb))))
                        die("the stand-in's GetManagedObjects differs from wand's (%c%s against %c%s)",
                            ra > 0 ? ta : '-', ra > 0 && ca ? ca : "", rb > 0 ? tb : '-', rb > 0 && cb ? cb : "");
                if (ra == 0)
                        return;
                if (strchr("arve", ta)) {
                        if (sd_bus_message_enter_container(a, ta, ca) < 0 ||
                            sd_bus_message_enter_container(b, tb, cb) < 0)
                                die("reading the replies");
                        same_contents(a, b);
                        if (sd_bus_message_exit_container(a) < 0 || sd_bus_message_exit_container(b) < 0)
                                die("reading the replies");
                        continue;
                }
                union {
                        uint64_t t;
                        double d;
                        const char *s;
                } va = {}, vb = {};
                if (ta == 'h' || sd_bus_message_read_basic(a, ta, &va) < 0 ||
                    sd_bus_message_read_basic(b, tb, &vb) < 0)
                        die("reading the replies");
                if (strchr("sog", ta) ? strcmp(va.s, vb.s) != 0 : memcmp(&va, &vb, sizeof(va)) != 0)
                        die("the stand-in's GetManagedObjects differs from wand's (a value of type %c)", ta);
        }
}

int main(int argc, char *argv[]) {
        Samples ready = { "ready_s" }, list = { "list_interfaces" }, disc = { "disconnect_root" },
                ping = { "ping_root" }, nl_down = { "netlink_down" };
        Target wand = { WAND_BUS, .latency = { "get_managed_objects" } },
               floor = { NULL, .latency = { "get_managed_objects_floor" } };
        char stand_in_line[1024] = "";
        unsigned calls, listed = 0;
        double rss_ready, rss, hwm, s, stop_s;
        pid_t pid = 0, stand_in = 0;
        sd_bus *bus;
        Rtnl *nl;
        int floor_index;

        parse_argv(argc, argv);

        for (unsigned k = 0; k < arg_starts; k++) {
                if (pid > 0)
                        stop_wand(pid);
                pid = start_wand(&s);
                samples_add(&ready, s);
        }
        rss_ready = proc_status_mib(pid, "VmRSS");
        wand.pid = pid;

        /* Large replies: fewer calls where each is long. */
        calls = !arg_listing ? 0 : arg_gmo_calls_set ? arg_gmo_calls : arg_interfaces >= 50000 ? 6
                : arg_interfaces >= 10000 ? 15 : arg_interfaces >= 1000 ? 40 : 200;
        if (calls > 0) {
                stand_in = gmo_stand_in_start(stand_in_line, sizeof(stand_in_line));
                if (stand_in_line[0] == '!') {
                        floor.error = strdup(stand_in_line + 1);
                        if (!floor.error)
                                die("out of memory");
                } else
                        floor.dest = STAND_IN_BUS;
                floor.pid = stand_in;
        }

        bus = bus_open_system_as(0);
        pid_t bus_pid = bus_name_pid(bus, "org.freedesktop.DBus");
        /* wand's and the stand-in's calls alternate, each first every other
         * round; one refused (LimitsExceeded) is not called again. */
        for (unsigned k = 0; k < calls; k++)
                for (unsigned j = 0; j < 2; j++) {
                        Target *t = (k + j) % 2 ? &floor : &wand;
                        if (t->dest && !t->error)
                                gmo_call(bus, bus_pid, t);
                }
        for (unsigned k = 0; k < calls; k++)
                samples_add(&list, call_and_count(bus, WAND_MANAGER, "ListInterfaces", "(sos)", &listed));
        if (calls > 0 && listed != arg_interfaces)
                die("wand lists %u interfaces, configured with %u", listed, arg_interfaces);
        if (wand.latency.n > 0 && wand.objects != arg_interfaces)
                die("wand shows %u objects, configured with %u interfaces", wand.objects, arg_interfaces);
        if (wand.first && floor.first) {
                if (sd_bus_message_rewind(wand.first, true) < 0 || sd_bus_message_rewind(floor.first, true) < 0)
                        die("rewinding the replies");
                same_contents(wand.first, floor.first);
        }
        sd_bus_message_unref(wand.first);
        sd_bus_message_unref(floor.first);
        if (stand_in > 0) {
                kill(stand_in, SIGTERM);
                waitpid(stand_in, NULL, 0);
        }

        const char *path = WAND_PATH "/interface/bw0";
        nl = rtnl_open();
        floor_index = rtnl_ifindex(arg_floor_dev);
        rtnl_set_up(nl, floor_index, true);
        iface_call(bus, path, "Connect", "org.wand.Router1.Error.AlreadyConnected");
        for (unsigned k = 0; k < arg_disconnects; k++) {
                sleep_ms(arg_gap_ms);
                samples_add(&ping, timed_ping(bus, WAND_BUS, WAND_PATH));
                sleep_ms(arg_gap_ms);
                samples_add(&nl_down, rtnl_set_up(nl, floor_index, false));
                sleep_ms(arg_gap_ms);
                rtnl_set_up(nl, floor_index, true);
                sleep_ms(arg_gap_ms);
                samples_add(&disc, iface_call(bus, path, "Disconnect", NULL));
                sleep_ms(arg_gap_ms);
                iface_call(bus, path, "Connect", NULL);
        }
        rss = proc_status_mib(pid, "VmRSS");
        hwm = proc_status_mib(pid, "VmHWM");
        sd_bus_flush_close_unref(bus);
        rtnl_close(nl);
        stop_s = stop_wand(pid);

        json_begin();
        json_number("interfaces", arg_interfaces);
        json_number("starts", arg_starts);
        json_number("ready_s_p50", samples_percentile(&ready, 50));
        json_number("ready_s_max", samples_percentile(&ready, 100));
        json_number("stop_s", stop_s);
        json_number("rss_mib_ready", rss_ready);
        json_number("rss_mib", rss);
        json_number("hwm_mib", hwm);
        json_samples(&wand.latency);
        json_number("get_managed_objects_cpu_ms_wand", wand.calls ? wand.cpu_ms / wand.calls : NAN);
        json_number("get_managed_objects_cpu_ms_bus", wand.calls ? wand.bus_cpu_ms / wand.calls : NAN);
        json_error("get_managed_objects_error", wand.error);
        json_samples(&floor.latency);
        json_number("get_managed_objects_floor_cpu_ms_stand_in", floor.calls ? floor.cpu_ms / floor.calls : NAN);
        json_number("get_managed_objects_floor_cpu_ms_bus", floor.calls ? floor.bus_cpu_ms / floor.calls : NAN);
        json_error("get_managed_objects_floor_error", floor.error);
        json_number("get_managed_objects_floor_ratio",
                    samples_percentile(&wand.latency, 50) / samples_percentile(&floor.latency, 50));
        json_samples(&list);
        json_samples(&ping);
        json_samples(&nl_down);
        json_samples(&disc);
        json_end();
        return 0;
}
