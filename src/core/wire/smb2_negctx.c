/* NEGOTIATE contexts (MS-SMB2 2.2.3.1, 2.2.4.1). */
#include "core/wire/smb2_internal.h"

#include <string.h>

#define NEGCTX_HEADER_SIZE 8

/* Reads `count` u16 ids, keeping at most SMB2_NEGCTX_MAX_IDS. */
static void
read_ids(struct sd_rd *r, uint16_t count, uint16_t *ids, uint8_t *n, uint32_t at, struct sd_anomalies *anom)
{
	uint16_t i;

	*n = 0;
	for (i = 0; i < count && sd_rd_ok(r); i++) {
		uint16_t id = sd_rd_u16le(r);

		if (*n < SMB2_NEGCTX_MAX_IDS)
			ids[(*n)++] = id;
	}
	if (count > SMB2_NEGCTX_MAX_IDS && sd_rd_ok(r))
		sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, at, count);
}

static void
decode_preauth(struct sd_rd *r, struct smb2_negctx_preauth *p, uint32_t at, struct sd_anomalies *anom)
{
	p->hash_count = sd_rd_u16le(r);
	p->salt_len = sd_rd_u16le(r);
	read_ids(r, p->hash_count, p->hash_ids, &p->n_hash_ids, at, anom);
	p->salt = sd_rd_bytes(r, p->salt_len);
}

static void
decode_ids(struct sd_rd *r, struct smb2_negctx_ids *ids, bool rdma, uint32_t at, struct sd_anomalies *anom)
{
	ids->count = sd_rd_u16le(r);
	if (rdma) {
		ids->reserved1 = sd_rd_u16le(r);
		ids->reserved2 = sd_rd_u32le(r);
		if (ids->reserved1 != 0 || ids->reserved2 != 0)
			sd_anom_add(anom, SD_ANOM_RESERVED_NONZERO, at + 2, ids->reserved2);
	}
	read_ids(r, ids->count, ids->ids, &ids->n_ids, at, anom);
}

static void
decode_compression(struct sd_rd *r, struct smb2_negctx_compression *c, uint32_t at, struct sd_anomalies *anom)
{
	c->count = sd_rd_u16le(r);
	c->padding = sd_rd_u16le(r);
	c->flags = sd_rd_u32le(r);
	if (c->padding != 0)
		sd_anom_add(anom, SD_ANOM_PADDING_NONZERO, at + 2, c->padding);
	read_ids(r, c->count, c->algs, &c->n_algs, at, anom);
}

enum sd_err
smb2_negctx_decode_data(struct smb2_negctx *c, struct sd_anomalies *anom)
{
	struct sd_rd r;
	uint32_t at = c->offset + NEGCTX_HEADER_SIZE;

	memset(&c->u, 0, sizeof(c->u));
	c->known = true;
	sd_rd_init(&r, c->data, c->data_len);
	switch (c->type) {
	case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
		decode_preauth(&r, &c->u.preauth, at, anom);
		break;
	case SMB2_ENCRYPTION_CAPABILITIES:
		decode_ids(&r, &c->u.encryption, false, at, anom);
		break;
	case SMB2_COMPRESSION_CAPABILITIES:
		decode_compression(&r, &c->u.compression, at, anom);
		break;
	case SMB2_NETNAME_NEGOTIATE_CONTEXT_ID:
		c->u.netname.name = c->data_len ? c->data : NULL;
		c->u.netname.name_len = c->data_len;
		sd_rd_skip(&r, c->data_len);
		if (c->data_len & 1)
			sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, at, c->data_len);
		break;
	case SMB2_TRANSPORT_CAPABILITIES:
		c->u.transport.flags = sd_rd_u32le(&r);
		break;
	case SMB2_RDMA_TRANSFORM_CAPABILITIES:
		decode_ids(&r, &c->u.rdma, true, at, anom);
		break;
	case SMB2_SIGNING_CAPABILITIES:
		decode_ids(&r, &c->u.signing, false, at, anom);
		break;
	default:
		c->known = false;
		return SD_OK;
	}
	/* The counts inside contradict DataLength. */
	if (!sd_rd_ok(&r))
		return SD_ERR_MALFORMED;
	if (sd_rd_left(&r) != 0)
		sd_anom_add(anom, SD_ANOM_TRAILING_BYTES, at + (uint32_t)r.off, (uint32_t)sd_rd_left(&r));
	return SD_OK;
}

/* Checks that the alignment gap [from, to) holds zeros. */
static void
check_padding(const uint8_t *msg, size_t from, size_t to, struct sd_anomalies *anom)
{
	for (; from < to; from++) {
		if (msg[from] != 0) {
			sd_anom_add(anom, SD_ANOM_PADDING_NONZERO, (uint32_t)from, msg[from]);
			return;
		}
	}
}

static bool
type_seen(const struct smb2_negctx_list *l, uint16_t type)
{
	uint8_t i;

	for (i = 0; i < l->n; i++)
		if (l->ctx[i].type == type)
			return true;
	return false;
}

enum sd_err
smb2_negctx_list_decode(const uint8_t *msg, size_t len, size_t off, uint16_t count,
			struct smb2_negctx_list *out, size_t *end, struct sd_anomalies *anom)
{
	size_t pos = off;
	uint16_t i;

	memset(out, 0, sizeof(*out));
	out->count = count;
	if (end != NULL)
		*end = off;
	if (count == 0)
		return SD_OK;
	if (off > len)
		return SD_ERR_BAD_OFFSET;
	if (off % 8 != 0)
		sd_anom_add(anom, SD_ANOM_MISALIGNED, (uint32_t)off, (uint32_t)off);
	for (i = 0; i < count; i++) {
		struct smb2_negctx c;
		enum sd_err err;

		if (i > 0) {
			size_t aligned = (pos + 7) & ~(size_t)7;

			if (aligned > len)
				return SD_ERR_TRUNCATED;
			check_padding(msg, pos, aligned, anom);
			pos = aligned;
		}
		if (!sd_range_ok(len, pos, NEGCTX_HEADER_SIZE))
			return SD_ERR_TRUNCATED;
		memset(&c, 0, sizeof(c));
		c.offset = (uint32_t)pos;
		c.type = sd_load_u16le(msg + pos);
		c.data_len = sd_load_u16le(msg + pos + 2);
		c.reserved = sd_load_u32le(msg + pos + 4);
		if (!sd_range_ok(len, pos + NEGCTX_HEADER_SIZE, c.data_len))
			return SD_ERR_TRUNCATED;
		c.data = msg + pos + NEGCTX_HEADER_SIZE;
		if (c.reserved != 0)
			sd_anom_add(anom, SD_ANOM_RESERVED_NONZERO, (uint32_t)pos + 4, c.reserved);
		err = smb2_negctx_decode_data(&c, anom);
		if (err != SD_OK)
			return err;
		if (!c.known)
			sd_anom_add(anom, SD_ANOM_UNKNOWN_CONTEXT, (uint32_t)pos, c.type);
		if (type_seen(out, c.type))
			sd_anom_add(anom, SD_ANOM_DUPLICATE_CONTEXT, (uint32_t)pos, c.type);
		if (out->n < SMB2_NEGCTX_MAX)
			out->ctx[out->n++] = c;
		pos += NEGCTX_HEADER_SIZE + c.data_len;
		if (end != NULL)
			*end = pos;
	}
	if (count > SMB2_NEGCTX_MAX)
		sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, (uint32_t)off, count);
	return SD_OK;
}

static void
write_ids(struct sd_wr *w, const uint16_t *ids, uint8_t n)
{
	uint8_t i;

	for (i = 0; i < n; i++)
		sd_wr_u16le(w, ids[i]);
}

/* Writes a known context's data from c->u. Declared counts are written
 * as the number of ids kept, so that the output is self-consistent. */
static void
encode_data(const struct smb2_negctx *c, struct sd_wr *w)
{
	switch (c->type) {
	case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
		sd_wr_u16le(w, c->u.preauth.n_hash_ids);
		sd_wr_u16le(w, c->u.preauth.salt_len);
		write_ids(w, c->u.preauth.hash_ids, c->u.preauth.n_hash_ids);
		if (c->u.preauth.salt_len != 0)
			sd_wr_bytes(w, c->u.preauth.salt, c->u.preauth.salt_len);
		break;
	case SMB2_ENCRYPTION_CAPABILITIES:
		sd_wr_u16le(w, c->u.encryption.n_ids);
		write_ids(w, c->u.encryption.ids, c->u.encryption.n_ids);
		break;
	case SMB2_COMPRESSION_CAPABILITIES:
		sd_wr_u16le(w, c->u.compression.n_algs);
		sd_wr_u16le(w, c->u.compression.padding);
		sd_wr_u32le(w, c->u.compression.flags);
		write_ids(w, c->u.compression.algs, c->u.compression.n_algs);
		break;
	case SMB2_NETNAME_NEGOTIATE_CONTEXT_ID:
		if (c->u.netname.name_len != 0)
			sd_wr_bytes(w, c->u.netname.name, c->u.netname.name_len);
		break;
	case SMB2_TRANSPORT_CAPABILITIES:
		sd_wr_u32le(w, c->u.transport.flags);
		break;
	case SMB2_RDMA_TRANSFORM_CAPABILITIES:
		sd_wr_u16le(w, c->u.rdma.n_ids);
		sd_wr_u16le(w, c->u.rdma.reserved1);
		sd_wr_u32le(w, c->u.rdma.reserved2);
		write_ids(w, c->u.rdma.ids, c->u.rdma.n_ids);
		break;
	case SMB2_SIGNING_CAPABILITIES:
		sd_wr_u16le(w, c->u.signing.n_ids);
		write_ids(w, c->u.signing.ids, c->u.signing.n_ids);
		break;
	default:
		break;
	}
}

enum sd_err
smb2_negctx_list_encode(const struct smb2_negctx *ctx, size_t n, size_t hdr_off, struct sd_wr *w)
{
	size_t i;

	if (n != 0 && ctx == NULL)
		return SD_ERR_INVALID_ARG;
	for (i = 0; i < n && sd_wr_ok(w); i++) {
		const struct smb2_negctx *c = &ctx[i];
		size_t start, data_len;

		sd_wr_zero(w, (8 - (w->len - hdr_off) % 8) % 8);
		start = w->len;
		sd_wr_u16le(w, c->type);
		sd_wr_u16le(w, 0);
		sd_wr_u32le(w, c->reserved);
		if (c->known)
			encode_data(c, w);
		else if (c->data_len != 0)
			sd_wr_bytes(w, c->data, c->data_len);
		if (!sd_wr_ok(w))
			break;
		data_len = w->len - start - NEGCTX_HEADER_SIZE;
		if (data_len > UINT16_MAX)
			return SD_ERR_INVALID_ARG;
		sd_wr_put_u16le_at(w, start + 2, (uint16_t)data_len);
	}
	return w->err;
}

const struct smb2_negctx *
smb2_negctx_find(const struct smb2_negctx_list *l, uint16_t type)
{
	uint8_t i;

	for (i = 0; i < l->n; i++)
		if (l->ctx[i].type == type)
			return &l->ctx[i];
	return NULL;
}
