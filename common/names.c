/* Validation of the names the contract admits, and the object path mapping. */
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
                /* The kernel refuses '/', ':' and isspace(); control
                 * characters are refused too: they have no place in logs. */
                if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
                        return false;
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
