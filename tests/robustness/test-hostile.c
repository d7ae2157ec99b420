/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* robustness-hostile: a hostile client. Tens of thousands of calls with
 * wrong signatures, unknown members, huge and deeply nested arguments,
 * random paths under /org/wand/Router1, callers that hang up before the
 * reply, and raw messages that are not D-Bus at all (invalid UTF-8) —
 * while a probe keeps making well-formed calls that must all be served in
 * time. Afterwards wand's descriptors are where they were and its memory
 * does not grow from one round of the same calls to the next.
 *
 * WAND_HOSTILE_ROUNDS (default 3) sets how many rounds of the flood run;
 * the figures are printed as TAP comments ("# figure …"). */
#include "robust.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/select.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define IN_FLIGHT_MAX 64         /* per connection; the bus allows 128 */
#define FLOOD_PER_ROUND 10000
#define PROBE_INTERVAL_MS 20

typedef struct Hostile Hostile;

typedef struct {
        Hostile *h;
        gboolean expect_error; /* the call cannot succeed */
} Pending;

struct Hostile {
        WandFixture *f;
        GRand *rand;
        GDBusConnection *conns[4]; /* uid 65534 callers */
        guint in_flight[4];

        guint64 sent, replied, errors, unexpected_success, lost;
        GHashTable *error_names; /* name → count */

        /* The probe: well-formed calls from root, one at a time. */
        guint probe_source;
        gboolean probe_busy;
        gint64 probe_started;
        guint64 probes, probe_failures;
        gint64 probe_max_us;
};

/* ── sending ──────────────────────────────────────────────────────────── */

static void
count_error(Hostile *h, const char *name)
{
        gpointer n = g_hash_table_lookup(h->error_names, name);

        g_hash_table_replace(h->error_names, g_strdup(name), GUINT_TO_POINTER(GPOINTER_TO_UINT(n) + 1));
}

typedef struct {
        Pending p;
        guint slot;
} FloodCall;

static void
on_flood_reply(GObject *source, GAsyncResult *res, gpointer data)
{
        FloodCall *call = data;
        Hostile *h = call->p.h;
        g_autoptr(GError) error = NULL;
        g_autoptr(GDBusMessage) reply = NULL;

        reply = g_dbus_connection_send_message_with_reply_finish(G_DBUS_CONNECTION(source), res, &error);
        h->in_flight[call->slot]--;
        if (!reply) {
                /* No answer at all: a timeout or a connection that broke. */
                h->lost++;
                g_test_message("call without an answer: %s", error->message);
        } else if (g_dbus_message_get_message_type(reply) == G_DBUS_MESSAGE_TYPE_ERROR) {
                h->replied++;
                h->errors++;
                count_error(h, g_dbus_message_get_error_name(reply));
        } else {
                h->replied++;
                if (call->p.expect_error)
                        h->unexpected_success++;
        }
        g_free(call);
}

/* Sends msg on caller slot, waiting while that caller has too much in
 * flight. Takes msg. */
static void
send_call(Hostile *h, guint slot, GDBusMessage *msg, gboolean expect_error)
{
        g_autoptr(GDBusMessage) m = msg;
        g_autoptr(GError) error = NULL;
        FloodCall *call = g_new0(FloodCall, 1);

        while (h->in_flight[slot] >= IN_FLIGHT_MAX)
                g_main_context_iteration(NULL, TRUE);
        call->p.h = h;
        call->p.expect_error = expect_error;
        call->slot = slot;
        h->in_flight[slot]++;
        h->sent++;
        g_dbus_connection_send_message_with_reply(h->conns[slot], m, G_DBUS_SEND_MESSAGE_FLAGS_NONE, 30000, NULL,
                                                  NULL, on_flood_reply, call);
}

static GDBusMessage *
call_message(const char *path, const char *iface, const char *member, GVariant *body)
{
        GDBusMessage *m = g_dbus_message_new_method_call(WAND_BUS_NAME, path, iface, member);

        if (body)
                g_dbus_message_set_body(m, body);
        return m;
}

static void
wait_all_answered(Hostile *h)
{
        wand_wait_until(h->in_flight[0] + h->in_flight[1] + h->in_flight[2] + h->in_flight[3] == 0,
                        "every hostile call to be answered (%" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT
                        " answered)", h->sent, h->replied + h->lost);
}

/* ── the probe ────────────────────────────────────────────────────────── */

static void
on_probe_reply(GObject *source, GAsyncResult *res, gpointer data)
{
        Hostile *h = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
        gint64 took = g_get_monotonic_time() - h->probe_started;

        h->probe_busy = FALSE;
        h->probes++;
        h->probe_max_us = MAX(h->probe_max_us, took);
        if (!r) {
                h->probe_failures++;
                g_test_message("probe failed: %s", error->message);
        }
}

static gboolean
probe_tick(gpointer data)
{
        Hostile *h = data;
        static const char *const kinds[] = { "list", "get", "lookup" };
        const char *kind = kinds[h->probes % G_N_ELEMENTS(kinds)];

        if (h->probe_busy)
                return G_SOURCE_CONTINUE;
        h->probe_busy = TRUE;
        h->probe_started = g_get_monotonic_time();
        if (strcmp(kind, "list") == 0)
                g_dbus_connection_call(h->f->root, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                       "ListInterfaces", NULL, G_VARIANT_TYPE("(a(sos))"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, on_probe_reply, h);
        else if (strcmp(kind, "get") == 0)
                g_dbus_connection_call(h->f->root, WAND_BUS_NAME, WAN0, "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new("(ss)", WAND_INTERFACE_IFACE, "State"),
                                       G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL,
                                       on_probe_reply, h);
        else
                g_dbus_connection_call(h->f->root, WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                       "GetInterfaceByName", g_variant_new("(s)", "wan0"),
                                       G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL,
                                       on_probe_reply, h);
        return G_SOURCE_CONTINUE;
}

/* ── what the flood is made of ────────────────────────────────────────── */

static const char *const manager_methods[] = {
        "GetInterfaceByName", "ListInterfaces", "CreateInterface", "StartDemandDialManager",
        "StopDemandDialManager", "Reload",
};
static const char *const iface_methods[] = { "Connect", "Disconnect", "SetEnabled", "Delete" };

/* [A-Za-z0-9_]{1,max}: a path element; with member set, not starting with
 * a digit (a member or interface name element). */
static char *
random_label(GRand *r, guint max, gboolean member)
{
        static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";
        guint n = g_rand_int_range(r, 1, max + 1);
        GString *s = g_string_new(NULL);

        for (guint k = 0; k < n; k++)
                g_string_append_c(s, chars[g_rand_int_range(r, 0, (k == 0 && member ? 53 : sizeof chars - 1))]);
        return g_string_free(s, FALSE);
}

/* A body that matches no method of ours. */
static GVariant *
wrong_body(GRand *r)
{
        switch (g_rand_int_range(r, 0, 9)) {
        case 0: return g_variant_new("(i)", g_rand_int(r));
        case 1: return g_variant_new("(ss)", "wan0", "x");
        case 2: return g_variant_new("(u)", 7);
        case 3: return g_variant_new_parsed("('wan0', {'Device': 'veth0'})"); /* a{ss} */
        case 4: return g_variant_new_parsed("(['a', 'b'],)");
        case 5: return g_variant_new("(v)", g_variant_new_int64(-1));
        case 6: return g_variant_new_parsed("('x', @a{sv} {}, 'extra')");
        case 7: return g_variant_new("(o)", "/org/wand/Router1");
        default: return g_variant_new("(ay)", NULL);
        }
}

/* A{sv} whose one value is a variant nested depth deep. */
static GVariant *
nested_settings(guint depth)
{
        GVariant *v = g_variant_new_string("veth0");
        GVariantBuilder b;

        for (guint k = 0; k < depth; k++)
                v = g_variant_new_variant(v);
        g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&b, "{sv}", "Device", v);
        return g_variant_new("(sa{sv})", "deep", &b);
}

static GVariant *
huge_string_arg(gsize size)
{
        g_autofree char *s = g_malloc(size + 1);

        memset(s, 'a', size);
        s[size] = 0;
        return g_variant_new("(s)", s);
}

/* CreateInterface with a ConnectCommand of n words: valid, so wand asks
 * polkit about it (which says no). */
static GVariant *
long_command(guint n)
{
        GVariantBuilder argv, settings;

        g_variant_builder_init(&argv, G_VARIANT_TYPE("as"));
        for (guint k = 0; k < n; k++)
                g_variant_builder_add(&argv, "s", k == 0 ? "/bin/true" : "word");
        g_variant_builder_init(&settings, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&settings, "{sv}", "Device", g_variant_new_string("veth9"));
        g_variant_builder_add(&settings, "{sv}", "ConnectCommand", g_variant_builder_end(&argv));
        return g_variant_new("(sa{sv})", "long", &settings);
}

/* One call of a random kind. */
static void
flood_one(Hostile *h)
{
        GRand *r = h->rand;
        guint slot = g_rand_int_range(r, 0, G_N_ELEMENTS(h->conns));
        guint kind = g_rand_int_range(r, 0, 100);

        if (kind < 30) {
                /* Wrong signature on a real method. */
                gboolean manager = g_rand_boolean(r);
                const char *member = manager ? manager_methods[g_rand_int_range(r, 0, G_N_ELEMENTS(manager_methods))]
                                             : iface_methods[g_rand_int_range(r, 0, G_N_ELEMENTS(iface_methods))];
                send_call(h, slot,
                          call_message(manager ? WAND_MANAGER_PATH : WAN0,
                                       manager ? WAND_MANAGER_IFACE : WAND_INTERFACE_IFACE, member, wrong_body(r)),
                          TRUE);
        } else if (kind < 45) {
                /* Unknown members and interfaces. */
                g_autofree char *member = random_label(r, 20, TRUE);
                g_autofree char *iface = g_strdup_printf("org.wand.%s", member);
                static const char *const ifaces[] = { WAND_MANAGER_IFACE, WAND_INTERFACE_IFACE,
                                                      "org.freedesktop.DBus.Properties", NULL };
                const char *i = g_rand_boolean(r) ? ifaces[g_rand_int_range(r, 0, G_N_ELEMENTS(ifaces))] : iface;
                send_call(h, slot, call_message(g_rand_boolean(r) ? WAND_MANAGER_PATH : WAN0, i, member, NULL),
                          TRUE);
        } else if (kind < 70) {
                /* Random paths under /org/wand/Router1, any member. */
                static const char *const members[] = { "Introspect", "Get", "GetAll", "Set", "Connect",
                                                       "Disconnect", "SetEnabled", "Delete", "GetManagedObjects",
                                                       "Ping", "GetMachineId", "ListInterfaces" };
                static const char *const ifaces[] = { "org.freedesktop.DBus.Introspectable",
                                                      "org.freedesktop.DBus.Properties",
                                                      "org.freedesktop.DBus.ObjectManager",
                                                      "org.freedesktop.DBus.Peer", WAND_INTERFACE_IFACE,
                                                      WAND_MANAGER_IFACE, NULL };
                GString *path = g_string_new(g_rand_boolean(r) ? WAND_MANAGER_PATH "/interface" : WAND_MANAGER_PATH);
                guint depth = g_rand_int_range(r, 1, 4);
                const char *member = members[g_rand_int_range(r, 0, G_N_ELEMENTS(members))];
                GVariant *body = NULL;

                for (guint k = 0; k < depth; k++) {
                        g_autofree char *label = random_label(r, 12, FALSE);
                        g_string_append_printf(path, "/%s", label);
                }
                if (strcmp(member, "Get") == 0 || strcmp(member, "GetAll") == 0 || strcmp(member, "Set") == 0)
                        body = strcmp(member, "GetAll") == 0 ? g_variant_new("(s)", WAND_INTERFACE_IFACE)
                               : strcmp(member, "Get") == 0  ? g_variant_new("(ss)", WAND_INTERFACE_IFACE, "State")
                                                             : g_variant_new("(ssv)", WAND_INTERFACE_IFACE, "Enabled",
                                                                             g_variant_new_boolean(FALSE));
                else if (strcmp(member, "SetEnabled") == 0)
                        body = g_variant_new("(b)", FALSE);
                send_call(h, slot,
                          call_message(path->str, ifaces[g_rand_int_range(r, 0, G_N_ELEMENTS(ifaces))], member, body),
                          FALSE);
                g_string_free(path, TRUE);
        } else if (kind < 85) {
                /* Properties: writes to read-only ones, wrong types, unknown
                 * names, on real objects. */
                static const char *const props[] = { "State", "Enabled", "Device", "Name", "IfIndex", "Bogus",
                                                     "DemandDialManager", "Version" };
                const char *prop = props[g_rand_int_range(r, 0, G_N_ELEMENTS(props))];
                gboolean manager = g_rand_boolean(r);
                send_call(h, slot,
                          call_message(manager ? WAND_MANAGER_PATH : WAN0, "org.freedesktop.DBus.Properties", "Set",
                                       g_variant_new("(ssv)", manager ? WAND_MANAGER_IFACE : WAND_INTERFACE_IFACE,
                                                     prop, g_variant_new_uint32(g_rand_int(r)))),
                          TRUE);
        } else if (kind < 97) {
                /* Well-formed calls that wand must refuse: malformed names,
                 * invalid settings, and polkit-guarded methods (denied). */
                static const char *const bad_names[] = { "", "bad name", "-x", "a/b", "x\n", "caf\xc3\xa9" };
                guint which = g_rand_int_range(r, 0, 4);
                if (which == 0)
                        send_call(h, slot,
                                  call_message(WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                                               g_variant_new("(s)", bad_names[g_rand_int_range(
                                                                            r, 0, G_N_ELEMENTS(bad_names))])),
                                  TRUE);
                else if (which == 1)
                        send_call(h, slot,
                                  call_message(WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                                               g_variant_new_parsed("('x', {'Device': <'a/b'>, 'Bogus': <1>})")),
                                  TRUE);
                else if (which == 2)
                        send_call(h, slot, call_message(WAN0, WAND_INTERFACE_IFACE, "Connect", NULL), TRUE);
                else
                        send_call(h, slot,
                                  call_message(WAN0, WAND_INTERFACE_IFACE, "SetEnabled", g_variant_new("(b)", FALSE)),
                                  TRUE);
        } else {
                /* Now and then something big or deep. */
                guint which = g_rand_int_range(r, 0, 4);
                if (which == 0)
                        send_call(h, slot,
                                  call_message(WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                                               huge_string_arg(g_rand_int_range(r, 1024, 256 * 1024))),
                                  TRUE);
                else if (which == 1)
                        send_call(h, slot,
                                  call_message(WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                                               nested_settings(g_rand_int_range(r, 1, 30))),
                                  TRUE);
                else if (which == 2)
                        send_call(h, slot,
                                  call_message(WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "CreateInterface",
                                               long_command(g_rand_int_range(r, 1000, 20000))),
                                  TRUE);
                else
                        send_call(h, slot,
                                  call_message(WAN0, "org.freedesktop.DBus.Properties", "GetAll",
                                               huge_string_arg(g_rand_int_range(r, 1024, 64 * 1024))),
                                  FALSE);
        }
}

/* ── callers that hang up ─────────────────────────────────────────────── */

/* n callers each send a few calls and close before any answer. */
static guint
hang_ups(Hostile *h, guint n)
{
        guint calls = 0;

        for (guint k = 0; k < n; k++) {
                g_autoptr(GDBusConnection) c = wand_fixture_connect_as(h->f, k % 2 ? 65534 : 0);
                const char *const members[] = { "ListInterfaces", "StopDemandDialManager", "Reload" };

                for (guint m = 0; m < G_N_ELEMENTS(members); m++, calls++) {
                        g_autoptr(GDBusMessage) msg = call_message(WAND_MANAGER_PATH, WAND_MANAGER_IFACE,
                                                                   members[m], NULL);
                        /* Root's StopDemandDialManager would stop it for real. */
                        if (k % 2 == 0 && m == 1)
                                g_dbus_message_set_member(msg, "ListInterfaces");
                        g_dbus_connection_send_message(c, msg, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
                }
                {
                        g_autoptr(GDBusMessage) msg = call_message(WAN0, WAND_INTERFACE_IFACE, "Connect", NULL);
                        if (k % 2 == 0)
                                g_dbus_message_set_member(msg, "Ping"), g_dbus_message_set_interface(
                                        msg, "org.freedesktop.DBus.Peer");
                        g_dbus_connection_send_message(c, msg, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
                        calls++;
                }
                g_dbus_connection_flush_sync(c, NULL, NULL);
                g_dbus_connection_close_sync(c, NULL, NULL);
        }
        return calls;
}

static gboolean
all_cancelled(PolkitDouble *polkit, GPtrArray *ids, guint *ret_missing)
{
        guint missing = 0;

        for (guint k = 0; k < ids->len; k++) {
                gboolean found = FALSE;
                for (guint c = 0; c < polkit->cancelled->len && !found; c++)
                        found = strcmp(g_ptr_array_index(polkit->cancelled, c), g_ptr_array_index(ids, k)) == 0;
                missing += !found;
        }
        *ret_missing = missing;
        return missing == 0;
}

/* n callers each wait for polkit (which does not answer) and then leave:
 * wand must cancel every one of those checks. The callers are four users
 * (uids with an account everywhere), as wand lets one user have at most 16
 * checks waiting. */
static void
leave_while_asking(Hostile *h, PolkitDouble *polkit, guint n)
{
        g_autoptr(GPtrArray) callers = g_ptr_array_new_with_free_func(g_object_unref);
        g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
        guint missing = 0;

        polkit_double_answer_all(polkit, FALSE);
        polkit->mode = POLKIT_SILENT;
        for (guint k = 0; k < n; k++) {
                static const uid_t uids[] = { 65534, 1, 2, 3 };
                GDBusConnection *c = wand_fixture_connect_as(h->f, uids[k % G_N_ELEMENTS(uids)]);
                g_autoptr(GDBusMessage) msg = call_message(WAN0, WAND_INTERFACE_IFACE, "Connect", NULL);

                g_dbus_connection_send_message(c, msg, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
                g_ptr_array_add(callers, c);
        }
        wand_wait_until(polkit->pending->len >= n, "%u checks to reach polkit (%u did)", n, polkit->pending->len);
        /* (The cancelled checks are answered and leave polkit->pending.) */
        for (guint k = 0; k < polkit->pending->len; k++) {
                GVariant *params = g_dbus_method_invocation_get_parameters(g_ptr_array_index(polkit->pending, k));
                g_autoptr(GVariant) subject = g_variant_get_child_value(params, 0);
                g_autoptr(GVariant) details = g_variant_get_child_value(subject, 1);
                const char *id, *name = NULL;

                g_variant_get_child(params, 4, "&s", &id);
                g_variant_lookup(details, "name", "&s", &name);
                for (guint c = 0; c < callers->len; c++)
                        if (g_strcmp0(name, g_dbus_connection_get_unique_name(g_ptr_array_index(callers, c))) == 0)
                                g_ptr_array_add(ids, g_strdup(id));
        }
        g_assert_cmpuint(ids->len, ==, n);
        g_ptr_array_set_size(callers, 0); /* closes them */
        wand_wait_until(all_cancelled(polkit, ids, &missing), "every check to be cancelled (%u are not)", missing);
        polkit_double_answer_all(polkit, FALSE);
        polkit->mode = POLKIT_DENY;
}

/* ── raw messages the bus should never pass on ────────────────────────── */

/* Serialises a method call with GDBus, then patches bytes in the blob. */
static guchar *
raw_call(const char *dest, const char *path, const char *iface, const char *member, GVariant *body, guint32 serial,
         gsize *ret_size)
{
        g_autoptr(GDBusMessage) m = g_dbus_message_new_method_call(dest, path, iface, member);
        g_autoptr(GError) error = NULL;
        guchar *blob;

        if (body)
                g_dbus_message_set_body(m, body);
        g_dbus_message_set_serial(m, serial);
        blob = g_dbus_message_to_blob(m, ret_size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
        g_assert_no_error(error);
        return blob;
}

typedef struct {
        GMutex lock;             /* the filter runs in GDBus's worker thread */
        guint delivered_to_wand; /* calls the monitor saw going to wand from raw callers */
        GHashTable *raw_senders;
} Monitor;

static GDBusMessage *
monitor_filter(GDBusConnection *c, GDBusMessage *m, gboolean incoming, gpointer data)
{
        Monitor *mon = data;

        g_mutex_lock(&mon->lock);
        if (incoming && g_dbus_message_get_message_type(m) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
            g_strcmp0(g_dbus_message_get_destination(m), WAND_BUS_NAME) == 0 && g_dbus_message_get_sender(m) &&
            g_hash_table_contains(mon->raw_senders, g_dbus_message_get_sender(m)))
                mon->delivered_to_wand++;
        g_mutex_unlock(&mon->lock);
        return m;
}

static void
invalid_messages(Hostile *h, guint rounds, guint *ret_closed, guint *ret_delivered)
{
        g_autoptr(GDBusConnection) monitor_c = NULL;
        g_autoptr(GVariant) r = NULL;
        g_autoptr(GError) error = NULL;
        Monitor mon = { 0 };
        guint closed = 0;

        g_mutex_init(&mon.lock);
        mon.raw_senders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        monitor_c = g_dbus_connection_new_for_address_sync(h->f->bus_address,
                                                           G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                           G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                           NULL, NULL, &error);
        g_assert_no_error(error);
        g_dbus_connection_add_filter(monitor_c, monitor_filter, &mon, NULL);
        r = g_dbus_connection_call_sync(monitor_c, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                                        g_variant_new("(asu)", NULL, 0), NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
                                        &error);
        g_assert_no_error(error);

        for (guint k = 0; k < rounds; k++) {
                int fd = raw_connect(h->f->bus_address, 0);
                g_autofree char *unique = NULL;
                g_autofree guchar *hello = NULL, *bad = NULL;
                gsize hello_size, bad_size;
                /* The string argument, or the object path, is made invalid
                 * after GDBus (which checks) has serialised it. */
                guint kind = k % 3;

                hello = raw_call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello",
                                 NULL, 1, &hello_size);
                g_assert_cmpint(write(fd, hello, hello_size), ==, (gssize) hello_size);
                if (kind == 2) {
                        bad = raw_call(WAND_BUS_NAME, "/org/wand/Router1/interface/XXXX", WAND_INTERFACE_IFACE,
                                       "GetInterfaceByName", g_variant_new("(s)", "wan0"), 2, &bad_size);
                        replace_bytes(bad, bad_size, "XXXX", "a//b"); /* not an object path */
                } else {
                        bad = raw_call(WAND_BUS_NAME, WAND_MANAGER_PATH, WAND_MANAGER_IFACE, "GetInterfaceByName",
                                       g_variant_new("(s)", "wanXX"), 2, &bad_size);
                        /* \xff\xfe can never be UTF-8; \xc0\x80 is an overlong NUL. */
                        replace_bytes(bad, bad_size, "XX", kind == 0 ? "\xff\xfe" : "\xc0\x80");
                }
                /* Read the Hello reply first, to learn our name. */
                {
                        guchar buf[4096];
                        ssize_t n = read(fd, buf, sizeof buf);
                        g_assert_cmpint(n, >, 0);
                        for (ssize_t i = 0; i + 3 < n; i++)
                                if (buf[i] == ':' && buf[i + 1] == '1' && buf[i + 2] == '.') {
                                        unique = g_strndup((char *) buf + i, strnlen((char *) buf + i, n - i));
                                        break;
                                }
                        g_assert_nonnull(unique);
                        g_mutex_lock(&mon.lock);
                        g_hash_table_add(mon.raw_senders, g_strdup(unique));
                        g_mutex_unlock(&mon.lock);
                }
                g_assert_cmpint(write(fd, bad, bad_size), ==, (gssize) bad_size);
                if (raw_wait_closed(fd))
                        closed++;
                close(fd);
        }
        /* Let the monitor see whatever there was to see. */
        wand_iterate(200);
        g_dbus_connection_close_sync(monitor_c, NULL, NULL);
        g_clear_object(&monitor_c); /* its worker no longer calls the filter */
        *ret_closed = closed;
        *ret_delivered = mon.delivered_to_wand;
        g_hash_table_unref(mon.raw_senders);
        g_mutex_clear(&mon.lock);
        h->sent += rounds;
}

/* ── the test ─────────────────────────────────────────────────────────── */

static void
settle(Hostile *h)
{
        wait_all_answered(h);
        /* Let wand finish what the callers' departures started. */
        wand_iterate(300);
}

/* Returns how many calls were made by callers that hung up first. */
static guint
one_round(Hostile *h, PolkitDouble *polkit, guint n)
{
        guint hung_up;

        for (guint k = 0; k < n; k++)
                flood_one(h);
        wait_all_answered(h);
        hung_up = hang_ups(h, 50);
        h->sent += hung_up;
        /* Let wand's checks for those callers drain first: wand may have at
         * most 128 calls of its own pending on the bus (max_replies_per_
         * connection), and a silent polkit holds 40 of them. */
        settle(h);
        leave_while_asking(h, polkit, 40);
        settle(h);
        return hung_up + 40;
}

static void
print_errors(Hostile *h)
{
        GHashTableIter it;
        gpointer name, count;
        g_autoptr(GString) s = g_string_new(NULL);

        g_hash_table_iter_init(&it, h->error_names);
        while (g_hash_table_iter_next(&it, &name, &count))
                g_string_append_printf(s, "%s%s=%u", s->len ? ", " : "", (char *) name, GPOINTER_TO_UINT(count));
        robust_figure("hostile error replies", "%s", s->str);
}

static void
test_hostile(WandFixture *f, gconstpointer data)
{
        g_autoptr(PolkitDouble) polkit = NULL;
        Hostile h = { .f = f };
        guint rounds = 3, closed = 0, delivered = 0;
        const char *env_rounds = g_getenv("WAND_HOSTILE_ROUNDS");
        WandUsage u0, u1, after[16];
        g_autofree char *owner_before = NULL, *owner_after = NULL;
        guint64 hung_up = 0;
        gint64 start;

        if (env_rounds)
                rounds = CLAMP(atoi(env_rounds), 2, 16);
        h.rand = g_rand_new_with_seed(20240607);
        h.error_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        polkit = polkit_double_new(f, POLKIT_DENY);
        wand_fixture_add_veth(f, "veth1");
        wand_fixture_write_interface(f, "wan1", "veth1", "Enabled=no\n");
        wand_fixture_start_wan0(f, NULL);
        owner_before = robust_name_owner(f, WAND_BUS_NAME);
        for (guint k = 0; k < G_N_ELEMENTS(h.conns); k++)
                h.conns[k] = wand_fixture_connect_as(f, 65534);
        u0 = wand_usage(f->wand_pid);
        h.probe_source = g_timeout_add(PROBE_INTERVAL_MS, probe_tick, &h);
        start = g_get_monotonic_time();

        /* Warm-up: every kind of call once, so that the rounds compare
         * like with like (sd-bus and malloc keep some of what they grew). */
        hung_up += one_round(&h, polkit, 1000);
        invalid_messages(&h, 30, &closed, &delivered);
        settle(&h);
        u1 = wand_usage(f->wand_pid);

        for (guint r = 0; r < rounds; r++) {
                hung_up += one_round(&h, polkit, FLOOD_PER_ROUND);
                after[r] = wand_usage(f->wand_pid);
                g_test_message("after round %u: RSS %" G_GUINT64_FORMAT " KiB, %u fds", r + 1, after[r].rss_kib,
                               after[r].n_fds);
        }

        g_source_remove(h.probe_source);
        wand_wait_until(!h.probe_busy, "the last probe");

        robust_figure("hostile calls sent", "%" G_GUINT64_FORMAT " in %.1f s (%" G_GUINT64_FORMAT
                      " answered, %" G_GUINT64_FORMAT " of them errors, %" G_GUINT64_FORMAT
                      " without answer, %" G_GUINT64_FORMAT " malformed ones accepted, %" G_GUINT64_FORMAT
                      " from callers that hung up first)",
                      h.sent, (g_get_monotonic_time() - start) / 1e6, h.replied, h.errors, h.lost,
                      h.unexpected_success, hung_up);
        print_errors(&h);
        robust_figure("invalid raw messages", "%u sent, bus closed the sender %u times, %u reached wand", 30, closed,
                      delivered);
        robust_figure("probe", "%" G_GUINT64_FORMAT " well-formed calls, %" G_GUINT64_FORMAT
                      " failed, slowest %.1f ms", h.probes, h.probe_failures, h.probe_max_us / 1000.0);
        robust_figure("wand RSS KiB", "start %" G_GUINT64_FORMAT ", after warm-up %" G_GUINT64_FORMAT
                      ", after rounds %" G_GUINT64_FORMAT " ... %" G_GUINT64_FORMAT,
                      u0.rss_kib, u1.rss_kib, after[0].rss_kib, after[rounds - 1].rss_kib);
        robust_figure("wand fds", "start %u, after warm-up %u, after rounds %u ... %u", u0.n_fds, u1.n_fds,
                      after[0].n_fds, after[rounds - 1].n_fds);

        /* Served throughout. */
        g_assert_cmpuint(h.probe_failures, ==, 0);
        g_assert_cmpuint(h.probes, >, 10);
        g_assert_cmpint(h.probe_max_us, <, (robust_sanitized() ? 5 : 2) * G_USEC_PER_SEC);
        /* Every call answered; nothing malformed accepted. */
        g_assert_cmpuint(h.lost, ==, 0);
        g_assert_cmpuint(h.unexpected_success, ==, 0);
        /* The bus keeps what is not D-Bus from wand, and drops the sender. */
        g_assert_cmpuint(delivered, ==, 0);
        g_assert_cmpuint(closed, ==, 30);
        /* Same process, same connection, same descriptors. */
        owner_after = robust_name_owner(f, WAND_BUS_NAME);
        g_assert_cmpstr(owner_after, ==, owner_before);
        g_assert_false(f->wand_exited);
        for (guint r = 0; r < rounds; r++)
                g_assert_cmpuint(after[r].n_fds, ==, u0.n_fds);
        /* Memory: after the first round, the others (the same calls again)
         * must not leave more behind than the allocator's noise with messages
         * of up to 256 KiB (a few hundred KiB, going up and down). 20 000
         * calls leaking 50 bytes each would be 1 MiB. Under a sanitizer the
         * quarantine hides this; LeakSanitizer checks at exit instead. */
        if (!robust_sanitized())
                g_assert_cmpuint(after[rounds - 1].rss_kib, <=, after[0].rss_kib + 1024);

        for (guint k = 0; k < G_N_ELEMENTS(h.conns); k++) {
                g_dbus_connection_close_sync(h.conns[k], NULL, NULL);
                g_clear_object(&h.conns[k]);
        }
        g_hash_table_unref(h.error_names);
        g_rand_free(h.rand);

        /* And it still does its job. */
        wand_iface_ok(f, WAN0, "Connect", NULL);
        wand_assert_state(f, WAN0, "connected");
        wand_iface_ok(f, WAN0, "Disconnect", NULL);
        wand_assert_state(f, WAN0, "disconnected");
}

int
main(int argc, char **argv)
{
        wand_test_init(&argc, &argv);
        g_test_add("/hostile/flood", WandFixture, NULL, wand_fixture_set_up, test_hostile,
                   wand_fixture_tear_down);
        return g_test_run();
}
