/* A KDC that never answered (analyze): the client asked for a ticket on
 * port 88, no answer came (ICMP port unreachable, a reset, a firewall that
 * drops, no KDC there), and the client closed its SMB connection without a
 * Kerberos SESSION_SETUP. The probe says the same in its SESSION_SETUP
 * step (the Kerberos library reports "cannot contact any KDC").
 *
 * When the capture holds the refusal (an ICMP destination unreachable, a
 * TCP reset to the SYN), the evidence says which: a closed port means the
 * KDC service is not there, "administratively prohibited" a firewall,
 * and silence a drop or a routing problem. */
#include <string.h>

#include "diag/rules_internal.h"

#define UNANSWERED_SHOWN 3

static bool
is_request(const struct ev_kerberos *k)
{
	/* A refused TCP connection is a request the client could not send. */
	return k->message == EV_KRB_AS_REQ || k->message == EV_KRB_TGS_REQ ||
	       (k->message == EV_KRB_NO_MESSAGE && k->refusal != EV_KRB_REFUSAL_NONE);
}

struct refusal_words {
	const char *reason, *label, *meaning;
};

static const struct refusal_words refusal_table[] = {
	{"port_unreachable", N_("port unreachable"),
	 N_("nothing listens there (the KDC service is stopped or not on that host)")},
	{"connection_refused", N_("refused"), N_("nothing listens there (the KDC service is stopped or not on that host), "
					  "or a firewall rejects it")},
	{"admin_prohibited", N_("administratively prohibited"), N_("a firewall refuses it")},
	{"host_unreachable", N_("host unreachable"), N_("the KDC's host is down or not on its network")},
	{"net_unreachable", N_("network unreachable"), N_("no route to the KDC's network")},
	{"protocol_unreachable", N_("protocol unreachable"), N_("the KDC's host does not take UDP")},
	{"fragmentation_needed", N_("fragmentation needed"), N_("the request is too big for the path (MTU); "
							 "the client may retry over TCP")},
	{"unreachable", N_("unreachable"), N_("a router or the KDC's host refuses it")},
};

static const struct refusal_words *
refusal_words(const struct ev_kerberos *k)
{
	const char *reason = ev_krb_refusal_reason(k);
	size_t i;

	for (i = 0; reason && i < sizeof(refusal_table) / sizeof(refusal_table[0]); i++)
		if (strcmp(refusal_table[i].reason, reason) == 0)
			return &refusal_table[i];
	return NULL;
}

/* "port unreachable (ICMP type 3 code 3 from 127.0.0.1, frame 13): ...",
 * "refused (TCP reset, frame 9): ...", or "no answer in the capture". */
void
rule_krb_answer_text(const struct ev_timeline *t, const struct ev_kerberos *k, char *out, size_t cap)
{
	const struct refusal_words *w = refusal_words(k);
	char frame[64] = "", from[80] = "";

	if (w == NULL) {
		rule_fmt(t, out, cap, "no answer in the capture");
		return;
	}
	if (k->refusal_frame)
		rule_fmt(t, frame, sizeof(frame), ", frame %u", k->refusal_frame);
	if (k->refusal == EV_KRB_REFUSAL_TCP_RESET) {
		rule_fmt(t, out, cap, "%s (TCP reset%s): %s", ev_tr(t, w->label), frame, ev_tr(t, w->meaning));
		return;
	}
	if (k->refusal_from[0])
		rule_fmt(t, from, sizeof(from), " from %s", k->refusal_from);
	rule_fmt(t, out, cap, "%s (%s type %u code %u%s%s): %s", ev_tr(t, w->label),
		 k->refusal == EV_KRB_REFUSAL_ICMPV6 ? "ICMPv6" : "ICMP", k->refusal_icmp_type, k->refusal_icmp_code,
		 from, frame, ev_tr(t, w->meaning));
}

/* The pieces of an unanswered request's evidence line: "frame 8: ", what
 * was sent ("AS-REQ", "TCP connection") and how it went unanswered. */
struct request_words {
	char frame[64];
	const char *what;
	const char *kdc;
	char answer[EV_LONG_TEXT];
};

static void
request_words(const struct rule_run *r, const struct ev_kerberos *k, struct request_words *w)
{
	w->frame[0] = '\0';
	if (k->frame)
		rule_fmt(r->t, w->frame, sizeof(w->frame), "frame %u: ", k->frame);
	w->what = k->message == EV_KRB_NO_MESSAGE ? ev_tr(r->t, "TCP connection") : ev_krb_message_name(k->message);
	w->kdc = k->kdc[0] ? k->kdc : "?";
	rule_krb_answer_text(r->t, k, w->answer, sizeof(w->answer));
}

void
rules_kerberos_kdc(struct rule_run *r, const struct ev_connection *c)
{
	const struct ev_kerberos *k, *pending[UNANSWERED_SHOWN];
	const struct ev_step *ss = ev_last_step_const(c, SD_STEP_SESSION_SETUP);
	struct ev_finding *f;
	size_t it = 0, n = 0, i;
	double last = -1.0;

	if (r->t->mode != EV_MODE_ANALYZE || c->session.mechanism == EV_MECH_KERBEROS)
		return;
	if (ss && ss->outcome == EV_ANSWERED && ss->status == 0)
		return;  /* logged on all the same (NTLM) */
	/* Requests since the last answer from any KDC (a client tries the
	 * next KDC when one is silent). */
	while ((k = rule_krb_next(r, (int)c->id, &it)) != NULL) {
		if (is_request(k)) {
			if (n < UNANSWERED_SHOWN)
				pending[n] = k;
			n++;
			last = k->at;
		} else if (k->kdc[0]) {
			n = 0;
		}
	}
	/* Still waiting when the capture ended is not giving up. */
	if (n == 0 || c->closed_at < 0 || c->closed_at < last)
		return;
	f = rule_finding(r, "kerberos.kdc_unreachable", (int)c->id);
	for (i = 0; i < n && i < UNANSWERED_SHOWN; i++) {
		struct request_words w;

		request_words(r, pending[i], &w);
		if (pending[i]->sname[0])
			ev_finding_evidence(f, "%s%s for %s to KDC %s: %s", w.frame, w.what, pending[i]->sname, w.kdc,
					    w.answer);
		else
			ev_finding_evidence(f, "%s%s to KDC %s: %s", w.frame, w.what, w.kdc, w.answer);
	}
	if (n > UNANSWERED_SHOWN)
		ev_finding_evidence(f, "%zu more requests unanswered", n - UNANSWERED_SHOWN);
	ev_finding_evidence(f, "the client closed the connection %.3f s later without a Kerberos SESSION_SETUP",
			    c->closed_at - last);
}

/* A later answer from any KDC to the same client: it got through after all. */
static bool
answered_later(const struct ev_timeline *t, const struct ev_kerberos *req)
{
	size_t i;

	for (i = 0; i < t->n_krb; i++) {
		const struct ev_kerberos *k = &t->krb[i];

		if (k->at >= req->at && !is_request(k) && k->kdc[0] && strcmp(k->client, req->client) == 0 &&
		    k->message != EV_KRB_NO_MESSAGE)
			return true;
	}
	return false;
}

void
rules_kerberos_kdc_alone(struct rule_run *r)
{
	const struct ev_kerberos *shown[UNANSWERED_SHOWN];
	struct ev_finding *f;
	size_t i, n = 0;

	if (r->t->mode != EV_MODE_ANALYZE)
		return;
	/* Only a refusal the capture holds proves the failure: silence may
	 * be a capture that ended too soon. */
	for (i = 0; i < r->t->n_krb; i++) {
		const struct ev_kerberos *k = &r->t->krb[i];

		if (k->connection >= 0 || !is_request(k) || k->refusal == EV_KRB_REFUSAL_NONE || answered_later(r->t, k))
			continue;
		if (n < UNANSWERED_SHOWN)
			shown[n] = k;
		n++;
	}
	if (n == 0)
		return;
	f = rule_finding(r, "kerberos.kdc_unreachable", -1);
	for (i = 0; i < n && i < UNANSWERED_SHOWN; i++) {
		struct request_words w;

		request_words(r, shown[i], &w);
		ev_finding_evidence(f, "%s%s from %s to KDC %s: %s, and no KDC answered this client afterwards", w.frame,
				    w.what, shown[i]->client[0] ? shown[i]->client : "?", w.kdc, w.answer);
	}
	if (n > UNANSWERED_SHOWN)
		ev_finding_evidence(f, "%zu more requests unanswered", n - UNANSWERED_SHOWN);
}
