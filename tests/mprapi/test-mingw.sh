#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The examples are Windows source: they build with mingw-w64 against the
# real Windows headers and import library, with warnings as errors.
# Skipped (77) when x86_64-w64-mingw32-gcc is not installed (Debian:
# gcc-mingw-w64-x86-64, mingw-w64-x86-64-dev; tests/install-deps.sh).
set -euo pipefail
dir=$1
cc=$(command -v x86_64-w64-mingw32-gcc || true)
if [ -z "$cc" ]; then
        echo "SKIP: x86_64-w64-mingw32-gcc is not installed"
        exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for src in "$dir"/*.c; do
        exe=$out/$(basename "$src" .c).exe
        "$cc" -std=c11 -Wall -Wextra -Werror -o "$exe" "$src" -lmprapi
        # A PE32+ executable that imports its functions from mprapi.dll.
        head -c 2 "$exe" | grep -q MZ || { echo "FAIL: $exe is not a Windows executable"; exit 1; }
        grep -aqi 'mprapi.dll' "$exe" || { echo "FAIL: $exe does not import mprapi.dll"; exit 1; }
        echo "ok: $(basename "$src") builds with $cc against mprapi.h from mingw-w64"
done
