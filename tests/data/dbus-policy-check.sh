#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks wand's bus policy on a real system bus (Debian's system.conf plus
# the policy), in private namespaces, with the real daemon owning the name:
# only root may own org.wand.Router1; anyone may call every interface the
# contract names; the bus itself refuses anything else.
#
#   dbus-policy-check.sh POLICY WAND
#
# Needs root (namespaces); exits 77 (skipped) without it.
set -euo pipefail

policy=$(readlink -f "$1")
wand=$(readlink -f "$2")
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=private-bus.sh
. "$here/private-bus.sh"

if [ "$(id -u)" -ne 0 ]; then
        echo "not root: skipped"
        exit 77
fi
pb_enter_namespaces "$0" "$policy" "$wand"
trap pb_cleanup EXIT

pb_private_run
pb_start_bus "$policy"

# One interface, whose device does not exist in this network namespace.
mkdir -p "$pb_dir/config/interfaces"
printf '[Interface]\nDevice=wan0\n' >"$pb_dir/config/interfaces/wan0.conf"
"$wand" --config-dir="$pb_dir/config" >"$pb_dir/wand.log" 2>&1 &
pb_pids+=($!)
pb_wait_for_name org.wand.Router1 "${pb_pids[-1]}" "$pb_dir/wand.log"

# What becomes of a call: "ok", "bus-denied" when the bus refused to pass
# it on, else the error name it got.
#   outcome root|nobody DEST PATH INTERFACE.MEMBER [dbus-send ARGS...]
outcome() {
        local who=$1 dest=$2 path=$3 member=$4 as=() out
        shift 4
        [ "$who" = nobody ] && as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
        out=$("${as[@]}" dbus-send --system --print-reply --dest="$dest" "$path" "$member" "$@" 2>&1) && {
                echo ok
                return
        }
        case $out in
        "Error org.freedesktop.DBus.Error.AccessDenied: Rejected send message"*) echo bus-denied ;;
        "Error "*) out=${out#Error }; echo "${out%%:*}" ;;
        *) echo "unexpected: $out" ;;
        esac
}

# shellcheck source=check.sh
. "$here/check.sh"

bus=(org.freedesktop.DBus /org/freedesktop/DBus)
W=org.wand.Router1
M=/org/wand/Router1
WAN=/org/wand/Router1/interface/wan0

# Owning the name: nobody may not; root may (3: it exists, wand has it).
check "nobody owns $W" org.freedesktop.DBus.Error.AccessDenied \
        "$(outcome nobody "${bus[@]}" org.freedesktop.DBus.RequestName string:$W uint32:4)"
check "root asks for $W" ok \
        "$(outcome root "${bus[@]}" org.freedesktop.DBus.RequestName string:$W uint32:4)"

# Every interface of the contract reaches wand, for anyone.
check "nobody: Manager.ListInterfaces" ok \
        "$(outcome nobody $W $M org.wand.Router1.Manager.ListInterfaces)"
check "nobody: Manager.GetInterfaceByName" ok \
        "$(outcome nobody $W $M org.wand.Router1.Manager.GetInterfaceByName string:wan0)"
check "nobody: Properties.GetAll" ok \
        "$(outcome nobody $W $M org.freedesktop.DBus.Properties.GetAll string:org.wand.Router1.Manager)"
check "nobody: Properties.Get State" ok \
        "$(outcome nobody $W $WAN org.freedesktop.DBus.Properties.Get string:org.wand.Router1.Interface string:State)"
check "nobody: Introspectable.Introspect" ok \
        "$(outcome nobody $W $WAN org.freedesktop.DBus.Introspectable.Introspect)"
check "nobody: Peer.Ping" ok \
        "$(outcome nobody $W $M org.freedesktop.DBus.Peer.Ping)"
check "nobody: ObjectManager.GetManagedObjects" ok \
        "$(outcome nobody $W $M org.freedesktop.DBus.ObjectManager.GetManagedObjects)"
check "nobody: Interface.Disconnect on no interface" org.wand.Router1.Error.InvalidHandle \
        "$(outcome nobody $W $M/interface/nosuch org.wand.Router1.Interface.Disconnect)"
# polkit is not on this bus: wand itself says no to a non-root caller.
check "nobody: Manager.Reload is wand's to refuse" org.freedesktop.DBus.Error.AccessDenied \
        "$(outcome nobody $W $M org.wand.Router1.Manager.Reload)"

# Anything else is stopped by the bus, for root too.
check "nobody: an interface wand does not document" bus-denied \
        "$(outcome nobody $W $M org.wand.Router1.Undocumented.Foo)"
check "root: an interface wand does not document" bus-denied \
        "$(outcome root $W $M org.wand.Router1.Undocumented.Foo)"

if [ $failures -ne 0 ]; then
        echo "--- wand log"
        cat "$pb_dir/wand.log"
        exit 1
fi
