/* IPv4 / IPv6 decoding and fragment reassembly (src/capture/cap_ip.c,
 * cap_defrag.c) without the pcap container in the way: the input is a
 * sequence of raw IP packets, each as [time step in ms: 1 byte][length:
 * 2 bytes big-endian][packet], fed to the analyzer as DLT_RAW; the rules
 * run at the end. A small memory budget makes the reassembly limits trip.
 * fuzz_capture covers the same code through pcap files (its corpus holds
 * a real IPv6-fragmented Kerberos capture).
 *
 * Seeds (corpus/ip/): made by tests/fuzz/make_ip_seeds.py — a KRB-ERROR
 * in IPv6 fragments (in order, reversed, with extension headers, atomic,
 * overlapping, duplicated) and in IPv4 fragments; a UDP AS-REQ refused by
 * ICMP / ICMPv6 destination unreachable (whole, cut and extension-header
 * quotes, a fragmented ICMP message) and a TCP reset to a SYN on port 88
 * (src/capture/cap_icmp.c, cap_krb_refusal.c). */
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "capture/cap.h"
#include "diag/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MEMORY ((size_t)1024 * 1024)
#define RECORD_HEAD 3

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_opts opts = {.max_memory = FUZZ_MEMORY};
	struct ev_timeline t;
	struct cap_analyzer *a;
	double ts = 1.0;
	size_t at = 0;

	ev_timeline_init(&t, EV_MODE_ANALYZE);
	a = cap_analyzer_new(&opts, &t);
	if (a == NULL) {
		ev_timeline_cleanup(&t);
		return 0;
	}
	while (size - at >= RECORD_HEAD) {
		size_t n = (size_t)data[at + 1] << 8 | data[at + 2];

		ts += data[at] * 0.001 * (data[at] == 0xFF ? 1000 : 1);  /* 0xFF: a long pause (timeouts) */
		at += RECORD_HEAD;
		if (n > size - at)
			n = size - at;
		cap_analyzer_packet(a, ts, data + at, n, n, DLT_RAW);
		at += n;
	}
	cap_analyzer_finish(a);
	rules_run(&t);
	cap_analyzer_free(a);
	ev_timeline_cleanup(&t);
	return 0;
}
