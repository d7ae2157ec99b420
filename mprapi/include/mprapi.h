/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Router Administration API (MprAdmin*) of Windows, for Linux programs,
 * backed by wand (org.wand.Router1 on the system bus): the types and
 * functions libmprapi(3) implements, source-compatible with the Windows SDK's
 * mprapi.h.
 *
 * Sources of the values: mingw-w64's mprapi.h, winnt.h, windef.h and lmcons.h
 * (Debian mingw-w64-common, /usr/share/mingw-w64/include/), which match the
 * Windows SDK's, and learn.microsoft.com's pages of each type and function.
 * Types are sized as Wine sizes them on LP64 Linux (DWORD 32 bits, WCHAR
 * UTF-16), so the structures have the Windows x64 layout.
 *
 * WCHAR is UTF-16: write names as u"wan0", or as L"wan0" when compiling with
 * -fshort-wchar (as Wine's C code does). */
#ifndef __ROUTING_MPRADMIN_H__
#define __ROUTING_MPRADMIN_H__

#include <winerror.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ── Win32 base types (windef.h, winnt.h; sizes as Wine's on LP64) ──── */
#ifndef _MPRAPI_WIN32_TYPES
#define _MPRAPI_WIN32_TYPES
#define WINAPI                          /* the platform's calling convention */
#define VOID void                       /* winnt.h */
typedef unsigned int DWORD;             /* windef.h: 32 bits (Wine: unsigned int on LP64) */
typedef DWORD *LPDWORD;                 /* windef.h */
typedef int BOOL;                       /* windef.h */
typedef BOOL WINBOOL;                   /* mingw-w64's spelling of BOOL */
typedef unsigned char BYTE;             /* windef.h */
typedef BYTE *LPBYTE;                   /* windef.h */
typedef void *LPVOID;                   /* windef.h */
typedef void *HANDLE;                   /* winnt.h */
typedef unsigned short WCHAR;           /* winnt.h: UTF-16 code unit (Wine: unsigned short in C) */
typedef WCHAR *LPWSTR;                  /* winnt.h */
typedef const WCHAR *LPCWSTR;           /* winnt.h */
#ifndef TRUE
#define TRUE 1                          /* windef.h */
#endif
#ifndef FALSE
#define FALSE 0                         /* windef.h */
#endif
#endif

#define MAX_PREFERRED_LENGTH ((DWORD) -1)       /* lmcons.h */

/* ── mprapi.h ───────────────────────────────────────────────────────── */
#define MAX_INTERFACE_NAME_LEN 256              /* mprapi.h */

typedef enum _ROUTER_INTERFACE_TYPE {           /* mprapi.h, values 0..7 in this order */
        ROUTER_IF_TYPE_CLIENT,
        ROUTER_IF_TYPE_HOME_ROUTER,
        ROUTER_IF_TYPE_FULL_ROUTER,
        ROUTER_IF_TYPE_DEDICATED,
        ROUTER_IF_TYPE_INTERNAL,
        ROUTER_IF_TYPE_LOOPBACK,
        ROUTER_IF_TYPE_TUNNEL1,
        ROUTER_IF_TYPE_DIALOUT
} ROUTER_INTERFACE_TYPE;

typedef enum _ROUTER_CONNECTION_STATE {         /* mprapi.h, values 0..3 in this order */
        ROUTER_IF_STATE_UNREACHABLE,
        ROUTER_IF_STATE_DISCONNECTED,
        ROUTER_IF_STATE_CONNECTING,
        ROUTER_IF_STATE_CONNECTED
} ROUTER_CONNECTION_STATE;

/* fUnReachabilityReasons (mprapi.h) */
#define MPR_INTERFACE_OUT_OF_RESOURCES 0x00000001
#define MPR_INTERFACE_ADMIN_DISABLED 0x00000002
#define MPR_INTERFACE_CONNECTION_FAILURE 0x00000004
#define MPR_INTERFACE_SERVICE_PAUSED 0x00000008
#define MPR_INTERFACE_DIALOUT_HOURS_RESTRICTION 0x00000010
#define MPR_INTERFACE_NO_MEDIA_SENSE 0x00000020
#define MPR_INTERFACE_NO_DEVICE 0x00000040

typedef struct _MPR_INTERFACE_0 {               /* mprapi.h */
        WCHAR wszInterfaceName[MAX_INTERFACE_NAME_LEN + 1];
        HANDLE hInterface;
        BOOL fEnabled;
        ROUTER_INTERFACE_TYPE dwIfType;
        ROUTER_CONNECTION_STATE dwConnectionState;
        DWORD fUnReachabilityReasons;
        DWORD dwLastError;
} MPR_INTERFACE_0, *PMPR_INTERFACE_0;

typedef HANDLE MPR_SERVER_HANDLE;               /* mprapi.h */

BOOL WINAPI MprAdminIsServiceRunning(LPWSTR lpwsServerName);
DWORD WINAPI MprAdminServerConnect(LPWSTR lpwsServerName, MPR_SERVER_HANDLE *phMprServer);
VOID WINAPI MprAdminServerDisconnect(MPR_SERVER_HANDLE hMprServer);
DWORD WINAPI MprAdminBufferFree(LPVOID pBuffer);
DWORD WINAPI MprAdminGetErrorString(DWORD dwError, LPWSTR *lpwsErrorString);

DWORD WINAPI MprAdminInterfaceGetHandle(MPR_SERVER_HANDLE hMprServer, LPWSTR lpwsInterfaceName, HANDLE *phInterface,
                                        BOOL fIncludeClientInterfaces);
DWORD WINAPI MprAdminInterfaceCreate(MPR_SERVER_HANDLE hMprServer, DWORD dwLevel, LPBYTE lpbBuffer, HANDLE *phInterface);
DWORD WINAPI MprAdminInterfaceGetInfo(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface, DWORD dwLevel, LPBYTE *lplpbBuffer);
DWORD WINAPI MprAdminInterfaceSetInfo(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface, DWORD dwLevel, LPBYTE lpbBuffer);
DWORD WINAPI MprAdminInterfaceDelete(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface);
DWORD WINAPI MprAdminInterfaceEnum(MPR_SERVER_HANDLE hMprServer, DWORD dwLevel, LPBYTE *lplpbBuffer, DWORD dwPrefMaxLen,
                                   LPDWORD lpdwEntriesRead, LPDWORD lpdwTotalEntries, LPDWORD lpdwResumeHandle);
DWORD WINAPI MprAdminInterfaceConnect(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface, HANDLE hEvent,
                                      BOOL fSynchronous);
DWORD WINAPI MprAdminInterfaceDisconnect(MPR_SERVER_HANDLE hMprServer, HANDLE hInterface);

/* ── wand's Linux extension (not in Windows' mprapi.h) ──────────────────
 * MprAdminInterfaceCreate() at level MPRAPI_WAND_INTERFACE_LEVEL takes an
 * MPR_INTERFACE_WAND_0: level 0's fields plus the kernel network device the
 * interface runs over (wand's Device setting). At level 0 the device is the
 * interface's own name. See libmprapi(3). */
#define MAX_WAND_DEVICE_NAME_LEN 15             /* IFNAMSIZ - 1 */
#define MPRAPI_WAND_INTERFACE_LEVEL 0x574e      /* "WN": far from Windows' levels 0-3 */

typedef struct _MPR_INTERFACE_WAND_0 {
        MPR_INTERFACE_0 Interface;
        WCHAR wszDevice[MAX_WAND_DEVICE_NAME_LEN + 1];
} MPR_INTERFACE_WAND_0, *PMPR_INTERFACE_WAND_0;

#ifdef __cplusplus
}
#endif

#endif
