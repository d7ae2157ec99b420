#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One fleet figure (bench/fleet.sh runs it for each N): N routers of
# tests/ansible/fleet.sh; the time of a play connecting wan0 on all of them
# (ssh connections set up), of a play disconnecting it (connections reused),
# of one `wandctl -H root@ROUTER disconnect wan0`, and of a shell loop doing
# that on every router in turn. Prints one JSON object.
#   run-one.sh N      (WAND_BINARY, WANDCTL_BINARY, WAND_SOURCE_ROOT set)
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
: "${WANDCTL_BINARY:?}"
. "$WAND_SOURCE_ROOT/tests/ansible/fleet.sh"
fleet_enter "$0" "$@"
n=$1
trap fleet_cleanup EXIT

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 3))" "$1" "$2"; }

t0=$(now)
fleet_setup "$n" >&2
t1=$(now)
# wandctl -H's ssh: the fleet's key, no host key prompts (root's home is private).
mkdir -p /root/.ssh
printf 'Host 10.77.*\n  IdentityFile %s\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n' \
        "$fleet_dir/ssh/id_ed25519" >/root/.ssh/config

play() {
        local start end
        start=$(now)
        ansible-playbook -f "$n" "$here/$1" >"$fleet_dir/$1.log" 2>&1 ||
                { cat "$fleet_dir/$1.log" >&2; pb_die "$1 failed"; }
        end=$(now)
        grep -q "changed=1 " "$fleet_dir/$1.log" || { cat "$fleet_dir/$1.log" >&2; pb_die "$1 changed nothing"; }
        elapsed "$start" "$end"
}
connect_s=$(play connect.yml)
disconnect_s=$(play disconnect.yml)

# The same by hand: wandctl -H, one router, then every router in turn.
ansible-playbook -f "$n" "$here/connect.yml" >/dev/null 2>&1 || pb_die "reconnecting failed"
start=$(now)
"$WANDCTL_BINARY" -H root@10.77.1.2 disconnect wan0 || pb_die "wandctl -H failed"
end=$(now)
wandctl_one_s=$(elapsed "$start" "$end")
"$WANDCTL_BINARY" -H root@10.77.1.2 connect wan0 || pb_die "wandctl -H connect failed"
start=$(now)
for ((i = 1; i <= n; i++)); do
        "$WANDCTL_BINARY" -H "root@10.77.$i.2" disconnect wan0 || pb_die "wandctl -H on r$i failed"
done
end=$(now)
wandctl_loop_s=$(elapsed "$start" "$end")

python3 - "$n" "$(elapsed "$t0" "$t1")" "$connect_s" "$disconnect_s" "$wandctl_one_s" "$wandctl_loop_s" <<'PY'
import json, sys
n = int(sys.argv[1])
setup, connect, disconnect, one, loop = map(float, sys.argv[2:])
print(json.dumps({
    "routers": n, "setup_s": setup,
    "play_connect_s": connect, "play_disconnect_s": disconnect,
    "play_disconnect_per_router_s": round(disconnect / n, 3),
    "wandctl_H_one_s": one, "wandctl_H_loop_s": loop,
    "wandctl_H_loop_per_router_s": round(loop / n, 3),
    "play_disconnect_per_router_vs_wandctl_H_one": round(disconnect / n / one, 2),
}))
PY
