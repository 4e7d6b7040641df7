/* Reading a pcapng file with pcapng_read.h when libpcap cannot: each
 * interface keeps its own link type (cap_pcap.c decides when). */
#ifndef SMBDIAG_CAPTURE_CAP_PCAPNG_H
#define SMBDIAG_CAPTURE_CAP_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/cap.h"

/* Whether the first section of the pcapng file f (read from where it
 * stands) describes, before its first packet, interfaces that differ in
 * link type or snap length: what libpcap cannot read. False for anything
 * else, a pcap file or a damaged one included (libpcap then says why). */
bool cap_pcapng_interfaces_differ(FILE *f);

/* Standard input cannot be read twice: the same question for a stream,
 * answered by reading its leading blocks (a pcapng's section and
 * interfaces, up to the first packet; 4 bytes of anything else) into
 * memory. Returns a stream that gives those bytes again, then the rest of
 * `in` (closing it frees them, not `in`); NULL when out of memory. */
FILE *cap_pcapng_peek_stream(FILE *in, bool *differ);

/* Every packet of the pcapng file f (read from its start; total: its size
 * for progress, 0 unknown) into the analyzer. Packets of an interface
 * whose link type the analyzer does not read are skipped; a file with no
 * packet it can read but some it cannot is SD_ERR_UNSUPPORTED. SD_ERR_IO
 * and the other reader errors with errbuf saying which block. */
enum sd_err cap_run_pcapng(struct cap_analyzer *a, const struct cap_source *src, FILE *f, uint64_t total,
			   char *errbuf, size_t errcap);

#endif
