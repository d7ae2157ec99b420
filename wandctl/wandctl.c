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

/* wait's default, as systemd-networkd-wait-online's. */
#define DEFAULT_WAIT_TIMEOUT_SEC 120

enum {
        TAKES_JSON = 1 << 0,
        TAKES_SETTINGS = 1 << 1,
        TAKES_WAIT = 1 << 2,     /* --state, --any */
        TAKES_INITIAL = 1 << 3,  /* --initial */
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
        { "monitor", 0, 0, TAKES_JSON | TAKES_INITIAL, cmd_monitor },
        { "wait", 1, UINT_MAX, TAKES_JSON | TAKES_WAIT, cmd_wait },
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
               "  monitor [--initial]        Print every change as it happens, until Ctrl+C\n"
               "                             (--initial: every interface as it is, first)\n"
               "  wait NAME...               Wait until the interfaces are connected (or\n"
               "                             --state=STATE; --any: one of them)\n\n"
               "Options:\n"
               "  -h --help                  Show this help\n"
               "     --version               Show the version\n"
               "  -H --host=[USER@]HOST      Manage the router HOST over ssh\n"
               "     --json[=pretty|short|off]  JSON output (list, status, settings, manager\n"
               "                             status, monitor, wait); --json alone: short\n"
               "     --no-legend             No table header and no count (list)\n"
               "     --no-pager              Accepted; wandctl never pages\n"
               "     --no-ask-password       Never let polkit ask for a password\n"
               "     --timeout=SEC           Give up after SEC seconds (default: no limit on what\n"
               "                             changes something, 25 for reading, %d for wait)\n"
               "     --state=STATE           wait: for this State (default: connected)\n"
               "     --any                   wait: for one of the interfaces, not all\n\n"
               "Settings of create and set (create: the service's defaults apply to those not\n"
               "given; set: those not given stay as they are):\n"
               "     --device=DEV            The kernel network device (required by create)\n"
               "     --connect-command=LINE  The dialer's command line, quoted like a shell's\n"
               "                             (set: an empty LINE removes it)\n"
               "     --connect-command-file=FILE  The same, read from FILE (-: standard input),\n"
               "                             so that a secret is not on the command line\n"
               "     --disconnect-command=LINE  The command that tears the connection down\n"
               "                             (set: an empty LINE removes it)\n"
               "     --disconnect-command-file=FILE  The same, read from FILE (-: standard input)\n"
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
               DEFAULT_WAIT_TIMEOUT_SEC);
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
static bool state_is_valid(const char *s) {
        static const char *const states[] = { "connected", "connecting", "disconnecting", "disconnected", "unreachable" };

        for (size_t i = 0; i < ELEMENTSOF(states); i++)
                if (streq(states[i], s))
                        return true;
        return false;
}

static int parse_argv(int argc, char *argv[], Context *c, bool *settings_given, bool *wait_given) {
        enum {
                ARG_VERSION = 0x100,
                ARG_JSON,
                ARG_NO_LEGEND,
                ARG_NO_PAGER,
                ARG_STATE,
                ARG_ANY,
                ARG_INITIAL,
                ARG_CONNECT_COMMAND_FILE,
                ARG_DISCONNECT_COMMAND_FILE,
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
                { "json", optional_argument, NULL, ARG_JSON },
                { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "state", required_argument, NULL, ARG_STATE },
                { "any", no_argument, NULL, ARG_ANY },
                { "initial", no_argument, NULL, ARG_INITIAL },
                { "connect-command-file", required_argument, NULL, ARG_CONNECT_COMMAND_FILE },
                { "disconnect-command-file", required_argument, NULL, ARG_DISCONNECT_COMMAND_FILE },
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
                        /* As systemctl's and networkctl's; alone, short. */
                        if (!optarg || streq(optarg, "short"))
                                c->json = true, c->json_pretty = false;
                        else if (streq(optarg, "pretty"))
                                c->json = c->json_pretty = true;
                        else if (streq(optarg, "off"))
                                c->json = c->json_pretty = false;
                        else
                                return fail(EXIT_USAGE, "--json takes pretty, short or off, not '%s'.", optarg);
                        break;
                case ARG_NO_LEGEND:
                        c->legend = false;
                        break;
                case ARG_NO_PAGER:
                        /* Scripts pass it to every systemd tool; wandctl never pages. */
                        break;
                case ARG_STATE:
                        if (!state_is_valid(optarg))
                                return fail(EXIT_USAGE,
                                            "--state takes connected, connecting, disconnecting, disconnected or "
                                            "unreachable, not '%s'.", optarg);
                        c->wait_state = optarg;
                        *wait_given = true;
                        break;
                case ARG_ANY:
                        c->wait_any = true;
                        *wait_given = true;
                        break;
                case ARG_INITIAL:
                        c->initial = true;
                        break;
                case ARG_CONNECT_COMMAND_FILE:
                        c->settings.connect_command_file = optarg;
                        *settings_given = true;
                        break;
                case ARG_DISCONNECT_COMMAND_FILE:
                        c->settings.disconnect_command_file = optarg;
                        *settings_given = true;
                        break;
                case ARG_NO_ASK_PASSWORD:
                        ask_password = false;
                        break;
                case ARG_TIMEOUT:
                        r = parse_timeout(optarg, &c->timeout_usec);
                        if (r != 0)
                                return r;
                        c->timeout_given = true;
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

static int check_command_line(const Command *cmd, unsigned n_args, char **args, const Context *c, bool settings_given,
                              bool wait_given) {
        const SettingsOptions *o = &c->settings;

        if (n_args < cmd->min_args)
                return fail(EXIT_USAGE, "%s needs %s.", cmd->name,
                            streq(cmd->name, "manager") ? "start, stop or status" : "an interface name");
        if (n_args > cmd->max_args)
                return fail(EXIT_USAGE, "too many arguments for %s: '%s'.", cmd->name, args[cmd->max_args]);
        if (c->json && !(cmd->flags & TAKES_JSON))
                return fail(EXIT_USAGE, "--json is for list, status, settings, manager status, monitor and wait, not %s.",
                            cmd->name);
        if (wait_given && !(cmd->flags & TAKES_WAIT))
                return fail(EXIT_USAGE, "--state and --any are options of wait, not of %s.", cmd->name);
        if (c->initial && !(cmd->flags & TAKES_INITIAL))
                return fail(EXIT_USAGE, "--initial is an option of monitor, not of %s.", cmd->name);
        if (o->connect_command && o->connect_command_file)
                return fail(EXIT_USAGE, "--connect-command and --connect-command-file cannot be given together.");
        if (o->disconnect_command && o->disconnect_command_file)
                return fail(EXIT_USAGE, "--disconnect-command and --disconnect-command-file cannot be given together.");
        if (o->connect_command_file && o->disconnect_command_file && streq(o->connect_command_file, "-") &&
            streq(o->disconnect_command_file, "-"))
                return fail(EXIT_USAGE, "only one of --connect-command-file and --disconnect-command-file can read "
                            "standard input (-).");
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
                .wait_state = "connected",
                .settings = { .enabled = -1, .persistent = -1, .claim_device = -1, .numbers = { -1, -1, -1, -1, -1 } },
        };
        bool settings_given = false, wait_given = false;
        const Command *cmd;
        char **args;
        int r;

        setlocale(LC_ALL, "");

        r = parse_argv(argc, argv, &c, &settings_given, &wait_given);
        if (r != 0)
                return r < 0 ? EXIT_OK : r;

        cmd = find_command(optind < argc ? argv[optind] : "list");
        if (!cmd)
                return fail(EXIT_USAGE, "unknown command '%s'; try 'wandctl --help'.", argv[optind]);
        args = optind < argc ? argv + optind + 1 : argv + argc;
        r = check_command_line(cmd, (unsigned) (argc - (args - argv)), args, &c, settings_given, wait_given);
        if (r != 0)
                return r;
        /* wait's --timeout is the whole wait's; its reads keep their own. */
        if (cmd->run == cmd_wait) {
                c.wait_usec = c.timeout_given ? c.timeout_usec : DEFAULT_WAIT_TIMEOUT_SEC * 1000000ULL;
                c.timeout_given = false;
        }

        c.color = !c.json && colors_wanted();
        r = bus_connect(&c);
        if (r != 0)
                return r;
        return cmd->run(&c, args);
}
