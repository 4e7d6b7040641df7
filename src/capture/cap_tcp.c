/* TCP reassembly per direction: in-order bytes go straight to the stream
 * framer; segments past a hole wait (bounded) until the hole fills; a hole
 * that does not fill in time is handed on as a gap. Retransmissions and
 * overlaps are trimmed by sequence number. Only payload and the flags the
 * SMB analysis needs are looked at (no window, no options). */
#include <stdlib.h>
#include <string.h>

#include "capture/cap_internal.h"

/* Out-of-order bytes held per direction before the hole is given up. */
#define OOO_MAX_PER_DIR ((size_t)2 * 1024 * 1024)

static int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* Hands over bytes starting at seq, of which some may be old already. */
static void
deliver(struct cap_analyzer *a, struct cap_flow *f, int di, uint32_t seq, const uint8_t *p, size_t n,
	size_t wire)
{
	struct cap_tcpdir *d = &f->dir[di];
	int32_t rel = seq_diff(seq, d->next_seq);
	size_t skip;

	if (rel < 0) {
		skip = (size_t)-(int64_t)rel;
		if (skip >= wire) {
			a->stats.retransmissions++;
			return;
		}
		a->stats.overlaps++;
		wire -= skip;
		if (skip >= n) {
			n = 0;
		} else {
			p += skip;
			n -= skip;
		}
		seq += (uint32_t)skip;
	}
	if (n > 0 && a->opts.byte_at_a_time) {
		size_t i;

		for (i = 0; i < n; i++)
			cap_stream_data(a, f, di, seq + (uint32_t)i, p + i, 1);
	} else if (n > 0) {
		cap_stream_data(a, f, di, seq, p, n);
	}
	if (wire > n) {
		/* Cut by the snap length: those bytes were never captured. */
		a->stats.snapped++;
		a->stats.gaps++;
		a->stats.gap_bytes += wire - n;
		cap_stream_gap(a, f, di, wire - n, true);
	}
	d->next_seq = seq + (uint32_t)wire;
}

static void
drain(struct cap_analyzer *a, struct cap_flow *f, int di)
{
	struct cap_tcpdir *d = &f->dir[di];
	struct cap_seg *s;

	while ((s = d->ooo) != NULL && seq_diff(s->seq, d->next_seq) <= 0) {
		d->ooo = s->next;
		d->ooo_bytes -= s->len;
		deliver(a, f, di, s->seq, s->data, s->len, s->len);
		cap_mem_give(a, sizeof(*s) + s->len);
		free(s);
	}
}

/* Gives up the hole before the first waiting segment. */
static void
skip_hole(struct cap_analyzer *a, struct cap_flow *f, int di)
{
	struct cap_tcpdir *d = &f->dir[di];
	int32_t hole = seq_diff(d->ooo->seq, d->next_seq);

	if (hole > 0) {
		a->stats.gaps++;
		a->stats.gap_bytes += (unsigned long)hole;
		cap_stream_gap(a, f, di, (size_t)hole, false);
		d->next_seq = d->ooo->seq;
	}
	drain(a, f, di);
}

static bool
hold(struct cap_analyzer *a, struct cap_flow *f, int di, uint32_t seq, const uint8_t *p, size_t n)
{
	struct cap_tcpdir *d = &f->dir[di];
	struct cap_seg *s, **pp;

	if (d->ooo_bytes + n > OOO_MAX_PER_DIR || !cap_mem_take(a, sizeof(*s) + n))
		return false;
	s = malloc(sizeof(*s) + n);
	if (s == NULL) {
		cap_mem_give(a, sizeof(*s) + n);
		return false;
	}
	s->seq = seq;
	s->len = n;
	s->frame = a->frame;
	s->ts = a->now;
	memcpy(s->data, p, n);
	for (pp = &d->ooo; *pp && seq_diff((*pp)->seq, seq) <= 0; pp = &(*pp)->next)
		;
	s->next = *pp;
	*pp = s;
	d->ooo_bytes += n;
	a->stats.out_of_order++;
	return true;
}

static void
track_flags(struct cap_flow *f, int di, const struct cap_pkt *pkt, struct cap_analyzer *a)
{
	struct cap_tcpdir *d = &f->dir[di];

	if (!d->have_base) {
		d->have_base = true;
		d->base_seq = pkt->seq;
	}
	if (pkt->flags & CAP_TCP_SYN) {
		d->syn = true;
		/* Data starts right after the SYN, whatever order it arrives in. */
		if (!d->have_seq) {
			d->have_seq = true;
			d->next_seq = pkt->seq + 1;
		}
		if (!(pkt->flags & CAP_TCP_ACK)) {
			if (f->syn_frame == 0) {
				f->syn_frame = pkt->frame;
				f->syn_ts = a->now;
			}
			f->client = di;
		} else if (!f->synack_seen) {
			f->synack_seen = true;
			f->synack_frame = pkt->frame;
			f->synack_ts = a->now;
			if (f->client < 0)
				f->client = !di;
		}
	}
	if ((pkt->flags & CAP_TCP_ACK) && (!d->have_ack || seq_diff(pkt->ack, d->ack) > 0)) {
		d->have_ack = true;
		d->ack = pkt->ack;
	}
	if (pkt->flags & CAP_TCP_FIN)
		d->fin = true;
	if (pkt->flags & CAP_TCP_RST) {
		d->rst = true;
		if (f->syn_frame != 0 && !f->synack_seen && di != f->client)
			f->rst_to_syn = true;
	}
}

void
cap_tcp_segment(struct cap_analyzer *a, struct cap_flow *f, int di, const struct cap_pkt *pkt)
{
	struct cap_tcpdir *d = &f->dir[di];
	uint32_t seq = pkt->seq + ((pkt->flags & CAP_TCP_SYN) ? 1 : 0);
	size_t n = pkt->payload_len, wire = pkt->payload_wire_len;

	track_flags(f, di, pkt, a);
	/* A server that speaks first, on a port nobody named for SMB: its
	 * bytes are kept until the client's first data says what this is. */
	if (f->app == CAP_APP_NONE && n > 0 && f->client >= 0 && di != f->client && !f->magic_checked[di] &&
	    !f->magic_checked[f->client] && d->syn && seq == d->base_seq + 1)
		cap_smb_server_first_bytes(a, f, pkt->payload, n);
	if (f->app == CAP_APP_NONE && n > 0 && !f->magic_checked[di])
		cap_stream_probe_magic(f, di, pkt->payload, n);
	if (wire > 0 && f->app != CAP_APP_NONE) {
		if (!d->have_seq) {
			d->have_seq = true;
			d->next_seq = seq;
		}
		if (seq_diff(seq, d->next_seq) <= 0) {
			deliver(a, f, di, seq, pkt->payload, n, wire);
			drain(a, f, di);
		} else if (n < wire || !hold(a, f, di, seq, pkt->payload, n)) {
			/* Cannot wait for the hole (snapped, or over the
			 * budget): give up what is before this segment. */
			if (n == wire && d->ooo != NULL)
				a->stats.ooo_dropped++;
			while (d->ooo != NULL && seq_diff(d->ooo->seq, seq) < 0)
				skip_hole(a, f, di);
			if (seq_diff(seq, d->next_seq) > 0) {
				a->stats.gaps++;
				a->stats.gap_bytes += (unsigned long)seq_diff(seq, d->next_seq);
				cap_stream_gap(a, f, di, (size_t)seq_diff(seq, d->next_seq), false);
				d->next_seq = seq;
			}
			deliver(a, f, di, seq, pkt->payload, n, wire);
			drain(a, f, di);
		}
	}
	if (f->app == CAP_APP_SMB)
		cap_smb_tcp_event(a, f, di, pkt);
}

void
cap_tcp_flush(struct cap_analyzer *a, struct cap_flow *f)
{
	int di;

	for (di = 0; di < 2; di++)
		while (f->dir[di].ooo != NULL)
			skip_hole(a, f, di);
}

void
cap_tcp_free(struct cap_analyzer *a, struct cap_flow *f)
{
	int di;

	for (di = 0; di < 2; di++) {
		struct cap_seg *s = f->dir[di].ooo, *next;

		for (; s != NULL; s = next) {
			next = s->next;
			cap_mem_give(a, sizeof(*s) + s->len);
			free(s);
		}
		f->dir[di].ooo = NULL;
		f->dir[di].ooo_bytes = 0;
	}
}
