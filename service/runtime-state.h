/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a restarted wand needs to know, in the runtime directory (a tmpfs:
 * gone at boot):
 * - dialers/<interface>: the dialer an interface left running;
 * - dialers/.stopping-<pid>-<interface>: the dialer of an interface that is
 *   gone, still being stopped;
 * - demand-dial: "running" or "stopped", the demand-dial manager as the last
 *   wand left it.
 * A dialer's record is "PID START_TIME KILL_AFTER_SEC [stopping]"; records
 * written before KILL_AFTER_SEC existed ("PID START_TIME") still load. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct DialerRecord {
        pid_t pid;
        uint64_t start_time;     /* /proc/PID/stat's, against pid reuse */
        uint32_t kill_after_sec; /* SIGTERM, then SIGKILL after this (DisconnectTimeoutSec) */
        bool stopping;           /* being stopped: a restarted wand finishes that */
} DialerRecord;

int runtime_state_save(const char *dir, const char *name, const DialerRecord *rec);
/* -ENOENT when nothing is recorded, -EBADMSG when the record is not one. */
int runtime_state_load(const char *dir, const char *name, DialerRecord *ret);
int runtime_state_forget(const char *dir, const char *name);

/* The record name of a dialer of interface name that is being stopped
 * (".stopping-<pid>-<name>"); NULL on OOM. */
char *runtime_state_stopping_name(const char *name, pid_t pid);
/* The interface a record name is of (name itself, or the end of a stopping
 * name), NULL for a name that is no record's (a temporary file). */
const char *runtime_state_record_interface(const char *record_name);
/* Every record's name in dialers/, NULL-terminated (empty when there is
 * none), or -errno. */
int runtime_state_list(const char *dir, char ***ret);

/* The demand-dial manager's state: -ENOENT when none is recorded (the first
 * start since boot). */
int runtime_state_save_demand_dial(const char *dir, bool running);
int runtime_state_load_demand_dial(const char *dir, bool *ret_running);
