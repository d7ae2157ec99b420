/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Times, durations, colours and glyphs for wandctl's output. */
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "macro.h"

bool colors_wanted(void) {
        const char *term = getenv("TERM");

        if (!isempty(getenv("NO_COLOR")))
                return false;
        if (term && streq(term, "dumb"))
                return false;
        return isatty(STDOUT_FILENO) > 0;
}

const char *state_color(const char *state) {
        static const struct {
                const char *state, *color;
        } colors[] = {
                { "connected", ANSI_GREEN },
                { "connecting", ANSI_YELLOW },
                { "disconnecting", ANSI_YELLOW },
                { "disconnected", ANSI_GREY },
                { "unreachable", ANSI_RED },
        };

        for (size_t i = 0; state && i < ELEMENTSOF(colors); i++)
                if (streq(colors[i].state, state))
                        return colors[i].color;
        return "";
}

static bool locale_is_utf8(void) {
        static int cached = -1;

        if (cached < 0) {
                const char *set = nl_langinfo(CODESET);
                cached = set && (strcasecmp(set, "UTF-8") == 0 || strcasecmp(set, "utf8") == 0);
        }
        return cached;
}

const char *glyph_dash(void) {
        return locale_is_utf8() ? "\u2014" : "-";
}

const char *glyph_bullet(void) {
        return locale_is_utf8() ? "\u25cf" : "*";
}

uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

const char *format_timespan(char buf[static FORMAT_TIMESPAN_MAX], uint64_t usec) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "y", 31557600ULL * 1000000ULL }, /* 365.25 days, as systemd counts */
                { "month", 2629800ULL * 1000000ULL },
                { "w", 604800ULL * 1000000ULL },
                { "d", 86400ULL * 1000000ULL },
                { "h", 3600ULL * 1000000ULL },
                { "min", 60ULL * 1000000ULL },
                { "s", 1000000ULL },
        };
        size_t n = 0, shown = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(units) && shown < 2; i++) {
                uint64_t k = usec / units[i].usec;

                if (k == 0) {
                        /* "2h 5min", never "2h 0min 5s": stop at a gap. */
                        if (shown > 0)
                                break;
                        continue;
                }
                n += (size_t) snprintf(buf + n, FORMAT_TIMESPAN_MAX - n, "%s%llu%s", shown ? " " : "",
                                       (unsigned long long) k, units[i].suffix);
                usec -= k * units[i].usec;
                shown++;
        }
        if (shown == 0)
                snprintf(buf, FORMAT_TIMESPAN_MAX, "%llums", (unsigned long long) (usec / 1000));
        return buf;
}

static struct tm *local_tm(uint64_t usec, struct tm *tm) {
        time_t t = (time_t) (usec / 1000000ULL);
        return localtime_r(&t, tm);
}

const char *format_timestamp(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec) {
        struct tm tm;

        if (!local_tm(usec, &tm) || strftime(buf, FORMAT_TIMESTAMP_MAX, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(buf, FORMAT_TIMESTAMP_MAX, "@%llu", (unsigned long long) (usec / 1000000ULL));
        return buf;
}

const char *format_timestamp_ms(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec) {
        struct tm tm;
        size_t n;

        if (!local_tm(usec, &tm) || (n = strftime(buf, FORMAT_TIMESTAMP_MAX, "%Y-%m-%d %H:%M:%S", &tm)) == 0) {
                snprintf(buf, FORMAT_TIMESTAMP_MAX, "@%llu", (unsigned long long) (usec / 1000000ULL));
                return buf;
        }
        snprintf(buf + n, FORMAT_TIMESTAMP_MAX - n, ".%03llu", (unsigned long long) (usec / 1000ULL % 1000ULL));
        return buf;
}

const char *format_timestamp_iso(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec) {
        char zone[8];
        struct tm tm;
        size_t n;

        if (!local_tm(usec, &tm) || (n = strftime(buf, FORMAT_TIMESTAMP_MAX, "%Y-%m-%dT%H:%M:%S", &tm)) == 0 ||
            strftime(zone, sizeof zone, "%z", &tm) != 5) {
                snprintf(buf, FORMAT_TIMESTAMP_MAX, "@%llu", (unsigned long long) (usec / 1000000ULL));
                return buf;
        }
        /* RFC 3339 wants "+02:00" where strftime gives "+0200". */
        snprintf(buf + n, FORMAT_TIMESTAMP_MAX - n, ".%06llu%.3s:%s", (unsigned long long) (usec % 1000000ULL), zone,
                 zone + 3);
        return buf;
}
