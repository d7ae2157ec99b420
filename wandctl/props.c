/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a{sv} into values of known kinds, and writing them back out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "props.h"

static int read_basic(sd_bus_message *m, char type, Prop *p) {
        union {
                uint8_t y;
                uint16_t q;
                uint32_t u;
                uint64_t t;
                int16_t n;
                int32_t i;
                int64_t x;
                int b;
                double d;
                const char *s;
        } v = {};
        int r;

        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;
        switch (type) {
        case 's':
        case 'o':
        case 'g':
                p->type = VALUE_STRING;
                p->str = strdup(v.s);
                return p->str ? 0 : -ENOMEM;
        case 'b': p->type = VALUE_BOOL, p->b = v.b; break;
        case 'y': p->type = VALUE_UINT, p->u = v.y; break;
        case 'q': p->type = VALUE_UINT, p->u = v.q; break;
        case 'u': p->type = VALUE_UINT, p->u = v.u; break;
        case 't': p->type = VALUE_UINT, p->u = v.t; break;
        case 'n': p->type = VALUE_INT, p->i = v.n; break;
        case 'i': p->type = VALUE_INT, p->i = v.i; break;
        case 'x': p->type = VALUE_INT, p->i = v.x; break;
        case 'd': p->type = VALUE_DOUBLE, p->d = v.d; break;
        }
        return 0;
}

/* Any value, as JSON: for the properties wandctl has no kind for. A
 * dictionary's keys become strings, a structure an array; a file
 * descriptor (nothing of wand's) null. */
static int value_to_json(sd_bus_message *m, Json *j) {
        const char *contents;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;

        if (type == SD_BUS_TYPE_ARRAY || type == SD_BUS_TYPE_STRUCT || type == SD_BUS_TYPE_VARIANT ||
            type == SD_BUS_TYPE_DICT_ENTRY) {
                bool dict = type == SD_BUS_TYPE_ARRAY && contents[0] == SD_BUS_TYPE_DICT_ENTRY_BEGIN;

                r = sd_bus_message_enter_container(m, type, contents);
                if (r < 0)
                        return r;
                if (type == SD_BUS_TYPE_ARRAY)
                        dict ? json_object_begin(j) : json_array_begin(j);
                else if (type == SD_BUS_TYPE_STRUCT)
                        json_array_begin(j);
                while ((r = sd_bus_message_at_end(m, false)) == 0) {
                        if (dict) {
                                Prop key = {};
                                char k;
                                _cleanup_free_ char *text = NULL;

                                r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, NULL);
                                if (r >= 0)
                                        r = sd_bus_message_peek_type(m, &k, NULL);
                                if (r >= 0)
                                        r = read_basic(m, k, &key);
                                if (r < 0)
                                        return r;
                                text = key.type == VALUE_STRING ? key.str : prop_to_text(&key);
                                if (!text)
                                        return -ENOMEM;
                                json_key(j, text);
                                r = value_to_json(m, j);
                                if (r >= 0)
                                        r = sd_bus_message_exit_container(m);
                        } else
                                r = value_to_json(m, j);
                        if (r < 0)
                                return r;
                }
                if (r < 0)
                        return r;
                if (type == SD_BUS_TYPE_ARRAY)
                        dict ? json_object_end(j) : json_array_end(j);
                else if (type == SD_BUS_TYPE_STRUCT)
                        json_array_end(j);
                return sd_bus_message_exit_container(m);
        }

        if (strchr("sogbyqutnixd", type)) {
                Prop v = {};

                r = read_basic(m, type, &v);
                if (r < 0)
                        return r;
                prop_json(&v, j);
                if (v.type == VALUE_STRING)
                        free(v.str);
                return 0;
        }
        json_null(j);
        return sd_bus_message_skip(m, (char[]) { type, 0 });
}

static int read_value(sd_bus_message *m, const char *contents, Prop *p) {
        int r;

        if (contents[0] && !contents[1] && strchr("sogbyqutnixd", contents[0]))
                return read_basic(m, contents[0], p);

        if (streq(contents, "as") || streq(contents, "ao") || streq(contents, "ag")) {
                p->type = VALUE_STRV;
                p->strv = NULL;
                r = sd_bus_message_read_strv(m, &p->strv);
                return r < 0 ? r : 0;
        }

        /* A structure, a dictionary: kept as JSON, shown as it. */
        {
                _cleanup_free_ char *text = NULL;
                size_t size = 0;
                Json j;
                FILE *f = open_memstream(&text, &size);

                if (!f)
                        return -ENOMEM;
                json_init(&j, f, false);
                r = value_to_json(m, &j);
                if (fclose(f) != 0 && r >= 0)
                        r = -ENOMEM;
                if (r < 0)
                        return r;
                p->type = VALUE_OTHER;
                p->json = TAKE_PTR(text);
        }
        return 0;
}

static void prop_done(Prop *p) {
        free(p->name);
        if (p->type == VALUE_STRING)
                free(p->str);
        else if (p->type == VALUE_STRV)
                strv_free(p->strv);
        else if (p->type == VALUE_OTHER)
                free(p->json);
}

int props_read(sd_bus_message *m, PropList *l) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                const char *name, *contents;
                Prop p = {};

                r = sd_bus_message_enter_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, NULL, &contents);
                if (r < 0)
                        return r;
                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;

                p.name = strdup(name);
                if (!p.name)
                        return -ENOMEM;
                r = read_value(m, contents, &p);
                if (r < 0) {
                        prop_done(&p);
                        return r;
                }

                Prop *items = realloc(l->items, (l->n + 1) * sizeof(Prop));
                if (!items) {
                        prop_done(&p);
                        return -ENOMEM;
                }
                l->items = items;
                l->items[l->n++] = p;

                r = sd_bus_message_exit_container(m); /* v */
                if (r >= 0)
                        r = sd_bus_message_exit_container(m); /* e */
                if (r < 0)
                        return r;
        }
        return sd_bus_message_exit_container(m);
}

void props_done(PropList *l) {
        for (size_t i = 0; i < l->n; i++)
                prop_done(&l->items[i]);
        free(l->items);
        *l = (PropList) {};
}

const Prop *props_get(const PropList *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].name, name))
                        return &l->items[i];
        return NULL;
}

const char *props_string(const PropList *l, const char *name) {
        const Prop *p = props_get(l, name);
        return p && p->type == VALUE_STRING ? p->str : "";
}

uint64_t props_uint(const PropList *l, const char *name) {
        const Prop *p = props_get(l, name);
        return p && p->type == VALUE_UINT ? p->u : 0;
}

int64_t props_int(const PropList *l, const char *name) {
        const Prop *p = props_get(l, name);
        return p && p->type == VALUE_INT ? p->i : 0;
}

bool props_bool(const PropList *l, const char *name) {
        const Prop *p = props_get(l, name);
        return p && p->type == VALUE_BOOL && p->b;
}

char *const *props_strv(const PropList *l, const char *name) {
        static char *const empty[] = { NULL };
        const Prop *p = props_get(l, name);
        return p && p->type == VALUE_STRV && p->strv ? p->strv : empty;
}

char *prop_to_text(const Prop *p) {
        char *s = NULL;
        size_t size = 0;
        FILE *f;

        switch (p->type) {
        case VALUE_STRING:
                return strdup(isempty(p->str) ? "-" : p->str);
        case VALUE_BOOL:
                return strdup(p->b ? "yes" : "no");
        case VALUE_INT:
                return asprintf(&s, "%lld", (long long) p->i) < 0 ? NULL : s;
        case VALUE_UINT:
                return asprintf(&s, "%llu", (unsigned long long) p->u) < 0 ? NULL : s;
        case VALUE_DOUBLE:
                return asprintf(&s, "%g", p->d) < 0 ? NULL : s;
        case VALUE_STRV:
                if (!p->strv || !p->strv[0])
                        return strdup("-");
                f = open_memstream(&s, &size);
                if (!f)
                        return NULL;
                for (char **w = p->strv; *w; w++)
                        fprintf(f, "%s%s", w == p->strv ? "" : ", ", *w);
                fclose(f);
                return s;
        case VALUE_OTHER:
                return strdup(p->json ?: "?");
        }
        return strdup("?");
}

void prop_json(const Prop *p, Json *j) {
        switch (p->type) {
        case VALUE_STRING:
                json_string(j, p->str);
                break;
        case VALUE_BOOL:
                json_bool(j, p->b);
                break;
        case VALUE_INT:
                json_int(j, p->i);
                break;
        case VALUE_UINT:
                json_uint(j, p->u);
                break;
        case VALUE_DOUBLE:
                json_double(j, p->d);
                break;
        case VALUE_STRV:
                json_strv(j, p->strv);
                break;
        case VALUE_OTHER:
                if (p->json)
                        json_raw(j, p->json);
                else
                        json_null(j);
                break;
        }
}

void props_json_members(const PropList *l, Json *j) {
        for (size_t i = 0; i < l->n; i++) {
                json_key(j, l->items[i].name);
                prop_json(&l->items[i], j);
        }
}

void props_json(const PropList *l, Json *j) {
        json_object_begin(j);
        props_json_members(l, j);
        json_object_end(j);
}
