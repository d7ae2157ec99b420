# SPDX-License-Identifier: LGPL-2.1-or-later
"""dialer-reconcile: what a stopped wand left behind is reconciled at start.

A dialer whose interface file was removed while wand was down is stopped
(SIGTERM, SIGKILL after the DisconnectTimeoutSec in its record), and so is
the dialer of an interface deleted just before wand went (whether wand
exited, waiting for it, or was killed). A dialer of an interface disabled
meanwhile, or left running while the demand-dial manager was stopped, is torn
down. What an earlier wand claimed of a device no interface uses now is
handed back. Interfaces untouched meanwhile keep their links: the same
dialer, connected. A file that cannot be trusted (group-writable) is not a
file that is gone: Reload() keeps its interface and dialer, and at start its
dialer stays recorded, untouched, until the file loads.

NetworkManager and systemd-networkd are stand-ins on the test's bus (this
process): they answer what wand asks and record what it sets.
"""

import os
import signal
import time

import dbus
import dbus.service

from harness import (IFACE_IFACE, MANAGER_IFACE, PROPS_IFACE, Call, check, expect_between, link_connected, log,
                     proc_alive, pump, run, wait_until)

NM_BUS = 'org.freedesktop.NetworkManager'
NM_PATH = '/org/freedesktop/NetworkManager'
NM_DEVICE = 'org.freedesktop.NetworkManager.Device'
ND_BUS = 'org.freedesktop.network1'
ND_PATH = '/org/freedesktop/network1'
ND_LINK = 'org.freedesktop.network1.Link'


class StandInNetworkManager(dbus.service.Object):
    """GetDeviceByIpIface, and each device's Managed (true until set)."""

    def __init__(self, w):
        self.conn = w.bus
        self.name = dbus.service.BusName(NM_BUS, w.bus)
        super().__init__(w.bus, NM_PATH)
        self.devices = {}  # name -> NmDevice

    @dbus.service.method(NM_BUS, in_signature='s', out_signature='o')
    def GetDeviceByIpIface(self, name):
        if name not in self.devices:
            self.devices[name] = NmDevice(self.conn, f'{NM_PATH}/Devices/{len(self.devices) + 1}')
        return self.devices[name].path


class NmDevice(dbus.service.Object):
    def __init__(self, conn, path):
        super().__init__(conn, path)
        self.path = path
        self.managed = True

    @dbus.service.method(PROPS_IFACE, in_signature='ss', out_signature='v')
    def Get(self, interface, prop):
        return dbus.Boolean(self.managed)

    @dbus.service.method(PROPS_IFACE, in_signature='ssv', out_signature='')
    def Set(self, interface, prop, value):
        self.managed = bool(value)
        self.PropertiesChanged(NM_DEVICE, {'Managed': dbus.Boolean(self.managed)}, [])

    @dbus.service.signal(PROPS_IFACE, signature='sa{sv}as')
    def PropertiesChanged(self, interface, changed, invalidated):
        pass


class StandInNetworkd(dbus.service.Object):
    """GetLinkByName and Reload; a link is "unmanaged" while a runtime
    .network file in the networkd directory says Unmanaged=yes for it."""

    def __init__(self, w, networkd_dir):
        self.conn = w.bus
        self.name = dbus.service.BusName(ND_BUS, w.bus)
        super().__init__(w.bus, ND_PATH)
        self.dir = networkd_dir
        self.links = {}
        self.reloads = 0

    def state(self, name):
        path = os.path.join(self.dir, f'00-wand-{name}.network')
        try:
            with open(path) as f:
                return 'unmanaged' if 'Unmanaged=yes' in f.read() else 'configured'
        except FileNotFoundError:
            return 'configured'

    @dbus.service.method('org.freedesktop.network1.Manager', in_signature='s', out_signature='io')
    def GetLinkByName(self, name):
        if name not in self.links:
            self.links[name] = NdLink(self, name, f'{ND_PATH}/link/_3{len(self.links) + 1}')
        return dbus.Int32(len(self.links)), self.links[name].path

    @dbus.service.method('org.freedesktop.network1.Manager', in_signature='', out_signature='')
    def Reload(self):
        self.reloads += 1
        for link in self.links.values():
            link.PropertiesChanged(ND_LINK, {'AdministrativeState': self.state(link.device)}, [])


class NdLink(dbus.service.Object):
    def __init__(self, networkd, device, path):
        super().__init__(networkd.conn, path)
        self.networkd = networkd
        self.device = device
        self.path = path

    @dbus.service.method(PROPS_IFACE, in_signature='ss', out_signature='v')
    def Get(self, interface, prop):
        return dbus.String(self.networkd.state(self.device))

    @dbus.service.signal(PROPS_IFACE, signature='sa{sv}as')
    def PropertiesChanged(self, interface, changed, invalidated):
        pass


def dialers_dir(w):
    return os.path.join(w.runtime_dir, 'dialers')


def records(w):
    d = dialers_dir(w)
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def connect_all(w, names):
    ifs = {n: w.iface(n) for n in names}
    for c in [ifs[n].connect() for n in names]:
        c.expect_ok(10)
    pids = {n: ifs[n].dialer_pid() for n in names}
    for n in names:
        check(pids[n] and proc_alive(pids[n]), f'{n}: no live dialer')
    return ifs, pids


def expect_kept(w, name, pid):
    """The link of name survived a restart: the same dialer, connected."""
    i = w.iface(name)
    i.expect_state('connected', timeout=3)
    check(w.dialer_processes(name) == [pid], f'{name}: dialers {w.dialer_processes(name)}; expected {pid} kept')


def reconcile_setup(w):
    hb = '--heartbeat=0.2'
    w.write_iface('keep', Device='tun-k', ConnectCommand=w.dial('ok', hb))
    w.networkd_dir = w.path('networkd')
    w.wand_args = [f'--networkd-runtime-dir={w.networkd_dir}']


def reconcile_file_removed(w):
    """(a) stop wand, remove an interface's file, start wand: its dialer is
    stopped, one ignoring SIGTERM killed after its DisconnectTimeoutSec."""
    w.write_iface('gone-a', Device='tun-ga', ConnectCommand=w.dial('ok'))
    w.write_iface('gone-b', Device='tun-gb', ConnectCommand=w.dial('ignore-term'), DisconnectTimeoutSec=30)
    w.reload()
    ifs, pids = connect_all(w, ['keep', 'gone-a', 'gone-b'])
    # The record follows a DisconnectTimeoutSec changed while it runs.
    Call(w.bus, ifs['gone-b'].path, IFACE_IFACE, 'UpdateSettings',
         dbus.Dictionary({'DisconnectTimeoutSec': dbus.UInt32(2)}, signature='sv')).expect_ok(10)
    check(ifs['gone-b'].record().split()[2] == '2', f'gone-b: record {ifs["gone-b"].record()} after UpdateSettings')
    w.stop_wand()
    for n in ('gone-a', 'gone-b'):
        os.unlink(os.path.join(w.ifaces_dir, f'{n}.conf'))
    mark = w.log_mark()
    w.start_wand()
    t = time.monotonic()
    w.no_such_interface('gone-a')
    wait_until(lambda: not proc_alive(pids['gone-a']), 5, 'the dialer of gone-a (file removed) to be stopped')
    check(proc_alive(pids['gone-b']), 'gone-b: its dialer (ignoring SIGTERM) was killed before DisconnectTimeoutSec')
    # Reload() waits for it: it replies once the dialer is gone.
    r = w.manager('Reload')
    r.expect_ok(10)
    check(not proc_alive(pids['gone-b']), 'gone-b: Reload() replied while the orphan dialer still ran')
    expect_between(time.monotonic() - t, 1.5, 4.5, 'gone-b: killed after start')
    text = w.log_text(mark)
    for n in ('gone-a', 'gone-b'):
        check(f'{n}: stopping its dialer (pid {pids[n]})' in text, f'{n}: no log line about stopping its dialer')
    check('ignored SIGTERM; killing it' in text, 'no log line about killing gone-b')
    check(records(w) == ['keep'], f'records left: {records(w)}')
    expect_kept(w, 'keep', pids['keep'])
    w.expect_clean(['gone-a', 'gone-b'], ['tun-ga', 'tun-gb'])


def reconcile_disabled(w):
    """(b) stop wand, set Enabled=no: the dialer is torn down at start (State
    unreachable/disabled once it is gone); DemandDial=no in wand.conf applies
    at boot only, so a restart keeps the links; and a wand that starts
    stopped tears down what runs."""
    w.write_iface('dis', Device='tun-di', ConnectCommand=w.dial('ignore-term'), DisconnectTimeoutSec=1)
    w.write_iface('dd', Device='tun-dd', ConnectCommand=w.dial('ok'))
    w.reload()
    ifs, pids = connect_all(w, ['dis', 'dd'])
    w.stop_wand()
    w.write_iface('dis', Device='tun-di', ConnectCommand=w.dial('ignore-term'), DisconnectTimeoutSec=1, Enabled=False)
    with open(os.path.join(w.config_dir, 'wand.conf'), 'w') as f:
        f.write('[Router]\nDemandDial=no\n')
    mark = w.log_mark()
    w.start_wand()
    i = w.iface('dis')
    wait_until(lambda: not proc_alive(pids['dis']), 5, 'the dialer of dis (disabled meanwhile) to be stopped')
    i.expect_state('unreachable', timeout=3)
    check('disabled' in i.reasons, f'dis: reasons {i.reasons}')
    check(i.record() is None, f'dis: record left: {i.record()}')
    check('dis: it is disabled; stopping the connection' in w.log_text(mark), 'dis: no log line')
    # DemandDial=no is for the start after boot: this restart keeps it
    # running, and the links up.
    ddm = w.bus.get_object('org.wand.Router1', '/org/wand/Router1').Get(MANAGER_IFACE, 'DemandDialManager',
                                                                       dbus_interface=PROPS_IFACE)
    check(str(ddm) == 'running', f'DemandDialManager is {ddm} after a restart with DemandDial=no')
    expect_kept(w, 'dd', pids['dd'])
    expect_kept(w, 'keep', w.iface('keep').dialer_pid())

    # A wand that starts with the manager stopped (the state of the wand
    # before gone: a boot, or an older wand) tears down what it adopts.
    w.stop_wand()
    os.unlink(os.path.join(w.runtime_dir, 'demand-dial'))
    w.start_wand()
    wait_until(lambda: not proc_alive(pids['dd']), 5, 'dd: its dialer to be stopped by a wand starting stopped')
    dd = w.iface('dd')
    dd.expect_state('unreachable', timeout=3)
    check('service-stopped' in dd.reasons, f'dd: reasons {dd.reasons}')
    wait_until(lambda: not w.dialer_processes('keep'), 5, 'keep: its dialer to be stopped')
    check(records(w) == [], f'records left: {records(w)}')
    os.unlink(os.path.join(w.config_dir, 'wand.conf'))
    w.manager('StartDemandDialManager').expect_ok()
    w.expect_clean(['dis', 'dd', 'keep'], ['tun-di', 'tun-dd', 'tun-k'])


def delete_dropped(w, name, device):
    """Connects name (a dialer ignoring SIGTERM), takes its device down under
    it (wand stops the dialer, which goes on running: disconnected, so
    Delete() is allowed), then deletes it. Returns the dialer's pid."""
    ifs, pids = connect_all(w, [name])
    run(['ip', 'link', 'set', device, 'down'])
    ifs[name].expect_state('disconnected', timeout=5)
    check(proc_alive(pids[name]), f'{name}: the dialer (ignoring SIGTERM) was gone at once')
    Call(w.bus, ifs[name].path, IFACE_IFACE, 'Delete').expect_ok(10)
    check(proc_alive(pids[name]), f'{name}: the dialer (ignoring SIGTERM) was gone at once')
    return pids[name]


def reconcile_delete_then_restart(w):
    """(c) Delete, then wand stops within DisconnectTimeoutSec: the dialer,
    which ignores SIGTERM, does not outlive it. Exiting, wand waits for it;
    killed, it leaves the record, and the next wand kills it."""
    keep_pid = connect_all(w, ['keep'])[1]['keep']
    w.write_iface('del', Device='tun-de', ConnectCommand=w.dial('ignore-term'), DisconnectTimeoutSec=3)
    w.reload()

    # 1. SIGTERM right after Delete: wand exits once the dialer is gone.
    pid = delete_dropped(w, 'del', 'tun-de')
    t = time.monotonic()
    w.stop_wand()
    check(not proc_alive(pid), 'del: the dialer of a deleted interface outlived wand')
    expect_between(time.monotonic() - t, 1, 5, 'wand waited for the dialer of the deleted interface')
    check(records(w) == ['keep'], f'records left: {records(w)}')
    w.start_wand()
    expect_kept(w, 'keep', keep_pid)

    # 2. Killed right after Delete: the record stays, the next wand stops it.
    w.write_iface('del', Device='tun-de', ConnectCommand=w.dial('ignore-term'), DisconnectTimeoutSec=3)
    w.reload()
    pid = delete_dropped(w, 'del', 'tun-de')
    w.wand_proc.send_signal(signal.SIGKILL)
    w.wand_proc.wait(5)
    w.wand_proc = None
    wait_until(lambda: not w.bus.name_has_owner('org.wand.Router1'), 5, 'the killed wand to leave the bus')
    left = records(w)
    check(left == [f'.stopping-{pid}-del', 'keep'], f'records after the kill: {left}')
    check(proc_alive(pid), 'del: the dialer died with wand')
    mark = w.log_mark()
    w.start_wand()
    t = time.monotonic()
    wait_until(lambda: not proc_alive(pid), 8, 'del: the next wand to kill the dialer of the deleted interface')
    expect_between(time.monotonic() - t, 2, 5, 'del: killed after DisconnectTimeoutSec (3 s) from its record')
    check(f'del: stopping its dialer (pid {pid})' in w.log_text(mark), 'del: no log line')
    wait_until(lambda: records(w) == ['keep'], 3, f'the stopping record to go (records {records(w)})')
    expect_kept(w, 'keep', keep_pid)
    w.expect_clean(['del'], ['tun-de'])


def reconcile_claims(w):
    """(d) a ClaimDevice=yes interface moved to another device while wand was
    stopped: the old device goes back to NetworkManager and networkd."""
    for dev in ('cl0', 'cl1'):
        run(['ip', 'link', 'add', dev, 'type', 'veth', 'peer', 'name', f'{dev}-p'])
        run(['ip', 'link', 'set', f'{dev}-p', 'up'])
    nm = StandInNetworkManager(w)
    nd = StandInNetworkd(w, w.networkd_dir)
    claim_file = os.path.join(w.runtime_dir, 'claims', 'cl0')
    nd_file = os.path.join(w.networkd_dir, '00-wand-cl0.network')
    w.write_iface('claimer', Device='cl0', ClaimDevice=True)
    w.stop_wand()
    w.start_wand()
    wait_until(lambda: 'cl0' in nm.devices and not nm.devices['cl0'].managed, 5, 'wand to claim cl0 from NM')
    wait_until(lambda: os.path.exists(nd_file), 5, 'wand to write networkd\'s file for cl0')
    wait_until(lambda: os.path.exists(claim_file), 5, 'wand to record its claim of cl0')
    with open(claim_file) as f:
        log(f'claim record of cl0: {f.read().split()}')

    w.stop_wand()
    check(os.path.exists(nd_file) and not nm.devices['cl0'].managed, 'a stop of wand handed cl0 back')
    w.write_iface('claimer', Device='cl1', ClaimDevice=True)
    reloads = nd.reloads
    w.start_wand()
    wait_until(lambda: nm.devices['cl0'].managed, 5, 'NetworkManager to get cl0 back (Managed=true)')
    wait_until(lambda: not os.path.exists(nd_file), 5, 'networkd\'s runtime file for cl0 to go')
    wait_until(lambda: not os.path.exists(claim_file), 5, 'the claim record of cl0 to go')
    check(nd.reloads > reloads, 'networkd was not asked to reload after its file for cl0 went')
    wait_until(lambda: 'cl1' in nm.devices and not nm.devices['cl1'].managed, 5, 'wand to claim cl1')
    check(os.path.exists(os.path.join(w.networkd_dir, '00-wand-cl1.network')), 'no networkd file for cl1')
    i = w.iface('claimer')
    Call(w.bus, i.path, IFACE_IFACE, 'Delete').expect_ok(10)
    wait_until(lambda: nm.devices['cl1'].managed, 5, 'cl1 back to NetworkManager after Delete')
    nm.remove_from_connection()
    nd.remove_from_connection()
    w.bus.release_name(NM_BUS)
    w.bus.release_name(ND_BUS)
    pump(0.3)


def reconcile_refused(w):
    """Item 6: a group-writable file (with a command) is refused: Reload()
    keeps its interface, InstanceId and dialer; at start its dialer stays
    running and recorded until the file loads, then it is adopted."""
    w.write_iface('ref', Device='tun-rf', ConnectCommand=w.dial('ok'))
    w.reload()
    ifs, pids = connect_all(w, ['ref'])
    i = ifs['ref']
    instance = i.get('InstanceId')
    os.chmod(os.path.join(w.ifaces_dir, 'ref.conf'), 0o664)
    w.reload()
    pump(0.5)
    check(w.iface('ref').path == i.path, 'ref: gone after a Reload() that refused its file')
    i.expect_state('connected')
    check(i.get('InstanceId') == instance, 'ref: a new InstanceId after a Reload() that refused its file')
    check(w.dialer_processes('ref') == [pids['ref']], f'ref: dialers {w.dialer_processes("ref")} after Reload()')
    refused = w.bus.get_object('org.wand.Router1', '/org/wand/Router1').Get(MANAGER_IFACE, 'RefusedFiles',
                                                                           dbus_interface=PROPS_IFACE)
    check([str(f) for f, why in refused] == [os.path.join(w.ifaces_dir, 'ref.conf')], f'RefusedFiles: {refused}')

    w.stop_wand()
    w.start_wand()
    w.no_such_interface('ref')
    pump(1.0)
    check(proc_alive(pids['ref']) and link_connected('tun-rf'), 'ref: its dialer was stopped for a refused file')
    check('ref' in records(w), f'ref: its record is gone: {records(w)}')
    os.chmod(os.path.join(w.ifaces_dir, 'ref.conf'), 0o644)
    w.reload()
    expect_kept(w, 'ref', pids['ref'])
    # Removed now: its dialer goes.
    os.unlink(os.path.join(w.ifaces_dir, 'ref.conf'))
    w.reload()
    check(not proc_alive(pids['ref']), 'ref: its dialer runs after its file was removed and reloaded')
    w.expect_clean(['ref'], ['tun-rf'])


def scenarios(w):
    reconcile_setup(w)
    w.start_wand()
    w.settle_fd_baseline()
    return [reconcile_file_removed, reconcile_disabled, reconcile_delete_then_restart, reconcile_claims,
            reconcile_refused]
