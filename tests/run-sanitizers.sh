#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The sanitizer and valgrind runs of CI:
#  1. the whole suite on a build with AddressSanitizer and UBSan
#     (build-sanitizers/), stopping at the first error, leaks included;
#  2. the service tests once under valgrind (build-valgrind/): the test
#     programs (meson test --wrap) and wand itself, which the tests start
#     from WAND_BINARY under WAND_WRAPPER.
# Ends with the line "N passed, N failed[, N skipped]" over both runs, like
# tests/run.sh, and exits non-zero when anything failed. Root only: the
# tests create namespaces. Nothing on the host changes.
set -uo pipefail

cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
asan_dir=build-sanitizers
valgrind_dir=build-valgrind
supp=$PWD/tests/robustness

fail() {
        echo "tests/run-sanitizers.sh: $*" >&2
        echo "0 passed, 1 failed"
        exit 1
}

[ "$(id -u)" -eq 0 ] || fail "must run as root (the tests create network namespaces)"
tests/install-deps.sh || fail "installing the packages failed"

setup() { # dir, options…
        local dir=$1
        shift
        if [ -f "$dir/meson-private/coredata.dat" ]; then
                meson setup --reconfigure "$dir" --prefix=/usr -Dwerror=true "$@" >/dev/null
        else
                meson setup "$dir" --prefix=/usr -Dwerror=true "$@" >/dev/null
        fi || fail "meson setup $dir failed"
        ninja -C "$dir" >/dev/null || { ninja -C "$dir"; fail "building $dir failed"; }
}

# ── 1. ASan + UBSan, the whole suite ──────────────────────────────────────
setup "$asan_dir" -Db_sanitize=address,undefined -Db_lundef=false
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$supp/lsan-test-programs.supp:print_suppressions=0
# wandctl-valgrind and mprapi-valgrind run valgrind, which cannot run a
# program built with ASan; ansible-sanity and mprapi-mingw run no code of
# wand's (a linter, a cross-compiler); systemd-nspawn tests the Debian
# package, which is built without sanitizers. crash-consistency kills
# wand-crash a hundred times on purpose (so its leak check never runs), in a
# time budget set for the plain build. The browser and Ansible tiers
# (cockpit-browser, ansible-fleet, ansible-limits, ansible-module-utils) test
# clients that are not C; the wand they drive is the one the service,
# dialer, wandctl and robustness tests run here under the sanitizers, and
# under ASan their page loads and playbooks only wait longer.
mapfile -t asan_tests < <(meson test -C "$asan_dir" --list 2>/dev/null | sed -n 's|^[^ ]* / ||p' |
        grep -vx -e 'wandctl-valgrind' -e 'mprapi-valgrind' -e 'ansible-sanity' -e 'mprapi-mingw' -e 'systemd-nspawn' \
                -e 'crash-consistency' -e 'cockpit-browser' -e 'ansible-fleet' -e 'ansible-limits' \
                -e 'ansible-module-utils')
[ ${#asan_tests[@]} -gt 0 ] || fail "meson test --list found no test in $asan_dir"
rm -f "$asan_dir/meson-logs/testlog.json"
echo "== the suite under ASan and UBSan (${#asan_tests[@]} tests)"
meson test -C "$asan_dir" --print-errorlogs --num-processes 2 --timeout-multiplier 2 "${asan_tests[@]}"
asan_status=$?
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

# ── 2. valgrind, the service tests ───────────────────────────────────────
setup "$valgrind_dir"
valgrind="valgrind --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite"
# The test programs carry a suppression for libglib-testing's leak; wand
# carries none. /kernel/stop-in-parallel and /kernel/bridge-port-released-dialer
# start dialers, which needs pidfd_open(), a system call valgrind 3.19 does
# not know (ENOSYS).
rm -f "$valgrind_dir/meson-logs/testlog-valgrind.json"
echo "== the service tests under valgrind"
WAND_WRAPPER="$valgrind" meson test -C "$valgrind_dir" --suite service --print-errorlogs --num-processes 2 \
        --timeout-multiplier 3 --test-args='-s /kernel/stop-in-parallel -s /kernel/bridge-port-released-dialer' \
        --wrap="$valgrind --suppressions=$supp/valgrind-test-programs.supp"
valgrind_status=$?

python3 - "$asan_dir/meson-logs/testlog.json" "$asan_status" \
        "$valgrind_dir/meson-logs/testlog-valgrind.json" "$valgrind_status" <<'PY'
import json
import os
import sys

passed = failed = skipped = 0
runs = sys.argv[1:]
for log_path, status in zip(runs[0::2], runs[1::2]):
    counts = [0, 0, 0]
    if os.path.exists(log_path):
        with open(log_path) as log:
            for line in log:
                if not line.strip():
                    continue
                result = json.loads(line)["result"]
                if result in ("OK", "EXPECTEDFAIL"):
                    counts[0] += 1
                elif result == "SKIP":
                    counts[2] += 1
                else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, ...
                    counts[1] += 1
    if sum(counts) == 0:
        print(f"tests/run-sanitizers.sh: no test ran ({log_path})", file=sys.stderr)
        counts[1] = 1
    elif int(status) != 0 and counts[1] == 0:
        print(f"tests/run-sanitizers.sh: meson test exited {status} with no failed test ({log_path})",
              file=sys.stderr)
        counts[1] = 1
    passed += counts[0]
    failed += counts[1]
    skipped += counts[2]

summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(1 if failed else 0)
PY
