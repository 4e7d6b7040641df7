/* IPv4 and IPv6 (extension headers), both with fragment reassembly
 * (cap_defrag.c), then the TCP or UDP header (ICMP and ICMPv6 messages
 * are handed on whole, for cap_icmp.c). Payload lengths come from
 * the IP header, never from the frame: Ethernet pads short frames, and
 * those pad bytes are not data. */
#include <string.h>

#include "capture/cap_internal.h"
#include "core/wire/cursor.h"

#define IP6_HOP_BY_HOP 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_DEST_OPTS 60
#define IP6_MAX_EXT_HEADERS 8
#define IP6_FRAGMENT_HEADER 8
#define IP6_HEADER 40
#define IPV4_MIN_HEADER 20
#define TCP_MIN_HEADER 20
#define UDP_HEADER 8
#define FRAG_BLOCK 8

/* wire_len: the transport segment's length as IP says; len: captured. */
static enum cap_l3
transport(uint8_t proto, const uint8_t *p, size_t len, size_t wire_len, struct cap_pkt *pkt)
{
	struct sd_rd r;
	size_t hlen;

	pkt->proto = proto;
	if (proto == CAP_PROTO_ICMP || proto == CAP_PROTO_ICMPV6) {
		pkt->payload = p;
		pkt->payload_len = len < wire_len ? len : wire_len;
		pkt->payload_wire_len = wire_len;
		return CAP_L3_OK;
	}
	sd_rd_init(&r, p, len);
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

/* One fragment of an IPv4 datagram: p/len is its payload. Returns OK with
 * pkt filled when it completed the datagram. */
static enum cap_l3
defragment4(struct cap_analyzer *a, struct cap_pkt *pkt, uint16_t id, uint8_t proto, uint16_t frag, const uint8_t *p,
	    size_t len)
{
	size_t total;
	uint8_t got;

	if (cap_defrag_add(a, pkt, id, proto, (size_t)(frag & 0x1FFF) * FRAG_BLOCK, (frag & 0x2000) != 0, p, len,
			   &total, &got) != CAP_FRAG_DONE)
		return CAP_L3_FRAGMENT;
	return transport(got, a->defrag->out, total, total, pkt);
}

bool
cap_ipv4_header_read(const uint8_t *p, size_t len, struct cap_ipv4_header *h)
{
	struct sd_rd r;
	uint8_t version_ihl;

	memset(h, 0, sizeof(*h));
	sd_rd_init(&r, p, len);
	version_ihl = sd_rd_u8(&r);
	h->version = version_ihl >> 4;
	h->ihl = (size_t)(version_ihl & 0x0F) * 4;
	sd_rd_skip(&r, 1);
	h->total = sd_rd_u16be(&r);
	h->id = sd_rd_u16be(&r);
	h->frag = sd_rd_u16be(&r);
	sd_rd_skip(&r, 1);
	h->proto = sd_rd_u8(&r);
	sd_rd_skip(&r, 2);
	h->src.family = h->dst.family = 4;
	sd_rd_copy(&r, h->src.bytes, 4);
	sd_rd_copy(&r, h->dst.bytes, 4);
	return sd_rd_ok(&r);
}

bool
cap_ipv6_header_read(const uint8_t *p, size_t len, struct cap_ipv6_header *h)
{
	struct sd_rd r;

	memset(h, 0, sizeof(*h));
	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, 4);  /* version, traffic class, flow label */
	h->payload_len = sd_rd_u16be(&r);
	h->next = sd_rd_u8(&r);
	sd_rd_skip(&r, 1);
	h->src.family = h->dst.family = 6;
	sd_rd_copy(&r, h->src.bytes, 16);
	sd_rd_copy(&r, h->dst.bytes, 16);
	return sd_rd_ok(&r);
}

static enum cap_l3
ipv4(struct cap_analyzer *a, const uint8_t *p, size_t len, struct cap_pkt *pkt)
{
	struct cap_ipv4_header h;
	size_t end;
	bool whole = cap_ipv4_header_read(p, len, &h);

	pkt->src = h.src;
	pkt->dst = h.dst;
	/* TSO captures carry total length 0: the packet is what was captured. */
	if (h.total == 0)
		h.total = len;
	if (!whole || h.ihl < IPV4_MIN_HEADER || h.ihl > len || h.ihl > h.total)
		return CAP_L3_TRUNCATED;
	if (h.proto != CAP_PROTO_TCP && h.proto != CAP_PROTO_UDP && h.proto != CAP_PROTO_ICMP)
		return CAP_L3_OTHER_PROTO;
	end = h.total < len ? h.total : len;
	if ((h.frag & 0x3FFF) != 0) {
		if (end < h.total)  /* a fragment cut by the snap length cannot be used */
			return CAP_L3_TRUNCATED;
		return defragment4(a, pkt, h.id, h.proto, h.frag, p + h.ihl, end - h.ihl);
	}
	return transport(h.proto, p + h.ihl, end - h.ihl, h.total - h.ihl, pkt);
}

static bool
ip6_upper_layer(uint8_t next)
{
	return next == CAP_PROTO_TCP || next == CAP_PROTO_UDP || next == CAP_PROTO_ICMPV6;
}

/* Follows IPv6 extension headers from *next at *off until TCP, UDP or
 * ICMPv6, a Fragment header (left at *off when stop_at_fragment) or
 * something else. end bounds the headers (the end of the IPv6 payload). */
enum cap_l3
cap_ip6_chain(const uint8_t *p, size_t len, size_t end, size_t *off, uint8_t *next, bool stop_at_fragment)
{
	struct sd_rd r;
	int n;

	sd_rd_init(&r, p, len);
	for (n = 0; n < IP6_MAX_EXT_HEADERS; n++) {
		if (ip6_upper_layer(*next))
			return CAP_L3_OK;
		if (*next == IP6_FRAGMENT && stop_at_fragment)
			return CAP_L3_FRAGMENT;
		if (*next != IP6_HOP_BY_HOP && *next != IP6_ROUTING && *next != IP6_DEST_OPTS)
			return CAP_L3_OTHER_PROTO;
		sd_rd_seek(&r, *off);
		*next = sd_rd_u8(&r);
		*off += ((size_t)sd_rd_u8(&r) + 1) * 8;
		if (!sd_rd_ok(&r) || *off > len || *off > end)
			return CAP_L3_TRUNCATED;
	}
	return ip6_upper_layer(*next) ? CAP_L3_OK : CAP_L3_OTHER_PROTO;
}

/* The Fragment header at off (RFC 8200 4.5): an atomic fragment (offset 0,
 * no more) is the whole datagram; others go to reassembly, and the
 * datagram, once whole, continues its header chain from the first
 * fragment's next header. */
static enum cap_l3
fragment6(struct cap_analyzer *a, const uint8_t *p, size_t len, size_t end, size_t off, struct cap_pkt *pkt)
{
	struct sd_rd r;
	uint8_t next, got;
	uint16_t offset_field;
	uint32_t id;
	size_t total, hoff = 0;
	enum cap_l3 res;

	sd_rd_init(&r, p, len);
	sd_rd_seek(&r, off);
	next = sd_rd_u8(&r);
	sd_rd_skip(&r, 1);
	offset_field = sd_rd_u16be(&r);
	id = sd_rd_u32be(&r);
	off += IP6_FRAGMENT_HEADER;
	if (!sd_rd_ok(&r) || off > end)
		return CAP_L3_TRUNCATED;
	if ((offset_field & 0xFFF9) == 0) {
		res = cap_ip6_chain(p, len, end, &off, &next, false);
		return res != CAP_L3_OK ? res : transport(next, p + off, (end < len ? end : len) - off, end - off, pkt);
	}
	if (end > len)  /* a fragment cut by the snap length cannot be used */
		return CAP_L3_TRUNCATED;
	if (cap_defrag_add(a, pkt, id, next, (size_t)(offset_field >> 3) * FRAG_BLOCK, (offset_field & 1) != 0, p + off,
			   end - off, &total, &got) != CAP_FRAG_DONE)
		return CAP_L3_FRAGMENT;
	res = cap_ip6_chain(a->defrag->out, total, total, &hoff, &got, false);
	if (res != CAP_L3_OK)
		return res;
	return transport(got, a->defrag->out + hoff, total - hoff, total - hoff, pkt);
}

static enum cap_l3
ipv6(struct cap_analyzer *a, const uint8_t *p, size_t len, struct cap_pkt *pkt)
{
	struct cap_ipv6_header h;
	size_t payload_len, off = IP6_HEADER, end;
	uint8_t next;
	enum cap_l3 res;
	bool whole = cap_ipv6_header_read(p, len, &h);

	pkt->src = h.src;
	pkt->dst = h.dst;
	if (!whole)
		return CAP_L3_TRUNCATED;
	payload_len = h.payload_len;
	next = h.next;
	if (payload_len == 0)  /* jumbogram or TSO: what was captured */
		payload_len = len - IP6_HEADER;
	end = IP6_HEADER + payload_len;
	res = cap_ip6_chain(p, len, end, &off, &next, true);
	if (res == CAP_L3_FRAGMENT)
		return fragment6(a, p, len, end, off, pkt);
	if (res != CAP_L3_OK)
		return res;
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
