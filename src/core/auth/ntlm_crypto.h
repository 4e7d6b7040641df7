/* NTLM computations (MS-NLMP 3.3.1, 3.3.2, 3.4.4, 3.4.5; NTLMv2 only,
 * plus NTOWFv1 which NTLMv2 builds on).
 *
 * Everything works on byte buffers and plain parameters, so the NTLMSSP
 * codec, the client and the server state machines can all call it without
 * sharing structs. Names and passwords given as C strings are UTF-8 (what a
 * user types); names taken from an AUTHENTICATE message are UTF-16LE (what
 * the wire carries) so a server never converts them twice.
 *
 * Secrets (hashes, keys) are written only to the caller's buffers; local
 * copies are wiped. Comparisons of proofs and MICs are constant-time.
 */
#ifndef SMBDIAG_CORE_AUTH_NTLM_CRYPTO_H
#define SMBDIAG_CORE_AUTH_NTLM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/auth/crypto_ctx.h"
#include "core/err.h"

#define NTLM_HASH_LEN 16          /* NTOWFv1, NTOWFv2 */
#define NTLM_CHALLENGE_LEN 8      /* server and client challenge */
#define NTLM_PROOF_LEN 16         /* NTProofStr */
#define NTLM_KEY_LEN 16           /* session base key, KXKEY, exported key */
#define NTLM_MIC_LEN 16
#define NTLM_SIGNATURE_LEN 16     /* NTLMSSP_MESSAGE_SIGNATURE */
#define NTLM_LMV2_RESPONSE_LEN 24
/* Fixed part of the NTLMv2 client blob ("temp" of MS-NLMP 3.3.2) before
 * the AV pairs: RespType, HiRespType, Z(6), Time, ClientChallenge, Z(4). */
#define NTLM_V2_BLOB_FIXED_LEN 28
/* Shortest NtChallengeResponse we accept as NTLMv2: proof + fixed blob. */
#define NTLM_V2_RESPONSE_MIN_LEN (NTLM_PROOF_LEN + NTLM_V2_BLOB_FIXED_LEN)
/* Cap on a user name, domain name or password, in UTF-16 code units
 * (Windows allows 256-character passwords; names are far shorter). */
#define NTLM_TEXT_MAX_UNITS 512

/* The NegotiateFlags bits the computations depend on (MS-NLMP 2.2.2.5).
 * Distinct names so they never collide with the codec's flag table. */
#define NTLM_CRYPTO_FLAG_SIGN 0x00000010u
#define NTLM_CRYPTO_FLAG_SEAL 0x00000020u
#define NTLM_CRYPTO_FLAG_ESS 0x00080000u       /* EXTENDED_SESSIONSECURITY */
#define NTLM_CRYPTO_FLAG_128 0x20000000u
#define NTLM_CRYPTO_FLAG_KEY_EXCH 0x40000000u
#define NTLM_CRYPTO_FLAG_56 0x80000000u

enum ntlm_direction {
	NTLM_CLIENT_TO_SERVER,
	NTLM_SERVER_TO_CLIENT,
};

/* NTOWFv1 = MD4(UTF-16LE(password)). password is NUL-terminated UTF-8.
 * SD_ERR_INVALID_ARG for invalid UTF-8, SD_ERR_LIMIT when too long,
 * SD_ERR_UNSUPPORTED when libcrypto has no MD4 (no legacy provider). */
enum sd_err ntlm_nt_hash(struct sd_crypto *c, const char *password, uint8_t out[NTLM_HASH_LEN]);

/* NTOWFv2 = HMAC_MD5(nt_hash, UTF-16LE(UPPER(user) || domain)).
 * The domain keeps its case. UPPER maps ASCII, Latin-1, Latin Extended-A,
 * Greek, Cyrillic and fullwidth Latin letters; other characters stay as
 * they are (Windows uses a complete table; see ntlm_crypto.c). */
enum sd_err ntlm_ntowfv2(struct sd_crypto *c, const uint8_t nt_hash[NTLM_HASH_LEN], const char *user,
    const char *domain, uint8_t out[NTLM_HASH_LEN]);
/* Same from UTF-16LE names as found in an AUTHENTICATE message (byte
 * lengths; odd lengths are SD_ERR_MALFORMED). */
enum sd_err ntlm_ntowfv2_utf16(struct sd_crypto *c, const uint8_t nt_hash[NTLM_HASH_LEN],
    const uint8_t *user16, size_t user16_len, const uint8_t *domain16, size_t domain16_len,
    uint8_t out[NTLM_HASH_LEN]);
/* NTOWFv2 straight from the password (NTOWFv1 then NTOWFv2). */
enum sd_err ntlm_ntowfv2_password(struct sd_crypto *c, const char *password, const char *user,
    const char *domain, uint8_t out[NTLM_HASH_LEN]);

/* Bytes ntlm_v2_blob writes for av_len bytes of AV pairs. */
size_t ntlm_v2_blob_len(size_t av_len);
/* Writes the client blob ("temp"): 01 01 Z(6) timestamp(FILETIME, LE)
 * client_challenge Z(4) av_pairs Z(4). av_pairs must already end with
 * MsvAvEOL (this function does not parse them). SD_ERR_NO_SPACE if cap is
 * short. */
enum sd_err ntlm_v2_blob(uint64_t timestamp, const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
    const uint8_t *av_pairs, size_t av_len, uint8_t *out, size_t cap, size_t *out_len);

/* NTProofStr = HMAC_MD5(NTOWFv2, server_challenge || blob). */
enum sd_err ntlm_v2_proof(struct sd_crypto *c, const uint8_t ntowfv2[NTLM_HASH_LEN],
    const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t *blob, size_t blob_len,
    uint8_t out[NTLM_PROOF_LEN]);

/* NtChallengeResponse = NTProofStr || blob, written to out (needs
 * NTLM_PROOF_LEN + ntlm_v2_blob_len(av_len) bytes). When session_base_key
 * is not NULL it also receives HMAC_MD5(NTOWFv2, NTProofStr). */
enum sd_err ntlm_v2_response(struct sd_crypto *c, const uint8_t ntowfv2[NTLM_HASH_LEN],
    const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
    uint64_t timestamp, const uint8_t *av_pairs, size_t av_len, uint8_t *out, size_t cap, size_t *out_len,
    uint8_t session_base_key[NTLM_KEY_LEN]);

/* LMv2 = HMAC_MD5(NTOWFv2, server_challenge || client_challenge) ||
 * client_challenge. (A client whose CHALLENGE carried MsvAvTimestamp sends
 * Z(24) instead: the caller's decision.) */
enum sd_err ntlm_lmv2_response(struct sd_crypto *c, const uint8_t ntowfv2[NTLM_HASH_LEN],
    const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
    uint8_t out[NTLM_LMV2_RESPONSE_LEN]);

/* SessionBaseKey = HMAC_MD5(NTOWFv2, NTProofStr). */
enum sd_err ntlm_v2_session_base_key(struct sd_crypto *c, const uint8_t ntowfv2[NTLM_HASH_LEN],
    const uint8_t nt_proof[NTLM_PROOF_LEN], uint8_t out[NTLM_KEY_LEN]);

/* KXKEY for NTLMv2 is the SessionBaseKey itself (MS-NLMP 3.4.5.1); a
 * function so callers say which key they mean. */
void ntlm_v2_kxkey(const uint8_t session_base_key[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN]);

/* Client, KEY_EXCH: EncryptedRandomSessionKey = RC4(KXKEY, random_key). */
enum sd_err ntlm_encrypt_random_session_key(struct sd_crypto *c, const uint8_t kxkey[NTLM_KEY_LEN],
    const uint8_t random_session_key[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN]);

/* ExportedSessionKey (the SMB Session.SessionKey), as the server (or a
 * capture analyst with the password) recovers it: with KEY_EXCH and SIGN
 * or SEAL in flags it is RC4(KXKEY, encrypted) and encrypted must be 16
 * bytes (else SD_ERR_MALFORMED); otherwise it is KXKEY and encrypted is
 * ignored. */
enum sd_err ntlm_exported_session_key(struct sd_crypto *c, uint32_t flags, const uint8_t kxkey[NTLM_KEY_LEN],
    const uint8_t *encrypted, size_t encrypted_len, uint8_t out[NTLM_KEY_LEN]);

/* Server side: checks an NTLMv2 NtChallengeResponse against the account's
 * NT hash (NTOWFv1) and the UTF-16LE user and domain names from the
 * AUTHENTICATE message. On success writes the SessionBaseKey.
 * SD_ERR_VERIFY on a wrong proof (wrong password, user or domain);
 * SD_ERR_UNSUPPORTED for a 24-byte (NTLMv1) response; SD_ERR_MALFORMED
 * when shorter than NTLM_V2_RESPONSE_MIN_LEN. Windows retries with an
 * empty domain (MS-NLMP 3.2.5.1.2): call again with domain16_len 0. */
enum sd_err ntlm_v2_verify(struct sd_crypto *c, const uint8_t nt_hash[NTLM_HASH_LEN],
    const uint8_t *user16, size_t user16_len, const uint8_t *domain16, size_t domain16_len,
    const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t *nt_response, size_t nt_response_len,
    uint8_t session_base_key[NTLM_KEY_LEN]);

/* MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE)
 * with the 16 bytes at auth[mic_offset] counted as zero (they are not
 * modified). mic_offset is 72 in every AUTHENTICATE that has a MIC.
 * SD_ERR_BAD_OFFSET if the MIC field does not fit in auth. */
enum sd_err ntlm_mic(struct sd_crypto *c, const uint8_t exported_key[NTLM_KEY_LEN], const uint8_t *negotiate,
    size_t negotiate_len, const uint8_t *challenge, size_t challenge_len, const uint8_t *authenticate,
    size_t authenticate_len, size_t mic_offset, uint8_t out[NTLM_MIC_LEN]);
/* Compares with the MIC stored at authenticate[mic_offset]: SD_OK or
 * SD_ERR_VERIFY. */
enum sd_err ntlm_mic_verify(struct sd_crypto *c, const uint8_t exported_key[NTLM_KEY_LEN],
    const uint8_t *negotiate, size_t negotiate_len, const uint8_t *challenge, size_t challenge_len,
    const uint8_t *authenticate, size_t authenticate_len, size_t mic_offset);

/* SIGNKEY / SEALKEY with extended session security (MS-NLMP 3.4.5.2,
 * 3.4.5.3): MD5(key || "session key to <dir> signing|sealing key magic
 * constant\0"), the sealing input cut to 16, 7 or 5 bytes by the 128 / 56
 * flags. Both keys are 16 bytes. Without ESS in flags: SD_ERR_UNSUPPORTED
 * (NTLMv1-style signing is not implemented). */
enum sd_err ntlm_sign_key(struct sd_crypto *c, const uint8_t exported_key[NTLM_KEY_LEN], enum ntlm_direction dir,
    uint8_t out[NTLM_KEY_LEN]);
enum sd_err ntlm_seal_key(struct sd_crypto *c, uint32_t flags, const uint8_t exported_key[NTLM_KEY_LEN],
    enum ntlm_direction dir, uint8_t out[NTLM_KEY_LEN]);

/* NTLMSSP_MESSAGE_SIGNATURE with ESS (MS-NLMP 3.4.4.2): 01000000 ||
 * checksum(8) || seq_num (LE), checksum = HMAC_MD5(SignKey, seq_num ||
 * msg)[0:8], RC4-encrypted with the SealKey when KEY_EXCH is in flags.
 * The RC4 state is a FRESH one: right for the SPNEGO mechListMIC and the
 * first signed message of a direction, not for later messages of a
 * stream that also seals. */
enum sd_err ntlm_signature(struct sd_crypto *c, uint32_t flags, const uint8_t exported_key[NTLM_KEY_LEN],
    enum ntlm_direction dir, uint32_t seq_num, const uint8_t *msg, size_t msg_len,
    uint8_t out[NTLM_SIGNATURE_LEN]);

/* SPNEGO mechListMIC when NTLM is the mechanism (MS-SPNG 3.1.5.1): the
 * NTLM signature, sequence number 0, over the DER encoding of the
 * mechTypes list (the whole SEQUENCE, tag and length included). The client
 * sends NTLM_CLIENT_TO_SERVER, the server NTLM_SERVER_TO_CLIENT. */
enum sd_err ntlm_mech_list_mic(struct sd_crypto *c, uint32_t flags, const uint8_t exported_key[NTLM_KEY_LEN],
    enum ntlm_direction dir, const uint8_t *mech_types_der, size_t der_len, uint8_t out[NTLM_SIGNATURE_LEN]);
/* SD_OK, or SD_ERR_VERIFY when mic (mic_len bytes) is not the expected one. */
enum sd_err ntlm_mech_list_mic_verify(struct sd_crypto *c, uint32_t flags,
    const uint8_t exported_key[NTLM_KEY_LEN], enum ntlm_direction dir, const uint8_t *mech_types_der,
    size_t der_len, const uint8_t *mic, size_t mic_len);

#endif
