/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fixture itself, without wand: the private bus admits uid 65534 and
 * sees it as such, the polkit double receives and answers calls, the
 * network namespace is our own. If these fail, no service test means
 * anything. */
#include "wand-test.h"

#include <string.h>
#include <unistd.h>

static void
test_bus(WandFixture *f, gconstpointer data)
{
        g_autoptr(GVariant) r = NULL;
        guint32 uid;

        /* wand_fixture_set_up() already checked the user connection. */
        r = wand_call_ok(f->root, "/org/freedesktop/DBus", "org.freedesktop.DBus",
                         "GetConnectionUnixUser",
                         g_variant_new("(s)", g_dbus_connection_get_unique_name(f->root)),
                         G_VARIANT_TYPE("(u)"));
        g_variant_get(r, "(u)", &uid);
        g_assert_cmpuint(uid, ==, 0);
        g_assert_cmpuint(geteuid(), ==, 0);
}

static void
on_check_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
        GVariant **out = user_data;
        g_autoptr(GError) error = NULL;

        *out = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
        g_assert_no_error(error);
}

static void
test_polkit_double(WandFixture *f, gconstpointer data)
{
        g_autoptr(GDBusConnection) sender = wand_fixture_connect_as(f, 0);
        g_autoptr(WandPolkitCheck) check = NULL;
        g_autoptr(GVariant) reply = NULL;
        gboolean authorized, challenge;
        GVariantBuilder details;

        /* Play wand: the check must come from the connection the fixture
         * believes is wand's. */
        f->wand_unique_name = g_strdup(g_dbus_connection_get_unique_name(sender));
        g_variant_builder_init(&details, G_VARIANT_TYPE("a{ss}"));
        g_variant_builder_add(&details, "{ss}", "interface", "wan0");
        g_variant_builder_add(&details, "{ss}", "device", "veth0");
        g_dbus_connection_call(
                sender, POLKIT_BUS_NAME, POLKIT_PATH, POLKIT_IFACE, "CheckAuthorization",
                g_variant_new("((s@a{sv})sa{ss}us)", "system-bus-name",
                              g_variant_new_parsed("{'name': <%s>}",
                                                   g_dbus_connection_get_unique_name(f->user)),
                              "org.wand.Router1.connect", &details, 1, "c1"),
                G_VARIANT_TYPE("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_check_done,
                &reply);

        check = wand_fixture_expect_check(f, "org.wand.Router1.connect", f->user, "wan0", "veth0", 1);
        g_assert_cmpstr(check->cancellation_id, ==, "c1");
        wand_polkit_reply(check, FALSE, TRUE);
        wand_wait_until(reply != NULL, "the polkit double's reply");
        g_variant_get(reply, "((bb@a{ss}))", &authorized, &challenge, NULL);
        g_assert_false(authorized);
        g_assert_true(challenge);
        wand_fixture_assert_no_polkit(f);

        g_clear_pointer(&f->wand_unique_name, g_free);
        g_dbus_connection_close_sync(sender, NULL, NULL);
}

static void
test_netns(WandFixture *f, gconstpointer data)
{
        WandLink lo = wand_link("lo");

        /* A fresh namespace has nothing but lo; the host would have more. */
        g_assert_true(lo.exists);
        g_assert_true(lo.up);
        wand_fixture_add_veth(f, "veth0");
        g_assert_true(wand_link("veth0").exists);
        g_assert_false(wand_link("veth0").up);
        wand_ip("link set veth0 up");
        wand_wait_until(wand_link("veth0").lower_up, "carrier on veth0");
        g_assert_true(wand_link("veth0-p").up);
        g_assert_false(wand_link("nodev0").exists);
}

static void
test_paths(void)
{
        const struct {
                const char *name, *path;
        } cases[] = {
                { "wan0", "/org/wand/Router1/interface/wan0" },
                { "site-b", "/org/wand/Router1/interface/site_2db" },
                { "0wan", "/org/wand/Router1/interface/_30wan" },
                { "a.b_c", "/org/wand/Router1/interface/a_2eb_5fc" },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *p = wand_interface_path(cases[i].name);
                g_assert_cmpstr(p, ==, cases[i].path);
        }
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

        g_test_add("/harness/bus", WandFixture, NULL, wand_fixture_set_up, test_bus,
                   wand_fixture_tear_down);
        g_test_add("/harness/polkit-double", WandFixture, NULL, wand_fixture_set_up,
                   test_polkit_double, wand_fixture_tear_down);
        g_test_add("/harness/netns", WandFixture, NULL, wand_fixture_set_up, test_netns,
                   wand_fixture_tear_down);
        g_test_add_func("/harness/paths", test_paths);
        return g_test_run();
}
