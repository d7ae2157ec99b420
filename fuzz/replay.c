/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A main() for the fuzz targets without libFuzzer: runs the target once on
 * each file named (directories: on each file in them), so that the seed
 * corpus and every input a fuzzer once found run as regression tests with
 * any compiler. Prints TAP; a violated property aborts, as under libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static unsigned n_run;

static void run_file(const char *path) {
        FILE *f = fopen(path, "rb");
        uint8_t *buf = NULL;
        size_t size = 0, allocated = 0, k;

        if (!f) {
                printf("Bail out! %s: %s\n", path, strerror(errno));
                exit(1);
        }
        do {
                if (size == allocated) {
                        allocated = allocated ? allocated * 2 : 4096;
                        buf = realloc(buf, allocated);
                        if (!buf)
                                abort();
                }
                k = fread(buf + size, 1, allocated - size, f);
                size += k;
        } while (k > 0);
        fclose(f);

        /* Said before, so that an abort names the input. */
        fprintf(stderr, "running %s (%zu bytes)\n", path, size);
        LLVMFuzzerTestOneInput(buf, size);
        free(buf);
        printf("ok %u - %s\n", ++n_run, path);
        fflush(stdout);
}

static int compare(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void run_path(const char *path) {
        struct stat st;
        struct dirent *de;
        char **names = NULL;
        size_t n = 0;
        DIR *d;

        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
                run_file(path);
                return;
        }
        d = opendir(path);
        if (!d) {
                printf("Bail out! %s: %s\n", path, strerror(errno));
                exit(1);
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                names = realloc(names, (n + 1) * sizeof(char *));
                if (!names || asprintf(&names[n], "%s/%s", path, de->d_name) < 0)
                        abort();
                n++;
        }
        closedir(d);
        qsort(names, n, sizeof(char *), compare);
        for (size_t k = 0; k < n; k++) {
                run_path(names[k]);
                free(names[k]);
        }
        free(names);
}

int main(int argc, char *argv[]) {
        if (LLVMFuzzerInitialize)
                LLVMFuzzerInitialize(&argc, &argv);
        for (int k = 1; k < argc; k++)
                run_path(argv[k]);
        if (n_run == 0) {
                printf("Bail out! no input to run\n");
                return 1;
        }
        printf("1..%u\n", n_run);
        return 0;
}
