/* IPv4 (with fragment reassembly) and IPv6 (extension headers), then the
 * TCP or UDP header. Payload lengths come from the IP header, never from
 * the frame: Ethernet pads short frames, and those pad bytes are not data. */
#include <stdlib.h>
#include <string.h>

#include "capture/cap_internal.h"
#include "core/wire/cursor.h"

#define IP6_HOP_BY_HOP 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_DEST_OPTS 60
#define IP6_MAX_EXT_HEADERS 8
#define IP6_HEADER 40
#define IPV4_MIN_HEADER 20
#define TCP_MIN_HEADER 20
#define UDP_HEADER 8
#define FRAG_BLOCK 8
#define FRAG_BITMAP ((CAP_FRAG_MAX_SIZE / FRAG_BLOCK + 8) / 8)

/* wire_len: the transport segment's length as IP says; len: captured. */
static enum cap_l3
transport(uint8_t proto, const uint8_t *p, size_t len, size_t wire_len, struct cap_pkt *pkt)
{
	struct sd_rd r;
	size_t hlen;

	sd_rd_init(&r, p, len);
	pkt->proto = proto;
	pkt->sport = sd_rd_u16be(&r);
	pkt->dport = sd_rd_u16be(&r);
	if (proto == CAP_PROTO_UDP) {
		size_t ulen = sd_rd_u16be(&r);

		if (!sd_rd_ok(&r) || len < UDP_HEADER || wire_len < UDP_HEADER)
			return CAP_L3_TRUNCATED;
		/* A UDP length of 0 (jumbograms) or one larger than IP's: trust IP. */
		if (ulen < UDP_HEADER || ulen > wire_len)
			ulen = wire_len;
		pkt->payload = p + UDP_HEADER;
		pkt->payload_wire_len = ulen - UDP_HEADER;
		pkt->payload_len = len - UDP_HEADER < pkt->payload_wire_len ? len - UDP_HEADER : pkt->payload_wire_len;
		return CAP_L3_OK;
	}
	pkt->seq = sd_rd_u32be(&r);
	pkt->ack = sd_rd_u32be(&r);
	hlen = (size_t)(sd_rd_u8(&r) >> 4) * 4;
	pkt->flags = sd_rd_u8(&r);
	if (!sd_rd_ok(&r) || hlen < TCP_MIN_HEADER || hlen > len || hlen > wire_len)
		return CAP_L3_TRUNCATED;
	pkt->payload = p + hlen;
	pkt->payload_len = len - hlen;
	pkt->payload_wire_len = wire_len - hlen;
	return CAP_L3_OK;
}

static struct cap_frag *
frag_slot(struct cap_analyzer *a, const struct cap_pkt *pkt, uint16_t id, uint8_t proto)
{
	struct cap_defrag *d = a->defrag;
	struct cap_frag *fr, *oldest = NULL, *free_slot = NULL;
	size_t i;

	for (i = 0; i < CAP_FRAG_MAX_DATAGRAMS; i++) {
		fr = &d->d[i];
		if (fr->used && a->now - fr->first_ts > CAP_FRAG_TIMEOUT) {
			a->stats.fragments_dropped++;
			fr->used = false;
		}
		if (!fr->used) {
			if (free_slot == NULL)
				free_slot = fr;
			continue;
		}
		if (fr->id == id && fr->proto == proto && cap_addr_eq(&fr->src, &pkt->src) &&
		    cap_addr_eq(&fr->dst, &pkt->dst))
			return fr;
		if (oldest == NULL || fr->first_ts < oldest->first_ts)
			oldest = fr;
	}
	if (free_slot == NULL) {
		a->stats.fragments_dropped++;
		free_slot = oldest;
	}
	fr = free_slot;
	if (fr->buf == NULL) {
		if (!cap_mem_take(a, CAP_FRAG_MAX_SIZE + FRAG_BITMAP))
			return NULL;
		fr->buf = malloc(CAP_FRAG_MAX_SIZE);
		fr->seen = malloc(FRAG_BITMAP);
		if (fr->buf == NULL || fr->seen == NULL) {
			free(fr->buf);
			free(fr->seen);
			fr->buf = fr->seen = NULL;
			cap_mem_give(a, CAP_FRAG_MAX_SIZE + FRAG_BITMAP);
			return NULL;
		}
	}
	fr->used = true;
	fr->src = pkt->src;
	fr->dst = pkt->dst;
	fr->id = id;
	fr->proto = proto;
	fr->first_ts = a->now;
	fr->total = 0;
	fr->have = 0;
	memset(fr->seen, 0, FRAG_BITMAP);
	return fr;
}

static bool
frag_complete(const struct cap_frag *fr)
{
	size_t b, blocks;

	if (fr->total == 0)
		return false;
	blocks = (fr->total + FRAG_BLOCK - 1) / FRAG_BLOCK;
	for (b = 0; b < blocks; b++)
		if (!(fr->seen[b / 8] & (1u << (b % 8))))
			return false;
	return true;
}

/* One fragment of an IPv4 datagram: p/len is its payload. Returns OK with
 * pkt filled when it completed the datagram. */
static enum cap_l3
defragment(struct cap_analyzer *a, struct cap_pkt *pkt, uint16_t id, uint8_t proto, uint16_t frag, const uint8_t *p,
	   size_t len)
{
	size_t off = (size_t)(frag & 0x1FFF) * FRAG_BLOCK, b;
	bool more = (frag & 0x2000) != 0;
	struct cap_frag *fr;

	a->stats.fragments++;
	if (a->defrag == NULL) {
		if (!cap_mem_take(a, sizeof(*a->defrag)))
			return CAP_L3_FRAGMENT;
		a->defrag = calloc(1, sizeof(*a->defrag));
		if (a->defrag == NULL) {
			cap_mem_give(a, sizeof(*a->defrag));
			return CAP_L3_FRAGMENT;
		}
	}
	if (off + len > CAP_FRAG_MAX_SIZE || (more && len % FRAG_BLOCK != 0)) {
		a->stats.fragments_dropped++;
		return CAP_L3_FRAGMENT;
	}
	fr = frag_slot(a, pkt, id, proto);
	if (fr == NULL) {
		a->stats.fragments_dropped++;
		return CAP_L3_FRAGMENT;
	}
	memcpy(fr->buf + off, p, len);
	for (b = off / FRAG_BLOCK; b < (off + len + FRAG_BLOCK - 1) / FRAG_BLOCK; b++)
		fr->seen[b / 8] |= (uint8_t)(1u << (b % 8));
	fr->have += len;
	if (!more)
		fr->total = off + len;
	if (!frag_complete(fr))
		return CAP_L3_FRAGMENT;
	memcpy(a->defrag->out, fr->buf, fr->total);
	fr->used = false;
	a->stats.reassembled++;
	return transport(proto, a->defrag->out, fr->total, fr->total, pkt);
}

static enum cap_l3
ipv4(struct cap_analyzer *a, const uint8_t *p, size_t len, struct cap_pkt *pkt)
{
	struct sd_rd r;
	size_t ihl, total, end;
	uint16_t id, frag;
	uint8_t proto;

	sd_rd_init(&r, p, len);
	ihl = (size_t)(sd_rd_u8(&r) & 0x0F) * 4;
	sd_rd_skip(&r, 1);
	total = sd_rd_u16be(&r);
	id = sd_rd_u16be(&r);
	frag = sd_rd_u16be(&r);
	sd_rd_skip(&r, 1);
	proto = sd_rd_u8(&r);
	sd_rd_skip(&r, 2);
	pkt->src.family = pkt->dst.family = 4;
	sd_rd_copy(&r, pkt->src.bytes, 4);
	sd_rd_copy(&r, pkt->dst.bytes, 4);
	/* TSO captures carry total length 0: the packet is what was captured. */
	if (total == 0)
		total = len;
	if (!sd_rd_ok(&r) || ihl < IPV4_MIN_HEADER || ihl > len || ihl > total)
		return CAP_L3_TRUNCATED;
	if (proto != CAP_PROTO_TCP && proto != CAP_PROTO_UDP)
		return CAP_L3_OTHER_PROTO;
	end = total < len ? total : len;
	if ((frag & 0x3FFF) != 0) {
		if (end < total)  /* a fragment cut by the snap length cannot be used */
			return CAP_L3_TRUNCATED;
		return defragment(a, pkt, id, proto, frag, p + ihl, end - ihl);
	}
	return transport(proto, p + ihl, end - ihl, total - ihl, pkt);
}

static enum cap_l3
ipv6(struct cap_analyzer *a, const uint8_t *p, size_t len, struct cap_pkt *pkt)
{
	struct sd_rd r;
	size_t payload_len, off = IP6_HEADER, end;
	uint8_t next;
	int n;

	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, 4);
	payload_len = sd_rd_u16be(&r);
	next = sd_rd_u8(&r);
	sd_rd_skip(&r, 1);
	pkt->src.family = pkt->dst.family = 6;
	sd_rd_copy(&r, pkt->src.bytes, 16);
	sd_rd_copy(&r, pkt->dst.bytes, 16);
	if (!sd_rd_ok(&r))
		return CAP_L3_TRUNCATED;
	if (payload_len == 0)  /* jumbogram or TSO: what was captured */
		payload_len = len - IP6_HEADER;
	for (n = 0; n < IP6_MAX_EXT_HEADERS && next != CAP_PROTO_TCP && next != CAP_PROTO_UDP; n++) {
		if (next == IP6_FRAGMENT) {
			/* IPv6 fragments are not reassembled (Kerberos over UDP
			 * on IPv6 is rare and small); counted. */
			(void)a;
			return CAP_L3_FRAGMENT;
		}
		if (next != IP6_HOP_BY_HOP && next != IP6_ROUTING && next != IP6_DEST_OPTS)
			return CAP_L3_OTHER_PROTO;
		sd_rd_seek(&r, off);
		next = sd_rd_u8(&r);
		off += ((size_t)sd_rd_u8(&r) + 1) * 8;
		if (!sd_rd_ok(&r) || off > len || off - IP6_HEADER > payload_len)
			return CAP_L3_TRUNCATED;
	}
	if (next != CAP_PROTO_TCP && next != CAP_PROTO_UDP)
		return CAP_L3_OTHER_PROTO;
	end = IP6_HEADER + payload_len;
	if (off > end)
		return CAP_L3_TRUNCATED;
	return transport(next, p + off, (end < len ? end : len) - off, end - off, pkt);
}

enum cap_l3
cap_ip_decode(struct cap_analyzer *a, const uint8_t *p, size_t len, struct cap_pkt *pkt)
{
	if (len < 1)
		return CAP_L3_TRUNCATED;
	switch (p[0] >> 4) {
	case 4:
		return ipv4(a, p, len, pkt);
	case 6:
		return ipv6(a, p, len, pkt);
	default:
		return CAP_L3_NOT_IP;
	}
}

void
cap_defrag_cleanup(struct cap_analyzer *a)
{
	size_t i;

	if (a->defrag == NULL)
		return;
	for (i = 0; i < CAP_FRAG_MAX_DATAGRAMS; i++) {
		if (a->defrag->d[i].buf != NULL)
			cap_mem_give(a, CAP_FRAG_MAX_SIZE + FRAG_BITMAP);
		free(a->defrag->d[i].buf);
		free(a->defrag->d[i].seen);
	}
	free(a->defrag);
	cap_mem_give(a, sizeof(*a->defrag));
	a->defrag = NULL;
}
