#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Stand-ins for NetworkManager and systemd-networkd on the test bus, for
the crash-consistency test: just what wand's link-owners.c asks of them.

    standins.py BUS_ADDRESS NETWORKD_DIR --nm DEV[,DEV] --networkd DEV[,DEV]

NetworkManager: GetDeviceByIpIface() for its devices, each device's Managed
property (true until someone sets it false), PropertiesChanged on Set().
systemd-networkd: GetLinkByName() for its devices, AdministrativeState
"unmanaged" while a file in NETWORKD_DIR matches the device with
Unmanaged=yes (what wand writes to claim it), else "configured", re-read on
Reload(). They outlive every wand of the run, so what wand claimed stays
claimed across its kills, as with the real ones. Prints "ready" once it owns
both names.
"""

import argparse
import os
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

PROPS = 'org.freedesktop.DBus.Properties'
NM_BUS, NM_PATH, NM_IFACE = 'org.freedesktop.NetworkManager', '/org/freedesktop/NetworkManager', \
    'org.freedesktop.NetworkManager'
NM_DEVICE = 'org.freedesktop.NetworkManager.Device'
ND_BUS, ND_PATH, ND_MANAGER = 'org.freedesktop.network1', '/org/freedesktop/network1', \
    'org.freedesktop.network1.Manager'
ND_LINK = 'org.freedesktop.network1.Link'


class Properties(dbus.service.Object):
    """One object with one interface of read properties; Set() only where
    writable says."""

    def __init__(self, bus, path, interface, values, writable=()):
        super().__init__(bus, path)
        self.interface, self.values, self.writable = interface, values, set(writable)

    @dbus.service.method(PROPS, in_signature='ss', out_signature='v')
    def Get(self, interface, name):
        if interface != self.interface or name not in self.values:
            raise dbus.exceptions.DBusException(f'no property {interface}.{name}',
                                                name='org.freedesktop.DBus.Error.UnknownProperty')
        return self.values[name]

    @dbus.service.method(PROPS, in_signature='s', out_signature='a{sv}')
    def GetAll(self, interface):
        return dict(self.values) if interface == self.interface else {}

    @dbus.service.method(PROPS, in_signature='ssv')
    def Set(self, interface, name, value):
        if interface != self.interface or name not in self.writable:
            raise dbus.exceptions.DBusException(f'{interface}.{name} is read-only',
                                                name='org.freedesktop.DBus.Error.PropertyReadOnly')
        self.change(name, value)

    def change(self, name, value):
        if self.values.get(name) == value:
            return
        self.values[name] = value
        self.PropertiesChanged(self.interface, {name: value}, [])

    @dbus.service.signal(PROPS, signature='sa{sv}as')
    def PropertiesChanged(self, interface, changed, invalidated):
        pass


class NetworkManager(dbus.service.Object):
    def __init__(self, bus, devices):
        super().__init__(bus, NM_PATH)
        self.devices = {dev: Properties(bus, f'{NM_PATH}/Devices/{k + 1}', NM_DEVICE,
                                        {'Managed': dbus.Boolean(True), 'Interface': dbus.String(dev)},
                                        writable=('Managed',))
                        for k, dev in enumerate(devices)}

    @dbus.service.method(NM_IFACE, in_signature='s', out_signature='o')
    def GetDeviceByIpIface(self, name):
        if name not in self.devices:
            raise dbus.exceptions.DBusException(f'No device found for the requested iface {name}.',
                                                name='org.freedesktop.NetworkManager.UnknownDevice')
        return dbus.ObjectPath(self.devices[name].__dbus_object_path__)


def networkd_leaves_alone(directory, dev):
    """Whether a .network file in directory matches dev with Unmanaged=yes
    (the only kind wand writes; the stand-in reads no other)."""
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return False
    for name in names:
        if not name.endswith('.network'):
            continue
        try:
            with open(os.path.join(directory, name)) as f:
                lines = [line.strip() for line in f]
        except OSError:
            continue
        if f'Name={dev}' in lines:
            return 'Unmanaged=yes' in lines
    return False


class Networkd(dbus.service.Object):
    def __init__(self, bus, devices, directory):
        super().__init__(bus, ND_PATH)
        self.directory = directory
        self.links = {}
        for k, dev in enumerate(devices):
            path = f'{ND_PATH}/link/_3{k + 100}'
            self.links[dev] = (k + 100, Properties(bus, path, ND_LINK,
                                                   {'AdministrativeState': dbus.String(self.state_of(dev))}))

    def state_of(self, dev):
        return 'unmanaged' if networkd_leaves_alone(self.directory, dev) else 'configured'

    @dbus.service.method(ND_MANAGER, in_signature='s', out_signature='io')
    def GetLinkByName(self, name):
        if name not in self.links:
            raise dbus.exceptions.DBusException(f'Link {name} not known',
                                                name='org.freedesktop.network1.NoSuchLink')
        index, obj = self.links[name]
        return dbus.Int32(index), dbus.ObjectPath(obj.__dbus_object_path__)

    @dbus.service.method(ND_MANAGER)
    def Reload(self):
        for dev, (_, obj) in self.links.items():
            obj.change('AdministrativeState', dbus.String(self.state_of(dev)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('address')
    ap.add_argument('networkd_dir')
    ap.add_argument('--nm', default='')
    ap.add_argument('--networkd', default='')
    args = ap.parse_args()
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(args.address)
    keep = [NetworkManager(bus, [d for d in args.nm.split(',') if d]),
            Networkd(bus, [d for d in args.networkd.split(',') if d], args.networkd_dir)]
    names = [dbus.service.BusName(NM_BUS, bus), dbus.service.BusName(ND_BUS, bus)]
    print('ready', flush=True)
    try:
        GLib.MainLoop().run()
    finally:
        del keep, names


if __name__ == '__main__':
    sys.exit(main())
