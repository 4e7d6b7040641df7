/* libuv glue shared by the fronts that talk to live peers (probe now,
 * serve and scan later): asynchronous name resolution, one TCP connection
 * (IPv4 or IPv6, optional NetBIOS session request on port 139) that moves
 * bytes for a sans-I/O object, per-step timeouts, and what the kernel
 * knows about delivery (Linux TCP_INFO: when the peer's TCP stack
 * acknowledged each request).
 *
 * Everything runs on the caller's uv_loop_t; the *_run helpers run the
 * loop until their object finishes, for sequential callers like probe.
 * Times are microseconds of net_now_us() (monotonic).
 */
#ifndef SMBDIAG_NET_CONN_H
#define SMBDIAG_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

uint64_t net_now_us(void);

/* "192.0.2.1:445" or "[2001:db8::1]:445". */
void net_addr_text(const struct sockaddr *sa, char *out, size_t cap);

#define NET_MAX_ADDRS 8

struct net_resolved {
	int status;                     /* 0, or a libuv error (UV_EAI_NONAME, ...) */
	bool literal;                   /* the name was an IPv4 / IPv6 literal */
	size_t n;
	struct sockaddr_storage addr[NET_MAX_ADDRS];
	char text[NET_MAX_ADDRS][64];
};

struct net_resolver;
typedef void (*net_resolve_cb)(struct net_resolver *r);

struct net_resolver {
	uv_getaddrinfo_t req;
	struct net_resolved result;
	uint16_t port;
	net_resolve_cb cb;
	void *user;
};

/* True for an IPv4 or IPv6 literal (without brackets). */
bool net_host_is_literal(const char *host);

/* Starts resolving host (a name or a literal) for TCP port; cb runs on the
 * loop with r->result filled. Returns 0 or a libuv error. */
int net_resolve_start(uv_loop_t *loop, struct net_resolver *r, const char *host, uint16_t port, net_resolve_cb cb,
		      void *user);
/* Resolves and waits (runs the loop). */
void net_resolve_run(uv_loop_t *loop, const char *host, uint16_t port, struct net_resolved *out);

/* The sans-I/O object a connection drives (the core client, later the
 * scanner's probes): the same four verbs as src/core/proto/client.h. */
struct net_io_ops {
	void (*start)(void *obj, uint64_t now_us);   /* the transport is ready */
	size_t (*output)(void *obj, const uint8_t **p);
	void (*output_done)(void *obj, size_t n, uint64_t now_us);
	void (*input)(void *obj, const uint8_t *p, size_t len, uint64_t now_us);
	void (*eof)(void *obj, uint64_t now_us);
	bool (*finished)(void *obj);
};

/* Every byte the connection moved, for --save-capture. */
enum net_dir {
	NET_SENT = 0,
	NET_RECEIVED = 1,
	NET_OPENED = 2,    /* connected (no bytes) */
	NET_ENDED = 3,     /* the connection ended, c->end says how (no bytes) */
};
struct net_conn;
/* c->local_addr / c->peer_addr name the flow. */
typedef void (*net_tap_fn)(void *user, const struct net_conn *c, enum net_dir dir, const uint8_t *p, size_t len,
			   uint64_t at_us);

enum net_end {
	NET_END_NONE = 0,
	NET_END_DONE,            /* the object finished */
	NET_END_REFUSED,         /* connect: refused or reset */
	NET_END_CONNECT_TIMEOUT, /* connect: no answer to the SYN in time */
	NET_END_CONNECT_ERROR,   /* connect: unreachable, ... (sys_err) */
	NET_END_NBSS_REJECTED,   /* 139: negative session response */
	NET_END_TIMEOUT,         /* a request went unanswered for the step timeout */
	NET_END_RESET,           /* the peer reset the connection */
	NET_END_CLOSED,          /* the peer closed (EOF) */
	NET_END_ERROR,           /* local failure (sys_err) */
};

/* One request written (the output drained), and when the peer's TCP stack
 * acknowledged all of it. */
struct net_send {
	uint64_t sent_us;
	uint64_t ack_us;        /* 0: not seen */
	size_t bytes;
	uint64_t end_offset;    /* bytes written on the connection up to its end */
};

#define NET_MAX_SENDS 32

struct net_conn_config {
	unsigned timeout_ms;        /* per step: connect, session request, each request */
	bool netbios;               /* port 139: session request first */
	const char *called_name;    /* NetBIOS called name (suffix 0x20) */
	const char *calling_name;   /* NULL: "SMBDIAG" */
	net_tap_fn tap;
	void *tap_user;
	bool tcp_info_only;         /* date ACKs by polling TCP_INFO even where the
				     * kernel can stamp them (tests) */
};

struct net_conn {
	/* Filled by net_conn_run. */
	enum net_end end;
	int sys_err;                 /* libuv error with REFUSED / CONNECT_ERROR / ERROR */
	uint64_t connect_start_us, connected_us, end_us;
	char local[64], peer[64];
	struct sockaddr_storage local_addr, peer_addr;
	bool nbss_sent;
	uint64_t nbss_request_us, nbss_response_us;
	uint8_t nbss_type;           /* 0x82 positive, 0x83 negative, 0x84 retarget; 0 none */
	uint8_t nbss_code;           /* negative response error code */
	size_t n_sends;
	struct net_send sends[NET_MAX_SENDS];
	bool tcp_info;               /* TCP_INFO was readable */
	bool ack_stamps;             /* the kernel stamps ACKs (ack_stamps.h) */
	uint64_t last_input_us;

	/* Internal. */
	uv_loop_t *loop;
	uv_tcp_t tcp;
	uv_connect_t connect_req;
	uv_write_t write_req;
	uv_timer_t step_timer;
	uv_timer_t ack_timer;
	unsigned ack_polls;
	struct net_conn_config cfg;
	const struct net_io_ops *ops;
	void *obj;
	int handles_open;
	bool writing, started, closing;
	uint64_t bytes_queued;       /* written or queued since ack_stamps began */
	uint8_t nbss_buf[8];
	size_t nbss_len;
	uint8_t read_buf[65536];
	uint8_t nbss_req[128];
	size_t nbss_req_len;
};

/* Connects to addr, runs the NetBIOS session request when asked, then
 * drives obj until it finishes, the peer goes away or a step times out;
 * runs the loop until then. c is filled (and may be reused afterwards).
 * Returns 0, or a libuv error when nothing could start. */
int net_conn_run(uv_loop_t *loop, struct net_conn *c, const struct sockaddr *addr, const struct net_conn_config *cfg,
		 const struct net_io_ops *ops, void *obj);

const char *net_end_name(enum net_end e);

/* The NetBIOS called name for a host: the first label, upper-case, cut to
 * 15 characters; "*SMBSERVER" for an IP literal. */
void net_called_name(const char *host, bool literal, char out[16]);

#endif
