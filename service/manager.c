/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager: owns every Iface (a tree by name, kept in name order for
 * ListInterfaces and the node enumerator), indexes them by device for the
 * kernel's change notifications, and applies the configuration directory. */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conn-method.h"
#include "log.h"
#include "manager.h"
#include "polkit.h"
#include "process.h"
#include "runtime-state.h"
#include "wand-errors.h"

typedef struct DeviceSlot {
        char *device;
        Iface *ifaces; /* chained through Iface.device_next */
        int ifindex;   /* of its link when last seen, 0: none */
} DeviceSlot;

static int iface_compare(const void *a, const void *b) {
        return strcmp(((const Iface *) a)->name, ((const Iface *) b)->name);
}

static int slot_compare(const void *a, const void *b) {
        return strcmp(((const DeviceSlot *) a)->device, ((const DeviceSlot *) b)->device);
}

Iface *manager_find_iface(Manager *m, const char *name) {
        Iface key = { .name = (char *) name };
        void **p = tfind(&key, &m->ifaces, iface_compare);
        return p ? *p : NULL;
}

const Link *manager_get_link(Manager *m, const char *device) {
        return device ? link_cache_get(m->links, device) : NULL;
}

typedef struct VisitContext {
        IfaceVisitFunc f;
        void *userdata;
} VisitContext;

static void visit(const void *node, VISIT which, void *data) {
        VisitContext *c = data;
        if (which == postorder || which == leaf)
                c->f(*(Iface * const *) node, c->userdata);
}

void manager_foreach_iface(Manager *m, IfaceVisitFunc f, void *userdata) {
        VisitContext c = { f, userdata };
        twalk_r(m->ifaces, visit, &c);
}

/* Device index. */

static DeviceSlot *slot_find(Manager *m, const char *device) {
        DeviceSlot key = { .device = (char *) device };
        void **p = tfind(&key, &m->devices, slot_compare);
        return p ? *p : NULL;
}

/* ClaimDevice=: claimed while an interface on it asks for it. */
static void slot_update_claim(Manager *m, const char *device) {
        DeviceSlot *s = slot_find(m, device);
        bool claim = false;

        for (Iface *i = s ? s->ifaces : NULL; i; i = i->device_next)
                claim = claim || i->settings.claim_device;
        link_owners_claim(m->link_owners, device, claim);
}

static int slot_attach(Manager *m, Iface *i) {
        DeviceSlot *s = slot_find(m, i->settings.device);

        if (!s) {
                s = calloc(1, sizeof(*s));
                if (!s)
                        return -ENOMEM;
                s->device = strdup(i->settings.device);
                if (!s->device || !tsearch(s, &m->devices, slot_compare)) {
                        free(s->device);
                        free(s);
                        return -ENOMEM;
                }
        }
        i->device_next = s->ifaces;
        s->ifaces = i;
        if (link_owners_watch(m->link_owners, i->settings.device) < 0)
                log_oom();
        slot_update_claim(m, i->settings.device);
        return 0;
}

static void slot_detach(Manager *m, Iface *i, const char *device) {
        DeviceSlot *s = slot_find(m, device);

        if (!s)
                return;
        for (Iface **p = &s->ifaces; *p; p = &(*p)->device_next)
                if (*p == i) {
                        *p = i->device_next;
                        break;
                }
        i->device_next = NULL;
        slot_update_claim(m, device);
        link_owners_unwatch(m->link_owners, device);
        if (!s->ifaces) {
                tdelete(s, &m->devices, slot_compare);
                free(s->device);
                free(s);
        }
}

static void update_slot(DeviceSlot *s) {
        /* iface_update() may finish operations whose callbacks act on other
         * interfaces, but never adds or removes one. */
        for (Iface *i = s->ifaces, *next; i; i = next) {
                next = i->device_next;
                iface_update(i);
        }
}

static void on_link_owners_changed(const char *device, void *userdata) {
        Manager *m = userdata;
        DeviceSlot *s = slot_find(m, device);

        if (s)
                update_slot(s);
}

static bool owners_link_is_up(const char *device, void *userdata) {
        const Link *l = manager_get_link(userdata, device);
        return l && (l->flags & IFF_UP);
}

static void owners_set_link_up(const char *device, void *userdata) {
        Manager *m = userdata;
        const Link *l = manager_get_link(m, device);
        int r;

        if (!l || !m->netlink)
                return;
        log_info("Setting %s up again, as it was when wand took it over.", device);
        r = netlink_set_link_up(m->netlink, l->ifindex, true, NULL, NULL, NULL);
        if (r < 0)
                log_warning_errno(r, "Cannot set %s up: %m", device);
}

static const LinkOwnersOps link_owners_ops = {
        .changed = on_link_owners_changed,
        .link_is_up = owners_link_is_up,
        .set_link_up = owners_set_link_up,
};

static void on_link_changed(const char *name, void *userdata) {
        Manager *m = userdata;
        DeviceSlot *s = slot_find(m, name);
        const Link *l;

        if (!s)
                return;
        /* Another link of that name (or none): the other managers know it
         * under another object, if at all. */
        l = manager_get_link(m, name);
        if ((l ? l->ifindex : 0) != s->ifindex) {
                s->ifindex = l ? l->ifindex : 0;
                link_owners_refresh(m->link_owners, name);
        }
        update_slot(s);
}

/* Adding and removing interfaces. */

static int add_iface(Manager *m, const char *name, const Settings *s, Iface **ret) {
        Iface *i;
        int r;

        r = iface_new(&i, m, name, s);
        if (r < 0)
                return r;
        r = slot_attach(m, i);
        if (r < 0) {
                iface_free(i);
                return r;
        }
        if (!tsearch(i, &m->ifaces, iface_compare)) {
                slot_detach(m, i, i->settings.device);
                iface_free(i);
                return -ENOMEM;
        }
        m->n_ifaces++;
        if (i->method->restore)
                i->method->restore(i);
        iface_update(i);
        /* InterfacesAdded carries the properties as they are now; changes
         * are announced from here on. */
        (void) manager_bus_iface_added(m, i);
        i->announced = true;
        log_debug("%s: added (device %s).", name, s->device);
        if (ret)
                *ret = i;
        return 0;
}

static void remove_iface(Manager *m, Iface *i, const char *why) {
        /* What runs is stopped first: a Stop() waiting for this interface's
         * teardown then waits for that instead. */
        iface_terminate(i);
        /* Its callers' handle names no interface any more. */
        iface_abort_operations(i, -WAND_E_INVALID_HANDLE, why);
        /* Announce while the object can still be found. */
        (void) manager_bus_iface_removed(m, i);
        i->announced = false;
        tdelete(i, &m->ifaces, iface_compare);
        m->n_ifaces--;
        slot_detach(m, i, i->settings.device);
        iface_free(i);
}

void manager_iface_settings_changed(Manager *m, Iface *i, const char *old_device) {
        if (!old_device) {
                slot_update_claim(m, i->settings.device);
                return;
        }
        slot_detach(m, i, old_device);
        if (slot_attach(m, i) < 0)
                /* Its link's changes are missed until the next one of the
                 * interface's own; State is re-derived on every event. */
                log_oom();
}

void manager_release_unused_claims(Manager *m) {
        link_owners_release_unused(m->link_owners);
}

unsigned manager_get_link_owners(Manager *m, const char *device) {
        if (m->scripted_link_owners)
                return m->scripted_link_owners(m, device);
        return link_owners_get(m->link_owners, device);
}

static void watch_slot(const void *node, VISIT which, void *data) {
        Manager *m = data;
        DeviceSlot *s = *(DeviceSlot * const *) node;

        if (which != postorder && which != leaf)
                return;
        for (Iface *i = s->ifaces; i; i = i->device_next)
                if (link_owners_watch(m->link_owners, s->device) < 0)
                        log_oom();
        slot_update_claim(m, s->device);
}

int manager_watch_link_owners(Manager *m, const char *networkd_dir) {
        int r;

        r = link_owners_new(&m->link_owners, m->bus, &m->bus_budget, m->runtime_dir, networkd_dir, &link_owners_ops, m);
        if (r < 0)
                return r;
        twalk_r(m->devices, watch_slot, m);
        return 0;
}

int manager_create_iface(Manager *m, const char *name, const Settings *s, Iface **ret) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (manager_find_iface(m, name))
                return -WAND_E_INTERFACE_ALREADY_EXISTS;
        path = config_interface_path(m->config_dir, name);
        if (!path)
                return -ENOMEM;
        if (access(path, F_OK) == 0)
                return -WAND_E_INTERFACE_ALREADY_EXISTS;

        r = config_write_interface(m->config_dir, name, s);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", path);
        r = add_iface(m, name, s, ret);
        if (r < 0) {
                (void) config_remove_interface(m->config_dir, name);
                return r;
        }
        log_info("%s: created (device %s), saved in %s.", name, s->device, path);
        return 0;
}

int manager_delete_iface(Manager *m, Iface *i) {
        _cleanup_free_ char *name = strdup(i->name);
        int r;

        if (!name)
                return -ENOMEM;
        r = config_remove_interface(m->config_dir, i->name);
        if (r < 0)
                return log_error_errno(r, "%s: failed to remove its configuration file: %m", i->name);
        remove_iface(m, i, "The interface was deleted.");
        log_info("%s: deleted.", name);
        return 0;
}

/* UpdateSettings and SetEnabled: the keys that change are written first
 * (only their lines), then the settings applied like any change
 * (iface_set_settings(): a live connection they do not fit is torn down
 * first, and connected again when it stays enabled). */
int manager_update_iface_settings_async(Manager *m, Iface *i, const Settings *s, IfaceDoneFunc done,
                                        void *userdata) {
        _cleanup_free_ char *message = NULL, *error = NULL;
        int r;

        if (!settings_equal(iface_configured_settings(i), s)) {
                r = config_update_interface(m->config_dir, i->name, iface_configured_settings(i), s, &error);
                if (r < 0) {
                        log_error_errno(r, "%s: failed to save its new settings: %s", i->name, error ?: strerror(-r));
                        if (asprintf(&message, "Could not save the configuration of %s in %s/interfaces: %s. Nothing was changed.",
                                     i->name, m->config_dir, error ?: strerror(-r)) < 0)
                                return -ENOMEM;
                        done(i, -WAND_E_IO_ERROR, message, userdata);
                        return 0;
                }
        }
        return iface_set_settings(i, s, done, userdata);
}

int manager_set_iface_enabled_async(Manager *m, Iface *i, bool enabled, IfaceDoneFunc done, void *userdata) {
        _cleanup_(settings_done) Settings s;
        int r;

        settings_init(&s);
        r = settings_copy(&s, iface_configured_settings(i));
        if (r < 0)
                return r;
        /* (What it did is logged when it is done: the audit trail.) */
        s.enabled = enabled;
        return manager_update_iface_settings_async(m, i, &s, done, userdata);
}

/* Configuration. */

static void log_config_problem(const char *message, void *userdata) {
        log_error("%s", message);
}

/* What the next wand starts with: wand.conf's DemandDial= is for the first
 * start after boot only. */
static void ddm_record(Manager *m, bool running) {
        int r = runtime_state_save_demand_dial(m->runtime_dir, running);
        if (r < 0)
                log_warning_errno(r, "Cannot record the demand-dial manager's state in %s (a restart of wand would "
                                  "take it from DemandDial= in wand.conf): %m", m->runtime_dir);
}

/* Published as UTF-8 (a D-Bus string must be): bytes that are not ASCII
 * become '?'. */
static void ascii_only(char *s) {
        for (; s && *s; s++)
                if ((unsigned char) *s >= 0x80)
                        *s = '?';
}

static bool refused_equal(const ConfigRefused *a, size_t n_a, const ConfigRefused *b, size_t n_b) {
        if (n_a != n_b)
                return false;
        for (size_t k = 0; k < n_a; k++)
                if (!streq(a[k].file, b[k].file) || !streq(a[k].why, b[k].why))
                        return false;
        return true;
}

static void set_refused(Manager *m, ConfigRefused *refused, size_t n) {
        bool same = refused_equal(m->refused, m->n_refused, refused, n);

        for (size_t k = 0; k < n; k++) {
                ascii_only(refused[k].file);
                ascii_only(refused[k].why);
        }
        config_refused_free(m->refused, m->n_refused);
        m->refused = refused;
        m->n_refused = n;
        if (!same)
                manager_send_refused_changed(m);
}

/* The interfaces of refused files, NULL-terminated (the names are theirs);
 * NULL on OOM. */
static char **refused_names(const ConfigRefused *refused, size_t n) {
        char **names = calloc(n + 1, sizeof(char *));
        size_t k = 0;

        if (!names)
                return NULL;
        for (size_t j = 0; j < n; j++)
                if (refused[j].name)
                        names[k++] = refused[j].name;
        return names;
}

static bool is_refused(Manager *m, const char *name) {
        for (size_t k = 0; k < m->n_refused; k++)
                if (m->refused[k].name && streq(m->refused[k].name, name))
                        return true;
        return false;
}

int manager_load(Manager *m) {
        _cleanup_free_ char *error = NULL;
        _cleanup_free_ char **keep = NULL;
        ConfigMain main_config;
        ConfigEntry *entries = NULL;
        ConfigRefused *refused = NULL;
        size_t n = 0, n_refused = 0;
        bool running;
        int r;

        r = config_read_main(m->config_dir, &main_config, &error);
        if (r < 0) {
                log_error("%s; using the defaults.", error ?: "Could not read wand.conf");
                main_config = (ConfigMain) { .demand_dial = true,
                                             .bus_max_message_size = CONFIG_BUS_MAX_MESSAGE_SIZE_DEFAULT };
        }
        m->running = main_config.demand_dial;
        m->bus_max_message_size = main_config.bus_max_message_size;
        r = runtime_state_load_demand_dial(m->runtime_dir, &running);
        if (r >= 0) {
                if (running != m->running)
                        log_info("The demand-dial manager stays %s, as the wand before left it (DemandDial= in "
                                 "wand.conf applies at boot).", running ? "running" : "stopped");
                m->running = running;
        } else if (r != -ENOENT)
                log_warning_errno(r, "Cannot read the demand-dial manager's state in %s; DemandDial= in wand.conf "
                                  "decides: %m", m->runtime_dir);
        ddm_record(m, m->running);

        r = config_read_interfaces_full(m->config_dir, &entries, &n, &refused, &n_refused, log_config_problem, m);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s/interfaces: %m", m->config_dir);
        set_refused(m, refused, n_refused);
        for (size_t k = 0; k < n; k++) {
                r = add_iface(m, entries[k].name, &entries[k].settings, NULL);
                if (r < 0) {
                        log_error_errno(r, "%s: failed to add: %m", entries[k].name);
                        break;
                }
        }
        config_entries_free(entries, n);
        if (r < 0)
                return r;
        log_info("Loaded %zu WAN interface(s) from %s; demand-dial manager %s.", m->n_ifaces, m->config_dir,
                 m->running ? "running" : "stopped");

        /* What an earlier wand left running for interfaces that are gone.
         * A refused file's interface does not exist, but its dialer stays
         * recorded until the file loads or is removed. */
        keep = refused_names(m->refused, m->n_refused);
        if (!keep)
                return log_oom();
        dialer_stop_unowned(m, keep, true);
        return 0;
}

typedef struct ReloadContext {
        Manager *manager;
        ConfigEntry *entries;
        size_t n;
        Iface **gone;
        size_t n_gone;
} ReloadContext;

static int entry_compare(const void *key, const void *entry) {
        return strcmp(key, ((const ConfigEntry *) entry)->name);
}

static void find_gone(Iface *i, void *userdata) {
        ReloadContext *c = userdata;
        /* (No file left: entries is NULL, which bsearch() may not get.) */
        if (c->n > 0 && bsearch(i->name, c->entries, c->n, sizeof(ConfigEntry), entry_compare))
                return;
        /* Only a file that is gone removes its interface: one that could
         * not be read or trusted now keeps what it had. */
        if (is_refused(c->manager, i->name)) {
                log_warning("%s: its configuration file was refused; keeping its settings as they were.", i->name);
                return;
        }
        c->gone[c->n_gone++] = i;
}

/* Processes of interfaces that are gone. */

typedef struct SettledWaiter {
        ManagerDoneFunc done;
        void *userdata;
        struct SettledWaiter *next;
} SettledWaiter;

void manager_lingering_begin(Manager *m) {
        m->lingering++;
}

static void settled_waiters_finish(Manager *m) {
        /* Those the callbacks add wait for the next time. */
        SettledWaiter *w = TAKE_PTR(m->settled_waiters);

        while (w) {
                SettledWaiter *next = w->next;
                w->done(m, 0, w->userdata);
                free(w);
                w = next;
        }
}

void manager_lingering_end(void *userdata) {
        Manager *m = userdata;

        if (m->lingering == 0 || --m->lingering > 0)
                return;
        settled_waiters_finish(m);
}

int manager_when_settled(Manager *m, ManagerDoneFunc done, void *userdata) {
        SettledWaiter *w;

        if (m->lingering == 0) {
                done(m, 0, userdata);
                return 0;
        }
        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        *w = (SettledWaiter) { done, userdata, m->settled_waiters };
        m->settled_waiters = w;
        return 0;
}

/* A Reload() in progress: done once every teardown it caused has ended. */
typedef struct ReloadJob {
        Manager *manager;
        size_t pending;
        int error;
        ManagerDoneFunc done;
        void *userdata;
} ReloadJob;

static void reload_settled(Manager *m, int r, void *userdata);

static void reload_job_unref(ReloadJob *job) {
        if (--job->pending > 0)
                return;
        /* The dialers of interfaces it removed are being stopped: the reply
         * waits for that too. */
        if (job->manager->lingering > 0 && !job->manager->exiting) {
                job->pending++;
                if (manager_when_settled(job->manager, reload_settled, job) >= 0)
                        return;
                log_oom();
                job->pending--;
        }
        if (job->done)
                job->done(job->manager, job->error, job->userdata);
        free(job);
}

static void reload_one_done(Iface *i, int r, const char *message, void *userdata) {
        if (r < 0)
                log_warning("%s: the new configuration could not be applied: %s", i->name,
                            message ?: "the teardown it needed failed");
        reload_job_unref(userdata);
}

static void reload_settled(Manager *m, int r, void *userdata) {
        reload_job_unref(userdata);
}

int manager_reload(Manager *m, ManagerDoneFunc done, void *userdata) {
        ReloadContext c = { .manager = m };
        ConfigRefused *refused = NULL;
        size_t n_refused = 0;
        char **keep;
        ReloadJob *job;
        int r;

        log_info("Reloading the configuration from %s.", m->config_dir);
        r = config_read_interfaces_full(m->config_dir, &c.entries, &c.n, &refused, &n_refused, log_config_problem, m);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s/interfaces: %m", m->config_dir);
        set_refused(m, refused, n_refused);

        job = calloc(1, sizeof(*job));
        c.gone = calloc(m->n_ifaces + 1, sizeof(Iface *));
        if (!job || !c.gone) {
                free(job);
                free(c.gone);
                config_entries_free(c.entries, c.n);
                return -ENOMEM;
        }
        *job = (ReloadJob) { .manager = m, .pending = 1, .done = done, .userdata = userdata };

        manager_foreach_iface(m, find_gone, &c);
        for (size_t k = 0; k < c.n_gone; k++) {
                log_info("%s: its configuration file is gone; no longer managed.", c.gone[k]->name);
                remove_iface(m, c.gone[k], "The interface's configuration file was removed.");
        }
        free(c.gone);


        for (size_t k = 0; k < c.n && r >= 0; k++) {
                Iface *i = manager_find_iface(m, c.entries[k].name);
                if (!i)
                        r = add_iface(m, c.entries[k].name, &c.entries[k].settings, NULL);
                else if (!settings_equal(iface_configured_settings(i), &c.entries[k].settings)) {
                        log_info("%s: configuration changed.", i->name);
                        job->pending++;
                        r = iface_set_settings(i, &c.entries[k].settings, reload_one_done, job);
                        if (r < 0)
                                job->pending--;
                }
        }
        config_entries_free(c.entries, c.n);
        job->error = r < 0 ? r : 0;

        /* The dialer of a file that was refused at start and is gone now:
         * the reply waits for it too. */
        keep = refused_names(m->refused, m->n_refused);
        if (keep)
                dialer_stop_unowned(m, keep, false);
        else
                log_oom();
        free(keep);
        reload_job_unref(job);
        return 0;
}

/* The demand-dial manager. */

static void update_one(Iface *i, void *userdata) {
        iface_update(i);
}

void manager_update_all(Manager *m) {
        manager_foreach_iface(m, update_one, NULL);
}

/* The StopDemandDialManager() in progress: every call while it runs joins
 * it, and all are answered when the last teardown ends. A Start() while it
 * runs overrides it: its callers are answered, the manager keeps running. */
typedef struct StopWaiter {
        ManagerDoneFunc done;
        void *userdata;
        struct StopWaiter *next;
} StopWaiter;

struct StopJob {
        Manager *manager;
        size_t pending;
        bool overridden;
        StopWaiter *waiters;
};

int manager_start_ddm(Manager *m) {
        if (m->running && !m->stopping)
                return 0;
        if (m->stop_job) {
                m->stop_job->overridden = true;
                m->stop_job = NULL;
        }
        m->running = true;
        m->stopping = false;
        ddm_record(m, true);
        log_info("Demand-dial manager started.");
        manager_update_all(m);
        manager_send_ddm_changed(m);
        return 0;
}

static void stop_settled(Manager *m, int r, void *userdata);

static void stop_job_unref(StopJob *job) {
        Manager *m = job->manager;

        if (--job->pending > 0)
                return;
        /* Nothing connected once it replies: the dialers of interfaces that
         * are gone (removed by Reload) included. */
        if (m->lingering > 0 && !m->exiting) {
                job->pending++;
                if (manager_when_settled(m, stop_settled, job) >= 0)
                        return;
                log_oom();
                job->pending--;
        }
        if (!job->overridden) {
                m->stop_job = NULL;
                m->stopping = false;
                m->running = false;
                log_info("Demand-dial manager stopped.");
                manager_update_all(m);
                manager_send_ddm_changed(m);
        }
        while (job->waiters) {
                StopWaiter *w = job->waiters;
                job->waiters = w->next;
                w->done(m, 0, w->userdata);
                free(w);
        }
        free(job);
}

static void stop_one_done(Iface *i, int r, const char *message, void *userdata) {
        if (r < 0)
                log_warning("%s: %s", i->name, message ?: "teardown failed while stopping the demand-dial manager");
        stop_job_unref(userdata);
}

static void stop_settled(Manager *m, int r, void *userdata) {
        stop_job_unref(userdata);
}

static void stop_one(Iface *i, void *userdata) {
        StopJob *job = userdata;

        /* Answered at once when nothing is up. */
        job->pending++;
        if (iface_ensure_disconnected(i, stop_one_done, job) < 0) {
                log_oom();
                job->pending--;
        }
}

int manager_stop_ddm(Manager *m, ManagerDoneFunc done, void *userdata) {
        StopJob *job = m->stop_job;
        StopWaiter *w;

        if (!m->running) {
                done(m, 0, userdata);
                return 0;
        }
        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        if (!job) {
                job = calloc(1, sizeof(*job));
                if (!job) {
                        free(w);
                        return -ENOMEM;
                }
                job->manager = m;
                m->stop_job = job;
                log_info("Stopping the demand-dial manager: disconnecting every interface.");
        }
        *w = (StopWaiter) { done, userdata, job->waiters };
        job->waiters = w;
        /* New Connect() calls are refused from now on; a wand restarted
         * meanwhile starts stopped. */
        m->stopping = true;
        ddm_record(m, false);
        job->pending++; /* until every interface has been asked */
        manager_foreach_iface(m, stop_one, job);
        stop_job_unref(job);
        return 0;
}

/* Life cycle. */

int manager_new_detached(Manager **ret, sd_event *event, const char *config_dir, const char *runtime_dir,
                         Clock *clock, ConnMethodForFunc method_for) {
        Manager *m;
        int r;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->event = sd_event_ref(event);
        m->running = true;
        m->bus_max_message_size = CONFIG_BUS_MAX_MESSAGE_SIZE_DEFAULT;
        m->clock = clock;
        instance_ids_begin(&m->instance_ids);
        m->method_for = method_for;
        m->config_dir = strdup(config_dir);
        m->runtime_dir = strdup(runtime_dir);
        if (!m->config_dir || !m->runtime_dir) {
                manager_free(m);
                return -ENOMEM;
        }
        r = process_reaper_new(&m->reaper, event);
        if (r < 0) {
                manager_free(m);
                return r;
        }
        r = link_cache_new(&m->links, on_link_changed, m);
        if (r < 0) {
                manager_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

int manager_new(Manager **ret, sd_event *event, const char *config_dir, const char *runtime_dir) {
        Clock *clock;
        Manager *m;
        int r;

        r = clock_event_new(&clock, event);
        if (r < 0)
                return r;
        r = manager_new_detached(&m, event, config_dir, runtime_dir, clock, conn_method_for);
        if (r < 0) {
                clock_event_free(clock);
                return r;
        }
        m->own_clock = clock;
        r = netlink_new(&m->netlink, event, m->links);
        if (r < 0) {
                manager_free(m);
                return log_error_errno(r, "Failed to open rtnetlink: %m");
        }
        *ret = m;
        return 0;
}

static void free_slot(void *p) {
        DeviceSlot *s = p;
        free(s->device);
        free(s);
}

static void abort_one(Iface *i, void *userdata) {
        iface_abort_operations(i, 0, userdata);
}

void manager_abort_operations(Manager *m, const char *why) {
        m->exiting = true;
        manager_foreach_iface(m, abort_one, (void *) why);
        /* wand is going: nobody waits for the lingering to end. */
        settled_waiters_finish(m);
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        /* Callers still waiting are told, not left hanging. */
        manager_abort_operations(m, "wand is shutting down.");
        while (m->ifaces) {
                Iface *i = *(Iface **) m->ifaces;
                tdelete(i, &m->ifaces, iface_compare);
                iface_free(i);
        }
        tdestroy(m->devices, free_slot);
        m->link_owners = link_owners_free(m->link_owners);
        m->polkit = polkit_registry_free(m->polkit);
        m->netlink = netlink_free(m->netlink);
        m->links = link_cache_free(m->links);
        m->reaper = process_reaper_free(m->reaper);
        m->own_clock = clock_event_free(m->own_clock);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        config_refused_free(m->refused, m->n_refused);
        free(m->config_dir);
        free(m->runtime_dir);
        free(m);
        return NULL;
}
