/* Session key tracker (src/core/proto/keytrack.h) against the official
 * SMB 3.1.1 NTLM exchange of the 2017 Open Specifications blog (password
 * "Password01!", failure-catalog.md 5.6.2) and the SMB 3.0 AES-128-CCM
 * encryption vectors (5.6.4), plus hand-built and broken input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/auth/ntlm_crypto.h"
#include "core/auth/smb_crypto.h"
#include "core/auth/spnego.h"
#include "core/proto/keytrack.h"
#include "core/wire/smb2.h"
#include "vector_file.h"

#define PREAUTH "smb311-preauth-keys.txt"
#define NTLM_BLOG "smb311-ntlm-blog.txt"
#define CCM30 "smb30-ccm-encryption.txt"
#define BLOG_SESSION_ID 0x0000100000000019ull
#define STATUS_LOGON_FAILURE 0xC000006Du
#define OUT_CAP 4096

struct fixture {
	struct sd_crypto *crypto;
	struct vec_file preauth;
	struct vec_file ntlm;
	uint8_t out[OUT_CAP];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || sd_crypto_create(&f->crypto) != SD_OK)
		return -1;
	vec_load(&f->preauth, PREAUTH);
	vec_load(&f->ntlm, NTLM_BLOG);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	vec_free(&f->preauth);
	vec_free(&f->ntlm);
	sd_crypto_free(f->crypto);
	free(f);
	return 0;
}

static struct smb2_keytrack *
tracker(struct fixture *f, const char *password, const char *user, const char *domain)
{
	struct smb2_kt_creds creds = {password, NULL, user, domain};
	struct smb2_keytrack *kt = NULL;

	assert_int_equal(smb2_keytrack_create(f->crypto, &creds, &kt), SD_OK);
	return kt;
}

/* Feeds a heap copy of exactly len bytes (ASan sees over-reads). */
static void
feed(struct fixture *f, struct smb2_keytrack *kt, enum smb2_kt_dir dir, const uint8_t *p, size_t len,
     struct smb2_kt_result *res)
{
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, p, len);
	assert_int_equal(smb2_keytrack_feed(kt, dir, copy, len, f->out, sizeof(f->out), res), SD_OK);
	/* plain points into the input: keep the comparison before free. */
	if (res->outcome == SMB2_KT_PLAIN) {
		assert_ptr_equal(res->plain, copy);
		res->plain = p;
	}
	free(copy);
}

static const char *const blog_steps[] = {
	"negotiate_req", "negotiate_rsp", "setup_req1", "setup_rsp1", "setup_req2", "setup_rsp2",
};

/* Feeds the blog exchange up to (not including) step `upto`. */
static void
feed_blog(struct fixture *f, struct smb2_keytrack *kt, size_t upto, struct smb2_kt_result *res)
{
	size_t i, len;
	const uint8_t *p;

	for (i = 0; i < upto; i++) {
		p = vec_get(&f->preauth, blog_steps[i], &len);
		feed(f, kt, i % 2 ? SMB2_KT_S2C : SMB2_KT_C2S, p, len, res);
		assert_int_equal(res->outcome, SMB2_KT_PLAIN);
	}
}

static void
blog_exchange_with_password(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt = tracker(f, "Password01!", NULL, NULL);
	const struct smb2_kt_connection *c;
	const struct smb2_kt_session *s;
	struct smb2_kt_result res;

	feed_blog(f, kt, 6, &res);
	c = smb2_keytrack_connection(kt);
	assert_true(c->negotiated);
	assert_int_equal(c->dialect, 0x0311);
	assert_int_equal(c->cipher, SMB3_CIPHER_AES128_GCM);
	assert_false(c->signing_alg_negotiated);
	assert_memory_equal(c->preauth_hash, vec_get_n(&f->preauth, "h2", 64), 64);
	/* The final response verifies with the derived signing key. */
	assert_int_equal(res.n_elems, 1);
	assert_int_equal(res.sig[0], SMB2_KT_SIG_VALID);
	assert_true(res.session_changed);
	assert_true(res.changed_session_id == BLOG_SESSION_ID);
	assert_true(res.session_known);
	assert_int_equal(res.session_state, SMB2_KT_KEYS_READY);
	assert_int_equal(smb2_keytrack_n_sessions(kt), 1);
	s = smb2_keytrack_session(kt, BLOG_SESSION_ID);
	assert_non_null(s);
	assert_ptr_equal(s, smb2_keytrack_session_at(kt, 0));
	assert_null(smb2_keytrack_session_at(kt, 1));
	assert_int_equal(s->state, SMB2_KT_KEYS_READY);
	assert_string_equal(s->user, "administrator");
	assert_string_equal(s->domain, "SUT311");
	assert_false(s->empty_domain_matched);
	assert_int_equal(s->session_key_len, 16);
	assert_memory_equal(s->session_key, vec_get_n(&f->preauth, "session_key", 16), 16);
	assert_memory_equal(s->keys.signing, vec_get_n(&f->preauth, "signing_key", 16), 16);
	assert_memory_equal(s->keys.c2s, vec_get_n(&f->preauth, "encryption_key", 16), 16);
	assert_memory_equal(s->keys.s2c, vec_get_n(&f->preauth, "decryption_key", 16), 16);
	assert_memory_equal(s->keys.application, vec_get_n(&f->preauth, "application_key", 16), 16);
	assert_int_equal(s->signed_ok, 1);
	assert_int_equal(s->signed_bad, 0);
	smb2_keytrack_free(kt);
}

static void
blog_exchange_with_nt_hash_and_filter(void **state)
{
	struct fixture *f = *state;
	struct smb2_kt_creds creds = {NULL, vec_get_n(&f->ntlm, "nt_hash", 16), "ADMINISTRATOR", "sut311"};
	struct smb2_keytrack *kt = NULL;
	struct smb2_kt_result res;

	assert_int_equal(smb2_keytrack_create(f->crypto, &creds, &kt), SD_OK);
	feed_blog(f, kt, 6, &res);
	assert_int_equal(res.sig[0], SMB2_KT_SIG_VALID);
	assert_int_equal(smb2_keytrack_session(kt, BLOG_SESSION_ID)->state, SMB2_KT_KEYS_READY);
	smb2_keytrack_free(kt);
}

static void
wrong_password_other_user_no_secret(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt;
	struct smb2_kt_result res;

	kt = tracker(f, "Password02!", NULL, NULL);
	feed_blog(f, kt, 6, &res);
	assert_true(res.session_changed);
	assert_int_equal(res.sig[0], SMB2_KT_SIG_NO_KEY);
	assert_int_equal(res.session_state, SMB2_KT_WRONG_PASSWORD);
	assert_string_equal(smb2_keytrack_state_text(SMB2_KT_WRONG_PASSWORD),
			    "could not authenticate the session with the given password");
	assert_int_equal(smb2_keytrack_session(kt, BLOG_SESSION_ID)->session_key_len, 0);
	smb2_keytrack_free(kt);

	kt = tracker(f, "Password01!", "bob", NULL);
	feed_blog(f, kt, 6, &res);
	assert_int_equal(res.session_state, SMB2_KT_OTHER_USER);
	smb2_keytrack_free(kt);

	kt = tracker(f, "Password01!", NULL, "OTHERDOM");
	feed_blog(f, kt, 6, &res);
	assert_int_equal(res.session_state, SMB2_KT_OTHER_USER);
	smb2_keytrack_free(kt);

	assert_int_equal(smb2_keytrack_create(f->crypto, NULL, &kt), SD_OK);
	feed_blog(f, kt, 6, &res);
	assert_int_equal(res.session_state, SMB2_KT_NO_SECRET);
	assert_int_equal(res.sig[0], SMB2_KT_SIG_NO_KEY);
	smb2_keytrack_free(kt);
}

static void
flipped_byte_does_not_verify(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt = tracker(f, "Password01!", NULL, NULL);
	struct smb2_kt_result res;
	const uint8_t *p;
	uint8_t msg[256];
	size_t len;

	feed_blog(f, kt, 5, &res);
	p = vec_get(&f->preauth, "setup_rsp2", &len);
	memcpy(msg, p, len);
	msg[len - 1] ^= 0x01;
	feed(f, kt, SMB2_KT_S2C, msg, len, &res);
	assert_int_equal(res.session_state, SMB2_KT_KEYS_READY);
	assert_int_equal(res.sig[0], SMB2_KT_SIG_INVALID);
	msg[len - 1] ^= 0x01;
	feed(f, kt, SMB2_KT_S2C, msg, len, &res);
	assert_int_equal(res.sig[0], SMB2_KT_SIG_VALID);
	assert_int_equal(smb2_keytrack_session(kt, BLOG_SESSION_ID)->signed_bad, 1);
	smb2_keytrack_free(kt);
}

/* A plain TREE_CONNECT request of the blog session, sealed with a key. */
static size_t
sealed_tree_connect(struct fixture *f, const uint8_t *key, uint8_t *plain, size_t *plain_len, uint8_t *out,
		    size_t cap)
{
	static const uint8_t nonce[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	struct smb2_tree_connect_req req;
	struct smb2_header h;
	struct sd_wr w;
	size_t out_len = 0;
	static const uint8_t path[] = {'\\', 0, '\\', 0, 's', 0, '\\', 0, 'd', 0};

	memset(&h, 0, sizeof(h));
	memset(&req, 0, sizeof(req));
	h.command = SMB2_TREE_CONNECT;
	h.message_id = 4;
	h.session_id = BLOG_SESSION_ID;
	req.path = path;
	req.path_len = sizeof(path);
	sd_wr_init(&w, plain, 256);
	assert_int_equal(smb2_header_encode(&h, &w), SD_OK);
	assert_int_equal(smb2_tree_connect_req_encode(&req, &w), SD_OK);
	*plain_len = w.len;
	assert_int_equal(smb3_transform_seal(f->crypto, SMB3_CIPHER_AES128_GCM, key, 16, nonce, sizeof(nonce),
					     BLOG_SESSION_ID, plain, w.len, out, cap, &out_len),
			 SD_OK);
	return out_len;
}

static void
decrypts_by_direction(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt = tracker(f, "Password01!", NULL, NULL);
	const struct smb2_kt_session *s;
	struct smb2_kt_result res;
	uint8_t plain[256], sealed[512];
	size_t plain_len, sealed_len;

	feed_blog(f, kt, 6, &res);
	s = smb2_keytrack_session(kt, BLOG_SESSION_ID);
	sealed_len = sealed_tree_connect(f, vec_get_n(&f->preauth, "encryption_key", 16), plain, &plain_len, sealed,
					 sizeof(sealed));
	feed(f, kt, SMB2_KT_C2S, sealed, sealed_len, &res);
	assert_int_equal(res.outcome, SMB2_KT_DECRYPTED);
	assert_true(res.session_id == BLOG_SESSION_ID);
	assert_ptr_equal(res.plain, f->out);
	assert_int_equal(res.plain_len, plain_len);
	assert_memory_equal(res.plain, plain, plain_len);
	assert_int_equal(res.n_elems, 1);
	assert_int_equal(res.sig[0], SMB2_KT_SIG_SEALED);
	/* The other direction's key does not open it. */
	feed(f, kt, SMB2_KT_S2C, sealed, sealed_len, &res);
	assert_int_equal(res.outcome, SMB2_KT_DECRYPT_FAILED);
	assert_int_equal(res.err, SD_ERR_VERIFY);
	assert_null(res.plain);
	/* Nor does an altered message. */
	sealed[sealed_len - 1] ^= 0x80;
	feed(f, kt, SMB2_KT_C2S, sealed, sealed_len, &res);
	assert_int_equal(res.outcome, SMB2_KT_DECRYPT_FAILED);
	assert_int_equal(s->decrypted, 1);
	assert_int_equal(s->decrypt_failed, 2);
	/* Too small an output buffer is the caller's error. */
	sealed[sealed_len - 1] ^= 0x80;
	assert_int_equal(smb2_keytrack_feed(kt, SMB2_KT_C2S, sealed, sealed_len, f->out, 10, &res), SD_ERR_NO_SPACE);
	assert_int_equal(res.outcome, SMB2_KT_DECRYPT_FAILED);
	smb2_keytrack_free(kt);
}

static void
no_key_cases(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt = tracker(f, "Password02!", NULL, NULL);
	struct smb2_kt_result res;
	uint8_t plain[256], sealed[512];
	size_t plain_len, sealed_len;

	sealed_len = sealed_tree_connect(f, vec_get_n(&f->preauth, "encryption_key", 16), plain, &plain_len, sealed,
					 sizeof(sealed));
	/* Unknown session. */
	feed(f, kt, SMB2_KT_C2S, sealed, sealed_len, &res);
	assert_int_equal(res.outcome, SMB2_KT_NO_KEY);
	assert_false(res.session_known);
	/* Wrong password: the session is known and says why. */
	feed_blog(f, kt, 6, &res);
	feed(f, kt, SMB2_KT_C2S, sealed, sealed_len, &res);
	assert_int_equal(res.outcome, SMB2_KT_NO_KEY);
	assert_true(res.session_known);
	assert_int_equal(res.session_state, SMB2_KT_WRONG_PASSWORD);
	assert_null(res.plain);
	/* A truncated transform header. */
	feed(f, kt, SMB2_KT_C2S, sealed, 30, &res);
	assert_int_equal(res.outcome, SMB2_KT_DECRYPT_FAILED);
	assert_int_equal(res.err, SD_ERR_TRUNCATED);
	smb2_keytrack_free(kt);
}

static void
capture_started_late(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt = tracker(f, "Password01!", NULL, NULL);
	struct smb2_kt_result res;
	const uint8_t *p;
	size_t i, len;

	/* No NEGOTIATE: the 3.1.1 preauth hash cannot be known. */
	for (i = 2; i < 6; i++) {
		p = vec_get(&f->preauth, blog_steps[i], &len);
		feed(f, kt, i % 2 ? SMB2_KT_S2C : SMB2_KT_C2S, p, len, &res);
	}
	assert_int_equal(res.session_state, SMB2_KT_INCOMPLETE);
	assert_int_equal(res.sig[0], SMB2_KT_SIG_NO_KEY);
	smb2_keytrack_free(kt);

	/* No CHALLENGE: the proof cannot be checked. */
	kt = tracker(f, "Password01!", NULL, NULL);
	feed_blog(f, kt, 3, &res);
	p = vec_get(&f->preauth, "setup_req2", &len);
	feed(f, kt, SMB2_KT_C2S, p, len, &res);
	p = vec_get(&f->preauth, "setup_rsp2", &len);
	feed(f, kt, SMB2_KT_S2C, p, len, &res);
	assert_int_equal(res.session_state, SMB2_KT_INCOMPLETE);
	smb2_keytrack_free(kt);
}

static void
refused_session(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt = tracker(f, "Password01!", NULL, NULL);
	struct smb2_kt_result res;
	const uint8_t *p;
	uint8_t msg[256];
	size_t len;

	feed_blog(f, kt, 5, &res);
	p = vec_get(&f->preauth, "setup_rsp2", &len);
	memcpy(msg, p, len);
	sd_store_u32le(msg + 8, STATUS_LOGON_FAILURE);
	feed(f, kt, SMB2_KT_S2C, msg, len, &res);
	assert_true(res.session_changed);
	assert_int_equal(res.session_state, SMB2_KT_SETUP_FAILED);
	assert_int_equal(smb2_keytrack_session(kt, BLOG_SESSION_ID)->setup_status, STATUS_LOGON_FAILURE);
	smb2_keytrack_free(kt);
}

static void
known_session_key_before_and_after(void **state)
{
	struct fixture *f = *state;
	const uint8_t *key = vec_get_n(&f->preauth, "session_key", 16);
	struct smb2_keytrack *kt = NULL;
	struct smb2_kt_result res;

	assert_int_equal(smb2_keytrack_create(f->crypto, NULL, &kt), SD_OK);
	assert_int_equal(smb2_keytrack_add_session_key(kt, BLOG_SESSION_ID, key, 16), SD_OK);
	feed_blog(f, kt, 6, &res);
	assert_int_equal(res.sig[0], SMB2_KT_SIG_VALID);
	assert_int_equal(smb2_keytrack_n_sessions(kt), 1);
	assert_int_equal(res.session_state, SMB2_KT_KEYS_READY);
	smb2_keytrack_free(kt);

	assert_int_equal(smb2_keytrack_create(f->crypto, NULL, &kt), SD_OK);
	feed_blog(f, kt, 6, &res);
	assert_int_equal(res.session_state, SMB2_KT_NO_SECRET);
	assert_int_equal(smb2_keytrack_add_session_key(kt, BLOG_SESSION_ID, key, 16), SD_OK);
	assert_int_equal(smb2_keytrack_session(kt, BLOG_SESSION_ID)->state, SMB2_KT_KEYS_READY);
	assert_memory_equal(smb2_keytrack_session(kt, BLOG_SESSION_ID)->keys.signing,
			    vec_get_n(&f->preauth, "signing_key", 16), 16);
	assert_int_equal(smb2_keytrack_add_session_key(kt, 1, key, 8), SD_ERR_INVALID_ARG);
	smb2_keytrack_free(kt);
}

/* Builds header + body into buf; returns the length. */
static size_t
build(uint8_t *buf, size_t cap, uint16_t command, bool response, uint64_t session_id, uint64_t message_id,
      uint16_t dialect)
{
	struct smb2_header h;
	struct sd_wr w;

	memset(&h, 0, sizeof(h));
	h.command = command;
	h.credits = 1;
	h.flags = response ? SMB2_FLAGS_SERVER_TO_REDIR : 0;
	h.message_id = message_id;
	h.session_id = session_id;
	sd_wr_init(&w, buf, cap);
	assert_int_equal(smb2_header_encode(&h, &w), SD_OK);
	if (command == SMB2_NEGOTIATE && !response) {
		struct smb2_negotiate_req req;

		memset(&req, 0, sizeof(req));
		req.dialects[0] = dialect;
		req.n_dialects = 1;
		assert_int_equal(smb2_negotiate_req_encode(&req, &w), SD_OK);
	} else if (command == SMB2_NEGOTIATE) {
		struct smb2_negotiate_rsp rsp;

		memset(&rsp, 0, sizeof(rsp));
		rsp.dialect = dialect;
		assert_int_equal(smb2_negotiate_rsp_encode(&rsp, &w), SD_OK);
	} else if (!response) {
		struct smb2_session_setup_req req;

		memset(&req, 0, sizeof(req));
		assert_int_equal(smb2_session_setup_req_encode(&req, &w), SD_OK);
	} else {
		struct smb2_session_setup_rsp rsp;

		memset(&rsp, 0, sizeof(rsp));
		assert_int_equal(smb2_session_setup_rsp_encode(&rsp, &w), SD_OK);
	}
	return w.len;
}

/* SMB 3.0 with the blog's AES-128-CCM messages (5.6.4): the session key
 * is given, the tracker derives the 3.0 keys and opens both directions. */
static void
smb30_ccm_vectors(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt = NULL;
	struct smb2_kt_result res;
	struct vec_file v;
	const uint8_t *sid, *p;
	uint64_t session_id = 0;
	uint8_t msg[256];
	size_t len, plain_len, i;

	vec_load(&v, CCM30);
	sid = vec_get_n(&v, "session_id", 8);
	for (i = 0; i < 8; i++)
		session_id = session_id << 8 | sid[i];
	assert_int_equal(smb2_keytrack_create(f->crypto, NULL, &kt), SD_OK);
	assert_int_equal(smb2_keytrack_add_session_key(kt, session_id, vec_get_n(&v, "session_key", 16), 16), SD_OK);
	feed(f, kt, SMB2_KT_C2S, msg, build(msg, sizeof(msg), SMB2_NEGOTIATE, false, 0, 0, 0x0300), &res);
	feed(f, kt, SMB2_KT_S2C, msg, build(msg, sizeof(msg), SMB2_NEGOTIATE, true, 0, 0, 0x0300), &res);
	assert_int_equal(smb2_keytrack_connection(kt)->cipher, SMB3_CIPHER_AES128_CCM);
	feed(f, kt, SMB2_KT_C2S, msg, build(msg, sizeof(msg), SMB2_SESSION_SETUP, false, 0, 1, 0), &res);
	feed(f, kt, SMB2_KT_S2C, msg, build(msg, sizeof(msg), SMB2_SESSION_SETUP, true, session_id, 1, 0), &res);
	assert_true(res.session_changed);
	assert_int_equal(res.session_state, SMB2_KT_KEYS_READY);
	assert_memory_equal(smb2_keytrack_session(kt, session_id)->keys.c2s, vec_get_n(&v, "encryption_key", 16), 16);
	p = vec_get(&v, "c2s_transform", &len);
	feed(f, kt, SMB2_KT_C2S, p, len, &res);
	assert_int_equal(res.outcome, SMB2_KT_DECRYPTED);
	p = vec_get(&v, "c2s_plaintext", &plain_len);
	assert_memory_equal(res.plain, p, plain_len);
	assert_int_equal(res.plain_len, plain_len);
	p = vec_get(&v, "s2c_transform", &len);
	feed(f, kt, SMB2_KT_S2C, p, len, &res);
	assert_int_equal(res.outcome, SMB2_KT_DECRYPTED);
	p = vec_get(&v, "s2c_plaintext", &plain_len);
	assert_memory_equal(res.plain, p, plain_len);
	smb2_keytrack_free(kt);
	vec_free(&v);
}

/* A Kerberos session: no password helps, a given session key does. */
static void
kerberos_session(void **state)
{
	struct fixture *f = *state;
	static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
	static const uint8_t ap_req[] = {0x6E, 0x03, 0x02, 0x01, 0x05};
	const enum spnego_mech mechs[] = {SPNEGO_MECH_KRB5};
	struct smb2_keytrack *kt;
	struct smb2_session_setup_req req;
	struct spnego_init init;
	struct smb2_kt_result res;
	struct smb2_header h;
	uint8_t tok[128], msg[256];
	struct sd_wr w;
	size_t tok_len, pass;

	memset(&init, 0, sizeof(init));
	init.n_mechs = 1;
	init.mechs[0] = mechs[0];
	init.mech_token.p = ap_req;
	init.mech_token.len = sizeof(ap_req);
	sd_wr_init(&w, tok, sizeof(tok));
	assert_int_equal(spnego_encode_init(&w, &init), SD_OK);
	tok_len = w.len;
	for (pass = 0; pass < 2; pass++) {
		kt = tracker(f, "Password01!", NULL, NULL);
		if (pass == 1)
			assert_int_equal(smb2_keytrack_add_session_key(kt, 0x77, key, sizeof(key)), SD_OK);
		feed(f, kt, SMB2_KT_C2S, msg, build(msg, sizeof(msg), SMB2_NEGOTIATE, false, 0, 0, 0x0302), &res);
		feed(f, kt, SMB2_KT_S2C, msg, build(msg, sizeof(msg), SMB2_NEGOTIATE, true, 0, 0, 0x0302), &res);
		memset(&h, 0, sizeof(h));
		memset(&req, 0, sizeof(req));
		h.command = SMB2_SESSION_SETUP;
		h.message_id = 1;
		req.secbuf = tok;
		req.secbuf_len = (uint16_t)tok_len;
		sd_wr_init(&w, msg, sizeof(msg));
		assert_int_equal(smb2_header_encode(&h, &w), SD_OK);
		assert_int_equal(smb2_session_setup_req_encode(&req, &w), SD_OK);
		feed(f, kt, SMB2_KT_C2S, msg, w.len, &res);
		feed(f, kt, SMB2_KT_S2C, msg, build(msg, sizeof(msg), SMB2_SESSION_SETUP, true, 0x77, 1, 0), &res);
		assert_true(res.session_changed);
		assert_int_equal(res.session_state, pass == 0 ? SMB2_KT_KERBEROS : SMB2_KT_KEYS_READY);
		if (pass == 1)
			assert_int_equal(smb2_keytrack_session(kt, 0x77)->keys.cipher_key_len, 16);
		smb2_keytrack_free(kt);
	}
}

static void
bounded_sessions_and_odd_input(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt = tracker(f, "x", NULL, NULL);
	static const uint8_t smb1[] = {0xFF, 'S', 'M', 'B', 0x72, 0, 0, 0};
	static const uint8_t compressed[] = {0xFC, 'S', 'M', 'B', 0, 0, 0, 0};
	struct smb2_kt_result res;
	uint8_t msg[256];
	uint64_t i;

	for (i = 1; i <= 40; i++) {
		feed(f, kt, SMB2_KT_C2S, msg, build(msg, sizeof(msg), SMB2_SESSION_SETUP, false, i, i, 0), &res);
		assert_true(smb2_keytrack_n_sessions(kt) <= SMB2_KT_MAX_SESSIONS);
	}
	assert_non_null(smb2_keytrack_session(kt, 40));
	assert_null(smb2_keytrack_session(kt, 1));
	assert_int_equal(smb2_keytrack_add_session_key(kt, 99, msg, 16), SD_ERR_LIMIT);
	feed(f, kt, SMB2_KT_C2S, smb1, sizeof(smb1), &res);
	assert_int_equal(res.outcome, SMB2_KT_NOT_SMB2);
	feed(f, kt, SMB2_KT_C2S, compressed, sizeof(compressed), &res);
	assert_int_equal(res.outcome, SMB2_KT_COMPRESSED);
	feed(f, kt, SMB2_KT_C2S, smb1, 2, &res);
	assert_int_equal(res.outcome, SMB2_KT_NOT_SMB2);
	/* A header that does not decode. */
	feed(f, kt, SMB2_KT_C2S, (const uint8_t *)"\xFESMB", 4, &res);
	assert_int_equal(res.outcome, SMB2_KT_PLAIN);
	assert_int_equal(res.n_elems, 0);
	assert_int_equal(smb2_keytrack_feed(kt, SMB2_KT_C2S, NULL, 5, NULL, 0, &res), SD_ERR_INVALID_ARG);
	assert_int_equal(smb2_keytrack_feed(kt, SMB2_KT_C2S, msg, 5, NULL, 0, NULL), SD_ERR_INVALID_ARG);
	smb2_keytrack_free(kt);
	smb2_keytrack_free(NULL);
}

/* Every prefix of every message of the exchange, each on top of the
 * messages before it: no crash, no over-read, and the whole message
 * afterwards still gives the right keys. */
static void
truncation_at_every_byte(void **state)
{
	struct fixture *f = *state;
	struct smb2_keytrack *kt = tracker(f, "Password01!", NULL, NULL);
	struct smb2_kt_result res;
	const uint8_t *p;
	size_t i, n, len;

	for (i = 0; i < 6; i++) {
		p = vec_get(&f->preauth, blog_steps[i], &len);
		/* Prefixes go to a throw-away tracker that saw the same past. */
		for (n = 0; n < len; n += (i >= 4 ? 7 : 1)) {
			struct smb2_keytrack *probe = tracker(f, "Password01!", NULL, NULL);

			feed_blog(f, probe, i, &res);
			feed(f, probe, i % 2 ? SMB2_KT_S2C : SMB2_KT_C2S, p, n, &res);
			smb2_keytrack_free(probe);
		}
		feed(f, kt, i % 2 ? SMB2_KT_S2C : SMB2_KT_C2S, p, len, &res);
	}
	assert_int_equal(res.sig[0], SMB2_KT_SIG_VALID);
	smb2_keytrack_free(kt);
}

static void
names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < SMB2_KT__COUNT; i++) {
		assert_string_not_equal(smb2_keytrack_state_name((enum smb2_kt_state)i), "?");
		assert_string_not_equal(smb2_keytrack_state_text((enum smb2_kt_state)i), "?");
	}
	for (i = 0; i < SMB2_KT_OUTCOME__COUNT; i++)
		assert_string_not_equal(smb2_keytrack_outcome_name((enum smb2_kt_outcome)i), "?");
	for (i = 0; i < SMB2_KT_SIG__COUNT; i++)
		assert_string_not_equal(smb2_keytrack_sig_name((enum smb2_kt_sig)i), "?");
	assert_string_equal(smb2_keytrack_state_name(SMB2_KT__COUNT), "?");
	assert_string_equal(smb2_keytrack_outcome_name(SMB2_KT_OUTCOME__COUNT), "?");
	assert_string_equal(smb2_keytrack_sig_name(SMB2_KT_SIG__COUNT), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blog_exchange_with_password),
		cmocka_unit_test(blog_exchange_with_nt_hash_and_filter),
		cmocka_unit_test(wrong_password_other_user_no_secret),
		cmocka_unit_test(flipped_byte_does_not_verify),
		cmocka_unit_test(decrypts_by_direction),
		cmocka_unit_test(no_key_cases),
		cmocka_unit_test(capture_started_late),
		cmocka_unit_test(refused_session),
		cmocka_unit_test(known_session_key_before_and_after),
		cmocka_unit_test(smb30_ccm_vectors),
		cmocka_unit_test(kerberos_session),
		cmocka_unit_test(bounded_sessions_and_odd_input),
		cmocka_unit_test(truncation_at_every_byte),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
