/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading wand's objects: every interface (GetManagedObjects, or one GetAll
 * each when wand refuses that as too large), one interface or the manager
 * (GetAll). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "props.h"

typedef struct IfaceObject {
        char *path;
        char *name;
        PropList props;
        /* The serial of wand's reply it was read from: a signal wand sent
         * before it (a lower serial from the same sender) is older than
         * what was read. */
        uint64_t cookie;
        char *sender;
} IfaceObject;

typedef struct IfaceObjects {
        IfaceObject *items;
        size_t n;
} IfaceObjects;

/* Every interface, sorted by name. On failure error is set when the service
 * answered with one. */
int objects_get_all(sd_bus *bus, IfaceObjects *ret, sd_bus_error *error);
void objects_done(IfaceObjects *o);

/* Appends the interface called name to list. */
int objects_get_one(sd_bus *bus, const char *name, IfaceObjects *list, sd_bus_error *error);

/* GetAll of one interface on one object; ret_cookie and ret_sender (may
 * be NULL) say which reply of whom it was read from. */
int object_get_props(sd_bus *bus, const char *path, const char *interface, PropList *ret, sd_bus_error *error);
int object_get_props_from(sd_bus *bus, const char *path, const char *interface, PropList *ret, uint64_t *ret_cookie,
                          char **ret_sender, sd_bus_error *error);

/* Whether a signal m of wand's was sent before the reply the object was
 * read from (and so is already in what was read). */
bool object_is_newer_than(uint64_t cookie, const char *sender, sd_bus_message *m);
