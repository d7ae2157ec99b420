/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the ConnectCommand=/DisconnectCommand= splitter and its
 * inverse. The first byte picks the direction:
 *   even: the rest is a command line; what splits must join to a line that
 *         splits to the same words;
 *   odd:  the rest is an argv (words separated by NUL bytes); joining and
 *         splitting it again must give it back. */
#include <errno.h>

#include "fuzz.h"
#include "shell-words.h"
#include "strv.h"

static void assert_same_words(char **a, char **b, const char *line) {
        size_t na = strv_length(a), nb = strv_length(b);

        fuzz_assert(na == nb, "%zu words became %zu through \"%s\"", na, nb, line);
        for (size_t k = 0; k < na; k++)
                fuzz_assert(strcmp(a[k], b[k]) == 0, "word %zu \"%s\" became \"%s\" through \"%s\"", k, a[k],
                            b[k], line);
}

static void round_trip(char **argv) {
        const char *problem = NULL;
        char **again = NULL;
        char *line;
        int r;

        line = shell_join(argv);
        fuzz_assert(line, "shell_join() failed");
        r = shell_split(line, &again, &problem);
        fuzz_assert(r == 0, "the joined line \"%s\" does not split: %s", line, problem ? problem : "?");
        assert_same_words(argv, again, line);
        strv_free(again);
        free(line);
}

static void fuzz_split(const uint8_t *data, size_t size) {
        const char *problem = NULL;
        char **argv = NULL;
        char *line = fuzz_cstring(data, size);
        int r;

        r = shell_split(line, &argv, &problem);
        if (r == 0) {
                fuzz_assert(argv, "success without an argv");
                for (size_t k = 0; argv[k]; k++)
                        fuzz_assert(strlen(argv[k]) <= strlen(line), "a word longer than its line");
                round_trip(argv);
                strv_free(argv);
        } else {
                fuzz_assert(r == -EINVAL, "unexpected error %d", r);
                fuzz_assert(problem, "-EINVAL without a problem");
                fuzz_assert(!argv, "an argv handed out on failure");
        }
        free(line);
}

static void fuzz_join(const uint8_t *data, size_t size) {
        size_t n = 1, k = 0;
        char **argv;
        char *copy;

        /* An input of n NUL-separated words; a trailing NUL ends the last. */
        for (size_t i = 0; i < size; i++)
                n += data[i] == 0;
        argv = calloc(n + 1, sizeof(char *));
        copy = fuzz_cstring(data, size);
        fuzz_assert(argv, "out of memory");
        for (size_t i = 0, start = 0; i <= size; i++)
                if (i == size || data[i] == 0) {
                        if (i == size && start == size && k > 0)
                                break;
                        argv[k++] = copy + start;
                        start = i + 1;
                }
        argv[k] = NULL;

        round_trip(argv);
        free(argv);
        free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0 || size > 64 * 1024)
                return 0;
        if (data[0] & 1)
                fuzz_join(data + 1, size - 1);
        else
                fuzz_split(data + 1, size - 1);
        return 0;
}
