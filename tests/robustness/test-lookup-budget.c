/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* robustness-lookup-budget: wand watching more devices than dbus-daemon lets
 * it wait on replies (128), with a NetworkManager stand-in that manages all
 * of them. wand asks about them a few at a time, from the budget it shares
 * with its polkit checks, so that:
 *
 *   - while NetworkManager is slow to answer, callers who are not root are
 *     still decided by polkit, yes and no, not refused by the bus;
 *   - every device ends up known as managed;
 *   - a lookup that fails (LimitsExceeded, NoReply) leaves the device as
 *     NetworkManager last said and is asked again; only NetworkManager's
 *     "no such device" makes it unmanaged.
 *
 * The most lookups wand had waiting at once is printed
 * ("# figure lookups-in-flight: N"). */
#include "managers.h"

#include <string.h>

#define N_DEVICES 140
#define CALLER_UID 2 /* bin */

static char *
device_name(guint k)
{
        return g_strdup_printf("dev%u", k);
}

static char *
iface_path(guint k)
{
        g_autofree char *name = g_strdup_printf("wan-%u", k);
        return wand_interface_path(name);
}

static gboolean
managed_by_nm(WandFixture *f, guint k)
{
        g_autofree char *path = iface_path(k);
        g_autoptr(GVariant) v = wand_get_property(f, path, WAND_INTERFACE_IFACE, "ManagedBy");
        g_autofree const char **who = g_variant_get_strv(v, NULL);

        return who[0] && strcmp(who[0], "NetworkManager") == 0 && !who[1];
}

static gboolean
managed_by_nobody(WandFixture *f, guint k)
{
        g_autofree char *path = iface_path(k);
        g_autoptr(GVariant) v = wand_get_property(f, path, WAND_INTERFACE_IFACE, "ManagedBy");

        return g_variant_n_children(v) == 0;
}

static guint
count_managed(WandFixture *f)
{
        guint n = 0;

        for (guint k = 0; k < N_DEVICES; k++)
                n += managed_by_nm(f, k);
        return n;
}

/* NetworkManager says device k is gone (wand asks about it again). */
static void
nm_device_removed(ManagerDouble *nm, guint k)
{
        g_autofree char *dev = device_name(k);

        g_dbus_connection_emit_signal(nm->c, NULL, NM_PATH, NM_IFACE, "DeviceRemoved",
                                      g_variant_new("(o)", manager_double_path(nm, dev)), NULL);
}

static void
test_many_devices(WandFixture *f, gconstpointer data)
{
        g_autoptr(PolkitDouble) polkit = polkit_double_new(f, POLKIT_ALLOW);
        g_autoptr(ManagerDouble) nm = manager_double_new(f, MANAGER_NM);
        g_autoptr(GDBusConnection) caller = wand_fixture_connect_as(f, CALLER_UID);
        g_autoptr(WandCall) yes = NULL, no = NULL;

        for (guint k = 0; k < N_DEVICES; k++) {
                g_autofree char *dev = device_name(k), *name = g_strdup_printf("wan-%u", k);

                manager_double_add(nm, dev, TRUE);
                wand_fixture_write_interface(f, name, dev, NULL);
        }
        /* NetworkManager is busy: it answers nothing until told. */
        manager_double_hold(nm, TRUE);
        wand_fixture_start_wan0(f, NULL);
        wand_wait_until(nm->held->len > 0, "wand to ask NetworkManager about its devices");
        wand_iterate(500);
        robust_figure("lookups-in-flight", "%u of %u devices", nm->max_held, N_DEVICES + 1);
        g_assert_cmpuint(nm->max_held, <=, 16);

        /* A caller who is not root is decided by polkit meanwhile: yes ... */
        yes = wand_call_async(caller, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_call_assert_ok(yes);
        wand_wait_state(f, WAN0, "connected");
        /* ... and no. */
        polkit->mode = POLKIT_DENY;
        no = wand_call_async(caller, WAN0, WAND_INTERFACE_IFACE, "Disconnect", NULL, 0);
        wand_call_assert_error(no, DBUS_ERROR("AccessDenied"));
        polkit->mode = POLKIT_ALLOW;

        /* NetworkManager answers: every device is known as its. */
        manager_double_hold(nm, FALSE);
        wand_wait_until(count_managed(f) == N_DEVICES, "every device to be managed by NetworkManager (%u are)",
                        count_managed(f));
        g_assert_cmpuint(nm->max_held, <=, 16);
}

/* A lookup that fails is not an answer. */
static void
test_failed_lookups(WandFixture *f, gconstpointer data)
{
        g_autoptr(ManagerDouble) nm = manager_double_new(f, MANAGER_NM);
        g_autofree char *dev2 = device_name(2);
        g_autoptr(GVariant) none = g_variant_ref_sink(g_variant_new_strv(NULL, 0));
        guint lookups;

        for (guint k = 0; k < 3; k++) {
                g_autofree char *dev = device_name(k), *name = g_strdup_printf("wan-%u", k);

                manager_double_add(nm, dev, TRUE);
                wand_fixture_write_interface(f, name, dev, NULL);
        }
        wand_fixture_start_wan0(f, NULL);
        for (guint k = 0; k < 3; k++)
                wand_wait_until(managed_by_nm(f, k), "wan-%u to be managed by NetworkManager", k);

        /* Asked again, NetworkManager fails to answer about dev0, then
         * dev1: each stays managed, and wand asks again. */
        wand_fixture_clear_signals(f);
        for (guint k = 0; k < 2; k++) {
                g_autofree char *dev = device_name(k), *path = iface_path(k);

                lookups = nm->lookups;
                manager_double_fail_next(nm, dev, k == 0 ? "org.freedesktop.DBus.Error.LimitsExceeded"
                                                         : "org.freedesktop.DBus.Error.NoReply");
                nm_device_removed(nm, k);
                wand_wait_until(nm->lookups >= lookups + 2, "wand to ask about %s again after it failed", dev);
                g_assert_null(g_hash_table_lookup(nm->fail, dev));
                wand_iterate(200);
                g_assert_true(managed_by_nm(f, k));
                g_assert_false(wand_fixture_has_property_change(f, path, WAND_INTERFACE_IFACE, "ManagedBy", none));
        }

        /* Its "no such device" is believed. */
        manager_double_fail_next(nm, dev2, "org.freedesktop.NetworkManager.UnknownDevice");
        nm_device_removed(nm, 2);
        wand_wait_until(managed_by_nobody(f, 2), "dev2 to be managed by no one");
        g_assert_true(managed_by_nm(f, 0));
        g_assert_true(managed_by_nm(f, 1));
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);
        g_test_add("/lookup-budget/many-devices", WandFixture, NULL, wand_fixture_set_up, test_many_devices,
                   wand_fixture_tear_down);
        g_test_add("/lookup-budget/failed-lookups", WandFixture, NULL, wand_fixture_set_up, test_failed_lookups,
                   wand_fixture_tear_down);
        return g_test_run();
}
