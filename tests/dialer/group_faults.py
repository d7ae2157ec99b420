# SPDX-License-Identifier: LGPL-2.1-or-later
"""dialer-faults: dialers that exit at once or later, ignore SIGTERM, never bring
the device up or bring it up slowly; a DisconnectCommand.
"""

import ctypes
import os
import signal
import socket
import time

from harness import (E_ALREADY_CONNECTED, E_CONNECTION_FAILED, E_NOT_CONNECTED, all_pids, check,
                     expect_between, link_connected, link_info, log, proc_alive, proc_cmdline, pump, wait_until)


def faults_setup(w):
    w.write_iface('f-now', Device='tun-now', ConnectCommand=w.dial('exit-now', '--exit-status=3'))
    w.write_iface('f-later', Device='tun-later', ConnectCommand=w.dial('exit-later', '--delay=1', '--exit-status=4'))
    w.write_iface('f-sig', Device='tun-sig', ConnectCommand=w.dial('exit-later', '--delay=0.3', '--exit-signal=USR2'))
    w.write_iface('f-noexec', Device='tun-noexec', ConnectCommand=['/nonexistent/dialer', '--mode=ok'])
    w.write_iface('f-ok', Device='tun-ok',
                  ConnectCommand=w.dial('exit-now', f'--flag-file={w.path("f-ok.flag")}', '--next-mode=ok'))
    w.write_iface('f-term', Device='tun-term', ConnectCommand=w.dial('ignore-term'), DisconnectTimeoutSec=1)
    w.write_iface('f-never', Device='tun-never', ConnectCommand=w.dial('never-up'), ConnectTimeoutSec=2)
    w.write_iface('f-slow', Device='tun-slow', ConnectCommand=w.dial('slow-up', '--delay=3'), ConnectTimeoutSec=2)
    w.write_iface('f-traced', Device='tun-traced', ConnectCommand=w.dial('ok'))
    w.write_iface('f-hup', Device='tun-hup', ConnectCommand=w.dial('ignore-term'),
                  DisconnectCommand=w.dial('hangup'), DisconnectTimeoutSec=10)


def fault_exit_now(w):
    i = w.iface('f-now')
    i.expect_state('disconnected')
    check(i.last_error == '', f'LastError is "{i.last_error}" before any attempt')
    t = time.monotonic()
    c = i.connect()
    c.expect_error(E_CONNECTION_FAILED, 10, contains='exited with status 3')
    log(f'exit-now: ConnectionFailed after {c.elapsed:.2f} s: {c.error.get_dbus_message()}')
    i.expect_state('disconnected', timeout=3)
    check(i.last_error == E_CONNECTION_FAILED, f'LastError is "{i.last_error}", expected {E_CONNECTION_FAILED}')
    pump(0.2)
    check(E_CONNECTION_FAILED in w.props_changed('f-now', 'LastError', t), 'no PropertiesChanged for LastError')
    check(i.get('LastErrorReason') == 'dialer-exited', f'LastErrorReason is "{i.get("LastErrorReason")}"')
    check('dialer-exited' in w.props_changed('f-now', 'LastErrorReason', t), 'no PropertiesChanged for LastErrorReason')
    states = w.states_of('f-now', t)
    check(states and states[0] == 'connecting' and states[-1] == 'disconnected',
          f'State went {states}; expected connecting … disconnected')
    w.wait_log('f-now: test-dialer: mode exit-now')
    w.expect_clean(['f-now'], ['tun-now'])
    check(i.record() is None, f'the dialer record is still there: {i.record()}')


def fault_exit_later(w):
    i = w.iface('f-later')
    c = i.connect()
    pump(0.5)
    check(not c.done, 'Connect() returned before the dialer exited')
    check(i.state == 'connecting', f'State is {i.state} while the dialer runs; expected connecting')
    c.expect_error(E_CONNECTION_FAILED, 10, contains='exited with status 4')
    expect_between(c.elapsed, 0.9, 3, 'exit-later: Connect() failed after')
    i.expect_state('disconnected', timeout=3)
    check(i.last_error == E_CONNECTION_FAILED, f'LastError is "{i.last_error}"')
    w.expect_clean(['f-later'], ['tun-later'])

    i = w.iface('f-sig')
    c = i.connect()
    c.expect_error(E_CONNECTION_FAILED, 10, contains='SIGUSR2')
    log(f'exit by signal: {c.error.get_dbus_message()}')
    i.expect_state('disconnected', timeout=3)
    check(i.last_error == E_CONNECTION_FAILED, f'LastError is "{i.last_error}"')
    w.expect_clean(['f-sig'], ['tun-sig'])

    i = w.iface('f-noexec')
    c = i.connect()
    c.expect_error(E_CONNECTION_FAILED, 10, contains='127')
    log(f'no such program: {c.error.get_dbus_message()}')
    i.expect_state('disconnected', timeout=3)
    check(i.get('LastErrorReason') == 'dialer-exited', f'LastErrorReason is "{i.get("LastErrorReason")}"')
    w.expect_clean(['f-noexec'], ['tun-noexec'])


def fault_ok(w):
    """Fails once (LastError set), then connects: LastError cleared; the
    dialer's process group, session, descriptors and environment."""
    i = w.iface('f-ok')
    i.connect().expect_error(E_CONNECTION_FAILED, 10)
    check(i.last_error == E_CONNECTION_FAILED, f'LastError is "{i.last_error}" after a failure')
    i.expect_state('disconnected', timeout=3)

    t = time.monotonic()
    mark = w.log_mark()
    c = i.connect()
    c.expect_ok(10)
    log(f'ok: connected in {c.elapsed:.2f} s')
    i.expect_state('connected')
    check(link_connected('tun-ok'), f'tun-ok is not up with carrier: {link_info("tun-ok")}')
    check(i.last_error == '', f'LastError is "{i.last_error}" after connecting; expected ""')
    check(i.get('LastErrorReason') == '', f'LastErrorReason is "{i.get("LastErrorReason")}" after connecting')
    check(i.get('IfIndex') == socket.if_nametoindex('tun-ok'),
          f'IfIndex {i.get("IfIndex")} is not tun-ok\'s {socket.if_nametoindex("tun-ok")}')
    check(i.get('ConnectedSince') > 0, 'ConnectedSince is 0 while connected')
    pids = w.dialer_processes('f-ok')
    check(len(pids) == 1, f'dialer processes of f-ok: {pids}')
    pid = pids[0]
    check(i.dialer_pid() == pid, f'runtime record says pid {i.record()}, the dialer is {pid}')

    w.wait_log('f-ok: fds=', mark)
    text = w.log_text(mark)
    check(f'f-ok: pid={pid} pgid={pid} sid={pid}' in text,
          f'the dialer is not its own session and process group leader: '
          f'{[l for l in text.splitlines() if "pgid" in l]}')
    check('f-ok: fds=0,1,2\n' in text,
          f'the dialer inherited descriptors: {[l for l in text.splitlines() if "fds=" in l]}')
    env_line = [l for l in text.splitlines() if l.startswith('f-ok: env=')]
    check(env_line, 'no env= line from the dialer')
    keys = set(env_line[0][len('f-ok: env='):].split(','))
    check(keys == {'PATH', 'LANG', 'WAND_INTERFACE', 'WAND_DEVICE'},
          f'the dialer\'s environment is {sorted(keys)}; expected PATH, LANG, WAND_INTERFACE, WAND_DEVICE')
    check('f-ok: WAND_INTERFACE=f-ok WAND_DEVICE=tun-ok' in text, 'WAND_INTERFACE/WAND_DEVICE not as expected')
    pump(0.2)
    check('' in w.props_changed('f-ok', 'LastError', t), 'no PropertiesChanged clearing LastError')

    i.connect().expect_error(E_ALREADY_CONNECTED)

    d = i.disconnect()
    d.expect_ok(10)
    log(f'ok: disconnected in {d.elapsed:.2f} s')
    i.expect_state('disconnected')
    check(link_info('tun-ok') is None, 'tun-ok still exists when Disconnect() replied')
    check(not proc_alive(pid), f'the dialer (pid {pid}) still runs when Disconnect() replied')
    check(i.get('IfIndex') == 0, f'IfIndex is {i.get("IfIndex")} after Disconnect')
    check(i.get('ConnectedSince') == 0, 'ConnectedSince is not 0 after Disconnect')
    check(i.record() is None, f'the dialer record is still there: {i.record()}')
    w.wait_log('f-ok: received SIGTERM', mark)
    pump(0.2)
    states = w.states_of('f-ok', t)
    check(states == ['connecting', 'connected', 'disconnecting', 'disconnected'],
          f'State went {states}; expected connecting, connected, disconnecting, disconnected')
    i.disconnect().expect_error(E_NOT_CONNECTED)
    w.expect_clean(['f-ok'], ['tun-ok'])


def fault_ignore_term(w):
    i = w.iface('f-term')
    i.connect().expect_ok(10)
    pid = i.dialer_pid()
    check(pid and proc_alive(pid), f'no live dialer recorded: {i.record()}')
    mark = w.log_mark()
    d1 = i.disconnect()
    pump(0.3)
    check(i.state == 'disconnecting', f'State is {i.state} while the dialer ignores SIGTERM')
    d2 = i.disconnect()  # joins the teardown in flight
    d1.expect_ok(10)
    d2.expect_ok(5)
    log(f'ignore-term: Disconnect took {d1.elapsed:.2f} s (DisconnectTimeoutSec=1)')
    expect_between(d1.elapsed, 0.9, 3.5, 'Disconnect() of a dialer ignoring SIGTERM took')
    check(not proc_alive(pid), f'the dialer (pid {pid}) survived Disconnect()')
    check(link_info('tun-term') is None, 'tun-term still exists when Disconnect() replied')
    i.expect_state('disconnected')
    text = w.log_text(mark)
    check('SIGKILL' in text or 'killing' in text, 'the log does not say the dialer was killed')
    w.expect_clean(['f-term'], ['tun-term'])

    # Connect() while disconnecting waits for the teardown, then connects.
    i.connect().expect_ok(10)
    pid = i.dialer_pid()
    d = i.disconnect()
    pump(0.2)
    c = i.connect()
    d.expect_ok(10)
    c.expect_ok(10)
    check(c.end >= d.end, 'Connect() during the teardown replied before the teardown ended')
    pid2 = i.dialer_pid()
    check(pid2 and pid2 != pid and proc_alive(pid2) and not proc_alive(pid),
          f'after Connect() during teardown: old pid {pid}, new {pid2}')
    i.expect_state('connected')
    i.disconnect().expect_ok(10)
    w.expect_clean(['f-term'], ['tun-term'])


PTRACE_SEIZE = 0x4206
WALL = 0x40000000  # __WALL: wait for a tracee that is not our child


def fault_traced_exit(w):
    """A dialer that exits while something traces it (strace -p, gdb, a
    sanitizer's leak check): its pidfd wakes wand before wand may reap it,
    since the tracer is told first. wand must still learn of the exit once
    the tracer lets go, reap the dialer and say the connection is lost."""
    i = w.iface('f-traced')
    i.connect().expect_ok(10)
    pid = i.dialer_pid()
    check(pid and proc_alive(pid), f'no live dialer recorded: {i.record()}')
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    if libc.ptrace(PTRACE_SEIZE, pid, None, None) != 0:
        raise OSError(ctypes.get_errno(), f'PTRACE_SEIZE of the dialer (pid {pid})')
    mark = w.log_mark()
    os.kill(pid, signal.SIGKILL)
    # The traced zombie is the tracer's to see first: wand's wakeup comes
    # and finds nothing it may reap yet. (Its tun device went with the
    # dialer's descriptors, which wand sees too.)
    pump(1.0)
    waited, status = os.waitpid(pid, WALL)
    check(waited == pid and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL,
          f'the tracer saw pid {waited} end with status {status:#x}')
    # Now it is wand's child to reap, well before its 10 s kill timer.
    w.wait_log(f'f-traced: dialer (pid {pid}) was killed by SIGKILL', mark, timeout=3)
    i.expect_state('disconnected', timeout=3)
    check('still running' not in w.log_text(mark), 'wand took the dead dialer for a running one')
    w.expect_clean(['f-traced'], ['tun-traced'])


def fault_never_up(w):
    i = w.iface('f-never')
    c = i.connect()
    wait_until(lambda: link_info('tun-never') is not None, 5, 'the never-up dialer to create tun-never')
    pump(0.3)
    check(i.state == 'connecting', f'State is {i.state} with the device down')
    check(i.get('IfIndex') == socket.if_nametoindex('tun-never'), 'IfIndex is not that of the device')
    pid = i.dialer_pid()
    c.expect_error(E_CONNECTION_FAILED, 10, contains='2 s')
    log(f'never-up: ConnectionFailed after {c.elapsed:.2f} s: {c.error.get_dbus_message()}')
    expect_between(c.elapsed, 1.8, 4, 'never-up: Connect() failed after')
    check(i.last_error == E_CONNECTION_FAILED, f'LastError is "{i.last_error}"')
    wait_until(lambda: not proc_alive(pid), 5, f'the timed-out dialer (pid {pid}) to be stopped')
    i.expect_state('disconnected', timeout=5)
    check(i.last_error == E_CONNECTION_FAILED, f'LastError is "{i.last_error}" after the rollback')
    # The dialer's device was there but down: the attempt timed out.
    check(i.get('LastErrorReason') == 'timeout', f'LastErrorReason is "{i.get("LastErrorReason")}"')
    w.expect_clean(['f-never'], ['tun-never'])


def fault_slow_up(w):
    i = w.iface('f-slow')
    # The first attempt times out (the device would come after 3 s).
    c = i.connect()
    c.expect_error(E_CONNECTION_FAILED, 10)
    i.expect_state('disconnected', timeout=5)
    check(i.last_error == E_CONNECTION_FAILED, f'LastError is "{i.last_error}"')
    check(i.get('LastErrorReason') == 'timeout', f'LastErrorReason is "{i.get("LastErrorReason")}"')
    w.expect_clean(['f-slow'], ['tun-slow'])

    # The second is cancelled while connecting.
    t = time.monotonic()
    mark = w.log_mark()
    c = i.connect()
    wait_until(lambda: w.dialer_processes('f-slow'), 3, 'the slow dialer to start')
    pid = w.dialer_processes('f-slow')[0]
    pump(0.3)
    check(i.state == 'connecting', f'State is {i.state}; expected connecting')
    d = i.disconnect()
    msg = c.expect_error(E_CONNECTION_FAILED, 5, contains='cancel')
    d.expect_ok(10)
    log(f'slow-up: cancelled Connect() got "{msg}"; Disconnect() took {d.elapsed:.2f} s')
    check(c.end <= d.end, 'the cancelled Connect() was answered after Disconnect()')
    check(not proc_alive(pid), f'the dialer (pid {pid}) still runs after Disconnect()')
    i.expect_state('disconnected')
    check(i.last_error == E_CONNECTION_FAILED, f'LastError changed to "{i.last_error}" by a cancellation')
    pump(0.2)
    check(w.props_changed('f-slow', 'LastError', t) == [],
          f'LastError was announced: {w.props_changed("f-slow", "LastError", t)}')
    check(i.get('LastErrorReason') == 'timeout' and w.props_changed('f-slow', 'LastErrorReason', t) == [],
          f'LastErrorReason changed by a cancellation: {w.props_changed("f-slow", "LastErrorReason", t)}')
    w.wait_log('f-slow: received SIGTERM', mark)
    w.expect_clean(['f-slow'], ['tun-slow'])
    check(i.record() is None, f'the dialer record is still there: {i.record()}')


def fault_disconnect_command(w):
    i = w.iface('f-hup')
    i.connect().expect_ok(10)
    pid = i.dialer_pid()
    mark = w.log_mark()
    d = i.disconnect()
    d.expect_ok(15)
    log(f'DisconnectCommand: Disconnect took {d.elapsed:.2f} s')
    check(d.elapsed < 3, f'Disconnect() took {d.elapsed:.2f} s: the DisconnectCommand did not hang up the dialer '
                         '(it ignores SIGTERM; DisconnectTimeoutSec=10)')
    check(not proc_alive(pid), f'the dialer (pid {pid}) still runs')
    text = w.log_text(mark)
    check(f'WAND_INTERFACE=f-hup WAND_DIALER_PID={pid}' in text,
          'the DisconnectCommand did not get WAND_INTERFACE and WAND_DIALER_PID (or its output is not logged)')
    check('f-hup: received SIGUSR1' in text, 'the dialer was not hung up by the DisconnectCommand')
    i.expect_state('disconnected')
    w.expect_clean(['f-hup'], ['tun-hup'])
    hangups = [p for p in all_pids() if proc_alive(p) and '--mode=hangup' in proc_cmdline(p)]
    check(not hangups, f'DisconnectCommand processes left: {hangups}')


def scenarios(w):
    """Writes the configuration and starts wand; returns the scenarios, in order."""
    faults_setup(w)
    w.start_wand()
    w.settle_fd_baseline()
    return [fault_exit_now, fault_exit_later, fault_ok, fault_ignore_term, fault_traced_exit, fault_never_up,
            fault_slow_up, fault_disconnect_command]
