/* -vv hex dumps and --save-capture for the probe (see probe_capture.h). */
#include <string.h>
#include <time.h>

#include "cli/probe_capture.h"

/* Initial sequence numbers of the synthetic flows; any value works. */
#define CLIENT_ISN 0x10000000u
#define SERVER_ISN 0x20000000u

static void
hex_dump(FILE *out, const struct net_conn *c, enum net_dir dir, const uint8_t *p, size_t len)
{
	size_t i, j;

	fprintf(out, "%s %s %s, %zu bytes\n", c->local, dir == NET_SENT ? "->" : "<-", c->peer, len);
	for (i = 0; i < len; i += 16) {
		fprintf(out, "  %04zx ", i);
		for (j = i; j < i + 16; j++) {
			if (j < len)
				fprintf(out, " %02x", p[j]);
			else
				fputs("   ", out);
		}
		fputs("  ", out);
		for (j = i; j < i + 16 && j < len; j++)
			fputc(p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.', out);
		fputc('\n', out);
	}
}

int
probe_capture_open(struct probe_capture *cap, const char *path, int verbosity)
{
	struct timespec ts;

	memset(cap, 0, sizeof(*cap));
	cap->hex = verbosity >= 2 ? stderr : NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	cap->mono_to_unix_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - (int64_t)net_now_us();
	if (path && pcapng_open(path, &cap->writer) != SD_OK)
		return -1;
	return 0;
}

static void
check(struct probe_capture *cap, enum sd_err err)
{
	if (err != SD_OK)
		cap->failed = true;
}

/* How the flow ends in the file: the server's RST or FIN, else ours. */
static void
end_flow(struct probe_capture *cap, const struct net_conn *c, uint64_t unix_us)
{
	if (c->end == NET_END_RESET)
		check(cap, pcapng_conn_reset(&cap->conn, PCAPNG_S2C, unix_us));
	else
		check(cap, pcapng_conn_close(&cap->conn, c->end == NET_END_CLOSED ? PCAPNG_S2C : PCAPNG_C2S, unix_us));
	cap->active = false;
}

void
probe_capture_tap(void *user, const struct net_conn *c, enum net_dir dir, const uint8_t *p, size_t len,
		  uint64_t at_us)
{
	struct probe_capture *cap = user;
	uint64_t unix_us = (uint64_t)((int64_t)at_us + cap->mono_to_unix_us);

	if (cap->hex && (dir == NET_SENT || dir == NET_RECEIVED))
		hex_dump(cap->hex, c, dir, p, len);
	if (!cap->writer)
		return;
	switch (dir) {
	case NET_OPENED:
		if (pcapng_conn_init(&cap->conn, cap->writer, (const struct sockaddr *)&c->local_addr,
				     (const struct sockaddr *)&c->peer_addr, CLIENT_ISN, SERVER_ISN) != SD_OK) {
			cap->failed = true;
			return;
		}
		check(cap, pcapng_conn_open(&cap->conn, unix_us));
		cap->active = true;
		break;
	case NET_SENT:
	case NET_RECEIVED:
		if (cap->active)
			check(cap, pcapng_conn_data(&cap->conn, dir == NET_SENT ? PCAPNG_C2S : PCAPNG_S2C, p, len,
						    unix_us));
		break;
	case NET_ENDED:
		if (cap->active)
			end_flow(cap, c, unix_us);
		break;
	}
}

int
probe_capture_close(struct probe_capture *cap)
{
	if (cap->writer && pcapng_close(cap->writer) != SD_OK)
		cap->failed = true;
	cap->writer = NULL;
	return cap->failed ? -1 : 0;
}
