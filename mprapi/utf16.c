/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-16 (WCHAR, as Win32 has it) to and from the UTF-8 of D-Bus strings. */
#include <stdlib.h>
#include <string.h>

#include "mprapi-private.h"

DWORD mpr_utf16_to_utf8(LPCWSTR s, size_t max_units, char **ret) {
        size_t n = 0, k = 0;
        char *out;

        while (s[n]) {
                if (n >= max_units)
                        return ERROR_INVALID_PARAMETER;
                n++;
        }
        out = malloc(n * 3 + 1); /* a unit is at most 3 bytes; a pair 4 for 2 */
        if (!out)
                return ERROR_NOT_ENOUGH_MEMORY;
        for (size_t i = 0; i < n; i++) {
                uint32_t c = s[i];

                if (c >= 0xd800 && c <= 0xdbff) {
                        if (i + 1 >= n || s[i + 1] < 0xdc00 || s[i + 1] > 0xdfff)
                                goto invalid;
                        c = 0x10000 + ((c - 0xd800) << 10) + (s[++i] - 0xdc00);
                } else if (c >= 0xdc00 && c <= 0xdfff)
                        goto invalid;

                if (c < 0x80)
                        out[k++] = (char) c;
                else if (c < 0x800) {
                        out[k++] = (char) (0xc0 | (c >> 6));
                        out[k++] = (char) (0x80 | (c & 0x3f));
                } else if (c < 0x10000) {
                        out[k++] = (char) (0xe0 | (c >> 12));
                        out[k++] = (char) (0x80 | ((c >> 6) & 0x3f));
                        out[k++] = (char) (0x80 | (c & 0x3f));
                } else {
                        out[k++] = (char) (0xf0 | (c >> 18));
                        out[k++] = (char) (0x80 | ((c >> 12) & 0x3f));
                        out[k++] = (char) (0x80 | ((c >> 6) & 0x3f));
                        out[k++] = (char) (0x80 | (c & 0x3f));
                }
        }
        out[k] = 0;
        *ret = out;
        return NO_ERROR;
invalid:
        free(out);
        return ERROR_INVALID_PARAMETER;
}

/* One code point from UTF-8, advancing *p; -1 when malformed. */
static int32_t utf8_next(const unsigned char **p) {
        const unsigned char *s = *p;
        uint32_t c;
        int len;

        if (s[0] < 0x80) {
                *p = s + 1;
                return s[0];
        }
        if ((s[0] & 0xe0) == 0xc0)
                c = s[0] & 0x1f, len = 2;
        else if ((s[0] & 0xf0) == 0xe0)
                c = s[0] & 0x0f, len = 3;
        else if ((s[0] & 0xf8) == 0xf0)
                c = s[0] & 0x07, len = 4;
        else
                return -1;
        for (int i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return -1;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || (len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
            (len == 4 && c < 0x10000))
                return -1;
        *p = s + len;
        return (int32_t) c;
}

bool mpr_utf8_to_utf16(const char *s, WCHAR *buf, size_t n) {
        const unsigned char *p = (const unsigned char *) s;
        size_t k = 0;

        while (*p) {
                int32_t c = utf8_next(&p);

                if (c < 0)
                        return false;
                if (c >= 0x10000) {
                        if (k + 2 >= n)
                                return false;
                        buf[k++] = (WCHAR) (0xd800 + ((c - 0x10000) >> 10));
                        buf[k++] = (WCHAR) (0xdc00 + ((c - 0x10000) & 0x3ff));
                } else {
                        if (k + 1 >= n)
                                return false;
                        buf[k++] = (WCHAR) c;
                }
        }
        if (k >= n)
                return false;
        buf[k] = 0;
        return true;
}

WCHAR *mpr_utf16_dup(const char *s) {
        size_t n = strlen(s) + 1; /* UTF-16 never needs more units than UTF-8 bytes */
        WCHAR *w = malloc(n * sizeof(WCHAR));

        if (w && !mpr_utf8_to_utf16(s, w, n)) {
                free(w);
                return NULL;
        }
        return w;
}
