/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in for wand on the test bus, for what the real one cannot be made
 * to do on cue: GetManagedObjects refused, and interfaces that ListInterfaces
 * names gone by the time their GetAll comes. ListInterfaces names a0,
 * deleted, vanished and z9 (and last denied, in mode "denied"); GetAll
 * on deleted answers InvalidHandle, on vanished UnknownObject (the two ways
 * an interface deleted meanwhile is reported), on denied AccessDenied. The
 * modes (argv[2]):
 *   too-large   GetManagedObjects fails with LimitsExceeded, as wand's
 *               does when its reply would pass BusMaxMessageSize=
 *   denied      the same, and denied is in the list
 *   refused     GetManagedObjects fails with AccessDenied
 * Each call is appended to the log file (argv[1]) as one line, its member
 * and, for GetAll, the object path. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define PREFIX "/org/wand/Router1/interface/"

static FILE *log_file;
static const char *mode;

static void log_call(sd_bus_message *m) {
        fprintf(log_file, "%s", sd_bus_message_get_member(m));
        if (strcmp(sd_bus_message_get_member(m), "GetAll") == 0)
                fprintf(log_file, " %s", sd_bus_message_get_path(m));
        fputc('\n', log_file);
        fflush(log_file);
}

static int list_interfaces(sd_bus_message *m) {
        sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "a(sos)", strcmp(mode, "denied") == 0 ? 5 : 4,
                                          "a0", PREFIX "a0", "disconnected",
                                          "deleted", PREFIX "deleted", "disconnected",
                                          "vanished", PREFIX "vanished", "unreachable",
                                          "z9", PREFIX "z9", "connected",
                                          "denied", PREFIX "denied", "disconnected");
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static int on_manager(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        if (!sd_bus_message_is_method_call(m, NULL, NULL))
                return 0;
        log_call(m);
        if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects")) {
                if (strcmp(mode, "refused") == 0)
                        return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_ACCESS_DENIED, "Not today.");
                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                                  "The reply would be 5000 bytes (4 WAN interfaces), more than the "
                                                  "4096 bytes the system bus passes in one message. Call "
                                                  "org.wand.Router1.Manager.ListInterfaces, then "
                                                  "org.freedesktop.DBus.Properties.GetAll on each object path.");
        }
        if (sd_bus_message_is_method_call(m, "org.wand.Router1.Manager", "ListInterfaces"))
                return list_interfaces(m);
        if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "GetAll"))
                return sd_bus_reply_method_return(m, "a{sv}", 2, "Version", "s", "0-fake", "DemandDialManager", "s",
                                                  "running");
        return 0;
}

static int on_interface(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *path = sd_bus_message_get_path(m), *name;
        bool z;

        if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "GetAll") ||
            strncmp(path, PREFIX, strlen(PREFIX)) != 0)
                return 0;
        name = path + strlen(PREFIX);
        z = strcmp(name, "z9") == 0;
        log_call(m);
        if (strcmp(name, "deleted") == 0)
                return sd_bus_reply_method_errorf(m, "org.wand.Router1.Error.InvalidHandle", "No such interface.");
        if (strcmp(name, "vanished") == 0)
                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_UNKNOWN_OBJECT, "Unknown object.");
        if (strcmp(name, "denied") == 0)
                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_ACCESS_DENIED, "Reading denied is denied.");
        if (strcmp(name, "a0") != 0 && !z)
                return 0;
        return sd_bus_reply_method_return(m, "a{sv}", 12,
                                          "Name", "s", name,
                                          "Device", "s", z ? "wan0" : "wan9",
                                          "IfIndex", "i", z ? 3 : 0,
                                          "State", "s", z ? "connected" : "disconnected",
                                          "Enabled", "b", 1,
                                          "Persistent", "b", 0,
                                          "UnreachabilityReasons", "as", 0,
                                          "LastError", "s", "org.wand.Router1.Error.ConnectionFailed",
                                          /* a word of a newer wand on a0 */
                                          "LastErrorReason", "s", z ? "dialer-exited" : "link-lost",
                                          "ConnectedSince", "t", (uint64_t) 0,
                                          "InstanceId", "t", (uint64_t) (z ? 9 : 1),
                                          "ManagedBy", "as", 0);
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        int r;

        if (argc != 3 || (strcmp(argv[2], "too-large") != 0 && strcmp(argv[2], "denied") != 0 &&
                          strcmp(argv[2], "refused") != 0)) {
                fprintf(stderr, "usage: fake-wand LOGFILE too-large|denied|refused (on the bus of "
                                "DBUS_SYSTEM_BUS_ADDRESS)\n");
                return 2;
        }
        mode = argv[2];
        log_file = fopen(argv[1], "ae");
        if (!log_file) {
                perror(argv[1]);
                return 1;
        }
        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_add_object(bus, NULL, "/org/wand/Router1", on_manager, NULL);
        if (r >= 0)
                r = sd_bus_add_fallback(bus, NULL, "/org/wand/Router1/interface", on_interface, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.wand.Router1", 0);
        if (r < 0) {
                fprintf(stderr, "fake-wand: %s\n", strerror(-r));
                return 1;
        }
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0)
                        break;
        }
        fprintf(stderr, "fake-wand: %s\n", strerror(-r));
        return 1;
}
