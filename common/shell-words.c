/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* POSIX shell word splitting without expansion, for ConnectCommand= and
 * DisconnectCommand=, and the quoting that undoes it. */
#include <errno.h>
#include <stdbool.h>

#include "macro.h"
#include "strv.h"
#include "shell-words.h"

/* '#', '$', '`', '~' and '*' are taken literally by shell_split() (there is
 * no expansion and no comment), but shell_join() quotes them anyway, so that
 * the line also means the same thing to an administrator who pastes it into
 * a real shell. */
static bool char_is_safe(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                strchr("_@%+:,./-", c);
}

static bool word_needs_quotes(const char *w, bool first) {
        if (!*w)
                return true;
        for (const char *p = w; *p; p++)
                /* "a=b" as the first word would be an assignment to a shell. */
                if (!char_is_safe(*p) && !(*p == '=' && !first))
                        return true;
        return false;
}

static int argv_push(char ***argv, size_t *n, size_t *allocated, const char *word, size_t len) {
        char *w;

        if (*n + 2 > *allocated) {
                size_t a = *allocated ? *allocated * 2 : 8;
                char **l = reallocarray(*argv, a, sizeof(char *));
                if (!l)
                        return -ENOMEM;
                *argv = l;
                *allocated = a;
        }
        w = strndup(word, len);
        if (!w)
                return -ENOMEM;
        (*argv)[(*n)++] = w;
        (*argv)[*n] = NULL;
        return 0;
}

int shell_split(const char *line, char ***ret_argv, const char **ret_problem) {
        enum { PLAIN, SINGLE, DOUBLE } quote = PLAIN;
        _cleanup_free_ char *word = NULL;
        char **argv = NULL;
        size_t n = 0, allocated = 0, len = 0;
        /* '' is a word although it adds no character: track it apart. */
        bool in_word = false;
        const char *problem = NULL;
        int r;

        /* Removing quotes only shortens: a word never outgrows the line. */
        word = malloc(strlen(line) + 1);
        if (!word)
                return -ENOMEM;

        for (const char *p = line;; p++) {
                char c = *p;

                if (quote == SINGLE) {
                        if (!c) {
                                problem = "unterminated single quote";
                                break;
                        }
                        if (c == '\'')
                                quote = PLAIN;
                        else
                                word[len++] = c;
                        continue;
                }

                if (quote == DOUBLE) {
                        if (!c) {
                                problem = "unterminated double quote";
                                break;
                        }
                        if (c == '"')
                                quote = PLAIN;
                        else if (c == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
                                /* Inside double quotes a backslash only
                                 * escapes these; elsewhere it is itself. */
                                p++;
                                if (*p != '\n')
                                        word[len++] = *p;
                        } else
                                word[len++] = c;
                        continue;
                }

                if (!c || c == ' ' || c == '\t' || c == '\n') {
                        if (in_word) {
                                r = argv_push(&argv, &n, &allocated, word, len);
                                if (r < 0) {
                                        strv_free(argv);
                                        return r;
                                }
                                in_word = false;
                                len = 0;
                        }
                        if (!c)
                                break;
                        continue;
                }

                if (c == '\\') {
                        if (!p[1]) {
                                problem = "trailing backslash";
                                break;
                        }
                        p++;
                        /* Backslash-newline joins lines and is no character. */
                        if (*p == '\n')
                                continue;
                        word[len++] = *p;
                } else if (c == '\'')
                        quote = SINGLE;
                else if (c == '"')
                        quote = DOUBLE;
                else
                        word[len++] = c;
                in_word = true;
        }

        if (problem) {
                strv_free(argv);
                if (ret_problem)
                        *ret_problem = problem;
                return -EINVAL;
        }

        if (!argv) {
                argv = calloc(1, sizeof(char *));
                if (!argv)
                        return -ENOMEM;
        }
        *ret_argv = argv;
        return 0;
}

char *shell_join(char *const *argv) {
        size_t size = 1;
        char *line, *q;

        /* Worst case: every character a ' that becomes '\'' (4), plus the
         * surrounding quotes and a separator per word. */
        for (size_t i = 0; argv && argv[i]; i++)
                size += strlen(argv[i]) * 4 + 3;

        line = malloc(size);
        if (!line)
                return NULL;

        q = line;
        for (size_t i = 0; argv && argv[i]; i++) {
                const char *w = argv[i];

                if (i > 0)
                        *q++ = ' ';

                if (!word_needs_quotes(w, i == 0)) {
                        q = stpcpy(q, w);
                        continue;
                }

                *q++ = '\'';
                for (const char *p = w; *p; p++)
                        if (*p == '\'')
                                q = stpcpy(q, "'\\''");
                        else
                                *q++ = *p;
                *q++ = '\'';
        }
        *q = 0;
        return line;
}
