#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wandctl monitor: a line per change, or a JSON object, until a signal,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
monitor_scenario() {
        wt_ctl connect wan0
        wt_ctl disconnect wan0
        wt_ctl create wan7 --device=wan7
        wt_ctl delete wan7
        wt_ctl manager stop
        wt_ctl manager start
        wt_stop_wand
        wt_start_wand
}

wt_setup "$@"

out=$wt_dir/monitor.out

wt_log "monitor: one line per change, with the time, until SIGINT"
"$WANDCTL_BINARY" monitor </dev/null >"$out" 2>"$wt_dir/monitor.err" &
pid=$!
wt_pids+=("$pid")
wt_wait_for_matches "$pid" 4
monitor_scenario
wt_wait_for_line "$out" 'wand is on the bus'
kill -INT "$pid"
wait "$pid"
wt_status=$? wt_out=$out wt_err=$wt_dir/monitor.err wt_cmd="wandctl monitor"
expect_status 0
expect_out "${timestamp}wan0: state connected"
expect_out "${timestamp}wan0: .*connected since [A-Z][a-z]{2} "
expect_out "${timestamp}wan0: state disconnected"
expect_out "${timestamp}wan7: added \(device wan7, unreachable\)$"
expect_out "${timestamp}wan7: removed$"
expect_out "${timestamp}manager: demand-dial manager stopped$"
expect_out "${timestamp}manager: demand-dial manager running$"
expect_out "${timestamp}wand left the bus$"
expect_out "${timestamp}wand is on the bus$"
[ "$(grep -cvE "$timestamp" "$out")" = 0 ] || wt_fail "monitor printed lines without a time"

wt_log "monitor --json: one object a line, until SIGTERM"
"$WANDCTL_BINARY" monitor --json </dev/null >"$out" 2>"$wt_dir/monitor.err" &
pid=$!
wt_pids+=("$pid")
wt_wait_for_matches "$pid" 4
monitor_scenario
wt_wait_for_line "$out" '"running":true'
kill -TERM "$pid"
wait "$pid"
wt_status=$? wt_out=$out wt_err=$wt_dir/monitor.err wt_cmd="wandctl monitor --json"
expect_status 0
expect_json -l 'all("time" in e and e["usec"] > 0 and "event" in e for e in d) and
    any(e["event"] == "changed" and e["interface"] == "wan0" and e["changed"].get("State") == "connected" for e in d) and
    any(e["event"] == "added" and e["interface"] == "wan7" and e["properties"]["Device"] == "wan7" for e in d) and
    any(e["event"] == "removed" and e["path"] == "/org/wand/Router1/interface/wan7" for e in d) and
    any(e["event"] == "manager" and e["changed"] == {"DemandDialManager": "stopped"} for e in d) and
    [e["running"] for e in d if e["event"] == "service"] == [False, True]'

wt_log "monitor when the bus goes away: exit status 8"
"$WANDCTL_BINARY" monitor </dev/null >"$out" 2>"$wt_dir/monitor.err" &
pid=$!
wt_pids+=("$pid")
wt_wait_for_matches "$pid" 4
kill "${wt_pids[0]}" # the bus: wt_start_bus started it first
wait "$pid"
wt_status=$? wt_out=$out wt_err=$wt_dir/monitor.err wt_cmd="wandctl monitor"
expect_status 8
expect_err '^wandctl: the connection to the system bus was lost\.$'

wt_finish
