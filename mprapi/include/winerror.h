/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Win32 system error codes that libmprapi returns: a subset of the
 * Windows SDK's winerror.h, each value as there.
 * Source of every value: mingw-w64's winerror.h (Debian mingw-w64-common,
 * /usr/share/mingw-w64/include/winerror.h), which matches the Windows SDK's
 * and learn.microsoft.com "System Error Codes (0-499)", "(500-999)",
 * "(1000-1299)", "(1300-1699)", "(1700-3999)". On an LP64 system the values
 * carry no L suffix, as mingw-w64's __MSABI_LONG() and Wine have it. */
#ifndef _WINERROR_
#define _WINERROR_

#define ERROR_SUCCESS 0                 /* winerror.h */
#define NO_ERROR 0                      /* winerror.h */
#define ERROR_ACCESS_DENIED 5           /* winerror.h */
#define ERROR_INVALID_HANDLE 6          /* winerror.h */
#define ERROR_NOT_ENOUGH_MEMORY 8       /* winerror.h */
#define ERROR_WRITE_FAULT 29            /* winerror.h */
#define ERROR_NOT_SUPPORTED 50          /* winerror.h */
#define ERROR_INVALID_PARAMETER 87      /* winerror.h */
#define ERROR_CALL_NOT_IMPLEMENTED 120  /* winerror.h */
#define ERROR_INVALID_LEVEL 124         /* winerror.h */
#define ERROR_MORE_DATA 234             /* winerror.h */
#define ERROR_MR_MID_NOT_FOUND 317      /* winerror.h */
#define ERROR_CAN_NOT_COMPLETE 1003     /* winerror.h */
#define ERROR_SERVICE_NOT_ACTIVE 1062   /* winerror.h */
#define ERROR_TIMEOUT 1460              /* winerror.h */
#define RPC_S_SERVER_UNAVAILABLE 1722   /* winerror.h */
#define ERROR_NOT_ENOUGH_QUOTA 1816     /* winerror.h */

#endif
