/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who else manages a network device: NetworkManager (its device's Managed
 * property) and systemd-networkd (its link's AdministrativeState), asked
 * over the system bus without ever starting either, and followed as they
 * come and go. For interfaces with ClaimDevice=yes it asks them to leave the
 * device to wand (NetworkManager: Managed=false, at runtime; networkd: a
 * runtime .network file with Unmanaged=yes) and hands it back exactly as it
 * was when wand stops managing it. A restart of wand is not "stopping": what
 * was claimed is recorded in the runtime directory. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "bus-budget.h"

typedef enum LinkOwner {
        LINK_OWNER_NETWORKMANAGER = 1 << 0,
        LINK_OWNER_NETWORKD = 1 << 1,
} LinkOwner;

typedef struct LinkOwners LinkOwners;

/* What the owner of the kernel's links (the manager) does for it. */
typedef struct LinkOwnersOps {
        /* What manages device changed. */
        void (*changed)(const char *device, void *userdata);
        /* Whether device is administratively up now: a claimed device is
         * handed back as it was. */
        bool (*link_is_up)(const char *device, void *userdata);
        void (*set_link_up)(const char *device, void *userdata);
} LinkOwnersOps;

/* budget: shared with polkit.c, must outlive it; the lookups queue for it.
 * networkd_dir: where runtime .network files go (/run/systemd/network). */
int link_owners_new(LinkOwners **ret, sd_bus *bus, BusBudget *budget, const char *runtime_dir,
                    const char *networkd_dir, const LinkOwnersOps *ops, void *userdata);
/* Leaves every claim in place: wand is only exiting. */
LinkOwners *link_owners_free(LinkOwners *o);

/* Follows device while some interface uses it (counted). */
int link_owners_watch(LinkOwners *o, const char *device);
void link_owners_unwatch(LinkOwners *o, const char *device);

/* The kernel's link of that name appeared, vanished or was replaced: ask
 * the other managers again. */
void link_owners_refresh(LinkOwners *o, const char *device);

/* The LinkOwner bits of those that manage device now. */
unsigned link_owners_get(LinkOwners *o, const char *device);

/* ClaimDevice: claim device from whoever manages it (now, and whenever one
 * takes it again), or hand back what was claimed. */
void link_owners_claim(LinkOwners *o, const char *device, bool claim);

/* After the interfaces are watched and the kernel's links known: hands back
 * what an earlier wand claimed (its records in <runtime_dir>/claims/) of
 * devices no interface uses any more, once the managers have answered. */
void link_owners_release_unused(LinkOwners *o);

/* "NetworkManager", "systemd-networkd", NULL-terminated, static. */
void link_owners_to_strv(unsigned owners, const char *ret[static 3]);
