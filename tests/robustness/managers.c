/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See managers.h. */
#include "managers.h"

#include <string.h>

typedef struct {
        char *name;
        char *path;
        gint32 ifindex;
        gboolean managed;
        guint object_id;
} ManagerDevice;

static const char nm_xml[] =
        "<node>"
        " <interface name='" NM_IFACE "'>"
        "  <method name='GetDeviceByIpIface'>"
        "   <arg name='iface' type='s' direction='in'/>"
        "   <arg name='device' type='o' direction='out'/>"
        "  </method>"
        "  <signal name='DeviceAdded'><arg name='device_path' type='o'/></signal>"
        "  <signal name='DeviceRemoved'><arg name='device_path' type='o'/></signal>"
        " </interface>"
        " <interface name='" NM_DEVICE_IFACE "'>"
        "  <property name='Managed' type='b' access='readwrite'/>"
        " </interface>"
        "</node>";

static const char nd_xml[] =
        "<node>"
        " <interface name='" ND_MANAGER_IFACE "'>"
        "  <method name='GetLinkByName'>"
        "   <arg name='name' type='s' direction='in'/>"
        "   <arg name='ifindex' type='i' direction='out'/>"
        "   <arg name='path' type='o' direction='out'/>"
        "  </method>"
        "  <method name='Reload'/>"
        " </interface>"
        " <interface name='" ND_LINK_IFACE "'>"
        "  <property name='AdministrativeState' type='s' access='read'/>"
        " </interface>"
        "</node>";

static GDBusNodeInfo *
node_info(ManagerKind kind)
{
        static GDBusNodeInfo *nodes[2];
        g_autoptr(GError) error = NULL;

        if (!nodes[kind]) {
                nodes[kind] = g_dbus_node_info_new_for_xml(kind == MANAGER_NM ? nm_xml : nd_xml, &error);
                g_assert_no_error(error);
        }
        return nodes[kind];
}

static void
device_free(ManagerDevice *d)
{
        g_free(d->name);
        g_free(d->path);
        g_free(d);
}

const char *
manager_double_bus_name(ManagerDouble *m)
{
        return m->kind == MANAGER_NM ? NM_BUS_NAME : ND_BUS_NAME;
}

const char *
manager_double_owner(ManagerDouble *m)
{
        return g_dbus_connection_get_unique_name(m->c);
}

static void
answer_lookup(ManagerDouble *m, GDBusMethodInvocation *inv)
{
        const char *name, *error_name;
        ManagerDevice *d;

        g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s)", &name);
        error_name = g_hash_table_lookup(m->fail, name);
        if (error_name) {
                g_dbus_method_invocation_return_dbus_error(inv, error_name, "The stand-in fails on purpose");
                g_hash_table_remove(m->fail, name);
                return;
        }
        d = g_hash_table_lookup(m->devices, name);
        /* The real ones' answers for a device they do not have. */
        if (!d && m->kind == MANAGER_NM)
                g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.NetworkManager.UnknownDevice",
                                                           "No device found for the requested iface.");
        else if (!d)
                g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.resolve1.NoSuchLink",
                                                           "Link not known");
        else if (m->kind == MANAGER_NM)
                g_dbus_method_invocation_return_value(inv, g_variant_new("(o)", d->path));
        else
                g_dbus_method_invocation_return_value(inv, g_variant_new("(io)", d->ifindex, d->path));
}

static void
on_manager_call(GDBusConnection *c, const char *sender, const char *path, const char *iface, const char *method,
                GVariant *params, GDBusMethodInvocation *inv, gpointer data)
{
        ManagerDouble *m = data;

        if (strcmp(method, "Reload") == 0) {
                g_dbus_method_invocation_return_value(inv, NULL);
                return;
        }
        m->lookups++;
        if (m->hold) {
                g_ptr_array_add(m->held, inv);
                m->max_held = MAX(m->max_held, m->held->len);
                return;
        }
        answer_lookup(m, inv);
}

static const GDBusInterfaceVTable manager_vtable = { on_manager_call, NULL, NULL, { 0 } };

static GVariant *
on_get_property(GDBusConnection *c, const char *sender, const char *path, const char *iface, const char *prop,
                GError **error, gpointer data)
{
        ManagerDouble *m = g_object_get_data(G_OBJECT(c), "manager-double");
        ManagerDevice *d = data;

        m->reads++;
        if (m->kind == MANAGER_NM)
                return g_variant_new_boolean(d->managed);
        return g_variant_new_string(d->managed ? "configured" : "unmanaged");
}

static gboolean
on_set_property(GDBusConnection *c, const char *sender, const char *path, const char *iface, const char *prop,
                GVariant *value, GError **error, gpointer data)
{
        ManagerDevice *d = data;

        d->managed = g_variant_get_boolean(value);
        return TRUE;
}

static const GDBusInterfaceVTable device_vtable = { NULL, on_get_property, on_set_property, { 0 } };

ManagerDouble *
manager_double_new(WandFixture *f, ManagerKind kind)
{
        g_autoptr(GError) error = NULL;
        g_autofree char *owner = NULL;
        ManagerDouble *m = g_new0(ManagerDouble, 1);

        m->kind = kind;
        m->devices = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) device_free);
        m->held = g_ptr_array_new_with_free_func(g_object_unref);
        m->fail = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        m->c = wand_fixture_connect_as(f, 0);
        g_object_set_data(G_OBJECT(m->c), "manager-double", m);
        m->object_id = g_dbus_connection_register_object(m->c, kind == MANAGER_NM ? NM_PATH : ND_PATH,
                                                         node_info(kind)->interfaces[0], &manager_vtable, m, NULL,
                                                         &error);
        g_assert_no_error(error);
        m->name_id = g_bus_own_name_on_connection(m->c, manager_double_bus_name(m), G_BUS_NAME_OWNER_FLAGS_NONE, NULL,
                                                  NULL, NULL, NULL);
        wand_wait_until((g_free(owner), owner = robust_name_owner(f, manager_double_bus_name(m)),
                         g_strcmp0(owner, manager_double_owner(m)) == 0),
                        "the %s stand-in to own its name", manager_double_bus_name(m));
        return m;
}

void
manager_double_free(ManagerDouble *m)
{
        GHashTableIter it;
        ManagerDevice *d;

        if (!m)
                return;
        g_hash_table_iter_init(&it, m->devices);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &d))
                g_dbus_connection_unregister_object(m->c, d->object_id);
        g_bus_unown_name(m->name_id);
        g_dbus_connection_unregister_object(m->c, m->object_id);
        g_ptr_array_unref(m->held);
        g_dbus_connection_close_sync(m->c, NULL, NULL);
        g_clear_object(&m->c);
        g_hash_table_unref(m->devices);
        g_hash_table_unref(m->fail);
        g_free(m);
}

void
manager_double_add(ManagerDouble *m, const char *device, gboolean managed)
{
        g_autoptr(GError) error = NULL;
        ManagerDevice *d = g_new0(ManagerDevice, 1);

        g_assert_null(g_hash_table_lookup(m->devices, device));
        d->name = g_strdup(device);
        d->ifindex = (gint32) ++m->next_index + 100;
        d->managed = managed;
        /* As the real ones name them: a number, or networkd's _3<ifindex>. */
        d->path = m->kind == MANAGER_NM ? g_strdup_printf(NM_PATH "/Devices/%d", d->ifindex)
                                        : g_strdup_printf(ND_PATH "/link/_3%d", d->ifindex);
        d->object_id = g_dbus_connection_register_object(m->c, d->path, node_info(m->kind)->interfaces[1],
                                                         &device_vtable, d, NULL, &error);
        g_assert_no_error(error);
        g_hash_table_insert(m->devices, d->name, d);
        if (m->kind == MANAGER_NM)
                g_dbus_connection_emit_signal(m->c, NULL, NM_PATH, NM_IFACE, "DeviceAdded",
                                              g_variant_new("(o)", d->path), NULL);
}

void
manager_double_set_managed(ManagerDouble *m, const char *device, gboolean managed)
{
        ManagerDevice *d = g_hash_table_lookup(m->devices, device);
        GVariantBuilder changed;

        g_assert_nonnull(d);
        d->managed = managed;
        g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
        if (m->kind == MANAGER_NM)
                g_variant_builder_add(&changed, "{sv}", "Managed", g_variant_new_boolean(managed));
        else
                g_variant_builder_add(&changed, "{sv}", "AdministrativeState",
                                      g_variant_new_string(managed ? "configured" : "unmanaged"));
        g_dbus_connection_emit_signal(m->c, NULL, d->path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                      g_variant_new("(sa{sv}@as)", m->kind == MANAGER_NM ? NM_DEVICE_IFACE : ND_LINK_IFACE,
                                                    &changed, g_variant_new_strv(NULL, 0)),
                                      NULL);
}

gboolean
manager_double_managed(ManagerDouble *m, const char *device)
{
        ManagerDevice *d = g_hash_table_lookup(m->devices, device);

        g_assert_nonnull(d);
        return d->managed;
}

const char *
manager_double_path(ManagerDouble *m, const char *device)
{
        ManagerDevice *d = g_hash_table_lookup(m->devices, device);

        g_assert_nonnull(d);
        return d->path;
}

void
manager_double_hold(ManagerDouble *m, gboolean hold)
{
        m->hold = hold;
        if (hold)
                return;
        for (guint k = 0; k < m->held->len; k++)
                answer_lookup(m, g_object_ref(g_ptr_array_index(m->held, k)));
        g_ptr_array_set_size(m->held, 0);
}

void
manager_double_fail_next(ManagerDouble *m, const char *device, const char *error_name)
{
        g_hash_table_replace(m->fail, g_strdup(device), g_strdup(error_name));
}
