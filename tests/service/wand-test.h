/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service tests' fixture: the real wand binary against a private bus with
 * a polkit double (GtDBusQueue), in the test's own network namespace. */
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <libglib-testing/dbus-queue.h>

/* Introspection of polkit's Authority interface, as much as wand calls;
 * shared with the robustness tests' own polkit double. */
extern const char wand_test_polkit_xml[];

G_BEGIN_DECLS

#define WAND_BUS_NAME "org.wand.Router1"
#define WAND_MANAGER_PATH "/org/wand/Router1"
#define WAND_MANAGER_IFACE "org.wand.Router1.Manager"
#define WAND_INTERFACE_IFACE "org.wand.Router1.Interface"
#define WAND_ERROR(x) "org.wand.Router1.Error." x
#define DBUS_ERROR(x) "org.freedesktop.DBus.Error." x

/* The interface most tests use: wan0 on veth0. */
#define WAN0 "/org/wand/Router1/interface/wan0"

#define POLKIT_BUS_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_IFACE "org.freedesktop.PolicyKit1.Authority"

/* Generous but finite: a daemon that never answers fails the test, it does
 * not hang it until meson's timeout. */
#define WAND_TIMEOUT_MS 10000

typedef struct {
        GtDBusQueue *queue;         /* the private bus and the polkit double */
        char *bus_address;
        GDBusConnection *root;      /* uid 0 caller (the queue's client connection) */
        GDBusConnection *user;      /* uid 65534 caller */
        guint polkit_name_id;       /* 0 while polkit is not on the bus */
        guint polkit_object_id;

        char *config_dir;           /* --config-dir, removed at teardown */
        char *runtime_dir;          /* --runtime-dir, removed at teardown */
        gboolean wand_verbose;      /* start wand with --verbose */
        GPtrArray *veths;           /* names created, deleted at teardown */

        GPid wand_pid;              /* 0 when not running */
        gboolean wand_exited;
        int wand_wait_status;
        guint wand_child_watch;
        char *wand_unique_name;     /* its connection, while running */
        GThread *log_thread;
        GMutex log_lock;
        GString *log;               /* stderr of the current wand process */

        GPtrArray *signals;         /* WandSignal, recorded on root */
        guint sub_properties;
        guint sub_object_manager;
} WandFixture;

typedef struct {
        char *sender;
        char *path;
        char *iface;
        char *member;
        GVariant *params;
} WandSignal;

/* Call first thing in main(): own network namespace with lo up, then
 * g_test_init(). Exits 77 (skip) when not root. */
void wand_test_init(int *argc, char ***argv);

/* g_test_add() set-up/tear-down: bus, polkit double, callers, config dir.
 * Nothing of wand runs until wand_fixture_start(). */
void wand_fixture_set_up(WandFixture *f, gconstpointer data);
void wand_fixture_tear_down(WandFixture *f, gconstpointer data);

/* ── configuration and kernel ─────────────────────────────────────────── */

void wand_fixture_write_main_conf(WandFixture *f, const char *contents);
/* Writes interfaces/<name>.conf verbatim. */
void wand_fixture_write_interface_file(WandFixture *f, const char *name, const char *contents);
/* "[Interface]\nDevice=<device>\n<extra>" */
void wand_fixture_write_interface(WandFixture *f, const char *name, const char *device,
                                  const char *extra);
char *wand_fixture_interface_file(WandFixture *f, const char *name);
/* Contents of interfaces/<name>.conf, NULL when absent. */
char *wand_fixture_read_interface_file(WandFixture *f, const char *name);

/* `ip ARGS…` (split like a shell), asserting it succeeds. */
void wand_ip(const char *args);
/* A veth pair NAME / NAME-p with the peer up, so NAME gets carrier when it
 * is set up. Deleted at teardown. */
void wand_fixture_add_veth(WandFixture *f, const char *name);

typedef struct {
        gboolean exists;
        int ifindex;
        gboolean up;        /* IFF_UP */
        gboolean lower_up;  /* IFF_LOWER_UP (carrier) */
} WandLink;
/* The link as this namespace's kernel has it (from `ip -o link show`). */
WandLink wand_link(const char *dev);

/* ── the daemon ───────────────────────────────────────────────────────── */

/* Starts wand and waits until it owns org.wand.Router1. */
void wand_fixture_start(WandFixture *f);
/* SIGTERM, asserts it exits 0 within a few seconds (else SIGKILL and fail),
 * then waits until the name is gone. */
void wand_fixture_stop(WandFixture *f);
void wand_fixture_restart(WandFixture *f);
/* The usual start: veth0, interface wan0 on it (extra: more setting lines,
 * or NULL), then wand. */
void wand_fixture_start_wan0(WandFixture *f, const char *extra);
/* Sends a signal to the running wand. */
void wand_fixture_kill(WandFixture *f, int sig);
/* What the current wand wrote to stderr so far. */
char *wand_fixture_get_log(WandFixture *f);

/* ── bus helpers ──────────────────────────────────────────────────────── */

/* Object path of an interface name, escaped as sd_bus_path_encode() does. */
char *wand_interface_path(const char *name);

/* A new connection to the bus authenticated as uid. */
GDBusConnection *wand_fixture_connect_as(WandFixture *f, uid_t uid);

/* Synchronous call with WAND_TIMEOUT_MS; NULL and *error on failure. */
GVariant *wand_call(GDBusConnection *c, const char *path, const char *iface,
                    const char *method, GVariant *params, const GVariantType *reply_type,
                    GError **error);
/* Introspect() on path as root, parsed; asserts it parses. */
GDBusNodeInfo *wand_introspect(WandFixture *f, const char *path);
/* Synchronous call that must succeed. */
GVariant *wand_call_ok(GDBusConnection *c, const char *path, const char *iface,
                       const char *method, GVariant *params, const GVariantType *reply_type);
/* Synchronous call that must fail with the named error; returns its message. */
char *wand_call_error(GDBusConnection *c, const char *path, const char *iface,
                      const char *method, GVariant *params, const char *error_name);

/* Root calls with no return value that must succeed. */
void wand_iface_ok(WandFixture *f, const char *path, const char *method, GVariant *params);
void wand_manager_ok(WandFixture *f, const char *method);
/* A call that must fail with error_name. */
void wand_assert_error(GDBusConnection *c, const char *path, const char *iface, const char *method,
                       GVariant *params, const char *error_name);

/* Asynchronous call; the reply is collected while the main context runs. */
typedef struct {
        gboolean done;
        GVariant *reply;
        GError *error;
        char *what;
} WandCall;
WandCall *wand_call_async(GDBusConnection *c, const char *path, const char *iface,
                          const char *method, GVariant *params, GDBusCallFlags flags);
void wand_call_wait(WandCall *call);
void wand_call_assert_ok(WandCall *call);
/* Waits, asserts the error name, returns the message (owned by call). */
const char *wand_call_assert_error(WandCall *call, const char *error_name);
void wand_call_free(WandCall *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(WandCall, wand_call_free)

/* The remote D-Bus error name of a GError from a call. */
char *wand_error_name(const GError *error);

GVariant *wand_get_property(WandFixture *f, const char *path, const char *iface,
                            const char *prop);
char *wand_get_string(WandFixture *f, const char *path, const char *iface, const char *prop);
char *wand_get_state(WandFixture *f, const char *path);
gboolean wand_get_bool(WandFixture *f, const char *path, const char *prop);
gint32 wand_get_ifindex(WandFixture *f, const char *path);
guint64 wand_get_connected_since(WandFixture *f, const char *path);
char **wand_get_reasons(WandFixture *f, const char *path);
/* Asserts UnreachabilityReasons is exactly this set (NULL-terminated). */
void wand_assert_reasons(WandFixture *f, const char *path, const char *const *expected);
void wand_assert_state(WandFixture *f, const char *path, const char *state);
/* Polls State until it equals state. */
void wand_wait_state(WandFixture *f, const char *path, const char *state);

/* GetInterfaceByName via root; asserts it succeeds. */
char *wand_get_interface(WandFixture *f, const char *name);

/* Runs the default main context for ms. */
void wand_iterate(guint ms);

/* Evaluates expr while iterating the main context until it is true; fails
 * the test naming what after WAND_TIMEOUT_MS. */
#define wand_wait_until(expr, ...) \
        G_STMT_START { \
                gint64 _wd = g_get_monotonic_time() + WAND_TIMEOUT_MS * G_GINT64_CONSTANT(1000); \
                while (!(expr)) { \
                        if (g_get_monotonic_time() > _wd) { \
                                g_autofree char *_wm = g_strdup_printf("timed out waiting for " __VA_ARGS__); \
                                g_assertion_message(G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, _wm); \
                        } \
                        wand_iterate(20); \
                } \
        } G_STMT_END

/* ── signals ──────────────────────────────────────────────────────────── */

void wand_fixture_clear_signals(WandFixture *f);
/* Finds a recorded PropertiesChanged on path for iface whose changed dict
 * has prop == value (the value must be included, not just invalidated). */
gboolean wand_fixture_has_property_change(WandFixture *f, const char *path, const char *iface,
                                          const char *prop, GVariant *value);
void wand_fixture_wait_property_change(WandFixture *f, const char *path, const char *iface,
                                       const char *prop, GVariant *value);
/* Waits for InterfacesAdded / InterfacesRemoved of org.wand.Router1.Interface
 * at path on /org/wand/Router1; returns the added properties (Added only). */
GVariant *wand_fixture_wait_interfaces_added(WandFixture *f, const char *path);
void wand_fixture_wait_interfaces_removed(WandFixture *f, const char *path);
gboolean wand_fixture_has_interfaces_added(WandFixture *f, const char *path);
gboolean wand_fixture_has_interfaces_removed(WandFixture *f, const char *path);

/* ── the polkit double ────────────────────────────────────────────────── */

/* Releases org.freedesktop.PolicyKit1 and waits until it has no owner. */
void wand_fixture_polkit_leave(WandFixture *f);

typedef struct {
        GDBusMethodInvocation *invocation;
        char *action_id;
        char *subject_kind;
        char *subject_name;      /* details["name"] of the subject */
        GVariant *subject_details;
        GVariant *details;       /* a{ss} */
        guint32 flags;
        char *cancellation_id;
} WandPolkitCheck;

/* Pops the next call to the polkit double within WAND_TIMEOUT_MS; fails if
 * none arrives. */
GDBusMethodInvocation *wand_fixture_pop_polkit(WandFixture *f);
/* Pops a CheckAuthorization and asserts: sent by wand, action_id, subject
 * system-bus-name with the caller's unique name (and no pid), flags, a
 * non-empty cancellation id; and when interface is not NULL, details
 * interface= and device=. */
WandPolkitCheck *wand_fixture_expect_check(WandFixture *f, const char *action_id,
                                           GDBusConnection *caller, const char *interface,
                                           const char *device, guint32 flags);
void wand_polkit_reply(WandPolkitCheck *check, gboolean authorized, gboolean challenge);
void wand_polkit_reply_error(WandPolkitCheck *check, const char *name, const char *message);
void wand_polkit_check_free(WandPolkitCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(WandPolkitCheck, wand_polkit_check_free)
/* Lets in-flight messages arrive, then asserts polkit was not asked. */
void wand_fixture_assert_no_polkit(WandFixture *f);

G_END_DECLS
