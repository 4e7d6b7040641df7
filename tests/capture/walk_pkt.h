/* Link, IP and TCP decoding for the capture walker (tests only).
 *
 * Turns one captured frame into the TCP segment it carries: addresses,
 * ports, sequence number, flags and the payload bytes actually captured.
 * No IP defragmentation and no reassembly: a fragment, a frame cut by the
 * snap length inside its headers, or anything that is not TCP is reported
 * as such and the caller counts it.
 */
#ifndef SMBDIAG_TESTS_CAPTURE_WALK_PKT_H
#define SMBDIAG_TESTS_CAPTURE_WALK_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum walk_pkt_result {
	WALK_PKT_TCP = 0,       /* a TCP segment: fields filled */
	WALK_PKT_NOT_IP,        /* ARP, LLC, IPX, ... */
	WALK_PKT_NOT_TCP,       /* IP carrying UDP, ICMP, ... */
	WALK_PKT_FRAGMENT,      /* an IPv4/IPv6 fragment (not reassembled) */
	WALK_PKT_TRUNCATED,     /* headers cut short or inconsistent */
	WALK_PKT_LINKTYPE,      /* a link type we do not decode */
};

#define WALK_TCP_FIN 0x01
#define WALK_TCP_SYN 0x02
#define WALK_TCP_RST 0x04
#define WALK_TCP_ACK 0x10

struct walk_addr {
	uint8_t family;     /* 4 or 6 */
	uint8_t bytes[16];  /* IPv4 in the first 4 */
};

struct walk_tcp {
	struct walk_addr src, dst;
	uint16_t sport, dport;
	uint32_t seq;
	uint8_t flags;            /* WALK_TCP_* */
	const uint8_t *payload;   /* captured payload bytes */
	size_t payload_len;       /* captured */
	size_t payload_wire_len;  /* as the IP length says (> captured when snapped) */
};

/* Decodes frame bytes of the given pcap link type (DLT_*). */
enum walk_pkt_result walk_pkt_decode(int linktype, const uint8_t *p, size_t caplen, struct walk_tcp *out);

/* True for the link types walk_pkt_decode understands. */
bool walk_pkt_linktype_ok(int linktype);

#endif
