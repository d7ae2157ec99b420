/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `wandctl wait NAME... [--state=STATE] [--any]`: until the interfaces are
 * in STATE (all of them, or one with --any), as systemd-networkd-wait-online
 * and nm-online wait. Subscribed first, read then, and told by
 * PropertiesChanged after that: no polling, and no change lost between the
 * read and the subscription. */
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-event.h>

#include "bus.h"
#include "format.h"
#include "macro.h"
#include "names.h"
#include "objects.h"

typedef enum WaitResult {
        WAIT_PENDING,
        WAIT_DONE,
        WAIT_TIMEOUT,
        WAIT_REMOVED,
        WAIT_WAND_LEFT,
} WaitResult;

static const char *const result_names[] = {
        [WAIT_DONE] = "done",
        [WAIT_TIMEOUT] = "timeout",
        [WAIT_REMOVED] = "removed",
        [WAIT_WAND_LEFT] = "wand-left",
};

typedef struct Wait {
        Context *c;
        sd_event *event;
        IfaceObjects o;         /* the interfaces, as read, then as told */
        char **states;          /* each one's State now; NULL once removed */
        WaitResult result;
        const char *removed;    /* the name of the one deleted */
} Wait;

static int find(Wait *w, const char *path) {
        for (size_t i = 0; path && i < w->o.n; i++)
                if (streq(w->o.items[i].path, path))
                        return (int) i;
        return -1;
}

static bool reached(const Wait *w) {
        size_t n = 0;

        for (size_t i = 0; i < w->o.n; i++)
                n += w->states[i] && streq(w->states[i], w->c->wait_state);
        return w->c->wait_any ? n > 0 : n == w->o.n;
}

static void finish(Wait *w, WaitResult result) {
        if (w->result != WAIT_PENDING)
                return;
        w->result = result;
        (void) sd_event_exit(w->event, 0);
}

static void check(Wait *w) {
        if (reached(w))
                finish(w, WAIT_DONE);
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Wait *w = userdata;
        _cleanup_(props_done) PropList changed = {};
        const char *interface, *state;
        int i = find(w, sd_bus_message_get_path(m));

        if (i < 0 || !object_is_newer_than(w->o.items[i].cookie, w->o.items[i].sender, m))
                return 0;
        if (sd_bus_message_read(m, "s", &interface) < 0 || !streq(interface, WAND_INTERFACE_INTERFACE) ||
            props_read(m, &changed) < 0)
                return 0;
        state = props_get(&changed, "State") ? props_string(&changed, "State") : NULL;
        if (!state || !w->states[i])
                return 0;
        char *s = strdup(state);
        if (!s)
                return -ENOMEM;
        free(w->states[i]);
        w->states[i] = s;
        check(w);
        return 0;
}

static int on_interfaces_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Wait *w = userdata;
        _cleanup_(strv_freep) char **interfaces = NULL;
        const char *path;
        int i;

        bool ours = false;

        if (sd_bus_message_read(m, "o", &path) < 0 || sd_bus_message_read_strv(m, &interfaces) < 0)
                return 0;
        for (char **s = interfaces; s && *s; s++)
                ours = ours || streq(*s, WAND_INTERFACE_INTERFACE);
        if (!ours)
                return 0;
        i = find(w, path);
        if (i < 0 || !object_is_newer_than(w->o.items[i].cookie, w->o.items[i].sender, m))
                return 0;
        free(w->states[i]);
        w->states[i] = NULL;
        w->removed = w->o.items[i].name;
        finish(w, WAIT_REMOVED);
        return 0;
}

/* Only the wand that was read from leaving counts: one that left before
 * (its signal may come after the reads) is not the one answering. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Wait *w = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || !streq(name, WAND_BUS_NAME))
                return 0;
        if (w->o.n > 0 && !streq_ptr(old_owner, w->o.items[0].sender))
                return 0;
        finish(w, WAIT_WAND_LEFT);
        return 0;
}

static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        finish(userdata, WAIT_WAND_LEFT);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        finish(userdata, WAIT_TIMEOUT);
        return 0;
}

static void wait_done(Wait *w) {
        for (size_t i = 0; w->states && i < w->o.n; i++)
                free(w->states[i]);
        free(w->states);
        objects_done(&w->o);
        (void) sd_bus_detach_event(w->c->bus);
        w->event = sd_event_unref(w->event);
}

/* {"result":"done","state":"connected","interfaces":{"wan0":"connected"}} */
static void print_json(const Wait *w) {
        Json j;

        json_init(&j, stdout, w->c->json_pretty);
        json_object_begin(&j);
        json_key(&j, "result");
        json_string(&j, result_names[w->result]);
        json_key(&j, "state");
        json_string(&j, w->c->wait_state);
        json_key(&j, "interfaces");
        json_object_begin(&j);
        for (size_t i = 0; i < w->o.n; i++) {
                json_key(&j, w->o.items[i].name);
                json_string(&j, w->states[i]); /* null: deleted */
        }
        json_object_end(&j);
        json_object_end(&j);
        json_done(&j);
}

/* "wan1 is connecting, wan2 is unreachable" */
static void print_not_there(const Wait *w) {
        bool first = true;

        for (size_t i = 0; i < w->o.n; i++) {
                if (!w->states[i] || streq(w->states[i], w->c->wait_state))
                        continue;
                fprintf(stderr, "%s%s is %s", first ? "" : ", ", w->o.items[i].name, w->states[i]);
                first = false;
        }
}

int cmd_wait(Context *c, char **args) {
        static const Operation op = { "wait for", NULL };
        _cleanup_(wait_done) Wait w = { .c = c };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char span[FORMAT_TIMESPAN_MAX];
        int r;

        for (char **n = args; *n; n++) {
                r = check_interface_name(*n);
                if (r != 0)
                        return r;
        }

        r = sd_event_default(&w.event);
        if (r >= 0)
                r = sd_bus_attach_event(c->bus, w.event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot set up the event loop: %s", strerror(-r));

        /* Subscribed before reading: a change after the read is never
         * missed, and one before it is recognised by its serial. */
        r = sd_bus_match_signal(c->bus, NULL, WAND_BUS_NAME, NULL, "org.freedesktop.DBus.Properties",
                                "PropertiesChanged", on_properties_changed, &w);
        if (r >= 0)
                r = sd_bus_match_signal(c->bus, NULL, WAND_BUS_NAME, WAND_MANAGER_PATH,
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved", on_interfaces_removed,
                                        &w);
        if (r >= 0)
                r = sd_bus_add_match(c->bus, NULL,
                                     "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                     "arg0='" WAND_BUS_NAME "'",
                                     on_name_owner_changed, &w);
        if (r >= 0)
                r = sd_bus_match_signal(c->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                        "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, &w);
        if (r < 0)
                return error_report(c, &op, NULL, NULL, r);

        for (char **n = args; *n; n++) {
                sd_bus_error_free(&error);
                r = objects_get_one(c->bus, *n, &w.o, &error);
                if (r < 0)
                        return error_report(c, &op, *n, &error, r);
        }
        w.states = calloc(w.o.n, sizeof(char *));
        if (!w.states)
                return fail(EXIT_GENERIC, "out of memory");
        for (size_t i = 0; i < w.o.n; i++)
                if (!(w.states[i] = strdup(props_string(&w.o.items[i].props, "State"))))
                        return fail(EXIT_GENERIC, "out of memory");

        check(&w);
        if (w.result == WAIT_PENDING) {
                r = sd_event_add_time_relative(w.event, NULL, CLOCK_MONOTONIC, c->wait_usec, 0, on_timeout, &w);
                if (r < 0)
                        return fail(EXIT_GENERIC, "cannot set up the timer: %s", strerror(-r));
                r = sd_event_loop(w.event);
                if (r < 0)
                        return fail(EXIT_GENERIC, "the event loop failed: %s", strerror(-r));
        }

        if (c->json)
                print_json(&w);
        switch (w.result) {
        case WAIT_DONE:
                return EXIT_OK;
        case WAIT_TIMEOUT:
                fprintf(stderr, "wandctl: timed out after %s waiting for %s to be %s: ", format_timespan(span, c->wait_usec),
                        c->wait_any ? "one of the interfaces" : args[1] ? "the interfaces" : args[0], c->wait_state);
                print_not_there(&w);
                fputs(".\n", stderr);
                return EXIT_TIMEOUT;
        case WAIT_REMOVED:
                fprintf(stderr, "wandctl: %s was deleted while waiting for it to be %s.\n", w.removed, c->wait_state);
                return EXIT_NO_SUCH_INTERFACE;
        default:
                fprintf(stderr, "wandctl: wand left the bus while waiting for %s to be %s.\n",
                        args[1] ? "the interfaces" : args[0], c->wait_state);
                return EXIT_NOT_RUNNING;
        }
}
