/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The settings dictionary a{sv} of CreateInterface, UpdateSettings and
 * GetSettings. */
#pragma once

#include <systemd/sd-bus.h>

#include "settings.h"

/* CreateInterface's a{sv} → Settings, with InvalidArgs naming the key. */
int settings_from_bus_message(sd_bus_message *m, Settings *s, sd_bus_error *error);
/* UpdateSettings: the keys given change s, the others stay; an empty
 * ConnectCommand or DisconnectCommand removes it. Checked as a whole. */
int settings_update_from_bus_message(sd_bus_message *m, Settings *s, sd_bus_error *error);
/* GetSettings: every key; a missing command as an empty array. */
int settings_append_to_bus_message(sd_bus_message *reply, const Settings *s);
