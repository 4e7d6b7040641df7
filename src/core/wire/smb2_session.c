/* SESSION_SETUP, LOGOFF / TREE_DISCONNECT / ECHO / CANCEL bodies
 * (MS-SMB2 2.2.5-2.2.8, 2.2.11, 2.2.12, 2.2.28, 2.2.29, 2.2.30). */
#include "core/wire/smb2_internal.h"

#include <string.h>

#define SESS_REQ_FIXED_END (SMB2_HEADER_SIZE + 24)
#define SESS_RSP_FIXED_END (SMB2_HEADER_SIZE + 8)
#define EMPTY_BODY_END (SMB2_HEADER_SIZE + 4)

enum sd_err
smb2_session_setup_req_decode(const uint8_t *msg, size_t len, struct smb2_session_setup_req *out)
{
	struct sd_rd r;
	size_t end = SESS_REQ_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_SESSION_SETUP_REQ_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->flags = sd_rd_u8(&r);
	out->security_mode = sd_rd_u8(&r);
	out->capabilities = sd_rd_u32le(&r);
	out->channel = sd_rd_u32le(&r);
	out->secbuf_offset = sd_rd_u16le(&r);
	out->secbuf_len = sd_rd_u16le(&r);
	out->previous_session_id = sd_rd_u64le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->channel != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 8, out->channel);
	err = smb2_buffer_get(msg, len, out->secbuf_offset, out->secbuf_len, SESS_REQ_FIXED_END, &out->secbuf,
			      &end, &out->anom);
	if (err != SD_OK)
		return err;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_session_setup_req_encode(const struct smb2_session_setup_req *req, struct sd_wr *w)
{
	size_t hdr_off, body;
	uint32_t off;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if (req->secbuf_len != 0 && req->secbuf == NULL)
		return SD_ERR_INVALID_ARG;
	body = w->len;
	sd_wr_u16le(w, SMB2_SESSION_SETUP_REQ_SIZE);
	sd_wr_u8(w, req->flags);
	sd_wr_u8(w, req->security_mode);
	sd_wr_u32le(w, req->capabilities);
	sd_wr_u32le(w, req->channel);
	sd_wr_u16le(w, 0);
	sd_wr_u16le(w, req->secbuf_len);
	sd_wr_u64le(w, req->previous_session_id);
	off = smb2_enc_buffer(w, hdr_off, req->secbuf, req->secbuf_len);
	sd_wr_put_u16le_at(w, body + 12, (uint16_t)off);
	return w->err;
}

enum sd_err
smb2_session_setup_rsp_decode(const uint8_t *msg, size_t len, struct smb2_session_setup_rsp *out)
{
	struct sd_rd r;
	size_t end = SESS_RSP_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_SESSION_SETUP_RSP_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->session_flags = sd_rd_u16le(&r);
	out->secbuf_offset = sd_rd_u16le(&r);
	out->secbuf_len = sd_rd_u16le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	err = smb2_buffer_get(msg, len, out->secbuf_offset, out->secbuf_len, SESS_RSP_FIXED_END, &out->secbuf,
			      &end, &out->anom);
	if (err != SD_OK)
		return err;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_session_setup_rsp_encode(const struct smb2_session_setup_rsp *rsp, struct sd_wr *w)
{
	size_t hdr_off, body;
	uint32_t off;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if (rsp->secbuf_len != 0 && rsp->secbuf == NULL)
		return SD_ERR_INVALID_ARG;
	body = w->len;
	sd_wr_u16le(w, SMB2_SESSION_SETUP_RSP_SIZE);
	sd_wr_u16le(w, rsp->session_flags);
	sd_wr_u16le(w, 0);
	sd_wr_u16le(w, rsp->secbuf_len);
	off = smb2_enc_buffer(w, hdr_off, rsp->secbuf, rsp->secbuf_len);
	sd_wr_put_u16le_at(w, body + 4, (uint16_t)off);
	return w->err;
}

enum sd_err
smb2_empty_body_decode(const uint8_t *msg, size_t len, struct smb2_empty_body *out)
{
	struct sd_rd r;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_LOGOFF_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->reserved = sd_rd_u16le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 2, out->reserved);
	smb2_tail_check(msg, len, EMPTY_BODY_END, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_empty_body_encode(struct sd_wr *w)
{
	sd_wr_u16le(w, SMB2_LOGOFF_SIZE);
	sd_wr_u16le(w, 0);
	return w->err;
}
