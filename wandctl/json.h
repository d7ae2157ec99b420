/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small JSON writer: one document on one line, which is what --json
 * prints (and what monitor prints once per event), or indented over
 * several lines for --json=pretty. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

typedef struct Json {
        FILE *f;                          /* where values are written: out, or a buffer when pretty */
        FILE *out;
        char *buf;
        size_t size;
        unsigned depth;
        bool after_key;                   /* the next value follows "key": */
        bool need_comma[JSON_DEPTH_MAX];
} Json;

/* pretty: written to a buffer, indented into f by json_done(). */
void json_init(Json *j, FILE *f, bool pretty);
/* Ends the document with a newline (and indents it first when pretty). */
void json_done(Json *j);

void json_object_begin(Json *j);
void json_object_end(Json *j);
void json_array_begin(Json *j);
void json_array_end(Json *j);

void json_key(Json *j, const char *key);
void json_string(Json *j, const char *s); /* NULL writes null */
void json_bool(Json *j, bool b);
void json_int(Json *j, int64_t i);
void json_uint(Json *j, uint64_t u);
void json_double(Json *j, double d);
void json_null(Json *j);
void json_strv(Json *j, char *const *strv);
/* A value already written as compact JSON (props.c's structures). */
void json_raw(Json *j, const char *text);
