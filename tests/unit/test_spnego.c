#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth_vectors.h"
#include "core/auth/ntlmssp.h"
#include "core/auth/spnego.h"
#include "core/wire/smb2.h"

static const char *const der_vectors[] = {
	"spnego-init2-server.bin",        "spnego-init2-negoex.bin",
	"spnego-init-krb5-apreq.bin",     "spnego-init-ntlm-negotiate.bin",
	"spnego-resp-ntlm-challenge.bin", "spnego-resp-ntlm-authenticate.bin",
	"spnego-resp-krb5-aprep.bin",     "spnego-resp-accept-completed.bin",
};

static void
server_init2_from_samba(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("spnego-init2-server.bin", buf, sizeof(buf));
	struct spnego_token tok;

	(void)state;
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(tok.kind, SPNEGO_KIND_INIT);
	assert_true(tok.gss_framed);
	assert_int_equal(tok.anom.n, 0);
	assert_int_equal(tok.init.n_mechs, 3);
	assert_int_equal(tok.init.mechs[0], SPNEGO_MECH_MS_KRB5);
	assert_int_equal(tok.init.mechs[1], SPNEGO_MECH_KRB5);
	assert_int_equal(tok.init.mechs[2], SPNEGO_MECH_NTLMSSP);
	assert_int_equal(tok.init.mech_types_der.p[0], 0x30);
	assert_int_equal(tok.init.mech_types_der.len, 2 + 0x22);
	assert_true(tok.init.has_neg_hints);
	assert_int_equal(tok.init.hint_name.len, strlen(SPNEGO_WINDOWS_HINT_NAME));
	assert_memory_equal(tok.init.hint_name.p, SPNEGO_WINDOWS_HINT_NAME, tok.init.hint_name.len);
	assert_null(tok.init.mech_token.p);
	assert_null(tok.init.mech_list_mic.p);
}

static void
windows_negoex_init2_and_client_init(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("spnego-init2-negoex.bin", buf, sizeof(buf));
	struct spnego_token tok;
	struct spnego_blob inner;

	(void)state;
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(tok.init.n_mechs, 2);
	assert_int_equal(tok.init.mechs[0], SPNEGO_MECH_NEGOEX);
	assert_int_equal(tok.init.mechs[1], SPNEGO_MECH_NTLMSSP);
	assert_memory_equal(tok.init.mech_token.p, "NEGOEXTS", 8);
	assert_false(tok.init.has_neg_hints);

	len = auth_vector("spnego-init-ntlm-negotiate.bin", buf, sizeof(buf));
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(tok.kind, SPNEGO_KIND_INIT);
	assert_int_equal(tok.init.n_mechs, 1);
	assert_int_equal(tok.init.mechs[0], SPNEGO_MECH_NTLMSSP);
	inner = spnego_inner_token(&tok);
	assert_int_equal(inner.len, 40);
	assert_memory_equal(inner.p, "NTLMSSP\0\x01", 9);
}

static void
kerberos_init_and_response(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("spnego-init-krb5-apreq.bin", buf, sizeof(buf));
	struct spnego_token tok, raw;

	(void)state;
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(tok.init.n_mechs, 4);
	assert_int_equal(tok.init.mechs[0], SPNEGO_MECH_MS_KRB5);
	assert_int_equal(tok.init.mechs[2], SPNEGO_MECH_NEGOEX);
	assert_int_equal(tok.init.mech_token.p[0], 0x60);
	/* The same Kerberos token sent raw, without SPNEGO around it. */
	assert_int_equal(spnego_decode(tok.init.mech_token.p, tok.init.mech_token.len, &raw), SD_OK);
	assert_int_equal(raw.kind, SPNEGO_KIND_RAW_KRB5);
	assert_int_equal(raw.raw_mech, SPNEGO_MECH_KRB5);

	len = auth_vector("spnego-resp-krb5-aprep.bin", buf, sizeof(buf));
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(tok.kind, SPNEGO_KIND_RESP);
	assert_true(tok.resp.has_neg_state);
	assert_int_equal(tok.resp.neg_state, SPNEGO_ACCEPT_COMPLETED);
	assert_int_equal(tok.resp.supported_mech, SPNEGO_MECH_MS_KRB5);
	assert_int_equal(tok.resp.response_token.p[0], 0x60);
	assert_string_equal(spnego_neg_state_name(tok.resp.neg_state), "accept-completed");
}

/* Our own (always here): the security buffers of smbclient's NTLM logon to
 * smbd, tests/scenarios/ok-smb311.pcapng frames 6 (NEGOTIATE answer) and
 * 8-11 (SESSION_SETUP), taken out of the SMB2 messages by the SMB2 codec. */
#define OK_SMB311 "tests/scenarios/ok-smb311.pcapng"
SHARED_VECTOR(samba_neg_answer, OK_SMB311, 6, 4, 0, false)
SHARED_VECTOR(samba_setup1, OK_SMB311, 8, 4, 0, false)
SHARED_VECTOR(samba_setup1_answer, OK_SMB311, 9, 4, 0, false)
SHARED_VECTOR(samba_setup2, OK_SMB311, 10, 4, 0, false)
SHARED_VECTOR(samba_setup2_answer, OK_SMB311, 11, 4, 0, false)

static void
blob_of(const struct shared_vec *v, bool request, struct spnego_token *tok)
{
	struct smb2_session_setup_req q;
	struct smb2_session_setup_rsp r;

	if (request) {
		assert_int_equal(smb2_session_setup_req_decode(v->p, v->len, &q), SD_OK);
		assert_int_equal(spnego_decode(q.secbuf, q.secbuf_len, tok), SD_OK);
	} else {
		assert_int_equal(smb2_session_setup_rsp_decode(v->p, v->len, &r), SD_OK);
		assert_int_equal(spnego_decode(r.secbuf, r.secbuf_len, tok), SD_OK);
	}
	assert_int_equal(tok->anom.n, 0);
}

static void
samba_ntlm_logon(void **state)
{
	const struct shared_vec *neg = samba_neg_answer_vec();
	struct smb2_negotiate_rsp nr;
	struct spnego_token tok;
	struct spnego_blob inner;
	struct ntlm_challenge ch;
	struct ntlm_authenticate au;

	(void)state;
	assert_int_equal(smb2_negotiate_rsp_decode(neg->p, neg->len, &nr), SD_OK);
	assert_int_equal(spnego_decode(nr.secbuf, nr.secbuf_len, &tok), SD_OK);
	assert_int_equal(tok.kind, SPNEGO_KIND_INIT);
	assert_true(tok.init.has_neg_hints);
	assert_true(tok.init.n_mechs >= 1);
	assert_int_equal(tok.init.mechs[tok.init.n_mechs - 1], SPNEGO_MECH_NTLMSSP);

	blob_of(samba_setup1_vec(), true, &tok);
	assert_int_equal(tok.kind, SPNEGO_KIND_INIT);
	assert_memory_equal(tok.init.mech_token.p, "NTLMSSP\0\x01", 9);

	blob_of(samba_setup1_answer_vec(), false, &tok);
	assert_int_equal(tok.resp.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_int_equal(tok.resp.supported_mech, SPNEGO_MECH_NTLMSSP);
	inner = spnego_inner_token(&tok);
	assert_int_equal(ntlm_decode_challenge(inner.p, inner.len, &ch), SD_OK);
	assert_non_null(ntlm_av_find(&ch.av, NTLM_AV_NB_COMPUTER_NAME));
	assert_non_null(ntlm_av_find(&ch.av, NTLM_AV_NB_DOMAIN_NAME));

	blob_of(samba_setup2_vec(), true, &tok);
	inner = spnego_inner_token(&tok);
	assert_int_equal(ntlm_decode_authenticate(inner.p, inner.len, &au), SD_OK);
	assert_int_equal(au.user.len, 10);
	assert_memory_equal(au.user.p, "a\0l\0i\0c\0e\0", 10);

	blob_of(samba_setup2_answer_vec(), false, &tok);
	assert_int_equal(tok.resp.neg_state, SPNEGO_ACCEPT_COMPLETED);
}

static void
ntlm_responses_and_final_mic(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("spnego-resp-ntlm-challenge.bin", buf, sizeof(buf));
	struct spnego_token tok;

	(void)state;
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(tok.resp.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_int_equal(tok.resp.supported_mech, SPNEGO_MECH_NTLMSSP);
	assert_memory_equal(tok.resp.response_token.p, "NTLMSSP\0\x02", 9);

	len = auth_vector("spnego-resp-ntlm-authenticate.bin", buf, sizeof(buf));
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_memory_equal(tok.resp.response_token.p, "NTLMSSP\0\x03", 9);
	assert_int_equal(tok.resp.mech_list_mic.len, 16);

	len = auth_vector("spnego-resp-accept-completed.bin", buf, sizeof(buf));
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(tok.resp.neg_state, SPNEGO_ACCEPT_COMPLETED);
	assert_int_equal(tok.resp.supported_mech, SPNEGO_MECH_NONE);
	assert_null(tok.resp.response_token.p);
	assert_int_equal(tok.resp.mech_list_mic.len, 16);
}

static void
raw_tokens_and_empty(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("ntlm-raw-challenge.bin", buf, sizeof(buf));
	static const uint8_t bare_ap_req[] = {0x6e, 0x03, 0x30, 0x01, 0x00};
	static const uint8_t other_oid[] = {0x60, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04};
	static const uint8_t junk[] = {0x42, 0x00};
	struct spnego_token tok;

	(void)state;
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(tok.kind, SPNEGO_KIND_RAW_NTLMSSP);
	assert_int_equal(tok.raw.len, len);
	assert_int_equal(spnego_inner_token(&tok).len, len);
	assert_int_equal(spnego_decode(bare_ap_req, sizeof(bare_ap_req), &tok), SD_OK);
	assert_int_equal(tok.kind, SPNEGO_KIND_RAW_KRB5);
	assert_int_equal(spnego_decode(buf, 0, &tok), SD_OK);
	assert_int_equal(tok.kind, SPNEGO_KIND_EMPTY);
	assert_null(spnego_inner_token(&tok).p);
	assert_int_equal(spnego_decode(other_oid, sizeof(other_oid), &tok), SD_ERR_PROTOCOL_ID);
	assert_int_equal(spnego_decode(junk, sizeof(junk), &tok), SD_ERR_PROTOCOL_ID);
}

static void
malformed_tokens(void **state)
{
	static const uint8_t no_mech_types[] = {0xa0, 0x02, 0x30, 0x00};
	static const uint8_t bad_state[] = {0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x05};
	static const uint8_t extra_field[] = {0xa1, 0x09, 0x30, 0x07, 0xa0, 0x03, 0x0a, 0x01, 0x01, 0x85, 0x00};
	static const uint8_t not_oid[] = {0xa0, 0x08, 0x30, 0x06, 0xa0, 0x04, 0x30, 0x02, 0x04, 0x00};
	static const uint8_t indefinite[] = {0xa1, 0x80, 0x30, 0x00, 0x00, 0x00};
	struct spnego_token tok;

	(void)state;
	assert_int_equal(spnego_decode(no_mech_types, sizeof(no_mech_types), &tok), SD_ERR_MALFORMED);
	assert_int_equal(spnego_decode(bad_state, sizeof(bad_state), &tok), SD_ERR_MALFORMED);
	assert_int_equal(spnego_decode(not_oid, sizeof(not_oid), &tok), SD_ERR_MALFORMED);
	assert_int_equal(spnego_decode(indefinite, sizeof(indefinite), &tok), SD_ERR_MALFORMED);
	assert_int_equal(spnego_decode(extra_field, sizeof(extra_field), &tok), SD_OK);
	assert_int_equal(tok.resp.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_int_equal(tok.anom.n, 1);
	assert_int_equal(tok.anom.a[0].code, SD_ANOM_TRAILING_BYTES);
	assert_int_equal(tok.anom.a[0].offset, 9);
}

static void
every_truncation_fails(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	struct spnego_token tok;
	size_t v, len, i;

	(void)state;
	for (v = 0; v < sizeof(der_vectors) / sizeof(der_vectors[0]); v++) {
		len = auth_vector(der_vectors[v], buf, sizeof(buf));
		assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
		for (i = 1; i < len; i++) {
			uint8_t *cut = auth_exact_copy(buf, i);

			assert_int_not_equal(spnego_decode(cut, i, &tok), SD_OK);
			free(cut);
		}
	}
}

static void
too_many_mechs_are_counted(void **state)
{
	struct spnego_init in = {0};
	struct spnego_token tok;
	uint8_t buf[512];
	struct sd_wr w;
	size_t i;

	(void)state;
	/* Eight fit exactly; a hand-made list of ten drops two. */
	in.n_mechs = SPNEGO_MECHS_MAX;
	for (i = 0; i < SPNEGO_MECHS_MAX; i++)
		in.mechs[i] = SPNEGO_MECH_NTLMSSP;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(spnego_encode_init(&w, &in), SD_OK);
	assert_int_equal(spnego_decode(buf, w.len, &tok), SD_OK);
	assert_int_equal(tok.init.n_mechs, SPNEGO_MECHS_MAX);
	assert_int_equal(tok.init.mechs_dropped, 0);
	{
		static const uint8_t ten[] = {
			0xa0, 0x24, 0x30, 0x22, 0xa0, 0x20, 0x30, 0x1e,
			0x06, 0x01, 0x2a, 0x06, 0x01, 0x2a, 0x06, 0x01, 0x2a, 0x06, 0x01, 0x2a, 0x06, 0x01,
			0x2a, 0x06, 0x01, 0x2a, 0x06, 0x01, 0x2a, 0x06, 0x01, 0x2a, 0x06, 0x01, 0x2a, 0x06,
			0x01, 0x2a,
		};

		assert_int_equal(spnego_decode(ten, sizeof(ten), &tok), SD_OK);
		assert_int_equal(tok.init.n_mechs, SPNEGO_MECHS_MAX);
		assert_int_equal(tok.init.mechs_dropped, 2);
		assert_int_equal(tok.init.mechs[0], SPNEGO_MECH_UNKNOWN);
		assert_int_equal(tok.anom.a[0].code, SD_ANOM_ITEMS_DROPPED);
	}
}

static void
encodes_mech_types_for_mic(void **state)
{
	static const uint8_t want[] = {0x30, 0x0C, 0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04,
				       0x01, 0x82, 0x37, 0x02, 0x02, 0x0A};
	enum spnego_mech mech = SPNEGO_MECH_NTLMSSP;
	uint8_t buf[32];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(spnego_encode_mech_types(&w, &mech, 1), SD_OK);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	mech = SPNEGO_MECH_UNKNOWN;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(spnego_encode_mech_types(&w, &mech, 1), SD_ERR_INVALID_ARG);
}

/* Decoding a captured token and encoding the result gives the same bytes. */
static void
reencode_matches_capture(void **state)
{
	static const char *const names[] = {"spnego-init2-server.bin", "spnego-resp-ntlm-challenge.bin",
					    "spnego-resp-ntlm-authenticate.bin",
					    "spnego-resp-accept-completed.bin", "spnego-resp-krb5-aprep.bin",
					    "spnego-init-ntlm-negotiate.bin"};
	uint8_t buf[AUTH_VECTOR_MAX], out[AUTH_VECTOR_MAX];
	struct spnego_token tok;
	struct sd_wr w;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		len = auth_vector(names[i], buf, sizeof(buf));
		assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
		sd_wr_init(&w, out, sizeof(out));
		if (tok.kind == SPNEGO_KIND_RESP)
			assert_int_equal(spnego_encode_resp(&w, &tok.resp), SD_OK);
		else if (tok.init.has_neg_hints)
			assert_int_equal(spnego_encode_init2(&w, &tok.init), SD_OK);
		else
			assert_int_equal(spnego_encode_init(&w, &tok.init), SD_OK);
		assert_int_equal(w.len, len);
		assert_memory_equal(out, buf, len);
	}
}

static void
round_trips_built_tokens(void **state)
{
	static const uint8_t ntlm_negotiate[] = "NTLMSSP\0\x01\0\0\0\x97\x82\x08\xe2";
	static const uint8_t mic[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	struct spnego_init in = {0};
	struct spnego_resp resp = {0};
	struct spnego_token tok;
	uint8_t buf[512];
	struct sd_wr w;

	(void)state;
	in.n_mechs = 2;
	in.mechs[0] = SPNEGO_MECH_NTLMSSP;
	in.mechs[1] = SPNEGO_MECH_KRB5;
	in.has_req_flags = true;
	in.req_flags = 0x60000000;
	in.mech_token.p = ntlm_negotiate;
	in.mech_token.len = sizeof(ntlm_negotiate) - 1;
	in.mech_list_mic.p = mic;
	in.mech_list_mic.len = sizeof(mic);
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(spnego_encode_init(&w, &in), SD_OK);
	assert_int_equal(spnego_decode(buf, w.len, &tok), SD_OK);
	assert_int_equal(tok.kind, SPNEGO_KIND_INIT);
	assert_int_equal(tok.init.n_mechs, 2);
	assert_int_equal(tok.init.mechs[1], SPNEGO_MECH_KRB5);
	assert_true(tok.init.has_req_flags);
	assert_int_equal(tok.init.req_flags, 0x60000000);
	assert_int_equal(tok.init.mech_token.len, in.mech_token.len);
	assert_memory_equal(tok.init.mech_token.p, ntlm_negotiate, in.mech_token.len);
	assert_memory_equal(tok.init.mech_list_mic.p, mic, 16);
	assert_false(tok.init.has_neg_hints);

	in.has_req_flags = false;
	in.mech_token.p = NULL;
	in.hint_name.p = (const uint8_t *)SPNEGO_WINDOWS_HINT_NAME;
	in.hint_name.len = strlen(SPNEGO_WINDOWS_HINT_NAME);
	in.hint_address.p = mic;
	in.hint_address.len = 4;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(spnego_encode_init2(&w, &in), SD_OK);
	assert_int_equal(spnego_decode(buf, w.len, &tok), SD_OK);
	assert_true(tok.init.has_neg_hints);
	assert_memory_equal(tok.init.hint_name.p, SPNEGO_WINDOWS_HINT_NAME, in.hint_name.len);
	assert_int_equal(tok.init.hint_address.len, 4);
	assert_int_equal(tok.init.mech_list_mic.len, 16);

	resp.has_neg_state = true;
	resp.neg_state = SPNEGO_REQUEST_MIC;
	resp.supported_mech = SPNEGO_MECH_KRB5_U2U;
	resp.response_token.p = ntlm_negotiate;
	resp.response_token.len = 12;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(spnego_encode_resp(&w, &resp), SD_OK);
	assert_int_equal(spnego_decode(buf, w.len, &tok), SD_OK);
	assert_int_equal(tok.resp.neg_state, SPNEGO_REQUEST_MIC);
	assert_int_equal(tok.resp.supported_mech, SPNEGO_MECH_KRB5_U2U);
	assert_int_equal(tok.resp.response_token.len, 12);
	assert_null(tok.resp.mech_list_mic.p);

	sd_wr_init(&w, buf, 20);
	assert_int_equal(spnego_encode_resp(&w, &resp), SD_ERR_NO_SPACE);
}

static void
names_mechanisms(void **state)
{
	size_t len;

	(void)state;
	assert_string_equal(spnego_mech_name(SPNEGO_MECH_NEGOEX), "negoex");
	assert_string_equal(spnego_mech_name(SPNEGO_MECH_NONE), "none");
	assert_non_null(spnego_mech_oid(SPNEGO_MECH_KRB5_U2U, &len));
	assert_int_equal(len, 10);
	assert_null(spnego_mech_oid(SPNEGO_MECH_UNKNOWN, &len));
	assert_null(spnego_neg_state_name(4));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_init2_from_samba),
		cmocka_unit_test(windows_negoex_init2_and_client_init),
		cmocka_unit_test(kerberos_init_and_response),
		cmocka_unit_test(samba_ntlm_logon),
		cmocka_unit_test(ntlm_responses_and_final_mic),
		cmocka_unit_test(raw_tokens_and_empty),
		cmocka_unit_test(malformed_tokens),
		cmocka_unit_test(every_truncation_fails),
		cmocka_unit_test(too_many_mechs_are_counted),
		cmocka_unit_test(encodes_mech_types_for_mic),
		cmocka_unit_test(reencode_matches_capture),
		cmocka_unit_test(round_trips_built_tokens),
		cmocka_unit_test(names_mechanisms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
