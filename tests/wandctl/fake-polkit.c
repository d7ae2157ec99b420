/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in for polkitd on the test bus, for wandctl's authorization tests.
 * It authorizes the actions named after the log file (argv[2], ...), as a
 * rule granting them would, and no other: without
 * ALLOW_INTERACTIVE_AUTHORIZATION it asks for a
 * challenge (wand then answers InteractiveAuthorizationRequired), with it it
 * says no (as if the password dialog was dismissed: AccessDenied). It
 * accepts authentication agents. With FAKE_POLKIT_HOLD=1 in its
 * environment it answers no check until told to (the method Release of
 * org.wand.Test.FakePolkit on its object), as polkit is while an
 * administrator types slowly. Each call is appended to the log file
 * (argv[1]) as one line, so that the tests can tell what wandctl and
 * pkttyagent asked:
 *   check ACTION flags=N interface=NAME
 *   register-agent METHOD
 *   unregister-agent
 *   cancel */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

static FILE *log_file;
static char **granted; /* NULL-terminated */
static bool hold;
static sd_bus_message *held[64];
static size_t n_held;

static bool is_granted(const char *action) {
        for (char **a = granted; *a; a++)
                if (strcmp(*a, action) == 0)
                        return true;
        return false;
}

static int answer(sd_bus_message *m, const char *action, uint32_t flags) {
        /* (is_authorized, is_challenge, details) */
        if (is_granted(action))
                return sd_bus_reply_method_return(m, "(bba{ss})", 1, 0, 0);
        return sd_bus_reply_method_return(m, "(bba{ss})", 0, (flags & 1) ? 0 : 1, 0);
}

static int check_authorization(sd_bus_message *m) {
        const char *action, *key, *value, *iface = "";
        uint32_t flags;
        int r;

        r = sd_bus_message_skip(m, "(sa{sv})");
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &action);
        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'a', "{ss}");
        while (r >= 0 && (r = sd_bus_message_read(m, "{ss}", &key, &value)) > 0)
                if (strcmp(key, "interface") == 0)
                        iface = value;
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS, "malformed CheckAuthorization");

        fprintf(log_file, "check %s flags=%u interface=%s\n", action, flags, iface);
        fflush(log_file);
        if (hold && n_held < sizeof(held) / sizeof(held[0])) {
                held[n_held++] = sd_bus_message_ref(m);
                return 1;
        }
        return answer(m, action, flags);
}

/* Answers the held checks, read again from the top. */
static int release(sd_bus_message *m) {
        for (size_t i = 0; i < n_held; i++) {
                const char *action;
                uint32_t flags;
                int r;

                r = sd_bus_message_rewind(held[i], true);
                if (r >= 0)
                        r = sd_bus_message_skip(held[i], "(sa{sv})");
                if (r >= 0)
                        r = sd_bus_message_read(held[i], "s", &action);
                if (r >= 0)
                        r = sd_bus_message_skip(held[i], "a{ss}");
                if (r >= 0)
                        r = sd_bus_message_read(held[i], "u", &flags);
                if (r >= 0)
                        (void) answer(held[i], action, flags);
                sd_bus_message_unref(held[i]);
        }
        fprintf(log_file, "released %zu\n", n_held);
        fflush(log_file);
        n_held = 0;
        return sd_bus_reply_method_return(m, NULL);
}

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *member = sd_bus_message_get_member(m);

        if (sd_bus_message_is_method_call(m, "org.wand.Test.FakePolkit", "Release"))
                return release(m);
        if (!sd_bus_message_is_method_call(m, "org.freedesktop.PolicyKit1.Authority", NULL))
                return 0;
        if (strcmp(member, "CheckAuthorization") == 0)
                return check_authorization(m);
        if (strncmp(member, "RegisterAuthenticationAgent", strlen("RegisterAuthenticationAgent")) == 0) {
                fprintf(log_file, "register-agent %s\n", member);
                fflush(log_file);
                return sd_bus_reply_method_return(m, NULL);
        }
        if (strcmp(member, "UnregisterAuthenticationAgent") == 0) {
                fprintf(log_file, "unregister-agent\n");
                fflush(log_file);
                return sd_bus_reply_method_return(m, NULL);
        }
        if (strcmp(member, "CancelCheckAuthorization") == 0) {
                fprintf(log_file, "cancel\n");
                fflush(log_file);
                return sd_bus_reply_method_return(m, NULL);
        }
        return 0;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        int r;

        if (argc < 2) {
                fprintf(stderr, "usage: fake-polkit LOGFILE [GRANTED-ACTION...] (on the bus of DBUS_SYSTEM_BUS_ADDRESS)\n");
                return 2;
        }
        granted = argv + 2;
        hold = getenv("FAKE_POLKIT_HOLD") && strcmp(getenv("FAKE_POLKIT_HOLD"), "1") == 0;
        log_file = fopen(argv[1], "ae");
        if (!log_file) {
                perror(argv[1]);
                return 1;
        }
        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_add_object(bus, NULL, "/org/freedesktop/PolicyKit1/Authority", on_call, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.freedesktop.PolicyKit1", 0);
        if (r < 0) {
                fprintf(stderr, "fake-polkit: %s\n", strerror(-r));
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
        fprintf(stderr, "fake-polkit: %s\n", strerror(-r));
        return 1;
}
