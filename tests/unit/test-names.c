/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The contract's interface and device names, and the object path ("handle")
 * an interface name maps to and back. */
#include <gio/gio.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

static void test_interface_name_valid(void) {
        static const char *const good[] = {
                "wan0", "site-b", "a", "A", "0", "_", "isp.backup", "a-", "a.", "under_score",
                "MiXeD-09_.x",
        };
        char max[WAND_NAME_MAX + 1];

        for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
                g_assert_true(interface_name_is_valid(good[i]));

        memset(max, 'x', WAND_NAME_MAX);
        max[WAND_NAME_MAX] = 0;
        g_assert_true(interface_name_is_valid(max));
}

static void test_interface_name_invalid(void) {
        static const char *const bad[] = {
                "", ".", "..", ".hidden", "-opt", "--help", "a b", " wan0", "wan0 ", "wan0\n",
                "a/b", "../etc", "/", "wan:0", "a\\b", "a'b", "a\"b", "a$b", "a*", "a~",
                "caf\xc3\xa9", "\xff", "a\tb", "a\x7f", "a\x01", "wan0;reboot", "a=b", "a@b",
        };
        char long_name[WAND_NAME_MAX + 2];

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                if (interface_name_is_valid(bad[i]))
                        g_error("\"%s\" must not be a valid interface name", bad[i]);
        }
        g_assert_false(interface_name_is_valid(NULL));

        memset(long_name, 'x', WAND_NAME_MAX + 1);
        long_name[WAND_NAME_MAX + 1] = 0;
        g_assert_false(interface_name_is_valid(long_name));
}

static void test_device_name(void) {
        static const char *const good[] = {
                "ppp0", "eth1", "tun-site", "a", "wlp3s0.100", "x_y", "123456789012345", "caf\xc3\xa9",
                "\xf0\x9f\x98\x80", "\xe2\x82\xac" "0",
                "a..b", "...", "-",
        };
        static const char *const bad[] = {
                "", ".", "..", "1234567890123456", "a/b", "/", "eth0:1", "a b", " a", "a\t", "a\n",
                "a\r", "a\v", "a\f", "a\x01", "a\x7f",
                /* Not UTF-8, so not publishable as the Device property
                 * (found by fuzz/fuzz-names.c and fuzz/fuzz-config.c). */
                "\xff", "0\xc3", "caf\xe9", "a\xc0\x80", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                "\xef\xbf\xbe", "\xef\xb7\x90", "\xf8\x88\x80\x80\x80", "a\xc2\x9b",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
                if (!device_name_is_valid(good[i]))
                        g_error("\"%s\" must be a valid device name", good[i]);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                if (device_name_is_valid(bad[i]))
                        g_error("\"%s\" must not be a valid device name", bad[i]);
        g_assert_false(device_name_is_valid(NULL));
}

static void assert_path(const char *name, const char *expected) {
        char *path, *back;

        path = interface_bus_path(name);
        g_assert_cmpstr(path, ==, expected);
        back = interface_name_from_bus_path(path);
        g_assert_cmpstr(back, ==, name);
        free(back);
        free(path);
}

static void test_path_encode(void) {
        assert_path("wan0", "/org/wand/Router1/interface/wan0");
        assert_path("site-b", "/org/wand/Router1/interface/site_2db");
        assert_path("isp.backup", "/org/wand/Router1/interface/isp_2ebackup");
        assert_path("under_score", "/org/wand/Router1/interface/under_5fscore");
        assert_path("0", "/org/wand/Router1/interface/_30");
}

/* Every valid character in every position survives the round trip. */
static void test_path_round_trip(void) {
        static const char chars[] =
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";

        for (size_t i = 0; i < sizeof(chars) - 1; i++)
                for (size_t j = 0; j < sizeof(chars) - 1; j++) {
                        char name[3] = { chars[i], chars[j], 0 };
                        char *path, *back;

                        if (!interface_name_is_valid(name))
                                continue;
                        path = interface_bus_path(name);
                        g_assert_nonnull(path);
                        g_assert_true(g_variant_is_object_path(path));
                        back = interface_name_from_bus_path(path);
                        g_assert_cmpstr(back, ==, name);
                        free(back);
                        free(path);
                }
}

/* Reports every offender, not just the first. */
static void assert_no_name(const char *path) {
        char *name = interface_name_from_bus_path(path);

        if (name) {
                g_test_message("\"%s\" must name no interface, got \"%s\"", path, name);
                g_test_fail();
        }
        free(name);
}

static void test_path_decode_invalid(void) {
        assert_no_name("/org/wand/Router1");
        assert_no_name("/org/wand/Router1/interface");
        assert_no_name("/org/wand/Router1/interface/");
        assert_no_name("/org/wand/Router1/interfacewan0");
        assert_no_name("/org/wand/Router1/interface/wan0/extra");
        assert_no_name("/org/wand/Router1/interface/wan0/");
        assert_no_name("/org/wand/Router2/interface/wan0");
        assert_no_name("/wan0");
        assert_no_name("");
        /* Escapes that decode to names the contract does not admit. */
        assert_no_name("/org/wand/Router1/interface/_2dopt");
        assert_no_name("/org/wand/Router1/interface/_2ehidden");
        assert_no_name("/org/wand/Router1/interface/a_2fb");
        assert_no_name("/org/wand/Router1/interface/a_20b");
        /* An escaped NUL must not cut the name short: "a_00b" is not "a". */
        assert_no_name("/org/wand/Router1/interface/a_00b");
        assert_no_name("/org/wand/Router1/interface/wan0_00x");
        /* One interface, one path: a needless escape is another path, which
         * would dodge InvalidHandle and miss the signals of the real one. */
        assert_no_name("/org/wand/Router1/interface/wan_30");
        assert_no_name("/org/wand/Router1/interface/_77an0");
        /* Escapes that are not escapes. */
        assert_no_name("/org/wand/Router1/interface/_zz");
        assert_no_name("/org/wand/Router1/interface/a_");
        assert_no_name("/org/wand/Router1/interface/a_2");
        assert_no_name("/org/wand/Router1/interface/_");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/names/interface/valid", test_interface_name_valid);
        g_test_add_func("/names/interface/invalid", test_interface_name_invalid);
        g_test_add_func("/names/device", test_device_name);
        g_test_add_func("/names/path/encode", test_path_encode);
        g_test_add_func("/names/path/round-trip", test_path_round_trip);
        g_test_add_func("/names/path/decode-invalid", test_path_decode_invalid);

        return g_test_run();
}
