/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static int max_level = LOG_INFO;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

int log_internal(int level, int error, const char *format, ...) {
        static int prefix = -1;
        va_list ap;
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level > max_level)
                return -error;

        if (prefix < 0)
                prefix = getenv("JOURNAL_STREAM") != NULL;

        /* %m in the format prints the error we were given. */
        errno = error;
        flockfile(stderr);
        if (prefix)
                fprintf(stderr, "<%d>", level);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
        funlockfile(stderr);
        fflush(stderr);
        errno = saved;

        return -error;
}
