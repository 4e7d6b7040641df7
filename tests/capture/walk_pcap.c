/* Reading a capture file for the walker programs (tests only). */
#include "walk_pcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cap_internal.h"

static void
count_no_segment(struct walk_stats *s, enum cap_l3 r, const struct cap_pkt *pkt)
{
	switch (r) {
	case CAP_L3_NOT_IP: s->not_ip++; break;
	case CAP_L3_OTHER_PROTO: s->not_tcp++; break;
	case CAP_L3_FRAGMENT: s->fragments++; break;
	case CAP_L3_TRUNCATED: s->truncated++; break;
	case CAP_L3_LINKTYPE: s->bad_linktype++; break;
	case CAP_L3_OK:
		if (pkt->proto != CAP_PROTO_TCP)
			s->not_tcp++;
		break;
	}
}

bool
walk_pcap_add_smb_port(struct walk_pcap_opts *o, const char *arg)
{
	char *end;
	unsigned long port = strtoul(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || port == 0 || port > 65535 || o->n_smb_ports >= WALK_MAX_SMB_PORTS)
		return false;
	o->smb_ports[o->n_smb_ports++] = (uint16_t)port;
	return true;
}

static uint16_t
mapped_port(const struct walk_pcap_opts *o, uint16_t port)
{
	unsigned i;

	for (i = 0; i < o->n_smb_ports; i++)
		if (o->smb_ports[i] == port)
			return WALK_SMB_DIRECT_PORT;
	return port;
}

static double
frame_time(const struct pcap_pkthdr *ph)
{
	return (double)ph->ts.tv_sec + (double)ph->ts.tv_usec / 1e6;
}

/* A capture file and the product's link/IP/TCP decoder over it. The
 * decoder keeps its fragment state in a cap_analyzer, which needs a
 * timeline; decoding frames adds nothing to it. */
struct frame_reader {
	pcap_t *pc;
	int linktype;
	struct ev_timeline timeline;
	struct cap_analyzer *a;
};

/* 0, 1 (out of memory) or 2 (unreadable; errbuf says why). */
static int
reader_open(struct frame_reader *fr, const char *path, char errbuf[PCAP_ERRBUF_SIZE])
{
	struct cap_opts decoder_opts;

	memset(fr, 0, sizeof(*fr));
	fr->pc = pcap_open_offline(path, errbuf);
	if (fr->pc == NULL)
		return 2;
	fr->linktype = pcap_datalink(fr->pc);
	memset(&decoder_opts, 0, sizeof(decoder_opts));
	ev_timeline_init(&fr->timeline, EV_MODE_ANALYZE);
	fr->a = cap_analyzer_new(&decoder_opts, &fr->timeline);
	if (fr->a == NULL) {
		ev_timeline_cleanup(&fr->timeline);
		pcap_close(fr->pc);
		return 1;
	}
	return 0;
}

static void
reader_close(struct frame_reader *fr)
{
	cap_analyzer_free(fr->a);
	ev_timeline_cleanup(&fr->timeline);
	pcap_close(fr->pc);
}

/* Decodes the next frame into seg (every frame goes through the decoder:
 * an IP datagram completed by a frame needs the fragments before it).
 * pcap_next_ex's answer: 1 for a frame, PCAP_ERROR_BREAK at the end,
 * PCAP_ERROR when the file could not be read. */
static int
reader_next(struct frame_reader *fr, struct pcap_pkthdr **ph, struct cap_pkt *seg, enum cap_l3 *r)
{
	const u_char *data;
	int rc = pcap_next_ex(fr->pc, ph, &data);

	if (rc != 1)
		return rc;
	/* As cap_analyzer_packet: time never runs backwards for the
	 * fragment timeouts. */
	if (frame_time(*ph) > fr->a->now)
		fr->a->now = frame_time(*ph);
	memset(seg, 0, sizeof(*seg));
	*r = cap_link_decode(fr->a, fr->linktype, data, (*ph)->caplen, seg);
	return 1;
}

static int
read_frames(struct frame_reader *fr, struct walk_table *t, const struct walk_pcap_opts *o)
{
	struct pcap_pkthdr *ph;
	struct cap_pkt seg;
	enum cap_l3 r;
	int rc;

	while ((rc = reader_next(fr, &ph, &seg, &r)) == 1) {
		struct walk_stats *s = walk_table_stats(t);

		s->frames++;
		if (r != CAP_L3_OK || seg.proto != CAP_PROTO_TCP) {
			count_no_segment(s, r, &seg);
			continue;
		}
		seg.sport = mapped_port(o, seg.sport);
		seg.dport = mapped_port(o, seg.dport);
		if (o->hook != NULL)
			o->hook(o->ctx, ph);
		walk_table_segment(t, s->frames, &seg);
	}
	return rc;
}

int
walk_pcap_read(const char *prog, const char *path, struct walk_table *t, const struct walk_pcap_opts *opts)
{
	static const struct walk_pcap_opts no_opts;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct frame_reader fr;
	int rc = reader_open(&fr, path, errbuf);

	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog, rc == 2 ? errbuf : "out of memory");
		return rc;
	}
	if (!cap_linktype_supported(fr.linktype))
		fprintf(stderr, "%s: link type %d not decoded\n", prog, fr.linktype);
	rc = read_frames(&fr, t, opts != NULL ? opts : &no_opts);
	walk_table_stats(t)->reassembled = cap_analyzer_stats(fr.a)->reassembled;
	if (rc == PCAP_ERROR)
		fprintf(stderr, "%s: %s: %s\n", prog, path, pcap_geterr(fr.pc));
	reader_close(&fr);
	return rc == PCAP_ERROR ? 2 : 0;
}

int
walk_pcap_frame_payload(const char *path, unsigned long frame, uint8_t **out, size_t *len)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct frame_reader fr;
	struct pcap_pkthdr *ph;
	struct cap_pkt seg;
	enum cap_l3 r;
	unsigned long n = 0;
	int rc = reader_open(&fr, path, errbuf);

	*out = NULL;
	*len = 0;
	if (rc != 0)
		return rc == 1 ? 3 : 2;
	rc = 1;
	while (++n <= frame && reader_next(&fr, &ph, &seg, &r) == 1) {
		if (n != frame)
			continue;
		if (r == CAP_L3_OK && (seg.proto == CAP_PROTO_TCP || seg.proto == CAP_PROTO_UDP) && seg.payload_len > 0) {
			*out = malloc(seg.payload_len);
			rc = *out ? 0 : 3;
			if (*out) {
				memcpy(*out, seg.payload, seg.payload_len);
				*len = seg.payload_len;
			}
		}
	}
	reader_close(&fr);
	return rc;
}

struct pdu_wanted {
	unsigned long frame;
	uint8_t *p;
	size_t len;
	bool oom;
};

static void
keep_pdu(void *ctx, struct walk_flow *flow, int dir, unsigned long frame, const uint8_t *p, size_t len,
	 bool truncated)
{
	struct pdu_wanted *w = ctx;

	(void)flow;
	(void)dir;
	if (truncated || frame != w->frame || w->p || w->oom)
		return;
	w->p = malloc(len);
	w->oom = w->p == NULL;
	if (w->p) {
		memcpy(w->p, p, len);
		w->len = len;
	}
}

int
walk_pcap_frame_pdu(const char *path, unsigned long frame, uint8_t **out, size_t *len)
{
	struct pdu_wanted w = {frame, NULL, 0, false};
	struct walk_table *t = walk_table_new(keep_pdu, &w, false);
	int rc;

	*out = NULL;
	*len = 0;
	if (t == NULL)
		return 3;
	rc = walk_pcap_read("walk", path, t, NULL);
	walk_table_free(t);
	if (w.oom)
		return 3;
	if (rc != 0 || w.p == NULL) {
		free(w.p);
		return rc == 2 ? 2 : 1;
	}
	*out = w.p;
	*len = w.len;
	return 0;
}
