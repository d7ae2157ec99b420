#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The collection's module_utils (ansible/plugins/module_utils/wand.py)
against a stand-in for the bus, for what a real wand does only by chance:
an interface that ListInterfaces() names and that is deleted before its
GetAll() (InvalidHandle from wand, UnknownObject from a bus library) is
left out of the fallback for a refused GetManagedObjects(); any other error
fails as before, and only LimitsExceeded leads to the fallback. The fallback
itself, against a real wand, is test-limits.sh. Needs python3-dbus and
ansible-core; skipped (77) otherwise. No root, no bus."""

import importlib.util
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

try:
    import dbus
    import ansible.module_utils.basic  # noqa: F401 (wand.py imports from it)
except ImportError as e:
    print('SKIP: %s (tests/install-deps.sh installs python3-dbus and ansible-core)' % e)
    sys.exit(77)

spec = importlib.util.spec_from_file_location(
    'wand_module_utils', os.path.join(os.environ['WAND_SOURCE_ROOT'], 'ansible/plugins/module_utils/wand.py'))
wand = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wand)

LIMITS = 'org.freedesktop.DBus.Error.LimitsExceeded'
INVALID_HANDLE = 'org.wand.Router1.Error.InvalidHandle'
UNKNOWN_OBJECT = 'org.freedesktop.DBus.Error.UnknownObject'
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
PREFIX = '/org/wand/Router1/interface/'


def props(name, state):
    return dbus.Dictionary({'Name': dbus.String(name), 'State': dbus.String(state),
                            'IfIndex': dbus.Int32(0), 'Enabled': dbus.Boolean(True)}, signature='sv')


class Bus(object):
    """call_blocking() as dbus-python's: a reply, or a DBusException. Keeps
    the calls made, as (path, method)."""

    def __init__(self, managed_objects=None, list_interfaces=None, get_all=None):
        self.managed_objects = managed_objects     # a reply, or an error name
        self.list_interfaces = list_interfaces     # a reply, or an error name
        self.get_all = get_all or {}               # path: a reply, or an error name
        self.calls = []

    def call_blocking(self, bus_name, path, interface, method, signature, args, timeout=None):
        self.calls.append((path, method))
        if method == 'GetManagedObjects':
            reply = self.managed_objects
        elif method == 'ListInterfaces':
            reply = self.list_interfaces
        elif method == 'GetAll' and args == (wand.INTERFACE_INTERFACE,):
            reply = self.get_all[path]
        else:
            raise AssertionError('unexpected call %s.%s on %s' % (interface, method, path))
        if isinstance(reply, str):
            raise dbus.exceptions.DBusException('%s says no' % method, name=reply)
        return reply


def listing(*names):
    return dbus.Array([dbus.Struct((dbus.String(n), dbus.ObjectPath(PREFIX + n), dbus.String('disconnected')))
                       for n in names], signature='(sos)')


def interfaces(bus):
    w = wand.Wand.__new__(wand.Wand)  # without __init__: no module, no system bus
    w.bus = bus
    return w.interfaces()


class Interfaces(unittest.TestCase):
    def test_refused_lists_one_by_one_and_skips_the_deleted(self):
        bus = Bus(managed_objects=LIMITS, list_interfaces=listing('a', 'gone', 'b', 'unknown', 'c'),
                  get_all={PREFIX + 'a': props('a', 'connected'), PREFIX + 'gone': INVALID_HANDLE,
                           PREFIX + 'b': props('b', 'disconnected'), PREFIX + 'unknown': UNKNOWN_OBJECT,
                           PREFIX + 'c': props('c', 'unreachable')})
        result = interfaces(bus)
        self.assertEqual(result, {
            'a': {'Name': 'a', 'State': 'connected', 'IfIndex': 0, 'Enabled': True, 'Path': PREFIX + 'a'},
            'b': {'Name': 'b', 'State': 'disconnected', 'IfIndex': 0, 'Enabled': True, 'Path': PREFIX + 'b'},
            'c': {'Name': 'c', 'State': 'unreachable', 'IfIndex': 0, 'Enabled': True, 'Path': PREFIX + 'c'},
        })
        self.assertEqual([type(v) for v in result['a'].values()], [str, str, int, bool, str])
        self.assertEqual([m for p, m in bus.calls], ['GetManagedObjects', 'ListInterfaces'] + ['GetAll'] * 5)

    def test_refused_with_none_is_empty(self):
        self.assertEqual(interfaces(Bus(managed_objects=LIMITS, list_interfaces=listing())), {})

    def test_another_getall_error_fails(self):
        bus = Bus(managed_objects=LIMITS, list_interfaces=listing('a', 'b'),
                  get_all={PREFIX + 'a': ACCESS_DENIED, PREFIX + 'b': props('b', 'connected')})
        with self.assertRaises(wand.WandError) as e:
            interfaces(bus)
        self.assertEqual(e.exception.name, ACCESS_DENIED)

    def test_listinterfaces_error_fails(self):
        with self.assertRaises(wand.WandError) as e:
            interfaces(Bus(managed_objects=LIMITS, list_interfaces=ACCESS_DENIED))
        self.assertEqual(e.exception.name, ACCESS_DENIED)

    def test_other_getmanagedobjects_errors_fail_without_fallback(self):
        for name in (ACCESS_DENIED, 'org.freedesktop.DBus.Error.NoReply', 'org.freedesktop.DBus.Error.UnknownMethod'):
            bus = Bus(managed_objects=name, list_interfaces=listing('a'),
                      get_all={PREFIX + 'a': props('a', 'connected')})
            with self.assertRaises(wand.WandError) as e:
                interfaces(bus)
            self.assertEqual(e.exception.name, name)
            self.assertEqual(bus.calls, [('/org/wand/Router1', 'GetManagedObjects')])

    def test_managed_objects_as_before(self):
        empty = dbus.Dictionary({}, signature='sv')
        objects = dbus.Dictionary({
            dbus.ObjectPath(PREFIX + 'a'): dbus.Dictionary(
                {wand.INTERFACE_INTERFACE: props('a', 'connected'), 'org.freedesktop.DBus.Peer': empty},
                signature='sa{sv}'),
            dbus.ObjectPath('/org/wand/Router1/other'): dbus.Dictionary({'org.example.Other': empty},
                                                                        signature='sa{sv}'),
        }, signature='oa{sa{sv}}')
        bus = Bus(managed_objects=objects)
        self.assertEqual(interfaces(bus), {
            'a': {'Name': 'a', 'State': 'connected', 'IfIndex': 0, 'Enabled': True, 'Path': PREFIX + 'a'}})
        self.assertEqual(bus.calls, [('/org/wand/Router1', 'GetManagedObjects')])


if __name__ == '__main__':
    unittest.main(verbosity=2)
