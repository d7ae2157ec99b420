/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The calls wand waits on at once, counted in one place. dbus-daemon lets a
 * connection wait for at most 128 replies (the system bus's
 * max_replies_per_connection) and refuses its calls past that, to polkit and
 * to NetworkManager alike: wand's authorization checks (polkit.c) and its
 * questions to the other network managers (link-owners.c) draw on this one
 * budget, each use within a share of its own, so that neither can take what
 * the other needs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum BusBudgetUse {
        BUS_BUDGET_CALLER, /* polkit.c: who a caller is (GetConnectionCredentials) */
        BUS_BUDGET_CHECK,  /* polkit.c: CheckAuthorization, maybe waiting for a password */
        BUS_BUDGET_LOOKUP, /* link-owners.c: a device at NetworkManager or systemd-networkd */
        _BUS_BUDGET_USE_MAX,
} BusBudgetUse;

/* 16 of the 128 stay outside the budget, for wand's calls that are few or
 * rare: CancelCheckAuthorization, claiming a device, GetNameOwner. */
#define BUS_BUDGET_MAX 112

typedef struct BusBudget {
        size_t used[_BUS_BUDGET_USE_MAX];
        size_t total;
        /* Set by the one user that queues instead of refusing: told (at
         * once, from inside whoever gave room back) that some may be free. */
        void (*room)(void *userdata);
        void *room_userdata;
} BusBudget;

/* How many calls of this use may wait at once. */
size_t bus_budget_share(BusBudgetUse use);
/* Whether one more call of this use fits (its share, and the whole). */
bool bus_budget_has_room(const BusBudget *b, BusBudgetUse use);
/* A call of this use was sent, or answered (or abandoned). */
void bus_budget_take(BusBudget *b, BusBudgetUse use);
void bus_budget_release(BusBudget *b, BusBudgetUse use);
