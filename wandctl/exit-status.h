/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wandctl's exit statuses, one per kind of failure, and what each contract
 * error means to a person: the message, the hint, the status. The error
 * names come from common/wand-errors.h; this table adds only what a client
 * needs, keyed by those names. wandctl(1) documents the statuses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

#include "wandctl.h"

typedef enum ExitStatus {
        EXIT_OK = 0,
        EXIT_GENERIC = 1,            /* anything not listed below, Failed among it */
        EXIT_USAGE = 2,              /* bad command line, or InvalidArgs */
        EXIT_TIMEOUT = 3,            /* no answer within --timeout; `wait` timed out; `manager status` when stopped */
        EXIT_CONNECTION_FAILED = 4,  /* ConnectionFailed */
        EXIT_DDM_STOPPED = 5,        /* DemandDialManagerNotRunning */
        EXIT_STATE_CONFLICT = 6,     /* the interface is in no state for it */
        EXIT_NOT_RUNNING = 8,        /* wand (or the bus, or the ssh link) is not there */
        EXIT_NO_SUCH_INTERFACE = 10, /* NoSuchInterface, InvalidHandle */
        EXIT_NOT_AUTHORIZED = 11,    /* AccessDenied, InteractiveAuthorizationRequired */
} ExitStatus;

/* What the caller was doing, for "Cannot <verb> <interface>: …". */
typedef struct Operation Operation;
struct Operation {
        const char *verb;           /* "connect", "stop the demand-dial manager" */
        /* The action that guards it, or NULL. A call polkit guards waits for
         * as long as wand takes (see bus_call_timeout()). */
        const char *polkit_action;
        /* Whether the error e means that what was asked holds already
         * (connect on a connected interface): then it has printed a note on
         * stderr, and the command succeeds. NULL: never. */
        bool (*already_done)(Context *c, const char *iface, const sd_bus_error *e);
};

typedef struct ErrorText {
        const char *name;       /* a name from wand-errors.h, or a freedesktop one */
        ExitStatus status;
        const char *summary;    /* a few words: "not connected" */
        /* Templates: {iface}, {action} (the polkit action), {wandctl}
         * ("wandctl" or "wandctl -H HOST"), {where} ("" or " on HOST"). A
         * hint whose placeholder has no value is left out. */
        const char *reason;
        const char *hint;
        bool show_detail;       /* the service's own message adds facts */
} ErrorText;

extern const ErrorText error_texts[];
extern const size_t error_texts_count;

const ErrorText *error_text_lookup(const char *name);

/* Prints "Cannot <verb> [iface]: <reason> — <hint>." (and the service's
 * message where it tells more) to stderr and returns the exit status. e may
 * be unset: r (negative errno) is then a failure of the connection itself.
 * An error op->already_done() accepts is a note and EXIT_OK instead. */
int error_report(Context *c, const Operation *op, const char *iface, const sd_bus_error *e, int r);

/* For usage errors and local failures: prints "wandctl: …" and returns
 * status. */
int fail(int status, const char *format, ...) __attribute__((format(printf, 2, 3)));
