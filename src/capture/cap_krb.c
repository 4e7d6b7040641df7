/* Kerberos on port 88 (UDP datagrams, TCP records): one evidence record
 * per KDC message, whether an error followed a pre-authentication round,
 * and which SMB connection each exchange served: a service-ticket exchange
 * for cifs/NAME the SESSION_SETUP that follows it; a TGT (or password
 * change) exchange the connection that was waiting for it (negotiated, no
 * SESSION_SETUP yet), or else the connection whose service-ticket exchange
 * followed it (a client that gets its tickets before connecting). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture/cap_dump.h"
#include "core/auth/krb5msg.h"

#define KRB_CLIENTS_MAX 1024
#define PA_ENC_TIMESTAMP 2
#define KDC_ERR_PREAUTH_REQUIRED 25
/* A service ticket serves the SESSION_SETUP that follows it this soon (and
 * a refused one the NEGOTIATE that came this soon before it). */
#define TIE_WINDOW 30.0

struct cap_krb_client {
	struct cap_addr addr;
	bool preauth_required;      /* the KDC asked for pre-authentication */
	bool timestamp_sent;        /* ... and an AS-REQ with PA-ENC-TIMESTAMP followed */
};

static struct cap_krb_client *
client_state(struct cap_analyzer *a, const struct cap_addr *addr)
{
	size_t i;

	if (a->krb_clients == NULL) {
		a->krb_clients = calloc(KRB_CLIENTS_MAX, sizeof(*a->krb_clients));
		if (a->krb_clients == NULL)
			return NULL;
	}
	for (i = 0; i < a->n_krb_clients; i++)
		if (cap_addr_eq(&a->krb_clients[i].addr, addr))
			return &a->krb_clients[i];
	/* Full: the table starts over (an old client's state is forgotten). */
	if (a->n_krb_clients >= KRB_CLIENTS_MAX)
		a->n_krb_clients = 0;
	i = a->n_krb_clients++;
	memset(&a->krb_clients[i], 0, sizeof(a->krb_clients[i]));
	a->krb_clients[i].addr = *addr;
	return &a->krb_clients[i];
}

static void
str_copy(const struct krb_str *k, char *out, size_t cap)
{
	size_t n = k->p ? (k->len < cap - 1 ? k->len : cap - 1) : 0;

	if (n)
		memcpy(out, k->p, n);
	out[n] = '\0';
}

static bool
has_padata(const struct krb_padata_list *l, int32_t type)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (l->type[i] == type)
			return true;
	return false;
}

static void
fill_request(struct ev_kerberos *k, const struct krb_kdc_req *q, struct cap_krb_client *cs, bool as_req)
{
	krb_principal_text(&q->cname, k->cname, sizeof(k->cname));
	krb_principal_text(&q->sname, k->sname, sizeof(k->sname));
	str_copy(&q->realm, k->realm, sizeof(k->realm));
	if (as_req && cs != NULL && cs->preauth_required && has_padata(&q->padata, PA_ENC_TIMESTAMP))
		cs->timestamp_sent = true;
}

static void
fill_error(struct ev_kerberos *k, const struct krb_error *e, struct cap_krb_client *cs)
{
	k->has_error = true;
	k->error = e->error_code;
	krb_principal_text(&e->cname, k->cname, sizeof(k->cname));
	krb_principal_text(&e->sname, k->sname, sizeof(k->sname));
	str_copy(&e->realm, k->realm, sizeof(k->realm));
	str_copy(&e->e_text, k->e_text, sizeof(k->e_text));
	if (e->has_ext_error) {
		k->has_ext_status = true;
		k->ext_status = e->ext_status;
	}
	if (cs == NULL)
		return;
	if (e->error_code == KDC_ERR_PREAUTH_REQUIRED) {
		cs->preauth_required = true;
		cs->timestamp_sent = false;
	} else if (cs->preauth_required && cs->timestamp_sent) {
		k->after_preauth = true;
	}
}

/* What an answer learns from its request: which kind it was, and the
 * client's name, which Windows KDCs leave out of a KRB-ERROR (and a
 * scanner's AS-REQ may not carry at all). */
static void
answered(struct ev_kerberos *k, const struct ev_kerberos *q)
{
	if (q->message != EV_KRB_AS_REQ && q->message != EV_KRB_TGS_REQ)
		return;
	k->answers = q->message;
	if (k->cname[0] == '\0' && q->cname[0] != '\0')
		memcpy(k->cname, q->cname, sizeof(k->cname));
}

void
cap_krb_message(struct cap_analyzer *a, const struct cap_addr *src, uint16_t sport, const struct cap_addr *dst,
		uint16_t dport, const uint8_t *p, size_t len, bool udp)
{
	struct krb_message m;
	struct ev_kerberos *k;
	struct cap_krb_client *cs;
	size_t asked;
	bool request;

	if (krb_decode(p, len, &m) != SD_OK) {
		a->stats.krb_decode_errors++;
		return;
	}
	a->stats.krb_messages++;
	cap_dump_krb(a, &m);
	request = m.msg_type == KRB_MSG_AS_REQ || m.msg_type == KRB_MSG_TGS_REQ;
	if (!cap_timeline_take(a, sizeof(*k)) || (k = ev_add_kerberos(a->t)) == NULL)
		return;
	k->at = cap_rel_time(a, a->now);
	k->frame = a->frame;
	k->message = (enum ev_krb_message)m.msg_type;
	cap_addr_ip_text(request ? src : dst, k->client, sizeof(k->client));
	if (request)
		cap_addr_text(dst, dport, k->kdc, sizeof(k->kdc));
	else
		cap_addr_text(src, sport, k->kdc, sizeof(k->kdc));
	asked = cap_krb_pending_note(a, src, sport, dst, dport, (size_t)(k - a->t->krb), request, udp);
	cs = client_state(a, request ? src : dst);
	switch (m.msg_type) {
	case KRB_MSG_AS_REQ:
	case KRB_MSG_TGS_REQ:
		fill_request(k, &m.u.req, cs, m.msg_type == KRB_MSG_AS_REQ);
		break;
	case KRB_MSG_AS_REP:
	case KRB_MSG_TGS_REP:
		krb_principal_text(&m.u.rep.cname, k->cname, sizeof(k->cname));
		krb_principal_text(&m.u.rep.ticket.sname, k->sname, sizeof(k->sname));
		str_copy(&m.u.rep.crealm, k->realm, sizeof(k->realm));
		if (m.u.rep.ticket.enc_part.has_kvno) {
			k->has_kvno = true;
			k->kvno = m.u.rep.ticket.enc_part.kvno;
		}
		if (cs != NULL && m.msg_type == KRB_MSG_AS_REP)
			cs->preauth_required = cs->timestamp_sent = false;
		break;
	case KRB_MSG_ERROR:
		fill_error(k, &m.u.error, cs);
		break;
	default:
		break;
	}
	if (!request && asked < a->t->n_krb)
		answered(k, &a->t->krb[asked]);
}

/* "cifs/fs1.contoso.com@REALM" -> "fs1.contoso.com"; false when not cifs. */
static bool
cifs_host(const char *sname, char *out, size_t cap)
{
	size_t n;

	if (strncasecmp(sname, "cifs/", 5) != 0)
		return false;
	sname += 5;
	n = strcspn(sname, "/@:");
	if (n == 0 || n >= cap)
		return false;
	memcpy(out, sname, n);
	out[n] = '\0';
	return true;
}

/* The name in the tree path may be short (FS1) or full (fs1.contoso.com). */
static bool
same_host(const char *server_name, const char *host)
{
	size_t a = strcspn(server_name, "."), b = strcspn(host, ".");

	if (server_name[0] == '\0')
		return true;
	if (strcasecmp(server_name, host) == 0)
		return true;
	return a == b && strncasecmp(server_name, host, a) == 0;
}

static bool
same_client(const char *conn_client, const char *krb_client)
{
	size_t n = strlen(krb_client);

	return n > 0 && strncmp(conn_client, krb_client, n) == 0 && conn_client[n] == ':';
}

static double
first_step(const struct ev_connection *c, enum sd_step kind)
{
	unsigned i;

	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].step == kind)
			return c->steps[i].request_at;
	return -1.0;
}

/* How far k is from serving c (smaller is closer), or < 0 when it cannot
 * have: the ticket comes just before the SESSION_SETUP; a connection that
 * never got that far (the KDC refused) is tied by its NEGOTIATE, which
 * came before the Kerberos exchange. */
static double
tie_distance(const struct ev_connection *c, const struct ev_kerberos *k)
{
	double ss = first_step(c, SD_STEP_SESSION_SETUP), neg;

	if (ss >= 0)
		return ss >= k->at && ss - k->at <= TIE_WINDOW ? ss - k->at : -1.0;
	neg = first_step(c, SD_STEP_NEGOTIATE);
	if (neg >= 0 && neg <= k->at && k->at - neg <= TIE_WINDOW)
		return TIE_WINDOW + (k->at - neg);
	return -1.0;
}

/* A TGT exchange (krbtgt/...) served the connection of the same client
 * that had negotiated and not yet sent its SESSION_SETUP when it happened
 * (a client getting its TGT on demand, as smbclient -U does): how long
 * that connection had been waiting, or < 0. */
static double
tgt_distance(const struct ev_connection *c, const struct ev_kerberos *k)
{
	double neg = first_step(c, SD_STEP_NEGOTIATE), ss = first_step(c, SD_STEP_SESSION_SETUP);

	if (neg < 0 || neg > k->at || k->at - neg > TIE_WINDOW)
		return -1.0;
	if (ss >= 0 && ss < k->at)
		return -1.0;
	return k->at - neg;
}

/* The exchanges a client makes on the way to a service ticket (a refused
 * TCP connection to a KDC carried no message: it is tied the same way). */
static bool
gets_tickets(const struct ev_kerberos *k)
{
	if (k->message == EV_KRB_NO_MESSAGE && k->refusal != EV_KRB_REFUSAL_NONE)
		return true;
	return strncasecmp(k->sname, "krbtgt/", 7) == 0 || strncasecmp(k->sname, "kadmin/", 7) == 0;
}

#define RECENT_TIED 8

/* Backwards through the records (they are in capture order), remembering
 * the last few service-ticket records tied to a connection: an untied
 * ticket-getting record of the same client shortly before one of them
 * served that connection. Bounded work per record. */
static void
tie_to_next_service_ticket(struct ev_timeline *t)
{
	const struct ev_kerberos *recent[RECENT_TIED] = {NULL};
	size_t i, n_recent = 0, next = 0, r;

	for (i = t->n_krb; i-- > 0;) {
		struct ev_kerberos *k = &t->krb[i];

		if (k->connection >= 0 && !gets_tickets(k)) {
			recent[next] = k;
			next = (next + 1) % RECENT_TIED;
			if (n_recent < RECENT_TIED)
				n_recent++;
			continue;
		}
		if (k->connection >= 0 || !gets_tickets(k))
			continue;
		for (r = 0; r < n_recent; r++) {
			const struct ev_kerberos *s = recent[(next + RECENT_TIED - 1 - r) % RECENT_TIED];

			if (s->at >= k->at && s->at - k->at <= TIE_WINDOW && strcmp(s->client, k->client) == 0) {
				k->connection = s->connection;
				break;
			}
		}
	}
}

/* The connections grouped by client address and, within a client, in the
 * order of the time each kind of tie looks at, so that a record is
 * compared only with its own client's connections inside its time window:
 * comparing every record with every connection grew with the square of a
 * busy capture, and with the square of one busy client. Without the
 * memory for the index, every connection is a candidate, as before. */
enum tie_key { KEY_NEGOTIATE, KEY_SESSION_SETUP, KEY_START, KEY_COUNT };

struct tie_entry {
	double at;                   /* the connection's time for that key; < 0: it has none */
	uint32_t conn;               /* EV_MAX_CONNECTIONS fits */
};

struct client_index {
	const struct ev_timeline *t;
	struct tie_entry *order[KEY_COUNT]; /* by client address, then time, then connection */
};

/* The windows are widened by this much so that the distance functions,
 * not rounding at a window's edge, decide. */
#define WINDOW_SLACK 1e-6

static double
key_time(const struct ev_connection *c, enum tie_key key)
{
	double at;

	switch (key) {
	case KEY_NEGOTIATE:
		return first_step(c, SD_STEP_NEGOTIATE);
	case KEY_SESSION_SETUP:
		return first_step(c, SD_STEP_SESSION_SETUP);
	default:
		at = first_step(c, SD_STEP_TCP);
		return at >= 0 ? at : first_step(c, SD_STEP_NEGOTIATE);
	}
}

/* "10.0.0.5:50123" and "[fd00::5]:50123" without the port. */
static size_t
address_len(const char *client)
{
	const char *colon = strrchr(client, ':');

	return colon ? (size_t)(colon - client) : strlen(client);
}

static int
compare_address(const char *a, size_t alen, const char *b, size_t blen)
{
	int d = memcmp(a, b, alen < blen ? alen : blen);

	return d ? d : (alen > blen) - (alen < blen);
}

static int
by_client_then_time(const void *x, const void *y, void *ctx)
{
	const struct ev_timeline *t = ctx;
	const struct tie_entry *p = x, *q = y;
	const char *a = t->conns[p->conn].client, *b = t->conns[q->conn].client;
	int d = compare_address(a, address_len(a), b, address_len(b));

	if (d)
		return d;
	if (p->at != q->at)
		return p->at < q->at ? -1 : 1;
	return (p->conn > q->conn) - (p->conn < q->conn);
}

static void index_free(struct cap_analyzer *a, struct client_index *ix);

static void
index_clients(struct cap_analyzer *a, struct client_index *ix)
{
	size_t n = a->t->n_conns, i, bytes = n * sizeof(struct tie_entry);
	enum tie_key key;

	memset(ix, 0, sizeof(*ix));
	ix->t = a->t;
	if (n == 0 || n > UINT32_MAX)
		return;
	for (key = 0; key < KEY_COUNT; key++) {
		if (!cap_mem_take(a, bytes))
			break;
		ix->order[key] = malloc(bytes);
		if (ix->order[key] == NULL) {
			cap_mem_give(a, bytes);
			break;
		}
		for (i = 0; i < n; i++) {
			ix->order[key][i].conn = (uint32_t)i;
			ix->order[key][i].at = key_time(&a->t->conns[i], key);
		}
		qsort_r(ix->order[key], n, sizeof(struct tie_entry), by_client_then_time, (void *)(uintptr_t)a->t);
	}
	if (key < KEY_COUNT)
		index_free(a, ix);  /* all or nothing: the scans below need every order */
}

static void
index_free(struct cap_analyzer *a, struct client_index *ix)
{
	enum tie_key key;

	for (key = 0; key < KEY_COUNT; key++) {
		if (ix->order[key] == NULL)
			continue;
		free(ix->order[key]);
		ix->order[key] = NULL;
		cap_mem_give(a, ix->t->n_conns * sizeof(struct tie_entry));
	}
}

/* The first position in [lo, hi) of order whose entry is not before
 * (address, at): address compared without the port. */
static size_t
lower_bound(const struct client_index *ix, const struct tie_entry *order, size_t lo, size_t hi, const char *address,
	    double at, bool after_address)
{
	size_t n = strlen(address), mid;

	while (lo < hi) {
		const char *c = ix->t->conns[order[mid = lo + (hi - lo) / 2].conn].client;
		int d = compare_address(c, address_len(c), address, n);

		if (d < 0 || (d == 0 && (after_address || order[mid].at < at)))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The index positions [*first, *end) of the connections from address
 * whose time for key lies in [from, to]; every connection without the
 * index. */
static void
candidates(const struct client_index *ix, enum tie_key key, const char *address, double from, double to,
	   size_t *first, size_t *end)
{
	const struct tie_entry *order = ix->order[key];
	size_t n = ix->t->n_conns, stop;

	*first = 0;
	*end = n;
	if (order == NULL)
		return;
	stop = lower_bound(ix, order, 0, n, address, 0, true);
	*first = lower_bound(ix, order, 0, stop, address, from - WINDOW_SLACK, false);
	for (*end = *first; *end < stop && order[*end].at <= to + WINDOW_SLACK; (*end)++)
		;
}

static size_t
conn_at(const struct client_index *ix, enum tie_key key, size_t r)
{
	return ix->order[key] ? ix->order[key][r].conn : r;
}

/* The closest candidate so far; equal distances go to the first
 * connection, as a scan in capture order would. */
static void
consider(int *pick, double *best, size_t conn, double d)
{
	if (d >= 0 && (*pick < 0 || d < *best || (d == *best && (int)conn < *pick))) {
		*pick = (int)conn;
		*best = d;
	}
}

static int
tgt_connection(const struct client_index *ix, const struct ev_kerberos *k)
{
	const struct ev_timeline *t = ix->t;
	double best = 0;
	int pick = -1;
	size_t r, end, j;

	for (candidates(ix, KEY_NEGOTIATE, k->client, k->at - TIE_WINDOW, k->at, &r, &end); r < end; r++) {
		j = conn_at(ix, KEY_NEGOTIATE, r);
		if (same_client(t->conns[j].client, k->client))
			consider(&pick, &best, j, tgt_distance(&t->conns[j], k));
	}
	return pick;
}

/* A service ticket for cifs/host: the connection of the same client to
 * that host whose SESSION_SETUP followed it, else one that negotiated
 * shortly before it and never got to SESSION_SETUP (tie_distance). */
static int
service_connection(const struct client_index *ix, const struct ev_kerberos *k, const char *host)
{
	static const struct {
		enum tie_key key;
		double from, to;
	} windows[] = {{KEY_SESSION_SETUP, 0, TIE_WINDOW}, {KEY_NEGOTIATE, -TIE_WINDOW, 0}};
	const struct ev_timeline *t = ix->t;
	double best = 0;
	int pick = -1;
	size_t w, r, end, j;

	for (w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
		for (candidates(ix, windows[w].key, k->client, k->at + windows[w].from, k->at + windows[w].to, &r, &end);
		     r < end; r++) {
			const struct ev_connection *c = &t->conns[j = conn_at(ix, windows[w].key, r)];

			if (same_client(c->client, k->client) && same_host(c->server_name, host))
				consider(&pick, &best, j, tie_distance(c, k));
		}
		if (ix->order[KEY_NEGOTIATE] == NULL)
			break;  /* without the index the first pass saw every connection */
	}
	return pick;
}

/* A client that asks the KDC before it connects (as smbdiag probe does)
 * and whose Kerberos failed never sends a SESSION_SETUP: an untied
 * ticket-getting record served the first connection of the same client
 * that opened shortly after it and stopped before SESSION_SETUP. */
static int
following_connection(const struct client_index *ix, const struct ev_kerberos *k)
{
	const struct ev_timeline *t = ix->t;
	double best = 0;
	int pick = -1;
	size_t r, end, j;

	for (candidates(ix, KEY_START, k->client, k->at, k->at + TIE_WINDOW, &r, &end); r < end; r++) {
		const struct ev_connection *c = &t->conns[j = conn_at(ix, KEY_START, r)];
		double start = key_time(c, KEY_START), d = start - k->at;

		if (start < 0 || !same_client(c->client, k->client) || first_step(c, SD_STEP_SESSION_SETUP) >= 0)
			continue;
		if (d <= TIE_WINDOW)
			consider(&pick, &best, j, d);
	}
	return pick;
}

void
cap_krb_finish(struct cap_analyzer *a)
{
	struct ev_timeline *t = a->t;
	struct client_index ix;
	size_t i;

	index_clients(a, &ix);
	for (i = 0; i < t->n_krb; i++) {
		struct ev_kerberos *k = &t->krb[i];
		char host[EV_TEXT];

		if (k->connection >= 0)
			continue;
		if (gets_tickets(k))
			k->connection = tgt_connection(&ix, k);
		else if (cifs_host(k->sname, host, sizeof(host)))
			k->connection = service_connection(&ix, k, host);
	}
	tie_to_next_service_ticket(t);
	for (i = 0; i < t->n_krb; i++)
		if (t->krb[i].connection < 0 && gets_tickets(&t->krb[i]))
			t->krb[i].connection = following_connection(&ix, &t->krb[i]);
	index_free(a, &ix);
}

void
cap_krb_free(struct cap_analyzer *a)
{
	free(a->krb_clients);
	a->krb_clients = NULL;
	a->n_krb_clients = 0;
}
