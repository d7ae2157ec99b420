/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Appends to a D-Bus message and counts its wire size as it goes. */
#include <string.h>

#include "bus-writer.h"
#include "macro.h"

#define ALIGN_TO(n, a) (((n) + (a) - 1) & ~((uint64_t) (a) - 1))

/* The marshalling alignment of a type (the D-Bus specification's table). */
static unsigned alignment_of(char type) {
        switch (type) {
        case SD_BUS_TYPE_BYTE:
        case SD_BUS_TYPE_SIGNATURE:
        case SD_BUS_TYPE_VARIANT:
                return 1;
        case SD_BUS_TYPE_INT16:
        case SD_BUS_TYPE_UINT16:
                return 2;
        case SD_BUS_TYPE_INT64:
        case SD_BUS_TYPE_UINT64:
        case SD_BUS_TYPE_DOUBLE:
        case SD_BUS_TYPE_STRUCT_BEGIN:
        case SD_BUS_TYPE_DICT_ENTRY_BEGIN:
                return 8;
        default: /* boolean, int32, uint32, unix fd, string, object path, array */
                return 4;
        }
}

void bus_writer_append(BusWriter *w, char type, const void *p) {
        if (w->r < 0)
                return;
        switch (type) {
        case SD_BUS_TYPE_STRING:
        case SD_BUS_TYPE_OBJECT_PATH:
                w->size = ALIGN_TO(w->size, 4) + 4 + strlen(p) + 1;
                break;
        case SD_BUS_TYPE_SIGNATURE:
                w->size += 1 + strlen(p) + 1;
                break;
        default: /* fixed size: as large as it is aligned */
                w->size = ALIGN_TO(w->size, alignment_of(type)) + alignment_of(type);
        }
        if (w->m)
                w->r = sd_bus_message_append_basic(w->m, type, p);
}

void bus_writer_append_known_string(BusWriter *w, const char *s) {
        size_t n = strlen(s);
        char *p;

        if (w->r < 0)
                return;
        w->size = ALIGN_TO(w->size, 4) + 4 + n + 1;
        if (!w->m)
                return;
        w->r = sd_bus_message_append_string_space(w->m, n, &p);
        if (w->r >= 0)
                memcpy(p, s, n);
}

void bus_writer_append_strv(BusWriter *w, const char *const *l) {
        bus_writer_open(w, SD_BUS_TYPE_ARRAY, "s");
        for (; l && *l; l++)
                bus_writer_append(w, SD_BUS_TYPE_STRING, *l);
        bus_writer_close(w);
}

void bus_writer_open(BusWriter *w, char type, const char *contents) {
        if (w->r < 0)
                return;
        switch (type) {
        case SD_BUS_TYPE_ARRAY:
                /* the length, then padding to the elements' alignment, even
                 * when there are none */
                w->size = ALIGN_TO(ALIGN_TO(w->size, 4) + 4, alignment_of(contents[0]));
                break;
        case SD_BUS_TYPE_VARIANT:
                w->size += 1 + strlen(contents) + 1;
                break;
        default: /* struct, dict entry */
                w->size = ALIGN_TO(w->size, 8);
        }
        if (w->m)
                w->r = sd_bus_message_open_container(w->m, type, contents);
}

void bus_writer_close(BusWriter *w) {
        if (w->r >= 0 && w->m)
                w->r = sd_bus_message_close_container(w->m);
}

uint64_t bus_reply_size(sd_bus_message *call, const char *signature, uint64_t body_size) {
        const char *destination = sd_bus_message_get_sender(call);
        /* Each field is a struct (code, variant): 8-aligned; the code and the
         * variant's one-letter signature take 4 bytes. */
        uint64_t fields = 4 + 4; /* REPLY_SERIAL: uint32 */

        if (destination)
                fields = ALIGN_TO(fields, 8) + 4 + 4 + strlen(destination) + 1;
        if (!isempty(signature))
                fields = ALIGN_TO(fields, 8) + 4 + 1 + strlen(signature) + 1;
        /* the fixed header: endianness, type, flags, version, body length,
         * serial, the fields' array length */
        return 16 + ALIGN_TO(fields, 8) + body_size;
}
