/* Refusals of Kerberos requests in the capture analyzer (src/capture/
 * cap_icmp.c, cap_krb_refusal.c) on hand-built packets: an ICMPv4 or
 * ICMPv6 destination unreachable quoting a UDP AS-REQ is tied to that
 * request (and a retry's to the retry); a quote cut anywhere is refused
 * without a tie; quotes of other ports, of TCP, of the KDC's answer, and
 * other ICMP messages are ignored; a TCP reset to a SYN on port 88 makes
 * a record of the refused connection, and so does an ICMP error quoting
 * that SYN (a firewall's REJECT). An answer learns from the same pending
 * requests which request it answers, and the client's name a Windows
 * KDC's KRB-ERROR leaves out, over UDP and TCP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pcap/pcap.h>

#include "capture/cap.h"
#include "capture_packets.h"

#define CLIENT_PORT 50123
#define KDC_PORT 88
#define ICMP4 1
#define ICMP6 58
#define UDP 17
#define TCP 6
#define NH_DEST_OPTS 60
#define NH_FRAGMENT 44
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* AS-REQ alice@R.COM for krbtgt/R.COM (DER, hand-built). */
static const uint8_t as_req[] = {
	0x6a, 0x74, 0x30, 0x72, 0xa1, 0x03, 0x02, 0x01, 0x05, 0xa2, 0x03, 0x02, 0x01, 0x0a, 0xa4, 0x66,
	0x30, 0x64, 0xa0, 0x07, 0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10, 0xa1, 0x12, 0x30, 0x10, 0xa0,
	0x03, 0x02, 0x01, 0x01, 0xa1, 0x09, 0x30, 0x07, 0x1b, 0x05, 0x61, 0x6c, 0x69, 0x63, 0x65, 0xa2,
	0x07, 0x1b, 0x05, 0x52, 0x2e, 0x43, 0x4f, 0x4d, 0xa3, 0x1a, 0x30, 0x18, 0xa0, 0x03, 0x02, 0x01,
	0x02, 0xa1, 0x11, 0x30, 0x0f, 0x1b, 0x06, 0x6b, 0x72, 0x62, 0x74, 0x67, 0x74, 0x1b, 0x05, 0x52,
	0x2e, 0x43, 0x4f, 0x4d, 0xa5, 0x11, 0x18, 0x0f, 0x32, 0x30, 0x33, 0x37, 0x30, 0x39, 0x31, 0x33,
	0x30, 0x32, 0x34, 0x38, 0x30, 0x35, 0x5a, 0xa7, 0x06, 0x02, 0x04, 0x12, 0x34, 0x56, 0x78, 0xa8,
	0x05, 0x30, 0x03, 0x02, 0x01, 0x12,
};

static const uint8_t client4[4] = {10, 0, 0, 5};
static const uint8_t kdc4[4] = {10, 0, 0, 1};
static const uint8_t router4[4] = {10, 0, 0, 254};
static const uint8_t client6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
static const uint8_t kdc6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static void
feed(struct run *r, const uint8_t *pkt, size_t caplen, size_t len)
{
	r->ts += 0.001;
	cap_analyzer_packet(r->a, r->ts, pkt, caplen, len, DLT_RAW);
}

/* An IPv4 header for proto with n bytes of payload; its size. */
static size_t
ip4_header(uint8_t *out, const uint8_t *src, const uint8_t *dst, uint8_t proto, size_t n)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	put16(out + 2, (uint16_t)(20 + n));
	out[8] = 64;
	out[9] = proto;
	memcpy(out + 12, src, 4);
	memcpy(out + 16, dst, 4);
	return 20;
}

static size_t
ip6_header(uint8_t *out, const uint8_t *src, const uint8_t *dst, uint8_t next, size_t n)
{
	memset(out, 0, 40);
	out[0] = 0x60;
	put16(out + 4, (uint16_t)n);
	out[6] = next;
	out[7] = 64;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, dst, 16);
	return 40;
}

static size_t
udp_header(uint8_t *out, uint16_t sport, uint16_t dport, size_t n)
{
	put16(out, sport);
	put16(out + 2, dport);
	put16(out + 4, (uint16_t)(8 + n));
	put16(out + 6, 0);
	return 8;
}

/* The client's AS-REQ as an IPv4 (family 4) or IPv6 packet; its size. */
static size_t
as_req_packet(uint8_t *out, int family, uint16_t sport, uint16_t dport)
{
	size_t at = family == 4 ? ip4_header(out, client4, kdc4, UDP, 8 + sizeof(as_req))
				: ip6_header(out, client6, kdc6, UDP, 8 + sizeof(as_req));

	at += udp_header(out + at, sport, dport, sizeof(as_req));
	memcpy(out + at, as_req, sizeof(as_req));
	return at + sizeof(as_req);
}

static void
send_as_req(struct run *r, int family, uint16_t sport, uint16_t dport)
{
	uint8_t pkt[256];
	size_t n = as_req_packet(pkt, family, sport, dport);

	feed(r, pkt, n, n);
}

/* An ICMP destination unreachable from `from` to the client quoting the
 * first quote_len bytes of `quoted`; snap: captured length (0: all). */
static void
send_icmp4(struct run *r, const uint8_t *from, uint8_t code, const uint8_t *quoted, size_t quote_len, size_t snap)
{
	uint8_t pkt[512];
	size_t at = ip4_header(pkt, from, client4, ICMP4, 8 + quote_len), len;

	memset(pkt + at, 0, 8);
	pkt[at] = 3;
	pkt[at + 1] = code;
	memcpy(pkt + at + 8, quoted, quote_len);
	len = at + 8 + quote_len;
	feed(r, pkt, snap ? snap : len, len);
}

static void
send_icmp6(struct run *r, uint8_t type, uint8_t code, const uint8_t *quoted, size_t quote_len)
{
	uint8_t pkt[512];
	size_t at = ip6_header(pkt, kdc6, client6, ICMP6, 8 + quote_len), len;

	memset(pkt + at, 0, 8);
	pkt[at] = type;
	pkt[at + 1] = code;
	memcpy(pkt + at + 8, quoted, quote_len);
	len = at + 8 + quote_len;
	feed(r, pkt, len, len);
}

static void
assert_refused(const struct ev_kerberos *k, enum ev_krb_refusal how, uint8_t type, uint8_t code, uint32_t frame,
	       const char *from, const char *reason)
{
	assert_int_equal(k->refusal, how);
	assert_int_equal(k->refusal_icmp_type, type);
	assert_int_equal(k->refusal_icmp_code, code);
	assert_int_equal(k->refusal_frame, frame);
	assert_string_equal(k->refusal_from, from);
	assert_string_equal(ev_krb_refusal_reason(k), reason);
}

/* Port unreachable from the KDC's host, quoting the IP header and 8 bytes
 * (RFC 792's minimum); the client's retry gets its own; a request of
 * another client port is not touched. */
static void
icmp4_port_unreachable_ties_the_request(void **state)
{
	uint8_t req[256];
	size_t n = as_req_packet(req, 4, CLIENT_PORT, KDC_PORT);
	struct run r;

	(void)state;
	run_start(&r, 0);
	send_as_req(&r, 4, CLIENT_PORT + 1, KDC_PORT);      /* frame 1: another socket */
	send_as_req(&r, 4, CLIENT_PORT, KDC_PORT);          /* frame 2 */
	send_icmp4(&r, kdc4, 3, req, 28, 0);                /* frame 3 */
	send_as_req(&r, 4, CLIENT_PORT, KDC_PORT);          /* frame 4: the retry */
	send_icmp4(&r, kdc4, 3, req, n, 0);                 /* frame 5: quotes it all (as Linux does) */
	send_as_req(&r, 4, CLIENT_PORT, KDC_PORT);          /* frame 6: no ICMP: silence */
	run_finish(&r);
	assert_int_equal(r.t.n_krb, 4);
	assert_int_equal(r.t.krb[0].message, EV_KRB_AS_REQ);
	assert_string_equal(r.t.krb[0].sname, "krbtgt/R.COM");
	assert_int_equal(r.t.krb[0].refusal, EV_KRB_REFUSAL_NONE);
	assert_int_equal(r.t.krb[1].frame, 2);
	assert_refused(&r.t.krb[1], EV_KRB_REFUSAL_ICMP, 3, 3, 3, "10.0.0.1", "port_unreachable");
	assert_int_equal(r.t.krb[2].frame, 4);
	assert_refused(&r.t.krb[2], EV_KRB_REFUSAL_ICMP, 3, 3, 5, "10.0.0.1", "port_unreachable");
	assert_int_equal(r.t.krb[3].refusal, EV_KRB_REFUSAL_NONE);
	assert_null(ev_krb_refusal_reason(&r.t.krb[3]));
	run_end(&r);
}

/* A router's "communication administratively prohibited" (RFC 1812 code
 * 13) names the router; a KDC on a port given with --krb-port is tied
 * the same way. */
static void
icmp4_prohibited_by_a_router_and_krb_port(void **state)
{
	struct cap_opts o = {.krb_ports = {5555}, .n_krb_ports = 1};
	uint8_t req[256];
	struct run r;

	(void)state;
	run_start_opts(&r, &o);
	as_req_packet(req, 4, CLIENT_PORT, 5555);
	send_as_req(&r, 4, CLIENT_PORT, 5555);
	send_icmp4(&r, router4, 13, req, 28, 0);
	run_finish(&r);
	assert_int_equal(r.t.n_krb, 1);
	assert_string_equal(r.t.krb[0].kdc, "10.0.0.1:5555");
	assert_refused(&r.t.krb[0], EV_KRB_REFUSAL_ICMP, 3, 13, 2, "10.0.0.254", "admin_prohibited");
	run_end(&r);
}

/* ICMPv6 port unreachable (RFC 4443 code 4), quoting the packet plain,
 * then through a Destination Options header and an offset-0 Fragment
 * header. */
static void
icmp6_port_unreachable_ties_the_request(void **state)
{
	uint8_t req[256], ext[300];
	size_t n = as_req_packet(req, 6, CLIENT_PORT, KDC_PORT);
	struct run r;

	(void)state;
	run_start(&r, 0);
	send_as_req(&r, 6, CLIENT_PORT, KDC_PORT);
	send_icmp6(&r, 1, 4, req, n);
	run_finish(&r);
	assert_int_equal(r.t.n_krb, 1);
	assert_string_equal(r.t.krb[0].kdc, "[fd00:0:0:0:0:0:0:1]:88");
	assert_refused(&r.t.krb[0], EV_KRB_REFUSAL_ICMPV6, 1, 4, 2, "[fd00:0:0:0:0:0:0:1]", "port_unreachable");
	run_end(&r);

	/* The same datagram quoted with Destination Options + Fragment. */
	memcpy(ext, req, 40);
	ext[6] = NH_DEST_OPTS;
	memset(ext + 40, 0, 16);
	ext[40] = NH_FRAGMENT;      /* Destination Options: next, length 0 (8 bytes) */
	ext[48] = UDP;              /* Fragment: next, reserved, offset 0 + M, id */
	ext[51] = 1;
	put32(ext + 52, 7);
	memcpy(ext + 56, req + 40, n - 40);
	run_start(&r, 0);
	send_as_req(&r, 6, CLIENT_PORT, KDC_PORT);
	send_icmp6(&r, 1, 1, ext, 56 + 8);
	run_finish(&r);
	assert_refused(&r.t.krb[0], EV_KRB_REFUSAL_ICMPV6, 1, 1, 2, "[fd00:0:0:0:0:0:0:1]", "admin_prohibited");
	run_end(&r);
}

/* A quote cut at every length short of the UDP header's 8 bytes (IPv4:
 * 28; IPv6: 48), and an ICMP message cut by the snap length: no tie, no
 * read past the data (ASan), counted as truncated. */
static void
truncated_quotes_are_refused(void **state)
{
	uint8_t req[256];
	size_t cut;

	(void)state;
	as_req_packet(req, 4, CLIENT_PORT, KDC_PORT);
	for (cut = 0; cut < 28; cut++) {
		const struct cap_stats *s;
		struct run r;

		run_start(&r, 0);
		send_as_req(&r, 4, CLIENT_PORT, KDC_PORT);
		send_icmp4(&r, kdc4, 3, req, cut, 0);
		s = run_finish(&r);
		assert_int_equal(r.t.krb[0].refusal, EV_KRB_REFUSAL_NONE);
		assert_int_equal(s->truncated, 1);
		run_end(&r);
	}
	for (cut = 20; cut < 20 + 8 + 28; cut++) {
		struct run r;

		run_start(&r, 0);
		send_as_req(&r, 4, CLIENT_PORT, KDC_PORT);
		send_icmp4(&r, kdc4, 3, req, 28, cut);   /* the whole packet is 56 bytes */
		run_finish(&r);
		assert_int_equal(r.t.krb[0].refusal, EV_KRB_REFUSAL_NONE);
		run_end(&r);
	}
	as_req_packet(req, 6, CLIENT_PORT, KDC_PORT);
	for (cut = 0; cut < 48; cut++) {
		const struct cap_stats *s;
		struct run r;

		run_start(&r, 0);
		send_as_req(&r, 6, CLIENT_PORT, KDC_PORT);
		send_icmp6(&r, 1, 4, req, cut);
		s = run_finish(&r);
		assert_int_equal(r.t.krb[0].refusal, EV_KRB_REFUSAL_NONE);
		assert_int_equal(s->truncated, 1);
		run_end(&r);
	}
}

/* Quotes of another UDP port, of TCP to port 88 whose SYN the capture
 * does not hold, of the KDC's answer (the client's port closed), of a
 * later fragment, and an echo reply: nothing tied. */
static void
other_quotes_are_ignored(void **state)
{
	uint8_t req[256], other[256];
	const struct cap_stats *s;
	struct run r;

	(void)state;
	run_start(&r, 0);
	as_req_packet(req, 4, CLIENT_PORT, KDC_PORT);
	send_as_req(&r, 4, CLIENT_PORT, KDC_PORT);
	as_req_packet(other, 4, CLIENT_PORT, 53);
	send_icmp4(&r, kdc4, 3, other, 28, 0);          /* UDP to port 53 */
	memcpy(other, req, 28);
	other[9] = TCP;
	send_icmp4(&r, kdc4, 3, other, 28, 0);          /* TCP to port 88 */
	ip4_header(other, kdc4, client4, UDP, 8);
	udp_header(other + 20, KDC_PORT, CLIENT_PORT, 0);
	send_icmp4(&r, client4, 3, other, 28, 0);       /* the KDC's answer refused */
	memcpy(other, req, 28);
	put16(other + 6, 0x0010);                       /* a later fragment: no UDP header */
	send_icmp4(&r, kdc4, 3, other, 28, 0);
	{
		uint8_t echo[28];
		size_t at = ip4_header(echo, kdc4, client4, ICMP4, 8);

		memset(echo + at, 0, 8);                /* type 0: echo reply */
		feed(&r, echo, sizeof(echo), sizeof(echo));
	}
	s = run_finish(&r);
	assert_int_equal(r.t.n_krb, 1);
	assert_int_equal(r.t.krb[0].refusal, EV_KRB_REFUSAL_NONE);
	assert_int_equal(s->truncated, 0);
	run_end(&r);
}

/* The KDC answered the client port: an ICMP error for that pair after
 * the answer (a late duplicate) ties nothing. */
static void
answered_request_is_not_pending(void **state)
{
	uint8_t req[256], ans[256];
	size_t at;
	struct run r;

	(void)state;
	run_start(&r, 0);
	as_req_packet(req, 4, CLIENT_PORT, KDC_PORT);
	send_as_req(&r, 4, CLIENT_PORT, KDC_PORT);
	at = ip4_header(ans, kdc4, client4, UDP, 8 + SAMPLE_KRB_ERROR_LEN);
	at += udp_header(ans + at, KDC_PORT, CLIENT_PORT, SAMPLE_KRB_ERROR_LEN);
	memcpy(ans + at, sample_krb_error(), SAMPLE_KRB_ERROR_LEN);
	feed(&r, ans, at + SAMPLE_KRB_ERROR_LEN, at + SAMPLE_KRB_ERROR_LEN);
	send_icmp4(&r, kdc4, 3, req, 28, 0);
	run_finish(&r);
	assert_int_equal(r.t.n_krb, 2);
	assert_int_equal(r.t.krb[0].refusal, EV_KRB_REFUSAL_NONE);
	assert_int_equal(r.t.krb[1].message, EV_KRB_ERROR);
	run_end(&r);
}

/* A TCP segment; with msg, carrying it as one Kerberos record. */
static void
send_segment(struct run *r, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport, uint32_t seq,
	     uint32_t ack, uint8_t flags, const uint8_t *msg, size_t n)
{
	uint8_t pkt[256], record[216];
	size_t len;

	if (msg) {
		assert_true(4 + n <= sizeof(record));
		put32(record, (uint32_t)n);
		memcpy(record + 4, msg, n);
	}
	len = ipv4_tcp_packet(pkt, sizeof(pkt), src, dst, sport, dport, seq, ack, flags, record, msg ? 4 + n : 0);
	feed(r, pkt, len, len);
}

static void
send_tcp(struct run *r, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport, uint32_t seq,
	 uint32_t ack, uint8_t flags)
{
	send_segment(r, src, dst, sport, dport, seq, ack, flags, NULL, 0);
}

/* RST+ACK to the client's SYN on port 88: one record of the refused
 * connection (no message), dated and numbered by the SYN. A reset after
 * a completed handshake, or from the client, is not a refusal. */
static void
tcp_reset_to_syn_is_refused(void **state)
{
	struct run r;

	(void)state;
	run_start(&r, 0);
	send_tcp(&r, client4, kdc4, 40000, KDC_PORT, 1000, 0, TCP_SYN);                  /* frame 1 */
	send_tcp(&r, kdc4, client4, KDC_PORT, 40000, 0, 1001, TCP_RST | TCP_ACK);        /* frame 2 */
	send_tcp(&r, client4, kdc4, 40001, KDC_PORT, 2000, 0, TCP_SYN);                  /* frame 3 */
	send_tcp(&r, kdc4, client4, KDC_PORT, 40001, 5000, 2001, TCP_SYN | TCP_ACK);
	send_tcp(&r, client4, kdc4, 40001, KDC_PORT, 2001, 5001, TCP_ACK);
	send_tcp(&r, kdc4, client4, KDC_PORT, 40001, 5001, 2001, TCP_RST | TCP_ACK);
	send_tcp(&r, client4, kdc4, 40002, KDC_PORT, 3000, 0, TCP_SYN);
	send_tcp(&r, client4, kdc4, 40002, KDC_PORT, 3001, 0, TCP_RST);
	send_tcp(&r, client4, kdc4, 40003, 8080, 4000, 0, TCP_SYN);                      /* not Kerberos */
	send_tcp(&r, kdc4, client4, 8080, 40003, 0, 4001, TCP_RST | TCP_ACK);
	run_finish(&r);
	assert_int_equal(r.t.n_krb, 1);
	assert_int_equal(r.t.krb[0].message, EV_KRB_NO_MESSAGE);
	assert_int_equal(r.t.krb[0].frame, 1);
	assert_string_equal(r.t.krb[0].client, "10.0.0.5");
	assert_string_equal(r.t.krb[0].kdc, "10.0.0.1:88");
	assert_refused(&r.t.krb[0], EV_KRB_REFUSAL_TCP_RESET, 0, 0, 2, "10.0.0.1", "connection_refused");
	assert_true(r.t.krb[0].at >= 0.0 && r.t.krb[0].at < 0.0005);
	run_end(&r);
}

/* sample_krb_error() with another error code (C_PRINCIPAL_UNKNOWN: 6) and,
 * like a Windows KDC's, no client name. */
static void
krb_error_6(uint8_t *out)
{
	memcpy(out, sample_krb_error(), SAMPLE_KRB_ERROR_LEN);
	assert_int_equal(out[42], 0x19);
	out[42] = 6;
}

static void
answer_learns_its_request(void **state)
{
	uint8_t err[SAMPLE_KRB_ERROR_LEN], ans[256];
	size_t at;
	struct run r;

	(void)state;
	krb_error_6(err);
	run_start(&r, 0);
	/* UDP: a request of another port first, which the answer is not for. */
	send_as_req(&r, 4, CLIENT_PORT + 1, KDC_PORT);
	send_as_req(&r, 4, CLIENT_PORT, KDC_PORT);
	at = ip4_header(ans, kdc4, client4, UDP, 8 + sizeof(err));
	at += udp_header(ans + at, KDC_PORT, CLIENT_PORT, sizeof(err));
	memcpy(ans + at, err, sizeof(err));
	feed(&r, ans, at + sizeof(err), at + sizeof(err));
	/* TCP: handshake, the AS-REQ, the KRB-ERROR. */
	send_tcp(&r, client4, kdc4, 40000, KDC_PORT, 1000, 0, TCP_SYN);
	send_tcp(&r, kdc4, client4, KDC_PORT, 40000, 5000, 1001, TCP_SYN | TCP_ACK);
	send_tcp(&r, client4, kdc4, 40000, KDC_PORT, 1001, 5001, TCP_ACK);
	send_segment(&r, client4, kdc4, 40000, KDC_PORT, 1001, 5001, TCP_ACK | TCP_PSH, as_req, sizeof(as_req));
	send_segment(&r, kdc4, client4, KDC_PORT, 40000, 5001, (uint32_t)(1001 + 4 + sizeof(as_req)), TCP_ACK | TCP_PSH,
		     err, sizeof(err));
	run_finish(&r);
	assert_int_equal(r.t.n_krb, 5);
	assert_int_equal(r.t.krb[2].message, EV_KRB_ERROR);
	assert_int_equal(r.t.krb[2].error, 6);
	assert_int_equal(r.t.krb[2].answers, EV_KRB_AS_REQ);
	assert_string_equal(r.t.krb[2].cname, "alice");
	assert_int_equal(r.t.krb[4].message, EV_KRB_ERROR);
	assert_int_equal(r.t.krb[4].answers, EV_KRB_AS_REQ);
	assert_string_equal(r.t.krb[4].cname, "alice");
	/* The unanswered request stays unanswered. */
	assert_int_equal(r.t.krb[0].answers, 0);
	run_end(&r);
}

/* A firewall rejects the SYN with ICMP administratively prohibited: one
 * record for the connection (the SYN's frame), however many SYNs the
 * client retransmits; a SYN that was answered (SYN-ACK) is not refused
 * by a stray ICMP error. */
static void
icmp_to_tcp_syn_is_refused(void **state)
{
	uint8_t syn[40];
	struct run r;

	(void)state;
	run_start(&r, 0);
	ip4_header(syn, client4, kdc4, TCP, 20);
	memset(syn + 20, 0, 20);
	put16(syn + 20, 40000);
	put16(syn + 22, KDC_PORT);
	put32(syn + 24, 1000);
	syn[32] = 5 << 4;
	syn[33] = TCP_SYN;
	feed(&r, syn, sizeof(syn), sizeof(syn));               /* frame 1 */
	send_icmp4(&r, router4, 13, syn, 28, 0);               /* frame 2 */
	feed(&r, syn, sizeof(syn), sizeof(syn));               /* the SYN again */
	send_icmp4(&r, router4, 13, syn, 28, 0);
	send_tcp(&r, client4, kdc4, 40001, KDC_PORT, 2000, 0, TCP_SYN);
	send_tcp(&r, kdc4, client4, KDC_PORT, 40001, 5000, 2001, TCP_SYN | TCP_ACK);
	put16(syn + 20, 40001);
	put32(syn + 24, 2000);
	send_icmp4(&r, router4, 3, syn, 28, 0);
	run_finish(&r);
	assert_int_equal(r.t.n_krb, 1);
	assert_int_equal(r.t.krb[0].message, EV_KRB_NO_MESSAGE);
	assert_int_equal(r.t.krb[0].frame, 1);
	assert_string_equal(r.t.krb[0].kdc, "10.0.0.1:88");
	assert_refused(&r.t.krb[0], EV_KRB_REFUSAL_ICMP, 3, 13, 2, "10.0.0.254", "admin_prohibited");
	run_end(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(icmp4_port_unreachable_ties_the_request),
		cmocka_unit_test(icmp4_prohibited_by_a_router_and_krb_port),
		cmocka_unit_test(icmp6_port_unreachable_ties_the_request),
		cmocka_unit_test(truncated_quotes_are_refused),
		cmocka_unit_test(other_quotes_are_ignored),
		cmocka_unit_test(answered_request_is_not_pending),
		cmocka_unit_test(tcp_reset_to_syn_is_refused),
		cmocka_unit_test(icmp_to_tcp_syn_is_refused),
		cmocka_unit_test(answer_learns_its_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
