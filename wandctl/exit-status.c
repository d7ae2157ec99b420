/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The contract's errors as a person reads them, and wandctl's exit statuses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exit-status.h"
#include "format.h"
#include "macro.h"
#include "wand-errors.h"

const ErrorText error_texts[] = {
        { "org.freedesktop.DBus.Error.AccessDenied", EXIT_NOT_AUTHORIZED, "access denied",
          "not authorized",
          "run as root, or ask an administrator for the {action} polkit action", true },
        { "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", EXIT_NOT_AUTHORIZED, "authentication required",
          "an administrator's authentication is required",
          "run wandctl on a terminal without --no-ask-password, or as root, or ask an administrator for the "
          "{action} polkit action", false },
        { WAND_ERROR_DEMAND_DIAL_MANAGER_NOT_RUNNING, EXIT_DDM_STOPPED, "demand-dial manager stopped",
          "the demand-dial manager is stopped",
          "run '{wandctl} manager start'", false },
        { WAND_ERROR_INVALID_HANDLE, EXIT_NO_SUCH_INTERFACE, "invalid handle",
          "{iface} does not exist (any more)",
          "'{wandctl} list' shows the interfaces", false },
        { WAND_ERROR_NO_SUCH_INTERFACE, EXIT_NO_SUCH_INTERFACE, "no such interface",
          "there is no WAN interface called {iface}",
          "'{wandctl} list' shows the interfaces", false },
        { WAND_ERROR_INTERFACE_NOT_CONNECTED, EXIT_STATE_CONFLICT, "not connected",
          "{iface} is not connected",
          NULL, false },
        { WAND_ERROR_INTERFACE_ALREADY_EXISTS, EXIT_STATE_CONFLICT, "interface already exists",
          "an interface called {iface} already exists",
          "choose another name, or run '{wandctl} delete {iface}' first", false },
        { WAND_ERROR_INTERFACE_CONNECTED, EXIT_STATE_CONFLICT, "interface connected",
          "{iface} is connected",
          "run '{wandctl} disconnect {iface}' first", false },
        { WAND_ERROR_ALREADY_CONNECTED, EXIT_STATE_CONFLICT, "already connected",
          "{iface} is already connected",
          NULL, false },
        { WAND_ERROR_INTERFACE_DISABLED, EXIT_STATE_CONFLICT, "interface disabled",
          "{iface} is disabled",
          "run '{wandctl} enable {iface}' first", false },
        { WAND_ERROR_INTERFACE_UNREACHABLE, EXIT_STATE_CONFLICT, "interface unreachable",
          "{iface} is unreachable",
          "'{wandctl} status {iface}' says why", true },
        { WAND_ERROR_CONNECTION_FAILED, EXIT_CONNECTION_FAILED, "connection failed",
          "the connection attempt failed",
          "'{wandctl} status {iface}' shows the interface, the service's log says more", true },
        { "org.freedesktop.DBus.Error.InvalidArgs", EXIT_USAGE, "invalid arguments",
          "the service refused the arguments",
          "see '{wandctl} --help'", true },
        /* Not the contract's: what the bus says when wand is not there. */
        { "org.freedesktop.DBus.Error.ServiceUnknown", EXIT_NOT_RUNNING, "service not running",
          "the wand service is not running{where}",
          "start it with 'systemctl start wand'", false },
        { "org.freedesktop.DBus.Error.NameHasNoOwner", EXIT_NOT_RUNNING, "service not running",
          "the wand service is not running{where}",
          "start it with 'systemctl start wand'", false },
        { "org.freedesktop.DBus.Error.NoReply", EXIT_TIMEOUT, "no reply",
          "the service did not answer in time",
          "try a longer --timeout", false },
        { "org.freedesktop.DBus.Error.Timeout", EXIT_TIMEOUT, "timed out",
          "the operation timed out",
          NULL, true },
};
const size_t error_texts_count = ELEMENTSOF(error_texts);

const ErrorText *error_text_lookup(const char *name) {
        if (!name)
                return NULL;
        for (size_t i = 0; i < error_texts_count; i++)
                if (streq(error_texts[i].name, name))
                        return &error_texts[i];
        return NULL;
}

typedef struct Placeholders {
        const char *iface;
        const char *action;
        const char *host;
} Placeholders;

/* The template with its placeholders filled in. A placeholder without a
 * value makes it NULL when strict (a hint that would name nothing is better
 * left out), and is said in general words otherwise. NULL on OOM too. */
static char *expand(const char *tmpl, const Placeholders *p, bool strict) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        bool complete = true;
        FILE *f;

        f = open_memstream(&text, &size);
        if (!f)
                return NULL;
        for (const char *s = tmpl; *s; s++) {
                const char *end = *s == '{' ? strchr(s, '}') : NULL;
                size_t len;

                if (!end) {
                        fputc(*s, f);
                        continue;
                }
                len = (size_t) (end - s + 1);
                if (strncmp(s, "{iface}", len) == 0) {
                        complete = complete && p->iface;
                        fputs(p->iface ?: "the interface", f);
                } else if (strncmp(s, "{action}", len) == 0) {
                        complete = complete && p->action;
                        fputs(p->action ?: "the polkit action", f);
                } else if (strncmp(s, "{wandctl}", len) == 0)
                        fprintf(f, "wandctl%s%s", p->host ? " -H " : "", strempty(p->host));
                else if (strncmp(s, "{where}", len) == 0)
                        fprintf(f, "%s%s", p->host ? " on " : "", strempty(p->host));
                else
                        fwrite(s, 1, len, f);
                s = end;
        }
        if (fclose(f) != 0 || (strict && !complete))
                return NULL;
        return TAKE_PTR(text);
}

/* "Cannot connect wan0: " */
static void print_cannot(const Operation *op, const char *iface) {
        fprintf(stderr, "Cannot %s%s%s: ", op->verb, iface ? " " : "", strempty(iface));
}

/* A failure of the transport, not an answer from the service. */
static int report_connection_error(const Context *c, const Operation *op, const char *iface, int r) {
        print_cannot(op, iface);
        fprintf(stderr, "the connection to the system bus%s%s failed (%s)", c->host ? " of " : "", strempty(c->host),
                strerror(r < 0 ? -r : r));
        if (c->host)
                fprintf(stderr, " %s check that 'ssh %s systemd-stdio-bridge' works", glyph_dash(), c->host);
        fputs(".\n", stderr);
        return EXIT_NOT_RUNNING;
}

int error_report(Context *c, const Operation *op, const char *iface, const sd_bus_error *e, int r) {
        const Placeholders p = { iface, op->polkit_action, c->host };
        const ErrorText *t;
        _cleanup_free_ char *reason = NULL, *hint = NULL;

        /* sd-bus words a lost connection as an error too (System.Error.ENOTCONN):
         * what tells it apart from an answer is that the bus is closed. */
        if (c->bus && sd_bus_is_open(c->bus) <= 0)
                return report_connection_error(c, op, iface, r);
        if (!sd_bus_error_is_set(e)) {
                print_cannot(op, iface);
                fprintf(stderr, "%s.\n", strerror(r < 0 ? -r : r));
                return EXIT_GENERIC;
        }

        /* Asked for what holds already: done, as `systemctl start` of a
         * running unit is. */
        if (op->already_done && op->already_done(c, iface, e))
                return EXIT_OK;

        t = error_text_lookup(e->name);
        /* sd-bus reports a reply that did not come in time as Timeout with
         * strerror()'s text; wand's own Timeout errors say what timed out. */
        if (r == -ETIMEDOUT && sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT) && streq_ptr(e->message, strerror(ETIMEDOUT)))
                t = error_text_lookup(SD_BUS_ERROR_NO_REPLY);
        if (!t) {
                /* Not one we know: say what the service said, by name too. */
                print_cannot(op, iface);
                fprintf(stderr, "%s (%s).\n", e->message ?: "failed", e->name);
                return EXIT_GENERIC;
        }

        reason = expand(t->reason, &p, false);
        if (!reason)
                return fail(EXIT_GENERIC, "out of memory");
        if (t->hint)
                hint = expand(t->hint, &p, true);

        print_cannot(op, iface);
        fputs(reason, stderr);
        if (hint)
                fprintf(stderr, " %s %s", glyph_dash(), hint);
        fputs(".\n", stderr);
        if (t->show_detail && !isempty(e->message))
                fprintf(stderr, "  wand says: %s\n", e->message);
        return t->status;
}

int fail(int status, const char *format, ...) {
        va_list ap;

        fputs("wandctl: ", stderr);
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputc('\n', stderr);
        return status;
}
