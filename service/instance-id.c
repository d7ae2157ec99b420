/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See instance-id.h. Why no count of starts in the runtime directory: a
 * count that is lost or corrupted (it is a file anyone with root can edit)
 * cannot say which generations were used; the boot-time clock can. */
#include <time.h>

#include "instance-id.h"

static uint64_t ticks_now(void) {
        struct timespec ts = {};

        (void) clock_gettime(CLOCK_BOOTTIME, &ts);
        return (uint64_t) ts.tv_sec * INSTANCE_TICKS_PER_SEC +
               (uint64_t) ts.tv_nsec * INSTANCE_TICKS_PER_SEC / 1000000000;
}

/* The first tick after the one current when called (and after after): every
 * generation taken before was taken in that tick or earlier. */
static uint64_t next_tick(uint64_t after) {
        uint64_t now = ticks_now();

        if (now < after)
                now = after;
        for (uint64_t t = now; (now = ticks_now()) <= t;) {
                uint64_t ns = (t + 1) * (1000000000 / INSTANCE_TICKS_PER_SEC);
                struct timespec until = { .tv_sec = (time_t) (ns / 1000000000), .tv_nsec = (long) (ns % 1000000000) };
                (void) clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, &until, NULL);
        }
        return now;
}

void instance_ids_begin(InstanceIds *ids) {
        ids->generation = next_tick(0);
        if (ids->generation > INSTANCE_GENERATION_MAX)
                ids->generation = INSTANCE_GENERATION_MAX; /* after 17 years of uptime */
        ids->made = 0;
}

uint64_t instance_ids_next(InstanceIds *ids) {
        if (ids->made == (UINT32_C(1) << INSTANCE_ID_COUNTER_BITS) - 1) {
                ids->generation = next_tick(ids->generation);
                ids->made = 0;
        }
        return (ids->generation << INSTANCE_ID_COUNTER_BITS) | ++ids->made;
}
