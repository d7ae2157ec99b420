#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The fleet figure (issue 14): one play disconnecting one interface on each
# of N routers (N = 10, 50; routers are namespaces on this machine, see
# tests/ansible/fleet.sh), against `wandctl -H` on one router and a shell loop
# of it over all of them. Writes bench/results/fleet.json and fleet.md.
#   sudo bench/fleet.sh [BUILD]     (BUILD: a meson build dir, default build-h)
set -euo pipefail
root=$(readlink -f "$(dirname "$0")/..")
build=$(readlink -f "${1:-$root/build-h}")
export WAND_BINARY=$build/service/wand WANDCTL_BINARY=$build/wandctl/wandctl WAND_SOURCE_ROOT=$root
[ -x "$WAND_BINARY" ] && [ -x "$WANDCTL_BINARY" ] || { echo "build $build first (ninja -C $build)" >&2; exit 1; }

results=()
for n in 10 50; do
        echo "fleet: $n routers" >&2
        results+=("$("$root/bench/fleet/run-one.sh" "$n")")
done
python3 - "$root/bench/results" "${results[@]}" <<'PY'
import json, os, sys
rows = [json.loads(l) for l in sys.argv[2:]]
out = sys.argv[1]
with open(os.path.join(out, "fleet.json"), "w") as f:
    json.dump({"cores": os.cpu_count(), "rows": rows}, f, indent=1)
lines = [
    "| routers | play: connect wan0 (ssh set up) | play: disconnect wan0 (ssh reused) | per router | `wandctl -H` one router | `wandctl -H` loop over all | loop per router |",
    "| --- | --- | --- | --- | --- | --- | --- |",
]
for r in rows:
    lines.append(f"| {r['routers']} | {r['play_connect_s']:.2f} s | {r['play_disconnect_s']:.2f} s | "
                 f"{r['play_disconnect_per_router_s']:.3f} s ({r['play_disconnect_per_router_vs_wandctl_H_one']}× one `wandctl -H`) | "
                 f"{r['wandctl_H_one_s']:.3f} s | {r['wandctl_H_loop_s']:.2f} s | {r['wandctl_H_loop_per_router_s']:.3f} s |")
text = "\n".join(lines) + "\n"
with open(os.path.join(out, "fleet.md"), "w") as f:
    f.write(text)
print(text)
PY
