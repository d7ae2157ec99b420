/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A dialer for the tests: makes its Device as a real tun (up with carrier
 * while it runs) and then misbehaves in the way --mode= says, so that the
 * tests can drive wand's supervision through every fault. It tells on stdout
 * what it does; wand logs each line under the interface's name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) {
        got_signal = sig;
}

static double now_monotonic(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Sleeps for sec seconds (forever if negative); returns early, with the
 * signal's number, when a signal we catch arrives. */
static int wait_for(double sec) {
        double end = now_monotonic() + sec;

        while (!got_signal) {
                double left = end - now_monotonic();
                struct timespec ts;

                if (sec < 0)
                        left = 3600;
                else if (left <= 0)
                        break;
                ts.tv_sec = (time_t) left;
                ts.tv_nsec = (long) ((left - (double) ts.tv_sec) * 1e9);
                (void) nanosleep(&ts, NULL); /* EINTR on a signal */
        }
        return got_signal;
}

static int tun_create(const char *name) {
        struct ifreq ifr = {};
        int fd;

        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                printf("cannot open /dev/net/tun: %s\n", strerror(errno));
                return -1;
        }
        ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
                printf("cannot create tun %s: %s\n", name, strerror(errno));
                close(fd);
                return -1;
        }
        printf("created tun %s\n", name);
        return fd;
}

static int link_set_up(const char *name) {
        struct ifreq ifr = {};
        int sock, r = 0;

        sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return -1;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP, ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)) {
                printf("cannot set %s up: %s\n", name, strerror(errno));
                r = -1;
        } else
                printf("set %s up\n", name);
        close(sock);
        return r;
}

/* What wand gave us: the tests check the process group, session, open
 * descriptors and environment from these lines. */
static void describe_self(void) {
        char fds[256] = "";
        DIR *d;
        struct dirent *de;

        printf("pid=%d pgid=%d sid=%d\n", (int) getpid(), (int) getpgid(0), (int) getsid(0));

        d = opendir("/proc/self/fd");
        if (d) {
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
                                continue;
                        if (fds[0])
                                strncat(fds, ",", sizeof(fds) - strlen(fds) - 1);
                        strncat(fds, de->d_name, sizeof(fds) - strlen(fds) - 1);
                }
                closedir(d);
        }
        printf("fds=%s\n", fds);

        printf("env=");
        for (char **e = environ; *e; e++) {
                const char *eq = strchr(*e, '=');
                printf("%s%.*s", e == environ ? "" : ",", eq ? (int) (eq - *e) : (int) strlen(*e), *e);
        }
        printf("\n");
        printf("WAND_INTERFACE=%s WAND_DEVICE=%s\n", getenv("WAND_INTERFACE") ?: "", getenv("WAND_DEVICE") ?: "");
}

static int parse_signal(const char *s) {
        if (strncmp(s, "SIG", 3) == 0)
                s += 3;
        if (strcmp(s, "TERM") == 0)
                return SIGTERM;
        if (strcmp(s, "USR1") == 0)
                return SIGUSR1;
        if (strcmp(s, "USR2") == 0)
                return SIGUSR2;
        if (strcmp(s, "KILL") == 0)
                return SIGKILL;
        return atoi(s);
}

/* The DisconnectCommand of the tests: hangs up the dialer whose pid wand
 * passes in WAND_DIALER_PID, with SIGUSR1 so the dialer can tell it from
 * wand's own SIGTERM. */
static int hangup(double linger) {
        const char *s = getenv("WAND_DIALER_PID");
        int pid = s ? atoi(s) : 0;

        printf("hangup: WAND_INTERFACE=%s WAND_DIALER_PID=%s\n", getenv("WAND_INTERFACE") ?: "", s ?: "");
        if (pid <= 1) {
                printf("hangup: no dialer pid\n");
                return 1;
        }
        if (kill(pid, SIGUSR1) < 0) {
                printf("hangup: kill %d: %s\n", pid, strerror(errno));
                return 1;
        }
        printf("hangup: sent SIGUSR1 to %d\n", pid);
        if (linger > 0) {
                /* As a DisconnectCommand that waits for a modem to hang up. */
                printf("hangup: lingering %.1f s\n", linger);
                (void) wait_for(linger);
        }
        return 0;
}

/* A signal ended the wait: close the tun (which removes it) and leave. */
static int hang_up(int fd) {
        printf("received SIG%s\n", sigabbrev_np(got_signal) ?: "?");
        if (fd >= 0)
                close(fd);
        printf("exiting with status 0\n");
        return 0;
}

static void record(const char *path, const char *mode) {
        FILE *f;

        if (!path)
                return;
        f = fopen(path, "ae");
        if (!f)
                return;
        fprintf(f, "%s %d %.3f\n", mode, (int) getpid(), now_monotonic());
        fclose(f);
}

static void usage(void) {
        printf("test-dialer --mode=ok|exit-now|exit-later|ignore-term|never-up|slow-up|die-after|hangup\n"
               "            [--device=NAME] [--delay=SEC] [--exit-status=N] [--exit-signal=SIG]\n"
               "            [--flag-file=FILE --next-mode=MODE] [--record=FILE] [--heartbeat=SEC]\n"
               "            [--linger=SEC]\n"
               "--flag-file: if FILE exists, run --next-mode instead; else create it.\n"
               "--record: append \"MODE PID MONOTONIC-TIME\" to FILE at start.\n"
               "--heartbeat: once up, print a line every SEC seconds.\n"
               "--linger: die-after removes the device, then exits SEC seconds later;\n"
               "          hangup exits SEC seconds after hanging up.\n");
}

int main(int argc, char *argv[]) {
        enum { ARG_MODE = 0x100, ARG_DEVICE, ARG_DELAY, ARG_EXIT_STATUS, ARG_EXIT_SIGNAL, ARG_FLAG_FILE,
               ARG_NEXT_MODE, ARG_RECORD, ARG_HEARTBEAT, ARG_LINGER };
        static const struct option options[] = {
                { "mode", required_argument, NULL, ARG_MODE },
                { "device", required_argument, NULL, ARG_DEVICE },
                { "delay", required_argument, NULL, ARG_DELAY },
                { "exit-status", required_argument, NULL, ARG_EXIT_STATUS },
                { "exit-signal", required_argument, NULL, ARG_EXIT_SIGNAL },
                { "flag-file", required_argument, NULL, ARG_FLAG_FILE },
                { "next-mode", required_argument, NULL, ARG_NEXT_MODE },
                { "record", required_argument, NULL, ARG_RECORD },
                { "heartbeat", required_argument, NULL, ARG_HEARTBEAT },
                { "linger", required_argument, NULL, ARG_LINGER },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *mode = "ok", *device = getenv("WAND_DEVICE"), *flag_file = NULL, *next_mode = NULL,
                   *record_file = NULL;
        double delay = 1, heartbeat = 0, linger = 0;
        int exit_status = 1, exit_signal = 0, c, fd = -1;
        struct sigaction sa = { .sa_handler = on_signal };

        setvbuf(stdout, NULL, _IOLBF, 0);
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_MODE:
                        mode = optarg;
                        break;
                case ARG_DEVICE:
                        device = optarg;
                        break;
                case ARG_DELAY:
                        delay = atof(optarg);
                        break;
                case ARG_EXIT_STATUS:
                        exit_status = atoi(optarg);
                        break;
                case ARG_EXIT_SIGNAL:
                        exit_signal = parse_signal(optarg);
                        break;
                case ARG_FLAG_FILE:
                        flag_file = optarg;
                        break;
                case ARG_NEXT_MODE:
                        next_mode = optarg;
                        break;
                case ARG_RECORD:
                        record_file = optarg;
                        break;
                case ARG_HEARTBEAT:
                        heartbeat = atof(optarg);
                        break;
                case ARG_LINGER:
                        linger = atof(optarg);
                        break;
                case 'h':
                        usage();
                        return 0;
                default:
                        return 2;
                }

        if (strcmp(mode, "hangup") == 0)
                return hangup(linger);

        if (flag_file) {
                if (access(flag_file, F_OK) == 0 && next_mode)
                        mode = next_mode;
                else {
                        int f = open(flag_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                        if (f >= 0)
                                close(f);
                }
        }
        record(record_file, mode);

        sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGTERM, &sa, NULL);
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGUSR1, &sa, NULL);
        if (strcmp(mode, "ignore-term") == 0)
                (void) signal(SIGTERM, SIG_IGN);

        printf("test-dialer: mode %s, device %s\n", mode, device ?: "(none)");
        describe_self();
        if (strcmp(mode, "exit-now") == 0)
                goto finish;
        if (strcmp(mode, "exit-later") == 0) {
                printf("exiting in %.1f s\n", delay);
                if (wait_for(delay))
                        return hang_up(-1);
                goto finish;
        }
        if (strcmp(mode, "slow-up") == 0) {
                printf("waiting %.1f s before creating %s\n", delay, device);
                if (wait_for(delay))
                        return hang_up(-1);
        } else if (strcmp(mode, "ok") != 0 && strcmp(mode, "ignore-term") != 0 && strcmp(mode, "never-up") != 0 &&
                   strcmp(mode, "die-after") != 0) {
                printf("unknown mode %s\n", mode);
                return 2;
        }

        if (!device || !*device) {
                printf("no --device and no WAND_DEVICE\n");
                return 2;
        }
        fd = tun_create(device);
        if (fd < 0)
                return 3;
        if (strcmp(mode, "never-up") == 0)
                printf("leaving %s down\n", device);
        else if (link_set_up(device) < 0)
                return 3;

        if (strcmp(mode, "die-after") == 0) {
                printf("connected; dying in %.1f s\n", delay);
                if (wait_for(delay))
                        return hang_up(fd);
                /* pppd finishes its ip-down scripts whatever it is sent;
                 * ignore SIGTERM before the device goes, which wand sees. */
                if (linger > 0)
                        (void) signal(SIGTERM, SIG_IGN);
                close(fd);
                if (linger > 0) {
                        /* As pppd running its ip-down scripts: the device
                         * is gone, the dialer not yet. */
                        printf("%s is gone; exiting in %.1f s (SIGTERM will not hurry it)\n", device, linger);
                        if (wait_for(linger))
                                return hang_up(-1);
                }
                goto finish;
        }
        printf("waiting for a signal\n");
        if (heartbeat > 0) {
                /* Keeps writing to its output, which wand reads, so that a
                 * restart of wand shows whether the dialer survives that. */
                for (unsigned long k = 1; !wait_for(heartbeat); k++)
                        printf("alive %lu\n", k);
        } else
                wait_for(-1);
        return hang_up(fd);

finish:
        if (exit_signal) {
                printf("exiting by SIG%s\n", sigabbrev_np(exit_signal) ?: "?");
                (void) signal(exit_signal, SIG_DFL);
                raise(exit_signal);
        }
        printf("exiting with status %d\n", exit_status);
        return exit_status;
}
