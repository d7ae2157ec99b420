/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error table against the contract's error table, and sd-bus's mapping
 * of wand's names to errno values in both directions. */
#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>
#include <systemd/sd-bus.h>

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

/* sd_bus_error_set_errno() never picks a name from the maps (it makes
 * "System.Error.E…" or one of sd-bus's own names): handlers name wand's
 * errors through wand_error_set(), which must give every row its name. */
static void test_wand_error_set(void) {
        g_assert_cmpint(wand_errors_register(), ==, 0);

        for (size_t i = 0; i < wand_errors_count; i++) {
                const WandErrorInfo *row = &wand_errors[i];
                sd_bus_error e = SD_BUS_ERROR_NULL;
                char message[32];

                g_snprintf(message, sizeof(message), "row %zu", i);
                g_assert_true(wand_error_from_errno(row->errno_value) == row);
                g_assert_true(wand_error_from_errno(-row->errno_value) == row);

                g_assert_cmpint(wand_error_set(&e, -row->errno_value, "row %zu", i), ==, -row->errno_value);
                g_assert_cmpstr(e.name, ==, row->name);
                g_assert_cmpstr(e.message, ==, message);
                if (is_wand_name(row->name))
                        g_assert_cmpint(sd_bus_error_get_errno(&e), ==, row->errno_value);
                sd_bus_error_free(&e);
        }

        /* Outside the table: sd-bus's own mapping, and the errno survives. */
        sd_bus_error e = SD_BUS_ERROR_NULL;
        g_assert_null(wand_error_from_errno(EXDEV));
        g_assert_cmpint(wand_error_set(&e, -EXDEV, "cross-device"), ==, -EXDEV);
        g_assert_true(sd_bus_error_is_set(&e));
        g_assert_cmpint(sd_bus_error_get_errno(&e), ==, EXDEV);
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
        g_test_add_func("/errors/wand-error-set", test_wand_error_set);

        return g_test_run();
}
