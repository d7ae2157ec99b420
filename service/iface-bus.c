/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.wand.Router1.Interface: one object per WAN interface under
 * /org/wand/Router1/interface/<label>, served by a fallback vtable, with
 * InvalidHandle for any path there that names no interface. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "log.h"
#include "macro.h"
#include "names.h"
#include "polkit.h"
#include "settings-bus.h"
#include "wand-errors.h"

int iface_bus_error(Iface *i, int r, const char *message, sd_bus_error *error) {
        const char *reasons[IFACE_REASONS_MAX + 1], *owners[3];
        _cleanup_free_ char *joined = NULL;
        size_t len = 0;

        if (message)
                return wand_error_set(error, r, "%s", message);

        switch (r) {
        case -WAND_E_DDM_NOT_RUNNING:
                return wand_error_set(error, r,
                                      "The demand-dial manager is stopped; start it with StartDemandDialManager() "
                                      "(wandctl manager start).");
        case -WAND_E_INTERFACE_NOT_CONNECTED:
                return wand_error_set(error, r, "%s is not connected (it is %s).", i->name, iface_state_to_string(i->state));
        case -WAND_E_ALREADY_CONNECTED:
                return wand_error_set(error, r, "%s is already connected.", i->name);
        case -WAND_E_INTERFACE_DISABLED:
                return wand_error_set(error, r, "%s is disabled; enable it with SetEnabled(true) first.", i->name);
        case -WAND_E_INTERFACE_UNREACHABLE:
                iface_reasons_to_strv(i->reasons, reasons);
                for (size_t k = 0; reasons[k]; k++)
                        len += strlen(reasons[k]) + 2;
                joined = calloc(1, len + 1);
                if (joined)
                        for (size_t k = 0; reasons[k]; k++) {
                                if (k > 0)
                                        strcat(joined, ", ");
                                strcat(joined, reasons[k]);
                        }
                if (i->reasons & IFACE_REASON_NO_DEVICE)
                        return wand_error_set(error, r, "%s is unreachable: device %s does not exist.", i->name,
                                              i->settings.device);
                if (i->reasons & IFACE_REASON_MANAGED_ELSEWHERE) {
                        link_owners_to_strv(i->managed_by, owners);
                        return wand_error_set(error, r,
                                              "%s is unreachable: its device %s is managed by %s%s%s. Set ClaimDevice=yes "
                                              "(wandctl set %s --claim-device, or in its file and reload) to hand it to wand%s.",
                                              i->name, i->settings.device, strna(owners[0]), owners[1] ? " and " : "",
                                              strempty(owners[1]), i->name,
                                              i->settings.claim_device ? "; wand has asked for it already, try again in a "
                                                                         "moment" : "");
                }
                return wand_error_set(error, r, "%s is unreachable (%s).", i->name, strempty(joined));
        case -WAND_E_INTERFACE_CONNECTED:
                return wand_error_set(error, r, "%s is %s; disconnect it first.", i->name, iface_state_to_string(i->state));
        default:
                /* Another decision, or a failure: Failed. */
                return wand_error_set(error, r, "%s: %s.", i->name, wand_strerror(r));
        }
}

void bus_audit_result(Manager *m, sd_bus_message *call, const char *interface, const sd_bus_error *error) {
        AuditCaller caller;

        polkit_take_caller(m->polkit, call, &caller);
        audit_result(call, &caller, interface, error);
}

/* An operation the caller waits for has ended: answer it. */
static void reply_when_done(Iface *i, int r, const char *message, void *userdata) {
        sd_bus_message *m = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        if (r >= 0)
                (void) sd_bus_reply_method_return(m, NULL);
        else {
                iface_bus_error(i, r, message, &error);
                (void) sd_bus_reply_method_error(m, &error);
        }
        bus_audit_result(i->manager, m, i->name, &error);
        sd_bus_message_unref(m);
}

/* The state refused what was authorized: the caller's answer and the audit
 * trail's. */
static int refused(Iface *i, sd_bus_message *m, int r, sd_bus_error *error) {
        r = iface_bus_error(i, r, NULL, error);
        bus_audit_result(i->manager, m, i->name, error);
        return r;
}

BUS_METHOD(method_connect) {
        Iface *i = userdata;
        int r;

        r = polkit_check(i->manager->polkit, m, "org.wand.Router1.connect", IFACE_POLKIT_DETAILS(i), error);
        if (r <= 0)
                return r < 0 ? r : 1;

        r = iface_connect(i, reply_when_done, sd_bus_message_ref(m));
        if (r < 0) {
                sd_bus_message_unref(m);
                return refused(i, m, r, error);
        }
        return 1;
}

BUS_METHOD(method_disconnect) {
        Iface *i = userdata;
        int r;

        r = polkit_check(i->manager->polkit, m, "org.wand.Router1.disconnect", IFACE_POLKIT_DETAILS(i), error);
        if (r <= 0)
                return r < 0 ? r : 1;

        r = iface_disconnect(i, reply_when_done, sd_bus_message_ref(m));
        if (r < 0) {
                sd_bus_message_unref(m);
                return refused(i, m, r, error);
        }
        return 1;
}

BUS_METHOD(method_set_enabled) {
        Iface *i = userdata;
        int enabled, r;

        /* The handler runs again once polkit has answered: read from the top. */
        r = sd_bus_message_rewind(m, true);
        if (r >= 0)
                r = sd_bus_message_read(m, "b", &enabled);
        if (r < 0)
                return r;

        r = polkit_check(i->manager->polkit, m, "org.wand.Router1.configure", IFACE_POLKIT_DETAILS(i), error);
        if (r <= 0)
                return r < 0 ? r : 1;

        r = manager_set_iface_enabled_async(i->manager, i, enabled, reply_when_done, sd_bus_message_ref(m));
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }
        return 1;
}

BUS_METHOD(method_get_settings) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Iface *i = userdata;
        bool privileged;
        int r;

        /* A command line may hold a secret: not for everyone to read, and
         * not even for everyone who may configure the interface. Whether
         * the caller may also see them is asked without interaction, so
         * that reading costs one password prompt at most. */
        r = polkit_check_also(i->manager->polkit, m, WAND_ACTION_CONFIGURE, IFACE_POLKIT_DETAILS(i),
                              WAND_ACTION_CONFIGURE_PRIVILEGED, &privileged, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = settings_append_to_bus_message(reply, iface_configured_settings(i), privileged);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

BUS_METHOD(method_update_settings) {
        _cleanup_(settings_done) Settings s;
        Iface *i = userdata;
        const char *action;
        int r;

        /* The handler runs again once polkit has answered: read from the
         * top, onto the settings as they are then. */
        settings_init(&s);
        r = settings_copy(&s, iface_configured_settings(i));
        if (r < 0)
                return r;
        r = sd_bus_message_rewind(m, true);
        if (r < 0)
                return r;
        r = settings_update_from_bus_message(m, &s, &action, error);
        if (r < 0)
                return r;

        /* The device now and the one asked for: a rule may restrict both
         * (a new Device can point the interface at any NIC). */
        r = polkit_check(i->manager->polkit, m, action,
                         (const char *const[]) { "interface", i->name, "device", i->settings.device, "new-device",
                                                 s.device, NULL },
                         error);
        if (r <= 0)
                return r < 0 ? r : 1;

        r = manager_update_iface_settings_async(i->manager, i, &s, reply_when_done, sd_bus_message_ref(m));
        if (r < 0) {
                sd_bus_message_unref(m);
                return r;
        }
        return 1;
}

BUS_METHOD(method_delete) {
        Iface *i = userdata;
        Manager *manager;
        _cleanup_free_ char *name = NULL;
        int r;

        r = polkit_check(i->manager->polkit, m, "org.wand.Router1.configure", IFACE_POLKIT_DETAILS(i), error);
        if (r <= 0)
                return r < 0 ? r : 1;

        if (!iface_is_idle(i))
                return refused(i, m, -WAND_E_INTERFACE_CONNECTED, error);

        name = strdup(i->name);
        if (!name)
                return -ENOMEM;
        manager = i->manager;
        r = manager_delete_iface(manager, i);
        if (r < 0)
                sd_bus_error_setf(error, SD_BUS_ERROR_IO_ERROR,
                                  "Could not remove the configuration of %s: %s. Nothing was changed.", name, strerror(-r));
        bus_audit_result(manager, m, name, error);
        return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

/* Each property's value, written through a BusWriter so that Get, GetAll and
 * our GetManagedObjects share it and the latter can count its size. */
static void write_name(BusWriter *w, const Iface *i) {
        bus_writer_append_known_string(w, i->name); /* interface_name_is_valid() */
}

static void write_device(BusWriter *w, const Iface *i) {
        bus_writer_append(w, SD_BUS_TYPE_STRING, i->settings.device);
}

static void write_ifindex(BusWriter *w, const Iface *i) {
        bus_writer_append(w, SD_BUS_TYPE_INT32, &i->ifindex);
}

static void write_state(BusWriter *w, const Iface *i) {
        bus_writer_append_known_string(w, iface_state_to_string(i->state));
}

static void write_enabled(BusWriter *w, const Iface *i) {
        int b = i->settings.enabled;
        bus_writer_append(w, SD_BUS_TYPE_BOOLEAN, &b);
}

static void write_persistent(BusWriter *w, const Iface *i) {
        int b = i->settings.persistent;
        bus_writer_append(w, SD_BUS_TYPE_BOOLEAN, &b);
}

static void write_reasons(BusWriter *w, const Iface *i) {
        const char *reasons[IFACE_REASONS_MAX + 1];

        iface_reasons_to_strv(i->state == IFACE_UNREACHABLE ? i->reasons : 0, reasons);
        bus_writer_append_strv(w, reasons);
}

static void write_last_error(BusWriter *w, const Iface *i) {
        bus_writer_append(w, SD_BUS_TYPE_STRING, strempty(i->last_error));
}

static void write_last_error_reason(BusWriter *w, const Iface *i) {
        bus_writer_append_known_string(w, iface_failure_to_string(i->last_error_reason));
}

static void write_connected_since(BusWriter *w, const Iface *i) {
        bus_writer_append(w, SD_BUS_TYPE_UINT64, &i->connected_since);
}

static void write_instance_id(BusWriter *w, const Iface *i) {
        bus_writer_append(w, SD_BUS_TYPE_UINT64, &i->instance_id);
}

static void write_managed_by(BusWriter *w, const Iface *i) {
        const char *owners[3];

        link_owners_to_strv(i->managed_by, owners);
        bus_writer_append_strv(w, owners);
}

typedef void (*PropertyWriter)(BusWriter *w, const Iface *i);

static const struct {
        const char *name;
        PropertyWriter write;
} property_writers[] = {
        { "Name", write_name },
        { "Device", write_device },
        { "IfIndex", write_ifindex },
        { "State", write_state },
        { "Enabled", write_enabled },
        { "Persistent", write_persistent },
        { "UnreachabilityReasons", write_reasons },
        { "LastError", write_last_error },
        { "ConnectedSince", write_connected_since },
        { "InstanceId", write_instance_id },
        { "ManagedBy", write_managed_by },
        { "LastErrorReason", write_last_error_reason },
};

static PropertyWriter property_writer(const char *name) {
        for (size_t k = 0; k < ELEMENTSOF(property_writers); k++)
                if (streq(property_writers[k].name, name))
                        return property_writers[k].write;
        return NULL;
}

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        PropertyWriter write = property_writer(property);
        BusWriter w = { .m = reply };

        if (!write)
                return bus_property_result(property, path, -ENOENT, error);
        write(&w, userdata);
        return bus_property_result(property, path, w.r, error);
}

/* The vtable says which properties there are and in which order, for
 * GetAll(), PropertiesChanged and InterfacesAdded as for our
 * GetManagedObjects (iface_bus_write_managed_object()). */
static const sd_bus_vtable iface_vtable[] = {
        SD_BUS_VTABLE_START(0),

        SD_BUS_PROPERTY("Name", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Device", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("IfIndex", "i", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Enabled", "b", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Persistent", "b", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("UnreachabilityReasons", "as", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastError", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ConnectedSince", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("InstanceId", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ManagedBy", "as", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastErrorReason", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

        SD_BUS_METHOD("Connect", NULL, NULL, method_connect, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Disconnect", NULL, NULL, method_disconnect, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetEnabled", SD_BUS_ARGS("b", enabled), SD_BUS_NO_RESULT, method_set_enabled,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Delete", NULL, NULL, method_delete, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetSettings", SD_BUS_NO_ARGS, SD_BUS_RESULT("a{sv}", settings), method_get_settings,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("UpdateSettings", SD_BUS_ARGS("a{sv}", settings), SD_BUS_NO_RESULT,
                                method_update_settings, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_VTABLE_END
};

void iface_send_changed(Iface *i, unsigned props) {
        const char *names[12];
        size_t n = 0;
        int r;

        if (!i->manager->bus || !i->manager->published)
                return;

        /* Device and Persistent too (wand's addition: the contract had them
         * EmitsChangedSignal=false), with their values, so that a client
         * following the signals sees what UpdateSettings() or a Reload did. */
        if (props & IFACE_PROP_DEVICE)
                names[n++] = "Device";
        if (props & IFACE_PROP_PERSISTENT)
                names[n++] = "Persistent";
        if (props & IFACE_PROP_IFINDEX)
                names[n++] = "IfIndex";
        if (props & IFACE_PROP_STATE)
                names[n++] = "State";
        if (props & IFACE_PROP_ENABLED)
                names[n++] = "Enabled";
        if (props & IFACE_PROP_REASONS)
                names[n++] = "UnreachabilityReasons";
        if (props & IFACE_PROP_LAST_ERROR)
                names[n++] = "LastError";
        if (props & IFACE_PROP_CONNECTED_SINCE)
                names[n++] = "ConnectedSince";
        if (props & IFACE_PROP_MANAGED_BY)
                names[n++] = "ManagedBy";
        if (props & IFACE_PROP_LAST_ERROR_REASON)
                names[n++] = "LastErrorReason";
        names[n] = NULL;
        if (n == 0)
                return;

        r = sd_bus_emit_properties_changed_strv(i->manager->bus, i->path, WAND_INTERFACE_INTERFACE, (char **) names);
        if (r < 0)
                log_warning_errno(r, "%s: failed to announce property changes: %m", i->name);
}

typedef struct ObjectsWriter {
        BusWriter *w;
        uint64_t max_size;
        size_t n;
        const char *names[16];      /* iface_vtable's properties, in its order */
        const char *signatures[16];
        PropertyWriter writers[16];
} ObjectsWriter;

/* One object's entry as sd-bus's ObjectManager writes it: the standard
 * interfaces sd-bus serves on every object, with no properties, then ours. */
static void write_managed_object(Iface *i, void *userdata) {
        static const char *const standard[] = {
                "org.freedesktop.DBus.Peer",
                "org.freedesktop.DBus.Introspectable",
                "org.freedesktop.DBus.Properties",
        };
        ObjectsWriter *o = userdata;
        BusWriter *w = o->w;

        bus_writer_open(w, SD_BUS_TYPE_DICT_ENTRY, "oa{sa{sv}}");
        bus_writer_append(w, SD_BUS_TYPE_OBJECT_PATH, i->path);
        bus_writer_open(w, SD_BUS_TYPE_ARRAY, "{sa{sv}}");
        for (size_t k = 0; k < ELEMENTSOF(standard); k++) {
                bus_writer_open(w, SD_BUS_TYPE_DICT_ENTRY, "sa{sv}");
                bus_writer_append_known_string(w, standard[k]);
                bus_writer_open(w, SD_BUS_TYPE_ARRAY, "{sv}");
                bus_writer_close(w);
                bus_writer_close(w);
        }
        bus_writer_open(w, SD_BUS_TYPE_DICT_ENTRY, "sa{sv}");
        bus_writer_append_known_string(w, WAND_INTERFACE_INTERFACE);
        bus_writer_open(w, SD_BUS_TYPE_ARRAY, "{sv}");
        for (size_t k = 0; k < o->n; k++) {
                bus_writer_open(w, SD_BUS_TYPE_DICT_ENTRY, "sv");
                bus_writer_append_known_string(w, o->names[k]);
                bus_writer_open(w, SD_BUS_TYPE_VARIANT, o->signatures[k]);
                o->writers[k](w, i);
                bus_writer_close(w);
                bus_writer_close(w);
        }
        for (unsigned k = 0; k < 4; k++) /* {sv} array, our entry, interfaces, object entry */
                bus_writer_close(w);

        /* Too large to send: what follows is only counted. */
        if (w->size > o->max_size)
                w->m = NULL;
}

int iface_bus_write_managed_objects(BusWriter *w, Manager *m, uint64_t max_size) {
        ObjectsWriter o = { .w = w, .max_size = max_size };

        /* The properties GetAll() returns, as sd-bus picks them. */
        for (const sd_bus_vtable *v = iface_vtable + 1; v->type != _SD_BUS_VTABLE_END; v++) {
                if ((v->type != _SD_BUS_VTABLE_PROPERTY && v->type != _SD_BUS_VTABLE_WRITABLE_PROPERTY) ||
                    (v->flags & (SD_BUS_VTABLE_HIDDEN | SD_BUS_VTABLE_PROPERTY_EXPLICIT)))
                        continue;
                if (o.n >= ELEMENTSOF(o.writers))
                        return -E2BIG;
                o.names[o.n] = v->x.property.member;
                o.signatures[o.n] = v->x.property.signature;
                o.writers[o.n] = property_writer(v->x.property.member);
                if (!o.writers[o.n])
                        return -ENOENT;
                o.n++;
        }

        bus_writer_open(w, SD_BUS_TYPE_ARRAY, "{oa{sa{sv}}}");
        manager_foreach_iface(m, write_managed_object, &o);
        bus_writer_close(w);
        return w->r;
}

static int iface_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                             sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ char *name = interface_name_from_bus_path(path);
        Iface *i;

        if (!name)
                return 0;
        i = manager_find_iface(m, name);
        if (!i)
                return 0;
        *found = i;
        return 1;
}


typedef struct PathList {
        char **paths;
        size_t n;
        int error;
} PathList;

static void collect_path(Iface *i, void *userdata) {
        PathList *l = userdata;
        if (l->error < 0)
                return;
        l->paths[l->n] = strdup(i->path);
        if (!l->paths[l->n])
                l->error = -ENOMEM;
        else
                l->n++;
}

static int iface_node_enumerator(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *m = userdata;
        PathList l = {};

        l.paths = calloc(m->n_ifaces + 1, sizeof(char *));
        if (!l.paths)
                return wand_error_set(error, -ENOMEM, "Listing the WAN interfaces failed: %s", wand_strerror(-ENOMEM));
        manager_foreach_iface(m, collect_path, &l);
        if (l.error < 0) {
                for (size_t k = 0; k < l.n; k++)
                        free(l.paths[k]);
                free(l.paths);
                return wand_error_set(error, l.error, "Listing the WAN interfaces failed: %s", wand_strerror(l.error));
        }
        *nodes = l.paths;
        return 0;
}

/* Runs before the fallback vtable for every message under the prefix: a path
 * that names no interface gets InvalidHandle, whatever was asked of it. */
static int iface_invalid_handle(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *path = sd_bus_message_get_path(msg);
        _cleanup_free_ char *name = NULL;

        if (!sd_bus_message_is_method_call(msg, NULL, NULL))
                return 0;
        if (!path || streq(path, WAND_INTERFACE_PATH_PREFIX))
                return 0; /* the parent itself: introspection lists the children */

        name = interface_name_from_bus_path(path);
        if (name && manager_find_iface(m, name))
                return 0;

        return sd_bus_error_setf(error, WAND_ERROR_INVALID_HANDLE,
                                 "%s names no WAN interface (it never existed or was deleted); "
                                 "ListInterfaces() shows the valid handles.",
                                 path);
}

/* sd-bus answers org.freedesktop.DBus.Peer itself, before any object is
 * looked up; a filter runs earlier still, so that Peer on a path that names
 * no interface gets InvalidHandle like every other member there. */
static int iface_filter_peer(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        const char *path = sd_bus_message_get_path(msg);
        _cleanup_free_ char *name = NULL;
        size_t n = strlen(WAND_INTERFACE_PATH_PREFIX);

        if (!sd_bus_message_is_method_call(msg, "org.freedesktop.DBus.Peer", NULL))
                return 0;
        if (!path || strncmp(path, WAND_INTERFACE_PATH_PREFIX, n) != 0 || path[n] != '/')
                return 0;
        name = interface_name_from_bus_path(path);
        if (name && manager_find_iface(m, name))
                return 0;

        (void) sd_bus_reply_method_errorf(msg, WAND_ERROR_INVALID_HANDLE,
                                          "%s names no WAN interface (it never existed or was deleted); "
                                          "ListInterfaces() shows the valid handles.",
                                          path);
        return 1;
}

int iface_bus_register(Manager *m) {
        int r;

        r = sd_bus_add_filter(m->bus, NULL, iface_filter_peer, m);
        if (r < 0)
                return r;

        r = sd_bus_add_fallback(m->bus, NULL, WAND_INTERFACE_PATH_PREFIX, iface_invalid_handle, m);
        if (r < 0)
                return r;
        r = sd_bus_add_fallback_vtable(m->bus, NULL, WAND_INTERFACE_PATH_PREFIX, WAND_INTERFACE_INTERFACE, iface_vtable,
                                       iface_object_find, m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(m->bus, NULL, WAND_INTERFACE_PATH_PREFIX, iface_node_enumerator, m);
}
