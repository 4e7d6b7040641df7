#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/auth/smb_crypto.h"
#include "core/wire/cursor.h"
#include "vector_file.h"

#define PREAUTH "smb311-preauth-keys.txt"
#define REGRESSION "regression-crypto.txt"

static int
setup(void **state)
{
	struct sd_crypto *c = NULL;

	if (sd_crypto_create(&c) != SD_OK)
		return -1;
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	sd_crypto_free(*state);
	return 0;
}

static uint64_t
load_u64be(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A heap copy, so ASan sees any read past the end. */
static uint8_t *
dup_bytes(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len ? len : 1);

	assert_non_null(q);
	memcpy(q, p, len);
	return q;
}

static void
aes_cmac_rfc4493(void **state)
{
	struct sd_crypto *c = *state;
	static const size_t lens[] = {0, 16, 40, 64};
	static const char *const names[] = {"mac_0", "mac_16", "mac_40", "mac_64"};
	struct vec_file v;
	struct sd_span part;
	uint8_t mac[16];
	size_t i;

	vec_load(&v, "rfc4493-aes-cmac.txt");
	for (i = 0; i < 4; i++) {
		part.p = vec_get_n(&v, "message", 64);
		part.len = lens[i];
		assert_int_equal(sd_crypto_cmac_aes128(c, vec_get_n(&v, "key", 16), &part, 1, mac), SD_OK);
		assert_memory_equal(mac, vec_get_n(&v, names[i], 16), 16);
	}
	vec_free(&v);
}

static void
preauth_chain(struct sd_crypto *c, const struct vec_file *v, const char *prefix, uint8_t session[64])
{
	static const char *const msgs[] = {"negotiate_req", "negotiate_rsp", "setup_req1", "setup_rsp1", "setup_req2"};
	static const char *const hashes[] = {"h1", "h2", "h3", "h4", "h5"};
	uint8_t conn[64];
	char name[64];
	const uint8_t *m;
	size_t i, len;

	smb311_preauth_init(conn);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "%s%s", prefix, msgs[i]);
		m = vec_get(v, name, &len);
		if (i == 2)
			smb311_preauth_session_start(session, conn);
		assert_int_equal(smb311_preauth_update(c, i < 2 ? conn : session, m, len), SD_OK);
		snprintf(name, sizeof(name), "%s%s", prefix, hashes[i]);
		assert_memory_equal(i < 2 ? conn : session, vec_get_n(v, name, 64), 64);
	}
}

static void
smb311_preauth_keys_and_final_signature(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file v;
	struct smb3_keys k;
	uint8_t h[64], sig[16];
	const uint8_t *rsp;
	size_t rsp_len;

	vec_load(&v, PREAUTH);
	preauth_chain(c, &v, "", h);
	assert_true(smb311_preauth_session_hashes(false, 0));
	assert_true(smb311_preauth_session_hashes(true, 0xC0000016u));
	assert_false(smb311_preauth_session_hashes(true, 0));
	assert_false(smb311_preauth_session_hashes(true, 0xC000006Du));

	assert_int_equal(smb3_derive_keys(c, 0x0311, SMB3_CIPHER_AES128_GCM, vec_get_n(&v, "session_key", 16), 16, h,
	    &k), SD_OK);
	assert_memory_equal(k.signing, vec_get_n(&v, "signing_key", 16), 16);
	assert_memory_equal(k.application, vec_get_n(&v, "application_key", 16), 16);
	assert_int_equal(k.cipher_key_len, 16);
	assert_memory_equal(k.c2s, vec_get_n(&v, "encryption_key", 16), 16);
	assert_memory_equal(k.s2c, vec_get_n(&v, "decryption_key", 16), 16);

	rsp = vec_get(&v, "setup_rsp2", &rsp_len);
	assert_int_equal(smb2_signature(c, SMB2_SIGN_AES_CMAC, k.signing, 16, rsp, rsp_len, sig), SD_OK);
	assert_memory_equal(sig, vec_get_n(&v, "final_signature", 16), 16);
	assert_memory_equal(rsp + SMB2_SIG_OFFSET, sig, 16);
	assert_int_equal(smb2_verify(c, SMB2_SIGN_AES_CMAC, k.signing, 16, rsp, rsp_len), SD_OK);
	/* Signed with the wrong key (the session key itself) it fails. */
	assert_int_equal(smb2_verify(c, SMB2_SIGN_AES_CMAC, vec_get_n(&v, "session_key", 16), 16, rsp, rsp_len),
	    SD_ERR_VERIFY);
	vec_free(&v);
}

static void
smb311_binding_channel(void **state)
{
	struct sd_crypto *c = *state;
	static const char *const master_signed[] = {"bind_setup_req1", "bind_setup_rsp1", "bind_setup_req2"};
	struct vec_file v;
	struct smb3_keys k;
	uint8_t h[64];
	const uint8_t *m;
	size_t i, len;

	vec_load(&v, PREAUTH);
	preauth_chain(c, &v, "bind_", h);
	for (i = 0; i < 3; i++) {
		m = vec_get(&v, master_signed[i], &len);
		assert_int_equal(smb2_verify(c, SMB2_SIGN_AES_CMAC, vec_get_n(&v, "signing_key", 16), 16, m, len), SD_OK);
	}
	assert_int_equal(smb3_derive_keys(c, 0x0311, SMB3_CIPHER_AES128_GCM, vec_get_n(&v, "bind_session_key", 16), 16,
	    h, &k), SD_OK);
	assert_memory_equal(k.signing, vec_get_n(&v, "bind_channel_signing_key", 16), 16);
	m = vec_get(&v, "bind_setup_rsp2", &len);
	assert_int_equal(smb2_verify(c, SMB2_SIGN_AES_CMAC, k.signing, 16, m, len), SD_OK);
	assert_int_equal(smb2_verify(c, SMB2_SIGN_AES_CMAC, vec_get_n(&v, "signing_key", 16), 16, m, len),
	    SD_ERR_VERIFY);
	vec_free(&v);
}

static void
smb30_kdf(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file v;
	struct smb3_keys k;

	vec_load(&v, "smb30-kdf.txt");
	assert_int_equal(smb3_derive_keys(c, 0x0300, SMB3_CIPHER_NONE, vec_get_n(&v, "session_key", 16), 16, NULL, &k),
	    SD_OK);
	assert_memory_equal(k.signing, vec_get_n(&v, "signing_key", 16), 16);
	assert_memory_equal(k.c2s, vec_get_n(&v, "encryption_key", 16), 16);
	assert_memory_equal(k.s2c, vec_get_n(&v, "decryption_key", 16), 16);
	assert_memory_equal(k.application, vec_get_n(&v, "application_key", 16), 16);
	assert_int_equal(smb3_derive_keys(c, 0x0302, SMB3_CIPHER_AES128_CCM, vec_get_n(&v, "channel_session_key", 16),
	    16, NULL, &k), SD_OK);
	assert_memory_equal(k.signing, vec_get_n(&v, "channel_signing_key", 16), 16);
	/* 3.0.x knows only AES-128-CCM; 3.1.1 needs the preauth hash. */
	assert_int_equal(smb3_derive_keys(c, 0x0300, SMB3_CIPHER_AES128_GCM, vec_get_n(&v, "session_key", 16), 16,
	    NULL, &k), SD_ERR_INVALID_ARG);
	assert_int_equal(smb3_derive_keys(c, 0x0311, SMB3_CIPHER_AES128_GCM, vec_get_n(&v, "session_key", 16), 16,
	    NULL, &k), SD_ERR_INVALID_ARG);
	assert_int_equal(smb3_derive_keys(c, 0x0312, SMB3_CIPHER_NONE, vec_get_n(&v, "session_key", 16), 16, NULL, &k),
	    SD_ERR_INVALID_ARG);
	assert_int_equal(smb3_derive_keys(c, 0x0300, (enum smb3_cipher)5, vec_get_n(&v, "session_key", 16), 16, NULL,
	    &k), SD_ERR_INVALID_ARG);
	/* 2.x: no KDF, the (zero-padded) session key signs. */
	assert_int_equal(smb3_derive_keys(c, 0x0210, SMB3_CIPHER_NONE, vec_get_n(&v, "session_key", 16), 8, NULL, &k),
	    SD_OK);
	assert_memory_equal(k.signing, vec_get_n(&v, "session_key", 16), 8);
	assert_int_equal(k.signing[8] | k.signing[15], 0);
	assert_int_equal(k.cipher_key_len, 0);
	vec_free(&v);
}

/* Official transform vectors: unseal both directions, and sealing the
 * plaintext with the same nonce reproduces the message byte for byte. */
static void
check_official_encryption(struct sd_crypto *c, const char *file, uint16_t dialect, enum smb3_cipher cipher,
    size_t nonce_len)
{
	struct vec_file v;
	struct smb3_keys k;
	uint8_t out[512];
	const uint8_t *plain, *msg;
	size_t plain_len, msg_len, out_len = 0;
	uint64_t sid = 0;

	vec_load(&v, file);
	assert_int_equal(smb3_derive_keys(c, dialect, cipher, vec_get_n(&v, "session_key", 16), 16,
	    dialect == 0x0311 ? vec_get_n(&v, "preauth_hash", 64) : NULL, &k), SD_OK);
	assert_memory_equal(k.c2s, vec_get_n(&v, "encryption_key", 16), 16);
	assert_memory_equal(k.s2c, vec_get_n(&v, "decryption_key", 16), 16);

	msg = vec_get(&v, "c2s_transform", &msg_len);
	plain = vec_get(&v, "c2s_plaintext", &plain_len);
	assert_int_equal(smb3_transform_session_id(msg, msg_len, &sid), SD_OK);
	assert_true(sid == load_u64be(vec_get_n(&v, "session_id", 8)));
	assert_int_equal(smb3_transform_unseal(c, cipher, k.c2s, 16, msg, msg_len, out, sizeof(out), &out_len), SD_OK);
	assert_int_equal(out_len, plain_len);
	assert_memory_equal(out, plain, plain_len);
	assert_int_equal(smb3_transform_seal(c, cipher, k.c2s, 16, msg + 20, nonce_len, sid, plain, plain_len, out,
	    sizeof(out), &out_len), SD_OK);
	assert_int_equal(out_len, msg_len);
	assert_memory_equal(out, msg, msg_len);

	msg = vec_get(&v, "s2c_transform", &msg_len);
	plain = vec_get(&v, "s2c_plaintext", &plain_len);
	assert_int_equal(smb3_transform_unseal(c, cipher, k.s2c, 16, msg, msg_len, out, sizeof(out), &out_len), SD_OK);
	assert_int_equal(out_len, plain_len);
	assert_memory_equal(out, plain, plain_len);
	/* The other direction's key does not open it. */
	assert_int_equal(smb3_transform_unseal(c, cipher, k.c2s, 16, msg, msg_len, out, sizeof(out), &out_len),
	    SD_ERR_VERIFY);
	vec_free(&v);
}

static void
smb30_ccm_encryption(void **state)
{
	/* Windows 8 filled all 16 nonce bytes; they are all in the AAD. */
	check_official_encryption(*state, "smb30-ccm-encryption.txt", 0x0300, SMB3_CIPHER_AES128_CCM, 16);
}

static void
smb311_gcm_encryption(void **state)
{
	check_official_encryption(*state, "smb311-gcm-encryption.txt", 0x0311, SMB3_CIPHER_AES128_GCM, 12);
}

static void
regression_signatures(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file p, r;
	uint8_t sig[16];
	const uint8_t *m, *key, *skey;
	size_t len;

	vec_load(&p, PREAUTH);
	vec_load(&r, REGRESSION);
	key = vec_get_n(&p, "signing_key", 16);
	skey = vec_get_n(&p, "session_key", 16);
	m = vec_get(&p, "setup_rsp2", &len);
	assert_int_equal(smb2_signature(c, SMB2_SIGN_HMAC_SHA256, skey, 16, m, len, sig), SD_OK);
	assert_memory_equal(sig, vec_get_n(&r, "hmac_sig_setup_rsp2", 16), 16);
	assert_int_equal(smb2_signature(c, SMB2_SIGN_AES_GMAC, key, 16, m, len, sig), SD_OK);
	assert_memory_equal(sig, vec_get_n(&r, "gmac_sig_setup_rsp2", 16), 16);
	m = vec_get(&p, "bind_setup_req1", &len);
	assert_int_equal(smb2_signature(c, SMB2_SIGN_AES_GMAC, key, 16, m, len, sig), SD_OK);
	assert_memory_equal(sig, vec_get_n(&r, "gmac_sig_bind_setup_req1", 16), 16);
	m = vec_get(&r, "cancel_request", &len);
	assert_int_equal(smb2_signature(c, SMB2_SIGN_AES_GMAC, key, 16, m, len, sig), SD_OK);
	assert_memory_equal(sig, vec_get_n(&r, "gmac_sig_cancel_request", 16), 16);
	vec_free(&p);
	vec_free(&r);
}

static void
sign_sets_flag_and_round_trips(void **state)
{
	struct sd_crypto *c = *state;
	static const enum smb2_sign_alg algs[] = {SMB2_SIGN_HMAC_SHA256, SMB2_SIGN_AES_CMAC, SMB2_SIGN_AES_GMAC};
	struct vec_file p;
	uint8_t *m;
	const uint8_t *orig, *key;
	size_t len, i, bit;

	vec_load(&p, PREAUTH);
	key = vec_get_n(&p, "signing_key", 16);
	orig = vec_get(&p, "setup_rsp2", &len);
	m = dup_bytes(orig, len);
	/* Clear SIGNED and the signature: signing restores the original. */
	m[16] &= (uint8_t)~0x08;
	memset(m + SMB2_SIG_OFFSET, 0, 16);
	assert_int_equal(smb2_sign(c, SMB2_SIGN_AES_CMAC, key, 16, m, len), SD_OK);
	assert_memory_equal(m, orig, len);
	for (i = 0; i < 3; i++) {
		assert_int_equal(smb2_sign(c, algs[i], key, 16, m, len), SD_OK);
		assert_int_equal(smb2_verify(c, algs[i], key, 16, m, len), SD_OK);
		/* Any flipped bit, inside the signature or not, fails. */
		for (bit = 0; bit < len * 8; bit += 37) {
			m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_not_equal(smb2_verify(c, algs[i], key, 16, m, len), SD_OK);
			m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		assert_int_equal(smb2_verify(c, algs[i], key, 16, m, len - 1), SD_ERR_VERIFY);
	}
	/* Every truncation below a header, a foreign magic, bad keys. */
	for (i = 0; i < 64; i++)
		assert_int_equal(smb2_verify(c, SMB2_SIGN_AES_CMAC, key, 16, m, i), SD_ERR_TRUNCATED);
	assert_int_equal(smb2_verify(c, SMB2_SIGN_AES_CMAC, key, 15, m, len), SD_ERR_INVALID_ARG);
	assert_int_equal(smb2_verify(c, SMB2_SIGN_AES_GMAC, key, 32, m, len), SD_ERR_INVALID_ARG);
	assert_int_equal(smb2_verify(c, (enum smb2_sign_alg)3, key, 16, m, len), SD_ERR_INVALID_ARG);
	m[0] = 0xFD;
	assert_int_equal(smb2_sign(c, SMB2_SIGN_AES_CMAC, key, 16, m, len), SD_ERR_PROTOCOL_ID);
	free(m);
	vec_free(&p);
}

static void
compound_chains(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file p, r;
	uint8_t *m;
	const uint8_t *unsigned_chain;
	size_t len, elem = 0;

	vec_load(&p, PREAUTH);
	vec_load(&r, REGRESSION);
	unsigned_chain = vec_get(&r, "chain_unsigned", &len);
	m = dup_bytes(unsigned_chain, len);
	assert_int_equal(smb2_chain_element(m, len, 0, &elem), SD_OK);
	assert_int_equal(elem, 72);
	assert_int_equal(smb2_chain_element(m, len, 72, &elem), SD_OK);
	assert_int_equal(elem, len - 72);
	assert_int_equal(smb2_sign_chain(c, SMB2_SIGN_HMAC_SHA256, vec_get_n(&p, "session_key", 16), 16, m, len),
	    SD_OK);
	assert_memory_equal(m, vec_get_n(&r, "chain_hmac_signed", len), len);
	assert_int_equal(smb2_verify_chain(c, SMB2_SIGN_HMAC_SHA256, vec_get_n(&p, "session_key", 16), 16, m, len),
	    SD_OK);
	/* The padding of the first element is covered by its signature. */
	m[69] ^= 1;
	assert_int_equal(smb2_verify_chain(c, SMB2_SIGN_HMAC_SHA256, vec_get_n(&p, "session_key", 16), 16, m, len),
	    SD_ERR_VERIFY);
	memcpy(m, unsigned_chain, len);
	assert_int_equal(smb2_sign_chain(c, SMB2_SIGN_AES_GMAC, vec_get_n(&p, "signing_key", 16), 16, m, len), SD_OK);
	assert_memory_equal(m, vec_get_n(&r, "chain_gmac_signed", len), len);

	/* Bad NextCommand values: below a header, unaligned, past the end,
	 * leaving no room for the next header. */
	sd_store_u32le(m + 20, 56);
	assert_int_equal(smb2_chain_element(m, len, 0, &elem), SD_ERR_BAD_OFFSET);
	sd_store_u32le(m + 20, 68);
	assert_int_equal(smb2_chain_element(m, len, 0, &elem), SD_ERR_BAD_OFFSET);
	sd_store_u32le(m + 20, 0xFFFFFFF8u);
	assert_int_equal(smb2_chain_element(m, len, 0, &elem), SD_ERR_BAD_OFFSET);
	sd_store_u32le(m + 20, 80);
	assert_int_equal(smb2_chain_element(m, len, 0, &elem), SD_ERR_BAD_OFFSET);
	assert_int_equal(smb2_sign_chain(c, SMB2_SIGN_AES_GMAC, vec_get_n(&p, "signing_key", 16), 16, m, len),
	    SD_ERR_BAD_OFFSET);
	assert_int_equal(smb2_chain_element(m, len, len - 63, &elem), SD_ERR_TRUNCATED);
	assert_int_equal(smb2_chain_element(m, len, len + 1, &elem), SD_ERR_INVALID_ARG);
	free(m);
	vec_free(&p);
	vec_free(&r);
}

static void
aes256_keys_use_full_session_key(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file p, r;
	struct smb3_keys k;
	uint8_t h[64];

	vec_load(&p, PREAUTH);
	vec_load(&r, REGRESSION);
	memcpy(h, vec_get_n(&p, "h5", 64), 64);
	assert_int_equal(smb3_derive_keys(c, 0x0311, SMB3_CIPHER_AES256_GCM, vec_get_n(&p, "session_key", 16), 16, h,
	    &k), SD_OK);
	assert_int_equal(k.cipher_key_len, 32);
	assert_memory_equal(k.c2s, vec_get_n(&r, "aes256_c2s_key", 32), 32);
	assert_memory_equal(k.s2c, vec_get_n(&r, "aes256_s2c_key", 32), 32);
	/* The signing key does not depend on the cipher. */
	assert_memory_equal(k.signing, vec_get_n(&p, "signing_key", 16), 16);
	assert_int_equal(smb3_derive_keys(c, 0x0311, SMB3_CIPHER_AES256_CCM, vec_get_n(&r, "full_session_key", 32), 32,
	    h, &k), SD_OK);
	assert_memory_equal(k.signing, vec_get_n(&r, "full_signing_key", 16), 16);
	assert_memory_equal(k.application, vec_get_n(&r, "full_application_key", 16), 16);
	assert_memory_equal(k.c2s, vec_get_n(&r, "full_c2s_key", 32), 32);
	assert_memory_equal(k.s2c, vec_get_n(&r, "full_s2c_key", 32), 32);
	/* With an AES-128 cipher the same key is cut to its first 16 bytes. */
	assert_int_equal(smb3_derive_keys(c, 0x0311, SMB3_CIPHER_AES128_GCM, vec_get_n(&r, "full_session_key", 32), 32,
	    h, &k), SD_OK);
	assert_int_equal(k.cipher_key_len, 16);
	assert_memory_equal(k.signing, vec_get_n(&r, "full_signing_key", 16), 16);
	vec_free(&p);
	vec_free(&r);
}

static void
regression_blog_signing_keys(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file e30, e311, r;
	struct smb3_keys k;

	vec_load(&e30, "smb30-ccm-encryption.txt");
	vec_load(&e311, "smb311-gcm-encryption.txt");
	vec_load(&r, REGRESSION);
	assert_int_equal(smb3_derive_keys(c, 0x0300, SMB3_CIPHER_AES128_CCM, vec_get_n(&e30, "session_key", 16), 16,
	    NULL, &k), SD_OK);
	assert_memory_equal(k.signing, vec_get_n(&r, "enc30_signing_key", 16), 16);
	assert_memory_equal(k.application, vec_get_n(&r, "enc30_application_key", 16), 16);
	assert_int_equal(smb3_derive_keys(c, 0x0311, SMB3_CIPHER_AES128_GCM, vec_get_n(&e311, "session_key", 16), 16,
	    vec_get_n(&e311, "preauth_hash", 64), &k), SD_OK);
	assert_memory_equal(k.signing, vec_get_n(&r, "enc311_signing_key", 16), 16);
	assert_memory_equal(k.application, vec_get_n(&r, "enc311_application_key", 16), 16);
	vec_free(&e30);
	vec_free(&e311);
	vec_free(&r);
}

static void
aes256_encryption_regression(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file g, r;
	uint8_t out[512];
	const uint8_t *plain, *nonce, *key, *want;
	size_t plain_len, want_len, out_len = 0;

	vec_load(&g, "smb311-gcm-encryption.txt");
	vec_load(&r, REGRESSION);
	plain = vec_get(&g, "c2s_plaintext", &plain_len);
	nonce = vec_get(&g, "c2s_transform", NULL) + 20;
	key = vec_get_n(&r, "aes256_c2s_key", 32);

	want = vec_get(&r, "aes256_gcm_transform", &want_len);
	assert_int_equal(smb3_transform_seal(c, SMB3_CIPHER_AES256_GCM, key, 32, nonce, 12, 0x0000100000000025ull, plain,
	    plain_len, out, sizeof(out), &out_len), SD_OK);
	assert_int_equal(out_len, want_len);
	assert_memory_equal(out, want, want_len);
	assert_int_equal(smb3_transform_unseal(c, SMB3_CIPHER_AES256_GCM, key, 32, want, want_len, out, sizeof(out),
	    &out_len), SD_OK);
	assert_memory_equal(out, plain, plain_len);

	want = vec_get(&r, "aes256_ccm_transform", &want_len);
	assert_int_equal(smb3_transform_seal(c, SMB3_CIPHER_AES256_CCM, key, 32, nonce, 11, 0x0000100000000025ull, plain,
	    plain_len, out, sizeof(out), &out_len), SD_OK);
	assert_int_equal(out_len, want_len);
	assert_memory_equal(out, want, want_len);
	assert_int_equal(smb3_transform_unseal(c, SMB3_CIPHER_AES256_CCM, key, 32, want, want_len, out, sizeof(out),
	    &out_len), SD_OK);
	assert_memory_equal(out, plain, plain_len);
	vec_free(&g);
	vec_free(&r);
}

/* Seal, unseal, then every single-bit change (tag, AAD, ciphertext) must
 * fail and leave no plaintext behind; every truncation fails cleanly. */
static void
seal_unseal_tamper_all_ciphers(void **state)
{
	struct sd_crypto *c = *state;
	static const enum smb3_cipher ciphers[] = {SMB3_CIPHER_AES128_CCM, SMB3_CIPHER_AES128_GCM,
	    SMB3_CIPHER_AES256_CCM, SMB3_CIPHER_AES256_GCM};
	uint8_t key[32], nonce[16], plain[100], sealed[200], out[200], *copy;
	size_t i, bit, n, out_len = 0, klen, sealed_len = 0;
	enum sd_err err;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xA0 + i);
	for (i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)(i * 7);
	for (i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)i;
	memcpy(plain, "\xFESMB", 4);
	for (i = 0; i < 4; i++) {
		klen = smb3_cipher_key_len(ciphers[i]);
		n = smb3_cipher_nonce_len(ciphers[i]);
		assert_int_equal(smb3_transform_seal(c, ciphers[i], key, klen, nonce, n, 0x1122334455667788ull, plain,
		    sizeof(plain), sealed, sizeof(sealed), &sealed_len), SD_OK);
		assert_int_equal(sealed_len, 52 + sizeof(plain));
		assert_int_equal(sd_load_u16le(sealed + 42), 1);
		assert_true(sd_load_u64le(sealed + 44) == 0x1122334455667788ull);
		assert_int_equal(sealed[20 + n], 0);  /* unused nonce bytes are zero */
		assert_int_equal(smb3_transform_unseal(c, ciphers[i], key, klen, sealed, sealed_len, out, sizeof(out),
		    &out_len), SD_OK);
		assert_int_equal(out_len, sizeof(plain));
		assert_memory_equal(out, plain, sizeof(plain));
		for (bit = 4 * 8; bit < sealed_len * 8; bit += 3) {
			sealed[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			memset(out, 0x5A, sizeof(out));
			err = smb3_transform_unseal(c, ciphers[i], key, klen, sealed, sealed_len, out, sizeof(out), &out_len);
			/* Changing OriginalMessageSize or Flags is caught before
			 * decryption; anything else by the tag. */
			if ((bit / 8 >= 36 && bit / 8 < 40) || (bit / 8 >= 42 && bit / 8 < 44)) {
				assert_true(err == SD_ERR_MALFORMED || err == SD_ERR_TRUNCATED);
			} else {
				assert_int_equal(err, SD_ERR_VERIFY);
				assert_int_equal(out[0] | out[50] | out[99], 0);
			}
			sealed[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		for (n = 0; n < sealed_len; n++) {
			copy = dup_bytes(sealed, n);
			assert_int_not_equal(smb3_transform_unseal(c, ciphers[i], key, klen, copy, n, out, sizeof(out),
			    &out_len), SD_OK);
			free(copy);
		}
		key[0] ^= 1;
		assert_int_equal(smb3_transform_unseal(c, ciphers[i], key, klen, sealed, sealed_len, out, sizeof(out),
		    &out_len), SD_ERR_VERIFY);
		key[0] ^= 1;
	}
}

static void
transform_errors(void **state)
{
	struct sd_crypto *c = *state;
	uint8_t key[16] = {1}, nonce[16] = {2}, plain[64] = {0xFE, 'S', 'M', 'B'}, sealed[200], out[200];
	size_t sealed_len = 0, out_len = 0;
	uint64_t sid = 0;

	assert_int_equal(smb3_transform_seal(c, SMB3_CIPHER_AES128_GCM, key, 16, nonce, 12, 9, plain, sizeof(plain),
	    sealed, 52 + sizeof(plain) - 1, &sealed_len), SD_ERR_NO_SPACE);
	assert_int_equal(smb3_transform_seal(c, SMB3_CIPHER_AES128_GCM, key, 16, nonce, 11, 9, plain, sizeof(plain),
	    sealed, sizeof(sealed), &sealed_len), SD_ERR_INVALID_ARG);
	assert_int_equal(smb3_transform_seal(c, SMB3_CIPHER_AES128_CCM, key, 16, nonce, 17, 9, plain, sizeof(plain),
	    sealed, sizeof(sealed), &sealed_len), SD_ERR_INVALID_ARG);
	assert_int_equal(smb3_transform_seal(c, SMB3_CIPHER_AES256_GCM, key, 16, nonce, 12, 9, plain, sizeof(plain),
	    sealed, sizeof(sealed), &sealed_len), SD_ERR_INVALID_ARG);
	assert_int_equal(smb3_transform_seal(c, SMB3_CIPHER_NONE, key, 16, nonce, 12, 9, plain, sizeof(plain), sealed,
	    sizeof(sealed), &sealed_len), SD_ERR_INVALID_ARG);
	assert_int_equal(smb3_transform_seal(c, SMB3_CIPHER_AES128_GCM, key, 16, nonce, 12, 9, plain, 0, sealed,
	    sizeof(sealed), &sealed_len), SD_ERR_INVALID_ARG);
	assert_int_equal(smb3_transform_seal(c, SMB3_CIPHER_AES128_GCM, key, 16, nonce, 12, 9, plain, sizeof(plain),
	    sealed, sizeof(sealed), &sealed_len), SD_OK);

	assert_int_equal(smb3_transform_unseal(c, SMB3_CIPHER_AES128_GCM, key, 16, sealed, sealed_len, out,
	    sizeof(plain) - 1, &out_len), SD_ERR_NO_SPACE);
	assert_int_equal(smb3_transform_unseal(c, SMB3_CIPHER_AES128_GCM, key, 16, sealed, sealed_len + 1, out,
	    sizeof(out), &out_len), SD_ERR_MALFORMED);
	sealed[0] = 0xFE;
	assert_int_equal(smb3_transform_unseal(c, SMB3_CIPHER_AES128_GCM, key, 16, sealed, sealed_len, out,
	    sizeof(out), &out_len), SD_ERR_PROTOCOL_ID);
	assert_int_equal(smb3_transform_session_id(sealed, sealed_len, &sid), SD_ERR_PROTOCOL_ID);
	sealed[0] = 0xFD;
	assert_int_equal(smb3_transform_session_id(sealed, 51, &sid), SD_ERR_TRUNCATED);
	assert_int_equal(smb3_transform_session_id(sealed, 52, &sid), SD_OK);
	assert_true(sid == 9);
	sd_store_u32le(sealed + 36, 0);
	assert_int_equal(smb3_transform_unseal(c, SMB3_CIPHER_AES128_GCM, key, 16, sealed, 52, out, sizeof(out),
	    &out_len), SD_ERR_MALFORMED);
	assert_int_equal(smb3_cipher_key_len(SMB3_CIPHER_NONE), 0);
	assert_int_equal(smb3_cipher_nonce_len((enum smb3_cipher)9), 0);
}

static void
kdf_and_algorithm_choice(void **state)
{
	struct sd_crypto *c = *state;
	static const uint8_t ki[16] = {0};
	uint8_t out128[16], out256[32];

	/* A 256-bit key is not the 128-bit key extended (L is hashed in). */
	assert_int_equal(smb3_kdf(c, ki, 16, (const uint8_t *)"L", 2, (const uint8_t *)"C", 2, out128, 16), SD_OK);
	assert_int_equal(smb3_kdf(c, ki, 16, (const uint8_t *)"L", 2, (const uint8_t *)"C", 2, out256, 32), SD_OK);
	assert_memory_not_equal(out128, out256, 16);
	assert_int_equal(smb3_kdf(c, ki, 16, (const uint8_t *)"L", 2, NULL, 0, out128, 24), SD_ERR_INVALID_ARG);
	assert_int_equal(smb3_kdf(c, ki, 0, (const uint8_t *)"L", 2, NULL, 0, out128, 16), SD_ERR_INVALID_ARG);

	assert_int_equal(smb2_sign_alg_for(0x0202, false, SMB2_SIGN_AES_GMAC), SMB2_SIGN_HMAC_SHA256);
	assert_int_equal(smb2_sign_alg_for(0x0210, true, SMB2_SIGN_AES_GMAC), SMB2_SIGN_HMAC_SHA256);
	assert_int_equal(smb2_sign_alg_for(0x0300, true, SMB2_SIGN_AES_GMAC), SMB2_SIGN_AES_CMAC);
	assert_int_equal(smb2_sign_alg_for(0x0311, false, SMB2_SIGN_AES_GMAC), SMB2_SIGN_AES_CMAC);
	assert_int_equal(smb2_sign_alg_for(0x0311, true, SMB2_SIGN_AES_GMAC), SMB2_SIGN_AES_GMAC);
	assert_int_equal(smb2_sign_alg_for(0x0311, true, SMB2_SIGN_HMAC_SHA256), SMB2_SIGN_HMAC_SHA256);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aes_cmac_rfc4493),
		cmocka_unit_test(smb311_preauth_keys_and_final_signature),
		cmocka_unit_test(smb311_binding_channel),
		cmocka_unit_test(smb30_kdf),
		cmocka_unit_test(smb30_ccm_encryption),
		cmocka_unit_test(smb311_gcm_encryption),
		cmocka_unit_test(regression_signatures),
		cmocka_unit_test(sign_sets_flag_and_round_trips),
		cmocka_unit_test(compound_chains),
		cmocka_unit_test(aes256_keys_use_full_session_key),
		cmocka_unit_test(regression_blog_signing_keys),
		cmocka_unit_test(aes256_encryption_regression),
		cmocka_unit_test(seal_unseal_tamper_all_ciphers),
		cmocka_unit_test(transform_errors),
		cmocka_unit_test(kdf_and_algorithm_choice),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
