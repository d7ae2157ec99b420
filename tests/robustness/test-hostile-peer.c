/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* robustness-hostile-peer: a local user without any rights (uid 65534) who
 * forges every signal wand acts on, sends it to wand directly (the system
 * bus passes a unicast signal from anyone) and as a broadcast, floods it and
 * makes its arguments huge or of the wrong type:
 *
 *   - NameOwnerChanged, as if from the bus: a caller "leaving" while polkit
 *     decides its call, NetworkManager or networkd "leaving" or "taken";
 *   - PropertiesChanged of NetworkManager's devices (Managed) and
 *     networkd's links (AdministrativeState);
 *   - NetworkManager's DeviceAdded and DeviceRemoved;
 *   - the local Disconnected that sd-bus gives wand when the bus goes.
 *
 * wand believes such signals only from the bus driver or from the unique
 * name that owns the manager's name. After each, nothing has changed: who
 * manages which device (ManagedBy), how many questions wand asked the
 * stand-ins for NetworkManager and networkd (none again), every pending call
 * is answered; and a second, honest client (uid 2) still gets the
 * contract's results and errors. The number of forged signals sent is
 * printed at the end ("# figure forged-signals: N"). */
#include "managers.h"

#include <string.h>
#include <unistd.h>

#define HOSTILE_UID 65534 /* f->user */
#define HONEST_UID 2 /* bin: the bus admits only uids that have a name */
#define VICTIM_UID 1 /* daemon */
#define FLOOD_ROUNDS 2000 /* of every kind of forged signal */
#define HUGE_EVERY 400   /* rounds: a huge one costs GDBus a tenth of a second to send */
#define HUGE_ARGUMENT (1024 * 1024)

static guint forged;

/* ── the world: four devices, two managers ────────────────────────────── */

typedef struct {
        const char *iface, *device;
        ManagerKind kind;
        gboolean managed;
} WorldDevice;

static const WorldDevice world_devices[] = {
        { "wan-a", "nm-managed", MANAGER_NM, TRUE },
        { "wan-b", "nm-free", MANAGER_NM, FALSE },
        { "wan-c", "nd-managed", MANAGER_NETWORKD, TRUE },
        { "wan-d", "nd-free", MANAGER_NETWORKD, FALSE },
};

typedef struct {
        WandFixture *f;
        ManagerDouble *nm, *nd;
        PolkitDouble *polkit;
        GDBusConnection *hostile; /* uid 65534 */
        GDBusConnection *honest;  /* uid 2 */
        guint lookups, reads;     /* what wand asked the stand-ins, once settled */
} World;

static ManagerDouble *
world_manager(World *w, ManagerKind kind)
{
        return kind == MANAGER_NM ? w->nm : w->nd;
}

static const char *
manager_label(ManagerKind kind)
{
        return kind == MANAGER_NM ? "NetworkManager" : "systemd-networkd";
}

static gboolean
managed_by_is(WandFixture *f, const char *iface, const char *expected)
{
        g_autofree char *path = wand_interface_path(iface);
        g_autoptr(GVariant) v = wand_get_property(f, path, WAND_INTERFACE_IFACE, "ManagedBy");
        g_autofree const char **who = g_variant_get_strv(v, NULL);

        if (!expected)
                return who[0] == NULL;
        return who[0] && strcmp(who[0], expected) == 0 && who[1] == NULL;
}

static void
world_settle(World *w)
{
        for (guint k = 0; k < G_N_ELEMENTS(world_devices); k++) {
                const WorldDevice *d = &world_devices[k];
                const char *expected = d->managed ? manager_label(d->kind) : NULL;

                wand_wait_until(managed_by_is(w->f, d->iface, expected), "ManagedBy of %s to be [%s]", d->iface,
                                expected ? expected : "");
        }
        /* Nothing more is asked once the answers are in. */
        wand_iterate(200);
        w->lookups = w->nm->lookups + w->nd->lookups;
        w->reads = w->nm->reads + w->nd->reads;
}

static World *
world_new(WandFixture *f)
{
        World *w = g_new0(World, 1);

        w->f = f;
        w->polkit = polkit_double_new(f, POLKIT_ALLOW);
        w->nm = manager_double_new(f, MANAGER_NM);
        w->nd = manager_double_new(f, MANAGER_NETWORKD);
        for (guint k = 0; k < G_N_ELEMENTS(world_devices); k++) {
                const WorldDevice *d = &world_devices[k];

                manager_double_add(world_manager(w, d->kind), d->device, d->managed);
                wand_fixture_add_veth(f, d->device);
                wand_fixture_write_interface(f, d->iface, d->device, NULL);
        }
        wand_fixture_start_wan0(f, NULL);
        w->hostile = f->user;
        w->honest = wand_fixture_connect_as(f, HONEST_UID);
        world_settle(w);
        return w;
}

static void
world_free(World *w)
{
        g_object_unref(w->honest);
        manager_double_free(w->nm);
        manager_double_free(w->nd);
        polkit_double_free(w->polkit);
        g_free(w);
}

/* ── forging ──────────────────────────────────────────────────────────── */

/* Sends the signal to wand and as a broadcast; params (may be NULL) is
 * consumed. */
static void
forge(World *w, const char *path, const char *iface, const char *member, GVariant *params)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) p = params ? g_variant_ref_sink(params) : NULL;

        g_dbus_connection_emit_signal(w->hostile, w->f->wand_unique_name, path, iface, member, p, &error);
        g_assert_no_error(error);
        g_dbus_connection_emit_signal(w->hostile, NULL, path, iface, member, p, &error);
        g_assert_no_error(error);
        forged += 2;
}

static void
forge_name_owner_changed(World *w, const char *name, const char *old_owner, const char *new_owner)
{
        forge(w, "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
              g_variant_new("(sss)", name, old_owner, new_owner));
}

static void
forge_managed(World *w, ManagerKind kind, const char *path, gboolean managed)
{
        GVariantBuilder changed;

        g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
        if (kind == MANAGER_NM)
                g_variant_builder_add(&changed, "{sv}", "Managed", g_variant_new_boolean(managed));
        else
                g_variant_builder_add(&changed, "{sv}", "AdministrativeState",
                                      g_variant_new_string(managed ? "configured" : "unmanaged"));
        forge(w, path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
              g_variant_new("(sa{sv}@as)", kind == MANAGER_NM ? NM_DEVICE_IFACE : ND_LINK_IFACE, &changed,
                            g_variant_new_strv(NULL, 0)));
}

/* Everything the hostile client sent has been handled by wand: the bus
 * keeps one sender's messages to one receiver in order, and wand handles
 * them in order, so its answer to this comes after. */
static void
sync_hostile(World *w)
{
        g_autoptr(GVariant) r = wand_call_ok(w->hostile, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, NULL);
}

/* Nothing changed: who manages what, and wand asked the managers nothing
 * more. */
static void
assert_world_unchanged(World *w, const char *after)
{
        sync_hostile(w);
        /* Anything wand sent meanwhile reaches the stand-ins. */
        wand_iterate(100);
        for (guint k = 0; k < G_N_ELEMENTS(world_devices); k++) {
                const WorldDevice *d = &world_devices[k];
                const char *expected = d->managed ? manager_label(d->kind) : NULL;

                if (!managed_by_is(w->f, d->iface, expected)) {
                        g_autofree char *msg = g_strdup_printf("after %s, %s's ManagedBy is no longer [%s]", after,
                                                               d->iface, expected ? expected : "");
                        g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
                }
        }
        if (w->nm->lookups + w->nd->lookups != w->lookups || w->nm->reads + w->nd->reads != w->reads) {
                g_autofree char *msg = g_strdup_printf(
                        "after %s, wand asked the managers again (%u lookups and %u reads more)", after,
                        w->nm->lookups + w->nd->lookups - w->lookups, w->nm->reads + w->nd->reads - w->reads);
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
        }
        g_assert_false(w->f->wand_exited);
}

/* A call of the honest client; async, as polkit's answer comes from this
 * process's main loop. Returns the error message, or NULL on success. */
static char *
honest_call(World *w, const char *path, const char *method, const char *error_name)
{
        g_autoptr(WandCall) call = wand_call_async(w->honest, path, WAND_INTERFACE_IFACE, method, NULL, 0);

        if (!error_name) {
                wand_call_assert_ok(call);
                return NULL;
        }
        return g_strdup(wand_call_assert_error(call, error_name));
}

/* The contract, for a caller who did nothing wrong: authorized calls do
 * what they say, a device another manager holds is refused with the
 * manager's name, unknown handles are InvalidHandle. */
static void
assert_contract_holds(World *w)
{
        g_autofree char *wan_a = wand_interface_path("wan-a"), *wan_c = wand_interface_path("wan-c");
        g_autofree char *msg_a = NULL, *msg_c = NULL, *msg = NULL;

        honest_call(w, WAN0, "Connect", NULL);
        wand_assert_state(w->f, WAN0, "connected");
        honest_call(w, WAN0, "Disconnect", NULL);
        wand_assert_state(w->f, WAN0, "disconnected");
        msg_a = honest_call(w, wan_a, "Connect", WAND_ERROR("InterfaceUnreachable"));
        g_assert_nonnull(strstr(msg_a, "managed by NetworkManager"));
        msg_c = honest_call(w, wan_c, "Connect", WAND_ERROR("InterfaceUnreachable"));
        g_assert_nonnull(strstr(msg_c, "managed by systemd-networkd"));
        msg = honest_call(w, "/org/wand/Router1/interface/nonesuch", "Connect", WAND_ERROR("InvalidHandle"));
}

/* ── a caller "leaving" while polkit decides ──────────────────────────── */

static void
test_polkit_caller_left(WandFixture *f, gconstpointer data)
{
        g_autoptr(PolkitDouble) polkit = polkit_double_new(f, POLKIT_SILENT);
        g_autoptr(GDBusConnection) victim = NULL;
        g_autoptr(WandCall) call = NULL;
        const char *name;
        World w = { .f = f };

        wand_fixture_start_wan0(f, NULL);
        w.hostile = f->user;
        victim = wand_fixture_connect_as(f, VICTIM_UID);
        name = g_dbus_connection_get_unique_name(victim);

        call = wand_call_async(victim, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_wait_until(polkit->pending->len == 1, "wand to ask polkit about the victim's Connect");

        /* Every way of saying "the victim left", from someone else. */
        forge_name_owner_changed(&w, name, name, "");
        forge_name_owner_changed(&w, name, "", "");
        forge_name_owner_changed(&w, name, name, ":1.0");
        sync_hostile(&w);

        /* polkit answers: the victim's call is answered, and done; its
         * check was never cancelled. */
        polkit_double_answer_all(polkit, TRUE);
        wand_call_assert_ok(call);
        wand_wait_state(f, WAN0, "connected");
        g_assert_cmpuint(polkit->cancelled->len, ==, 0);
}

/* The caller really leaving still cancels its check: the driver's word. */
static void
test_polkit_caller_really_left(WandFixture *f, gconstpointer data)
{
        g_autoptr(PolkitDouble) polkit = polkit_double_new(f, POLKIT_SILENT);
        GDBusConnection *victim;
        g_autoptr(WandCall) call = NULL;

        wand_fixture_start_wan0(f, NULL);
        victim = wand_fixture_connect_as(f, VICTIM_UID);
        call = wand_call_async(victim, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL, 0);
        wand_wait_until(polkit->pending->len == 1, "wand to ask polkit about the Connect");
        g_dbus_connection_close_sync(victim, NULL, NULL);
        wand_wait_until(polkit->cancelled->len == 1, "wand to cancel the check of a caller that left");
        g_object_unref(victim);
        wand_call_wait(call);
}

/* ── who manages the devices ──────────────────────────────────────────── */

static void
test_owners_name_owner_changed(WandFixture *f, gconstpointer data)
{
        World *w = world_new(f);
        const char *me = g_dbus_connection_get_unique_name(w->hostile);

        /* "NetworkManager left": its devices would look free. */
        forge_name_owner_changed(w, NM_BUS_NAME, manager_double_owner(w->nm), "");
        assert_world_unchanged(w, "a forged NameOwnerChanged: NetworkManager left");
        forge_name_owner_changed(w, ND_BUS_NAME, manager_double_owner(w->nd), "");
        assert_world_unchanged(w, "a forged NameOwnerChanged: networkd left");

        /* "NetworkManager is me now": then its PropertiesChanged. */
        forge_name_owner_changed(w, NM_BUS_NAME, manager_double_owner(w->nm), me);
        forge_name_owner_changed(w, ND_BUS_NAME, manager_double_owner(w->nd), me);
        forge_name_owner_changed(w, NM_BUS_NAME, "", me);
        assert_world_unchanged(w, "a forged NameOwnerChanged: NetworkManager taken over");
        forge_managed(w, MANAGER_NM, manager_double_path(w->nm, "nm-managed"), FALSE);
        forge_managed(w, MANAGER_NETWORKD, manager_double_path(w->nd, "nd-managed"), FALSE);
        assert_world_unchanged(w, "PropertiesChanged from a forged owner");
        assert_contract_holds(w);
        world_free(w);
}

static void
test_owners_properties_changed(WandFixture *f, gconstpointer data)
{
        World *w = world_new(f);

        for (guint k = 0; k < G_N_ELEMENTS(world_devices); k++) {
                const WorldDevice *d = &world_devices[k];
                ManagerDouble *m = world_manager(w, d->kind);

                forge_managed(w, d->kind, manager_double_path(m, d->device), !d->managed);
        }
        assert_world_unchanged(w, "forged PropertiesChanged");

        /* The real ones are still believed. */
        manager_double_set_managed(w->nm, "nm-free", TRUE);
        manager_double_set_managed(w->nd, "nd-free", TRUE);
        wand_wait_until(managed_by_is(f, "wan-b", "NetworkManager"), "wan-b to be managed by NetworkManager");
        wand_wait_until(managed_by_is(f, "wan-d", "systemd-networkd"), "wan-d to be managed by systemd-networkd");
        manager_double_set_managed(w->nm, "nm-free", FALSE);
        manager_double_set_managed(w->nd, "nd-free", FALSE);
        world_settle(w);
        assert_contract_holds(w);
        world_free(w);
}

static void
test_owners_devices(WandFixture *f, gconstpointer data)
{
        World *w = world_new(f);
        const char *paths[] = {
                manager_double_path(w->nm, "nm-managed"),
                manager_double_path(w->nm, "nm-free"),
                NM_PATH "/Devices/9999",
        };
        guint base;

        for (guint k = 0; k < G_N_ELEMENTS(paths); k++) {
                forge(w, NM_PATH, NM_IFACE, "DeviceRemoved", g_variant_new("(o)", paths[k]));
                forge(w, NM_PATH, NM_IFACE, "DeviceAdded", g_variant_new("(o)", paths[k]));
        }
        assert_world_unchanged(w, "forged DeviceAdded and DeviceRemoved");

        /* NetworkManager's own DeviceAdded is believed, and only the devices
         * it did not have are asked about again: veth0, nd-managed and
         * nd-free (it has nm-managed and nm-free already). */
        base = w->nm->lookups;
        manager_double_add(w->nm, "nm-new", TRUE);
        wand_wait_until(w->nm->lookups >= base + 3, "wand to ask NetworkManager about the devices it did not have");
        wand_iterate(200);
        g_assert_cmpuint(w->nm->lookups, ==, base + 3);
        assert_contract_holds(w);
        world_free(w);
}

/* What sd-bus tells wand when its bus connection is gone: wand exits on it.
 * No client can send it: GDBus refuses to, and the bus drops a client that
 * tries, before anything reaches wand. */
static guchar *
blob_of(GDBusMessage *m, guint32 serial, gsize *ret_size)
{
        g_autoptr(GError) error = NULL;
        guchar *blob;

        g_dbus_message_set_serial(m, serial);
        blob = g_dbus_message_to_blob(m, ret_size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
        g_assert_no_error(error);
        return blob;
}

static void
test_local_disconnected(WandFixture *f, gconstpointer data)
{
        World *w = world_new(f);
        g_autoptr(GDBusMessage) hello = g_dbus_message_new_method_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                                       "org.freedesktop.DBus", "Hello");
        g_autoptr(GDBusMessage) local = g_dbus_message_new_signal("/org/freedesktop/DBus/LocaX",
                                                                  "org.freedesktop.DBus.LocaX", "Disconnected");
        g_autofree guchar *hello_blob = NULL, *local_blob = NULL;
        gsize hello_size, local_size;
        int fd;

        g_dbus_message_set_destination(local, f->wand_unique_name);
        hello_blob = blob_of(hello, 1, &hello_size);
        local_blob = blob_of(local, 2, &local_size);
        replace_bytes(local_blob, local_size, "LocaX", "Local"); /* the path */
        replace_bytes(local_blob, local_size, "LocaX", "Local"); /* the interface */

        fd = raw_connect(f->bus_address, HOSTILE_UID);
        g_assert_cmpint(write(fd, hello_blob, hello_size), ==, (gssize) hello_size);
        g_assert_cmpint(write(fd, local_blob, local_size), ==, (gssize) local_size);
        forged++;
        g_assert_true(raw_wait_closed(fd));
        close(fd);

        assert_world_unchanged(w, "a forged Disconnected");
        assert_contract_holds(w);
        world_free(w);
}

/* ── a flood, with arguments huge and wrong ───────────────────────────── */

static GVariant *
huge_changes(ManagerKind kind)
{
        GVariantBuilder changed;

        g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
        for (guint k = 0; k < 10000; k++) {
                g_autofree char *name = g_strdup_printf("Property%u", k);
                g_variant_builder_add(&changed, "{sv}", name, g_variant_new_uint32(k));
        }
        /* And the property itself, of the wrong type. */
        g_variant_builder_add(&changed, "{sv}", kind == MANAGER_NM ? "Managed" : "AdministrativeState",
                              kind == MANAGER_NM ? g_variant_new_string("false") : g_variant_new_boolean(FALSE));
        return g_variant_new("(sa{sv}@as)", kind == MANAGER_NM ? NM_DEVICE_IFACE : ND_LINK_IFACE, &changed,
                             g_variant_new_strv(NULL, 0));
}

static void
test_flood(WandFixture *f, gconstpointer data)
{
        World *w = world_new(f);
        g_autofree char *huge = g_malloc(HUGE_ARGUMENT + 1);
        const char *nm_path = manager_double_path(w->nm, "nm-managed");
        const char *nd_path = manager_double_path(w->nd, "nd-managed");
        guint before = forged;
        g_autoptr(WandCall) pending = NULL;
        WandUsage start, end;
        gint64 t;

        memset(huge, 'x', HUGE_ARGUMENT);
        huge[HUGE_ARGUMENT] = '\0';
        /* A call of the honest client waits for polkit all along: one that
         * allows a password prompt, so that wand waits for polkit however
         * long the flood takes (under valgrind, longer than the 25 s it
         * gives a check that cannot prompt). */
        w->polkit->mode = POLKIT_SILENT;
        pending = wand_call_async(w->honest, WAN0, WAND_INTERFACE_IFACE, "Connect", NULL,
                                  G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION);
        wand_wait_until(w->polkit->pending->len == 1, "wand to ask polkit about the honest Connect");
        start = wand_usage(f->wand_pid);
        t = g_get_monotonic_time();
        for (guint round = 0; round < FLOOD_ROUNDS; round++) {
                gboolean managed = round % 2;

                forge_name_owner_changed(w, NM_BUS_NAME, manager_double_owner(w->nm), "");
                forge_name_owner_changed(w, ND_BUS_NAME, "", g_dbus_connection_get_unique_name(w->hostile));
                forge_name_owner_changed(w, g_dbus_connection_get_unique_name(w->honest),
                                         g_dbus_connection_get_unique_name(w->honest), "");
                forge_managed(w, MANAGER_NM, nm_path, managed);
                forge_managed(w, MANAGER_NETWORKD, nd_path, managed);
                forge(w, NM_PATH, NM_IFACE, managed ? "DeviceAdded" : "DeviceRemoved",
                      g_variant_new("(o)", nm_path));
                /* Wrong signatures: wand must not read past them. */
                forge(w, "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                      g_variant_new("(su)", NM_BUS_NAME, round));
                forge(w, nm_path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                      g_variant_new("(s)", NM_DEVICE_IFACE));
                forge(w, NM_PATH, NM_IFACE, "DeviceAdded", g_variant_new("(s)", "nm-managed"));
                if (round % HUGE_EVERY == 0) {
                        /* Huge ones, now and then: a megabyte of name, ten
                         * thousand properties. */
                        forge_name_owner_changed(w, huge, huge, "");
                        forge_name_owner_changed(w, NM_BUS_NAME, huge, huge);
                        forge(w, nm_path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                              huge_changes(MANAGER_NM));
                        forge(w, nd_path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                              huge_changes(MANAGER_NETWORKD));
                        /* Meanwhile the honest client is served. */
                        g_autoptr(GVariant) v = wand_get_property(f, WAN0, WAND_INTERFACE_IFACE, "State");
                        (void) v;
                }
        }
        sync_hostile(w);
        end = wand_usage(f->wand_pid);
        robust_figure("flood-signals", "%u", forged - before);
        robust_figure("flood-seconds", "%.1f", (double) (g_get_monotonic_time() - t) / G_USEC_PER_SEC);
        robust_figure("flood-wand-cpu-ticks", "%" G_GUINT64_FORMAT, end.cpu_ticks - start.cpu_ticks);
        robust_figure("flood-wand-rss-kib", "%" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT, start.rss_kib,
                      end.rss_kib);
        assert_world_unchanged(w, "a flood of forged signals");
        polkit_double_answer_all(w->polkit, TRUE);
        w->polkit->mode = POLKIT_ALLOW;
        wand_call_assert_ok(pending);
        g_assert_cmpuint(w->polkit->cancelled->len, ==, 0);
        honest_call(w, WAN0, "Disconnect", NULL);
        assert_contract_holds(w);
        world_free(w);
}

int
main(int argc, char **argv)
{
        int r;

        wand_test_init(&argc, &argv);
#define ADD(name, fn) \
        g_test_add("/hostile-peer/" name, WandFixture, NULL, wand_fixture_set_up, fn, wand_fixture_tear_down)
        ADD("polkit/caller-left", test_polkit_caller_left);
        ADD("polkit/caller-really-left", test_polkit_caller_really_left);
        ADD("owners/name-owner-changed", test_owners_name_owner_changed);
        ADD("owners/properties-changed", test_owners_properties_changed);
        ADD("owners/devices", test_owners_devices);
        ADD("local-disconnected", test_local_disconnected);
        ADD("flood", test_flood);
        r = g_test_run();
        robust_figure("forged-signals", "%u", forged);
        return r;
}
