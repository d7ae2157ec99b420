/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Connecting to the bus and calling wand, with errors told once, here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "macro.h"
#include "names.h"
#include "polkit-agent.h"

int bus_connect(Context *c) {
        int r;

        if (c->host)
                /* "ssh -xT -- HOST systemd-stdio-bridge", as busctl -H does. */
                r = sd_bus_open_system_remote(&c->bus, c->host);
        else
                r = sd_bus_open_system(&c->bus);
        if (r < 0) {
                if (c->host)
                        return fail(EXIT_NOT_RUNNING, "cannot reach the system bus of %s over ssh: %s", c->host,
                                    strerror(-r));
                return fail(EXIT_NOT_RUNNING, "cannot connect to the system bus: %s (is dbus running?)", strerror(-r));
        }

        /* Whether polkit may ask for a password: only when someone is there
         * to type it, and not when told not to. */
        r = sd_bus_set_allow_interactive_authorization(c->bus, c->interactive);
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(c->bus, c->timeout_given ? c->timeout_usec : BUS_READ_TIMEOUT_USEC);
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot set up the bus connection: %s", strerror(-r));
        return 0;
}

void context_done(Context *c) {
        polkit_agent_close(c->agent_pid);
        c->agent_pid = 0;
        c->bus = sd_bus_flush_close_unref(c->bus);
}

void bus_prepare_authorization(Context *c) {
        pid_t pid;

        /* Like systemctl: root needs no agent (wand asks polkit nothing for
         * uid 0); an agent here cannot answer for a remote router's polkit;
         * and there must be a terminal to type into. */
        if (!c->interactive || c->host || c->agent_pid > 0 || geteuid() == 0 || !isatty(STDIN_FILENO))
                return;
        pid = polkit_agent_open();
        if (pid < 0)
                fprintf(stderr, "wandctl: could not start %s (%s); going on without it.\n", PKTTYAGENT, strerror((int) -pid));
        else
                c->agent_pid = pid;
}

int check_interface_name(const char *name) {
        if (interface_name_is_valid(name))
                return 0;
        return fail(EXIT_USAGE,
                    "'%s' is not a valid interface name (1-%d characters of A-Z a-z 0-9 _ . -, not starting with . or -).",
                    name, WAND_NAME_MAX);
}

int bus_resolve(Context *c, const Operation *op, const char *name, char **ret_path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        char *p;
        int r;

        r = check_interface_name(name);
        if (r != 0)
                return r;
        r = sd_bus_call_method(c->bus, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, "GetInterfaceByName",
                               &error, &reply, "s", name);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return error_report(c, op, name, &error, r);
        p = strdup(path);
        if (!p)
                return fail(EXIT_GENERIC, "out of memory");
        *ret_path = p;
        return 0;
}

uint64_t bus_call_timeout(const Context *c, const Operation *op) {
        /* What polkit guards changes something, and wand answers when it is
         * done: after the connection attempt (ConnectTimeoutSec=), the
         * teardown (DisconnectTimeoutSec=), Stop or Reload, and polkit's
         * password prompt, which wand bounds too. A limit of ours would only
         * be a guess that gives up while wand goes on. */
        if (op->polkit_action && !c->timeout_given)
                return UINT64_MAX; /* sd-bus: no timeout */
        return 0; /* the connection's: --timeout, or the default for reads */
}

int bus_call(Context *c, const Operation *op, const char *iface, sd_bus_message *m, sd_bus_message **reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (op->polkit_action)
                bus_prepare_authorization(c);
        r = sd_bus_call(c->bus, m, bus_call_timeout(c, op), &error, reply);
        if (r < 0)
                return error_report(c, op, iface, &error, r);
        return 0;
}

static int call_v(Context *c, const Operation *op, const char *iface, const char *path, const char *interface,
                  const char *member, sd_bus_message **reply, const char *types, va_list ap) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, WAND_BUS_NAME, path, interface, member);
        if (r >= 0 && types)
                r = sd_bus_message_appendv(m, types, ap);
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot build the request: %s", strerror(-r));
        return bus_call(c, op, iface, m, reply);
}

int bus_call_interface(Context *c, const Operation *op, const char *name, const char *member, const char *types, ...) {
        _cleanup_free_ char *path = NULL;
        va_list ap;
        int r;

        r = bus_resolve(c, op, name, &path);
        if (r != 0)
                return r;
        va_start(ap, types);
        r = call_v(c, op, name, path, WAND_INTERFACE_INTERFACE, member, NULL, types, ap);
        va_end(ap);
        return r;
}

int bus_call_manager(Context *c, const Operation *op, const char *iface, sd_bus_message **reply, const char *member,
                     const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = call_v(c, op, iface, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE, member, reply, types, ap);
        va_end(ap);
        return r;
}
