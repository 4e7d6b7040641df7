#!/usr/bin/python3
"""Checks that smb2_walk sees the same SMB2 messages whatever carries them.

The public corpus has only Ethernet (some with 802.1Q tags) and BSD
loopback captures over IPv4. This test rewrites Ethernet captures of
<shared>/captures into other encapsulations (raw IP, Linux cooked v1 and v2,
BSD null and loop, 802.1Q and QinQ tags, IPv6 with and without a hop-by-hop
extension header) and checks that smb2_walk prints exactly what it prints
for the original. Frames that are not IPv4 are kept as frames (a dummy UDP
packet where the new link type cannot carry them), so frame numbers stay
the same.

When <shared>/captures is absent, prints `1..0 # SKIP` and exits 0.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

SOURCES = ('zeek-smb3_multichannel.pcap', 'arkime-wireshark-smb-on-windows10.pcap')

LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW = 0, 1, 101
LINKTYPE_LOOP, LINKTYPE_SLL, LINKTYPE_SLL2, LINKTYPE_IPV4 = 108, 113, 276, 228
ETH_IPV4, ETH_IPV6, ETH_VLAN, ETH_QINQ = 0x0800, 0x86DD, 0x8100, 0x88A8
# A minimal IPv4 UDP packet with no payload: a frame that is IP but not TCP.
DUMMY_UDP = bytes.fromhex('4500001c00000000401100000a0000010a000002') + bytes(8)


def read_pcap(path):
    """Classic pcap only: (linktype, [(ts_sec, ts_frac, orig_len, data)])."""
    with open(path, 'rb') as f:
        blob = f.read()
    magic = blob[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        raise ValueError(f'{path}: not a classic pcap file')
    linktype = struct.unpack(e + 'I', blob[20:24])[0] & 0x0FFFFFFF
    frames, off = [], 24
    while off + 16 <= len(blob):
        sec, frac, incl, orig = struct.unpack(e + 'IIII', blob[off:off + 16])
        frames.append((sec, frac, orig, blob[off + 16:off + 16 + incl]))
        off += 16 + incl
    return linktype, frames


def write_pcap(path, linktype, frames):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for sec, frac, orig, data in frames:
            f.write(struct.pack('<IIII', sec, frac, len(data), max(orig, len(data))))
            f.write(data)


def ipv4_payload(eth):
    """The bytes after an untagged Ethernet header when they are IPv4."""
    if len(eth) >= 34 and struct.unpack('>H', eth[12:14])[0] == ETH_IPV4:
        return eth[14:]
    return None


def to_ipv6(ip, hop_by_hop):
    """Rewrites an IPv4 packet as IPv6 (same TCP bytes, mapped addresses)."""
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack('>H', ip[2:4])[0]
    proto = ip[9]
    src = bytes.fromhex('20010db8000000000000000000000000')[:12] + ip[12:16]
    dst = bytes.fromhex('20010db8000000000000000000000000')[:12] + ip[16:20]
    body, pad = ip[ihl:total], ip[total:]
    ext = b''
    next_header = proto
    if hop_by_hop:
        ext = bytes([proto, 0]) + bytes([1, 4, 0, 0, 0, 0])  # PadN option
        next_header = 0
    hdr = struct.pack('>IHBB', 6 << 28, len(ext) + len(body), next_header, 64) + src + dst
    return hdr + ext + body + pad


def variant(name, eth_frames):
    """Maps Ethernet frames to (linktype, frames) for one encapsulation."""
    out = []
    for i, (sec, frac, orig, eth) in enumerate(eth_frames):
        ip = ipv4_payload(eth)
        if name == 'raw':
            data = ip if ip is not None else DUMMY_UDP
            lt = LINKTYPE_RAW
        elif name == 'ipv4':
            data = ip if ip is not None else DUMMY_UDP
            lt = LINKTYPE_IPV4
        elif name == 'sll':
            data = struct.pack('>HHH8sH', 0, 1, 6, eth[6:12] + b'\0\0', struct.unpack('>H', eth[12:14])[0]) + eth[14:]
            lt = LINKTYPE_SLL
        elif name == 'sll2':
            data = struct.pack('>HHIHBB8s', struct.unpack('>H', eth[12:14])[0], 0, 1, 1, 0, 6,
                               eth[6:12] + b'\0\0') + eth[14:]
            lt = LINKTYPE_SLL2
        elif name == 'null':
            data = struct.pack('<I', 2) + ip if ip is not None else struct.pack('<I', 2) + DUMMY_UDP
            lt = LINKTYPE_NULL
        elif name == 'loop':
            data = struct.pack('>I', 2) + ip if ip is not None else struct.pack('>I', 2) + DUMMY_UDP
            lt = LINKTYPE_LOOP
        elif name == 'vlan':
            data = eth[:12] + struct.pack('>HH', ETH_VLAN, 42) + eth[12:]
            lt = LINKTYPE_ETHERNET
        elif name == 'qinq':
            data = eth[:12] + struct.pack('>HHHH', ETH_QINQ, 7, ETH_VLAN, 42) + eth[12:]
            lt = LINKTYPE_ETHERNET
        elif name == 'ipv6':
            data = eth if ip is None else eth[:12] + struct.pack('>H', ETH_IPV6) + to_ipv6(ip, i % 2 == 1)
            lt = LINKTYPE_ETHERNET
        elif name == 'null-ipv6':
            # AF_INET6 as Darwin writes it (30), in host (little-endian) order.
            data = struct.pack('<I', 30) + (to_ipv6(ip, False) if ip is not None else DUMMY_UDP)
            lt = LINKTYPE_NULL
        else:
            raise ValueError(name)
        extra = len(data) - len(eth)
        out.append((sec, frac, orig + extra, data))
    return lt, out


VARIANTS = ('raw', 'ipv4', 'sll', 'sll2', 'null', 'loop', 'vlan', 'qinq', 'ipv6', 'null-ipv6')


def walk(walker, path):
    p = subprocess.run([walker, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return p.returncode, p.stdout.decode('utf-8', 'replace')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--walker', required=True)
    ap.add_argument('--shared', required=True)
    args = ap.parse_args()
    captures = os.path.join(args.shared, 'captures')
    if not os.path.isdir(captures):
        print('1..0 # SKIP ../shared/captures not present')
        return 0
    print(f'1..{len(SOURCES) * len(VARIANTS)}')
    n = 0
    with tempfile.TemporaryDirectory(prefix='smb2walk-') as tmp:
        for source in SOURCES:
            path = os.path.join(captures, source)
            linktype, frames = read_pcap(path)
            rc0, expected = walk(args.walker, path)
            for name in VARIANTS:
                n += 1
                if linktype != LINKTYPE_ETHERNET or rc0 != 0:
                    print(f'not ok {n} - {source} as {name}: source not Ethernet or walker failed')
                    continue
                lt, out = variant(name, frames)
                vpath = os.path.join(tmp, f'{name}-{source}')
                write_pcap(vpath, lt, out)
                rc, got = walk(args.walker, vpath)
                lines = len(expected.splitlines())
                if rc == 0 and got == expected and lines > 0:
                    print(f'ok {n} - {source} as {name}: same {lines} messages')
                    continue
                print(f'not ok {n} - {source} as {name}: output differs (exit {rc})')
                for a, b in zip(expected.splitlines() + ['<end>'], got.splitlines() + ['<end>']):
                    if a != b:
                        print(f'#  expected {a!r}')
                        print(f'#  got      {b!r}')
                        break
    return 0


if __name__ == '__main__':
    sys.exit(main())
