/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NULL-terminated string lists (argv), shared by the daemon and wandctl. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

void strv_free(char **l);
char **strv_copy(char *const *l);
bool strv_equal(char *const *a, char *const *b);
size_t strv_length(char *const *l);
/* The words with separator between them; NULL on OOM. */
char *strv_join(char *const *l, const char *separator);
