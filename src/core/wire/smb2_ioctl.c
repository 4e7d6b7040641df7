/* IOCTL request and response (MS-SMB2 2.2.31, 2.2.32) and
 * FSCTL_VALIDATE_NEGOTIATE_INFO (2.2.31.4, 2.2.32.6). DFS referrals are in
 * smb2_dfs.c. */
#include "core/wire/smb2_internal.h"

#include <string.h>

#define IOCTL_REQ_FIXED_END (SMB2_HEADER_SIZE + 56)
#define IOCTL_RSP_FIXED_END (SMB2_HEADER_SIZE + 48)
#define VNI_REQ_FIXED_SIZE 24

enum sd_err
smb2_ioctl_req_decode(const uint8_t *msg, size_t len, struct smb2_ioctl_req *out)
{
	struct sd_rd r;
	size_t end = IOCTL_REQ_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_IOCTL_REQ_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->reserved = sd_rd_u16le(&r);
	out->ctl_code = sd_rd_u32le(&r);
	out->file_id_persistent = sd_rd_u64le(&r);
	out->file_id_volatile = sd_rd_u64le(&r);
	out->input_offset = sd_rd_u32le(&r);
	out->input_count = sd_rd_u32le(&r);
	out->max_input_response = sd_rd_u32le(&r);
	out->output_offset = sd_rd_u32le(&r);
	out->output_count = sd_rd_u32le(&r);
	out->max_output_response = sd_rd_u32le(&r);
	out->flags = sd_rd_u32le(&r);
	out->reserved2 = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved2 != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 52, out->reserved2);
	err = smb2_buffer_get(msg, len, out->input_offset, out->input_count, IOCTL_REQ_FIXED_END, &out->input,
			      &end, &out->anom);
	if (err == SD_OK)
		err = smb2_buffer_get(msg, len, out->output_offset, out->output_count, IOCTL_REQ_FIXED_END,
				      &out->output, &end, &out->anom);
	if (err != SD_OK)
		return err;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

/* Writes input then output (8-byte aligned) and patches their offsets at
 * body + in_at / body + out_at. */
static void
encode_ioctl_buffers(struct sd_wr *w, size_t hdr_off, size_t body, const uint8_t *in, uint32_t in_len,
		     const uint8_t *outp, uint32_t out_len, size_t in_at, size_t out_at)
{
	uint32_t off;

	off = smb2_enc_buffer(w, hdr_off, in, in_len);
	sd_wr_put_u32le_at(w, body + in_at, off);
	if (out_len != 0)
		sd_wr_zero(w, (8 - (w->len - hdr_off) % 8) % 8);
	off = smb2_enc_buffer(w, hdr_off, outp, out_len);
	sd_wr_put_u32le_at(w, body + out_at, off);
}

enum sd_err
smb2_ioctl_req_encode(const struct smb2_ioctl_req *req, struct sd_wr *w)
{
	size_t hdr_off, body;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if ((req->input_count != 0 && req->input == NULL) || (req->output_count != 0 && req->output == NULL))
		return SD_ERR_INVALID_ARG;
	body = w->len;
	sd_wr_u16le(w, SMB2_IOCTL_REQ_SIZE);
	sd_wr_u16le(w, req->reserved);
	sd_wr_u32le(w, req->ctl_code);
	sd_wr_u64le(w, req->file_id_persistent);
	sd_wr_u64le(w, req->file_id_volatile);
	sd_wr_u32le(w, 0);
	sd_wr_u32le(w, req->input_count);
	sd_wr_u32le(w, req->max_input_response);
	sd_wr_u32le(w, 0);
	sd_wr_u32le(w, req->output_count);
	sd_wr_u32le(w, req->max_output_response);
	sd_wr_u32le(w, req->flags);
	sd_wr_u32le(w, req->reserved2);
	encode_ioctl_buffers(w, hdr_off, body, req->input, req->input_count, req->output, req->output_count, 24,
			     36);
	return w->err;
}

enum sd_err
smb2_ioctl_rsp_decode(const uint8_t *msg, size_t len, struct smb2_ioctl_rsp *out)
{
	struct sd_rd r;
	size_t end = IOCTL_RSP_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_IOCTL_RSP_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->reserved = sd_rd_u16le(&r);
	out->ctl_code = sd_rd_u32le(&r);
	out->file_id_persistent = sd_rd_u64le(&r);
	out->file_id_volatile = sd_rd_u64le(&r);
	out->input_offset = sd_rd_u32le(&r);
	out->input_count = sd_rd_u32le(&r);
	out->output_offset = sd_rd_u32le(&r);
	out->output_count = sd_rd_u32le(&r);
	out->flags = sd_rd_u32le(&r);
	out->reserved2 = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved2 != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 44, out->reserved2);
	err = smb2_buffer_get(msg, len, out->input_offset, out->input_count, IOCTL_RSP_FIXED_END, &out->input,
			      &end, &out->anom);
	if (err == SD_OK)
		err = smb2_buffer_get(msg, len, out->output_offset, out->output_count, IOCTL_RSP_FIXED_END,
				      &out->output, &end, &out->anom);
	if (err != SD_OK)
		return err;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_ioctl_rsp_encode(const struct smb2_ioctl_rsp *rsp, struct sd_wr *w)
{
	size_t hdr_off, body;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if ((rsp->input_count != 0 && rsp->input == NULL) || (rsp->output_count != 0 && rsp->output == NULL))
		return SD_ERR_INVALID_ARG;
	body = w->len;
	sd_wr_u16le(w, SMB2_IOCTL_RSP_SIZE);
	sd_wr_u16le(w, rsp->reserved);
	sd_wr_u32le(w, rsp->ctl_code);
	sd_wr_u64le(w, rsp->file_id_persistent);
	sd_wr_u64le(w, rsp->file_id_volatile);
	sd_wr_u32le(w, 0);
	sd_wr_u32le(w, rsp->input_count);
	sd_wr_u32le(w, 0);
	sd_wr_u32le(w, rsp->output_count);
	sd_wr_u32le(w, rsp->flags);
	sd_wr_u32le(w, rsp->reserved2);
	encode_ioctl_buffers(w, hdr_off, body, rsp->input, rsp->input_count, rsp->output, rsp->output_count, 24,
			     32);
	return w->err;
}

enum sd_err
smb2_validate_negotiate_req_decode(const uint8_t *p, size_t len, struct smb2_validate_negotiate_req *out)
{
	struct sd_rd r;
	uint16_t i;

	memset(out, 0, sizeof(*out));
	sd_rd_init(&r, p, len);
	out->capabilities = sd_rd_u32le(&r);
	sd_rd_copy(&r, out->guid, sizeof(out->guid));
	out->security_mode = sd_rd_u16le(&r);
	out->dialect_count = sd_rd_u16le(&r);
	for (i = 0; i < out->dialect_count && sd_rd_ok(&r); i++) {
		uint16_t d = sd_rd_u16le(&r);

		if (sd_rd_ok(&r) && out->n_dialects < SMB2_MAX_DIALECTS)
			out->dialects[out->n_dialects++] = d;
	}
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->dialect_count > SMB2_MAX_DIALECTS)
		sd_anom_add(&out->anom, SD_ANOM_ITEMS_DROPPED, 22, out->dialect_count);
	if (sd_rd_left(&r) != 0)
		sd_anom_add(&out->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)r.off, (uint32_t)sd_rd_left(&r));
	return SD_OK;
}

enum sd_err
smb2_validate_negotiate_req_encode(const struct smb2_validate_negotiate_req *req, struct sd_wr *w)
{
	uint8_t i;

	if (req->n_dialects > SMB2_MAX_DIALECTS)
		return SD_ERR_INVALID_ARG;
	sd_wr_u32le(w, req->capabilities);
	sd_wr_bytes(w, req->guid, sizeof(req->guid));
	sd_wr_u16le(w, req->security_mode);
	sd_wr_u16le(w, req->n_dialects);
	for (i = 0; i < req->n_dialects; i++)
		sd_wr_u16le(w, req->dialects[i]);
	return w->err;
}

enum sd_err
smb2_validate_negotiate_rsp_decode(const uint8_t *p, size_t len, struct smb2_validate_negotiate_rsp *out)
{
	struct sd_rd r;

	memset(out, 0, sizeof(*out));
	sd_rd_init(&r, p, len);
	out->capabilities = sd_rd_u32le(&r);
	sd_rd_copy(&r, out->guid, sizeof(out->guid));
	out->security_mode = sd_rd_u16le(&r);
	out->dialect = sd_rd_u16le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (sd_rd_left(&r) != 0)
		sd_anom_add(&out->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)r.off, (uint32_t)sd_rd_left(&r));
	return SD_OK;
}

enum sd_err
smb2_validate_negotiate_rsp_encode(const struct smb2_validate_negotiate_rsp *rsp, struct sd_wr *w)
{
	sd_wr_u32le(w, rsp->capabilities);
	sd_wr_bytes(w, rsp->guid, sizeof(rsp->guid));
	sd_wr_u16le(w, rsp->security_mode);
	sd_wr_u16le(w, rsp->dialect);
	return w->err;
}
