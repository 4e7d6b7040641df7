/* The TCP flow table: lookup by address/port pair in either direction,
 * tshark-compatible stream numbers, least-recently-used expiry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cap_internal.h"

#define SMB_DIRECT_PORT 445
#define NETBIOS_SESSION_PORT 139
#define HASH_SLOTS 65536u               /* power of two */
#define FLOW_IDLE_TIMEOUT 300.0         /* seconds of capture time */
#define FLOW_CLOSED_TIMEOUT 60.0
#define EXPIRY_INTERVAL 10.0

bool
cap_addr_eq(const struct cap_addr *x, const struct cap_addr *y)
{
	return x->family == y->family && memcmp(x->bytes, y->bytes, x->family == 4 ? 4 : 16) == 0;
}

void
cap_addr_text(const struct cap_addr *addr, uint16_t port, char *out, size_t cap)
{
	const uint8_t *b = addr->bytes;

	if (addr->family == 4) {
		snprintf(out, cap, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3], port);
		return;
	}
	/* Full form without zero compression: unambiguous and short code. */
	snprintf(out, cap, "[%x:%x:%x:%x:%x:%x:%x:%x]:%u", b[0] << 8 | b[1], b[2] << 8 | b[3], b[4] << 8 | b[5],
		 b[6] << 8 | b[7], b[8] << 8 | b[9], b[10] << 8 | b[11], b[12] << 8 | b[13], b[14] << 8 | b[15], port);
}

void
cap_addr_ip_text(const struct cap_addr *addr, char *out, size_t cap)
{
	char *colon;

	cap_addr_text(addr, 0, out, cap);
	colon = strrchr(out, ':');
	if (colon)
		*colon = '\0';
}

bool
cap_is_smb_port(const struct cap_analyzer *a, uint16_t port)
{
	unsigned i;

	if (port == SMB_DIRECT_PORT || port == NETBIOS_SESSION_PORT)
		return true;
	for (i = 0; i < a->opts.n_smb_ports; i++)
		if (a->opts.smb_ports[i] == port)
			return true;
	return false;
}

bool
cap_is_krb_port(const struct cap_analyzer *a, uint16_t port)
{
	unsigned i;

	if (port == CAP_KRB_PORT)
		return true;
	for (i = 0; i < a->opts.n_krb_ports; i++)
		if (a->opts.krb_ports[i] == port)
			return true;
	return false;
}

/* The same value for both directions. */
static uint32_t
pair_hash(const struct cap_pkt *p)
{
	uint32_t h1 = 2166136261u, h2 = 2166136261u;
	size_t i;

	for (i = 0; i < 16; i++) {
		h1 = (h1 ^ p->src.bytes[i]) * 16777619u;
		h2 = (h2 ^ p->dst.bytes[i]) * 16777619u;
	}
	h1 = (h1 ^ p->sport) * 16777619u;
	h2 = (h2 ^ p->dport) * 16777619u;
	return (h1 ^ h2) * 2654435761u;
}

static int
direction(const struct cap_flow *f, const struct cap_pkt *p)
{
	if (f->port[0] == p->sport && f->port[1] == p->dport && cap_addr_eq(&f->addr[0], &p->src) &&
	    cap_addr_eq(&f->addr[1], &p->dst))
		return 0;
	if (f->port[1] == p->sport && f->port[0] == p->dport && cap_addr_eq(&f->addr[1], &p->src) &&
	    cap_addr_eq(&f->addr[0], &p->dst))
		return 1;
	return -1;
}

static void
lru_unlink(struct cap_analyzer *a, struct cap_flow *f)
{
	if (f->lprev)
		f->lprev->lnext = f->lnext;
	else
		a->lru_head = f->lnext;
	if (f->lnext)
		f->lnext->lprev = f->lprev;
	else
		a->lru_tail = f->lprev;
	f->lnext = f->lprev = NULL;
}

static void
lru_push(struct cap_analyzer *a, struct cap_flow *f)
{
	f->lprev = NULL;
	f->lnext = a->lru_head;
	if (a->lru_head)
		a->lru_head->lprev = f;
	a->lru_head = f;
	if (a->lru_tail == NULL)
		a->lru_tail = f;
}

static void
hash_unlink(struct cap_analyzer *a, struct cap_flow *f)
{
	struct cap_flow **pp = &a->hash[f->hash & (a->hash_slots - 1)];

	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
}

/* Ends a flow: everything held is delivered, then its memory goes back. */
static void
flow_end(struct cap_analyzer *a, struct cap_flow *f)
{
	cap_tcp_flush(a, f);
	cap_smb_flow_end(a, f);
	hash_unlink(a, f);
	lru_unlink(a, f);
	cap_tcp_free(a, f);
	cap_stream_free(a, f);
	cap_smb_free(a, f);
	free(f);
	cap_mem_give(a, sizeof(*f));
	a->n_flows--;
}

static bool
flow_closed(const struct cap_flow *f)
{
	return f->dir[0].rst || f->dir[1].rst || (f->dir[0].fin && f->dir[1].fin);
}

void
cap_flow_expire(struct cap_analyzer *a, bool all)
{
	struct cap_flow *f = a->lru_tail, *prev;

	while (f != NULL) {
		double idle = a->now - f->last_ts;

		prev = f->lprev;
		if (all || idle > FLOW_IDLE_TIMEOUT || (flow_closed(f) && idle > FLOW_CLOSED_TIMEOUT)) {
			if (!all)
				a->stats.flows_expired++;
			flow_end(a, f);
		} else if (idle <= FLOW_CLOSED_TIMEOUT) {
			break;  /* the rest of the list is more recent */
		}
		f = prev;
	}
}

void
cap_flow_free_all(struct cap_analyzer *a)
{
	cap_flow_expire(a, true);
	free(a->hash);
	a->hash = NULL;
}

static struct cap_flow *
flow_new(struct cap_analyzer *a, const struct cap_pkt *p, uint32_t h)
{
	struct cap_flow *f;

	/* Over the budget: the least recently used flow makes room. */
	while (!cap_mem_take(a, sizeof(*f))) {
		if (a->lru_tail == NULL) {
			a->stats.flows_dropped++;
			return NULL;
		}
		a->stats.flows_expired++;
		flow_end(a, a->lru_tail);
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		cap_mem_give(a, sizeof(*f));
		a->stats.flows_dropped++;
		return NULL;
	}
	f->addr[0] = p->src;
	f->addr[1] = p->dst;
	f->port[0] = p->sport;
	f->port[1] = p->dport;
	f->hash = h;
	f->stream = a->next_stream++;
	f->first_ts = a->now;
	f->client = -1;
	if (p->dport == SMB_DIRECT_PORT || p->sport == SMB_DIRECT_PORT) {
		f->app = CAP_APP_SMB;
		f->transport = NBSS_TRANSPORT_DIRECT;
	} else if (p->dport == NETBIOS_SESSION_PORT || p->sport == NETBIOS_SESSION_PORT) {
		f->app = CAP_APP_SMB;
		f->transport = NBSS_TRANSPORT_NETBIOS;
	} else if (cap_is_smb_port(a, p->dport) || cap_is_smb_port(a, p->sport)) {
		f->app = CAP_APP_SMB;
		f->transport = NBSS_TRANSPORT_DIRECT;
	} else if (cap_is_krb_port(a, p->dport) || cap_is_krb_port(a, p->sport)) {
		f->app = CAP_APP_KRB;
	}
	f->hnext = a->hash[h & (a->hash_slots - 1)];
	a->hash[h & (a->hash_slots - 1)] = f;
	lru_push(a, f);
	a->n_flows++;
	a->stats.flows++;
	return f;
}

struct cap_flow *
cap_flow_find(struct cap_analyzer *a, const struct cap_pkt *p, int *dir)
{
	uint32_t h = pair_hash(p);
	struct cap_flow *f;

	if (a->hash == NULL)
		return NULL;
	for (f = a->hash[h & (a->hash_slots - 1)]; f != NULL; f = f->hnext)
		if (f->hash == h && (*dir = direction(f, p)) >= 0)
			return f;
	return NULL;
}

struct cap_flow *
cap_flow_lookup(struct cap_analyzer *a, const struct cap_pkt *p, int *dir)
{
	uint32_t h = pair_hash(p);
	struct cap_flow *f;

	if (a->hash == NULL) {
		a->hash_slots = HASH_SLOTS;
		a->hash = calloc(a->hash_slots, sizeof(*a->hash));
		if (a->hash == NULL)
			return NULL;
		a->next_expiry = a->now + EXPIRY_INTERVAL;
	}
	if (a->now >= a->next_expiry) {
		a->next_expiry = a->now + EXPIRY_INTERVAL;
		cap_flow_expire(a, false);
	}
	for (f = a->hash[h & (a->hash_slots - 1)]; f != NULL; f = f->hnext) {
		if (f->hash == h && (*dir = direction(f, p)) >= 0)
			break;
	}
	/* tshark starts a new stream when a SYN (without ACK) carries another
	 * initial sequence number than the first one seen on that side. */
	if (f != NULL && (p->flags & (CAP_TCP_SYN | CAP_TCP_ACK)) == CAP_TCP_SYN && f->dir[*dir].have_base &&
	    f->dir[*dir].base_seq != p->seq) {
		flow_end(a, f);
		f = NULL;
	}
	if (f == NULL) {
		f = flow_new(a, p, h);
		if (f == NULL)
			return NULL;
		*dir = 0;
	}
	f->last_ts = a->now;
	if (a->lru_head != f) {
		lru_unlink(a, f);
		lru_push(a, f);
	}
	return f;
}
