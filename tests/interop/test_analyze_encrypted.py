#!/usr/bin/python3
"""`smbdiag analyze` says what SMB3 encryption and the capture hid.

smbclient talks to a private smbd that requires encryption while dumpcap
captures loopback. Without a secret, the text and JSON reports must say,
per connection, how many SMB3-encrypted (TRANSFORM) messages there were —
as many as tshark counts — that the TREE_CONNECT and later steps are
hidden, and which option opens them (--password / --nt-hash for this NTLM
session, --keytab for a Kerberos one made with smbdiag probe through a
throw-away MIT KDC). With the password every one is decrypted and the
TREE_CONNECT to the share appears; with a wrong one the report says the
secret did not open them. The same capture cut with editcap (handshake removed, one
server segment removed) must be reported as started mid-stream and with
gaps. The shared captures with TRANSFORM frames (shared/captures/
manifest.tsv, column smb2_transform_frames) must give the hidden-steps
note with the manifest's count.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krblab  # noqa: E402
import peers  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
SMBDIAG = os.path.join(BUILD, 'src', 'cli', 'smbdiag')
SHARED = os.environ.get('SMBDIAG_SHARED', os.path.join(peers.ROOT, '..', 'shared'))


def analyze(path, port, *args):
    cmd = [SMBDIAG, 'analyze'] + (['--smb-port', str(port)] if port else []) + list(args) + [path]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


def analyze_json(path, port, *args):
    rc, out, err = analyze(path, port, '--json', *args)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, {'connections': []}, err + out


def tshark_transforms(path, port):
    """TRANSFORM headers tshark finds (several may share a frame)."""
    cmd = ['tshark', '-r', path, '-Y', 'smb2.header.transform.msg_size', '-T', 'fields',
           '-e', 'smb2.header.transform.msg_size']
    if port:
        cmd[3:3] = ['-d', f'tcp.port=={port},nbss']
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=120)
    return sum(len(line.split(',')) for line in r.stdout.splitlines() if line.strip())


def sealed_connections(report):
    return [c for c in report.get('connections', []) if c.get('capture', {}).get('encrypted_messages')]


def steps(conn, name):
    return [s for s in conn.get('steps', []) if s.get('step') == name]


def check_hidden(tap, path, port, expected):
    rc, report, err = analyze_json(path, port)
    conns = sealed_connections(report)
    cap = [c['capture'] for c in conns]
    total = sum(c['encrypted_messages'] for c in cap)
    tap.ok(rc == 0 and conns and total == expected
           and all(c['hidden_messages'] == c['encrypted_messages'] and c['decrypted_messages'] == 0
                   for c in cap),
           f'no secret: every one of the {expected} TRANSFORM messages tshark counts is reported hidden',
           f'rc {rc} total {total} {json.dumps(cap)[:1500]} {err}')
    tap.ok(all(c['hidden_after'] == 'session_setup' and c['decrypt_with'] == ['--password', '--nt-hash']
               and not steps(k, 'tree_connect') and steps(k, 'session_setup')
               and k.get('session', {}).get('mechanism') == 'ntlmssp' for c, k in zip(cap, conns)),
           'no secret (JSON): hidden after SESSION_SETUP, no TREE_CONNECT step, decrypt with --password / --nt-hash',
           json.dumps(conns)[:3000])
    rc, text, err = analyze(path, port)
    flat = ' '.join(text.split())
    tap.ok(rc == 0 and 'Capture notes' in text and f'{expected} of {expected} SMB3 messages are encrypted' in flat
           and 'the TREE_CONNECT and everything later) are hidden' in flat
           and '--password PASSWORD or --nt-hash HASH' in flat,
           'no secret (text): the connection notes say the TREE_CONNECT and later steps are hidden and how to '
           'decrypt', text[:3000] + err)
    rc, out, err = analyze(path, port, '--jsonl')
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    hidden = [x['connection']['capture'] for x in lines if x.get('connection', {}).get('capture')]
    tap.ok(rc == 0 and sum(c.get('hidden_messages', 0) for c in hidden) == expected
           and all(c.get('notes') for c in hidden),
           '--jsonl: each line carries its connection\'s capture notes', out[:2000] + err)


def check_decrypted(tap, path, port, expected):
    rc, report, err = analyze_json(path, port, '--password', 'Secret123')
    conns = sealed_connections(report)
    cap = [c['capture'] for c in conns]
    trees = [s for c in conns for s in steps(c, 'tree_connect')]
    paths = [c.get('tree', {}).get('path', '') for c in conns]
    tap.ok(rc == 0 and sum(c['decrypted_messages'] for c in cap) == expected
           and all(c['hidden_messages'] == 0 and 'hidden_after' not in c for c in cap),
           f'--password: all {expected} encrypted messages decrypted, none hidden', json.dumps(cap) + err)
    tap.ok(trees and all(s.get('ok') for s in trees) and any(p.lower().endswith('\\data') for p in paths),
           '--password: the decrypted TREE_CONNECT to \\data appears and succeeded',
           json.dumps(conns)[:3000])
    rc, text, err = analyze(path, port, '--password', 'Secret123')
    flat = ' '.join(text.split())
    tap.ok(rc == 0 and f'{expected} SMB3-encrypted messages were decrypted' in flat and 'TREE_CONNECT' in text
           and 'could not be read' not in flat,
           '--password (text): the notes say how many were decrypted, the ladder shows TREE_CONNECT',
           text[:3000] + err)
    rc, report, err = analyze_json(path, port, '--password', 'NotThePassword')
    cap = [c['capture'] for c in sealed_connections(report)]
    tap.ok(rc == 0 and cap and all(c['hidden_messages'] == c['encrypted_messages'] for c in cap)
           and all(any('did not open them' in n for n in c['notes']) for c in cap),
           'wrong password: still hidden, and the note says the secret did not open them', json.dumps(cap) + err)


def frames(path, port):
    r = subprocess.run(['tshark', '-r', path, '-d', f'tcp.port=={port},nbss', '-T', 'fields',
                        '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.len', '-e', 'tcp.flags.syn'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
    out = []
    for line in r.stdout.splitlines():
        f = line.split('\t')
        out.append((int(f[0]), int(f[1]), int(f[2] or 0), f[3] in ('1', 'True')))
    return out


def check_cut(tap, tmp, path, port):
    fr = frames(path, port)
    handshake = [n for n, _, _, syn in fr if syn]
    cut = os.path.join(tmp, 'midstream.pcapng')
    subprocess.run(['editcap', path, cut] + [str(n) for n in handshake], check=True,
                   stdout=subprocess.DEVNULL, timeout=60)
    rc, report, err = analyze_json(cut, port)
    conns = report.get('connections', [])
    tap.ok(handshake and conns and all(c.get('capture', {}).get('started_mid_stream') for c in conns)
           and all(not steps(c, 'tcp') for c in conns) and any(steps(c, 'negotiate') for c in conns),
           'SYN and SYN-ACK cut away: each connection is reported started mid-stream',
           json.dumps(conns)[:2000] + err)
    rc, text, err = analyze(cut, port)
    tap.ok('The capture began after this connection was opened' in ' '.join(text.split()),
           'mid-stream (text): the connection notes say so', text[:2000])
    # One server data segment in the middle of the session goes missing.
    data = [n for n, sport, ln, _ in fr if sport == port and ln > 0]
    gap = os.path.join(tmp, 'gap.pcapng')
    victim = data[len(data) // 2] if len(data) > 2 else None
    if victim is None:
        tap.skip('a server segment cut away: gaps reported', 'too few server segments')
        return
    subprocess.run(['editcap', path, gap, str(victim)], check=True, stdout=subprocess.DEVNULL, timeout=60)
    rc, report, err = analyze_json(gap, port)
    conns = report.get('connections', [])
    rc0, full, _ = analyze_json(path, port)
    tap.ok(any(c.get('capture', {}).get('gaps') for c in conns)
           and not any(c.get('capture', {}).get('gaps') for c in full.get('connections', [])),
           f'server segment (frame {victim}) cut away: gaps reported, and not on the whole capture',
           json.dumps([c.get('capture') for c in conns]) + err)


def check_shared(tap):
    manifest = os.path.join(SHARED, 'captures', 'manifest.tsv')
    if not os.path.exists(manifest):
        tap.skip('shared captures with SMB3 encryption', f'{manifest} absent (../shared not here)')
        return
    with open(manifest, newline='') as f:
        rows = [r for r in csv.DictReader(f, delimiter='\t') if int(r['smb2_transform_frames'] or 0) > 0]
    tap.ok(bool(rows), f'manifest lists {len(rows)} captures with TRANSFORM frames')
    for row in rows:
        path = os.path.join(SHARED, 'captures', row['file'])
        want = int(row['smb2_transform_frames'])
        rc, report, err = analyze_json(path, None)
        cap = [c['capture'] for c in sealed_connections(report)]
        total = sum(c['encrypted_messages'] for c in cap)
        tap.ok(total == want and all(c['hidden_messages'] == c['encrypted_messages'] and c.get('hidden_after')
                                     and any('could not be read' in n for n in c['notes']) for c in cap),
               f'{row["file"]}: {want} TRANSFORM messages reported hidden, with the note',
               f'total {total} {json.dumps(cap)[:1500]} {err}')


def check_kerberos(tap, tmp):
    """A Kerberos session (smbdiag probe --auth kerberos through a throw-away
    KDC) to an smbd that requires encryption: the hint is the keytab."""
    if not all(shutil.which(p) for p in ('krb5kdc', 'kdb5_util', 'kadmin.local')):
        tap.skip('Kerberos session: hidden steps, decrypt with --keytab', 'MIT KDC not installed')
        return
    host = krblab.HOST
    keytab = os.path.join(tmp, 'smbd.keytab')
    kdc = krblab.start_realm(keytab, preauth=False)
    try:
        env = krblab.client_env(kdc, export=False)
        opts = krblab.smbd_options(keytab, **{'server smb encrypt': 'required'})
        with peers.Smbd(options=opts) as smbd:
            p = smbd.port
            path = os.path.join(tmp, 'sealed-krb.pcapng')
            with peers.Capture(path, f'tcp port {p}'):
                r = subprocess.run([SMBDIAG, 'probe', f'//{host}:{p}/data', '-I', '127.0.0.1', '--auth', 'kerberos',
                                    '-U', 'alice%Secret123', '--no-experiments'], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, timeout=120, stdin=subprocess.DEVNULL)
            rc, report, err = analyze_json(path, p)
            conns = sealed_connections(report)
            cap = [c['capture'] for c in conns]
            tap.ok(r.returncode == 0 and conns
                   and all(k.get('session', {}).get('mechanism') == 'kerberos' for k in conns)
                   and all(c['hidden_messages'] > 0 and c['decrypt_with'] == ['--keytab']
                           and any('--keytab FILE' in n for n in c['notes']) for c in cap),
                   'Kerberos session: steps hidden, and the hint is --keytab (not the password)',
                   r.stdout[-1500:] + json.dumps(conns)[:2000] + err)
    finally:
        kdc.cleanup()


def main():
    peers.require('smbd', 'smbpasswd', 'smbclient', 'dumpcap', 'tshark', 'editcap', SMBDIAG)
    peers.isolated_loopback()
    tap = peers.Tap()
    check_shared(tap)
    tmp = tempfile.mkdtemp(prefix='smbdiag-analyze-enc-')
    try:
        with peers.Smbd(options={'server smb encrypt': 'required'}) as smbd:
            p = smbd.port
            path = os.path.join(tmp, 'sealed.pcapng')
            with peers.Capture(path, f'tcp port {p}'):
                r = peers.smbclient(p, '//127.0.0.1/data', args=['--client-protection=encrypt', '-m', 'SMB3_11'])
            want = tshark_transforms(path, p)
            tap.ok(r.returncode == 0 and want > 0, f'smbclient encrypted session captured ({want} TRANSFORM '
                   'messages by tshark)', r.stdout)
            check_hidden(tap, path, p, want)
            check_decrypted(tap, path, p, want)
            check_cut(tap, tmp, path, p)
        check_kerberos(tap, tmp)
    finally:
        if os.environ.get('SMBDIAG_KEEP_TMP') is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
