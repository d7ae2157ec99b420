#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wand's demo: builds wand, then inside private mount, PID and network
# namespaces starts a real system bus (dbus-daemon with Debian's
# system.conf and wand's bus policy), a real polkitd (with wand's actions),
# two veth pairs and wand itself, and walks through a busctl session.
# Nothing on the host changes: /run is a private tmpfs, the policy files are
# bind-mounted inside the mount namespace only, the links live in the
# private network namespace, and all of it vanishes when the demo ends.
#
#   sudo demo/demo.sh           the scripted session
#   sudo demo/demo.sh --shell   the same, then an interactive shell inside
#   sudo demo/demo.sh --cockpit the same setup, then the demo's steps on the
#                               Cockpit page in headless chromium, with
#                               screenshots (cockpit-ws inside the private
#                               network namespace only)
#   sudo demo/demo.sh --infra-only
#                               only the bus and polkitd, checked and stopped
#                               (to debug the demo itself)
set -euo pipefail

usage() {
        cat <<EOF
usage: sudo demo/demo.sh [--shell | --cockpit | --infra-only]
  --shell        after the scripted session, an interactive shell inside
  --cockpit      the demo's steps on the Cockpit page, in headless chromium;
                 prints where the screenshots are
  --infra-only   only the bus and polkitd, checked and stopped
EOF
}

repo=$(dirname "$(readlink -f "$0")")/..
repo=$(readlink -f "$repo")
build=$repo/build-demo

# The private system bus and polkitd, shared with the tests of tests/data/.
# shellcheck source=../tests/data/private-bus.sh
. "$repo/tests/data/private-bus.sh"
demo=$pb_dir            # on the private /run

shell=no
infra_only=no
cockpit=no
for arg in "$@"; do
        case $arg in
        --shell) shell=yes ;;
        --cockpit) cockpit=yes ;;
        --infra-only) infra_only=yes ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
        esac
done

if [ -t 1 ]; then
        bold=$'\e[1m' dim=$'\e[2m' reset=$'\e[0m'
else
        bold='' dim='' reset=''
fi

# ---------------------------------------------------------------- the host

# Runs a command, showing its output only when it fails.
quietly() {
        local out status=0
        out=$("$@" 2>&1) || status=$?
        [ $status -eq 0 ] || printf '%s\n' "$out" >&2
        return $status
}

outside() {
        if [ "$(id -u)" -ne 0 ]; then
                echo "demo/demo.sh must run as root (it creates namespaces and network links): sudo demo/demo.sh" >&2
                exit 1
        fi

        "$repo/tests/install-deps.sh"

        echo "demo: building into $build"
        if [ -f "$build/meson-private/coredata.dat" ]; then
                quietly meson setup --reconfigure "$build" "$repo" -Dtests=false
        else
                quietly meson setup "$build" "$repo" -Dtests=false
        fi
        quietly ninja -C "$build"

        if [ $infra_only = no ] && [ ! -x "$build/service/wand" ]; then
                echo "demo: $build/service/wand was not built" >&2
                exit 1
        fi

        if [ $cockpit = yes ]; then
                # shellcheck source=../tests/cockpit/cockpit-ws.sh
                . "$repo/tests/cockpit/cockpit-ws.sh"
                local missing
                missing=$(cw_missing)
                if [ -n "$missing" ]; then
                        echo "demo: --cockpit needs $missing, which could not be installed" >&2
                        exit 1
                fi
                rm -rf "$build/cockpit-screenshots"
                mkdir -p "$build/cockpit-screenshots"
        fi

        local args=()
        [ $shell = yes ] && args+=(--shell)
        [ $cockpit = yes ] && args+=(--cockpit)
        [ $infra_only = yes ] && args+=(--infra-only)
        pb_enter_namespaces "$0" "${args[@]}"
}

# ------------------------------------------------------- inside namespaces

cleanup() {
        trap - EXIT INT TERM
        pb_cleanup      # wand, polkitd, dbus-daemon: last started first
}

die() {
        pb_die "$@"
}

setup_links() {
        local dev
        for dev in wan0 site-b; do
                # The peer is up, so the wand side has carrier as soon as it
                # is set up: "connected" for a device-only interface.
                ip link add "$dev" type veth peer name "$dev-peer"
                ip link set "$dev-peer" up
        done
}

write_config() {
        mkdir -p "$demo/config/interfaces"
        cat >"$demo/config/wand.conf" <<EOF
[Router]
DemandDial=yes
EOF
        cat >"$demo/config/interfaces/wan0.conf" <<EOF
[Interface]
Device=wan0
EOF
        cat >"$demo/config/interfaces/site-b.conf" <<EOF
[Interface]
Device=site-b
EOF
}

start_wand() {
        "$build/service/wand" --config-dir="$demo/config" >"$demo/wand.log" 2>&1 &
        pb_pids+=($!)
        pb_wait_for_name org.wand.Router1 "${pb_pids[-1]}" "$demo/wand.log"
}

# Narration: one comment line per argument, after a blank line.
say() {
        local line
        echo
        for line in "$@"; do
                printf '%s# %s%s\n' "$dim" "$line" "$reset"
        done
}

# Steps that did not go as the script expects.
surprises=0

# Prints the command, runs it, shows its exit status when it failed. A
# failure is a surprise unless run_error expects it.
run() {
        local status=0
        printf '%s$ %s%s\n' "$bold" "$*" "$reset"
        "$@" 2>&1 || status=$?
        if [ $status -ne 0 ]; then
                printf '%s(exit status %d)%s\n' "$dim" $status "$reset"
                [ "${expect_failure:-no}" = yes ] || surprises=$((surprises + 1))
        fi
}

# The D-Bus error *name* a call fails with, which busctl does not print:
# the same call made again with gdbus, which does. Arguments as busctl takes
# them ("s" "nosuch").
error_name() {
        local path=$1 member=$2 args=()
        shift 2
        while [ $# -ge 2 ]; do
                case $1 in
                s) args+=("'$2'") ;;
                b) args+=("$2") ;;
                *) die "error_name: signature $1 not handled" ;;
                esac
                shift 2
        done
        { "${as[@]}" gdbus call --system "${gflags[@]}" --dest org.wand.Router1 \
                --object-path "$path" --method "$member" "${args[@]}" 2>&1 || true; } |
                sed -n 's/^Error: GDBus\.Error:\([^:]*\):.*/\1/p'
}

# Runs a busctl call that should fail with the error EXPECTED and shows
# that error's name too.
#   run_error EXPECTED [--as-nobody] [--no-interactive] PATH INTERFACE METHOD [ARGS]
# --as-nobody: the call is made by uid 65534 (setpriv), not root.
# --no-interactive: without ALLOW_INTERACTIVE_AUTHORIZATION, which busctl
# sets by default.
run_error() {
        local expect=$1 as=() bflags=() gflags=(--interactive) name
        shift
        while :; do
                case $1 in
                --as-nobody) as=(setpriv --reuid=65534 --regid=65534 --clear-groups) ;;
                --no-interactive) bflags=(--allow-interactive-authorization=no) gflags=() ;;
                *) break ;;
                esac
                shift
        done
        local path=$1 iface=$2 method=$3
        shift 3
        expect_failure=yes run "${as[@]}" busctl --system "${bflags[@]}" call org.wand.Router1 "$path" "$iface" "$method" "$@"
        name=$(error_name "$path" "$iface.$method" "$@")
        printf '%s  -> %s%s\n' "$dim" "${name:-(no error)}" "$reset"
        if [ "$name" != "$expect" ]; then
                printf '%sdemo: expected %s%s\n' "$bold" "$expect" "$reset"
                surprises=$((surprises + 1))
        fi
}

session() {
        local W=org.wand.Router1
        local M=/org/wand/Router1 MI=org.wand.Router1.Manager
        local I=org.wand.Router1.Interface
        local WAN=/org/wand/Router1/interface/wan0

        say "wand owns $W on the system bus. Its objects:"
        run busctl --system tree $W

        say "Every interface with its handle (object path) and state:"
        run busctl --system call $W $M $MI ListInterfaces
        run busctl --system get-property $W $WAN $I State
        run ip -br link show wan0

        say "Connect wan0 (a device-only interface: Connect sets the link up):"
        run busctl --system call $W $WAN $I Connect
        run busctl --system get-property $W $WAN $I State IfIndex ConnectedSince
        run ip -br link show wan0

        say "Disconnect it (MprAdminInterfaceDisconnect):"
        run busctl --system call $W $WAN $I Disconnect
        run busctl --system get-property $W $WAN $I State
        run ip -br link show wan0

        say "Disconnect again: ERROR_INTERFACE_NOT_CONNECTED"
        run_error org.wand.Router1.Error.InterfaceNotConnected $WAN $I Disconnect

        say "A handle that names no interface: ERROR_INVALID_HANDLE"
        run_error org.wand.Router1.Error.InvalidHandle \
                /org/wand/Router1/interface/nosuch $I Disconnect

        say "A name that is no interface: ERROR_NO_SUCH_INTERFACE"
        run_error org.wand.Router1.Error.NoSuchInterface $M $MI GetInterfaceByName s nosuch
        run busctl --system call $W $M $MI GetInterfaceByName s site-b

        say "Connect wan0 again; then user nobody tries to disconnect it. polkit says no:"
        run busctl --system call $W $WAN $I Connect
        run_error org.freedesktop.DBus.Error.InteractiveAuthorizationRequired \
                --as-nobody --no-interactive $WAN $I Disconnect
        say "The same, allowing interactive authorization (busctl's default): there is" \
                "no authentication agent to ask for a password here, so the answer is no:"
        run_error org.freedesktop.DBus.Error.AccessDenied --as-nobody $WAN $I Disconnect
        run busctl --system get-property $W $WAN $I State

        say "Stop the demand-dial manager (it disconnects wan0 first), then Connect: ERROR_DDM_NOT_RUNNING"
        run busctl --system call $W $M $MI StopDemandDialManager
        run busctl --system get-property $W $M $MI DemandDialManager
        run busctl --system get-property $W $WAN $I State
        run_error org.wand.Router1.Error.DemandDialManagerNotRunning $WAN $I Connect

        say "Start it again; Connect works again:"
        run busctl --system call $W $M $MI StartDemandDialManager
        run busctl --system call $W $WAN $I Connect
        run busctl --system call $W $M $MI ListInterfaces
        run ip -br link show
}

interactive_shell() {
        cat <<EOF

${bold}You are inside the demo's namespaces${reset} (private /run, network and PIDs).
The system bus here is the demo's; wand's config is in $demo/config,
its log in $demo/wand.log. Try:

  busctl --system tree org.wand.Router1
  busctl --system introspect org.wand.Router1 /org/wand/Router1/interface/wan0
  busctl --system call org.wand.Router1 /org/wand/Router1/interface/wan0 org.wand.Router1.Interface Connect
  busctl --system call org.wand.Router1 /org/wand/Router1/interface/wan0 org.wand.Router1.Interface Disconnect
  busctl --system monitor org.wand.Router1      (in the background: ... &)
  ip link set wan0-peer down                     (carrier goes: wan0 "connecting")

Leave with exit: wand, polkitd and the bus are stopped, the namespaces vanish.
EOF
        PS1='[wand-demo] \w# ' bash --norc -i || true
}

# The demo's steps on the Cockpit page: cockpit-ws as root on 127.0.0.1 and
# as nobody on 127.0.0.2, both loopback addresses of the private network
# namespace (no authentication: nothing outside can reach them). The page
# is cockpit/ of the source tree: nothing is installed.
cockpit_session() {
        # shellcheck source=../tests/cockpit/cockpit-ws.sh
        . "$repo/tests/cockpit/cockpit-ws.sh"
        local ws=() status=0 pid helper
        # Cockpit's packages plus a copy of the page (the bridge serves no
        # file whose real path leaves its package's directory: a link would
        # not do), in this mount namespace only, as polkitd's actions are.
        mkdir -p "$demo/cockpit"
        cp -a /usr/share/cockpit/. "$demo/cockpit/"
        rm -rf "$demo/cockpit/wand"
        cp -r "$repo/cockpit" "$demo/cockpit/wand"
        chmod -R a+rX "$demo"
        mount -n --bind "$demo/cockpit" /usr/share/cockpit
        cw_start root 127.0.0.1 "$demo/home-root" "$demo/cockpit-ws-root.log" || die "cockpit-ws did not start"
        pb_pids+=("$cw_pid")
        ws+=("$cw_pid")
        cw_start nobody 127.0.0.2 "$demo/home-nobody" "$demo/cockpit-ws-nobody.log" || die "cockpit-ws did not start"
        pb_pids+=("$cw_pid")
        ws+=("$cw_pid")

        say "The Cockpit page (http://127.0.0.1:9090/wand, inside the demo's network namespace" \
                "only) in headless chromium: the demo's steps, clicked"
        "$cw_python" "$repo/tests/cockpit/browser-test.py" --mode demo \
                --artifacts "$build/cockpit-screenshots" \
                --root-url http://127.0.0.1:9090 --root-ws-pid "${ws[0]}" \
                --user nobody --user-url http://127.0.0.2:9090 --user-ws-pid "${ws[1]}" || status=$?
        # What each bridge started (its session bus, ssh-agent): stopped by
        # pid, before the bridges (pb_cleanup stops the last started first).
        for pid in "${ws[@]}"; do
                for helper in $(cw_bridge_helpers "$pid"); do
                        pb_pids=("$helper" "${pb_pids[@]}")
                done
        done
        [ $status -eq 0 ] || surprises=$((surprises + 1))
        echo
        echo "${bold}Screenshots:${reset}"
        ls -1 "$build"/cockpit-screenshots/*.png
}

inside_main() {
        trap cleanup EXIT
        trap 'exit 130' INT TERM

        # A private /run: the demo's bus socket and files live there, the
        # host's bus is out of sight.
        pb_private_run
        pb_start_bus "$repo/dbus/org.wand.Router1.conf"
        pb_start_polkitd "$repo/polkit/org.wand.Router1.policy"
        if [ $infra_only = yes ]; then
                run busctl --system get-property org.freedesktop.PolicyKit1 \
                        /org/freedesktop/PolicyKit1/Authority \
                        org.freedesktop.PolicyKit1.Authority BackendName
                run pkaction --action-id org.wand.Router1.disconnect --verbose
                [ $shell = yes ] && interactive_shell
                return 0
        fi

        setup_links
        write_config
        start_wand
        if [ $cockpit = yes ]; then
                cockpit_session
        else
                session
        fi
        if [ $surprises -ne 0 ]; then
                printf '\n%sdemo: %d step(s) did not go as expected%s\n' "$bold" $surprises "$reset"
        fi
        [ $shell = yes ] && interactive_shell
        [ $surprises -eq 0 ]
}

if [ "${WAND_PB_INSIDE:-}" = 1 ]; then
        pb_enter_namespaces "$0"        # only takes note that we are inside
        inside_main
else
        outside
fi
