/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error table against the contract's error table, sd-bus's mapping of
 * wand's names to errno values for clients, and the bus edge's mapping of
 * what the daemon returns to the names org.wand.Router1(5) documents. */
#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "bus.h"
#include "wand-errors.h"

/* The contract's error table (org.wand.Router1(5), ERRORS): 0 where it gives
 * no code. */
static const struct {
        const char *name;
        const char *win32;
        unsigned code;
} contract[] = {
        { "org.freedesktop.DBus.Error.AccessDenied", "ERROR_ACCESS_DENIED", 5 },
        { "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", NULL, 0 },
        { "org.wand.Router1.Error.DemandDialManagerNotRunning", "ERROR_DDM_NOT_RUNNING", 903 },
        { "org.wand.Router1.Error.InvalidHandle", "ERROR_INVALID_HANDLE", 6 },
        { "org.wand.Router1.Error.InterfaceNotConnected", "ERROR_INTERFACE_NOT_CONNECTED", 906 },
        { "org.wand.Router1.Error.NoSuchInterface", "ERROR_NO_SUCH_INTERFACE", 905 },
        { "org.wand.Router1.Error.InterfaceAlreadyExists", "ERROR_INTERFACE_ALREADY_EXISTS", 904 },
        { "org.wand.Router1.Error.InterfaceConnected", "ERROR_INTERFACE_CONNECTED", 908 },
        { "org.wand.Router1.Error.AlreadyConnected", "ERROR_ALREADY_CONNECTED", 901 },
        { "org.wand.Router1.Error.InterfaceDisabled", "ERROR_INTERFACE_DISABLED", 916 },
        { "org.wand.Router1.Error.InterfaceUnreachable", "ERROR_INTERFACE_UNREACHABLE", 927 },
        { "org.wand.Router1.Error.ConnectionFailed", NULL, 0 },
        { "org.freedesktop.DBus.Error.InvalidArgs", "ERROR_INVALID_PARAMETER", 87 },
};

static bool is_wand_name(const char *name) {
        return g_str_has_prefix(name, "org.wand.Router1.Error.");
}

static void test_contract_names(void) {
        for (size_t i = 0; i < G_N_ELEMENTS(contract); i++) {
                const WandErrorInfo *e = wand_error_lookup(contract[i].name);

                if (!e)
                        g_error("%s is missing from wand_errors[]", contract[i].name);
                g_assert_cmpstr(e->name, ==, contract[i].name);
                g_assert_cmpstr(e->win32, ==, contract[i].win32);
                g_assert_cmpuint(e->win32_code, ==, contract[i].code);
        }
        g_assert_null(wand_error_lookup("org.wand.Router1.Error.NoSuchThing"));
        g_assert_null(wand_error_lookup(NULL));
}

/* Every row stands for a contract error and is well formed. */
static void test_table_rows(void) {
        for (size_t i = 0; i < wand_errors_count; i++) {
                const WandErrorInfo *e = &wand_errors[i];
                bool in_contract = false;

                for (size_t j = 0; j < G_N_ELEMENTS(contract); j++)
                        in_contract = in_contract || strcmp(contract[j].name, e->name) == 0;
                if (!in_contract && is_wand_name(e->name))
                        /* Extensions are allowed; they still need a sound row. */
                        g_test_message("%s is not in the contract's table", e->name);

                g_assert_true(g_dbus_is_error_name(e->name));
                g_assert_cmpint(e->errno_value, >, 0);
                g_assert_true((e->win32 == NULL) == (e->win32_code == 0));
        }
}

static void test_unique(void) {
        for (size_t i = 0; i < wand_errors_count; i++)
                for (size_t j = i + 1; j < wand_errors_count; j++) {
                        if (strcmp(wand_errors[i].name, wand_errors[j].name) == 0)
                                g_error("%s appears twice", wand_errors[i].name);
                        if (wand_errors[i].errno_value == wand_errors[j].errno_value)
                                g_error("%s and %s share errno %d", wand_errors[i].name,
                                        wand_errors[j].name, wand_errors[i].errno_value);
                        if (wand_errors[i].win32_code != 0 &&
                            wand_errors[i].win32_code == wand_errors[j].win32_code)
                                g_error("%s and %s share Win32 code %u", wand_errors[i].name,
                                        wand_errors[j].name, wand_errors[i].win32_code);
                }
}

/* What a client gets from sd_bus_error_get_errno() for each of wand's names,
 * and an errno value sent as an error coming back as itself. */
static void test_sd_bus_round_trip(void) {
        g_assert_cmpint(wand_errors_register(), ==, 0);
        /* Idempotent. */
        g_assert_cmpint(wand_errors_register(), ==, 0);

        for (size_t i = 0; i < wand_errors_count; i++) {
                const WandErrorInfo *row = &wand_errors[i];
                sd_bus_error e = SD_BUS_ERROR_NULL;

                if (!is_wand_name(row->name))
                        continue;

                g_assert_cmpint(sd_bus_error_set(&e, row->name, NULL), ==, -row->errno_value);
                g_assert_true(sd_bus_error_has_name(&e, row->name));
                g_assert_cmpint(sd_bus_error_get_errno(&e), ==, row->errno_value);
                sd_bus_error_free(&e);

                /* sd-bus turns some errno values into its own names first
                 * (EPERM into AccessDenied, which reads back as EACCES):
                 * such a value would not even survive as a number. */
                g_assert_cmpint(sd_bus_error_set_errno(&e, -row->errno_value), ==, -row->errno_value);
                g_assert_true(sd_bus_error_is_set(&e));
                if (sd_bus_error_get_errno(&e) != row->errno_value) {
                        g_test_message("%s: -%s is sent as %s, which reads back as %s",
                                       row->name, g_strerror(row->errno_value), e.name,
                                       g_strerror(sd_bus_error_get_errno(&e)));
                        g_test_fail();
                }
                sd_bus_error_free(&e);
        }
}

/* The names org.wand.Router1(5) documents in its ERRORS section: every
 * name a caller of wand may get. */
static GPtrArray *documented_names(void) {
        const char *root = g_getenv("WAND_SOURCE_ROOT");
        g_autofree char *path = NULL, *text = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) lines = NULL;
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        bool in_errors = false;

        g_assert_nonnull(root);
        path = g_build_filename(root, "man", "org.wand.Router1.5.scd", NULL);
        g_assert_true(g_file_get_contents(path, &text, NULL, &error));
        g_assert_no_error(error);
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                if (g_str_has_prefix(*l, "# "))
                        in_errors = strcmp(*l, "# ERRORS") == 0;
                else if (in_errors && (*l)[0] == '*' && g_str_has_suffix(*l, "*") && strlen(*l) > 2)
                        g_ptr_array_add(names, g_strndup(*l + 1, strlen(*l) - 2));
        }
        /* The contract's table at least, and wand's fallback. */
        g_assert_cmpuint(names->len, >=, G_N_ELEMENTS(contract) + 1);
        return names;
}

static bool is_documented(GPtrArray *names, const char *name) {
        for (guint i = 0; i < names->len; i++)
                if (strcmp(g_ptr_array_index(names, i), name) == 0)
                        return true;
        return false;
}

/* Each decision gets its contract name, and that name is documented. */
static void test_decisions(void) {
        g_autoptr(GPtrArray) documented = documented_names();

        /* Past errno's range: no system call returns one. */
        g_assert_cmpint(_WAND_E_FIRST, >, 4095);
        for (int code = _WAND_E_FIRST; code < _WAND_E_END; code++) {
                const char *name = wand_error_code_to_name(code);
                sd_bus_error e = SD_BUS_ERROR_NULL;

                g_assert_nonnull(name);
                g_assert_true(wand_error_code_to_name(-code) == name);
                if (!is_documented(documented, name))
                        g_error("%s (code %d) is not documented in org.wand.Router1(5)", name, code);
                g_assert_cmpint(wand_error_set(&e, -code, "code %d", code), ==, -code);
                g_assert_cmpstr(e.name, ==, name);
                g_assert_cmpstr(e.message, !=, "");
                g_assert_true(g_str_has_prefix(e.message, "code "));
                g_assert_cmpstr(wand_strerror(-code), !=, strerror(code));
                sd_bus_error_free(&e);
        }
        g_assert_null(wand_error_code_to_name(INT_MIN));
        g_assert_nonnull(wand_strerror(INT_MIN));
        g_assert_null(wand_error_code_to_name(_WAND_E_END));
        g_assert_null(wand_error_code_to_name(_WAND_E_FIRST - 1));
}

/* Every errno value a system call, the kernel or sd-bus may hand wand is a
 * failure: Failed, saying what failed and why, whichever name sd-bus would
 * have made of it (AccessDenied, InvalidArgs, FileNotFound, Timeout,
 * System.Error.E…). Through the bus edge's mapping (wand_error_set()) and
 * through what sd-bus gets from a handler or a property getter. */
static void test_errno_sweep(void) {
        g_autoptr(GPtrArray) documented = documented_names();
        const char *path = "/org/wand/Router1/interface/wan0";

        g_assert_true(is_documented(documented, SD_BUS_ERROR_FAILED));
        for (int k = 1; k <= 133; k++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                g_autofree char *expected = NULL;

                g_assert_null(wand_error_code_to_name(-k));
                /* A copy: glibc's text for a number it does not know lives in
                 * one buffer that the next strerror() frees. */
                expected = g_strdup(wand_strerror(-k));
                g_assert_cmpstr(expected, ==, strerror(k));
                g_clear_pointer(&expected, g_free);

                g_assert_cmpint(wand_error_set(&e, -k, "Setting wan0 down failed: %s", strerror(k)), ==, -k);
                if (!is_documented(documented, e.name))
                        g_error("errno %d (%s) became %s, which org.wand.Router1(5) does not document", k,
                                strerror(k), e.name);
                g_assert_cmpstr(e.name, ==, SD_BUS_ERROR_FAILED);
                expected = g_strdup_printf("Setting wan0 down failed: %s", strerror(k));
                g_assert_cmpstr(e.message, ==, expected);
                sd_bus_error_free(&e);
                g_clear_pointer(&expected, g_free);

                g_assert_cmpint(bus_method_result("Disconnect", path, -k, &e), ==, -k);
                g_assert_cmpstr(e.name, ==, SD_BUS_ERROR_FAILED);
                expected = g_strdup_printf("Disconnect() on %s failed: %s", path, strerror(k));
                g_assert_cmpstr(e.message, ==, expected);
                sd_bus_error_free(&e);
                g_clear_pointer(&expected, g_free);

                g_assert_cmpint(bus_property_result("State", path, -k, &e), ==, -k);
                g_assert_cmpstr(e.name, ==, SD_BUS_ERROR_FAILED);
                g_assert_nonnull(strstr(e.message, "State"));
                g_assert_nonnull(strstr(e.message, strerror(k)));
                sd_bus_error_free(&e);
        }

        /* The ones the contract reserves for decisions, by name. */
        static const struct {
                int error;
                const char *not_this;
        } reserved[] = {
                { EPERM, SD_BUS_ERROR_ACCESS_DENIED },
                { EACCES, SD_BUS_ERROR_ACCESS_DENIED },
                { EINVAL, SD_BUS_ERROR_INVALID_ARGS },
                { ENOENT, WAND_ERROR_NO_SUCH_INTERFACE },
                { EBUSY, WAND_ERROR_INTERFACE_CONNECTED },
                { EEXIST, WAND_ERROR_INTERFACE_ALREADY_EXISTS },
                { ECONNREFUSED, WAND_ERROR_CONNECTION_FAILED },
                { EBADF, WAND_ERROR_INVALID_HANDLE },
                { ESRCH, WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING },
                { ETIMEDOUT, SD_BUS_ERROR_TIMEOUT },
                { EIO, SD_BUS_ERROR_IO_ERROR },
                { ENOBUFS, SD_BUS_ERROR_LIMITS_EXCEEDED },
        };
        for (size_t k = 0; k < G_N_ELEMENTS(reserved); k++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;

                wand_error_set(&e, -reserved[k].error, "x");
                g_assert_cmpstr(e.name, !=, reserved[k].not_this);
                sd_bus_error_free(&e);
                bus_method_result("Connect", path, -reserved[k].error, &e);
                g_assert_cmpstr(e.name, !=, reserved[k].not_this);
                sd_bus_error_free(&e);
        }
        {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                wand_error_set(&e, -ECANCELED, "wand is shutting down.");
                g_assert_cmpstr(e.name, ==, SD_BUS_ERROR_FAILED);
                g_assert_cmpstr(e.message, ==, "wand is shutting down.");
                sd_bus_error_free(&e);
        }
}

/* What a handler named itself stays, and success is no error. */
static void test_method_result_keeps_names(void) {
        sd_bus_error e = SD_BUS_ERROR_NULL;

        g_assert_cmpint(bus_method_result("Connect", "/", 1, &e), ==, 1);
        g_assert_false(sd_bus_error_is_set(&e));
        g_assert_cmpint(bus_method_result("Connect", "/", 0, &e), ==, 0);
        g_assert_false(sd_bus_error_is_set(&e));

        sd_bus_error_set(&e, SD_BUS_ERROR_LIMITS_EXCEEDED, "too many");
        g_assert_cmpint(bus_method_result("Connect", "/", -EACCES, &e), ==, -EACCES);
        g_assert_cmpstr(e.name, ==, SD_BUS_ERROR_LIMITS_EXCEEDED);
        g_assert_cmpstr(e.message, ==, "too many");
        sd_bus_error_free(&e);

        /* A decision a handler returned unnamed still gets its name. */
        g_assert_cmpint(bus_method_result("Delete", "/x", -WAND_E_INTERFACE_CONNECTED, &e), ==,
                        -WAND_E_INTERFACE_CONNECTED);
        g_assert_cmpstr(e.name, ==, WAND_ERROR_INTERFACE_CONNECTED);
        g_assert_cmpstr(e.message, ==, "Delete() on /x failed: the interface is connected");
        sd_bus_error_free(&e);
}

/* The freedesktop names are sd-bus's own; check the ones a client tests. */
static void test_sd_bus_standard_names(void) {
        sd_bus_error e = SD_BUS_ERROR_NULL;

        g_assert_cmpint(wand_errors_register(), ==, 0);

        sd_bus_error_set_errno(&e, -EINVAL);
        g_assert_cmpstr(e.name, ==, "org.freedesktop.DBus.Error.InvalidArgs");
        sd_bus_error_free(&e);

        sd_bus_error_set_errno(&e, -EACCES);
        g_assert_cmpstr(e.name, ==, "org.freedesktop.DBus.Error.AccessDenied");
        sd_bus_error_free(&e);

        sd_bus_error_set(&e, "org.freedesktop.DBus.Error.AccessDenied", NULL);
        g_assert_cmpint(sd_bus_error_get_errno(&e), ==, EACCES);
        sd_bus_error_free(&e);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/errors/contract-names", test_contract_names);
        g_test_add_func("/errors/table-rows", test_table_rows);
        g_test_add_func("/errors/unique", test_unique);
        g_test_add_func("/errors/sd-bus-round-trip", test_sd_bus_round_trip);
        g_test_add_func("/errors/sd-bus-standard-names", test_sd_bus_standard_names);
        g_test_add_func("/errors/decisions", test_decisions);
        g_test_add_func("/errors/errno-sweep", test_errno_sweep);
        g_test_add_func("/errors/method-result-keeps-names", test_method_result_keeps_names);

        return g_test_run();
}
