#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The wand.router collection, built and installed with ansible-galaxy, run by
# Debian's ansible-playbook over ssh against three routers (tests/ansible/
# fleet.sh): the README's playbook as it is there; creating, connecting, disconnecting and deleting interfaces on
# all of them; the second run of a play changing nothing; check mode changing
# nothing on any router and --diff saying what would; one router's failure
# not hiding the others' results; an unprivileged account refused by polkit
# with the D-Bus error in the task's msg, never a traceback; an operator
# whom a rule grants some actions doing just what they allow; a host without
# wand refused clearly. Needs root; skipped (77) otherwise.
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
. "$here/fleet.sh"
. "$here/playbook-runs.sh"
fleet_enter "$0" "$@"

failures=0
cleanup() {
        fleet_cleanup
        pb_cleanup
}
trap cleanup EXIT


# After a run of "PLAYBOOK facts.yml": I(r, iface) is that interface's
# properties and settings on router r, M(r) its manager's state.
I='(lambda r, i: task("info")[r]["wand"]["interfaces"][i])'
M='(lambda r: task("info")[r]["wand"]["demand_dial_manager"])'

SECONDS=0
fleet_setup 3
echo "# three routers up in ${SECONDS}s"

run converge "fleet.yml facts.yml"
expect_status 0
check 'all(stats[h]["failures"] == 0 and stats[h]["changed"] == 3 for h in hosts)' 'hosts == ["r1", "r2", "r3"]' \
      "all($I(r, 'wan0')['State'] == 'connected' and $I(r, 'wan0')['Persistent'] for r in hosts)" \
      "all($I(r, 'wan1')['State'] == 'connected' and $I(r, 'wan1')['settings']['ConnectTimeoutSec'] == 5 for r in hosts)" \
      "all($I(r, 'lte')['settings']['ConnectCommand'] == ['/usr/sbin/pppd', 'call', 'lte', 'nodetach'] for r in hosts)" \
      "all(not $I(r, 'lte')['Enabled'] and $I(r, 'lte')['settings']['RedialAttempts'] == 0 for r in hosts)"

run idempotent fleet.yml
expect_status 0
check 'all(stats[h]["changed"] == 0 and stats[h]["failures"] == 0 and stats[h]["ok"] == 3 for h in hosts)'

run check-mode "changes.yml facts.yml" --check --diff
expect_status 0
check 'all(stats[h]["changed"] == 4 for h in hosts)' \
      'all(task("wan0 with a longer timeout")[h]["diff"]["before"]["settings"]["ConnectTimeoutSec"] == 20 for h in hosts)' \
      'all(task("wan0 with a longer timeout")[h]["diff"]["after"]["settings"]["ConnectTimeoutSec"] == 9 for h in hosts)' \
      'all(task("wan1 disconnected")[h]["diff"]["after"]["state"] == "disconnected" for h in hosts)' \
      'all(task("wan1 disconnected")[h]["actions"] == ["disconnect"] for h in hosts)' \
      'all(task("manager stopped")[h]["actions"] == ["stop"] for h in hosts)' \
      "all($I(r, 'wan1')['State'] == 'connected' for r in hosts)" \
      "all($I(r, 'wan0')['settings']['ConnectTimeoutSec'] == 20 for r in hosts)" \
      "all($I(r, 'lte')['settings']['DisconnectCommand'] == ['/usr/bin/poff', 'lte'] for r in hosts)" \
      "all($M(r) == 'running' for r in hosts)"

run changes "changes.yml facts.yml" --diff
expect_status 0
check 'all(stats[h]["changed"] == 4 for h in hosts)' \
      "all($I(r, 'wan1')['State'] == 'unreachable' and $I(r, 'wan1')['UnreachabilityReasons'] == ['service-stopped'] for r in hosts)" \
      "all($I(r, 'wan0')['settings']['ConnectTimeoutSec'] == 9 for r in hosts)" \
      "all($I(r, 'lte')['settings']['DisconnectCommand'] == [] for r in hosts)" \
      "all($M(r) == 'stopped' for r in hosts)"
run changes-again changes.yml
expect_status 0
check 'all(stats[h]["changed"] == 0 for h in hosts)'

run restart teardown.yml -e reload=true
expect_status 0
check 'all(stats[h]["changed"] >= 2 for h in hosts)'

run partial partial.yml
expect_status 2
check 'task("wan2 connected")["r2"]["failed"]' \
      'task("wan2 connected")["r2"]["msg"] == "org.wand.Router1.Error.InterfaceUnreachable: wan2 is unreachable: device nodev9 does not exist."' \
      'task("wan2 connected")["r2"]["dbus_error"] == "org.wand.Router1.Error.InterfaceUnreachable"' \
      'task("wan2 connected")["r2"]["changed"]' \
      '"Traceback" not in json.dumps(task("wan2 connected")["r2"])' \
      'all(task("wan2 connected")[h]["changed"] and not task("wan2 connected")[h].get("failed") for h in ["r1", "r3"])' \
      'sorted(task("after")) == ["r1", "r3"]' \
      'all(task("after")[h]["wand"]["interfaces"]["wan2"]["State"] == "connected" for h in ["r1", "r3"])' \
      'stats["r2"]["failures"] == 1 and stats["r1"]["failures"] == 0 and stats["r3"]["failures"] == 0'

run unprivileged unprivileged.yml -e ansible_user=wandop
expect_status 0
DENIED='("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: ", "org.freedesktop.DBus.Error.AccessDenied: ")'
check 'all(task("info as wandop")[h]["wand"]["demand_dial_manager"] == "running" for h in hosts)' \
      "all(task('connect as wandop')[h]['failed'] and task('connect as wandop')[h]['msg'].startswith($DENIED) for h in hosts)" \
      "all('org.wand.Router1.connect' in task('connect as wandop')[h]['msg'] for h in hosts)" \
      "all(task('stop the manager as wandop')[h]['msg'].startswith($DENIED) for h in hosts)" \
      "all('org.wand.Router1.control' in task('stop the manager as wandop')[h]['msg'] for h in hosts)" \
      'not any(k in json.dumps(task("connect as wandop")) for k in ("Traceback", "module_stderr", "exception"))' \
      'all(task("info after as wandop")[h]["wand"]["demand_dial_manager"] == "running" for h in hosts)'

# The README's playbook, as it is there.
sed -n '/^<!-- site.yml: /,/^```$/p' "$WAND_SOURCE_ROOT/README.md" | sed '1,2d;$d' >"$fleet_dir/site.yml"
run readme "$fleet_dir/site.yml"
expect_status 0
check 'all(stats[h]["changed"] >= 1 and stats[h]["failures"] == 0 for h in hosts)' \
      'all(task("What wand says")[h]["wand"]["interfaces"]["backup"]["State"] == "disconnected" for h in hosts)'

run teardown "teardown.yml facts.yml"
expect_status 0
check "all(sorted(task('info')[r]['wand']['interfaces']) == ['wan0'] for r in hosts)" \
      "all($I(r, 'wan0')['State'] == 'disconnected' for r in hosts)"
run teardown-again teardown.yml
expect_status 0
check 'all(stats[h]["changed"] == 0 for h in hosts)'

# An operator who holds only some actions (50-wand-test-operator.rules) can
# do what they allow, and no task of it needs more.
run operator-setup operator-setup.yml
expect_status 0
run operator "operator.yml facts.yml" -e ansible_user=wandop -e settings=false
expect_status 0
T='(lambda t: task(t)[h])'
check "all($T('ops connected')['changed'] and $T('ops connected')['actions'] == ['connect'] for h in hosts)" \
      "all($T('ops connected')['interface']['state'] == 'connected' for h in hosts)" \
      "all('settings' not in $T('ops connected')['interface'] for h in hosts)" \
      "all($T('ops disconnected')['changed'] and $T('ops disconnected')['actions'] == ['disconnect'] for h in hosts)" \
      "all($T('cfg persistent')['changed'] and $T('cfg persistent')['actions'] == ['update Persistent'] for h in hosts)" \
      "all($T('cfg persistent')['interface']['settings']['CommandsHidden'] for h in hosts)" \
      "all('ConnectCommand' not in $T('cfg persistent')['interface']['settings'] for h in hosts)" \
      "all(not $T('cfg persistent again')['changed'] for h in hosts)" \
      "all($T('cfg with a command')['failed'] and not $T('cfg with a command')['changed'] for h in hosts)" \
      "all('org.wand.Router1.configure-privileged' in $T('cfg with a command')['msg'] for h in hosts)" \
      'not any(k in json.dumps(task("cfg with a command")) for k in ("Traceback", "module_stderr", "exception"))' \
      "all(task('info')[h]['wand']['interfaces']['cfg']['Persistent'] for h in hosts)"
# As root: the command as it was; then ops and cfg gone.
run operator-teardown "facts.yml operator-setup.yml" -e operator_state=absent
expect_status 0
check "all(task('info')[r]['wand']['interfaces']['cfg']['settings']['ConnectCommand'] == ['/bin/sleep', 'infinity', 'secret'] for r in hosts)" \
      "all(task('info')[r]['wand']['interfaces']['cfg']['settings']['Persistent'] for r in hosts)"

# A system bus without wand, in the controller's namespaces.
pb_dir=$fleet_dir/controller-bus
mkdir -p "$pb_dir"
pb_start_bus
run absent absent.yml
expect_status 2
check 'task("info without wand")["localhost"]["msg"].startswith("wand is not running on this host")' \
      '"Traceback" not in json.dumps(task("info without wand"))'

echo "# done in ${SECONDS}s"
if [ $failures -gt 0 ]; then
        echo "$failures check(s) failed"
        exit 1
fi
echo "all checks passed"
