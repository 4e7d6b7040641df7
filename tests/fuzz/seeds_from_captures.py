#!/usr/bin/python3
"""Fuzz seeds cut out of captures: every SMB PDU (tests/capture/pdu_dump)
becomes seeds for the targets that read its kind of bytes.

  seeds_from_captures.py --pdu-dump BIN [--per-capture N] OUT CAPTURE...

writes OUT/<target>/<capture>-<frame>[-<what>].bin for nbss, smb1,
smb2_message, smb2_negotiate, smb2_file, smb2_transform, spnego, der,
ntlmssp, dcerpc, and one client and one server stream per TCP
connection. The committed corpus takes its capture seeds from our own
recordings (tests/scenarios); run_all.py adds seeds from the shared corpus
(../shared/captures) at fuzzing time when it is there, into the build
folder: that corpus is not ours to commit.
"""
import argparse
import hashlib
import os
import struct
import subprocess
import sys

SMB2 = b'\xfeSMB'
HEADER = 64
FILE_COMMANDS = {5, 6, 8, 9}          # CREATE, CLOSE, READ, WRITE
DCERPC_TYPES = {0, 2, 3, 11, 12, 13, 14}


def pdus(pdu_dump, capture, ports):
    cmd = [pdu_dump] + [a for p in ports for a in ('-p', str(p))] + [capture]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=300)
    for line in r.stdout.splitlines():
        frame, stream, direction, hexbytes = line.split('\t')
        yield int(frame), int(stream), direction, bytes.fromhex(hexbytes)


def u16(b, off):
    return struct.unpack_from('<H', b, off)[0] if off + 2 <= len(b) else 0


def security_blob(msg):
    """The security buffer of a NEGOTIATE response or a SESSION_SETUP."""
    if len(msg) < HEADER + 8 or msg[:4] != SMB2:
        return b''
    command, response = u16(msg, 12), bool(msg[16] & 1)
    body = HEADER
    if command == 0 and response:
        off, n = u16(msg, body + 56), u16(msg, body + 58)
    elif command == 1 and response:
        off, n = u16(msg, body + 4), u16(msg, body + 6)
    elif command == 1:
        off, n = u16(msg, body + 12), u16(msg, body + 14)
    else:
        return b''
    return msg[off:off + n] if n and off + n <= len(msg) else b''


def dcerpc_fragments(msg):
    """DCE/RPC fragments inside an SMB2 message (pipe WRITE, READ, IOCTL)."""
    i = msg.find(b'\x05\x00', HEADER)
    while 0 <= i and i + 16 <= len(msg):
        frag = u16(msg, i + 8)
        if msg[i + 2] in DCERPC_TYPES and msg[i + 4:i + 8] == b'\x10\x00\x00\x00' and 16 <= frag <= len(msg) - i:
            yield msg[i:i + frag]
        i = msg.find(b'\x05\x00', i + 1)


def seeds_of(pdu):
    """(target, what, bytes) for one PDU, 4-byte framing header included."""
    yield 'nbss', '', b'\x01' + pdu
    if len(pdu) < 8 or pdu[0] != 0:
        return
    msg = pdu[4:]
    magic = msg[:4]
    if magic == b'\xffSMB':
        yield 'smb1', '', msg
    elif magic in (b'\xfdSMB', b'\xfcSMB'):
        yield 'smb2_transform', '', msg
    elif magic == SMB2 and len(msg) >= HEADER:
        yield 'smb2_message', '', msg
        command = u16(msg, 12)
        if command == 0:
            yield 'smb2_negotiate', '', msg
        if command in FILE_COMMANDS:
            yield 'smb2_file', '', msg
        blob = security_blob(msg)
        if blob:
            yield 'spnego', 'blob', blob
            yield 'der', 'blob', blob
            at = blob.find(b'NTLMSSP\x00')
            if at >= 0:
                yield 'ntlmssp', 'ntlm', blob[at:]
        for n, frag in enumerate(dcerpc_fragments(msg)):
            yield 'dcerpc', f'rpc{n}', frag


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--pdu-dump', required=True)
    ap.add_argument('--per-capture', type=int, default=8, help='seeds per target and capture at most')
    ap.add_argument('--smb-port', type=int, action='append', default=[])
    ap.add_argument('out')
    ap.add_argument('captures', nargs='+')
    args = ap.parse_args()
    seen = set()
    written = 0
    for capture in args.captures:
        stem = os.path.splitext(os.path.basename(capture))[0]
        counts = {}
        streams = {}
        for frame, stream, direction, pdu in pdus(args.pdu_dump, capture, args.smb_port):
            streams.setdefault((stream, direction), []).append(pdu)
            for target, what, data in seeds_of(pdu):
                digest = hashlib.sha1(target.encode() + data).digest()
                if digest in seen or counts.get(target, 0) >= args.per_capture:
                    continue
                seen.add(digest)
                counts[target] = counts.get(target, 0) + 1
                written += write(args.out, target, f'{stem}-{frame}{"-" + what if what else ""}', data)
        # The client reads what a server sent, the server what a client sent:
        # config byte 0, the cut in the middle, then the stream.
        for (stream, direction), chunks in sorted(streams.items()):
            if stream >= 4:
                continue
            target = 'client' if direction == 's2c' else 'server'
            written += write(args.out, target, f'{stem}-stream{stream}', b'\x00\x80' + b''.join(chunks))
    print(f'{written} seeds written to {args.out}', file=sys.stderr)


def write(root, target, name, data):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name + '.bin'), 'wb') as f:
        f.write(data)
    return 1


if __name__ == '__main__':
    main()
