/* FSCTL_DFS_GET_REFERRALS request and response (MS-DFSC 2.2.2, 2.2.4,
 * 2.2.5). p/len are the IOCTL input / output buffer. */
#include "core/wire/smb2_internal.h"

#include <string.h>

#define DFS_RSP_HEADER_SIZE 8
#define DFS_V1_FIXED 8
#define DFS_V2_FIXED 22
#define DFS_V3_NAMELIST_FIXED 18
#define DFS_V3_FIXED 34

/* Finds a NUL-terminated UTF-16LE string at p[off..len). *end receives the
 * offset after the terminator (or len). Returns false when unterminated. */
static bool
utf16z(const uint8_t *p, size_t len, size_t off, struct smb2_dfs_str *s, size_t *end)
{
	size_t i;

	s->p = p + off;
	for (i = off; i + 1 < len; i += 2) {
		if (p[i] == 0 && p[i + 1] == 0) {
			s->len = i - off;
			*end = i + 2;
			return true;
		}
	}
	s->len = (len - off) & ~(size_t)1;
	*end = len;
	return false;
}

enum sd_err
smb2_dfs_referral_req_decode(const uint8_t *p, size_t len, struct smb2_dfs_referral_req *out)
{
	struct smb2_dfs_str s;
	size_t end;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len < 2)
		return SD_ERR_TRUNCATED;
	out->max_referral_level = sd_load_u16le(p);
	out->terminated = utf16z(p, len, 2, &s, &end);
	out->file_name = s.len ? s.p : NULL;
	out->file_name_len = s.len;
	if (!out->terminated)
		sd_anom_add(&out->anom, SD_ANOM_LENGTH_MISMATCH, 2, (uint32_t)(len - 2));
	else if (end < len)
		sd_anom_add(&out->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)end, (uint32_t)(len - end));
	return SD_OK;
}

enum sd_err
smb2_dfs_referral_req_encode(const struct smb2_dfs_referral_req *req, struct sd_wr *w)
{
	if (req->file_name_len != 0 && req->file_name == NULL)
		return SD_ERR_INVALID_ARG;
	sd_wr_u16le(w, req->max_referral_level);
	if (req->file_name_len != 0)
		sd_wr_bytes(w, req->file_name, req->file_name_len);
	sd_wr_u16le(w, 0);
	return w->err;
}

/* A string at an offset from the entry start; offset 0 means absent. */
static enum sd_err
entry_string(const uint8_t *p, size_t len, size_t entry, uint16_t off, struct smb2_dfs_str *s, size_t *end,
	     struct sd_anomalies *anom)
{
	size_t str_end;

	memset(s, 0, sizeof(*s));
	if (off == 0)
		return SD_OK;
	if (entry + off >= len)
		return SD_ERR_BAD_OFFSET;
	if (!utf16z(p, len, entry + off, s, &str_end))
		sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, (uint32_t)(entry + off), (uint32_t)s->len);
	if (str_end > *end)
		*end = str_end;
	return SD_OK;
}

/* NameListReferral (v3/v4): SpecialName plus NumberOfExpandedNames
 * consecutive strings; the first expanded name lands in network_address. */
static enum sd_err
decode_name_list(const uint8_t *p, size_t len, size_t pos, struct smb2_dfs_referral *e, size_t *end,
		 struct sd_anomalies *anom)
{
	uint16_t special = sd_load_u16le(p + pos + 12);
	uint16_t expanded = sd_load_u16le(p + pos + 16);
	size_t at = pos + expanded, str_end;
	struct smb2_dfs_str s;
	uint16_t i;
	enum sd_err err;

	e->n_expanded_names = sd_load_u16le(p + pos + 14);
	err = entry_string(p, len, pos, special, &e->dfs_path, end, anom);
	if (err != SD_OK || e->n_expanded_names == 0)
		return err;
	if (at >= len)
		return SD_ERR_BAD_OFFSET;
	for (i = 0; i < e->n_expanded_names; i++) {
		if (at >= len)
			return SD_ERR_MALFORMED;
		if (!utf16z(p, len, at, &s, &str_end))
			return SD_ERR_MALFORMED;
		if (i == 0)
			e->network_address = s;
		at = str_end;
	}
	if (at > *end)
		*end = at;
	return SD_OK;
}

static enum sd_err
decode_entry(const uint8_t *p, size_t len, size_t pos, struct smb2_dfs_referral *e, size_t *end,
	     struct sd_anomalies *anom)
{
	enum sd_err err = SD_OK;
	size_t fixed, str_end;

	e->server_type = sd_load_u16le(p + pos + 4);
	e->entry_flags = sd_load_u16le(p + pos + 6);
	switch (e->version) {
	case 1:
		/* ShareName lives inside the entry itself. */
		if (!utf16z(p, pos + e->size, pos + DFS_V1_FIXED, &e->share_name, &str_end))
			sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, (uint32_t)pos + DFS_V1_FIXED, e->size);
		return SD_OK;
	case 2:
		if (e->size < DFS_V2_FIXED)
			return SD_ERR_MALFORMED;
		e->proximity = sd_load_u32le(p + pos + 8);
		e->ttl = sd_load_u32le(p + pos + 12);
		fixed = 16;
		break;
	case 3:
	case 4:
		e->name_list = (e->entry_flags & DFS_REFERRAL_ENTRY_FLAG_NAME_LIST_REFERRAL) != 0;
		if (e->size < (e->name_list ? DFS_V3_NAMELIST_FIXED : DFS_V3_FIXED))
			return SD_ERR_MALFORMED;
		e->ttl = sd_load_u32le(p + pos + 8);
		if (e->name_list)
			return decode_name_list(p, len, pos, e, end, anom);
		fixed = 12;
		break;
	default:
		sd_anom_add(anom, SD_ANOM_UNKNOWN_CONTEXT, (uint32_t)pos, e->version);
		return SD_OK;
	}
	err = entry_string(p, len, pos, sd_load_u16le(p + pos + fixed), &e->dfs_path, end, anom);
	if (err == SD_OK)
		err = entry_string(p, len, pos, sd_load_u16le(p + pos + fixed + 2), &e->alt_path, end, anom);
	if (err == SD_OK)
		err = entry_string(p, len, pos, sd_load_u16le(p + pos + fixed + 4), &e->network_address, end,
				   anom);
	return err;
}

enum sd_err
smb2_dfs_referral_rsp_decode(const uint8_t *p, size_t len, struct smb2_dfs_referral_rsp *out)
{
	size_t pos = DFS_RSP_HEADER_SIZE, end;
	uint16_t i;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len < DFS_RSP_HEADER_SIZE)
		return SD_ERR_TRUNCATED;
	out->path_consumed = sd_load_u16le(p);
	out->n_referrals_declared = sd_load_u16le(p + 2);
	out->header_flags = sd_load_u32le(p + 4);
	end = pos;
	for (i = 0; i < out->n_referrals_declared; i++) {
		struct smb2_dfs_referral e;
		enum sd_err err;

		memset(&e, 0, sizeof(e));
		if (!sd_range_ok(len, pos, DFS_V1_FIXED))
			return SD_ERR_TRUNCATED;
		e.version = sd_load_u16le(p + pos);
		e.size = sd_load_u16le(p + pos + 2);
		/* Size steps to the next entry: it must cover the fixed part. */
		if (e.size < DFS_V1_FIXED)
			return SD_ERR_MALFORMED;
		if (!sd_range_ok(len, pos, e.size))
			return SD_ERR_TRUNCATED;
		err = decode_entry(p, len, pos, &e, &end, &out->anom);
		if (err != SD_OK)
			return err;
		if (out->n_referrals < SMB2_DFS_MAX_REFERRALS)
			out->referrals[out->n_referrals++] = e;
		pos += e.size;
		if (pos > end)
			end = pos;
	}
	if (out->n_referrals_declared > SMB2_DFS_MAX_REFERRALS)
		sd_anom_add(&out->anom, SD_ANOM_ITEMS_DROPPED, 2, out->n_referrals_declared);
	if (end < len)
		sd_anom_add(&out->anom, SD_ANOM_TRAILING_BYTES, (uint32_t)end, (uint32_t)(len - end));
	return SD_OK;
}
