#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The audit trail's catalog: journalctl compiles it, and it has an entry
# for every MESSAGE_ID that service/audit.h defines.
#   catalog-check.sh data/wand.catalog service/audit.h
set -euo pipefail
catalog=$1 header=$2
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/usr/lib/systemd/catalog"
cp "$catalog" "$root/usr/lib/systemd/catalog/"
journalctl --root="$root" --update-catalog
listed=$(journalctl --root="$root" --list-catalog)

status=0
for id in $(sed -n 's/^#define WAND_MESSAGE_[A-Z_]* "\([0-9a-f]\{32\}\)"$/\1/p' "$header"); do
        if grep -q "^$id " <<<"$listed"; then
                echo "ok: $id"
        else
                echo "missing from $catalog: $id" >&2
                status=1
        fi
done
[ "$(grep -c '^#define WAND_MESSAGE_' "$header")" -ge 6 ] || { echo "no MESSAGE_IDs found in $header" >&2; exit 1; }
exit $status
