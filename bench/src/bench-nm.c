/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The peer: NetworkManager's org.freedesktop.NetworkManager.Device.Disconnect()
 * on a veth it manages with a manual-address keyfile connection, for root
 * and for the unprivileged caller, with the same idle gap before each call
 * as wand's loop. NetworkManager replies before it acts, so both are timed
 * from the call's start: its reply, and its effect (an rtnetlink watcher in
 * its network namespace sees the address deleted or the link lose IFF_UP).
 * Between two calls the connection is activated again as root, untimed.
 *
 *   bench-nm --device DEV --netns PATH --address A.B.C.D --connection UUID
 *            [--iterations N] [--gap-ms MS] [--ready-timeout S]
 *
 * Nothing is timed before NetworkManager says it has started (its Startup
 * property false) and lists DEV as a managed device that has left the
 * unavailable states: on a loaded machine it answers on the bus seconds
 * before that, and a measurement begun early fails on a device it does not
 * know yet. Not ready within S seconds (default 30): exit status 3 and a
 * sentence saying what was missing.
 *
 * Prints JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define NM_BUS "org.freedesktop.NetworkManager"
#define NM_PATH "/org/freedesktop/NetworkManager"
#define NM_DEVICE "org.freedesktop.NetworkManager.Device"
#define NM_STATE_DISCONNECTED 30 /* managed, available, not activated */
#define NM_STATE_ACTIVATED 100
#define TIMEOUT_MS 20000
#define EXIT_NOT_READY 3

static const char *arg_device, *arg_netns, *arg_address, *arg_connection;
static unsigned arg_iterations = 50;
static double arg_gap_ms = 10, arg_ready_timeout_s = 30;

static void parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "device", required_argument, NULL, 'd' },
                { "netns", required_argument, NULL, 'n' },
                { "address", required_argument, NULL, 'a' },
                { "connection", required_argument, NULL, 'c' },
                { "iterations", required_argument, NULL, 'i' },
                { "gap-ms", required_argument, NULL, 'g' },
                { "ready-timeout", required_argument, NULL, 'r' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'd': arg_device = optarg; break;
                case 'n': arg_netns = optarg; break;
                case 'a': arg_address = optarg; break;
                case 'c': arg_connection = optarg; break;
                case 'i': arg_iterations = (unsigned) atoi(optarg); break;
                case 'g': arg_gap_ms = atof(optarg); break;
                case 'r': arg_ready_timeout_s = atof(optarg); break;
                default: exit(2);
                }
        if (!arg_device || !arg_netns || !arg_address || !arg_connection)
                die("--device, --netns, --address and --connection are required");
}

/* The watcher: an rtnetlink socket in NetworkManager's network namespace. */
typedef struct Watcher {
        struct mnl_socket *sock;
        int ifindex;
        struct in_addr address;
        bool address_present, link_up;
} Watcher;

static void watcher_open(Watcher *w) {
        int self, target;

        self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        target = open(arg_netns, O_RDONLY | O_CLOEXEC);
        if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0)
                die("entering %s: %m", arg_netns);
        w->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (!w->sock || mnl_socket_bind(w->sock, RTMGRP_LINK | RTMGRP_IPV4_IFADDR, MNL_SOCKET_AUTOPID) < 0)
                die("rtnetlink watcher: %m");
        w->ifindex = (int) if_nametoindex(arg_device);
        if (w->ifindex <= 0)
                die("no %s in %s", arg_device, arg_netns);
        if (setns(self, CLONE_NEWNET) < 0)
                die("leaving %s: %m", arg_netns);
        close(self);
        close(target);
        if (inet_pton(AF_INET, arg_address, &w->address) != 1)
                die("bad address %s", arg_address);
}

static int on_addr_attr(const struct nlattr *attr, void *data) {
        const struct nlattr **tb = data;
        if (mnl_attr_get_type(attr) == IFA_LOCAL || mnl_attr_get_type(attr) == IFA_ADDRESS)
                tb[mnl_attr_get_type(attr)] = attr;
        return MNL_CB_OK;
}

/* Reads what is queued; updates what the watcher knows. */
static void watcher_read(Watcher *w) {
        char buf[MNL_SOCKET_BUFFER_SIZE];

        for (;;) {
                ssize_t n = mnl_socket_recvfrom(w->sock, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                return;
                        die("rtnetlink watcher: %m");
                }
                int len = (int) n;
                for (const struct nlmsghdr *nlh = (const struct nlmsghdr *) buf; mnl_nlmsg_ok(nlh, len);
                     nlh = mnl_nlmsg_next(nlh, &len)) {
                        if (nlh->nlmsg_type == RTM_NEWLINK) {
                                const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
                                if (ifi->ifi_index == w->ifindex)
                                        w->link_up = ifi->ifi_flags & IFF_UP;
                        } else if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
                                const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
                                const struct nlattr *tb[IFA_MAX + 1] = {};
                                const struct nlattr *a;
                                if ((int) ifa->ifa_index != w->ifindex || ifa->ifa_family != AF_INET)
                                        continue;
                                mnl_attr_parse(nlh, sizeof(*ifa), on_addr_attr, tb);
                                a = tb[IFA_LOCAL] ?: tb[IFA_ADDRESS];
                                if (a && mnl_attr_get_payload_len(a) == 4 &&
                                    memcmp(mnl_attr_get_payload(a), &w->address, 4) == 0)
                                        w->address_present = nlh->nlmsg_type == RTM_NEWADDR;
                        }
                }
        }
}

static uint32_t device_state(sd_bus *bus, const char *device_path) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        uint32_t state = 0;
        if (sd_bus_get_property_trivial(bus, NM_BUS, device_path, NM_DEVICE, "State", &error, 'u', &state) < 0)
                die("reading the device's State: %s", error.message);
        return state;
}

/* Activates the connection as root and waits until the device is activated
 * and the address is on the link. */
static void activate(sd_bus *root, Watcher *w, const char *device_path, const char *connection_path) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t start = now_ns();

        if (sd_bus_call_method(root, NM_BUS, NM_PATH, NM_BUS, "ActivateConnection", &error, NULL, "ooo",
                               connection_path, device_path, "/") < 0)
                die("ActivateConnection: %s", error.message);
        for (;;) {
                watcher_read(w);
                if (w->address_present && device_state(root, device_path) == NM_STATE_ACTIVATED)
                        return;
                if (now_ns() - start > (uint64_t) TIMEOUT_MS * 1000000)
                        die("NetworkManager did not activate %s within %d s", arg_device, TIMEOUT_MS / 1000);
                sleep_ms(2);
        }
}

/* What is still missing before NetworkManager can be measured, into why;
 * true once nothing is. */
static bool nm_ready(sd_bus *bus, char *why, size_t size) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *device_path;
        int startup = 1, managed = 0;
        uint32_t state = 0;
        bool ready = false;

        if (sd_bus_get_property_trivial(bus, NM_BUS, NM_PATH, NM_BUS, "Startup", &error, 'b', &startup) < 0)
                snprintf(why, size, "reading its Startup property: %s", error.message);
        else if (startup)
                snprintf(why, size, "it still says Startup=true");
        else if (sd_bus_call_method(bus, NM_BUS, NM_PATH, NM_BUS, "GetDeviceByIpIface", &error, &reply, "s",
                                    arg_device) < 0 ||
                 sd_bus_message_read(reply, "o", &device_path) < 0)
                snprintf(why, size, "it has no device %s: %s", arg_device, error.message ?: "bad reply");
        else if (sd_bus_get_property_trivial(bus, NM_BUS, device_path, NM_DEVICE, "Managed", &error, 'b', &managed) <
                         0 ||
                 sd_bus_get_property_trivial(bus, NM_BUS, device_path, NM_DEVICE, "State", &error, 'u', &state) < 0)
                snprintf(why, size, "reading %s's Managed and State: %s", arg_device, error.message);
        else if (!managed)
                snprintf(why, size, "%s is not managed", arg_device);
        else if (state < NM_STATE_DISCONNECTED)
                snprintf(why, size, "%s is in device state %u (unavailable or earlier)", arg_device, state);
        else
                ready = true;
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        return ready;
}

static void wait_until_ready(sd_bus *bus) {
        uint64_t start = now_ns();
        char why[512] = "";

        while (!nm_ready(bus, why, sizeof(why))) {
                if (now_ns() - start > (uint64_t) (arg_ready_timeout_s * 1e9)) {
                        fprintf(stderr, "bench-nm: NetworkManager was not ready to be measured within %g s: %s\n",
                                arg_ready_timeout_s, why);
                        exit(EXIT_NOT_READY);
                }
                sleep_ms(50);
        }
}

typedef struct Outcome {
        uint64_t reply;
        bool failed;
        char error[256];
} Outcome;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Outcome *o = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        o->reply = now_ns();
        if (e) {
                o->failed = true;
                snprintf(o->error, sizeof(o->error), "%s: %s", e->name, e->message);
        }
        return 0;
}

/* Device.Disconnect() from bus; returns the reply's and the effect's
 * latency in µs. */
static void timed_disconnect(sd_bus *bus, Watcher *w, const char *device_path, double *reply_us, double *effect_us) {
        Outcome o = {};
        uint64_t t0, effect = 0;

        watcher_read(w); /* nothing from before counts */
        if (!w->address_present || !w->link_up)
                die("%s is not up with its address before Disconnect", arg_device);

        t0 = now_ns();
        if (sd_bus_call_method_async(bus, NULL, NM_BUS, device_path, NM_DEVICE, "Disconnect", on_reply, &o, NULL) < 0)
                die("sending Disconnect");
        while (!o.reply || !effect) {
                struct pollfd p[2] = {
                        { .fd = sd_bus_get_fd(bus), .events = (short) sd_bus_get_events(bus) },
                        { .fd = mnl_socket_get_fd(w->sock), .events = POLLIN },
                };
                while (sd_bus_process(bus, NULL) > 0)
                        ;
                watcher_read(w);
                if (!effect && (!w->address_present || !w->link_up))
                        effect = now_ns();
                if (o.reply && o.failed)
                        die("Device.Disconnect: %s", o.error);
                if (o.reply && effect)
                        break;
                if (now_ns() - t0 > (uint64_t) TIMEOUT_MS * 1000000)
                        die("Disconnect: no %s within %d s", o.reply ? "effect" : "reply", TIMEOUT_MS / 1000);
                if (poll(p, 2, 100) < 0 && errno != EINTR)
                        die("poll: %m");
        }
        *reply_us = (double) (o.reply - t0) / 1000.0;
        *effect_us = (double) (effect - t0) / 1000.0;
}

int main(int argc, char *argv[]) {
        Samples reply_root = { "nm_disconnect_root_reply" }, effect_root = { "nm_disconnect_root_effect" },
                reply_user = { "nm_disconnect_user_reply" }, effect_user = { "nm_disconnect_user_effect" },
                ping_root = { "nm_ping_root" };
        const char *device_path, *connection_path;
        sd_bus_message *dev = NULL, *con = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        Watcher w = {};
        sd_bus *root, *user;
        double r, e;

        parse_argv(argc, argv);
        root = bus_open_system_as(0);
        user = bus_open_system_as(BENCH_USER_UID);
        wait_until_ready(root);
        watcher_open(&w);

        if (sd_bus_call_method(root, NM_BUS, NM_PATH, NM_BUS, "GetDeviceByIpIface", &error, &dev, "s", arg_device) < 0 ||
            sd_bus_message_read(dev, "o", &device_path) < 0)
                die("NetworkManager has no device %s: %s", arg_device, error.message);
        if (sd_bus_call_method(root, NM_BUS, NM_PATH "/Settings", NM_BUS ".Settings", "GetConnectionByUuid", &error,
                               &con, "s", arg_connection) < 0 ||
            sd_bus_message_read(con, "o", &connection_path) < 0)
                die("NetworkManager has no connection %s: %s", arg_connection, error.message);

        /* Learn the link's state, then start from an active connection. */
        w.link_up = true;
        w.address_present = false;
        if (device_state(root, device_path) != NM_STATE_ACTIVATED)
                activate(root, &w, device_path, connection_path);
        else
                w.address_present = true;

        for (unsigned k = 0; k < arg_iterations; k++) {
                sleep_ms(arg_gap_ms);
                samples_add(&ping_root, timed_ping(root, NM_BUS, NM_PATH));
                sleep_ms(arg_gap_ms);
                timed_disconnect(root, &w, device_path, &r, &e);
                samples_add(&reply_root, r);
                samples_add(&effect_root, e);
                activate(root, &w, device_path, connection_path);
                sleep_ms(arg_gap_ms);
                timed_disconnect(user, &w, device_path, &r, &e);
                samples_add(&reply_user, r);
                samples_add(&effect_user, e);
                activate(root, &w, device_path, connection_path);
        }

        json_begin();
        json_number("gap_ms", arg_gap_ms);
        json_samples(&ping_root);
        json_samples(&reply_root);
        json_samples(&effect_root);
        json_samples(&reply_user);
        json_samples(&effect_user);
        json_end();
        sd_bus_message_unref(dev);
        sd_bus_message_unref(con);
        return 0;
}
