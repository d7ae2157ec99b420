#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A small system with wand installed, inside private mount, PID and network
# namespaces: `meson install` of a build configured with --prefix=/usr into a
# staging directory, overlaid on /usr (and /etc) so that every file is where
# the package puts it; Debian's system bus (system.conf, socket at
# /run/dbus/system_bus_socket) and Debian's polkitd, which find wand's files
# by themselves; the example polkit rule copied to /etc/polkit-1/rules.d as an
# administrator would; a user alice in the group netops; veth links wan0 and
# site-b; /etc/wand configuring both; and /usr/sbin/wand started as root (or
# left to bus activation). Nothing on the host changes: /run is a private
# tmpfs, the overlays' upper layers live on it, the links live in the private
# network namespace, and all of it vanishes when the script ends.
#
#   sudo tests/system/setup.sh [OPTIONS] --shell          a shell inside
#   sudo tests/system/setup.sh [OPTIONS] -- COMMAND [ARG...]
#                                       runs COMMAND inside; its exit status
#                                       is the script's (tests/system/)
#   tests/system/setup.sh --prepare --build DIR [--stamp FILE]
#                                       configures DIR with --prefix=/usr
#                                       (if it is not yet) and builds it
# Options:
#   --build DIR    the build to install; it must be configured with
#                  --prefix=/usr (default: build-system/ in the source tree,
#                  configured and built first)
#   --no-wand      do not start wand: the first call activates it
#   --rule FILE    also copy this polkit rule to /etc/polkit-1/rules.d
#   --files-only   install only: no links, bus, polkitd or wand
#
# COMMAND finds: WAND_SYSTEM_DIR (files, logs: on the private /run),
# WAND_SYSTEM_SOURCE (the source tree), WAND_SYSTEM_BUS_PID,
# WAND_SYSTEM_POLKITD_PID, WAND_SYSTEM_WAND_PID (empty with --no-wand).
# Without root it exits 77 (skipped): namespaces and mounts need root.
set -euo pipefail

self=$(readlink -f "$0")
source_root=$(readlink -f "$(dirname "$self")/../..")
# shellcheck source-path=SCRIPTDIR source=../data/private-bus.sh
. "$source_root/tests/data/private-bus.sh"

usage() {
        sed -n '/^#   sudo/,/^# Without root/p' "$self" | sed 's/^# \{0,1\}//'
}

build=
prepare=no
stamp=
start_wand=yes
files_only=no
shell=no
rules=()
command=()
while [ $# -gt 0 ]; do
        case $1 in
        --build) build=$(readlink -m "$2"); shift ;;
        --prepare) prepare=yes ;;
        --stamp) stamp=$2; shift ;;
        --no-wand) start_wand=no ;;
        --rule) rules+=("$(readlink -f "$2")"); shift ;;
        --files-only) files_only=yes ;;
        --shell) shell=yes ;;
        --) shift; command=("$@"); break ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
        esac
        shift
done

# ---------------------------------------------------------------- the host

# Configures BUILD with --prefix=/usr unless it is, and builds it.
prepare_build() {
        if [ ! -f "$build/meson-private/coredata.dat" ]; then
                meson setup "$build" "$source_root" --prefix=/usr -Dtests=false >/dev/null
        fi
        ninja -C "$build" >/dev/null
        [ -z "$stamp" ] || touch "$stamp"
}

build_prefix() {
        /usr/bin/python3 -c '
import json, sys
for o in json.load(open(sys.argv[1])):
    if o["name"] == "prefix":
        print(o["value"])' "$build/meson-info/intro-buildoptions.json"
}

outside() {
        if [ $prepare = yes ]; then
                [ -n "$build" ] || pb_die "--prepare needs --build DIR"
                prepare_build
                exit 0
        fi
        if [ "$(id -u)" -ne 0 ]; then
                echo "not root: skipped (namespaces and mounts need root: sudo $0)"
                exit 77
        fi
        if [ -z "$build" ]; then
                build=$source_root/build-system
                echo "setup: building into $build"
                prepare_build
        fi
        [ -f "$build/meson-info/intro-buildoptions.json" ] || pb_die "$build is not a meson build directory"
        local prefix
        prefix=$(build_prefix)
        # The bus and polkitd read /usr/share only: a build for another prefix
        # would install files that nothing reads, and the test would say so
        # for the wrong reason.
        [ "$prefix" = /usr ] || pb_die "$build has prefix $prefix; configure it with --prefix=/usr (or --prepare it)"
        [ $shell = yes ] || [ ${#command[@]} -gt 0 ] || { usage >&2; exit 2; }

        local args=(--build "$build")
        [ $start_wand = yes ] || args+=(--no-wand)
        [ $files_only = no ] || args+=(--files-only)
        [ $shell = no ] || args+=(--shell)
        local r
        for r in "${rules[@]}"; do args+=(--rule "$r"); done
        pb_enter_namespaces "$self" "${args[@]}" -- "${command[@]}"
}

# ------------------------------------------------------- inside namespaces

stage=$pb_dir/stage

cleanup() {
        trap - EXIT INT TERM
        pb_cleanup      # wand, polkitd, dbus-daemon: last started first
}

# Overlays DIR with LOWER (if it exists) on top of the host's DIR, with a
# writable upper layer on the private /run.
overlay() {
        local dir=$1 lower=$2 name
        name=$(basename "$dir")
        mkdir -p "$pb_dir/overlay/$name.upper" "$pb_dir/overlay/$name.work"
        local lowers=$dir
        [ ! -d "$lower" ] || lowers=$lower:$dir
        mount -n -t overlay overlay \
                -o "lowerdir=$lowers,upperdir=$pb_dir/overlay/$name.upper,workdir=$pb_dir/overlay/$name.work" "$dir"
}

install_wand() {
        meson install -C "$build" --destdir "$stage" --no-rebuild --quiet >"$pb_dir/install.log" 2>&1 ||
                { cat "$pb_dir/install.log" >&2; pb_die "meson install failed"; }
        overlay /usr "$stage/usr"
        overlay /etc "$stage/etc"
}

# alice: uid 4242, a member of netops (4243). Only in the overlaid /etc.
add_users() {
        local id
        for id in 4242 4243; do
                if getent passwd $id >/dev/null || getent group $id >/dev/null; then
                        pb_die "uid/gid $id is taken on this system"
                fi
        done
        ! getent passwd alice >/dev/null || pb_die "a user alice exists on this system"
        ! getent group netops >/dev/null || pb_die "a group netops exists on this system"
        echo "alice:x:4242:4242:wand system test:/nonexistent:/usr/sbin/nologin" >>/etc/passwd
        echo "alice:x:4242:" >>/etc/group
        echo "netops:x:4243:alice" >>/etc/group
}

# What the administrator does: the documented example rule, unchanged.
add_rules() {
        local r
        cp /usr/share/doc/wand/50-wand-netops.rules /etc/polkit-1/rules.d/
        for r in "${rules[@]}"; do
                cp "$r" /etc/polkit-1/rules.d/
        done
        chmod 0644 /etc/polkit-1/rules.d/*.rules
}

write_config() {
        mkdir -p /etc/wand/interfaces
        printf '[Router]\nDemandDial=yes\n' >/etc/wand/wand.conf
        printf '[Interface]\nDevice=wan0\n' >/etc/wand/interfaces/wan0.conf
        printf '[Interface]\nDevice=site-b\n' >/etc/wand/interfaces/site-b.conf
}

setup_links() {
        local dev
        for dev in wan0 site-b; do
                # The peer is up: the wand side has carrier once it is set up.
                ip link add "$dev" type veth peer name "$dev-peer"
                ip link set "$dev-peer" up
        done
}

start_wand() {
        # As systemd would start it: root, no arguments.
        /usr/sbin/wand >"$pb_dir/wand.log" 2>&1 &
        pb_pids+=($!)
        pb_wait_for_name org.wand.Router1 "${pb_pids[-1]}" "$pb_dir/wand.log"
        WAND_SYSTEM_WAND_PID=${pb_pids[-1]}
}

interactive_shell() {
        cat <<EOF

You are root inside a private system with wand installed to /usr (from
$build), its own /run, /usr and /etc overlays, and network.
Logs: $pb_dir/{dbus-daemon,polkitd,wand}.log. Users: root, nobody, alice
(group netops; /etc/polkit-1/rules.d/50-wand-netops.rules lets it connect
and disconnect wan0). Try:

  busctl --system tree org.wand.Router1
  busctl --system call org.wand.Router1 /org/wand/Router1/interface/wan0 org.wand.Router1.Interface Connect
  setpriv --reuid=alice --regid=alice --init-groups busctl --system call \\
      org.wand.Router1 /org/wand/Router1/interface/wan0 org.wand.Router1.Interface Disconnect
  setpriv --reuid=nobody --regid=nogroup --clear-groups busctl --system \\
      --allow-interactive-authorization=no call org.wand.Router1 \\
      /org/wand/Router1/interface/wan0 org.wand.Router1.Interface Connect
  pkaction --action-id org.wand.Router1.disconnect --verbose

Leave with exit: everything started is stopped and the namespaces vanish.
EOF
        PS1='[wand-system] \w# ' bash --norc -i || true
}

inside() {
        trap cleanup EXIT
        trap 'exit 130' INT TERM

        pb_private_run
        install_wand
        add_users
        add_rules
        write_config

        export WAND_SYSTEM_DIR=$pb_dir WAND_SYSTEM_SOURCE=$source_root
        export WAND_SYSTEM_BUS_PID='' WAND_SYSTEM_POLKITD_PID='' WAND_SYSTEM_WAND_PID=''
        if [ $files_only = no ]; then
                setup_links
                # Debian's system.conf, which reads /usr/share/dbus-1/system.d
                # and the system-services directories, and polkitd, which reads
                # /usr/share/polkit-1/actions: wand's files are installed there,
                # so neither is given any.
                # shellcheck disable=SC2119
                pb_start_bus
                WAND_SYSTEM_BUS_PID=${pb_pids[-1]}
                # shellcheck disable=SC2119
                pb_start_polkitd
                WAND_SYSTEM_POLKITD_PID=${pb_pids[-1]}
                [ $start_wand = no ] || start_wand
        fi

        local status=0
        if [ ${#command[@]} -gt 0 ]; then
                "${command[@]}" || status=$?
        fi
        [ $shell = no ] || interactive_shell
        return $status
}

if [ "${WAND_PB_INSIDE:-}" = 1 ]; then
        pb_enter_namespaces "$self"     # only takes note that we are inside
        inside
else
        outside
fi
