#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The manual pages render without a warning, with groff as man(1) runs it
# and with man(1) itself; and org.wand.Router1(5) quotes the example polkit
# rule byte for byte.
#   man-test.sh RULE-FILE ROUTER1-SCD PAGE...
set -uo pipefail

rule=$1 scd=$2
shift 2
failures=0
export LC_ALL=C.UTF-8 MANWIDTH=80
err=$(mktemp)
trap 'rm -f "$err"' EXIT

for page in "$@"; do
        # -k: through preconv, as man(1) does, for the UTF-8 of the source.
        warnings=$(groff -k -man -Tutf8 -ww -z "$page" 2>&1)
        if [ -n "$warnings" ]; then
                echo "FAIL: groff warns about $page:" >&2
                echo "$warnings" >&2
                failures=$((failures + 1))
        fi
        if command -v man >/dev/null; then
                out=$(man -l "$page" 2>"$err")
                if [ -s "$err" ]; then
                        echo "FAIL: man -l $page warns:" >&2
                        cat "$err" >&2
                        failures=$((failures + 1))
                fi
                if ! grep -q '^NAME' <<<"$out" || ! grep -q '^SEE ALSO' <<<"$out"; then
                        echo "FAIL: man -l $page shows no NAME or SEE ALSO section" >&2
                        failures=$((failures + 1))
                fi
        fi
        echo "ok: $(basename "$page")"
done

# The literal block between the BEGIN and END comments.
quoted=$(sed -n '/^; BEGIN polkit\/example-rules\/50-wand-netops.rules$/,/^; END/p' "$scd" |
        sed '1,2d;$d' | sed '$d')
if [ "$quoted" != "$(cat "$rule")" ]; then
        echo "FAIL: the example rule in $(basename "$scd") is not $rule:" >&2
        diff <(echo "$quoted") "$rule" >&2
        failures=$((failures + 1))
else
        echo "ok: the example rule is the one in polkit/example-rules/"
fi

[ "$failures" -eq 0 ]
