/*
 * The floor of bench/analyze.sh: a libpcap loop that reads every packet of a
 * capture and only counts packets and captured bytes. Nothing that reads a
 * capture through libpcap can be faster, so smbdiag analyze is measured
 * against it. It reads through the same 1 MiB stdio buffer as smbdiag
 * (src/capture/cap_pcap.c): with stdio's default 4 KiB the floor would be
 * mostly read() calls.
 *
 * usage: pcap_count FILE    (prints "PACKETS BYTES")
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define READ_BUFFER (1u << 20)

struct pcap_tally {
	uint64_t packets;
	uint64_t bytes;
};

static void
tally_packet(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
	struct pcap_tally *tally = (struct pcap_tally *)user;

	/* libpcap has already read the packet into its buffer: counting is all. */
	(void)data;
	tally->packets++;
	tally->bytes += hdr->caplen;
}

int
main(int argc, char **argv)
{
	static char iobuf[READ_BUFFER];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_tally tally = { 0, 0 };
	pcap_t *pcap;
	FILE *f;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_count FILE\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (f == NULL) {
		fprintf(stderr, "pcap_count: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	pcap = pcap_fopen_offline(f, errbuf);
	if (pcap == NULL) {
		fclose(f);
		fprintf(stderr, "pcap_count: %s\n", errbuf);
		return 2;
	}
	rc = pcap_loop(pcap, -1, tally_packet, (u_char *)&tally);
	if (rc == PCAP_ERROR)
		fprintf(stderr, "pcap_count: %s\n", pcap_geterr(pcap));
	pcap_close(pcap);
	printf("%" PRIu64 " %" PRIu64 "\n", tally.packets, tally.bytes);
	return rc == PCAP_ERROR ? 1 : 0;
}
