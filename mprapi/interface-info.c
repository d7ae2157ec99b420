/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding and reading interfaces: MprAdminInterfaceGetHandle(),
 * MprAdminInterfaceEnum() and MprAdminInterfaceGetInfo(). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "mprapi-private.h"
#include "mprapi-props.h"
#include "names.h"
#include "wand-objects.h"

#define EXPORT __attribute__((visibility("default")))

/* The handle of the interface at path as it is now. */
static DWORD handle_of_path(MprServer *s, const char *path, HANDLE *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t id;
        int r;

        r = sd_bus_get_property_trivial(s->bus, WAND_BUS_NAME, path, WAND_INTERFACE_INTERFACE, "InstanceId", &error,
                                        't', &id);
        if (r < 0)
                return mpr_error_from_bus(r, &error);
        return mpr_iface_handle(s, path, id, ret);
}

DWORD mpr_handle_of_path(MprServer *s, const char *path, HANDLE *ret) {
        return handle_of_path(s, path, ret);
}

EXPORT DWORD WINAPI MprAdminInterfaceGetHandle(MPR_SERVER_HANDLE hMprServer, LPWSTR lpwsInterfaceName,
                                               HANDLE *phInterface, BOOL fIncludeClientInterfaces) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *name = NULL;
        const char *path;
        MprServer *s;
        DWORD e;
        int r;

        /* fIncludeClientInterfaces: wand has no client (dial-in) interfaces. */
        if (!lpwsInterfaceName || !phInterface)
                return ERROR_INVALID_PARAMETER;
        e = mpr_utf16_to_utf8(lpwsInterfaceName, MAX_INTERFACE_NAME_LEN, &name);
        if (e != NO_ERROR)
                return e;
        s = mpr_server_lock(hMprServer);
        if (!s)
                return ERROR_INVALID_HANDLE;
        r = sd_bus_call_method(s->bus, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, "GetInterfaceByName",
                               &error, &reply, "s", name);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                e = mpr_error_from_bus(r, &error);
        else
                e = handle_of_path(s, path, phInterface);
        mpr_server_unlock(s);
        return e;
}

EXPORT DWORD WINAPI MprAdminInterfaceGetInfo(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface, DWORD dwLevel,
                                             LPBYTE *lplpbBuffer) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ MPR_INTERFACE_0 *info = NULL;
        MprProps p = {};
        MprIface *f;
        MprServer *s;
        DWORD e;
        int r;

        if (!lplpbBuffer)
                return ERROR_INVALID_PARAMETER;
        if (dwLevel != 0)
                return ERROR_INVALID_LEVEL;
        s = mpr_server_lock(hMprServer);
        if (!s)
                return ERROR_INVALID_HANDLE;
        f = mpr_iface_find(s, hInterface);
        if (!f) {
                mpr_server_unlock(s);
                return ERROR_INVALID_HANDLE;
        }
        /* One round trip: InstanceId comes with the rest. */
        r = sd_bus_call_method(s->bus, WAND_BUS_NAME, f->path, "org.freedesktop.DBus.Properties", "GetAll", &error,
                               &reply, "s", WAND_INTERFACE_INTERFACE);
        if (r >= 0)
                r = mpr_props_read(reply, &p);
        if (r < 0)
                e = mpr_error_from_bus(r, &error);
        else if (!p.has_instance_id)
                e = ERROR_NOT_SUPPORTED; /* a wand older than InstanceId */
        else if (p.instance_id != f->instance_id)
                e = ERROR_INVALID_HANDLE;
        else {
                info = malloc(sizeof(*info));
                e = info ? mpr_props_to_interface0(&p, hInterface, info) : ERROR_NOT_ENOUGH_MEMORY;
        }
        if (e == ERROR_INVALID_HANDLE)
                f->gone = true;
        mpr_server_unlock(s);
        if (e == NO_ERROR)
                *lplpbBuffer = (LPBYTE) TAKE_PTR(info);
        return e;
}

typedef struct Entry {
        MPR_INTERFACE_0 info;
        char *name;
} Entry;

static int entry_compare(const void *a, const void *b) {
        return strcmp(((const Entry *) a)->name, ((const Entry *) b)->name);
}

typedef struct EntryList {
        MprServer *server;
        Entry *entries;
        size_t n;
        DWORD error;    /* what stopped the walk, when it was not the bus */
} EntryList;

static void entries_free(Entry *entries, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(entries[i].name);
        free(entries);
}

/* One interface's properties, from GetManagedObjects or from GetAll. */
static int add_entry(sd_bus_message *m, const char *path, void *userdata) {
        EntryList *l = userdata;
        MprProps p = {};
        Entry *entries, *e;
        HANDLE h;
        int r;

        r = mpr_props_read(m, &p);
        if (r < 0)
                return r;
        if (!p.has_instance_id)
                l->error = ERROR_NOT_SUPPORTED; /* a wand older than InstanceId */
        else
                l->error = mpr_iface_handle(l->server, path, p.instance_id, &h);
        if (l->error != NO_ERROR)
                return -ECANCELED;
        entries = realloc(l->entries, (l->n + 1) * sizeof(Entry));
        if (!entries)
                return -ENOMEM;
        l->entries = entries;
        e = &entries[l->n];
        e->name = strdup(p.name ?: "");
        if (!e->name)
                return -ENOMEM;
        l->n++;
        l->error = mpr_props_to_interface0(&p, h, &e->info);
        return l->error == NO_ERROR ? 0 : -ECANCELED;
}

/* Every interface, sorted by name (as ListInterfaces sorts): from one
 * GetManagedObjects, or one GetAll each when wand refuses that reply as too
 * large for the bus (common/wand-objects.c). */
static DWORD list_interfaces(MprServer *s, Entry **ret, size_t *ret_n) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        EntryList l = { .server = s };
        int r;

        r = wand_interfaces_read(s->bus, add_entry, &l, &error);
        if (r < 0) {
                entries_free(l.entries, l.n);
                if (l.error != NO_ERROR)
                        return l.error;
                if (sd_bus_error_is_set(&error) || r == -ENOMEM)
                        return mpr_error_from_bus(r, &error);
                return ERROR_CAN_NOT_COMPLETE; /* a reply we cannot read */
        }
        if (l.n > 0)
                qsort(l.entries, l.n, sizeof(Entry), entry_compare);
        *ret = l.entries;
        *ret_n = l.n;
        return NO_ERROR;
}

EXPORT DWORD WINAPI MprAdminInterfaceEnum(MPR_SERVER_HANDLE hMprServer, DWORD dwLevel, LPBYTE *lplpbBuffer,
                                          DWORD dwPrefMaxLen, LPDWORD lpdwEntriesRead, LPDWORD lpdwTotalEntries,
                                          LPDWORD lpdwResumeHandle) {
        Entry *entries = NULL;
        MPR_INTERFACE_0 *out;
        size_t n = 0, start, count;
        MprServer *s;
        DWORD e;

        if (!lplpbBuffer || !lpdwEntriesRead || !lpdwTotalEntries)
                return ERROR_INVALID_PARAMETER;
        if (dwLevel != 0)
                return ERROR_INVALID_LEVEL;
        s = mpr_server_lock(hMprServer);
        if (!s)
                return ERROR_INVALID_HANDLE;
        e = list_interfaces(s, &entries, &n);
        mpr_server_unlock(s);
        if (e != NO_ERROR)
                return e;

        /* The resume handle is how many entries, in name order, earlier
         * calls returned. */
        start = lpdwResumeHandle ? *lpdwResumeHandle : 0;
        if (start > n)
                start = n;
        count = n - start;
        /* dwPrefMaxLen is a preference: at least one entry, so that a caller
         * looping on ERROR_MORE_DATA always gets on. */
        if (dwPrefMaxLen != MAX_PREFERRED_LENGTH && count > 0) {
                size_t fit = dwPrefMaxLen / sizeof(MPR_INTERFACE_0);
                if (fit < count)
                        count = fit > 0 ? fit : 1;
        }
        out = malloc((count ?: 1) * sizeof(*out)); /* never NULL on success: callers free what they get */
        if (out) {
                for (size_t i = 0; i < count; i++)
                        out[i] = entries[start + i].info;
        } else
                e = ERROR_NOT_ENOUGH_MEMORY;
        entries_free(entries, n);
        if (e != NO_ERROR)
                return e;

        *lplpbBuffer = (LPBYTE) out;
        *lpdwEntriesRead = (DWORD) count;
        *lpdwTotalEntries = (DWORD) (n - start);
        if (start + count < n) {
                if (lpdwResumeHandle)
                        *lpdwResumeHandle = (DWORD) (start + count);
                return ERROR_MORE_DATA;
        }
        if (lpdwResumeHandle)
                *lpdwResumeHandle = 0;
        return NO_ERROR;
}
