#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test command: installs what is missing, builds into build-tests/ with
# warnings as errors, runs every test and ends with the line
# "N passed, N failed[, N skipped]". Exits non-zero when anything failed.
# Extra arguments go to `meson test` (e.g. --suite data, or a test's name).
#
# Must run as root: the tests create network namespaces and veth pairs,
# and run a private system bus. Nothing on the host is changed.
set -uo pipefail

cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
builddir=build-tests

if [ "$(id -u)" -ne 0 ]; then
        echo "tests/run.sh must run as root (the tests create network namespaces): sudo tests/run.sh" >&2
        echo "0 passed, 1 failed"
        exit 1
fi

fail() {
        echo "tests/run.sh: $*" >&2
        echo "0 passed, 1 failed"
        exit 1
}

tests/install-deps.sh || fail "installing the packages failed"

if [ -f "$builddir/meson-private/coredata.dat" ]; then
        meson setup --reconfigure "$builddir" --prefix=/usr -Dwerror=true || fail "meson setup --reconfigure failed"
else
        meson setup "$builddir" --prefix=/usr -Dwerror=true || fail "meson setup failed"
fi
ninja -C "$builddir" || fail "the build failed"

rm -f "$builddir/meson-logs/testlog.json"
meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
meson_status=$?

[ -f "$builddir/meson-logs/testlog.json" ] || fail "meson test wrote no testlog.json (exit status $meson_status)"

python3 - "$builddir/meson-logs/testlog.json" "$meson_status" <<'PY'
import json
import sys

passed = failed = skipped = 0
with open(sys.argv[1]) as log:
    for line in log:
        if not line.strip():
            continue
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, ...
            failed += 1

meson_status = int(sys.argv[2])
if passed + failed + skipped == 0:
    print("tests/run.sh: no test ran", file=sys.stderr)
    failed = 1
elif meson_status != 0 and failed == 0:
    print(f"tests/run.sh: meson test exited {meson_status} with no failed test", file=sys.stderr)
    failed = 1

summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(1 if failed else 0)
PY
