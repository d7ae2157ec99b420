#!/usr/bin/python
# SPDX-License-Identifier: LGPL-2.1-or-later
# -*- coding: utf-8 -*-
# wand.router.info: what wand says on the managed host — the demand-dial
# manager and every interface's properties — as facts to decide on.
#
# Copyright: wand maintainers
# LGPL-2.1-or-later (see the wand source tree)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: info
short_description: Read the state of wand and of every WAN interface
version_added: 0.1.0
description:
  - Reads the demand-dial manager's properties and every interface's properties from wand
    (C(org.wand.Router1) on the managed host's system bus, U(man:org.wand.Router1(5))).
  - Returns them as the fact C(ansible_facts.wand), so that later tasks can decide on them with
    C(when:) without C(register:), and the same under C(wand) in the task's result.
  - Reads every interface with one C(GetManagedObjects()). Where wand refuses it with
    C(org.freedesktop.DBus.Error.LimitsExceeded), because the reply would be larger than the system bus
    passes in one message (C(BusMaxMessageSize=) in U(man:wand.conf(5))), reads them one by one instead,
    as U(man:org.wand.Router1(5)) says (C(ListInterfaces()), then C(GetAll()) on each), and leaves out an
    interface deleted in between; the result is the same. Any other error fails the task.
  - Reading properties needs no authorization; I(settings=true) also reads every interface's
    settings, which is authorized like changing them (polkit action C(org.wand.Router1.configure));
    the commands only for a user who also holds C(org.wand.Router1.configure-privileged) (for the
    others wand leaves them out and says C(CommandsHidden)).
  - Talks to the bus with python3-dbus, for the reasons given in M(wand.router.interface).
author:
  - wand maintainers
requirements:
  - wand running on the managed host (C(org.wand.Router1) on the system bus)
  - python3-dbus on the managed host
options:
  settings:
    description:
      - Also read each interface's settings (C(GetSettings())) into C(settings).
    type: bool
    default: false
notes:
  - Changes nothing; runs in check mode too.
seealso:
  - module: wand.router.interface
  - module: wand.router.manager
'''

EXAMPLES = r'''
- name: What wand says
  wand.router.info:

- name: Reconnect the uplink where it is down
  wand.router.interface:
    name: wan0
    state: connected
  become: true
  when: ansible_facts.wand.interfaces.wan0.State != 'connected'

- name: Routers whose manager is stopped
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }}: demand-dial manager {{ ansible_facts.wand.demand_dial_manager }}"
  when: ansible_facts.wand.demand_dial_manager != 'running'
'''

RETURN = r'''
wand:
  description: wand's state; also returned as the fact C(ansible_facts.wand).
  returned: always
  type: dict
  contains:
    version:
      description: wand's version.
      type: str
      sample: 0.1.0
    demand_dial_manager:
      description: C(running) or C(stopped).
      type: str
      sample: running
    interfaces:
      description:
        - Every interface by name, with its D-Bus properties (C(Name), C(Device), C(IfIndex),
          C(State), C(Enabled), C(Persistent), C(UnreachabilityReasons), C(LastError), C(LastErrorReason),
          C(ConnectedSince), C(InstanceId), and any a newer wand adds) and C(Path), its object path.
        - With I(settings=true), also C(settings), as M(wand.router.interface) returns them.
      type: dict
      sample: {"wan0": {"Name": "wan0", "Device": "wan0", "State": "connected", "Enabled": true,
                        "Persistent": false, "IfIndex": 3, "UnreachabilityReasons": [], "LastError": "",
                        "LastErrorReason": "", "ConnectedSince": 1748779200456000, "InstanceId": 1449551462401, "Path": "/org/wand/Router1/interface/wan0"}}
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wand.router.plugins.module_utils.wand import Wand, WandError


def main():
    module = AnsibleModule(argument_spec=dict(settings=dict(type='bool', default=False)), supports_check_mode=True)
    wand = Wand(module)
    try:
        manager = wand.manager_properties()
        interfaces = wand.interfaces()
        if module.params['settings']:
            for props in interfaces.values():
                props['settings'] = wand.interface(props['Path'], 'GetSettings')
    except WandError as e:
        wand.fail(e)
    facts = dict(version=manager.get('Version'), demand_dial_manager=manager.get('DemandDialManager'),
                 interfaces=interfaces)
    module.exit_json(changed=False, wand=facts, ansible_facts=dict(wand=facts))


if __name__ == '__main__':
    main()
