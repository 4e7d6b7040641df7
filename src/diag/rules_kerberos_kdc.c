/* A KDC that never answered (analyze): the client asked for a ticket on
 * port 88, no answer came (ICMP port unreachable, a reset, a firewall that
 * drops, no KDC there), and the client closed its SMB connection without a
 * Kerberos SESSION_SETUP. The probe says the same in its SESSION_SETUP
 * step (the Kerberos library reports "cannot contact any KDC"). */
#include "diag/rules_internal.h"

#define UNANSWERED_SHOWN 3

static bool
is_request(const struct ev_kerberos *k)
{
	return k->message == EV_KRB_AS_REQ || k->message == EV_KRB_TGS_REQ;
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
		char frame[32] = "";

		if (pending[i]->frame)
			rule_fmt(frame, sizeof(frame), "frame %u: ", pending[i]->frame);
		ev_finding_evidence(f, "%s%s%s%s to KDC %s: no answer in the capture", frame,
				    ev_krb_message_name(pending[i]->message), pending[i]->sname[0] ? " for " : "",
				    pending[i]->sname, pending[i]->kdc[0] ? pending[i]->kdc : "?");
	}
	if (n > UNANSWERED_SHOWN)
		ev_finding_evidence(f, "%zu more requests unanswered", n - UNANSWERED_SHOWN);
	ev_finding_evidence(f, "the client closed the connection %.3f s later without a Kerberos SESSION_SETUP",
			    c->closed_at - last);
}
