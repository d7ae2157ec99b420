#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Supervised-dialer tests for wand: one scenario group per run.

    dialer-test.py faults|races|redial|restart|safety|openvpn|coexist|lifecycle|reconcile

Runs as root, and re-executes itself in its own network, pid and mount
namespaces (unshare), so that the tun devices, veths, dialers and buses it
makes vanish with it and the host's network is never touched. There, as
pid 1, it reaps orphans (dialers outlive the wand that started them) and
runs the group (group_<name>.py) in a child: a private dbus-daemon, wand
from the build tree (WAND_BINARY), interfaces whose ConnectCommand is
test-dialer (TEST_DIALER) or openvpn. See harness.py.

WAND_DIALER_TEST_ONLY=name,name runs only those scenarios of the group (the
group's setup still runs), e.g. to try one against an older wand.

Exit status: 0 passed, 1 failed, 77 skipped (not root; no openvpn; no NetworkManager).
"""

import importlib
import os
import shutil
import sys
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

GROUPS = ('faults', 'races', 'redial', 'restart', 'safety', 'openvpn', 'coexist', 'lifecycle', 'reconcile')
SKIP = 77
OPENVPN = '/usr/sbin/openvpn'
NETWORKMANAGER = '/usr/sbin/NetworkManager'
PYTHON = '/usr/bin/python3'  # Debian's, with python3-dbus and python3-gi


def run_group(group):
    """Runs every scenario of the group, also after one failed; 0 if all
    passed."""
    import harness
    from harness import Failure, log

    module = importlib.import_module(f'group_{group}')
    w = harness.World(group)
    failed = []
    try:
        w.start_bus()
        only = set(filter(None, os.environ.get('WAND_DIALER_TEST_ONLY', '').split(',')))
        for scenario in module.scenarios(w):
            name = scenario.__name__
            if only and name not in only:
                continue
            log(f'--- {name}')
            try:
                scenario(w)
                log(f'PASS {name}')
            except Failure as e:
                log(f'FAIL {name}: {e}')
                failed.append(name)
            except Exception:
                log(f'ERROR {name}:\n{traceback.format_exc()}')
                failed.append(name)
            if w.wand_proc and w.wand_proc.poll() is not None:
                log(f'wand died (status {w.wand_proc.returncode}); stopping')
                failed.append('wand-died')
                break
            # What a failed scenario left running must not spoil the next.
            if failed and failed[-1] == name and w.wand_proc:
                w.reset(name)
    except Failure as e:
        log(f'FAIL setup: {e}')
        failed.append('setup')
    except Exception:
        log(f'ERROR setup:\n{traceback.format_exc()}')
        failed.append('setup')
    finally:
        w.cleanup()
        w.dump_log()
        shutil.rmtree(w.tmp, ignore_errors=True)
    if failed:
        log(f'{group}: FAILED: {", ".join(failed)}')
        return 1
    log(f'{group}: all passed')
    return 0


def init(group):
    """pid 1 of our pid namespace: runs the group in a child and reaps every
    orphan until that child ends. When we return, the kernel kills whatever
    is left in the namespace."""
    child = os.fork()
    if child == 0:
        code = 1
        try:
            code = run_group(group)
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


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in GROUPS:
        print(f'usage: {sys.argv[0]} {"|".join(GROUPS)}', file=sys.stderr)
        return 2
    group = sys.argv[1]
    if os.geteuid() != 0:
        print('SKIP: the dialer tests need root (network and pid namespaces, tun devices)')
        return SKIP
    if group == 'openvpn' and not os.access(OPENVPN, os.X_OK):
        print(f'SKIP: {OPENVPN} is missing (Debian package openvpn)')
        return SKIP
    if group == 'coexist' and not os.access(NETWORKMANAGER, os.X_OK):
        print(f'SKIP: {NETWORKMANAGER} is missing. tests/install-deps.sh installs network-manager in CI only '
              '(its package enables the service at boot on a machine with systemd); install it, or run '
              'WAND_TEST_NETWORKMANAGER=1 tests/install-deps.sh, to run this group.')
        return SKIP
    for var in ('WAND_BINARY', 'TEST_DIALER'):
        if not os.environ.get(var):
            print(f'{var} is not set (run it through meson test)', file=sys.stderr)
            return 1
    if os.environ.get('WAND_DIALER_TEST_NS') != group:
        # --kill-child: if meson kills us (a timeout), our pid 1 dies, and
        # with it everything in the namespaces.
        env = dict(os.environ, WAND_DIALER_TEST_NS=group)
        os.execve('/usr/bin/unshare', ['unshare', '--net', '--pid', '--fork', '--mount-proc', '--kill-child',
                                       PYTHON, os.path.abspath(__file__), group], env)
    if os.getpid() != 1:
        print('expected to be pid 1 of a new pid namespace', file=sys.stderr)
        return 1
    return init(group)


if __name__ == '__main__':
    sys.exit(main())
