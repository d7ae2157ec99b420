/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The contract's settings dictionary, a{sv}: read for CreateInterface (every
 * key known, every value of its type, no key twice, Device present and
 * valid) and UpdateSettings (the same, onto settings there are), written for
 * GetSettings. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "names.h"
#include "settings-bus.h"
#include "strv.h"

typedef enum SettingKey {
        KEY_DEVICE,
        KEY_CONNECT_COMMAND,
        KEY_DISCONNECT_COMMAND,
        KEY_ENABLED,
        KEY_PERSISTENT,
        KEY_CONNECT_TIMEOUT,
        KEY_DISCONNECT_TIMEOUT,
        KEY_REDIAL_INTERVAL,
        KEY_REDIAL_MAX_INTERVAL,
        KEY_REDIAL_ATTEMPTS,
        KEY_CLAIM_DEVICE,
        _KEY_MAX,
} SettingKey;

/* privileged: root-equivalent (wand runs a command as root), so setting it
 * needs org.wand.Router1.configure-privileged and reading it is for those
 * who hold that action; the others are org.wand.Router1.configure's. */
static const struct {
        const char *name;
        const char *signature;
        bool privileged;
} keys[_KEY_MAX] = {
        [KEY_DEVICE] = { "Device", "s" },
        [KEY_CONNECT_COMMAND] = { "ConnectCommand", "as", true },
        [KEY_DISCONNECT_COMMAND] = { "DisconnectCommand", "as", true },
        [KEY_ENABLED] = { "Enabled", "b" },
        [KEY_PERSISTENT] = { "Persistent", "b" },
        [KEY_CONNECT_TIMEOUT] = { "ConnectTimeoutSec", "u" },
        [KEY_DISCONNECT_TIMEOUT] = { "DisconnectTimeoutSec", "u" },
        [KEY_REDIAL_INTERVAL] = { "RedialIntervalSec", "u" },
        [KEY_REDIAL_MAX_INTERVAL] = { "RedialMaxIntervalSec", "u" },
        [KEY_REDIAL_ATTEMPTS] = { "RedialAttempts", "u" },
        [KEY_CLAIM_DEVICE] = { "ClaimDevice", "b" },
};

/* Any caller may send this before authorization is asked, so it may cost
 * wand little more than the message itself. sd_bus_message_read_strv()
 * grows its list one word at a time, in time quadratic in the number of
 * words: read them in linear time. And no more than a command line can
 * hold: each word takes at least its length (an empty one two) and a blank
 * on the line, so a command is refused as soon as that sum passes the
 * line's limit, before any word is copied - quoting a 16 MiB word for
 * settings_verify()'s exact check would cost several times its size. */
static int read_words(sd_bus_message *m, char ***ret) {
        char **argv = NULL;
        size_t n = 0, allocated = 0, line = 0;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "s");
        if (r < 0)
                return r;
        for (;;) {
                const char *w;

                r = sd_bus_message_read_basic(m, 's', &w);
                if (r < 0)
                        goto fail;
                if (r == 0)
                        break;
                line += (n > 0) + (strlen(w) ?: 2); /* an empty word is written '' */
                if (line > SETTINGS_COMMAND_LINE_MAX) {
                        r = -E2BIG;
                        goto fail;
                }
                if (n + 2 > allocated) {
                        size_t a = allocated ? allocated * 2 : 8;
                        char **l = reallocarray(argv, a, sizeof(char *));
                        if (!l) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        argv = l;
                        allocated = a;
                }
                argv[n] = strdup(w);
                if (!argv[n]) {
                        r = -ENOMEM;
                        goto fail;
                }
                argv[++n] = NULL;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                goto fail;
        *ret = argv;
        return 0;
fail:
        strv_free(argv);
        return r;
}

/* allow_none: an empty array removes the command (UpdateSettings). */
static int read_command(sd_bus_message *m, const char *key, bool allow_none, char ***ret, sd_bus_error *error) {
        char **argv = NULL;
        int r;

        r = read_words(m, &argv);
        if (r == -ENOMEM)
                return r;
        if (r == -E2BIG)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Setting %s is longer than a command line may be (%u bytes, the words "
                                         "and a blank between each two).",
                                         key, SETTINGS_COMMAND_LINE_MAX);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Setting %s could not be read.", key);
        if ((!argv || !argv[0]) && allow_none) {
                strv_free(argv);
                strv_free(*ret);
                *ret = NULL;
                return 0;
        }
        if (!argv || !argv[0]) {
                strv_free(argv);
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Setting %s must name a program (an empty argv was given).", key);
        }
        if (isempty(argv[0])) {
                strv_free(argv);
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Setting %s: the program name must not be empty.", key);
        }
        /* A configuration file holds a command on one line: a word with a
         * line break could not be saved, so it is no valid setting. */
        for (char **w = argv; *w; w++)
                if (strchr(*w, '\n')) {
                        strv_free(argv);
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Setting %s: a word contains a line break, which a configuration "
                                                 "file cannot hold.",
                                                 key);
                }
        strv_free(*ret);
        *ret = argv;
        return 0;
}

static int read_timeout(sd_bus_message *m, const char *key, uint32_t *ret, sd_bus_error *error) {
        uint32_t v;
        int r;

        r = sd_bus_message_read(m, "u", &v);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Setting %s could not be read.", key);
        if (v < 1)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Setting %s must be at least 1.", key);
        *ret = v;
        return 0;
}

static int read_dict(sd_bus_message *m, Settings *s, bool update, const char **ret_action, sd_bus_error *error) {
        bool seen[_KEY_MAX] = {}, privileged = false;
        const char *problem = NULL;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Settings must be of type a{sv}.");

        for (;;) {
                const char *key, *contents;
                SettingKey k;
                char type;
                int b;

                r = sd_bus_message_enter_container(m, 'e', "sv");
                if (r < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Settings could not be read.");
                if (r == 0)
                        break;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Settings could not be read.");

                for (k = 0; k < _KEY_MAX; k++)
                        if (streq(keys[k].name, key))
                                break;
                if (k == _KEY_MAX)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Unknown setting \"%s\" (known: Device, ConnectCommand, DisconnectCommand, "
                                                 "Enabled, Persistent, ConnectTimeoutSec, DisconnectTimeoutSec, "
                                                 "RedialIntervalSec, RedialMaxIntervalSec, RedialAttempts, "
                                                 "ClaimDevice).",
                                                 key);
                if (seen[k])
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Setting %s is given twice.", key);
                seen[k] = true;
                /* Given at all, even unchanged: whether a call needs more
                 * than configure must tell nothing of a value the caller
                 * may not read. */
                privileged = privileged || keys[k].privileged;

                r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0 || type != 'v' || !streq(contents, keys[k].signature))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Setting %s must be of type '%s', not '%s'.", key, keys[k].signature,
                                                 r >= 0 && contents ? contents : "?");
                r = sd_bus_message_enter_container(m, 'v', keys[k].signature);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Setting %s could not be read.", key);

                switch (k) {
                case KEY_DEVICE: {
                        const char *device;
                        r = sd_bus_message_read(m, "s", &device);
                        if (r < 0)
                                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Setting Device could not be read.");
                        if (!device_name_is_valid(device))
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "Setting Device: \"%s\" is not a valid kernel device name "
                                                         "(1-15 bytes, no '/', ':' or whitespace).",
                                                         device);
                        char *d = strdup(device);
                        if (!d)
                                return -ENOMEM;
                        free(s->device);
                        s->device = d;
                        break;
                }
                case KEY_CONNECT_COMMAND:
                        r = read_command(m, key, update, &s->connect_command, error);
                        break;
                case KEY_DISCONNECT_COMMAND:
                        r = read_command(m, key, update, &s->disconnect_command, error);
                        break;
                case KEY_ENABLED:
                case KEY_PERSISTENT:
                case KEY_CLAIM_DEVICE:
                        r = sd_bus_message_read(m, "b", &b);
                        if (r < 0)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Setting %s could not be read.", key);
                        if (k == KEY_ENABLED)
                                s->enabled = b;
                        else if (k == KEY_PERSISTENT)
                                s->persistent = b;
                        else
                                s->claim_device = b;
                        break;
                case KEY_CONNECT_TIMEOUT:
                        r = read_timeout(m, key, &s->connect_timeout_sec, error);
                        break;
                case KEY_DISCONNECT_TIMEOUT:
                        r = read_timeout(m, key, &s->disconnect_timeout_sec, error);
                        break;
                case KEY_REDIAL_INTERVAL:
                        r = read_timeout(m, key, &s->redial_interval_sec, error);
                        break;
                case KEY_REDIAL_MAX_INTERVAL:
                        r = read_timeout(m, key, &s->redial_max_interval_sec, error);
                        break;
                case KEY_REDIAL_ATTEMPTS:
                        r = sd_bus_message_read(m, "u", &s->redial_attempts);
                        if (r < 0)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Setting %s could not be read.", key);
                        break;
                case _KEY_MAX:
                        break;
                }
                if (r < 0)
                        return r;

                r = sd_bus_message_exit_container(m); /* v */
                if (r >= 0)
                        r = sd_bus_message_exit_container(m); /* e */
                if (r < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Settings could not be read.");
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Settings could not be read.");

        if (!seen[KEY_DEVICE] && !update)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Setting Device is required.");
        if (s->redial_max_interval_sec < s->redial_interval_sec)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Setting RedialMaxIntervalSec must not be less than RedialIntervalSec.");
        /* Whatever else the file layer would refuse when saving must be
         * InvalidArgs here, not a failure to save after authorization. */
        if (settings_verify(s, &problem) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid settings: %s.", problem);
        *ret_action = privileged ? WAND_ACTION_CONFIGURE_PRIVILEGED : WAND_ACTION_CONFIGURE;
        return 0;
}

int settings_from_bus_message(sd_bus_message *m, Settings *s, const char **ret_action, sd_bus_error *error) {
        return read_dict(m, s, false, ret_action, error);
}

int settings_update_from_bus_message(sd_bus_message *m, Settings *s, const char **ret_action, sd_bus_error *error) {
        return read_dict(m, s, true, ret_action, error);
}

static int append_entry(sd_bus_message *reply, const char *key, const char *signature, ...) {
        va_list ap;
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', signature);
        if (r >= 0) {
                va_start(ap, signature);
                r = sd_bus_message_appendv(reply, signature, ap);
                va_end(ap);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int append_command(sd_bus_message *reply, const char *key, char **argv) {
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', "as");
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, argv ?: (char *[]) { NULL });
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

int settings_append_to_bus_message(sd_bus_message *reply, const Settings *s, bool privileged) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = append_entry(reply, "Device", "s", s->device);
        if (r >= 0 && privileged)
                r = append_command(reply, keys[KEY_CONNECT_COMMAND].name, s->connect_command);
        if (r >= 0 && privileged)
                r = append_command(reply, keys[KEY_DISCONNECT_COMMAND].name, s->disconnect_command);
        /* Said, so that a client tells "hidden" from "none". */
        if (r >= 0 && !privileged)
                r = append_entry(reply, "CommandsHidden", "b", 1);
        if (r >= 0)
                r = append_entry(reply, "Enabled", "b", (int) s->enabled);
        if (r >= 0)
                r = append_entry(reply, "Persistent", "b", (int) s->persistent);
        if (r >= 0)
                r = append_entry(reply, "ConnectTimeoutSec", "u", s->connect_timeout_sec);
        if (r >= 0)
                r = append_entry(reply, "DisconnectTimeoutSec", "u", s->disconnect_timeout_sec);
        if (r >= 0)
                r = append_entry(reply, "RedialIntervalSec", "u", s->redial_interval_sec);
        if (r >= 0)
                r = append_entry(reply, "RedialMaxIntervalSec", "u", s->redial_max_interval_sec);
        if (r >= 0)
                r = append_entry(reply, "RedialAttempts", "u", s->redial_attempts);
        if (r >= 0)
                r = append_entry(reply, "ClaimDevice", "b", (int) s->claim_device);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}
