/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wandctl: the command-line client of wand. Parses the command line, picks
 * the command and connects to the bus; the commands are in cmd-*.c. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "build-config.h"
#include "bus.h"
#include "exit-status.h"
#include "format.h"
#include "macro.h"
#include "wandctl.h"

/* Long enough for a connection attempt with the default ConnectTimeoutSec=20
 * plus an administrator typing a password at polkit's prompt. */
#define DEFAULT_TIMEOUT_SEC 90

enum {
        TAKES_JSON = 1 << 0,
        TAKES_SETTINGS = 1 << 1,
};

typedef struct Command {
        const char *name;
        unsigned min_args, max_args; /* words after the command */
        unsigned flags;
        int (*run)(Context *c, char **args);
} Command;

static const Command commands[] = {
        { "list", 0, 0, TAKES_JSON, cmd_list },
        { "status", 0, UINT_MAX, TAKES_JSON, cmd_status },
        { "connect", 1, UINT_MAX, 0, cmd_connect },
        { "disconnect", 1, UINT_MAX, 0, cmd_disconnect },
        { "enable", 1, UINT_MAX, 0, cmd_enable },
        { "disable", 1, UINT_MAX, 0, cmd_disable },
        { "delete", 1, UINT_MAX, 0, cmd_delete },
        { "create", 1, 1, TAKES_SETTINGS, cmd_create },
        { "settings", 1, 1, TAKES_JSON, cmd_settings },
        { "set", 1, 1, TAKES_SETTINGS, cmd_set },
        { "manager", 1, 1, TAKES_JSON, cmd_manager },
        { "reload", 0, 0, 0, cmd_reload },
        { "monitor", 0, 0, TAKES_JSON, cmd_monitor },
};

static void help(void) {
        printf("Usage: wandctl [OPTIONS] COMMAND [ARGS...]\n\n"
               "Manages the WAN interfaces of a router running wand.\n\n"
               "Commands:\n"
               "  list                       List the interfaces (the default)\n"
               "  status [NAME...]           Show every property of the interfaces\n"
               "  connect NAME...            Connect the interfaces, each in turn\n"
               "  disconnect NAME...         Disconnect the interfaces, each in turn\n"
               "  enable NAME...             Enable the interfaces\n"
               "  disable NAME...            Disable the interfaces (disconnecting them)\n"
               "  delete NAME...             Delete the interfaces and their configuration\n"
               "  create NAME --device=DEV   Create an interface (options below)\n"
               "  settings NAME              Show the settings of an interface\n"
               "  set NAME SETTINGS...       Change settings of an interface (options below)\n"
               "  manager start|stop|status  Start, stop or show the demand-dial manager\n"
               "  reload                     Re-read the configuration\n"
               "  monitor                    Print every change as it happens, until Ctrl+C\n\n"
               "Options:\n"
               "  -h --help                  Show this help\n"
               "     --version               Show the version\n"
               "  -H --host=[USER@]HOST      Manage the router HOST over ssh\n"
               "     --json                  JSON output (list, status, settings, manager status,\n"
               "                             monitor)\n"
               "     --no-legend             No table header and no count (list)\n"
               "     --no-ask-password       Never let polkit ask for a password\n"
               "     --timeout=SEC           How long to wait for an answer (default: %d)\n\n"
               "Settings of create and set (create: the service's defaults apply to those not\n"
               "given; set: those not given stay as they are):\n"
               "     --device=DEV            The kernel network device (required by create)\n"
               "     --connect-command=LINE  The dialer's command line, quoted like a shell's\n"
               "                             (set: an empty LINE removes it)\n"
               "     --disconnect-command=LINE  The command that tears the connection down\n"
               "                             (set: an empty LINE removes it)\n"
               "     --persistent, --no-persistent  Whether to redial when the connection drops\n"
               "     --enabled, --disabled   Whether the interface may be connected\n"
               "     --claim-device, --no-claim-device  Whether to ask NetworkManager and\n"
               "                             systemd-networkd to leave the device to wand\n"
               "     --connect-timeout=SEC   Give up connecting after SEC seconds (default 20)\n"
               "     --disconnect-timeout=SEC  Kill the dialer after SEC seconds (default 10)\n"
               "     --redial-interval=SEC   First pause before a redial (default 5)\n"
               "     --redial-max-interval=SEC  Longest pause between redials (default 300)\n"
               "     --redial-attempts=N     Failed redials before giving up, 0: never (default 10)\n\n"
               "See wandctl(1) for the exit statuses.\n",
               DEFAULT_TIMEOUT_SEC);
}

/* --timeout: seconds, fractions allowed, at most a year. */
static int parse_timeout(const char *s, uint64_t *ret_usec) {
        char *end = NULL;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || !end || end == s || *end || !isfinite(v) || v <= 0 || v > 365.0 * 24 * 3600)
                return fail(EXIT_USAGE, "--timeout needs a number of seconds greater than 0, not '%s'.", s);
        *ret_usec = (uint64_t) (v * 1e6);
        return 0;
}

/* A setting of type u: a whole number; which ones the service accepts is
 * its to say. */
static int parse_number(const char *option, const char *s, int64_t *ret) {
        unsigned long long v;
        char *end = NULL;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || !end || end == s || *end || s[0] == '-' || s[0] == '+' || v > UINT32_MAX)
                return fail(EXIT_USAGE, "--%s needs a whole number, not '%s'.", option, s);
        *ret = (int64_t) v;
        return 0;
}

/* Returns 0 to go on, -1 when done (--help, --version) or an exit status. */
static int parse_argv(int argc, char *argv[], Context *c, bool *settings_given) {
        enum {
                ARG_VERSION = 0x100,
                ARG_JSON,
                ARG_NO_LEGEND,
                ARG_NO_ASK_PASSWORD,
                ARG_TIMEOUT,
                ARG_DEVICE,
                ARG_CONNECT_COMMAND,
                ARG_DISCONNECT_COMMAND,
                ARG_PERSISTENT,
                ARG_NO_PERSISTENT,
                ARG_ENABLED,
                ARG_DISABLED,
                ARG_CLAIM_DEVICE,
                ARG_NO_CLAIM_DEVICE,
                ARG_NUMBER, /* + NumberSetting */
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "host", required_argument, NULL, 'H' },
                { "json", no_argument, NULL, ARG_JSON },
                { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
                { "no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "device", required_argument, NULL, ARG_DEVICE },
                { "connect-command", required_argument, NULL, ARG_CONNECT_COMMAND },
                { "disconnect-command", required_argument, NULL, ARG_DISCONNECT_COMMAND },
                { "persistent", no_argument, NULL, ARG_PERSISTENT },
                { "no-persistent", no_argument, NULL, ARG_NO_PERSISTENT },
                { "enabled", no_argument, NULL, ARG_ENABLED },
                { "disabled", no_argument, NULL, ARG_DISABLED },
                { "claim-device", no_argument, NULL, ARG_CLAIM_DEVICE },
                { "no-claim-device", no_argument, NULL, ARG_NO_CLAIM_DEVICE },
                { "connect-timeout", required_argument, NULL, ARG_NUMBER + SETTING_CONNECT_TIMEOUT },
                { "disconnect-timeout", required_argument, NULL, ARG_NUMBER + SETTING_DISCONNECT_TIMEOUT },
                { "redial-interval", required_argument, NULL, ARG_NUMBER + SETTING_REDIAL_INTERVAL },
                { "redial-max-interval", required_argument, NULL, ARG_NUMBER + SETTING_REDIAL_MAX_INTERVAL },
                { "redial-attempts", required_argument, NULL, ARG_NUMBER + SETTING_REDIAL_ATTEMPTS },
                {}
        };
        bool ask_password = true;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "hH:", options, NULL)) >= 0) {
                switch (opt) {
                case 'h':
                        help();
                        return -1;
                case ARG_VERSION:
                        printf("wandctl %s\n", WAND_VERSION);
                        return -1;
                case 'H':
                        if (isempty(optarg))
                                return fail(EXIT_USAGE, "--host needs [USER@]HOST.");
                        c->host = optarg;
                        break;
                case ARG_JSON:
                        c->json = true;
                        break;
                case ARG_NO_LEGEND:
                        c->legend = false;
                        break;
                case ARG_NO_ASK_PASSWORD:
                        ask_password = false;
                        break;
                case ARG_TIMEOUT:
                        r = parse_timeout(optarg, &c->timeout_usec);
                        if (r != 0)
                                return r;
                        break;
                case ARG_DEVICE:
                        c->settings.device = optarg;
                        *settings_given = true;
                        break;
                case ARG_CONNECT_COMMAND:
                        c->settings.connect_command = optarg;
                        *settings_given = true;
                        break;
                case ARG_DISCONNECT_COMMAND:
                        c->settings.disconnect_command = optarg;
                        *settings_given = true;
                        break;
                case ARG_PERSISTENT:
                case ARG_NO_PERSISTENT:
                        c->settings.persistent = opt == ARG_PERSISTENT;
                        *settings_given = true;
                        break;
                case ARG_ENABLED:
                case ARG_DISABLED:
                        c->settings.enabled = opt == ARG_ENABLED;
                        *settings_given = true;
                        break;
                case ARG_CLAIM_DEVICE:
                case ARG_NO_CLAIM_DEVICE:
                        c->settings.claim_device = opt == ARG_CLAIM_DEVICE;
                        *settings_given = true;
                        break;
                default:
                        if (opt >= ARG_NUMBER && opt < ARG_NUMBER + _SETTING_NUMBER_MAX) {
                                NumberSetting k = (NumberSetting) (opt - ARG_NUMBER);
                                r = parse_number(number_settings[k].option, optarg, &c->settings.numbers[k]);
                                if (r != 0)
                                        return r;
                                *settings_given = true;
                                break;
                        }
                        return fail(EXIT_USAGE, "try 'wandctl --help'.");
                }
        }

        /* A password can be typed only where there is a terminal to type it. */
        c->interactive = ask_password && isatty(STDIN_FILENO);
        return 0;
}

static const Command *find_command(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(commands[i].name, name))
                        return &commands[i];
        return NULL;
}

static int check_command_line(const Command *cmd, unsigned n_args, char **args, const Context *c, bool settings_given) {
        if (n_args < cmd->min_args)
                return fail(EXIT_USAGE, "%s needs %s.", cmd->name,
                            streq(cmd->name, "manager") ? "start, stop or status" : "an interface name");
        if (n_args > cmd->max_args)
                return fail(EXIT_USAGE, "too many arguments for %s: '%s'.", cmd->name, args[cmd->max_args]);
        if (c->json && !(cmd->flags & TAKES_JSON))
                return fail(EXIT_USAGE, "--json is for list, status, settings, manager status and monitor, not %s.",
                            cmd->name);
        if (settings_given && !(cmd->flags & TAKES_SETTINGS))
                return fail(EXIT_USAGE, "--device and the other settings are options of create and set, not of %s.",
                            cmd->name);
        if (streq(cmd->name, "manager") && !streq(args[0], "start") && !streq(args[0], "stop") &&
            !streq(args[0], "status"))
                return fail(EXIT_USAGE, "manager takes start, stop or status, not '%s'.", args[0]);
        if (streq(cmd->name, "manager") && c->json && !streq(args[0], "status"))
                return fail(EXIT_USAGE, "--json is for manager status, not manager %s.", args[0]);
        return 0;
}

int main(int argc, char *argv[]) {
        _cleanup_(context_done) Context c = {
                .legend = true,
                .timeout_usec = DEFAULT_TIMEOUT_SEC * 1000000ULL,
                .settings = { .enabled = -1, .persistent = -1, .claim_device = -1, .numbers = { -1, -1, -1, -1, -1 } },
        };
        bool settings_given = false;
        const Command *cmd;
        char **args;
        int r;

        setlocale(LC_ALL, "");

        r = parse_argv(argc, argv, &c, &settings_given);
        if (r != 0)
                return r < 0 ? EXIT_OK : r;

        cmd = find_command(optind < argc ? argv[optind] : "list");
        if (!cmd)
                return fail(EXIT_USAGE, "unknown command '%s'; try 'wandctl --help'.", argv[optind]);
        args = optind < argc ? argv + optind + 1 : argv + argc;
        r = check_command_line(cmd, (unsigned) (argc - (args - argv)), args, &c, settings_given);
        if (r != 0)
                return r;

        c.color = !c.json && colors_wanted();
        r = bus_connect(&c);
        if (r != 0)
                return r;
        return cmd->run(&c, args);
}
