/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wand: the WAN interface manager. Sets up the event loop, the bus and the
 * manager, and owns org.wand.Router1 once the kernel's links are known. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "build-config.h"
#include "bus.h"
#include "config-modes.h"
#include "config.h"
#include "log.h"
#include "manager.h"
#include "names.h"
#include "polkit.h"
#include "wand-errors.h"

static const char *arg_config_dir = WAND_CONFIG_DIR;
static const char *arg_runtime_dir = "/run/wand";
static const char *arg_networkd_dir = "/run/systemd/network";

static void help(void) {
        printf("Usage: wand [OPTIONS]\n\n"
               "Manages WAN interfaces and publishes them on the system bus as %s.\n\n"
               "  -h --help              Show this help\n"
               "     --version           Show the version\n"
               "     --config-dir=DIR    Read the configuration from DIR (default: %s)\n"
               "     --runtime-dir=DIR   Record running dialers in DIR (default: /run/wand)\n"
               "     --networkd-runtime-dir=DIR\n"
               "                         Where ClaimDevice=yes puts systemd-networkd's\n"
               "                         runtime files (default: /run/systemd/network)\n"
               "  -v --verbose           Log debugging messages too\n\n"
               "Signals: SIGHUP reloads the configuration; SIGTERM and SIGINT exit.\n"
               "See wand(8) and the D-Bus API in org.wand.Router1(5).\n",
               WAND_BUS_NAME, WAND_CONFIG_DIR);
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_CONFIG_DIR, ARG_RUNTIME_DIR, ARG_NETWORKD_DIR };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "config-dir", required_argument, NULL, ARG_CONFIG_DIR },
                { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
                { "networkd-runtime-dir", required_argument, NULL, ARG_NETWORKD_DIR },
                { "verbose", no_argument, NULL, 'v' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "hv", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("wand %s\n", WAND_VERSION);
                        return 0;
                case ARG_CONFIG_DIR:
                        if (optarg[0] == '\0') {
                                fprintf(stderr, "wand: --config-dir needs a directory.\n");
                                return -EINVAL;
                        }
                        arg_config_dir = optarg;
                        break;
                case ARG_RUNTIME_DIR:
                        if (optarg[0] == '\0') {
                                fprintf(stderr, "wand: --runtime-dir needs a directory.\n");
                                return -EINVAL;
                        }
                        arg_runtime_dir = optarg;
                        break;
                case ARG_NETWORKD_DIR:
                        if (optarg[0] == '\0') {
                                fprintf(stderr, "wand: --networkd-runtime-dir needs a directory.\n");
                                return -EINVAL;
                        }
                        arg_networkd_dir = optarg;
                        break;
                case 'v':
                        log_set_max_level(LOG_DEBUG);
                        break;
                default:
                        fprintf(stderr, "Try 'wand --help'.\n");
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "wand: unexpected argument '%s'. Try 'wand --help'.\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static void exit_when_settled(Manager *m, int r, void *userdata) {
        (void) sd_event_exit(m->event, EXIT_SUCCESS);
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        static bool asked = false;
        Manager *m = userdata;

        /* The dialers of interfaces that are gone are waited for: each is
         * killed within its DisconnectTimeoutSec. (Their records stay should
         * wand be killed meanwhile: the next one stops them.) A second
         * signal does not wait. */
        if (m->lingering > 0 && !asked) {
                asked = true;
                log_info("Received %s; exiting once the %u process(es) of removed interfaces being stopped are gone.",
                         strsignal((int) si->ssi_signo), m->lingering);
                if (manager_when_settled(m, exit_when_settled, NULL) >= 0)
                        return 0;
        }
        log_info("Received %s, exiting.", strsignal((int) si->ssi_signo));
        return sd_event_exit(sd_event_source_get_event(s), EXIT_SUCCESS);
}

/* Runs before sd-bus's own exit handler, which flushes and closes the
 * connection: callers still waiting are answered while they can be. */
static int on_event_exit(sd_event_source *s, void *userdata) {
        manager_abort_operations(userdata, "wand is shutting down.");
        return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        int r = manager_reload(m, NULL, NULL);
        if (r < 0)
                log_error_errno(r, "Reload failed: %m");
        return 0;
}

static void log_modes(int priority, const char *message, void *userdata) {
        log_internal(priority, 0, "%s", message);
}

static void log_temporaries(const char *message, void *userdata) {
        log_notice("%s", message);
}

static int on_bus_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        log_error("Lost the connection to the system bus; exiting (the service manager restarts wand).");
        return sd_event_exit(m->event, EXIT_FAILURE);
}

static int on_name_acquired(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        uint32_t result = 0;

        if (e) {
                log_error("Could not own %s: %s (is another wand running, or does the bus policy not allow it?)",
                          WAND_BUS_NAME, e->message ?: e->name);
                return sd_event_exit(m->event, EXIT_FAILURE);
        }
        (void) sd_bus_message_read(reply, "u", &result);
        /* RequestName: 1 primary owner, 4 already the owner. */
        if (result != 1 && result != 4) {
                log_error("Could not own %s: another process owns it.", WAND_BUS_NAME);
                return sd_event_exit(m->event, EXIT_FAILURE);
        }
        log_info("wand %s ready on the system bus as %s.", WAND_VERSION, WAND_BUS_NAME);
        (void) sd_notify(false, "READY=1\nSTATUS=Managing WAN interfaces.");
        return 0;
}

/* The kernel's links are known: publish, then take the name. */
static void on_first_dump(int error, void *userdata) {
        Manager *m = userdata;
        int r;

        if (error < 0) {
                log_error_errno(error, "Failed to read the kernel's links: %m");
                (void) sd_event_exit(m->event, EXIT_FAILURE);
                return;
        }
        manager_update_all(m);
        m->published = true;
        /* What an earlier wand claimed of devices no interface uses now
         * goes back, as they are now. */
        manager_release_unused_claims(m);

        r = sd_bus_request_name_async(m->bus, NULL, WAND_BUS_NAME, 0, on_name_acquired, m);
        if (r < 0) {
                log_error_errno(r, "Failed to request %s: %m", WAND_BUS_NAME);
                (void) sd_event_exit(m->event, EXIT_FAILURE);
        }
}

static int run(void) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_event_source_unrefp) sd_event_source *exit_source = NULL;
        Manager *m = NULL;
        int r, exit_code;

        r = wand_errors_register();
        if (r < 0)
                return log_error_errno(r, "Failed to register the error names: %m");

        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event loop: %m");

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        /* Not SIGCHLD: children are watched through pidfds (process.c),
         * and its default action leaves them for us to reap. */
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = manager_new(&m, event, arg_config_dir, arg_runtime_dir);
        if (r < 0)
                return r;

        r = sd_event_add_exit(event, &exit_source, on_event_exit, m);
        if (r >= 0)
                r = sd_event_source_set_priority(exit_source, SD_EVENT_PRIORITY_IMPORTANT);
        if (r < 0) {
                log_error_errno(r, "Failed to set up the exit handler: %m");
                goto finish;
        }

        r = sd_event_add_signal(event, NULL, SIGTERM, on_exit_signal, m);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, on_exit_signal, m);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGHUP, on_sighup, m);
        if (r < 0) {
                log_error_errno(r, "Failed to watch signals: %m");
                goto finish;
        }

        r = sd_bus_open_system_with_description(&m->bus, "wand");
        if (r < 0) {
                log_error_errno(r, "Failed to connect to the system bus: %m");
                goto finish;
        }
        r = sd_bus_attach_event(m->bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                log_error_errno(r, "Failed to attach the bus to the event loop: %m");
                goto finish;
        }
        r = sd_bus_match_signal(m->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                "org.freedesktop.DBus.Local", "Disconnected", on_bus_disconnected, m);
        if (r < 0) {
                log_error_errno(r, "Failed to watch the bus connection: %m");
                goto finish;
        }
        r = polkit_registry_new(&m->polkit, m->bus, &m->bus_budget);
        if (r < 0) {
                log_oom();
                goto finish;
        }
        r = manager_bus_register(m);
        if (r < 0) {
                log_error_errno(r, "Failed to register the bus objects: %m");
                goto finish;
        }
        r = manager_watch_link_owners(m, arg_networkd_dir);
        if (r < 0) {
                log_error_errno(r, "Failed to watch NetworkManager and systemd-networkd: %m");
                goto finish;
        }

        /* Before reading it: what older versions left readable to every
         * user is narrowed once (config-modes.h). */
        (void) config_tighten_modes(arg_config_dir, log_modes, NULL);
        (void) config_remove_temporaries(arg_config_dir, log_temporaries, NULL);
        r = manager_load(m);
        if (r < 0)
                goto finish;
        r = netlink_dump(m->netlink, on_first_dump, m);
        if (r < 0)
                goto finish;

        r = sd_event_loop(event);
        if (r < 0) {
                log_error_errno(r, "Event loop failed: %m");
                goto finish;
        }
        (void) sd_event_get_exit_code(event, &exit_code);
        r = exit_code == EXIT_SUCCESS ? 0 : -EIO;

finish:
        (void) sd_notify(false, "STOPPING=1");
        manager_free(m);
        return r;
}

int main(int argc, char *argv[]) {
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        return run() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
