/* DCE/RPC connection-oriented PDUs (C706 12.6, MS-RPCE 2.2.2). */
#include "core/wire/dcerpc.h"

#include <string.h>

#define SYNTAX_SIZE 20
#define CTX_ELEM_FIXED 4
#define RESULT_SIZE (4 + SYNTAX_SIZE)

const struct dcerpc_syntax dcerpc_syntax_srvsvc = {
	{0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01, 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88}, 3, 0,
};

const struct dcerpc_syntax dcerpc_syntax_ndr = {
	{0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60}, 2, 0,
};

bool
dcerpc_syntax_equal(const struct dcerpc_syntax *a, const struct dcerpc_syntax *b)
{
	return memcmp(a->uuid, b->uuid, 16) == 0 && a->ver_major == b->ver_major && a->ver_minor == b->ver_minor;
}

enum sd_err
dcerpc_hdr_decode(const uint8_t *p, size_t len, struct dcerpc_hdr *out)
{
	struct sd_rd r;

	memset(out, 0, sizeof(*out));
	sd_rd_init(&r, p, len);
	out->rpc_vers = sd_rd_u8(&r);
	out->rpc_vers_minor = sd_rd_u8(&r);
	out->ptype = sd_rd_u8(&r);
	out->pfc_flags = sd_rd_u8(&r);
	sd_rd_copy(&r, out->drep, 4);
	out->frag_len = sd_rd_u16le(&r);
	out->auth_len = sd_rd_u16le(&r);
	out->call_id = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->rpc_vers != 5 || out->rpc_vers_minor != 0)
		return SD_ERR_PROTOCOL_ID;
	/* Only little-endian integers and ASCII characters: what every SMB
	 * peer sends; a big-endian peer would need a second set of readers. */
	if ((out->drep[0] & 0xF0) != DCERPC_DREP_LE_ASCII || (out->drep[0] & 0x0F) != 0)
		return SD_ERR_UNSUPPORTED;
	if (out->frag_len < DCERPC_HEADER_SIZE)
		return SD_ERR_MALFORMED;
	return SD_OK;
}

static void
read_syntax(struct sd_rd *r, struct dcerpc_syntax *s)
{
	uint32_t version;

	sd_rd_copy(r, s->uuid, 16);
	version = sd_rd_u32le(r);
	s->ver_major = (uint16_t)version;
	s->ver_minor = (uint16_t)(version >> 16);
}

static void
write_syntax(struct sd_wr *w, const struct dcerpc_syntax *s)
{
	sd_wr_bytes(w, s->uuid, 16);
	sd_wr_u32le(w, (uint32_t)s->ver_major | (uint32_t)s->ver_minor << 16);
}

/* A body that ends inside a field contradicts FragLength: malformed, not
 * truncated (the fragment itself was complete). */
static enum sd_err
body_err(const struct sd_rd *r)
{
	return r->err == SD_ERR_TRUNCATED ? SD_ERR_MALFORMED : r->err;
}

static void
trailing_check(const struct sd_rd *r, struct sd_anomalies *anom)
{
	if (sd_rd_left(r) != 0)
		sd_anom_add(anom, SD_ANOM_TRAILING_BYTES, (uint32_t)(DCERPC_HEADER_SIZE + r->off),
			    (uint32_t)sd_rd_left(r));
}

static enum sd_err
decode_ctx_elem(struct sd_rd *r, struct dcerpc_ctx_elem *e)
{
	uint8_t i;

	memset(e, 0, sizeof(*e));
	e->cont_id = sd_rd_u16le(r);
	e->n_transfer_declared = sd_rd_u8(r);
	e->reserved = sd_rd_u8(r);
	read_syntax(r, &e->abstract);
	if (!sd_rd_ok(r))
		return body_err(r);
	if ((size_t)e->n_transfer_declared * SYNTAX_SIZE > sd_rd_left(r))
		return SD_ERR_MALFORMED;
	for (i = 0; i < e->n_transfer_declared; i++) {
		struct dcerpc_syntax s;

		read_syntax(r, &s);
		if (e->n_transfer < DCERPC_MAX_TRANSFER)
			e->transfer[e->n_transfer++] = s;
	}
	return body_err(r);
}

static enum sd_err
decode_bind(struct sd_rd *r, struct dcerpc_bind *b, struct sd_anomalies *anom)
{
	uint8_t i, reserved;
	uint16_t reserved2;
	enum sd_err err;

	b->max_xmit_frag = sd_rd_u16le(r);
	b->max_recv_frag = sd_rd_u16le(r);
	b->assoc_group_id = sd_rd_u32le(r);
	b->n_ctx_declared = sd_rd_u8(r);
	reserved = sd_rd_u8(r);
	reserved2 = sd_rd_u16le(r);
	if (!sd_rd_ok(r))
		return body_err(r);
	if (reserved != 0 || reserved2 != 0)
		sd_anom_add(anom, SD_ANOM_RESERVED_NONZERO, DCERPC_HEADER_SIZE + 9, reserved | (uint32_t)reserved2 << 8);
	if ((size_t)b->n_ctx_declared * (CTX_ELEM_FIXED + SYNTAX_SIZE) > sd_rd_left(r))
		return SD_ERR_MALFORMED;
	for (i = 0; i < b->n_ctx_declared; i++) {
		struct dcerpc_ctx_elem e;

		err = decode_ctx_elem(r, &e);
		if (err != SD_OK)
			return err;
		if (e.n_transfer_declared > DCERPC_MAX_TRANSFER)
			sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, (uint32_t)(DCERPC_HEADER_SIZE + r->off),
				    e.n_transfer_declared);
		if (b->n_ctx < DCERPC_MAX_CTX)
			b->ctx[b->n_ctx++] = e;
	}
	if (b->n_ctx_declared > DCERPC_MAX_CTX)
		sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, DCERPC_HEADER_SIZE + 8, b->n_ctx_declared);
	trailing_check(r, anom);
	return SD_OK;
}

static enum sd_err
decode_bind_ack(struct sd_rd *r, struct dcerpc_bind_ack *a, struct sd_anomalies *anom)
{
	size_t pad, i;
	uint8_t reserved;
	uint16_t reserved2;

	a->max_xmit_frag = sd_rd_u16le(r);
	a->max_recv_frag = sd_rd_u16le(r);
	a->assoc_group_id = sd_rd_u32le(r);
	a->sec_addr_len = sd_rd_u16le(r);
	a->sec_addr = a->sec_addr_len ? sd_rd_bytes(r, a->sec_addr_len) : NULL;
	if (!sd_rd_ok(r))
		return body_err(r);
	/* The result list is 4-aligned; the body starts at a 4-aligned 16. */
	pad = (4 - r->off % 4) % 4;
	for (i = 0; i < pad && sd_rd_ok(r); i++)
		if (sd_rd_u8(r) != 0)
			sd_anom_add(anom, SD_ANOM_PADDING_NONZERO, (uint32_t)(DCERPC_HEADER_SIZE + r->off - 1), 0);
	a->n_results_declared = sd_rd_u8(r);
	reserved = sd_rd_u8(r);
	reserved2 = sd_rd_u16le(r);
	if (!sd_rd_ok(r))
		return body_err(r);
	if (reserved != 0 || reserved2 != 0)
		sd_anom_add(anom, SD_ANOM_RESERVED_NONZERO, (uint32_t)(DCERPC_HEADER_SIZE + r->off - 3), 0);
	if ((size_t)a->n_results_declared * RESULT_SIZE > sd_rd_left(r))
		return SD_ERR_MALFORMED;
	for (i = 0; i < a->n_results_declared; i++) {
		struct dcerpc_result res;

		res.result = sd_rd_u16le(r);
		res.reason = sd_rd_u16le(r);
		read_syntax(r, &res.transfer);
		if (a->n_results < DCERPC_MAX_CTX)
			a->results[a->n_results++] = res;
	}
	if (a->n_results_declared > DCERPC_MAX_CTX)
		sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, DCERPC_HEADER_SIZE, a->n_results_declared);
	trailing_check(r, anom);
	return body_err(r);
}

static enum sd_err
decode_bind_nak(struct sd_rd *r, struct dcerpc_bind_nak *n, struct sd_anomalies *anom)
{
	uint8_t i;

	n->reject_reason = sd_rd_u16le(r);
	/* Windows sends a bare reason (2 bytes) when it has no version list. */
	if (sd_rd_ok(r) && sd_rd_left(r) == 0)
		return SD_OK;
	n->n_versions_declared = sd_rd_u8(r);
	if (!sd_rd_ok(r))
		return body_err(r);
	if ((size_t)n->n_versions_declared * 2 > sd_rd_left(r))
		return SD_ERR_MALFORMED;
	for (i = 0; i < n->n_versions_declared; i++) {
		uint8_t major = sd_rd_u8(r), minor = sd_rd_u8(r);

		if (n->n_versions < DCERPC_MAX_VERSIONS) {
			n->versions[n->n_versions][0] = major;
			n->versions[n->n_versions][1] = minor;
			n->n_versions++;
		}
	}
	if (n->n_versions_declared > DCERPC_MAX_VERSIONS)
		sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, DCERPC_HEADER_SIZE + 2, n->n_versions_declared);
	/* MS-RPCE 2.2.2.5 lets a signature and extended error follow. */
	trailing_check(r, anom);
	return body_err(r);
}

static void
rest_as_stub(struct sd_rd *r, const uint8_t **stub, size_t *stub_len)
{
	*stub_len = sd_rd_left(r);
	*stub = *stub_len ? sd_rd_bytes(r, *stub_len) : NULL;
}

static enum sd_err
decode_body(struct dcerpc_pdu *out)
{
	struct sd_rd r;

	sd_rd_init(&r, out->body, out->body_len);
	switch (out->hdr.ptype) {
	case DCERPC_BIND:
	case DCERPC_ALTER_CONTEXT:
		return decode_bind(&r, &out->u.bind, &out->anom);
	case DCERPC_BIND_ACK:
	case DCERPC_ALTER_CONTEXT_RESP:
		return decode_bind_ack(&r, &out->u.bind_ack, &out->anom);
	case DCERPC_BIND_NAK:
		return decode_bind_nak(&r, &out->u.bind_nak, &out->anom);
	case DCERPC_REQUEST:
		out->u.request.alloc_hint = sd_rd_u32le(&r);
		out->u.request.cont_id = sd_rd_u16le(&r);
		out->u.request.opnum = sd_rd_u16le(&r);
		out->u.request.has_object = (out->hdr.pfc_flags & DCERPC_PFC_OBJECT_UUID) != 0;
		if (out->u.request.has_object)
			sd_rd_copy(&r, out->u.request.object, 16);
		rest_as_stub(&r, &out->u.request.stub, &out->u.request.stub_len);
		return body_err(&r);
	case DCERPC_RESPONSE:
		out->u.response.alloc_hint = sd_rd_u32le(&r);
		out->u.response.cont_id = sd_rd_u16le(&r);
		out->u.response.cancel_count = sd_rd_u8(&r);
		out->u.response.reserved = sd_rd_u8(&r);
		rest_as_stub(&r, &out->u.response.stub, &out->u.response.stub_len);
		return body_err(&r);
	case DCERPC_FAULT:
		out->u.fault.alloc_hint = sd_rd_u32le(&r);
		out->u.fault.cont_id = sd_rd_u16le(&r);
		out->u.fault.cancel_count = sd_rd_u8(&r);
		out->u.fault.flags = sd_rd_u8(&r);
		out->u.fault.status = sd_rd_u32le(&r);
		/* Reserved: some stacks end the fault right after the status. */
		if (sd_rd_left(&r) >= 4)
			out->u.fault.reserved = sd_rd_u32le(&r);
		rest_as_stub(&r, &out->u.fault.stub, &out->u.fault.stub_len);
		return body_err(&r);
	default:
		return SD_OK;
	}
}

/* Splits the fragment into body and sec_trailer + auth value. */
static enum sd_err
decode_auth(const uint8_t *p, struct dcerpc_pdu *out)
{
	size_t frag = out->hdr.frag_len, trailer;

	out->body = p + DCERPC_HEADER_SIZE;
	out->body_len = frag - DCERPC_HEADER_SIZE;
	if (out->hdr.auth_len == 0)
		return SD_OK;
	if ((size_t)out->hdr.auth_len + DCERPC_SEC_TRAILER_SIZE > out->body_len)
		return SD_ERR_MALFORMED;
	trailer = frag - out->hdr.auth_len - DCERPC_SEC_TRAILER_SIZE;
	out->auth.present = true;
	out->auth.type = p[trailer];
	out->auth.level = p[trailer + 1];
	out->auth.pad_len = p[trailer + 2];
	out->auth.reserved = p[trailer + 3];
	out->auth.context_id = sd_load_u32le(p + trailer + 4);
	out->auth.value = p + trailer + DCERPC_SEC_TRAILER_SIZE;
	if (out->auth.pad_len > trailer - DCERPC_HEADER_SIZE)
		return SD_ERR_MALFORMED;
	out->body_len = trailer - DCERPC_HEADER_SIZE - out->auth.pad_len;
	if (trailer % 4 != 0)
		sd_anom_add(&out->anom, SD_ANOM_MISALIGNED, (uint32_t)trailer, (uint32_t)trailer);
	return SD_OK;
}

enum sd_err
dcerpc_pdu_decode(const uint8_t *p, size_t len, struct dcerpc_pdu *out)
{
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = dcerpc_hdr_decode(p, len, &out->hdr);
	if (err != SD_OK)
		return err;
	if (len < out->hdr.frag_len)
		return SD_ERR_TRUNCATED;
	err = decode_auth(p, out);
	if (err == SD_OK)
		err = decode_body(out);
	if (err != SD_OK)
		return err;
	if (len > out->hdr.frag_len)
		sd_anom_add(&out->anom, SD_ANOM_TRAILING_BYTES, out->hdr.frag_len, (uint32_t)(len - out->hdr.frag_len));
	return SD_OK;
}

static enum sd_err
encode_bind(const struct dcerpc_bind *b, struct sd_wr *w)
{
	uint8_t i, j;

	if (b->n_ctx > DCERPC_MAX_CTX)
		return SD_ERR_INVALID_ARG;
	sd_wr_u16le(w, b->max_xmit_frag);
	sd_wr_u16le(w, b->max_recv_frag);
	sd_wr_u32le(w, b->assoc_group_id);
	sd_wr_u8(w, b->n_ctx);
	sd_wr_u8(w, 0);
	sd_wr_u16le(w, 0);
	for (i = 0; i < b->n_ctx; i++) {
		const struct dcerpc_ctx_elem *e = &b->ctx[i];

		if (e->n_transfer > DCERPC_MAX_TRANSFER)
			return SD_ERR_INVALID_ARG;
		sd_wr_u16le(w, e->cont_id);
		sd_wr_u8(w, e->n_transfer);
		sd_wr_u8(w, e->reserved);
		write_syntax(w, &e->abstract);
		for (j = 0; j < e->n_transfer; j++)
			write_syntax(w, &e->transfer[j]);
	}
	return w->err;
}

static enum sd_err
encode_bind_ack(const struct dcerpc_bind_ack *a, size_t pdu_start, struct sd_wr *w)
{
	uint8_t i;

	if (a->n_results > DCERPC_MAX_CTX || (a->sec_addr_len != 0 && a->sec_addr == NULL))
		return SD_ERR_INVALID_ARG;
	sd_wr_u16le(w, a->max_xmit_frag);
	sd_wr_u16le(w, a->max_recv_frag);
	sd_wr_u32le(w, a->assoc_group_id);
	sd_wr_u16le(w, a->sec_addr_len);
	if (a->sec_addr_len != 0)
		sd_wr_bytes(w, a->sec_addr, a->sec_addr_len);
	sd_wr_zero(w, (4 - (w->len - pdu_start) % 4) % 4);
	sd_wr_u8(w, a->n_results);
	sd_wr_u8(w, 0);
	sd_wr_u16le(w, 0);
	for (i = 0; i < a->n_results; i++) {
		sd_wr_u16le(w, a->results[i].result);
		sd_wr_u16le(w, a->results[i].reason);
		write_syntax(w, &a->results[i].transfer);
	}
	return w->err;
}

static enum sd_err
encode_body(const struct dcerpc_pdu *pdu, size_t start, struct sd_wr *w)
{
	uint8_t i;

	switch (pdu->hdr.ptype) {
	case DCERPC_BIND:
	case DCERPC_ALTER_CONTEXT:
		return encode_bind(&pdu->u.bind, w);
	case DCERPC_BIND_ACK:
	case DCERPC_ALTER_CONTEXT_RESP:
		return encode_bind_ack(&pdu->u.bind_ack, start, w);
	case DCERPC_BIND_NAK:
		if (pdu->u.bind_nak.n_versions > DCERPC_MAX_VERSIONS)
			return SD_ERR_INVALID_ARG;
		sd_wr_u16le(w, pdu->u.bind_nak.reject_reason);
		sd_wr_u8(w, pdu->u.bind_nak.n_versions);
		for (i = 0; i < pdu->u.bind_nak.n_versions; i++)
			sd_wr_bytes(w, pdu->u.bind_nak.versions[i], 2);
		return w->err;
	case DCERPC_REQUEST:
		sd_wr_u32le(w, pdu->u.request.alloc_hint);
		sd_wr_u16le(w, pdu->u.request.cont_id);
		sd_wr_u16le(w, pdu->u.request.opnum);
		if (pdu->hdr.pfc_flags & DCERPC_PFC_OBJECT_UUID)
			sd_wr_bytes(w, pdu->u.request.object, 16);
		if (pdu->u.request.stub_len)
			sd_wr_bytes(w, pdu->u.request.stub, pdu->u.request.stub_len);
		return w->err;
	case DCERPC_RESPONSE:
		sd_wr_u32le(w, pdu->u.response.alloc_hint);
		sd_wr_u16le(w, pdu->u.response.cont_id);
		sd_wr_u8(w, pdu->u.response.cancel_count);
		sd_wr_u8(w, pdu->u.response.reserved);
		if (pdu->u.response.stub_len)
			sd_wr_bytes(w, pdu->u.response.stub, pdu->u.response.stub_len);
		return w->err;
	case DCERPC_FAULT:
		sd_wr_u32le(w, pdu->u.fault.alloc_hint);
		sd_wr_u16le(w, pdu->u.fault.cont_id);
		sd_wr_u8(w, pdu->u.fault.cancel_count);
		sd_wr_u8(w, pdu->u.fault.flags);
		sd_wr_u32le(w, pdu->u.fault.status);
		sd_wr_u32le(w, pdu->u.fault.reserved);
		if (pdu->u.fault.stub_len)
			sd_wr_bytes(w, pdu->u.fault.stub, pdu->u.fault.stub_len);
		return w->err;
	default:
		if (pdu->body_len)
			sd_wr_bytes(w, pdu->body, pdu->body_len);
		return w->err;
	}
}

enum sd_err
dcerpc_pdu_encode(const struct dcerpc_pdu *pdu, struct sd_wr *w)
{
	const struct dcerpc_hdr *h = &pdu->hdr;
	size_t start = w->len, frag;
	static const uint8_t drep_le[4] = {DCERPC_DREP_LE_ASCII, 0, 0, 0};
	static const uint8_t no_drep[4];
	enum sd_err err;

	if (!sd_wr_ok(w))
		return w->err;
	if (pdu->auth.present && h->auth_len != 0 && pdu->auth.value == NULL)
		return SD_ERR_INVALID_ARG;
	sd_wr_u8(w, h->rpc_vers ? h->rpc_vers : 5);
	sd_wr_u8(w, h->rpc_vers ? h->rpc_vers_minor : 0);
	sd_wr_u8(w, h->ptype);
	sd_wr_u8(w, h->pfc_flags);
	sd_wr_bytes(w, memcmp(h->drep, no_drep, 4) ? h->drep : drep_le, 4);
	sd_wr_u16le(w, 0);
	sd_wr_u16le(w, pdu->auth.present ? h->auth_len : 0);
	sd_wr_u32le(w, h->call_id);
	err = encode_body(pdu, start, w);
	if (err != SD_OK)
		return err;
	if (pdu->auth.present) {
		sd_wr_zero(w, pdu->auth.pad_len);
		sd_wr_u8(w, pdu->auth.type);
		sd_wr_u8(w, pdu->auth.level);
		sd_wr_u8(w, pdu->auth.pad_len);
		sd_wr_u8(w, pdu->auth.reserved);
		sd_wr_u32le(w, pdu->auth.context_id);
		if (h->auth_len)
			sd_wr_bytes(w, pdu->auth.value, h->auth_len);
	}
	if (!sd_wr_ok(w))
		return w->err;
	frag = w->len - start;
	if (frag > UINT16_MAX)
		return SD_ERR_LIMIT;
	sd_wr_put_u16le_at(w, start + 8, (uint16_t)frag);
	return w->err;
}

void
dcerpc_reasm_init(struct dcerpc_reasm *r, uint8_t *buf, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->cap = cap;
}

enum sd_err
dcerpc_reasm_add(struct dcerpc_reasm *r, const struct dcerpc_pdu *pdu)
{
	const uint8_t *stub;
	size_t n;
	bool first = (pdu->hdr.pfc_flags & DCERPC_PFC_FIRST_FRAG) != 0;

	if (pdu->hdr.ptype == DCERPC_REQUEST) {
		stub = pdu->u.request.stub;
		n = pdu->u.request.stub_len;
	} else if (pdu->hdr.ptype == DCERPC_RESPONSE) {
		stub = pdu->u.response.stub;
		n = pdu->u.response.stub_len;
	} else {
		return SD_ERR_INVALID_ARG;
	}
	if (r->done || first == r->started)
		return SD_ERR_MALFORMED;
	if (r->started && (pdu->hdr.call_id != r->call_id || pdu->hdr.ptype != r->ptype))
		return SD_ERR_MALFORMED;
	if (n > r->cap - r->len)
		return SD_ERR_LIMIT;
	if (n)
		memcpy(r->buf + r->len, stub, n);
	r->len += n;
	r->started = true;
	r->call_id = pdu->hdr.call_id;
	r->ptype = pdu->hdr.ptype;
	r->done = (pdu->hdr.pfc_flags & DCERPC_PFC_LAST_FRAG) != 0;
	return SD_OK;
}

const char *
dcerpc_ptype_name(uint8_t ptype)
{
	static const char *const names[] = {
		"REQUEST", "PING", "RESPONSE", "FAULT", "WORKING", "NOCALL", "REJECT", "ACK", "CL_CANCEL",
		"FACK", "CANCEL_ACK", "BIND", "BIND_ACK", "BIND_NAK", "ALTER_CONTEXT", "ALTER_CONTEXT_RESP",
		"AUTH3", "SHUTDOWN", "CO_CANCEL", "ORPHANED",
	};

	return ptype < sizeof(names) / sizeof(names[0]) ? names[ptype] : NULL;
}

const char *
dcerpc_fault_name(uint32_t status)
{
	static const struct {
		uint32_t status;
		const char *name;
	} faults[] = {
		{0x00000005u, "access_denied"},
		{0x000006F7u, "rpc_x_bad_stub_data"},
		{0x1C010001u, "nca_s_comm_failure"},
		{0x1C010002u, "nca_s_op_rng_error"},
		{0x1C010003u, "nca_s_unk_if"},
		{0x1C010006u, "nca_s_wrong_boot_time"},
		{0x1C010009u, "nca_s_you_crashed"},
		{0x1C01000Bu, "nca_s_proto_error"},
		{0x1C010013u, "nca_s_out_args_too_big"},
		{0x1C010014u, "nca_s_server_too_busy"},
		{0x1C010017u, "nca_s_unsupported_type"},
		{0x1C000001u, "nca_s_fault_int_div_by_zero"},
		{0x1C000002u, "nca_s_fault_addr_error"},
		{0x1C000009u, "nca_s_unspec_reject"},
		{0x1C00000Du, "nca_s_fault_cancel"},
		{0x1C000012u, "nca_s_fault_unspec"},
		{0x1C00001Au, "nca_s_fault_context_mismatch"},
		{0x1C00001Bu, "nca_s_fault_remote_no_memory"},
		{0x1C00001Cu, "nca_s_invalid_pres_context_id"},
		{0x1C00001Du, "nca_s_unsupported_authn_level"},
		{0x1C00001Fu, "nca_s_invalid_checksum"},
	};
	size_t i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (faults[i].status == status)
			return faults[i].name;
	return NULL;
}

const char *
dcerpc_bind_result_name(uint16_t result)
{
	static const char *const names[] = {"acceptance", "user_rejection", "provider_rejection", "negotiate_ack"};

	return result < 4 ? names[result] : NULL;
}

const char *
dcerpc_bind_reason_name(uint16_t reason)
{
	static const char *const names[] = {
		"reason_not_specified", "abstract_syntax_not_supported", "proposed_transfer_syntaxes_not_supported",
		"local_limit_exceeded",
	};

	return reason < 4 ? names[reason] : NULL;
}

const char *
dcerpc_bind_nak_reason_name(uint16_t reason)
{
	static const char *const names[] = {
		"reason_not_specified", "temporary_congestion", "local_limit_exceeded", "called_paddr_unknown",
		"protocol_version_not_supported", "default_context_not_supported", "user_data_not_readable",
		"no_psap_available", "authentication_type_not_recognized", "invalid_checksum",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : NULL;
}
