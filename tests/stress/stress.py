#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Randomized stress run of the real wand over the bus: the bus-level twin of
the unit tests' model-based run (tests/unit/iface-model.c).

    stress.py [--seed N] [--steps M | --seconds T] [--allow-known] [--verbose]
    stress.py --short [--allow-known]     (the meson test stress-short)

Runs as root and re-executes itself in its own network, pid and mount
namespaces (unshare), as dialer-test.py does, and builds on the dialer
tests' harness (tests/dialer/harness.py): a private dbus-daemon, wand from
the build tree (WAND_BINARY), test-dialer (TEST_DIALER) as the stand-in
dialer, veths and a bridge for the device-only interfaces.

The step mix and the checks are the unit model's, as far as the bus lets
one see them. Interfaces a, b and c; a step is one of
  - a call, sent asynchronously so that several are outstanding at once,
    from one of two bus connections: Connect, Disconnect, SetEnabled,
    Delete, CreateInterface, Reload, Start/StopDemandDialManager, and
    Connect on a handle that never existed;
  - an administrator's edit of an interface file (Enabled, Device,
    ConnectCommand, Persistent) or its removal, picked up by a later
    Reload;
  - a kernel event: a veth set up or down by someone else, its carrier
    lost or back (the peer set down or up), deleted or added again,
    enslaved to a bridge or released from it (nomaster), a dialer's tun
    set down;
  - a dialer killed (SIGKILL) or sent SIGTERM (some dialers ignore it);
  - time passing.
Calls are answered as root (uid 0 is authorized without polkit), so the
unit model's polkit steps have no twin here.

Checks, the unit model's vocabulary:
  - per answer: every call is answered, once, with an error the contract
    allows given what the caller could read between sending it and its
    reply (the State, UnreachabilityReasons, DemandDialManager and the
    existence of the object as announced on that connection, in order,
    up to the reply: the "read just before" of the unit model, widened to
    what wand may have seen when it ran the call); a successful Connect()
    found the interface connected when its reply arrived, a successful
    Disconnect() disconnected or unreachable; a failed attempt
    (ConnectionFailed, not cancelled) had set LastError; once
    StopDemandDialManager() replied (and no Start since): stopped, every
    interface unreachable with service-stopped, no dialer process.
  - at quiescent points (no call outstanding, states settled): State
    against the kernel and the dialer processes; UnreachabilityReasons
    against Enabled, the device and the manager; LastError and
    ConnectedSince; no dialer without a connected interface; the files
    against the properties (Enabled, Device, Persistent) where no edit
    waits for a Reload; the later SetEnabled() wins; wand alive, no
    zombies, no more descriptors than before with as many dialers.

A seed fixes the sequence of steps (the generator never looks at wand's
answers), not the timing: a replay (--seed N --steps M) runs the same
steps, in the same order, against the same configuration.

Exit status: 0 passed, 1 diverged (or failed to run), 77 skipped (not root).
"""

import argparse
import os
import random
import subprocess
import sys
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'dialer'))

SKIP = 77
SHORT_SEEDS = (1, 2)
SHORT_STEPS = 250
PYTHON = '/usr/bin/python3'  # Debian's, with python3-dbus and python3-gi


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--steps', type=int, default=None, help='steps to run (a replay)')
    ap.add_argument('--seconds', type=float, default=None, help='run for this long (default 60 unless --steps)')
    ap.add_argument('--verbose', action='store_true', help='print every step as it runs')
    ap.add_argument('--allow-known', action='store_true',
                    help='count the known divergences (stress_run.KNOWN) and go on, rather than stop')
    ap.add_argument('--short', action='store_true',
                    help=f'the CI run: seeds {SHORT_SEEDS} and one random seed, {SHORT_STEPS} steps each')
    args = ap.parse_args()
    if args.short:
        return short(args)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 2**31)
    if args.steps is None and args.seconds is None:
        args.seconds = 60

    if os.geteuid() != 0:
        print('SKIP: the stress run needs root (network and pid namespaces, veths, tun devices)')
        return SKIP
    for var in ('WAND_BINARY', 'TEST_DIALER'):
        if not os.environ.get(var):
            print(f'{var} is not set (run it through meson test or tests/run-stress.sh)', file=sys.stderr)
            return 1
    if os.environ.get('WAND_STRESS_NS') != '1':
        env = dict(os.environ, WAND_STRESS_NS='1')
        os.execve('/usr/bin/unshare', ['unshare', '--net', '--pid', '--fork', '--mount-proc', '--kill-child',
                                       PYTHON, os.path.abspath(__file__), *sys.argv[1:]], env)
    if os.getpid() != 1:
        print('expected to be pid 1 of a new pid namespace', file=sys.stderr)
        return 1
    return init(args)


def short(args):
    """Each seed in its own namespaces, one after the other."""
    seeds = list(SHORT_SEEDS) + [random.SystemRandom().randrange(1, 2**31)]
    print(f'stress-short: seeds {seeds} (the last one random), {SHORT_STEPS} steps each', flush=True)
    failed = []
    for seed in seeds:
        argv = [PYTHON, os.path.abspath(__file__), f'--seed={seed}', f'--steps={SHORT_STEPS}']
        if args.allow_known:
            argv.append('--allow-known')
        code = subprocess.run(argv).returncode
        if code == SKIP:
            return SKIP
        if code != 0:
            failed.append(seed)
    print(f'stress-short: {len(seeds) - len(failed)} seeds passed, {len(failed)} failed'
          f'{" (seeds " + ", ".join(map(str, failed)) + ")" if failed else ""}', flush=True)
    return 1 if failed else 0


def init(args):
    """pid 1: runs the stress in a child and reaps orphans until it ends."""
    child = os.fork()
    if child == 0:
        code = 1
        try:
            import stress_run
            code = stress_run.run(args)
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
