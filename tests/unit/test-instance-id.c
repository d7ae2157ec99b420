/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* InstanceIds (issue 22): below 2^53, and never the same within a boot,
 * across restarts too: each wand's generation comes after every earlier
 * one, and a generation's ids run out into a new generation, not a wrap. */
#include <glib.h>

#include "instance-id.h"

#define MAX_SAFE (UINT64_C(1) << 53)

static void test_restarts(void) {
        uint64_t last = 0;

        /* Back to back, as fast as wand could ever restart: each start's
         * first id is above every id before it. */
        for (int k = 0; k < 50; k++) {
                InstanceIds ids;
                uint64_t first;

                instance_ids_begin(&ids);
                first = instance_ids_next(&ids);
                g_assert_cmpuint(first, >, last);
                g_assert_cmpuint(first, <, MAX_SAFE);
                g_assert_cmpuint(first & 0xffff, ==, 1);
                g_assert_cmpuint(instance_ids_next(&ids), ==, first + 1);
                last = instance_ids_next(&ids);
        }
}

static void test_generation_runs_out(void) {
        InstanceIds ids;
        uint64_t id, prev = 0, generation;

        instance_ids_begin(&ids);
        generation = ids.generation;
        for (unsigned k = 0; k < 0xffff; k++) {
                id = instance_ids_next(&ids);
                g_assert_cmpuint(id, >, prev);
                prev = id;
        }
        g_assert_cmpuint(prev, ==, (generation << 16) | 0xffff);
        /* The next one is of a later generation, not (generation << 16) + 2^16. */
        id = instance_ids_next(&ids);
        g_assert_cmpuint(ids.generation, >, generation);
        g_assert_cmpuint(id, ==, (ids.generation << 16) | 1);
        g_assert_cmpuint(id, <, MAX_SAFE);

        /* A wand started right after this one still comes after it. */
        {
                InstanceIds next;
                instance_ids_begin(&next);
                g_assert_cmpuint(instance_ids_next(&next), >, id);
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/instance-id/restarts", test_restarts);
        g_test_add_func("/instance-id/generation-runs-out", test_generation_runs_out);
        return g_test_run();
}
