# SPDX-License-Identifier: LGPL-2.1-or-later
"""dialer-restart: a restart of wand drops no link; dialers that died while wand
was down, and records that lie, are not adopted.
"""

import os
import signal
import time

from harness import (BUS_NAME, E_NOT_CONNECTED, check, expect_between, link_connected, link_info, log, proc_alive,
                     pump, wait_until)


def restart_setup(w):
    hb = '--heartbeat=0.2'  # writes to its output pipe all through wand's restart
    w.write_iface('s-a', Device='tun-a', ConnectCommand=w.dial('ok', hb))
    w.write_iface('s-b', Device='tun-b', ConnectCommand=w.dial('ok', hb))
    w.write_iface('s-c', Device='tun-c', Persistent=True, RedialIntervalSec=1, ConnectCommand=w.dial('ok', hb))
    w.write_iface('s-d', Device='tun-d', ConnectCommand=w.dial('ok'))
    w.write_iface('s-e', Device='tun-e', ConnectCommand=w.dial('ok'))
    w.write_iface('s-f', Device='tun-f', ConnectCommand=w.dial('ignore-term'), DisconnectTimeoutSec=1)


def restart_drops_no_link(w):
    first = ['s-a', 's-b', 's-c', 's-f']
    names = ['s-a', 's-b', 's-c']
    ifs = {n: w.iface(n) for n in first}
    calls = [ifs[n].connect() for n in first]
    for c in calls:
        c.expect_ok(10)
    pids = {n: ifs[n].dialer_pid() for n in first}
    records = {n: ifs[n].record() for n in first}
    for n in first:
        check(pids[n] and proc_alive(pids[n]), f'{n}: no live dialer ({records[n]})')
        check(w.dialer_processes(n) == [pids[n]], f'{n}: dialers {w.dialer_processes(n)}, recorded {pids[n]}')

    # 1. SIGTERM: wand exits, the links stay up.
    mark = w.log_mark()
    w.stop_wand()
    pump(1.0)  # heartbeats hit the closed pipe
    for n in first:
        check(proc_alive(pids[n]), f'{n}: the dialer (pid {pids[n]}) died when wand exited')
        check(link_connected(f'tun-{n[-1]}'), f'{n}: tun-{n[-1]} is not up after wand exited')
        check(ifs[n].record() == records[n], f'{n}: the record changed to {ifs[n].record()} when wand exited')
    check('stopping its dialer' not in w.log_text(mark), 'wand stopped a dialer on SIGTERM')

    # 2. A new wand adopts them.
    mark = w.log_mark()
    w.start_wand()
    t = time.monotonic()
    w.settle_fd_baseline()
    ifs = {n: w.iface(n) for n in first}
    seen = {n: (ifs[n].state, w.dialer_processes(n)) for n in first}
    survived = [n for n in first if seen[n] == ('connected', [pids[n]])]
    log(f'restart: {len(survived)} of {len(first)} links survived the restart of wand (pids unchanged)')
    for n in first:
        st, running = seen[n]
        check(st == 'connected', f'{n}: State {st} after the restart; expected connected')
        check(running == [pids[n]], f'{n}: dialers {running} after the restart; expected the same pid {pids[n]}')
        check(ifs[n].get('ConnectedSince') > 0, f'{n}: ConnectedSince is 0 after the restart')
        check(f'adopted the running dialer (pid {pids[n]})' in w.log_text(mark), f'{n}: no "adopted" log line')
    pump(0.5)
    for n in first:
        check(w.states_of(n, t) == [], f'{n}: State flapped after the restart: {w.states_of(n, t)}')

    # An adopted dialer that ignores SIGTERM is killed after
    # DisconnectTimeoutSec, as one of our own children would be.
    d = ifs['s-f'].disconnect()
    d.expect_ok(10)
    expect_between(d.elapsed, 0.9, 3.5, 's-f: Disconnect() of an adopted dialer ignoring SIGTERM took')
    check(not proc_alive(pids['s-f']), 's-f: the adopted dialer survived Disconnect()')
    ifs['s-f'].expect_state('disconnected')
    w.expect_clean(['s-f'], ['tun-f'])

    # 3. An adopted dialer is disconnected for real.
    d = ifs['s-a'].disconnect()
    d.expect_ok(10)
    check(not proc_alive(pids['s-a']), 's-a: the adopted dialer survived Disconnect()')
    check(link_info('tun-a') is None, 'tun-a still exists after Disconnect()')
    ifs['s-a'].expect_state('disconnected')
    w.expect_clean(['s-a'], ['tun-a'])

    # 4. An adopted dialer that dies is noticed (s-b is not persistent).
    os.kill(pids['s-b'], signal.SIGKILL)
    ifs['s-b'].expect_state('disconnected', timeout=5)
    check(ifs['s-b'].last_error == '', f's-b: LastError "{ifs["s-b"].last_error}" after a drop')
    # (Its record goes once wand has seen it exit, which may come after the
    # link's drop: until then it is being stopped.)
    wait_until(lambda: ifs['s-b'].record() is None, 3, f's-b: record left: {ifs["s-b"].record()}')
    w.expect_clean(['s-b'], ['tun-b'])

    # 5. Dialers that die while wand is down; records that lie.
    ifs['s-a'].connect().expect_ok(10)
    ifs['s-b'].connect().expect_ok(10)
    pids = {n: ifs[n].dialer_pid() for n in names}
    w.stop_wand()
    os.kill(pids['s-b'], signal.SIGKILL)
    os.kill(pids['s-c'], signal.SIGKILL)
    wait_until(lambda: not proc_alive(pids['s-b']) and not proc_alive(pids['s-c']), 5, 'the killed dialers to go')
    # s-d: a record naming a live process that is not its dialer (pid reuse):
    # the bus daemon, with another start time. s-e: a pid that is gone.
    bus_pid = w.bus_proc.pid
    with open(f'/proc/{bus_pid}/stat') as f:
        start = int(f.read().rsplit(')', 1)[1].split()[19])
    dialers_dir = os.path.join(w.runtime_dir, 'dialers')
    with open(os.path.join(dialers_dir, 's-d'), 'w') as f:
        f.write(f'{bus_pid} {start + 1}\n')
    with open(os.path.join(dialers_dir, 's-e'), 'w') as f:
        f.write('4000000 12345\n')

    mark = w.log_mark()
    w.start_wand()
    w.settle_fd_baseline()
    ifs = {n: w.iface(n) for n in names + ['s-d', 's-e']}
    ifs['s-a'].expect_state('connected')
    check(w.dialer_processes('s-a') == [pids['s-a']], f's-a: dialers {w.dialer_processes("s-a")}, was {pids["s-a"]}')
    ifs['s-b'].expect_state('disconnected', timeout=3)
    check(ifs['s-b'].record() is None, f's-b: stale record left: {ifs["s-b"].record()}')
    wait_until(lambda: ifs['s-c'].state == 'connected', 10, 's-c (persistent) to redial after its dialer died')
    new_c = ifs['s-c'].dialer_pid()
    check(new_c and new_c != pids['s-c'] and proc_alive(new_c), f's-c: dialer pid {new_c}, was {pids["s-c"]}')
    for n in ('s-d', 's-e'):
        ifs[n].expect_state('disconnected')
        check(ifs[n].record() is None, f'{n}: the bogus record was not removed')
        check(not w.dialer_processes(n), f'{n}: dialers {w.dialer_processes(n)}')
    check(proc_alive(bus_pid), 'wand adopted and killed the bus daemon (pid reuse not detected)')
    ifs['s-d'].disconnect().expect_error(E_NOT_CONNECTED)
    check(proc_alive(bus_pid), 'Disconnect() killed the process of a bogus record')
    check(w.bus.name_has_owner(BUS_NAME), 'the bus is gone')

    # 6. StopDemandDialManager() stops the dialers for real.
    running = {n: ifs[n].dialer_pid() for n in ('s-a', 's-c')}
    w.manager('StopDemandDialManager').expect_ok(30)
    for n, pid in running.items():
        check(not proc_alive(pid), f'{n}: dialer {pid} still runs after StopDemandDialManager()')
        ifs[n].expect_state('unreachable')
        check('service-stopped' in ifs[n].reasons, f'{n}: reasons {ifs[n].reasons}')
    w.manager('StartDemandDialManager').expect_ok()
    pump(2.5)
    for n in names:
        ifs[n].expect_state('disconnected')
    check(not w.dialer_processes(), f'dialers started after StartDemandDialManager(): {w.dialer_processes()}')
    w.expect_clean(names + ['s-d', 's-e', 's-f'], ['tun-a', 'tun-b', 'tun-c', 'tun-d', 'tun-e', 'tun-f'])
    left = os.listdir(dialers_dir) if os.path.isdir(dialers_dir) else []
    check(not left, f'records left in the runtime directory: {left}')


def scenarios(w):
    """Writes the configuration and starts wand; returns the scenarios, in order."""
    restart_setup(w)
    w.start_wand()
    w.settle_fd_baseline()
    return [restart_drops_no_link]
