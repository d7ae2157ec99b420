#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Crash consistency of the real wand: SIGKILL it where it hurts, start it
again and check that nothing was lost or left unsupervised.

    crash.py [--seed N] [--kills K] [--point NAME] [--keep-going] [--verbose]

A SIGKILL sent at a random time almost never lands inside a microsecond-long
write, so this drives wand-crash, the test build of wand with named crash
points (service/crash-point.h), and kills it in one of two ways, chosen from
the seed for each kill:
  - at a named crash point, on its nth pass: a file written but not yet
    renamed into place or just renamed (config-before-rename,
    config-after-rename, record-before-rename), a dialer started but not yet
    recorded (dialer-spawned), between a claim or hand-back of a device and
    its record (claim, handback), a teardown begun (teardown-signalled,
    release-signalled);
  - by a SIGKILL from here at a random time, while every crash point sleeps
    a seeded random delay, so that the kill lands inside those windows too.
Meanwhile random calls (Connect, Disconnect, SetEnabled, UpdateSettings of
commands, timeouts and ClaimDevice, Delete, CreateInterface, a file removed
and Reload) keep it busy. ClaimDevice runs against stand-ins for
NetworkManager and systemd-networkd on the test bus (standins.py), which
outlive every wand of the run as the real ones would.

After each kill, wand is started again (crash points disarmed) and, once it
has settled, checked:
  - every configuration file parses: each interfaces/*.conf is an interface;
  - no dialer runs without an interface that owns it: each live dialer's
    interface exists, is reachable, and its record names that process;
  - every claim is recorded or handed back: a device NetworkManager was told
    to leave, or a networkd file of wand's, is in wand's claim record, and
    some interface with ClaimDevice=yes still uses it;
  - the state after adoption matches the kernel and the processes: a
    connected dialer interface has its dialer running and its device up, a
    disconnected one has none; a device interface is connected exactly when
    its link is up with carrier.

Runs as root in its own network, pid and mount namespaces, with the dialer
tests' harness (tests/dialer/harness.py): a private dbus-daemon, wand-crash
from the build tree (WAND_BINARY), test-dialer (TEST_DIALER).

A seed fixes the plan of every kill and the order of the calls before it
(the generator never looks at wand's answers), not the timing, nor so how
many of those calls go out before wand dies: --seed N --kills K replays the
first K kills of a run. Before the kills, one fixed case runs: ClaimDevice=no
written while wand was stopped, and the device handed back after its start. A divergence prints its seed, kill, crash point,
cause and the replay command. Exit status: 0 passed, 1 diverged (or failed to
run), 77 skipped (not root).
"""

import argparse
import os
import random
import sys
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'dialer'))

SKIP = 77
PYTHON = '/usr/bin/python3'  # Debian's, with python3-dbus and python3-gi


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--seed', type=int, default=None, help='the generator\'s seed (default: random, printed)')
    ap.add_argument('--kills', type=int, default=100, help='how many times to kill wand (default 100)')
    ap.add_argument('--keep-going', action='store_true',
                    help='count divergences by cause, reset the world after each and go on, rather than stop')
    ap.add_argument('--point', default=None,
                    help='kill at this crash point only (every kill, on its first to third pass)')
    ap.add_argument('--verbose', action='store_true', help='print every call and kill as it happens')
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 2**31)

    if os.geteuid() != 0:
        print('SKIP: the crash test needs root (network and pid namespaces, veths, tun devices)')
        return SKIP
    for var in ('WAND_BINARY', 'TEST_DIALER'):
        if not os.environ.get(var):
            print(f'{var} is not set (run it through meson test or tests/run-crash.sh)', file=sys.stderr)
            return 1
    if os.environ.get('WAND_CRASH_NS') != '1':
        # --kill-child: if meson kills us (a timeout), our pid 1 dies, and
        # with it everything in the namespaces.
        env = dict(os.environ, WAND_CRASH_NS='1')
        os.execve('/usr/bin/unshare', ['unshare', '--net', '--pid', '--fork', '--mount-proc', '--kill-child',
                                       PYTHON, os.path.abspath(__file__), *sys.argv[1:], f'--seed={args.seed}'], env)
    if os.getpid() != 1:
        print('expected to be pid 1 of a new pid namespace', file=sys.stderr)
        return 1
    return init(args)


def init(args):
    """pid 1: runs the test in a child and reaps the dialers every killed
    wand leaves to it, until that child ends."""
    child = os.fork()
    if child == 0:
        code = 1
        try:
            import crash_run
            code = crash_run.run(args)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else 1


if __name__ == '__main__':
    sys.path.insert(0, HERE)
    sys.exit(main())
