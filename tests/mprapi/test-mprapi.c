/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmprapi against the real wand on the test bus (test-mprapi.sh sets it
 * up: wan0 reachable, wan1 never gets carrier, gone has no device). One
 * scenario per run, named by argv[1]; exit 1 when a check failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "mprapi-private.h"
#include "wand-errors.h"

static int failures;

#define CHECK(expr) \
        do { \
                if (!(expr)) { \
                        fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #expr); \
                        failures++; \
                } \
        } while (0)

#define CHECK_CODE(call, expected) \
        do { \
                DWORD _got = (call); \
                if (_got != (DWORD) (expected)) { \
                        fprintf(stderr, "%s:%d: FAIL: %s returned %u, expected %s (%u)\n", __FILE__, __LINE__, \
                                #call, _got, #expected, (DWORD) (expected)); \
                        failures++; \
                } \
        } while (0)

static MPR_SERVER_HANDLE connect_local(void) {
        MPR_SERVER_HANDLE h = NULL;

        CHECK_CODE(MprAdminServerConnect(NULL, &h), NO_ERROR);
        if (!h) {
                fprintf(stderr, "cannot go on without a server handle\n");
                exit(1);
        }
        return h;
}

static HANDLE get_handle(MPR_SERVER_HANDLE s, LPWSTR name) {
        HANDLE h = NULL;

        CHECK_CODE(MprAdminInterfaceGetHandle(s, name, &h, FALSE), NO_ERROR);
        return h;
}

static MPR_INTERFACE_0 get_info(MPR_SERVER_HANDLE s, HANDLE h) {
        MPR_INTERFACE_0 copy = {};
        LPBYTE buf = NULL;

        CHECK_CODE(MprAdminInterfaceGetInfo(s, h, 0, &buf), NO_ERROR);
        if (buf) {
                copy = *(MPR_INTERFACE_0 *) buf;
                CHECK_CODE(MprAdminBufferFree(buf), NO_ERROR);
        }
        return copy;
}

static bool wide_eq(const WCHAR *a, const char *b) {
        for (; *a && *b; a++, b++)
                if (*a != (unsigned char) *b)
                        return false;
        return *a == 0 && *b == 0;
}

/* A name of n units, all c, in buf (n + 1 units). */
static WCHAR *wide_fill(WCHAR *buf, size_t n, WCHAR c) {
        for (size_t i = 0; i < n; i++)
                buf[i] = c;
        buf[n] = 0;
        return buf;
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000 };
        nanosleep(&ts, NULL);
}

/* Polls GetInfo until the state is reached; the bound only ends a broken
 * run, it decides nothing. */
static void wait_state(MPR_SERVER_HANDLE s, HANDLE h, ROUTER_CONNECTION_STATE state) {
        for (int i = 0; i < 1000; i++) {
                if (get_info(s, h).dwConnectionState == state)
                        return;
                sleep_ms(10);
        }
        fprintf(stderr, "FAIL: state %d not reached\n", state);
        failures++;
}

static void manager_call(const char *member) {
        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);

        if (r >= 0)
                r = sd_bus_call_method(bus, "org.wand.Router1", "/org/wand/Router1", "org.wand.Router1.Manager", member,
                                       NULL, NULL, NULL);
        CHECK(r >= 0);
        sd_bus_flush_close_unref(bus);
}

static void scenario_service(void) {
        CHECK(MprAdminIsServiceRunning(NULL) == TRUE);
        CHECK(MprAdminIsServiceRunning(u"") == TRUE);
        CHECK_CODE(MprAdminServerConnect(NULL, NULL), ERROR_INVALID_PARAMETER);
        MprAdminServerDisconnect(NULL); /* nothing happens */
}

static void scenario_handles(void) {
        MPR_SERVER_HANDLE s = connect_local(), s2 = connect_local();
        WCHAR name[300];
        HANDLE h = get_handle(s, u"wan0"), h2 = NULL;

        CHECK(h != NULL);
        CHECK(get_handle(s, u"wan0") == h); /* the same interface, the same handle */
        CHECK(get_handle(s, u"wan1") != h);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, u"nope", &h2, FALSE), ERROR_NO_SUCH_INTERFACE);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, u"-x", &h2, TRUE), ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, NULL, &h2, FALSE), ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, u"wan0", NULL, FALSE), ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminInterfaceGetHandle(NULL, u"wan0", &h2, FALSE), ERROR_INVALID_HANDLE);

        /* Names at the limits: wand's 64 bytes, Windows' 256 units. */
        CHECK_CODE(MprAdminInterfaceGetHandle(s, wide_fill(name, 64, 'a'), &h2, FALSE), ERROR_NO_SUCH_INTERFACE);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, wide_fill(name, 65, 'a'), &h2, FALSE), ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, wide_fill(name, 256, 'a'), &h2, FALSE), ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, wide_fill(name, 257, 'a'), &h2, FALSE), ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, u"wan\xe9", &h2, FALSE), ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, u"wan\U0001F600", &h2, FALSE), ERROR_INVALID_PARAMETER);
        name[0] = 'w', name[1] = 0xd800, name[2] = 0; /* an unpaired surrogate */
        CHECK_CODE(MprAdminInterfaceGetHandle(s, name, &h2, FALSE), ERROR_INVALID_PARAMETER);
        name[1] = 0xdc00;
        CHECK_CODE(MprAdminInterfaceGetHandle(s, name, &h2, FALSE), ERROR_INVALID_PARAMETER);

        /* A handle is its server handle's: not one of another's, and no
         * made-up value is one. */
        CHECK_CODE(MprAdminInterfaceDisconnect(s2, h), ERROR_INVALID_HANDLE);
        CHECK_CODE(MprAdminInterfaceDisconnect(s, (HANDLE) 1), ERROR_INVALID_HANDLE);
        CHECK_CODE(MprAdminInterfaceDisconnect(s, NULL), ERROR_INVALID_HANDLE);
        MprAdminServerDisconnect(s);
        MprAdminServerDisconnect(s2);
}

static void scenario_info(void) {
        MPR_SERVER_HANDLE s = connect_local();
        HANDLE h0 = get_handle(s, u"wan0"), hg = get_handle(s, u"gone");
        MPR_INTERFACE_0 i = get_info(s, h0), set = {};
        LPBYTE buf = NULL;

        CHECK(wide_eq(i.wszInterfaceName, "wan0"));
        CHECK(i.hInterface == h0);
        CHECK(i.fEnabled == TRUE);
        CHECK(i.dwIfType == ROUTER_IF_TYPE_FULL_ROUTER);
        CHECK(i.dwConnectionState == ROUTER_IF_STATE_DISCONNECTED);
        CHECK(i.fUnReachabilityReasons == 0);
        CHECK(i.dwLastError == NO_ERROR);

        i = get_info(s, hg);
        CHECK(i.dwConnectionState == ROUTER_IF_STATE_UNREACHABLE);
        CHECK(i.fUnReachabilityReasons == MPR_INTERFACE_NO_DEVICE);
        CHECK_CODE(MprAdminInterfaceConnect(s, hg, NULL, TRUE), ERROR_INTERFACE_UNREACHABLE);

        CHECK_CODE(MprAdminInterfaceGetInfo(s, h0, 1, &buf), ERROR_INVALID_LEVEL);
        CHECK_CODE(MprAdminInterfaceGetInfo(s, h0, 0, NULL), ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminInterfaceGetInfo(s, (HANDLE) 42, 0, &buf), ERROR_INVALID_HANDLE);

        /* SetInfo: fEnabled, and only that. */
        set.fEnabled = FALSE;
        CHECK_CODE(MprAdminInterfaceSetInfo(s, h0, 0, (LPBYTE) &set), NO_ERROR);
        i = get_info(s, h0);
        CHECK(i.fEnabled == FALSE);
        CHECK(i.dwConnectionState == ROUTER_IF_STATE_UNREACHABLE);
        CHECK(i.fUnReachabilityReasons == MPR_INTERFACE_ADMIN_DISABLED);
        CHECK_CODE(MprAdminInterfaceConnect(s, h0, NULL, TRUE), ERROR_INTERFACE_DISABLED);
        set.fEnabled = TRUE;
        CHECK_CODE(MprAdminInterfaceSetInfo(s, h0, 0, (LPBYTE) &set), NO_ERROR);
        CHECK(get_info(s, h0).fEnabled == TRUE);
        CHECK_CODE(MprAdminInterfaceSetInfo(s, h0, 1, (LPBYTE) &set), ERROR_INVALID_LEVEL);
        CHECK_CODE(MprAdminInterfaceSetInfo(s, h0, 0, NULL), ERROR_INVALID_PARAMETER);
        MprAdminServerDisconnect(s);
}

static void scenario_connect(void) {
        MPR_SERVER_HANDLE s = connect_local();
        HANDLE h0 = get_handle(s, u"wan0"), h1 = get_handle(s, u"wan1");
        MPR_INTERFACE_0 i;

        /* The four errors of MprAdminInterfaceDisconnect's Windows page,
         * and NO_ERROR. */
        CHECK_CODE(MprAdminInterfaceDisconnect(s, h0), ERROR_INTERFACE_NOT_CONNECTED);
        CHECK_CODE(MprAdminInterfaceConnect(s, h0, NULL, TRUE), NO_ERROR);
        CHECK(get_info(s, h0).dwConnectionState == ROUTER_IF_STATE_CONNECTED);
        CHECK_CODE(MprAdminInterfaceConnect(s, h0, NULL, TRUE), ERROR_ALREADY_CONNECTED);
        CHECK_CODE(MprAdminInterfaceDelete(s, h0), ERROR_INTERFACE_CONNECTED);
        CHECK_CODE(MprAdminInterfaceDisconnect(s, h0), NO_ERROR);
        CHECK(get_info(s, h0).dwConnectionState == ROUTER_IF_STATE_DISCONNECTED);

        manager_call("StopDemandDialManager");
        CHECK_CODE(MprAdminInterfaceDisconnect(s, h0), ERROR_DDM_NOT_RUNNING);
        CHECK_CODE(MprAdminInterfaceConnect(s, h0, NULL, TRUE), ERROR_DDM_NOT_RUNNING);
        i = get_info(s, h0);
        CHECK(i.dwConnectionState == ROUTER_IF_STATE_UNREACHABLE);
        CHECK(i.fUnReachabilityReasons == MPR_INTERFACE_SERVICE_PAUSED);
        manager_call("StartDemandDialManager");

        /* There are no events to signal. */
        CHECK_CODE(MprAdminInterfaceConnect(s, h0, (HANDLE) 1, FALSE), ERROR_NOT_SUPPORTED);

        /* Asynchronous: PENDING, and wand connects. */
        CHECK_CODE(MprAdminInterfaceConnect(s, h0, NULL, FALSE), PENDING);
        wait_state(s, h0, ROUTER_IF_STATE_CONNECTED);
        CHECK_CODE(MprAdminInterfaceDisconnect(s, h0), NO_ERROR);

        /* A failed attempt (wan1 never gets carrier; ConnectTimeoutSec=1). */
        CHECK_CODE(MprAdminInterfaceConnect(s, h1, NULL, TRUE), ERROR_NO_CARRIER);
        i = get_info(s, h1);
        CHECK(i.dwLastError == ERROR_NO_CARRIER);

        /* ServerDisconnect waits for the answer to an asynchronous call. */
        CHECK_CODE(MprAdminInterfaceConnect(s, h1, NULL, FALSE), PENDING);
        MprAdminServerDisconnect(s);
        s = connect_local();
        h1 = get_handle(s, u"wan1");
        CHECK(get_info(s, h1).dwConnectionState == ROUTER_IF_STATE_DISCONNECTED);
        MprAdminServerDisconnect(s);
}

/* Creates an interface at the extension level, with its device. */
static DWORD create(MPR_SERVER_HANDLE s, const WCHAR *name, const char *device, HANDLE *ret) {
        MPR_INTERFACE_WAND_0 w = {};

        memcpy(w.Interface.wszInterfaceName, name, sizeof(WCHAR) * (MAX_INTERFACE_NAME_LEN + 1));
        w.Interface.fEnabled = TRUE;
        w.Interface.dwIfType = ROUTER_IF_TYPE_FULL_ROUTER;
        for (size_t k = 0; device[k]; k++)
                w.wszDevice[k] = (WCHAR) device[k];
        return MprAdminInterfaceCreate(s, MPRAPI_WAND_INTERFACE_LEVEL, (LPBYTE) &w, ret);
}

static void scenario_create_delete(void) {
        MPR_SERVER_HANDLE a = connect_local(), b = connect_local();
        MPR_INTERFACE_0 c = {};
        WCHAR name[MAX_INTERFACE_NAME_LEN + 2] = {}; /* one more: create() copies 257 units */
        HANDLE ha = NULL, hb = NULL, hb2 = NULL, hx = NULL;
        MPR_INTERFACE_0 i;

        /* Level 0: the device is the interface's name. */
        memcpy(c.wszInterfaceName, u"wan2", sizeof(u"wan2"));
        c.fEnabled = TRUE;
        CHECK_CODE(MprAdminInterfaceCreate(a, 0, (LPBYTE) &c, &ha), NO_ERROR);
        CHECK(ha != NULL);
        CHECK_CODE(MprAdminInterfaceCreate(a, 0, (LPBYTE) &c, &hx), ERROR_INTERFACE_ALREADY_EXISTS);
        CHECK_CODE(MprAdminInterfaceCreate(a, 2, (LPBYTE) &c, &hx), ERROR_INVALID_LEVEL);
        CHECK_CODE(MprAdminInterfaceCreate(a, 0, NULL, &hx), ERROR_INVALID_PARAMETER);
        i = get_info(a, ha);
        CHECK(wide_eq(i.wszInterfaceName, "wan2"));
        CHECK(i.dwConnectionState == ROUTER_IF_STATE_UNREACHABLE);
        CHECK(i.fUnReachabilityReasons == MPR_INTERFACE_NO_DEVICE);

        /* b deletes it and creates it again: the same name and object path,
         * but a's handle named the interface that is gone. */
        hb = get_handle(b, u"wan2");
        CHECK_CODE(MprAdminInterfaceDelete(b, hb), NO_ERROR);
        CHECK_CODE(MprAdminInterfaceGetInfo(b, hb, 0, (LPBYTE *) &i), ERROR_INVALID_HANDLE);
        CHECK_CODE(MprAdminInterfaceDelete(b, hb), ERROR_INVALID_HANDLE);
        CHECK_CODE(MprAdminInterfaceCreate(b, 0, (LPBYTE) &c, &hb2), NO_ERROR);
        CHECK(hb2 != hb);
        CHECK_CODE(MprAdminInterfaceDisconnect(a, ha), ERROR_INVALID_HANDLE);
        CHECK_CODE(MprAdminInterfaceSetInfo(a, ha, 0, (LPBYTE) &c), ERROR_INVALID_HANDLE);
        CHECK_CODE(MprAdminInterfaceConnect(a, ha, NULL, FALSE), ERROR_INVALID_HANDLE);
        CHECK_CODE(MprAdminInterfaceGetInfo(a, ha, 0, (LPBYTE *) &i), ERROR_INVALID_HANDLE);
        CHECK(get_handle(a, u"wan2") != ha);
        CHECK_CODE(MprAdminInterfaceDelete(b, hb2), NO_ERROR);

        /* The extension level, and a name of wand's longest. */
        wide_fill(name, 64, 'z');
        CHECK_CODE(create(a, name, "wan9", &hx), NO_ERROR);
        i = get_info(a, hx);
        CHECK(memcmp(i.wszInterfaceName, name, sizeof(WCHAR) * 65) == 0);
        CHECK_CODE(MprAdminInterfaceDelete(a, hx), NO_ERROR);
        wide_fill(name, 65, 'z');
        CHECK_CODE(create(a, name, "wan9", &hx), ERROR_INVALID_PARAMETER);
        CHECK_CODE(create(a, u"ok", "bad/dev", &hx), ERROR_INVALID_PARAMETER);
        wide_fill(name, MAX_INTERFACE_NAME_LEN + 1, 'z'); /* the copy is not terminated in the array */
        CHECK_CODE(create(a, name, "wan9", &hx), ERROR_INVALID_PARAMETER);
        MprAdminServerDisconnect(a);
        MprAdminServerDisconnect(b);
}

static void scenario_enum(void) {
        MPR_SERVER_HANDLE s = connect_local();
        const char *names[] = { "gone", "wan0", "wan1" };
        DWORD read = 0, total = 0, resume = 0, e;
        LPBYTE buf = NULL;
        MPR_INTERFACE_0 *p;
        size_t seen = 0;

        CHECK_CODE(MprAdminInterfaceEnum(s, 0, &buf, MAX_PREFERRED_LENGTH, &read, &total, &resume), NO_ERROR);
        CHECK(read == 3 && total == 3 && resume == 0);
        p = (MPR_INTERFACE_0 *) buf;
        for (DWORD k = 0; k < read && k < 3; k++) {
                CHECK(wide_eq(p[k].wszInterfaceName, names[k]));
                CHECK(p[k].hInterface == get_handle(s, (LPWSTR) p[k].wszInterfaceName));
        }
        CHECK_CODE(MprAdminBufferFree(buf), NO_ERROR);

        /* One entry fits: ERROR_MORE_DATA twice, then the last. Also with 0:
         * at least one entry, so a loop always gets on. */
        for (DWORD pref = 0; pref <= sizeof(MPR_INTERFACE_0); pref += sizeof(MPR_INTERFACE_0)) {
                resume = 0, seen = 0;
                do {
                        buf = NULL;
                        e = MprAdminInterfaceEnum(s, 0, &buf, pref, &read, &total, &resume);
                        CHECK(e == (seen < 2 ? ERROR_MORE_DATA : NO_ERROR));
                        CHECK(read == 1 && total == 3 - seen);
                        if (read == 1 && seen < 3)
                                CHECK(wide_eq(((MPR_INTERFACE_0 *) buf)->wszInterfaceName, names[seen]));
                        seen += read;
                        MprAdminBufferFree(buf);
                } while (e == ERROR_MORE_DATA && seen < 10);
                CHECK(seen == 3 && resume == 0);
        }

        /* Two fit, and a resume handle past the end. */
        resume = 0;
        CHECK_CODE(MprAdminInterfaceEnum(s, 0, &buf, 2 * sizeof(MPR_INTERFACE_0) + 7, &read, &total, &resume),
                   ERROR_MORE_DATA);
        CHECK(read == 2 && resume == 2);
        MprAdminBufferFree(buf);
        resume = 99;
        CHECK_CODE(MprAdminInterfaceEnum(s, 0, &buf, MAX_PREFERRED_LENGTH, &read, &total, &resume), NO_ERROR);
        CHECK(read == 0 && total == 0);
        MprAdminBufferFree(buf);

        CHECK_CODE(MprAdminInterfaceEnum(s, 1, &buf, MAX_PREFERRED_LENGTH, &read, &total, &resume), ERROR_INVALID_LEVEL);
        CHECK_CODE(MprAdminInterfaceEnum(s, 0, NULL, MAX_PREFERRED_LENGTH, &read, &total, &resume),
                   ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminInterfaceEnum(NULL, 0, &buf, MAX_PREFERRED_LENGTH, &read, &total, &resume),
                   ERROR_INVALID_HANDLE);
        MprAdminServerDisconnect(s);
}

/* Prints what MprAdminInterfaceEnum gives, an entry a line (no handle: its
 * value is the process's), or the error; test-mprapi.sh compares the lines
 * from GetManagedObjects with those when wand refuses it. */
static void scenario_enum_print(void) {
        MPR_SERVER_HANDLE s = connect_local();
        DWORD read = 0, total = 0, resume = 0, e;
        LPBYTE buf = NULL;

        e = MprAdminInterfaceEnum(s, 0, &buf, MAX_PREFERRED_LENGTH, &read, &total, &resume);
        if (e != NO_ERROR)
                printf("error %u\n", e);
        for (DWORD k = 0; e == NO_ERROR && k < read; k++) {
                const MPR_INTERFACE_0 *p = &((MPR_INTERFACE_0 *) buf)[k];

                for (const WCHAR *c = p->wszInterfaceName; *c; c++)
                        putchar(*c < 0x80 ? (char) *c : '?');
                printf(" enabled=%d type=%u state=%u reasons=%#x last-error=%u\n", p->fEnabled, p->dwIfType,
                       p->dwConnectionState, p->fUnReachabilityReasons, p->dwLastError);
        }
        MprAdminBufferFree(buf);
        MprAdminServerDisconnect(s);
}

static bool same_entry(const MPR_INTERFACE_0 *a, const MPR_INTERFACE_0 *b) {
        return memcmp(a->wszInterfaceName, b->wszInterfaceName, sizeof(a->wszInterfaceName)) == 0 &&
               a->hInterface == b->hInterface && a->fEnabled == b->fEnabled && a->dwIfType == b->dwIfType &&
               a->dwConnectionState == b->dwConnectionState &&
               a->fUnReachabilityReasons == b->fUnReachabilityReasons && a->dwLastError == b->dwLastError;
}

/* Every entry of MprAdminInterfaceEnum is what MprAdminInterfaceGetHandle()
 * and MprAdminInterfaceGetInfo() (one GetAll) say of its interface, and a
 * page at a time gives the same entries. */
static void scenario_enum_each(void) {
        MPR_SERVER_HANDLE s = connect_local();
        DWORD read = 0, total = 0, resume = 0, e;
        LPBYTE buf = NULL;
        MPR_INTERFACE_0 *all;
        DWORD n;

        CHECK_CODE(MprAdminInterfaceEnum(s, 0, &buf, MAX_PREFERRED_LENGTH, &read, &total, &resume), NO_ERROR);
        all = (MPR_INTERFACE_0 *) buf;
        n = buf ? read : 0;
        CHECK(n > 3 && total == n);
        for (DWORD k = 0; k < n; k++) {
                MPR_INTERFACE_0 i = get_info(s, all[k].hInterface);

                CHECK(all[k].hInterface == get_handle(s, (LPWSTR) all[k].wszInterfaceName));
                CHECK(same_entry(&i, &all[k]));
                if (k > 0)
                        CHECK(memcmp(all[k - 1].wszInterfaceName, all[k].wszInterfaceName,
                                     sizeof(all[k].wszInterfaceName)) != 0);
        }
        resume = 0;
        for (DWORD k = 0; k < n; k++) {
                LPBYTE page = NULL;

                e = MprAdminInterfaceEnum(s, 0, &page, sizeof(MPR_INTERFACE_0), &read, &total, &resume);
                CHECK(e == (k + 1 < n ? ERROR_MORE_DATA : NO_ERROR) && read == 1);
                if (page && read == 1)
                        CHECK(same_entry((MPR_INTERFACE_0 *) page, &all[k]));
                MprAdminBufferFree(page);
        }
        MprAdminBufferFree(buf);
        MprAdminServerDisconnect(s);
}

/* As uid 65534, with polkit absent (AccessDenied) or answering that it
 * needs a password (InteractiveAuthorizationRequired): both are denials, as
 * the Win32 API cannot prompt. Reading needs no authorization. */
static void scenario_denied(void) {
        MPR_SERVER_HANDLE s = connect_local();
        HANDLE h0 = get_handle(s, u"wan0"), hx = NULL;
        MPR_INTERFACE_0 c = {};
        LPBYTE buf = NULL;
        DWORD read, total, resume = 0;

        CHECK(get_info(s, h0).dwConnectionState == ROUTER_IF_STATE_DISCONNECTED);
        CHECK_CODE(MprAdminInterfaceEnum(s, 0, &buf, MAX_PREFERRED_LENGTH, &read, &total, &resume), NO_ERROR);
        MprAdminBufferFree(buf);
        CHECK_CODE(MprAdminInterfaceDisconnect(s, h0), ERROR_ACCESS_DENIED);
        CHECK_CODE(MprAdminInterfaceConnect(s, h0, NULL, TRUE), ERROR_ACCESS_DENIED);
        CHECK_CODE(MprAdminInterfaceSetInfo(s, h0, 0, (LPBYTE) &c), ERROR_ACCESS_DENIED);
        CHECK_CODE(MprAdminInterfaceDelete(s, h0), ERROR_ACCESS_DENIED);
        memcpy(c.wszInterfaceName, u"wan3", sizeof(u"wan3"));
        CHECK_CODE(MprAdminInterfaceCreate(s, 0, (LPBYTE) &c, &hx), ERROR_ACCESS_DENIED);
        /* Asynchronous: wand's polkit check is not cancelled by the caller
         * leaving, since ServerDisconnect waits for the answer
         * (test-mprapi.sh reads the polkit double's log). */
        CHECK_CODE(MprAdminInterfaceConnect(s, h0, NULL, FALSE), PENDING);
        MprAdminServerDisconnect(s);
}

/* As uid 65534, whom the polkit double grants connect, disconnect and
 * configure but not the root-equivalent configure-privileged: everything
 * libmprapi does needs no more (it never sets or reads a command), so an
 * operator holding those can use all of it (test-mprapi.sh reads the
 * double's log for configure-privileged). */
static void scenario_operator(void) {
        MPR_SERVER_HANDLE s = connect_local();
        HANDLE h0 = get_handle(s, u"wan0"), hc = NULL, hw = NULL;
        MPR_INTERFACE_0 c = {};

        CHECK_CODE(MprAdminInterfaceConnect(s, h0, NULL, TRUE), NO_ERROR);
        CHECK(get_info(s, h0).dwConnectionState == ROUTER_IF_STATE_CONNECTED);
        CHECK_CODE(MprAdminInterfaceDisconnect(s, h0), NO_ERROR);
        memcpy(c.wszInterfaceName, u"wan5", sizeof(u"wan5"));
        CHECK_CODE(MprAdminInterfaceCreate(s, 0, (LPBYTE) &c, &hc), NO_ERROR);
        CHECK(hc && get_info(s, hc).fEnabled == FALSE);
        c.fEnabled = TRUE;
        CHECK_CODE(MprAdminInterfaceSetInfo(s, hc, 0, (LPBYTE) &c), NO_ERROR);
        CHECK(hc && get_info(s, hc).fEnabled == TRUE);
        CHECK_CODE(MprAdminInterfaceDelete(s, hc), NO_ERROR);
        CHECK_CODE(create(s, u"wan6", "wan9", &hw), NO_ERROR);
        CHECK_CODE(MprAdminInterfaceDelete(s, hw), NO_ERROR);
        MprAdminServerDisconnect(s);
}

static void scenario_no_wand(void) {
        MPR_SERVER_HANDLE s = connect_local();
        HANDLE h = NULL;

        CHECK(MprAdminIsServiceRunning(NULL) == FALSE);
        CHECK_CODE(MprAdminInterfaceGetHandle(s, u"wan0", &h, FALSE), ERROR_SERVICE_NOT_ACTIVE);
        MprAdminServerDisconnect(s);
}

/* Over the fake ssh of test-mprapi.sh. */
static void scenario_remote(void) {
        MPR_SERVER_HANDLE s = NULL;
        HANDLE h = NULL;

        CHECK(MprAdminIsServiceRunning(u"admin@router") == TRUE);
        CHECK_CODE(MprAdminServerConnect(u"\\\\admin@router", &s), NO_ERROR);
        if (s) {
                CHECK_CODE(MprAdminInterfaceGetHandle(s, u"wan0", &h, FALSE), NO_ERROR);
                CHECK(get_info(s, h).dwConnectionState == ROUTER_IF_STATE_DISCONNECTED);
                MprAdminServerDisconnect(s);
        }
        CHECK_CODE(MprAdminServerConnect(u"unreachable", &s), RPC_S_SERVER_UNAVAILABLE);
        CHECK(s == NULL);
        CHECK(MprAdminIsServiceRunning(u"unreachable") == FALSE);
}

/* The tables, without wand: every code has a text; every D-Bus error name
 * of the contract's table and of the manual's ERRORS (argv[2]) has a Win32
 * code of its own, not the catch-all. */
/* The whole of a file, or NULL. */
static char *read_all(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t n = 0;

        if (!f)
                return NULL;
        if (getdelim(&buf, &n, 0, f) < 0) {
                free(buf);
                buf = NULL;
        }
        fclose(f);
        return buf;
}

static void scenario_tables(const char *manual, const char *libmprapi_manual) {
        char *page = read_all(libmprapi_manual);

        LPWSTR text = NULL;
        char line[1024];
        FILE *f;
        int names = 0;

        for (size_t i = 0; i < mpr_error_texts_count; i++) {
                CHECK_CODE(MprAdminGetErrorString(mpr_error_texts[i].code, &text), NO_ERROR);
                CHECK(text && text[0]);
                MprAdminBufferFree(text);
        }
        CHECK_CODE(MprAdminGetErrorString(12345, &text), ERROR_MR_MID_NOT_FOUND);
        CHECK(text == NULL);
        CHECK_CODE(MprAdminGetErrorString(NO_ERROR, NULL), ERROR_INVALID_PARAMETER);
        CHECK_CODE(MprAdminBufferFree(NULL), ERROR_INVALID_PARAMETER);

        for (size_t i = 0; i < mpr_bus_errors_count; i++)
                CHECK(mpr_error_text(mpr_bus_errors[i].code) != NULL);
        for (size_t i = 0; i < wand_errors_count; i++) {
                DWORD code = mpr_error_from_name(wand_errors[i].name);
                if (code == ERROR_CAN_NOT_COMPLETE || !mpr_error_text(code))
                        fprintf(stderr, "FAIL: %s has no Win32 code\n", wand_errors[i].name), failures++;
                if (wand_errors[i].win32_code)
                        CHECK(code == wand_errors[i].win32_code);
        }

        f = fopen(manual, "re");
        CHECK(f);
        while (f && fgets(line, sizeof(line), f)) {
                char *end;
                if (line[0] != '*' || (strncmp(line + 1, "org.wand.Router1.Error.", 23) != 0 &&
                                       strncmp(line + 1, "org.freedesktop.DBus.Error.", 27) != 0))
                        continue;
                end = strchr(line + 1, '*');
                if (!end)
                        continue;
                *end = 0;
                names++;
                /* wand's fallback is the Win32 fallback: libmprapi(3) says so. */
                if (strcmp(line + 1, "org.freedesktop.DBus.Error.Failed") == 0) {
                        CHECK_CODE(mpr_error_from_name(line + 1), ERROR_CAN_NOT_COMPLETE);
                        continue;
                }
                if (mpr_error_from_name(line + 1) == ERROR_CAN_NOT_COMPLETE)
                        fprintf(stderr, "FAIL: %s (in the manual) has no Win32 code\n", line + 1), failures++;
        }
        if (f)
                fclose(f);
        CHECK(names >= 13);

        /* libmprapi(3) lists every name the library maps ("org.freedesktop.
         * DBus.Error." left out) with its code's symbol. */
        CHECK(page);
        for (size_t i = 0; page && i < mpr_bus_errors_count; i++) {
                const char *n = mpr_bus_errors[i].name;
                if (strncmp(n, "org.freedesktop.DBus.Error.", 27) == 0)
                        n += 27;
                if (!strstr(page, n))
                        fprintf(stderr, "FAIL: libmprapi(3) does not list %s\n", n), failures++;
        }
        for (size_t i = 0; page && i < mpr_error_texts_count; i++)
                if (!strstr(page, mpr_error_texts[i].symbol))
                        fprintf(stderr, "FAIL: libmprapi(3) does not name %s\n", mpr_error_texts[i].symbol), failures++;

        /* What sd-bus says when the bus is gone or a call times out. */
        CHECK(mpr_error_from_bus(-ECONNRESET, NULL) == RPC_S_SERVER_UNAVAILABLE);
        CHECK(mpr_error_from_bus(-ETIMEDOUT, NULL) == ERROR_TIMEOUT);
        CHECK(mpr_error_from_bus(-ENOMEM, NULL) == ERROR_NOT_ENOUGH_MEMORY);
        CHECK(mpr_error_from_name("org.example.Unknown") == ERROR_CAN_NOT_COMPLETE);

        /* Issue 22: LastErrorReason makes a failed attempt's code precise,
         * one distinct code per word of org.wand.Router1(5), each with a
         * text and in libmprapi(3); a word of a newer wand, or none (an older
         * wand), leaves ConnectionFailed's; other errors stay theirs. */
        {
                static const char *const words[] = { "timeout", "no-carrier", "dialer-exited", "device-gone",
                                                     "refused", "start-failed" };
                DWORD seen[ELEMENTSOF(words)];

                CHECK(mpr_failure_reasons_count == ELEMENTSOF(words));
                for (size_t i = 0; i < ELEMENTSOF(words); i++) {
                        seen[i] = mpr_error_from_last_error(WAND_ERROR_CONNECTION_FAILED, words[i]);
                        CHECK(mpr_error_text(seen[i]) != NULL);
                        for (size_t k = 0; k < i; k++)
                                if (seen[k] == seen[i])
                                        fprintf(stderr, "FAIL: %s and %s share a Win32 code\n", words[k], words[i]),
                                                failures++;
                        if (page && !strstr(page, words[i]))
                                fprintf(stderr, "FAIL: libmprapi(3) does not list %s\n", words[i]), failures++;
                }
                CHECK(seen[1] == ERROR_NO_CARRIER);
                CHECK(mpr_error_from_last_error(WAND_ERROR_CONNECTION_FAILED, "link-lost") == ERROR_NO_CARRIER);
                CHECK(mpr_error_from_last_error(WAND_ERROR_CONNECTION_FAILED, NULL) == ERROR_NO_CARRIER);
                CHECK(mpr_error_from_last_error(WAND_ERROR_CONNECTION_FAILED, "") == ERROR_NO_CARRIER);
                CHECK(mpr_error_from_last_error("", "") == NO_ERROR);
                CHECK(mpr_error_from_last_error(WAND_ERROR_INTERFACE_DISABLED, "timeout") == ERROR_INTERFACE_DISABLED);
        }
        free(page);
}

int main(int argc, char *argv[]) {
        static const struct {
                const char *name;
                void (*run)(void);
        } scenarios[] = {
                { "service", scenario_service },
                { "handles", scenario_handles },
                { "info", scenario_info },
                { "connect", scenario_connect },
                { "create-delete", scenario_create_delete },
                { "enum", scenario_enum },
                { "enum-print", scenario_enum_print },
                { "enum-each", scenario_enum_each },
                { "denied", scenario_denied },
                { "operator", scenario_operator },
                { "no-wand", scenario_no_wand },
                { "remote", scenario_remote },
        };

        if (argc == 4 && streq(argv[1], "tables"))
                scenario_tables(argv[2], argv[3]);
        else {
                size_t i;

                for (i = 0; argc == 2 && i < ELEMENTSOF(scenarios); i++)
                        if (streq(argv[1], scenarios[i].name)) {
                                scenarios[i].run();
                                break;
                        }
                if (argc != 2 || i == ELEMENTSOF(scenarios)) {
                        fprintf(stderr, "usage: test-mprapi SCENARIO | tables ROUTER1-MANUAL LIBMPRAPI-MANUAL\n");
                        return 2;
                }
        }
        printf("%s: %s\n", argv[1], failures ? "FAILED" : "ok");
        return failures ? 1 : 0;
}
