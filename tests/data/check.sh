# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the shell tests that compare what they see with what they
# expect: check WHAT EXPECTED ACTUAL prints ok/FAIL and counts failures.
failures=0
check() {
        local what=$1 expected=$2 actual=$3
        if [ "$expected" = "$actual" ]; then
                echo "ok: $what: $actual"
        else
                echo "FAIL: $what: expected $expected, got $actual"
                failures=$((failures + 1))
        fi
}
