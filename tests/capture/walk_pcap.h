/* Reading a capture file for the walker programs (tests only): smb2_walk
 * here, decrypt_capture and pcapng_replay in tests/interop.
 *
 * libpcap reads the frames; the product's own link, IP and TCP header
 * decoder (cap_link_decode in src/capture/cap_link.c and cap_ip.c, IP
 * reassembly included) turns each one into a TCP segment, so comparing a
 * walker's output with tshark also checks that decoder; the walker's flow
 * table (walk_flow.h) frames the SMB PDUs. The decoder keeps its fragment
 * state in a cap_analyzer, so the reader owns one and uses nothing else of
 * it. Frames that carry no TCP segment are counted in walk_stats.
 */
#ifndef SMBDIAG_TESTS_CAPTURE_WALK_PCAP_H
#define SMBDIAG_TESTS_CAPTURE_WALK_PCAP_H

#include <pcap/pcap.h>

#include "walk_flow.h"

#define WALK_MAX_SMB_PORTS 8

/* Called with a frame's pcap header before its TCP segment is fed. */
typedef void (*walk_frame_hook)(void *ctx, const struct pcap_pkthdr *ph);

struct walk_pcap_opts {
	/* More ports of SMB over direct TCP (a test's smbd on a high port).
	 * The flow table frames SMB on 445 and 139 only and takes that port
	 * for the server's side, so these are rewritten to 445. */
	uint16_t smb_ports[WALK_MAX_SMB_PORTS];
	unsigned n_smb_ports;
	walk_frame_hook hook;      /* NULL: none */
	void *ctx;
};

/* Adds a port given on the command line; false when it is not a port or
 * the list is full. */
bool walk_pcap_add_smb_port(struct walk_pcap_opts *o, const char *arg);

/* Feeds every frame of the capture at path to t. prog prefixes the
 * messages on stderr; opts may be NULL. 0: read to the end; 1: out of
 * memory; 2: the file cannot be opened or read. */
int walk_pcap_read(const char *prog, const char *path, struct walk_table *t, const struct walk_pcap_opts *opts);

/* The TCP or UDP payload of frame number `frame` (1-based, as tshark
 * counts) of the capture at path, copied into *out (malloc; the caller
 * frees). 0: found; 1: no such frame, or it carries no TCP or UDP
 * payload; 2: the file cannot be read; 3: out of memory. */
int walk_pcap_frame_payload(const char *path, unsigned long frame, uint8_t **out, size_t *len);
/* The SMB PDU (NetBIOS or direct-TCP framing, 4-byte header included)
 * that frame `frame` completed, for messages longer than a segment; the
 * same answers. */
int walk_pcap_frame_pdu(const char *path, unsigned long frame, uint8_t **out, size_t *len);

#endif
