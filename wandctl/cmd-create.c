/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `wandctl create NAME --device DEV …`: every setting of the contract has an
 * option; the ones not given are left to the service's defaults. */
#include <errno.h>
#include <stdio.h>

#include "bus.h"
#include "macro.h"
#include "names.h"
#include "strv.h"
#include "shell-words.h"

const NumberSettingInfo number_settings[_SETTING_NUMBER_MAX] = {
        [SETTING_CONNECT_TIMEOUT] = { "connect-timeout", "ConnectTimeoutSec" },
        [SETTING_DISCONNECT_TIMEOUT] = { "disconnect-timeout", "DisconnectTimeoutSec" },
        [SETTING_REDIAL_INTERVAL] = { "redial-interval", "RedialIntervalSec" },
        [SETTING_REDIAL_MAX_INTERVAL] = { "redial-max-interval", "RedialMaxIntervalSec" },
        [SETTING_REDIAL_ATTEMPTS] = { "redial-attempts", "RedialAttempts" },
};

/* --connect-command takes one line, split as ConnectCommand= in the
 * configuration files is, so that both spell a command the same way. */
static int append_command(sd_bus_message *m, const char *key, const char *line) {
        const char *problem = NULL;
        char **argv = NULL;
        int r;

        r = shell_split(line, &argv, &problem);
        if (r == -EINVAL)
                return fail(EXIT_USAGE, "--%s: %s in '%s'.", streq(key, "ConnectCommand") ? "connect-command" : "disconnect-command",
                            problem, line);
        if (r < 0)
                return fail(EXIT_GENERIC, "out of memory");
        r = sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "as");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, argv);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        strv_free(argv);
        return r < 0 ? fail(EXIT_GENERIC, "cannot build the request: %s", strerror(-r)) : 0;
}

static int append_settings(sd_bus_message *m, const CreateOptions *o) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}", "Device", "s", o->device);
        if (r >= 0 && o->enabled >= 0)
                r = sd_bus_message_append(m, "{sv}", "Enabled", "b", o->enabled);
        if (r >= 0 && o->persistent >= 0)
                r = sd_bus_message_append(m, "{sv}", "Persistent", "b", o->persistent);
        for (size_t i = 0; r >= 0 && i < _SETTING_NUMBER_MAX; i++)
                if (o->numbers[i] >= 0)
                        r = sd_bus_message_append(m, "{sv}", number_settings[i].key, "u", (uint32_t) o->numbers[i]);
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot build the request: %s", strerror(-r));
        if (o->connect_command && (r = append_command(m, "ConnectCommand", o->connect_command)) != 0)
                return r;
        if (o->disconnect_command && (r = append_command(m, "DisconnectCommand", o->disconnect_command)) != 0)
                return r;
        r = sd_bus_message_close_container(m);
        return r < 0 ? fail(EXIT_GENERIC, "cannot build the request: %s", strerror(-r)) : 0;
}

int cmd_create(Context *c, char **args) {
        static const Operation op = { "create", "org.wand.Router1.configure" };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *name = args[0];
        int r;

        r = check_interface_name(name);
        if (r != 0)
                return r;
        if (!c->create.device)
                return fail(EXIT_USAGE, "create needs --device=DEV: the kernel device %s runs over.", name);

        r = sd_bus_message_new_method_call(c->bus, &m, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE,
                                           "CreateInterface");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot build the request: %s", strerror(-r));
        r = append_settings(m, &c->create);
        if (r != 0)
                return r;
        return bus_call(c, &op, name, m, NULL);
}
