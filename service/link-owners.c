/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See link-owners.h. Per device, one lookup per manager (NetworkManager's
 * GetDeviceByIpIface, networkd's GetLinkByName), then its property read and
 * its PropertiesChanged followed; every call goes out with auto-start off,
 * and the managers' names are watched, so a manager that is not running is
 * never started by wand and one that starts later is noticed. */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash-point.h"
#include "link-owners.h"
#include "log.h"
#include "macro.h"

#define NM_BUS "org.freedesktop.NetworkManager"
#define NM_PATH "/org/freedesktop/NetworkManager"
#define NM_IFACE "org.freedesktop.NetworkManager"
#define NM_DEVICE_IFACE "org.freedesktop.NetworkManager.Device"
#define ND_BUS "org.freedesktop.network1"
#define ND_PATH "/org/freedesktop/network1"
#define ND_MANAGER_IFACE "org.freedesktop.network1.Manager"
#define ND_LINK_IFACE "org.freedesktop.network1.Link"
#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"

typedef enum PeerKind {
        PEER_NM,
        PEER_ND,
        _PEER_MAX,
} PeerKind;

static const struct {
        const char *bus, *label;
        LinkOwner bit;
} peer_info[_PEER_MAX] = {
        [PEER_NM] = { NM_BUS, "NetworkManager", LINK_OWNER_NETWORKMANAGER },
        [PEER_ND] = { ND_BUS, "systemd-networkd", LINK_OWNER_NETWORKD },
};

typedef struct Watched Watched;

/* One manager's view of one device. */
typedef struct Peer {
        Watched *watched;
        PeerKind kind;
        char *path;          /* its object for the device; NULL: it has none */
        bool manages;
        sd_bus_slot *query;  /* lookup or property read in flight */
        sd_bus_slot *match;  /* PropertiesChanged of path */
        sd_bus_slot *claim;  /* claim or hand-back in flight */
} Peer;

struct Watched {
        LinkOwners *owners;
        char *device;
        unsigned refs;
        unsigned mask;     /* LinkOwner bits: who manages it, as last told */
        Peer peers[_PEER_MAX];
        bool want_claim;
        unsigned claimed;  /* LinkOwner bits wand took from them */
        bool was_up;       /* administratively up when wand took it */
        Watched *next;
};

struct LinkOwners {
        sd_bus *bus;
        char *runtime_dir, *networkd_dir;
        bool present[_PEER_MAX];
        sd_bus_slot *owner_match[_PEER_MAX], *has_owner[_PEER_MAX];
        sd_bus_slot *nm_devices_match[2];
        Watched *watched; /* all, for the walks */
        void *tree;       /* tsearch tree of Watched* by device: each state change asks */
        const LinkOwnersOps *ops;
        void *userdata;
};

void link_owners_to_strv(unsigned owners, const char *ret[static 3]) {
        size_t n = 0;

        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (owners & peer_info[k].bit)
                        ret[n++] = peer_info[k].label;
        ret[n] = NULL;
}

static int watched_compare(const void *a, const void *b) {
        return strcmp(((const Watched *) a)->device, ((const Watched *) b)->device);
}

/* Asked on every state change of every interface: a lookup in a tree, not
 * a walk of the list, which at 10,000 interfaces cost ~10,000 string
 * comparisons per call and made start-up quadratic. */
static Watched *watched_find(LinkOwners *o, const char *device) {
        Watched key = { .device = (char *) device };
        Watched **found = tfind(&key, &o->tree, watched_compare);
        return found ? *found : NULL;
}

unsigned link_owners_get(LinkOwners *o, const char *device) {
        Watched *w = o && device ? watched_find(o, device) : NULL;
        return w ? w->mask : 0;
}

/* A call that never starts the service it goes to. */
static int call_async(LinkOwners *o, sd_bus_slot **slot, const char *dest, const char *path, const char *iface,
                      const char *member, sd_bus_message_handler_t cb, void *userdata, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(o->bus, &m, dest, path, iface, member);
        if (r < 0)
                return r;
        r = sd_bus_message_set_auto_start(m, false);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        return sd_bus_call_async(o->bus, slot, m, cb, userdata, 0);
}

/* ── claims on record ─────────────────────────────────────────────────── */

static char *claim_record_path(LinkOwners *o, const char *device) {
        char *p = NULL;
        return asprintf(&p, "%s/claims/%s", o->runtime_dir, device) < 0 ? NULL : p;
}

static void claim_record_load(Watched *w) {
        _cleanup_free_ char *path = claim_record_path(w->owners, w->device);
        char line[64];
        FILE *f;

        if (!path || !(f = fopen(path, "re")))
                return;
        while (fgets(line, sizeof(line), f)) {
                for (PeerKind k = 0; k < _PEER_MAX; k++)
                        if (strncmp(line, peer_info[k].label, strlen(peer_info[k].label)) == 0)
                                w->claimed |= peer_info[k].bit;
                if (strncmp(line, "up", 2) == 0)
                        w->was_up = true;
        }
        fclose(f);
}

/* What wand took, kept where a restarted wand finds it: it must hand back
 * exactly that, and only that, when it stops managing the device. */
static void claim_record_save(Watched *w) {
        _cleanup_free_ char *path = claim_record_path(w->owners, w->device), *dir = NULL, *tmp = NULL;
        FILE *f;
        int fd;

        if (!path)
                return (void) log_oom();
        if (w->claimed == 0) {
                if (unlink(path) < 0 && errno != ENOENT)
                        log_warning_errno(errno, "Cannot remove %s: %m", path);
                return;
        }
        if (asprintf(&dir, "%s/claims", w->owners->runtime_dir) < 0 || asprintf(&tmp, "%s.tmp", path) < 0)
                return (void) log_oom();
        (void) mkdir(w->owners->runtime_dir, 0755);
        (void) mkdir(dir, 0755);
        (void) unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 || !(f = fdopen(fd, "we"))) {
                log_warning_errno(errno, "Cannot record what wand claimed of %s in %s: %m", w->device, path);
                if (fd >= 0)
                        close(fd);
                return;
        }
        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (w->claimed & peer_info[k].bit)
                        fprintf(f, "%s\n", peer_info[k].label);
        if (w->was_up)
                fputs("up\n", f);
        if (fclose(f) != 0 || rename(tmp, path) < 0) {
                log_warning_errno(errno, "Cannot record what wand claimed of %s in %s: %m", w->device, path);
                (void) unlink(tmp);
        }
}

/* ── networkd's runtime file ───────────────────────────────────────────── */

static char *networkd_file(LinkOwners *o, const char *device) {
        char *p = NULL;
        /* 00-: sorts before an administrator's files, so this one matches. */
        return asprintf(&p, "%s/00-wand-%s.network", o->networkd_dir, device) < 0 ? NULL : p;
}

static int networkd_file_write(Watched *w) {
        _cleanup_free_ char *path = networkd_file(w->owners, w->device), *tmp = NULL;
        FILE *f;
        int fd;

        if (!path || asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;
        (void) mkdir(w->owners->networkd_dir, 0755);
        (void) unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "we");
        if (!f) {
                close(fd);
                return -errno;
        }
        fprintf(f,
                "# Written by wand: an interface of wand's with ClaimDevice=yes runs over %s, so\n"
                "# systemd-networkd leaves it alone. wand removes this file when it stops\n"
                "# managing the device (Delete, ClaimDevice=no).\n"
                "[Match]\nName=%s\n\n[Link]\nUnmanaged=yes\n",
                w->device, w->device);
        if (fclose(f) != 0 || rename(tmp, path) < 0) {
                int r = -errno;
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

/* ── what the managers say ─────────────────────────────────────────────── */

static void claim_or_release(Watched *w);

static void watched_update(Watched *w) {
        unsigned mask = 0;
        const char *who[3];

        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (w->peers[k].path && w->peers[k].manages)
                        mask |= peer_info[k].bit;
        if (mask != w->mask) {
                link_owners_to_strv(mask, who);
                if (mask)
                        log_notice("Device %s is managed by %s%s%s: the wand interfaces on it are unreachable "
                                   "(managed-elsewhere) unless ClaimDevice=yes hands it to wand.",
                                   w->device, who[0], who[1] ? " and " : "", strempty(who[1]));
                else
                        log_info("Device %s is managed by no other network manager now.", w->device);
                w->mask = mask;
                w->owners->ops->changed(w->device, w->owners->userdata);
        }
        claim_or_release(w);
}

static void peer_forget(Peer *p) {
        p->query = sd_bus_slot_unref(p->query);
        p->match = sd_bus_slot_unref(p->match);
        free(p->path);
        p->path = NULL;
        p->manages = false;
}

static bool peer_manages(PeerKind kind, sd_bus_message *value) {
        if (kind == PEER_NM) {
                int b = 0;
                return sd_bus_message_read(value, "b", &b) >= 0 && b;
        }
        const char *state = NULL;
        /* networkd leaves alone only what it calls unmanaged. */
        return sd_bus_message_read(value, "s", &state) >= 0 && state && !streq(state, "unmanaged");
}

static const char *peer_iface(PeerKind kind) {
        return kind == PEER_NM ? NM_DEVICE_IFACE : ND_LINK_IFACE;
}

static const char *peer_property(PeerKind kind) {
        return kind == PEER_NM ? "Managed" : "AdministrativeState";
}

static int on_property(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Peer *p = userdata;
        const char *contents = p->kind == PEER_NM ? "b" : "s";

        p->query = sd_bus_slot_unref(p->query);
        if (sd_bus_message_is_method_error(reply, NULL) ||
            sd_bus_message_enter_container(reply, 'v', contents) < 0)
                p->manages = false;
        else
                p->manages = peer_manages(p->kind, reply);
        watched_update(p->watched);
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peer *p = userdata;
        const char *iface;

        if (sd_bus_message_read(m, "s", &iface) < 0 || !streq(iface, peer_iface(p->kind)))
                return 0;
        if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return 0;
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                const char *name;

                if (sd_bus_message_read(m, "s", &name) < 0)
                        return 0;
                if (streq(name, peer_property(p->kind))) {
                        if (sd_bus_message_enter_container(m, 'v', p->kind == PEER_NM ? "b" : "s") < 0)
                                return 0;
                        p->manages = peer_manages(p->kind, m);
                        watched_update(p->watched);
                        return 0;
                }
                if (sd_bus_message_skip(m, "v") < 0 || sd_bus_message_exit_container(m) < 0)
                        return 0;
        }
        return 0;
}

static int on_lookup(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Peer *p = userdata;
        LinkOwners *o = p->watched->owners;
        _cleanup_free_ char *match = NULL;
        const char *path = NULL;
        int32_t ifindex;
        int r;

        p->query = sd_bus_slot_unref(p->query);
        if (sd_bus_message_is_method_error(reply, NULL)) {
                /* It has no such device (or is gone): it does not manage it. */
                peer_forget(p);
                watched_update(p->watched);
                return 0;
        }
        r = p->kind == PEER_NM ? sd_bus_message_read(reply, "o", &path) : sd_bus_message_read(reply, "io", &ifindex, &path);
        if (r < 0 || !(p->path = strdup(path))) {
                peer_forget(p);
                watched_update(p->watched);
                return 0;
        }
        /* Follow it first, then read it: nothing falls in between. */
        if (asprintf(&match,
                     "type='signal',sender='%s',path='%s',interface='" PROPERTIES_IFACE
                     "',member='PropertiesChanged',arg0='%s'",
                     peer_info[p->kind].bus, p->path, peer_iface(p->kind)) < 0)
                return log_oom(), 0;
        r = sd_bus_add_match_async(o->bus, &p->match, match, on_properties_changed, NULL, p);
        if (r >= 0)
                r = call_async(o, &p->query, peer_info[p->kind].bus, p->path, PROPERTIES_IFACE, "Get", on_property, p,
                               "ss", peer_iface(p->kind), peer_property(p->kind));
        if (r < 0)
                log_warning_errno(r, "Cannot ask %s about %s: %m", peer_info[p->kind].label, p->watched->device);
        return 0;
}

static void peer_lookup(Peer *p) {
        LinkOwners *o = p->watched->owners;
        int r;

        peer_forget(p);
        if (!o->present[p->kind]) {
                watched_update(p->watched);
                return;
        }
        r = p->kind == PEER_NM ? call_async(o, &p->query, NM_BUS, NM_PATH, NM_IFACE, "GetDeviceByIpIface", on_lookup, p,
                                            "s", p->watched->device)
                               : call_async(o, &p->query, ND_BUS, ND_PATH, ND_MANAGER_IFACE, "GetLinkByName", on_lookup,
                                            p, "s", p->watched->device);
        if (r < 0)
                log_warning_errno(r, "Cannot ask %s about %s: %m", peer_info[p->kind].label, p->watched->device);
}

void link_owners_refresh(LinkOwners *o, const char *device) {
        Watched *w = o ? watched_find(o, device) : NULL;

        if (!w)
                return;
        for (PeerKind k = 0; k < _PEER_MAX; k++)
                peer_lookup(&w->peers[k]);
}

static void refresh_all(LinkOwners *o, PeerKind kind) {
        for (Watched *w = o->watched; w; w = w->next)
                peer_lookup(&w->peers[kind]);
}

/* ── claiming and handing back ─────────────────────────────────────────── */

static int on_claim_done(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Peer *p = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        p->claim = sd_bus_slot_unref(p->claim);
        if (e)
                log_warning("%s did not let go of or take back %s: %s", peer_info[p->kind].label, p->watched->device,
                            strempty(e->message));
        return 0;
}

static void networkd_reload(Peer *p) {
        int r;

        if (!p->watched->owners->present[PEER_ND])
                return;
        r = call_async(p->watched->owners, &p->claim, ND_BUS, ND_PATH, ND_MANAGER_IFACE, "Reload", on_claim_done, p,
                       NULL);
        if (r < 0)
                log_warning_errno(r, "Cannot ask systemd-networkd to reload: %m");
}

static void nm_set_managed(Peer *p, bool managed) {
        int r;

        if (!p->path || !p->watched->owners->present[PEER_NM])
                return;
        r = call_async(p->watched->owners, &p->claim, NM_BUS, p->path, PROPERTIES_IFACE, "Set", on_claim_done, p, "ssv",
                       NM_DEVICE_IFACE, "Managed", "b", (int) managed);
        if (r < 0)
                log_warning_errno(r, "Cannot ask NetworkManager about %s: %m", p->watched->device);
}

static void claim_or_release(Watched *w) {
        Peer *nm = &w->peers[PEER_NM], *nd = &w->peers[PEER_ND];
        unsigned before = w->claimed;
        int r;

        if (w->want_claim) {
                unsigned take = 0;

                if (w->claimed == 0 && (w->mask & (LINK_OWNER_NETWORKMANAGER | LINK_OWNER_NETWORKD)))
                        w->was_up = w->owners->ops->link_is_up(w->device, w->owners->userdata);
                /* NetworkManager is asked again while it says it manages the
                 * device: it forgets Managed=false when it restarts. */
                if ((w->mask & LINK_OWNER_NETWORKMANAGER) && !nm->claim)
                        take |= LINK_OWNER_NETWORKMANAGER;
                if ((w->mask & LINK_OWNER_NETWORKD) && !(w->claimed & LINK_OWNER_NETWORKD))
                        take |= LINK_OWNER_NETWORKD;
                /* On record before it is taken: killed in between, a restarted
                 * wand may hand back what it never took (harmless), but never
                 * keeps what it does not know it took. */
                if (take & ~w->claimed) {
                        w->claimed |= take;
                        claim_record_save(w);
                        before = w->claimed;
                        CRASH_POINT("claim");
                }
                if (take & LINK_OWNER_NETWORKMANAGER) {
                        log_info("Asking NetworkManager to leave %s to wand (ClaimDevice=yes).", w->device);
                        nm_set_managed(nm, false);
                }
                if (take & LINK_OWNER_NETWORKD) {
                        log_info("Asking systemd-networkd to leave %s to wand (ClaimDevice=yes).", w->device);
                        r = networkd_file_write(w);
                        if (r < 0) {
                                log_warning_errno(r, "Cannot write systemd-networkd's runtime file for %s: %m", w->device);
                                w->claimed &= ~LINK_OWNER_NETWORKD;
                        } else
                                networkd_reload(nd);
                }
        } else if (w->claimed) {
                /* Only to a NetworkManager that has told us its device: at
                 * start-up the record is read before that, and what cannot be
                 * handed back yet stays on record until it has. */
                if ((w->claimed & LINK_OWNER_NETWORKMANAGER) && nm->path && w->owners->present[PEER_NM]) {
                        log_info("Handing %s back to NetworkManager.", w->device);
                        nm_set_managed(nm, true);
                        w->claimed &= ~LINK_OWNER_NETWORKMANAGER;
                }
                if (w->claimed & LINK_OWNER_NETWORKD) {
                        _cleanup_free_ char *path = networkd_file(w->owners, w->device);
                        log_info("Handing %s back to systemd-networkd.", w->device);
                        if (path && unlink(path) < 0 && errno != ENOENT)
                                log_warning_errno(errno, "Cannot remove %s: %m", path);
                        networkd_reload(nd);
                        w->claimed &= ~LINK_OWNER_NETWORKD;
                }
                /* As it was: up, as the manager had it (it may not set up a
                 * device it gets back, and then never sees carrier). */
                if (w->claimed == 0) {
                        if (w->was_up && !w->owners->ops->link_is_up(w->device, w->owners->userdata))
                                w->owners->ops->set_link_up(w->device, w->owners->userdata);
                        w->was_up = false;
                }
        }
        /* A hand-back is recorded after it is made: killed in between, a
         * restarted wand hands back again, which is harmless. */
        if (w->claimed != before) {
                CRASH_POINT("handback");
                claim_record_save(w);
        }
}

void link_owners_claim(LinkOwners *o, const char *device, bool claim) {
        Watched *w = o ? watched_find(o, device) : NULL;

        if (!w || w->want_claim == claim)
                return;
        w->want_claim = claim;
        claim_or_release(w);
}

/* ── the managers coming and going ─────────────────────────────────────── */

static void peer_present(LinkOwners *o, PeerKind kind, bool present) {
        if (o->present[kind] == present)
                return;
        o->present[kind] = present;
        log_info("%s %s the bus.", peer_info[kind].label, present ? "is on" : "left");
        /* Back: it may have forgotten what it was asked (NetworkManager
         * forgets Managed=false), so everything is asked again. */
        refresh_all(o, kind);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        LinkOwners *o = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (streq(name, peer_info[k].bus))
                        peer_present(o, k, !isempty(new_owner));
        return 0;
}

static int on_has_owner(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        LinkOwners *o = userdata;
        int has = 0;

        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (o->has_owner[k] == sd_bus_get_current_slot(o->bus)) {
                        o->has_owner[k] = sd_bus_slot_unref(o->has_owner[k]);
                        if (!sd_bus_message_is_method_error(reply, NULL) && sd_bus_message_read(reply, "b", &has) >= 0)
                                peer_present(o, k, has);
                }
        return 0;
}

static int on_nm_devices_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        /* A device came or went: which one is in the path; asking again is
         * simpler, and rare. */
        refresh_all(userdata, PEER_NM);
        return 0;
}

int link_owners_new(LinkOwners **ret, sd_bus *bus, const char *runtime_dir, const char *networkd_dir,
                    const LinkOwnersOps *ops, void *userdata) {
        LinkOwners *o = calloc(1, sizeof(*o));
        int r = 0;

        if (!o)
                return -ENOMEM;
        o->bus = sd_bus_ref(bus);
        o->ops = ops;
        o->userdata = userdata;
        o->runtime_dir = strdup(runtime_dir);
        o->networkd_dir = strdup(networkd_dir);
        if (!o->runtime_dir || !o->networkd_dir) {
                link_owners_free(o);
                return -ENOMEM;
        }
        for (PeerKind k = 0; k < _PEER_MAX && r >= 0; k++) {
                _cleanup_free_ char *match = NULL;

                if (asprintf(&match,
                             "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                             "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'",
                             peer_info[k].bus) < 0)
                        r = -ENOMEM;
                if (r >= 0)
                        r = sd_bus_add_match_async(bus, &o->owner_match[k], match, on_name_owner_changed, NULL, o);
                if (r >= 0)
                        r = sd_bus_call_method_async(bus, &o->has_owner[k], "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                     "org.freedesktop.DBus", "NameHasOwner", on_has_owner, o, "s",
                                                     peer_info[k].bus);
        }
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, &o->nm_devices_match[0], NM_BUS, NM_PATH, NM_IFACE, "DeviceAdded",
                                              on_nm_devices_changed, NULL, o);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, &o->nm_devices_match[1], NM_BUS, NM_PATH, NM_IFACE, "DeviceRemoved",
                                              on_nm_devices_changed, NULL, o);
        if (r < 0) {
                link_owners_free(o);
                return r;
        }
        *ret = o;
        return 0;
}

static void free_nothing(void *p) {
}

static void watched_free(Watched *w) {
        for (PeerKind k = 0; k < _PEER_MAX; k++) {
                peer_forget(&w->peers[k]);
                w->peers[k].claim = sd_bus_slot_unref(w->peers[k].claim);
        }
        free(w->device);
        free(w);
}

LinkOwners *link_owners_free(LinkOwners *o) {
        if (!o)
                return NULL;
        tdestroy(o->tree, free_nothing); /* the list owns them */
        while (o->watched) {
                Watched *w = o->watched;
                o->watched = w->next;
                watched_free(w);
        }
        for (PeerKind k = 0; k < _PEER_MAX; k++) {
                sd_bus_slot_unref(o->owner_match[k]);
                sd_bus_slot_unref(o->has_owner[k]);
        }
        for (size_t k = 0; k < ELEMENTSOF(o->nm_devices_match); k++)
                sd_bus_slot_unref(o->nm_devices_match[k]);
        sd_bus_unref(o->bus);
        free(o->runtime_dir);
        free(o->networkd_dir);
        free(o);
        return NULL;
}

int link_owners_watch(LinkOwners *o, const char *device) {
        Watched *w;

        if (!o)
                return 0;
        w = watched_find(o, device);
        if (w) {
                w->refs++;
                return 0;
        }
        w = calloc(1, sizeof(*w));
        if (!w || !(w->device = strdup(device))) {
                free(w);
                return -ENOMEM;
        }
        w->owners = o;
        w->refs = 1;
        for (PeerKind k = 0; k < _PEER_MAX; k++)
                w->peers[k] = (Peer) { .watched = w, .kind = k };
        if (!tsearch(w, &o->tree, watched_compare)) {
                free(w->device);
                free(w);
                return -ENOMEM;
        }
        claim_record_load(w);
        w->next = o->watched;
        o->watched = w;
        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (o->present[k])
                        peer_lookup(&w->peers[k]);
        return 0;
}

void link_owners_unwatch(LinkOwners *o, const char *device) {
        Watched *w = o ? watched_find(o, device) : NULL;

        if (!w || --w->refs > 0)
                return;
        /* No interface uses it any more: what was claimed goes back. */
        w->want_claim = false;
        claim_or_release(w);
        (void) tdelete(w, &o->tree, watched_compare);
        for (Watched **p = &o->watched; *p; p = &(*p)->next)
                if (*p == w) {
                        *p = w->next;
                        break;
                }
        /* A hand-back in flight is not waited for: its slot goes with it,
         * the call itself is sent. */
        watched_free(w);
}
