/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scale: wand started with N configured interfaces. Start to READY (the
 * sd_notify READY=1 wand sends once it owns its name, measured from just
 * before fork()), resident memory, GetManagedObjects, ListInterfaces, and
 * Disconnect by root on bw0 with the same idle gap as the latency loop.
 *
 *   bench-scale --wand BIN --config-dir DIR --runtime-dir DIR --interfaces N
 *               --floor-dev DEV [--starts S] [--disconnects D] [--gap-ms MS]
 *               [--log FILE] [--no-listing]
 *
 * The Disconnect loop also takes the floors (Ping, rtnetlink link down of
 * DEV, a veth wand does not manage) with the same gap, so that a change
 * between sizes can be told apart from the kernel's or the bus's.
 *
 * wand is started S times (the median is reported); the last one is
 * measured further, then stopped. --no-listing: only the Disconnect loop.
 * Prints JSON. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static const char *arg_wand, *arg_config_dir, *arg_runtime_dir, *arg_floor_dev, *arg_log = "/dev/null";
static unsigned arg_interfaces, arg_starts = 3, arg_disconnects = 100;
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

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int r = poll(&p, 1, 60000);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0) {
                        kill(pid, SIGTERM);
                        die("wand did not report READY=1 within 60 s (see %s)", arg_log);
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

static void stop_wand(pid_t pid) {
        if (kill(pid, SIGTERM) < 0)
                die("kill %d: %m", (int) pid);
        if (waitpid(pid, NULL, 0) < 0)
                die("waitpid: %m");
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

/* Skips one complete value of the current type in m. */
static unsigned count_array(sd_bus_message *m, const char *contents) {
        unsigned n = 0;
        if (sd_bus_message_enter_container(m, 'a', contents) < 0)
                die("reading the reply");
        while (sd_bus_message_skip(m, contents) > 0)
                n++;
        return n;
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

static double iface_call(sd_bus *bus, const char *path, const char *method, const char *allow_error) {
        sd_bus_message *m = NULL;
        double us;

        if (sd_bus_message_new_method_call(bus, &m, WAND_BUS, path, WAND_IFACE, method) < 0)
                die("new message");
        us = timed_call(bus, m, NULL, allow_error);
        sd_bus_message_unref(m);
        return us;
}

int main(int argc, char *argv[]) {
        Samples ready = { "ready_s" }, gmo = { "get_managed_objects" }, list = { "list_interfaces" },
                disc = { "disconnect_root" }, ping = { "ping_root" }, nl_down = { "netlink_down" };
        unsigned calls, objects = 0, listed = 0;
        double rss_ready, rss, hwm, s;
        pid_t pid = 0;
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

        bus = bus_open_system_as(0);
        /* Large replies: fewer calls where each is long. */
        calls = !arg_listing ? 0 : arg_interfaces >= 10000 ? 15 : arg_interfaces >= 1000 ? 40 : 200;
        /* CPU per GetManagedObjects, wand's and the bus's: the calls run
         * alone, so the difference over them is theirs. */
        pid_t bus_pid = bus_name_pid(bus, "org.freedesktop.DBus");
        double wand_cpu0 = proc_cpu_ms(pid), bus_cpu0 = proc_cpu_ms(bus_pid);
        for (unsigned k = 0; k < calls; k++)
                samples_add(&gmo, call_and_count(bus, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                                 "{oa{sa{sv}}}", &objects));
        double gmo_wand_cpu = calls ? (proc_cpu_ms(pid) - wand_cpu0) / calls : NAN;
        double gmo_bus_cpu = calls ? (proc_cpu_ms(bus_pid) - bus_cpu0) / calls : NAN;
        for (unsigned k = 0; k < calls; k++)
                samples_add(&list, call_and_count(bus, WAND_MANAGER, "ListInterfaces", "(sos)", &listed));
        if (calls > 0 && (objects != arg_interfaces || listed != arg_interfaces))
                die("wand shows %u objects and lists %u interfaces, configured with %u", objects, listed,
                    arg_interfaces);

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
        stop_wand(pid);

        json_begin();
        json_number("interfaces", arg_interfaces);
        json_number("starts", arg_starts);
        json_number("ready_s_p50", samples_percentile(&ready, 50));
        json_number("ready_s_max", samples_percentile(&ready, 100));
        json_number("rss_mib_ready", rss_ready);
        json_number("rss_mib", rss);
        json_number("hwm_mib", hwm);
        json_samples(&gmo);
        json_number("get_managed_objects_cpu_ms_wand", gmo_wand_cpu);
        json_number("get_managed_objects_cpu_ms_bus", gmo_bus_cpu);
        json_samples(&list);
        json_samples(&ping);
        json_samples(&nl_down);
        json_samples(&disc);
        json_end();
        return 0;
}
