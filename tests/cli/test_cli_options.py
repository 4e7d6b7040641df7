#!/usr/bin/python3
"""Command-line checks of `smbdiag probe`, `analyze` and `serve` that need
no peer: option errors and their exit statuses, limits, the language of
JSON reports. A probe that must reach something talks to a socket this
script opens on loopback. usage: test_cli_options.py SMBDIAG SOURCE_ROOT
Prints TAP."""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'interop'))
from peers import Tap  # noqa: E402

SMBDIAG = sys.argv[1] if len(sys.argv) > 1 else 'build/src/cli/smbdiag'
ROOT = sys.argv[2] if len(sys.argv) > 2 else '.'
SCENARIOS = os.path.join(ROOT, 'tests', 'scenarios')
BASE_ENV = dict(os.environ, LANGUAGE='', LC_ALL='C.UTF-8')
BASE_ENV.pop('SMBDIAG_PASSWORD', None)
ZH_TITLE = '找不到共用（STATUS_BAD_NETWORK_NAME）'
TAP = Tap()


def run(*args, env=None, timeout=60):
    e = dict(BASE_ENV)
    e.update(env or {})
    res = subprocess.run([SMBDIAG] + list(args), env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, check=False, timeout=timeout)
    return res.returncode, res.stdout.decode('utf-8'), res.stderr.decode('utf-8')


def check(name, cond, detail=''):
    TAP.ok(bool(cond), name, detail)


def skip(name, why):
    TAP.skip(name, why)


def have_catalog():
    modir = os.environ.get('SMBDIAG_LOCALEDIR', '')
    return os.path.exists(os.path.join(modir, 'zh_TW', 'LC_MESSAGES', 'smbdiag.mo'))


def scenario(name):
    return os.path.join(SCENARIOS, name + '.pcapng')


def without_handshake(src, dst):
    """A copy of the pcapng src without its first three packets (the TCP
    handshake): the capture then starts in the middle of the connection."""
    with open(src, 'rb') as f:
        data = f.read()
    out, pos, dropped = [], 0, 0
    order = '<' if data[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
    while pos + 8 <= len(data):
        btype, blen = struct.unpack(order + 'II', data[pos:pos + 8])
        block = data[pos:pos + blen]
        pos += blen
        if btype == 6 and dropped < 3:
            dropped += 1
            continue
        out.append(block)
    with open(dst, 'wb') as f:
        f.write(b''.join(out))


def findings_text(doc):
    """Every text of the findings and capture notes of an analyze report."""
    conns = doc.get('connections') or [doc.get('connection') or {}]
    texts = [c.get('capture', {}).get('notes', []) for c in conns]
    texts = [t for notes in texts for t in notes]
    for f in doc.get('findings', []):
        texts += [f['title'], f['cause']] + f['remedy']
    return texts


def is_ascii(texts):
    return all(all(ord(ch) < 0x2000 for ch in t) for t in texts)


def test_json_stays_english():
    if not have_catalog():
        skip('analyze --json stays English under zh_TW', 'no compiled zh_TW catalog (msgfmt missing?)')
        return
    cap = scenario('tree-bad-network-name')
    for how, args, env in (('LANG=zh_TW.UTF-8', [], {'LC_ALL': '', 'LANG': 'zh_TW.UTF-8'}),
                           ('--lang zh_TW', ['--lang', 'zh_TW'], {})):
        rc, out, _ = run('analyze', cap, *args, env=env)
        check(f'analyze text with {how} is Chinese', rc == 4 and ZH_TITLE in out, out[:400])
        rc, out, _ = run('analyze', cap, '--json', *args, env=env)
        doc = json.loads(out) if rc == 4 else {}
        titles = [f['title'] for f in doc.get('findings', [])]
        check(f'analyze --json with {how}: findings in English',
              'Share not found (STATUS_BAD_NETWORK_NAME)' in titles and is_ascii(findings_text(doc)), out[:600])
        rc, out, _ = run('analyze', cap, '--jsonl', *args, env=env)
        lines = [json.loads(line) for line in out.splitlines() if line.strip()] if rc == 4 else []
        check(f'analyze --jsonl with {how}: findings in English',
              lines and all(is_ascii(findings_text(d)) for d in lines), out[:600])
    with Serve('[server]\n[user alice]\nPassword = Passw0rd\n[share data]\nPath = share\n') as s:
        for how, args, env in (('LANG=zh_TW.UTF-8', [], {'LC_ALL': '', 'LANG': 'zh_TW.UTF-8'}),
                               ('--lang zh_TW', ['--lang', 'zh_TW'], {})):
            target = f'//127.0.0.1:{s.port}/dta'
            rc, out, _ = run('probe', target, '-U', 'alice%Passw0rd', '--json', *args, env=env)
            doc = json.loads(out) if rc == 13 else {}
            texts = findings_text(doc) + [e for f in doc.get('findings', []) for e in f['evidence']]
            check(f'probe --json with {how}: findings and evidence in English',
                  'Share not found (STATUS_BAD_NETWORK_NAME)' in texts and is_ascii(texts), out[:600])
            rc, out, _ = run('probe', target, '-U', 'alice%Passw0rd', *args, env=env)
            check(f'probe text with {how} is Chinese', rc == 13 and ZH_TITLE in out, out[:400])
    with tempfile.TemporaryDirectory() as tmp:
        cut = os.path.join(tmp, 'mid.pcapng')
        without_handshake(scenario('tree-bad-network-name'), cut)
        rc, out, _ = run('analyze', cut, '--json', '--lang', 'zh_TW')
        doc = json.loads(out) if rc in (0, 4) else {}
        notes = (doc.get('connections') or [{}])[0].get('capture', {}).get('notes', [])
        check('analyze --json --lang zh_TW: capture notes in English',
              notes and is_ascii(notes) and 'began after' in ' '.join(notes), out[:600])
        rc, out, _ = run('analyze', cut, '--lang', 'zh_TW')
        check('analyze text --lang zh_TW: capture notes translated', 'began after' not in out, out[:600])


class Silent:
    """A loopback listener that accepts connections and never answers."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()
        return self

    def accept(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                pass

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join(5)
        for c in self.conns:
            c.close()
        self.sock.close()


def probe(port, *args, user='alice%secret', timeout=60, env=None):
    target = f'//127.0.0.1:{port}/data'
    return run('probe', target, '-U', user, '--no-experiments', *args, timeout=timeout, env=env)


def test_timeout():
    for bad in ('nan', 'NaN', 'inf', '-inf', '0', '-1', '86401', '1s', ''):
        rc, _, err = probe(9, '--timeout', bad)
        check(f'--timeout {bad!r}: usage error', rc == 2 and '--timeout' in err, err)
    with Silent() as s:
        start = time.monotonic()
        rc, out, err = probe(s.port, '--timeout', '0.0001', '--json')
        took = time.monotonic() - start
        # 1 ms may end the TCP connect already (10) or the NEGOTIATE (11).
        check('--timeout 0.0001 waits 1 ms, not the 60 s default',
              rc in (10, 11) and took < 20, f'{took:.1f} s\n{out}{err}')


def test_option_errors():
    for args, word in ((['--bogus'], "'--bogus'"), (['-X'], "'-X'"), (['-vX'], "'-X'"),
                       (['--timeout'], "'--timeout'"), (['-U'], "'-U'"), (['--auth'], "'--auth'"),
                       (['-vU'], "'-U'"), (['--bogus=1'], "unknown option: '--bogus'"),
                       (['--json=1'], "'--json'")):
        rc, _, err = run('probe', '//h/s', *args)
        check(f'probe {" ".join(args)}: exit 2 naming {word}', rc == 2 and word in err, err)
    if not have_catalog():
        skip('probe --lang zh_TW translates option errors', 'no compiled zh_TW catalog (msgfmt missing?)')
        return
    for args in (['--lang', 'zh_TW', '--bogus'], ['--bogus', '--lang', 'zh_TW'], ['--lang=zh_TW', '--bogus']):
        rc, _, err = run('probe', '//h/s', *args)
        check(f'probe {" ".join(args)}: the error in Chinese', rc == 2 and '未知的選項' in err, err)
    rc, _, err = run('probe', '--lang', 'zh_TW')
    check('probe --lang zh_TW without a target: the error in Chinese', rc == 2 and '缺少 //HOST/SHARE' in err, err)
    rc, _, err = run('probe', '//h/s', '--bogus', '--', '--lang', 'zh_TW')
    check('probe: --lang after -- is no option', rc == 2 and '未知的選項' not in err, err)
    rc, _, err = run('analyze', '--lang', 'zh_TW', '--connection', 'x')
    check('analyze --lang zh_TW: option errors in Chinese', rc == 2 and '連線編號' in err, err)
    rc, _, err = run('explain', '--bogus', '--lang', 'zh_TW')
    check('explain --bogus --lang zh_TW: the error in Chinese', rc == 2 and '未知的選項' in err, err)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Serve:
    """smbdiag serve with the ini text given, on a free loopback port."""

    def __init__(self, ini):
        self.ini = ini

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory()
        os.mkdir(os.path.join(self.tmp.name, 'share'))
        path = os.path.join(self.tmp.name, 'serve.ini')
        with open(path, 'w') as f:
            f.write(self.ini)
        self.port = free_port()
        self.proc = subprocess.Popen([SMBDIAG, 'serve', '-c', path, '--listen', f'127.0.0.1:{self.port}'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)
        self.tmp.cleanup()


def test_credential_limits():
    secret = 'P' * 513
    for what, user, env in (('a password', 'alice%' + secret, {}), ('a user name', 'u' * 513 + '%x', {}),
                            ('a domain', 'd' * 256 + '\\alice%x', {}),
                            ('SMBDIAG_PASSWORD', 'alice', {'SMBDIAG_PASSWORD': secret})):
        rc, _, err = run('probe', '//127.0.0.1:9/data', '-U', user, '--no-experiments', env=env)
        check(f'{what} over the limit: exit 2 naming the limit, the text not echoed',
              rc == 2 and ('512' in err or '255' in err) and secret not in err, err)
    long = 'Lp0' * 170 + 'xy'   # 512 bytes: cut at 255 it was a wrong password
    with Serve(f'[server]\n[user alice]\nPassword = {long}\n[share data]\nPath = share\n') as s:
        rc, out, err = probe(s.port, user='alice%' + long)
        check('a 512-byte password reaches the server whole: the probe gets in', rc == 0, out + err)
        rc, out, err = probe(s.port, env={'SMBDIAG_PASSWORD': long}, user='alice')
        check('a 512-byte SMBDIAG_PASSWORD reaches the server whole', rc == 0, out + err)


def test_dialects():
    for option, value in (('--dialects', '2.2.2'), ('--dialects', '2.2.4'), ('--dialects', '3.1.0'),
                          ('--dialects', 'SMB3_10'), ('--dialects', '2.1,0x0222'), ('--dialects', 'bogus'),
                          ('--dialects', ','), ('-m', 'bogus'), ('-m', 'SMB2_FF')):
        rc, _, err = probe(9, option, value)
        check(f'{option} {value}: usage error naming the dialects the probe speaks',
              rc == 2 and (value == ',' or '3.1.1' in err), err)
    with Silent() as s:
        for option, value in (('--dialects', 'NT1'), ('-m', 'NT1'), ('--dialects', 'NT1,3.1.1'),
                              ('-m', 'SMB3_10'), ('--dialects', 'SMB2_02,SMB3_11')):
            rc, _, err = probe(s.port, option, value, '--timeout', '0.2')
            check(f'{option} {value}: taken (the silent server times out: exit 11)', rc == 11, err)


def test_path_below_share():
    with Serve('[server]\n[user alice]\nPassword = Passw0rd\n[share data]\nPath = share\n') as s:
        for target in (f'//127.0.0.1:{s.port}/data/dir/sub', f'\\\\127.0.0.1:{s.port}\\data\\dir\\sub'):
            rc, out, err = run('probe', target, '-U', 'alice%Passw0rd', '--no-experiments', '--json')
            try:
                tree = json.loads(out)['connections'][0]['tree']['path']
            except (ValueError, KeyError, IndexError):
                tree = None
            check(f'{target}: the share is probed, a note on stderr names what TREE_CONNECT leaves out',
                  rc == 0 and tree == '\\\\127.0.0.1\\data' and 'dir' in err and 'TREE_CONNECT' in err
                  and 'probing \\\\127.0.0.1\\data' in err, out + err)
        rc, out, err = run('probe', f'//127.0.0.1:{s.port}/data/', '-U', 'alice%Passw0rd', '--no-experiments')
        check('//host/share/: a trailing separator is no path, no note', rc == 0 and not err.strip(), err)


def test_analyze_connection():
    one, two = scenario('tree-bad-network-name'), scenario('negotiate-different-servers')
    for cap, n, want in ((one, 99, '0 only'), (one, 1, '0 only'), (two, 2, '0 to 1')):
        for args in ([], ['--json'], ['--jsonl']):
            rc, out, err = run('analyze', cap, '--connection', str(n), *args)
            check(f'analyze {os.path.basename(cap)} --connection {n} {" ".join(args)}: exit 2, the numbers there are',
                  rc == 2 and f'no connection {n}' in err and want in err and not out.strip(), out + err)
    rc, out, _ = run('analyze', one, '--connection', '0')
    check('analyze --connection 0 of a failed connection: exit 4', rc == 4 and 'tree.bad_network_name' in out, out)
    rc, out, _ = run('analyze', two, '--connection', '0')
    check('analyze --connection 0 of a healthy connection: exit 0', rc == 0, out)


def main():
    for t in (test_json_stays_english, test_timeout, test_option_errors, test_credential_limits, test_dialects,
              test_path_below_share, test_analyze_connection):
        try:
            t()
        except Exception as e:  # a crash in one group must not hide the others
            check(f'{t.__name__} ran', False, repr(e))
    return TAP.done()


if __name__ == '__main__':
    sys.exit(main())
