/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* robustness-faults-lifecycle: SIGTERM while calls are in flight (every
 * caller gets a reply or a clean "disconnected", the files are whole, a
 * restart shows what was acknowledged), and the bus going away (wand exits
 * with a clear log line and does not spin). */
#include "robust.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "config.h"

#define N_CREATE 12
#define N_TOGGLE 8

/* Errors a caller may get when wand goes away under its call. */
static gboolean
is_clean_ending(const GError *error)
{
        g_autofree char *name = NULL;

        if (!error)
                return TRUE;
        name = g_dbus_error_get_remote_error(error);
        if (!name)
                return FALSE; /* a local timeout: the caller was left hanging */
        return g_str_has_prefix(name, "org.wand.Router1.Error.") ||
               strcmp(name, "org.freedesktop.DBus.Error.NoReply") == 0 ||       /* left without replying */
               strcmp(name, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 || /* gone before it arrived */
               strcmp(name, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0 ||
               strcmp(name, "org.freedesktop.DBus.Error.AccessDenied") == 0 ||
               strcmp(name, "org.freedesktop.DBus.Error.Failed") == 0;
}

static void
log_config_problem(const char *message, void *userdata)
{
        g_ptr_array_add(userdata, g_strdup(message));
}

/* Every file parses, none is a leftover temporary file; returns the
 * interfaces by name. */
static GHashTable *
read_config(WandFixture *f)
{
        g_autofree char *ifaces = g_build_filename(f->config_dir, "interfaces", NULL);
        g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GDir) d = g_dir_open(ifaces, 0, NULL);
        GHashTable *enabled = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        ConfigEntry *entries = NULL;
        size_t n = 0;
        const char *name;

        while ((name = g_dir_read_name(d)))
                if (name[0] == '.')
                        g_error("a temporary file was left behind: %s", name);
        g_assert_cmpint(config_read_interfaces(f->config_dir, &entries, &n, log_config_problem, problems), ==, 0);
        if (problems->len > 0)
                g_error("a file does not parse: %s", (char *) g_ptr_array_index(problems, 0));
        for (size_t k = 0; k < n; k++)
                g_hash_table_insert(enabled, g_strdup(entries[k].name), GINT_TO_POINTER(entries[k].settings.enabled));
        config_entries_free(entries, n);
        return enabled;
}

static void
sigterm_round(WandFixture *f, PolkitDouble *polkit, guint round, guint delay_ms)
{
        g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func((GDestroyNotify) wand_call_free);
        g_autoptr(GPtrArray) creates = g_ptr_array_new();
        g_autoptr(GPtrArray) toggles = g_ptr_array_new();
        g_autoptr(GHashTable) on_disk = NULL;
        gboolean wan1_acked = TRUE, wan1_known = TRUE;
        g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GString) summary = g_string_new(NULL);
        guint n_ok = 0, n_error = 0;
        gint64 stopped;

        wand_fixture_start(f);
        /* Waiting for a carrier that never comes (the peer is down). */
        for (guint k = 0; k < 3; k++)
                g_ptr_array_add(calls, wand_call_async(f->root, "/org/wand/Router1/interface/slow", WAND_INTERFACE_IFACE,
                                                       "Connect", NULL, 0));
        /* Waiting for polkit, which does not answer. */
        for (guint k = 0; k < 5; k++)
                g_ptr_array_add(calls, wand_call_async(f->user, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0));
        wand_wait_until(polkit->pending->len >= 5, "the checks to reach polkit");
        /* Writing files. */
        for (guint k = 0; k < N_CREATE; k++) {
                g_autofree char *args = g_strdup_printf("('r%uc%u', {'Device': <'veth%u'>})", round, k, k);
                WandCall *c = wand_call_async(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                                              g_variant_new_parsed(args), 0);
                g_ptr_array_add(calls, c);
                g_ptr_array_add(creates, c);
        }
        for (guint k = 0; k < N_TOGGLE; k++) {
                WandCall *c = wand_call_async(f->root, "/org/wand/Router1/interface/wan1", WAND_INTERFACE_IFACE,
                                              "SetEnabled", g_variant_new("(b)", k % 2 == 0), 0);
                g_ptr_array_add(calls, c);
                g_ptr_array_add(toggles, c);
        }
        for (guint k = 0; k < 20; k++)
                g_ptr_array_add(calls, wand_call_async(f->root, WAND_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                                                       "GetManagedObjects", NULL, 0));
        if (delay_ms)
                wand_iterate(delay_ms);

        /* SIGTERM now; wand_fixture_stop() asserts it exits 0 within 5 s. */
        stopped = g_get_monotonic_time();
        wand_fixture_stop(f);
        for (guint k = 0; k < calls->len; k++) {
                WandCall *c = g_ptr_array_index(calls, k);

                wand_call_wait(c);
                if (!is_clean_ending(c->error))
                        g_error("%s ended badly: %s", c->what, c->error->message);
                if (c->error) {
                        g_autofree char *name = wand_error_name(c->error);
                        gpointer count = g_hash_table_lookup(names, name);

                        g_hash_table_replace(names, g_steal_pointer(&name),
                                             GUINT_TO_POINTER(GPOINTER_TO_UINT(count) + 1));
                        n_error++;
                } else
                        n_ok++;
        }
        {
                GHashTableIter it;
                gpointer name, count;

                g_hash_table_iter_init(&it, names);
                while (g_hash_table_iter_next(&it, &name, &count))
                        g_string_append_printf(summary, " %s=%u", (char *) name, GPOINTER_TO_UINT(count));
        }
        robust_figure("sigterm in flight", "round %u (after %u ms): %u calls, %u answered with success, %u with an "
                      "error or a disconnection (%s), all within %.0f ms of SIGTERM",
                      round, delay_ms, calls->len, n_ok, n_error, summary->str + (summary->len > 0),
                      (g_get_monotonic_time() - stopped) / 1000.0);
        polkit_double_answer_all(polkit, FALSE);

        /* The files: whole, and saying what was acknowledged. */
        on_disk = read_config(f);
        for (guint k = 0; k < creates->len; k++) {
                WandCall *c = g_ptr_array_index(creates, k);
                g_autofree char *name = g_strdup_printf("r%uc%u", round, k);

                if (!c->error)
                        g_assert_true(g_hash_table_contains(on_disk, name));
        }
        /* SetEnabled calls are handled in order: the last one acknowledged
         * is what the file says, unless a later one was in flight. */
        for (guint k = 0; k < toggles->len; k++) {
                WandCall *c = g_ptr_array_index(toggles, k);
                if (!c->error) {
                        wan1_acked = k % 2 == 0;
                        wan1_known = TRUE;
                } else
                        wan1_known = FALSE;
        }
        if (wan1_known)
                g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(on_disk, "wan1")), ==, wan1_acked);

        /* A restart shows exactly what is on disk. */
        wand_fixture_start(f);
        {
                GHashTableIter it;
                gpointer name, enabled;
                g_autoptr(GVariant) list = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                                        "ListInterfaces", NULL, G_VARIANT_TYPE("(a(sos))"));
                g_autoptr(GVariant) arr = g_variant_get_child_value(list, 0);

                g_assert_cmpuint(g_variant_n_children(arr), ==, g_hash_table_size(on_disk));
                g_hash_table_iter_init(&it, on_disk);
                while (g_hash_table_iter_next(&it, &name, &enabled)) {
                        g_autofree char *path = wand_interface_path(name);
                        g_assert_cmpint(wand_get_bool(f, path, "Enabled"), ==, GPOINTER_TO_INT(enabled));
                }
        }
        wand_fixture_stop(f);
        wand_ip("link set slow down");
}

static void
test_sigterm_in_flight(WandFixture *f, gconstpointer data)
{
        g_autoptr(PolkitDouble) polkit = polkit_double_new(f, POLKIT_SILENT);
        const guint delays[] = { 0, 2, 10, 40 };

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_add_veth(f, "slow");
        wand_ip("link set slow-p down");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        wand_fixture_write_interface(f, "wan1", "veth0", NULL);
        wand_fixture_write_interface(f, "slow", "slow", "ConnectTimeoutSec=60\n");
        for (guint r = 0; r < G_N_ELEMENTS(delays); r++)
                sigterm_round(f, polkit, r, delays[r]);
}

/* ── the bus goes away ────────────────────────────────────────────────── */

typedef struct {
        GPid pid;
        int out_fd;
} Spawned;

static void
die_with_parent(gpointer data)
{
        prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static Spawned
spawn(const char *const *argv, const char *bus_address, gboolean capture_stderr)
{
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) env = g_get_environ();
        Spawned s = { 0, -1 };

        if (bus_address)
                env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", bus_address, TRUE);
        env = g_environ_unsetenv(env, "DBUS_SESSION_BUS_ADDRESS");
        env = g_environ_unsetenv(env, "JOURNAL_STREAM");
        g_spawn_async_with_pipes(NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                 die_with_parent, NULL, &s.pid, NULL, capture_stderr ? NULL : &s.out_fd,
                                 capture_stderr ? &s.out_fd : NULL, &error);
        g_assert_no_error(error);
        return s;
}

/* Waits up to timeout_ms for pid to exit; its wait status, or -1. */
static int
wait_exit(GPid pid, guint timeout_ms)
{
        gint64 deadline = g_get_monotonic_time() + timeout_ms * G_GINT64_CONSTANT(1000);
        int status;

        while (g_get_monotonic_time() < deadline) {
                if (waitpid(pid, &status, WNOHANG) == pid)
                        return status;
                g_usleep(10000);
        }
        return -1;
}

static char *
read_all(int fd)
{
        GString *s = g_string_new(NULL);
        char buf[4096];
        ssize_t n;

        while ((n = read(fd, buf, sizeof buf)) > 0)
                g_string_append_len(s, buf, n);
        close(fd);
        return g_string_free(s, FALSE);
}

static gboolean
name_has_owner(GDBusConnection *c, const char *name)
{
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(c, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                            "org.freedesktop.DBus", "NameHasOwner",
                                                            g_variant_new("(s)", name), G_VARIANT_TYPE("(b)"),
                                                            G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
        gboolean has = FALSE;

        if (r)
                g_variant_get(r, "(b)", &has);
        return has;
}

static void
test_bus_goes_away(WandFixture *f, gconstpointer data)
{
        g_autofree char *service_tests = g_path_get_dirname(g_getenv("G_TEST_DBUS_DAEMON"));
        g_autofree char *conf = g_build_filename(service_tests, "test-bus.conf", NULL);
        g_autofree char *conf_arg = g_strdup_printf("--config-file=%s", conf);
        g_autofree char *dir_arg = g_strdup_printf("--config-dir=%s", f->config_dir);
        g_autofree char *runtime_arg = g_strdup_printf("--runtime-dir=%s", f->runtime_dir);
        const char *bus_argv[] = { "dbus-daemon", conf_arg, "--nofork", "--print-address=1", NULL };
        const char *wand_argv[] = { g_getenv("WAND_BINARY"), dir_arg, runtime_arg, NULL };
        g_autoptr(GDBusConnection) c = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *address = NULL, *log = NULL;
        Spawned bus, wand;
        WandUsage before, after;
        int status;
        gint64 killed;
        char buf[512];
        ssize_t n;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);

        /* A bus of our own, so that killing it spares the fixture's. */
        bus = spawn(bus_argv, NULL, FALSE);
        n = read(bus.out_fd, buf, sizeof buf - 1);
        g_assert_cmpint(n, >, 0);
        buf[n] = 0;
        address = g_strstrip(g_strdup(buf));
        c = g_dbus_connection_new_for_address_sync(address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
        g_assert_no_error(error);
        g_dbus_connection_set_exit_on_close(c, FALSE);

        wand = spawn(wand_argv, address, TRUE);
        wand_wait_until(name_has_owner(c, WAND_BUS_NAME), "wand to own its name on our bus");

        before = wand_usage(wand.pid);
        killed = g_get_monotonic_time();
        g_assert_cmpint(kill(bus.pid, SIGKILL), ==, 0);
        g_assert_cmpint(wait_exit(bus.pid, 5000), !=, -1);
        status = wait_exit(wand.pid, 5000);
        if (status == -1) {
                /* Still there: is it spinning? */
                after = wand_usage(wand.pid);
                kill(wand.pid, SIGKILL);
                g_error("wand did not exit within 5 s of losing the bus (CPU used meanwhile: %" G_GUINT64_FORMAT
                        " ticks)", after.cpu_ticks - before.cpu_ticks);
        }
        log = read_all(wand.out_fd);
        robust_figure("bus goes away", "wand exited %.0f ms after the bus died, status %d", 
                      (g_get_monotonic_time() - killed) / 1000.0, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        g_test_message("wand said: %s", log);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), !=, 0); /* so that systemd restarts it */
        g_assert_nonnull(strstr(log, "Lost the connection to the system bus"));
        close(bus.out_fd);
        g_spawn_close_pid(bus.pid);
        g_spawn_close_pid(wand.pid);
}

/* No bus at all when it starts: the same clear failure, at once. */
static void
test_no_bus(WandFixture *f, gconstpointer data)
{
        g_autofree char *dir_arg = g_strdup_printf("--config-dir=%s", f->config_dir);
        g_autofree char *runtime_arg = g_strdup_printf("--runtime-dir=%s", f->runtime_dir);
        g_autofree char *address = g_strdup_printf("unix:path=%s/no-bus-here", f->config_dir);
        const char *wand_argv[] = { g_getenv("WAND_BINARY"), dir_arg, runtime_arg, NULL };
        g_autofree char *log = NULL;
        Spawned wand = spawn(wand_argv, address, TRUE);
        int status = wait_exit(wand.pid, 5000);

        if (status == -1) {
                kill(wand.pid, SIGKILL);
                g_error("wand did not exit within 5 s without a bus");
        }
        log = read_all(wand.out_fd);
        g_test_message("wand said: %s", log);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), !=, 0);
        g_assert_nonnull(strstr(log, "system bus"));
        g_spawn_close_pid(wand.pid);
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/faults/lifecycle/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("sigterm-in-flight", test_sigterm_in_flight);
        ADD("bus-goes-away", test_bus_goes_away);
        ADD("no-bus", test_no_bus);
#undef ADD
        return g_test_run();
}
