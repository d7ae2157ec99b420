/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What libmprapi costs: MprAdminInterfaceDisconnect() against the raw
 * Disconnect() D-Bus call it makes, on the same bus and wand, interleaved.
 * Each round connects wan0 (untimed) and times one disconnect of each kind.
 * Prints the medians (µs) and their ratio as one JSON line.
 *   bench-mprapi [ROUNDS]    (on the system bus of DBUS_SYSTEM_BUS_ADDRESS) */
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include <mprapi.h>

#define PATH "/org/wand/Router1/interface/wan0"

static double now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static int call(sd_bus *bus, const char *member) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, "org.wand.Router1", PATH, "org.wand.Router1.Interface", member, &e, NULL, NULL);
        if (r < 0)
                fprintf(stderr, "%s: %s\n", member, e.message ?: "failed");
        sd_bus_error_free(&e);
        return r;
}

int main(int argc, char *argv[]) {
        int rounds = argc > 1 ? atoi(argv[1]) : 200;
        double *raw = calloc(rounds, sizeof(double)), *lib = calloc(rounds, sizeof(double));
        MPR_SERVER_HANDLE s = NULL;
        HANDLE h = NULL;
        sd_bus *bus = NULL;
        double t;

        if (!raw || !lib || sd_bus_open_system(&bus) < 0 || MprAdminServerConnect(NULL, &s) != NO_ERROR ||
            MprAdminInterfaceGetHandle(s, u"wan0", &h, FALSE) != NO_ERROR) {
                fprintf(stderr, "bench-mprapi: cannot set up\n");
                return 1;
        }
        for (int i = 0; i < rounds; i++) {
                if (call(bus, "Connect") < 0)
                        return 1;
                t = now_us();
                if (call(bus, "Disconnect") < 0)
                        return 1;
                raw[i] = now_us() - t;

                if (call(bus, "Connect") < 0)
                        return 1;
                t = now_us();
                if (MprAdminInterfaceDisconnect(s, h) != NO_ERROR)
                        return 1;
                lib[i] = now_us() - t;
        }
        qsort(raw, rounds, sizeof(double), cmp);
        qsort(lib, rounds, sizeof(double), cmp);
        printf("{\"rounds\": %d, \"raw_disconnect_p50_us\": %.1f, \"mprapi_disconnect_p50_us\": %.1f, "
               "\"mprapi_over_raw_ratio\": %.3f}\n",
               rounds, raw[rounds / 2], lib[rounds / 2], lib[rounds / 2] / raw[rounds / 2]);
        MprAdminServerDisconnect(s);
        sd_bus_flush_close_unref(bus);
        free(raw);
        free(lib);
        return 0;
}
