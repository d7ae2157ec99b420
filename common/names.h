/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a valid interface name and device name are, and how an interface
 * name becomes its object path (the contract's "handle"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define WAND_BUS_NAME "org.wand.Router1"
#define WAND_MANAGER_PATH "/org/wand/Router1"
#define WAND_INTERFACE_PATH_PREFIX "/org/wand/Router1/interface"
#define WAND_MANAGER_INTERFACE "org.wand.Router1.Manager"
#define WAND_INTERFACE_INTERFACE "org.wand.Router1.Interface"

/* The polkit actions that depend on what is asked (org.wand.Router1(5)):
 * configure-privileged covers the root-equivalent settings (the commands
 * wand runs as root) and implies configure. */
#define WAND_ACTION_CONFIGURE "org.wand.Router1.configure"
#define WAND_ACTION_CONFIGURE_PRIVILEGED "org.wand.Router1.configure-privileged"

#define WAND_NAME_MAX 64
#define WAND_DEVICE_MAX 15 /* IFNAMSIZ - 1 */

/* 1–64 bytes of [A-Za-z0-9_.-], not starting with '.' or '-'. */
bool interface_name_is_valid(const char *name);

/* As the kernel's dev_valid_name(): 1–15 bytes, not "." or "..", no '/',
 * ':' or whitespace; and no control character, and valid UTF-8 (it is
 * published as a D-Bus string). */
bool device_name_is_valid(const char *name);

/* The length of the character that starts at s if D-Bus may carry it in a
 * string, as sd-bus checks it (UTF-8 in its shortest form, no surrogate, no
 * noncharacter, at most U+10FFFF; 1 for ASCII); 0 for NUL or a byte that
 * starts no such character. */
size_t bus_utf8_char_length(const char *s);
/* Whether s may be sent as a D-Bus string. */
bool bus_string_is_valid(const char *s);

/* "/org/wand/Router1/interface/<escaped name>"; NULL on OOM. */
char *interface_bus_path(const char *name);

/* The interface name a path under WAND_INTERFACE_PATH_PREFIX names, or NULL
 * when it names none (wrong prefix, deeper path, invalid escape, invalid
 * name). The caller frees it. */
char *interface_name_from_bus_path(const char *path);
