/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One round trip for `wandctl list` and `status`: GetManagedObjects gives
 * every interface with every property. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "names.h"
#include "objects.h"

static void object_done(IfaceObject *o) {
        free(o->path);
        free(o->name);
        props_done(&o->props);
}

void objects_done(IfaceObjects *o) {
        for (size_t i = 0; i < o->n; i++)
                object_done(&o->items[i]);
        free(o->items);
        *o = (IfaceObjects) {};
}

/* Takes what obj holds, or leaves it with obj on failure. */
static int objects_append(IfaceObjects *list, IfaceObject *obj) {
        IfaceObject *items = realloc(list->items, (list->n + 1) * sizeof(IfaceObject));

        if (!items)
                return -ENOMEM;
        list->items = items;
        list->items[list->n++] = *obj;
        *obj = (IfaceObject) {};
        return 0;
}

static int compare_by_name(const void *a, const void *b) {
        return strcmp(((const IfaceObject *) a)->name, ((const IfaceObject *) b)->name);
}

/* One object's a{sa{sv}}: keeps org.wand.Router1.Interface, skips the rest. */
static int read_object(sd_bus_message *m, const char *path, IfaceObjects *ret) {
        _cleanup_(object_done) IfaceObject o = {};
        bool found = false;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
                const char *interface;

                r = sd_bus_message_read(m, "s", &interface);
                if (r < 0)
                        return r;
                if (streq(interface, WAND_INTERFACE_INTERFACE)) {
                        r = props_read(m, &o.props);
                        found = true;
                } else
                        r = sd_bus_message_skip(m, "a{sv}");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0 || !found)
                return r;

        o.path = strdup(path);
        /* Name is const and always there; the path says it too. */
        o.name = isempty(props_string(&o.props, "Name")) ? interface_name_from_bus_path(path)
                                                          : strdup(props_string(&o.props, "Name"));
        if (!o.path || !o.name)
                return -ENOMEM;
        return objects_append(ret, &o);
}

int objects_get_all(sd_bus *bus, IfaceObjects *ret, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        IfaceObjects o = {};
        int r;

        r = sd_bus_call_method(bus, WAND_BUS_NAME, WAND_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", error, &reply, NULL);
        if (r < 0)
                return r;

        r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
                const char *path;

                r = sd_bus_message_read(reply, "o", &path);
                if (r >= 0)
                        r = read_object(reply, path, &o);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        break;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r < 0) {
                objects_done(&o);
                return r;
        }

        if (o.n > 0)
                qsort(o.items, o.n, sizeof(IfaceObject), compare_by_name);
        *ret = o;
        return 0;
}

int object_get_props(sd_bus *bus, const char *path, const char *interface, PropList *ret, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        PropList l = {};
        int r;

        r = sd_bus_call_method(bus, WAND_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll", error, &reply,
                               "s", interface);
        if (r < 0)
                return r;
        r = props_read(reply, &l);
        if (r < 0) {
                props_done(&l);
                return r;
        }
        *ret = l;
        return 0;
}

int objects_get_one(sd_bus *bus, const char *name, IfaceObjects *list, sd_bus_error *error) {
        _cleanup_(object_done) IfaceObject o = {};
        int r;

        /* Reading needs no GetInterfaceByName(): the handle is the name's
         * path, and one that names nothing answers InvalidHandle. */
        o.path = interface_bus_path(name);
        o.name = strdup(name);
        if (!o.path || !o.name)
                return -ENOMEM;
        r = object_get_props(bus, o.path, WAND_INTERFACE_INTERFACE, &o.props, error);
        if (r < 0)
                return r;
        return objects_append(list, &o);
}
