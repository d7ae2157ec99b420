/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* robustness-faults-netlink: hundreds of veth links flapping at once —
 * up, down, carrier lost, deleted and created again with new indexes — while
 * wand watches, and while wand is stopped (SIGSTOP) so that the kernel's
 * notifications overrun its receive buffer (ENOBUFS, then a new dump), and
 * with that dump read while the links go on changing. Afterwards wand's view
 * (IfIndex, State of every interface; no deleted link brought back) must be
 * the kernel's. No test hook is needed: a stopped process reads nothing. */
#include "robust.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#define N_LINKS 200

typedef struct {
        int ifindex; /* 0: absent */
        gboolean up, lower_up;
} KernelLink;

/* Starts `ip -force -batch` on the given lines; ip_batch_wait() reaps it. */
static GPid
ip_batch_start(WandFixture *f, GString *lines)
{
        g_autofree char *path = g_build_filename(f->config_dir, "ip-batch", NULL);
        const char *argv[] = { "ip", "-force", "-batch", path, NULL };
        g_autoptr(GError) error = NULL;
        GPid pid;

        g_assert_true(g_file_set_contents(path, lines->str, lines->len, &error));
        g_assert_true(g_spawn_async(NULL, (char **) argv, NULL,
                                    G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL |
                                            G_SPAWN_DO_NOT_REAP_CHILD,
                                    NULL, NULL, &pid, &error));
        g_assert_no_error(error);
        return pid;
}

static void
ip_batch_wait(WandFixture *f, GPid pid)
{
        g_autofree char *path = g_build_filename(f->config_dir, "ip-batch", NULL);
        int status;

        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_spawn_close_pid(pid);
        g_unlink(path);
}

/* Runs `ip -force -batch` on the given lines. */
static void
ip_batch(WandFixture *f, GString *lines)
{
        ip_batch_wait(f, ip_batch_start(f, lines));
}

/* Every link of this namespace, by name. */
static GHashTable *
kernel_links(void)
{
        const char *argv[] = { "ip", "-o", "link", "show", NULL };
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL;
        g_auto(GStrv) lines = NULL;
        GHashTable *links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        int status;

        g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status,
                                   &error));
        g_assert_no_error(error);
        lines = g_strsplit(out, "\n", -1);
        for (char **l = lines; *l && **l; l++) {
                /* "7: v3@v3-p: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu …" */
                g_auto(GStrv) parts = g_strsplit(*l, ": ", 3);
                g_autofree char *flags = NULL;
                KernelLink *k = g_new0(KernelLink, 1);
                char *at;

                g_assert_cmpuint(g_strv_length(parts), ==, 3);
                k->ifindex = atoi(parts[0]);
                at = strchr(parts[1], '@');
                if (at)
                        *at = 0;
                flags = g_strndup(parts[2] + 1, strcspn(parts[2] + 1, ">"));
                {
                        g_auto(GStrv) fl = g_strsplit(flags, ",", -1);
                        k->up = g_strv_contains((const char *const *) fl, "UP");
                        k->lower_up = g_strv_contains((const char *const *) fl, "LOWER_UP");
                }
                g_hash_table_replace(links, g_strdup(parts[1]), k);
        }
        return links;
}

/* The contract's rule for device-only interfaces. */
static const char *
expected_state(const KernelLink *k)
{
        if (!k)
                return "unreachable";
        if (!k->up)
                return "disconnected";
        return k->lower_up ? "connected" : "connecting";
}

/* Compares every interface; returns the number that differ, and the first
 * difference in *ret_what. */
static guint
compare_views(WandFixture *f, char **ret_what)
{
        g_autoptr(GHashTable) links = kernel_links();
        g_autoptr(GVariant) r = NULL;
        g_autoptr(GVariantIter) objects = NULL;
        const char *path;
        GVariant *ifaces;
        guint differ = 0, seen = 0;

        r = wand_call_ok(f->root, WAND_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                         G_VARIANT_TYPE("(a{oa{sa{sv}}})"));
        g_variant_get(r, "(a{oa{sa{sv}}})", &objects);
        while (g_variant_iter_loop(objects, "{&o@a{sa{sv}}}", &path, &ifaces)) {
                g_autoptr(GVariant) props = g_variant_lookup_value(ifaces, WAND_INTERFACE_IFACE, NULL);
                const char *device, *state;
                gint32 ifindex;
                const KernelLink *k;

                if (!props)
                        continue;
                seen++;
                g_assert_true(g_variant_lookup(props, "Device", "&s", &device));
                g_assert_true(g_variant_lookup(props, "State", "&s", &state));
                g_assert_true(g_variant_lookup(props, "IfIndex", "i", &ifindex));
                k = g_hash_table_lookup(links, device);
                if (ifindex != (k ? k->ifindex : 0) || strcmp(state, expected_state(k)) != 0) {
                        if (differ++ == 0 && ret_what) {
                                g_free(*ret_what);
                                *ret_what = g_strdup_printf("%s: wand says %s, ifindex %d; the kernel %s, ifindex %d",
                                                            device, state, ifindex, expected_state(k),
                                                            k ? k->ifindex : 0);
                        }
                }
        }
        g_assert_cmpuint(seen, ==, N_LINKS);
        return differ;
}

/* One burst: every link flaps, some lose their carrier, some are deleted and
 * created again. Ends in a state that differs from link to link. Appends
 * the `ip -batch` lines to b and returns how many changes they make. */
static guint
flap_lines(GString *b, guint rounds, guint seed)
{
        GRand *r = g_rand_new_with_seed(seed);
        guint ops = 0;

        for (guint round = 0; round < rounds; round++) {
                for (guint k = 0; k < N_LINKS; k++) {
                        g_string_append_printf(b, "link set v%u up\nlink set v%u-p down\nlink set v%u-p up\n"
                                                  "link set v%u down\n", k, k, k, k);
                        ops += 4;
                }
                if (round % 4 == 3)
                        for (guint k = 0; k < N_LINKS; k += 7) {
                                g_string_append_printf(b, "link del v%u\nlink add v%u type veth peer name v%u-p\n"
                                                          "link set v%u-p up\n", k, k, k, k);
                                ops += 3;
                        }
        }
        /* The final state: a mix. */
        for (guint k = 0; k < N_LINKS; k++) {
                switch (g_rand_int_range(r, 0, 5)) {
                case 0: /* up, with carrier */
                        g_string_append_printf(b, "link set v%u up\nlink set v%u-p up\n", k, k);
                        break;
                case 1: /* up, no carrier */
                        g_string_append_printf(b, "link set v%u up\nlink set v%u-p down\n", k, k);
                        break;
                case 2: /* down */
                        g_string_append_printf(b, "link set v%u down\n", k);
                        break;
                case 3: /* gone */
                        g_string_append_printf(b, "link del v%u\n", k);
                        break;
                default: /* gone and back, with a new index */
                        g_string_append_printf(b, "link del v%u\nlink add v%u type veth peer name v%u-p\n"
                                                  "link set v%u-p up\nlink set v%u up\n", k, k, k, k, k);
                        break;
                }
                ops += 2;
        }
        g_rand_free(r);
        return ops;
}

static guint
flap(WandFixture *f, guint rounds, guint seed)
{
        g_autoptr(GString) b = g_string_new(NULL);
        guint ops = flap_lines(b, rounds, seed);

        ip_batch(f, b);
        return ops;
}

/* Every link v<k> exists again (some were deleted). */
static void
recreate_missing(WandFixture *f)
{
        g_autoptr(GHashTable) links = kernel_links();
        g_autoptr(GString) b = g_string_new(NULL);

        for (guint k = 0; k < N_LINKS; k++) {
                g_autofree char *name = g_strdup_printf("v%u", k);
                if (!g_hash_table_contains(links, name))
                        g_string_append_printf(b, "link add v%u type veth peer name v%u-p\nlink set v%u-p up\n", k,
                                               k, k);
        }
        if (b->len)
                ip_batch(f, b);
}

static void
wait_consistent(WandFixture *f, const char *phase)
{
        g_autofree char *what = NULL;
        gint64 start = g_get_monotonic_time();
        guint differ;

        wand_wait_until((differ = compare_views(f, &what)) == 0, "wand's view to match the kernel's after %s "
                        "(%u interfaces differ; first: %s)", phase, differ, what);
        robust_figure("netlink consistent", "%s: %.0f ms after the last change", phase,
                      (g_get_monotonic_time() - start) / 1000.0);
}

/* How often wand has said its receive buffer overran. */
static guint
count_overruns(WandFixture *f)
{
        g_autofree char *log = wand_fixture_get_log(f);
        guint n = 0;

        for (const char *p = log; (p = strstr(p, "overran the receive buffer")); p++)
                n++;
        return n;
}

static void
test_overrun(WandFixture *f, gconstpointer data)
{
        g_autoptr(GString) b = g_string_new(NULL);
        g_autofree char *log = NULL;
        guint ops;
        gint64 start;

        for (guint k = 0; k < N_LINKS; k++) {
                g_autofree char *name = g_strdup_printf("i%u", k);
                g_autofree char *dev = g_strdup_printf("v%u", k);

                g_string_append_printf(b, "link add v%u type veth peer name v%u-p\nlink set v%u-p up\n", k, k, k);
                wand_fixture_write_interface(f, name, dev, NULL);
        }
        ip_batch(f, b);
        wand_fixture_start(f);
        wait_consistent(f, "start");

        /* Flapping while wand watches. */
        start = g_get_monotonic_time();
        ops = flap(f, 5, 1);
        robust_figure("netlink flapping (wand running)", "%u link changes on %u veth pairs in %.1f s", ops, N_LINKS,
                      (g_get_monotonic_time() - start) / 1e6);
        wait_consistent(f, "flapping while running");
        recreate_missing(f);
        wait_consistent(f, "re-creating links");

        /* Flapping while wand reads nothing: its 8 MiB (16 MiB as the kernel
         * counts) receive buffer overruns. */
        wand_fixture_kill(f, SIGSTOP);
        start = g_get_monotonic_time();
        ops = flap(f, 15, 2);
        robust_figure("netlink flapping (wand stopped)", "%u link changes on %u veth pairs in %.1f s", ops, N_LINKS,
                      (g_get_monotonic_time() - start) / 1e6);
        wand_fixture_kill(f, SIGCONT);
        wand_wait_until((g_free(log), log = wand_fixture_get_log(f), strstr(log, "overran the receive buffer") != NULL),
                        "wand to notice the overrun");
        wait_consistent(f, "an overrun");

        /* And it keeps following afterwards. */
        recreate_missing(f);
        ops = flap(f, 2, 3);
        wait_consistent(f, "flapping after the overrun");
        g_assert_false(f->wand_exited);

        /* An overrun while the links keep changing: wand re-reads every link
         * while newer notifications keep coming. Applied out of order, a
         * part of that dump would undo a newer change, or bring back a link
         * deleted since, for good. The stopped wand overruns for sure; the
         * second batch is still running when it reads again. */
        for (guint cycle = 0; cycle < 3; cycle++) {
                g_autoptr(GString) more = g_string_new(NULL);
                guint overruns = count_overruns(f);
                GPid pid;

                recreate_missing(f);
                wand_fixture_kill(f, SIGSTOP);
                (void) flap(f, 15, 10 + cycle);
                (void) flap_lines(more, 10, 20 + cycle);
                pid = ip_batch_start(f, more);
                wand_fixture_kill(f, SIGCONT);
                ip_batch_wait(f, pid);
                wand_wait_until(count_overruns(f) > overruns, "wand to notice the overrun");
                wait_consistent(f, "an overrun while links kept changing");
        }

        g_string_truncate(b, 0);
        for (guint k = 0; k < N_LINKS; k++)
                g_string_append_printf(b, "link del v%u\n", k);
        ip_batch(f, b);
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);
        g_test_add("/faults/netlink/overrun", WandFixture, NULL, wand_fixture_set_up, test_overrun,
                   wand_fixture_tear_down);
        return g_test_run();
}
