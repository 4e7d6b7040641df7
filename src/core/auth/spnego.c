#include "core/auth/spnego.h"

#include <string.h>

#include "core/auth/der.h"

const uint8_t spnego_oid_spnego[6] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
const uint8_t spnego_oid_krb5[9] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
const uint8_t spnego_oid_ms_krb5[9] = {0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};
const uint8_t spnego_oid_krb5_u2u[10] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03};
const uint8_t spnego_oid_ntlmssp[10] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
const uint8_t spnego_oid_negoex[10] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e};

static const struct {
	enum spnego_mech mech;
	const uint8_t *oid;
	size_t len;
	const char *name;
} mech_table[] = {
	{SPNEGO_MECH_KRB5, spnego_oid_krb5, sizeof(spnego_oid_krb5), "kerberos"},
	{SPNEGO_MECH_MS_KRB5, spnego_oid_ms_krb5, sizeof(spnego_oid_ms_krb5), "ms-kerberos"},
	{SPNEGO_MECH_KRB5_U2U, spnego_oid_krb5_u2u, sizeof(spnego_oid_krb5_u2u), "kerberos-u2u"},
	{SPNEGO_MECH_NTLMSSP, spnego_oid_ntlmssp, sizeof(spnego_oid_ntlmssp), "ntlmssp"},
	{SPNEGO_MECH_NEGOEX, spnego_oid_negoex, sizeof(spnego_oid_negoex), "negoex"},
};

#define MECH_TABLE_LEN (sizeof(mech_table) / sizeof(mech_table[0]))

static const uint8_t ntlmssp_signature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

enum spnego_mech
spnego_mech_from_oid(const uint8_t *oid, size_t len)
{
	size_t i;

	for (i = 0; i < MECH_TABLE_LEN; i++)
		if (der_oid_equal(oid, len, mech_table[i].oid, mech_table[i].len))
			return mech_table[i].mech;
	return SPNEGO_MECH_UNKNOWN;
}

const uint8_t *
spnego_mech_oid(enum spnego_mech mech, size_t *len)
{
	size_t i;

	for (i = 0; i < MECH_TABLE_LEN; i++) {
		if (mech_table[i].mech == mech) {
			*len = mech_table[i].len;
			return mech_table[i].oid;
		}
	}
	*len = 0;
	return NULL;
}

const char *
spnego_mech_name(enum spnego_mech mech)
{
	size_t i;

	if (mech == SPNEGO_MECH_NONE)
		return "none";
	for (i = 0; i < MECH_TABLE_LEN; i++)
		if (mech_table[i].mech == mech)
			return mech_table[i].name;
	return "unknown";
}

const char *
spnego_neg_state_name(int state)
{
	static const char *const names[] = {"accept-completed", "accept-incomplete", "reject",
					    "request-mic"};

	if (state < 0 || state > 3)
		return NULL;
	return names[state];
}

/* Decoding context: anomaly offsets are relative to the token start. */
struct dec {
	const uint8_t *base;
	struct sd_anomalies *anom;
};

/* A length-delimited element must be consumed exactly. */
static void
check_end(struct dec *d, const struct sd_rd *r)
{
	if (sd_rd_ok(r) && sd_rd_left(r) > 0)
		sd_anom_add(d->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)(r->p + r->off - d->base),
			    (uint32_t)sd_rd_left(r));
}

/* Closes field f of seq: leftover bytes are an anomaly, an error in f
 * fails seq. */
static void
close_field(struct dec *d, struct sd_rd *seq, struct sd_rd *f)
{
	check_end(d, f);
	if (!sd_rd_ok(f))
		sd_rd_fail(seq, f->err);
}

/* [n] OCTET STRING OPTIONAL. */
static void
opt_blob(struct dec *d, struct sd_rd *seq, uint32_t n, struct spnego_blob *b)
{
	struct sd_rd f;

	if (!der_ctx(seq, n, &f))
		return;
	b->p = der_read_octets(&f, &b->len);
	close_field(d, seq, &f);
}

static void
decode_mech_types(struct dec *d, struct sd_rd *field, struct spnego_init *init)
{
	struct sd_rd list;
	const uint8_t *oid;
	size_t len, start = field->off;

	init->mech_types_der.p = field->p + start;
	list = der_enter(field, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	init->mech_types_der.len = field->off - start;
	while (sd_rd_ok(&list) && sd_rd_left(&list) > 0) {
		oid = der_read_oid(&list, &len);
		if (!oid)
			break;
		if (init->n_mechs == SPNEGO_MECHS_MAX) {
			if (init->mechs_dropped < UINT8_MAX)
				init->mechs_dropped++;
			continue;
		}
		init->mech_oids[init->n_mechs].p = oid;
		init->mech_oids[init->n_mechs].len = len;
		init->mechs[init->n_mechs++] = spnego_mech_from_oid(oid, len);
	}
	if (init->mechs_dropped)
		sd_anom_add(d->anom, SD_ANOM_ITEMS_DROPPED, (uint32_t)(init->mech_types_der.p - d->base),
			    init->mechs_dropped);
	if (!sd_rd_ok(&list))
		sd_rd_fail(field, list.err);
}

static void
decode_neg_hints(struct dec *d, struct sd_rd *field, struct spnego_init *init)
{
	struct sd_rd hints = der_enter(field, DER_UNIVERSAL, DER_TAG_SEQUENCE), f;

	init->has_neg_hints = sd_rd_ok(field);
	if (der_ctx(&hints, 0, &f)) {
		init->hint_name.p = der_read_string(&f, DER_TAG_GENERAL_STRING, &init->hint_name.len);
		close_field(d, &hints, &f);
	}
	opt_blob(d, &hints, 1, &init->hint_address);
	close_field(d, field, &hints);
}

/* NegTokenInit / NegTokenInit2: [3] is mechListMIC (OCTET STRING) in the
 * first and negHints (SEQUENCE) in the second, told apart by the tag. */
static void
decode_init(struct dec *d, struct sd_rd *outer, struct spnego_init *init)
{
	struct sd_rd seq = der_enter(outer, DER_UNIVERSAL, DER_TAG_SEQUENCE), f;

	if (!der_ctx(&seq, 0, &f)) {
		sd_rd_fail(&seq, SD_ERR_MALFORMED);
	} else {
		decode_mech_types(d, &f, init);
		close_field(d, &seq, &f);
	}
	if (der_ctx(&seq, 1, &f)) {
		init->req_flags = der_read_flags32(&f);
		init->has_req_flags = sd_rd_ok(&f);
		close_field(d, &seq, &f);
	}
	opt_blob(d, &seq, 2, &init->mech_token);
	if (der_ctx(&seq, 3, &f)) {
		if (der_next_is(&f, DER_UNIVERSAL, true, DER_TAG_SEQUENCE))
			decode_neg_hints(d, &f, init);
		else
			init->mech_list_mic.p = der_read_octets(&f, &init->mech_list_mic.len);
		close_field(d, &seq, &f);
	}
	opt_blob(d, &seq, 4, &init->mech_list_mic);
	close_field(d, outer, &seq);
	check_end(d, outer);
}

static void
decode_resp(struct dec *d, struct sd_rd *outer, struct spnego_resp *resp)
{
	struct sd_rd seq = der_enter(outer, DER_UNIVERSAL, DER_TAG_SEQUENCE), f;
	const uint8_t *oid;
	size_t len;

	if (der_ctx(&seq, 0, &f)) {
		resp->neg_state = (uint8_t)der_read_enum(&f, SPNEGO_REQUEST_MIC);
		resp->has_neg_state = sd_rd_ok(&f);
		close_field(d, &seq, &f);
	}
	if (der_ctx(&seq, 1, &f)) {
		oid = der_read_oid(&f, &len);
		if (oid) {
			resp->supported_oid.p = oid;
			resp->supported_oid.len = len;
			resp->supported_mech = spnego_mech_from_oid(oid, len);
		}
		close_field(d, &seq, &f);
	}
	opt_blob(d, &seq, 2, &resp->response_token);
	opt_blob(d, &seq, 3, &resp->mech_list_mic);
	close_field(d, outer, &seq);
	check_end(d, outer);
}

/* [APPLICATION 0] { thisMech OID, innerToken }: SPNEGO or raw Kerberos. */
static enum sd_err
decode_gss_framed(struct dec *d, struct sd_rd *r, struct spnego_token *out)
{
	struct sd_rd app = der_enter(r, DER_APPLICATION, 0), f;
	const uint8_t *oid;
	size_t len;
	enum spnego_mech mech;

	oid = der_read_oid(&app, &len);
	if (!sd_rd_ok(&app))
		return app.err;
	if (der_oid_equal(oid, len, spnego_oid_spnego, sizeof(spnego_oid_spnego))) {
		out->kind = SPNEGO_KIND_INIT;
		out->gss_framed = true;
		if (!der_ctx(&app, 0, &f))
			return sd_rd_ok(&app) ? SD_ERR_MALFORMED : app.err;
		decode_init(d, &f, &out->init);
		if (!sd_rd_ok(&f))
			return f.err;
		check_end(d, &app);
		check_end(d, r);
		return SD_OK;
	}
	mech = spnego_mech_from_oid(oid, len);
	if (mech != SPNEGO_MECH_KRB5 && mech != SPNEGO_MECH_MS_KRB5 && mech != SPNEGO_MECH_KRB5_U2U)
		return SD_ERR_PROTOCOL_ID;
	out->kind = SPNEGO_KIND_RAW_KRB5;
	out->raw_mech = SPNEGO_MECH_KRB5;
	out->raw.p = r->p;
	out->raw.len = r->len;
	check_end(d, r);
	return SD_OK;
}

enum sd_err
spnego_decode(const uint8_t *p, size_t len, struct spnego_token *out)
{
	struct dec d = {p, &out->anom};
	struct sd_rd r, f;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return SD_OK;
	if (len >= sizeof(ntlmssp_signature) && memcmp(p, ntlmssp_signature, sizeof(ntlmssp_signature)) == 0) {
		out->kind = SPNEGO_KIND_RAW_NTLMSSP;
		out->raw_mech = SPNEGO_MECH_NTLMSSP;
		out->raw.p = p;
		out->raw.len = len;
		return SD_OK;
	}
	sd_rd_init(&r, p, len);
	switch (p[0]) {
	case 0x60:
		return decode_gss_framed(&d, &r, out);
	case 0xa0:
		out->kind = SPNEGO_KIND_INIT;
		f = der_enter(&r, DER_CONTEXT, 0);
		if (!sd_rd_ok(&r))
			return r.err;
		decode_init(&d, &f, &out->init);
		if (!sd_rd_ok(&f))
			return f.err;
		check_end(&d, &r);
		return SD_OK;
	case 0xa1:
		out->kind = SPNEGO_KIND_RESP;
		f = der_enter(&r, DER_CONTEXT, 1);
		if (!sd_rd_ok(&r))
			return r.err;
		decode_resp(&d, &f, &out->resp);
		if (!sd_rd_ok(&f))
			return f.err;
		check_end(&d, &r);
		return SD_OK;
	case 0x6e:
		/* A bare AP-REQ ([APPLICATION 14]) sent without GSS framing. */
		out->kind = SPNEGO_KIND_RAW_KRB5;
		out->raw_mech = SPNEGO_MECH_KRB5;
		out->raw.p = p;
		out->raw.len = len;
		return SD_OK;
	default:
		return SD_ERR_PROTOCOL_ID;
	}
}

struct spnego_blob
spnego_inner_token(const struct spnego_token *tok)
{
	struct spnego_blob none = {NULL, 0};

	switch (tok->kind) {
	case SPNEGO_KIND_INIT:
		return tok->init.mech_token;
	case SPNEGO_KIND_RESP:
		return tok->resp.response_token;
	case SPNEGO_KIND_RAW_NTLMSSP:
	case SPNEGO_KIND_RAW_KRB5:
		return tok->raw;
	default:
		return none;
	}
}

/* --- encoders --- */

static void
wr_mech_oid(struct sd_wr *w, enum spnego_mech mech, const struct spnego_oid *fallback)
{
	size_t len;
	const uint8_t *oid = spnego_mech_oid(mech, &len);

	if (!oid && fallback && fallback->p) {
		oid = fallback->p;
		len = fallback->len;
	}
	if (!oid) {
		if (sd_wr_ok(w))
			w->err = SD_ERR_INVALID_ARG;
		return;
	}
	der_wr_oid(w, oid, len);
}

static void
wr_mech_list(struct sd_wr *w, const enum spnego_mech *mechs, const struct spnego_oid *oids, size_t n)
{
	size_t seq = der_wr_open(w, DER_UNIVERSAL, DER_TAG_SEQUENCE), i;

	for (i = 0; i < n; i++)
		wr_mech_oid(w, mechs[i], oids ? &oids[i] : NULL);
	der_wr_close(w, seq);
}

enum sd_err
spnego_encode_mech_types(struct sd_wr *w, const enum spnego_mech *mechs, size_t n)
{
	wr_mech_list(w, mechs, NULL, n);
	return w->err;
}

static void
wr_ctx_octets(struct sd_wr *w, uint32_t n, const struct spnego_blob *b)
{
	size_t c;

	if (!b->p)
		return;
	c = der_wr_open(w, DER_CONTEXT, n);
	der_wr_octets(w, b->p, b->len);
	der_wr_close(w, c);
}

static void
wr_neg_hints(struct sd_wr *w, const struct spnego_init *in)
{
	size_t c3 = der_wr_open(w, DER_CONTEXT, 3), seq, c;

	seq = der_wr_open(w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	if (in->hint_name.p) {
		c = der_wr_open(w, DER_CONTEXT, 0);
		der_wr_string(w, DER_TAG_GENERAL_STRING, in->hint_name.p, in->hint_name.len);
		der_wr_close(w, c);
	}
	wr_ctx_octets(w, 1, &in->hint_address);
	der_wr_close(w, seq);
	der_wr_close(w, c3);
}

static enum sd_err
encode_init_any(struct sd_wr *w, const struct spnego_init *in, bool init2)
{
	size_t app, c0, seq, c;

	if (in->n_mechs > SPNEGO_MECHS_MAX)
		return SD_ERR_INVALID_ARG;
	app = der_wr_open(w, DER_APPLICATION, 0);
	der_wr_oid(w, spnego_oid_spnego, sizeof(spnego_oid_spnego));
	c0 = der_wr_open(w, DER_CONTEXT, 0);
	seq = der_wr_open(w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	c = der_wr_open(w, DER_CONTEXT, 0);
	wr_mech_list(w, in->mechs, in->mech_oids, in->n_mechs);
	der_wr_close(w, c);
	if (in->has_req_flags) {
		c = der_wr_open(w, DER_CONTEXT, 1);
		der_wr_flags32(w, in->req_flags);
		der_wr_close(w, c);
	}
	wr_ctx_octets(w, 2, &in->mech_token);
	if (init2) {
		wr_neg_hints(w, in);
		wr_ctx_octets(w, 4, &in->mech_list_mic);
	} else {
		wr_ctx_octets(w, 3, &in->mech_list_mic);
	}
	der_wr_close(w, seq);
	der_wr_close(w, c0);
	der_wr_close(w, app);
	return w->err;
}

enum sd_err
spnego_encode_init(struct sd_wr *w, const struct spnego_init *in)
{
	return encode_init_any(w, in, false);
}

enum sd_err
spnego_encode_init2(struct sd_wr *w, const struct spnego_init *in)
{
	return encode_init_any(w, in, true);
}

enum sd_err
spnego_encode_resp(struct sd_wr *w, const struct spnego_resp *in)
{
	size_t c1 = der_wr_open(w, DER_CONTEXT, 1), seq, c;

	seq = der_wr_open(w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	if (in->has_neg_state) {
		c = der_wr_open(w, DER_CONTEXT, 0);
		der_wr_enum(w, in->neg_state);
		der_wr_close(w, c);
	}
	if (in->supported_mech != SPNEGO_MECH_NONE) {
		c = der_wr_open(w, DER_CONTEXT, 1);
		wr_mech_oid(w, in->supported_mech, &in->supported_oid);
		der_wr_close(w, c);
	}
	wr_ctx_octets(w, 2, &in->response_token);
	wr_ctx_octets(w, 3, &in->mech_list_mic);
	der_wr_close(w, seq);
	der_wr_close(w, c1);
	return w->err;
}
