/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading wand's objects: every interface (GetManagedObjects, or one GetAll
 * each when wand refuses that as too large), one interface or the manager
 * (GetAll). */
#pragma once

#include <stddef.h>
#include <systemd/sd-bus.h>

#include "props.h"

typedef struct IfaceObject {
        char *path;
        char *name;
        PropList props;
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

/* GetAll of one interface on one object. */
int object_get_props(sd_bus *bus, const char *path, const char *interface, PropList *ret, sd_bus_error *error);
