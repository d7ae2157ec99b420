/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A text table with aligned columns: `wandctl list`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct Table Table;

/* headers: n_columns strings. NULL on OOM. */
Table *table_new(size_t n_columns, const char *const *headers);
Table *table_free(Table *t);

/* Appends one cell to the current row (rows wrap after n_columns); color
 * is an escape sequence or NULL. -ENOMEM or 0. */
int table_add(Table *t, const char *text, const char *color);

size_t table_rows(const Table *t);

/* Pads every column but the last to its widest cell. */
void table_print(const Table *t, FILE *f, bool header, bool color);

static inline void table_freep(Table **t) {
        table_free(*t);
}
