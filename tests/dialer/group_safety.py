# SPDX-License-Identifier: LGPL-2.1-or-later
"""dialer-safety: a ConnectCommand only from files (and directories) that
nobody but root can change, as sshd's StrictModes.
"""

import os

import dbus

from harness import check, log, plain, proc_alive, wait_until


def safety_files(w):
    cmd = w.dial('ok')
    w.write_iface('bad-world', mode=0o666, Device='tun-bw', ConnectCommand=cmd)
    w.write_iface('bad-group', mode=0o664, Device='tun-bg', ConnectCommand=cmd)
    w.write_iface('bad-owner', mode=0o644, uid=65534, Device='tun-bo', ConnectCommand=cmd)
    w.write_iface('bad-disc', mode=0o666, Device='tun-bd', DisconnectCommand=cmd)
    w.write_iface('good', mode=0o644, Device='tun-good', ConnectCommand=cmd)
    w.write_iface('plain', mode=0o666, Device='dev-plain')  # no command: no check


def safety_refused(w):
    text = w.log_text()
    for name in ('bad-world', 'bad-group', 'bad-owner', 'bad-disc'):
        w.no_such_interface(name)
        path = os.path.join(w.ifaces_dir, f'{name}.conf')
        lines = [l for l in text.splitlines() if path in l]
        check(lines, f'no log line names the refused {path}')
        log(f'refused {name}: {lines[0]}')
    listed = [n for n, _, _ in w.manager('ListInterfaces').expect_ok()[0]]
    check(listed == ['good', 'plain'], f'ListInterfaces: {listed}; expected good and plain')

    good = w.iface('good')
    good.connect().expect_ok(10)
    good.disconnect().expect_ok(10)
    w.expect_clean(['good'], ['tun-good'])


def refused_files(w):
    obj = w.bus.get_object('org.wand.Router1', '/org/wand/Router1', introspect=False)
    return [(str(f), str(why)) for f, why in obj.Get('org.wand.Router1.Manager', 'RefusedFiles',
                                                       dbus_interface='org.freedesktop.DBus.Properties')]


def safety_directory(w):
    """A directory writable by others (without the sticky bit): refused. A
    refused file is not a file that is gone: its interface stays, with the
    settings it had (and the same InstanceId), and RefusedFiles names it."""
    instance = w.iface('good').get('InstanceId')
    os.chmod(w.ifaces_dir, 0o777)
    try:
        mark = w.log_mark()
        w.reload()
        check(w.iface('good').get('InstanceId') == instance, 'good: a new InstanceId after its file was refused')
        w.iface('plain')
        lines = [l for l in w.log_text(mark).splitlines() if 'good.conf' in l]
        check(lines and 'director' in lines[0], f'no log line about the directory of good.conf: {lines}')
        log(f'refused good (directory 0777): {lines[0]}')
        refused = dict(refused_files(w))
        good_conf = os.path.join(w.ifaces_dir, 'good.conf')
        check(good_conf in refused and 'director' in refused[good_conf], f'RefusedFiles: {refused}')
    finally:
        os.chmod(w.ifaces_dir, 0o755)
    w.reload()
    check(w.iface('good').get('InstanceId') == instance, 'good: a new InstanceId once its file loads again')


def safety_create_interface(w):
    """CreateInterface() by root may define a command; the file it writes
    passes the check on the next Reload."""
    path = plain(w.manager('CreateInterface', 'made', dbus.Dictionary({
        'Device': dbus.String('tun-made'),
        'ConnectCommand': dbus.Array(w.dial('ok'), signature='s'),
    }, signature='sv')).expect_ok()[0])
    conf = os.path.join(w.ifaces_dir, 'made.conf')
    st = os.stat(conf)
    check(st.st_uid == 0 and not st.st_mode & 0o022, f'{conf}: uid {st.st_uid}, mode {st.st_mode & 0o7777:o}')
    w.reload()
    made = w.iface('made')
    check(made.path == path, f'made: path {made.path} after Reload, was {path}')
    made.connect().expect_ok(10)
    made.disconnect().expect_ok(10)
    w.expect_clean(['made'], ['tun-made'])


def safety_turns_unsafe_while_connected(w):
    """A connected interface whose file turns unsafe keeps running on Reload,
    with its settings and its dialer; only removing the file removes it, and
    its dialer is stopped (and reaped) with it."""
    good = w.iface('good')
    good.connect().expect_ok(10)
    pid = good.dialer_pid()
    conf = os.path.join(w.ifaces_dir, 'good.conf')
    os.chmod(conf, 0o666)
    mark = w.log_mark()
    w.reload()
    check('good.conf' in w.log_text(mark), 'no log line names good.conf')
    good.expect_state('connected')
    check(w.dialer_processes('good') == [pid], f'good: dialers {w.dialer_processes("good")}; expected {pid} kept')
    check(conf in dict(refused_files(w)), f'RefusedFiles: {refused_files(w)}')
    os.unlink(conf)
    w.reload()
    w.no_such_interface('good')
    wait_until(lambda: not proc_alive(pid), 10, f'the dialer of the removed interface (pid {pid}) to stop')
    w.expect_clean(['good'], ['tun-good'])
    check(good.record() is None, f'the record of the removed interface is left: {good.record()}')
    w.write_iface('good', mode=0o644, Device='tun-good', ConnectCommand=w.dial('ok'))
    w.reload()
    w.iface('good').expect_state('disconnected')


def scenarios(w):
    """Writes the configuration and starts wand; returns the scenarios, in order."""
    safety_files(w)
    w.start_wand()
    w.settle_fd_baseline()
    return [safety_refused, safety_directory, safety_create_interface, safety_turns_unsafe_while_connected]
