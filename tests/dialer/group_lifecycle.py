# SPDX-License-Identifier: LGPL-2.1-or-later
"""lifecycle: wand's own dialer is followed until it has exited.

- Another network manager (a stand-in systemd-networkd on the test bus)
  takes the device of a dialer that runs: State stays connected, not
  unreachable, and Disconnect(), SetEnabled(false) and
  StopDemandDialManager() stop the dialer before they reply.
- A DisconnectCommand that outlives the dialer it hung up: the teardown ends
  only when it has exited or was killed after DisconnectTimeoutSec, and a
  Connect() meanwhile waits; no dialer runs beside it.
"""

import fcntl
import socket
import struct
import time

import dbus
import dbus.service

from harness import (E_ALREADY_CONNECTED, E_UNREACHABLE, IFACE_IFACE, PROPS_IFACE, Call, check, link_info, log,
                     proc_alive, proc_cmdline, pump, wait_until)

ND_BUS = 'org.freedesktop.network1'
ND_PATH = '/org/freedesktop/network1'
ND_MANAGER = 'org.freedesktop.network1.Manager'
ND_LINK = 'org.freedesktop.network1.Link'
TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


class NetworkdLink(dbus.service.Object):
    def __init__(self, conn, path, state):
        super().__init__(conn, path)
        self.state = state

    @dbus.service.method(PROPS_IFACE, in_signature='ss', out_signature='v')
    def Get(self, interface, name):
        if interface != ND_LINK or name != 'AdministrativeState':
            raise dbus.exceptions.DBusException(f'no property {interface}.{name}',
                                                name='org.freedesktop.DBus.Error.UnknownProperty')
        return dbus.String(self.state, variant_level=1)

    @dbus.service.signal(PROPS_IFACE, signature='sa{sv}as')
    def PropertiesChanged(self, interface, changed, invalidated):
        pass

    def set_state(self, state):
        self.state = state
        self.PropertiesChanged(ND_LINK, dbus.Dictionary({'AdministrativeState': dbus.String(state)},
                                                          signature='sv'), dbus.Array([], signature='s'))


class Networkd(dbus.service.Object):
    """systemd-networkd as wand asks it: GetLinkByName, and each link's
    AdministrativeState ("unmanaged", or "configured" when the test says it
    manages the device), with PropertiesChanged. On its own connection, in
    this process: it answers while the test pumps the main loop."""

    def __init__(self, w):
        self.conn = dbus.bus.BusConnection(w.address)
        self.bus_name = dbus.service.BusName(ND_BUS, self.conn)
        super().__init__(self.conn, ND_PATH)
        self.managed = set()
        self.links = {}  # ifindex: NetworkdLink

    def _state(self, device):
        return 'configured' if device in self.managed else 'unmanaged'

    @dbus.service.method(ND_MANAGER, in_signature='s', out_signature='io')
    def GetLinkByName(self, name):
        try:
            ifindex = socket.if_nametoindex(name)
        except OSError:
            raise dbus.exceptions.DBusException(f'Link {name} not known',
                                                name='org.freedesktop.network1.NoSuchLink') from None
        if ifindex not in self.links:
            # networkd's path: the ifindex, escaped as sd_bus_path_encode() does.
            path = f'{ND_PATH}/link/_3{ifindex}'
            self.links[ifindex] = NetworkdLink(self.conn, path, self._state(name))
        link = self.links[ifindex]
        link.device = name
        link.state = self._state(name)
        return dbus.Int32(ifindex), dbus.ObjectPath(link._object_path)

    def manage(self, device, managed):
        (self.managed.add if managed else self.managed.discard)(device)
        for link in self.links.values():
            if getattr(link, 'device', None) == device and link.state != self._state(device):
                link.set_state(self._state(device))


def managed_by(i):
    return [str(x) for x in i.get('ManagedBy')]


def dialers(w, name):
    """The dialer processes of name, not its DisconnectCommand."""
    return [p for p in w.dialer_processes(name) if '--mode=hangup' not in proc_cmdline(p)]


def hangups(w, name):
    return [p for p in w.dialer_processes(name) if '--mode=hangup' in proc_cmdline(p)]


def lifecycle_setup(w):
    w.write_iface('l-me', Device='tun-me', ConnectCommand=w.dial('ok'), DisconnectTimeoutSec=3)
    w.write_iface('l-linger', Device='tun-linger', ConnectCommand=w.dial('ok'),
                  DisconnectCommand=w.dial('hangup', '--linger=600'), DisconnectTimeoutSec=3)


def connected_then_taken(w, i, dev):
    """Connects i, then networkd takes its device; returns the dialer's
    pid."""
    w.networkd.manage(dev, False)
    i.connect().expect_ok(10)
    pid = i.dialer_pid()
    check(pid and proc_alive(pid), f'no live dialer recorded: {i.record()}')
    wait_until(lambda: link_info(dev) is not None, 5, f'{dev} to exist')
    w.networkd.manage(dev, True)
    wait_until(lambda: managed_by(i) == ['systemd-networkd'], 5, 'ManagedBy to name systemd-networkd')
    pump(0.3)
    check(proc_alive(pid), f'the dialer (pid {pid}) stopped by itself')
    return pid


def lifecycle_taken_disconnect(w):
    i = w.iface('l-me')
    t = time.monotonic()
    pid = connected_then_taken(w, i, 'tun-me')
    check(i.state == 'connected', f'State is {i.state} while its dialer runs; expected connected')
    check(i.reasons == [], f'UnreachabilityReasons is {i.reasons} while connected')
    check('unreachable' not in w.states_of('l-me', t), f'State went {w.states_of("l-me", t)} while its dialer ran')
    i.connect().expect_error(E_ALREADY_CONNECTED, 5)
    d = i.disconnect()
    pump(0.1)
    check(i.state in ('disconnecting', 'disconnected') or d.done, f'State is {i.state} after Disconnect()')
    d.expect_ok(10)
    check(not proc_alive(pid), f'the dialer (pid {pid}) still runs when Disconnect() replied')
    # Its tun went with it: networkd manages no tun-me any more.
    wait_until(lambda: i.state == 'disconnected', 5, f'l-me to be disconnected (is {i.state})')
    w.expect_clean(['l-me'], ['tun-me'])


def lifecycle_taken_disable(w):
    i = w.iface('l-me')
    pid = connected_then_taken(w, i, 'tun-me')
    Call(w.bus, i.path, IFACE_IFACE, 'SetEnabled', dbus.Boolean(False)).expect_ok(10)
    check(not proc_alive(pid), f'the dialer (pid {pid}) still runs when SetEnabled(false) replied')
    wait_until(lambda: i.state == 'unreachable' and i.reasons == ['disabled'], 5,
               f'l-me to be unreachable (disabled); is {i.state} {i.reasons}')
    i.connect().expect_error('org.wand.Router1.Error.InterfaceDisabled', 5)
    Call(w.bus, i.path, IFACE_IFACE, 'SetEnabled', dbus.Boolean(True)).expect_ok(10)
    w.expect_clean(['l-me'], ['tun-me'])


def lifecycle_taken_stop(w):
    i = w.iface('l-me')
    pid = connected_then_taken(w, i, 'tun-me')
    w.manager('StopDemandDialManager').expect_ok(10)
    check(not proc_alive(pid), f'the dialer (pid {pid}) still runs when StopDemandDialManager() replied')
    i.expect_state('unreachable', timeout=3)
    w.manager('StartDemandDialManager').expect_ok(10)
    wait_until(lambda: i.state == 'disconnected', 5, f'l-me to be disconnected (is {i.state})')
    w.expect_clean(['l-me'], ['tun-me'])


def lifecycle_taken_while_idle(w):
    """Taken while nothing of wand's runs: unreachable, and Connect() says
    why."""
    i = w.iface('l-me')
    w.networkd.manage('tun-me', True)
    # tun-me exists only while a dialer runs: hold one open for networkd to
    # manage, as a persistent tun would be.
    with open('/dev/net/tun', 'rb+', buffering=0) as f:
        fcntl.ioctl(f, TUNSETIFF, struct.pack('16sH', b'tun-me', IFF_TUN | IFF_NO_PI))
        wait_until(lambda: managed_by(i) == ['systemd-networkd'], 5, 'ManagedBy to name systemd-networkd')
        i.expect_state('unreachable', timeout=3)
        check(i.reasons == ['managed-elsewhere'], f'UnreachabilityReasons is {i.reasons}')
        i.connect().expect_error(E_UNREACHABLE, 5, contains=['systemd-networkd'])
        check(not dialers(w, 'l-me'), f'a dialer runs: {dialers(w, "l-me")}')
    w.networkd.manage('tun-me', False)
    wait_until(lambda: i.state == 'disconnected', 5, f'l-me to be disconnected (is {i.state})')


def lifecycle_disconnect_command_lingers(w):
    i = w.iface('l-linger')
    i.connect().expect_ok(10)
    pid = i.dialer_pid()
    mark = w.log_mark()
    d = i.disconnect()
    wait_until(lambda: not proc_alive(pid), 5, f'the DisconnectCommand to hang up the dialer (pid {pid})')
    wait_until(lambda: 'hangup: lingering' in w.log_text(mark), 5, 'the DisconnectCommand to linger')
    hup = hangups(w, 'l-linger')
    check(len(hup) == 1, f'DisconnectCommand processes: {hup}')

    # Until it is killed (DisconnectTimeoutSec=3): the teardown goes on, a
    # Connect() waits, and no dialer starts beside it. Each sample reads
    # wand first and the command last: whatever was seen while it is still
    # alive afterwards happened while it ran.
    c = None
    samples = 0
    while True:
        pump(0.02)
        done, state, running = d.done, i.state, dialers(w, 'l-linger')
        if not proc_alive(hup[0]):
            break
        samples += 1
        check(not done, 'Disconnect() replied while the DisconnectCommand still runs')
        check(state == 'disconnecting', f'State is {state} while the DisconnectCommand runs')
        check(not running, f'dialer {running} runs beside the DisconnectCommand {hup[0]}')
        if c is None:
            c = i.connect()
    d.expect_ok(10)
    log(f'DisconnectCommand killed; Disconnect() took {d.elapsed:.2f} s (DisconnectTimeoutSec=3), '
        f'{samples} samples while it ran')
    check(not proc_alive(hup[0]), f'the DisconnectCommand (pid {hup[0]}) still runs when Disconnect() replied')
    check('DisconnectCommand' in w.log_text(mark) and 'killing it' in w.log_text(mark),
          'the log does not say the DisconnectCommand was killed')
    check(c is not None, 'the DisconnectCommand was gone before the test could look')
    c.expect_ok(10)
    check(c.end >= d.end, 'Connect() during the teardown replied before it ended')
    i.expect_state('connected')
    d = i.disconnect()
    d.expect_ok(10)
    check(not hangups(w, 'l-linger'), f'DisconnectCommand left running: {hangups(w, "l-linger")}')
    w.expect_clean(['l-linger'], ['tun-linger'])


def scenarios(w):
    lifecycle_setup(w)
    w.start_wand()
    w.networkd = Networkd(w)
    w.settle_fd_baseline()
    return [lifecycle_taken_disconnect, lifecycle_taken_disable, lifecycle_taken_stop, lifecycle_taken_while_idle,
            lifecycle_disconnect_command_lingers]
