#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every error of the contract as wandctl says it, with its exit status,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

wt_log "each error of the contract: message and exit status"

wt_ctl_nobody disconnect wan0
expect_status 11
expect_err '^Cannot disconnect wan0: not authorized — run as root, or ask an administrator for the org.wand.Router1.disconnect polkit action\.$'
expect_err '^  wand says: polkit is not running'
wt_ctl_nobody manager stop
expect_status 11
expect_err '^Cannot stop the demand-dial manager: not authorized — .*org.wand.Router1.control polkit action\.$'
wt_ctl_nobody list
expect_status 0

wt_ctl status nosuch
expect_status 10
expect_err '^Cannot show nosuch: nosuch does not exist \(any more\)'          # InvalidHandle
wt_ctl connect nosuch
expect_status 10
expect_err '^Cannot connect nosuch: there is no WAN interface called nosuch — .wandctl list. shows the interfaces\.$' # NoSuchInterface

wt_ctl disconnect wan0
expect_status 0                                                                # InterfaceNotConnected: done already
expect_err '^wan0 is not connected\.$'
wt_ctl connect wan0
wt_ctl connect wan0
expect_status 0                                                                # AlreadyConnected: done already
expect_err '^wan0 is already connected\.$'
wt_ctl disconnect gone
expect_status 0                                                                # unreachable: not connected either
expect_err '^gone is not connected\.$'
wt_ctl disconnect nosuch
expect_status 10
wt_ctl delete wan0
expect_status 6
expect_err '^Cannot delete wan0: wan0 is connected'                            # InterfaceConnected
wt_ctl create wan0 --device=wan0
expect_status 6
expect_err '^Cannot create wan0: an interface called wan0 already exists'      # InterfaceAlreadyExists
wt_ctl connect gone
expect_status 6
expect_err "^Cannot connect gone: gone is unreachable — 'wandctl status gone' says why\.$" # InterfaceUnreachable
expect_err '^  wand says: .*wan9'
wt_ctl disable wan1
wt_ctl connect wan1
expect_status 6
expect_err '^Cannot connect wan1: wan1 is disabled'                            # InterfaceDisabled
wt_ctl enable wan1
wt_ctl connect wan1
expect_status 4
expect_err '^Cannot connect wan1: the connection attempt failed'               # ConnectionFailed
wt_ctl create x --device=
expect_status 2
expect_err '^Cannot create x: the service refused the arguments'               # InvalidArgs
wt_ctl manager stop
wt_ctl connect wan0
expect_status 5
expect_err '^Cannot connect wan0: the demand-dial manager is stopped'          # DemandDialManagerNotRunning
wt_ctl disconnect wan0                                                         # ... but everything is disconnected
expect_status 0
expect_err '^wan0 is not connected \(the demand-dial manager is stopped\)\.$'
wt_ctl manager start

wt_log "no answer in time"
wt_ctl --timeout=0.3 connect wan1
expect_status 3
expect_err '^Cannot connect wan1: the service did not answer in time — try a longer --timeout\.$'
wt_ctl --timeout=0 list
expect_status 2

wt_log "usage"
wt_ctl frobnicate
expect_status 2
expect_err "unknown command 'frobnicate'"
wt_ctl --bogus
expect_status 2
wt_ctl connect 'a b'
expect_status 2
wt_ctl connect --json wan0
expect_status 2

wt_log "a failure, not a refusal: what wand says, with the name"
wt_ctl connect wan0
expect_status 0
wt_stop_wand
# Without CAP_NET_ADMIN the kernel refuses to set wan0 down: its EPERM is
# Failed, not polkit's AccessDenied (exit status 3).
wt_wand_prefix="setpriv --bounding-set=-net_admin" wt_start_wand
wt_ctl disconnect wan0
expect_status 1
expect_err '^Cannot disconnect wan0: Could not set device wan0 down: Operation not permitted \(org\.freedesktop\.DBus\.Error\.Failed\)\.$'

wt_log "the service is not running"
wt_stop_wand
wt_ctl list
expect_status 8
expect_err "^Cannot list the interfaces: the wand service is not running — start it with 'systemctl start wand'\.$"
wt_ctl connect wan0 wan1
expect_status 8
[ "$(grep -c . "$wt_err")" = 1 ] || wt_fail "connect went on after the service was found missing"

wt_log "no bus at all"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$wt_dir/nothing wt_ctl list
expect_status 8
expect_err 'system bus'

wt_finish
