/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time as the state machine sees it: "now" and one-shot timers. The daemon
 * runs on sd-event's clocks (clock_event_new()); the unit tests drive a clock
 * of their own, so that timeouts fire exactly when a test says. */
#pragma once

#include <stdint.h>
#include <time.h>
#include <systemd/sd-event.h>

typedef struct Clock Clock;
typedef struct ClockTimer ClockTimer;
typedef void (*ClockTimerFunc)(void *userdata);

typedef struct ClockOps {
        uint64_t (*now)(Clock *c, clockid_t id); /* µs of CLOCK_REALTIME or CLOCK_MONOTONIC */
        /* Arms t to fire once, t->usec after now on CLOCK_MONOTONIC. */
        int (*arm)(Clock *c, ClockTimer *t);
        void (*disarm)(Clock *c, ClockTimer *t);
} ClockOps;

struct Clock {
        const ClockOps *ops;
        void *data; /* the implementation's own */
};

struct ClockTimer {
        Clock *clock;
        ClockTimer **slot; /* where its owner keeps it; cleared when it fires */
        uint64_t usec;
        ClockTimerFunc func;
        void *userdata;
        void *impl; /* the implementation's own: an event source, a list entry */
};

uint64_t clock_now(Clock *c, clockid_t id);

/* Starts a one-shot timer usec from now and stores it in *slot, replacing
 * (stopping) any timer there. When it fires, *slot is cleared before func
 * runs, so func may start it again. Returns 0 or -errno. */
int clock_timer_start(Clock *c, ClockTimer **slot, uint64_t usec, ClockTimerFunc func, void *userdata);
/* Stops the timer in *slot, if any, and clears the slot. */
void clock_timer_stop(ClockTimer **slot);
/* Called by implementations when t is due. */
void clock_timer_fire(ClockTimer *t);

/* The daemon's clock, on sd-event. */
int clock_event_new(Clock **ret, sd_event *event);
Clock *clock_event_free(Clock *c);

#define USEC_PER_SEC UINT64_C(1000000)
/* seconds → µs for settings in seconds; u32 seconds never overflow. */
static inline uint64_t sec_to_usec(uint32_t sec) {
        return (uint64_t) sec * USEC_PER_SEC;
}
