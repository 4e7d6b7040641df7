/* SRVSVC NetrShareEnum level 1, NDR 2.0 (MS-SRVS 3.1.4.8, 2.2.4.33,
 * 2.2.4.38, 2.2.4.23; C706 chapter 14 for the marshalling rules). */
#include "core/wire/srvsvc.h"

#include <string.h>

#include "core/wire/utf16.h"

#define NDR_FIRST_REFERENT 0x00020000u
#define INFO1_SIZE 12   /* netname pointer, type, remark pointer */

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

static void
align4(struct sd_rd *r, struct sd_anomalies *anom)
{
	size_t pad = (4 - r->off % 4) % 4, i;

	for (i = 0; i < pad && sd_rd_ok(r); i++)
		if (sd_rd_u8(r) != 0)
			sd_anom_add(anom, SD_ANOM_PADDING_NONZERO, (uint32_t)(r->off - 1), 0);
}

static uint32_t
rd_u32(struct sd_rd *r, struct sd_anomalies *anom)
{
	align4(r, anom);
	return sd_rd_u32le(r);
}

/* The pointee of a [string] wchar_t*: MaximumCount, Offset, ActualCount,
 * then ActualCount UTF-16 units that should end in a NUL. */
static enum sd_err
read_str(struct sd_rd *r, struct srvsvc_str *s, struct sd_anomalies *anom)
{
	uint32_t max, offset, actual;
	const uint8_t *units;

	max = rd_u32(r, anom);
	offset = sd_rd_u32le(r);
	actual = sd_rd_u32le(r);
	if (!sd_rd_ok(r))
		return r->err;
	if (offset > max || actual > max - offset)
		return SD_ERR_MALFORMED;
	if (actual > sd_rd_left(r) / 2)
		return SD_ERR_TRUNCATED;
	s->present = true;
	if (actual == 0) {
		s->unterminated = true;
		sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, (uint32_t)r->off, 0);
		return SD_OK;
	}
	units = sd_rd_bytes(r, (size_t)actual * 2);
	s->p = units;
	s->len = (size_t)actual * 2;
	if (units[s->len - 2] == 0 && units[s->len - 1] == 0) {
		s->len -= 2;
	} else {
		s->unterminated = true;
		sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, (uint32_t)(r->off - 2), actual);
	}
	if (s->len == 0)
		s->p = NULL;
	return SD_OK;
}

/* The SHARE_INFO_1 array: the fixed parts first, then the deferred
 * strings of each entry in order (pointer flags re-read from the array,
 * so dropped entries need no storage). */
static enum sd_err
decode_info1_array(struct sd_rd *r, struct srvsvc_share_ctr *ctr, struct sd_anomalies *anom)
{
	uint32_t count, i;
	const uint8_t *array;
	enum sd_err err;

	count = rd_u32(r, anom);
	if (!sd_rd_ok(r))
		return r->err;
	if (count != ctr->entries_read)
		sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, (uint32_t)(r->off - 4), count);
	if (count > sd_rd_left(r) / INFO1_SIZE)
		return SD_ERR_TRUNCATED;
	array = sd_rd_bytes(r, (size_t)count * INFO1_SIZE);
	for (i = 0; i < count; i++) {
		const uint8_t *e = array + (size_t)i * INFO1_SIZE;
		struct srvsvc_share_info1 info;

		memset(&info, 0, sizeof(info));
		info.type = sd_load_u32le(e + 4);
		if (sd_load_u32le(e) != 0) {
			err = read_str(r, &info.netname, anom);
			if (err != SD_OK)
				return err;
		}
		if (sd_load_u32le(e + 8) != 0) {
			err = read_str(r, &info.remark, anom);
			if (err != SD_OK)
				return err;
		}
		if (ctr->n < SRVSVC_MAX_SHARES)
			ctr->shares[ctr->n++] = info;
	}
	if (count > SRVSVC_MAX_SHARES)
		sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, (uint32_t)(array - r->p), count);
	return SD_OK;
}

static enum sd_err
decode_ctr(struct sd_rd *r, uint32_t level, struct srvsvc_share_ctr *ctr, struct sd_anomalies *anom)
{
	ctr->present = rd_u32(r, anom) != 0;
	if (!sd_rd_ok(r) || !ctr->present)
		return r->err;
	ctr->entries_read = sd_rd_u32le(r);
	ctr->buffer_present = sd_rd_u32le(r) != 0;
	if (!sd_rd_ok(r))
		return r->err;
	if (!ctr->buffer_present)
		return ctr->entries_read == 0 ? SD_OK : SD_ERR_MALFORMED;
	if (level != 1)
		return SD_ERR_UNSUPPORTED;
	return decode_info1_array(r, ctr, anom);
}

/* Level, then the union discriminant that must repeat it. */
static enum sd_err
decode_level(struct sd_rd *r, uint32_t *level, struct sd_anomalies *anom)
{
	uint32_t sw;

	*level = rd_u32(r, anom);
	sw = sd_rd_u32le(r);
	if (!sd_rd_ok(r))
		return r->err;
	return sw == *level ? SD_OK : SD_ERR_MALFORMED;
}

static enum sd_err
decode_resume(struct sd_rd *r, bool *present, uint32_t *handle, struct sd_anomalies *anom)
{
	*present = rd_u32(r, anom) != 0;
	if (*present)
		*handle = sd_rd_u32le(r);
	return r->err;
}

static void
trailing_check(const struct sd_rd *r, struct sd_anomalies *anom)
{
	if (sd_rd_left(r) != 0)
		sd_anom_add(anom, SD_ANOM_TRAILING_BYTES, (uint32_t)r->off, (uint32_t)sd_rd_left(r));
}

enum sd_err
srvsvc_share_enum_req_decode(const uint8_t *p, size_t len, struct srvsvc_share_enum_req *out)
{
	struct sd_rd r;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	sd_rd_init(&r, p, len);
	if (sd_rd_u32le(&r) != 0) {
		err = read_str(&r, &out->server_name, &out->anom);
		if (err != SD_OK)
			return err;
	}
	if (!sd_rd_ok(&r))
		return r.err;
	err = decode_level(&r, &out->level, &out->anom);
	if (err == SD_OK)
		err = decode_ctr(&r, out->level, &out->ctr, &out->anom);
	if (err != SD_OK)
		return err;
	out->prefmaxlen = rd_u32(&r, &out->anom);
	err = decode_resume(&r, &out->resume_present, &out->resume_handle, &out->anom);
	if (err != SD_OK)
		return err;
	trailing_check(&r, &out->anom);
	return SD_OK;
}

enum sd_err
srvsvc_share_enum_rsp_decode(const uint8_t *p, size_t len, struct srvsvc_share_enum_rsp *out)
{
	struct sd_rd r;
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	sd_rd_init(&r, p, len);
	err = decode_level(&r, &out->level, &out->anom);
	if (err == SD_OK)
		err = decode_ctr(&r, out->level, &out->ctr, &out->anom);
	if (err != SD_OK)
		return err;
	out->total_entries = rd_u32(&r, &out->anom);
	err = decode_resume(&r, &out->resume_present, &out->resume_handle, &out->anom);
	if (err != SD_OK)
		return err;
	out->werror = rd_u32(&r, &out->anom);
	if (!sd_rd_ok(&r))
		return r.err;
	trailing_check(&r, &out->anom);
	return SD_OK;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

struct ndr_enc {
	struct sd_wr *w;
	size_t base;          /* stub start in w: alignment counts from here */
	uint32_t next_ref;
};

static void
enc_u32(struct ndr_enc *e, uint32_t v)
{
	sd_wr_zero(e->w, (4 - (e->w->len - e->base) % 4) % 4);
	sd_wr_u32le(e->w, v);
}

static void
enc_ptr(struct ndr_enc *e, bool present)
{
	enc_u32(e, present ? e->next_ref : 0);
	if (present)
		e->next_ref += 4;
}

static enum sd_err
enc_str(struct ndr_enc *e, const struct srvsvc_str *s)
{
	struct sd_wr *w = e->w;
	size_t counts, units;
	enum sd_err err;

	if (s->len % 2 != 0 || (s->len != 0 && s->p == NULL))
		return SD_ERR_INVALID_ARG;
	enc_u32(e, 0);
	counts = w->len - 4;
	sd_wr_u32le(w, 0);
	sd_wr_u32le(w, 0);
	if (s->p != NULL) {
		sd_wr_bytes(w, s->p, s->len);
	} else if (s->utf8 != NULL) {
		err = sd_utf8_to_utf16le(s->utf8, strlen(s->utf8), w);
		if (err != SD_OK)
			return err;
	}
	sd_wr_u16le(w, 0);
	if (!sd_wr_ok(w))
		return w->err;
	units = (w->len - counts - 12) / 2;
	if (units > UINT32_MAX)
		return SD_ERR_LIMIT;
	sd_wr_put_u32le_at(w, counts, (uint32_t)units);
	sd_wr_put_u32le_at(w, counts + 8, (uint32_t)units);
	return w->err;
}

static enum sd_err
enc_ctr(struct ndr_enc *e, uint32_t level, const struct srvsvc_share_ctr *ctr)
{
	uint16_t i;
	enum sd_err err;

	enc_ptr(e, ctr->present);
	if (!ctr->present)
		return e->w->err;
	if (ctr->buffer_present && (level != 1 || ctr->n > SRVSVC_MAX_SHARES))
		return SD_ERR_INVALID_ARG;
	enc_u32(e, ctr->buffer_present ? ctr->n : ctr->entries_read);
	enc_ptr(e, ctr->buffer_present);
	if (!ctr->buffer_present)
		return e->w->err;
	enc_u32(e, ctr->n);
	for (i = 0; i < ctr->n; i++) {
		enc_ptr(e, ctr->shares[i].netname.present);
		enc_u32(e, ctr->shares[i].type);
		enc_ptr(e, ctr->shares[i].remark.present);
	}
	for (i = 0; i < ctr->n; i++) {
		if (ctr->shares[i].netname.present && (err = enc_str(e, &ctr->shares[i].netname)) != SD_OK)
			return err;
		if (ctr->shares[i].remark.present && (err = enc_str(e, &ctr->shares[i].remark)) != SD_OK)
			return err;
	}
	return e->w->err;
}

static void
enc_resume(struct ndr_enc *e, bool present, uint32_t handle)
{
	enc_ptr(e, present);
	if (present)
		enc_u32(e, handle);
}

enum sd_err
srvsvc_share_enum_req_encode(const struct srvsvc_share_enum_req *req, struct sd_wr *w)
{
	struct ndr_enc e = {w, w->len, NDR_FIRST_REFERENT};
	enum sd_err err;

	enc_ptr(&e, req->server_name.present);
	if (req->server_name.present && (err = enc_str(&e, &req->server_name)) != SD_OK)
		return err;
	enc_u32(&e, req->level);
	enc_u32(&e, req->level);
	err = enc_ctr(&e, req->level, &req->ctr);
	if (err != SD_OK)
		return err;
	enc_u32(&e, req->prefmaxlen);
	enc_resume(&e, req->resume_present, req->resume_handle);
	return w->err;
}

void
srvsvc_share_enum_req_init(struct srvsvc_share_enum_req *req, const char *server_name_utf8)
{
	memset(req, 0, sizeof(*req));
	req->server_name.present = server_name_utf8 != NULL;
	req->server_name.utf8 = server_name_utf8;
	req->level = 1;
	req->ctr.present = true;
	req->prefmaxlen = SRVSVC_PREFMAXLEN_ALL;
	req->resume_present = true;
}

enum sd_err
srvsvc_share_enum_rsp_encode(const struct srvsvc_share_enum_rsp *rsp, struct sd_wr *w)
{
	struct ndr_enc e = {w, w->len, NDR_FIRST_REFERENT};
	enum sd_err err;

	enc_u32(&e, rsp->level);
	enc_u32(&e, rsp->level);
	err = enc_ctr(&e, rsp->level, &rsp->ctr);
	if (err != SD_OK)
		return err;
	enc_u32(&e, rsp->total_entries);
	enc_resume(&e, rsp->resume_present, rsp->resume_handle);
	enc_u32(&e, rsp->werror);
	return w->err;
}

const char *
srvsvc_werror_name(uint32_t werror)
{
	switch (werror) {
	case SRVSVC_WERR_OK: return "WERR_OK";
	case SRVSVC_WERR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
	case SRVSVC_WERR_NOT_ENOUGH_MEMORY: return "ERROR_NOT_ENOUGH_MEMORY";
	case SRVSVC_WERR_NOT_SUPPORTED: return "ERROR_NOT_SUPPORTED";
	case SRVSVC_WERR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
	case SRVSVC_WERR_INVALID_NAME: return "ERROR_INVALID_NAME";
	case SRVSVC_WERR_INVALID_LEVEL: return "ERROR_INVALID_LEVEL";
	case SRVSVC_WERR_MORE_DATA: return "ERROR_MORE_DATA";
	case SRVSVC_NERR_BUF_TOO_SMALL: return "NERR_BufTooSmall";
	default: return NULL;
	}
}

const char *
srvsvc_share_type_name(uint32_t type)
{
	switch (type & SRVSVC_STYPE_MASK) {
	case SRVSVC_STYPE_DISKTREE: return "disk";
	case SRVSVC_STYPE_PRINTQ: return "printer";
	case SRVSVC_STYPE_DEVICE: return "device";
	case SRVSVC_STYPE_IPC: return "ipc";
	default: return NULL;
	}
}
