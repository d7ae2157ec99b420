/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An interface's settings: `wandctl create NAME --device DEV …`, `wandctl
 * settings NAME` (GetSettings) and `wandctl set NAME …` (UpdateSettings).
 * Every setting of the contract has an option, the same for create and set;
 * the ones not given are left to the service's defaults (create) or stay as
 * they are (set). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The longest command line wand takes (SETTINGS_COMMAND_LINE_MAX). */
#define COMMAND_LINE_MAX 16384

static bool utf8_is_valid(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s, *end = p + n;

        while (p < end) {
                unsigned len, min;
                uint32_t cp;

                if (*p < 0x80) {
                        p++;
                        continue;
                }
                if ((*p & 0xe0) == 0xc0)
                        len = 2, min = 0x80, cp = *p & 0x1f;
                else if ((*p & 0xf0) == 0xe0)
                        len = 3, min = 0x800, cp = *p & 0x0f;
                else if ((*p & 0xf8) == 0xf0)
                        len = 4, min = 0x10000, cp = *p & 0x07;
                else
                        return false;
                if ((size_t) (end - p) < len)
                        return false;
                for (unsigned k = 1; k < len; k++) {
                        if ((p[k] & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (p[k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                p += len;
        }
        return true;
}

/* --connect-command-file=FILE: the line in FILE (or on stdin, "-"), so that
 * a command holding a secret is in neither /proc/PID/cmdline nor the
 * shell's history. The file is one line, as ConnectCommand= is in
 * wand.conf(5): one final line break and the blanks around it are not
 * part of it. A file other users can write is refused (they would choose
 * what wand runs as root); one they can read is said, and used. */
static int read_command_file(const char *option, const char *path, char **ret) {
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t n = 0;
        char *line;
        int fd;

        fd = streq(path, "-") ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return fail(EXIT_USAGE, "--%s: cannot open %s: %s.", option, path, strerror(errno));
        if (fstat(fd, &st) < 0) {
                int e = errno;
                if (fd != STDIN_FILENO)
                        close(fd);
                return fail(EXIT_GENERIC, "--%s: cannot check %s: %s.", option, path, strerror(e));
        }
        if (S_ISREG(st.st_mode) && fd != STDIN_FILENO) {
                const char *problem = NULL;

                if (st.st_mode & (S_IWGRP | S_IWOTH))
                        problem = "other users can write it, and so choose the command wand runs as root "
                                  "(chmod go-w it)";
                else if (st.st_uid != 0 && st.st_uid != geteuid())
                        problem = "it belongs to another user, who can change the command wand runs as root";
                if (problem) {
                        close(fd);
                        return fail(EXIT_USAGE, "--%s: refusing %s: %s.", option, path, problem);
                }
                if (st.st_mode & (S_IRGRP | S_IROTH))
                        fprintf(stderr,
                                "wandctl: warning: other users can read %s (mode %04o): a secret in it is not one; "
                                "chmod go-r it.\n",
                                path, (unsigned) (st.st_mode & 07777));
        }

        /* One byte more than the longest line, and the line break. */
        text = malloc(COMMAND_LINE_MAX + 3);
        if (!text) {
                if (fd != STDIN_FILENO)
                        close(fd);
                return fail(EXIT_GENERIC, "out of memory");
        }
        for (;;) {
                ssize_t k = read(fd, text + n, COMMAND_LINE_MAX + 2 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int e = errno;
                        if (fd != STDIN_FILENO)
                                close(fd);
                        return fail(EXIT_GENERIC, "--%s: cannot read %s: %s.", option, path, strerror(e));
                }
                n += (size_t) k;
                if (k == 0 || n == COMMAND_LINE_MAX + 2)
                        break;
        }
        if (fd != STDIN_FILENO)
                close(fd);
        text[n] = 0;

        if (n == COMMAND_LINE_MAX + 2)
                return fail(EXIT_USAGE, "--%s: %s is longer than the %d bytes a command line may have.", option, path,
                            COMMAND_LINE_MAX);
        if (strlen(text) != n)
                return fail(EXIT_USAGE, "--%s: %s contains a NUL byte; it should hold one command line.", option, path);
        if (!utf8_is_valid(text, n))
                return fail(EXIT_USAGE, "--%s: %s is not valid UTF-8 (wand's settings are D-Bus strings).", option, path);

        /* The blanks config.c strips from a line, and one line break. */
        line = text;
        while (*line && strchr(" \t\r\f\v", *line))
                line++;
        n = strlen(line);
        if (n > 0 && line[n - 1] == '\n')
                line[--n] = 0;
        while (n > 0 && strchr(" \t\r\f\v", line[n - 1]))
                line[--n] = 0;
        if (strchr(line, '\n'))
                return fail(EXIT_USAGE, "--%s: %s holds more than one line; a command is one line, as %s= in "
                            "wand.conf(5).", option, path, streq(option, "connect-command-file") ? "ConnectCommand" : "DisconnectCommand");
        if (!*line)
                return fail(EXIT_USAGE, "--%s: %s is empty; to remove the command, give --%.*s= instead.", option, path,
                            (int) (strlen(option) - strlen("-file")), option);

        line = strdup(line);
        if (!line)
                return fail(EXIT_GENERIC, "out of memory");
        *ret = line;
        return 0;
}

/* --connect-command takes one line, split as ConnectCommand= in the
 * configuration files is, so that both spell a command the same way. An
 * empty line is an empty argv: UpdateSettings removes the command then.
 * from_file: the line came from --*-command-file, and is not repeated in a
 * message (it may hold a secret). */
static int append_command(sd_bus_message *m, const char *key, const char *line, const char *file) {
        const char *problem = NULL;
        char **argv = NULL;
        int r;

        r = shell_split(line, &argv, &problem);
        if (r == -EINVAL && file)
                return fail(EXIT_USAGE, "--%s-file: %s in %s.",
                            streq(key, "ConnectCommand") ? "connect-command" : "disconnect-command", problem, file);
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
        if (o->connect_command &&
            (r = append_command(m, "ConnectCommand", o->connect_command, o->connect_command_file)) != 0)
                return r;
        if (o->disconnect_command &&
            (r = append_command(m, "DisconnectCommand", o->disconnect_command, o->disconnect_command_file)) != 0)
                return r;
        r = sd_bus_message_close_container(m);
        return r < 0 ? fail(EXIT_GENERIC, "cannot build the request: %s", strerror(-r)) : 0;
}

/* The lines of --connect-command-file and --disconnect-command-file, put
 * where --connect-command's would be; *lines hold them. */
static int load_command_files(SettingsOptions *o, char *lines[static 2]) {
        int r;

        if (o->connect_command_file) {
                r = read_command_file("connect-command-file", o->connect_command_file, &lines[0]);
                if (r != 0)
                        return r;
                o->connect_command = lines[0];
        }
        if (o->disconnect_command_file) {
                r = read_command_file("disconnect-command-file", o->disconnect_command_file, &lines[1]);
                if (r != 0)
                        return r;
                o->disconnect_command = lines[1];
        }
        return 0;
}

static void lines_free(char *(*lines)[2]) {
        free((*lines)[0]);
        free((*lines)[1]);
}

/* wand asks configure-privileged instead of configure when a command is
 * given (even an empty one): the error should name what was asked. */
static const char *settings_action(const SettingsOptions *o) {
        return o->connect_command || o->disconnect_command ? WAND_ACTION_CONFIGURE_PRIVILEGED : WAND_ACTION_CONFIGURE;
}

int cmd_create(Context *c, char **args) {
        _cleanup_(lines_free) char *lines[2] = {};
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *name = args[0];
        int r;

        r = check_interface_name(name);
        if (r != 0)
                return r;
        if (!c->settings.device)
                return fail(EXIT_USAGE, "create needs --device=DEV: the kernel device %s runs over.", name);
        r = load_command_files(&c->settings, lines);
        if (r != 0)
                return r;
        const Operation op = { "create", settings_action(&c->settings) };

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
        _cleanup_(lines_free) char *lines[2] = {};
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *path = NULL;
        const char *name = args[0];
        int r;

        r = load_command_files(&c->settings, lines);
        if (r != 0)
                return r;
        /* Nothing to change is more likely a forgotten option than a wish to
         * ask polkit for nothing. */
        if (settings_options_empty(&c->settings))
                return fail(EXIT_USAGE, "set needs at least one setting to change (see 'wandctl --help').");
        const Operation op = { "change the settings of", settings_action(&c->settings) };

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
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(props_done) PropList p = {};
        _cleanup_free_ char *path = NULL;
        const char *name = args[0];
        int r;

        r = bus_resolve(c, &op, name, &path);
        if (r != 0)
                return r;
        /* A command line may hold a secret: wand asks polkit before it
         * shows one. */
        r = sd_bus_message_new_method_call(c->bus, &m, WAND_BUS_NAME, path, WAND_INTERFACE_INTERFACE, "GetSettings");
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot build the request: %s", strerror(-r));
        r = bus_call(c, &op, name, m, &reply);
        if (r != 0)
                return r;
        r = props_read(reply, &p);
        if (r < 0)
                return fail(EXIT_GENERIC, "cannot read wand's answer: %s", strerror(-r));

        if (c->json) {
                Json j;
                json_init(&j, stdout, c->json_pretty);
                props_json(&p, &j);
                json_done(&j);
                return EXIT_OK;
        }
        return print_settings(&p);
}
