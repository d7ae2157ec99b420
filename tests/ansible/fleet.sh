# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced by tests/ansible/test-*.sh and bench/fleet.sh: a fleet of "routers"
# on this machine, and an Ansible controller that reaches them over ssh, as
# an operator's does.
#
# The controller is this script, as PID 1 of private mount, PID and network
# namespaces (so that everything it starts dies with it). Each router is
# router.sh in mount and network namespaces of its own: its own /run/dbus
# (so its own system bus socket at the usual path), Debian's system bus and
# polkitd, wand from the build tree, and an sshd listening only on its end
# of a veth link (10.77.N.2) to the controller (10.77.N.1). ssh is Ansible's
# own transport, and the one the routers of a fleet are reached with: the
# modules run on each router as they would on a real one, with the router's
# bus, polkit and users, rather than through a connection plugin that only
# a test would use.
#
# Nothing on the host changes: /run, /root, /etc/passwd, /etc/group and
# /etc/shadow are private to the namespaces (a user "wandop", uid 4242, is
# added to the private copies for the unprivileged runs); sshd's host key,
# the client key and Ansible's files live under $fleet_dir on the private
# /run; the links exist only in the namespaces.
#
#   fleet_enter "$0" "$@"     re-runs the caller inside (once)
#   fleet_setup N             N routers r1..rN, the collection built and
#                             installed, ansible.cfg and the inventory
#   fleet_cleanup             stops the routers (PID 1's exit does the rest)
#
# Every router's wand starts with interfaces/wan0.conf (Device=wan0) in its
# configuration directory; a test that defines fleet_configure_router N DIR
# adds its own files to router N's directory DIR (wand.conf, more
# interfaces) before that router's wand starts.
#
# Needs: WAND_BINARY, WAND_SOURCE_ROOT. Skips (77) when not root.

: "${WAND_BINARY:?}" "${WAND_SOURCE_ROOT:?}"

fleet_lib_dir=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=../data/private-bus.sh
. "$WAND_SOURCE_ROOT/tests/data/private-bus.sh"

fleet_dir=/run/wand-fleet
fleet_router_pids=()
fleet_n=0

fleet_enter() {
        if [ "$(id -u)" -ne 0 ]; then
                echo "SKIP: needs root (namespaces, veth links, sshd)"
                exit 77
        fi
        local tool
        for tool in ansible-playbook ansible-galaxy /usr/sbin/sshd ssh ssh-keygen /usr/bin/python3; do
                command -v "$tool" >/dev/null ||
                        { echo "SKIP: $tool is not installed (tests/install-deps.sh installs it)"; exit 77; }
        done
        /usr/bin/python3 -c 'import dbus' 2>/dev/null ||
                { echo "SKIP: python3-dbus is not installed (tests/install-deps.sh installs it)"; exit 77; }
        pb_enter_namespaces "$@"
}

# The private copies of the account files: root may log in with a key
# (its password field is "*", not locked), wandop exists.
fleet_accounts() {
        local f
        for f in passwd group shadow; do
                cp -p "/etc/$f" "$fleet_dir/etc/$f"
        done
        getent passwd 4242 >/dev/null && pb_die "uid 4242 is taken on this system"
        mkdir -p "$fleet_dir/home/wandop" "$fleet_dir/home/root"
        chown 4242:4242 "$fleet_dir/home/wandop"
        chmod 0700 "$fleet_dir/home/root"
        echo "wandop:x:4242:4242:wand fleet test:$fleet_dir/home/wandop:/bin/sh" >>"$fleet_dir/etc/passwd"
        echo "wandop:x:4242:" >>"$fleet_dir/etc/group"
        sed -i 's/^root:[^:]*:/root:*:/' "$fleet_dir/etc/shadow"
        echo "wandop:*:19000:0:99999:7:::" >>"$fleet_dir/etc/shadow"
        for f in passwd group shadow; do
                mount -n --bind "$fleet_dir/etc/$f" "/etc/$f"
        done
        mount -n --bind "$fleet_dir/home/root" /root
}

fleet_keys() {
        mkdir -p "$fleet_dir/ssh"
        ssh-keygen -q -t ed25519 -N '' -C "wand fleet host" -f "$fleet_dir/ssh/host_ed25519"
        ssh-keygen -q -t ed25519 -N '' -C "wand fleet controller" -f "$fleet_dir/ssh/id_ed25519"
        cp "$fleet_dir/ssh/id_ed25519.pub" "$fleet_dir/ssh/authorized_keys"
        chmod 0644 "$fleet_dir/ssh/authorized_keys"
        # wandop's client key: the same key, readable by wandop's ssh.
        cp "$fleet_dir/ssh/id_ed25519" "$fleet_dir/home/wandop/id_ed25519"
        chown 4242:4242 "$fleet_dir/home/wandop/id_ed25519"
        mkdir -p /run/sshd
        chmod 0755 /run/sshd
}

# The collection as an operator gets it: built, then installed.
fleet_collection() {
        ansible-galaxy collection build "$WAND_SOURCE_ROOT/ansible" --output-path "$fleet_dir" >"$fleet_dir/galaxy.log" 2>&1 ||
                { cat "$fleet_dir/galaxy.log" >&2; pb_die "ansible-galaxy collection build failed"; }
        ansible-galaxy collection install "$fleet_dir"/wand-router-*.tar.gz -p "$fleet_dir/collections" \
                >>"$fleet_dir/galaxy.log" 2>&1 ||
                { cat "$fleet_dir/galaxy.log" >&2; pb_die "ansible-galaxy collection install failed"; }
}

fleet_ansible_config() {
        local forks=$1 i
        mkdir -p "$fleet_dir/ansible-local" "$fleet_dir/cp"
        cat >"$fleet_dir/ansible.cfg" <<CFG
[defaults]
inventory = $fleet_dir/inventory.ini
collections_path = $fleet_dir/collections
forks = $forks
host_key_checking = False
interpreter_python = /usr/bin/python3
gathering = explicit
retry_files_enabled = False
local_tmp = $fleet_dir/ansible-local
nocolor = True

[ssh_connection]
pipelining = True
control_path_dir = $fleet_dir/cp
ssh_args = -o ControlMaster=auto -o ControlPersist=120s -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR
CFG
        {
                echo "[routers]"
                for ((i = 1; i <= fleet_n; i++)); do
                        echo "r$i ansible_host=10.77.$i.2"
                done
                echo
                echo "[routers:vars]"
                echo "ansible_user=root"
                echo "ansible_ssh_private_key_file=$fleet_dir/ssh/id_ed25519"
        } >"$fleet_dir/inventory.ini"
        export ANSIBLE_CONFIG=$fleet_dir/ansible.cfg HOME=/root
}

fleet_start_router() {
        local i=$1 rdir=$fleet_dir/r$1
        mkdir -p "$rdir/config/interfaces" "$rdir/run"
        printf '[Interface]\nDevice=wan0\n' >"$rdir/config/interfaces/wan0.conf"
        if declare -F fleet_configure_router >/dev/null; then
                fleet_configure_router "$i" "$rdir/config"
        fi
        unshare --mount --propagation private --net -- "$fleet_lib_dir/router.sh" "$rdir" "$i" $$ \
                "$WAND_BINARY" "$WAND_SOURCE_ROOT" >"$rdir/router.log" 2>&1 &
        fleet_router_pids+=($!)
}

fleet_wait_ready() {
        local i j
        for ((i = 1; i <= fleet_n; i++)); do
                for ((j = 0; j < 600; j++)); do
                        [ -e "$fleet_dir/r$i/ready" ] && break
                        if ! kill -0 "${fleet_router_pids[i - 1]}" 2>/dev/null; then
                                cat "$fleet_dir/r$i/router.log" >&2
                                pb_die "router r$i did not start"
                        fi
                        sleep 0.1
                done
                [ -e "$fleet_dir/r$i/ready" ] || { cat "$fleet_dir/r$i/router.log" >&2; pb_die "router r$i is not ready"; }
        done
}

fleet_setup() {
        fleet_n=$1
        local i
        [ $$ -eq 1 ] || pb_die "fleet_setup: not inside private namespaces"
        mount -n -t tmpfs -o mode=0755 tmpfs /run
        mkdir -p /run/dbus "$fleet_dir/etc"
        if [ -S /dev/log ] && [ ! -L /dev/log ]; then
                mount -n --bind /dev/null /dev/log
        fi
        ip link set lo up
        fleet_accounts
        fleet_keys
        fleet_collection
        fleet_ansible_config "$fleet_n"
        for ((i = 1; i <= fleet_n; i++)); do
                fleet_start_router "$i"
        done
        fleet_wait_ready
}

fleet_cleanup() {
        local i
        for ((i = ${#fleet_router_pids[@]} - 1; i >= 0; i--)); do
                kill "${fleet_router_pids[i]}" 2>/dev/null || true
        done
        for ((i = ${#fleet_router_pids[@]} - 1; i >= 0; i--)); do
                wait "${fleet_router_pids[i]}" 2>/dev/null || true
        done
        fleet_router_pids=()
}
