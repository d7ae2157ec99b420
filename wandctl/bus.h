/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wandctl's side of the bus: connecting (here or over ssh), the polkit agent,
 * and calls to wand that print what went wrong. */
#pragma once

#include <stdarg.h>
#include <systemd/sd-bus.h>

#include "exit-status.h"
#include "wandctl.h"

/* How long a read (list, status, a name's handle) may take without
 * --timeout: sd-bus's and busctl's default. */
#define BUS_READ_TIMEOUT_USEC (25ULL * 1000000ULL)

/* Opens the system bus, or the one of c->host over ssh. Returns 0 or an exit
 * status, having said why. */
int bus_connect(Context *c);

/* Stops the agent, if one was started, and closes the bus. */
void context_done(Context *c);

/* Before a call that polkit guards: starts pkttyagent when a password may
 * be asked on this terminal. */
void bus_prepare_authorization(Context *c);

/* Refuses a name the service could never know (exit status, said why), 0
 * otherwise. */
int check_interface_name(const char *name);

/* The interface's handle, from GetInterfaceByName, as MprAdminInterfaceGetHandle
 * gives it. Returns 0 or an exit status, having said why. */
int bus_resolve(Context *c, const Operation *op, const char *name, char **ret_path);

/* Resolves name, then calls member of org.wand.Router1.Interface on it, with
 * the polkit agent ready. Returns 0 or an exit status, having said why. */
int bus_call_interface(Context *c, const Operation *op, const char *name, const char *member, const char *types, ...);

/* Calls member of org.wand.Router1.Manager; iface names the interface the
 * messages speak of (or NULL). reply may be NULL. Returns 0 or an exit
 * status, having said why. */
int bus_call_manager(Context *c, const Operation *op, const char *iface, sd_bus_message **reply, const char *member,
                     const char *types, ...);

/* The timeout for sd_bus_call() of op: none for what polkit guards (wand
 * bounds it), the connection's otherwise; --timeout bounds every call. */
uint64_t bus_call_timeout(const Context *c, const Operation *op);

/* Sends a method call built by the caller (CreateInterface's a{sv}), with
 * bus_call_timeout(). */
int bus_call(Context *c, const Operation *op, const char *iface, sd_bus_message *m, sd_bus_message **reply);
