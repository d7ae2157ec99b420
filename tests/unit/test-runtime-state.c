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
        const char *names[] = { "dialers/wan0", "dialers/.tmp-wan0", "dialers/.stopping-4321-wan0", "dialers/wan1",
                                "dialers", ".tmp-demand-dial", "demand-dial", "victim", NULL };

        for (size_t i = 0; names[i]; i++) {
                char *p = g_build_filename(f->dir, names[i], NULL);
                (void) g_remove(p);
                g_free(p);
        }
        g_assert_cmpint(g_rmdir(f->dir), ==, 0);
        g_free(f->dir);
}

static void test_round_trip(Fixture *f, gconstpointer data) {
        DialerRecord rec;
        char *sub = g_build_filename(f->dir, "dialers", NULL);
        char *tmp = g_build_filename(sub, ".tmp-wan0", NULL);
        struct stat st;

        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, -ENOENT);
        g_assert_cmpint(runtime_state_save(f->dir, "wan0", &(DialerRecord) { .pid = 1234, .start_time = 987654321012ull }), ==, 0);
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, 0);
        g_assert_cmpint(rec.pid, ==, 1234);
        g_assert_cmpuint(rec.start_time, ==, 987654321012ull);
        g_assert_cmpint(stat(sub, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0700);
        g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));

        /* A temporary file a crash left behind is no obstacle. */
        g_assert_true(g_file_set_contents(tmp, "stale", -1, NULL));
        g_assert_cmpint(runtime_state_save(f->dir, "wan0", &(DialerRecord) { .pid = 4321, .start_time = 1 }), ==, 0);
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, 0);
        g_assert_cmpint(rec.pid, ==, 4321);
        g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));

        g_assert_cmpint(runtime_state_forget(f->dir, "wan0"), ==, 0);
        g_assert_cmpint(runtime_state_forget(f->dir, "wan0"), ==, 0);
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, -ENOENT);
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
        DialerRecord rec;
        struct stat st;

        g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
        g_assert_true(g_file_set_contents(victim, "precious\n", -1, NULL));
        g_assert_cmpint(symlink(victim, tmp), ==, 0);

        g_assert_cmpint(runtime_state_save(f->dir, "wan0", &(DialerRecord) { .pid = 1234, .start_time = 5678 }), ==, 0);

        g_assert_true(g_file_get_contents(victim, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "precious\n");
        g_free(text);
        g_assert_cmpint(lstat(record, &st), ==, 0);
        g_assert_true(S_ISREG(st.st_mode));
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, 0);
        g_assert_cmpint(rec.pid, ==, 1234);
        g_assert_cmpuint(rec.start_time, ==, 5678);

        /* A dangling link too: it must not create its target. */
        g_assert_cmpint(g_unlink(victim), ==, 0);
        g_assert_cmpint(symlink(victim, tmp), ==, 0);
        g_assert_cmpint(runtime_state_save(f->dir, "wan0", &(DialerRecord) { .pid = 99, .start_time = 100 }), ==, 0);
        g_assert_false(g_file_test(victim, G_FILE_TEST_EXISTS));
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, 0);
        g_assert_cmpint(rec.pid, ==, 99);

        g_free(victim);
        g_free(record);
        g_free(tmp);
        g_free(sub);
}

static void write_record(Fixture *f, const char *name, const char *text) {
        char *sub = g_build_filename(f->dir, "dialers", NULL);
        char *path = g_build_filename(sub, name, NULL);

        (void) g_mkdir(sub, 0700);
        g_assert_true(g_file_set_contents(path, text, -1, NULL));
        g_free(path);
        g_free(sub);
}

static char *read_record(Fixture *f, const char *name) {
        char *path = g_build_filename(f->dir, "dialers", name, NULL);
        char *text = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_free(path);
        return text;
}

/* The record keeps how long a dialer gets between SIGTERM and SIGKILL, and
 * whether it was being stopped: a restarted wand finishes that. */
static void test_format(Fixture *f, gconstpointer data) {
        DialerRecord rec;
        char *text;

        g_assert_cmpint(runtime_state_save(f->dir, "wan0",
                                           &(DialerRecord) { .pid = 1234, .start_time = 56, .kill_after_sec = 30 }),
                        ==, 0);
        text = read_record(f, "wan0");
        g_assert_cmpstr(text, ==, "1234 56 30\n");
        g_free(text);
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, 0);
        g_assert_cmpint(rec.pid, ==, 1234);
        g_assert_cmpuint(rec.start_time, ==, 56);
        g_assert_cmpuint(rec.kill_after_sec, ==, 30);
        g_assert_false(rec.stopping);

        g_assert_cmpint(runtime_state_save(f->dir, "wan0",
                                           &(DialerRecord) { .pid = 1234, .start_time = 56, .kill_after_sec = 4,
                                                             .stopping = true }),
                        ==, 0);
        text = read_record(f, "wan0");
        g_assert_cmpstr(text, ==, "1234 56 4 stopping\n");
        g_free(text);
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, 0);
        g_assert_cmpuint(rec.kill_after_sec, ==, 4);
        g_assert_true(rec.stopping);
}

/* A record an older wand wrote, "PID START_TIME", still loads: the default
 * DisconnectTimeoutSec, not being stopped. */
static void test_old_format(Fixture *f, gconstpointer data) {
        DialerRecord rec;

        write_record(f, "wan0", "4321 987654321012\n");
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, 0);
        g_assert_cmpint(rec.pid, ==, 4321);
        g_assert_cmpuint(rec.start_time, ==, 987654321012ull);
        g_assert_cmpuint(rec.kill_after_sec, ==, 10);
        g_assert_false(rec.stopping);

        /* Without a newline too (it was written by dprintf() in one go, but
         * a full tmpfs can cut it). */
        write_record(f, "wan0", "4321 5");
        g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, 0);
        g_assert_cmpuint(rec.start_time, ==, 5);
}

static void test_bad_records(Fixture *f, gconstpointer data) {
        const char *bad[] = { "", "\n", "1234\n", "1 5 10\n", "0 5\n", "-7 5\n", "x y\n", "1234 56 30 running\n", NULL };
        DialerRecord rec;

        for (size_t k = 0; bad[k]; k++) {
                write_record(f, "wan0", bad[k]);
                g_assert_cmpint(runtime_state_load(f->dir, "wan0", &rec), ==, -EBADMSG);
        }
}

/* The names in dialers/: an interface's record, a stopping one (with its
 * pid), never a temporary file. */
static void test_names(Fixture *f, gconstpointer data) {
        char *name = runtime_state_stopping_name("wan0", 4321);
        char **l = NULL;
        size_t n;

        g_assert_cmpstr(name, ==, ".stopping-4321-wan0");
        g_assert_cmpstr(runtime_state_record_interface(name), ==, "wan0");
        g_assert_cmpstr(runtime_state_record_interface("wan0"), ==, "wan0");
        g_assert_cmpstr(runtime_state_record_interface(".stopping-12-a-b.c"), ==, "a-b.c");
        g_assert_null(runtime_state_record_interface(".tmp-wan0"));
        g_assert_null(runtime_state_record_interface(".stopping--wan0"));
        g_assert_null(runtime_state_record_interface(".stopping-12wan0"));
        g_assert_null(runtime_state_record_interface("."));

        g_assert_cmpint(runtime_state_list(f->dir, &l), ==, 0);
        g_assert_nonnull(l);
        g_assert_null(l[0]);
        g_free(l);

        write_record(f, "wan0", "1 2\n");
        write_record(f, "wan1", "1 2\n");
        write_record(f, ".tmp-wan0", "1 2\n");
        write_record(f, name, "1 2 3 stopping\n");
        g_assert_cmpint(runtime_state_list(f->dir, &l), ==, 0);
        n = g_strv_length(l);
        g_assert_cmpuint(n, ==, 3);
        g_assert_true(g_strv_contains((const char *const *) l, "wan0"));
        g_assert_true(g_strv_contains((const char *const *) l, "wan1"));
        g_assert_true(g_strv_contains((const char *const *) l, name));
        g_strfreev(l);
        g_free(name);
}

/* The demand-dial manager's state across restarts; none recorded at boot. */
static void test_demand_dial(Fixture *f, gconstpointer data) {
        bool running = true;
        char *path = g_build_filename(f->dir, "demand-dial", NULL);

        g_assert_cmpint(runtime_state_load_demand_dial(f->dir, &running), ==, -ENOENT);
        g_assert_cmpint(runtime_state_save_demand_dial(f->dir, false), ==, 0);
        g_assert_cmpint(runtime_state_load_demand_dial(f->dir, &running), ==, 0);
        g_assert_false(running);
        g_assert_cmpint(runtime_state_save_demand_dial(f->dir, true), ==, 0);
        g_assert_cmpint(runtime_state_load_demand_dial(f->dir, &running), ==, 0);
        g_assert_true(running);
        g_assert_true(g_file_set_contents(path, "maybe\n", -1, NULL));
        g_assert_cmpint(runtime_state_load_demand_dial(f->dir, &running), ==, -EBADMSG);
        g_free(path);
}

#define ADD(name, func) g_test_add("/runtime-state/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        ADD("round-trip", test_round_trip);
        ADD("planted-symlink", test_planted_symlink);
        ADD("format", test_format);
        ADD("old-format", test_old_format);
        ADD("bad-records", test_bad_records);
        ADD("names", test_names);
        ADD("demand-dial", test_demand_dial);

        return g_test_run();
}
