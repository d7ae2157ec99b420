/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See fuzz-edit.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>

#include "config.h"
#include "fuzz-edit.h"
#include "fuzz.h"
#include "macro.h"
#include "names.h"
#include "shell-words.h"

const char *const fuzz_keys[11] = {
        "Device",         "ConnectCommand",       "DisconnectCommand", "Enabled",
        "Persistent",     "ConnectTimeoutSec",    "DisconnectTimeoutSec",
        "RedialIntervalSec", "RedialMaxIntervalSec", "RedialAttempts", "ClaimDevice",
};

static char *read_all(const char *path, size_t *ret_size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        char *buf = malloc(128 * 1024 + 1);
        ssize_t n;

        fuzz_assert(fd >= 0 && buf, "cannot open %s: %s", path, strerror(errno));
        n = read(fd, buf, 128 * 1024);
        fuzz_assert(n >= 0, "cannot read %s: %s", path, strerror(errno));
        buf[n] = 0;
        close(fd);
        *ret_size = (size_t) n;
        return buf;
}

void fuzz_file_put(FuzzFile *f, const uint8_t *data, size_t size, mode_t mode, gid_t gid) {
        char *idir = NULL, *error = NULL;
        int fd;

        *f = (FuzzFile) { .dir = strdup(fuzz_scratch_dir()) };
        if (!f->dir || asprintf(&idir, "%s/interfaces", f->dir) < 0 ||
            asprintf(&f->path, "%s/fuzz.conf", idir) < 0)
                abort();
        if (mkdir(idir, 0750) < 0 && errno != EEXIST)
                abort();
        /* A new file each time: an edit replaces the file by another. */
        (void) unlink(f->path);
        fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || fchmod(fd, mode) < 0 || (geteuid() == 0 && fchown(fd, 0, gid) < 0) ||
            write(fd, data, size) != (ssize_t) size || fstat(fd, &f->st) < 0)
                abort();
        close(fd);
        f->text = malloc(size + 1);
        if (!f->text)
                abort();
        memcpy(f->text, data, size);
        f->text[size] = 0;
        f->size = size;
        f->parsed = config_read_interface(f->path, &f->settings, &error) == 0;
        free(error);
        free(idir);
}

void fuzz_file_done(FuzzFile *f) {
        if (f->parsed)
                settings_done(&f->settings);
        free(f->dir);
        free(f->path);
        free(f->text);
}

char *fuzz_key_text(const Settings *s, const char *key) {
        char *t = NULL;
        char **cmd = streq(key, "ConnectCommand") ? s->connect_command
                     : streq(key, "DisconnectCommand") ? s->disconnect_command : NULL;
        uint32_t v = streq(key, "ConnectTimeoutSec")       ? s->connect_timeout_sec
                     : streq(key, "DisconnectTimeoutSec") ? s->disconnect_timeout_sec
                     : streq(key, "RedialIntervalSec")    ? s->redial_interval_sec
                     : streq(key, "RedialMaxIntervalSec") ? s->redial_max_interval_sec
                                                          : s->redial_attempts;

        if (streq(key, "Device"))
                t = strdup(s->device);
        else if (cmd || streq(key, "ConnectCommand") || streq(key, "DisconnectCommand"))
                t = strv_length(cmd) > 0 ? shell_join(cmd) : strdup("");
        else if (streq(key, "Enabled") || streq(key, "Persistent") || streq(key, "ClaimDevice"))
                t = strdup((streq(key, "Enabled") ? s->enabled : streq(key, "Persistent") ? s->persistent
                                                                                          : s->claim_device)
                                   ? "yes" : "no");
        else if (asprintf(&t, "%" PRIu32, v) < 0)
                t = NULL;
        if (!t)
                abort();
        return t;
}

static void assert_nothing_left(const FuzzFile *f) {
        char *idir = strndup(f->path, strlen(f->path) - strlen("/fuzz.conf"));
        struct dirent *de;
        DIR *d;

        fuzz_assert(idir && (d = opendir(idir)), "cannot list %s", idir);
        while ((de = readdir(d)))
                fuzz_assert(streq(de->d_name, ".") || streq(de->d_name, "..") || streq(de->d_name, "fuzz.conf"),
                            "%s left behind in %s", de->d_name, idir);
        closedir(d);
        free(idir);
}

void fuzz_assert_refused(const FuzzFile *f, int r, const char *error) {
        size_t size;
        char *now;

        fuzz_assert(r == -EINVAL || r == -EFBIG, "unexpected error %d (%s)", r, error ? error : "");
        fuzz_assert(error, "refused (%d) without saying why", r);
        fuzz_assert(strstr(error, f->path), "the message does not name the file: %s", error);
        fuzz_assert(!strchr(error, '\n'), "the message spans lines: %s", error);
        fuzz_assert(bus_string_is_valid(error), "the message is no D-Bus string: %s", error);
        now = read_all(f->path, &size);
        fuzz_assert(size == f->size && memcmp(now, f->text, size) == 0, "a refused edit changed the file");
        free(now);
        assert_nothing_left(f);
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Whether a line (of len bytes) assigns one of the keys, as the parser
 * reads it: blanks, key, blanks, '='. */
static bool line_sets_key(const char *l, size_t len, const char *const *keys, size_t n) {
        size_t b = 0, e;
        const char *eq;

        while (b < len && is_blank(l[b]))
                b++;
        eq = memchr(l + b, '=', len - b);
        if (!eq)
                return false;
        e = (size_t) (eq - l);
        while (e > b && is_blank(l[e - 1]))
                e--;
        for (size_t k = 0; k < n; k++)
                if (e - b == strlen(keys[k]) && memcmp(l + b, keys[k], e - b) == 0)
                        return true;
        return false;
}

/* The text without the lines that set one of the keys, each line with its
 * '\n'; the last line, if it had none, gets one (a line added after it ends
 * it). */
static char *without_key_lines(const char *text, size_t size, const char *const *keys, size_t n) {
        char *out = malloc(size + 2), *o = out;
        const char *p = text, *end = text + size;

        if (!out)
                abort();
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t len = nl ? (size_t) (nl - p) : (size_t) (end - p);

                if (!line_sets_key(p, len, keys, n)) {
                        memcpy(o, p, len);
                        o += len;
                        *o++ = '\n';
                }
                p += len + (nl ? 1 : 0);
        }
        *o = 0;
        return out;
}

Settings fuzz_assert_edited(const FuzzFile *f, const Settings *new, const char *const *changed, size_t n) {
        char *error = NULL, *now, *a, *b;
        struct stat st;
        Settings back;
        size_t size;
        int r;

        r = config_read_interface(f->path, &back, &error);
        fuzz_assert(r == 0, "the edited file does not load: %s", error ? error : strerror(-r));
        for (size_t k = 0; k < n; k++) {
                char *want = fuzz_key_text(new, changed[k]), *got = fuzz_key_text(&back, changed[k]);
                fuzz_assert(streq(want, got), "%s= reads back as \"%s\", not \"%s\"", changed[k], got, want);
                free(want);
                free(got);
        }

        now = read_all(f->path, &size);
        a = without_key_lines(f->text, f->size, changed, n);
        b = without_key_lines(now, size, changed, n);
        fuzz_assert(streq(a, b), "lines other than %s%s changed:\n--- before\n%s--- after\n%s", n > 0 ? changed[0] : "",
                    n > 1 ? "=, …" : "=", a, b);
        free(a);
        free(b);
        free(now);

        fuzz_assert(stat(f->path, &st) == 0, "the edited file is gone");
        fuzz_assert((st.st_mode & 07777) == (f->st.st_mode & 07777), "the mode changed from %04o to %04o",
                    (unsigned) (f->st.st_mode & 07777), (unsigned) (st.st_mode & 07777));
        fuzz_assert(st.st_uid == f->st.st_uid && st.st_gid == f->st.st_gid, "the owner changed");
        assert_nothing_left(f);
        free(error);
        return back;
}
