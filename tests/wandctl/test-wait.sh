#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What scripts lean on: wandctl wait, monitor --initial, and no client-side
# limit on the calls wand bounds itself (a ConnectTimeoutSec of 120 s, a
# slow polkit answer: the polkit double holding its answers), against the
# real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

# bg NAME ARGS...: wandctl ARGS in the background, as uid 65534 when NAME
# is "nobody"; $bg_pid, output in $wt_dir/bg.out and bg.err.
bg() {
        local who=$1
        shift
        if [ "$who" = nobody ]; then
                setpriv --reuid=65534 --regid=65534 --clear-groups "$WANDCTL_BINARY" "$@" \
                        </dev/null >"$wt_dir/bg.out" 2>"$wt_dir/bg.err" &
        else
                "$WANDCTL_BINARY" "$@" </dev/null >"$wt_dir/bg.out" 2>"$wt_dir/bg.err" &
        fi
        bg_pid=$!
        wt_pids+=("$bg_pid")
        bg_cmd="wandctl $*"
}

# bg_end STATUS: the background wandctl ended with STATUS.
bg_end() {
        wait "$bg_pid"
        wt_status=$? wt_out=$wt_dir/bg.out wt_err=$wt_dir/bg.err wt_cmd=$bg_cmd
        expect_status "$1"
}

# The voluntary context switches of PID: a client that polls wakes up.
switches() {
        awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"
}

wt_log "connect: no limit of wandctl's while wand tries for ConnectTimeoutSec=120"
printf '[Interface]\nDevice=wan1\nConnectTimeoutSec=120\n' >"$wt_dir/config/interfaces/wan1.conf"
wt_ctl reload
expect_status 0
bg root connect wan1
for ((i = 0; i < 50; i++)); do
        [ "$(wt_state wan1)" = connecting ] && break
        sleep 0.1
done
[ "$(wt_state wan1)" = connecting ] || wt_fail "wan1 is $(wt_state wan1), not connecting"
t=$(wt_call_timeout "$bg_pid")
[ "$t" = infinite ] || wt_fail "connect waits for wand's answer at most $t s, wand takes up to 120 s"
wt_ctl disconnect wan1 # cancels the attempt: connect ends now
expect_status 0
wait "$bg_pid"
[ "$(wt_state wan1)" = disconnected ] || wt_fail "wan1 is $(wt_state wan1) after the cancelled attempt"

wt_log "a slow polkit (an administrator typing): no limit on what polkit guards"
log=$wt_dir/polkit.log
: >"$log"
FAKE_POLKIT_HOLD=1 "${FAKE_POLKIT_BINARY:?}" "$log" org.wand.Router1.connect org.wand.Router1.disconnect \
        org.wand.Router1.configure org.wand.Router1.control 2>>"$wt_dir/polkit.err" &
polkit_pid=$!
wt_pids+=("$polkit_pid")
wt_wait_for_name org.freedesktop.PolicyKit1 "$polkit_pid" "$wt_dir/polkit.err"
release() {
        busctl --address="$wt_bus" call org.freedesktop.PolicyKit1 /org/freedesktop/PolicyKit1/Authority \
                org.wand.Test.FakePolkit Release >/dev/null || wt_fail "the polkit double did not release"
}
# held ARGS...: wandctl ARGS as nobody, until polkit was asked; then how
# long wandctl would wait for wand's answer.
held() {
        local n
        n=$(grep -c '^check' "$log")
        bg nobody "$@"
        for ((i = 0; i < 50; i++)); do
                [ "$(grep -c '^check' "$log")" -gt "$n" ] && break
                sleep 0.1
        done
        [ "$(grep -c '^check' "$log")" -gt "$n" ] || wt_fail "wandctl $*: polkit was not asked"
        t=$(wt_call_timeout "$bg_pid")
}
# The calls the issue names, and settings (polkit may ask for a password to
# show them); what they change is undone as root (no polkit).
for cmd in "connect wan0" "disconnect wan0" "disable wan0" "set wan0 --persistent" "manager stop" "reload" \
        "settings wan0"; do
        held $cmd
        [ "$t" = infinite ] || wt_fail "wandctl $cmd waits for wand at most $t s while polkit decides"
        # (settings asks twice: configure, then whether it shows the commands)
        while kill -0 "$bg_pid" 2>/dev/null && [ "$(grep -c '^check' "$log")" -gt "$(grep -o '^released [0-9]*' "$log" |
                awk '{ n += $2 } END { print n + 0 }')" ]; do
                release
                sleep 0.05
        done
        bg_end 0
        case $cmd in
        disable*) wt_ctl enable wan0 ;;
        "manager stop") wt_ctl manager start ;;
        esac
done

wt_log "--timeout still bounds them: exit status 3"
held --timeout=2 connect wan0
[ "$t" != infinite ] || wt_fail "--timeout=2: wandctl waits without a limit"
bg_end 3
expect_err '^Cannot connect wan0: the service did not answer in time — try a longer --timeout\.$'
release
wt_log "... and reading keeps a limit of its own"
wt_ctl --timeout=0.5 status wan0
expect_status 0
kill "$polkit_pid"
wt_wait_for_no_name org.freedesktop.PolicyKit1
wt_ctl disconnect wan0
wt_ctl set wan0 --no-persistent

wt_log "wait: until connected (the default), told by PropertiesChanged, no polling"
bg root wait wan0 --json
wt_wait_for_matches "$bg_pid" 3
# Once it has read the state, it sleeps in its event loop (epoll_wait,
# epoll_pwait or epoll_pwait2 on x86_64; epoll_pwait(2) elsewhere).
for ((i = 0; i < 100; i++)); do
        read -r nr _ <"/proc/$bg_pid/syscall"
        [[ $nr == @(232|281|441|22) ]] && break
        sleep 0.05
done
[[ $nr == @(232|281|441|22) ]] || wt_fail "wait is not sleeping in its event loop (system call $nr)"
before=$(switches "$bg_pid")
sleep 1.5
after=$(switches "$bg_pid")
[ "$before" = "$after" ] || wt_fail "wait woke up $((after - before)) times in 1.5 s while nothing changed: it polls"
wt_ctl connect wan0
expect_status 0
bg_end 0
expect_json 'd == {"result": "done", "state": "connected", "interfaces": {"wan0": "connected"}}'
expect_empty_err

wt_log "wait: already there, --state, --any"
wt_ctl wait wan0
expect_status 0
expect_empty_err
[ ! -s "$wt_out" ] || { wt_fail "wait printed without --json"; wt_show; }
wt_ctl wait --state=disconnected wan1
expect_status 0
wt_ctl wait --any wan1 wan0
expect_status 0
wt_ctl wait --json=pretty --state=unreachable gone wan0 --any
expect_status 0
expect_json 'd["result"] == "done" and d["interfaces"] == {"gone": "unreachable", "wan0": "connected"}'

wt_log "wait: the timeout, exit status 3"
wt_ctl wait wan0 wan1 --timeout=0.3
expect_status 3
expect_err '^wandctl: timed out after [0-9]+ms waiting for the interfaces to be connected: wan1 is disconnected\.$'
wt_ctl wait --json wan1 --timeout=0.2
expect_status 3
expect_json 'd["result"] == "timeout" and d["interfaces"] == {"wan1": "disconnected"}'

wt_log "wait: an interface deleted, exit status 10; wand leaving the bus, 8; no such interface, 10"
wt_ctl create wan7 --device=wan7
bg root wait wan7 --json
wt_wait_for_matches "$bg_pid" 3
wt_ctl delete wan7
bg_end 10
expect_err '^wandctl: wan7 was deleted while waiting for it to be connected\.$'
expect_json 'd["result"] == "removed" and d["interfaces"] == {"wan7": None}'
bg root wait wan1
wt_wait_for_matches "$bg_pid" 3
wt_stop_wand
bg_end 8
expect_err '^wandctl: wand left the bus while waiting for wan1 to be connected\.$'
wt_start_wand
wt_ctl disconnect wan0
wt_ctl wait nosuch wan0
expect_status 10
expect_err '^Cannot wait for nosuch: nosuch does not exist'
wt_ctl wait
expect_status 2
wt_ctl wait --state=up wan0
expect_status 2
expect_err '^wandctl: --state takes connected, connecting, disconnecting, disconnected or unreachable'
wt_ctl list --any
expect_status 2

wt_log "monitor --initial: every interface as it is, then the changes"
out=$wt_dir/monitor.out
"$WANDCTL_BINARY" monitor --initial </dev/null >"$out" 2>"$wt_dir/monitor.err" &
pid=$!
wt_pids+=("$pid")
wt_wait_for_line "$out" "${timestamp}wan1: state"
wt_ctl connect wan0
wt_wait_for_line "$out" "${timestamp}wan0: state connected"
kill -INT "$pid"
wait "$pid"
wt_status=$? wt_out=$out wt_err=$wt_dir/monitor.err wt_cmd="wandctl monitor --initial"
expect_status 0
expect_out "${timestamp}manager: demand-dial manager running \(wand [0-9.]+\)$"
expect_out "${timestamp}gone: state unreachable, device wan9, unreachable because no-device$"
expect_out "${timestamp}wan0: state disconnected, device wan0$"
expect_out "${timestamp}wan1: state disconnected, device wan1$"
[ "$(sed -n 2p "$out" | cut -d' ' -f3-)" = "gone: state unreachable, device wan9, unreachable because no-device" ] ||
        { wt_fail "the initial lines do not come first, sorted"; cat "$out" >&2; }

"$WANDCTL_BINARY" monitor --initial --json </dev/null >"$out" 2>"$wt_dir/monitor.err" &
pid=$!
wt_pids+=("$pid")
wt_wait_for_line "$out" '"interface":"wan1"'
wt_ctl disconnect wan0
wt_wait_for_line "$out" '"event":"changed"'
kill -TERM "$pid"
wait "$pid"
wt_status=$? wt_out=$out wt_err=$wt_dir/monitor.err wt_cmd="wandctl monitor --initial --json"
expect_status 0
expect_json -l '[e["event"] for e in d[:4]] == ["initial"] * 4 and
    d[0]["properties"]["DemandDialManager"] == "running" and "interface" not in d[0] and
    [e["interface"] for e in d[1:4]] == ["gone", "wan0", "wan1"] and
    d[2]["properties"]["State"] == "connected" and d[2]["path"] == "/org/wand/Router1/interface/wan0" and
    any(e["event"] == "changed" and e["changed"].get("State") == "disconnected" for e in d[4:])'

wt_finish
