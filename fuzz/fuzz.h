/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every fuzz target shares: the libFuzzer entry point, a reader that
 * takes typed values off the input, and a check that aborts with a message
 * (an abort is what libFuzzer and the replay driver report as a finding). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

typedef struct sd_bus sd_bus;
typedef struct Settings Settings;

/* fuzz-util.c: a bus object that can build messages (never connected), a
 * scratch directory removed at exit, and the check that settings survive
 * being written to a file and read back. */
sd_bus *fuzz_bus(void);
const char *fuzz_scratch_dir(void);
void fuzz_assert_round_trip(const Settings *s);

#define fuzz_assert(cond, ...)                                                            \
        do {                                                                              \
                if (!(cond)) {                                                            \
                        fprintf(stderr, "%s:%d: fuzz property violated: %s: ", __FILE__,  \
                                __LINE__, #cond);                                         \
                        fprintf(stderr, __VA_ARGS__);                                     \
                        fputc('\n', stderr);                                              \
                        abort();                                                          \
                }                                                                         \
        } while (0)

/* Takes values off the front of the input; past its end everything is 0 or
 * empty, so a short input is still a valid (small) program. */
typedef struct FuzzInput {
        const uint8_t *data;
        size_t size;
} FuzzInput;

static inline uint8_t fuzz_u8(FuzzInput *in) {
        uint8_t b;

        if (in->size == 0)
                return 0;
        b = in->data[0];
        in->data++;
        in->size--;
        return b;
}

static inline uint32_t fuzz_u32(FuzzInput *in) {
        uint32_t v = 0;

        for (int k = 0; k < 4; k++)
                v = (v << 8) | fuzz_u8(in);
        return v;
}

static inline bool fuzz_done(const FuzzInput *in) {
        return in->size == 0;
}

/* A NUL-terminated copy of the next bytes up to a 0xff byte or max bytes;
 * embedded NULs end the string early, as they would in C. The caller frees. */
static inline char *fuzz_string(FuzzInput *in, size_t max) {
        size_t n = 0;
        char *s;

        while (n < in->size && n < max && in->data[n] != 0xff)
                n++;
        s = malloc(n + 1);
        if (!s)
                abort();
        memcpy(s, in->data, n);
        s[n] = 0;
        in->data += n;
        in->size -= n;
        if (in->size > 0 && in->data[0] == 0xff) {
                in->data++;
                in->size--;
        }
        return s;
}

/* The whole input as a NUL-terminated string (cut at its first NUL). */
static inline char *fuzz_cstring(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}
