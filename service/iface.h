/* A WAN interface and its state machine. This file's iface_update() is the
 * only code that changes State; everything else asks it to. The model knows
 * nothing of D-Bus: it reports property changes through iface_send_changed()
 * (iface-bus.c) and finishes operations through IfaceDoneFunc callbacks. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

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
} IfaceReason;

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
} IfaceProperty;

typedef enum IfaceOp {
        IFACE_OP_NONE,
        IFACE_OP_CONNECT,
        IFACE_OP_DISCONNECT,
} IfaceOp;

/* How an operation ended: r == 0, or r < 0 with a message for the caller.
 * -ECONNREFUSED means ConnectionFailed. */
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
        Settings settings;

        const ConnMethod *method;

        /* What we last published. */
        IfaceState state;
        unsigned reasons;
        int ifindex;
        uint64_t connected_since;
        char *last_error;

        IfaceOp op;
        IfaceWaiter *connect_waiters;
        IfaceWaiter *disconnect_waiters;
        IfaceWaiter *connect_after_teardown; /* Connect() while disconnecting */
        sd_event_source *op_timeout;
        uint32_t netlink_request;
        void *method_data; /* the connection method's own state */

        /* Persistent redialing: active from an administrator's Connect()
         * until their Disconnect(). */
        bool redialing;
        bool redial_after_teardown;
        bool gave_up;                /* unreachable/connection-failure */
        unsigned redial_failures;    /* failed redials in a row */
        bool redial_attempt;         /* the attempt in flight is a redial */
        sd_event_source *redial_timer;

        /* On the bus: InterfacesAdded sent, or there from the start; property
         * changes are announced only then, and no longer once removed. */
        bool announced;
        Iface *device_next; /* other interfaces on the same device */
};

int iface_new(Iface **ret, Manager *m, const char *name, const Settings *settings);
Iface *iface_free(Iface *i);

const char *iface_state_to_string(IfaceState s);
/* NULL-terminated list of reason strings, static storage. */
void iface_reasons_to_strv(unsigned reasons, const char *ret[static 5]);

/* Re-derives State, IfIndex, reasons from the kernel, settings and manager,
 * completes operations that reached their goal, and announces changes. */
void iface_update(Iface *i);

/* Starts a connection attempt or joins the one in flight. Returns 0 when
 * done will be called later, or -errno when the interface is in no state to
 * connect (-EISCONN connected, -EHOSTDOWN disabled, -ENETUNREACH unreachable,
 * -ESRCH demand-dial manager stopped). */
int iface_connect(Iface *i, IfaceDoneFunc done, void *userdata);

/* Tears the connection down, cancels an attempt or joins a teardown. Returns 0
 * when done will be called later, -ENOTCONN when there is nothing to
 * disconnect, -ESRCH when the demand-dial manager is stopped. */
int iface_disconnect(Iface *i, IfaceDoneFunc done, void *userdata);

/* Like iface_disconnect(), but for the service itself (disabling,
 * StopDemandDialManager): done is called at once when nothing is up. */
int iface_ensure_disconnected(Iface *i, IfaceDoneFunc done, void *userdata);

/* Replaces the settings (Reload, SetEnabled) and announces what changed. */
int iface_set_settings(Iface *i, const Settings *s);

/* Fails every waiter (the interface is going away). */
void iface_abort_operations(Iface *i, const char *message);

/* Called by connection methods: an operation failed; or the connection went
 * down without anyone asking (a persistent interface then redials). */
void iface_method_failed(Iface *i, int r, const char *message);
void iface_connection_dropped(Iface *i, const char *message);

/* Stops a connection method for good: the interface is going away. */
void iface_terminate(Iface *i);

/* Implemented by the bus layer. */
void iface_send_changed(Iface *i, unsigned props);
