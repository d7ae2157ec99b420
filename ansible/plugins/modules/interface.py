#!/usr/bin/python
# SPDX-License-Identifier: LGPL-2.1-or-later
# -*- coding: utf-8 -*-
# wand.router.interface: one WAN interface of wand, made to be as the play
# says: present with these settings, connected, disconnected or absent.
#
# Copyright: wand maintainers
# LGPL-2.1-or-later (see the wand source tree)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: interface
short_description: Create, configure, connect, disconnect and delete a WAN interface of wand
version_added: 0.1.0
description:
  - Manages one WAN interface of wand (the C(org.wand.Router1) service) on the managed host
    through its D-Bus API, U(man:org.wand.Router1(5)).
  - Settings not given are left as they are (or take wand's defaults when the interface is created).
  - Whether anything changed is decided by reading wand's state (the interface's settings from
    C(GetSettings()) and, for I(state=connected) or I(state=disconnected), its C(State)) before and
    after, never from the options given. A task that gives no setting and whose I(state) is
    C(connected), C(disconnected) or C(absent) does not read the settings, so that it needs only
    the polkit actions of what it does (C(org.wand.Router1.connect), C(org.wand.Router1.disconnect),
    C(org.wand.Router1.configure) to delete).
  - "Errors of wand come back as task failures whose C(msg) is the D-Bus error name, a colon and
    wand's message, for example C(org.freedesktop.DBus.Error.AccessDenied: ...), and whose
    C(dbus_error) is the name alone."
  - The module talks to the system bus with python3-dbus rather than C(busctl --json) or
    C(wandctl --json) because only a D-Bus binding returns an error's name (busctl prints the
    message alone, wandctl words errors for people); python3-dbus is one small Debian package
    over libdbus, which the system bus wand needs already brings.
  - Reading the settings is authorized like changing them (polkit action
    C(org.wand.Router1.configure)), because a command line may hold a secret. Run as root
    (C(become)) or as a user polkit grants that action.
  - The commands (I(connect_command), I(disconnect_command)) are root-equivalent, since wand runs
    them as root; setting them needs C(org.wand.Router1.configure-privileged), and wand shows them
    only to those who hold it (C(CommandsHidden) in the settings otherwise). A task that gives a
    command for an interface whose commands are hidden fails, naming that action, before it
    changes anything.
author:
  - wand maintainers
requirements:
  - wand running on the managed host (C(org.wand.Router1) on the system bus)
  - python3-dbus on the managed host
options:
  name:
    description:
      - The interface's name, 1 to 64 characters of C(A-Z a-z 0-9 _ . -), not starting with C(.) or C(-).
    type: str
    required: true
  state:
    description:
      - C(present) creates the interface if needed and applies the settings given.
      - C(connected) and C(disconnected) do the same, then connect or disconnect it; a connection
        attempt is waited for, and its failure (C(org.wand.Router1.Error.ConnectionFailed)) fails the task.
      - C(absent) disconnects the interface if it is connected, then deletes it and its configuration file.
    type: str
    choices: [present, absent, connected, disconnected]
    default: present
  device:
    description:
      - The kernel network device the connection runs over (C(ppp0), C(tun-site), C(eth1)).
      - Required to create an interface.
    type: str
  connect_command:
    description:
      - The argv of the dialer wand runs and supervises to bring the connection up.
      - An empty list removes it; the interface is then device-only.
      - It is shown by C(--diff); keep secrets out of command lines (use the dialer's own files).
    type: list
    elements: str
  disconnect_command:
    description:
      - The argv wand runs to tear the connection down; an empty list removes it.
    type: list
    elements: str
  enabled:
    description:
      - Whether the interface may be connected. Disabling a connected interface disconnects it.
    type: bool
  persistent:
    description:
      - Whether wand redials when the connection drops.
    type: bool
  connect_timeout:
    description:
      - Seconds a connection attempt may take (C(ConnectTimeoutSec)).
    type: int
  disconnect_timeout:
    description:
      - Seconds a teardown may take before the dialer is killed (C(DisconnectTimeoutSec)).
    type: int
  redial_interval:
    description:
      - Seconds before the first redial of a persistent interface (C(RedialIntervalSec)).
    type: int
  redial_max_interval:
    description:
      - The longest pause between redials, in seconds (C(RedialMaxIntervalSec)).
    type: int
  redial_attempts:
    description:
      - Failed redials in a row before wand gives up; C(0) never gives up (C(RedialAttempts)).
    type: int
  claim_device:
    description:
      - Whether wand asks NetworkManager and systemd-networkd to leave I(device) to it
        (C(ClaimDevice)); without it an interface whose device another manager holds is
        unreachable (C(managed-elsewhere)).
    type: bool
notes:
  - Supports check mode (nothing is changed; C(actions) says what would be done) and diff mode
    (the settings, and the state where it is managed, before and after).
  - A changed I(device) or command on a connected interface that stays enabled makes wand
    disconnect it and connect it again with the new settings.
seealso:
  - module: wand.router.info
  - module: wand.router.manager
'''

EXAMPLES = r'''
- name: An LTE uplink that redials, connected
  wand.router.interface:
    name: lte
    device: ppp0
    connect_command: [/usr/sbin/pppd, call, lte, nodetach]
    persistent: true
    state: connected
  become: true

- name: The backup line, configured but down
  wand.router.interface:
    name: wan1
    device: eth2
    connect_timeout: 30
    state: disconnected
  become: true

- name: Drop the dialer of wan2 (device-only from now on)
  wand.router.interface:
    name: wan2
    connect_command: []
  become: true

- name: Gone
  wand.router.interface:
    name: old-vpn
    state: absent
  become: true
'''

RETURN = r'''
interface:
  description: The interface as wand has it after the task (nothing when it does not exist).
  returned: success, when the interface exists
  type: dict
  contains:
    name:
      description: The interface's name.
      type: str
      sample: wan0
    path:
      description: Its object path on the bus (its handle).
      type: str
      sample: /org/wand/Router1/interface/wan0
    state:
      description: C(unreachable), C(disconnected), C(connecting), C(connected) or C(disconnecting).
      type: str
      sample: connected
    settings:
      description:
        - Every setting, as C(GetSettings()) returns it; without C(org.wand.Router1.configure-privileged)
          the commands are left out and C(CommandsHidden) is C(true).
        - Only when the task reads the settings (it gives a setting, or I(state=present)).
      type: dict
      sample: {"Device": "wan0", "ConnectCommand": [], "DisconnectCommand": [], "Enabled": true,
               "Persistent": false, "ConnectTimeoutSec": 20, "DisconnectTimeoutSec": 10,
               "RedialIntervalSec": 5, "RedialMaxIntervalSec": 300, "RedialAttempts": 10,
               "ClaimDevice": false}
actions:
  description: What was done, or in check mode what would be done, in order.
  returned: always
  type: list
  elements: str
  sample: ["update ConnectTimeoutSec", "connect"]
dbus_error:
  description: The D-Bus name of the error that failed the task.
  returned: failure
  type: str
  sample: org.freedesktop.DBus.Error.AccessDenied
dbus_message:
  description: wand's message with that error.
  returned: failure, when wand answered with an error
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wand.router.plugins.module_utils.wand import SETTINGS, Wand, WandError, settings_dict

# CreateInterface()'s defaults (org.wand.Router1(5), SETTINGS), to say in
# check mode what an interface about to be created would have.
DEFAULTS = {
    'ConnectCommand': [], 'DisconnectCommand': [], 'Enabled': True, 'Persistent': False,
    'ConnectTimeoutSec': 20, 'DisconnectTimeoutSec': 10, 'RedialIntervalSec': 5,
    'RedialMaxIntervalSec': 300, 'RedialAttempts': 10, 'ClaimDevice': False,
}
COMMANDS = ('ConnectCommand', 'DisconnectCommand')
UP = ('connected', 'connecting', 'disconnecting')  # what Disconnect() ends


def read(wand, name, settings=True):
    """The interface as wand has it now, or None; its settings only if
    asked, as reading them needs org.wand.Router1.configure."""
    path = wand.lookup(name)
    if path is None:
        return None
    props = wand.interface_properties(path)
    iface = {'name': name, 'path': path, 'state': props['State']}
    if settings:
        iface['settings'] = wand.interface(path, 'GetSettings')
    return iface


def needs_settings(params):
    """Whether the task reads the settings: when it gives one, or is about
    them (present). Connecting, disconnecting and deleting do not, so that
    a user polkit lets do only that can."""
    return params['state'] == 'present' or any(params[option] is not None for dummy, dummy2, option in SETTINGS)


def view(iface, state):
    """What is compared (and shown by --diff): existence, the settings, and
    the connection state only where the task manages it, so that a redial
    or a link going up on its own is no change of the task's."""
    if iface is None:
        return {'exists': False}
    v = {'exists': True}
    if 'settings' in iface:
        v['settings'] = iface['settings']
    if state in ('connected', 'disconnected'):
        v['state'] = iface['state']
    return v


def run(module, wand, before):
    p = module.params
    name, state, check = p['name'], p['state'], module.check_mode
    wanted = dict((key, p[option]) for key, dummy, option in SETTINGS if p[option] is not None)
    actions = []
    predicted = dict(before) if before else None

    if state == 'absent':
        if before is not None:
            if before['state'] in UP:
                actions.append('disconnect')
                if not check:
                    wand.interface(before['path'], 'Disconnect')
            actions.append('delete')
            if not check:
                wand.interface(before['path'], 'Delete')
            predicted = None
        return before, predicted, actions

    if before is None:
        if 'Device' not in wanted:
            module.fail_json(msg='%s does not exist, and device is needed to create it' % name, actions=actions)
        settings = dict((k, v) for k, v in wanted.items() if not (k in COMMANDS and v == []))
        actions.append('create')
        path = None
        if not check:
            path = wand.manager('CreateInterface', 'sa{sv}', (name, settings_dict(settings)))
        defaults = dict(DEFAULTS)
        defaults.update(wanted)
        predicted = {'name': name, 'path': path, 'state': 'disconnected'}
        if needs_settings(p):
            predicted['settings'] = defaults
    elif wanted:
        hidden = [k for k in COMMANDS if k in wanted] if before['settings'].get('CommandsHidden') else []
        if hidden:
            module.fail_json(msg='%s: wand hides the commands of %s from this user, so %s cannot be compared or set: '
                                 'that needs the polkit action org.wand.Router1.configure-privileged (root-equivalent; '
                                 'run with become, or ask an administrator)' % (name, name, ' and '.join(hidden)),
                             actions=actions)
        update = dict((k, v) for k, v in wanted.items() if before['settings'].get(k) != v)
        if update:
            actions.append('update ' + ', '.join(sorted(update)))
            if not check:
                wand.interface(before['path'], 'UpdateSettings', 'a{sv}', (settings_dict(update),))
            predicted['settings'] = dict(before['settings'], **update)

    # The state now: a settings change may have disconnected (or started
    # reconnecting) the interface.
    current = read(wand, name, needs_settings(p)) if not check else predicted
    if state == 'connected' and current['state'] != 'connected':
        actions.append('connect')
        if not check:
            try:
                wand.interface(current['path'], 'Connect')
            except WandError as e:
                if e.name != 'org.wand.Router1.Error.AlreadyConnected':
                    raise
        predicted['state'] = 'connected'
    elif state == 'disconnected' and current['state'] in UP:
        actions.append('disconnect')
        if not check:
            try:
                wand.interface(current['path'], 'Disconnect')
            except WandError as e:
                if e.name != 'org.wand.Router1.Error.InterfaceNotConnected':
                    raise
        predicted['state'] = 'disconnected'
    return before, predicted, actions


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent', 'connected', 'disconnected']),
            device=dict(type='str'),
            connect_command=dict(type='list', elements='str'),
            disconnect_command=dict(type='list', elements='str'),
            enabled=dict(type='bool'),
            persistent=dict(type='bool'),
            connect_timeout=dict(type='int'),
            disconnect_timeout=dict(type='int'),
            redial_interval=dict(type='int'),
            redial_max_interval=dict(type='int'),
            redial_attempts=dict(type='int'),
            claim_device=dict(type='bool'),
        ),
        supports_check_mode=True,
    )
    for key, dummy, option in SETTINGS:
        value = module.params[option]
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= 0xffffffff:
            module.fail_json(msg='%s must be a whole number from 0 to 4294967295, not %d' % (option, value))

    wand = Wand(module)
    name, state = module.params['name'], module.params['state']
    settings = needs_settings(module.params)
    try:
        first = read(wand, name, settings)
    except WandError as e:
        wand.fail(e)
    try:
        before, predicted, actions = run(module, wand, first)
        after = predicted if module.check_mode else read(wand, name, settings)
    except WandError as e:
        # What was done before the failure is still reported, from wand's
        # state read again.
        try:
            changed = view(first, state) != view(read(wand, name, settings), state)
        except WandError:
            changed = False
        wand.fail(e, changed=changed)

    result = dict(
        changed=view(before, state) != view(after, state),
        actions=actions,
    )
    if after is not None:
        result['interface'] = after
    if module._diff:
        result['diff'] = dict(before=view(before, state), after=view(after, state),
                              before_header='%s (wand)' % name, after_header='%s (wand)' % name)
    if module.check_mode and actions:
        result['msg'] = 'check mode: would %s %s' % (', '.join(actions), name)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
