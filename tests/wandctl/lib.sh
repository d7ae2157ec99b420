# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by wandctl-test.sh: a private network namespace, a private bus,
# wand from the build tree, and assertions on wandctl's output and exit
# status.
#
#   wt_setup          re-runs the caller in a new network namespace (once),
#                     makes $wt_dir, starts the bus and wand
#   wt_ctl ARGS...    runs wandctl (stdin /dev/null, so not interactive);
#                     $wt_status, $wt_out, $wt_err
#   expect_status N   the last wt_ctl ended with N
#   expect_out RE / expect_err RE / expect_no_out RE   grep -E on its output
#   expect_json       its stdout is one JSON document (or one a line: -l)
#   wt_on_tty CMD...  runs CMD on a terminal (script(1)); $wt_out has what it showed
#   wt_wait_for_matches PID N   until PID has N match rules on the bus
#   wt_wait_for_line FILE RE    until FILE has a line matching RE
#   wt_start_fake_wand MODE     fake-wand.c in wand's place (stop wand first);
#                     the calls it had in $wt_dir/fake-wand.log
#   wt_stop_fake_wand
#   wt_restart_wand_refusing_managed_objects
#                     wand again with BusMaxMessageSize=4K, checked to refuse
#                     GetManagedObjects (configure enough interfaces first)
#   wt_finish         exit status of the test: 1 if any expectation failed
#
# Everything started is in wt_pids and is killed by pid at exit.

: "${WAND_BINARY:?}" "${WANDCTL_BINARY:?}"

wt_pids=()
wt_failures=0
wt_dir=
wt_bus=

wt_log() {
        echo "# $*"
}

wt_fail() {
        echo "FAIL: $*" >&2
        wt_failures=$((wt_failures + 1))
}

wt_die() {
        echo "ERROR: $*" >&2
        exit 1
}

wt_cleanup() {
        local i
        for ((i = ${#wt_pids[@]} - 1; i >= 0; i--)); do
                kill "${wt_pids[i]}" 2>/dev/null
                wait "${wt_pids[i]}" 2>/dev/null
        done
        [ -z "$wt_dir" ] || rm -rf "$wt_dir"
}

wt_enter_netns() {
        if [ "$(id -u)" -ne 0 ]; then
                echo "SKIP: needs root (network namespaces, veth pairs)"
                exit 77
        fi
        # A namespace of our own, never the host's network: wan0 and its
        # peer exist only in it, and go with it.
        if [ -z "${WANDCTL_TEST_NETNS:-}" ]; then
                exec unshare --net -- env WANDCTL_TEST_NETNS=1 "$0" "$@"
        fi
}

# The bus admits every uid (the unprivileged caller is uid 65534), and lets
# everyone own and call everything: the service's own policy is tested in
# tests/data/.
wt_start_bus() {
        cat >"$wt_dir/bus.conf" <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$wt_dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
XML
        mkdir -p "$wt_dir/bus"
        # Our child, not --fork'ed: killed and reaped like the others.
        dbus-daemon --config-file="$wt_dir/bus.conf" --nofork --nosyslog --print-address=3 \
                3>"$wt_dir/bus.address" 2>"$wt_dir/bus.log" &
        wt_pids+=($!)
        local i
        for ((i = 0; i < 100; i++)); do
                wt_bus=$(head -n 1 "$wt_dir/bus.address" 2>/dev/null)
                [ -z "$wt_bus" ] || break
                kill -0 "${wt_pids[-1]}" 2>/dev/null || { cat "$wt_dir/bus.log" >&2; wt_die "dbus-daemon exited"; }
                sleep 0.05
        done
        [ -n "$wt_bus" ] || wt_die "dbus-daemon did not say its address"
        export DBUS_SYSTEM_BUS_ADDRESS=$wt_bus
}

wt_has_name() {
        busctl --address="$wt_bus" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s "$1" 2>/dev/null | grep -q 'b true'
}

wt_wait_for_name() {
        local name=$1 pid=$2 log=$3 i
        for ((i = 0; i < 100; i++)); do
                wt_has_name "$name" && return 0
                if ! kill -0 "$pid" 2>/dev/null; then
                        cat "$log" >&2
                        wt_die "$name: its process exited"
                fi
                sleep 0.1
        done
        cat "$log" >&2
        wt_die "$name did not appear on the bus"
}

wt_start_wand() {
        # $wt_wand_prefix: a command wand runs under (setpriv …), split into words.
        ${wt_wand_prefix:-} "$WAND_BINARY" --config-dir="$wt_dir/config" --runtime-dir="$wt_dir/run" >>"$wt_dir/wand.log" 2>&1 &
        wt_wand_pid=$!
        wt_pids+=("$wt_wand_pid")
        wt_wait_for_name org.wand.Router1 "$wt_wand_pid" "$wt_dir/wand.log"
}

wt_stop_wand() {
        kill "$wt_wand_pid"
        wait "$wt_wand_pid" 2>/dev/null || true
}

# The bus lets the name go once it has seen the owner's connection close.
wt_wait_for_no_name() {
        local i
        for ((i = 0; i < 100; i++)); do
                wt_has_name "$1" || return 0
                sleep 0.05
        done
        wt_die "$1 is still on the bus"
}

# A wand double for what the real one cannot be made to do on cue (see
# fake-wand.c for MODE); needs FAKE_WAND_BINARY.
wt_start_fake_wand() {
        wt_wait_for_no_name org.wand.Router1
        : >"$wt_dir/fake-wand.log"
        "${FAKE_WAND_BINARY:?}" "$wt_dir/fake-wand.log" "$1" 2>>"$wt_dir/fake-wand.err" &
        wt_fake_wand_pid=$!
        wt_pids+=("$wt_fake_wand_pid")
        wt_wait_for_name org.wand.Router1 "$wt_fake_wand_pid" "$wt_dir/fake-wand.err"
}

wt_stop_fake_wand() {
        kill "$wt_fake_wand_pid"
        wait "$wt_fake_wand_pid" 2>/dev/null || true
}

# For the clients' fallback (ListInterfaces, then GetAll per interface):
# the interfaces configured must make the reply pass 4 KiB.
wt_restart_wand_refusing_managed_objects() {
        wt_stop_wand
        printf '[Router]\nBusMaxMessageSize=4K\n' >"$wt_dir/config/wand.conf"
        wt_start_wand
        busctl --address="$wt_bus" call org.wand.Router1 /org/wand/Router1 org.freedesktop.DBus.ObjectManager \
                GetManagedObjects >/dev/null 2>"$wt_dir/gmo.err" &&
                wt_fail "GetManagedObjects answered: the test has too few interfaces to pass 4 KiB"
        grep -q 'more than the 4096 bytes' "$wt_dir/gmo.err" ||
                { wt_fail "GetManagedObjects did not fail with LimitsExceeded"; cat "$wt_dir/gmo.err" >&2; }
}

# wan0: a veth whose peer is up, so that wan0 has carrier once wand sets it
# up. wan1: a veth whose peer stays down, so connecting it times out.
wt_setup() {
        wt_enter_netns "$@"
        trap wt_cleanup EXIT
        wt_dir=$(mktemp -d /tmp/wandctl-test.XXXXXX)
        chmod 755 "$wt_dir" # uid 65534 connects to the bus socket in it
        mkdir -p "$wt_dir/config/interfaces" "$wt_dir/run"

        ip link add wan0 type veth peer name wan0-p || wt_die "cannot create a veth pair"
        ip link set wan0-p up
        ip link add wan1 type veth peer name wan1-p

        printf '[Interface]\nDevice=wan0\n' >"$wt_dir/config/interfaces/wan0.conf"
        printf '[Interface]\nDevice=wan1\nConnectTimeoutSec=1\n' >"$wt_dir/config/interfaces/wan1.conf"
        printf '[Interface]\nDevice=wan9\n' >"$wt_dir/config/interfaces/gone.conf"

        export LC_ALL=C.UTF-8 TZ=UTC
        unset NO_COLOR
        wt_start_bus
        wt_start_wand
}

wt_ctl() {
        wt_out=$wt_dir/out wt_err=$wt_dir/err
        wt_cmd="wandctl $*"
        ${WANDCTL_WRAPPER:-} "$WANDCTL_BINARY" "$@" </dev/null >"$wt_out" 2>"$wt_err"
        wt_status=$?
}

# As wt_ctl, as uid 65534: wand asks polkit about it.
wt_ctl_nobody() {
        wt_out=$wt_dir/out wt_err=$wt_dir/err
        wt_cmd="(as nobody) wandctl $*"
        setpriv --reuid=65534 --regid=65534 --clear-groups "$WANDCTL_BINARY" "$@" </dev/null >"$wt_out" 2>"$wt_err"
        wt_status=$?
}

wt_show() {
        echo "--- $wt_cmd: exit status $wt_status; stdout:" >&2
        cat "$wt_out" >&2
        echo "--- stderr:" >&2
        cat "$wt_err" >&2
        echo "---" >&2
}

expect_status() {
        if [ "$wt_status" != "$1" ]; then
                wt_fail "$wt_cmd: exit status $wt_status, expected $1"
                wt_show
        fi
}

expect_out() {
        if ! grep -Eq -- "$1" "$wt_out"; then
                wt_fail "$wt_cmd: stdout does not match /$1/"
                wt_show
        fi
}

expect_no_out() {
        if grep -Eq -- "$1" "$wt_out"; then
                wt_fail "$wt_cmd: stdout matches /$1/"
                wt_show
        fi
}

expect_err() {
        if ! grep -Eq -- "$1" "$wt_err"; then
                wt_fail "$wt_cmd: stderr does not match /$1/"
                wt_show
        fi
}

expect_empty_err() {
        if [ -s "$wt_err" ]; then
                wt_fail "$wt_cmd: wrote to stderr"
                wt_show
        fi
}

# expect_json [-l] [PYTHON-EXPRESSION]: stdout is a JSON document (-l: one
# per line), and the expression over it (d, or the list of lines' documents)
# is true.
expect_json() {
        local lines=0
        [ "${1:-}" = -l ] && { lines=1; shift; }
        if ! python3 - "$wt_out" "$lines" "${1:-True}" <<'PY'; then
import json, sys
path, lines, expr = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
with open(path) as f:
    d = [json.loads(l) for l in f if l.strip()] if lines else json.load(f)
if not eval("(" + expr + "\n)", {"d": d}):
    sys.exit(f"JSON does not satisfy: {expr}")
PY
                wt_fail "$wt_cmd: stdout is not the JSON expected"
                wt_show
        fi
}

# The property as wand says it, over busctl.
wt_prop() {
        busctl --address="$wt_bus" get-property org.wand.Router1 "$1" "$2" "$3" | cut -d' ' -f2- | tr -d '"'
}

wt_state() {
        wt_prop "/org/wand/Router1/interface/$1" org.wand.Router1.Interface State
}

timestamp='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} '

# Runs "$@" on a terminal (script(1) gives it a pty); $wt_out gets what the
# terminal showed, stdout and stderr together.
wt_on_tty() {
        local cmd
        printf -v cmd '%q ' "$@"
        wt_out=$wt_dir/out wt_err=$wt_dir/err
        wt_cmd="(on a terminal) $*"
        script -qec "$cmd" /dev/null </dev/null >"$wt_out" 2>"$wt_err"
        wt_status=$?
}

# Until the process PID has at least N match rules on the bus: then it
# hears every signal sent after.
wt_wait_for_matches() {
        local pid=$1 n=$2 name= i names
        for ((i = 0; i < 100; i++)); do
                if [ -z "$name" ]; then
                        names=$(busctl --address="$wt_bus" call org.freedesktop.DBus /org/freedesktop/DBus \
                                org.freedesktop.DBus ListNames | grep -o '":[0-9.]*"' | tr -d '"')
                        for u in $names; do
                                if busctl --address="$wt_bus" call org.freedesktop.DBus /org/freedesktop/DBus \
                                        org.freedesktop.DBus GetConnectionUnixProcessID s "$u" 2>/dev/null |
                                        grep -qx "u $pid"; then
                                        name=$u
                                fi
                        done
                fi
                if [ -n "$name" ]; then
                        local m
                        m=$(busctl --address="$wt_bus" call org.freedesktop.DBus /org/freedesktop/DBus \
                                org.freedesktop.DBus.Debug.Stats GetConnectionStats s "$name" 2>/dev/null |
                                grep -o '"MatchRules" u [0-9]*' | grep -o '[0-9]*$')
                        [ "${m:-0}" -ge "$n" ] && return 0
                fi
                kill -0 "$pid" 2>/dev/null || wt_die "process $pid exited before subscribing"
                sleep 0.1
        done
        wt_die "process $pid did not subscribe to $n signals"
}

# Waits for the monitor's output to match RE (signals are asynchronous).
wt_wait_for_line() {
        local file=$1 re=$2 i
        for ((i = 0; i < 50; i++)); do
                grep -Eq -- "$re" "$file" && return 0
                sleep 0.1
        done
        wt_fail "monitor: no line matching /$re/"
        cat "$file" >&2
}

wt_finish() {
        if [ "$wt_failures" -gt 0 ]; then
                echo "$wt_failures expectation(s) failed"
                [ ! -s "$wt_dir/wand.log" ] || { echo "--- wand's log:"; cat "$wt_dir/wand.log"; }
                exit 1
        fi
        echo "all expectations met"
        exit 0
}

# An ssh for -H (and libmprapi's remote servers) in DIR: sd-bus runs
# "ssh -xT -- HOST systemd-stdio-bridge"; this one runs the remote command
# here against $FAKE_SSH_BUS, as sshd would on the router against its system
# bus, logs its arguments to $FAKE_SSH_LOG when set, and fails as ssh does
# for the host "unreachable".
wt_fake_ssh() {
        mkdir -p "$1"
        cat >"$1/ssh" <<'SH'
#!/bin/sh
[ -n "$FAKE_SSH_LOG" ] && echo "ssh $*" >>"$FAKE_SSH_LOG"
while [ $# -gt 0 ]; do
case "$1" in
--) shift; break ;;
-*) shift ;;
*) break ;;
esac
done
host=$1
shift
[ "$host" = unreachable ] && { echo "ssh: connect to host unreachable: No route to host" >&2; exit 255; }
exec "$@" --bus-path="$FAKE_SSH_BUS"
SH
        chmod +x "$1/ssh"
}

# wt_call_timeout PID: how long the process PID, blocked waiting for a
# reply, would still wait: "infinite", or seconds. Read from the poll it
# sleeps in (/proc/PID/syscall: ppoll's timeout argument, and the timespec
# it points to in /proc/PID/mem), so that a test sees the limit a client
# set on its call without waiting for it to expire. Waits (5 s at most)
# until PID sleeps in ppoll.
wt_call_timeout() {
        local pid=$1 ppoll fields i sec nsec
        # ppoll's number: x86_64's own; the generic table's (arm64, riscv64, ...).
        case $(uname -m) in
        x86_64) ppoll=271 ;;
        i?86) ppoll=309 ;;
        *) ppoll=73 ;;
        esac
        for ((i = 0; i < 100; i++)); do
                read -ra fields <"/proc/$pid/syscall" || { echo "gone"; return; }
                if [ "${fields[0]}" = "$ppoll" ]; then
                        if [ "$((fields[3]))" = 0 ]; then
                                echo infinite
                        else
                                read -r sec nsec < <(dd if="/proc/$pid/mem" bs=16 count=1 iflag=skip_bytes \
                                        skip=$((fields[3])) 2>/dev/null | od -An -t d8)
                                echo "$sec.$((nsec / 100000000))"
                        fi
                        return
                fi
                sleep 0.05
        done
        echo "not in ppoll: ${fields[0]}"
}
