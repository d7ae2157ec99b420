/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service-introspection: what the running service says about itself on the
 * bus is exactly what the XML in dbus/ says (members, arguments, signatures,
 * property access, EmitsChangedSignal), and carries everything the contract
 * names. */
#include "wand-test.h"

#include <string.h>

#define EMITS "org.freedesktop.DBus.Property.EmitsChangedSignal"

/* ── comparing two GDBusInterfaceInfo ─────────────────────────────────── */

static const char *
annotation(GDBusAnnotationInfo **a, const char *name)
{
        return g_dbus_annotation_info_lookup(a, name);
}

/* The EmitsChangedSignal value in force for a property: its own
 * annotation, else its interface's, else "true" (the D-Bus default). */
static const char *
effective_emits(GDBusInterfaceInfo *i, GDBusPropertyInfo *p)
{
        const char *v = annotation(p->annotations, EMITS);

        if (!v)
                v = annotation(i->annotations, EMITS);
        return v ? v : "true";
}

/* Annotations that are part of the interface's meaning: all but sd-bus's
 * org.freedesktop.systemd1.* hints; EmitsChangedSignal is compared as its
 * effective value, separately. */
static char *
annotations_string(GDBusAnnotationInfo **a)
{
        g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);

        for (; a && *a; a++) {
                if (g_str_has_prefix((*a)->key, "org.freedesktop.systemd1.") ||
                    strcmp((*a)->key, EMITS) == 0)
                        continue;
                g_ptr_array_add(items, g_strdup_printf("%s=%s", (*a)->key, (*a)->value));
        }
        g_ptr_array_sort(items, (GCompareFunc) g_strcmp0);
        g_ptr_array_add(items, NULL);
        return g_strjoinv(",", (char **) items->pdata);
}

static char *
args_string(GDBusArgInfo **args)
{
        GString *s = g_string_new(NULL);

        for (; args && *args; args++)
                g_string_append_printf(s, "%s%s %s", s->len ? ", " : "", (*args)->signature,
                                       (*args)->name ? (*args)->name : "(unnamed)");
        return g_string_free(s, FALSE);
}

static void
diff_annotations(GPtrArray *diffs, const char *what, GDBusAnnotationInfo **live,
                 GDBusAnnotationInfo **xml)
{
        g_autofree char *l = annotations_string(live);
        g_autofree char *x = annotations_string(xml);

        if (strcmp(l, x) != 0)
                g_ptr_array_add(diffs, g_strdup_printf("%s annotations: live [%s], xml [%s]",
                                                       what, l, x));
}

static void
diff_args(GPtrArray *diffs, const char *what, GDBusArgInfo **live, GDBusArgInfo **xml)
{
        g_autofree char *l = args_string(live);
        g_autofree char *x = args_string(xml);

        if (strcmp(l, x) != 0)
                g_ptr_array_add(diffs, g_strdup_printf("%s: live (%s), xml (%s)", what, l, x));
}

static void
diff_interfaces(GPtrArray *diffs, GDBusInterfaceInfo *live, GDBusInterfaceInfo *xml)
{
        const char *iface = xml->name;

        diff_annotations(diffs, iface, live->annotations, xml->annotations);

        for (GDBusMethodInfo **m = xml->methods; m && *m; m++) {
                GDBusMethodInfo *lm = g_dbus_interface_info_lookup_method(live, (*m)->name);
                g_autofree char *in = g_strdup_printf("%s.%s in-args", iface, (*m)->name);
                g_autofree char *out = g_strdup_printf("%s.%s out-args", iface, (*m)->name);
                g_autofree char *what = g_strdup_printf("%s.%s", iface, (*m)->name);

                if (!lm) {
                        g_ptr_array_add(diffs, g_strdup_printf("method %s missing on the bus", what));
                        continue;
                }
                diff_args(diffs, in, lm->in_args, (*m)->in_args);
                diff_args(diffs, out, lm->out_args, (*m)->out_args);
                diff_annotations(diffs, what, lm->annotations, (*m)->annotations);
        }
        for (GDBusMethodInfo **m = live->methods; m && *m; m++)
                if (!g_dbus_interface_info_lookup_method(xml, (*m)->name))
                        g_ptr_array_add(diffs, g_strdup_printf("method %s.%s on the bus, not in the XML",
                                                               iface, (*m)->name));

        for (GDBusSignalInfo **s = xml->signals; s && *s; s++) {
                GDBusSignalInfo *ls = g_dbus_interface_info_lookup_signal(live, (*s)->name);
                g_autofree char *what = g_strdup_printf("signal %s.%s", iface, (*s)->name);

                if (!ls) {
                        g_ptr_array_add(diffs, g_strdup_printf("%s missing on the bus", what));
                        continue;
                }
                diff_args(diffs, what, ls->args, (*s)->args);
                diff_annotations(diffs, what, ls->annotations, (*s)->annotations);
        }
        for (GDBusSignalInfo **s = live->signals; s && *s; s++)
                if (!g_dbus_interface_info_lookup_signal(xml, (*s)->name))
                        g_ptr_array_add(diffs, g_strdup_printf("signal %s.%s on the bus, not in the XML",
                                                               iface, (*s)->name));

        for (GDBusPropertyInfo **p = xml->properties; p && *p; p++) {
                GDBusPropertyInfo *lp = g_dbus_interface_info_lookup_property(live, (*p)->name);
                g_autofree char *what = g_strdup_printf("property %s.%s", iface, (*p)->name);

                if (!lp) {
                        g_ptr_array_add(diffs, g_strdup_printf("%s missing on the bus", what));
                        continue;
                }
                if (strcmp(lp->signature, (*p)->signature) != 0)
                        g_ptr_array_add(diffs, g_strdup_printf("%s: type live %s, xml %s", what,
                                                               lp->signature, (*p)->signature));
                if (lp->flags != (*p)->flags)
                        g_ptr_array_add(diffs, g_strdup_printf("%s: access flags live %d, xml %d",
                                                               what, lp->flags, (*p)->flags));
                if (strcmp(effective_emits(live, lp), effective_emits(xml, *p)) != 0)
                        g_ptr_array_add(diffs, g_strdup_printf("%s: EmitsChangedSignal live %s, xml %s",
                                                               what, effective_emits(live, lp),
                                                               effective_emits(xml, *p)));
                diff_annotations(diffs, what, lp->annotations, (*p)->annotations);
        }
        for (GDBusPropertyInfo **p = live->properties; p && *p; p++)
                if (!g_dbus_interface_info_lookup_property(xml, (*p)->name))
                        g_ptr_array_add(diffs, g_strdup_printf("property %s.%s on the bus, not in the XML",
                                                               iface, (*p)->name));
}

static void
assert_no_diffs(GPtrArray *diffs, const char *what)
{
        if (diffs->len > 0) {
                g_autoptr(GString) s = g_string_new(NULL);
                g_string_append_printf(s, "%s: %u differences:", what, diffs->len);
                for (guint i = 0; i < diffs->len; i++)
                        g_string_append_printf(s, "\n  %s", (char *) g_ptr_array_index(diffs, i));
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, s->str);
        }
}


static GDBusNodeInfo *
load_xml(const char *env)
{
        g_autoptr(GError) error = NULL;
        g_autofree char *contents = NULL;
        const char *path = g_getenv(env);
        GDBusNodeInfo *node;

        g_assert_nonnull(path);
        g_file_get_contents(path, &contents, NULL, &error);
        g_assert_no_error(error);
        node = g_dbus_node_info_new_for_xml(contents, &error);
        g_assert_no_error(error);
        return node;
}

/* The object has exactly the XML's interfaces plus the standard ones it
 * must have, and each of the XML's interfaces is the same on the bus. */
static void
check_object(WandFixture *f, const char *path, const char *xml_env, const char *const *standard)
{
        g_autoptr(GDBusNodeInfo) live = wand_introspect(f, path);
        g_autoptr(GDBusNodeInfo) xml = load_xml(xml_env);
        g_autoptr(GPtrArray) diffs = g_ptr_array_new_with_free_func(g_free);

        for (const char *const *s = standard; *s; s++)
                if (!g_dbus_node_info_lookup_interface(live, *s))
                        g_ptr_array_add(diffs, g_strdup_printf("%s lacks %s", path, *s));

        for (GDBusInterfaceInfo **i = live->interfaces; i && *i; i++)
                if (!g_strv_contains(standard, (*i)->name) &&
                    !g_dbus_node_info_lookup_interface(xml, (*i)->name))
                        g_ptr_array_add(diffs, g_strdup_printf("%s has %s, which is not in %s", path,
                                                               (*i)->name, g_getenv(xml_env)));

        for (GDBusInterfaceInfo **i = xml->interfaces; i && *i; i++) {
                GDBusInterfaceInfo *li = g_dbus_node_info_lookup_interface(live, (*i)->name);
                if (!li)
                        g_ptr_array_add(diffs, g_strdup_printf("%s lacks %s", path, (*i)->name));
                else
                        diff_interfaces(diffs, li, *i);
        }
        assert_no_diffs(diffs, path);
}

static const char *const manager_standard[] = {
        "org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable",
        "org.freedesktop.DBus.Peer", "org.freedesktop.DBus.ObjectManager", NULL
};
static const char *const interface_standard[] = {
        "org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable",
        "org.freedesktop.DBus.Peer", NULL
};

static void
start_with_wan0(WandFixture *f)
{
        wand_fixture_add_veth(f, "veth0");
        wand_fixture_write_interface(f, "wan0", "veth0", NULL);
        wand_fixture_write_interface(f, "site-b", "veth0", "Enabled=no\n");
        wand_fixture_start(f);
}

static void
test_manager_matches_xml(WandFixture *f, gconstpointer data)
{
        start_with_wan0(f);
        check_object(f, WAND_MANAGER_PATH, "WAND_MANAGER_XML", manager_standard);
}

static void
test_interface_matches_xml(WandFixture *f, gconstpointer data)
{
        start_with_wan0(f);
        check_object(f, "/org/wand/Router1/interface/wan0", "WAND_INTERFACE_XML", interface_standard);
        check_object(f, "/org/wand/Router1/interface/site_2db", "WAND_INTERFACE_XML",
                     interface_standard);
}

/* ── the contract's members, independent of the XML ───────────────────── */

typedef struct {
        const char *name;
        const char *in;   /* "s name" style, ", " separated */
        const char *out;
} ContractMethod;

typedef struct {
        const char *name;
        const char *type;
        const char *emits; /* "true" for "emits change", NULL when the contract says nothing */
} ContractProperty;

static const ContractMethod manager_methods[] = {
        { "GetInterfaceByName", "s name", "o" },
        { "ListInterfaces", "", "a(sos)" },
        { "CreateInterface", "s name, a{sv} settings", "o" },
        { "StartDemandDialManager", "", "" },
        { "StopDemandDialManager", "", "" },
        { "Reload", "", "" },
        { NULL }
};
static const ContractProperty manager_properties[] = {
        { "Version", "s", NULL },
        { "DemandDialManager", "s", "true" },
        { NULL }
};
static const ContractMethod interface_methods[] = {
        { "Connect", "", "" },
        { "Disconnect", "", "" },
        { "SetEnabled", "b enabled", "" },
        { "Delete", "", "" },
        { NULL }
};
static const ContractProperty interface_properties[] = {
        { "Name", "s", "const" },
        { "Device", "s", NULL },
        { "IfIndex", "i", "true" },
        { "State", "s", "true" },
        { "Enabled", "b", "true" },
        { "Persistent", "b", NULL },
        { "UnreachabilityReasons", "as", "true" },
        { "LastError", "s", "true" },
        { "ConnectedSince", "t", "true" },
        { NULL }
};

/* "s name, a{sv} settings" for in-args; out-args by signature only (the
 * contract does not name them). */
static char *
contract_args(GDBusArgInfo **args, gboolean with_names)
{
        GString *s = g_string_new(NULL);

        for (; args && *args; args++) {
                if (s->len)
                        g_string_append(s, with_names ? ", " : "");
                g_string_append(s, (*args)->signature);
                if (with_names)
                        g_string_append_printf(s, " %s", (*args)->name ? (*args)->name : "");
        }
        return g_string_free(s, FALSE);
}

static void
check_contract(WandFixture *f, const char *path, const char *iface_name,
               const ContractMethod *methods, const ContractProperty *props)
{
        g_autoptr(GDBusNodeInfo) live = wand_introspect(f, path);
        g_autoptr(GPtrArray) diffs = g_ptr_array_new_with_free_func(g_free);
        GDBusInterfaceInfo *iface = g_dbus_node_info_lookup_interface(live, iface_name);

        g_assert_nonnull(iface);
        for (const ContractMethod *m = methods; m->name; m++) {
                GDBusMethodInfo *lm = g_dbus_interface_info_lookup_method(iface, m->name);
                g_autofree char *in = NULL, *out = NULL;

                if (!lm) {
                        g_ptr_array_add(diffs, g_strdup_printf("no method %s", m->name));
                        continue;
                }
                in = contract_args(lm->in_args, TRUE);
                out = contract_args(lm->out_args, FALSE);
                if (strcmp(in, m->in) != 0 || strcmp(out, m->out) != 0)
                        g_ptr_array_add(diffs, g_strdup_printf("%s(%s) → %s, contract: (%s) → %s",
                                                               m->name, in, out, m->in, m->out));
        }
        for (const ContractProperty *p = props; p->name; p++) {
                GDBusPropertyInfo *lp = g_dbus_interface_info_lookup_property(iface, p->name);

                if (!lp) {
                        g_ptr_array_add(diffs, g_strdup_printf("no property %s", p->name));
                        continue;
                }
                if (strcmp(lp->signature, p->type) != 0)
                        g_ptr_array_add(diffs, g_strdup_printf("property %s is %s, contract: %s",
                                                               p->name, lp->signature, p->type));
                if (!(lp->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE))
                        g_ptr_array_add(diffs, g_strdup_printf("property %s not readable", p->name));
                if (lp->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE)
                        g_ptr_array_add(diffs, g_strdup_printf("property %s writable; the contract "
                                                               "changes state only through methods",
                                                               p->name));
                if (p->emits && strcmp(effective_emits(iface, lp), p->emits) != 0)
                        g_ptr_array_add(diffs, g_strdup_printf("property %s EmitsChangedSignal=%s, "
                                                               "contract: %s", p->name,
                                                               effective_emits(iface, lp), p->emits));
        }
        assert_no_diffs(diffs, iface_name);
}

static void
test_contract(WandFixture *f, gconstpointer data)
{
        start_with_wan0(f);
        check_contract(f, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, manager_methods,
                       manager_properties);
        check_contract(f, "/org/wand/Router1/interface/wan0", WAND_INTERFACE_IFACE,
                       interface_methods, interface_properties);
}

/* The XML files are what clients build against; they must themselves say
 * what the contract says (else matching them proves little). */
static void
test_xml_matches_contract(void)
{
        g_autoptr(GDBusNodeInfo) m = load_xml("WAND_MANAGER_XML");
        g_autoptr(GDBusNodeInfo) i = load_xml("WAND_INTERFACE_XML");
        struct {
                GDBusNodeInfo *node;
                const char *name;
                const ContractMethod *methods;
                const ContractProperty *props;
        } files[] = {
                { m, WAND_MANAGER_IFACE, manager_methods, manager_properties },
                { i, WAND_INTERFACE_IFACE, interface_methods, interface_properties },
        };

        for (gsize n = 0; n < G_N_ELEMENTS(files); n++) {
                GDBusInterfaceInfo *iface = g_dbus_node_info_lookup_interface(files[n].node,
                                                                              files[n].name);
                g_assert_nonnull(iface);
                for (const ContractMethod *cm = files[n].methods; cm->name; cm++) {
                        GDBusMethodInfo *mi = g_dbus_interface_info_lookup_method(iface, cm->name);
                        g_autofree char *in = NULL, *out = NULL;
                        g_assert_nonnull(mi);
                        in = contract_args(mi->in_args, TRUE);
                        out = contract_args(mi->out_args, FALSE);
                        g_assert_cmpstr(in, ==, cm->in);
                        g_assert_cmpstr(out, ==, cm->out);
                }
                for (const ContractProperty *cp = files[n].props; cp->name; cp++) {
                        GDBusPropertyInfo *pi = g_dbus_interface_info_lookup_property(iface, cp->name);
                        g_assert_nonnull(pi);
                        g_assert_cmpstr(pi->signature, ==, cp->type);
                        if (cp->emits)
                                g_assert_cmpstr(effective_emits(iface, pi), ==, cp->emits);
                }
        }
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);

        g_test_add_func("/introspection/xml-matches-contract", test_xml_matches_contract);
        g_test_add("/introspection/manager-matches-xml", WandFixture, NULL, wand_fixture_set_up,
                   test_manager_matches_xml, wand_fixture_tear_down);
        g_test_add("/introspection/interface-matches-xml", WandFixture, NULL, wand_fixture_set_up,
                   test_interface_matches_xml, wand_fixture_tear_down);
        g_test_add("/introspection/contract", WandFixture, NULL, wand_fixture_set_up,
                   test_contract, wand_fixture_tear_down);
        return g_test_run();
}
