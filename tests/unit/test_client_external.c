/* The core client with SMB2_MECH_EXTERNAL (the driver's Kerberos through
 * smb2_client_auth_ops) against a scripted SMB 2.1 server in the same
 * process: the first token goes out in a NegTokenInit offering MS-KRB5
 * and KRB5, the server's AP-REP comes back to the driver, the driver's
 * key signs the session (a signed final answer verifies with it), an
 * extra leg carries the driver's next token, and every way the driver or
 * the server can fail ends SESSION_SETUP. Interop with smbd and a real
 * KDC is in tests/interop/test_probe_kerberos.py. */
#include "smb2_test_util.h"

#include "core/auth/smb_crypto.h"
#include "core/auth/spnego.h"
#include "core/proto/client.h"
#include "scripted_server.h"

#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u
#define STATUS_LOGON_FAILURE 0xC000006Du

static struct scripted_server srv;

static const uint8_t ap_req[] = {0x60, 0x05, 0x06, 0x03, 'R', 'E', 'Q'};
static const uint8_t ap_rep[] = {0x6F, 0x03, 'R', 'E', 'P'};
static const uint8_t leg2[] = {0x61, 0x02, 'L', '2'};
static const uint8_t the_key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
				    23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* The fake driver: what it was given and how it should fail. */
struct fake_mech {
	enum sd_err fail_first, fail_next, fail_key;
	bool complete_after_next;
	bool answer_leg2;            /* next_token returns leg2 (not complete) */
	unsigned n_first, n_next, n_key;
	uint8_t got[64];
	size_t got_len;
};

static enum sd_err
fake_first(void *auth_ctx, uint8_t *out, size_t cap, size_t *out_len)
{
	struct fake_mech *m = auth_ctx;

	m->n_first++;
	if (m->fail_first)
		return m->fail_first;
	assert_true(cap >= sizeof(ap_req));
	memcpy(out, ap_req, sizeof(ap_req));
	*out_len = sizeof(ap_req);
	return SD_OK;
}

static enum sd_err
fake_next(void *auth_ctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len,
	  bool *complete)
{
	struct fake_mech *m = auth_ctx;

	m->n_next++;
	if (m->fail_next)
		return m->fail_next;
	assert_true(in_len <= sizeof(m->got));
	memcpy(m->got, in, in_len);
	m->got_len = in_len;
	*out_len = 0;
	if (m->answer_leg2) {
		assert_true(cap >= sizeof(leg2));
		memcpy(out, leg2, sizeof(leg2));
		*out_len = sizeof(leg2);
		m->answer_leg2 = false;
		*complete = false;
		return SD_OK;
	}
	*complete = m->complete_after_next;
	return SD_OK;
}

static enum sd_err
fake_key(void *auth_ctx, uint8_t *key, size_t cap, size_t *key_len)
{
	struct fake_mech *m = auth_ctx;

	m->n_key++;
	if (m->fail_key)
		return m->fail_key;
	assert_true(cap >= sizeof(the_key));
	memcpy(key, the_key, sizeof(the_key));
	*key_len = sizeof(the_key);
	return SD_OK;
}

static const struct smb2_client_auth_ops fake_ops = {fake_first, fake_next, fake_key};

/* NEGOTIATE 2.1; returns the client waiting for its first SESSION_SETUP
 * to be taken. */
static struct smb2_client *
negotiated(struct sd_crypto *crypto, struct fake_mech *m)
{
	struct smb2_client_config cfg;
	struct smb2_client *c;

	memset(&cfg, 0, sizeof(cfg));
	cfg.mech = SMB2_MECH_EXTERNAL;
	cfg.auth = &fake_ops;
	cfg.auth_ctx = m;
	cfg.user = "alice";
	cfg.server_name = "fs1.smbdiag.test";
	cfg.share = "data";
	cfg.dialects[0] = SMB2_DIALECT_210;
	cfg.n_dialects = 1;
	cfg.signing = SMB2_SIGNING_ON;
	assert_int_equal(smb2_client_create(&scripted_ctx, crypto, &cfg, &c), SD_OK);
	assert_int_equal(smb2_client_start(c, 0), SD_OK);
	scripted_negotiate_210(&srv, c);
	return c;
}

/* The SESSION_SETUP request's security buffer, decoded. */
static void
take_session(struct smb2_client *c, struct spnego_token *tok)
{
	struct smb2_session_setup_req req;
	struct smb2_header h = scripted_take(&srv, c);

	assert_int_equal(h.command, SMB2_SESSION_SETUP);
	assert_int_equal(smb2_session_setup_req_decode(srv.rx, srv.rx_len, &req), SD_OK);
	assert_int_equal(spnego_decode(req.secbuf, req.secbuf_len, tok), SD_OK);
}

/* Answers the pending SESSION_SETUP with a NegTokenResp (token may be
 * NULL), signed with a 16-byte key unless sign_key is NULL. */
static void
answer(struct sd_crypto *crypto, struct smb2_client *c, uint32_t status, int neg_state, const uint8_t *token,
       size_t token_len, const uint8_t *sign_key)
{
	struct spnego_resp sr;
	struct sd_wr w;
	struct smb2_header h;

	assert_int_equal(smb2_header_decode(srv.rx, srv.rx_len, &h), SD_OK);
	memset(&sr, 0, sizeof(sr));
	sr.has_neg_state = neg_state >= 0;
	sr.neg_state = (uint8_t)(neg_state >= 0 ? neg_state : 0);
	sr.supported_mech = SPNEGO_MECH_MS_KRB5;
	sr.response_token.p = token;
	sr.response_token.len = token_len;
	scripted_session_rsp_begin(&srv, &w, &h, status, &sr);
	if (sign_key)
		assert_int_equal(smb2_sign(crypto, SMB2_SIGN_HMAC_SHA256, sign_key, 16, srv.tx + 4, w.len), SD_OK);
	scripted_reply_send(&srv, c, &w);
}

static void
test_one_leg_signed_with_the_drivers_key(void **state)
{
	struct sd_crypto *crypto = *state;
	struct fake_mech m = {.complete_after_next = true};
	struct smb2_client *c = negotiated(crypto, &m);
	struct spnego_token tok;
	const struct smb2_client_result *r;

	take_session(c, &tok);
	assert_int_equal(tok.kind, SPNEGO_KIND_INIT);
	assert_int_equal(tok.init.n_mechs, 2);
	assert_int_equal(tok.init.mechs[0], SPNEGO_MECH_MS_KRB5);
	assert_int_equal(tok.init.mechs[1], SPNEGO_MECH_KRB5);
	assert_int_equal(tok.init.mech_token.len, sizeof(ap_req));
	assert_memory_equal(tok.init.mech_token.p, ap_req, sizeof(ap_req));
	answer(crypto, c, 0, SPNEGO_ACCEPT_COMPLETED, ap_rep, sizeof(ap_rep), the_key);
	assert_int_equal(m.n_next, 1);
	assert_int_equal(m.got_len, sizeof(ap_rep));
	assert_memory_equal(m.got, ap_rep, sizeof(ap_rep));
	assert_int_equal(m.n_key, 1);
	r = smb2_client_result(c);
	assert_int_equal(r->failure, SMB2C_FAIL_NONE);
	assert_int_equal(smb2_client_state(c), SMB2C_TREE_CONNECT);
	assert_string_equal(r->user, "alice");
	smb2_client_free(c);
}

/* A final answer without an AP-REP: no mutual authentication, no key. */
static void
test_success_without_ap_rep_fails(void **state)
{
	struct sd_crypto *crypto = *state;
	struct fake_mech m = {.complete_after_next = true};
	struct smb2_client *c = negotiated(crypto, &m);
	struct spnego_token tok;

	take_session(c, &tok);
	answer(crypto, c, 0, SPNEGO_ACCEPT_COMPLETED, NULL, 0, the_key);
	assert_int_equal(m.n_next, 0);
	assert_int_equal(smb2_client_state(c), SMB2C_FAILED);
	assert_int_equal(smb2_client_result(c)->failure, SMB2C_FAIL_LOCAL);
	assert_int_equal(smb2_client_result(c)->failed_err, SD_ERR_STATE);
	smb2_client_free(c);
}

/* Signed with a key other than the driver's: the signature fails. */
static void
test_bad_signature(void **state)
{
	struct sd_crypto *crypto = *state;
	struct fake_mech m = {.complete_after_next = true};
	struct smb2_client *c = negotiated(crypto, &m);
	struct spnego_token tok;
	uint8_t other[16];

	memcpy(other, the_key, sizeof(other));
	other[0] ^= 0xFF;
	take_session(c, &tok);
	answer(crypto, c, 0, SPNEGO_ACCEPT_COMPLETED, ap_rep, sizeof(ap_rep), other);
	assert_int_equal(smb2_client_state(c), SMB2C_FAILED);
	assert_int_equal(smb2_client_result(c)->failure, SMB2C_FAIL_BAD_SIGNATURE);
	smb2_client_free(c);
}

static void
test_two_legs(void **state)
{
	struct sd_crypto *crypto = *state;
	struct fake_mech m = {.complete_after_next = true, .answer_leg2 = true};
	struct smb2_client *c = negotiated(crypto, &m);
	struct spnego_token tok;

	take_session(c, &tok);
	answer(crypto, c, STATUS_MORE_PROCESSING_REQUIRED, SPNEGO_ACCEPT_INCOMPLETE, ap_rep, sizeof(ap_rep), NULL);
	take_session(c, &tok);
	assert_int_equal(tok.kind, SPNEGO_KIND_RESP);
	assert_int_equal(tok.resp.response_token.len, sizeof(leg2));
	assert_memory_equal(tok.resp.response_token.p, leg2, sizeof(leg2));
	answer(crypto, c, 0, SPNEGO_ACCEPT_COMPLETED, ap_rep, sizeof(ap_rep), NULL);
	assert_int_equal(m.n_next, 2);
	assert_int_equal(smb2_client_state(c), SMB2C_TREE_CONNECT);
	smb2_client_free(c);
}

static void
test_driver_failures(void **state)
{
	struct sd_crypto *crypto = *state;
	struct spnego_token tok;
	struct smb2_client *c;
	struct fake_mech m;

	memset(&m, 0, sizeof(m));
	m.fail_first = SD_ERR_VERIFY;
	c = negotiated(crypto, &m);
	assert_int_equal(smb2_client_state(c), SMB2C_FAILED);
	assert_int_equal(smb2_client_result(c)->failure, SMB2C_FAIL_LOCAL);
	smb2_client_free(c);

	memset(&m, 0, sizeof(m));
	m.fail_next = SD_ERR_VERIFY;
	c = negotiated(crypto, &m);
	take_session(c, &tok);
	answer(crypto, c, 0, SPNEGO_ACCEPT_COMPLETED, ap_rep, sizeof(ap_rep), NULL);
	/* The mechanism refused the server's AP-REP (mutual authentication
	 * failed): a refusal carried by the token, not our own failure. */
	assert_int_equal(smb2_client_result(c)->failure, SMB2C_FAIL_AUTH_REFUSED);
	assert_int_equal(smb2_client_result(c)->failed_err, SD_ERR_VERIFY);
	smb2_client_free(c);

	memset(&m, 0, sizeof(m));
	m.complete_after_next = true;
	m.fail_key = SD_ERR_CRYPTO;
	c = negotiated(crypto, &m);
	take_session(c, &tok);
	answer(crypto, c, 0, SPNEGO_ACCEPT_COMPLETED, ap_rep, sizeof(ap_rep), NULL);
	assert_int_equal(smb2_client_result(c)->failure, SMB2C_FAIL_LOCAL);
	assert_int_equal(smb2_client_result(c)->failed_err, SD_ERR_CRYPTO);
	smb2_client_free(c);

	/* The mechanism never says complete: no key, no session. */
	memset(&m, 0, sizeof(m));
	c = negotiated(crypto, &m);
	take_session(c, &tok);
	answer(crypto, c, 0, SPNEGO_ACCEPT_COMPLETED, ap_rep, sizeof(ap_rep), NULL);
	assert_int_equal(smb2_client_result(c)->failed_err, SD_ERR_STATE);
	smb2_client_free(c);
}

static void
test_server_refusals(void **state)
{
	struct sd_crypto *crypto = *state;
	struct fake_mech m = {.complete_after_next = true};
	struct spnego_token tok;
	struct smb2_client *c;

	c = negotiated(crypto, &m);
	take_session(c, &tok);
	answer(crypto, c, STATUS_LOGON_FAILURE, -1, NULL, 0, NULL);
	assert_int_equal(smb2_client_result(c)->failure, SMB2C_FAIL_STATUS);
	assert_int_equal(smb2_client_result(c)->failed_status, STATUS_LOGON_FAILURE);
	assert_int_equal(smb2_client_result(c)->failed_step, SMB2C_STEP_SESSION_SETUP);
	smb2_client_free(c);

	/* MORE_PROCESSING with a reject or without a token. */
	c = negotiated(crypto, &m);
	take_session(c, &tok);
	answer(crypto, c, STATUS_MORE_PROCESSING_REQUIRED, SPNEGO_REJECT, NULL, 0, NULL);
	assert_int_equal(smb2_client_state(c), SMB2C_FAILED);
	assert_int_equal(smb2_client_result(c)->failure, SMB2C_FAIL_AUTH_REFUSED);
	smb2_client_free(c);
	c = negotiated(crypto, &m);
	take_session(c, &tok);
	answer(crypto, c, STATUS_MORE_PROCESSING_REQUIRED, SPNEGO_ACCEPT_INCOMPLETE, NULL, 0, NULL);
	assert_int_equal(smb2_client_result(c)->failure, SMB2C_FAIL_BAD_RESPONSE);
	smb2_client_free(c);
}

static void
test_config_needs_ops(void **state)
{
	struct sd_crypto *crypto = *state;
	struct smb2_client_auth_ops half = {fake_first, NULL, fake_key};
	struct smb2_client_config cfg;
	struct smb2_client *c = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.mech = SMB2_MECH_EXTERNAL;
	cfg.server_name = "fs1";
	cfg.share = "data";
	assert_int_equal(smb2_client_create(&scripted_ctx, crypto, &cfg, &c), SD_ERR_INVALID_ARG);
	cfg.auth = &half;
	assert_int_equal(smb2_client_create(&scripted_ctx, crypto, &cfg, &c), SD_ERR_INVALID_ARG);
	cfg.auth = &fake_ops;
	assert_int_equal(smb2_client_create(&scripted_ctx, crypto, &cfg, &c), SD_OK);
	smb2_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_leg_signed_with_the_drivers_key),
		cmocka_unit_test(test_success_without_ap_rep_fails),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_two_legs),
		cmocka_unit_test(test_driver_failures),
		cmocka_unit_test(test_server_refusals),
		cmocka_unit_test(test_config_needs_ops),
	};

	return cmocka_run_group_tests(tests, scripted_crypto_setup, scripted_crypto_teardown);
}
