/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Disconnects a demand-dial interface by name with the Router Administration
 * API and prints the Win32 code, its name as on the Windows page of
 * MprAdminInterfaceDisconnect, and its text. Windows source: it builds
 * unchanged with mingw-w64 (x86_64-w64-mingw32-gcc disconnect-interface.c
 * -lmprapi) and, on Linux, against libmprapi (cc -fshort-wchar
 * $(pkg-config --cflags --libs libmprapi)).
 *
 * Usage: disconnect-interface [SERVER] INTERFACE
 * Exit status: 0 when disconnected, 1 otherwise. */
#include <stdio.h>
#include <mprapi.h>
#include <mprerror.h>

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

/* The return values the MprAdminInterfaceDisconnect page lists. */
static const char *ErrorName(DWORD dwErr)
{
    switch (dwErr) {
    case NO_ERROR:                      return "NO_ERROR";
    case ERROR_ACCESS_DENIED:           return "ERROR_ACCESS_DENIED";
    case ERROR_DDM_NOT_RUNNING:         return "ERROR_DDM_NOT_RUNNING";
    case ERROR_INVALID_HANDLE:          return "ERROR_INVALID_HANDLE";
    case ERROR_INTERFACE_NOT_CONNECTED: return "ERROR_INTERFACE_NOT_CONNECTED";
    case ERROR_NO_SUCH_INTERFACE:       return "ERROR_NO_SUCH_INTERFACE";
    }
    return "other";
}

static void PrintResult(const char *pszWhat, DWORD dwErr)
{
    LPWSTR pwszText = NULL;

    printf("%s: %lu %s", pszWhat, (unsigned long) dwErr, ErrorName(dwErr));
    if (MprAdminGetErrorString(dwErr, &pwszText) == NO_ERROR && pwszText) {
        printf(": ");
        PrintWide(pwszText);
        MprAdminBufferFree(pwszText);
    }
    printf("\n");
}

int main(int argc, char *argv[])
{
    WCHAR wszServer[256], wszInterface[MAX_INTERFACE_NAME_LEN + 1];
    LPWSTR pwszServer = NULL;
    MPR_SERVER_HANDLE hServer = NULL;
    HANDLE hInterface = NULL;
    DWORD dwErr;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s [SERVER] INTERFACE\n", argv[0]);
        return 2;
    }
    if (argc == 3) {
        ToWide(argv[1], wszServer, 256);
        pwszServer = wszServer;
    }
    ToWide(argv[argc - 1], wszInterface, MAX_INTERFACE_NAME_LEN + 1);

    dwErr = MprAdminServerConnect(pwszServer, &hServer);
    if (dwErr != NO_ERROR) {
        PrintResult("MprAdminServerConnect", dwErr);
        return 1;
    }
    dwErr = MprAdminInterfaceGetHandle(hServer, wszInterface, &hInterface, FALSE);
    if (dwErr != NO_ERROR) {
        PrintResult("MprAdminInterfaceGetHandle", dwErr);
        MprAdminServerDisconnect(hServer);
        return 1;
    }
    dwErr = MprAdminInterfaceDisconnect(hServer, hInterface);
    PrintResult("MprAdminInterfaceDisconnect", dwErr);
    MprAdminServerDisconnect(hServer);
    return dwErr == NO_ERROR ? 0 : 1;
}
