#!/usr/bin/env python3
"""smbdiag probe over NetBIOS on port 139, against real smbd and smbclient.

Runs in a network namespace of its own (peers.private_netns) so that smbd
and the stand-ins can listen on the real port 139, which is the only port
smbclient sends a NetBIOS session request to.

Samba's smbd takes a session request for any called name (it only uses the
name for %L), so a refusal needs another server: StrictName, a stand-in for
Windows' strict name checking, answers NEGATIVE SESSION RESPONSE 0x82
(called name not present) to names it does not own and hands accepted
sessions to the real smbd. Both the probe and smbclient are run against
the same endpoints, and StrictName records the called names each sent, so
the probe's *SMBSERVER retry is compared with smbclient's. Last, dumpcap
captures smbclient refused under both names and `smbdiag analyze` must
name the refused called name.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402
import test_probe_smbd as tps  # noqa: E402  (probe(), finding_ids(), check_schema())

NETBIOS_NAME = 'SMBDIAGTEST'      # peers.Smbd's netbios name
SMBD_ADDR = '127.0.0.1'           # smbd itself on 139
STRICT_ADDR = '127.0.0.2'         # owns SMBDIAGTEST and *SMBSERVER
CLOSED_ADDR = '127.0.0.3'         # owns SMBDIAGTEST only
SESSION_REQUEST, NEGATIVE_RESPONSE, CALLED_NAME_NOT_PRESENT = 0x81, 0x83, 0x82


def decode_called_name(request):
    """The called name of a SESSION REQUEST (RFC 1001 14.1 first-level
    encoding: each byte as two letters 'A' + nibble), without padding."""
    if len(request) < 4 + 1 + 32 or request[0] != SESSION_REQUEST or request[4] != 32:
        return None
    enc = request[5:37]
    raw = bytes(((enc[i] - 0x41) << 4) | (enc[i + 1] - 0x41) for i in range(0, 32, 2))
    return raw[:15].decode('ascii', 'replace').rstrip()


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (dst, src):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class StrictName:
    """Port 139 on addr: refuses called names outside `names` with 0x82,
    relays the others (session request included) to smbd."""

    def __init__(self, addr, names, backend):
        self.names, self.backend = set(names), backend
        self.seen = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr, 139))
        self.sock.listen(16)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        conn.settimeout(10)
        try:
            request = conn.recv(1024)
        except OSError:
            conn.close()
            return
        name = decode_called_name(request)
        if name is None:
            conn.close()
            return
        self.seen.append(name)
        if name not in self.names:
            conn.sendall(bytes([NEGATIVE_RESPONSE, 0, 0, 1, CALLED_NAME_NOT_PRESENT]))
            conn.close()
            return
        conn.settimeout(None)
        upstream = socket.create_connection(self.backend, timeout=10)
        upstream.settimeout(None)
        upstream.sendall(request)
        threading.Thread(target=pump, args=(conn, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, conn), daemon=True).start()

    def take_seen(self):
        seen, self.seen = self.seen, []
        return seen

    def close(self):
        self.sock.close()


# NTLM: no KDC in the namespace, and Kerberos is not what these cases are about.
def probe(unc, addr, *args):
    return tps.probe(unc, '-I', addr, '-p', '139', '--auth', 'ntlm', *args)


def probe_text(unc, addr):
    cmd = [tps.SMBDIAG, 'probe', unc, '-I', addr, '-p', '139', '--auth', 'ntlm', '-U', 'alice%Secret123']
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
                       env=dict(os.environ, LANG='C', LC_ALL='C'))
    return r.returncode, r.stdout


def smbclient(unc, addr):
    cmd = ['smbclient', unc, '-I', addr, '-p', '139', '-U', 'alice%Secret123', '-c', 'ls']
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    return r.returncode, f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout}'


def connections(rep):
    return (rep or {}).get('connections') or []


def steps(conn):
    return {s.get('step'): s for s in conn.get('steps', [])}


def experiments(rep, kind):
    return [e for e in (rep or {}).get('experiments', []) if e.get('kind') == kind]


def finding(rep, fid):
    return next((f for f in (rep or {}).get('findings', []) if f.get('id') == fid), {})


def smbd_cases(tap):
    """smbd itself on 139: any called name is taken, as Samba does."""
    for unc, name in (('//WRONGNAME/data', 'WRONGNAME'), (f'//{NETBIOS_NAME}/data', NETBIOS_NAME),
                      ('//127.0.0.1/data', '*SMBSERVER')):
        rc, rep, out = probe(unc, SMBD_ADDR)
        conns = connections(rep)
        nbss = steps(conns[0]).get('nbss', {}) if conns else {}
        tap.ok(rc == 0 and len(conns) == 1 and nbss.get('ok') is True
               and 'nbss.called_name_rejected' not in tps.finding_ids(rep),
               f'smbd on 139 takes called name {name}: one connection, nbss ok, exit 0', out)
        src, sout = smbclient(unc, SMBD_ADDR)
        tap.ok(src == 0, f'smbclient to smbd on 139 as {name}: exit 0 (same as the probe)', sout)


def strict_cases(tap, strict):
    rc, rep, out = probe(f'//{NETBIOS_NAME}/data', STRICT_ADDR)
    seen = strict.take_seen()
    tap.ok(rc == 0 and seen == [NETBIOS_NAME] and len(connections(rep)) == 1
           and 'nbss.called_name_rejected' not in tps.finding_ids(rep),
           'strict server, its own name: accepted at once, no retry, exit 0', f'seen {seen}\n{out}')

    rc, rep, out = probe('//127.0.0.2/data', STRICT_ADDR)
    seen = strict.take_seen()
    tap.ok(rc == 0 and seen == ['*SMBSERVER'], 'strict server, by address: *SMBSERVER sent first, exit 0',
           f'seen {seen}\n{out}')

    # The wrong name: refused with 0x82, then *SMBSERVER, as smbclient does.
    rc, rep, out = probe('//WRONGNAME/data', STRICT_ADDR)
    seen = strict.take_seen()
    conns = connections(rep)
    tap.ok(seen == ['WRONGNAME', '*SMBSERVER'], 'wrong name: the probe retries as *SMBSERVER after 0x82',
           f'seen {seen}\n{out}')
    first = steps(conns[0]) if conns else {}
    tap.ok(first.get('nbss', {}).get('ok') is False and first.get('nbss', {}).get('status') in ('0x82', '0x00000082'),
           'wrong name: connection 0 ends at nbss with the negative response 0x82', out)
    second = steps(conns[1]) if len(conns) > 1 else {}
    tap.ok(second.get('nbss', {}).get('ok') is True and second.get('tree_connect', {}).get('ok') is True,
           'wrong name: connection 1 (as *SMBSERVER) goes through to TREE_CONNECT', out)
    ev = '\n'.join(finding(rep, 'nbss.called_name_rejected').get('evidence', []))
    tap.ok('does not answer to WRONGNAME on 139 but does answer to *SMBSERVER' in ev
           and 'netbios aliases' in ev and 'DisableStrictNameChecking' in ev,
           'wrong name: nbss.called_name_rejected says the server answers to *SMBSERVER, not WRONGNAME', out)
    exps = experiments(rep, 'nbss_smbserver')
    tap.ok(len(exps) == 1 and exps[0].get('ok') is True and exps[0].get('connection') == 0,
           'wrong name: the *SMBSERVER retry is recorded as experiment nbss_smbserver (ok) of connection 0', out)
    tap.ok(rc == 0, 'wrong name, *SMBSERVER accepted: exit 0, as smbclient (the client falls back by itself)', out)
    if tps.schema_exists():
        tps.check_schema(tap, rep, out)

    src, sout = smbclient('//WRONGNAME/data', STRICT_ADDR)
    seen = strict.take_seen()
    tap.ok(src == 0 and seen == ['WRONGNAME', '*SMBSERVER'],
           'smbclient, wrong name: WRONGNAME refused, *SMBSERVER accepted, exit 0 (the probe does the same)',
           f'seen {seen}\n{sout}')

    rc, text = probe_text('//WRONGNAME/data', STRICT_ADDR)
    strict.take_seen()
    tap.ok(rc == 0 and 'nbss.called_name_rejected' in text and '*SMBSERVER' in text,
           'wrong name, text output: the finding and the *SMBSERVER retry are shown', text)

    capture_case(tap, strict)

    # Follow-ups run on the connection that went on: a misspelled share is
    # listed over *SMBSERVER and the suggestion belongs to connection 1.
    rc, rep, out = probe('//WRONGNAME/dta', STRICT_ADDR)
    seen = strict.take_seen()
    bad = finding(rep, 'tree.bad_network_name')
    lists = experiments(rep, 'share_list')
    tap.ok(rc == 13 and bad.get('connection') == 1 and lists and lists[0].get('connection') == 1
           and 'data' in '\n'.join(bad.get('evidence', [])) and set(seen) == {'WRONGNAME', '*SMBSERVER'},
           'wrong name and misspelled share: exit 13, share listing over *SMBSERVER, suggestion on connection 1',
           f'seen {seen}\n{out}')


def capture_case(tap, strict):
    """--save-capture holds both connections, and tshark reads the refusal,
    the retry and the SMB2 exchange that followed."""
    desc = '--save-capture: tshark sees WRONGNAME refused (0x83/0x82), then *SMBSERVER accepted and TREE_CONNECT'
    if not shutil.which('tshark'):
        tap.skip(desc, 'tshark not installed')
        return
    with tempfile.TemporaryDirectory(prefix='smbdiag-nb-') as d:
        path = os.path.join(d, 'probe.pcapng')
        rc, rep, out = probe('//WRONGNAME/data', STRICT_ADDR, '--save-capture', path)
        strict.take_seen()
        r = subprocess.run(['tshark', '-r', path, '-Y', 'nbss.type != 0 || smb2', '-T', 'fields', '-e', 'tcp.stream',
                            '-e', 'nbss.type', '-e', 'nbss.called_name', '-e', 'nbss.error_code', '-e', 'smb2.cmd'],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
    rows = [line.split('\t') for line in r.stdout.splitlines()]
    want = [['0', '0x81', 'WRONGNAME<20>', '', ''], ['0', '0x83', '', '0x82', ''],
            ['1', '0x81', '*SMBSERVER<20>', '', ''], ['1', '0x82', '', '', '']]
    tree_connect_on_retry = any(len(row) == 5 and row[0] == '1' and row[4] == '3' for row in rows)
    tap.ok(rc == 0 and rows[:4] == want and tree_connect_on_retry, desc, f'{r.stdout}\n{out}')


def closed_cases(tap, closed):
    rc, rep, out = probe('//WRONGNAME/data', CLOSED_ADDR)
    seen = closed.take_seen()
    ev = '\n'.join(finding(rep, 'nbss.called_name_rejected').get('evidence', []))
    exps = experiments(rep, 'nbss_smbserver')
    tap.ok(seen == ['WRONGNAME', '*SMBSERVER'], 'both names refused: the probe tried WRONGNAME, then *SMBSERVER',
           f'seen {seen}\n{out}')
    tap.ok(rc == 10 and len(connections(rep)) == 1 and 'refused too' in ev
           and exps and exps[0].get('ok') is False,
           'both names refused: exit 10, nbss.called_name_rejected says *SMBSERVER was refused too', out)
    src, sout = smbclient('//WRONGNAME/data', CLOSED_ADDR)
    seen = closed.take_seen()
    tap.ok(src != 0 and seen == ['WRONGNAME', '*SMBSERVER'],
           'smbclient, both names refused: fails after the same two session requests', f'seen {seen}\n{sout}')
    translated_case(tap, closed, rep)


def translated_case(tap, closed, rep):
    """--lang zh_TW -v: the NetBIOS step's called name and the refusal's
    evidence are told in Chinese; --json keeps the English detail."""
    desc = '--lang zh_TW -v, both names refused: called name told in Chinese, English in --json'
    cmd = [tps.SMBDIAG, 'probe', '//WRONGNAME/data', '-I', CLOSED_ADDR, '-p', '139', '--auth', 'ntlm',
           '-U', 'alice%Secret123', '--lang', 'zh_TW', '-v']
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
                       env=dict(os.environ, LANG='C', LC_ALL='C'))
    closed.take_seen()
    out = f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout}'
    if '連線' not in r.stdout:
        tap.skip(desc, 'no compiled zh_TW catalog (msgfmt missing?)')
        return
    nbss = [s for c in connections(rep) for s in c.get('steps', []) if s.get('step') == 'nbss']
    tap.ok(r.returncode == 10 and '被呼叫名稱 WRONGNAME<20>' in r.stdout and 'called name' not in r.stdout
           and nbss and nbss[0].get('detail') == 'called name WRONGNAME<20>', desc, out)

    rc, rep, out = probe('//127.0.0.3/data', CLOSED_ADDR)
    seen = closed.take_seen()
    tap.ok(rc == 10 and seen == ['*SMBSERVER'] and not experiments(rep, 'nbss_smbserver')
           and 'nbss.called_name_rejected' in tps.finding_ids(rep),
           '*SMBSERVER itself refused: no retry, nbss.called_name_rejected, exit 10', f'seen {seen}\n{out}')

    rc, rep, out = probe('//WRONGNAME/data', CLOSED_ADDR, '--no-experiments')
    seen = closed.take_seen()
    tap.ok(rc == 10 and seen == ['WRONGNAME', '*SMBSERVER'],
           '--no-experiments: the *SMBSERVER retry is client behaviour and still happens', f'seen {seen}\n{out}')


def analyze_case(tap, closed):
    """smbclient refused on 139 under both names, captured by dumpcap:
    smbdiag analyze names the refused called name."""
    desc = 'analyze, smbclient refused WRONGNAME and *SMBSERVER: nbss.called_name_rejected naming WRONGNAME'
    if not shutil.which('dumpcap'):
        tap.skip(desc, 'dumpcap not installed')
        return
    with tempfile.TemporaryDirectory(prefix='smbdiag-nb-') as d:
        path = os.path.join(d, 'smbclient.pcapng')
        with peers.Capture(path, 'tcp port 139'):
            src, sout = smbclient('//WRONGNAME/data', CLOSED_ADDR)
        closed.take_seen()
        r = subprocess.run([tps.SMBDIAG, 'analyze', '--json', path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        rep = {}
    ev = '\n'.join(e for f in rep.get('findings', []) if f['id'] == 'nbss.called_name_rejected'
                   for e in f.get('evidence', []))
    tap.ok(r.returncode == 4 and 'WRONGNAME' in ev and '*SMBSERVER' in ev, desc,
           f'exit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr}\n{sout}')


def main():
    peers.require('smbd', 'smbpasswd', 'smbclient', tps.SMBDIAG)
    peers.private_netns()
    tap = peers.Tap()
    with peers.Smbd(port=139, options={'disable netbios': 'no'}) as smbd:
        smbd_cases(tap)
        strict = StrictName(STRICT_ADDR, {NETBIOS_NAME, '*SMBSERVER'}, (SMBD_ADDR, smbd.port))
        closed = StrictName(CLOSED_ADDR, {NETBIOS_NAME}, (SMBD_ADDR, smbd.port))
        try:
            strict_cases(tap, strict)
            closed_cases(tap, closed)
            analyze_case(tap, closed)
        finally:
            strict.close()
            closed.close()
    sys.exit(tap.done())


if __name__ == '__main__':
    main()
