/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Spawning supervised processes: a normal run, and the error paths after
 * fork(), which must kill and reap the child even when it has not yet
 * reached setsid() and without hanging wand. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

/* A child fork()ed while park_children is set waits, before fork() even
 * returns in it (so before its setsid()), until the gate is closed: the
 * scheduling in which wand's error path runs before the child has done
 * anything. The child holds no write end, so closing the test's own end (or
 * the test dying) releases it. */
static volatile sig_atomic_t park_children;
static int gate[2] = { -1, -1 };
static volatile sig_atomic_t alarm_fired;

static void park_child(void) {
        char c;

        if (!park_children)
                return;
        close(gate[1]);
        while (read(gate[0], &c, 1) < 0 && errno == EINTR)
                ;
}

/* process_spawn() is waiting for a child nobody killed: release it so that
 * the test ends and can say so, instead of hanging. */
static void on_alarm(int sig) {
        alarm_fired = 1;
        if (gate[1] >= 0)
                close(gate[1]);
        gate[1] = -1;
}

static void gate_open(void) {
        struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };

        g_assert_cmpint(pipe2(gate, O_CLOEXEC), ==, 0);
        g_assert_cmpint(sigaction(SIGALRM, &sa, NULL), ==, 0);
        alarm_fired = 0;
        park_children = 1;
        alarm(10);
}

/* Returns whether the alarm fired; reaps whatever child is left. */
static bool gate_close(void) {
        bool fired = alarm_fired;

        alarm(0);
        park_children = 0;
        if (gate[1] >= 0)
                close(gate[1]);
        close(gate[0]);
        gate[0] = gate[1] = -1;
        while (waitpid(-1, NULL, 0) > 0)
                ;
        return fired;
}

static void assert_no_children(void) {
        errno = 0;
        g_assert_cmpint(waitpid(-1, NULL, WNOHANG), ==, -1);
        g_assert_cmpint(errno, ==, ECHILD);
}

static void set_sigchld_blocked(bool blocked) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        g_assert_cmpint(sigprocmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &mask, NULL), ==, 0);
}

typedef struct {
        bool exited;
        int code, status;
} ExitResult;

static void on_exit_cb(Process *p, int code, int status, void *userdata) {
        ExitResult *e = userdata;

        e->exited = true;
        e->code = code;
        e->status = status;
}

static char *const true_argv[] = { (char *) "/bin/true", NULL };

static void test_spawn_exit_status(void) {
        char *const argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) "echo from the child; exit 3", NULL };
        ExitResult e = {};
        sd_event *event = NULL;
        Process *p = NULL;

        set_sigchld_blocked(true);
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        g_assert_cmpint(process_spawn(&p, event, argv, NULL, "test", on_exit_cb, &e), ==, 0);
        g_assert_cmpint(process_pid(p), >, 1);
        g_assert_false(process_adopted(p));
        while (!e.exited)
                g_assert_cmpint(sd_event_run(event, UINT64_MAX), >=, 0);
        g_assert_cmpint(e.code, ==, CLD_EXITED);
        g_assert_cmpint(e.status, ==, 3);
        process_free(p);
        sd_event_unref(event);
        set_sigchld_blocked(false);
        assert_no_children();
}

/* Runs the loop for about ms milliseconds. */
static void run_for(sd_event *event, unsigned ms) {
        uint64_t end = g_get_monotonic_time() + ms * G_GUINT64_CONSTANT(1000), now;

        while ((now = g_get_monotonic_time()) < end)
                g_assert_cmpint(sd_event_run(event, end - now), >=, 0);
}

/* Whether something (strace, a debugger) traces this test: the kernel then
 * lets only that tracer trace our children, and the test's own tracer
 * cannot attach. g_test_skip()'s reason says so. */
static pid_t tracer_of_self(void) {
        g_autofree char *status = NULL;
        const char *line;

        if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
                return 0;
        line = strstr(status, "\nTracerPid:");
        return line ? (pid_t) strtol(line + strlen("\nTracerPid:"), NULL, 10) : 0;
}

/* A child traced when it exits (strace -p, gdb, a sanitizer's leak check):
 * its pidfd says it has exited while it is still its tracer's to see, so the
 * first look finds nothing to reap. Before the fix that look was the only
 * one (sd-event's one-shot child source): the exit was never reported and
 * the child stayed a zombie. */
static void test_spawn_traced_exit(void) {
        char *const argv[] = { (char *) "/bin/sleep", (char *) "60", NULL };
        int ready[2], go[2], status;
        ExitResult e = {};
        sd_event *event = NULL;
        Process *p = NULL;
        pid_t pid, tracer;
        char c = 0;

        tracer = tracer_of_self();
        if (tracer != 0) {
                g_autofree char *why = g_strdup_printf("this test is traced (TracerPid %d): its children are the "
                                                       "tracer's to trace, and its own tracer cannot attach",
                                                       (int) tracer);
                g_test_skip(why);
                return;
        }
        set_sigchld_blocked(true); /* as in wand */
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        g_assert_cmpint(process_spawn(&p, event, argv, NULL, "test", on_exit_cb, &e), ==, 0);
        pid = process_pid(p);

        /* The tracer is another process: a parent tracing its own child
         * would see the exit in its own waitid(). */
        g_assert_cmpint(pipe2(ready, O_CLOEXEC), ==, 0);
        g_assert_cmpint(pipe2(go, O_CLOEXEC), ==, 0);
        tracer = fork();
        g_assert_cmpint(tracer, >=, 0);
        if (tracer == 0) {
                int st = 0;

                if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0 || write(ready[1], "r", 1) != 1 ||
                    read(go[0], &c, 1) != 1 || waitpid(pid, &st, __WALL) != pid)
                        _exit(2);
                _exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 1);
        }
        close(ready[1]);
        close(go[0]);
        g_assert_cmpint(read(ready[0], &c, 1), ==, 1);

        g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
        run_for(event, 300); /* the pidfd wakes the loop; nothing is ours yet */
        g_assert_false(e.exited);

        /* The tracer sees the exit; the zombie becomes ours to reap. */
        g_assert_cmpint(write(go[1], "g", 1), ==, 1);
        g_assert_cmpint(waitpid(tracer, &status, 0), ==, tracer);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        for (unsigned k = 0; k < 50 && !e.exited; k++)
                run_for(event, 100);
        g_assert_true(e.exited);
        g_assert_cmpint(e.code, ==, CLD_KILLED);
        g_assert_cmpint(e.status, ==, SIGKILL);
        close(ready[0]);
        close(go[1]);
        process_free(p);
        sd_event_unref(event);
        set_sigchld_blocked(false);
        assert_no_children();
}

/* The event source cannot be added (the loop has finished: sd-event refuses
 * new sources with -ESTALE): the first failure after fork() that has a
 * pidfd. Before the fix, the child was signalled as the group -pid, which
 * does not exist before its setsid(), and then waited for: wand hung. */
static void test_spawn_fails_after_fork_event(void) {
        ExitResult e = {};
        sd_event *event = NULL;
        Process *p = NULL;
        bool hung;
        int r;

        g_assert_cmpint(sd_event_new(&event), >=, 0);
        g_assert_cmpint(sd_event_exit(event, 0), >=, 0);
        g_assert_cmpint(sd_event_loop(event), ==, 0);
        g_assert_cmpint(sd_event_get_state(event), ==, SD_EVENT_FINISHED);
        gate_open();
        r = process_spawn(&p, event, true_argv, NULL, "test", on_exit_cb, &e);
        hung = gate_close();
        g_assert_false(hung); /* process_spawn() waited for a child it had not killed */
        g_assert_cmpint(r, ==, -ESTALE);
        g_assert_null(p);
        g_assert_false(e.exited);
        sd_event_unref(event);
        assert_no_children();
}

/* pidfd_open() fails for want of a descriptor (RLIMIT_NOFILE, exactly two
 * left for the output pipe): the failure before there is a pidfd. */
static void test_spawn_fails_after_fork_pidfd(void) {
        struct rlimit saved, tight;
        GArray *fillers = g_array_new(FALSE, FALSE, sizeof(int));
        ExitResult e = {};
        sd_event *event = NULL;
        Process *p = NULL;
        bool hung;
        int r, fd;

        set_sigchld_blocked(true);
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        gate_open();

        /* Every descriptor below a low limit taken, then two given back. */
        g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &saved), ==, 0);
        tight = saved;
        tight.rlim_cur = 64;
        g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &tight), ==, 0);
        while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
                g_array_append_val(fillers, fd);
        g_assert_cmpint(errno, ==, EMFILE);
        g_assert_cmpuint(fillers->len, >=, 2);
        for (int k = 0; k < 2; k++)
                close(g_array_index(fillers, int, --fillers->len));

        r = process_spawn(&p, event, true_argv, NULL, "test", on_exit_cb, &e);

        for (guint k = 0; k < fillers->len; k++)
                close(g_array_index(fillers, int, k));
        g_array_free(fillers, TRUE);
        g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &saved), ==, 0);
        hung = gate_close();
        g_assert_false(hung);
        g_assert_cmpint(r, ==, -EMFILE);
        g_assert_null(p);
        sd_event_unref(event);
        set_sigchld_blocked(false);
        assert_no_children();
}

/* A held child runs nothing until it is let go (wand records its pid in
 * between), and nothing at all if wand goes away first: a crash between the
 * spawn and the record must not leave a dialer running that no record
 * names. process_free() without process_let_go() closes the hold as wand's
 * death would. */
static void test_spawn_held(void) {
        g_autofree char *dir = g_dir_make_tmp("wand-test-process-XXXXXX", NULL);
        g_autofree char *ran = g_build_filename(dir, "ran", NULL);
        g_autofree char *script = g_strdup_printf("echo > '%s'", ran);
        char *const argv[] = { (char *) "/bin/sh", (char *) "-c", script, NULL };
        ExitResult e = {};
        sd_event *event = NULL;
        Process *p = NULL;
        pid_t pid;
        int status;

        g_assert_nonnull(dir);
        set_sigchld_blocked(true);
        g_assert_cmpint(sd_event_new(&event), >=, 0);

        g_assert_cmpint(process_spawn_held(&p, event, argv, NULL, "test", on_exit_cb, &e), ==, 0);
        run_for(event, 300);
        g_assert_false(e.exited);
        g_assert_false(g_file_test(ran, G_FILE_TEST_EXISTS)); /* held: nothing ran yet */
        g_assert_cmpint(process_let_go(p), ==, 0);
        while (!e.exited)
                g_assert_cmpint(sd_event_run(event, UINT64_MAX), >=, 0);
        g_assert_cmpint(e.code, ==, CLD_EXITED);
        g_assert_cmpint(e.status, ==, 0);
        g_assert_true(g_file_test(ran, G_FILE_TEST_EXISTS));
        process_free(p);
        g_assert_cmpint(unlink(ran), ==, 0);

        /* Never let go: it ends without running the command. */
        g_assert_cmpint(process_spawn_held(&p, event, argv, NULL, "test", on_exit_cb, &e), ==, 0);
        pid = process_pid(p);
        process_free(p);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, EXIT_FAILURE);
        g_assert_false(g_file_test(ran, G_FILE_TEST_EXISTS));

        g_assert_cmpint(rmdir(dir), ==, 0);
        sd_event_unref(event);
        set_sigchld_blocked(false);
        assert_no_children();
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_assert_cmpint(pthread_atfork(NULL, NULL, park_child), ==, 0);

        g_test_add_func("/process/spawn/exit-status", test_spawn_exit_status);
        g_test_add_func("/process/spawn/traced-exit", test_spawn_traced_exit);
        g_test_add_func("/process/spawn/fails-after-fork/event-source", test_spawn_fails_after_fork_event);
        g_test_add_func("/process/spawn/fails-after-fork/pidfd", test_spawn_fails_after_fork_pidfd);
        g_test_add_func("/process/spawn/held", test_spawn_held);

        return g_test_run();
}
