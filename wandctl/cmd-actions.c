/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The commands that change something: connect, disconnect, enable, disable,
 * delete, reload, and the demand-dial manager. */
#include <stdio.h>

#include "bus.h"
#include "macro.h"
#include "names.h"
#include "objects.h"
#include "wand-errors.h"

/* Each named interface in turn: a failing one does not stop the rest. The
 * exit status is the first failure's. */
static int for_each_name(Context *c, char **names, const Operation *op, const char *member, int enabled) {
        int status = EXIT_OK, r;

        for (char **n = names; *n; n++) {
                if (enabled < 0)
                        r = bus_call_interface(c, op, *n, member, NULL);
                else
                        r = bus_call_interface(c, op, *n, member, "b", enabled);
                if (r == EXIT_NOT_RUNNING)
                        return r; /* the others would say the same */
                status = status ?: r;
        }
        return status;
}

/* connect and disconnect are idempotent, as `systemctl start` and
 * `networkctl up` are: what was asked holds already, so the command
 * succeeds, and says so on stderr. A real conflict (disabled, unreachable)
 * stays an error. */
static bool connected_already(Context *c, const char *iface, const sd_bus_error *e) {
        if (!sd_bus_error_has_name(e, WAND_ERROR_ALREADY_CONNECTED))
                return false;
        fprintf(stderr, "%s is already connected.\n", iface);
        return true;
}

int cmd_connect(Context *c, char **args) {
        static const Operation op = { "connect", "org.wand.Router1.connect", connected_already };
        return for_each_name(c, args, &op, "Connect", -1);
}

/* wand answers InterfaceNotConnected when disconnected or unreachable, and
 * DemandDialManagerNotRunning whenever the manager is stopped: then every
 * interface is unreachable and, once its teardown is over, not connected. */
static bool disconnected_already(Context *c, const char *iface, const sd_bus_error *e) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(objects_done) IfaceObjects o = {};
        const char *state;

        if (sd_bus_error_has_name(e, WAND_ERROR_INTERFACE_NOT_CONNECTED)) {
                fprintf(stderr, "%s is not connected.\n", iface);
                return true;
        }
        if (!sd_bus_error_has_name(e, WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING))
                return false;
        /* While the manager stops, a teardown may still be under way: not
         * done yet, so the error stands. */
        if (objects_get_one(c->bus, iface, &o, &error) < 0 || o.n != 1)
                return false;
        state = props_string(&o.items[0].props, "State");
        if (!streq(state, "unreachable") && !streq(state, "disconnected"))
                return false;
        fprintf(stderr, "%s is not connected (the demand-dial manager is stopped).\n", iface);
        return true;
}

int cmd_disconnect(Context *c, char **args) {
        static const Operation op = { "disconnect", "org.wand.Router1.disconnect", disconnected_already };
        return for_each_name(c, args, &op, "Disconnect", -1);
}

int cmd_enable(Context *c, char **args) {
        static const Operation op = { "enable", "org.wand.Router1.configure" };
        return for_each_name(c, args, &op, "SetEnabled", true);
}

int cmd_disable(Context *c, char **args) {
        static const Operation op = { "disable", "org.wand.Router1.configure" };
        return for_each_name(c, args, &op, "SetEnabled", false);
}

int cmd_delete(Context *c, char **args) {
        static const Operation op = { "delete", "org.wand.Router1.configure" };
        return for_each_name(c, args, &op, "Delete", -1);
}

/* The files wand did not load (RefusedFiles): their interfaces keep the
 * settings they had, which is not what whoever edited them expects. A wand
 * without the property has nothing to say. */
static void print_refused_files(Context *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *file, *why;
        int r;

        r = sd_bus_get_property(c->bus, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, "RefusedFiles", &error,
                                &reply, "a(ss)");
        if (r < 0)
                return;
        r = sd_bus_message_enter_container(reply, 'a', "(ss)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ss)", &file, &why)) > 0)
                fprintf(stderr, "Not loaded (what it configures stays as it was): %s: %s\n", file, why);
}

int cmd_reload(Context *c, char **args) {
        static const Operation op = { "reload the configuration", "org.wand.Router1.configure" };
        int r;

        r = bus_call_manager(c, &op, NULL, NULL, "Reload", NULL);
        if (r == EXIT_OK)
                print_refused_files(c);
        return r;
}

static int manager_status(Context *c) {
        static const Operation op = { "read the state of the demand-dial manager", NULL };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(props_done) PropList p = {};
        const char *state;
        int r;

        r = object_get_props(c->bus, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, &p, &error);
        if (r < 0)
                return error_report(c, &op, NULL, &error, r);
        state = props_string(&p, "DemandDialManager");
        if (c->json) {
                Json j;
                json_init(&j, stdout, c->json_pretty);
                props_json(&p, &j);
                json_done(&j);
        } else
                printf("%s\n", state);
        /* Like `systemctl is-active` (3: not active): scripts can test it
         * without parsing. */
        return streq(state, "running") ? EXIT_OK : EXIT_TIMEOUT;
}

int cmd_manager(Context *c, char **args) {
        static const Operation start = { "start the demand-dial manager", "org.wand.Router1.control" };
        static const Operation stop = { "stop the demand-dial manager", "org.wand.Router1.control" };

        if (streq(args[0], "start"))
                return bus_call_manager(c, &start, NULL, NULL, "StartDemandDialManager", NULL);
        if (streq(args[0], "stop"))
                return bus_call_manager(c, &stop, NULL, NULL, "StopDemandDialManager", NULL);
        return manager_status(c);
}
