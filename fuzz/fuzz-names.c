/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: interface and device name validation against references
 * written from the contract's words, and the handle (object path) mapping:
 * every valid name has a valid path that maps back to it, and every path
 * that maps to a name is exactly that name's path. A valid device name must
 * also be one wand can publish (the Device property is a D-Bus string). */
#include <systemd/sd-bus.h>

#include "fuzz.h"
#include "names.h"

/* "1–64 bytes of [A-Za-z0-9_.-], not starting with . or -" */
static bool reference_interface_name(const char *s) {
        size_t n = strlen(s);

        if (n < 1 || n > 64 || s[0] == '.' || s[0] == '-')
                return false;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* The kernel's dev_valid_name(): what wand may accept at most. */
static bool kernel_device_name(const char *s) {
        size_t n = strlen(s);

        if (n < 1 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (size_t k = 0; k < n; k++)
                if (s[k] == '/' || s[k] == ':' || s[k] == ' ' || (s[k] >= '\t' && s[k] <= '\r'))
                        return false;
        return true;
}

/* What wand must accept at least: kernel-valid printable ASCII. */
static bool plain_device_name(const char *s) {
        for (const char *p = s; *p; p++)
                if (*p <= ' ' || *p >= 0x7f)
                        return false;
        return kernel_device_name(s);
}

static bool fits_on_bus(const char *s) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_signal(fuzz_bus(), &m, "/a", "a.b", "C");
        fuzz_assert(r >= 0, "cannot make a message: %s", strerror(-r));
        r = sd_bus_message_append(m, "s", s);
        sd_bus_message_unref(m);
        return r >= 0;
}

static void check_device(const char *s) {
        bool valid = device_name_is_valid(s);

        fuzz_assert(!valid || kernel_device_name(s), "device_name_is_valid(\"%s\"), but the kernel refuses it", s);
        fuzz_assert(valid || !plain_device_name(s), "device_name_is_valid(\"%s\") refuses a plain name", s);
        fuzz_assert(!valid || fits_on_bus(s),
                    "device_name_is_valid(\"%s\"), but it is no D-Bus string: its Device property cannot be read", s);
}

static void check_name(const char *s) {
        bool valid = interface_name_is_valid(s);
        char *path, *back;

        fuzz_assert(valid == reference_interface_name(s), "interface_name_is_valid(\"%s\") = %d", s, valid);
        check_device(s);
        if (!valid)
                return;

        path = interface_bus_path(s);
        fuzz_assert(path, "no path for \"%s\"", s);
        fuzz_assert(sd_bus_object_path_is_valid(path), "\"%s\" is not an object path", path);
        fuzz_assert(strncmp(path, WAND_INTERFACE_PATH_PREFIX "/", strlen(WAND_INTERFACE_PATH_PREFIX "/")) == 0,
                    "\"%s\" is not under the prefix", path);
        fuzz_assert(!strchr(path + strlen(WAND_INTERFACE_PATH_PREFIX "/"), '/'), "\"%s\" is deeper than one label",
                    path);
        back = interface_name_from_bus_path(path);
        fuzz_assert(back && strcmp(back, s) == 0, "\"%s\" → \"%s\" → \"%s\"", s, path, back ? back : "(null)");
        free(back);
        free(path);
}

static void check_path(const char *path) {
        char *name = interface_name_from_bus_path(path), *again;

        if (!name)
                return;
        fuzz_assert(interface_name_is_valid(name), "\"%s\" names the invalid \"%s\"", path, name);
        again = interface_bus_path(name);
        fuzz_assert(again && strcmp(again, path) == 0, "\"%s\" names \"%s\", whose path is \"%s\"", path, name,
                    again ? again : "(null)");
        free(again);
        free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s, *under;

        if (size > 4096)
                return 0;
        s = fuzz_cstring(data, size);
        check_name(s);
        check_path(s);
        /* Most random strings are not under the prefix: try them there too. */
        under = malloc(strlen(WAND_INTERFACE_PATH_PREFIX "/") + strlen(s) + 1);
        fuzz_assert(under, "out of memory");
        strcpy(under, WAND_INTERFACE_PATH_PREFIX "/");
        strcat(under, s);
        check_path(under);
        free(under);
        free(s);
        return 0;
}
