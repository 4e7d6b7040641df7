/* IPv6 fragment reassembly of the capture analyzer (src/capture/cap_ip.c,
 * cap_defrag.c) on hand-built packets: a Kerberos KRB-ERROR in a UDP
 * datagram cut into IPv6 fragments, in and out of order, with extension
 * headers before and after the Fragment header; atomic fragments; exact
 * repeats; and the datagrams that must be dropped and counted as
 * malformed (overlaps, inconsistent ends, bad lengths), timed out, cut by
 * the snap length, or over the table and memory bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pcap/pcap.h>

#include "capture/cap.h"
#include "capture_packets.h"

#define NH_HOP_BY_HOP 0
#define NH_UDP 17
#define NH_FRAGMENT 44
#define NH_DEST_OPTS 60
#define KDC_TEXT "[fd00:0:0:0:0:0:0:1]:88"

static const uint8_t kdc_ip[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t client_ip[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};

/* The UDP datagram (header + KRB-ERROR) from the KDC; its size. With
 * dest_opts, an 8-byte Destination Options header comes first (it is part
 * of the fragmentable part, RFC 8200 4.5). */
static size_t
datagram(uint8_t *out, bool dest_opts)
{
	size_t at = 0, ulen = 8 + SAMPLE_KRB_ERROR_LEN;

	memset(out, 0, 256);
	if (dest_opts) {
		memset(out, 0, 8);
		out[0] = NH_UDP;
		out[2] = 1;  /* PadN, 4 bytes of padding */
		out[3] = 4;
		at = 8;
	}
	put16(out + at, 88);
	put16(out + at + 2, 50123);
	put16(out + at + 4, (uint16_t)ulen);
	put16(out + at + 6, 0);
	memcpy(out + at + 8, sample_krb_error(), SAMPLE_KRB_ERROR_LEN);
	return at + ulen;
}

struct frag_opts {
	uint32_t id;
	uint8_t first_next;       /* next header in the Fragment header */
	bool hop_by_hop;          /* an unfragmentable Hop-by-Hop header before it */
	size_t snap;              /* captured length; 0: all */
};

/* One IPv6 packet from the KDC holding a Fragment header and data[off..off+n). */
static void
send_frag(struct run *r, const struct frag_opts *fo, size_t off, bool more, const uint8_t *data, size_t n)
{
	uint8_t pkt[70000];
	size_t at = 40, len;
	uint16_t field = (uint16_t)((off / 8) << 3 | (more ? 1 : 0));

	assert_true(40 + 8 + 8 + n <= sizeof(pkt));
	memset(pkt, 0, 40);
	pkt[0] = 0x60;
	pkt[6] = fo->hop_by_hop ? NH_HOP_BY_HOP : NH_FRAGMENT;
	pkt[7] = 64;
	memcpy(pkt + 8, kdc_ip, 16);
	memcpy(pkt + 24, client_ip, 16);
	if (fo->hop_by_hop) {
		memset(pkt + at, 0, 8);
		pkt[at] = NH_FRAGMENT;
		pkt[at + 2] = 1;
		pkt[at + 3] = 4;
		at += 8;
	}
	pkt[at] = fo->first_next;
	pkt[at + 1] = 0;
	put16(pkt + at + 2, field);
	put32(pkt + at + 4, fo->id);
	at += 8;
	memcpy(pkt + at, data, n);
	len = at + n;
	put16(pkt + 4, (uint16_t)(len - 40));
	r->ts += 0.001;
	cap_analyzer_packet(r->a, r->ts, pkt, fo->snap ? fo->snap : len, len, DLT_RAW);
}

static void
assert_preauth_required(const struct run *r)
{
	assert_int_equal(r->t.n_krb, 1);
	assert_int_equal(r->t.krb[0].message, EV_KRB_ERROR);
	assert_true(r->t.krb[0].has_error);
	assert_int_equal(r->t.krb[0].error, 25);
	assert_string_equal(r->t.krb[0].realm, "R.COM");
	assert_string_equal(r->t.krb[0].sname, "krbtgt/R.COM");
	assert_string_equal(r->t.krb[0].kdc, KDC_TEXT);
}

/* Three fragments in the order last, first, middle. */
static void
three_fragments_out_of_order(void **state)
{
	uint8_t d[256];
	size_t n = datagram(d, false);
	struct frag_opts fo = {.id = 0x01020304, .first_next = NH_UDP};
	const struct cap_stats *s;
	struct run r;

	(void)state;
	assert_true(n > 48);
	run_start(&r, 0);
	send_frag(&r, &fo, 48, false, d + 48, n - 48);
	send_frag(&r, &fo, 0, true, d, 24);
	send_frag(&r, &fo, 24, true, d + 24, 24);
	s = run_finish(&r);
	assert_int_equal(s->fragments, 3);
	assert_int_equal(s->reassembled, 1);
	assert_int_equal(s->fragments_dropped, 0);
	assert_int_equal(s->fragments_malformed, 0);
	assert_preauth_required(&r);
	/* The datagram is dated by the fragment that completed it. */
	assert_int_equal(r.t.krb[0].frame, 3);
	run_end(&r);
}

/* Hop-by-Hop before the Fragment header, Destination Options after it:
 * the datagram's header chain goes on from the first fragment's next
 * header, whatever the later fragments say. */
static void
extension_headers_around_fragment(void **state)
{
	uint8_t d[256];
	size_t n = datagram(d, true);
	struct frag_opts first = {.id = 9, .first_next = NH_DEST_OPTS, .hop_by_hop = true};
	struct frag_opts rest = {.id = 9, .first_next = NH_UDP, .hop_by_hop = true};
	struct run r;

	(void)state;
	run_start(&r, 0);
	send_frag(&r, &rest, 32, false, d + 32, n - 32);
	send_frag(&r, &first, 0, true, d, 32);
	assert_int_equal(run_finish(&r)->reassembled, 1);
	assert_preauth_required(&r);
	run_end(&r);
}

/* RFC 6946: offset 0 and no more fragments is a whole datagram. */
static void
atomic_fragment(void **state)
{
	uint8_t d[256];
	size_t n = datagram(d, false);
	struct frag_opts fo = {.id = 5, .first_next = NH_UDP};
	const struct cap_stats *s;
	struct run r;

	(void)state;
	run_start(&r, 0);
	send_frag(&r, &fo, 0, false, d, n);
	s = run_finish(&r);
	assert_int_equal(s->reassembled, 0);
	assert_preauth_required(&r);
	run_end(&r);
}

/* A duplicated frame in the capture is no overlap. */
static void
exact_repeat_is_ignored(void **state)
{
	uint8_t d[256];
	size_t n = datagram(d, false);
	struct frag_opts fo = {.id = 6, .first_next = NH_UDP};
	const struct cap_stats *s;
	struct run r;

	(void)state;
	run_start(&r, 0);
	send_frag(&r, &fo, 0, true, d, 40);
	send_frag(&r, &fo, 0, true, d, 40);
	send_frag(&r, &fo, 40, false, d + 40, n - 40);
	s = run_finish(&r);
	assert_int_equal(s->reassembled, 1);
	assert_int_equal(s->fragments_malformed, 0);
	assert_preauth_required(&r);
	run_end(&r);
}

/* RFC 5722: overlapping fragments drop the whole datagram; the rest of it
 * arriving later starts a datagram that never completes. */
static void
overlap_drops_the_datagram(void **state)
{
	uint8_t d[256], other[256];
	size_t n = datagram(d, false);
	struct frag_opts fo = {.id = 7, .first_next = NH_UDP};
	const struct cap_stats *s;
	struct run r;

	(void)state;
	memcpy(other, d, n);
	other[20] ^= 0xFF;
	run_start(&r, 0);
	send_frag(&r, &fo, 0, true, d, 32);
	send_frag(&r, &fo, 16, true, other + 16, 16);  /* rewrites bytes 16..31 */
	send_frag(&r, &fo, 32, false, d + 32, n - 32);
	s = run_finish(&r);
	assert_int_equal(s->fragments_malformed, 1);
	assert_int_equal(s->reassembled, 0);
	assert_int_equal(r.t.n_krb, 0);
	run_end(&r);
}

/* A second, different end; data past a known end; a non-final fragment
 * whose length is not a multiple of 8; an offset past 64 KiB. */
static void
inconsistent_fragments_are_malformed(void **state)
{
	uint8_t d[256], big[2048];
	size_t n = datagram(d, false);
	struct frag_opts fo = {.id = 8, .first_next = NH_UDP};
	const struct cap_stats *s;
	struct run r;

	(void)state;
	memset(big, 0x41, sizeof(big));
	run_start(&r, 0);
	send_frag(&r, &fo, 40, false, d + 40, n - 40);
	send_frag(&r, &fo, 48, false, d + 48, n - 56);  /* another end */
	assert_int_equal(cap_analyzer_stats(r.a)->fragments_malformed, 1);
	fo.id = 10;
	send_frag(&r, &fo, 40, false, d + 40, n - 40);
	send_frag(&r, &fo, 0, true, d, 200);  /* past the end */
	assert_int_equal(cap_analyzer_stats(r.a)->fragments_malformed, 2);
	fo.id = 11;
	send_frag(&r, &fo, 0, true, d, 13);  /* not a multiple of 8 */
	assert_int_equal(cap_analyzer_stats(r.a)->fragments_malformed, 3);
	fo.id = 12;
	send_frag(&r, &fo, 65528, false, big, 16);  /* ends past 65535 */
	assert_int_equal(cap_analyzer_stats(r.a)->fragments_malformed, 4);
	fo.id = 13;
	send_frag(&r, &fo, 0, true, d, 48);
	send_frag(&r, &fo, 16, false, d + 16, 8);  /* an end inside held data */
	s = run_finish(&r);
	assert_int_equal(s->fragments_malformed, 5);
	assert_int_equal(s->reassembled, 0);
	assert_int_equal(r.t.n_krb, 0);
	run_end(&r);
}

/* Fragments further apart than the reassembly timeout do not join. */
static void
timeout_drops_the_datagram(void **state)
{
	uint8_t d[256];
	size_t n = datagram(d, false);
	struct frag_opts fo = {.id = 14, .first_next = NH_UDP};
	const struct cap_stats *s;
	struct run r;

	(void)state;
	run_start(&r, 0);
	send_frag(&r, &fo, 0, true, d, 40);
	r.ts += 31.0;
	send_frag(&r, &fo, 40, false, d + 40, n - 40);
	s = run_finish(&r);
	assert_int_equal(s->reassembled, 0);
	assert_true(s->fragments_dropped >= 1);
	assert_int_equal(r.t.n_krb, 0);
	run_end(&r);
}

/* A fragment cut by the snap length, and one whose Fragment header is
 * cut, are not used. */
static void
snapped_fragments_are_not_used(void **state)
{
	uint8_t d[256];
	size_t n = datagram(d, false);
	struct frag_opts fo = {.id = 15, .first_next = NH_UDP, .snap = 40 + 8 + 20};
	const struct cap_stats *s;
	struct run r;

	(void)state;
	run_start(&r, 0);
	send_frag(&r, &fo, 0, true, d, 40);
	fo.snap = 0;
	send_frag(&r, &fo, 40, false, d + 40, n - 40);
	fo.id = 16;
	fo.snap = 40 + 5;
	send_frag(&r, &fo, 0, true, d, 40);
	s = run_finish(&r);
	assert_int_equal(s->reassembled, 0);
	assert_int_equal(s->truncated, 2);
	assert_int_equal(r.t.n_krb, 0);
	run_end(&r);
}

/* Many datagrams that never complete: the table and the memory budget
 * hold, and a datagram sent afterwards still reassembles. */
static void
bounds_hold(void **state)
{
	uint8_t d[256];
	size_t n = datagram(d, false);
	struct frag_opts fo = {.first_next = NH_UDP};
	const struct cap_stats *s;
	struct run r;
	uint32_t i;

	(void)state;
	run_start(&r, 4 * 1024 * 1024);
	for (i = 0; i < 500; i++) {
		fo.id = 1000 + i;
		send_frag(&r, &fo, 0, true, d, 40);
	}
	s = cap_analyzer_stats(r.a);
	assert_true(s->fragments_dropped >= 500 - 64);
	assert_true(s->memory_peak <= 4 * 1024 * 1024);
	fo.id = 99;
	send_frag(&r, &fo, 0, true, d, 40);
	send_frag(&r, &fo, 40, false, d + 40, n - 40);
	s = run_finish(&r);
	assert_int_equal(s->reassembled, 1);
	assert_preauth_required(&r);
	run_end(&r);
}

/* Without the fragment at offset 0 there is no datagram. */
static void
missing_first_fragment(void **state)
{
	uint8_t d[256];
	size_t n = datagram(d, false);
	struct frag_opts fo = {.id = 20, .first_next = NH_UDP};
	const struct cap_stats *s;
	struct run r;

	(void)state;
	run_start(&r, 0);
	send_frag(&r, &fo, 40, false, d + 40, n - 40);
	send_frag(&r, &fo, 8, true, d + 8, 32);
	s = run_finish(&r);
	assert_int_equal(s->reassembled, 0);
	assert_int_equal(r.t.n_krb, 0);
	run_end(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(three_fragments_out_of_order),
		cmocka_unit_test(extension_headers_around_fragment),
		cmocka_unit_test(atomic_fragment),
		cmocka_unit_test(exact_repeat_is_ignored),
		cmocka_unit_test(overlap_drops_the_datagram),
		cmocka_unit_test(inconsistent_fragments_are_malformed),
		cmocka_unit_test(timeout_drops_the_datagram),
		cmocka_unit_test(snapped_fragments_are_not_used),
		cmocka_unit_test(bounds_hold),
		cmocka_unit_test(missing_first_fragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
