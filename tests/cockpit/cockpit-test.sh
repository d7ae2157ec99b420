#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Cockpit page in a real browser (issue 12), run inside the system test's
# private namespaces (tests/system/setup.sh: wand installed to /usr with the
# page, Debian's system bus, a real polkitd, user alice in group netops):
#
#   setup.sh --build DIR -- cockpit-test.sh ARTIFACT_DIR
#
# Two cockpit-ws --local-session=cockpit-bridge, without authentication, so
# bound to loopback addresses of the private network namespace only (nobody
# outside it can reach them): one as root on 127.0.0.1:9090, one as alice on
# 127.0.0.2:9090. browser-test.py drives Debian's chromium through
# chromedriver against them and saves screenshots and figures.json in
# ARTIFACT_DIR.
# Skipped (77) where chromium, chromedriver, selenium or cockpit is missing.
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
artifacts=${1:?usage: cockpit-test.sh ARTIFACT_DIR}
dir=${WAND_SYSTEM_DIR:?cockpit-test.sh runs inside tests/system/setup.sh}
# shellcheck source-path=SCRIPTDIR source=cockpit-ws.sh
. "$here/cockpit-ws.sh"

missing=$(cw_missing)
if [ -n "$missing" ]; then
        echo "skipped: not installed: $missing (tests/install-deps.sh installs them)"
        exit 77
fi
if [ ! -f /usr/share/cockpit/wand/manifest.json ]; then
        echo "the build does not install the Cockpit page: configure it with -Dcockpit=enabled" >&2
        exit 1
fi

mkdir -p "$artifacts"
pids=()

# Every process this script started, and the helpers each bridge started
# (its session dbus-daemon and ssh-agent), by pid, last first.
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
        local i
        for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
                kill "${pids[i]}" 2>/dev/null || true
        done
        for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
                wait "${pids[i]}" 2>/dev/null || true
        done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_ws() {
        cw_start "$1" "$2" "$dir/home-$1" "$dir/cockpit-ws-$1.log" || exit 1
        pids+=("$cw_pid")
}

start_ws root 127.0.0.1
root_ws=${pids[-1]}
start_ws alice 127.0.0.2
alice_ws=${pids[-1]}

status=0
"$cw_python" "$here/browser-test.py" --mode test --artifacts "$artifacts" \
        --root-url http://127.0.0.1:9090 --root-ws-pid "$root_ws" \
        --user alice --user-url http://127.0.0.2:9090 --user-ws-pid "$alice_ws" \
        --wand-pid "${WAND_SYSTEM_WAND_PID:-}" || status=$?

for ws in "$root_ws" "$alice_ws"; do
        for helper in $(cw_bridge_helpers "$ws"); do
                pids=("$helper" "${pids[@]}")
        done
done
# A wand the test started again after stopping the first one.
if [ -f "$dir/wand-restarted.pid" ]; then
        pids=("$(cat "$dir/wand-restarted.pid")" "${pids[@]}")
fi
if [ $status -ne 0 ]; then
        for f in "$dir"/cockpit-ws-*.log "$dir"/wand*.log; do
                [ -s "$f" ] || continue
                echo "---- $f"
                tail -n 40 "$f"
        done
fi
exit $status
