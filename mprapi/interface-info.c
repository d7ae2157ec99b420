/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding and reading interfaces: MprAdminInterfaceGetHandle(),
 * MprAdminInterfaceEnum() and MprAdminInterfaceGetInfo(). */
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "mprapi-private.h"
#include "mprapi-props.h"
#include "names.h"

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

/* Every interface, sorted by name (as ListInterfaces sorts), from one
 * GetManagedObjects. */
static DWORD list_interfaces(MprServer *s, Entry **ret, size_t *ret_n) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Entry *entries = NULL;
        size_t n = 0;
        DWORD e = NO_ERROR;
        int r;

        r = sd_bus_call_method(s->bus, WAND_BUS_NAME, WAND_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", &error, &reply, NULL);
        if (r < 0)
                return mpr_error_from_bus(r, &error);
        r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
        while (r >= 0 && e == NO_ERROR && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
                const char *path;

                r = sd_bus_message_read(reply, "o", &path);
                if (r >= 0)
                        r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
                while (r >= 0 && e == NO_ERROR && (r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
                        const char *iface;
                        MprProps p = {};
                        HANDLE h;
                        Entry *n2;

                        r = sd_bus_message_read(reply, "s", &iface);
                        if (r < 0)
                                break;
                        if (!streq(iface, WAND_INTERFACE_INTERFACE)) {
                                r = sd_bus_message_skip(reply, "a{sv}");
                        } else if ((r = mpr_props_read(reply, &p)) >= 0) {
                                if (!p.has_instance_id)
                                        e = ERROR_NOT_SUPPORTED;
                                else
                                        e = mpr_iface_handle(s, path, p.instance_id, &h);
                                n2 = e == NO_ERROR ? realloc(entries, (n + 1) * sizeof(Entry)) : NULL;
                                if (e == NO_ERROR && !n2)
                                        e = ERROR_NOT_ENOUGH_MEMORY;
                                if (e == NO_ERROR) {
                                        entries = n2;
                                        entries[n].name = strdup(p.name ?: "");
                                        e = entries[n].name ? mpr_props_to_interface0(&p, h, &entries[n].info)
                                                            : ERROR_NOT_ENOUGH_MEMORY;
                                        n++;
                                }
                        }
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                }
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0 && e == NO_ERROR)
                e = ERROR_CAN_NOT_COMPLETE; /* a reply we cannot read */
        if (e != NO_ERROR) {
                for (size_t i = 0; i < n; i++)
                        free(entries[i].name);
                free(entries);
                return e;
        }
        if (n > 0)
                qsort(entries, n, sizeof(Entry), entry_compare);
        *ret = entries;
        *ret_n = n;
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
        for (size_t i = 0; i < n; i++)
                free(entries[i].name);
        free(entries);
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
