/* SMB2 header (MS-SMB2 2.2.1) and the helpers every body codec shares. */
#include "core/wire/smb2_internal.h"

#include <string.h>

#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u

enum sd_err
smb2_header_decode(const uint8_t *p, size_t len, struct smb2_header *out)
{
	struct sd_rd r;
	uint16_t structure_size;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len < 4)
		return SD_ERR_TRUNCATED;
	if (sd_load_u32le(p) != SMB2_PROTOCOL_ID)
		return SD_ERR_PROTOCOL_ID;
	if (len < SMB2_HEADER_SIZE)
		return SD_ERR_TRUNCATED;
	sd_rd_init(&r, p, SMB2_HEADER_SIZE);
	sd_rd_skip(&r, 4);
	structure_size = sd_rd_u16le(&r);
	out->credit_charge = sd_rd_u16le(&r);
	out->status = sd_rd_u32le(&r);
	out->command = sd_rd_u16le(&r);
	out->credits = sd_rd_u16le(&r);
	out->flags = sd_rd_u32le(&r);
	out->next_command = sd_rd_u32le(&r);
	out->message_id = sd_rd_u64le(&r);
	if (out->flags & SMB2_FLAGS_ASYNC_COMMAND) {
		out->async_id = sd_rd_u64le(&r);
	} else {
		out->process_id = sd_rd_u32le(&r);
		out->tree_id = sd_rd_u32le(&r);
	}
	out->session_id = sd_rd_u64le(&r);
	sd_rd_copy(&r, out->signature, sizeof(out->signature));
	if (!sd_rd_ok(&r))
		return r.err;
	if (structure_size != SMB2_HEADER_SIZE)
		return SD_ERR_STRUCTURE_SIZE;
	if (out->command >= SMB2_COMMAND_COUNT)
		sd_anom_add(&out->anom, SD_ANOM_UNKNOWN_COMMAND, 12, out->command);
	if (out->command == SMB2_NEGOTIATE && (out->flags & SMB2_FLAGS_SIGNED))
		sd_anom_add(&out->anom, SD_ANOM_SIGNED_NEGOTIATE, 16, out->flags);
	return SD_OK;
}

enum sd_err
smb2_header_encode(const struct smb2_header *h, struct sd_wr *w)
{
	sd_wr_u32le(w, SMB2_PROTOCOL_ID);
	sd_wr_u16le(w, SMB2_HEADER_SIZE);
	sd_wr_u16le(w, h->credit_charge);
	sd_wr_u32le(w, h->status);
	sd_wr_u16le(w, h->command);
	sd_wr_u16le(w, h->credits);
	sd_wr_u32le(w, h->flags);
	sd_wr_u32le(w, h->next_command);
	sd_wr_u64le(w, h->message_id);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND) {
		sd_wr_u64le(w, h->async_id);
	} else {
		sd_wr_u32le(w, h->process_id);
		sd_wr_u32le(w, h->tree_id);
	}
	sd_wr_u64le(w, h->session_id);
	sd_wr_bytes(w, h->signature, sizeof(h->signature));
	return w->err;
}

bool
smb2_response_is_error(const struct smb2_header *h, const uint8_t *msg, size_t len)
{
	if (h->status == 0)
		return false;
	if (h->command == SMB2_SESSION_SETUP && h->status == STATUS_MORE_PROCESSING_REQUIRED)
		return false;
	/* A body that is not 9 bytes long by its StructureSize is the
	 * command's own body carrying a warning (e.g. STATUS_BUFFER_OVERFLOW). */
	if (msg != NULL && len >= SMB2_HEADER_SIZE + 2 &&
	    sd_load_u16le(msg + SMB2_HEADER_SIZE) != SMB2_ERROR_RSP_SIZE)
		return false;
	return true;
}

enum sd_err
smb2_body_open(const uint8_t *msg, size_t len, uint16_t size, struct sd_rd *r)
{
	sd_rd_init(r, msg, len);
	if (msg == NULL || len < SMB2_HEADER_SIZE + 2)
		return SD_ERR_TRUNCATED;
	sd_rd_seek(r, SMB2_HEADER_SIZE);
	if (sd_rd_u16le(r) != size)
		return SD_ERR_STRUCTURE_SIZE;
	return SD_OK;
}

enum sd_err
smb2_buffer_get(const uint8_t *msg, size_t len, size_t off, size_t blen, size_t fixed_end,
		const uint8_t **out, size_t *end, struct sd_anomalies *anom)
{
	*out = NULL;
	if (blen == 0) {
		/* Harmless, but a peer that points an empty buffer outside
		 * the message computes its offsets wrongly. */
		if (off > len)
			sd_anom_add(anom, SD_ANOM_BUFFER_OFFSET_ZERO, (uint32_t)off, (uint32_t)off);
		return SD_OK;
	}
	if (!sd_range_ok(len, off, blen))
		return SD_ERR_BAD_OFFSET;
	if (off < fixed_end)
		sd_anom_add(anom, SD_ANOM_OVERLAP, (uint32_t)off, (uint32_t)blen);
	*out = msg + off;
	if (off + blen > *end)
		*end = off + blen;
	return SD_OK;
}

void
smb2_tail_check(const uint8_t *msg, size_t len, size_t end, struct sd_anomalies *anom)
{
	size_t i;

	if (end >= len)
		return;
	if (len - end > 7) {
		sd_anom_add(anom, SD_ANOM_TRAILING_BYTES, (uint32_t)end, (uint32_t)(len - end));
		return;
	}
	for (i = end; i < len; i++) {
		if (msg[i] != 0) {
			sd_anom_add(anom, SD_ANOM_PADDING_NONZERO, (uint32_t)i, msg[i]);
			return;
		}
	}
}

enum sd_err
smb2_enc_hdr_off(const struct sd_wr *w, size_t *hdr_off)
{
	if (!sd_wr_ok(w))
		return w->err;
	if (w->len < SMB2_HEADER_SIZE)
		return SD_ERR_INVALID_ARG;
	*hdr_off = w->len - SMB2_HEADER_SIZE;
	return SD_OK;
}

uint32_t
smb2_enc_buffer(struct sd_wr *w, size_t hdr_off, const uint8_t *p, size_t n)
{
	uint32_t off;

	if (!sd_wr_ok(w))
		return 0;
	off = (uint32_t)(w->len - hdr_off);
	if (n != 0)
		sd_wr_bytes(w, p, n);
	return off;
}
