/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every interface's properties, as the clients (wandctl, libmprapi) list
 * them: from one GetManagedObjects, or, when wand refuses that reply as
 * larger than the bus passes in one message, the way org.wand.Router1(5)
 * says (ListInterfaces, then GetAll on each object path). */
#pragma once

#include <systemd/sd-bus.h>

/* Called once per interface with m at its org.wand.Router1.Interface
 * properties (an a{sv}), which it reads, all of it; path is the interface's
 * object path. Strings read from m and path live until it returns. A
 * negative return stops the walk and is returned. */
typedef int (*WandIfaceFunc)(sd_bus_message *m, const char *path, void *userdata);

/* One object's interfaces (an a{sa{sv}}, as in GetManagedObjects and
 * InterfacesAdded): f for org.wand.Router1.Interface's properties, the
 * others skipped. */
int wand_object_read(sd_bus_message *m, const char *path, WandIfaceFunc f, void *userdata);

/* Calls f for every interface, in no particular order. GetManagedObjects
 * failing with LimitsExceeded, and only that, makes it read each interface
 * on its own; one deleted meanwhile (InvalidHandle, UnknownObject) is left
 * out, as GetManagedObjects would have. On failure, error is set when wand
 * (or the bus) answered with one. */
int wand_interfaces_read(sd_bus *bus, WandIfaceFunc f, void *userdata, sd_bus_error *error);
