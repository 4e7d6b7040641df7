#!/usr/bin/python3
"""Share listing over IPC$ (SRVSVC NetrShareEnum) by the core client against
a real Samba smbd, checked against what `smbclient -L` prints.

The list must match smbclient's (a hidden `$` share included, a
`browseable = no` share left out, names with spaces, an answer long enough
to span several DCE/RPC fragments), over each dialect, with signing
mandatory and with encryption required; and each kind of refusal must be
reported as such: IPC$ refused at TREE_CONNECT (a user left out of IPC$,
anonymous with `restrict anonymous = 2`), the enumeration refused with a
WERROR (anonymous with `restrict anonymous = 1`), and a share that is not a
pipe share.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
CLIENT = os.path.join(BUILD, 'tests', 'interop', 'smb2_client_run')
TYPES = {0: 'Disk', 1: 'Printer', 2: 'Device', 3: 'IPC'}
SHARES = {
    'data': {'comment': 'Data files'},
    'hidden$': {'comment': 'not in Explorer'},
    'Projects': {},
    'Team Docs': {'comment': 'a name with a space'},
    'secret': {'browseable': 'no', 'comment': 'never listed'},
}
USERS = {'alice': 'Secret123', 'bob': 'Secret456'}
SHARE_LINE = re.compile(r'^share=(.*) type=(\d+) remark=(.*)$')
# smbclient: "\t%-15s %-10.10s%s" (name, type, comment)
SMBCLIENT_LINE = re.compile(r'^\t(.*?) +(Disk|IPC|Printer|Device|Unknown) *(.*)$')


def run_client(port, share, user, password, *args):
    cmd = [CLIENT, '127.0.0.1', str(port), '127.0.0.1', share, user, password] + list(args)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    fields, shares = {}, set()
    for line in r.stdout.splitlines():
        m = SHARE_LINE.match(line)
        if m:
            shares.add((m.group(1), TYPES.get(int(m.group(2)) & 0xFF, 'Unknown'), m.group(3)))
        elif '=' in line and not line.startswith('exchange='):
            k, v = line.split('=', 1)
            fields[k] = v
    fields['output'] = r.stdout
    return r.returncode, fields, shares


def smbclient_list(port, user):
    cmd = ['smbclient', '-L', '//127.0.0.1', '-p', str(port)]
    cmd += ['-U', user] if user else ['-N']
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    shares, in_table = set(), False
    for line in r.stdout.splitlines():
        if line.strip().startswith('---------'):
            in_table = True
            continue
        if in_table:
            m = SMBCLIENT_LINE.match(line)
            if not m:
                break
            shares.add((m.group(1), m.group(2), m.group(3).rstrip()))
    return r.returncode, shares, r.stdout


def same_list(tap, port, want, desc, *args):
    rc, f, got = run_client(port, 'IPC$', 'alice', USERS['alice'], '--list-shares', *args)
    tap.ok(rc == 0 and f.get('share_list_ok') == '1' and got == want, desc,
           f'smbclient: {sorted(want)}\nours: {sorted(got)}\n' + f['output'])
    return f


# Anonymous sessions use 3.0: the client refuses an unsigned 3.1.1
# SESSION_SETUP answer even for a null session (see the report).


def main():
    peers.require('smbd', 'smbpasswd', 'smbclient', CLIENT)
    peers.isolated_loopback()
    tap = peers.Tap()

    with peers.Smbd(shares=SHARES, users=USERS) as smbd:
        rc, want, out = smbclient_list(smbd.port, 'alice%Secret123')
        tap.ok(rc == 0 and ('hidden$', 'Disk', 'not in Explorer') in want and
               not any(s[0] == 'secret' for s in want), 'smbclient -L lists hidden$, not the unbrowseable share',
               out)
        f = same_list(tap, smbd.port, want, 'the list equals smbclient -L (3.1.1)')
        tap.ok(f.get('share_list_total') == str(len(want)) and f.get('share_list_stage') == 'done'
               and f.get('state') == 'done', 'total count and a clean end (CLOSE, TREE_DISCONNECT, LOGOFF)',
               f['output'])
        for d in ('2.0.2', '2.1', '3.0.2'):
            same_list(tap, smbd.port, want, f'the list equals smbclient -L over {d}', '--dialect', d)

        rc, f, got = run_client(smbd.port, 'data', 'alice', USERS['alice'], '--list-shares')
        tap.ok(rc == 0 and f.get('share_list_ok') == '0' and f.get('share_list_failure') == 'not_pipe'
               and not got, 'a disk share: no pipe to list on (not_pipe), the connection still ends cleanly',
               f['output'])
        rc, f, got = run_client(smbd.port, 'IPC$', 'alice', USERS['alice'])
        tap.ok(rc == 0 and 'share_list_ok' not in f and not got, 'no listing unless asked', f['output'])
        rc, want, out = smbclient_list(smbd.port, None)
        rc, f, got = run_client(smbd.port, 'IPC$', '', '', '--anonymous', '--dialect', '3.0', '--list-shares')
        tap.ok(f.get('share_list_ok') == '1' and got == want,
               'anonymous allowed: the same list as smbclient -L -N', f'{sorted(want)}\n' + out + f['output'])

    # Signing mandatory, and enough shares for an answer over several
    # fragments (the rest read with READ, each answer's signature checked).
    many = dict(SHARES, **{f'share{i:03d}': {'comment': f'a comment long enough to fill fragments, number {i}'}
                           for i in range(100)})
    with peers.Smbd(shares=many, users=USERS, options={'server signing': 'mandatory'}) as smbd:
        rc, want, out = smbclient_list(smbd.port, 'alice%Secret123')
        f = same_list(tap, smbd.port, want, f'{len(want)} shares, signing mandatory: the same list as smbclient -L')
        ex = list_exchanges(f['output'])
        reads = [e for e in ex if e.get('cmd') == 'READ']
        tap.ok(len(want) == 105 and len(reads) >= 2, f'the rest of the answer came by READ ({len(reads)} reads)',
               f['output'])
        tap.ok(ex and all(e['req_signed'] == '1' and e['rsp_signed'] == '1' for e in ex),
               'signing mandatory: CREATE, IOCTL, READ, CLOSE signed both ways', f['output'])

    with peers.Smbd(shares=SHARES, users=USERS, options={'server smb encrypt': 'required'}) as smbd:
        rc, want, out = smbclient_list(smbd.port, 'alice%Secret123')
        f = same_list(tap, smbd.port, want, 'encryption required: the same list, every answer decrypted',
                      '--dialect', '3.1.1')
        ex = list_exchanges(f['output'])
        tap.ok(ex and all(e['req_encrypted'] == '1' and e['rsp_encrypted'] == '1' for e in ex),
               'encryption required: the listing exchanges are sealed', f['output'])

    # Refusals. A user left out of IPC$: TREE_CONNECT refused, as smbclient sees.
    with peers.Smbd(shares=dict(SHARES, **{'IPC$': {'valid users': 'alice'}}), users=USERS) as smbd:
        rc, f, got = run_client(smbd.port, 'IPC$', 'bob', USERS['bob'], '--list-shares')
        src, _, sout = smbclient_list(smbd.port, 'bob%Secret456')
        tap.ok(rc != 0 and f.get('failed_step') == 'tree_connect'
               and f.get('failed_status_name') == 'STATUS_ACCESS_DENIED' and not got
               and src != 0 and 'NT_STATUS_ACCESS_DENIED' in sout,
               'a user without access to IPC$: STATUS_ACCESS_DENIED at TREE_CONNECT (smbclient -L agrees)',
               f['output'] + sout)
        rc, f, got = run_client(smbd.port, 'IPC$', 'alice', USERS['alice'], '--list-shares')
        tap.ok(rc == 0 and f.get('share_list_ok') == '1' and got, 'alice, who may use IPC$, still lists',
               f['output'])

    with peers.Smbd(shares=SHARES, users=USERS, options={'restrict anonymous': '2'}) as smbd:
        rc, f, got = run_client(smbd.port, 'IPC$', '', '', '--anonymous', '--dialect', '3.0', '--list-shares')
        tap.ok(rc != 0 and f.get('failed_step') == 'tree_connect'
               and f.get('failed_status_name') == 'STATUS_ACCESS_DENIED' and not got,
               'anonymous with restrict anonymous = 2: IPC$ refused at TREE_CONNECT', f['output'])

    with peers.Smbd(shares=SHARES, users=USERS, options={'restrict anonymous': '1'}) as smbd:
        rc, f, got = run_client(smbd.port, 'IPC$', '', '', '--anonymous', '--dialect', '3.0', '--list-shares')
        tap.ok(rc == 0 and f.get('share_list_ok') == '0' and f.get('share_list_failure') == 'werror'
               and f.get('share_list_status') == '0x00000005' and f.get('share_list_stage') == 'enum'
               and not got and f.get('state') == 'done',
               'anonymous with restrict anonymous = 1: NetrShareEnum answers ERROR_ACCESS_DENIED', f['output'])

    tap.done()


def list_exchanges(output):
    out = []
    for line in output.splitlines():
        if line.startswith('exchange=list_shares'):
            e = dict(kv.split('=', 1) for kv in line.split())
            out.append(e)
    return out


if __name__ == '__main__':
    main()
