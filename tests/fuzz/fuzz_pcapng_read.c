/* Reads the input as a pcapng file, block by block, as analyze's own
 * pcapng reader does: every packet it gives must lie inside its block,
 * and every block length it accepts inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "capture/pcapng_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pcapng_reader r;
	size_t off = 0;

	pcapng_reader_init(&r);
	(void)pcapng_is_pcapng(data, size);
	while (off < size) {
		struct pcapng_packet pkt;
		bool has_packet;
		uint32_t len;

		if (pcapng_block_length(&r, data + off, size - off, &len) != SD_OK || len > size - off)
			break;
		if (pcapng_block_read(&r, data + off, len, &pkt, &has_packet) != SD_OK)
			break;
		if (has_packet && (pkt.data < data + off || pkt.data + pkt.caplen > data + off + len ||
				   pkt.linktype != r.interfaces[pkt.interface].linktype))
			abort();
		off += len;
	}
	return 0;
}
