/* TCP flows and NetBIOS/direct-TCP framing for the capture walker (tests
 * only).
 *
 * Every TCP conversation gets a stream index the way tshark numbers
 * tcp.stream: in order of first appearance of the address/port pair, and a
 * new index when a SYN with a new initial sequence number reuses the pair.
 * Flows on port 445 or 139 also keep, per direction, a bounded buffer of
 * payload bytes in capture order. This is not TCP reassembly: exact
 * retransmissions and already-seen bytes are dropped by sequence number, a
 * hole (lost or out-of-order segment) throws away the partial PDU and
 * makes the framer look for the next plausible PDU start. PDUs are cut
 * with nbss_frame_length and handed to a callback, whatever way the bytes
 * were split when fed.
 *
 * Segments come from the product's decoder (struct cap_pkt, see
 * walk_pcap.h). The flow table and framing stay the walker's own: the
 * product's (cap_flow.c, cap_tcp.c, cap_stream.c) hand their PDUs only to
 * its SMB analysis, with no seam to get them out, and the analyzer's path
 * is compared with tshark on its own (tests/capture/test_analyze_vs_tshark.py);
 * this is a second, simpler framer for the core's SMB2 codec, also fed one
 * byte at a time.
 */
#ifndef SMBDIAG_TESTS_CAPTURE_WALK_FLOW_H
#define SMBDIAG_TESTS_CAPTURE_WALK_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/cap_internal.h"
#include "core/wire/nbss.h"

#define WALK_SMB_DIRECT_PORT 445
#define WALK_NETBIOS_SESSION_PORT 139
#define WALK_MAX_FLOWS 65536
/* One PDU of the direct-TCP framing at its largest (24-bit length). */
#define WALK_MAX_PDU (NBSS_HEADER_SIZE + NBSS_MAX_LENGTH_DIRECT)
/* All stream buffers together; a PDU that would need more is skipped. */
#define WALK_MAX_BUFFERED ((size_t)512 * 1024 * 1024)

struct walk_stats {
	unsigned long frames;
	unsigned long not_ip, not_tcp, truncated, bad_linktype;
	unsigned long fragments;             /* IP fragments that completed no datagram */
	unsigned long reassembled;           /* IP datagrams rebuilt from fragments */
	unsigned long flows, flows_dropped;  /* beyond WALK_MAX_FLOWS */
	unsigned long smb_segments;
	unsigned long retransmissions;       /* segments with nothing new */
	unsigned long overlaps;              /* segments partly seen before */
	unsigned long gaps;                  /* holes in the sequence space */
	unsigned long snapped;               /* payload cut by the snap length */
	unsigned long resync_bytes;          /* bytes skipped looking for a PDU */
	unsigned long desyncs;               /* bad PDU headers while in step */
	unsigned long oversize;              /* PDUs skipped for the caps */
	unsigned long pdus;
	unsigned long partial_pdus;          /* PDU starts cut by the snap length */
};

struct walk_dir {
	uint8_t *buf;
	size_t alloc;
	size_t start, end;  /* unread bytes are buf[start..end) */
	bool have_seq;
	uint32_t next_seq;
	bool have_base;
	uint32_t base_seq;  /* first sequence number seen (tshark's base_seq) */
	bool base_is_syn;   /* ... and it was the SYN's: the stream start is known */
	bool synced;        /* start is a PDU boundary */
	size_t skip_left;   /* bytes of an oversize PDU still to drop */
};

struct walk_flow {
	struct cap_addr addr[2];   /* [0] = source of the first segment seen */
	uint16_t port[2];
	unsigned stream;           /* tshark's tcp.stream */
	bool smb;
	enum nbss_transport transport;
	struct walk_dir dir[2];    /* [0] = addr[0] -> addr[1] */
	void *user;                /* the caller's state for this conversation; NULL at first */
};

struct walk_table;

/* Called for every complete PDU: p/len is the whole PDU, 4-byte header
 * included; frame is the frame whose bytes completed it. Also called with
 * truncated set for the start of a PDU whose rest the snap length cut off
 * (tshark shows what such a frame holds, so the walker does too). */
typedef void (*walk_pdu_fn)(void *ctx, struct walk_flow *flow, int dir, unsigned long frame,
			    const uint8_t *p, size_t len, bool truncated);

struct walk_table *walk_table_new(walk_pdu_fn on_pdu, void *ctx, bool byte_at_a_time);
void walk_table_free(struct walk_table *t);

/* Feeds one decoded TCP segment of the given frame. */
void walk_table_segment(struct walk_table *t, unsigned long frame, const struct cap_pkt *seg);

struct walk_stats *walk_table_stats(struct walk_table *t);

/* The flows by stream number, 0 to n - 1: to finish and free what the
 * caller hung on them (walk_flow.user) before walk_table_free. */
unsigned long walk_table_n_flows(const struct walk_table *t);
struct walk_flow *walk_table_flow(struct walk_table *t, unsigned long stream);

/* The side of an SMB flow (0 or 1) whose port is 445 or 139. */
int walk_flow_server_side(const struct walk_flow *f);

#endif
