#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the libFuzzer targets of fuzz/: each for a fixed time.
#
#   fuzz/run.sh --ci            10 s per target (what CI runs)
#   fuzz/run.sh --seconds N     N s per target (long runs, outside CI)
#   fuzz/run.sh --runs N        until N executions per target (10000000
#                               for the documented runs of README.md)
#   fuzz/run.sh ... --target T  only target T (config, config-update,
#                               config-set-enabled, settings-bus,
#                               shell-words, names); may be repeated
#   fuzz/run.sh ... --merge     afterwards, add the new inputs that reach new
#                               code to fuzz/corpus/<target>/ (minimised)
#
# Builds build-fuzz/ with clang, libFuzzer, ASan and UBSan (installing clang
# and libclang-rt-14-dev when missing). Each target starts from its seed
# corpus fuzz/corpus/<target>/ (read only) and keeps what it finds in
# build-fuzz/corpus/<target>/; an input that breaks a property is saved in
# build-fuzz/findings/<target>/ and makes the run fail. Prints executions
# per target and ends with "N passed, N failed" (one per target).
set -uo pipefail

cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
builddir=build-fuzz
seconds=
runs=
merge=false
targets=()
all_targets=(config config-update config-set-enabled settings-bus shell-words names)

usage() {
        sed -n '2,20s/^# \{0,1\}//p' "$0" >&2
        exit 2
}

while [ $# -gt 0 ]; do
        case "$1" in
        --ci) seconds=10 ;;
        --seconds) seconds=${2:-}; shift ;;
        --seconds=*) seconds=${1#*=} ;;
        --runs) runs=${2:-}; shift ;;
        --runs=*) runs=${1#*=} ;;
        --target) targets+=("${2:-}"); shift ;;
        --target=*) targets+=("${1#*=}") ;;
        --merge) merge=true ;;
        -h|--help) usage ;;
        *) echo "fuzz/run.sh: unknown argument $1" >&2; usage ;;
        esac
        shift
done
[[ "$seconds" =~ ^[1-9][0-9]*$ || "$runs" =~ ^[1-9][0-9]*$ ]] || usage
[ -z "$seconds" ] || [[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
[ -z "$runs" ] || [[ "$runs" =~ ^[1-9][0-9]*$ ]] || usage
limits=()
[ -z "$seconds" ] || limits+=(-max_total_time="$seconds")
[ -z "$runs" ] || limits+=(-runs="$runs")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

fail() {
        echo "fuzz/run.sh: $*" >&2
        echo "0 passed, 1 failed"
        exit 1
}

# clang and its libFuzzer runtime, only if missing (dpkg-query asks first).
missing=()
for p in clang libclang-rt-14-dev meson ninja-build pkg-config libsystemd-dev libmnl-dev; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        [ "$(id -u)" -eq 0 ] || fail "missing packages: ${missing[*]} (run as root to install them)"
        echo "fuzz/run.sh: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >/dev/null ||
                fail "installing ${missing[*]} failed"
fi

# Coverage for all of wand's code (fuzzer-no-link); the targets themselves
# link libFuzzer (fuzz/meson.build). Warnings are gcc's business in CI.
# Only the daemon's code is fuzzed: libmprapi (its linker map and
# -fsanitize=fuzzer-no-link do not mix) and the Cockpit page stay out.
options=(-Dfuzzing=true -Dtests=false -Dmprapi=disabled -Dcockpit=disabled -Db_sanitize=address,undefined -Db_lundef=false
         "-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined")
if [ -f "$builddir/meson-private/coredata.dat" ]; then
        CC=clang meson setup --reconfigure "$builddir" "${options[@]}" >/dev/null
else
        CC=clang meson setup "$builddir" "${options[@]}" >/dev/null
fi || fail "meson setup $builddir failed"
ninja -C "$builddir" >/dev/null || { ninja -C "$builddir"; fail "building $builddir failed"; }

passed=0
failed=0
for t in "${targets[@]}"; do
        exe=$builddir/fuzz/fuzz-$t
        [ -x "$exe" ] || fail "no fuzz target $t (have: ${all_targets[*]})"
        work=$builddir/corpus/$t
        findings=$builddir/findings/$t
        log=$builddir/fuzz-$t.log
        mkdir -p "$work" "$findings"
        # The files a target writes (and fsyncs) go to memory when it can.
        scratch_root=$builddir
        [ -d /dev/shm ] && [ -w /dev/shm ] && scratch_root=/dev/shm
        scratch=$(mktemp -d "$scratch_root/wand-fuzz-$t.XXXXXX") || fail "cannot make a scratch directory"

        # The first corpus directory receives the new inputs; the seeds stay
        # as they are. Findings (crash-*, leak-*, timeout-*) go to findings/.
        WAND_FUZZ_SCRATCH=$(readlink -f "$scratch") \
        ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
                "$exe" "${limits[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
                -print_final_stats=1 -artifact_prefix="$findings/" "$work" "fuzz/corpus/$t" >"$log" 2>&1
        status=$?
        rm -rf "$scratch"
        elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)

        executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        corpus=$(find "$work" "fuzz/corpus/$t" -type f | wc -l)
        if [ "$status" -eq 0 ]; then
                echo "fuzz-$t: ${executed:-?} executions in ${elapsed:-${seconds:-?}} s, corpus ${corpus} inputs, no finding"
                passed=$((passed + 1))
        else
                echo "fuzz-$t: FAILED after ${executed:-?} executions (exit status $status); the input:"
                ls -1 "$findings" | sed "s|^|  $findings/|"
                grep -a -m 3 -E 'property violated|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' \
                        "$log" | sed 's/^/  /'
                echo "  (whole log: $log; replay: $exe <input>)"
                failed=$((failed + 1))
        fi

        if $merge && [ "$status" -eq 0 ]; then
                # Only what reaches code the committed corpus does not.
                "$exe" -merge=1 "fuzz/corpus/$t" "$work" >>"$log" 2>&1 ||
                        echo "fuzz-$t: merging the new inputs failed (see $log)"
        fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
