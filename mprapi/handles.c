/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interface handles: the HANDLE values libmprapi gives out, each naming one
 * interface of one wand process (object path + InstanceId), valid as long as
 * that interface exists, never reused. */
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "mprapi-private.h"
#include "names.h"

/* Process-wide, so that a handle of one server handle is no handle of
 * another. Starts high so that small integers and NULL are never handles. */
static uintptr_t next_token = 0x10000;

DWORD mpr_iface_handle(MprServer *s, const char *path, uint64_t instance_id, HANDLE *ret) {
        MprIface *n;
        char *p;

        for (size_t i = 0; i < s->n_ifaces; i++) {
                MprIface *f = &s->ifaces[i];

                if (!streq(f->path, path))
                        continue;
                if (f->instance_id == instance_id && !f->gone) {
                        *ret = (HANDLE) f->token;
                        return NO_ERROR;
                }
                f->gone = true; /* deleted and created again */
        }

        p = strdup(path);
        if (!p)
                return ERROR_NOT_ENOUGH_MEMORY;
        n = realloc(s->ifaces, (s->n_ifaces + 1) * sizeof(*n));
        if (!n) {
                free(p);
                return ERROR_NOT_ENOUGH_MEMORY;
        }
        s->ifaces = n;
        n[s->n_ifaces] = (MprIface) {
                .token = __atomic_fetch_add(&next_token, 1, __ATOMIC_RELAXED),
                .path = p,
                .instance_id = instance_id,
        };
        *ret = (HANDLE) n[s->n_ifaces++].token;
        return NO_ERROR;
}

MprIface *mpr_iface_find(MprServer *s, HANDLE h) {
        uintptr_t token = (uintptr_t) h;
        size_t lo = 0, hi = s->n_ifaces;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (s->ifaces[mid].token == token)
                        return s->ifaces[mid].gone ? NULL : &s->ifaces[mid];
                if (s->ifaces[mid].token < token)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

DWORD mpr_iface_check(MprServer *s, HANDLE h, MprIface **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        MprIface *f = mpr_iface_find(s, h);
        uint64_t id;
        DWORD e;
        int r;

        if (!f)
                return ERROR_INVALID_HANDLE;
        r = sd_bus_get_property_trivial(s->bus, WAND_BUS_NAME, f->path, WAND_INTERFACE_INTERFACE, "InstanceId", &error,
                                        't', &id);
        if (r < 0) {
                e = mpr_error_from_bus(r, &error);
                if (e == ERROR_INVALID_HANDLE)
                        f->gone = true;
                return e;
        }
        if (id != f->instance_id) {
                f->gone = true;
                return ERROR_INVALID_HANDLE;
        }
        *ret = f;
        return NO_ERROR;
}

void mpr_ifaces_free(MprServer *s) {
        for (size_t i = 0; i < s->n_ifaces; i++)
                free(s->ifaces[i].path);
        free(s->ifaces);
        s->ifaces = NULL;
        s->n_ifaces = 0;
}
