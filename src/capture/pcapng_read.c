#include "capture/pcapng_read.h"

#include <string.h>

#include "core/wire/cursor.h"

#define BLOCK_SHB 0x0A0D0D0Au
#define BLOCK_IDB 0x00000001u
#define BLOCK_OPB 0x00000002u  /* obsolete Packet Block */
#define BLOCK_SPB 0x00000003u
#define BLOCK_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define OPT_END 0
#define OPT_IF_TSRESOL 9
#define OPT_IF_TSOFFSET 14
#define MICROSECONDS 1000000u

static uint32_t
swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

static uint16_t
load16(const struct pcapng_reader *r, const uint8_t *p)
{
	return r->swapped ? (uint16_t)(p[0] << 8 | p[1]) : sd_load_u16le(p);
}

static uint32_t
load32(const struct pcapng_reader *r, const uint8_t *p)
{
	return r->swapped ? swap32(sd_load_u32le(p)) : sd_load_u32le(p);
}

static uint64_t
load64(const struct pcapng_reader *r, const uint8_t *p)
{
	uint64_t a = load32(r, p), b = load32(r, p + 4);

	/* A 64-bit field is one number in the section's byte order. */
	return r->swapped ? (a << 32) | b : (b << 32) | a;
}

void
pcapng_reader_init(struct pcapng_reader *r)
{
	memset(r, 0, sizeof(*r));
}

bool
pcapng_is_pcapng(const uint8_t *p, size_t len)
{
	return len >= 4 && p[0] == 0x0A && p[1] == 0x0D && p[2] == 0x0D && p[3] == 0x0A;
}

/* The byte order a Section Header Block announces; false without the magic. */
static bool
section_order(const uint8_t *p, bool *swapped)
{
	uint32_t bom = sd_load_u32le(p + 8);

	if (bom == BYTE_ORDER_MAGIC)
		*swapped = false;
	else if (bom == swap32(BYTE_ORDER_MAGIC))
		*swapped = true;
	else
		return false;
	return true;
}

enum sd_err
pcapng_block_length(const struct pcapng_reader *r, const uint8_t *p, size_t len, uint32_t *block_len)
{
	struct pcapng_reader order = *r;
	uint32_t n;

	if (len < PCAPNG_READ_HEADER)
		return SD_ERR_TRUNCATED;
	if (pcapng_is_pcapng(p, len)) {
		if (!section_order(p, &order.swapped))
			return SD_ERR_MALFORMED;
	} else if (!r->in_section) {
		return SD_ERR_MALFORMED;
	}
	n = load32(&order, p + 4);
	if (n < PCAPNG_READ_HEADER || n % 4 != 0)
		return SD_ERR_MALFORMED;
	if (n > PCAPNG_READ_MAX_BLOCK)
		return SD_ERR_LIMIT;
	*block_len = n;
	return SD_OK;
}

/* if_tsresol: 10^-v seconds, or 2^-v with the top bit set. */
static bool
resolution(uint8_t v, uint64_t *units)
{
	unsigned e = v & 0x7F, i;

	if (v & 0x80) {
		if (e > 63)
			return false;
		*units = UINT64_C(1) << e;
		return true;
	}
	if (e > 19)
		return false;
	for (*units = 1, i = 0; i < e; i++)
		*units *= 10;
	return true;
}

static enum sd_err
interface(struct pcapng_reader *r, const uint8_t *p, size_t len)
{
	struct pcapng_interface *i;
	size_t off = 16, end = len - 4;

	if (len < 20)
		return SD_ERR_MALFORMED;
	if (r->n_interfaces >= PCAPNG_READ_MAX_INTERFACES)
		return SD_ERR_LIMIT;
	i = &r->interfaces[r->n_interfaces];
	*i = (struct pcapng_interface){load16(r, p + 8), load32(r, p + 12), MICROSECONDS, 0};
	while (off + 4 <= end) {
		uint16_t code = load16(r, p + off), n = load16(r, p + off + 2);
		size_t padded = ((size_t)n + 3) & ~(size_t)3;

		if (code == OPT_END)
			break;
		if (padded > end - off - 4)
			return SD_ERR_MALFORMED;
		if (code == OPT_IF_TSRESOL && n == 1 && !resolution(p[off + 4], &i->units_per_second))
			return SD_ERR_MALFORMED;
		if (code == OPT_IF_TSOFFSET && n == 8)
			i->offset_seconds = (int64_t)load64(r, p + off + 4);
		off += 4 + padded;
	}
	r->n_interfaces++;
	return SD_OK;
}

static enum sd_err
packet(const struct pcapng_reader *r, unsigned iface, uint64_t stamp, uint32_t caplen, uint32_t wire_len,
       const uint8_t *data, size_t room, struct pcapng_packet *pkt)
{
	const struct pcapng_interface *i;

	if (iface >= r->n_interfaces)
		return SD_ERR_NOT_FOUND;
	if (caplen > room)
		return SD_ERR_MALFORMED;
	i = &r->interfaces[iface];
	pkt->interface = iface;
	pkt->linktype = i->linktype;
	pkt->ts = (double)(stamp / i->units_per_second) + (double)(stamp % i->units_per_second) /
		  (double)i->units_per_second + (double)i->offset_seconds;
	pkt->data = data;
	pkt->caplen = caplen;
	pkt->len = wire_len < caplen ? caplen : wire_len;
	return SD_OK;
}

enum sd_err
pcapng_block_read(struct pcapng_reader *r, const uint8_t *p, size_t len, struct pcapng_packet *pkt, bool *has_packet)
{
	uint32_t n, type;
	enum sd_err err;

	*has_packet = false;
	if ((err = pcapng_block_length(r, p, len, &n)) != SD_OK)
		return err;
	if (len < n)
		return SD_ERR_TRUNCATED;
	if (pcapng_is_pcapng(p, len)) {
		/* A new section: its own byte order and interfaces. */
		if (n < 28)
			return SD_ERR_MALFORMED;
		section_order(p, &r->swapped);
		r->in_section = true;
		r->n_interfaces = 0;
	}
	if (load32(r, p + n - 4) != n)
		return SD_ERR_MALFORMED;
	type = load32(r, p);
	switch (type) {
	case BLOCK_IDB:
		return interface(r, p, n);
	case BLOCK_EPB:
	case BLOCK_OPB:
		if (n < 32)
			return SD_ERR_MALFORMED;
		err = packet(r, type == BLOCK_EPB ? load32(r, p + 8) : load16(r, p + 8),
			     (uint64_t)load32(r, p + 12) << 32 | load32(r, p + 16), load32(r, p + 20), load32(r, p + 24),
			     p + 28, n - 32, pkt);
		*has_packet = err == SD_OK;
		return err;
	case BLOCK_SPB: {
		uint32_t wire_len, caplen;

		if (n < 16)
			return SD_ERR_MALFORMED;
		/* No captured length: the snap length of interface 0 cuts it. */
		wire_len = load32(r, p + 8);
		caplen = wire_len < n - 16 ? wire_len : n - 16;
		if (r->n_interfaces > 0 && r->interfaces[0].snaplen && caplen > r->interfaces[0].snaplen)
			caplen = r->interfaces[0].snaplen;
		err = packet(r, 0, 0, caplen, wire_len, p + 12, n - 16, pkt);
		*has_packet = err == SD_OK;
		return err;
	}
	default:
		return SD_OK;
	}
}

bool
pcapng_interfaces_differ(const struct pcapng_reader *r)
{
	unsigned i;

	for (i = 1; i < r->n_interfaces; i++)
		if (r->interfaces[i].linktype != r->interfaces[0].linktype ||
		    r->interfaces[i].snaplen != r->interfaces[0].snaplen)
			return true;
	return false;
}
