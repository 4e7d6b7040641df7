/* How a KDC's host refused a Kerberos request: an ICMP destination
 * unreachable quoting a UDP AS-REQ / TGS-REQ (nothing listens on the
 * port, a router has no route, a firewall rejects), or a TCP reset or an
 * ICMP error answering the client's SYN. Silence stays silence: only a
 * refusal seen in the capture is recorded, on the request it refused.
 *
 * Requests wait in a small ring until the KDC answers the same client
 * port; an ICMP error is tied by the quoted addresses and ports, which is
 * exactly what a connected UDP socket would be told (ECONNREFUSED). The
 * answer learns from the same ring which request it answers: Windows
 * KDCs leave the client's name out of their KRB-ERRORs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cap_internal.h"

/* Requests in flight at once; a client retries each only a few times, so
 * older entries are long answered or given up when they are overwritten. */
#define PENDING_MAX 256

struct cap_krb_pending {
	bool used;
	bool udp;                   /* an ICMP error can only quote a datagram */
	struct cap_addr client, kdc;
	uint16_t client_port, kdc_port;
	size_t record;              /* index in the timeline's krb array */
};

static bool
same_pair(const struct cap_krb_pending *e, const struct cap_addr *client, uint16_t client_port,
	  const struct cap_addr *kdc, uint16_t kdc_port)
{
	return e->used && e->client_port == client_port && e->kdc_port == kdc_port && cap_addr_eq(&e->client, client) &&
	       cap_addr_eq(&e->kdc, kdc);
}

size_t
cap_krb_pending_note(struct cap_analyzer *a, const struct cap_addr *src, uint16_t sport, const struct cap_addr *dst,
		     uint16_t dport, size_t record, bool request, bool udp)
{
	struct cap_krb_pending *e;
	size_t i, answered = SIZE_MAX;

	if (a->krb_pending == NULL) {
		a->krb_pending = calloc(PENDING_MAX, sizeof(*a->krb_pending));
		if (a->krb_pending == NULL)
			return SIZE_MAX;
	}
	if (!request) {
		/* The KDC answered that client port: nothing of it is pending,
		 * and the newest request is the one answered (a retry repeats
		 * the same request). */
		for (i = 0; i < PENDING_MAX; i++) {
			e = &a->krb_pending[i];
			if (!same_pair(e, dst, dport, src, sport) || e->udp != udp)
				continue;
			if (answered == SIZE_MAX || e->record > answered)
				answered = e->record;
			e->used = false;
		}
		return answered;
	}
	e = &a->krb_pending[a->next_krb_pending];
	a->next_krb_pending = (a->next_krb_pending + 1) % PENDING_MAX;
	e->used = true;
	e->udp = udp;
	e->client = *src;
	e->client_port = sport;
	e->kdc = *dst;
	e->kdc_port = dport;
	e->record = record;
	return SIZE_MAX;
}

void
cap_krb_icmp_refusal(struct cap_analyzer *a, const struct cap_addr *from, uint8_t family,
		     const struct cap_icmp_unreach *u)
{
	struct ev_kerberos *k, *newest = NULL;
	size_t i;

	if (a->krb_pending == NULL)
		return;
	/* The newest request not refused yet: a client's retry gets its own
	 * ICMP error, and a rate-limited host may skip some. */
	for (i = 0; i < PENDING_MAX; i++) {
		const struct cap_krb_pending *e = &a->krb_pending[i];

		if (!e->udp || !same_pair(e, &u->src, u->sport, &u->dst, u->dport) || e->record >= a->t->n_krb)
			continue;
		k = &a->t->krb[e->record];
		if (k->refusal == EV_KRB_REFUSAL_NONE && (newest == NULL || k > newest))
			newest = k;
	}
	if (newest == NULL)
		return;
	newest->refusal = family == 6 ? EV_KRB_REFUSAL_ICMPV6 : EV_KRB_REFUSAL_ICMP;
	newest->refusal_icmp_type = u->type;
	newest->refusal_icmp_code = u->code;
	newest->refusal_frame = a->frame;
	cap_addr_ip_text(from, newest->refusal_from, sizeof(newest->refusal_from));
}

/* The record of a connection attempt to a KDC that was refused: dated
 * and numbered by the client's SYN, no message. NULL when not made. */
static struct ev_kerberos *
refused_connection(struct cap_analyzer *a, struct cap_flow *f, const struct cap_addr *from)
{
	struct ev_kerberos *k;
	int client = f->client;

	f->krb_refusal_noted = true;
	if (client < 0 || !cap_is_krb_port(a, f->port[!client]))
		return NULL;
	if (!cap_timeline_take(a, sizeof(*k)) || (k = ev_add_kerberos(a->t)) == NULL)
		return NULL;
	k->at = cap_rel_time(a, f->syn_ts);
	k->frame = f->syn_frame;
	k->message = EV_KRB_NO_MESSAGE;
	cap_addr_ip_text(&f->addr[client], k->client, sizeof(k->client));
	cap_addr_text(&f->addr[!client], f->port[!client], k->kdc, sizeof(k->kdc));
	k->refusal_frame = a->frame;
	cap_addr_ip_text(from, k->refusal_from, sizeof(k->refusal_from));
	return k;
}

void
cap_krb_tcp_refused(struct cap_analyzer *a, struct cap_flow *f, const struct cap_pkt *rst)
{
	struct ev_kerberos *k = refused_connection(a, f, &rst->src);

	if (k != NULL)
		k->refusal = EV_KRB_REFUSAL_TCP_RESET;
}

void
cap_krb_icmp_tcp_refusal(struct cap_analyzer *a, const struct cap_addr *from, uint8_t family,
			 const struct cap_icmp_unreach *u)
{
	struct cap_pkt quoted = {0};
	struct cap_flow *f;
	struct ev_kerberos *k;
	int dir;

	quoted.src = u->src;
	quoted.dst = u->dst;
	quoted.sport = u->sport;
	quoted.dport = u->dport;
	f = cap_flow_find(a, &quoted, &dir);
	/* Only a SYN the capture saw and that got no SYN-ACK (the client's
	 * retransmitted SYNs each get one: the first makes the record). */
	if (f == NULL || f->app != CAP_APP_KRB || f->syn_frame == 0 || f->synack_seen || f->krb_refusal_noted ||
	    dir != f->client)
		return;
	k = refused_connection(a, f, from);
	if (k == NULL)
		return;
	k->refusal = family == 6 ? EV_KRB_REFUSAL_ICMPV6 : EV_KRB_REFUSAL_ICMP;
	k->refusal_icmp_type = u->type;
	k->refusal_icmp_code = u->code;
}

void
cap_krb_pending_free(struct cap_analyzer *a)
{
	free(a->krb_pending);
	a->krb_pending = NULL;
	a->next_krb_pending = 0;
}
