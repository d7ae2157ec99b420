/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus edge's last word on a failure: whatever a handler returns, the
 * caller gets a name org.wand.Router1(5) documents, never the one sd-bus
 * would make of an errno value (EPERM → AccessDenied, EINVAL → InvalidArgs,
 * ECANCELED → System.Error.ECANCELED). */
#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "macro.h"
#include "wand-errors.h"

int bus_method_result(const char *member, const char *path, int r, sd_bus_error *error) {
        /* Named already: a decision, made where it was made. */
        if (r >= 0 || sd_bus_error_is_set(error))
                return r;
        return wand_error_set(error, r, "%s() on %s failed: %s", strna(member), strna(path), wand_strerror(r));
}

int bus_property_result(const char *property, const char *path, int r, sd_bus_error *error) {
        if (r >= 0 || sd_bus_error_is_set(error))
                return r;
        return wand_error_set(error, r, "Reading property %s of %s failed: %s", strna(property), strna(path),
                              wand_strerror(r));
}
