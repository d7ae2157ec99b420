/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who really sent a signal. The bus hands wand a signal addressed to it
 * (unicast) from any client, whatever wand's match rules say: those filter
 * only broadcasts. And sd-bus, matching a rule's sender='well.known.Name'
 * locally, lets a message from any unique name through, since it cannot know
 * who owns the name. So every signal wand acts on is checked here against
 * its real sender: the bus driver itself, or the unique name that owns a
 * peer's well-known name, as the driver last told. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "macro.h"

#define BUS_DRIVER "org.freedesktop.DBus"

/* Only the driver sends as org.freedesktop.DBus: no client may own it. */
static inline bool bus_message_from_driver(sd_bus_message *m) {
        return streq_ptr(sd_bus_message_get_sender(m), BUS_DRIVER);
}

/* owner: a unique name, or NULL when none is known (nothing matches). */
static inline bool bus_message_from(sd_bus_message *m, const char *owner) {
        return owner && streq_ptr(sd_bus_message_get_sender(m), owner);
}
