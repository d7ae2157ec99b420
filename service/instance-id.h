/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* InstanceIds: never the same twice within a boot, across restarts too, and
 * below 2^53 so that JSON and JavaScript hold them exactly. The high part
 * is the generation: how many times wand started since boot, counted in
 * the runtime directory; the low 32 bits count the interfaces this wand
 * made. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Generations from the file's count stay below this; those taken when the
 * count cannot be trusted lie above it, up to 2^21 - 1. */
#define INSTANCE_GENERATION_FALLBACK (UINT32_C(1) << 20)
#define INSTANCE_GENERATION_MAX ((UINT32_C(1) << 21) - 1)

typedef struct InstanceIds {
        uint32_t generation;
        uint32_t made; /* interfaces this wand has made */
} InstanceIds;

/* Takes this wand's generation and records it for the next one (logs
 * what it cannot read or write). first_start: nothing of an earlier wand is
 * in the runtime directory, so a missing count is no lost one. */
void instance_ids_begin(InstanceIds *ids, const char *runtime_dir, bool first_start);
/* The next id, or -EOVERFLOW after 2^32 - 1 of them. */
int instance_ids_next(InstanceIds *ids, uint64_t *ret);
