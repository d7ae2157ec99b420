/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit trail: who asked wand to change what, what polkit said, and how
 * it ended — one journal entry when a call is decided (authorized or not)
 * and one with its result, each with a MESSAGE_ID from wand's catalog
 * (data/wand.catalog) and fields an administrator can query after an
 * outage: journalctl MESSAGE_ID=… -o verbose. Without journald (wand run by
 * hand, the tests) the same sentence goes to stderr. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* Who called, as far as the bus told (asynchronously, before the call was
 * decided); known is false when it did not. */
typedef struct AuditCaller {
        const char *name; /* unique bus name */
        bool known;
        uint32_t uid, pid;
} AuditCaller;

typedef enum AuditVerdict {
        AUDIT_VERDICT_ROOT,       /* uid 0: polkit is not asked */
        AUDIT_VERDICT_AUTHORIZED, /* polkit said yes */
        AUDIT_VERDICT_DENIED,     /* polkit said no, or could not be asked */
        AUDIT_VERDICT_CHALLENGE,  /* polkit wants authentication, not allowed */
        AUDIT_VERDICT_LIMIT,      /* too many checks waiting: polkit not asked */
        _AUDIT_VERDICT_MAX,
} AuditVerdict;

#define WAND_MESSAGE_AUTHORIZED "46c5bd40c0324b2691d395e4a39f611b"
#define WAND_MESSAGE_DENIED "4473b37c2a4a4c958e8790cfabf71f2a"
#define WAND_MESSAGE_CONNECT "caee8bda8a084c238195166b877eb13b"
#define WAND_MESSAGE_DISCONNECT "f94fd50b57444aca94bc0968bd5ac35b"
#define WAND_MESSAGE_CONFIGURE "dc56e25be7af408084f1f655f9f3ac27"
#define WAND_MESSAGE_CONTROL "3e3ea9b87bfa4d17a3cfb7be170e548a"

/* call was decided: action (org.wand.Router1.…), interface (NULL for the
 * manager's methods), why (polkit's or wand's words, may be NULL). */
void audit_decision(sd_bus_message *call, const AuditCaller *caller, const char *action, const char *interface,
                    AuditVerdict verdict, const char *why);

/* Whether call gets an entry with its result (GetSettings, which changes
 * nothing, gets only its decision). */
bool audit_has_result(sd_bus_message *call);

/* call ended: error NULL or unset for success. */
void audit_result(sd_bus_message *call, const AuditCaller *caller, const char *interface, const sd_bus_error *error);
