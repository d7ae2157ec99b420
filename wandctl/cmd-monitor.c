/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `wandctl monitor`: one line per change wand announces — properties,
 * interfaces appearing and disappearing, the service coming and going —
 * until SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-event.h>

#include "bus.h"
#include "format.h"
#include "macro.h"
#include "names.h"
#include "objects.h"
#include "props.h"
#include "wand-objects.h"

/* With --initial, what was read first: a signal wand sent before that read
 * (a lower serial from the same wand) is already in it and is not printed
 * again. */
typedef struct Monitor {
        Context *c;
        IfaceObjects initial;
        PropList manager;
        uint64_t manager_cookie, first_cookie;
        char *sender;
} Monitor;

static void monitor_done(Monitor *mo) {
        objects_done(&mo->initial);
        props_done(&mo->manager);
        free(mo->sender);
}

/* Whether m, about the object at path, is older than what --initial read. */
static bool is_old(const Monitor *mo, sd_bus_message *m, const char *path) {
        if (!mo->sender)
                return false;
        if (streq_ptr(path, WAND_MANAGER_PATH))
                return !object_is_newer_than(mo->manager_cookie, mo->sender, m);
        for (size_t i = 0; i < mo->initial.n; i++)
                if (streq_ptr(path, mo->initial.items[i].path))
                        return !object_is_newer_than(mo->initial.items[i].cookie, mo->sender, m);
        /* Not read: gone before the read, or new since. */
        return !object_is_newer_than(mo->first_cookie, mo->sender, m);
}

/* Starts a line: the time, in JSON or for people. */
static void begin_event(Context *c, Json *j, const char *event) {
        uint64_t now = now_usec();
        char ts[FORMAT_TIMESTAMP_MAX];

        if (c->json) {
                json_init(j, stdout, c->json_pretty);
                json_object_begin(j);
                json_key(j, "time");
                json_string(j, format_timestamp_iso(ts, now));
                json_key(j, "usec");
                json_uint(j, now);
                json_key(j, "event");
                json_string(j, event);
        } else
                printf("%s ", format_timestamp_ms(ts, now));
}

static void end_event(Context *c, Json *j) {
        if (c->json) {
                json_object_end(j);
                json_done(j);
        } else
                fputc('\n', stdout);
        /* Whoever reads a pipe wants each change when it happens. */
        fflush(stdout);
}

/* "interface" and "path" of an interface's event. */
static void json_interface(Json *j, const char *name, const char *path) {
        json_key(j, "interface");
        json_string(j, name);
        json_key(j, "path");
        json_string(j, path);
}

static const struct {
        const char *property, *words;
} words[] = {
        { "State", "state" },
        { "IfIndex", "ifindex" },
        { "Enabled", "enabled" },
        { "UnreachabilityReasons", "unreachable because" },
        { "LastError", "last error" },
        { "LastErrorReason", "because" },
        { "Device", "device" },
        { "Persistent", "persistent" },
        { "DemandDialManager", "demand-dial manager" },
};

/* "state connected, ifindex 3, connected since …" */
static void print_changes(const PropList *l) {
        for (size_t i = 0; i < l->n; i++) {
                const Prop *p = &l->items[i];
                const char *label = p->name;
                char ts[FORMAT_TIMESTAMP_MAX];
                _cleanup_free_ char *text = NULL;

                fputs(i > 0 ? ", " : "", stdout);
                if (streq(p->name, "ConnectedSince") && p->type == VALUE_UINT) {
                        printf("connected since %s", p->u > 0 ? format_timestamp(ts, p->u) : "-");
                        continue;
                }
                if (streq(p->name, "UnreachabilityReasons") && p->type == VALUE_STRV && (!p->strv || !p->strv[0])) {
                        fputs("reachable", stdout);
                        continue;
                }
                for (size_t k = 0; k < ELEMENTSOF(words); k++)
                        if (streq(words[k].property, p->name))
                                label = words[k].words;
                text = prop_to_text(p);
                printf("%s %s", label, strempty(text));
        }
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Monitor *mo = userdata;
        Context *c = mo->c;
        _cleanup_(props_done) PropList changed = {};
        _cleanup_(strv_freep) char **invalidated = NULL;
        _cleanup_free_ char *name = NULL;
        const char *interface, *path = sd_bus_message_get_path(m);
        bool manager;
        Json j;
        int r;

        r = sd_bus_message_read(m, "s", &interface);
        if (r >= 0)
                r = props_read(m, &changed);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &invalidated);
        if (r < 0) {
                fprintf(stderr, "wandctl: ignoring a malformed PropertiesChanged from %s.\n", strempty(path));
                return 0;
        }

        manager = streq(interface, WAND_MANAGER_INTERFACE) && streq_ptr(path, WAND_MANAGER_PATH);
        if (!manager && !streq(interface, WAND_INTERFACE_INTERFACE))
                return 0;
        if (is_old(mo, m, path))
                return 0;
        if (!manager)
                name = interface_name_from_bus_path(path);

        begin_event(c, &j, manager ? "manager" : "changed");
        if (c->json) {
                if (!manager)
                        json_interface(&j, name, path);
                json_key(&j, "changed");
                props_json(&changed, &j);
                json_key(&j, "invalidated");
                json_strv(&j, invalidated);
        } else {
                printf("%s: ", manager ? "manager" : strempty(name));
                print_changes(&changed);
                /* A property announced without its value (none of wand's since
                 * Device and Persistent carry theirs; an older wand's did not). */
                for (char **s = invalidated; s && *s; s++)
                        printf("%s%s changed", changed.n > 0 || s != invalidated ? ", " : "", *s);
        }
        end_event(c, &j);
        return 0;
}

typedef struct Added {
        PropList props;
        bool found;
} Added;

static int read_added(sd_bus_message *m, const char *path, void *userdata) {
        Added *a = userdata;

        if (a->found)
                return sd_bus_message_skip(m, "a{sv}");
        a->found = true;
        return props_read(m, &a->props);
}

static void added_done(Added *a) {
        props_done(&a->props);
}

static int on_interfaces_added(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Monitor *mo = userdata;
        Context *c = mo->c;
        _cleanup_free_ char *name = NULL;
        _cleanup_(added_done) Added a = {};
        const char *path;
        Json j;
        int r;

        r = sd_bus_message_read(m, "o", &path);
        if (r >= 0)
                r = wand_object_read(m, path, read_added, &a);
        if (r < 0) {
                fprintf(stderr, "wandctl: ignoring a malformed InterfacesAdded.\n");
                return 0;
        }
        if (!a.found || is_old(mo, m, path))
                return 0;
        name = interface_name_from_bus_path(path);

        begin_event(c, &j, "added");
        if (c->json) {
                json_interface(&j, name, path);
                json_key(&j, "properties");
                props_json(&a.props, &j);
        } else
                printf("%s: added (device %s, %s)", strempty(name), props_string(&a.props, "Device"),
                       props_string(&a.props, "State"));
        end_event(c, &j);
        return 0;
}

static int on_interfaces_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Monitor *mo = userdata;
        Context *c = mo->c;
        _cleanup_(strv_freep) char **interfaces = NULL;
        _cleanup_free_ char *name = NULL;
        const char *path;
        bool ours = false;
        Json j;
        int r;

        r = sd_bus_message_read(m, "o", &path);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &interfaces);
        if (r < 0) {
                fprintf(stderr, "wandctl: ignoring a malformed InterfacesRemoved.\n");
                return 0;
        }
        for (char **s = interfaces; s && *s; s++)
                ours = ours || streq(*s, WAND_INTERFACE_INTERFACE);
        if (!ours || is_old(mo, m, path))
                return 0;
        name = interface_name_from_bus_path(path);

        begin_event(c, &j, "removed");
        if (c->json)
                json_interface(&j, name, path);
        else
                printf("%s: removed", strempty(name));
        end_event(c, &j);
        return 0;
}

/* wand restarting is a change too: its objects come back as they are then. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Monitor *mo = userdata;
        Context *c = mo->c;
        const char *name, *old_owner, *new_owner;
        Json j;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || !streq(name, WAND_BUS_NAME))
                return 0;

        begin_event(c, &j, "service");
        if (c->json) {
                json_key(&j, "running");
                json_bool(&j, !isempty(new_owner));
        } else
                printf("wand %s", isempty(new_owner) ? "left the bus" : "is on the bus");
        end_event(c, &j);
        return 0;
}

/* The event loop is passed in: sd-bus detaches a closed bus from it, so
 * sd_bus_get_event() no longer finds it here. */
static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_event *event = userdata;

        fprintf(stderr, "wandctl: the connection to the system bus was lost.\n");
        return sd_event_exit(event, EXIT_NOT_RUNNING);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        return sd_event_exit(sd_event_source_get_event(s), EXIT_OK);
}

/* --initial: the manager and every interface as they are, in the words
 * and keys of the changes that follow. */
static int print_initial(Monitor *mo) {
        static const Operation op = { "monitor", NULL };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        Context *c = mo->c;
        Json j;
        int r;

        r = objects_get_all(c->bus, &mo->initial, &error);
        if (r >= 0)
                r = object_get_props_from(c->bus, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, &mo->manager,
                                          &mo->manager_cookie, &mo->sender, &error);
        if (r < 0)
                return error_report(c, &op, NULL, &error, r);
        mo->first_cookie = mo->manager_cookie;
        for (size_t i = 0; i < mo->initial.n; i++)
                if (mo->initial.items[i].cookie < mo->first_cookie)
                        mo->first_cookie = mo->initial.items[i].cookie;

        begin_event(c, &j, "initial");
        if (c->json) {
                json_key(&j, "properties");
                props_json(&mo->manager, &j);
        } else
                printf("manager: demand-dial manager %s (wand %s)", props_string(&mo->manager, "DemandDialManager"),
                       props_string(&mo->manager, "Version"));
        end_event(c, &j);

        for (size_t i = 0; i < mo->initial.n; i++) {
                const IfaceObject *o = &mo->initial.items[i];
                char *const *reasons = props_strv(&o->props, "UnreachabilityReasons");

                begin_event(c, &j, "initial");
                if (c->json) {
                        json_interface(&j, o->name, o->path);
                        json_key(&j, "properties");
                        props_json(&o->props, &j);
                } else {
                        printf("%s: state %s, device %s", o->name, props_string(&o->props, "State"),
                               props_string(&o->props, "Device"));
                        for (char *const *s = reasons; *s; s++)
                                printf("%s%s", s == reasons ? ", unreachable because " : ", ", *s);
                }
                end_event(c, &j);
        }
        return EXIT_OK;
}

int cmd_monitor(Context *c, char **args) {
        static const Operation op = { "monitor", NULL };
        _cleanup_(monitor_done) Monitor mo = { .c = c };
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        int r, code = EXIT_OK;
        sigset_t mask;

        /* Signals arrive through the event loop, so that the loop ends and
         * everything is freed, rather than dying mid-line. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_new(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, on_signal, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, on_signal, NULL);
        if (r >= 0)
                r = sd_bus_attach_event(c->bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot set up the event loop: %s", strerror(-r));

        /* Synchronous: once these return, the bus sends us every change. */
        r = sd_bus_match_signal(c->bus, NULL, WAND_BUS_NAME, NULL, "org.freedesktop.DBus.Properties",
                                "PropertiesChanged", on_properties_changed, &mo);
        if (r >= 0)
                r = sd_bus_match_signal(c->bus, NULL, WAND_BUS_NAME, WAND_MANAGER_PATH,
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", on_interfaces_added, &mo);
        if (r >= 0)
                r = sd_bus_match_signal(c->bus, NULL, WAND_BUS_NAME, WAND_MANAGER_PATH,
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved", on_interfaces_removed,
                                        &mo);
        if (r >= 0)
                r = sd_bus_add_match(c->bus, NULL,
                                     "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                     "arg0='" WAND_BUS_NAME "'",
                                     on_name_owner_changed, &mo);
        if (r >= 0)
                r = sd_bus_match_signal(c->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                        "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, event);
        if (r < 0)
                return error_report(c, &op, NULL, NULL, r); /* AddMatch failed: the bus, not wand */

        /* Read after subscribing: nothing between the two is lost. */
        if (c->initial) {
                r = print_initial(&mo);
                if (r != EXIT_OK) {
                        (void) sd_bus_detach_event(c->bus);
                        return r;
                }
        }

        if (isatty(STDOUT_FILENO) && !c->json)
                fprintf(stderr, "Monitoring wand%s%s; press Ctrl+C to stop.\n", c->host ? " on " : "", strempty(c->host));

        r = sd_event_loop(event);
        if (r < 0)
                return fail(EXIT_GENERIC, "the event loop failed: %s", strerror(-r));
        (void) sd_event_get_exit_code(event, &code);
        (void) sd_bus_detach_event(c->bus);
        return code;
}
