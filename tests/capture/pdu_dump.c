/* pdu_dump: prints every complete SMB PDU (NetBIOS or direct-TCP framing,
 * 4-byte header included) of a capture, one per line:
 *
 *   frame <TAB> tcp stream <TAB> c2s|s2c <TAB> hex
 *
 * frame is the frame whose bytes completed the PDU. Tests only: the fuzz
 * seed maker (tests/fuzz/seeds_from_captures.py) reads it, so seeds come
 * from captures at the time they are wanted instead of being copied.
 *
 * Usage: pdu_dump [-p PORT]... CAPTURE   (-p: SMB also on PORT)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "walk_flow.h"
#include "walk_pcap.h"

static void
on_pdu(void *ctx, struct walk_flow *flow, int dir, unsigned long frame, const uint8_t *p, size_t len,
       bool truncated)
{
	size_t i;

	(void)ctx;
	if (truncated)
		return;
	printf("%lu\t%u\t%s\t", frame, flow->stream, dir == walk_flow_server_side(flow) ? "s2c" : "c2s");
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct walk_pcap_opts opts = {0};
	struct walk_table *t;
	int opt, rc;

	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt != 'p' || !walk_pcap_add_smb_port(&opts, optarg)) {
			fprintf(stderr, "usage: pdu_dump [-p PORT]... CAPTURE\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: pdu_dump [-p PORT]... CAPTURE\n");
		return 2;
	}
	t = walk_table_new(on_pdu, NULL, false);
	if (!t) {
		fprintf(stderr, "pdu_dump: out of memory\n");
		return 1;
	}
	rc = walk_pcap_read("pdu_dump", argv[optind], t, &opts);
	walk_table_free(t);
	return rc;
}
