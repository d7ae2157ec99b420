/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The modes of the configuration: wand writes interface files 0600 and
 * makes its directories 0750, since a command may hold a password; this
 * narrows what older versions left readable to every user. */
#pragma once

#include <sys/types.h>
#include <syslog.h>

/* The mode of the files and directories wand makes. */
#define CONFIG_FILE_MODE 0600
#define CONFIG_DIRECTORY_MODE 0750

/* Called with a syslog priority and a sentence for the administrator. */
typedef void (*ConfigModesLogFunc)(int priority, const char *message, void *userdata);

/* If <dir> or <dir>/interfaces lets every user in (older versions of wand
 * left them 0755, and systemd does not change the mode of a
 * ConfigurationDirectory= that exists), takes others' bits away (0755 →
 * 0750), and then takes group's and others' bits away from each interface
 * file that has a ConnectCommand= or DisconnectCommand= and that they may
 * read (0644 → 0600). Only what wand would take commands from is changed:
 * its own, and writable by nobody else. Logs each change (LOG_NOTICE) and
 * each failure (LOG_WARNING), and goes on. Once the directories are
 * narrow, the files' modes are the administrator's: nothing is changed
 * then. Symbolic links among the files are left alone; a missing
 * directory is no error. Returns the number of changes, or -ENOMEM. */
int config_tighten_modes(const char *dir, ConfigModesLogFunc log_func, void *userdata);
