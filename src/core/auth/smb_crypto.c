#include "core/auth/smb_crypto.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/wire/cursor.h"

/* Header fields used here (MS-SMB2 2.2.1, 2.2.41). */
#define HDR_LEN 64
#define HDR_COMMAND 12
#define HDR_FLAGS 16
#define HDR_NEXT_COMMAND 20
#define HDR_MESSAGE_ID 24
#define FLAG_SERVER_TO_REDIR 0x00000001u
#define FLAG_SIGNED 0x00000008u
#define CMD_CANCEL 0x000C
#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u

#define TH_SIGNATURE 4
#define TH_NONCE 20
#define TH_ORIGINAL_SIZE 36
#define TH_FLAGS 42
#define TH_SESSION_ID 44
#define TH_FLAGS_ENCRYPTED 0x0001
#define AEAD_TAG_LEN 16

static const uint8_t smb2_magic[4] = {0xFE, 'S', 'M', 'B'};
static const uint8_t transform_magic[4] = {0xFD, 'S', 'M', 'B'};

enum smb2_sign_alg
smb2_sign_alg_for(uint16_t dialect, bool negotiated, enum smb2_sign_alg negotiated_alg)
{
	if (dialect < 0x0300)
		return SMB2_SIGN_HMAC_SHA256;
	if (negotiated && dialect >= 0x0311)
		return negotiated_alg;
	return SMB2_SIGN_AES_CMAC;
}

/* --- AEAD (shared by encryption and GMAC) -------------------------- */

static bool
cipher_is_gcm(enum smb3_cipher cipher)
{
	return cipher == SMB3_CIPHER_AES128_GCM || cipher == SMB3_CIPHER_AES256_GCM;
}

size_t
smb3_cipher_key_len(enum smb3_cipher cipher)
{
	switch (cipher) {
	case SMB3_CIPHER_AES128_CCM:
	case SMB3_CIPHER_AES128_GCM:
		return 16;
	case SMB3_CIPHER_AES256_CCM:
	case SMB3_CIPHER_AES256_GCM:
		return 32;
	default:
		return 0;
	}
}

size_t
smb3_cipher_nonce_len(enum smb3_cipher cipher)
{
	if (smb3_cipher_key_len(cipher) == 0)
		return 0;
	return cipher_is_gcm(cipher) ? 12 : 11;
}

static enum sd_crypto_cipher
evp_cipher_id(enum smb3_cipher cipher)
{
	switch (cipher) {
	case SMB3_CIPHER_AES128_CCM:
		return SD_CIPHER_AES128_CCM;
	case SMB3_CIPHER_AES128_GCM:
		return SD_CIPHER_AES128_GCM;
	case SMB3_CIPHER_AES256_CCM:
		return SD_CIPHER_AES256_CCM;
	default:
		return SD_CIPHER_AES256_GCM;
	}
}

/* One AEAD operation. CCM wants the whole AAD and the whole text in one
 * call each (OpenSSL's CCM is not streaming), so CCM callers pass a single
 * AAD part; GCM takes any number. On decryption *tag is the expected tag
 * and a mismatch is SD_ERR_VERIFY; on encryption *tag receives it.
 * Arguments were checked by the callers (key length, nonce length). */
struct aead_job {
	enum smb3_cipher cipher;
	const uint8_t *key;
	const uint8_t *nonce;
	const struct sd_span *aad;
	size_t n_aad;
	const uint8_t *in;
	size_t len;          /* <= INT_MAX */
	uint8_t *out;
	uint8_t *tag;        /* AEAD_TAG_LEN bytes */
	bool encrypt;
};

static bool
aead_setup(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *alg, const struct aead_job *j)
{
	int enc = j->encrypt ? 1 : 0;
	bool gcm = cipher_is_gcm(j->cipher);
	int outl = 0;

	if (!EVP_CipherInit_ex2(ctx, alg, NULL, NULL, enc, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, gcm ? 12 : 11, NULL))
		return false;
	/* CCM fixes the tag length (and, decrypting, the tag) before the key. */
	if (!gcm && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN, j->encrypt ? NULL : j->tag))
		return false;
	if (!EVP_CipherInit_ex2(ctx, NULL, j->key, j->nonce, enc, NULL))
		return false;
	if (!gcm && !EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)j->len))
		return false;
	return true;
}

static enum sd_err
aead_run(struct sd_crypto *c, const struct aead_job *j)
{
	uint8_t no_output[AEAD_TAG_LEN];  /* GMAC: Final wants somewhere to write */
	EVP_CIPHER_CTX *ctx;
	EVP_CIPHER *alg;
	enum sd_err err;
	bool gcm = cipher_is_gcm(j->cipher);
	int outl = 0, fin = 0;
	size_t i;

	if ((err = sd_crypto_get_cipher(c, evp_cipher_id(j->cipher), &alg)) != SD_OK)
		return err;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return SD_ERR_NOMEM;
	err = aead_setup(ctx, alg, j) ? SD_OK : SD_ERR_CRYPTO;
	for (i = 0; err == SD_OK && i < j->n_aad; i++)
		if (j->aad[i].len > INT_MAX ||
		    !EVP_CipherUpdate(ctx, NULL, &outl, j->aad[i].p, (int)j->aad[i].len))
			err = SD_ERR_CRYPTO;
	if (err == SD_OK && gcm && !j->encrypt &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN, j->tag))
		err = SD_ERR_CRYPTO;
	/* From here a decryption failure means the tag did not verify. */
	if (err == SD_OK && j->len > 0 && !EVP_CipherUpdate(ctx, j->out, &outl, j->in, (int)j->len))
		err = j->encrypt ? SD_ERR_CRYPTO : SD_ERR_VERIFY;
	if (err == SD_OK && (gcm || j->encrypt) &&
	    !EVP_CipherFinal_ex(ctx, j->len > 0 ? j->out + outl : no_output, &fin))
		err = j->encrypt ? SD_ERR_CRYPTO : SD_ERR_VERIFY;
	if (err == SD_OK && j->encrypt && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN, j->tag))
		err = SD_ERR_CRYPTO;
	EVP_CIPHER_CTX_free(ctx);
	if (err != SD_OK && j->len > 0 && j->out != NULL)
		OPENSSL_cleanse(j->out, j->len);
	return err;
}

/* --- signing ------------------------------------------------------- */

static enum sd_err
check_smb2_header(const uint8_t *msg, size_t len)
{
	if (msg == NULL)
		return SD_ERR_INVALID_ARG;
	if (len < HDR_LEN)
		return SD_ERR_TRUNCATED;
	if (memcmp(msg, smb2_magic, sizeof(smb2_magic)) != 0)
		return SD_ERR_PROTOCOL_ID;
	return SD_OK;
}

static enum sd_err
gmac_signature(struct sd_crypto *c, const uint8_t *key, const struct sd_span *parts, const uint8_t *msg,
    uint8_t out[SMB2_SIG_LEN])
{
	uint8_t nonce[12];
	uint32_t flags = sd_load_u32le(msg + HDR_FLAGS), word = 0;
	bool from_server = (flags & FLAG_SERVER_TO_REDIR) != 0;

	if (from_server)
		word |= 1;
	if (!from_server && sd_load_u16le(msg + HDR_COMMAND) == CMD_CANCEL)
		word |= 2;
	memcpy(nonce, msg + HDR_MESSAGE_ID, 8);
	sd_store_u32le(nonce + 8, word);
	/* Not through aead_run: EVP's first cipher fetch costs more than a
	 * whole probe (crypto_ctx.c). */
	return sd_crypto_gmac_aes128(c, key, nonce, parts, 3, out);
}

enum sd_err
smb2_signature(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len,
    const uint8_t *msg, size_t len, uint8_t out[SMB2_SIG_LEN])
{
	static const uint8_t zero_sig[SMB2_SIG_LEN];
	struct sd_span parts[3];
	enum sd_err err;

	if (c == NULL || key == NULL || out == NULL || key_len == 0)
		return SD_ERR_INVALID_ARG;
	if ((err = check_smb2_header(msg, len)) != SD_OK)
		return err;
	parts[0].p = msg;
	parts[0].len = SMB2_SIG_OFFSET;
	parts[1].p = zero_sig;
	parts[1].len = SMB2_SIG_LEN;
	parts[2].p = msg + HDR_LEN;
	parts[2].len = len - HDR_LEN;
	switch (alg) {
	case SMB2_SIGN_HMAC_SHA256:
		return sd_crypto_hmac(c, SD_MD_SHA256, key, key_len, parts, 3, out, SMB2_SIG_LEN);
	case SMB2_SIGN_AES_CMAC:
		if (key_len != 16)
			return SD_ERR_INVALID_ARG;
		return sd_crypto_cmac_aes128(c, key, parts, 3, out);
	case SMB2_SIGN_AES_GMAC:
		if (key_len != 16 || len > INT_MAX)
			return SD_ERR_INVALID_ARG;
		return gmac_signature(c, key, parts, msg, out);
	default:
		return SD_ERR_INVALID_ARG;
	}
}

enum sd_err
smb2_sign(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len, uint8_t *msg, size_t len)
{
	uint8_t sig[SMB2_SIG_LEN];
	enum sd_err err;

	if ((err = check_smb2_header(msg, len)) != SD_OK)
		return err;
	sd_store_u32le(msg + HDR_FLAGS, sd_load_u32le(msg + HDR_FLAGS) | FLAG_SIGNED);
	err = smb2_signature(c, alg, key, key_len, msg, len, sig);
	if (err == SD_OK)
		memcpy(msg + SMB2_SIG_OFFSET, sig, SMB2_SIG_LEN);
	return err;
}

enum sd_err
smb2_verify(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len,
    const uint8_t *msg, size_t len)
{
	uint8_t sig[SMB2_SIG_LEN];
	enum sd_err err;

	err = smb2_signature(c, alg, key, key_len, msg, len, sig);
	if (err == SD_OK && CRYPTO_memcmp(sig, msg + SMB2_SIG_OFFSET, SMB2_SIG_LEN) != 0)
		err = SD_ERR_VERIFY;
	return err;
}

enum sd_err
smb2_chain_element(const uint8_t *msg, size_t len, size_t off, size_t *elem_len)
{
	uint32_t next;

	if (msg == NULL || elem_len == NULL || off > len)
		return SD_ERR_INVALID_ARG;
	if (len - off < HDR_LEN)
		return SD_ERR_TRUNCATED;
	next = sd_load_u32le(msg + off + HDR_NEXT_COMMAND);
	if (next == 0) {
		*elem_len = len - off;
		return SD_OK;
	}
	if (next < HDR_LEN || next % 8 != 0 || next > len - off || len - off - next < HDR_LEN)
		return SD_ERR_BAD_OFFSET;
	*elem_len = next;
	return SD_OK;
}

enum sd_err
smb2_sign_chain(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len, uint8_t *msg,
    size_t len)
{
	size_t off = 0, elem = 0;
	enum sd_err err;

	if (msg == NULL)
		return SD_ERR_INVALID_ARG;
	do {
		if ((err = smb2_chain_element(msg, len, off, &elem)) != SD_OK)
			return err;
		if ((err = smb2_sign(c, alg, key, key_len, msg + off, elem)) != SD_OK)
			return err;
		off += elem;
	} while (off < len);
	return SD_OK;
}

enum sd_err
smb2_verify_chain(struct sd_crypto *c, enum smb2_sign_alg alg, const uint8_t *key, size_t key_len,
    const uint8_t *msg, size_t len)
{
	size_t off = 0, elem = 0;
	enum sd_err err;

	if (msg == NULL)
		return SD_ERR_INVALID_ARG;
	do {
		if ((err = smb2_chain_element(msg, len, off, &elem)) != SD_OK)
			return err;
		if ((err = smb2_verify(c, alg, key, key_len, msg + off, elem)) != SD_OK)
			return err;
		off += elem;
	} while (off < len);
	return SD_OK;
}

/* --- key derivation ------------------------------------------------ */

enum sd_err
smb3_kdf(struct sd_crypto *c, const uint8_t *ki, size_t ki_len, const uint8_t *label, size_t label_len,
    const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
	static const uint8_t counter_one[4] = {0, 0, 0, 1};
	static const uint8_t separator[1] = {0};
	uint8_t l_be[4];
	struct sd_span parts[5];

	if (ki == NULL || ki_len == 0 || (label == NULL && label_len != 0) ||
	    (context == NULL && context_len != 0) || out == NULL || (out_len != 16 && out_len != 32))
		return SD_ERR_INVALID_ARG;
	l_be[0] = 0;
	l_be[1] = 0;
	l_be[2] = (uint8_t)((out_len * 8) >> 8);
	l_be[3] = (uint8_t)(out_len * 8);
	parts[0] = (struct sd_span){counter_one, sizeof(counter_one)};
	parts[1] = (struct sd_span){label, label_len};
	parts[2] = (struct sd_span){separator, sizeof(separator)};
	parts[3] = (struct sd_span){context, context_len};
	parts[4] = (struct sd_span){l_be, sizeof(l_be)};
	return sd_crypto_hmac(c, SD_MD_SHA256, ki, ki_len, parts, 5, out, out_len);
}

/* Label / context pairs; sizeof() keeps the terminating NUL, which the
 * spec counts as part of each string. */
struct kdf_text {
	const char *s;
	size_t len;
};
#define KDF_TEXT(lit) {lit, sizeof(lit)}

struct kdf_set {
	struct kdf_text sign_label, sign_ctx, app_label, app_ctx, c2s_label, c2s_ctx, s2c_label, s2c_ctx;
};

static const struct kdf_set kdf_30 = {
	KDF_TEXT("SMB2AESCMAC"), KDF_TEXT("SmbSign"),
	KDF_TEXT("SMB2APP"), KDF_TEXT("SmbRpc"),
	KDF_TEXT("SMB2AESCCM"), KDF_TEXT("ServerIn "),
	KDF_TEXT("SMB2AESCCM"), KDF_TEXT("ServerOut"),
};

/* 3.1.1 contexts are the preauth hash; only the labels are text. */
static const struct kdf_set kdf_311 = {
	KDF_TEXT("SMBSigningKey"), {NULL, 0},
	KDF_TEXT("SMBAppKey"), {NULL, 0},
	KDF_TEXT("SMBC2SCipherKey"), {NULL, 0},
	KDF_TEXT("SMBS2CCipherKey"), {NULL, 0},
};

static enum sd_err
kdf_text(struct sd_crypto *c, const uint8_t *ki, size_t ki_len, struct kdf_text label, struct kdf_text ctx,
    const uint8_t *preauth_hash, uint8_t *out, size_t out_len)
{
	const uint8_t *context = preauth_hash ? preauth_hash : (const uint8_t *)ctx.s;
	size_t context_len = preauth_hash ? SMB311_PREAUTH_HASH_LEN : ctx.len;

	return smb3_kdf(c, ki, ki_len, (const uint8_t *)label.s, label.len, context, context_len, out, out_len);
}

static enum sd_err
derive_3x(struct sd_crypto *c, const struct kdf_set *set, enum smb3_cipher cipher, const uint8_t *session_key,
    size_t session_key_len, const uint8_t *preauth_hash, struct smb3_keys *out)
{
	uint8_t sk16[SMB3_SIGNING_KEY_LEN] = {0};
	const uint8_t *cipher_ki = sk16;
	size_t cipher_ki_len = sizeof(sk16);
	enum sd_err err;

	/* Session.SessionKey: the first 16 bytes, zero-padded (3.2.1.3). */
	memcpy(sk16, session_key, session_key_len < sizeof(sk16) ? session_key_len : sizeof(sk16));
	out->cipher_key_len = smb3_cipher_key_len(cipher) == 32 ? 32 : 16;
	if (out->cipher_key_len == 32) {
		cipher_ki = session_key;  /* Session.FullSessionKey */
		cipher_ki_len = session_key_len;
	}
	err = kdf_text(c, sk16, sizeof(sk16), set->sign_label, set->sign_ctx, preauth_hash, out->signing, 16);
	if (err == SD_OK)
		err = kdf_text(c, sk16, sizeof(sk16), set->app_label, set->app_ctx, preauth_hash, out->application, 16);
	if (err == SD_OK)
		err = kdf_text(c, cipher_ki, cipher_ki_len, set->c2s_label, set->c2s_ctx, preauth_hash, out->c2s,
		    out->cipher_key_len);
	if (err == SD_OK)
		err = kdf_text(c, cipher_ki, cipher_ki_len, set->s2c_label, set->s2c_ctx, preauth_hash, out->s2c,
		    out->cipher_key_len);
	OPENSSL_cleanse(sk16, sizeof(sk16));
	return err;
}

enum sd_err
smb3_derive_keys(struct sd_crypto *c, uint16_t dialect, enum smb3_cipher cipher, const uint8_t *session_key,
    size_t session_key_len, const uint8_t *preauth_hash, struct smb3_keys *out)
{
	enum sd_err err;

	if (out == NULL || session_key == NULL || session_key_len == 0 ||
	    (cipher != SMB3_CIPHER_NONE && smb3_cipher_key_len(cipher) == 0))
		return SD_ERR_INVALID_ARG;
	memset(out, 0, sizeof(*out));
	switch (dialect) {
	case 0x0202:
	case 0x0210:
		memcpy(out->signing, session_key, session_key_len < 16 ? session_key_len : 16);
		memcpy(out->application, out->signing, 16);
		return SD_OK;
	case 0x0300:
	case 0x0302:
		if (cipher != SMB3_CIPHER_NONE && cipher != SMB3_CIPHER_AES128_CCM)
			return SD_ERR_INVALID_ARG;
		err = derive_3x(c, &kdf_30, SMB3_CIPHER_AES128_CCM, session_key, session_key_len, NULL, out);
		break;
	case 0x0311:
		if (preauth_hash == NULL)
			return SD_ERR_INVALID_ARG;
		err = derive_3x(c, &kdf_311, cipher, session_key, session_key_len, preauth_hash, out);
		break;
	default:
		return SD_ERR_INVALID_ARG;
	}
	if (err != SD_OK)
		OPENSSL_cleanse(out, sizeof(*out));
	return err;
}

/* --- preauthentication integrity ----------------------------------- */

void
smb311_preauth_init(uint8_t hash[SMB311_PREAUTH_HASH_LEN])
{
	memset(hash, 0, SMB311_PREAUTH_HASH_LEN);
}

enum sd_err
smb311_preauth_update(struct sd_crypto *c, uint8_t hash[SMB311_PREAUTH_HASH_LEN], const uint8_t *msg, size_t len)
{
	uint8_t next[SMB311_PREAUTH_HASH_LEN];
	struct sd_span parts[2];
	enum sd_err err;

	if (hash == NULL || (msg == NULL && len != 0))
		return SD_ERR_INVALID_ARG;
	parts[0] = (struct sd_span){hash, SMB311_PREAUTH_HASH_LEN};
	parts[1] = (struct sd_span){msg, len};
	err = sd_crypto_digest(c, SD_MD_SHA512, parts, 2, next, sizeof(next));
	if (err == SD_OK)
		memcpy(hash, next, sizeof(next));
	return err;
}

void
smb311_preauth_session_start(uint8_t session_hash[SMB311_PREAUTH_HASH_LEN],
    const uint8_t connection_hash[SMB311_PREAUTH_HASH_LEN])
{
	memmove(session_hash, connection_hash, SMB311_PREAUTH_HASH_LEN);
}

bool
smb311_preauth_session_hashes(bool is_response, uint32_t status)
{
	return !is_response || status == STATUS_MORE_PROCESSING_REQUIRED;
}

/* --- encryption ---------------------------------------------------- */

static enum sd_err
check_cipher_key(enum smb3_cipher cipher, const uint8_t *key, size_t key_len)
{
	size_t want = smb3_cipher_key_len(cipher);

	if (want == 0 || key == NULL || key_len != want)
		return SD_ERR_INVALID_ARG;
	return SD_OK;
}

enum sd_err
smb3_transform_seal(struct sd_crypto *c, enum smb3_cipher cipher, const uint8_t *key, size_t key_len,
    const uint8_t *nonce, size_t nonce_len, uint64_t session_id, const uint8_t *plaintext, size_t len,
    uint8_t *out, size_t cap, size_t *out_len)
{
	struct sd_span aad;
	struct aead_job j;
	enum sd_err err;

	if ((err = check_cipher_key(cipher, key, key_len)) != SD_OK)
		return err;
	if (nonce == NULL || nonce_len < smb3_cipher_nonce_len(cipher) || nonce_len > SMB3_NONCE_FIELD_LEN ||
	    plaintext == NULL || len == 0 || len > INT_MAX || out == NULL)
		return SD_ERR_INVALID_ARG;
	if (cap < SMB3_TRANSFORM_HEADER_LEN || cap - SMB3_TRANSFORM_HEADER_LEN < len)
		return SD_ERR_NO_SPACE;
	memset(out, 0, SMB3_TRANSFORM_HEADER_LEN);
	memcpy(out, transform_magic, sizeof(transform_magic));
	memcpy(out + TH_NONCE, nonce, nonce_len);
	sd_store_u32le(out + TH_ORIGINAL_SIZE, (uint32_t)len);
	sd_store_u16le(out + TH_FLAGS, TH_FLAGS_ENCRYPTED);
	sd_store_u64le(out + TH_SESSION_ID, session_id);
	aad = (struct sd_span){out + SMB3_TRANSFORM_AAD_OFFSET, SMB3_TRANSFORM_HEADER_LEN - SMB3_TRANSFORM_AAD_OFFSET};
	memset(&j, 0, sizeof(j));
	j.cipher = cipher;
	j.key = key;
	j.nonce = out + TH_NONCE;
	j.aad = &aad;
	j.n_aad = 1;
	j.in = plaintext;
	j.len = len;
	j.out = out + SMB3_TRANSFORM_HEADER_LEN;
	j.tag = out + TH_SIGNATURE;
	j.encrypt = true;
	err = aead_run(c, &j);
	if (err != SD_OK) {
		OPENSSL_cleanse(out, SMB3_TRANSFORM_HEADER_LEN);
		return err;
	}
	if (out_len != NULL)
		*out_len = SMB3_TRANSFORM_HEADER_LEN + len;
	return SD_OK;
}

static enum sd_err
check_transform_header(const uint8_t *msg, size_t len)
{
	if (msg == NULL)
		return SD_ERR_INVALID_ARG;
	if (len < SMB3_TRANSFORM_HEADER_LEN)
		return SD_ERR_TRUNCATED;
	if (memcmp(msg, transform_magic, sizeof(transform_magic)) != 0)
		return SD_ERR_PROTOCOL_ID;
	return SD_OK;
}

enum sd_err
smb3_transform_session_id(const uint8_t *msg, size_t len, uint64_t *session_id)
{
	enum sd_err err;

	if (session_id == NULL)
		return SD_ERR_INVALID_ARG;
	if ((err = check_transform_header(msg, len)) != SD_OK)
		return err;
	*session_id = sd_load_u64le(msg + TH_SESSION_ID);
	return SD_OK;
}

enum sd_err
smb3_transform_unseal(struct sd_crypto *c, enum smb3_cipher cipher, const uint8_t *key, size_t key_len,
    const uint8_t *msg, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t tag[AEAD_TAG_LEN];
	struct sd_span aad;
	struct aead_job j;
	uint32_t size;
	enum sd_err err;

	if ((err = check_cipher_key(cipher, key, key_len)) != SD_OK)
		return err;
	if ((err = check_transform_header(msg, len)) != SD_OK)
		return err;
	if (out == NULL)
		return SD_ERR_INVALID_ARG;
	size = sd_load_u32le(msg + TH_ORIGINAL_SIZE);
	if (size > len - SMB3_TRANSFORM_HEADER_LEN)
		return SD_ERR_TRUNCATED;
	if (size == 0 || size < len - SMB3_TRANSFORM_HEADER_LEN || size > INT_MAX ||
	    sd_load_u16le(msg + TH_FLAGS) != TH_FLAGS_ENCRYPTED)
		return SD_ERR_MALFORMED;
	if (cap < size)
		return SD_ERR_NO_SPACE;
	memcpy(tag, msg + TH_SIGNATURE, sizeof(tag));
	aad = (struct sd_span){msg + SMB3_TRANSFORM_AAD_OFFSET, SMB3_TRANSFORM_HEADER_LEN - SMB3_TRANSFORM_AAD_OFFSET};
	memset(&j, 0, sizeof(j));
	j.cipher = cipher;
	j.key = key;
	j.nonce = msg + TH_NONCE;
	j.aad = &aad;
	j.n_aad = 1;
	j.in = msg + SMB3_TRANSFORM_HEADER_LEN;
	j.len = size;
	j.out = out;
	j.tag = tag;
	j.encrypt = false;
	err = aead_run(c, &j);
	if (err == SD_OK && out_len != NULL)
		*out_len = size;
	return err;
}
