#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Interactive authorization, --no-ask-password and pkttyagent, with a
# polkit double (fake-polkit.c) on the bus,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

log=$wt_dir/polkit.log
FAKE_POLKIT_BINARY=${FAKE_POLKIT_BINARY:?}
: >"$log"
"$FAKE_POLKIT_BINARY" "$log" 2>>"$wt_dir/polkit.err" &
wt_pids+=($!)
wt_wait_for_name org.freedesktop.PolicyKit1 $! "$wt_dir/polkit.err"

wt_log "not on a terminal: no interactive authorization, so polkit's challenge is an error"
wt_ctl_nobody disconnect wan0
expect_status 11
expect_err '^Cannot disconnect wan0: an administrator.s authentication is required — run wandctl on a terminal without --no-ask-password, or as root, or ask an administrator for the org.wand.Router1.disconnect polkit action\.$'
grep -qx 'check org.wand.Router1.disconnect flags=0 interface=wan0' "$log" || { wt_fail "polkit was not asked"; cat "$log" >&2; }

wt_log "on a terminal: interactive authorization, and pkttyagent is started"
: >"$log"
wt_on_tty env DBUS_SYSTEM_BUS_ADDRESS="$wt_bus" setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$WANDCTL_BINARY" connect wan0
expect_status 11
expect_out 'Cannot connect wan0: not authorized — run as root, or ask an administrator for the org.wand.Router1.connect polkit action\.'
grep -qx 'check org.wand.Router1.connect flags=1 interface=wan0' "$log" ||
        { wt_fail "the call was not interactive"; cat "$log" >&2; }
if [ -x /usr/bin/pkttyagent ]; then
        grep -q '^register-agent' "$log" || { wt_fail "pkttyagent did not register"; cat "$log" >&2; }
fi

wt_log "on a terminal with --no-ask-password: neither"
: >"$log"
wt_on_tty env DBUS_SYSTEM_BUS_ADDRESS="$wt_bus" setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$WANDCTL_BINARY" --no-ask-password create wan4 --device=wan4
expect_status 11
expect_out 'Cannot create wan4: an administrator.s authentication is required .*org.wand.Router1.configure'
grep -qx 'check org.wand.Router1.configure flags=0 interface=wan4' "$log" || { wt_fail "no check"; cat "$log" >&2; }
! grep -q '^register-agent' "$log" || wt_fail "pkttyagent was started despite --no-ask-password"

wt_log "root on a terminal: wand asks polkit nothing, no agent is needed"
: >"$log"
wt_on_tty env DBUS_SYSTEM_BUS_ADDRESS="$wt_bus" "$WANDCTL_BINARY" connect wan0
expect_status 0
[ ! -s "$log" ] || { wt_fail "polkit was asked about root"; cat "$log" >&2; }

wt_log "reading needs no authorization"
wt_ctl_nobody status wan0
expect_status 0

wt_finish
