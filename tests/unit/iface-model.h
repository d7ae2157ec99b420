/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A reference model of the contract's state table, and a generator of
 * random interleavings that drives wand's state machine (iface-world.h) and
 * checks it against the model after every step. */
#pragma once

#include <stdint.h>

/* Runs steps random steps from seed, then lets everything pending end.
 * Returns NULL, or a description of the first divergence with the steps
 * that led to it (free()). */
char *model_run(uint64_t seed, unsigned steps);
