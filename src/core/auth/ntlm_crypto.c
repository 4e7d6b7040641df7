#include "core/auth/ntlm_crypto.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/wire/cursor.h"

/* UTF-16LE text in a fixed buffer: names and passwords never need more
 * and the core does not allocate. */
struct text16 {
	uint8_t b[NTLM_TEXT_MAX_UNITS * 2];
	size_t len;  /* bytes */
};

static bool
put_unit(struct text16 *t, uint32_t unit)
{
	if (t->len + 2 > sizeof(t->b))
		return false;
	sd_store_u16le(t->b + t->len, (uint16_t)unit);
	t->len += 2;
	return true;
}

/* Decodes one UTF-8 sequence at s[*i]; 0x110000 marks invalid input
 * (overlong forms, surrogates, beyond U+10FFFF, cut sequences). */
static uint32_t
next_code_point(const unsigned char *s, size_t len, size_t *i)
{
	static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
	uint32_t cp = s[*i];
	size_t n, k;

	if (cp < 0x80) {
		*i += 1;
		return cp;
	}
	if ((cp & 0xE0) == 0xC0) {
		n = 2;
		cp &= 0x1F;
	} else if ((cp & 0xF0) == 0xE0) {
		n = 3;
		cp &= 0x0F;
	} else if ((cp & 0xF8) == 0xF0) {
		n = 4;
		cp &= 0x07;
	} else {
		return 0x110000;
	}
	if (len - *i < n)
		return 0x110000;
	for (k = 1; k < n; k++) {
		if ((s[*i + k] & 0xC0) != 0x80)
			return 0x110000;
		cp = cp << 6 | (s[*i + k] & 0x3F);
	}
	if (cp < min_for_len[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0x110000;
	*i += n;
	return cp;
}

static enum sd_err
utf8_to_text16(const char *s, struct text16 *t)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	uint32_t cp;

	t->len = 0;
	while (i < len) {
		cp = next_code_point(u, len, &i);
		if (cp > 0x10FFFF)
			return SD_ERR_INVALID_ARG;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			if (!put_unit(t, 0xD800 | cp >> 10) || !put_unit(t, 0xDC00 | (cp & 0x3FF)))
				return SD_ERR_LIMIT;
		} else if (!put_unit(t, cp)) {
			return SD_ERR_LIMIT;
		}
	}
	return SD_OK;
}

/* Upper case of one UTF-16 unit for NTOWFv2's UPPER(user). Windows maps
 * with its own complete table (RtlUpcaseUnicodeChar); this covers the
 * scripts user names are written in most often and leaves the rest
 * unchanged, so an exotic user name may hash differently than on Windows.
 * Simple one-to-one mappings only, as Windows does (no "SS" for U+00DF). */
static uint16_t
upcase_unit(uint16_t u)
{
	if (u >= 'a' && u <= 'z')
		return (uint16_t)(u - 0x20);
	if (u < 0xE0)
		return u;
	if (u <= 0xFE)
		return u == 0xF7 ? u : (uint16_t)(u - 0x20);
	if (u == 0xFF)
		return 0x178;
	if (u <= 0x17E) {
		/* Latin Extended-A: case pairs, upper first, except in the
		 * ranges 0x139-0x148 and 0x179-0x17E where upper is odd. */
		if ((u >= 0x139 && u <= 0x148) || u >= 0x179)
			return (u & 1) ? u : (uint16_t)(u - 1);
		if (u == 0x131 || u == 0x138 || u == 0x149)
			return u;
		return (u & 1) ? (uint16_t)(u - 1) : u;
	}
	if (u >= 0x3B1 && u <= 0x3CB && u != 0x3C2)
		return (uint16_t)(u - 0x20);
	if (u == 0x3AC)
		return 0x386;
	if (u >= 0x3AD && u <= 0x3AF)
		return (uint16_t)(u - 0x25);
	if (u == 0x3CC)
		return 0x38C;
	if (u == 0x3CD || u == 0x3CE)
		return (uint16_t)(u - 0x3F);
	if (u >= 0x430 && u <= 0x44F)
		return (uint16_t)(u - 0x20);
	if (u >= 0x450 && u <= 0x45F)
		return (uint16_t)(u - 0x50);
	if ((u >= 0x460 && u <= 0x481) || (u >= 0x48A && u <= 0x4BF) || (u >= 0x4D0 && u <= 0x52F))
		return (u & 1) ? (uint16_t)(u - 1) : u;
	if (u >= 0x4C1 && u <= 0x4CE)
		return (u & 1) ? u : (uint16_t)(u - 1);
	if (u >= 0xFF41 && u <= 0xFF5A)
		return (uint16_t)(u - 0x20);
	return u;
}

static void
wipe_text(struct text16 *t)
{
	OPENSSL_cleanse(t->b, sizeof(t->b));
	t->len = 0;
}

enum sd_err
ntlm_nt_hash(struct sd_crypto *c, const char *password, uint8_t out[NTLM_HASH_LEN])
{
	struct text16 pw;
	struct sd_span part;
	enum sd_err err;

	if (c == NULL || password == NULL || out == NULL)
		return SD_ERR_INVALID_ARG;
	err = utf8_to_text16(password, &pw);
	if (err == SD_OK) {
		part.p = pw.b;
		part.len = pw.len;
		err = sd_crypto_digest(c, SD_MD_MD4, &part, 1, out, NTLM_HASH_LEN);
	}
	wipe_text(&pw);
	return err;
}

enum sd_err
ntlm_ntowfv2_utf16(struct sd_crypto *c, const uint8_t nt_hash[NTLM_HASH_LEN], const uint8_t *user16,
    size_t user16_len, const uint8_t *domain16, size_t domain16_len, uint8_t out[NTLM_HASH_LEN])
{
	struct text16 upper;
	struct sd_span parts[2];
	size_t i;
	enum sd_err err;

	if (c == NULL || nt_hash == NULL || out == NULL || (user16 == NULL && user16_len != 0) ||
	    (domain16 == NULL && domain16_len != 0))
		return SD_ERR_INVALID_ARG;
	if (user16_len % 2 != 0 || domain16_len % 2 != 0)
		return SD_ERR_MALFORMED;
	if (user16_len > sizeof(upper.b) || domain16_len > sizeof(upper.b))
		return SD_ERR_LIMIT;
	for (i = 0; i < user16_len; i += 2)
		sd_store_u16le(upper.b + i, upcase_unit(sd_load_u16le(user16 + i)));
	upper.len = user16_len;
	parts[0].p = upper.b;
	parts[0].len = upper.len;
	parts[1].p = domain16;
	parts[1].len = domain16_len;
	err = sd_crypto_hmac(c, SD_MD_MD5, nt_hash, NTLM_HASH_LEN, parts, 2, out, NTLM_HASH_LEN);
	wipe_text(&upper);
	return err;
}

enum sd_err
ntlm_ntowfv2(struct sd_crypto *c, const uint8_t nt_hash[NTLM_HASH_LEN], const char *user, const char *domain,
    uint8_t out[NTLM_HASH_LEN])
{
	struct text16 user16, domain16;
	enum sd_err err;

	if (user == NULL || domain == NULL)
		return SD_ERR_INVALID_ARG;
	err = utf8_to_text16(user, &user16);
	if (err == SD_OK)
		err = utf8_to_text16(domain, &domain16);
	if (err == SD_OK)
		err = ntlm_ntowfv2_utf16(c, nt_hash, user16.b, user16.len, domain16.b, domain16.len, out);
	return err;
}

enum sd_err
ntlm_ntowfv2_password(struct sd_crypto *c, const char *password, const char *user, const char *domain,
    uint8_t out[NTLM_HASH_LEN])
{
	uint8_t nt_hash[NTLM_HASH_LEN];
	enum sd_err err;

	err = ntlm_nt_hash(c, password, nt_hash);
	if (err == SD_OK)
		err = ntlm_ntowfv2(c, nt_hash, user, domain, out);
	OPENSSL_cleanse(nt_hash, sizeof(nt_hash));
	return err;
}

size_t
ntlm_v2_blob_len(size_t av_len)
{
	return NTLM_V2_BLOB_FIXED_LEN + av_len + 4;
}

enum sd_err
ntlm_v2_blob(uint64_t timestamp, const uint8_t client_challenge[NTLM_CHALLENGE_LEN], const uint8_t *av_pairs,
    size_t av_len, uint8_t *out, size_t cap, size_t *out_len)
{
	struct sd_wr w;

	if (client_challenge == NULL || out == NULL || (av_pairs == NULL && av_len != 0) ||
	    av_len > SIZE_MAX - NTLM_V2_BLOB_FIXED_LEN - 4)
		return SD_ERR_INVALID_ARG;
	sd_wr_init(&w, out, cap);
	sd_wr_u8(&w, 0x01);   /* RespType */
	sd_wr_u8(&w, 0x01);   /* HiRespType */
	sd_wr_zero(&w, 6);
	sd_wr_u64le(&w, timestamp);
	sd_wr_bytes(&w, client_challenge, NTLM_CHALLENGE_LEN);
	sd_wr_zero(&w, 4);
	sd_wr_bytes(&w, av_pairs, av_len);
	sd_wr_zero(&w, 4);
	if (!sd_wr_ok(&w))
		return w.err;
	if (out_len != NULL)
		*out_len = w.len;
	return SD_OK;
}

enum sd_err
ntlm_v2_proof(struct sd_crypto *c, const uint8_t ntowfv2[NTLM_HASH_LEN],
    const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t *blob, size_t blob_len,
    uint8_t out[NTLM_PROOF_LEN])
{
	struct sd_span parts[2];

	if (ntowfv2 == NULL || server_challenge == NULL)
		return SD_ERR_INVALID_ARG;
	parts[0].p = server_challenge;
	parts[0].len = NTLM_CHALLENGE_LEN;
	parts[1].p = blob;
	parts[1].len = blob_len;
	return sd_crypto_hmac(c, SD_MD_MD5, ntowfv2, NTLM_HASH_LEN, parts, 2, out, NTLM_PROOF_LEN);
}

enum sd_err
ntlm_v2_session_base_key(struct sd_crypto *c, const uint8_t ntowfv2[NTLM_HASH_LEN],
    const uint8_t nt_proof[NTLM_PROOF_LEN], uint8_t out[NTLM_KEY_LEN])
{
	struct sd_span part;

	if (ntowfv2 == NULL || nt_proof == NULL)
		return SD_ERR_INVALID_ARG;
	part.p = nt_proof;
	part.len = NTLM_PROOF_LEN;
	return sd_crypto_hmac(c, SD_MD_MD5, ntowfv2, NTLM_HASH_LEN, &part, 1, out, NTLM_KEY_LEN);
}

enum sd_err
ntlm_v2_response(struct sd_crypto *c, const uint8_t ntowfv2[NTLM_HASH_LEN],
    const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
    uint64_t timestamp, const uint8_t *av_pairs, size_t av_len, uint8_t *out, size_t cap, size_t *out_len,
    uint8_t session_base_key[NTLM_KEY_LEN])
{
	size_t blob_len = 0;
	enum sd_err err;

	if (out == NULL || cap < NTLM_PROOF_LEN)
		return out == NULL ? SD_ERR_INVALID_ARG : SD_ERR_NO_SPACE;
	err = ntlm_v2_blob(timestamp, client_challenge, av_pairs, av_len, out + NTLM_PROOF_LEN,
	    cap - NTLM_PROOF_LEN, &blob_len);
	if (err == SD_OK)
		err = ntlm_v2_proof(c, ntowfv2, server_challenge, out + NTLM_PROOF_LEN, blob_len, out);
	if (err == SD_OK && session_base_key != NULL)
		err = ntlm_v2_session_base_key(c, ntowfv2, out, session_base_key);
	if (err == SD_OK && out_len != NULL)
		*out_len = NTLM_PROOF_LEN + blob_len;
	return err;
}

enum sd_err
ntlm_lmv2_response(struct sd_crypto *c, const uint8_t ntowfv2[NTLM_HASH_LEN],
    const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t client_challenge[NTLM_CHALLENGE_LEN],
    uint8_t out[NTLM_LMV2_RESPONSE_LEN])
{
	struct sd_span parts[2];
	enum sd_err err;

	if (ntowfv2 == NULL || server_challenge == NULL || client_challenge == NULL || out == NULL)
		return SD_ERR_INVALID_ARG;
	parts[0].p = server_challenge;
	parts[0].len = NTLM_CHALLENGE_LEN;
	parts[1].p = client_challenge;
	parts[1].len = NTLM_CHALLENGE_LEN;
	err = sd_crypto_hmac(c, SD_MD_MD5, ntowfv2, NTLM_HASH_LEN, parts, 2, out, 16);
	if (err == SD_OK)
		memcpy(out + 16, client_challenge, NTLM_CHALLENGE_LEN);
	return err;
}

void
ntlm_v2_kxkey(const uint8_t session_base_key[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN])
{
	memmove(out, session_base_key, NTLM_KEY_LEN);
}

enum sd_err
ntlm_encrypt_random_session_key(struct sd_crypto *c, const uint8_t kxkey[NTLM_KEY_LEN],
    const uint8_t random_session_key[NTLM_KEY_LEN], uint8_t out[NTLM_KEY_LEN])
{
	return sd_crypto_rc4(c, kxkey, NTLM_KEY_LEN, random_session_key, NTLM_KEY_LEN, out);
}

enum sd_err
ntlm_exported_session_key(struct sd_crypto *c, uint32_t flags, const uint8_t kxkey[NTLM_KEY_LEN],
    const uint8_t *encrypted, size_t encrypted_len, uint8_t out[NTLM_KEY_LEN])
{
	if (c == NULL || kxkey == NULL || out == NULL)
		return SD_ERR_INVALID_ARG;
	if (!(flags & NTLM_CRYPTO_FLAG_KEY_EXCH) || !(flags & (NTLM_CRYPTO_FLAG_SIGN | NTLM_CRYPTO_FLAG_SEAL))) {
		memmove(out, kxkey, NTLM_KEY_LEN);
		return SD_OK;
	}
	if (encrypted == NULL || encrypted_len != NTLM_KEY_LEN)
		return SD_ERR_MALFORMED;
	return sd_crypto_rc4(c, kxkey, NTLM_KEY_LEN, encrypted, NTLM_KEY_LEN, out);
}

enum sd_err
ntlm_v2_verify(struct sd_crypto *c, const uint8_t nt_hash[NTLM_HASH_LEN], const uint8_t *user16,
    size_t user16_len, const uint8_t *domain16, size_t domain16_len,
    const uint8_t server_challenge[NTLM_CHALLENGE_LEN], const uint8_t *nt_response, size_t nt_response_len,
    uint8_t session_base_key[NTLM_KEY_LEN])
{
	uint8_t ntowfv2[NTLM_HASH_LEN], proof[NTLM_PROOF_LEN];
	enum sd_err err;

	if (nt_response == NULL || session_base_key == NULL)
		return SD_ERR_INVALID_ARG;
	if (nt_response_len == 24)
		return SD_ERR_UNSUPPORTED;
	if (nt_response_len < NTLM_V2_RESPONSE_MIN_LEN)
		return SD_ERR_MALFORMED;
	err = ntlm_ntowfv2_utf16(c, nt_hash, user16, user16_len, domain16, domain16_len, ntowfv2);
	if (err == SD_OK)
		err = ntlm_v2_proof(c, ntowfv2, server_challenge, nt_response + NTLM_PROOF_LEN,
		    nt_response_len - NTLM_PROOF_LEN, proof);
	if (err == SD_OK && CRYPTO_memcmp(proof, nt_response, NTLM_PROOF_LEN) != 0)
		err = SD_ERR_VERIFY;
	if (err == SD_OK)
		err = ntlm_v2_session_base_key(c, ntowfv2, proof, session_base_key);
	OPENSSL_cleanse(ntowfv2, sizeof(ntowfv2));
	return err;
}

enum sd_err
ntlm_mic(struct sd_crypto *c, const uint8_t exported_key[NTLM_KEY_LEN], const uint8_t *negotiate,
    size_t negotiate_len, const uint8_t *challenge, size_t challenge_len, const uint8_t *authenticate,
    size_t authenticate_len, size_t mic_offset, uint8_t out[NTLM_MIC_LEN])
{
	static const uint8_t zero_mic[NTLM_MIC_LEN];
	struct sd_span parts[5];

	if (exported_key == NULL || authenticate == NULL)
		return SD_ERR_INVALID_ARG;
	if (!sd_range_ok(authenticate_len, mic_offset, NTLM_MIC_LEN))
		return SD_ERR_BAD_OFFSET;
	parts[0].p = negotiate;
	parts[0].len = negotiate_len;
	parts[1].p = challenge;
	parts[1].len = challenge_len;
	parts[2].p = authenticate;
	parts[2].len = mic_offset;
	parts[3].p = zero_mic;
	parts[3].len = NTLM_MIC_LEN;
	parts[4].p = authenticate + mic_offset + NTLM_MIC_LEN;
	parts[4].len = authenticate_len - mic_offset - NTLM_MIC_LEN;
	return sd_crypto_hmac(c, SD_MD_MD5, exported_key, NTLM_KEY_LEN, parts, 5, out, NTLM_MIC_LEN);
}

enum sd_err
ntlm_mic_verify(struct sd_crypto *c, const uint8_t exported_key[NTLM_KEY_LEN], const uint8_t *negotiate,
    size_t negotiate_len, const uint8_t *challenge, size_t challenge_len, const uint8_t *authenticate,
    size_t authenticate_len, size_t mic_offset)
{
	uint8_t mic[NTLM_MIC_LEN];
	enum sd_err err;

	err = ntlm_mic(c, exported_key, negotiate, negotiate_len, challenge, challenge_len, authenticate,
	    authenticate_len, mic_offset, mic);
	if (err == SD_OK && CRYPTO_memcmp(mic, authenticate + mic_offset, NTLM_MIC_LEN) != 0)
		err = SD_ERR_VERIFY;
	return err;
}

/* The magic constants include their terminating NUL (MS-NLMP 3.4.5.2/3). */
static const char sign_magic_c2s[] = "session key to client-to-server signing key magic constant";
static const char sign_magic_s2c[] = "session key to server-to-client signing key magic constant";
static const char seal_magic_c2s[] = "session key to client-to-server sealing key magic constant";
static const char seal_magic_s2c[] = "session key to server-to-client sealing key magic constant";

static enum sd_err
md5_key_magic(struct sd_crypto *c, const uint8_t *key, size_t key_len, const char *magic, size_t magic_size,
    uint8_t out[NTLM_KEY_LEN])
{
	struct sd_span parts[2];

	parts[0].p = key;
	parts[0].len = key_len;
	parts[1].p = (const uint8_t *)magic;
	parts[1].len = magic_size;
	return sd_crypto_digest(c, SD_MD_MD5, parts, 2, out, NTLM_KEY_LEN);
}

enum sd_err
ntlm_sign_key(struct sd_crypto *c, const uint8_t exported_key[NTLM_KEY_LEN], enum ntlm_direction dir,
    uint8_t out[NTLM_KEY_LEN])
{
	if (exported_key == NULL)
		return SD_ERR_INVALID_ARG;
	if (dir == NTLM_CLIENT_TO_SERVER)
		return md5_key_magic(c, exported_key, NTLM_KEY_LEN, sign_magic_c2s, sizeof(sign_magic_c2s), out);
	return md5_key_magic(c, exported_key, NTLM_KEY_LEN, sign_magic_s2c, sizeof(sign_magic_s2c), out);
}

enum sd_err
ntlm_seal_key(struct sd_crypto *c, uint32_t flags, const uint8_t exported_key[NTLM_KEY_LEN],
    enum ntlm_direction dir, uint8_t out[NTLM_KEY_LEN])
{
	size_t key_len = 5;

	if (exported_key == NULL)
		return SD_ERR_INVALID_ARG;
	if (!(flags & NTLM_CRYPTO_FLAG_ESS))
		return SD_ERR_UNSUPPORTED;
	if (flags & NTLM_CRYPTO_FLAG_128)
		key_len = 16;
	else if (flags & NTLM_CRYPTO_FLAG_56)
		key_len = 7;
	if (dir == NTLM_CLIENT_TO_SERVER)
		return md5_key_magic(c, exported_key, key_len, seal_magic_c2s, sizeof(seal_magic_c2s), out);
	return md5_key_magic(c, exported_key, key_len, seal_magic_s2c, sizeof(seal_magic_s2c), out);
}

enum sd_err
ntlm_signature(struct sd_crypto *c, uint32_t flags, const uint8_t exported_key[NTLM_KEY_LEN],
    enum ntlm_direction dir, uint32_t seq_num, const uint8_t *msg, size_t msg_len, uint8_t out[NTLM_SIGNATURE_LEN])
{
	uint8_t sign_key[NTLM_KEY_LEN], seal_key[NTLM_KEY_LEN], seq[4], checksum[8];
	struct sd_span parts[2];
	enum sd_err err;

	if (out == NULL || (msg == NULL && msg_len != 0))
		return SD_ERR_INVALID_ARG;
	if (!(flags & NTLM_CRYPTO_FLAG_ESS))
		return SD_ERR_UNSUPPORTED;
	sd_store_u32le(seq, seq_num);
	parts[0].p = seq;
	parts[0].len = sizeof(seq);
	parts[1].p = msg;
	parts[1].len = msg_len;
	err = ntlm_sign_key(c, exported_key, dir, sign_key);
	if (err == SD_OK)
		err = sd_crypto_hmac(c, SD_MD_MD5, sign_key, NTLM_KEY_LEN, parts, 2, checksum, sizeof(checksum));
	if (err == SD_OK && (flags & NTLM_CRYPTO_FLAG_KEY_EXCH)) {
		err = ntlm_seal_key(c, flags, exported_key, dir, seal_key);
		if (err == SD_OK)
			err = sd_crypto_rc4(c, seal_key, NTLM_KEY_LEN, checksum, sizeof(checksum), checksum);
	}
	if (err == SD_OK) {
		sd_store_u32le(out, 1);
		memcpy(out + 4, checksum, sizeof(checksum));
		memcpy(out + 12, seq, sizeof(seq));
	}
	OPENSSL_cleanse(sign_key, sizeof(sign_key));
	OPENSSL_cleanse(seal_key, sizeof(seal_key));
	return err;
}

enum sd_err
ntlm_mech_list_mic(struct sd_crypto *c, uint32_t flags, const uint8_t exported_key[NTLM_KEY_LEN],
    enum ntlm_direction dir, const uint8_t *mech_types_der, size_t der_len, uint8_t out[NTLM_SIGNATURE_LEN])
{
	return ntlm_signature(c, flags, exported_key, dir, 0, mech_types_der, der_len, out);
}

enum sd_err
ntlm_mech_list_mic_verify(struct sd_crypto *c, uint32_t flags, const uint8_t exported_key[NTLM_KEY_LEN],
    enum ntlm_direction dir, const uint8_t *mech_types_der, size_t der_len, const uint8_t *mic, size_t mic_len)
{
	uint8_t expected[NTLM_SIGNATURE_LEN];
	enum sd_err err;

	if (mic == NULL)
		return SD_ERR_INVALID_ARG;
	err = ntlm_mech_list_mic(c, flags, exported_key, dir, mech_types_der, der_len, expected);
	if (err == SD_OK && (mic_len != NTLM_SIGNATURE_LEN || CRYPTO_memcmp(expected, mic, NTLM_SIGNATURE_LEN) != 0))
		err = SD_ERR_VERIFY;
	return err;
}
