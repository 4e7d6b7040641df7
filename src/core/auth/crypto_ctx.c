/* OpenSSL 3's low-level primitives (MD4, MD5, SHA-256, SHA-512, RC4, AES
 * and the GCM mode) are deprecated in favour of EVP, but they are still
 * built into libcrypto and are the only way to compute a digest without
 * the provider machinery: the first EVP fetch in a process fills the name
 * map from the whole legacy object database and builds every method of
 * the operation (all digests, all ciphers), ~10 million instructions for
 * the probe's handful of hashes, plus dlopen() of legacy.so for MD4/RC4.
 * That was more than half of a probe's CPU (bench/probe.sh). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "core/auth/crypto_ctx.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/modes.h>
#include <openssl/provider.h>
#include <openssl/sha.h>
#ifndef OPENSSL_NO_MD4
#include <openssl/md4.h>
#endif
#ifndef OPENSSL_NO_RC4
#include <openssl/rc4.h>
#endif

#ifdef OPENSSL_NO_DEPRECATED_3_0
#error "smbdiag needs libcrypto's low-level digest/RC4/AES functions (OpenSSL built without no-deprecated)"
#endif

struct sd_crypto {
	/* EVP side, created on first use (the AEAD ciphers of SMB3 encryption,
	 * and callers that ask for EVP objects): see the cost above. */
	OSSL_LIB_CTX *lib;
	OSSL_PROVIDER *default_prov;
	OSSL_PROVIDER *legacy_prov;
	bool lib_failed;         /* do not retry a context that failed */
	bool legacy_failed;      /* do not retry a load that failed */
	EVP_MD *md[SD_MD__COUNT];
	EVP_CIPHER *cipher[SD_CIPHER__COUNT];
};

/* Names as OpenSSL 3 knows them. */
static const char *const md_names[SD_MD__COUNT] = {
	[SD_MD_MD4] = "MD4",
	[SD_MD_MD5] = "MD5",
	[SD_MD_SHA256] = "SHA256",
	[SD_MD_SHA512] = "SHA512",
};

static const char *const cipher_names[SD_CIPHER__COUNT] = {
	[SD_CIPHER_RC4] = "RC4",
	[SD_CIPHER_AES128_CCM] = "AES-128-CCM",
	[SD_CIPHER_AES128_GCM] = "AES-128-GCM",
	[SD_CIPHER_AES256_CCM] = "AES-256-CCM",
	[SD_CIPHER_AES256_GCM] = "AES-256-GCM",
};

enum sd_err
sd_crypto_create(struct sd_crypto **out)
{
	if (out == NULL)
		return SD_ERR_INVALID_ARG;
	*out = calloc(1, sizeof(**out));
	return *out == NULL ? SD_ERR_NOMEM : SD_OK;
}

void
sd_crypto_free(struct sd_crypto *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < SD_MD__COUNT; i++)
		EVP_MD_free(c->md[i]);
	for (i = 0; i < SD_CIPHER__COUNT; i++)
		EVP_CIPHER_free(c->cipher[i]);
	if (c->legacy_prov != NULL)
		OSSL_PROVIDER_unload(c->legacy_prov);
	if (c->default_prov != NULL)
		OSSL_PROVIDER_unload(c->default_prov);
	OSSL_LIB_CTX_free(c->lib);
	free(c);
}

/* --- EVP objects (private library context) --------------------------
 * A private OSSL_LIB_CTX keeps the process-wide default context (libkrb5's)
 * untouched by the legacy provider, and theirs from ours. */

static enum sd_err
need_lib(struct sd_crypto *c)
{
	if (c->lib != NULL)
		return SD_OK;
	if (c->lib_failed)
		return SD_ERR_CRYPTO;
	c->lib = OSSL_LIB_CTX_new();
	if (c->lib != NULL)
		c->default_prov = OSSL_PROVIDER_load(c->lib, "default");
	if (c->default_prov == NULL) {
		OSSL_LIB_CTX_free(c->lib);
		c->lib = NULL;
		c->lib_failed = true;
		return SD_ERR_CRYPTO;
	}
	return SD_OK;
}

/* A failed load must not leave errors in the thread's OpenSSL queue for
 * unrelated code (libkrb5) to trip over: the mark brackets the attempt. */
static enum sd_err
need_legacy(struct sd_crypto *c)
{
	if (c->legacy_prov != NULL)
		return SD_OK;
	if (c->legacy_failed)
		return SD_ERR_UNSUPPORTED;
	ERR_set_mark();
	c->legacy_prov = OSSL_PROVIDER_load(c->lib, "legacy");
	if (c->legacy_prov == NULL) {
		ERR_pop_to_mark();
		c->legacy_failed = true;
		return SD_ERR_UNSUPPORTED;
	}
	ERR_clear_last_mark();
	return SD_OK;
}

enum sd_err
sd_crypto_get_md(struct sd_crypto *c, enum sd_crypto_md id, EVP_MD **out)
{
	enum sd_err err;

	if (c == NULL || out == NULL || (unsigned)id >= SD_MD__COUNT)
		return SD_ERR_INVALID_ARG;
	if (c->md[id] == NULL) {
		if ((err = need_lib(c)) != SD_OK)
			return err;
		if (id == SD_MD_MD4 && (err = need_legacy(c)) != SD_OK)
			return err;
		c->md[id] = EVP_MD_fetch(c->lib, md_names[id], NULL);
		if (c->md[id] == NULL)
			return id == SD_MD_MD4 ? SD_ERR_UNSUPPORTED : SD_ERR_CRYPTO;
	}
	*out = c->md[id];
	return SD_OK;
}

enum sd_err
sd_crypto_get_cipher(struct sd_crypto *c, enum sd_crypto_cipher id, EVP_CIPHER **out)
{
	enum sd_err err;

	if (c == NULL || out == NULL || (unsigned)id >= SD_CIPHER__COUNT)
		return SD_ERR_INVALID_ARG;
	if (c->cipher[id] == NULL) {
		if ((err = need_lib(c)) != SD_OK)
			return err;
		if (id == SD_CIPHER_RC4 && (err = need_legacy(c)) != SD_OK)
			return err;
		c->cipher[id] = EVP_CIPHER_fetch(c->lib, cipher_names[id], NULL);
		if (c->cipher[id] == NULL)
			return id == SD_CIPHER_RC4 ? SD_ERR_UNSUPPORTED : SD_ERR_CRYPTO;
	}
	*out = c->cipher[id];
	return SD_OK;
}

/* --- digests (low-level) --------------------------------------------- */

union md_state {
#ifndef OPENSSL_NO_MD4
	MD4_CTX md4;
#endif
	MD5_CTX md5;
	SHA256_CTX sha256;
	SHA512_CTX sha512;
};

static size_t
md_size(enum sd_crypto_md md)
{
	static const size_t sizes[SD_MD__COUNT] = {
		[SD_MD_MD4] = 16, [SD_MD_MD5] = 16, [SD_MD_SHA256] = 32, [SD_MD_SHA512] = 64,
	};

	return sizes[md];
}

static size_t
md_block_size(enum sd_crypto_md md)
{
	return md == SD_MD_SHA512 ? SHA512_CBLOCK : 64;
}

/* The low-level functions return 1 and cannot fail on valid state. */
static bool
md_init(enum sd_crypto_md md, union md_state *s)
{
	switch (md) {
#ifndef OPENSSL_NO_MD4
	case SD_MD_MD4:
		return MD4_Init(&s->md4) == 1;
#endif
	case SD_MD_MD5:
		return MD5_Init(&s->md5) == 1;
	case SD_MD_SHA256:
		return SHA256_Init(&s->sha256) == 1;
	case SD_MD_SHA512:
		return SHA512_Init(&s->sha512) == 1;
	default:
		return false;
	}
}

static bool
md_update(enum sd_crypto_md md, union md_state *s, const void *p, size_t len)
{
	if (len == 0)
		return true;
	switch (md) {
#ifndef OPENSSL_NO_MD4
	case SD_MD_MD4:
		return MD4_Update(&s->md4, p, len) == 1;
#endif
	case SD_MD_MD5:
		return MD5_Update(&s->md5, p, len) == 1;
	case SD_MD_SHA256:
		return SHA256_Update(&s->sha256, p, len) == 1;
	case SD_MD_SHA512:
		return SHA512_Update(&s->sha512, p, len) == 1;
	default:
		return false;
	}
}

static bool
md_final(enum sd_crypto_md md, union md_state *s, uint8_t *out)
{
	bool ok;

	switch (md) {
#ifndef OPENSSL_NO_MD4
	case SD_MD_MD4:
		ok = MD4_Final(out, &s->md4) == 1;
		break;
#endif
	case SD_MD_MD5:
		ok = MD5_Final(out, &s->md5) == 1;
		break;
	case SD_MD_SHA256:
		ok = SHA256_Final(out, &s->sha256) == 1;
		break;
	case SD_MD_SHA512:
		ok = SHA512_Final(out, &s->sha512) == 1;
		break;
	default:
		ok = false;
	}
	OPENSSL_cleanse(s, sizeof(*s));
	return ok;
}

static bool
parts_ok(const struct sd_span *parts, size_t n_parts)
{
	size_t i;

	if (n_parts > 0 && parts == NULL)
		return false;
	for (i = 0; i < n_parts; i++)
		if (parts[i].p == NULL && parts[i].len != 0)
			return false;
	return true;
}

static bool
md_parts(enum sd_crypto_md md, union md_state *s, const struct sd_span *parts, size_t n_parts)
{
	size_t i;
	bool ok = true;

	for (i = 0; ok && i < n_parts; i++)
		ok = md_update(md, s, parts[i].p, parts[i].len);
	return ok;
}

enum sd_err
sd_crypto_digest(struct sd_crypto *c, enum sd_crypto_md md, const struct sd_span *parts, size_t n_parts,
    uint8_t *out, size_t out_len)
{
	union md_state s;

	if (c == NULL || out == NULL || !parts_ok(parts, n_parts) || (unsigned)md >= SD_MD__COUNT)
		return SD_ERR_INVALID_ARG;
#ifdef OPENSSL_NO_MD4
	if (md == SD_MD_MD4)
		return SD_ERR_UNSUPPORTED;
#endif
	if (md_size(md) != out_len)
		return SD_ERR_INVALID_ARG;
	if (!md_init(md, &s) || !md_parts(md, &s, parts, n_parts) || !md_final(md, &s, out))
		return SD_ERR_CRYPTO;
	return SD_OK;
}

/* HMAC (RFC 2104) over the low-level digests: libcrypto offers HMAC only
 * through EVP_MAC, i.e. the provider machinery the top of this file
 * avoids; the construction is two nested hashes. */
enum sd_err
sd_crypto_hmac(struct sd_crypto *c, enum sd_crypto_md md, const uint8_t *key, size_t key_len,
    const struct sd_span *parts, size_t n_parts, uint8_t *out, size_t out_len)
{
	uint8_t pad[SHA512_CBLOCK], inner[SHA512_DIGEST_LENGTH];
	size_t block, size, i;
	union md_state s;
	bool ok;

	if (c == NULL || out == NULL || (key == NULL && key_len != 0) || !parts_ok(parts, n_parts) ||
	    (unsigned)md >= SD_MD__COUNT || md == SD_MD_MD4 || out_len == 0)
		return SD_ERR_INVALID_ARG;
	size = md_size(md);
	block = md_block_size(md);
	if (out_len > size)
		return SD_ERR_INVALID_ARG;
	/* K0: the key, hashed first when longer than a block, zero-padded. */
	memset(pad, 0, sizeof(pad));
	if (key_len > block) {
		ok = md_init(md, &s) && md_update(md, &s, key, key_len) && md_final(md, &s, pad);
		if (!ok)
			return SD_ERR_CRYPTO;
	} else if (key_len > 0) {
		memcpy(pad, key, key_len);
	}
	for (i = 0; i < block; i++)
		pad[i] ^= 0x36;
	ok = md_init(md, &s) && md_update(md, &s, pad, block) && md_parts(md, &s, parts, n_parts) &&
	    md_final(md, &s, inner);
	for (i = 0; i < block; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	ok = ok && md_init(md, &s) && md_update(md, &s, pad, block) && md_update(md, &s, inner, size) &&
	    md_final(md, &s, inner);
	if (ok)
		memcpy(out, inner, out_len);
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
	OPENSSL_cleanse(&s, sizeof(s));
	return ok ? SD_OK : SD_ERR_CRYPTO;
}

/* --- AES-CMAC and AES-GMAC (low-level AES) --------------------------- */

/* Doubling in GF(2^128) (RFC 4493 2.3): the CMAC subkeys. */
static void
gf128_double(const uint8_t in[16], uint8_t out[16])
{
	uint8_t carry = in[0] >> 7;
	int i;

	for (i = 0; i < 15; i++)
		out[i] = (uint8_t)(in[i] << 1 | in[i + 1] >> 7);
	out[15] = (uint8_t)(in[15] << 1 ^ (carry ? 0x87 : 0));
}

static void
xor_block(uint8_t *x, const uint8_t *y)
{
	int i;

	for (i = 0; i < 16; i++)
		x[i] ^= y[i];
}

/* CMAC (RFC 4493): like HMAC, libcrypto has it only as an EVP_MAC; this is
 * CBC-MAC with the last block masked by a subkey, on libcrypto's AES. */
enum sd_err
sd_crypto_cmac_aes128(struct sd_crypto *c, const uint8_t key[16], const struct sd_span *parts, size_t n_parts,
    uint8_t out[16])
{
	uint8_t x[16] = {0}, last[16], sub[16];
	size_t i, n = 0, off;
	AES_KEY ks;

	if (c == NULL || key == NULL || out == NULL || !parts_ok(parts, n_parts))
		return SD_ERR_INVALID_ARG;
	if (AES_set_encrypt_key(key, 128, &ks) != 0)
		return SD_ERR_CRYPTO;
	/* last holds the n (1..16) bytes not yet chained: the final block
	 * must be known as final before it is processed. */
	for (i = 0; i < n_parts; i++) {
		for (off = 0; off < parts[i].len;) {
			size_t take;

			if (n == 16) {
				xor_block(x, last);
				AES_encrypt(x, x, &ks);
				n = 0;
			}
			take = parts[i].len - off < 16 - n ? parts[i].len - off : 16 - n;
			memcpy(last + n, parts[i].p + off, take);
			n += take;
			off += take;
		}
	}
	memset(sub, 0, sizeof(sub));
	AES_encrypt(sub, sub, &ks);           /* L = AES(0) */
	gf128_double(sub, sub);               /* K1 */
	if (n < 16) {
		gf128_double(sub, sub);       /* K2, for a padded block */
		last[n] = 0x80;
		memset(last + n + 1, 0, 16 - n - 1);
	}
	xor_block(last, sub);
	xor_block(x, last);
	AES_encrypt(x, out, &ks);
	OPENSSL_cleanse(&ks, sizeof(ks));
	OPENSSL_cleanse(sub, sizeof(sub));
	OPENSSL_cleanse(last, sizeof(last));
	OPENSSL_cleanse(x, sizeof(x));
	return SD_OK;
}

enum sd_err
sd_crypto_gmac_aes128(struct sd_crypto *c, const uint8_t key[16], const uint8_t nonce[12],
    const struct sd_span *parts, size_t n_parts, uint8_t out[16])
{
	GCM128_CONTEXT *gcm;
	enum sd_err err = SD_OK;
	AES_KEY ks;
	size_t i;

	if (c == NULL || key == NULL || nonce == NULL || out == NULL || !parts_ok(parts, n_parts))
		return SD_ERR_INVALID_ARG;
	if (AES_set_encrypt_key(key, 128, &ks) != 0)
		return SD_ERR_CRYPTO;
	gcm = CRYPTO_gcm128_new(&ks, (block128_f)AES_encrypt);
	if (gcm == NULL) {
		OPENSSL_cleanse(&ks, sizeof(ks));
		return SD_ERR_NOMEM;
	}
	CRYPTO_gcm128_setiv(gcm, nonce, 12);
	for (i = 0; err == SD_OK && i < n_parts; i++)
		if (parts[i].len > 0 && CRYPTO_gcm128_aad(gcm, parts[i].p, parts[i].len) != 0)
			err = SD_ERR_CRYPTO;   /* over 2^61 bytes of AAD */
	if (err == SD_OK)
		CRYPTO_gcm128_tag(gcm, out, 16);
	CRYPTO_gcm128_release(gcm);     /* cleanses the context */
	OPENSSL_cleanse(&ks, sizeof(ks));
	return err;
}

/* --- RC4 (low-level) -------------------------------------------------- */

enum sd_err
sd_crypto_rc4(struct sd_crypto *c, const uint8_t *key, size_t key_len, const uint8_t *in, size_t len, uint8_t *out)
{
	if (c == NULL || key == NULL || key_len < 5 || key_len > 16 || len > INT32_MAX ||
	    (len > 0 && (in == NULL || out == NULL)))
		return SD_ERR_INVALID_ARG;
#ifdef OPENSSL_NO_RC4
	return SD_ERR_UNSUPPORTED;
#else
	{
		RC4_KEY ks;

		RC4_set_key(&ks, (int)key_len, key);
		if (len > 0)
			RC4(&ks, len, in, out);
		OPENSSL_cleanse(&ks, sizeof(ks));
	}
	return SD_OK;
#endif
}
