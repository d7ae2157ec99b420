/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The settings dictionary a{sv} of CreateInterface, UpdateSettings and
 * GetSettings. */
#pragma once

#include <systemd/sd-bus.h>

#include "names.h"
#include "settings.h"

/* CreateInterface's a{sv} → Settings, with InvalidArgs naming the key.
 * *ret_action: the polkit action the dictionary needs,
 * WAND_ACTION_CONFIGURE_PRIVILEGED when it carries a root-equivalent key
 * (a command, whatever its value) - a call that needs it asks only it -
 * else WAND_ACTION_CONFIGURE. */
int settings_from_bus_message(sd_bus_message *m, Settings *s, const char **ret_action, sd_bus_error *error);
/* UpdateSettings: the keys given change s, the others stay; an empty
 * ConnectCommand or DisconnectCommand removes it. Checked as a whole.
 * *ret_action as above. */
int settings_update_from_bus_message(sd_bus_message *m, Settings *s, const char **ret_action, sd_bus_error *error);
/* GetSettings: every key; a missing command as an empty array. Unless
 * privileged (the caller holds configure-privileged), the root-equivalent
 * keys are left out and CommandsHidden: true says so. */
int settings_append_to_bus_message(sd_bus_message *reply, const Settings *s, bool privileged);
