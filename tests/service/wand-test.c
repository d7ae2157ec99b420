/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fixture's life cycle: network namespace, private bus, polkit double,
 * configuration directory, veth pairs and the wand process itself. The bus
 * calls, signals and polkit answers are in wand-test-bus.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "wand-test.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib-unix.h>

#define UNPRIVILEGED_UID 65534
#define STOP_TIMEOUT_MS 5000

/* polkit's Authority interface, as much of it as wand may call. */
const char wand_test_polkit_xml[] =
        "<node>"
        " <interface name='org.freedesktop.PolicyKit1.Authority'>"
        "  <method name='CheckAuthorization'>"
        "   <arg type='(sa{sv})' name='subject' direction='in'/>"
        "   <arg type='s' name='action_id' direction='in'/>"
        "   <arg type='a{ss}' name='details' direction='in'/>"
        "   <arg type='u' name='flags' direction='in'/>"
        "   <arg type='s' name='cancellation_id' direction='in'/>"
        "   <arg type='(bba{ss})' name='result' direction='out'/>"
        "  </method>"
        "  <method name='CancelCheckAuthorization'>"
        "   <arg type='s' name='cancellation_id' direction='in'/>"
        "  </method>"
        " </interface>"
        "</node>";

static GDBusNodeInfo *polkit_node; /* parsed once, lives for the process */
static char *base_dir;              /* every test's files, under /tmp */

static void remove_tree(const char *path);

/* A child that removes base_dir once this process is gone, however it goes:
 * a failed assertion aborts without tear-down. It waits for EOF on a pipe
 * whose write end only this process holds (close-on-exec keeps it from wand,
 * the bus and ip). */
static void
start_reaper(void)
{
        g_autoptr(GError) error = NULL;
        int fds[2];
        pid_t pid;

        base_dir = g_dir_make_tmp("wand-test-XXXXXX", &error);
        g_assert_no_error(error);
        g_assert_true(g_unix_open_pipe(fds, FD_CLOEXEC, &error));
        g_assert_no_error(error);

        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                char c;
                int null = open("/dev/null", O_RDWR);

                /* Hold none of the test's output: meson waits for it. */
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                close(fds[1]);
                while (read(fds[0], &c, 1) < 0 && errno == EINTR)
                        ;
                remove_tree(base_dir);
                _exit(0);
        }
        close(fds[0]); /* fds[1] stays open until we exit */
}

void
wand_test_init(int *argc, char ***argv)
{
        /* Before any thread exists, so every thread (and every child: the
         * bus, wand, ip) lives in the new namespace. The host's network is
         * never touched. */
        if (geteuid() != 0) {
                fprintf(stderr, "service tests need root (own network namespace, veths)\n");
                exit(77);
        }
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
                exit(77);
        }

        start_reaper();
        g_test_init(argc, argv, NULL);
        wand_ip("link set lo up");
}

/* ── helpers ──────────────────────────────────────────────────────────── */

static gboolean
set_flag(gpointer data)
{
        *(gboolean *) data = TRUE;
        return G_SOURCE_REMOVE;
}

void
wand_iterate(guint ms)
{
        gboolean done = FALSE;

        g_timeout_add(ms, set_flag, &done);
        while (!done)
                g_main_context_iteration(NULL, TRUE);
}

static void
remove_tree(const char *path)
{
        if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
                g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
                const char *name;

                while (dir && (name = g_dir_read_name(dir))) {
                        g_autofree char *child = g_build_filename(path, name, NULL);
                        remove_tree(child);
                }
                g_rmdir(path);
        } else
                g_unlink(path);
}

static char *
spawn_sync(const char *const *argv, int *ret_status, char **ret_stderr)
{
        g_autoptr(GError) error = NULL;
        char *out = NULL;
        int status = 0;

        g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                     ret_stderr, &status, &error);
        g_assert_no_error(error);
        *ret_status = status;
        return out;
}

void
wand_ip(const char *args)
{
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) words = NULL;
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(GStrv) argv = NULL;
        g_autofree char *out = NULL, *err = NULL;
        int status;

        g_assert_true(g_shell_parse_argv(args, NULL, &words, &error));
        g_assert_no_error(error);
        g_strv_builder_add(b, "ip");
        g_strv_builder_addv(b, (const char **) words);
        argv = g_strv_builder_end(b);

        out = spawn_sync((const char *const *) argv, &status, &err);
        if (!g_spawn_check_wait_status(status, &error)) {
                g_autofree char *msg = g_strdup_printf("`ip %s` failed: %s: %s", args,
                                                       error->message, err);
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
        }
}

WandLink
wand_link(const char *dev)
{
        const char *argv[] = { "ip", "-o", "link", "show", "dev", dev, NULL };
        g_autofree char *out = NULL, *err = NULL;
        WandLink link = { 0 };
        const char *lt, *gt;
        g_auto(GStrv) flags = NULL;
        g_autofree char *flagstr = NULL;
        int status;

        out = spawn_sync(argv, &status, &err);
        if (!g_spawn_check_wait_status(status, NULL))
                return link; /* "Device … does not exist." */

        /* "7: veth0@veth0-p: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu …" */
        link.exists = TRUE;
        link.ifindex = atoi(out);
        lt = strchr(out, '<');
        gt = lt ? strchr(lt, '>') : NULL;
        g_assert_nonnull(gt);
        flagstr = g_strndup(lt + 1, gt - lt - 1);
        flags = g_strsplit(flagstr, ",", -1);
        link.up = g_strv_contains((const char *const *) flags, "UP");
        link.lower_up = g_strv_contains((const char *const *) flags, "LOWER_UP");
        g_assert_cmpint(link.ifindex, >, 0);
        return link;
}

void
wand_fixture_add_veth(WandFixture *f, const char *name)
{
        g_autofree char *add = g_strdup_printf("link add %s type veth peer name %s-p", name, name);
        g_autofree char *up = g_strdup_printf("link set %s-p up", name);

        wand_ip(add);
        wand_ip(up);
        if (!g_ptr_array_find_with_equal_func(f->veths, name, g_str_equal, NULL))
                g_ptr_array_add(f->veths, g_strdup(name));
}

/* ── configuration ────────────────────────────────────────────────────── */

static void
write_file(const char *path, const char *contents)
{
        g_autoptr(GError) error = NULL;

        g_file_set_contents(path, contents, -1, &error);
        g_assert_no_error(error);
}

void
wand_fixture_write_main_conf(WandFixture *f, const char *contents)
{
        g_autofree char *path = g_build_filename(f->config_dir, "wand.conf", NULL);

        write_file(path, contents);
}

char *
wand_fixture_interface_file(WandFixture *f, const char *name)
{
        g_autofree char *file = g_strconcat(name, ".conf", NULL);

        return g_build_filename(f->config_dir, "interfaces", file, NULL);
}

void
wand_fixture_write_interface_file(WandFixture *f, const char *name, const char *contents)
{
        g_autofree char *path = wand_fixture_interface_file(f, name);

        write_file(path, contents);
}

void
wand_fixture_write_interface(WandFixture *f, const char *name, const char *device,
                             const char *extra)
{
        g_autofree char *contents = g_strdup_printf("[Interface]\nDevice=%s\n%s", device,
                                                    extra ? extra : "");

        wand_fixture_write_interface_file(f, name, contents);
}

char *
wand_fixture_read_interface_file(WandFixture *f, const char *name)
{
        g_autofree char *path = wand_fixture_interface_file(f, name);
        char *contents = NULL;

        if (!g_file_get_contents(path, &contents, NULL, NULL))
                return NULL;
        return contents;
}

/* ── set-up and tear-down ─────────────────────────────────────────────── */

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
          const char *member, GVariant *params, gpointer user_data)
{
        WandFixture *f = user_data;
        WandSignal *s = g_new0(WandSignal, 1);

        s->sender = g_strdup(sender);
        s->path = g_strdup(path);
        s->iface = g_strdup(iface);
        s->member = g_strdup(member);
        s->params = g_variant_ref(params);
        g_ptr_array_add(f->signals, s);
}

static void
wand_signal_free(WandSignal *s)
{
        g_free(s->sender);
        g_free(s->path);
        g_free(s->iface);
        g_free(s->member);
        g_variant_unref(s->params);
        g_free(s);
}

static char *
name_owner(WandFixture *f, const char *name)
{
        g_autoptr(GVariant) r = NULL;
        char *owner = NULL;

        r = wand_call(f->root, "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner",
                      g_variant_new("(s)", name), G_VARIANT_TYPE("(s)"), NULL);
        if (r)
                g_variant_get(r, "(s)", &owner);
        return owner;
}

static gboolean
name_has_owner(WandFixture *f, const char *name)
{
        g_autofree char *owner = name_owner(f, name);

        return owner != NULL;
}

GDBusConnection *
wand_fixture_connect_as(WandFixture *f, uid_t uid)
{
        g_autoptr(GError) error = NULL;
        GDBusConnection *c;

        /* SO_PEERCRED records the effective uid at connect(), so the bus
         * (and wand asking it) sees this connection as uid. */
        g_assert_cmpint(setresuid(-1, uid, -1), ==, 0);
        c = g_dbus_connection_new_for_address_sync(f->bus_address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
        g_assert_cmpint(setresuid(-1, 0, -1), ==, 0);
        g_assert_no_error(error);
        g_dbus_connection_set_exit_on_close(c, FALSE);
        return c;
}

void
wand_fixture_set_up(WandFixture *f, gconstpointer data)
{
        g_autoptr(GError) error = NULL;
        g_autofree char *ifaces = NULL;
        g_autofree char *guid = NULL;
        g_autoptr(GVariant) uid = NULL;
        guint32 u;

        if (!polkit_node) {
                polkit_node = g_dbus_node_info_new_for_xml(wand_test_polkit_xml, &error);
                g_assert_no_error(error);
        }

        f->queue = gt_dbus_queue_new();
        gt_dbus_queue_connect(f->queue, &error);
        g_assert_no_error(error);

        /* GTestDBus (inside the queue) published the bus here. */
        f->bus_address = g_strdup(g_getenv("DBUS_SESSION_BUS_ADDRESS"));
        g_assert_nonnull(f->bus_address);
        f->root = g_object_ref(gt_dbus_queue_get_client_connection(f->queue));
        guid = g_strdup_printf("guid=%s", g_dbus_connection_get_guid(f->root));
        g_assert_nonnull(strstr(f->bus_address, guid));

        f->user = wand_fixture_connect_as(f, UNPRIVILEGED_UID);
        uid = wand_call_ok(f->root, "/org/freedesktop/DBus", "org.freedesktop.DBus",
                           "GetConnectionUnixUser",
                           g_variant_new("(s)", g_dbus_connection_get_unique_name(f->user)),
                           G_VARIANT_TYPE("(u)"));
        g_variant_get(uid, "(u)", &u);
        g_assert_cmpuint(u, ==, UNPRIVILEGED_UID);

        f->polkit_object_id = gt_dbus_queue_export_object(f->queue, POLKIT_PATH,
                                                          polkit_node->interfaces[0], &error);
        g_assert_no_error(error);
        f->polkit_name_id = gt_dbus_queue_own_name(f->queue, POLKIT_BUS_NAME);
        wand_wait_until(name_has_owner(f, POLKIT_BUS_NAME), "the polkit double to own its name");

        f->signals = g_ptr_array_new_with_free_func((GDestroyNotify) wand_signal_free);
        f->sub_properties = g_dbus_connection_signal_subscribe(
                f->root, NULL, "org.freedesktop.DBus.Properties", "PropertiesChanged", NULL,
                NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
        f->sub_object_manager = g_dbus_connection_signal_subscribe(
                f->root, NULL, "org.freedesktop.DBus.ObjectManager", NULL, WAND_MANAGER_PATH,
                NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);

        f->config_dir = g_build_filename(base_dir, "config-XXXXXX", NULL);
        g_assert_nonnull(g_mkdtemp(f->config_dir));
        ifaces = g_build_filename(f->config_dir, "interfaces", NULL);
        g_assert_cmpint(g_mkdir(ifaces, 0755), ==, 0);
        /* Its own, not the host's /run/wand: what wand keeps there across
         * restarts (the demand-dial manager's state) is this test's. */
        f->runtime_dir = g_build_filename(base_dir, "run-XXXXXX", NULL);
        g_assert_nonnull(g_mkdtemp(f->runtime_dir));
        f->veths = g_ptr_array_new_with_free_func(g_free);
        g_mutex_init(&f->log_lock);
}

void
wand_fixture_tear_down(WandFixture *f, gconstpointer data)
{
        if (f->wand_pid)
                wand_fixture_stop(f);

        g_dbus_connection_signal_unsubscribe(f->root, f->sub_properties);
        g_dbus_connection_signal_unsubscribe(f->root, f->sub_object_manager);
        g_clear_pointer(&f->signals, g_ptr_array_unref);

        if (f->user)
                g_dbus_connection_close_sync(f->user, NULL, NULL);
        g_clear_object(&f->user);
        g_clear_object(&f->root);

        /* Every call wand made to polkit must have been looked at. */
        gt_dbus_queue_assert_no_messages(f->queue);
        if (f->polkit_name_id)
                gt_dbus_queue_unown_name(f->queue, f->polkit_name_id);
        gt_dbus_queue_unexport_object(f->queue, f->polkit_object_id);
        gt_dbus_queue_disconnect(f->queue, TRUE);
        g_clear_pointer(&f->queue, gt_dbus_queue_free);

        for (guint i = 0; i < f->veths->len; i++) {
                const char *name = g_ptr_array_index(f->veths, i);
                if (wand_link(name).exists) {
                        g_autofree char *del = g_strdup_printf("link del %s", name);
                        wand_ip(del);
                }
        }
        g_clear_pointer(&f->veths, g_ptr_array_unref);

        remove_tree(f->config_dir);
        g_clear_pointer(&f->config_dir, g_free);
        remove_tree(f->runtime_dir);
        g_clear_pointer(&f->runtime_dir, g_free);
        g_clear_pointer(&f->bus_address, g_free);
        g_mutex_clear(&f->log_lock);
        if (f->log)
                g_string_free(f->log, TRUE);
        f->log = NULL;
}

void
wand_fixture_polkit_leave(WandFixture *f)
{
        g_assert_cmpuint(f->polkit_name_id, !=, 0);
        gt_dbus_queue_unown_name(f->queue, f->polkit_name_id);
        f->polkit_name_id = 0;
        wand_wait_until(!name_has_owner(f, POLKIT_BUS_NAME), "polkit to leave the bus");
}

/* ── the wand process ─────────────────────────────────────────────────── */

static void
child_setup(gpointer data)
{
        /* If the test dies on an assertion, wand goes with it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void
on_wand_exit(GPid pid, int status, gpointer user_data)
{
        WandFixture *f = user_data;

        f->wand_exited = TRUE;
        f->wand_wait_status = status;
        f->wand_child_watch = 0;
        g_spawn_close_pid(pid);
}

typedef struct {
        WandFixture *f;
        int fd;
} LogReader;

static gpointer
log_reader(gpointer data)
{
        LogReader *r = data;
        char buf[4096];
        ssize_t n;

        /* Copied to our stderr as it comes (the test log shows what wand
         * said even when a test aborts) and kept for tests that look at it. */
        for (;;) {
                n = read(r->fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                (void) !write(STDERR_FILENO, buf, n);
                g_mutex_lock(&r->f->log_lock);
                g_string_append_len(r->f->log, buf, n);
                g_mutex_unlock(&r->f->log_lock);
        }
        close(r->fd);
        g_free(r);
        return NULL;
}

void
wand_fixture_start(WandFixture *f)
{
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) env = g_get_environ();
        g_autofree char *dir_arg = g_strdup_printf("--config-dir=%s", f->config_dir);
        g_autofree char *runtime_arg = g_strdup_printf("--runtime-dir=%s", f->runtime_dir);
        const char *binary = g_getenv("WAND_BINARY");
        const char *wrapper = g_getenv("WAND_WRAPPER");
        g_auto(GStrv) wrapper_argv = NULL;
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        LogReader *r;
        int err_fd;
        gint64 deadline;

        g_assert_nonnull(binary);
        g_assert_cmpint(f->wand_pid, ==, 0);
        g_assert_false(name_has_owner(f, WAND_BUS_NAME));

        env = g_environ_setenv(g_steal_pointer(&env), "DBUS_SYSTEM_BUS_ADDRESS", f->bus_address, TRUE);
        /* Only the system bus address leads to our bus; wand must not find it
         * any other way, and logs to stderr, not to a journal. */
        env = g_environ_unsetenv(g_steal_pointer(&env), "DBUS_SESSION_BUS_ADDRESS");
        env = g_environ_unsetenv(g_steal_pointer(&env), "DBUS_STARTER_ADDRESS");
        env = g_environ_unsetenv(g_steal_pointer(&env), "JOURNAL_STREAM");

        /* WAND_WRAPPER (e.g. "valgrind --error-exitcode=1 …") runs wand under
         * a tool that execs nothing else: its pid, signals and exit status
         * are wand's. */
        if (wrapper && *wrapper) {
                g_assert_true(g_shell_parse_argv(wrapper, NULL, &wrapper_argv, &error));
                for (char **w = wrapper_argv; *w; w++)
                        g_ptr_array_add(argv, *w);
        }
        g_ptr_array_add(argv, (char *) binary);
        g_ptr_array_add(argv, dir_arg);
        g_ptr_array_add(argv, runtime_arg);
        if (f->wand_verbose)
                g_ptr_array_add(argv, (char *) "--verbose");
        g_ptr_array_add(argv, NULL);

        g_spawn_async_with_pipes(NULL, (char **) argv->pdata, env,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, child_setup, NULL,
                                 &f->wand_pid, NULL, NULL, &err_fd, &error);
        g_assert_no_error(error);
        f->wand_exited = FALSE;
        f->wand_child_watch = g_child_watch_add(f->wand_pid, on_wand_exit, f);

        g_mutex_lock(&f->log_lock);
        if (f->log)
                g_string_truncate(f->log, 0);
        else
                f->log = g_string_new(NULL);
        g_mutex_unlock(&f->log_lock);
        r = g_new0(LogReader, 1);
        r->f = f;
        r->fd = err_fd;
        f->log_thread = g_thread_new("wand-stderr", log_reader, r);

        deadline = g_get_monotonic_time() + WAND_TIMEOUT_MS * G_GINT64_CONSTANT(1000);
        for (;;) {
                g_free(f->wand_unique_name);
                f->wand_unique_name = name_owner(f, WAND_BUS_NAME);
                if (f->wand_unique_name)
                        break;
                if (f->wand_exited) {
                        g_autofree char *msg = g_strdup_printf(
                                "wand exited (wait status %d) before owning " WAND_BUS_NAME,
                                f->wand_wait_status);
                        f->wand_pid = 0;
                        g_thread_join(g_steal_pointer(&f->log_thread));
                        g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
                }
                if (g_get_monotonic_time() > deadline)
                        g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,
                                            "wand did not own " WAND_BUS_NAME " within the timeout");
                wand_iterate(20);
        }
}

void
wand_fixture_start_wan0(WandFixture *f, const char *extra)
{
        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", extra);
        wand_fixture_start(f);
}

void
wand_fixture_kill(WandFixture *f, int sig)
{
        g_assert_cmpint(f->wand_pid, !=, 0);
        g_assert_cmpint(kill(f->wand_pid, sig), ==, 0);
}

void
wand_fixture_stop(WandFixture *f)
{
        g_autoptr(GError) error = NULL;
        gint64 deadline = g_get_monotonic_time() + STOP_TIMEOUT_MS * G_GINT64_CONSTANT(1000);
        gboolean killed = FALSE;

        g_assert_cmpint(f->wand_pid, !=, 0);
        kill(f->wand_pid, SIGTERM);
        while (!f->wand_exited) {
                if (!killed && g_get_monotonic_time() > deadline) {
                        kill(f->wand_pid, SIGKILL);
                        killed = TRUE;
                }
                wand_iterate(20);
        }
        f->wand_pid = 0;
        g_thread_join(g_steal_pointer(&f->log_thread));
        g_clear_pointer(&f->wand_unique_name, g_free);

        if (killed)
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,
                                    "wand did not exit within 5 s of SIGTERM (killed)");
        if (!g_spawn_check_wait_status(f->wand_wait_status, &error)) {
                g_autofree char *msg = g_strdup_printf("wand did not exit 0 on SIGTERM: %s",
                                                       error->message);
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
        }
        wand_wait_until(!name_has_owner(f, WAND_BUS_NAME), "the old wand's name to go");
}

void
wand_fixture_restart(WandFixture *f)
{
        wand_fixture_stop(f);
        wand_fixture_start(f);
}

char *
wand_fixture_get_log(WandFixture *f)
{
        char *s;

        g_mutex_lock(&f->log_lock);
        s = g_strdup(f->log ? f->log->str : "");
        g_mutex_unlock(&f->log_lock);
        return s;
}

GDBusNodeInfo *
wand_introspect(WandFixture *f, const char *path)
{
        g_autoptr(GVariant) r = NULL;
        g_autoptr(GError) error = NULL;
        const char *xml;
        GDBusNodeInfo *node;

        r = wand_call_ok(f->root, path, "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
                         G_VARIANT_TYPE("(s)"));
        g_variant_get(r, "(&s)", &xml);
        node = g_dbus_node_info_new_for_xml(xml, &error);
        g_assert_no_error(error);
        return node;
}
