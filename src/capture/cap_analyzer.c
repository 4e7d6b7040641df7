/* The analyzer object: memory budget, per-packet dispatch, end of input. */
#include <stdlib.h>
#include <string.h>

#include "capture/cap_smb.h"
#include "core/auth/crypto_ctx.h"
#include "core/wire/smb2.h"

struct cap_analyzer *
cap_analyzer_new(const struct cap_opts *opts, struct ev_timeline *t)
{
	struct cap_analyzer *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->opts = *opts;
	a->t = t;
	a->max_memory = opts->max_memory ? opts->max_memory : CAP_DEFAULT_MAX_MEMORY;
	a->msg = malloc(sizeof(*a->msg));
	if (a->msg == NULL) {
		free(a);
		return NULL;
	}
	if (opts->password != NULL || opts->nt_hash != NULL || opts->n_session_keys > 0 || opts->krb_keys != NULL) {
		a->plain = malloc(CAP_PDU_HEAD_MAX);
		if (a->plain == NULL || sd_crypto_create(&a->crypto) != SD_OK) {
			cap_analyzer_free(a);
			return NULL;
		}
	}
	return a;
}

void
cap_analyzer_free(struct cap_analyzer *a)
{
	if (a == NULL)
		return;
	cap_flow_free_all(a);
	cap_defrag_cleanup(a);
	cap_dump_free(a);
	cap_krb_free(a);
	cap_krb_pending_free(a);
	free(a->msg);
	free(a->plain);
	sd_crypto_free(a->crypto);
	free(a);
}

static size_t
reassembly_budget(const struct cap_analyzer *a)
{
	return a->max_memory - a->max_memory / 2;
}

static void
note_peak(struct cap_analyzer *a)
{
	if (a->memory + a->timeline_memory > a->stats.memory_peak)
		a->stats.memory_peak = a->memory + a->timeline_memory;
}

bool
cap_mem_take(struct cap_analyzer *a, size_t n)
{
	if (n > reassembly_budget(a) - a->memory)
		return false;
	a->memory += n;
	note_peak(a);
	return true;
}

bool
cap_timeline_take(struct cap_analyzer *a, size_t n)
{
	if (n > a->max_memory / 2 - a->timeline_memory) {
		a->stats.records_dropped++;
		return false;
	}
	a->timeline_memory += n;
	note_peak(a);
	return true;
}

void
cap_mem_give(struct cap_analyzer *a, size_t n)
{
	a->memory = n > a->memory ? 0 : a->memory - n;
}

double
cap_rel_time(const struct cap_analyzer *a, double ts)
{
	return a->have_first ? ts - a->first_ts : 0.0;
}

const struct cap_stats *
cap_analyzer_stats(const struct cap_analyzer *a)
{
	return &a->stats;
}

static void
count_l3(struct cap_stats *s, enum cap_l3 r)
{
	switch (r) {
	case CAP_L3_NOT_IP: s->not_ip++; break;
	case CAP_L3_OTHER_PROTO: s->not_tcp_udp++; break;
	case CAP_L3_TRUNCATED: s->truncated++; break;
	case CAP_L3_LINKTYPE: s->bad_linktype++; break;
	case CAP_L3_FRAGMENT:
	case CAP_L3_OK: break;
	}
}

static void
tcp_packet(struct cap_analyzer *a, struct cap_pkt *pkt)
{
	struct cap_flow *f;
	int dir;

	a->stats.tcp_segments++;
	f = cap_flow_lookup(a, pkt, &dir);
	if (f == NULL)
		return;
	if (f->app == CAP_APP_SMB && !f->smb && (pkt->flags & (CAP_TCP_SYN | CAP_TCP_ACK)) == CAP_TCP_SYN)
		f->client = dir;
	cap_tcp_segment(a, f, dir, pkt);
	if (f->app == CAP_APP_KRB && (pkt->flags & CAP_TCP_RST) && f->rst_to_syn && !f->krb_refusal_noted)
		cap_krb_tcp_refused(a, f, pkt);
	if (f->smb != NULL) {
		struct ev_connection *c = &a->t->conns[f->smb->conn];

		c->has_tcp_stream = true;
		c->tcp_stream = f->stream;
		c->started_mid_stream = f->syn_frame == 0 && !f->synack_seen;
		c->decrypt_tried = f->smb->kt != NULL;
	}
}

void
cap_analyzer_packet(struct cap_analyzer *a, double ts, const uint8_t *p, size_t caplen, size_t wirelen,
		    int linktype)
{
	struct cap_pkt pkt;
	enum cap_l3 r;

	a->frame++;
	a->stats.frames++;
	a->stats.bytes += wirelen;
	if (!a->have_first) {
		a->have_first = true;
		a->first_ts = ts;
		a->t->origin_unix = ts;
	}
	/* Time never runs backwards for the analysis (reordered captures). */
	if (ts > a->now)
		a->now = ts;
	memset(&pkt, 0, sizeof(pkt));
	pkt.ts = a->now;
	pkt.frame = a->frame;
	r = cap_link_decode(a, linktype, p, caplen, &pkt);
	if (r != CAP_L3_OK) {
		count_l3(&a->stats, r);
		return;
	}
	if (pkt.proto == CAP_PROTO_TCP) {
		tcp_packet(a, &pkt);
		return;
	}
	if (pkt.proto == CAP_PROTO_ICMP || pkt.proto == CAP_PROTO_ICMPV6) {
		a->stats.not_tcp_udp++;
		cap_icmp_packet(a, &pkt);
		return;
	}
	a->stats.udp_datagrams++;
	if ((cap_is_krb_port(a, pkt.sport) || cap_is_krb_port(a, pkt.dport)) && pkt.payload_len == pkt.payload_wire_len)
		cap_krb_message(a, &pkt.src, pkt.sport, &pkt.dst, pkt.dport, pkt.payload, pkt.payload_len, true);
}

void
cap_analyzer_finish(struct cap_analyzer *a)
{
	cap_flow_expire(a, true);
	cap_krb_finish(a);
}
