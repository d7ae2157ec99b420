/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See fuzz.h: what more than one fuzz target needs. */
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "settings.h"

static char *scratch;

static void remove_scratch(void) {
        char *p;

        if (asprintf(&p, "%s/interfaces/fuzz.conf", scratch) >= 0) {
                unlink(p);
                free(p);
        }
        if (asprintf(&p, "%s/interfaces", scratch) >= 0) {
                rmdir(p);
                free(p);
        }
        if (asprintf(&p, "%s/wand.conf", scratch) >= 0) {
                unlink(p);
                free(p);
        }
        rmdir(scratch);
}

const char *fuzz_scratch_dir(void) {
        const char *given = getenv("WAND_FUZZ_SCRATCH");

        if (scratch)
                return scratch;
        /* fuzz/run.sh names one in build-fuzz/: libFuzzer ends with _Exit(),
         * which runs no atexit() handler. */
        if (given && *given) {
                scratch = strdup(given);
                if (!scratch || (mkdir(scratch, 0700) < 0 && errno != EEXIST))
                        abort();
                return scratch;
        }
        /* Written files need a real directory; /dev/shm keeps it in memory. */
        scratch = strdup(access("/dev/shm", W_OK) == 0 ? "/dev/shm/wand-fuzz-XXXXXX" : "/tmp/wand-fuzz-XXXXXX");
        if (!scratch || !mkdtemp(scratch))
                abort();
        atexit(remove_scratch);
        return scratch;
}

sd_bus *fuzz_bus(void) {
        static sd_bus *bus;
        int fds[2];

        if (bus)
                return bus;
        /* sd_bus_message_new() wants a bus that has been started; one end of
         * a socket pair will do, nothing is ever sent on it. */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0 || sd_bus_new(&bus) < 0 ||
            sd_bus_set_fd(bus, fds[0], fds[0]) < 0 || sd_bus_start(bus) < 0)
                abort();
        return bus;
}

void fuzz_assert_round_trip(const Settings *s) {
        const char *dir = fuzz_scratch_dir();
        char *path = NULL, *error = NULL;
        Settings back;
        int r;

        r = config_write_interface(dir, "fuzz", s);
        fuzz_assert(r == 0, "accepted settings cannot be saved: %s", strerror(-r));
        path = config_interface_path(dir, "fuzz");
        fuzz_assert(path, "out of memory");
        r = config_read_interface(path, &back, &error);
        fuzz_assert(r == 0, "the saved file does not parse: %s", error ? error : strerror(-r));
        fuzz_assert(settings_equal(s, &back), "the saved file reads back different settings");
        settings_done(&back);
        free(path);
        free(error);
}
