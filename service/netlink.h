/* The kernel's view of network links, kept current from rtnetlink on the event
 * loop: a cache of every link (index, name, flags), change notifications by
 * name, and asynchronous requests to set a link up or down. The cache is
 * refreshed by a fresh dump whenever the monitor socket overruns (ENOBUFS). */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

typedef struct Link {
        int ifindex;
        unsigned flags;
        char name[IFNAMSIZ];
        uint64_t generation; /* dump generation that last saw it */
} Link;

typedef struct Netlink Netlink;

/* Called whenever the link called name appeared, changed or vanished. */
typedef void (*NetlinkChangedFunc)(const char *name, void *userdata);
/* Called once a dump has been applied to the cache. */
typedef void (*NetlinkDumpDoneFunc)(int error, void *userdata);
/* Called with the kernel's answer (0 or -errno) to a request. */
typedef void (*NetlinkRequestFunc)(int error, void *userdata);

int netlink_new(Netlink **ret, sd_event *event, NetlinkChangedFunc changed, void *userdata);
Netlink *netlink_free(Netlink *nl);

/* Fills the cache from a dump; done is called when it is applied. */
int netlink_dump(Netlink *nl, NetlinkDumpDoneFunc done, void *userdata);

/* The cached link of that name, or NULL. */
const Link *netlink_get_link(Netlink *nl, const char *name);

/* Sets the link's IFF_UP. When the kernel has answered, every notification
 * the change caused has been read, so the cache already shows its effect.
 * Returns a request id (> 0) for netlink_cancel(), or -errno. */
int netlink_set_link_up(Netlink *nl, int ifindex, bool up, NetlinkRequestFunc done, void *userdata);

/* Forgets a pending request: its callback will not be called. */
void netlink_cancel(Netlink *nl, uint32_t id);
