/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See runtime-state.h. Written with rename() so a crash leaves the old
 * record or the new one; /run is a tmpfs, so no fsync. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash-point.h"
#include "macro.h"
#include "names.h"
#include "runtime-state.h"
#include "settings.h"
#include "strv.h"

#define TMP_PREFIX ".tmp-"
#define STOPPING_PREFIX ".stopping-"
#define DEMAND_DIAL_FILE "demand-dial"

static char *record_path(const char *dir, const char *name, const char *prefix) {
        char *p = NULL;
        if (asprintf(&p, "%s/dialers/%s%s", dir, prefix, name) < 0)
                return NULL;
        return p;
}

/* Writes text to <sub>/<name> through a temporary file of ours. */
static int write_atomic(const char *dir, const char *sub, mode_t sub_mode, const char *name, const char *text) {
        _cleanup_free_ char *subdir = NULL, *path = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r = 0;

        if (asprintf(&subdir, "%s%s%s", dir, sub ? "/" : "", sub ?: "") < 0 ||
            asprintf(&path, "%s/%s", subdir, name) < 0 || asprintf(&tmp, "%s/" TMP_PREFIX "%s", subdir, name) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (sub && mkdir(subdir, sub_mode) < 0 && errno != EEXIST)
                return -errno;

        /* Whatever has the temporary name (left by a crash, or planted) goes:
         * unlink() removes a symlink itself, and O_EXCL|O_NOFOLLOW then makes
         * sure the record is written into a new file of ours, never through a
         * link into some other file, which the rename would also put in the
         * record's place. */
        if (unlink(tmp) < 0 && errno != ENOENT)
                return -errno;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (dprintf(fd, "%s", text) < 0)
                r = -errno;
        if (close(TAKE_FD(fd)) < 0 && r == 0)
                r = -errno;
        CRASH_POINT("record-before-rename");
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

int runtime_state_save(const char *dir, const char *name, const DialerRecord *rec) {
        _cleanup_free_ char *text = NULL;

        if (asprintf(&text, "%d %" PRIu64 " %" PRIu32 "%s\n", (int) rec->pid, rec->start_time, rec->kill_after_sec,
                     rec->stopping ? " stopping" : "") < 0)
                return -ENOMEM;
        return write_atomic(dir, "dialers", 0700, name, text);
}

/* The first line of path (with its line break) into line: -errno when it
 * cannot be opened, -EBADMSG when it has none. */
static int read_first_line(const char *path, char *line, size_t size) {
        FILE *f = fopen(path, "re");
        char *ok;

        if (!f)
                return -errno;
        ok = fgets(line, (int) size, f);
        fclose(f);
        return ok ? 0 : -EBADMSG;
}

int runtime_state_load(const char *dir, const char *name, DialerRecord *ret) {
        _cleanup_free_ char *path = record_path(dir, name, "");
        char line[128], word[16] = "";
        uint64_t start_time;
        uint32_t kill_after;
        int pid, n, r;

        if (!path)
                return -ENOMEM;
        r = read_first_line(path, line, sizeof(line));
        if (r < 0)
                return r;
        n = sscanf(line, "%d %" SCNu64 " %" SCNu32 " %15s", &pid, &start_time, &kill_after, word);
        if (n < 2 || pid <= 1)
                return -EBADMSG;
        if (n == 2)
                /* Written by a wand that did not keep it: the default. */
                kill_after = SETTINGS_DEFAULT_DISCONNECT_TIMEOUT_SEC;
        if (n == 4 && !streq(word, "stopping"))
                return -EBADMSG;
        *ret = (DialerRecord) {
                .pid = pid,
                .start_time = start_time,
                .kill_after_sec = kill_after,
                .stopping = n == 4,
        };
        return 0;
}

int runtime_state_forget(const char *dir, const char *name) {
        _cleanup_free_ char *path = record_path(dir, name, "");

        if (!path)
                return -ENOMEM;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

char *runtime_state_stopping_name(const char *name, pid_t pid) {
        char *p = NULL;
        return asprintf(&p, STOPPING_PREFIX "%d-%s", (int) pid, name) < 0 ? NULL : p;
}

const char *runtime_state_record_interface(const char *record_name) {
        const char *p;

        if (strncmp(record_name, STOPPING_PREFIX, strlen(STOPPING_PREFIX)) == 0) {
                p = record_name + strlen(STOPPING_PREFIX);
                p += strspn(p, "0123456789");
                if (p == record_name + strlen(STOPPING_PREFIX) || *p != '-')
                        return NULL;
                p++;
        } else
                p = record_name;
        /* Temporary files start with '.', which no interface name does. */
        return interface_name_is_valid(p) ? p : NULL;
}

int runtime_state_list(const char *dir, char ***ret) {
        _cleanup_free_ char *sub = NULL;
        char **l = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *d;
        int r = 0;

        if (asprintf(&sub, "%s/dialers", dir) < 0)
                return -ENOMEM;
        d = opendir(sub);
        if (!d && errno != ENOENT)
                return -errno;
        while (d && (errno = 0, de = readdir(d))) {
                char **bigger;

                if (!runtime_state_record_interface(de->d_name))
                        continue;
                bigger = reallocarray(l, n + 2, sizeof(char *));
                if (!bigger) {
                        r = -ENOMEM;
                        break;
                }
                l = bigger;
                l[n] = strdup(de->d_name);
                l[n + 1] = NULL;
                if (!l[n]) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        if (d && r == 0 && errno != 0)
                r = -errno;
        if (d)
                closedir(d);
        if (r == 0 && !l && !(l = calloc(1, sizeof(char *))))
                r = -ENOMEM;
        if (r < 0) {
                strv_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

int runtime_state_save_demand_dial(const char *dir, bool running) {
        return write_atomic(dir, NULL, 0, DEMAND_DIAL_FILE, running ? "running\n" : "stopped\n");
}

int runtime_state_load_demand_dial(const char *dir, bool *ret_running) {
        _cleanup_free_ char *path = NULL;
        char line[32];
        int r;

        if (asprintf(&path, "%s/" DEMAND_DIAL_FILE, dir) < 0)
                return -ENOMEM;
        r = read_first_line(path, line, sizeof(line));
        if (r < 0)
                return r;
        if (streq(line, "running\n"))
                *ret_running = true;
        else if (streq(line, "stopped\n"))
                *ret_running = false;
        else
                return -EBADMSG;
        return 0;
}
