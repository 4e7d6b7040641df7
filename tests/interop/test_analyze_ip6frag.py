#!/usr/bin/python3
"""`smbdiag analyze` reassembles IPv6 fragments: Kerberos over UDP on ::1.

In a network namespace this test makes (`unshare -n`; skipped with the
reason when that is not allowed), loopback gets an MTU of 1280 bytes (the
IPv6 minimum). An MIT KDC for a throw-away realm listens on port 88 and
kinit talks to it over UDP on [::1] (udp_preference_limit = 65535) as a
principal with a long name that requires pre-authentication, so that the
KRB-ERROR (PREAUTH_REQUIRED, its ETYPE-INFO2 salts hold the name) and the
AS-REP (the name again, a ticket with a PAC) exceed the MTU and the kernel
sends them as IPv6 fragments. dumpcap records the namespace's loopback;
`smbdiag analyze` must then report every Kerberos message — those
reassembled from fragments included — with the frame, message type, error
code and realm of tshark's dissection of the same file.
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
MESSAGE_TYPES = {'AS-REQ': 10, 'AS-REP': 11, 'TGS-REQ': 12, 'TGS-REP': 13, 'AP-REQ': 14, 'AP-REP': 15,
                 'KRB-ERROR': 30}
# A long name: it is in the AS-REQ, in each ETYPE-INFO2 salt of the
# KRB-ERROR and twice in the AS-REP, well past 1280 bytes together.
PRINCIPAL = 'alice/' + 'fragmented-' * 55
PASSWORD = 'Secret123'


class Kdc6(peers.Kdc):
    """peers.Kdc, reached on [::1] (the KDC listens on every address)."""

    def _write_conf(self):
        super()._write_conf()
        path = os.path.join(self.dir, 'krb5.conf')
        with open(path) as f:
            text = f.read()
        with open(path, 'w') as f:
            f.write(text.replace(f'kdc = 127.0.0.1:{self.port}', f'kdc = [::1]:{self.port}'))


def outside():
    """Runs this script again in a new network namespace."""
    return peers.rerun_in_new_netns(__file__, IN_NETNS)


def tshark_kerberos(path):
    r = subprocess.run(['tshark', '-r', path, '-Y', 'kerberos', '-T', 'fields', '-E', 'occurrence=f',
                        '-e', 'frame.number', '-e', 'kerberos.msg_type', '-e', 'kerberos.error_code',
                        '-e', 'kerberos.realm', '-e', 'ipv6.fragment.count'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
    out = []
    for line in r.stdout.splitlines():
        f = (line.split('\t') + [''] * 5)[:5]
        out.append({'frame': int(f[0]), 'type': int(f[1]), 'error': int(f[2]) if f[2] else None,
                    'realm': f[3], 'fragments': int(f[4]) if f[4] else 0})
    return out


def tshark_fragment_frames(path):
    r = subprocess.run(['tshark', '-r', path, '-Y', 'ipv6.fraghdr', '-T', 'fields', '-e', 'frame.number'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
    return [int(x) for x in r.stdout.split()]


def inside():
    tap = peers.Tap()
    for cmd in (['ip', 'link', 'set', 'lo', 'up'], ['ip', 'link', 'set', 'lo', 'mtu', '1280']):
        subprocess.run(cmd, check=True, timeout=30)
    link = subprocess.run(['ip', 'link', 'show', 'lo'], stdout=subprocess.PIPE, text=True, timeout=30).stdout
    tap.ok('mtu 1280' in link, 'namespace loopback up with MTU 1280', link)
    tmp = tempfile.mkdtemp(prefix='smbdiag-ip6frag-')
    try:
        with Kdc6(port=88, principals={}, libdefaults={'udp_preference_limit': '65535'}) as kdc:
            add = kdc.kadmin(f'addprinc -pw {PASSWORD} +requires_preauth {PRINCIPAL}')
            path = os.path.join(tmp, 'kinit6.pcapng')
            with peers.Capture(path, 'ip6'):
                r = subprocess.run(['kinit', PRINCIPAL], input=PASSWORD + '\n', env=kdc.env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
            tap.ok(r.returncode == 0, 'kinit over UDP to [::1]:88 gets a ticket', add.stdout + r.stdout)
            check_capture(tap, path)
    finally:
        if os.environ.get('SMBDIAG_KEEP_TMP') is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


def check_capture(tap, path):
    want = tshark_kerberos(path)
    fragmented = [m for m in want if m['fragments'] > 1]
    frag_frames = tshark_fragment_frames(path)
    tap.ok(len(fragmented) >= 2 and any(m['type'] == 30 for m in fragmented)
           and any(m['type'] == 11 for m in fragmented),
           f'tshark: the KRB-ERROR and the AS-REP came in IPv6 fragments ({len(frag_frames)} fragment frames, '
           f'{len(fragmented)} datagrams)', json.dumps(want))
    r = subprocess.run([SMBDIAG, 'analyze', '--json', '--stats', path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=120)
    try:
        got = json.loads(r.stdout).get('kerberos', [])
    except ValueError:
        got = []
    mine = [{'frame': k.get('frame'), 'type': MESSAGE_TYPES.get(k.get('message')), 'error': k.get('error'),
             'realm': k.get('realm', '')} for k in got]
    theirs = [{'frame': m['frame'], 'type': m['type'], 'error': m['error'], 'realm': m['realm']} for m in want]
    tap.ok(r.returncode == 0 and mine == theirs and len(mine) >= 4,
           f'smbdiag analyze reports the {len(theirs)} Kerberos messages with tshark\'s frames, message types, '
           'error codes and realms', f'smbdiag {json.dumps(mine)}\ntshark  {json.dumps(theirs)}\n{r.stderr}')
    by_frame = {m['frame']: m for m in mine}
    tap.ok(all(by_frame.get(m['frame'], {}).get('type') == m['type'] for m in fragmented)
           and any(by_frame.get(m['frame'], {}).get('error') == 25 for m in fragmented),
           'the reassembled datagrams: KRB-ERROR KDC_ERR_PREAUTH_REQUIRED (25) and AS-REP, at the frame of '
           'their last fragment', f'{json.dumps(mine)}\n{json.dumps(fragmented)}')
    stats = [line for line in r.stderr.splitlines() if line.startswith('IP fragments')]
    tap.ok(stats and f'datagrams rebuilt {len(fragmented)},' in stats[0] and 'malformed 0' in stats[0]
           and f'IP fragments {len(frag_frames)} ' in stats[0],
           'the counters agree: every fragment seen, every fragmented datagram rebuilt, none malformed',
           r.stderr)


def main():
    peers.require('krb5kdc', 'kdb5_util', 'kadmin.local', 'kinit', 'dumpcap', 'tshark', 'ip', SMBDIAG)
    if os.environ.get(IN_NETNS) != '1':
        return outside()
    return inside()


if __name__ == '__main__':
    sys.exit(main())
