/* The libcrypto handle of smbdiag: a private OpenSSL 3 library context and
 * the algorithms fetched from it, plus one-shot helpers (digest, HMAC,
 * AES-CMAC, RC4) shared by ntlm_crypto.c and smb_crypto.c.
 *
 * Choice for MD4 and RC4 (NTLM needs both; OpenSSL 3 moved them to the
 * "legacy" provider): we load the legacy provider, next to the default
 * one, into a private OSSL_LIB_CTX instead of carrying our own MD4/RC4.
 *  - No hand-written crypto to audit; OpenSSL's MD4/RC4 are the ones the
 *    rest of the world tests.
 *  - The process-wide default context stays untouched, so libkrb5 (GSSAPI)
 *    and anything else in the process keep the providers and policy their
 *    configuration gives them, and nothing of ours leaks into theirs.
 *  - openssl.cnf's provider and policy settings apply to the default
 *    context only (libcrypto still reads the file once per process for
 *    it; we do not suppress that, it is process-wide state): a system
 *    policy that drops the legacy provider must not stop a diagnostic tool
 *    from computing what the peers compute anyway.
 *  - Where legacy.so is missing (stripped or FIPS builds) only the NTLM
 *    functions fail, with SD_ERR_UNSUPPORTED; SMB signing, KDF and
 *    encryption keep working.
 *
 * Everything is lazy: the context is created with the built-in default
 * provider only; legacy.so is loaded the first time MD4 or RC4 is needed,
 * and each algorithm is fetched once, on first use, then reused.
 * Because of that lazy caching a struct sd_crypto is NOT thread-safe: give
 * each thread (or each event loop) its own, or serialize the calls.
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
	SD_MD_MD4,     /* legacy provider */
	SD_MD_MD5,
	SD_MD_SHA256,
	SD_MD_SHA512,
	SD_MD__COUNT
};

enum sd_crypto_cipher {
	SD_CIPHER_RC4,          /* legacy provider */
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

/* RC4 from a fresh key schedule over len bytes; out may equal in.
 * key_len 5..16 (NTLM uses 16, and 5 or 7 for its weak sealing keys). */
enum sd_err sd_crypto_rc4(struct sd_crypto *c, const uint8_t *key, size_t key_len,
    const uint8_t *in, size_t len, uint8_t *out);

#endif
