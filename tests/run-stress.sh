#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The randomized stress run of the real wand over the bus (tests/stress/):
# builds into build-tests/ like tests/run.sh if needed, then drives wand for
# N minutes with random overlapping calls, file edits, kernel link events
# and dialer faults, checking each answer and every quiescent point against
# the contract. Prints the steps run, steps/s and any divergence with its
# seed and the last steps; exits 0 when nothing diverged.
#
#   tests/run-stress.sh [--minutes N] [--seed S] [--steps M] [--allow-known] [--verbose]
#
# --minutes: how long (default 2). --seed: the generator's seed (default:
# random, printed). --steps M: run exactly M steps instead (a replay of a
# reported divergence: --seed S --steps M). --allow-known: count the
# divergences already reported (tests/stress/stress_run.py, KNOWN) and go on.
#
# Must run as root: everything runs in private network, pid and mount
# namespaces; nothing on the host is changed.
set -uo pipefail

cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
builddir=build-tests

minutes=2
args=()
while [ $# -gt 0 ]; do
        case "$1" in
        --minutes) minutes="${2:?--minutes needs a number}"; shift 2 ;;
        --minutes=*) minutes="${1#*=}"; shift ;;
        --seed|--steps) args+=("$1=${2:?$1 needs a number}"); shift 2 ;;
        --seed=*|--steps=*|--allow-known|--verbose) args+=("$1"); shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "tests/run-stress.sh: unknown argument $1" >&2; exit 2 ;;
        esac
done
case "$minutes" in
''|*[!0-9.]*) echo "tests/run-stress.sh: --minutes wants a number, not $minutes" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
        echo "tests/run-stress.sh must run as root (it creates namespaces, veths and tun devices): sudo tests/run-stress.sh" >&2
        exit 1
fi

if [ ! -x "$builddir/service/wand" ] || [ ! -x "$builddir/tests/dialer/test-dialer" ]; then
        tests/install-deps.sh || { echo "tests/run-stress.sh: installing the packages failed" >&2; exit 1; }
        if [ -f "$builddir/meson-private/coredata.dat" ]; then
                meson setup --reconfigure "$builddir" --prefix=/usr -Dwerror=true || exit 1
        else
                meson setup "$builddir" --prefix=/usr -Dwerror=true || exit 1
        fi
fi
ninja -C "$builddir" service/wand tests/dialer/test-dialer || { echo "tests/run-stress.sh: the build failed" >&2; exit 1; }

seconds=$(python3 -c "print(float('$minutes') * 60)")
has_steps=no
for a in "${args[@]}"; do case "$a" in --steps=*) has_steps=yes ;; esac; done
[ "$has_steps" = yes ] || args+=("--seconds=$seconds")

WAND_BINARY="$PWD/$builddir/service/wand" TEST_DIALER="$PWD/$builddir/tests/dialer/test-dialer" LC_ALL=C.UTF-8 \
        /usr/bin/python3 tests/stress/stress.py "${args[@]}"
status=$?
if [ $status -eq 0 ]; then
        echo "tests/run-stress.sh: no divergence"
elif [ $status -eq 77 ]; then
        echo "tests/run-stress.sh: skipped"
else
        echo "tests/run-stress.sh: DIVERGED (exit status $status); the seed and the replay command are above"
fi
exit $status
