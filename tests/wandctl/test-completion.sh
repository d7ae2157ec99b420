#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# completion/wandctl, with interface names from the running wand,
# against the real wand on a private bus in a private network namespace.
# Needs root; skipped (77) otherwise.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
wt_setup "$@"

bin=$wt_dir/bin
: "${WANDCTL_COMPLETION:?}"
mkdir -p "$bin"
ln -s "$WANDCTL_BINARY" "$bin/wandctl"
# complete WORD...: what bash offers for the last word.
complete() {
        PATH=$bin:$PATH bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _wandctl
                [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$WANDCTL_COMPLETION" "$@" | sort | tr '\n' ' '
}
expect_completion() {
        local want=$1
        shift
        got=$(complete "$@")
        [ "$got" = "$want" ] || wt_fail "completing '$*': got '$got', expected '$want'"
}
expect_completion "connect " wandctl co
expect_completion "delete disable disconnect " wandctl d
expect_completion "wan0 wan1 " wandctl connect w
expect_completion "gone wan0 wan1 " wandctl --json status ""
expect_completion "gone wan0 wan1 " wandctl disconnect wan0 ""
expect_completion "start status stop " wandctl manager ""
expect_completion "" wandctl manager start ""
expect_completion "--disabled --disconnect-command --disconnect-timeout " wandctl create x --dis
expect_completion "--json " wandctl --js
expect_completion "set settings " wandctl se
expect_completion "wan0 wan1 " wandctl set w
expect_completion "" wandctl settings wan0 ""
expect_completion "--no-ask-password --no-claim-device --no-legend --no-persistent " wandctl set wan0 --no
expect_completion "--enabled " wandctl set wan0 --en
expect_completion "wan0 wan0-p " wandctl create x --device wan0

wt_finish
