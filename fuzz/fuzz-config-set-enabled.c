/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: config_set_interface_enabled() (SetEnabled) on a file as an
 * administrator may have left it. The first byte says Enabled= yes or no
 * and the file's mode and group; the rest is the file. The edit must
 *   - succeed whenever the file loads, and then load with Enabled= as asked
 *     and every other setting as it was;
 *   - change no line but the Enabled= ones (one may be added), keep the
 *     mode and owner, and leave no temporary file;
 *   - when refused, leave the file as it was and say why in a message that
 *     names it on one line, as a D-Bus string (an error reply). */
#include <errno.h>

#include "config.h"
#include "fuzz-edit.h"
#include "fuzz.h"

static const mode_t modes[] = { 0600, 0640, 0644, 0400 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const enabled_key[] = { "Enabled" };
        uint8_t flags = size > 0 ? data[0] : 0;
        bool enabled = flags & 1;
        char *error = NULL;
        FuzzFile f;
        int r;

        if (size == 0 || size > 64 * 1024)
                return 0;
        fuzz_file_put(&f, data + 1, size - 1, modes[(flags >> 1) & 3], flags & 8 ? 4242 : 0);

        r = config_set_interface_enabled(f.dir, "fuzz", enabled, &error);
        if (r == 0) {
                Settings want, back;

                fuzz_assert(!error, "success with a message: %s", error);
                settings_init(&want);
                want.enabled = enabled;
                back = fuzz_assert_edited(&f, &want, enabled_key, 1);
                if (f.parsed) {
                        /* Everything else as it was. */
                        f.settings.enabled = enabled;
                        fuzz_assert(settings_equal(&f.settings, &back), "settings other than Enabled= changed");
                }
                settings_done(&back);
        } else {
                fuzz_assert(!f.parsed || r == -EFBIG, "a file that loads was refused (%d): %s", r,
                            error ? error : "");
                fuzz_assert_refused(&f, r, error);
        }
        free(error);
        fuzz_file_done(&f);
        return 0;
}
