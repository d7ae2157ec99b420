/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small JSON writer: one document on one line, which is what --json
 * prints (and what monitor prints once per event). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

typedef struct Json {
        FILE *f;
        unsigned depth;
        bool after_key;                   /* the next value follows "key": */
        bool need_comma[JSON_DEPTH_MAX];
} Json;

void json_init(Json *j, FILE *f);

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
