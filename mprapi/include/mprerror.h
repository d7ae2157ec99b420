/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The router codes (ROUTEBASE, 900…) of the Windows SDK's mprerror.h that
 * libmprapi can return, each value as there. Source: mingw-w64's mprerror.h
 * (Debian mingw-w64-common, /usr/share/mingw-w64/include/mprerror.h) and
 * learn.microsoft.com "Routing and Remote Access Error Codes". */
#ifndef _MPRERROR_H_
#define _MPRERROR_H_

#define ROUTEBASE 900                                   /* mprerror.h */
#define SUCCESS 0                                       /* mprerror.h */

#define ERROR_ROUTER_STOPPED (ROUTEBASE+0)              /* mprerror.h: 900 */
#define ERROR_ALREADY_CONNECTED (ROUTEBASE+1)           /* mprerror.h: 901 */
#define ERROR_DDM_NOT_RUNNING (ROUTEBASE+3)             /* mprerror.h: 903 */
#define ERROR_INTERFACE_ALREADY_EXISTS (ROUTEBASE+4)    /* mprerror.h: 904 */
#define ERROR_NO_SUCH_INTERFACE (ROUTEBASE+5)           /* mprerror.h: 905 */
#define ERROR_INTERFACE_NOT_CONNECTED (ROUTEBASE+6)     /* mprerror.h: 906 */
#define ERROR_INTERFACE_CONNECTED (ROUTEBASE+8)         /* mprerror.h: 908 */
#define ERROR_INTERFACE_DISABLED (ROUTEBASE+16)         /* mprerror.h: 916 */
#define ERROR_INTERFACE_UNREACHABLE (ROUTEBASE+27)      /* mprerror.h: 927 */

#define ROUTEBASEEND (ROUTEBASE+56)                     /* mprerror.h */

#endif
