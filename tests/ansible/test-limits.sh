#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The wand.router collection against a wand whose GetManagedObjects() reply
# would be larger than its system bus passes in one message: wand refuses it
# with org.freedesktop.DBus.Error.LimitsExceeded (org.wand.Router1(5),
# ERRORS), and the modules that list interfaces (info, manager with reload)
# read them with ListInterfaces() and GetAll() instead. Two routers with the
# same 17 interfaces: r1's wand.conf says BusMaxMessageSize=4K, r2's says
# nothing; what the modules return on r1 must be what they return on r2 (but
# for the numbers each wand or kernel hands out) and what the files say.
# Needs root; skipped (77) otherwise.
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

# Besides wan0 (Device=wan0): interfaces in every state a file can give,
# and enough of them that GetManagedObjects() passes 4096 bytes.
fleet_configure_router() {
        local n=$1 dir=$2 b
        [ "$n" -eq 1 ] && printf '[Router]\nBusMaxMessageSize=4K\n' >"$dir/wand.conf"
        printf '[Interface]\nDevice=wan1\n' >"$dir/interfaces/wan1.conf"
        printf '[Interface]\nDevice=nodev1\nPersistent=yes\n' >"$dir/interfaces/site-b.conf"
        printf '[Interface]\nDevice=wan1\nEnabled=no\n' >"$dir/interfaces/off.conf"
        printf '[Interface]\nDevice=ppp0\nConnectCommand=/usr/sbin/pppd call lte nodetach\n%s\n%s\n' \
                'DisconnectCommand=/usr/bin/poff lte' 'RedialAttempts=0' >"$dir/interfaces/lte.conf"
        for b in 01 02 03 04 05 06 07 08 09 10 11 12; do
                printf '[Interface]\nDevice=bo%s\nConnectTimeoutSec=%d\n' "$b" $((10#$b + 10)) \
                        >"$dir/interfaces/branch-office-$b.conf"
        done
}

SECONDS=0
fleet_setup 2
echo "# two routers up in ${SECONDS}s"

run limits limits.yml -e fleet_dir="$fleet_dir"
expect_status 0

# R(task, r): the interfaces info returned on router r; S(d): d without the
# numbers that differ between two wands (InstanceId) or kernels (IfIndex)
# and the time wan1 connected, which are checked on their own.
R='(lambda t, r: task(t)[r]["wand"]["interfaces"])'
S='(lambda d: dict((k, v) for k, v in d.items() if k not in ("InstanceId", "IfIndex", "ConnectedSince")))'
BRANCHES='["branch-office-%02d" % b for b in range(1, 13)]'
NAMES="sorted(['wan0', 'wan1', 'site-b', 'off', 'lte'] + $BRANCHES)"
KEYS='["ConnectedSince", "Device", "Enabled", "IfIndex", "InstanceId", "LastError", "LastErrorReason", "ManagedBy", "Name", "Path",
       "Persistent", "State", "UnreachabilityReasons", "settings"]'
PATH_OF='(lambda n: "/org/wand/Router1/interface/" + "".join(c if c.isalnum() else "_%02x" % ord(c) for c in n))'
STATES="dict([('wan0', 'disconnected'), ('wan1', 'connected'), ('site-b', 'unreachable'), ('off', 'unreachable'),
              ('lte', 'disconnected')] + [(b, 'unreachable') for b in $BRANCHES])"
REASONS="dict([('wan0', []), ('wan1', []), ('site-b', ['no-device']), ('off', ['disabled']), ('lte', [])]
              + [(b, ['no-device']) for b in $BRANCHES])"
check 'all(stats[h]["failures"] == 0 and stats[h]["ignored"] == 0 for h in hosts)' 'hosts == ["r1", "r2"]' \
      'task("GetManagedObjects")["r1"]["stdout"] == "org.freedesktop.DBus.Error.LimitsExceeded"' \
      'task("GetManagedObjects")["r2"]["stdout"] == "replied"' \
      "all(sorted($R(t, r)) == $NAMES for t in ('info', 'info after the reload') for r in hosts)" \
      "all(sorted($R('info', 'r1')[n]) == sorted($KEYS) for n in $NAMES)" \
      "all($S($R(t, 'r1')[n]) == $S($R(t, 'r2')[n]) for t in ('info', 'info after the reload') for n in $NAMES)" \
      "all($R('info', 'r1')[n]['Name'] == n and $R('info', 'r1')[n]['Path'] == $PATH_OF(n) for n in $NAMES)" \
      "$R('info', 'r1')['site-b']['Path'] == '/org/wand/Router1/interface/site_2db'" \
      "dict((n, p['State']) for n, p in $R('info', 'r1').items()) == $STATES" \
      "dict((n, p['UnreachabilityReasons']) for n, p in $R('info', 'r1').items()) == $REASONS" \
      "all(($R('info', r)[n]['IfIndex'] > 0) == (n in ('wan0', 'wan1', 'off')) for n in $NAMES for r in hosts)" \
      "all(($R('info', r)[n]['ConnectedSince'] > 0) == (n == 'wan1') for n in $NAMES for r in hosts)" \
      "len(set(p['InstanceId'] for p in $R('info', 'r1').values())) == 17" \
      "[p['Enabled'] for n, p in sorted($R('info', 'r1').items())] == [n != 'off' for n in $NAMES]" \
      "[p['Persistent'] for n, p in sorted($R('info', 'r1').items())] == [n == 'site-b' for n in $NAMES]" \
      "$R('info', 'r1')['lte']['settings']['ConnectCommand'] == ['/usr/sbin/pppd', 'call', 'lte', 'nodetach']" \
      "$R('info', 'r1')['lte']['settings']['DisconnectCommand'] == ['/usr/bin/poff', 'lte']" \
      "[$R('info', 'r1')[b]['settings']['ConnectTimeoutSec'] for b in $BRANCHES] == list(range(11, 23))" \
      "$R('info', 'r1')['branch-office-05']['Device'] == 'bo05'" \
      'all(task("reload, no file changed")[r]["changed"] is False for r in hosts)' \
      'all(task("reload, no file changed")[r]["actions"] == ["reload"] for r in hosts)' \
      'all(task("reload, no file changed")[r]["demand_dial_manager"] == "running" for r in hosts)' \
      'all(task("reload, a file changed")[r]["changed"] is True for r in hosts)' \
      "all($R('info after the reload', r)['branch-office-03']['settings']['ConnectTimeoutSec'] == 33 for r in hosts)"

echo "# done in ${SECONDS}s"
if [ $failures -gt 0 ]; then
        echo "$failures check(s) failed"
        exit 1
fi
echo "all checks passed"
