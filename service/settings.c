/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An interface's settings: defaults, copying, comparing, and parsing one key
 * of a configuration file. The configuration file layer adds path and line. */
#include <errno.h>
#include <stdint.h>
#include <strings.h>

#include "macro.h"
#include "names.h"
#include "settings.h"
#include "shell-words.h"
#include "strv.h"

void settings_init(Settings *s) {
        *s = (Settings) {
                .enabled = true,
                .persistent = false,
                .connect_timeout_sec = SETTINGS_DEFAULT_CONNECT_TIMEOUT_SEC,
                .disconnect_timeout_sec = SETTINGS_DEFAULT_DISCONNECT_TIMEOUT_SEC,
                .redial_interval_sec = SETTINGS_DEFAULT_REDIAL_INTERVAL_SEC,
                .redial_max_interval_sec = SETTINGS_DEFAULT_REDIAL_MAX_INTERVAL_SEC,
                .redial_attempts = SETTINGS_DEFAULT_REDIAL_ATTEMPTS,
        };
}

void settings_done(Settings *s) {
        free(s->device);
        strv_free(s->connect_command);
        strv_free(s->disconnect_command);
        settings_init(s);
}

/* dst is treated as uninitialised: whatever it held is not freed. On failure
 * it is left initialised with the defaults, so settings_done() is safe. */
int settings_copy(Settings *dst, const Settings *src) {
        Settings c = *src;

        c.device = NULL;
        c.connect_command = c.disconnect_command = NULL;

        if (src->device && !(c.device = strdup(src->device)))
                goto oom;
        if (src->connect_command && !(c.connect_command = strv_copy(src->connect_command)))
                goto oom;
        if (src->disconnect_command && !(c.disconnect_command = strv_copy(src->disconnect_command)))
                goto oom;

        *dst = c;
        return 0;

oom:
        settings_done(&c);
        settings_init(dst);
        return -ENOMEM;
}

bool settings_equal(const Settings *a, const Settings *b) {
        return streq_ptr(a->device, b->device) &&
                strv_equal(a->connect_command, b->connect_command) &&
                strv_equal(a->disconnect_command, b->disconnect_command) &&
                a->enabled == b->enabled &&
                a->persistent == b->persistent &&
                a->connect_timeout_sec == b->connect_timeout_sec &&
                a->disconnect_timeout_sec == b->disconnect_timeout_sec &&
                a->redial_interval_sec == b->redial_interval_sec &&
                a->redial_max_interval_sec == b->redial_max_interval_sec &&
                a->redial_attempts == b->redial_attempts &&
                a->claim_device == b->claim_device;
}

static const char *const settings_keys[] = {
        "Device",
        "ConnectCommand",
        "DisconnectCommand",
        "Enabled",
        "Persistent",
        "ConnectTimeoutSec",
        "DisconnectTimeoutSec",
        "RedialIntervalSec",
        "RedialMaxIntervalSec",
        "RedialAttempts",
        "ClaimDevice",
};

bool settings_key_is_valid(const char *key) {
        if (!key)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(settings_keys); i++)
                if (streq(settings_keys[i], key))
                        return true;
        return false;
}

/* The problem strings below complete a sentence that starts with the quoted
 * value, e.g. "maybe" is not a boolean (use yes or no). */

static int parse_boolean(const char *v, bool *ret) {
        if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || streq(v, "1"))
                *ret = true;
        else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 || streq(v, "0"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

/* Plain decimal only: strtoul() would accept a sign, leading blanks and
 * "0x", and wrap "-1" around to a huge value. */
static int parse_u32(const char *v, uint32_t *ret, const char **ret_problem) {
        uint64_t n = 0;

        if (!*v) {
                *ret_problem = "is not a number (use a decimal number of seconds)";
                return -EINVAL;
        }
        for (const char *p = v; *p; p++) {
                if (*p < '0' || *p > '9') {
                        *ret_problem = "is not a number (use a decimal number of seconds)";
                        return -EINVAL;
                }
                n = n * 10 + (uint64_t) (*p - '0');
                if (n > UINT32_MAX) {
                        /* -EINVAL like every other problem with a value:
                         * callers add file and line only to those. */
                        *ret_problem = "is too large (at most 4294967295)";
                        return -EINVAL;
                }
        }
        *ret = (uint32_t) n;
        return 0;
}

static int parse_timeout(const char *v, uint32_t *ret, const char **ret_problem) {
        uint32_t n;
        int r;

        r = parse_u32(v, &n, ret_problem);
        if (r < 0)
                return -EINVAL;
        if (n < 1) {
                *ret_problem = "must be at least 1";
                return -EINVAL;
        }
        *ret = n;
        return 0;
}

/* shell_split()'s problems are nouns; turn them into the predicates above. */
static const char *command_problem(const char *shell_problem) {
        if (streq_ptr(shell_problem, "unterminated single quote"))
                return "has an unterminated single quote";
        if (streq_ptr(shell_problem, "unterminated double quote"))
                return "has an unterminated double quote";
        if (streq_ptr(shell_problem, "trailing backslash"))
                return "ends in a backslash that escapes nothing";
        return "is not a valid command line";
}

static int parse_command(const char *v, char ***command, const char **ret_problem) {
        const char *shell_problem = NULL;
        char **argv = NULL;
        int r;

        r = shell_split(v, &argv, &shell_problem);
        if (r == -EINVAL) {
                *ret_problem = command_problem(shell_problem);
                return r;
        }
        if (r < 0)
                return r;

        /* "ConnectCommand=" (or only blanks) unsets the command. */
        if (!argv[0]) {
                strv_free(argv);
                argv = NULL;
        }
        strv_free(*command);
        *command = argv;
        return 0;
}

int settings_set_from_string(Settings *s, const char *key, const char *value, const char **ret_problem) {
        const char *problem = NULL;
        int r = 0;

        if (streq(key, "Device")) {
                char *d;

                if (!device_name_is_valid(value)) {
                        problem = "is not a valid device name (1-15 bytes, no '/', ':' or whitespace)";
                        r = -EINVAL;
                } else if (!(d = strdup(value)))
                        return -ENOMEM;
                else {
                        free(s->device);
                        s->device = d;
                }
        } else if (streq(key, "ConnectCommand"))
                r = parse_command(value, &s->connect_command, &problem);
        else if (streq(key, "DisconnectCommand"))
                r = parse_command(value, &s->disconnect_command, &problem);
        else if (streq(key, "Enabled") || streq(key, "Persistent") || streq(key, "ClaimDevice")) {
                bool b;

                if (parse_boolean(value, &b) < 0) {
                        problem = "is not a boolean (use yes or no)";
                        r = -EINVAL;
                } else if (streq(key, "Enabled"))
                        s->enabled = b;
                else if (streq(key, "Persistent"))
                        s->persistent = b;
                else
                        s->claim_device = b;
        } else if (streq(key, "ConnectTimeoutSec"))
                r = parse_timeout(value, &s->connect_timeout_sec, &problem);
        else if (streq(key, "DisconnectTimeoutSec"))
                r = parse_timeout(value, &s->disconnect_timeout_sec, &problem);
        else if (streq(key, "RedialIntervalSec"))
                r = parse_timeout(value, &s->redial_interval_sec, &problem);
        else if (streq(key, "RedialMaxIntervalSec"))
                r = parse_timeout(value, &s->redial_max_interval_sec, &problem);
        else if (streq(key, "RedialAttempts"))
                r = parse_u32(value, &s->redial_attempts, &problem);
        else {
                problem = "unknown key";
                r = -EINVAL;
        }

        if (r == -EINVAL && ret_problem)
                *ret_problem = problem;
        return r;
}

int settings_parse_boolean(const char *value, bool *ret, const char **ret_problem) {
        if (parse_boolean(value, ret) < 0) {
                if (ret_problem)
                        *ret_problem = "is not a boolean (use yes or no)";
                return -EINVAL;
        }
        return 0;
}

/* A line break cannot be written back on the one line a key has in a
 * configuration file, so such a command could not be persisted. */
static bool command_is_writable(char *const *argv) {
        for (size_t i = 0; argv && argv[i]; i++)
                if (strchr(argv[i], '\n'))
                        return false;
        return true;
}

/* Nor can a command whose line would make the file too large to be read
 * back: what was accepted would be gone after a restart. */
static bool command_fits(char *const *argv) {
        _cleanup_free_ char *line = NULL;

        if (strv_length(argv) == 0)
                return true;
        line = shell_join(argv);
        return line && strlen(line) <= SETTINGS_COMMAND_LINE_MAX;
}

int settings_verify(const Settings *s, const char **ret_problem) {
        const char *problem = NULL;

        if (!s->device)
                problem = "Device= is missing";
        else if (!device_name_is_valid(s->device))
                problem = "Device= is not a valid device name (1-15 bytes, no '/', ':' or whitespace)";
        else if (!command_is_writable(s->connect_command))
                problem = "ConnectCommand= contains a line break";
        else if (!command_is_writable(s->disconnect_command))
                problem = "DisconnectCommand= contains a line break";
        else if (!command_fits(s->connect_command))
                problem = "ConnectCommand= is longer than 16384 bytes";
        else if (!command_fits(s->disconnect_command))
                problem = "DisconnectCommand= is longer than 16384 bytes";
        else if (s->connect_timeout_sec < 1)
                problem = "ConnectTimeoutSec= must be at least 1";
        else if (s->disconnect_timeout_sec < 1)
                problem = "DisconnectTimeoutSec= must be at least 1";
        else if (s->redial_interval_sec < 1)
                problem = "RedialIntervalSec= must be at least 1";
        else if (s->redial_max_interval_sec < s->redial_interval_sec)
                problem = "RedialMaxIntervalSec= must not be less than RedialIntervalSec=";

        if (problem) {
                if (ret_problem)
                        *ret_problem = problem;
                return -EINVAL;
        }
        return 0;
}
