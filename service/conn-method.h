/* A connection method: how an interface's link is brought up and torn down.
 * The state machine in iface.c drives it; adding a method (a supervised
 * dialer, say) is adding a file that fills this in. */
#pragma once

#include <stdbool.h>

#include "iface.h"

struct ConnMethod {
        const char *name;

        /* Whether an absent Device makes the interface unreachable/no-device
         * (device-only links) or merely disconnected (dialers create it). */
        bool device_required;

        /* The link as it is now, without any operation of ours in flight:
         * IFACE_DISCONNECTED, IFACE_CONNECTING or IFACE_CONNECTED. */
        IfaceState (*observe)(Iface *i);

        /* Start bringing the link up / down. Progress is reported by calling
         * iface_update() (the goal may have been reached) or
         * iface_method_failed(). Return 0 or -errno. */
        int (*start_connect)(Iface *i);
        int (*start_disconnect)(Iface *i);

        /* Forget whatever is in flight (the operation was cancelled or the
         * interface is being freed). */
        void (*cancel)(Iface *i);
};

extern const ConnMethod conn_method_device;

/* The method an interface's settings call for. */
const ConnMethod *conn_method_for(const Settings *s);
