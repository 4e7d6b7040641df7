/* Compound chains (MS-SMB2 3.2.4.1.4): SMB2 messages linked by
 * NextCommand inside one transport PDU. */
#include "core/wire/smb2_internal.h"

#include <string.h>

void
smb2_compound_init(struct smb2_compound_iter *it, const uint8_t *p, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->p = p;
	it->len = p ? len : 0;
}

enum sd_err
smb2_compound_next(struct smb2_compound_iter *it, struct smb2_compound_elem *out)
{
	size_t left;
	const uint8_t *m;
	uint32_t next;

	memset(out, 0, sizeof(*out));
	if (it->done)
		return SD_ERR_NOT_FOUND;
	left = it->len - it->off;
	m = it->p + it->off;
	/* A NextCommand that pointed exactly at the end promised one more
	 * message: running out here is truncation, not the end. */
	if (left >= 4 && sd_load_u32le(m) != SMB2_PROTOCOL_ID) {
		it->done = true;
		return SD_ERR_PROTOCOL_ID;
	}
	if (left < SMB2_HEADER_SIZE) {
		it->done = true;
		return SD_ERR_TRUNCATED;
	}
	next = sd_load_u32le(m + 20);
	if (next != 0 && next < SMB2_HEADER_SIZE) {
		it->done = true;
		return SD_ERR_MALFORMED;
	}
	if (next > left) {
		it->done = true;
		return SD_ERR_BAD_OFFSET;
	}
	if (next % 8 != 0)
		sd_anom_add(&it->anom, SD_ANOM_MISALIGNED, (uint32_t)(it->off + 20), next);
	out->msg = m;
	out->off = it->off;
	out->len = next ? next : left;
	out->index = it->index;
	out->next_command = next;
	out->related = (sd_load_u32le(m + 16) & SMB2_FLAGS_RELATED_OPERATIONS) != 0;
	out->last = next == 0;
	it->index++;
	it->off += out->len;
	if (out->last)
		it->done = true;
	return SD_OK;
}

enum sd_err
smb2_compound_link(struct sd_wr *w, size_t prev_hdr_off)
{
	if (!sd_wr_ok(w))
		return w->err;
	if (prev_hdr_off + SMB2_HEADER_SIZE > w->len)
		return SD_ERR_INVALID_ARG;
	/* Alignment is relative to the chain start, which the caller keeps at
	 * an 8-byte aligned writer offset. */
	sd_wr_align(w, 8);
	sd_wr_put_u32le_at(w, prev_hdr_off + 20, (uint32_t)(w->len - prev_hdr_off));
	return w->err;
}
