# SPDX-License-Identifier: LGPL-2.1-or-later
"""dialer-redial: Persistent=yes interfaces redial when the link drops, with
backoff, a cap and RedialAttempts; an administrator's Disconnect() stops it.
"""

import os
import time

from harness import (E_CONNECTION_FAILED, E_UNREACHABLE, check, expect_between, link_connected, link_info,
                     log, proc_alive, pump, run, starts, wait_until)


def redial_setup(w):
    # Dies 2 s after connecting, then stays up.
    w.write_iface('r-back', Device='tun-back', Persistent=True, RedialIntervalSec=1,
                  ConnectCommand=w.dial('die-after', '--delay=2', f'--flag-file={w.path("back.flag")}',
                                        '--next-mode=ok', f'--record={w.path("back.rec")}'))
    # Dies 1 s after connecting, then every redial fails.
    w.write_iface('r-fail', Device='tun-fail', Persistent=True, RedialIntervalSec=1, RedialMaxIntervalSec=2,
                  RedialAttempts=3,
                  ConnectCommand=w.dial('die-after', '--delay=1', f'--flag-file={w.path("fail.flag")}',
                                        '--next-mode=exit-now', f'--record={w.path("fail.rec")}'))
    # Every attempt fails, the administrator's Connect() too.
    w.write_iface('r-first', Device='tun-first', Persistent=True, RedialIntervalSec=1, RedialMaxIntervalSec=4,
                  RedialAttempts=2, ConnectCommand=w.dial('exit-now', f'--record={w.path("first.rec")}'))
    # Dies 1 s after connecting; long pause, for Disconnect()/Connect() in it.
    w.write_iface('r-stop', Device='tun-stop', Persistent=True, RedialIntervalSec=3,
                  ConnectCommand=w.dial('die-after', '--delay=1', f'--flag-file={w.path("stop.flag")}',
                                        '--next-mode=ok', f'--record={w.path("stop.rec")}'))
    # Not persistent: a drop is the end.
    w.write_iface('r-once', Device='tun-once',
                  ConnectCommand=w.dial('die-after', '--delay=1', f'--record={w.path("once.rec")}'))
    # Removes its device, exits 2 s later whatever signal it gets; then
    # (flag) stays up.
    w.write_iface('r-linger', Device='tun-linger',
                  ConnectCommand=w.dial('die-after', '--delay=1', '--linger=2', f'--flag-file={w.path("linger.flag")}',
                                        '--next-mode=ok'))
    # The device goes down under a running dialer.
    w.write_iface('r-down', Device='tun-down', Persistent=True, RedialIntervalSec=1,
                  ConnectCommand=w.dial('ok', f'--record={w.path("down.rec")}'))


def redial_back(w):
    i = w.iface('r-back')
    rec = w.path('back.rec')
    i.connect().expect_ok(10)
    pid1 = i.dialer_pid()
    t = time.monotonic()
    wait_until(lambda: i.state != 'connected', 5, 'the dialer to die')
    wait_until(lambda: len(starts(rec)) >= 2 and i.state == 'connected', 10, 'the redial to connect')
    pid2 = i.dialer_pid()
    s = starts(rec)
    check(len(s) == 2, f'dialer starts: {s}')
    check(pid2 == s[1][1] and pid2 != pid1 and proc_alive(pid2) and not proc_alive(pid1),
          f'old pid {pid1}, recorded {pid2}, started {s}')
    pause = s[1][2] - (s[0][2] + 2)
    log(f'redial: the first pause was {pause:.2f} s (RedialIntervalSec=1)')
    expect_between(pause, 0.8, 2.0, 'pause before the redial')
    pump(0.2)
    states = w.states_of('r-back', t)
    check(states == ['connecting', 'connected'], f'State went {states} on the drop; expected connecting, connected')
    check(i.last_error == '', f'LastError is "{i.last_error}" after a successful redial')
    check(link_connected('tun-back'), 'tun-back is not up after the redial')

    d = i.disconnect()
    d.expect_ok(10)
    i.expect_state('disconnected')
    pump(2.5)
    check(len(starts(rec)) == 2, f'redialed after an administrator\'s Disconnect(): {starts(rec)}')
    i.expect_state('disconnected')
    w.expect_clean(['r-back'], ['tun-back'])


def redial_give_up(w):
    i = w.iface('r-fail')
    rec = w.path('fail.rec')
    i.connect().expect_ok(10)
    t = time.monotonic()
    wait_until(lambda: i.state == 'unreachable', 15, 'r-fail to give up (unreachable)')
    t_gave_up = time.monotonic()
    check(i.reasons == ['connection-failure'], f'UnreachabilityReasons {i.reasons}; expected [connection-failure]')
    check(i.last_error == E_CONNECTION_FAILED, f'LastError is "{i.last_error}" after failed redials')
    i.connect().expect_error(E_UNREACHABLE)
    s = starts(rec)
    modes = [m for m, _, _ in s]
    check(modes == ['die-after', 'exit-now', 'exit-now', 'exit-now'],
          f'dialer runs {modes}; expected one connection and 3 failed redials (RedialAttempts=3)')
    pauses = [s[1][2] - (s[0][2] + 1), s[2][2] - s[1][2], s[3][2] - s[2][2]]
    log('give-up: pauses between redials ' + ', '.join(f'{p:.2f}' for p in pauses) +
        ' s (RedialIntervalSec=1, RedialMaxIntervalSec=2)')
    expect_between(pauses[0], 0.8, 1.8, 'first pause')
    expect_between(pauses[1], 1.8, 2.8, 'second pause (doubled)')
    expect_between(pauses[2], 1.8, 2.8, 'third pause (capped at RedialMaxIntervalSec)')
    states = w.states_of('r-fail', t)
    check(states[0] == 'connecting' and states[-1] == 'unreachable' and 'connected' not in states,
          f'State went {states}')
    w.expect_clean(['r-fail'], ['tun-fail'])

    # After RedialMaxIntervalSec it may be connected again; nothing redials.
    wait_until(lambda: i.state == 'disconnected', 6, 'r-fail to be reachable again')
    expect_between(time.monotonic() - t_gave_up, 1.5, 4, 'unreachable for')
    check(i.reasons == [], f'UnreachabilityReasons {i.reasons} once reachable')
    pump(2.5)
    check(len(starts(rec)) == 4, f'redialed after giving up: {starts(rec)}')
    w.expect_clean(['r-fail'], ['tun-fail'])


def redial_first_attempt_fails(w):
    i = w.iface('r-first')
    rec = w.path('first.rec')
    c = i.connect()
    c.expect_error(E_CONNECTION_FAILED, 10, contains='exited with status 1')
    check(i.last_error == E_CONNECTION_FAILED, f'LastError is "{i.last_error}"')
    wait_until(lambda: i.state == 'unreachable', 15, 'r-first to give up (unreachable)')
    check(i.reasons == ['connection-failure'], f'UnreachabilityReasons {i.reasons}')
    s = starts(rec)
    gaps = [b[2] - a[2] for a, b in zip(s, s[1:])]
    log(f'persistent, Connect() fails: {len(s)} dialer runs, pauses ' + ', '.join(f'{g:.2f}' for g in gaps) +
        ' s (RedialIntervalSec=1, RedialAttempts=2)')
    check(len(s) == 3, f'{len(s)} dialer runs: expected the failed Connect() and 2 failed redials (RedialAttempts=2)')
    expect_between(gaps[0], 0.8, 1.8, 'first pause (RedialIntervalSec=1)')
    expect_between(gaps[1], 1.8, 2.8, 'second pause (doubled)')
    w.expect_clean(['r-first'], ['tun-first'])


def redial_admin_stops(w):
    i = w.iface('r-stop')
    rec = w.path('stop.rec')
    # Disconnect() in the pause before a redial cancels it, and no redial follows.
    i.connect().expect_ok(10)
    wait_until(lambda: i.state == 'connecting' and not w.dialer_processes('r-stop'), 5, 'the dialer to die')
    pump(0.5)
    check(len(starts(rec)) == 1, f'redialed before RedialIntervalSec=3: {starts(rec)}')
    d = i.disconnect()
    d.expect_ok(5)
    check(d.elapsed < 1.5, f'Disconnect() during the redial pause took {d.elapsed:.2f} s')
    i.expect_state('disconnected')
    pump(4)
    check(len(starts(rec)) == 1, f'redialed after Disconnect() in the pause: {starts(rec)}')
    i.expect_state('disconnected')
    w.expect_clean(['r-stop'], ['tun-stop'])

    # Connect() in the pause dials at once. (Wait for the dialer to be
    # gone: the window between its device vanishing and its exit is
    # redial_connect_while_dialer_lingers.)
    os.unlink(w.path('stop.flag'))
    i.connect().expect_ok(10)
    wait_until(lambda: i.state == 'connecting' and not w.dialer_processes('r-stop'), 5, 'the dialer to die')
    pump(0.5)
    c = i.connect()
    c.expect_ok(10)
    check(c.elapsed < 1.5, f'Connect() in the redial pause took {c.elapsed:.2f} s (RedialIntervalSec=3): '
                           'it waited for the pause')
    check(len(starts(rec)) == 3, f'dialer starts: {starts(rec)}')
    i.expect_state('connected')

    # Disconnect() while connected: no redial afterwards.
    i.disconnect().expect_ok(10)
    pump(4)
    check(len(starts(rec)) == 3, f'redialed after Disconnect(): {starts(rec)}')
    i.expect_state('disconnected')
    w.expect_clean(['r-stop'], ['tun-stop'])


def redial_not_persistent(w):
    i = w.iface('r-once')
    i.connect().expect_ok(10)
    t = time.monotonic()
    wait_until(lambda: i.state == 'disconnected', 5, 'r-once to be disconnected after its dialer died')
    pump(2.5)
    check(len(starts(w.path('once.rec'))) == 1, 'a non-persistent interface redialed')
    states = w.states_of('r-once', t)
    check(states == ['disconnected'], f'State went {states} when the dialer of a non-persistent interface died; '
                                      'expected disconnected')
    check(i.last_error == '', f'LastError is "{i.last_error}" after a drop (no attempt failed)')
    w.expect_clean(['r-once'], ['tun-once'])


def redial_connect_while_dialer_lingers(w):
    """The device is gone but the dialer still runs for a while (pppd
    running its ip-down scripts). No attempt is in flight, so the interface
    is not connecting; a Connect() then must not be failed by the old
    dialer's exit."""
    i = w.iface('r-linger')
    i.connect().expect_ok(10)
    pid1 = i.dialer_pid()
    t = time.monotonic()
    wait_until(lambda: link_info('tun-linger') is None, 5, 'the dialer to remove tun-linger')
    pump(0.3)
    check(proc_alive(pid1), 'the lingering dialer is already gone')
    during = i.state
    c = i.connect()
    c.wait(15)
    pump(0.2)
    states = w.states_of('r-linger', t)
    log(f'lingering dialer: State {during} while it lingered; Connect() then: '
        f'{"ok" if c.error is None else c.error.get_dbus_message()} after {c.elapsed:.2f} s; State went {states}')
    check(during in ('disconnected', 'disconnecting'),
          f'State is {during} with the device gone and no attempt in flight; expected disconnected '
          '(or disconnecting while wand stops the dialer)')
    c.expect_ok()
    pid2 = i.dialer_pid()
    check(pid2 and pid2 != pid1 and proc_alive(pid2), f'after Connect(): dialer {pid2}, the old one {pid1}')
    i.expect_state('connected')
    i.disconnect().expect_ok(10)
    w.expect_clean(['r-linger'], ['tun-linger'])


def redial_device_down(w):
    i = w.iface('r-down')
    i.connect().expect_ok(10)
    pid1 = i.dialer_pid()
    t = time.monotonic()
    run(['ip', 'link', 'set', 'tun-down', 'down'])
    try:
        wait_until(lambda: i.state != 'connected', 3, 'r-down to notice its device went down')
        wait_until(lambda: i.state == 'connected' and link_connected('tun-down'), 10,
                   'r-down (persistent) to be connected again after its device went down')
    finally:
        pump(0.2)
        log(f'device down: State went {w.states_of("r-down", t)}; dialer pid {pid1} → {i.dialer_pid()}; '
            f'runs: {starts(w.path("down.rec"))}')
    i.disconnect().expect_ok(10)
    w.expect_clean(['r-down'], ['tun-down'])


def scenarios(w):
    """Writes the configuration and starts wand; returns the scenarios, in order."""
    redial_setup(w)
    w.start_wand()
    w.settle_fd_baseline()
    return [redial_back, redial_give_up, redial_first_attempt_fails, redial_admin_stops, redial_not_persistent,
            redial_connect_while_dialer_lingers, redial_device_down]
