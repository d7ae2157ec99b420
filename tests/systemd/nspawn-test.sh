#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# wand installed from its Debian package under systemd as PID 1 (issue 11):
#
#   nspawn-test.sh --work DIR [--deb FILE]
#
# Without --deb the package is built first (tests/package/build-deb.sh, with
# lintian). The container is systemd-nspawn booting an overlay of the host's
# root (upper layer on a tmpfs in a private mount namespace), so the host's
# /etc and /usr are never written. Its network namespace and a peer's are
# made here (each held by a sleeping process); the veth between them and the
# openvpn server live only there. Everything started is stopped by pid.
# Exit 77 where systemd-nspawn cannot boot here.
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
src=$(cd "$here/../.." && pwd)
work= deb=
while [ $# -gt 0 ]; do
        case $1 in
        --work) work=$2; shift ;;
        --deb) deb=$2; shift ;;
        --in-namespace) in_namespace=1 ;;
        *) echo "usage: nspawn-test.sh --work DIR [--deb FILE]" >&2; exit 2 ;;
        esac
        shift
done
[ -n "$work" ] || { echo "nspawn-test.sh: --work DIR is needed" >&2; exit 2; }

skip() {
        echo "SKIP: $*"
        exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, mounts, systemd-nspawn)"
for tool in systemd-nspawn nsenter unshare openvpn dpkg-deb ip; do
        command -v "$tool" >/dev/null || skip "$tool is missing (tests/install-deps.sh installs it)"
done

mkdir -p "$work"
work=$(cd "$work" && pwd)

# Everything below runs in a private mount namespace: the overlay and the
# tmpfs under it vanish with it, whatever happens.
if [ -z "${in_namespace:-}" ]; then
        if [ -z "$deb" ]; then
                t0=$(date +%s)
                "$src/tests/package/build-deb.sh" "$work/deb" || { echo "FAIL: building the package"; exit 1; }
                deb=$(ls "$work"/deb/wand_*.deb)
                echo "note: package build and lintian: $(($(date +%s) - t0)) s"
        fi
        exec unshare --mount --propagation private -- "$0" --work "$work" --deb "$(readlink -f "$deb")" --in-namespace
fi

# shellcheck source=../data/check.sh
. "$src/tests/data/check.sh"

step() {
        echo
        echo "== $* ($(($(date +%s) - test_start)) s)"
}
test_start=$(date +%s)

pids_to_stop=()
nspawn_pid=
cleanup() {
        local status=$?
        if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
                # nspawn turns SIGTERM into an orderly shutdown of the container.
                kill -TERM "$nspawn_pid" 2>/dev/null
                for _ in $(seq 300); do
                        kill -0 "$nspawn_pid" 2>/dev/null || break
                        sleep 0.1
                done
                kill -KILL "$nspawn_pid" 2>/dev/null
                wait "$nspawn_pid" 2>/dev/null
        fi
        for pid in "${pids_to_stop[@]}"; do
                kill -TERM "$pid" 2>/dev/null
                wait "$pid" 2>/dev/null
        done
        umount -R "$work/ct" 2>/dev/null
        exit "$status"
}
trap cleanup EXIT

# ── The container's root and network ──────────────────────────────────────
ct=$work/ct
mkdir -p "$ct"
umount -R "$ct" 2>/dev/null
mount -t tmpfs -o mode=0755 wand-test "$ct" || skip "cannot mount a tmpfs"
mkdir -p "$ct/upper" "$ct/work" "$ct/root"
mount -t overlay -o lowerdir=/,upperdir="$ct/upper",workdir="$ct/work" wand-test-root "$ct/root" ||
        skip "cannot mount an overlay of / (overlayfs)"
root=$ct/root

# Held by sleeping processes: the container's network namespace and the
# peer site's.
unshare --net -- sleep infinity &
ns_ct=$!
pids_to_stop+=("$ns_ct")
unshare --net -- sleep infinity &
ns_peer=$!
pids_to_stop+=("$ns_peer")
for _ in $(seq 50); do
        [ "$(readlink /proc/$ns_ct/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
                [ "$(readlink /proc/$ns_peer/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
        sleep 0.1
done
in_ct_net() { nsenter --net="/proc/$ns_ct/ns/net" -- "$@"; }
in_peer() { nsenter --net="/proc/$ns_peer/ns/net" -- "$@"; }
in_ct_net ip link set lo up
in_peer ip link set lo up
in_ct_net ip link add veth-site type veth peer name veth-peer netns "$ns_peer" || { echo "FAIL: creating the veth"; exit 1; }
in_ct_net ip addr add 10.77.0.1/24 dev veth-site
in_ct_net ip link set veth-site up
in_peer ip addr add 10.77.0.2/24 dev veth-peer
in_peer ip link set veth-peer up

# The peer site: an openvpn server (static key, point to point).
key=$root/etc/openvpn/site-b.key
mkdir -p "$root/etc/openvpn"
openvpn --genkey secret "$key" >/dev/null 2>&1
chmod 0600 "$key"
static=(--secret "$key" --cipher AES-256-CBC --auth SHA256 --data-ciphers AES-256-CBC)
# Not through in_peer: in the background a function is a subshell, and $!
# would name the subshell, not openvpn.
nsenter --net="/proc/$ns_peer/ns/net" -- openvpn --dev tun-srv --dev-type tun --proto udp --port 1194 --float --ifconfig 10.99.0.1 10.99.0.2 \
        "${static[@]}" --verb 3 >"$work/openvpn-server.log" 2>&1 &
pids_to_stop+=("$!")

# What the container boots: basic.target and nothing else the host has
# enabled (no NetworkManager or networkd to set links up behind wand's back,
# no getty waiting for a console).
cat >"$root/etc/systemd/system/wand-test.target" <<'EOF'
[Unit]
Description=wand's systemd test
Requires=basic.target
After=basic.target
AllowIsolate=yes
EOF
for unit in NetworkManager.service systemd-networkd.service systemd-networkd.socket systemd-resolved.service \
        NetworkManager-wait-online.service systemd-networkd-wait-online.service; do
        ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
# A host image may forbid starting services from maintainer scripts; the
# container is a real system, where they start.
rm -f "$root/usr/sbin/policy-rc.d"
rm -rf "$root/etc/wand" "$root/var/lib/wand-test"
mkdir -p "$root/var/lib/wand-test"
cp "$deb" "$root/var/lib/wand-test/wand.deb"

# An upgrade: the same package with a higher version, as dpkg sees it.
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb -R "$deb" "$work/upgrade" >/dev/null
sed -i "s/^Version: .*/Version: $version+upgrade1/" "$work/upgrade/DEBIAN/control"
dpkg-deb -b "$work/upgrade" "$root/var/lib/wand-test/wand-upgrade.deb" >/dev/null
rm -rf "$work/upgrade"

# ── Boot ──────────────────────────────────────────────────────────────────
step "boot systemd in systemd-nspawn"
# CAP_NET_ADMIN: nspawn keeps it only with a network namespace of its own
# making (--private-network), but this one is ours (so the veth to the peer
# exists before the boot).
systemd-nspawn -D "$root" --keep-unit --register=no --network-namespace-path="/proc/$ns_ct/ns/net" \
        --capability=CAP_NET_ADMIN \
        -b -- systemd.unit=wand-test.target >"$work/console.log" 2>&1 </dev/null &
nspawn_pid=$!
leader=
for _ in $(seq 300); do
        kill -0 "$nspawn_pid" 2>/dev/null || break
        leader=$(pgrep -P "$nspawn_pid" -x systemd | head -n 1)
        [ -n "$leader" ] && break
        sleep 0.1
done
if [ -z "$leader" ]; then
        tail -n 20 "$work/console.log"
        skip "systemd-nspawn could not boot a container here (console log above)"
fi
ct() { nsenter --target "$leader" --mount --uts --ipc --net --pid --cgroup -- "$@"; }
# Until its manager answers, then until the boot is done.
state=
for _ in $(seq 900); do
        state=$(ct systemctl is-system-running 2>/dev/null)
        case $state in
        running | degraded | maintenance | stopping) break ;;
        esac
        kill -0 "$nspawn_pid" 2>/dev/null || break
        sleep 0.1
done
echo "container $leader: system $state; $(ct systemctl --version | head -n 1)"
case $state in
running | degraded) ;;
*)
        tail -n 30 "$work/console.log"
        echo "FAIL: the container did not boot ($state)"
        exit 1
        ;;
esac
[ "$state" = running ] || ct systemctl --failed --no-legend

# ── Install ───────────────────────────────────────────────────────────────
step "install the package"
ct dpkg -i /var/lib/wand-test/wand.deb || { echo "FAIL: dpkg -i"; exit 1; }
check "wand.service is enabled at boot" enabled "$(ct systemctl is-enabled wand.service)"
check "the postinst started wand" active "$(ct systemctl is-active wand.service)"
mode_of() { ct stat -c %a "$1"; }
check "a new /etc/wand is 0750 (ConfigurationDirectoryMode=)" 750 "$(mode_of /etc/wand)"

W=org.wand.Router1
M=/org/wand/Router1
SITEB=$M/interface/site_2db
wand_pid() { ct systemctl show -P MainPID wand.service; }
iface_state() { ct busctl get-property $W "$SITEB" $W.Interface State 2>&1 | sed 's/^s "\(.*\)"$/\1/'; }
wait_state() {
        local want=$1 s=
        for _ in $(seq 300); do
                s=$(iface_state)
                [ "$s" = "$want" ] && break
                sleep 0.1
        done
        check "site-b is $want" "$want" "$s"
}

# ── Bus activation ────────────────────────────────────────────────────────
step "bus activation through SystemdService="
ct systemctl stop wand.service
check "wand is stopped" inactive "$(ct systemctl is-active wand.service)"
since=$(ct date '+%Y-%m-%d %H:%M:%S')
ct busctl call $W $M $W.Manager ListInterfaces
check "the first call started wand.service" "active running" \
        "$(ct systemctl show -P ActiveState wand.service) $(ct systemctl show -P SubState wand.service)"
owner=$(ct busctl status --no-pager $W | sed -n 's/^PID=//p')
check "the bus name's owner is wand.service's main process" "$(wand_pid)" "$owner"
check "dbus-daemon activated it via systemd (not Exec=)" yes \
        "$(ct journalctl --no-pager -q --since "$since" -u dbus.service | grep -q "Activating via systemd: service name='$W' unit='wand.service'" && echo yes || echo no)"

# ── The sandbox ───────────────────────────────────────────────────────────
step "the sandbox"
ct systemd-analyze security --no-pager wand.service >"$work/security.txt" 2>&1
exposure=$(grep -o 'Overall exposure level for wand.service: .*' "$work/security.txt")
echo "note: systemd-analyze security: $exposure"
grep -E '^ *✗' "$work/security.txt" | sed 's/^/  open: /'
status=$(ct cat "/proc/$(wand_pid)/status")
check "NoNewPrivs" 1 "$(sed -n 's/^NoNewPrivs:\t*//p' <<<"$status")"
check "seccomp filter on" 2 "$(sed -n 's/^Seccomp:\t*//p' <<<"$status")"
echo "  CapBnd: $(sed -n 's/^CapBnd:\t*//p' <<<"$status")"
check "/usr is read-only for wand (ProtectSystem=strict)" yes \
        "$(ct nsenter --target "$(wand_pid)" --mount -- sh -c 'touch /usr/wand-test 2>/dev/null && echo no || echo yes')"

# ── Configuration: site-b, an openvpn link to the peer namespace ─────────
step "site-b: an openvpn site-to-site link (openvpn drops to nobody:nogroup)"
ct mkdir -p /etc/wand/interfaces
cat >"$root/etc/wand/interfaces/site-b.conf" <<EOF
[Interface]
Device=tun-site
ConnectCommand=/usr/sbin/openvpn --dev tun-site --dev-type tun --proto udp --nobind --remote 10.77.0.2 1194 --ifconfig 10.99.0.2 10.99.0.1 --secret /etc/openvpn/site-b.key --cipher AES-256-CBC --auth SHA256 --data-ciphers AES-256-CBC --user nobody --group nogroup ${WAND_TEST_CHROOT---chroot /run/wand/openvpn-chroot} --persist-tun --persist-key --verb 3
ConnectTimeoutSec=30
DisconnectTimeoutSec=10
EOF
ct systemctl reload wand.service
wait_state disconnected

# Pings across the tunnel, five a second, from the container's network
# namespace, for as long as the tunnel is meant to be up.
ping_log=$work/ping.log
pinger=
start_pings() {
        nsenter --net="/proc/$ns_ct/ns/net" -- ping -n -O -i 0.2 -W 1 10.99.0.1 >"$ping_log" 2>&1 &
        pinger=$!
        pids_to_stop+=("$pinger")
}
# Lost: a ping sent after the first answer that was never answered.
ping_checkpoint() {
        local what=$1 counts
        sleep 1
        counts=$(python3 - "$ping_log" <<'PY'
import re, sys
answered, asked = set(), set()
for line in open(sys.argv[1]):
    m = re.search(r'icmp_seq=(\d+)', line)
    if m:
        (answered if 'bytes from' in line else asked).add(int(m.group(1)))
first = min(answered) if answered else None
lost = {s for s in asked - answered if first is not None and s > first}
print(len(answered), len(lost))
PY
)
        echo "  pings across the tunnel so far: ${counts% *} answered, ${counts#* } lost"
        check "no ping lost across the tunnel ($what)" 0 "${counts#* }"
        check "pings cross the tunnel ($what)" yes "$([ "${counts% *}" -gt 0 ] && echo yes || echo no)"
}
openvpn_pids() { ct pgrep -x openvpn | paste -sd ' '; }

step "Connect as root"
if ! ct busctl call $W "$SITEB" $W.Interface Connect; then
        echo "FAIL: Connect as root; wand's journal:"
        ct journalctl --no-pager -q -u wand.service -n 40
        exit 1
fi
wait_state connected
ovpn=$(openvpn_pids)
check "one openvpn runs" 1 "$(wc -w <<<"$ovpn")"
crossed=no
for _ in $(seq 100); do
        in_ct_net ping -n -c 1 -W 1 10.99.0.1 >/dev/null 2>&1 && { crossed=yes; break; }
        sleep 0.1
done
check "a ping crosses the tunnel" yes "$crossed"
check "openvpn runs as nobody:nogroup" "65534 65534" \
        "$(ct sh -c "sed -n 's/^Uid:\t\([0-9]*\).*/\1/p; s/^Gid:\t\([0-9]*\).*/\1/p' /proc/$ovpn/status" | paste -sd ' ')"
[ -n "${WAND_TEST_CHROOT-x}" ] &&
        check "openvpn is chrooted" /run/wand/openvpn-chroot "$(ct readlink "/proc/$ovpn/root")"
# What adoption after a restart needs: wand, in its sandbox (ProtectProc=
# invisible), sees the /proc/PID/stat of openvpn running as nobody.
check "wand's sandbox shows openvpn's /proc/$ovpn/stat" yes \
        "$(ct nsenter --target "$(wand_pid)" --mount -- setpriv --reuid=0 --regid=0 --clear-groups \
                --bounding-set=-all,+net_admin,+net_raw,+net_bind_service,+setuid,+setgid,+sys_chroot,+kill \
                --inh-caps=-all sh -c "grep -q '^CapEff:.*0000000000000000\$' /proc/self/status && echo no-caps; test -r /proc/$ovpn/stat && echo yes" | tail -n 1)"

start_pings
ping_checkpoint "after Connect"
[ -z "${WAND_TEST_DEBUG:-}" ] || eval "$WAND_TEST_DEBUG"

step "an unprivileged user is denied by polkitd"
ct useradd --create-home wand-tester 2>/dev/null
tester_uid=$(ct id -u wand-tester)
denied=$(ct runuser -u wand-tester -- busctl call $W "$SITEB" $W.Interface Disconnect 2>&1)
echo "  wand-tester: $denied"
check "wand-tester's Disconnect is denied" yes "$(grep -q 'Access denied\|not authorized\|AccessDenied' <<<"$denied" && echo yes || echo no)"
check "still connected" connected "$(iface_state)"
check "the denial came from polkitd" active "$(ct systemctl is-active polkit.service)"

adopted() {
        local what=$1
        wait_state connected
        check "openvpn adopted, same pid ($what)" "$ovpn" "$(openvpn_pids)"
        check "the new wand says it adopted pid $ovpn ($what)" yes \
                "$(ct journalctl --no-pager -q -u wand.service _PID="$(wand_pid)" -o cat | grep -q "site-b: adopted the running dialer (pid $ovpn" && echo yes || echo no)"
        ping_checkpoint "$what"
}

step "systemctl restart wand"
old=$(wand_pid)
ct systemctl restart wand.service
check "wand restarted" yes "$([ "$(wand_pid)" != "$old" ] && [ "$(wand_pid)" != 0 ] && echo yes || echo no)"
adopted "after systemctl restart"

step "systemctl stop wand; systemctl start wand"
ct systemctl stop wand.service
check "wand stopped" inactive "$(ct systemctl is-active wand.service)"
check "openvpn lives on while wand is stopped" "$ovpn" "$(openvpn_pids)"
ping_checkpoint "while wand is stopped"
ct systemctl start wand.service
adopted "after stop and start"

step "upgrade the package, from a configuration open to every user"
# As older versions of wand left it (and systemd keeps it: it does not
# change the mode of a ConfigurationDirectory= that exists): directories
# 0755, files 0644, the command's words readable by every user.
ct chmod 0755 /etc/wand /etc/wand/interfaces
ct chmod 0644 /etc/wand/interfaces/site-b.conf
printf '[Interface]\nDevice=veth-plain\n' >"$root/etc/wand/interfaces/plain.conf"
ct chmod 0644 /etc/wand/interfaces/plain.conf
check "wand-tester can read site-b.conf before the upgrade" yes \
        "$(ct runuser -u wand-tester -- cat /etc/wand/interfaces/site-b.conf >/dev/null 2>&1 && echo yes || echo no)"
old=$(wand_pid)
ct dpkg -i /var/lib/wand-test/wand-upgrade.deb >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; echo "FAIL: the upgrade"; }
check "the new version is installed" "$version+upgrade1" "$(ct dpkg-query -W -f '${Version}' wand)"
check "the upgrade restarted wand" yes "$([ "$(wand_pid)" != "$old" ] && [ "$(wand_pid)" != 0 ] && echo yes || echo no)"
adopted "after the upgrade"
check "/etc/wand is 0750 after the upgrade" 750 "$(mode_of /etc/wand)"
check "/etc/wand/interfaces is 0750 after the upgrade" 750 "$(mode_of /etc/wand/interfaces)"
check "site-b.conf (a command) is 0600 after the upgrade" 600 "$(mode_of /etc/wand/interfaces/site-b.conf)"
check "plain.conf (no command) stays 0644" 644 "$(mode_of /etc/wand/interfaces/plain.conf)"
check "wand-tester cannot read site-b.conf any more" no \
        "$(ct runuser -u wand-tester -- cat /etc/wand/interfaces/site-b.conf >/dev/null 2>&1 && echo yes || echo no)"
ct journalctl --no-pager -q -u wand.service _PID="$(wand_pid)" -o cat | grep -E 'changed it to 0[67][05]0' | sed 's/^/  /'
check "the new wand says what it changed" 3 \
        "$(ct journalctl --no-pager -q -u wand.service _PID="$(wand_pid)" -o cat | grep -cE '^/etc/wand(/interfaces)?: every user could reach the files in it \(mode 0755\); changed it to 0750|^/etc/wand/interfaces/site-b.conf has a command, which may hold a password, and was readable by every user \(mode 0644\); changed it to 0600')"
rm -f "$root/etc/wand/interfaces/plain.conf"

step "the dialer's output in the journal, under wand/site-b"
ct journalctl --no-pager -u wand.service -o short-monotonic | grep -E 'wand/site-b|site-b:' | tail -n 8
restart_usec=$(ct systemctl show -P ExecMainStartTimestampMonotonic wand.service)

step "Disconnect as root"
ct busctl call $W "$SITEB" $W.Interface Disconnect || echo "FAIL: Disconnect as root"
wait_state disconnected
kill "$pinger" 2>/dev/null
check "openvpn is gone" "" "$(openvpn_pids)"
check "tun-site is gone" no "$(in_ct_net ip link show tun-site >/dev/null 2>&1 && echo yes || echo no)"
check "no ping crosses any more" no "$(in_ct_net ping -n -c 1 -W 1 10.99.0.1 >/dev/null 2>&1 && echo yes || echo no)"
after=$(ct journalctl --no-pager -q -u wand.service -t wand/site-b -o json --output-fields=MESSAGE |
        python3 -c "import json,sys; print(sum(1 for l in sys.stdin if int(json.loads(l)['__MONOTONIC_TIMESTAMP']) > $restart_usec))")
echo "  lines from wand/site-b after the last start of wand: $after"
check "openvpn still logs as wand/site-b after wand restarted" yes "$([ "$after" -gt 0 ] && echo yes || echo no)"

step "systemctl reload wand re-reads the configuration"
cat >"$root/etc/wand/interfaces/extra.conf" <<EOF
[Interface]
Device=veth-site
EOF
ct systemctl reload wand.service
found=no
for _ in $(seq 50); do
        ct busctl call $W $M $W.Manager GetInterfaceByName s extra >/dev/null 2>&1 && { found=yes; break; }
        sleep 0.1
done
check "extra appeared after systemctl reload" yes "$found"

step "systemd-networkd manages a device: ManagedBy, managed-elsewhere, ClaimDevice"
# nd0, a veth whose peer is up in the peer namespace; a .network for nd0
# alone, so networkd leaves veth-site and tun-site as they are.
in_ct_net ip link add nd0 type veth peer name nd0-peer netns "$ns_peer"
in_peer ip link set nd0-peer up
mkdir -p "$root/etc/systemd/network"
printf '[Match]\nName=nd0\n\n[Network]\nAddress=10.78.0.1/24\n' >"$root/etc/systemd/network/50-wand-test-nd0.network"
rm -f "$root/etc/systemd/system/systemd-networkd.service" "$root/etc/systemd/system/systemd-networkd.socket"
ct systemctl daemon-reload
ct systemctl start systemd-networkd.service || echo "FAIL: starting systemd-networkd"
ND0=$M/interface/lan
printf '[Interface]\nDevice=nd0\n' >"$root/etc/wand/interfaces/lan.conf"
ct systemctl reload wand.service
nd_path() {
        ct busctl call org.freedesktop.network1 /org/freedesktop/network1 org.freedesktop.network1.Manager \
                GetLinkByName s nd0 2>/dev/null | awk '{print $3}' | tr -d '"'
}
nd_state() {
        ct busctl get-property org.freedesktop.network1 "$(nd_path)" org.freedesktop.network1.Link \
                AdministrativeState 2>/dev/null | sed 's/^s "\(.*\)"$/\1/'
}
# networkd's own word for it: anything but "unmanaged" (configuring,
# configured, …) is managing.
nd_manages() { case $(nd_state) in unmanaged | "") echo no ;; *) echo yes ;; esac; }
managed_by() { ct busctl get-property $W "$ND0" $W.Interface ManagedBy 2>&1; }
runtime_file() { ct test -e /run/systemd/network/00-wand-nd0.network && echo yes || echo no; }
wait_for() { # WHAT EXPECTED COMMAND...
        local what=$1 want=$2 got=
        shift 2
        for _ in $(seq 100); do
                got=$("$@")
                [ "$got" = "$want" ] && break
                sleep 0.1
        done
        check "$what" "$want" "$got"
}
wait_for "networkd manages nd0" yes nd_manages
wait_for "wand: lan is managed by systemd-networkd" 'as 1 "systemd-networkd"' managed_by
check "lan is unreachable, managed-elsewhere" 'as 1 "managed-elsewhere"' \
        "$(ct busctl get-property $W "$ND0" $W.Interface UnreachabilityReasons 2>&1)"
answer=$(ct busctl call $W "$ND0" $W.Interface Connect 2>&1)
echo "  Connect: $answer"
check "Connect names networkd and ClaimDevice" yes \
        "$(grep -q 'systemd-networkd.*ClaimDevice' <<<"$answer" && echo yes || echo no)"
ct busctl call $W "$ND0" $W.Interface UpdateSettings 'a{sv}' 1 ClaimDevice b true || echo "FAIL: UpdateSettings ClaimDevice"
wait_for "wand's runtime .network file for nd0" yes runtime_file
wait_for "networkd leaves nd0 to wand" unmanaged nd_state
wait_for "ManagedBy is empty once claimed" 'as 0' managed_by
# networkd had set nd0 up: wand's now, it mirrors that, and its Disconnect
# holds.
lan_state() { ct busctl get-property $W "$ND0" $W.Interface State 2>&1; }
wait_for "lan is connected (nd0 is up, and wand's)" 's "connected"' lan_state
ct busctl call $W "$ND0" $W.Interface Disconnect || echo "FAIL: Disconnect lan"
sleep 2
check "lan stays disconnected (networkd does not set nd0 up again)" 's "disconnected"' "$(lan_state)"
ct busctl call $W "$ND0" $W.Interface Delete || echo "FAIL: Delete lan"
wait_for "Delete removed wand's runtime file" no runtime_file
wait_for "networkd manages nd0 again after Delete" yes nd_manages
ct systemctl stop systemd-networkd.service systemd-networkd.socket

step "the audit trail"
ct journalctl --no-pager MESSAGE_ID=f94fd50b57444aca94bc0968bd5ac35b -o verbose |
        grep -E '^ *(MESSAGE|WAND_[A-Z_]*|_PID)=|^[A-Z][a-z]{2} ' | tail -n 16
check "a Disconnect ended by uid 0 for site-b is in the journal" yes \
        "$(ct journalctl --no-pager MESSAGE_ID=f94fd50b57444aca94bc0968bd5ac35b WAND_INTERFACE=site-b WAND_CALLER_UID=0 -o cat | grep -q . && echo yes || echo no)"
ct journalctl --no-pager MESSAGE_ID=4473b37c2a4a4c958e8790cfabf71f2a -o verbose |
        grep -E '^ *(MESSAGE|WAND_[A-Z_]*)=|^[A-Z][a-z]{2} ' | tail -n 12
check "the denial of wand-tester (uid $tester_uid) is in the journal" yes \
        "$(ct journalctl --no-pager MESSAGE_ID=4473b37c2a4a4c958e8790cfabf71f2a WAND_CALLER_UID="$tester_uid" -o cat | grep -q . && echo yes || echo no)"

step "remove with a connection up, then purge"
ct busctl call $W "$SITEB" $W.Interface Connect || echo "FAIL: Connect as root"
wait_state connected
ct dpkg -r wand >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; echo "FAIL: dpkg -r"; }
check "wand is stopped after remove" inactive "$(ct systemctl is-active wand.service)"
gone=no
for _ in $(seq 100); do
        [ -z "$(openvpn_pids)" ] && { gone=yes; break; }
        sleep 0.1
done
check "remove stopped the dialer (its link went down)" yes "$gone"
check "remove keeps /etc/wand" yes "$(ct test -e /etc/wand/interfaces/site-b.conf && echo yes || echo no)"
ct dpkg --purge wand >>"$work/remove.log" 2>&1 || { cat "$work/remove.log"; echo "FAIL: dpkg --purge"; }
check "purge removed /etc/wand" no "$(ct test -e /etc/wand && echo yes || echo no)"

echo
echo "note: the systemd test took $(($(date +%s) - test_start)) s (boot to purge)"
if [ "$failures" -ne 0 ]; then
        echo "== $failures check(s) failed; wand's journal and the server's log:"
        ct journalctl --no-pager -q -u wand.service -n 80
        tail -n 20 "$work/openvpn-server.log"
        exit 1
fi
echo "== all checks passed"
