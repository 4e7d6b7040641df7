/* IP fragment reassembly for IPv4 and IPv6 (Kerberos over UDP is the
 * usual reason to see fragments). libpcap hands us frames, not
 * datagrams, so the reassembly is ours.
 *
 * Bounds: at most CAP_FRAG_MAX_DATAGRAMS datagrams wait at once (the
 * oldest is dropped for a new one), each at most CAP_FRAG_MAX_SIZE bytes,
 * every buffer charged to the analyzer's memory budget, and a datagram
 * not whole after CAP_FRAG_TIMEOUT seconds of capture time is dropped.
 *
 * Overlaps: IPv4 lets a later fragment overwrite (what stacks and tshark
 * do). IPv6 forbids overlapping fragments (RFC 5722): the datagram is
 * dropped and counted as malformed; an exact repeat of a fragment (a
 * duplicate frame in the capture) is ignored. Inconsistent fragments (a
 * second, different end; data past the end; a non-final fragment whose
 * length is not a multiple of 8) are malformed too. */
#include <stdlib.h>
#include <string.h>

#include "capture/cap_internal.h"

#define FRAG_BLOCK 8
#define FRAG_BITMAP ((CAP_FRAG_MAX_SIZE / FRAG_BLOCK + 8) / 8)

static bool
same_datagram(const struct cap_frag *fr, const struct cap_pkt *pkt, uint32_t id, uint8_t proto)
{
	if (fr->id != id || !cap_addr_eq(&fr->src, &pkt->src) || !cap_addr_eq(&fr->dst, &pkt->dst))
		return false;
	return pkt->src.family == 6 || fr->proto == proto;
}

static bool
frag_buffers(struct cap_analyzer *a, struct cap_frag *fr)
{
	if (fr->buf != NULL)
		return true;
	if (!cap_mem_take(a, CAP_FRAG_MAX_SIZE + FRAG_BITMAP))
		return false;
	fr->buf = malloc(CAP_FRAG_MAX_SIZE);
	fr->seen = malloc(FRAG_BITMAP);
	if (fr->buf == NULL || fr->seen == NULL) {
		free(fr->buf);
		free(fr->seen);
		fr->buf = fr->seen = NULL;
		cap_mem_give(a, CAP_FRAG_MAX_SIZE + FRAG_BITMAP);
		return false;
	}
	return true;
}

/* The datagram this fragment belongs to, or a new one (expiring the
 * timed-out ones, recycling the oldest when the table is full). */
static struct cap_frag *
frag_slot(struct cap_analyzer *a, const struct cap_pkt *pkt, uint32_t id, uint8_t proto)
{
	struct cap_defrag *d = a->defrag;
	struct cap_frag *fr, *oldest = NULL, *free_slot = NULL;
	size_t i;

	for (i = 0; i < CAP_FRAG_MAX_DATAGRAMS; i++) {
		fr = &d->d[i];
		if (fr->used && a->now - fr->first_ts > CAP_FRAG_TIMEOUT) {
			a->stats.fragments_dropped++;
			fr->used = false;
		}
		if (!fr->used) {
			if (free_slot == NULL)
				free_slot = fr;
			continue;
		}
		if (same_datagram(fr, pkt, id, proto))
			return fr;
		if (oldest == NULL || fr->first_ts < oldest->first_ts)
			oldest = fr;
	}
	if (free_slot == NULL) {
		a->stats.fragments_dropped++;
		free_slot = oldest;
	}
	fr = free_slot;
	/* Over the memory budget: a waiting datagram gives its buffers up. */
	if (!frag_buffers(a, fr)) {
		if (oldest == NULL || oldest == fr)
			return NULL;
		a->stats.fragments_dropped++;
		fr = oldest;
	}
	fr->used = true;
	fr->src = pkt->src;
	fr->dst = pkt->dst;
	fr->id = id;
	fr->proto = pkt->src.family == 6 ? 0 : proto;
	fr->have_first = false;
	fr->first_ts = a->now;
	fr->total = 0;
	fr->have = 0;
	memset(fr->seen, 0, FRAG_BITMAP);
	return fr;
}

static bool
block_seen(const struct cap_frag *fr, size_t b)
{
	return (fr->seen[b / 8] & (1u << (b % 8))) != 0;
}

static bool
frag_complete(const struct cap_frag *fr)
{
	size_t b, blocks;

	if (fr->total == 0 || !fr->have_first)
		return false;
	blocks = (fr->total + FRAG_BLOCK - 1) / FRAG_BLOCK;
	for (b = 0; b < blocks; b++)
		if (!block_seen(fr, b))
			return false;
	return true;
}

/* IPv6: does [off, off+len) touch data already held? An exact repeat
 * (same place, same bytes) is reported through *repeat. */
static bool
overlaps(const struct cap_frag *fr, size_t off, const uint8_t *p, size_t len, bool *repeat)
{
	size_t b, first = off / FRAG_BLOCK, end = (off + len + FRAG_BLOCK - 1) / FRAG_BLOCK;
	size_t n_seen = 0;

	for (b = first; b < end; b++)
		n_seen += block_seen(fr, b);
	/* Offsets are whole blocks and only a final fragment ends inside
	 * one, so held blocks hold the bytes a repeat would bring. */
	*repeat = n_seen == end - first && memcmp(fr->buf + off, p, len) == 0;
	return n_seen > 0;
}

static enum cap_frag_result
malformed(struct cap_analyzer *a, struct cap_frag *fr)
{
	a->stats.fragments_malformed++;
	a->stats.fragments_dropped++;
	if (fr != NULL)
		fr->used = false;
	return CAP_FRAG_DROPPED;
}

static bool
defrag_table(struct cap_analyzer *a)
{
	if (a->defrag != NULL)
		return true;
	if (!cap_mem_take(a, sizeof(*a->defrag)))
		return false;
	a->defrag = calloc(1, sizeof(*a->defrag));
	if (a->defrag == NULL) {
		cap_mem_give(a, sizeof(*a->defrag));
		return false;
	}
	return true;
}

enum cap_frag_result
cap_defrag_add(struct cap_analyzer *a, const struct cap_pkt *pkt, uint32_t id, uint8_t proto, size_t off, bool more,
	       const uint8_t *p, size_t len, size_t *out_len, uint8_t *out_proto)
{
	bool v6 = pkt->src.family == 6, repeat = false;
	struct cap_frag *fr;
	size_t b;

	a->stats.fragments++;
	if (off + len > CAP_FRAG_MAX_SIZE || (more && len % FRAG_BLOCK != 0) || (more && len == 0))
		return malformed(a, NULL);
	if (!defrag_table(a) || (fr = frag_slot(a, pkt, id, proto)) == NULL) {
		a->stats.fragments_dropped++;
		return CAP_FRAG_DROPPED;
	}
	/* An end that moves, data past a known end, or data held past a new
	 * end cannot be one datagram. */
	if ((!more && fr->total != 0 && fr->total != off + len) || (fr->total != 0 && off + len > fr->total))
		return malformed(a, fr);
	if (!more && fr->total == 0)
		for (b = (off + len + FRAG_BLOCK - 1) / FRAG_BLOCK; b < FRAG_BITMAP * 8; b++)
			if (block_seen(fr, b))
				return malformed(a, fr);
	if (v6 && len > 0 && overlaps(fr, off, p, len, &repeat)) {
		if (!repeat)
			return malformed(a, fr);
		return CAP_FRAG_PENDING;
	}
	if (!more)
		fr->total = off + len;
	if (off == 0) {
		fr->have_first = true;
		if (v6)
			fr->proto = proto;
	}
	memcpy(fr->buf + off, p, len);
	for (b = off / FRAG_BLOCK; b < (off + len + FRAG_BLOCK - 1) / FRAG_BLOCK; b++)
		fr->seen[b / 8] |= (uint8_t)(1u << (b % 8));
	fr->have += len;
	if (!frag_complete(fr))
		return CAP_FRAG_PENDING;
	memcpy(a->defrag->out, fr->buf, fr->total);
	*out_len = fr->total;
	*out_proto = fr->proto;
	fr->used = false;
	a->stats.reassembled++;
	return CAP_FRAG_DONE;
}

void
cap_defrag_cleanup(struct cap_analyzer *a)
{
	size_t i;

	if (a->defrag == NULL)
		return;
	for (i = 0; i < CAP_FRAG_MAX_DATAGRAMS; i++) {
		if (a->defrag->d[i].buf != NULL)
			cap_mem_give(a, CAP_FRAG_MAX_SIZE + FRAG_BITMAP);
		free(a->defrag->d[i].buf);
		free(a->defrag->d[i].seen);
	}
	free(a->defrag);
	cap_mem_give(a, sizeof(*a->defrag));
	a->defrag = NULL;
}
