/* The manager: every interface, the demand-dial manager's state, the kernel's
 * links and the configuration directory. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "iface.h"
#include "link-cache.h"
#include "netlink.h"

typedef struct PolkitRegistry PolkitRegistry;
typedef struct ProcessReaper ProcessReaper;

struct Manager {
        sd_event *event;
        sd_bus *bus;
        char *config_dir;
        char *runtime_dir; /* what a restarted wand must find: running dialers */

        bool running;   /* the demand-dial manager */
        bool published; /* objects are on the bus: announce changes */
        bool stopping;

        LinkCache *links; /* the kernel's links, fed by netlink */
        Netlink *netlink;
        PolkitRegistry *polkit;
        ProcessReaper *reaper; /* processes of interfaces that are gone */

        void *ifaces;      /* tsearch tree of Iface* by name */
        size_t n_ifaces;
        void *devices;     /* tsearch tree of DeviceSlot* by device name */
};

int manager_new(Manager **ret, sd_event *event, const char *config_dir, const char *runtime_dir);
Manager *manager_free(Manager *m);
/* Ends every operation in progress, telling whoever waits for it why. */
void manager_abort_operations(Manager *m, const char *why);

/* Reads wand.conf and every interface file; the interfaces are created but
 * their links are known only once the first netlink dump is in. */
int manager_load(Manager *m);

/* Re-reads the interface files: new ones appear, removed ones disappear,
 * changed ones take their new settings. Returns 0 or -errno. */
int manager_reload(Manager *m);

/* iface_update() on every interface. */
void manager_update_all(Manager *m);

Iface *manager_find_iface(Manager *m, const char *name);

/* Every interface in name order; f may not add or remove interfaces. */
typedef void (*IfaceVisitFunc)(Iface *i, void *userdata);
void manager_foreach_iface(Manager *m, IfaceVisitFunc f, void *userdata);

/* CreateInterface: persists, then publishes. -EEXIST, or -errno from the
 * file system (nothing is published then). */
int manager_create_iface(Manager *m, const char *name, const Settings *s, Iface **ret);

/* Delete: removes the file, then the object. */
int manager_delete_iface(Manager *m, Iface *i);

/* SetEnabled: persists, disconnects first when disabling a connected
 * interface, then applies; done is called with the outcome (a failure to
 * persist changes nothing). Returns 0, or -ENOMEM and done is not called. */
int manager_set_iface_enabled_async(Manager *m, Iface *i, bool enabled, IfaceDoneFunc done, void *userdata);

/* The kernel link an interface's Device names, or NULL. */
const Link *manager_get_link(Manager *m, const char *device);

/* Start / stop the demand-dial manager. Stopping disconnects every connected
 * or connecting interface in parallel and calls done when all are down. */
int manager_start_ddm(Manager *m);
typedef void (*ManagerDoneFunc)(Manager *m, int r, void *userdata);
int manager_stop_ddm(Manager *m, ManagerDoneFunc done, void *userdata);

/* Implemented by the bus layer. */
void manager_send_ddm_changed(Manager *m);
int manager_bus_iface_added(Manager *m, Iface *i);
int manager_bus_iface_removed(Manager *m, Iface *i);
