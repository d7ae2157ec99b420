/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* InstanceIds: never the same twice within a boot, across restarts too, and
 * below 2^53 so that JSON and JavaScript hold them exactly. The high part
 * is a generation: the time since boot (CLOCK_BOOTTIME, which nothing can
 * set back) in 1/256 s, taken once the clock has moved past the tick in
 * which it was asked, so that no earlier generation, of this wand or an
 * earlier one, can have it; the low 16 bits count the ids of the
 * generation. Nothing is kept in a file: there is nothing to lose or
 * corrupt. */
#pragma once

#include <stdint.h>

#define INSTANCE_ID_COUNTER_BITS 16
#define INSTANCE_TICKS_PER_SEC 256
/* 2^37 ticks: 17 years of uptime before ids would reach 2^53. */
#define INSTANCE_GENERATION_MAX ((UINT64_C(1) << (53 - INSTANCE_ID_COUNTER_BITS)) - 1)

typedef struct InstanceIds {
        uint64_t generation;
        uint32_t made; /* ids of this generation */
} InstanceIds;

/* Takes a generation no one has had since boot (waits for at most one
 * tick, 4 ms, for the clock to move on). */
void instance_ids_begin(InstanceIds *ids);
/* The next id; after 2^16 - 1 of them, a new generation. */
uint64_t instance_ids_next(InstanceIds *ids);
