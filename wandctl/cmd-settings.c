/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An interface's settings: `wandctl create NAME --device DEV …`, `wandctl
 * settings NAME` (GetSettings) and `wandctl set NAME …` (UpdateSettings).
 * Every setting of the contract has an option, the same for create and set;
 * the ones not given are left to the service's defaults (create) or stay as
 * they are (set). */
#include <errno.h>
#include <stdio.h>

#include "bus.h"
#include "macro.h"
#include "names.h"
#include "objects.h"
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
 * configuration files is, so that both spell a command the same way. An
 * empty line is an empty argv: UpdateSettings removes the command then. */
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

static int append_settings(sd_bus_message *m, const SettingsOptions *o) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && o->device)
                r = sd_bus_message_append(m, "{sv}", "Device", "s", o->device);
        if (r >= 0 && o->enabled >= 0)
                r = sd_bus_message_append(m, "{sv}", "Enabled", "b", o->enabled);
        if (r >= 0 && o->persistent >= 0)
                r = sd_bus_message_append(m, "{sv}", "Persistent", "b", o->persistent);
        if (r >= 0 && o->claim_device >= 0)
                r = sd_bus_message_append(m, "{sv}", "ClaimDevice", "b", o->claim_device);
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

/* wand asks configure-privileged instead of configure when a command is
 * given (even an empty one): the error should name what was asked. */
static const char *settings_action(const SettingsOptions *o) {
        return o->connect_command || o->disconnect_command ? WAND_ACTION_CONFIGURE_PRIVILEGED : WAND_ACTION_CONFIGURE;
}

int cmd_create(Context *c, char **args) {
        const Operation op = { "create", settings_action(&c->settings) };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *name = args[0];
        int r;

        r = check_interface_name(name);
        if (r != 0)
                return r;
        if (!c->settings.device)
                return fail(EXIT_USAGE, "create needs --device=DEV: the kernel device %s runs over.", name);

        r = sd_bus_message_new_method_call(c->bus, &m, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_INTERFACE,
                                           "CreateInterface");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot build the request: %s", strerror(-r));
        r = append_settings(m, &c->settings);
        if (r != 0)
                return r;
        return bus_call(c, &op, name, m, NULL);
}

static bool settings_options_empty(const SettingsOptions *o) {
        if (o->device || o->connect_command || o->disconnect_command || o->enabled >= 0 || o->persistent >= 0 ||
            o->claim_device >= 0)
                return false;
        for (size_t i = 0; i < _SETTING_NUMBER_MAX; i++)
                if (o->numbers[i] >= 0)
                        return false;
        return true;
}

/* Only the keys given are sent: a command set needs not resend the commands
 * it may not even see, and UpdateSettings keeps the others. */
int cmd_set(Context *c, char **args) {
        const Operation op = { "change the settings of", settings_action(&c->settings) };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *path = NULL;
        const char *name = args[0];
        int r;

        /* Nothing to change is more likely a forgotten option than a wish to
         * ask polkit for nothing. */
        if (settings_options_empty(&c->settings))
                return fail(EXIT_USAGE, "set needs at least one setting to change (see 'wandctl --help').");

        r = bus_resolve(c, &op, name, &path);
        if (r != 0)
                return r;
        r = sd_bus_message_new_method_call(c->bus, &m, WAND_BUS_NAME, path, WAND_INTERFACE_INTERFACE, "UpdateSettings");
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot build the request: %s", strerror(-r));
        r = append_settings(m, &c->settings);
        if (r != 0)
                return r;
        return bus_call(c, &op, name, m, NULL);
}

/* The settings in the words of an [Interface] section of wand.conf(5), so
 * that what is shown can be pasted into a file or into `wandctl set`. Hidden
 * commands are a comment there, not an empty value, which would say "none". */
static int print_settings(const PropList *p) {
        if (props_bool(p, "CommandsHidden"))
                printf("# ConnectCommand= and DisconnectCommand= are hidden: reading them needs the\n"
                       "# %s polkit action (root-equivalent).\n",
                       WAND_ACTION_CONFIGURE_PRIVILEGED);
        for (size_t i = 0; i < p->n; i++) {
                const Prop *v = &p->items[i];
                _cleanup_free_ char *text = NULL;

                if (streq(v->name, "CommandsHidden"))
                        continue;

                switch (v->type) {
                case VALUE_STRV:
                        text = shell_join(v->strv);
                        break;
                case VALUE_BOOL:
                        text = strdup(v->b ? "yes" : "no");
                        break;
                case VALUE_STRING:
                        text = strdup(v->str);
                        break;
                default:
                        text = prop_to_text(v);
                }
                if (!text)
                        return fail(EXIT_GENERIC, "out of memory");
                printf("%s=%s\n", v->name, text);
        }
        return EXIT_OK;
}

int cmd_settings(Context *c, char **args) {
        static const Operation op = { "read the settings of", WAND_ACTION_CONFIGURE };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(props_done) PropList p = {};
        _cleanup_free_ char *path = NULL;
        const char *name = args[0];
        int r;

        r = bus_resolve(c, &op, name, &path);
        if (r != 0)
                return r;
        /* A command line may hold a secret: wand asks polkit before it
         * shows one. */
        bus_prepare_authorization(c);
        r = sd_bus_call_method(c->bus, WAND_BUS_NAME, path, WAND_INTERFACE_INTERFACE, "GetSettings", &error, &reply, NULL);
        if (r < 0)
                return error_report(c, &op, name, &error, r);
        r = props_read(reply, &p);
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot read wand's answer: %s", strerror(-r));

        if (c->json) {
                Json j;
                json_init(&j, stdout);
                props_json(&p, &j);
                fputc('\n', stdout);
                return EXIT_OK;
        }
        return print_settings(&p);
}
