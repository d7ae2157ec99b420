# SPDX-License-Identifier: LGPL-2.1-or-later
"""The world of a dialer test, inside its namespaces: a private bus, wand
from the build tree with its own configuration and runtime directories,
asynchronous calls, recorded PropertiesChanged, and what wand left behind
(dialer processes, zombies, devices, descriptors).

Imported only in the namespaces, after the fork of dialer-test.py's init:
the D-Bus main loop is set up on import.
"""

import json
import os
import shlex
import signal
import subprocess
import tempfile
import time

import dbus  # Debian's python3-dbus
import dbus.mainloop.glib
from gi.repository import GLib  # Debian's python3-gi

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

BUS_NAME = 'org.wand.Router1'
MANAGER_PATH = '/org/wand/Router1'
MANAGER_IFACE = 'org.wand.Router1.Manager'
IFACE_IFACE = 'org.wand.Router1.Interface'
PROPS_IFACE = 'org.freedesktop.DBus.Properties'
E_CONNECTION_FAILED = 'org.wand.Router1.Error.ConnectionFailed'
E_ALREADY_CONNECTED = 'org.wand.Router1.Error.AlreadyConnected'
E_NOT_CONNECTED = 'org.wand.Router1.Error.InterfaceNotConnected'
E_UNREACHABLE = 'org.wand.Router1.Error.InterfaceUnreachable'
E_NO_SUCH_INTERFACE = 'org.wand.Router1.Error.NoSuchInterface'
OPENVPN = '/usr/sbin/openvpn'


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def log(message):
    print(f'[{time.monotonic() - T0:7.3f}] {message}', flush=True)


T0 = time.monotonic()


# ---------------------------------------------------------------------------
# Processes and devices, seen from inside our namespaces


def proc_stat(pid):
    """(state, ppid) of a process, or None when it is gone."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(')') + 2:].split()
    return fields[0], int(fields[1])


def proc_alive(pid):
    st = proc_stat(pid)
    return st is not None and st[0] != 'Z'


def proc_cmdline(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            return [a.decode(errors='replace') for a in f.read().split(b'\0') if a]
    except OSError:
        return []


def proc_environ(pid):
    try:
        with open(f'/proc/{pid}/environ', 'rb') as f:
            items = [a.decode(errors='replace') for a in f.read().split(b'\0') if a]
    except OSError:
        return {}
    return dict(i.split('=', 1) for i in items if '=' in i)


def all_pids():
    return [int(d) for d in os.listdir('/proc') if d.isdigit()]


def link_info(dev):
    """`ip -j link show` of a device in our namespace, or None if absent."""
    r = subprocess.run(['ip', '-j', 'link', 'show', 'dev', dev], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    data = json.loads(r.stdout)
    return data[0] if data else None


def link_connected(dev):
    info = link_info(dev)
    return info is not None and 'UP' in info['flags'] and 'LOWER_UP' in info['flags']


def run(argv, **kwargs):
    r = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if r.returncode != 0:
        raise Failure(f'{shlex.join(argv)} failed ({r.returncode}): {r.stderr.strip()}')
    return r.stdout


# ---------------------------------------------------------------------------
# The D-Bus side


def pump(seconds=0.0):
    """Runs the main loop for a while, so replies and signals arrive."""
    ctx = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while ctx.pending():
            ctx.iteration(False)
        if time.monotonic() >= end:
            return
        time.sleep(0.01)


def wait_until(predicate, timeout, what):
    end = time.monotonic() + timeout
    while True:
        pump()
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise Failure(f'timed out after {timeout} s waiting for {what}')
        time.sleep(0.02)


def plain(value):
    """dbus-python values as plain Python ones."""
    if isinstance(value, (dbus.String, dbus.ObjectPath)):
        return str(value)
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (dbus.Int32, dbus.UInt32, dbus.Int64, dbus.UInt64, dbus.Int16, dbus.UInt16, dbus.Byte)):
        return int(value)
    if isinstance(value, (dbus.Array, list)):
        return [plain(v) for v in value]
    if isinstance(value, (dbus.Dictionary, dict)):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (dbus.Struct, tuple)):
        return tuple(plain(v) for v in value)
    return value


class Call:
    """An asynchronous method call; wait() for its reply."""

    def __init__(self, bus, path, interface, method, *args):
        self.what = f'{method}() on {path}'
        self.done = False
        self.reply = None
        self.error = None
        self.start = time.monotonic()
        self.end = None
        proxy = bus.get_object(BUS_NAME, path, introspect=False)
        getattr(proxy, method)(*args, dbus_interface=interface, reply_handler=self._on_reply,
                               error_handler=self._on_error, timeout=110)

    def _on_reply(self, *reply):
        self.done, self.reply, self.end = True, plain(reply), time.monotonic()

    def _on_error(self, error):
        self.done, self.error, self.end = True, error, time.monotonic()

    @property
    def elapsed(self):
        return (self.end or time.monotonic()) - self.start

    def wait(self, timeout=30):
        wait_until(lambda: self.done, timeout, f'the reply to {self.what}')
        return self

    def expect_ok(self, timeout=30):
        self.wait(timeout)
        if self.error is not None:
            raise Failure(f'{self.what} failed after {self.elapsed:.2f} s: '
                          f'{self.error.get_dbus_name()}: {self.error.get_dbus_message()}')
        return self.reply

    def expect_error(self, name, timeout=30, contains=None):
        self.wait(timeout)
        check(self.error is not None, f'{self.what} succeeded (after {self.elapsed:.2f} s); expected {name}')
        got, message = self.error.get_dbus_name(), self.error.get_dbus_message() or ''
        check(got == name, f'{self.what} failed with {got} ("{message}"); expected {name}')
        for word in ([contains] if isinstance(contains, str) else contains or []):
            check(word.lower() in message.lower(),
                  f'{self.what}: the {got} message "{message}" does not mention "{word}"')
        return message


# ---------------------------------------------------------------------------
# The world of one test: bus, wand, configuration


BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow send_type="method_call"/>
  </policy>
</busconfig>
"""


class World:
    def __init__(self, group):
        self.group = group
        self.wand_binary = os.environ['WAND_BINARY']
        self.dialer = os.environ.get('TEST_DIALER', '')
        self.tmp = tempfile.mkdtemp(prefix=f'wand-dialer-{group}-')
        os.chmod(self.tmp, 0o755)
        self.config_dir = os.path.join(self.tmp, 'config')
        self.ifaces_dir = os.path.join(self.config_dir, 'interfaces')
        self.runtime_dir = os.path.join(self.tmp, 'run')
        os.makedirs(self.ifaces_dir, mode=0o755)
        os.chmod(self.config_dir, 0o755)
        os.chmod(self.ifaces_dir, 0o755)
        self.log_path = os.path.join(self.tmp, 'wand.log')
        self.bus_proc = None
        self.wand_proc = None
        self.helpers = []  # other processes we started (servers, sleepers)
        self.bus = None
        self.events = []  # (time, path, {property: value}) from PropertiesChanged
        self.fd_baseline = None
        self.wand_args = []  # more options for wand
        self.wand_env = {}  # more environment for wand

    # -- configuration --

    def write_iface(self, name, mode=0o644, uid=0, **keys):
        lines = ['[Interface]']
        for key, value in keys.items():
            if isinstance(value, (list, tuple)):
                value = shlex.join(value)
            elif isinstance(value, bool):
                value = 'yes' if value else 'no'
            lines.append(f'{key}={value}')
        path = os.path.join(self.ifaces_dir, f'{name}.conf')
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        os.chown(path, uid, 0)
        os.chmod(path, mode)
        return path

    def dial(self, mode, *extra):
        return [self.dialer, f'--mode={mode}', *extra]

    def path(self, name):
        return os.path.join(self.tmp, name)

    # -- bus and daemon --

    def start_bus(self):
        sock = os.path.join(self.tmp, 'bus.sock')
        conf = os.path.join(self.tmp, 'bus.conf')
        with open(conf, 'w') as f:
            f.write(BUS_CONFIG.format(socket=sock))
        # It prints its address once it listens: the socket file alone
        # appears at bind(), before listen(), and a connection then is
        # refused (seen once under load).
        self.bus_proc = subprocess.Popen(['dbus-daemon', f'--config-file={conf}', '--nofork', '--nosyslog',
                                          '--print-address=1'],
                                         stdout=subprocess.PIPE, stderr=open(self.path('bus.log'), 'w'))
        printed = self.bus_proc.stdout.readline()
        check(printed and self.bus_proc.poll() is None, 'dbus-daemon exited at start')
        self.address = f'unix:path={sock}'
        self.bus = dbus.bus.BusConnection(self.address)
        self.bus.add_signal_receiver(self._on_properties_changed, signal_name='PropertiesChanged',
                                     dbus_interface=PROPS_IFACE, path_keyword='path')

    def _on_properties_changed(self, interface, changed, invalidated, path=None):
        if interface == IFACE_IFACE:
            self.events.append((time.monotonic(), str(path), plain(changed)))

    def log_mark(self):
        try:
            return os.path.getsize(self.log_path)
        except FileNotFoundError:
            return 0

    def log_text(self, mark=0):
        try:
            with open(self.log_path, errors='replace') as f:
                f.seek(mark)
                return f.read()
        except FileNotFoundError:
            return ''

    def wait_log(self, text, mark=0, timeout=10):
        return wait_until(lambda: text in self.log_text(mark), timeout, f'"{text}" in the wand log')

    def start_wand(self):
        with open(self.log_path, 'a') as f:
            f.write('----- test: starting wand -----\n')
        logf = open(self.log_path, 'a')
        env = {
            'DBUS_SYSTEM_BUS_ADDRESS': self.address,
            'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
            'LANG': 'C.UTF-8',
        }
        for k in ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'):
            if k in os.environ:
                env[k] = os.environ[k]
        env.update(self.wand_env)
        self.wand_proc = subprocess.Popen([self.wand_binary, f'--config-dir={self.config_dir}',
                                           f'--runtime-dir={self.runtime_dir}', *self.wand_args],
                                          stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, env=env)
        logf.close()
        wait_until(lambda: self.wand_proc.poll() is not None or self.bus.name_has_owner(BUS_NAME), 15,
                   f'wand to own {BUS_NAME}')
        check(self.wand_proc.poll() is None, f'wand exited at start with status {self.wand_proc.returncode}')
        pump(0.2)
        return self.wand_proc.pid

    def stop_wand(self, timeout=10):
        """SIGTERM, as a service manager stopping or restarting it."""
        p = self.wand_proc
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise Failure(f'wand did not exit within {timeout} s of SIGTERM')
        wait_until(lambda: not self.bus.name_has_owner(BUS_NAME), 5, f'{BUS_NAME} to be released')
        self.wand_proc = None
        self.fd_baseline = None
        check(p.returncode == 0, f'wand exited with status {p.returncode} on SIGTERM')

    # -- calls --

    def manager(self, method, *args):
        return Call(self.bus, MANAGER_PATH, MANAGER_IFACE, method, *args)

    def iface(self, name):
        return Iface(self, name)

    def reload(self):
        self.manager('Reload').expect_ok()
        pump(0.3)

    def no_such_interface(self, name):
        self.manager('GetInterfaceByName', name).expect_error(E_NO_SUCH_INTERFACE)

    # -- what is left behind --

    def dialer_processes(self, interface=None):
        """Live pids of dialers (test-dialer, openvpn) wand ran."""
        found = []
        for pid in all_pids():
            if pid == os.getpid() or not proc_alive(pid):
                continue
            argv = proc_cmdline(pid)
            if not argv or argv[0] not in (self.dialer, OPENVPN):
                continue
            env = proc_environ(pid)
            if 'WAND_INTERFACE' not in env:
                continue  # one of ours (an openvpn server), not wand's
            if interface is None or env['WAND_INTERFACE'] == interface:
                found.append(pid)
        return sorted(found)

    def zombies_of_wand(self):
        if not self.wand_proc:
            return []
        return [pid for pid in all_pids()
                if (st := proc_stat(pid)) and st[0] == 'Z' and st[1] == self.wand_proc.pid]

    def wand_fds(self):
        out = {}
        d = f'/proc/{self.wand_proc.pid}/fd'
        for fd in os.listdir(d):
            try:
                out[int(fd)] = os.readlink(os.path.join(d, fd))
            except OSError:
                pass
        return out

    def settle_fd_baseline(self):
        """Remembers wand's descriptors while nothing runs."""
        self.fd_baseline = self.wand_fds()

    def expect_clean(self, interfaces=(), devices=(), timeout=5):
        """No dialer of these interfaces runs, no zombie, no device, no
        descriptor more than at the baseline."""
        for name in interfaces:
            wait_until(lambda: not self.dialer_processes(name), timeout,
                       f'the dialer of {name} to be gone (pids {self.dialer_processes(name)})')
        for dev in devices:
            wait_until(lambda: link_info(dev) is None, timeout, f'device {dev} to be gone')
        try:
            wait_until(lambda: not self.zombies_of_wand(), 2, 'wand to reap its children')
        except Failure:
            z = self.zombies_of_wand()
            raise Failure(f'wand left zombies (never reaped): {z} {[proc_cmdline(p) for p in z]}') from None
        if self.fd_baseline is not None and self.wand_proc:
            wait_until(lambda: len(self.wand_fds()) <= len(self.fd_baseline), 3, 'wand to close descriptors')
            now = self.wand_fds()
            extra = {fd: t for fd, t in now.items() if self.fd_baseline.get(fd) != t}
            check(len(now) <= len(self.fd_baseline),
                  f'wand has {len(now)} descriptors, {len(self.fd_baseline)} at the start; new: {extra}')

    def states_of(self, name, since):
        path = Iface.path_of(self, name)
        return [c['State'] for t, p, c in self.events if p == path and t >= since and 'State' in c]

    def props_changed(self, name, prop, since):
        path = Iface.path_of(self, name)
        return [c[prop] for t, p, c in self.events if p == path and t >= since and prop in c]

    # -- teardown --

    def reset(self, after):
        """Disconnects every interface (which also stops redialing), then
        kills what still runs."""
        try:
            calls = []
            for name, path, state in plain(self.manager('ListInterfaces').expect_ok()[0]):
                if state not in ('disconnected', 'unreachable'):
                    calls.append(Call(self.bus, path, IFACE_IFACE, 'Disconnect'))
            for c in calls:
                c.wait(20)
        except Exception as e:
            log(f'reset after {after}: {e}')
        for pid in self.dialer_processes():
            log(f'killing dialer {pid} left by {after}')
            os.kill(pid, signal.SIGKILL)
        pump(0.5)

    def cleanup(self):
        # Everything dies with the pid namespace anyway; this is for a tidy
        # end and the log, by pid.
        if self.wand_proc and self.wand_proc.poll() is None:
            self.wand_proc.send_signal(signal.SIGTERM)
            try:
                self.wand_proc.wait(5)
            except subprocess.TimeoutExpired:
                self.wand_proc.kill()
        try:
            for pid in self.dialer_processes():
                os.kill(pid, signal.SIGKILL)
        except Exception:
            pass
        for p in self.helpers:
            if p.poll() is None:
                p.kill()
                p.wait()
        if self.bus_proc and self.bus_proc.poll() is None:
            self.bus_proc.terminate()
            self.bus_proc.wait()

    def dump_log(self):
        text = self.log_text()
        print('===== wand log =====')
        print(text, end='' if text.endswith('\n') else '\n')
        print('===== end of wand log =====', flush=True)


class Iface:
    def __init__(self, world, name):
        self.world = world
        self.name = name
        self.path = plain(world.manager('GetInterfaceByName', name).expect_ok()[0])

    @staticmethod
    def path_of(world, name):
        return '/org/wand/Router1/interface/' + ''.join(
            c if c.isalnum() else f'_{ord(c):02x}' for c in name)

    def get(self, prop):
        obj = self.world.bus.get_object(BUS_NAME, self.path, introspect=False)
        return plain(obj.Get(IFACE_IFACE, prop, dbus_interface=PROPS_IFACE))

    @property
    def state(self):
        return self.get('State')

    @property
    def last_error(self):
        return self.get('LastError')

    @property
    def reasons(self):
        return self.get('UnreachabilityReasons')

    def connect(self):
        return Call(self.world.bus, self.path, IFACE_IFACE, 'Connect')

    def disconnect(self):
        return Call(self.world.bus, self.path, IFACE_IFACE, 'Disconnect')

    def expect_state(self, state, timeout=0):
        if timeout:
            wait_until(lambda: self.state == state, timeout, f'{self.name} to be {state} (is {self.state})')
        got = self.state
        check(got == state, f'{self.name}: State is {got}, expected {state}')

    def dialer_pid(self):
        """The pid wand recorded for the dialer in its runtime directory."""
        try:
            with open(os.path.join(self.world.runtime_dir, 'dialers', self.name)) as f:
                return int(f.read().split()[0])
        except FileNotFoundError:
            return None

    def record(self):
        try:
            with open(os.path.join(self.world.runtime_dir, 'dialers', self.name)) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None


def starts(path):
    """(mode, pid, time) of each start of a test-dialer run with --record."""
    try:
        with open(path) as f:
            return [(m, int(p), float(t)) for m, p, t in (line.split() for line in f if line.strip())]
    except FileNotFoundError:
        return []


def expect_between(value, low, high, what):
    check(low <= value <= high, f'{what}: {value:.2f} s, expected {low}–{high} s')
