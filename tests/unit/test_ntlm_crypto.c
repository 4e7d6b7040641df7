#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/auth/ntlm_crypto.h"
#include "core/wire/cursor.h"
#include "vector_file.h"

#define NLMP "ms-nlmp-4.2-ntlm.txt"
#define BLOG "smb311-ntlm-blog.txt"

/* "Plaintext" in UTF-16LE: the message of the MS-NLMP 4.2 GSS examples. */
static const uint8_t plaintext16[] = {
	'P', 0, 'l', 0, 'a', 0, 'i', 0, 'n', 0, 't', 0, 'e', 0, 'x', 0, 't', 0,
};
static const uint8_t user16[] = {'U', 0, 's', 0, 'e', 0, 'r', 0};
static const uint8_t lower_user16[] = {'u', 0, 's', 0, 'e', 0, 'r', 0};
static const uint8_t domain16[] = {'D', 0, 'o', 0, 'm', 0, 'a', 0, 'i', 0, 'n', 0};

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

/* A "Fields" triple (Len, MaxLen, Offset) of an NTLMSSP message. */
static const uint8_t *
ntlm_field(const uint8_t *msg, size_t msg_len, size_t at, size_t *len)
{
	size_t off;

	assert_true(at + 8 <= msg_len);
	*len = sd_load_u16le(msg + at);
	off = sd_load_u32le(msg + at + 4);
	assert_true(sd_range_ok(msg_len, off, *len));
	return msg + off;
}

static void
ntowf_v1_and_v2(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file v;
	uint8_t h[NTLM_HASH_LEN], h2[NTLM_HASH_LEN];

	vec_load(&v, NLMP);
	assert_int_equal(ntlm_nt_hash(c, "Password", h), SD_OK);
	assert_memory_equal(h, vec_get_n(&v, "ntowfv1", 16), 16);
	assert_int_equal(ntlm_ntowfv2(c, h, "User", "Domain", h2), SD_OK);
	assert_memory_equal(h2, vec_get_n(&v, "ntowfv2", 16), 16);
	assert_int_equal(ntlm_ntowfv2_password(c, "Password", "user", "Domain", h2), SD_OK);
	assert_memory_equal(h2, vec_get_n(&v, "ntowfv2", 16), 16);
	assert_int_equal(ntlm_ntowfv2_utf16(c, h, lower_user16, sizeof(lower_user16), domain16, sizeof(domain16),
	    h2), SD_OK);
	assert_memory_equal(h2, vec_get_n(&v, "ntowfv2", 16), 16);
	/* The domain keeps its case. */
	assert_int_equal(ntlm_ntowfv2(c, h, "User", "DOMAIN", h2), SD_OK);
	assert_memory_not_equal(h2, vec_get_n(&v, "ntowfv2", 16), 16);
	vec_free(&v);
}

static void
ntlmv2_response_matches_spec(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file v;
	uint8_t ntowf[16], resp[256], sbk[16], proof[16], lm[24], blob[256];
	const uint8_t *chal, *auth, *av, *nt_resp;
	size_t chal_len, auth_len, av_len, nt_len, out_len = 0, temp_len;

	vec_load(&v, NLMP);
	memcpy(ntowf, vec_get_n(&v, "ntowfv2", 16), 16);
	chal = vec_get(&v, "challenge_msg", &chal_len);
	auth = vec_get(&v, "authenticate_msg", &auth_len);
	av = ntlm_field(chal, chal_len, 40, &av_len);
	nt_resp = ntlm_field(auth, auth_len, 20, &nt_len);

	assert_int_equal(ntlm_v2_blob(0, vec_get_n(&v, "client_challenge", 8), av, av_len, blob, sizeof(blob),
	    &out_len), SD_OK);
	(void)vec_get(&v, "temp", &temp_len);
	assert_int_equal(out_len, temp_len);
	assert_int_equal(ntlm_v2_blob_len(av_len), temp_len);
	assert_memory_equal(blob, vec_get(&v, "temp", NULL), temp_len);

	assert_int_equal(ntlm_v2_proof(c, ntowf, vec_get_n(&v, "server_challenge", 8), blob, out_len, proof), SD_OK);
	assert_memory_equal(proof, vec_get_n(&v, "nt_proof", 16), 16);

	assert_int_equal(ntlm_v2_response(c, ntowf, vec_get_n(&v, "server_challenge", 8),
	    vec_get_n(&v, "client_challenge", 8), 0, av, av_len, resp, sizeof(resp), &out_len, sbk), SD_OK);
	assert_int_equal(out_len, nt_len);
	assert_memory_equal(resp, nt_resp, nt_len);
	assert_memory_equal(sbk, vec_get_n(&v, "session_base_key", 16), 16);

	assert_int_equal(ntlm_lmv2_response(c, ntowf, vec_get_n(&v, "server_challenge", 8),
	    vec_get_n(&v, "client_challenge", 8), lm), SD_OK);
	assert_memory_equal(lm, vec_get_n(&v, "lmv2_response", 24), 24);

	/* Output buffers one byte short. */
	assert_int_equal(ntlm_v2_blob(0, vec_get_n(&v, "client_challenge", 8), av, av_len, blob, temp_len - 1,
	    NULL), SD_ERR_NO_SPACE);
	assert_int_equal(ntlm_v2_response(c, ntowf, vec_get_n(&v, "server_challenge", 8),
	    vec_get_n(&v, "client_challenge", 8), 0, av, av_len, resp, nt_len - 1, NULL, NULL), SD_ERR_NO_SPACE);
	assert_int_equal(ntlm_v2_response(c, ntowf, vec_get_n(&v, "server_challenge", 8),
	    vec_get_n(&v, "client_challenge", 8), 0, av, av_len, resp, 15, NULL, NULL), SD_ERR_NO_SPACE);
	vec_free(&v);
}

static void
key_exchange_both_ways(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file v;
	uint8_t kx[16], enc[16], exported[16];
	uint32_t flags;

	vec_load(&v, NLMP);
	flags = sd_load_u32le(vec_get_n(&v, "flags", 4));
	ntlm_v2_kxkey(vec_get_n(&v, "session_base_key", 16), kx);
	assert_memory_equal(kx, vec_get_n(&v, "session_base_key", 16), 16);
	assert_int_equal(ntlm_encrypt_random_session_key(c, kx, vec_get_n(&v, "random_session_key", 16), enc), SD_OK);
	assert_memory_equal(enc, vec_get_n(&v, "encrypted_random_session_key", 16), 16);
	assert_int_equal(ntlm_exported_session_key(c, flags, kx, enc, 16, exported), SD_OK);
	assert_memory_equal(exported, vec_get_n(&v, "random_session_key", 16), 16);
	/* Without KEY_EXCH the exported key is the KXKEY; the field is ignored. */
	assert_int_equal(ntlm_exported_session_key(c, flags & ~NTLM_CRYPTO_FLAG_KEY_EXCH, kx, NULL, 0, exported),
	    SD_OK);
	assert_memory_equal(exported, kx, 16);
	assert_int_equal(ntlm_exported_session_key(c, flags, kx, enc, 15, exported), SD_ERR_MALFORMED);
	assert_int_equal(ntlm_exported_session_key(c, flags, kx, NULL, 0, exported), SD_ERR_MALFORMED);
	vec_free(&v);
}

static void
server_verifies_ntlmv2(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file v;
	uint8_t nt_hash[16], sbk[16], tampered[512];
	const uint8_t *auth, *nt_resp;
	size_t auth_len, nt_len;

	vec_load(&v, NLMP);
	memcpy(nt_hash, vec_get_n(&v, "ntowfv1", 16), 16);
	auth = vec_get(&v, "authenticate_msg", &auth_len);
	nt_resp = ntlm_field(auth, auth_len, 20, &nt_len);
	assert_true(nt_len <= sizeof(tampered));
	assert_int_equal(ntlm_v2_verify(c, nt_hash, user16, sizeof(user16), domain16, sizeof(domain16),
	    vec_get_n(&v, "server_challenge", 8), nt_resp, nt_len, sbk), SD_OK);
	assert_memory_equal(sbk, vec_get_n(&v, "session_base_key", 16), 16);
	/* The user name is case-insensitive, the domain is not. */
	assert_int_equal(ntlm_v2_verify(c, nt_hash, lower_user16, sizeof(lower_user16), domain16, sizeof(domain16),
	    vec_get_n(&v, "server_challenge", 8), nt_resp, nt_len, sbk), SD_OK);
	assert_int_equal(ntlm_v2_verify(c, nt_hash, user16, sizeof(user16), NULL, 0,
	    vec_get_n(&v, "server_challenge", 8), nt_resp, nt_len, sbk), SD_ERR_VERIFY);
	/* A flipped bit anywhere in the proof or the blob fails. */
	memcpy(tampered, nt_resp, nt_len);
	tampered[3] ^= 0x01;
	assert_int_equal(ntlm_v2_verify(c, nt_hash, user16, sizeof(user16), domain16, sizeof(domain16),
	    vec_get_n(&v, "server_challenge", 8), tampered, nt_len, sbk), SD_ERR_VERIFY);
	memcpy(tampered, nt_resp, nt_len);
	tampered[nt_len - 10] ^= 0x80;
	assert_int_equal(ntlm_v2_verify(c, nt_hash, user16, sizeof(user16), domain16, sizeof(domain16),
	    vec_get_n(&v, "server_challenge", 8), tampered, nt_len, sbk), SD_ERR_VERIFY);
	nt_hash[0] ^= 1;
	assert_int_equal(ntlm_v2_verify(c, nt_hash, user16, sizeof(user16), domain16, sizeof(domain16),
	    vec_get_n(&v, "server_challenge", 8), nt_resp, nt_len, sbk), SD_ERR_VERIFY);
	/* NTLMv1-sized and too-short responses, odd UTF-16 lengths. */
	assert_int_equal(ntlm_v2_verify(c, nt_hash, user16, sizeof(user16), domain16, sizeof(domain16),
	    vec_get_n(&v, "server_challenge", 8), nt_resp, 24, sbk), SD_ERR_UNSUPPORTED);
	assert_int_equal(ntlm_v2_verify(c, nt_hash, user16, sizeof(user16), domain16, sizeof(domain16),
	    vec_get_n(&v, "server_challenge", 8), nt_resp, NTLM_V2_RESPONSE_MIN_LEN - 1, sbk), SD_ERR_MALFORMED);
	assert_int_equal(ntlm_v2_verify(c, nt_hash, user16, 3, domain16, sizeof(domain16),
	    vec_get_n(&v, "server_challenge", 8), nt_resp, nt_len, sbk), SD_ERR_MALFORMED);
	vec_free(&v);
}

static void
sign_and_seal_keys_ess(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file v;
	uint8_t key[16], seal[16], buf[sizeof(plaintext16) + 8], sig[16], seq0[4] = {0};
	struct sd_span parts[2] = {{seq0, 4}, {plaintext16, sizeof(plaintext16)}};
	uint32_t flags;

	vec_load(&v, NLMP);
	/* 4.2.4: ExportedSessionKey = RandomSessionKey; 128-bit keys. */
	flags = sd_load_u32le(vec_get_n(&v, "flags", 4));
	assert_int_equal(ntlm_sign_key(c, vec_get_n(&v, "random_session_key", 16), NTLM_CLIENT_TO_SERVER, key), SD_OK);
	assert_memory_equal(key, vec_get_n(&v, "sign_key_c2s", 16), 16);
	assert_int_equal(ntlm_seal_key(c, flags, vec_get_n(&v, "random_session_key", 16), NTLM_CLIENT_TO_SERVER,
	    seal), SD_OK);
	assert_memory_equal(seal, vec_get_n(&v, "seal_key_c2s", 16), 16);
	/* GSS_WrapEx: the checksum is RC4-encrypted by the same stream that
	 * sealed the message, so one RC4 pass over message||checksum gives
	 * both published values. */
	assert_int_equal(sd_crypto_hmac(c, SD_MD_MD5, key, 16, parts, 2, buf + sizeof(plaintext16), 8), SD_OK);
	assert_memory_equal(buf + sizeof(plaintext16), vec_get_n(&v, "hmac_checksum", 8), 8);
	memcpy(buf, plaintext16, sizeof(plaintext16));
	assert_int_equal(sd_crypto_rc4(c, seal, 16, buf, sizeof(buf), buf), SD_OK);
	assert_memory_equal(buf, vec_get_n(&v, "sealed_plaintext", sizeof(plaintext16)), sizeof(plaintext16));
	assert_memory_equal(buf + sizeof(plaintext16), vec_get_n(&v, "signature", 16) + 4, 8);

	/* 4.2.3: ESS with 56-bit sealing and no KEY_EXCH: plain HMAC checksum. */
	flags = sd_load_u32le(vec_get_n(&v, "ess_flags", 4));
	assert_int_equal(ntlm_seal_key(c, flags, vec_get_n(&v, "ess_kxkey", 16), NTLM_CLIENT_TO_SERVER, seal), SD_OK);
	assert_memory_equal(seal, vec_get_n(&v, "ess_seal_key_c2s", 16), 16);
	assert_int_equal(ntlm_sign_key(c, vec_get_n(&v, "ess_kxkey", 16), NTLM_CLIENT_TO_SERVER, key), SD_OK);
	assert_memory_equal(key, vec_get_n(&v, "ess_sign_key_c2s", 16), 16);
	assert_int_equal(ntlm_signature(c, flags, vec_get_n(&v, "ess_kxkey", 16), NTLM_CLIENT_TO_SERVER, 0,
	    plaintext16, sizeof(plaintext16), sig), SD_OK);
	assert_memory_equal(sig, vec_get_n(&v, "ess_signature", 16), 16);
	/* Without ESS the NTLMv1 signing scheme would apply: not offered. */
	assert_int_equal(ntlm_signature(c, flags & ~NTLM_CRYPTO_FLAG_ESS, vec_get_n(&v, "ess_kxkey", 16),
	    NTLM_CLIENT_TO_SERVER, 0, plaintext16, sizeof(plaintext16), sig), SD_ERR_UNSUPPORTED);
	assert_int_equal(ntlm_seal_key(c, 0, vec_get_n(&v, "ess_kxkey", 16), NTLM_CLIENT_TO_SERVER, seal),
	    SD_ERR_UNSUPPORTED);
	vec_free(&v);
}

/* The whole NTLM leg of a real Windows SMB 3.1.1 session, as a server
 * sees it: verify the response, recover the key, check MIC and
 * mechListMIC. */
static void
smb311_session_from_server_side(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file v;
	uint8_t nt_hash[16], ntowf[16], sbk[16], exported[16], mic[16];
	const uint8_t *neg, *chal, *auth, *nt_resp, *user, *dom, *enc;
	size_t neg_len, chal_len, auth_len, nt_len, user_len, dom_len, enc_len;
	uint32_t flags;

	vec_load(&v, BLOG);
	neg = vec_get(&v, "negotiate_msg", &neg_len);
	chal = vec_get(&v, "challenge_msg", &chal_len);
	auth = vec_get(&v, "authenticate_msg", &auth_len);
	nt_resp = ntlm_field(auth, auth_len, 20, &nt_len);
	dom = ntlm_field(auth, auth_len, 28, &dom_len);
	user = ntlm_field(auth, auth_len, 36, &user_len);
	enc = ntlm_field(auth, auth_len, 52, &enc_len);
	flags = sd_load_u32le(auth + 60);
	assert_int_equal(flags, sd_load_u32le(vec_get_n(&v, "auth_flags", 4)));

	assert_int_equal(ntlm_nt_hash(c, "Password01!", nt_hash), SD_OK);
	assert_memory_equal(nt_hash, vec_get_n(&v, "nt_hash", 16), 16);
	/* The AUTHENTICATE carries "administrator" in lower case. */
	assert_int_equal(ntlm_ntowfv2_utf16(c, nt_hash, user, user_len, dom, dom_len, ntowf), SD_OK);
	assert_memory_equal(ntowf, vec_get_n(&v, "ntowfv2", 16), 16);
	assert_memory_equal(nt_resp, vec_get_n(&v, "nt_proof", 16), 16);

	assert_int_equal(ntlm_v2_verify(c, nt_hash, user, user_len, dom, dom_len, vec_get_n(&v, "server_challenge", 8),
	    nt_resp, nt_len, sbk), SD_OK);
	assert_memory_equal(sbk, vec_get_n(&v, "session_base_key", 16), 16);
	assert_memory_equal(enc, vec_get_n(&v, "encrypted_random_session_key", 16), 16);
	assert_int_equal(ntlm_exported_session_key(c, flags, sbk, enc, enc_len, exported), SD_OK);
	assert_memory_equal(exported, vec_get_n(&v, "exported_session_key", 16), 16);

	assert_int_equal(ntlm_mic(c, exported, neg, neg_len, chal, chal_len, auth, auth_len, 72, mic), SD_OK);
	assert_memory_equal(mic, vec_get_n(&v, "mic", 16), 16);
	assert_int_equal(ntlm_mic_verify(c, exported, neg, neg_len, chal, chal_len, auth, auth_len, 72), SD_OK);
	/* The MIC covers all three messages. */
	assert_int_equal(ntlm_mic_verify(c, exported, neg, neg_len - 1, chal, chal_len, auth, auth_len, 72),
	    SD_ERR_VERIFY);
	assert_int_equal(ntlm_mic_verify(c, exported, neg, neg_len, chal, chal_len, auth, auth_len, 64),
	    SD_ERR_VERIFY);
	assert_int_equal(ntlm_mic(c, exported, neg, neg_len, chal, chal_len, auth, auth_len, auth_len - 15, mic),
	    SD_ERR_BAD_OFFSET);
	assert_int_equal(ntlm_mic(c, exported, neg, neg_len, chal, chal_len, auth, auth_len, SIZE_MAX - 4, mic),
	    SD_ERR_BAD_OFFSET);
	vec_free(&v);
}

static void
smb311_sign_seal_keys_and_mech_list_mic(void **state)
{
	struct sd_crypto *c = *state;
	struct vec_file v;
	uint8_t key[16], out[16], bad[16];
	const uint8_t *exported, *der;
	size_t der_len;
	uint32_t flags;

	vec_load(&v, BLOG);
	exported = vec_get_n(&v, "exported_session_key", 16);
	der = vec_get(&v, "mech_types_der", &der_len);
	flags = sd_load_u32le(vec_get_n(&v, "auth_flags", 4));
	assert_int_equal(ntlm_sign_key(c, exported, NTLM_CLIENT_TO_SERVER, key), SD_OK);
	assert_memory_equal(key, vec_get_n(&v, "sign_key_c2s", 16), 16);
	assert_int_equal(ntlm_sign_key(c, exported, NTLM_SERVER_TO_CLIENT, key), SD_OK);
	assert_memory_equal(key, vec_get_n(&v, "sign_key_s2c", 16), 16);
	assert_int_equal(ntlm_seal_key(c, flags, exported, NTLM_CLIENT_TO_SERVER, key), SD_OK);
	assert_memory_equal(key, vec_get_n(&v, "seal_key_c2s", 16), 16);
	assert_int_equal(ntlm_seal_key(c, flags, exported, NTLM_SERVER_TO_CLIENT, key), SD_OK);
	assert_memory_equal(key, vec_get_n(&v, "seal_key_s2c", 16), 16);

	assert_int_equal(ntlm_mech_list_mic(c, flags, exported, NTLM_CLIENT_TO_SERVER, der, der_len, out), SD_OK);
	assert_memory_equal(out, vec_get_n(&v, "mech_list_mic_client", 16), 16);
	assert_int_equal(ntlm_mech_list_mic(c, flags, exported, NTLM_SERVER_TO_CLIENT, der, der_len, out), SD_OK);
	assert_memory_equal(out, vec_get_n(&v, "mech_list_mic_server", 16), 16);
	assert_int_equal(ntlm_mech_list_mic_verify(c, flags, exported, NTLM_CLIENT_TO_SERVER, der, der_len,
	    vec_get_n(&v, "mech_list_mic_client", 16), 16), SD_OK);
	/* Wrong direction, flipped bit, short MIC. */
	assert_int_equal(ntlm_mech_list_mic_verify(c, flags, exported, NTLM_SERVER_TO_CLIENT, der, der_len,
	    vec_get_n(&v, "mech_list_mic_client", 16), 16), SD_ERR_VERIFY);
	memcpy(bad, vec_get_n(&v, "mech_list_mic_client", 16), 16);
	bad[9] ^= 0x04;
	assert_int_equal(ntlm_mech_list_mic_verify(c, flags, exported, NTLM_CLIENT_TO_SERVER, der, der_len, bad, 16),
	    SD_ERR_VERIFY);
	assert_int_equal(ntlm_mech_list_mic_verify(c, flags, exported, NTLM_CLIENT_TO_SERVER, der, der_len,
	    vec_get_n(&v, "mech_list_mic_client", 16), 15), SD_ERR_VERIFY);
	vec_free(&v);
}

static void
text_conversion(void **state)
{
	struct sd_crypto *c = *state;
	/* U+1F600 as UTF-8 and as a UTF-16LE surrogate pair. */
	static const uint8_t emoji16[] = {0x3D, 0xD8, 0x00, 0xDE};
	struct sd_span part = {emoji16, sizeof(emoji16)};
	uint8_t h[16], want[16], nt[16] = {0};
	char long_pw[NTLM_TEXT_MAX_UNITS + 2];
	static const char *const bad_utf8[] = {
		"\xC3",             /* cut sequence */
		"\xC0\xAF",         /* overlong '/' */
		"\xED\xA0\x80",     /* surrogate */
		"\xF4\x90\x80\x80", /* beyond U+10FFFF */
		"\xFF",
		"a\x80",
	};
	size_t i;

	assert_int_equal(ntlm_nt_hash(c, "\xF0\x9F\x98\x80", h), SD_OK);
	assert_int_equal(sd_crypto_digest(c, SD_MD_MD4, &part, 1, want, 16), SD_OK);
	assert_memory_equal(h, want, 16);
	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++)
		assert_int_equal(ntlm_nt_hash(c, bad_utf8[i], h), SD_ERR_INVALID_ARG);
	memset(long_pw, 'x', sizeof(long_pw) - 1);
	long_pw[sizeof(long_pw) - 1] = '\0';
	assert_int_equal(ntlm_nt_hash(c, long_pw, h), SD_ERR_LIMIT);
	long_pw[NTLM_TEXT_MAX_UNITS] = '\0';
	assert_int_equal(ntlm_nt_hash(c, long_pw, h), SD_OK);
	/* UPPER(user) beyond ASCII: Latin-1, Latin Extended-A, Greek, Cyrillic. */
	assert_int_equal(ntlm_ntowfv2(c, nt, "J\xC3\x89R\xC3\x94ME", "D", want), SD_OK);
	assert_int_equal(ntlm_ntowfv2(c, nt, "j\xC3\xA9r\xC3\xB4me", "D", h), SD_OK);
	assert_memory_equal(h, want, 16);
	assert_int_equal(ntlm_ntowfv2(c, nt, "\xC5\x81\xC3\x93\xC5\xB9", "D", want), SD_OK);
	assert_int_equal(ntlm_ntowfv2(c, nt, "\xC5\x82\xC3\xB3\xC5\xBA", "D", h), SD_OK);
	assert_memory_equal(h, want, 16);
	assert_int_equal(ntlm_ntowfv2(c, nt, "\xCE\x91\xCE\xA9\xD0\x96\xD0\x81", "D", want), SD_OK);
	assert_int_equal(ntlm_ntowfv2(c, nt, "\xCE\xB1\xCF\x89\xD0\xB6\xD1\x91", "D", h), SD_OK);
	assert_memory_equal(h, want, 16);
	/* ... but not the domain. */
	assert_int_equal(ntlm_ntowfv2(c, nt, "u", "\xC3\x89", want), SD_OK);
	assert_int_equal(ntlm_ntowfv2(c, nt, "u", "\xC3\xA9", h), SD_OK);
	assert_memory_not_equal(h, want, 16);
	assert_int_equal(ntlm_ntowfv2(c, nt, "\xC3", "D", h), SD_ERR_INVALID_ARG);
	assert_int_equal(ntlm_ntowfv2(c, nt, NULL, "D", h), SD_ERR_INVALID_ARG);
	assert_int_equal(ntlm_nt_hash(c, NULL, h), SD_ERR_INVALID_ARG);
}

/* NTLM's MD4 and RC4 come from libcrypto's low-level functions, so a
 * missing legacy provider (legacy.so) no longer stops them; only the EVP
 * objects of those two algorithms fail, with SD_ERR_UNSUPPORTED, and the
 * failure is remembered. */
static void
missing_legacy_provider(void **state)
{
	struct sd_crypto *c = NULL;
	uint8_t h[16], out[16], rc4_key[16] = {0};
	struct sd_span part = {rc4_key, sizeof(rc4_key)};
	EVP_MD *md4 = NULL;
	EVP_CIPHER *rc4 = NULL, *aes = NULL;

	(void)state;
	assert_int_equal(setenv("OPENSSL_MODULES", "/nonexistent-smbdiag", 1), 0);
	assert_int_equal(sd_crypto_create(&c), SD_OK);
	assert_int_equal(ntlm_nt_hash(c, "Password", h), SD_OK);
	assert_int_equal(sd_crypto_rc4(c, rc4_key, 16, rc4_key, 16, out), SD_OK);
	assert_int_equal(sd_crypto_hmac(c, SD_MD_MD5, rc4_key, 16, &part, 1, out, 16), SD_OK);
	assert_int_equal(sd_crypto_get_md(c, SD_MD_MD4, &md4), SD_ERR_UNSUPPORTED);
	assert_int_equal(sd_crypto_get_cipher(c, SD_CIPHER_RC4, &rc4), SD_ERR_UNSUPPORTED);
	assert_int_equal(sd_crypto_get_cipher(c, SD_CIPHER_AES128_GCM, &aes), SD_OK);
	assert_int_equal(unsetenv("OPENSSL_MODULES"), 0);
	assert_int_equal(sd_crypto_get_md(c, SD_MD_MD4, &md4), SD_ERR_UNSUPPORTED);
	sd_crypto_free(c);
	assert_int_equal(sd_crypto_create(NULL), SD_ERR_INVALID_ARG);
	sd_crypto_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ntowf_v1_and_v2),
		cmocka_unit_test(ntlmv2_response_matches_spec),
		cmocka_unit_test(key_exchange_both_ways),
		cmocka_unit_test(server_verifies_ntlmv2),
		cmocka_unit_test(sign_and_seal_keys_ess),
		cmocka_unit_test(smb311_session_from_server_side),
		cmocka_unit_test(smb311_sign_seal_keys_and_mech_list_mic),
		cmocka_unit_test(text_conversion),
		cmocka_unit_test(missing_legacy_provider),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
