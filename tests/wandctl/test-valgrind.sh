#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The commands under valgrind: no invalid access, no leak,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 77; }
wt_setup "$@"

printf 'pppd call "my isp"\n' >"$wt_dir/cmd"
chmod 600 "$wt_dir/cmd"
export WANDCTL_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect"
while read -r status cmd; do
        eval "wt_ctl $cmd"
        expect_status "$status"
done <<'LIST'
0 list
0 list --json
0 list --json=pretty
0 status
0 status --json wan0 wan1
10 status nosuch wan0
0 connect wan0
0 connect wan0
0 wait wan0 --json
3 wait --timeout=0.2 wan0 wan1
10 wait nosuch
6 connect gone
4 connect wan1
0 disconnect wan0
0 disconnect wan0
10 disconnect nosuch
0 create wan3 --device=wan3 --persistent --connect-command "pppd call 'x y'"
0 set wan3 --connect-command-file="$wt_dir/cmd"
2 set wan3 --disconnect-command-file="$wt_dir/nothing"
6 create wan3 --device=wan3
2 create wan4 --device=a/b
0 settings wan3
0 settings --json wan3
0 set wan3 --connect-command= --no-persistent --connect-timeout=7 --device=wan4
2 set wan3 --connect-timeout=0
10 set nosuch --enabled
0 delete wan3
0 manager status --json
0 manager stop
5 connect wan0
0 manager start
0 reload
2 frobnicate
LIST
out=$wt_dir/monitor.out
valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect "$WANDCTL_BINARY" monitor --json --initial </dev/null >"$out" 2>"$wt_dir/monitor.err" &
pid=$!
wt_pids+=("$pid")
wt_wait_for_matches "$pid" 4
wt_ctl connect wan0
wt_ctl create wan7 --device=wan7
wt_ctl delete wan7
wt_wait_for_line "$out" '"event":"removed"'
kill -INT "$pid"
wait "$pid"
wt_status=$? wt_out=$out wt_err=$wt_dir/monitor.err wt_cmd="valgrind wandctl monitor --json"
expect_status 0
expect_empty_err

wt_log "GetManagedObjects refused (BusMaxMessageSize=4K): one GetAll per interface"
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
        printf '[Interface]\nDevice=site%s\n' "$i" >"$wt_dir/config/interfaces/site$i.conf"
done
wt_restart_wand_refusing_managed_objects
wt_ctl list
expect_status 0
expect_out '^site12 '
wt_ctl status --json
expect_status 0
wt_stop_wand
for mode in too-large denied; do
        wt_start_fake_wand "$mode"
        wt_ctl list
        expect_status "$([ "$mode" = denied ] && echo 11 || echo 0)"
        wt_stop_fake_wand
done

wt_finish
