/*
 * The load generator of bench/serve.sh, built on smbdiag's own client core
 * (src/core/proto/client.h) with a poll loop, so that `smbdiag serve` and
 * Samba smbd are measured with the same client code.
 *
 * rate: K concurrent connections, each running full sessions (NEGOTIATE,
 *       SPNEGO/NTLMv2 SESSION_SETUP, signed TREE_CONNECT, TREE_DISCONNECT,
 *       LOGOFF) one after the other on fresh TCP connections for D seconds.
 *       Prints one line of key=value: sessions, failed, seconds, rate, the
 *       generator's own CPU seconds and the first failure seen.
 * idle: N connections that authenticate and connect the tree, then stay
 *       idle (all opened at once). Prints "ready=N failed=F" once they are
 *       all there, and holds them until standard input closes (or the hold
 *       time ends).
 *
 * usage: smbdiag-loadgen rate|idle HOST PORT SERVER_NAME SHARE USER PASSWORD
 *            [-k CONNS] [-d SECONDS] [-n CONNS] [-t HOLD_SECONDS]
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "core/proto/client.h"
#include "core/wire/names.h"
#include "net/os_ctx.h"

#define MAX_CONNS 2048
#define MAX_SECONDS 600
/* A session that takes longer than this counts as failed: the bench must
 * end even when a server stops answering. Idle mode opens every connection
 * at once, and a forking server takes its time with a crowd. */
#define SESSION_TIMEOUT_US 10000000u
#define IDLE_SESSION_TIMEOUT_US 60000000u

enum slot_phase {
	SLOT_FREE = 0,
	SLOT_CONNECTING,
	SLOT_RUNNING,
	SLOT_HELD,      /* idle mode: tree connected, left alone */
};

struct slot {
	enum slot_phase phase;
	int fd;
	struct smb2_client *client;
	uint64_t started_us;
};

struct loadgen {
	bool idle_mode;
	struct sockaddr_in addr;
	struct smb2_client_config cfg;
	struct sd_ctx ctx;
	struct sd_crypto *crypto;
	unsigned n_slots;
	struct slot slots[MAX_CONNS];
	struct pollfd pfds[MAX_CONNS + 1];
	uint64_t sessions;
	uint64_t failed;
	bool signed_tree;      /* the first tree connect went out signed */
	char first_failure[160];
};

static void
note_failure(struct loadgen *lg, const char *why)
{
	lg->failed++;
	if (lg->first_failure[0] == '\0')
		snprintf(lg->first_failure, sizeof(lg->first_failure), "%s", why);
}

static void
slot_release(struct slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	smb2_client_free(s->client);
	s->fd = -1;
	s->client = NULL;
	s->phase = SLOT_FREE;
}

/* Describes why the client stopped, for the one failure line we print. */
static void
client_failure(struct loadgen *lg, const struct smb2_client_result *r)
{
	char why[160];
	const char *status = sd_ntstatus_name(r->failed_status);

	snprintf(why, sizeof(why), "%s at %s (status 0x%08x %s, %s)", smb2_client_failure_name(r->failure),
		 smb2_client_step_name(r->failed_step), r->failed_status, status ? status : "?",
		 sd_err_name(r->failed_err));
	note_failure(lg, why);
}

static void
slot_finish(struct loadgen *lg, struct slot *s)
{
	const struct smb2_client_result *r = smb2_client_result(s->client);

	if (r->state == SMB2C_DONE) {
		uint8_t i;

		lg->sessions++;
		for (i = 0; i < r->n_exchanges && !lg->signed_tree; i++)
			if (r->exchanges[i].step == SMB2C_STEP_TREE_CONNECT && r->exchanges[i].req_signed)
				lg->signed_tree = true;
	} else {
		client_failure(lg, r);
	}
	slot_release(s);
}

static int
slot_start(struct loadgen *lg, struct slot *s)
{
	int one = 1;

	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		note_failure(lg, strerror(errno));
		return -1;
	}
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (smb2_client_create(&lg->ctx, lg->crypto, &lg->cfg, &s->client) != SD_OK) {
		note_failure(lg, "cannot create the client");
		slot_release(s);
		return -1;
	}
	s->started_us = net_os_monotonic_us();
	if (connect(s->fd, (const struct sockaddr *)&lg->addr, sizeof(lg->addr)) < 0 && errno != EINPROGRESS) {
		note_failure(lg, strerror(errno));
		slot_release(s);
		return -1;
	}
	s->phase = SLOT_CONNECTING;
	return 0;
}

/* Writes what the client has to send; false when the connection broke. */
static bool
slot_flush(struct slot *s)
{
	const uint8_t *out;
	size_t n;

	while ((n = smb2_client_output(s->client, &out)) > 0) {
		ssize_t sent = send(s->fd, out, n, MSG_NOSIGNAL);

		if (sent < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return true;
			smb2_client_eof(s->client, net_os_monotonic_us());
			return false;
		}
		smb2_client_output_done(s->client, (size_t)sent, net_os_monotonic_us());
	}
	return true;
}

static bool
slot_done(const struct slot *s)
{
	enum smb2_client_state st = smb2_client_state(s->client);

	return st == SMB2C_DONE || st == SMB2C_FAILED;
}

/* Idle mode stops a session once its tree is connected: the next request
 * (TREE_DISCONNECT) is what we hold back. */
static bool
slot_tree_connected(const struct slot *s)
{
	return smb2_client_state(s->client) == SMB2C_TREE_DISCONNECT;
}

static void
slot_connected(struct loadgen *lg, struct slot *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
		note_failure(lg, strerror(err ? err : errno));
		slot_release(s);
		return;
	}
	s->phase = SLOT_RUNNING;
	if (smb2_client_start(s->client, net_os_monotonic_us()) != SD_OK) {
		note_failure(lg, "cannot start the client");
		slot_release(s);
	}
}

static void
slot_readable(struct loadgen *lg, struct slot *s)
{
	uint8_t buf[16384];

	for (;;) {
		ssize_t got = recv(s->fd, buf, sizeof(buf), 0);

		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (got <= 0) {
			if (s->phase == SLOT_HELD) {
				note_failure(lg, "the server closed an idle connection");
				lg->sessions--;
				slot_release(s);
			} else {
				smb2_client_eof(s->client, net_os_monotonic_us());
			}
			return;
		}
		if (s->phase == SLOT_HELD)
			continue;
		smb2_client_input(s->client, buf, (size_t)got, net_os_monotonic_us());
		if (slot_done(s) || (lg->idle_mode && slot_tree_connected(s)))
			return;
	}
}

/* Moves one slot along after poll; starts the next session when one ends. */
static void
slot_step(struct loadgen *lg, struct slot *s, short revents, bool more)
{
	if (s->phase == SLOT_CONNECTING && (revents & (POLLOUT | POLLERR | POLLHUP)))
		slot_connected(lg, s);
	else if ((s->phase == SLOT_RUNNING || s->phase == SLOT_HELD) && (revents & (POLLIN | POLLERR | POLLHUP)))
		slot_readable(lg, s);
	if (s->phase == SLOT_RUNNING && lg->idle_mode && slot_tree_connected(s)) {
		s->phase = SLOT_HELD;
		lg->sessions++;
		return;
	}
	/* A broken connection is recorded by the client: slot_done() sees it. */
	if (s->phase == SLOT_RUNNING && !slot_done(s))
		slot_flush(s);
	if (s->phase == SLOT_RUNNING && !slot_done(s) &&
	    net_os_monotonic_us() - s->started_us > (lg->idle_mode ? IDLE_SESSION_TIMEOUT_US : SESSION_TIMEOUT_US)) {
		note_failure(lg, "session timed out");
		slot_release(s);
	}
	if (s->phase == SLOT_RUNNING && slot_done(s))
		slot_finish(lg, s);
	if (s->phase == SLOT_FREE && more)
		slot_start(lg, s);
}

static short
slot_events(const struct slot *s)
{
	const uint8_t *out;

	switch (s->phase) {
	case SLOT_CONNECTING:
		return POLLOUT;
	case SLOT_RUNNING:
		return (short)(POLLIN | (smb2_client_output(s->client, &out) > 0 ? POLLOUT : 0));
	case SLOT_HELD:
		return POLLIN;
	default:
		return 0;
	}
}

/* One poll round over every slot (and standard input in idle mode). */
static int
poll_round(struct loadgen *lg, bool more, int timeout_ms, bool *stdin_closed)
{
	unsigned i, n = 0;
	int ready;

	for (i = 0; i < lg->n_slots; i++) {
		lg->pfds[i].fd = lg->slots[i].phase == SLOT_FREE ? -1 : lg->slots[i].fd;
		lg->pfds[i].events = slot_events(&lg->slots[i]);
		lg->pfds[i].revents = 0;
	}
	n = lg->n_slots;
	if (stdin_closed) {
		lg->pfds[n].fd = STDIN_FILENO;
		lg->pfds[n].events = POLLIN;
		lg->pfds[n].revents = 0;
		n++;
	}
	ready = poll(lg->pfds, n, timeout_ms);
	if (ready < 0 && errno != EINTR)
		return -1;
	for (i = 0; i < lg->n_slots; i++)
		slot_step(lg, &lg->slots[i], ready > 0 ? lg->pfds[i].revents : 0, more);
	if (stdin_closed && ready > 0 && lg->pfds[lg->n_slots].revents) {
		char buf[256];

		if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
			*stdin_closed = true;
	}
	return 0;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static void
close_all(struct loadgen *lg)
{
	unsigned i;

	for (i = 0; i < lg->n_slots; i++)
		if (lg->slots[i].phase != SLOT_FREE)
			slot_release(&lg->slots[i]);
}

static int
run_rate(struct loadgen *lg, unsigned seconds)
{
	uint64_t start = net_os_monotonic_us(), end = start + (uint64_t)seconds * 1000000u, stop_at;
	double cpu0 = cpu_seconds(), elapsed;
	unsigned i, busy;

	for (i = 0; i < lg->n_slots; i++)
		slot_start(lg, &lg->slots[i]);
	while (net_os_monotonic_us() < end)
		if (poll_round(lg, true, 100, NULL) < 0)
			return 1;
	/* Sessions under way at the deadline may finish, within a bound; the
	 * rate counts the time they took. */
	stop_at = net_os_monotonic_us() + SESSION_TIMEOUT_US;
	do {
		busy = 0;
		for (i = 0; i < lg->n_slots; i++)
			busy += lg->slots[i].phase != SLOT_FREE;
		if (busy && poll_round(lg, false, 100, NULL) < 0)
			return 1;
	} while (busy && net_os_monotonic_us() < stop_at);
	elapsed = (double)(net_os_monotonic_us() - start) / 1e6;
	close_all(lg);
	printf("sessions=%llu failed=%llu seconds=%.3f rate=%.1f cpu=%.3f signed_tree_connect=%d first_failure=%s\n",
	       (unsigned long long)lg->sessions, (unsigned long long)lg->failed, elapsed,
	       (double)lg->sessions / elapsed, cpu_seconds() - cpu0, lg->signed_tree,
	       lg->first_failure[0] ? lg->first_failure : "none");
	return lg->sessions > 0 ? 0 : 3;
}

/* Opens every connection at once, reports, then holds them. */
static int
run_idle(struct loadgen *lg, unsigned hold_seconds)
{
	uint64_t deadline = net_os_monotonic_us() + 120000000u;
	bool stdin_closed = false;
	unsigned i, pending;

	lg->idle_mode = true;
	for (i = 0; i < lg->n_slots; i++)
		slot_start(lg, &lg->slots[i]);
	do {
		if (poll_round(lg, false, 100, NULL) < 0)
			return 1;
		pending = 0;
		for (i = 0; i < lg->n_slots; i++)
			pending += lg->slots[i].phase == SLOT_CONNECTING || lg->slots[i].phase == SLOT_RUNNING;
	} while (pending && net_os_monotonic_us() < deadline);
	printf("ready=%llu failed=%llu first_failure=%s\n", (unsigned long long)lg->sessions,
	       (unsigned long long)lg->failed, lg->first_failure[0] ? lg->first_failure : "none");
	fflush(stdout);
	deadline = net_os_monotonic_us() + (uint64_t)hold_seconds * 1000000u;
	while (!stdin_closed && net_os_monotonic_us() < deadline)
		if (poll_round(lg, false, 200, &stdin_closed) < 0)
			return 1;
	close_all(lg);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: smbdiag-loadgen rate|idle HOST PORT SERVER_NAME SHARE USER PASSWORD\n"
			"           [-k CONNS] [-d SECONDS] [-n CONNS] [-t HOLD_SECONDS]\n"
			"  rate: K concurrent full sessions (default 16) for D seconds (default 5)\n"
			"  idle: N authenticated, tree-connected idle connections (default 100),\n"
			"        held until standard input closes or T seconds (default 60)\n");
}

static bool
parse_count(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static int
parse_options(int argc, char **argv, unsigned *conns, unsigned *seconds, unsigned *idle_n, unsigned *hold)
{
	int i;

	for (i = 8; i + 1 < argc; i += 2) {
		bool ok = false;

		if (strcmp(argv[i], "-k") == 0)
			ok = parse_count(argv[i + 1], 1, MAX_CONNS, conns);
		else if (strcmp(argv[i], "-d") == 0)
			ok = parse_count(argv[i + 1], 1, MAX_SECONDS, seconds);
		else if (strcmp(argv[i], "-n") == 0)
			ok = parse_count(argv[i + 1], 1, MAX_CONNS, idle_n);
		else if (strcmp(argv[i], "-t") == 0)
			ok = parse_count(argv[i + 1], 1, 3600, hold);
		if (!ok) {
			fprintf(stderr, "bad option %s %s\n", argv[i], argv[i + 1]);
			return -1;
		}
	}
	return i == argc ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static struct loadgen lg;
	unsigned conns = 16, seconds = 5, idle_n = 100, hold = 60, port;
	bool idle;
	int rc;

	if (argc < 8 || (strcmp(argv[1], "rate") && strcmp(argv[1], "idle")) ||
	    parse_options(argc, argv, &conns, &seconds, &idle_n, &hold) < 0 || !parse_count(argv[3], 1, 65535, &port)) {
		usage();
		return 2;
	}
	idle = strcmp(argv[1], "idle") == 0;
	lg.addr.sin_family = AF_INET;
	lg.addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, argv[2], &lg.addr.sin_addr) != 1) {
		fprintf(stderr, "HOST must be an IPv4 address\n");
		return 2;
	}
	net_os_ctx(&lg.ctx);
	lg.cfg.server_name = argv[4];
	lg.cfg.share = argv[5];
	lg.cfg.user = argv[6];
	lg.cfg.password = argv[7];
	lg.cfg.signing = SMB2_SIGNING_ON;
	lg.n_slots = idle ? idle_n : conns;
	for (unsigned i = 0; i < MAX_CONNS; i++)
		lg.slots[i].fd = -1;
	if (sd_crypto_create(&lg.crypto) != SD_OK) {
		fprintf(stderr, "cannot create the crypto context\n");
		return 1;
	}
	rc = idle ? run_idle(&lg, hold) : run_rate(&lg, seconds);
	sd_crypto_free(lg.crypto);
	return rc;
}
