#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# systemd-analyze verify on the built wand.service, with ExecStart= pointed
# at the daemon in the build tree because the installed path does not exist
# here. systemd-analyze exits 0 after unknown keys and unparsable values,
# only printing them, so any output at all is a failure.
set -eu

unit=$1
exe=$2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -q '^ExecStart=' "$unit" || { echo "$unit: no ExecStart=" >&2; exit 1; }
sed "s|^ExecStart=[^ ]*|ExecStart=$exe|" "$unit" >"$tmp/wand.service"

status=0
out=$(systemd-analyze verify --man=no "$tmp/wand.service" 2>&1) || status=$?
if [ "$status" -ne 0 ] || [ -n "$out" ]; then
        printf '%s\n' "$out" >&2
        echo "systemd-analyze verify: exit status $status" >&2
        exit 1
fi
echo "systemd-analyze verify: $unit is clean"
