/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A WAN interface and its state machine. iface.c is the only code that writes
 * an interface's State, operation, waiters, settings and redial fields;
 * connection methods report what happened (iface_update(),
 * iface_method_failed(), iface_connection_dropped(), iface_connection_adopted())
 * and the manager and the bus layer ask (iface_connect(), iface_set_settings(),
 * …). The model knows nothing of D-Bus: it reports property changes through
 * iface_send_changed() (iface-bus.c) and finishes operations through
 * IfaceDoneFunc callbacks. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "settings.h"

typedef struct Manager Manager;
typedef struct Iface Iface;
typedef struct ConnMethod ConnMethod;

typedef enum IfaceState {
        IFACE_UNREACHABLE,
        IFACE_DISCONNECTED,
        IFACE_CONNECTING,
        IFACE_CONNECTED,
        IFACE_DISCONNECTING,
        _IFACE_STATE_MAX,
} IfaceState;

typedef enum IfaceReason {
        IFACE_REASON_DISABLED = 1 << 0,
        IFACE_REASON_NO_DEVICE = 1 << 1,
        IFACE_REASON_CONNECTION_FAILURE = 1 << 2,
        IFACE_REASON_SERVICE_STOPPED = 1 << 3,
        /* wand's addition: NetworkManager or systemd-networkd manages Device
         * and ClaimDevice= does not hand it to wand. */
        IFACE_REASON_MANAGED_ELSEWHERE = 1 << 4,
} IfaceReason;

#define IFACE_REASONS_MAX 5

/* Which properties changed, for iface_send_changed(). */
typedef enum IfaceProperty {
        IFACE_PROP_DEVICE = 1 << 0,
        IFACE_PROP_IFINDEX = 1 << 1,
        IFACE_PROP_STATE = 1 << 2,
        IFACE_PROP_ENABLED = 1 << 3,
        IFACE_PROP_PERSISTENT = 1 << 4,
        IFACE_PROP_REASONS = 1 << 5,
        IFACE_PROP_LAST_ERROR = 1 << 6,
        IFACE_PROP_CONNECTED_SINCE = 1 << 7,
        IFACE_PROP_MANAGED_BY = 1 << 8,
        IFACE_PROP_LAST_ERROR_REASON = 1 << 9,
} IfaceProperty;

/* Why the last connection attempt failed: LastErrorReason, wand's addition.
 * One vocabulary, which the reasons a connection went down will extend. */
typedef enum IfaceFailure {
        IFACE_FAILURE_NONE,        /* "": nothing failed since the last connection */
        IFACE_FAILURE_TIMEOUT,     /* ConnectTimeoutSec passed, Device absent or down */
        IFACE_FAILURE_NO_CARRIER,  /* ConnectTimeoutSec passed, Device up without carrier */
        IFACE_FAILURE_DIALER_EXITED, /* the dialer exited before the connection came up */
        IFACE_FAILURE_DEVICE_GONE, /* Device disappeared during the attempt */
        IFACE_FAILURE_REFUSED,     /* the interface's state ended the attempt (another manager took Device) */
        IFACE_FAILURE_START_FAILED, /* wand could not start it: the dialer not spawned, the kernel refused */
        _IFACE_FAILURE_MAX,
} IfaceFailure;

typedef enum IfaceOp {
        IFACE_OP_NONE,
        IFACE_OP_CONNECT,
        IFACE_OP_DISCONNECT,
} IfaceOp;

/* How an operation ended: r == 0, or r < 0 with a message for the caller:
 * a decision (-WAND_E_…, wand-errors.h: -WAND_E_CONNECTION_FAILED for a failed
 * or cancelled attempt, -WAND_E_INVALID_HANDLE for a removed interface), or
 * -errno for a failure (the kernel refused, the teardown timed out, wand is
 * exiting), which callers get as Failed with the message. */
typedef void (*IfaceDoneFunc)(Iface *i, int r, const char *message, void *userdata);

typedef struct IfaceWaiter {
        IfaceDoneFunc done;
        void *userdata;
        struct IfaceWaiter *next;
} IfaceWaiter;

struct Iface {
        Manager *manager;
        char *name;
        char *path;
        /* InstanceId: never the same for two interfaces of one wand, so that
         * a handle kept by a client (the object path) can tell a re-created
         * interface of the same name from the one it had. */
        uint64_t instance_id;
        Settings settings;       /* what the connection runs with */
        /* Settings configured while a connection was up (or a teardown in
         * flight) that it cannot run with: applied once the teardown ends. */
        Settings *next_settings;

        const ConnMethod *method;
        void *method_data; /* the connection method's own state */

        /* What we last published. */
        IfaceState state;
        /* The reasons that apply; published as UnreachabilityReasons only
         * while unreachable (a dialer that still runs is followed first). */
        unsigned reasons;
        int ifindex;
        uint64_t connected_since;
        char *last_error;
        IfaceFailure last_error_reason;
        /* How the attempt that just ended failed: publish() makes it
         * LastError and LastErrorReason. */
        IfaceFailure failure;
        unsigned managed_by; /* LinkOwner bits: who else manages Device */

        IfaceOp op;
        IfaceWaiter *connect_waiters;
        IfaceWaiter *disconnect_waiters;
        IfaceWaiter *connect_after_teardown; /* Connect() while disconnecting */
        IfaceWaiter *settings_waiters;       /* changes waiting for next_settings */
        ClockTimer *op_timeout;
        /* The teardown in flight was started because the connection's
         * settings changed: connect again with the new ones. */
        bool reconnect_after_teardown;

        /* Persistent redialing: active from an administrator's Connect()
         * until their Disconnect(). */
        bool redialing;
        bool redial_after_teardown;
        bool gave_up;                /* unreachable/connection-failure */
        unsigned redial_failures;    /* failed redials in a row */
        bool redial_attempt;         /* the attempt in flight is a redial */
        ClockTimer *redial_timer;    /* the pause before a redial, or after giving up */

        /* On the bus: InterfacesAdded sent, or there from the start; property
         * changes are announced only then, and no longer once removed. */
        bool announced;
        Iface *device_next; /* other interfaces on the same device */
};

int iface_new(Iface **ret, Manager *m, const char *name, const Settings *settings);
Iface *iface_free(Iface *i);

const char *iface_state_to_string(IfaceState s);
const char *iface_failure_to_string(IfaceFailure f);
/* NULL-terminated list of reason strings, static storage. */
void iface_reasons_to_strv(unsigned reasons, const char *ret[static IFACE_REASONS_MAX + 1]);

/* Re-derives State, IfIndex, reasons from the kernel, settings and manager,
 * completes operations that reached their goal, and announces changes.
 * Connection methods call it whenever what they observe may have changed. */
void iface_update(Iface *i);

/* Nothing in flight and State disconnected or unreachable: Disconnect() has
 * nothing to do, Delete() may go ahead. */
bool iface_is_idle(Iface *i);

/* The settings as configured: those waiting for a teardown, else the ones
 * in force. What the configuration file says. */
const Settings *iface_configured_settings(Iface *i);

/* Starts a connection attempt or joins the one in flight. Returns 0 when
 * done will be called later, or the decision when the interface is in no
 * state to connect (-WAND_E_ALREADY_CONNECTED, -WAND_E_INTERFACE_DISABLED,
 * -WAND_E_INTERFACE_UNREACHABLE, -WAND_E_DDM_NOT_RUNNING: the demand-dial
 * manager is stopped or stopping), or -ENOMEM. */
int iface_connect(Iface *i, IfaceDoneFunc done, void *userdata);

/* Tears the connection down, cancels an attempt or joins a teardown. Returns 0
 * when done will be called later, -WAND_E_INTERFACE_NOT_CONNECTED when there
 * is nothing to disconnect, -WAND_E_DDM_NOT_RUNNING when the demand-dial
 * manager is stopped, or -ENOMEM. */
int iface_disconnect(Iface *i, IfaceDoneFunc done, void *userdata);

/* Like iface_disconnect(), but for the service itself (StopDemandDialManager):
 * done is called at once when nothing is up or running. */
int iface_ensure_disconnected(Iface *i, IfaceDoneFunc done, void *userdata);

/* New settings (Reload, SetEnabled); the later request wins. Settings the
 * live connection can run with apply at once. Disabling it, or changing its
 * Device or commands, tears it down first and applies them then; a
 * connection whose Device or commands changed and that stays enabled is
 * connected again with the new settings, as a redial is. done (may be NULL)
 * is called once they apply, possibly before this returns. Returns 0 or
 * -ENOMEM (done not called). */
int iface_set_settings(Iface *i, const Settings *s, IfaceDoneFunc done, void *userdata);

/* Fails every waiter with error, or when error is 0 as fits each (wand is
 * going away: -WAND_E_CONNECTION_FAILED for Connect(), -ECANCELED, a failure,
 * for the others). */
void iface_abort_operations(Iface *i, int error, const char *message);

/* Called by connection methods: an operation failed (r: why it could not
 * act); the dialer exited during an attempt; the connection went down
 * without anyone asking (a persistent interface then redials); or a
 * connection an earlier wand left running was taken over at start-up. */
void iface_method_failed(Iface *i, int r, const char *message);
void iface_dialer_exited(Iface *i, const char *message);
void iface_connection_dropped(Iface *i, const char *message);
void iface_connection_adopted(Iface *i);

/* Stops a connection method for good: the interface is going away. */
void iface_terminate(Iface *i);

/* Implemented by the bus layer. */
void iface_send_changed(Iface *i, unsigned props);
