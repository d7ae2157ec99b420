#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the hand-made seed inputs of fuzz/corpus/<target>/seed-*.

The seeds are committed; this script says how they were made and remakes
them (python3 fuzz/make-seeds.py). Inputs a fuzzer found (crash-*, and
anything else kept from a long run) live beside them and are not touched.
"""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    name = 'seed-' + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def clear_seeds(target):
    d = os.path.join(HERE, 'corpus', target)
    if os.path.isdir(d):
        for n in os.listdir(d):
            if n.startswith('seed-'):
                os.unlink(os.path.join(d, n))


# Strings end at 0xff; a command is a word count and its words.
def s(text):
    return text.encode() + b'\xff'


def strv(*words):
    return bytes([len(words)]) + b''.join(s(w) for w in words)


# ── config: interface files and wand.conf ─────────────────────────────────
CONFIG = [
    '[Interface]\nDevice=wan0\n',
    '[Interface]\nDevice=ppp0\nConnectCommand=/usr/sbin/pppd call dsl-provider nodetach unit 0\n'
    'Persistent=yes\nRedialIntervalSec=10\nRedialMaxIntervalSec=600\nRedialAttempts=0\n'
    'ConnectTimeoutSec=45\nDisconnectTimeoutSec=10\n',
    '[Interface]\nDevice=tun-site-b\nConnectCommand=/usr/sbin/openvpn --config "/etc/openvpn/client/site-b.conf" '
    '--dev tun-site-b\nPersistent=yes\nConnectTimeoutSec=30\n',
    '# comment\n; comment\n\n  [Interface]  \r\n\tDevice = eth1 \r\nEnabled=no\nPersistent=TRUE\n',
    '[Interface]\nDevice=ppp0\nConnectCommand=sh -c \'echo "a b" \\\\ $x\' "q\\"uote" back\\ slash\n'
    'DisconnectCommand=/bin/kill -TERM \'\'\n',
    '[Interface]\nDevice=ppp0\nConnectCommand=\nDisconnectCommand=   \n',
    '[Interface]\nDevice=wan0\nDevice=wan1\nEnabled=1\nEnabled=0\n',
    '[Interface]\nDevice=wan0\nConnectTimeoutSec=4294967295\nRedialAttempts=4294967296\n',
    '[Interface]\nDevice=wan0\nConnectTimeoutSec=0\n',
    '[Interface]\nDevice=wan0\nRedialIntervalSec=20\nRedialMaxIntervalSec=10\n',
    '[Interface]\nDevice=wan0\nConnectCommand=pppd \'unterminated\n',
    '[Interface]\nDevice=wan0\nConnectCommand=pppd "unterminated\n',
    '[Interface]\nDevice=wan0\nConnectCommand=pppd trailing\\\n',
    '[Interface]\nDevice=a/b\n',
    '[Interface]\nDevice=..\n',
    '[Interface]\nDevice=0123456789abcdef\n',
    '[Interface]\nDevice=w\xe4n0\n',
    b'[Interface]\nDevice=\xff\xfe\n',
    b'[Interface]\nDevice=wan0\x00\n',
    '[Interface]\nDevice=wan0\nUnknown=1\n',
    'Device=wan0\n',
    '[Router]\nDemandDial=no\n',
    '[Router]\nDemandDial=maybe\n',
    '[Router]\nDemandDial=yes\nDemandDial=0\n',
    '[Interface\nDevice=wan0\n',
    '[Interface]\nDevice\n',
    '[Interface]\n=value\n',
    '[Interface]\nDevice=wan0\nConnectCommand=\x1b[31mred "\x7f"\n',
    '[Interface]\nDevice=wan0\nPersistent=yes\nConnectCommand=a\\\n b\n',
    b'[Interface]\nDevice=ppp0\nConnectCommand=pppd user caf\xe9\n',
    b'[Interface]\nDevice=ppp0\nDisconnectCommand=x \xed\xa0\x80\n',
]

# ── config-set-enabled and config-update: edits of a file in place ─────────
# Files as administrators leave them: comments, CRLF, repeated keys, no final
# line break, keys after a comment, a file edited into something that no
# longer loads.
EDITED = [
    '[Interface]\nDevice=ppp0\n',
    '# wan\n[Interface]\nDevice=ppp0\nEnabled=no\n# trailing comment\n',
    '[Interface]\r\nDevice=ppp0\r\nEnabled = yes \r\n',
    '[Interface]\nDevice=ppp0',
    '[Interface]\r\nDevice=ppp0\r',
    '[Interface]\nEnabled=no\nDevice=ppp0\nEnabled=yes\n\n; end\n',
    '[Interface]\n[Interface]\nDevice=ppp0\n',
    '[Interface]\nDevice=ppp0\nConnectCommand=/usr/sbin/pppd call isp nodetach\nPersistent=yes\n'
    'RedialIntervalSec=10\nRedialMaxIntervalSec=600\n',
    '[Interface]\nDevice=ppp0\nEnabeld=no\n',
    '[Interface]\nDevice=ppp0\nConnectCommand=pppd\nConnectCommand=pppd \'x\n',
    'Device=ppp0\n',
    '',
]

# config-update: flags (mode, group; 16: wand's view is stale), [stale
# edits], edits; an edit is a key index (0 Device, 1 ConnectCommand,
# 2 DisconnectCommand, 3 Enabled, 4 Persistent, 5-9 the numbers, 10
# ClaimDevice) and a value: a string ending in 0xff, a word count and words,
# a byte, or four bytes.
def edits(*e):
    return bytes([len(e)]) + b''.join(e)


def edit_device(name):
    return bytes([0]) + s(name)


def edit_command(k, *words):
    return bytes([k]) + strv(*words)


def edit_bool(k, v):
    return bytes([k, v])


def edit_u32(k, v):
    return bytes([k]) + struct.pack('>I', v)


UPDATES = [
    bytes([0]) + edits(edit_device('ppp1')),
    bytes([2]) + edits(edit_command(1, 'pppd', 'call', "it's"), edit_bool(3, 0), edit_u32(5, 45)),
    bytes([4]) + edits(edit_command(1), edit_command(2, 'kill', '$x'), edit_bool(4, 1), edit_bool(10, 1)),
    bytes([6]) + edits(edit_u32(7, 20), edit_u32(8, 10)),
    bytes([16]) + edits(edit_u32(7, 50)) + edits(edit_u32(8, 40)),
    bytes([16]) + edits(edit_device('eth9')) + edits(edit_device('ppp1')),
    bytes([8]) + edits(edit_u32(6, 0)),
]

# ── settings-bus: programs for fuzz-settings-bus.c ─────────────────────────
# Layout: n_entries, then per entry: pick (key index < 224, else a string key
# follows), typed (< 192: the key's own type), then the value. Strings end at
# 0xff; integers are 8 bytes (two big-endian u32); arrays: count byte (% 6).
KEYS = ['Device', 'ConnectCommand', 'DisconnectCommand', 'Enabled', 'Persistent', 'ConnectTimeoutSec',
        'DisconnectTimeoutSec', 'RedialIntervalSec', 'RedialMaxIntervalSec', 'RedialAttempts']


def u(v):
    return struct.pack('>II', 0, v)


def entry(key, value, typed=0):
    return bytes([KEYS.index(key), typed]) + value


def program(*entries):
    return bytes([len(entries)]) + b''.join(entries)


SETTINGS = [
    program(entry('Device', s('wan0'))),
    program(entry('Device', s('ppp0')), entry('ConnectCommand', strv('/usr/sbin/pppd', 'call', 'dsl')),
            entry('DisconnectCommand', strv('/bin/true')), entry('Persistent', u(1)),
            entry('ConnectTimeoutSec', u(45)), entry('DisconnectTimeoutSec', u(5)),
            entry('RedialIntervalSec', u(10)), entry('RedialMaxIntervalSec', u(600)),
            entry('RedialAttempts', u(0))),
    program(entry('Device', s('wan0')), entry('Enabled', u(0))),
    program(entry('Device', s('wan0')), entry('Device', s('wan1'))),
    program(entry('Device', s('a/b'))),
    program(entry('Device', s('wan0')), entry('ConnectTimeoutSec', u(0))),
    program(entry('Device', s('wan0')), entry('RedialIntervalSec', u(9)), entry('RedialMaxIntervalSec', u(3))),
    program(entry('Device', s('wan0')), entry('ConnectCommand', strv(''))),
    program(entry('Device', s('wan0')), entry('ConnectCommand', bytes([0]))),
    program(entry('Device', s('wan0')), entry('ConnectCommand', strv('pppd', "it's \"quoted\" \\ $x"))),
    program(entry('Device', s('wan0')), entry('ConnectCommand', strv('pppd', 'two\nlines'))),
    program(entry('Device', s('wan0')), entry('DisconnectCommand', strv('kill', 'a\nb'))),
    program(entry('Device', s('wan0')), entry('Enabled', s('yes'), typed=200)),
    program(entry('ConnectTimeoutSec', u(3))),
    bytes([2, 230, 0]) + s('Bogus') + bytes([9]) + s('x') + entry('Device', s('wan0')),
    bytes([1, 0, 200, 0xa0 | 1]) + bytes([0] * 12),
]

# ── shell-words: even first byte: a line to split; odd: NUL-separated argv ─
LINES = [
    '/usr/sbin/pppd call dsl-provider nodetach unit 0',
    '/usr/sbin/openvpn --config "/etc/openvpn/client/site-b.conf" --dev tun-site-b',
    "sh -c 'echo \"$HOME\" `id`' \"a\\\"b\" c\\ d e\\\\f",
    "''  \"\"  a''b",
    "unterminated 'single",
    'unterminated "double',
    'trailing\\',
    'line\\\njoined "in\\\nside" \'keeps\\\nit\'',
    '\t  \n  ',
    '"\\$ \\` \\" \\\\ \\n \\a"',
]
ARGVS = [
    ['pppd', 'call', 'x y'],
    ['', "it's", 'a\nb', '#', '~', '*', '$x', 'a=b'],
    ['a=b', 'c=d'],
    ["'", '"', '\\', ' '],
]

# ── names: interface names, device names and paths ────────────────────────
NAMES = [
    'wan0', 'site-b', 'a', 'A.b_c-9', '0wan', '.hidden', '-dash', 'x' * 64, 'x' * 65, 'with space', 'wan/0',
    'w\xe4n', '', '/org/wand/Router1/interface/wan0', '/org/wand/Router1/interface/site_2db',
    '/org/wand/Router1/interface/_30wan', '/org/wand/Router1/interface/wan_30',
    '/org/wand/Router1/interface/a_00b', '/org/wand/Router1/interface/_zz', '/org/wand/Router1/interface/',
    '/org/wand/Router1/interface/a/b', '/org/wand/Router1/interface', 'site_2db', '_2e_2e', 'eth0:1', '..',
]


def main():
    for t in ('config', 'config-update', 'config-set-enabled', 'settings-bus', 'shell-words', 'names'):
        clear_seeds(t)
    for c in CONFIG:
        write('config', c)
    for i, text in enumerate(EDITED):
        write('config-set-enabled', bytes([i % 16]) + text.encode())
        for u in UPDATES:
            write('config-update', u + text.encode())
    for p in SETTINGS:
        write('settings-bus', p)
    for line in LINES:
        write('shell-words', b'\x00' + line.encode())
    for argv in ARGVS:
        write('shell-words', b'\x01' + b'\x00'.join(w.encode() for w in argv))
    for n in NAMES:
        write('names', n)
    return 0


if __name__ == '__main__':
    sys.exit(main())
