/* `smbdiag serve` on libuv: accept, read, write, timers and the actions
 * of each connection's core server (see serve_loop.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/serve_loop.h"

#include "net/os_ctx.h"

#define READ_CHUNK 65536
#define PENDING_CAP (256 * 1024)
#define DEFAULT_MAX_CONNECTIONS 256

struct serve_conn {
	struct serve_conn *next;
	struct serve_loop *sl;
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_write_t wreq;
	int handles_open;
	bool closing, writing, reading;
	bool spoke;               /* the server has taken a whole request from the client */
	struct smb2_server *srv;
	struct serve_conn_info info;
	uint8_t *pending;         /* input the server has not taken yet */
	size_t pending_len;
	uint8_t *wbuf;
	const char *how;
};

struct serve_loop {
	uv_loop_t *loop;
	uv_tcp_t listener;
	struct serve_loop_config cfg;
	struct sd_ctx ctx;
	struct sd_crypto *crypto;
	struct serve_conn *conns;
	unsigned next_id;
	bool closing, listener_open;
	char addr[64];
};

uint64_t
serve_now_us(void)
{
	return uv_hrtime() / 1000;
}

static void
addr_text(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char host[64] = "?";
	int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		uv_ip4_name(in, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, cap, "%s:%d", host, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		uv_ip6_name(in6, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, cap, "[%s]:%d", host, port);
	} else {
		snprintf(out, cap, "?");
	}
}

static void pump(struct serve_conn *c);

static void
free_loop_if_done(struct serve_loop *sl)
{
	if (sl->closing && !sl->listener_open && sl->conns == NULL) {
		sd_crypto_free(sl->crypto);
		free(sl);
	}
}

static void
conn_handle_closed(uv_handle_t *h)
{
	struct serve_conn *c = h->data;
	struct serve_loop *sl = c->sl;
	struct serve_conn **pp;

	if (--c->handles_open > 0)
		return;
	for (pp = &sl->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (sl->cfg.on_conn)
		sl->cfg.on_conn(sl->cfg.user, &c->info, false, c->how);
	smb2_server_free(c->srv);
	free(c->pending);
	free(c->wbuf);
	free(c);
	free_loop_if_done(sl);
}

static void
conn_close(struct serve_conn *c, const char *how, bool reset)
{
	if (c->closing)
		return;
	c->closing = true;
	c->how = how;
	if (c->reading)
		uv_read_stop((uv_stream_t *)&c->tcp);
	uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
	if (reset && uv_tcp_close_reset(&c->tcp, conn_handle_closed) == 0)
		return;
	uv_close((uv_handle_t *)&c->tcp, conn_handle_closed);
}

static unsigned
drain_events(struct serve_conn *c)
{
	struct smb2s_event ev;
	unsigned n = 0;

	while (smb2_server_next_event(c->srv, &ev)) {
		n++;
		if (ev.kind != SMB2S_EV_TIMER && ev.kind != SMB2S_EV_CLOSE && ev.kind != SMB2S_EV_RESET)
			c->spoke = true;
		if (c->sl->cfg.on_event)
			c->sl->cfg.on_event(c->sl->cfg.user, &c->info, &ev);
	}
	return n;
}

static void
on_write(uv_write_t *req, int status)
{
	struct serve_conn *c = req->data;

	free(c->wbuf);
	c->wbuf = NULL;
	c->writing = false;
	if (c->closing)
		return;
	if (status < 0) {
		conn_close(c, "write failed", false);
		return;
	}
	pump(c);
}

static void
on_timer(uv_timer_t *t)
{
	struct serve_conn *c = t->data;

	smb2_server_tick(c->srv, serve_now_us());
	pump(c);
}

static void
alloc_read(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	(void)suggested;
	buf->base = malloc(READ_CHUNK);
	buf->len = buf->base ? READ_CHUNK : 0;
}

static void
feed(struct serve_conn *c, const uint8_t *p, size_t len)
{
	size_t used = 0;

	if (c->pending_len == 0) {
		if (smb2_server_input(c->srv, p, len, serve_now_us(), &used) != SD_OK) {
			conn_close(c, "server failure", true);
			return;
		}
		p += used;
		len -= used;
		if (len == 0)
			return;
	}
	/* Back-pressure: keep the rest and stop reading until it is taken. */
	if (c->pending == NULL && (c->pending = malloc(PENDING_CAP)) == NULL) {
		conn_close(c, "out of memory", true);
		return;
	}
	if (len > PENDING_CAP - c->pending_len) {
		conn_close(c, "client sends faster than it reads", true);
		return;
	}
	memcpy(c->pending + c->pending_len, p, len);
	c->pending_len += len;
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = false;
	}
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void
take_pending(struct serve_conn *c)
{
	size_t used = 0;

	if (c->pending_len == 0)
		return;
	if (smb2_server_input(c->srv, c->pending, c->pending_len, serve_now_us(), &used) != SD_OK) {
		conn_close(c, "server failure", true);
		return;
	}
	memmove(c->pending, c->pending + used, c->pending_len - used);
	c->pending_len -= used;
	if (c->pending_len == 0 && !c->reading && uv_read_start((uv_stream_t *)&c->tcp, alloc_read, on_read) == 0)
		c->reading = true;
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct serve_conn *c = s->data;

	if (nread > 0 && !c->closing)
		feed(c, (const uint8_t *)buf->base, (size_t)nread);
	free(buf->base);
	if (c->closing)
		return;
	if (nread < 0) {
		smb2_server_eof(c->srv, serve_now_us());
		drain_events(c);
		conn_close(c, nread == UV_EOF ? "closed by client" : "reset by client", false);
		return;
	}
	pump(c);
}

/* Moves whatever can move: pending input, output, events, actions and
 * the next timer. */
static void
pump(struct serve_conn *c)
{
	const uint8_t *p;
	size_t n;
	uint64_t t, now;
	uv_buf_t b;
	unsigned rounds;

	if (c->closing)
		return;
	/* Input held back by the server's event queue moves once the events
	 * are taken. */
	for (rounds = 0; rounds < 256 && !c->closing; rounds++) {
		size_t before = c->pending_len;

		take_pending(c);
		if (drain_events(c) == 0 && (c->pending_len == 0 || c->pending_len == before))
			break;
	}
	if (c->closing)
		return;
	if (smb2_server_action(c->srv) == SMB2S_ACT_RESET) {
		conn_close(c, "reset", true);
		return;
	}
	if (!c->writing && (n = smb2_server_output(c->srv, &p)) > 0) {
		c->wbuf = malloc(n);
		if (c->wbuf == NULL) {
			conn_close(c, "out of memory", true);
			return;
		}
		memcpy(c->wbuf, p, n);
		smb2_server_output_done(c->srv, n);
		b = uv_buf_init((char *)c->wbuf, (unsigned)n);
		c->wreq.data = c;
		if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
			conn_close(c, "write failed", false);
			return;
		}
		c->writing = true;
		take_pending(c);  /* the output queue has room again */
		drain_events(c);
	}
	if (smb2_server_action(c->srv) == SMB2S_ACT_CLOSE && !c->writing && smb2_server_output(c->srv, &p) == 0) {
		conn_close(c, "closed", false);
		return;
	}
	now = serve_now_us();
	t = smb2_server_next_timeout(c->srv);
	if (t == UINT64_MAX)
		uv_timer_stop(&c->timer);
	else
		uv_timer_start(&c->timer, on_timer, t > now ? (t - now + 999) / 1000 : 0, 0);
}

/* The handle is embedded in its connection: free the connection, which
 * on_connection stored in the handle's data before closing it. */
static void
refuse_closed(uv_handle_t *h)
{
	free(h->data);
}

/* At the limit, the oldest connection that has not yet sent one whole
 * request makes room: sockets that only sit there (a scan, a stuck client,
 * one that sends a byte and stops) must not lock every client out until
 * their idle deadline. True when there is room. */
static bool
make_room(struct serve_loop *sl, unsigned max)
{
	struct serve_conn *c, *oldest = NULL;
	unsigned open = 0;

	for (c = sl->conns; c; c = c->next) {
		if (c->closing)
			continue;
		open++;
		if (!c->spoke)
			oldest = c;  /* the list is newest first */
	}
	if (open < max)
		return true;
	if (oldest == NULL)
		return false;
	conn_close(oldest, "closed to make room: the connection limit was reached and it had not sent a whole request", true);
	return true;
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct serve_loop *sl = server->data;
	struct serve_conn *c;
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	unsigned max = sl->cfg.max_connections ? sl->cfg.max_connections : DEFAULT_MAX_CONNECTIONS;

	if (status < 0 || sl->closing)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return;
	uv_tcp_init(sl->loop, &c->tcp);
	c->tcp.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		uv_close((uv_handle_t *)&c->tcp, refuse_closed);
		return;
	}
	c->info.id = ++sl->next_id;
	c->info.start_us = serve_now_us();
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0)
		addr_text(&ss, c->info.peer, sizeof(c->info.peer));
	len = sizeof(ss);
	if (uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&ss, &len) == 0)
		addr_text(&ss, c->info.local, sizeof(c->info.local));
	if (!make_room(sl, max) ||
	    smb2_server_create(&sl->ctx, sl->crypto, sl->cfg.policy, c->info.start_us, &c->srv) != SD_OK) {
		if (sl->cfg.on_conn)
			sl->cfg.on_conn(sl->cfg.user, &c->info, false, "refused: too many connections");
		uv_close((uv_handle_t *)&c->tcp, refuse_closed);
		return;
	}
	c->sl = sl;
	c->tcp.data = c;
	c->timer.data = c;
	uv_timer_init(sl->loop, &c->timer);
	c->handles_open = 2;
	uv_tcp_nodelay(&c->tcp, 1);
	c->next = sl->conns;
	sl->conns = c;
	if (sl->cfg.on_conn)
		sl->cfg.on_conn(sl->cfg.user, &c->info, true, "open");
	if (uv_read_start((uv_stream_t *)&c->tcp, alloc_read, on_read) == 0)
		c->reading = true;
	pump(c);
}

static int
bind_address(const char *host, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) == 0)
		return 0;
	return uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss);
}

int
serve_loop_start(uv_loop_t *loop, const struct serve_loop_config *cfg, struct serve_loop **out)
{
	struct serve_loop *sl;
	struct sockaddr_storage ss;
	int len = sizeof(ss), err;

	*out = NULL;
	sl = calloc(1, sizeof(*sl));
	if (sl == NULL)
		return UV_ENOMEM;
	sl->loop = loop;
	sl->cfg = *cfg;
	net_os_ctx(&sl->ctx);
	if (sd_crypto_create(&sl->crypto) != SD_OK) {
		free(sl);
		return UV_ENOMEM;
	}
	err = bind_address(cfg->host, cfg->port, &ss);
	if (!err)
		err = uv_tcp_init(loop, &sl->listener);
	if (err) {
		sd_crypto_free(sl->crypto);
		free(sl);
		return err;
	}
	sl->listener_open = true;
	sl->listener.data = sl;
	err = uv_tcp_bind(&sl->listener, (const struct sockaddr *)&ss, 0);
	if (!err)
		err = uv_listen((uv_stream_t *)&sl->listener, 128, on_connection);
	if (err) {
		serve_loop_close(sl);
		return err;
	}
	if (uv_tcp_getsockname(&sl->listener, (struct sockaddr *)&ss, &len) == 0)
		addr_text(&ss, sl->addr, sizeof(sl->addr));
	*out = sl;
	return 0;
}

static void
listener_closed(uv_handle_t *h)
{
	struct serve_loop *sl = h->data;

	sl->listener_open = false;
	free_loop_if_done(sl);
}

void
serve_loop_close(struct serve_loop *sl)
{
	struct serve_conn *c, *next;

	if (sl == NULL || sl->closing)
		return;
	sl->closing = true;
	for (c = sl->conns; c; c = next) {
		next = c->next;
		conn_close(c, "server stopping", false);
	}
	uv_close((uv_handle_t *)&sl->listener, listener_closed);
}

const char *
serve_loop_address(const struct serve_loop *sl)
{
	return sl->addr;
}
