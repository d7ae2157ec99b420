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

/* What wand decided, as its functions return it: -WAND_E_…, negative like
 * an errno value but past the end of errno's range (the kernel's MAX_ERRNO
 * is 4095), so that no system call, library or kernel answer can be taken
 * for one. Only these become the contract's names at the bus edge
 * (wand_error_set()); any other negative value is a failure, and its caller
 * gets org.freedesktop.DBus.Error.Failed. A kernel's EPERM is not polkit's
 * AccessDenied, nor a device's EBUSY the contract's InterfaceConnected. */
typedef enum WandErrorCode {
        _WAND_E_FIRST = 8192,
        WAND_E_DDM_NOT_RUNNING = _WAND_E_FIRST,
        WAND_E_INVALID_HANDLE,
        WAND_E_INTERFACE_NOT_CONNECTED,
        WAND_E_NO_SUCH_INTERFACE,
        WAND_E_INTERFACE_ALREADY_EXISTS,
        WAND_E_INTERFACE_CONNECTED,
        WAND_E_ALREADY_CONNECTED,
        WAND_E_INTERFACE_DISABLED,
        WAND_E_INTERFACE_UNREACHABLE,
        WAND_E_CONNECTION_FAILED,
        WAND_E_INVALID_ARGS,
        WAND_E_IO_ERROR,        /* a configuration file: wand's addition */
        _WAND_E_END,
} WandErrorCode;

typedef struct WandErrorInfo {
        const char *name;       /* D-Bus error name */
        const char *win32;      /* the Win32 code it stands for, or NULL */
        unsigned win32_code;    /* 0 when none */
        int errno_value;        /* what a client's sd_bus_error_get_errno() reads, see wand_error_map */
} WandErrorInfo;

/* Every error of the contract, wand's own and the freedesktop ones it uses. */
extern const WandErrorInfo wand_errors[];
extern const size_t wand_errors_count;

/* For sd_bus_error_add_map(): wand's names → errno, so that clients can use
 * sd_bus_error_get_errno(). The errno values are chosen so that sd-bus's
 * own map sends none of them to another name. Never the other way: sd-bus
 * names an errno value from its own table only (EPERM is AccessDenied
 * there), which is why the daemon names its errors with wand_error_set(). */
extern const sd_bus_error_map wand_error_map[];

/* The bus edge: sets error for r (negative) with the formatted message,
 * which is what the caller reads. A decision (-WAND_E_…) gets its contract
 * name. Anything else is a failure, an errno value whatever it is:
 * org.freedesktop.DBus.Error.Failed, wand's documented fallback; its
 * message must then say what failed and why (strerror). Returns r. */
int wand_error_set(sd_bus_error *error, int r, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* The D-Bus name a decision (-WAND_E_… or WAND_E_…) stands for; NULL for
 * anything else. */
const char *wand_error_code_to_name(int code);

/* For messages and logs: what r says, a decision or an errno value. */
const char *wand_strerror(int r);

/* Registers wand_error_map with sd-bus; idempotent. */
int wand_errors_register(void);

/* The table row for a D-Bus error name, or NULL. */
const WandErrorInfo *wand_error_lookup(const char *name);
