/* TREE_CONNECT request and response (MS-SMB2 2.2.9, 2.2.9.1, 2.2.10). */
#include "core/wire/smb2_internal.h"

#include <string.h>

#define TREE_REQ_FIXED_END (SMB2_HEADER_SIZE + 8)
#define TREE_RSP_END (SMB2_HEADER_SIZE + 16)
#define TREE_CTX_HEADER_SIZE 8

/* Tree connect contexts (2.2.9.2), laid out like negotiate contexts. */
static enum sd_err
decode_tree_contexts(const uint8_t *msg, size_t len, size_t pos, struct smb2_tree_connect_req *out, size_t *end)
{
	uint16_t i;

	if (out->ext_ctx_count == 0)
		return SD_OK;
	if (pos > len)
		return SD_ERR_BAD_OFFSET;
	for (i = 0; i < out->ext_ctx_count; i++) {
		struct smb2_tree_ctx c;

		if (i > 0) {
			pos = (pos + 7) & ~(size_t)7;
			if (pos > len)
				return SD_ERR_TRUNCATED;
		}
		if (!sd_range_ok(len, pos, TREE_CTX_HEADER_SIZE))
			return SD_ERR_TRUNCATED;
		c.type = sd_load_u16le(msg + pos);
		c.data_len = sd_load_u16le(msg + pos + 2);
		c.reserved = sd_load_u32le(msg + pos + 4);
		if (!sd_range_ok(len, pos + TREE_CTX_HEADER_SIZE, c.data_len))
			return SD_ERR_TRUNCATED;
		c.data = msg + pos + TREE_CTX_HEADER_SIZE;
		if (c.reserved != 0)
			sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, (uint32_t)pos + 4, c.reserved);
		if (c.type != SMB2_REMOTED_IDENTITY_TREE_CONNECT_CONTEXT_ID)
			sd_anom_add(&out->anom, SD_ANOM_UNKNOWN_CONTEXT, (uint32_t)pos, c.type);
		if (out->n_ext_ctx < SMB2_TREE_CTX_MAX)
			out->ext_ctx[out->n_ext_ctx++] = c;
		pos += TREE_CTX_HEADER_SIZE + c.data_len;
		if (pos > *end)
			*end = pos;
	}
	if (out->ext_ctx_count > SMB2_TREE_CTX_MAX)
		sd_anom_add(&out->anom, SD_ANOM_ITEMS_DROPPED, TREE_REQ_FIXED_END, out->ext_ctx_count);
	return SD_OK;
}

/* The 3.1.1 extension at the start of Buffer: its offsets count from its
 * own start. */
static enum sd_err
decode_extension(const uint8_t *msg, size_t len, struct smb2_tree_connect_req *out, size_t *end)
{
	const size_t base = TREE_REQ_FIXED_END;
	size_t i;
	enum sd_err err;

	if (!sd_range_ok(len, base, SMB2_TREE_EXTENSION_SIZE))
		return SD_ERR_TRUNCATED;
	out->has_extension = true;
	out->ext_ctx_offset = sd_load_u32le(msg + base);
	out->ext_ctx_count = sd_load_u16le(msg + base + 4);
	for (i = 6; i < SMB2_TREE_EXTENSION_SIZE; i++) {
		if (msg[base + i] != 0) {
			sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, (uint32_t)(base + i), msg[base + i]);
			break;
		}
	}
	*end = base + SMB2_TREE_EXTENSION_SIZE;
	err = smb2_buffer_get(msg, len, base + out->path_offset, out->path_len, *end, &out->path, end, &out->anom);
	if (err != SD_OK)
		return err;
	return decode_tree_contexts(msg, len, base + out->ext_ctx_offset, out, end);
}

enum sd_err
smb2_tree_connect_req_decode(const uint8_t *msg, size_t len, struct smb2_tree_connect_req *out)
{
	struct sd_rd r;
	size_t end = TREE_REQ_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_TREE_CONNECT_REQ_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->flags = sd_rd_u16le(&r);
	out->path_offset = sd_rd_u16le(&r);
	out->path_len = sd_rd_u16le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->flags & SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT)
		err = decode_extension(msg, len, out, &end);
	else
		err = smb2_buffer_get(msg, len, out->path_offset, out->path_len, TREE_REQ_FIXED_END, &out->path,
				      &end, &out->anom);
	if (err != SD_OK)
		return err;
	if (out->path_len & 1)
		sd_anom_add(&out->anom, SD_ANOM_LENGTH_MISMATCH, SMB2_HEADER_SIZE + 6, out->path_len);
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

static void
encode_tree_contexts(const struct smb2_tree_connect_req *req, size_t hdr_off, struct sd_wr *w)
{
	uint16_t i;

	for (i = 0; i < req->n_ext_ctx && sd_wr_ok(w); i++) {
		const struct smb2_tree_ctx *c = &req->ext_ctx[i];

		if (i > 0)
			sd_wr_zero(w, (8 - (w->len - hdr_off) % 8) % 8);
		sd_wr_u16le(w, c->type);
		sd_wr_u16le(w, c->data_len);
		sd_wr_u32le(w, c->reserved);
		if (c->data_len != 0)
			sd_wr_bytes(w, c->data, c->data_len);
	}
}

enum sd_err
smb2_tree_connect_req_encode(const struct smb2_tree_connect_req *req, struct sd_wr *w)
{
	size_t hdr_off, body, ext = 0;
	uint16_t flags = req->flags;
	uint32_t off;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if ((req->path_len != 0 && req->path == NULL) || req->n_ext_ctx > SMB2_TREE_CTX_MAX)
		return SD_ERR_INVALID_ARG;
	if (req->has_extension)
		flags |= SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT;
	else
		flags &= (uint16_t)~SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT;
	body = w->len;
	sd_wr_u16le(w, SMB2_TREE_CONNECT_REQ_SIZE);
	sd_wr_u16le(w, flags);
	sd_wr_u16le(w, 0);
	sd_wr_u16le(w, req->path_len);
	if (req->has_extension) {
		ext = w->len;
		sd_wr_u32le(w, 0);
		sd_wr_u16le(w, req->n_ext_ctx);
		sd_wr_zero(w, 10);
	}
	off = smb2_enc_buffer(w, hdr_off, req->path, req->path_len);
	if (!req->has_extension) {
		sd_wr_put_u16le_at(w, body + 4, (uint16_t)off);
		return w->err;
	}
	sd_wr_put_u16le_at(w, body + 4, (uint16_t)(off - (ext - hdr_off)));
	if (req->n_ext_ctx != 0 && sd_wr_ok(w)) {
		sd_wr_zero(w, (8 - (w->len - hdr_off) % 8) % 8);
		sd_wr_put_u32le_at(w, ext, (uint32_t)(w->len - ext));
		encode_tree_contexts(req, hdr_off, w);
	}
	return w->err;
}

enum sd_err
smb2_tree_connect_rsp_decode(const uint8_t *msg, size_t len, struct smb2_tree_connect_rsp *out)
{
	struct sd_rd r;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_TREE_CONNECT_RSP_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->share_type = sd_rd_u8(&r);
	out->reserved = sd_rd_u8(&r);
	out->share_flags = sd_rd_u32le(&r);
	out->capabilities = sd_rd_u32le(&r);
	out->maximal_access = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 3, out->reserved);
	smb2_tail_check(msg, len, TREE_RSP_END, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_tree_connect_rsp_encode(const struct smb2_tree_connect_rsp *rsp, struct sd_wr *w)
{
	sd_wr_u16le(w, SMB2_TREE_CONNECT_RSP_SIZE);
	sd_wr_u8(w, rsp->share_type);
	sd_wr_u8(w, rsp->reserved);
	sd_wr_u32le(w, rsp->share_flags);
	sd_wr_u32le(w, rsp->capabilities);
	sd_wr_u32le(w, rsp->maximal_access);
	return w->err;
}
