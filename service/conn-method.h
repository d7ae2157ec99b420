/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A connection method: how an interface's link is brought up and torn down.
 * The state machine in iface.c drives it; adding a method is adding a file
 * that fills this in (conn-device.c, conn-dialer.c). */
#pragma once

#include <stdbool.h>

#include "iface.h"

struct ConnMethod {
        const char *name;

        /* Whether an absent Device makes the interface unreachable/no-device
         * (device-only links) or merely disconnected (dialers create it). */
        bool device_required;

        /* Whether Persistent= applies: redial when the link drops. */
        bool redials;

        /* The link as it is now, without any operation of ours in flight:
         * IFACE_DISCONNECTED, IFACE_CONNECTING or IFACE_CONNECTED. */
        IfaceState (*observe)(Iface *i);

        /* Called first by every iface_update() (the kernel's link changed,
         * say): a chance to act on what observe() only reports. May be NULL. */
        void (*update)(Iface *i);

        /* A request of the method's own (set the device up or down) is in
         * flight: until it is answered, what the link cache shows may be
         * older than its effect, and no operation is judged by it. May be
         * NULL: never. */
        bool (*busy)(Iface *i);

        /* Whether a process of the method's own runs (a dialer, its
         * DisconnectCommand). While one does, State follows the method
         * whatever the reasons say, and no teardown has ended. May be NULL:
         * never. */
        bool (*running)(Iface *i);

        /* Whether a teardown has reached its end, once nothing runs. NULL:
         * observe() says IFACE_DISCONNECTED. */
        bool (*torn_down)(Iface *i);

        /* Start bringing the link up / down. Progress is reported by calling
         * iface_update() (the goal may have been reached),
         * iface_method_failed(), or iface_connection_dropped(). */
        int (*start_connect)(Iface *i);
        int (*start_disconnect)(Iface *i);

        /* Forget requests in flight (the operation ended or was cancelled);
         * processes are not touched. */
        void (*cancel)(Iface *i);

        /* After the interface is created: take over what an earlier wand
         * left running. May be NULL. */
        void (*restore)(Iface *i);

        /* Releases the method's state. terminate: the interface is going
         * away for good (stop what runs); otherwise wand is only exiting and
         * leaves the connection up. May be NULL. */
        void (*release)(Iface *i, bool terminate);
};

extern const ConnMethod conn_method_device;
extern const ConnMethod conn_method_dialer;

/* Stops the recorded dialers that belong to no interface (SIGTERM to their
 * process group, SIGKILL after the DisconnectTimeoutSec in their record),
 * once their start time shows they are still the process recorded; keep:
 * interfaces whose file exists but was refused, whose dialers stay recorded.
 * at_start: also those of interfaces removed before wand stopped. Until they
 * are gone, Stop and Reload wait for them (manager_lingering_begin()). */
void dialer_stop_unowned(Manager *m, char *const *keep, bool at_start);

/* The method an interface's settings call for: a dialer when there is a
 * ConnectCommand, else the device itself. */
const ConnMethod *conn_method_for(const Settings *s);
