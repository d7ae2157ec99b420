/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The unit tests' world for the interface state machine: wand's own manager,
 * interfaces and configuration code, run without root, bus or kernel. Time
 * is a fake clock that moves only when the test says; the kernel's links are
 * rtnetlink messages the test makes and feeds to wand's link cache; the
 * connection methods are scripted (a "device" one that queues set-link
 * requests the test answers, a "dialer" one whose processes — dialers and
 * DisconnectCommands — come up, exit or ignore SIGTERM when the test says);
 * other network managers take and release devices when the test says; calls
 * wait for a polkit answer the test gives. Everything happens when the test says, in the order it says. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "iface.h"
#include "link-cache.h"
#include "manager.h"

#define WORLD_MAX_LINKS 16
#define WORLD_MAX_PROCS 32
#define WORLD_MAX_MESSAGES 256
#define WORLD_MAX_CALLS 256

typedef struct WorldLink {
        char name[16];
        int ifindex;
        bool exists, up, carrier; /* carrier: the other end is there */
        bool up_by_wand;          /* the last admin change was wand's */
        bool made_by_dialer;      /* a dialer's tun: gone with the dialer */
        bool managed_elsewhere;   /* NetworkManager manages it (kept while absent) */
} WorldLink;

typedef struct WorldProc {
        char iface[65];
        char device[16];
        bool running;
        bool term;         /* SIGTERM sent */
        bool killed;       /* SIGKILL sent: it exits at the next chance */
        bool ignores_term;
        bool orphan;       /* its interface is gone; wand's reaper stops it */
        bool disconnect_command; /* the DisconnectCommand, not the dialer */
        ClockTimer *kill_timer;
} WorldProc;

/* What the kernel has queued for wand, in order: a link notification, or
 * the answer to a set-link request (whose change the kernel made at once,
 * and whose notification is queued before the answer). */
typedef struct WorldMessage {
        bool is_answer;
        /* notification */
        uint16_t type;        /* RTM_NEWLINK, RTM_DELLINK */
        unsigned char family; /* AF_UNSPEC, AF_BRIDGE */
        Link link;            /* as it was then */
        /* answer */
        char iface[65];
        unsigned request;     /* wand's request, see requests_cancelled */
        int error;
} WorldMessage;

typedef enum CallKind {
        CALL_CONNECT,
        CALL_DISCONNECT,
        CALL_SET_ENABLED,
        CALL_DELETE,
        CALL_CREATE,
        CALL_RELOAD,
        CALL_START,
        CALL_STOP,
        _CALL_KIND_MAX,
} CallKind;

typedef enum CallPhase {
        CALL_AUTHORIZING, /* polkit decides */
        CALL_RUNNING,     /* wand works on it */
        CALL_ANSWERED,
} CallPhase;

typedef struct WorldCall {
        unsigned id;
        CallKind kind;
        char name[65];
        bool arg;            /* SetEnabled's */
        Settings settings;   /* Create's */
        CallPhase phase;
        unsigned answers;    /* how often wand answered: must end as 1 */
        char error[128];     /* "" for success: a D-Bus error name */
        char message[256];
        /* The interface as the caller could read it right after the answer. */
        IfaceState state_at_answer;
        char last_error_at_answer[64];
        bool running_at_answer; /* the demand-dial manager's */
        unsigned step;          /* when it was made, for the model's messages */
} WorldCall;

typedef struct World {
        sd_event *event;
        Clock clock;
        uint64_t now;         /* µs, CLOCK_MONOTONIC of the fake clock */
        void *timers;         /* armed ClockTimer*, see world_clock_next() */
        char *config_dir;
        char *runtime_dir;
        Manager *manager;

        WorldLink links[WORLD_MAX_LINKS];
        size_t n_links;
        int next_ifindex;
        WorldProc procs[WORLD_MAX_PROCS];
        size_t n_procs;
        WorldMessage messages[WORLD_MAX_MESSAGES];
        size_t n_messages;
        unsigned next_request;
        unsigned cancelled[WORLD_MAX_MESSAGES]; /* requests whose answer nobody wants */
        size_t n_cancelled;
        bool dialers_ignore_term; /* for dialers started from now on */
        bool dialers_fail_to_start; /* their spawn fails (a missing program) */

        WorldCall *calls[WORLD_MAX_CALLS];
        size_t n_calls;
        unsigned next_call_id;
        char log[4096];   /* what went wrong, for the test's message */
} World;

World *world_new(void);
void world_free(World *w);
/* Loads the configuration files written so far (wand's start-up). */
void world_start(World *w);

/* Configuration files, as an administrator writes them. */
void world_write_iface(World *w, const char *name, const Settings *s);
void world_remove_iface_file(World *w, const char *name);
/* Reads a file back with wand's parser; false when absent or broken. */
bool world_read_iface(World *w, const char *name, Settings *ret);

/* The kernel: changes happen at once, wand learns of them when the test
 * delivers the kernel's messages. */
WorldLink *world_link(World *w, const char *name);
void world_link_add(World *w, const char *name, bool carrier);
void world_link_set(World *w, const char *name, bool up, bool carrier);
void world_link_del(World *w, const char *name);
/* RTM_DELLINK of family AF_BRIDGE: the port left its bridge. */
void world_link_bridge_del(World *w, const char *name);
/* Another network manager takes the device, or lets go of it; wand learns
 * of it at once (as link-owners.c tells the manager). */
void world_set_managed_elsewhere(World *w, const char *name, bool managed);
/* Delivers the oldest queued message; false when there is none. */
bool world_netlink_deliver(World *w);
/* Delivers every queued message. */
void world_netlink_flush(World *w);
/* Set-link requests wand made that the kernel has not answered yet. */
size_t world_requests_pending(World *w);

/* Dialers: with a DisconnectCommand, a teardown runs it (it runs until the
 * test says it exits) instead of sending SIGTERM; wand kills both after
 * DisconnectTimeoutSec. */
WorldProc *world_proc(World *w, const char *iface);
WorldProc *world_disconnect_command(World *w, const char *iface);
/* The running dialer of iface creates its device, up with carrier. */
bool world_dialer_up(World *w, const char *iface);
/* The dialer of iface exits (crash, or after a signal). */
bool world_dialer_exit(World *w, const char *iface);
/* That process exits (also one whose interface is gone). */
bool world_proc_exit(World *w, WorldProc *p);

/* Time: fires every timer due at the earliest armed time; false when no
 * timer is armed. */
bool world_clock_next(World *w);

/* Calls: they wait for polkit, world_authorize() lets them through (or
 * denies them: AccessDenied); the handler then runs as wand's bus layer
 * would: handle, then state. */
WorldCall *world_call(World *w, CallKind kind, const char *name);
void world_authorize(World *w, WorldCall *c, bool allow);
const char *call_kind_to_string(CallKind k);

Iface *world_iface(World *w, const char *name);
