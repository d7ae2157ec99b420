/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the benchmark's client programs share: a monotonic clock, samples
 * and their percentiles, JSON output, bus connections as another uid, and
 * rtnetlink link changes made straight to the kernel. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#define WAND_BUS "org.wand.Router1"
#define WAND_PATH "/org/wand/Router1"
#define WAND_MANAGER "org.wand.Router1.Manager"
#define WAND_IFACE "org.wand.Router1.Interface"
#define POLKIT_BUS "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_IFACE "org.freedesktop.PolicyKit1.Authority"

/* The unprivileged caller: nobody, granted by the benchmark's polkit rule.
 * Concurrency spreads its callers over more uids (bench-throughput --uids). */
#define BENCH_USER_UID 65534

/* wand's caps on the authorization checks waiting for polkit
 * (service/polkit.c; org.wand.Router1(5), AUTHORIZATION): past either, a
 * call gets org.freedesktop.DBus.Error.LimitsExceeded without polkit being
 * asked. One call in flight per connection holds at most one check. */
#define WAND_MAX_CHECKS_PER_UID 16
#define WAND_MAX_CHECKS 96

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))

uint64_t now_ns(void);
void sleep_ms(double ms);
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Latencies in microseconds. */
typedef struct Samples {
        const char *name;
        double *v;
        size_t n, allocated;
} Samples;

void samples_add(Samples *s, double us);
double samples_percentile(Samples *s, double p); /* nearest rank; NAN if empty */
void samples_free(Samples *s);

/* JSON on stdout: {"name": {"n": …, "p50_us": …, "p99_us": …, "mean_us": …}, …} */
void json_begin(void);
void json_samples(Samples *s);
void json_number(const char *name, double v);
void json_string(const char *name, const char *v);
void json_end(void);

/* A system bus connection whose credentials on the bus are uid's: the socket
 * is connected while the effective uid is uid (the bus takes SO_PEERCRED at
 * connect time), then the process is root again. Blocks until Hello is
 * answered. */
sd_bus *bus_open_system_as(uid_t uid);

/* One method call, timed from before sending to the reply's arrival; dies on
 * an error unless allow_error names it. Returns the duration in µs. */
double timed_call(sd_bus *bus, sd_bus_message *m, sd_bus_message **reply, const char *allow_error);

/* org.freedesktop.DBus.Peer.Ping to dest. */
double timed_ping(sd_bus *bus, const char *dest, const char *path);

/* CheckAuthorization for the bus name subject, flags 0. Dies unless it is
 * authorized. */
double timed_check_authorization(sd_bus *bus, const char *subject, const char *action, const char *const *details);

/* The same for a unix-process subject: this process, with uid given (how
 * NetworkManager asks; wand's contract forbids pids as subjects). */
double timed_check_authorization_process(sd_bus *bus, uid_t uid, const char *action, const char *const *details);

/* rtnetlink, a socket of our own. */
typedef struct Rtnl Rtnl;
Rtnl *rtnl_open(void);
/* The same, in the network namespace at netns_path (/run/netns/NAME). */
Rtnl *rtnl_open_in(const char *netns_path);
void rtnl_close(Rtnl *nl);
int rtnl_ifindex(const char *name);
int rtnl_ifindex_in(const char *netns_path, const char *name);
/* Sets the link up or down and waits for the kernel's ACK. Returns µs. */
double rtnl_set_up(Rtnl *nl, int ifindex, bool up);

/* The pid behind a bus name (GetConnectionUnixProcessID). */
pid_t bus_name_pid(sd_bus *bus, const char *name);

/* CPU time (user + system, all threads) pid has used, in ms; clock ticks. */
double proc_cpu_ms(pid_t pid);

/* The unique name of a connection. */
const char *bus_unique(sd_bus *bus);
