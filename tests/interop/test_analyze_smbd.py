#!/usr/bin/python3
"""`smbdiag analyze` on captures of real failures.

A private Samba smbd is made to refuse in the ways the SPEC's findings
describe, smbclient and impacket reproduce each failure while dumpcap
captures the loopback traffic, and `smbdiag analyze --smb-port PORT --json`
must name the expected finding (and exit 4); the successful sessions must
give no error finding (and exit 0). An encrypted session's tree connect
must stay hidden without the password and be analyzed with --password.
The listeners of listeners.py add what smbd cannot do: a NEGOTIATE that is
acknowledged and never answered until the client gives up, a quick reset,
a SESSION_SETUP swallowed after a real NEGOTIATE answer. Last, a live
capture (analyze -i lo --duration) must see a failure as it happens.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402
from listeners import Listener, closed_port, silent_then_reset, swallow_session  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
SMBDIAG = os.path.join(BUILD, 'src', 'cli', 'smbdiag')
PYTHON = '/usr/bin/python3'

IMPACKET_UNSIGNED = r'''
import sys
from impacket.smbconnection import SMBConnection
port = int(sys.argv[1])
c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port, preferredDialect=0x0210)
c.login('alice', 'Secret123')
s = c._SMBConnection
# A client that stops signing after the session is set up.
s._Session['SigningActivated'] = False
s._Session['SigningRequired'] = False
try:
    c.connectTree('data')
    print('tree connect accepted')
except Exception as e:
    print('refused:', e)
'''

IMPACKET_OK = r'''
import sys
from impacket.smbconnection import SMBConnection
c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=int(sys.argv[1]))
c.login('alice', 'Secret123')
c.connectTree('data')
c.logoff()
print('ok')
'''


def analyze(capture, port):
    r = subprocess.run([SMBDIAG, 'analyze', '--smb-port', str(port), '--json', capture],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    try:
        report = json.loads(r.stdout)
    except ValueError:
        report = {'findings': [], 'connections': []}
    return r.returncode, report, r.stderr


def ids(report, severity=None):
    return sorted(set(f['id'] for f in report.get('findings', [])
                      if severity is None or f.get('severity') == severity))


def captured(tmp, name, port, action):
    path = os.path.join(tmp, name + '.pcapng')
    with peers.Capture(path, f'tcp port {port}'):
        out = action()
    return path, out


def check(tap, tmp, name, port, action, expect, desc, exit_status=4, evidence=None):
    """expect: a finding id that must be there, or None for a clean session;
    exit_status None: any; evidence: words its evidence must hold."""
    path, out = captured(tmp, name, port, action)
    rc, report, err = analyze(path, port)
    found = ids(report)
    errors = ids(report, 'error')
    diag = f'exit {rc}; findings {found}; client said:\n{out}\n{err}'
    if expect is None:
        good = rc == 0 and not errors and len(report.get('connections', [])) > 0
    else:
        good = (exit_status is None or rc == exit_status) and expect in found
        if good and evidence:
            lines = ' '.join(e for f in report.get('findings', []) if f['id'] == expect
                             for e in f.get('evidence', []))
            good = all(w in lines for w in evidence)
    tap.ok(good, desc, diag)
    return report


def smbclient_action(port, unc, **kw):
    return lambda: peers.smbclient(port, unc, **kw).stdout


def python_action(script, port):
    return lambda: subprocess.run([PYTHON, '-c', script, str(port)], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=60).stdout


# impacket with a 3 s timeout: a client that gives up and closes, as
# Windows does after 60 s (the article's negotiate pattern).
IMPACKET_IMPATIENT = r'''
import sys
from impacket.smbconnection import SMBConnection
try:
    c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=int(sys.argv[1]), timeout=3, preferredDialect=0x0311)
    c.login('alice', 'Secret123')
    print('logged on')
except Exception as e:
    print('gave up:', e)
'''


def live_case(tap):
    """analyze -i lo --duration: the live capture sees smbclient's failure."""
    with peers.Smbd() as smbd:
        rc, report, log = peers.analyze_live(SMBDIAG, ['--smb-port', str(smbd.port)], 5,
                                             lambda: peers.smbclient(smbd.port, '//127.0.0.1/nosuch').stdout)
        tap.ok(rc == 4 and 'tree.bad_network_name' in ids(report),
               'live capture (analyze -i lo --duration 5): tree.bad_network_name, exit 4', log)


def probe_issue_cases(tap, tmp):
    """The probe issue's other failures, made by real clients and captured."""
    with peers.Smbd(shares={'data': {}, 'team': {'valid users': 'bob'}},
                    users={'alice': 'Secret123', 'bob': 'Bob12345'}) as smbd:
        p = smbd.port
        check(tap, tmp, 'validusers', p, smbclient_action(p, '//127.0.0.1/team'), 'tree.access_denied',
              'share denied by valid users: tree.access_denied')
    with peers.Smbd(shares={'data': {'guest ok': 'yes'}}, options={'map to guest': 'bad user'}) as smbd:
        p = smbd.port
        check(tap, tmp, 'guest', p, smbclient_action(p, '//127.0.0.1/data', user='nobodyhere%whatever'),
              'session.guest_fallback', 'unknown user, map to guest = bad user: session.guest_fallback (warning)',
              exit_status=0)
    silent = Listener(silent_then_reset(10.0))
    try:
        check(tap, tmp, 'silent', silent.port, python_action(IMPACKET_IMPATIENT, silent.port),
              'negotiate.no_response', 'NEGOTIATE acknowledged, never answered, client gives up: '
              'negotiate.no_response with the ACK and the wait', evidence=['ACK after', 'client gave up'])
    finally:
        silent.close()
    quick = Listener(silent_then_reset(0.5))
    try:
        check(tap, tmp, 'quickreset', quick.port, python_action(IMPACKET_IMPATIENT, quick.port),
              'negotiate.connection_closed', 'server resets 0.5 s after NEGOTIATE: negotiate.connection_closed',
              evidence=['reset by the server'])
    finally:
        quick.close()
    with peers.Smbd() as smbd:
        relay = Listener(swallow_session(smbd.port))
        try:
            check(tap, tmp, 'swallow', relay.port, python_action(IMPACKET_IMPATIENT, relay.port),
                  'session.no_response', 'NEGOTIATE answered, SESSION_SETUP swallowed: session.no_response',
                  evidence=['client gave up'])
        finally:
            relay.close()
    port = closed_port()
    check(tap, tmp, 'closed', port, smbclient_action(port, '//127.0.0.1/data'), 'tcp.refused',
          'nothing listens: tcp.refused')


# smbclient as an SMB1-only client (NT LM 0.12), the way old devices and
# Windows XP-era clients still connect.
SMB1_CLIENT = ['-m', 'NT1', '--option=client min protocol=NT1']
# Without SPNEGO: the account and an NTLMv1 response in the clear
# SESSION_SETUP_ANDX fields (smbclient warns that these options are
# deprecated; they still work in Samba 4.17).
SMB1_NO_SPNEGO = SMB1_CLIENT + ['--option=client use spnego=no', '--option=client ntlmv2 auth=no']


def tshark_frame_of(path, port, status):
    """The frame number tshark gives the SMB2 answer with status (hex)."""
    r = subprocess.run(['tshark', '-r', path, '-d', f'tcp.port=={port},nbss', '-Y', f'smb2.nt_status == {status}',
                        '-T', 'fields', '-e', 'frame.number'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True, timeout=60)
    return r.stdout.split()[0] if r.stdout.split() else None


def two_interface_case(tap, tmp):
    """Wireshark or dumpcap on two interfaces of different link types
    (loopback is Ethernet, a tun device raw IP) writes one pcapng that
    libpcap's reader refuses: analyze reads it with its own, with the frame
    numbers tshark gives. The tun device lives in the test's own network
    namespace, so this runs only there."""
    if os.environ.get('SMBDIAG_PRIVATE_NETNS') != '1' or not shutil.which('tshark'):
        tap.skip('two interfaces of different link types in one pcapng', 'needs a network namespace of its own '
                 '(root) and tshark')
        return
    made = subprocess.run(['ip', 'tuntap', 'add', 'dev', 'smbdtun0', 'mode', 'tun'], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=30)
    subprocess.run(['ip', 'link', 'set', 'smbdtun0', 'up'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=30)
    with peers.Smbd() as smbd:
        p = smbd.port
        path = os.path.join(tmp, 'two-interfaces.pcapng')
        with peers.Capture(path, f'tcp port {p}', iface=['lo', 'smbdtun0']):
            out = peers.smbclient(p, '//127.0.0.1/nosuch').stdout
        rc, report, err = analyze(path, p)
        steps = [s for c in report.get('connections', []) for s in c.get('steps', [])
                 if s.get('status_name') == 'STATUS_BAD_NETWORK_NAME']
        frame = tshark_frame_of(path, p, '0xc00000cc')
        tap.ok(made.returncode == 0 and rc == 4 and 'tree.bad_network_name' in ids(report) and steps
               and str(steps[0].get('frames', [0, 0])[1]) == frame,
               'pcapng of lo (Ethernet) and a tun device (raw IP): analyze reads it (libpcap cannot), '
               'tree.bad_network_name at the frame tshark numbers',
               f'{made.stdout}\nexit {rc}; tshark frame {frame}; steps {steps}\n{err}\n{out}')
        with open(path, 'rb') as f:
            piped = subprocess.run([SMBDIAG, 'analyze', '--smb-port', str(p), '--json', '-'], stdin=f,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        tap.ok(piped.returncode == rc and piped.stdout and json.loads(piped.stdout) == report,
               'the same pcapng on standard input (read once, its interfaces peeked): the same report',
               f'exit {piped.returncode}\n{piped.stderr}\n{piped.stdout[-2000:]}')


def two_clients(first, second):
    """An action running two clients one after the other (one capture)."""
    return lambda: first() + '\n' + second()


def elsewhere_cases(tap, tmp):
    """ACCESS_DENIED to a client that cannot encrypt: the capture's other
    connections to the same share tell encryption from permissions."""
    with peers.Smbd(shares={'team': {'valid users': 'bob'}, 'secret': {'smb encrypt': 'required'}},
                    users={'alice': 'Secret123', 'bob': 'Bob12345'}) as smbd:
        p = smbd.port
        old = ['-m', 'SMB2_10']
        check(tap, tmp, 'team_two', p,
              two_clients(smbclient_action(p, '//127.0.0.1/team', user='bob%Bob12345', args=old),
                          smbclient_action(p, '//127.0.0.1/team', args=old)),
              'tree.access_denied', 'bob (2.1) gets in, alice (2.1) is denied the same share: tree.access_denied, '
              'not encryption, with the connection that proves it', evidence=['reached the same share'])
        check(tap, tmp, 'secret_two', p,
              two_clients(smbclient_action(p, '//127.0.0.1/secret'),
                          smbclient_action(p, '//127.0.0.1/secret', args=old)),
              'tree.encryption_required', 'a 3.1.1 client is told the share demands encryption, a 2.1 client is '
              'denied it: tree.encryption_required with that connection as proof',
              evidence=['was told it demands encryption'])


def smb1_cases(tap, tmp):
    """SMB1 sessions and tree connects (SESSION_SETUP_ANDX,
    TREE_CONNECT_ANDX): the failures are found as on SMB2."""
    with peers.Smbd(shares={'data': {}, 'team': {'valid users': 'bob'}},
                    users={'alice': 'Secret123', 'bob': 'Bob12345'},
                    options={'server min protocol': 'NT1', 'ntlm auth': 'yes'}) as smbd:
        p = smbd.port
        report = check(tap, tmp, 'smb1_ok', p, smbclient_action(p, '//127.0.0.1/data', args=SMB1_CLIENT), None,
                       'SMB1 client, good share: no error finding, exit 0')
        trees = [c.get('tree', {}) for c in report.get('connections', [])]
        tap.ok(any(t.get('path', '').lower().endswith('\\data') and t.get('share_type') == 'disk' for t in trees),
               'SMB1 tree connect: the report names the share and its type', json.dumps(trees))
        check(tap, tmp, 'smb1_nosuch', p, smbclient_action(p, '//127.0.0.1/nosuch', args=SMB1_CLIENT),
              'tree.bad_network_name', 'SMB1 client, missing share: tree.bad_network_name',
              evidence=['TREE_CONNECT', 'NOSUCH', 'STATUS_BAD_NETWORK_NAME'])
        check(tap, tmp, 'smb1_team', p, smbclient_action(p, '//127.0.0.1/team', args=SMB1_CLIENT),
              'tree.encryption_required', 'SMB1 client denied by valid users: the tree connect failure is found, '
              'and the finding says a capture cannot tell encryption from permissions',
              evidence=['STATUS_ACCESS_DENIED', 'dialect 1.0 has no encryption', 'cannot tell this from share'])
        check(tap, tmp, 'smb1_badpw', p, smbclient_action(p, '//127.0.0.1/data', user='alice%wrong',
                                                           args=SMB1_NO_SPNEGO),
              'session.logon_failure', 'SMB1 logon without SPNEGO, wrong password: session.logon_failure '
              'names the account sent in the clear', evidence=['STATUS_LOGON_FAILURE', 'alice'])
    # A server that asks for no encrypted password (deprecated in Samba,
    # still honoured) and a client allowed to send it in clear.
    with peers.Smbd(options={'server min protocol': 'NT1', 'encrypt passwords': 'no'}) as smbd:
        p = smbd.port
        check(tap, tmp, 'smb1_plain', p,
              smbclient_action(p, '//127.0.0.1/data', args=SMB1_NO_SPNEGO + ['--option=client plaintext auth=yes',
                                                             '--option=client lanman auth=yes']),
              'negotiate.smb1_in_use', 'SMB1, encrypt passwords = no: the password sent in plain text is said '
              '(negotiate.smb1_in_use)', exit_status=None, evidence=['in plain text', 'alice'])


def main():
    peers.require('smbd', 'smbpasswd', 'smbclient', 'dumpcap', SMBDIAG)
    peers.isolated_loopback()
    tap = peers.Tap()
    tmp = tempfile.mkdtemp(prefix='smbdiag-analyze-')

    with peers.Smbd(shares={'data': {}, 'secret': {'smb encrypt': 'required'}}) as smbd:
        p = smbd.port
        report = check(tap, tmp, 'ok', p, smbclient_action(p, '//127.0.0.1/data'), None,
                       'smbclient session and tree connect: no error finding')
        conns = report.get('connections', [])
        tap.ok(any(c.get('tree', {}).get('path', '').lower().endswith('\\data') for c in conns)
               and any(c.get('session', {}).get('user') == 'alice' for c in conns),
               'the report names the share and the user', json.dumps(conns)[:2000])
        check(tap, tmp, 'nosuch', p, smbclient_action(p, '//127.0.0.1/nosuch'), 'tree.bad_network_name',
              'missing share: tree.bad_network_name')
        check(tap, tmp, 'badpw', p, smbclient_action(p, '//127.0.0.1/data', user='alice%wrong'),
              'session.logon_failure', 'wrong password: session.logon_failure')
        check(tap, tmp, 'encrypt', p, smbclient_action(p, '//127.0.0.1/secret', args=['-m', 'SMB2_10']),
              'tree.encryption_required', 'share requires encryption, 2.1 client: tree.encryption_required')
        check(tap, tmp, 'impacket', p, python_action(IMPACKET_OK, p), None,
              'impacket (SMB1 multi-protocol negotiate first): no error finding')
        # Encrypted session (smbclient --client-protection=encrypt): the tree
        # connect travels sealed.
        path, out = captured(tmp, 'sealed', p,
                             smbclient_action(p, '//127.0.0.1/data', args=['--client-protection=encrypt']))
        rc, plain, err = analyze(path, p)
        trees = [c.get('tree', {}).get('path', '') for c in plain.get('connections', [])]
        tap.ok(rc == 0 and not any(t.lower().endswith('\\data') for t in trees),
               'encrypted smbclient session, no password: the sealed tree connect stays hidden, no error',
               f'{rc} {trees} {err}')
        r = subprocess.run([SMBDIAG, 'analyze', '--smb-port', str(p), '--json', '--password', 'Secret123', path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        try:
            dec = json.loads(r.stdout)
        except ValueError:
            dec = {}
        trees = [c.get('tree', {}).get('path', '') for c in dec.get('connections', [])]
        tap.ok(r.returncode == 0 and any(t.lower().endswith('\\data') for t in trees),
               'encrypted smbclient session, --password: the decrypted tree connect to \\data is analyzed',
               f'{r.returncode} {trees} {r.stderr}')

    with peers.Smbd(options={'server smb encrypt': 'required'}) as smbd:
        p = smbd.port
        check(tap, tmp, 'encrypt_all', p, smbclient_action(p, '//127.0.0.1/data', args=['-m', 'SMB2_10']),
              'session.encryption_required',
              'server-wide encryption required, 2.1 client: session.encryption_required')

    with peers.Smbd(options={'server min protocol': 'SMB3'}) as smbd:
        p = smbd.port
        check(tap, tmp, 'minproto', p, smbclient_action(p, '//127.0.0.1/data', args=['-m', 'SMB2_10']),
              'negotiate.no_common_dialect', 'server min protocol SMB3, SMB2-only client: '
              'negotiate.no_common_dialect')

    with peers.Smbd(options={'server signing': 'mandatory'}) as smbd:
        p = smbd.port
        check(tap, tmp, 'signed_ok', p, smbclient_action(p, '//127.0.0.1/data'), None,
              'signing mandatory, smbclient signs: no error finding')
        check(tap, tmp, 'unsigned', p, python_action(IMPACKET_UNSIGNED, p), 'session.signing_mismatch',
              'signing mandatory, impacket stops signing after login: session.signing_mismatch')

    smb1_cases(tap, tmp)
    elsewhere_cases(tap, tmp)
    two_interface_case(tap, tmp)
    probe_issue_cases(tap, tmp)
    live_case(tap)

    if os.environ.get('SMBDIAG_KEEP_TMP') is None:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
