/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: config_update_interface() (UpdateSettings) on a file as an
 * administrator may have left it. The input is
 *   - a flags byte: the file's mode and group, and whether wand's view of
 *     the file is stale (edited on disk since wand read it);
 *   - when stale, edits that turn what the file says into what wand
 *     believes (old); then edits that turn old into what the caller asks
 *     (new): a count, then per edit a key and its value;
 *   - the rest: the file.
 * Only settings UpdateSettings would pass on are tried (they verify; their
 * strings came over D-Bus). The edit must
 *   - succeed whenever the file loads and wand's view is current, unless
 *     the file would grow too large;
 *   - then load with the changed keys as new has them and the others as
 *     the file had them, change no other line, keep the mode and owner,
 *     and leave no temporary file;
 *   - when refused, leave the file as it was and say why in a message that
 *     names it on one line, as a D-Bus string (an error reply). */
#include <errno.h>

#include "config.h"
#include "fuzz-edit.h"
#include "fuzz.h"
#include "macro.h"
#include "names.h"

static const mode_t modes[] = { 0600, 0640, 0644, 0400 };

static char **make_command(FuzzInput *in) {
        size_t n = fuzz_u8(in) % 5;
        char **argv = calloc(n + 1, sizeof(char *));

        if (!argv)
                abort();
        for (size_t k = 0; k < n; k++)
                argv[k] = fuzz_string(in, 64);
        return argv;
}

/* Applies the edits the input gives to s. */
static void apply_edits(FuzzInput *in, Settings *s) {
        size_t n = fuzz_u8(in) % 8;

        for (size_t k = 0; k < n; k++) {
                uint8_t key = fuzz_u8(in) % 11;

                switch (key) {
                case 0:
                        free(s->device);
                        s->device = fuzz_string(in, 16);
                        break;
                case 1:
                        strv_free(s->connect_command);
                        s->connect_command = make_command(in);
                        break;
                case 2:
                        strv_free(s->disconnect_command);
                        s->disconnect_command = make_command(in);
                        break;
                case 3: s->enabled = fuzz_u8(in) & 1; break;
                case 4: s->persistent = fuzz_u8(in) & 1; break;
                case 5: s->connect_timeout_sec = fuzz_u32(in); break;
                case 6: s->disconnect_timeout_sec = fuzz_u32(in); break;
                case 7: s->redial_interval_sec = fuzz_u32(in); break;
                case 8: s->redial_max_interval_sec = fuzz_u32(in); break;
                case 9: s->redial_attempts = fuzz_u32(in); break;
                default: s->claim_device = fuzz_u8(in) & 1; break;
                }
        }
}

static bool command_is_bus_text(char **argv) {
        for (size_t k = 0; argv && argv[k]; k++)
                if (!bus_string_is_valid(argv[k]))
                        return false;
        return true;
}

/* What UpdateSettings would hand on: verified, its strings D-Bus strings. */
static bool is_acceptable(const Settings *s) {
        return settings_verify(s, NULL) == 0 && command_is_bus_text(s->connect_command) &&
               command_is_bus_text(s->disconnect_command);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzInput in = { data, size };
        uint8_t flags = fuzz_u8(&in);
        bool stale = flags & 16;
        const char *changed[11];
        size_t n_changed = 0;
        char *error = NULL;
        Settings old, new;
        FuzzFile f;
        int r;

        if (size > 64 * 1024)
                return 0;

        /* The edits first: the file is the rest of the input. */
        settings_init(&old);
        old.device = strdup("wan0");
        if (!old.device)
                abort();
        {
                /* Until the file is read, the edits act on a scratch copy;
                 * they are applied again below to the file's settings. */
                FuzzInput probe = in;
                Settings scratch;

                settings_init(&scratch);
                if (stale)
                        apply_edits(&probe, &scratch);
                apply_edits(&probe, &scratch);
                settings_done(&scratch);
                fuzz_file_put(&f, probe.data, probe.size, modes[(flags >> 1) & 3], flags & 8 ? 4242 : 0);
        }
        if (f.parsed) {
                settings_done(&old);
                if (settings_copy(&old, &f.settings) < 0)
                        abort();
        }
        if (stale)
                apply_edits(&in, &old);
        if (settings_copy(&new, &old) < 0)
                abort();
        apply_edits(&in, &new);
        if (!is_acceptable(&old) || !is_acceptable(&new))
                goto out;

        for (size_t k = 0; k < 11; k++) {
                char *a = fuzz_key_text(&old, fuzz_keys[k]), *b = fuzz_key_text(&new, fuzz_keys[k]);
                if (!streq(a, b))
                        changed[n_changed++] = fuzz_keys[k];
                free(a);
                free(b);
        }

        r = config_update_interface(f.dir, "fuzz", &old, &new, &error);
        if (r == 0) {
                Settings back;

                fuzz_assert(!error, "success with a message: %s", error);
                back = fuzz_assert_edited(&f, &new, changed, n_changed);
                if (f.parsed)
                        /* The keys not asked for say what the file said. */
                        for (size_t k = 0; k < 11; k++) {
                                char *was = fuzz_key_text(&f.settings, fuzz_keys[k]);
                                char *is = fuzz_key_text(&back, fuzz_keys[k]);
                                char *asked = fuzz_key_text(&new, fuzz_keys[k]);
                                bool edited = false;

                                for (size_t j = 0; j < n_changed; j++)
                                        edited |= streq(changed[j], fuzz_keys[k]);
                                fuzz_assert(streq(is, edited ? asked : was), "%s= is \"%s\" after the edit", fuzz_keys[k],
                                            is);
                                free(was);
                                free(is);
                                free(asked);
                        }
                settings_done(&back);
        } else {
                fuzz_assert(!f.parsed || stale || r == -EFBIG, "a file that loads was refused (%d): %s", r,
                            error ? error : "");
                fuzz_assert_refused(&f, r, error);
        }
out:
        free(error);
        settings_done(&old);
        settings_done(&new);
        fuzz_file_done(&f);
        return 0;
}
