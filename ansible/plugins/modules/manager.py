#!/usr/bin/python
# SPDX-License-Identifier: LGPL-2.1-or-later
# -*- coding: utf-8 -*-
# wand.router.manager: wand's demand-dial manager started or stopped, and
# the configuration re-read.
#
# Copyright: wand maintainers
# LGPL-2.1-or-later (see the wand source tree)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: manager
short_description: Start or stop wand's demand-dial manager, and reload wand's configuration
version_added: 0.1.0
description:
  - Starts or stops the demand-dial manager of wand (C(org.wand.Router1) on the managed host's
    system bus, U(man:org.wand.Router1(5))). Stopping it disconnects every interface first;
    while it is stopped no interface can be connected.
  - Makes wand re-read its configuration files (C(Reload())), as C(systemctl reload wand) does.
  - C(changed) comes from wand's state read before and after; for a reload, from every
    interface's settings and the set of interfaces, listed as M(wand.router.info) lists them (also where
    wand has more interfaces than C(GetManagedObjects()) can return in one message).
  - Talks to the bus with python3-dbus, for the reasons given in M(wand.router.interface).
author:
  - wand maintainers
requirements:
  - wand running on the managed host (C(org.wand.Router1) on the system bus)
  - python3-dbus on the managed host
options:
  state:
    description:
      - C(started) or C(stopped); not given, the manager is left as it is.
      - polkit action C(org.wand.Router1.control).
    type: str
    choices: [started, stopped]
  reload:
    description:
      - Re-read the configuration files (after the manager was started or stopped).
      - polkit action C(org.wand.Router1.configure), which also covers reading the settings to
        tell whether the reload changed anything. The commands are compared only for a user who
        also holds C(org.wand.Router1.configure-privileged) (wand hides them from the others), so
        for such a user a reload that changed only a command reports no change.
    type: bool
    default: false
notes:
  - Supports check mode. Whether a reload would change anything depends on files only wand
    reads, so in check mode a reload is reported in C(actions) but not as a change.
seealso:
  - module: wand.router.interface
  - module: wand.router.info
'''

EXAMPLES = r'''
- name: Maintenance window - everything down
  wand.router.manager:
    state: stopped
  become: true

- name: Back up, and pick up the files that were edited meanwhile
  wand.router.manager:
    state: started
    reload: true
  become: true
'''

RETURN = r'''
demand_dial_manager:
  description: C(running) or C(stopped), after the task.
  returned: success
  type: str
  sample: running
actions:
  description: What was done, or in check mode what would be done.
  returned: always
  type: list
  elements: str
  sample: ["start", "reload"]
dbus_error:
  description: The D-Bus name of the error that failed the task.
  returned: failure
  type: str
  sample: org.freedesktop.DBus.Error.AccessDenied
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.wand.router.plugins.module_utils.wand import Wand, WandError


def configuration(wand):
    """Every interface's settings, by name: what a reload can change."""
    return dict((name, wand.interface(props['Path'], 'GetSettings')) for name, props in wand.interfaces().items())


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', choices=['started', 'stopped']),
            reload=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    wand = Wand(module)
    state, reload, check = module.params['state'], module.params['reload'], module.check_mode
    actions = []
    try:
        ddm_before = wand.manager_properties()['DemandDialManager']
        config_before = configuration(wand) if reload else None
        ddm_after, config_after = ddm_before, config_before
        if state == 'started' and ddm_before != 'running':
            actions.append('start')
            if not check:
                wand.manager('StartDemandDialManager')
            ddm_after = 'running'
        elif state == 'stopped' and ddm_before != 'stopped':
            actions.append('stop')
            if not check:
                wand.manager('StopDemandDialManager')
            ddm_after = 'stopped'
        if reload:
            actions.append('reload')
            if not check:
                wand.manager('Reload')
        if not check:
            ddm_after = wand.manager_properties()['DemandDialManager']
            if reload:
                config_after = configuration(wand)
    except WandError as e:
        wand.fail(e, actions=actions)

    result = dict(changed=ddm_before != ddm_after or config_before != config_after,
                  demand_dial_manager=ddm_after, actions=actions)
    if module._diff:
        result['diff'] = dict(before=dict(demand_dial_manager=ddm_before), after=dict(demand_dial_manager=ddm_after))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
