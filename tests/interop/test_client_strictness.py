#!/usr/bin/python3
"""What Windows clients refuse and more lenient clients (smbclient) let
through, from real servers that do it:

- Samba smbd with `smb2 max trans/read/write` below 64 KiB (MS-SMB2
  3.2.5.2). The probe refuses the NEGOTIATE answer as Windows does (exit
  11, negotiate.invalid_response naming the three sizes) while smbclient
  gets through; `analyze` says the same of the probe's own capture and of
  smbclient's, and tshark reads the same sizes.
- impacket's smbserver, which answers every SMB2 NEGOTIATE with 2.0.2:
  offered only 3.0 and 3.1.1, the probe names the dialect it was not
  offered, and its experiments find the one dialect that works.
- The same server's NTLM CHALLENGE drops the SIGN flag the client asked
  for but keeps KEY_EXCH (MS-NLMP 2.2.2.5). A client that follows MS-NLMP
  exchanges no key, and the server's signatures do not verify: the probe
  and `analyze` of its capture say why (session.signing_mismatch), while
  smbclient, which exchanges a key anyway, gets through and `analyze` of
  its exchange finds nothing wrong with signing.
- impacket with SMB2 off: no common dialect, and the experiments find the
  server speaks SMB1 alone.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402
import test_probe_smbd as tps  # noqa: E402

SIZES = {'smb2 max trans': '16384', 'smb2 max read': '32768', 'smb2 max write': '4096'}
SIZE_TEXT = 'MaxTransactSize 16384, MaxReadSize 32768, MaxWriteSize 4096: below 65536 bytes'
ID = 'negotiate.invalid_response'


def tshark_fields(path, port, display_filter, *fields):
    cmd = ['tshark', '-r', path, '-d', f'tcp.port=={port},nbss', '-Y', display_filter, '-T', 'fields']
    for f in fields:
        cmd += ['-e', f]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
    return [line.split('\t') for line in r.stdout.splitlines() if line.strip()]


def negotiate_step(report):
    for s in tps.first_connection(report).get('steps', []):
        if s.get('step') == 'negotiate':
            return s
    return {}


def small_sizes_cases(tap):
    with peers.Smbd(options=SIZES, users=tps.USERS) as smbd, \
            tempfile.TemporaryDirectory(prefix='smbdiag-negrules-') as d:
        target = f'//127.0.0.1:{smbd.port}/data'
        saved = os.path.join(d, 'probe.pcapng')
        rc, rep, out = tps.probe(target, '--save-capture', saved)
        ev = tps.evidence(rep, ID)
        step = negotiate_step(rep)
        tap.ok(rc == 11 and tps.finding_ids(rep) == [ID] and SIZE_TEXT in ev
               and 'the probe ended the connection there, as a Windows client does' in ev,
               'smbd with buffers below 64 KiB: exit 11, negotiate.invalid_response naming the three sizes', out)
        tap.ok(step.get('ok') is False and step.get('problem') == 'negotiate_rules'
               and not (rep or {}).get('experiments'),
               'the NEGOTIATE step is refused for the rules, and no dialect is tried (none changes the sizes)', out)
        tps.check_schema(tap, rep, out)

        r = peers.smbclient(smbd.port, '//127.0.0.1/data')
        # It lists the folder; only its disk-size query then trips over the
        # small MaxTransactSize (NT_STATUS_INVALID_PARAMETER).
        tap.ok(re.search(r'^\s+\.\s+D\s', r.stdout, re.M) is not None,
               'smbclient gets through the same server and lists the share (it does not check the sizes)',
               r.stdout)

        arc, arep, aout = tps.analyze(saved)
        aev = tps.evidence(arep, ID)
        tap.ok(arc == 4 and tps.finding_ids(arep) == [ID] and SIZE_TEXT in aev
               and 'the client ended the connection after this answer' in aev,
               "analyze of the probe's capture: the same finding, the client left without SESSION_SETUP", aout)
        rows = tshark_fields(saved, smbd.port, 'smb2.cmd == 0 && smb2.flags.response == 1',
                             'smb2.max_trans_size', 'smb2.max_read_size', 'smb2.max_write_size')
        tap.ok(rows == [['16384', '32768', '4096']], "tshark reads the same sizes in the probe's capture",
               repr(rows))

        live = os.path.join(d, 'smbclient.pcapng')
        with peers.Capture(live, f'tcp port {smbd.port}'):
            peers.smbclient(smbd.port, '//127.0.0.1/data')
        arc, arep, aout = tps.analyze(live)
        aev = tps.evidence(arep, ID)
        tap.ok(arc == 4 and ID in tps.finding_ids(arep) and SIZE_TEXT in aev
               and 'the client ended the connection' not in aev,
               "analyze of smbclient's exchange: the server's answer is still one Windows refuses", aout)


def impacket_cases(tap):
    with peers.ImpacketSmbServer(password='Secret123') as srv, \
            tempfile.TemporaryDirectory(prefix='smbdiag-negrules-') as d:
        target = f'//127.0.0.1:{srv.port}/DATA'
        saved = os.path.join(d, 'probe.pcapng')
        rc, rep, out = tps.probe(target, '--dialects', '3.0,3.1.1', '--save-capture', saved)
        ev = tps.evidence(rep, ID)
        tap.ok(rc == 11 and tps.finding_ids(rep) == [ID]
               and 'the server chose dialect 2.0.2, which the client did not offer' in ev
               and 'offered alone, the server speaks 2.0.2' in ev,
               'impacket offered 3.0 and 3.1.1: exit 11, it chose 2.0.2; alone, only 2.0.2 works', out + srv.output())
        alone = {e.get('dialect'): e for e in (rep or {}).get('experiments', []) if e.get('kind') == 'dialect_alone'}
        tap.ok(alone.get('3.1.1', {}).get('ok') is False
               and 'the server chose dialect 2.0.2 instead' in alone.get('3.1.1', {}).get('detail', ''),
               'the 3.1.1-alone experiment says what came back instead', out)
        tps.check_schema(tap, rep, out)

        arc, arep, aout = tps.analyze(saved)
        tap.ok(arc == 4 and ID in tps.finding_ids(arep)
               and 'the server chose dialect 2.0.2, which the client did not offer' in tps.evidence(arep, ID),
               "analyze of the probe's capture: the same finding", aout)
        rows = tshark_fields(saved, srv.port, 'smb2.cmd == 0', 'smb2.flags.response', 'smb2.dialect')
        tap.ok(rows[:2] == [['0', '0x0300,0x0311'], ['1', '0x0202']],
               'tshark: the first NEGOTIATE offered 0x0300,0x0311 and the answer chose 0x0202', repr(rows))

        signing_cases(tap, srv, d)


CHALLENGE_LINE = "NTLM CHALLENGE (flags 0xE28A0205) dropped NTLMSSP_NEGOTIATE_SIGN"
SIGNING = 'session.signing_mismatch'


def ntlm_rows(path, port):
    """(message type, NegotiateFlags, EncryptedRandomSessionKey) per NTLM message, by tshark."""
    return tshark_fields(path, port, 'ntlmssp', 'ntlmssp.messagetype', 'ntlmssp.negotiateflags',
                         'ntlmssp.auth.sesskey')


def signing_cases(tap, srv, d):
    target = f'//127.0.0.1:{srv.port}/DATA'
    saved = os.path.join(d, 'signing.pcapng')
    rc, rep, out = tps.probe(target, '--no-experiments', '--save-capture', saved)
    ev = tps.evidence(rep, SIGNING)
    tap.ok(ID not in tps.finding_ids(rep) and negotiate_step(rep).get('ok') is True,
           'impacket offered every dialect: 2.0.2 was among them, no negotiate.invalid_response', out)
    tap.ok(rc == 12 and SIGNING in tps.finding_ids(rep) and CHALLENGE_LINE in ev
           and 'session_setup answer: the signature does not verify' in ev,
           "impacket's signature does not verify: exit 12, session.signing_mismatch says its CHALLENGE dropped "
           'SIGN and kept KEY_EXCH', out + srv.output())
    rows = ntlm_rows(saved, srv.port)
    # tshark shows an empty EncryptedRandomSessionKey by its 8-byte field
    # header; a key is 16 bytes (32 hex digits).
    tap.ok(len(rows) == 3 and rows[1][:2] == ['0x00000002', '0xe28a0205'] and len(rows[2]) == 3
           and len(rows[2][2]) != 32 and int(rows[0][1], 16) & 0x10,
           "tshark: the probe's NEGOTIATE asked for SIGN, the CHALLENGE dropped it, the AUTHENTICATE sent no key",
           repr(rows))
    arc, arep, aout = tps.analyze(saved)
    aev = tps.evidence(arep, SIGNING)
    tap.ok(arc == 4 and CHALLENGE_LINE in aev and 'right after the successful SESSION_SETUP' in aev,
           "analyze of the probe's capture: session.signing_mismatch, the client left after SESSION_SETUP", aout)

    live = os.path.join(d, 'smbclient-signing.pcapng')
    with peers.Capture(live, f'tcp port {srv.port}'):
        r = peers.smbclient(srv.port, '//127.0.0.1/DATA', args=('--option=client signing=required',))
    tap.ok(r.returncode == 0, 'smbclient with signing required gets through the same server', r.stdout)
    rows = ntlm_rows(live, srv.port)
    tap.ok(len(rows) == 3 and len(rows[2]) == 3 and len(rows[2][2]) == 32,
           "tshark: smbclient's AUTHENTICATE carries an EncryptedRandomSessionKey all the same", repr(rows))
    arc, arep, aout = tps.analyze(live)
    tap.ok(arc == 0 and SIGNING not in tps.finding_ids(arep),
           "analyze of smbclient's exchange: no signing finding (both sides hold the same key)", aout)


def smb1_only_case(tap):
    """impacket with SMB2 off answers SMB2 NEGOTIATE with STATUS_NOT_SUPPORTED:
    the experiments find that it speaks SMB1 alone, which Windows 10 and
    later no longer offer, and smbclient gets through only when allowed SMB1."""
    with peers.ImpacketSmbServer(smb2=False) as srv:
        rc, rep, out = tps.probe(f'//127.0.0.1:{srv.port}/DATA')
        ev = tps.evidence(rep, 'negotiate.no_common_dialect')
        tap.ok(rc == 11 and 'negotiate.no_common_dialect' in tps.finding_ids(rep)
               and 'offered alone, the server refuses 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1' in ev
               and 'the server speaks only SMB1' in ev,
               'impacket with SMB2 off: exit 11, no common dialect, and it speaks only SMB1', out + srv.output())
        r = peers.smbclient(srv.port, '//127.0.0.1/DATA', user='alice%Secret123')
        r1 = peers.smbclient(srv.port, '//127.0.0.1/DATA', user='alice%Secret123',
                             args=('--option=client min protocol=NT1',))
        tap.ok(r.returncode != 0 and r1.returncode == 0,
               'smbclient fails the same way by default, and gets through with client min protocol = NT1',
               r.stdout + r1.stdout)


def main():
    peers.require('smbd', 'smbpasswd', 'smbclient', 'tshark', 'dumpcap', tps.SMBDIAG, '/usr/bin/python3')
    peers.isolated_loopback()
    tap = peers.Tap()
    small_sizes_cases(tap)
    impacket_cases(tap)
    smb1_only_case(tap)
    tap.done()


if __name__ == '__main__':
    main()
