/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: CreateInterface's settings dictionary (a{sv} → Settings).
 * The input is a little program that builds the message body: known and
 * unknown keys, values of the right type or of any other (nested arrays,
 * structs, variants), so that most inputs reach the code past the type
 * checks. Whatever settings_from_bus_message() accepts must be settings
 * wand can verify, save and read back the same; whatever it refuses must be
 * refused with InvalidArgs. */
#include <errno.h>
#include <systemd/sd-bus.h>

#include "fuzz.h"
#include "settings-bus.h"
#include "settings.h"

#define MAX_DEPTH 6

static const char *const known_keys[] = {
        "Device",         "ConnectCommand",      "DisconnectCommand",    "Enabled",
        "Persistent",     "ConnectTimeoutSec",   "DisconnectTimeoutSec", "RedialIntervalSec",
        "RedialMaxIntervalSec", "RedialAttempts", "ClaimDevice", "device", "",
};
static const char *const key_types[] = { "s", "as", "as", "b", "b", "u", "u", "u", "u", "u" };

/* Appends a single complete type to sig (of SIG_MAX bytes). Nesting stops
 * at SIG_NEST bytes; what closes the open containers then fits in the rest
 * (at most 2 bytes per level). */
#define SIG_MAX 128
#define SIG_NEST 48
static void make_type(FuzzInput *in, int depth, char *sig, size_t *n) {
        static const char basic[] = "ybnqiuxtdsog";
        uint8_t c = fuzz_u8(in);

        if (depth >= MAX_DEPTH || c < 160 || *n >= SIG_NEST) {
                sig[(*n)++] = basic[c % (sizeof basic - 1)];
                return;
        }
        switch (c % 4) {
        case 0:
                sig[(*n)++] = 'a';
                make_type(in, depth + 1, sig, n);
                break;
        case 1:
                sig[(*n)++] = 'v';
                break;
        case 2:
                sig[(*n)++] = '(';
                make_type(in, depth + 1, sig, n);
                if (fuzz_u8(in) & 1)
                        make_type(in, depth + 1, sig, n);
                sig[(*n)++] = ')';
                break;
        default:
                sig[(*n)++] = 'a';
                sig[(*n)++] = '{';
                sig[(*n)++] = basic[fuzz_u8(in) % (sizeof basic - 1)];
                make_type(in, depth + 1, sig, n);
                sig[(*n)++] = '}';
                break;
        }
}

/* Length of the single complete type at the start of sig. */
static size_t type_length(const char *sig) {
        size_t n = 1, depth = 0;

        if (sig[0] == 'a')
                return 1 + type_length(sig + 1);
        if (sig[0] != '(' && sig[0] != '{')
                return 1;
        for (n = 0;; n++) {
                if (sig[n] == '(' || sig[n] == '{')
                        depth++;
                else if (sig[n] == ')' || sig[n] == '}')
                        if (--depth == 0)
                                return n + 1;
        }
}

static int append_value(sd_bus_message *m, FuzzInput *in, const char *sig, int depth);

static int append_string(sd_bus_message *m, FuzzInput *in, char type) {
        char *s = fuzz_string(in, 256);
        int r;

        if (type == 'o' && !sd_bus_object_path_is_valid(s)) {
                free(s);
                s = strdup("/org/wand/Router1");
        } else if (type == 'g') {
                free(s);
                s = strdup("a{sv}");
        }
        r = sd_bus_message_append_basic(m, type, s);
        free(s);
        return r;
}

static int append_value(sd_bus_message *m, FuzzInput *in, const char *sig, int depth) {
        size_t len = type_length(sig);
        char contents[SIG_MAX];
        int r;

        switch (sig[0]) {
        case 's':
        case 'o':
        case 'g':
                return append_string(m, in, sig[0]);
        case 'y':
        case 'b':
        case 'n':
        case 'q':
        case 'i':
        case 'u':
        case 'x':
        case 't':
        case 'd': {
                uint64_t v = ((uint64_t) fuzz_u32(in) << 32) | fuzz_u32(in);
                if (sig[0] == 'b') {
                        int b = (int) (v & 1);
                        return sd_bus_message_append_basic(m, 'b', &b);
                }
                if (sig[0] == 'd') {
                        double d = (double) v;
                        return sd_bus_message_append_basic(m, 'd', &d);
                }
                /* Little-endian: the low bytes serve the narrower types. */
                return sd_bus_message_append_basic(m, sig[0], &v);
        }
        case 'a': {
                size_t elen = type_length(sig + 1);
                unsigned n = fuzz_u8(in) % 6;

                if (n == 5)
                        n = fuzz_u8(in) * 4u; /* now and then a long one */
                if (elen >= sizeof contents)
                        return -E2BIG;
                memcpy(contents, sig + 1, elen);
                contents[elen] = 0;
                r = sd_bus_message_open_container(m, 'a', contents);
                for (unsigned k = 0; r >= 0 && k < n && !fuzz_done(in); k++)
                        r = append_value(m, in, contents, depth + 1);
                return r < 0 ? r : sd_bus_message_close_container(m);
        }
        case 'v': {
                size_t n = 0;

                make_type(in, depth + 1, contents, &n);
                contents[n] = 0;
                r = sd_bus_message_open_container(m, 'v', contents);
                if (r >= 0)
                        r = append_value(m, in, contents, depth + 1);
                return r < 0 ? r : sd_bus_message_close_container(m);
        }
        case '(':
        case '{':
                if (len - 2 >= sizeof contents)
                        return -E2BIG;
                memcpy(contents, sig + 1, len - 2);
                contents[len - 2] = 0;
                r = sd_bus_message_open_container(m, sig[0] == '(' ? 'r' : 'e', contents);
                for (const char *p = contents; r >= 0 && *p; p += type_length(p))
                        r = append_value(m, in, p, depth + 1);
                return r < 0 ? r : sd_bus_message_close_container(m);
        default:
                return -EINVAL;
        }
}

static int append_settings(sd_bus_message *m, FuzzInput *in) {
        unsigned n = fuzz_u8(in) % 16;
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        for (unsigned k = 0; r >= 0 && k < n; k++) {
                uint8_t pick = fuzz_u8(in), typed = fuzz_u8(in);
                size_t which = pick % (sizeof known_keys / sizeof known_keys[0]);
                char sig[SIG_MAX];
                size_t len = 0;
                char *key;

                key = pick < 224 ? strdup(known_keys[which]) : fuzz_string(in, 64);
                if (!key)
                        abort();
                if (typed < 192 && which < sizeof key_types / sizeof key_types[0] && pick < 224)
                        strcpy(sig, key_types[which]);
                else {
                        make_type(in, 0, sig, &len);
                        sig[len] = 0;
                }
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append_basic(m, 's', key);
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'v', sig);
                if (r >= 0)
                        r = append_value(m, in, sig, 1);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                free(key);
        }
        return r < 0 ? r : sd_bus_message_close_container(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzInput in = { data, size };
        sd_bus_message *m = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *name, *action = NULL;
        Settings s;
        int r;

        if (size > 16 * 1024)
                return 0;
        r = sd_bus_message_new_method_call(fuzz_bus(), &m, "org.wand.Router1", "/org/wand/Router1",
                                           "org.wand.Router1.Manager", "CreateInterface");
        fuzz_assert(r >= 0, "cannot make a message: %s", strerror(-r));
        /* The vtable lets only (sa{sv}) through to the handler. */
        r = sd_bus_message_append_basic(m, 's', "wan0");
        if (r >= 0)
                r = append_settings(m, &in);
        if (r < 0 || sd_bus_message_seal(m, 1, 0) < 0) {
                /* Not a message (invalid UTF-8, too deep): the bus never
                 * delivers those. */
                sd_bus_message_unref(m);
                return 0;
        }

        r = sd_bus_message_read(m, "s", &name);
        fuzz_assert(r > 0, "cannot read back the name");
        settings_init(&s);
        r = settings_from_bus_message(m, &s, &action, &error);
        if (r >= 0) {
                const char *problem = NULL;

                fuzz_assert(!sd_bus_error_is_set(&error), "success with an error: %s", error.name);
                /* A command is root-equivalent: never under configure alone. */
                fuzz_assert(!strcmp(action, s.connect_command || s.disconnect_command
                                                  ? WAND_ACTION_CONFIGURE_PRIVILEGED
                                                  : WAND_ACTION_CONFIGURE),
                            "CreateInterface with%s a command asks %s", s.connect_command || s.disconnect_command ? "" : "out", action);
                fuzz_assert(settings_verify(&s, &problem) == 0,
                            "CreateInterface accepted settings that do not verify (%s): the caller gets Failed, "
                            "not InvalidArgs, and nothing is saved",
                            problem);
                fuzz_assert_round_trip(&s);
        } else
                fuzz_assert(r == -ENOMEM || sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS),
                            "refused with %s (%d), not InvalidArgs", error.name ? error.name : "no error", r);
        settings_done(&s);
        sd_bus_error_free(&error);
        sd_bus_message_unref(m);
        return 0;
}
