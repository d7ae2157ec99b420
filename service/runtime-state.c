/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See runtime-state.h. Written with rename() so a crash leaves the old
 * record or the new one; /run is a tmpfs, so no fsync. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash-point.h"
#include "macro.h"
#include "runtime-state.h"

static char *record_path(const char *dir, const char *name, const char *prefix) {
        char *p = NULL;
        if (asprintf(&p, "%s/dialers/%s%s", dir, prefix, name) < 0)
                return NULL;
        return p;
}

int runtime_state_save(const char *dir, const char *name, pid_t pid, uint64_t start_time) {
        _cleanup_free_ char *sub = NULL, *path = record_path(dir, name, ""), *tmp = record_path(dir, name, ".tmp-");
        _cleanup_close_ int fd = -EBADF;
        int r = 0;

        if (!path || !tmp || asprintf(&sub, "%s/dialers", dir) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mkdir(sub, 0700) < 0 && errno != EEXIST)
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
        if (dprintf(fd, "%d %" PRIu64 "\n", (int) pid, start_time) < 0)
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

int runtime_state_load(const char *dir, const char *name, pid_t *ret_pid, uint64_t *ret_start_time) {
        _cleanup_free_ char *path = record_path(dir, name, "");
        uint64_t start_time;
        FILE *f;
        int pid, n;

        if (!path)
                return -ENOMEM;
        f = fopen(path, "re");
        if (!f)
                return -errno;
        n = fscanf(f, "%d %" SCNu64, &pid, &start_time);
        fclose(f);
        if (n != 2 || pid <= 1)
                return -EBADMSG;
        *ret_pid = pid;
        *ret_start_time = start_time;
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
