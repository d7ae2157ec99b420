/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asking polkit whether a caller may do something, without blocking anyone.
 *
 * A method handler calls polkit_check() first thing after validating its
 * arguments. The first time it returns 0: the question is out, the handler
 * returns 1 ("reply later") and keeps nothing. When the answer is in, the
 * request message is put back on the bus's read queue, so the handler runs
 * again from the top — re-reading any state that may have changed meanwhile
 * — and this time polkit_check() returns 1 (go on) or an error it has set.
 * Should the handler then ask with another action or other details (the
 * state it read again has changed), polkit is asked again: an answer only
 * ever covers what polkit was shown. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "audit.h"
#include "bus-budget.h"

typedef struct PolkitRegistry PolkitRegistry;

/* budget: shared with wand's other calls; must outlive the registry. */
int polkit_registry_new(PolkitRegistry **ret, sd_bus *bus, BusBudget *budget);
PolkitRegistry *polkit_registry_free(PolkitRegistry *reg);

/* details: NULL or a NULL-terminated list of key, value, key, value, ….
 * Returns 1: authorized; 0: pending, return 1 from the handler; < 0: denied,
 * error set (AccessDenied or InteractiveAuthorizationRequired), or refused
 * because too many checks are waiting (LimitsExceeded; see polkit.c). */
int polkit_check(PolkitRegistry *reg, sd_bus_message *call, const char *action, const char *const *details,
                 sd_bus_error *error);
/* As polkit_check(); once action is authorized, polkit is also asked about
 * also_action, never interactively, and *ret_also says whether that was
 * authorized too (root: yes). For what a call only shows to some of those
 * who may make it: a no to also_action is no error, and costs one prompt at
 * most (for action). */
int polkit_check_also(PolkitRegistry *reg, sd_bus_message *call, const char *action, const char *const *details,
                      const char *also_action, bool *ret_also, sd_bus_error *error);

/* Number of checks in flight (for tests and the hostile-client figures). */
size_t polkit_pending(PolkitRegistry *reg);

/* Who sent call, for its result in the audit trail: for an authorized call,
 * as the bus told before it was decided (however many callers came since);
 * forgotten then. Otherwise as far as the bus has told (see AuditCaller). */
void polkit_take_caller(PolkitRegistry *reg, sd_bus_message *call, AuditCaller *ret);
