/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which Win32 code each D-Bus error stands for, and the text of each code
 * MprAdminGetErrorString() knows. wand's own errors and the Win32 codes of
 * its contract come from common/wand-errors.c (one table for daemon, wandctl
 * and this library); mpr_bus_errors[] adds the names that table gives no
 * code and those that sd-bus or the bus itself return. libmprapi(3), ERRORS,
 * says why each is what it is. */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "mprapi-private.h"
#include "wand-errors.h"

const MprBusError mpr_bus_errors[] = {
        /* The Win32 API has no prompt: authorization that needs one is denied. */
        { "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", ERROR_ACCESS_DENIED },
        { "org.freedesktop.DBus.Error.AuthFailed",                       ERROR_ACCESS_DENIED },
        /* The attempt ended without a connection: the device never got
         * carrier, the dialer exited, or the attempt timed out. */
        { WAND_ERROR_CONNECTION_FAILED,                                  ERROR_NO_CARRIER },
        /* Too many authorization checks waiting: the caller's quota. */
        { "org.freedesktop.DBus.Error.LimitsExceeded",                   ERROR_NOT_ENOUGH_QUOTA },
        /* A configuration file could not be written (Create, SetInfo, Delete). */
        { "org.freedesktop.DBus.Error.IOError",                          ERROR_WRITE_FAULT },
        { "org.freedesktop.DBus.Error.NoReply",                          ERROR_TIMEOUT },
        { "org.freedesktop.DBus.Error.Timeout",                          ERROR_TIMEOUT },
        { "org.freedesktop.DBus.Error.TimedOut",                         ERROR_TIMEOUT },
        /* wand is not on the bus (and cannot be activated). */
        { "org.freedesktop.DBus.Error.ServiceUnknown",                   ERROR_SERVICE_NOT_ACTIVE },
        { "org.freedesktop.DBus.Error.NameHasNoOwner",                   ERROR_SERVICE_NOT_ACTIVE },
        { "org.freedesktop.DBus.Error.Spawn.ChildExited",                ERROR_SERVICE_NOT_ACTIVE },
        { "org.freedesktop.DBus.Error.NoMemory",                         ERROR_NOT_ENOUGH_MEMORY },
        /* The path names no object: the interface is gone. */
        { "org.freedesktop.DBus.Error.UnknownObject",                    ERROR_INVALID_HANDLE },
        /* A wand older than the library (no InstanceId, no method). */
        { "org.freedesktop.DBus.Error.UnknownMethod",                    ERROR_NOT_SUPPORTED },
        { "org.freedesktop.DBus.Error.UnknownInterface",                 ERROR_NOT_SUPPORTED },
        { "org.freedesktop.DBus.Error.UnknownProperty",                  ERROR_NOT_SUPPORTED },
        /* The bus, or the ssh to the router, went away. */
        { "org.freedesktop.DBus.Error.Disconnected",                     RPC_S_SERVER_UNAVAILABLE },
        { "org.freedesktop.DBus.Error.NoServer",                         RPC_S_SERVER_UNAVAILABLE },
        { "org.freedesktop.DBus.Error.NoNetwork",                        RPC_S_SERVER_UNAVAILABLE },
        { "org.freedesktop.DBus.Error.BadAddress",                       RPC_S_SERVER_UNAVAILABLE },
        { "org.freedesktop.DBus.Error.Failed",                           ERROR_CAN_NOT_COMPLETE },
};
const size_t mpr_bus_errors_count = ELEMENTSOF(mpr_bus_errors);

/* ConnectionFailed made precise by LastErrorReason (org.wand.Router1(5)):
 * the Remote Access code a Windows router gives for the same failure. */
const MprBusError mpr_failure_reasons[] = {
        { "timeout",       ERROR_REQUEST_TIMEOUT },
        { "no-carrier",    ERROR_NO_CARRIER },
        { "dialer-exited", ERROR_PORT_DISCONNECTED },
        { "device-gone",   ERROR_DEVICE_DOES_NOT_EXIST },
        /* The interface became unreachable during the attempt. */
        { "refused",       ERROR_INTERFACE_UNREACHABLE },
        { "start-failed",  ERROR_CAN_NOT_COMPLETE },
};
const size_t mpr_failure_reasons_count = ELEMENTSOF(mpr_failure_reasons);

/* Our own words, after the meaning of each code on learn.microsoft.com. */
const MprErrorText mpr_error_texts[] = {
        { NO_ERROR,                       "NO_ERROR",                       "The operation completed successfully." },
        { ERROR_ACCESS_DENIED,            "ERROR_ACCESS_DENIED",            "Access is denied: polkit did not authorize the caller." },
        { ERROR_INVALID_HANDLE,           "ERROR_INVALID_HANDLE",           "The handle is invalid: the interface it named no longer exists." },
        { ERROR_NOT_ENOUGH_MEMORY,        "ERROR_NOT_ENOUGH_MEMORY",        "Not enough memory is available to process this command." },
        { ERROR_WRITE_FAULT,              "ERROR_WRITE_FAULT",              "The router could not write its configuration; nothing was changed." },
        { ERROR_NOT_SUPPORTED,            "ERROR_NOT_SUPPORTED",            "The request is not supported." },
        { ERROR_INVALID_PARAMETER,        "ERROR_INVALID_PARAMETER",        "The parameter is incorrect." },
        { ERROR_CALL_NOT_IMPLEMENTED,     "ERROR_CALL_NOT_IMPLEMENTED",     "This function is not supported on this system." },
        { ERROR_INVALID_LEVEL,            "ERROR_INVALID_LEVEL",            "The system call level is not correct." },
        { ERROR_MORE_DATA,                "ERROR_MORE_DATA",                "More data is available." },
        { ERROR_MR_MID_NOT_FOUND,         "ERROR_MR_MID_NOT_FOUND",         "No text is known for this error code." },
        { PENDING,                        "PENDING",                        "An operation is pending." },
        { ERROR_NO_CARRIER,               "ERROR_NO_CARRIER",               "The connection attempt failed: the device had no carrier within the time allowed." },
        { ERROR_REQUEST_TIMEOUT,          "ERROR_REQUEST_TIMEOUT",          "The connection attempt timed out: the device did not come up within the time allowed." },
        { ERROR_PORT_DISCONNECTED,        "ERROR_PORT_DISCONNECTED",        "The connection attempt failed: the dialer exited before the connection came up." },
        { ERROR_DEVICE_DOES_NOT_EXIST,    "ERROR_DEVICE_DOES_NOT_EXIST",    "The connection attempt failed: the device disappeared." },
        { ERROR_ALREADY_CONNECTED,        "ERROR_ALREADY_CONNECTED",        "The interface is already connected." },
        { ERROR_DDM_NOT_RUNNING,          "ERROR_DDM_NOT_RUNNING",          "The demand-dial manager is not running." },
        { ERROR_INTERFACE_ALREADY_EXISTS, "ERROR_INTERFACE_ALREADY_EXISTS", "An interface with this name already exists." },
        { ERROR_NO_SUCH_INTERFACE,        "ERROR_NO_SUCH_INTERFACE",        "The interface does not exist." },
        { ERROR_INTERFACE_NOT_CONNECTED,  "ERROR_INTERFACE_NOT_CONNECTED",  "The interface is not connected." },
        { ERROR_INTERFACE_CONNECTED,      "ERROR_INTERFACE_CONNECTED",      "The interface is connected; disconnect it first." },
        { ERROR_INTERFACE_DISABLED,       "ERROR_INTERFACE_DISABLED",       "The interface is disabled." },
        { ERROR_INTERFACE_UNREACHABLE,    "ERROR_INTERFACE_UNREACHABLE",    "The interface is unreachable (no device, or the router manager is stopped)." },
        { ERROR_CAN_NOT_COMPLETE,         "ERROR_CAN_NOT_COMPLETE",         "Cannot complete this function." },
        { ERROR_SERVICE_NOT_ACTIVE,       "ERROR_SERVICE_NOT_ACTIVE",       "The router service (wand) is not running." },
        { ERROR_TIMEOUT,                  "ERROR_TIMEOUT",                  "The router did not answer in time." },
        { RPC_S_SERVER_UNAVAILABLE,       "RPC_S_SERVER_UNAVAILABLE",       "The router's bus cannot be reached, or the connection to it was lost." },
        { ERROR_NOT_ENOUGH_QUOTA,         "ERROR_NOT_ENOUGH_QUOTA",         "Too many requests of this user are waiting for authorization; try again later." },
};
const size_t mpr_error_texts_count = ELEMENTSOF(mpr_error_texts);

static const MprBusError *bus_error_lookup(const char *name) {
        for (size_t i = 0; i < mpr_bus_errors_count; i++)
                if (streq(mpr_bus_errors[i].name, name))
                        return &mpr_bus_errors[i];
        return NULL;
}

/* 0 when the name is unknown. */
static DWORD error_from_known_name(const char *name) {
        const MprBusError *b = bus_error_lookup(name);
        const WandErrorInfo *w;

        if (b)
                return b->code;
        w = wand_error_lookup(name);
        return w && w->win32_code ? w->win32_code : 0;
}

DWORD mpr_error_from_name(const char *name) {
        DWORD code;

        if (isempty(name))
                return NO_ERROR;
        code = error_from_known_name(name);
        return code ?: ERROR_CAN_NOT_COMPLETE;
}

DWORD mpr_error_from_last_error(const char *name, const char *reason) {
        /* A reason only makes a failed attempt precise; a word of a newer
         * wand leaves it ConnectionFailed's. */
        if (streq_ptr(name, WAND_ERROR_CONNECTION_FAILED) && !isempty(reason))
                for (size_t i = 0; i < mpr_failure_reasons_count; i++)
                        if (streq(mpr_failure_reasons[i].name, reason))
                                return mpr_failure_reasons[i].code;
        return mpr_error_from_name(name);
}

static DWORD error_from_errno(int e) {
        switch (e) {
        case ENOMEM:
                return ERROR_NOT_ENOUGH_MEMORY;
        case ETIMEDOUT:
                return ERROR_TIMEOUT;
        case EACCES:
        case EPERM:
                return ERROR_ACCESS_DENIED;
        case EINVAL:
                return ERROR_INVALID_PARAMETER;
        case ECONNRESET:
        case ECONNREFUSED:
        case ENOTCONN:
        case EPIPE:
        case ENOENT:
        case ENXIO:
        case EHOSTUNREACH:
        case ESHUTDOWN:
                return RPC_S_SERVER_UNAVAILABLE;
        default:
                return ERROR_CAN_NOT_COMPLETE;
        }
}

DWORD mpr_error_from_bus(int r, const sd_bus_error *error) {
        if (sd_bus_error_is_set(error)) {
                DWORD code = error_from_known_name(error->name);
                int e;

                if (code)
                        return code;
                e = sd_bus_error_get_errno(error);
                if (e > 0)
                        return error_from_errno(e);
        }
        return error_from_errno(r < 0 ? -r : EIO);
}

const char *mpr_error_text(DWORD code) {
        for (size_t i = 0; i < mpr_error_texts_count; i++)
                if (mpr_error_texts[i].code == code)
                        return mpr_error_texts[i].text;
        return NULL;
}
