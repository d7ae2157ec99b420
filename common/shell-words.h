/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Splitting a command line into words the way a POSIX shell does — single
 * quotes, double quotes, backslash — with no expansion of any kind; and the
 * inverse, quoting an argv so that splitting gives it back. */
#pragma once

/* Returns 0 and a NULL-terminated argv (possibly empty: { NULL }) in
 * *ret_argv, or -EINVAL with *ret_problem set to a static string
 * ("unterminated single quote", "unterminated double quote",
 * "trailing backslash"), or -ENOMEM. */
int shell_split(const char *line, char ***ret_argv, const char **ret_problem);

/* Joins argv into one line that shell_split() turns back into argv: words
 * that need it are single-quoted, ' written as '\''. NULL on OOM. */
char *shell_join(char *const *argv);
