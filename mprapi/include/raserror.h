/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Remote Access codes that libmprapi returns: a subset of the Windows
 * SDK's raserror.h, each value as there. Source: mingw-w64's raserror.h
 * (Debian mingw-w64-common, /usr/share/mingw-w64/include/raserror.h) and
 * learn.microsoft.com "Routing and Remote Access Error Codes". */
#ifndef _RASERROR_H_
#define _RASERROR_H_

#define RASBASE 600                             /* raserror.h */
#define PENDING (RASBASE+0)                     /* raserror.h: 600 */
#define ERROR_DEVICE_DOES_NOT_EXIST (RASBASE+8) /* raserror.h: 608 */
#define ERROR_PORT_DISCONNECTED (RASBASE+19)    /* raserror.h: 619 */
#define ERROR_REQUEST_TIMEOUT (RASBASE+38)      /* raserror.h: 638 */
#define ERROR_NO_CARRIER (RASBASE+79)           /* raserror.h: 679 */
#define RASBASEEND (RASBASE+270)                /* raserror.h */

#endif
