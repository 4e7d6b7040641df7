/* pcapng_replay: rewrites the SMB conversations of a capture through the
 * pcapng writer of `probe --save-capture` (src/capture/pcapng_write.h):
 * each PDU becomes synthetic TCP segments with the real addresses, ports
 * and times, so tshark must see the same SMB2 messages in both files
 * (tests only; the capture walker of tests/capture reads the input).
 *
 * usage: pcapng_replay [-p PORT]... [-6] IN OUT
 *   -p  also treat PORT as SMB over direct TCP (445 and 139 always are)
 *   -6  write IPv6 packets (::1 for every IPv4 address) to check that path
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/pcapng_write.h"
#include "core/wire/nbss.h"
#include "walk_flow.h"
#include "walk_pcap.h"

struct replay {
	struct pcapng_writer *w;
	struct walk_pcap_opts input;   /* the -p ports */
	bool ipv6;
	uint64_t now_us;               /* time of the frame being fed */
	int failed;
};

/* The real port of a flow side (the walker saw remapped ports as 445). */
static uint16_t
real_port(const struct replay *r, uint16_t port)
{
	return port == WALK_SMB_DIRECT_PORT && r->input.n_smb_ports > 0 ? r->input.smb_ports[0] : port;
}

static void
to_sockaddr(const struct replay *r, const struct cap_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == 6 || r->ipv6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		if (a->family == 6)
			memcpy(&in6->sin6_addr, a->bytes, 16);
		else
			in6->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a->bytes, 4);
	}
}

/* One writer connection per TCP stream, hung on its flow. */
static struct pcapng_conn *
conn_for(struct replay *r, struct walk_flow *flow)
{
	struct sockaddr_storage client, server;
	int server_side = walk_flow_server_side(flow);
	struct pcapng_conn *c = flow->user;

	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	flow->user = c;
	to_sockaddr(r, &flow->addr[1 - server_side], flow->port[1 - server_side], &client);
	to_sockaddr(r, &flow->addr[server_side], real_port(r, flow->port[server_side]), &server);
	if (pcapng_conn_init(c, r->w, (struct sockaddr *)&client, (struct sockaddr *)&server, 1000u + flow->stream,
			     900000u + flow->stream) != SD_OK)
		r->failed = 1;
	return c;
}

static void
on_pdu(void *ctx, struct walk_flow *flow, int dir, unsigned long frame, const uint8_t *p, size_t len,
       bool truncated)
{
	struct replay *r = ctx;
	struct pcapng_conn *c;
	enum pcapng_dir d = dir == walk_flow_server_side(flow) ? PCAPNG_S2C : PCAPNG_C2S;

	(void)frame;
	if (truncated)
		return;
	c = conn_for(r, flow);
	if (c == NULL || pcapng_conn_data(c, d, p, len, r->now_us) != SD_OK) {
		fprintf(stderr, "pcapng_replay: cannot write frame %lu\n", frame);
		r->failed = 1;
	}
}

/* Each PDU is written with the time of the frame that completed it. */
static void
note_time(void *ctx, const struct pcap_pkthdr *ph)
{
	struct replay *r = ctx;

	r->now_us = (uint64_t)ph->ts.tv_sec * 1000000u + (uint64_t)ph->ts.tv_usec;
}

static int
replay(struct replay *r, const char *in)
{
	struct walk_table *t = walk_table_new(on_pdu, r, false);
	unsigned long i;
	int rc;

	if (t == NULL)
		return 1;
	r->input.hook = note_time;
	r->input.ctx = r;
	rc = walk_pcap_read("pcapng_replay", in, t, &r->input);
	for (i = 0; i < walk_table_n_flows(t); i++) {
		struct pcapng_conn *c = walk_table_flow(t, i)->user;

		if (c != NULL && pcapng_conn_close(c, PCAPNG_C2S, r->now_us) != SD_OK)
			r->failed = 1;
		free(c);
	}
	walk_table_free(t);
	return rc;
}

int
main(int argc, char **argv)
{
	struct replay r;
	int opt, rc;

	memset(&r, 0, sizeof(r));
	while ((opt = getopt(argc, argv, "p:6")) != -1) {
		if (opt == '6') {
			r.ipv6 = true;
		} else if (opt != 'p' || !walk_pcap_add_smb_port(&r.input, optarg)) {
			fprintf(stderr, "usage: pcapng_replay [-p PORT]... [-6] IN OUT\n");
			return 2;
		}
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "usage: pcapng_replay [-p PORT]... [-6] IN OUT\n");
		return 2;
	}
	if (pcapng_open(argv[optind + 1], &r.w) != SD_OK) {
		perror(argv[optind + 1]);
		return 2;
	}
	rc = replay(&r, argv[optind]);
	if (pcapng_close(r.w) != SD_OK)
		r.failed = 1;
	return rc ? rc : r.failed;
}
