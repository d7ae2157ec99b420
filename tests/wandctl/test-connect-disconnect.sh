#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wandctl connect and disconnect, of one interface and of several,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

wt_ctl connect wan0
expect_status 0
expect_empty_err
[ "$(wt_state wan0)" = connected ] || wt_fail "wan0 is $(wt_state wan0) after connect"
ip link show wan0 | grep -q 'state UP' || wt_fail "wan0 is not up after connect"

wt_ctl disconnect wan0
expect_status 0
[ "$(wt_state wan0)" = disconnected ] || wt_fail "wan0 is $(wt_state wan0) after disconnect"

wt_log "several: each in turn, a failure does not stop the rest, the first failure's status"
wt_ctl connect wan1 wan0
expect_status 4
expect_err '^Cannot connect wan1: the connection attempt failed — .wandctl status wan1. shows the interface'
expect_err '^  wand says: .*wan1'
[ "$(wt_state wan0)" = connected ] || wt_fail "wan0 was not connected after wan1 failed"

wt_ctl status wan1
expect_out '^ +Last error: connection failed \(org\.wand\.Router1\.Error\.ConnectionFailed\): the device had no carrier within ConnectTimeoutSec$'

wt_ctl disconnect nosuch wan0
expect_status 10
expect_err '^Cannot disconnect nosuch: there is no WAN interface called nosuch'
[ "$(wt_state wan0)" = disconnected ] || wt_fail "wan0 was not disconnected after nosuch failed"

wt_ctl connect
expect_status 2
expect_err 'connect needs an interface name'

wt_finish
