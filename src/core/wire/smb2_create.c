/* CREATE request and response (MS-SMB2 2.2.13, 2.2.13.2, 2.2.14) and the
 * create context chain. */
#include "core/wire/smb2_file.h"
#include "core/wire/smb2_internal.h"

#include <string.h>

#define CREATE_REQ_FIXED_END (SMB2_HEADER_SIZE + 56)
#define CREATE_RSP_FIXED_END (SMB2_HEADER_SIZE + 88)
#define CTX_HEADER_SIZE 16

/* One context at pos inside a chain of len bytes; *next is its Next. */
static enum sd_err
decode_one_ctx(const uint8_t *p, size_t len, size_t pos, uint32_t base, struct smb2_create_ctx *c,
	       struct sd_anomalies *anom)
{
	size_t ctx_len;

	if (!sd_range_ok(len, pos, CTX_HEADER_SIZE))
		return SD_ERR_MALFORMED;
	memset(c, 0, sizeof(*c));
	c->offset = base + (uint32_t)pos;
	c->next = sd_load_u32le(p + pos);
	c->name_offset = sd_load_u16le(p + pos + 4);
	c->name_len = sd_load_u16le(p + pos + 6);
	c->reserved = sd_load_u16le(p + pos + 8);
	c->data_offset = sd_load_u16le(p + pos + 10);
	c->data_len = sd_load_u32le(p + pos + 12);
	/* The context spans to the next one, or to the end of the chain. */
	ctx_len = c->next ? c->next : len - pos;
	if (c->next != 0 && (c->next < CTX_HEADER_SIZE || !sd_range_ok(len, pos, c->next)))
		return SD_ERR_MALFORMED;
	if (c->next % 8 != 0)
		sd_anom_add(anom, SD_ANOM_MISALIGNED, c->offset, c->next);
	if (c->reserved != 0)
		sd_anom_add(anom, SD_ANOM_RESERVED_NONZERO, c->offset + 8, c->reserved);
	if (c->name_len == 0 || c->name_offset < CTX_HEADER_SIZE || !sd_range_ok(ctx_len, c->name_offset, c->name_len))
		return SD_ERR_MALFORMED;
	c->name = p + pos + c->name_offset;
	if (c->data_len != 0) {
		if (c->data_offset < CTX_HEADER_SIZE || !sd_range_ok(ctx_len, c->data_offset, c->data_len))
			return SD_ERR_MALFORMED;
		if (c->data_offset < (size_t)c->name_offset + c->name_len)
			sd_anom_add(anom, SD_ANOM_OVERLAP, c->offset + c->data_offset, c->data_len);
		c->data = p + pos + c->data_offset;
	}
	return SD_OK;
}

enum sd_err
smb2_create_ctx_decode(const uint8_t *p, size_t len, uint32_t base, struct smb2_create_ctx_list *out,
		       struct sd_anomalies *anom)
{
	size_t pos = 0;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	while (len != 0) {
		struct smb2_create_ctx c;

		err = decode_one_ctx(p, len, pos, base, &c, anom);
		if (err != SD_OK)
			return err;
		if (out->count < UINT16_MAX)
			out->count++;
		if (out->n < SMB2_CREATE_CTX_MAX)
			out->ctx[out->n++] = c;
		if (c.next == 0)
			break;
		pos += c.next;  /* >= 16, so the walk always advances */
	}
	if (out->count > SMB2_CREATE_CTX_MAX)
		sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, base, out->count);
	return SD_OK;
}

enum sd_err
smb2_create_ctx_encode(const struct smb2_create_ctx *ctx, size_t n, struct sd_wr *w)
{
	size_t i;

	for (i = 0; i < n && sd_wr_ok(w); i++) {
		const struct smb2_create_ctx *c = &ctx[i];
		size_t start = w->len;
		uint16_t data_off = 0;

		if (c->name_len == 0 || c->name == NULL || (c->data_len != 0 && c->data == NULL))
			return SD_ERR_INVALID_ARG;
		sd_wr_zero(w, CTX_HEADER_SIZE);
		sd_wr_bytes(w, c->name, c->name_len);
		if (c->data_len != 0) {
			sd_wr_zero(w, (8 - (w->len - start) % 8) % 8);
			data_off = (uint16_t)(w->len - start);
			sd_wr_bytes(w, c->data, c->data_len);
		}
		if (i + 1 < n)
			sd_wr_zero(w, (8 - (w->len - start) % 8) % 8);
		if (!sd_wr_ok(w))
			break;
		sd_wr_put_u32le_at(w, start, i + 1 < n ? (uint32_t)(w->len - start) : 0);
		sd_wr_put_u16le_at(w, start + 4, CTX_HEADER_SIZE);
		sd_wr_put_u16le_at(w, start + 6, c->name_len);
		sd_wr_put_u16le_at(w, start + 8, c->reserved);
		sd_wr_put_u16le_at(w, start + 10, data_off);
		sd_wr_put_u32le_at(w, start + 12, c->data_len);
	}
	return w->err;
}

static enum sd_err
decode_contexts(const uint8_t *msg, const uint8_t *contexts, uint32_t contexts_len, struct smb2_create_ctx_list *l,
		struct sd_anomalies *anom)
{
	uint32_t base;

	if (contexts == NULL)
		return SD_OK;
	base = (uint32_t)(contexts - msg);
	if (base % 8 != 0)
		sd_anom_add(anom, SD_ANOM_MISALIGNED, base, base);
	return smb2_create_ctx_decode(contexts, contexts_len, base, l, anom);
}

enum sd_err
smb2_create_req_decode(const uint8_t *msg, size_t len, struct smb2_create_req *out)
{
	struct sd_rd r;
	size_t end = CREATE_REQ_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_CREATE_REQ_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->security_flags = sd_rd_u8(&r);
	out->oplock_level = sd_rd_u8(&r);
	out->impersonation_level = sd_rd_u32le(&r);
	out->smb_create_flags = sd_rd_u64le(&r);
	out->reserved = sd_rd_u64le(&r);
	out->desired_access = sd_rd_u32le(&r);
	out->file_attributes = sd_rd_u32le(&r);
	out->share_access = sd_rd_u32le(&r);
	out->create_disposition = sd_rd_u32le(&r);
	out->create_options = sd_rd_u32le(&r);
	out->name_offset = sd_rd_u16le(&r);
	out->name_len = sd_rd_u16le(&r);
	out->contexts_offset = sd_rd_u32le(&r);
	out->contexts_len = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->security_flags != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 2, out->security_flags);
	if (out->smb_create_flags != 0 || out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 8, 0);
	if (out->name_len & 1)
		sd_anom_add(&out->anom, SD_ANOM_LENGTH_MISMATCH, SMB2_HEADER_SIZE + 46, out->name_len);
	err = smb2_buffer_get(msg, len, out->name_offset, out->name_len, CREATE_REQ_FIXED_END, &out->name, &end,
			      &out->anom);
	if (err == SD_OK)
		err = smb2_buffer_get(msg, len, out->contexts_offset, out->contexts_len, CREATE_REQ_FIXED_END,
				      &out->contexts, &end, &out->anom);
	if (err == SD_OK)
		err = decode_contexts(msg, out->contexts, out->contexts_len, &out->ctx, &out->anom);
	if (err != SD_OK)
		return err;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_create_req_encode(const struct smb2_create_req *req, struct sd_wr *w)
{
	size_t hdr_off, body;
	uint32_t off;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if ((req->name_len != 0 && req->name == NULL) || (req->contexts_len != 0 && req->contexts == NULL))
		return SD_ERR_INVALID_ARG;
	body = w->len;
	sd_wr_u16le(w, SMB2_CREATE_REQ_SIZE);
	sd_wr_u8(w, req->security_flags);
	sd_wr_u8(w, req->oplock_level);
	sd_wr_u32le(w, req->impersonation_level);
	sd_wr_u64le(w, req->smb_create_flags);
	sd_wr_u64le(w, req->reserved);
	sd_wr_u32le(w, req->desired_access);
	sd_wr_u32le(w, req->file_attributes);
	sd_wr_u32le(w, req->share_access);
	sd_wr_u32le(w, req->create_disposition);
	sd_wr_u32le(w, req->create_options);
	sd_wr_u16le(w, 0);
	sd_wr_u16le(w, req->name_len);
	sd_wr_u32le(w, 0);
	sd_wr_u32le(w, req->contexts_len);
	off = smb2_enc_buffer(w, hdr_off, req->name, req->name_len);
	sd_wr_put_u16le_at(w, body + 44, (uint16_t)off);
	if (req->contexts_len != 0) {
		sd_wr_zero(w, (8 - (w->len - hdr_off) % 8) % 8);
		off = smb2_enc_buffer(w, hdr_off, req->contexts, req->contexts_len);
		sd_wr_put_u32le_at(w, body + 48, off);
	} else if (req->name_len == 0) {
		sd_wr_u8(w, 0);
	}
	return w->err;
}

enum sd_err
smb2_create_rsp_decode(const uint8_t *msg, size_t len, struct smb2_create_rsp *out)
{
	struct sd_rd r;
	size_t end = CREATE_RSP_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_CREATE_RSP_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->oplock_level = sd_rd_u8(&r);
	out->flags = sd_rd_u8(&r);
	out->create_action = sd_rd_u32le(&r);
	out->creation_time = sd_rd_u64le(&r);
	out->last_access_time = sd_rd_u64le(&r);
	out->last_write_time = sd_rd_u64le(&r);
	out->change_time = sd_rd_u64le(&r);
	out->allocation_size = sd_rd_u64le(&r);
	out->end_of_file = sd_rd_u64le(&r);
	out->file_attributes = sd_rd_u32le(&r);
	out->reserved2 = sd_rd_u32le(&r);
	out->file_id.persistent = sd_rd_u64le(&r);
	out->file_id.volatile_ = sd_rd_u64le(&r);
	out->contexts_offset = sd_rd_u32le(&r);
	out->contexts_len = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved2 != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 60, out->reserved2);
	err = smb2_buffer_get(msg, len, out->contexts_offset, out->contexts_len, CREATE_RSP_FIXED_END,
			      &out->contexts, &end, &out->anom);
	if (err == SD_OK)
		err = decode_contexts(msg, out->contexts, out->contexts_len, &out->ctx, &out->anom);
	if (err != SD_OK)
		return err;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_create_rsp_encode(const struct smb2_create_rsp *rsp, struct sd_wr *w)
{
	size_t hdr_off, body;
	uint32_t off;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if (rsp->contexts_len != 0 && rsp->contexts == NULL)
		return SD_ERR_INVALID_ARG;
	body = w->len;
	sd_wr_u16le(w, SMB2_CREATE_RSP_SIZE);
	sd_wr_u8(w, rsp->oplock_level);
	sd_wr_u8(w, rsp->flags);
	sd_wr_u32le(w, rsp->create_action);
	sd_wr_u64le(w, rsp->creation_time);
	sd_wr_u64le(w, rsp->last_access_time);
	sd_wr_u64le(w, rsp->last_write_time);
	sd_wr_u64le(w, rsp->change_time);
	sd_wr_u64le(w, rsp->allocation_size);
	sd_wr_u64le(w, rsp->end_of_file);
	sd_wr_u32le(w, rsp->file_attributes);
	sd_wr_u32le(w, rsp->reserved2);
	sd_wr_u64le(w, rsp->file_id.persistent);
	sd_wr_u64le(w, rsp->file_id.volatile_);
	sd_wr_u32le(w, 0);
	sd_wr_u32le(w, rsp->contexts_len);
	/* Like Samba and Windows, no padding byte when there are no
	 * contexts, although StructureSize 89 promises one. */
	if (rsp->contexts_len != 0) {
		off = smb2_enc_buffer(w, hdr_off, rsp->contexts, rsp->contexts_len);
		sd_wr_put_u32le_at(w, body + 80, off);
	}
	return w->err;
}
