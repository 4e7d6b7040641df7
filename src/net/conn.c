/* One TCP connection on a libuv loop, driving a sans-I/O object (see
 * conn.h). What makes it a diagnostic transport rather than a plain one:
 * it remembers when each request left and when the peer's TCP stack
 * acknowledged it, and it tells a reset from an orderly close from a
 * peer that simply stays silent. */
#include <ctype.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/wire/cursor.h"
#include "core/wire/nbss.h"
#include "net/ack_stamps.h"
#include "net/conn.h"

/* Where the kernel cannot stamp ACKs (ack_stamps.c), TCP_INFO is polled.
 * TCP_INFO polls after a send, in ms between polls: dense at first (a
 * LAN acknowledges within a millisecond), then sparse up to about a
 * second, so a silent server costs a handful of wake-ups at most. */
static const unsigned ack_poll_ms[] = {1, 2, 5, 12, 30, 50, 100, 200, 600};
#define ACK_POLLS (sizeof(ack_poll_ms) / sizeof(ack_poll_ms[0]))
/* Before the timer takes over, the ACK is watched for this long: a LAN
 * ACK comes back in 100-300 us, and the kernel dates the last ACK only to
 * the millisecond, so only watching it arrive tells "ACK after 200 us"
 * from "ACK within a millisecond". Watching means sleeping in ppoll() on
 * the socket for slices of ACK_WATCH_SLICE_US and reading TCP_INFO after
 * each: it wakes at once when the answer arrives (the answer carries the
 * ACK, and a server that answers at once is the common case), and it
 * leaves the CPU to the server. The tight getsockopt() loop this replaces
 * dated the ACK to the microsecond rather than to the slice, but burned up
 * to 500 us of CPU after every request (dozens of getsockopt calls a
 * probe), and on a busy machine delayed the answer it was waiting for. */
#define ACK_WATCH_US 500u
#define ACK_WATCH_SLICE_US 50u

uint64_t
net_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
net_addr_text(const struct sockaddr *sa, char *out, size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		uv_ip6_name(s6, host, sizeof(host));
		snprintf(out, cap, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		uv_ip4_name(s4, host, sizeof(host));
		snprintf(out, cap, "%s:%u", host, ntohs(s4->sin_port));
	} else {
		snprintf(out, cap, "?");
	}
}

void
net_called_name(const char *host, bool literal, char out[16])
{
	size_t i;

	if (literal) {
		snprintf(out, 16, "*SMBSERVER");
		return;
	}
	for (i = 0; i < 15 && host[i] && host[i] != '.'; i++)
		out[i] = (char)toupper((unsigned char)host[i]);
	out[i] = '\0';
}

const char *
net_end_name(enum net_end e)
{
	static const char *const names[] = {
		"none", "done", "refused", "connect_timeout", "connect_error", "nbss_rejected",
		"timeout", "reset", "closed", "error",
	};

	return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}

/* --- name resolution --- */

bool
net_host_is_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return uv_inet_pton(AF_INET, host, buf) == 0 || uv_inet_pton(AF_INET6, host, buf) == 0;
}

static void
on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct net_resolver *r = req->data;
	struct addrinfo *ai;
	size_t i;

	r->result.status = status;
	for (ai = status == 0 ? res : NULL; ai && r->result.n < NET_MAX_ADDRS; ai = ai->ai_next) {
		struct sockaddr_storage *slot = &r->result.addr[r->result.n];
		bool dup = false;

		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) || ai->ai_addrlen > sizeof(*slot))
			continue;
		for (i = 0; i < r->result.n; i++)
			dup |= memcmp(&r->result.addr[i], ai->ai_addr, ai->ai_addrlen) == 0;
		if (dup)
			continue;
		memset(slot, 0, sizeof(*slot));
		memcpy(slot, ai->ai_addr, ai->ai_addrlen);
		net_addr_text((struct sockaddr *)slot, r->result.text[r->result.n], sizeof(r->result.text[0]));
		r->result.n++;
	}
	if (res)
		uv_freeaddrinfo(res);
	r->cb(r);
}

int
net_resolve_start(uv_loop_t *loop, struct net_resolver *r, const char *host, uint16_t port, net_resolve_cb cb,
		  void *user)
{
	struct addrinfo hints;
	char service[8];

	memset(&r->result, 0, sizeof(r->result));
	r->result.literal = net_host_is_literal(host);
	r->port = port;
	r->cb = cb;
	r->user = user;
	r->req.data = r;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = r->result.literal ? AI_NUMERICHOST : AI_ADDRCONFIG;
	snprintf(service, sizeof(service), "%u", port);
	return uv_getaddrinfo(loop, &r->req, on_resolved, host, service, &hints);
}

static bool
literal_into(const char *host, uint16_t port, struct net_resolved *out)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->addr[0];
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->addr[0];

	out->literal = true;
	if (uv_ip4_addr(host, port, s4) != 0 && uv_ip6_addr(host, port, s6) != 0)
		return false;
	out->n = 1;
	net_addr_text((struct sockaddr *)&out->addr[0], out->text[0], sizeof(out->text[0]));
	return true;
}

static void
resolved_into(struct net_resolver *r)
{
	*(struct net_resolved *)r->user = r->result;
	uv_stop(r->req.loop);
}

void
net_resolve_run(uv_loop_t *loop, const char *host, uint16_t port, struct net_resolved *out)
{
	struct net_resolver r;
	int err;

	/* A literal needs no resolver thread. */
	memset(out, 0, sizeof(*out));
	if (net_host_is_literal(host) && literal_into(host, port, out))
		return;
	err = net_resolve_start(loop, &r, host, port, resolved_into, out);
	if (err) {
		memset(out, 0, sizeof(*out));
		out->status = err;
		out->literal = net_host_is_literal(host);
		return;
	}
	uv_run(loop, UV_RUN_DEFAULT);
}

/* --- the connection --- */

static void
on_handle_closed(uv_handle_t *h)
{
	struct net_conn *c = h->data;

	/* net_conn_run returns once this connection is over, even when the
	 * loop carries other handles (a listener in tests, a scan later). */
	if (--c->handles_open == 0)
		uv_stop(c->loop);
}

static void
finish(struct net_conn *c, enum net_end end, int sys_err)
{
	if (c->closing)
		return;
	c->closing = true;
	c->end = end;
	c->sys_err = sys_err;
	c->end_us = net_now_us();
	if (c->connected_us && c->cfg.tap)
		c->cfg.tap(c->cfg.tap_user, c, NET_ENDED, NULL, 0, c->end_us);
	uv_timer_stop(&c->step_timer);
	uv_timer_stop(&c->ack_timer);
	uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	uv_close((uv_handle_t *)&c->step_timer, on_handle_closed);
	uv_close((uv_handle_t *)&c->ack_timer, on_handle_closed);
}

/* Reads TCP_INFO; when nothing is left unacknowledged, dates the ACK of
 * every send still waiting for one. The kernel gives the age of the last
 * ACK in milliseconds, so the date is the poll time minus that age, never
 * before the send. */
static bool
poll_ack_at(struct net_conn *c, uint64_t now)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	uv_os_fd_t fd;
	uint64_t at;
	size_t i;
	bool waiting = false;

	for (i = 0; i < c->n_sends; i++)
		waiting |= c->sends[i].ack_us == 0;
	if (!waiting)
		return true;
	if (uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return false;
	c->tcp_info = true;
	if (ti.tcpi_unacked != 0)
		return false;
	at = now - (uint64_t)ti.tcpi_last_ack_recv * 1000u;
	for (i = 0; i < c->n_sends; i++) {
		if (c->sends[i].ack_us)
			continue;
		c->sends[i].ack_us = at > c->sends[i].sent_us ? at : c->sends[i].sent_us;
		if (c->sends[i].ack_us > now)
			c->sends[i].ack_us = now;
	}
	return true;
}

static bool
poll_ack(struct net_conn *c)
{
	return poll_ack_at(c, net_now_us());
}

/* Dates every recorded send that the kernel's ACK stamps cover, never
 * before the send. */
static void
take_ack_stamps(struct net_conn *c)
{
	uv_os_fd_t fd;
	uint32_t acked_low;
	uint64_t at, acked;
	size_t i;
	int n;

	if (uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0)
		return;
	for (n = 0; n < 64 && ack_stamps_next(fd, &acked_low, &at); n++) {
		/* The kernel's count is 32 bits: unwrap it below ours. */
		acked = c->bytes_queued - (uint32_t)((uint32_t)c->bytes_queued - acked_low);
		for (i = 0; i < c->n_sends; i++) {
			struct net_send *s = &c->sends[i];

			if (s->ack_us == 0 && s->end_offset <= acked)
				s->ack_us = at > s->sent_us ? at : s->sent_us;
		}
	}
}

/* The ACKs so far: from the stamps, or by one TCP_INFO poll. */
static void
update_acks(struct net_conn *c)
{
	if (c->ack_stamps)
		take_ack_stamps(c);
	else
		poll_ack(c);
}

static void
on_ack_timer(uv_timer_t *t)
{
	struct net_conn *c = t->data;

	if (c->closing || poll_ack(c) || ++c->ack_polls >= ACK_POLLS)
		return;
	uv_timer_start(&c->ack_timer, on_ack_timer, ack_poll_ms[c->ack_polls], 0);
}

static void
on_step_timeout(uv_timer_t *t)
{
	struct net_conn *c = t->data;

	update_acks(c);
	finish(c, c->connected_us ? NET_END_TIMEOUT : NET_END_CONNECT_TIMEOUT, 0);
}

static void
arm_step_timer(struct net_conn *c)
{
	/* libuv dates a timer from the time it cached at the start of the
	 * loop's iteration: a caller that blocked before net_conn_run (the
	 * probe asking a slow KDC for tickets) would otherwise arm a timer
	 * already due, and report a SYN as unanswered within microseconds. */
	uv_update_time(c->loop);
	uv_timer_start(&c->step_timer, on_step_timeout, c->cfg.timeout_ms, 0);
}

static bool
watch_for_ack(struct net_conn *c)
{
	uint64_t start = net_now_us(), now = start;
	struct pollfd pfd = {.events = POLLIN};
	uv_os_fd_t fd;

	if (poll_ack_at(c, now))
		return true;
	if (!c->tcp_info || uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0)
		return false;
	pfd.fd = fd;
	while (now - start < ACK_WATCH_US) {
		struct timespec slice = {.tv_nsec = (long)ACK_WATCH_SLICE_US * 1000};
		int ready = ppoll(&pfd, 1, &slice, NULL);

		now = net_now_us();
		/* Readable: the answer (or a close) is here; on_read dates the
		 * ACK again if this does not. */
		if (ready != 0)
			return poll_ack_at(c, now);
		if (poll_ack_at(c, now))
			return true;
	}
	return false;
}

static void
request_written(struct net_conn *c, size_t bytes)
{
	struct net_send *s;

	if (c->n_sends < NET_MAX_SENDS) {
		s = &c->sends[c->n_sends++];
		s->sent_us = net_now_us();
		s->ack_us = 0;
		s->bytes = bytes;
		s->end_offset = c->bytes_queued;
	}
	arm_step_timer(c);
	if (c->ack_stamps) {
		/* On loopback the ACK may be in before write() returns. */
		take_ack_stamps(c);
		return;
	}
	c->ack_polls = 0;
	if (!watch_for_ack(c))
		uv_timer_start(&c->ack_timer, on_ack_timer, ack_poll_ms[0], 0);
}

static void flush(struct net_conn *c);

static void
on_written(uv_write_t *req, int status)
{
	struct net_conn *c = req->data;

	c->writing = false;
	if (c->closing)
		return;
	if (status < 0) {
		finish(c, status == UV_ECONNRESET || status == UV_EPIPE ? NET_END_RESET : NET_END_ERROR, status);
		return;
	}
	if (!c->started) {
		request_written(c, c->nbss_req_len);
		return;
	}
	{
		const uint8_t *p;
		size_t left = c->ops->output(c->obj, &p);

		c->ops->output_done(c->obj, left, net_now_us());
		request_written(c, left);
	}
	flush(c);
}

/* Writes bytes that stay valid until written (the object's output, or the
 * session request): synchronously when the socket takes them, else
 * through uv_write. Returns the bytes written now. */
static size_t
write_bytes(struct net_conn *c, const uint8_t *p, size_t n)
{
	uv_buf_t buf = uv_buf_init((char *)(uintptr_t)p, (unsigned)n);
	int r;

	c->bytes_queued += n;
	r = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
	if (r == (int)n)
		return n;
	if (r < 0 && r != UV_EAGAIN) {
		finish(c, r == UV_ECONNRESET || r == UV_EPIPE ? NET_END_RESET : NET_END_ERROR, r);
		return 0;
	}
	if (r < 0)
		r = 0;
	buf = uv_buf_init((char *)(uintptr_t)(p + r), (unsigned)(n - (size_t)r));
	c->writing = true;
	c->write_req.data = c;
	if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &buf, 1, on_written) != 0) {
		c->writing = false;
		finish(c, NET_END_ERROR, UV_EIO);
	}
	return (size_t)r;
}

static void
flush(struct net_conn *c)
{
	while (!c->writing && !c->closing) {
		const uint8_t *p;
		size_t n = c->ops->output(c->obj, &p), done;
		uint64_t now = net_now_us();

		if (n == 0)
			break;
		if (c->cfg.tap)
			c->cfg.tap(c->cfg.tap_user, c, NET_SENT, p, n, now);
		done = write_bytes(c, p, n);
		if (c->writing) {
			/* The object learns of the synchronous part now; the rest
			 * follows in on_written. */
			if (done)
				c->ops->output_done(c->obj, done, now);
			break;
		}
		if (c->closing)
			break;
		c->ops->output_done(c->obj, done, now);
		request_written(c, done);
	}
	if (!c->closing && c->started && c->ops->finished(c->obj))
		finish(c, NET_END_DONE, 0);
}

static void
start_object(struct net_conn *c)
{
	c->started = true;
	c->ops->start(c->obj, net_now_us());
	flush(c);
}

/* Port 139: the session response is a whole NBSS PDU of 4 to 10 bytes. */
static size_t
nbss_pdu_need(const struct net_conn *c)
{
	if (c->nbss_len < NBSS_HEADER_SIZE)
		return NBSS_HEADER_SIZE;
	return NBSS_HEADER_SIZE + (((size_t)c->nbss_buf[1] & 1u) << 16 | (size_t)c->nbss_buf[2] << 8 | c->nbss_buf[3]);
}

static size_t
nbss_response_input(struct net_conn *c, const uint8_t *p, size_t n)
{
	size_t used = 0;

	while (used < n && c->nbss_len < nbss_pdu_need(c)) {
		if (nbss_pdu_need(c) > sizeof(c->nbss_buf)) {
			finish(c, NET_END_ERROR, UV_EPROTO);
			return used;
		}
		c->nbss_buf[c->nbss_len++] = p[used++];
	}
	if (c->nbss_len < nbss_pdu_need(c))
		return used;
	c->nbss_type = c->nbss_buf[0];
	c->nbss_response_us = net_now_us();
	uv_timer_stop(&c->step_timer);
	if (c->nbss_type == NBSS_POSITIVE_RESPONSE) {
		start_object(c);
	} else if (c->nbss_type == NBSS_NEGATIVE_RESPONSE || c->nbss_type == NBSS_RETARGET_RESPONSE) {
		c->nbss_code = c->nbss_len > NBSS_HEADER_SIZE ? c->nbss_buf[NBSS_HEADER_SIZE] : 0;
		finish(c, NET_END_NBSS_REJECTED, 0);
	} else {
		finish(c, NET_END_ERROR, UV_EPROTO);
	}
	return used;
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct net_conn *c = h->data;

	(void)suggested;
	*buf = uv_buf_init((char *)c->read_buf, sizeof(c->read_buf));
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct net_conn *c = s->data;
	const uint8_t *p = (const uint8_t *)buf->base;
	size_t n, used = 0;
	uint64_t now = net_now_us();

	/* A stamp on the error queue wakes the loop like data does (POLLERR)
	 * and libuv then reads nothing: take it here, or the loop spins. */
	if (c->ack_stamps && !c->closing)
		take_ack_stamps(c);
	if (c->closing || nread == 0)
		return;
	if (nread < 0) {
		if (!c->ack_stamps)
			poll_ack(c);
		if (c->started)
			c->ops->eof(c->obj, now);
		if (nread == UV_EOF)
			finish(c, NET_END_CLOSED, 0);
		else
			finish(c, nread == UV_ECONNRESET ? NET_END_RESET : NET_END_ERROR, (int)nread);
		return;
	}
	n = (size_t)nread;
	c->last_input_us = now;
	/* An answer acknowledges the request at the latest when it arrives. */
	if (!c->ack_stamps)
		poll_ack_at(c, now);
	if (c->cfg.tap)
		c->cfg.tap(c->cfg.tap_user, c, NET_RECEIVED, p, n, now);
	if (!c->started) {
		used = nbss_response_input(c, p, n);
		if (c->closing || !c->started)
			return;
	}
	if (used < n) {
		uv_timer_stop(&c->step_timer);
		c->ops->input(c->obj, p + used, n - used, now);
	}
	flush(c);
}

static void
send_session_request(struct net_conn *c)
{
	struct sd_wr w;
	size_t done;

	sd_wr_init(&w, c->nbss_req, sizeof(c->nbss_req));
	if (nbss_session_request_encode(&w, c->cfg.called_name ? c->cfg.called_name : "*SMBSERVER",
					NBSS_SUFFIX_SERVER, c->cfg.calling_name ? c->cfg.calling_name : "SMBDIAG",
					NBSS_SUFFIX_WORKSTATION, NULL) != SD_OK) {
		finish(c, NET_END_ERROR, UV_EINVAL);
		return;
	}
	c->nbss_req_len = w.len;
	c->nbss_sent = true;
	c->nbss_request_us = net_now_us();
	if (c->cfg.tap)
		c->cfg.tap(c->cfg.tap_user, c, NET_SENT, c->nbss_req, w.len, c->nbss_request_us);
	done = write_bytes(c, c->nbss_req, w.len);
	if (!c->writing && !c->closing && done == w.len)
		request_written(c, done);
}

static void
on_connect(uv_connect_t *req, int status)
{
	struct net_conn *c = req->data;
	struct sockaddr_storage ss;
	int len;

	if (c->closing)
		return;
	uv_timer_stop(&c->step_timer);
	if (status < 0) {
		if (status == UV_ECONNREFUSED || status == UV_ECONNRESET)
			finish(c, NET_END_REFUSED, status);
		else if (status == UV_ETIMEDOUT)
			finish(c, NET_END_CONNECT_TIMEOUT, status);
		else
			finish(c, NET_END_CONNECT_ERROR, status);
		return;
	}
	c->connected_us = net_now_us();
	len = sizeof(ss);
	if (uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
		c->local_addr = ss;
		net_addr_text((struct sockaddr *)&ss, c->local, sizeof(c->local));
	}
	uv_tcp_nodelay(&c->tcp, 1);
	if (c->cfg.tap)
		c->cfg.tap(c->cfg.tap_user, c, NET_OPENED, NULL, 0, c->connected_us);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
		finish(c, NET_END_ERROR, UV_EIO);
		return;
	}
	/* After uv_read_start: the stamps are drained by on_read. */
	if (!c->cfg.tcp_info_only) {
		uv_os_fd_t fd;

		c->ack_stamps = uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0 && ack_stamps_enable(fd);
	}
	if (c->cfg.netbios)
		send_session_request(c);
	else
		start_object(c);
}

int
net_conn_run(uv_loop_t *loop, struct net_conn *c, const struct sockaddr *addr, const struct net_conn_config *cfg,
	     const struct net_io_ops *ops, void *obj)
{
	size_t tail = offsetof(struct net_conn, read_buf) + sizeof(c->read_buf);
	int err;

	/* All but the read buffer, which reads fill before use: zeroing its
	 * 64 KiB touched 16 fresh pages per connection (page faults are a good
	 * part of a probe's CPU). */
	memset(c, 0, offsetof(struct net_conn, read_buf));
	memset((uint8_t *)c + tail, 0, sizeof(*c) - tail);
	c->loop = loop;
	c->cfg = *cfg;
	c->ops = ops;
	c->obj = obj;
	net_addr_text(addr, c->peer, sizeof(c->peer));
	memcpy(&c->peer_addr, addr,
	       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	uv_tcp_init(loop, &c->tcp);
	uv_timer_init(loop, &c->step_timer);
	uv_timer_init(loop, &c->ack_timer);
	c->tcp.data = c->step_timer.data = c->ack_timer.data = c->connect_req.data = c;
	c->handles_open = 3;
	c->connect_start_us = net_now_us();
	err = uv_tcp_connect(&c->connect_req, &c->tcp, addr, on_connect);
	if (err) {
		finish(c, err == UV_ECONNREFUSED ? NET_END_REFUSED : NET_END_CONNECT_ERROR, err);
	} else {
		arm_step_timer(c);
	}
	uv_run(loop, UV_RUN_DEFAULT);
	return 0;
}
