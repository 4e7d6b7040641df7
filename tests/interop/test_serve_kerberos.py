#!/usr/bin/python3
"""`smbdiag serve` accepting Kerberos with a keytab, against a real MIT KDC.

The KDC (realm SMBDIAG.TEST) holds alice and cifs/fs1, cifs/alias and
cifs/other (.smbdiag.test). The server's keytab holds fs1 and alias; its
policy accepts only fs1 (SmbServerNameHardeningLevel 2, [kerberos]
ServiceNames). Clients: smbclient --use-kerberos=required with a ccache from
kinit, `smbdiag probe --auth kerberos`, impacket's kerberosLogin from the
same ccache, all reaching 127.0.0.1 by -I while the name stays the SPN.
Cases: success (signed; sealed with --client-protection=encrypt and on an
EncryptData share); NTLM still working beside Kerberos; a name in the keytab
but not accepted (session.name_hardening); a name not in the keytab and a
stale keytab after `cpw -randkey` (kerberos.ticket_rejected with the kvno);
the server's clock 15 minutes ahead under faketime (kerberos.clock_skew);
an AP-REQ in two SPNEGO fragments (impacket, reassembled); a bare GSS
token without SPNEGO; a recorded AP-REQ sent again (KRB_AP_ERR_REPEAT, kerberos.other); a
keytab with the right kvno but another key (kerberos.ticket_rejected);
hardening level 0 accepting any key of the keytab; a missing keytab.
"""
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krblab  # noqa: E402
import peers  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
SMBDIAG = os.path.join(BUILD, 'src', 'cli', 'smbdiag')
from krblab import ALIAS, HOST, REALM  # noqa: E402
OTHER = 'other.smbdiag.test'

IMPACKET = r'''
import sys
from impacket import spnego
from impacket.smbconnection import SMBConnection, SessionError
port, name, raw = int(sys.argv[1]), sys.argv[2], sys.argv[3] == 'raw'
if raw:
    # The bare GSS Kerberos token, without SPNEGO, as Windows may send it.
    spnego.SPNEGO_NegTokenInit.getData = lambda self: self['MechToken']
if sys.argv[3] == 'frag':
    # The SPNEGO token over two SESSION_SETUP legs (MS-SPNG 3.1.5.4), the
    # first answered MORE_PROCESSING_REQUIRED with an empty blob.
    from impacket import smb3, smb3structs
    send = smb3.SMB3.sendSMB
    def fragmenting_send(self, packet):
        if packet['Command'] != smb3structs.SMB2_SESSION_SETUP or getattr(self, 'fragmented', False):
            return send(self, packet)
        self.fragmented = True
        setup = packet['Data']
        whole = setup['Buffer']
        setup['Buffer'], setup['SecurityBufferLength'] = whole[:300], 300
        ans = self.recvSMB(send(self, packet))
        print('first_fragment=0x%08x blob=%d' % (ans['Status'], len(ans['Data'])))
        self._Session['SessionID'] = ans['SessionID']
        setup['Buffer'], setup['SecurityBufferLength'] = whole[300:], len(whole) - 300
        return send(self, packet)
    smb3.SMB3.sendSMB = fragmenting_send
step = 'negotiate'
try:
    c = SMBConnection(name, '127.0.0.1', sess_port=port, timeout=15)
    step = 'session_setup'
    c.kerberosLogin('alice', '', 'SMBDIAG.TEST', useCache=True)
    print('signing=%s' % c.isSigningRequired())
    step = 'tree_connect'
    t = c.connectTree('data')
    c.disconnectTree(t)
    c.logoff()
    print('result=ok')
except SessionError as e:
    print('result=%s step=%s' % (e.getErrorString()[0], step))
except Exception as e:
    print('result=exception step=%s %s: %s' % (step, type(e).__name__, e))
'''


class Serve:
    """smbdiag serve --json-log on a free port; events read back."""

    def __init__(self, config, env):
        self.config, self.env = config, env
        self.port = peers.free_port()
        self.log = config + f'.{self.port}.jsonl'
        self.proc = None
        self.seen = 0

    def __enter__(self):
        with open(self.log, 'w') as out:
            self.proc = subprocess.Popen([SMBDIAG, 'serve', '-c', self.config, '--listen',
                                                        f'127.0.0.1:{self.port}', '--json-log'],
                                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=self.env)
        if not peers.wait_listening(self.port):
            peers.stop_process(self.proc)
            raise RuntimeError('smbdiag serve did not listen: ' + self.text())
        time.sleep(0.1)
        self.new_events()
        return self

    def __exit__(self, *exc):
        peers.stop_process(self.proc)

    def text(self):
        with open(self.log, errors='replace') as f:
            return f.read()

    def new_events(self):
        """Events (and connection reports) written since the last call."""
        time.sleep(0.3)
        out, self.seen = peers.json_lines_after(self.log, self.seen, errors='replace')
        return out


def smbclient(env, port, host, share='data', args=(), kerberos=True):
    cmd = ['smbclient', f'//{host}/{share}', '-p', str(port), '-I', '127.0.0.1', '-c', 'exit']
    if kerberos:
        cmd += ['--use-kerberos=required', '-N']
    else:
        cmd += ['--use-kerberos=disabled', '-U', 'alice%Secret123']
    cmd += list(args)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60,
                       stdin=subprocess.DEVNULL, env=env)
    return r.returncode, f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout}'


def probe(env, host, port, *args, share='data'):
    return krblab.probe(SMBDIAG, env, f'//{host}:{port}/{share}', *args, user=None)


def ids(report):
    return [f.get('id') for f in (report or {}).get('findings', [])]


def session(report):
    conns = (report or {}).get('connections') or [{}]
    return conns[0].get('session') or {}


def of(events, kind):
    return [e for e in events if e.get('event') == kind]


def reports(events):
    """The per-connection reports (the rules' findings)."""
    return [e for e in events if e.get('tool') == 'smbdiag']


def report_ids(events):
    return [f.get('id') for r in reports(events) for f in r.get('findings', [])]


def report_evidence(events, fid):
    return [line for r in reports(events) for f in r.get('findings', []) if f.get('id') == fid
            for line in f.get('evidence', [])]


def show(events, out=''):
    return out + '\n' + '\n'.join(json.dumps(e)[:600] for e in events)


class Relay:
    """A loopback TCP relay to the server that keeps what the client sent."""

    def __init__(self, port):
        self.port, self.sent = port, bytearray()
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.listener.settimeout(30)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            client, _ = self.listener.accept()
        except OSError:
            return
        server = socket.create_connection(('127.0.0.1', self.port), timeout=30)
        deadline = time.monotonic() + 60
        with client, server:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([client, server], [], [], 1.0)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        self.sent += data
                        server.sendall(data)
                    else:
                        client.sendall(data)


def frames(data):
    out, i = [], 0
    while i + 4 <= len(data):
        n = struct.unpack('>I', b'\0' + bytes(data[i + 1:i + 4]))[0]
        out.append(bytes(data[i:i + 4 + n]))
        i += 4 + n
    return out


def replay_session_setup(port, recorded):
    """Sends a recorded connection again up to its first SESSION_SETUP;
    returns that answer's NTSTATUS (None when there was none)."""
    with socket.create_connection(('127.0.0.1', port), timeout=15) as s:
        for frame in frames(recorded):
            s.sendall(frame)
            head = b''
            while len(head) < 4:
                chunk = s.recv(4 - len(head))
                if not chunk:
                    return None
                head += chunk
            n = struct.unpack('>I', b'\0' + head[1:])[0]
            body = b''
            while len(body) < n:
                chunk = s.recv(n - len(body))
                if not chunk:
                    return None
                body += chunk
            if body[:4] == b'\xfeSMB' and struct.unpack('<H', body[12:14])[0] == 1:
                return struct.unpack('<I', body[8:12])[0]
    return None


def replay_case(tap, env, s):
    relay = Relay(s.port)
    rc, rep, out = probe(env, HOST, relay.listener.getsockname()[1], '--auth', 'kerberos')
    relay.thread.join(timeout=30)
    relay.listener.close()
    s.new_events()
    status = replay_session_setup(s.port, relay.sent) if rc == 0 else None
    ev = s.new_events()
    ref = of(ev, 'refused')
    tap.ok(status == 0xC000006D and ref and ref[0].get('krb_error') == 34
           and ref[0].get('finding') == 'kerberos.other' and 'replay' in ref[0].get('text', '').lower(),
           'the same AP-REQ sent again: KRB_AP_ERR_REPEAT, refused as a replay', show(ev, out))
    tap.ok(report_ids(ev) == ['kerberos.other'],
           'replay: the connection report says kerberos.other only (not ticket_rejected, not logon_failure)',
           show(ev))


def write_config(path, keytab, level=2, service_names=f'cifs/{HOST}', extra=''):
    with open(path, 'w') as f:
        f.write(f'''[server]
{extra}NetbiosName = FS1
DnsName = {HOST}
SmbServerNameHardeningLevel = {level}
SrvAllowedServerNames = fs1

[kerberos]
Keytab = {keytab}
ServiceNames = {service_names}

[user alice]
Password = Secret123

[share data]
Path = share

[share sealed]
Path = share
EncryptData = true
''')


def success_cases(tap, env, s):
    rc, out = smbclient(env, s.port, HOST)
    ev = s.new_events()
    auth = of(ev, 'session_auth')
    tap.ok(rc == 0 and of(ev, 'tree_ok') and not of(ev, 'refused'),
           'smbclient -k: Kerberos session and tree connect succeed', show(ev, out))
    tap.ok(auth and auth[0].get('mechanism') == 'kerberos' and auth[0].get('user') == 'alice'
           and auth[0].get('target_name') == f'cifs/{HOST}' and auth[0].get('kvno') == 2
           and auth[0].get('realm') == REALM,
           'smbclient -k: the log names the client, the service name, realm and the ticket kvno', show(ev))

    rc, out = smbclient(env, s.port, HOST, args=['--client-protection=sign'])
    ev = s.new_events()
    ok = of(ev, 'session_ok')
    tap.ok(rc == 0 and ok and ok[0].get('signed') and of(ev, 'tree_ok'),
           'smbclient -k --client-protection=sign: signed session with the Kerberos key', show(ev, out))

    # 2.x signs with the first 16 bytes of the key, 3.0 derives keys from them.
    for m in ('SMB2_10', 'SMB3_00'):
        rc, out = smbclient(env, s.port, HOST, args=['--client-protection=sign', '-m', m,
                                                     '--option', f'client min protocol={m}'])
        ev = s.new_events()
        ok = of(ev, 'session_ok')
        tap.ok(rc == 0 and ok and ok[0].get('signed') and of(ev, 'tree_ok'),
               f'smbclient -k -m {m} --client-protection=sign: signed session', show(ev, out))

    rc, out = smbclient(env, s.port, HOST, args=['--client-protection=encrypt'])
    ev = s.new_events()
    tree = of(ev, 'tree_ok')
    tap.ok(rc == 0 and tree and tree[0].get('encrypted'),
           'smbclient -k --client-protection=encrypt: sealed tree connect decrypts with the Kerberos key',
           show(ev, out))

    # AES-256 cipher keys come from the whole 32-byte Kerberos key (MS-SMB2 3.3.5.5.3).
    rc, out = smbclient(env, s.port, HOST, args=['--client-protection=encrypt',
                                                 '--option=client smb3 encryption algorithms=AES-256-GCM'])
    ev = s.new_events()
    neg, tree = of(ev, 'negotiated'), of(ev, 'tree_ok')
    tap.ok(rc == 0 and neg and neg[0].get('cipher') == 'AES-256-GCM' and tree and tree[0].get('encrypted'),
           'smbclient -k, AES-256-GCM only: sealed with the full 32-byte session key', show(ev, out))

    rc, rep, out = probe(env, HOST, s.port, '--auth', 'kerberos')
    ev = s.new_events()
    sess = session(rep)
    neg = ((rep or {}).get('connections') or [{}])[0].get('negotiate') or {}
    tap.ok(rc == 0 and sess.get('mechanism') == 'kerberos' and sess.get('signed'),
           'probe --auth kerberos: success, signed', out)
    tap.ok({'ms-kerberos', 'kerberos', 'ntlmssp'} <= set(neg.get('server_mechanisms') or []),
           'NEGOTIATE hint offers MS-KRB5, KRB5 and NTLMSSP', out)

    rc, rep, out = probe(env, HOST, s.port, '--auth', 'kerberos', share='sealed')
    s.new_events()
    tap.ok(rc == 0 and session(rep).get('encrypted'), 'probe --auth kerberos, EncryptData share: sealed', out)


    rc, out = smbclient(env, s.port, HOST, kerberos=False)
    ev = s.new_events()
    auth = of(ev, 'session_auth')
    tap.ok(rc == 0 and auth and auth[0].get('mechanism') == 'ntlmssp' and of(ev, 'tree_ok'),
           'NTLM beside Kerberos: smbclient without Kerberos still logs on', show(ev, out))
    rc, rep, out = probe(env, HOST, s.port, '--auth', 'ntlm', '-U', 'alice%Secret123')
    s.new_events()
    tap.ok(rc == 0 and session(rep).get('mechanism') == 'ntlmssp', 'NTLM beside Kerberos: probe --auth ntlm', out)


def impacket(env, port, how):
    r = subprocess.run(['/usr/bin/python3', '-c', IMPACKET, str(port), HOST, how], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60, stdin=subprocess.DEVNULL,
                       env=dict(env, KRB5CCNAME=env['KRB5CCNAME'].replace('FILE:', '')))
    return r.stdout


def impacket_cases(tap, env, work):
    """impacket's AP-REQ asks no mutual authentication: the key is the
    ticket's session key, so a server that requires signing proves that
    the acceptor gave the same key without an AP-REP subkey."""
    if subprocess.run(['/usr/bin/python3', '-c', 'import impacket'], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        tap.skip('impacket', 'impacket not installed for /usr/bin/python3')
        tap.skip('impacket raw token', 'impacket not installed for /usr/bin/python3')
        tap.skip('impacket fragments', 'impacket not installed for /usr/bin/python3')
        return
    subprocess.run(['kvno', f'cifs/{HOST}'], env=env, timeout=30, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)   # the service ticket into the ccache impacket reads
    config = os.path.join(work, 'signing.ini')
    write_config(config, 'serve.keytab', extra='RequireSecuritySignature = yes\n')
    with Serve(config, env) as s:
        out = impacket(env, s.port, 'spnego')
        ev = s.new_events()
        auth, ok = of(ev, 'session_auth'), of(ev, 'session_ok')
        tap.ok('result=ok' in out and 'signing=True' in out and auth and auth[0].get('mechanism') == 'kerberos'
               and ok and ok[0].get('signed'),
               'impacket kerberosLogin (ccache ticket, no mutual auth), signing required: success', show(ev, out))
        out = impacket(env, s.port, 'frag')
        ev = s.new_events()
        tap.ok('result=ok' in out and 'first_fragment=0xc0000016' in out and of(ev, 'session_ok')
               and of(ev, 'tree_ok'), 'AP-REQ in two SPNEGO fragments: reassembled, signed session', show(ev, out))
        out = impacket(env, s.port, 'raw')
        ev = s.new_events()
        auth = of(ev, 'session_auth')
        tap.ok('result=ok' in out and auth and auth[0].get('mechanism') == 'kerberos' and of(ev, 'tree_ok')
               and 'no SPNEGO' in auth[0].get('text', ''),
               'raw GSS Kerberos token without SPNEGO: accepted, signed session', show(ev, out))


def refusal_cases(tap, env, s):
    rc, out = smbclient(env, s.port, ALIAS)
    ev = s.new_events()
    ref = of(ev, 'refused')
    tap.ok(rc != 0 and 'ACCESS_DENIED' in out and ref and ref[0].get('finding') == 'session.name_hardening'
           and ref[0].get('rule') == 'SPN' and any('MS-SMB2' in x for x in ref[0].get('refs', []))
           and f'cifs/{ALIAS}' in ref[0].get('text', ''),
           'name in the keytab but not accepted: ACCESS_DENIED, session.name_hardening with rule and section',
           show(ev, out))
    tap.ok('session.name_hardening' in report_ids(ev), 'name not accepted: the connection report agrees',
           show(ev))
    rc, rep, out = probe(env, ALIAS, s.port, '--auth', 'kerberos')
    s.new_events()
    # Without an NTLM CHALLENGE the probe cannot ask again under the
    # server's own name: the name check is named among the candidates.
    other = [f for f in rep.get('findings', []) if f.get('id') == 'session.other'] if rep else []
    tap.ok(rc == 12 and other and any(f'name check (SmbServerNameHardeningLevel) refusing the name the client asked '
                                      f'for (cifs/{ALIAS}' in e for e in other[0].get('evidence', []))
           and session(rep).get('mechanism') == 'kerberos',
           'name not accepted: probe --auth kerberos names the name check among the causes', out)

    rc, out = smbclient(env, s.port, OTHER)
    ev = s.new_events()
    ref = of(ev, 'refused')
    tap.ok(rc != 0 and ref and ref[0].get('finding') == 'kerberos.ticket_rejected'
           and ref[0].get('krb_error') in (35, 45) and 'not found in keytab' in ref[0].get('text', ''),
           'name not in the keytab: kerberos.ticket_rejected with the GSS text', show(ev, out))
    tap.ok(report_ids(ev).count('kerberos.ticket_rejected') == 1 and 'kerberos.other' not in report_ids(ev),
           'name not in the keytab: the connection report says kerberos.ticket_rejected only', show(ev))


def skew_case(tap, env, config):
    if not os.path.exists(krblab.FAKETIME):
        tap.skip('clock skew', 'libfaketime not installed (scripts/install-deps)')
        return
    # The acceptor's clock 15 minutes ahead (libfaketime preloaded after
    # the ASan runtime in a sanitizer build); monotonic timers stay real.
    with Serve(config, krblab.skewed_env(env, SMBDIAG, '+15m')) as s:
        rc, out = smbclient(env, s.port, HOST)
        ev = s.new_events()
    ref = of(ev, 'refused')
    tap.ok(rc != 0 and ref and ref[0].get('finding') == 'kerberos.clock_skew' and ref[0].get('krb_error') == 37
           and ref[0].get('status_name') == 'STATUS_TIME_DIFFERENCE_AT_DC' and 'skew' in ref[0].get('text', '').lower(),
           'server clock 15 min ahead: KRB_AP_ERR_SKEW -> kerberos.clock_skew', show(ev, out))
    tap.ok('kerberos.clock_skew' in report_ids(ev), 'clock skew: the connection report agrees', show(ev))


def wrong_key_case(tap, env, work):
    """The right name and key version, another key (a machine password out
    of sync, a duplicate SPN): the ticket does not decrypt."""
    if not shutil.which('ktutil'):
        tap.skip('wrong key', 'ktutil not installed')
        return
    wrong = os.path.join(work, 'wrong.keytab')
    subprocess.run(['ktutil'], input=f'addent -password -p cifs/{HOST}@{REALM} -k 2 -e aes256-cts-hmac-sha1-96\n'
                   f'NotTheKey1\nwkt {wrong}\nquit\n', text=True, env=env, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    config = os.path.join(work, 'wrong.ini')
    write_config(config, 'wrong.keytab')
    with Serve(config, env) as s:
        rc, out = smbclient(env, s.port, HOST)
        ev = s.new_events()
    ref = of(ev, 'refused')
    tap.ok(rc != 0 and ref and ref[0].get('finding') == 'kerberos.ticket_rejected'
           and ref[0].get('krb_error') in (31, 41) and 'kvno 2' in ref[0].get('text', ''),
           'same kvno, another key: KRB_AP_ERR_BAD_INTEGRITY/MODIFIED -> kerberos.ticket_rejected', show(ev, out))


def stale_case(tap, env, kdc, s):
    # The KDC's key moves on (kvno 3); the server's keytab still holds kvno 2.
    kdc.kadmin(f'cpw -randkey cifs/{HOST}')
    subprocess.run(['kdestroy'], env=env, timeout=30, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(['kinit', 'alice'], input='Secret123\n', text=True, env=env, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rc, out = smbclient(env, s.port, HOST)
    ev = s.new_events()
    ref = of(ev, 'refused')
    tap.ok(rc != 0 and 'LOGON_FAILURE' in out and ref and ref[0].get('finding') == 'kerberos.ticket_rejected'
           and ref[0].get('krb_error') == 44 and 'kvno 3' in ref[0].get('text', ''),
           'stale keytab: LOGON_FAILURE, kerberos.ticket_rejected, KRB_AP_ERR_BADKEYVER, kvno 3 in the text',
           show(ev, out))
    tap.ok(any('kvno) 3' in line for line in report_evidence(ev, 'kerberos.ticket_rejected')),
           'stale keytab: the connection report shows the ticket kvno', show(ev))
    rc, rep, out = probe(env, HOST, s.port, '--auth', 'kerberos')
    s.new_events()
    tap.ok(rc != 0 and 'kerberos.ticket_rejected' in ids(rep), 'stale keytab: probe --auth kerberos says '
           'kerberos.ticket_rejected', out)


def main():
    peers.require('krb5kdc', 'kdb5_util', 'kadmin.local', 'kinit', 'smbclient', SMBDIAG)
    peers.isolated_loopback()
    tap = peers.Tap()
    work = tempfile.mkdtemp(prefix='smbdiag-servekrb-')
    os.makedirs(os.path.join(work, 'share'))
    keytab = os.path.join(work, 'serve.keytab')
    kdc = None
    try:
        # Unlike the smbd tests, the tickets keep their PAC (pac=True).
        kdc = krblab.start_realm(keytab, services=(f'cifs/{HOST}', f'cifs/{ALIAS}', f'cifs/{OTHER}'),
                                 keytab_services=(f'cifs/{HOST}', f'cifs/{ALIAS}'), pac=True)  # kvno 2
        env = krblab.client_env(kdc, export=False)
        subprocess.run(['kinit', 'alice'], input='Secret123\n', text=True, env=env, timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        config = os.path.join(work, 'kerberos.ini')
        write_config(config, 'serve.keytab')

        missing = os.path.join(work, 'missing.ini')
        write_config(missing, 'no-such.keytab')
        r = subprocess.run([SMBDIAG, 'serve', '-c', missing, '--listen', f'127.0.0.1:{peers.free_port()}'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30, env=env,
                           stdin=subprocess.DEVNULL)
        tap.ok(r.returncode == 2 and 'no-such.keytab' in r.stdout, 'a missing keytab stops serve with the reason',
               r.stdout)

        with Serve(config, env) as s:
            success_cases(tap, env, s)
            refusal_cases(tap, env, s)
            replay_case(tap, env, s)
        impacket_cases(tap, env, work)
        skew_case(tap, env, config)
        wrong_key_case(tap, env, work)

        open_config = os.path.join(work, 'level0.ini')
        write_config(open_config, 'serve.keytab', level=0)
        with Serve(open_config, env) as s:
            rc, out = smbclient(env, s.port, ALIAS)
            ev = s.new_events()
            tap.ok(rc == 0 and of(ev, 'tree_ok'), 'SmbServerNameHardeningLevel 0: any key of the keytab is accepted',
                   show(ev, out))

        with Serve(config, env) as s:
            stale_case(tap, env, kdc, s)
    except Exception as e:  # noqa: BLE001 - report the peer failure as a test failure
        tap.ok(False, 'peers start and the clients run', repr(e))
    finally:
        krblab.cleanup(work, kdc)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
