#!/bin/bash
# The Cockpit page in a real browser (issue 12), run inside the system test's
# private namespaces (tests/system/setup.sh: wand installed to /usr with the
# page, Debian's system bus, a real polkitd, user alice in group netops):
#
#   setup.sh --build DIR -- cockpit-test.sh [--demo] ARTIFACT_DIR
#
# Two cockpit-ws --local-session=cockpit-bridge, without authentication, so
# bound to loopback addresses of the private network namespace only (nobody
# outside it can reach them): one as root on 127.0.0.1:9090, one as alice on
# 127.0.0.2:9090. browser-test.py drives Debian's chromium through
# chromedriver against them and saves screenshots in ARTIFACT_DIR. --demo:
# only the demo's walk through the page (demo/demo.sh --cockpit).
# Skipped (77) where chromium, chromedriver, selenium or cockpit is missing.
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
mode=test
[ "${1:-}" = --demo ] && { mode=demo; shift; }
artifacts=${1:?usage: cockpit-test.sh [--demo] ARTIFACT_DIR}
dir=${WAND_SYSTEM_DIR:?cockpit-test.sh runs inside tests/system/setup.sh}
ws_bin=/usr/lib/cockpit/cockpit-ws
python=/usr/bin/python3     # Debian's, which has python3-selenium

missing=()
[ -x "$ws_bin" ] || missing+=(cockpit-ws)
command -v cockpit-bridge >/dev/null || missing+=(cockpit-bridge)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
"$python" -c 'import selenium' 2>/dev/null || missing+=(python3-selenium)
if [ ${#missing[@]} -gt 0 ]; then
        echo "skipped: not installed: ${missing[*]} (tests/install-deps.sh installs them)"
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

# cockpit-ws as WHO on ADDRESS, as systemd's cockpit-ws would run it but
# with --local-session: the bridge runs as the same user, with no login.
start_ws() {
        local who=$1 address=$2 home=$dir/home-$1 as=()
        mkdir -p "$home"
        if [ "$who" != root ]; then
                chown "$who:$who" "$home"
                as=(setpriv --reuid="$who" --regid="$who" --init-groups)
        fi
        # No session bus of the caller's: the bridge starts its own, which
        # cleanup stops by pid.
        env -u DBUS_SESSION_BUS_ADDRESS HOME="$home" XDG_RUNTIME_DIR="$home" \
                "${as[@]}" "$ws_bin" --no-tls --address "$address" --port 9090 \
                --local-session=cockpit-bridge >"$dir/cockpit-ws-$who.log" 2>&1 &
        pids+=($!)
        local i
        for ((i = 0; i < 100; i++)); do
                "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' \
                        "http://$address:9090/cockpit/@localhost/manifests.json" 2>/dev/null && return 0
                kill -0 "${pids[-1]}" 2>/dev/null || break
                sleep 0.1
        done
        cat "$dir/cockpit-ws-$who.log" >&2
        echo "cockpit-ws as $who on $address did not start" >&2
        exit 1
}

# The helpers a bridge started under cockpit-ws WSPID, so that cleanup stops
# them too (after the bridge, which is stopped with cockpit-ws).
note_bridge_helpers() {
        local ws=$1 bridge child
        for bridge in $(pgrep -P "$ws" -x cockpit-bridge); do
                for child in $(pgrep -P "$bridge"); do
                        pids=("$child" "${pids[@]}")
                done
        done
}

start_ws root 127.0.0.1
root_ws=${pids[-1]}
start_ws alice 127.0.0.2
alice_ws=${pids[-1]}

status=0
"$python" "$here/browser-test.py" --mode "$mode" --artifacts "$artifacts" \
        --root-url http://127.0.0.1:9090 --root-ws-pid "$root_ws" \
        --alice-url http://127.0.0.2:9090 --alice-ws-pid "$alice_ws" \
        --wand-pid "${WAND_SYSTEM_WAND_PID:-}" || status=$?

note_bridge_helpers "$root_ws"
note_bridge_helpers "$alice_ws"
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
