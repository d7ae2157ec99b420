/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See clock.h: the timer bookkeeping every clock shares, and the daemon's
 * clock on sd-event. */
#include <errno.h>
#include <stdlib.h>

#include "clock.h"

uint64_t clock_now(Clock *c, clockid_t id) {
        return c->ops->now(c, id);
}

void clock_timer_stop(ClockTimer **slot) {
        ClockTimer *t = *slot;

        if (!t)
                return;
        *slot = NULL;
        t->clock->ops->disarm(t->clock, t);
        free(t);
}

int clock_timer_start(Clock *c, ClockTimer **slot, uint64_t usec, ClockTimerFunc func, void *userdata) {
        ClockTimer *t;
        int r;

        clock_timer_stop(slot);
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        *t = (ClockTimer) { .clock = c, .slot = slot, .usec = usec, .func = func, .userdata = userdata };
        r = c->ops->arm(c, t);
        if (r < 0) {
                free(t);
                return r;
        }
        *slot = t;
        return 0;
}

void clock_timer_fire(ClockTimer *t) {
        ClockTimerFunc func = t->func;
        void *userdata = t->userdata;

        /* The slot is empty before func runs: it may start the timer anew. */
        clock_timer_stop(t->slot);
        func(userdata);
}

/* The daemon's clock. */

static uint64_t event_now(Clock *c, clockid_t id) {
        uint64_t usec = 0;
        (void) sd_event_now(c->data, id, &usec);
        return usec;
}

static int on_event_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        clock_timer_fire(userdata);
        return 0;
}

static int event_arm(Clock *c, ClockTimer *t) {
        sd_event_source *s;
        int r;

        r = sd_event_add_time_relative(c->data, &s, CLOCK_MONOTONIC, t->usec, 0, on_event_timer, t);
        if (r < 0)
                return r;
        t->impl = s;
        return 0;
}

static void event_disarm(Clock *c, ClockTimer *t) {
        t->impl = sd_event_source_disable_unref(t->impl);
}

static const ClockOps event_clock_ops = {
        .now = event_now,
        .arm = event_arm,
        .disarm = event_disarm,
};

int clock_event_new(Clock **ret, sd_event *event) {
        Clock *c = calloc(1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        c->ops = &event_clock_ops;
        c->data = sd_event_ref(event);
        *ret = c;
        return 0;
}

Clock *clock_event_free(Clock *c) {
        if (!c)
                return NULL;
        sd_event_unref(c->data);
        free(c);
        return NULL;
}
