/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* robustness-faults-disk: the configuration directory is read-only, or on a
 * full disk (a small tmpfs, out of blocks or out of inodes). CreateInterface
 * and SetEnabled fail with a clear error, leave no file behind, and what wand
 * publishes agrees with what is on disk (a restart shows the same). All in
 * this test's own mount namespace: the host's mounts do not change. And the
 * file SetEnabled changes is the one on disk, which an administrator may have
 * made private, commented, linked, edited or removed meanwhile. */
#include "robust.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

static const char *const create_args =
        "('new0', {'Device': <'veth7'>, 'ConnectCommand': <['/bin/true', 'some', 'words']>})";

static int
compare_names(gconstpointer a, gconstpointer b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Names in <config>/interfaces, sorted, joined by spaces. */
static char *
list_interfaces_dir(WandFixture *f)
{
        g_autofree char *dir = g_build_filename(f->config_dir, "interfaces", NULL);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *n;

        g_assert_nonnull(d);
        while ((n = g_dir_read_name(d)))
                g_ptr_array_add(names, g_strdup(n));
        g_ptr_array_sort(names, compare_names);
        g_ptr_array_add(names, NULL);
        return g_strjoinv(" ", (char **) names->pdata);
}

static gboolean
has_interface(WandFixture *f, const char *name)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = wand_call(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                                          g_variant_new("(s)", name), G_VARIANT_TYPE("(o)"), &error);
        return r != NULL;
}

/* The failures every case expects, with the text the error must carry. */
static void
assert_writes_fail(WandFixture *f, const char *reason)
{
        g_autofree char *before = list_interfaces_dir(f);
        g_autofree char *wan0_before = wand_fixture_read_interface_file(f, "wan0");
        g_autofree char *after = NULL, *wan0_after = NULL, *msg = NULL, *state = NULL;

        msg = wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                              g_variant_new_parsed(create_args), DBUS_ERROR("IOError"));
        g_test_message("CreateInterface: %s", msg);
        g_assert_nonnull(strstr(msg, reason));
        g_assert_nonnull(strstr(msg, "Nothing was created"));
        g_assert_false(has_interface(f, "new0"));
        g_free(msg);

        msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "SetEnabled", g_variant_new("(b)", FALSE),
                              "org.freedesktop.DBus.Error.IOError");
        g_test_message("SetEnabled: %s", msg);
        g_assert_nonnull(strstr(msg, reason));
        g_assert_nonnull(strstr(msg, "Nothing was changed"));
        g_assert_true(wand_get_bool(f, WAN0, "Enabled"));
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "connected");

        /* No temporary file left, the old file as it was. */
        after = list_interfaces_dir(f);
        g_assert_cmpstr(after, ==, before);
        wan0_after = wand_fixture_read_interface_file(f, "wan0");
        g_assert_cmpstr(wan0_after, ==, wan0_before);
}

/* Memory and disk agree: a restart reads what the running wand shows. */
static void
assert_restart_agrees(WandFixture *f, gboolean new0, gboolean wan0_enabled)
{
        wand_fixture_restart(f);
        g_assert_cmpint(has_interface(f, "new0"), ==, new0);
        g_assert_cmpint(wand_get_bool(f, WAN0, "Enabled"), ==, wan0_enabled);
}

static void
assert_writes_work(WandFixture *f)
{
        g_autoptr(GVariant) r = NULL;

        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                         g_variant_new_parsed(create_args), G_VARIANT_TYPE("(o)"));
        wand_iface_ok(f, WAN0, "SetEnabled", g_variant_new("(b)", FALSE));
        g_assert_false(wand_get_bool(f, WAN0, "Enabled"));
        assert_restart_agrees(f, TRUE, FALSE);
}

/* wand on wan0 (veth0, its file already written), connected. */
static void
start_connected(WandFixture *f)
{
        wand_fixture_start(f);
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_assert_state(f, WAN0, "connected");
}

static void
do_read_only(WandFixture *f, gconstpointer data)
{
        g_autofree char *ifaces = g_build_filename(f->config_dir, "interfaces", NULL);

        /* wan0's file is written before the directory turns read-only. */
        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        g_assert_cmpint(mount(ifaces, ifaces, NULL, MS_BIND, NULL), ==, 0);
        g_assert_cmpint(mount(NULL, ifaces, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL), ==, 0);
        start_connected(f);

        assert_writes_fail(f, "Read-only file system");
        assert_restart_agrees(f, FALSE, TRUE);

        /* Writable again: everything works, and is kept. */
        g_assert_cmpint(umount(ifaces), ==, 0);
        assert_writes_work(f);
}

/* Mounts a tmpfs of the given options on <config>/interfaces. */
static void
mount_small_tmpfs(WandFixture *f, const char *options)
{
        g_autofree char *ifaces = g_build_filename(f->config_dir, "interfaces", NULL);

        g_assert_cmpint(mount("wand-test", ifaces, "tmpfs", MS_NOSUID | MS_NODEV, options), ==, 0);
}

/* Fills the file system holding path with a file until writes fail. */
static void
fill(const char *dir)
{
        g_autofree char *path = g_build_filename(dir, ".filler", NULL);
        char block[4096];
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

        g_assert_cmpint(fd, >=, 0);
        memset(block, 'x', sizeof block);
        while (write(fd, block, sizeof block) > 0)
                ;
        g_assert_cmpint(errno, ==, ENOSPC);
        close(fd);
}

static void
do_disk_full(WandFixture *f, gconstpointer data)
{
        g_autofree char *ifaces = g_build_filename(f->config_dir, "interfaces", NULL);
        g_autofree char *filler = g_build_filename(ifaces, ".filler", NULL);

        mount_small_tmpfs(f, "size=64k,mode=0755");
        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        start_connected(f);
        fill(ifaces);

        assert_writes_fail(f, "No space left on device");
        assert_restart_agrees(f, FALSE, TRUE);

        g_assert_cmpint(g_unlink(filler), ==, 0);
        assert_writes_work(f);
        g_assert_cmpint(umount(ifaces), ==, 0);
}

static void
do_no_inodes(WandFixture *f, gconstpointer data)
{
        g_autofree char *ifaces = g_build_filename(f->config_dir, "interfaces", NULL);
        g_autofree char *spare = g_build_filename(ifaces, ".spare", NULL);
        int fd;

        /* Room for data, but no inode for a temporary file. */
        mount_small_tmpfs(f, "size=1m,nr_inodes=4,mode=0755");
        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        for (;;) {
                g_autofree char *p = g_strdup_printf("%s/.spare-%d", ifaces, g_random_int());
                fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (fd < 0)
                        break;
                close(fd);
        }
        g_assert_cmpint(errno, ==, ENOSPC);
        start_connected(f);

        assert_writes_fail(f, "No space left on device");
        assert_restart_agrees(f, FALSE, TRUE);
        g_assert_cmpint(umount(ifaces), ==, 0);
}

/* SetEnabled changes the Enabled= line of the file as it is on disk and
 * nothing else: a private file (a password in ConnectCommand=) stays
 * private, comments stay, edits not yet reloaded stay. */
static void
do_set_enabled_keeps_file(WandFixture *f, gconstpointer data)
{
        const char *edited = "# the uplink; the command holds the provider's password\n"
                             "[Interface]\n"
                             "Device = veth0\n"
                             "ConnectTimeoutSec=7\n"
                             "# added after wand read the file, not reloaded\n"
                             "Persistent=yes\n";
        g_autofree char *path = wand_fixture_interface_file(f, "wan0");
        g_autofree char *expected = g_strconcat(edited, "Enabled=no\n", NULL);
        g_autofree char *text = NULL;
        struct stat st;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", "ConnectTimeoutSec=7\n");
        g_assert_cmpint(chmod(path, 0600), ==, 0);
        wand_fixture_start(f);
        g_assert_false(wand_get_bool(f, WAN0, "Persistent"));

        wand_fixture_write_interface_file(f, "wan0", edited);
        g_assert_cmpint(chmod(path, 0600), ==, 0);
        wand_iface_ok(f, WAN0, "SetEnabled", g_variant_new("(b)", FALSE));
        g_assert_false(wand_get_bool(f, WAN0, "Enabled"));

        text = wand_fixture_read_interface_file(f, "wan0");
        g_assert_cmpstr(text, ==, expected);
        g_assert_cmpint(lstat(path, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0600);
        g_assert_cmpuint(st.st_uid, ==, 0);

        /* Enabled again: the line says so, the rest is as it was. */
        wand_iface_ok(f, WAN0, "SetEnabled", g_variant_new("(b)", TRUE));
        g_free(text);
        text = wand_fixture_read_interface_file(f, "wan0");
        g_free(expected);
        expected = g_strconcat(edited, "Enabled=yes\n", NULL);
        g_assert_cmpstr(text, ==, expected);

        wand_fixture_restart(f);
        g_assert_true(wand_get_bool(f, WAN0, "Enabled"));
        g_assert_true(wand_get_bool(f, WAN0, "Persistent"));
}

/* A linked file is not written through (nor replaced by a file), and a
 * removed one is not brought back: the caller reads what to do. */
static void
do_set_enabled_link_or_gone(WandFixture *f, gconstpointer data)
{
        g_autofree char *path = wand_fixture_interface_file(f, "wan0");
        g_autofree char *target = g_build_filename(f->config_dir, "wan0-real.conf", NULL);
        g_autofree char *msg = NULL, *text = NULL;
        struct stat st;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        g_assert_cmpint(rename(path, target), ==, 0);
        g_assert_cmpint(symlink(target, path), ==, 0);
        wand_fixture_start(f);

        msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "SetEnabled", g_variant_new("(b)", FALSE),
                              "org.freedesktop.DBus.Error.IOError");
        g_test_message("SetEnabled on a link: %s", msg);
        g_assert_nonnull(strstr(msg, "is a symbolic link"));
        g_assert_nonnull(strstr(msg, "set Enabled= in the file it points to"));
        g_assert_nonnull(strstr(msg, "Nothing was changed"));
        g_assert_true(wand_get_bool(f, WAN0, "Enabled"));
        g_assert_cmpint(lstat(path, &st), ==, 0);
        g_assert_true(S_ISLNK(st.st_mode));
        g_assert_true(g_file_get_contents(target, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "[Interface]\nDevice=veth0\n");

        g_assert_cmpint(g_unlink(path), ==, 0);
        g_free(msg);
        msg = wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "SetEnabled", g_variant_new("(b)", FALSE),
                              "org.freedesktop.DBus.Error.IOError");
        g_test_message("SetEnabled on a removed file: %s", msg);
        g_assert_nonnull(strstr(msg, "no longer exists"));
        g_assert_nonnull(strstr(msg, "reload wand"));
        g_assert_true(wand_get_bool(f, WAN0, "Enabled"));
        g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

int
main(int argc, char **argv)
{
        /* Our own mount namespace, before any thread exists, with nothing
         * propagating back to the host. */
        if (geteuid() == 0) {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                        g_printerr("cannot make a private mount namespace: %s\n", g_strerror(errno));
                        return 77;
                }
        }
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/faults/disk/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("read-only", do_read_only);
        ADD("full", do_disk_full);
        ADD("no-inodes", do_no_inodes);
        ADD("set-enabled-keeps-file", do_set_enabled_keeps_file);
        ADD("set-enabled-link-or-gone", do_set_enabled_link_or_gone);
#undef ADD
        return g_test_run();
}
