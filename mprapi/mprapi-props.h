/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An interface's properties as read from the bus (strings borrowed from the
 * message), and how they become an MPR_INTERFACE_0. */
#pragma once

#include "mprapi-private.h"

typedef struct MprProps {
        const char *name;
        const char *state;
        int enabled;
        DWORD reasons;          /* MPR_INTERFACE_* flags */
        const char *last_error;
        const char *last_error_reason; /* NULL from a wand before it */
        uint64_t instance_id;
        bool has_instance_id;
} MprProps;

/* Reads an a{sv} of org.wand.Router1.Interface's properties. */
int mpr_props_read(sd_bus_message *m, MprProps *p);

/* Fills out (all of it) for handle h. */
DWORD mpr_props_to_interface0(const MprProps *p, HANDLE h, MPR_INTERFACE_0 *out);
