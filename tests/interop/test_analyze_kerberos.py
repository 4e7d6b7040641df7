#!/usr/bin/python3
"""`smbdiag analyze` on captures of real Kerberos failures, and --keytab.

A throw-away MIT KDC (realm SMBDIAG.TEST, on a high port) holds alice,
carol (password expired), dave (not allowed tickets) and
cifs/fs1.smbdiag.test; smbd accepts Kerberos with a keytab of that
service key. dumpcap captures the loopback while a client reproduces each
case: smbclient --use-kerberos=required (its own Kerberos, getting the
TGT from -U user@REALM%password) and `smbdiag probe --auth kerberos`.
Every capture then goes through `smbdiag analyze --krb-port KDC
--smb-port SMBD` and must give:

- the finding id of the case (kerberos.spn_unknown, preauth_failed,
  client_revoked, key_expired, ticket_rejected; kerberos.kdc_unreachable
  when the client's krb5.conf names a port where no KDC listens, saying
  how the loopback refused: ICMP port unreachable tied to the UDP request
  it quotes, or, with Kerberos over TCP only, a reset to the SYN (the
  same frames as tshark's);
  kerberos.clock_skew when the probe runs one hour ahead under
  libfaketime), exit 4; a live capture (analyze -i lo --krb-port) sees
  a wrong password as it happens;
  on the successful session no error finding, exit 0;
- no finding for the normal KDC_ERR_PREAUTH_REQUIRED;
- the Kerberos exchanges tied to the SMB connection they served;
- on the probe's capture, the same kerberos.* error ids as the probe's
  own report;
- the Kerberos messages tshark dissects in the same file (frame, message
  type, error code, service name, realm).

An SMB 3.1.1 session encrypted from the start (smbclient
--client-protection=encrypt) hides its TREE_CONNECT; with --keytab of the
server the analyzer decrypts it and must show the share path, and the
paths must be those tshark shows when given the session key it learnt
itself from the same keytab (kerberos.decrypt with kerberos.file).
"""
import collections
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krblab  # noqa: E402
import peers  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
SMBDIAG = os.path.join(BUILD, 'src', 'cli', 'smbdiag')
from krblab import ALIAS, HOST, REALM  # noqa: E402


class Lab:
    def __init__(self, work, kdc, smbd, env):
        self.work, self.kdc, self.smbd, self.env = work, kdc, smbd, env
        self.krb_port = kdc.port   # where the clients look for the KDC

    def bpf(self):
        # icmp: a closed KDC port answers with ICMP port unreachable
        return f'port {self.krb_port} or port {self.smbd.port} or icmp'

    def smbclient(self, name, user, share='data', extra=()):
        cap = os.path.join(self.work, name + '.smbclient.pcapng')
        cmd = ['smbclient', f'//{share_host(name)}/{share}', '-p', str(self.smbd.port), '-I', '127.0.0.1',
               '--use-kerberos=required', '-U', f'{user}@{REALM}%{PASSWORDS.get(name, "Secret123")}',
               '-c', 'ls'] + list(extra)
        with peers.Capture(cap, self.bpf()):
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=90,
                               env=self.env, stdin=subprocess.DEVNULL)
        return cap, f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout[-1500:]}'

    def probe(self, name, user, share='data'):
        cap = os.path.join(self.work, name + '.probe.pcapng')
        cmd = [SMBDIAG, 'probe', f'//{share_host(name)}:{self.smbd.port}/{share}', '-I', '127.0.0.1', '--json',
               '--no-experiments', '--auth', 'kerberos', '-U', f'{user}%{PASSWORDS.get(name, "Secret123")}']
        with peers.Capture(cap, self.bpf()):
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
                               env=self.env, stdin=subprocess.DEVNULL)
        try:
            report = json.loads(r.stdout)
        except ValueError:
            report = {}
        return cap, report, f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-1000:]}'

    def analyze(self, cap, *extra):
        cmd = [SMBDIAG, 'analyze', '--krb-port', str(self.krb_port), '--smb-port', str(self.smbd.port),
               '--json'] + list(extra) + [cap]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        try:
            report = json.loads(r.stdout)
        except ValueError:
            report = {}
        return r.returncode, report, f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout[-4000:]}\n{r.stderr}'

    def dump(self, cap, *extra):
        cmd = [SMBDIAG, 'analyze', '--krb-port', str(self.krb_port), '--smb-port', str(self.smbd.port),
               '--dump-messages'] + list(extra) + [cap]
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120).stdout

    def tshark(self, cap, fields, *extra, display='kerberos'):
        cmd = ['tshark', '-r', cap, '-d', f'udp.port=={self.krb_port},kerberos',
               '-d', f'tcp.port=={self.krb_port},kerberos', '-d', f'tcp.port=={self.smbd.port},nbss']
        cmd += list(extra) + ['-Y', display, '-T', 'fields']
        for f in fields:
            cmd += ['-e', f]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=120)
        return [line.split('\t') for line in r.stdout.splitlines() if line]


PASSWORDS = {'wrongpw': 'Wrong999'}


def share_host(name):
    return ALIAS if name == 'alias' else HOST


def ids(report, severity=None):
    return [f.get('id') for f in report.get('findings', []) if severity is None or f.get('severity') == severity]


def krb_ids(report):
    return sorted({f['id'] for f in report.get('findings', [])
                   if f.get('id', '').startswith('kerberos.') and f.get('severity') == 'error'})


def krb_records(report):
    return report.get('kerberos', [])


def ours_krb(dump):
    out = []
    for line in dump.splitlines():
        cols = line.split('\t')
        if len(cols) >= 6 and cols[0] == 'K':
            out.append((int(cols[1]), int(cols[2]), int(cols[3]) if cols[3] else None, cols[4], cols[5]))
    return out


def tshark_krb(rows):
    out = []
    for cols in rows:
        cols += [''] * (5 - len(cols))
        types = [int(x) for x in cols[1].split(',') if x]
        errors = [int(x) for x in cols[2].split(',') if x]
        out.append((int(cols[0]), types[0] if types else None, errors[0] if errors else None, cols[3],
                    cols[4].split(',') if cols[4] else []))
    return out


def krb_compare(ours, theirs):
    """Differences between our Kerberos messages and tshark's: (frame, type,
    error) as multisets, then on each frame our service name must be one of
    tshark's SNameString runs and our realm one of its realms."""
    a = collections.Counter(m[:3] for m in theirs)
    b = collections.Counter(m[:3] for m in ours)
    diffs = [f'tshark only: {k}' for k in a - b] + [f'ours only: {k}' for k in b - a]
    by_frame = {m[0]: m for m in theirs}
    for frame, mtype, _err, sname, realm in ours:
        t = by_frame.get(frame)
        if t is None or t[1] != mtype:
            continue
        if sname and f',{sname},' not in f',{t[3]},':
            diffs.append(f'frame {frame}: service name ours {sname!r}, tshark {t[3]!r}')
        if realm and t[4] and realm not in t[4]:
            diffs.append(f'frame {frame}: realm ours {realm!r}, tshark {t[4]!r}')
    return diffs


def check_capture(tap, lab, what, cap, expect, log, preauth=True):
    """The analyzer's findings and Kerberos events on one capture. preauth:
    the KDC asks for pre-authentication in this case (not for a principal
    refused tickets: the KDC says so first); None: it depends on the client
    (MIT sends pre-authentication data once it knows the KDC wants it)."""
    rc, rep, out = lab.analyze(cap)
    errors = ids(rep, 'error')
    if expect:
        tap.ok(rc == 4 and expect in errors, f'{what}: {expect}, exit 4', log + out)
    else:
        tap.ok(rc == 0 and not errors, f'{what}: no error finding, exit 0', log + out)
    seen = any(k.get('error') == 25 for k in krb_records(rep))
    infos = [f for f in rep.get('findings', []) if f['id'] == 'kerberos.preauth_required']
    if preauth is None:
        preauth = seen
    # The client always went on with pre-authentication data here, so the
    # normal KDC_ERR_PREAUTH_REQUIRED gives no finding at all (issue 7); the
    # info finding is for a client that stopped there (unit tests).
    tap.ok(seen == preauth and not infos,
           f'{what}: KDC_ERR_PREAUTH_REQUIRED {"seen, and no finding for it" if preauth else "not asked"}', out)
    conns = rep.get('connections', [])
    recs = krb_records(rep)
    if conns:
        tap.ok(recs and all(k.get('connection') == conns[0]['id'] for k in recs),
               f'{what}: every Kerberos exchange tied to the SMB connection it served', out)
    else:
        # The probe asks the KDC before it connects and stops at a refusal.
        tap.ok(recs and all(k.get('connection') is None for k in recs) and expect,
               f'{what}: no SMB connection in the capture, the Kerberos exchanges stand alone', out)
    ours = ours_krb(lab.dump(cap))
    theirs = tshark_krb(lab.tshark(cap, ['frame.number', 'kerberos.msg_type', 'kerberos.error_code',
                                         'kerberos.SNameString', 'kerberos.realm'],
                                   display='kerberos && !icmp'))  # not the copy quoted in an ICMP error
    diffs = krb_compare(ours, theirs)
    tap.ok(theirs and not diffs, f'{what}: {len(ours)} Kerberos messages match tshark (type, error, name, realm)',
           '\n'.join(diffs) + f'\nours {ours}\ntshark {theirs}')
    return rep


def start_lab(work):
    keytab = os.path.join(work, 'smbd.keytab')
    kdc = krblab.start_realm(keytab, users=('alice', 'carol', 'dave'))
    kdc.kadmin('modprinc -pwexpire "2020-01-01 00:00:00" carol')
    kdc.kadmin('modprinc -allow_tix dave')
    env = krblab.client_env(kdc, os.path.join(work, 'client.ccache'))
    smbd = peers.Smbd(shares={'data': {}}, options=krblab.smbd_options(keytab)).start()
    return Lab(work, kdc, smbd, env), keytab


def write_keytab(path, principal, kvno, etype, key):
    """One entry in the MIT keytab file format (version 0x0502)."""
    def counted(s):
        return struct.pack('>H', len(s)) + s.encode()
    name, realm = principal.split('@')
    parts = name.split('/')
    body = struct.pack('>H', len(parts)) + counted(realm) + b''.join(counted(x) for x in parts)
    body += struct.pack('>IIBHH', 1, 0, kvno & 0xFF, etype, len(key)) + key + struct.pack('>I', kvno)
    with open(path, 'wb') as f:
        f.write(b'\x05\x02' + struct.pack('>i', len(body)) + body)


def keytab_variants(tap, lab, keytab, cap):
    """The service key found under another name or key version still opens
    the ticket (as an acceptor without a fixed name does); a wrong key does
    not, and the session stays hidden."""
    out = subprocess.run(['klist', '-Kke', keytab], stdout=subprocess.PIPE, text=True, env=lab.env).stdout
    m = re.search(r'^\s*(\d+) (\S+) \(aes256-cts-hmac-sha1-96\)\s+\(0x([0-9a-f]+)\)', out, re.M)
    if not m:
        tap.ok(False, 'keytab variants: the service key is listed by klist -Kke', out)
        return
    kvno, principal, key = int(m.group(1)), m.group(2), bytes.fromhex(m.group(3))
    want = f'\\\\{HOST}\\data'
    # (what, principal, kvno, enctype, key, opens, what the report says the keytab did)
    cases = [('another name', f'host/other.smbdiag.test@{REALM}', kvno, 18, key, True, None),
             ('another key version', principal, kvno + 5, 18, key, True, None),
             ('a wrong key', principal, kvno, 18, bytes([key[0] ^ 1]) + key[1:], False, ('wrong_key', 'stale')),
             ('only another enctype', principal, kvno, 17, key[:16], False, ('no_key', 'encryption type'))]
    for what, name, version, etype, value, opens, said in cases:
        path = os.path.join(lab.work, 'variant.keytab')
        write_keytab(path, name, version, etype, value)
        rc, rep, out = lab.analyze(cap, '--keytab', path)
        conn = (rep.get('connections') or [{}])[0]
        trees = [st.get('detail') for st in conn.get('steps', []) if st.get('step') == 'tree_connect']
        capture = conn.get('capture', {})
        why = not said or (capture.get('keytab') == said[0] and any(said[1] in n for n in capture.get('notes', [])))
        tap.ok(rc == 0 and (want in trees) == opens and why,
               f'--keytab with the key under {what}: the session is {"read" if opens else "still hidden"}'
               + (f', and the report says why ({said[0]})' if said else ''), out)


def encrypted_session(tap, lab, keytab):
    cap, log = lab.smbclient('sealed', 'alice', extra=['--client-protection=encrypt'])
    rep = check_capture(tap, lab, 'smbclient encrypted session', cap, None, log)
    conn = (rep.get('connections') or [{}])[0]
    s = conn.get('session') or {}
    tap.ok(s.get('mechanism') == 'kerberos' and s.get('target_name') == f'cifs/{HOST}' and s.get('encrypted'),
           'encrypted session: Kerberos, AP-REQ for cifs/<name>, encrypted', json.dumps(conn)[:3000])
    hidden = [st for st in conn.get('steps', []) if st.get('step') == 'tree_connect']
    tap.ok(not hidden, 'encrypted session: without the keytab no TREE_CONNECT is visible', json.dumps(conn)[:3000])

    rc, rep, out = lab.analyze(cap, '--keytab', keytab)
    conn = (rep.get('connections') or [{}])[0]
    trees = [st.get('detail') for st in conn.get('steps', []) if st.get('step') == 'tree_connect']
    want = f'\\\\{HOST}\\data'
    tap.ok(rc == 0 and want in trees and (conn.get('tree') or {}).get('path') == want,
           f'--keytab: the encrypted TREE_CONNECT is visible and is {want}', out)
    tap.ok((conn.get('session') or {}).get('user') == 'alice',
           '--keytab: the user comes from the decrypted ticket', out)

    # tshark's own view: it learns the acceptor's subkey from the same
    # keytab (AP-REP, frame of the SESSION_SETUP answer) and decrypts with
    # its first 16 bytes (AES-128 here).
    krb = ['-o', 'kerberos.decrypt:TRUE', '-o', f'kerberos.file:{keytab}']
    rows = lab.tshark(cap, ['kerberos.keyvalue', 'smb2.sesid'], *krb,
                      display='smb2.cmd == 1 && smb2.flags.response == 1 && kerberos.msg_type == 15')
    paths = []
    if rows and len(rows[0]) >= 2 and rows[0][0]:
        key = rows[0][0].split(',')[-1][:32]
        sid = int(rows[0][1].split(',')[0], 16).to_bytes(8, 'little').hex()
        seskey = ['-o', f'uat:smb2_seskey_list:{sid},{key},"",""']
        paths = [r[0] for r in lab.tshark(cap, ['smb2.tree'], *seskey,
                                          display='smb2.cmd == 3 && smb2.flags.response == 0') if r and r[0]]
    ours = [line.split('\t')[-1] for line in lab.dump(cap, '--keytab', keytab).splitlines()
            if line.split('\t')[:4][2:4] == ['3', '0']]
    tap.ok(paths and sorted(paths) == sorted(ours),
           f'--keytab: decrypted TREE_CONNECT paths match tshark\'s ({len(paths)})',
           f'tshark {rows} {paths}\nours {ours}')
    keytab_variants(tap, lab, keytab, cap)
    rc, rep, out = lab.analyze(cap, '--keytab', os.path.join(lab.work, 'nothing.keytab'))
    tap.ok(rc == 2 and 'keytab' in out, '--keytab with a missing file: exit 2, says why', out)


def failures(tap, lab):
    cases = [('wrongpw', 'alice', 'kerberos.preauth_failed'),
             ('revoked', 'dave', 'kerberos.client_revoked'),
             ('expired', 'carol', 'kerberos.key_expired'),
             ('alias', 'alice', 'kerberos.spn_unknown')]
    for name, user, expect in cases:
        cap, log = lab.smbclient(name, user)
        rep = check_capture(tap, lab, f'smbclient {name}', cap, expect, log, preauth=name != 'revoked')
        if name == 'alias':
            tap.ok(any(k.get('error') == 7 and k.get('sname') == f'cifs/{ALIAS}' for k in krb_records(rep)),
                   'alias: KDC_ERR_S_PRINCIPAL_UNKNOWN names cifs/<alias>', json.dumps(krb_records(rep)))
        cap, prep, plog = lab.probe(name, user)
        rep = check_capture(tap, lab, f'probe {name}', cap, expect, plog, preauth=None)
        tap.ok(krb_ids(prep) and krb_ids(rep) == krb_ids(prep),
               f'probe {name}: analyze gives the probe\'s Kerberos finding ids {krb_ids(prep)}',
               f'analyze {krb_ids(rep)} probe {krb_ids(prep)}\n{plog}')


def stale_keytab(tap, lab):
    # A new key for the service at the KDC (kvno + 1); smbd keeps the old.
    lab.kdc.kadmin(f'ktadd -k {os.path.join(lab.work, "rotated.keytab")} cifs/{HOST}')
    cap, log = lab.smbclient('stale', 'alice')
    rep = check_capture(tap, lab, 'smbclient stale server keytab', cap, 'kerberos.ticket_rejected', log)
    f = [x for x in rep.get('findings', []) if x['id'] == 'kerberos.ticket_rejected']
    tap.ok(f and any('kvno' in e for e in f[0].get('evidence', [])),
           'stale keytab: the ticket\'s key version is shown', json.dumps(f))
    cap, prep, plog = lab.probe('stale', 'alice')
    rep = check_capture(tap, lab, 'probe stale server keytab', cap, 'kerberos.ticket_rejected', plog, preauth=None)
    tap.ok(krb_ids(prep) and krb_ids(rep) == krb_ids(prep),
           f'probe stale: analyze gives the probe\'s Kerberos finding ids {krb_ids(prep)}',
           f'analyze {krb_ids(rep)} probe {krb_ids(prep)}\n{plog}')


def dead_kdc(lab, name, tcp=False):
    """A copy of the clients' krb5.conf naming a port where no KDC listens
    (tcp: with Heimdal's tcp/ prefix, so that the client only tries TCP);
    the environment and the port."""
    path = os.path.join(lab.work, name + '-krb5.conf')
    port = peers.free_port()
    with open(lab.env['KRB5_CONFIG']) as f:
        conf = f.read().replace(f'127.0.0.1:{lab.kdc.port}', f'{"tcp/" if tcp else ""}127.0.0.1:{port}')
    with open(path, 'w') as f:
        f.write(conf)
    return dict(lab.env, KRB5_CONFIG=path), port


def refusal_frames(rep, by):
    """(request frame, refusal frame, reason) of the Kerberos records the
    analyzer saw refused by `by` (icmp, tcp_reset)."""
    return sorted((k.get('frame'), k['refused'].get('frame'), k['refused'].get('reason'))
                  for k in krb_records(rep) if k.get('refused', {}).get('by') == by)


def kdc_unreachable(tap, lab):
    """The clients' krb5.conf names a port where no KDC listens: the
    loopback answers the UDP AS-REQ with ICMP port unreachable, which the
    analyzer must tie to the request it quotes (tshark's frames)."""
    saved_env, saved_port = lab.env, lab.krb_port
    lab.env, port = dead_kdc(lab, 'dead')
    lab.krb_port = port
    try:
        cap, log = lab.smbclient('nokdc', 'alice')
        rep = check_capture(tap, lab, 'smbclient KDC unreachable', cap, 'kerberos.kdc_unreachable', log,
                            preauth=False)
        f = [x for x in rep.get('findings', []) if x['id'] == 'kerberos.kdc_unreachable']
        evidence = f[0].get('evidence', []) if f else []
        icmp = {int(r[0]): r[1] for r in lab.tshark(cap, ['frame.number', 'udp.srcport'],
                                                    display=f'icmp.type == 3 && icmp.code == 3 && '
                                                            f'udp.dstport == {port}')}
        tap.ok(bool(icmp), f'KDC unreachable: tshark sees the ICMP port unreachable ({len(icmp)})', str(icmp))
        requests = {int(r[0]): r[1] for r in lab.tshark(cap, ['frame.number', 'udp.srcport'],
                                                        display=f'kerberos && !icmp && udp.dstport == {port}')}
        refused = refusal_frames(rep, 'icmp')
        tap.ok(refused and sorted(r[1] for r in refused) == sorted(icmp) and
               all(r[2] == 'port_unreachable' and r[0] in requests and r[0] < r[1] and
                   requests[r[0]] == icmp[r[1]] for r in refused),
               f'KDC unreachable: each ICMP port unreachable tied to the request (client port) it quotes {refused}',
               f'ours {refused}\ntshark ICMP {icmp} requests {requests}\n{json.dumps(krb_records(rep))}')
        shown = [(m.group(1), int(m.group(2))) for e in evidence
                 for m in [re.search(r'^frame (\d+): AS-REQ for krbtgt/\S+ to KDC 127\.0\.0\.1:' + str(port) +
                                     r': port unreachable \(ICMP type 3 code 3 from 127\.0\.0\.1, frame (\d+)\): '
                                     r'nothing listens there', e)] if m]
        tap.ok(shown and all(icmp_frame in icmp and int(req) in requests for req, icmp_frame in shown) and
               not any('no answer' in e for e in evidence),
               'KDC unreachable: the evidence says port unreachable, with tshark\'s ICMP frame', json.dumps(f))
        probe_refusals(tap, lab, port)
        live_refusal(tap, lab)
    finally:
        lab.env, lab.krb_port = saved_env, saved_port


def probe_refusals(tap, lab, port):
    """MIT (the probe) with udp_preference_limit = 1 tries TCP first, then
    UDP: the capture holds a reset to its SYN and an ICMP port unreachable,
    and the analyzer must tie both, at tshark's frames."""
    cap, prep, plog = lab.probe('nokdc', 'alice')
    rc, rep, out = lab.analyze(cap)
    syns = [int(r[0]) for r in lab.tshark(cap, ['frame.number'], display=f'tcp.dstport == {port} && '
                                          'tcp.flags.syn == 1 && tcp.flags.ack == 0')]
    rsts = [int(r[0]) for r in lab.tshark(cap, ['frame.number'], display=f'tcp.srcport == {port} && '
                                          'tcp.flags.reset == 1')]
    icmp = [int(r[0]) for r in lab.tshark(cap, ['frame.number'], display=f'icmp.type == 3 && icmp.code == 3 && '
                                          f'udp.dstport == {port}')]
    tcp, udp = refusal_frames(rep, 'tcp_reset'), refusal_frames(rep, 'icmp')
    tap.ok(syns and icmp and [r[0] for r in tcp] == syns and [r[1] for r in tcp] == rsts and
           sorted(r[1] for r in udp) == sorted(icmp) and all(r[2] == 'port_unreachable' for r in udp),
           f'probe KDC unreachable (MIT, TCP then UDP): resets {tcp} and ICMP {udp} at tshark\'s frames',
           f'tshark syn {syns} rst {rsts} icmp {icmp}\n{plog}\n{out}')


def live_analyze(lab, password, duration):
    """analyze -i lo for duration seconds (with --krb-port) while smbclient
    -k logs on as alice with password: (exit code, report, a log)."""
    cmd_client = ['smbclient', f'//{HOST}/data', '-p', str(lab.smbd.port), '-I', '127.0.0.1',
                  '--use-kerberos=required', '-U', f'alice@{REALM}%{password}', '-c', 'ls']
    return peers.analyze_live(SMBDIAG, ['--krb-port', str(lab.krb_port), '--smb-port', str(lab.smbd.port)],
                              duration, lambda: subprocess.run(cmd_client, stdout=subprocess.PIPE,
                                                               stderr=subprocess.STDOUT, text=True, timeout=60,
                                                               env=lab.env, stdin=subprocess.DEVNULL).stdout)


def live_refusal(tap, lab):
    """analyze -i lo: the live filter lets ICMP destination unreachable
    through, so a refused request is seen as such as it happens."""
    rc, rep, log = live_analyze(lab, 'Secret123', 6)
    f = [x for x in rep.get('findings', []) if x['id'] == 'kerberos.kdc_unreachable']
    tap.ok(rc == 4 and refusal_frames(rep, 'icmp') and
           f and any('port unreachable (ICMP type 3 code 3' in e for e in f[0].get('evidence', [])),
           'live capture: the ICMP port unreachable is captured and tied to the request', log)


def kdc_refused_tcp(tap, lab):
    """Kerberos over TCP only (Heimdal's tcp/ prefix) to a port where no
    KDC listens: the loopback resets the client's SYN. No request could be
    sent; the analyzer records the refused connection and says refused
    (TCP reset), with tshark's SYN and RST frames."""
    saved_env, saved_port = lab.env, lab.krb_port
    lab.env, port = dead_kdc(lab, 'dead-tcp', tcp=True)
    lab.krb_port = port
    try:
        cap, log = lab.smbclient('nokdc-tcp', 'alice')
        rc, rep, out = lab.analyze(cap)
        syns = [int(r[0]) for r in lab.tshark(cap, ['frame.number'], display=f'tcp.dstport == {port} && '
                                              'tcp.flags.syn == 1 && tcp.flags.ack == 0')]
        rsts = [int(r[0]) for r in lab.tshark(cap, ['frame.number'], display=f'tcp.srcport == {port} && '
                                              'tcp.flags.reset == 1')]
        udp = lab.tshark(cap, ['frame.number'], display=f'udp.port == {port}')
        tap.ok(syns and rsts and not udp, f'TCP KDC refused: tshark sees {len(syns)} SYN reset by {len(rsts)} RST, '
               'no UDP', f'{log}\nsyn {syns} rst {rsts} udp {udp}')
        tap.ok(rc == 4 and 'kerberos.kdc_unreachable' in ids(rep, 'error'),
               'TCP KDC refused: kerberos.kdc_unreachable, exit 4', log + out)
        refused = refusal_frames(rep, 'tcp_reset')
        tap.ok(refused and [r[0] for r in refused] == syns and [r[1] for r in refused] == rsts and
               all(r[2] == 'connection_refused' for r in refused) and
               all(k.get('message') == 'none' and k.get('kdc') == f'127.0.0.1:{port}' and
                   k.get('connection') is not None for k in krb_records(rep)),
               f'TCP KDC refused: one record per refused connection, SYN and RST frames as tshark\'s {refused}',
               f'ours {refused}\n{json.dumps(krb_records(rep))}')
        f = [x for x in rep.get('findings', []) if x['id'] == 'kerberos.kdc_unreachable']
        evidence = f[0].get('evidence', []) if f else []
        want = [f'frame {syn}: TCP connection to KDC 127.0.0.1:{port}: refused (TCP reset, frame {rst}): '
                'nothing listens there' for syn, rst in zip(syns, rsts)][:3]
        tap.ok(want and all(any(e.startswith(w) for e in evidence) for w in want),
               'TCP KDC refused: the evidence says refused (TCP reset) with tshark\'s frames', json.dumps(f))
    finally:
        lab.env, lab.krb_port = saved_env, saved_port


def clock_skew(tap, lab):
    """The probe one hour ahead of the KDC (libfaketime): the KDC answers
    KRB_AP_ERR_SKEW; the capture must give the probe's finding."""
    if not os.path.exists(krblab.FAKETIME):
        tap.skip('clock skew capture', 'libfaketime not installed (scripts/install-deps)')
        return
    saved = lab.env
    lab.env = krblab.skewed_env(lab.env, SMBDIAG)
    try:
        cap, prep, plog = lab.probe('skew', 'alice')
    finally:
        lab.env = saved
    rep = check_capture(tap, lab, 'probe clock skew', cap, 'kerberos.clock_skew', plog, preauth=None)
    tap.ok(any(k.get('error') == 37 for k in krb_records(rep)),
           'clock skew: the capture holds the KDC\'s KRB_AP_ERR_SKEW (37)', json.dumps(krb_records(rep)))
    tap.ok(krb_ids(prep) and krb_ids(rep) == krb_ids(prep),
           f'probe clock skew: analyze gives the probe\'s Kerberos finding ids {krb_ids(prep)}',
           f'analyze {krb_ids(rep)} probe {krb_ids(prep)}\n{plog}')


def live_capture(tap, lab):
    """analyze -i lo with --krb-port: the live filter takes the KDC's high
    port too, and a wrong password is seen as it happens."""
    rc, rep, log = live_analyze(lab, 'Wrong999', 8)
    tap.ok(rc == 4 and 'kerberos.preauth_failed' in ids(rep, 'error'),
           'live capture with --krb-port: kerberos.preauth_failed seen as it happens, exit 4', log)


def main():
    peers.require('krb5kdc', 'kdb5_util', 'kadmin.local', 'smbd', 'smbclient', 'dumpcap', 'tshark', SMBDIAG)
    peers.isolated_loopback()
    tap = peers.Tap()
    work = tempfile.mkdtemp(prefix='smbdiag-krbanalyze-')
    os.chmod(work, 0o755)
    lab = None
    try:
        lab, keytab = start_lab(work)
        encrypted_session(tap, lab, keytab)
        failures(tap, lab)
        kdc_unreachable(tap, lab)
        kdc_refused_tcp(tap, lab)
        clock_skew(tap, lab)
        live_capture(tap, lab)
        stale_keytab(tap, lab)
    except Exception as e:  # noqa: BLE001 - report the peer failure as a test failure
        tap.ok(False, 'peers start and the clients run', repr(e))
    finally:
        krblab.cleanup(work, *((lab.smbd, lab.kdc) if lab else ()))
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
