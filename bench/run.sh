#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wand's benchmark (issue 6): Disconnect against the bus, polkit and the
# kernel, concurrency against polkitd, scale up to 50,000 interfaces, and
# NetworkManager side by side. Everything runs inside private mount, PID and
# network namespaces (tests/data/private-bus.sh) with a real system bus, a
# real polkitd, the built wand and veth links; nothing on the host changes.
#
#   sudo bench/run.sh            the full run (about 6–7 minutes on 2 cores)
#   sudo bench/run.sh --quick    tiny sizes, a smoke test (under a minute)
#   sudo bench/run.sh --shell    the environment of the full run with wand
#                                started at 100 interfaces and NetworkManager
#                                on nm0, and a shell
#   sudo bench/run.sh --sections nm,scale
#                                only these of latency (floors, latency,
#                                concurrency), scale and nm (NetworkManager)
#   sudo bench/run.sh --exec 'COMMAND'
#                                the same, running COMMAND (bash -c) instead
#                                of a shell: for profiling
#
# Prints the table (markdown) and writes bench/results/latest.json,
# latest.md and latency-vs-interfaces.png (--quick: into the build directory,
# /tmp/wand-bench-build/results-quick; --out DIR to choose).
# Exits non-zero if the benchmark itself breaks or NetworkManager could not
# be measured in two attempts (its figures are targets), never because of a
# figure.
set -euo pipefail

self=$(readlink -f "$0")
bench=$(dirname "$self")
repo=$(readlink -f "$bench/..")
# shellcheck source=../tests/data/private-bus.sh
. "$repo/tests/data/private-bus.sh"

usage() {
        sed -n '/^#   sudo bench/,/^# figure/p' "$self" | sed 's/^# \{0,1\}//'
}

quick=no
shell=no
exec_command=
sections=latency,scale,nm
out=
build=${WAND_BENCH_BUILD:-/tmp/wand-bench-build}
while [ $# -gt 0 ]; do
        case $1 in
        --quick) quick=yes ;;
        --shell) shell=yes ;;
        --exec) shell=yes; exec_command=$2; shift ;;
        --sections) sections=$2; shift ;;
        --out) out=$(readlink -m "$2"); shift ;;
        --build) build=$(readlink -m "$2"); shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
        esac
        shift
done
# A quick run must not replace the results of a full one.
[ -n "$out" ] || if [ $quick = yes ]; then out=$build/results-quick; else out=$bench/results; fi

# ------------------------------------------------------------------ sizes
if [ $quick = yes ]; then
        sizes=(10 100)
        pair_sizes=(10 100)          # Disconnect small vs large, back to back
        clients=(1 8 128)            # 128: more than wand lets wait for polkit
        latency_iterations=20        # gapped: each round is 9 calls
        b2b_iterations=100
        scale_disconnects=20
        scale_pairs=1
        pair_disconnects=10
        throughput_rounds=2          # each: 4 phases of 1 s
        throughput_rounds_32=2
        nm_iterations=10
else
        sizes=(10 100 1000 10000 50000)
        pair_sizes=(10 10000)
        clients=(1 8 32 128)
        latency_iterations=300
        b2b_iterations=2000
        scale_disconnects=150
        scale_pairs=3
        pair_disconnects=100
        throughput_rounds=6
        throughput_rounds_32=16      # the target's figure: more rounds, a steadier median
        nm_iterations=100
fi
gap_ms=10                            # idle gap before every gapped call

# The unprivileged callers: nobody (the latency and NetworkManager caller),
# and for concurrency also Debian's system users of uids 1-8, which every
# Debian system has. wand lets one uid have at most 16 authorization checks
# waiting for polkit (96 in all), so the concurrency clients take these uids
# in turn: 9 uids hold the 96 (bench-throughput; README, Concurrency).
bench_users=(nobody daemon bin sys sync games man lp mail)

# ---------------------------------------------------------------- the host

# Debian packages: only those not installed yet, asked of dpkg-query.
packages=(
        meson ninja-build pkg-config gcc libc6-dev libsystemd-dev libmnl-dev
        dbus-daemon polkitd systemd iproute2 util-linux procps python3
        gnuplot-nox network-manager
)

install_packages() {
        local p status missing=()
        for p in "${packages[@]}"; do
                status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
                [ "$status" = installed ] || missing+=("$p")
        done
        [ ${#missing[@]} -eq 0 ] && return 0
        echo "bench: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # network-manager's postinst may try to start the service: there is
        # no systemd to start it here, and policy-rc.d is not ours to touch,
        # so it only says so.
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

quietly() {
        local output status=0
        output=$("$@" 2>&1) || status=$?
        [ $status -eq 0 ] || printf '%s\n' "$output" >&2
        return $status
}

build_all() {
        if [ ! -f "$build/meson-private/coredata.dat" ]; then
                quietly meson setup "$build" "$repo" --prefix=/usr -Dtests=false -Dbuildtype=release
        fi
        quietly ninja -C "$build" service/wand
        mkdir -p "$build/bench"
        local p extra
        for p in latency throughput scale nm; do
                extra=()
                # bench-scale's GetManagedObjects stand-in.
                [ "$p" != scale ] || extra=("$bench/src/gmo-stand-in.c")
                # shellcheck disable=SC2046
                quietly gcc -std=gnu11 -O2 -g -Wall -Wextra -Wno-missing-field-initializers -Wno-unused-parameter -D_GNU_SOURCE \
                        -o "$build/bench/bench-$p" "$bench/src/bench.c" "$bench/src/bench-$p.c" "${extra[@]}" \
                        $(pkg-config --cflags --libs libsystemd libmnl) -lm
        done
}

outside() {
        if [ "$(id -u)" -ne 0 ]; then
                echo "bench/run.sh must run as root (namespaces, mounts, links): sudo bench/run.sh" >&2
                exit 1
        fi
        install_packages
        echo "bench: building wand (release) and the clients into $build"
        build_all
        mkdir -p "$out"
        local args=(--build "$build" --out "$out" --sections "$sections")
        [ $quick = no ] || args+=(--quick)
        if [ -n "$exec_command" ]; then
                args+=(--exec "$exec_command")
        elif [ $shell = yes ]; then
                args+=(--shell)
        fi
        pb_enter_namespaces "$self" "${args[@]}"
}

# ------------------------------------------------------- inside namespaces

work=$pb_dir/bench
wand=$build/service/wand
bin=$build/bench
peers="bench-peers"                 # the veths' other ends live there
floor_netns="bench-floor"           # the throughput stand-in's veths bfN
wand_pid=

log() {
        printf 'bench: %s\n' "$*" >&2
}

cleanup() {
        trap - EXIT INT TERM
        keep_logs
        pb_cleanup
}

# The uids of bench_users, comma-separated, for bench-throughput --uids.
bench_uids=
resolve_bench_uids() {
        local u uid uids=()
        for u in "${bench_users[@]}"; do
                uid=$(id -u "$u" 2>/dev/null) || pb_die "user $u does not exist (bench_users in $self)"
                uids+=("$uid")
        done
        bench_uids=$(IFS=,; echo "${uids[*]}")
}

# The benchmark's polkit rule: the unprivileged callers (bench_users) may
# connect and disconnect any wand interface and control NetworkManager.
# polkitd reads /etc/polkit-1/rules.d: a directory of ours is mounted there,
# in this mount namespace only.
install_polkit_rule() {
        local users
        users=$(printf '"%s", ' "${bench_users[@]}")
        mkdir -p "$work/polkit-rules"
        cp -a /etc/polkit-1/rules.d/. "$work/polkit-rules/" 2>/dev/null || true
        cat >"$work/polkit-rules/10-wand-bench.rules" <<EOF
// wand's benchmark: the unprivileged callers are granted what they call.
polkit.addRule(function(action, subject) {
    var users = [${users%, }];
    if (users.indexOf(subject.user) >= 0 &&
        (action.id == "org.wand.Router1.connect" ||
         action.id == "org.wand.Router1.disconnect" ||
         action.id == "org.freedesktop.NetworkManager.network-control")) {
        return polkit.Result.YES;
    }
    return polkit.Result.NOT_HANDLED;
});
EOF
        chmod 0755 "$work/polkit-rules"
        chmod 0644 "$work/polkit-rules"/*
        mount -n --bind "$work/polkit-rules" /etc/polkit-1/rules.d
}

# veth pairs: NAME here, NAME-p up in the peers' namespace, so that this
# namespace holds only the devices wand is configured with. One ip -batch
# per 5,000 pairs: ip opens the namespace's file for every "netns NAME" and
# keeps it open, which past the open-files limit (ulimit -n) fails.
links_made=0
make_links() {
        local want=$1 k f
        [ "$want" -gt "$links_made" ] || return 0
        for ((k = links_made; k < want; k++)); do
                echo "link add bw$k type veth peer name bw$k-p netns $peers"
        done >"$work/links.batch"
        for ((k = links_made; k < want; k++)); do
                echo "link set bw$k-p up"
        done >"$work/peers.batch"
        rm -f "$work"/links.batch.*
        split -l 5000 "$work/links.batch" "$work/links.batch."
        for f in "$work"/links.batch.*; do
                ip -batch "$f"
        done
        ip -n $peers -batch "$work/peers.batch"
        rm -f "$work"/links.batch* "$work/peers.batch"
        links_made=$want
}

# A configuration directory of N interfaces bw0…bwN-1.
write_config() {
        local dir=$1 n=$2 k
        rm -rf "$dir"
        mkdir -p "$dir/interfaces"
        printf '[Router]\nDemandDial=yes\n' >"$dir/wand.conf"
        for ((k = 0; k < n; k++)); do
                printf '[Interface]\nDevice=bw%d\n' $k >"$dir/interfaces/bw$k.conf"
        done
}

start_wand() {
        local config=$1
        "$wand" --config-dir="$config" --runtime-dir="$work/runtime" >"$work/wand.log" 2>&1 &
        wand_pid=$!
        pb_pids+=("$wand_pid")
        pb_wait_for_name org.wand.Router1 "$wand_pid" "$work/wand.log"
}

stop_wand() {
        [ -n "$wand_pid" ] || return 0
        kill "$wand_pid" 2>/dev/null || true
        wait "$wand_pid" 2>/dev/null || true
        local p keep=()
        for p in "${pb_pids[@]}"; do
                [ "$p" = "$wand_pid" ] || keep+=("$p")
        done
        pb_pids=("${keep[@]}")
        wand_pid=
}

setup() {
        pb_private_run
        mkdir -p "$work/runtime" "$work/results"
        resolve_bench_uids
        install_polkit_rule
        ip netns add $peers
        ip -n $peers link set lo up
        # org.wand.Bench.conf: bench-scale's GetManagedObjects stand-in.
        pb_start_bus "$repo/dbus/org.wand.Router1.conf" "$bench/org.wand.Bench.conf"
        pb_start_polkitd "$repo/polkit/org.wand.Router1.policy"
        # The floor's own veth, which wand does not manage.
        ip link add bfl0 type veth peer name bfl0-p netns $peers
        ip -n $peers link set bfl0-p up
}

# The throughput stand-in's veths: bf0…bfN-1 in a namespace of their own,
# where nothing listens (wand's link changes wake wand's monitor, which is
# wand's own work; the stand-in's must not wake wand), peers up in the
# peers' namespace like wand's.
make_floor_links() {
        local n=$1 k
        ip netns add $floor_netns
        ip -n $floor_netns link set lo up
        for ((k = 0; k < n; k++)); do
                echo "link add bf$k type veth peer name bf$k-p netns $peers"
        done >"$work/floor.batch"
        for ((k = 0; k < n; k++)); do
                echo "link set bf$k-p up"
        done >"$work/floor-peers.batch"
        ip -n $floor_netns -batch "$work/floor.batch"
        ip -n $peers -batch "$work/floor-peers.batch"
}

# 1-3: floors, latency and concurrency, with wand configured with as many
# real interfaces as the most clients.
section_latency() {
        local n=${clients[-1]}
        ((n >= 2)) || n=2
        make_links "$n"
        make_floor_links "$n"
        write_config "$work/config-latency" "$n"
        start_wand "$work/config-latency"

        log "floors and latency, ${gap_ms} ms idle gap before each call ($latency_iterations rounds)"
        "$bin/bench-latency" --root-iface bw0 --user-iface bw1 --floor-dev bfl0 --mode gap \
                --gap-ms $gap_ms --iterations "$latency_iterations" >"$work/results/latency-gap.json"
        log "floors and latency, back to back ($b2b_iterations rounds)"
        "$bin/bench-latency" --root-iface bw0 --user-iface bw1 --floor-dev bfl0 --mode b2b \
                --iterations "$b2b_iterations" >"$work/results/latency-b2b.json"

        local c rounds
        for c in "${clients[@]}"; do
                rounds=$throughput_rounds
                [ "$c" != 32 ] || rounds=$throughput_rounds_32
                log "concurrency: $c clients (uids $bench_uids in turn), $rounds rounds of 1 s each for wand (unprivileged), the stand-in, polkitd and wand (root)"
                "$bin/bench-throughput" --clients "$c" --uids "$bench_uids" --seconds 1 --rounds "$rounds" \
                        --floor-netns /run/netns/$floor_netns \
                        >"$work/results/throughput-$c.json"
        done
        stop_wand
}

# 4: scale.
scale_run() {
        local n=$1 out=$2
        shift 2
        "$bin/bench-scale" --wand "$wand" --config-dir "$work/config-$n" --runtime-dir "$work/runtime" \
                --interfaces "$n" --floor-dev bfl0 --gap-ms $gap_ms --log "$work/wand-$n.log" "$@" >"$out"
}

scale_size() {
        local n=$1 t0=$SECONDS starts=3
        make_links "$n"
        write_config "$work/config-$n" "$n"
        log "scale: $n interfaces (links and configuration: $((SECONDS - t0)) s)"
        # One start past 10,000: each reads as many files and dumps as many
        # links, and the run's time must stay within reason.
        [ "$n" -le 10000 ] || starts=1
        scale_run "$n" "$work/results/scale-$n.json" --disconnects "$scale_disconnects" --starts $starts
        # The largest configurations are 50,000 files: not kept past their use.
        rm -rf "$work/config-$n"
}

section_scale() {
        local n r small=${pair_sizes[0]} large=${pair_sizes[1]}
        for n in "${sizes[@]}"; do
                [ "$n" -gt "$large" ] || scale_size "$n"
        done
        # Disconnect at the smallest and the pairs' large size once more,
        # in pairs taken back to back: minutes apart, the machine's own
        # drift would weigh on the ratio as much as wand does. Taken before
        # the sizes past the pairs' large one are, so that the namespace
        # then holds as many links as the large size has.
        write_config "$work/config-$small" "$small"
        write_config "$work/config-$large" "$large"
        for ((r = 1; r <= scale_pairs; r++)); do
                log "scale: Disconnect at $small and at $large interfaces, pair $r of $scale_pairs"
                scale_run "$small" "$work/results/pair-$r-small.json" --disconnects "$pair_disconnects" \
                        --starts 1 --no-listing
                scale_run "$large" "$work/results/pair-$r-large.json" --disconnects "$pair_disconnects" \
                        --starts 1 --no-listing
        done
        rm -rf "$work/config-$small" "$work/config-$large"
        for n in "${sizes[@]}"; do
                [ "$n" -le "$large" ] || scale_size "$n"
        done
}

# 5: NetworkManager, on the same bus, in network namespace $nm_netns with
# its own veth, in a mount namespace of its own (nm-sandbox.sh).
nm_netns="bench-nm"
nm_uuid=6b3f2a8e-1d4c-4e0b-9a57-2f1c8d9e0b61
nm_address=192.0.2.1      # TEST-NET-1: documentation only, on nm0 alone

# Until NAME is on the bus (0), or PID died or 20 s passed (1).
wait_for_name() {
        local name=$1 pid=$2 i
        for ((i = 0; i < 200; i++)); do
                if busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                        NameHasOwner s "$name" 2>/dev/null | grep -q 'b true'; then
                        return 0
                fi
                kill -0 "$pid" 2>/dev/null || return 1
                sleep 0.1
        done
        return 1
}

# Why NetworkManager gave no figures: written where report.py finds it.
nm_failed() {
        log "NetworkManager: $1 (figures recorded as null)"
        printf '%s\n' "$1" >"$work/results/nm-error.txt"
}

nm_write_config() {
        local dir=$1
        mkdir -p "$dir"/etc/system-connections "$dir"/etc/conf.d "$dir"/state "$dir"/empty "$dir"/run \
                "$dir"/etc/dispatcher.d/pre-up.d "$dir"/etc/dispatcher.d/pre-down.d "$dir"/etc/dispatcher.d/no-wait.d
        cat >"$dir/etc/NetworkManager.conf" <<NMCONF
[main]
plugins=keyfile
no-auto-default=*

[keyfile]
unmanaged-devices=none

[logging]
level=WARN
NMCONF
        cat >"$dir/etc/system-connections/bench-nm0.nmconnection" <<NMCONN
[connection]
id=bench-nm0
uuid=$nm_uuid
type=ethernet
interface-name=nm0
autoconnect=true

[ethernet]

[ipv4]
method=manual
address1=$nm_address/24

[ipv6]
method=disabled
NMCONN
        chmod 0600 "$dir/etc/system-connections/bench-nm0.nmconnection"
}

# Starts nm-dispatcher and NetworkManager; 1 (and nm-error.txt) if not.
nm_pids=()
nm_start() {
        local dir=$work/nm pid
        if [ ! -x /usr/sbin/NetworkManager ] || [ ! -x /usr/lib/NetworkManager/nm-dispatcher ]; then
                nm_failed "NetworkManager is not installed (Debian package network-manager)"
                return 1
        fi
        nm_write_config "$dir"
        ip netns add $nm_netns
        ip -n $nm_netns link set lo up
        ip link add nm0 netns $nm_netns type veth peer name nm0-p netns $peers
        ip -n $peers link set nm0-p up

        ip netns exec $nm_netns "$bench/nm-sandbox.sh" dispatcher "$dir" >"$dir/dispatcher.log" 2>&1 &
        pid=$!
        pb_pids+=("$pid")
        nm_pids+=("$pid")
        if ! wait_for_name org.freedesktop.nm_dispatcher "$pid"; then
                nm_failed "nm-dispatcher did not come on the bus: $(tail -n 3 "$dir/dispatcher.log" | tr '\n' ' ')"
                return 1
        fi
        ip netns exec $nm_netns "$bench/nm-sandbox.sh" networkmanager "$dir" >"$dir/nm.log" 2>&1 &
        pid=$!
        pb_pids+=("$pid")
        nm_pids+=("$pid")
        if ! wait_for_name org.freedesktop.NetworkManager "$pid"; then
                nm_failed "NetworkManager did not come on the bus: $(tail -n 3 "$dir/nm.log" | tr '\n' ' ')"
                return 1
        fi
}

nm_client() {
        "$bin/bench-nm" --device nm0 --netns /run/netns/$nm_netns --address $nm_address --connection $nm_uuid "$@"
}

# Stops what nm_start started and removes its namespace (nm0 and its peer
# go with it), so that a retry starts from nothing.
nm_stop() {
        local p keep=()
        for p in "${nm_pids[@]}"; do
                kill "$p" 2>/dev/null || true
                wait "$p" 2>/dev/null || true
        done
        for p in "${pb_pids[@]}"; do
                [[ " ${nm_pids[*]} " == *" $p "* ]] || keep+=("$p")
        done
        pb_pids=("${keep[@]}")
        nm_pids=()
        ip netns del $nm_netns 2>/dev/null || true
}

# One attempt: NetworkManager started afresh, measured once it says it has
# started and manages nm0 (bench-nm waits for that, up to 30 s). 0 with
# nm.json written; 1 with the reason in nm_why.
nm_attempt() {
        local status=0
        nm_start || return 1
        log "NetworkManager: Device.Disconnect on nm0, root and unprivileged ($nm_iterations rounds)"
        nm_client --iterations "$nm_iterations" --gap-ms $gap_ms --ready-timeout 30 \
                >"$work/results/nm.json" 2>"$work/nm-client.log" || status=$?
        [ $status -ne 0 ] || return 0
        rm -f "$work/results/nm.json"
        nm_why="$(tail -n 2 "$work/nm-client.log" | tr '\n' ' ')NetworkManager said: $(tail -n 3 "$work/nm/nm.log" | tr '\n' ' ')"
        return 1
}

# NetworkManager's figures are targets (issue 15): a run without them is a
# failed run. One retry; then the reason goes into the report and run.sh
# exits non-zero once the report is written.
nm_broken=
section_nm() {
        local attempt
        for attempt in 1 2; do
                nm_why=
                if nm_attempt; then
                        rm -f "$work/results/nm-error.txt"
                        return 0
                fi
                nm_why=${nm_why:-$(cat "$work/results/nm-error.txt" 2>/dev/null)}
                log "NetworkManager: attempt $attempt failed: $nm_why"
                nm_stop
        done
        nm_failed "not measured after two attempts: $nm_why"
        nm_broken=$nm_why
}

# The logs of this run, kept where the namespaces' end does not take them.
keep_logs() {
        rm -rf "$build/logs"
        mkdir -p "$build/logs"
        find "$work" -maxdepth 2 -name '*.log' -exec cp {} "$build/logs/" \; 2>/dev/null || true
        cp "$pb_dir"/*.log "$build/logs/" 2>/dev/null || true
}

report() {
        local status=0
        /usr/bin/python3 "$bench/report.py" --results "$work/results" --out "$out" \
                --quick "$quick" --links "$links_made" --gap-ms "$gap_ms" || status=$?
        [ $status -eq 0 ] || pb_die "the report could not be written"
}

inside() {
        trap cleanup EXIT
        trap 'exit 130' INT TERM
        setup
        if [ $shell = yes ]; then
                make_links 100
                make_floor_links 100
                write_config "$work/config-100" 100
                start_wand "$work/config-100"
                nm_start || true
                export WAND_PID=$wand_pid BENCH_BIN=$bin BENCH_WORK=$work BENCH_WAND=$wand BENCH_UIDS=$bench_uids \
                        BENCH_FLOOR_NETNS=/run/netns/$floor_netns
                if [ -n "$exec_command" ]; then
                        bash -c "$exec_command"
                        return
                fi
                log "wand (pid $wand_pid) has 100 interfaces bw0…bw99; NetworkManager has nm0 in netns $nm_netns"
                log "clients in $bin; logs in $work"
                log "environment: WAND_PID BENCH_BIN BENCH_WORK BENCH_WAND BENCH_UIDS BENCH_FLOOR_NETNS"
                PS1='[wand-bench] \w# ' bash --norc -i || true
                return 0
        fi
        [[ ,$sections, != *,latency,* ]] || section_latency
        [[ ,$sections, != *,scale,* ]] || section_scale
        [[ ,$sections, != *,nm,* ]] || section_nm
        report
        if [ -n "$nm_broken" ]; then
                log "FAILED: NetworkManager could not be measured (its figures are targets): $nm_broken"
                log "its log: $build/logs/nm.log; the client's: $build/logs/nm-client.log"
                exit 1
        fi
}

if [ "${WAND_PB_INSIDE:-}" = 1 ]; then
        pb_enter_namespaces "$self"     # only takes note that we are inside
        # Arguments given to the re-run: the options parsed above.
        inside
else
        outside
fi
