/* ERROR response (MS-SMB2 2.2.2, 2.2.2.1) and the SHARE_REDIRECT error
 * context (2.2.2.2.2). */
#include "core/wire/smb2_internal.h"

#include <string.h>

#define ERR_DATA_OFF (SMB2_HEADER_SIZE + 8)
#define ERR_CTX_HEADER_SIZE 8
#define REDIRECT_FIXED_SIZE 24
#define MOVE_DST_IPADDR_SIZE 24

/* 3.1.1 error contexts inside ErrorData, each 8-byte aligned. */
static enum sd_err
decode_error_contexts(const uint8_t *msg, struct smb2_error_rsp *out)
{
	size_t end = ERR_DATA_OFF + out->byte_count;
	size_t pos = ERR_DATA_OFF;
	unsigned i;

	for (i = 0; i < out->error_context_count; i++) {
		struct smb2_error_ctx c;

		if (i > 0)
			pos = (pos + 7) & ~(size_t)7;
		if (pos > end || end - pos < ERR_CTX_HEADER_SIZE)
			return SD_ERR_MALFORMED;
		c.offset = (uint32_t)pos;
		c.data_len = sd_load_u32le(msg + pos);
		c.error_id = sd_load_u32le(msg + pos + 4);
		if (c.data_len > end - pos - ERR_CTX_HEADER_SIZE)
			return SD_ERR_MALFORMED;
		c.data = msg + pos + ERR_CTX_HEADER_SIZE;
		if (out->n_ctx < SMB2_ERROR_CTX_MAX)
			out->ctx[out->n_ctx++] = c;
		pos += ERR_CTX_HEADER_SIZE + c.data_len;
	}
	if (out->error_context_count > SMB2_ERROR_CTX_MAX)
		sd_anom_add(&out->anom, SD_ANOM_ITEMS_DROPPED, SMB2_HEADER_SIZE + 2, out->error_context_count);
	if (pos < end)
		sd_anom_add(&out->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)pos, (uint32_t)(end - pos));
	return SD_OK;
}

enum sd_err
smb2_error_rsp_decode(const uint8_t *msg, size_t len, struct smb2_error_rsp *out)
{
	struct sd_rd r;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_body_open(msg, len, SMB2_ERROR_RSP_SIZE, &r);
	if (err != SD_OK)
		return err;
	out->error_context_count = sd_rd_u8(&r);
	out->reserved = sd_rd_u8(&r);
	out->byte_count = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, SMB2_HEADER_SIZE + 3, out->reserved);
	if (out->byte_count == 0 && out->error_context_count != 0)
		sd_anom_add(&out->anom, SD_ANOM_LENGTH_MISMATCH, SMB2_HEADER_SIZE + 2, out->error_context_count);
	if (out->byte_count == 0) {
		/* The spec wants one ErrorData byte; some servers send none,
		 * old Windows sends one uninitialised byte. */
		if (len == ERR_DATA_OFF) {
			out->quirk_no_data_byte = true;
			sd_anom_add(&out->anom, SD_ANOM_ERROR_BODY_QUIRK, ERR_DATA_OFF, 8);
			return SD_OK;
		}
		if (msg[ERR_DATA_OFF] != 0)
			sd_anom_add(&out->anom, SD_ANOM_ERROR_BODY_QUIRK, ERR_DATA_OFF, 0x100u | msg[ERR_DATA_OFF]);
		smb2_tail_check(msg, len, ERR_DATA_OFF + 1, &out->anom);
		return SD_OK;
	}
	if (!sd_range_ok(len, ERR_DATA_OFF, out->byte_count))
		return SD_ERR_TRUNCATED;
	out->error_data = msg + ERR_DATA_OFF;
	if (out->error_context_count != 0) {
		err = decode_error_contexts(msg, out);
		if (err != SD_OK)
			return err;
	}
	smb2_tail_check(msg, len, ERR_DATA_OFF + out->byte_count, &out->anom);
	return SD_OK;
}

enum sd_err
smb2_error_rsp_encode(const struct smb2_error_rsp *rsp, struct sd_wr *w)
{
	if (rsp->byte_count != 0 && rsp->error_data == NULL)
		return SD_ERR_INVALID_ARG;
	sd_wr_u16le(w, SMB2_ERROR_RSP_SIZE);
	sd_wr_u8(w, rsp->error_context_count);
	sd_wr_u8(w, rsp->reserved);
	sd_wr_u32le(w, rsp->byte_count);
	if (rsp->byte_count != 0)
		sd_wr_bytes(w, rsp->error_data, rsp->byte_count);
	else
		sd_wr_u8(w, 0);
	return w->err;
}

enum sd_err
smb2_share_redirect_decode(const uint8_t *p, size_t len, struct smb2_share_redirect *out,
			   struct sd_anomalies *anom)
{
	struct sd_rd r;
	size_t end;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	sd_rd_init(&r, p, len);
	out->structure_size = sd_rd_u32le(&r);
	out->notification_type = sd_rd_u32le(&r);
	out->resource_name_offset = sd_rd_u32le(&r);
	out->resource_name_len = sd_rd_u32le(&r);
	out->flags = sd_rd_u16le(&r);
	out->target_type = sd_rd_u16le(&r);
	out->ip_addr_count = sd_rd_u32le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	for (i = 0; i < out->ip_addr_count; i++) {
		uint32_t type = sd_rd_u32le(&r);
		const uint8_t *addr;

		sd_rd_skip(&r, 4);
		addr = sd_rd_bytes(&r, 16);
		if (!sd_rd_ok(&r))
			return SD_ERR_MALFORMED;
		if (out->n_addrs < SMB2_REDIRECT_MAX_ADDRS) {
			out->addrs[out->n_addrs].type = type;
			memcpy(out->addrs[out->n_addrs].addr, addr, 16);
			out->n_addrs++;
		}
	}
	if (out->ip_addr_count > SMB2_REDIRECT_MAX_ADDRS)
		sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, 24, out->ip_addr_count);
	end = r.off;
	if (out->resource_name_len != 0) {
		if (!sd_range_ok(len, out->resource_name_offset, out->resource_name_len))
			return SD_ERR_BAD_OFFSET;
		out->resource_name = p + out->resource_name_offset;
		if (out->resource_name_offset < REDIRECT_FIXED_SIZE)
			sd_anom_add(anom, SD_ANOM_OVERLAP, out->resource_name_offset, out->resource_name_len);
		if (out->resource_name_offset + (size_t)out->resource_name_len > end)
			end = out->resource_name_offset + (size_t)out->resource_name_len;
	}
	if (end < len)
		sd_anom_add(anom, SD_ANOM_TRAILING_BYTES, (uint32_t)end, (uint32_t)(len - end));
	return SD_OK;
}
