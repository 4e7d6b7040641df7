#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth_vectors.h"
#include "core/auth/der.h"
#include "core/auth/krb5msg.h"
#include "core/auth/spnego.h"

/* Vectors captured over TCP still carry their 4-byte record mark. */
static const char *const tcp_vectors[] = {
	"krb-error-preauth-required-tcp.bin", "krb-tgs-req-tcp.bin", "krb-tgs-rep-tcp.bin",
	"krb-error-ext-status-tcp.bin",       "krb-as-req-tcp-arkime.bin", "krb-as-req-preauth-tcp.bin",
};
static const char *const udp_vectors[] = {
	"krb-as-req-udp-kinit.bin",
	"krb-as-rep-udp-kinit.bin",
	"krb-error-response-too-big-udp.bin",
};

static void
assert_str(const struct krb_str *s, const char *want)
{
	assert_non_null(s->p);
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(s->p, want, s->len);
}

static void
assert_name(const struct krb_principal *name, const char *want)
{
	char text[128];

	assert_true(name->present);
	assert_int_equal(krb_principal_text(name, text, sizeof(text)), SD_OK);
	assert_string_equal(text, want);
}

/* Loads a TCP vector and returns the message inside its record mark. */
static const uint8_t *
tcp_body(const char *name, uint8_t *buf, size_t *len)
{
	const uint8_t *body;
	size_t total = auth_vector(name, buf, AUTH_VECTOR_MAX), used, need;

	assert_int_equal(krb_tcp_record(buf, total, &body, len, &used, &need), SD_OK);
	assert_int_equal(used, total);
	return body;
}

/* Our own exchange (always here): an SMB client's AS and TGS exchanges
 * with the tests' MIT KDC over UDP (realm SMBDIAG.TEST, alice,
 * cifs/fs1.smbdiag.test), frames 8-13 of a Kerberos-sealed session we
 * recorded against smbd (a fuzz seed too). */
#define OWN_KDC_CAPTURE "tests/fuzz/corpus/capture/smbdiag-kerberos-sealed-smb-4455-kdc-8888.pcap"
SHARED_VECTOR(own_as_req, OWN_KDC_CAPTURE, 8, 0, 0, false)
SHARED_VECTOR(own_preauth_required, OWN_KDC_CAPTURE, 9, 0, 0, false)
SHARED_VECTOR(own_as_req_preauth, OWN_KDC_CAPTURE, 10, 0, 0, false)
SHARED_VECTOR(own_as_rep, OWN_KDC_CAPTURE, 11, 0, 0, false)
SHARED_VECTOR(own_tgs_req, OWN_KDC_CAPTURE, 12, 0, 0, false)
SHARED_VECTOR(own_tgs_rep, OWN_KDC_CAPTURE, 13, 0, 0, false)

static void
decode_vec(const struct shared_vec *v, struct krb_message *m, enum krb_msg_type type)
{
	assert_int_equal(krb_decode(v->p, v->len, m), SD_OK);
	assert_int_equal(m->pvno, 5);
	assert_int_equal(m->msg_type, type);
	assert_int_equal(m->anom.n, 0);
}

static void
own_kdc_exchange_decodes(void **state)
{
	struct krb_message m;
	const struct krb_kdc_req *req = &m.u.req;
	const struct krb_kdc_rep *rep = &m.u.rep;
	const struct krb_error *e = &m.u.error;

	(void)state;
	decode_vec(own_as_req_vec(), &m, KRB_MSG_AS_REQ);
	assert_name(&req->cname, "alice");
	assert_str(&req->realm, "SMBDIAG.TEST");
	assert_name(&req->sname, "krbtgt/SMBDIAG.TEST");
	assert_false(req->has_ap_req);
	decode_vec(own_preauth_required_vec(), &m, KRB_MSG_ERROR);
	assert_int_equal(e->error_code, 25);
	assert_str(&e->realm, "SMBDIAG.TEST");
	assert_true(e->has_method_data);
	assert_true(e->n_etype_info >= 1);
	assert_int_equal(e->etype_info[0].etype, 18);
	decode_vec(own_as_req_preauth_vec(), &m, KRB_MSG_AS_REQ);
	assert_true(req->padata.n >= 1);
	decode_vec(own_as_rep_vec(), &m, KRB_MSG_AS_REP);
	assert_str(&rep->crealm, "SMBDIAG.TEST");
	assert_name(&rep->cname, "alice");
	assert_name(&rep->ticket.sname, "krbtgt/SMBDIAG.TEST");
	assert_int_equal(rep->ticket.enc_part.etype, 18);
	decode_vec(own_tgs_req_vec(), &m, KRB_MSG_TGS_REQ);
	assert_true(req->has_ap_req);
	assert_name(&req->ap_req.ticket.sname, "krbtgt/SMBDIAG.TEST");
	assert_name(&req->sname, "cifs/fs1.smbdiag.test");
	decode_vec(own_tgs_rep_vec(), &m, KRB_MSG_TGS_REP);
	assert_name(&rep->ticket.sname, "cifs/fs1.smbdiag.test");
	assert_str(&rep->ticket.realm, "SMBDIAG.TEST");
}

static void
as_req_and_as_rep_from_kinit(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("krb-as-req-udp-kinit.bin", buf, sizeof(buf));
	struct krb_message m;
	const struct krb_kdc_req *req = &m.u.req;
	const struct krb_kdc_rep *rep = &m.u.rep;

	(void)state;
	assert_int_equal(krb_decode(buf, len, &m), SD_OK);
	assert_int_equal(m.pvno, 5);
	assert_int_equal(m.msg_type, KRB_MSG_AS_REQ);
	assert_int_equal(req->padata.n, 1);
	assert_int_equal(req->padata.type[0], 149);
	assert_int_equal(req->kdc_options, 0x00000010);
	assert_name(&req->cname, "valid_client_principal");
	assert_str(&req->realm, "VLADG.NET");
	assert_name(&req->sname, "krbtgt/VLADG.NET");
	assert_int_equal(req->sname.name_type, 2);
	assert_int_equal(req->nonce, 2013635051u);
	assert_int_equal(req->n_etypes, 6);
	assert_int_equal(req->etypes[0], 18);
	assert_int_equal(req->etypes[5], 26);
	assert_false(req->has_ap_req);
	assert_int_equal(m.anom.n, 0);

	len = auth_vector("krb-as-rep-udp-kinit.bin", buf, sizeof(buf));
	assert_int_equal(krb_decode(buf, len, &m), SD_OK);
	assert_int_equal(m.msg_type, KRB_MSG_AS_REP);
	assert_int_equal(rep->padata.type[0], KRB_PA_ETYPE_INFO2);
	assert_str(&rep->crealm, "VLADG.NET");
	assert_name(&rep->cname, "valid_client_principal");
	assert_str(&rep->ticket.realm, "VLADG.NET");
	assert_name(&rep->ticket.sname, "krbtgt/VLADG.NET");
	assert_int_equal(rep->ticket.enc_part.etype, 18);
	assert_true(rep->ticket.enc_part.has_kvno);
	assert_int_equal(rep->ticket.enc_part.kvno, 1);
	assert_int_equal(rep->enc_part.etype, 18);
	assert_true(rep->enc_part.cipher.len > 0);
	assert_string_equal(krb_msg_type_name(m.msg_type), "AS-REP");
}

static void
krb_error_with_etype_info2(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len;
	const uint8_t *body = tcp_body("krb-error-preauth-required-tcp.bin", buf, &len);
	struct krb_message m;
	const struct krb_error *e = &m.u.error;

	(void)state;
	assert_int_equal(krb_decode(body, len, &m), SD_OK);
	assert_int_equal(m.msg_type, KRB_MSG_ERROR);
	assert_int_equal(e->error_code, 25);
	assert_int_equal(e->stime, 1549337928);
	assert_int_equal(e->susec, 406816);
	assert_false(e->has_ctime);
	assert_str(&e->realm, "happycraft.org");
	assert_name(&e->sname, "krbtgt/happycraft.org");
	assert_true(e->has_method_data);
	assert_int_equal(e->method_data.n, 4);
	assert_int_equal(e->method_data.type[0], KRB_PA_ETYPE_INFO2);
	assert_int_equal(e->method_data.type[3], 15);
	assert_int_equal(e->n_etype_info, 3);
	assert_int_equal(e->etype_info[0].etype, 18);
	assert_str(&e->etype_info[0].salt, "HAPPYCRAFT.ORGhostjohnson-pc.happycraft.org");
	assert_int_equal(e->etype_info[1].etype, 23);
	assert_null(e->etype_info[1].salt.p);
	assert_int_equal(e->etype_info[2].etype, 3);
	assert_false(e->has_ext_error);
	assert_int_equal(e->e_data_err, SD_OK);
}

static void
krb_error_with_ntstatus_and_udp_error(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len;
	const uint8_t *body = tcp_body("krb-error-ext-status-tcp.bin", buf, &len);
	struct krb_message m;
	const struct krb_error *e = &m.u.error;

	(void)state;
	assert_int_equal(krb_decode(body, len, &m), SD_OK);
	assert_int_equal(e->error_code, 13);
	assert_int_equal(e->sname.name_type, 10);
	assert_name(&e->sname, "johnson-pc$@HAPPYCRAFT.ORG");
	assert_false(e->has_method_data);
	assert_true(e->has_error_data);
	assert_int_equal(e->error_data_type, KRB_ERR_DATA_EXTENDED);
	assert_true(e->has_ext_error);
	assert_int_equal(e->ext_status, 0xC00000BB);
	assert_int_equal(e->ext_flags, 3);

	len = auth_vector("krb-error-response-too-big-udp.bin", buf, sizeof(buf));
	assert_int_equal(krb_decode(buf, len, &m), SD_OK);
	assert_int_equal(e->error_code, 52);
	assert_name(&e->sname, "krbtgt/LINUX.SHELL.COM");
	assert_null(e->e_data.p);
}

static void
tgs_req_with_tgt_and_tgs_rep(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len;
	const uint8_t *body = tcp_body("krb-tgs-req-tcp.bin", buf, &len);
	struct krb_message m;
	const struct krb_kdc_req *req = &m.u.req;

	(void)state;
	assert_int_equal(krb_decode(body, len, &m), SD_OK);
	assert_int_equal(m.msg_type, KRB_MSG_TGS_REQ);
	assert_int_equal(req->padata.n, 2);
	assert_int_equal(req->padata.type[1], 165);
	assert_true(req->has_ap_req);
	assert_int_equal(req->ap_req_err, SD_OK);
	assert_int_equal(req->ap_req.ap_options, 0);
	assert_str(&req->ap_req.ticket.realm, "HAPPYCRAFT.ORG");
	assert_name(&req->ap_req.ticket.sname, "krbtgt/HAPPYCRAFT.ORG");
	assert_int_equal(req->ap_req.ticket.enc_part.kvno, 2);
	assert_int_equal(req->ap_req.authenticator.etype, 18);
	assert_int_equal(req->kdc_options, 0x60810010);
	assert_false(req->cname.present);
	assert_int_equal(req->till, 2136422885);
	assert_int_equal(req->nonce, 1322059246u);
	assert_int_equal(req->n_etypes, 1);

	body = tcp_body("krb-tgs-rep-tcp.bin", buf, &len);
	assert_int_equal(krb_decode(body, len, &m), SD_OK);
	assert_int_equal(m.msg_type, KRB_MSG_TGS_REP);
	assert_name(&m.u.rep.cname, "JOHNSON-PC$");
	assert_str(&m.u.rep.crealm, "HAPPYCRAFT.ORG");
	assert_int_equal(m.u.rep.ticket.tkt_vno, 5);
	assert_int_equal(m.u.rep.enc_part.etype, 18);
}

static void
ap_req_and_ap_rep_inside_spnego(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("spnego-init-krb5-apreq.bin", buf, sizeof(buf));
	struct spnego_token tok;
	struct krb_message m;

	(void)state;
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(krb_decode_gss(tok.init.mech_token.p, tok.init.mech_token.len, &m), SD_OK);
	assert_true(m.gss_framed);
	assert_int_equal(m.gss_token_id, KRB_TOK_AP_REQ);
	assert_int_equal(m.msg_type, KRB_MSG_AP_REQ);
	assert_int_equal(m.u.ap_req.ap_options, KRB_AP_OPT_MUTUAL_REQUIRED);
	assert_str(&m.u.ap_req.ticket.realm, "DS.SUSQ.COM");
	assert_name(&m.u.ap_req.ticket.sname, "cifs/phxlabbal821.techlab.susq.com");
	assert_int_equal(m.u.ap_req.ticket.enc_part.etype, 18);
	assert_int_equal(m.u.ap_req.ticket.enc_part.kvno, 2);
	assert_int_equal(m.u.ap_req.authenticator.etype, 18);
	assert_false(m.u.ap_req.authenticator.has_kvno);
	assert_int_equal(m.anom.n, 0);
	/* The bare AP-REQ after the 17-byte GSS header decodes the same. */
	assert_int_equal(krb_decode_gss(tok.init.mech_token.p + 17, tok.init.mech_token.len - 17, &m), SD_OK);
	assert_false(m.gss_framed);
	assert_int_equal(m.msg_type, KRB_MSG_AP_REQ);

	len = auth_vector("spnego-resp-krb5-aprep.bin", buf, sizeof(buf));
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(krb_decode_gss(tok.resp.response_token.p, tok.resp.response_token.len, &m), SD_OK);
	assert_int_equal(m.gss_token_id, KRB_TOK_AP_REP);
	assert_int_equal(m.msg_type, KRB_MSG_AP_REP);
	assert_int_equal(m.u.ap_rep.enc_part.etype, 18);
}

static void
tcp_record_marking(void **state)
{
	static const uint8_t partial[] = {0x00, 0x00, 0x00, 0x05, 0x6a, 0x00};
	static const uint8_t reserved[] = {0x80, 0x00, 0x00, 0x00};
	const uint8_t *body;
	size_t len, used, need;

	(void)state;
	assert_int_equal(krb_tcp_record(partial, 3, &body, &len, &used, &need), SD_ERR_TRUNCATED);
	assert_int_equal(need, 4);
	assert_int_equal(krb_tcp_record(partial, sizeof(partial), &body, &len, &used, &need), SD_ERR_TRUNCATED);
	assert_int_equal(need, 9);
	assert_int_equal(krb_tcp_record(reserved, sizeof(reserved), &body, &len, &used, &need),
			 SD_ERR_UNSUPPORTED);
}

static void
malformed_and_foreign_messages(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("krb-preauthpad-1.bin", buf, sizeof(buf));
	static const uint8_t krb_safe[] = {0x74, 0x02, 0x30, 0x00};
	static const uint8_t not_krb[] = {0x30, 0x00};
	static const uint8_t wrong_type[] = {0x6f, 0x0c, 0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01,
					     0x05, 0xa1, 0x03, 0x02, 0x01, 0x0e};
	struct krb_message m;

	(void)state;
	/* A KRB-ERROR from a fuzzed capture with only error-code and e-data. */
	assert_int_equal(krb_decode(buf, len, &m), SD_ERR_MALFORMED);
	assert_int_equal(krb_decode(krb_safe, sizeof(krb_safe), &m), SD_ERR_UNSUPPORTED);
	assert_int_equal(krb_decode(not_krb, sizeof(not_krb), &m), SD_ERR_PROTOCOL_ID);
	assert_int_equal(krb_decode(wrong_type, sizeof(wrong_type), &m), SD_ERR_MALFORMED);
	assert_int_equal(krb_decode(buf, 0, &m), SD_ERR_TRUNCATED);
}

static void
every_truncation_fails(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	struct krb_message m;
	const uint8_t *body;
	size_t v, i, len;

	(void)state;
	for (v = 0; v < sizeof(tcp_vectors) / sizeof(tcp_vectors[0]) + sizeof(udp_vectors) / sizeof(udp_vectors[0]);
	     v++) {
		if (v < sizeof(tcp_vectors) / sizeof(tcp_vectors[0])) {
			body = tcp_body(tcp_vectors[v], buf, &len);
		} else {
			len = auth_vector(udp_vectors[v - sizeof(tcp_vectors) / sizeof(tcp_vectors[0])], buf,
					  sizeof(buf));
			body = buf;
		}
		assert_int_equal(krb_decode(body, len, &m), SD_OK);
		for (i = 0; i < len; i++) {
			uint8_t *cut = auth_exact_copy(body, i);

			assert_int_not_equal(krb_decode(cut, i, &m), SD_OK);
			free(cut);
		}
	}
}

static void
krb_error_inside_gss_framing(void **state)
{
	uint8_t msg[AUTH_VECTOR_MAX], tok[AUTH_VECTOR_MAX];
	size_t len = auth_vector("krb-error-response-too-big-udp.bin", msg, sizeof(msg));
	struct krb_message m;

	(void)state;
	assert_true(len + 15 < 128);
	tok[0] = 0x60;
	tok[1] = (uint8_t)(2 + sizeof(spnego_oid_krb5) + 2 + len);
	tok[2] = 0x06;
	tok[3] = sizeof(spnego_oid_krb5);
	memcpy(tok + 4, spnego_oid_krb5, sizeof(spnego_oid_krb5));
	tok[13] = 0x03;
	tok[14] = 0x00;
	memcpy(tok + 15, msg, len);
	assert_int_equal(krb_decode_gss(tok, 15 + len, &m), SD_OK);
	assert_true(m.gss_framed);
	assert_int_equal(m.gss_token_id, KRB_TOK_ERROR);
	assert_int_equal(m.msg_type, KRB_MSG_ERROR);
	assert_int_equal(m.u.error.error_code, 52);
	/* One byte more than the framing announces is an anomaly. */
	tok[15 + len] = 0;
	assert_int_equal(krb_decode_gss(tok, 16 + len, &m), SD_OK);
	assert_int_equal(m.anom.n, 1);
	assert_int_equal(m.anom.a[0].code, SD_ANOM_TRAILING_BYTES);
	/* Any other OID is not a Kerberos framing. */
	tok[4 + 8] = 0x0b;
	assert_int_equal(krb_decode_gss(tok, 15 + len, &m), SD_ERR_PROTOCOL_ID);
}

static void
pa_tgs_req_must_hold_an_ap_req(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len;
	const uint8_t *body = tcp_body("krb-tgs-req-tcp.bin", buf, &len);
	uint8_t *copy = auth_exact_copy(body, len);
	struct krb_message m;

	(void)state;
	assert_int_equal(krb_decode(copy, len, &m), SD_OK);
	/* Retag the embedded AP-REQ as a TGS-REQ: no recursion, just noted. */
	copy[m.u.req.padata.value[0].p - copy] = 0x6c;
	assert_int_equal(krb_decode(copy, len, &m), SD_OK);
	assert_false(m.u.req.has_ap_req);
	assert_int_equal(m.u.req.ap_req_err, SD_ERR_PROTOCOL_ID);
	free(copy);
}

/* Writes [n] { INTEGER v }. */
static void
wr_ctx_int(struct sd_wr *w, uint32_t n, int64_t v)
{
	size_t c = der_wr_open(w, DER_CONTEXT, n);

	der_wr_int(w, v);
	der_wr_close(w, c);
}

static void
wr_ctx_string(struct sd_wr *w, uint32_t n, const char *s)
{
	size_t c = der_wr_open(w, DER_CONTEXT, n);

	der_wr_string(w, DER_TAG_GENERAL_STRING, s, strlen(s));
	der_wr_close(w, c);
}

/* PA-DATA { [1] type, [2] value } */
static void
wr_padata(struct sd_wr *w, int32_t type, const uint8_t *v, size_t len)
{
	size_t seq = der_wr_open(w, DER_UNIVERSAL, DER_TAG_SEQUENCE), c;

	wr_ctx_int(w, 1, type);
	c = der_wr_open(w, DER_CONTEXT, 2);
	der_wr_octets(w, v, len);
	der_wr_close(w, c);
	der_wr_close(w, seq);
}

/* A Windows-style KRB-ERROR: METHOD-DATA with ETYPE-INFO2 and the
 * NTSTATUS in a 12-byte PA-PW-SALT. */
static void
krb_error_with_windows_method_data(void **state)
{
	static const uint8_t ext[12] = {0x72, 0x00, 0x00, 0xC0, 0, 0, 0, 0, 1, 0, 0, 0};
	uint8_t info[64], edata[128], msg[512];
	struct sd_wr w;
	size_t app, seq, c, s2, e2, elen;
	struct krb_message m;

	(void)state;
	sd_wr_init(&w, info, sizeof(info));
	s2 = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	e2 = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	wr_ctx_int(&w, 0, 18);
	wr_ctx_string(&w, 1, "CONTOSO.COMuser");
	der_wr_close(&w, e2);
	der_wr_close(&w, s2);
	elen = w.len;
	sd_wr_init(&w, edata, sizeof(edata));
	s2 = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	wr_padata(&w, KRB_PA_ETYPE_INFO2, info, elen);
	wr_padata(&w, KRB_PA_PW_SALT, ext, sizeof(ext));
	der_wr_close(&w, s2);
	elen = w.len;

	sd_wr_init(&w, msg, sizeof(msg));
	app = der_wr_open(&w, DER_APPLICATION, KRB_MSG_ERROR);
	seq = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	wr_ctx_int(&w, 0, 5);
	wr_ctx_int(&w, 1, KRB_MSG_ERROR);
	c = der_wr_open(&w, DER_CONTEXT, 4);
	der_wr_time(&w, 1549337928);
	der_wr_close(&w, c);
	wr_ctx_int(&w, 5, 12345);
	wr_ctx_int(&w, 6, 18);
	wr_ctx_string(&w, 9, "CONTOSO.COM");
	c = der_wr_open(&w, DER_CONTEXT, 10);
	s2 = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	wr_ctx_int(&w, 0, 2);
	e2 = der_wr_open(&w, DER_CONTEXT, 1);
	{
		size_t names = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);

		der_wr_string(&w, DER_TAG_GENERAL_STRING, "krbtgt", 6);
		der_wr_string(&w, DER_TAG_GENERAL_STRING, "CONTOSO.COM", 11);
		der_wr_close(&w, names);
	}
	der_wr_close(&w, e2);
	der_wr_close(&w, s2);
	der_wr_close(&w, c);
	c = der_wr_open(&w, DER_CONTEXT, 12);
	der_wr_octets(&w, edata, elen);
	der_wr_close(&w, c);
	der_wr_close(&w, seq);
	der_wr_close(&w, app);
	assert_true(sd_wr_ok(&w));

	assert_int_equal(krb_decode(msg, w.len, &m), SD_OK);
	assert_int_equal(m.u.error.error_code, 18);
	assert_int_equal(m.u.error.stime, 1549337928);
	assert_name(&m.u.error.sname, "krbtgt/CONTOSO.COM");
	assert_true(m.u.error.has_method_data);
	assert_int_equal(m.u.error.n_etype_info, 1);
	assert_str(&m.u.error.etype_info[0].salt, "CONTOSO.COMuser");
	assert_true(m.u.error.has_ext_error);
	assert_int_equal(m.u.error.ext_status, 0xC0000072);
	assert_int_equal(m.u.error.ext_flags, 1);
	assert_int_equal(m.anom.n, 0);
}

static void
principal_text_bounds(void **state)
{
	struct krb_principal p = {0};
	char text[16];

	(void)state;
	p.present = true;
	p.n = 2;
	p.part[0].p = (const uint8_t *)"cifs";
	p.part[0].len = 4;
	p.part[1].p = (const uint8_t *)"fs\0";
	p.part[1].len = 3;
	assert_int_equal(krb_principal_text(&p, text, sizeof(text)), SD_OK);
	assert_string_equal(text, "cifs/fs?");
	assert_int_equal(krb_principal_text(&p, text, 9), SD_OK);
	assert_int_equal(krb_principal_text(&p, text, 8), SD_ERR_NO_SPACE);
	assert_string_equal(text, "");
	p.n = 0;
	assert_int_equal(krb_principal_text(&p, text, 1), SD_OK);
	assert_string_equal(text, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_kdc_exchange_decodes),
		cmocka_unit_test(as_req_and_as_rep_from_kinit),
		cmocka_unit_test(krb_error_with_etype_info2),
		cmocka_unit_test(krb_error_with_ntstatus_and_udp_error),
		cmocka_unit_test(tgs_req_with_tgt_and_tgs_rep),
		cmocka_unit_test(ap_req_and_ap_rep_inside_spnego),
		cmocka_unit_test(tcp_record_marking),
		cmocka_unit_test(malformed_and_foreign_messages),
		cmocka_unit_test(every_truncation_fails),
		cmocka_unit_test(krb_error_inside_gss_framing),
		cmocka_unit_test(pa_tgs_req_must_hold_an_ap_req),
		cmocka_unit_test(krb_error_with_windows_method_data),
		cmocka_unit_test(principal_text_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
