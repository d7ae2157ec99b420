/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fixture's bus side: calls to wand, its properties and signals, and the
 * polkit double's answers. */
#include "wand-test.h"

#include <string.h>

char *
wand_interface_path(const char *name)
{
        GString *s = g_string_new(WAND_MANAGER_PATH "/interface/");

        /* sd_bus_path_encode(): [A-Za-z] as is, [0-9] as is unless first,
         * every other byte as _xx (lower-case hex). */
        for (const char *p = name; *p; p++) {
                if (g_ascii_isalpha(*p) || (p > name && g_ascii_isdigit(*p)))
                        g_string_append_c(s, *p);
                else
                        g_string_append_printf(s, "_%02x", (unsigned char) *p);
        }
        if (!*name)
                g_string_append_c(s, '_');
        return g_string_free(s, FALSE);
}

char *
wand_error_name(const GError *error)
{
        char *name = g_dbus_error_get_remote_error(error);

        return name ? name : g_strdup_printf("(not a D-Bus error: %s)", error->message);
}

GVariant *
wand_call(GDBusConnection *c, const char *path, const char *iface, const char *method,
          GVariant *params, const GVariantType *reply_type, GError **error)
{
        return g_dbus_connection_call_sync(c,
                                           strcmp(path, "/org/freedesktop/DBus") == 0
                                                   ? "org.freedesktop.DBus"
                                                   : WAND_BUS_NAME,
                                           path, iface, method, params, reply_type,
                                           G_DBUS_CALL_FLAGS_NO_AUTO_START, WAND_TIMEOUT_MS,
                                           NULL, error);
}

GVariant *
wand_call_ok(GDBusConnection *c, const char *path, const char *iface, const char *method,
             GVariant *params, const GVariantType *reply_type)
{
        g_autoptr(GError) error = NULL;
        GVariant *r = wand_call(c, path, iface, method, params, reply_type, &error);

        if (!r) {
                g_autofree char *msg = g_strdup_printf("%s.%s on %s failed: %s", iface, method,
                                                       path, error->message);
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
        }
        return r;
}

static void
assert_error_name(const char *what, GVariant *reply, const GError *error, const char *expected)
{
        g_autofree char *name = NULL;
        g_autofree char *msg = NULL;

        if (!error) {
                g_autofree char *printed = reply ? g_variant_print(reply, TRUE) : g_strdup("()");
                msg = g_strdup_printf("%s: expected %s, but it succeeded with %s", what,
                                      expected, printed);
        } else {
                name = wand_error_name(error);
                if (g_strcmp0(name, expected) != 0)
                        msg = g_strdup_printf("%s: expected %s, got %s", what, expected,
                                              error->message);
        }
        if (msg)
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
}

char *
wand_call_error(GDBusConnection *c, const char *path, const char *iface, const char *method,
                GVariant *params, const char *error_name)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = NULL;
        g_autofree char *what = g_strdup_printf("%s.%s on %s", iface, method, path);

        r = wand_call(c, path, iface, method, params, NULL, &error);
        assert_error_name(what, r, error, error_name);
        g_dbus_error_strip_remote_error(error);
        return g_strdup(error->message);
}

void
wand_iface_ok(WandFixture *f, const char *path, const char *method, GVariant *params)
{
        g_autoptr(GVariant) r = wand_call_ok(f->root, path, WAND_INTERFACE_IFACE, method, params,
                                             G_VARIANT_TYPE_UNIT);
}

void
wand_manager_ok(WandFixture *f, const char *method)
{
        g_autoptr(GVariant) r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, method,
                                             NULL, G_VARIANT_TYPE_UNIT);
}

void
wand_assert_error(GDBusConnection *c, const char *path, const char *iface, const char *method,
                  GVariant *params, const char *error_name)
{
        g_autofree char *msg = wand_call_error(c, path, iface, method, params, error_name);
}

static void
on_call_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
        WandCall *call = user_data;

        call->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &call->error);
        call->done = TRUE;
}

WandCall *
wand_call_async(GDBusConnection *c, const char *path, const char *iface, const char *method,
                GVariant *params, GDBusCallFlags flags)
{
        WandCall *call = g_new0(WandCall, 1);

        call->what = g_strdup_printf("%s.%s on %s", iface, method, path);
        /* No timeout: a call that waits for polkit may wait as long as the
         * test wants; wand_call_wait() bounds the waiting. */
        g_dbus_connection_call(c, WAND_BUS_NAME, path, iface, method, params, NULL,
                               flags | G_DBUS_CALL_FLAGS_NO_AUTO_START, G_MAXINT, NULL,
                               on_call_done, call);
        return call;
}

void
wand_call_wait(WandCall *call)
{
        wand_wait_until(call->done, "the reply to %s", call->what);
}

void
wand_call_assert_ok(WandCall *call)
{
        wand_call_wait(call);
        if (call->error) {
                g_autofree char *msg = g_strdup_printf("%s failed: %s", call->what,
                                                       call->error->message);
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
        }
}

const char *
wand_call_assert_error(WandCall *call, const char *error_name)
{
        wand_call_wait(call);
        assert_error_name(call->what, call->reply, call->error, error_name);
        return call->error->message;
}

void
wand_call_free(WandCall *call)
{
        /* A call still in flight keeps pointing here; never free it then. */
        g_assert_true(call->done);
        g_clear_pointer(&call->reply, g_variant_unref);
        g_clear_error(&call->error);
        g_free(call->what);
        g_free(call);
}

/* ── properties ───────────────────────────────────────────────────────── */

GVariant *
wand_get_property(WandFixture *f, const char *path, const char *iface, const char *prop)
{
        g_autoptr(GVariant) r = NULL;
        GVariant *v;

        r = wand_call_ok(f->root, path, "org.freedesktop.DBus.Properties", "Get",
                         g_variant_new("(ss)", iface, prop), G_VARIANT_TYPE("(v)"));
        g_variant_get(r, "(v)", &v);
        return v;
}

static GVariant *
get_typed(WandFixture *f, const char *path, const char *iface, const char *prop,
          const char *type)
{
        GVariant *v = wand_get_property(f, path, iface, prop);

        if (!g_variant_is_of_type(v, G_VARIANT_TYPE(type))) {
                g_autofree char *msg = g_strdup_printf("property %s has type %s, expected %s",
                                                       prop, g_variant_get_type_string(v), type);
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
        }
        return v;
}

char *
wand_get_string(WandFixture *f, const char *path, const char *iface, const char *prop)
{
        g_autoptr(GVariant) v = get_typed(f, path, iface, prop, "s");

        return g_variant_dup_string(v, NULL);
}

char *
wand_get_state(WandFixture *f, const char *path)
{
        return wand_get_string(f, path, WAND_INTERFACE_IFACE, "State");
}

gboolean
wand_get_bool(WandFixture *f, const char *path, const char *prop)
{
        g_autoptr(GVariant) v = get_typed(f, path, WAND_INTERFACE_IFACE, prop, "b");

        return g_variant_get_boolean(v);
}

gint32
wand_get_ifindex(WandFixture *f, const char *path)
{
        g_autoptr(GVariant) v = get_typed(f, path, WAND_INTERFACE_IFACE, "IfIndex", "i");

        return g_variant_get_int32(v);
}

guint64
wand_get_connected_since(WandFixture *f, const char *path)
{
        g_autoptr(GVariant) v = get_typed(f, path, WAND_INTERFACE_IFACE, "ConnectedSince", "t");

        return g_variant_get_uint64(v);
}

char **
wand_get_reasons(WandFixture *f, const char *path)
{
        g_autoptr(GVariant) v = get_typed(f, path, WAND_INTERFACE_IFACE,
                                          "UnreachabilityReasons", "as");

        return g_variant_dup_strv(v, NULL);
}

void
wand_assert_reasons(WandFixture *f, const char *path, const char *const *expected)
{
        g_auto(GStrv) got = wand_get_reasons(f, path);
        gboolean same = g_strv_length(got) == g_strv_length((char **) expected);

        for (const char *const *e = expected; same && *e; e++)
                same = g_strv_contains((const char *const *) got, *e);
        if (!same) {
                g_autofree char *g = g_strjoinv(",", got);
                g_autofree char *e = g_strjoinv(",", (char **) expected);
                g_autofree char *msg = g_strdup_printf(
                        "UnreachabilityReasons of %s: expected [%s], got [%s]", path, e, g);
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
        }
}

void
wand_assert_state(WandFixture *f, const char *path, const char *state)
{
        g_autofree char *s = wand_get_state(f, path);

        g_assert_cmpstr(s, ==, state);
}

static gboolean
state_is(WandFixture *f, const char *path, const char *state, char **last)
{
        g_free(*last);
        *last = wand_get_state(f, path);
        return g_strcmp0(*last, state) == 0;
}

void
wand_wait_state(WandFixture *f, const char *path, const char *state)
{
        g_autofree char *last = NULL;

        wand_wait_until(state_is(f, path, state, &last), "State of %s to become %s (is %s)",
                        path, state, last);
}

char *
wand_get_interface(WandFixture *f, const char *name)
{
        g_autoptr(GVariant) r = NULL;
        char *path;

        r = wand_call_ok(f->root, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                         g_variant_new("(s)", name), G_VARIANT_TYPE("(o)"));
        g_variant_get(r, "(o)", &path);
        return path;
}

/* ── signals ──────────────────────────────────────────────────────────── */

void
wand_fixture_clear_signals(WandFixture *f)
{
        /* Let what is in flight arrive first, so that it is cleared too. */
        wand_iterate(50);
        g_ptr_array_set_size(f->signals, 0);
}

gboolean
wand_fixture_has_property_change(WandFixture *f, const char *path, const char *iface,
                                 const char *prop, GVariant *value)
{
        g_autoptr(GVariant) sunk = g_variant_ref_sink(value);

        for (guint i = 0; i < f->signals->len; i++) {
                WandSignal *s = g_ptr_array_index(f->signals, i);
                const char *changed_iface;
                g_autoptr(GVariant) changed = NULL;
                g_autoptr(GVariant) v = NULL;

                if (strcmp(s->member, "PropertiesChanged") != 0 || strcmp(s->path, path) != 0 ||
                    g_strcmp0(s->sender, f->wand_unique_name) != 0)
                        continue;
                g_variant_get(s->params, "(&s@a{sv}@as)", &changed_iface, &changed, NULL);
                if (strcmp(changed_iface, iface) != 0)
                        continue;
                v = g_variant_lookup_value(changed, prop, NULL);
                if (v && g_variant_equal(v, sunk))
                        return TRUE;
        }
        return FALSE;
}

void
wand_fixture_wait_property_change(WandFixture *f, const char *path, const char *iface,
                                  const char *prop, GVariant *value)
{
        g_autoptr(GVariant) sunk = g_variant_ref_sink(value);
        g_autofree char *printed = g_variant_print(sunk, TRUE);

        wand_wait_until(wand_fixture_has_property_change(f, path, iface, prop, sunk),
                        "PropertiesChanged on %s: %s = %s", path, prop, printed);
}

static WandSignal *
find_object_signal(WandFixture *f, const char *member, const char *path)
{
        for (guint i = 0; i < f->signals->len; i++) {
                WandSignal *s = g_ptr_array_index(f->signals, i);
                const char *object;

                if (strcmp(s->member, member) != 0 || strcmp(s->path, WAND_MANAGER_PATH) != 0 ||
                    g_strcmp0(s->sender, f->wand_unique_name) != 0)
                        continue;
                g_variant_get_child(s->params, 0, "&o", &object);
                if (strcmp(object, path) == 0)
                        return s;
        }
        return NULL;
}

gboolean
wand_fixture_has_interfaces_added(WandFixture *f, const char *path)
{
        return find_object_signal(f, "InterfacesAdded", path) != NULL;
}

gboolean
wand_fixture_has_interfaces_removed(WandFixture *f, const char *path)
{
        return find_object_signal(f, "InterfacesRemoved", path) != NULL;
}

GVariant *
wand_fixture_wait_interfaces_added(WandFixture *f, const char *path)
{
        WandSignal *s;
        g_autoptr(GVariant) ifaces = NULL;
        GVariant *props;

        wand_wait_until(wand_fixture_has_interfaces_added(f, path), "InterfacesAdded of %s", path);
        s = find_object_signal(f, "InterfacesAdded", path);
        g_assert_cmpstr(g_variant_get_type_string(s->params), ==, "(oa{sa{sv}})");
        ifaces = g_variant_get_child_value(s->params, 1);
        props = g_variant_lookup_value(ifaces, WAND_INTERFACE_IFACE, G_VARIANT_TYPE("a{sv}"));
        g_assert_nonnull(props);
        return props;
}

void
wand_fixture_wait_interfaces_removed(WandFixture *f, const char *path)
{
        WandSignal *s;
        g_autofree const char **ifaces = NULL;

        wand_wait_until(wand_fixture_has_interfaces_removed(f, path), "InterfacesRemoved of %s",
                        path);
        s = find_object_signal(f, "InterfacesRemoved", path);
        g_assert_cmpstr(g_variant_get_type_string(s->params), ==, "(oas)");
        g_variant_get(s->params, "(&o^a&s)", NULL, &ifaces);
        g_assert_true(g_strv_contains(ifaces, WAND_INTERFACE_IFACE));
}

/* ── polkit ───────────────────────────────────────────────────────────── */

GDBusMethodInvocation *
wand_fixture_pop_polkit(WandFixture *f)
{
        GDBusMethodInvocation *inv = NULL;

        /* gt_dbus_queue_pop_message() would block for ever, so wait here
         * with a bound; gt_dbus_queue_try_pop_message() cannot be used, it
         * never pops anything in libglib-testing 0.1 (its loop condition
         * short-circuits when not waiting). */
        wand_wait_until(gt_dbus_queue_get_n_messages(f->queue) > 0, "wand to call polkit");
        g_assert_true(gt_dbus_queue_pop_message(f->queue, &inv));
        return inv;
}

void
wand_polkit_check_free(WandPolkitCheck *c)
{
        g_clear_object(&c->invocation);
        g_free(c->action_id);
        g_free(c->subject_kind);
        g_free(c->subject_name);
        g_clear_pointer(&c->subject_details, g_variant_unref);
        g_clear_pointer(&c->details, g_variant_unref);
        g_free(c->cancellation_id);
        g_free(c);
}

WandPolkitCheck *
wand_fixture_expect_check(WandFixture *f, const char *action_id, GDBusConnection *caller,
                          const char *interface, const char *device, guint32 flags)
{
        g_autoptr(WandPolkitCheck) c = g_new0(WandPolkitCheck, 1);
        g_autoptr(GVariant) pid = NULL;
        GDBusMethodInvocation *inv = wand_fixture_pop_polkit(f);
        GVariant *params;

        c->invocation = inv;
        /* Not gt_dbus_queue_assert_pop_message(): that insists the call came
         * from the queue's own client connection; here it comes from wand. */
        if (g_strcmp0(g_dbus_method_invocation_get_sender(inv), f->wand_unique_name) != 0 ||
            strcmp(g_dbus_method_invocation_get_object_path(inv), POLKIT_PATH) != 0 ||
            strcmp(g_dbus_method_invocation_get_interface_name(inv), POLKIT_IFACE) != 0 ||
            strcmp(g_dbus_method_invocation_get_method_name(inv), "CheckAuthorization") != 0) {
                g_autofree char *printed = gt_dbus_queue_format_message(inv);
                g_autofree char *msg = g_strdup_printf(
                        "expected CheckAuthorization(%s) from wand (%s), got %s", action_id,
                        f->wand_unique_name, printed);
                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg);
        }

        params = g_dbus_method_invocation_get_parameters(inv);
        g_assert_cmpstr(g_variant_get_type_string(params), ==, "((sa{sv})sa{ss}us)");
        g_variant_get(params, "((s@a{sv})s@a{ss}us)", &c->subject_kind, &c->subject_details,
                      &c->action_id, &c->details, &c->flags, &c->cancellation_id);

        g_assert_cmpstr(c->action_id, ==, action_id);
        g_assert_cmpstr(c->subject_kind, ==, "system-bus-name");
        g_assert_true(g_variant_lookup(c->subject_details, "name", "s", &c->subject_name));
        g_assert_cmpstr(c->subject_name, ==, g_dbus_connection_get_unique_name(caller));
        pid = g_variant_lookup_value(c->subject_details, "pid", NULL);
        g_assert_null(pid);
        g_assert_cmpuint(c->flags, ==, flags);
        g_assert_cmpstr(c->cancellation_id, !=, "");

        if (interface) {
                const char *v = NULL;
                g_assert_true(g_variant_lookup(c->details, "interface", "&s", &v));
                g_assert_cmpstr(v, ==, interface);
                g_assert_true(g_variant_lookup(c->details, "device", "&s", &v));
                g_assert_cmpstr(v, ==, device);
        }
        return g_steal_pointer(&c);
}

void
wand_polkit_reply(WandPolkitCheck *c, gboolean authorized, gboolean challenge)
{
        g_dbus_method_invocation_return_value(
                g_steal_pointer(&c->invocation),
                g_variant_new_parsed("((%b, %b, @a{ss} {}),)", authorized, challenge));
}

void
wand_polkit_reply_error(WandPolkitCheck *c, const char *name, const char *message)
{
        g_dbus_method_invocation_return_dbus_error(g_steal_pointer(&c->invocation), name, message);
}

void
wand_fixture_assert_no_polkit(WandFixture *f)
{
        wand_iterate(200);
        gt_dbus_queue_assert_no_messages(f->queue);
}
