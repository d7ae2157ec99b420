/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one table of the contract's errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "wand-errors.h"

/* errno values chosen so that each name has its own: sd-bus maps a handler's
 * negative return value back to the name through wand_error_map. */
const WandErrorInfo wand_errors[] = {
        { "org.freedesktop.DBus.Error.AccessDenied",                     "ERROR_ACCESS_DENIED",            5,   EACCES },
        { "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", NULL,                             0,   EKEYREJECTED },
        { WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING,                    "ERROR_DDM_NOT_RUNNING",          903, ESRCH },
        { WAND_ERROR_INVALID_HANDLE,                                     "ERROR_INVALID_HANDLE",           6,   EBADF },
        { WAND_ERROR_INTERFACE_NOT_CONNECTED,                            "ERROR_INTERFACE_NOT_CONNECTED",  906, ENOTCONN },
        { WAND_ERROR_NO_SUCH_INTERFACE,                                  "ERROR_NO_SUCH_INTERFACE",        905, ENOENT },
        { WAND_ERROR_INTERFACE_ALREADY_EXISTS,                           "ERROR_INTERFACE_ALREADY_EXISTS", 904, EEXIST },
        { WAND_ERROR_INTERFACE_CONNECTED,                                "ERROR_INTERFACE_CONNECTED",      908, EBUSY },
        { WAND_ERROR_ALREADY_CONNECTED,                                  "ERROR_ALREADY_CONNECTED",        901, EISCONN },
        { WAND_ERROR_INTERFACE_DISABLED,                                 "ERROR_INTERFACE_DISABLED",       916, EHOSTDOWN },
        { WAND_ERROR_INTERFACE_UNREACHABLE,                              "ERROR_INTERFACE_UNREACHABLE",    927, ENETUNREACH },
        { WAND_ERROR_CONNECTION_FAILED,                                  NULL,                             0,   ECONNREFUSED },
        { "org.freedesktop.DBus.Error.InvalidArgs",                      "ERROR_INVALID_PARAMETER",        87,  EINVAL },
};
const size_t wand_errors_count = ELEMENTSOF(wand_errors);

/* Only wand's own names: the freedesktop ones are in sd-bus's default map. */
const sd_bus_error_map wand_error_map[] = {
        SD_BUS_ERROR_MAP(WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING, ESRCH),
        SD_BUS_ERROR_MAP(WAND_ERROR_INVALID_HANDLE, EBADF),
        SD_BUS_ERROR_MAP(WAND_ERROR_INTERFACE_NOT_CONNECTED, ENOTCONN),
        SD_BUS_ERROR_MAP(WAND_ERROR_NO_SUCH_INTERFACE, ENOENT),
        SD_BUS_ERROR_MAP(WAND_ERROR_INTERFACE_ALREADY_EXISTS, EEXIST),
        SD_BUS_ERROR_MAP(WAND_ERROR_INTERFACE_CONNECTED, EBUSY),
        SD_BUS_ERROR_MAP(WAND_ERROR_ALREADY_CONNECTED, EISCONN),
        SD_BUS_ERROR_MAP(WAND_ERROR_INTERFACE_DISABLED, EHOSTDOWN),
        SD_BUS_ERROR_MAP(WAND_ERROR_INTERFACE_UNREACHABLE, ENETUNREACH),
        SD_BUS_ERROR_MAP(WAND_ERROR_CONNECTION_FAILED, ECONNREFUSED),
        SD_BUS_ERROR_MAP_END
};

int wand_errors_register(void) {
        int r = sd_bus_error_add_map(wand_error_map);
        return r < 0 ? r : 0;
}

const WandErrorInfo *wand_error_lookup(const char *name) {
        if (!name)
                return NULL;
        for (size_t i = 0; i < wand_errors_count; i++)
                if (streq(wand_errors[i].name, name))
                        return &wand_errors[i];
        return NULL;
}

const WandErrorInfo *wand_error_from_errno(int error) {
        if (error < 0)
                error = -error;
        for (size_t i = 0; i < wand_errors_count; i++)
                if (wand_errors[i].errno_value == error)
                        return &wand_errors[i];
        return NULL;
}

int wand_error_set(sd_bus_error *error, int r, const char *format, ...) {
        const WandErrorInfo *info = wand_error_from_errno(r);
        char *msg = NULL;
        va_list ap;

        if (r >= 0)
                r = -EIO;
        va_start(ap, format);
        if (vasprintf(&msg, format, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (info)
                sd_bus_error_set(error, info->name, msg);
        else
                sd_bus_error_set_errnof(error, -r, "%s", msg ?: strerror(-r));
        free(msg);
        return r;
}
