/* The core client against the core server in one process, through memory,
 * on a fake clock with deterministic randomness (like quicly's
 * transmit()): every scenario of the article the server can reproduce. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/auth/ntlm_crypto.h"
#include "core/proto/client.h"
#include "core/proto/server.h"
#include "core/wire/smb1.h"
#include "core/wire/smb2.h"
#include "core/wire/smb2_const.h"

#define ST_LOGON_FAILURE 0xC000006Du
#define ST_ACCESS_DENIED 0xC0000022u
#define ST_BAD_NETWORK_NAME 0xC00000CCu
#define ST_REQUEST_NOT_ACCEPTED 0xC00000D0u
#define ST_NOT_SUPPORTED 0xC00000BBu
#define ST_ACCOUNT_DISABLED 0xC0000072u
#define ST_ACCOUNT_LOCKED_OUT 0xC0000234u

#define MAX_EVENTS 128

struct fake {
	uint64_t now_us;
	uint64_t rng;
};

static void
fake_random(void *user, uint8_t *buf, size_t n)
{
	struct fake *f = user;
	size_t i;

	for (i = 0; i < n; i++) {
		f->rng ^= f->rng << 13;
		f->rng ^= f->rng >> 7;
		f->rng ^= f->rng << 17;
		buf[i] = (uint8_t)f->rng;
	}
}

static uint64_t
fake_filetime(void *user)
{
	struct fake *f = user;

	return SD_FILETIME_UNIX_EPOCH + 17000000000000000ull + f->now_us * 10;
}

struct world {
	struct fake fake;
	struct sd_ctx ctx;
	struct sd_crypto *crypto;
	struct smb2s_policy pol;
	struct smb2_client_config cfg;
	struct smb2_client *c;
	struct smb2_server *s;
	struct smb2s_event ev[MAX_EVENTS];
	size_t n_ev;
	bool closed;
	enum smb2s_action final_action;
	/* Tampering with the request of one step on its way to the server. */
	enum smb2_client_step tamper_step;
	int tamper;                   /* 0 none, else one of the TAMPER_* */
	bool tampered;
};

enum { TAMPER_LAST_BYTE = 1, TAMPER_CLEAR_SIGNED, TAMPER_SESSION_ID };

static struct world W;

static void
add_user(struct smb2s_policy *p, const char *name, const char *password, enum smb2s_account state)
{
	struct smb2s_user *u = &p->users[p->n_users++];

	snprintf(u->name, sizeof(u->name), "%s", name);
	assert_int_equal(ntlm_nt_hash(W.crypto, password, u->nt_hash), SD_OK);
	u->state = state;
}

static struct smb2s_share *
add_share(struct smb2s_policy *p, const char *name)
{
	struct smb2s_share *sh = &p->shares[p->n_shares++];

	snprintf(sh->name, sizeof(sh->name), "%s", name);
	snprintf(sh->path, sizeof(sh->path), "/srv/%s", name);
	sh->path_exists = true;
	sh->type = SMB2_SHARE_TYPE_DISK;
	return sh;
}

static int
setup(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	W.fake.rng = 0x9E3779B97F4A7C15ull;
	W.ctx.user = &W.fake;
	W.ctx.random = fake_random;
	W.ctx.filetime = fake_filetime;
	assert_int_equal(sd_crypto_create(&W.crypto), SD_OK);
	smb2s_policy_defaults(&W.pol);
	snprintf(W.pol.netbios_name, sizeof(W.pol.netbios_name), "FS1");
	add_user(&W.pol, "alice", "Secret1!", SMB2S_ACCOUNT_OK);
	add_user(&W.pol, "bob", "Secret2!", SMB2S_ACCOUNT_DISABLED);
	add_user(&W.pol, "carol", "Secret3!", SMB2S_ACCOUNT_LOCKED);
	add_share(&W.pol, "data");
	W.cfg.user = "alice";
	W.cfg.password = "Secret1!";
	W.cfg.server_name = "fs1";
	W.cfg.share = "data";
	W.cfg.signing = SMB2_SIGNING_ON;
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
drain_events(void)
{
	struct smb2s_event ev;

	while (smb2_server_next_event(W.s, &ev))
		if (W.n_ev < MAX_EVENTS)
			W.ev[W.n_ev++] = ev;
}

static uint8_t tamper_buf[65536 + 64];

/* A whole plain request of the chosen step, changed in one place. */
static const uint8_t *
maybe_tamper(const uint8_t *p, size_t n)
{
	const struct smb2_client_exchange *ex = smb2_client_pending(W.c);

	if (W.tamper == 0 || W.tampered || ex == NULL || ex->step != W.tamper_step || n > sizeof(tamper_buf) ||
	    n < 4 + 64 || p[4] != 0xFE)
		return p;
	memcpy(tamper_buf, p, n);
	switch (W.tamper) {
	case TAMPER_LAST_BYTE: tamper_buf[n - 1] ^= 0x01; break;
	case TAMPER_CLEAR_SIGNED: tamper_buf[4 + 16] &= (uint8_t)~SMB2_FLAGS_SIGNED; break;
	case TAMPER_SESSION_ID: tamper_buf[4 + 40] ^= 0x80; break;
	default: break;
	}
	W.tampered = true;
	return tamper_buf;
}

/* Moves bytes both ways until the client finishes, the server closes, or
 * nothing is left to do even after the server's timers. */
static void
transmit(void)
{
	const uint8_t *p;
	size_t n, used;
	int rounds;

	for (rounds = 0; rounds < 10000; rounds++) {
		bool moved = false;
		uint64_t t;

		n = smb2_client_output(W.c, &p);
		if (n) {
			p = maybe_tamper(p, n);
			assert_int_equal(smb2_server_input(W.s, p, n, W.fake.now_us, &used), SD_OK);
			smb2_client_output_done(W.c, used, W.fake.now_us);
			moved = used > 0;
		}
		n = smb2_server_output(W.s, &p);
		if (n) {
			smb2_client_input(W.c, p, n, W.fake.now_us);
			smb2_server_output_done(W.s, n);
			moved = true;
		}
		drain_events();
		W.final_action = smb2_server_action(W.s);
		if (W.final_action == SMB2S_ACT_RESET ||
		    (W.final_action == SMB2S_ACT_CLOSE && smb2_server_output(W.s, &p) == 0)) {
			W.closed = true;
			smb2_client_eof(W.c, W.fake.now_us);
			return;
		}
		if (smb2_client_state(W.c) == SMB2C_DONE || smb2_client_state(W.c) == SMB2C_FAILED)
			return;
		if (moved)
			continue;
		t = smb2_server_next_timeout(W.s);
		if (t == UINT64_MAX)
			return;
		if (t > W.fake.now_us)
			W.fake.now_us = t;
		smb2_server_tick(W.s, W.fake.now_us);
	}
	fail_msg("transmit did not settle");
}

static const struct smb2_client_result *
run(void)
{
	assert_int_equal(smb2_server_create(&W.ctx, W.crypto, &W.pol, W.fake.now_us, &W.s), SD_OK);
	assert_int_equal(smb2_client_create(&W.ctx, W.crypto, &W.cfg, &W.c), SD_OK);
	assert_int_equal(smb2_client_start(W.c, W.fake.now_us), SD_OK);
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

/* The refusal event carries the catalog rule, finding and spec section. */
static void
expect_refusal(enum smb2s_event_kind kind, uint32_t status, const char *rule, const char *finding)
{
	const struct smb2s_event *ev = find_event(kind);

	assert_non_null(ev);
	if (kind == SMB2S_EV_REFUSED)
		assert_int_equal(ev->status, status);
	assert_string_equal(ev->rule, rule);
	if (finding)
		assert_string_equal(ev->finding, finding);
	assert_non_null(ev->spec);
}

static void
expect_done(const struct smb2_client_result *r, uint16_t dialect)
{
	if (r->state != SMB2C_DONE)
		fail_msg("client failed: %s in %s, status 0x%08x", smb2_client_failure_name(r->failure),
			 smb2_client_step_name(r->failed_step), r->failed_status);
	assert_int_equal(r->dialect, dialect);
	assert_int_equal(find_event(SMB2S_EV_REFUSED), NULL);
}

static void
expect_status(const struct smb2_client_result *r, enum smb2_client_step step, uint32_t status)
{
	assert_int_equal(r->state, SMB2C_FAILED);
	assert_int_equal(r->failure, SMB2C_FAIL_STATUS);
	assert_int_equal(r->failed_step, step);
	assert_int_equal(r->failed_status, status);
}

static void
offer_only(uint16_t dialect)
{
	W.cfg.dialects[0] = dialect;
	W.cfg.n_dialects = 1;
}

/* --- success on each dialect ------------------------------------------ */

static void
succeeds_on_each_dialect(void **state)
{
	static const uint16_t dialects[] = {SMB2_DIALECT_202, SMB2_DIALECT_210, SMB2_DIALECT_300, SMB2_DIALECT_302,
					    SMB2_DIALECT_311};
	const struct smb2_client_result *r;
	size_t i;

	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++) {
		teardown(state);
		setup(state);
		offer_only(dialects[i]);
		W.cfg.signing = SMB2_SIGNING_REQUIRED;
		r = run();
		expect_done(r, dialects[i]);
		assert_true(r->session_signing_required);
		assert_non_null(find_event(SMB2S_EV_SESSION_OK));
		assert_non_null(find_event(SMB2S_EV_TREE_OK));
		assert_non_null(find_event(SMB2S_EV_LOGOFF));
		if (dialects[i] == SMB2_DIALECT_300 || dialects[i] == SMB2_DIALECT_302)
			assert_true(r->validated);
	}
}

static void
picks_the_greatest_common_dialect(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.max_dialect = SMB2_DIALECT_302;
	r = run();
	expect_done(r, SMB2_DIALECT_302);
	assert_non_null(find_event(SMB2S_EV_NEGOTIATE_OFFER));
	assert_int_equal(find_event(SMB2S_EV_NEGOTIATE_OFFER)->n_dialects, 5);
}

/* The probe's question to a name's other addresses: who answers? The
 * client stops after the NEGOTIATE answer and sends nothing more. */
static void
negotiate_only_stops_after_the_answer(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.cfg.negotiate_only = true;
	r = run();
	expect_done(r, SMB2_DIALECT_311);
	assert_true(r->negotiated);
	assert_int_equal(r->n_exchanges, 1);
	assert_int_equal(r->exchanges[0].step, SMB2C_STEP_NEGOTIATE);
	assert_null(find_event(SMB2S_EV_SESSION_OK));
}

static void
encrypts_with_each_cipher(void **state)
{
	static const uint16_t ciphers[] = {SMB2_ENCRYPTION_AES128_CCM, SMB2_ENCRYPTION_AES128_GCM,
					   SMB2_ENCRYPTION_AES256_CCM, SMB2_ENCRYPTION_AES256_GCM};
	const struct smb2_client_result *r;
	size_t i;

	for (i = 0; i < 4; i++) {
		teardown(state);
		setup(state);
		offer_only(SMB2_DIALECT_311);
		W.cfg.encrypt = true;
		W.pol.ciphers[0] = ciphers[i];
		W.pol.n_ciphers = 1;
		r = run();
		expect_done(r, SMB2_DIALECT_311);
		assert_int_equal(r->cipher, ciphers[i]);
		assert_true(r->session_encrypt);
		assert_true(r->exchanges[r->n_exchanges - 1].rsp_encrypted);
	}
}

static void
server_wide_encryption_on_30_and_311(void **state)
{
	const struct smb2_client_result *r;

	offer_only(SMB2_DIALECT_300);
	W.pol.encrypt_data = true;
	W.pol.reject_unencrypted_access = true;
	r = run();
	expect_done(r, SMB2_DIALECT_300);
	assert_true(r->session_flags & SMB2_SESSION_FLAG_ENCRYPT_DATA);
	assert_true(r->exchanges[3].req_encrypted);  /* TREE_CONNECT */
	teardown(state);
	setup(state);
	W.pol.encrypt_data = true;
	W.pol.reject_unencrypted_access = true;
	r = run();
	expect_done(r, SMB2_DIALECT_311);
	assert_true(r->session_encrypt);
}

static void
signs_with_each_algorithm(void **state)
{
	static const uint16_t algs[] = {SMB2_SIGNING_HMAC_SHA256, SMB2_SIGNING_AES_CMAC, SMB2_SIGNING_AES_GMAC};
	const struct smb2_client_result *r;
	size_t i;

	for (i = 0; i < 3; i++) {
		teardown(state);
		setup(state);
		W.cfg.signing = SMB2_SIGNING_REQUIRED;
		W.pol.signing_algs[0] = algs[i];
		W.pol.n_signing_algs = 1;
		r = run();
		expect_done(r, SMB2_DIALECT_311);
		assert_int_equal(r->signing_alg, algs[i]);
	}
}

/* --- refusals ------------------------------------------------------- */

static void
wrong_password_is_logon_failure(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.cfg.password = "nope";
	r = run();
	expect_status(r, SMB2C_STEP_SESSION_SETUP, ST_LOGON_FAILURE);
	expect_refusal(SMB2S_EV_REFUSED, ST_LOGON_FAILURE, "A1", "session.logon_failure");
	assert_string_equal(find_event(SMB2S_EV_SESSION_AUTH)->user, "alice");
}

/* A UPN carries its domain: the AUTHENTICATE's DomainName stays empty
 * (Windows does the same), not the server's NetBIOS domain. */
static void
upn_user_sends_no_domain(void **state)
{
	(void)state;
	W.cfg.user = "alice@contoso.test";
	(void)run();
	assert_string_equal(find_event(SMB2S_EV_SESSION_AUTH)->user, "alice@contoso.test");
	assert_string_equal(find_event(SMB2S_EV_SESSION_AUTH)->domain, "");
}

/* A password longer than 255 bytes reaches NTLM whole (a cut one was a
 * logon failure of the client's own making); one over the limit is
 * refused before anything is sent, never cut. */
static void
long_password_is_used_whole(void **state)
{
	static char secret[SMB2_CLIENT_CREDENTIAL_MAX + 2];
	const struct smb2_client_result *r;

	(void)state;
	memset(secret, 'p', SMB2_CLIENT_CREDENTIAL_MAX);
	secret[SMB2_CLIENT_CREDENTIAL_MAX] = '\0';
	add_user(&W.pol, "dave", secret, SMB2S_ACCOUNT_OK);
	W.cfg.user = "dave";
	W.cfg.password = secret;
	r = run();
	expect_done(r, SMB2_DIALECT_311);
	smb2_client_free(W.c);
	W.c = NULL;
	secret[SMB2_CLIENT_CREDENTIAL_MAX] = 'p';
	assert_int_equal(smb2_client_create(&W.ctx, W.crypto, &W.cfg, &W.c), SD_ERR_LIMIT);
	assert_null(W.c);
}

static void
unknown_user_is_logon_failure_without_guest(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.cfg.user = "mallory";
	r = run();
	expect_status(r, SMB2C_STEP_SESSION_SETUP, ST_LOGON_FAILURE);
}

static void
unknown_share_is_bad_network_name(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.cfg.share = "dta";
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_BAD_NETWORK_NAME);
	expect_refusal(SMB2S_EV_REFUSED, ST_BAD_NETWORK_NAME, "T3", "tree.bad_network_name");
}

static void
encryption_required_refuses_21_client(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	offer_only(SMB2_DIALECT_210);
	W.pol.encrypt_data = true;
	W.pol.reject_unencrypted_access = true;
	r = run();
	expect_status(r, SMB2C_STEP_SESSION_SETUP, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "S1", "session.encryption_required");
}

static void
encryption_required_refuses_client_without_encryption(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.cfg.no_encryption = true;
	W.pol.encrypt_data = true;
	W.pol.reject_unencrypted_access = true;
	r = run();
	expect_status(r, SMB2C_STEP_SESSION_SETUP, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "S2", "session.encryption_required");
}

static void
encrypted_share_refuses_client_without_encryption(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	offer_only(SMB2_DIALECT_302);
	W.cfg.no_encryption = true;
	W.pol.shares[0].encrypt_data = true;
	W.pol.reject_unencrypted_access = true;
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "T6", "tree.encryption_required");
}

static void
encrypted_share_refuses_21_client(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	offer_only(SMB2_DIALECT_210);
	W.pol.shares[0].encrypt_data = true;
	W.pol.reject_unencrypted_access = true;
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "T5", "tree.encryption_required");
}

static void
encrypted_share_flags_and_encrypts(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.shares[0].encrypt_data = true;
	r = run();
	expect_done(r, SMB2_DIALECT_311);
	assert_true(r->share_flags & SMB2_SHAREFLAG_ENCRYPT_DATA);
	assert_true(r->tree_encrypt);
}

static void
signing_required_makes_client_sign(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	offer_only(SMB2_DIALECT_210);
	W.cfg.signing = SMB2_SIGNING_ON;
	W.pol.require_message_signing = true;
	r = run();
	expect_done(r, SMB2_DIALECT_210);
	assert_true(r->server_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED);
	assert_true(find_event(SMB2S_EV_SESSION_OK)->signing_required);
	assert_true(r->exchanges[3].req_signed);   /* TREE_CONNECT */
	assert_true(r->exchanges[3].rsp_signed);
}

/* A client that cannot sign (the probe's --signing off) is refused at its
 * first post-authentication request (G20). */
static void
signing_required_refuses_unsigned_client(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	offer_only(SMB2_DIALECT_210);
	W.cfg.signing = SMB2_SIGNING_OFF;
	W.pol.require_message_signing = true;
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_ACCESS_DENIED);
	assert_false(r->exchanges[3].req_signed);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "G20", "session.signing_mismatch");
}

static void
name_hardening_refuses_wrong_target(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.name_hardening_level = 2;
	snprintf(W.pol.accepted_names[0], SMB2S_NAME_MAX, "fs1.contoso.com");
	W.pol.n_accepted_names = 1;
	W.cfg.server_name = "alias";
	r = run();
	expect_status(r, SMB2C_STEP_SESSION_SETUP, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "SPN", "session.name_hardening");
	assert_string_equal(find_event(SMB2S_EV_SESSION_AUTH)->target_name, "cifs/alias");
}

static void
name_hardening_accepts_right_target(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.name_hardening_level = 2;
	W.cfg.server_name = "FS1";
	r = run();
	expect_done(r, SMB2_DIALECT_311);
}

static void
guest_fallback_for_unknown_user(void **state)
{
	const struct smb2_client_result *r;
	const struct smb2s_event *ev;

	(void)state;
	W.pol.guest = SMB2S_GUEST_BAD_USER;
	W.pol.shares[0].guest_ok = true;
	W.cfg.user = "nobody";
	r = run();
	expect_done(r, SMB2_DIALECT_311);
	assert_true(r->session_flags & SMB2_SESSION_FLAG_IS_GUEST);
	ev = find_event(SMB2S_EV_SESSION_OK);
	assert_string_equal(ev->finding, "session.guest_fallback");
}

static void
guest_not_allowed_on_share(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.guest = SMB2S_GUEST_BAD_USER;
	W.cfg.user = "nobody";
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "T7", "tree.access_denied");
}

/* A guest or null session has no key: a server that encrypts every
 * session refuses it at SESSION_SETUP (S3), a share that requires
 * encryption at TREE_CONNECT (T5), instead of letting it in unencrypted. */
static const struct smb2_client_result *
run_keyless(bool anonymous, bool server_encrypts, bool share_encrypts)
{
	W.pol.guest = SMB2S_GUEST_BAD_USER;
	W.pol.shares[0].guest_ok = true;
	W.pol.encrypt_data = server_encrypts;
	W.pol.shares[0].encrypt_data = share_encrypts;
	if (anonymous)
		W.cfg.mech = SMB2_MECH_ANONYMOUS;
	else
		W.cfg.user = "nobody";
	return run();
}

static void
guest_and_anonymous_meet_encryption_policy(void **state)
{
	expect_status(run_keyless(false, true, false), SMB2C_STEP_SESSION_SETUP, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "S3", "session.encryption_required");
	teardown(state);
	setup(state);
	expect_status(run_keyless(true, true, false), SMB2C_STEP_SESSION_SETUP, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "S3", "session.encryption_required");
	teardown(state);
	setup(state);
	expect_status(run_keyless(false, false, true), SMB2C_STEP_TREE_CONNECT, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "T5", "tree.encryption_required");
}

static void
account_states_map_to_statuses(void **state)
{
	const struct smb2_client_result *r;

	W.cfg.user = "bob";
	W.cfg.password = "Secret2!";
	r = run();
	expect_status(r, SMB2C_STEP_SESSION_SETUP, ST_ACCOUNT_DISABLED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCOUNT_DISABLED, "A1", "session.account_restriction");
	teardown(state);
	setup(state);
	W.cfg.user = "carol";
	W.cfg.password = "Secret3!";
	r = run();
	expect_status(r, SMB2C_STEP_SESSION_SETUP, ST_ACCOUNT_LOCKED_OUT);
	teardown(state);
	setup(state);
	/* A wrong password on a disabled account stays LOGON_FAILURE. */
	W.cfg.user = "bob";
	W.cfg.password = "wrong";
	r = run();
	expect_status(r, SMB2C_STEP_SESSION_SETUP, ST_LOGON_FAILURE);
}

static void
missing_folder_is_access_denied(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.shares[0].path_exists = false;
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "T7", "tree.access_denied");
}

/* Share.MaxUses counts tree connects of every connection sharing the
 * table: full, the next TREE_CONNECT is refused (T8); a use is given
 * back at TREE_DISCONNECT. */
static void
max_uses_counts_across_connections(void **state)
{
	static struct smb2s_share_uses uses;
	const struct smb2_client_result *r;

	(void)state;
	memset(&uses, 0, sizeof(uses));
	W.pol.uses = &uses;
	W.pol.shares[0].max_uses = 2;
	uses.current[0] = 2;  /* two other connections hold the share */
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_REQUEST_NOT_ACCEPTED);
	expect_refusal(SMB2S_EV_REFUSED, ST_REQUEST_NOT_ACCEPTED, "T8", "tree.other");
	assert_int_equal(uses.current[0], 2);
	smb2_client_free(W.c);
	smb2_server_free(W.s);
	W.c = NULL;
	W.s = NULL;
	W.n_ev = 0;
	uses.current[0] = 1;  /* one went away */
	r = run();
	expect_done(r, SMB2_DIALECT_311);
	assert_int_equal(uses.current[0], 1);  /* taken, then given back at TREE_DISCONNECT */
	assert_non_null(find_event(SMB2S_EV_TREE_DISCONNECT));
}

static void
user_not_in_allow_list(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	snprintf(W.pol.shares[0].allowed[0], SMB2S_NAME_MAX, "dave");
	W.pol.shares[0].n_allowed = 1;
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_ACCESS_DENIED);
}

static void
no_common_dialect(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.min_dialect = SMB2_DIALECT_300;
	offer_only(SMB2_DIALECT_210);
	r = run();
	expect_status(r, SMB2C_STEP_NEGOTIATE, ST_NOT_SUPPORTED);
	expect_refusal(SMB2S_EV_REFUSED, ST_NOT_SUPPORTED, "P3", "negotiate.no_common_dialect");
}

static void
anonymous_ipc_and_constrained_connection(void **state)
{
	const struct smb2_client_result *r;

	W.cfg.mech = SMB2_MECH_ANONYMOUS;
	W.cfg.share = "IPC$";
	r = run();
	expect_done(r, SMB2_DIALECT_311);
	assert_true(r->session_flags & SMB2_SESSION_FLAG_IS_NULL);
	teardown(state);
	setup(state);
	W.cfg.mech = SMB2_MECH_ANONYMOUS;
	W.cfg.share = "IPC$";
	W.pol.allow_anonymous_access = false;
	r = run();
	assert_int_equal(r->state, SMB2C_FAILED);
	assert_int_equal(r->failure, SMB2C_FAIL_CLOSED);
	assert_int_equal(r->failed_step, SMB2C_STEP_TREE_CONNECT);
	expect_refusal(SMB2S_EV_DROPPED, 0, "V1", "session.anonymous_denied");
}

/* --- gates (requests changed on the way) ---------------------------- */

static void
bad_signature_is_access_denied(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.tamper = TAMPER_LAST_BYTE;
	W.tamper_step = SMB2C_STEP_TREE_CONNECT;
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "G19", "session.signing_mismatch");
}

static void
unsigned_request_on_signing_required_session(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	offer_only(SMB2_DIALECT_210);
	W.pol.require_message_signing = true;
	W.tamper = TAMPER_CLEAR_SIGNED;
	W.tamper_step = SMB2C_STEP_TREE_CONNECT;
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, ST_ACCESS_DENIED);
	expect_refusal(SMB2S_EV_REFUSED, ST_ACCESS_DENIED, "G20", "session.signing_mismatch");
}

static void
unsigned_311_tree_connect_is_dropped(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.tamper = TAMPER_CLEAR_SIGNED;
	W.tamper_step = SMB2C_STEP_TREE_CONNECT;
	r = run();
	assert_int_equal(r->failure, SMB2C_FAIL_CLOSED);
	assert_int_equal(r->failed_step, SMB2C_STEP_TREE_CONNECT);
	expect_refusal(SMB2S_EV_DROPPED, 0, "T1", "tree.unsigned_disconnect");
}

static void
signed_request_for_unknown_session(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.tamper = TAMPER_SESSION_ID;
	W.tamper_step = SMB2C_STEP_TREE_CONNECT;
	r = run();
	expect_status(r, SMB2C_STEP_TREE_CONNECT, 0xC0000203u);
	expect_refusal(SMB2S_EV_REFUSED, 0xC0000203u, "G17", "session.signing_mismatch");
}

static void
ipc_lists_shares_over_srvsvc(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	add_share(&W.pol, "archive");
	W.cfg.share = "IPC$";
	W.cfg.list_shares = true;
	r = run();
	expect_done(r, SMB2_DIALECT_311);
	assert_true(r->share_list_ok);
	assert_int_equal(r->n_shares, 3);
	assert_string_equal(r->shares[0].name, "data");
	assert_string_equal(r->shares[1].name, "archive");
	assert_string_equal(r->shares[2].name, "IPC$");
}

/* --- faults --------------------------------------------------------- */

static void
silent_after_negotiate_then_reset(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.fault.silent_on = SMB2S_FAULT_NEGOTIATE;
	W.pol.fault.then = SMB2S_FAULT_END_RESET;
	W.pol.fault.after_us = 60000000;
	r = run();
	assert_int_equal(r->failure, SMB2C_FAIL_CLOSED);
	assert_int_equal(r->failed_step, SMB2C_STEP_NEGOTIATE);
	assert_int_equal(W.final_action, SMB2S_ACT_RESET);
	assert_true(W.fake.now_us >= 60000000);
	assert_non_null(find_event(SMB2S_EV_SILENT));
	assert_non_null(find_event(SMB2S_EV_TIMER));
	assert_non_null(find_event(SMB2S_EV_RESET));
}

static void
silent_after_tree_connect_then_close(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.fault.silent_on = SMB2S_FAULT_TREE_CONNECT;
	W.pol.fault.then = SMB2S_FAULT_END_CLOSE;
	W.pol.fault.after_us = 5000000;
	r = run();
	assert_int_equal(r->failure, SMB2C_FAIL_CLOSED);
	assert_int_equal(r->failed_step, SMB2C_STEP_TREE_CONNECT);
	assert_int_equal(W.final_action, SMB2S_ACT_CLOSE);
}

static void
delayed_answers_still_succeed(void **state)
{
	const struct smb2_client_result *r;

	(void)state;
	W.pol.fault.delay_us = 2000000;
	r = run();
	expect_done(r, SMB2_DIALECT_311);
	assert_true(r->exchanges[0].answered_us - r->exchanges[0].sent_us >= 2000000);
}

/* --- raw messages: SMB1 and gates ----------------------------------- */

static size_t
smb1_negotiate(uint8_t *buf, size_t cap, bool with_smb2)
{
	static const char *const both[] = {"NT LM 0.12", "SMB 2.002", "SMB 2.???"};
	static const char *const only1[] = {"NT LM 0.12"};
	struct sd_wr w;

	sd_wr_init(&w, buf + 4, cap - 4);
	assert_int_equal(smb1_negotiate_request_encode(&w, NULL, with_smb2 ? both : only1, with_smb2 ? 3 : 1),
			 SD_OK);
	buf[0] = 0;
	buf[1] = (uint8_t)(w.len >> 16);
	buf[2] = (uint8_t)(w.len >> 8);
	buf[3] = (uint8_t)w.len;
	return w.len + 4;
}

static void
raw_server(void)
{
	assert_int_equal(smb2_server_create(&W.ctx, W.crypto, &W.pol, 0, &W.s), SD_OK);
}

static void
smb1_upgrade_answers_wildcard(void **state)
{
	uint8_t buf[256];
	const uint8_t *p;
	size_t n, used;

	(void)state;
	raw_server();
	n = smb1_negotiate(buf, sizeof(buf), true);
	assert_int_equal(smb2_server_input(W.s, buf, n, 0, &used), SD_OK);
	assert_int_equal(used, n);
	n = smb2_server_output(W.s, &p);
	assert_true(n > 4 + 64 + 65);
	assert_int_equal(p[4], 0xFE);
	assert_int_equal(p[4 + 64 + 4] | p[4 + 64 + 5] << 8, SMB2_DIALECT_WILDCARD);
	assert_int_equal(smb2_server_action(W.s), SMB2S_ACT_CONTINUE);
}

static void
smb1_only_client_dropped_when_smb1_off(void **state)
{
	uint8_t buf[256];
	const uint8_t *p;
	size_t n, used;

	(void)state;
	raw_server();
	n = smb1_negotiate(buf, sizeof(buf), false);
	assert_int_equal(smb2_server_input(W.s, buf, n, 0, &used), SD_OK);
	assert_int_equal(smb2_server_output(W.s, &p), 0);
	assert_int_equal(smb2_server_action(W.s), SMB2S_ACT_CLOSE);
	drain_events();
	expect_refusal(SMB2S_EV_DROPPED, 0, "N5", "negotiate.connection_closed");
}

static void
smb1_only_client_gets_no_dialect_when_smb1_on(void **state)
{
	uint8_t buf[256];
	const uint8_t *p;
	size_t n, used;

	(void)state;
	W.pol.enable_smb1 = true;
	raw_server();
	n = smb1_negotiate(buf, sizeof(buf), false);
	assert_int_equal(smb2_server_input(W.s, buf, n, 0, &used), SD_OK);
	n = smb2_server_output(W.s, &p);
	assert_true(n > 4);
	assert_int_equal(p[4], 0xFF);
	assert_int_equal(smb2_server_action(W.s), SMB2S_ACT_CLOSE);
}

static void
request_before_negotiate_is_dropped(void **state)
{
	uint8_t buf[4 + 64 + 4] = {0, 0, 0, 68, 0xFE, 'S', 'M', 'B', 64, 0};
	size_t used;

	(void)state;
	raw_server();
	buf[4 + 12] = SMB2_ECHO;
	buf[4 + 64] = 4;
	assert_int_equal(smb2_server_input(W.s, buf, sizeof(buf), 0, &used), SD_OK);
	assert_int_equal(smb2_server_action(W.s), SMB2S_ACT_CLOSE);
	drain_events();
	expect_refusal(SMB2S_EV_DROPPED, 0, "G14", NULL);
}

static void
oversized_message_is_dropped(void **state)
{
	uint8_t buf[4] = {0, 0x7F, 0xFF, 0xFF};
	size_t used;

	(void)state;
	raw_server();
	assert_int_equal(smb2_server_input(W.s, buf, sizeof(buf), 0, &used), SD_OK);
	assert_int_equal(smb2_server_action(W.s), SMB2S_ACT_CLOSE);
	drain_events();
	expect_refusal(SMB2S_EV_DROPPED, 0, "G2", NULL);
}

static void
idle_connection_is_closed(void **state)
{
	(void)state;
	W.pol.step_timeout_us = 1000000;
	raw_server();
	assert_int_equal(smb2_server_next_timeout(W.s), 1000000);
	smb2_server_tick(W.s, 1000000);
	assert_int_equal(smb2_server_action(W.s), SMB2S_ACT_CLOSE);
}

static void
input_cut_at_every_byte(void **state)
{
	uint8_t buf[256];
	const uint8_t *p;
	size_t n, i, used;

	(void)state;
	raw_server();
	n = smb1_negotiate(buf, sizeof(buf), true);
	for (i = 0; i < n; i++) {
		assert_int_equal(smb2_server_input(W.s, buf + i, 1, 0, &used), SD_OK);
		assert_int_equal(used, 1);
	}
	assert_true(smb2_server_output(W.s, &p) > 0);
}

/* One framed request: header with this MessageId / SessionId, then body. */
static size_t
raw_request(uint8_t *buf, size_t cap, uint16_t command, uint64_t message_id, uint64_t session_id)
{
	struct smb2_header h;
	struct sd_wr w;

	memset(&h, 0, sizeof(h));
	h.command = command;
	h.message_id = message_id;
	h.session_id = session_id;
	h.credits = 64;
	h.credit_charge = 1;
	sd_wr_init(&w, buf + 4, cap - 4);
	smb2_header_encode(&h, &w);
	if (command == SMB2_NEGOTIATE) {
		struct smb2_negotiate_req req;

		memset(&req, 0, sizeof(req));
		req.dialect_count = req.n_dialects = 1;
		req.dialects[0] = SMB2_DIALECT_210;
		smb2_negotiate_req_encode(&req, &w);
	} else {
		static const uint8_t path[] = {'\\', 0, '\\', 0, 'a', 0, '\\', 0, 'b', 0};
		struct smb2_tree_connect_req req;

		memset(&req, 0, sizeof(req));
		req.path = path;
		req.path_len = sizeof(path);
		smb2_tree_connect_req_encode(&req, &w);
	}
	assert_true(sd_wr_ok(&w));
	buf[0] = 0;
	buf[1] = (uint8_t)(w.len >> 16);
	buf[2] = (uint8_t)(w.len >> 8);
	buf[3] = (uint8_t)w.len;
	return w.len + 4;
}

static void
events_hold_back_input_instead_of_dropping(void **state)
{
	static uint8_t stream[32 * 256];
	size_t len = 0, off = 0, used;
	unsigned i, refused = 0, rounds = 0;
	struct smb2s_event ev;
	const uint8_t *p;

	(void)state;
	raw_server();
	len += raw_request(stream, sizeof(stream), SMB2_NEGOTIATE, 0, 0);
	for (i = 1; i <= 30; i++)
		len += raw_request(stream + len, sizeof(stream) - len, SMB2_TREE_CONNECT, i, 0x99);
	while (off < len && rounds++ < 100) {
		assert_int_equal(smb2_server_input(W.s, stream + off, len - off, 0, &used), SD_OK);
		off += used;
		while (smb2_server_next_event(W.s, &ev))
			refused += ev.kind == SMB2S_EV_REFUSED && ev.status == 0xC0000203u;
		while ((used = smb2_server_output(W.s, &p)) > 0)
			smb2_server_output_done(W.s, used);
	}
	assert_true(rounds > 1);
	assert_int_equal(off, len);
	assert_int_equal(refused, 30);
	assert_int_equal(smb2_server_events_dropped(W.s), 0);
}

static void
policy_check_explains(void **state)
{
	struct smb2s_policy p;
	const char *why;

	(void)state;
	smb2s_policy_defaults(&p);
	assert_int_equal(smb2s_policy_check(&p, &why), SD_OK);
	p.min_dialect = SMB2_DIALECT_311;
	p.max_dialect = SMB2_DIALECT_300;
	assert_int_equal(smb2s_policy_check(&p, &why), SD_ERR_INVALID_ARG);
	assert_non_null(why);
	smb2s_policy_defaults(&p);
	p.name_hardening_level = 3;
	assert_int_equal(smb2s_policy_check(&p, &why), SD_ERR_INVALID_ARG);
	assert_int_equal(smb2s_account_status(SMB2S_ACCOUNT_EXPIRED), 0xC0000193u);
	assert_string_equal(smb2s_event_kind_name(SMB2S_EV_TREE_OK), "tree_ok");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(succeeds_on_each_dialect),
		T(picks_the_greatest_common_dialect),
		T(negotiate_only_stops_after_the_answer),
		T(encrypts_with_each_cipher),
		T(server_wide_encryption_on_30_and_311),
		T(signs_with_each_algorithm),
		T(wrong_password_is_logon_failure),
		T(upn_user_sends_no_domain),
		T(long_password_is_used_whole),
		T(unknown_user_is_logon_failure_without_guest),
		T(unknown_share_is_bad_network_name),
		T(encryption_required_refuses_21_client),
		T(encryption_required_refuses_client_without_encryption),
		T(encrypted_share_refuses_client_without_encryption),
		T(encrypted_share_refuses_21_client),
		T(encrypted_share_flags_and_encrypts),
		T(signing_required_makes_client_sign),
		T(signing_required_refuses_unsigned_client),
		T(name_hardening_refuses_wrong_target),
		T(name_hardening_accepts_right_target),
		T(guest_fallback_for_unknown_user),
		T(guest_not_allowed_on_share),
		T(guest_and_anonymous_meet_encryption_policy),
		T(account_states_map_to_statuses),
		T(missing_folder_is_access_denied),
		T(user_not_in_allow_list),
		T(max_uses_counts_across_connections),
		T(no_common_dialect),
		T(anonymous_ipc_and_constrained_connection),
		T(ipc_lists_shares_over_srvsvc),
		T(bad_signature_is_access_denied),
		T(unsigned_request_on_signing_required_session),
		T(unsigned_311_tree_connect_is_dropped),
		T(signed_request_for_unknown_session),
		T(silent_after_negotiate_then_reset),
		T(silent_after_tree_connect_then_close),
		T(delayed_answers_still_succeed),
		T(smb1_upgrade_answers_wildcard),
		T(smb1_only_client_dropped_when_smb1_off),
		T(smb1_only_client_gets_no_dialect_when_smb1_on),
		T(request_before_negotiate_is_dropped),
		T(oversized_message_is_dropped),
		T(idle_connection_is_closed),
		T(input_cut_at_every_byte),
		T(events_hold_back_input_instead_of_dropping),
		T(policy_check_explains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
