/* Link, IP and TCP decoding for the capture walker (tests only). */
#include "walk_pkt.h"

#include <string.h>

#include <pcap/pcap.h>

#include "core/wire/cursor.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88A8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHER_MAX_LENGTH_FIELD 1500  /* below: an 802.3 length, LLC follows */
#define VLAN_MAX_TAGS 4

#define IPPROTO_NUM_TCP 6
#define IP6_HOP_BY_HOP 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_DEST_OPTS 60
#define IP6_MAX_EXT_HEADERS 8

/* BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 differs
 * between the BSDs (24, 28, 30) and Linux (10). */
#define BSD_AF_INET 2

bool
walk_pkt_linktype_ok(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

static enum walk_pkt_result
decode_tcp(const uint8_t *p, size_t len, size_t wire_len, struct walk_tcp *out)
{
	struct sd_rd r;
	size_t hlen;

	sd_rd_init(&r, p, len);
	out->sport = sd_rd_u16be(&r);
	out->dport = sd_rd_u16be(&r);
	out->seq = sd_rd_u32be(&r);
	sd_rd_skip(&r, 4);  /* acknowledgment number */
	hlen = (size_t)(sd_rd_u8(&r) >> 4) * 4;
	out->flags = sd_rd_u8(&r);
	if (!sd_rd_ok(&r) || hlen < 20 || hlen > len || hlen > wire_len)
		return WALK_PKT_TRUNCATED;
	out->payload = p + hlen;
	out->payload_len = len - hlen;
	out->payload_wire_len = wire_len - hlen;
	return WALK_PKT_TCP;
}

/* p/len: captured bytes from the IP header on. The IP length field bounds
 * the segment: Ethernet pads short frames, and those pad bytes are not TCP
 * payload. */
static enum walk_pkt_result
decode_ipv4(const uint8_t *p, size_t len, struct walk_tcp *out)
{
	struct sd_rd r;
	size_t ihl, total;
	uint16_t frag;
	uint8_t proto;

	sd_rd_init(&r, p, len);
	ihl = (size_t)(sd_rd_u8(&r) & 0x0F) * 4;
	sd_rd_skip(&r, 1);
	total = sd_rd_u16be(&r);
	sd_rd_skip(&r, 2);
	frag = sd_rd_u16be(&r);
	sd_rd_skip(&r, 1);
	proto = sd_rd_u8(&r);
	sd_rd_skip(&r, 2);
	out->src.family = out->dst.family = 4;
	memset(out->src.bytes, 0, sizeof(out->src.bytes));
	memset(out->dst.bytes, 0, sizeof(out->dst.bytes));
	sd_rd_copy(&r, out->src.bytes, 4);
	sd_rd_copy(&r, out->dst.bytes, 4);
	/* TSO captures carry total length 0: the segment is what was captured. */
	if (total == 0)
		total = len;
	if (!sd_rd_ok(&r) || ihl < 20 || ihl > len || ihl > total)
		return WALK_PKT_TRUNCATED;
	if ((frag & 0x3FFF) != 0)  /* more-fragments flag or a fragment offset */
		return WALK_PKT_FRAGMENT;
	if (proto != IPPROTO_NUM_TCP)
		return WALK_PKT_NOT_TCP;
	return decode_tcp(p + ihl, (total < len ? total : len) - ihl, total - ihl, out);
}

static enum walk_pkt_result
decode_ipv6(const uint8_t *p, size_t len, struct walk_tcp *out)
{
	struct sd_rd r;
	size_t payload_len, off;
	uint8_t next;
	int n;

	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, 4);
	payload_len = sd_rd_u16be(&r);
	next = sd_rd_u8(&r);
	sd_rd_skip(&r, 1);
	out->src.family = out->dst.family = 6;
	sd_rd_copy(&r, out->src.bytes, 16);
	sd_rd_copy(&r, out->dst.bytes, 16);
	if (!sd_rd_ok(&r))
		return WALK_PKT_TRUNCATED;
	/* Jumbogram (payload length 0): take what was captured. */
	if (payload_len == 0)
		payload_len = len - 40;
	off = 40;
	for (n = 0; n < IP6_MAX_EXT_HEADERS; n++) {
		if (next == IPPROTO_NUM_TCP)
			break;
		if (next == IP6_FRAGMENT)
			return WALK_PKT_FRAGMENT;
		if (next != IP6_HOP_BY_HOP && next != IP6_ROUTING && next != IP6_DEST_OPTS)
			return WALK_PKT_NOT_TCP;
		sd_rd_seek(&r, off);
		next = sd_rd_u8(&r);
		off += ((size_t)sd_rd_u8(&r) + 1) * 8;
		if (!sd_rd_ok(&r) || off > len || off - 40 > payload_len)
			return WALK_PKT_TRUNCATED;
	}
	if (next != IPPROTO_NUM_TCP)
		return WALK_PKT_NOT_TCP;
	{
		size_t end = 40 + payload_len;

		return decode_tcp(p + off, (end < len ? end : len) - off, end - off, out);
	}
}

static enum walk_pkt_result
decode_ip_by_version(const uint8_t *p, size_t len, struct walk_tcp *out)
{
	if (len < 1)
		return WALK_PKT_TRUNCATED;
	switch (p[0] >> 4) {
	case 4:
		return decode_ipv4(p, len, out);
	case 6:
		return decode_ipv6(p, len, out);
	default:
		return WALK_PKT_NOT_IP;
	}
}

static enum walk_pkt_result
decode_by_ethertype(uint16_t type, const uint8_t *p, size_t len, struct walk_tcp *out)
{
	if (type == ETHERTYPE_IPV4)
		return decode_ipv4(p, len, out);
	if (type == ETHERTYPE_IPV6)
		return decode_ipv6(p, len, out);
	return WALK_PKT_NOT_IP;
}

static enum walk_pkt_result
decode_ethernet(const uint8_t *p, size_t len, struct walk_tcp *out)
{
	struct sd_rd r;
	uint16_t type;
	int tags = 0;

	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, 12);
	type = sd_rd_u16be(&r);
	while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) &&
	       tags++ < VLAN_MAX_TAGS) {
		sd_rd_skip(&r, 2);  /* priority, DEI, VLAN id */
		type = sd_rd_u16be(&r);
	}
	if (!sd_rd_ok(&r))
		return WALK_PKT_TRUNCATED;
	if (type <= ETHER_MAX_LENGTH_FIELD)
		return WALK_PKT_NOT_IP;
	return decode_by_ethertype(type, p + r.off, len - r.off, out);
}

static enum walk_pkt_result
decode_bsd_loopback(const uint8_t *p, size_t len, bool network_order, struct walk_tcp *out)
{
	uint32_t family;

	if (len < 4)
		return WALK_PKT_TRUNCATED;
	family = network_order ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
			       : sd_load_u32le(p);
	/* DLT_NULL is in the byte order of the capturing host. */
	if (!network_order && family > 0xFFFF)
		family = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (family == BSD_AF_INET)
		return decode_ipv4(p + 4, len - 4, out);
	/* Every AF_INET6 value in use; the version nibble settles the rest. */
	return decode_ip_by_version(p + 4, len - 4, out);
}

enum walk_pkt_result
walk_pkt_decode(int linktype, const uint8_t *p, size_t caplen, struct walk_tcp *out)
{
	memset(out, 0, sizeof(*out));
	switch (linktype) {
	case DLT_EN10MB:
		return decode_ethernet(p, caplen, out);
	case DLT_LINUX_SLL:
		/* 16 bytes: packet type, ARPHRD, address length, address[8], protocol. */
		if (caplen < 16)
			return WALK_PKT_TRUNCATED;
		return decode_by_ethertype((uint16_t)(p[14] << 8 | p[15]), p + 16, caplen - 16, out);
	case DLT_LINUX_SLL2:
		/* 20 bytes: protocol first, then interface, ARPHRD, type, address. */
		if (caplen < 20)
			return WALK_PKT_TRUNCATED;
		return decode_by_ethertype((uint16_t)(p[0] << 8 | p[1]), p + 20, caplen - 20, out);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return decode_ip_by_version(p, caplen, out);
	case DLT_NULL:
		return decode_bsd_loopback(p, caplen, false, out);
	case DLT_LOOP:
		return decode_bsd_loopback(p, caplen, true, out);
	default:
		return WALK_PKT_LINKTYPE;
	}
}
