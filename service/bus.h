/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus edge: registering objects and answering calls. */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-writer.h"
#include "iface.h"
#include "manager.h"

/* Registers /org/wand/Router1 and the interface objects on m->bus. */
int manager_bus_register(Manager *m);
int iface_bus_register(Manager *m);

/* GetManagedObjects' array of objects ({oa{sa{sv}}}), what sd-bus's own
 * ObjectManager would write for them. Once the body is larger than max_size,
 * w stops appending and only counts. */
int iface_bus_write_managed_objects(BusWriter *w, Manager *m, uint64_t max_size);

/* Turns the state machine's outcome (r < 0, optional message) into the
 * contract's error for interface i: a decision (-WAND_E_…) its name, any
 * other value Failed (wand_error_set()). Returns r. */
int iface_bus_error(Iface *i, int r, const char *message, sd_bus_error *error);

/* What a handler returned, for sd-bus: r ≥ 0 and errors already set as they
 * are; any other r (a failure: memory, a message that could not be built)
 * becomes Failed, saying which method on which object failed and why.
 * Without this, sd-bus would name it after the errno value. */
int bus_method_result(const char *member, const char *path, int r, sd_bus_error *error);
int bus_property_result(const char *property, const char *path, int r, sd_bus_error *error);

/* Defines a method handler whose every failure reaches the caller with a
 * documented name: the body below the macro is the handler, and what it
 * returns goes through bus_method_result(). */
#define BUS_METHOD(name)                                                                                  \
        static int name##_body(sd_bus_message *m, void *userdata, sd_bus_error *error);                  \
        static int name(sd_bus_message *m, void *userdata, sd_bus_error *error) {                        \
                return bus_method_result(sd_bus_message_get_member(m), sd_bus_message_get_path(m),       \
                                         name##_body(m, userdata, error), error);                        \
        }                                                                                                 \
        static int name##_body(sd_bus_message *m, void *userdata, sd_bus_error *error)

/* Records how an authorized call ended in the audit trail (error NULL or
 * unset: it succeeded). */
void bus_audit_result(Manager *m, sd_bus_message *call, const char *interface, const sd_bus_error *error);

/* polkit details for an interface: interface=<name>, device=<Device>. */
#define IFACE_POLKIT_DETAILS(i) ((const char *const[]) { "interface", (i)->name, "device", (i)->settings.device, NULL })
