/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See bench.h. */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

void sleep_ms(double ms) {
        struct timespec ts = { .tv_sec = (time_t) (ms / 1000), .tv_nsec = (long) (fmod(ms, 1000) * 1e6) };
        while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
                ;
}

void die(const char *fmt, ...) {
        va_list ap;
        fprintf(stderr, "%s: ", program_invocation_short_name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(EXIT_FAILURE);
}

void samples_add(Samples *s, double us) {
        if (s->n == s->allocated) {
                s->allocated = s->allocated ? s->allocated * 2 : 256;
                s->v = realloc(s->v, s->allocated * sizeof(double));
                if (!s->v)
                        die("out of memory");
        }
        s->v[s->n++] = us;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

double samples_percentile(Samples *s, double p) {
        size_t k;

        if (s->n == 0)
                return NAN;
        qsort(s->v, s->n, sizeof(double), cmp_double);
        /* Nearest rank: the smallest value with at least p % at or below it. */
        k = (size_t) ceil(p / 100.0 * (double) s->n);
        if (k < 1)
                k = 1;
        if (k > s->n)
                k = s->n;
        return s->v[k - 1];
}

void samples_free(Samples *s) {
        free(s->v);
        s->v = NULL;
        s->n = s->allocated = 0;
}

static bool json_first;

void json_begin(void) {
        printf("{");
        json_first = true;
}

static void json_key(const char *name) {
        printf("%s\n  \"%s\": ", json_first ? "" : ",", name);
        json_first = false;
}

static void json_double(double v) {
        if (isnan(v))
                printf("null");
        else
                printf("%.3f", v);
}

void json_samples(Samples *s) {
        double sum = 0;

        for (size_t k = 0; k < s->n; k++)
                sum += s->v[k];
        json_key(s->name);
        printf("{\"n\": %zu, \"p50_us\": ", s->n);
        json_double(samples_percentile(s, 50));
        printf(", \"p99_us\": ");
        json_double(samples_percentile(s, 99));
        printf(", \"mean_us\": ");
        json_double(s->n ? sum / (double) s->n : NAN);
        printf("}");
}

void json_number(const char *name, double v) {
        json_key(name);
        json_double(v);
}

void json_string(const char *name, const char *v) {
        json_key(name);
        printf("\"%s\"", v);
}

void json_end(void) {
        printf("\n}\n");
        fflush(stdout);
}

sd_bus *bus_open_system_as(uid_t uid) {
        sd_bus *bus = NULL;
        const char *unique;
        int r;

        if (uid != 0 && seteuid(uid) < 0)
                die("seteuid(%u): %m", (unsigned) uid);
        r = sd_bus_open_system(&bus);
        if (uid != 0 && seteuid(0) < 0)
                die("seteuid(0): %m");
        if (r < 0)
                die("connecting to the system bus as uid %u: %s", (unsigned) uid, strerror(-r));
        /* Waits for Hello's answer: the connection is usable from here on. */
        r = sd_bus_get_unique_name(bus, &unique);
        if (r < 0)
                die("Hello as uid %u: %s", (unsigned) uid, strerror(-r));
        return bus;
}

const char *bus_unique(sd_bus *bus) {
        const char *u = NULL;
        if (sd_bus_get_unique_name(bus, &u) < 0)
                die("no unique name");
        return u;
}

double timed_call(sd_bus *bus, sd_bus_message *m, sd_bus_message **reply, const char *allow_error) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *rep = NULL;
        uint64_t t0, t1;
        int r;

        t0 = now_ns();
        r = sd_bus_call(bus, m, 0, &error, &rep);
        t1 = now_ns();
        if (r < 0 && !(allow_error && sd_bus_error_has_name(&error, allow_error)))
                die("%s.%s on %s: %s", sd_bus_message_get_interface(m), sd_bus_message_get_member(m),
                    sd_bus_message_get_path(m), error.message ?: strerror(-r));
        sd_bus_error_free(&error);
        if (reply)
                *reply = rep;
        else
                sd_bus_message_unref(rep);
        return (double) (t1 - t0) / 1000.0;
}

double timed_ping(sd_bus *bus, const char *dest, const char *path) {
        sd_bus_message *m = NULL;
        double us;

        if (sd_bus_message_new_method_call(bus, &m, dest, path, "org.freedesktop.DBus.Peer", "Ping") < 0)
                die("new message");
        us = timed_call(bus, m, NULL, NULL);
        sd_bus_message_unref(m);
        return us;
}

/* The start time of this process, in clock ticks since boot, as polkit
 * identifies a process (field 22 of /proc/self/stat). */
static uint64_t self_start_time(void) {
        char buf[4096], *p;
        unsigned long long t = 0;
        FILE *f = fopen("/proc/self/stat", "re");
        size_t n;

        if (!f)
                die("/proc/self/stat: %m");
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                         &t) != 1)
                die("cannot parse /proc/self/stat");
        return t;
}

static double check_authorization(sd_bus *bus, const char *subject, uid_t uid, const char *action,
                                  const char *const *details) {
        sd_bus_message *m = NULL, *reply = NULL;
        int authorized = 0, challenge = 0, r;
        double us;

        r = sd_bus_message_new_method_call(bus, &m, POLKIT_BUS, POLKIT_PATH, POLKIT_IFACE, "CheckAuthorization");
        if (r >= 0 && subject)
                r = sd_bus_message_append(m, "(sa{sv})s", "system-bus-name", 1, "name", "s", subject, action);
        else if (r >= 0)
                r = sd_bus_message_append(m, "(sa{sv})s", "unix-process", 3, "pid", "u", (uint32_t) getpid(),
                                          "start-time", "t", self_start_time(), "uid", "i", (int32_t) uid, action);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{ss}");
        for (const char *const *d = details; r >= 0 && d && d[0] && d[1]; d += 2)
                r = sd_bus_message_append(m, "{ss}", d[0], d[1]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "us", (uint32_t) 0, "");
        if (r < 0)
                die("building CheckAuthorization: %s", strerror(-r));
        us = timed_call(bus, m, &reply, NULL);
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0)
                die("reading CheckAuthorization's answer: %s", strerror(-r));
        if (!authorized)
                die("polkit does not authorize %s for %s (challenge %d): is the benchmark's rule installed?", action,
                    subject, challenge);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        return us;
}

double timed_check_authorization(sd_bus *bus, const char *subject, const char *action, const char *const *details) {
        return check_authorization(bus, subject, 0, action, details);
}

double timed_check_authorization_process(sd_bus *bus, uid_t uid, const char *action, const char *const *details) {
        return check_authorization(bus, NULL, uid, action, details);
}

struct Rtnl {
        struct mnl_socket *sock;
        uint32_t seq, portid;
};

Rtnl *rtnl_open(void) {
        Rtnl *nl = calloc(1, sizeof(*nl));

        if (!nl)
                die("out of memory");
        nl->sock = mnl_socket_open(NETLINK_ROUTE);
        if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
                die("rtnetlink: %m");
        nl->portid = mnl_socket_get_portid(nl->sock);
        nl->seq = (uint32_t) time(NULL);
        return nl;
}

Rtnl *rtnl_open_in(const char *netns_path) {
        int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), target = open(netns_path, O_RDONLY | O_CLOEXEC);
        Rtnl *nl;

        if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0)
                die("entering %s: %m", netns_path);
        nl = rtnl_open(); /* the socket stays in the namespace it was made in */
        if (setns(self, CLONE_NEWNET) < 0)
                die("leaving %s: %m", netns_path);
        close(self);
        close(target);
        return nl;
}

int rtnl_ifindex_in(const char *netns_path, const char *name) {
        int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), target = open(netns_path, O_RDONLY | O_CLOEXEC);
        int ifindex;

        if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0)
                die("entering %s: %m", netns_path);
        ifindex = rtnl_ifindex(name);
        if (setns(self, CLONE_NEWNET) < 0)
                die("leaving %s: %m", netns_path);
        close(self);
        close(target);
        return ifindex;
}

void rtnl_close(Rtnl *nl) {
        if (!nl)
                return;
        mnl_socket_close(nl->sock);
        free(nl);
}

int rtnl_ifindex(const char *name) {
        int ifindex = (int) if_nametoindex(name);
        if (ifindex <= 0)
                die("no link %s: %m", name);
        return ifindex;
}

double rtnl_set_up(Rtnl *nl, int ifindex, bool up) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;
        uint32_t seq = ++nl->seq;
        uint64_t t0, t1;
        ssize_t n;

        nlh->nlmsg_type = RTM_NEWLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = seq;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = up ? IFF_UP : 0;

        t0 = now_ns();
        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                die("rtnetlink send: %m");
        for (;;) {
                n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
                if (n < 0)
                        die("rtnetlink receive: %m");
                /* mnl_cb_run returns -1 with errno set for an NLMSG_ERROR
                 * carrying an error, 0 (MNL_CB_STOP) for the ACK. */
                int r = mnl_cb_run(buf, (size_t) n, seq, nl->portid, NULL, NULL);
                if (r == MNL_CB_ERROR)
                        die("setting link %d %s: %m", ifindex, up ? "up" : "down");
                if (r == MNL_CB_STOP)
                        break;
        }
        t1 = now_ns();
        return (double) (t1 - t0) / 1000.0;
}

pid_t bus_name_pid(sd_bus *bus, const char *name) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        uint32_t pid = 0;

        if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", &error, &reply, "s", name) < 0 ||
            sd_bus_message_read(reply, "u", &pid) < 0)
                die("the pid of %s: %s", name, error.message);
        sd_bus_message_unref(reply);
        return (pid_t) pid;
}

double proc_cpu_ms(pid_t pid) {
        char path[64], buf[1024], *p;
        unsigned long long ut = 0, st = 0;
        FILE *f;
        size_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return 0;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
                return 0;
        return (double) (ut + st) * 1000.0 / (double) sysconf(_SC_CLK_TCK);
}
