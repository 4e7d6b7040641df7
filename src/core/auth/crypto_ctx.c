#include "core/auth/crypto_ctx.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

enum crypto_mac {
	CRYPTO_MAC_HMAC,
	CRYPTO_MAC_CMAC,
	CRYPTO_MAC__COUNT
};

struct sd_crypto {
	OSSL_LIB_CTX *lib;
	OSSL_PROVIDER *default_prov;
	OSSL_PROVIDER *legacy_prov;
	bool legacy_failed;      /* do not retry a load that failed */
	EVP_MD *md[SD_MD__COUNT];
	EVP_CIPHER *cipher[SD_CIPHER__COUNT];
	EVP_MAC *mac[CRYPTO_MAC__COUNT];
};

/* Names as OpenSSL 3 knows them; digest names double as HMAC parameters. */
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

static const char *const mac_names[CRYPTO_MAC__COUNT] = {
	[CRYPTO_MAC_HMAC] = "HMAC",
	[CRYPTO_MAC_CMAC] = "CMAC",
};

enum sd_err
sd_crypto_create(struct sd_crypto **out)
{
	struct sd_crypto *c;

	if (out == NULL)
		return SD_ERR_INVALID_ARG;
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return SD_ERR_NOMEM;
	c->lib = OSSL_LIB_CTX_new();
	if (c->lib != NULL)
		c->default_prov = OSSL_PROVIDER_load(c->lib, "default");
	if (c->default_prov == NULL) {
		sd_crypto_free(c);
		return SD_ERR_CRYPTO;
	}
	*out = c;
	return SD_OK;
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
	for (i = 0; i < CRYPTO_MAC__COUNT; i++)
		EVP_MAC_free(c->mac[i]);
	if (c->legacy_prov != NULL)
		OSSL_PROVIDER_unload(c->legacy_prov);
	if (c->default_prov != NULL)
		OSSL_PROVIDER_unload(c->default_prov);
	OSSL_LIB_CTX_free(c->lib);
	free(c);
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
		if (id == SD_CIPHER_RC4 && (err = need_legacy(c)) != SD_OK)
			return err;
		c->cipher[id] = EVP_CIPHER_fetch(c->lib, cipher_names[id], NULL);
		if (c->cipher[id] == NULL)
			return id == SD_CIPHER_RC4 ? SD_ERR_UNSUPPORTED : SD_ERR_CRYPTO;
	}
	*out = c->cipher[id];
	return SD_OK;
}

static enum sd_err
get_mac(struct sd_crypto *c, enum crypto_mac id, EVP_MAC **out)
{
	if (c->mac[id] == NULL) {
		c->mac[id] = EVP_MAC_fetch(c->lib, mac_names[id], NULL);
		if (c->mac[id] == NULL)
			return SD_ERR_CRYPTO;
	}
	*out = c->mac[id];
	return SD_OK;
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

enum sd_err
sd_crypto_digest(struct sd_crypto *c, enum sd_crypto_md md, const struct sd_span *parts, size_t n_parts,
    uint8_t *out, size_t out_len)
{
	EVP_MD *alg;
	EVP_MD_CTX *ctx;
	enum sd_err err;
	unsigned int got = 0;
	size_t i;
	int ok;

	if (out == NULL || !parts_ok(parts, n_parts))
		return SD_ERR_INVALID_ARG;
	if ((err = sd_crypto_get_md(c, md, &alg)) != SD_OK)
		return err;
	if ((size_t)EVP_MD_get_size(alg) != out_len)
		return SD_ERR_INVALID_ARG;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return SD_ERR_NOMEM;
	ok = EVP_DigestInit_ex2(ctx, alg, NULL);
	for (i = 0; ok && i < n_parts; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].p, parts[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &got) && got == out_len;
	EVP_MD_CTX_free(ctx);
	return ok ? SD_OK : SD_ERR_CRYPTO;
}

/* Runs one MAC over the parts into a local buffer, then copies out_len
 * bytes: SMB and NTLM both truncate MACs. */
static enum sd_err
run_mac(EVP_MAC *mac, const OSSL_PARAM *params, const uint8_t *key, size_t key_len,
    const struct sd_span *parts, size_t n_parts, uint8_t *out, size_t out_len)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	EVP_MAC_CTX *ctx;
	size_t got = 0, i;
	int ok;

	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		return SD_ERR_NOMEM;
	ok = EVP_MAC_init(ctx, key, key_len, params);
	for (i = 0; ok && i < n_parts; i++)
		ok = EVP_MAC_update(ctx, parts[i].p, parts[i].len);
	ok = ok && EVP_MAC_final(ctx, full, &got, sizeof(full)) && got >= out_len;
	EVP_MAC_CTX_free(ctx);
	if (ok)
		memcpy(out, full, out_len);
	OPENSSL_cleanse(full, sizeof(full));
	return ok ? SD_OK : SD_ERR_CRYPTO;
}

enum sd_err
sd_crypto_hmac(struct sd_crypto *c, enum sd_crypto_md md, const uint8_t *key, size_t key_len,
    const struct sd_span *parts, size_t n_parts, uint8_t *out, size_t out_len)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	EVP_MD *alg;
	enum sd_err err;

	if (c == NULL || out == NULL || (key == NULL && key_len != 0) || !parts_ok(parts, n_parts) ||
	    (unsigned)md >= SD_MD__COUNT || md == SD_MD_MD4 || out_len == 0)
		return SD_ERR_INVALID_ARG;
	/* Fetching the digest first gives the size check below and makes a
	 * missing digest an error of its own rather than a MAC failure. */
	if ((err = sd_crypto_get_md(c, md, &alg)) != SD_OK)
		return err;
	if (out_len > (size_t)EVP_MD_get_size(alg))
		return SD_ERR_INVALID_ARG;
	if ((err = get_mac(c, CRYPTO_MAC_HMAC, &mac)) != SD_OK)
		return err;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md_names[md], 0);
	params[1] = OSSL_PARAM_construct_end();
	return run_mac(mac, params, key, key_len, parts, n_parts, out, out_len);
}

enum sd_err
sd_crypto_cmac_aes128(struct sd_crypto *c, const uint8_t key[16], const struct sd_span *parts, size_t n_parts,
    uint8_t out[16])
{
	static char cbc[] = "AES-128-CBC";
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	enum sd_err err;

	if (c == NULL || key == NULL || out == NULL || !parts_ok(parts, n_parts))
		return SD_ERR_INVALID_ARG;
	if ((err = get_mac(c, CRYPTO_MAC_CMAC, &mac)) != SD_OK)
		return err;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cbc, 0);
	params[1] = OSSL_PARAM_construct_end();
	return run_mac(mac, params, key, 16, parts, n_parts, out, 16);
}

enum sd_err
sd_crypto_rc4(struct sd_crypto *c, const uint8_t *key, size_t key_len, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx;
	EVP_CIPHER *rc4;
	enum sd_err err;
	int outl = 0, ok;

	if (c == NULL || key == NULL || key_len < 5 || key_len > 16 || len > INT32_MAX ||
	    (len > 0 && (in == NULL || out == NULL)))
		return SD_ERR_INVALID_ARG;
	if ((err = sd_crypto_get_cipher(c, SD_CIPHER_RC4, &rc4)) != SD_OK)
		return err;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return SD_ERR_NOMEM;
	ok = EVP_EncryptInit_ex2(ctx, rc4, NULL, NULL, NULL) &&
	    EVP_CIPHER_CTX_set_key_length(ctx, (int)key_len) &&
	    EVP_EncryptInit_ex2(ctx, NULL, key, NULL, NULL);
	if (ok && len > 0)
		ok = EVP_EncryptUpdate(ctx, out, &outl, in, (int)len) && (size_t)outl == len;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? SD_OK : SD_ERR_CRYPTO;
}
