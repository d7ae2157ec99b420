# SPDX-License-Identifier: LGPL-2.1-or-later
# -*- coding: utf-8 -*-
# The one way the wand.router modules talk to wand: org.wand.Router1 on the
# managed host's system bus, through python3-dbus. Turns D-Bus errors into
# task failures that carry the error's name and wand's message.
#
# Copyright: wand maintainers
# LGPL-2.1-or-later (see the wand source tree)

# Why python3-dbus, and not busctl --json or wandctl --json: busctl prints an
# error's message but not its D-Bus name, which is what a playbook should
# match on (org.wand.Router1.Error.InterfaceDisabled, AccessDenied, ...);
# wandctl folds several names into one exit status and words errors for
# people. python3-dbus gives both the name and the message, typed values for
# UpdateSettings()'s a{sv}, and costs a router little: it is one small Debian
# package over libdbus, which the system bus that wand needs already brings.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    import dbus
    HAS_DBUS = True
    DBUS_IMPORT_ERROR = None
except ImportError:
    HAS_DBUS = False
    DBUS_IMPORT_ERROR = traceback.format_exc()

BUS_NAME = 'org.wand.Router1'
MANAGER_PATH = '/org/wand/Router1'
MANAGER_INTERFACE = 'org.wand.Router1.Manager'
INTERFACE_INTERFACE = 'org.wand.Router1.Interface'
PROPERTIES_INTERFACE = 'org.freedesktop.DBus.Properties'
OBJECT_MANAGER_INTERFACE = 'org.freedesktop.DBus.ObjectManager'
NO_SUCH_INTERFACE = 'org.wand.Router1.Error.NoSuchInterface'
LIMITS_EXCEEDED = 'org.freedesktop.DBus.Error.LimitsExceeded'
# What GetAll() on an interface that ListInterfaces() named fails with when
# the interface was deleted in between: InvalidHandle is wand's answer
# (org.wand.Router1(5)), UnknownObject a bus library's for an object it
# does not know.
GONE = ('org.wand.Router1.Error.InvalidHandle', 'org.freedesktop.DBus.Error.UnknownObject')

# Connect() waits for the connection (ConnectTimeoutSec, 20 s by default)
# and StopDemandDialManager() for every teardown: longer than libdbus's
# default of 25 s, and wand answers every call in the end.
CALL_TIMEOUT_SEC = 600

# The keys of the contract's settings dictionary, their D-Bus types and the
# module options that set them.
SETTINGS = (
    ('Device', 's', 'device'),
    ('ConnectCommand', 'as', 'connect_command'),
    ('DisconnectCommand', 'as', 'disconnect_command'),
    ('Enabled', 'b', 'enabled'),
    ('Persistent', 'b', 'persistent'),
    ('ConnectTimeoutSec', 'u', 'connect_timeout'),
    ('DisconnectTimeoutSec', 'u', 'disconnect_timeout'),
    ('RedialIntervalSec', 'u', 'redial_interval'),
    ('RedialMaxIntervalSec', 'u', 'redial_max_interval'),
    ('RedialAttempts', 'u', 'redial_attempts'),
    ('ClaimDevice', 'b', 'claim_device'),
)


class WandError(Exception):
    """A D-Bus error wand (or the bus) answered with."""

    def __init__(self, name, message):
        super(WandError, self).__init__('%s: %s' % (name, message))
        self.name = name
        self.message = message


def plain(value):
    """dbus-python's types as the plain values Ansible returns."""
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16, dbus.UInt32, dbus.UInt64)):
        return int(value)
    if isinstance(value, dbus.Double):
        return float(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(value)
    if isinstance(value, dict):
        return dict((plain(k), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def to_dbus(signature, value):
    if signature == 's':
        return dbus.String(value)
    if signature == 'as':
        return dbus.Array([dbus.String(w) for w in value], signature='s')
    if signature == 'b':
        return dbus.Boolean(value)
    return dbus.UInt32(value)


def settings_dict(settings):
    """A plain settings dictionary as UpdateSettings()'s a{sv}."""
    types = dict((key, signature) for key, signature, dummy in SETTINGS)
    return dbus.Dictionary(dict((k, to_dbus(types[k], v)) for k, v in settings.items()), signature='sv')


class Wand(object):
    """wand on this host's system bus. Every failure ends the module with
    fail_json(): a clear message where python3-dbus, the bus or wand is
    missing, and 'NAME: message' for an error wand answered with."""

    def __init__(self, module):
        self.module = module
        if not HAS_DBUS:
            module.fail_json(msg=missing_required_lib('dbus (python3-dbus)',
                                                      reason='to talk to wand on the system bus (apt install python3-dbus)'),
                             exception=DBUS_IMPORT_ERROR)
        try:
            self.bus = dbus.SystemBus()
        except dbus.exceptions.DBusException as e:
            module.fail_json(msg='Cannot connect to the system bus of this host (%s): wand needs a running '
                                 'system bus (dbus)' % e.get_dbus_message(), dbus_error=e.get_dbus_name())
        if not self.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                         'NameHasOwner', 's', (BUS_NAME,)):
            module.fail_json(msg='wand is not running on this host: nobody owns %s on the system bus '
                                 '(is wand installed and started? systemctl status wand)' % BUS_NAME,
                             dbus_error='org.freedesktop.DBus.Error.ServiceUnknown')

    def call(self, bus_name, path, interface, method, signature='', args=()):
        """The call's reply as plain values; WandError if it failed."""
        try:
            reply = self.bus.call_blocking(bus_name, path, interface, method, signature, args,
                                           timeout=CALL_TIMEOUT_SEC)
        except dbus.exceptions.DBusException as e:
            raise WandError(e.get_dbus_name(), e.get_dbus_message())
        return plain(reply)

    def fail(self, error, **kwargs):
        """Ends the task with the error's D-Bus name and wand's message."""
        self.module.fail_json(msg=str(error), dbus_error=error.name, dbus_message=error.message, **kwargs)

    def manager(self, method, signature='', args=()):
        return self.call(BUS_NAME, MANAGER_PATH, MANAGER_INTERFACE, method, signature, args)

    def interface(self, path, method, signature='', args=()):
        return self.call(BUS_NAME, path, INTERFACE_INTERFACE, method, signature, args)

    def manager_properties(self):
        return self.call(BUS_NAME, MANAGER_PATH, PROPERTIES_INTERFACE, 'GetAll', 's', (MANAGER_INTERFACE,))

    def interface_properties(self, path):
        return self.call(BUS_NAME, path, PROPERTIES_INTERFACE, 'GetAll', 's', (INTERFACE_INTERFACE,))

    def lookup(self, name):
        """The interface's object path, or None when there is none."""
        try:
            return self.manager('GetInterfaceByName', 's', (name,))
        except WandError as e:
            if e.name == NO_SUCH_INTERFACE:
                return None
            raise

    def interfaces(self):
        """Every interface: {name: properties (with Path)}.

        GetManagedObjects() fails with LimitsExceeded when its reply would
        be larger than the system bus passes in one message (BusMaxMessageSize=
        in wand.conf, org.wand.Router1(5)); then, as the contract says,
        ListInterfaces() and GetAll() on each interface, skipping those
        deleted in between."""
        try:
            objects = self.call(BUS_NAME, MANAGER_PATH, OBJECT_MANAGER_INTERFACE, 'GetManagedObjects')
        except WandError as e:
            if e.name != LIMITS_EXCEEDED:
                raise
            return self.interfaces_one_by_one()
        result = {}
        for path, interfaces in objects.items():
            props = interfaces.get(INTERFACE_INTERFACE)
            if props is None:
                continue
            props = dict(props)
            props['Path'] = path
            result[props['Name']] = props
        return result

    def interfaces_one_by_one(self):
        """interfaces() for a wand with too many for one message."""
        result = {}
        for dummy_name, path, dummy_state in self.manager('ListInterfaces'):
            try:
                props = self.interface_properties(path)
            except WandError as e:
                if e.name in GONE:
                    continue
                raise
            props['Path'] = path
            result[props['Name']] = props
        return result
