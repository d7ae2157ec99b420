/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wandctl's error table against the contract's (common/wand-errors.h) and
 * the manual: every contract error has a message, a hint that names only
 * placeholders wandctl fills, and an exit status that wandctl(1) documents;
 * org.wand.Router1(5) lists every error with its Win32 code.
 *   test-wandctl-error-table WANDCTL-1-SCD ROUTER1-5-SCD */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit-status.h"
#include "macro.h"
#include "wand-errors.h"

static int failures;

#define CHECK(cond, ...)                                   \
        do {                                               \
                if (!(cond)) {                             \
                        fprintf(stderr, "FAIL: " __VA_ARGS__); \
                        fputc('\n', stderr);               \
                        failures++;                        \
                }                                          \
        } while (0)

static char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t size = 0;

        if (!f) {
                perror(path);
                exit(EXIT_FAILURE);
        }
        if (getdelim(&text, &size, '\0', f) < 0) {
                perror(path);
                exit(EXIT_FAILURE);
        }
        fclose(f);
        return text;
}

/* Only the placeholders exit-status.c knows. */
static bool placeholders_known(const char *tmpl) {
        static const char *const known[] = { "{iface}", "{action}", "{wandctl}", "{where}" };

        for (const char *s = tmpl ? strchr(tmpl, '{') : NULL; s; s = strchr(s + 1, '{')) {
                bool ok = false;
                for (size_t k = 0; k < ELEMENTSOF(known); k++)
                        ok = ok || strncmp(s, known[k], strlen(known[k])) == 0;
                if (!ok)
                        return false;
        }
        return true;
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *wandctl_1 = NULL, *router1_5 = NULL;

        if (argc != 3) {
                fprintf(stderr, "usage: %s WANDCTL-1-SCD ROUTER1-5-SCD\n", argv[0]);
                return 2;
        }
        wandctl_1 = read_file(argv[1]);
        router1_5 = read_file(argv[2]);

        for (size_t i = 0; i < wand_errors_count; i++) {
                const WandErrorInfo *e = &wand_errors[i];
                const ErrorText *t = error_text_lookup(e->name);
                _cleanup_free_ char *documented = NULL, *win32 = NULL;

                CHECK(t, "%s has no message in wandctl", e->name);
                if (!t)
                        continue;
                CHECK(t->status > EXIT_GENERIC, "%s: exit status %d is not one of its own", e->name, t->status);
                CHECK(!isempty(t->summary) && !isempty(t->reason), "%s: no summary or reason", e->name);

                if (asprintf(&documented, "*%s*, exit status %d\n", e->name, t->status) < 0)
                        return EXIT_FAILURE;
                CHECK(strstr(wandctl_1, documented), "wandctl(1) does not say: %s", documented);

                if (e->win32) {
                        if (asprintf(&win32, "*%s*\n\tWin32: *%s* (%u). ", e->name, e->win32, e->win32_code) < 0)
                                return EXIT_FAILURE;
                } else if (asprintf(&win32, "*%s*\n\tNo Win32 counterpart. ", e->name) < 0)
                        return EXIT_FAILURE;
                CHECK(strstr(router1_5, win32), "org.wand.Router1(5) does not say: %s", win32);
        }

        for (size_t i = 0; i < error_texts_count; i++) {
                const ErrorText *t = &error_texts[i];
                CHECK(placeholders_known(t->reason) && placeholders_known(t->hint), "%s: unknown placeholder", t->name);
                CHECK(error_text_lookup(t->name) == t, "%s is in the table twice", t->name);
                CHECK(strncmp(t->name, "org.wand.Router1.Error.", 23) != 0 || wand_error_lookup(t->name),
                      "%s is not an error of common/wand-errors.h", t->name);
        }

        if (failures > 0) {
                fprintf(stderr, "%d failure(s)\n", failures);
                return EXIT_FAILURE;
        }
        printf("%zu errors: messages, exit statuses and manual pages agree\n", wand_errors_count);
        return EXIT_SUCCESS;
}
