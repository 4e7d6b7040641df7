#!/usr/bin/python3
"""Writes the seeds of fuzz_ip (tests/fuzz/corpus/ip/): records of
[time step ms: 1 byte][length: 2 bytes BE][raw IP packet] holding a
Kerberos KRB-ERROR (PREAUTH_REQUIRED) in fragmented UDP datagrams.

usage: make_ip_seeds.py [FOLDER]   (default: the corpus folder beside this file)
"""
import os
import struct
import sys

KRB_ERROR = bytes([
    0x7e, 0x4e, 0x30, 0x4c, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e, 0xa4, 0x11,
    0x18, 0x0f]) + b'20261127000000Z' + bytes([
    0xa5, 0x03, 0x02, 0x01, 0x00, 0xa6, 0x03, 0x02, 0x01, 0x19,
    0xa9, 0x07, 0x1b, 0x05]) + b'R.COM' + bytes([
    0xaa, 0x1a, 0x30, 0x18, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1, 0x11, 0x30, 0x0f,
    0x1b, 0x06]) + b'krbtgt' + bytes([0x1b, 0x05]) + b'R.COM'
UDP = struct.pack('>HHHH', 88, 50123, 8 + len(KRB_ERROR), 0) + KRB_ERROR
KDC6 = bytes([0xfd] + [0] * 14 + [1])
CLIENT6 = bytes([0xfd] + [0] * 14 + [5])


def record(pkt, dt=1):
    return struct.pack('>BH', dt, len(pkt)) + pkt


def ip6(payload, first_next):
    return struct.pack('>IHBB', 0x60000000, len(payload), first_next, 64) + KDC6 + CLIENT6 + payload


def frag6(data, off, more, ident=0x01020304, nxt=17, hop=False):
    fh = struct.pack('>BBHI', nxt, 0, (off // 8) << 3 | (1 if more else 0), ident)
    if hop:
        return ip6(bytes([44, 0, 1, 4, 0, 0, 0, 0]) + fh + data, 0)
    return ip6(fh + data, 44)


def frag4(data, off, more, ident=77):
    total = 20 + len(data)
    hdr = struct.pack('>BBHHHBBH4s4s', 0x45, 0, total, ident, (0x2000 if more else 0) | off // 8, 64, 17, 0,
                      bytes([10, 0, 0, 1]), bytes([10, 0, 0, 5]))
    return hdr + data


def seeds():
    d = UDP
    dest = bytes([17, 0, 1, 4, 0, 0, 0, 0]) + d
    yield 'ip6-in-order', [frag6(d[:48], 0, True), frag6(d[48:], 48, False)]
    yield 'ip6-reversed', [frag6(d[48:], 48, False), frag6(d[24:48], 24, True), frag6(d[:24], 0, True)]
    yield 'ip6-hop-dest', [frag6(dest[40:], 40, False, nxt=17, hop=True),
                           frag6(dest[:40], 0, True, nxt=60, hop=True)]
    yield 'ip6-atomic', [frag6(d, 0, False)]
    yield 'ip6-duplicate', [frag6(d[:40], 0, True), frag6(d[:40], 0, True), frag6(d[40:], 40, False)]
    bad = bytearray(d)
    bad[20] ^= 0xFF
    yield 'ip6-overlap', [frag6(d[:32], 0, True), frag6(bytes(bad[16:32]), 16, True), frag6(d[32:], 32, False)]
    yield 'ip6-timeout', [frag6(d[:40], 0, True), b'\xff' + frag6(d[40:], 40, False)]
    yield 'ip4-reversed', [frag4(d[24:], 24, False), frag4(d[:24], 0, True)]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                              'corpus', 'ip')
    os.makedirs(out, exist_ok=True)
    for name, pkts in seeds():
        blob = b''
        for p in pkts:
            # A packet starting with 0xFF carries its own long pause.
            blob += record(p[1:], 0xFF) if p[:1] == b'\xff' else record(p)
        with open(os.path.join(out, name), 'wb') as f:
            f.write(blob)


if __name__ == '__main__':
    main()
