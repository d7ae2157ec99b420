/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See crash-point.h. Compiled into wand-crash only. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crash-point.h"

static struct {
        bool read;
        const char *point;  /* NULL: no point fires */
        unsigned long at;   /* the pass that fires, from 1 */
        unsigned long passes;
        const char *arm_file; /* set: passes count only while it exists */
        bool delays;
        uint64_t state;     /* xorshift64 of the delays */
        unsigned long max_usec;
} plan;

static unsigned long env_number(const char *name, unsigned long fallback) {
        const char *s = getenv(name);
        char *end;
        unsigned long v;

        if (!s || !*s)
                return fallback;
        v = strtoul(s, &end, 10);
        if (*end) {
                /* A typo would run the test without its crash: say so and stop. */
                fprintf(stderr, "wand-crash: %s=%s is not a number.\n", name, s);
                _exit(2);
        }
        return v;
}

static void plan_read(void) {
        plan.read = true;
        plan.point = getenv("WAND_CRASH_POINT");
        if (plan.point && !*plan.point)
                plan.point = NULL;
        plan.at = env_number("WAND_CRASH_AT", 1);
        plan.arm_file = getenv("WAND_CRASH_ARM_FILE");
        if (getenv("WAND_CRASH_DELAY_SEED")) {
                plan.delays = true;
                /* xorshift64 must not start at 0. */
                plan.state = env_number("WAND_CRASH_DELAY_SEED", 0) * 0x9E3779B97F4A7C15ULL + 1;
                plan.max_usec = env_number("WAND_CRASH_DELAY_USEC", 20000);
        }
}

static uint64_t next_random(void) {
        plan.state ^= plan.state << 13;
        plan.state ^= plan.state >> 7;
        plan.state ^= plan.state << 17;
        return plan.state;
}

void crash_point_pass(const char *name) {
        if (!plan.read)
                plan_read();
        if (plan.arm_file && access(plan.arm_file, F_OK) < 0)
                return; /* not armed yet: the test is still checking the restart */
        if (plan.delays && plan.max_usec > 0) {
                unsigned long usec = (unsigned long) (next_random() % (plan.max_usec + 1));
                struct timespec ts = { .tv_sec = usec / 1000000, .tv_nsec = (long) (usec % 1000000) * 1000 };
                (void) nanosleep(&ts, NULL);
        }
        if (!plan.point || strcmp(plan.point, name) != 0)
                return;
        if (++plan.passes < plan.at)
                return;
        /* The test reads this line to tell which kill happened where. */
        fprintf(stderr, "wand-crash: crash point %s, pass %lu: SIGKILL\n", name, plan.passes);
        fflush(stderr);
        (void) raise(SIGKILL);
        _exit(137); /* not reached: SIGKILL cannot be caught */
}
