/* ICMPv4 and ICMPv6 destination unreachable: the only ICMP messages the
 * analysis reads, because they are how a host (or a router or firewall on
 * the way) says that a UDP Kerberos request will get no answer, or that a
 * TCP connection to a KDC is rejected. The
 * message quotes the start of the refused datagram (RFC 792: its IP
 * header and first 8 bytes; RFC 4443 2.4: as much as fits), which names
 * the client port and the KDC it was sent to. Hand-written: libpcap gives
 * raw bytes, and no library the project uses decodes ICMP. */
#include "capture/cap_internal.h"
#include "core/wire/cursor.h"

#define ICMP4_DEST_UNREACHABLE 3
#define ICMP6_DEST_UNREACHABLE 1
#define ICMP_HEADER 8          /* type, code, checksum, 4 bytes unused / MTU / length */
#define IPV4_MIN_HEADER 20
#define IP6_HEADER 40
#define IP6_FRAGMENT_HEADER 8
#define QUOTED_TRANSPORT 8     /* RFC 792: the first 64 bits of the datagram's data */
#define IPV4_FRAG_OFFSET_MASK 0x1FFF

static enum cap_icmp_result
quoted_ports(const uint8_t *p, size_t len, size_t off, uint8_t proto, struct cap_icmp_unreach *out)
{
	struct sd_rd r;

	if (proto != CAP_PROTO_UDP && proto != CAP_PROTO_TCP)
		return CAP_ICMP_OTHER;
	if (off > len || len - off < QUOTED_TRANSPORT)
		return CAP_ICMP_TRUNCATED;
	sd_rd_init(&r, p + off, len - off);
	out->proto = proto;
	out->sport = sd_rd_u16be(&r);
	out->dport = sd_rd_u16be(&r);
	return sd_rd_ok(&r) ? CAP_ICMP_UNREACH : CAP_ICMP_TRUNCATED;
}

/* The quoted IPv4 datagram q/qlen. Only a first (or whole) fragment
 * starts with the UDP or TCP header. */
static enum cap_icmp_result
quoted_ipv4(const uint8_t *q, size_t qlen, struct cap_icmp_unreach *out)
{
	struct cap_ipv4_header h;
	bool whole = cap_ipv4_header_read(q, qlen, &h);

	out->src = h.src;
	out->dst = h.dst;
	if (!whole)
		return CAP_ICMP_TRUNCATED;
	if (h.version != 4 || h.ihl < IPV4_MIN_HEADER)
		return CAP_ICMP_TRUNCATED;  /* not a datagram we can read: malformed */
	if ((h.frag & IPV4_FRAG_OFFSET_MASK) != 0)
		return CAP_ICMP_OTHER;
	return quoted_ports(q, qlen, h.ihl, h.proto, out);
}

/* The quoted IPv6 packet q/qlen, through its extension headers (a
 * Fragment header at offset 0 included). */
static enum cap_icmp_result
quoted_ipv6(const uint8_t *q, size_t qlen, struct cap_icmp_unreach *out)
{
	struct cap_ipv6_header h;
	struct sd_rd r;
	uint8_t next;
	size_t off = IP6_HEADER;
	enum cap_l3 res;
	bool whole;

	if (qlen < 1 || (q[0] >> 4) != 6)
		return CAP_ICMP_TRUNCATED;
	whole = cap_ipv6_header_read(q, qlen, &h);
	out->src = h.src;
	out->dst = h.dst;
	if (!whole)
		return CAP_ICMP_TRUNCATED;
	next = h.next;
	sd_rd_init(&r, q, qlen);
	res = cap_ip6_chain(q, qlen, qlen, &off, &next, true);
	if (res == CAP_L3_FRAGMENT) {
		uint16_t offset_field;

		sd_rd_seek(&r, off);
		next = sd_rd_u8(&r);
		sd_rd_skip(&r, 1);
		offset_field = sd_rd_u16be(&r);
		if (!sd_rd_ok(&r))
			return CAP_ICMP_TRUNCATED;
		if ((offset_field & 0xFFF8) != 0)
			return CAP_ICMP_OTHER;
		off += IP6_FRAGMENT_HEADER;
		res = cap_ip6_chain(q, qlen, qlen, &off, &next, false);
	}
	if (res == CAP_L3_TRUNCATED)
		return CAP_ICMP_TRUNCATED;
	if (res != CAP_L3_OK)
		return CAP_ICMP_OTHER;
	return quoted_ports(q, qlen, off, next, out);
}

enum cap_icmp_result
cap_icmp_unreach_decode(const uint8_t *p, size_t len, uint8_t family, struct cap_icmp_unreach *out)
{
	uint8_t unreachable = family == 6 ? ICMP6_DEST_UNREACHABLE : ICMP4_DEST_UNREACHABLE;

	if (len < 1)
		return CAP_ICMP_TRUNCATED;
	if (p[0] != unreachable)
		return CAP_ICMP_OTHER;
	if (len < ICMP_HEADER)
		return CAP_ICMP_TRUNCATED;
	out->type = p[0];
	out->code = p[1];
	if (family == 6)
		return quoted_ipv6(p + ICMP_HEADER, len - ICMP_HEADER, out);
	return quoted_ipv4(p + ICMP_HEADER, len - ICMP_HEADER, out);
}

void
cap_icmp_packet(struct cap_analyzer *a, const struct cap_pkt *pkt)
{
	struct cap_icmp_unreach u = {0};
	uint8_t family = pkt->proto == CAP_PROTO_ICMPV6 ? 6 : 4;

	switch (cap_icmp_unreach_decode(pkt->payload, pkt->payload_len, family, &u)) {
	case CAP_ICMP_TRUNCATED:
		a->stats.truncated++;
		return;
	case CAP_ICMP_OTHER:
		return;
	case CAP_ICMP_UNREACH:
		break;
	}
	/* Only a request to a KDC port: an unreachable for the KDC's answer
	 * (the client's port closed) says nothing about the KDC. */
	if (!cap_is_krb_port(a, u.dport))
		return;
	if (u.proto == CAP_PROTO_UDP)
		cap_krb_icmp_refusal(a, &pkt->src, family, &u);
	else
		cap_krb_icmp_tcp_refusal(a, &pkt->src, family, &u);
}
