/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading and writing wand.conf and interfaces/<name>.conf: an INI-like
 * format whose every problem is reported as "<path>:<line>: <problem>". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* vasprintf(), mempcpy() */
#endif

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config-modes.h"
#include "config.h"
#include "crash-point.h"
#include "macro.h"
#include "names.h"
#include "shell-words.h"

#define CONFIG_FILE_MAX (64u * 1024u)
#define CONFIG_SUFFIX ".conf"

/* asprintf() that returns NULL on failure: asprintf() itself leaves its
 * pointer undefined then, which _cleanup_free_ must not see. */
_printf_(1, 2)
static char *strprintf(const char *format, ...) {
        va_list ap;
        char *s;
        int k;

        va_start(ap, format);
        k = vasprintf(&s, format, ap);
        va_end(ap);
        return k < 0 ? NULL : s;
}

/* Sets *ret_error, if asked for, and passes r through. */
_printf_(3, 4)
static int fail(int r, char **ret_error, const char *format, ...) {
        va_list ap;
        char *s;
        int k;

        if (!ret_error)
                return r;
        va_start(ap, format);
        k = vasprintf(&s, format, ap);
        va_end(ap);
        if (k < 0)
                s = NULL;
        *ret_error = s;
        return s ? r : -ENOMEM;
}

/* Quotes text from a file for a log line: control bytes and bytes that are
 * not UTF-8 escaped, long text cut, so that a hostile file cannot forge or
 * flood log lines, and the message can go out on the bus (error replies,
 * RefusedFiles) as D-Bus wants its strings. */
static char *quote_for_log(const char *s) {
        const size_t max = 80;
        char *q, *t;
        size_t i, k;

        q = malloc(max * 4 + 8);
        if (!q)
                return NULL;
        t = q;
        *t++ = '"';
        for (i = 0; s[i] && i < max; i += k) {
                unsigned char c = (unsigned char) s[i];

                k = bus_utf8_char_length(s + i);
                if (k > 1 && i + k <= max && !(c == 0xc2 && (unsigned char) s[i + 1] < 0xa0)) {
                        t = mempcpy(t, s + i, k);
                        continue;
                }
                k = 1;
                if (c < ' ' || c >= 0x7f || c == '"' || c == '\\')
                        t += sprintf(t, c == '"' || c == '\\' ? "\\%c" : "\\x%02x", c);
                else
                        *t++ = (char) c;
        }
        *t++ = '"';
        if (s[i])
                t = stpcpy(t, "...");
        *t = 0;
        return q;
}

static char *skip_blanks(char *s) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v')
                s++;
        return s;
}

static void strip_trailing_blanks(char *s) {
        size_t n = strlen(s);

        while (n > 0 && strchr(" \t\r\f\v", s[n - 1]))
                s[--n] = 0;
}

/* Called for each Key=value of the expected section. Returns 0, -ENOMEM, or
 * -EINVAL with *ret_problem allocated (without path and line). */
typedef int (*ConfigAssign)(const char *key, const char *value, void *userdata, char **ret_problem);

/* Parses text (NUL-terminated, modified in place). */
static int config_parse(const char *path, char *text, size_t size, const char *section,
                        ConfigAssign assign, void *userdata, char **ret_error) {
        bool in_section = false;
        unsigned line = 0;
        char *next = text;

        while (next < text + size) {
                _cleanup_free_ char *problem = NULL, *q = NULL;
                char *l = next, *eq, *key, *value;
                size_t n;
                int r;

                line++;
                n = strcspn(l, "\n");
                if (l + n < text + size && l[n] != '\n')
                        /* strcspn() stopped at a NUL inside the file. */
                        return fail(-EINVAL, ret_error, "%s:%u: contains a NUL byte", path, line);
                l[n] = 0;
                next = l + n + 1;

                l = skip_blanks(l);
                strip_trailing_blanks(l);
                if (!*l || *l == '#' || *l == ';')
                        continue;

                if (*l == '[') {
                        size_t k = strlen(section);

                        if (strncmp(l + 1, section, k) != 0 || !streq(l + 1 + k, "]")) {
                                q = quote_for_log(l);
                                if (!q)
                                        return -ENOMEM;
                                return fail(-EINVAL, ret_error, "%s:%u: unknown section %s (expected [%s])",
                                            path, line, q, section);
                        }
                        in_section = true;
                        continue;
                }

                eq = strchr(l, '=');
                if (!eq) {
                        q = quote_for_log(l);
                        if (!q)
                                return -ENOMEM;
                        return fail(-EINVAL, ret_error, "%s:%u: %s is not a [Section] or Key=value line",
                                    path, line, q);
                }
                *eq = 0;
                key = l;
                strip_trailing_blanks(key);
                value = skip_blanks(eq + 1);

                if (!*key)
                        return fail(-EINVAL, ret_error, "%s:%u: missing key before '='", path, line);

                if (!in_section) {
                        q = quote_for_log(key);
                        if (!q)
                                return -ENOMEM;
                        return fail(-EINVAL, ret_error, "%s:%u: key %s before any section (put it under [%s])",
                                    path, line, q, section);
                }

                r = assign(key, value, userdata, &problem);
                if (r == -EINVAL)
                        return fail(r, ret_error, "%s:%u: %s", path, line, strempty(problem));
                if (r < 0)
                        return r;
        }

        return 0;
}

/* Reads a whole configuration file, refusing what is not one. open_flags
 * are added to the flags of open(). */
static int config_read_file(const char *path, int open_flags, char **ret_text, size_t *ret_size,
                            struct stat *ret_st, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t size = 0;

        /* O_NONBLOCK: a FIFO must not hang the daemon before fstat() can
         * refuse it. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | open_flags);
        if (fd < 0)
                return fail(-errno, ret_error, "%s: cannot open: %m", path);
        if (fstat(fd, &st) < 0)
                return fail(-errno, ret_error, "%s: cannot stat: %m", path);
        if (S_ISDIR(st.st_mode))
                return fail(-EISDIR, ret_error, "%s: is a directory, not a file", path);
        if (!S_ISREG(st.st_mode))
                return fail(-EBADFD, ret_error, "%s: not a regular file", path);
        if (st.st_size > (off_t) CONFIG_FILE_MAX)
                return fail(-EFBIG, ret_error, "%s: larger than %u KiB, refusing to read it",
                            path, CONFIG_FILE_MAX / 1024);

        /* One byte more than allowed, to notice a file that grew since. */
        buf = malloc(CONFIG_FILE_MAX + 2);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + size, CONFIG_FILE_MAX + 1 - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return fail(-errno, ret_error, "%s: cannot read: %m", path);
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > CONFIG_FILE_MAX)
                        return fail(-EFBIG, ret_error, "%s: larger than %u KiB, refusing to read it",
                                    path, CONFIG_FILE_MAX / 1024);
        }
        buf[size] = 0;

        if (ret_st)
                *ret_st = st;
        *ret_text = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

/* The problem sentence for a value: "<quoted value> <predicate>". */
static int value_problem(const char *value, const char *predicate, char **ret_problem) {
        _cleanup_free_ char *q = quote_for_log(value);

        if (!q || !(*ret_problem = strprintf("%s %s", q, predicate)))
                return -ENOMEM;
        return -EINVAL;
}

static int unknown_key_problem(const char *key, const char *section, char **ret_problem) {
        _cleanup_free_ char *q = quote_for_log(key);

        if (!q || !(*ret_problem = strprintf("unknown key %s in [%s]", q, section)))
                return -ENOMEM;
        return -EINVAL;
}

/* A size in bytes: digits, then optionally K, M or G (powers of 1024), as
 * systemd's and dbus-daemon's configurations write them. */
static int parse_size(const char *value, uint64_t min, uint64_t max, uint64_t *ret) {
        uint64_t n = 0, unit = 1;
        const char *p = value;

        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (n > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                n = n * 10 + (uint64_t) (*p - '0');
        }
        switch (*p) {
        case 'K': unit = UINT64_C(1) << 10; p++; break;
        case 'M': unit = UINT64_C(1) << 20; p++; break;
        case 'G': unit = UINT64_C(1) << 30; p++; break;
        }
        if (*p)
                return -EINVAL;
        if (n > max / unit || n * unit < min)
                return -ERANGE;
        *ret = n * unit;
        return 0;
}

static int assign_main(const char *key, const char *value, void *userdata, char **ret_problem) {
        ConfigMain *m = userdata;
        const char *problem = NULL;

        if (streq(key, "DemandDial")) {
                if (settings_parse_boolean(value, &m->demand_dial, &problem) < 0)
                        return value_problem(value, problem, ret_problem);
                return 0;
        }
        if (streq(key, "BusMaxMessageSize")) {
                if (parse_size(value, CONFIG_BUS_MAX_MESSAGE_SIZE_MIN, CONFIG_BUS_MAX_MESSAGE_SIZE_MAX,
                               &m->bus_max_message_size) < 0)
                        return value_problem(value,
                                             "is not a size from 4K to 128M (bytes, or a number with K, M or G)",
                                             ret_problem);
                return 0;
        }
        return unknown_key_problem(key, "Router", ret_problem);
}

int config_read_main(const char *dir, ConfigMain *ret, char **ret_error) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        ConfigMain m = { .demand_dial = true, .bus_max_message_size = CONFIG_BUS_MAX_MESSAGE_SIZE_DEFAULT };
        size_t size;
        int r;

        if (ret_error)
                *ret_error = NULL;
        path = strprintf("%s/wand.conf", dir);
        if (!path)
                return -ENOMEM;

        r = config_read_file(path, 0, &text, &size, NULL, ret_error);
        if (r == -ENOENT) {
                if (ret_error) {
                        free(*ret_error);
                        *ret_error = NULL;
                }
                *ret = m;
                return 0;
        }
        if (r < 0)
                return r;

        r = config_parse(path, text, size, "Router", assign_main, &m, ret_error);
        if (r < 0)
                return r;

        *ret = m;
        return 0;
}

static int assign_interface(const char *key, const char *value, void *userdata, char **ret_problem) {
        Settings *s = userdata;
        const char *problem = NULL;
        int r;

        if (!settings_key_is_valid(key))
                return unknown_key_problem(key, "Interface", ret_problem);

        /* wand publishes its commands on the bus (GetSettings), whose
         * strings must be UTF-8: sd-bus would refuse them there, long after
         * the file was read. */
        if ((streq(key, "ConnectCommand") || streq(key, "DisconnectCommand")) && !bus_string_is_valid(value))
                return value_problem(value, "is not valid UTF-8 (wand publishes commands on D-Bus, which carries "
                                            "only UTF-8); save the file as UTF-8",
                                     ret_problem);

        /* A key given twice: the last one wins, as in systemd's files. */
        r = settings_set_from_string(s, key, value, &problem);
        if (r == -EINVAL)
                return value_problem(value, strempty(problem), ret_problem);
        return r;
}

/* Whether only root can change which entries a directory holds. A sticky
 * one (like /tmp) lets others replace only their own entries, and the walk
 * below requires every entry after it to be root's. */
static bool directory_is_safe(const struct stat *st) {
        return st->st_uid == 0 && (!(st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_mode & S_ISVTX));
}

#define SYMLINKS_MAX 40 /* as the kernel's path walk */
#define CANNOT_CHECK "%s:0: refusing ConnectCommand=/DisconnectCommand=: cannot check %s on the way to it: %m"

/* Walks path one name at a time, following symlinks as the kernel does, and
 * checks every directory a name is looked up in: from / down to the file,
 * through each directory a link passes through and down to where the link
 * points. Whoever can change one of them can swap what wand reads. This is
 * sshd's safe_path() (every directory up to / root's and not writable by
 * group or others), plus the links on the way, plus sticky directories. */
static int check_path_directories(const char *path, const struct stat *file_st, char **ret_error) {
        _cleanup_free_ char *done = strdup("/"), *todo = NULL;
        unsigned links = 0;
        size_t at = 0;
        struct stat st;

        if (!done)
                return -ENOMEM;
        if (path[0] == '/')
                todo = strdup(path);
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return fail(-errno, ret_error, "%s: cannot get the working directory: %m", path);
                todo = strprintf("%s/%s", cwd, path);
        }
        if (!todo)
                return -ENOMEM;

        /* done: the directory reached so far, with no link in it. */
        for (;;) {
                _cleanup_free_ char *name = NULL, *next = NULL;
                struct stat dst;
                size_t n;

                at += strspn(todo + at, "/");
                if (!todo[at])
                        break;
                n = strcspn(todo + at, "/");
                name = strndup(todo + at, n);
                if (!name)
                        return -ENOMEM;
                at += n;
                if (streq(name, "."))
                        continue;
                if (streq(name, "..")) {
                        char *slash = strrchr(done, '/');
                        slash[slash == done ? 1 : 0] = 0;
                        continue;
                }

                if (lstat(done, &dst) < 0)
                        return fail(-EPERM, ret_error, CANNOT_CHECK, path, done);
                if (!directory_is_safe(&dst))
                        return fail(-EPERM, ret_error,
                                    "%s:0: refusing ConnectCommand=/DisconnectCommand=: the directory %s on the way to "
                                    "it can be changed by users other than root (owner uid %u, mode %04o); make it "
                                    "root's and not group- or world-writable",
                                    path, done, (unsigned) dst.st_uid, (unsigned) (dst.st_mode & 07777));

                next = strprintf("%s%s%s", done, streq(done, "/") ? "" : "/", name);
                if (!next)
                        return -ENOMEM;
                /* A link that cannot be followed by name (a /proc/PID/fd link)
                 * cannot be checked either. */
                if (lstat(next, &st) < 0)
                        return fail(-EPERM, ret_error, CANNOT_CHECK, path, next);
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        char *rest;
                        ssize_t k;

                        if (++links > SYMLINKS_MAX)
                                return fail(-ELOOP, ret_error, "%s: more than %u symbolic links on the way to it",
                                            path, SYMLINKS_MAX);
                        /* In a sticky directory others can write to, its owner may replace it. */
                        if (st.st_uid != 0 && (dst.st_mode & (S_IWGRP | S_IWOTH)))
                                return fail(-EPERM, ret_error,
                                            "%s:0: refusing ConnectCommand=/DisconnectCommand=: the symbolic link %s "
                                            "on the way to it is owned by uid %u in a directory others can write to; "
                                            "make it root's",
                                            path, next, (unsigned) st.st_uid);
                        k = readlink(next, target, sizeof(target));
                        if (k < 0)
                                return fail(-EPERM, ret_error, CANNOT_CHECK, path, next);
                        if ((size_t) k >= sizeof(target))
                                return fail(-ENAMETOOLONG, ret_error, "%s: the link %s is too long", path, next);
                        target[k] = 0;
                        rest = strprintf("%s%s", target, todo + at);
                        if (!rest)
                                return -ENOMEM;
                        free(todo);
                        todo = rest;
                        at = 0;
                        if (target[0] == '/')
                                strcpy(done, "/");
                        continue;
                }
                free(done);
                done = TAKE_PTR(next);
        }

        /* done is now where the file is: the one that was read? */
        if (stat(done, &st) < 0 || st.st_dev != file_st->st_dev || st.st_ino != file_st->st_ino)
                return fail(-EAGAIN, ret_error, "%s: replaced while wand read it; reload wand again", path);
        return 0;
}

/* A command runs as root: like sshd's StrictModes, take it only from a file
 * (and directories) that nobody but root can change. */
static int check_command_source(const char *path, const struct stat *st, char **ret_error) {
        if (st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH)))
                return fail(-EPERM, ret_error,
                            "%s:0: refusing ConnectCommand=/DisconnectCommand= from a file that users other than root "
                            "can change (owner uid %u, mode %04o); make it root's and not group- or world-writable",
                            path, (unsigned) st->st_uid, (unsigned) (st->st_mode & 07777));
        return check_path_directories(path, st, ret_error);
}

int config_read_interface(const char *path, Settings *ret, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        const char *problem = NULL;
        struct stat st;
        Settings s;
        size_t size;
        int r;

        if (ret_error)
                *ret_error = NULL;

        /* Symlinks are followed: administrators use them. */
        r = config_read_file(path, 0, &text, &size, &st, ret_error);
        if (r < 0)
                return r;

        settings_init(&s);
        r = config_parse(path, text, size, "Interface", assign_interface, &s, ret_error);
        if (r >= 0 && settings_verify(&s, &problem) < 0)
                r = fail(-EINVAL, ret_error, "%s:0: %s", path, problem);
        if (r >= 0 && (strv_length(s.connect_command) > 0 || strv_length(s.disconnect_command) > 0))
                r = check_command_source(path, &st, ret_error);
        if (r < 0) {
                settings_done(&s);
                return r;
        }

        *ret = s;
        return 0;
}

void config_entries_free(ConfigEntry *entries, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(entries[i].name);
                settings_done(&entries[i].settings);
        }
        free(entries);
}

static int entry_compare(const void *a, const void *b) {
        return strcmp(((const ConfigEntry *) a)->name, ((const ConfigEntry *) b)->name);
}

_printf_(3, 4)
static void log_problem(ConfigLogFunc log_func, void *userdata, const char *format, ...) {
        _cleanup_free_ char *s = NULL;
        va_list ap;
        int k;

        if (!log_func)
                return;
        va_start(ap, format);
        k = vasprintf(&s, format, ap);
        va_end(ap);
        if (k < 0)
                s = NULL; /* not left undefined for _cleanup_free_ */
        log_func(s ?: "a configuration file was skipped (out of memory to say which)", userdata);
}

void config_refused_free(ConfigRefused *refused, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(refused[i].name);
                free(refused[i].file);
                free(refused[i].why);
        }
        free(refused);
}

static int refused_compare(const void *a, const void *b) {
        return strcmp(((const ConfigRefused *) a)->file, ((const ConfigRefused *) b)->file);
}

/* A problem as config_read_interface() words it, "<path>:<line>: <problem>"
 * or "<path>: <problem>", without the path (which comes with it): "line 4:
 * <problem>", or the problem alone when it is of the whole file. */
static const char *problem_of(const char *path, const char *error, char buf[static 32]) {
        const char *p = error;
        unsigned line = 0;
        int n = 0;

        if (strncmp(p, path, strlen(path)) != 0)
                return error;
        p += strlen(path);
        if (*p == ':')
                p++;
        if (sscanf(p, "%u: %n", &line, &n) >= 1 && n > 0) {
                p += n;
                if (line > 0) {
                        snprintf(buf, 32, "line %u: ", line);
                        return p; /* the caller puts buf before it */
                }
        }
        buf[0] = '\0';
        return p + strspn(p, " ");
}

/* Keeps what was refused, when the caller asks for it. */
static int refused_add(ConfigRefused **refused, size_t *n, const char *name, const char *file, const char *why) {
        ConfigRefused *bigger;

        if (!refused)
                return 0;
        bigger = reallocarray(*refused, *n + 1, sizeof(ConfigRefused));
        if (!bigger)
                return -ENOMEM;
        *refused = bigger;
        bigger[*n] = (ConfigRefused) {
                .name = name ? strdup(name) : NULL,
                .file = strdup(file),
                .why = strdup(why),
        };
        (*n)++;
        if ((name && !bigger[*n - 1].name) || !bigger[*n - 1].file || !bigger[*n - 1].why)
                return -ENOMEM;
        return 0;
}

int config_read_interfaces(const char *dir, ConfigEntry **ret_entries, size_t *ret_n,
                           ConfigLogFunc log_func, void *userdata) {
        return config_read_interfaces_full(dir, ret_entries, ret_n, NULL, NULL, log_func, userdata);
}

int config_read_interfaces_full(const char *dir, ConfigEntry **ret_entries, size_t *ret_n,
                                ConfigRefused **ret_refused, size_t *ret_n_refused,
                                ConfigLogFunc log_func, void *userdata) {
        _cleanup_free_ char *idir = NULL;
        ConfigEntry *entries = NULL;
        ConfigRefused *refused = NULL;
        size_t n = 0, allocated = 0, n_refused = 0;
        struct dirent *de;
        DIR *d;
        int r = 0;

        idir = strprintf("%s/interfaces", dir);
        if (!idir)
                return -ENOMEM;

        d = opendir(idir);
        if (!d) {
                if (errno != ENOENT)
                        return -errno;
                *ret_entries = NULL;
                *ret_n = 0;
                if (ret_refused) {
                        *ret_refused = NULL;
                        *ret_n_refused = 0;
                }
                return 0;
        }

        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *name = NULL, *path = NULL, *error = NULL;
                size_t len = strlen(de->d_name);
                Settings s;

                /* Hidden files include our own temporary files. */
                if (de->d_name[0] == '.' || len <= strlen(CONFIG_SUFFIX) ||
                    !streq(de->d_name + len - strlen(CONFIG_SUFFIX), CONFIG_SUFFIX))
                        continue;

                name = strndup(de->d_name, len - strlen(CONFIG_SUFFIX));
                path = strprintf("%s/%s", idir, de->d_name);
                if (!name || !path) {
                        r = -ENOMEM;
                        break;
                }

                if (!interface_name_is_valid(name)) {
                        /* A file name may hold anything but '/': quote it. */
                        _cleanup_free_ char *q = quote_for_log(de->d_name);

                        if (!q) {
                                r = -ENOMEM;
                                break;
                        }
                        log_problem(log_func, userdata,
                                    "%s: skipping %s: the name is not a valid interface name "
                                    "(1-64 of A-Z a-z 0-9 _ . -, not starting with . or -)",
                                    idir, q);
                        /* (Quoted: a D-Bus string must be UTF-8.) */
                        _cleanup_free_ char *file = strprintf("%s/%s", idir, q);
                        if (!file) {
                                r = -ENOMEM;
                                break;
                        }
                        r = refused_add(ret_refused ? &refused : NULL, &n_refused, NULL, file,
                                        "the name is not a valid interface name "
                                        "(1-64 of A-Z a-z 0-9 _ . -, not starting with . or -)");
                        if (r < 0)
                                break;
                        continue;
                }

                r = config_read_interface(path, &s, &error);
                if (r == -ENOMEM)
                        break;
                if (r == -ENOENT) {
                        /* Removed since it was listed: gone, not refused. */
                        r = 0;
                        continue;
                }
                if (r < 0) {
                        log_problem(log_func, userdata, "%s; skipping the file",
                                    error ?: path);
                        char line[32] = "";
                        const char *problem = error ? problem_of(path, error, line) : strerror(-r);
                        _cleanup_free_ char *why = strprintf("%s%s", line, problem);
                        r = why ? refused_add(ret_refused ? &refused : NULL, &n_refused, name, path, why) : -ENOMEM;
                        if (r < 0)
                                break;
                        continue;
                }

                if (n >= allocated) {
                        size_t a = allocated ? allocated * 2 : 8;
                        ConfigEntry *e = reallocarray(entries, a, sizeof(ConfigEntry));
                        if (!e) {
                                settings_done(&s);
                                r = -ENOMEM;
                                break;
                        }
                        entries = e;
                        allocated = a;
                }
                entries[n++] = (ConfigEntry) { .name = TAKE_PTR(name), .settings = s };
        }
        if (r >= 0 && errno != 0)
                r = -errno;
        closedir(d);

        if (r < 0) {
                config_entries_free(entries, n);
                config_refused_free(refused, n_refused);
                return r;
        }

        if (n > 1)
                qsort(entries, n, sizeof(ConfigEntry), entry_compare);
        *ret_entries = entries;
        *ret_n = n;
        if (n_refused > 1)
                qsort(refused, n_refused, sizeof(ConfigRefused), refused_compare);
        if (ret_refused) {
                *ret_refused = refused;
                *ret_n_refused = n_refused;
        }
        return 0;
}

char *config_interface_path(const char *dir, const char *name) {
        return strprintf("%s/interfaces/%s" CONFIG_SUFFIX, dir, name);
}


static int serialize_interface(const Settings *s, char **ret_text, size_t *ret_size) {
        _cleanup_free_ char *connect = NULL, *disconnect = NULL;
        char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (strv_length(s->connect_command) > 0 && !(connect = shell_join(s->connect_command)))
                return -ENOMEM;
        if (strv_length(s->disconnect_command) > 0 && !(disconnect = shell_join(s->disconnect_command)))
                return -ENOMEM;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;

        fputs("# Written by wand. After editing, reload wand (SIGHUP or its Reload() method).\n"
              "[Interface]\n", f);
        fprintf(f, "Device=%s\n", s->device);
        if (connect)
                fprintf(f, "ConnectCommand=%s\n", connect);
        if (disconnect)
                fprintf(f, "DisconnectCommand=%s\n", disconnect);
        if (!s->enabled)
                fputs("Enabled=no\n", f);
        if (s->persistent)
                fputs("Persistent=yes\n", f);
        if (s->connect_timeout_sec != SETTINGS_DEFAULT_CONNECT_TIMEOUT_SEC)
                fprintf(f, "ConnectTimeoutSec=%" PRIu32 "\n", s->connect_timeout_sec);
        if (s->disconnect_timeout_sec != SETTINGS_DEFAULT_DISCONNECT_TIMEOUT_SEC)
                fprintf(f, "DisconnectTimeoutSec=%" PRIu32 "\n", s->disconnect_timeout_sec);
        if (s->redial_interval_sec != SETTINGS_DEFAULT_REDIAL_INTERVAL_SEC)
                fprintf(f, "RedialIntervalSec=%" PRIu32 "\n", s->redial_interval_sec);
        if (s->redial_max_interval_sec != SETTINGS_DEFAULT_REDIAL_MAX_INTERVAL_SEC)
                fprintf(f, "RedialMaxIntervalSec=%" PRIu32 "\n", s->redial_max_interval_sec);
        if (s->redial_attempts != SETTINGS_DEFAULT_REDIAL_ATTEMPTS)
                fprintf(f, "RedialAttempts=%" PRIu32 "\n", s->redial_attempts);
        if (s->claim_device)
                fputs("ClaimDevice=yes\n", f);

        /* A memory stream fails only for lack of memory. */
        if (ferror(f) || fclose(f) != 0) {
                free(text);
                return -ENOMEM;
        }
        *ret_text = text;
        *ret_size = size;
        return 0;
}

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* A rename or unlink is durable only once its directory is synced. */
static int fsync_directory(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

/* Everything up to the rename, on the temporary file. like, when given, is
 * the file being replaced: its owner and mode are kept. */
static int write_and_rename(int fd, const char *tmp, const char *path, const char *text, size_t size,
                            const struct stat *like) {
        struct stat st;
        int r;

        if (like) {
                if (fstat(fd, &st) < 0)
                        return -errno;
                /* Before fchmod(): a change of owner clears set-id bits. */
                if ((st.st_uid != like->st_uid || st.st_gid != like->st_gid) &&
                    fchown(fd, like->st_uid, like->st_gid) < 0)
                        return -errno;
        }
        /* A new file may get a command, which may hold a password. */
        if (fchmod(fd, like ? like->st_mode & 07777 : CONFIG_FILE_MODE) < 0)
                return -errno;
        r = write_all(fd, text, size);
        if (r < 0)
                return r;
        if (fsync(fd) < 0)
                return -errno;
        CRASH_POINT("config-before-rename");
        if (rename(tmp, path) < 0)
                return -errno;
        CRASH_POINT("config-after-rename");
        return 0;
}

/* Replaces <idir>/<name>.conf with text: a temporary file in the same
 * directory, fsync, rename, fsync of the directory. */
static int write_atomic(const char *idir, const char *name, const char *text, size_t size,
                        const struct stat *like) {
        _cleanup_free_ char *path = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        path = strprintf("%s/%s" CONFIG_SUFFIX, idir, name);
        tmp = strprintf("%s/.%s" CONFIG_SUFFIX ".XXXXXX", idir, name);
        if (!path || !tmp)
                return -ENOMEM;

        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;

        r = write_and_rename(fd, tmp, path, text, size, like);
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }

        return fsync_directory(idir);
}

/* Is file a temporary of write_atomic(): ".<name>.conf.XXXXXX"? */
static bool is_write_temporary(const char *file) {
        _cleanup_free_ char *name = NULL;
        const char *dot;

        if (file[0] != '.')
                return false;
        dot = strstr(file, CONFIG_SUFFIX ".");
        if (!dot || strlen(dot) != strlen(CONFIG_SUFFIX ".XXXXXX"))
                return false;
        for (const char *c = dot + strlen(CONFIG_SUFFIX "."); *c; c++)
                if (!isalnum((unsigned char) *c))
                        return false;
        name = strndup(file + 1, dot - file - 1);
        return name && interface_name_is_valid(name);
}

int config_remove_temporaries(const char *dir, ConfigLogFunc log_func, void *userdata) {
        _cleanup_free_ char *idir = strprintf("%s/interfaces", dir);
        struct dirent *de;
        int removed = 0;
        DIR *d;

        if (!idir)
                return -ENOMEM;
        d = opendir(idir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *msg = NULL;
                struct stat st;

                /* Only regular files of this exact shape: the rest of the
                 * directory is the administrator's. */
                if (!is_write_temporary(de->d_name) ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) < 0)
                        msg = strprintf("%s/%s: cannot remove this file that an unfinished write left behind: %s",
                                        idir, de->d_name, strerror(errno));
                else {
                        removed++;
                        msg = strprintf("%s/%s: removed, a temporary file left behind by a write that wand "
                                        "was stopped or killed in the middle of (the interface's file is intact).",
                                        idir, de->d_name);
                }
                if (log_func && msg)
                        log_func(msg, userdata);
        }
        closedir(d);
        return removed;
}

int config_write_interface(const char *dir, const char *name, const Settings *s) {
        _cleanup_free_ char *idir = NULL, *text = NULL;
        size_t size;
        int r;

        /* The name becomes a path: never let it climb out of interfaces/. */
        if (!interface_name_is_valid(name) || settings_verify(s, NULL) < 0)
                return -EINVAL;

        r = serialize_interface(s, &text, &size);
        if (r < 0)
                return r;

        idir = strprintf("%s/interfaces", dir);
        if (!idir)
                return -ENOMEM;

        /* Outside systemd (ConfigurationDirectory=) nobody may have made the
         * configuration directory yet: the first CreateInterface does. */
        if (mkdir(dir, CONFIG_DIRECTORY_MODE) < 0 && errno != EEXIST)
                return -errno;
        if (mkdir(idir, CONFIG_DIRECTORY_MODE) < 0 && errno != EEXIST)
                return -errno;

        return write_atomic(idir, name, text, size, NULL);
}

/* Changing one key in a file as it is on disk. */

/* One line of text: [start, start + len) without its '\n'; eol tells
 * whether a '\n' follows. */
typedef struct Line {
        const char *start;
        size_t len;
        bool eol;
} Line;

static bool next_line(const char **p, const char *end, Line *ret) {
        const char *nl;

        if (*p >= end)
                return false;
        nl = memchr(*p, '\n', (size_t) (end - *p));
        *ret = (Line) { .start = *p, .len = nl ? (size_t) (nl - *p) : (size_t) (end - *p), .eol = nl };
        *p = nl ? nl + 1 : end;
        return true;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The line without its leading and trailing blanks, as config_parse() sees it. */
static void line_trim(const Line *l, size_t *ret_begin, size_t *ret_end) {
        size_t b = 0, e = l->len;

        while (b < e && is_blank(l->start[b]))
                b++;
        while (e > b && is_blank(l->start[e - 1]))
                e--;
        *ret_begin = b;
        *ret_end = e;
}

static bool line_is(const Line *l, size_t b, size_t e, const char *s) {
        return e - b == strlen(s) && memcmp(l->start + b, s, e - b) == 0;
}

/* If the line is "key = value" for this key, where the value begins. */
static bool line_assigns(const Line *l, size_t b, size_t e, const char *key, size_t *ret_value) {
        const char *eq = memchr(l->start + b, '=', e - b);
        size_t k, v;

        if (!eq)
                return false;
        k = (size_t) (eq - l->start);
        v = k + 1;
        while (k > b && is_blank(l->start[k - 1]))
                k--;
        if (!line_is(l, b, k, key))
                return false;
        while (v < e && is_blank(l->start[v]))
                v++;
        *ret_value = v;
        return true;
}

/* Sets key=value in [section]: every such line gets the new value (so the
 * last one, which wins, says it, and no earlier one contradicts it); with
 * none, one is added after the last line of the last [section] that has a
 * key, or after its header, in the line ending the file uses there.
 * Everything else stays byte for byte. When the key is absent and
 * default_value is the value, nothing is added. -ENOENT when the text has
 * no [section]. */
static int set_key_in_text(const char *text, size_t size, const char *section, const char *key,
                           const char *value, const char *default_value, char **ret_text, size_t *ret_size) {
        _cleanup_free_ char *header = strprintf("[%s]", section);
        const char *p = text, *end = text + size, *insert_at = NULL;
        bool in_section = false, found = false, insert_eol = true, crlf = false;
        char *out = NULL;
        size_t out_size = 0;
        FILE *f;
        Line l;

        if (!header)
                return -ENOMEM;
        f = open_memstream(&out, &out_size);
        if (!f)
                return -ENOMEM;

        while (next_line(&p, end, &l)) {
                size_t b, e, v;

                line_trim(&l, &b, &e);
                if (b < e && l.start[b] == '[')
                        in_section = line_is(&l, b, e, header);
                if (in_section && line_assigns(&l, b, e, key, &v)) {
                        /* Blanks and '\r' after the value are kept too. */
                        fwrite(l.start, 1, v, f);
                        fputs(value, f);
                        fwrite(l.start + e, 1, l.len - e, f);
                        found = true;
                } else
                        fwrite(l.start, 1, l.len, f);
                if (l.eol)
                        fputc('\n', f);

                if (in_section && b < e && l.start[b] != '#' && l.start[b] != ';' &&
                    (l.start[b] == '[' || memchr(l.start + b, '=', e - b))) {
                        insert_at = p;
                        insert_eol = l.eol;
                        crlf = l.len > 0 && l.start[l.len - 1] == '\r';
                }
        }
        if (ferror(f) || fclose(f) != 0) {
                free(out);
                return -ENOMEM;
        }

        /* An absent key has its default value: it is added only for another. */
        if (!found && !streq_ptr(value, default_value)) {
                /* Nothing was changed: out is text, and insert_at points into both. */
                _cleanup_free_ char *prev = out, *line = NULL;
                size_t at, n;

                if (!insert_at)
                        return -ENOENT;
                at = (size_t) (insert_at - text);
                line = insert_eol ? strprintf("%s=%s%s", key, value, crlf ? "\r\n" : "\n")
                                  : strprintf("\n%s=%s", key, value); /* a CRLF file's '\r' is there already */
                if (!line)
                        return -ENOMEM;
                n = strlen(line);
                /* memcpy(), not "%s": the text may hold a NUL byte, which the check of the result refuses. */
                out = malloc(out_size + n + 1);
                if (!out)
                        return -ENOMEM;
                memcpy(out, prev, at);
                memcpy(out + at, line, n);
                memcpy(out + at + n, prev + at, out_size - at);
                out_size += n;
                out[out_size] = 0;
        }

        *ret_text = out;
        *ret_size = out_size;
        return 0;
}

/* One key to set: its value as the file writes it, and the value an absent
 * key has. */
typedef struct KeyEdit {
        const char *key;
        char *value;
        const char *default_value;
        char default_buf[12]; /* for numbers */
} KeyEdit;

static void key_edits_free(KeyEdit *edits, size_t n) {
        for (size_t k = 0; k < n; k++)
                free(edits[k].value);
}

static char *bool_text(bool b) {
        return strdup(b ? "yes" : "no");
}

static char *u32_text(uint32_t v) {
        return strprintf("%" PRIu32, v);
}

static char *command_text(char *const *argv) {
        return strv_length(argv) > 0 ? shell_join(argv) : strdup("");
}

static const char *number_text(KeyEdit *e, uint32_t v) {
        snprintf(e->default_buf, sizeof(e->default_buf), "%" PRIu32, v);
        return e->default_buf;
}

/* The keys whose values differ between old and new, as edits. */
static int diff_settings(const Settings *old, const Settings *new, KeyEdit ret[static 11], size_t *ret_n) {
        size_t n = 0;

#define EDIT(cond, k, text, def)                                                  \
        do {                                                                     \
                if (cond) {                                                      \
                        ret[n].key = k;                                          \
                        ret[n].default_value = (def);                            \
                        ret[n].value = (text);                                   \
                        if (!ret[n++].value) {                                    \
                                key_edits_free(ret, n);                          \
                                return -ENOMEM;                                  \
                        }                                                        \
                }                                                                \
        } while (0)

        EDIT(!streq_ptr(old->device, new->device), "Device", strdup(new->device), NULL);
        EDIT(!strv_equal(old->connect_command, new->connect_command), "ConnectCommand",
             command_text(new->connect_command), "");
        EDIT(!strv_equal(old->disconnect_command, new->disconnect_command), "DisconnectCommand",
             command_text(new->disconnect_command), "");
        EDIT(old->enabled != new->enabled, "Enabled", bool_text(new->enabled), "yes");
        EDIT(old->persistent != new->persistent, "Persistent", bool_text(new->persistent), "no");
        EDIT(old->connect_timeout_sec != new->connect_timeout_sec, "ConnectTimeoutSec",
             u32_text(new->connect_timeout_sec), number_text(&ret[n], SETTINGS_DEFAULT_CONNECT_TIMEOUT_SEC));
        EDIT(old->disconnect_timeout_sec != new->disconnect_timeout_sec, "DisconnectTimeoutSec",
             u32_text(new->disconnect_timeout_sec), number_text(&ret[n], SETTINGS_DEFAULT_DISCONNECT_TIMEOUT_SEC));
        EDIT(old->redial_interval_sec != new->redial_interval_sec, "RedialIntervalSec",
             u32_text(new->redial_interval_sec), number_text(&ret[n], SETTINGS_DEFAULT_REDIAL_INTERVAL_SEC));
        EDIT(old->redial_max_interval_sec != new->redial_max_interval_sec, "RedialMaxIntervalSec",
             u32_text(new->redial_max_interval_sec), number_text(&ret[n], SETTINGS_DEFAULT_REDIAL_MAX_INTERVAL_SEC));
        EDIT(old->redial_attempts != new->redial_attempts, "RedialAttempts", u32_text(new->redial_attempts),
             number_text(&ret[n], SETTINGS_DEFAULT_REDIAL_ATTEMPTS));
        EDIT(old->claim_device != new->claim_device, "ClaimDevice", bool_text(new->claim_device), "no");
#undef EDIT
        *ret_n = n;
        return 0;
}

/* "Enabled=", "Device= and ConnectCommand=", … for messages. */
static char *keys_text(const KeyEdit *edits, size_t n) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                return NULL;
        for (size_t k = 0; k < n; k++)
                fprintf(f, "%s%s=", k == 0 ? "" : k + 1 == n ? " and " : ", ", edits[k].key);
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

/* Whether what a file now says has the edited keys as new has them. */
static bool edits_took(const Settings *loaded, const Settings *new, const KeyEdit *edits, size_t n) {
        for (size_t k = 0; k < n; k++) {
                const char *key = edits[k].key;
                bool same = streq(key, "Device")              ? streq_ptr(loaded->device, new->device)
                            : streq(key, "ConnectCommand")    ? strv_equal(loaded->connect_command, new->connect_command)
                            : streq(key, "DisconnectCommand") ? strv_equal(loaded->disconnect_command,
                                                                           new->disconnect_command)
                            : streq(key, "Enabled")           ? loaded->enabled == new->enabled
                            : streq(key, "Persistent")        ? loaded->persistent == new->persistent
                            : streq(key, "ConnectTimeoutSec") ? loaded->connect_timeout_sec == new->connect_timeout_sec
                            : streq(key, "DisconnectTimeoutSec")
                                    ? loaded->disconnect_timeout_sec == new->disconnect_timeout_sec
                            : streq(key, "RedialIntervalSec") ? loaded->redial_interval_sec == new->redial_interval_sec
                            : streq(key, "RedialMaxIntervalSec")
                                    ? loaded->redial_max_interval_sec == new->redial_max_interval_sec
                            : streq(key, "ClaimDevice") ? loaded->claim_device == new->claim_device
                                                        : loaded->redial_attempts == new->redial_attempts;
                if (!same)
                        return false;
        }
        return true;
}

int config_update_interface(const char *dir, const char *name, const Settings *old, const Settings *new,
                            char **ret_error) {
        _cleanup_free_ char *idir = NULL, *path = NULL, *text = NULL, *edited = NULL, *copy = NULL;
        _cleanup_free_ char *error = NULL;
        const char *problem = NULL;
        KeyEdit edits[11];
        struct stat st;
        size_t size, edited_size, n_edits = 0;
        Settings s;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!interface_name_is_valid(name))
                return -EINVAL;

        idir = strprintf("%s/interfaces", dir);
        path = strprintf("%s/%s" CONFIG_SUFFIX, idir, name);
        if (!idir || !path)
                return -ENOMEM;

        /* A link is not written through: its target may lie outside the
         * configuration directory, where the unit's file system is
         * read-only, and replacing the link by a file would cut what the
         * administrator linked. */
        r = config_read_file(path, O_NOFOLLOW, &text, &size, &st, &error);
        if (r == -ELOOP) {
                _cleanup_free_ char *keys = NULL;
                KeyEdit e[11];
                size_t n = 0;

                if (diff_settings(old, new, e, &n) >= 0) {
                        keys = keys_text(e, n);
                        key_edits_free(e, n);
                }
                return fail(r, ret_error,
                            "%s is a symbolic link, and wand does not write through links; set %s in the file it "
                            "points to and reload wand, or replace the link with that file",
                            path, keys && *keys ? keys : "the settings");
        }
        if (r == -ENOENT)
                return fail(r, ret_error,
                            "%s no longer exists (it was removed after wand read it); reload wand (wandctl reload) "
                            "to load the files as they are now",
                            path);
        if (r < 0)
                return error ? fail(r, ret_error, "%s", error) : r;

        r = diff_settings(old, new, edits, &n_edits);
        if (r < 0)
                return r;
        /* Each key in turn: the text of one edit is the input of the next. */
        edited = TAKE_PTR(text);
        edited_size = size;
        text = malloc(size + 1);
        if (!text) {
                key_edits_free(edits, n_edits);
                return -ENOMEM;
        }
        memcpy(text, edited, size);
        for (size_t k = 0; k < n_edits && r >= 0; k++) {
                _cleanup_free_ char *prev = TAKE_PTR(edited);
                r = set_key_in_text(prev, edited_size, "Interface", edits[k].key, edits[k].value,
                                    edits[k].default_value, &edited, &edited_size);
        }
        if (r == -ENOMEM) {
                key_edits_free(edits, n_edits);
                return r;
        }
        if (r < 0) {
                key_edits_free(edits, n_edits);
                return fail(-EINVAL, ret_error, "%s has no [Interface] section any more; fix the file, reload wand "
                            "(wandctl reload) and try again", path);
        }
        if (edited_size > CONFIG_FILE_MAX) {
                key_edits_free(edits, n_edits);
                return fail(-EFBIG, ret_error, "%s would grow larger than %u KiB; make it smaller and try again",
                            path, CONFIG_FILE_MAX / 1024);
        }

        /* What would be written must load, and load as asked: edited on
         * disk since wand read it, the file may no longer parse. */
        copy = malloc(edited_size + 1);
        if (!copy) {
                key_edits_free(edits, n_edits);
                return -ENOMEM;
        }
        memcpy(copy, edited, edited_size);
        copy[edited_size] = 0;
        settings_init(&s);
        r = config_parse(path, copy, edited_size, "Interface", assign_interface, &s, &error);
        if (r >= 0 && settings_verify(&s, &problem) < 0)
                r = fail(-EINVAL, &error, "%s:0: %s", path, problem);
        if (r >= 0 && !edits_took(&s, new, edits, n_edits))
                r = -EIO; /* set_key_in_text() failed at its one job */
        settings_done(&s);
        key_edits_free(edits, n_edits);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return fail(r, ret_error, "%s; the file was changed after wand read it: fix it, reload wand "
                            "(wandctl reload) and try again", error ?: path);
        /* Checked even then: a file that does not load is no success. */
        if (edited_size == size && memcmp(edited, text, size) == 0)
                return 0; /* the file says so already */

        r = write_atomic(idir, name, edited, edited_size, &st);
        if (r < 0)
                return fail(r, ret_error, "cannot replace %s (wand writes a new file next to it and renames it "
                            "into place): %s", path, strerror(-r));
        return 0;
}

int config_set_interface_enabled(const char *dir, const char *name, bool enabled, char **ret_error) {
        Settings old, new;

        /* Only Enabled= differs: only its lines are touched. */
        settings_init(&old);
        settings_init(&new);
        old.enabled = !enabled;
        new.enabled = enabled;
        return config_update_interface(dir, name, &old, &new, ret_error);
}

int config_remove_interface(const char *dir, const char *name) {
        _cleanup_free_ char *idir = NULL, *path = NULL;

        if (!interface_name_is_valid(name))
                return -EINVAL;

        idir = strprintf("%s/interfaces", dir);
        path = strprintf("%s/%s" CONFIG_SUFFIX, idir, name);
        if (!idir || !path)
                return -ENOMEM;

        if (unlink(path) < 0)
                return errno == ENOENT ? 0 : -errno;

        return fsync_directory(idir);
}
