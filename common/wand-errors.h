/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The contract's error names, in one table shared by the daemon and wandctl.
 * Inside the daemon failures travel as negative errno values; these names
 * appear only at the bus edge (sd_bus_error_set*()). */
#pragma once

#include <systemd/sd-bus.h>

#define WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING "org.wand.Router1.Error.DemandDialManagerNotRunning"
#define WAND_ERROR_INVALID_HANDLE "org.wand.Router1.Error.InvalidHandle"
#define WAND_ERROR_INTERFACE_NOT_CONNECTED "org.wand.Router1.Error.InterfaceNotConnected"
#define WAND_ERROR_NO_SUCH_INTERFACE "org.wand.Router1.Error.NoSuchInterface"
#define WAND_ERROR_INTERFACE_ALREADY_EXISTS "org.wand.Router1.Error.InterfaceAlreadyExists"
#define WAND_ERROR_INTERFACE_CONNECTED "org.wand.Router1.Error.InterfaceConnected"
#define WAND_ERROR_ALREADY_CONNECTED "org.wand.Router1.Error.AlreadyConnected"
#define WAND_ERROR_INTERFACE_DISABLED "org.wand.Router1.Error.InterfaceDisabled"
#define WAND_ERROR_INTERFACE_UNREACHABLE "org.wand.Router1.Error.InterfaceUnreachable"
#define WAND_ERROR_CONNECTION_FAILED "org.wand.Router1.Error.ConnectionFailed"

typedef struct WandErrorInfo {
        const char *name;       /* D-Bus error name */
        const char *win32;      /* the Win32 code it stands for, or NULL */
        unsigned win32_code;    /* 0 when none */
        int errno_value;        /* what sd-bus maps it to, see wand_error_map */
} WandErrorInfo;

/* Every error of the contract, wand's own and the freedesktop ones it uses. */
extern const WandErrorInfo wand_errors[];
extern const size_t wand_errors_count;

/* For sd_bus_error_add_map(): wand's names → errno, so that clients can use
 * sd_bus_error_get_errno(). The other way, errno → name, sd-bus never maps to
 * an added name: use wand_error_set(). The errno values are chosen so that
 * sd-bus's own map sends none of them to another name. */
extern const sd_bus_error_map wand_error_map[];

/* Sets error to the contract's name for the errno value r (negative) with
 * the formatted message; errno values outside the table fall back to
 * sd-bus's own mapping. Returns r, so that handlers can return it. */
int wand_error_set(sd_bus_error *error, int r, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* Registers wand_error_map with sd-bus; idempotent. */
int wand_errors_register(void);

/* The table row for an errno value (negative or positive), or NULL. */
const WandErrorInfo *wand_error_from_errno(int error);

/* The table row for a D-Bus error name, or NULL. */
const WandErrorInfo *wand_error_lookup(const char *name);
