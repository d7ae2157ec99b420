# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced by tests/cockpit/cockpit-test.sh and demo/demo.sh: cockpit-ws
# --local-session=cockpit-bridge (no authentication: whoever reaches it is
# the user it runs as), so only ever bound to a loopback address of a
# private network namespace.
#
#   cw_start WHO ADDRESS HOME LOG   cockpit-ws as WHO on ADDRESS:9090, the
#                                   bridge with HOME; its pid in cw_pid
#   cw_bridge_helpers WSPID         the pids of what that bridge started (its
#                                   own session dbus-daemon, ssh-agent), to
#                                   be stopped by pid

cw_ws=/usr/lib/cockpit/cockpit-ws
cw_python=/usr/bin/python3      # Debian's, which has python3-selenium

cw_missing() {
        local absent=()
        [ -x "$cw_ws" ] || absent+=(cockpit-ws)
        command -v cockpit-bridge >/dev/null || absent+=(cockpit-bridge)
        [ -x /usr/bin/chromium ] || absent+=(chromium)
        [ -x /usr/bin/chromedriver ] || absent+=(chromium-driver)
        "$cw_python" -c 'import selenium' 2>/dev/null || absent+=(python3-selenium)
        echo "${absent[*]}"
}

cw_start() {
        local who=$1 address=$2 home=$3 log=$4 as=() i
        mkdir -p "$home"
        if [ "$who" != root ]; then
                chown "$who:" "$home"
                as=(setpriv --reuid="$who" --regid="$(id -g "$who")" --init-groups)
        fi
        # No session bus of the caller's: the bridge starts its own (stopped
        # by pid, cw_bridge_helpers).
        env -u DBUS_SESSION_BUS_ADDRESS HOME="$home" XDG_RUNTIME_DIR="$home" \
                "${as[@]}" "$cw_ws" --no-tls --address "$address" --port 9090 \
                --local-session=cockpit-bridge >"$log" 2>&1 &
        cw_pid=$!
        for ((i = 0; i < 100; i++)); do
                "$cw_python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' \
                        "http://$address:9090/cockpit/@localhost/manifests.json" 2>/dev/null && return 0
                kill -0 "$cw_pid" 2>/dev/null || break
                sleep 0.1
        done
        cat "$log" >&2
        echo "cockpit-ws as $who on $address did not start" >&2
        return 1
}

cw_bridge_helpers() {
        local bridge
        for bridge in $(pgrep -P "$1" -x cockpit-bridge); do
                pgrep -P "$bridge" || true
        done
}
