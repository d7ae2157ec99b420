/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What libmprapi's files share: the server handle, the interface handles it
 * hands out, UTF-16 conversion and the D-Bus → Win32 error mapping. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "mprapi.h"
#include "mprerror.h"
#include "raserror.h"

#define MPR_SERVER_MAGIC 0x4d505253u /* "MPRS" */

/* How long MprAdminServerDisconnect() waits for asynchronous Connect() calls
 * wand has not answered yet; longer than wand's default ConnectTimeoutSec. */
#define MPR_PENDING_WAIT_USEC (30 * UINT64_C(1000000))

/* One interface as a handle names it: its object path and the InstanceId it
 * had when the handle was made. An interface deleted and created again has
 * the same path and another InstanceId, so the old handle stays invalid. */
typedef struct MprIface {
        uintptr_t token;        /* the HANDLE value; unique in the process */
        char *path;
        uint64_t instance_id;
        bool gone;              /* known to be deleted: no need to ask wand */
} MprIface;

typedef struct MprServer {
        uint32_t magic;
        pthread_mutex_t lock;   /* one caller at a time on bus and table */
        sd_bus *bus;
        unsigned pending;       /* asynchronous Connect() calls not answered */
        MprIface *ifaces;       /* sorted by token (tokens only grow) */
        size_t n_ifaces;
} MprServer;

/* ── server.c ── */
/* Locks and returns the server behind h, or NULL (not one of ours). */
MprServer *mpr_server_lock(MPR_SERVER_HANDLE h);
void mpr_server_unlock(MprServer *s);
/* Runs the callbacks of answered asynchronous calls, without waiting. */
void mpr_server_dispatch(MprServer *s);
/* Opens the system bus, local (host NULL) or over ssh. */
DWORD mpr_bus_open(LPCWSTR server_name, sd_bus **ret);

/* ── handles.c ── */
/* The handle for path at instance_id: the one made before, else a new one.
 * Older handles of path with another InstanceId are marked gone. */
DWORD mpr_iface_handle(MprServer *s, const char *path, uint64_t instance_id, HANDLE *ret);
/* The interface behind h when it is ours and not known to be gone; no
 * round trip. */
MprIface *mpr_iface_find(MprServer *s, HANDLE h);
/* The interface behind h, checked against wand's InstanceId of its path
 * (one round trip): ERROR_INVALID_HANDLE when h is not ours or names an
 * interface that is gone. */
DWORD mpr_iface_check(MprServer *s, HANDLE h, MprIface **ret);
void mpr_ifaces_free(MprServer *s);

/* ── interface-info.c ── */
/* The handle of the interface at path as it is now (asks its InstanceId). */
DWORD mpr_handle_of_path(MprServer *s, const char *path, HANDLE *ret);

/* ── utf16.c ── */
/* UTF-16 (NUL-terminated, at most max_units units before the NUL) → UTF-8.
 * Returns NO_ERROR, ERROR_INVALID_PARAMETER (too long, unpaired surrogate)
 * or ERROR_NOT_ENOUGH_MEMORY. */
DWORD mpr_utf16_to_utf8(LPCWSTR s, size_t max_units, char **ret);
/* UTF-8 → UTF-16 into buf of n units, NUL-terminated; false if it does not
 * fit or is not valid UTF-8. */
bool mpr_utf8_to_utf16(const char *s, WCHAR *buf, size_t n);
/* A newly allocated UTF-16 copy of s, or NULL. */
WCHAR *mpr_utf16_dup(const char *s);

/* ── errors.c ── */
/* The Win32 code for what a failed sd-bus call returned (r < 0, error). */
DWORD mpr_error_from_bus(int r, const sd_bus_error *error);
/* The Win32 code for a D-Bus error name; 0 for NULL or "". */
DWORD mpr_error_from_name(const char *name);
/* LastError with LastErrorReason: a failed attempt's precise code. */
DWORD mpr_error_from_last_error(const char *name, const char *reason);
/* The text MprAdminGetErrorString() gives for code, or NULL. */
const char *mpr_error_text(DWORD code);

typedef struct MprErrorText {
        DWORD code;
        const char *symbol;     /* ERROR_ACCESS_DENIED */
        const char *text;
} MprErrorText;
extern const MprErrorText mpr_error_texts[];
extern const size_t mpr_error_texts_count;

typedef struct MprBusError {
        const char *name;       /* D-Bus error name */
        DWORD code;
} MprBusError;
/* The names wand_errors[] gives no Win32 code, or that are not wand's. */
extern const MprBusError mpr_bus_errors[];
extern const size_t mpr_bus_errors_count;
/* LastErrorReason's words (in name) and their codes. */
extern const MprBusError mpr_failure_reasons[];
extern const size_t mpr_failure_reasons_count;
