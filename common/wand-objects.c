/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading every interface: GetManagedObjects, or its documented fallback. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "names.h"
#include "wand-errors.h"
#include "wand-objects.h"

#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

int wand_object_read(sd_bus_message *m, const char *path, WandIfaceFunc f, void *userdata) {
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
                        r = wand_object_read(reply, path, f, userdata);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

/* GetAll calls waiting for their replies at once in the fallback: enough
 * to keep the bus busy over a slow link (ssh), well under dbus-daemon's
 * max_replies_per_connection (128 on Debian's system bus). */
#define READS_IN_FLIGHT 32

typedef struct EachRead EachRead;

typedef struct PendingRead {
        EachRead *each;
        sd_bus_slot *slot;  /* NULL once answered */
        char *path;
} PendingRead;

struct EachRead {
        WandIfaceFunc f;
        void *userdata;
        sd_bus_error *error;
        PendingRead pending[READS_IN_FLIGHT];
        unsigned n_pending;
        int r;              /* the first failure */
};

static int on_get_all(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PendingRead *p = userdata;
        EachRead *e = p->each;
        const sd_bus_error *error = sd_bus_message_get_error(reply);
        _cleanup_free_ char *path = TAKE_PTR(p->path);
        int r = 0;

        p->slot = sd_bus_slot_unref(p->slot);
        e->n_pending--;
        if (e->r < 0)
                return 0;
        if (error) {
                /* Deleted since ListInterfaces: GetManagedObjects would not
                 * have had it either. */
                if (sd_bus_error_has_names(error, WAND_ERROR_INVALID_HANDLE, SD_BUS_ERROR_UNKNOWN_OBJECT))
                        return 0;
                (void) sd_bus_error_copy(e->error, error);
                r = -sd_bus_error_get_errno(error);
        } else
                r = e->f(reply, path, e->userdata);
        if (r < 0)
                e->r = r;
        return 0;
}

static int read_start(sd_bus *bus, EachRead *e, const char *path) {
        PendingRead *p = NULL;
        int r;

        for (unsigned k = 0; k < READS_IN_FLIGHT && !p; k++)
                if (!e->pending[k].slot)
                        p = &e->pending[k];
        assert(p);
        p->each = e;
        p->path = strdup(path);
        if (!p->path)
                return -ENOMEM;
        r = sd_bus_call_method_async(bus, &p->slot, WAND_BUS_NAME, path, PROPERTIES_INTERFACE, "GetAll", on_get_all,
                                     p, "s", WAND_INTERFACE_INTERFACE);
        if (r < 0) {
                free(p->path);
                p->path = NULL;
                return r;
        }
        e->n_pending++;
        return 0;
}

/* Until one of the calls in flight is answered. */
static int read_wait(sd_bus *bus, EachRead *e) {
        unsigned before = e->n_pending;
        int r;

        while (e->n_pending == before) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The fallback: ListInterfaces, then GetAll on each interface, a few calls
 * in flight at a time. */
static int read_each(sd_bus *bus, WandIfaceFunc f, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *list = NULL;
        EachRead e = { .f = f, .userdata = userdata, .error = error };
        const char *name, *path, *state;
        int r;

        r = sd_bus_call_method(bus, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, "ListInterfaces", error,
                               &list, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(list, 'a', "(sos)");
        while (r >= 0 && e.r >= 0 && (r = sd_bus_message_read(list, "(sos)", &name, &path, &state)) > 0) {
                if (e.n_pending == READS_IN_FLIGHT)
                        r = read_wait(bus, &e);
                if (r >= 0 && e.r >= 0)
                        r = read_start(bus, &e, path);
        }
        while (r >= 0 && e.r >= 0 && e.n_pending > 0)
                r = read_wait(bus, &e);
        /* After a failure: the calls still in flight are let go. */
        for (unsigned k = 0; k < READS_IN_FLIGHT; k++) {
                e.pending[k].slot = sd_bus_slot_unref(e.pending[k].slot);
                free(e.pending[k].path);
                e.pending[k].path = NULL;
        }
        if (e.r < 0)
                return e.r;
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
