# SPDX-License-Identifier: LGPL-2.1-or-later
"""The stress run itself, inside the namespaces (see stress.py): the generator,
the per-connection record of what wand announced, and the checks.

Imported only after the fork of stress.py's init: harness sets up the D-Bus
main loop on import.
"""

import os
import random
import shlex
import signal
import subprocess
import sys
import time
import traceback
from collections import namedtuple

import dbus

import harness
from harness import (BUS_NAME, IFACE_IFACE, MANAGER_IFACE, MANAGER_PATH, PROPS_IFACE, link_info, plain,
                     proc_environ, pump)

OM_IFACE = 'org.freedesktop.DBus.ObjectManager'

NAMES = ('a', 'b', 'c')
ETH = ('eth0', 'eth1')
TUN = ('tun0', 'tun1')
# The dialers' behaviours (test-dialer --mode), and how often each is picked.
MODES = (('ok', 50), ('ignore-term', 25), ('never-up', 12), ('exit-later', 13))
TIMEOUTS = dict(ConnectTimeoutSec=3, DisconnectTimeoutSec=2, RedialIntervalSec=1, RedialMaxIntervalSec=2,
                RedialAttempts=2)
MAX_OUTSTANDING = 6
TRACE = 150

E = 'org.wand.Router1.Error.'
E_INVALID_HANDLE = E + 'InvalidHandle'
E_DDM = E + 'DemandDialManagerNotRunning'
E_ALREADY = E + 'AlreadyConnected'
E_DISABLED = E + 'InterfaceDisabled'
E_UNREACHABLE = E + 'InterfaceUnreachable'
E_NOT_CONNECTED = E + 'InterfaceNotConnected'
E_CONNECTED = E + 'InterfaceConnected'
E_EXISTS = E + 'InterfaceAlreadyExists'
E_FAILED = E + 'ConnectionFailed'
E_TEARDOWN_FAILED = 'org.freedesktop.DBus.Error.Failed'  # the teardown did not end in time
ANY = '(any error)'
GO = '(goes ahead)'


def iface_path(name):
    return '/org/wand/Router1/interface/' + ''.join(c if c.isalnum() else f'_{ord(c):02x}' for c in name)


class MSet:
    """An interface's settings as the generator knows them (the unit model's
    MSet): a dialer uses tun[dev], a device-only interface eth[dev]."""

    def __init__(self, dialer, dev, mode, enabled, persistent):
        self.dialer, self.dev, self.mode, self.enabled, self.persistent = dialer, dev, mode, enabled, persistent

    def copy(self):
        return MSet(self.dialer, self.dev, self.mode, self.enabled, self.persistent)

    @property
    def device(self):
        return TUN[self.dev] if self.dialer else ETH[self.dev]

    def describe(self):
        return (f'Device={self.device}{" dialer " + self.mode if self.dialer else ""} '
                f'Enabled={int(self.enabled)} Persistent={int(self.persistent)}')


def read_keys(path):
    """Key=value of an interface file (what wand wrote or we did), or None."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    keys = {}
    for line in text.splitlines():
        if '=' in line and not line.startswith(('#', ';', '[')):
            k, v = line.split('=', 1)
            keys[k.strip()] = v.strip()
    return keys


def parse_bool(v):
    return v.lower() in ('yes', 'true', '1', 'on')


class Divergence(Exception):
    pass



# What a caller on one connection could read at one moment: the object's
# existence and announced properties, the manager, and whether a
# StopDemandDialManager() was outstanding (wand "stopping").
Snap = namedtuple('Snap', 'exists state reasons enabled last_error ddm stopping')


class Tracker:
    """What wand announced on one bus connection, in the order it arrived
    there: InterfacesAdded/Removed, PropertiesChanged. Method replies arrive
    on the same connection in the same order, so each call's window (what
    the caller could read from sending it to its reply) is the snapshot at
    sending and one per announcement before the reply."""

    def __init__(self, stress, bus, label):
        self.stress, self.bus, self.label = stress, bus, label
        self.views = {}  # path -> {'exists': bool, property: value}
        self.ddm = None
        self.calls = []  # outstanding calls on this connection
        self.seq = 0
        self.last_change = time.monotonic()
        bus.add_signal_receiver(self._on_props, signal_name='PropertiesChanged', dbus_interface=PROPS_IFACE,
                                bus_name=BUS_NAME, path_keyword='path')
        bus.add_signal_receiver(self._on_added, signal_name='InterfacesAdded', dbus_interface=OM_IFACE,
                                bus_name=BUS_NAME, path=MANAGER_PATH)
        bus.add_signal_receiver(self._on_removed, signal_name='InterfacesRemoved', dbus_interface=OM_IFACE,
                                bus_name=BUS_NAME, path=MANAGER_PATH)

    def load(self):
        """The starting point, read once the receivers are in place."""
        obj = self.bus.get_object(BUS_NAME, MANAGER_PATH, introspect=False)
        objects = plain(obj.GetManagedObjects(dbus_interface=OM_IFACE))
        for path, ifaces in objects.items():
            if IFACE_IFACE in ifaces:
                self.views[path] = dict(ifaces[IFACE_IFACE], exists=True)
            if MANAGER_IFACE in ifaces:
                self.ddm = ifaces[MANAGER_IFACE]['DemandDialManager']
        if self.ddm is None:
            self.ddm = plain(obj.Get(MANAGER_IFACE, 'DemandDialManager', dbus_interface=PROPS_IFACE))

    def snap(self, path):
        v = self.views.get(path, {})
        return Snap(bool(v.get('exists')), v.get('State'), tuple(v.get('UnreachabilityReasons', ())),
                    v.get('Enabled'), v.get('LastError'), self.ddm, self.stress.stopping())

    def _changed(self, path, what):
        self.seq += 1
        self.last_change = time.monotonic()
        for c in self.calls:
            if c.path == path or path == MANAGER_PATH:
                c.window.append(self.snap(c.path))
        if self.label == 'main' and what:
            self.stress.trace(f'    {self.label}: {what}')

    def _on_props(self, interface, changed, invalidated, path=None):
        path, changed = str(path), plain(changed)
        if interface == IFACE_IFACE:
            v = self.views.setdefault(path, {'exists': False})
            v.update(changed)
            shown = {k: changed[k] for k in ('State', 'UnreachabilityReasons', 'Enabled', 'LastError') if k in changed}
            self._changed(path, f'{path.rsplit("/", 1)[-1]}: {shown}' if shown else None)
        elif interface == MANAGER_IFACE and 'DemandDialManager' in changed:
            self.ddm = changed['DemandDialManager']
            self._changed(MANAGER_PATH, f'DemandDialManager {self.ddm}')

    def _on_added(self, path, ifaces):
        path, ifaces = str(path), plain(ifaces)
        if IFACE_IFACE in ifaces:
            self.views[path] = dict(ifaces[IFACE_IFACE], exists=True)
            self._changed(path, f'{path.rsplit("/", 1)[-1]}: added, {ifaces[IFACE_IFACE].get("State")}')

    def _on_removed(self, path, ifaces):
        path = str(path)
        if IFACE_IFACE in plain(ifaces):
            self.views.setdefault(path, {})['exists'] = False
            self._changed(path, f'{path.rsplit("/", 1)[-1]}: removed')


def now_exists(tracker, name):
    return name is not None and bool(tracker.views.get(iface_path(name), {}).get('exists'))


# Divergences found by this run and reported, not fixed yet.
KNOWN = {
    # None at the moment. 'reload-orphan' (a Reload() that removed an
    # interface, and a Stop() after it, replied while the removed
    # interface's dialer still ran) was fixed: they wait for it now.
}


class StressCall:
    """One asynchronous call and the window of what its caller could read."""

    def __init__(self, stress, tracker, kind, name, arg=None):
        self.stress, self.tracker, self.kind, self.name, self.arg = stress, tracker, kind, name, arg
        self.id = stress.next_call_id = stress.next_call_id + 1
        self.step = stress.step
        self.path = MANAGER_PATH if name is None else iface_path(name)
        self.window = [tracker.snap(self.path)]
        self.done = False
        self.sent = time.monotonic()
        self.file_present = set()  # what the file was during the window
        if name is not None:
            self.file_present.add(os.path.exists(stress.file_of(name)))
        self.edits_at_send = dict(stress.edits)
        self.serial_at_send = stress.serial  # to tell which calls were sent after this one
        tracker.calls.append(self)
        stress.outstanding.append(self)
        self.overridden = None  # a Stop: a Start sent after it on the 'same' connection, or an 'other' one
        self.pending_at_send = name in stress.pending and stress.pending[name]
        if kind == 'StopDemandDialManager':
            stress.stops.append(self)
        if kind == 'StartDemandDialManager':
            for stop in stress.stops:
                if stop.tracker is tracker:
                    stop.overridden = 'same'
                elif stop.overridden is None:
                    stop.overridden = 'other'
        method, iface, args, target = kind, IFACE_IFACE, (), self.path
        if kind in ('CreateInterface', 'Reload', 'StartDemandDialManager', 'StopDemandDialManager'):
            iface, target = MANAGER_IFACE, MANAGER_PATH
        if kind == 'SetEnabled':
            args = (dbus.Boolean(arg),)
        elif kind == 'CreateInterface':
            args = (name, arg)
        proxy = tracker.bus.get_object(BUS_NAME, target, introspect=False)
        proxy.get_dbus_method(method, iface)(*args, reply_handler=self._on_reply, error_handler=self._on_error,
                                             timeout=3600)

    def describe(self):
        arg = ''
        if self.kind == 'SetEnabled':
            arg = f', {str(self.arg).lower()}'
        elif self.kind == 'CreateInterface':
            arg = f', {self.stress.describe_settings(self.arg)}'
        who = self.name if self.name is not None else ''
        return f'#{self.id} {self.kind}({who}{arg}){" [conn2]" if self.tracker.label != "main" else ""}'

    def _on_reply(self, *reply):
        self._answered(None, '')

    def _on_error(self, error):
        self._answered(error.get_dbus_name(), error.get_dbus_message() or '')

    def _answered(self, name, message):
        if self.done:
            self.stress.diverge(f'{self.describe()} was answered twice (now {name or "ok"} {message})')
            return
        self.done = True
        self.tracker.calls.remove(self)
        self.stress.outstanding.remove(self)
        if self.kind == 'StopDemandDialManager':
            self.stress.stops.remove(self)
        if self.kind == 'Delete' and name is None:
            # It removed the file: a call on the same name still in flight
            # may have run while there was none (a CreateInterface() then
            # succeeds), though no edit of ours sampled that moment.
            for c in self.stress.outstanding:
                if c.name == self.name:
                    c.file_present.add(False)
        try:
            self.stress.check_answer(self, name, message)
        except Divergence:
            pass  # recorded; the main loop stops (a callback cannot raise to it)
        except Exception:
            try:
                self.stress.diverge(f'checking the answer to {self.describe()} raised:\n{traceback.format_exc()}')
            except Divergence:
                pass


def expected(kind, s, file_present):
    """The contract's answers to a call run while the caller read s: error
    names, GO where the call goes ahead, ANY where anything goes."""
    if kind in ('Connect', 'Disconnect', 'SetEnabled', 'Delete') and not s.exists:
        return {E_INVALID_HANDLE}
    if kind == 'Connect':
        if s.ddm != 'running' or s.stopping is True:
            return {E_DDM}
        if s.stopping == 'maybe':
            return {E_DDM} | expected(kind, s._replace(stopping=False), file_present)
        if s.state == 'connected':
            return {E_ALREADY}
        if s.state == 'unreachable':
            return {E_DISABLED if 'disabled' in s.reasons else E_UNREACHABLE}
        return {GO}
    if kind == 'Disconnect':
        if s.ddm != 'running':
            return {E_DDM}
        if s.state in ('disconnected', 'unreachable'):
            return {E_NOT_CONNECTED}
        return {GO}
    if kind == 'SetEnabled':
        # The file is gone (removed, no Reload yet): nothing to write
        # Enabled= into (the unit model's "(any error)").
        return {GO, ANY} if False in file_present else {GO}
    if kind == 'Delete':
        return {GO} if s.state in ('disconnected', 'unreachable') else {E_CONNECTED}
    if kind == 'CreateInterface':
        # A file not loaded yet counts: Reload() would load it.
        out = set()
        if s.exists or True in file_present:
            out.add(E_EXISTS)
        if not s.exists and False in file_present:
            out.add(GO)
        return out
    return {GO}  # Reload, Start, Stop


# Errors a call may end with once it went ahead: the unit model's
# late_error_allowed(), less those the window decides (a state announced
# before the reply). InvalidHandle stays: a Reload() that removes an
# interface answers its waiting callers before InterfacesRemoved.
LATE = {
    'Connect': {E_FAILED, E_INVALID_HANDLE},
    'Disconnect': {E_INVALID_HANDLE, E_TEARDOWN_FAILED},
    'SetEnabled': {E_INVALID_HANDLE},
}


class Stress:
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.rng = random.Random(args.seed)
        self.w = harness.World('stress')
        self.step = 0
        self.serial = 0  # counts calls sent, on either connection
        self.next_call_id = 0
        self.outstanding = []
        self.stops = []  # StopDemandDialManager() calls outstanding
        self.edits = {n: 0 for n in NAMES}  # our edits of each file so far
        self.pending = {n: False for n in NAMES}  # an edit waits for a Reload
        self.mine = {}  # name -> MSet we last wrote, None once we removed it
        self.sent_log = []  # (serial, kind, name) of every call, for "sent since"
        self.trace_lines = []
        self.failure = None
        self.fd_seen = {}  # live dialers -> wand's descriptors at the first quiescent point with as many
        self.quiescent_points = 0
        self.calls_answered = 0
        self.errors_seen = {}
        self.known_seen = {}
        self.orphans = set()  # dialers of interfaces a Reload removed, seen after its reply

    def stopping(self):
        """Whether wand may be stopping the demand-dial manager: a Stop is
        outstanding, and no Start sent after it on its connection (True);
        only one on the other connection, which wand may run before or
        after it ('maybe')."""
        if any(stop.overridden is None for stop in self.stops):
            return True
        return 'maybe' if self.stops and any(stop.overridden == 'other' for stop in self.stops) else False

    # -- trace and divergence --

    def trace(self, line):
        self.trace_lines.append(line)
        if len(self.trace_lines) > TRACE * 4:
            del self.trace_lines[:-TRACE]
        if self.args.verbose:
            harness.log(line)
        if not line.startswith('    '):
            # Into wand's log too, between its own lines.
            try:
                with open(self.w.log_path, 'a') as f:
                    f.write(f'## {line}\n')
            except OSError:
                pass

    def diverge(self, what, known=None):
        """Ends the run with what differs from the contract. A known
        divergence (reported, not fixed yet: KNOWN) only ends it without
        --allow-known; with it, it is counted and the run goes on."""
        known = known if known in KNOWN else None  # fixed since: a divergence like any other
        if known and self.args.allow_known:
            if known not in self.known_seen:
                harness.log(f'KNOWN DIVERGENCE ({known}: {KNOWN[known]}) at step {self.step}: {what}')
            self.known_seen[known] = self.known_seen.get(known, 0) + 1
            self.trace(f'KNOWN DIVERGENCE ({known}): {what}')
            return
        if known:
            what += f'\n(known: {KNOWN[known]}; --allow-known goes on past it)'
        if self.failure is None:
            self.failure = f'step {self.step}: {what}'
            self.trace(f'DIVERGENCE: {what}')
        raise Divergence(what)

    # -- files --

    def file_of(self, name):
        return os.path.join(self.w.ifaces_dir, f'{name}.conf')

    def keys_of(self, s):
        keys = {'Device': s.device}
        if s.dialer:
            keys['ConnectCommand'] = self.w.dial(s.mode, *(['--delay=0.5'] if s.mode == 'exit-later' else []))
        keys.update(Enabled=s.enabled, Persistent=s.persistent, **TIMEOUTS)
        return keys

    def write_file(self, name, s):
        """As an administrator's editor does: a new file renamed into place,
        so that wand never reads half of it."""
        lines = ['[Interface]']
        for k, v in self.keys_of(s).items():
            if isinstance(v, list):
                v = shlex.join(v)
            elif isinstance(v, bool):
                v = 'yes' if v else 'no'
            lines.append(f'{k}={v}')
        tmp = os.path.join(self.w.config_dir, f'.{name}.tmp')
        with open(tmp, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        os.chmod(tmp, 0o644)
        os.rename(tmp, self.file_of(name))

    def describe_settings(self, a_sv):
        d = plain(a_sv)
        cmd = d.get('ConnectCommand')
        mode = [a for a in cmd if a.startswith('--mode=')][0][7:] if cmd else None
        return (f'Device={d["Device"]}{" dialer " + mode if mode else ""} Enabled={int(d["Enabled"])} '
                f'Persistent={int(d["Persistent"])}')

    # -- the world --

    def ip(self, *argv):
        r = subprocess.run(['ip', *argv], capture_output=True, text=True)
        return r.returncode == 0

    def setup(self):
        w = self.w
        self.ip('link', 'set', 'lo', 'up')
        self.ip('link', 'add', 'br0', 'type', 'bridge')
        self.ip('link', 'set', 'br0', 'up')
        for d in range(2):
            self.veth_add(d)
        # a: an Ethernet uplink; b: a persistent dialer; c: created later.
        self.mine['a'] = MSet(False, 0, 'ok', True, False)
        self.mine['b'] = MSet(True, 0, 'ok', True, True)
        self.mine['c'] = None
        for n in ('a', 'b'):
            self.write_file(n, self.mine[n])
        w.start_bus()
        w.start_wand()
        self.main = Tracker(self, w.bus, 'main')
        self.bus2 = dbus.bus.BusConnection(w.address)
        self.conn2 = Tracker(self, self.bus2, 'conn2')
        self.main.load()
        self.conn2.load()

    def veth_add(self, d):
        if link_info(ETH[d]) is None:
            self.ip('link', 'add', ETH[d], 'type', 'veth', 'peer', 'name', f'peer{d}')
            self.ip('link', 'set', f'peer{d}', 'up')

    def random_mset(self):
        r = self.rng
        mode = r.choices([m for m, _ in MODES], [w for _, w in MODES])[0]
        return MSet(r.random() < 0.5, r.randrange(2), mode, r.random() < 0.85, r.random() < 0.4)

    # -- steps: the generator never looks at what wand answered --

    def step_call(self):
        r = self.rng
        kind = r.choice(('Connect', 'Connect', 'Connect', 'Connect', 'Disconnect', 'Disconnect', 'Disconnect',
                         'SetEnabled', 'SetEnabled', 'Delete', 'CreateInterface', 'CreateInterface', 'Reload',
                         'Reload', 'StartDemandDialManager', 'StartDemandDialManager', 'StartDemandDialManager',
                         'StopDemandDialManager', 'Connect-nowhere'))
        name = r.choice(NAMES)
        second = r.random() < 0.25
        arg = None
        if kind == 'SetEnabled':
            arg = r.random() < 0.5
        elif kind == 'CreateInterface':
            s = self.random_mset()
            arg = dbus.Dictionary({k: (dbus.Array(v, signature='s') if isinstance(v, list) else
                                       dbus.Boolean(v) if isinstance(v, bool) else
                                       dbus.UInt32(v) if isinstance(v, int) else v)
                                   for k, v in self.keys_of(s).items()}, signature='sv')
        elif kind == 'Connect-nowhere':
            kind, name = 'Connect', 'never-there'
        elif kind in ('Reload', 'StartDemandDialManager', 'StopDemandDialManager'):
            name = None
        # Several outstanding at once, but not without bound.
        harness.wait_until(lambda: len(self.outstanding) < MAX_OUTSTANDING, 600, 'a call to be answered')
        self.serial += 1
        tracker = self.conn2 if second else self.main
        self.sent_log.append((self.serial, kind, name))
        c = StressCall(self, tracker, kind, name, arg)
        s = c.window[0]
        seen = f'{s.state}{" " + ",".join(s.reasons) if s.reasons else ""}' if s.exists else 'absent'
        self.trace(f'{self.step}: call {c.describe()} [{seen}; {s.ddm}]')

    def step_edit(self):
        r = self.rng
        name = r.choice(NAMES)
        s = self.mine[name]
        if s is None or r.random() < 0.15:
            if s is not None:
                self.mine[name] = None
                self.edited(name)
                try:
                    os.unlink(self.file_of(name))
                except FileNotFoundError:
                    pass
                self.trace(f'{self.step}: edit: rm {name}.conf')
                return
            s = self.random_mset()
        else:
            s = s.copy()
            what = r.randrange(5)
            if what == 0:
                s.enabled = not s.enabled
            elif what == 1:
                s.persistent = not s.persistent
            elif what == 2:
                s.dev = 1 - s.dev
            elif what == 3:
                s.mode = self.random_mset().mode
            else:
                s.dialer = not s.dialer
        self.mine[name] = s
        self.edited(name)
        self.write_file(name, s)
        self.trace(f'{self.step}: edit: {name}.conf {s.describe()}')

    def edited(self, name):
        self.edits[name] += 1
        self.pending[name] = True
        present = os.path.exists(self.file_of(name))
        for c in self.outstanding:
            if c.name == name:
                c.file_present.update({present, self.mine[name] is not None})

    def step_kernel(self):
        r = self.rng
        if r.random() < 0.8:
            d = r.randrange(2)
            dev = ETH[d]
            what = r.randrange(7)
            info = link_info(dev)
            if what == 0:
                self.veth_add(d)
                self.trace(f'{self.step}: kernel: {dev} added (down, carrier on)')
            elif what == 1:
                self.ip('link', 'del', dev)
                self.trace(f'{self.step}: kernel: {dev} deleted')
            elif what in (2, 3):
                if info:
                    up = 'UP' not in info['flags']
                    self.ip('link', 'set', dev, 'up' if up else 'down')
                    self.trace(f'{self.step}: kernel: {dev} set {"up" if up else "down"} by someone else')
            elif what == 4:
                peer = link_info(f'peer{d}')
                if peer:
                    up = 'UP' not in peer['flags']
                    self.ip('link', 'set', f'peer{d}', 'up' if up else 'down')
                    self.trace(f'{self.step}: kernel: {dev} carrier {"on" if up else "off"} (peer{d} {"up" if up else "down"})')
            elif what == 5:
                if info:
                    self.ip('link', 'set', dev, 'master', 'br0')
                    self.trace(f'{self.step}: kernel: {dev} enslaved to br0')
            else:
                if info:
                    self.ip('link', 'set', dev, 'nomaster')
                    self.trace(f'{self.step}: kernel: {dev} nomaster (AF_BRIDGE RTM_DELLINK if it was a port)')
            return
        dev = r.choice(TUN)
        if link_info(dev):
            self.ip('link', 'set', dev, 'down')
            self.trace(f'{self.step}: kernel: {dev} set down by someone else')

    def step_signal(self, sig):
        name = self.rng.choice(NAMES)
        pids = self.w.dialer_processes(name)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        if pids:
            self.trace(f'{self.step}: dialer of {name} (pid {",".join(map(str, pids))}) sent '
                       f'{signal.Signals(sig).name}')

    def one_step(self):
        r = self.rng.randrange(100)
        if r < 40:
            self.step_call()
        elif r < 47:
            self.step_edit()
        elif r < 62:
            self.step_kernel()
        elif r < 68:
            self.step_signal(signal.SIGKILL)
        elif r < 73:
            self.step_signal(signal.SIGTERM)
        else:
            pump(self.rng.uniform(0, 0.3))
        pump()

    # -- answers --

    def sent_since(self, c, kinds, name=None):
        """Whether a call of these kinds (on this name, or any) was sent after
        c, on either connection."""
        return any(serial > c.serial_at_send and kind in kinds and (name is None or n in (name, None))
                   for serial, kind, n in self.sent_log if serial > c.serial_at_send)

    def edited_since(self, c, name):
        return self.edits[name] != c.edits_at_send[name]

    def check_answer(self, c, error, message):
        self.calls_answered += 1
        self.errors_seen[error or 'ok'] = self.errors_seen.get(error or 'ok', 0) + 1
        self.trace(f'  answer {c.describe()}: {error or "ok"} {message}')
        allowed = set()
        for s in c.window:
            allowed |= expected(c.kind, s, c.file_present)
        errors = {e for e in allowed if e not in (GO, ANY)}
        if GO in allowed:
            errors |= LATE.get(c.kind, set())
        seen = ' → '.join(dict.fromkeys(
            (f'{s.state}{"(" + ",".join(s.reasons) + ")" if s.reasons else ""}' if s.exists else 'absent') +
            (f' {s.ddm}' if s.ddm != 'running' else '') +
            (' stopping' if s.stopping is True else ' maybe-stopping' if s.stopping else '') for s in c.window))
        if error is None and GO not in allowed:
            self.diverge(f'{c.describe()} succeeded; while it ran the caller read {seen}, where the contract says '
                         f'{" or ".join(sorted(errors))}')
        if error is not None and ANY not in allowed and error not in errors:
            self.diverge(f'{c.describe()} failed with {error} ("{message}"); while it ran the caller read {seen}, '
                         f'where the contract allows {" or ".join(sorted(errors)) or "only success"}')
        if error is not None and error not in errors:
            harness.log(f'note: {c.describe()} failed with {error} ("{message}"), which the contract leaves open '
                        f'here (its file was gone)')
        v = c.tracker.views.get(c.path, {}) if c.name else {}
        now = c.tracker.snap(c.path)
        if error is None:
            if c.kind == 'Connect' and now.state != 'connected':
                self.diverge(f'{c.describe()} succeeded, but State was {now.state} when its reply arrived')
            if c.kind == 'Disconnect' and now.exists and now.state not in ('disconnected', 'unreachable'):
                self.diverge(f'{c.describe()} succeeded, but State was {now.state} when its reply arrived')
            if (c.kind == 'Disconnect' and not self.sent_since(c, ('Connect', 'Reload', 'CreateInterface'), c.name)
                    and not self.edited_since(c, c.name)):
                pids = self.w.dialer_processes(c.name)
                if pids:
                    self.diverge(f'{c.describe()} succeeded, but the dialer of {c.name} still runs (pid {pids})')
            if c.kind == 'StopDemandDialManager' and not self.sent_since(c, ('StartDemandDialManager',)):
                self.check_stopped(c.tracker, f'{c.describe()} replied')
            if c.kind == 'SetEnabled' and not self.sent_since(c, ('SetEnabled', 'Reload', 'Delete', 'CreateInterface'),
                                                              c.name):
                if now.exists and now.enabled != c.arg:
                    self.diverge(f'{c.describe()} succeeded, but Enabled was {now.enabled} when its reply arrived')
                keys = read_keys(self.file_of(c.name))
                if keys is not None and not c.pending_at_send and not self.edited_since(c, c.name) and \
                        parse_bool(keys.get('Enabled', 'yes')) != c.arg:
                    self.diverge(f'{c.describe()} succeeded, but its file says Enabled={keys.get("Enabled")}')
            if c.kind == 'Delete' and not self.sent_since(c, ('CreateInterface', 'Reload'), c.name):
                if now.exists:
                    self.diverge(f'{c.describe()} succeeded, but InterfacesRemoved had not come before its reply')
                if not self.edited_since(c, c.name):
                    if os.path.exists(self.file_of(c.name)):
                        self.diverge(f'{c.describe()} succeeded, but {c.name}.conf is still there')
                    self.pending[c.name] = False
            if c.kind == 'CreateInterface' and not self.sent_since(c, ('Delete', 'Reload', 'SetEnabled'), c.name):
                if not now.exists:
                    self.diverge(f'{c.describe()} succeeded, but InterfacesAdded had not come before its reply')
                if not self.edited_since(c, c.name):
                    keys = read_keys(self.file_of(c.name))
                    want = plain(c.arg)
                    if keys is None or keys.get('Device') != want['Device'] or \
                            parse_bool(keys.get('Enabled', 'yes')) != want['Enabled']:
                        self.diverge(f'{c.describe()} succeeded, but {c.name}.conf says {keys}')
                    self.pending[c.name] = False
            if c.kind == 'Reload':
                # "Replies once the teardowns the new configuration calls
                # for have ended" (manager-bus.c), as for a disabled one.
                for pid in self.w.dialer_processes():
                    owner = proc_environ(pid).get('WAND_INTERFACE')
                    if not now_exists(c.tracker, owner) and not self.sent_since(c, ('CreateInterface', 'Reload'),
                                                                                owner):
                        self.orphans.add(pid)
                        self.diverge(f'{c.describe()} replied, but the dialer of {owner}, which it removed, still '
                                     f'runs (pid {pid})', known='reload-orphan')
                for n in NAMES:
                    if not self.edited_since(c, n):
                        self.pending[n] = False
        elif error == E_FAILED and c.kind == 'Connect':
            if not any(w in message for w in ('cancelled', 'removed', 'deleted')) and v.get('LastError') != E_FAILED:
                self.diverge(f'{c.describe()} failed ({message}) but LastError was "{v.get("LastError")}" when '
                             f'its reply arrived')

    def check_stopped(self, tracker, when):
        if tracker.ddm != 'stopped':
            self.diverge(f'{when}, but DemandDialManager was {tracker.ddm}')
        for path, v in tracker.views.items():
            if v.get('exists') and (v.get('State') != 'unreachable' or
                                    'service-stopped' not in v.get('UnreachabilityReasons', ())):
                self.diverge(f'{when}, but {path.rsplit("/", 1)[-1]} was {v.get("State")} '
                             f'{v.get("UnreachabilityReasons")}')
        pids = self.w.dialer_processes()
        if pids:
            self.diverge(f'{when}, but dialers still run: {[(p, proc_environ(p).get("WAND_INTERFACE")) for p in pids]}',
                         known='reload-orphan' if set(pids) <= self.orphans else None)


    # -- quiescent points --

    def pump_checked(self, seconds=0.0):
        pump(seconds)
        if self.failure:
            raise Divergence(self.failure)
        if self.w.wand_proc.poll() is not None:
            self.diverge(f'wand died (exit status {self.w.wand_proc.returncode})')

    def settle(self):
        """No call outstanding, no announcement for a second, no dialer
        interface half way: what a check may compare with the world."""
        end = time.monotonic() + 300
        while self.outstanding:
            self.pump_checked(0.05)
            if time.monotonic() > end:
                self.diverge('calls never answered: ' + ', '.join(
                    f'{c.describe()} (sent at step {c.step}, {time.monotonic() - c.sent:.0f} s ago)'
                    for c in self.outstanding))
        end = time.monotonic() + 180
        while True:
            self.pump_checked(0.05)
            quiet = time.monotonic() - max(self.main.last_change, self.conn2.last_change)
            busy = [p.rsplit('/', 1)[-1] for p, v in self.main.views.items()
                    if v.get('exists') and v.get('State') in ('connecting', 'disconnecting') and
                    str(self.get_prop(p, 'Device') or '').startswith('tun')]
            if quiet >= 1.0 and not busy:
                return
            if time.monotonic() > end:
                self.diverge(f'the states never settled within 180 s with nothing asked (half way: {busy})')

    def get_prop(self, path, prop):
        try:
            obj = self.w.bus.get_object(BUS_NAME, path, introspect=False)
            return plain(obj.Get(IFACE_IFACE, prop, dbus_interface=PROPS_IFACE))
        except dbus.DBusException:
            return None

    def world_problems(self):
        """What disagrees between wand's announcements, its properties, the
        files, the kernel and the processes (the unit model's check_iface()
        and check_stopped(), as far as they can be seen from outside)."""
        problems = []
        t = self.main
        dialers = {}
        for pid in self.w.dialer_processes():
            env = proc_environ(pid)
            dialers.setdefault(env.get('WAND_INTERFACE'), []).append((pid, env.get('WAND_DEVICE')))
        objects = plain(self.w.bus.get_object(BUS_NAME, MANAGER_PATH, introspect=False)
                        .GetManagedObjects(dbus_interface=OM_IFACE))
        ddm = plain(self.w.bus.get_object(BUS_NAME, MANAGER_PATH, introspect=False)
                    .Get(MANAGER_IFACE, 'DemandDialManager', dbus_interface=PROPS_IFACE))
        if ddm != t.ddm:
            problems.append(f'DemandDialManager is {ddm}, the last announced {t.ddm}')
        for name in NAMES:
            path = iface_path(name)
            v = t.views.get(path, {})
            props = objects.get(path, {}).get(IFACE_IFACE)
            keys = read_keys(self.file_of(name))
            if bool(props) != bool(v.get('exists')):
                problems.append(f'{name} {"exists" if props else "does not exist"}, but InterfacesAdded/Removed '
                                f'said it {"does" if v.get("exists") else "does not"}')
            if not self.pending[name] and (keys is not None) != bool(props):
                problems.append(f'{name}: {"a file but no interface" if keys is not None else "no file"} with no edit '
                                f'waiting for a Reload')
            if not props:
                if dialers.get(name):
                    problems.append(f'{name} does not exist, but its dialer runs: {dialers[name]}')
                continue
            # Device, Persistent and LastErrorReason announce their changes
            # too (issue 22): what the signals said is what there is.
            for k in ('State', 'UnreachabilityReasons', 'Enabled', 'LastError', 'ConnectedSince', 'IfIndex', 'Device',
                      'Persistent', 'LastErrorReason'):
                if k in v and v[k] != props[k]:
                    problems.append(f'{name}: {k} is {props[k]!r}, the last PropertiesChanged said {v[k]!r}')
            state, reasons, dev = props['State'], props['UnreachabilityReasons'], props['Device']
            dialer = dev.startswith('tun')
            if not self.pending[name] and keys is not None:
                if parse_bool(keys.get('Enabled', 'yes')) != props['Enabled']:
                    problems.append(f'{name}: Enabled is {props["Enabled"]}, its file says Enabled={keys.get("Enabled")}')
                if keys.get('Device') != dev:
                    problems.append(f'{name}: Device is {dev}, its file says Device={keys.get("Device")}')
                if parse_bool(keys.get('Persistent', 'no')) != props['Persistent']:
                    problems.append(f'{name}: Persistent is {props["Persistent"]}, its file says '
                                    f'Persistent={keys.get("Persistent")}')
            link = link_info(dev)
            flags = set(link['flags']) if link else set()
            up, carrier = 'UP' in flags, 'LOWER_UP' in flags
            want = set()
            if ddm != 'running':
                want.add('service-stopped')
            if not props['Enabled']:
                want.add('disabled')
            if not dialer and link is None:
                want.add('no-device')
            got = set(reasons)
            if got - {'connection-failure'} != want:
                problems.append(f'{name}: UnreachabilityReasons {sorted(got)}, expected {sorted(want)} '
                                f'(Enabled={props["Enabled"]}, {dev} {"absent" if link is None else "present"}, '
                                f'manager {ddm})')
            if 'connection-failure' in got and not (dialer and props['Persistent']):
                problems.append(f'{name}: connection-failure, but it never redials')
            if (state == 'unreachable') != bool(got):
                problems.append(f'{name}: {state} with UnreachabilityReasons {sorted(got)}')
            mine = dialers.get(name, [])
            if state == 'connected':
                if not (up and carrier):
                    problems.append(f'{name}: connected, but {dev} is {"absent" if link is None else sorted(flags)}')
                if dialer and len(mine) != 1:
                    problems.append(f'{name}: connected, its dialers: {mine}')
                if props['LastError']:
                    problems.append(f'{name}: connected, LastError still {props["LastError"]!r}')
            elif dialer and mine:
                problems.append(f'{name}: {state}, but its dialer runs: {mine}')
            if not dialer and not got:
                mirror = 'connected' if up and carrier else 'connecting' if up else 'disconnected'
                if state != mirror:
                    problems.append(f'{name}: {state}, but {dev} is {sorted(flags)} (the contract says {mirror})')
            if dialer and state in ('disconnected', 'unreachable') and link is not None and \
                    not any(d == dev for ps in dialers.values() for _, d in ps):
                problems.append(f'{name}: {state}, no dialer runs, but {dev} is still there')
            if (props['ConnectedSince'] != 0) != (state == 'connected'):
                problems.append(f'{name}: ConnectedSince {props["ConnectedSince"]} while {state}')
            if props['LastError'] not in ('', E_FAILED):
                problems.append(f'{name}: LastError {props["LastError"]!r}')
            if (props['LastError'] == '') != (props['LastErrorReason'] == '') or props['LastErrorReason'] not in \
                    ('', 'timeout', 'no-carrier', 'dialer-exited', 'device-gone', 'refused', 'start-failed'):
                problems.append(f'{name}: LastError {props["LastError"]!r} with LastErrorReason '
                                f'{props["LastErrorReason"]!r}')
            want_index = link['ifindex'] if link else 0
            if props['IfIndex'] != want_index:
                problems.append(f'{name}: IfIndex {props["IfIndex"]}, {dev} has {want_index}')
        for owner, ps in dialers.items():
            if owner not in NAMES:
                problems.append(f'a dialer of {owner!r} runs: {ps}')
        zombies = self.w.zombies_of_wand()
        if zombies:
            problems.append(f'wand has zombies: {zombies}')
        n_dialers = sum(len(ps) for ps in dialers.values())
        fds = self.w.wand_fds()
        first = self.fd_seen.setdefault(n_dialers, fds)
        if len(fds) > len(first):
            extra = {fd: target for fd, target in fds.items() if first.get(fd) != target}
            problems.append(f'wand has {len(fds)} descriptors with {n_dialers} dialers running, {len(first)} the first '
                            f'time with as many; new: {extra}')
        return problems

    def quiesce(self, why):
        self.trace(f'{self.step}: quiescent point ({why})')
        problems = []
        for attempt in range(4):
            self.settle()
            seq = (self.main.seq, self.conn2.seq)
            problems = self.world_problems()
            self.pump_checked(0.2)
            if (self.main.seq, self.conn2.seq) != seq:
                continue  # something moved while we looked: look again
            if not problems:
                self.quiescent_points += 1
                return
            # Let what the kernel or a dialer just did reach wand, and look again.
            self.trace(f'{self.step}: (looking again: {problems})')
            self.pump_checked(2.0)
        if problems:
            self.diverge('at a quiescent point:\n    ' + '\n    '.join(problems))

    # -- the run --

    def report(self, started):
        elapsed = time.monotonic() - started
        harness.log(f'seed {self.seed}: {self.step} steps in {elapsed:.1f} s ({self.step / max(elapsed, 1e-9):.1f} '
                    f'steps/s), {self.calls_answered} calls answered, {self.quiescent_points} quiescent points')
        harness.log('answers: ' + ', '.join(f'{k.rsplit(".", 1)[-1]} {n}' for k, n in sorted(self.errors_seen.items())))

    def run(self):
        args = self.args
        started = time.monotonic()
        harness.log(f'stress: seed {self.seed}, ' +
                    (f'{args.steps} steps' if args.steps is not None else f'{args.seconds:.0f} s'))
        self.setup()
        self.quiesce('start')
        next_quiet = self.rng.randrange(40, 160)
        while True:
            if args.steps is not None and self.step >= args.steps:
                break
            if args.steps is None and time.monotonic() - started >= args.seconds:
                break
            self.step += 1
            self.one_step()
            self.pump_checked()
            if self.step == next_quiet:
                self.quiesce('scheduled')
                next_quiet += self.rng.randrange(40, 160)
            if len(self.w.events) > 10000:
                del self.w.events[:]  # the harness's record, unused here
        self.quiesce('end of the steps')
        # Everything down: no dialer, no descriptor more than at the start.
        self.trace(f'{self.step}: end: Start, then Disconnect every interface')
        self.main.bus.get_object(BUS_NAME, MANAGER_PATH, introspect=False).StartDemandDialManager(
            dbus_interface=MANAGER_IFACE, timeout=600)
        for name in NAMES:
            c = StressCall(self, self.main, 'Disconnect', name)
            self.trace(f'{self.step}: call {c.describe()}')
        self.quiesce('all disconnected')
        if self.w.dialer_processes():
            self.diverge(f'dialers run after every interface was disconnected: {self.w.dialer_processes()}')
        self.w.stop_wand()
        self.report(started)


def run(args):
    s = Stress(args)
    code = 0
    started = time.monotonic()
    try:
        s.run()
        harness.log(f'stress: seed {s.seed}: no divergence')
    except (Divergence, harness.Failure) as e:
        if s.failure is None:
            s.failure = f'step {s.step}: {e}'
        code = 1
    except Exception:
        s.failure = f'step {s.step}: the stress run itself failed:\n{traceback.format_exc()}'
        code = 1
    if code:
        print('===== wand log (with the steps, "## ...") =====')
        lines = s.w.log_text().splitlines()
        print('\n'.join(lines[-400:]))
        print('===== end of wand log =====')
        print('===== the last steps =====')
        print('\n'.join(s.trace_lines[-TRACE:]))
        print('===== end of the steps =====')
        s.report(started)
        harness.log(f'DIVERGENCE with seed {s.seed}: {s.failure}')
        harness.log(f'replay: tests/run-stress.sh --seed {s.seed} --steps {s.step}')
    try:
        s.w.cleanup()
    finally:
        import shutil
        shutil.rmtree(s.w.tmp, ignore_errors=True)
    sys.stdout.flush()
    return code
