# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the Ansible tests after fleet.sh: running a playbook with the
# recording callback and checking what it recorded. Uses $here, $fleet_dir
# and counts into $failures.

# run NAME "PLAYBOOK..." [ARGS...]: $fleet_dir/NAME.json, and the exit
# status. Several playbooks run in one ansible-playbook, one after another.
run() {
        name=$1
        local playbooks=() p
        for p in $2; do
                case $p in
                /*) playbooks+=("$p") ;;
                *) playbooks+=("$here/playbooks/$p") ;;
                esac
        done
        shift 2
        echo "# $name: ansible-playbook ${playbooks[*]##*/} $*"
        WAND_RECORD=$fleet_dir/$name.json ANSIBLE_CALLBACK_PLUGINS=$here/callback_plugins \
                ANSIBLE_CALLBACKS_ENABLED=record ansible-playbook "${playbooks[@]}" "$@" \
                >"$fleet_dir/$name.log" 2>&1
        status=$?
}

expect_status() {
        if [ "$status" != "$1" ]; then
                echo "FAIL: $name: ansible-playbook exited $status, expected $1" >&2
                cat "$fleet_dir/$name.log" >&2
                failures=$((failures + 1))
        fi
}

# check EXPR...: over the last run's results (check.py).
check() {
        "$here/check.py" "$fleet_dir/$name.json" "$@" || failures=$((failures + 1))
}
