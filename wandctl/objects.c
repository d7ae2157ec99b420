/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `wandctl list` and `status`: every interface with every property, from one
 * GetManagedObjects, or ListInterfaces and a GetAll each when wand refuses
 * that reply as too large for the bus (common/wand-objects.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "names.h"
#include "objects.h"
#include "wand-objects.h"

static void object_done(IfaceObject *o) {
        free(o->path);
        free(o->name);
        free(o->sender);
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

/* One interface's properties, from GetManagedObjects or from GetAll. */
static int read_iface(sd_bus_message *m, const char *path, void *userdata) {
        _cleanup_(object_done) IfaceObject o = {};
        IfaceObjects *list = userdata;
        int r;

        r = props_read(m, &o.props);
        if (r < 0)
                return r;
        (void) sd_bus_message_get_cookie(m, &o.cookie);
        o.sender = strdup(strempty(sd_bus_message_get_sender(m)));
        o.path = strdup(path);
        /* Name is const and always there; the path says it too. */
        o.name = isempty(props_string(&o.props, "Name")) ? interface_name_from_bus_path(path)
                                                          : strdup(props_string(&o.props, "Name"));
        if (!o.path || !o.name || !o.sender)
                return -ENOMEM;
        return objects_append(list, &o);
}

int objects_get_all(sd_bus *bus, IfaceObjects *ret, sd_bus_error *error) {
        IfaceObjects o = {};
        int r;

        r = wand_interfaces_read(bus, read_iface, &o, error);
        if (r < 0) {
                objects_done(&o);
                return r;
        }

        if (o.n > 0)
                qsort(o.items, o.n, sizeof(IfaceObject), compare_by_name);
        *ret = o;
        return 0;
}

int object_get_props_from(sd_bus *bus, const char *path, const char *interface, PropList *ret, uint64_t *ret_cookie,
                          char **ret_sender, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        PropList l = {};
        int r;

        r = sd_bus_call_method(bus, WAND_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll", error, &reply,
                               "s", interface);
        if (r < 0)
                return r;
        r = props_read(reply, &l);
        if (r >= 0 && ret_sender && !(*ret_sender = strdup(strempty(sd_bus_message_get_sender(reply)))))
                r = -ENOMEM;
        if (r < 0) {
                props_done(&l);
                return r;
        }
        if (ret_cookie)
                (void) sd_bus_message_get_cookie(reply, ret_cookie);
        *ret = l;
        return 0;
}

int object_get_props(sd_bus *bus, const char *path, const char *interface, PropList *ret, sd_bus_error *error) {
        return object_get_props_from(bus, path, interface, ret, NULL, NULL, error);
}

bool object_is_newer_than(uint64_t cookie, const char *sender, sd_bus_message *m) {
        uint64_t c = 0;

        /* Serials count up per connection: only comparable from the same
         * wand, and a wand that came back is newer anyway. */
        if (!sender || !streq_ptr(sd_bus_message_get_sender(m), sender))
                return true;
        return sd_bus_message_get_cookie(m, &c) < 0 || c > cookie;
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
        r = object_get_props_from(bus, o.path, WAND_INTERFACE_INTERFACE, &o.props, &o.cookie, &o.sender, error);
        if (r < 0)
                return r;
        return objects_append(list, &o);
}
