/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Column tables for people; scripts use --json. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "macro.h"
#include "table.h"

typedef struct Cell {
        char *text;
        const char *color;
} Cell;

struct Table {
        size_t n_columns;
        const char *const *headers;
        Cell *cells;
        size_t n_cells, allocated;
};

Table *table_new(size_t n_columns, const char *const *headers) {
        Table *t = calloc(1, sizeof(Table));

        if (!t)
                return NULL;
        t->n_columns = n_columns;
        t->headers = headers;
        return t;
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i].text);
        free(t->cells);
        free(t);
        return NULL;
}

int table_add(Table *t, const char *text, const char *color) {
        char *copy;

        if (t->n_cells == t->allocated) {
                size_t n = t->allocated ? t->allocated * 2 : 16;
                Cell *c = realloc(t->cells, n * sizeof(Cell));
                if (!c)
                        return -ENOMEM;
                t->cells = c;
                t->allocated = n;
        }
        copy = strdup(text);
        if (!copy)
                return -ENOMEM;
        t->cells[t->n_cells++] = (Cell) { copy, isempty(color) ? NULL : color };
        return 0;
}

size_t table_rows(const Table *t) {
        return t->n_cells / t->n_columns;
}

static void print_cell(FILE *f, const char *text, const char *color, size_t width, bool last) {
        if (color)
                fputs(color, f);
        fputs(text, f);
        if (color)
                fputs(ANSI_NORMAL, f);
        if (!last)
                fprintf(f, "%*s", (int) (width - strlen(text) + 1), "");
}

void table_print(const Table *t, FILE *f, bool header, bool color) {
        size_t width[t->n_columns];

        for (size_t c = 0; c < t->n_columns; c++)
                width[c] = header ? strlen(t->headers[c]) : 0;
        for (size_t i = 0; i < t->n_cells; i++) {
                size_t n = strlen(t->cells[i].text), c = i % t->n_columns;
                if (n > width[c])
                        width[c] = n;
        }

        if (header) {
                for (size_t c = 0; c < t->n_columns; c++)
                        print_cell(f, t->headers[c], color ? ANSI_BOLD : NULL, width[c], c + 1 == t->n_columns);
                fputc('\n', f);
        }
        for (size_t i = 0; i + t->n_columns <= t->n_cells; i += t->n_columns) {
                for (size_t c = 0; c < t->n_columns; c++)
                        print_cell(f, t->cells[i + c].text, color ? t->cells[i + c].color : NULL, width[c],
                                   c + 1 == t->n_columns);
                fputc('\n', f);
        }
}
