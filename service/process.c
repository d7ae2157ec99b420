/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See process.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "log.h"
#include "process.h"

#define LINE_MAX_LEN 2048
/* How soon to look again at a child whose pidfd says it has exited but that
 * waitid() does not give us yet: a process traced when it exits (strace -p,
 * gdb, a sanitizer's leak check) is its tracer's to see first, and is ours
 * to reap only once the tracer has. */
#define REAP_RETRY_USEC (100 * 1000)

struct Process {
        pid_t pid;
        int pidfd;
        uint64_t start_time;
        bool adopted;
        char *log_name;
        sd_event_source *exit_source, *output_source;
        sd_event_source *reap_retry; /* our child exited, waitid() has nothing yet */
        int output_fd;
        int hold_fd;   /* process_spawn_held(): written to let the child run */
        char line[LINE_MAX_LEN];
        size_t line_len;
        ProcessExitFunc on_exit;
        void *userdata;
};

static int pidfd_open_(pid_t pid) {
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_send_signal_(int pidfd, int sig) {
        return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

pid_t process_pid(const Process *p) {
        return p->pid;
}

uint64_t process_start_time(const Process *p) {
        return p->start_time;
}

bool process_adopted(const Process *p) {
        return p->adopted;
}

int process_read_start_time(pid_t pid, uint64_t *ret) {
        char path[64], buf[1024];
        unsigned long long t;
        const char *p;
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -ESRCH;
        buf[n] = '\0';
        /* The command name may hold spaces and parentheses: fields count
         * from the last ')'. starttime is field 22, the 20th after it. */
        p = strrchr(buf, ')');
        if (!p)
                return -EIO;
        p++;
        for (int field = 3; field < 22; field++) {
                p = strchr(p + 1, ' ');
                if (!p)
                        return -EIO;
        }
        if (sscanf(p, " %llu", &t) != 1)
                return -EIO;
        *ret = t;
        return 0;
}

char *process_describe_exit(int code, int status) {
        char *s = NULL;
        int r;

        if (code == CLD_EXITED)
                r = asprintf(&s, "exited with status %d%s", status, status == 127 ? " (could not be executed)" : "");
        else if (code == CLD_KILLED || code == CLD_DUMPED)
                r = asprintf(&s, "was killed by SIG%s", sigabbrev_np(status) ?: "?");
        else
                r = asprintf(&s, "exited");
        return r < 0 ? NULL : s;
}

static void flush_line(Process *p) {
        if (p->line_len == 0)
                return;
        p->line[p->line_len] = '\0';
        log_info("%s: %s", p->log_name, p->line);
        p->line_len = 0;
}

static int on_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Process *p = userdata;
        char buf[4096];
        ssize_t n;

        n = read(fd, buf, sizeof(buf));
        if (n <= 0) {
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        return 0;
                flush_line(p);
                p->output_source = sd_event_source_disable_unref(p->output_source);
                return 0;
        }
        for (ssize_t k = 0; k < n; k++) {
                if (buf[k] == '\n' || p->line_len >= sizeof(p->line) - 1)
                        flush_line(p);
                if (buf[k] != '\n')
                        p->line[p->line_len++] = buf[k] >= ' ' || buf[k] == '\t' ? buf[k] : '?';
        }
        return 0;
}

/* Reaps our child if waitid() has it: 1 when it did (and on_exit ran, which
 * may have freed p), 0 when not yet. */
static int child_reap(Process *p) {
        siginfo_t si = {};

        if (waitid(P_PID, p->pid, &si, WEXITED | WNOHANG) < 0) {
                if (errno == EINTR)
                        return 0;
                /* Not our child to wait for any more (ECHILD): it is gone,
                 * how is not known. */
                log_warning_errno(-errno, "%s: cannot wait for pid %d: %m; taking it as exited.", p->log_name,
                                  (int) p->pid);
                si.si_code = 0;
                si.si_status = 0;
        } else if (si.si_pid == 0)
                return 0;

        /* Read what is left of its output first: the last lines say why. */
        if (p->output_source)
                (void) on_output(p->output_source, p->output_fd, EPOLLIN, p);
        flush_line(p);
        p->exit_source = sd_event_source_disable_unref(p->exit_source);
        p->reap_retry = sd_event_source_disable_unref(p->reap_retry);
        p->on_exit(p, si.si_code, si.si_status, p->userdata);
        return 1;
}

static int on_reap_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Process *p = userdata;

        if (child_reap(p) == 0 &&
            (sd_event_source_set_time_relative(s, REAP_RETRY_USEC) < 0 ||
             sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0))
                log_error("%s: cannot look again at pid %d, which has exited; it stays unreaped.", p->log_name,
                          (int) p->pid);
        return 0;
}

/* The pidfd of our child is readable once it has exited (it wakes us once:
 * the source is one-shot). Usually waitid() then has it; when a tracer holds
 * it, we look again every REAP_RETRY_USEC until the tracer has let go. */
static int on_child_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Process *p = userdata;
        int r;

        if (child_reap(p) > 0)
                return 0;
        log_debug("%s: pid %d has exited but is not ours to reap yet (traced?); looking again every %d ms.",
                  p->log_name, (int) p->pid, REAP_RETRY_USEC / 1000);
        r = sd_event_add_time_relative(sd_event_source_get_event(s), &p->reap_retry, CLOCK_MONOTONIC,
                                       REAP_RETRY_USEC, 0, on_reap_retry, p);
        if (r < 0)
                log_error_errno(r, "%s: cannot look again at pid %d, which has exited; it stays unreaped: %m",
                                p->log_name, (int) p->pid);
        return 0;
}

static int on_adopted_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Process *p = userdata;

        p->exit_source = sd_event_source_disable_unref(p->exit_source);
        p->on_exit(p, 0, 0, p->userdata);
        return 0;
}

static Process *process_new(const char *log_name, ProcessExitFunc on_exit, void *userdata) {
        Process *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->pidfd = -1;
        p->output_fd = -1;
        p->hold_fd = -1;
        p->on_exit = on_exit;
        p->userdata = userdata;
        p->log_name = strdup(log_name);
        if (!p->log_name) {
                free(p);
                return NULL;
        }
        return p;
}

/* Where the child's stdout and stderr go: a journal stream under systemd
 * (it outlives wand, so a dialer keeps logging across a restart), else a pipe
 * that wand reads. */
static int output_fds(const char *log_name, int *ret_child, int *ret_parent) {
        int fds[2];

        if (getenv("JOURNAL_STREAM")) {
                _cleanup_free_ char *ident = NULL;
                if (asprintf(&ident, "wand/%s", log_name) >= 0) {
                        int fd = sd_journal_stream_fd(ident, LOG_INFO, 0);
                        if (fd >= 0) {
                                *ret_child = fd;
                                *ret_parent = -1;
                                return 0;
                        }
                }
        }
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
                close(fds[0]);
                close(fds[1]);
                return -errno;
        }
        *ret_parent = fds[0];
        *ret_child = fds[1];
        return 0;
}

/* A held child waits here, before it runs anything, until wand lets it go.
 * If wand dies first (a crash before it could record the child), the pipe
 * reads EOF and the command never runs: nobody would supervise it. */
static void wait_to_be_let_go(int hold_fd, int parent_end) {
        char c;
        ssize_t n;

        (void) close(parent_end); /* else our own copy keeps the pipe open */
        while ((n = read(hold_fd, &c, 1)) < 0 && errno == EINTR)
                ;
        if (n != 1) {
                fprintf(stderr, "wand: not started: wand went away before it recorded this process.\n");
                _exit(EXIT_FAILURE);
        }
}

_noreturn_ static void child(char *const argv[], char *const env[], int out, const int hold[2]) {
        static const char *const base_env[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG=C.UTF-8",
        };
        char *envp[64];
        size_t n = 0;
        sigset_t mask;
        int null;

        /* Its own session and process group: signals to the group reach
         * everything it starts, and none of wand's reach it. */
        (void) setsid();

        sigemptyset(&mask);
        sigprocmask(SIG_SETMASK, &mask, NULL);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        /* If wand goes away (a restart), writing to the output pipe must not
         * kill the dialer. */
        (void) signal(SIGPIPE, SIG_IGN);

        null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
                _exit(126);
        if (hold[0] >= 0)
                wait_to_be_let_go(hold[0], hold[1]);
        if (close_range(3, ~0U, 0) < 0)
                for (int fd = 3; fd < 65536; fd++)
                        (void) close(fd);

        for (size_t k = 0; k < ELEMENTSOF(base_env); k++)
                envp[n++] = (char *) base_env[k];
        for (size_t k = 0; env && env[k] && n < ELEMENTSOF(envp) - 1; k++)
                envp[n++] = env[k];
        envp[n] = NULL;

        execvpe(argv[0], argv, envp);
        fprintf(stderr, "wand: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
}

/* process_spawn() failed after fork(). The child may not have reached its
 * setsid() yet, so a signal to the process group -pid could miss it, and
 * waiting for a child that got no signal would hang wand for as long as the
 * command runs. The pidfd names exactly this process whatever its group (and
 * before there is one, so does the pid: our unreaped child keeps it). Once
 * SIGKILL is sent, the wait ends as soon as the kernel has torn it down; if
 * the signal could not be sent, wand does not wait at all. */
static void kill_and_reap(Process *p) {
        int r;

        /* Anything it already started in its own group goes too. */
        (void) kill(-p->pid, SIGKILL);
        r = p->pidfd >= 0 ? pidfd_send_signal_(p->pidfd, SIGKILL) : kill(p->pid, SIGKILL);
        if (r < 0) {
                log_error_errno(-errno, "%s: cannot kill pid %d after a failed start: %m; not waiting for it.",
                                p->log_name, (int) p->pid);
                return;
        }
        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

static int spawn(Process **ret, sd_event *event, char *const argv[], char *const env[], const char *log_name,
                 ProcessExitFunc on_exit, void *userdata, bool held) {
        _cleanup_close_ int child_out = -1, hold_child = -1;
        int hold[2] = { -1, -1 };
        Process *p;
        pid_t pid;
        int r;

        if (!argv || !argv[0])
                return -EINVAL;
        p = process_new(log_name, on_exit, userdata);
        if (!p)
                return -ENOMEM;
        r = output_fds(log_name, &child_out, &p->output_fd);
        if (r < 0) {
                process_free(p);
                return r;
        }
        if (held) {
                if (pipe2(hold, O_CLOEXEC) < 0) {
                        r = -errno;
                        process_free(p);
                        return r;
                }
                hold_child = hold[0];
                p->hold_fd = hold[1];
        }

        pid = fork();
        if (pid < 0) {
                r = -errno;
                process_free(p);
                return r;
        }
        if (pid == 0)
                child(argv, env, child_out, hold);

        p->pid = pid;
        /* Our unreaped child: its pid cannot be reused yet. */
        p->pidfd = pidfd_open_(pid);
        if (p->pidfd < 0) {
                r = -errno;
                kill_and_reap(p);
                process_free(p);
                return r;
        }
        (void) process_read_start_time(pid, &p->start_time);

        /* Not sd_event_add_child_pidfd(): its one wakeup is lost when the
         * child is traced as it exits (on_child_pidfd()). */
        r = sd_event_add_io(event, &p->exit_source, p->pidfd, EPOLLIN, on_child_pidfd, p);
        if (r >= 0)
                r = sd_event_source_set_enabled(p->exit_source, SD_EVENT_ONESHOT);
        if (r >= 0 && p->output_fd >= 0)
                r = sd_event_add_io(event, &p->output_source, p->output_fd, EPOLLIN, on_output, p);
        if (r < 0) {
                kill_and_reap(p);
                process_free(p);
                return r;
        }
        log_debug("%s: started %s as pid %d%s.", log_name, argv[0], (int) pid, held ? " (held)" : "");
        *ret = p;
        return 0;
}

int process_spawn(Process **ret, sd_event *event, char *const argv[], char *const env[], const char *log_name,
                  ProcessExitFunc on_exit, void *userdata) {
        return spawn(ret, event, argv, env, log_name, on_exit, userdata, false);
}

int process_spawn_held(Process **ret, sd_event *event, char *const argv[], char *const env[], const char *log_name,
                       ProcessExitFunc on_exit, void *userdata) {
        return spawn(ret, event, argv, env, log_name, on_exit, userdata, true);
}

int process_let_go(Process *p) {
        _cleanup_close_ int fd = TAKE_FD(p->hold_fd);
        ssize_t n;

        if (fd < 0)
                return 0;
        while ((n = write(fd, "", 1)) < 0 && errno == EINTR)
                ;
        /* EPIPE: it is gone already, and its exit is reported as usual. */
        return n == 1 ? 0 : -errno;
}

int process_adopt(Process **ret, sd_event *event, pid_t pid, uint64_t start_time, const char *log_name,
                  ProcessExitFunc on_exit, void *userdata) {
        uint64_t now_start;
        Process *p;
        int r;

        p = process_new(log_name, on_exit, userdata);
        if (!p)
                return -ENOMEM;
        p->pid = pid;
        p->adopted = true;
        p->start_time = start_time;

        /* Open the pidfd first, then check the start time: if the pid was
         * reused before the open, the times differ; after it, the pidfd
         * pins the process we checked. */
        p->pidfd = pidfd_open_(pid);
        if (p->pidfd < 0) {
                r = errno == ESRCH ? -ESRCH : -errno;
                process_free(p);
                return r;
        }
        r = process_read_start_time(pid, &now_start);
        if (r < 0 || now_start != start_time) {
                process_free(p);
                return -ESRCH;
        }
        r = sd_event_add_io(event, &p->exit_source, p->pidfd, EPOLLIN, on_adopted_exit, p);
        if (r < 0) {
                process_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

int process_kill(Process *p, int sig) {
        /* The group first; a process that left its group still gets it. */
        if (kill(-p->pid, sig) < 0 && errno != ESRCH)
                return -errno;
        if (pidfd_send_signal_(p->pidfd, sig) < 0 && errno != ESRCH)
                return -errno;
        return 0;
}

Process *process_free(Process *p) {
        if (!p)
                return NULL;
        if (p->output_source)
                flush_line(p);
        sd_event_source_disable_unref(p->exit_source);
        sd_event_source_disable_unref(p->reap_retry);
        sd_event_source_disable_unref(p->output_source);
        if (p->output_fd >= 0)
                close(p->output_fd);
        if (p->hold_fd >= 0)
                close(p->hold_fd); /* never let go: it exits without running */
        if (p->pidfd >= 0)
                close(p->pidfd);
        free(p->log_name);
        free(p);
        return NULL;
}

typedef struct Orphan {
        ProcessReaper *reaper;
        Process *process;
        sd_event_source *kill_timer;
        ProcessReapedFunc reaped;
        void *userdata;
        struct Orphan *next;
} Orphan;

struct ProcessReaper {
        sd_event *event;
        Orphan *orphans;
};

int process_reaper_new(ProcessReaper **ret, sd_event *event) {
        ProcessReaper *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->event = sd_event_ref(event);
        *ret = r;
        return 0;
}

static void orphan_free(Orphan *o) {
        for (Orphan **p = &o->reaper->orphans; *p; p = &(*p)->next)
                if (*p == o) {
                        *p = o->next;
                        break;
                }
        sd_event_source_disable_unref(o->kill_timer);
        process_free(o->process);
        free(o);
}

static void on_orphan_exit(Process *p, int code, int status, void *userdata) {
        Orphan *o = userdata;
        ProcessReapedFunc reaped = o->reaped;
        void *reaped_userdata = o->userdata;

        log_debug("%s: process %d reaped.", o->process->log_name, (int) p->pid);
        orphan_free(o);
        if (reaped)
                reaped(reaped_userdata);
}

static int on_orphan_kill(sd_event_source *s, uint64_t usec, void *userdata) {
        Orphan *o = userdata;
        log_warning("%s: process %d ignored SIGTERM; killing it.", o->process->log_name, (int) o->process->pid);
        (void) process_kill(o->process, SIGKILL);
        o->kill_timer = sd_event_source_disable_unref(o->kill_timer);
        return 0;
}

void process_reaper_add(ProcessReaper *reaper, Process *p, uint32_t kill_after_sec, ProcessReapedFunc reaped,
                        void *userdata) {
        Orphan *o = calloc(1, sizeof(*o));

        if (!o) {
                /* Cannot watch it: make sure it dies at least. */
                (void) process_kill(p, SIGKILL);
                process_free(p);
                if (reaped)
                        reaped(userdata);
                return;
        }
        o->reaper = reaper;
        o->process = p;
        o->reaped = reaped;
        o->userdata = userdata;
        p->on_exit = on_orphan_exit;
        p->userdata = o;
        o->next = reaper->orphans;
        reaper->orphans = o;
        (void) sd_event_add_time_relative(reaper->event, &o->kill_timer, CLOCK_MONOTONIC,
                                          (uint64_t) kill_after_sec * 1000000u, 0, on_orphan_kill, o);
}

ProcessReaper *process_reaper_free(ProcessReaper *reaper) {
        if (!reaper)
                return NULL;
        while (reaper->orphans)
                orphan_free(reaper->orphans);
        sd_event_unref(reaper->event);
        free(reaper);
        return NULL;
}
