/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The link cache fed hand-made rtnetlink messages: links appear, change,
 * are renamed and vanish; bridge port messages are not the device; and a
 * dump read among notifications neither undoes a newer change nor brings
 * back a deleted link. */
#include <glib.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "link-cache.h"

#define UP (IFF_UP | IFF_LOWER_UP)

typedef struct {
        LinkCache *cache;
        GPtrArray *changed; /* names, in the order announced */
        GPtrArray *seen;    /* "name:ifindex" or "name:-" as the cache had it when announced */
} Fixture;

static void on_changed(const char *name, void *userdata) {
        Fixture *f = userdata;
        const Link *l = link_cache_get(f->cache, name);

        g_ptr_array_add(f->changed, g_strdup(name));
        g_ptr_array_add(f->seen, l ? g_strdup_printf("%s:%d", name, l->ifindex) : g_strdup_printf("%s:-", name));
}

static void fixture_set_up(Fixture *f, gconstpointer data) {
        g_assert_cmpint(link_cache_new(&f->cache, on_changed, f), ==, 0);
        f->changed = g_ptr_array_new_with_free_func(g_free);
        f->seen = g_ptr_array_new_with_free_func(g_free);
}

static void fixture_tear_down(Fixture *f, gconstpointer data) {
        f->cache = link_cache_free(f->cache);
        g_ptr_array_unref(f->changed);
        g_ptr_array_unref(f->seen);
}

/* Asserts the announcements since the last call, as "a b c". */
static void assert_changed(Fixture *f, const char *expected) {
        g_autoptr(GString) s = g_string_new(NULL);

        for (guint i = 0; i < f->changed->len; i++)
                g_string_append_printf(s, "%s%s", i ? " " : "", (const char *) g_ptr_array_index(f->changed, i));
        g_assert_cmpstr(s->str, ==, expected);
        g_ptr_array_set_size(f->changed, 0);
        g_ptr_array_set_size(f->seen, 0);
}

static void apply(Fixture *f, uint16_t type, uint16_t nlmsg_flags, unsigned char family, int ifindex,
                  const char *name, unsigned flags) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = nlmsg_flags;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = family;
        ifi->ifi_index = ifindex;
        ifi->ifi_flags = flags;
        if (name)
                mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        link_cache_apply(f->cache, nlh);
}

/* What the kernel sends: notifications, and dump parts (NLM_F_MULTI). */
static void notify_new(Fixture *f, int ifindex, const char *name, unsigned flags) {
        apply(f, RTM_NEWLINK, 0, AF_UNSPEC, ifindex, name, flags);
}

static void notify_del(Fixture *f, int ifindex, const char *name) {
        apply(f, RTM_DELLINK, 0, AF_UNSPEC, ifindex, name, 0);
}

static void dump_part(Fixture *f, int ifindex, const char *name, unsigned flags) {
        apply(f, RTM_NEWLINK, NLM_F_MULTI, AF_UNSPEC, ifindex, name, flags);
}

/* The link's "ifindex flags", or "-" when the cache has none of that name. */
static char *describe(Fixture *f, const char *name) {
        const Link *l = link_cache_get(f->cache, name);
        return l ? g_strdup_printf("%d %#x", l->ifindex, l->flags) : g_strdup("-");
}

#define assert_link(f, name, expected) \
        G_STMT_START { \
                g_autofree char *_d = describe(f, name); \
                g_assert_cmpstr(_d, ==, expected); \
        } G_STMT_END

static void test_appear_change_vanish(Fixture *f, gconstpointer data) {
        notify_new(f, 5, "eth0", 0);
        assert_link(f, "eth0", "5 0");
        g_assert_cmpstr(g_ptr_array_index(f->seen, 0), ==, "eth0:5"); /* already there when announced */
        assert_changed(f, "eth0");

        notify_new(f, 5, "eth0", UP);
        assert_link(f, "eth0", "5 0x10001");
        assert_changed(f, "eth0");

        /* The same again is no news. */
        notify_new(f, 5, "eth0", UP);
        assert_changed(f, "");

        notify_del(f, 5, "eth0");
        assert_link(f, "eth0", "-");
        g_assert_cmpstr(g_ptr_array_index(f->seen, 0), ==, "eth0:-"); /* already gone when announced */
        assert_changed(f, "eth0");

        /* Gone is gone; an unknown index is nothing. */
        notify_del(f, 5, "eth0");
        notify_del(f, 9, NULL);
        assert_changed(f, "");
}

static void test_other_messages_ignored(Fixture *f, gconstpointer data) {
        apply(f, RTM_NEWADDR, 0, AF_UNSPEC, 5, "eth0", UP);
        apply(f, RTM_NEWLINK, 0, AF_UNSPEC, 0, "eth0", UP);  /* no index */
        apply(f, RTM_NEWLINK, 0, AF_UNSPEC, 5, NULL, UP);    /* no name */
        assert_link(f, "eth0", "-");
        assert_changed(f, "");
}

/* `ip link set PORT nomaster` sends an AF_BRIDGE RTM_DELLINK: the port left
 * the bridge, the device is still there. */
static void test_bridge_port_messages(Fixture *f, gconstpointer data) {
        notify_new(f, 7, "veth0", UP);
        assert_changed(f, "veth0");

        apply(f, RTM_NEWLINK, 0, AF_BRIDGE, 7, "veth0", 0);
        apply(f, RTM_DELLINK, 0, AF_BRIDGE, 7, "veth0", UP);
        assert_link(f, "veth0", "7 0x10001");
        assert_changed(f, "");

        /* Nor does one bring back a device that is gone. */
        notify_del(f, 7, "veth0");
        apply(f, RTM_NEWLINK, 0, AF_BRIDGE, 7, "veth0", UP);
        assert_link(f, "veth0", "-");
        assert_changed(f, "veth0");
}

static void test_rename(Fixture *f, gconstpointer data) {
        notify_new(f, 3, "eth0", UP);
        assert_changed(f, "eth0");

        notify_new(f, 3, "wan", UP);
        assert_link(f, "eth0", "-");
        assert_link(f, "wan", "3 0x10001");
        /* Both names, each as the cache has it by then. */
        g_assert_cmpstr(g_ptr_array_index(f->seen, 0), ==, "eth0:-");
        g_assert_cmpstr(g_ptr_array_index(f->seen, 1), ==, "wan:3");
        assert_changed(f, "eth0 wan");

        /* A new eth0 may come. */
        notify_new(f, 4, "eth0", 0);
        assert_link(f, "eth0", "4 0");
        assert_link(f, "wan", "3 0x10001");
        assert_changed(f, "eth0");
}

/* A name under another index than the cache has: the old index's
 * RTM_DELLINK (or rename) was lost, the kernel never has two. */
static void test_same_name_other_index(Fixture *f, gconstpointer data) {
        notify_new(f, 5, "veth0", UP);
        assert_changed(f, "veth0");

        notify_new(f, 8, "veth0", 0);
        assert_link(f, "veth0", "8 0");
        assert_changed(f, "veth0 veth0");

        /* Index 5 is forgotten, not kept under its old name. */
        notify_new(f, 5, "other", 0);
        assert_link(f, "veth0", "8 0");
        assert_link(f, "other", "5 0");
}

static void test_resync_sweep(Fixture *f, gconstpointer data) {
        notify_new(f, 1, "lo", UP);
        notify_new(f, 2, "a", UP);
        notify_new(f, 3, "b", UP);
        assert_changed(f, "lo a b");

        /* A dump that does not show b: its RTM_DELLINK was lost. */
        link_cache_begin_resync(f->cache);
        dump_part(f, 1, "lo", UP);
        dump_part(f, 2, "a", 0); /* and a went down meanwhile */
        link_cache_end_resync(f->cache, true);
        assert_link(f, "lo", "1 0x10001");
        assert_link(f, "a", "2 0");
        assert_link(f, "b", "-");
        assert_changed(f, "a b");

        /* A link that a notification showed during the dump is no leftover,
         * though the dump (which had passed its place) did not show it. */
        link_cache_begin_resync(f->cache);
        dump_part(f, 1, "lo", UP);
        notify_new(f, 9, "c", 0);
        dump_part(f, 2, "a", 0);
        link_cache_end_resync(f->cache, true);
        assert_link(f, "c", "9 0");
        assert_link(f, "a", "2 0");
        assert_changed(f, "c");

        /* An interrupted dump removes nothing: it may have skipped a link. */
        link_cache_begin_resync(f->cache);
        dump_part(f, 1, "lo", UP);
        link_cache_end_resync(f->cache, false);
        assert_link(f, "a", "2 0");
        assert_link(f, "c", "9 0");
        assert_changed(f, "");
}

/* The kernel fills a dump part under the RTNL lock and queues it after
 * releasing it: a change made in between is queued before the older part. */
static void test_resync_stale_part(Fixture *f, gconstpointer data) {
        notify_new(f, 2, "a", 0);
        notify_new(f, 3, "b", 0);
        assert_changed(f, "a b");

        link_cache_begin_resync(f->cache);
        notify_new(f, 2, "a", UP);   /* newer than the part that follows */
        dump_part(f, 2, "a", 0);
        dump_part(f, 3, "b", UP);    /* newer than what the cache had */
        link_cache_end_resync(f->cache, true);
        assert_link(f, "a", "2 0x10001");
        assert_link(f, "b", "3 0x10001");
        assert_changed(f, "a b");

        /* The next resync trusts its parts again. */
        link_cache_begin_resync(f->cache);
        dump_part(f, 2, "a", 0);
        link_cache_end_resync(f->cache, false);
        assert_link(f, "a", "2 0");
}

static void test_resync_no_resurrection(Fixture *f, gconstpointer data) {
        notify_new(f, 2, "a", UP);
        notify_new(f, 3, "b", UP);
        assert_changed(f, "a b");

        link_cache_begin_resync(f->cache);
        notify_del(f, 2, "a");
        dump_part(f, 2, "a", UP);    /* filled before the deletion */
        dump_part(f, 3, "b", UP);
        assert_link(f, "a", "-");
        link_cache_end_resync(f->cache, true);
        assert_link(f, "a", "-");
        assert_link(f, "b", "3 0x10001");
        assert_changed(f, "a");

        /* Deleted and created again with a new index: the stale part of the
         * old one does not take the name back. */
        link_cache_begin_resync(f->cache);
        notify_del(f, 3, "b");
        notify_new(f, 10, "b", 0);
        dump_part(f, 3, "b", UP);
        dump_part(f, 10, "b", 0);
        link_cache_end_resync(f->cache, true);
        assert_link(f, "b", "10 0");
        assert_changed(f, "b b");

        /* An index used again by a new link counts as that link's. */
        link_cache_begin_resync(f->cache);
        notify_del(f, 10, "b");
        notify_new(f, 10, "c", UP);
        dump_part(f, 10, "c", UP);
        link_cache_end_resync(f->cache, true);
        assert_link(f, "c", "10 0x10001");
        assert_link(f, "b", "-");
}

/* Outside a resync a dump part is applied like any message. */
static void test_dump_part_outside_resync(Fixture *f, gconstpointer data) {
        dump_part(f, 2, "a", UP);
        assert_link(f, "a", "2 0x10001");
        link_cache_end_resync(f->cache, false);
        assert_link(f, "a", "2 0x10001");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/link-cache/" name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
        ADD("appear-change-vanish", test_appear_change_vanish);
        ADD("other-messages-ignored", test_other_messages_ignored);
        ADD("bridge-port-messages", test_bridge_port_messages);
        ADD("rename", test_rename);
        ADD("same-name-other-index", test_same_name_other_index);
        ADD("resync-sweep", test_resync_sweep);
        ADD("resync-stale-part", test_resync_stale_part);
        ADD("resync-no-resurrection", test_resync_no_resurrection);
        ADD("dump-part-outside-resync", test_dump_part_outside_resync);
#undef ADD
        return g_test_run();
}
