#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libmprapi against the real wand on a private bus in a private network
# namespace (tests/wandctl/lib.sh: wan0 gets carrier, wan1 never does, gone
# has no device): test-mprapi's scenarios as root and as uid 65534 denied by
# polkit, over a fake ssh, without wand, and the Windows examples' output;
# MprAdminInterfaceEnum when wand refuses GetManagedObjects as too large
# (BusMaxMessageSize=; and with a wand double, fake-wand.c, interfaces
# deleted meanwhile).
# MPRAPI_WRAPPER (valgrind) wraps every run of the test program.
# Needs root; skipped (77) otherwise.
set -uo pipefail
: "${MPRAPI_TEST:?}" "${MPRAPI_EXAMPLES:?}" "${FAKE_POLKIT_BINARY:?}"
. "$(dirname "$(readlink -f "$0")")/../wandctl/lib.sh"
wt_setup "$@"

wrapper=${MPRAPI_WRAPPER:-}

run() {
        wt_log "scenario $1"
        $wrapper "$MPRAPI_TEST" "$@" || wt_fail "scenario $*"
}

run_nobody() {
        wt_log "scenario $1 (as nobody)"
        setpriv --reuid=65534 --regid=65534 --clear-groups $wrapper "$MPRAPI_TEST" "$@" || wt_fail "scenario $* as nobody"
}

# example NAME ARGS...: runs mprapi-NAME; $ex_out, $ex_status
example() {
        local prog=$1
        shift
        ex_out=$($wrapper "$MPRAPI_EXAMPLES/mprapi-$prog" "$@" 2>&1)
        ex_status=$?
}

expect_example() {
        if [ "$ex_status" != "$1" ] || ! grep -Eq -- "$2" <<<"$ex_out"; then
                wt_fail "example: status $ex_status (expected $1), output does not match /$2/:"
                echo "$ex_out" >&2
        fi
}

for s in service handles info connect create-delete enum; do
        run "$s"
done

wt_log "denied: polkit not on the bus"
run_nobody denied

wt_log "denied: polkit wants a password, and the Win32 API cannot ask for one"
log=$wt_dir/polkit.log
: >"$log"
"$FAKE_POLKIT_BINARY" "$log" 2>>"$wt_dir/polkit.err" &
polkit_pid=$!
wt_pids+=("$polkit_pid")
wt_wait_for_name org.freedesktop.PolicyKit1 "$polkit_pid" "$wt_dir/polkit.err"
run_nobody denied
# Sync and async Connect were both asked about, never interactively, and
# the asynchronous one was not cancelled by the caller leaving.
[ "$(grep -c '^check org.wand.Router1.connect flags=0 interface=wan0$' "$log")" = 2 ] ||
        { wt_fail "polkit was not asked twice about connect, non-interactively"; cat "$log" >&2; }
! grep -q '^cancel' "$log" || { wt_fail "a polkit check was cancelled"; cat "$log" >&2; }

wt_log "an operator: polkit grants connect, disconnect and configure, not configure-privileged"
kill "$polkit_pid"
wait "$polkit_pid" 2>/dev/null
wt_wait_for_no_name org.freedesktop.PolicyKit1
: >"$log"
"$FAKE_POLKIT_BINARY" "$log" org.wand.Router1.connect org.wand.Router1.disconnect org.wand.Router1.configure \
        2>>"$wt_dir/polkit.err" &
polkit_pid=$!
wt_pids+=("$polkit_pid")
wt_wait_for_name org.freedesktop.PolicyKit1 "$polkit_pid" "$wt_dir/polkit.err"
run_nobody operator
grep -q '^check org.wand.Router1.configure flags=0' "$log" || { wt_fail "configure was not asked"; cat "$log" >&2; }
! grep -q 'configure-privileged' "$log" || { wt_fail "libmprapi needed configure-privileged"; cat "$log" >&2; }
# The double that grants nothing again, for what follows.
kill "$polkit_pid"
wait "$polkit_pid" 2>/dev/null
wt_wait_for_no_name org.freedesktop.PolicyKit1
"$FAKE_POLKIT_BINARY" "$log" 2>>"$wt_dir/polkit.err" &
polkit_pid=$!
wt_pids+=("$polkit_pid")
wt_wait_for_name org.freedesktop.PolicyKit1 "$polkit_pid" "$wt_dir/polkit.err"

wt_log "the Windows examples"
example enum-interfaces
expect_example 0 '^gone unreachable reasons=0x40 last-error=0$'
expect_example 0 '^wan0 disconnected reasons=0x0 last-error=0$'
expect_example 0 '^wan1 disconnected reasons=0x0 last-error=679$'
example disconnect-interface wan0
expect_example 1 '^MprAdminInterfaceDisconnect: 906 ERROR_INTERFACE_NOT_CONNECTED: The interface is not connected\.$'
wt_ctl connect wan0
expect_status 0
example disconnect-interface wan0
expect_example 0 '^MprAdminInterfaceDisconnect: 0 NO_ERROR: '
example disconnect-interface nosuch
expect_example 1 '^MprAdminInterfaceGetHandle: 905 ERROR_NO_SUCH_INTERFACE: '
wt_ctl connect wan0
ex_out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $wrapper "$MPRAPI_EXAMPLES/mprapi-disconnect-interface" wan0 2>&1)
ex_status=$?
expect_example 1 '^MprAdminInterfaceDisconnect: 5 ERROR_ACCESS_DENIED: '
wt_ctl manager stop
expect_status 0
example disconnect-interface wan0
expect_example 1 '^MprAdminInterfaceDisconnect: 903 ERROR_DDM_NOT_RUNNING: '
wt_ctl manager start

wt_log "over ssh"
bin=$wt_dir/bin
wt_fake_ssh "$bin"
if command -v systemd-stdio-bridge >/dev/null; then
        (unset DBUS_SYSTEM_BUS_ADDRESS; PATH=$bin:$PATH FAKE_SSH_BUS=$wt_bus run remote)
else
        wt_fail "systemd-stdio-bridge is not installed"
fi

wt_log "wand not running"
wt_stop_wand
run no-wand

wt_log "GetManagedObjects refused (BusMaxMessageSize=4K): MprAdminInterfaceEnum the same, one GetAll per interface"
# A dozen more interfaces make GetManagedObjects' reply pass 4 KiB.
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
        printf '[Interface]\nDevice=site%s\n' "$i" >"$wt_dir/config/interfaces/site$i.conf"
done
wt_start_wand
$wrapper "$MPRAPI_TEST" enum-print >"$wt_dir/enum.whole" || wt_fail "scenario enum-print"
wt_restart_wand_refusing_managed_objects
$wrapper "$MPRAPI_TEST" enum-print >"$wt_dir/enum.each" || wt_fail "scenario enum-print"
diff -u "$wt_dir/enum.whole" "$wt_dir/enum.each" >&2 || wt_fail "MprAdminInterfaceEnum differs when GetManagedObjects is refused"
names=$(busctl --address="$wt_bus" --json=short call org.wand.Router1 /org/wand/Router1 \
        org.wand.Router1.Manager ListInterfaces | python3 -c 'import json, sys
print(" ".join(n for n, p, s in json.load(sys.stdin)["data"][0]))')
[ "$(grep -c . <<<"${names// /$'\n'}")" = 15 ] || wt_fail "ListInterfaces gave: $names"
[ "$(grep -v ': ok$' "$wt_dir/enum.each" | cut -d' ' -f1 | tr '\n' ' ')" = "$names " ] ||
        { wt_fail "MprAdminInterfaceEnum's names are not ListInterfaces'"; cat "$wt_dir/enum.each" >&2; }
run enum-each

wt_log "GetManagedObjects refused, interfaces deleted between ListInterfaces and their GetAll: left out"
wt_stop_wand
wt_start_fake_wand too-large
# dwLastError from LastErrorReason: z9's dialer-exited is ERROR_PORT_DISCONNECTED,
# a0's word of a newer wand leaves ConnectionFailed's ERROR_NO_CARRIER.
out=$($wrapper "$MPRAPI_TEST" enum-print) || wt_fail "scenario enum-print (exit status $?)"
[ "$out" = "a0 enabled=1 type=2 state=1 reasons=0 last-error=679
z9 enabled=1 type=2 state=3 reasons=0 last-error=619
enum-print: ok" ] || { wt_fail "MprAdminInterfaceEnum with interfaces deleted meanwhile:"; echo "$out" >&2; }
wt_stop_fake_wand
wt_start_fake_wand denied
out=$($wrapper "$MPRAPI_TEST" enum-print) || wt_fail "scenario enum-print (exit status $?)"
[ "$out" = "error 5
enum-print: ok" ] || { wt_fail "MprAdminInterfaceEnum with AccessDenied on a GetAll:"; echo "$out" >&2; }
wt_stop_fake_wand

wt_finish
