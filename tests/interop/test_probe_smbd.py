#!/usr/bin/python3
"""`smbdiag probe` against real Samba smbd and small hostile listeners.

Each case starts (or reuses) a private smbd with the configuration that
produces one failure, runs the probe with --json, and checks the exit
status (SPEC: 0, 10, 11, 12, 13) and the finding ids. Listeners written
here stand in for servers Samba cannot imitate: one that never answers
NEGOTIATE, one that resets, one that answers NEGOTIATE and then swallows
SESSION_SETUP, and a NetBIOS endpoint that refuses the called name.
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
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402
from listeners import Listener, closed_port, silent_then_reset, swallow_session  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
SMBDIAG = os.path.join(BUILD, 'src', 'cli', 'smbdiag')
SCHEMA = os.path.join(peers.ROOT, 'doc', 'report.schema.json')
DIALECTS = ['2.0.2', '2.1', '3.0', '3.0.2', '3.1.1']
USERS = {'alice': 'Secret123', 'bob': 'Bob12345'}


def probe(target, *args, user='alice%Secret123', timeout=120):
    cmd = [SMBDIAG, 'probe', target, '--json'] + list(args)
    if user:
        cmd += ['-U', user]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout,
                       env=dict(os.environ, LANG='C', LC_ALL='C'))
    try:
        report = json.loads(r.stdout)
    except ValueError:
        report = None
    return r.returncode, report, f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout}\n{r.stderr}'


def finding_ids(report):
    return [f.get('id') for f in (report or {}).get('findings', [])]


def evidence(report, fid):
    lines = []
    for f in (report or {}).get('findings', []):
        if f.get('id') == fid:
            lines += f.get('evidence', [])
    return '\n'.join(lines)


def first_connection(report):
    conns = (report or {}).get('connections') or [{}]
    return conns[0]


# --- a minimal JSON Schema check (type, required, properties, items, enum) ---

def schema_errors(node, schema, root, path='$'):
    if '$ref' in schema:
        ref = schema['$ref']
        target = root
        for part in ref.lstrip('#/').split('/'):
            if part:
                target = target[part]
        return schema_errors(node, target, root, path)
    errors = []
    types = schema.get('type')
    if types:
        types = types if isinstance(types, list) else [types]
        pytypes = {'object': dict, 'array': list, 'string': str, 'boolean': bool, 'null': type(None),
                   'integer': int, 'number': (int, float)}
        ok = any(isinstance(node, pytypes[t]) and not (t in ('integer', 'number') and isinstance(node, bool))
                 for t in types if t in pytypes)
        if not ok:
            return [f'{path}: {type(node).__name__} is not {types}']
    if 'enum' in schema and node not in schema['enum']:
        errors.append(f'{path}: {node!r} not in {schema["enum"]}')
    if isinstance(node, dict):
        for key in schema.get('required', []):
            if key not in node:
                errors.append(f'{path}: missing {key}')
        props = schema.get('properties', {})
        for key, value in node.items():
            if key in props:
                errors += schema_errors(value, props[key], root, f'{path}.{key}')
            elif schema.get('additionalProperties') is False:
                errors.append(f'{path}: unexpected {key}')
    if isinstance(node, list) and isinstance(schema.get('items'), dict):
        for i, item in enumerate(node):
            errors += schema_errors(item, schema['items'], root, f'{path}[{i}]')
    return errors


# --- listeners standing in for broken servers (others in listeners.py) ---

def netbios_refuse(conn):
    request = conn.recv(1024)
    if request and request[0] == 0x81:
        conn.sendall(bytes([0x83, 0, 0, 1, 0x82]))  # negative: called name not present
    time.sleep(0.2)


# --- the cases ---

def main_server_cases(tap):
    shares = {'data': {}, 'secret': {'valid users': 'bob'}, 'enc': {'smb encrypt': 'required'},
              'gone': {'path': '/nonexistent/smbdiag-share-folder'}}
    with peers.Smbd(shares=shares, users=USERS) as smbd:
        base = f'//127.0.0.1:{smbd.port}'
        # A share whose folder is missing: Samba says BAD_NETWORK_NAME, and
        # the listing shows the share under that very name.
        rc, rep, out = probe(f'{base}/gone')
        ev = evidence(rep, 'tree.bad_network_name')
        tap.ok(rc == 13 and 'the server lists a share named gone: the share exists, but the server could not open '
               'its folder' in ev and 'did you mean' not in ev,
               "share folder missing: bad_network_name says the share exists and its folder does not", out)
        for d in DIALECTS:
            rc, rep, out = probe(f'{base}/data', '--dialects', d)
            neg = first_connection(rep).get('negotiate', {})
            tap.ok(rc == 0 and neg.get('dialect') == d, f'success over {d} (exit 0, dialect {d})', out)
        rc, rep, out = probe('\\\\127.0.0.1\\data', '-p', str(smbd.port))
        tap.ok(rc == 0 and 'session.ntlm_used' in finding_ids(rep), 'UNC with backslashes, -p: exit 0', out)
        if schema_exists():
            check_schema(tap, rep, out)
        rc, rep, out = probe(f'{base}/nosuch')
        tap.ok(rc == 13 and 'tree.bad_network_name' in finding_ids(rep), 'missing share: tree.bad_network_name',
               out)
        capture_case(tap, smbd.port)
        rc, rep, out = probe(f'{base}/dta')
        ok = rc == 13 and 'tree.bad_network_name' in finding_ids(rep)
        ev = evidence(rep, 'tree.bad_network_name')
        if 'data' in ev.replace('\\\\127.0.0.1\\dta', ''):
            tap.ok(ok, 'misspelled share: bad_network_name suggests "data"', out)
        else:
            tap.ok(ok, 'misspelled share: bad_network_name (no suggestion: share listing experiment '
                       'not available yet)', out)
        rc, rep, out = probe(f'{base}/secret')
        ids = finding_ids(rep)
        tap.ok(rc == 13 and 'tree.access_denied' in ids and 'tree.encryption_required' not in ids,
               'share denied by valid users: tree.access_denied', out)
        rc, rep, out = probe(f'{base}/enc', '--max-protocol', 'SMB2_10')
        tap.ok(rc == 13 and 'tree.encryption_required' in finding_ids(rep),
               'encrypted share, max SMB2_10: tree.encryption_required (encrypted retry succeeded)', out)
        rc, rep, out = probe(f'{base}/enc', '--no-encryption')
        tap.ok(rc == 13 and 'tree.encryption_required' in finding_ids(rep),
               'encrypted share, --no-encryption: tree.encryption_required', out)
        rc, rep, out = probe(f'{base}/enc')
        tap.ok(rc == 0, 'encrypted share with 3.1.1 and encryption: exit 0', out)
        rc, rep, out = probe(f'{base}/data', user='alice%wrong')
        tap.ok(rc == 12 and 'session.logon_failure' in finding_ids(rep)
               and 'alice' in evidence(rep, 'session.logon_failure'),
               'wrong password: session.logon_failure naming the user sent', out)
        rc, rep, out = probe(f'{base}/data', user='nobodyhere%whatever')
        tap.ok(rc == 12 and 'session.logon_failure' in finding_ids(rep),
               'unknown user, map to guest = never: session.logon_failure', out)
        if socket.has_ipv6:
            rc, rep, out = probe(f'//[::1]:{smbd.port}/data')
            tap.ok(rc == 0 and first_connection(rep).get('server', '').startswith('[::1]'),
                   'IPv6 literal //[::1]:port/share: exit 0', out)
        rc, rep, out = probe(f'//localhost:{smbd.port}/data', '--timeout', '5')
        tap.ok(rc == 0, 'a host name that resolves (localhost): exit 0', out)
        translated_ladder_case(tap, f'{base}/nosuch')
        translated_evidence_case(tap, f'{base}/Dta')


def columns(text):
    """Terminal columns of text: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in 'WF' else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def translated_ladder_case(tap, target):
    """--lang zh_TW: the step labels are Chinese (wider than their byte
    count suggests, and wider than the English ones), yet the durations and
    results of the ladder still line up in one column."""
    cmd = [SMBDIAG, 'probe', target, '-U', 'alice%Secret123', '--lang', 'zh_TW', '--no-experiments']
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
                       env=dict(os.environ, LANG='C', LC_ALL='C'))
    out = f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout}\n{r.stderr}'
    if '連線' not in r.stdout:
        tap.skip('--lang zh_TW ladder lines up', 'no compiled zh_TW catalog (msgfmt missing?)')
        return
    ladder = [line for line in r.stdout.splitlines()
              if line.startswith('  ') and not line.startswith('   ') and ' ms  ' in line]
    ends = {columns(line[:line.index(' ms  ') + 5]) for line in ladder}
    tap.ok(r.returncode == 13 and len(ladder) >= 4 and len(ends) == 1,
           f'--lang zh_TW: the {len(ladder)} ladder lines put the result in one column {sorted(ends)}', out)


def translated_refusal_case(tap, port, rep):
    """--lang zh_TW -v: the system's refusal under the TCP step is told
    in Chinese (libuv's texts are English only); --json keeps English."""
    desc = '--lang zh_TW -v, closed port: the refusal is told in Chinese, English in --json'
    cmd = [SMBDIAG, 'probe', f'//127.0.0.1:{port}/data', '-N', '--lang', 'zh_TW', '-v']
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60,
                       env=dict(os.environ, LANG='C', LC_ALL='C'))
    out = f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout}'
    if '連線' not in r.stdout:
        tap.skip(desc, 'no compiled zh_TW catalog (msgfmt missing?)')
        return
    tcp = [s for c in rep.get('connections', []) for s in c.get('steps', []) if s.get('step') == 'tcp']
    tap.ok(r.returncode == 10 and '（位址）: 連線遭拒絕' in r.stdout and 'connection refused' not in r.stdout
           and tcp and tcp[0].get('detail', '').endswith(': connection refused'), desc, out)


def translated_evidence_case(tap, target):
    """--lang zh_TW: a misspelled share's evidence lines (the suggestion
    from the share listing included) are Chinese in the text report, and
    the JSON report keeps them English for the machines that read it."""
    env = dict(os.environ, LANG='C', LC_ALL='C')
    text = subprocess.run([SMBDIAG, 'probe', target, '-U', 'alice%Secret123', '--lang', 'zh_TW'],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, env=env)
    js = subprocess.run([SMBDIAG, 'probe', target, '-U', 'alice%Secret123', '--lang', 'zh_TW', '--json'],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, env=env)
    out = f'exit {text.returncode}\n{text.stdout}\n{text.stderr}\njson exit {js.returncode}\n{js.stdout}'
    if '連線' not in text.stdout:
        tap.skip('--lang zh_TW evidence lines', 'no compiled zh_TW catalog (msgfmt missing?)')
        return
    try:
        rep = json.loads(js.stdout)
    except ValueError:
        rep = {}
    english = evidence(rep, 'tree.bad_network_name')
    details = [e.get('detail', '') for e in rep.get('experiments', [])]
    tap.ok(text.returncode == 13 and '您是否要找：data' in text.stdout and 'did you mean' not in text.stdout
           and js.returncode == 13 and 'did you mean: data?' in english,
           '--lang zh_TW: evidence lines translated in the text report, English in --json', out)
    tap.ok('- 列出共用: ' in text.stdout and '透過 IPC$ 列出共用' in text.stdout and 'share listing' not in text.stdout
           and any(d.startswith('IPC$ share listing: ') for d in details),
           '--lang zh_TW: the share listing experiment is told in Chinese, in English in --json', out)


STEP_COMMANDS = {'negotiate': 0, 'session_setup': 1, 'tree_connect': 3, 'logoff': 2}


def capture_case(tap, port):
    """--save-capture: tshark reads the file and sees the statuses the probe reported."""
    if not shutil.which('tshark'):
        tap.skip('--save-capture read by tshark', 'tshark missing')
        return
    with tempfile.TemporaryDirectory(prefix='smbdiag-probe-cap-') as tmp:
        path = os.path.join(tmp, 'probe.pcapng')
        rc, rep, out = probe(f'//127.0.0.1:{port}/nosuch', '--save-capture', path)
        r = subprocess.run(['tshark', '-r', path, '-d', f'tcp.port=={port},nbss', '-Y',
                            'smb2.flags.response == 1 && tcp.stream == 0', '-T', 'fields',
                            '-e', 'smb2.cmd', '-e', 'smb2.nt_status'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        seen = {}
        for line in r.stdout.splitlines():
            cmd, status = (line.split('\t') + [''])[:2]
            seen[int(cmd.split(',')[-1])] = int(status.split(',')[-1] or '0', 16)
        steps = [s for s in first_connection(rep).get('steps', []) if s.get('step') in STEP_COMMANDS]
        same = bool(steps) and all(seen.get(STEP_COMMANDS[s['step']]) == int(s.get('status', '0'), 16)
                                   for s in steps)
        tap.ok(rc == 13 and same, '--save-capture: tshark reads the same commands and statuses the probe reported',
               f'{out}\ntshark: {r.stdout}\n{r.stderr}\nseen {seen}')


def guest_cases(tap):
    with peers.Smbd(shares={'data': {'guest ok': 'yes'}}, users=USERS,
                    options={'map to guest': 'bad user'}) as smbd:
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', user='nobodyhere%whatever')
        ids = finding_ids(rep)
        tap.ok(rc == 0 and 'session.guest_fallback' in ids,
               'unknown user, map to guest = bad user: guest session, session.guest_fallback', out)


def analyze(path):
    """`analyze --json` of a capture: (exit, report or None, output)."""
    r = subprocess.run([SMBDIAG, 'analyze', '--json', path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        rep = None
    return r.returncode, rep, f'exit {r.returncode}\n{r.stdout}{r.stderr}'


def probe_and_analyze(target, *args):
    """The probe with --save-capture, then `analyze --json` of that capture:
    the probe's (exit, report, output) and the analyzer's."""
    with tempfile.TemporaryDirectory(prefix='smbdiag-pa-') as d:
        path = os.path.join(d, 'probe.pcapng')
        rc, rep, out = probe(target, *args, '--save-capture', path)
        return rc, rep, out, analyze(path)


def holds_share(holder, timeout=30.0):
    """True once an interactive smbclient answers `pwd` from its share (its
    TREE_CONNECT succeeded); bounded by timeout."""
    holder.stdin.write(b'pwd\n')
    holder.stdin.flush()
    seen = b''
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and b'Current directory is' not in seen:
        ready, _, _ = select.select([holder.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(holder.stdout.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
    return b'Current directory is' in seen


def connection_limit_case(tap):
    """`max connections = 1` on the share, held by one smbclient: the
    probe's TREE_CONNECT gets STATUS_INSUFFICIENT_RESOURCES, which no
    specific rule covers; tree.other says what it means at TREE_CONNECT
    instead of the report finding no problem. smbclient fails the same way."""
    desc = 'share max connections reached: exit 13, tree.other with INSUFFICIENT_RESOURCES and the connection limit'
    with peers.Smbd(shares={'data': {'max connections': '1'}}, users=USERS) as smbd:
        target = f'//127.0.0.1:{smbd.port}/data'
        # stdbuf: smbclient writing to a pipe would hold its answer to pwd.
        holder = subprocess.Popen(['stdbuf', '-oL', 'smbclient', '//127.0.0.1/data', '-p', str(smbd.port),
                                   '-U', 'alice%Secret123'],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            # The holder must own the one use before anyone else tries:
            # started together, the probe could take it first and the
            # holder's TREE_CONNECT would be the one refused.
            held = holds_share(holder)
            rc, rep, out = probe(target, '--no-experiments')
            out = f'holder connected: {held}\n{out}'
            ev = evidence(rep, 'tree.other')
            tap.ok(held and rc == 13 and 'STATUS_INSUFFICIENT_RESOURCES' in ev and 'connection limit' in ev
                   and set(finding_ids(rep)) - {'tree.other', 'session.ntlm_used'} == set(), desc, out)
            # The analyzer reads the same failure from the probe's own capture.
            _, _, _, (arc, arep, aout) = probe_and_analyze(target, '--no-experiments')
            aev = evidence(arep, 'tree.other')
            tap.ok(arc == 4 and 'STATUS_INSUFFICIENT_RESOURCES' in aev and '\\data' in aev,
                   'analyze of the probe\'s capture: tree.other, exit 4', aout)
            r = subprocess.run(['smbclient', '//127.0.0.1/data', '-p', str(smbd.port), '-U', 'alice%Secret123',
                                '-c', 'exit'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=60, stdin=subprocess.DEVNULL)
            tap.ok(r.returncode != 0 and 'NT_STATUS_INSUFFICIENT_RESOURCES' in r.stdout,
                   'smbclient to the same full share: NT_STATUS_INSUFFICIENT_RESOURCES, as the probe saw',
                   r.stdout)
        finally:
            holder.stdin.close()
            try:
                holder.wait(timeout=10)
            except subprocess.TimeoutExpired:
                holder.kill()
                holder.wait()


def not_smb_case(tap):
    """A real web server (Python's http.server) on the port: the probe says
    something other than SMB answered, quotes its first bytes and names a
    web server; smbclient only fails."""
    port = peers.free_port()
    web = subprocess.Popen(['/usr/bin/python3', '-m', 'http.server', '--bind', '127.0.0.1', str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        if not peers.wait_listening(port):
            tap.ok(False, 'a web server on the port: negotiate.not_smb', 'http.server did not listen')
            return
        rc, rep, out, (arc, arep, aout) = probe_and_analyze(f'//127.0.0.1:{port}/data', '--no-experiments',
                                                           '--timeout', '10')
        aev = evidence(arep, 'negotiate.not_smb')
        tap.ok(arc == 4 and finding_ids(arep) == ['negotiate.not_smb'] and '<!DOCTYPE HTML>' in aev
               and 'web server' in aev, 'analyze of that exchange: negotiate.not_smb, not an unanswered NEGOTIATE',
               aout)
        ev = evidence(rep, 'negotiate.not_smb')
        # http.server takes the binary request for HTTP/0.9 and answers
        # with the error page alone, no status line.
        tap.ok(rc == 11 and finding_ids(rep) == ['negotiate.not_smb'] and 'is not SMB: "<!DOCTYPE HTML>' in ev
               and 'it looks like a web server' in ev,
               'a web server on the port: exit 11, negotiate.not_smb quoting its answer', out)
        check_schema(tap, rep, out)
    finally:
        peers.stop_process(web)


def smb2_negotiate_request():
    """A minimal SMB2 NEGOTIATE (2.0.2, 2.1) with its direct-TCP header."""
    header = struct.pack('<4sHHIHHIIQIIQ16s', b'\xfeSMB', 64, 0, 0, 0, 1, 0, 0, 0, 0xFEFF, 0, 0, b'\0' * 16)
    body = struct.pack('<HHHHI16sQ', 36, 2, 1, 0, 0, b'\x11' * 16, 0) + struct.pack('<HH', 0x0202, 0x0210)
    msg = header + body
    return struct.pack('>I', len(msg)) + msg


def ssh_server_case(tap):
    """dropbear, a real SSH server, on the port. The probe names an SSH
    server; and a capture in which it spoke first (a client that waited
    for its banner before NEGOTIATE) reads as a service that spoke first,
    not as an unanswered NEGOTIATE."""
    if shutil.which('dropbear') is None:
        tap.skip('an SSH server on the port: negotiate.not_smb', 'dropbear missing (scripts/install-deps installs it)')
        return
    with peers.Dropbear() as ssh, tempfile.TemporaryDirectory(prefix='smbdiag-ssh-') as d:
        rc, rep, out = probe(f'//127.0.0.1:{ssh.port}/data', '--no-experiments', '--timeout', '10')
        ev = evidence(rep, 'negotiate.not_smb')
        tap.ok(rc == 11 and finding_ids(rep) == ['negotiate.not_smb'] and 'SSH-2.0-dropbear' in ev
               and 'it looks like an SSH server' in ev, 'dropbear on the port: exit 11, negotiate.not_smb, an SSH server',
               out + ssh.output())
        path = os.path.join(d, 'banner-first.pcapng')
        with peers.Capture(path, f'tcp port {ssh.port}'):
            with socket.create_connection(('127.0.0.1', ssh.port), timeout=10) as s:
                banner = s.recv(256)
                s.sendall(smb2_negotiate_request())
                s.settimeout(2)
                try:
                    while s.recv(4096):
                        pass
                except OSError:
                    pass
        arc, arep, aout = analyze(path)
        aev = evidence(arep, 'negotiate.not_smb')
        tap.ok(banner.startswith(b'SSH-2.0-') and arc == 4 and finding_ids(arep) == ['negotiate.not_smb']
               and 'spoke first, before the client\'s NEGOTIATE, and it is not SMB: "SSH-2.0-dropbear' in aev
               and 'it looks like an SSH server' in aev,
               'analyze, the SSH banner before NEGOTIATE: negotiate.not_smb, the service spoke first',
               f'banner {banner!r}\n{aout}')


def hosts_deny_case(tap):
    """smbd with `hosts deny` for the client's address answers NEGOTIATE on
    445 with a NetBIOS negative session response 0x81 and closes: the probe
    and analyze of its capture and of smbclient's say the server refused
    this client (smbclient only says NT_STATUS_INVALID_NETWORK_RESPONSE),
    and tshark reads the same response."""
    fid = 'nbss.client_rejected'
    with peers.Smbd(options={'hosts allow': '10.9.9.9', 'hosts deny': '127.0.0.1'}, users=USERS) as smbd, \
            tempfile.TemporaryDirectory(prefix='smbdiag-deny-') as d:
        target = f'//127.0.0.1:{smbd.port}/data'
        rc, rep, out, (arc, arep, aout) = probe_and_analyze(target)
        ev = evidence(rep, fid)
        step = [s for s in first_connection(rep).get('steps', []) if s.get('step') == 'negotiate']
        tap.ok(rc == 11 and finding_ids(rep) == [fid] and 'NEGATIVE SESSION RESPONSE 0x81' in ev
               and 'refused the client at 127.0.0.1:' in ev and not (rep or {}).get('experiments')
               and step and step[0].get('status') == '0x81',
               'hosts deny: exit 11, nbss.client_rejected with the client address, no experiments', out)
        tap.ok(arc == 4 and finding_ids(arep) == [fid], "analyze of the probe's capture: nbss.client_rejected", aout)
        path = os.path.join(d, 'smbclient.pcapng')
        with peers.Capture(path, f'tcp port {smbd.port}'):
            r = peers.smbclient(smbd.port, '//127.0.0.1/data')
        arc, arep, aout = analyze(path)
        rows = subprocess.run(['tshark', '-r', path, '-d', f'tcp.port=={smbd.port},nbss', '-Y', 'nbss.type == 0x83',
                               '-T', 'fields', '-e', 'nbss.error_code'], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, timeout=60).stdout.split()
        tap.ok('NT_STATUS_INVALID_NETWORK_RESPONSE' in r.stdout and arc == 4 and finding_ids(arep) == [fid]
               and rows == ['0x81'],
               "smbclient only says NT_STATUS_INVALID_NETWORK_RESPONSE; analyze of its exchange says the server "
               "refused the client, and tshark reads the same 0x81", r.stdout + aout + repr(rows))
        # smbd refuses as soon as it accepts, so the refusal may come before
        # the NEGOTIATE it answers: a client that waits for it makes sure.
        path = os.path.join(d, 'refusal-first.pcapng')
        with peers.Capture(path, f'tcp port {smbd.port}'):
            with socket.create_connection(('127.0.0.1', smbd.port), timeout=10) as sock:
                first = sock.recv(16)
                try:
                    sock.sendall(smb2_negotiate_request())
                except OSError:
                    pass
        arc, arep, aout = analyze(path)
        tap.ok(first == b'\x83\x00\x00\x01\x81' and arc == 4 and finding_ids(arep) == [fid],
               'analyze, the refusal before the NEGOTIATE: still nbss.client_rejected', f'{first!r}\n{aout}')
    # The same settings on one share refuse its TREE_CONNECT only.
    with peers.Smbd(shares={'data': {'hosts allow': '10.9.9.9', 'hosts deny': '127.0.0.1'}}, users=USERS) as smbd:
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', '--no-experiments')
        remedies = ' '.join(r for f in (rep or {}).get('findings', []) if f.get('id') == 'tree.access_denied'
                            for r in f.get('remedy', []))
        tap.ok(rc == 13 and 'tree.access_denied' in finding_ids(rep) and 'hosts deny' in remedies,
               "hosts deny on one share: exit 13, tree.access_denied, whose remedies name the share's hosts deny",
               out)


def ntlm_disabled_case(tap):
    """smbd with `ntlm auth = disabled` refuses the probe's NTLM logon by
    address with STATUS_NTLM_BLOCKED: session.other names the setting
    instead of a wrong password; smbclient fails the same way."""
    with peers.Smbd(options={'ntlm auth': 'disabled'}, users=USERS) as smbd:
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', '--no-experiments')
        ev = evidence(rep, 'session.other')
        r = peers.smbclient(smbd.port, '//127.0.0.1/data')
        tap.ok(rc == 12 and 'session.logon_failure' not in finding_ids(rep)
               and 'STATUS_NTLM_BLOCKED' in ev and '`ntlm auth = disabled`' in ev
               and 'NT_STATUS_NTLM_BLOCKED' in r.stdout,
               'ntlm auth = disabled: exit 12, session.other names the setting; smbclient gets NTLM_BLOCKED too',
               out + r.stdout)


def server_policy_cases(tap):
    with peers.Smbd(users=USERS, options={'server smb encrypt': 'required'}) as smbd:
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', '--max-protocol', 'SMB2_10')
        ids = finding_ids(rep)
        tap.ok(rc == 12 and 'session.encryption_required' in ids and 'session.name_hardening' not in ids,
               'server-wide encryption, 2.1 client: session.encryption_required (Samba refuses on the last leg)',
               out)
    with peers.Smbd(users=USERS, options={'server min protocol': 'SMB3'}) as smbd:
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', '--max-protocol', 'SMB2_10')
        ev = evidence(rep, 'negotiate.no_common_dialect')
        tap.ok(rc == 11 and 'negotiate.no_common_dialect' in finding_ids(rep) and '3.1.1' in ev,
               'server min protocol SMB3, max 2.1: negotiate.no_common_dialect, experiments find 3.x', out)
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', '--dialects', 'NT1,3.1.1')
        tap.ok(rc == 0 and first_connection(rep).get('negotiate', {}).get('dialect') == '3.1.1',
               'SMB1 multi-protocol NEGOTIATE first, then 3.1.1 (0x02FF upgrade)', out)
    with peers.Smbd(users=USERS, options={'server signing': 'mandatory'}) as smbd:
        for dialect in ('SMB2_10', 'SMB3_11'):
            rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', '--signing', 'off', '-m', dialect)
            ids = finding_ids(rep)
            tap.ok(rc == 13 and 'session.signing_mismatch' in ids
                   and not any(i.startswith('tree.') for i in ids),
                   f'server signing mandatory, --signing off ({dialect}): unsigned TREE_CONNECT refused, '
                   'session.signing_mismatch and no tree finding', out)
    with peers.Smbd(users=USERS, options={'disable netbios': 'no'}) as smbd:
        rc, rep, out = probe(f'//SMBDIAGTEST:{smbd.port}/data', '-I', '127.0.0.1', '--netbios')
        steps = [s.get('step') for s in first_connection(rep).get('steps', [])]
        tap.ok(rc == 0 and 'nbss' in steps, 'NetBIOS session request accepted by smbd, then exit 0', out)
        return_port = smbd.port
    return return_port


def listener_cases(tap, smbd_port_for_relay):
    silent = Listener(silent_then_reset(8.0))
    try:
        rc, rep, out = probe(f'//127.0.0.1:{silent.port}/data', '--timeout', '3', timeout=180)
        ev = evidence(rep, 'negotiate.no_response')
        tap.ok(rc == 11 and 'negotiate.no_response' in finding_ids(rep) and 'acknowledged' in ev,
               'silent listener: negotiate.no_response with the TCP ACK visible', out)
    finally:
        silent.close()
    quick = Listener(silent_then_reset(0.5))
    try:
        rc, rep, out = probe(f'//127.0.0.1:{quick.port}/data', '--timeout', '3', timeout=180)
        tap.ok(rc == 11 and 'negotiate.connection_closed' in finding_ids(rep),
               'listener resetting after 0.5 s: negotiate.connection_closed', out)
    finally:
        quick.close()
    with peers.Smbd(users=USERS) as smbd:
        relay = Listener(swallow_session(smbd.port))
        try:
            rc, rep, out = probe(f'//127.0.0.1:{relay.port}/data', '--timeout', '3', timeout=180)
            tap.ok(rc == 12 and 'session.no_response' in finding_ids(rep),
                   'NEGOTIATE answered, SESSION_SETUP swallowed: session.no_response', out)
        finally:
            relay.close()
    port = closed_port()
    rc, rep, out = probe(f'//127.0.0.1:{port}/data')
    tap.ok(rc == 10 and 'tcp.refused' in finding_ids(rep), 'closed port: tcp.refused, exit 10', out)
    translated_refusal_case(tap, port, rep)
    nb = Listener(netbios_refuse)
    try:
        rc, rep, out = probe(f'//WRONGNAME:{nb.port}/data', '-I', '127.0.0.1', '--netbios')
        tap.ok(rc == 10 and 'nbss.called_name_rejected' in finding_ids(rep),
               'NetBIOS negative session response 0x82: nbss.called_name_rejected, exit 10', out)
    finally:
        nb.close()


def usage_cases(tap):
    for args in (['probe'], ['probe', 'not-a-unc'], ['probe', '//h/s', '--auth', 'kerberos', '-N'],
                 ['probe', '//h/s', '--dialects', '9.9', '-N']):
        r = subprocess.run([SMBDIAG] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
        tap.ok(r.returncode == 2, f'usage error exits 2: {" ".join(args[1:])}', r.stderr)


def schema_exists():
    return os.path.exists(SCHEMA)


def check_schema(tap, report, out):
    with open(SCHEMA) as f:
        schema = json.load(f)
    errors = schema_errors(report, schema, schema) if report is not None else ['no JSON']
    tap.ok(not errors, 'probe --json validates against doc/report.schema.json', '\n'.join(errors[:20]) + '\n' + out)


def dialect_and_signing_cases(tap):
    """Cases a review found misdiagnosed: a device that cannot sign against
    a default smbd, an SMB1-only server, and a server whose allowed
    algorithms rule out the dialects that cannot negotiate them."""
    with peers.Smbd(users=USERS) as smbd:
        base = f'//127.0.0.1:{smbd.port}/data'
        rc, rep, out = probe(base, '--signing', 'off')
        ids = finding_ids(rep)
        tap.ok(rc == 13 and 'tree.unsigned_disconnect' in ids and 'tree.access_denied' not in ids
               and 'answered STATUS_ACCESS_DENIED' in evidence(rep, 'tree.unsigned_disconnect'),
               '--signing off on 3.1.1: smbd answers the unsigned TREE_CONNECT ACCESS_DENIED, '
               'tree.unsigned_disconnect', out)
        for dialect in ('3.0', '3.0.2'):
            rc, rep, out = probe(base, '--signing', 'off', '--dialects', dialect)
            tap.ok(rc == 0 and not any(f.get('severity') == 'error' for f in rep.get('findings', [])),
                   f'--signing off on {dialect}: no VALIDATE_NEGOTIATE_INFO it cannot sign, exit 0', out)
    with peers.Smbd(users=USERS, options={'server min protocol': 'NT1', 'server max protocol': 'NT1'}) as smbd:
        base = f'//127.0.0.1:{smbd.port}/data'
        rc, rep, out = probe(base)
        tap.ok(rc == 11 and 'negotiate.connection_closed' in finding_ids(rep)
               and 'the server speaks only SMB1' in evidence(rep, 'negotiate.connection_closed'),
               'SMB1-only smbd, SMB2 client: connection_closed says the server speaks only SMB1', out)
        rc, rep, out = probe(base, '--dialects', 'NT1,3.1.1')
        ids = finding_ids(rep)
        neg = first_connection(rep).get('negotiate', {})
        tap.ok(rc == 11 and 'negotiate.smb1_in_use' in ids and 'negotiate.no_common_dialect' not in ids
               and neg.get('dialect') == '1.0' and 'although the client offered SMB2' in evidence(rep, 'negotiate.smb1_in_use'),
               'SMB1-only smbd, NT1 and 3.1.1 offered: SMB1 chosen (smb1_in_use), not "no common dialect"', out)
    with peers.Smbd(users=USERS, options={'server smb3 encryption algorithms': 'AES-256-GCM'}) as smbd:
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', '--dialects', '3.0')
        ev = evidence(rep, 'negotiate.other')
        tap.ok(rc == 11 and 'offered alone, the server speaks' in ev and 'AES-128-CCM' in ev,
               'server smb3 encryption algorithms without AES-128-CCM, 3.0 client: the algorithms named', out)


def keyless_session_cases(tap):
    """Guest and null sessions cannot encrypt: smbd refuses them where
    encryption is required. The probe must not call that name hardening,
    nor a share permission problem without saying so."""
    with peers.Smbd(users=USERS, options={'server smb encrypt': 'required', 'map to guest': 'bad user'},
                    shares={'data': {'guest ok': 'yes'}}) as smbd:
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', user='zed%whatever')
        ids = finding_ids(rep)
        ev = evidence(rep, 'session.other')
        tap.ok(rc == 12 and 'session.name_hardening' not in ids and 'session.other' in ids
               and 'the same logon asking for cifs/' in ev and 'guest or null session' in ev,
               'unknown user mapped to guest, encryption required: not name hardening (the own-name retry is '
               'refused too), the keyless guest named among the causes', out)
    with peers.Smbd(users=USERS, shares={'encpub': {'smb encrypt': 'required', 'guest ok': 'yes'}}) as smbd:
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/encpub', '-N', user=None)
        tap.ok(rc == 13 and 'no key to encrypt with' in evidence(rep, 'tree.access_denied'),
               'null session on a share that requires encryption: tree.access_denied says it cannot encrypt', out)


def folder_unavailable_case(tap):
    """A share whose folder the user cannot enter: smbd accepts TREE_CONNECT
    and refuses the next request (it enters the folder on every request).
    Exit 0 (the three steps passed), with tree.folder_unavailable."""
    locked = tempfile.mkdtemp(prefix='smbdiag-locked-')
    os.chmod(locked, 0o700)  # root's; the test users cannot enter it
    try:
        with peers.Smbd(users=USERS, shares={'locked': {'path': locked}}) as smbd:
            rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/locked')
            tap.ok(rc == 0 and 'STATUS_ACCESS_DENIED' in evidence(rep, 'tree.folder_unavailable'),
                   'share folder the user cannot enter: exit 0, tree.folder_unavailable (warning)', out)
    finally:
        os.rmdir(locked)


def smb1_only_client_cases(tap):
    """--dialects NT1 alone (and -m NT1) is an SMB1-only client, as
    smbclient -m NT1: an SMB1 NEGOTIATE offering SMB1 dialects only. smbd
    without SMB1 answers it in SMB1 choosing no dialect (DialectIndex
    0xFFFF), where Windows closes the connection (serve_clients checks
    that case against smbdiag serve)."""
    with peers.Smbd(users=USERS) as smbd:
        base = f'//127.0.0.1:{smbd.port}/data'
        for args in (('--dialects', 'NT1'), ('-m', 'NT1')):
            rc, rep, out = probe(base, *args, '--no-experiments')
            neg = first_connection(rep).get('negotiate', {})
            ids = finding_ids(rep)
            tap.ok(rc == 11 and neg.get('smb1_negotiate') and neg.get('smb1_offers_smb2') is False
                   and 'negotiate.no_common_dialect' in ids and 'negotiate.smb1_in_use' in ids
                   and 'offering only SMB1 dialects' in evidence(rep, 'negotiate.no_common_dialect'),
                   f'{" ".join(args)} against smbd without SMB1: an SMB1-only NEGOTIATE, no common dialect', out)
    with peers.Smbd(users=USERS, options={'server min protocol': 'NT1'}) as smbd:
        rc, rep, out = probe(f'//127.0.0.1:{smbd.port}/data', '--dialects', 'NT1', '--no-experiments')
        ids = finding_ids(rep)
        tap.ok(rc == 11 and 'negotiate.smb1_in_use' in ids and 'negotiate.no_common_dialect' not in ids
               and first_connection(rep).get('negotiate', {}).get('dialect') == '1.0',
               '--dialects NT1 against smbd with server min protocol NT1: SMB1 chosen, negotiate.smb1_in_use', out)


def main():
    peers.require('smbd', 'smbpasswd', SMBDIAG)
    peers.isolated_loopback()
    tap = peers.Tap()
    usage_cases(tap)
    main_server_cases(tap)
    guest_cases(tap)
    connection_limit_case(tap)
    not_smb_case(tap)
    ssh_server_case(tap)
    hosts_deny_case(tap)
    ntlm_disabled_case(tap)
    dialect_and_signing_cases(tap)
    keyless_session_cases(tap)
    folder_unavailable_case(tap)
    smb1_only_client_cases(tap)
    port = server_policy_cases(tap)
    listener_cases(tap, port)
    if not schema_exists():
        tap.skip('probe --json validates against doc/report.schema.json', 'doc/report.schema.json not written yet')
    tap.done()


if __name__ == '__main__':
    main()
