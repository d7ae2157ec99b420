/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See link-owners.h. Per device, one lookup per manager (NetworkManager's
 * GetDeviceByIpIface, networkd's GetLinkByName), then its property read and
 * its PropertiesChanged followed; every call goes out with auto-start off,
 * and the managers' names are watched, so a manager that is not running is
 * never started by wand and one that starts later is noticed.
 *
 * The lookups wait their turn in a queue, a few at a time (the budget wand
 * shares with its polkit checks, bus-budget.h), so that a thousand devices
 * do not fill dbus-daemon's 128 pending replies. Only a manager's own "no
 * such device" says a device is not managed; any other failure is asked
 * again later (backing off), and what was said last holds meanwhile.
 *
 * A signal is believed only from the bus driver (NameOwnerChanged) or from
 * the unique name the driver said owns the manager's name (bus-sender.h):
 * any local user can send wand a PropertiesChanged. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "bus-sender.h"
#include "crash-point.h"
#include "link-owners.h"
#include "log.h"
#include "macro.h"
#include "names.h"

#define NM_BUS "org.freedesktop.NetworkManager"
#define NM_PATH "/org/freedesktop/NetworkManager"
#define NM_IFACE "org.freedesktop.NetworkManager"
#define NM_DEVICE_IFACE "org.freedesktop.NetworkManager.Device"
#define ND_BUS "org.freedesktop.network1"
#define ND_PATH "/org/freedesktop/network1"
#define ND_MANAGER_IFACE "org.freedesktop.network1.Manager"
#define ND_LINK_IFACE "org.freedesktop.network1.Link"
#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"
/* Their answers for "I have no such device", the only ones that mean "not
 * managed". networkd 252 answers with resolved's name for it; its own
 * interface's name is taken too, for a networkd that uses it. */
#define NM_ERROR_UNKNOWN_DEVICE "org.freedesktop.NetworkManager.UnknownDevice"
#define ND_ERROR_NO_SUCH_LINK "org.freedesktop.resolve1.NoSuchLink"
#define ND_ERROR_NO_SUCH_LINK_OWN "org.freedesktop.network1.NoSuchLink"

/* A lookup that failed otherwise is asked again after 0.5 s, then 1 s, 2 s,
 * … at most a minute apart. */
#define RETRY_FIRST_USEC (500 * UINT64_C(1000))
#define RETRY_MAX_USEC (60 * UINT64_C(1000000))

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
        bool manages;        /* as it last said: kept while it is asked again */
        sd_bus_slot *query;  /* lookup or property read in flight: holds one call of the budget */
        bool again;          /* asked to look up again while query was in flight */
        bool queued;         /* in LinkOwners.queue, waiting for the budget */
        struct Peer *queue_prev, *queue_next;
        unsigned failures;   /* lookups in a row that failed other than "no such device" */
        sd_event_source *retry;
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
        /* No interface uses it: only a claim an earlier wand recorded, handed
         * back once the managers have answered; then freed (released). */
        bool unused, released;
        Watched *next;
};

struct LinkOwners {
        sd_bus *bus;
        BusBudget *budget;
        char *runtime_dir, *networkd_dir;
        /* The unique name that owns each manager's name, as the bus driver
         * said; NULL: it is not running (or not known yet). */
        char *owner[_PEER_MAX];
        sd_bus_slot *owner_match[_PEER_MAX], *get_owner[_PEER_MAX];
        sd_bus_slot *nm_devices_match[2];
        Peer *queue_first, *queue_last; /* lookups waiting for the budget, oldest first */
        sd_event_source *pump_source;
        Watched *watched; /* all, for the walks */
        void *tree;       /* tsearch tree of Watched* by device: each state change asks */
        const LinkOwnersOps *ops;
        void *userdata;
        sd_event_source *sweep; /* frees the released unused ones */
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

/* ── claims no interface uses any more ────────────────────────────────── */

static void watched_free(Watched *w);
static void claim_or_release(Watched *w);
static void peer_lookup(Peer *p);

static int on_sweep(sd_event_source *s, void *userdata) {
        LinkOwners *o = userdata;

        for (Watched **p = &o->watched; *p;) {
                Watched *w = *p;

                if (!w->released) {
                        p = &w->next;
                        continue;
                }
                *p = w->next;
                (void) tdelete(w, &o->tree, watched_compare);
                /* A hand-back in flight is not waited for: its slot goes,
                 * the call itself is sent. */
                watched_free(w);
        }
        o->sweep = sd_event_source_disable_unref(o->sweep);
        return 0;
}

/* An unused device's claim goes back once every manager's answer is in:
 * NetworkManager is given back its device by the object it names it with. */
static void unused_try_release(Watched *w) {
        LinkOwners *o = w->owners;

        if (!w->unused || w->released)
                return;
        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (o->get_owner[k] ||
                    (o->owner[k] && (w->peers[k].query || w->peers[k].queued || w->peers[k].retry)))
                        return; /* its owner, or its answer (asked, queued or to be retried), is still to come */
        log_info("No interface uses %s any more: handing back what an earlier wand claimed of it.", w->device);
        claim_or_release(w);
        claim_record_save(w); /* (claimed is 0: the record goes, whatever it held) */
        w->released = true;
        /* Not freed here: whoever called may still walk the list. */
        if (!o->sweep &&
            sd_event_add_defer(sd_bus_get_event(o->bus), &o->sweep, on_sweep, o) < 0)
                log_oom(); /* it stays, inert, until wand exits */
}

static void unused_try_release_all(LinkOwners *o) {
        for (Watched *w = o->watched; w; w = w->next)
                unused_try_release(w);
}

/* A device to follow: used by an interface (one reference), or unused, only
 * a claim an earlier wand recorded. Its record is read and the managers on
 * the bus are asked about it. NULL on OOM. */
static Watched *watched_new(LinkOwners *o, const char *device, bool unused) {
        Watched *w = calloc(1, sizeof(*w));

        if (!w || !(w->device = strdup(device))) {
                free(w);
                return NULL;
        }
        w->owners = o;
        w->unused = unused;
        w->refs = unused ? 0 : 1;
        for (PeerKind k = 0; k < _PEER_MAX; k++)
                w->peers[k] = (Peer) { .watched = w, .kind = k };
        if (!tsearch(w, &o->tree, watched_compare)) {
                free(w->device);
                free(w);
                return NULL;
        }
        claim_record_load(w);
        w->next = o->watched;
        o->watched = w;
        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (o->owner[k])
                        peer_lookup(&w->peers[k]);
        return w;
}

void link_owners_release_unused(LinkOwners *o) {
        _cleanup_free_ char *dir = NULL;
        struct dirent *de;
        DIR *d;

        if (!o)
                return;
        if (asprintf(&dir, "%s/claims", o->runtime_dir) < 0)
                return (void) log_oom();
        d = opendir(dir);
        if (!d) {
                if (errno != ENOENT)
                        log_warning_errno(errno, "Cannot read %s (claims of devices no interface uses stay): %m", dir);
                return;
        }
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);

                /* Temporary files end in .tmp; the rest name devices. */
                if (!device_name_is_valid(de->d_name) || (len > 4 && streq(de->d_name + len - 4, ".tmp")) ||
                    watched_find(o, de->d_name))
                        continue;
                if (!watched_new(o, de->d_name, true)) {
                        log_oom();
                        break;
                }
        }
        closedir(d);
        unused_try_release_all(o);
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
                if (!w->unused)
                        w->owners->ops->changed(w->device, w->owners->userdata);
        }
        if (w->unused)
                unused_try_release(w);
        else
                claim_or_release(w);
}

static void queue_remove(Peer *p) {
        LinkOwners *o = p->watched->owners;

        if (!p->queued)
                return;
        if (p->queue_prev)
                p->queue_prev->queue_next = p->queue_next;
        else
                o->queue_first = p->queue_next;
        if (p->queue_next)
                p->queue_next->queue_prev = p->queue_prev;
        else
                o->queue_last = p->queue_prev;
        p->queue_prev = p->queue_next = NULL;
        p->queued = false;
}

static int on_pump(sd_event_source *s, void *userdata);

/* Sends what waits, on the next turn of the event loop: the budget may
 * have room then, and a burst of requests is queued whole first. */
static void schedule_pump(LinkOwners *o) {
        sd_event *event;
        int r = 0;

        if (!o->queue_first)
                return;
        if (!o->pump_source) {
                event = sd_bus_get_event(o->bus);
                r = event ? sd_event_add_defer(event, &o->pump_source, on_pump, o) : -ENXIO;
        }
        if (r >= 0)
                r = sd_event_source_set_enabled(o->pump_source, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Cannot schedule the questions to NetworkManager and systemd-networkd: %m");
}

static void queue_add(Peer *p) {
        LinkOwners *o = p->watched->owners;

        if (p->queued)
                return;
        p->queue_prev = o->queue_last;
        if (o->queue_last)
                o->queue_last->queue_next = p;
        else
                o->queue_first = p;
        o->queue_last = p;
        p->queued = true;
        schedule_pump(o);
}

/* The budget has room again (a call of polkit.c or of ours was answered). */
static void on_budget_room(void *userdata) {
        schedule_pump(userdata);
}

/* p's call is answered, or no longer wanted: its share of the budget goes
 * back. (One no longer wanted is still waited on by the bus until the
 * manager answers, in a millisecond; 16 calls stay outside the budget.) */
static void query_end(Peer *p) {
        if (!p->query)
                return;
        p->query = sd_bus_slot_unref(p->query);
        bus_budget_release(p->watched->owners->budget, BUS_BUDGET_LOOKUP);
}

/* Not running, or it has no such device: it manages nothing of it. */
static void peer_forget(Peer *p) {
        query_end(p);
        queue_remove(p);
        p->retry = sd_event_source_disable_unref(p->retry);
        p->again = false;
        p->failures = 0;
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

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Peer *p = userdata;

        p->retry = sd_event_source_disable_unref(p->retry);
        queue_add(p);
        return 0;
}

/* The manager did not say (it is busy, the bus refused, no answer came):
 * what it said last holds, and it is asked again later. */
static void peer_failed(Peer *p, const char *what, const char *why) {
        LinkOwners *o = p->watched->owners;
        uint64_t usec = RETRY_FIRST_USEC;
        sd_event *event = sd_bus_get_event(o->bus);
        int r;

        for (unsigned k = 0; k < p->failures && usec < RETRY_MAX_USEC; k++)
                usec *= 2;
        if (usec > RETRY_MAX_USEC)
                usec = RETRY_MAX_USEC;
        p->failures++;
        log_internal(p->failures == 1 ? LOG_WARNING : LOG_DEBUG, 0,
                     "%s did not say %s %s (%s); keeping what it said last (%s), asking again in %.1f s.",
                     peer_info[p->kind].label, what, p->watched->device, strna(why),
                     p->path && p->manages ? "managed" : "not managed", (double) usec / 1e6);
        p->retry = sd_event_source_disable_unref(p->retry);
        r = event ? sd_event_add_time_relative(event, &p->retry, CLOCK_MONOTONIC, usec, 0, on_retry, p) : -ENXIO;
        if (r < 0)
                log_warning_errno(r, "Cannot ask %s about %s again: %m", peer_info[p->kind].label, p->watched->device);
}

/* Asked again while its answer was on the way: the answer may be older than
 * what changed, so it goes and the question goes out again. */
static bool peer_asked_again(Peer *p) {
        if (!p->again)
                return false;
        p->again = false;
        query_end(p);
        queue_add(p);
        return true;
}

static int on_property(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Peer *p = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *contents = p->kind == PEER_NM ? "b" : "s";

        if (peer_asked_again(p))
                return 0;
        query_end(p);
        /* Its object went between the lookup and now, or it failed: the
         * lookup, later, says which. */
        if (e || sd_bus_message_enter_container(reply, 'v', contents) < 0) {
                peer_failed(p, "whether it manages", e ? e->name : "an answer wand cannot read");
                return 0;
        }
        p->manages = peer_manages(p->kind, reply);
        p->failures = 0;
        watched_update(p->watched);
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Peer *p = userdata;
        const char *iface;

        if (!bus_message_from(m, p->watched->owners->owner[p->kind])) {
                log_debug("Ignoring PropertiesChanged of %s from %s: not the owner of %s.", p->watched->device,
                          strna(sd_bus_message_get_sender(m)), peer_info[p->kind].bus);
                return 0;
        }
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

static bool peer_has_no_such_device(PeerKind kind, const sd_bus_error *e) {
        return kind == PEER_NM ? sd_bus_error_has_name(e, NM_ERROR_UNKNOWN_DEVICE)
                               : sd_bus_error_has_names(e, ND_ERROR_NO_SUCH_LINK, ND_ERROR_NO_SUCH_LINK_OWN);
}

/* Follows path's PropertiesChanged (the object the manager named now). */
static int peer_follow(Peer *p, const char *path) {
        LinkOwners *o = p->watched->owners;
        _cleanup_free_ char *match = NULL;
        char *copy;

        if (streq_ptr(p->path, path) && p->match)
                return 0;
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        free(p->path);
        p->path = copy;
        p->match = sd_bus_slot_unref(p->match);
        if (asprintf(&match,
                     "type='signal',sender='%s',path='%s',interface='" PROPERTIES_IFACE
                     "',member='PropertiesChanged',arg0='%s'",
                     peer_info[p->kind].bus, p->path, peer_iface(p->kind)) < 0)
                return -ENOMEM;
        return sd_bus_add_match_async(o->bus, &p->match, match, on_properties_changed, NULL, p);
}

static int on_lookup(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Peer *p = userdata;
        LinkOwners *o = p->watched->owners;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        sd_bus_slot *lookup;
        const char *path = NULL;
        int32_t ifindex;
        int r;

        if (peer_asked_again(p))
                return 0;
        if (e && peer_has_no_such_device(p->kind, e)) {
                peer_forget(p);
                watched_update(p->watched);
                return 0;
        }
        r = e ? -EIO
            : p->kind == PEER_NM ? sd_bus_message_read(reply, "o", &path)
                                 : sd_bus_message_read(reply, "io", &ifindex, &path);
        if (r >= 0)
                r = peer_follow(p, path);
        if (r < 0) {
                query_end(p);
                if (r == -ENOMEM)
                        log_oom();
                peer_failed(p, "where it has", e ? e->name : strerror(-r));
                return 0;
        }
        /* Followed first, then read: nothing falls in between. The read
         * takes over the lookup's share of the budget. */
        lookup = p->query;
        p->query = NULL;
        r = call_async(o, &p->query, peer_info[p->kind].bus, p->path, PROPERTIES_IFACE, "Get", on_property, p, "ss",
                       peer_iface(p->kind), peer_property(p->kind));
        sd_bus_slot_unref(lookup);
        if (r < 0) {
                bus_budget_release(o->budget, BUS_BUDGET_LOOKUP);
                peer_failed(p, "whether it manages", strerror(-r));
        }
        return 0;
}

static void peer_send_lookup(Peer *p) {
        LinkOwners *o = p->watched->owners;
        int r;

        r = p->kind == PEER_NM ? call_async(o, &p->query, NM_BUS, NM_PATH, NM_IFACE, "GetDeviceByIpIface", on_lookup, p,
                                            "s", p->watched->device)
                               : call_async(o, &p->query, ND_BUS, ND_PATH, ND_MANAGER_IFACE, "GetLinkByName", on_lookup,
                                            p, "s", p->watched->device);
        if (r < 0) {
                peer_failed(p, "where it has", strerror(-r));
                return;
        }
        bus_budget_take(o->budget, BUS_BUDGET_LOOKUP);
}

static int on_pump(sd_event_source *s, void *userdata) {
        LinkOwners *o = userdata;

        while (o->queue_first && bus_budget_has_room(o->budget, BUS_BUDGET_LOOKUP)) {
                Peer *p = o->queue_first;

                queue_remove(p);
                peer_send_lookup(p);
        }
        return 0;
}

/* Asks the manager again about p's device, in turn. */
static void peer_lookup(Peer *p) {
        if (!p->watched->owners->owner[p->kind]) {
                peer_forget(p);
                watched_update(p->watched);
                return;
        }
        p->retry = sd_event_source_disable_unref(p->retry);
        if (p->query)
                p->again = true;
        else
                queue_add(p);
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

        if (!p->watched->owners->owner[PEER_ND])
                return;
        r = call_async(p->watched->owners, &p->claim, ND_BUS, ND_PATH, ND_MANAGER_IFACE, "Reload", on_claim_done, p,
                       NULL);
        if (r < 0)
                log_warning_errno(r, "Cannot ask systemd-networkd to reload: %m");
}

static void nm_set_managed(Peer *p, bool managed) {
        int r;

        if (!p->path || !p->watched->owners->owner[PEER_NM])
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
                if ((w->claimed & LINK_OWNER_NETWORKMANAGER) && nm->path && w->owners->owner[PEER_NM]) {
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

/* The bus driver said who owns a manager's name now (NULL or "": nobody). */
static void peer_owner_set(LinkOwners *o, PeerKind kind, const char *owner) {
        _cleanup_free_ char *old = NULL;

        if (isempty(owner))
                owner = NULL;
        if (streq_ptr(o->owner[kind], owner))
                return;
        old = o->owner[kind];
        o->owner[kind] = owner ? strdup(owner) : NULL;
        if (owner && !o->owner[kind])
                log_oom(); /* then it is taken for gone: what it says is not believed */
        if (o->owner[kind])
                log_info("%s is on the bus (%s).", peer_info[kind].label, o->owner[kind]);
        else
                log_info("%s left the bus.", peer_info[kind].label);
        /* Back, or another process: it may have forgotten what it was asked
         * (NetworkManager forgets Managed=false), so everything is asked
         * again. */
        refresh_all(o, kind);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        LinkOwners *o = userdata;
        const char *name, *old_owner, *new_owner;

        if (!bus_message_from_driver(m)) {
                log_debug("Ignoring NameOwnerChanged from %s: only the bus sends it.",
                          strna(sd_bus_message_get_sender(m)));
                return 0;
        }
        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (streq(name, peer_info[k].bus))
                        peer_owner_set(o, k, new_owner);
        return 0;
}

static int on_get_owner(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        LinkOwners *o = userdata;
        const char *owner = NULL;

        for (PeerKind k = 0; k < _PEER_MAX; k++)
                if (o->get_owner[k] == sd_bus_get_current_slot(o->bus)) {
                        o->get_owner[k] = sd_bus_slot_unref(o->get_owner[k]);
                        /* NameHasNoOwner: not running. */
                        if (!sd_bus_message_is_method_error(reply, NULL) && sd_bus_message_read(reply, "s", &owner) >= 0)
                                peer_owner_set(o, k, owner);
                }
        /* (One that is not there has nothing to answer.) */
        unused_try_release_all(o);
        return 0;
}

/* A device came or went at NetworkManager: a device of ours it did not
 * have may have come, one it had may have gone. Only those are asked about
 * again. */
static int on_nm_device(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        LinkOwners *o = userdata;
        bool added = streq_ptr(sd_bus_message_get_member(m), "DeviceAdded");
        const char *path;

        if (!bus_message_from(m, o->owner[PEER_NM])) {
                log_debug("Ignoring %s from %s: not the owner of " NM_BUS ".",
                          strna(sd_bus_message_get_member(m)), strna(sd_bus_message_get_sender(m)));
                return 0;
        }
        if (sd_bus_message_read(m, "o", &path) < 0)
                return 0;
        for (Watched *w = o->watched; w; w = w->next) {
                Peer *p = &w->peers[PEER_NM];

                if (added ? !p->path : streq_ptr(p->path, path))
                        peer_lookup(p);
        }
        return 0;
}

int link_owners_new(LinkOwners **ret, sd_bus *bus, BusBudget *budget, const char *runtime_dir,
                    const char *networkd_dir, const LinkOwnersOps *ops, void *userdata) {
        LinkOwners *o = calloc(1, sizeof(*o));
        int r = 0;

        if (!o)
                return -ENOMEM;
        o->bus = sd_bus_ref(bus);
        o->budget = budget;
        budget->room = on_budget_room;
        budget->room_userdata = o;
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
                             "type='signal',sender='" BUS_DRIVER "',path='/org/freedesktop/DBus',"
                             "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'",
                             peer_info[k].bus) < 0)
                        r = -ENOMEM;
                if (r >= 0)
                        r = sd_bus_add_match_async(bus, &o->owner_match[k], match, on_name_owner_changed, NULL, o);
                /* Who owns it: its signals are believed from that name only. */
                if (r >= 0)
                        r = sd_bus_call_method_async(bus, &o->get_owner[k], BUS_DRIVER, "/org/freedesktop/DBus",
                                                     BUS_DRIVER, "GetNameOwner", on_get_owner, o, "s",
                                                     peer_info[k].bus);
        }
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, &o->nm_devices_match[0], NM_BUS, NM_PATH, NM_IFACE, "DeviceAdded",
                                              on_nm_device, NULL, o);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, &o->nm_devices_match[1], NM_BUS, NM_PATH, NM_IFACE, "DeviceRemoved",
                                              on_nm_device, NULL, o);
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
                peer_forget(&w->peers[k]); /* out of the queue, its share of the budget back */
                w->peers[k].claim = sd_bus_slot_unref(w->peers[k].claim);
        }
        free(w->device);
        free(w);
}

LinkOwners *link_owners_free(LinkOwners *o) {
        if (!o)
                return NULL;
        sd_event_source_disable_unref(o->sweep);
        o->budget->room = NULL;
        tdestroy(o->tree, free_nothing); /* the list owns them */
        while (o->watched) {
                Watched *w = o->watched;
                o->watched = w->next;
                watched_free(w);
        }
        for (PeerKind k = 0; k < _PEER_MAX; k++) {
                sd_bus_slot_unref(o->owner_match[k]);
                sd_bus_slot_unref(o->get_owner[k]);
                free(o->owner[k]);
        }
        sd_event_source_disable_unref(o->pump_source);
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
        if (w && w->unused) {
                /* An interface uses it again: what an earlier wand claimed
                 * is this one's (claimed or handed back as it asks). */
                w->unused = w->released = false;
                w->refs = 1;
                return 0;
        }
        if (w) {
                w->refs++;
                return 0;
        }
        return watched_new(o, device, false) ? 0 : -ENOMEM;
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
