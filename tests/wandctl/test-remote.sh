#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wandctl -H: the router's bus over ssh, through an ssh that runs the
# remote command (systemd-stdio-bridge) here,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

bin=$wt_dir/bin log=$wt_dir/ssh.log
wt_fake_ssh "$bin"
command -v systemd-stdio-bridge >/dev/null || wt_die "systemd-stdio-bridge is not installed"

# wandctl itself gets no address: only the "remote" side knows it.
via_ssh="env -u DBUS_SYSTEM_BUS_ADDRESS PATH=$bin:$PATH FAKE_SSH_LOG=$log FAKE_SSH_BUS=$wt_bus"
remote() {
        WANDCTL_WRAPPER=$via_ssh wt_ctl -H admin@router "$@"
}

remote list
expect_status 0
expect_out '^wan0 +wan0 +disconnected +-$'
grep -qx 'ssh -xT -- admin@router systemd-stdio-bridge' "$log" || { wt_fail "ssh was not run as expected"; cat "$log" >&2; }

remote status --json
expect_status 0
expect_json 'd["Manager"]["DemandDialManager"] == "running" and len(d["Interfaces"]) == 3'

remote connect wan0
expect_status 0
[ "$(wt_state wan0)" = connected ] || wt_fail "remote connect did not connect wan0"
remote disconnect wan0
expect_status 0
[ "$(wt_state wan0)" = disconnected ] || wt_fail "remote disconnect did not disconnect wan0"

remote connect nosuch
expect_status 10
expect_err "^Cannot connect nosuch: there is no WAN interface called nosuch — 'wandctl -H admin@router list' shows the interfaces\.$"

wt_log "monitor over ssh"
out=$wt_dir/monitor.out
$via_ssh "$WANDCTL_BINARY" -H admin@router monitor </dev/null >"$out" 2>&1 &
pid=$!
wt_pids+=("$pid")
# On the bus, wandctl's matches are the bridge's: ssh's child, as
# the fake ssh execs it.
bridge=
for ((i = 0; i < 100; i++)); do
        bridge=$(pgrep -P "$pid" | head -n 1)
        [ -z "$bridge" ] || break
        sleep 0.1
done
[ -n "$bridge" ] || wt_die "no systemd-stdio-bridge under wandctl -H"
wt_wait_for_matches "$bridge" 4
wt_ctl connect wan0
wt_wait_for_line "$out" "${timestamp}wan0: state connected"
kill -INT "$pid"
wait "$pid" || wt_fail "monitor -H exited $?"

wt_log "an unreachable router"
WANDCTL_WRAPPER=$via_ssh wt_ctl -H unreachable list
expect_status 8
expect_err 'system bus of unreachable'

wt_finish
