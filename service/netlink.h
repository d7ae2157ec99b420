/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnetlink on the event loop: keeps a LinkCache current from the kernel's
 * link notifications, re-reads every link with a dump when asked and
 * whenever notifications were lost (ENOBUFS), and sets links up or down. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "link-cache.h"

typedef struct Netlink Netlink;

/* Called once a dump has been applied to the cache. */
typedef void (*NetlinkDumpDoneFunc)(int error, void *userdata);
/* Called with the kernel's answer (0 or -errno) to a request. */
typedef void (*NetlinkRequestFunc)(int error, void *userdata);

/* Feeds links, which must outlive the Netlink. */
int netlink_new(Netlink **ret, sd_event *event, LinkCache *links);
Netlink *netlink_free(Netlink *nl);

/* Re-reads every link from the event loop; done is called once a dump that
 * started after this call has been applied in full (or with -errno if the
 * kernel refused it). One caller may wait at a time: -EBUSY otherwise. */
int netlink_dump(Netlink *nl, NetlinkDumpDoneFunc done, void *userdata);

/* Sets the link's IFF_UP. When the kernel has answered, every notification
 * the change caused has been applied, so the cache already shows its effect.
 * Returns 0 and, when ret_id is not NULL, the request's id for
 * netlink_cancel(): any uint32_t but 0, unique among the requests pending.
 * Or -errno (done will not be called). */
int netlink_set_link_up(Netlink *nl, int ifindex, bool up, NetlinkRequestFunc done, void *userdata,
                        uint32_t *ret_id);

/* Forgets a pending request: its callback will not be called. */
void netlink_cancel(Netlink *nl, uint32_t id);

/* Where the sequence numbers (and so the request ids) go on from: the
 * tests start near the ends of int's and uint32_t's ranges. */
void netlink_set_next_seq(Netlink *nl, uint32_t seq);
