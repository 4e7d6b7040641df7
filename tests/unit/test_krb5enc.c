/* The plaintexts behind analyze --keytab (core/auth/krb5enc.h): the
 * Authenticator's and the EncAPRepPart's subkeys, built here with the DER
 * writer (RFC 4120 5.5.1 / 5.5.2 field by field), and the Ticket element
 * of a captured SPNEGO AP-REQ. Every prefix of every input is decoded from
 * an exact-size copy, so that a read past the end shows under ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth_vectors.h"
#include "core/auth/der.h"
#include "core/auth/krb5enc.h"
#include "core/auth/spnego.h"

#define APP_AUTHENTICATOR 2
#define APP_ENC_AP_REP_PART 27

static const uint8_t subkey32[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static void
ctx_int(struct sd_wr *w, uint32_t n, int64_t v)
{
	size_t f = der_wr_open(w, DER_CONTEXT, n);

	der_wr_int(w, v);
	der_wr_close(w, f);
}

static void
ctx_time(struct sd_wr *w, uint32_t n, int64_t epoch)
{
	size_t f = der_wr_open(w, DER_CONTEXT, n);

	der_wr_time(w, epoch);
	der_wr_close(w, f);
}

static void
ctx_key(struct sd_wr *w, uint32_t n, int32_t keytype, const uint8_t *v, size_t len)
{
	size_t f = der_wr_open(w, DER_CONTEXT, n), seq = der_wr_open(w, DER_UNIVERSAL, DER_TAG_SEQUENCE), k;

	ctx_int(w, 0, keytype);
	k = der_wr_open(w, DER_CONTEXT, 1);
	der_wr_octets(w, v, len);
	der_wr_close(w, k);
	der_wr_close(w, seq);
	der_wr_close(w, f);
}

/* Authenticator ::= [APPLICATION 2] SEQUENCE { authenticator-vno [0], crealm [1],
 * cname [2], cksum [3] OPTIONAL, cusec [4], ctime [5], subkey [6] OPTIONAL,
 * seq-number [7] OPTIONAL, authorization-data [8] OPTIONAL } */
static size_t
authenticator(uint8_t *buf, size_t cap, int64_t vno, bool with_subkey, int64_t seq)
{
	struct sd_wr w;
	size_t app, body, f, pn, names;

	sd_wr_init(&w, buf, cap);
	app = der_wr_open(&w, DER_APPLICATION, APP_AUTHENTICATOR);
	body = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	ctx_int(&w, 0, vno);
	f = der_wr_open(&w, DER_CONTEXT, 1);
	der_wr_string(&w, DER_TAG_GENERAL_STRING, "SMBDIAG.TEST", 12);
	der_wr_close(&w, f);
	f = der_wr_open(&w, DER_CONTEXT, 2);
	pn = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	ctx_int(&w, 0, 1);
	names = der_wr_open(&w, DER_CONTEXT, 1);
	{
		size_t seqof = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);

		der_wr_string(&w, DER_TAG_GENERAL_STRING, "alice", 5);
		der_wr_close(&w, seqof);
	}
	der_wr_close(&w, names);
	der_wr_close(&w, pn);
	der_wr_close(&w, f);
	/* cksum: the GSS checksum (RFC 4121 4.1.1), type 0x8003 */
	f = der_wr_open(&w, DER_CONTEXT, 3);
	{
		size_t ck = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE), v;
		static const uint8_t gss_ck[24] = {16};

		ctx_int(&w, 0, 0x8003);
		v = der_wr_open(&w, DER_CONTEXT, 1);
		der_wr_octets(&w, gss_ck, sizeof(gss_ck));
		der_wr_close(&w, v);
		der_wr_close(&w, ck);
	}
	der_wr_close(&w, f);
	ctx_int(&w, 4, 123456);
	ctx_time(&w, 5, 1795830000);
	if (with_subkey)
		ctx_key(&w, 6, 18, subkey32, sizeof(subkey32));
	ctx_int(&w, 7, seq);
	der_wr_close(&w, body);
	der_wr_close(&w, app);
	assert_true(sd_wr_ok(&w));
	return w.len;
}

/* EncAPRepPart ::= [APPLICATION 27] SEQUENCE { ctime [0], cusec [1],
 * subkey [2] OPTIONAL, seq-number [3] OPTIONAL } */
static size_t
enc_ap_rep_part(uint8_t *buf, size_t cap, bool with_subkey)
{
	struct sd_wr w;
	size_t app, body;

	sd_wr_init(&w, buf, cap);
	app = der_wr_open(&w, DER_APPLICATION, APP_ENC_AP_REP_PART);
	body = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	ctx_time(&w, 0, 1795830000);
	ctx_int(&w, 1, 42);
	if (with_subkey)
		ctx_key(&w, 2, 17, subkey32, 16);
	ctx_int(&w, 3, 7);
	der_wr_close(&w, body);
	der_wr_close(&w, app);
	assert_true(sd_wr_ok(&w));
	return w.len;
}

/* Every proper prefix fails; none reads past its end. */
static void
prefixes_fail(const uint8_t *buf, size_t len, bool rep)
{
	size_t n;

	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct krb_authenticator au;
		struct krb_enc_ap_rep_part ep;

		memcpy(copy, buf, n);
		if (rep)
			assert_int_not_equal(krb_decode_enc_ap_rep_part(copy, n, &ep), SD_OK);
		else
			assert_int_not_equal(krb_decode_authenticator(copy, n, &au), SD_OK);
		free(copy);
	}
}

static void
test_authenticator_subkey(void **state)
{
	uint8_t buf[512], padded[520];
	struct krb_authenticator au;
	size_t len = authenticator(buf, sizeof(buf), 5, true, 99);

	(void)state;
	assert_int_equal(krb_decode_authenticator(buf, len, &au), SD_OK);
	assert_true(au.subkey.present);
	assert_int_equal(au.subkey.keytype, 18);
	assert_int_equal(au.subkey.value.len, 32);
	assert_memory_equal(au.subkey.value.p, subkey32, 32);
	assert_int_equal(au.cusec, 123456);
	assert_int_equal(au.ctime, 1795830000);
	assert_true(au.has_seq);
	assert_int_equal(au.seq, 99);
	/* Old enctypes pad the plaintext: bytes after the element are ignored. */
	memcpy(padded, buf, len);
	memset(padded + len, 0, 8);
	assert_int_equal(krb_decode_authenticator(padded, len + 8, &au), SD_OK);
	assert_true(au.subkey.present);
	prefixes_fail(buf, len, false);
}

static void
test_authenticator_without_subkey(void **state)
{
	uint8_t buf[512];
	struct krb_authenticator au;
	size_t len = authenticator(buf, sizeof(buf), 5, false, -2);

	(void)state;
	assert_int_equal(krb_decode_authenticator(buf, len, &au), SD_OK);
	assert_false(au.subkey.present);
	/* seq-number sent as a negative Int32 keeps its 32 bits */
	assert_int_equal(au.seq, 0xFFFFFFFEu);
}

static void
test_authenticator_refused(void **state)
{
	uint8_t buf[512];
	struct krb_authenticator au;
	struct krb_enc_ap_rep_part ep;
	size_t len = authenticator(buf, sizeof(buf), 4, true, 1);

	(void)state;
	assert_int_equal(krb_decode_authenticator(buf, len, &au), SD_ERR_MALFORMED);  /* vno 4 */
	len = enc_ap_rep_part(buf, sizeof(buf), true);
	assert_int_equal(krb_decode_authenticator(buf, len, &au), SD_ERR_PROTOCOL_ID);
	len = authenticator(buf, sizeof(buf), 5, true, 1);
	assert_int_equal(krb_decode_enc_ap_rep_part(buf, len, &ep), SD_ERR_PROTOCOL_ID);
	buf[0] = 0x30;  /* a bare SEQUENCE */
	assert_int_equal(krb_decode_authenticator(buf, len, &au), SD_ERR_MALFORMED);
}

static void
test_enc_ap_rep_part(void **state)
{
	uint8_t buf[256];
	struct krb_enc_ap_rep_part ep;
	size_t len = enc_ap_rep_part(buf, sizeof(buf), true);

	(void)state;
	assert_int_equal(krb_decode_enc_ap_rep_part(buf, len, &ep), SD_OK);
	assert_true(ep.subkey.present);
	assert_int_equal(ep.subkey.keytype, 17);
	assert_int_equal(ep.subkey.value.len, 16);
	assert_memory_equal(ep.subkey.value.p, subkey32, 16);
	assert_int_equal(ep.cusec, 42);
	assert_true(ep.has_seq);
	assert_int_equal(ep.seq, 7);
	prefixes_fail(buf, len, true);
	len = enc_ap_rep_part(buf, sizeof(buf), false);
	assert_int_equal(krb_decode_enc_ap_rep_part(buf, len, &ep), SD_OK);
	assert_false(ep.subkey.present);
}

/* The captured SPNEGO NegTokenInit carries a GSS-framed AP-REQ: the
 * Ticket span starts with [APPLICATION 1], holds the ticket's enc-part as
 * the message decoder found it, and ends inside the token. */
static void
test_ticket_of_captured_ap_req(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("spnego-init-krb5-apreq.bin", buf, sizeof(buf)), n;
	struct spnego_token tok;
	struct spnego_blob inner;
	struct krb_message m;
	struct krb_str ticket;

	(void)state;
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	inner = spnego_inner_token(&tok);
	assert_non_null(inner.p);
	assert_int_equal(krb_decode_gss(inner.p, inner.len, &m), SD_OK);
	assert_int_equal(m.msg_type, KRB_MSG_AP_REQ);
	assert_int_equal(krb_ap_req_ticket_der(inner.p, inner.len, &ticket), SD_OK);
	assert_int_equal(ticket.p[0], 0x61);
	assert_true(ticket.p > inner.p && ticket.p + ticket.len <= inner.p + inner.len);
	assert_true(m.u.ap_req.ticket.enc_part.cipher.p > ticket.p);
	assert_true(m.u.ap_req.ticket.enc_part.cipher.p + m.u.ap_req.ticket.enc_part.cipher.len <=
		    ticket.p + ticket.len);
	/* the authenticator comes after the ticket */
	assert_true(m.u.ap_req.authenticator.cipher.p > ticket.p + ticket.len);
	for (n = 0; n < inner.len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, inner.p, n);
		if (krb_ap_req_ticket_der(copy, n, &ticket) == SD_OK)
			assert_true(ticket.p >= copy && ticket.p + ticket.len <= copy + n);
		free(copy);
	}
	/* an AP-REP is not an AP-REQ */
	len = auth_vector("spnego-resp-krb5-aprep.bin", buf, sizeof(buf));
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	inner = spnego_inner_token(&tok);
	assert_int_equal(krb_ap_req_ticket_der(inner.p, inner.len, &ticket), SD_ERR_PROTOCOL_ID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authenticator_subkey),
		cmocka_unit_test(test_authenticator_without_subkey),
		cmocka_unit_test(test_authenticator_refused),
		cmocka_unit_test(test_enc_ap_rep_part),
		cmocka_unit_test(test_ticket_of_captured_ap_req),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
