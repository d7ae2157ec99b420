/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An interface's settings (the contract's Settings table), independent of
 * where they come from: a configuration file or CreateInterface's a{sv}. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strv.h"

typedef struct Settings {
        char *device;              /* required */
        char **connect_command;    /* NULL-terminated argv, or NULL */
        char **disconnect_command; /* NULL-terminated argv, or NULL */
        bool enabled;              /* default true */
        bool persistent;           /* default false */
        uint32_t connect_timeout_sec;    /* default 20 */
        uint32_t disconnect_timeout_sec; /* default 10 */
        /* Persistent dialers: the pause before the first redial, doubled
         * after each failed one up to the cap; after redial_attempts failures
         * in a row (0: no limit) wand gives up. */
        uint32_t redial_interval_sec;     /* default 5 */
        uint32_t redial_max_interval_sec; /* default 300 */
        uint32_t redial_attempts;         /* default 10 */
        /* wand's addition: ask NetworkManager and systemd-networkd to leave
         * Device alone while wand manages it (link-owners.c). */
        bool claim_device;                /* default false */
} Settings;

#define SETTINGS_DEFAULT_CONNECT_TIMEOUT_SEC 20u
#define SETTINGS_DEFAULT_DISCONNECT_TIMEOUT_SEC 10u
#define SETTINGS_DEFAULT_REDIAL_INTERVAL_SEC 5u
#define SETTINGS_DEFAULT_REDIAL_MAX_INTERVAL_SEC 300u
#define SETTINGS_DEFAULT_REDIAL_ATTEMPTS 10u
/* The longest command line (ConnectCommand=, DisconnectCommand=) as written
 * in a file: two of them still fit in a file wand reads (64 KiB). */
#define SETTINGS_COMMAND_LINE_MAX 16384u

/* Fills in the defaults; device and commands NULL. */
void settings_init(Settings *s);
/* Frees what s owns and re-initialises it. */
void settings_done(Settings *s);
/* Deep copy; -ENOMEM. */
int settings_copy(Settings *dst, const Settings *src);
/* True when both say the same. */
bool settings_equal(const Settings *a, const Settings *b);

/* Sets one key from its textual form in a configuration file
 * ("Device", "ConnectCommand", "Enabled", …). Returns 0, or -EINVAL with
 * *ret_problem set to a static string saying what is wrong ("unknown key",
 * "not a boolean", "unterminated quote", …). -ENOMEM on OOM. */
int settings_set_from_string(Settings *s, const char *key, const char *value, const char **ret_problem);

/* Whether key is one of the Settings keys ("Device", …); case matters. */
bool settings_key_is_valid(const char *key);

/* yes/no/true/false/1/0, any case. -EINVAL with *ret_problem set otherwise;
 * for keys of other sections (wand.conf's DemandDial=). */
int settings_parse_boolean(const char *value, bool *ret, const char **ret_problem);

/* Checks what no single key can: Device present and valid. Returns 0 or
 * -EINVAL with *ret_problem set. Also refuses what could not be written
 * back to a file (a line break in a command word) and zero timeouts, which
 * a{sv} could carry. */
int settings_verify(const Settings *s, const char **ret_problem);
