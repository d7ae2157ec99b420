/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log_internal(): every line whole, in one write(2) — journald reads a
 * stream record per line, and a busy wand logs four lines per call — with
 * the "<N>" priority prefix when journald reads stderr, %m, and lines far
 * longer than the stack buffer not cut. stderr is a SOCK_SEQPACKET socket
 * here: each write(2) arrives as one record, as journald would see it. */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

typedef struct Capture {
        int saved, pipe[2];
} Capture;

static void capture_begin(Capture *c) {
        int size = 1 << 20; /* room for the longest line below in one record */

        g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->pipe), ==, 0);
        g_assert_cmpint(setsockopt(c->pipe[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)), ==, 0);
        g_assert_cmpint(setsockopt(c->pipe[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)), ==, 0);
        c->saved = dup(STDERR_FILENO);
        g_assert_cmpint(dup2(c->pipe[1], STDERR_FILENO), ==, STDERR_FILENO);
}

/* What the next write(2) sent: one record. */
static char *capture_read(Capture *c) {
        static char buf[1 << 17];
        ssize_t n = read(c->pipe[0], buf, sizeof(buf) - 1);
        g_assert_cmpint(n, >, 0);
        buf[n] = '\0';
        return buf;
}

static void capture_end(Capture *c) {
        g_assert_cmpint(dup2(c->saved, STDERR_FILENO), ==, STDERR_FILENO);
        close(c->saved);
        close(c->pipe[0]);
        close(c->pipe[1]);
}

static void test_one_write_per_line(void) {
        Capture c;

        capture_begin(&c);
        log_info("%s: %s → %s", "bw30", "disconnected", "connecting");
        g_assert_cmpstr(capture_read(&c), ==, "bw30: disconnected → connecting\n");
        capture_end(&c);
}

static void test_errno(void) {
        Capture c;
        int r;

        capture_begin(&c);
        errno = EBADF;
        r = log_error_errno(-ENOENT, "opening %s: %m", "bw0.conf");
        g_assert_cmpint(r, ==, -ENOENT);
        g_assert_cmpint(errno, ==, EBADF); /* left as it was */
        g_assert_cmpstr(capture_read(&c), ==, "opening bw0.conf: No such file or directory\n");
        capture_end(&c);
}

/* Longer than any buffer on the stack: still one write, nothing cut. */
static void test_long_line(void) {
        size_t n = 100000;
        g_autofree char *text = g_malloc(n + 1), *expected = NULL;
        Capture c;

        memset(text, 'x', n);
        text[n] = '\0';
        text[0] = 'A';
        text[n - 1] = 'Z';
        expected = g_strconcat("dialer said: ", text, "\n", NULL);
        capture_begin(&c);
        log_warning("dialer said: %s", text);
        g_assert_cmpstr(capture_read(&c), ==, expected);
        capture_end(&c);
}

/* Below the maximum level: nothing at all. */
static void test_filtered(void) {
        Capture c;

        capture_begin(&c);
        log_debug("not shown");
        log_info("shown");
        g_assert_cmpstr(capture_read(&c), ==, "shown\n");
        capture_end(&c);
}

/* Under systemd: the priority journald reads, on each line. The decision
 * is taken once per process, so it runs in a child of its own. */
static void test_journal_prefix(void) {
        if (g_test_subprocess()) {
                g_setenv("JOURNAL_STREAM", "8:1234", true);
                log_warning("bw0: dialer exited with status 1.");
                log_error("%s", "");
                return;
        }
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        g_test_trap_assert_stderr_unmatched("*\n\n*");
        g_test_trap_assert_stderr("<4>bw0: dialer exited with status 1.\n<3>\n");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_unsetenv("JOURNAL_STREAM");
        g_test_add_func("/log/one-write-per-line", test_one_write_per_line);
        g_test_add_func("/log/errno", test_errno);
        g_test_add_func("/log/long-line", test_long_line);
        g_test_add_func("/log/filtered", test_filtered);
        g_test_add_func("/log/journal-prefix", test_journal_prefix);
        return g_test_run();
}
