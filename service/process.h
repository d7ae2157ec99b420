/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Child processes wand runs and supervises (dialers, disconnect commands):
 * spawned with a minimal environment in their own session and process group,
 * no inherited descriptors, output logged under the interface's name, and
 * watched through a pidfd on the event loop. A process can also be adopted
 * after a restart of wand, verified against pid reuse by its start time. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef struct Process Process;

/* The process is gone. For our own children code/status are waitid()'s
 * si_code (CLD_EXITED, CLD_KILLED, CLD_DUMPED) and si_status; for adopted
 * processes, whose status only their parent learns, code is 0. */
typedef void (*ProcessExitFunc)(Process *p, int code, int status, void *userdata);

/* log_name prefixes every line of output ("wan0"); env adds variables
 * ("KEY=value", NULL-terminated, may be NULL) to the minimal environment. */
int process_spawn(Process **ret, sd_event *event, char *const argv[], char *const env[], const char *log_name,
                  ProcessExitFunc on_exit, void *userdata);

/* The same, but the child waits before it runs argv until process_let_go():
 * time to record its pid first. Should wand die before that (a crash), the
 * child exits without running anything, and nothing runs that no record
 * names. */
int process_spawn_held(Process **ret, sd_event *event, char *const argv[], char *const env[], const char *log_name,
                       ProcessExitFunc on_exit, void *userdata);
int process_let_go(Process *p);

/* Watches a process wand did not start (or started before a restart).
 * -ESRCH when it is gone, or when its start time shows that pid now belongs
 * to another process. */
int process_adopt(Process **ret, sd_event *event, pid_t pid, uint64_t start_time, const char *log_name,
                  ProcessExitFunc on_exit, void *userdata);

/* Signals the process's whole process group. */
int process_kill(Process *p, int sig);

pid_t process_pid(const Process *p);
uint64_t process_start_time(const Process *p);
bool process_adopted(const Process *p);

/* "exited with status 1", "was killed by SIGTERM", … for messages. */
char *process_describe_exit(int code, int status);

/* Stops watching (and logging); the process itself is left alone. */
Process *process_free(Process *p);

/* Processes nobody waits for any more (their interface is gone) but that
 * must still be reaped, and killed if a SIGTERM was not enough. */
typedef struct ProcessReaper ProcessReaper;
int process_reaper_new(ProcessReaper **ret, sd_event *event);
/* Called once a process given to the reaper has exited (not when the reaper
 * is freed: wand is exiting then). */
typedef void (*ProcessReapedFunc)(void *userdata);
/* Takes p; sends SIGKILL to its group after kill_after_sec unless it exits;
 * reaped (may be NULL) is called when it has. */
void process_reaper_add(ProcessReaper *reaper, Process *p, uint32_t kill_after_sec, ProcessReapedFunc reaped,
                        void *userdata);
ProcessReaper *process_reaper_free(ProcessReaper *reaper);

/* The start time (clock ticks since boot, /proc/PID/stat field 22). */
int process_read_start_time(pid_t pid, uint64_t *ret);
