/* The device-only connection method: the connection is the kernel link's
 * administrative state. Connect sets Device up and is done when it has
 * carrier; Disconnect sets it down. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conn-method.h"
#include "log.h"
#include "manager.h"

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
        _cleanup_free_ char *msg = NULL;

        i->netlink_request = 0;
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
        int id;

        if (!l)
                return up ? -ENODEV : 0; /* down is down */
        if (i->netlink_request)
                netlink_cancel(i->manager->netlink, i->netlink_request);
        id = netlink_set_link_up(i->manager->netlink, l->ifindex, up, on_set_done, i);
        if (id < 0)
                return id;
        i->netlink_request = (uint32_t) id;
        return 0;
}

static int device_start_connect(Iface *i) {
        return device_set(i, true);
}

static int device_start_disconnect(Iface *i) {
        return device_set(i, false);
}

static void device_cancel(Iface *i) {
        if (i->netlink_request) {
                netlink_cancel(i->manager->netlink, i->netlink_request);
                i->netlink_request = 0;
        }
}

const ConnMethod conn_method_device = {
        .name = "device",
        .device_required = true,
        .observe = device_observe,
        .start_connect = device_start_connect,
        .start_disconnect = device_start_disconnect,
        .cancel = device_cancel,
};

const ConnMethod *conn_method_for(const Settings *s) {
        return strv_length(s->connect_command) > 0 ? &conn_method_dialer : &conn_method_device;
}
