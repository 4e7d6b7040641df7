#!/usr/bin/env python3
"""smbdiag probe against SYNs that get no answer: tcp.timeout.

In a network namespace of its own (peers.private_netns; the kernel removes
it, and the nftables table in it, when the script ends however it ends), an
nftables rule drops TCP SYNs to one port on lo, the way a firewall that
drops rather than rejects does. The probe with --timeout N must give up
after about N seconds with exit 10 and tcp.timeout saying how long it
waited; a port nobody listens on (the kernel answers RST) must be
tcp.refused at once. Both over 127.0.0.1 and ::1.
"""
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402
import test_probe_smbd as tps  # noqa: E402  (probe(), finding_ids(), evidence())

DROPPED_PORT = 4451
REFUSED_PORT = 4452
TABLE = 'smbdiag_test'


def drop_syns(port):
    ruleset = f'''table inet {TABLE} {{
  chain input {{
    type filter hook input priority 0; policy accept;
    tcp dport {port} tcp flags & (syn | ack) == syn counter drop
  }}
}}
'''
    r = subprocess.run(['nft', '-f', '-'], input=ruleset, text=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=10)
    return r.returncode == 0, r.stdout


def dropped_packets():
    r = subprocess.run(['nft', 'list', 'table', 'inet', TABLE], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=10)
    m = re.search(r'counter packets (\d+)', r.stdout)
    return int(m.group(1)) if m else -1


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(('::1', 0))
        return True
    except OSError:
        return False


def waited(ev):
    """Seconds from 'within 2.0 s' / 'within 950.3 ms' in the evidence."""
    m = re.search(r'within ([0-9.]+) (ms|s)\b', ev)
    if not m:
        return None
    return float(m.group(1)) / (1000.0 if m.group(2) == 'ms' else 1.0)


def timed_probe(target, *args):
    start = time.monotonic()
    rc, rep, out = tps.probe(target, '--auth', 'ntlm', *args, timeout=60)
    return rc, rep, out, time.monotonic() - start


def tcp_step(rep):
    steps = tps.first_connection(rep).get('steps', [])
    return steps[0] if steps and steps[0].get('step') == 'tcp' else {}


def timeout_case(tap, host, label, timeout_s):
    before = dropped_packets()
    rc, rep, out, wall = timed_probe(f'//{host}:{DROPPED_PORT}/data', '--timeout', str(timeout_s))
    ev = tps.evidence(rep, 'tcp.timeout')
    w = waited(ev)
    tap.ok(dropped_packets() > before, f'{label}: the SYNs were dropped by the nftables rule', out)
    tap.ok(rc == 10 and tps.finding_ids(rep) == ['tcp.timeout'] and tcp_step(rep).get('ok') is False,
           f'{label}, --timeout {timeout_s}: exit 10, only tcp.timeout', out)
    tap.ok(w is not None and timeout_s * 0.9 <= w <= timeout_s + 1.0 and timeout_s * 0.9 <= wall <= timeout_s + 5.0,
           f'{label}, --timeout {timeout_s}: waited {w} s for the SYN (probe took {wall:.2f} s)', out)
    tap.ok(len(tps.first_connection(rep).get('steps', [])) == 1 and not (rep or {}).get('experiments'),
           f'{label}: nothing after the TCP step, no follow-up connections', out)


def refused_case(tap, host, label):
    rc, rep, out, wall = timed_probe(f'//{host}:{REFUSED_PORT}/data', '--timeout', '2')
    tap.ok(rc == 10 and tps.finding_ids(rep) == ['tcp.refused'] and 'reset' in tps.evidence(rep, 'tcp.refused')
           and wall < 2.0, f'{label}: port with no listener, RST at once: tcp.refused, exit 10 ({wall:.2f} s)', out)


def main():
    peers.require('nft', 'unshare', tps.SMBDIAG)
    peers.private_netns()
    ok, err = drop_syns(DROPPED_PORT)
    if not ok:
        peers.skip_all('nft cannot install a rule in the test namespace: ' + err.strip())
    tap = peers.Tap()
    timeout_case(tap, '127.0.0.1', 'IPv4 SYN dropped', 2)
    timeout_case(tap, '127.0.0.1', 'IPv4 SYN dropped', 1)
    refused_case(tap, '127.0.0.1', 'IPv4')
    if has_ipv6_loopback():
        timeout_case(tap, '[::1]', 'IPv6 SYN dropped', 2)
        refused_case(tap, '[::1]', 'IPv6')
    else:
        for desc in ('IPv6 SYN dropped', 'IPv6 refused'):
            tap.skip(desc, '::1 is not configured in the namespace (IPv6 disabled)')
    # No network but lo here: a name no hosts file holds cannot resolve,
    # and the report must say so (exit 10), not "No problem found".
    rc, rep, out, wall = timed_probe('//nosuch.invalid/data', '--timeout', '2')
    tap.ok(rc == 10 and tps.finding_ids(rep) == ['tcp.unresolved']
           and 'cannot resolve nosuch.invalid' in tps.evidence(rep, 'tcp.unresolved'),
           f'a name that does not resolve: tcp.unresolved, exit 10 ({wall:.2f} s)', out)
    # The text report names the wait too, for a person reading it.
    r = subprocess.run([tps.SMBDIAG, 'probe', f'//127.0.0.1:{DROPPED_PORT}/data', '--timeout', '1', '--auth', 'ntlm',
                        '-U', 'alice%Secret123'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=60, env=dict(os.environ, LANG='C', LC_ALL='C'))
    tap.ok(r.returncode == 10 and 'tcp.timeout' in r.stdout and 'no answer to the SYN within' in r.stdout,
           'text output: tcp.timeout with the wait', r.stdout)
    sys.exit(tap.done())


if __name__ == '__main__':
    main()
