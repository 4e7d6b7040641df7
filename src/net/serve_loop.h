/* libuv glue for `smbdiag serve`: a TCP listener that gives each accepted
 * connection its own core server (src/core/proto/server.h), moves its
 * bytes, runs its timers, carries out its actions (close, reset) and
 * hands every event to the caller as it happens.
 *
 * The loop owns the clock and the random source the core must not touch:
 * monotonic microseconds for timers, the wall clock for FILETIMEs, and
 * OpenSSL's RAND_bytes for challenges, salts and nonces.
 */
#ifndef SMBDIAG_NET_SERVE_LOOP_H
#define SMBDIAG_NET_SERVE_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "core/proto/server.h"

struct serve_conn_info {
	unsigned id;              /* 1, 2, ... in accept order */
	char peer[64];            /* "127.0.0.1:51234" */
	char local[64];
	uint64_t start_us;        /* monotonic, from serve_now_us() */
};

struct serve_loop_config {
	const char *host;         /* listen address, IPv4 or IPv6 literal */
	uint16_t port;
	unsigned max_connections; /* 0: 256; beyond it the oldest silent connection makes room,
				   * else the new one is closed at once */
	const struct smb2s_policy *policy;
	/* Called for each event of each connection, as it happens. */
	void (*on_event)(void *user, const struct serve_conn_info *c, const struct smb2s_event *ev);
	/* Called when a connection opens (open = true) and when it is gone;
	 * how = "closed by client", "closed", "reset", "refused: too many". */
	void (*on_conn)(void *user, const struct serve_conn_info *c, bool open, const char *how);
	void *user;
};

struct serve_loop;

uint64_t serve_now_us(void);

/* Binds and listens; the caller runs the loop. Returns 0 or a libuv error
 * (UV_EADDRINUSE, ...). *out is freed by serve_loop_close. */
int serve_loop_start(uv_loop_t *loop, const struct serve_loop_config *cfg, struct serve_loop **out);
/* Closes the listener and every connection; run the loop once more to let
 * libuv finish, then the object is freed by its last close callback. */
void serve_loop_close(struct serve_loop *sl);
/* The bound address ("127.0.0.1:4455"), useful with port 0. */
const char *serve_loop_address(const struct serve_loop *sl);

#endif
