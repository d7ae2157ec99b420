/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Narrowing a configuration left readable to every user (config-modes.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* vasprintf() */
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config-modes.h"
#include "macro.h"

#define FILE_MAX (64u * 1024u) /* as config.c reads */

_printf_(4, 5)
static void say(ConfigModesLogFunc log_func, void *userdata, int priority, const char *format, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        int k;

        if (!log_func)
                return;
        va_start(ap, format);
        k = vasprintf(&s, format, ap);
        va_end(ap);
        if (k < 0)
                s = NULL;
        log_func(priority, s ?: "the mode of a configuration file or directory changed (out of memory to say which)",
                 userdata);
}

/* Only what wand would trust is narrowed: its own, and writable by nobody
 * else (StrictModes, config.c). Narrowing one that others could write
 * would make wand trust what they may have changed; that one stays as it
 * is, and config.c refuses the commands in it. */
static bool trusted(const struct stat *st) {
        return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Returns 1 when the directory was narrowed, 0 when it was left as it is,
 * -errno (logged) when it could not be. */
static int tighten_directory(int fd, const char *path, ConfigModesLogFunc log_func, void *userdata) {
        struct stat st;
        mode_t mode;

        if (fstat(fd, &st) < 0) {
                say(log_func, userdata, LOG_WARNING, "%s: cannot check its mode: %s", path, strerror(errno));
                return -errno;
        }
        if (!(st.st_mode & (S_IROTH | S_IXOTH)) || !trusted(&st))
                return 0;
        mode = st.st_mode & 07770;
        if (fchmod(fd, mode) < 0) {
                int r = -errno;
                say(log_func, userdata, LOG_WARNING,
                    "%s: every user can reach the files in it (mode %04o), and interface files may hold passwords "
                    "in their commands, but its mode cannot be changed: %s; change it with chmod %04o %s",
                    path, (unsigned) (st.st_mode & 07777), strerror(-r), (unsigned) mode, path);
                return r;
        }
        say(log_func, userdata, LOG_NOTICE,
            "%s: every user could reach the files in it (mode %04o); changed it to %04o, since interface files may "
            "hold passwords in their commands",
            path, (unsigned) (st.st_mode & 07777), (unsigned) mode);
        return 1;
}

/* Whether a line sets ConnectCommand= or DisconnectCommand= to something,
 * as config.c reads it. */
static bool line_has_command(const char *l, size_t n) {
        static const char *const keys[] = { "ConnectCommand", "DisconnectCommand" };
        const char *end = l + n;

        while (l < end && strchr(" \t\r\f\v", *l))
                l++;
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                size_t len = strlen(keys[k]);
                const char *p = l + len;

                if ((size_t) (end - l) < len || memcmp(l, keys[k], len) != 0)
                        continue;
                while (p < end && strchr(" \t\r\f\v", *p))
                        p++;
                if (p == end || *p != '=')
                        continue;
                for (p++; p < end; p++)
                        if (!strchr(" \t\r\f\v", *p))
                                return true;
        }
        return false;
}

/* Whether the open file has a command; false for what cannot be read
 * (config.c skips such a file with a log line of its own). */
static bool file_has_command(int fd) {
        _cleanup_free_ char *text = malloc(FILE_MAX);
        size_t size = 0;
        const char *p;

        if (!text)
                return false;
        for (;;) {
                ssize_t k = read(fd, text + size, FILE_MAX - size);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return false;
                if (k == 0 || (size += (size_t) k) == FILE_MAX)
                        break;
        }
        for (p = text; p < text + size;) {
                const char *nl = memchr(p, '\n', (size_t) (text + size - p));
                size_t n = nl ? (size_t) (nl - p) : (size_t) (text + size - p);

                if (line_has_command(p, n))
                        return true;
                p += n + 1;
        }
        return false;
}

/* Returns 1 when the file was narrowed, 0 when it was left as it is. */
static int tighten_file(int dfd, const char *idir, const char *name, ConfigModesLogFunc log_func, void *userdata) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        mode_t mode;

        /* O_NOFOLLOW: a link's target is where the administrator put it.
         * O_NONBLOCK: a FIFO must not hang the daemon. */
        fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & (S_IRGRP | S_IROTH)) ||
            !trusted(&st) || !file_has_command(fd))
                return 0;
        mode = st.st_mode & 07700;
        if (fchmod(fd, mode) < 0) {
                say(log_func, userdata, LOG_WARNING,
                    "%s/%s has a command, which may hold a password, and is readable by %s (mode %04o), but its "
                    "mode cannot be changed: %s; change it with chmod %04o %s/%s",
                    idir, name, st.st_mode & 0007 ? "every user" : "its group", (unsigned) (st.st_mode & 07777),
                    strerror(errno), (unsigned) mode, idir, name);
                return 0;
        }
        say(log_func, userdata, LOG_NOTICE,
            "%s/%s has a command, which may hold a password, and was readable by %s (mode %04o); changed it to "
            "%04o. Keep passwords out of commands: every user can read a running command's arguments (see "
            "wand.conf(5))",
            idir, name, st.st_mode & 0007 ? "every user" : "its group", (unsigned) (st.st_mode & 07777),
            (unsigned) mode);
        return 1;
}

int config_tighten_modes(const char *dir, ConfigModesLogFunc log_func, void *userdata) {
        _cleanup_close_ int fd = -EBADF, ifd = -EBADF;
        _cleanup_free_ char *idir = NULL;
        struct dirent *de;
        int r, changes = 0;
        bool opened;
        DIR *d;

        if (asprintf(&idir, "%s/interfaces", dir) < 0)
                return -ENOMEM;

        /* The configuration directory may be a link, as wand reads it. */
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                if (errno != ENOENT)
                        say(log_func, userdata, LOG_WARNING, "%s: cannot check its mode: %s", dir, strerror(errno));
                return 0;
        }
        r = tighten_directory(fd, dir, log_func, userdata);
        opened = r > 0;
        changes += r > 0;

        ifd = openat(fd, "interfaces", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ifd < 0) {
                if (errno != ENOENT)
                        say(log_func, userdata, LOG_WARNING, "%s: cannot check its mode: %s", idir, strerror(errno));
                return changes;
        }
        r = tighten_directory(ifd, idir, log_func, userdata);
        opened |= r > 0;
        changes += r > 0;

        /* Narrow directories are wand's doing or the administrator's: the
         * files' modes within are then chosen, not left over. */
        if (!opened)
                return changes;

        d = fdopendir(TAKE_FD(ifd));
        if (!d) {
                say(log_func, userdata, LOG_WARNING, "%s: cannot list it to check the files' modes: %s", idir,
                    strerror(errno));
                return changes;
        }
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);

                /* As config.c reads them: <name>.conf, not hidden. */
                if (de->d_name[0] == '.' || len <= 5 || !streq(de->d_name + len - 5, ".conf"))
                        continue;
                changes += tighten_file(dirfd(d), idir, de->d_name, log_func, userdata);
        }
        closedir(d);
        return changes;
}
