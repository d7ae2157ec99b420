/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Changing interfaces: MprAdminInterfaceConnect(), …Disconnect(),
 * …SetInfo(), …Create() and …Delete(). Each checks the handle against
 * wand's InstanceId first, then makes the one call that acts. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "mprapi-private.h"
#include "names.h"
#include "wand-errors.h"

#define EXPORT __attribute__((visibility("default")))

/* wand answers Connect() and Disconnect() when the operation ends, bounded
 * by the interface's ConnectTimeoutSec / DisconnectTimeoutSec (and the
 * polkit check before): no client-side timeout would be shorter and right. */
#define NO_TIMEOUT UINT64_MAX

/* Calls member (no reply value) on the interface behind h. */
static DWORD call_interface(MPR_SERVER_HANDLE server, HANDLE h, const char *member, uint64_t usec,
                            const char *types, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        MprServer *s = mpr_server_lock(server);
        MprIface *f;
        va_list ap;
        DWORD e;
        int r;

        if (!s)
                return ERROR_INVALID_HANDLE;
        e = mpr_iface_check(s, h, &f);
        if (e != NO_ERROR)
                goto finish;
        r = sd_bus_message_new_method_call(s->bus, &m, WAND_BUS_NAME, f->path, WAND_INTERFACE_INTERFACE, member);
        if (r >= 0 && types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        if (r >= 0)
                r = sd_bus_call(s->bus, m, usec, &error, NULL);
        if (r < 0 && sd_bus_error_has_name(&error, WAND_ERROR_CONNECTION_FAILED)) {
                /* Which failure, as dwLastError says it: the reason wand
                 * published with it (none from a wand before it). */
                _cleanup_free_ char *reason = NULL;
                if (sd_bus_get_property_string(s->bus, WAND_BUS_NAME, f->path, WAND_INTERFACE_INTERFACE,
                                               "LastErrorReason", NULL, &reason) < 0)
                        reason = NULL;
                e = mpr_error_from_last_error(error.name, reason);
        } else if (r < 0) {
                e = mpr_error_from_bus(r, &error);
                if (e == ERROR_INVALID_HANDLE)
                        f->gone = true;
        } else if (streq(member, "Delete"))
                f->gone = true;
finish:
        mpr_server_unlock(s);
        return e;
}

static int connect_done(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        MprServer *s = userdata;

        /* The outcome is wand's to show: State and LastError. */
        s->pending--;
        return 0;
}

static DWORD connect_async(MPR_SERVER_HANDLE server, HANDLE h) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        MprServer *s = mpr_server_lock(server);
        MprIface *f;
        DWORD e;
        int r;

        if (!s)
                return ERROR_INVALID_HANDLE;
        e = mpr_iface_check(s, h, &f);
        if (e != NO_ERROR)
                goto finish;
        r = sd_bus_message_new_method_call(s->bus, &m, WAND_BUS_NAME, f->path, WAND_INTERFACE_INTERFACE, "Connect");
        /* A floating slot: the call lives with the bus connection, not with
         * this thread; MprAdminServerDisconnect() waits for its answer. */
        if (r >= 0)
                r = sd_bus_call_async(s->bus, NULL, m, connect_done, s, NO_TIMEOUT);
        if (r >= 0)
                r = sd_bus_flush(s->bus); /* on its way before we return */
        if (r < 0)
                e = mpr_error_from_bus(r, NULL);
        else {
                s->pending++;
                e = PENDING;
        }
finish:
        mpr_server_unlock(s);
        return e;
}

EXPORT DWORD WINAPI MprAdminInterfaceConnect(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface, HANDLE hEvent,
                                             BOOL fSynchronous) {
        /* There are no Win32 events to signal. */
        if (hEvent)
                return ERROR_NOT_SUPPORTED;
        if (!fSynchronous)
                return connect_async(hMprServer, hInterface);
        return call_interface(hMprServer, hInterface, "Connect", NO_TIMEOUT, NULL);
}

EXPORT DWORD WINAPI MprAdminInterfaceDisconnect(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface) {
        return call_interface(hMprServer, hInterface, "Disconnect", NO_TIMEOUT, NULL);
}

EXPORT DWORD WINAPI MprAdminInterfaceDelete(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface) {
        return call_interface(hMprServer, hInterface, "Delete", 0, NULL);
}

EXPORT DWORD WINAPI MprAdminInterfaceSetInfo(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface, DWORD dwLevel,
                                             LPBYTE lpbBuffer) {
        const MPR_INTERFACE_0 *info = (const MPR_INTERFACE_0 *) lpbBuffer;

        if (!info)
                return ERROR_INVALID_PARAMETER;
        if (dwLevel != 0)
                return ERROR_INVALID_LEVEL;
        /* Of level 0 only fEnabled can be set, as on Windows. */
        return call_interface(hMprServer, hInterface, "SetEnabled", 0, "b", info->fEnabled ? 1 : 0);
}

EXPORT DWORD WINAPI MprAdminInterfaceCreate(MPR_SERVER_HANDLE hMprServer, DWORD dwLevel, LPBYTE lpbBuffer,
                                            HANDLE *phInterface) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_free_ char *name = NULL, *device = NULL;
        const MPR_INTERFACE_0 *info = (const MPR_INTERFACE_0 *) lpbBuffer;
        const char *path;
        MprServer *s;
        DWORD e;
        int r;

        if (!info || !phInterface)
                return ERROR_INVALID_PARAMETER;
        if (dwLevel != 0 && dwLevel != MPRAPI_WAND_INTERFACE_LEVEL)
                return ERROR_INVALID_LEVEL;
        e = mpr_utf16_to_utf8(info->wszInterfaceName, MAX_INTERFACE_NAME_LEN, &name);
        if (e != NO_ERROR)
                return e;
        if (dwLevel == MPRAPI_WAND_INTERFACE_LEVEL)
                e = mpr_utf16_to_utf8(((const MPR_INTERFACE_WAND_0 *) lpbBuffer)->wszDevice, MAX_WAND_DEVICE_NAME_LEN,
                                      &device);
        if (e != NO_ERROR)
                return e;

        s = mpr_server_lock(hMprServer);
        if (!s)
                return ERROR_INVALID_HANDLE;
        r = sd_bus_message_new_method_call(s->bus, &m, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE,
                                           "CreateInterface");
        /* Level 0 has no device: the interface runs over the device of its
         * own name (libmprapi(3)). */
        if (r >= 0)
                r = sd_bus_message_append(m, "sa{sv}", name, 2, "Device", "s", device ?: name, "Enabled", "b",
                                          info->fEnabled ? 1 : 0);
        if (r >= 0)
                r = sd_bus_call(s->bus, m, 0, &error, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                e = mpr_error_from_bus(r, &error);
        else
                e = mpr_handle_of_path(s, path, phInterface);
        mpr_server_unlock(s);
        return e;
}
