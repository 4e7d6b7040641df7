/* The capture analyzer (src/capture) on hand-built packets: TCP
 * reassembly (in order, out of order, duplicated, one byte at a time,
 * lost segments and resynchronisation), the TCP step (refused, timeout),
 * the negotiate.no_response timing (ACK then reset), IPv4 fragments of a
 * Kerberos datagram, and the memory budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pcap/pcap.h>

#include "capture/cap.h"
#include "capture_packets.h"
#include "core/wire/smb2.h"

#define CLIENT_PORT 50000
#define SYN 0x02
#define RST 0x04
#define ACK 0x10
#define FIN 0x01
#define PSH 0x08

struct tcp_side {
	uint8_t ip[4];
	uint16_t port;
	uint32_t seq;
};

static struct tcp_side cli, srv;

static void
reset_sides(uint16_t server_port)
{
	cli = (struct tcp_side){{10, 0, 0, 5}, CLIENT_PORT, 1000};
	srv = (struct tcp_side){{10, 0, 0, 9}, server_port, 5000};
}

/* Raw IPv4 + TCP; seq given explicitly (out-of-order tests). */
static void
tcp_at(struct cap_analyzer *a, double ts, const struct tcp_side *from, const struct tcp_side *to, uint32_t seq,
       uint8_t flags, const uint8_t *data, size_t n)
{
	uint8_t pkt[2048];
	size_t len = ipv4_tcp_packet(pkt, sizeof(pkt), from->ip, to->ip, from->port, to->port, seq, to->seq, flags,
				     data, n);

	cap_analyzer_packet(a, ts, pkt, len, len, DLT_RAW);
}

/* Sends in order and advances the sender's sequence number. */
static void
tcp(struct cap_analyzer *a, double ts, struct tcp_side *from, const struct tcp_side *to, uint8_t flags,
    const uint8_t *data, size_t n)
{
	tcp_at(a, ts, from, to, from->seq, flags, data, n);
	from->seq += (uint32_t)n + ((flags & (SYN | FIN)) ? 1 : 0);
}

static void
handshake(struct cap_analyzer *a, double ts)
{
	tcp(a, ts, &cli, &srv, SYN, NULL, 0);
	tcp(a, ts + 0.0001, &srv, &cli, SYN | ACK, NULL, 0);
	tcp(a, ts + 0.0002, &cli, &srv, ACK, NULL, 0);
}

/* A direct-TCP PDU holding one SMB2 NEGOTIATE request or response. */
static size_t
negotiate_pdu(uint8_t *buf, size_t cap, bool response, uint64_t mid)
{
	struct smb2_header h = {0};
	struct sd_wr w;

	sd_wr_init(&w, buf, cap);
	sd_wr_u32be(&w, 0);
	h.command = SMB2_NEGOTIATE;
	h.message_id = mid;
	h.credits = 1;
	if (response) {
		struct smb2_negotiate_rsp r = {0};

		h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
		r.dialect = 0x0210;
		r.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
		assert_int_equal(smb2_header_encode(&h, &w), SD_OK);
		assert_int_equal(smb2_negotiate_rsp_encode(&r, &w), SD_OK);
	} else {
		struct smb2_negotiate_req q = {0};

		q.dialects[0] = 0x0202;
		q.dialects[1] = 0x0210;
		q.n_dialects = 2;
		q.dialect_count = 2;
		q.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
		assert_int_equal(smb2_header_encode(&h, &w), SD_OK);
		assert_int_equal(smb2_negotiate_req_encode(&q, &w), SD_OK);
	}
	assert_true(sd_wr_ok(&w));
	sd_wr_put_u24be_at(&w, 1, (uint32_t)(w.len - 4));
	return w.len;
}

/* How the request's bytes are cut and ordered. */
enum split {
	WHOLE,
	THREE_REVERSED,      /* third, first, second, then the first again */
	BYTE_AT_A_TIME,
};

static void
send_request(struct cap_analyzer *a, double ts, const uint8_t *p, size_t n, enum split how)
{
	size_t i, cut1 = n / 3, cut2 = 2 * n / 3;
	uint32_t s = cli.seq;

	switch (how) {
	case WHOLE:
		tcp_at(a, ts, &cli, &srv, s, ACK | PSH, p, n);
		break;
	case THREE_REVERSED:
		tcp_at(a, ts, &cli, &srv, s + (uint32_t)cut2, ACK | PSH, p + cut2, n - cut2);
		tcp_at(a, ts, &cli, &srv, s, ACK, p, cut1);
		tcp_at(a, ts, &cli, &srv, s + (uint32_t)cut1, ACK, p + cut1, cut2 - cut1);
		tcp_at(a, ts, &cli, &srv, s, ACK, p, cut1);
		break;
	case BYTE_AT_A_TIME:
		for (i = 0; i < n; i++)
			tcp_at(a, ts, &cli, &srv, s + (uint32_t)i, ACK, p + i, 1);
		break;
	}
	cli.seq += (uint32_t)n;
}

static void
check_negotiated(const struct ev_timeline *t)
{
	const struct ev_connection *c;
	const struct ev_step *s;

	assert_int_equal(t->n_conns, 1);
	c = &t->conns[0];
	assert_string_equal(c->client, "10.0.0.5:50000");
	assert_string_equal(c->server, "10.0.0.9:445");
	s = ev_last_step_const(c, SD_STEP_TCP);
	assert_non_null(s);
	assert_int_equal(s->outcome, EV_ANSWERED);
	assert_int_equal(s->frame_request, 1);
	s = ev_last_step_const(c, SD_STEP_NEGOTIATE);
	assert_non_null(s);
	assert_int_equal(s->outcome, EV_ANSWERED);
	assert_int_equal(s->status, 0);
	assert_true(s->ack_at >= 0);
	assert_int_equal(c->negotiate.dialect, 0x0210);
	assert_int_equal(c->negotiate.n_client_dialects, 2);
	assert_false(c->capture_gaps);
}

static void
negotiate_cut(enum split how)
{
	uint8_t req[512], rsp[512];
	size_t nq = negotiate_pdu(req, sizeof(req), false, 0), nr = negotiate_pdu(rsp, sizeof(rsp), true, 0);
	struct run r;

	reset_sides(445);
	run_start(&r, 0);
	handshake(r.a, 1.0);
	send_request(r.a, 1.001, req, nq, how);
	tcp(r.a, 1.002, &srv, &cli, ACK | PSH, rsp, nr);
	cap_analyzer_finish(r.a);
	check_negotiated(&r.t);
	if (how == THREE_REVERSED) {
		assert_true(cap_analyzer_stats(r.a)->out_of_order >= 1);
		assert_true(cap_analyzer_stats(r.a)->retransmissions >= 1);
	}
	run_end(&r);
}

static void
negotiate_in_order(void **state)
{
	(void)state;
	negotiate_cut(WHOLE);
}

static void
negotiate_out_of_order_and_duplicated(void **state)
{
	(void)state;
	negotiate_cut(THREE_REVERSED);
}

static void
negotiate_one_byte_at_a_time(void **state)
{
	(void)state;
	negotiate_cut(BYTE_AT_A_TIME);
}

/* A lost segment inside the first PDU: the analyzer marks the gap and
 * finds the next PDU header. */
static void
gap_then_resync(void **state)
{
	uint8_t req[512], req2[512], rsp[512];
	size_t nq = negotiate_pdu(req, sizeof(req), false, 0), nq2 = negotiate_pdu(req2, sizeof(req2), false, 1);
	size_t nr = negotiate_pdu(rsp, sizeof(rsp), true, 1);
	struct run r;
	uint32_t s;

	(void)state;
	reset_sides(445);
	run_start(&r, 0);
	handshake(r.a, 1.0);
	s = cli.seq;
	tcp_at(r.a, 1.001, &cli, &srv, s, ACK, req, 20);
	/* bytes 20..39 never captured */
	tcp_at(r.a, 1.001, &cli, &srv, s + 40, ACK, req + 40, nq - 40);
	cli.seq += (uint32_t)nq;
	tcp(r.a, 2.0, &cli, &srv, ACK | PSH, req2, nq2);
	tcp(r.a, 2.001, &srv, &cli, ACK | PSH, rsp, nr);
	cap_analyzer_finish(r.a);
	assert_int_equal(r.t.n_conns, 1);
	assert_true(r.t.conns[0].capture_gaps);
	assert_true(cap_analyzer_stats(r.a)->gaps >= 1);
	assert_int_equal(r.t.conns[0].negotiate.dialect, 0x0210);
	assert_int_equal(ev_last_step_const(&r.t.conns[0], SD_STEP_NEGOTIATE)->message_id, 1);
	run_end(&r);
}

static void
syn_refused(void **state)
{
	struct run r;
	const struct ev_step *s;

	(void)state;
	reset_sides(445);
	run_start(&r, 0);
	tcp(r.a, 1.0, &cli, &srv, SYN, NULL, 0);
	tcp(r.a, 1.0005, &srv, &cli, RST | ACK, NULL, 0);
	cap_analyzer_finish(r.a);
	assert_int_equal(r.t.n_conns, 1);
	s = ev_last_step_const(&r.t.conns[0], SD_STEP_TCP);
	assert_non_null(s);
	assert_int_equal(s->outcome, EV_REFUSED);
	assert_int_equal(s->frame_response, 2);
	run_end(&r);
}

static void
syn_timeout(void **state)
{
	struct run r;
	struct tcp_side other;

	(void)state;
	reset_sides(445);
	run_start(&r, 0);
	tcp_at(r.a, 1.0, &cli, &srv, cli.seq, SYN, NULL, 0);
	tcp_at(r.a, 4.0, &cli, &srv, cli.seq, SYN, NULL, 0);  /* retransmitted: same ISN */
	other = cli;
	other.port = 50001;
	tcp(r.a, 30.0, &other, &srv, ACK, NULL, 0);  /* the capture goes on */
	cap_analyzer_finish(r.a);
	assert_int_equal(ev_last_step_const(&r.t.conns[0], SD_STEP_TCP)->outcome, EV_TIMEOUT);
	run_end(&r);
}

/* The article's pattern: NEGOTIATE acknowledged after 200 us, then silence,
 * then a reset 60 s later. */
static void
negotiate_acked_then_reset(void **state)
{
	uint8_t req[512];
	size_t nq = negotiate_pdu(req, sizeof(req), false, 0);
	const struct ev_connection *c;
	const struct ev_step *s;
	struct run r;

	(void)state;
	reset_sides(445);
	run_start(&r, 0);
	handshake(r.a, 1.0);
	tcp(r.a, 1.001, &cli, &srv, ACK | PSH, req, nq);
	tcp(r.a, 1.0012, &srv, &cli, ACK, NULL, 0);
	tcp(r.a, 61.001, &srv, &cli, RST | ACK, NULL, 0);
	cap_analyzer_finish(r.a);
	c = &r.t.conns[0];
	s = ev_last_step_const(c, SD_STEP_NEGOTIATE);
	assert_non_null(s);
	assert_int_equal(s->outcome, EV_RESET);
	assert_true(s->ack_at - s->request_at > 0.00019 && s->ack_at - s->request_at < 0.00021);
	assert_true(s->response_at - s->request_at > 59.9);
	assert_true(c->reset_by_server);
	assert_int_equal(s->frame_response, 6);
	run_end(&r);
}

/* A KRB-ERROR (PREAUTH_REQUIRED) in a UDP datagram cut into two IPv4
 * fragments that arrive in reverse order. */
static void
kerberos_udp_fragments(void **state)
{
	uint8_t udp[8 + SAMPLE_KRB_ERROR_LEN], frag[20 + sizeof(udp)];
	size_t first = 24, i;
	struct run r;

	(void)state;
	put16(udp, 88);
	put16(udp + 2, 50123);
	put16(udp + 4, (uint16_t)sizeof(udp));
	put16(udp + 6, 0);
	memcpy(udp + 8, sample_krb_error(), SAMPLE_KRB_ERROR_LEN);
	run_start(&r, 0);
	for (i = 0; i < 2; i++) {
		size_t off = i == 0 ? first : 0, n = i == 0 ? sizeof(udp) - first : first;

		memset(frag, 0, 20);
		frag[0] = 0x45;
		put16(frag + 2, (uint16_t)(20 + n));
		put16(frag + 4, 77);
		put16(frag + 6, (uint16_t)((i == 0 ? 0 : 0x2000) | (off / 8)));
		frag[8] = 64;
		frag[9] = 17;
		memcpy(frag + 12, (uint8_t[]){10, 0, 0, 1}, 4);
		memcpy(frag + 16, (uint8_t[]){10, 0, 0, 5}, 4);
		memcpy(frag + 20, udp + off, n);
		cap_analyzer_packet(r.a, 1.0 + (double)i, frag, 20 + n, 20 + n, DLT_RAW);
	}
	cap_analyzer_finish(r.a);
	assert_int_equal(cap_analyzer_stats(r.a)->reassembled, 1);
	assert_int_equal(r.t.n_krb, 1);
	assert_int_equal(r.t.krb[0].message, EV_KRB_ERROR);
	assert_true(r.t.krb[0].has_error);
	assert_int_equal(r.t.krb[0].error, 25);
	assert_string_equal(r.t.krb[0].realm, "R.COM");
	assert_string_equal(r.t.krb[0].sname, "krbtgt/R.COM");
	assert_string_equal(r.t.krb[0].client, "10.0.0.5");
	assert_string_equal(r.t.krb[0].kdc, "10.0.0.1:88");
	assert_int_equal(r.t.krb[0].frame, 2);
	run_end(&r);
}

/* Many connections with unfinished PDUs under a 1 MiB budget: old flows
 * make room, nothing grows past the budget (half for reassembly, half for
 * the evidence). */
static void
memory_budget_holds(void **state)
{
	uint8_t req[512];
	size_t nq = negotiate_pdu(req, sizeof(req), false, 0);
	struct run r;
	unsigned i;

	(void)state;
	run_start(&r, 1024 * 1024);
	for (i = 0; i < 3000; i++) {
		reset_sides(445);
		cli.port = (uint16_t)(20000 + i);
		handshake(r.a, 1.0 + i * 0.001);
		/* Half a PDU, then a segment past a hole: both are held. */
		tcp_at(r.a, 1.0 + i * 0.001, &cli, &srv, cli.seq, ACK, req, nq / 2);
		tcp_at(r.a, 1.0 + i * 0.001, &cli, &srv, cli.seq + (uint32_t)nq, ACK, req, nq);
	}
	assert_true(cap_analyzer_stats(r.a)->memory_peak <= 1024 * 1024);
	assert_true(cap_analyzer_stats(r.a)->flows_expired > 0);
	/* The evidence has its half of the budget: later connections are
	 * counted, not recorded. */
	assert_true(cap_analyzer_stats(r.a)->records_dropped > 0);
	assert_true(r.t.n_conns * sizeof(struct ev_connection) <= 512 * 1024);
	cap_analyzer_finish(r.a);
	run_end(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(negotiate_in_order),
		cmocka_unit_test(negotiate_out_of_order_and_duplicated),
		cmocka_unit_test(negotiate_one_byte_at_a_time),
		cmocka_unit_test(gap_then_resync),
		cmocka_unit_test(syn_refused),
		cmocka_unit_test(syn_timeout),
		cmocka_unit_test(negotiate_acked_then_reset),
		cmocka_unit_test(kerberos_udp_fragments),
		cmocka_unit_test(memory_budget_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
