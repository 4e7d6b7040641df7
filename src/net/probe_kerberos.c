/* --auth kerberos in the probe: the TGT and the service ticket are got
 * before connecting, so a KDC refusal is known (and recorded as the KDC's
 * KRB-ERROR) before any SESSION_SETUP; it still belongs to that step
 * (SPEC "Kerberos conventions": exit 12).
 *
 * Every step of the logon is its own Kerberos record (the ladder): each
 * KDC exchange with the address that answered, its duration and the KDC's
 * clock; a ticket taken from a cache; the AP-REQ with the ticket's key
 * version; the server's answer; mutual authentication. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <krb5/krb5.h>

#include "core/auth/krb5msg.h"
#include "core/wire/names.h"
#include "net/probe_internal.h"
#include "net/probe_kdc_check.h"

#define KRB_ERR_PREAUTH_REQUIRED 25
#define KRB_AP_ERR_BAD_INTEGRITY 31
#define KRB_AP_ERR_TKT_EXPIRED 32
#define KRB_AP_ERR_SKEW 37
#define KRB_ERR_GENERIC 60

static struct ev_kerberos *
krb_record(struct probe *p, const struct gss_client *g, enum ev_krb_message message, enum ev_krb_step step,
	   const char *sname, int conn, uint64_t at_us)
{
	struct ev_kerberos *k = ev_add_kerberos(p->t);

	if (!k)
		return NULL;
	k->at = probe_rel(p, at_us ? at_us : net_now_us());
	k->message = message;
	k->step = step;
	k->connection = conn;
	if (g) {
		ev_copy(k->cname, sizeof(k->cname), gss_client_cname(g));
		ev_copy(k->realm, sizeof(k->realm), gss_client_realm(g));
	}
	ev_copy(k->sname, sizeof(k->sname), sname);
	return k;
}

static void
ticket_facts(struct ev_kerberos *k, const struct gss_client_ticket *t)
{
	if (!t->present)
		return;
	if (t->has_kvno) {
		k->has_kvno = true;
		k->kvno = t->kvno;
		k->has_enctype = true;
		k->enctype = t->enctype;
	}
}

static enum ev_krb_message
message_of(int type)
{
	switch (type) {
	case KRB_MSG_AS_REQ: return EV_KRB_AS_REQ;
	case KRB_MSG_AS_REP: return EV_KRB_AS_REP;
	case KRB_MSG_TGS_REQ: return EV_KRB_TGS_REQ;
	case KRB_MSG_TGS_REP: return EV_KRB_TGS_REP;
	case KRB_MSG_ERROR: return EV_KRB_ERROR;
	default: return EV_KRB_NO_MESSAGE;
	}
}

/* The KDC's clock against ours: a KRB-ERROR carries stime; for a reply
 * the ticket's start time (whole seconds) is the KDC's clock when it
 * issued it. Either was read between our request and its answer, so the
 * round trip bounds the estimate (gss_kdc_clock_offset): a KDC or a proxy
 * slow to answer is no clock skew. */
static void
kdc_clock(struct ev_kerberos *k, const struct gss_kdc_exchange *x, const struct gss_client *g)
{
	const struct gss_client_ticket *t = NULL;

	if (x->local_time <= 0 || x->sent_time <= 0)
		return;
	if (x->has_kdc_time) {
		k->has_kdc_skew = true;
		k->kdc_skew_s = gss_kdc_clock_offset(x->kdc_time, x->kdc_time, x->sent_time, x->local_time);
		return;
	}
	if (x->reply == KRB_MSG_AS_REP)
		t = gss_client_tgt(g);
	else if (x->reply == KRB_MSG_TGS_REP)
		t = gss_client_service_ticket(g);
	if (t && t->present && !t->from_cache) {
		k->has_kdc_skew = true;
		k->kdc_skew_s = gss_kdc_clock_offset((double)t->starttime, (double)t->starttime + 1.0, x->sent_time,
						     x->local_time);
	}
}

/* "udp, tcp": the transports a request went to kdc over. */
static void
transports_to(const struct gss_kdc_exchange *x, const char *kdc, char *out, size_t cap)
{
	size_t used = 0;
	uint8_t i;

	out[0] = '\0';
	for (i = 0; i < x->n_tried && used < cap; i++) {
		if (strcmp(x->tried[i].kdc, kdc) != 0)
			continue;
		used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? ", " : "", x->tried[i].transport);
	}
}

/* A request no KDC answered: one record per KDC it went to, so that each
 * is named (and checked by check_silent_kdcs). */
static void
record_unanswered(struct probe *p, const struct gss_client *g, const struct gss_kdc_exchange *x,
		  enum ev_krb_step step, int conn)
{
	char how[64];
	struct ev_kerberos *k;
	uint8_t i, j;
	bool named = false;

	for (i = 0; i < x->n_tried; i++) {
		for (j = 0; j < i && strcmp(x->tried[j].kdc, x->tried[i].kdc) != 0; j++)
			;
		if (j < i)
			continue;  /* named with its first transport */
		k = krb_record(p, g, message_of(x->request), step, x->sname, conn, x->sent_us);
		if (!k)
			return;
		ev_copy(k->kdc, sizeof(k->kdc), x->tried[i].kdc);
		transports_to(x, x->tried[i].kdc, how, sizeof(how));
		snprintf(k->detail, sizeof(k->detail), ev_tr(p->t, "no answer from KDC %s over %s"), k->kdc, how);
		named = true;
	}
	if (named)
		return;
	k = krb_record(p, g, message_of(x->request), step, x->sname, conn, x->sent_us);
	if (!k)
		return;
	if (x->kdc[0])
		snprintf(k->kdc, sizeof(k->kdc), "%s", x->kdc);
	if (x->kdc[0] && x->transport[0])
		snprintf(k->detail, sizeof(k->detail), ev_tr(p->t, "no answer from KDC %s over %s"), x->kdc, x->transport);
	else if (x->kdc[0])
		snprintf(k->detail, sizeof(k->detail), ev_tr(p->t, "no answer from KDC %s"), x->kdc);
	else
		snprintf(k->detail, sizeof(k->detail), "%s", ev_tr(p->t, "no answer from the KDC"));
}

/* One record per KDC exchange: the answer (or the request that got
 * none), where from and how long it took. */
static void
record_exchange(struct probe *p, const struct gss_client *g, const struct gss_kdc_exchange *x, int conn)
{
	enum ev_krb_step step = x->stage == GSS_STAGE_TICKET ? EV_KRB_STEP_SERVICE_TICKET : EV_KRB_STEP_TGT;
	const struct gss_client_ticket *got = x->reply == KRB_MSG_AS_REP    ? gss_client_tgt(g)
					      : x->reply == KRB_MSG_TGS_REP ? gss_client_service_ticket(g)
									    : NULL;
	struct ev_kerberos *k;

	if (!x->answered_us) {
		record_unanswered(p, g, x, step, conn);
		return;
	}
	k = krb_record(p, g, message_of(x->reply), step, x->sname, conn, x->answered_us);
	if (!k)
		return;
	if (x->kdc[0])
		snprintf(k->kdc, sizeof(k->kdc), "%s", x->kdc);
	k->has_ms = true;
	k->ms = (double)(x->answered_us - x->sent_us) / 1000.0;
	if (x->has_error) {
		k->has_error = true;
		k->error = x->error;
		k->answers = message_of(x->request);
		/* Only the first AS answer's PREAUTH_REQUIRED is the normal
		 * first step; every other error came after it. */
		k->after_preauth = x->stage != GSS_STAGE_TGT || x->error != KRB_ERR_PREAUTH_REQUIRED;
		ev_copy(k->e_text, sizeof(k->e_text), x->e_text);
		k->has_ext_status = x->has_ext_status;
		k->ext_status = x->ext_status;
	}
	kdc_clock(k, x, g);
	/* An AS-REP the password does not decrypt gave no TGT (the verdict
	 * says so). */
	if (x->reply == KRB_MSG_AS_REP && got->present)
		snprintf(k->detail, sizeof(k->detail), "%s", ev_tr(p->t, "TGT obtained with the password (AS exchange)"));
	else if (x->reply == KRB_MSG_TGS_REP && got->present)
		snprintf(k->detail, sizeof(k->detail), "%s", ev_tr(p->t, "service ticket issued (TGS exchange)"));
	if (got)
		ticket_facts(k, got);
}

/* "2026-11-28T18:45:21Z" */
static void
utc_text(int64_t when, char *out, size_t cap)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(out, cap, "%lld", (long long)when);
}

static void
record_cached(struct probe *p, const struct gss_client *g, enum ev_krb_step step, int conn)
{
	const struct gss_client_ticket *t = step == EV_KRB_STEP_TGT ? gss_client_tgt(g) : gss_client_service_ticket(g);
	char sname[GSS_CLIENT_TEXT + 16];
	struct ev_kerberos *k;

	if (!t->present || !t->from_cache)
		return;
	if (step == EV_KRB_STEP_TGT)
		snprintf(sname, sizeof(sname), "krbtgt/%s", gss_client_realm(g));
	else
		ev_copy(sname, sizeof(sname), gss_client_sname(g));
	k = krb_record(p, g, step == EV_KRB_STEP_TGT ? EV_KRB_AS_REP : EV_KRB_TGS_REP, step, sname, conn, t->got_us);
	if (!k)
		return;
	k->from_cache = true;
	ticket_facts(k, t);
	if (t->endtime && (double)t->endtime <= (double)time(NULL)) {
		char when[32];

		utc_text(t->endtime, when, sizeof(when));
		snprintf(k->detail, sizeof(k->detail),
			 step == EV_KRB_STEP_TGT ? ev_tr(p->t, "TGT found in the credential cache, expired at %s")
						 : ev_tr(p->t, "service ticket found in the credential cache, expired at %s"),
			 when);
		return;
	}
	snprintf(k->detail, sizeof(k->detail), "%s",
		 step == EV_KRB_STEP_TGT ? ev_tr(p->t, "TGT found in the credential cache (no KDC exchange)")
					 : ev_tr(p->t, "service ticket found in the credential cache (no KDC exchange)"));
}

/* The last exchange of a stage, NULL when it made none. */
static const struct gss_kdc_exchange *
last_exchange(const struct gss_kdc_log *log, enum gss_client_stage stage)
{
	size_t i = log->n;

	while (i-- > 0)
		if (log->ex[i].stage == (int)stage)
			return &log->ex[i];
	return NULL;
}

/* "aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96" */
static void
etype_list(const int32_t *etypes, uint8_t n, char *out, size_t cap)
{
	size_t used = 0;
	uint8_t i;

	out[0] = '\0';
	for (i = 0; i < n && used < cap; i++) {
		const char *name = krb_etype_name(etypes[i]);

		if (name)
			used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? ", " : "", name);
		else
			used += (size_t)snprintf(out + used, cap - used, "%s%d", used ? ", " : "", (int)etypes[i]);
	}
}

/* What the library concluded where no KRB-ERROR of a KDC says it. last:
 * the step's last record (its KDC's last answer), x: the stage's last
 * exchange. */
static enum ev_krb_conclusion
conclusion_of(const struct gss_client *g, const struct gss_client_error *e, const struct ev_kerberos *last,
	      const struct gss_kdc_exchange *x)
{
	const struct gss_client_ticket *tgt = gss_client_tgt(g);

	if (e->other_user)
		return EV_KRB_CONCLUDED_OTHER_USER;
	if (e->no_credentials)
		return EV_KRB_CONCLUDED_NO_CREDENTIALS;
	if (e->code == KRB5_REALM_UNKNOWN || e->code == KRB5_REALM_CANT_RESOLVE ||
	    (e->code == KRB5_KDC_UNREACH && !x))
		return EV_KRB_CONCLUDED_NO_KDC;
	if (e->krb_error == KRB_AP_ERR_TKT_EXPIRED && e->stage == GSS_STAGE_TICKET && !x && tgt->present &&
	    tgt->from_cache)
		return EV_KRB_CONCLUDED_TGT_EXPIRED;
	if (e->krb_error == KRB_AP_ERR_BAD_INTEGRITY && e->stage == GSS_STAGE_TGT && gss_client_did_as_exchange(g) &&
	    last && last->message == EV_KRB_AS_REP)
		return EV_KRB_CONCLUDED_WRONG_PASSWORD;
	if (e->code == KRB5_PROG_ETYPE_NOSUPP || e->code == KRB5_CONFIG_ETYPE_NOSUPP ||
	    (e->code == KRB5_PREAUTH_FAILED && x && x->has_error && x->error == KRB_ERR_PREAUTH_REQUIRED &&
	     x->n_etype_info == 0))
		return EV_KRB_CONCLUDED_NO_ETYPE;
	return EV_KRB_CONCLUDED_OTHER;
}

static void
conclusion_text(const struct probe *p, const struct gss_client *g, const struct gss_client_error *e,
		const struct gss_kdc_exchange *x, enum ev_krb_conclusion why, char *out, size_t cap)
{
	char when[32], etypes[160];

	switch (why) {
	case EV_KRB_CONCLUDED_OTHER_USER:
		snprintf(out, cap, ev_tr(p->t, "the default credential cache holds a TGT of %.120s, not of %.120s@%.100s"),
			 e->cache_principal, gss_client_cname(g), gss_client_realm(g));
		break;
	case EV_KRB_CONCLUDED_NO_CREDENTIALS:
		snprintf(out, cap, ev_tr(p->t, "no password, and no TGT in the default credential cache (Kerberos library: %.200s)"),
			 e->message);
		break;
	case EV_KRB_CONCLUDED_NO_KDC:
		snprintf(out, cap, ev_tr(p->t, "the Kerberos library knows no KDC for realm %.100s (%.200s)"),
			 gss_client_realm(g), e->message);
		break;
	case EV_KRB_CONCLUDED_TGT_EXPIRED:
		utc_text(gss_client_tgt(g)->endtime, when, sizeof(when));
		snprintf(out, cap,
			 ev_tr(p->t, "the TGT in the credential cache expired at %s; no KDC was asked (Kerberos library: %.200s)"),
			 when, e->message);
		break;
	case EV_KRB_CONCLUDED_WRONG_PASSWORD:
		snprintf(out, cap,
			 ev_tr(p->t, "the KDC's AS-REP does not decrypt with this password: wrong password (Kerberos library: "
				     "%.200s)"),
			 e->message);
		break;
	case EV_KRB_CONCLUDED_NO_ETYPE:
		etype_list(x ? x->etypes : NULL, x ? x->n_etypes : 0, etypes, sizeof(etypes));
		if (etypes[0])
			snprintf(out, cap,
				 ev_tr(p->t, "no common encryption type: the AS-REQ offered %s, and the KDC's answer named no "
					     "key of %.100s of those types (no ETYPE-INFO2) (Kerberos library: %.200s)"),
				 etypes, gss_client_cname(g), e->message);
		else
			snprintf(out, cap,
				 ev_tr(p->t, "no common encryption type: the KDC has no key of %.100s of a type this client "
					     "allows (Kerberos library: %.200s)"),
				 gss_client_cname(g), e->message);
		break;
	default:
		snprintf(out, cap, ev_tr(p->t, "the Kerberos library concluded: %.200s"), e->message);
		break;
	}
}

/* The library's verdict on the failing step. A KDC's refusal (its last
 * KRB-ERROR) says it already; a KDC that never answered is said by the
 * unanswered requests. Anything else the library concluded on its own
 * (no packet, or an answer it could not use) is a record of its own,
 * never a KRB-ERROR nobody sent (SPEC: nothing invented). */
static void
record_verdict(struct probe *p, const struct gss_client *g, const struct gss_client_error *e, int conn)
{
	const struct gss_kdc_log *log = gss_client_kdc_log(g);
	const struct gss_kdc_exchange *x = last_exchange(log, e->stage);
	enum ev_krb_step step = e->stage == GSS_STAGE_TICKET ? EV_KRB_STEP_SERVICE_TICKET : EV_KRB_STEP_TGT;
	enum ev_krb_conclusion why;
	char sname[GSS_CLIENT_TEXT + 16] = "";
	struct ev_kerberos *k, *last = p->t->n_krb ? &p->t->krb[p->t->n_krb - 1] : NULL;
	size_t i;

	if (last && (last->connection != conn || last->step != step))
		last = NULL;
	if (last && last->message == EV_KRB_ERROR && last->has_error && last->error != KRB_ERR_PREAUTH_REQUIRED) {
		/* FAST (RFC 6113): the real code is inside the armored reply,
		 * which the library read. */
		if (last->error == KRB_ERR_GENERIC && e->krb_error > 0 && e->krb_error != KRB_ERR_GENERIC)
			last->error = e->krb_error;
		return;
	}
	for (i = 0; i < log->n; i++)
		if (log->ex[i].failure && log->ex[i].stage == (int)e->stage)
			return;  /* "no answer from KDC ..." says it already */
	why = conclusion_of(g, e, last, x);
	/* An expired TGT stopped the service ticket; the TGT is what to renew. */
	if (why == EV_KRB_CONCLUDED_TGT_EXPIRED)
		step = EV_KRB_STEP_TGT;
	if (step == EV_KRB_STEP_SERVICE_TICKET)
		ev_copy(sname, sizeof(sname), gss_client_sname(g));
	else if (gss_client_realm(g)[0])
		snprintf(sname, sizeof(sname), "krbtgt/%s", gss_client_realm(g));
	k = krb_record(p, g, EV_KRB_NO_MESSAGE, step, sname, conn, 0);
	if (!k)
		return;
	k->conclusion = why;
	conclusion_text(p, g, e, x, why, k->detail, sizeof(k->detail));
}

static void
record_kdc_steps(struct probe *p, const struct gss_client *g, int conn)
{
	const struct gss_kdc_log *log = gss_client_kdc_log(g);
	size_t i;

	record_cached(p, g, EV_KRB_STEP_TGT, conn);
	for (i = 0; i < log->n; i++)
		record_exchange(p, g, &log->ex[i], conn);
	record_cached(p, g, EV_KRB_STEP_SERVICE_TICKET, conn);
}

#define KDC_CHECKS_MAX 3
#define KDC_CHECK_TIMEOUT_MS 1500u

/* What the probe's own check found, as the experiment's detail. */
static void
kdc_check_text(const struct ev_timeline *t, const char *kdc, const struct kdc_check *r, char *out, size_t cap)
{
	const char *proto = r->refusal == EV_KRB_REFUSAL_ICMPV6 ? "ICMPv6" : "ICMP";

	if (r->refusal == EV_KRB_REFUSAL_TCP_RESET)
		snprintf(out, cap, ev_tr(t, "KDC %s: no ICMP error to a UDP datagram; a TCP connection was reset"), kdc);
	else if (r->refusal != EV_KRB_REFUSAL_NONE && r->from[0])
		snprintf(out, cap, ev_tr(t, "KDC %s: a UDP datagram got %s type %u code %u from %s"), kdc, proto,
			 r->icmp_type, r->icmp_code, r->from);
	else if (r->refusal != EV_KRB_REFUSAL_NONE)
		snprintf(out, cap, ev_tr(t, "KDC %s: a UDP datagram got %s type %u code %u"), kdc, proto, r->icmp_type,
			 r->icmp_code);
	else if (r->udp_answered)
		snprintf(out, cap, ev_tr(t, "KDC %s: a UDP datagram was answered: the KDC is reachable now"), kdc);
	else if (r->tcp_open)
		snprintf(out, cap, ev_tr(t, "KDC %s: UDP silent, but a TCP connection was accepted: something listens there"),
			 kdc);
	else
		snprintf(out, cap,
			 ev_tr(t, "KDC %s: no answer to a UDP datagram or a TCP connection within %.1f s each: "
				  "dropped on the way, or the host is down"),
			 kdc, KDC_CHECK_TIMEOUT_MS / 1000.0);
}

/* MIT's library says only that it could not contact a KDC: the probe
 * asks each KDC it tried itself (probe_kdc_check.c) and puts what came
 * back on the unanswered request, as the analyzer does from a capture. */
static void
check_silent_kdcs(struct probe *p, int conn)
{
	const char *checked[KDC_CHECKS_MAX];
	size_t i, j, n = 0;

	if (p->cfg->no_experiments)
		return;
	for (i = 0; i < p->t->n_krb && n < KDC_CHECKS_MAX; i++) {
		struct ev_kerberos *k = &p->t->krb[i];
		struct ev_experiment *e;
		struct kdc_check r;
		bool seen = false;

		if (k->connection != conn || k->has_ms || !k->kdc[0] ||
		    (k->message != EV_KRB_AS_REQ && k->message != EV_KRB_TGS_REQ))
			continue;
		for (j = 0; j < n; j++)
			seen |= strcmp(checked[j], k->kdc) == 0;
		if (seen || !probe_kdc_check(k->kdc, KDC_CHECK_TIMEOUT_MS, &r))
			continue;
		checked[n++] = k->kdc;
		k->refusal = r.refusal;
		k->refusal_icmp_type = r.icmp_type;
		k->refusal_icmp_code = r.icmp_code;
		ev_copy(k->refusal_from, sizeof(k->refusal_from), r.from);
		e = ev_add_experiment(p->t, EV_EXP_KDC_CHECK, conn);
		if (e) {
			e->step = SD_STEP_SESSION_SETUP;
			e->outcome = EV_NO_RESPONSE;
			e->ok = r.refusal != EV_KRB_REFUSAL_NONE || r.udp_answered || r.tcp_open;
			kdc_check_text(p->t, k->kdc, &r, e->detail, sizeof(e->detail));
		}
	}
}

/* The refusal as evidence: the KDC's error when it is one, and why the
 * SESSION_SETUP step stopped (never sent; probe_kerberos_refused_run). */
static void
record_refusal(struct probe *p, const struct gss_client *g, const struct gss_client_error *e, struct ev_connection *c,
	       bool fallback)
{
	if (g) {
		record_kdc_steps(p, g, (int)c->id);
		check_silent_kdcs(p, (int)c->id);
		record_verdict(p, g, e, (int)c->id);
	}
	if (fallback)
		return;
	p->krb_refused_for_skew = e->krb_error == KRB_AP_ERR_SKEW;
	snprintf(p->krb_refusal, sizeof(p->krb_refusal), "Kerberos %s: %.96s",
		 e->stage == GSS_STAGE_TICKET ? ev_tr(p->t, "service ticket")
		 : e->no_credentials	      ? ev_tr(p->t, "no ticket")
					      : "TGT",
		 e->message);
}

/* Stands in for the GSS context after a refusal: the client stops where
 * it would have sent the AP-REQ. */
static enum sd_err
refused_first_token(void *auth_ctx, uint8_t *out, size_t cap, size_t *out_len)
{
	(void)auth_ctx;
	(void)out;
	(void)cap;
	*out_len = 0;
	return SD_ERR_VERIFY;
}

static enum sd_err
refused_next_token(void *auth_ctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len,
		   bool *complete)
{
	(void)in;
	(void)in_len;
	(void)complete;
	return refused_first_token(auth_ctx, out, cap, out_len);
}

static enum sd_err
refused_session_key(void *auth_ctx, uint8_t *key, size_t cap, size_t *key_len)
{
	return refused_first_token(auth_ctx, key, cap, key_len);
}

static const struct smb2_client_auth_ops refused_ops = {
	refused_first_token,
	refused_next_token,
	refused_session_key,
};

/* Connects and NEGOTIATEs without sending SESSION_SETUP; the exit status
 * of a step that failed before it, else PROBE_EXIT_SESSION. */
static int
negotiate_only(struct probe *p, struct probe_attempt *a, struct ev_connection *c)
{
	struct smb2_client_config ccfg;
	struct ev_step *s;
	int reached;

	probe_client_config(p, &ccfg);
	ccfg.mech = SMB2_MECH_EXTERNAL;
	ccfg.auth = &refused_ops;
	ccfg.auth_ctx = NULL;
	if (!probe_attempt_run(p, a, &ccfg))
		return PROBE_EXIT_SESSION;
	probe_fill_connection(p, a, c);
	reached = probe_attempt_exit(a);
	probe_attempt_clear(a);
	/* The client stops inside its NEGOTIATE answer handler, where it would
	 * start SESSION_SETUP: the NEGOTIATE itself was answered. */
	s = ev_last_step(c, SD_STEP_NEGOTIATE);
	if (s && s->outcome == EV_LOCAL_ERROR && c->negotiate.seen_response && s->status == 0) {
		s->outcome = EV_ANSWERED;
		s->problem = EV_PROBLEM_NONE;
		reached = PROBE_EXIT_SESSION;
	}
	return reached == PROBE_EXIT_TCP || reached == PROBE_EXIT_NEGOTIATE ? reached : PROBE_EXIT_SESSION;
}

int
probe_kerberos_refused_run(struct probe *p, struct probe_attempt *a, struct ev_connection *c, int status)
{
	struct ev_step *s;

	if (status != PROBE_EXIT_SESSION)
		return status;
	/* Clock skew: local vs KDC vs server wants the server's NEGOTIATE time
	 * (Windows too negotiates before it asks the KDC). Other refusals are
	 * the KDC's alone and need no connection. */
	if (p->krb_refused_for_skew) {
		status = negotiate_only(p, a, c);
		if (status != PROBE_EXIT_SESSION)
			return status;  /* the connection failed first */
	}
	s = ev_last_step(c, SD_STEP_SESSION_SETUP);
	if (!s)
		s = ev_add_step(c, SD_STEP_SESSION_SETUP);
	if (!s)
		return status;
	s->outcome = EV_LOCAL_ERROR;
	s->problem = EV_PROBLEM_LOCAL;
	s->request_at = s->response_at = -1;
	ev_copy(s->detail, sizeof(s->detail), p->krb_refusal);
	return status;
}

int
probe_kerberos_prepare(struct probe *p, struct ev_connection *c, struct smb2_client_config *ccfg,
		       struct gss_client **out, bool fallback)
{
	struct gss_client_config gcfg;
	struct gss_client_error e;
	struct gss_client *g = NULL;
	enum sd_err err;

	*out = NULL;
	memset(&gcfg, 0, sizeof(gcfg));
	gcfg.user = p->cfg->user && p->cfg->user[0] ? p->cfg->user : NULL;
	gcfg.domain = p->cfg->domain;
	gcfg.password = p->cfg->password && p->cfg->password[0] ? p->cfg->password : NULL;
	gcfg.host = p->cfg->host;
	err = gss_client_create(&gcfg, &g, &e);
	if (err == SD_OK)
		err = gss_client_get_ticket(g, &e);
	if (err != SD_OK) {
		record_refusal(p, g, &e, c, fallback);
		gss_client_free(g);
		if (e.cannot_start) {
			/* Not the server's fault nor the KDC's: this system has
			 * no Kerberos. auto falls back to NTLM and says why. */
			struct ev_kerberos *k = fallback ? krb_record(p, NULL, EV_KRB_NO_MESSAGE, EV_KRB_STEP_TGT, "",
								       (int)c->id, 0)
							 : NULL;

			if (k)
				snprintf(k->detail, sizeof(k->detail), ev_tr(p->t, "this system cannot do Kerberos: %.200s"),
					 e.message);
			if (p->why && p->why_cap)
				snprintf(p->why, p->why_cap, "%s", e.message);
			return PROBE_EXIT_USAGE;
		}
		return err == SD_ERR_VERIFY ? PROBE_EXIT_SESSION : PROBE_EXIT_INTERNAL;
	}
	record_kdc_steps(p, g, (int)c->id);
	p->krb_auth = &gss_client_auth_ops;
	p->krb_ctx = g;
	p->krb_user = gss_client_cname(g);
	probe_client_config(p, ccfg);
	*out = g;
	return PROBE_EXIT_OK;
}

/* The AP exchange inside SESSION_SETUP: the AP-REQ, the server's answer
 * and whether the AP-REP proved the server holds the service key. */
static void
record_ap_steps(struct probe *p, const struct gss_client *g, const struct ev_connection *c)
{
	const struct gss_client_ap *ap = gss_client_ap(g);
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_SESSION_SETUP);
	const char *sname = gss_client_sname(g);
	struct ev_kerberos *k;
	char st[48] = "";

	if (!ap->request_us)
		return;
	k = krb_record(p, g, EV_KRB_AP_REQ, EV_KRB_STEP_AP_REQ, sname, (int)c->id, ap->request_us);
	if (k) {
		k->has_kvno = ap->has_ticket;
		k->kvno = ap->kvno;
		k->has_enctype = ap->has_ticket;
		k->enctype = ap->enctype;
		snprintf(k->detail, sizeof(k->detail), "%s",
			 ev_tr(p->t, "AP-REQ sent inside SPNEGO (SESSION_SETUP), mutual authentication asked"));
	}
	/* The answer's status, also when the client could not accept it. */
	if (s && s->response_at >= 0 && (s->outcome == EV_ANSWERED || s->outcome == EV_PROTOCOL_ERROR))
		sd_ntstatus_text(s->status, st, sizeof(st));
	if (!ap->answer_us && !st[0])
		return;
	k = krb_record(p, g, !ap->answer_us ? EV_KRB_NO_MESSAGE : ap->answer_is_error ? EV_KRB_ERROR : EV_KRB_AP_REP,
		       EV_KRB_STEP_SERVER_ANSWER, sname, (int)c->id, ap->answer_us ? ap->answer_us : 0);
	if (!k)
		return;
	if (ap->answer_us) {
		k->has_ms = true;
		k->ms = (double)(ap->answer_us - ap->request_us) / 1000.0;
	}
	if (ap->answer_is_error && ap->error >= 0) {
		k->has_error = true;
		k->error = ap->error;
		k->after_preauth = true;
		k->answers = EV_KRB_AP_REQ;
	}
	if (ap->answer_us)
		snprintf(k->detail, sizeof(k->detail), "SESSION_SETUP -> %s", st[0] ? st : ev_tr(p->t, "no answer"));
	else
		snprintf(k->detail, sizeof(k->detail), ev_tr(p->t, "SESSION_SETUP -> %s, without a Kerberos token"),
			 st[0] ? st : ev_tr(p->t, "no answer"));
	if (!ap->answer_us)
		return;
	if (ap->answer_is_error) {
		k = krb_record(p, g, EV_KRB_NO_MESSAGE, EV_KRB_STEP_MUTUAL, sname, (int)c->id, ap->answer_us);
		if (k)
			snprintf(k->detail, sizeof(k->detail),
				 ev_tr(p->t, "not reached: the server refused the AP-REQ (%.200s)"),
				 ap->message[0] ? ap->message : "KRB-ERROR");
		return;
	}
	k = krb_record(p, g, EV_KRB_AP_REP, EV_KRB_STEP_MUTUAL, sname, (int)c->id, ap->answer_us);
	if (k)
		snprintf(k->detail, sizeof(k->detail),
			 ap->verified ? ev_tr(p->t, "the AP-REP verified: the server holds the key of %.200s")
				      : ev_tr(p->t, "the AP-REP did not verify: %.200s"),
			 ap->verified ? sname : ap->message);
}

void
probe_kerberos_session(struct probe *p, const struct gss_client *g, struct ev_connection *c)
{
	struct ev_session *s = &c->session;

	record_ap_steps(p, g, c);
	if (!s->seen)
		return;
	s->mechanism = EV_MECH_KERBEROS;
	s->ntlm_version = EV_NTLM_UNKNOWN;
	ev_copy(s->target_name, sizeof(s->target_name), gss_client_sname(g));
	ev_copy(s->user, sizeof(s->user), gss_client_cname(g));
	ev_copy(s->domain, sizeof(s->domain), gss_client_realm(g));
}
