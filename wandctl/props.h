/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Property values as read from the bus (a{sv}), whatever their names: wandctl
 * shows the contract's properties in its own words and any property a newer
 * service adds as it comes, and --json writes them all. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "json.h"
#include "strv.h"

typedef enum ValueType {
        VALUE_STRING,   /* s, o, g */
        VALUE_BOOL,
        VALUE_INT,      /* n, i, x */
        VALUE_UINT,     /* y, q, u, t */
        VALUE_DOUBLE,
        VALUE_STRV,     /* as, ao, ag */
        VALUE_OTHER,    /* anything else (RefusedFiles' a(ss)): kept as compact JSON,
                         * structures as arrays, dictionaries as objects */
} ValueType;

typedef struct Prop {
        char *name;
        ValueType type;
        union {
                char *str;
                bool b;
                int64_t i;
                uint64_t u;
                double d;
                char **strv;
                char *json;     /* VALUE_OTHER */
        };
} Prop;

typedef struct PropList {
        Prop *items;
        size_t n;
} PropList;

/* Reads an a{sv} at the message's read position, appending to l. */
int props_read(sd_bus_message *m, PropList *l);
void props_done(PropList *l);

const Prop *props_get(const PropList *l, const char *name);
/* The value if the property is there with that type; else "", 0, false,
 * an empty list. */
const char *props_string(const PropList *l, const char *name);
uint64_t props_uint(const PropList *l, const char *name);
int64_t props_int(const PropList *l, const char *name);
bool props_bool(const PropList *l, const char *name);
char *const *props_strv(const PropList *l, const char *name);

/* The value as a person reads it ("yes", "a, b", "-" for empty). */
char *prop_to_text(const Prop *p);
void prop_json(const Prop *p, Json *j);
/* {"Name": value, …} */
void props_json(const PropList *l, Json *j);
/* The same members, into an object the caller has begun. */
void props_json_members(const PropList *l, Json *j);

static inline void strv_freep(char ***l) {
        strv_free(*l);
}
