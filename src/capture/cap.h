/* The capture analyzer: packets in, evidence timeline out.
 *
 * Pipeline: link layer (cap_link.c) -> IPv4/IPv6 (cap_ip.c) with fragment
 * reassembly for both (cap_defrag.c) -> flow table with tshark-compatible stream numbers
 * (cap_flow.c) -> TCP reassembly per direction (cap_tcp.c) -> framing of
 * NetBIOS / direct-TCP PDUs and Kerberos TCP records (cap_stream.c) ->
 * SMB analysis (cap_smb.c, cap_auth.c) and Kerberos analysis (cap_krb.c)
 * filling a struct ev_timeline (diag/evidence.h).
 *
 * Memory is bounded: every buffer counts against one budget
 * (cap_opts.max_memory); what does not fit is dropped and counted in
 * struct cap_stats, never silently. The analyzer does no I/O itself except
 * through cap_pcap.c, which drives it from libpcap.
 */
#ifndef SMBDIAG_CAPTURE_CAP_H
#define SMBDIAG_CAPTURE_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag/evidence.h"

#define CAP_MAX_SMB_PORTS 8
#define CAP_DEFAULT_MAX_MEMORY ((size_t)256 * 1024 * 1024)
/* The default live-capture filter (SMB direct, NetBIOS session, Kerberos). */
#define CAP_DEFAULT_FILTER "tcp port 445 or tcp port 139 or port 88"

/* A session's GSS session key given by hand (as Wireshark's SMB2 session
 * key table): decrypts that session without a password. */
struct cap_session_key {
	uint64_t session_id;
	uint8_t key[32];
	size_t len;                             /* 16 or 32 */
};

#define CAP_MAX_SESSION_KEYS 8
#define CAP_MAX_KRB_PORTS 8

/* Kerberos keys of one AP-REQ / AP-REP exchange (RFC 4120 5.5): the
 * ticket's session key and the subkeys of both sides; len 0: absent. */
#define CAP_KRB_KEY_MAX 64
struct cap_krb_key {
	int32_t enctype;
	size_t len;
	uint8_t v[CAP_KRB_KEY_MAX];
};

struct cap_krb_keys {
	struct cap_krb_key ticket, initiator, acceptor;
	char client[256];                       /* the ticket's client, "alice@REALM" */
	bool has_kvno;
	uint32_t kvno;                          /* of the service key that decrypted the ticket */
};

enum cap_krb_keys_result {
	CAP_KRB_KEYS_OK = 0,
	CAP_KRB_KEYS_NO_KEY,                    /* no service key for the ticket's enctype */
	CAP_KRB_KEYS_WRONG_KEY,                 /* keys tried, none decrypts (stale keytab, other kvno) */
	CAP_KRB_KEYS_UNDECODABLE,               /* not an AP-REQ / AP-REP, or the plaintext does not decode */
	CAP_KRB_KEYS_FAILED,                    /* the Kerberos library failed */
};

/* Where Kerberos service keys come from (capture/keytab.h implements it
 * with MIT krb5 and a keytab). Behind pointers so that the analyzer itself
 * stays free of the Kerberos library and of file I/O. token: the mechanism
 * token of a SESSION_SETUP (GSS-framed or bare). ap_req fills keys (zeroed
 * first); ap_rep adds the acceptor subkey to keys from the AP-REQ. */
struct cap_krb_keysource {
	void *ctx;
	enum cap_krb_keys_result (*ap_req)(void *ctx, const uint8_t *token, size_t len, struct cap_krb_keys *keys);
	enum cap_krb_keys_result (*ap_rep)(void *ctx, const uint8_t *token, size_t len, struct cap_krb_keys *keys);
};

/* The GSS session key SMB uses (MS-SMB2 3.2.5.3.1 "the cryptographic key
 * queried from GSS"; RFC 4121 2: the acceptor's subkey when it sent one,
 * else the initiator's, else the ticket's session key). NULL: none. */
const struct cap_krb_key *cap_krb_gss_key(const struct cap_krb_keys *keys);

struct cap_opts {
	uint16_t smb_ports[CAP_MAX_SMB_PORTS];  /* besides 445 and 139 */
	unsigned n_smb_ports;
	/* Bytes; 0: CAP_DEFAULT_MAX_MEMORY. Half for reassembly and flows,
	 * half for the evidence records (connections, Kerberos). */
	size_t max_memory;
	/* Machine-readable dump of every SMB2 message and Kerberos message, one
	 * line each (tests compare it with tshark); NULL: none. */
	FILE *dump;
	/* Tests: hand every TCP payload to the framer one byte at a time (the
	 * result must not change). */
	bool byte_at_a_time;
	/* Decryption of encrypted sessions (core/proto/keytrack.h): the
	 * user's password or NT hash (16 bytes), and/or session keys. */
	const char *password;
	const uint8_t *nt_hash;
	struct cap_session_key session_keys[CAP_MAX_SESSION_KEYS];
	unsigned n_session_keys;
	/* Kerberos-authenticated sessions (analyze --keytab); NULL: none. */
	const struct cap_krb_keysource *krb_keys;
	/* Kerberos is also on these ports (a KDC on a high port), besides 88. */
	uint16_t krb_ports[CAP_MAX_KRB_PORTS];
	unsigned n_krb_ports;
};

/* Counters of everything seen, skipped or dropped. */
struct cap_stats {
	unsigned long frames, bytes;
	unsigned long not_ip, not_tcp_udp, truncated, bad_linktype;
	unsigned long fragments, reassembled, fragments_dropped;
	unsigned long fragments_malformed;       /* overlapping or inconsistent fragments (also dropped) */
	unsigned long tcp_segments, udp_datagrams;
	unsigned long flows, flows_expired, flows_dropped;
	unsigned long retransmissions, overlaps, out_of_order, gaps, gap_bytes, snapped;
	unsigned long ooo_dropped;               /* out-of-order bytes over the memory budget */
	unsigned long resync_bytes, desyncs, oversize_pdus;
	unsigned long smb_pdus, smb2_messages, smb1_messages, transforms, compressed;
	unsigned long decode_errors, unmatched_responses, pending_dropped;
	unsigned long krb_messages, krb_decode_errors;
	unsigned long krb_tickets_decrypted, krb_tickets_not_decrypted;  /* --keytab */
	unsigned long steps_dropped, steps_compacted;  /* a connection's EV_MAX_STEPS were full */
	unsigned long records_dropped;           /* connections / Kerberos records over the budget */
	size_t memory_peak;
};

struct cap_analyzer;

/* t must outlive the analyzer; records are appended to it. NULL when out
 * of memory, or when decryption was asked for and libcrypto cannot do it
 * (no MD4 for the password). */
struct cap_analyzer *cap_analyzer_new(const struct cap_opts *opts, struct ev_timeline *t);
void cap_analyzer_free(struct cap_analyzer *a);

/* One captured frame: ts in seconds (Unix time), caplen bytes captured of
 * wirelen, linktype a pcap DLT_* value. */
void cap_analyzer_packet(struct cap_analyzer *a, double ts, const uint8_t *p, size_t caplen, size_t wirelen,
			 int linktype);
/* End of input: flushes reassembly, marks unanswered requests, ties
 * Kerberos exchanges to SMB connections. Call once, before rules_run. */
void cap_analyzer_finish(struct cap_analyzer *a);

const struct cap_stats *cap_analyzer_stats(const struct cap_analyzer *a);
/* True for the link types cap_analyzer_packet decodes. */
bool cap_linktype_supported(int linktype);

/* ---- cap_pcap.c: driving the analyzer from libpcap ---- */

/* Progress callback for long files: bytes read so far of total (0 when
 * unknown). */
typedef void (*cap_progress_fn)(void *ctx, uint64_t done, uint64_t total);

struct cap_source {
	const char *path;          /* file, or "-" for standard input */
	FILE *stream;              /* instead of path: an open stream, closed by cap_run */
	const char *iface;         /* live capture instead */
	const char *filter;        /* BPF for live capture; NULL: CAP_DEFAULT_FILTER */
	double duration;           /* live: stop after this many seconds; <= 0 never */
	volatile int *stop;        /* set non-zero (signal handler) to stop */
	cap_progress_fn progress;
	void *progress_ctx;
};

/* Reads every packet of the source into the analyzer (not finish).
 * SD_OK, SD_ERR_IO (cannot open or read: errbuf says why),
 * SD_ERR_UNSUPPORTED (link type). */
enum sd_err cap_run(struct cap_analyzer *a, const struct cap_source *src, char *errbuf, size_t errcap);

#endif
