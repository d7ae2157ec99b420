/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's links as rtnetlink last reported them: two trees (by index,
 * by name) over links kept in a list, and the rules that keep them right
 * when the messages are not a simple story — renames, a name taken over by
 * another index after a lost RTM_DELLINK, bridge port messages, and a full
 * dump read while notifications keep coming. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <search.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "link-cache.h"
#include "log.h"

typedef struct CachedLink {
        Link link;         /* what link_cache_get() hands out */
        uint64_t seen;     /* the resync during or after which it was last described */
        uint64_t notified; /* the resync during or after which a notification last described it */
        struct CachedLink *prev, *next;
} CachedLink;

struct LinkCache {
        CachedLink *links; /* owns them */
        void *by_index;    /* tsearch trees of the same CachedLink* */
        void *by_name;

        uint64_t resync; /* number of the current or last resync */
        bool resyncing;
        void *deleted; /* tsearch set of the ifindexes (as pointers) deleted since the resync began */

        LinkChangedFunc changed;
        void *userdata;
};

static int compare_index(const void *a, const void *b) {
        const CachedLink *x = a, *y = b;
        return (x->link.ifindex > y->link.ifindex) - (x->link.ifindex < y->link.ifindex);
}

static int compare_name(const void *a, const void *b) {
        const CachedLink *x = a, *y = b;
        return strcmp(x->link.name, y->link.name);
}

static int compare_pointer(const void *a, const void *b) {
        return (a > b) - (a < b);
}

static void free_nothing(void *p) {
        (void) p;
}

static CachedLink *find_by_index(LinkCache *c, int ifindex) {
        CachedLink key = { .link.ifindex = ifindex };
        void **p = tfind(&key, &c->by_index, compare_index);
        return p ? *p : NULL;
}

static CachedLink *find_by_name(LinkCache *c, const char *name) {
        CachedLink key = {};
        void **p;

        if (strlen(name) >= sizeof(key.link.name))
                return NULL;
        strcpy(key.link.name, name);
        p = tfind(&key, &c->by_name, compare_name);
        return p ? *p : NULL;
}

const Link *link_cache_get(LinkCache *c, const char *name) {
        CachedLink *l = find_by_name(c, name);
        return l ? &l->link : NULL;
}

static void notify(LinkCache *c, const char *name) {
        if (c->changed)
                c->changed(name, c->userdata);
}

/* Takes l out of the list and the index tree (and, when in_by_name, the name
 * tree), frees it and says its name vanished. */
static void link_drop(LinkCache *c, CachedLink *l, bool in_by_name) {
        char name[IFNAMSIZ];

        memcpy(name, l->link.name, sizeof(name));
        if (in_by_name)
                tdelete(l, &c->by_name, compare_name);
        tdelete(l, &c->by_index, compare_index);
        if (l->prev)
                l->prev->next = l->next;
        else
                c->links = l->next;
        if (l->next)
                l->next->prev = l->prev;
        free(l);
        notify(c, name);
}

static int link_add(LinkCache *c, int ifindex, const char *name, CachedLink **ret) {
        CachedLink *l = calloc(1, sizeof(*l));

        if (!l)
                return -ENOMEM;
        l->link.ifindex = ifindex;
        strcpy(l->link.name, name);
        if (!tsearch(l, &c->by_index, compare_index)) {
                free(l);
                return -ENOMEM;
        }
        if (!tsearch(l, &c->by_name, compare_name)) {
                tdelete(l, &c->by_index, compare_index);
                free(l);
                return -ENOMEM;
        }
        l->next = c->links;
        if (l->next)
                l->next->prev = l;
        c->links = l;
        *ret = l;
        return 0;
}

static int link_update(LinkCache *c, int ifindex, const char *name, unsigned flags, bool notification) {
        char old_name[IFNAMSIZ] = "";
        CachedLink *l, *other;
        bool changed = true;
        int r;

        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;

        /* A link of the same name but another index is a leftover of a lost
         * RTM_DELLINK or rename: the kernel never has two. */
        other = find_by_name(c, name);
        if (other && other->link.ifindex != ifindex)
                link_drop(c, other, true);

        l = find_by_index(c, ifindex);
        if (!l) {
                r = link_add(c, ifindex, name, &l);
                if (r < 0)
                        return r;
        } else if (!streq(l->link.name, name)) {
                strcpy(old_name, l->link.name);
                tdelete(l, &c->by_name, compare_name);
                strcpy(l->link.name, name);
                if (!tsearch(l, &c->by_name, compare_name)) {
                        strcpy(l->link.name, old_name);
                        link_drop(c, l, false);
                        return -ENOMEM;
                }
        } else
                changed = l->link.flags != flags;

        l->link.flags = flags;
        l->seen = c->resync;
        if (notification)
                l->notified = c->resync;
        if (old_name[0])
                notify(c, old_name);
        if (changed)
                notify(c, name);
        return 0;
}

/* During a resync, whether a notification already told something newer
 * about ifindex than a dump part can: the kernel fills a part under the
 * RTNL lock but queues it after dropping the lock, so a change made in
 * between is queued first. */
static bool told_since_resync(LinkCache *c, int ifindex) {
        CachedLink *l;

        if (!c->resyncing)
                return false;
        if (tfind((void *) (intptr_t) ifindex, &c->deleted, compare_pointer))
                return true;
        l = find_by_index(c, ifindex);
        return l && l->notified == c->resync;
}

static int parse_attr(const struct nlattr *attr, void *data) {
        const struct nlattr **tb = data;
        int type = mnl_attr_get_type(attr);

        if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
                return MNL_CB_OK;
        if (type == IFLA_IFNAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
                return MNL_CB_OK;
        tb[type] = attr;
        return MNL_CB_OK;
}

void link_cache_apply(LinkCache *c, const struct nlmsghdr *nlh) {
        const struct nlattr *tb[IFLA_MAX + 1] = {};
        bool notification = !(nlh->nlmsg_flags & NLM_F_MULTI);
        const struct ifinfomsg *ifi;
        const char *name;
        CachedLink *l;
        int r;

        if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
                return;
        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
                return;
        ifi = mnl_nlmsg_get_payload(nlh);
        if (ifi->ifi_family != AF_UNSPEC || ifi->ifi_index <= 0)
                return;
        if (!notification && told_since_resync(c, ifi->ifi_index))
                return;

        if (nlh->nlmsg_type == RTM_DELLINK) {
                if (notification && c->resyncing &&
                    !tsearch((void *) (intptr_t) ifi->ifi_index, &c->deleted, compare_pointer))
                        log_oom(); /* a stale dump part may bring it back until the next resync */
                l = find_by_index(c, ifi->ifi_index);
                if (l)
                        link_drop(c, l, true);
                return;
        }

        mnl_attr_parse(nlh, sizeof(*ifi), parse_attr, tb);
        if (!tb[IFLA_IFNAME])
                return;
        name = mnl_attr_get_str(tb[IFLA_IFNAME]);
        if (notification && c->resyncing)
                /* The index is in use again. */
                tdelete((void *) (intptr_t) ifi->ifi_index, &c->deleted, compare_pointer);
        r = link_update(c, ifi->ifi_index, name, ifi->ifi_flags, notification);
        if (r < 0)
                log_error_errno(r, "Failed to record link %s: %m", name);
}

void link_cache_begin_resync(LinkCache *c) {
        tdestroy(c->deleted, free_nothing);
        c->deleted = NULL;
        c->resync++;
        c->resyncing = true;
}

void link_cache_end_resync(LinkCache *c, bool complete) {
        if (complete)
                for (CachedLink *l = c->links, *next; l; l = next) {
                        next = l->next;
                        if (l->seen != c->resync)
                                link_drop(c, l, true);
                }
        tdestroy(c->deleted, free_nothing);
        c->deleted = NULL;
        c->resyncing = false;
}

int link_cache_new(LinkCache **ret, LinkChangedFunc changed, void *userdata) {
        LinkCache *c = calloc(1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        c->changed = changed;
        c->userdata = userdata;
        *ret = c;
        return 0;
}

LinkCache *link_cache_free(LinkCache *c) {
        if (!c)
                return NULL;
        tdestroy(c->by_name, free_nothing);
        tdestroy(c->by_index, free_nothing);
        tdestroy(c->deleted, free_nothing);
        while (c->links) {
                CachedLink *l = c->links;
                c->links = l->next;
                free(l);
        }
        free(c);
        return NULL;
}
