#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wandctl list and status: the table, the words, JSON and colour, and the
# same when wand refuses GetManagedObjects as too large (BusMaxMessageSize=),
# against the real wand on a private bus in a private network namespace;
# interfaces deleted during that listing, against a wand double (fake-wand.c).
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
expect_json 'd["Manager"]["DemandDialManager"] == "running" and d["Manager"]["Version"] and len(d["Interfaces"]) == 3
             and sorted(d) == ["Interfaces", "Manager"] and d["Manager"]["RefusedFiles"] == []'

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

wt_log "status of several, one unknown: the others are shown, exit 10"
wt_ctl status wan0 nosuch wan1
expect_status 10
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

wt_log "GetManagedObjects refused (BusMaxMessageSize=4K): the same list and status, one GetAll per interface"
# wan0 disconnected, so that nothing depends on when wand started; a dozen
# more interfaces make GetManagedObjects' reply pass 4 KiB.
wt_ctl disconnect wan0
expect_status 0
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
        printf '[Interface]\nDevice=site%s\n' "$i" >"$wt_dir/config/interfaces/site$i.conf"
done
wt_ctl reload
expect_status 0
wt_ctl list
expect_status 0
expect_out '^15 interfaces listed\.$'
cp "$wt_out" "$wt_dir/list.whole"
wt_ctl status
expect_status 0
grep -v '^ *InstanceId: ' "$wt_out" >"$wt_dir/status.whole" # new ones after the restart

wt_restart_wand_refusing_managed_objects

wt_ctl list
expect_status 0
expect_empty_err
diff -u "$wt_dir/list.whole" "$wt_out" >&2 || wt_fail "list differs when GetManagedObjects is refused"
wt_ctl status
expect_status 0
expect_empty_err
grep -v '^ *InstanceId: ' "$wt_out" | diff -u "$wt_dir/status.whole" - >&2 ||
        wt_fail "status differs when GetManagedObjects is refused"

# Against this wand's own answers: the names ListInterfaces gives, each read
# on its own (status NAME..., GetAll), InstanceId and all.
names=$(busctl --address="$wt_bus" --json=short call org.wand.Router1 /org/wand/Router1 \
        org.wand.Router1.Manager ListInterfaces | python3 -c 'import json, sys
print(" ".join(n for n, p, s in json.load(sys.stdin)["data"][0]))')
[ "$(wc -w <<<"$names")" = 15 ] || wt_fail "ListInterfaces gave $names"
wt_ctl status --json $names
expect_status 0
cp "$wt_out" "$wt_dir/status.each.json"
wt_ctl status --json
expect_status 0
cmp -s "$wt_dir/status.each.json" "$wt_out" || { wt_fail "status --json differs from each interface's GetAll"; wt_show; }
wt_ctl list --json
expect_status 0
expect_json '[i["Name"] for i in d] == "'"$names"'".split()
             and d == __import__("json").load(open("'"$wt_dir/status.each.json"'"))["Interfaces"]'

wt_log "GetManagedObjects refused, and interfaces deleted between ListInterfaces and their GetAll: left out"
wt_stop_wand
wt_start_fake_wand too-large
wt_ctl list
expect_status 0
expect_empty_err
expect_out '^a0 +wan9 +disconnected +-$'
expect_out '^z9 +wan0 +connected +-$'
expect_out '^2 interfaces listed\.$'
expect_no_out 'deleted|vanished'
[ "$(cat "$wt_dir/fake-wand.log")" = "GetManagedObjects
ListInterfaces
GetAll /org/wand/Router1/interface/a0
GetAll /org/wand/Router1/interface/deleted
GetAll /org/wand/Router1/interface/vanished
GetAll /org/wand/Router1/interface/z9" ] || { wt_fail "not ListInterfaces and a GetAll each"; cat "$wt_dir/fake-wand.log" >&2; }
wt_ctl status --json
expect_status 0
expect_json '[i["Name"] for i in d["Interfaces"]] == ["a0", "z9"] and d["Interfaces"][1]["InstanceId"] == 9'

wt_log "LastErrorReason: in words, a word wandctl does not know as it comes, and in JSON"
wt_ctl status
expect_status 0
expect_out '^ +Last error: connection failed \(org\.wand\.Router1\.Error\.ConnectionFailed\): the dialer exited before the connection came up$'
expect_out '^ +Last error: connection failed \(org\.wand\.Router1\.Error\.ConnectionFailed\): link-lost$'
expect_no_out 'LastErrorReason'
wt_ctl status --json
expect_json '[i["LastErrorReason"] for i in d["Interfaces"]] == ["link-lost", "dialer-exited"]'

wt_log "GetManagedObjects refused, and another error on a GetAll: reported"
wt_stop_fake_wand
wt_start_fake_wand denied
wt_ctl list
expect_status 11
expect_err '^Cannot list the interfaces: not authorized'
expect_err '^  wand says: Reading denied is denied\.$'
[ ! -s "$wt_out" ] || { wt_fail "list printed a partial listing"; wt_show; }

wt_log "GetManagedObjects failing otherwise: reported, no ListInterfaces"
wt_stop_fake_wand
wt_start_fake_wand refused
wt_ctl list
expect_status 11
expect_err '^Cannot list the interfaces: not authorized'
expect_err '^  wand says: Not today\.$'
[ "$(cat "$wt_dir/fake-wand.log")" = GetManagedObjects ] ||
        { wt_fail "more than GetManagedObjects was called"; cat "$wt_dir/fake-wand.log" >&2; }

wt_finish
