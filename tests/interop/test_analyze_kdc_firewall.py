#!/usr/bin/python3
"""`smbdiag analyze` says how a firewall refused the KDC: ICMP errors to
Kerberos over TCP and UDP, IPv4 and IPv6.

In a network namespace this test makes (`unshare -n`; skipped with the
reason when that is not allowed, or without nft), an nftables rule
rejects TCP and UDP to the realm's KDC port with "administratively
prohibited" (ICMP type 3 code 13; ICMPv6 type 1 code 1). MIT kinit, with
udp_preference_limit = 1, first tries TCP (its SYN gets the ICMP error,
so no request can be sent) and then UDP (the AS-REQ gets one), once to
127.0.0.1 and once to [::1]. dumpcap records the namespace's loopback;
`smbdiag analyze --krb-port` must then give, at tshark's frames:

- a record of the refused TCP connection (message none, the SYN's frame)
  refused by the ICMP / ICMPv6 error that quotes the SYN;
- each UDP AS-REQ refused by the error that quotes it;
- reason admin_prohibited with the ICMP type and code, and who sent it;
- kerberos.kdc_unreachable from those refusals, though no SMB follows.

Then `smbdiag probe --auth kerberos` against the same firewall: MIT's
library only says it could not contact a KDC, so the probe's own UDP
datagram to the KDC (a follow-up experiment) must get the same ICMP error
and kerberos.kdc_unreachable must say a firewall refuses it.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
SMBDIAG = os.path.join(BUILD, 'src', 'cli', 'smbdiag')
IN_NETNS = 'SMBDIAG_TEST_IN_NETNS'
REALM = 'FIREWALLED.TEST'
TABLE = 'smbdiag_kdc_firewall'
FAMILIES = {
    # name: (KDC address in krb5.conf, ICMP field prefix, type, code, refused.by, address as reported)
    'IPv4': ('127.0.0.1', 'icmp', 3, 13, 'icmp', '127.0.0.1'),
    'IPv6': ('[::1]', 'icmpv6', 1, 1, 'icmpv6', '[0:0:0:0:0:0:0:1]'),
}


def outside():
    """Runs this script again in a new network namespace."""
    if shutil.which('nft') is None:
        peers.skip_all('nft (nftables) is missing: cannot make the firewall rule')
    return peers.rerun_in_new_netns(__file__, IN_NETNS)


def firewall(port):
    """Rejects TCP and UDP to port on this namespace's input; the commands'
    output (for the diagnostic)."""
    cmds = [['nft', 'add', 'table', 'inet', TABLE],
            ['nft', 'add', 'chain', 'inet', TABLE, 'input', '{ type filter hook input priority 0; }'],
            ['nft', 'add', 'rule', 'inet', TABLE, 'input', 'tcp', 'dport', str(port), 'reject', 'with', 'icmpx',
             'type', 'admin-prohibited'],
            ['nft', 'add', 'rule', 'inet', TABLE, 'input', 'udp', 'dport', str(port), 'reject', 'with', 'icmpx',
             'type', 'admin-prohibited']]
    log = ''
    for cmd in cmds:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        log += f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout}'
        if r.returncode != 0:
            raise RuntimeError(log)
    return log


def kinit(work, kdc, port):
    """MIT kinit to a KDC behind the firewall: the command's log."""
    conf = os.path.join(work, 'krb5.conf')
    with open(conf, 'w') as f:
        f.write('[libdefaults]\n'
                f'  default_realm = {REALM}\n'
                '  dns_lookup_kdc = false\n  dns_lookup_realm = false\n'
                '  udp_preference_limit = 1\n'
                f'[realms]\n  {REALM} = {{\n    kdc = {kdc}:{port}\n  }}\n')
    env = dict(os.environ, KRB5_CONFIG=conf, KRB5CCNAME='FILE:' + os.path.join(work, 'ccache'), LANG='C',
               LC_ALL='C')
    r = subprocess.run(['kinit', f'alice@{REALM}'], input='Secret123\n', env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    return f'$ kinit alice@{REALM} (kdc = {kdc}:{port})\nexit {r.returncode}\n{r.stdout}'


def tshark_frames(path, port, display):
    r = subprocess.run(['tshark', '-r', path, '-d', f'udp.port=={port},kerberos', '-Y', display,
                        '-T', 'fields', '-e', 'frame.number'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
    return [int(x) for x in r.stdout.split()]


def check_family(tap, name, path, port, report, log):
    kdc, icmp, itype, icode, by, addr = FAMILIES[name]
    ip = 'ip' if name == 'IPv4' else 'ipv6'
    err = f'{icmp}.type == {itype} && {icmp}.code == {icode}'
    not_quoted = '!icmp && !icmpv6'   # tshark dissects the copy an ICMP error quotes
    syns = tshark_frames(path, port, f'{ip} && tcp.dstport == {port} && tcp.flags.syn == 1 && '
                                     f'tcp.flags.ack == 0 && {not_quoted}')
    tcp_errors = tshark_frames(path, port, f'{err} && tcp.dstport == {port}')
    requests = tshark_frames(path, port, f'{ip} && kerberos.msg_type == 10 && {not_quoted}')
    udp_errors = tshark_frames(path, port, f'{err} && udp.dstport == {port}')
    tap.ok(syns and tcp_errors and requests and udp_errors,
           f'{name}: tshark sees the SYN and the AS-REQ each answered by {icmp} type {itype} code {icode}',
           f'syn {syns} icmp {tcp_errors} as-req {requests} icmp {udp_errors}\n{log}')
    recs = [k for k in report.get('kerberos', []) if k.get('kdc', '').startswith(addr + ':')]
    conns = [k for k in recs if k.get('message') == 'none']
    want = {'by': by, 'reason': 'admin_prohibited', 'icmp_type': itype, 'icmp_code': icode, 'from': addr}
    tap.ok(bool(syns) and len(conns) == 1 and conns[0].get('frame') == syns[0],
           f'{name}: one record of the refused TCP connection, at the SYN\'s frame', json.dumps(recs))
    tap.ok(conns and tcp_errors and conns[0].get('refused') == dict(want, frame=tcp_errors[0]),
           f'{name}: refused by {by} admin_prohibited type {itype} code {icode}, at tshark\'s ICMP frame',
           f'{json.dumps(conns)}\ntshark {tcp_errors}')
    asreq = [k for k in recs if k.get('message') == 'AS-REQ']
    tap.ok(asreq and [k.get('frame') for k in asreq] == requests and
           [k.get('refused') for k in asreq] == [dict(want, frame=f) for f in udp_errors],
           f'{name}: each UDP AS-REQ refused by the {icmp} error quoting it, at tshark\'s frames',
           f'{json.dumps(asreq)}\ntshark as-req {requests} icmp {udp_errors}')


def probe_case(tap, work, port):
    """smbdiag probe --auth kerberos with the firewalled KDC: its library
    only says it could not contact a KDC; the probe's own UDP datagram gets
    the firewall's ICMP "administratively prohibited", and the finding says
    so. (The KDC's refusal needs no SMB server: nothing is connected.)"""
    kinit(work, FAMILIES['IPv4'][0], port)   # writes krb5.conf for this family
    env = dict(os.environ, KRB5_CONFIG=os.path.join(work, 'krb5.conf'), LANG='C', LC_ALL='C',
               KRB5CCNAME='MEMORY:probe')
    cmd = [SMBDIAG, 'probe', '//fs1.firewalled.test/data', '-I', '127.0.0.1', '--auth', 'kerberos',
           '-U', f'alice@{REALM}%Secret123', '--timeout', '5', '--json']
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, env=env)
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        rep = {}
    ev = ' | '.join(e for f in rep.get('findings', []) if f.get('id') == 'kerberos.kdc_unreachable'
                    for e in f.get('evidence', []))
    tap.ok(r.returncode == 12 and 'administratively prohibited (ICMP type 3 code 13 from 127.0.0.1): '
           'a firewall refuses it' in ev,
           'probe: its own check of the KDC gets the firewall\'s ICMP administratively prohibited',
           f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr}')


def inside():
    tap = peers.Tap()
    work = tempfile.mkdtemp(prefix='smbdiag-kdcfw-')
    try:
        subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True, timeout=30)
        port = peers.free_port()
        log = firewall(port)
        path = os.path.join(work, 'kdc-firewall.pcapng')
        with peers.Capture(path, f'port {port} or icmp or icmp6'):
            for name in FAMILIES:
                log += kinit(work, FAMILIES[name][0], port)
        tap.ok('Cannot contact any KDC' in log, 'kinit cannot reach the firewalled KDC', log)
        r = subprocess.run([SMBDIAG, 'analyze', '--json', '--krb-port', str(port), path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120)
        try:
            report = json.loads(r.stdout)
        except ValueError:
            report = {}
        tap.ok(r.returncode in (0, 4) and report.get('kerberos'), 'smbdiag analyze reads the capture',
               r.stdout[-3000:] + r.stderr)
        # kinit alone, no SMB connection: the refusals are still the finding.
        lines = [e for f in report.get('findings', []) if f.get('id') == 'kerberos.kdc_unreachable'
                 for e in f.get('evidence', [])]
        tap.ok(r.returncode == 4 and any('administratively prohibited' in e and 'no KDC answered this client' in e
                                         for e in lines),
               'no SMB connection: kerberos.kdc_unreachable from the refusals alone (exit 4)', json.dumps(lines))
        for name in FAMILIES:
            check_family(tap, name, path, port, report, log)
        probe_case(tap, work, port)
    except Exception as e:  # noqa: BLE001 - report the peer failure as a test failure
        tap.ok(False, 'the firewall and the client run', repr(e))
    finally:
        if os.environ.get('SMBDIAG_KEEP_TMP') is None:
            shutil.rmtree(work, ignore_errors=True)
    return tap.done()


def main():
    peers.require('kinit', 'dumpcap', 'tshark', 'ip', SMBDIAG)
    if os.environ.get(IN_NETNS) != '1':
        return outside()
    return inside()


if __name__ == '__main__':
    sys.exit(main())
