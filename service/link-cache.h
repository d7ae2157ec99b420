/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's network links as rtnetlink last reported them (index, name,
 * flags), fed one message at a time, with a callback naming every link that
 * appeared, changed or vanished. No sockets: netlink.c feeds it from the
 * kernel, the unit tests from hand-made messages. */
#pragma once

#include <linux/netlink.h>
#include <net/if.h>
#include <stdbool.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

typedef struct Link {
        int ifindex;
        unsigned flags;
        char name[IFNAMSIZ];
} Link;

typedef struct LinkCache LinkCache;

/* The link called name appeared, changed or vanished. It may read the cache
 * but not feed it. */
typedef void (*LinkChangedFunc)(const char *name, void *userdata);

int link_cache_new(LinkCache **ret, LinkChangedFunc changed, void *userdata);
/* Frees the links without announcing them. */
LinkCache *link_cache_free(LinkCache *c);

/* The link of that name, or NULL. Valid until the next message is applied. */
const Link *link_cache_get(LinkCache *c, const char *name);

/* Applies one rtnetlink RTM_NEWLINK/RTM_DELLINK message; anything else is
 * ignored. Only AF_UNSPEC messages describe the device: AF_BRIDGE ones
 * describe its bridge port, and an AF_BRIDGE RTM_DELLINK only means that
 * the port left its bridge. A message with NLM_F_MULTI is part of a dump
 * (the kernel marks each), any other a notification. */
void link_cache_apply(LinkCache *c, const struct nlmsghdr *nlh);

/* A full dump (RTM_GETLINK, NLM_F_DUMP) starts: its parts are applied from
 * now on, mixed with notifications in the order the kernel queued them.
 * Until link_cache_end_resync(), a link that a notification described or
 * deleted keeps what the notification said: a dump part may have been
 * filled before that notification and still be queued after it. */
void link_cache_begin_resync(LinkCache *c);
/* The dump has ended. complete: it showed every link (NLMSG_DONE, and no
 * part flagged NLM_F_DUMP_INTR), so the links that neither it nor a
 * notification since link_cache_begin_resync() showed are gone: their
 * RTM_DELLINK was lost. An incomplete dump removes nothing. */
void link_cache_end_resync(LinkCache *c, bool complete);
