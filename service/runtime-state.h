/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a restarted wand needs to know: the dialers it left running, one
 * file per interface in <runtime-dir>/dialers/, "PID START_TIME". */
#pragma once

#include <stdint.h>
#include <sys/types.h>

int runtime_state_save(const char *dir, const char *name, pid_t pid, uint64_t start_time);
/* -ENOENT when nothing is recorded. */
int runtime_state_load(const char *dir, const char *name, pid_t *ret_pid, uint64_t *ret_start_time);
int runtime_state_forget(const char *dir, const char *name);
