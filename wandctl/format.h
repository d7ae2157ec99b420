/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How wandctl writes times, durations and colours for people. The buffers
 * are the caller's, so that nothing here needs freeing. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define ANSI_NORMAL "\x1b[0m"
#define ANSI_BOLD "\x1b[1m"
#define ANSI_RED "\x1b[0;31m"
#define ANSI_GREEN "\x1b[0;32m"
#define ANSI_YELLOW "\x1b[0;33m"
#define ANSI_GREY "\x1b[0;90m"

#define FORMAT_TIMESPAN_MAX 32
#define FORMAT_TIMESTAMP_MAX 64

/* Colour on stdout: only on a terminal that is not "dumb", and never when
 * NO_COLOR is set (https://no-color.org). */
bool colors_wanted(void);

/* The escape sequence for a State value; "" for an unknown one. */
const char *state_color(const char *state);

/* "—" and "●" where the locale can show them, "-" and "*" elsewhere. */
const char *glyph_dash(void);
const char *glyph_bullet(void);

uint64_t now_usec(void); /* CLOCK_REALTIME */

/* "3min 12s", "2h 5min", "4d 1h": the two largest units. */
const char *format_timespan(char buf[static FORMAT_TIMESPAN_MAX], uint64_t usec);

/* "Sat 2025-06-01 12:00:00 UTC", local time. */
const char *format_timestamp(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec);

/* "2025-06-01 12:00:00.123", local time: monitor's lines. */
const char *format_timestamp_ms(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec);

/* "2025-06-01T12:00:00.123456+02:00": monitor's JSON. */
const char *format_timestamp_iso(char buf[static FORMAT_TIMESTAMP_MAX], uint64_t usec);
