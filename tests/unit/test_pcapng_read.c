/* The pcapng reader analyze falls back to (src/capture/pcapng_read.h):
 * sections in either byte order, interfaces of different link types with
 * their own time resolution and offset, the three packet blocks, blocks it
 * skips, and every length that could point outside a block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "capture/pcapng_read.h"

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101

struct file {
	uint8_t b[2048];
	size_t n;
	bool big;       /* the section's byte order */
};

static void
put32(struct file *f, uint32_t v)
{
	size_t i;

	for (i = 0; i < 4; i++)
		f->b[f->n + i] = (uint8_t)(f->big ? v >> (24 - 8 * i) : v >> (8 * i));
	f->n += 4;
}

static void
put16(struct file *f, uint16_t v)
{
	f->b[f->n] = (uint8_t)(f->big ? v >> 8 : v);
	f->b[f->n + 1] = (uint8_t)(f->big ? v : v >> 8);
	f->n += 2;
}

/* A block of type with body (padded to 4), both lengths written. */
static size_t
block(struct file *f, uint32_t type, const uint8_t *body, size_t n)
{
	size_t start = f->n, total = 12 + ((n + 3) & ~(size_t)3);

	assert_true(f->n + total <= sizeof(f->b));
	put32(f, type);
	put32(f, (uint32_t)total);
	memcpy(f->b + f->n, body, n);
	memset(f->b + f->n + n, 0, total - 12 - n);
	f->n += total - 12;
	put32(f, (uint32_t)total);
	return start;
}

static void
section(struct file *f)
{
	struct file body = {.big = f->big};

	put32(&body, 0x1A2B3C4D);
	put16(&body, 1);
	put16(&body, 0);
	put32(&body, 0xFFFFFFFF);  /* section length unknown */
	put32(&body, 0xFFFFFFFF);
	block(f, 0x0A0D0D0A, body.b, body.n);
}

/* An interface; tsresol < 0: none (microseconds); offset 0: none. */
static void
interface(struct file *f, uint16_t linktype, uint32_t snaplen, int tsresol, int64_t offset)
{
	struct file body = {.big = f->big};

	put16(&body, linktype);
	put16(&body, 0);
	put32(&body, snaplen);
	if (tsresol >= 0) {
		put16(&body, 9);
		put16(&body, 1);
		body.b[body.n] = (uint8_t)tsresol;
		memset(body.b + body.n + 1, 0, 3);
		body.n += 4;
	}
	if (offset != 0) {
		put16(&body, 14);
		put16(&body, 8);
		put32(&body, f->big ? (uint32_t)((uint64_t)offset >> 32) : (uint32_t)offset);
		put32(&body, f->big ? (uint32_t)offset : (uint32_t)((uint64_t)offset >> 32));
	}
	put16(&body, 0);
	put16(&body, 0);
	block(f, 1, body.b, body.n);
}

static size_t
enhanced(struct file *f, uint32_t iface, uint64_t stamp, const char *data, uint32_t wire_len)
{
	struct file body = {.big = f->big};
	uint32_t n = (uint32_t)strlen(data);

	put32(&body, iface);
	put32(&body, (uint32_t)(stamp >> 32));
	put32(&body, (uint32_t)stamp);
	put32(&body, n);
	put32(&body, wire_len);
	memcpy(body.b + body.n, data, n);
	body.n += n;
	return block(f, 6, body.b, body.n);
}

/* Every block of f in turn; the packets into pkts (at most max). */
static enum sd_err
read_all(struct file *f, struct pcapng_reader *r, struct pcapng_packet *pkts, size_t max, size_t *n_pkts)
{
	size_t off = 0;
	enum sd_err err = SD_OK;

	pcapng_reader_init(r);
	*n_pkts = 0;
	while (off < f->n) {
		uint32_t len;
		bool has_packet;

		if ((err = pcapng_block_length(r, f->b + off, f->n - off, &len)) != SD_OK)
			return err;
		if (len > f->n - off)
			return SD_ERR_TRUNCATED;
		if ((err = pcapng_block_read(r, f->b + off, len, &pkts[*n_pkts], &has_packet)) != SD_OK)
			return err;
		if (has_packet && *n_pkts < max - 1)
			(*n_pkts)++;
		off += len;
	}
	return err;
}

static void
two_link_types(bool big)
{
	struct file f = {.big = big};
	struct pcapng_packet pkts[8];
	struct pcapng_reader r;
	size_t n;

	section(&f);
	interface(&f, LINKTYPE_ETHERNET, 262144, 9, 0);   /* nanoseconds */
	interface(&f, LINKTYPE_RAW, 65535, -1, 100);      /* microseconds, +100 s */
	enhanced(&f, 0, UINT64_C(1795903212949200891), "ether", 60);
	block(&f, 5, (const uint8_t *)"statistics", 10); /* skipped */
	enhanced(&f, 1, UINT64_C(1500000), "raw", 3);
	assert_int_equal(read_all(&f, &r, pkts, 8, &n), SD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(r.n_interfaces, 2);
	assert_int_equal(pkts[0].linktype, LINKTYPE_ETHERNET);
	assert_int_equal(pkts[0].caplen, 5);
	assert_int_equal(pkts[0].len, 60);
	assert_memory_equal(pkts[0].data, "ether", 5);
	assert_true(pkts[0].ts > 1795903212.9491 && pkts[0].ts < 1795903212.9493);
	assert_int_equal(pkts[1].interface, 1);
	assert_int_equal(pkts[1].linktype, LINKTYPE_RAW);
	assert_true(pkts[1].ts > 101.4999 && pkts[1].ts < 101.5001);
}

static void
interfaces_of_different_link_types(void **state)
{
	(void)state;
	two_link_types(false);
	two_link_types(true);
}

static void
simple_and_obsolete_packet_blocks(void **state)
{
	struct file f = {0}, body = {0};
	struct pcapng_packet pkts[8];
	struct pcapng_reader r;
	size_t n;

	(void)state;
	section(&f);
	interface(&f, LINKTYPE_RAW, 4, 0x80 | 10, 0);     /* 1/1024 s; snap length 4 */
	put32(&body, 9);                                  /* Simple Packet: 9 bytes on the wire */
	memcpy(body.b + body.n, "123456789", 9);
	body.n += 9;
	block(&f, 3, body.b, body.n);
	body.n = 0;
	put16(&body, 0);                                  /* obsolete Packet Block, interface 0 */
	put16(&body, 0);
	put32(&body, 0);
	put32(&body, 2048);
	put32(&body, 2);
	put32(&body, 2);
	memcpy(body.b + body.n, "ok", 2);
	body.n += 2;
	block(&f, 2, body.b, body.n);
	assert_int_equal(read_all(&f, &r, pkts, 8, &n), SD_OK);
	assert_int_equal(n, 2);
	assert_int_equal(pkts[0].caplen, 4);   /* cut by the snap length */
	assert_int_equal(pkts[0].len, 9);
	assert_true(pkts[1].ts > 1.999 && pkts[1].ts < 2.001);
}

static void
lengths_stay_inside_the_block(void **state)
{
	struct file f = {0};
	struct pcapng_packet pkts[4];
	struct pcapng_reader r;
	size_t n, epb, cut;
	uint32_t len;
	bool has_packet;

	(void)state;
	section(&f);
	interface(&f, LINKTYPE_ETHERNET, 0, -1, 0);
	epb = enhanced(&f, 0, 1, "data", 4);
	/* A captured length past the block. */
	f.b[epb + 20] = 200;
	assert_int_equal(read_all(&f, &r, pkts, 4, &n), SD_ERR_MALFORMED);
	f.b[epb + 20] = 4;
	/* The trailing length differs from the leading one. */
	f.b[f.n - 4] ^= 4;
	assert_int_equal(read_all(&f, &r, pkts, 4, &n), SD_ERR_MALFORMED);
	f.b[f.n - 4] ^= 4;
	/* A packet of an interface never described. */
	f.b[epb + 8] = 3;
	assert_int_equal(read_all(&f, &r, pkts, 4, &n), SD_ERR_NOT_FOUND);
	f.b[epb + 8] = 0;
	assert_int_equal(read_all(&f, &r, pkts, 4, &n), SD_OK);
	/* Every block cut short is refused, never read past. */
	pcapng_reader_init(&r);
	for (cut = 0; cut < 28; cut++)
		assert_int_not_equal(pcapng_block_read(&r, f.b, cut, pkts, &has_packet), SD_OK);
	/* A block claiming more than the reader allows, one not a multiple
	 * of 4, and a file that does not start with a section. */
	memcpy(f.b + 4, "\xFC\xFF\xFF\x7F", 4);
	assert_int_equal(pcapng_block_length(&r, f.b, f.n, &len), SD_ERR_LIMIT);
	memcpy(f.b + 4, "\x1D\x00\x00\x00", 4);
	assert_int_equal(pcapng_block_length(&r, f.b, f.n, &len), SD_ERR_MALFORMED);
	pcapng_reader_init(&r);
	assert_int_equal(pcapng_block_length(&r, f.b + epb, f.n - epb, &len), SD_ERR_MALFORMED);
}

static void
options_and_resolutions_checked(void **state)
{
	struct file f = {0};
	struct pcapng_packet pkts[4];
	struct pcapng_reader r;
	size_t n, idb;

	(void)state;
	section(&f);
	idb = f.n;
	interface(&f, LINKTYPE_ETHERNET, 0, 30, 0);   /* 10^-30 s: no clock has it */
	assert_int_equal(read_all(&f, &r, pkts, 4, &n), SD_ERR_MALFORMED);
	f.b[idb + 20] = 6;
	f.b[idb + 18] = 200;                          /* an option longer than the block */
	assert_int_equal(read_all(&f, &r, pkts, 4, &n), SD_ERR_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interfaces_of_different_link_types),
		cmocka_unit_test(simple_and_obsolete_packet_blocks),
		cmocka_unit_test(lengths_stay_inside_the_block),
		cmocka_unit_test(options_and_resolutions_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
