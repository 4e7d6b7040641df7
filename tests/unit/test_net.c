/* src/net/conn.c against peers on the same libuv loop: a server that
 * answers, one that stays silent, one that resets, a closed port, and
 * NetBIOS session responses; plus the name helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <cmocka.h>

#include "net/conn.h"

/* --- a toy sans-I/O object: sends one 8-byte request, wants 8 bytes --- */

struct toy {
	uint8_t req[8];
	size_t sent;
	size_t got;
	bool eof;
	bool started;
};

static void
toy_start(void *obj, uint64_t now_us)
{
	struct toy *t = obj;

	(void)now_us;
	memcpy(t->req, "\0\0\0\4ping", 8);
	t->started = true;
}

static size_t
toy_output(void *obj, const uint8_t **p)
{
	struct toy *t = obj;

	*p = t->req + t->sent;
	return t->started ? sizeof(t->req) - t->sent : 0;
}

static void
toy_output_done(void *obj, size_t n, uint64_t now_us)
{
	struct toy *t = obj;

	(void)now_us;
	t->sent += n;
}

static void
toy_input(void *obj, const uint8_t *p, size_t len, uint64_t now_us)
{
	struct toy *t = obj;

	(void)p;
	(void)now_us;
	t->got += len;
}

static void
toy_eof(void *obj, uint64_t now_us)
{
	(void)now_us;
	((struct toy *)obj)->eof = true;
}

static bool
toy_finished(void *obj)
{
	struct toy *t = obj;

	return t->got >= 8 || t->eof;
}

static const struct net_io_ops toy_ops = {toy_start, toy_output, toy_output_done, toy_input, toy_eof, toy_finished};

/* --- peers on the loop --- */

enum peer_mode { PEER_ANSWER, PEER_SILENT, PEER_RESET, PEER_NBSS_NO, PEER_NBSS_YES };

struct peer {
	uv_tcp_t listener;
	uv_tcp_t conn;
	enum peer_mode mode;
	uint8_t buf[256];
	size_t len;
	bool answered_nbss;
	uv_write_t wr;
	struct sockaddr_in addr;
};

static void
peer_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct peer *p = h->data;

	(void)suggested;
	*buf = uv_buf_init((char *)p->buf + p->len, (unsigned)(sizeof(p->buf) - p->len));
}

static void
peer_closed(uv_handle_t *h)
{
	(void)h;
}

static void
peer_send(struct peer *p, const void *bytes, size_t n)
{
	uv_buf_t b = uv_buf_init((char *)(uintptr_t)bytes, (unsigned)n);

	uv_try_write((uv_stream_t *)&p->conn, &b, 1);
}

static void
peer_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct peer *p = s->data;
	static const uint8_t answer[8] = {0, 0, 0, 4, 'p', 'o', 'n', 'g'};
	static const uint8_t nbss_no[5] = {0x83, 0, 0, 1, 0x82};
	static const uint8_t nbss_yes[4] = {0x82, 0, 0, 0};

	(void)buf;
	if (n < 0) {
		uv_close((uv_handle_t *)&p->conn, peer_closed);
		return;
	}
	p->len += (size_t)n;
	if ((p->mode == PEER_NBSS_NO || p->mode == PEER_NBSS_YES) && !p->answered_nbss && p->len >= 4) {
		p->answered_nbss = true;
		p->len = 0;
		if (p->mode == PEER_NBSS_NO)
			peer_send(p, nbss_no, sizeof(nbss_no));
		else
			peer_send(p, nbss_yes, sizeof(nbss_yes));
		return;
	}
	if (p->len < 8)
		return;
	if (p->mode == PEER_ANSWER || p->mode == PEER_NBSS_YES)
		peer_send(p, answer, sizeof(answer));
	else if (p->mode == PEER_RESET)
		uv_tcp_close_reset(&p->conn, peer_closed);
}

static void
peer_accept(uv_stream_t *server, int status)
{
	struct peer *p = server->data;

	assert_int_equal(status, 0);
	uv_tcp_init(server->loop, &p->conn);
	p->conn.data = p;
	assert_int_equal(uv_accept(server, (uv_stream_t *)&p->conn), 0);
	uv_read_start((uv_stream_t *)&p->conn, peer_alloc, peer_read);
}

static void
peer_start(uv_loop_t *loop, struct peer *p, enum peer_mode mode)
{
	int len = sizeof(p->addr);

	memset(p, 0, sizeof(*p));
	p->mode = mode;
	uv_tcp_init(loop, &p->listener);
	p->listener.data = p;
	uv_ip4_addr("127.0.0.1", 0, &p->addr);
	assert_int_equal(uv_tcp_bind(&p->listener, (const struct sockaddr *)&p->addr, 0), 0);
	assert_int_equal(uv_listen((uv_stream_t *)&p->listener, 4, peer_accept), 0);
	uv_tcp_getsockname(&p->listener, (struct sockaddr *)&p->addr, &len);
}

static void
peer_stop(uv_loop_t *loop, struct peer *p)
{
	uv_close((uv_handle_t *)&p->listener, peer_closed);
	if (!uv_is_closing((uv_handle_t *)&p->conn) && p->conn.loop)
		uv_close((uv_handle_t *)&p->conn, peer_closed);
	uv_run(loop, UV_RUN_DEFAULT);
}

static void
run_against(enum peer_mode mode, const struct net_conn_config *cfg, struct net_conn *c, struct toy *t)
{
	uv_loop_t loop;
	struct peer p;

	uv_loop_init(&loop);
	peer_start(&loop, &p, mode);
	memset(t, 0, sizeof(*t));
	net_conn_run(&loop, c, (const struct sockaddr *)&p.addr, cfg, &toy_ops, t);
	peer_stop(&loop, &p);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* --- tests --- */

static struct net_conn conn;

/* CPU time of this process so far, in ms. */
static double
cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void
answered_request_is_acknowledged_by(bool tcp_info_only)
{
	struct net_conn_config cfg = {.timeout_ms = 5000, .tcp_info_only = tcp_info_only};
	struct toy t;

	run_against(PEER_ANSWER, &cfg, &conn, &t);
	assert_int_equal(conn.end, NET_END_DONE);
	assert_int_equal(t.got, 8);
	assert_int_equal(conn.n_sends, 1);
	assert_int_equal(conn.sends[0].bytes, 8);
	if (tcp_info_only) {
		assert_false(conn.ack_stamps);
		assert_true(conn.tcp_info);
	} else {
#ifdef __linux__
		/* The kernel stamps the ACK; TCP_INFO is not read at all. */
		assert_true(conn.ack_stamps);
		assert_false(conn.tcp_info);
#endif
	}
	assert_int_not_equal(conn.sends[0].ack_us, 0);
	assert_true(conn.sends[0].ack_us >= conn.sends[0].sent_us);
	assert_true(conn.connected_us >= conn.connect_start_us);
	assert_string_equal(strncmp(conn.local, "127.0.0.1:", 10) == 0 ? "ok" : conn.local, "ok");
}

static void
answered_request_is_acknowledged(void **state)
{
	(void)state;
	answered_request_is_acknowledged_by(false);
	answered_request_is_acknowledged_by(true);
}

/* The ACK comes long before the timeout, and waiting for the answer that
 * never comes costs next to no CPU: a stamp left on the error queue would
 * make the loop spin. */
static void
silent_peer_times_out_after_the_ack_by(bool tcp_info_only)
{
	struct net_conn_config cfg = {.timeout_ms = 300, .tcp_info_only = tcp_info_only};
	double cpu_before = cpu_ms();
	struct toy t;

	run_against(PEER_SILENT, &cfg, &conn, &t);
	assert_int_equal(conn.end, NET_END_TIMEOUT);
	assert_int_not_equal(conn.sends[0].ack_us, 0);
	assert_true(conn.sends[0].ack_us - conn.sends[0].sent_us < 100000);
	assert_true(conn.end_us - conn.sends[0].sent_us >= 290000);
	assert_false(t.eof);
	assert_true(cpu_ms() - cpu_before < 150);
}

static void
silent_peer_times_out_after_the_ack(void **state)
{
	(void)state;
	silent_peer_times_out_after_the_ack_by(false);
	silent_peer_times_out_after_the_ack_by(true);
}

/* The probe gets its Kerberos tickets on the loop's thread before it
 * connects: a KDC that takes longer than the step timeout leaves the
 * loop's cached time that far behind. The connection's timer must count
 * from the connect, not from that stale time (a false tcp.timeout). */
static void
blocked_loop_does_not_time_out_the_connect(void **state)
{
	struct net_conn_config cfg = {.timeout_ms = 200};
	struct timespec pause = {.tv_nsec = 400 * 1000000L};
	uv_loop_t loop;
	struct peer p;
	struct toy t;

	(void)state;
	uv_loop_init(&loop);
	peer_start(&loop, &p, PEER_ANSWER);
	memset(&t, 0, sizeof(t));
	nanosleep(&pause, NULL);
	net_conn_run(&loop, &conn, (const struct sockaddr *)&p.addr, &cfg, &toy_ops, &t);
	peer_stop(&loop, &p);
	assert_int_equal(uv_loop_close(&loop), 0);
	assert_int_equal(conn.end, NET_END_DONE);
	assert_int_equal(t.got, 8);
}

static void
reset_is_told_from_close(void **state)
{
	struct net_conn_config cfg = {.timeout_ms = 5000};
	struct toy t;

	(void)state;
	run_against(PEER_RESET, &cfg, &conn, &t);
	assert_int_equal(conn.end, NET_END_RESET);
	assert_true(t.eof);
}

static void
closed_port_is_refused(void **state)
{
	struct net_conn_config cfg = {.timeout_ms = 5000};
	struct sockaddr_in addr;
	uv_loop_t loop;
	uv_tcp_t s;
	int len = sizeof(addr);
	struct toy t;

	(void)state;
	uv_loop_init(&loop);
	uv_tcp_init(&loop, &s);
	uv_ip4_addr("127.0.0.1", 0, &addr);
	uv_tcp_bind(&s, (const struct sockaddr *)&addr, 0);
	uv_tcp_getsockname(&s, (struct sockaddr *)&addr, &len);
	uv_close((uv_handle_t *)&s, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	memset(&t, 0, sizeof(t));
	net_conn_run(&loop, &conn, (const struct sockaddr *)&addr, &cfg, &toy_ops, &t);
	assert_int_equal(conn.end, NET_END_REFUSED);
	assert_int_equal(conn.connected_us, 0);
	assert_false(t.started);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void
netbios_negative_response(void **state)
{
	struct net_conn_config cfg = {.timeout_ms = 5000, .netbios = true, .called_name = "NOSUCH"};
	struct toy t;

	(void)state;
	run_against(PEER_NBSS_NO, &cfg, &conn, &t);
	assert_int_equal(conn.end, NET_END_NBSS_REJECTED);
	assert_true(conn.nbss_sent);
	assert_int_equal(conn.nbss_type, 0x83);
	assert_int_equal(conn.nbss_code, 0x82);
	assert_false(t.started);
}

static void
netbios_positive_response_then_data(void **state)
{
	struct net_conn_config cfg = {.timeout_ms = 5000, .netbios = true, .called_name = "SERVER"};
	struct toy t;

	(void)state;
	run_against(PEER_NBSS_YES, &cfg, &conn, &t);
	assert_int_equal(conn.end, NET_END_DONE);
	assert_int_equal(conn.nbss_type, 0x82);
	assert_int_equal(conn.n_sends, 2);  /* the session request, then the object's request */
	/* Each send is dated by the stamp of its own last byte. */
	assert_int_not_equal(conn.sends[0].ack_us, 0);
	assert_int_not_equal(conn.sends[1].ack_us, 0);
	assert_true(conn.sends[1].ack_us >= conn.sends[1].sent_us);
	assert_int_equal(conn.sends[1].end_offset, conn.sends[0].end_offset + 8);
	assert_int_equal(t.got, 8);
}

static void
names_and_addresses(void **state)
{
	char name[16], text[64];
	struct sockaddr_in6 s6;
	struct net_resolved r;
	uv_loop_t loop;

	(void)state;
	net_called_name("fs1.contoso.com", false, name);
	assert_string_equal(name, "FS1");
	net_called_name("averyveryverylongservername", false, name);
	assert_string_equal(name, "AVERYVERYVERYLO");
	net_called_name("10.0.0.1", true, name);
	assert_string_equal(name, "*SMBSERVER");
	assert_true(net_host_is_literal("::1"));
	assert_true(net_host_is_literal("192.0.2.7"));
	assert_false(net_host_is_literal("fs1"));
	uv_ip6_addr("2001:db8::1", 445, &s6);
	net_addr_text((struct sockaddr *)&s6, text, sizeof(text));
	assert_string_equal(text, "[2001:db8::1]:445");
	uv_loop_init(&loop);
	net_resolve_run(&loop, "127.0.0.1", 4455, &r);
	assert_int_equal(r.status, 0);
	assert_true(r.literal);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.text[0], "127.0.0.1:4455");
	net_resolve_run(&loop, "localhost", 445, &r);
	assert_int_equal(r.status, 0);
	assert_false(r.literal);
	assert_true(r.n >= 1);
	net_resolve_run(&loop, "no-such-host.invalid", 445, &r);
	assert_int_not_equal(r.status, 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(uv_loop_close(&loop), 0);
	assert_string_equal(net_end_name(NET_END_RESET), "reset");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answered_request_is_acknowledged),
		cmocka_unit_test(silent_peer_times_out_after_the_ack),
		cmocka_unit_test(blocked_loop_does_not_time_out_the_connect),
		cmocka_unit_test(reset_is_told_from_close),
		cmocka_unit_test(closed_port_is_refused),
		cmocka_unit_test(netbios_negative_response),
		cmocka_unit_test(netbios_positive_response_then_data),
		cmocka_unit_test(names_and_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
