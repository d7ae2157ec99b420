/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `wandctl list` and `wandctl status`: the interfaces as a table, as every
 * property in words, or as JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "format.h"
#include "macro.h"
#include "names.h"
#include "objects.h"
#include "table.h"

static void iface_json(const IfaceObject *o, Json *j) {
        json_object_begin(j);
        json_key(j, "Path");
        json_string(j, o->path);
        props_json_members(&o->props, j);
        json_object_end(j);
}

static const char *since(char buf[static FORMAT_TIMESPAN_MAX], const PropList *p) {
        uint64_t t = props_uint(p, "ConnectedSince"), now = now_usec();

        if (t == 0)
                return "-";
        return format_timespan(buf, now > t ? now - t : 0);
}

int cmd_list(Context *c, char **args) {
        static const Operation op = { "list the interfaces", NULL };
        static const char *const headers[] = { "NAME", "DEVICE", "STATE", "SINCE" };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(objects_done) IfaceObjects o = {};
        _cleanup_(table_freep) Table *t = NULL;
        int r;

        r = objects_get_all(c->bus, &o, &error);
        if (r < 0)
                return error_report(c, &op, NULL, &error, r);

        if (c->json) {
                Json j;
                json_init(&j, stdout, c->json_pretty);
                json_array_begin(&j);
                for (size_t i = 0; i < o.n; i++)
                        iface_json(&o.items[i], &j);
                json_array_end(&j);
                json_done(&j);
                return EXIT_OK;
        }

        t = table_new(ELEMENTSOF(headers), headers);
        if (!t)
                return fail(EXIT_GENERIC, "out of memory");
        for (size_t i = 0; i < o.n; i++) {
                const PropList *p = &o.items[i].props;
                const char *state = props_string(p, "State");
                char buf[FORMAT_TIMESPAN_MAX];

                if (table_add(t, o.items[i].name, NULL) < 0 || table_add(t, props_string(p, "Device"), NULL) < 0 ||
                    table_add(t, state, state_color(state)) < 0 || table_add(t, since(buf, p), NULL) < 0)
                        return fail(EXIT_GENERIC, "out of memory");
        }
        table_print(t, stdout, c->legend, c->color);
        if (c->legend)
                printf("\n%zu interface%s listed.\n", table_rows(t), table_rows(t) == 1 ? "" : "s");
        return EXIT_OK;
}

/* UnreachabilityReasons in words. */
static void print_reasons(const PropList *p) {
        char *const *reasons = props_strv(p, "UnreachabilityReasons");

        for (char *const *r = reasons; *r; r++) {
                fputs(r == reasons ? ": " : "; ", stdout);
                if (streq(*r, "disabled"))
                        fputs("disabled", stdout);
                else if (streq(*r, "no-device"))
                        printf("device %s does not exist", props_string(p, "Device"));
                else if (streq(*r, "connection-failure"))
                        fputs("redialling failed too often; wand waits before it may be connected again", stdout);
                else if (streq(*r, "service-stopped"))
                        fputs("the demand-dial manager is stopped", stdout);
                else
                        fputs(*r, stdout);
        }
}

#define LABEL "%12s: "

/* The properties this function words itself; the others are printed as
 * they come. */
static const char *const worded[] = {
        "Name", "Device", "IfIndex", "State", "ConnectedSince", "UnreachabilityReasons", "Enabled", "Persistent", "LastError",
        "ManagedBy", "LastErrorReason",
};

/* LastErrorReason in words; a word of a newer wand as it comes. */
static const char *failure_words(const char *reason) {
        static const struct {
                const char *reason, *words;
        } table[] = {
                { "timeout", "the device did not come up within ConnectTimeoutSec" },
                { "no-carrier", "the device had no carrier within ConnectTimeoutSec" },
                { "dialer-exited", "the dialer exited before the connection came up" },
                { "device-gone", "the device disappeared" },
                { "refused", "the interface could no longer connect (another manager took its device)" },
                { "start-failed", "wand could not start the attempt (see its log)" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(table[i].reason, reason))
                        return table[i].words;
        return reason;
}

static bool is_worded(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(worded); i++)
                if (streq(worded[i], name))
                        return true;
        return false;
}

static void print_iface(const Context *c, const IfaceObject *o) {
        const PropList *p = &o->props;
        const char *state = props_string(p, "State"), *last_error = props_string(p, "LastError");
        const char *reason = props_string(p, "LastErrorReason");
        const char *color = c->color ? state_color(state) : "";
        uint64_t connected_since = props_uint(p, "ConnectedSince");
        int64_t ifindex = props_int(p, "IfIndex");
        char ts[FORMAT_TIMESTAMP_MAX], span[FORMAT_TIMESPAN_MAX];

        printf("%s%s%s %s\n", color, glyph_bullet(), *color ? ANSI_NORMAL : "", o->name);
        printf(LABEL "%s\n", "Handle", o->path);
        if (ifindex > 0)
                printf(LABEL "%s (ifindex %lld)\n", "Device", props_string(p, "Device"), (long long) ifindex);
        else
                printf(LABEL "%s (not present)\n", "Device", props_string(p, "Device"));

        printf(LABEL "%s%s%s", "State", color, state, *color ? ANSI_NORMAL : "");
        if (connected_since > 0) {
                uint64_t now = now_usec();
                printf(" since %s; %s ago", format_timestamp(ts, connected_since),
                       format_timespan(span, now > connected_since ? now - connected_since : 0));
        }
        print_reasons(p);
        fputc('\n', stdout);

        printf(LABEL "%s\n", "Enabled", props_bool(p, "Enabled") ? "yes" : "no");
        printf(LABEL "%s\n", "Persistent",
               props_bool(p, "Persistent") ? "yes (redials when the connection drops)" : "no");
        char *const *managed_by = props_strv(p, "ManagedBy");
        if (managed_by && managed_by[0]) {
                _cleanup_free_ char *who = strv_join(managed_by, " and ");
                printf(LABEL "%s%s\n", "Managed by", strempty(who),
                       state && streq(state, "unreachable") ? " (left alone; wandctl set --claim-device hands it to wand)"
                                                            : "");
        }
        if (isempty(last_error))
                printf(LABEL "-\n", "Last error");
        else {
                const ErrorText *t = error_text_lookup(last_error);
                printf(LABEL "%s%s%s%s%s%s\n", "Last error", t ? t->summary : "", t ? " (" : "", last_error, t ? ")" : "",
                       isempty(reason) ? "" : ": ", isempty(reason) ? "" : failure_words(reason));
        }

        for (size_t i = 0; i < p->n; i++) {
                _cleanup_free_ char *text = NULL;

                if (is_worded(p->items[i].name))
                        continue;
                text = prop_to_text(&p->items[i]);
                printf(LABEL "%s\n", p->items[i].name, strempty(text));
        }
}

/* The interfaces named, each on its own (a bad one does not stop the
 * others), or all of them. */
static int collect(Context *c, char **names, IfaceObjects *ret) {
        static const Operation op = { "show", NULL };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int status = EXIT_OK, r;

        if (!names[0]) {
                r = objects_get_all(c->bus, ret, &error);
                return r < 0 ? error_report(c, &op, NULL, &error, r) : EXIT_OK;
        }

        for (char **n = names; *n; n++) {
                r = check_interface_name(*n);
                if (r != 0) {
                        status = status ?: r;
                        continue;
                }
                sd_bus_error_free(&error);
                r = objects_get_one(c->bus, *n, ret, &error);
                if (r < 0) {
                        status = status ?: error_report(c, &op, *n, &error, r);
                        if (status == EXIT_NOT_RUNNING)
                                return status; /* the others would say the same */
                }
        }
        return status;
}

int cmd_status(Context *c, char **args) {
        static const Operation op = { "read the state of the demand-dial manager", NULL };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(objects_done) IfaceObjects o = {};
        _cleanup_(props_done) PropList manager = {};
        int status, r;

        r = object_get_props(c->bus, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, &manager, &error);
        if (r < 0)
                return error_report(c, &op, NULL, &error, r);

        status = collect(c, args, &o);
        if (status == EXIT_NOT_RUNNING)
                return status;

        if (c->json) {
                Json j;
                json_init(&j, stdout, c->json_pretty);
                json_object_begin(&j);
                /* A key of their own: a property the manager gains can
                 * never collide with "Interfaces". */
                json_key(&j, "Manager");
                props_json(&manager, &j);
                json_key(&j, "Interfaces");
                json_array_begin(&j);
                for (size_t i = 0; i < o.n; i++)
                        iface_json(&o.items[i], &j);
                json_array_end(&j);
                json_object_end(&j);
                json_done(&j);
                return status;
        }

        printf("Demand-dial manager: %s (wand %s)\n", props_string(&manager, "DemandDialManager"),
               props_string(&manager, "Version"));
        if (o.n == 0 && !args[0])
                printf("\nNo WAN interfaces.\n");
        for (size_t i = 0; i < o.n; i++) {
                fputc('\n', stdout);
                print_iface(c, &o.items[i]);
        }
        return status;
}
