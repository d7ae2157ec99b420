/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netlink.c against the kernel, in a network namespace of the test's own
 * (a user namespace too when not root): set-link requests whose ids pass
 * INT_MAX and wrap past UINT32_MAX are sent, answered and cancelled like
 * any other. Ids were returned as int, so from 2^31 on a request that had
 * been sent looked like a failure to send it. */
#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include "link-cache.h"
#include "netlink.h"

#define N_REQUESTS 6

static char *skip_reason;

typedef struct {
        int calls;
        int error;
} Answer;

static void on_dump_done(int error, void *userdata) {
        int *done = userdata;
        g_assert_cmpint(error, ==, 0);
        *done = 1;
}

static void on_link_changed(const char *name, void *userdata) {
}

static void on_answer(int error, void *userdata) {
        Answer *a = userdata;
        a->calls++;
        a->error = error;
}

static bool own_network_namespace(void) {
        if (unshare(CLONE_NEWNET) == 0)
                return true;
        /* Not root: a user namespace gives CAP_NET_ADMIN over its own
         * network namespace. */
        return unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0;
}

/* Runs the loop until cond, for at most about 5 s. */
#define RUN_UNTIL(event, cond)                                                  \
        do {                                                                    \
                for (int _k = 0; _k < 500 && !(cond); _k++)                     \
                        g_assert_cmpint(sd_event_run((event), 10 * 1000), >=, 0); \
                g_assert_true(cond);                                            \
        } while (0)

static void run_across(uint32_t first, const uint32_t expected[N_REQUESTS]) {
        sd_event *event = NULL;
        LinkCache *links = NULL;
        Netlink *nl = NULL;
        Answer answers[N_REQUESTS] = {};
        uint32_t ids[N_REQUESTS];
        int dumped = 0, lo;
        const Link *l;

        if (skip_reason) {
                g_test_skip(skip_reason);
                return;
        }
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        g_assert_cmpint(link_cache_new(&links, on_link_changed, NULL), ==, 0);
        g_assert_cmpint(netlink_new(&nl, event, links), ==, 0);
        g_assert_cmpint(netlink_dump(nl, on_dump_done, &dumped), ==, 0);
        RUN_UNTIL(event, dumped);
        l = link_cache_get(links, "lo");
        g_assert_nonnull(l);
        lo = l->ifindex;

        /* Up, down, up, …: lo ends up after an even number. Request 2 is
         * cancelled: its answer must find it, and tell nobody. */
        netlink_set_next_seq(nl, first);
        for (int k = 0; k < N_REQUESTS; k++) {
                ids[k] = UINT32_MAX;
                g_assert_cmpint(netlink_set_link_up(nl, lo, k % 2 == 0, on_answer, &answers[k], &ids[k]), ==, 0);
                g_assert_cmpuint(ids[k], ==, expected[k]);
                g_assert_cmpuint(ids[k], !=, 0);
                for (int j = 0; j < k; j++)
                        g_assert_cmpuint(ids[j], !=, ids[k]);
        }
        netlink_cancel(nl, ids[2]);
        RUN_UNTIL(event, answers[0].calls && answers[1].calls && answers[3].calls && answers[4].calls &&
                                 answers[5].calls);
        for (int k = 0; k < N_REQUESTS; k++) {
                g_assert_cmpint(answers[k].calls, ==, k == 2 ? 0 : 1);
                g_assert_cmpint(answers[k].error, ==, 0);
        }
        l = link_cache_get(links, "lo");
        g_assert_nonnull(l);
        g_assert_false(l->flags & IFF_UP);

        /* Without an id wanted, too. */
        g_assert_cmpint(netlink_set_link_up(nl, lo, true, on_answer, &answers[0], NULL), ==, 0);
        RUN_UNTIL(event, answers[0].calls == 2);
        g_assert_true(link_cache_get(links, "lo")->flags & IFF_UP);

        netlink_free(nl);
        link_cache_free(links);
        sd_event_unref(event);
}

static void test_ids_past_int_max(void) {
        const uint32_t expected[N_REQUESTS] = {
                INT32_MAX - 2, INT32_MAX - 1, INT32_MAX, (uint32_t) INT32_MAX + 1, (uint32_t) INT32_MAX + 2,
                (uint32_t) INT32_MAX + 3,
        };
        run_across(INT32_MAX - 2, expected);
}

static void test_ids_wrap(void) {
        /* 0 is no request: skipped. */
        const uint32_t expected[N_REQUESTS] = { UINT32_MAX - 2, UINT32_MAX - 1, UINT32_MAX, 1, 2, 3 };
        run_across(UINT32_MAX - 2, expected);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        /* Before any thread: unshare() refuses CLONE_NEWUSER after. */
        if (!own_network_namespace())
                skip_reason = g_strdup_printf("no network namespace of our own (%s): no link to set up or down",
                                              strerror(errno));
        g_test_add_func("/netlink/ids-past-int-max", test_ids_past_int_max);
        g_test_add_func("/netlink/ids-wrap", test_ids_wrap);

        return g_test_run();
}
