/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading every interface: GetManagedObjects, or its documented fallback. */
#include "macro.h"
#include "names.h"
#include "wand-errors.h"
#include "wand-objects.h"

#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

/* One object's a{sa{sv}}: org.wand.Router1.Interface's to f, the rest
 * skipped. */
static int read_object(sd_bus_message *m, const char *path, WandIfaceFunc f, void *userdata) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
                const char *interface;

                r = sd_bus_message_read(m, "s", &interface);
                if (r < 0)
                        return r;
                if (streq(interface, WAND_INTERFACE_INTERFACE))
                        r = f(m, path, userdata);
                else
                        r = sd_bus_message_skip(m, "a{sv}");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int read_managed_objects(sd_bus_message *reply, WandIfaceFunc f, void *userdata) {
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
                const char *path;

                r = sd_bus_message_read(reply, "o", &path);
                if (r >= 0)
                        r = read_object(reply, path, f, userdata);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

/* GetAll on the interface at path; 0 when it is gone. */
static int read_one(sd_bus *bus, const char *path, WandIfaceFunc f, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, WAND_BUS_NAME, path, PROPERTIES_INTERFACE, "GetAll", error, &reply, "s",
                               WAND_INTERFACE_INTERFACE);
        if (r < 0) {
                /* Deleted since ListInterfaces: GetManagedObjects would not
                 * have had it either. */
                if (sd_bus_error_has_names(error, WAND_ERROR_INVALID_HANDLE, SD_BUS_ERROR_UNKNOWN_OBJECT)) {
                        sd_bus_error_free(error);
                        return 0;
                }
                return r;
        }
        return f(reply, path, userdata);
}

/* The fallback: ListInterfaces, then each interface on its own. */
static int read_each(sd_bus *bus, WandIfaceFunc f, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *list = NULL;
        const char *name, *path, *state;
        int r;

        r = sd_bus_call_method(bus, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, "ListInterfaces", error,
                               &list, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(list, 'a', "(sos)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(list, "(sos)", &name, &path, &state)) > 0) {
                r = read_one(bus, path, f, userdata, error);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(list);
}

int wand_interfaces_read(sd_bus *bus, WandIfaceFunc f, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, WAND_BUS_NAME, WAND_MANAGER_PATH, OBJECT_MANAGER_INTERFACE, "GetManagedObjects",
                               error, &reply, NULL);
        if (r >= 0)
                return read_managed_objects(reply, f, userdata);
        /* The reply would be larger than the bus passes (GetManagedObjects
         * needs no authorization, so it is not polkit's cap): what wand's
         * error message and org.wand.Router1(5) say to do instead. */
        if (!sd_bus_error_has_name(error, SD_BUS_ERROR_LIMITS_EXCEEDED))
                return r;
        sd_bus_error_free(error);
        return read_each(bus, f, userdata, error);
}
