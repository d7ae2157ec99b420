/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See bus-budget.h. */
#include <assert.h>

#include "bus-budget.h"

/* Checks at most 96: polkit may wait minutes for a password (polkit.c
 * also caps them at 16 per uid, so that six users fit at their maximum).
 * Lookups at most 8: NetworkManager and networkd answer in a millisecond,
 * so they queue only while hundreds of interfaces start. Learning who a
 * caller is takes what is left, never less than 8, so that new callers
 * (and root, which needs nothing more) get through while the others are
 * at their maximum. */
static const size_t shares[_BUS_BUDGET_USE_MAX] = {
        [BUS_BUDGET_CALLER] = BUS_BUDGET_MAX,
        [BUS_BUDGET_CHECK] = 96,
        [BUS_BUDGET_LOOKUP] = 8,
};

size_t bus_budget_share(BusBudgetUse use) {
        return shares[use];
}

bool bus_budget_has_room(const BusBudget *b, BusBudgetUse use) {
        return b->used[use] < shares[use] && b->total < BUS_BUDGET_MAX;
}

void bus_budget_take(BusBudget *b, BusBudgetUse use) {
        b->used[use]++;
        b->total++;
}

void bus_budget_release(BusBudget *b, BusBudgetUse use) {
        assert(b->used[use] > 0 && b->total > 0);
        b->used[use]--;
        b->total--;
        if (b->room)
                b->room(b->room_userdata);
}
