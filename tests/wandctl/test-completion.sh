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
expect_completion "--disabled --disconnect-command --disconnect-command-file --disconnect-timeout " wandctl create x --dis
expect_completion "--json --json= " wandctl --js
expect_completion "--json=pretty " wandctl list --json=p
expect_completion "wait " wandctl wa
expect_completion "wan0 wan1 " wandctl wait wan0 w
expect_completion "--any " wandctl wait --a
expect_completion "connected connecting " wandctl wait --state conn
expect_completion "--state=disconnected --state=disconnecting " wandctl wait --state=disc
expect_completion "--initial " wandctl monitor --i
expect_completion "--connect-command --connect-command-file --connect-timeout " wandctl create x --connect-
expect_completion "$wt_dir/config " wandctl set wan0 --connect-command-file "$wt_dir/con"
expect_completion "pretty " wandctl list --json = p
expect_completion "unreachable " wandctl wait --state = u
expect_completion "gone wan0 wan1 " wandctl --json = pretty status ""
expect_completion "set settings " wandctl se
expect_completion "wan0 wan1 " wandctl set w
expect_completion "" wandctl settings wan0 ""
expect_completion "--no-ask-password --no-claim-device --no-legend --no-pager --no-persistent " wandctl set wan0 --no
expect_completion "--enabled " wandctl set wan0 --en
expect_completion "wan0 wan0-p " wandctl create x --device wan0

wt_finish
