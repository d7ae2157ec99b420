# SPDX-License-Identifier: LGPL-2.1-or-later
"""The crash-consistency run itself, inside the namespaces (see crash.py): the
plan of each kill, the calls that keep wand busy meanwhile, and the checks
after each restart.

Imported only after the fork of crash.py's init: harness sets up the D-Bus
main loop on import.
"""

import glob
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, deque

import dbus

import harness
from harness import (BUS_NAME, IFACE_IFACE, MANAGER_IFACE, MANAGER_PATH, PROPS_IFACE, link_connected, link_info,
                     plain, proc_environ, pump)

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = '/usr/bin/python3'

# The crash points of service/crash-point.h, and the calls that pass each:
# most calls of a kill aimed at its point are drawn from these.
POINTS = {
    'config-before-rename': ('set_enabled', 'update_timeout', 'update_command', 'claim', 'create'),
    'config-after-rename': ('set_enabled', 'update_timeout', 'update_command', 'claim', 'create'),
    'record-before-rename': ('connect', 'update_command'),
    'dialer-spawned': ('connect', 'update_command'),
    'claim': ('claim', 'create', 'set_enabled'),
    'handback': ('claim', 'delete', 'remove_file'),
    'teardown-signalled': ('disconnect', 'set_enabled', 'update_command'),
    'release-signalled': ('delete', 'remove_file'),
}
OPS = ('connect', 'connect', 'disconnect', 'set_enabled', 'update_timeout', 'update_command', 'claim', 'delete',
       'create', 'create', 'remove_file')

# Dialer interfaces (test-dialer makes their tun) and device interfaces on
# veths that a stand-in manages: NetworkManager's nm0, networkd's nd0.
DIALERS = {'d0': 'tun0', 'd1': 'tun1'}
DEVICES = {'cn': ('nm0', 'NetworkManager'), 'cd': ('nd0', 'systemd-networkd')}
NAMES = tuple(DIALERS) + tuple(DEVICES)
MODES = (('ok', 60), ('ignore-term', 25), ('never-up', 15))
TIMEOUTS = dict(ConnectTimeoutSec=3, DisconnectTimeoutSec=2)

SETTLE_TIMEOUT = 6  # s: longer than any teardown or attempt in flight (TIMEOUTS)
NAMED_BUDGET = 1.0  # s of calls before a named point that has not fired is replaced by a timed kill
TIMED_MAX = 0.6     # s: the latest a timed kill comes

# Causes of a divergence that item 4 of issue 21 (wand reconciles the
# dialer and claim records at start) is to remove; any other is a finding.
ITEM4 = {
    'dialer-without-interface': 'item 4: stop a recorded dialer that belongs to no interface',
    'dialer-of-disabled-interface': 'item 4: tear down a dialer whose interface is now disabled',
    'dialer-record-dropped-while-running': 'item 4: never drop the record of a process that still runs',
    'claim-not-handed-back': 'item 4: give back the claims of devices no interface uses any more',
}


def iface_path(name):
    return '/org/wand/Router1/interface/' + ''.join(c if c.isalnum() else f'_{ord(c):02x}' for c in name)


def read_lines(path):
    try:
        with open(path) as f:
            return [line.strip() for line in f]
    except FileNotFoundError:
        return None


class Crash:
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.w = harness.World('crash')
        self.w.wand_args = [f'--networkd-runtime-dir={self.w.path("networkd")}']
        self.networkd_dir = self.w.path('networkd')
        self.arm_file = self.w.path('armed')
        self.standins = None
        self.trace = deque(maxlen=60)
        self.kills = Counter()       # how each kill came: a point's name, or 'timed'
        self.divergences = Counter()  # by cause
        self.item4_kills = []        # the kills whose only divergences are item 4's
        self.other_kills = []
        self.temp_files_seen = 0
        self.calls = 0
        self.kill_no = 0
        self.last_kill = None
        self.mark = self.kill_mark = 0

    # -- the world --

    def log(self, text):
        line = f'[{time.monotonic() - harness.T0:8.3f}] {text}'
        self.trace.append(line)
        if self.args.verbose:
            print(line, flush=True)

    def ip(self, *argv):
        subprocess.run(['ip', *argv], capture_output=True)

    def setup(self):
        w = self.w
        self.ip('link', 'set', 'lo', 'up')
        for dev, _ in DEVICES.values():
            self.ip('link', 'add', dev, 'type', 'veth', 'peer', 'name', dev + 'p')
            self.ip('link', 'set', dev + 'p', 'up')
        os.makedirs(self.networkd_dir, exist_ok=True)
        w.start_bus()
        self.standins = subprocess.Popen(
            [PYTHON, os.path.join(HERE, 'standins.py'), w.address, self.networkd_dir,
             '--nm', DEVICES['cn'][0], '--networkd', DEVICES['cd'][0]],
            stdout=subprocess.PIPE, stderr=open(w.path('standins.log'), 'w'))
        w.helpers.append(self.standins)
        if self.standins.stdout.readline().strip() != b'ready':
            raise harness.Failure('the NetworkManager and networkd stand-ins did not start (standins.log)')
        self.write_initial_files()

    def dialer_command(self, mode):
        return [self.w.dialer, f'--mode={mode}']

    def write_initial_files(self):
        for name, dev in DIALERS.items():
            self.w.write_iface(name, Device=dev, ConnectCommand=self.dialer_command('ok'), **TIMEOUTS)
        for name, (dev, _) in DEVICES.items():
            self.w.write_iface(name, Device=dev, ClaimDevice=True, **TIMEOUTS)

    def reset(self):
        """After a divergence (--keep-going): everything as at the start, so
        that the next kill is judged on its own."""
        w = self.w
        if w.wand_proc and w.wand_proc.poll() is None:
            w.wand_proc.kill()
            w.wand_proc.wait()
        w.wand_proc = None
        for pid in w.dialer_processes():
            os.kill(pid, signal.SIGKILL)
        harness.wait_until(lambda: not w.dialer_processes(), 5, 'the dialers to be gone')
        for path in glob.glob(os.path.join(w.ifaces_dir, '*')) + glob.glob(os.path.join(w.ifaces_dir, '.*')):
            os.unlink(path)
        shutil.rmtree(w.runtime_dir, ignore_errors=True)
        for path in glob.glob(os.path.join(self.networkd_dir, '*')):
            os.unlink(path)
        bus = w.bus
        for dev, owner in DEVICES.values():
            self.ip('link', 'set', dev, 'down')
            if owner == 'NetworkManager':
                obj = bus.get_object('org.freedesktop.NetworkManager', self.nm_device_path(dev), introspect=False)
                obj.Set('org.freedesktop.NetworkManager.Device', 'Managed', dbus.Boolean(True),
                        dbus_interface=PROPS_IFACE)
        obj = bus.get_object('org.freedesktop.network1', '/org/freedesktop/network1', introspect=False)
        obj.Reload(dbus_interface='org.freedesktop.network1.Manager')
        self.write_initial_files()

    def nm_device_path(self, dev):
        obj = self.w.bus.get_object('org.freedesktop.NetworkManager', '/org/freedesktop/NetworkManager',
                                    introspect=False)
        return str(obj.GetDeviceByIpIface(dev, dbus_interface='org.freedesktop.NetworkManager'))

    def nm_managed(self, dev):
        obj = self.w.bus.get_object('org.freedesktop.NetworkManager', self.nm_device_path(dev), introspect=False)
        return bool(obj.Get('org.freedesktop.NetworkManager.Device', 'Managed', dbus_interface=PROPS_IFACE))

    # -- wand --

    def start_wand(self, env, armed):
        if armed:
            open(self.arm_file, 'w').close()
        elif os.path.exists(self.arm_file):
            os.unlink(self.arm_file)
        self.w.wand_env = dict(env, WAND_CRASH_ARM_FILE=self.arm_file)
        self.mark = self.w.log_mark()
        try:
            self.w.start_wand()
        except harness.Failure:
            if not armed:
                raise
        return self.wand_alive()

    def wand_alive(self):
        return self.w.wand_proc is not None and self.w.wand_proc.poll() is None

    def wand_log(self):
        return self.w.log_text(self.mark)

    # -- calls: sent, never waited for; the answers are the stress test's business --

    def call(self, path, interface, method, *args):
        self.calls += 1
        try:
            proxy = self.w.bus.get_object(BUS_NAME, path, introspect=False)
            proxy.get_dbus_method(method, interface)(*args, reply_handler=lambda *a: None,
                                                     error_handler=lambda e: None, timeout=60)
        except dbus.exceptions.DBusException:
            pass  # wand has just been killed

    def settings_of(self, rng, name):
        if name in DIALERS:
            mode = rng.choices([m for m, _ in MODES], [w for _, w in MODES])[0]
            return dbus.Dictionary({'Device': dbus.String(DIALERS[name]),
                                    'ConnectCommand': dbus.Array(self.dialer_command(mode), signature='s'),
                                    'Persistent': dbus.Boolean(rng.random() < 0.3),
                                    **{k: dbus.UInt32(v) for k, v in TIMEOUTS.items()}}, signature='sv'), mode
        return dbus.Dictionary({'Device': dbus.String(DEVICES[name][0]),
                                'ClaimDevice': dbus.Boolean(rng.random() < 0.8),
                                **{k: dbus.UInt32(v) for k, v in TIMEOUTS.items()}}, signature='sv'), ''

    def op(self, rng, kind):
        name = rng.choice(NAMES)
        path = iface_path(name)
        if kind == 'connect':
            self.call(path, IFACE_IFACE, 'Connect')
        elif kind == 'disconnect':
            self.call(path, IFACE_IFACE, 'Disconnect')
        elif kind == 'set_enabled':
            on = rng.random() < 0.6
            self.call(path, IFACE_IFACE, 'SetEnabled', dbus.Boolean(on))
            name += f' {on}'
        elif kind == 'update_timeout':
            secs = rng.choice((2, 3, 4))
            self.call(path, IFACE_IFACE, 'UpdateSettings',
                      dbus.Dictionary({'ConnectTimeoutSec': dbus.UInt32(secs)}, signature='sv'))
            name += f' ConnectTimeoutSec={secs}'
        elif kind == 'update_command':
            name = rng.choice(tuple(DIALERS))
            settings, mode = self.settings_of(rng, name)
            self.call(iface_path(name), IFACE_IFACE, 'UpdateSettings',
                      dbus.Dictionary({'ConnectCommand': settings['ConnectCommand']}, signature='sv'))
            name += f' --mode={mode}'
        elif kind == 'claim':
            name = rng.choice(tuple(DEVICES))
            on = rng.random() < 0.6
            self.call(iface_path(name), IFACE_IFACE, 'UpdateSettings',
                      dbus.Dictionary({'ClaimDevice': dbus.Boolean(on)}, signature='sv'))
            name += f' ClaimDevice={on}'
        elif kind == 'delete':
            self.call(path, IFACE_IFACE, 'Delete')
        elif kind == 'create':
            settings, mode = self.settings_of(rng, name)
            self.call(MANAGER_PATH, MANAGER_IFACE, 'CreateInterface', name, settings)
            name += f' {mode}' if mode else f' ClaimDevice={bool(settings["ClaimDevice"])}'
        elif kind == 'remove_file':
            # An administrator's rm and Reload.
            try:
                os.unlink(os.path.join(self.w.ifaces_dir, name + '.conf'))
            except FileNotFoundError:
                pass
            self.call(MANAGER_PATH, MANAGER_IFACE, 'Reload')
        self.log(f'  {kind} {name}')

    # -- one kill --

    def plan(self, rng):
        if rng.random() < 0.7 or self.args.point:
            point = rng.choice(sorted(POINTS))
            if self.args.point:
                point = self.args.point
            return dict(point=point, at=rng.choice((1, 1, 2, 3)), arm_at_start=rng.random() < 0.1)
        return dict(point=None, after=rng.uniform(0.05, TIMED_MAX), delay_seed=rng.randrange(1, 2**31),
                    arm_at_start=False)

    def env_of(self, plan):
        if plan['point']:
            return {'WAND_CRASH_POINT': plan['point'], 'WAND_CRASH_AT': str(plan['at'])}
        return {'WAND_CRASH_DELAY_SEED': str(plan['delay_seed']), 'WAND_CRASH_DELAY_USEC': '20000'}

    def describe(self, plan):
        if plan['point']:
            return f'crash point {plan["point"]}, pass {plan["at"]}{" (armed at start)" if plan["arm_at_start"] else ""}'
        return f'SIGKILL after {plan["after"]:.3f} s with random delays (seed {plan["delay_seed"]})'

    def busy_until_killed(self, rng, plan):
        """Calls until wand dies at its crash point, or the budget is spent
        and it is killed from here."""
        open(self.arm_file, 'w').close()
        start = time.monotonic()
        deadline = start + (NAMED_BUDGET if plan['point'] else plan['after'])
        while self.wand_alive() and time.monotonic() < deadline:
            aimed = plan["point"] and rng.random() < 0.7
            self.op(rng, rng.choice(POINTS[plan['point']] if aimed else OPS))
            pump(rng.uniform(0, 0.08))
        if self.wand_alive():
            self.w.wand_proc.send_signal(signal.SIGKILL)
        self.w.wand_proc.wait()
        return self.how_killed()

    def how_killed(self):
        text = self.wand_log()
        for line in text.splitlines():
            if line.startswith('wand-crash: crash point '):
                return line.split()[3].rstrip(',')
        return 'timed'

    # -- the checks after a restart --

    def check(self):
        """The divergences now: [(cause, detail)]."""
        w = self.w
        problems = []
        bus = w.bus
        manager = bus.get_object(BUS_NAME, MANAGER_PATH, introspect=False)
        listed = {n: (p, s) for n, p, s in plain(manager.ListInterfaces(dbus_interface=MANAGER_IFACE, timeout=10))}
        settings, reasons = {}, {}
        for name, (path, _) in listed.items():
            obj = bus.get_object(BUS_NAME, path, introspect=False)
            settings[name] = plain(obj.GetSettings(dbus_interface=IFACE_IFACE, timeout=10))
            reasons[name] = plain(obj.Get(IFACE_IFACE, 'UnreachabilityReasons', dbus_interface=PROPS_IFACE,
                                          timeout=10))

        # Every configuration file parses: each is an interface of wand's.
        for path in sorted(glob.glob(os.path.join(w.ifaces_dir, '*.conf'))):
            name = os.path.basename(path)[:-len('.conf')]
            if name not in listed:
                problems.append(('config-not-loaded', f'{path} is no interface of wand\'s:\n'
                                 + open(path, errors='replace').read()))
        for name in listed:
            if not os.path.exists(os.path.join(w.ifaces_dir, name + '.conf')):
                problems.append(('interface-without-file', f'{name} exists but {name}.conf does not'))
        # A write killed before its rename leaves its temporary file (the
        # whole file, commands included): the restarted wand removes it.
        temps = glob.glob(os.path.join(w.ifaces_dir, '.*.conf.*'))
        self.temp_files_seen = max(self.temp_files_seen, len(temps))
        for path in sorted(temps):
            problems.append(('temporary-file-left', f'{path} is still there after the restart'))

        # No dialer runs without an interface that owns it.
        records = {}
        for path in glob.glob(os.path.join(w.runtime_dir, 'dialers', '*')):
            lines = read_lines(path)
            if lines and not os.path.basename(path).startswith('.'):
                records[os.path.basename(path)] = int(lines[0].split()[0])
        running = {}
        for pid in w.dialer_processes():
            name = proc_environ(pid).get('WAND_INTERFACE')
            running.setdefault(name, []).append(pid)
            state = listed.get(name, (None, None))[1]
            if records.get(name) != pid:
                problems.append(self.unrecorded(name, pid, records.get(name)))
            elif name not in listed:
                problems.append(('dialer-without-interface',
                                 f'dialer pid {pid} of {name} runs, recorded, but wand has no interface {name}'))
            elif state == 'unreachable':
                cause = 'dialer-of-disabled-interface' if 'disabled' in reasons[name] else 'dialer-under-unreachable'
                problems.append((cause, f'dialer pid {pid} of {name} runs, and {name} is unreachable '
                                 f'({", ".join(reasons[name])})'))
            elif state == 'disconnected':
                problems.append(('state-mismatch', f'{name} is disconnected but its dialer pid {pid} runs'))

        # The state after adoption matches the kernel and the processes.
        for name, (_, state) in listed.items():
            s = settings[name]
            dev = s.get('Device', '')
            if s.get('ConnectCommand'):
                pids = running.get(name, [])
                if state == 'connected' and not (pids and link_connected(dev)):
                    problems.append(('state-mismatch', f'{name} is connected, but its dialer '
                                     f'{"runs" if pids else "does not run"} and {dev} is '
                                     f'{"up" if link_connected(dev) else "not up with carrier"}'))
            elif state in ('connected', 'disconnected'):
                if (state == 'connected') != link_connected(dev):
                    problems.append(('state-mismatch', f'{name} is {state}, but {dev} is '
                                     f'{"up with carrier" if link_connected(dev) else "down"}: {link_info(dev)}'))
        for name, record_pid in records.items():
            if name in listed and record_pid not in running.get(name, []):
                problems.append(('stale-record', f'the record of {name} names pid {record_pid}, which is no '
                                 'dialer of it'))

        # Every claim is recorded or handed back.
        claimers = {s.get('Device') for n, s in settings.items() if s.get('ClaimDevice')}
        for dev, owner in DEVICES.values():
            if owner == 'NetworkManager':
                claimed = not self.nm_managed(dev)
                how = 'NetworkManager has Managed=false'
            else:
                claimed = os.path.exists(os.path.join(self.networkd_dir, f'00-wand-{dev}.network'))
                how = f'00-wand-{dev}.network is in networkd\'s directory'
            if not claimed:
                continue
            record = read_lines(os.path.join(w.runtime_dir, 'claims', dev)) or []
            if owner not in record:
                problems.append(('claim-unrecorded', f'{dev} is claimed ({how}) but wand\'s claim record '
                                 f'says {record or "nothing"}'))
            elif dev not in claimers:
                problems.append(('claim-not-handed-back', f'{dev} is claimed ({how}), recorded, and no interface '
                                 'with ClaimDevice=yes uses it'))
        return problems

    def unrecorded(self, name, pid, recorded):
        """A dialer no record names: its record dropped while it still ran
        (a teardown whose process outlived the kill), or never written."""
        text = self.w.log_text()
        why = f'dialer pid {pid} of {name} runs, but {"the record names pid " + str(recorded) if recorded else "no record names it"}'
        if f'stopping the dialer (pid {pid})' in text or f'stopping its dialer (pid {pid})' in text:
            return ('dialer-record-dropped-while-running', why + '; wand had begun to stop it and dropped its record')
        return ('dialer-unrecorded', why + '; wand started it and never recorded it')

    def settle_and_check(self):
        end = time.monotonic() + SETTLE_TIMEOUT
        pump(0.1)
        while True:
            if not self.wand_alive():
                return None
            try:
                problems = self.check()
            except dbus.exceptions.DBusException as e:
                problems = [('no-answer', f'wand did not answer: {e.get_dbus_name()}: {e.get_dbus_message()}')]
            if not problems or time.monotonic() > end:
                return problems if self.wand_alive() else None
            pump(0.1)

    # -- the run --

    def report(self, problems):
        kill = self.last_kill
        causes = sorted({c for c, _ in problems})
        only_item4 = all(c in ITEM4 for c in causes)
        print(f'DIVERGED after kill {self.kill_no} of seed {self.seed} ({kill}):', flush=True)
        for cause, detail in problems:
            print(f'  {cause}{" [" + ITEM4[cause] + "]" if cause in ITEM4 else ""}: {detail}')
        print('  the last calls and kills:')
        for line in list(self.trace)[-25:]:
            print('    ' + line)
        print('  the end of the killed wand\'s log, then the restarted wand\'s:')
        killed = self.w.log_text(self.kill_mark)[:self.mark - self.kill_mark].splitlines()
        restarted = [line for line in self.wand_log().splitlines() if 'may read the settings' not in line]
        for line in killed[-25:] + restarted[-25:]:
            print('    ' + line)
        print(f'  replay: tests/run-crash.sh --seed {self.seed} --kills {self.kill_no}', flush=True)
        for c in causes:
            self.divergences[c] += 1
        (self.item4_kills if only_item4 else self.other_kills).append(self.kill_no)

    def claim_dropped_while_stopped(self):
        """Before the kills, one fixed case that a kill at config-after-rename
        found: ClaimDevice=no written while wand was not running (here by
        an administrator between a stop and a start). The restarted wand
        must hand the device back, though it reads its record before
        NetworkManager has told it about the device."""
        w = self.w
        dev = DEVICES['cn'][0]
        self.start_wand({}, armed=False)
        harness.wait_until(lambda: not self.nm_managed(dev), 10, f'wand to claim {dev} from NetworkManager')
        w.stop_wand()
        w.write_iface('cn', Device=dev, ClaimDevice=False, **TIMEOUTS)
        self.start_wand({}, armed=False)
        try:
            harness.wait_until(lambda: self.nm_managed(dev), SETTLE_TIMEOUT,
                               f'wand to hand {dev} back to NetworkManager')
            problems = []
        except harness.Failure as e:
            record = read_lines(os.path.join(w.runtime_dir, 'claims', dev))
            problems = [('claim-lost-at-start', f'cn was set to ClaimDevice=no while wand was stopped; {e}; '
                         f'NetworkManager still has Managed=false, wand\'s record says {record or "nothing"}')]
        w.stop_wand()
        self.write_initial_files()
        return problems

    def run(self):
        args = self.args
        if args.point and args.point not in POINTS:
            print(f'crash: no crash point {args.point}; they are: {", ".join(sorted(POINTS))}')
            return 2
        t0 = time.monotonic()
        print(f'crash: seed {self.seed}, {args.kills} kills (replay: tests/run-crash.sh --seed {self.seed} '
              f'--kills {args.kills})', flush=True)
        self.setup()
        problems = self.claim_dropped_while_stopped()
        if problems:
            self.last_kill = 'no kill yet: a stop, an edit and a start'
            self.report(problems)
            if not args.keep_going:
                return 1
            self.reset()
        for k in range(1, args.kills + 2):
            last = k == args.kills + 1
            rng = random.Random(f'{self.seed}/{k}')
            plan = None if last else self.plan(rng)
            alive = self.start_wand(self.env_of(plan) if plan else {}, armed=bool(plan and plan['arm_at_start']))
            problems = self.settle_and_check() if alive and k > 1 else []
            if problems:
                self.report(problems)
                if not args.keep_going:
                    return 1
                self.reset()
                if last:
                    break
                alive = self.start_wand(self.env_of(plan), armed=plan['arm_at_start'])
            if last:
                break
            self.kill_no = k
            self.kill_mark = self.mark
            self.log(f'kill {k}: {self.describe(plan)}')
            if alive:
                how = self.busy_until_killed(rng, plan)
            else:
                self.w.wand_proc.wait()
                how = self.how_killed()  # at its crash point during start-up
            self.kills[how] += 1
            self.last_kill = f'{"killed at crash point " + how if how != "timed" else "killed from outside"}; ' \
                             f'planned: {self.describe(plan)}'
            self.log(f'  wand killed ({how})')
            status = self.w.wand_proc.returncode
            if status != -signal.SIGKILL:
                # Not our SIGKILL nor its own crash point: it crashed or exited.
                self.report([('wand-died', f'wand ended by itself with status {status}')])
                if not args.keep_going:
                    return 1
                self.reset()
            if k % 50 == 0:
                print(f'crash: {k} kills, {sum(self.divergences.values())} divergences, '
                      f'{time.monotonic() - t0:.0f} s', flush=True)
        if self.wand_alive():
            self.w.stop_wand()
        elapsed = time.monotonic() - t0
        n = sum(self.kills.values())
        print(f'crash: {n} kills in {elapsed:.0f} s ({n / elapsed:.2f}/s), seed {self.seed}')
        print('crash: kills by crash point: ' + ', '.join(f'{p} {c}' for p, c in sorted(self.kills.items())))
        print(f'crash: {self.calls} calls; temporary files in interfaces/ after a restart at most {self.temp_files_seen}')
        total = len(self.item4_kills) + len(self.other_kills)
        print(f'crash: {total} kills diverged' + (': ' + ', '.join(f'{c} {k}' for c, k in sorted(self.divergences.items()))
                                                  if total else ''))
        if self.item4_kills:
            print(f'crash: {len(self.item4_kills)} of them only for want of item 4 (kills '
                  f'{", ".join(map(str, self.item4_kills))})')
        if self.other_kills:
            print(f'crash: {len(self.other_kills)} for other causes (kills {", ".join(map(str, self.other_kills))})')
        return 1 if total else 0


def run(args):
    c = Crash(args)
    try:
        return c.run()
    except harness.Failure as e:
        print(f'crash: FAILED: {e}', flush=True)
        return 1
    finally:
        code_log = c.w.log_text()
        c.w.cleanup()
        if os.environ.get('WAND_CRASH_LOG') == '1':
            print('===== wand log =====')
            print(code_log)
        shutil.rmtree(c.w.tmp, ignore_errors=True)
        sys.stdout.flush()
