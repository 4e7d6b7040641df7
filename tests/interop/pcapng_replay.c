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

#include <pcap/pcap.h>

#include "capture/pcapng_write.h"
#include "core/wire/nbss.h"
#include "walk_flow.h"
#include "walk_pkt.h"

#define MAX_PORTS 8
#define SMB_PORT 445

struct replay {
	struct pcapng_writer *w;
	uint16_t ports[MAX_PORTS];
	unsigned n_ports;
	bool ipv6;
	uint64_t now_us;               /* time of the frame being fed */
	struct pcapng_conn **conns;    /* by tcp stream */
	size_t n_conns;
	int failed;
};

static bool
remapped(const struct replay *r, uint16_t port)
{
	unsigned i;

	for (i = 0; i < r->n_ports; i++)
		if (r->ports[i] == port)
			return true;
	return false;
}

/* The real port of a flow side (the walker saw remapped ports as 445). */
static uint16_t
real_port(const struct replay *r, uint16_t port)
{
	return port == SMB_PORT && r->n_ports > 0 ? r->ports[0] : port;
}

static void
to_sockaddr(const struct replay *r, const struct walk_addr *a, uint16_t port, struct sockaddr_storage *ss)
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

static struct pcapng_conn *
conn_for(struct replay *r, const struct walk_flow *flow)
{
	struct sockaddr_storage client, server;
	int server_side = flow->port[0] == SMB_PORT || flow->port[0] == 139 ? 0 : 1;
	size_t i;

	if (flow->stream >= r->n_conns) {
		size_t n = flow->stream + 64;
		struct pcapng_conn **c = realloc(r->conns, n * sizeof(*c));

		if (c == NULL)
			return NULL;
		for (i = r->n_conns; i < n; i++)
			c[i] = NULL;
		r->conns = c;
		r->n_conns = n;
	}
	if (r->conns[flow->stream] != NULL)
		return r->conns[flow->stream];
	r->conns[flow->stream] = calloc(1, sizeof(struct pcapng_conn));
	if (r->conns[flow->stream] == NULL)
		return NULL;
	to_sockaddr(r, &flow->addr[1 - server_side], flow->port[1 - server_side], &client);
	to_sockaddr(r, &flow->addr[server_side], real_port(r, flow->port[server_side]), &server);
	if (pcapng_conn_init(r->conns[flow->stream], r->w, (struct sockaddr *)&client, (struct sockaddr *)&server,
			     1000u + flow->stream, 900000u + flow->stream) != SD_OK)
		r->failed = 1;
	return r->conns[flow->stream];
}

static void
on_pdu(void *ctx, const struct walk_flow *flow, int dir, unsigned long frame, const uint8_t *p, size_t len,
       bool truncated)
{
	struct replay *r = ctx;
	struct pcapng_conn *c;
	enum pcapng_dir d = flow->port[dir] == SMB_PORT || flow->port[dir] == 139 ? PCAPNG_S2C : PCAPNG_C2S;

	(void)frame;
	if (truncated)
		return;
	c = conn_for(r, flow);
	if (c == NULL || pcapng_conn_data(c, d, p, len, r->now_us) != SD_OK) {
		fprintf(stderr, "pcapng_replay: cannot write frame %lu\n", frame);
		r->failed = 1;
	}
}

static int
replay(struct replay *r, const char *in)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *data;
	struct walk_table *t;
	pcap_t *pc;
	int linktype, rc;

	pc = pcap_open_offline(in, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "pcapng_replay: %s\n", errbuf);
		return 2;
	}
	linktype = pcap_datalink(pc);
	t = walk_table_new(on_pdu, r, false);
	if (t == NULL) {
		pcap_close(pc);
		return 1;
	}
	while ((rc = pcap_next_ex(pc, &ph, &data)) == 1) {
		struct walk_stats *s = walk_table_stats(t);
		struct walk_tcp seg;

		s->frames++;
		if (walk_pkt_decode(linktype, data, ph->caplen, &seg) != WALK_PKT_TCP)
			continue;
		if (remapped(r, seg.sport))
			seg.sport = SMB_PORT;
		if (remapped(r, seg.dport))
			seg.dport = SMB_PORT;
		r->now_us = (uint64_t)ph->ts.tv_sec * 1000000u + (uint64_t)ph->ts.tv_usec;
		walk_table_segment(t, s->frames, &seg);
	}
	walk_table_free(t);
	pcap_close(pc);
	return rc == PCAP_ERROR ? 2 : 0;
}

int
main(int argc, char **argv)
{
	struct replay r;
	size_t i;
	int opt, rc;

	memset(&r, 0, sizeof(r));
	while ((opt = getopt(argc, argv, "p:6")) != -1) {
		if (opt == 'p' && r.n_ports < MAX_PORTS) {
			r.ports[r.n_ports++] = (uint16_t)atoi(optarg);
		} else if (opt == '6') {
			r.ipv6 = true;
		} else {
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
	for (i = 0; i < r.n_conns; i++) {
		if (r.conns[i] != NULL && pcapng_conn_close(r.conns[i], PCAPNG_C2S, r.now_us) != SD_OK)
			r.failed = 1;
		free(r.conns[i]);
	}
	free(r.conns);
	if (pcapng_close(r.w) != SD_OK)
		r.failed = 1;
	return rc ? rc : r.failed;
}
