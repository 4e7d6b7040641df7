#!/usr/bin/python3
"""The core client (src/core/proto) against a real Samba smbd.

NTLMv2 over SPNEGO to TREE_CONNECT on every dialect from 2.0.2 to 3.1.1;
with `server signing = mandatory` (the client checks every signature of
the server); with encryption required server-wide and per share for each
cipher smbd offers (the client decrypts every answer); and the refusals
the diagnosis depends on.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
CLIENT = os.path.join(BUILD, 'tests', 'interop', 'smb2_client_run')
DIALECTS = ['2.0.2', '2.1', '3.0', '3.0.2', '3.1.1']
CIPHERS = {'AES-128-CCM': 1, 'AES-128-GCM': 2, 'AES-256-CCM': 3, 'AES-256-GCM': 4}


def run_client(port, *args, share='data', password='Secret123'):
    cmd = [CLIENT, '127.0.0.1', str(port), '127.0.0.1', share, 'alice', password] + list(args)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    fields, exchanges = {}, []
    for line in r.stdout.splitlines():
        if line.startswith('exchange='):
            exchanges.append(dict(kv.split('=', 1) for kv in line.split()))
        elif '=' in line:
            k, v = line.split('=', 1)
            fields[k] = v
    fields['exchanges'] = exchanges
    fields['output'] = r.stdout
    return r.returncode, fields


def after_session(fields):
    return [e for e in fields['exchanges'] if e['exchange'] not in ('negotiate', 'session_setup')]


def main():
    peers.require('smbd', 'smbpasswd', CLIENT)
    peers.isolated_loopback()
    tap = peers.Tap()

    with peers.Smbd() as smbd:
        for d in DIALECTS:
            rc, f = run_client(smbd.port, '--dialect', d)
            tap.ok(rc == 0 and f.get('dialect') == d, f'plain session and tree connect over {d}', f['output'])
        rc, f = run_client(smbd.port)
        tap.ok(rc == 0 and f.get('dialect') == '3.1.1', 'all dialects offered: 3.1.1 chosen', f['output'])
        rc, f = run_client(smbd.port, '--dialect', '3.0.2')
        tap.ok(f.get('validated') == '1', 'VALIDATE_NEGOTIATE_INFO on 3.0.2 matches NEGOTIATE', f['output'])
        rc, f = run_client(smbd.port, password='wrong')
        tap.ok(rc != 0 and f.get('failed_step') == 'session_setup'
               and f.get('failed_status_name') == 'STATUS_LOGON_FAILURE',
               'wrong password: STATUS_LOGON_FAILURE at session setup', f['output'])
        rc, f = run_client(smbd.port, share='nosuch')
        tap.ok(rc != 0 and f.get('failed_step') == 'tree_connect'
               and f.get('failed_status_name') == 'STATUS_BAD_NETWORK_NAME',
               'missing share: STATUS_BAD_NETWORK_NAME at tree connect', f['output'])

    with peers.Smbd(options={'server signing': 'mandatory'}) as smbd:
        for d in DIALECTS:
            rc, f = run_client(smbd.port, '--dialect', d)
            later = after_session(f)
            signed = bool(later) and all(e['req_signed'] == '1' and e['rsp_signed'] == '1' for e in later)
            tap.ok(rc == 0 and f.get('signing_required') == '1' and signed,
                   f'signing mandatory over {d}: every request signed, every answer verified', f['output'])

    for name, cid in CIPHERS.items():
        opts = {'server smb encrypt': 'required', 'server smb3 encryption algorithms': name}
        with peers.Smbd(options=opts) as smbd:
            rc, f = run_client(smbd.port, '--dialect', '3.1.1')
            later = after_session(f)
            sealed = bool(later) and all(e['req_encrypted'] == '1' and e['rsp_encrypted'] == '1' for e in later)
            tap.ok(rc == 0 and f.get('cipher') == str(cid) and f.get('session_encrypt') == '1' and sealed,
                   f'server-wide encryption with {name} over 3.1.1: answers decrypted', f['output'])
            if name == 'AES-128-CCM':
                for d in ('3.0', '3.0.2'):
                    rc, f = run_client(smbd.port, '--dialect', d)
                    tap.ok(rc == 0 and f.get('session_encrypt') == '1',
                           f'server-wide encryption over {d} (AES-128-CCM)', f['output'])
                rc, f = run_client(smbd.port, '--dialect', '2.1')
                tap.ok(rc != 0 and f.get('failed_step') == 'session_setup'
                       and f.get('failed_status_name') == 'STATUS_ACCESS_DENIED',
                       'server-wide encryption, 2.1 client: ACCESS_DENIED at session setup', f['output'])
        share = {'data': {'smb encrypt': 'required'}}
        with peers.Smbd(shares=share, options={'server smb3 encryption algorithms': name}) as smbd:
            rc, f = run_client(smbd.port, '--dialect', '3.1.1')
            tap.ok(rc == 0 and f.get('tree_encrypt') == '1' and f.get('share_flags') == '0x00008000',
                   f'share requires encryption ({name}): tree traffic sealed', f['output'])
            if name == 'AES-128-GCM':
                rc, f = run_client(smbd.port, '--dialect', '2.1')
                tap.ok(rc != 0 and f.get('failed_step') == 'tree_connect'
                       and f.get('failed_status_name') == 'STATUS_ACCESS_DENIED',
                       'share requires encryption, 2.1 client: ACCESS_DENIED at tree connect', f['output'])
                rc, f = run_client(smbd.port, '--dialect', '3.1.1', '--no-encryption')
                tap.ok(rc != 0 and f.get('failed_step') == 'tree_connect'
                       and f.get('failed_status_name') == 'STATUS_ACCESS_DENIED',
                       'share requires encryption, client without encryption: ACCESS_DENIED', f['output'])
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
