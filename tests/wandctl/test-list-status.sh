#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wandctl list and status: the table, the words, JSON and colour,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

wt_log "list: the table, sorted, without colour off a terminal"
wt_ctl
expect_status 0
expect_out '^NAME +DEVICE +STATE +SINCE$'
expect_out '^gone +wan9 +unreachable +-$'
expect_out '^wan0 +wan0 +disconnected +-$'
expect_out '^3 interfaces listed\.$'
expect_no_out $'\e'
expect_empty_err
[ "$(grep -Eo '^(gone|wan0|wan1) ' "$wt_out" | tr -d ' ' | tr '\n' ' ')" = "gone wan0 wan1 " ] ||
        wt_fail "list is not sorted by name"

wt_ctl list --no-legend
expect_status 0
expect_no_out 'NAME|listed'
expect_out '^wan1 +wan1 +disconnected +-$'

wt_log "list --json"
wt_ctl list --json
expect_status 0
expect_json '[i["Name"] for i in d] == ["gone", "wan0", "wan1"] and d[1]["State"] == "disconnected"
             and d[1]["Path"] == "/org/wand/Router1/interface/wan0" and d[0]["UnreachabilityReasons"] == ["no-device"]
             and d[1]["ConnectedSince"] == 0 and d[1]["Enabled"] is True and d[1]["IfIndex"] > 0'

wt_log "colour on a terminal, and never with NO_COLOR"
wt_on_tty env DBUS_SYSTEM_BUS_ADDRESS="$wt_bus" "$WANDCTL_BINARY" list
expect_status 0
expect_out $'\e\\[0;31munreachable'
wt_on_tty env NO_COLOR=1 DBUS_SYSTEM_BUS_ADDRESS="$wt_bus" "$WANDCTL_BINARY" list
expect_status 0
expect_out 'unreachable'
expect_no_out $'\e'

wt_log "status: every interface, every property, and the demand-dial manager"
wt_ctl status
expect_status 0
expect_out '^Demand-dial manager: running \(wand [0-9.]+\)$'
expect_out '^● gone$'
expect_out '^ +State: unreachable: device wan9 does not exist$'
expect_out '^ +Device: wan9 \(not present\)$'
expect_out '^● wan0$'
expect_out '^ +Handle: /org/wand/Router1/interface/wan0$'
expect_out '^ +Device: wan0 \(ifindex [0-9]+\)$'
expect_out '^ +State: disconnected$'
expect_out '^ +Enabled: yes$'
expect_out '^ +Persistent: no$'
expect_out '^ +Last error: -$'
expect_empty_err

wt_ctl status wan1
expect_status 0
expect_out '^● wan1$'
expect_no_out 'wan0|gone'

wt_ctl status --json
expect_status 0
expect_json 'd["DemandDialManager"] == "running" and d["Version"] and len(d["Interfaces"]) == 3'

wt_log "connected: SINCE and ConnectedSince"
wt_ctl connect wan0
expect_status 0
sleep 1.1
wt_ctl list
expect_out '^wan0 +wan0 +connected +[0-9]+s$'
wt_ctl status wan0
expect_out '^ +State: connected since [A-Z][a-z]{2} [0-9-]{10} [0-9:]{8} UTC; [0-9]+s ago$'
wt_ctl status --json wan0
expect_json 'd["Interfaces"][0]["State"] == "connected" and d["Interfaces"][0]["ConnectedSince"] > 1e15'

wt_log "status of several, one unknown: the others are shown, exit 4"
wt_ctl status wan0 nosuch wan1
expect_status 4
expect_out '^● wan0$'
expect_out '^● wan1$'
expect_err '^Cannot show nosuch: nosuch does not exist \(any more\) — .wandctl list. shows the interfaces\.$'

wt_log "--help, --version"
wt_ctl --help
expect_status 0
expect_out '^Usage: wandctl'
wt_ctl --version
expect_status 0
expect_out '^wandctl [0-9.]+$'

wt_finish
