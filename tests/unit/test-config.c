/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration files: every key, every way a file can be wrong and the
 * message an administrator then reads, loading a directory, atomic writes. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "settings.h"

typedef struct {
        char *dir;   /* the configuration directory */
        char *idir;  /* <dir>/interfaces */
} Fixture;

static void fixture_set_up(Fixture *f, gconstpointer data) {
        GError *error = NULL;

        f->dir = g_dir_make_tmp("wand-test-config-XXXXXX", &error);
        g_assert_no_error(error);
        f->idir = g_build_filename(f->dir, "interfaces", NULL);
}

static void remove_tree(const char *path) {
        GDir *d = g_dir_open(path, 0, NULL);
        const char *name;

        if (d) {
                while ((name = g_dir_read_name(d))) {
                        char *p = g_build_filename(path, name, NULL);
                        if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                                remove_tree(p);
                        else
                                g_assert_cmpint(g_unlink(p), ==, 0);
                        g_free(p);
                }
                g_dir_close(d);
        }
        g_chmod(path, 0755);
        g_assert_cmpint(g_rmdir(path), ==, 0);
}

static void fixture_tear_down(Fixture *f, gconstpointer data) {
        g_chmod(f->idir, 0755);
        remove_tree(f->dir);
        g_free(f->idir);
        g_free(f->dir);
}

/* Writes <dir>/<relative> and returns its path. */
static char *put(Fixture *f, const char *relative, const char *text, gssize len) {
        GError *error = NULL;
        char *path = g_build_filename(f->dir, relative, NULL);
        char *parent = g_path_get_dirname(path);

        g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
        g_file_set_contents(path, text, len, &error);
        g_assert_no_error(error);
        g_free(parent);
        return path;
}

static Settings read_ok(Fixture *f, const char *text) {
        char *path = put(f, "interfaces/wan0.conf", text, -1);
        char *error = NULL;
        Settings s;
        int r;

        r = config_read_interface(path, &s, &error);
        if (r < 0)
                g_error("unexpected failure (%d): %s\n--\n%s--", r, error, text);
        g_assert_null(error);
        g_free(path);
        return s;
}

/* The file must be refused with exactly "<path>:<line>: <problem>". */
static void read_fails(Fixture *f, const char *text, unsigned line, const char *problem) {
        char *path = put(f, "interfaces/wan0.conf", text, -1);
        char *expected = g_strdup_printf("%s:%u: %s", path, line, problem);
        char *error = NULL;
        Settings s;

        g_assert_cmpint(config_read_interface(path, &s, &error), ==, -EINVAL);
        g_assert_cmpstr(error, ==, expected);
        free(error);
        g_free(expected);
        g_free(path);
}

static void test_interface_every_key(Fixture *f, gconstpointer data) {
        Settings s = read_ok(f,
                "[Interface]\n"
                "Device=ppp0\n"
                "ConnectCommand=/usr/sbin/pppd call 'my isp' nodetach\n"
                "DisconnectCommand=/bin/sh -c \"poff -a\"\n"
                "Enabled=no\n"
                "Persistent=yes\n"
                "ConnectTimeoutSec=45\n"
                "DisconnectTimeoutSec=4294967295\n");

        g_assert_cmpstr(s.device, ==, "ppp0");
        g_assert_cmpstrv((const char *const *) s.connect_command,
                         ((const char *const[]) { "/usr/sbin/pppd", "call", "my isp", "nodetach", NULL }));
        g_assert_cmpstrv((const char *const *) s.disconnect_command,
                         ((const char *const[]) { "/bin/sh", "-c", "poff -a", NULL }));
        g_assert_false(s.enabled);
        g_assert_true(s.persistent);
        g_assert_cmpuint(s.connect_timeout_sec, ==, 45);
        g_assert_cmpuint(s.disconnect_timeout_sec, ==, 4294967295u);
        settings_done(&s);
}

static void test_interface_defaults(Fixture *f, gconstpointer data) {
        Settings s = read_ok(f, "[Interface]\nDevice=eth1\n");

        g_assert_cmpstr(s.device, ==, "eth1");
        g_assert_null(s.connect_command);
        g_assert_null(s.disconnect_command);
        g_assert_true(s.enabled);
        g_assert_false(s.persistent);
        g_assert_cmpuint(s.connect_timeout_sec, ==, 20);
        g_assert_cmpuint(s.disconnect_timeout_sec, ==, 10);
        settings_done(&s);
}

static void test_interface_booleans(Fixture *f, gconstpointer data) {
        static const struct { const char *text; bool value; } cases[] = {
                { "yes", true }, { "no", false }, { "true", true }, { "false", false },
                { "1", true }, { "0", false }, { "YES", true }, { "False", false },
        };
        static const char *const bad[] = { "maybe", "", "2", "on", "off", "y", "yess", "-1", "\"yes\"" };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                char *text = g_strdup_printf("[Interface]\nDevice=eth1\nPersistent=%s\nEnabled=%s\n",
                                             cases[i].text, cases[i].text);
                Settings s = read_ok(f, text);
                g_assert_true(s.persistent == cases[i].value);
                g_assert_true(s.enabled == cases[i].value);
                settings_done(&s);
                g_free(text);
        }

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                char *text = g_strdup_printf("[Interface]\nDevice=eth1\n\n\nEnabled=%s\n", bad[i]);
                char *problem = g_strdup_printf("\"%s\" is not a boolean (use yes or no)", bad[i]);
                if (strchr(bad[i], '"')) {
                        g_free(problem);
                        problem = g_strdup("\"\\\"yes\\\"\" is not a boolean (use yes or no)");
                }
                read_fails(f, text, 5, problem);
                g_free(problem);
                g_free(text);
        }
}

static void test_interface_comments_whitespace(Fixture *f, gconstpointer data) {
        Settings s = read_ok(f,
                "# wan0: the DSL line\n"
                "; also a comment\n"
                "\n"
                "   \t\n"
                "  [Interface]   \n"
                "   # indented comment\n"
                "\tDevice   =   ppp0  \t\n"
                "Persistent\t=yes\r\n"
                "ConnectCommand =  pppd  call isp  \n"
                "ConnectTimeoutSec=  30\n");

        g_assert_cmpstr(s.device, ==, "ppp0");
        g_assert_true(s.persistent);
        g_assert_cmpstrv((const char *const *) s.connect_command,
                         ((const char *const[]) { "pppd", "call", "isp", NULL }));
        g_assert_cmpuint(s.connect_timeout_sec, ==, 30);
        settings_done(&s);

        /* '#' is not a comment inside a value: commands may need it. */
        s = read_ok(f, "[Interface]\nDevice=eth1\nConnectCommand=dial #5\n");
        g_assert_cmpstrv((const char *const *) s.connect_command, ((const char *const[]) { "dial", "#5", NULL }));
        settings_done(&s);

        /* No newline at the end of the file, and an empty file section. */
        s = read_ok(f, "[Interface]\n[Interface]\nDevice=eth1");
        g_assert_cmpstr(s.device, ==, "eth1");
        settings_done(&s);
}

static void test_interface_structure_errors(Fixture *f, gconstpointer data) {
        read_fails(f, "Device=ppp0\n[Interface]\n", 1,
                   "key \"Device\" before any section (put it under [Interface])");
        read_fails(f, "# c\n\n[Router]\nDevice=ppp0\n", 3, "unknown section \"[Router]\" (expected [Interface])");
        read_fails(f, "[Interface]\nDevice=ppp0\n[Match]\n", 3, "unknown section \"[Match]\" (expected [Interface])");
        read_fails(f, "[interface]\nDevice=ppp0\n", 1, "unknown section \"[interface]\" (expected [Interface])");
        read_fails(f, "[Interface\nDevice=ppp0\n", 1, "unknown section \"[Interface\" (expected [Interface])");
        read_fails(f, "[Interface]\nDevice=ppp0\nPersistent\n", 3,
                   "\"Persistent\" is not a [Section] or Key=value line");
        read_fails(f, "[Interface]\nDevice=ppp0\n = yes\n", 3, "missing key before '='");
        read_fails(f, "[Interface]\nDevice=ppp0\nDevcie=ppp1\n", 3, "unknown key \"Devcie\" in [Interface]");
        read_fails(f, "[Interface]\ndevice=ppp0\n", 2, "unknown key \"device\" in [Interface]");
        read_fails(f, "[Interface]\nDemandDial=yes\nDevice=ppp0\n", 2, "unknown key \"DemandDial\" in [Interface]");
}

/* What the file says is quoted in the message, never passed through raw. */
static void test_interface_hostile_text(Fixture *f, gconstpointer data) {
        read_fails(f, "[Interface]\nDevice=ppp0\nX\x1b[31m=1\n", 3, "unknown key \"X\\x1b[31m\" in [Interface]");
        read_fails(f, "[Interface]\nDevice=ppp0\nEnabled=a\"b\\c\n", 3,
                   "\"a\\\"b\\\\c\" is not a boolean (use yes or no)");

        /* Long text is cut. */
        GString *text = g_string_new("[Interface]\nDevice=ppp0\nEnabled=");
        for (int i = 0; i < 1000; i++)
                g_string_append_c(text, 'x');
        g_string_append_c(text, '\n');
        char *path = put(f, "interfaces/wan0.conf", text->str, -1);
        char *error = NULL;
        Settings s;
        g_assert_cmpint(config_read_interface(path, &s, &error), ==, -EINVAL);
        g_assert_cmpuint(strlen(error), <, strlen(path) + 200);
        g_assert_nonnull(strstr(error, "xxx\"... is not a boolean"));
        free(error);
        g_free(path);
        g_string_free(text, TRUE);

        /* A NUL byte inside the file. */
        static const char with_nul[] = "[Interface]\nDevice=ppp0\nEnabled=yes\0no\n";
        path = put(f, "interfaces/wan0.conf", with_nul, sizeof(with_nul) - 1);
        char *expected = g_strdup_printf("%s:3: contains a NUL byte", path);
        g_assert_cmpint(config_read_interface(path, &s, &error), ==, -EINVAL);
        g_assert_cmpstr(error, ==, expected);
        free(error);
        g_free(expected);
        g_free(path);
}

static void test_interface_duplicate_key(Fixture *f, gconstpointer data) {
        /* The last assignment wins, as in systemd's unit files. */
        Settings s = read_ok(f,
                "[Interface]\nDevice=ppp0\nDevice=ppp1\nEnabled=no\nEnabled=yes\n"
                "ConnectCommand=a b\nConnectCommand=c\nDisconnectCommand=x\nDisconnectCommand=\n");

        g_assert_cmpstr(s.device, ==, "ppp1");
        g_assert_true(s.enabled);
        g_assert_cmpstrv((const char *const *) s.connect_command, ((const char *const[]) { "c", NULL }));
        g_assert_null(s.disconnect_command);
        settings_done(&s);
}

static void test_interface_numbers(Fixture *f, gconstpointer data) {
        static const struct { const char *text; const char *problem; } bad[] = {
                { "-1", "is not a number (use a decimal number of seconds)" },
                { "+5", "is not a number (use a decimal number of seconds)" },
                { "", "is not a number (use a decimal number of seconds)" },
                { "abc", "is not a number (use a decimal number of seconds)" },
                { "5s", "is not a number (use a decimal number of seconds)" },
                { "0x10", "is not a number (use a decimal number of seconds)" },
                { "1.5", "is not a number (use a decimal number of seconds)" },
                { "1 2", "is not a number (use a decimal number of seconds)" },
                { "4294967296", "is too large (at most 4294967295)" },
                { "99999999999999999999999", "is too large (at most 4294967295)" },
                { "0", "must be at least 1" },
                { "000", "must be at least 1" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                for (int k = 0; k < 2; k++) {
                        const char *key = k ? "DisconnectTimeoutSec" : "ConnectTimeoutSec";
                        char *text = g_strdup_printf("[Interface]\nDevice=eth1\n%s=%s\n", key, bad[i].text);
                        char *problem = g_strdup_printf("\"%s\" %s", bad[i].text, bad[i].problem);
                        read_fails(f, text, 3, problem);
                        g_free(problem);
                        g_free(text);
                }

        /* RedialAttempts= takes 0 but not more than 32 bits either (found by
         * fuzz/fuzz-config.c: the file was skipped without line or problem). */
        read_fails(f, "[Interface]\nDevice=eth1\nRedialAttempts=4294967296\n", 3,
                   "\"4294967296\" is too large (at most 4294967295)");

        /* A command line wand could not write back in a file it reads
         * (found by tests/robustness: a long command vanished on restart). */
        {
                GString *text = g_string_new("[Interface]\nDevice=eth1\nConnectCommand=/bin/true");
                while (text->len < 17000)
                        g_string_append(text, " word");
                g_string_append(text, "\n");
                read_fails(f, text->str, 0, "ConnectCommand= is longer than 16384 bytes");
                g_string_free(text, TRUE);
        }

        Settings s = read_ok(f, "[Interface]\nDevice=eth1\nConnectTimeoutSec=007\nDisconnectTimeoutSec=1\n");
        g_assert_cmpuint(s.connect_timeout_sec, ==, 7);
        g_assert_cmpuint(s.disconnect_timeout_sec, ==, 1);
        settings_done(&s);
}

static void test_interface_device(Fixture *f, gconstpointer data) {
        const char *problem = "is not a valid device name (1-15 bytes, no '/', ':' or whitespace)";
        static const char *const bad[] = { "", "a/b", "eth0:1", "eth 0", "1234567890123456", ".", ".." };

        read_fails(f, "[Interface]\nEnabled=yes\n", 0, "Device= is missing");
        read_fails(f, "", 0, "Device= is missing");
        read_fails(f, "# only a comment\n", 0, "Device= is missing");

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                char *text = g_strdup_printf("[Interface]\nDevice=%s\n", bad[i]);
                char *p = g_strdup_printf("\"%s\" %s", bad[i], problem);
                read_fails(f, text, 2, p);
                g_free(p);
                g_free(text);
        }
}

static void test_interface_commands(Fixture *f, gconstpointer data) {
        Settings s = read_ok(f, "[Interface]\nDevice=eth1\nConnectCommand=\nDisconnectCommand=   \n");
        g_assert_null(s.connect_command);
        g_assert_null(s.disconnect_command);
        settings_done(&s);

        s = read_ok(f, "[Interface]\nDevice=eth1\nConnectCommand='' x\n");
        g_assert_cmpstrv((const char *const *) s.connect_command, ((const char *const[]) { "", "x", NULL }));
        settings_done(&s);

        read_fails(f, "[Interface]\nDevice=eth1\nConnectCommand=pppd 'call\n", 3,
                   "\"pppd 'call\" has an unterminated single quote");
        read_fails(f, "[Interface]\nDevice=eth1\nDisconnectCommand=a \"b\n", 3,
                   "\"a \\\"b\" has an unterminated double quote");
        read_fails(f, "[Interface]\nDevice=eth1\nConnectCommand=a\\\n", 3,
                   "\"a\\\\\" ends in a backslash that escapes nothing");
}

static void collect_log(const char *message, void *userdata) {
        g_ptr_array_add(userdata, g_strdup(message));
}

/* A command is published on the bus (GetSettings), whose strings must be
 * UTF-8: a file whose command is not is refused when it is read, with the
 * bytes escaped in the message, not later inside sd-bus. */
static void test_interface_commands_utf8(Fixture *f, gconstpointer data) {
        const char *problem = "is not valid UTF-8 (wand publishes commands on D-Bus, which carries only UTF-8); "
                              "save the file as UTF-8";
        static const struct { const char *line; const char *quoted; } bad[] = {
                { "ConnectCommand=pppd user caf\xe9", "\"pppd user caf\\xe9\"" },          /* Latin-1 */
                { "DisconnectCommand=kill \xff\xfe", "\"kill \\xff\\xfe\"" },
                { "ConnectCommand=a '\xc0\xaf'", "\"a '\\xc0\\xaf'\"" },               /* overlong '/' */
                { "ConnectCommand=x \xed\xa0\x80", "\"x \\xed\\xa0\\x80\"" },       /* a surrogate */
                { "ConnectCommand=x \xef\xbf\xbe", "\"x \\xef\\xbf\\xbe\"" },       /* U+FFFE */
                { "ConnectCommand=x \xf4\x90\x80\x80", "\"x \\xf4\\x90\\x80\\x80\"" }, /* past U+10FFFF */
                { "ConnectCommand=x \xe2\x82", "\"x \\xe2\\x82\"" },                 /* cut short */
        };

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                char *text = g_strdup_printf("[Interface]\nDevice=ppp0\n%s\n", bad[i].line);
                char *p = g_strdup_printf("%s %s", bad[i].quoted, problem);
                read_fails(f, text, 3, p);
                g_free(p);
                g_free(text);
        }

        /* UTF-8 is taken, C1 controls included, which D-Bus carries. */
        Settings s = read_ok(f, "[Interface]\nDevice=ppp0\nConnectCommand=pppd user 'caf\xc3\xa9 \xf0\x9f\x94\x91'\n"
                                "DisconnectCommand=x \xc2\x85\n");
        g_assert_cmpstrv((const char *const *) s.connect_command,
                         ((const char *const[]) { "pppd", "user", "caf\xc3\xa9 \xf0\x9f\x94\x91", NULL }));
        g_assert_cmpstrv((const char *const *) s.disconnect_command, ((const char *const[]) { "x", "\xc2\x85", NULL }));
        settings_done(&s);

        /* In a directory, the file is skipped with that line; the rest load. */
        char *path = put(f, "interfaces/bad.conf", "[Interface]\nDevice=ppp1\nConnectCommand=caf\xe9\n", -1);
        ConfigEntry *entries = NULL;
        size_t n = 0;
        GPtrArray *logged = g_ptr_array_new_with_free_func(g_free);
        g_assert_cmpint(config_read_interfaces(f->dir, &entries, &n, collect_log, logged), ==, 0);
        g_assert_cmpuint(n, ==, 1);
        g_assert_cmpstr(entries[0].name, ==, "wan0");
        config_entries_free(entries, n);
        g_assert_cmpuint(logged->len, ==, 1);
        char *expected = g_strdup_printf("%s:3: \"caf\\xe9\" %s; skipping the file", path, problem);
        g_assert_cmpstr(g_ptr_array_index(logged, 0), ==, expected);
        g_free(expected);
        g_ptr_array_unref(logged);
        g_free(path);
}

/* Bytes that are not UTF-8 are escaped in every message, which may go out on
 * the bus (an error reply) as they do to the journal. */
static void test_interface_not_utf8_quoted(Fixture *f, gconstpointer data) {
        read_fails(f, "[Interface]\nDevice=ppp0\nK\xe9y=1\n", 3, "unknown key \"K\\xe9y\" in [Interface]");
        read_fails(f, "[Interface]\nDevice=ppp0\nEnabled=\xc3\xa9\xc2\x9b\n", 3,
                   "\"\xc3\xa9\\xc2\\x9b\" is not a boolean (use yes or no)");
        read_fails(f, "[\xff]\n", 1, "unknown section \"[\\xff]\" (expected [Interface])");
}

static void test_interface_not_a_file(Fixture *f, gconstpointer data) {
        char *path = g_build_filename(f->idir, "x.conf", NULL);
        char *error = NULL;
        Settings s;

        g_assert_cmpint(config_read_interface(path, &s, &error), ==, -ENOENT);
        g_assert_nonnull(strstr(error, path));
        free(error);

        g_assert_cmpint(g_mkdir_with_parents(path, 0755), ==, 0);
        g_assert_cmpint(config_read_interface(path, &s, &error), ==, -EISDIR);
        g_assert_nonnull(strstr(error, path));
        free(error);
        g_assert_cmpint(g_rmdir(path), ==, 0);

        /* A FIFO must be refused, not block the daemon. */
        g_assert_cmpint(mkfifo(path, 0644), ==, 0);
        g_assert_cmpint(config_read_interface(path, &s, &error), <, 0);
        g_assert_nonnull(strstr(error, "not a regular file"));
        free(error);
        g_assert_cmpint(g_unlink(path), ==, 0);
        g_free(path);

        /* 64 KiB is the limit; a comment makes any size easy to build. */
        GString *text = g_string_new("[Interface]\nDevice=ppp0\n#");
        while (text->len < 64 * 1024 - 1)
                g_string_append_c(text, 'x');
        g_string_append_c(text, '\n');
        path = put(f, "interfaces/big.conf", text->str, (gssize) text->len);
        g_assert_cmpint(config_read_interface(path, &s, &error), ==, 0);
        settings_done(&s);
        g_free(path);

        g_string_append_c(text, '\n');
        path = put(f, "interfaces/big.conf", text->str, (gssize) text->len);
        g_assert_cmpint(config_read_interface(path, &s, &error), ==, -EFBIG);
        g_assert_true(g_str_has_prefix(error, path));
        g_assert_nonnull(strstr(error, "64 KiB"));
        free(error);
        g_free(path);
        g_string_free(text, TRUE);

        /* Symlinks are followed. */
        path = put(f, "elsewhere.conf", "[Interface]\nDevice=ppp0\n", -1);
        char *link = g_build_filename(f->idir, "link.conf", NULL);
        g_assert_cmpint(symlink(path, link), ==, 0);
        g_assert_cmpint(config_read_interface(link, &s, &error), ==, 0);
        g_assert_cmpstr(s.device, ==, "ppp0");
        settings_done(&s);
        g_free(link);
        g_free(path);
}

static void test_main(Fixture *f, gconstpointer data) {
        ConfigMain m = { .demand_dial = false };
        char *error = NULL, *path, *expected;

        /* No wand.conf: the defaults. */
        g_assert_cmpint(config_read_main(f->dir, &m, &error), ==, 0);
        g_assert_true(m.demand_dial);
        g_assert_cmpuint(m.bus_max_message_size, ==, 32 * 1024 * 1024);
        g_assert_null(error);

        path = put(f, "wand.conf", "# wand\n[Router]\nDemandDial = no\n", -1);
        g_assert_cmpint(config_read_main(f->dir, &m, &error), ==, 0);
        g_assert_false(m.demand_dial);
        g_assert_cmpuint(m.bus_max_message_size, ==, 32 * 1024 * 1024);
        g_assert_null(error);

        static const struct { const char *value; guint64 bytes; } sizes[] = {
                { "4096", 4096 }, { "64K", 64 * 1024 }, { "128M", 128 * 1024 * 1024 }, { "33554432", 33554432 },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
                g_autofree char *text = g_strdup_printf("[Router]\nBusMaxMessageSize=%s\n", sizes[i].value);

                g_free(put(f, "wand.conf", text, -1));
                g_assert_cmpint(config_read_main(f->dir, &m, &error), ==, 0);
                g_assert_cmpuint(m.bus_max_message_size, ==, sizes[i].bytes);
                g_assert_true(m.demand_dial);
        }

        g_free(put(f, "wand.conf", "[Router]\n", -1));
        g_assert_cmpint(config_read_main(f->dir, &m, &error), ==, 0);
        g_assert_true(m.demand_dial);

        static const struct { const char *text; unsigned line; const char *problem; } bad[] = {
                { "[Router]\nDemandDial=maybe\n", 2, "\"maybe\" is not a boolean (use yes or no)" },
                { "[Router]\nDemandDail=yes\n", 2, "unknown key \"DemandDail\" in [Router]" },
#define NOT_A_SIZE "is not a size from 4K to 128M (bytes, or a number with K, M or G)"
                { "[Router]\nBusMaxMessageSize=4095\n", 2, "\"4095\" " NOT_A_SIZE },
                { "[Router]\nBusMaxMessageSize=129M\n", 2, "\"129M\" " NOT_A_SIZE },
                { "[Router]\nBusMaxMessageSize=1G\n", 2, "\"1G\" " NOT_A_SIZE },
                { "[Router]\nBusMaxMessageSize=64KB\n", 2, "\"64KB\" " NOT_A_SIZE },
                { "[Router]\nBusMaxMessageSize=-1\n", 2, "\"-1\" " NOT_A_SIZE },
                { "[Router]\nBusMaxMessageSize=\n", 2, "\"\" " NOT_A_SIZE },
                { "[Router]\nBusMaxMessageSize=99999999999999999999999\n", 2,
                  "\"99999999999999999999999\" " NOT_A_SIZE },
                { "[Router]\nDevice=ppp0\n", 2, "unknown key \"Device\" in [Router]" },
                { "[Interface]\nDemandDial=yes\n", 1, "unknown section \"[Interface]\" (expected [Router])" },
                { "DemandDial=yes\n", 1, "key \"DemandDial\" before any section (put it under [Router])" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_free(put(f, "wand.conf", bad[i].text, -1));
                expected = g_strdup_printf("%s:%u: %s", path, bad[i].line, bad[i].problem);
                g_assert_cmpint(config_read_main(f->dir, &m, &error), ==, -EINVAL);
                g_assert_cmpstr(error, ==, expected);
                free(error);
                g_free(expected);
        }
        g_free(path);
}

static bool log_has(GPtrArray *log, const char *a, const char *b) {
        for (size_t i = 0; i < log->len; i++)
                if (strstr(log->pdata[i], a) && strstr(log->pdata[i], b))
                        return true;
        return false;
}

static void test_read_interfaces(Fixture *f, gconstpointer data) {
        GPtrArray *log = g_ptr_array_new_with_free_func(g_free);
        ConfigEntry *entries = NULL;
        size_t n = 99;

        /* No interfaces/ at all. */
        g_assert_cmpint(config_read_interfaces(f->dir, &entries, &n, collect_log, log), ==, 0);
        g_assert_cmpuint(n, ==, 0);
        config_entries_free(entries, n);

        g_free(put(f, "interfaces/zeta.conf", "[Interface]\nDevice=ppp9\n", -1));
        g_free(put(f, "interfaces/broken.conf", "[Interface]\nDevice=ppp0\nEnabeld=yes\n", -1));
        g_free(put(f, "interfaces/alpha.conf", "[Interface]\nDevice=eth1\nEnabled=no\n", -1));
        g_free(put(f, "interfaces/site-b.conf", "[Interface]\nDevice=tun-site\n", -1));
        g_free(put(f, "interfaces/nodevice.conf", "[Interface]\n", -1));
        g_free(put(f, "interfaces/bad name.conf", "[Interface]\nDevice=ppp1\n", -1));
        g_free(put(f, "interfaces/-opt.conf", "[Interface]\nDevice=ppp1\n", -1));
        g_free(put(f, "interfaces/new\nline.conf", "[Interface]\nDevice=ppp1\n", -1));
        /* Ignored silently: hidden, temporary, other suffixes. */
        g_free(put(f, "interfaces/.hidden.conf", "[Interface]\nDevice=ppp1\n", -1));
        g_free(put(f, "interfaces/.alpha.conf.Ab12Cd", "[Interface]\nDevice=ppp1\n", -1));
        g_free(put(f, "interfaces/notes.txt", "garbage", -1));
        g_free(put(f, "interfaces/alpha.conf.bak", "garbage", -1));
        g_free(put(f, "interfaces/.conf", "garbage", -1));
        char *dir = g_build_filename(f->idir, "adir.conf", NULL);
        g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
        g_free(dir);

        g_assert_cmpint(config_read_interfaces(f->dir, &entries, &n, collect_log, log), ==, 0);
        g_assert_cmpuint(n, ==, 3);
        g_assert_cmpstr(entries[0].name, ==, "alpha");
        g_assert_cmpstr(entries[0].settings.device, ==, "eth1");
        g_assert_false(entries[0].settings.enabled);
        g_assert_cmpstr(entries[1].name, ==, "site-b");
        g_assert_cmpstr(entries[1].settings.device, ==, "tun-site");
        g_assert_cmpstr(entries[2].name, ==, "zeta");
        g_assert_cmpstr(entries[2].settings.device, ==, "ppp9");
        config_entries_free(entries, n);

        for (size_t i = 0; i < log->len; i++)
                g_test_message("log: %s", (char *) log->pdata[i]);
        g_assert_cmpuint(log->len, ==, 6);
        g_assert_true(log_has(log, "/interfaces/broken.conf:3: ", "unknown key \"Enabeld\""));
        g_assert_true(log_has(log, "/interfaces/nodevice.conf:0: ", "Device= is missing"));
        g_assert_true(log_has(log, "/interfaces: skipping \"bad name.conf\": ", "not a valid interface name"));
        g_assert_true(log_has(log, "/interfaces: skipping \"-opt.conf\": ", "not a valid interface name"));
        g_assert_true(log_has(log, "/interfaces: skipping \"new\\x0aline.conf\": ", "not a valid interface name"));
        g_assert_true(log_has(log, "/interfaces/adir.conf", "directory"));

        /* No log function is fine too. */
        g_assert_cmpint(config_read_interfaces(f->dir, &entries, &n, NULL, NULL), ==, 0);
        g_assert_cmpuint(n, ==, 3);
        config_entries_free(entries, n);

        g_ptr_array_unref(log);
}

/* What was not loaded, and why, for RefusedFiles: every file that exists
 * but was skipped, sorted by path, the problem without the path. A file that
 * is gone by the time it is read (here: a dangling link) is not refused. */
static void test_read_interfaces_refused(Fixture *f, gconstpointer data) {
        ConfigEntry *entries = NULL;
        ConfigRefused *refused = NULL;
        size_t n = 0, n_refused = 99;
        char *path, *dangling;

        g_assert_cmpint(config_read_interfaces_full(f->dir, &entries, &n, &refused, &n_refused, NULL, NULL), ==, 0);
        g_assert_cmpuint(n, ==, 0);
        g_assert_cmpuint(n_refused, ==, 0);

        g_free(put(f, "interfaces/good.conf", "[Interface]\nDevice=eth1\n", -1));
        g_free(put(f, "interfaces/broken.conf", "[Interface]\nDevice=ppp0\nEnabeld=yes\n", -1));
        g_free(put(f, "interfaces/nodevice.conf", "[Interface]\n", -1));
        g_free(put(f, "interfaces/bad name.conf", "[Interface]\nDevice=ppp1\n", -1));
        g_free(put(f, "interfaces/.hidden.conf", "[Interface]\nDevice=ppp1\n", -1));
        path = g_build_filename(f->idir, "adir.conf", NULL);
        g_assert_cmpint(g_mkdir(path, 0755), ==, 0);
        g_free(path);
        dangling = g_build_filename(f->idir, "gone.conf", NULL);
        g_assert_cmpint(symlink("/nonexistent/wand-test", dangling), ==, 0);

        g_assert_cmpint(config_read_interfaces_full(f->dir, &entries, &n, &refused, &n_refused, NULL, NULL), ==, 0);
        g_assert_cmpuint(n, ==, 1);
        g_assert_cmpstr(entries[0].name, ==, "good");
        for (size_t i = 0; i < n_refused; i++)
                g_test_message("refused: %s (%s): %s", refused[i].file, refused[i].name ?: "-", refused[i].why);
        g_assert_cmpuint(n_refused, ==, 4);
        g_assert_true(g_str_has_suffix(refused[0].file, "/interfaces/\"bad name.conf\""));
        g_assert_null(refused[0].name);
        g_assert_true(g_str_has_prefix(refused[0].why, "the name is not a valid interface name"));
        g_assert_true(g_str_has_suffix(refused[1].file, "/interfaces/adir.conf"));
        g_assert_cmpstr(refused[1].name, ==, "adir");
        g_assert_cmpstr(refused[1].why, ==, "is a directory, not a file");
        g_assert_true(g_str_has_suffix(refused[2].file, "/interfaces/broken.conf"));
        g_assert_cmpstr(refused[2].name, ==, "broken");
        g_assert_cmpstr(refused[2].why, ==, "line 3: unknown key \"Enabeld\" in [Interface]");
        g_assert_cmpstr(refused[3].name, ==, "nodevice");
        g_assert_cmpstr(refused[3].why, ==, "Device= is missing");
        config_entries_free(entries, n);
        config_refused_free(refused, n_refused);
        g_assert_cmpint(unlink(dangling), ==, 0);
        g_free(dangling);
}

static void settings_full(Settings *s) {
        settings_init(s);
        s->device = strdup("ppp0");
        s->connect_command = strv_copy((char *const[]) {
                "/usr/sbin/pppd", "call", "my isp", "", "it's", "$HOME", "#x", "a\"b\\c", "\t", NULL });
        s->disconnect_command = strv_copy((char *const[]) { "poff", "-a", NULL });
        s->enabled = false;
        s->persistent = true;
        s->connect_timeout_sec = 1;
        s->disconnect_timeout_sec = 4294967295u;
}

static void assert_no_temp_files(Fixture *f) {
        GDir *d = g_dir_open(f->idir, 0, NULL);
        const char *name;

        if (!d)
                return;
        while ((name = g_dir_read_name(d)))
                if (name[0] == '.')
                        g_error("temporary file %s left behind", name);
        g_dir_close(d);
}

static mode_t current_umask(void) {
        mode_t m = umask(0);

        umask(m);
        return m;
}

static void test_write_round_trip(Fixture *f, gconstpointer data) {
        char *path = config_interface_path(f->dir, "site-b");
        char *expected_path = g_build_filename(f->dir, "interfaces", "site-b.conf", NULL);
        char *error = NULL, *text = NULL;
        Settings s, back;
        struct stat st;

        g_assert_cmpstr(path, ==, expected_path);
        g_free(expected_path);

        /* interfaces/ does not exist yet: it is created, 0750, and the file
         * is 0600: its command may hold a password. */
        settings_full(&s);
        g_assert_cmpint(config_write_interface(f->dir, "site-b", &s), ==, 0);
        g_assert_cmpint(stat(path, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0600);
        g_assert_cmpint(stat(f->idir, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0750 & ~current_umask());
        g_assert_cmpint(config_read_interface(path, &back, &error), ==, 0);
        g_assert_true(settings_equal(&s, &back));
        settings_done(&back);
        settings_done(&s);
        assert_no_temp_files(f);

        /* Defaults are not written; replacing the file works. */
        settings_init(&s);
        s.device = strdup("eth1");
        g_assert_cmpint(config_write_interface(f->dir, "site-b", &s), ==, 0);
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "[Interface]\nDevice=eth1\n"));
        g_assert_null(strstr(text, "Enabled"));
        g_assert_null(strstr(text, "Command"));
        g_assert_null(strstr(text, "Sec="));
        g_free(text);
        g_assert_cmpint(config_read_interface(path, &back, &error), ==, 0);
        g_assert_true(settings_equal(&s, &back));
        settings_done(&back);

        /* An empty command is no command. */
        s.connect_command = calloc(1, sizeof(char *));
        g_assert_cmpint(config_write_interface(f->dir, "site-b", &s), ==, 0);
        g_assert_cmpint(config_read_interface(path, &back, &error), ==, 0);
        g_assert_null(back.connect_command);
        g_assert_true(settings_equal(&s, &back));
        settings_done(&back);
        settings_done(&s);
        assert_no_temp_files(f);
        g_free(path);
}

static void test_write_invalid(Fixture *f, gconstpointer data) {
        Settings s;

        settings_init(&s);
        g_assert_cmpint(config_write_interface(f->dir, "wan0", &s), ==, -EINVAL);
        s.device = strdup("ppp0");
        g_assert_cmpint(config_write_interface(f->dir, "../wan0", &s), ==, -EINVAL);
        g_assert_cmpint(config_write_interface(f->dir, ".wan0", &s), ==, -EINVAL);
        g_assert_cmpint(config_write_interface(f->dir, "", &s), ==, -EINVAL);

        /* A line break could not be written on the one line a key has. */
        s.connect_command = strv_copy((char *const[]) { "sh", "-c", "a\nb", NULL });
        g_assert_cmpint(config_write_interface(f->dir, "wan0", &s), ==, -EINVAL);
        settings_done(&s);
        g_assert_false(g_file_test(f->idir, G_FILE_TEST_EXISTS));
}

/* Root ignores file modes; lower CAP_DAC_OVERRIDE so a read-only directory
 * is read-only for this process too. Returns whether it was in effect. */
static bool set_dac_override(bool on) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2];
        const uint32_t mask = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_FOWNER);
        bool was;

        if (syscall(SYS_capget, &h, d) < 0)
                return false;
        was = d[0].effective & mask;
        if (on)
                d[0].effective |= d[0].permitted & mask;
        else
                d[0].effective &= ~mask;
        g_assert_cmpint(syscall(SYS_capset, &h, d), ==, 0);
        return was;
}

static void test_write_read_only(Fixture *f, gconstpointer data) {
        char *path = config_interface_path(f->dir, "wan0");
        Settings s;
        bool had;
        int r;

        settings_init(&s);
        s.device = strdup("ppp0");
        g_assert_cmpint(config_write_interface(f->dir, "wan0", &s), ==, 0);
        free(s.device);
        s.device = strdup("ppp1");

        g_assert_cmpint(g_chmod(f->idir, 0555), ==, 0);
        had = set_dac_override(false);
        r = config_write_interface(f->dir, "wan0", &s);
        g_assert_cmpint(config_write_interface(f->dir, "wan1", &s), ==, -EACCES);
        g_assert_cmpint(config_remove_interface(f->dir, "wan0"), ==, -EACCES);
        if (had)
                set_dac_override(true);
        g_assert_cmpint(g_chmod(f->idir, 0755), ==, 0);
        g_assert_cmpint(r, ==, -EACCES);

        /* The old file is untouched, and no temporary file is left. */
        char *error = NULL;
        Settings back;
        g_assert_cmpint(config_read_interface(path, &back, &error), ==, 0);
        g_assert_cmpstr(back.device, ==, "ppp0");
        settings_done(&back);
        assert_no_temp_files(f);

        /* A failure after the temporary file exists: the rename. */
        char *dir = config_interface_path(f->dir, "blocked");
        g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
        g_free(put(f, "interfaces/blocked.conf/keep", "x", -1));
        r = config_write_interface(f->dir, "blocked", &s);
        g_assert_cmpint(r, <, 0);
        g_assert_true(r == -EISDIR || r == -ENOTEMPTY || r == -EEXIST);
        assert_no_temp_files(f);
        g_free(dir);

        /* The configuration directory itself is created when missing (no
         * systemd ConfigurationDirectory= made it), but not its parents. */
        char *fresh = g_build_filename(f->dir, "fresh", NULL);
        struct stat st;
        g_assert_cmpint(config_write_interface(fresh, "wan0", &s), ==, 0);
        g_assert_true(g_file_test(fresh, G_FILE_TEST_IS_DIR));
        g_assert_cmpint(stat(fresh, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0750 & ~current_umask());
        g_free(fresh);
        char *gone = g_build_filename(f->dir, "missing", "deeper", NULL);
        g_assert_cmpint(config_write_interface(gone, "wan0", &s), ==, -ENOENT);
        g_free(gone);

        settings_done(&s);
        g_free(path);
}

static void test_remove(Fixture *f, gconstpointer data) {
        char *path = config_interface_path(f->dir, "wan0");
        Settings s;

        /* Neither the file nor interfaces/ exist: no error. */
        g_assert_cmpint(config_remove_interface(f->dir, "wan0"), ==, 0);

        settings_init(&s);
        s.device = strdup("ppp0");
        g_assert_cmpint(config_write_interface(f->dir, "wan0", &s), ==, 0);
        g_assert_cmpint(config_write_interface(f->dir, "wan1", &s), ==, 0);
        settings_done(&s);
        g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

        g_assert_cmpint(config_remove_interface(f->dir, "wan0"), ==, 0);
        g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
        g_assert_cmpint(config_remove_interface(f->dir, "wan0"), ==, 0);
        g_assert_cmpint(config_remove_interface(f->dir, "../wan1"), ==, -EINVAL);

        ConfigEntry *entries;
        size_t n;
        g_assert_cmpint(config_read_interfaces(f->dir, &entries, &n, NULL, NULL), ==, 0);
        g_assert_cmpuint(n, ==, 1);
        g_assert_cmpstr(entries[0].name, ==, "wan1");
        config_entries_free(entries, n);
        g_free(path);
}

/* StrictModes: a file with a command loads only when nobody but root can
 * change it or any directory on the way to it, through links too. The
 * fixture's directory is root's 0700 in /tmp (root's, sticky). */

#define COMMAND_FILE "[Interface]\nDevice=ppp0\nConnectCommand=/usr/sbin/pppd call isp\n"

static void command_loads(const char *path) {
        char *error = NULL;
        Settings s;

        if (config_read_interface(path, &s, &error) < 0)
                g_error("%s refused: %s", path, error);
        settings_done(&s);
}

/* Refused, and the message names the directory (or link) to fix. */
static void command_refused(const char *path, const char *culprit) {
        char *error = NULL;
        Settings s;

        g_assert_cmpint(config_read_interface(path, &s, &error), ==, -EPERM);
        g_test_message("%s", error);
        g_assert_true(g_str_has_prefix(error, path));
        g_assert_nonnull(strstr(error, "refusing ConnectCommand="));
        g_assert_nonnull(strstr(error, culprit));
        free(error);
}

static bool need_root(void) {
        if (geteuid() == 0)
                return true;
        g_test_skip("needs root to give files to other users");
        return false;
}

static void test_strict_ancestors(Fixture *f, gconstpointer data) {
        char *path = put(f, "interfaces/wan0.conf", COMMAND_FILE, -1);
        char *culprit = g_strdup_printf("the directory %s on the way", f->dir);

        if (!need_root())
                goto out;
        command_loads(path);

        /* Not only the file's own directory: every one up to /. */
        g_assert_cmpint(chmod(f->dir, 0777), ==, 0);
        command_refused(path, culprit);
        g_assert_cmpint(chmod(f->dir, 0770), ==, 0);
        command_refused(path, culprit);
        g_assert_cmpint(chmod(f->dir, 0755), ==, 0);
        g_assert_cmpint(chown(f->dir, 65534, 0), ==, 0);
        command_refused(path, culprit);
        g_assert_cmpint(chown(f->dir, 0, 0), ==, 0);
        command_loads(path);

        /* Sticky like /tmp: others can replace only their own entries, and
         * the ones on the way are root's. */
        g_assert_cmpint(chmod(f->dir, 01777), ==, 0);
        command_loads(path);
        g_assert_cmpint(chmod(f->dir, 0700), ==, 0);

        /* "." and ".." are walked like the kernel does. */
        char *dotted = g_strdup_printf("%s/./interfaces/../interfaces/wan0.conf", f->dir);
        command_loads(dotted);
        g_free(dotted);
out:
        g_free(culprit);
        g_free(path);
}

static void test_strict_symlinks(Fixture *f, gconstpointer data) {
        char *target = put(f, "unsafe/real/wan0.conf", COMMAND_FILE, -1);
        char *unsafe = g_build_filename(f->dir, "unsafe", NULL);
        char *link = g_build_filename(f->idir, "wan0.conf", NULL);
        char *culprit = g_strdup_printf("the directory %s on the way", unsafe);

        if (!need_root())
                goto out;
        g_assert_cmpint(g_mkdir(f->idir, 0755), ==, 0);
        g_assert_cmpint(symlink(target, link), ==, 0);
        command_loads(link);

        /* A linked file: the directories of where it points count too, not
         * only the file and the link's directory. */
        g_assert_cmpint(chmod(unsafe, 0777), ==, 0);
        command_refused(link, culprit);

        /* A relative link, and a link to a directory on the way. */
        g_assert_cmpint(g_unlink(link), ==, 0);
        g_assert_cmpint(symlink("../unsafe/real/wan0.conf", link), ==, 0);
        command_refused(link, culprit);
        char *dirlink = g_build_filename(f->dir, "cfg", NULL);
        char *via = g_build_filename(dirlink, "wan0.conf", NULL);
        g_assert_cmpint(symlink("unsafe/real", dirlink), ==, 0);
        command_refused(via, culprit);
        g_assert_cmpint(chmod(unsafe, 0755), ==, 0);
        command_loads(link);
        command_loads(via);

        /* In a sticky directory others can write to, a link must be root's:
         * its owner could point it elsewhere. */
        g_assert_cmpint(chmod(f->dir, 01777), ==, 0);
        command_loads(via);
        g_assert_cmpint(lchown(dirlink, 65534, 65534), ==, 0);
        char *link_culprit = g_strdup_printf("the symbolic link %s on the way", dirlink);
        command_refused(via, link_culprit);
        g_free(link_culprit);
        g_assert_cmpint(chmod(f->dir, 0700), ==, 0);
        command_loads(via); /* only root can change the directory it is in */

        /* A link that cannot be followed by name cannot be checked. */
        int fd = open(target, O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(unlink(target), ==, 0);
        char *magic = g_strdup_printf("/proc/self/fd/%d", fd);
        command_refused(magic, "cannot check");
        g_free(magic);
        close(fd);
        g_free(via);
        g_free(dirlink);
out:
        g_free(culprit);
        g_free(link);
        g_free(unsafe);
        g_free(target);
}

/* SetEnabled changes the file as it is on disk, one key only. */

static char *read_text(const char *path) {
        char *text = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        return text;
}

/* Sets Enabled= in interfaces/wan0.conf holding before; it must then hold
 * exactly after and load with Enabled= as set. */
static void set_enabled_gives(Fixture *f, const char *before, bool enabled, const char *after) {
        char *path = put(f, "interfaces/wan0.conf", before, -1);
        char *error = NULL, *text;
        Settings s;

        g_assert_cmpint(config_set_interface_enabled(f->dir, "wan0", enabled, &error), ==, 0);
        g_assert_null(error);
        text = read_text(path);
        g_assert_cmpstr(text, ==, after);
        g_assert_cmpint(config_read_interface(path, &s, &error), ==, 0);
        g_assert_cmpint(s.enabled, ==, enabled);
        settings_done(&s);
        assert_no_temp_files(f);
        g_free(text);
        g_free(path);
}

static void test_set_enabled_lines(Fixture *f, gconstpointer data) {
        /* Comments, blanks, order and spelling stay; only the value changes. */
        set_enabled_gives(f,
                "; my uplink, see ticket 42\n"
                "[Interface]\n"
                "  # the modem\n"
                "Device = ppp0\n"
                "\n"
                "  Enabled =  yes   \n"
                "ConnectTimeoutSec=45 \n",
                false,
                "; my uplink, see ticket 42\n"
                "[Interface]\n"
                "  # the modem\n"
                "Device = ppp0\n"
                "\n"
                "  Enabled =  no   \n"
                "ConnectTimeoutSec=45 \n");

        /* Absent: added after the last key of [Interface], not after the
         * comment that follows it. */
        set_enabled_gives(f, "[Interface]\nDevice=ppp0\nPersistent=yes\n# end\n", false,
                          "[Interface]\nDevice=ppp0\nPersistent=yes\nEnabled=no\n# end\n");
        /* … in the file's line endings, also on a last line without one. */
        set_enabled_gives(f, "[Interface]\r\nDevice=ppp0\r\n\r\n", false,
                          "[Interface]\r\nDevice=ppp0\r\nEnabled=no\r\n\r\n");
        set_enabled_gives(f, "[Interface]\nDevice=ppp0", false, "[Interface]\nDevice=ppp0\nEnabled=no");
        /* (found by fuzz-config-set-enabled: the last line's '\r' was doubled) */
        set_enabled_gives(f, "[Interface]\r\nDevice=ppp0\r", false, "[Interface]\r\nDevice=ppp0\r\nEnabled=no");
        /* … and in the last [Interface] of several. */
        set_enabled_gives(f, "[Interface]\nDevice=ppp0\n\n[Interface]\n# more\n", false,
                          "[Interface]\nDevice=ppp0\n\n[Interface]\nEnabled=no\n# more\n");

        /* Given twice, the last one wins: both say the new value, so the
         * earlier one cannot mislead a reader either. */
        set_enabled_gives(f, "[Interface]\nEnabled=no\nDevice=ppp0\nEnabled=no\n", true,
                          "[Interface]\nEnabled=yes\nDevice=ppp0\nEnabled=yes\n");

        /* Commented out, or in a comment's text: not the key. */
        set_enabled_gives(f, "[Interface]\n#Enabled=yes\n; Enabled=yes\nDevice=ppp0\n", false,
                          "[Interface]\n#Enabled=yes\n; Enabled=yes\nDevice=ppp0\nEnabled=no\n");

        /* Enabling a file without the key: it is enabled already, unchanged. */
        set_enabled_gives(f, "# x\n[Interface]\nDevice=ppp0\n", true, "# x\n[Interface]\nDevice=ppp0\n");
        set_enabled_gives(f, "[Interface]\nDevice=ppp0\nEnabled=0\n", true, "[Interface]\nDevice=ppp0\nEnabled=yes\n");
}

static void test_set_enabled_keeps_file(Fixture *f, gconstpointer data) {
        const char *text = "# pppd with the provider's password in the command\n"
                           "[Interface]\nDevice=ppp0\nConnectCommand=pppd call isp password s3cret\n";
        char *path = put(f, "interfaces/wan0.conf", text, -1);
        struct stat st;
        bool root = geteuid() == 0;

        /* A private file, and (as root) a group to keep. */
        g_assert_cmpint(chmod(path, 0640), ==, 0);
        if (root)
                g_assert_cmpint(chown(path, 0, 4242), ==, 0);
        g_assert_cmpint(config_set_interface_enabled(f->dir, "wan0", false, NULL), ==, 0);
        g_assert_cmpint(lstat(path, &st), ==, 0);
        g_assert_true(S_ISREG(st.st_mode));
        g_assert_cmpuint(st.st_mode & 07777, ==, 0640);
        if (root)
                g_assert_cmpuint(st.st_gid, ==, 4242);
        else
                g_test_message("not root: the group is not checked");

        char *back = read_text(path);
        char *expected = g_strconcat(text, "Enabled=no\n", NULL);
        g_assert_cmpstr(back, ==, expected);
        g_free(expected);
        g_free(back);
        assert_no_temp_files(f);
        g_free(path);
}

static void collect_message(const char *message, void *userdata) {
        g_ptr_array_add(userdata, g_strdup(message));
}

/* A write killed between creating its temporary file and renaming it leaves
 * ".<name>.conf.XXXXXX", possibly with a command in it. Start-up removes
 * exactly those, and nothing else of the administrator's. */
static void test_remove_temporaries(Fixture *f, gconstpointer data) {
        const char *text = "[Interface]\nDevice=ppp0\nConnectCommand=pppd call isp password s3cret\n";
        const char *kept[] = {
                "interfaces/wan0.conf",        /* the interface's file itself */
                "interfaces/.wan0.conf.swp",   /* an editor's, not six characters */
                "interfaces/.wan0.conf.ab-12x", /* not alphanumeric */
                "interfaces/..conf.abc123",    /* no valid interface name */
                "interfaces/notes.conf.abc123", /* not hidden */
        };
        g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *dir_like = NULL, *link = NULL;
        char *temp = put(f, "interfaces/.wan0.conf.Ab3xYz", text, -1);
        char *temp2 = put(f, "interfaces/.site-b.conf.000000", text, -1);

        for (size_t k = 0; k < G_N_ELEMENTS(kept); k++)
                g_free(put(f, kept[k], text, -1));
        /* A directory and a link of the right shape are not regular files. */
        dir_like = g_build_filename(f->idir, ".dsl.conf.q1w2e3", NULL);
        g_assert_cmpint(g_mkdir(dir_like, 0700), ==, 0);
        link = g_build_filename(f->idir, ".lnk.conf.q1w2e3", NULL);
        g_assert_cmpint(symlink("/etc/passwd", link), ==, 0);

        g_assert_cmpint(config_remove_temporaries(f->dir, collect_message, messages), ==, 2);
        g_assert_false(g_file_test(temp, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(temp2, G_FILE_TEST_EXISTS));
        for (size_t k = 0; k < G_N_ELEMENTS(kept); k++) {
                g_autofree char *path = g_build_filename(f->dir, kept[k], NULL);
                g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
        }
        g_assert_true(g_file_test(dir_like, G_FILE_TEST_IS_DIR));
        g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
        g_assert_cmpuint(messages->len, ==, 2);
        for (guint k = 0; k < messages->len; k++)
                g_assert_nonnull(strstr(g_ptr_array_index(messages, k), "left behind by a write"));
        g_assert_cmpint(rmdir(dir_like), ==, 0);
        g_assert_cmpint(unlink(link), ==, 0);
        g_free(temp);
        g_free(temp2);
}

/* UpdateSettings rewrites the file in the mode and owner the administrator
 * chose, looser or narrower than wand's own 0600; a file wand made stays
 * 0600. */
static void test_update_keeps_mode(Fixture *f, gconstpointer data) {
        static const mode_t modes[] = { 0644, 0640, 0400, 0600 };
        bool root = geteuid() == 0;
        Settings old, new;
        struct stat st;

        settings_init(&old);
        old.device = strdup("ppp0");
        settings_init(&new);
        new.device = strdup("ppp0");
        new.connect_command = strv_copy((char *const[]) { "pppd", "call", "isp", NULL });
        for (size_t k = 0; k < G_N_ELEMENTS(modes); k++) {
                char *path = put(f, "interfaces/wan0.conf", "[Interface]\nDevice=ppp0\n", -1);

                g_assert_cmpint(chmod(path, modes[k]), ==, 0);
                if (root)
                        g_assert_cmpint(chown(path, 0, 4242), ==, 0);
                g_assert_cmpint(config_update_interface(f->dir, "wan0", &old, &new, NULL), ==, 0);
                g_assert_cmpint(lstat(path, &st), ==, 0);
                g_assert_cmpuint(st.st_mode & 07777, ==, modes[k]);
                if (root)
                        g_assert_cmpuint(st.st_gid, ==, 4242);
                char *text = read_text(path);
                g_assert_cmpstr(text, ==, "[Interface]\nDevice=ppp0\nConnectCommand=pppd call isp\n");
                g_free(text);
                g_free(path);
        }
        assert_no_temp_files(f);

        /* Made by wand (CreateInterface), then edited: still 0600. */
        char *path = config_interface_path(f->dir, "wan1");
        g_assert_cmpint(config_write_interface(f->dir, "wan1", &old), ==, 0);
        g_assert_cmpint(config_update_interface(f->dir, "wan1", &old, &new, NULL), ==, 0);
        g_assert_cmpint(config_set_interface_enabled(f->dir, "wan1", false, NULL), ==, 0);
        g_assert_cmpint(lstat(path, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0600);
        g_free(path);
        settings_done(&old);
        settings_done(&new);
}

static void test_set_enabled_refused(Fixture *f, gconstpointer data) {
        char *target = put(f, "elsewhere.conf", "[Interface]\nDevice=ppp0\n", -1);
        char *link = g_build_filename(f->idir, "link.conf", NULL);
        char *error = NULL, *text;
        struct stat st;

        /* A symlink: neither written through nor replaced by a file. */
        g_assert_cmpint(g_mkdir(f->idir, 0755), ==, 0);
        g_assert_cmpint(symlink(target, link), ==, 0);
        g_assert_cmpint(config_set_interface_enabled(f->dir, "link", false, &error), ==, -ELOOP);
        g_test_message("%s", error);
        g_assert_true(g_str_has_prefix(error, link));
        g_assert_nonnull(strstr(error, "symbolic link"));
        g_assert_nonnull(strstr(error, "replace the link"));
        free(error);
        g_assert_cmpint(lstat(link, &st), ==, 0);
        g_assert_true(S_ISLNK(st.st_mode));
        text = read_text(target);
        g_assert_cmpstr(text, ==, "[Interface]\nDevice=ppp0\n");
        g_free(text);

        /* Gone since wand read it. */
        g_assert_cmpint(config_set_interface_enabled(f->dir, "gone", false, &error), ==, -ENOENT);
        g_test_message("%s", error);
        g_assert_nonnull(strstr(error, "/interfaces/gone.conf no longer exists"));
        g_assert_nonnull(strstr(error, "reload"));
        free(error);

        /* Edited on disk into something that would not load: left alone. */
        char *path = put(f, "interfaces/wan0.conf", "[Interface]\nDevice=ppp0\nEnabeld=no\n", -1);
        g_assert_cmpint(config_set_interface_enabled(f->dir, "wan0", false, &error), ==, -EINVAL);
        g_test_message("%s", error);
        g_assert_true(g_str_has_prefix(error, path));
        g_assert_nonnull(strstr(error, ":3: unknown key \"Enabeld\""));
        g_assert_nonnull(strstr(error, "fix it"));
        free(error);
        text = read_text(path);
        g_assert_cmpstr(text, ==, "[Interface]\nDevice=ppp0\nEnabeld=no\n");
        g_free(text);
        g_free(put(f, "interfaces/wan0.conf", "[Interface]\n", -1));
        g_assert_cmpint(config_set_interface_enabled(f->dir, "wan0", false, &error), ==, -EINVAL);
        g_assert_nonnull(strstr(error, ":0: Device= is missing"));
        free(error);
        g_free(put(f, "interfaces/wan0.conf", "Device=ppp0\n", -1));
        g_assert_cmpint(config_set_interface_enabled(f->dir, "wan0", false, &error), ==, -EINVAL);
        g_assert_nonnull(strstr(error, "no [Interface] section"));
        free(error);
        g_assert_cmpint(config_set_interface_enabled(f->dir, "../wan0", false, &error), ==, -EINVAL);
        assert_no_temp_files(f);

        g_free(path);
        g_free(link);
        g_free(target);
}

/* Edits of a file that lost keys on disk since wand read it (found by
 * fuzz-config-update and fuzz-config-set-enabled). */
static void test_update_file_edited_since(Fixture *f, gconstpointer data) {
        char *path = put(f, "interfaces/wan0.conf", "[Interface]\n", -1);
        char *error = NULL, *text;
        Settings old, new, back;

        settings_init(&old);
        old.device = strdup("ppp0");
        settings_init(&new);
        new.device = strdup("ppp1");

        /* Device= gone from the file: a new Device= is added (this crashed
         * wand: Device= has no default to compare with), and the file loads. */
        g_assert_cmpint(config_update_interface(f->dir, "wan0", &old, &new, &error), ==, 0);
        g_assert_null(error);
        text = read_text(path);
        g_assert_cmpstr(text, ==, "[Interface]\nDevice=ppp1\n");
        g_free(text);
        g_assert_cmpint(config_read_interface(path, &back, &error), ==, 0);
        g_assert_cmpstr(back.device, ==, "ppp1");
        settings_done(&back);

        /* Without a section to add it to: refused, the file left alone. */
        g_free(put(f, "interfaces/wan0.conf", "", -1));
        g_assert_cmpint(config_update_interface(f->dir, "wan0", &old, &new, &error), ==, -EINVAL);
        g_test_message("%s", error);
        g_assert_nonnull(strstr(error, "no [Interface] section"));
        free(error);
        error = NULL;

        /* A file that no longer loads, whose Enabled= would already say what
         * is asked: not a success without a word, but refused like any edit
         * of it. */
        g_free(put(f, "interfaces/wan0.conf", "[Interface]\nEnabled=yes\n", -1));
        g_assert_cmpint(config_set_interface_enabled(f->dir, "wan0", true, &error), ==, -EINVAL);
        g_test_message("%s", error);
        g_assert_nonnull(strstr(error, ":0: Device= is missing"));
        free(error);
        text = read_text(path);
        g_assert_cmpstr(text, ==, "[Interface]\nEnabled=yes\n");
        g_free(text);
        assert_no_temp_files(f);

        settings_done(&old);
        settings_done(&new);
        g_free(path);
}

static void test_set_enabled_read_only(Fixture *f, gconstpointer data) {
        char *path = put(f, "interfaces/wan0.conf", "[Interface]\nDevice=ppp0\n", -1);
        char *error = NULL, *text;
        bool had;
        int r;

        g_assert_cmpint(g_chmod(f->idir, 0555), ==, 0);
        had = set_dac_override(false);
        r = config_set_interface_enabled(f->dir, "wan0", false, &error);
        if (had)
                set_dac_override(true);
        g_assert_cmpint(g_chmod(f->idir, 0755), ==, 0);
        g_assert_cmpint(r, ==, -EACCES);
        g_test_message("%s", error);
        g_assert_nonnull(strstr(error, path));
        g_assert_nonnull(strstr(error, "Permission denied"));
        free(error);
        text = read_text(path);
        g_assert_cmpstr(text, ==, "[Interface]\nDevice=ppp0\n");
        g_free(text);
        assert_no_temp_files(f);
        g_free(path);
}

#define ADD(name, func) g_test_add("/config/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        ADD("read-interfaces-refused", test_read_interfaces_refused);
        ADD("interface/every-key", test_interface_every_key);
        ADD("interface/defaults", test_interface_defaults);
        ADD("interface/booleans", test_interface_booleans);
        ADD("interface/comments-whitespace", test_interface_comments_whitespace);
        ADD("interface/structure-errors", test_interface_structure_errors);
        ADD("interface/hostile-text", test_interface_hostile_text);
        ADD("interface/duplicate-key", test_interface_duplicate_key);
        ADD("interface/numbers", test_interface_numbers);
        ADD("interface/device", test_interface_device);
        ADD("interface/commands", test_interface_commands);
        ADD("interface/commands-utf8", test_interface_commands_utf8);
        ADD("interface/not-utf8-quoted", test_interface_not_utf8_quoted);
        ADD("interface/not-a-file", test_interface_not_a_file);
        ADD("main", test_main);
        ADD("read-interfaces", test_read_interfaces);
        ADD("write/round-trip", test_write_round_trip);
        ADD("write/invalid", test_write_invalid);
        ADD("write/read-only", test_write_read_only);
        ADD("remove", test_remove);
        ADD("strict/ancestors", test_strict_ancestors);
        ADD("strict/symlinks", test_strict_symlinks);
        ADD("set-enabled/lines", test_set_enabled_lines);
        ADD("set-enabled/keeps-file", test_set_enabled_keeps_file);
        ADD("set-enabled/refused", test_set_enabled_refused);
        ADD("set-enabled/read-only", test_set_enabled_read_only);
        ADD("update/file-edited-since", test_update_file_edited_since);
        ADD("update/keeps-mode", test_update_keeps_mode);
        ADD("remove-temporaries", test_remove_temporaries);

        return g_test_run();
}
