#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wandctl manager start|stop|status and reload,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

wt_ctl manager status
expect_status 0
expect_out '^running$'
wt_ctl manager status --json
expect_status 0
expect_json 'd["DemandDialManager"] == "running"'

wt_log "stopping the manager disconnects everything"
wt_ctl connect wan0
wt_ctl manager stop
expect_status 0
[ "$(wt_state wan0)" = unreachable ] || wt_fail "wan0 is $(wt_state wan0) after manager stop"
wt_ctl status wan0
expect_out '^ +State: unreachable: the demand-dial manager is stopped$'
ip link show wan0 | grep -q 'state DOWN' || wt_fail "wan0 is still up after manager stop"
wt_ctl manager status
expect_status 3
expect_out '^stopped$'
wt_ctl status
expect_out '^Demand-dial manager: stopped'
wt_ctl connect wan0
expect_status 5
expect_err "^Cannot connect wan0: the demand-dial manager is stopped — run 'wandctl manager start'\.$"
wt_ctl manager stop
expect_status 0
wt_ctl manager start
expect_status 0
wt_ctl manager status
expect_status 0
wt_ctl manager start
expect_status 0

wt_ctl manager
expect_status 2
wt_ctl manager restart
expect_status 2
expect_err 'start, stop or status'
wt_ctl manager start --json
expect_status 2

wt_log "reload: new files appear, removed ones go"
printf '[Interface]\nDevice=wan0\n' >"$wt_dir/config/interfaces/wan5.conf"
rm "$wt_dir/config/interfaces/gone.conf"
wt_ctl reload
expect_status 0
expect_empty_err
wt_ctl list --no-legend
expect_out '^wan5 +wan0 '
expect_no_out '^gone '
wt_ctl reload extra
expect_status 2

wt_log "reload: a file that does not load is named, and its interface kept"
printf '[Interface]\nDevice=wan0\nEnabled=maybe\n' >"$wt_dir/config/interfaces/wan5.conf"
wt_ctl reload
expect_status 0
expect_err "^Not loaded \(what it configures stays as it was\): $wt_dir/config/interfaces/wan5\.conf: line 3: \"maybe\" is not a boolean"
wt_ctl list --no-legend
expect_out '^wan5 +wan0 '
rm "$wt_dir/config/interfaces/wan5.conf"
wt_ctl reload
expect_status 0
expect_empty_err

wt_finish
