/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-config: the configuration directory — broken files are skipped
 * and logged, Reload() and SIGHUP re-read it, Delete/CreateInterface/
 * SetEnabled write it, wand.conf's DemandDial=. */
#include "wand-test.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>


static gboolean
has_interface(WandFixture *f, const char *name)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = wand_call(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                          "GetInterfaceByName", g_variant_new("(s)", name),
                                          G_VARIANT_TYPE("(o)"), &error);
        if (error) {
                g_autofree char *e = wand_error_name(error);
                g_assert_cmpstr(e, ==, WAND_ERROR("NoSuchInterface"));
        }
        return r != NULL;
}

/* A line of wand's log names the file and the line number. The config
 * directory's random name is cut out first so that its digits do not
 * count. */
static gboolean
log_names(WandFixture *f, const char *file, int line)
{
        g_autofree char *log = wand_fixture_get_log(f);
        g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
        g_autofree char *escaped = g_regex_escape_string(file, -1);
        g_autofree char *file_re = g_strdup_printf("(^|[^A-Za-z0-9_.-])%s([^A-Za-z0-9_.-]|$)",
                                                   escaped);
        g_autofree char *line_re = g_strdup_printf("(^|[^0-9])%d([^0-9]|$)", line);

        for (char **l = lines; *l; l++) {
                g_auto(GStrv) parts = g_strsplit(*l, f->config_dir, -1);
                g_autofree char *clean = g_strjoinv("", parts);

                if (g_regex_match_simple(file_re, clean, 0, 0) &&
                    (line < 0 || g_regex_match_simple(line_re, clean, 0, 0)))
                        return TRUE;
        }
        return FALSE;
}

static void
test_broken_files_skipped(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) list = NULL;
        g_autoptr(GVariant) arr = NULL;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "good", "veth0", NULL);
        wand_fixture_write_interface(f, "alsogood", "veth0",
                                     "# a comment\n; another\n\nPersistent=yes\n"
                                     "ConnectTimeoutSec=7\nDisconnectTimeoutSec=3\nEnabled=true\n");
        /* line 4: no key=value */
        wand_fixture_write_interface_file(f, "garbage", "# comment\n[Interface]\nDevice=veth0\n"
                                                        "this is not a setting\n");
        /* line 3: not a boolean */
        wand_fixture_write_interface_file(f, "badbool", "[Interface]\nDevice=veth0\nEnabled=maybe\n");
        /* line 5: unknown key */
        wand_fixture_write_interface_file(f, "unknownkey",
                                          "[Interface]\nDevice=veth0\n\nPersistent=no\nBogus=1\n");
        /* line 2: not a number */
        wand_fixture_write_interface_file(f, "badnum",
                                          "[Interface]\nConnectTimeoutSec=soon\nDevice=veth0\n");
        /* line 6: unterminated quote */
        wand_fixture_write_interface_file(f, "badquote",
                                          "[Interface]\nDevice=veth0\n\n\n\n"
                                          "ConnectCommand=/usr/sbin/pppd \"call isp\n");
        /* Device is missing: a problem of the whole file */
        wand_fixture_write_interface_file(f, "nodevice", "[Interface]\nEnabled=yes\n");
        /* line 2: an invalid device name */
        wand_fixture_write_interface_file(f, "baddevice", "[Interface]\nDevice=has space\n");
        wand_fixture_start(f);

        g_assert_true(has_interface(f, "good"));
        g_assert_true(has_interface(f, "alsogood"));
        g_assert_true(wand_get_bool(f, "/org/wand/Router1/interface/alsogood", "Persistent"));
        for (const char *const *n = (const char *[]){ "garbage", "badbool", "unknownkey", "badnum",
                                                      "badquote", "nodevice", "baddevice", NULL };
             *n; n++)
                if (has_interface(f, *n))
                        g_error("interface %s was loaded from a broken file", *n);
        list = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "ListInterfaces", NULL,
                            G_VARIANT_TYPE("(a(sos))"));
        arr = g_variant_get_child_value(list, 0);
        g_assert_cmpuint(g_variant_n_children(arr), ==, 2);

        wand_wait_until(log_names(f, "garbage.conf", 4), "a log line naming garbage.conf line 4");
        wand_wait_until(log_names(f, "badbool.conf", 3), "a log line naming badbool.conf line 3");
        wand_wait_until(log_names(f, "unknownkey.conf", 5), "a log line naming unknownkey.conf line 5");
        wand_wait_until(log_names(f, "badnum.conf", 2), "a log line naming badnum.conf line 2");
        wand_wait_until(log_names(f, "badquote.conf", 6), "a log line naming badquote.conf line 6");
        wand_wait_until(log_names(f, "baddevice.conf", 2), "a log line naming baddevice.conf line 2");
        wand_wait_until(log_names(f, "nodevice.conf", -1), "a log line naming nodevice.conf");
}

static void
test_reload(WandFixture *f, gconstpointer data)
{
        const char *wan1 = "/org/wand/Router1/interface/wan1";
        g_autofree char *file = NULL;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_add_veth(f, "veth1");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        wand_fixture_write_interface(f, "old", "veth1", NULL);
        wand_fixture_start(f);
        g_assert_false(wand_get_bool(f, WAN0, "Persistent"));
        {
                g_autoptr(GVariant) r = wand_call_ok(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect",
                                                     NULL, G_VARIANT_TYPE_UNIT);
        }

        /* a new file, a removed one, a changed one */
        wand_fixture_write_interface(f, "wan1", "veth1", NULL);
        file = wand_fixture_interface_file(f, "old");
        g_assert_cmpint(g_unlink(file), ==, 0);
        wand_fixture_write_interface(f, "wan0", "veth0", "Persistent=yes\n");
        g_assert_false(has_interface(f, "wan1"));

        wand_fixture_clear_signals(f);
        wand_manager_ok(f, "Reload");
        /* Reload replies when done: the objects are there already. */
        g_assert_true(has_interface(f, "wan1"));
        g_assert_false(has_interface(f, "old"));
        g_assert_true(wand_get_bool(f, WAN0, "Persistent"));
        g_variant_unref(wand_fixture_wait_interfaces_added(f, wan1));
        wand_fixture_wait_interfaces_removed(f, "/org/wand/Router1/interface/old");
        g_assert_false(wand_fixture_has_interfaces_removed(f, WAN0));
        g_assert_false(wand_fixture_has_interfaces_added(f, WAN0));
        {
                g_autofree char *state = wand_get_state(f, wan1);
                g_assert_cmpstr(state, ==, "disconnected");
        }
        /* wan0 was connected and its device did not change: still is. */
        {
                g_autofree char *state = wand_get_state(f, WAN0);
                g_assert_cmpstr(state, ==, "connected");
                g_assert_true(wand_link("veth0").up);
        }
        /* Reloading an unchanged directory changes nothing. */
        wand_fixture_clear_signals(f);
        wand_manager_ok(f, "Reload");
        wand_iterate(200);
        g_assert_false(wand_fixture_has_interfaces_added(f, wan1));
        g_assert_false(wand_fixture_has_interfaces_removed(f, wan1));
}

static void
test_sighup(WandFixture *f, gconstpointer data)
{
        const char *wan1 = "/org/wand/Router1/interface/wan1";
        g_autofree char *file = NULL;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        wand_fixture_start(f);

        wand_fixture_clear_signals(f);
        wand_fixture_write_interface(f, "wan1", "veth0", NULL);
        wand_fixture_kill(f, SIGHUP);
        g_variant_unref(wand_fixture_wait_interfaces_added(f, wan1));
        g_assert_true(has_interface(f, "wan1"));

        file = wand_fixture_interface_file(f, "wan0");
        g_assert_cmpint(g_unlink(file), ==, 0);
        wand_fixture_kill(f, SIGHUP);
        wand_fixture_wait_interfaces_removed(f, WAN0);
        g_assert_false(has_interface(f, "wan0"));
        /* still alive and well */
        g_assert_true(has_interface(f, "wan1"));
}

static void
test_delete_removes_file(WandFixture *f, gconstpointer data)
{
        g_autofree char *file = NULL;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        wand_fixture_start(f);
        wand_fixture_clear_signals(f);
        {
                g_autoptr(GVariant) r = wand_call_ok(f->root, WAN0, WAND_INTERFACE_IFACE, "Delete",
                                                     NULL, G_VARIANT_TYPE_UNIT);
        }
        file = wand_fixture_read_interface_file(f, "wan0");
        g_assert_null(file);
        wand_fixture_wait_interfaces_removed(f, WAN0);
        g_assert_false(has_interface(f, "wan0"));

        /* gone for good, also after Reload and restart */
        wand_manager_ok(f, "Reload");
        g_assert_false(has_interface(f, "wan0"));
        wand_fixture_restart(f);
        g_assert_false(has_interface(f, "wan0"));
}

static const char *const setting_keys[] = {
        "Device", "ConnectCommand", "DisconnectCommand", "Enabled", "Persistent",
        "ConnectTimeoutSec", "DisconnectTimeoutSec", NULL
};

static void
test_written_files(WandFixture *f, gconstpointer data)
{
        g_autofree char *contents = NULL, *dir = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GDir) d = NULL;
        const char *entry;
        gboolean in_section = FALSE;

        /* CreateInterface writes the documented format, atomically: no
         * temporary file is left beside it. */
        wand_fixture_start(f);
        {
                g_autoptr(GVariant) r = wand_call_ok(
                        f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                        g_variant_new_parsed("('new0', {'Device': <'veth7'>, 'Persistent': <true>, "
                                             "'ConnectCommand': <['/bin/echo', 'two words']>})"),
                        G_VARIANT_TYPE("(o)"));
        }
        contents = wand_fixture_read_interface_file(f, "new0");
        g_assert_nonnull(contents);
        lines = g_strsplit(contents, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_autofree char *line = g_strstrip(g_strdup(*l));
                g_autofree char *key = NULL;
                if (!*line || *line == '#' || *line == ';')
                        continue;
                if (*line == '[') {
                        g_assert_cmpstr(line, ==, "[Interface]");
                        in_section = TRUE;
                        continue;
                }
                g_assert_true(in_section);
                g_assert_nonnull(strchr(line, '='));
                key = g_strstrip(g_strndup(line, strchr(line, '=') - line));
                if (!g_strv_contains(setting_keys, key))
                        g_error("new0.conf has key %s, which is no setting", key);
        }

        dir = g_build_filename(f->config_dir, "interfaces", NULL);
        d = g_dir_open(dir, 0, NULL);
        g_assert_nonnull(d);
        while ((entry = g_dir_read_name(d)))
                g_assert_cmpstr(entry, ==, "new0.conf");

        /* SetEnabled rewrites it and keeps the rest. */
        {
                g_autoptr(GVariant) r = wand_call_ok(f->root, "/org/wand/Router1/interface/new0",
                                                     WAND_INTERFACE_IFACE, "SetEnabled",
                                                     g_variant_new("(b)", FALSE),
                                                     G_VARIANT_TYPE_UNIT);
        }
        wand_fixture_restart(f);
        g_assert_false(wand_get_bool(f, "/org/wand/Router1/interface/new0", "Enabled"));
        g_assert_true(wand_get_bool(f, "/org/wand/Router1/interface/new0", "Persistent"));
        {
                g_autofree char *dev = wand_get_string(f, "/org/wand/Router1/interface/new0",
                                                       WAND_INTERFACE_IFACE, "Device");
                g_assert_cmpstr(dev, ==, "veth7");
        }
        g_dir_rewind(d);
        while ((entry = g_dir_read_name(d)))
                g_assert_cmpstr(entry, ==, "new0.conf");
}

static mode_t
mode_of(const char *path)
{
        struct stat st;

        g_assert_cmpint(lstat(path, &st), ==, 0);
        return st.st_mode & 07777;
}

/* A configuration as older versions of wand left it: interfaces/ 0755 and
 * files 0644, a password in a command readable by every user. wand narrows
 * it when it starts, says so, and only once: a mode the administrator
 * chooses afterwards stays. */
static void
test_modes_narrowed_at_start(WandFixture *f, gconstpointer data)
{
        g_autofree char *ifaces = g_build_filename(f->config_dir, "interfaces", NULL);
        g_autofree char *dsl = wand_fixture_interface_file(f, "dsl");
        g_autofree char *wan0 = wand_fixture_interface_file(f, "wan0");
        g_autofree char *log = NULL;

        wand_fixture_write_interface(f, "dsl", "ppp0", "ConnectCommand=/bin/true user isp password s3cret\n");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        g_assert_cmpint(chmod(ifaces, 0755), ==, 0);
        g_assert_cmpint(chmod(dsl, 0644), ==, 0);
        g_assert_cmpint(chmod(wan0, 0644), ==, 0);

        wand_fixture_start(f);
        g_assert_true(has_interface(f, "dsl"));
        g_assert_cmpuint(mode_of(ifaces), ==, 0750);
        g_assert_cmpuint(mode_of(dsl), ==, 0600);
        g_assert_cmpuint(mode_of(wan0), ==, 0644); /* no command, no secret */
        log = wand_fixture_get_log(f);
        g_assert_nonnull(strstr(log, "/interfaces: every user could reach the files in it (mode 0755); changed it to 0750"));
        g_assert_nonnull(strstr(log, "/interfaces/dsl.conf has a command, which may hold a password, and was readable "
                                     "by every user (mode 0644); changed it to 0600"));

        g_assert_cmpint(chmod(dsl, 0640), ==, 0);
        wand_fixture_restart(f);
        g_assert_cmpuint(mode_of(dsl), ==, 0640);
}

/* What wand makes is 0600 (files) and 0750 (directories); what it rewrites
 * keeps the mode it has. */
static void
test_modes_of_written_files(WandFixture *f, gconstpointer data)
{
        g_autofree char *ifaces = g_build_filename(f->config_dir, "interfaces", NULL);
        g_autofree char *path = wand_fixture_interface_file(f, "new0");
        g_autofree char *text = NULL;

        g_assert_cmpint(g_rmdir(ifaces), ==, 0);
        wand_fixture_start(f);
        {
                g_autoptr(GVariant) r = wand_call_ok(
                        f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                        g_variant_new_parsed("('new0', {'Device': <'veth7'>, "
                                             "'ConnectCommand': <['/bin/true', 'password', 's3cret']>})"),
                        G_VARIANT_TYPE("(o)"));
        }
        g_assert_cmpuint(mode_of(ifaces), ==, 0750);
        g_assert_cmpuint(mode_of(path), ==, 0600);
        wand_iface_ok(f, "/org/wand/Router1/interface/new0", "SetEnabled", g_variant_new("(b)", FALSE));
        g_assert_cmpuint(mode_of(path), ==, 0600);

        g_assert_cmpint(chmod(path, 0640), ==, 0);
        wand_iface_ok(f, "/org/wand/Router1/interface/new0", "UpdateSettings",
                      g_variant_new_parsed("({'Persistent': <true>},)"));
        g_assert_cmpuint(mode_of(path), ==, 0640);
        text = wand_fixture_read_interface_file(f, "new0");
        g_assert_nonnull(strstr(text, "Persistent=yes"));
}

static void
test_demand_dial_no(WandFixture *f, gconstpointer data)
{
        g_autofree char *ddm = NULL, *state = NULL;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        wand_fixture_write_main_conf(f, "[Router]\nDemandDial=no\n");
        wand_fixture_start(f);
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "stopped");
        state = wand_get_state(f, WAN0);
        g_assert_cmpstr(state, ==, "unreachable");
        wand_assert_reasons(f, WAN0, (const char *[]){ "service-stopped", NULL });
        g_free(wand_call_error(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL,
                               WAND_ERROR("DemandDialManagerNotRunning")));

        wand_manager_ok(f, "StartDemandDialManager");
        wand_wait_state(f, WAN0, "disconnected");
        {
                g_autoptr(GVariant) r = wand_call_ok(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect",
                                                     NULL, G_VARIANT_TYPE_UNIT);
        }
        /* Starting it is not written back to wand.conf, but a restart keeps
         * it running: DemandDial=no is for the start after boot. */
        wand_fixture_restart(f);
        g_clear_pointer(&ddm, g_free);
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "running");

        /* And the converse: stopped, it stays stopped, even with
         * DemandDial=yes. */
        wand_manager_ok(f, "StopDemandDialManager");
        wand_fixture_write_main_conf(f, "[Router]\nDemandDial=yes\n");
        wand_fixture_restart(f);
        g_clear_pointer(&ddm, g_free);
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "stopped");

        /* A reboot empties the runtime directory: wand.conf decides again. */
        wand_fixture_stop(f);
        {
                g_autofree char *record = g_build_filename(f->runtime_dir, "demand-dial", NULL);
                g_assert_cmpint(g_unlink(record), ==, 0);
        }
        wand_fixture_start(f);
        g_clear_pointer(&ddm, g_free);
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "running");
}

static void
test_demand_dial_yes(WandFixture *f, gconstpointer data)
{
        g_autofree char *ddm = NULL;

        wand_fixture_write_main_conf(f, "# explicit\n[Router]\nDemandDial=yes\n");
        wand_fixture_start(f);
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "running");
}

static guint64
instance_id(WandFixture *f, const char *path)
{
        g_autoptr(GVariant) v = wand_get_property(f, path, WAND_INTERFACE_IFACE, "InstanceId");
        return g_variant_get_uint64(v);
}

/* RefusedFiles as "file|why" lines, the config directory cut out. */
static char *
refused_files(WandFixture *f)
{
        g_autoptr(GVariant) v = wand_get_property(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "RefusedFiles");
        g_autoptr(GString) out = g_string_new(NULL);
        GVariantIter iter;
        const char *file, *why;

        g_assert_true(g_variant_is_of_type(v, G_VARIANT_TYPE("a(ss)")));
        g_variant_iter_init(&iter, v);
        while (g_variant_iter_next(&iter, "(&s&s)", &file, &why)) {
                g_autofree char *line = g_strdup_printf("%s|%s", file, why);
                g_auto(GStrv) parts = g_strsplit(line, f->config_dir, -1);
                g_autofree char *clean = g_strjoinv("", parts);
                g_string_append_printf(out, "%s\n", clean);
        }
        return g_string_free(g_steal_pointer(&out), FALSE);
}

/* A file that cannot be read or trusted, or does not parse, is not a file
 * that is gone: its interface stays as it was (same object, InstanceId,
 * settings, connection), Reload() succeeds, and RefusedFiles says which
 * and why. Only removing the file removes the interface. */
static void
test_reload_keeps_refused(WandFixture *f, gconstpointer data)
{
        const char *wan1 = "/org/wand/Router1/interface/wan1";
        const char *wan2 = "/org/wand/Router1/interface/wan2";
        g_autofree char *wan1_file = NULL, *wan2_file = NULL, *refused = NULL;
        guint64 id0, id1, id2;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_add_veth(f, "veth1");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        wand_fixture_write_interface(f, "wan1", "veth1", NULL);
        wand_fixture_write_interface(f, "wan2", "veth1", "ConnectCommand=/bin/sleep 1000\n");
        wand_fixture_start(f);
        id0 = instance_id(f, WAN0);
        id1 = instance_id(f, wan1);
        id2 = instance_id(f, wan2);
        {
                g_autoptr(GVariant) r = wand_call_ok(f->root, WAN0, WAND_INTERFACE_IFACE, "Connect",
                                                     NULL, G_VARIANT_TYPE_UNIT);
        }

        /* A parse error in wan0's file (which would also change it), a
         * directory in place of wan1's, and wan2's file (with a command)
         * group-writable. */
        wand_fixture_write_interface(f, "wan0", "veth0", "Persistent=yes\nEnabled=maybe\n");
        wan1_file = wand_fixture_interface_file(f, "wan1");
        g_assert_cmpint(g_unlink(wan1_file), ==, 0);
        g_assert_cmpint(g_mkdir(wan1_file, 0755), ==, 0);
        wan2_file = wand_fixture_interface_file(f, "wan2");
        g_assert_cmpint(g_chmod(wan2_file, 0664), ==, 0);

        wand_fixture_clear_signals(f);
        wand_manager_ok(f, "Reload");
        g_assert_true(has_interface(f, "wan0"));
        g_assert_true(has_interface(f, "wan1"));
        g_assert_true(has_interface(f, "wan2"));
        g_assert_false(wand_fixture_has_interfaces_removed(f, WAN0));
        g_assert_false(wand_fixture_has_interfaces_removed(f, wan1));
        g_assert_false(wand_fixture_has_interfaces_removed(f, wan2));
        g_assert_cmpuint(instance_id(f, WAN0), ==, id0);
        g_assert_cmpuint(instance_id(f, wan1), ==, id1);
        g_assert_cmpuint(instance_id(f, wan2), ==, id2);
        /* wan0 keeps its old settings, and its connection. */
        g_assert_false(wand_get_bool(f, WAN0, "Persistent"));
        wand_assert_state(f, WAN0, "connected");
        g_assert_true(wand_link("veth0").up);

        refused = refused_files(f);
        g_test_message("RefusedFiles:\n%s", refused);
        g_assert_true(g_regex_match_simple("^/interfaces/wan0\\.conf\\|line 4: \"maybe\" is not a boolean", refused,
                                           G_REGEX_MULTILINE, 0));
        g_assert_true(g_regex_match_simple("^/interfaces/wan1\\.conf\\|is a directory", refused, G_REGEX_MULTILINE, 0));
        g_assert_true(g_regex_match_simple("^/interfaces/wan2\\.conf\\|refusing ConnectCommand=.*group- or world-writable", refused,
                                           G_REGEX_MULTILINE, 0));
        {
                g_auto(GStrv) lines = g_strsplit(refused, "\n", -1);
                g_assert_cmpuint(g_strv_length(lines), ==, 4); /* three, and the empty end */
        }
        wand_wait_until(log_names(f, "wan2.conf", -1), "a log line naming wan2.conf");

        /* Fixed: they load again, with their new settings. */
        wand_fixture_write_interface(f, "wan0", "veth0", "Persistent=yes\n");
        g_assert_cmpint(g_rmdir(wan1_file), ==, 0);
        wand_fixture_write_interface(f, "wan1", "veth1", NULL);
        g_assert_cmpint(g_chmod(wan2_file, 0644), ==, 0);
        wand_fixture_clear_signals(f);
        wand_manager_ok(f, "Reload");
        wand_fixture_wait_property_change(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "RefusedFiles",
                                          g_variant_new_array(G_VARIANT_TYPE("(ss)"), NULL, 0));
        g_clear_pointer(&refused, g_free);
        refused = refused_files(f);
        g_assert_cmpstr(refused, ==, "");
        g_assert_true(wand_get_bool(f, WAN0, "Persistent"));
        g_assert_cmpuint(instance_id(f, WAN0), ==, id0);
        g_assert_cmpuint(instance_id(f, wan1), ==, id1);
        g_assert_cmpuint(instance_id(f, wan2), ==, id2);
        wand_assert_state(f, WAN0, "connected");

        /* Only a file that is gone removes its interface. */
        g_assert_cmpint(g_unlink(wan2_file), ==, 0);
        wand_manager_ok(f, "Reload");
        g_assert_false(has_interface(f, "wan2"));
}

/* At start there is nothing to keep: a refused file's interface does not
 * exist, and RefusedFiles names the file. */
static void
test_refused_at_start(WandFixture *f, gconstpointer data)
{
        g_autofree char *refused = NULL, *file = NULL;

        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", "Enabled=maybe\n");
        wand_fixture_write_interface_file(f, "bad name", "[Interface]\nDevice=veth0\n");
        wand_fixture_start(f);
        g_assert_false(has_interface(f, "wan0"));
        refused = refused_files(f);
        g_test_message("RefusedFiles:\n%s", refused);
        g_assert_true(g_regex_match_simple("^/interfaces/wan0\\.conf\\|line 3: \"maybe\"", refused, G_REGEX_MULTILINE, 0));
        g_assert_true(g_regex_match_simple("^/interfaces/\"bad name\\.conf\"\\|.*not a valid interface name", refused,
                                           G_REGEX_MULTILINE, 0));

        /* Fixed and reloaded: it appears, and the change is announced. */
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        file = wand_fixture_interface_file(f, "bad name");
        g_assert_cmpint(g_unlink(file), ==, 0);
        wand_fixture_clear_signals(f);
        wand_manager_ok(f, "Reload");
        g_assert_true(has_interface(f, "wan0"));
        wand_fixture_wait_property_change(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "RefusedFiles",
                                          g_variant_new_array(G_VARIANT_TYPE("(ss)"), NULL, 0));
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/config/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("broken-files-skipped", test_broken_files_skipped);
        ADD("reload", test_reload);
        ADD("sighup", test_sighup);
        ADD("delete-removes-file", test_delete_removes_file);
        ADD("written-files", test_written_files);
        ADD("modes-narrowed-at-start", test_modes_narrowed_at_start);
        ADD("modes-of-written-files", test_modes_of_written_files);
        ADD("demand-dial-no", test_demand_dial_no);
        ADD("demand-dial-yes", test_demand_dial_yes);
        ADD("reload-keeps-refused", test_reload_keeps_refused);
        ADD("refused-at-start", test_refused_at_start);
#undef ADD
        return g_test_run();
}
