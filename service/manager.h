/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager: every interface, the demand-dial manager's state, the kernel's
 * links and the configuration directory. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "iface.h"
#include "instance-id.h"
#include "link-cache.h"
#include "link-owners.h"
#include "netlink.h"

typedef struct PolkitRegistry PolkitRegistry;
typedef struct StopJob StopJob;
typedef struct ProcessReaper ProcessReaper;

/* Which connection method an interface's settings call for. */
typedef const ConnMethod *(*ConnMethodForFunc)(const Settings *s);

struct Manager {
        sd_event *event;
        sd_bus *bus;
        char *config_dir;
        char *runtime_dir; /* what a restarted wand must find: running dialers */

        bool running;   /* the demand-dial manager */
        uint64_t bus_max_message_size; /* wand.conf's BusMaxMessageSize= */
        bool published; /* objects are on the bus: announce changes */
        bool stopping;  /* StopDemandDialManager() is tearing down: no new connections */
        StopJob *stop_job; /* while stopping */
        InstanceIds instance_ids; /* see Iface.instance_id */
        /* Processes of interfaces that are gone, still being stopped; and
         * who waits for there to be none. */
        unsigned lingering;
        struct SettledWaiter *settled_waiters;
        bool exiting; /* manager_abort_operations(): nothing waits any more */

        /* The world the state machine runs in: the daemon's clock and
         * connection methods, or the unit tests' scripted ones. */
        Clock *clock;
        ConnMethodForFunc method_for;
        /* Who else manages a device (LinkOwner bits) in the unit tests'
         * world, where there is no bus; NULL in wand: link_owners asks. */
        unsigned (*scripted_link_owners)(Manager *m, const char *device);
        Clock *own_clock; /* the one manager_new() made, freed with it */

        LinkCache *links; /* the kernel's links, fed by netlink */
        LinkOwners *link_owners; /* other network managers; NULL until the bus is there */
        Netlink *netlink;
        PolkitRegistry *polkit;
        BusBudget bus_budget; /* the calls polkit and link_owners wait on */
        ProcessReaper *reaper; /* processes of interfaces that are gone */

        /* The interface files the last load or Reload refused (RefusedFiles):
         * their interfaces keep what they had. */
        struct ConfigRefused *refused;
        size_t n_refused;

        void *ifaces;      /* tsearch tree of Iface* by name */
        size_t n_ifaces;
        void *devices;     /* tsearch tree of DeviceSlot* by device name */
};

int manager_new(Manager **ret, sd_event *event, const char *config_dir, const char *runtime_dir);
/* The manager without the kernel: no rtnetlink socket (whoever calls it
 * feeds m->links), with the given clock (which must outlive it) and
 * connection methods. For the unit tests' scripted world. */
int manager_new_detached(Manager **ret, sd_event *event, const char *config_dir, const char *runtime_dir,
                         Clock *clock, ConnMethodForFunc method_for);
Manager *manager_free(Manager *m);
/* wand is exiting: ends every operation in progress, telling whoever waits
 * for it why. */
void manager_abort_operations(Manager *m, const char *why);

/* Reads wand.conf and every interface file; the interfaces are created but
 * their links are known only once the first netlink dump is in. The
 * demand-dial manager runs as the wand before left it (wand.conf's
 * DemandDial= applies at boot); the dialers that wand left running for
 * interfaces that are gone are stopped. */
int manager_load(Manager *m);

typedef void (*ManagerDoneFunc)(Manager *m, int r, void *userdata);

/* Re-reads the interface files: new ones appear, removed ones disappear,
 * changed ones take their new settings (iface_set_settings()); an interface
 * whose file exists but was refused (unreadable, untrusted, a parse error)
 * keeps its settings, and the file is in RefusedFiles. done (may be
 * NULL) is called once every teardown that caused has ended. Returns 0, or
 * -errno when the directory could not be read (nothing changed, done not
 * called). */
int manager_reload(Manager *m, ManagerDoneFunc done, void *userdata);

/* iface_update() on every interface. */
void manager_update_all(Manager *m);

Iface *manager_find_iface(Manager *m, const char *name);

/* Every interface in name order; f may not add or remove interfaces. */
typedef void (*IfaceVisitFunc)(Iface *i, void *userdata);
void manager_foreach_iface(Manager *m, IfaceVisitFunc f, void *userdata);

/* CreateInterface: persists, then publishes. -WAND_E_INTERFACE_ALREADY_EXISTS
 * (loaded, or its file is there), or -errno from the file system (nothing is
 * published then). */
int manager_create_iface(Manager *m, const char *name, const Settings *s, Iface **ret);

/* Delete: removes the file, then the object. */
int manager_delete_iface(Manager *m, Iface *i);

/* UpdateSettings: persists the keys that change (only their lines), then
 * applies s as iface_set_settings() does; done is called with the outcome
 * (a failure to persist changes nothing: -WAND_E_IO_ERROR with a message). Returns 0, or
 * -ENOMEM and done is not called. */
int manager_update_iface_settings_async(Manager *m, Iface *i, const Settings *s, IfaceDoneFunc done,
                                        void *userdata);

/* SetEnabled: persists, then applies (iface_set_settings(): disabling a live
 * connection tears it down first); done is called with the outcome (a
 * failure to persist changes nothing). Returns 0, or -ENOMEM and done is not
 * called. */
int manager_set_iface_enabled_async(Manager *m, Iface *i, bool enabled, IfaceDoneFunc done, void *userdata);

/* Called by connection methods: something of an interface that is gone
 * (its dialer) is still being stopped, or is gone now (userdata: the
 * Manager). StopDemandDialManager() and Reload() reply only when nothing
 * lingers. */
void manager_lingering_begin(Manager *m);
void manager_lingering_end(void *userdata);
/* done is called once nothing lingers, at once when nothing does. */
int manager_when_settled(Manager *m, ManagerDoneFunc done, void *userdata);

/* Called by iface.c when an interface's settings changed: its link's
 * changes are routed to it from now on (old_device: its Device before, or
 * NULL when that did not change), and its device claimed or handed back. */
void manager_iface_settings_changed(Manager *m, Iface *i, const char *old_device);

/* After the bus is connected: follows the devices of every interface and
 * whoever else manages them (link-owners.h). */
int manager_watch_link_owners(Manager *m, const char *networkd_dir);

/* Once the kernel's links are known: hands back what an earlier wand
 * claimed of devices no interface uses any more (link-owners.h). */
void manager_release_unused_claims(Manager *m);

/* Who else manages an interface's device (LinkOwner bits). */
unsigned manager_get_link_owners(Manager *m, const char *device);

/* The kernel link an interface's Device names, or NULL. */
const Link *manager_get_link(Manager *m, const char *device);

/* Start / stop the demand-dial manager. Stopping disconnects every connected
 * or connecting interface in parallel and calls done when all are down. */
int manager_start_ddm(Manager *m);
int manager_stop_ddm(Manager *m, ManagerDoneFunc done, void *userdata);

/* Implemented by the bus layer. */
void manager_send_ddm_changed(Manager *m);
void manager_send_refused_changed(Manager *m);
int manager_bus_iface_added(Manager *m, Iface *i);
int manager_bus_iface_removed(Manager *m, Iface *i);
