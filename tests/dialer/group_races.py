# SPDX-License-Identifier: LGPL-2.1-or-later
"""dialer-races: calls that overtake one another — a Connect() while
StopDemandDialManager() tears down, SetEnabled(true) during the teardown of a
SetEnabled(false), a Reload() that disables a connected interface or moves it
to another Device.
"""

import os

import dbus

from harness import (IFACE_IFACE, MANAGER_PATH, MANAGER_IFACE, PROPS_IFACE, BUS_NAME, Call, check, link_connected,
                     link_info, log, proc_alive, pump, wait_until)

E_DDM_NOT_RUNNING = 'org.wand.Router1.Error.DemandDialManagerNotRunning'
E_NOT_CONNECTED = 'org.wand.Router1.Error.InterfaceNotConnected'


def races_setup(w):
    # Its dialer ignores SIGTERM: its teardown lasts DisconnectTimeoutSec.
    w.write_iface('r-slow', Device='tun-slow', ConnectCommand=w.dial('ignore-term'), DisconnectTimeoutSec=3)
    w.write_iface('r-b', Device='tun-b', ConnectCommand=w.dial('ok'))
    w.write_iface('r-en', Device='tun-en', ConnectCommand=w.dial('ignore-term'), DisconnectTimeoutSec=2)
    w.write_iface('r-off', Device='tun-off', ConnectCommand=w.dial('ok'))
    w.write_iface('r-move', Device='tun-move1', ConnectCommand=w.dial('ok'))


def ddm_state(w):
    obj = w.bus.get_object(BUS_NAME, MANAGER_PATH, introspect=False)
    return str(obj.Get(MANAGER_IFACE, 'DemandDialManager', dbus_interface=PROPS_IFACE))


def set_enabled(w, i, enabled):
    return Call(w.bus, i.path, IFACE_IFACE, 'SetEnabled', dbus.Boolean(enabled))


def file_text(w, name):
    with open(os.path.join(w.ifaces_dir, f'{name}.conf')) as f:
        return f.read()


def race_connect_while_stopping(w):
    slow, b = w.iface('r-slow'), w.iface('r-b')
    slow.connect().expect_ok(10)
    stop = w.manager('StopDemandDialManager')
    wait_until(lambda: slow.state == 'disconnecting', 5, 'r-slow to be disconnecting')
    check(not stop.done, 'StopDemandDialManager() replied while r-slow was still being torn down')
    # The demand-dial manager is on its way down: no new connection.
    c = b.connect()
    c.expect_error(E_DDM_NOT_RUNNING, 10, contains='stopped')
    stop.expect_ok(20)
    check(ddm_state(w) == 'stopped', f'DemandDialManager is {ddm_state(w)} after Stop replied')
    check(not w.dialer_processes('r-b'), f'r-b has a dialer after Stop replied: {w.dialer_processes("r-b")}')
    check(link_info('tun-b') is None, 'tun-b exists after Stop replied')
    check(b.state == 'unreachable', f'r-b is {b.state} after Stop; expected unreachable')
    w.manager('StartDemandDialManager').expect_ok()
    b.expect_state('disconnected', timeout=3)
    w.expect_clean(['r-slow', 'r-b'], ['tun-slow', 'tun-b'])


def race_enable_during_disable(w):
    i = w.iface('r-en')
    i.connect().expect_ok(10)
    off = set_enabled(w, i, False)
    wait_until(lambda: i.state == 'disconnecting', 5, 'r-en to be disconnecting')
    on = set_enabled(w, i, True)
    off.expect_ok(20)
    on.expect_ok(20)
    # The later request wins, in memory and on disk.
    check(i.get('Enabled') is True, 'Enabled is false: the later SetEnabled(true) was lost')
    text = file_text(w, 'r-en')
    check('Enabled=no' not in text, f'the file still says Enabled=no:\n{text}')
    i.expect_state('disconnected', timeout=3)
    i.connect().expect_ok(10)
    i.disconnect().expect_ok(20)
    w.expect_clean(['r-en'], ['tun-en'])


def race_reload_disables_connected(w):
    i = w.iface('r-off')
    i.connect().expect_ok(10)
    pid = i.dialer_pid()
    w.write_iface('r-off', Device='tun-off', ConnectCommand=w.dial('ok'), Enabled=False)
    w.manager('Reload').expect_ok(20)
    # Reload() replied once the teardown it caused had ended.
    check(not proc_alive(pid), f'the dialer (pid {pid}) still runs after Reload() disabled r-off')
    check(link_info('tun-off') is None, 'tun-off still exists after Reload() disabled r-off')
    i.expect_state('unreachable')
    check(i.reasons == ['disabled'], f'UnreachabilityReasons is {i.reasons}')
    i.disconnect().expect_error(E_NOT_CONNECTED)
    w.write_iface('r-off', Device='tun-off', ConnectCommand=w.dial('ok'))
    w.reload()
    i.expect_state('disconnected')
    w.expect_clean(['r-off'], ['tun-off'])


def race_reload_moves_device(w):
    i = w.iface('r-move')
    i.connect().expect_ok(10)
    old = i.dialer_pid()
    w.write_iface('r-move', Device='tun-move2', ConnectCommand=w.dial('ok'))
    w.manager('Reload').expect_ok(20)
    check(not proc_alive(old), f'the old dialer (pid {old}) still runs after Reload() changed Device')
    check(link_info('tun-move1') is None, 'tun-move1 still exists after the move')
    # Connected again with the new settings, as after a redial.
    wait_until(lambda: i.state == 'connected', 10, f'r-move to be connected again (is {i.state})')
    check(i.get('Device') == 'tun-move2', f'Device is {i.get("Device")}')
    check(link_connected('tun-move2'), 'tun-move2 is not up with carrier')
    new = i.dialer_pid()
    check(new and new != old and proc_alive(new), f'no new dialer (old {old}, recorded {new})')
    log(f'r-move: dialer {old} on tun-move1 replaced by {new} on tun-move2')
    i.disconnect().expect_ok(20)
    w.expect_clean(['r-move'], ['tun-move1', 'tun-move2'])


def scenarios(w):
    """Writes the configuration and starts wand; returns the scenarios, in order."""
    races_setup(w)
    w.start_wand()
    w.settle_fd_baseline()
    pump(0.2)
    return [race_connect_while_stopping, race_enable_during_disable, race_reload_disables_connected,
            race_reload_moves_device]
