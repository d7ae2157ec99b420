/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The records of running dialers in <runtime-dir>/dialers/: saved, loaded,
 * forgotten, and never written through a link planted at the temporary
 * name. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime-state.h"

typedef struct {
        char *dir;
} Fixture;

static void fixture_set_up(Fixture *f, gconstpointer data) {
        GError *error = NULL;

        f->dir = g_dir_make_tmp("wand-test-runtime-XXXXXX", &error);
        g_assert_no_error(error);
}

static void fixture_tear_down(Fixture *f, gconstpointer data) {
        const char *names[] = { "dialers/wan0", "dialers/.tmp-wan0", "dialers", "victim", NULL };

        for (size_t i = 0; names[i]; i++) {
                char *p = g_build_filename(f->dir, names[i], NULL);
                (void) g_remove(p);
                g_free(p);
        }
        g_assert_cmpint(g_rmdir(f->dir), ==, 0);
        g_free(f->dir);
}

static void test_round_trip(Fixture *f, gconstpointer data) {
        uint64_t start_time = 0;
        pid_t pid = 0;
        char *sub = g_build_filename(f->dir, "dialers", NULL);
        char *tmp = g_build_filename(sub, ".tmp-wan0", NULL);
        struct stat st;

        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &pid, &start_time), ==, -ENOENT);
        g_assert_cmpint(runtime_state_save(f->dir, "wan0", 1234, 987654321012ull), ==, 0);
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &pid, &start_time), ==, 0);
        g_assert_cmpint(pid, ==, 1234);
        g_assert_cmpuint(start_time, ==, 987654321012ull);
        g_assert_cmpint(stat(sub, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0700);
        g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));

        /* A temporary file a crash left behind is no obstacle. */
        g_assert_true(g_file_set_contents(tmp, "stale", -1, NULL));
        g_assert_cmpint(runtime_state_save(f->dir, "wan0", 4321, 1), ==, 0);
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &pid, &start_time), ==, 0);
        g_assert_cmpint(pid, ==, 4321);
        g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));

        g_assert_cmpint(runtime_state_forget(f->dir, "wan0"), ==, 0);
        g_assert_cmpint(runtime_state_forget(f->dir, "wan0"), ==, 0);
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &pid, &start_time), ==, -ENOENT);
        g_free(tmp);
        g_free(sub);
}

/* A symlink at the temporary name must not be followed: neither its target
 * written to nor the link renamed into the record's place. */
static void test_planted_symlink(Fixture *f, gconstpointer data) {
        char *sub = g_build_filename(f->dir, "dialers", NULL);
        char *tmp = g_build_filename(sub, ".tmp-wan0", NULL);
        char *record = g_build_filename(sub, "wan0", NULL);
        char *victim = g_build_filename(f->dir, "victim", NULL);
        char *text = NULL;
        uint64_t start_time;
        struct stat st;
        pid_t pid;

        g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
        g_assert_true(g_file_set_contents(victim, "precious\n", -1, NULL));
        g_assert_cmpint(symlink(victim, tmp), ==, 0);

        g_assert_cmpint(runtime_state_save(f->dir, "wan0", 1234, 5678), ==, 0);

        g_assert_true(g_file_get_contents(victim, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "precious\n");
        g_free(text);
        g_assert_cmpint(lstat(record, &st), ==, 0);
        g_assert_true(S_ISREG(st.st_mode));
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &pid, &start_time), ==, 0);
        g_assert_cmpint(pid, ==, 1234);
        g_assert_cmpuint(start_time, ==, 5678);

        /* A dangling link too: it must not create its target. */
        g_assert_cmpint(g_unlink(victim), ==, 0);
        g_assert_cmpint(symlink(victim, tmp), ==, 0);
        g_assert_cmpint(runtime_state_save(f->dir, "wan0", 99, 100), ==, 0);
        g_assert_false(g_file_test(victim, G_FILE_TEST_EXISTS));
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &pid, &start_time), ==, 0);
        g_assert_cmpint(pid, ==, 99);

        g_free(victim);
        g_free(record);
        g_free(tmp);
        g_free(sub);
}

#define ADD(name, func) g_test_add("/runtime-state/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        ADD("round-trip", test_round_trip);
        ADD("planted-symlink", test_planted_symlink);

        return g_test_run();
}
