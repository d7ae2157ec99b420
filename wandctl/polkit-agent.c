/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Spawning pkttyagent the way systemd's spawn-polkit-agent.c does: it tells
 * us through --notify-fd that it has registered, by closing the pipe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "polkit-agent.h"

/* pkttyagent normally registers within milliseconds; if it hangs, the call
 * goes ahead without it rather than wandctl hanging too. */
#define AGENT_REGISTER_TIMEOUT_MS 10000

__attribute__((noreturn)) static void agent_child(int notify_fd, pid_t parent) {
        char fd_arg[16];
        int tty;

        /* Die with wandctl, and be killable whatever signals it blocked. */
        (void) prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
                _exit(EXIT_FAILURE);
        sigset_t none;
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);

        /* Only the notification pipe is passed on, as fd 3. */
        if (dup2(notify_fd, 3) < 0)
                _exit(EXIT_FAILURE);
        (void) close_range(4, ~0U, 0);

        /* The agent talks to the terminal; a pipe on stdout or stderr (wandctl
         * run from a script that reads its output) must see EOF when wandctl
         * exits, not when the agent does. */
        if (!isatty(STDOUT_FILENO) || !isatty(STDERR_FILENO)) {
                tty = open("/dev/tty", O_WRONLY | O_CLOEXEC);
                if (tty < 0)
                        _exit(EXIT_FAILURE);
                if (!isatty(STDOUT_FILENO))
                        (void) dup2(tty, STDOUT_FILENO);
                if (!isatty(STDERR_FILENO))
                        (void) dup2(tty, STDERR_FILENO);
        }

        snprintf(fd_arg, sizeof fd_arg, "%d", 3);
        execl(PKTTYAGENT, PKTTYAGENT, "--notify-fd", fd_arg, "--fallback", (char *) NULL);
        _exit(EXIT_FAILURE);
}

pid_t polkit_agent_open(void) {
        _cleanup_close_ int read_fd = -1;
        int pipe_fd[2];
        pid_t parent = getpid(), pid;

        if (access(PKTTYAGENT, X_OK) < 0)
                return 0;
        if (pipe2(pipe_fd, O_CLOEXEC) < 0)
                return -errno;
        read_fd = pipe_fd[0];

        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                int e = errno;
                close(pipe_fd[1]);
                return -e;
        }
        if (pid == 0)
                agent_child(pipe_fd[1], parent);

        close(pipe_fd[1]);
        /* POLLHUP: the agent closed its end (registered), or died. */
        struct pollfd p = { .fd = read_fd, .events = POLLIN };
        (void) poll(&p, 1, AGENT_REGISTER_TIMEOUT_MS);
        return pid;
}

void polkit_agent_close(pid_t pid) {
        if (pid <= 0)
                return;
        (void) kill(pid, SIGTERM);
        (void) kill(pid, SIGCONT);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}
