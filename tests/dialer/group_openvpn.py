# SPDX-License-Identifier: LGPL-2.1-or-later
"""dialer-openvpn: a real VPN link. openvpn (static key, p2p) between our
network namespace and a peer namespace joined by a veth pair; wand connects
site-b, a ping crosses the tunnel, the link survives a restart of wand,
Disconnect() tears it down.
"""

import os
import shutil
import socket
import subprocess
import time

from harness import OPENVPN, Failure, check, link_connected, link_info, log, proc_alive, proc_cmdline, run, wait_until


def ping(address):
    if shutil.which('ping'):
        return subprocess.run(['ping', '-n', '-c1', '-W2', address], capture_output=True).returncode == 0
    return icmp_echo(address, 2)


def icmp_echo(address, timeout):
    """One ICMP echo without iputils-ping."""
    import struct

    def checksum(data):
        s = sum(struct.unpack(f'!{len(data) // 2}H', data))
        s = (s >> 16) + (s & 0xffff)
        return ~(s + (s >> 16)) & 0xffff

    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as s:
        ident = os.getpid() & 0xffff
        header = struct.pack('!BBHHH', 8, 0, 0, ident, 1)
        payload = b'wand-dialer-test'
        s.sendto(struct.pack('!BBHHH', 8, 0, checksum(header + payload), ident, 1) + payload, (address, 0))
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            s.settimeout(max(0.01, end - time.monotonic()))
            try:
                data, src = s.recvfrom(2048)
            except socket.timeout:
                return False
            ihl = (data[0] & 0xf) * 4
            if src[0] == address and data[ihl] == 0 and struct.unpack('!H', data[ihl + 4:ihl + 6])[0] == ident:
                return True
    return False


def openvpn_link(w):
    key = w.path('static.key')
    run([OPENVPN, '--genkey', 'secret', key])
    os.chmod(key, 0o600)
    static = ['--secret', key, '--cipher', 'AES-256-CBC', '--auth', 'SHA256']

    # The peer site: its own network namespace, held by a sleeping process.
    peer = subprocess.Popen(['unshare', '--net', '--', 'sleep', '1000000'])
    w.helpers.append(peer)
    own_ns = os.readlink('/proc/self/ns/net')
    wait_until(lambda: os.path.exists(f'/proc/{peer.pid}/ns/net') and
               os.readlink(f'/proc/{peer.pid}/ns/net') != own_ns, 5, 'the peer network namespace')
    in_peer = ['nsenter', f'--target={peer.pid}', '--net', '--']
    run(['ip', 'link', 'set', 'lo', 'up'])
    run(['ip', 'link', 'add', 'veth-site', 'type', 'veth', 'peer', 'name', 'veth-peer', 'netns', str(peer.pid)])
    run(['ip', 'addr', 'add', '10.77.0.1/24', 'dev', 'veth-site'])
    run(['ip', 'link', 'set', 'veth-site', 'up'])
    run(in_peer + ['ip', 'link', 'set', 'lo', 'up'])
    run(in_peer + ['ip', 'addr', 'add', '10.77.0.2/24', 'dev', 'veth-peer'])
    run(in_peer + ['ip', 'link', 'set', 'veth-peer', 'up'])
    wait_until(lambda: ping('10.77.0.2'), 10, 'the peer to answer over the veth')

    server = subprocess.Popen(in_peer + [OPENVPN, '--dev', 'tun-srv', '--dev-type', 'tun', '--proto', 'udp',
                                         '--port', '1194', '--float', '--ifconfig', '10.99.0.1', '10.99.0.2', *static,
                                         '--verb', '3'],
                              stdout=open(w.path('server.log'), 'w'), stderr=subprocess.STDOUT)
    w.helpers.append(server)
    server_log = lambda: open(w.path('server.log')).read()  # noqa: E731
    try:
        # Static key, p2p: it listens once its tun is up and its socket bound.
        wait_until(lambda: 'link local' in server_log() or server.poll() is not None, 10, 'the openvpn server')
        check(server.poll() is None, 'the openvpn server exited')
    except Failure:
        log('openvpn server log:\n' + server_log())
        raise

    w.write_iface('site-b', Device='tun-site', ConnectTimeoutSec=20, DisconnectTimeoutSec=10,
                  ConnectCommand=[OPENVPN, '--dev', 'tun-site', '--dev-type', 'tun', '--proto', 'udp', '--nobind',
                                  '--remote', '10.77.0.2', '1194', '--ifconfig', '10.99.0.2', '10.99.0.1', *static,
                                  '--verb', '3'])
    w.start_wand()
    w.settle_fd_baseline()
    i = w.iface('site-b')
    check(i.path == '/org/wand/Router1/interface/site_2db', f'site-b has the path {i.path}')
    i.expect_state('disconnected')
    check(not ping('10.99.0.1'), '10.99.0.1 answers before the tunnel is up')

    timings = {}
    for round_ in (1, 2):
        c = i.connect()
        c.expect_ok(25)
        timings.setdefault('connect', []).append(c.elapsed)
        check(link_connected('tun-site'), f'tun-site is not up: {link_info("tun-site")}')
        i.expect_state('connected')
        pid = i.dialer_pid()
        check(pid and proc_cmdline(pid)[:1] == [OPENVPN], f'the recorded dialer {pid} is not openvpn')
        t = time.monotonic()
        wait_until(lambda: ping('10.99.0.1'), 10, 'a ping across the tunnel to 10.99.0.1')
        timings.setdefault('ping', []).append(time.monotonic() - t + c.elapsed)
        if round_ == 2:
            # A restart of wand drops no link: the tunnel carries traffic
            # while wand is down, and the new wand adopts openvpn.
            w.stop_wand()
            check(proc_alive(pid) and ping('10.99.0.1'), 'the tunnel went down with wand')
            w.start_wand()
            w.settle_fd_baseline()
            i = w.iface('site-b')
            i.expect_state('connected')
            check(i.dialer_pid() == pid and proc_alive(pid), 'openvpn was not adopted')
            check(ping('10.99.0.1'), 'no ping across the tunnel after the restart of wand')
            log('openvpn: the link survived a restart of wand (pid unchanged, pings across)')
        d = i.disconnect()
        d.expect_ok(20)
        timings.setdefault('disconnect', []).append(d.elapsed)
        check(link_info('tun-site') is None, 'tun-site still exists when Disconnect() replied')
        check(not proc_alive(pid), f'openvpn (pid {pid}) still runs when Disconnect() replied')
        i.expect_state('disconnected')
        check(not ping('10.99.0.1'), '10.99.0.1 still answers after Disconnect()')
        w.expect_clean(['site-b'], ['tun-site'])
    check('site-b: ' in w.log_text() and 'tun-site' in w.log_text(), 'openvpn\'s output is not in the log')
    fmt = lambda k: ', '.join(f'{v:.3f}' for v in timings[k])  # noqa: E731
    log(f'openvpn timings (s): Connect() {fmt("connect")}; first ping across after {fmt("ping")}; '
        f'Disconnect() {fmt("disconnect")} (the second of an adopted openvpn)')
    log('openvpn server log (peer namespace):\n' + server_log())
    check(server.poll() is None, 'the openvpn server died')


def scenarios(w):
    """The one scenario sets up the peer first, then starts wand."""
    return [openvpn_link]
