/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Server handles: a bus connection to one router's wand (here, or over
 * ssh), and the functions that need no interface: MprAdminServerConnect(),
 * MprAdminServerDisconnect(), MprAdminIsServiceRunning(),
 * MprAdminBufferFree(), MprAdminGetErrorString(). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "mprapi-private.h"
#include "names.h"

#define EXPORT __attribute__((visibility("default")))

/* Longer than any host name sd-bus's "user@host:port" could need. */
#define SERVER_NAME_MAX 1024

DWORD mpr_bus_open(LPCWSTR server_name, sd_bus **ret) {
        _cleanup_free_ char *host = NULL;
        sd_bus *bus = NULL;
        DWORD e;
        int r;

        /* Windows writes server names as "\\router"; the backslashes mean
         * nothing to ssh. */
        if (server_name && server_name[0] == '\\' && server_name[1] == '\\')
                server_name += 2;
        if (server_name && server_name[0]) {
                e = mpr_utf16_to_utf8(server_name, SERVER_NAME_MAX, &host);
                if (e != NO_ERROR)
                        return e;
                /* "ssh -xT -- HOST systemd-stdio-bridge", as wandctl -H. */
                r = sd_bus_open_system_remote(&bus, host);
        } else
                r = sd_bus_open_system(&bus);
        if (r < 0)
                return r == -ENOMEM ? ERROR_NOT_ENOUGH_MEMORY : r == -EINVAL ? ERROR_INVALID_PARAMETER
                                                                              : RPC_S_SERVER_UNAVAILABLE;
        /* The Win32 API has no password prompt: never ask polkit for one. */
        (void) sd_bus_set_allow_interactive_authorization(bus, false);
        *ret = bus;
        return NO_ERROR;
}

/* A round trip to the bus itself: the connection (and ssh) works. */
static DWORD bus_check(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                   "GetId", &error, NULL, NULL);

        if (r < 0)
                return mpr_error_from_bus(r, &error) == ERROR_NOT_ENOUGH_MEMORY ? ERROR_NOT_ENOUGH_MEMORY
                                                                                : RPC_S_SERVER_UNAVAILABLE;
        return NO_ERROR;
}

EXPORT DWORD WINAPI MprAdminServerConnect(LPWSTR lpwsServerName, MPR_SERVER_HANDLE *phMprServer) {
        MprServer *s;
        DWORD e;

        if (!phMprServer)
                return ERROR_INVALID_PARAMETER;
        *phMprServer = NULL;
        s = calloc(1, sizeof(*s));
        if (!s)
                return ERROR_NOT_ENOUGH_MEMORY;
        e = mpr_bus_open(lpwsServerName, &s->bus);
        if (e == NO_ERROR)
                e = bus_check(s->bus);
        if (e != NO_ERROR) {
                sd_bus_flush_close_unref(s->bus);
                free(s);
                return e;
        }
        pthread_mutex_init(&s->lock, NULL);
        s->magic = MPR_SERVER_MAGIC;
        *phMprServer = s;
        return NO_ERROR;
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

EXPORT VOID WINAPI MprAdminServerDisconnect(MPR_SERVER_HANDLE hMprServer) {
        MprServer *s = mpr_server_lock(hMprServer);
        uint64_t deadline;

        if (!s)
                return;
        /* Leaving the bus would make wand cancel the polkit check of an
         * asynchronous Connect() still waiting: wait for the answers, but not
         * for ever. */
        deadline = now_usec() + MPR_PENDING_WAIT_USEC;
        while (s->pending > 0) {
                uint64_t now = now_usec();
                int r;

                if (now >= deadline)
                        break;
                r = sd_bus_process(s->bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                if (sd_bus_wait(s->bus, deadline - now) < 0)
                        break;
        }
        s->magic = 0;
        s->bus = sd_bus_flush_close_unref(s->bus);
        mpr_ifaces_free(s);
        pthread_mutex_unlock(&s->lock);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

MprServer *mpr_server_lock(MPR_SERVER_HANDLE h) {
        MprServer *s = h;

        if (!s || s->magic != MPR_SERVER_MAGIC)
                return NULL;
        pthread_mutex_lock(&s->lock);
        mpr_server_dispatch(s);
        return s;
}

void mpr_server_unlock(MprServer *s) {
        pthread_mutex_unlock(&s->lock);
}

void mpr_server_dispatch(MprServer *s) {
        /* Answers to asynchronous calls wait in the read queue until
         * processed; nothing else arrives (no matches are installed). */
        while (s->pending > 0 && sd_bus_process(s->bus, NULL) > 0)
                ;
}

EXPORT BOOL WINAPI MprAdminIsServiceRunning(LPWSTR lpwsServerName) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int has = 0;

        if (mpr_bus_open(lpwsServerName, &bus) != NO_ERROR)
                return FALSE;
        if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", NULL, &reply, "s", WAND_BUS_NAME) < 0 ||
            sd_bus_message_read(reply, "b", &has) < 0)
                return FALSE;
        return has ? TRUE : FALSE;
}

EXPORT DWORD WINAPI MprAdminBufferFree(LPVOID pBuffer) {
        if (!pBuffer)
                return ERROR_INVALID_PARAMETER;
        free(pBuffer);
        return NO_ERROR;
}

EXPORT DWORD WINAPI MprAdminGetErrorString(DWORD dwError, LPWSTR *lplpwsErrorString) {
        const char *text;

        if (!lplpwsErrorString)
                return ERROR_INVALID_PARAMETER;
        *lplpwsErrorString = NULL;
        text = mpr_error_text(dwError);
        if (!text)
                return ERROR_MR_MID_NOT_FOUND;
        *lplpwsErrorString = mpr_utf16_dup(text);
        return *lplpwsErrorString ? NO_ERROR : ERROR_NOT_ENOUGH_MEMORY;
}
