/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.wand.Router1.Manager and the ObjectManager on /org/wand/Router1. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "bus.h"
#include "build-config.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "names.h"
#include "polkit.h"
#include "settings-bus.h"
#include "wand-errors.h"

#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

BUS_METHOD(method_get_interface_by_name) {
        Manager *manager = userdata;
        const char *name;
        Iface *i;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        if (!interface_name_is_valid(name))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "\"%s\" is not a valid interface name (1-64 characters of A-Z a-z 0-9 _ . -, "
                                         "not starting with . or -).",
                                         name);
        i = manager_find_iface(manager, name);
        if (!i)
                return sd_bus_error_setf(error, WAND_ERROR_NO_SUCH_INTERFACE, "There is no WAN interface called %s.", name);
        return sd_bus_reply_method_return(m, "o", i->path);
}

typedef struct ListBuilder {
        sd_bus_message *reply;
        int error;
} ListBuilder;

static void append_iface(Iface *i, void *userdata) {
        ListBuilder *b = userdata;
        if (b->error >= 0)
                b->error = sd_bus_message_append(b->reply, "(sos)", i->name, i->path, iface_state_to_string(i->state));
}

BUS_METHOD(method_list_interfaces) {
        Manager *manager = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        ListBuilder b = {};
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sos)");
        if (r < 0)
                return r;
        b.reply = reply;
        manager_foreach_iface(manager, append_iface, &b);
        if (b.error < 0)
                return b.error;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

BUS_METHOD(method_create_interface) {
        Manager *manager = userdata;
        _cleanup_(settings_done) Settings s;
        const char *name, *action;
        Iface *i;
        int r;

        settings_init(&s);
        /* The handler runs again once polkit has answered: read from the top. */
        r = sd_bus_message_rewind(m, true);
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        if (!interface_name_is_valid(name))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "\"%s\" is not a valid interface name (1-64 characters of A-Z a-z 0-9 _ . -, "
                                         "not starting with . or -).",
                                         name);
        r = settings_from_bus_message(m, &s, &action, error);
        if (r < 0)
                return r;

        r = polkit_check(manager->polkit, m, action,
                         (const char *const[]) { "interface", name, "device", s.device, NULL }, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        if (manager_find_iface(manager, name))
                r = sd_bus_error_setf(error, WAND_ERROR_INTERFACE_ALREADY_EXISTS, "A WAN interface called %s already exists.",
                                      name);
        else {
                r = manager_create_iface(manager, name, &s, &i);
                if (r == -WAND_E_INTERFACE_ALREADY_EXISTS)
                        sd_bus_error_setf(error, WAND_ERROR_INTERFACE_ALREADY_EXISTS,
                                          "A configuration file for %s already exists in %s/interfaces; Reload() to load it.",
                                          name, manager->config_dir);
                else if (r < 0)
                        /* The file system failed: IOError, as from
                         * SetEnabled() and Delete(). */
                        sd_bus_error_setf(error, SD_BUS_ERROR_IO_ERROR,
                                          "Could not save the configuration of %s in %s/interfaces: %s. Nothing was created.",
                                          name, manager->config_dir, wand_strerror(r));
        }
        bus_audit_result(manager, m, name, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "o", i->path);
}

BUS_METHOD(method_start_ddm) {
        Manager *manager = userdata;
        int r;

        r = polkit_check(manager->polkit, m, "org.wand.Router1.control", NULL, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        r = manager_start_ddm(manager);
        if (r < 0)
                return r;
        bus_audit_result(manager, m, NULL, NULL);
        return sd_bus_reply_method_return(m, NULL);
}

static void stop_done(Manager *manager, int r, void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *m = userdata;

        if (r < 0) {
                wand_error_set(&error, r, "Stopping the demand-dial manager failed: %s", wand_strerror(r));
                (void) sd_bus_reply_method_error(m, &error);
        } else
                (void) sd_bus_reply_method_return(m, NULL);
        bus_audit_result(manager, m, NULL, &error);
        sd_bus_message_unref(m);
}

BUS_METHOD(method_stop_ddm) {
        Manager *manager = userdata;
        int r;

        r = polkit_check(manager->polkit, m, "org.wand.Router1.control", NULL, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        r = manager_stop_ddm(manager, stop_done, sd_bus_message_ref(m));
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }
        return 1;
}

static void reload_done(Manager *manager, int r, void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *m = userdata;

        if (r < 0) {
                sd_bus_error_setf(&error, SD_BUS_ERROR_FAILED,
                                  "The configuration in %s was read, but not every interface could be added: %s. See the "
                                  "service's log.",
                                  manager->config_dir, wand_strerror(r));
                (void) sd_bus_reply_method_error(m, &error);
        } else
                (void) sd_bus_reply_method_return(m, NULL);
        bus_audit_result(manager, m, NULL, &error);
        sd_bus_message_unref(m);
}

BUS_METHOD(method_reload) {
        Manager *manager = userdata;
        int r;

        r = polkit_check(manager->polkit, m, "org.wand.Router1.configure", NULL, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        /* Replies once the teardowns the new configuration calls for have
         * ended. */
        r = manager_reload(manager, reload_done, sd_bus_message_ref(m));
        if (r < 0) {
                sd_bus_message_unref(m);
                r = sd_bus_error_setf(error, SD_BUS_ERROR_IO_ERROR, "Could not read the configuration in %s: %s",
                                      manager->config_dir, strerror(-r));
                bus_audit_result(manager, m, NULL, error);
                return r;
        }
        return 1;
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return bus_property_result(property, path, sd_bus_message_append(reply, "s", WAND_VERSION), error);
}

static int property_get_ddm(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *manager = userdata;
        return bus_property_result(property, path, sd_bus_message_append(reply, "s", manager->running ? "running" : "stopped"),
                                   error);
}

static int property_get_refused_files(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *manager = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ss)");
        for (size_t k = 0; r >= 0 && k < manager->n_refused; k++)
                r = sd_bus_message_append(reply, "(ss)", manager->refused[k].file, manager->refused[k].why);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),

        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("DemandDialManager", "s", property_get_ddm, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("RefusedFiles", "a(ss)", property_get_refused_files, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

        SD_BUS_METHOD_WITH_ARGS("GetInterfaceByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", path),
                                method_get_interface_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListInterfaces", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sos)", interfaces),
                                method_list_interfaces, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CreateInterface", SD_BUS_ARGS("s", name, "a{sv}", settings), SD_BUS_RESULT("o", path),
                                method_create_interface, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("StartDemandDialManager", NULL, NULL, method_start_ddm, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("StopDemandDialManager", NULL, NULL, method_stop_ddm, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", NULL, NULL, method_reload, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_VTABLE_END
};

void manager_send_ddm_changed(Manager *m) {
        int r;

        if (!m->bus || !m->published)
                return;
        r = sd_bus_emit_properties_changed(m->bus, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, "DemandDialManager", NULL);
        if (r < 0)
                log_warning_errno(r, "Failed to announce the demand-dial manager's state: %m");
}

void manager_send_refused_changed(Manager *m) {
        int r;

        if (!m->bus || !m->published)
                return;
        r = sd_bus_emit_properties_changed(m->bus, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, "RefusedFiles", NULL);
        if (r < 0)
                log_warning_errno(r, "Failed to announce the refused configuration files: %m");
}

int manager_bus_iface_added(Manager *m, Iface *i) {
        if (!m->bus || !m->published)
                return 0;
        return sd_bus_emit_object_added(m->bus, i->path);
}

int manager_bus_iface_removed(Manager *m, Iface *i) {
        if (!m->bus || !m->published)
                return 0;
        return sd_bus_emit_object_removed(m->bus, i->path);
}

/* GetManagedObjects, in place of sd-bus's generic ObjectManager, which at
 * 10,000 interfaces cost wand 60-80 ms of CPU per call: it enumerates every
 * path, finds each object again through the fallback's find callback and
 * appends each entry through format strings. This walks the interfaces once
 * and writes the same reply (tests/service/test-objects.c compares the two).
 * It also counts the reply's size: dbus-daemon drops the connection of a
 * sender whose message passes its max_message_size, which would take wand
 * off the bus, so a reply too large is refused instead. Anything else on this
 * path (Introspect, Properties, the signals) stays sd-bus's. */
BUS_METHOD(method_get_managed_objects) {
        Manager *manager = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *interface = sd_bus_message_get_interface(m);
        BusWriter w = {};
        uint64_t size;
        int r;

        if (!sd_bus_message_is_method_call(m, NULL, "GetManagedObjects") ||
            !streq(interface ?: OBJECT_MANAGER_INTERFACE, OBJECT_MANAGER_INTERFACE))
                return 0;
        if (!sd_bus_message_has_signature(m, ""))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Expected no parameters");

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        w.m = reply;
        r = iface_bus_write_managed_objects(&w, manager, manager->bus_max_message_size);
        if (r < 0)
                return r;
        size = bus_reply_size(m, "a{oa{sa{sv}}}", w.size);
        log_debug("GetManagedObjects: %zu interfaces, a reply of %" PRIu64 " bytes.", manager->n_ifaces, size);
        if (size > manager->bus_max_message_size)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "The reply would be %" PRIu64 " bytes (%zu WAN interfaces), more than the %" PRIu64
                                         " bytes the system bus passes in one message. Call "
                                         "org.wand.Router1.Manager.ListInterfaces, then "
                                         "org.freedesktop.DBus.Properties.GetAll on each object path.",
                                         size, manager->n_ifaces, manager->bus_max_message_size);
        return sd_bus_send(NULL, reply, NULL);
}

int manager_bus_register(Manager *m) {
        int r;

        r = sd_bus_add_object_vtable(m->bus, NULL, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, manager_vtable, m);
        if (r < 0)
                return r;
        r = sd_bus_add_object_manager(m->bus, NULL, WAND_MANAGER_PATH);
        if (r < 0)
                return r;
        /* Runs before sd-bus's own handlers on this path. */
        r = sd_bus_add_object(m->bus, NULL, WAND_MANAGER_PATH, method_get_managed_objects, m);
        if (r < 0)
                return r;
        return iface_bus_register(m);
}
