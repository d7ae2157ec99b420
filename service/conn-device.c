/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device-only connection method: the connection is the kernel link's
 * administrative state. Connect sets Device up and is done when it has
 * carrier; Disconnect sets it down. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn-method.h"
#include "log.h"
#include "manager.h"

typedef struct DeviceRequest {
        uint32_t netlink_request; /* set up / down, in flight */
} DeviceRequest;

static IfaceState device_observe(Iface *i) {
        const Link *l = manager_get_link(i->manager, i->settings.device);

        if (!l || !(l->flags & IFF_UP))
                return IFACE_DISCONNECTED;
        if (!(l->flags & IFF_LOWER_UP))
                return IFACE_CONNECTING;
        return IFACE_CONNECTED;
}

static void on_set_done(int error, void *userdata) {
        Iface *i = userdata;
        DeviceRequest *d = i->method_data;
        _cleanup_free_ char *msg = NULL;

        d->netlink_request = 0;
        if (error >= 0) {
                iface_update(i);
                return;
        }
        if (asprintf(&msg, "Could not set device %s %s: %s", i->settings.device,
                     i->op == IFACE_OP_CONNECT ? "up" : "down", strerror(-error)) < 0)
                msg = NULL;
        iface_method_failed(i, error, msg ?: "Could not change the device's state.");
}

static int device_set(Iface *i, bool up) {
        const Link *l = manager_get_link(i->manager, i->settings.device);
        DeviceRequest *d = i->method_data;
        int r;

        if (!l)
                return up ? -ENODEV : 0; /* down is down */
        if (!d) {
                d = i->method_data = calloc(1, sizeof(DeviceRequest));
                if (!d)
                        return -ENOMEM;
        }
        if (d->netlink_request)
                netlink_cancel(i->manager->netlink, d->netlink_request);
        r = netlink_set_link_up(i->manager->netlink, l->ifindex, up, on_set_done, i, &d->netlink_request);
        if (r < 0)
                d->netlink_request = 0;
        return r;
}

static int device_start_connect(Iface *i) {
        return device_set(i, true);
}

static int device_start_disconnect(Iface *i) {
        return device_set(i, false);
}

static void device_cancel(Iface *i) {
        DeviceRequest *d = i->method_data;

        if (d && d->netlink_request) {
                netlink_cancel(i->manager->netlink, d->netlink_request);
                d->netlink_request = 0;
        }
}

static bool device_busy(Iface *i) {
        DeviceRequest *d = i->method_data;
        return d && d->netlink_request;
}

static void device_release(Iface *i, bool terminate) {
        device_cancel(i);
        free(i->method_data);
        i->method_data = NULL;
}

const ConnMethod conn_method_device = {
        .name = "device",
        .device_required = true,
        .observe = device_observe,
        .start_connect = device_start_connect,
        .start_disconnect = device_start_disconnect,
        .busy = device_busy,
        .cancel = device_cancel,
        .release = device_release,
};
