/* The whole capture pipeline from pcap bytes to findings: libpcap reads
 * the input from memory (pcap or pcapng), the analyzer reassembles and
 * decodes, the rules run. Nothing may crash, leak or read out of bounds,
 * whatever the bytes. A small memory budget makes the limits trip too.
 *
 * Seeds (corpus/capture/): unmodified small captures of the public corpus
 * (../shared/captures, MANIFEST.md): zeek/zeek (BSD-3-Clause),
 * OISF/suricata-verify (MIT), arkime/arkime (Apache-2.0): SMB2 with an SMB1
 * upgrade, NetBIOS on 139, pcapng, Kerberos over TCP (split records) and
 * UDP, a malformed KRB-ERROR. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/cap.h"
#include "diag/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MEMORY ((size_t)4 * 1024 * 1024)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_opts opts = {.max_memory = FUZZ_MEMORY, .n_smb_ports = 1, .smb_ports = {4455}};
	struct cap_source src = {0};
	struct ev_timeline t;
	struct cap_analyzer *a;
	char errbuf[256];
	FILE *fp;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "rb");
	if (fp == NULL)
		return 0;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	a = cap_analyzer_new(&opts, &t);
	if (a == NULL) {
		fclose(fp);
		ev_timeline_cleanup(&t);
		return 0;
	}
	src.stream = fp;  /* closed by cap_run */
	cap_run(a, &src, errbuf, sizeof(errbuf));
	cap_analyzer_finish(a);
	rules_run(&t);
	cap_analyzer_free(a);
	ev_timeline_cleanup(&t);
	return 0;
}
