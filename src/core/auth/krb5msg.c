#include "core/auth/krb5msg.h"

#include <string.h>

#include "core/auth/der.h"
#include "core/auth/spnego.h"

#define INT32_RANGE INT32_MIN, INT32_MAX
/* UInt32 fields (nonce, kvno, usec) arrive negative from some stacks that
 * encode them as Int32; accept both readings and keep the 32 bits. */
#define UINT32_LOOSE INT32_MIN, UINT32_MAX

const char *
krb_msg_type_name(int type)
{
	switch (type) {
	case KRB_MSG_AS_REQ: return "AS-REQ";
	case KRB_MSG_AS_REP: return "AS-REP";
	case KRB_MSG_TGS_REQ: return "TGS-REQ";
	case KRB_MSG_TGS_REP: return "TGS-REP";
	case KRB_MSG_AP_REQ: return "AP-REQ";
	case KRB_MSG_AP_REP: return "AP-REP";
	case KRB_MSG_ERROR: return "KRB-ERROR";
	default: return NULL;
	}
}

/* Decoding context: anomaly offsets are relative to the token start. */
struct kdec {
	const uint8_t *base;
	struct sd_anomalies *anom;
};

/* Closes a child element: leftover bytes are an anomaly, a child error
 * fails the parent. */
static void
finish(struct kdec *d, struct sd_rd *parent, struct sd_rd *child)
{
	if (sd_rd_ok(child) && sd_rd_left(child) > 0)
		sd_anom_add(d->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)(child->p + child->off - d->base),
			    (uint32_t)sd_rd_left(child));
	if (!sd_rd_ok(child))
		sd_rd_fail(parent, child->err);
}

/* A required field is missing (or the next one is out of order). */
static void
missing(struct sd_rd *seq)
{
	sd_rd_fail(seq, SD_ERR_MALFORMED);
}

static bool
opt_int(struct kdec *d, struct sd_rd *seq, uint32_t n, int64_t min, int64_t max, int64_t *v)
{
	struct sd_rd f;

	if (!der_ctx(seq, n, &f))
		return false;
	*v = der_read_int(&f, min, max);
	finish(d, seq, &f);
	return sd_rd_ok(seq);
}

static int64_t
req_int(struct kdec *d, struct sd_rd *seq, uint32_t n, int64_t min, int64_t max)
{
	int64_t v = 0;

	if (!opt_int(d, seq, n, min, max, &v))
		missing(seq);
	return v;
}

static bool
opt_string(struct kdec *d, struct sd_rd *seq, uint32_t n, struct krb_str *s)
{
	struct sd_rd f;

	if (!der_ctx(seq, n, &f))
		return false;
	s->p = der_read_string(&f, DER_TAG_GENERAL_STRING, &s->len);
	finish(d, seq, &f);
	return sd_rd_ok(seq);
}

static bool
opt_octets(struct kdec *d, struct sd_rd *seq, uint32_t n, struct krb_str *s)
{
	struct sd_rd f;

	if (!der_ctx(seq, n, &f))
		return false;
	s->p = der_read_octets(&f, &s->len);
	finish(d, seq, &f);
	return sd_rd_ok(seq);
}

static bool
opt_time(struct kdec *d, struct sd_rd *seq, uint32_t n, int64_t *t)
{
	struct sd_rd f;

	if (!der_ctx(seq, n, &f))
		return false;
	*t = der_read_time(&f);
	finish(d, seq, &f);
	return sd_rd_ok(seq);
}

static bool
opt_flags(struct kdec *d, struct sd_rd *seq, uint32_t n, uint32_t *flags)
{
	struct sd_rd f;

	if (!der_ctx(seq, n, &f))
		return false;
	*flags = der_read_flags32(&f);
	finish(d, seq, &f);
	return sd_rd_ok(seq);
}

/* Consumes an OPTIONAL field we do not decode. */
static void
skip_opt(struct kdec *d, struct sd_rd *seq, uint32_t n)
{
	struct sd_rd f;

	if (der_ctx(seq, n, &f)) {
		sd_rd_skip(&f, sd_rd_left(&f));
		finish(d, seq, &f);
	}
}

/* [n] PrincipalName ::= SEQUENCE { name-type [0] Int32,
 *                                  name-string [1] SEQUENCE OF KerberosString } */
static bool
opt_principal(struct kdec *d, struct sd_rd *seq, uint32_t n, struct krb_principal *name)
{
	struct sd_rd f, body, list, strings;
	const uint8_t *s;
	size_t len;

	if (!der_ctx(seq, n, &f))
		return false;
	body = der_enter(&f, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	name->present = true;
	name->name_type = (int32_t)req_int(d, &body, 0, INT32_RANGE);
	if (!der_ctx(&body, 1, &list)) {
		missing(&body);
	} else {
		strings = der_enter(&list, DER_UNIVERSAL, DER_TAG_SEQUENCE);
		while (sd_rd_ok(&strings) && sd_rd_left(&strings) > 0) {
			s = der_read_string(&strings, DER_TAG_GENERAL_STRING, &len);
			if (!sd_rd_ok(&strings))
				break;
			if (name->n == KRB_NAME_PARTS_MAX) {
				if (name->dropped++ == 0)
					sd_anom_add(d->anom, SD_ANOM_ITEMS_DROPPED, (uint32_t)(s - d->base), 0);
				if (name->dropped == UINT8_MAX)
					break;
				continue;
			}
			name->part[name->n].p = s;
			name->part[name->n++].len = len;
		}
		finish(d, &list, &strings);
		finish(d, &body, &list);
	}
	finish(d, &f, &body);
	finish(d, seq, &f);
	return sd_rd_ok(seq);
}

/* EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL,
 *                              cipher [2] OCTET STRING } */
static void
enc_data(struct kdec *d, struct sd_rd *f, struct krb_enc *enc)
{
	struct sd_rd body = der_enter(f, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	int64_t kvno = 0;

	enc->present = true;
	enc->etype = (int32_t)req_int(d, &body, 0, INT32_RANGE);
	enc->has_kvno = opt_int(d, &body, 1, UINT32_LOOSE, &kvno);
	enc->kvno = (uint32_t)kvno;
	if (!opt_octets(d, &body, 2, &enc->cipher))
		missing(&body);
	finish(d, f, &body);
}

static bool
opt_enc_data(struct kdec *d, struct sd_rd *seq, uint32_t n, struct krb_enc *enc)
{
	struct sd_rd f;

	if (!der_ctx(seq, n, &f))
		return false;
	enc_data(d, &f, enc);
	finish(d, seq, &f);
	return sd_rd_ok(seq);
}

/* Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2],
 *                                       enc-part [3] } */
static bool
opt_ticket(struct kdec *d, struct sd_rd *seq, uint32_t n, struct krb_ticket *t)
{
	struct sd_rd f, app, body;

	if (!der_ctx(seq, n, &f))
		return false;
	app = der_enter(&f, DER_APPLICATION, 1);
	body = der_enter(&app, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	t->present = true;
	t->tkt_vno = (int32_t)req_int(d, &body, 0, INT32_RANGE);
	if (!opt_string(d, &body, 1, &t->realm) || !opt_principal(d, &body, 2, &t->sname) ||
	    !opt_enc_data(d, &body, 3, &t->enc_part))
		missing(&body);
	finish(d, &app, &body);
	finish(d, &f, &app);
	finish(d, seq, &f);
	return sd_rd_ok(seq);
}

/* SEQUENCE OF PA-DATA { padata-type [1] Int32, padata-value [2] OCTET STRING } */
static void
padata_list(struct kdec *d, struct sd_rd *f, struct krb_padata_list *list)
{
	struct sd_rd seq = der_enter(f, DER_UNIVERSAL, DER_TAG_SEQUENCE), pa;
	int32_t type;
	struct krb_str value = {NULL, 0};

	while (sd_rd_ok(&seq) && sd_rd_left(&seq) > 0) {
		size_t at = (size_t)(seq.p + seq.off - d->base);

		pa = der_enter(&seq, DER_UNIVERSAL, DER_TAG_SEQUENCE);
		type = (int32_t)req_int(d, &pa, 1, INT32_RANGE);
		if (!opt_octets(d, &pa, 2, &value))
			missing(&pa);
		finish(d, &seq, &pa);
		if (!sd_rd_ok(&seq))
			break;
		if (list->n == KRB_PADATA_MAX) {
			if (list->dropped++ == 0)
				sd_anom_add(d->anom, SD_ANOM_ITEMS_DROPPED, (uint32_t)at, (uint32_t)type);
			if (list->dropped == UINT8_MAX)
				break;
			continue;
		}
		list->type[list->n] = type;
		list->value[list->n++] = value;
	}
	finish(d, f, &seq);
}

static bool
opt_padata(struct kdec *d, struct sd_rd *seq, uint32_t n, struct krb_padata_list *list)
{
	struct sd_rd f;

	if (!der_ctx(seq, n, &f))
		return false;
	padata_list(d, &f, list);
	finish(d, seq, &f);
	return sd_rd_ok(seq);
}

/* The first two fields of every message: pvno and msg-type. */
static void
header(struct kdec *d, struct sd_rd *body, uint32_t first, int32_t want, struct krb_message *m)
{
	m->pvno = (int32_t)req_int(d, body, first, INT32_RANGE);
	m->msg_type = (int32_t)req_int(d, body, first + 1, INT32_RANGE);
	/* The layout follows the APPLICATION tag, so a msg-type that
	 * contradicts it leaves nothing to trust. A pvno other than 5 is
	 * kept as data for the rules (KRB_AP_ERR_BADVERSION territory). */
	if (sd_rd_ok(body) && m->msg_type != want)
		sd_rd_fail(body, SD_ERR_MALFORMED);
}

/* AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1],
 *            ap-options [2], ticket [3], authenticator [4] } */
static void
ap_req_body(struct kdec *d, struct sd_rd *body, struct krb_message *m, struct krb_ap_req *ap)
{
	header(d, body, 0, KRB_MSG_AP_REQ, m);
	if (!opt_flags(d, body, 2, &ap->ap_options) || !opt_ticket(d, body, 3, &ap->ticket) ||
	    !opt_enc_data(d, body, 4, &ap->authenticator))
		missing(body);
}

static void
ap_rep_body(struct kdec *d, struct sd_rd *body, struct krb_message *m)
{
	header(d, body, 0, KRB_MSG_AP_REP, m);
	if (!opt_enc_data(d, body, 2, &m->u.ap_rep.enc_part))
		missing(body);
}

static void
etype_list(struct kdec *d, struct sd_rd *seq, struct krb_kdc_req *req)
{
	struct sd_rd f, list;
	int64_t e;

	if (!der_ctx(seq, 8, &f)) {
		missing(seq);
		return;
	}
	list = der_enter(&f, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	while (sd_rd_ok(&list) && sd_rd_left(&list) > 0) {
		e = der_read_int(&list, INT32_RANGE);
		if (!sd_rd_ok(&list))
			break;
		if (req->n_etypes == KRB_ETYPES_MAX) {
			if (req->etypes_dropped++ == 0)
				sd_anom_add(d->anom, SD_ANOM_ITEMS_DROPPED, (uint32_t)(list.p + list.off - d->base),
					    (uint32_t)e);
			if (req->etypes_dropped == UINT8_MAX)
				break;
			continue;
		}
		req->etypes[req->n_etypes++] = (int32_t)e;
	}
	finish(d, &f, &list);
	finish(d, seq, &f);
}

/* KDC-REQ-BODY ::= SEQUENCE { kdc-options [0], cname [1] OPT, realm [2],
 *   sname [3] OPT, from [4] OPT, till [5], rtime [6] OPT, nonce [7],
 *   etype [8], addresses [9] OPT, enc-authorization-data [10] OPT,
 *   additional-tickets [11] OPT } */
static void
kdc_req_body(struct kdec *d, struct sd_rd *f, struct krb_kdc_req *req)
{
	struct sd_rd body = der_enter(f, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	int64_t nonce = 0;

	if (!opt_flags(d, &body, 0, &req->kdc_options))
		missing(&body);
	opt_principal(d, &body, 1, &req->cname);
	if (!opt_string(d, &body, 2, &req->realm))
		missing(&body);
	opt_principal(d, &body, 3, &req->sname);
	req->has_from = opt_time(d, &body, 4, &req->from);
	if (!opt_time(d, &body, 5, &req->till))
		missing(&body);
	req->has_rtime = opt_time(d, &body, 6, &req->rtime);
	if (!opt_int(d, &body, 7, UINT32_LOOSE, &nonce))
		missing(&body);
	req->nonce = (uint32_t)nonce;
	etype_list(d, &body, req);
	skip_opt(d, &body, 9);
	skip_opt(d, &body, 10);
	skip_opt(d, &body, 11);
	finish(d, f, &body);
}

/* The AP-REQ inside PA-TGS-REQ: its own problems are reported through
 * ap_req_err instead of failing the TGS-REQ around it. */
static void
tgs_ap_req(struct kdec *d, struct krb_kdc_req *req)
{
	struct krb_message inner;
	const struct krb_str *v;
	uint8_t i, k;

	for (i = 0; i < req->padata.n; i++) {
		if (req->padata.type[i] != KRB_PA_TGS_REQ)
			continue;
		v = &req->padata.value[i];
		/* Only an AP-REQ may sit here: checking the tag first also keeps
		 * a TGS-REQ nested in a TGS-REQ from recursing without bound. */
		if (v->len == 0 || v->p[0] != 0x6e) {
			req->ap_req_err = SD_ERR_PROTOCOL_ID;
			return;
		}
		req->ap_req_err = krb_decode(v->p, v->len, &inner);
		if (req->ap_req_err == SD_OK && inner.msg_type == KRB_MSG_AP_REQ) {
			req->has_ap_req = true;
			req->ap_req = inner.u.ap_req;
		}
		/* Its anomalies belong to the TGS-REQ, at TGS-REQ offsets. */
		for (k = 0; k < inner.anom.n; k++)
			sd_anom_add(d->anom, (enum sd_anomaly_code)inner.anom.a[k].code,
				    inner.anom.a[k].offset + (uint32_t)(v->p - d->base), inner.anom.a[k].value);
		return;
	}
}

static void
kdc_req(struct kdec *d, struct sd_rd *body, int32_t type, struct krb_message *m)
{
	struct krb_kdc_req *req = &m->u.req;
	struct sd_rd f;

	header(d, body, 1, type, m);
	opt_padata(d, body, 3, &req->padata);
	if (!der_ctx(body, 4, &f)) {
		missing(body);
		return;
	}
	kdc_req_body(d, &f, req);
	finish(d, body, &f);
	if (sd_rd_ok(body))
		tgs_ap_req(d, req);
}

/* KDC-REP ::= SEQUENCE { pvno [0], msg-type [1], padata [2] OPT,
 *   crealm [3], cname [4], ticket [5], enc-part [6] } */
static void
kdc_rep(struct kdec *d, struct sd_rd *body, int32_t type, struct krb_message *m)
{
	struct krb_kdc_rep *rep = &m->u.rep;

	header(d, body, 0, type, m);
	opt_padata(d, body, 2, &rep->padata);
	if (!opt_string(d, body, 3, &rep->crealm) || !opt_principal(d, body, 4, &rep->cname) ||
	    !opt_ticket(d, body, 5, &rep->ticket) || !opt_enc_data(d, body, 6, &rep->enc_part))
		missing(body);
}

/* ETYPE-INFO2-ENTRY ::= SEQUENCE { etype [0] Int32,
 *   salt [1] KerberosString OPT, s2kparams [2] OCTET STRING OPT };
 * ETYPE-INFO-ENTRY has salt [1] as an OCTET STRING and no s2kparams. */
static void
etype_info(struct kdec *d, const struct krb_str *v, bool v2, struct krb_error *e)
{
	struct sd_rd r, list, entry;
	struct krb_etype_info info;

	sd_rd_init(&r, v->p, v->len);
	list = der_enter(&r, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	while (sd_rd_ok(&list) && sd_rd_left(&list) > 0) {
		memset(&info, 0, sizeof(info));
		entry = der_enter(&list, DER_UNIVERSAL, DER_TAG_SEQUENCE);
		info.etype = (int32_t)req_int(d, &entry, 0, INT32_RANGE);
		if (v2) {
			opt_string(d, &entry, 1, &info.salt);
			opt_octets(d, &entry, 2, &info.s2kparams);
		} else {
			opt_octets(d, &entry, 1, &info.salt);
		}
		finish(d, &list, &entry);
		if (!sd_rd_ok(&list))
			break;
		if (e->n_etype_info == KRB_ETYPE_INFO_MAX) {
			if (e->etype_info_dropped++ == 0)
				sd_anom_add(d->anom, SD_ANOM_ITEMS_DROPPED, (uint32_t)(entry.p - d->base),
					    (uint32_t)info.etype);
			if (e->etype_info_dropped == UINT8_MAX)
				break;
			continue;
		}
		e->etype_info[e->n_etype_info++] = info;
	}
	finish(d, &r, &list);
	if (!sd_rd_ok(&r) && e->e_data_err == SD_OK)
		e->e_data_err = r.err;
}

static void
ext_error_words(struct krb_error *e, const uint8_t *v)
{
	e->has_ext_error = true;
	e->ext_status = sd_load_u32le(v);
	e->ext_reserved = sd_load_u32le(v + 4);
	e->ext_flags = sd_load_u32le(v + 8);
}

/* KERB-ERROR-DATA ::= SEQUENCE { data-type [1] INTEGER,
 *   data-value [2] OCTET STRING OPT }; data-type 3 carries KERB-EXT-ERROR
 *   { NTSTATUS, reserved, flags } as three little-endian 32-bit words. */
static void
kerb_error_data(struct kdec *d, struct sd_rd *r, struct krb_error *e)
{
	struct sd_rd seq = der_enter(r, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	const uint8_t *v;

	e->error_data_type = (int32_t)req_int(d, &seq, 1, INT32_RANGE);
	opt_octets(d, &seq, 2, &e->error_data_value);
	finish(d, r, &seq);
	if (!sd_rd_ok(r))
		return;
	e->has_error_data = true;
	if (e->error_data_type != KRB_ERR_DATA_EXTENDED || !e->error_data_value.p)
		return;
	v = e->error_data_value.p;
	if (e->error_data_value.len != 12) {
		sd_anom_add(d->anom, SD_ANOM_LENGTH_MISMATCH, (uint32_t)(v - d->base),
			    (uint32_t)e->error_data_value.len);
		if (e->error_data_value.len < 12)
			return;
	}
	ext_error_words(e, v);
}

/* e-data is METHOD-DATA (a SEQUENCE OF PA-DATA, first inner element a
 * SEQUENCE) or MS KERB-ERROR-DATA (first inner element [1]); anything else
 * is kept opaque. Problems here land in e_data_err, not in the message. */
static void
error_e_data(struct kdec *d, struct krb_error *e)
{
	struct sd_rd r, inner;
	struct der_tlv t;
	uint8_t i;

	sd_rd_init(&r, e->e_data.p, e->e_data.len);
	if (!der_peek_tlv(&r, &t) || t.cls != DER_UNIVERSAL || !t.constructed || t.tag != DER_TAG_SEQUENCE)
		return;
	sd_rd_init(&inner, t.v, t.len);
	if (der_next_is(&inner, DER_UNIVERSAL, true, DER_TAG_SEQUENCE)) {
		padata_list(d, &r, &e->method_data);
		e->has_method_data = sd_rd_ok(&r);
		for (i = 0; e->has_method_data && i < e->method_data.n; i++) {
			if (e->method_data.type[i] == KRB_PA_ETYPE_INFO2)
				etype_info(d, &e->method_data.value[i], true, e);
			else if (e->method_data.type[i] == KRB_PA_ETYPE_INFO)
				etype_info(d, &e->method_data.value[i], false, e);
			else if (e->method_data.type[i] == KRB_PA_PW_SALT && e->method_data.value[i].len == 12)
				ext_error_words(e, e->method_data.value[i].p);
		}
	} else if (der_next_is(&inner, DER_CONTEXT, true, 1)) {
		kerb_error_data(d, &r, e);
	} else {
		return;
	}
	if (sd_rd_ok(&r) && sd_rd_left(&r) > 0)
		sd_anom_add(d->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)(r.p + r.off - d->base),
			    (uint32_t)sd_rd_left(&r));
	if (!sd_rd_ok(&r))
		e->e_data_err = r.err;
}

/* KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1],
 *   ctime [2] OPT, cusec [3] OPT, stime [4], susec [5], error-code [6],
 *   crealm [7] OPT, cname [8] OPT, realm [9], sname [10],
 *   e-text [11] OPT, e-data [12] OPT } */
static void
krb_error_body(struct kdec *d, struct sd_rd *body, struct krb_message *m)
{
	struct krb_error *e = &m->u.error;
	int64_t v = 0;

	header(d, body, 0, KRB_MSG_ERROR, m);
	e->has_ctime = opt_time(d, body, 2, &e->ctime);
	e->has_cusec = opt_int(d, body, 3, UINT32_LOOSE, &v);
	e->cusec = (uint32_t)v;
	if (!opt_time(d, body, 4, &e->stime))
		missing(body);
	e->susec = (uint32_t)req_int(d, body, 5, UINT32_LOOSE);
	e->error_code = (int32_t)req_int(d, body, 6, INT32_RANGE);
	opt_string(d, body, 7, &e->crealm);
	opt_principal(d, body, 8, &e->cname);
	if (!opt_string(d, body, 9, &e->realm) || !opt_principal(d, body, 10, &e->sname))
		missing(body);
	opt_string(d, body, 11, &e->e_text);
	if (opt_octets(d, body, 12, &e->e_data))
		error_e_data(d, e);
}

static enum sd_err
decode_at(struct kdec *d, const uint8_t *p, size_t len, struct krb_message *m)
{
	struct sd_rd r, app, body;
	struct der_tlv t;

	if (len == 0)
		return SD_ERR_TRUNCATED;
	/* Every Kerberos message is a constructed APPLICATION element. */
	if ((p[0] & 0xE0) != 0x60)
		return SD_ERR_PROTOCOL_ID;
	sd_rd_init(&r, p, len);
	if (!der_peek_tlv(&r, &t)) {
		der_read_tlv(&r, &t);
		return r.err;
	}
	if (!krb_msg_type_name((int)t.tag))
		return t.tag < 64 ? SD_ERR_UNSUPPORTED : SD_ERR_PROTOCOL_ID;
	app = der_enter(&r, DER_APPLICATION, t.tag);
	body = der_enter(&app, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	switch (t.tag) {
	case KRB_MSG_AS_REQ:
	case KRB_MSG_TGS_REQ:
		kdc_req(d, &body, (int32_t)t.tag, m);
		break;
	case KRB_MSG_AS_REP:
	case KRB_MSG_TGS_REP:
		kdc_rep(d, &body, (int32_t)t.tag, m);
		break;
	case KRB_MSG_AP_REQ:
		ap_req_body(d, &body, m, &m->u.ap_req);
		break;
	case KRB_MSG_AP_REP:
		ap_rep_body(d, &body, m);
		break;
	default:
		krb_error_body(d, &body, m);
		break;
	}
	finish(d, &app, &body);
	finish(d, &r, &app);
	if (sd_rd_ok(&r) && sd_rd_left(&r) > 0)
		sd_anom_add(d->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)(p + r.off - d->base),
			    (uint32_t)sd_rd_left(&r));
	return r.err;
}

enum sd_err
krb_decode(const uint8_t *p, size_t len, struct krb_message *out)
{
	struct kdec d = {p, &out->anom};

	memset(out, 0, sizeof(*out));
	return decode_at(&d, p, len, out);
}

enum sd_err
krb_decode_gss(const uint8_t *p, size_t len, struct krb_message *out)
{
	struct kdec d = {p, &out->anom};
	struct sd_rd r, app;
	const uint8_t *oid;
	size_t oid_len;
	enum spnego_mech mech;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	if (len == 0 || p[0] != 0x60)
		return decode_at(&d, p, len, out);
	sd_rd_init(&r, p, len);
	app = der_enter(&r, DER_APPLICATION, 0);
	oid = der_read_oid(&app, &oid_len);
	out->gss_token_id = sd_rd_u16be(&app);
	if (!sd_rd_ok(&app))
		return app.err;
	mech = spnego_mech_from_oid(oid, oid_len);
	if (mech != SPNEGO_MECH_KRB5 && mech != SPNEGO_MECH_MS_KRB5 && mech != SPNEGO_MECH_KRB5_U2U)
		return SD_ERR_PROTOCOL_ID;
	out->gss_framed = true;
	err = decode_at(&d, app.p + app.off, sd_rd_left(&app), out);
	if (err == SD_OK && sd_rd_left(&r) > 0)
		sd_anom_add(&out->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)r.off, (uint32_t)sd_rd_left(&r));
	return err;
}

enum sd_err
krb_tcp_record(const uint8_t *p, size_t len, const uint8_t **body, size_t *body_len, size_t *used,
	       size_t *need)
{
	uint32_t n;

	*body = NULL;
	*body_len = 0;
	*used = 0;
	*need = KRB_TCP_PREFIX;
	if (len < KRB_TCP_PREFIX)
		return SD_ERR_TRUNCATED;
	n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (n & 0x80000000u)
		return SD_ERR_UNSUPPORTED;
	*need = KRB_TCP_PREFIX + (size_t)n;
	if (len - KRB_TCP_PREFIX < n)
		return SD_ERR_TRUNCATED;
	*body = p + KRB_TCP_PREFIX;
	*body_len = n;
	*used = *need;
	return SD_OK;
}

enum sd_err
krb_principal_text(const struct krb_principal *name, char *out, size_t cap)
{
	size_t pos = 0, i, k;

	if (cap == 0)
		return SD_ERR_NO_SPACE;
	out[0] = '\0';
	for (i = 0; i < name->n; i++) {
		if (name->part[i].len + (i > 0) >= cap - pos) {
			out[0] = '\0';
			return SD_ERR_NO_SPACE;
		}
		if (i > 0)
			out[pos++] = '/';
		for (k = 0; k < name->part[i].len; k++)
			out[pos++] = name->part[i].p[k] ? (char)name->part[i].p[k] : '?';
		out[pos] = '\0';
	}
	return SD_OK;
}
