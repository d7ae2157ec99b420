/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An interface's properties, as GetAll and GetManagedObjects give them, and
 * their translation into MPR_INTERFACE_0. */
#include <string.h>

#include "macro.h"
#include "mprapi-private.h"
#include "mprapi-props.h"

static int read_reasons(sd_bus_message *m, DWORD *ret) {
        const char *reason;
        DWORD bits = 0;
        int r;

        r = sd_bus_message_enter_container(m, 'v', "as");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "s", &reason)) > 0) {
                /* wand's reasons (org.wand.Router1(5)) → mprapi.h's flags;
                 * a reason added later has no flag and is left out. */
                if (streq(reason, "disabled"))
                        bits |= MPR_INTERFACE_ADMIN_DISABLED;
                else if (streq(reason, "no-device"))
                        bits |= MPR_INTERFACE_NO_DEVICE;
                else if (streq(reason, "connection-failure"))
                        bits |= MPR_INTERFACE_CONNECTION_FAILURE;
                else if (streq(reason, "service-stopped"))
                        bits |= MPR_INTERFACE_SERVICE_PAUSED;
                else if (streq(reason, "managed-elsewhere"))
                        /* The device is held by another network manager:
                         * RRAS says "out of resources" when no port of the
                         * interface is free for it. */
                        bits |= MPR_INTERFACE_OUT_OF_RESOURCES;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = bits;
        return sd_bus_message_exit_container(m);
}

int mpr_props_read(sd_bus_message *m, MprProps *p) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "Name"))
                        r = sd_bus_message_read(m, "v", "s", &p->name);
                else if (streq(key, "State"))
                        r = sd_bus_message_read(m, "v", "s", &p->state);
                else if (streq(key, "Enabled"))
                        r = sd_bus_message_read(m, "v", "b", &p->enabled);
                else if (streq(key, "LastError"))
                        r = sd_bus_message_read(m, "v", "s", &p->last_error);
                else if (streq(key, "LastErrorReason"))
                        r = sd_bus_message_read(m, "v", "s", &p->last_error_reason);
                else if (streq(key, "InstanceId")) {
                        r = sd_bus_message_read(m, "v", "t", &p->instance_id);
                        p->has_instance_id = r >= 0;
                } else if (streq(key, "UnreachabilityReasons"))
                        r = read_reasons(m, &p->reasons);
                else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static ROUTER_CONNECTION_STATE state_from_wand(const char *state) {
        if (streq_ptr(state, "disconnected"))
                return ROUTER_IF_STATE_DISCONNECTED;
        if (streq_ptr(state, "connecting"))
                return ROUTER_IF_STATE_CONNECTING;
        /* Windows has no "disconnecting": the link is up until the teardown
         * ends, and MprAdminInterfaceDisconnect() on it succeeds (it joins
         * the teardown), as on a connected one. */
        if (streq_ptr(state, "connected") || streq_ptr(state, "disconnecting"))
                return ROUTER_IF_STATE_CONNECTED;
        return ROUTER_IF_STATE_UNREACHABLE;
}

DWORD mpr_props_to_interface0(const MprProps *p, HANDLE h, MPR_INTERFACE_0 *out) {
        memset(out, 0, sizeof(*out));
        if (!p->name || !mpr_utf8_to_utf16(p->name, out->wszInterfaceName, ELEMENTSOF(out->wszInterfaceName)))
                return ERROR_CAN_NOT_COMPLETE;
        out->hInterface = h;
        out->fEnabled = p->enabled ? TRUE : FALSE;
        /* wand's interfaces are demand-dial connections to another router. */
        out->dwIfType = ROUTER_IF_TYPE_FULL_ROUTER;
        out->dwConnectionState = state_from_wand(p->state);
        out->fUnReachabilityReasons = out->dwConnectionState == ROUTER_IF_STATE_UNREACHABLE ? p->reasons : 0;
        out->dwLastError = mpr_error_from_last_error(p->last_error, p->last_error_reason);
        return NO_ERROR;
}
