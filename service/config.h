/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wand's configuration files: <dir>/wand.conf and <dir>/interfaces/<name>.conf.
 * Reading reports every problem with file and line; writing is atomic
 * (temporary file, fsync, rename, fsync of the directory). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "settings.h"

typedef struct ConfigMain {
        bool demand_dial;              /* [Router] DemandDial=, default true */
        uint64_t bus_max_message_size; /* [Router] BusMaxMessageSize=, default 32 MiB */
} ConfigMain;

/* BusMaxMessageSize=: dbus-daemon's default max_message_size, and the
 * bounds of what may be set: 4 KiB, and the D-Bus specification's maximum
 * message length (2^27). */
#define CONFIG_BUS_MAX_MESSAGE_SIZE_DEFAULT (UINT64_C(32) * 1024 * 1024)
#define CONFIG_BUS_MAX_MESSAGE_SIZE_MIN (UINT64_C(4) * 1024)
#define CONFIG_BUS_MAX_MESSAGE_SIZE_MAX (UINT64_C(128) * 1024 * 1024)

/* Reads <dir>/wand.conf. A missing file gives the defaults and 0. On a parse
 * error returns -EINVAL and *ret_error = "<path>:<line>: <problem>"
 * (caller frees); other failures return -errno with *ret_error set too. */
int config_read_main(const char *dir, ConfigMain *ret, char **ret_error);

/* Reads one interface file (section [Interface], keys as the Settings table,
 * comments with '#' or ';', blank lines). The whole file must parse and
 * settings_verify() must pass, else -EINVAL and
 * *ret_error = "<path>:<line>: <problem>" (line 0 when the problem is of the
 * whole file, e.g. "Device= is missing"). */
int config_read_interface(const char *path, Settings *ret, char **ret_error);

typedef struct ConfigEntry {
        char *name;      /* interface name (file name without .conf) */
        Settings settings;
} ConfigEntry;

/* Reads every <dir>/interfaces/<name>.conf whose <name> is a valid interface
 * name, sorted by name. A file that fails to parse, or whose name is invalid,
 * is skipped after log_func(problem_line) is called with a message naming the
 * file, line and problem; the others still load. A missing interfaces/
 * directory is no error. Returns 0 and the entries, or -errno. */
typedef void (*ConfigLogFunc)(const char *message, void *userdata);
int config_read_interfaces(const char *dir, ConfigEntry **ret_entries, size_t *ret_n,
                           ConfigLogFunc log_func, void *userdata);
void config_entries_free(ConfigEntry *entries, size_t n);

/* A file of interfaces/ that was not loaded although it exists: it could not
 * be read, was not to be trusted, or did not parse. */
typedef struct ConfigRefused {
        char *name; /* its interface, NULL when the file name is not a valid one */
        char *file; /* its path (quoted when its name is not valid) */
        char *why;  /* the problem, as logged */
} ConfigRefused;

/* config_read_interfaces(), and the files it refused, in directory order. A
 * file removed between the listing and its reading is gone, not refused. */
int config_read_interfaces_full(const char *dir, ConfigEntry **ret_entries, size_t *ret_n,
                                ConfigRefused **ret_refused, size_t *ret_n_refused,
                                ConfigLogFunc log_func, void *userdata);
void config_refused_free(ConfigRefused *refused, size_t n);

/* Writes <dir>/interfaces/<name>.conf atomically, for CreateInterface: the
 * whole file from s, mode 0600 (its command may hold a password); <dir> and
 * interfaces/ are made 0750 when missing. Returns 0 or -errno; on failure
 * no partial file stays. */
int config_write_interface(const char *dir, const char *name, const Settings *s);

/* Sets Enabled= in <dir>/interfaces/<name>.conf as the file is on disk now,
 * for SetEnabled: only the Enabled= lines of [Interface] change (one is added
 * when there is none and the value is not the default); comments, order,
 * formatting and edits not yet reloaded stay, and so do the file's mode and
 * owner. Written atomically like config_write_interface(). Refuses a file
 * that is a symbolic link (-ELOOP), is gone (-ENOENT), or would not load any
 * more (-EINVAL); on any failure *ret_error, if asked for, is a sentence
 * naming the file and what to do (caller frees; NULL only for -ENOMEM). */
/* Writes the keys whose values differ between old (what wand had) and new
 * into <dir>/interfaces/<name>.conf as config_set_interface_enabled() writes
 * Enabled=: only their lines change, everything else stays, mode and owner
 * too; refused (with *ret_error saying what to do) for a link, a file gone
 * or one that would no longer load as asked. A key set back to its default
 * keeps its line, saying the default. */
int config_update_interface(const char *dir, const char *name, const Settings *old, const Settings *new,
                            char **ret_error);
int config_set_interface_enabled(const char *dir, const char *name, bool enabled, char **ret_error);

/* Removes the temporary files ".<name>.conf.XXXXXX" that a write killed
 * between creating and renaming one left in <dir>/interfaces/ (each may hold
 * a whole file, commands included). For start-up, when no write runs.
 * Returns how many were removed, or -errno; each is logged. */
int config_remove_temporaries(const char *dir, ConfigLogFunc log_func, void *userdata);

/* Removes <dir>/interfaces/<name>.conf; a missing file is no error. */
int config_remove_interface(const char *dir, const char *name);

/* "<dir>/interfaces/<name>.conf"; NULL on OOM. */
char *config_interface_path(const char *dir, const char *name);
