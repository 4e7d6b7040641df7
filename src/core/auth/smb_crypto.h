/* SMB 2.x / 3.x cryptography on raw message bytes: signing (MS-SMB2
 * 3.1.4.1, 3.1.5.1), key derivation (3.1.4.2), preauthentication integrity
 * (3.1.1) and TRANSFORM_HEADER encryption (2.2.41, 3.1.4.3).
 *
 * Messages are taken as they travel without the 4-byte transport header:
 * an SMB2 message starts with FE 'SMB', an encrypted one with FD 'SMB'.
 * Enumerations carry the wire ids so a decoded id converts with a cast
 * after a range check.
 */
#ifndef SMBDIAG_CORE_AUTH_SMB_CRYPTO_H
#define SMBDIAG_CORE_AUTH_SMB_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth/crypto_ctx.h"
#include "core/err.h"

#define SMB2_SIG_OFFSET 48            /* Signature field in the SMB2 header */
#define SMB2_SIG_LEN 16
#define SMB3_SIGNING_KEY_LEN 16       /* Session.SessionKey, SigningKey, ApplicationKey */
#define SMB3_CIPHER_KEY_MAX 32
#define SMB3_TRANSFORM_HEADER_LEN 52
#define SMB3_TRANSFORM_AAD_OFFSET 20  /* AAD = header bytes 20..51 */
#define SMB3_NONCE_FIELD_LEN 16
#define SMB311_PREAUTH_HASH_LEN 64    /* SHA-512 */

/* Signing algorithm ids of SMB2_SIGNING_CAPABILITIES (2.2.3.1.7). */
enum smb2_sign_alg {
	SMB2_SIGN_HMAC_SHA256 = 0,
	SMB2_SIGN_AES_CMAC = 1,
	SMB2_SIGN_AES_GMAC = 2,
};

/* Cipher ids of SMB2_ENCRYPTION_CAPABILITIES (2.2.3.1.2); 0 = none. */
enum smb3_cipher {
	SMB3_CIPHER_NONE = 0,
	SMB3_CIPHER_AES128_CCM = 1,
	SMB3_CIPHER_AES128_GCM = 2,
	SMB3_CIPHER_AES256_CCM = 3,
	SMB3_CIPHER_AES256_GCM = 4,
};

/* --- signing ------------------------------------------------------- */

/* Algorithm a connection signs with: HMAC-SHA256 for 2.0.2 / 2.1; for 3.x
 * the negotiated SigningAlgorithmId when negotiated is true (3.1.1 with a
 * SIGNING_CAPABILITIES context), AES-CMAC otherwise. */
enum smb2_sign_alg smb2_sign_alg_for(uint16_t dialect, bool negotiated, enum smb2_sign_alg negotiated_alg);

/* Computes the 16-byte signature of ONE message (one element of a chain,
 * see smb2_chain_element) as if its Signature field were zero; msg is not
 * modified. Keys: HMAC-SHA256 takes any non-empty key (Session.SessionKey);
 * CMAC and GMAC take 16 bytes (SigningKey). The AES-GMAC nonce comes from
 * the header itself: MessageId, then a 32-bit LE word whose bit 0 is the
 * header's SERVER_TO_REDIR flag (sender is the server) and bit 1 is set
 * for a CANCEL request.
 * SD_ERR_TRUNCATED (< 64 bytes), SD_ERR_PROTOCOL_ID (not FE 'SMB'),
 * SD_ERR_INVALID_ARG (bad key length or algorithm), SD_ERR_CRYPTO. */
enum sd_err smb2_signature(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len,
    const uint8_t *msg, size_t len, uint8_t out[SMB2_SIG_LEN]);

/* Signs one message in place: sets SMB2_FLAGS_SIGNED in the header first
 * (the flag is covered by the signature), then writes the signature. */
enum sd_err smb2_sign(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len,
    uint8_t *msg, size_t len);

/* Checks the signature of one message: SD_OK or SD_ERR_VERIFY (constant
 * time). Does not look at the SIGNED flag: whether a message had to be
 * signed is policy, decided by the caller. */
enum sd_err smb2_verify(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len,
    const uint8_t *msg, size_t len);

/* Compound chains (MS-SMB2 3.1.4.1: "any padding at the end of the message
 * MUST be used in the hash computation"): every element is signed on its
 * own, over the bytes from its header up to where the next element starts
 * (its NextCommand, padding included); the last element (NextCommand 0)
 * runs to the end of the buffer.
 * Gives the length of the element that starts at off. SD_ERR_TRUNCATED
 * when fewer than 64 bytes remain, SD_ERR_BAD_OFFSET when NextCommand is
 * below 64, not a multiple of 8, or leaves no room for a next header. */
enum sd_err smb2_chain_element(const uint8_t *msg, size_t len, size_t off, size_t *elem_len);

/* Signs / verifies every element of a chain with the same key (the usual
 * case: one session). For chains that mix sessions, walk the elements
 * with smb2_chain_element and pick the key per element. smb2_verify_chain
 * stops at the first element that fails. */
enum sd_err smb2_sign_chain(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len,
    uint8_t *msg, size_t len);
enum sd_err smb2_verify_chain(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len,
    const uint8_t *msg, size_t len);

/* --- key derivation ------------------------------------------------ */

/* SP800-108 counter-mode KDF with HMAC-SHA256, one block:
 * HMAC-SHA256(ki, 00000001 || label || 00 || context || L(32-bit BE))
 * cut to out_len bytes, L = out_len * 8 (out_len 16 or 32). Label and
 * context are passed with their own terminating NUL when the spec counts
 * it (the "double zero" of MS-SMB2 3.1.4.2): the constants in
 * smb3_derive_keys do. */
enum sd_err smb3_kdf(struct sd_crypto *c, const uint8_t *ki, size_t ki_len, const uint8_t *label, size_t label_len,
    const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len);

struct smb3_keys {
	uint8_t signing[SMB3_SIGNING_KEY_LEN];      /* Session.SigningKey (or Channel.SigningKey) */
	uint8_t application[SMB3_SIGNING_KEY_LEN];  /* Session.ApplicationKey */
	/* Client-to-server traffic: client EncryptionKey = server DecryptionKey. */
	uint8_t c2s[SMB3_CIPHER_KEY_MAX];
	/* Server-to-client traffic: server EncryptionKey = client DecryptionKey. */
	uint8_t s2c[SMB3_CIPHER_KEY_MAX];
	size_t cipher_key_len;                      /* 16, 32, or 0 for 2.x */
};

/* Derives a session's keys from the GSS session key (the whole key as the
 * mechanism gives it: NTLM's 16-byte ExportedSessionKey, Kerberos' 16 or
 * 32-byte subkey).
 *  - 2.0.2 / 2.1: no KDF; signing = application = Session.SessionKey (the
 *    first 16 bytes, zero-padded when shorter); no cipher keys.
 *  - 3.0 / 3.0.2: labels "SMB2AESCMAC"/"SmbSign", "SMB2APP"/"SmbRpc",
 *    "SMB2AESCCM"/"ServerIn " and "ServerOut"; AES-128-CCM only (cipher
 *    must be NONE or AES128_CCM); preauth_hash unused (may be NULL).
 *  - 3.1.1: labels "SMBSigningKey", "SMBAppKey", "SMBC2SCipherKey",
 *    "SMBS2CCipherKey", context = the session's preauth hash (required).
 * Signing and application keys always come from Session.SessionKey with
 * L = 128. For AES-256-CCM/GCM the two cipher keys use L = 256 and the
 * FULL session key as KDF input (Session.FullSessionKey): cutting it to
 * 16 bytes first is the classic interop bug with Kerberos AES-256 keys.
 * (MS-SMB2 3.1.4.2 words L as depending on CipherId for every key; Samba
 * and Windows derive the 16-byte signing key with L = 128, as here.)
 * For session binding, derive with the binding's session key and the
 * PreauthSession hash and keep only .signing (Channel.SigningKey).
 * SD_ERR_INVALID_ARG for an unknown dialect or a cipher the dialect cannot
 * use, or an empty session key. */
enum sd_err smb3_derive_keys(struct sd_crypto *c, uint16_t dialect, enum smb3_cipher cipher,
    const uint8_t *session_key, size_t session_key_len, const uint8_t *preauth_hash, struct smb3_keys *out);

/* --- preauthentication integrity (3.1.1) --------------------------- */

/* Connection.PreauthIntegrityHashValue starts as 64 zero bytes. */
void smb311_preauth_init(uint8_t hash[SMB311_PREAUTH_HASH_LEN]);
/* hash = SHA-512(hash || msg); msg is a whole SMB2 message (no transport
 * header). */
enum sd_err smb311_preauth_update(struct sd_crypto *c, uint8_t hash[SMB311_PREAUTH_HASH_LEN],
    const uint8_t *msg, size_t len);
/* A new session (or a binding) starts from the connection's value after
 * NEGOTIATE. */
void smb311_preauth_session_start(uint8_t session_hash[SMB311_PREAUTH_HASH_LEN],
    const uint8_t connection_hash[SMB311_PREAUTH_HASH_LEN]);
/* Whether a SESSION_SETUP message goes into the session hash: every
 * request (the final one too), and responses only while the status is
 * STATUS_MORE_PROCESSING_REQUIRED; the final SUCCESS response is not
 * hashed (it is signed with keys derived from the hash). */
bool smb311_preauth_session_hashes(bool is_response, uint32_t status);

/* --- encryption ---------------------------------------------------- */

/* 16 or 32, or 0 for NONE / unknown ids. */
size_t smb3_cipher_key_len(enum smb3_cipher cipher);
/* AEAD nonce length: 11 for CCM, 12 for GCM, 0 for NONE / unknown. */
size_t smb3_cipher_nonce_len(enum smb3_cipher cipher);

/* Writes TRANSFORM_HEADER + ciphertext into out: ProtocolId FD 'SMB',
 * Signature = AEAD tag, Nonce = nonce (nonce_len bytes, at least the
 * cipher's nonce length, at most 16; the rest zero), OriginalMessageSize,
 * Reserved 0, Flags/EncryptionAlgorithm 0x0001, SessionId. AAD = header
 * bytes 20..51. The caller supplies nonces (the core has no randomness)
 * and must never repeat one under a key. out must not overlap plaintext.
 * SD_ERR_NO_SPACE when cap < 52 + len; SD_ERR_INVALID_ARG for a bad key
 * length, nonce length, cipher, or an empty or >= 2 GiB plaintext. */
enum sd_err smb3_transform_seal(struct sd_crypto *c, enum smb3_cipher cipher, const uint8_t *key, size_t key_len,
    const uint8_t *nonce, size_t nonce_len, uint64_t session_id, const uint8_t *plaintext, size_t len,
    uint8_t *out, size_t cap, size_t *out_len);

/* Checks and decrypts one transform message (header + ciphertext, exactly
 * len bytes) into out. SD_ERR_TRUNCATED (< 52 bytes, or fewer ciphertext
 * bytes than OriginalMessageSize), SD_ERR_PROTOCOL_ID (not FD 'SMB'),
 * SD_ERR_MALFORMED (bytes beyond OriginalMessageSize, size 0, or
 * Flags/EncryptionAlgorithm not 0x0001), SD_ERR_NO_SPACE, SD_ERR_VERIFY
 * (tag mismatch: out is wiped, nothing is released). out must not overlap
 * msg. */
enum sd_err smb3_transform_unseal(struct sd_crypto *c, enum smb3_cipher cipher, const uint8_t *key,
    size_t key_len, const uint8_t *msg, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* SessionId of a transform message, to find the key before unsealing.
 * SD_ERR_TRUNCATED / SD_ERR_PROTOCOL_ID as above. */
enum sd_err smb3_transform_session_id(const uint8_t *msg, size_t len, uint64_t *session_id);

#endif
