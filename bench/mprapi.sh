#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cost of libmprapi's MprAdminInterfaceDisconnect() over the raw D-Bus
# Disconnect() (bench/src/bench-mprapi.c), against the real wand on a
# private bus in a private network namespace (tests/wandctl/lib.sh's, so
# nothing on the host changes). Run by `meson test --benchmark mprapi-disconnect`
# (root); prints one JSON line, which bench/results/mprapi.md records.
set -uo pipefail
: "${BENCH_MPRAPI:?}"
. "$(dirname "$(readlink -f "$0")")/../tests/wandctl/lib.sh"
wt_setup "$@"
"$BENCH_MPRAPI" "${BENCH_ROUNDS:-300}" || wt_fail "bench-mprapi failed"
wt_finish
