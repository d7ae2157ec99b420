/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shell_split() against what a POSIX shell would make of the same line, and
 * shell_join() as its inverse. */
#include <errno.h>
#include <glib.h>

#include "strv.h"
#include "shell-words.h"

static void assert_split(const char *line, const char *const *expected) {
        const char *problem = NULL;
        char **argv = NULL;
        int r;

        r = shell_split(line, &argv, &problem);
        if (r < 0)
                g_error("shell_split(\"%s\") failed: %s", line, problem ? problem : g_strerror(-r));
        g_assert_nonnull(argv);
        g_assert_cmpstrv((const char *const *) argv, expected);
        strv_free(argv);
}

static void assert_split_fails(const char *line, const char *expected_problem) {
        const char *problem = NULL;
        char **argv = NULL;

        g_assert_cmpint(shell_split(line, &argv, &problem), ==, -EINVAL);
        g_assert_null(argv);
        g_assert_cmpstr(problem, ==, expected_problem);
}

#define SPLIT(line, ...) assert_split((line), (const char *const[]) { __VA_ARGS__, NULL })

static void test_split_plain(void) {
        SPLIT("pppd call isp", "pppd", "call", "isp");
        SPLIT("  \t pppd\t\tcall   isp \t ", "pppd", "call", "isp");
        SPLIT("one", "one");
        /* No expansion of any kind: these are all literal. */
        SPLIT("$HOME ~ *.conf `id` $(id) #x a;b a|b", "$HOME", "~", "*.conf", "`id`", "$(id)", "#x", "a;b", "a|b");
}

static void test_split_empty(void) {
        assert_split("", (const char *const[]) { NULL });
        assert_split("   \t\n ", (const char *const[]) { NULL });
}

static void test_split_single_quotes(void) {
        SPLIT("'a b'  c", "a b", "c");
        SPLIT("'\\n' '\"' '$x'", "\\n", "\"", "$x");
        SPLIT("'it'\\''s'", "it's");
}

static void test_split_double_quotes(void) {
        SPLIT("\"a b\" c", "a b", "c");
        /* Only $ ` " \ and newline are escaped inside double quotes. */
        SPLIT("\"\\$ \\` \\\" \\\\ \\n \\a\"", "$ ` \" \\ \\n \\a");
        SPLIT("\"it's\"", "it's");
        SPLIT("\"a\\\nb\"", "ab");
}

static void test_split_backslash(void) {
        SPLIT("a\\ b c", "a b", "c");
        SPLIT("\\'x\\' \\\"y\\\"", "'x'", "\"y\"");
        SPLIT("\\\\", "\\");
        SPLIT("\\a\\b", "ab");
        /* Backslash-newline joins the two lines. */
        SPLIT("ab\\\ncd", "abcd");
}

static void test_split_empty_words(void) {
        SPLIT("''", "");
        SPLIT("\"\"", "");
        SPLIT("a '' b", "a", "", "b");
        SPLIT("a \"\" ''", "a", "", "");
        /* Empty quotes next to text add nothing and make no word of their own. */
        SPLIT("a''b", "ab");
}

static void test_split_adjacent(void) {
        SPLIT("a'b'\"c\"", "abc");
        SPLIT("--user='my name'", "--user=my name");
        SPLIT("x\"y z\"'w'\\ v", "xy zw v");
}

static void test_split_errors(void) {
        assert_split_fails("pppd 'call", "unterminated single quote");
        assert_split_fails("'", "unterminated single quote");
        assert_split_fails("\"abc", "unterminated double quote");
        assert_split_fails("\"abc\\\"", "unterminated double quote");
        assert_split_fails("a\\", "trailing backslash");
        assert_split_fails("\\", "trailing backslash");
        /* A quote of the other kind does not close. */
        assert_split_fails("'abc\"", "unterminated single quote");
        assert_split_fails("\"abc'", "unterminated double quote");
}

static void assert_round_trip(const char *const *argv) {
        const char *problem = NULL;
        char **back = NULL;
        char *line;

        line = shell_join((char *const *) argv);
        g_assert_nonnull(line);
        g_assert_null(strchr(line, '\n'));
        g_assert_cmpint(shell_split(line, &back, &problem), ==, 0);
        g_assert_cmpstrv((const char *const *) back, argv);
        strv_free(back);
        free(line);
}

static void test_join_simple(void) {
        const char *const argv[] = { "pppd", "call", "isp", NULL };
        const char *const argv2[] = { "a b", "", "it's", NULL };
        char *line;

        /* Words that need no quotes get none: the file stays readable. */
        line = shell_join((char *const *) argv);
        g_assert_cmpstr(line, ==, "pppd call isp");
        free(line);

        line = shell_join((char *const *) argv2);
        g_assert_cmpstr(line, ==, "'a b' '' 'it'\\''s'");
        free(line);

        line = shell_join(NULL);
        g_assert_cmpstr(line, ==, "");
        free(line);
}

static void test_join_round_trip(void) {
        static const char *const nasty[][9] = {
                { "pppd", NULL },
                { "", NULL },
                { "", "", "", NULL },
                { "'", "''", "'\\''", "\"", "\\", "\\\\", NULL },
                { "a b", " lead", "trail ", "\ttab", NULL },
                { "$HOME", "`id`", "$(rm -rf /)", "#comment", "~", "*", "?", NULL },
                { "a;b", "a|b", "a&b", "a>b", "<", "(x)", "{y}", "[z]", NULL },
                { "x=y", "--opt=value", "caf\xc3\xa9", "\x01\x7f\r", "\r", "a\\\"b'c\"", NULL },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(nasty); i++)
                assert_round_trip(nasty[i]);
        assert_round_trip((const char *const[]) { NULL });
}

/* Every string of up to four characters from an alphabet of the special
 * ones, as one word and next to another, must survive the round trip. */
static void test_join_exhaustive(void) {
        static const char alphabet[] = " '\"\\\tab$";
        const size_t k = sizeof(alphabet) - 1;
        char w[5];

        for (size_t len = 0; len <= 4; len++) {
                size_t total = 1;
                for (size_t i = 0; i < len; i++)
                        total *= k;
                for (size_t n = 0; n < total; n++) {
                        size_t x = n;
                        for (size_t i = 0; i < len; i++, x /= k)
                                w[i] = alphabet[x % k];
                        w[len] = 0;
                        assert_round_trip((const char *const[]) { w, NULL });
                        assert_round_trip((const char *const[]) { "x", w, w, NULL });
                }
        }
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/shell-words/split/plain", test_split_plain);
        g_test_add_func("/shell-words/split/empty", test_split_empty);
        g_test_add_func("/shell-words/split/single-quotes", test_split_single_quotes);
        g_test_add_func("/shell-words/split/double-quotes", test_split_double_quotes);
        g_test_add_func("/shell-words/split/backslash", test_split_backslash);
        g_test_add_func("/shell-words/split/empty-words", test_split_empty_words);
        g_test_add_func("/shell-words/split/adjacent", test_split_adjacent);
        g_test_add_func("/shell-words/split/errors", test_split_errors);
        g_test_add_func("/shell-words/join/simple", test_join_simple);
        g_test_add_func("/shell-words/join/round-trip", test_join_round_trip);
        g_test_add_func("/shell-words/join/exhaustive", test_join_exhaustive);

        return g_test_run();
}
