/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stand-ins for NetworkManager and systemd-networkd on the test bus: each
 * owns its real name on a connection of its own and answers what wand asks
 * (NetworkManager's GetDeviceByIpIface and its device's Managed property;
 * networkd's GetLinkByName and its link's AdministrativeState) the way the
 * real ones do, errors included. A test says what each manages, can hold
 * the lookups unanswered (to see how many wand sends at once) or make the
 * next one fail with an error of its choice. */
#pragma once

#include "robust.h"

G_BEGIN_DECLS

#define NM_BUS_NAME "org.freedesktop.NetworkManager"
#define NM_PATH "/org/freedesktop/NetworkManager"
#define NM_IFACE "org.freedesktop.NetworkManager"
#define NM_DEVICE_IFACE "org.freedesktop.NetworkManager.Device"
#define ND_BUS_NAME "org.freedesktop.network1"
#define ND_PATH "/org/freedesktop/network1"
#define ND_MANAGER_IFACE "org.freedesktop.network1.Manager"
#define ND_LINK_IFACE "org.freedesktop.network1.Link"

typedef enum {
        MANAGER_NM,
        MANAGER_NETWORKD,
} ManagerKind;

typedef struct {
        ManagerKind kind;
        GDBusConnection *c;  /* owns the name */
        guint name_id, object_id;
        GHashTable *devices; /* name → ManagerDevice */
        guint next_index;

        gboolean hold;       /* lookups wait in held until released */
        GPtrArray *held;     /* GDBusMethodInvocation */
        guint max_held;      /* the most held at once: wand's lookups in flight */
        GHashTable *fail;    /* device → error name for its next lookup */

        guint lookups;       /* GetDeviceByIpIface / GetLinkByName received */
        guint reads;         /* Managed / AdministrativeState read */
} ManagerDouble;

/* Owns the kind's name (on a uid 0 connection) and waits until it does. */
ManagerDouble *manager_double_new(WandFixture *f, ManagerKind kind);
void manager_double_free(ManagerDouble *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ManagerDouble, manager_double_free)

const char *manager_double_bus_name(ManagerDouble *m);
/* The unique name that owns it. */
const char *manager_double_owner(ManagerDouble *m);

/* A device it has (NetworkManager announces it with DeviceAdded), managed
 * or not (networkd: "configured" or "unmanaged"). */
void manager_double_add(ManagerDouble *m, const char *device, gboolean managed);
/* Changes it, with the PropertiesChanged the real one sends. */
void manager_double_set_managed(ManagerDouble *m, const char *device, gboolean managed);
gboolean manager_double_managed(ManagerDouble *m, const char *device);
/* Its object path for device (which it must have). */
const char *manager_double_path(ManagerDouble *m, const char *device);

/* Holds every lookup from now on, or answers those held and holds no more. */
void manager_double_hold(ManagerDouble *m, gboolean hold);
/* The next lookup of device is answered with this error. */
void manager_double_fail_next(ManagerDouble *m, const char *device, const char *error_name);

G_END_DECLS
