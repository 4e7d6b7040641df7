/* Link layers: Ethernet (802.1Q / QinQ tags), Linux cooked (SLL, SLL2),
 * raw IP, BSD null / loopback. Each strips its header and hands the IP
 * packet to cap_ip_decode. */
#include <string.h>

#include <pcap/pcap.h>

#include "capture/cap_internal.h"
#include "core/wire/cursor.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88A8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHER_MAX_LENGTH_FIELD 1500  /* up to here: an 802.3 length, LLC follows */
#define VLAN_MAX_TAGS 4
#define SLL_HEADER 16
#define SLL2_HEADER 20
/* BSD loopback: AF_INET is 2 everywhere; AF_INET6 differs per system, so
 * the IP version nibble decides for anything else. */
#define BSD_AF_INET 2

bool
cap_linktype_supported(int linktype)
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

static enum cap_l3
by_ethertype(struct cap_analyzer *a, uint16_t type, const uint8_t *p, size_t len, struct cap_pkt *pkt)
{
	if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
		return CAP_L3_NOT_IP;
	if (len < 1 || (p[0] >> 4) != (type == ETHERTYPE_IPV4 ? 4 : 6))
		return CAP_L3_TRUNCATED;
	return cap_ip_decode(a, p, len, pkt);
}

static enum cap_l3
ethernet(struct cap_analyzer *a, const uint8_t *p, size_t len, struct cap_pkt *pkt)
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
		return CAP_L3_TRUNCATED;
	if (type <= ETHER_MAX_LENGTH_FIELD)
		return CAP_L3_NOT_IP;
	return by_ethertype(a, type, p + r.off, len - r.off, pkt);
}

static enum cap_l3
bsd_loopback(struct cap_analyzer *a, const uint8_t *p, size_t len, bool network_order, struct cap_pkt *pkt)
{
	uint32_t family;

	if (len < 4)
		return CAP_L3_TRUNCATED;
	family = network_order ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
			       : sd_load_u32le(p);
	/* DLT_NULL is in the capturing host's byte order. */
	if (!network_order && family > 0xFFFF)
		family = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (len < 5)
		return CAP_L3_TRUNCATED;
	if (family == BSD_AF_INET && (p[4] >> 4) != 4)
		return CAP_L3_NOT_IP;
	return cap_ip_decode(a, p + 4, len - 4, pkt);
}

enum cap_l3
cap_link_decode(struct cap_analyzer *a, int linktype, const uint8_t *p, size_t len, struct cap_pkt *pkt)
{
	switch (linktype) {
	case DLT_EN10MB:
		return ethernet(a, p, len, pkt);
	case DLT_LINUX_SLL:
		/* Packet type, ARPHRD, address length, address[8], protocol. */
		if (len < SLL_HEADER)
			return CAP_L3_TRUNCATED;
		return by_ethertype(a, (uint16_t)(p[14] << 8 | p[15]), p + SLL_HEADER, len - SLL_HEADER, pkt);
	case DLT_LINUX_SLL2:
		/* Protocol first, then interface, ARPHRD, type, address. */
		if (len < SLL2_HEADER)
			return CAP_L3_TRUNCATED;
		return by_ethertype(a, (uint16_t)(p[0] << 8 | p[1]), p + SLL2_HEADER, len - SLL2_HEADER, pkt);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return cap_ip_decode(a, p, len, pkt);
	case DLT_NULL:
		return bsd_loopback(a, p, len, false, pkt);
	case DLT_LOOP:
		return bsd_loopback(a, p, len, true, pkt);
	default:
		return CAP_L3_LINKTYPE;
	}
}
