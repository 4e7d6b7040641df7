#!/usr/bin/python3
"""The pcapng writer of `probe --save-capture` (src/capture/pcapng_write.h)
read back by tshark.

Real SMB traffic (the core client and smbclient against a private smbd,
captured by dumpcap) is rewritten through the writer by pcapng_replay:
synthetic IPv4 (and, with -6, IPv6) + TCP headers around the same PDUs.
tshark, told to decode the port as NBSS, must list the same SMB2 commands
and statuses in both files, follow one TCP stream per connection and
raise no TCP analysis warnings (lost segments, bad ACKs).
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
REPLAY = os.path.join(BUILD, 'tests', 'interop', 'pcapng_replay')


def tshark(pcap, port, *args):
    cmd = ['tshark', '-n', '-r', pcap, '-d', f'tcp.port=={port},nbss'] + list(args)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


def smb2_fields(pcap, port):
    rc, out, err = tshark(pcap, port, '-Y', 'smb2', '-T', 'fields', '-e', 'smb2.cmd', '-e', 'smb2.nt_status',
                          '-e', 'smb2.flags.response')
    return rc, [line for line in out.splitlines() if line.strip()], err


def check(tap, desc, tmp, pcap, port, ipv6=False):
    out = os.path.join(tmp, os.path.basename(pcap) + ('.v6' if ipv6 else '') + '.replay.pcapng')
    r = subprocess.run([REPLAY, '-p', str(port)] + (['-6'] if ipv6 else []) + [pcap, out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    rc1, want, err1 = smb2_fields(pcap, port)
    rc2, got, err2 = smb2_fields(out, port)
    tap.ok(r.returncode == 0 and rc1 == 0 and rc2 == 0 and len(want) > 4 and got == want,
           f'{desc}: tshark sees the same SMB2 commands and statuses ({len(want)} messages)',
           r.stdout + err1 + err2 + '\nwant:\n' + '\n'.join(want) + '\ngot:\n' + '\n'.join(got))
    # How many streams carry SMB: the original may also hold the tail of a
    # connection that carried none (smbd closing the readiness check's
    # connection late on a loaded machine), which the writer never sees
    # and which shifts tshark's stream numbers.
    _, streams, _ = tshark(out, port, '-Y', 'smb2', '-T', 'fields', '-e', 'tcp.stream')
    _, orig_streams, _ = tshark(pcap, port, '-Y', 'smb2', '-T', 'fields', '-e', 'tcp.stream')
    _, warnings, _ = tshark(out, port, '-Y', 'tcp.analysis.flags && !tcp.analysis.window_update')
    _, families, _ = tshark(out, port, '-T', 'fields', '-e', 'ipv6.src' if ipv6 else 'ip.src')
    tap.ok(len(set(streams.split())) == len(set(orig_streams.split())) > 0 and not warnings.strip()
           and all(f.strip() for f in families.splitlines()),
           f'{desc}: one TCP stream per connection, no TCP analysis warnings'
           + (' (IPv6)' if ipv6 else ''),
           f'streams {sorted(set(streams.split()))}, in the original {sorted(set(orig_streams.split()))}; '
           f'packets without an address: {sum(1 for f in families.splitlines() if not f.strip())}\n'
           + warnings[-3000:])


def main():
    peers.require('smbd', 'smbpasswd', 'dumpcap', 'tshark', 'smbclient', CLIENT, REPLAY)
    peers.isolated_loopback()
    tap = peers.Tap()
    tmp = tempfile.mkdtemp(prefix='smbdiag-pcapng-')
    try:
        with peers.Smbd() as smbd:
            runs = {
                'core-client': [CLIENT, '127.0.0.1', str(smbd.port), '127.0.0.1', 'data', 'alice', 'Secret123'],
                'smbclient': ['smbclient', '//127.0.0.1/data', '-p', str(smbd.port), '-U', 'alice%Secret123',
                              '-m', 'SMB3_11', '-c', 'ls'],
            }
            for name, cmd in runs.items():
                pcap = os.path.join(tmp, name + '.pcapng')
                with peers.Capture(pcap, f'tcp port {smbd.port}'):
                    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       timeout=60, stdin=subprocess.DEVNULL)
                if not tap.ok(r.returncode == 0, f'{name} session against smbd', r.stdout):
                    continue
                check(tap, name, tmp, pcap, smbd.port)
                check(tap, name, tmp, pcap, smbd.port, ipv6=True)
    finally:
        if os.environ.get('SMBDIAG_KEEP_TMP') is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
