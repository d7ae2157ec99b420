#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The installed wand on a real system bus with a real polkitd (issue 5): one
# group of checks per meson test, run inside the system setup.sh builds:
#
#   setup.sh --build DIR [OPTIONS] -- system-test.sh GROUP
#
# GROUP: root, unprivileged, rules, configure-privileged (setup.sh --rule
# 40-wand-test-configure.rules), polkit-down, polkit-slow (setup.sh
# --rule 40-wand-test-slow.rules), activation (setup.sh --no-wand), unit
# (setup.sh --files-only). Callers are root, nobody (uid 65534) and alice
# (group netops, which the example rule lets connect and disconnect wan0).
# Calls are made with gdbus, which can leave ALLOW_INTERACTIVE_AUTHORIZATION
# off (the default) or set it (-i), and prints an error's D-Bus name.
set -uo pipefail

group=${1:-}
dir=${WAND_SYSTEM_DIR:-}
[ -n "$dir" ] || { echo "system-test.sh runs inside tests/system/setup.sh" >&2; exit 2; }

W=org.wand.Router1
M=/org/wand/Router1
MI=$W.Manager
I=$W.Interface
WAN=$M/interface/wan0
SITEB=$M/interface/site_2db
IAR=org.freedesktop.DBus.Error.InteractiveAuthorizationRequired
DENIED=org.freedesktop.DBus.Error.AccessDenied
POLKIT=org.freedesktop.PolicyKit1
BUS=(-d org.freedesktop.DBus /org/freedesktop/DBus)

# shellcheck source=../data/check.sh
. "$(dirname "$(readlink -f "$0")")/../data/check.sh"

# yes or no, from a command's exit status.
yes_no() {
        if "$@"; then echo yes; else echo no; fi
}

as_user() {
        local who=$1
        shift
        case $who in
        root) "$@" ;;
        nobody) setpriv --reuid=65534 --regid=65534 --clear-groups "$@" ;;
        alice) setpriv --reuid=alice --regid=alice --init-groups "$@" ;;
        *) echo "as_user: who is $who?" >&2; return 2 ;;
        esac
}

# What becomes of a call: "ok" (the reply is in $dir/reply), else the D-Bus
# error's name.
#   outcome WHO [-i] [-d DEST] PATH INTERFACE.METHOD [ARG...]
# -i: with ALLOW_INTERACTIVE_AUTHORIZATION. ARGs in GVariant text.
outcome() {
        local who=$1 flags=() dest=$W out status=0
        shift
        while :; do
                case $1 in
                -i) flags+=(--interactive) ;;
                -d) dest=$2; shift ;;
                *) break ;;
                esac
                shift
        done
        local path=$1 method=$2
        shift 2
        out=$(as_user "$who" gdbus call --system --timeout 60 "${flags[@]}" --dest "$dest" \
                --object-path "$path" --method "$method" "$@" 2>&1) || status=$?
        if [ $status -eq 0 ]; then
                printf '%s\n' "$out" >"$dir/reply"
                echo ok
                return
        fi
        case $out in
        "Error: GDBus.Error:"*) out=${out#Error: GDBus.Error:}; echo "${out%%:*}" ;;
        *) echo "unexpected: $out" ;;
        esac
}

# A property's value as busctl prints it, without type and quotes.
#   prop [WHO] PATH NAME     (interface org.wand.Router1.Interface, or
#                             .Manager on /org/wand/Router1)
prop() {
        local who=root
        [ $# -eq 3 ] && { who=$1; shift; }
        local iface=$I
        [ "$1" = $M ] && iface=$MI
        as_user "$who" busctl --system get-property $W "$1" $iface "$2" 2>&1 | sed 's/^[a-z]* //; s/"//g'
}

# up or down: the kernel's administrative state of a link.
link() {
        if ip -o link show dev "$1" | grep -q '[<,]UP[,>]'; then echo up; else echo down; fi
}

has_owner() {
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s "$1" 2>/dev/null | grep -q '^b true$'
}

owner_pid() {
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s "$1" | sed 's/^u //'
}

activatable() {
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                ListActivatableNames | grep -q "\"$1\""
}

# Polls COMMAND for up to 10 s.
#   wait_until WHAT COMMAND [ARG...]
wait_until() {
        local what=$1 i
        shift
        for ((i = 0; i < 100; i++)); do
                "$@" && return 0
                sleep 0.1
        done
        check "$what (waited 10 s)" yes no
        return 1
}

not() { ! "$@"; }

running() { kill -0 "$1" 2>/dev/null; }

# Stops a process this test started (or the bus started for it) and waits
# until it is gone.
stop_pid() {
        kill "$1" 2>/dev/null || return 0
        wait_until "process $1 ends" not running "$1"
}

# Everything a caller could have changed: the objects and their
# properties, the manager's properties, the links, the configuration.
snapshot() {
        busctl --system --json=short call $W $M org.freedesktop.DBus.ObjectManager GetManagedObjects
        busctl --system --json=short call $W $M org.freedesktop.DBus.Properties GetAll s $MI
        ip -br link show | sort
        (cd /etc/wand && find . -type f | sort | xargs sha256sum)
}

# "same", or what differs between two snapshots.
compare() {
        if [ "$1" = "$2" ]; then echo same; else diff <(echo "$1") <(echo "$2"); fi
}

# The same call without and with the interactive flag: polkit wants an
# administrator, so the first is InteractiveAuthorizationRequired and the
# second, with no authentication agent to ask, AccessDenied.
#   needs_admin WHO WHAT PATH INTERFACE.METHOD [ARG...]
needs_admin() {
        local who=$1 what=$2
        shift 2
        check "$who: $what, not interactive" $IAR "$(outcome "$who" "$@")"
        check "$who: $what, interactive, no agent" $DENIED "$(outcome "$who" -i "$@")"
}

# The same call without and with the interactive flag, both AccessDenied.
denied() {
        local who=$1 what=$2
        shift 2
        check "$who: $what, not interactive" $DENIED "$(outcome "$who" "$@")"
        check "$who: $what, interactive" $DENIED "$(outcome "$who" -i "$@")"
}

# Every method that polkit guards, as WHO; each expects EXPECT (needs_admin
# or denied). Nothing may change: the caller snapshots around it.
every_guarded_method() {
        local expect=$1 who=$2
        $expect "$who" "Connect site-b" $SITEB $I.Connect
        $expect "$who" "Disconnect wan0" $WAN $I.Disconnect
        $expect "$who" "SetEnabled(false) wan0" $WAN $I.SetEnabled false
        $expect "$who" "Delete site-b" $SITEB $I.Delete
        $expect "$who" "CreateInterface lab" $M $MI.CreateInterface "'lab'" "{'Device': <'lab0'>}"
        $expect "$who" "Reload" $M $MI.Reload
        $expect "$who" "StopDemandDialManager" $M $MI.StopDemandDialManager
        $expect "$who" "StartDemandDialManager" $M $MI.StartDemandDialManager
}

# ------------------------------------------------------------------ groups

group_root() {
        check "root: ListInterfaces" ok "$(outcome root $M $MI.ListInterfaces)"

        check "root: Connect wan0" ok "$(outcome root $WAN $I.Connect)"
        check "wan0 State" connected "$(prop $WAN State)"
        check "wan0 link" up "$(link wan0)"
        check "root: Disconnect wan0" ok "$(outcome root $WAN $I.Disconnect)"
        check "wan0 State" disconnected "$(prop $WAN State)"
        check "wan0 link" down "$(link wan0)"

        check "root: SetEnabled(false) site-b" ok "$(outcome root $SITEB $I.SetEnabled false)"
        check "site-b Enabled" false "$(prop $SITEB Enabled)"
        check "site-b State" unreachable "$(prop $SITEB State)"
        check "site-b.conf says Enabled=no" yes \
                "$(yes_no grep -Eiq '^Enabled=(no|false|0)$' /etc/wand/interfaces/site-b.conf)"
        check "root: SetEnabled(true) site-b" ok "$(outcome root $SITEB $I.SetEnabled true)"
        check "site-b Enabled" true "$(prop $SITEB Enabled)"

        check "root: CreateInterface lab" ok \
                "$(outcome root $M $MI.CreateInterface "'lab'" "{'Device': <'lab0'>}")"
        check "lab's object path" "(objectpath '$M/interface/lab',)" "$(cat "$dir/reply")"
        check "lab.conf written" yes "$(yes_no test -f /etc/wand/interfaces/lab.conf)"
        check "root: Delete lab" ok "$(outcome root $M/interface/lab $I.Delete)"
        check "lab.conf removed" no "$(yes_no test -e /etc/wand/interfaces/lab.conf)"
        check "root: GetInterfaceByName lab after Delete" $W.Error.NoSuchInterface \
                "$(outcome root $M $MI.GetInterfaceByName "'lab'")"

        check "root: Reload" ok "$(outcome root $M $MI.Reload)"
        check "root: StopDemandDialManager" ok "$(outcome root $M $MI.StopDemandDialManager)"
        check "DemandDialManager" stopped "$(prop $M DemandDialManager)"
        check "root: StartDemandDialManager" ok "$(outcome root $M $MI.StartDemandDialManager)"
        check "DemandDialManager" running "$(prop $M DemandDialManager)"
}

group_unprivileged() {
        # Reading needs nothing.
        check "nobody: ListInterfaces" ok "$(outcome nobody $M $MI.ListInterfaces)"
        check "nobody: GetInterfaceByName site-b" ok "$(outcome nobody $M $MI.GetInterfaceByName "'site-b'")"
        check "its reply" "(objectpath '$SITEB',)" "$(cat "$dir/reply")"
        check "nobody: Get wan0 State" disconnected "$(prop nobody $WAN State)"
        check "nobody: GetAll site-b" ok \
                "$(outcome nobody $SITEB org.freedesktop.DBus.Properties.GetAll "'$I'")"
        check "nobody: GetAll Manager" ok "$(outcome nobody $M org.freedesktop.DBus.Properties.GetAll "'$MI'")"
        check "nobody: GetManagedObjects" ok "$(outcome nobody $M org.freedesktop.DBus.ObjectManager.GetManagedObjects)"
        check "nobody: Introspect wan0" ok "$(outcome nobody $WAN org.freedesktop.DBus.Introspectable.Introspect)"

        # Only root may own the name: the bus refuses anyone else.
        check "nobody: RequestName $W" $DENIED "$(outcome nobody "${BUS[@]}" org.freedesktop.DBus.RequestName "'$W'" 4)"
        check "alice: RequestName $W" $DENIED "$(outcome alice "${BUS[@]}" org.freedesktop.DBus.RequestName "'$W'" 4)"

        # wan0 connected, so that Disconnect and SetEnabled would change it.
        check "root: Connect wan0" ok "$(outcome root $WAN $I.Connect)"
        local before after
        before=$(snapshot)
        every_guarded_method needs_admin nobody
        after=$(snapshot)
        check "nothing changed" same "$(compare "$before" "$after")"
        check "wan0 still connected" connected "$(prop $WAN State)"
}

group_rules() {
        local rule=/etc/polkit-1/rules.d/50-wand-netops.rules
        check "$rule is the documented example, verbatim" yes \
                "$(yes_no cmp -s $rule "$WAND_SYSTEM_SOURCE/polkit/example-rules/50-wand-netops.rules")"
        check "alice's groups" "alice netops" "$(id -nG alice)"

        check "root: Connect wan0" ok "$(outcome root $WAN $I.Connect)"
        check "root: Connect site-b" ok "$(outcome root $SITEB $I.Connect)"

        # The rule grants netops connect and disconnect of wan0, without
        # authentication (so without the interactive flag).
        check "alice: Disconnect wan0" ok "$(outcome alice $WAN $I.Disconnect)"
        check "wan0 State" disconnected "$(prop $WAN State)"
        check "wan0 link" down "$(link wan0)"
        check "alice: Connect wan0" ok "$(outcome alice $WAN $I.Connect)"
        check "wan0 State" connected "$(prop $WAN State)"

        # And nothing else.
        local before after
        before=$(snapshot)
        needs_admin alice "Disconnect site-b" $SITEB $I.Disconnect
        needs_admin alice "SetEnabled(false) wan0" $WAN $I.SetEnabled false
        needs_admin alice "Delete site-b" $SITEB $I.Delete
        needs_admin alice "StopDemandDialManager" $M $MI.StopDemandDialManager
        # Nor anyone outside netops.
        needs_admin nobody "Disconnect wan0" $WAN $I.Disconnect
        after=$(snapshot)
        check "nothing changed" same "$(compare "$before" "$after")"
        check "site-b still connected" connected "$(prop $SITEB State)"
}

# 40-wand-test-configure.rules grants netops configure on wan0, the rule
# org.wand.Router1.policy warns about: alice may change wan0's harmless
# settings, but neither set nor read the commands wand runs as root.
group_configure_privileged() {
        local before after secret="{'ConnectCommand': <['/bin/sleep', '1000', 'secret']>}"
        check "root: UpdateSettings wan0 with a command" ok "$(outcome root $WAN $I.UpdateSettings "$secret")"
        check "root: GetSettings wan0" ok "$(outcome root $WAN $I.GetSettings)"
        check "root sees the command" yes "$(yes_no grep -q "'secret'" "$dir/reply")"
        check "alice: GetSettings wan0" ok "$(outcome alice $WAN $I.GetSettings)"
        check "alice does not see it" no "$(yes_no grep -q secret "$dir/reply")"
        check "alice is told it is hidden" yes "$(yes_no grep -q "'CommandsHidden': <true>" "$dir/reply")"
        check "alice: UpdateSettings wan0 Persistent" ok "$(outcome alice $WAN $I.UpdateSettings "{'Persistent': <true>}")"
        check "wan0 Persistent" true "$(prop $WAN Persistent)"

        before=$(snapshot)
        needs_admin alice "UpdateSettings wan0 ConnectCommand" $WAN $I.UpdateSettings \
                "{'ConnectCommand': <['/bin/sh', '-c', 'id']>}"
        needs_admin alice "UpdateSettings wan0 removing ConnectCommand" $WAN $I.UpdateSettings \
                "{'ConnectCommand': <@as []>}"
        needs_admin alice "GetSettings site-b" $SITEB $I.GetSettings
        after=$(snapshot)
        check "nothing changed" same "$(compare "$before" "$after")"

        # Delete, then the same name with a command: refused as well.
        check "alice: Delete wan0" ok "$(outcome alice $WAN $I.Delete)"
        needs_admin alice "CreateInterface wan0 with a command" $M $MI.CreateInterface "'wan0'" \
                "{'Device': <'wan0'>, 'ConnectCommand': <['/bin/sh']>}"
        check "root: GetInterfaceByName wan0" $W.Error.NoSuchInterface \
                "$(outcome root $M $MI.GetInterfaceByName "'wan0'")"
        check "alice: CreateInterface wan0 without one" ok \
                "$(outcome alice $M $MI.CreateInterface "'wan0'" "{'Device': <'wan0'>}")"
}

# Root is served and nobody and alice are refused, changing nothing.
#   without_polkit SITUATION
without_polkit() {
        local how=$1 before after
        check "root: Disconnect wan0 ($how)" ok "$(outcome root $WAN $I.Disconnect)"
        check "root: Connect wan0 ($how)" ok "$(outcome root $WAN $I.Connect)"
        check "wan0 State" connected "$(prop $WAN State)"
        before=$(snapshot)
        every_guarded_method denied nobody
        # The rule would let alice; without polkit nobody is asked.
        denied alice "Disconnect wan0" $WAN $I.Disconnect
        after=$(snapshot)
        check "nothing changed ($how)" same "$(compare "$before" "$after")"
        check "$POLKIT still not on the bus ($how)" no "$(yes_no has_owner $POLKIT)"
}

group_polkit_down() {
        local polkitd

        # Stopped, but activatable as Debian installs it: the bus starts it
        # again (through its setuid launch helper) when wand asks.
        stop_pid "$WAND_SYSTEM_POLKITD_PID"
        wait_until "$POLKIT leaves the bus" not has_owner $POLKIT
        check "root: Connect wan0 (polkitd stopped)" ok "$(outcome root $WAN $I.Connect)"
        check "nobody: Disconnect wan0 (polkitd stopped, activatable)" $IAR \
                "$(outcome nobody $WAN $I.Disconnect)"
        check "the bus started polkitd again" yes "$(yes_no has_owner $POLKIT)"
        polkitd=$(owner_pid $POLKIT)
        stop_pid "$polkitd"
        wait_until "$POLKIT leaves the bus" not has_owner $POLKIT

        # polkitd cannot start: the bus answers wand with a Spawn error.
        mount -n --bind /bin/false /usr/lib/polkit-1/polkitd
        without_polkit "polkitd fails to start"
        check "wand logged the failed check" yes \
                "$(yes_no grep -q 'polkit failed to answer.*org.freedesktop.DBus.Error.Spawn' "$dir/wand.log")"
        umount -n /usr/lib/polkit-1/polkitd

        # Not installed: nothing to activate, the bus says ServiceUnknown.
        rm /usr/share/dbus-1/system-services/$POLKIT.service
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
        wait_until "$POLKIT is no longer activatable" not activatable $POLKIT
        without_polkit "polkitd not installed"
        check "wand logged that polkit is not on the bus" yes \
                "$(yes_no grep -q 'polkit is not on the bus' "$dir/wand.log")"
}

# The rule's sleep runs as a child of polkitd: polkit is deciding.
polkit_deciding() {
        local stat
        for stat in /proc/[0-9]*/stat; do
                # pid (comm) state ppid ...
                read -r _ comm _ ppid _ <"$stat" 2>/dev/null || continue
                [ "$comm" = "(sleep)" ] && [ "$ppid" = "$WAND_SYSTEM_POLKITD_PID" ] && return 0
        done
        return 1
}

group_polkit_slow() {
        local order=$dir/order slow leaver

        # 1. While polkit decides for alice, others are served.
        : >"$order"
        (
                outcome alice $SITEB $I.Connect >"$dir/slow.result"
                echo "alice's Connect site-b" >>"$order"
        ) &
        slow=$!
        wait_until "polkit is deciding for alice" polkit_deciding
        check "root: Connect wan0, meanwhile" ok "$(outcome root $WAN $I.Connect)"
        echo "root's Connect wan0" >>"$order"
        check "nobody: ListInterfaces, meanwhile" ok "$(outcome nobody $M $MI.ListInterfaces)"
        echo "nobody's ListInterfaces" >>"$order"
        check "nobody: Get site-b State, meanwhile" disconnected "$(prop nobody $SITEB State)"
        echo "nobody's Get State" >>"$order"
        check "root: Disconnect wan0, meanwhile" ok "$(outcome root $WAN $I.Disconnect)"
        echo "root's Disconnect wan0" >>"$order"
        check "polkit still deciding for alice after those" yes "$(yes_no polkit_deciding)"
        wait $slow
        check "alice: Connect site-b, decided slowly" ok "$(cat "$dir/slow.result")"
        check "order of the replies" \
                "root's Connect wan0|nobody's ListInterfaces|nobody's Get State|root's Disconnect wan0|alice's Connect site-b" \
                "$(paste -sd'|' "$order")"
        check "site-b State" connected "$(prop $SITEB State)"

        # 2. A caller that leaves while polkit decides: nothing is done,
        # although polkit then says yes.
        check "root: Disconnect site-b" ok "$(outcome root $SITEB $I.Disconnect)"
        # Not through as_user: $! must be gdbus itself (setpriv execs it).
        setpriv --reuid=alice --regid=alice --init-groups gdbus call --system --timeout 60 \
                --dest $W --object-path $SITEB --method $I.Connect >/dev/null 2>&1 &
        leaver=$!
        wait_until "polkit is deciding for alice" polkit_deciding
        check "alice's call is pending" yes "$(yes_no running $leaver)"
        kill $leaver
        wait $leaver
        wait_until "polkit has decided" not polkit_deciding
        # polkit answers wand in order: once this is decided, the check
        # alice left is too.
        check "alice: Disconnect site-b, after she left" $IAR "$(outcome alice $SITEB $I.Disconnect)"
        check "site-b State after alice left" disconnected "$(prop $SITEB State)"
        check "site-b link after alice left" down "$(link site-b)"
        check "wand cancelled the check" yes \
                "$(yes_no grep -q 'left while polkit was deciding org.wand.Router1.connect' "$dir/wand.log")"

        # 3. polkitd dies while deciding: denied (wand fails closed).
        (outcome alice $SITEB $I.Connect >"$dir/slow.result") &
        slow=$!
        wait_until "polkit is deciding for alice" polkit_deciding
        stop_pid "$WAND_SYSTEM_POLKITD_PID"
        wait $slow
        check "alice: Connect site-b, polkitd died deciding" $DENIED "$(cat "$dir/slow.result")"
        check "site-b State" disconnected "$(prop $SITEB State)"
        check "wand logged the failed check" yes \
                "$(yes_no grep -q 'polkit failed to answer for org.wand.Router1.connect' "$dir/wand.log")"
}

wand_processes() {
        local exe
        for exe in /proc/[0-9]*/exe; do
                [ "$(readlink "$exe" 2>/dev/null)" = /usr/sbin/wand ] && echo "${exe//[^0-9]/}"
        done
}

group_activation() {
        local pid pid2
        check "wand is not running" "" "$(wand_processes)"
        check "$W has no owner" no "$(yes_no has_owner $W)"
        check "$W is activatable" yes "$(yes_no activatable $W)"

        # The bus lets root own the name, and nobody else.
        check "root: RequestName $W" ok "$(outcome root "${BUS[@]}" org.freedesktop.DBus.RequestName "'$W'" 4)"
        check "its reply (primary owner)" "(uint32 1,)" "$(cat "$dir/reply")"
        wait_until "root's connection let the name go" not has_owner $W
        check "nobody: RequestName $W" $DENIED "$(outcome nobody "${BUS[@]}" org.freedesktop.DBus.RequestName "'$W'" 4)"
        check "alice: RequestName $W" $DENIED "$(outcome alice "${BUS[@]}" org.freedesktop.DBus.RequestName "'$W'" 4)"
        check "$W still has no owner" no "$(yes_no has_owner $W)"

        # The first call starts it: the bus (as messagebus) through its setuid
        # launch helper, Exec= of the activation file, as root.
        check "nobody: ListInterfaces, wand not running" ok "$(outcome nobody $M $MI.ListInterfaces)"
        check "the reply lists /etc/wand's interfaces" "site-b wan0" \
                "$(grep -o "('[^']*'" "$dir/reply" | tr -d "('" | paste -sd' ')"
        pid=$(owner_pid $W)
        check "the owner is /usr/sbin/wand" /usr/sbin/wand "$(readlink "/proc/$pid/exe")"
        check "running as root" 0 "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
        check "started by the bus (DBUS_STARTER_BUS_TYPE=system)" yes \
                "$(yes_no grep -qz '^DBUS_STARTER_BUS_TYPE=system$' "/proc/$pid/environ")"
        check "through the launch helper" yes \
                "$(yes_no grep -q "Activating service name='$W'.*(using servicehelper)" "$dir/dbus-daemon.log")"
        check "the bus is not root" messagebus "$(stat -c %U "/proc/$WAND_SYSTEM_BUS_PID")"

        check "nobody: Get Version" ok "$(outcome nobody $M org.freedesktop.DBus.Properties.Get "'$MI'" "'Version'")"
        check "served by the same wand" "$pid" "$(owner_pid $W)"
        check "root: Connect wan0" ok "$(outcome root $WAN $I.Connect)"

        # Stopped, it is started again; a device-only interface mirrors the
        # kernel across the restart.
        stop_pid "$pid"
        wait_until "$W leaves the bus" not has_owner $W
        check "nobody: Get wan0 State, wand not running" connected "$(prop nobody $WAN State)"
        pid2=$(owner_pid $W)
        check "a new wand" yes "$(yes_no test -n "$pid2" -a "$pid2" != "$pid")"
        check "the new owner is /usr/sbin/wand" /usr/sbin/wand "$(readlink "/proc/$pid2/exe")"
        stop_pid "$pid2"
}

group_unit() {
        local f unit=/usr/lib/systemd/system/wand.service
        local activation=/usr/share/dbus-1/system-services/$W.service
        for f in /usr/sbin/wand /usr/share/dbus-1/system.d/$W.conf $activation \
                /usr/share/dbus-1/interfaces/$MI.xml /usr/share/dbus-1/interfaces/$I.xml \
                /usr/share/polkit-1/actions/$W.policy $unit; do
                check "installed: $f" yes "$(yes_no test -f "$f")"
        done

        # The activation file and the unit agree.
        check "SystemdService= of the activation file" wand.service "$(sed -n 's/^SystemdService=//p' $activation)"
        check "Name= of the activation file" $W "$(sed -n 's/^Name=//p' $activation)"
        check "BusName= of the unit" $W "$(sed -n 's/^BusName=//p' $unit)"
        check "Type= of the unit" dbus "$(sed -n 's/^Type=//p' $unit)"
        check "Exec= of the activation file is the unit's ExecStart=" \
                "$(sed -n 's/^ExecStart=//p' $unit)" "$(sed -n 's/^Exec=//p' $activation)"
        check "User= of the activation file" root "$(sed -n 's/^User=//p' $activation)"

        # verify exits 0 after unknown keys and bad values, only printing
        # them: any output is a failure.
        local out status=0
        out=$(systemd-analyze verify --man=no $unit 2>&1) || status=$?
        [ -z "$out" ] || printf '%s\n' "$out"
        check "systemd-analyze verify $unit" "exit 0, silent" \
                "exit $status, $([ -z "$out" ] && echo silent || echo "$(wc -l <<<"$out") line(s)")"

        status=0
        out=$(systemd-analyze security --offline=true --no-pager $unit 2>&1) || status=$?
        printf '%s\n' "$out"
        check "systemd-analyze security --offline=true" 0 "$status"
        check "it rates the unit" yes "$(yes_no grep -q 'Overall exposure level' <<<"$out")"
        echo "exposure: $(grep -o 'Overall exposure level for wand.service: .*' <<<"$out")"
}

case $group in
root|unprivileged|rules|configure-privileged|polkit-down|polkit-slow|activation|unit) "group_${group//-/_}" ;;
*) echo "usage: system-test.sh root|unprivileged|rules|configure-privileged|polkit-down|polkit-slow|activation|unit" >&2
   exit 2 ;;
esac

if [ $failures -ne 0 ]; then
        echo "$failures check(s) failed"
        for log in dbus-daemon polkitd wand; do
                [ -f "$dir/$log.log" ] || continue
                echo "--- $log.log"
                cat "$dir/$log.log"
        done
        exit 1
fi
echo "system-$group: all checks passed"
