#!/usr/bin/python3
"""Writes the seeds of fuzz_ip (tests/fuzz/corpus/ip/): records of
[time step ms: 1 byte][length: 2 bytes BE][raw IP packet] holding a
Kerberos KRB-ERROR (PREAUTH_REQUIRED) in fragmented UDP datagrams; and a
UDP AS-REQ refused by an ICMP / ICMPv6 destination unreachable (whole
quote, cut quote, quote through IPv6 extension headers, the ICMP message
itself fragmented), and a TCP SYN to port 88 answered by a reset or by
an ICMP administratively prohibited.

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


# AS-REQ alice@R.COM for krbtgt/R.COM (the one of tests/unit/test_capture_icmp.c).
AS_REQ = bytes.fromhex(
    '6a743072a103020105a20302010aa4663064a00703050040810010a1123010a003020101a1093007'
    '1b05616c696365a2071b05522e434f4da31a3018a003020102a111300f1b066b72627467741b0552'
    '2e434f4da511180f32303337303931333032343830355aa706020412345678a8053003020112')
CLIENT4, KDC4 = bytes([10, 0, 0, 5]), bytes([10, 0, 0, 1])


def ip4(src, dst, proto, payload, ident=0, frag=0):
    return struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, src, dst) + payload


def ip6_from(src, dst, nxt, payload):
    return struct.pack('>IHBB', 0x60000000, len(payload), nxt, 64) + src + dst + payload


def as_req4(sport=50123, dport=88):
    return ip4(CLIENT4, KDC4, 17, struct.pack('>HHHH', sport, dport, 8 + len(AS_REQ), 0) + AS_REQ)


def as_req6(sport=50123, dport=88, ext=b'', first=17):
    return ip6_from(CLIENT6, KDC6, first, ext + struct.pack('>HHHH', sport, dport, 8 + len(AS_REQ), 0) + AS_REQ)


def icmp4(src, code, quote):
    return ip4(src, CLIENT4, 1, struct.pack('>BBHI', 3, code, 0, 0) + quote)


def icmp6(code, quote):
    return ip6_from(KDC6, CLIENT6, 58, struct.pack('>BBHI', 1, code, 0, 0) + quote)


def icmp_seeds():
    req = as_req4()
    yield 'icmp4-port-unreachable', [req, icmp4(KDC4, 3, req), req, icmp4(KDC4, 3, req[:28])]
    yield 'icmp4-prohibited-router', [req, icmp4(bytes([10, 0, 0, 254]), 13, req[:28])]
    yield 'icmp4-truncated-quote', [req, icmp4(KDC4, 3, req[:24]), icmp4(KDC4, 3, req[:19])]
    whole = icmp4(KDC4, 3, req)[20:]
    yield 'icmp4-fragmented', [req, ip4(KDC4, CLIENT4, 1, whole[:64], 9, 0x2000),
                               ip4(KDC4, CLIENT4, 1, whole[64:], 9, 64 // 8)]
    req6 = as_req6()
    yield 'icmp6-port-unreachable', [req6, icmp6(4, req6)]
    ext = bytes([44, 0, 1, 4, 0, 0, 0, 0]) + struct.pack('>BBHI', 17, 0, 1, 7)
    req6x = as_req6(ext=ext, first=60)
    yield 'icmp6-ext-headers', [req6, icmp6(1, req6x[:40 + 16 + 8])]
    yield 'icmp6-truncated-quote', [req6, icmp6(4, req6[:44])]
    syn = ip4(CLIENT4, KDC4, 6, struct.pack('>HHIIBBHHH', 40000, 88, 1000, 0, 0x50, 0x02, 65535, 0, 0))
    rst = ip4(KDC4, CLIENT4, 6, struct.pack('>HHIIBBHHH', 88, 40000, 0, 1001, 0x50, 0x14, 0, 0, 0))
    yield 'tcp-reset-to-syn', [syn, rst]
    yield 'icmp4-tcp-syn-prohibited', [syn, icmp4(bytes([10, 0, 0, 254]), 13, syn[:28]), syn,
                                       icmp4(bytes([10, 0, 0, 254]), 13, syn)]


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
    yield from icmp_seeds()


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
