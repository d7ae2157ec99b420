/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validation of the names the contract admits, and the object path mapping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "names.h"

bool interface_name_is_valid(const char *name) {
        size_t n;

        if (!name)
                return false;
        n = strlen(name);
        if (n < 1 || n > WAND_NAME_MAX)
                return false;
        if (name[0] == '.' || name[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-'))
                        return false;
        }
        return true;
}

size_t bus_utf8_char_length(const char *str) {
        const unsigned char *s = (const unsigned char *) str;
        uint32_t c;
        size_t n;

        if (s[0] > 0 && s[0] < 0x80)
                return 1;
        if (s[0] < 0xc2 || s[0] > 0xf4)
                return 0; /* NUL; 0x80-0xc1 and 0xf5-0xff never start one */
        n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
        c = s[0] & (0x7f >> n);
        for (size_t k = 1; k < n; k++) {
                if ((s[k] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[k] & 0x3f);
        }
        if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff)
                return 0; /* overlong or beyond Unicode */
        if ((c >= 0xd800 && c <= 0xdfff) || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
                return 0; /* surrogate or noncharacter */
        return n;
}

bool bus_string_is_valid(const char *s) {
        for (size_t k; *s; s += k)
                if ((k = bus_utf8_char_length(s)) == 0)
                        return false;
        return true;
}

bool device_name_is_valid(const char *name) {
        size_t n;

        if (!name)
                return false;
        n = strlen(name);
        if (n < 1 || n > WAND_DEVICE_MAX)
                return false;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) name[i];
                size_t k;

                /* The kernel refuses '/', ':' and isspace(); control
                 * characters are refused too: they have no place in logs. */
                if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
                        return false;
                if (c < 0x80)
                        continue;
                /* The kernel takes any other byte, but wand publishes the
                 * name as a D-Bus string (the Device property, polkit's
                 * details), which must be UTF-8. */
                k = bus_utf8_char_length(name + i);
                if (k == 0)
                        return false;
                if (c == 0xc2 && (unsigned char) name[i + 1] < 0xa0)
                        return false; /* a C1 control: no place in logs either */
                i += k - 1;
        }
        return true;
}

char *interface_bus_path(const char *name) {
        char *p = NULL;

        if (sd_bus_path_encode(WAND_INTERFACE_PATH_PREFIX, name, &p) < 0)
                return NULL;
        return p;
}

char *interface_name_from_bus_path(const char *path) {
        char *name = NULL, *canonical = NULL;

        if (sd_bus_path_decode(path, WAND_INTERFACE_PATH_PREFIX, &name) <= 0)
                return NULL;
        /* sd_bus_path_decode() is lenient ("_zz", "a_00b" → "a", "wan_30"):
         * a handle is valid only in the one spelling we hand out. */
        if (!interface_name_is_valid(name) || !(canonical = interface_bus_path(name)) || strcmp(canonical, path) != 0) {
                free(name);
                free(canonical);
                return NULL;
        }
        free(canonical);
        return name;
}
