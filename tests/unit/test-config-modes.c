/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Narrowing the modes older versions of wand left: directories open to every
 * user, interface files with commands readable by all; what is narrowed,
 * what is left alone, and what the administrator reads about it. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-modes.h"

typedef struct {
        char *dir;
        char *idir;
        GPtrArray *log; /* "<priority> <message>" */
} Fixture;

static void collect(int priority, const char *message, void *userdata) {
        g_ptr_array_add(userdata, g_strdup_printf("%d %s", priority, message));
}

static void fixture_set_up(Fixture *f, gconstpointer data) {
        GError *error = NULL;

        f->dir = g_dir_make_tmp("wand-test-modes-XXXXXX", &error);
        g_assert_no_error(error);
        f->idir = g_build_filename(f->dir, "interfaces", NULL);
        g_assert_cmpint(g_mkdir(f->idir, 0700), ==, 0);
        f->log = g_ptr_array_new_with_free_func(g_free);
}

static void fixture_tear_down(Fixture *f, gconstpointer data) {
        GDir *d = g_dir_open(f->idir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                char *p = g_build_filename(f->idir, name, NULL);
                g_assert_cmpint(g_unlink(p), ==, 0);
                g_free(p);
        }
        if (d)
                g_dir_close(d);
        g_assert_cmpint(g_rmdir(f->idir), ==, 0);
        g_assert_cmpint(g_rmdir(f->dir), ==, 0);
        g_ptr_array_unref(f->log);
        g_free(f->idir);
        g_free(f->dir);
}

/* interfaces/<name> holding text, in mode. */
static char *put(Fixture *f, const char *name, const char *text, mode_t mode) {
        GError *error = NULL;
        char *path = g_build_filename(f->idir, name, NULL);

        g_file_set_contents(path, text, -1, &error);
        g_assert_no_error(error);
        g_assert_cmpint(chmod(path, mode), ==, 0);
        return path;
}

static mode_t mode_of(const char *path) {
        struct stat st;

        g_assert_cmpint(lstat(path, &st), ==, 0);
        return st.st_mode & 07777;
}

static void assert_mode(const char *path, mode_t mode) {
        g_assert_cmpuint(mode_of(path), ==, mode);
}

/* Whether a line at priority names path and says text. */
static bool logged(Fixture *f, int priority, const char *path, const char *text) {
        char *prefix = g_strdup_printf("%d %s", priority, path);
        bool found = false;

        for (size_t i = 0; i < f->log->len && !found; i++) {
                const char *l = f->log->pdata[i];
                found = g_str_has_prefix(l, prefix) && strstr(l, text) && !strchr(l, '\n');
        }
        g_free(prefix);
        return found;
}

/* As wand before this change left them: 0755 directories, 0644 files. */
static void test_upgrade(Fixture *f, gconstpointer data) {
        g_autofree char *dsl = put(f, "dsl.conf", "[Interface]\nDevice=ppp0\nConnectCommand=pppd call isp password s3cret\n", 0644);
        g_autofree char *vpn = put(f, "vpn.conf", "[Interface]\r\nDevice=tun0\r\n  DisconnectCommand = kill x \r\n", 0640);
        g_autofree char *ro = put(f, "ro.conf", "[Interface]\nDevice=ppp1\nConnectCommand=pppd\n", 0444);
        g_autofree char *narrow = put(f, "narrow.conf", "[Interface]\nDevice=ppp2\nConnectCommand=pppd\n", 0600);
        g_autofree char *plain = put(f, "wan0.conf", "[Interface]\nDevice=eth1\n", 0644);
        g_autofree char *empty = put(f, "empty.conf", "[Interface]\nDevice=eth2\nConnectCommand=\t\n", 0644);
        g_autofree char *comment = put(f, "comment.conf", "[Interface]\nDevice=eth3\n#ConnectCommand=pppd\n", 0644);
        g_autofree char *broken = put(f, "broken.conf", "[Interface\nConnectCommand=pppd password x\n", 0644);
        /* Refused by StrictModes: narrowing would make wand trust them. */
        g_autofree char *world = put(f, "world.conf", "[Interface]\nDevice=ppp4\nConnectCommand=pppd\n", 0666);
        g_autofree char *group = put(f, "group.conf", "[Interface]\nDevice=ppp5\nConnectCommand=pppd\n", 0664);
        g_autofree char *theirs = put(f, "theirs.conf", "[Interface]\nDevice=ppp6\nConnectCommand=pppd\n", 0644);
        bool root = geteuid() == 0;

        if (root)
                g_assert_cmpint(chown(theirs, 65534, 65534), ==, 0);
        else
                g_test_message("not root: a file of another user is not tried");
        g_autofree char *other = put(f, "notes.txt", "ConnectCommand=pppd\n", 0644);
        g_autofree char *hidden = put(f, ".x.conf", "ConnectCommand=pppd\n", 0644);
        g_autofree char *target = put(f, "target", "[Interface]\nDevice=ppp3\nConnectCommand=pppd\n", 0644);
        g_autofree char *link = g_build_filename(f->idir, "link.conf", NULL);

        g_assert_cmpint(symlink("target", link), ==, 0);
        g_assert_cmpint(chmod(f->dir, 0755), ==, 0);
        g_assert_cmpint(chmod(f->idir, 0755), ==, 0);

        /* Two directories, and the four files with a command others or the
         * group could read (broken.conf included: it may hold a password
         * although it does not load). */
        g_assert_cmpint(config_tighten_modes(f->dir, collect, f->log), ==, root ? 6 : 7);
        for (size_t i = 0; i < f->log->len; i++)
                g_test_message("%s", (char *) f->log->pdata[i]);
        assert_mode(f->dir, 0750);
        assert_mode(f->idir, 0750);
        assert_mode(dsl, 0600);
        assert_mode(vpn, 0600);
        assert_mode(ro, 0400);
        assert_mode(broken, 0600);
        assert_mode(narrow, 0600);
        /* No command, no secret: others (monitoring, backups) may go on
         * reading these. */
        assert_mode(plain, 0644);
        assert_mode(empty, 0644);
        assert_mode(comment, 0644);
        /* Not an interface file; a link's target is where the
         * administrator put it. */
        assert_mode(other, 0644);
        assert_mode(hidden, 0644);
        assert_mode(target, 0644);
        assert_mode(world, 0666);
        assert_mode(group, 0664);
        assert_mode(theirs, root ? 0644 : 0600);

        g_assert_cmpuint(f->log->len, ==, root ? 6 : 7);
        g_assert_true(logged(f, LOG_NOTICE, f->dir,
                             ": every user could reach the files in it (mode 0755); changed it to 0750, since "
                             "interface files may hold passwords in their commands"));
        g_assert_true(logged(f, LOG_NOTICE, f->idir, ": every user could reach the files in it (mode 0755); changed it to 0750"));
        g_assert_true(logged(f, LOG_NOTICE, dsl,
                             " has a command, which may hold a password, and was readable by every user (mode "
                             "0644); changed it to 0600. Keep passwords out of commands"));
        g_assert_true(logged(f, LOG_NOTICE, vpn, "was readable by its group (mode 0640); changed it to 0600"));
        g_assert_true(logged(f, LOG_NOTICE, ro, "(mode 0444); changed it to 0400"));
        g_assert_true(logged(f, LOG_NOTICE, broken, "(mode 0644); changed it to 0600"));

        /* Once: the second start finds nothing to do. */
        g_ptr_array_set_size(f->log, 0);
        g_assert_cmpint(config_tighten_modes(f->dir, collect, f->log), ==, 0);
        g_assert_cmpuint(f->log->len, ==, 0);
        g_assert_cmpint(unlink(link), ==, 0);
}

/* Narrow directories: the administrator chose the files' modes, wand keeps
 * them (as it keeps them when it rewrites a file). */
static void test_chosen_modes_stay(Fixture *f, gconstpointer data) {
        g_autofree char *dsl = put(f, "dsl.conf", "[Interface]\nDevice=ppp0\nConnectCommand=pppd\n", 0640);
        g_autofree char *wide = put(f, "wide.conf", "[Interface]\nDevice=ppp1\nConnectCommand=pppd\n", 0644);

        g_assert_cmpint(chmod(f->dir, 0710), ==, 0);
        g_assert_cmpint(chmod(f->idir, 0750), ==, 0);
        g_assert_cmpint(config_tighten_modes(f->dir, collect, f->log), ==, 0);
        g_assert_cmpuint(f->log->len, ==, 0);
        assert_mode(f->dir, 0710);
        assert_mode(f->idir, 0750);
        assert_mode(dsl, 0640);
        assert_mode(wide, 0644);

        /* Only interfaces/ open: that is enough to narrow the files. */
        g_assert_cmpint(chmod(f->idir, 0751), ==, 0);
        g_assert_cmpint(config_tighten_modes(f->dir, collect, f->log), ==, 3);
        assert_mode(f->dir, 0710);
        assert_mode(f->idir, 0750);
        assert_mode(dsl, 0600);
        assert_mode(wide, 0600);
}

/* What is narrowed is only others' access: special bits and the owner's and
 * group's stay. A directory others or the group may write is left as it is:
 * config.c refuses the commands below it, and narrowing it would make wand
 * trust what they may have changed. */
static void test_directory_bits(Fixture *f, gconstpointer data) {
        static const struct { mode_t before, after; } cases[] = {
                { 02755, 02750 }, { 0705, 0700 }, { 0701, 0700 }, { 0711, 0710 },
                { 0775, 0775 }, { 0757, 0757 }, { 0777, 0777 }, { 0770, 0770 }, { 0700, 0700 },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                bool changes = cases[i].before != cases[i].after;

                g_ptr_array_set_size(f->log, 0);
                g_assert_cmpint(chmod(f->dir, cases[i].before), ==, 0);
                g_assert_cmpint(config_tighten_modes(f->dir, collect, f->log), ==, changes);
                assert_mode(f->dir, cases[i].after);
                g_assert_cmpuint(f->log->len, ==, changes);
                if (changes) {
                        char *said = g_strdup_printf(": every user could reach the files in it (mode %04o); changed it "
                                                     "to %04o",
                                                     (unsigned) cases[i].before, (unsigned) cases[i].after);
                        g_test_message("%s", (char *) f->log->pdata[0]);
                        g_assert_true(logged(f, LOG_NOTICE, f->dir, said));
                        g_free(said);
                }
        }
}

static void test_missing(Fixture *f, gconstpointer data) {
        g_autofree char *gone = g_build_filename(f->dir, "gone", NULL);

        /* No configuration yet: nothing to do, nothing said. */
        g_assert_cmpint(config_tighten_modes(gone, collect, f->log), ==, 0);
        g_assert_cmpint(g_rmdir(f->idir), ==, 0);
        g_assert_cmpint(chmod(f->dir, 0755), ==, 0);
        g_assert_cmpint(config_tighten_modes(f->dir, collect, f->log), ==, 1);
        assert_mode(f->dir, 0750);
        g_assert_cmpint(g_mkdir(f->idir, 0700), ==, 0);
}

#define ADD(name, func) g_test_add("/config-modes/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        ADD("upgrade", test_upgrade);
        ADD("chosen-modes-stay", test_chosen_modes_stay);
        ADD("directory-bits", test_directory_bits);
        ADD("missing", test_missing);

        return g_test_run();
}
