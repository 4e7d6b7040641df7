/* Shared by the capture analyzer's unit tests (test_capture*.c): the
 * big-endian writers their hand-built packets use, one analyzer run over
 * a fresh timeline, and a real KRB-ERROR to carry. Include after cmocka. */
#ifndef SMBDIAG_TESTS_CAPTURE_PACKETS_H
#define SMBDIAG_TESTS_CAPTURE_PACKETS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capture/cap.h"

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Raw IPv4 + TCP (no options, checksums left zero: the analyzer does not
 * check them) carrying n bytes of data; the packet's length. */
static inline size_t
ipv4_tcp_packet(uint8_t *pkt, size_t cap, const uint8_t src[4], const uint8_t dst[4], uint16_t sport,
		uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data, size_t n)
{
	size_t len = 40 + n;

	assert_true(len <= cap);
	memset(pkt, 0, 40);
	pkt[0] = 0x45;
	put16(pkt + 2, (uint16_t)len);
	pkt[8] = 64;
	pkt[9] = 6;
	memcpy(pkt + 12, src, 4);
	memcpy(pkt + 16, dst, 4);
	put16(pkt + 20, sport);
	put16(pkt + 22, dport);
	put32(pkt + 24, seq);
	put32(pkt + 28, ack);
	pkt[32] = 5 << 4;
	pkt[33] = flags;
	if (n > 0)
		memcpy(pkt + 40, data, n);
	return len;
}

struct run {
	struct ev_timeline t;
	struct cap_analyzer *a;
	double ts;                  /* for tests that step the clock */
};

static inline void
run_start_opts(struct run *r, const struct cap_opts *o)
{
	ev_timeline_init(&r->t, EV_MODE_ANALYZE);
	r->a = cap_analyzer_new(o, &r->t);
	assert_non_null(r->a);
	r->ts = 1.0;
}

static inline void
run_start(struct run *r, size_t max_memory)
{
	struct cap_opts o = {.max_memory = max_memory};

	run_start_opts(r, &o);
}

static inline const struct cap_stats *
run_finish(struct run *r)
{
	cap_analyzer_finish(r->a);
	return cap_analyzer_stats(r->a);
}

static inline void
run_end(struct run *r)
{
	cap_analyzer_free(r->a);
	ev_timeline_cleanup(&r->t);
}

/* KRB-ERROR KDC_ERR_PREAUTH_REQUIRED (25) for krbtgt/R.COM. */
#define SAMPLE_KRB_ERROR_LEN 80

static inline const uint8_t *
sample_krb_error(void)
{
	static const uint8_t krb_error[] = {
		0x7e, 0x4e, 0x30, 0x4c, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e, 0xa4, 0x11,
		0x18, 0x0f, '2', '0', '2', '6', '1', '1', '2', '7', '0', '0', '0', '0', '0', '0', 'Z',
		0xa5, 0x03, 0x02, 0x01, 0x00, 0xa6, 0x03, 0x02, 0x01, 0x19,
		0xa9, 0x07, 0x1b, 0x05, 'R', '.', 'C', 'O', 'M',
		0xaa, 0x1a, 0x30, 0x18, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1, 0x11, 0x30, 0x0f,
		0x1b, 0x06, 'k', 'r', 'b', 't', 'g', 't', 0x1b, 0x05, 'R', '.', 'C', 'O', 'M',
	};

	_Static_assert(sizeof(krb_error) == SAMPLE_KRB_ERROR_LEN, "SAMPLE_KRB_ERROR_LEN");
	return krb_error;
}

#endif
