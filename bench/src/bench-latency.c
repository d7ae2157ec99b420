/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Latency of wand's Disconnect() and Connect() for root and for the
 * unprivileged caller, with the floors that bound them measured in the same
 * loop: Peer.Ping to wand (the bus round trip), CheckAuthorization sent
 * straight to polkitd for the same subject, action and details wand sends,
 * and the rtnetlink link-down/up of a veth done here. For reference, also
 * CheckAuthorization for a unix-process subject, as NetworkManager asks.
 *
 *   bench-latency --root-iface NAME --user-iface NAME --floor-dev DEV
 *                 [--iterations N] [--gap-ms MS] [--mode gap|b2b]
 *
 * Every call of an iteration is preceded by the same idle gap (--mode gap) or
 * by none (--mode b2b); the calls are interleaved so that whatever else the
 * machine does weighs on floors and calls alike. Prints JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const char *arg_root_iface, *arg_user_iface, *arg_floor_dev;
static unsigned arg_iterations = 200;
static double arg_gap_ms = 10;
static bool arg_gap = true;

static void parse_argv(int argc, char *argv[]) {
        static const struct option options[] = {
                { "root-iface", required_argument, NULL, 'r' },
                { "user-iface", required_argument, NULL, 'u' },
                { "floor-dev", required_argument, NULL, 'f' },
                { "iterations", required_argument, NULL, 'n' },
                { "gap-ms", required_argument, NULL, 'g' },
                { "mode", required_argument, NULL, 'm' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'r': arg_root_iface = optarg; break;
                case 'u': arg_user_iface = optarg; break;
                case 'f': arg_floor_dev = optarg; break;
                case 'n': arg_iterations = (unsigned) atoi(optarg); break;
                case 'g': arg_gap_ms = atof(optarg); break;
                case 'm':
                        if (strcmp(optarg, "gap") == 0)
                                arg_gap = true;
                        else if (strcmp(optarg, "b2b") == 0)
                                arg_gap = false;
                        else
                                die("--mode gap or b2b");
                        break;
                default: exit(2);
                }
        if (!arg_root_iface || !arg_user_iface || !arg_floor_dev)
                die("--root-iface, --user-iface and --floor-dev are required");
}

static char *iface_path(const char *name) {
        char *p = NULL;
        if (sd_bus_path_encode(WAND_PATH "/interface", name, &p) < 0)
                die("path");
        return p;
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

static void gap(void) {
        if (arg_gap)
                sleep_ms(arg_gap_ms);
}

int main(int argc, char *argv[]) {
        Samples ping_root = { "ping_root" }, ping_user = { "ping_user" }, check = { "check_authorization" },
                check_process = { "check_authorization_unix_process" },
                nl_down = { "netlink_down" }, nl_up = { "netlink_up" }, disc_root = { "disconnect_root" },
                conn_root = { "connect_root" }, disc_user = { "disconnect_user" }, conn_user = { "connect_user" };
        _cleanup_free_ char *root_path = NULL, *user_path = NULL;
        sd_bus *root, *user;
        Rtnl *nl;
        int floor_index;

        parse_argv(argc, argv);
        root_path = iface_path(arg_root_iface);
        user_path = iface_path(arg_user_iface);
        const char *const details[] = { "interface", arg_user_iface, "device", arg_user_iface, NULL };

        root = bus_open_system_as(0);
        user = bus_open_system_as(BENCH_USER_UID);
        nl = rtnl_open();
        floor_index = rtnl_ifindex(arg_floor_dev);

        /* Both interfaces start connected; the first calls also fill wand's
         * cache of the callers' uids, as for any caller that calls twice. */
        iface_call(root, root_path, "Connect", "org.wand.Router1.Error.AlreadyConnected");
        iface_call(user, user_path, "Connect", "org.wand.Router1.Error.AlreadyConnected");
        rtnl_set_up(nl, floor_index, true);

        for (unsigned k = 0; k < arg_iterations; k++) {
                gap();
                samples_add(&ping_root, timed_ping(root, WAND_BUS, WAND_PATH));
                gap();
                samples_add(&ping_user, timed_ping(user, WAND_BUS, WAND_PATH));
                gap();
                samples_add(&check, timed_check_authorization(root, bus_unique(user), "org.wand.Router1.disconnect",
                                                              details));
                gap();
                samples_add(&check_process, timed_check_authorization_process(root, BENCH_USER_UID,
                                                                              "org.wand.Router1.disconnect", details));
                gap();
                samples_add(&nl_down, rtnl_set_up(nl, floor_index, false));
                gap();
                samples_add(&nl_up, rtnl_set_up(nl, floor_index, true));
                gap();
                samples_add(&disc_root, iface_call(root, root_path, "Disconnect", NULL));
                gap();
                samples_add(&conn_root, iface_call(root, root_path, "Connect", NULL));
                gap();
                samples_add(&disc_user, iface_call(user, user_path, "Disconnect", NULL));
                gap();
                samples_add(&conn_user, iface_call(user, user_path, "Connect", NULL));
        }

        json_begin();
        json_string("mode", arg_gap ? "gap" : "b2b");
        json_number("gap_ms", arg_gap ? arg_gap_ms : 0);
        json_samples(&ping_root);
        json_samples(&ping_user);
        json_samples(&check);
        json_samples(&check_process);
        json_samples(&nl_down);
        json_samples(&nl_up);
        json_samples(&disc_root);
        json_samples(&conn_root);
        json_samples(&disc_user);
        json_samples(&conn_user);
        json_end();

        rtnl_close(nl);
        sd_bus_flush_close_unref(root);
        sd_bus_flush_close_unref(user);
        return 0;
}
