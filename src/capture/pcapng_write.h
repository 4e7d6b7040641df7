/* A small pcapng writer for `smbdiag probe --save-capture FILE.pcapng`: the
 * probe's own exchange, wrapped in synthetic IPv4/IPv6 + TCP headers with
 * the real addresses, ports and times, so that Wireshark and tshark follow
 * the TCP stream and dissect it as SMB2.
 *
 * Format (pcapng, draft-ietf-opsawg-pcapng): one Section Header Block, one
 * Interface Description Block with LINKTYPE_RAW (101: each packet starts
 * with its IPv4 or IPv6 header, so one interface carries both families
 * and no fake MAC addresses are needed), then one Enhanced Packet Block
 * per segment with a microsecond timestamp (the IDB's default
 * resolution). Everything is written little-endian.
 *
 * Three layers:
 *  - block builders: pure functions that append block bytes to a struct
 *    sd_wr (testable without files);
 *  - a writer: the blocks go to a sink (a FILE opened by pcapng_open, or a
 *    caller's callback);
 *  - a per-connection helper that keeps TCP sequence numbers and emits the
 *    handshake, data segments (at most PCAPNG_MAX_SEGMENT bytes each) with
 *    the peer's ACKs, and FIN or RST.
 *
 * tshark dissects SMB only on ports 445 / 139 unless told: for a probe that
 * talked to another port, read the file with `-d tcp.port==N,nbss`
 * (Wireshark: Decode As... TCP port N -> NBSS). The real ports are kept.
 */
#ifndef SMBDIAG_CAPTURE_PCAPNG_WRITE_H
#define SMBDIAG_CAPTURE_PCAPNG_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "core/err.h"
#include "core/wire/cursor.h"

#define PCAPNG_LINKTYPE_RAW 101
#define PCAPNG_BLOCK_SHB 0x0A0D0D0Au
#define PCAPNG_BLOCK_IDB 0x00000001u
#define PCAPNG_BLOCK_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du

/* TCP flags for pcapng_add_tcp. */
#define PCAPNG_TCP_FIN 0x01
#define PCAPNG_TCP_SYN 0x02
#define PCAPNG_TCP_RST 0x04
#define PCAPNG_TCP_PSH 0x08
#define PCAPNG_TCP_ACK 0x10

#define PCAPNG_IPV4_HEADER 20
#define PCAPNG_IPV6_HEADER 40
#define PCAPNG_TCP_HEADER 20
/* Largest TCP payload one synthetic segment carries: fits the 16-bit IPv4
 * total length with room to spare. */
#define PCAPNG_MAX_SEGMENT 65000
/* Largest packet (IPv6 + TCP + payload) and EPB. */
#define PCAPNG_MAX_PACKET (PCAPNG_IPV6_HEADER + PCAPNG_TCP_HEADER + PCAPNG_MAX_SEGMENT)
#define PCAPNG_EPB_OVERHEAD 32
#define PCAPNG_MAX_EPB (PCAPNG_EPB_OVERHEAD + PCAPNG_MAX_PACKET + 3)

/* --- block builders (pure) ----------------------------------------- */

/* Section Header Block, with shb_userappl = app when app is not NULL.
 * Section length "unknown" (-1), version 1.0. */
enum sd_err pcapng_build_shb(struct sd_wr *w, const char *app);
/* Interface Description Block: link type LINKTYPE_RAW, snap length 0 (no
 * limit), no options (microsecond timestamps). */
enum sd_err pcapng_build_idb(struct sd_wr *w);
/* Enhanced Packet Block for interface 0 holding packet[len] whole. */
enum sd_err pcapng_build_epb(struct sd_wr *w, uint64_t unix_us, const uint8_t *packet, size_t len);
/* An IPv4 or IPv6 packet (by the family of src; dst must match) carrying
 * one TCP segment, checksums filled in. SD_ERR_INVALID_ARG for families
 * other than AF_INET / AF_INET6 or different ones, or a payload above
 * PCAPNG_MAX_SEGMENT. */
enum sd_err pcapng_build_tcp(struct sd_wr *w, const struct sockaddr *src, const struct sockaddr *dst, uint32_t seq,
			     uint32_t ack, uint8_t flags, const uint8_t *payload, size_t len);

/* --- writer -------------------------------------------------------- */

/* Receives finished blocks; returns false when it could not store them. */
typedef bool (*pcapng_sink_fn)(void *user, const uint8_t *p, size_t len);

struct pcapng_writer;

/* Creates (truncates) path and writes the SHB and IDB. SD_ERR_IO with
 * errno set when the file cannot be created, SD_ERR_NOMEM. */
enum sd_err pcapng_open(const char *path, struct pcapng_writer **out);
/* Same onto a caller's sink (tests, memory buffers). */
enum sd_err pcapng_open_sink(pcapng_sink_fn sink, void *user, struct pcapng_writer **out);
/* One segment as an EPB. SD_ERR_INVALID_ARG as pcapng_build_tcp, SD_ERR_IO
 * when the sink fails (the writer then stays failed: later calls return
 * SD_ERR_IO too). */
enum sd_err pcapng_add_tcp(struct pcapng_writer *w, const struct sockaddr *src, const struct sockaddr *dst,
			   uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload, size_t len,
			   uint64_t unix_us);
/* Flushes and closes (the file, for pcapng_open) and frees w. SD_ERR_IO
 * when anything failed to be written. Accepts NULL. */
enum sd_err pcapng_close(struct pcapng_writer *w);

/* --- one TCP connection -------------------------------------------- */

enum pcapng_dir {
	PCAPNG_C2S = 0,  /* client to server */
	PCAPNG_S2C = 1,
};

struct pcapng_conn {
	struct pcapng_writer *w;
	struct sockaddr_storage addr[2];  /* [PCAPNG_C2S] = client, [PCAPNG_S2C] = server */
	uint32_t next_seq[2];             /* next sequence number each side sends */
	bool established;
	bool closed;
};

/* Remembers the endpoints (copied) and initial sequence numbers; writes
 * nothing. */
enum sd_err pcapng_conn_init(struct pcapng_conn *c, struct pcapng_writer *w, const struct sockaddr *client,
			     const struct sockaddr *server, uint32_t client_isn, uint32_t server_isn);
/* SYN, SYN-ACK, ACK at unix_us. */
enum sd_err pcapng_conn_open(struct pcapng_conn *c, uint64_t unix_us);
/* Bytes one side sent: PSH-ACK segments of at most PCAPNG_MAX_SEGMENT
 * bytes, then the other side's ACK. Opens the connection first when
 * pcapng_conn_open was not called. SD_ERR_STATE after close. */
enum sd_err pcapng_conn_data(struct pcapng_conn *c, enum pcapng_dir dir, const uint8_t *p, size_t len,
			     uint64_t unix_us);
/* FIN-ACK from `by`, FIN-ACK back, last ACK. */
enum sd_err pcapng_conn_close(struct pcapng_conn *c, enum pcapng_dir by, uint64_t unix_us);
/* RST-ACK from `by` (a reset connection); on a connection never opened,
 * by PCAPNG_S2C writes the client's SYN first (a refused connection). */
enum sd_err pcapng_conn_reset(struct pcapng_conn *c, enum pcapng_dir by, uint64_t unix_us);

#endif
