/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Choosing an interface's connection method (see conn-method.h). */
#include "conn-method.h"

const ConnMethod *conn_method_for(const Settings *s) {
        return strv_length(s->connect_command) > 0 ? &conn_method_dialer : &conn_method_device;
}
