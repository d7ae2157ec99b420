#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --json=pretty|short|off and --no-pager; every key the JSON output prints
# is in wandctl(1)'s examples; commands read from a file or standard input
# (--connect-command-file, --disconnect-command-file), against the real
# wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
: "${WANDCTL_MANUAL:?}"
wt_setup "$@"

wt_log "--json=short (and --json alone): one line; pretty: indented; off: text"
wt_ctl list --json
cp "$wt_out" "$wt_dir/short.json"
[ "$(wc -l <"$wt_out")" = 1 ] || { wt_fail "--json is not one line"; wt_show; }
wt_ctl list --json=short
cmp -s "$wt_out" "$wt_dir/short.json" || { wt_fail "--json=short differs from --json"; wt_show; }
wt_ctl --no-pager list --json=pretty
expect_status 0
expect_out '^  \{$'
expect_out '^    "Name": "gone",$'
expect_json 'd == __import__("json").load(open("'"$wt_dir/short.json"'"))'
wt_ctl list --json=off --no-pager
expect_status 0
expect_out '^NAME +DEVICE +STATE +SINCE$'
wt_ctl list --json=long
expect_status 2
expect_err "^wandctl: --json takes pretty, short or off, not 'long'\.$"
wt_ctl connect --json=off wan0
expect_status 0

wt_log "the manual's JSON examples show every key wandctl prints"
printf '[Interface]\nDevice=wan0\nEnabled=maybe\n' >"$wt_dir/config/interfaces/broken.conf"
wt_ctl reload
wt_ctl status --json
cp "$wt_out" "$wt_dir/status.json"
wt_ctl settings --json wan0
cp "$wt_out" "$wt_dir/settings.json"
wt_ctl manager status --json
cp "$wt_out" "$wt_dir/manager.json"
wt_ctl list --json
cp "$wt_out" "$wt_dir/list.json"
wt_ctl wait --json wan0
cp "$wt_out" "$wt_dir/wait.json"
out=$wt_dir/monitor.json
"$WANDCTL_BINARY" monitor --json --initial </dev/null >"$out" 2>"$wt_dir/monitor.err" &
pid=$!
wt_pids+=("$pid")
wt_wait_for_line "$out" '"interface":"wan1"'
wt_ctl disconnect wan0
wt_ctl create wan7 --device=wan7
wt_ctl delete wan7
wt_ctl manager stop
wt_ctl manager start
wt_stop_wand
wt_start_wand
wt_wait_for_line "$out" '"running":true'
kill -INT "$pid"
wait "$pid"
rm "$wt_dir/config/interfaces/broken.conf"
python3 - "$WANDCTL_MANUAL" "$wt_dir" <<'PY' || wt_fail "wandctl(1) leaves keys out"
import json, re, sys
manual, d = open(sys.argv[1]).read(), sys.argv[2]

def section(title):
    # From "*title*" (a line of its own) to the next such line.
    m = re.search(r"^\*" + re.escape(title) + r"\*\n(.*?)(?=^\*[a-z]|^#)", manual, re.S | re.M)
    if not m:
        sys.exit(f"wandctl(1) has no *{title}* under JSON OUTPUT")
    return m.group(1)

def keys(v, where, out):
    if isinstance(v, dict):
        for k, x in v.items():
            out.add((where, k))
            keys(x, where, out)
    elif isinstance(v, list):
        for x in v:
            keys(x, where, out)
    return out

printed = set()
load = lambda f: json.load(open(f"{d}/{f}"))
keys(load("list.json"), "list --json", printed)
status = load("status.json")
keys(status, "status --json", printed)
keys(load("settings.json"), "settings --json", printed)
keys(load("manager.json"), "manager status --json", printed)
keys(load("wait.json"), "wait --json", printed)
for line in open(f"{d}/monitor.json"):
    keys(json.loads(line), "monitor --json", printed)
assert status["Manager"]["RefusedFiles"], "the broken file is not in RefusedFiles"
missing = sorted(f"{w}: {k}" for w, k in printed if f'"{k}"' not in section(w))
if missing:
    sys.exit("not in the examples: " + ", ".join(missing))
PY

wt_log "--connect-command-file: off the command line, split as ConnectCommand= is"
cmdf=$wt_dir/connect.cmd
printf '  /usr/sbin/pppd call "my isp" password s3cret \n' >"$cmdf"
chmod 600 "$cmdf"
wt_ctl create lab --device=lab0 --connect-command-file="$cmdf"
expect_status 0
expect_empty_err
wt_ctl settings --json lab
expect_json 'd["ConnectCommand"] == ["/usr/sbin/pppd", "call", "my isp", "password", "s3cret"]'
printf "poff 'my isp'\n" | "$WANDCTL_BINARY" set lab --disconnect-command-file=- >"$wt_dir/out" 2>"$wt_dir/err"
wt_status=$? wt_out=$wt_dir/out wt_err=$wt_dir/err wt_cmd="wandctl set lab --disconnect-command-file=-"
expect_status 0
expect_empty_err
wt_ctl settings --json lab
expect_json 'd["DisconnectCommand"] == ["poff", "my isp"] and d["ConnectCommand"][-1] == "s3cret"'

wt_log "a file other users can read: said, and used"
chmod 644 "$cmdf"
wt_ctl set lab --connect-command-file="$cmdf"
expect_status 0
expect_err "^wandctl: warning: other users can read $cmdf \(mode 0644\): a secret in it is not one; chmod go-r it\.$"

wt_log "refused: a file others can write, empty, not UTF-8, two lines, bad quoting (the secret not repeated)"
chmod 620 "$cmdf"
wt_ctl set lab --connect-command-file="$cmdf"
expect_status 2
expect_err "^wandctl: --connect-command-file: refusing $cmdf: other users can write it"
chmod 600 "$cmdf"
printf ' \n' >"$cmdf"
wt_ctl set lab --connect-command-file="$cmdf"
expect_status 2
expect_err "^wandctl: --connect-command-file: $cmdf is empty; to remove the command, give --connect-command= instead\.$"
printf 'pppd \xff\n' >"$cmdf"
wt_ctl set lab --connect-command-file="$cmdf"
expect_status 2
expect_err "not valid UTF-8"
printf 'pppd\npppd\n' >"$cmdf"
wt_ctl create lab2 --device=lab2 --disconnect-command-file="$cmdf"
expect_status 2
expect_err "holds more than one line; a command is one line, as DisconnectCommand= in wand.conf\(5\)\.$"
printf "pppd 'password s3cret\n" >"$cmdf"
wt_ctl set lab --connect-command-file="$cmdf"
expect_status 2
expect_err "^wandctl: --connect-command-file: unterminated single quote in $cmdf\.$"
grep -q s3cret "$wt_err" && wt_fail "the secret was repeated on stderr"
wt_ctl set lab --connect-command-file="$wt_dir/nothing"
expect_status 2
expect_err "cannot open $wt_dir/nothing: No such file or directory"
wt_ctl set lab --connect-command=x --connect-command-file="$cmdf"
expect_status 2
wt_ctl set lab --connect-command-file=- --disconnect-command-file=-
expect_status 2
wt_ctl list --connect-command-file="$cmdf"
expect_status 2
wt_ctl settings --json lab
expect_json 'd["ConnectCommand"][-1] == "s3cret"'

wt_finish
