#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One router of tests/ansible/fleet.sh, run by it in mount and network
# namespaces of its own: a private /run/dbus, a veth link to the controller
# (eth0 here, 10.77.N.2; fN there, 10.77.N.1), links wan0 and wan1 for its
# interfaces, Debian's system bus and polkitd, wand, and sshd on 10.77.N.2
# only. Writes DIR/ready when all are up; stops them, last first, on
# SIGTERM.
#
#   router.sh DIR N CONTROLLER_PID WAND_BINARY SOURCE_ROOT
set -euo pipefail

dir=$1 n=$2 controller=$3 wand=$4 source_root=$5
# shellcheck source=../data/private-bus.sh
. "$source_root/tests/data/private-bus.sh"
pb_dir=$dir     # this router's logs and bus configuration

trap 'exit 0' TERM INT
trap pb_cleanup EXIT

# The system bus socket at its usual path, this router's own.
mount -n -t tmpfs -o mode=0755 tmpfs /run/dbus

ip link set lo up
ip link add eth0 type veth peer name "f$n" netns "$controller"
ip addr add "10.77.$n.2/24" dev eth0
ip link set eth0 up
nsenter --net="/proc/$controller/ns/net" ip addr add "10.77.$n.1/24" dev "f$n"
nsenter --net="/proc/$controller/ns/net" ip link set "f$n" up

# wan0 and wan1: veths whose peers are up, so each has carrier once wand
# sets it up (device-only interfaces connect at once).
for dev in wan0 wan1; do
        ip link add "$dev" type veth peer name "$dev-p"
        ip link set "$dev-p" up
done

# The test's rule for the operator wandop beside the installed ones, in this
# mount namespace only.
mkdir -p "$dir/polkit-rules"
cp -a /etc/polkit-1/rules.d/. "$dir/polkit-rules/" 2>/dev/null || true
cp "$source_root/tests/ansible/50-wand-test-operator.rules" "$dir/polkit-rules/"
chmod -R a+rX "$dir/polkit-rules"
mount -n --bind "$dir/polkit-rules" /etc/polkit-1/rules.d

pb_start_bus "$source_root/dbus/org.wand.Router1.conf"
pb_start_polkitd "$source_root/polkit/org.wand.Router1.policy"

"$wand" --config-dir="$dir/config" --runtime-dir="$dir/run" >"$dir/wand.log" 2>&1 &
pb_pids+=($!)
pb_wait_for_name org.wand.Router1 "${pb_pids[-1]}" "$dir/wand.log"

cat >"$dir/sshd_config" <<CONF
ListenAddress 10.77.$n.2
HostKey $(dirname "$dir")/ssh/host_ed25519
AuthorizedKeysFile $(dirname "$dir")/ssh/authorized_keys
PidFile none
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 200
MaxSessions 50
LogLevel ERROR
Subsystem sftp internal-sftp
CONF
/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>"$dir/sshd.log" &
pb_pids+=($!)
for ((i = 0; i < 100; i++)); do
        if ss -Hltn "src 10.77.$n.2:22" 2>/dev/null | grep -q .; then
                break
        fi
        kill -0 "${pb_pids[-1]}" 2>/dev/null || { cat "$dir/sshd.log" >&2; pb_die "sshd exited"; }
        sleep 0.05
done

touch "$dir/ready"
# Until told to stop: a signal ends the wait, and the traps run.
sleep infinity &
pb_pids+=($!)
while :; do
        wait "${pb_pids[-1]}" || true
done
