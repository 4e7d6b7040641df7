#include "core/wire/cursor.h"

#include <string.h>

void
sd_rd_init(struct sd_rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->off = 0;
	r->err = SD_OK;
}

void
sd_rd_fail(struct sd_rd *r, enum sd_err err)
{
	if (r->err == SD_OK)
		r->err = err;
}

/* Returns the next n bytes or NULL (and fails the reader). */
static const uint8_t *
rd_take(struct sd_rd *r, size_t n)
{
	const uint8_t *at;

	if (r->err)
		return NULL;
	if (n > r->len - r->off) {
		r->err = SD_ERR_TRUNCATED;
		return NULL;
	}
	at = r->p + r->off;
	r->off += n;
	return at;
}

uint8_t
sd_rd_u8(struct sd_rd *r)
{
	const uint8_t *b = rd_take(r, 1);

	return b ? b[0] : 0;
}

uint16_t
sd_rd_u16le(struct sd_rd *r)
{
	const uint8_t *b = rd_take(r, 2);

	return b ? sd_load_u16le(b) : 0;
}

uint32_t
sd_rd_u32le(struct sd_rd *r)
{
	const uint8_t *b = rd_take(r, 4);

	return b ? sd_load_u32le(b) : 0;
}

uint64_t
sd_rd_u64le(struct sd_rd *r)
{
	const uint8_t *b = rd_take(r, 8);

	return b ? sd_load_u64le(b) : 0;
}

uint16_t
sd_rd_u16be(struct sd_rd *r)
{
	const uint8_t *b = rd_take(r, 2);

	return b ? (uint16_t)(b[0] << 8 | b[1]) : 0;
}

uint32_t
sd_rd_u24be(struct sd_rd *r)
{
	const uint8_t *b = rd_take(r, 3);

	return b ? (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2] : 0;
}

uint32_t
sd_rd_u32be(struct sd_rd *r)
{
	const uint8_t *b = rd_take(r, 4);

	return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

const uint8_t *
sd_rd_bytes(struct sd_rd *r, size_t n)
{
	return rd_take(r, n);
}

void
sd_rd_copy(struct sd_rd *r, void *dst, size_t n)
{
	const uint8_t *b = rd_take(r, n);

	if (b)
		memcpy(dst, b, n);
	else
		memset(dst, 0, n);
}

void
sd_rd_skip(struct sd_rd *r, size_t n)
{
	(void)rd_take(r, n);
}

void
sd_rd_seek(struct sd_rd *r, size_t off)
{
	if (r->err)
		return;
	if (off > r->len) {
		r->err = SD_ERR_BAD_OFFSET;
		return;
	}
	r->off = off;
}

struct sd_rd
sd_rd_sub(struct sd_rd *r, size_t n)
{
	struct sd_rd sub;
	const uint8_t *b = rd_take(r, n);

	sd_rd_init(&sub, b, b ? n : 0);
	if (!b)
		sub.err = r->err;
	return sub;
}

void
sd_wr_init(struct sd_wr *w, uint8_t *buf, size_t cap)
{
	w->p = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->err = SD_OK;
}

uint8_t *
sd_wr_reserve(struct sd_wr *w, size_t n)
{
	uint8_t *at;

	if (w->err)
		return NULL;
	if (n > w->cap - w->len) {
		w->err = SD_ERR_NO_SPACE;
		return NULL;
	}
	at = w->p + w->len;
	w->len += n;
	return at;
}

void
sd_wr_u8(struct sd_wr *w, uint8_t v)
{
	uint8_t *b = sd_wr_reserve(w, 1);

	if (b)
		b[0] = v;
}

void
sd_wr_u16le(struct sd_wr *w, uint16_t v)
{
	uint8_t *b = sd_wr_reserve(w, 2);

	if (b)
		sd_store_u16le(b, v);
}

void
sd_wr_u32le(struct sd_wr *w, uint32_t v)
{
	uint8_t *b = sd_wr_reserve(w, 4);

	if (b)
		sd_store_u32le(b, v);
}

void
sd_wr_u64le(struct sd_wr *w, uint64_t v)
{
	uint8_t *b = sd_wr_reserve(w, 8);

	if (b)
		sd_store_u64le(b, v);
}

void
sd_wr_u16be(struct sd_wr *w, uint16_t v)
{
	uint8_t *b = sd_wr_reserve(w, 2);

	if (b) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	}
}

void
sd_wr_u24be(struct sd_wr *w, uint32_t v)
{
	uint8_t *b = sd_wr_reserve(w, 3);

	if (b) {
		b[0] = (uint8_t)(v >> 16);
		b[1] = (uint8_t)(v >> 8);
		b[2] = (uint8_t)v;
	}
}

void
sd_wr_u32be(struct sd_wr *w, uint32_t v)
{
	uint8_t *b = sd_wr_reserve(w, 4);

	if (b) {
		b[0] = (uint8_t)(v >> 24);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
	}
}

void
sd_wr_bytes(struct sd_wr *w, const void *src, size_t n)
{
	uint8_t *b = sd_wr_reserve(w, n);

	if (b && n)
		memcpy(b, src, n);
}

void
sd_wr_zero(struct sd_wr *w, size_t n)
{
	uint8_t *b = sd_wr_reserve(w, n);

	if (b && n)
		memset(b, 0, n);
}

void
sd_wr_align(struct sd_wr *w, size_t align)
{
	size_t pad = (align - (w->len & (align - 1))) & (align - 1);

	sd_wr_zero(w, pad);
}

static uint8_t *
wr_at(struct sd_wr *w, size_t off, size_t n)
{
	if (w->err)
		return NULL;
	if (!sd_range_ok(w->len, off, n)) {
		w->err = SD_ERR_INVALID_ARG;
		return NULL;
	}
	return w->p + off;
}

void
sd_wr_put_u16le_at(struct sd_wr *w, size_t off, uint16_t v)
{
	uint8_t *b = wr_at(w, off, 2);

	if (b)
		sd_store_u16le(b, v);
}

void
sd_wr_put_u32le_at(struct sd_wr *w, size_t off, uint32_t v)
{
	uint8_t *b = wr_at(w, off, 4);

	if (b)
		sd_store_u32le(b, v);
}

void
sd_wr_put_u24be_at(struct sd_wr *w, size_t off, uint32_t v)
{
	uint8_t *b = wr_at(w, off, 3);

	if (b) {
		b[0] = (uint8_t)(v >> 16);
		b[1] = (uint8_t)(v >> 8);
		b[2] = (uint8_t)v;
	}
}
