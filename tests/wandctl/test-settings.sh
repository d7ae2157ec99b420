#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wandctl settings (GetSettings) and wandctl set (UpdateSettings), and the
# file lines set changes, against the real wand on a private bus in a private
# network namespace. Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

f=$wt_dir/config/interfaces/wan1.conf

wt_log "settings: every key, in the words of wand.conf"
wt_ctl settings wan1
expect_status 0
expect_empty_err
for line in 'Device=wan1' 'ConnectCommand=' 'DisconnectCommand=' 'Enabled=yes' 'Persistent=no' \
        'ConnectTimeoutSec=1' 'DisconnectTimeoutSec=10' 'RedialIntervalSec=5' 'RedialMaxIntervalSec=300' \
        'RedialAttempts=10' 'ClaimDevice=no'; do
        expect_out "^$line\$"
done
wt_ctl settings --json wan1
expect_status 0
expect_json 'd["Device"] == "wan1" and d["ConnectCommand"] == [] and d["Enabled"] is True and
             d["ConnectTimeoutSec"] == 1 and d["ClaimDevice"] is False and len(d) == 11'

wt_log "set: only the keys given change, in memory and in the file"
wt_ctl set wan1 --connect-command "/usr/sbin/pppd call 'my isp'" --persistent --redial-attempts=0
expect_status 0
expect_empty_err
wt_ctl settings --json wan1
expect_json 'd["ConnectCommand"] == ["/usr/sbin/pppd", "call", "my isp"] and d["Persistent"] is True and
             d["RedialAttempts"] == 0 and d["ConnectTimeoutSec"] == 1 and d["Device"] == "wan1"'
wt_ctl settings wan1
expect_out "^ConnectCommand=/usr/sbin/pppd call 'my isp'\$"
grep -q '^ConnectCommand=.*pppd.*call.*my isp' "$f" || { wt_fail "$f: no ConnectCommand"; cat "$f" >&2; }
grep -qx 'ConnectTimeoutSec=1' "$f" || { wt_fail "$f lost ConnectTimeoutSec=1"; cat "$f" >&2; }

wt_log "set --claim-device writes ClaimDevice=yes; --no-claim-device back"
wt_ctl set wan1 --claim-device
expect_status 0
wt_ctl settings --json wan1
expect_json 'd["ClaimDevice"] is True'
grep -qx 'ClaimDevice=yes' "$f" || { wt_fail "$f: no ClaimDevice=yes"; cat "$f" >&2; }
wt_ctl set wan1 --no-claim-device
expect_status 0
wt_ctl settings --json wan1
expect_json 'd["ClaimDevice"] is False'

wt_log "set: an empty command line removes the command; --no-persistent"
wt_ctl set wan1 --connect-command= --no-persistent
expect_status 0
wt_ctl settings --json wan1
expect_json 'd["ConnectCommand"] == [] and d["Persistent"] is False'
! grep -q '^ConnectCommand=.' "$f" || { wt_fail "$f still has a ConnectCommand"; cat "$f" >&2; }
wt_ctl reload
wt_ctl settings --json wan1
expect_json 'd["ConnectCommand"] == [] and d["Persistent"] is False and d["RedialAttempts"] == 0'

wt_log "set --disabled on a connected interface disconnects it; --enabled"
wt_ctl connect wan0
expect_status 0
wt_ctl set wan0 --disabled
expect_status 0
[ "$(wt_state wan0)" = unreachable ] || wt_fail "wan0 is $(wt_state wan0) after set --disabled"
wt_ctl set wan0 --enabled
expect_status 0
[ "$(wt_state wan0)" = disconnected ] || wt_fail "wan0 is $(wt_state wan0) after set --enabled"

wt_log "errors"
wt_ctl set wan1
expect_status 2
expect_err 'set needs at least one setting'
wt_ctl set wan1 --connect-timeout=0
expect_status 2
expect_err '^Cannot change the settings of wan1: the service refused the arguments'
expect_err '^  wand says: .*ConnectTimeoutSec'
wt_ctl set wan1 --device=a/b
expect_status 2
expect_err '^  wand says: .*Device'
wt_ctl set wan1 --connect-command "pppd 'unterminated"
expect_status 2
expect_err 'unterminated single quote'
wt_ctl set nosuch --persistent
expect_status 10
expect_err '^Cannot change the settings of nosuch: there is no WAN interface called nosuch'
wt_ctl settings nosuch
expect_status 10
wt_ctl set --json wan1 --persistent
expect_status 2
expect_err '^wandctl: --json is for'
wt_ctl settings wan1 --persistent
expect_status 2
expect_err 'options of create and set, not of settings'
wt_ctl settings
expect_status 2

wt_log "unprivileged: polkit guards reading settings (a command may hold a secret) and changing them"
FAKE_POLKIT_BINARY=${FAKE_POLKIT_BINARY:?}
: >"$wt_dir/polkit.log"
"$FAKE_POLKIT_BINARY" "$wt_dir/polkit.log" 2>>"$wt_dir/polkit.err" &
wt_pids+=($!)
wt_wait_for_name org.freedesktop.PolicyKit1 $! "$wt_dir/polkit.err"
wt_ctl_nobody settings wan1
expect_status 11
expect_err '^Cannot read the settings of wan1: .*org.wand.Router1.configure'
expect_no_out 'Device'
wt_ctl_nobody set wan1 --persistent
expect_status 11
expect_err '^Cannot change the settings of wan1: .*org.wand.Router1.configure'
wt_ctl settings --json wan1
expect_json 'd["Persistent"] is False'
wt_ctl_nobody set wan1 --connect-command /bin/true
expect_status 11
expect_err '^Cannot change the settings of wan1: .*org.wand.Router1.configure-privileged'
wt_ctl_nobody create lab --device=lab0 --disconnect-command /bin/true
expect_status 11
expect_err '^Cannot create lab: .*org.wand.Router1.configure-privileged'
grep -qx 'check org.wand.Router1.configure-privileged flags=0 interface=wan1' "$wt_dir/polkit.log" ||
        { wt_fail "set --connect-command did not ask configure-privileged"; cat "$wt_dir/polkit.log" >&2; }
kill "${wt_pids[-1]}"
wt_wait_for_no_name org.freedesktop.PolicyKit1

wt_log "a user who holds only configure: the commands are hidden, the rest can be read and set"
wt_ctl set wan1 --connect-command "/usr/sbin/pppd call 'my secret'"
expect_status 0
: >"$wt_dir/polkit.log"
"$FAKE_POLKIT_BINARY" "$wt_dir/polkit.log" org.wand.Router1.configure 2>>"$wt_dir/polkit.err" &
wt_pids+=($!)
wt_wait_for_name org.freedesktop.PolicyKit1 $! "$wt_dir/polkit.err"
wt_ctl_nobody settings wan1
expect_status 0
expect_empty_err
expect_out '^# ConnectCommand= and DisconnectCommand= are hidden: reading them needs the$'
expect_out '^# org.wand.Router1.configure-privileged polkit action \(root-equivalent\)\.$'
expect_out '^Device=wan1$'
expect_no_out 'secret'
expect_no_out '^ConnectCommand='
expect_no_out 'CommandsHidden'
wt_ctl_nobody settings --json wan1
expect_status 0
expect_json 'd["CommandsHidden"] is True and "ConnectCommand" not in d and "DisconnectCommand" not in d and
             d["Device"] == "wan1" and len(d) == 10'
wt_ctl_nobody set wan1 --persistent --connect-timeout=3
expect_status 0
expect_empty_err
wt_ctl settings --json wan1
expect_json 'd["ConnectCommand"] == ["/usr/sbin/pppd", "call", "my secret"] and d["Persistent"] is True and
             d["ConnectTimeoutSec"] == 3 and "CommandsHidden" not in d'
grep -q '^ConnectCommand=.*my secret' "$f" || { wt_fail "$f lost its ConnectCommand"; cat "$f" >&2; }
wt_ctl_nobody set wan1 --connect-command=
expect_status 11
expect_err 'org.wand.Router1.configure-privileged'
wt_ctl settings --json wan1
expect_json 'd["ConnectCommand"] == ["/usr/sbin/pppd", "call", "my secret"]'

wt_finish
