/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-manager: org.wand.Router1.Manager and the ObjectManager on
 * /org/wand/Router1 — lookups, listing, properties, and CreateInterface with
 * its persistence and argument checking. */
#include "wand-test.h"

#include <string.h>

static void
start_three(WandFixture *f)
{
        wand_fixture_add_veth(f, "veth0");
        wand_fixture_add_veth(f, "veth1");
        wand_fixture_write_interface(f, "zeta", "veth0", NULL);
        wand_fixture_write_interface(f, "alpha", "veth1", NULL);
        wand_fixture_write_interface(f, "mid", "nodev0", NULL);
        wand_fixture_write_interface(f, "site-b", "veth1", "Enabled=no\n");
        wand_fixture_start(f);
}

static void
test_get_interface_by_name(WandFixture *f, gconstpointer data)
{
        g_autofree char *wan = NULL, *site = NULL, *msg = NULL;
        g_autofree char *long_ok = g_strnfill(64, 'a');
        g_autofree char *too_long = g_strnfill(65, 'a');
        const char *malformed[] = { "", "bad name", ".dot", "-dash", "a/b", "wan0\n", "caf\xc3\xa9",
                                    too_long };

        start_three(f);
        wan = wand_get_interface(f, "zeta");
        g_assert_cmpstr(wan, ==, "/org/wand/Router1/interface/zeta");
        site = wand_get_interface(f, "site-b");
        g_assert_cmpstr(site, ==, "/org/wand/Router1/interface/site_2db");

        msg = wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                              g_variant_new("(s)", "nope"), WAND_ERROR("NoSuchInterface"));
        g_clear_pointer(&msg, g_free);
        /* 64 bytes is still a valid name: unknown, not malformed. */
        msg = wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                              g_variant_new("(s)", long_ok), WAND_ERROR("NoSuchInterface"));
        g_clear_pointer(&msg, g_free);
        /* Unprivileged callers may look up too. */
        msg = wand_call_error(f->user, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                              g_variant_new("(s)", "nope"), WAND_ERROR("NoSuchInterface"));
        g_clear_pointer(&msg, g_free);

        for (gsize i = 0; i < G_N_ELEMENTS(malformed); i++) {
                g_test_message("malformed name '%s'", malformed[i]);
                msg = wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                      "GetInterfaceByName", g_variant_new("(s)", malformed[i]),
                                      DBUS_ERROR("InvalidArgs"));
                g_clear_pointer(&msg, g_free);
        }
        wand_fixture_assert_no_polkit(f);
}

static void
test_list_interfaces(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) r = NULL;
        g_autoptr(GVariantIter) iter = NULL;
        const char *expected[][2] = {
                { "alpha", "disconnected" },
                { "mid", "unreachable" },
                { "site-b", "unreachable" },
                { "zeta", "disconnected" },
        };
        const char *name, *path, *state;
        gsize n = 0;

        start_three(f);
        r = wand_call_ok(f->user, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "ListInterfaces", NULL,
                         G_VARIANT_TYPE("(a(sos))"));
        g_variant_get(r, "(a(sos))", &iter);
        while (g_variant_iter_loop(iter, "(&s&o&s)", &name, &path, &state)) {
                g_autofree char *want_path = NULL;
                g_assert_cmpuint(n, <, G_N_ELEMENTS(expected));
                want_path = wand_interface_path(expected[n][0]);
                g_assert_cmpstr(name, ==, expected[n][0]);
                g_assert_cmpstr(path, ==, want_path);
                g_assert_cmpstr(state, ==, expected[n][1]);
                n++;
        }
        g_assert_cmpuint(n, ==, G_N_ELEMENTS(expected));
        wand_fixture_assert_no_polkit(f);
}

static void
test_manager_properties(WandFixture *f, gconstpointer data)
{
        g_autofree char *version = NULL, *ddm = NULL;
        g_autoptr(GVariant) all = NULL;
        g_autoptr(GVariant) props = NULL;

        start_three(f);
        version = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "Version");
        g_assert_cmpstr(version, ==, g_getenv("WAND_VERSION"));
        ddm = wand_get_string(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "DemandDialManager");
        g_assert_cmpstr(ddm, ==, "running");

        all = wand_call_ok(f->user, WAND_MANAGER_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                           g_variant_new("(s)", WAND_MANAGER_IFACE), G_VARIANT_TYPE("(a{sv})"));
        props = g_variant_get_child_value(all, 0);
        g_assert_true(g_variant_lookup(props, "Version", "s", NULL));
        g_assert_true(g_variant_lookup(props, "DemandDialManager", "s", NULL));
}

static const char *const interface_props[] = {
        "Name", "Device", "IfIndex", "State", "Enabled", "Persistent",
        "UnreachabilityReasons", "LastError", "ConnectedSince", NULL
};

static void
test_get_managed_objects(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) r = NULL;
        g_autoptr(GVariant) objects = NULL;
        const char *names[] = { "zeta", "alpha", "mid", "site-b" };

        start_three(f);
        r = wand_call_ok(f->user, WAND_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                         "GetManagedObjects", NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"));
        objects = g_variant_get_child_value(r, 0);
        g_assert_cmpuint(g_variant_n_children(objects), ==, G_N_ELEMENTS(names));

        for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
                g_autofree char *path = wand_interface_path(names[i]);
                g_autoptr(GVariant) ifaces = g_variant_lookup_value(objects, path,
                                                                    G_VARIANT_TYPE("a{sa{sv}}"));
                g_autoptr(GVariant) props = NULL;
                g_autoptr(GVariant) all = NULL;
                g_autoptr(GVariant) all_props = NULL;
                const char *name;

                g_assert_nonnull(ifaces);
                props = g_variant_lookup_value(ifaces, WAND_INTERFACE_IFACE, G_VARIANT_TYPE("a{sv}"));
                g_assert_nonnull(props);
                for (const char *const *p = interface_props; *p; p++) {
                        g_autoptr(GVariant) v = g_variant_lookup_value(props, *p, NULL);
                        if (!v)
                                g_error("GetManagedObjects: %s lacks %s", path, *p);
                }
                g_assert_true(g_variant_lookup(props, "Name", "&s", &name));
                g_assert_cmpstr(name, ==, names[i]);

                /* The same values as Properties.GetAll. */
                all = wand_call_ok(f->root, path, "org.freedesktop.DBus.Properties", "GetAll",
                                   g_variant_new("(s)", WAND_INTERFACE_IFACE),
                                   G_VARIANT_TYPE("(a{sv})"));
                all_props = g_variant_get_child_value(all, 0);
                for (const char *const *p = interface_props; *p; p++) {
                        g_autoptr(GVariant) a = g_variant_lookup_value(props, *p, NULL);
                        g_autoptr(GVariant) b = g_variant_lookup_value(all_props, *p, NULL);
                        g_assert_nonnull(b);
                        g_assert_true(g_variant_equal(a, b));
                }
        }
}

static void
test_create_interface(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) r = NULL;
        g_autoptr(GVariant) added = NULL;
        g_autofree char *file = NULL, *path = NULL, *dev = NULL, *state = NULL, *looked = NULL;
        const char *created, *name;
        g_autoptr(GVariant) list = NULL;

        start_three(f);
        wand_fixture_clear_signals(f);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                         g_variant_new_parsed("('new-0', {'Device': <'veth9'>, 'Persistent': <true>, "
                                              "'ConnectTimeoutSec': <uint32 5>})"),
                         G_VARIANT_TYPE("(o)"));
        g_variant_get(r, "(&o)", &created);
        g_assert_cmpstr(created, ==, "/org/wand/Router1/interface/new_2d0");

        added = wand_fixture_wait_interfaces_added(f, created);
        g_assert_true(g_variant_lookup(added, "Name", "&s", &name));
        g_assert_cmpstr(name, ==, "new-0");
        g_assert_true(g_variant_lookup(added, "Device", "&s", &name));
        g_assert_cmpstr(name, ==, "veth9");

        looked = wand_get_interface(f, "new-0");
        g_assert_cmpstr(looked, ==, created);
        g_assert_true(wand_get_bool(f, created, "Persistent"));
        g_assert_true(wand_get_bool(f, created, "Enabled"));
        state = wand_get_state(f, created);
        g_assert_cmpstr(state, ==, "unreachable"); /* veth9 does not exist */
        wand_assert_reasons(f, created, (const char *[]){ "no-device", NULL });

        list = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "ListInterfaces", NULL,
                            G_VARIANT_TYPE("(a(sos))"));
        {
                g_autoptr(GVariant) arr = g_variant_get_child_value(list, 0);
                g_assert_cmpuint(g_variant_n_children(arr), ==, 5);
        }

        /* Persisted, and loaded again by a new process. */
        file = wand_fixture_read_interface_file(f, "new-0");
        g_assert_nonnull(file);
        g_assert_nonnull(strstr(file, "[Interface]"));
        g_assert_nonnull(strstr(file, "Device=veth9"));

        wand_fixture_restart(f);
        path = wand_get_interface(f, "new-0");
        g_assert_cmpstr(path, ==, created);
        dev = wand_get_string(f, path, WAND_INTERFACE_IFACE, "Device");
        g_assert_cmpstr(dev, ==, "veth9");
        g_assert_true(wand_get_bool(f, path, "Persistent"));
}

static void
test_create_dialer_persists(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) r = NULL;
        g_autofree char *path = NULL, *state = NULL;

        /* Quoting in the argv must survive the round trip through the file. */
        wand_fixture_start(f);
        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                         g_variant_new_parsed("('dial0', {'Device': <'ppp9'>, "
                                              "'ConnectCommand': <['/bin/sleep', '1000']>, "
                                              "'DisconnectCommand': <['/bin/echo', 'a b', \"it's\"]>, "
                                              "'Enabled': <false>, 'DisconnectTimeoutSec': <uint32 3>})"),
                         G_VARIANT_TYPE("(o)"));
        wand_fixture_restart(f);
        path = wand_get_interface(f, "dial0");
        g_assert_false(wand_get_bool(f, path, "Enabled"));
        state = wand_get_state(f, path);
        g_assert_cmpstr(state, ==, "unreachable");
        wand_assert_reasons(f, path, (const char *[]){ "disabled", NULL });
}

static void
test_create_already_exists(WandFixture *f, gconstpointer data)
{
        g_autofree char *msg = NULL, *before = NULL, *after = NULL;

        start_three(f);
        before = wand_fixture_read_interface_file(f, "zeta");
        msg = wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                              g_variant_new_parsed("('zeta', {'Device': <'veth5'>})"),
                              WAND_ERROR("InterfaceAlreadyExists"));
        after = wand_fixture_read_interface_file(f, "zeta");
        g_assert_cmpstr(before, ==, after);
}

static void
test_create_invalid(WandFixture *f, gconstpointer data)
{
        const struct {
                const char *args;    /* GVariant text of (sa{sv}) */
                const char *mention; /* the message must name this */
        } cases[] = {
                { "('bad name', {'Device': <'veth0'>})", NULL },
                { "('', {'Device': <'veth0'>})", NULL },
                { "('.x', {'Device': <'veth0'>})", NULL },
                { "('x', {'Device': <'veth0'>, 'Bogus': <1>})", "Bogus" },
                { "('x', {'Device': <'veth0'>, 'device': <'veth0'>})", "device" },
                { "('x', {'Device': <42>})", "Device" },
                { "('x', {'Device': <'veth0'>, 'Enabled': <'yes'>})", "Enabled" },
                { "('x', {'Device': <'veth0'>, 'Persistent': <1>})", "Persistent" },
                { "('x', {'Device': <'veth0'>, 'ConnectTimeoutSec': <int32 5>})", "ConnectTimeoutSec" },
                { "('x', {'Device': <'veth0'>, 'DisconnectTimeoutSec': <'5'>})", "DisconnectTimeoutSec" },
                { "('x', {'Device': <'veth0'>, 'ConnectCommand': <'pppd call isp'>})", "ConnectCommand" },
                { "('x', {'Device': <'veth0'>, 'DisconnectCommand': <[1, 2]>})", "DisconnectCommand" },
                { "('x', {'Device': <'has space'>})", "Device" },
                { "('x', {'Device': <'a/b'>})", "Device" },
                { "('x', {'Device': <'0123456789abcdef'>})", "Device" },
                { "('x', {'Device': <''>})", "Device" },
                { "('x', @a{sv} {})", "Device" },
        };

        wand_fixture_start(f);
        wand_fixture_clear_signals(f);
        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *msg = NULL, *file = NULL;
                g_autoptr(GVariant) args = g_variant_ref_sink(g_variant_new_parsed(cases[i].args));
                const char *name;

                g_test_message("CreateInterface%s", cases[i].args);
                msg = wand_call_error(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                      "CreateInterface", args,
                                      DBUS_ERROR("InvalidArgs"));
                if (cases[i].mention && !strstr(msg, cases[i].mention))
                        g_error("CreateInterface%s: message \"%s\" does not name %s", cases[i].args,
                                msg, cases[i].mention);

                g_variant_get_child(args, 0, "&s", &name);
                if (*name && strchr(name, '/') == NULL) {
                        file = wand_fixture_read_interface_file(f, name);
                        g_assert_null(file);
                }
        }
        /* Nothing was created. */
        {
                g_autoptr(GVariant) list = wand_call_ok(f->root, WAND_MANAGER_PATH,
                                                        WAND_MANAGER_IFACE, "ListInterfaces", NULL,
                                                        G_VARIANT_TYPE("(a(sos))"));
                g_autoptr(GVariant) arr = g_variant_get_child_value(list, 0);
                g_assert_cmpuint(g_variant_n_children(arr), ==, 0);
        }
        wand_iterate(100);
        for (guint i = 0; i < f->signals->len; i++) {
                WandSignal *s = g_ptr_array_index(f->signals, i);
                g_assert_cmpstr(s->member, !=, "InterfacesAdded");
        }
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

#define ADD(name, fn) \
        g_test_add("/manager/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("get-interface-by-name", test_get_interface_by_name);
        ADD("list-interfaces", test_list_interfaces);
        ADD("properties", test_manager_properties);
        ADD("get-managed-objects", test_get_managed_objects);
        ADD("create-interface", test_create_interface);
        ADD("create-dialer-persists", test_create_dialer_persists);
        ADD("create-already-exists", test_create_already_exists);
        ADD("create-invalid", test_create_invalid);
#undef ADD
        return g_test_run();
}
