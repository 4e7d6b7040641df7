#!/usr/bin/python3
"""One server name, several addresses: negotiate.different_servers.

In namespaces of its own (network and mount: peers.private_netns), lo gets
127.0.0.2 and 127.0.0.3, and /etc/hosts (bind-mounted for the namespace
only) gives names several addresses, as DNS round robin does:

- fs.lab.test: two Samba servers, FSA on 127.0.0.1 and FSB on 127.0.0.2
  (each announces its own ServerGuid). The probe succeeds (smbclient does
  too, and says nothing), and warns that the name leads to two servers,
  with both GUIDs; tshark reads the same GUIDs from --save-capture, and
  `analyze` of that capture, and of smbclient's two connections, finds it.
- one.lab.test: one smbd listening on both addresses: no finding.
- same.lab.test: two smbd with one NetBIOS name (one ServerGuid), the share
  on one of them only: the user's whole walk, run again at the other
  address, ends differently there.
- dead.lab.test: 127.0.0.1 and 127.0.0.3, where nothing listens: the
  experiment says refused, and there is no finding.
- -I 127.0.0.1 with the name: the user chose the address; no other is tried.
- HAProxy in front of both smbd (round robin, one address): the share
  listing that follows BAD_NETWORK_NAME reaches the other server, and the
  report says the experiments may describe another server.
- fs1.smbdiag.test with Kerberos (an MIT KDC): the other address gets
  NEGOTIATE only, and its other ServerGuid is still reported.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krblab  # noqa: E402
import peers  # noqa: E402
import test_probe_smbd as tps  # noqa: E402  (probe(), finding_ids(), evidence(), analyze(), check_schema())

FINDING = 'negotiate.different_servers'


def other_address_experiments(report):
    return [e for e in (report or {}).get('experiments', []) if e.get('kind') == 'other_address']


def two_servers_case(tap, port):
    target = f'//fs.lab.test:{port}/data'
    with tempfile.TemporaryDirectory(prefix='smbdiag-addr-') as d:
        path = os.path.join(d, 'probe.pcapng')
        rc, rep, out = tps.probe(target, '--auth', 'ntlm', '--save-capture', path)
        conn = tps.first_connection(rep)
        exps = other_address_experiments(rep)
        mine = conn.get('negotiate', {}).get('server_guid')
        theirs = exps[0].get('server', {}).get('server_guid') if exps else None
        addresses = {conn.get('server'), exps[0].get('address') if exps else None}
        tap.ok(rc == 0 and FINDING in tps.finding_ids(rep) and len(exps) == 1 and exps[0].get('ok')
               and addresses == {f'127.0.0.1:{port}', f'127.0.0.2:{port}'} and mine and theirs and mine != theirs,
               'two servers under one name: exit 0, negotiate.different_servers, the other address NEGOTIATEd', out)
        ev = tps.evidence(rep, FINDING)
        tap.ok(mine in ev and theirs in ev and 'another address of fs.lab.test' in ev and 'MS-SMB2 3.2.5.2' in ev,
               'the evidence names both ServerGuids and what an SMB 3.x client does', ev + '\n' + out)
        severity = [f.get('severity') for f in rep.get('findings', []) if f.get('id') == FINDING] if rep else []
        tap.ok(severity == ['warning'], 'a warning: the configuration asked for works (SPEC: experiments)',
               str(severity))
        if tps.schema_exists():
            tps.check_schema(tap, rep, out)
        if shutil.which('tshark'):
            r = subprocess.run(['tshark', '-r', path, '-d', f'tcp.port=={port},nbss', '-Y', 'smb2.cmd == 0 && '
                                'smb2.flags.response == 1', '-T', 'fields', '-e', 'ip.src', '-e', 'smb2.server_guid'],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
            seen = {line.split('\t')[0]: line.split('\t')[1] for line in r.stdout.splitlines() if '\t' in line}
            tap.ok(len(set(seen.values())) == 2 and set(seen) == {'127.0.0.1', '127.0.0.2'},
                   'tshark reads two NEGOTIATE answers with two different ServerGuids in --save-capture',
                   r.stdout + '\n' + str(seen))
        else:
            tap.skip('tshark reads the two ServerGuids', 'tshark missing')
        arc, arep, aout = tps.analyze(path)
        found = [f for f in (arep or {}).get('findings', []) if f.get('id') == FINDING]
        tap.ok(arc == 0 and len(found) == 1 and found[0].get('connection') == 1
               and 'this connection reached fs.lab.test at 127.0.0.2' in '\n'.join(found[0].get('evidence', [])),
               "analyze of the probe's capture: the second connection reached another server", aout)
    # The text report, for a person.
    r = subprocess.run([tps.SMBDIAG, 'probe', target, '--auth', 'ntlm', '-U', 'alice%Secret123'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
                       env=dict(os.environ, LANG='C', LC_ALL='C'))
    tap.ok(r.returncode == 0 and f'warning {FINDING}' in r.stdout and 'other_address: ok' in r.stdout,
           'text output: the experiment and the warning', r.stdout)


def smbclient_case(tap, port):
    """smbclient reaches both servers under the name and says nothing;
    analyze of its two connections finds the second server."""
    said = []

    def clients():
        for address in ('127.0.0.1', '127.0.0.2'):
            r = peers.smbclient(port, '//fs.lab.test/data', args=['-I', address])
            said.append(r)
        return '\n'.join(f'exit {r.returncode}\n{r.stdout[-500:]}' for r in said)

    rc, rep, log = peers.analyze_live(tps.SMBDIAG, ['--smb-port', str(port)], 8, clients)
    ok_clients = len(said) == 2 and all(r.returncode == 0 for r in said)
    conns = (rep or {}).get('connections', [])
    found = [f for f in (rep or {}).get('findings', []) if f.get('id') == FINDING]
    tap.ok(ok_clients and len(conns) == 2 and len(found) == 1 and found[0].get('connection') == 1
           and all(c.get('server_name') == 'fs.lab.test' for c in conns),
           'smbclient gets through both times; analyze of its connections finds two servers under fs.lab.test', log)


def same_server_case(tap):
    with peers.Smbd(users=tps.USERS, host='127.0.0.1',
                    options={'interfaces': '127.0.0.1 127.0.0.2', 'netbios name': 'FSONE'}) as one:
        rc, rep, out = tps.probe(f'//one.lab.test:{one.port}/data', '--auth', 'ntlm')
        exps = other_address_experiments(rep)
        mine = tps.first_connection(rep).get('negotiate', {}).get('server_guid')
        tap.ok(rc == 0 and FINDING not in tps.finding_ids(rep) and len(exps) == 1 and exps[0].get('ok')
               and exps[0].get('server', {}).get('server_guid') == mine,
               'one smbd on both addresses: the same ServerGuid, no finding', out)


def same_name_other_shares_case(tap):
    """Two smbd with one NetBIOS name (so one ServerGuid: Samba derives it
    from the name), no CTDB, and the share on one of them only."""
    port = peers.free_port()
    one = {'interfaces': '127.0.0.1', 'netbios name': 'FSSAME'}
    two = {'netbios name': 'FSSAME'}
    with peers.Smbd(users=tps.USERS, port=port, options=one), \
            peers.Smbd(users=tps.USERS, port=port, host='127.0.0.2', options=two, shares={'other': {}}):
        rc, rep, out = tps.probe(f'//same.lab.test:{port}/data', '--auth', 'ntlm')
        exps = other_address_experiments(rep)
        mine = tps.first_connection(rep).get('negotiate', {}).get('server_guid')
        on_first = tps.first_connection(rep).get('server') == f'127.0.0.1:{port}'
        ev = tps.evidence(rep, FINDING)
        tap.ok(rc == (0 if on_first else 13) and FINDING in tps.finding_ids(rep) and len(exps) == 1
               and exps[0].get('full_walk') and exps[0].get('server', {}).get('server_guid') == mine
               and 'STATUS_BAD_NETWORK_NAME' in ev and 'the same ServerGuid' in ev
               and 'depends on the address it reaches' in ev and 'MS-SMB2 3.2.5.2' not in ev,
               'one ServerGuid, the share on one server only: the whole walk at the other address tells', out)


def kerberos_case(tap):
    """With Kerberos the other address gets NEGOTIATE only (the ticket and
    its context belong to the first connection): two smbd with their own
    NetBIOS names, both with the service keytab, behind fs1.smbdiag.test."""
    work = tempfile.mkdtemp(prefix='smbdiag-addr-krb-')
    keytab = os.path.join(work, 'smbd.keytab')
    kdc = None
    try:
        kdc = krblab.start_realm(keytab)
        env = krblab.client_env(kdc)
        port = peers.free_port()
        one = krblab.smbd_options(keytab, **{'interfaces': '127.0.0.1', 'netbios name': 'KRBA'})
        two = krblab.smbd_options(keytab, **{'netbios name': 'KRBB'})
        with peers.Smbd(users=tps.USERS, port=port, options=one), \
                peers.Smbd(users=tps.USERS, port=port, host='127.0.0.2', options=two):
            cmd = [tps.SMBDIAG, 'probe', f'//{krblab.HOST}:{port}/data', '--auth', 'kerberos', '--json',
                   '-U', f'alice%{krblab.PASSWORD}']
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, env=env)
            out = f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-800:]}'
            try:
                rep = json.loads(r.stdout)
            except ValueError:
                rep = None
            exps = other_address_experiments(rep)
            session = tps.first_connection(rep).get('session', {})
            tap.ok(r.returncode == 0 and session.get('mechanism') == 'kerberos' and FINDING in tps.finding_ids(rep)
                   and len(exps) == 1 and exps[0].get('full_walk') is False
                   and exps[0].get('step') == 'negotiate' and exps[0].get('server', {}).get('server_guid'),
                   'Kerberos: the other address gets NEGOTIATE only, and its other ServerGuid is reported', out)
    finally:
        krblab.cleanup(work, kdc)


def load_balancer_case(tap, port):
    """HAProxy in front of FSA and FSB, round robin: the probe's share
    listing after BAD_NETWORK_NAME reaches the other server."""
    with peers.Haproxy([f'127.0.0.1:{port}', f'127.0.0.2:{port}']) as lb:
        rc, rep, out = tps.probe(f'//127.0.0.1:{lb.port}/missing', '--auth', 'ntlm')
        ev = tps.evidence(rep, FINDING)
        listing = [e for e in (rep or {}).get('experiments', []) if e.get('kind') == 'share_list']
        mine = tps.first_connection(rep).get('negotiate', {}).get('server_guid')
        tap.ok(rc == 13 and 'tree.bad_network_name' in tps.finding_ids(rep) and FINDING in tps.finding_ids(rep)
               and listing and listing[0].get('server', {}).get('server_guid') not in (None, mine)
               and f'a follow-up connection to 127.0.0.1:{lb.port} reached another server' in ev
               and 'the share listing reached another server' in tps.evidence(rep, 'tree.bad_network_name'),
               'a load balancer: the share listing reached another server, and both findings say so', out)


def dead_address_case(tap, port):
    rc, rep, out = tps.probe(f'//dead.lab.test:{port}/data', '--auth', 'ntlm')
    exps = other_address_experiments(rep)
    tap.ok(rc == 0 and FINDING not in tps.finding_ids(rep) and len(exps) == 1 and not exps[0].get('ok')
           and exps[0].get('outcome') == 'refused' and exps[0].get('address') == f'127.0.0.3:{port}'
           and 'refused' in exps[0].get('detail', ''),
           'an address where nothing listens: the experiment says refused, no finding', out)


def chosen_address_case(tap, port):
    rc, rep, out = tps.probe(f'//fs.lab.test:{port}/data', '-I', '127.0.0.1', '--auth', 'ntlm')
    tap.ok(rc == 0 and not other_address_experiments(rep) and FINDING not in tps.finding_ids(rep),
           '-I names the address: no other address is tried', out)


def main():
    peers.require('smbd', 'smbpasswd', 'smbclient', 'unshare', 'ip', 'mount', tps.SMBDIAG)
    peers.private_netns(mount=True)
    peers.add_loopback_address('127.0.0.2')
    peers.add_loopback_address('127.0.0.3')
    peers.private_hosts(['127.0.0.1 fs.lab.test', '127.0.0.2 fs.lab.test',
                         '127.0.0.1 one.lab.test', '127.0.0.2 one.lab.test',
                         '127.0.0.1 dead.lab.test', '127.0.0.3 dead.lab.test',
                         '127.0.0.1 same.lab.test', '127.0.0.2 same.lab.test',
                         f'127.0.0.1 {krblab.HOST}', f'127.0.0.2 {krblab.HOST}'])
    tap = peers.Tap()
    port = peers.free_port()
    fsa_options = {'interfaces': '127.0.0.1', 'netbios name': 'FSA'}
    with peers.Smbd(users=tps.USERS, port=port, options=fsa_options) as fsa, \
            peers.Smbd(users=tps.USERS, port=port, host='127.0.0.2', options={'netbios name': 'FSB'}):
        two_servers_case(tap, port)
        smbclient_case(tap, port)
        dead_address_case(tap, port)
        if shutil.which('haproxy'):
            load_balancer_case(tap, port)
        else:
            tap.skip('a load balancer: the share listing reached another server', 'haproxy missing (scripts/install-deps)')
        chosen_address_case(tap, port)
        if tap.failed:
            tap.diag('smbd FSA log: ' + fsa.output()[-300:])
    same_server_case(tap)
    same_name_other_shares_case(tap)
    if shutil.which('krb5kdc') and shutil.which('kadmin.local'):
        kerberos_case(tap)
    else:
        tap.skip('Kerberos: the other address gets NEGOTIATE only', 'krb5kdc missing (scripts/install-deps)')
    sys.exit(tap.done())


if __name__ == '__main__':
    main()
