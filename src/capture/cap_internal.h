/* Shared internals of the capture analyzer (src/capture only). */
#ifndef SMBDIAG_CAPTURE_CAP_INTERNAL_H
#define SMBDIAG_CAPTURE_CAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/cap.h"
#include "core/wire/nbss.h"

/* ---- packets (cap_link.c, cap_ip.c) ---- */

#define CAP_TCP_FIN 0x01
#define CAP_TCP_SYN 0x02
#define CAP_TCP_RST 0x04
#define CAP_TCP_ACK 0x10

#define CAP_PROTO_TCP 6
#define CAP_PROTO_UDP 17
/* ICMP / ICMPv6 messages come through as pkt.proto with the whole message
 * as payload (no ports): only destination unreachable is read (cap_icmp.c). */
#define CAP_PROTO_ICMP 1
#define CAP_PROTO_ICMPV6 58

struct cap_addr {
	uint8_t family;     /* 4 or 6 */
	uint8_t bytes[16];  /* IPv4 in the first 4 */
};

struct cap_pkt {
	double ts;
	uint32_t frame;
	uint8_t proto;              /* CAP_PROTO_TCP / UDP */
	struct cap_addr src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;          /* TCP */
	uint8_t flags;              /* TCP */
	const uint8_t *payload;
	size_t payload_len;         /* captured */
	size_t payload_wire_len;    /* as the headers say */
};

enum cap_l3 {
	CAP_L3_OK = 0,       /* TCP, UDP, ICMP or ICMPv6: pkt filled */
	CAP_L3_NOT_IP,
	CAP_L3_OTHER_PROTO,
	CAP_L3_FRAGMENT,     /* kept for reassembly (or dropped) */
	CAP_L3_TRUNCATED,
	CAP_L3_LINKTYPE,
};

/* IPv4 and IPv6 fragments waiting for their datagram (cap_defrag.c). */
#define CAP_FRAG_MAX_DATAGRAMS 64
#define CAP_FRAG_MAX_SIZE 65535
#define CAP_FRAG_TIMEOUT 30.0

struct cap_frag {
	bool used;
	struct cap_addr src, dst;   /* their family tells IPv4 from IPv6 */
	uint32_t id;                /* IPv4: 16 bits; IPv6: 32 bits */
	uint8_t proto;              /* IPv4: part of the key; IPv6: the first fragment's next header */
	bool have_first;            /* the fragment at offset 0 came */
	double first_ts;
	size_t total;               /* known once the last fragment came; 0 before */
	size_t have;                /* bytes covered */
	uint8_t *buf;               /* CAP_FRAG_MAX_SIZE bytes */
	uint8_t *seen;              /* one bit per 8-byte block */
};

struct cap_defrag {
	struct cap_frag d[CAP_FRAG_MAX_DATAGRAMS];
	uint8_t out[CAP_FRAG_MAX_SIZE];  /* the last reassembled datagram's payload */
};

struct cap_analyzer;

/* Decodes one frame. A completed IPv4 datagram points into a->defrag.out. */
enum cap_l3 cap_link_decode(struct cap_analyzer *a, int linktype, const uint8_t *p, size_t len,
			    struct cap_pkt *pkt);
enum cap_l3 cap_ip_decode(struct cap_analyzer *a, const uint8_t *p, size_t len, struct cap_pkt *pkt);

enum cap_frag_result {
	CAP_FRAG_PENDING,   /* kept, the datagram is not whole yet */
	CAP_FRAG_DONE,      /* the datagram is whole: in a->defrag->out */
	CAP_FRAG_DROPPED,   /* over a limit, or malformed (counted) */
};

/* One fragment: off/more from its header, p/len its data. IPv4 keys
 * datagrams on (src, dst, id, proto); IPv6 on (src, dst, id) and takes
 * the protocol from the fragment at offset 0 (RFC 8200 4.5), and drops a
 * datagram whose fragments overlap (RFC 5722). On DONE, *out_len and
 * *proto describe a->defrag->out. */
enum cap_frag_result cap_defrag_add(struct cap_analyzer *a, const struct cap_pkt *pkt, uint32_t id, uint8_t proto,
				    size_t off, bool more, const uint8_t *p, size_t len, size_t *out_len,
				    uint8_t *out_proto);
void cap_defrag_cleanup(struct cap_analyzer *a);

/* ---- application streams (cap_stream.c) ---- */

enum cap_app {
	CAP_APP_NONE = 0,
	CAP_APP_SMB,
	CAP_APP_KRB,
};

/* Bytes kept of one PDU: headers and security blobs fit; the rest of a
 * large READ/WRITE is counted and skipped, never buffered. */
#define CAP_PDU_HEAD_MAX (256 * 1024)

struct cap_appdir {
	uint8_t *buf;
	size_t alloc, len;          /* buffered bytes of the current PDU (or resync window) */
	bool started;               /* data seen in this direction */
	bool synced;                /* buf starts at a PDU boundary */
	size_t pdu_len;             /* total length of the current PDU once known, 0 before */
	size_t skip_left;           /* bytes of the current PDU still to skip (not stored) */
	uint32_t start_seq;         /* TCP sequence number of buf[0] */
};

/* ---- TCP reassembly (cap_tcp.c) ---- */

struct cap_seg {
	struct cap_seg *next;
	uint32_t seq;
	uint32_t frame;
	double ts;
	size_t len;
	uint8_t data[];
};

struct cap_tcpdir {
	bool have_seq;
	uint32_t next_seq;          /* next byte expected */
	bool have_base;
	uint32_t base_seq;          /* first sequence number seen (tshark's) */
	bool syn;                   /* SYN seen from this side */
	bool fin, rst;
	struct cap_seg *ooo;        /* out-of-order segments, sorted by seq */
	size_t ooo_bytes;
	bool have_ack;
	uint32_t ack;               /* highest ACK this side sent */
	struct cap_appdir app;
};

/* ---- flows (cap_flow.c) ---- */

#define CAP_ACK_WATCH 8

/* A request whose TCP acknowledgment we wait for (negotiate.no_response
 * measures how fast the server's stack ACKed it). */
struct cap_ack_watch {
	bool used;
	uint32_t end_seq;
	size_t conn;
	uint8_t step;
};

struct cap_smbconn;

/* The first bytes of a server that are not SMB's framing, and where
 * they came: another service on the port. */
struct cap_first_bytes {
	uint8_t b[32];
	uint8_t n;
	uint32_t frame;
	double at;
};

/* A NetBIOS NEGATIVE SESSION RESPONSE with its error code. */
static inline bool
cap_nbss_refusal(const uint8_t *p, size_t n)
{
	return n >= NBSS_HEADER_SIZE + 1 && p[0] == NBSS_NEGATIVE_RESPONSE && p[1] == 0 && p[2] == 0 && p[3] == 1;
}

struct cap_flow {
	struct cap_flow *hnext;     /* hash chain */
	struct cap_flow *lnext, *lprev;  /* LRU list, most recent first */
	struct cap_addr addr[2];    /* [0] = source of the first packet seen */
	uint16_t port[2];
	uint32_t stream;            /* tshark's tcp.stream */
	uint32_t hash;
	double first_ts, last_ts;
	enum cap_app app;
	enum nbss_transport transport;
	bool magic_checked[2];
	int client;                 /* index of the client side; -1 unknown */
	struct cap_tcpdir dir[2];
	struct cap_ack_watch watch[CAP_ACK_WATCH];
	uint32_t syn_frame, synack_frame;
	double syn_ts, synack_ts;
	bool synack_seen, rst_to_syn;
	struct cap_smbconn *smb;    /* SMB state, NULL until needed */
	/* A server that spoke before its client (an SSH banner): its first
	 * bytes, until the client's data shows whether the flow is SMB. */
	struct cap_first_bytes *server_first;
	bool krb_record_ok[2];
	bool krb_refusal_noted;     /* the RST to the SYN is in a Kerberos record */
};

/* ---- the analyzer ---- */

struct cap_tree_bind;
struct cap_krb_client;
struct smb2_message;
struct sd_crypto;

struct cap_analyzer {
	struct cap_opts opts;
	struct ev_timeline *t;
	struct cap_stats stats;
	size_t memory;              /* bytes held for buffers and flows */
	size_t timeline_memory;     /* bytes of evidence records (never given back) */
	size_t max_memory;
	double first_ts;
	bool have_first;
	double now;
	uint32_t frame;
	uint32_t next_stream;
	struct cap_flow **hash;
	size_t hash_slots;
	struct cap_flow *lru_head, *lru_tail;
	unsigned long n_flows;
	double next_expiry;
	struct cap_defrag *defrag;
	struct smb2_message *msg;   /* decode scratch (too large for the stack) */
	struct sd_crypto *crypto;   /* decryption only */
	uint8_t *plain;             /* decrypted messages, CAP_PDU_HEAD_MAX bytes */
	bool sealed;                /* the messages being analyzed came encrypted */
	/* (session id, tree id) -> path, across connections, for the dump's
	 * tree column (tshark binds trees by session, multichannel included). */
	struct cap_tree_bind *trees;
	size_t n_trees;
	/* Kerberos per-client pre-authentication state (cap_krb.c). */
	struct cap_krb_client *krb_clients;
	size_t n_krb_clients;
	/* UDP Kerberos requests not answered yet, for ICMP errors that quote
	 * them (cap_krb_refusal.c). */
	struct cap_krb_pending *krb_pending;
	size_t next_krb_pending;
};

/* Memory budget: false when n more bytes would go over it. */
bool cap_mem_take(struct cap_analyzer *a, size_t n);
/* Evidence records get half of the budget, reassembly the other half, so
 * neither can starve the other. False (and counted) when full. */
bool cap_timeline_take(struct cap_analyzer *a, size_t n);
void cap_mem_give(struct cap_analyzer *a, size_t n);

double cap_rel_time(const struct cap_analyzer *a, double ts);
void cap_addr_text(const struct cap_addr *addr, uint16_t port, char *out, size_t cap);
/* The address alone: "10.0.0.5", "[fd00:0:0:0:0:0:0:5]". */
void cap_addr_ip_text(const struct cap_addr *addr, char *out, size_t cap);
bool cap_addr_eq(const struct cap_addr *x, const struct cap_addr *y);

struct cap_flow *cap_flow_lookup(struct cap_analyzer *a, const struct cap_pkt *pkt, int *dir);
/* The flow of pkt's addresses and ports, or NULL: never makes one. */
struct cap_flow *cap_flow_find(struct cap_analyzer *a, const struct cap_pkt *pkt, int *dir);
void cap_flow_expire(struct cap_analyzer *a, bool all);
void cap_flow_free_all(struct cap_analyzer *a);
bool cap_is_smb_port(const struct cap_analyzer *a, uint16_t port);
/* 88, or a port given with --krb-port. */
bool cap_is_krb_port(const struct cap_analyzer *a, uint16_t port);

void cap_tcp_segment(struct cap_analyzer *a, struct cap_flow *f, int dir, const struct cap_pkt *pkt);
/* Delivers everything still held (holes become gaps). */
void cap_tcp_flush(struct cap_analyzer *a, struct cap_flow *f);
void cap_tcp_free(struct cap_analyzer *a, struct cap_flow *f);

/* In-order bytes from reassembly, and holes. */
void cap_stream_data(struct cap_analyzer *a, struct cap_flow *f, int dir, uint32_t seq, const uint8_t *p,
		     size_t n);
/* snapped: the bytes were cut by the snap length (the PDU's head is shown
 * as it is, as tshark does); otherwise they were lost. */
void cap_stream_gap(struct cap_analyzer *a, struct cap_flow *f, int dir, size_t n, bool snapped);
void cap_stream_free(struct cap_analyzer *a, struct cap_flow *f);
/* SMB on an unnamed port: the first data of a direction starts with a
 * direct-TCP header and an SMB protocol id. */
void cap_stream_probe_magic(struct cap_flow *f, int dir, const uint8_t *p, size_t n);

/* ---- SMB (cap_smb.c) ---- */

/* One complete (or head-only: truncated) PDU, 4-byte header included;
 * end_seq is the TCP sequence number just past it. */
void cap_smb_pdu(struct cap_analyzer *a, struct cap_flow *f, int dir, const uint8_t *p, size_t len,
		 bool truncated, uint32_t end_seq);
/* TCP events that matter to the SMB connection. */
void cap_smb_tcp_event(struct cap_analyzer *a, struct cap_flow *f, int dir, const struct cap_pkt *pkt);
/* The flow is going away (expiry or end of input). */
void cap_smb_flow_end(struct cap_analyzer *a, struct cap_flow *f);
/* The server's first data on a flow seen from its SYN (SMB by port, or
 * not known yet while the client has sent nothing): kept when it is not
 * SMB, so that an unanswered NEGOTIATE becomes "not SMB". */
void cap_smb_server_first_bytes(struct cap_analyzer *a, struct cap_flow *f, const uint8_t *p, size_t n);
void cap_smb_finish(struct cap_analyzer *a);
void cap_smb_free(struct cap_analyzer *a, struct cap_flow *f);
/* Makes sure the flow has its evidence connection (SYN to an SMB port). */
struct cap_smbconn *cap_smb_conn(struct cap_analyzer *a, struct cap_flow *f);

/* ---- Kerberos (cap_krb.c) ---- */

/* One Kerberos message (no record marker) from src to dst; udp: it came
 * in a UDP datagram (an ICMP error may quote it). */
void cap_krb_message(struct cap_analyzer *a, const struct cap_addr *src, uint16_t sport, const struct cap_addr *dst,
		     uint16_t dport, const uint8_t *p, size_t len, bool udp);
/* Ties Kerberos records to the SMB connections they served. */
void cap_krb_finish(struct cap_analyzer *a);
void cap_krb_free(struct cap_analyzer *a);

/* ---- refusals of Kerberos requests (cap_icmp.c, cap_krb_refusal.c) ---- */

/* An ICMP or ICMPv6 message (pkt->payload) from pkt->src. */
void cap_icmp_packet(struct cap_analyzer *a, const struct cap_pkt *pkt);

/* The UDP datagram or TCP segment quoted by a destination unreachable:
 * its IP addresses and ports, for tying the refusal to what it refused. */
struct cap_icmp_unreach {
	uint8_t type, code;
	uint8_t proto;              /* CAP_PROTO_UDP or CAP_PROTO_TCP */
	struct cap_addr src, dst;   /* of the quoted datagram */
	uint16_t sport, dport;
};

enum cap_icmp_result {
	CAP_ICMP_UNREACH = 0,       /* a destination unreachable quoting UDP or TCP: out filled */
	CAP_ICMP_OTHER,             /* another ICMP message, or a quote of something else */
	CAP_ICMP_TRUNCATED,         /* the message or its quote ends before the first 8 bytes of UDP / TCP */
};

/* Reads an ICMPv4 (family 4) or ICMPv6 (family 6) message p/len. */
enum cap_icmp_result cap_icmp_unreach_decode(const uint8_t *p, size_t len, uint8_t family,
					     struct cap_icmp_unreach *out);
/* The fixed 20 bytes of an IPv4 header (cap_ip.c), as they stand: the
 * callers judge them (a packet's header, or one an ICMP error quotes). */
struct cap_ipv4_header {
	uint8_t version;
	size_t ihl;                  /* header length in bytes */
	size_t total;                /* total length */
	uint16_t id, frag;           /* frag: flags and offset */
	uint8_t proto;
	struct cap_addr src, dst;
};

/* False when p/len ends before the 20 bytes. */
bool cap_ipv4_header_read(const uint8_t *p, size_t len, struct cap_ipv4_header *h);

/* The fixed 40 bytes of an IPv6 header, likewise. */
struct cap_ipv6_header {
	size_t payload_len;
	uint8_t next;                /* the first next header */
	struct cap_addr src, dst;
};

/* False when p/len ends before the 40 bytes. */
bool cap_ipv6_header_read(const uint8_t *p, size_t len, struct cap_ipv6_header *h);
/* Follows IPv6 extension headers (cap_ip.c); see there. */
enum cap_l3 cap_ip6_chain(const uint8_t *p, size_t len, size_t end, size_t *off, uint8_t *next,
			  bool stop_at_fragment);

/* Called for every Kerberos record of a request or an answer, from a UDP
 * datagram or a TCP record (request: src is the client; else src is the
 * KDC, which answered). For an answer, the index in the timeline's krb
 * array of the request it answers (the newest from that client port to
 * that KDC port), SIZE_MAX when none is known. */
size_t cap_krb_pending_note(struct cap_analyzer *a, const struct cap_addr *src, uint16_t sport,
			    const struct cap_addr *dst, uint16_t dport, size_t record, bool request, bool udp);
/* An ICMP destination unreachable from `from` (frame a->frame) quoting
 * the UDP datagram u: the newest pending request of that client port to
 * that KDC port not refused yet gets the refusal. */
void cap_krb_icmp_refusal(struct cap_analyzer *a, const struct cap_addr *from, uint8_t family,
			  const struct cap_icmp_unreach *u);
/* A Kerberos flow whose SYN the KDC's port answered with RST: one record
 * for the refused connection attempt (the client never got to send its
 * request, so there is no AS-REQ or TGS-REQ to tie it to). */
void cap_krb_tcp_refused(struct cap_analyzer *a, struct cap_flow *f, const struct cap_pkt *rst);
/* The same for an ICMP destination unreachable quoting the client's SYN
 * (a firewall's REJECT): the flow of the quoted segment, if its
 * handshake never completed. */
void cap_krb_icmp_tcp_refusal(struct cap_analyzer *a, const struct cap_addr *from, uint8_t family,
			      const struct cap_icmp_unreach *u);
void cap_krb_pending_free(struct cap_analyzer *a);

#define CAP_KRB_PORT 88

/* NTSTATUS values the analysis reads. */
#define CAP_STATUS_PENDING 0x00000103u
#define CAP_STATUS_MORE_PROCESSING 0xC0000016u

#endif
