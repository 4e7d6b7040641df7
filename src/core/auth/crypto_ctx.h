/* The libcrypto handle of smbdiag: one-shot helpers (digest, HMAC,
 * AES-CMAC, AES-GMAC, RC4) shared by ntlm_crypto.c and smb_crypto.c, and
 * the EVP algorithms SMB3 encryption needs, from a private OpenSSL 3
 * library context.
 *
 * Digests, HMAC, CMAC, GMAC and RC4 run on libcrypto's low-level functions
 * (MD4, MD5, SHA-256/512, RC4, AES, CRYPTO_gcm128), not on EVP: a
 * process's first EVP fetch costs milliseconds of CPU (name map and method
 * store construction, legacy.so for MD4/RC4), more than the whole rest of
 * a probe (crypto_ctx.c says more). Consequences:
 *  - MD4 and RC4 (NTLM) come from libcrypto itself: no legacy provider to
 *    load, so openssl.cnf or OPENSSL_MODULES cannot take them away from a
 *    diagnostic tool that must compute what the peers compute anyway.
 *    Only a libcrypto built without them (OPENSSL_NO_MD4/RC4) makes the
 *    NTLM functions fail, with SD_ERR_UNSUPPORTED.
 *  - The process-wide default context stays untouched, so libkrb5
 *    (GSSAPI) keeps the providers and policy its configuration gives it.
 *    (The EVP side below still makes libcrypto read openssl.cnf once,
 *    as any EVP cipher initialisation does; the helpers do not.)
 *
 * The EVP side is lazy: the private context (default provider) is created
 * the first time sd_crypto_get_md/get_cipher is called, legacy.so only if
 * MD4 or RC4 is asked for as an EVP object, and each algorithm is fetched
 * once, then reused. Because of that lazy caching a struct sd_crypto is
 * NOT thread-safe: give each thread (or each event loop) its own, or
 * serialize the calls.
 * All functions return SD_ERR_CRYPTO when libcrypto reports a failure.
 */
#ifndef SMBDIAG_CORE_AUTH_CRYPTO_CTX_H
#define SMBDIAG_CORE_AUTH_CRYPTO_CTX_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "core/err.h"

struct sd_crypto;

/* SD_OK, SD_ERR_INVALID_ARG (out NULL), SD_ERR_NOMEM, SD_ERR_CRYPTO. */
enum sd_err sd_crypto_create(struct sd_crypto **out);
/* Accepts NULL. */
void sd_crypto_free(struct sd_crypto *c);

/* A piece of input; MACs and digests take a list of them so callers can
 * hash a message around a field that counts as zero without copying it. */
struct sd_span {
	const uint8_t *p;
	size_t len;
};

enum sd_crypto_md {
	SD_MD_MD4,     /* EVP: legacy provider */
	SD_MD_MD5,
	SD_MD_SHA256,
	SD_MD_SHA512,
	SD_MD__COUNT
};

enum sd_crypto_cipher {
	SD_CIPHER_RC4,          /* EVP: legacy provider */
	SD_CIPHER_AES128_CCM,
	SD_CIPHER_AES128_GCM,
	SD_CIPHER_AES256_CCM,
	SD_CIPHER_AES256_GCM,
	SD_CIPHER__COUNT
};

/* Fetches (once) and returns an algorithm owned by c; do not free it.
 * SD_ERR_UNSUPPORTED when the provider that holds it cannot be loaded. */
enum sd_err sd_crypto_get_md(struct sd_crypto *c, enum sd_crypto_md id, EVP_MD **out);
enum sd_err sd_crypto_get_cipher(struct sd_crypto *c, enum sd_crypto_cipher id, EVP_CIPHER **out);

/* Digest of the concatenated parts; out_len must equal the digest size. */
enum sd_err sd_crypto_digest(struct sd_crypto *c, enum sd_crypto_md md,
    const struct sd_span *parts, size_t n_parts, uint8_t *out, size_t out_len);

/* HMAC(key, parts...) truncated to out_len bytes (1 <= out_len <= digest
 * size). MD4 is not offered here. */
enum sd_err sd_crypto_hmac(struct sd_crypto *c, enum sd_crypto_md md, const uint8_t *key, size_t key_len,
    const struct sd_span *parts, size_t n_parts, uint8_t *out, size_t out_len);

/* AES-128-CMAC (RFC 4493) with a 16-byte key. */
enum sd_err sd_crypto_cmac_aes128(struct sd_crypto *c, const uint8_t key[16],
    const struct sd_span *parts, size_t n_parts, uint8_t out[16]);

/* AES-128-GMAC: the GCM tag of the parts as AAD, no text (MS-SMB2
 * 3.1.4.1 signing), with a 12-byte nonce. */
enum sd_err sd_crypto_gmac_aes128(struct sd_crypto *c, const uint8_t key[16], const uint8_t nonce[12],
    const struct sd_span *parts, size_t n_parts, uint8_t out[16]);

/* RC4 from a fresh key schedule over len bytes; out may equal in.
 * key_len 5..16 (NTLM uses 16, and 5 or 7 for its weak sealing keys). */
enum sd_err sd_crypto_rc4(struct sd_crypto *c, const uint8_t *key, size_t key_len,
    const uint8_t *in, size_t len, uint8_t *out);

#endif
