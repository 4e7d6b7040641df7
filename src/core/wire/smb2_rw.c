/* CLOSE, READ and WRITE (MS-SMB2 2.2.15, 2.2.16, 2.2.19-2.2.22) and the
 * FSCTL_PIPE_TRANSCEIVE request helper. */
#include "core/wire/smb2_file.h"
#include "core/wire/smb2_internal.h"

#include <string.h>

#define CLOSE_REQ_END (SMB2_HEADER_SIZE + 24)
#define CLOSE_RSP_END (SMB2_HEADER_SIZE + 60)
#define READ_REQ_FIXED_END (SMB2_HEADER_SIZE + 48)
#define READ_RSP_FIXED_END (SMB2_HEADER_SIZE + 16)
#define WRITE_REQ_FIXED_END (SMB2_HEADER_SIZE + 48)
#define WRITE_RSP_END (SMB2_HEADER_SIZE + 16)

enum sd_err
smb2_close_req_decode(const uint8_t *msg, size_t len, struct smb2_close_req *out)
{
	struct sd_rd r;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_CLOSE_REQ_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->flags = sd_rd_u16le(&r);
	out->reserved = sd_rd_u32le(&r);
	out->file_id.persistent = sd_rd_u64le(&r);
	out->file_id.volatile_ = sd_rd_u64le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 4, out->reserved);
	smb2_tail_check(msg, len, CLOSE_REQ_END, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_close_req_encode(const struct smb2_close_req *req, struct sd_wr *w)
{
	sd_wr_u16le(w, SMB2_CLOSE_REQ_SIZE);
	sd_wr_u16le(w, req->flags);
	sd_wr_u32le(w, req->reserved);
	sd_wr_u64le(w, req->file_id.persistent);
	sd_wr_u64le(w, req->file_id.volatile_);
	return w->err;
}

enum sd_err
smb2_close_rsp_decode(const uint8_t *msg, size_t len, struct smb2_close_rsp *out)
{
	struct sd_rd r;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_CLOSE_RSP_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->flags = sd_rd_u16le(&r);
	out->reserved = sd_rd_u32le(&r);
	out->creation_time = sd_rd_u64le(&r);
	out->last_access_time = sd_rd_u64le(&r);
	out->last_write_time = sd_rd_u64le(&r);
	out->change_time = sd_rd_u64le(&r);
	out->allocation_size = sd_rd_u64le(&r);
	out->end_of_file = sd_rd_u64le(&r);
	out->file_attributes = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 4, out->reserved);
	smb2_tail_check(msg, len, CLOSE_RSP_END, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_close_rsp_encode(const struct smb2_close_rsp *rsp, struct sd_wr *w)
{
	sd_wr_u16le(w, SMB2_CLOSE_RSP_SIZE);
	sd_wr_u16le(w, rsp->flags);
	sd_wr_u32le(w, rsp->reserved);
	sd_wr_u64le(w, rsp->creation_time);
	sd_wr_u64le(w, rsp->last_access_time);
	sd_wr_u64le(w, rsp->last_write_time);
	sd_wr_u64le(w, rsp->change_time);
	sd_wr_u64le(w, rsp->allocation_size);
	sd_wr_u64le(w, rsp->end_of_file);
	sd_wr_u32le(w, rsp->file_attributes);
	return w->err;
}

enum sd_err
smb2_read_req_decode(const uint8_t *msg, size_t len, struct smb2_read_req *out)
{
	struct sd_rd r;
	size_t end = READ_REQ_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_READ_REQ_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->padding = sd_rd_u8(&r);
	out->flags = sd_rd_u8(&r);
	out->length = sd_rd_u32le(&r);
	out->offset = sd_rd_u64le(&r);
	out->file_id.persistent = sd_rd_u64le(&r);
	out->file_id.volatile_ = sd_rd_u64le(&r);
	out->minimum_count = sd_rd_u32le(&r);
	out->channel = sd_rd_u32le(&r);
	out->remaining_bytes = sd_rd_u32le(&r);
	out->channel_info_offset = sd_rd_u16le(&r);
	out->channel_info_len = sd_rd_u16le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	err = smb2_buffer_get(msg, len, out->channel_info_offset, out->channel_info_len, READ_REQ_FIXED_END,
			      &out->channel_info, &end, &out->anom);
	if (err != SD_OK)
		return err;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_read_req_encode(const struct smb2_read_req *req, struct sd_wr *w)
{
	size_t hdr_off, body;
	uint32_t off;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if (req->channel_info_len != 0 && req->channel_info == NULL)
		return SD_ERR_INVALID_ARG;
	body = w->len;
	sd_wr_u16le(w, SMB2_READ_REQ_SIZE);
	sd_wr_u8(w, req->padding);
	sd_wr_u8(w, req->flags);
	sd_wr_u32le(w, req->length);
	sd_wr_u64le(w, req->offset);
	sd_wr_u64le(w, req->file_id.persistent);
	sd_wr_u64le(w, req->file_id.volatile_);
	sd_wr_u32le(w, req->minimum_count);
	sd_wr_u32le(w, req->channel);
	sd_wr_u32le(w, req->remaining_bytes);
	sd_wr_u16le(w, 0);
	sd_wr_u16le(w, req->channel_info_len);
	if (req->channel_info_len != 0) {
		off = smb2_enc_buffer(w, hdr_off, req->channel_info, req->channel_info_len);
		sd_wr_put_u16le_at(w, body + 44, (uint16_t)off);
	} else {
		sd_wr_u8(w, 0);  /* MS-SMB2 2.2.19: one zero Buffer byte */
	}
	return w->err;
}

enum sd_err
smb2_read_rsp_decode(const uint8_t *msg, size_t len, struct smb2_read_rsp *out)
{
	struct sd_rd r;
	size_t end = READ_RSP_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_READ_RSP_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->data_offset = sd_rd_u8(&r);
	out->reserved = sd_rd_u8(&r);
	out->data_len = sd_rd_u32le(&r);
	out->data_remaining = sd_rd_u32le(&r);
	out->flags = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 3, out->reserved);
	err = smb2_buffer_get(msg, len, out->data_offset, out->data_len, READ_RSP_FIXED_END, &out->data, &end,
			      &out->anom);
	if (err != SD_OK)
		return err;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_read_rsp_encode(const struct smb2_read_rsp *rsp, struct sd_wr *w)
{
	size_t hdr_off;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if (rsp->data_len != 0 && rsp->data == NULL)
		return SD_ERR_INVALID_ARG;
	sd_wr_u16le(w, SMB2_READ_RSP_SIZE);
	sd_wr_u8(w, READ_RSP_FIXED_END);
	sd_wr_u8(w, rsp->reserved);
	sd_wr_u32le(w, rsp->data_len);
	sd_wr_u32le(w, rsp->data_remaining);
	sd_wr_u32le(w, rsp->flags);
	smb2_enc_buffer(w, hdr_off, rsp->data, rsp->data_len);
	return w->err;
}

enum sd_err
smb2_write_req_decode(const uint8_t *msg, size_t len, struct smb2_write_req *out)
{
	struct sd_rd r;
	size_t end = WRITE_REQ_FIXED_END;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_WRITE_REQ_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->data_offset = sd_rd_u16le(&r);
	out->length = sd_rd_u32le(&r);
	out->offset = sd_rd_u64le(&r);
	out->file_id.persistent = sd_rd_u64le(&r);
	out->file_id.volatile_ = sd_rd_u64le(&r);
	out->channel = sd_rd_u32le(&r);
	out->remaining_bytes = sd_rd_u32le(&r);
	out->channel_info_offset = sd_rd_u16le(&r);
	out->channel_info_len = sd_rd_u16le(&r);
	out->flags = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	err = smb2_buffer_get(msg, len, out->data_offset, out->length, WRITE_REQ_FIXED_END, &out->data, &end,
			      &out->anom);
	if (err == SD_OK)
		err = smb2_buffer_get(msg, len, out->channel_info_offset, out->channel_info_len, WRITE_REQ_FIXED_END,
				      &out->channel_info, &end, &out->anom);
	if (err != SD_OK)
		return err;
	smb2_tail_check(msg, len, end, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_write_req_encode(const struct smb2_write_req *req, struct sd_wr *w)
{
	size_t hdr_off, body;
	uint32_t off;
	enum sd_err err = smb2_enc_hdr_off(w, &hdr_off);

	if (err != SD_OK)
		return err;
	if ((req->length != 0 && req->data == NULL) || (req->channel_info_len != 0 && req->channel_info == NULL))
		return SD_ERR_INVALID_ARG;
	body = w->len;
	sd_wr_u16le(w, SMB2_WRITE_REQ_SIZE);
	sd_wr_u16le(w, 0);
	sd_wr_u32le(w, req->length);
	sd_wr_u64le(w, req->offset);
	sd_wr_u64le(w, req->file_id.persistent);
	sd_wr_u64le(w, req->file_id.volatile_);
	sd_wr_u32le(w, req->channel);
	sd_wr_u32le(w, req->remaining_bytes);
	sd_wr_u16le(w, 0);
	sd_wr_u16le(w, req->channel_info_len);
	sd_wr_u32le(w, req->flags);
	off = smb2_enc_buffer(w, hdr_off, req->data, req->length);
	sd_wr_put_u16le_at(w, body + 2, (uint16_t)off);
	if (req->channel_info_len != 0) {
		off = smb2_enc_buffer(w, hdr_off, req->channel_info, req->channel_info_len);
		sd_wr_put_u16le_at(w, body + 40, (uint16_t)off);
	} else if (req->length == 0) {
		sd_wr_u8(w, 0);
	}
	return w->err;
}

enum sd_err
smb2_write_rsp_decode(const uint8_t *msg, size_t len, struct smb2_write_rsp *out)
{
	struct sd_rd r;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_WRITE_RSP_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->reserved = sd_rd_u16le(&r);
	out->count = sd_rd_u32le(&r);
	out->remaining = sd_rd_u32le(&r);
	out->channel_info_offset = sd_rd_u16le(&r);
	out->channel_info_len = sd_rd_u16le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 2, out->reserved);
	if (out->channel_info_offset != 0 || out->channel_info_len != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 12, out->channel_info_len);
	smb2_tail_check(msg, len, WRITE_RSP_END, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_write_rsp_encode(const struct smb2_write_rsp *rsp, struct sd_wr *w)
{
	sd_wr_u16le(w, SMB2_WRITE_RSP_SIZE);
	sd_wr_u16le(w, rsp->reserved);
	sd_wr_u32le(w, rsp->count);
	sd_wr_u32le(w, rsp->remaining);
	sd_wr_u16le(w, rsp->channel_info_offset);
	sd_wr_u16le(w, rsp->channel_info_len);
	return w->err;
}

void
smb2_pipe_transceive_req_init(struct smb2_ioctl_req *req, const struct smb2_file_id *fid, const uint8_t *in,
			      uint32_t in_len, uint32_t max_out)
{
	memset(req, 0, sizeof(*req));
	req->ctl_code = FSCTL_PIPE_TRANSCEIVE;
	req->file_id_persistent = fid->persistent;
	req->file_id_volatile = fid->volatile_;
	req->input = in;
	req->input_count = in_len;
	req->max_output_response = max_out;
	req->flags = SMB2_0_IOCTL_IS_FSCTL;
}
