/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing JSON: commas, nesting and string escapes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void json_init(Json *j, FILE *f, bool pretty) {
        *j = (Json) { .f = f, .out = f };
        if (pretty) {
                /* Without memory, short is still JSON. */
                FILE *b = open_memstream(&j->buf, &j->size);
                if (b)
                        j->f = b;
        }
}

/* Compact JSON, indented by two spaces a level, as jq prints it. Only
 * what is outside strings is touched. */
static void indent(const char *s, FILE *out) {
        unsigned level = 0;
        bool in_string = false;

        for (const char *p = s; *p; p++) {
                char c = *p;

                if (in_string) {
                        fputc(c, out);
                        if (c == '\\' && p[1])
                                fputc(*++p, out);
                        else if (c == '"')
                                in_string = false;
                        continue;
                }
                switch (c) {
                case '"':
                        in_string = true;
                        fputc(c, out);
                        break;
                case '{':
                case '[':
                        if (p[1] == (c == '{' ? '}' : ']')) {
                                fputc(c, out);
                                fputc(*++p, out);
                                break;
                        }
                        fprintf(out, "%c\n%*s", c, (int) (++level * 2), "");
                        break;
                case '}':
                case ']':
                        level = level > 0 ? level - 1 : 0;
                        fprintf(out, "\n%*s%c", (int) (level * 2), "", c);
                        break;
                case ',':
                        fprintf(out, ",\n%*s", (int) (level * 2), "");
                        break;
                case ':':
                        fputs(": ", out);
                        break;
                default:
                        fputc(c, out);
                }
        }
}

void json_done(Json *j) {
        if (j->f != j->out) {
                if (fclose(j->f) == 0 && j->buf)
                        indent(j->buf, j->out);
                free(j->buf);
                j->buf = NULL;
                j->f = j->out;
        }
        fputc('\n', j->out);
}

/* Before every value and key: a comma unless it is the first in its
 * container, nothing after a key. */
static void separate(Json *j) {
        if (j->after_key) {
                j->after_key = false;
                return;
        }
        if (j->need_comma[j->depth])
                fputc(',', j->f);
        j->need_comma[j->depth] = true;
}

static void open_container(Json *j, char c) {
        separate(j);
        fputc(c, j->f);
        if (j->depth + 1 < JSON_DEPTH_MAX)
                j->depth++;
        j->need_comma[j->depth] = false;
}

static void close_container(Json *j, char c) {
        fputc(c, j->f);
        if (j->depth > 0)
                j->depth--;
}

void json_object_begin(Json *j) {
        open_container(j, '{');
}

void json_object_end(Json *j) {
        close_container(j, '}');
}

void json_array_begin(Json *j) {
        open_container(j, '[');
}

void json_array_end(Json *j) {
        close_container(j, ']');
}

static void write_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                fprintf(f, "\\u%04x", *p);
                        else
                                fputc(*p, f);
                }
        fputc('"', f);
}

void json_key(Json *j, const char *key) {
        separate(j);
        write_string(j->f, key);
        fputc(':', j->f);
        j->after_key = true;
}

void json_string(Json *j, const char *s) {
        if (!s) {
                json_null(j);
                return;
        }
        separate(j);
        write_string(j->f, s);
}

void json_bool(Json *j, bool b) {
        separate(j);
        fputs(b ? "true" : "false", j->f);
}

void json_int(Json *j, int64_t i) {
        separate(j);
        fprintf(j->f, "%lld", (long long) i);
}

void json_uint(Json *j, uint64_t u) {
        separate(j);
        fprintf(j->f, "%llu", (unsigned long long) u);
}

void json_double(Json *j, double d) {
        if (!isfinite(d)) {
                json_null(j); /* JSON has no NaN or infinity */
                return;
        }
        separate(j);
        fprintf(j->f, "%.17g", d);
}

void json_null(Json *j) {
        separate(j);
        fputs("null", j->f);
}

void json_strv(Json *j, char *const *strv) {
        json_array_begin(j);
        for (char *const *s = strv; s && *s; s++)
                json_string(j, *s);
        json_array_end(j);
}

void json_raw(Json *j, const char *text) {
        separate(j);
        fputs(text, j->f);
}
