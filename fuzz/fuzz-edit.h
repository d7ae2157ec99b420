/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the two targets that edit a file in place share (fuzz-config-update,
 * fuzz-config-set-enabled): the fuzzed file put where wand keeps it, and the
 * checks an edit must pass, whatever the file held. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "settings.h"

/* The file as it was before the edit, and what it parsed to. */
typedef struct FuzzFile {
        char *dir;          /* the configuration directory */
        char *path;         /* <dir>/interfaces/fuzz.conf */
        char *text;         /* its bytes (NUL-terminated copy) */
        size_t size;
        struct stat st;
        bool parsed;        /* config_read_interface() took it */
        Settings settings;  /* what it said, when parsed */
} FuzzFile;

/* Writes data as <scratch>/interfaces/fuzz.conf with the given mode (and
 * group, as root) and reads it as wand would. */
void fuzz_file_put(FuzzFile *f, const uint8_t *data, size_t size, mode_t mode, gid_t gid);
void fuzz_file_done(FuzzFile *f);

/* The value of a key as the file writes it ("yes", "20", a joined command),
 * to compare settings key by key. The caller frees. */
char *fuzz_key_text(const Settings *s, const char *key);
extern const char *const fuzz_keys[11];

/* After a refused edit: the file is as it was, the message names it on one
 * line as a D-Bus string (it becomes an error reply), nothing is left
 * behind. */
void fuzz_assert_refused(const FuzzFile *f, int r, const char *error);

/* After a successful edit of the keys in changed[] (n of them) to what
 * new says: they read back as new has them, every other line is byte for
 * byte as it was, the mode and owner stay, nothing is left behind. Returns
 * what the file now says (caller settings_done()s it). */
Settings fuzz_assert_edited(const FuzzFile *f, const Settings *new, const char *const *changed, size_t n);
