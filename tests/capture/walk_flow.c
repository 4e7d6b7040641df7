/* TCP flows and NetBIOS/direct-TCP framing for the capture walker. */
#include "walk_flow.h"

#include <stdlib.h>
#include <string.h>

#include "core/wire/smb2_const.h"

#define HASH_SLOTS (2 * WALK_MAX_FLOWS)  /* power of two, load <= 1/2 */
#define BUF_MIN_ALLOC (64 * 1024)
/* Smallest SMB message behind a session-message header: the protocol id. */
#define SMB_MAGIC_LEN 4

struct walk_table {
	walk_pdu_fn on_pdu;
	void *ctx;
	bool byte_at_a_time;
	size_t buffered;               /* bytes allocated by all stream buffers */
	unsigned long n_flows;
	struct walk_flow *flows[WALK_MAX_FLOWS];
	uint32_t slots[HASH_SLOTS];    /* flow index + 1; 0 = empty */
	struct walk_stats stats;
};

struct walk_table *
walk_table_new(walk_pdu_fn on_pdu, void *ctx, bool byte_at_a_time)
{
	struct walk_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->on_pdu = on_pdu;
	t->ctx = ctx;
	t->byte_at_a_time = byte_at_a_time;
	return t;
}

void
walk_table_free(struct walk_table *t)
{
	unsigned long i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n_flows; i++) {
		free(t->flows[i]->dir[0].buf);
		free(t->flows[i]->dir[1].buf);
		free(t->flows[i]);
	}
	free(t);
}

struct walk_stats *
walk_table_stats(struct walk_table *t)
{
	return &t->stats;
}

unsigned long
walk_table_n_flows(const struct walk_table *t)
{
	return t->n_flows;
}

struct walk_flow *
walk_table_flow(struct walk_table *t, unsigned long stream)
{
	return stream < t->n_flows ? t->flows[stream] : NULL;
}

int
walk_flow_server_side(const struct walk_flow *f)
{
	return f->port[0] == WALK_SMB_DIRECT_PORT || f->port[0] == WALK_NETBIOS_SESSION_PORT ? 0 : 1;
}

/* The same value for both directions of a conversation. */
static uint32_t
tuple_hash(const struct cap_pkt *s)
{
	uint32_t h1 = 2166136261u, h2 = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(s->src.bytes); i++) {
		h1 = (h1 ^ s->src.bytes[i]) * 16777619u;
		h2 = (h2 ^ s->dst.bytes[i]) * 16777619u;
	}
	h1 = (h1 ^ s->sport) * 16777619u;
	h2 = (h2 ^ s->dport) * 16777619u;
	return (h1 ^ h2) * 2654435761u;
}

/* 0 when seg goes addr[0] -> addr[1], 1 for the reverse, -1 otherwise. */
static int
flow_dir(const struct walk_flow *f, const struct cap_pkt *s)
{
	if (cap_addr_eq(&f->addr[0], &s->src) && f->port[0] == s->sport && cap_addr_eq(&f->addr[1], &s->dst) &&
	    f->port[1] == s->dport)
		return 0;
	if (cap_addr_eq(&f->addr[1], &s->src) && f->port[1] == s->sport && cap_addr_eq(&f->addr[0], &s->dst) &&
	    f->port[0] == s->dport)
		return 1;
	return -1;
}

static uint32_t *
find_slot(struct walk_table *t, const struct cap_pkt *s)
{
	uint32_t i = tuple_hash(s) & (HASH_SLOTS - 1);

	while (t->slots[i] != 0 && flow_dir(t->flows[t->slots[i] - 1], s) < 0)
		i = (i + 1) & (HASH_SLOTS - 1);
	return &t->slots[i];
}

static struct walk_flow *
new_flow(struct walk_table *t, uint32_t *slot, const struct cap_pkt *s)
{
	struct walk_flow *f;

	if (t->n_flows >= WALK_MAX_FLOWS) {
		t->stats.flows_dropped++;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->addr[0] = s->src;
	f->addr[1] = s->dst;
	f->port[0] = s->sport;
	f->port[1] = s->dport;
	f->stream = (unsigned)t->n_flows;
	if (s->sport == WALK_SMB_DIRECT_PORT || s->dport == WALK_SMB_DIRECT_PORT) {
		f->smb = true;
		f->transport = NBSS_TRANSPORT_DIRECT;
	} else if (s->sport == WALK_NETBIOS_SESSION_PORT || s->dport == WALK_NETBIOS_SESSION_PORT) {
		f->smb = true;
		f->transport = NBSS_TRANSPORT_NETBIOS;
	}
	t->flows[t->n_flows++] = f;
	t->stats.flows++;
	*slot = (uint32_t)t->n_flows;
	return f;
}

/* ------------------------------------------------------------------ */
/* Framing                                                              */

static bool
smb_magic(const uint8_t *p)
{
	return (p[0] == 0xFF || p[0] == 0xFE || p[0] == 0xFD || p[0] == 0xFC) && p[1] == 'S' && p[2] == 'M' &&
	       p[3] == 'B';
}

/* A session-message header followed by an SMB protocol id: the only thing
 * trusted as a PDU start after a hole (needs 8 bytes). */
static bool
plausible_start(const uint8_t *p, enum nbss_transport transport)
{
	if (p[0] != NBSS_SESSION_MESSAGE)
		return false;
	if (transport == NBSS_TRANSPORT_NETBIOS && (p[1] & ~NBSS_FLAG_LENGTH_EXT) != 0)
		return false;
	return smb_magic(p + NBSS_HEADER_SIZE);
}

static void
lose_sync(struct walk_dir *d)
{
	d->start = d->end = 0;
	d->synced = false;
	d->skip_left = 0;
}

/* Cuts complete PDUs off the front of the buffer; stops when more bytes
 * are needed. Every decision looks at buffered bytes only, never at how
 * they arrived, so feeding one byte at a time gives the same PDUs. */
static void
frame_pdus(struct walk_table *t, struct walk_flow *f, int di, unsigned long frame)
{
	struct walk_dir *d = &f->dir[di];

	for (;;) {
		const uint8_t *p = d->buf + d->start;
		size_t avail = d->end - d->start, pdu_len = 0;
		enum sd_err err;

		if (d->skip_left > 0) {
			size_t k = d->skip_left < avail ? d->skip_left : avail;

			d->start += k;
			d->skip_left -= k;
			if (d->skip_left > 0)
				break;
			continue;
		}
		if (avail < NBSS_HEADER_SIZE + SMB_MAGIC_LEN) {
			/* Session messages are checked for the protocol id
			 * first; only control PDUs of a synced stream can be
			 * shorter than 8 bytes (keep-alive, positive response). */
			if (!d->synced || avail < NBSS_HEADER_SIZE || p[0] == NBSS_SESSION_MESSAGE)
				break;
		} else if (!d->synced || p[0] == NBSS_SESSION_MESSAGE) {
			if (!plausible_start(p, f->transport)) {
				if (d->synced)
					t->stats.desyncs++;
				d->synced = false;
				d->start++;
				t->stats.resync_bytes++;
				continue;
			}
			d->synced = true;
		}
		err = nbss_frame_length(p, avail, f->transport, WALK_MAX_PDU, &pdu_len);
		if (err == SD_ERR_TRUNCATED)
			break;
		if (err == SD_ERR_LIMIT) {
			t->stats.oversize++;
			d->skip_left = pdu_len;
			continue;
		}
		if (err != SD_OK) {
			t->stats.desyncs++;
			d->synced = false;
			d->start++;
			t->stats.resync_bytes++;
			continue;
		}
		t->stats.pdus++;
		t->on_pdu(t->ctx, f, di, frame, p, pdu_len, false);
		d->start += pdu_len;
	}
	if (d->start == d->end) {
		d->start = d->end = 0;
		/* Give back what a large PDU made us hold. */
		if (d->alloc > BUF_MIN_ALLOC) {
			free(d->buf);
			t->buffered -= d->alloc;
			d->buf = NULL;
			d->alloc = 0;
		}
	}
}

/* Makes room for n more bytes; false when a cap forbids it. */
static bool
reserve(struct walk_table *t, struct walk_dir *d, size_t n)
{
	size_t need, alloc;
	uint8_t *nb;

	if (d->start > 0 && d->end + n > d->alloc) {
		memmove(d->buf, d->buf + d->start, d->end - d->start);
		d->end -= d->start;
		d->start = 0;
	}
	need = d->end + n;
	if (need <= d->alloc)
		return true;
	if (need > WALK_MAX_PDU)
		return false;
	alloc = d->alloc ? d->alloc : BUF_MIN_ALLOC;
	while (alloc < need)
		alloc *= 2;
	if (alloc > WALK_MAX_PDU)
		alloc = WALK_MAX_PDU;
	if (t->buffered - d->alloc + alloc > WALK_MAX_BUFFERED)
		return false;
	nb = realloc(d->buf, alloc);
	if (nb == NULL)
		return false;
	t->buffered = t->buffered - d->alloc + alloc;
	d->buf = nb;
	d->alloc = alloc;
	return true;
}

static void
feed(struct walk_table *t, struct walk_flow *f, int di, unsigned long frame, const uint8_t *p, size_t n)
{
	struct walk_dir *d = &f->dir[di];

	while (n > 0) {
		size_t k, held;

		if (d->skip_left > 0 && d->start == d->end) {
			k = d->skip_left < n ? d->skip_left : n;
			d->skip_left -= k;
			p += k;
			n -= k;
			continue;
		}
		/* No PDU is longer than WALK_MAX_PDU, so once that much is held
		 * the framer has cut at least one PDU off the front. */
		held = d->end - d->start;
		k = n < WALK_MAX_PDU - held ? n : WALK_MAX_PDU - held;
		if (k == 0 || !reserve(t, d, k)) {
			/* The partial PDU cannot grow (memory cap): give it up. */
			t->stats.oversize++;
			lose_sync(d);
			k = n < BUF_MIN_ALLOC ? n : BUF_MIN_ALLOC;
			if (!reserve(t, d, k))
				return;
		}
		memcpy(d->buf + d->end, p, k);
		d->end += k;
		p += k;
		n -= k;
		frame_pdus(t, f, di, frame);
	}
}

/* ------------------------------------------------------------------ */
/* Sequence tracking                                                    */

static void
track_segment(struct walk_table *t, struct walk_flow *f, int di, unsigned long frame, const struct cap_pkt *s)
{
	struct walk_dir *d = &f->dir[di];
	uint32_t seq = s->seq + ((s->flags & CAP_TCP_SYN) ? 1 : 0);
	const uint8_t *p = s->payload;
	size_t n = s->payload_len;
	int32_t rel;

	if (s->payload_len < s->payload_wire_len)
		t->stats.snapped++;
	if (n == 0)
		return;
	t->stats.smb_segments++;
	if (!d->have_seq) {
		d->have_seq = true;
		d->next_seq = seq;
		/* Seen from its SYN, the stream starts with a PDU (a NetBIOS
		 * session request on 139); otherwise look for one. */
		d->synced = d->base_is_syn && seq == d->base_seq + 1;
	}
	rel = (int32_t)(seq - d->next_seq);
	if (rel < 0) {
		if ((size_t)-(int64_t)rel >= n) {
			t->stats.retransmissions++;
			return;
		}
		t->stats.overlaps++;
		p += (size_t)-(int64_t)rel;
		n -= (size_t)-(int64_t)rel;
	} else if (rel > 0) {
		t->stats.gaps++;
		lose_sync(d);
	}
	d->next_seq = seq + (uint32_t)s->payload_wire_len;
	if (t->byte_at_a_time) {
		size_t i;

		for (i = 0; i < n; i++)
			feed(t, f, di, frame, p + i, 1);
	} else {
		feed(t, f, di, frame, p, n);
	}
	/* Bytes past the snap length were never captured: a hole after them.
	 * The PDU they belong to can never complete; hand over what is there. */
	if (s->payload_len < s->payload_wire_len) {
		if (d->synced && d->skip_left == 0 && d->end - d->start > NBSS_HEADER_SIZE) {
			t->stats.partial_pdus++;
			t->on_pdu(t->ctx, f, di, frame, d->buf + d->start, d->end - d->start, true);
		}
		t->stats.gaps++;
		lose_sync(d);
	}
}

void
walk_table_segment(struct walk_table *t, unsigned long frame, const struct cap_pkt *seg)
{
	uint32_t *slot = find_slot(t, seg);
	struct walk_flow *f = *slot ? t->flows[*slot - 1] : NULL;
	int di;

	if (f != NULL) {
		di = flow_dir(f, seg);
		/* tshark starts a new stream when a SYN (without ACK) carries
		 * another initial sequence number than the first one seen. */
		if ((seg->flags & (CAP_TCP_SYN | CAP_TCP_ACK)) == CAP_TCP_SYN && f->dir[di].have_base &&
		    f->dir[di].base_seq != seg->seq)
			f = NULL;
	}
	if (f == NULL) {
		f = new_flow(t, slot, seg);
		if (f == NULL)
			return;
	}
	di = flow_dir(f, seg);
	if (!f->dir[di].have_base) {
		f->dir[di].have_base = true;
		f->dir[di].base_seq = seg->seq;
		f->dir[di].base_is_syn = (seg->flags & CAP_TCP_SYN) != 0;
	}
	if (f->smb)
		track_segment(t, f, di, frame, seg);
}
