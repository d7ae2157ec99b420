#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks what ansible-playbook's json callback wrote: check.py FILE EXPR...
# Each EXPR is a Python expression that must be true, over
#   stats            {host: {"ok": n, "changed": n, "failures": n, ...}}
#   task(NAME)       {host: result} of the task called NAME (the last one)
#   hosts            the hosts of the run, sorted
# Prints what failed, and the results involved, and exits 1.
import json
import sys

with open(sys.argv[1]) as f:
    run = json.load(f)

stats = run["stats"]
hosts = sorted(stats)


def task(name):
    found = None
    for play in run["plays"]:
        for t in play["tasks"]:
            if t["task"]["name"] == name:
                found = t["hosts"]
    if found is None:
        raise KeyError(f"no task called {name!r}")
    return found


failed = 0
for expr in sys.argv[2:]:
    try:
        ok = eval(expr, {"stats": stats, "task": task, "hosts": hosts, "json": json})
    except Exception as e:  # a missing key is a failed expectation, said as such
        ok = False
        print(f"FAIL: {expr}: {type(e).__name__}: {e}", file=sys.stderr)
    else:
        if not ok:
            print(f"FAIL: {expr}", file=sys.stderr)
    if not ok:
        failed += 1
if failed:
    print(json.dumps(stats, indent=1), file=sys.stderr)
    for play in run["plays"]:
        for t in play["tasks"]:
            print(f"--- {t['task']['name']}", file=sys.stderr)
            print(json.dumps(t["hosts"], indent=1)[:6000], file=sys.stderr)
sys.exit(1 if failed else 0)
