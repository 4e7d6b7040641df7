/* NEGOTIATE request and response bodies (MS-SMB2 2.2.3, 2.2.4). */
#include "core/wire/smb2_internal.h"

#include <string.h>

#define NEG_REQ_DIALECTS_OFF (SMB2_HEADER_SIZE + 36)
#define NEG_RSP_FIXED_END (SMB2_HEADER_SIZE + 64)

static bool
dialect_known(uint16_t d, bool response)
{
	switch (d) {
	case SMB2_DIALECT_202:
	case SMB2_DIALECT_210:
	case SMB2_DIALECT_300:
	case SMB2_DIALECT_302:
	case SMB2_DIALECT_311:
		return true;
	case SMB2_DIALECT_WILDCARD:
		return response;
	default:
		return false;
	}
}

/* Reads the dialect array; the whole array is scanned for 0x0311 even when
 * not all of it is kept. */
static enum sd_err
read_dialects(const uint8_t *msg, size_t len, struct smb2_negotiate_req *out)
{
	uint16_t i;

	if (!sd_range_ok(len, NEG_REQ_DIALECTS_OFF, (size_t)out->dialect_count * 2))
		return SD_ERR_TRUNCATED;
	for (i = 0; i < out->dialect_count; i++) {
		size_t at = NEG_REQ_DIALECTS_OFF + (size_t)i * 2;
		uint16_t d = sd_load_u16le(msg + at);

		if (d == SMB2_DIALECT_311)
			out->offers_311 = true;
		if (!dialect_known(d, false))
			sd_anom_add(&out->anom, SD_ANOM_UNKNOWN_DIALECT, (uint32_t)at, d);
		if (out->n_dialects < SMB2_MAX_DIALECTS)
			out->dialects[out->n_dialects++] = d;
	}
	if (out->dialect_count > SMB2_MAX_DIALECTS)
		sd_anom_add(&out->anom, SD_ANOM_ITEMS_DROPPED, NEG_REQ_DIALECTS_OFF, out->dialect_count);
	return SD_OK;
}

enum sd_err
smb2_negotiate_req_decode(const uint8_t *msg, size_t len, struct smb2_negotiate_req *out)
{
	struct sd_rd r;
	enum sd_err err;
	const uint8_t *ctx_area;
	size_t end, ctx_end;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_NEGOTIATE_REQ_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->dialect_count = sd_rd_u16le(&r);
	out->security_mode = sd_rd_u16le(&r);
	out->reserved = sd_rd_u16le(&r);
	out->capabilities = sd_rd_u32le(&r);
	sd_rd_copy(&r, out->client_guid, sizeof(out->client_guid));
	ctx_area = sd_rd_bytes(&r, 8);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 6, out->reserved);
	err = read_dialects(msg, len, out);
	if (err != SD_OK)
		return err;
	end = NEG_REQ_DIALECTS_OFF + (size_t)out->dialect_count * 2;
	if (!out->offers_311) {
		/* ClientStartTime: MUST be zero (MS-SMB2 2.2.3). */
		out->client_start_time = sd_load_u64le(ctx_area);
		if (out->client_start_time != 0)
			sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 28,
				    (uint32_t)out->client_start_time);
		smb2_tail_check(msg, len, end, &out->anom);
		return SD_OK;
	}
	out->negctx_offset = sd_load_u32le(ctx_area);
	out->negctx_count = sd_load_u16le(ctx_area + 4);
	out->reserved2 = sd_load_u16le(ctx_area + 6);
	if (out->reserved2 != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 34, out->reserved2);
	if (out->negctx_count != 0 && out->negctx_offset < end)
		sd_anom_add(&out->anom, SD_ANOM_OVERLAP, out->negctx_offset, out->negctx_count);
	err = smb2_negctx_list_decode(msg, len, out->negctx_offset, out->negctx_count, &out->ctx, &ctx_end,
				      &out->anom);
	if (err != SD_OK)
		return err;
	if (ctx_end > end)
		end = ctx_end;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_negotiate_req_encode(const struct smb2_negotiate_req *req, struct sd_wr *w)
{
	size_t hdr_off, fields_at;
	bool with_ctx = false;
	uint8_t i;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if (req->n_dialects > SMB2_MAX_DIALECTS || req->ctx.n > SMB2_NEGCTX_MAX)
		return SD_ERR_INVALID_ARG;
	for (i = 0; i < req->n_dialects; i++)
		if (req->dialects[i] == SMB2_DIALECT_311)
			with_ctx = true;
	sd_wr_u16le(w, SMB2_NEGOTIATE_REQ_SIZE);
	sd_wr_u16le(w, req->n_dialects);
	sd_wr_u16le(w, req->security_mode);
	sd_wr_u16le(w, req->reserved);
	sd_wr_u32le(w, req->capabilities);
	sd_wr_bytes(w, req->client_guid, sizeof(req->client_guid));
	fields_at = w->len;
	if (with_ctx) {
		sd_wr_u32le(w, 0);
		sd_wr_u16le(w, req->ctx.n);
		sd_wr_u16le(w, req->reserved2);
	} else {
		sd_wr_u64le(w, req->client_start_time);
	}
	for (i = 0; i < req->n_dialects; i++)
		sd_wr_u16le(w, req->dialects[i]);
	if (with_ctx && req->ctx.n != 0 && sd_wr_ok(w)) {
		sd_wr_zero(w, (8 - (w->len - hdr_off) % 8) % 8);
		sd_wr_put_u32le_at(w, fields_at, (uint32_t)(w->len - hdr_off));
		return smb2_negctx_list_encode(req->ctx.ctx, req->ctx.n, hdr_off, w);
	}
	return w->err;
}

/* Fields that are Reserved unless the dialect is 3.1.1. */
static void
rsp_reserved_check(struct smb2_negotiate_rsp *out)
{
	if (out->negctx_count != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 6, out->negctx_count);
	if (out->negctx_offset != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 60, out->negctx_offset);
}

enum sd_err
smb2_negotiate_rsp_decode(const uint8_t *msg, size_t len, struct smb2_negotiate_rsp *out)
{
	struct sd_rd r;
	enum sd_err err;
	size_t end = NEG_RSP_FIXED_END, ctx_end;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_NEGOTIATE_RSP_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->security_mode = sd_rd_u16le(&r);
	out->dialect = sd_rd_u16le(&r);
	out->negctx_count = sd_rd_u16le(&r);
	sd_rd_copy(&r, out->server_guid, sizeof(out->server_guid));
	out->capabilities = sd_rd_u32le(&r);
	out->max_transact_size = sd_rd_u32le(&r);
	out->max_read_size = sd_rd_u32le(&r);
	out->max_write_size = sd_rd_u32le(&r);
	out->system_time = sd_rd_u64le(&r);
	out->server_start_time = sd_rd_u64le(&r);
	out->secbuf_offset = sd_rd_u16le(&r);
	out->secbuf_len = sd_rd_u16le(&r);
	out->negctx_offset = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (!dialect_known(out->dialect, true))
		sd_anom_add(&out->anom, SD_ANOM_UNKNOWN_DIALECT, SMB2_HEADER_SIZE + 4, out->dialect);
	err = smb2_buffer_get(msg, len, out->secbuf_offset, out->secbuf_len, NEG_RSP_FIXED_END, &out->secbuf,
			      &end, &out->anom);
	if (err != SD_OK)
		return err;
	if (out->dialect != SMB2_DIALECT_311) {
		rsp_reserved_check(out);
		smb2_tail_check(msg, len, end, &out->anom);
		return SD_OK;
	}
	if (out->negctx_count != 0 && out->negctx_offset < end)
		sd_anom_add(&out->anom, SD_ANOM_OVERLAP, out->negctx_offset, out->negctx_count);
	err = smb2_negctx_list_decode(msg, len, out->negctx_offset, out->negctx_count, &out->ctx, &ctx_end,
				      &out->anom);
	if (err != SD_OK)
		return err;
	if (ctx_end > end)
		end = ctx_end;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_negotiate_rsp_encode(const struct smb2_negotiate_rsp *rsp, struct sd_wr *w)
{
	size_t hdr_off, body;
	bool with_ctx;
	uint32_t secbuf_off;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if (rsp->ctx.n > SMB2_NEGCTX_MAX || (rsp->secbuf_len != 0 && rsp->secbuf == NULL))
		return SD_ERR_INVALID_ARG;
	with_ctx = rsp->dialect == SMB2_DIALECT_311 && rsp->ctx.n != 0;
	body = w->len;
	sd_wr_u16le(w, SMB2_NEGOTIATE_RSP_SIZE);
	sd_wr_u16le(w, rsp->security_mode);
	sd_wr_u16le(w, rsp->dialect);
	/* Outside 3.1.1 these are Reserved fields: written as given. */
	sd_wr_u16le(w, with_ctx ? rsp->ctx.n : rsp->negctx_count);
	sd_wr_bytes(w, rsp->server_guid, sizeof(rsp->server_guid));
	sd_wr_u32le(w, rsp->capabilities);
	sd_wr_u32le(w, rsp->max_transact_size);
	sd_wr_u32le(w, rsp->max_read_size);
	sd_wr_u32le(w, rsp->max_write_size);
	sd_wr_u64le(w, rsp->system_time);
	sd_wr_u64le(w, rsp->server_start_time);
	sd_wr_u16le(w, 0);
	sd_wr_u16le(w, rsp->secbuf_len);
	sd_wr_u32le(w, rsp->dialect == SMB2_DIALECT_311 ? 0 : rsp->negctx_offset);
	secbuf_off = smb2_enc_buffer(w, hdr_off, rsp->secbuf, rsp->secbuf_len);
	sd_wr_put_u16le_at(w, body + 56, (uint16_t)secbuf_off);
	if (with_ctx && sd_wr_ok(w)) {
		sd_wr_zero(w, (8 - (w->len - hdr_off) % 8) % 8);
		sd_wr_put_u32le_at(w, body + 60, (uint32_t)(w->len - hdr_off));
		return smb2_negctx_list_encode(rsp->ctx.ctx, rsp->ctx.n, hdr_off, w);
	}
	return w->err;
}
