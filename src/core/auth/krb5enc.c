#include "core/auth/krb5enc.h"

#include <string.h>

#include "core/auth/der.h"
#include "core/auth/spnego.h"

#define KRB_APP_TICKET 1
#define KRB_APP_AUTHENTICATOR 2
#define KRB_APP_ENC_AP_REP_PART 27

/* A context field that must be there: [n] EXPLICIT. */
static struct sd_rd
field(struct sd_rd *r, uint32_t n)
{
	struct sd_rd inner;

	if (!der_ctx(r, n, &inner)) {
		sd_rd_fail(r, SD_ERR_MALFORMED);
		sd_rd_init(&inner, NULL, 0);
		inner.err = r->err;
	}
	return inner;
}

static void
child_done(struct sd_rd *parent, const struct sd_rd *child)
{
	if (!sd_rd_ok(child))
		sd_rd_fail(parent, child->err);
}

static int64_t
int_field(struct sd_rd *r, uint32_t n, int64_t min, int64_t max)
{
	struct sd_rd f = field(r, n);
	int64_t v = der_read_int(&f, min, max);

	child_done(r, &f);
	return v;
}

static void
skip_optional(struct sd_rd *r, uint32_t n)
{
	struct sd_rd ignored;

	der_ctx(r, n, &ignored);
}

/* EncryptionKey ::= SEQUENCE { keytype [0] Int32, keyvalue [1] OCTET STRING } */
static void
enc_key(struct sd_rd *r, struct krb_key *key)
{
	struct sd_rd seq = der_enter(r, DER_UNIVERSAL, DER_TAG_SEQUENCE), kv;

	key->keytype = (int32_t)int_field(&seq, 0, INT32_MIN, INT32_MAX);
	kv = field(&seq, 1);
	key->value.p = der_read_octets(&kv, &key->value.len);
	child_done(&seq, &kv);
	child_done(r, &seq);
	key->present = sd_rd_ok(r) && key->value.p != NULL;
}

/* Shared tail of both plaintexts: ctime, cusec, subkey, seq-number at
 * the given field numbers. */
static void
times_key_seq(struct sd_rd *body, uint32_t first, int64_t *ctime, uint32_t *cusec, struct krb_key *subkey,
	      bool *has_seq, uint32_t *seq)
{
	struct sd_rd f;
	bool cusec_first = first == 4;  /* the Authenticator has cusec before ctime */

	if (cusec_first) {
		*cusec = (uint32_t)int_field(body, first, 0, 999999);
		f = field(body, first + 1);
		*ctime = der_read_time(&f);
		child_done(body, &f);
	} else {
		f = field(body, first);
		*ctime = der_read_time(&f);
		child_done(body, &f);
		*cusec = (uint32_t)int_field(body, first + 1, 0, 999999);
	}
	if (der_ctx(body, first + 2, &f)) {
		enc_key(&f, subkey);
		child_done(body, &f);
	}
	if (der_ctx(body, first + 3, &f)) {
		/* UInt32, sent as a negative Int32 by some stacks. */
		*seq = (uint32_t)der_read_int(&f, INT32_MIN, UINT32_MAX);
		*has_seq = sd_rd_ok(&f);
		child_done(body, &f);
	}
}

static enum sd_err
enter_app(struct sd_rd *r, const uint8_t *p, size_t len, uint32_t tag, struct sd_rd *body)
{
	struct sd_rd app;

	if (len == 0)
		return SD_ERR_TRUNCATED;
	if (!der_next_is(r, DER_APPLICATION, true, tag))
		return (p[0] & 0xE0) == 0x60 ? SD_ERR_PROTOCOL_ID : SD_ERR_MALFORMED;
	app = der_enter(r, DER_APPLICATION, tag);
	*body = der_enter(&app, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	child_done(r, &app);
	return r->err;
}

enum sd_err
krb_decode_authenticator(const uint8_t *p, size_t len, struct krb_authenticator *out)
{
	struct sd_rd r, body;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	sd_rd_init(&r, p, len);
	err = enter_app(&r, p, len, KRB_APP_AUTHENTICATOR, &body);
	if (err != SD_OK)
		return err;
	/* authenticator-vno [0] 5, crealm [1], cname [2], cksum [3] OPTIONAL */
	(void)int_field(&body, 0, 5, 5);
	(void)field(&body, 1);
	(void)field(&body, 2);
	skip_optional(&body, 3);
	times_key_seq(&body, 4, &out->ctime, &out->cusec, &out->subkey, &out->has_seq, &out->seq);
	return body.err;
}

enum sd_err
krb_decode_enc_ap_rep_part(const uint8_t *p, size_t len, struct krb_enc_ap_rep_part *out)
{
	struct sd_rd r, body;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	sd_rd_init(&r, p, len);
	err = enter_app(&r, p, len, KRB_APP_ENC_AP_REP_PART, &body);
	if (err != SD_OK)
		return err;
	times_key_seq(&body, 0, &out->ctime, &out->cusec, &out->subkey, &out->has_seq, &out->seq);
	return body.err;
}

/* The bare message of a GSS-API Kerberos token (RFC 4121 4.1), or the
 * input itself when it is not framed. */
static enum sd_err
gss_body(const uint8_t *p, size_t len, const uint8_t **body, size_t *body_len)
{
	struct sd_rd r, app;
	const uint8_t *oid;
	size_t oid_len;
	enum spnego_mech mech;

	*body = p;
	*body_len = len;
	if (len == 0 || p[0] != 0x60)
		return SD_OK;
	sd_rd_init(&r, p, len);
	app = der_enter(&r, DER_APPLICATION, 0);
	oid = der_read_oid(&app, &oid_len);
	(void)sd_rd_u16be(&app);  /* token id: the message's own tag says the rest */
	if (!sd_rd_ok(&app))
		return app.err;
	mech = spnego_mech_from_oid(oid, oid_len);
	if (mech != SPNEGO_MECH_KRB5 && mech != SPNEGO_MECH_MS_KRB5 && mech != SPNEGO_MECH_KRB5_U2U)
		return SD_ERR_PROTOCOL_ID;
	*body = app.p + app.off;
	*body_len = sd_rd_left(&app);
	return SD_OK;
}

enum sd_err
krb_ap_req_ticket_der(const uint8_t *p, size_t len, struct krb_str *ticket)
{
	const uint8_t *msg;
	size_t msg_len;
	struct sd_rd r, body, f;
	struct der_tlv t;
	enum sd_err err;

	ticket->p = NULL;
	ticket->len = 0;
	err = gss_body(p, len, &msg, &msg_len);
	if (err != SD_OK)
		return err;
	sd_rd_init(&r, msg, msg_len);
	err = enter_app(&r, msg, msg_len, KRB_MSG_AP_REQ, &body);
	if (err != SD_OK)
		return err;
	/* pvno [0], msg-type [1], ap-options [2], ticket [3] */
	skip_optional(&body, 0);
	skip_optional(&body, 1);
	skip_optional(&body, 2);
	f = field(&body, 3);
	if (!sd_rd_ok(&body))
		return body.err;
	if (!der_peek_tlv(&f, &t) || t.cls != DER_APPLICATION || t.tag != KRB_APP_TICKET)
		return f.err != SD_OK ? f.err : SD_ERR_MALFORMED;
	ticket->p = f.p + f.off;
	ticket->len = t.hdr_len + t.len;
	return SD_OK;
}
