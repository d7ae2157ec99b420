#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Loads wand's polkit policy and the example rule into a real polkitd, in
# private namespaces (private /run; /etc/group and polkit's directories
# bind-mounted there only), and checks what polkit then decides: every
# action has the contract's defaults (configure-privileged, wand's
# addition, never _keep), and the rule lets a member of netops connect and
# disconnect wan0 and nothing else.
#
#   polkit-check.sh POLICY RULES
#
# Needs root (namespaces, bind mounts); exits 77 (skipped) without it.
set -euo pipefail

policy=$(readlink -f "$1")
rules=$(readlink -f "$2")
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=private-bus.sh
. "$here/private-bus.sh"

if [ "$(id -u)" -ne 0 ]; then
        echo "not root: skipped"
        exit 77
fi
pb_enter_namespaces "$0" "$policy" "$rules"
trap pb_cleanup EXIT

pb_private_run
t=$pb_dir

# The example rule beside the installed ones; nobody in the group netops.
mkdir -p "$t"/rules
cp -a /etc/polkit-1/rules.d/. "$t"/rules/ 2>/dev/null || true
cp "$rules" "$t"/rules/
cp /etc/group "$t"/group
echo "netops:x:4242:nobody" >>"$t"/group
chmod -R a+rX $t
mount -n --bind "$t"/rules /etc/polkit-1/rules.d
mount -n --bind "$t"/group /etc/group

pb_start_bus
pb_start_polkitd "$policy"

# shellcheck source=check.sh
. "$here/check.sh"

# The contract's defaults (any / inactive / active).
defaults() {
        pkaction --action-id "$1" --verbose 2>&1 |
                sed -n 's/^ *implicit \(any\|inactive\|active\): *//p' | paste -sd/ -
}
check "connect defaults" auth_admin/auth_admin/auth_admin_keep "$(defaults org.wand.Router1.connect)"
check "disconnect defaults" auth_admin/auth_admin/auth_admin_keep "$(defaults org.wand.Router1.disconnect)"
check "configure defaults" auth_admin/auth_admin/auth_admin "$(defaults org.wand.Router1.configure)"
check "control defaults" auth_admin/auth_admin/auth_admin "$(defaults org.wand.Router1.control)"
# Root-equivalent (the commands wand runs as root): never _keep.
check "configure-privileged defaults" auth_admin/auth_admin/auth_admin \
        "$(defaults org.wand.Router1.configure-privileged)"
check "configure-privileged says it is root-equivalent" yes \
        "$(pkaction --action-id org.wand.Router1.configure-privileged --verbose | grep -q 'root-equivalent' && echo yes || echo no)"

# A process of nobody, whom the private /etc/group puts in netops, and one
# of daemon, who is not. (polkit's isInGroup() asks the group database about
# the user, not the process's groups.)
setpriv --reuid=nobody --regid=nogroup --init-groups sleep 60 &
pb_pids+=($!)
netops=$!
setpriv --reuid=daemon --regid=daemon --init-groups sleep 60 &
pb_pids+=($!)
other=$!

decide() {
        local pid=$1 action=$2 interface=$3
        if pkcheck --process "$pid" --action-id "org.wand.Router1.$action" \
                --detail interface "$interface" --detail device "$interface" >/dev/null 2>&1; then
                echo yes
        else
                echo no
        fi
}
check "netops: connect wan0" yes "$(decide $netops connect wan0)"
check "netops: disconnect wan0" yes "$(decide $netops disconnect wan0)"
check "netops: disconnect site-b" no "$(decide $netops disconnect site-b)"
check "netops: connect site-b" no "$(decide $netops connect site-b)"
check "netops: configure wan0" no "$(decide $netops configure wan0)"
check "netops: configure-privileged wan0" no "$(decide $netops configure-privileged wan0)"
check "netops: control" no "$(decide $netops control wan0)"
check "daemon, not in netops: disconnect wan0" no "$(decide $other disconnect wan0)"

if [ $failures -ne 0 ]; then
        echo "--- polkitd log"
        cat "$t"/polkitd.log
        exit 1
fi
