/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the configuration file parser. The input is read as an
 * interface file and as wand.conf (both from one regular file, <scratch>/
 * wand.conf: a file with ConnectCommand= is taken only where every
 * directory on the way can be checked, which a memfd's /proc/self/fd link
 * cannot). An interface file that parses must
 *   - fit on the bus: Device, which wand publishes (property, signals,
 *     polkit details), and the commands (GetSettings) must be valid D-Bus
 *     strings;
 *   - be saved by config_write_interface() and read back the same;
 * a file that does not parse must say where and why, on one line, in a
 * message that is itself a D-Bus string (it may be an error reply). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "names.h"
#include "settings.h"

static int input_fd = -1;
static char *input_path; /* <main_dir>/wand.conf */
static char *main_dir;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        main_dir = strdup(fuzz_scratch_dir());
        if (!main_dir || asprintf(&input_path, "%s/wand.conf", main_dir) < 0)
                abort();
        (void) unlink(input_path); /* a scratch directory may be reused */
        input_fd = open(input_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        /* As an administrator's file: root's, writable by nobody else (else
         * ConnectCommand= is refused before it is looked at). */
        if (input_fd < 0 || fchmod(input_fd, 0644) < 0)
                abort();
        return 0;
}

static void assert_fits_on_bus(const Settings *s) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_signal(fuzz_bus(), &m, "/org/wand/Router1/interface/fuzz", "org.wand.Router1.Interface",
                                      "Fuzz");
        fuzz_assert(r >= 0, "cannot make a message: %s", strerror(-r));
        r = sd_bus_message_append(m, "s", s->device);
        fuzz_assert(r >= 0, "Device \"%s\" read from a file cannot be published on the bus (%s)", s->device,
                    strerror(-r));
        r = sd_bus_message_append_strv(m, s->connect_command);
        fuzz_assert(r >= 0, "ConnectCommand= read from a file cannot be published on the bus (%s)", strerror(-r));
        r = sd_bus_message_append_strv(m, s->disconnect_command);
        fuzz_assert(r >= 0, "DisconnectCommand= read from a file cannot be published on the bus (%s)", strerror(-r));
        sd_bus_message_unref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *error = NULL;
        ConfigMain main_config;
        Settings s;
        int r;

        /* Larger files are refused before they are parsed. */
        if (size > 64 * 1024)
                return 0;
        if (ftruncate(input_fd, 0) < 0 || pwrite(input_fd, data, size, 0) != (ssize_t) size)
                abort();

        r = config_read_interface(input_path, &s, &error);
        if (r == 0) {
                fuzz_assert(!error, "success with a problem: %s", error);
                fuzz_assert(settings_verify(&s, NULL) == 0, "accepted settings do not verify");
                assert_fits_on_bus(&s);
                fuzz_assert_round_trip(&s);
                settings_done(&s);
        } else {
                fuzz_assert(r == -EINVAL || r == -EPERM, "unexpected error %d (%s)", r, error ? error : "");
                fuzz_assert(error && strncmp(error, input_path, strlen(input_path)) == 0,
                            "the problem does not name the file: %s", error ? error : "(none)");
                fuzz_assert(!strchr(error, '\n'), "the problem spans lines: %s", error);
                fuzz_assert(bus_string_is_valid(error), "the problem is not UTF-8: %s", error);
        }
        free(error);
        error = NULL;

        r = config_read_main(main_dir, &main_config, &error);
        if (r != 0) {
                fuzz_assert(r == -EINVAL, "unexpected error %d", r);
                fuzz_assert(error && !strchr(error, '\n'), "bad problem: %s", error ? error : "(none)");
        }
        free(error);
        return 0;
}
