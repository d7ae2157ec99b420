/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See instance-id.h. */
#include <errno.h>
#include <inttypes.h>
#include <time.h>

#include "instance-id.h"
#include "log.h"
#include "runtime-state.h"

/* A generation the file's count never reaches: 2^20 plus the seconds since
 * boot (modulo 2^20). Ids made from it cannot repeat those counted from the
 * file; they could repeat those of an earlier fallback only if the count
 * were lost again within as many seconds as wand started meanwhile. */
static uint32_t fallback_generation(void) {
        struct timespec ts = {};

        (void) clock_gettime(CLOCK_BOOTTIME, &ts);
        return INSTANCE_GENERATION_FALLBACK + ((uint32_t) ts.tv_sec & (INSTANCE_GENERATION_FALLBACK - 1));
}

void instance_ids_begin(InstanceIds *ids, const char *runtime_dir, bool first_start) {
        uint32_t last = 0;
        int r;

        r = runtime_state_load_generation(runtime_dir, INSTANCE_GENERATION_MAX, &last);
        if (r == -ENOENT && first_start)
                ids->generation = 1;
        else if (r < 0) {
                /* Unreadable, not a count of ours, or removed while an
                 * earlier wand's records stayed: what it counted is lost. */
                ids->generation = fallback_generation();
                log_warning_errno(r, "Cannot read the count of wand's starts in %s/instance-generation; InstanceIds "
                                  "start from %" PRIu32 " << 32 instead, a range the count does not reach: %m",
                                  runtime_dir, ids->generation);
        } else if (last == INSTANCE_GENERATION_FALLBACK - 1 || last == INSTANCE_GENERATION_MAX) {
                ids->generation = fallback_generation();
                log_warning("wand has started %" PRIu32 " times since boot; InstanceIds start from %" PRIu32
                            " << 32 instead.", last, ids->generation);
        } else
                ids->generation = last + 1;
        ids->made = 0;

        r = runtime_state_save_generation(runtime_dir, ids->generation);
        if (r < 0)
                log_warning_errno(r, "Cannot record the count of wand's starts in %s/instance-generation; the "
                                  "next wand may repeat this one's InstanceIds: %m", runtime_dir);
}

int instance_ids_next(InstanceIds *ids, uint64_t *ret) {
        if (ids->made == UINT32_MAX)
                return -EOVERFLOW;
        *ret = ((uint64_t) ids->generation << 32) | ++ids->made;
        return 0;
}
