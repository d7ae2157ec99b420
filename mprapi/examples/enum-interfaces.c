/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lists a router's demand-dial interfaces and their states with the Router
 * Administration API, the Windows way. Windows source: it builds unchanged
 * with mingw-w64 (x86_64-w64-mingw32-gcc enum-interfaces.c -lmprapi) and, on
 * Linux, against libmprapi (cc -fshort-wchar $(pkg-config --cflags --libs
 * libmprapi)).
 *
 * Usage: enum-interfaces [SERVER] */
#include <stdio.h>
#include <mprapi.h>
#include <mprerror.h>

/* Interface names are ASCII on both systems; anything else shows as '?'. */
static void PrintWide(LPCWSTR pwsz)
{
    for (; *pwsz; pwsz++)
        putchar(*pwsz < 0x80 ? (int) *pwsz : '?');
}

static void ToWide(const char *psz, WCHAR *pwsz, DWORD cch)
{
    DWORD i;

    for (i = 0; psz[i] && i + 1 < cch; i++)
        pwsz[i] = (WCHAR) (unsigned char) psz[i];
    pwsz[i] = 0;
}

static const char *StateName(ROUTER_CONNECTION_STATE state)
{
    switch (state) {
    case ROUTER_IF_STATE_UNREACHABLE:  return "unreachable";
    case ROUTER_IF_STATE_DISCONNECTED: return "disconnected";
    case ROUTER_IF_STATE_CONNECTING:   return "connecting";
    case ROUTER_IF_STATE_CONNECTED:    return "connected";
    }
    return "?";
}

static void PrintError(const char *pszWhat, DWORD dwErr)
{
    LPWSTR pwszText = NULL;

    printf("%s: error %lu", pszWhat, (unsigned long) dwErr);
    if (MprAdminGetErrorString(dwErr, &pwszText) == NO_ERROR && pwszText) {
        printf(": ");
        PrintWide(pwszText);
        MprAdminBufferFree(pwszText);
    }
    printf("\n");
}

int main(int argc, char *argv[])
{
    WCHAR wszServer[256];
    LPWSTR pwszServer = NULL;
    MPR_SERVER_HANDLE hServer = NULL;
    DWORD dwErr, dwResume = 0, i;

    if (argc > 1) {
        ToWide(argv[1], wszServer, 256);
        pwszServer = wszServer;
    }

    dwErr = MprAdminServerConnect(pwszServer, &hServer);
    if (dwErr != NO_ERROR) {
        PrintError("MprAdminServerConnect", dwErr);
        return 1;
    }

    do {
        LPBYTE pBuffer = NULL;
        DWORD dwRead = 0, dwTotal = 0;
        MPR_INTERFACE_0 *pIf;

        /* Two at a time, to show the resume handle at work. */
        dwErr = MprAdminInterfaceEnum(hServer, 0, &pBuffer, 2 * sizeof(MPR_INTERFACE_0),
                                      &dwRead, &dwTotal, &dwResume);
        if (dwErr != NO_ERROR && dwErr != ERROR_MORE_DATA) {
            PrintError("MprAdminInterfaceEnum", dwErr);
            MprAdminServerDisconnect(hServer);
            return 1;
        }
        pIf = (MPR_INTERFACE_0 *) pBuffer;
        for (i = 0; i < dwRead; i++) {
            PrintWide(pIf[i].wszInterfaceName);
            printf(" %s%s reasons=0x%lx last-error=%lu\n",
                   StateName(pIf[i].dwConnectionState),
                   pIf[i].fEnabled ? "" : " (disabled)",
                   (unsigned long) pIf[i].fUnReachabilityReasons,
                   (unsigned long) pIf[i].dwLastError);
        }
        if (pBuffer)
            MprAdminBufferFree(pBuffer);
    } while (dwErr == ERROR_MORE_DATA);

    MprAdminServerDisconnect(hServer);
    return 0;
}
