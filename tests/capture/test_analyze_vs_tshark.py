#!/usr/bin/python3
"""Checks what `smbdiag analyze` sees in every capture of the public corpus
against tshark's dissection (shared/captures/tshark-fields, TShark 4.0.17).

For each capture listed in <shared>/captures/manifest.tsv it runs
`smbdiag analyze --dump-messages` (hidden option: one line per SMB2 message
and per Kerberos message; see src/capture/cap_dump.c) and compares

- SMB2 messages with <file>.tsv as multisets of (frame, tcp stream, command,
  response, status, message id, session id, tree id, dialect, tree path),
  with compare_tshark.py's rules for tshark's per-frame lines;
- Kerberos messages with <file>.krb.tsv as multisets of (frame, outer
  message type, error code), and on those frames the service name
  (tshark joins every SNameString of the frame in byte order: ours must be
  one of its parts) and the realm (ours must be among tshark's realms).

The analyzer reads Kerberos on port 88 (TCP and UDP) and inside SMB
SESSION_SETUP; tshark also shows Kerberos carried by LDAP, DCE/RPC, HTTP
and others. When tshark is installed, those frames are looked up with it
and left out of the Kerberos score, each with its protocol stack printed.

Then every capture is run through the full pipeline (rules and JSON
report) and must exit 0 or 4 with no crash, and its dump must not change
when every TCP payload reaches the framer one byte at a time. Two encrypted captures whose
session keys are public are compared, decrypted, with tshark's
.decrypted.tsv; and two captures rewritten into every link type
check_linktypes.py makes (and one read from standard input) must give the
same messages as the original.

One TAP point per capture and check. KNOWN lists captures whose shortfall
comes from tshark (found by looking at the bytes); a known entry that
matches fully fails, so the table stays true. Skips (1..0) without
<shared>/captures.
"""
import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_linktypes as cl  # noqa: E402
import compare_tshark as ct  # noqa: E402

KNOWN = {
    'zeek-smb1-OSS-fuzz-54883.pcap':
        'OSS-Fuzz reproducer whose NetBIOS lengths do not match the data: tshark trusts them and waits for '
        'PDUs that never complete (no SMB2 at all), we drop a header not followed by an SMB protocol id, '
        'resynchronise and find 6 fuzzed SMB2 headers (frames 10, 32, 34, 37, 38, 41).',
}
KNOWN_KRB = {
    'zeek-error-preauth-padata.pcap':
        'synthetic KRB-ERROR holding only error-code 25 and e-data (7e 14 30 12 a6 03 02 01 19 ac 0b ...): '
        'pvno, msg-type, stime, susec, realm and sname, all required, are missing. tshark still lists the '
        'frame, with empty type and code ("Wrong field in SEQUENCE"); our decoder rejects it and the '
        'analyzer counts it as undecodable.',
    'ndpi-kerberos.pcap':
        'frames 10, 39, 77 are SMB2 SESSION_SETUP responses whose SPNEGO negTokenResp (a1 81 b5 ..., '
        'supportedMech 1.2.840.48018.1.2.2) carries a GSS Kerberos AP-REP (60 81 97 06 09 2a 86 48 86 f7 12 '
        '01 02 02 02 00 6f ...). The capture starts mid-stream, without the negTokenInit, and tshark 4.0 '
        'then stops at "Unknown header (class=2, pc=1, tag=1)" and shows no Kerberos; we decode the AP-REP.',
}


# Session keys published with the Wireshark wiki samples (MANIFEST.md,
# "Decryption"): tshark's .decrypted.tsv was made with them. Wireshark's
# table gives the session id as wire bytes; here it is the number.
SESSION_KEYS = {
    'zeek-smb3.pcap': '000048009400003d:28f2847263c83dc00621f742dd3f2e7b',
    'zeek-smb311.pcap': '0000281cac000069:b25a135fc3dc14269f20d7cbc8716b6b',
}


def run(cmd, timeout=600):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def parse_krb_ours(text):
    out = []
    for line in text.splitlines():
        cols = line.split('\t')
        if len(cols) < 6 or cols[0] != 'K':
            continue
        out.append({'frame': int(cols[1]), 'type': int(cols[2]), 'error': int(cols[3]) if cols[3] else None,
                    'sname': cols[4], 'realm': cols[5]})
    return out


def parse_krb_tshark(path):
    out = []
    for cols in ct.tshark_rows(path):
        cols += [''] * (5 - len(cols))
        types = [int(x) for x in cols[1].split(',') if x]
        errors = [int(x) for x in cols[2].split(',') if x]
        out.append({'frame': int(cols[0]), 'type': types[0] if types else None,
                    'error': errors[0] if errors else None, 'sname': cols[3],
                    'realms': cols[4].split(',') if cols[4] else []})
    return out


def out_of_scope_frames(capture):
    """Kerberos frames not on port 88 nor in SMB: {frame: protocols}."""
    if shutil.which('tshark') is None:
        return {}
    rc, out, _ = run(['tshark', '-r', capture, '-Y',
                      'kerberos && !(tcp.port == 88 || udp.port == 88 || smb2 || smb)',
                      '-T', 'fields', '-e', 'frame.number', '-e', 'frame.protocols'])
    frames = {}
    if rc == 0:
        for line in out.splitlines():
            cols = line.split('\t')
            if len(cols) == 2 and cols[0].isdigit():
                frames[int(cols[0])] = cols[1]
    return frames


def carrier(protocols):
    """'eth:ethertype:ip:tcp:ldap:...:kerberos' -> 'ldap'."""
    parts = protocols.split(':')
    for transport in ('tcp', 'udp'):
        if transport in parts and parts.index(transport) + 1 < len(parts):
            return parts[parts.index(transport) + 1]
    return parts[-2] if len(parts) > 1 else protocols


def krb_compare(ours, theirs):
    """Returns (matched, total, differences)."""
    key = lambda m: (m['frame'], m['type'], m['error'])  # noqa: E731
    a = collections.Counter(key(m) for m in theirs)
    b = collections.Counter(key(m) for m in ours)
    matched = sum((a & b).values())
    diffs = [f'tshark only: frame={k[0]} type={k[1]} error={k[2]}' for k in (a - b)]
    diffs += [f'ours only: frame={k[0]} type={k[1]} error={k[2]}' for k in (b - a)]
    # Names, on the frames both sides agree on.
    by_frame = {m['frame']: m for m in theirs}
    for m in ours:
        t = by_frame.get(m['frame'])
        if t is None or t['type'] != m['type']:
            continue
        # tshark lists every SNameString of the frame in byte order: a
        # TGS-REQ shows its TGT's (krbtgt,REALM) before the one asked for.
        if m['sname'] and (',' + m['sname'] + ',') not in (',' + t['sname'] + ','):
            diffs.append(f'frame {m["frame"]}: service name ours {m["sname"]!r}, tshark {t["sname"]!r}')
            matched -= 1
        elif m['realm'] and t['realms'] and m['realm'] not in t['realms']:
            diffs.append(f'frame {m["frame"]}: realm ours {m["realm"]!r}, tshark {t["realms"]!r}')
            matched -= 1
    return max(matched, 0), len(theirs), sum((b - a).values()), diffs


def load_decrypted(path, ours_frames):
    """tshark's decrypted lines repeat the session id (transform header,
    then the plain header): keep one when they agree."""
    fixed = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            cols = line.rstrip('\n').split('\t')
            if len(cols) > 6 and cols[6] and len(set(cols[6].split(','))) == 1:
                cols[6] = cols[6].split(',')[0]
            fixed.append('\t'.join(cols))
    with tempfile.NamedTemporaryFile('w', delete=False, suffix='.tsv') as t:
        t.write('\n'.join(fixed) + '\n')
        tmp = t.name
    try:
        return ct.load_tshark(tmp, ours_frames)
    finally:
        os.unlink(tmp)


def check_decrypted(n, args, name):
    capture = os.path.join(args.shared, 'captures', name)
    ref = os.path.join(args.shared, 'captures', 'tshark-fields', name + '.decrypted.tsv')
    rc, out, err = run([args.smbdiag, 'analyze', '--dump-messages', '--session-key', SESSION_KEYS[name], capture])
    if rc != 0 or not os.path.exists(ref):
        print(f'not ok {n} - {name}: decrypted dump failed (exit {rc}): {err.strip()[:200]}')
        return
    ours_frames = ct.parse_ours(out)
    ours = [m for ms in ours_frames.values() for m in ms]
    theirs = load_decrypted(ref, ours_frames)
    matched, missing, extra = ct.score(theirs, ours, True)
    n_extra = sum(extra.values())
    point(n, matched == len(theirs) and n_extra == 0,
          f'{name} decrypted with its session key: SMB2 {matched}/{len(theirs)} messages match tshark\'s '
          f'decrypted dissection (ours only {n_extra})', None, ct.first_differences(missing, extra))


def check_link_types(n, args, tmp):
    """The same messages whatever carries them (check_linktypes.py's
    rewrites of two Ethernet captures), and from standard input."""
    for source in cl.SOURCES:
        path = os.path.join(args.shared, 'captures', source)
        linktype, frames = cl.read_pcap(path)
        rc0, expected, _ = run([args.smbdiag, 'analyze', '--dump-messages', path])
        for name in cl.VARIANTS:
            n += 1
            lt, out = cl.variant(name, frames)
            vpath = os.path.join(tmp, f'{name}-{source}')
            cl.write_pcap(vpath, lt, out)
            rc, got, err = run([args.smbdiag, 'analyze', '--dump-messages', vpath])
            lines = len(expected.splitlines())
            point(n, rc0 == 0 and rc == 0 and got == expected and lines > 0,
                  f'{source} as {name}: the same {lines} messages', None, [f'exit {rc}: {err.strip()[:200]}'])
        n += 1
        with open(path, 'rb') as f:
            p = subprocess.run([args.smbdiag, 'analyze', '--dump-messages', '-'], stdin=f, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=600)
        point(n, p.returncode == 0 and p.stdout.decode('utf-8', 'replace') == expected,
              f'{source} from standard input: the same messages', None, [p.stderr.decode()[:200]])
    return n


def point(n, ok, text, known=None, details=()):
    if ok and known:
        print(f'not ok {n} - {text}: listed as known but matches now; remove the entry')
    elif ok:
        print(f'ok {n} - {text}')
    elif known:
        print(f'ok {n} - {text} # known: {known}')
    else:
        print(f'not ok {n} - {text}')
        for d in list(details)[:6]:
            print('#   ' + d)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--smbdiag', required=True)
    ap.add_argument('--shared', required=True)
    ap.add_argument('--only', action='append')
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.shared, 'captures')):
        print('1..0 # SKIP ../shared/captures not present')
        return 0
    files = ct.captures_in(args.shared)
    if args.only:
        files = [f for f in files if f in args.only]
    decrypt = [f for f in files if f in SESSION_KEYS]
    links = (len(cl.VARIANTS) + 1) * len(cl.SOURCES) if not args.only else 0
    print(f'1..{4 * len(files) + len(decrypt) + links}')
    n = 0
    table = []
    for name in files:
        capture = os.path.join(args.shared, 'captures', name)
        fields = os.path.join(args.shared, 'captures', 'tshark-fields', name)
        rc, out, err = run([args.smbdiag, 'analyze', '--dump-messages', capture])
        # SMB2.
        n += 1
        if rc != 0:
            print(f'not ok {n} - {name}: smbdiag analyze --dump-messages exited {rc}: {err.strip()[:200]}')
            table.append((name, 0, 0, 0, 0, 0, 0))
            n += 3
            print(f'not ok {n - 2} - {name}: kerberos (no dump)')
            print(f'not ok {n - 1} - {name}: byte at a time (no dump)')
            print(f'not ok {n} - {name}: report (no dump)')
            continue
        ours_frames = ct.parse_ours(out)
        ours = [m for ms in ours_frames.values() for m in ms]
        theirs = ct.load_tshark(fields + '.tsv', ours_frames)
        matched, missing, extra = ct.score(theirs, ours, True)
        n_extra = sum(extra.values())
        text = f'{name}: SMB2 {matched}/{len(theirs)} messages match tshark (ours only {n_extra})'
        point(n, matched == len(theirs) and n_extra == 0, text, KNOWN.get(name),
              ct.first_differences(missing, extra))
        # Kerberos.
        n += 1
        kt = parse_krb_tshark(fields + '.krb.tsv')
        scope = out_of_scope_frames(capture) if kt else {}
        kept = [m for m in kt if m['frame'] not in scope]
        kmatched, ktotal, kextra, kdiffs = krb_compare(parse_krb_ours(out), kept)
        text = f'{name}: Kerberos {kmatched}/{ktotal} messages match tshark (ours only {kextra})'
        if scope:
            stacks = sorted(set(carrier(v) for v in scope.values()))
            text += f' ({len(scope)} frames of Kerberos inside {"/".join(stacks)} out of scope)'
        point(n, kmatched == ktotal and kextra == 0 and not kdiffs, text, KNOWN_KRB.get(name), kdiffs)
        table.append((name, matched, len(theirs), n_extra, kmatched, ktotal, kextra))
        # The same messages when every TCP payload is cut into single bytes.
        n += 1
        rc1, out1, err1 = run([args.smbdiag, 'analyze', '--dump-messages', '--byte-at-a-time', capture])
        point(n, rc1 == 0 and out1 == out, f'{name}: fed one byte at a time, the same {len(out.splitlines())} lines',
              None, [f'exit {rc1}: {err1.strip()[:200]}'] + [f'{x!r} / {y!r}' for x, y in
                                                               zip(out.splitlines(), out1.splitlines()) if x != y][:2])
        # The whole pipeline.
        n += 1
        rc, out, err = run([args.smbdiag, 'analyze', '--json', capture])
        point(n, rc in (0, 4) and out.lstrip().startswith('{'),
              f'{name}: analyze --json exits {rc} with a report', None, [err.strip()[:300]])
    for name in decrypt:
        n += 1
        check_decrypted(n, args, name)
    if links:
        with tempfile.TemporaryDirectory(prefix='smbdiag-analyze-') as tmp:
            n = check_link_types(n, args, tmp)
    print('# share of tshark\'s messages matched per capture (SMB2 with frame numbers; Kerberos on port 88 '
          'and in SMB)')
    for name, m, t, x, km, kt_, kx in table:
        s = 100.0 * m / t if t else 100.0
        k = 100.0 * km / kt_ if kt_ else 100.0
        print(f'# SMB2 {s:6.1f}% {m:5d}/{t:<5d} +{x:<4d} Kerberos {k:6.1f}% {km:4d}/{kt_:<4d} +{kx:<3d} {name}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
