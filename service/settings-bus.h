/* CreateInterface's a{sv} → Settings, with InvalidArgs naming the key. */
#pragma once

#include <systemd/sd-bus.h>

#include "settings.h"

int settings_from_bus_message(sd_bus_message *m, Settings *s, sd_bus_error *error);
