#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wandctl create, enable, disable and delete, and the files they write,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

wt_log "create with every setting"
wt_ctl create wan2 --device=wan2x --persistent --disabled --connect-timeout=5 --disconnect-timeout 3 \
        --connect-command "/usr/sbin/pppd call 'my isp'" --disconnect-command 'poff "my isp"' \
        --redial-interval=7 --redial-max-interval=70 --redial-attempts=0
expect_status 0
expect_empty_err
f=$wt_dir/config/interfaces/wan2.conf
[ -f "$f" ] || wt_fail "create wrote no $f"
for line in 'Device=wan2x' 'ConnectTimeoutSec=5' 'DisconnectTimeoutSec=3' 'RedialIntervalSec=7' \
        'RedialMaxIntervalSec=70' 'RedialAttempts=0'; do
        grep -qx "$line" "$f" || { wt_fail "$f lacks $line"; cat "$f" >&2; }
done
grep -Eqi '^Persistent=(yes|true|1)$' "$f" || wt_fail "$f: not persistent"
grep -Eqi '^Enabled=(no|false|0)$' "$f" || wt_fail "$f: not disabled"
grep -q '^ConnectCommand=.*pppd.*call.*my isp' "$f" || wt_fail "$f: no ConnectCommand"
grep -q '^DisconnectCommand=.*poff.*my isp' "$f" || wt_fail "$f: no DisconnectCommand"
wt_ctl list --json
expect_json '[i for i in d if i["Name"] == "wan2"][0]["Persistent"] is True and
             [i for i in d if i["Name"] == "wan2"][0]["Enabled"] is False'

wt_log "create with only the device: the service's defaults"
wt_ctl create site-b --device=wan1
expect_status 0
wt_ctl status site-b
expect_out '^ +Handle: /org/wand/Router1/interface/site_2db$'
expect_out '^ +Persistent: no$'

wt_log "create's errors"
wt_ctl create wan2 --device=wan2
expect_status 6
expect_err '^Cannot create wan2: an interface called wan2 already exists — choose another name, or run .wandctl delete wan2. first\.$'
wt_ctl create wan3
expect_status 2
expect_err 'create needs --device'
wt_ctl create wan3 --device=a/b
expect_status 2
expect_err '^Cannot create wan3: the service refused the arguments'
expect_err '^  wand says: .*Device'
wt_ctl create 'bad name' --device=x
expect_status 2
expect_err "'bad name' is not a valid interface name"
wt_ctl create wan3 --device=wan3 --connect-command "pppd 'unterminated"
expect_status 2
expect_err 'unterminated single quote'
wt_ctl create wan3 --device=wan3 --connect-timeout=1.5
expect_status 2
expect_err 'connect-timeout needs a whole number'
wt_ctl create wan3 --device=wan3 --connect-timeout=0
expect_status 2
expect_err '^  wand says: .*ConnectTimeoutSec'
wt_ctl list --device=wan0
expect_status 2
expect_err 'options of create'

wt_log "disable, enable"
wt_ctl disable wan0
expect_status 0
[ "$(wt_prop /org/wand/Router1/interface/wan0 org.wand.Router1.Interface Enabled)" = false ] ||
        wt_fail "wan0 still enabled"
wt_ctl status wan0
expect_out '^ +State: unreachable: disabled$'
expect_out '^ +Enabled: no$'
wt_ctl connect wan0
expect_status 6
expect_err '^Cannot connect wan0: wan0 is disabled — run .wandctl enable wan0. first\.$'
wt_ctl enable wan0
expect_status 0
[ "$(wt_state wan0)" = disconnected ] || wt_fail "wan0 is $(wt_state wan0) after enable"

wt_log "delete"
wt_ctl connect wan0
wt_ctl delete wan0
expect_status 6
expect_err '^Cannot delete wan0: wan0 is connected — run .wandctl disconnect wan0. first\.$'
wt_ctl disconnect wan0
wt_ctl delete wan0 wan2
expect_status 0
[ ! -e "$wt_dir/config/interfaces/wan0.conf" ] || wt_fail "delete left wan0.conf"
wt_ctl list --no-legend
expect_no_out '^wan0 |^wan2 '
wt_ctl delete wan0
expect_status 10
expect_err '^Cannot delete wan0: there is no WAN interface called wan0'

wt_finish
