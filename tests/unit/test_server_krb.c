/* The server's Kerberos seam (smb2s_krb_ops, server_krb.c) with the core
 * client's (smb2_client_auth_ops) in one process: fake mechanisms on both
 * sides carry opaque tokens and share a 32-byte key, so what is tested is
 * the core's part: SPNEGO wrapping and mechanism choice, the AES-256 key
 * reaching signing and sealing whole, the refusal of each Kerberos error
 * with its finding and status, name hardening on the service name, and
 * one acceptor context freed per session. The real GSSAPI acceptor is
 * tested against a KDC in tests/interop/test_serve_kerberos.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/proto/client.h"
#include "core/proto/server.h"
#include "core/wire/smb2_const.h"

#define ST_LOGON_FAILURE 0xC000006Du
#define ST_ACCESS_DENIED 0xC0000022u
#define ST_TIME_DIFFERENCE_AT_DC 0xC0000133u
#define MAX_EVENTS 128

static const uint8_t ap_req[] = "fake AP-REQ";
static const uint8_t ap_rep[] = "fake AP-REP";

struct world {
	uint64_t now_us, rng;
	struct sd_ctx ctx;
	struct sd_crypto *crypto;
	struct smb2s_policy pol;
	struct smb2_client_config cfg;
	struct smb2_client *c;
	struct smb2_server *s;
	struct smb2s_event ev[MAX_EVENTS];
	size_t n_ev;
	uint8_t key[32];
	/* The fake acceptor: what it answers, what it saw. */
	int32_t refuse_with;          /* 0: accept; else the RFC 4120 error */
	char service[64];
	unsigned contexts, ended;
	bool token_seen;
};

static struct world W;

static void
fake_random(void *user, uint8_t *buf, size_t n)
{
	size_t i;

	(void)user;
	for (i = 0; i < n; i++) {
		W.rng ^= W.rng << 13;
		W.rng ^= W.rng >> 7;
		W.rng ^= W.rng << 17;
		buf[i] = (uint8_t)W.rng;
	}
}

static uint64_t
fake_filetime(void *user)
{
	(void)user;
	return SD_FILETIME_UNIX_EPOCH + 17000000000000000ull + W.now_us * 10;
}

/* --- the client's mechanism --- */

static enum sd_err
c_first(void *ctx, uint8_t *out, size_t cap, size_t *out_len)
{
	(void)ctx;
	assert_true(cap >= sizeof(ap_req));
	memcpy(out, ap_req, sizeof(ap_req));
	*out_len = sizeof(ap_req);
	return SD_OK;
}

static enum sd_err
c_next(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len, bool *complete)
{
	(void)ctx;
	(void)out;
	(void)cap;
	if (in_len != sizeof(ap_rep) || memcmp(in, ap_rep, in_len) != 0)
		return SD_ERR_VERIFY;
	*out_len = 0;
	*complete = true;
	return SD_OK;
}

static enum sd_err
c_key(void *ctx, uint8_t *key, size_t cap, size_t *key_len)
{
	(void)ctx;
	assert_true(cap >= sizeof(W.key));
	memcpy(key, W.key, sizeof(W.key));
	*key_len = sizeof(W.key);
	return SD_OK;
}

static const struct smb2_client_auth_ops client_ops = {c_first, c_next, c_key};

/* --- the server's acceptor --- */

static enum sd_err
s_accept(void *acceptor, void **sess_ctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len,
	 struct smb2s_krb_result *res)
{
	assert_ptr_equal(acceptor, &W);
	memset(res, 0, sizeof(*res));
	if (*sess_ctx == NULL) {
		*sess_ctx = &W.contexts;
		W.contexts++;
	}
	W.token_seen = in_len == sizeof(ap_req) && memcmp(in, ap_req, in_len) == 0;
	if (W.refuse_with) {
		res->krb_error = W.refuse_with;
		snprintf(res->text, sizeof(res->text), "refused with %d", (int)W.refuse_with);
		return SD_ERR_VERIFY;
	}
	assert_true(cap >= sizeof(ap_rep));
	memcpy(out, ap_rep, sizeof(ap_rep));
	*out_len = sizeof(ap_rep);
	snprintf(res->client, sizeof(res->client), "alice@SMBDIAG.TEST");
	snprintf(res->service, sizeof(res->service), "%s", W.service);
	memcpy(res->key, W.key, sizeof(W.key));
	res->key_len = sizeof(W.key);
	res->mutual = true;
	return SD_OK;
}

static void
s_end(void *sess_ctx)
{
	assert_ptr_equal(sess_ctx, &W.contexts);
	W.ended++;
}

static const struct smb2s_krb_ops server_ops = {s_accept, NULL, NULL, s_end};

static int
setup(void **state)
{
	size_t i;

	(void)state;
	memset(&W, 0, sizeof(W));
	W.rng = 0x9E3779B97F4A7C15ull;
	W.ctx.random = fake_random;
	W.ctx.filetime = fake_filetime;
	for (i = 0; i < sizeof(W.key); i++)
		W.key[i] = (uint8_t)(0xA0 + i);
	assert_int_equal(sd_crypto_create(&W.crypto), SD_OK);
	smb2s_policy_defaults(&W.pol);
	snprintf(W.pol.netbios_name, sizeof(W.pol.netbios_name), "FS1");
	snprintf(W.pol.shares[0].name, sizeof(W.pol.shares[0].name), "data");
	W.pol.shares[0].path_exists = true;
	W.pol.shares[0].type = SMB2_SHARE_TYPE_DISK;
	W.pol.n_shares = 1;
	W.pol.krb = &server_ops;
	W.pol.krb_acceptor = &W;
	snprintf(W.service, sizeof(W.service), "cifs/fs1@SMBDIAG.TEST");
	W.cfg.mech = SMB2_MECH_EXTERNAL;
	W.cfg.auth = &client_ops;
	W.cfg.user = "alice";
	W.cfg.server_name = "fs1";
	W.cfg.share = "data";
	W.cfg.signing = SMB2_SIGNING_REQUIRED;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	smb2_client_free(W.c);
	smb2_server_free(W.s);
	sd_crypto_free(W.crypto);
	return 0;
}

static void
transmit(void)
{
	struct smb2s_event ev;
	const uint8_t *p;
	size_t n, used;
	int rounds;

	for (rounds = 0; rounds < 1000; rounds++) {
		bool moved = false;

		n = smb2_client_output(W.c, &p);
		if (n) {
			assert_int_equal(smb2_server_input(W.s, p, n, W.now_us, &used), SD_OK);
			smb2_client_output_done(W.c, used, W.now_us);
			moved = used > 0;
		}
		n = smb2_server_output(W.s, &p);
		if (n) {
			smb2_client_input(W.c, p, n, W.now_us);
			smb2_server_output_done(W.s, n);
			moved = true;
		}
		while (smb2_server_next_event(W.s, &ev))
			if (W.n_ev < MAX_EVENTS)
				W.ev[W.n_ev++] = ev;
		if (smb2_client_state(W.c) == SMB2C_DONE || smb2_client_state(W.c) == SMB2C_FAILED || !moved)
			return;
	}
	fail_msg("transmit did not settle");
}

static const struct smb2_client_result *
run(void)
{
	assert_int_equal(smb2_server_create(&W.ctx, W.crypto, &W.pol, W.now_us, &W.s), SD_OK);
	assert_int_equal(smb2_client_create(&W.ctx, W.crypto, &W.cfg, &W.c), SD_OK);
	assert_int_equal(smb2_client_start(W.c, W.now_us), SD_OK);
	transmit();
	return smb2_client_result(W.c);
}

static const struct smb2s_event *
find_event(enum smb2s_event_kind kind)
{
	size_t i;

	for (i = 0; i < W.n_ev; i++)
		if (W.ev[i].kind == kind)
			return &W.ev[i];
	return NULL;
}

static void
expect_done(const struct smb2_client_result *r)
{
	if (r->state != SMB2C_DONE)
		fail_msg("client failed: %s in %s, status 0x%08x", smb2_client_failure_name(r->failure),
			 smb2_client_step_name(r->failed_step), r->failed_status);
	assert_null(find_event(SMB2S_EV_REFUSED));
}

static void
expect_refused(const struct smb2_client_result *r, uint32_t status, const char *finding, int32_t krb_error)
{
	const struct smb2s_event *ev = find_event(SMB2S_EV_REFUSED);

	assert_int_equal(r->state, SMB2C_FAILED);
	assert_int_equal(r->failed_step, SMB2C_STEP_SESSION_SETUP);
	assert_int_equal(r->failed_status, status);
	assert_non_null(ev);
	assert_int_equal(ev->status, status);
	assert_string_equal(ev->finding, finding);
	assert_non_null(ev->spec);
	assert_non_null(strstr(ev->spec, "MS-SMB2 3.3.5.5.3"));
	if (krb_error) {
		assert_true(ev->kerberos);
		assert_int_equal(ev->krb_error, krb_error);
	}
	assert_int_equal(W.ended, W.contexts);   /* the failed session's context is gone */
}

static void
signed_session(void **state)
{
	const struct smb2_client_result *r;
	const struct smb2s_event *auth;

	(void)state;
	r = run();
	expect_done(r);
	assert_true(W.token_seen);
	assert_true(r->session_signing_required);
	auth = find_event(SMB2S_EV_SESSION_AUTH);
	assert_non_null(auth);
	assert_true(auth->kerberos);
	assert_string_equal(auth->user, "alice");
	assert_string_equal(auth->domain, "SMBDIAG.TEST");
	assert_non_null(find_event(SMB2S_EV_TREE_OK));
	assert_int_equal(W.contexts, 1);
	assert_int_equal(W.ended, 1);
}

/* MS-SMB2 3.3.5.5.3: the AES-256 cipher keys come from the whole 32-byte
 * key; client and server agree only if the server keeps it whole. */
static void
sealed_with_aes256(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.ciphers[0] = SMB2_ENCRYPTION_AES256_GCM;
	W.pol.n_ciphers = 1;
	W.pol.encrypt_data = true;
	r = run();
	expect_done(r);
	assert_true(r->session_encrypt);
}

static void
each_refusal(void **state)
{
	static const struct {
		int32_t error;
		uint32_t status;
		const char *finding;
	} cases[] = {
		{44, ST_LOGON_FAILURE, "kerberos.ticket_rejected"},   /* stale keytab */
		{35, ST_LOGON_FAILURE, "kerberos.ticket_rejected"},   /* no key for the name */
		{41, ST_LOGON_FAILURE, "kerberos.ticket_rejected"},
		{37, ST_TIME_DIFFERENCE_AT_DC, "kerberos.clock_skew"},
		{34, ST_LOGON_FAILURE, "kerberos.other"},             /* replay */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teardown(state);
		setup(state);
		W.refuse_with = cases[i].error;
		expect_refused(run(), cases[i].status, cases[i].finding, cases[i].error);
	}
}

static void
name_hardening_on_service_name(void **state)
{
	(void)state;
	snprintf(W.service, sizeof(W.service), "cifs/alias.smbdiag.test@SMBDIAG.TEST");
	W.pol.name_hardening_level = 2;
	snprintf(W.pol.accepted_names[0], sizeof(W.pol.accepted_names[0]), "fs1");
	W.pol.n_accepted_names = 1;
	expect_refused(run(), ST_ACCESS_DENIED, "session.name_hardening", 0);
	assert_string_equal(find_event(SMB2S_EV_REFUSED)->rule, "SPN");

	teardown(state);
	setup(state);
	snprintf(W.service, sizeof(W.service), "cifs/alias.smbdiag.test@SMBDIAG.TEST");
	W.pol.name_hardening_level = 0;
	expect_done(run());
}

/* Without an acceptor the server offers NTLMSSP only and refuses a
 * Kerberos-only client, as before. */
static void
no_keytab_no_kerberos(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.krb = NULL;
	r = run();
	assert_int_equal(r->state, SMB2C_FAILED);
	assert_int_equal(r->failed_status, ST_LOGON_FAILURE);
	assert_int_equal(W.contexts, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(signed_session, setup, teardown),
		cmocka_unit_test_setup_teardown(sealed_with_aes256, setup, teardown),
		cmocka_unit_test_setup_teardown(each_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(name_hardening_on_service_name, setup, teardown),
		cmocka_unit_test_setup_teardown(no_keytab_no_kerberos, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
