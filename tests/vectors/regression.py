#!/usr/bin/python3
"""Writes regression-crypto.txt: expected values for the SMB crypto that has
no official test vector (HMAC-SHA256 and AES-GMAC signing, 256-bit key
derivation, AES-256-CCM/GCM encryption, compound chains).

They come from an implementation independent of smbdiag's C code: Python's
hashlib/hmac and the `cryptography` package, following MS-SMB2 3.1.4.1-3.
Inputs are the official messages and keys of smb311-preauth-keys.txt and
smb311-gcm-encryption.txt. Where failure-catalog.md 5.7 (itself self-computed,
not official) lists the same value, the script asserts agreement.

Run: /usr/bin/python3 tests/vectors/regression.py > tests/vectors/regression-crypto.txt
"""
import hashlib
import hmac
import os
import re
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    values, key = {}, None
    for line in open(os.path.join(HERE, name)):
        if line.startswith('#') or not line.strip():
            continue
        if line[0] == '\t':
            values[key] += line.strip()
            continue
        key, _, val = line.partition('=')
        key = key.strip()
        values[key] = val.strip()
    return {k: bytes.fromhex(v) for k, v in values.items()}


def kdf(ki, label, context, nbytes):
    data = struct.pack('>I', 1) + label + b'\0' + context + struct.pack('>I', nbytes * 8)
    return hmac.new(ki, data, hashlib.sha256).digest()[:nbytes]


def zero_sig(msg):
    return msg[:48] + bytes(16) + msg[64:]


def gmac(key, msg):
    flags = struct.unpack_from('<I', msg, 16)[0]
    command = struct.unpack_from('<H', msg, 12)[0]
    word = 1 if flags & 1 else 0
    if not flags & 1 and command == 0x000C:
        word |= 2
    nonce = msg[24:32] + struct.pack('<I', word)
    return AESGCM(key).encrypt(nonce, b'', zero_sig(msg))


def hmac_sig(key, msg):
    return hmac.new(key, zero_sig(msg), hashlib.sha256).digest()[:16]


def seal(cipher, key, nonce, session_id, plain):
    hdr = bytearray(52)
    hdr[0:4] = b'\xfdSMB'
    hdr[20:20 + len(nonce)] = nonce
    struct.pack_into('<IHHQ', hdr, 36, len(plain), 0, 1, session_id)
    ct = cipher(key).encrypt(nonce, plain, bytes(hdr[20:52]))
    hdr[4:20] = ct[-16:]
    return bytes(hdr) + ct[:-16]


def emit(name, data, width=96):
    h = data.hex()
    if len(h) <= width:
        print(f'{name} = {h}')
        return
    print(f'{name} =')
    for i in range(0, len(h), width):
        print('\t' + h[i:i + width])


def expect(data, catalog_hex):
    assert data == bytes.fromhex(catalog_hex), (data.hex(), catalog_hex)
    return data


def cancel_request(message_id, session_id):
    hdr = bytearray(64)
    hdr[0:4] = b'\xfeSMB'
    struct.pack_into('<HHIHHIIQIIQ', hdr, 4, 64, 0, 0, 0x000C, 0, 0x8, 0, message_id, 0xFEFF, 0, session_id)
    return bytes(hdr) + struct.pack('<HH', 4, 0)


def echo_chain(session_id):
    """Two ECHO requests compounded: the first padded to 72 bytes."""
    def echo(message_id, next_command):
        hdr = bytearray(64)
        hdr[0:4] = b'\xfeSMB'
        struct.pack_into('<HHIHHIIQIIQ', hdr, 4, 64, 1, 0, 0x000D, 1, 0x8, next_command, message_id, 0xFEFF, 0,
                         session_id)
        return bytes(hdr) + struct.pack('<HH', 4, 0)
    first = echo(7, 72) + bytes(4)
    second = echo(8, 0)
    return first, second


def main():
    p = load('smb311-preauth-keys.txt')
    g = load('smb311-gcm-encryption.txt')
    sk, h5 = p['session_key'], p['h5']
    print('# Regression values, NOT official: no published Microsoft vectors exist for')
    print('# these. Computed by tests/vectors/regression.py with Python hashlib/hmac and')
    print('# the `cryptography` package (an implementation independent of smbdiag),')
    print('# from the official inputs of smb311-preauth-keys.txt and')
    print('# smb311-gcm-encryption.txt. Values marked [5.7] also match')
    print('# failure-catalog.md 5.7 (self-computed there too, so also regression only).')
    print('# Format: "name = hex"; a line that starts with a tab continues the value above.')
    print()
    print('# HMAC-SHA256 signature (2.x rule) of setup_rsp2, key = session_key [5.7]')
    emit('hmac_sig_setup_rsp2', expect(hmac_sig(sk, p['setup_rsp2']), '69F4B33F052C75B5F93906A96746A04E'))
    print('# AES-GMAC signatures, key = signing_key: setup_rsp2 (server, MessageId 3) and')
    print('# bind_setup_req1 (client, MessageId 2) [5.7]; a CANCEL request (bit 1 of the nonce)')
    emit('gmac_sig_setup_rsp2', expect(gmac(p['signing_key'], p['setup_rsp2']), '75D05BAC99FF7FCC52A44C354381D559'))
    emit('gmac_sig_bind_setup_req1',
         expect(gmac(p['signing_key'], p['bind_setup_req1']), '1350959EB13DC1C023332D69E9249205'))
    cancel = cancel_request(5, 0x0000100000000019)
    emit('cancel_request', cancel)
    emit('gmac_sig_cancel_request', gmac(p['signing_key'], cancel))
    print('# Compound chain of two ECHO requests (first element padded to NextCommand 72),')
    print('# each element HMAC-SHA256-signed over its own bytes, key = session_key')
    first, second = echo_chain(0x0000100000000019)
    emit('chain_unsigned', first + second)
    signed = first[:48] + hmac_sig(sk, first) + first[64:] + second[:48] + hmac_sig(sk, second) + second[64:]
    emit('chain_hmac_signed', signed)
    signed = first[:48] + gmac(p['signing_key'], first) + first[64:]
    signed += second[:48] + gmac(p['signing_key'], second) + second[64:]
    emit('chain_gmac_signed', signed)
    print()
    print('# 256-bit cipher keys for the 5.6.2 session (AES-256-*), L = 256 [5.7]')
    c2s = expect(kdf(sk, b'SMBC2SCipherKey\0', h5, 32),
                 '049C27FD8A340262E32C643DEA2BA507AF7A4C085FD2505AEFFCBDEAE6D6D8AB')
    s2c = expect(kdf(sk, b'SMBS2CCipherKey\0', h5, 32),
                 '35952FED051BF2471AF5F7ACC63674B887A54B47AF46959F7CAFF1CE537D7419')
    emit('aes256_c2s_key', c2s)
    emit('aes256_s2c_key', s2c)
    print('# A 32-byte (Kerberos AES-256-like) session key 00..1f with the 5.6.2 hash h5 and')
    print('# AES-256-GCM: signing/application keys from its first 16 bytes (L = 128), cipher')
    print('# keys from all 32 bytes (L = 256)')
    full = bytes(range(32))
    emit('full_session_key', full)
    emit('full_signing_key', kdf(full[:16], b'SMBSigningKey\0', h5, 16))
    emit('full_application_key', kdf(full[:16], b'SMBAppKey\0', h5, 16))
    emit('full_c2s_key', kdf(full, b'SMBC2SCipherKey\0', h5, 32))
    emit('full_s2c_key', kdf(full, b'SMBS2CCipherKey\0', h5, 32))
    print('# SMB 3.0 / 3.1.1 signing and application keys of the encryption blogs [5.7]')
    c = load('smb30-ccm-encryption.txt')
    emit('enc30_signing_key', expect(kdf(c['session_key'], b'SMB2AESCMAC\0', b'SmbSign\0', 16),
                                     'F773CD23C18FD1E08EE510CADA7CF852'))
    emit('enc30_application_key', expect(kdf(c['session_key'], b'SMB2APP\0', b'SmbRpc\0', 16),
                                         '77432F808CE99156B5BC6A3676D730D1'))
    emit('enc311_signing_key', expect(kdf(g['session_key'], b'SMBSigningKey\0', g['preauth_hash'], 16),
                                      '8765949DFEAEE105CE9118B45BE988F0'))
    emit('enc311_application_key', expect(kdf(g['session_key'], b'SMBAppKey\0', g['preauth_hash'], 16),
                                          '099D610789FBE82055B313601C3E8CC4'))
    print()
    print('# AES-256 encryption of the 5.6.5 client plaintext with aes256_c2s_key, the')
    print('# 5.6.5 nonce (12 bytes GCM, 11 bytes CCM) and SessionId 0x0000100000000025')
    plain = g['c2s_plaintext']
    nonce = g['c2s_transform'][20:36]
    emit('aes256_gcm_transform', seal(AESGCM, c2s, nonce[:12], 0x0000100000000025, plain))
    emit('aes256_ccm_transform', seal(AESCCM, c2s, nonce[:11], 0x0000100000000025, plain))
    return 0


if __name__ == '__main__':
    sys.exit(main())
