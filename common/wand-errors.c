/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one table of the contract's errors. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "wand-errors.h"

/* errno values chosen so that each name has its own: a client's
 * sd_bus_error_get_errno() reads them through wand_error_map. The daemon
 * never sends an errno value as a name (wand_error_set()). */
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

/* Each decision and its name, with words for the logs. */
static const struct {
        WandErrorCode code;
        const char *name;
        const char *text;
} decisions[] = {
        { WAND_E_DDM_NOT_RUNNING,          WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING, "the demand-dial manager is stopped" },
        { WAND_E_INVALID_HANDLE,           WAND_ERROR_INVALID_HANDLE,                  "the handle names no interface" },
        { WAND_E_INTERFACE_NOT_CONNECTED,  WAND_ERROR_INTERFACE_NOT_CONNECTED,         "the interface is not connected" },
        { WAND_E_NO_SUCH_INTERFACE,        WAND_ERROR_NO_SUCH_INTERFACE,               "there is no such interface" },
        { WAND_E_INTERFACE_ALREADY_EXISTS, WAND_ERROR_INTERFACE_ALREADY_EXISTS,        "the interface already exists" },
        { WAND_E_INTERFACE_CONNECTED,      WAND_ERROR_INTERFACE_CONNECTED,             "the interface is connected" },
        { WAND_E_ALREADY_CONNECTED,        WAND_ERROR_ALREADY_CONNECTED,               "the interface is already connected" },
        { WAND_E_INTERFACE_DISABLED,       WAND_ERROR_INTERFACE_DISABLED,              "the interface is disabled" },
        { WAND_E_INTERFACE_UNREACHABLE,    WAND_ERROR_INTERFACE_UNREACHABLE,           "the interface is unreachable" },
        { WAND_E_CONNECTION_FAILED,        WAND_ERROR_CONNECTION_FAILED,               "the connection attempt failed" },
        { WAND_E_INVALID_ARGS,             "org.freedesktop.DBus.Error.InvalidArgs",   "invalid arguments" },
        { WAND_E_IO_ERROR,                 "org.freedesktop.DBus.Error.IOError",       "a configuration file could not be read or written" },
};

static int decision_index(int code) {
        if (code == INT_MIN)
                return -1;
        if (code < 0)
                code = -code;
        for (size_t i = 0; i < ELEMENTSOF(decisions); i++)
                if ((int) decisions[i].code == code)
                        return (int) i;
        return -1;
}

const char *wand_error_code_to_name(int code) {
        int i = decision_index(code);
        return i >= 0 ? decisions[i].name : NULL;
}

const char *wand_strerror(int r) {
        int i = decision_index(r);
        return i >= 0 ? decisions[i].text : strerror(r == INT_MIN ? EINVAL : r < 0 ? -r : r);
}

int wand_error_set(sd_bus_error *error, int r, const char *format, ...) {
        const char *name = wand_error_code_to_name(r);
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        if (r >= 0)
                r = -EIO; /* a caller's bug: still a failure, not a success */
        va_start(ap, format);
        if (vasprintf(&msg, format, ap) < 0)
                msg = NULL;
        va_end(ap);
        /* sd_bus_error_set() returns the errno value its map has for the
         * name (Failed's is EACCES): the caller's r is what goes on. */
        (void) sd_bus_error_set(error, name ?: SD_BUS_ERROR_FAILED, msg ?: wand_strerror(r));
        return r;
}
