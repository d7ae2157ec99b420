#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The crash-consistency run of the real wand (tests/crash/): builds into
# build-tests/ like tests/run.sh if needed, then kills wand-crash (wand with
# its crash points armed, service/crash-point.h) N times, at named crash
# points and at random times, and after each kill restarts it and checks the
# configuration files, the dialers, the claims and the state against the
# kernel and the processes. Prints the kills by crash point, the divergences
# by cause, the time taken, and for each divergence its seed, kill and the
# replay command; exits 0 when nothing diverged.
#
#   tests/run-crash.sh [--kills N] [--seed S] [--point NAME] [--keep-going] [--verbose]
#
# --kills: how many (default 1000; CI runs 100 as the meson test
# crash-consistency). --seed: the generator's seed (default: random,
# printed); --seed S --kills K replays the first K kills of a run.
# --point: kill at that crash point only. --keep-going: count every
# divergence by cause, reset the world and go on, rather than stop at the
# first. --verbose: print every call and kill.
#
# Must run as root: everything runs in private network, pid and mount
# namespaces; nothing on the host is changed. On a shared machine:
# nice -n 19 tests/run-crash.sh.
set -uo pipefail

cd "$(dirname "$(readlink -f "$0")")/.." || exit 1
builddir=build-tests

args=()
kills=1000
while [ $# -gt 0 ]; do
        case "$1" in
        --kills) kills="${2:?--kills needs a number}"; shift 2 ;;
        --kills=*) kills="${1#*=}"; shift ;;
        --seed|--point) args+=("$1=${2:?$1 needs a value}"); shift 2 ;;
        --seed=*|--point=*|--keep-going|--verbose) args+=("$1"); shift ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "tests/run-crash.sh: unknown argument $1" >&2; exit 2 ;;
        esac
done
case "$kills" in
''|*[!0-9]*) echo "tests/run-crash.sh: --kills wants a whole number, not $kills" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
        echo "tests/run-crash.sh must run as root (it creates namespaces, veths and tun devices): sudo tests/run-crash.sh" >&2
        exit 1
fi

if [ ! -x "$builddir/service/wand-crash" ] || [ ! -x "$builddir/tests/dialer/test-dialer" ]; then
        tests/install-deps.sh || { echo "tests/run-crash.sh: installing the packages failed" >&2; exit 1; }
        if [ -f "$builddir/meson-private/coredata.dat" ]; then
                meson setup --reconfigure "$builddir" --prefix=/usr -Dwerror=true || exit 1
        else
                meson setup "$builddir" --prefix=/usr -Dwerror=true || exit 1
        fi
fi
ninja -C "$builddir" service/wand-crash tests/dialer/test-dialer || { echo "tests/run-crash.sh: the build failed" >&2; exit 1; }

WAND_BINARY="$PWD/$builddir/service/wand-crash" TEST_DIALER="$PWD/$builddir/tests/dialer/test-dialer" LC_ALL=C.UTF-8 \
        /usr/bin/python3 tests/crash/crash.py --kills="$kills" "${args[@]}"
status=$?
if [ $status -eq 0 ]; then
        echo "tests/run-crash.sh: no divergence"
elif [ $status -eq 77 ]; then
        echo "tests/run-crash.sh: skipped"
else
        echo "tests/run-crash.sh: DIVERGED (exit status $status); the seeds and the replay commands are above"
fi
exit $status
