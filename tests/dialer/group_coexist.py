# SPDX-License-Identifier: LGPL-2.1-or-later
"""coexist: wand next to a real NetworkManager on the same bus and links.

NetworkManager runs in the test's namespaces (its own /etc, /var/lib and /run
bound over the real ones in the private mount namespace, a read-only sysfs of
this network namespace so that it does not wait for udev), with a keyfile
connection that brings nm0 up by itself. Shown: wand notices within a second
when NetworkManager takes or releases the device (ManagedBy,
managed-elsewhere); without ClaimDevice it leaves the device alone and
Connect names the manager and the setting; with it, NetworkManager lets go,
wand's Disconnect stays disconnected although NetworkManager would
autoconnect, a restarted NetworkManager is asked again, a restarted wand does
not hand the device back, and Delete does.
"""

import os
import subprocess
import time

import dbus

from harness import (IFACE_IFACE, BUS_NAME, Call, check, link_info, log, pump, run, wait_until)

NM = '/usr/sbin/NetworkManager'
NM_BUS = 'org.freedesktop.NetworkManager'
E_UNREACHABLE = 'org.wand.Router1.Error.InterfaceUnreachable'
E_NOT_CONNECTED = 'org.wand.Router1.Error.InterfaceNotConnected'

NM_CONF = """[main]
plugins=keyfile
no-auto-default=*

[keyfile]
unmanaged-devices=none

[logging]
level=WARN
"""

NM_CONNECTION = """[connection]
id=coexist-nm0
uuid=0b7e2c5a-6f1d-4d8e-9a3b-5c2e7f1a9d40
type=ethernet
interface-name=nm0
autoconnect=true

[ethernet]

[ipv4]
method=disabled

[ipv6]
method=disabled
"""


def link_up(dev):
    info = link_info(dev)
    return info is not None and 'UP' in info['flags']


class NetworkManager:
    """NetworkManager in our namespaces, started and stopped by pid."""

    def __init__(self, w):
        self.w = w
        self.proc = None
        base = w.path('nm')
        self.dirs = {d: os.path.join(base, d) for d in ('etc', 'state', 'run', 'empty')}
        for d in self.dirs.values():
            os.makedirs(d, exist_ok=True)
        os.makedirs(os.path.join(self.dirs['etc'], 'system-connections'), exist_ok=True)
        with open(os.path.join(self.dirs['etc'], 'NetworkManager.conf'), 'w') as f:
            f.write(NM_CONF)
        conn = os.path.join(self.dirs['etc'], 'system-connections', 'coexist-nm0.nmconnection')
        with open(conn, 'w') as f:
            f.write(NM_CONNECTION)
        os.chmod(conn, 0o600)
        # Our mount namespace only: the host's files are not touched.
        run(['mount', '-t', 'sysfs', '-o', 'ro', 'sysfs', '/sys'])
        for src, dst in (('etc', '/etc/NetworkManager'), ('state', '/var/lib/NetworkManager'),
                         ('run', '/run/NetworkManager'), ('empty', '/usr/lib/NetworkManager/dispatcher.d'),
                         ('empty', '/usr/lib/NetworkManager/conf.d')):
            os.makedirs(dst, exist_ok=True)
            run(['mount', '--bind', self.dirs[src], dst])

    def start(self):
        env = {'DBUS_SYSTEM_BUS_ADDRESS': self.w.address, 'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'}
        self.proc = subprocess.Popen([NM, '--no-daemon', '--log-level=WARN'], env=env, stdin=subprocess.DEVNULL,
                                     stdout=open(self.w.path('nm.log'), 'a'), stderr=subprocess.STDOUT)
        self.w.helpers.append(self.proc)
        wait_until(lambda: self.proc.poll() is not None or self.w.bus.name_has_owner(NM_BUS), 20,
                   'NetworkManager on the bus')
        check(self.proc.poll() is None, f'NetworkManager exited: {self.w.path("nm.log")}')

    def stop(self):
        self.proc.terminate()
        self.proc.wait(15)
        wait_until(lambda: not self.w.bus.name_has_owner(NM_BUS), 10, 'NetworkManager to leave the bus')

    def device(self):
        nm = self.w.bus.get_object(NM_BUS, '/org/freedesktop/NetworkManager', introspect=False)
        return str(nm.GetDeviceByIpIface('nm0', dbus_interface='org.freedesktop.NetworkManager'))

    def device_state(self):
        try:
            obj = self.w.bus.get_object(NM_BUS, self.device(), introspect=False)
            return int(obj.Get('org.freedesktop.NetworkManager.Device', 'State',
                               dbus_interface='org.freedesktop.DBus.Properties'))
        except dbus.DBusException:
            return 0

    def managed(self):
        try:
            obj = self.w.bus.get_object(NM_BUS, self.device(), introspect=False)
            return bool(obj.Get('org.freedesktop.NetworkManager.Device', 'Managed',
                                dbus_interface='org.freedesktop.DBus.Properties'))
        except dbus.DBusException:
            return False


def managed_by(i):
    return [str(x) for x in i.get('ManagedBy')]


def update(w, i, **settings):
    return Call(w.bus, i.path, IFACE_IFACE, 'UpdateSettings', dbus.Dictionary(settings, signature='sv'))


def coexist_setup(w):
    run(['ip', 'link', 'add', 'nm0', 'type', 'veth', 'peer', 'name', 'nm0-p'])
    run(['ip', 'link', 'set', 'nm0-p', 'up'])
    w.write_iface('lan', Device='nm0')
    w.wand_args = [f'--networkd-runtime-dir={w.path("networkd")}']


def coexist_detect(w):
    i = w.iface('lan')
    check(managed_by(i) == [], f'ManagedBy is {managed_by(i)} before NetworkManager runs')
    w.nm = NetworkManager(w)
    w.nm.start()
    wait_until(w.nm.managed, 20, 'NetworkManager to manage nm0')
    t = time.monotonic()
    wait_until(lambda: managed_by(i) == ['NetworkManager'], 5, 'ManagedBy to name NetworkManager')
    log(f'wand saw NetworkManager take nm0 after {time.monotonic() - t:.3f} s')
    check(time.monotonic() - t < 1.0, 'wand took more than a second to see NetworkManager take nm0')
    i.expect_state('unreachable')
    check('managed-elsewhere' in i.reasons, f'UnreachabilityReasons is {i.reasons}')
    wait_until(lambda: link_up('nm0'), 20, 'NetworkManager to set nm0 up')


def coexist_leave_alone(w):
    i = w.iface('lan')
    msg = i.connect().expect_error(E_UNREACHABLE, 10, contains=['NetworkManager', 'ClaimDevice'])
    log(f'Connect: {msg}')
    i.disconnect().expect_error(E_NOT_CONNECTED, 10)
    Call(w.bus, i.path, IFACE_IFACE, 'SetEnabled', dbus.Boolean(False)).expect_ok(10)
    Call(w.bus, i.path, IFACE_IFACE, 'SetEnabled', dbus.Boolean(True)).expect_ok(10)
    w.manager('StopDemandDialManager').expect_ok(10)
    w.manager('StartDemandDialManager').expect_ok(10)
    pump(0.5)
    check(link_up('nm0'), 'wand set nm0 down although NetworkManager manages it')
    check(w.nm.managed(), 'NetworkManager no longer manages nm0')


def coexist_claim(w):
    i = w.iface('lan')
    update(w, i, ClaimDevice=dbus.Boolean(True)).expect_ok(10)
    t = time.monotonic()
    wait_until(lambda: not w.nm.managed(), 5, 'NetworkManager to let go of nm0')
    wait_until(lambda: managed_by(i) == [], 5, 'ManagedBy to be empty')
    log(f'claimed nm0 from NetworkManager in {time.monotonic() - t:.3f} s')
    check(i.state in ('connected', 'connecting', 'disconnected'), f'lan is {i.state} once claimed')
    if i.state != 'disconnected':
        i.disconnect().expect_ok(15)
    check(not link_up('nm0'), 'nm0 is up after Disconnect')
    # NetworkManager's connection would autoconnect: it must not, for 10 s.
    end = time.monotonic() + 10
    while time.monotonic() < end:
        pump(0.2)
        check(not link_up('nm0'), 'nm0 came up again after Disconnect (another manager set it up)')
        check(i.state == 'disconnected', f'lan became {i.state} after Disconnect')
    i.connect().expect_ok(15)
    check(link_up('nm0'), 'nm0 is not up after Connect')


def coexist_nm_restarts(w):
    i = w.iface('lan')
    w.nm.stop()
    w.nm.start()
    # It forgot Managed=false: wand asks again.
    wait_until(lambda: w.bus.name_has_owner(NM_BUS), 10, 'NetworkManager back')
    wait_until(lambda: not w.nm.managed() and managed_by(i) == [], 20,
               'wand to claim nm0 again from the restarted NetworkManager')
    log('claimed nm0 again after NetworkManager restarted')


def coexist_wand_restart_keeps_claim(w):
    i = w.iface('lan')
    w.stop_wand()
    w.start_wand()
    pump(1.0)
    check(not w.nm.managed(), 'a restart of wand handed nm0 back to NetworkManager')
    check(managed_by(i) == [], f'ManagedBy is {managed_by(i)} after a restart of wand')


def coexist_delete_hands_back(w):
    i = w.iface('lan')
    if i.state not in ('disconnected', 'unreachable'):
        i.disconnect().expect_ok(15)
    Call(w.bus, i.path, IFACE_IFACE, 'Delete').expect_ok(10)
    wait_until(w.nm.managed, 5, 'NetworkManager to manage nm0 again after Delete')
    # It had nm0 up when wand took it: it gets it back up, and activates
    # its connection again.
    wait_until(lambda: link_up('nm0'), 10, 'nm0 to be up again')
    wait_until(lambda: w.nm.device_state() == 100, 30, 'NetworkManager to activate nm0 again')
    log('Delete handed nm0 back; NetworkManager resumed it')


def scenarios(w):
    coexist_setup(w)
    w.start_wand()
    w.settle_fd_baseline()
    return [coexist_detect, coexist_leave_alone, coexist_claim, coexist_nm_restarts,
            coexist_wand_restart_keeps_claim, coexist_delete_hands_back]
