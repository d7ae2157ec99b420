# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced by demo/demo.sh and the tests in tests/data/: a real system bus
# and a real polkitd, with wand's files made visible to them, inside private
# mount, PID and network namespaces, so that nothing on the host changes.
#
#   pb_enter_namespaces "$0" "$@"   re-runs the caller inside the namespaces
#                                   (PID 1 there); returns when already inside
#   pb_private_run                  a private tmpfs on /run
#   pb_start_bus [POLICY...]        Debian's system bus configuration plus
#                                   these policy files
#   pb_start_polkitd [POLICY...]    polkitd, with these actions added
#   pb_wait_for_name NAME PID LOG   until NAME is on the bus, or PID died
#   pb_cleanup                      stops what was started, last first
#
# Everything started is in pb_pids; the files are under $pb_dir.

pb_dir=/run/wand-private-bus
pb_pids=()

pb_die() {
        echo "$(basename "$0"): $*" >&2
        exit 1
}

pb_enter_namespaces() {
        local self=$1
        shift
        if [ "${WAND_PB_INSIDE:-}" = 1 ]; then
                unset WAND_PB_INSIDE
                return 0
        fi
        export WAND_PB_INSIDE=1
        # As PID 1 of the new PID namespace the caller takes down whatever is
        # left when it exits; the network and mount namespaces go with it.
        exec unshare --mount --propagation private --pid --net --fork --mount-proc \
                "$self" "$@"
}

pb_private_run() {
        # Never on the host's /run: only as PID 1 of a private PID namespace.
        [ $$ -eq 1 ] || pb_die "pb_private_run: not inside private namespaces"
        # mount -n: libmount would otherwise create /run/mount on the host's
        # /run before the tmpfs hides it.
        mount -n -t tmpfs -o mode=0755 tmpfs /run
        mkdir -p /run/dbus "$pb_dir"
        # Where /dev/log is a real syslog socket, keep these logs off it.
        if [ -S /dev/log ] && [ ! -L /dev/log ]; then
                mount -n --bind /dev/null /dev/log
        fi
        ip link set lo up
}

pb_wait_for_name() {
        local name=$1 pid=$2 log=$3 i
        for ((i = 0; i < 100; i++)); do
                if busctl --system call org.freedesktop.DBus /org/freedesktop/DBus \
                        org.freedesktop.DBus NameHasOwner s "$name" 2>/dev/null | grep -q 'b true'; then
                        return 0
                fi
                if ! kill -0 "$pid" 2>/dev/null; then
                        cat "$log" >&2 || true
                        pb_die "$name: its process exited"
                fi
                sleep 0.1
        done
        cat "$log" >&2 || true
        pb_die "$name did not appear on the bus"
}

pb_start_bus() {
        mkdir -p "$pb_dir/dbus-system.d"
        [ $# -eq 0 ] || cp "$@" "$pb_dir/dbus-system.d/"
        chmod -R a+rX "$pb_dir"
        cat >"$pb_dir/dbus-system.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <include>/usr/share/dbus-1/system.conf</include>
  <includedir>$pb_dir/dbus-system.d</includedir>
</busconfig>
EOF
        dbus-daemon --config-file="$pb_dir/dbus-system.conf" --nofork --nopidfile --nosyslog \
                >"$pb_dir/dbus-daemon.log" 2>&1 &
        pb_pids+=($!)
        pb_wait_for_name org.freedesktop.DBus "${pb_pids[-1]}" "$pb_dir/dbus-daemon.log"
}

pb_start_polkitd() {
        local polkitd=
        for p in /usr/lib/polkit-1/polkitd /usr/libexec/polkitd; do
                [ -x "$p" ] && { polkitd=$p; break; }
        done
        [ -n "$polkitd" ] || pb_die "polkitd is not installed"

        # polkitd reads its actions from /usr/share/polkit-1/actions only:
        # show it the installed ones plus ours, in this mount namespace only.
        mkdir -p "$pb_dir/polkit-actions"
        cp -a /usr/share/polkit-1/actions/. "$pb_dir/polkit-actions/"
        [ $# -eq 0 ] || cp "$@" "$pb_dir/polkit-actions/"
        chmod -R a+rX "$pb_dir/polkit-actions"
        mount -n --bind "$pb_dir/polkit-actions" /usr/share/polkit-1/actions

        # It starts as root and drops to the user polkitd itself.
        "$polkitd" --no-debug >"$pb_dir/polkitd.log" 2>&1 &
        pb_pids+=($!)
        pb_wait_for_name org.freedesktop.PolicyKit1 "${pb_pids[-1]}" "$pb_dir/polkitd.log"
}

pb_cleanup() {
        local i
        for ((i = ${#pb_pids[@]} - 1; i >= 0; i--)); do
                kill "${pb_pids[i]}" 2>/dev/null || true
                wait "${pb_pids[i]}" 2>/dev/null || true
        done
        pb_pids=()
}
