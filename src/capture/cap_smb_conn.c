/* The SMB connection record of a flow: creating it, its steps and pending
 * requests, and what TCP says about it (handshake, the server's ACK of a
 * request, close and reset, end of capture). */
#include <stdlib.h>
#include <string.h>

#include "capture/cap_smb.h"
#include "core/proto/keytrack.h"

double
cap_smb_now(const struct cap_analyzer *a)
{
	return cap_rel_time(a, a->now);
}

static void
set_sides(struct cap_analyzer *a, struct cap_flow *f, struct ev_connection *c)
{
	int cl = f->client;

	if (cl < 0)  /* not known yet: the side on the SMB port is the server */
		cl = cap_is_smb_port(a, f->port[0]) && !cap_is_smb_port(a, f->port[1]) ? 1 : 0;
	cap_addr_text(&f->addr[cl], f->port[cl], c->client, sizeof(c->client));
	cap_addr_text(&f->addr[!cl], f->port[!cl], c->server, sizeof(c->server));
	c->transport_port = f->port[!cl];
}

/* Without a tracker the connection is analyzed as if no secret was given. */
static void
start_keytrack(struct cap_analyzer *a, struct cap_smbconn *sc)
{
	struct smb2_kt_creds creds = {.password = a->opts.password, .nt_hash = a->opts.nt_hash};
	unsigned i;

	if (smb2_keytrack_create(a->crypto, &creds, &sc->kt) != SD_OK) {
		sc->kt = NULL;
		return;
	}
	for (i = 0; i < a->opts.n_session_keys; i++)
		smb2_keytrack_add_session_key(sc->kt, a->opts.session_keys[i].session_id, a->opts.session_keys[i].key,
					      a->opts.session_keys[i].len);
}

static void
drop_server_first(struct cap_analyzer *a, struct cap_flow *f)
{
	if (f->server_first == NULL)
		return;
	free(f->server_first);
	f->server_first = NULL;
	cap_mem_give(a, sizeof(struct cap_first_bytes));
}

struct cap_smbconn *
cap_smb_conn(struct cap_analyzer *a, struct cap_flow *f)
{
	struct cap_smbconn *sc;
	struct ev_connection *c;

	if (f->smb != NULL)
		return f->smb;
	if (!cap_mem_take(a, sizeof(*sc)))
		return NULL;
	if (!cap_timeline_take(a, sizeof(*c))) {
		cap_mem_give(a, sizeof(*sc));
		return NULL;
	}
	sc = calloc(1, sizeof(*sc));
	c = sc ? ev_add_connection(a->t) : NULL;
	if (c == NULL) {
		free(sc);
		cap_mem_give(a, sizeof(*sc));
		return NULL;
	}
	sc->conn = c->id;
	sc->flow = f;
	sc->ss_step = -1;
	if (a->crypto != NULL)
		start_keytrack(a, sc);
	c->start_unix = a->now;
	set_sides(a, f, c);
	f->smb = sc;
	if (f->server_first != NULL) {
		if (cap_nbss_refusal(f->server_first->b, f->server_first->n))
			sc->refusal = *f->server_first;
		else
			sc->foreign = *f->server_first;
		drop_server_first(a, f);
	}
	return sc;
}

/* The sender of a request is the client. */
void
cap_smb_learn_client(struct cap_analyzer *a, struct cap_flow *f, int di)
{
	if (f->client == di)
		return;
	if (f->client < 0 || !f->synack_seen) {
		f->client = di;
		set_sides(a, f, cap_conn(a, f->smb));
	}
}

static int
shifted(int i, int removed)
{
	return i == removed ? -1 : i > removed ? i - 1 : i;
}

/* A long connection (many sessions or tree connects) fills the steps:
 * the oldest step that succeeded and is not the first of its kind goes,
 * so the first exchange and every failure stay. Indexes held elsewhere
 * (pending requests, the SESSION_SETUP in progress, ACK watches) follow. */
static bool
make_room(struct cap_analyzer *a, struct cap_smbconn *sc)
{
	struct ev_connection *c = cap_conn(a, sc);
	bool seen[SD_STEP__COUNT] = {false};
	unsigned i, k = c->n_steps;

	for (i = 0; i < c->n_steps; i++) {
		const struct ev_step *s = &c->steps[i];
		bool first = !seen[s->step];

		seen[s->step] = true;
		if (!first && s->outcome == EV_ANSWERED && s->status == 0 && (int)i != sc->ss_step) {
			k = i;
			break;
		}
	}
	if (k == c->n_steps)
		return false;
	memmove(&c->steps[k], &c->steps[k + 1], (c->n_steps - k - 1) * sizeof(c->steps[0]));
	c->n_steps--;
	for (i = 0; i < CAP_PENDING_MAX; i++)
		if (sc->pending[i].used)
			sc->pending[i].step = shifted(sc->pending[i].step, (int)k);
	sc->ss_step = shifted(sc->ss_step, (int)k);
	for (i = 0; i < CAP_ACK_WATCH; i++) {
		struct cap_ack_watch *w = &sc->flow->watch[i];

		if (w->used && w->conn == sc->conn) {
			int ns = shifted(w->step, (int)k);

			w->used = ns >= 0;
			w->step = (uint8_t)(ns >= 0 ? ns : 0);
		}
	}
	a->stats.steps_compacted++;
	return true;
}

int
cap_smb_add_step(struct cap_analyzer *a, struct cap_smbconn *sc, enum sd_step kind)
{
	struct ev_connection *c = cap_conn(a, sc);
	struct ev_step *s = ev_add_step(c, kind);

	if (s == NULL && make_room(a, sc))
		s = ev_add_step(c, kind);
	if (s == NULL) {
		a->stats.steps_dropped++;
		return -1;
	}
	return (int)(s - c->steps);
}

int
cap_smb_session_step(struct cap_analyzer *a, struct cap_smbconn *sc)
{
	struct ev_step *prev = cap_smb_step_at(a, sc, sc->ss_step);

	/* Legs of one authentication share a step; a new one starts after a
	 * final answer. */
	if (prev == NULL || (prev->outcome == EV_ANSWERED && prev->status != CAP_STATUS_MORE_PROCESSING))
		sc->ss_step = cap_smb_add_step(a, sc, SD_STEP_SESSION_SETUP);
	return sc->ss_step;
}

struct ev_step *
cap_smb_step_at(struct cap_analyzer *a, struct cap_smbconn *sc, int i)
{
	return i >= 0 ? &cap_conn(a, sc)->steps[i] : NULL;
}

void
cap_smb_watch_ack(struct cap_flow *f, uint32_t end_seq, size_t conn, int step)
{
	unsigned i;

	if (step < 0)
		return;
	for (i = 0; i < CAP_ACK_WATCH; i++) {
		if (!f->watch[i].used) {
			f->watch[i] = (struct cap_ack_watch){true, end_seq, conn, (uint8_t)step};
			return;
		}
	}
}

struct cap_pending *
cap_smb_pending_add(struct cap_analyzer *a, struct cap_smbconn *sc, uint64_t mid, uint16_t cmd, int step)
{
	struct cap_pending *p = &sc->pending[sc->next_pending];

	/* A ring: the oldest unanswered request is forgotten first. */
	if (p->used)
		a->stats.pending_dropped++;
	sc->next_pending = (sc->next_pending + 1) % CAP_PENDING_MAX;
	*p = (struct cap_pending){true, mid, cmd, step, false};
	return p;
}

struct cap_pending *
cap_smb_pending_find(struct cap_smbconn *sc, uint64_t mid, uint16_t cmd)
{
	unsigned i;

	for (i = 0; i < CAP_PENDING_MAX; i++)
		if (sc->pending[i].used && sc->pending[i].message_id == mid && sc->pending[i].command == cmd)
			return &sc->pending[i];
	return NULL;
}

void
cap_smb_request_step(struct cap_analyzer *a, struct ev_step *s, uint32_t frame, uint64_t mid,
		     const struct smb2_header *h)
{
	if (s->request_at < 0) {
		s->request_at = cap_smb_now(a);
		s->frame_request = frame;
		s->message_id = mid;
	}
	/* A further leg of SESSION_SETUP: the step waits for an answer again. */
	if (s->outcome == EV_ANSWERED) {
		s->outcome = EV_NOT_SENT;
		s->response_at = -1.0;
	}
	s->legs++;
	if (h != NULL)
		s->request_signed = (h->flags & SMB2_FLAGS_SIGNED) != 0;
}

void
cap_smb_answer_step(struct cap_analyzer *a, struct ev_step *s, uint32_t status, const struct smb2_header *h)
{
	s->outcome = EV_ANSWERED;
	s->status = status;
	s->response_at = cap_smb_now(a);
	s->frame_response = a->frame;
	if (h != NULL)
		s->response_signed = (h->flags & SMB2_FLAGS_SIGNED) != 0;
}

static void
tcp_handshake(struct cap_analyzer *a, struct cap_flow *f, const struct cap_pkt *pkt)
{
	struct cap_smbconn *sc = f->smb;
	struct ev_step *s = ev_last_step(cap_conn(a, sc), SD_STEP_TCP);

	if ((pkt->flags & (CAP_TCP_SYN | CAP_TCP_ACK)) == CAP_TCP_SYN && s == NULL) {
		int si = cap_smb_add_step(a, sc, SD_STEP_TCP);

		if ((s = cap_smb_step_at(a, sc, si)) != NULL)
			cap_smb_request_step(a, s, pkt->frame, 0, NULL);
		return;
	}
	if (s == NULL || s->outcome != EV_NOT_SENT)
		return;
	if ((pkt->flags & (CAP_TCP_SYN | CAP_TCP_ACK)) == (CAP_TCP_SYN | CAP_TCP_ACK)) {
		cap_smb_answer_step(a, s, 0, NULL);
	} else if (f->rst_to_syn) {
		cap_smb_answer_step(a, s, 0, NULL);
		s->outcome = EV_REFUSED;
	}
}

static void
check_acks(struct cap_analyzer *a, struct cap_flow *f, uint32_t ack)
{
	unsigned i;

	for (i = 0; i < CAP_ACK_WATCH; i++) {
		struct cap_ack_watch *w = &f->watch[i];
		struct ev_step *s;

		if (!w->used || (int32_t)(ack - w->end_seq) < 0)
			continue;
		w->used = false;
		if (w->conn < a->t->n_conns && w->step < a->t->conns[w->conn].n_steps) {
			s = &a->t->conns[w->conn].steps[w->step];
			if (s->ack_at < 0)
				s->ack_at = cap_smb_now(a);
		}
	}
}

/* Every step still waiting ends the way the connection did. */
static void
end_waiting_steps(struct cap_analyzer *a, struct cap_smbconn *sc, enum ev_outcome how)
{
	struct ev_connection *c = cap_conn(a, sc);
	unsigned i;

	for (i = 0; i < c->n_steps; i++) {
		struct ev_step *s = &c->steps[i];

		if (s->outcome != EV_NOT_SENT)
			continue;
		if (s->request_at < 0)
			continue;
		s->outcome = how;
		if (how == EV_CLOSED || how == EV_RESET || how == EV_NO_RESPONSE) {
			s->response_at = cap_smb_now(a);
			s->frame_response = a->frame;
		}
	}
}

void
cap_smb_tcp_event(struct cap_analyzer *a, struct cap_flow *f, int di, const struct cap_pkt *pkt)
{
	struct cap_smbconn *sc = f->smb;
	struct ev_connection *c;
	bool from_server;

	if (sc == NULL) {
		if ((pkt->flags & (CAP_TCP_SYN | CAP_TCP_ACK)) != CAP_TCP_SYN)
			return;
		if ((sc = cap_smb_conn(a, f)) == NULL)
			return;
	}
	if (pkt->flags & CAP_TCP_SYN || f->rst_to_syn)
		tcp_handshake(a, f, pkt);
	from_server = f->client >= 0 && di != f->client;
	if (from_server && (pkt->flags & CAP_TCP_ACK))
		check_acks(a, f, pkt->ack);
	if (!(pkt->flags & (CAP_TCP_FIN | CAP_TCP_RST)))
		return;
	c = cap_conn(a, sc);
	if (c->closed_at < 0)
		c->closed_at = cap_smb_now(a);
	if (from_server && !sc->server_closed && !sc->client_closed) {
		sc->server_closed = true;
		if (pkt->flags & CAP_TCP_RST)
			c->reset_by_server = true;
		else
			c->closed_by_server = true;
		end_waiting_steps(a, sc, (pkt->flags & CAP_TCP_RST) ? EV_RESET : EV_CLOSED);
	} else if (from_server) {
		sc->server_closed = true;
	} else if (!sc->client_closed) {
		sc->client_closed = true;
		if (!sc->server_closed) {
			if (pkt->flags & CAP_TCP_RST)
				c->reset_by_client = true;
			else
				c->closed_by_client = true;
			end_waiting_steps(a, sc, EV_NO_RESPONSE);
		}
	}
}

void
cap_smb_server_first_bytes(struct cap_analyzer *a, struct cap_flow *f, const uint8_t *p, size_t n)
{
	struct cap_first_bytes *fb;

	/* An NBSS message or control PDU (0x82/0x83/0x85 on port 139) is
	 * SMB's framing; anything else is another protocol. A negative
	 * session response before any request is kept too, for the request
	 * it will refuse. */
	if (n == 0 || p[0] == NBSS_SESSION_MESSAGE || p[0] == NBSS_POSITIVE_RESPONSE || p[0] == NBSS_KEEP_ALIVE ||
	    (p[0] == NBSS_NEGATIVE_RESPONSE && (f->smb != NULL || !cap_nbss_refusal(p, n))))
		return;
	if (f->smb != NULL) {
		fb = &f->smb->foreign;
	} else {
		/* Before any request: kept with the flow until its record exists. */
		if (f->server_first != NULL || !cap_mem_take(a, sizeof(*fb)))
			return;
		fb = f->server_first = calloc(1, sizeof(*fb));
		if (fb == NULL) {
			cap_mem_give(a, sizeof(*fb));
			return;
		}
	}
	fb->n = (uint8_t)(n < sizeof(fb->b) ? n : sizeof(fb->b));
	memcpy(fb->b, p, fb->n);
	fb->frame = a->frame;
	fb->at = cap_smb_now(a);
}

/* The connection's NEGOTIATE, when no SMB answer came for it: the
 * client's giving up, or the server's close or reset, may have been
 * recorded already (which side ends first is a matter of microseconds). */
static struct ev_step *
unanswered_negotiate(struct ev_connection *c)
{
	struct ev_step *s = ev_last_step(c, SD_STEP_NEGOTIATE);

	if (s == NULL || (s->outcome != EV_NOT_SENT && s->outcome != EV_NO_RESPONSE && s->outcome != EV_CLOSED &&
			  s->outcome != EV_RESET))
		return NULL;
	return s;
}

/* The NEGOTIATE got those bytes for an answer: a protocol error. */
static void
foreign_answer(struct cap_smbconn *sc, struct ev_connection *c)
{
	struct ev_step *s = unanswered_negotiate(c);

	/* Bytes after the close answered nothing. */
	if (s == NULL || ((s->outcome == EV_CLOSED || s->outcome == EV_RESET) && s->response_at >= 0 &&
			  sc->foreign.at > s->response_at))
		return;
	s->outcome = EV_PROTOCOL_ERROR;
	s->problem = EV_PROBLEM_UNDECODABLE;
	s->frame_response = sc->foreign.frame;
	c->foreign_first = sc->foreign.at < s->request_at;
	s->response_at = c->foreign_first ? s->request_at : sc->foreign.at;
	ev_escape_bytes(sc->foreign.b, sc->foreign.n, c->foreign_answer, sizeof(c->foreign_answer));
}

/* The refusal came before the NEGOTIATE it refuses: it is that request's
 * answer all the same. */
static void
early_refusal(struct cap_smbconn *sc, struct ev_connection *c)
{
	struct ev_step *s = unanswered_negotiate(c);

	if (s == NULL)
		return;
	s->outcome = EV_NBSS_REJECTED;
	s->status = sc->refusal.b[NBSS_HEADER_SIZE];
	s->frame_response = sc->refusal.frame;
	s->response_at = sc->refusal.at > s->request_at ? sc->refusal.at : s->request_at;
}

void
cap_smb_flow_end(struct cap_analyzer *a, struct cap_flow *f)
{
	struct cap_smbconn *sc = f->smb;
	struct ev_connection *c;
	unsigned i;

	if (sc == NULL)
		return;
	c = cap_conn(a, sc);
	if (sc->refusal.n)
		early_refusal(sc, c);
	else if (sc->foreign.n)
		foreign_answer(sc, c);
	for (i = 0; i < c->n_steps; i++) {
		struct ev_step *s = &c->steps[i];
		double waited = cap_smb_now(a) - s->request_at;

		if (s->outcome != EV_NOT_SENT || s->request_at < 0)
			continue;
		if (s->step == SD_STEP_TCP)
			s->outcome = waited >= CAP_NO_RESPONSE_AFTER ? EV_TIMEOUT : EV_IN_PROGRESS;
		else
			s->outcome = waited >= CAP_NO_RESPONSE_AFTER ? EV_NO_RESPONSE : EV_IN_PROGRESS;
	}
}

void
cap_smb_free(struct cap_analyzer *a, struct cap_flow *f)
{
	drop_server_first(a, f);
	if (f->smb == NULL)
		return;
	cap_auth_keys_free(a, f->smb);
	smb2_keytrack_free(f->smb->kt);
	free(f->smb);
	cap_mem_give(a, sizeof(*f->smb));
	f->smb = NULL;
}
