#!/usr/bin/python3
"""Session keys from a capture (src/core/proto/keytrack.h) against real
Samba traffic.

dumpcap records the core client (smb2_client_run) and smbclient talking to
a private smbd that requires encryption, for each cipher over 3.1.1 and for
AES-128-CCM over 3.0 and 3.0.2. decrypt_capture then opens the capture with
the password: every encrypted message must decrypt and the decrypted
TREE_CONNECT path must be the one the client sent; with a wrong password
nothing decrypts and the tool says why. With `server signing = mandatory`
every signed message verifies, and none does once a byte is flipped.
Two Windows captures of shared/captures open with their published session
keys (and not with a wrong one).
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
CLIENT = os.path.join(BUILD, 'tests', 'interop', 'smb2_client_run')
DECRYPT = os.path.join(BUILD, 'tests', 'interop', 'decrypt_capture')
CIPHERS = ['AES-128-CCM', 'AES-128-GCM', 'AES-256-CCM', 'AES-256-GCM']
TREE = '\\\\127.0.0.1\\data'
WRONG_REASON = 'could not authenticate the session with the given password'


def run_client(port, *args):
    cmd = [CLIENT, '127.0.0.1', str(port), '127.0.0.1', 'data', 'alice', 'Secret123'] + list(args)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    return r.returncode, r.stdout


def run_smbclient(port, *args):
    r = peers.smbclient(port, '//127.0.0.1/data', args=list(args))
    return r.returncode, r.stdout


def parse_line(line):
    kind, _, rest = line.partition(' ')
    out = {'kind': kind}
    reason = None
    if ' reason="' in rest:
        rest, _, reason = rest.partition(' reason="')
        out['reason'] = reason.rstrip('"')
    for kv in rest.split():
        k, _, v = kv.partition('=')
        out[k] = v
    return out


def decrypt(pcap, port, *args):
    cmd = [DECRYPT, '-p', str(port)] + list(args) + [pcap]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    lines = [parse_line(x) for x in r.stdout.splitlines() if x and not x.startswith('decrypt_capture:')]
    res = {'rc': r.returncode, 'output': r.stdout}
    res['msgs'] = [x for x in lines if x['kind'] == 'msg']
    res['undecrypted'] = [x for x in lines if x['kind'] == 'undecrypted']
    res['sessions'] = [x for x in lines if x['kind'] == 'session']
    summary = [x for x in lines if x['kind'] == 'summary']
    res['summary'] = {k: int(v) for k, v in summary[-1].items() if k != 'kind'} if summary else {}
    return res


def capture(tmp, name, port, action):
    path = os.path.join(tmp, name + '.pcapng')
    with peers.Capture(path, f'tcp port {port}'):
        rc, out = action()
    return path, rc, out


def check_encrypted(tap, desc, pcap, port, client_ok, client_out, expect_tree=True):
    good = decrypt(pcap, port, '-P', 'Secret123')
    s = good['summary']
    trees = [m for m in good['msgs'] if m['cmd'] == 'TREE_CONNECT' and m['resp'] == '0' and 'path' in m]
    sealed_trees = [m for m in trees if m['enc'] == '1' and m['path'] == TREE]
    ok = (client_ok and good['rc'] == 0 and s.get('transforms', 0) > 0
          and s.get('decrypted') == s.get('transforms') and s.get('undecrypted') == 0
          and (sealed_trees or not expect_tree))
    tap.ok(ok, f'{desc}: every encrypted message decrypts, TREE_CONNECT path {TREE}',
           client_out + good['output'])
    keyed = [x for x in good['sessions'] if x['state'] == 'keys_ready' and x['user'] == 'alice']
    tap.ok(bool(keyed), f'{desc}: the session keys come from the password (user alice)', good['output'])
    bad = decrypt(pcap, port, '-P', 'NotThePassword')
    b = bad['summary']
    why = all(u.get('reason') == WRONG_REASON and u.get('state') == 'wrong_password'
              for u in bad['undecrypted'])
    tap.ok(bad['rc'] == 0 and b.get('decrypted') == 0 and b.get('undecrypted') == b.get('transforms')
           and b.get('transforms', 0) > 0 and why and not any(m['enc'] == '1' for m in bad['msgs']),
           f'{desc}: wrong password: nothing decrypts and the tool says why', bad['output'])


def check_signed(tap, desc, pcap, port, client_ok, client_out):
    good = decrypt(pcap, port, '-P', 'Secret123')
    s = good['summary']
    tap.ok(client_ok and good['rc'] == 0 and s.get('sig_valid', 0) > 0 and s.get('sig_invalid') == 0
           and s.get('sig_no_key') == 0 and s.get('transforms') == 0,
           f'{desc}: every signed message verifies', client_out + good['output'])
    flipped = decrypt(pcap, port, '-P', 'Secret123', '-x')
    f = flipped['summary']
    tap.ok(flipped['rc'] == 0 and f.get('sig_valid') == 0 and f.get('sig_invalid') == s.get('sig_valid'),
           f'{desc}: with a flipped byte no signature verifies', flipped['output'])


# Windows captures of shared/captures whose session keys were published with
# the Wireshark wiki samples (shared/captures/MANIFEST.md, "Decryption").
PUBLISHED = [
    ('zeek-smb3.pcap', '000048009400003d:28f2847263c83dc00621f742dd3f2e7b', 44, ['\\\\WS2016\\encrypted']),
    ('zeek-smb311.pcap', '0000281cac000069:b25a135fc3dc14269f20d7cbc8716b6b', 28,
     ['\\\\foo.test\\IPC$', '\\\\foo.test\\data']),
]


def check_published(tap):
    shared = os.environ.get('SMBDIAG_SHARED', os.path.join(peers.ROOT, '..', 'shared'))
    for name, key, transforms, trees in PUBLISHED:
        pcap = os.path.join(shared, 'captures', name)
        if not os.path.exists(pcap):
            tap.skip(f'{name}: published session key', 'capture absent')
            continue
        good = decrypt(pcap, 445, '-k', key)
        s = good['summary']
        paths = [m['path'] for m in good['msgs'] if 'path' in m]
        tap.ok(good['rc'] == 0 and s.get('transforms') == transforms and s.get('decrypted') == transforms
               and s.get('sig_invalid') == 0 and all(t in paths for t in trees),
               f'{name}: the published session key opens all {transforms} encrypted messages', good['output'])
        sid = key.split(':')[0]
        bad = decrypt(pcap, 445, '-k', sid + ':' + '00' * 16)
        b = bad['summary']
        tap.ok(b.get('decrypted') == 0 and b.get('undecrypted') == transforms
               and all(u['outcome'] == 'decrypt_failed' for u in bad['undecrypted']),
               f'{name}: a wrong session key opens nothing', bad['output'])


def main():
    peers.require('smbd', 'smbpasswd', 'dumpcap', 'smbclient', CLIENT, DECRYPT)
    peers.isolated_loopback()
    tap = peers.Tap()
    check_published(tap)
    tmp = tempfile.mkdtemp(prefix='smbdiag-decrypt-')
    try:
        for name in CIPHERS:
            opts = {'server smb encrypt': 'required', 'server smb3 encryption algorithms': name}
            with peers.Smbd(options=opts) as smbd:
                pcap, rc, out = capture(tmp, 'core-' + name, smbd.port,
                                        lambda: run_client(smbd.port, '--dialect', '3.1.1'))
                check_encrypted(tap, f'core client, {name}, 3.1.1', pcap, smbd.port, rc == 0, out)
                if name == 'AES-128-CCM':
                    for d in ('3.0', '3.0.2'):
                        pcap, rc, out = capture(tmp, f'core-{name}-{d}', smbd.port,
                                                lambda: run_client(smbd.port, '--dialect', d))
                        check_encrypted(tap, f'core client, {name}, {d}', pcap, smbd.port, rc == 0, out)
                if name == 'AES-128-GCM':
                    pcap, rc, out = capture(tmp, 'smbclient', smbd.port,
                                            lambda: run_smbclient(smbd.port, '--client-protection=encrypt',
                                                                  '-m', 'SMB3_11'))
                    check_encrypted(tap, 'smbclient --client-protection=encrypt -m SMB3_11', pcap, smbd.port,
                                    rc == 0, out)
        with peers.Smbd(options={'server signing': 'mandatory'}) as smbd:
            for d in ('3.1.1', '3.0.2', '2.1'):
                pcap, rc, out = capture(tmp, f'signed-{d}', smbd.port,
                                        lambda: run_client(smbd.port, '--dialect', d))
                check_signed(tap, f'signing mandatory, core client, {d}', pcap, smbd.port, rc == 0, out)
            pcap, rc, out = capture(tmp, 'signed-smbclient', smbd.port,
                                    lambda: run_smbclient(smbd.port, '-m', 'SMB3_11'))
            check_signed(tap, 'signing mandatory, smbclient', pcap, smbd.port, rc == 0, out)
    finally:
        if os.environ.get('SMBDIAG_KEEP_TMP') is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
