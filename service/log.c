/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int max_level = LOG_INFO;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

/* write(2) until all is written or it fails (a full pipe, a closed stderr:
 * nothing to be done about either from here). */
static void write_all(int fd, const char *p, size_t size) {
        while (size > 0) {
                ssize_t k = write(fd, p, size);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return;
                p += k;
                size -= (size_t) k;
        }
}

int log_internal(int level, int error, const char *format, ...) {
        static int prefix = -1;
        char buf[4096], *line = buf + 3, *heap = NULL; /* room for "<N>" before */
        const size_t room = sizeof(buf) - 3;
        va_list ap;
        int saved = errno, n;

        if (error < 0)
                error = -error;
        if (level > max_level)
                return -error;

        if (prefix < 0)
                prefix = getenv("JOURNAL_STREAM") != NULL;

        /* %m in the format prints the error we were given. The line goes out
         * in one write(2): journald reads it as one record, and a busy wand
         * (four lines or more per call) pays one system call per line, not
         * two or three. */
        errno = error;
        va_start(ap, format);
        n = vsnprintf(line, room, format, ap);
        va_end(ap);
        if (n >= 0 && (size_t) n >= room) { /* long: once more, on the heap */
                heap = malloc(3 + (size_t) n + 1);
                if (heap) {
                        line = heap + 3;
                        errno = error;
                        va_start(ap, format);
                        n = vsnprintf(line, (size_t) n + 1, format, ap);
                        va_end(ap);
                } else
                        n = (int) room - 1; /* cut, but still a line */
        }
        if (n >= 0) {
                line[n] = '\n';
                if (prefix) {
                        line -= 3;
                        line[0] = '<';
                        line[1] = (char) ('0' + (level & 7));
                        line[2] = '>';
                        n += 3;
                }
                write_all(STDERR_FILENO, line, (size_t) n + 1);
        }
        free(heap);
        errno = saved;

        return -error;
}
