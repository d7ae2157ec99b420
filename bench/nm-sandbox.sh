#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# NetworkManager, or its dispatcher, in a mount namespace of its own for the
# benchmark, as bench/run.sh starts them inside its private namespaces:
#
#   ip netns exec NETNS bench/nm-sandbox.sh networkmanager|dispatcher DIR
#
# `ip netns exec` gives a new mount namespace with a sysfs of NETNS; here it
# is made read-only (NetworkManager then does not wait for udev, which is
# absent), /run becomes a private tmpfs that shows only the system bus's
# socket, and DIR provides /etc/NetworkManager (plugins=keyfile,
# unmanaged-devices=none, no-auto-default=*, one keyfile connection),
# /var/lib/NetworkManager and empty dispatcher script directories. The
# program replaces this script, so its pid is the one bench/run.sh started.
set -euo pipefail

role=$1
dir=$2

mount -n -o remount,ro /sys

# The binds first: DIR lives on the /run that is about to be covered.
mount -n --bind "$dir/etc" /etc/NetworkManager
mount -n --bind "$dir/state" /var/lib/NetworkManager
mount -n --bind "$dir/empty" /usr/lib/NetworkManager/dispatcher.d
mount -n --bind "$dir/empty" /usr/lib/NetworkManager/conf.d

# A private /run with the bus socket in it: a tmpfs made on the side, the
# bus's directory bound into it, then moved over /run.
mount -n -t tmpfs -o mode=0755 tmpfs "$dir/run"
mkdir -p "$dir/run/dbus"
mount -n --bind /run/dbus "$dir/run/dbus"
mount -n --move "$dir/run" /run

case $role in
networkmanager)
        exec /usr/sbin/NetworkManager --no-daemon --log-level=WARN
        ;;
dispatcher)
        # --persist: it stays on the bus instead of leaving when idle.
        exec /usr/lib/NetworkManager/nm-dispatcher --persist
        ;;
*)
        echo "nm-sandbox.sh: networkmanager or dispatcher" >&2
        exit 2
        ;;
esac
