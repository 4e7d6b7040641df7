#include "core/auth/der.h"

#include <stdio.h>
#include <string.h>

/* Identifier octets: class, constructed bit, tag number in low-tag form
 * (< 31) or high-tag-number form (base-128, minimal). */
static bool
rd_identifier(struct sd_rd *r, struct der_tlv *t)
{
	uint8_t b = sd_rd_u8(r);
	uint32_t tag;
	unsigned n = 0;

	if (!sd_rd_ok(r))
		return false;
	t->cls = (uint8_t)(b >> 6);
	t->constructed = (b & 0x20) != 0;
	tag = b & 0x1Fu;
	if (tag == 0x1F) {
		tag = 0;
		do {
			b = sd_rd_u8(r);
			if (!sd_rd_ok(r))
				return false;
			/* A leading 0x80 would be a non-minimal encoding. */
			if ((n == 0 && b == 0x80) || tag > (DER_MAX_TAG >> 7)) {
				sd_rd_fail(r, SD_ERR_MALFORMED);
				return false;
			}
			tag = tag << 7 | (b & 0x7Fu);
			n++;
		} while (b & 0x80);
		/* High form must not carry a number the low form can hold. */
		if (tag < 0x1F) {
			sd_rd_fail(r, SD_ERR_MALFORMED);
			return false;
		}
	}
	t->tag = tag;
	return true;
}

static bool
rd_length(struct sd_rd *r, struct der_tlv *t)
{
	uint8_t b = sd_rd_u8(r);
	size_t len = 0;
	unsigned i, n;

	if (!sd_rd_ok(r))
		return false;
	t->long_len_nonminimal = false;
	if (b < 0x80) {
		t->len = b;
		return true;
	}
	n = b & 0x7Fu;
	/* 0x80 is BER's indefinite length, 0xFF is reserved; neither is DER. */
	if (n == 0 || n == 0x7F || n > sizeof(uint32_t)) {
		sd_rd_fail(r, SD_ERR_MALFORMED);
		return false;
	}
	for (i = 0; i < n; i++) {
		b = sd_rd_u8(r);
		if (i == 0 && b == 0)
			t->long_len_nonminimal = true;
		len = len << 8 | b;
	}
	if (!sd_rd_ok(r))
		return false;
	if (len < 0x80)
		t->long_len_nonminimal = true;
	t->len = len;
	return true;
}

bool
der_read_tlv(struct sd_rd *r, struct der_tlv *t)
{
	size_t start = r->off;

	memset(t, 0, sizeof(*t));
	if (!rd_identifier(r, t) || !rd_length(r, t))
		return false;
	t->hdr_len = r->off - start;
	t->v = sd_rd_bytes(r, t->len);
	return t->v != NULL || (t->len == 0 && sd_rd_ok(r));
}

bool
der_peek_tlv(const struct sd_rd *r, struct der_tlv *t)
{
	struct sd_rd copy = *r;

	return der_read_tlv(&copy, t);
}

bool
der_next_is(const struct sd_rd *r, uint8_t cls, bool constructed, uint32_t tag)
{
	struct der_tlv t;

	if (sd_rd_left(r) == 0 || !der_peek_tlv(r, &t))
		return false;
	return t.cls == cls && t.constructed == constructed && t.tag == tag;
}

bool
der_expect(struct sd_rd *r, uint8_t cls, bool constructed, uint32_t tag, struct der_tlv *t)
{
	if (!der_read_tlv(r, t))
		return false;
	if (t->cls != cls || t->constructed != constructed || t->tag != tag) {
		sd_rd_fail(r, SD_ERR_MALFORMED);
		return false;
	}
	return true;
}

struct sd_rd
der_enter(struct sd_rd *r, uint8_t cls, uint32_t tag)
{
	struct der_tlv t;
	struct sd_rd inner;

	if (der_expect(r, cls, true, tag, &t)) {
		sd_rd_init(&inner, t.v, t.len);
	} else {
		sd_rd_init(&inner, NULL, 0);
		inner.err = r->err;
	}
	return inner;
}

bool
der_ctx(struct sd_rd *r, uint32_t n, struct sd_rd *inner)
{
	if (!der_next_is(r, DER_CONTEXT, true, n))
		return false;
	*inner = der_enter(r, DER_CONTEXT, n);
	return sd_rd_ok(r);
}

enum sd_err
der_int64(const struct der_tlv *t, int64_t *out)
{
	const uint8_t *v = t->v;
	size_t len = t->len;
	uint64_t u;
	size_t i;

	*out = 0;
	if (len == 0)
		return SD_ERR_MALFORMED;
	/* Drop redundant sign octets, then anything over 8 octets is out of
	 * range for us. */
	while (len > 1 && ((v[0] == 0x00 && !(v[1] & 0x80)) || (v[0] == 0xFF && (v[1] & 0x80)))) {
		v++;
		len--;
	}
	if (len > 8)
		return SD_ERR_LIMIT;
	u = (v[0] & 0x80) ? UINT64_MAX : 0;
	for (i = 0; i < len; i++)
		u = u << 8 | v[i];
	memcpy(out, &u, sizeof(*out));
	return SD_OK;
}

static int64_t
read_integer_like(struct sd_rd *r, uint32_t tag, int64_t min, int64_t max)
{
	struct der_tlv t;
	int64_t v;
	enum sd_err err;

	if (!der_expect(r, DER_UNIVERSAL, false, tag, &t))
		return 0;
	err = der_int64(&t, &v);
	if (err == SD_OK && (v < min || v > max))
		err = SD_ERR_MALFORMED;
	if (err != SD_OK) {
		sd_rd_fail(r, err == SD_ERR_LIMIT ? SD_ERR_MALFORMED : err);
		return 0;
	}
	return v;
}

int64_t
der_read_int(struct sd_rd *r, int64_t min, int64_t max)
{
	return read_integer_like(r, DER_TAG_INTEGER, min, max);
}

int64_t
der_read_enum(struct sd_rd *r, int64_t max)
{
	return read_integer_like(r, DER_TAG_ENUMERATED, 0, max);
}

const uint8_t *
der_read_string(struct sd_rd *r, uint32_t tag, size_t *len)
{
	struct der_tlv t;

	*len = 0;
	if (!der_expect(r, DER_UNIVERSAL, false, tag, &t))
		return NULL;
	*len = t.len;
	return t.v;
}

const uint8_t *
der_read_octets(struct sd_rd *r, size_t *len)
{
	return der_read_string(r, DER_TAG_OCTET_STRING, len);
}

const uint8_t *
der_read_oid(struct sd_rd *r, size_t *len)
{
	const uint8_t *v = der_read_string(r, DER_TAG_OID, len);

	if (v && *len == 0) {
		sd_rd_fail(r, SD_ERR_MALFORMED);
		return NULL;
	}
	return v;
}

enum sd_err
der_bits(const struct der_tlv *t, uint8_t *unused, const uint8_t **bits, size_t *nbytes)
{
	*unused = 0;
	*bits = NULL;
	*nbytes = 0;
	if (t->len == 0 || t->v[0] > 7 || (t->len == 1 && t->v[0] != 0))
		return SD_ERR_MALFORMED;
	*unused = t->v[0];
	*bits = t->v + 1;
	*nbytes = t->len - 1;
	return SD_OK;
}

uint32_t
der_read_flags32(struct sd_rd *r)
{
	struct der_tlv t;
	const uint8_t *bits;
	uint8_t unused;
	size_t n, i;
	uint32_t v = 0;

	if (!der_expect(r, DER_UNIVERSAL, false, DER_TAG_BIT_STRING, &t))
		return 0;
	if (der_bits(&t, &unused, &bits, &n) != SD_OK) {
		sd_rd_fail(r, SD_ERR_MALFORMED);
		return 0;
	}
	for (i = 0; i < 4; i++)
		v = v << 8 | (i < n ? bits[i] : 0);
	return v;
}

/* Appends text to out at *pos, keeping room for the NUL. */
static bool
append_text(char *out, size_t cap, size_t *pos, const char *text)
{
	size_t n = strlen(text);

	if (n >= cap - *pos)
		return false;
	memcpy(out + *pos, text, n + 1);
	*pos += n;
	return true;
}

enum sd_err
der_oid_text(const uint8_t *v, size_t len, char *out, size_t cap)
{
	char num[24];
	uint64_t arc = 0;
	size_t i, pos = 0;
	bool first = true, arc_start = true;

	if (cap == 0)
		return SD_ERR_NO_SPACE;
	out[0] = '\0';
	if (len == 0 || (v[len - 1] & 0x80))
		return SD_ERR_MALFORMED;
	for (i = 0; i < len; i++) {
		if (arc_start && v[i] == 0x80)
			return SD_ERR_MALFORMED;
		if (arc > (UINT64_MAX >> 7))
			return SD_ERR_MALFORMED;
		arc = arc << 7 | (v[i] & 0x7Fu);
		arc_start = false;
		if (v[i] & 0x80)
			continue;
		if (first) {
			/* The first subidentifier packs two arcs: 40 * X + Y. */
			uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;

			snprintf(num, sizeof(num), "%llu.%llu", (unsigned long long)top,
				 (unsigned long long)(arc - top * 40));
			first = false;
		} else {
			snprintf(num, sizeof(num), ".%llu", (unsigned long long)arc);
		}
		if (!append_text(out, cap, &pos, num)) {
			out[0] = '\0';
			return SD_ERR_NO_SPACE;
		}
		arc = 0;
		arc_start = true;
	}
	return SD_OK;
}

static bool
digits(const uint8_t *v, size_t n, unsigned *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		*out = *out * 10 + (unsigned)(v[i] - '0');
	}
	return true;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian), the usual
 * era-based formula so no table or library call is needed. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

enum sd_err
der_time(const uint8_t *v, size_t len, struct der_time *out)
{
	static const uint8_t mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, mo, d, h, mi, s;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len < 15 || v[len - 1] != 'Z')
		return SD_ERR_MALFORMED;
	if (!digits(v, 4, &y) || !digits(v + 4, 2, &mo) || !digits(v + 6, 2, &d) ||
	    !digits(v + 8, 2, &h) || !digits(v + 10, 2, &mi) || !digits(v + 12, 2, &s))
		return SD_ERR_MALFORMED;
	/* Optional fraction ".d+" before the Z; Kerberos never sends one. */
	if (len > 15) {
		if (v[14] != '.' || len == 16)
			return SD_ERR_MALFORMED;
		for (i = 15; i < len - 1; i++)
			if (v[i] < '0' || v[i] > '9')
				return SD_ERR_MALFORMED;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 60)
		return SD_ERR_MALFORMED;
	out->year = (uint16_t)y;
	out->month = (uint8_t)mo;
	out->day = (uint8_t)d;
	out->hour = (uint8_t)h;
	out->minute = (uint8_t)mi;
	out->second = (uint8_t)s;
	out->epoch = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return SD_OK;
}

int64_t
der_read_time(struct sd_rd *r)
{
	struct der_tlv t;
	struct der_time tm;

	if (!der_expect(r, DER_UNIVERSAL, false, DER_TAG_GENERALIZED_TIME, &t))
		return 0;
	if (der_time(t.v, t.len, &tm) != SD_OK) {
		sd_rd_fail(r, SD_ERR_MALFORMED);
		return 0;
	}
	return tm.epoch;
}

static enum sd_err
validate_level(const uint8_t *p, size_t len, unsigned depth, size_t *elements)
{
	struct sd_rd r;
	struct der_tlv t;
	enum sd_err err;

	if (depth > DER_MAX_DEPTH)
		return SD_ERR_LIMIT;
	sd_rd_init(&r, p, len);
	while (sd_rd_left(&r) > 0) {
		if (!der_read_tlv(&r, &t))
			return r.err;
		(*elements)++;
		if (t.constructed) {
			err = validate_level(t.v, t.len, depth + 1, elements);
			if (err != SD_OK)
				return err;
		}
	}
	return r.err;
}

enum sd_err
der_validate(const uint8_t *p, size_t len, size_t *elements)
{
	size_t count = 0;
	enum sd_err err = validate_level(p, len, 0, &count);

	if (elements)
		*elements = count;
	return err;
}

/* --- writer --- */

void
der_wr_tag(struct sd_wr *w, uint8_t cls, bool constructed, uint32_t tag)
{
	uint8_t first = (uint8_t)((cls & 3u) << 6 | (constructed ? 0x20 : 0));
	int shift;

	if (tag < 0x1F) {
		sd_wr_u8(w, (uint8_t)(first | tag));
		return;
	}
	sd_wr_u8(w, (uint8_t)(first | 0x1F));
	for (shift = 28; shift > 0 && (tag >> shift) == 0; shift -= 7)
		;
	for (; shift > 0; shift -= 7)
		sd_wr_u8(w, (uint8_t)(0x80 | ((tag >> shift) & 0x7F)));
	sd_wr_u8(w, (uint8_t)(tag & 0x7F));
}

static size_t
len_octets(size_t len)
{
	size_t n = 1;

	if (len < 0x80)
		return 1;
	while (len) {
		n++;
		len >>= 8;
	}
	return n;
}

static void
put_len(uint8_t *at, size_t len, size_t n)
{
	size_t i;

	if (n == 1) {
		at[0] = (uint8_t)len;
		return;
	}
	at[0] = (uint8_t)(0x80 | (n - 1));
	for (i = n - 1; i >= 1; i--) {
		at[i] = (uint8_t)len;
		len >>= 8;
	}
}

void
der_wr_len(struct sd_wr *w, size_t len)
{
	size_t n = len_octets(len);
	uint8_t *at = sd_wr_reserve(w, n);

	if (at)
		put_len(at, len, n);
}

size_t
der_wr_open(struct sd_wr *w, uint8_t cls, uint32_t tag)
{
	der_wr_tag(w, cls, true, tag);
	return w->len;
}

void
der_wr_close(struct sd_wr *w, size_t content_start)
{
	size_t clen, n;

	if (!sd_wr_ok(w))
		return;
	if (content_start > w->len) {
		w->err = SD_ERR_INVALID_ARG;
		return;
	}
	clen = w->len - content_start;
	n = len_octets(clen);
	if (sd_wr_reserve(w, n) == NULL)
		return;
	memmove(w->p + content_start + n, w->p + content_start, clen);
	put_len(w->p + content_start, clen, n);
}

void
der_wr_prim(struct sd_wr *w, uint8_t cls, uint32_t tag, const void *v, size_t len)
{
	der_wr_tag(w, cls, false, tag);
	der_wr_len(w, len);
	sd_wr_bytes(w, v, len);
}

static void
wr_integer_like(struct sd_wr *w, uint32_t tag, int64_t v)
{
	uint8_t buf[8];
	uint64_t u;
	size_t n = 8, i;

	memcpy(&u, &v, sizeof(u));
	for (i = 0; i < 8; i++)
		buf[7 - i] = (uint8_t)(u >> (8 * i));
	/* Minimal two's complement: drop sign octets the next octet repeats. */
	while (n > 1 && ((buf[8 - n] == 0x00 && !(buf[9 - n] & 0x80)) ||
			 (buf[8 - n] == 0xFF && (buf[9 - n] & 0x80))))
		n--;
	der_wr_prim(w, DER_UNIVERSAL, tag, buf + 8 - n, n);
}

void
der_wr_int(struct sd_wr *w, int64_t v)
{
	wr_integer_like(w, DER_TAG_INTEGER, v);
}

void
der_wr_enum(struct sd_wr *w, int64_t v)
{
	wr_integer_like(w, DER_TAG_ENUMERATED, v);
}

void
der_wr_octets(struct sd_wr *w, const void *v, size_t len)
{
	der_wr_prim(w, DER_UNIVERSAL, DER_TAG_OCTET_STRING, v, len);
}

void
der_wr_oid(struct sd_wr *w, const uint8_t *contents, size_t len)
{
	der_wr_prim(w, DER_UNIVERSAL, DER_TAG_OID, contents, len);
}

void
der_wr_string(struct sd_wr *w, uint32_t tag, const void *s, size_t len)
{
	der_wr_prim(w, DER_UNIVERSAL, tag, s, len);
}

void
der_wr_flags32(struct sd_wr *w, uint32_t flags)
{
	uint8_t v[5] = {0, (uint8_t)(flags >> 24), (uint8_t)(flags >> 16), (uint8_t)(flags >> 8),
			(uint8_t)flags};

	der_wr_prim(w, DER_UNIVERSAL, DER_TAG_BIT_STRING, v, sizeof(v));
}

/* Inverse of days_from_civil. */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void
der_wr_time(struct sd_wr *w, int64_t epoch)
{
	char text[64];
	int64_t days = epoch / 86400, secs = epoch % 86400, y;
	unsigned m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		if (sd_wr_ok(w))
			w->err = SD_ERR_INVALID_ARG;
		return;
	}
	snprintf(text, sizeof(text), "%04u%02u%02u%02u%02u%02uZ", (unsigned)y, m, d,
		 (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
	der_wr_prim(w, DER_UNIVERSAL, DER_TAG_GENERALIZED_TIME, text, 15);
}
