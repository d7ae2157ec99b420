/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every wandctl command is handed: the options it was started with and
 * the bus it talks to. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

/* The settings of `wandctl create` and `wandctl set` that are numbers (type
 * u), each with its option: "--connect-timeout" sets ConnectTimeoutSec. The
 * service says which values it accepts. */
typedef enum NumberSetting {
        SETTING_CONNECT_TIMEOUT,
        SETTING_DISCONNECT_TIMEOUT,
        SETTING_REDIAL_INTERVAL,
        SETTING_REDIAL_MAX_INTERVAL,
        SETTING_REDIAL_ATTEMPTS,
        _SETTING_NUMBER_MAX,
} NumberSetting;

typedef struct NumberSettingInfo {
        const char *option;     /* without "--" */
        const char *key;        /* the contract's Settings key */
} NumberSettingInfo;

extern const NumberSettingInfo number_settings[_SETTING_NUMBER_MAX];

/* The settings `wandctl create` or `wandctl set` was given; unset ones are
 * left out of the a{sv}, so that the service's defaults apply (create) or
 * the interface keeps them (set). */
typedef struct SettingsOptions {
        const char *device;
        const char *connect_command;    /* one line, split like the config files; "" (set): remove it */
        const char *disconnect_command;
        const char *connect_command_file;    /* the line in a file ("-": stdin), off the command line */
        const char *disconnect_command_file;
        int enabled;                    /* -1: not given */
        int persistent;                 /* -1: not given */
        int claim_device;               /* -1: not given */
        int64_t numbers[_SETTING_NUMBER_MAX]; /* -1: not given */
} SettingsOptions;

typedef struct Context {
        sd_bus *bus;
        const char *host;       /* -H: the router's bus over ssh; NULL: this machine */
        bool json;
        bool json_pretty;       /* --json=pretty: indented, over several lines */
        bool legend;            /* table headers and the count below the table */
        bool color;
        bool interactive;       /* ALLOW_INTERACTIVE_AUTHORIZATION on our calls */
        uint64_t timeout_usec;  /* --timeout */
        bool timeout_given;
        pid_t agent_pid;        /* pkttyagent, once started; 0 before */
        SettingsOptions settings;      /* create and set */
        const char *wait_state; /* wait --state */
        bool wait_any;          /* wait --any */
        uint64_t wait_usec;     /* how long wait waits */
        bool initial;           /* monitor --initial */
} Context;

/* Each returns an exit status (see exit-status.h) and has printed what went
 * wrong. args are the words after the command, NULL-terminated. */
int cmd_list(Context *c, char **args);
int cmd_status(Context *c, char **args);
int cmd_connect(Context *c, char **args);
int cmd_disconnect(Context *c, char **args);
int cmd_enable(Context *c, char **args);
int cmd_disable(Context *c, char **args);
int cmd_delete(Context *c, char **args);
int cmd_create(Context *c, char **args);
int cmd_settings(Context *c, char **args);
int cmd_set(Context *c, char **args);
int cmd_manager(Context *c, char **args);
int cmd_reload(Context *c, char **args);
int cmd_monitor(Context *c, char **args);
int cmd_wait(Context *c, char **args);
