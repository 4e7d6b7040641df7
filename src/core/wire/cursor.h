/* Bounded byte reader and writer shared by every codec.
 *
 * The reader has a sticky error: after the first short read every further
 * read returns 0 / NULL and leaves the position alone, so a decoder can read
 * a run of fixed fields and check once. The writer works on a buffer the
 * caller owns and never allocates; running out of room is sticky too
 * (SD_ERR_NO_SPACE).
 */
#ifndef SMBDIAG_CORE_WIRE_CURSOR_H
#define SMBDIAG_CORE_WIRE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct sd_rd {
	const uint8_t *p;  /* first byte of the block being read */
	size_t len;        /* bytes in the block */
	size_t off;        /* next byte to read, 0 <= off <= len */
	enum sd_err err;   /* sticky */
};

void sd_rd_init(struct sd_rd *r, const uint8_t *p, size_t len);

static inline size_t
sd_rd_left(const struct sd_rd *r)
{
	return r->err ? 0 : r->len - r->off;
}

static inline bool
sd_rd_ok(const struct sd_rd *r)
{
	return r->err == SD_OK;
}

/* Marks the reader failed with err unless it already failed. */
void sd_rd_fail(struct sd_rd *r, enum sd_err err);

uint8_t sd_rd_u8(struct sd_rd *r);
uint16_t sd_rd_u16le(struct sd_rd *r);
uint32_t sd_rd_u32le(struct sd_rd *r);
uint64_t sd_rd_u64le(struct sd_rd *r);
uint16_t sd_rd_u16be(struct sd_rd *r);
uint32_t sd_rd_u24be(struct sd_rd *r);
uint32_t sd_rd_u32be(struct sd_rd *r);
/* Returns a pointer to the next n bytes and advances, or NULL. */
const uint8_t *sd_rd_bytes(struct sd_rd *r, size_t n);
void sd_rd_copy(struct sd_rd *r, void *dst, size_t n);
void sd_rd_skip(struct sd_rd *r, size_t n);
/* Moves to an absolute offset inside the block (may be < off). */
void sd_rd_seek(struct sd_rd *r, size_t off);
/* Carves the next n bytes into a reader of their own and advances past them. */
struct sd_rd sd_rd_sub(struct sd_rd *r, size_t n);

/* Checks that [off, off+len) lies inside a block of block_len bytes without
 * overflowing. */
static inline bool
sd_range_ok(size_t block_len, size_t off, size_t len)
{
	return off <= block_len && len <= block_len - off;
}

struct sd_wr {
	uint8_t *p;
	size_t cap;
	size_t len;
	enum sd_err err;  /* sticky */
};

void sd_wr_init(struct sd_wr *w, uint8_t *buf, size_t cap);

static inline bool
sd_wr_ok(const struct sd_wr *w)
{
	return w->err == SD_OK;
}

void sd_wr_u8(struct sd_wr *w, uint8_t v);
void sd_wr_u16le(struct sd_wr *w, uint16_t v);
void sd_wr_u32le(struct sd_wr *w, uint32_t v);
void sd_wr_u64le(struct sd_wr *w, uint64_t v);
void sd_wr_u16be(struct sd_wr *w, uint16_t v);
void sd_wr_u24be(struct sd_wr *w, uint32_t v);
void sd_wr_u32be(struct sd_wr *w, uint32_t v);
void sd_wr_bytes(struct sd_wr *w, const void *src, size_t n);
void sd_wr_zero(struct sd_wr *w, size_t n);
/* Zero-pads so that len becomes a multiple of align (align is a power of 2). */
void sd_wr_align(struct sd_wr *w, size_t align);
/* Reserves n bytes and returns them for the caller to fill, or NULL. */
uint8_t *sd_wr_reserve(struct sd_wr *w, size_t n);
/* Overwrites already written bytes (for lengths and offsets known late). */
void sd_wr_put_u16le_at(struct sd_wr *w, size_t off, uint16_t v);
void sd_wr_put_u32le_at(struct sd_wr *w, size_t off, uint32_t v);
void sd_wr_put_u24be_at(struct sd_wr *w, size_t off, uint32_t v);

/* Plain little/big-endian loads and stores on memory the caller has
 * already bounds-checked. */
static inline uint16_t sd_load_u16le(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t sd_load_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t sd_load_u64le(const uint8_t *p)
{
	return (uint64_t)sd_load_u32le(p) | (uint64_t)sd_load_u32le(p + 4) << 32;
}
static inline void sd_store_u16le(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void sd_store_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void sd_store_u64le(uint8_t *p, uint64_t v)
{
	sd_store_u32le(p, (uint32_t)v);
	sd_store_u32le(p + 4, (uint32_t)(v >> 32));
}

#endif
