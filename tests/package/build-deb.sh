#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the Debian package from a copy of the source tree and runs lintian
# on it (issue 11):
#
#   tests/package/build-deb.sh OUTDIR
#
# The copy holds the files git knows (tracked, or new and not ignored), so
# build directories in the tree do not go into it and the tree stays clean.
# OUTDIR receives the .deb, .changes, .buildinfo and lintian.txt. Fails on a
# failed build and on any lintian error or warning that is not overridden.
set -euo pipefail

out=${1:?usage: build-deb.sh OUTDIR}
src=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir "$out/src"

if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$src" ls-files -z --cached --others --exclude-standard |
                (cd "$src" && xargs -0 cp --parents -a -t "$out/src" --)
else
        tar -C "$src" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -C "$out/src" -xf -
fi

start=$(date +%s)
(cd "$out/src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
        tail -n 60 "$out/build.log" >&2
        echo "build-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
        exit 1
}
built=$(date +%s)
grep -E '^(Ok|Fail|Skipped):' "$out/build.log" | tr -s ' ' | paste -sd ' ' | sed 's/^/build-deb: dh_auto_test: /'
echo "build-deb: dpkg-buildpackage -us -uc -b took $((built - start)) s"

changes=$(ls "$out"/wand_*.changes)
# Every tag down to pedantic, overridden ones too (O:, with the reason);
# lintian's own exit status counts overridden tags with --show-overrides, so
# the verdict is read from the tags: no E: or W: line.
lintian -I --pedantic --show-overrides "$changes" 2>&1 | grep -v '^running with root privileges' >"$out/lintian.txt" || true
sed 's/^/build-deb: lintian: /' "$out/lintian.txt"
status=0
! grep -qE '^[EW]:' "$out/lintian.txt" || status=1
summary=$(grep -oE '^[EWIPO]:' "$out/lintian.txt" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}' || true)
echo "build-deb: lintian (pedantic) took $(($(date +%s) - built)) s: ${summary:-no tags}; E errors, W warnings, I info, P pedantic, O overridden"
rm -rf "$out/src"
if [ "$status" -ne 0 ]; then
        echo "build-deb: lintian reported errors or warnings that are not overridden" >&2
        exit 1
fi
ls "$out"/wand_*.deb
