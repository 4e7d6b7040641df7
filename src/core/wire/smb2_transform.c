/* TRANSFORM_HEADER (MS-SMB2 2.2.41) and COMPRESSION_TRANSFORM_HEADER
 * (2.2.42): recognised and parsed; nothing is decrypted or decompressed. */
#include "core/wire/smb2_internal.h"

#include <string.h>

#define CHAINED_PAYLOAD_HEADER_SIZE 8

enum sd_err
smb2_transform_decode(const uint8_t *p, size_t len, struct smb2_transform_header *out)
{
	struct sd_rd r;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len < 4)
		return SD_ERR_TRUNCATED;
	if (sd_load_u32le(p) != SMB2_TRANSFORM_PROTOCOL_ID)
		return SD_ERR_PROTOCOL_ID;
	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, 4);
	sd_rd_copy(&r, out->signature, sizeof(out->signature));
	sd_rd_copy(&r, out->nonce, sizeof(out->nonce));
	out->original_message_size = sd_rd_u32le(&r);
	out->reserved = sd_rd_u16le(&r);
	out->flags = sd_rd_u16le(&r);
	out->session_id = sd_rd_u64le(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (out->reserved != 0)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, 40, out->reserved);
	out->payload_len = sd_rd_left(&r);
	out->payload = out->payload_len ? p + SMB2_TRANSFORM_HEADER_SIZE : NULL;
	/* AES-CCM/GCM do not change the length: anything else is a framing
	 * problem or a truncated capture. */
	if (out->payload_len != out->original_message_size)
		sd_anom_add(&out->anom, SD_ANOM_LENGTH_MISMATCH, 36, out->original_message_size);
	return SD_OK;
}

enum sd_err
smb2_transform_encode(const struct smb2_transform_header *t, struct sd_wr *w)
{
	sd_wr_u32le(w, SMB2_TRANSFORM_PROTOCOL_ID);
	sd_wr_bytes(w, t->signature, sizeof(t->signature));
	sd_wr_bytes(w, t->nonce, sizeof(t->nonce));
	sd_wr_u32le(w, t->original_message_size);
	sd_wr_u16le(w, t->reserved);
	sd_wr_u16le(w, t->flags);
	sd_wr_u64le(w, t->session_id);
	return w->err;
}

/* OriginalPayloadSize precedes the data for the real compressors, not for
 * NONE or Pattern_V1 (2.2.42.2). */
static bool
has_original_size(uint16_t alg)
{
	return alg != SMB2_COMPRESSION_NONE && alg != SMB2_COMPRESSION_PATTERN_V1;
}

static enum sd_err
decode_chained(const uint8_t *p, size_t len, struct smb2_compression_header *out)
{
	size_t pos = 8;
	unsigned total = 0;

	while (pos < len) {
		struct smb2_compression_payload c;

		memset(&c, 0, sizeof(c));
		if (!sd_range_ok(len, pos, CHAINED_PAYLOAD_HEADER_SIZE))
			return SD_ERR_TRUNCATED;
		c.algorithm = sd_load_u16le(p + pos);
		c.flags = sd_load_u16le(p + pos + 2);
		c.length = sd_load_u32le(p + pos + 4);
		if (!sd_range_ok(len, pos + CHAINED_PAYLOAD_HEADER_SIZE, c.length))
			return SD_ERR_TRUNCATED;
		c.data = p + pos + CHAINED_PAYLOAD_HEADER_SIZE;
		c.data_len = c.length;
		if (has_original_size(c.algorithm)) {
			if (c.length < 4)
				return SD_ERR_MALFORMED;
			c.has_original_size = true;
			c.original_size = sd_load_u32le(c.data);
			c.data += 4;
			c.data_len -= 4;
		}
		if (out->n_payloads < SMB2_COMPRESSION_CHAIN_MAX)
			out->payloads[out->n_payloads++] = c;
		total++;
		pos += CHAINED_PAYLOAD_HEADER_SIZE + c.length;
	}
	if (total > SMB2_COMPRESSION_CHAIN_MAX)
		sd_anom_add(&out->anom, SD_ANOM_ITEMS_DROPPED, 8, total);
	return SD_OK;
}

enum sd_err
smb2_compression_decode(const uint8_t *p, size_t len, struct smb2_compression_header *out)
{
	memset(out, 0, sizeof(*out));
	if (p == NULL || len < 4)
		return SD_ERR_TRUNCATED;
	if (sd_load_u32le(p) != SMB2_COMPRESSION_PROTOCOL_ID)
		return SD_ERR_PROTOCOL_ID;
	if (len < SMB2_COMPRESSION_HEADER_SIZE)
		return SD_ERR_TRUNCATED;
	out->original_size = sd_load_u32le(p + 4);
	/* Both forms share the first 12 bytes; Flags tells them apart. */
	out->algorithm = sd_load_u16le(p + 8);
	out->flags = sd_load_u16le(p + 10);
	out->chained = (out->flags & SMB2_COMPRESSION_FLAG_CHAINED) != 0;
	if (out->chained) {
		out->algorithm = 0;
		out->flags = 0;
		return decode_chained(p, len, out);
	}
	out->offset = sd_load_u32le(p + 12);
	if (out->flags != SMB2_COMPRESSION_FLAG_NONE)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, 10, out->flags);
	if (!sd_range_ok(len, SMB2_COMPRESSION_HEADER_SIZE, out->offset))
		return SD_ERR_BAD_OFFSET;
	out->uncompressed = out->offset ? p + SMB2_COMPRESSION_HEADER_SIZE : NULL;
	out->compressed_len = len - SMB2_COMPRESSION_HEADER_SIZE - out->offset;
	out->compressed = out->compressed_len ? p + SMB2_COMPRESSION_HEADER_SIZE + out->offset : NULL;
	return SD_OK;
}

enum sd_err
smb2_compression_encode(const struct smb2_compression_header *c, struct sd_wr *w)
{
	uint8_t i;

	if (c->n_payloads > SMB2_COMPRESSION_CHAIN_MAX)
		return SD_ERR_INVALID_ARG;
	sd_wr_u32le(w, SMB2_COMPRESSION_PROTOCOL_ID);
	sd_wr_u32le(w, c->original_size);
	if (!c->chained) {
		if ((c->offset != 0 && c->uncompressed == NULL) || (c->compressed_len != 0 && c->compressed == NULL))
			return SD_ERR_INVALID_ARG;
		sd_wr_u16le(w, c->algorithm);
		sd_wr_u16le(w, c->flags & (uint16_t)~SMB2_COMPRESSION_FLAG_CHAINED);
		sd_wr_u32le(w, c->offset);
		if (c->offset != 0)
			sd_wr_bytes(w, c->uncompressed, c->offset);
		if (c->compressed_len != 0)
			sd_wr_bytes(w, c->compressed, c->compressed_len);
		return w->err;
	}
	for (i = 0; i < c->n_payloads; i++) {
		const struct smb2_compression_payload *pl = &c->payloads[i];
		size_t extra = pl->has_original_size ? 4 : 0;

		if (pl->data_len != 0 && pl->data == NULL)
			return SD_ERR_INVALID_ARG;
		if (pl->data_len + extra > UINT32_MAX)
			return SD_ERR_INVALID_ARG;
		sd_wr_u16le(w, pl->algorithm);
		/* The first payload's Flags carry CHAINED (2.2.42.1). */
		sd_wr_u16le(w, i == 0 ? (uint16_t)(pl->flags | SMB2_COMPRESSION_FLAG_CHAINED) : pl->flags);
		sd_wr_u32le(w, (uint32_t)(pl->data_len + extra));
		if (pl->has_original_size)
			sd_wr_u32le(w, pl->original_size);
		if (pl->data_len != 0)
			sd_wr_bytes(w, pl->data, pl->data_len);
	}
	return w->err;
}
