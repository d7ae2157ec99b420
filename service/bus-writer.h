/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Appends to a D-Bus message and counts the bytes it takes on the wire, so a
 * reply's size is known before it is sent (the bus drops the connection of a
 * sender whose message is too large). */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

typedef struct BusWriter {
        sd_bus_message *m;  /* NULL: count only */
        uint64_t size;      /* body bytes so far (dbus1 marshalling) */
        int r;              /* the first failure; nothing is appended after it */
} BusWriter;

/* As sd_bus_message_append_basic(): p is the string itself for s, o and g. */
void bus_writer_append(BusWriter *w, char type, const void *p);
/* A string wand knows to be valid UTF-8 without a NUL inside: a constant,
 * or a name checked when it was configured (interface_name_is_valid()).
 * Copied into the message without sd-bus checking it again, which is an
 * eighth of what GetManagedObjects costs. */
void bus_writer_append_known_string(BusWriter *w, const char *s);
void bus_writer_append_strv(BusWriter *w, const char *const *l);
void bus_writer_open(BusWriter *w, char type, const char *contents);
void bus_writer_close(BusWriter *w);

/* The whole size of a method return to call with this signature and body:
 * the header with the fields sd-bus gives a reply (REPLY_SERIAL, DESTINATION
 * when the call has a sender, SIGNATURE), padded to 8, then the body. */
uint64_t bus_reply_size(sd_bus_message *call, const char *signature, uint64_t body_size);
