/* A pcapng reader for what libpcap refuses: a file whose interfaces have
 * different link types (Wireshark or dumpcap capturing on two interfaces,
 * `-i eth0 -i any`) or different snap lengths. libpcap's reader keeps one
 * link type per file and gives up on such a file, so `analyze` falls back
 * to this one (cap_pcapng.c) and keeps each interface's link type per
 * packet. Hand-written for that reason only: every other file goes through
 * libpcap.
 *
 * Sans-I/O: the caller reads a block's first 12 bytes, asks for its
 * length, reads the rest and hands the whole block over. Blocks read:
 * Section Header (byte order, a new set of interfaces), Interface
 * Description (link type, snap length, if_tsresol, if_tsoffset), Enhanced
 * Packet, Simple Packet and the obsolete Packet block; the others are
 * skipped. (draft-ietf-opsawg-pcapng, sections 4.1 to 4.4 and 4.6.)
 */
#ifndef SMBDIAG_CAPTURE_PCAPNG_READ_H
#define SMBDIAG_CAPTURE_PCAPNG_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define PCAPNG_READ_MAX_INTERFACES 256
/* A block larger than this is refused: no packet needs it, and the reader
 * must not be made to allocate whatever a header claims. */
#define PCAPNG_READ_MAX_BLOCK (16u << 20)
#define PCAPNG_READ_HEADER 12    /* bytes needed to know a block's length */

struct pcapng_interface {
	uint16_t linktype;
	uint32_t snaplen;         /* 0: none */
	uint64_t units_per_second;
	int64_t offset_seconds;
};

struct pcapng_reader {
	bool in_section;          /* a Section Header Block was read */
	bool swapped;             /* the section's byte order is not little-endian */
	unsigned n_interfaces;
	struct pcapng_interface interfaces[PCAPNG_READ_MAX_INTERFACES];
};

struct pcapng_packet {
	unsigned interface;
	uint16_t linktype;
	double ts;                /* seconds since 1970 */
	const uint8_t *data;      /* inside the block handed over */
	uint32_t caplen;
	uint32_t len;             /* on the wire */
};

void pcapng_reader_init(struct pcapng_reader *r);

/* True when p starts with a Section Header Block's type. */
bool pcapng_is_pcapng(const uint8_t *p, size_t len);

/* The Block Total Length of the block at p, from its first
 * PCAPNG_READ_HEADER bytes. Errors: SD_ERR_TRUNCATED (fewer bytes),
 * SD_ERR_MALFORMED (a length below 12 or not a multiple of 4, a Section
 * Header without its byte-order magic, a first block that is not a Section
 * Header), SD_ERR_LIMIT (above PCAPNG_READ_MAX_BLOCK). */
enum sd_err pcapng_block_length(const struct pcapng_reader *r, const uint8_t *p, size_t len, uint32_t *block_len);

/* Reads one whole block (len = its Block Total Length). *pkt is filled and
 * *has_packet set for a packet block. Errors: SD_ERR_TRUNCATED,
 * SD_ERR_MALFORMED (the trailing length differs, a captured length past
 * the block, an option running past the block, a time resolution no clock
 * has), SD_ERR_NOT_FOUND (a packet of an interface not described),
 * SD_ERR_LIMIT (more than PCAPNG_READ_MAX_INTERFACES interfaces). */
enum sd_err pcapng_block_read(struct pcapng_reader *r, const uint8_t *p, size_t len, struct pcapng_packet *pkt,
			      bool *has_packet);

/* Whether the interfaces read so far differ in link type or snap length:
 * what libpcap's reader refuses. */
bool pcapng_interfaces_differ(const struct pcapng_reader *r);

#endif
