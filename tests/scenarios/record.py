#!/usr/bin/python3
"""Records the scenario captures from real peers.

Each scenario starts the peer that produces one failure (Samba smbd with a
private configuration, an MIT KDC, dropbear, a small listener) on port 445
(and 88) in a network namespace of its own, runs a client against it
(smbclient, or smbdiag probe where only the probe shows the failure) and
captures ports 445 and 88 with dumpcap. cases.json says, for each capture, what
`smbdiag analyze` must find; it is written by hand, never from the
analyzer's output.

  record.py DIR            writes DIR/<name>.pcapng for every scenario
                           (tests/scenarios to refresh the committed ones)
  record.py --check        records into a temporary folder and checks
                           cases.json against today's peers (TAP; the
                           interop suite runs this)
  record.py ... NAME...    only these scenarios
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'interop'))
sys.path.insert(0, HERE)
import krblab  # noqa: E402
import peers  # noqa: E402
from listeners import Listener, silent_then_reset, swallow_session  # noqa: E402
import run_scenarios  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
SMBDIAG = os.path.join(BUILD, 'src', 'cli', 'smbdiag')
SMB = 445
UPSTREAM = 4455          # smbd behind a relaying listener (not captured)
USERS = {'alice': 'Secret123', 'bob': 'Bob12345'}


def smbclient(unc, user='alice%Secret123', args=()):
    return peers.smbclient(SMB, unc, user=user, args=args)


def probe(unc, *args, user='alice%Secret123'):
    cmd = [SMBDIAG, 'probe', unc, '--auth', 'ntlm', '--json'] + list(args)
    cmd += ['-U', user] if user else ['-N']
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)


def smbd(**kw):
    kw.setdefault('users', USERS)
    kw.setdefault('port', SMB)
    return peers.Smbd(**kw)


# --- the scenarios: each starts its peer, then runs the client inside
# capture() (so that the capture holds the client's connections only, not
# the checks that the peer listens) ---

def ok_smb311(capture):
    with smbd(), capture():
        smbclient('//127.0.0.1/data')


def tree_bad_network_name(capture):
    with smbd(), capture():
        smbclient('//127.0.0.1/dta')


def tree_access_denied(capture):
    with smbd(shares={'data': {'valid users': 'bob'}}), capture():
        smbclient('//127.0.0.1/data')


def tree_access_denied_anonymous(capture):
    with smbd(options={'restrict anonymous': '2'}), capture():
        smbclient('//127.0.0.1/data', user=None)


def tree_encryption_required(capture):
    with smbd(shares={'data': {'smb encrypt': 'required'}}), capture():
        smbclient('//127.0.0.1/data', args=['-m', 'SMB2_10'])


def session_encryption_required(capture):
    with smbd(options={'server smb encrypt': 'required'}), capture():
        smbclient('//127.0.0.1/data', args=['-m', 'SMB2_10'])


def session_logon_failure(capture):
    with smbd(), capture():
        smbclient('//127.0.0.1/data', user='alice%wrong-password')


def session_guest_fallback(capture):
    with smbd(options={'map to guest': 'bad user'}, shares={'data': {'guest ok': 'yes'}}), capture():
        smbclient('//127.0.0.1/data', user='nosuchuser%whatever')


def session_signing_mismatch(capture):
    with smbd(options={'server signing': 'mandatory'}), capture():
        probe('//127.0.0.1/data', '--signing', 'off', '--no-experiments')


def session_no_response(capture):
    with smbd(port=UPSTREAM), Listener(swallow_session(UPSTREAM), port=SMB), capture():
        probe('//127.0.0.1/data', '--timeout', '2', '--no-experiments')


def negotiate_no_common_dialect(capture):
    with smbd(options={'server min protocol': 'SMB3'}), capture():
        smbclient('//127.0.0.1/data', args=['-m', 'SMB2_10'])


def negotiate_smb1_in_use(capture):
    with smbd(options={'server min protocol': 'NT1'}), capture():
        smbclient('//127.0.0.1/data', args=['-m', 'NT1', '--option=client min protocol=NT1'])


def negotiate_invalid_response(capture):
    with smbd(options={'smb2 max read': '32768', 'smb2 max write': '32768', 'smb2 max trans': '32768'}), capture():
        smbclient('//127.0.0.1/data')


def negotiate_no_response(capture):
    with Listener(silent_then_reset(3), port=SMB), capture():
        probe('//127.0.0.1/data', '--timeout', '2', '--no-experiments')


def negotiate_not_smb(capture):
    with peers.Dropbear(port=SMB), capture():
        probe('//127.0.0.1/data', '--timeout', '2', '--no-experiments')


def negotiate_different_servers(capture):
    with smbd(options={'interfaces': '127.0.0.1', 'netbios name': 'FSA'}), \
            smbd(host='127.0.0.2', options={'netbios name': 'FSB'}), capture():
        for address in ('127.0.0.1', '127.0.0.2'):
            smbclient('//fs.lab.test/data', args=['-I', address])


# --- Kerberos: an MIT KDC on port 88 (SMBDIAG.TEST: alice, cifs/fs1.smbdiag.test),
# smbd with the service's keytab, smbclient --use-kerberos=required ---

class KerberosLab:
    def __init__(self, rotate_key=False):
        self.rotate_key = rotate_key
        self.kdc = self.smbd = None
        self.saved = os.environ.get('KRB5_CONFIG')

    def __enter__(self):
        self.work = tempfile.mkdtemp(prefix='smbdiag-scenario-krb-')
        keytab = os.path.join(self.work, 'server.keytab')
        self.kdc = peers.Kdc(principals={'alice': krblab.PASSWORD, f'cifs/{krblab.HOST}': None}, port=88).start()
        self.kdc.kadmin('modprinc +requires_preauth alice')
        krblab.drop_pac(self.kdc, f'cifs/{krblab.HOST}')
        self.kdc.keytab(f'cifs/{krblab.HOST}', keytab)
        if self.rotate_key:  # a new key at the KDC; smbd keeps the old one
            self.kdc.keytab(f'cifs/{krblab.HOST}', os.path.join(self.work, 'rotated.keytab'))
        self.env = krblab.client_env(self.kdc)
        self.smbd = smbd(options=krblab.smbd_options(keytab)).start()
        return self

    def smbclient(self, host, password=krblab.PASSWORD):
        cmd = ['smbclient', f'//{host}/data', '-p', str(SMB), '--use-kerberos=required',
               '-U', f'alice@{krblab.REALM}%{password}', '-c', 'ls']
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=90,
                              env=self.env, stdin=subprocess.DEVNULL)

    def __exit__(self, *exc):
        krblab.cleanup(self.work, self.smbd, self.kdc)
        if self.saved is None:
            os.environ.pop('KRB5_CONFIG', None)
        else:
            os.environ['KRB5_CONFIG'] = self.saved


def kerberos_ok(capture):
    with KerberosLab() as lab, capture():
        lab.smbclient(krblab.HOST)


def kerberos_preauth_failed(capture):
    with KerberosLab() as lab, capture():
        lab.smbclient(krblab.HOST, password='wrong-password')


def kerberos_spn_unknown(capture):
    with KerberosLab() as lab, capture():
        lab.smbclient(krblab.ALIAS)


def kerberos_ticket_rejected(capture):
    with KerberosLab(rotate_key=True) as lab, capture():
        lab.smbclient(krblab.HOST)


def nbss_client_rejected(capture):
    with smbd(options={'hosts allow': '10.9.9.9', 'hosts deny': '127.0.0.1'}), capture():
        smbclient('//127.0.0.1/data')


SCENARIOS = {
    'ok-smb311': ok_smb311,
    'tree-bad-network-name': tree_bad_network_name,
    'tree-access-denied': tree_access_denied,
    'tree-encryption-required': tree_encryption_required,
    'session-encryption-required': session_encryption_required,
    'session-logon-failure': session_logon_failure,
    'session-guest-fallback': session_guest_fallback,
    'tree-access-denied-anonymous': tree_access_denied_anonymous,
    'session-signing-mismatch': session_signing_mismatch,
    'session-no-response': session_no_response,
    'negotiate-no-common-dialect': negotiate_no_common_dialect,
    'negotiate-smb1-in-use': negotiate_smb1_in_use,
    'negotiate-invalid-response': negotiate_invalid_response,
    'negotiate-no-response': negotiate_no_response,
    'negotiate-not-smb': negotiate_not_smb,
    'negotiate-different-servers': negotiate_different_servers,
    'nbss-client-rejected': nbss_client_rejected,
    'kerberos-ok': kerberos_ok,
    'kerberos-preauth-failed': kerberos_preauth_failed,
    'kerberos-spn-unknown': kerberos_spn_unknown,
    'kerberos-ticket-rejected': kerberos_ticket_rejected,
}


def record(name, folder):
    path = os.path.join(folder, name + '.pcapng')
    if os.path.exists(path):
        os.unlink(path)
    SCENARIOS[name](lambda: peers.Capture(path, f'tcp port {SMB} or port 88'))
    return path


def main():
    args = sys.argv[1:]
    check = '--check' in args
    args = [a for a in args if a != '--check']
    folder = None if check else (args.pop(0) if args else None)
    if not check and not folder:
        sys.exit(__doc__)
    names = args or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        sys.exit('unknown scenario: ' + ', '.join(unknown))
    peers.require('smbd', 'smbpasswd', 'smbclient', 'dumpcap', 'dropbear', 'dropbearkey', 'krb5kdc', 'kadmin.local',
                  'unshare', 'ip', 'mount', SMBDIAG)
    peers.private_netns(mount=True)
    peers.add_loopback_address('127.0.0.2')
    peers.private_hosts(['127.0.0.1 fs.lab.test', '127.0.0.2 fs.lab.test',
                         f'127.0.0.1 {krblab.HOST}', f'127.0.0.1 {krblab.ALIAS}'])
    if not check:
        for name in names:
            print(name, record(name, os.path.abspath(folder)), flush=True)
        return
    cases = {c['name']: c for c in run_scenarios.load_cases()}
    tap = peers.Tap()
    with tempfile.TemporaryDirectory(prefix='smbdiag-scenarios-') as d:
        for name in names:
            started = time.monotonic()
            path = record(name, d)
            if name not in cases:
                tap.ok(False, f'{name}: no case in cases.json')
                continue
            problems, out = run_scenarios.check(SMBDIAG, cases[name], path)
            tap.ok(not problems, f'{name} recorded now ({time.monotonic() - started:.1f} s): {cases[name]["about"]}',
                   '\n'.join(problems) + '\n' + out)
        if tap.failed and os.environ.get('SMBDIAG_KEEP_TMP'):
            shutil.copytree(d, d + '-kept')
            tap.diag('captures kept in ' + d + '-kept')
    sys.exit(tap.done())


if __name__ == '__main__':
    main()
