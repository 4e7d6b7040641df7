/* Kerberos (part of SESSION_SETUP): KRB-ERRORs from the KDC or the SMB
 * server, and a server that could not decrypt an issued ticket. Errors of
 * pre-authentication are normal (the article); only errors after it break
 * SMB (failure-catalog.md 4.3). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/wire/names.h"
#include "diag/rules_internal.h"

#define KRB_AP_ERR_TKT_NYV 33

static const char *
finding_for(const struct ev_kerberos *k)
{
	switch (k->error) {
	case RULE_KRB_PREAUTH_REQUIRED:
		return "kerberos.preauth_required";
	case RULE_KRB_S_PRINCIPAL_UNKNOWN:
		return "kerberos.spn_unknown";
	case RULE_KRB_AP_SKEW:
	case KRB_AP_ERR_TKT_NYV:  /* the ticket starts in the server's future: its clock lags the KDC's */
		return "kerberos.clock_skew";
	case RULE_KRB_PREAUTH_FAILED:
		return "kerberos.preauth_failed";
	case RULE_KRB_C_PRINCIPAL_UNKNOWN:
		return "kerberos.client_unknown";
	case RULE_KRB_CLIENT_REVOKED:
		return "kerberos.client_revoked";
	case RULE_KRB_KEY_EXPIRED:
		return "kerberos.key_expired";
	case RULE_KRB_ETYPE_NOSUPP:
		return "kerberos.etype_unsupported";
	case RULE_KRB_AP_MODIFIED:
	case RULE_KRB_AP_BAD_INTEGRITY:
	case RULE_KRB_AP_BADKEYVER:
	case RULE_KRB_AP_NOT_US:   /* an acceptor without a key for the name: same remedies */
	case RULE_KRB_AP_NOKEY:
		return "kerberos.ticket_rejected";
	case 0:
	case RULE_KRB_RESPONSE_TOO_BIG:  /* normal: the client retries over TCP */
	case RULE_KRB_WRONG_REALM:       /* a referral, part of normal operation */
		return NULL;
	default:
		break;
	}
	/* Errors before pre-authentication (the first AS exchange) are part of
	 * finding the right pre-authentication; later ones are faults. */
	if (k->after_preauth || (k->sname[0] && strncasecmp(k->sname, "krbtgt/", 7) != 0))
		return "kerberos.other";
	return NULL;
}

/* "frame 31: KDC 10.0.0.1:88 answered KDC_ERR_S_PRINCIPAL_UNKNOWN (7) for
 * cifs/fs1 (client alice@CONTOSO.COM)". */
static void
error_line(const struct ev_timeline *t, struct ev_finding *f, const struct ev_kerberos *k)
{
	const char *name = krb_error_name(k->error);
	char frame[64] = "", who[96], client[EV_TEXT * 2 + 16] = "";

	if (k->frame)
		rule_fmt(t, frame, sizeof(frame), "frame %u: ", k->frame);
	/* KRB_AP_ERR_* codes (31-51) without a KDC address came back inside
	 * SESSION_SETUP: the SMB server's acceptor sent them. */
	if (k->kdc[0])
		rule_fmt(t, who, sizeof(who), "KDC %s", k->kdc);
	else if (k->connection >= 0 && k->error >= RULE_KRB_AP_BAD_INTEGRITY && k->error <= RULE_KRB_AP_LAST)
		rule_fmt(t, who, sizeof(who), "the server");
	else
		rule_fmt(t, who, sizeof(who), "the KDC");
	/* An error to a FAST-armored request (RFC 6113) comes back with the
	 * anonymous principal where the client's name would be: so MIT's KDC
	 * answers smbclient, which armors its ticket requests when the KDC
	 * offers FAST. */
	if (strcmp(k->cname, "WELLKNOWN/ANONYMOUS") == 0)
		rule_fmt(t, client, sizeof(client), " (the client's name is hidden: the request was FAST-armored)");
	else if (k->cname[0])
		rule_fmt(t, client, sizeof(client), " (client %s%s%s)", k->cname, k->realm[0] ? "@" : "", k->realm);
	if (k->sname[0])
		ev_finding_evidence(f, "%s%s answered %s (%d) for %s%s", frame, who, name ? name : "KRB-ERROR",
				    (int)k->error, k->sname, client);
	else
		ev_finding_evidence(f, "%s%s answered %s (%d)%s", frame, who, name ? name : "KRB-ERROR", (int)k->error,
				    client);
}

static void
ext_status_line(struct ev_finding *f, const struct ev_kerberos *k)
{
	char st[64];

	if (k->has_ext_status) {
		rule_status(k->ext_status, st, sizeof(st));
		ev_finding_evidence(f, "KERB-EXT-ERROR: %s", st);
	}
	if (k->e_text[0])
		ev_finding_evidence(f, "e-text: %s", k->e_text);
}

static const struct ev_connection *
conn_of(const struct ev_timeline *t, int connection)
{
	return connection >= 0 && (size_t)connection < t->n_conns ? &t->conns[connection] : NULL;
}

static void
spn_unknown_lines(const struct rule_run *r, struct ev_finding *f, const struct ev_kerberos *k)
{
	const struct ev_connection *c = conn_of(r->t, k->connection);
	const char *account = c && c->session.server_nb_computer[0] ? c->session.server_nb_computer : "SERVER";
	char host[EV_TEXT], canonical_host[EV_TEXT];
	size_t i;

	rule_host_of(k->sname, host, sizeof(host));
	/* A CNAME alias (probe): Windows asks for cifs/<name as typed>, so the
	 * alias needs an SPN on the account of the host it points to. */
	if (c && c->canonical_name[0]) {
		ev_finding_evidence(f, "%s is a DNS alias (CNAME) of %s; Windows asks for %s (the name as typed, "
				       "not the canonical name)", c->server_name[0] ? c->server_name : host,
				    c->canonical_name, k->sname[0] ? k->sname : ev_tr(r->t, "cifs/<alias>"));
		if (!c->session.server_nb_computer[0]) {
			for (i = 0; i + 1 < sizeof(canonical_host) && c->canonical_name[i] && c->canonical_name[i] != '.'; i++)
				canonical_host[i] = (char)toupper((unsigned char)c->canonical_name[i]);
			canonical_host[i] = '\0';
			account = canonical_host;
		}
	}
	if (host[0] && (strspn(host, "0123456789.") == strlen(host) || strchr(host, ':')))
		ev_finding_evidence(f, "%s is an address: Kerberos needs the server's name (or TryIPSPN and an "
				       "IP SPN)", host);
	if (k->sname[0])
		ev_finding_evidence(f, "register the name on the server's account: setspn -S %s %s", k->sname, account);
	if (c && c->session.mechanism == EV_MECH_NTLMSSP)
		ev_finding_evidence(f, "the client fell back to NTLM for this connection");
}

static void
skew_lines(const struct rule_run *r, struct ev_finding *f, const struct ev_kerberos *k)
{
	const struct ev_connection *c = conn_of(r->t, k->connection);
	const struct ev_kerberos *kdc = k->has_kdc_skew ? k : NULL, *other;
	size_t it = 0;

	while (!kdc && (other = rule_krb_next(r, k->connection, &it)) != NULL)
		if (other->has_kdc_skew)
			kdc = other;
	if (kdc)
		ev_finding_evidence(f, "the KDC's clock differs from the local clock by %+.1f s (KDC minus local)",
				    kdc->kdc_skew_s);
	if (c && c->negotiate.has_clock_skew)
		ev_finding_evidence(f, "the server's NEGOTIATE time differs from the local clock by %.1f s",
				    c->negotiate.clock_skew_s);
	if (kdc && c && c->negotiate.has_clock_skew)
		ev_finding_evidence(f, "the server's clock differs from the KDC's by %+.1f s",
				    c->negotiate.clock_skew_s - kdc->kdc_skew_s);
}

/* The ticket's key version, from the TGS-REP or AP-REQ for that
 * connection. */
static void
kvno_line(const struct rule_run *r, struct ev_finding *f, int connection)
{
	const struct ev_kerberos *k;
	size_t it = 0;

	while ((k = rule_krb_next(r, connection, &it)) != NULL) {
		if (k->has_kvno &&
		    (k->message == EV_KRB_TGS_REP || k->message == EV_KRB_AP_REQ)) {
			const char *etype = k->has_enctype ? krb_etype_name(k->enctype) : NULL;

			/* The server's keytab kvno is not visible from the client. */
			char ticket[EV_TEXT + 32], key[64];

			if (k->sname[0])
				rule_fmt(r->t, ticket, sizeof(ticket), "the ticket for %s", k->sname);
			else
				rule_fmt(r->t, ticket, sizeof(ticket), "the ticket");
			if (etype)
				rule_fmt(r->t, key, sizeof(key), "key version (kvno) %u and %s", k->kvno, etype);
			else
				rule_fmt(r->t, key, sizeof(key), "key version (kvno) %u", k->kvno);
			ev_finding_evidence(f, "the KDC issued %s with %s; the server's keytab must hold that key", ticket,
					    key);
			return;
		}
	}
}

/* The connection's SESSION_SETUP succeeded in the end. */
static bool
session_succeeded(const struct rule_run *r, int connection)
{
	const struct ev_connection *c = conn_of(r->t, connection);
	const struct ev_step *s = c ? ev_last_step_const(c, SD_STEP_SESSION_SETUP) : NULL;

	return s && s->outcome == EV_ANSWERED && s->status == 0;
}

/* ... with Kerberos: a fallback to NTLM does not cure the skew. */
static bool
kerberos_session(const struct rule_run *r, int connection)
{
	const struct ev_connection *c = conn_of(r->t, connection);

	return c && c->session.mechanism != EV_MECH_NTLMSSP;
}

/* KDC_ERR_PREAUTH_REQUIRED is the KDC's normal first answer (issue 7: "no
 * finding for the normal KDC_ERR_PREAUTH_REQUIRED"). It is worth an info
 * line only when it is the last word: the client never came back with
 * pre-authentication data (no password, a client that gave up). A later
 * AS-REP, ticket exchange, or a faulting error after pre-authentication for
 * the same client shows the exchange went on. */
static bool
preauth_went_on(const struct rule_run *r, const struct ev_kerberos *k, int connection)
{
	const struct ev_kerberos *o;
	size_t it = 0;

	while ((o = rule_krb_next(r, connection, &it)) != NULL) {
		if (o == k || o->at < k->at || (o->cname[0] && k->cname[0] && strcmp(o->cname, k->cname) != 0))
			continue;
		if (o->message == EV_KRB_AS_REP || o->message == EV_KRB_TGS_REQ || o->message == EV_KRB_TGS_REP ||
		    o->message == EV_KRB_AP_REQ || o->message == EV_KRB_AP_REP)
			return true;
		if (o->message == EV_KRB_ERROR && o->has_error && o->error != RULE_KRB_PREAUTH_REQUIRED &&
		    o->after_preauth && finding_for(o))
			return true;
	}
	return false;
}

static void
record_rules(struct rule_run *r, const struct ev_kerberos *k, int connection)
{
	const char *id;
	struct ev_finding *f;

	if (k->message != EV_KRB_ERROR || !k->has_error)
		return;
	id = finding_for(k);
	if (!id)
		return;
	if (k->error == RULE_KRB_PREAUTH_REQUIRED && preauth_went_on(r, k, connection))
		return;
	/* KRB_AP_ERR_SKEW followed by a successful logon is the skew-recovery
	 * round trip (MS-KILE 3.2.5.8): the client corrected its time. */
	if (k->error == RULE_KRB_AP_SKEW && session_succeeded(r, connection) && kerberos_session(r, connection))
		return;
	f = rule_finding(r, id, connection);
	error_line(r->t, f, k);
	if (k->error == RULE_KRB_S_PRINCIPAL_UNKNOWN)
		spn_unknown_lines(r, f, k);
	else if (k->error == RULE_KRB_AP_SKEW || k->error == KRB_AP_ERR_TKT_NYV)
		skew_lines(r, f, k);
	else if (strcmp(id, "kerberos.ticket_rejected") == 0)
		kvno_line(r, f, connection);
	if (k->error != RULE_KRB_PREAUTH_REQUIRED)
		ext_status_line(f, k);
}

/* SPEC: a server answering the AP-REQ with LOGON_FAILURE after the KDC
 * issued the ticket could not decrypt it; a refusal for clock skew is
 * kerberos.clock_skew whoever sent it. */
static void
server_rules(struct rule_run *r, const struct ev_connection *c)
{
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_SESSION_SETUP);
	struct ev_finding *f;
	char frames[64], st[64];

	if (!s || s->outcome != EV_ANSWERED)
		return;
	rule_frames(r->t, s, frames, sizeof(frames));
	rule_status(s->status, st, sizeof(st));
	if (rule_ticket_rejected_by_server(r->t, c)) {
		f = rule_finding(r, "kerberos.ticket_rejected", (int)c->id);
		if (c->session.target_name[0])
			ev_finding_evidence(f, "%sSESSION_SETUP with a Kerberos AP-REQ for %s -> %s", frames,
					    c->session.target_name, st);
		else
			ev_finding_evidence(f, "%sSESSION_SETUP with a Kerberos AP-REQ -> %s", frames, st);
		kvno_line(r, f, (int)c->id);
	} else if (s->status == RULE_ST_TIME_DIFFERENCE_AT_DC) {
		f = rule_finding(r, "kerberos.clock_skew", (int)c->id);
		ev_finding_evidence(f, "%sSESSION_SETUP -> %s", frames, st);
		if (c->negotiate.has_clock_skew)
			ev_finding_evidence(f, "the server's NEGOTIATE time differs from the local clock by %.1f s",
					    c->negotiate.clock_skew_s);
	}
}

/* The probe's own record of a KDC that never answered (its Kerberos
 * library gave up): kerberos.kdc_unreachable, unless the session was set
 * up all the same (NTLM; session.ntlm_used says why). */
static void
probe_kdc_silent(struct rule_run *r, const struct ev_connection *c)
{
	const struct ev_step *ss = ev_last_step_const(c, SD_STEP_SESSION_SETUP);
	const struct ev_kerberos *k;
	struct ev_finding *f = NULL;
	size_t it = 0;

	if (r->t->mode != EV_MODE_PROBE || (ss && ss->outcome == EV_ANSWERED && ss->status == 0))
		return;
	while ((k = rule_krb_next(r, (int)c->id, &it)) != NULL) {
		if (k->step == EV_KRB_STEP_NONE || k->has_ms ||
		    (k->message != EV_KRB_AS_REQ && k->message != EV_KRB_TGS_REQ))
			continue;
		char how[EV_LONG_TEXT] = "";

		if (!f)
			f = rule_finding(r, "kerberos.kdc_unreachable", (int)c->id);
		/* The probe's own look at the KDC (a follow-up experiment). */
		if (k->refusal != EV_KRB_REFUSAL_NONE)
			rule_krb_answer_text(r->t, k, how, sizeof(how));
		char what[EV_TEXT + 32], said[EV_LONG_TEXT];

		if (k->sname[0])
			rule_fmt(r->t, what, sizeof(what), "%s for %s", ev_krb_message_name(k->message), k->sname);
		else
			snprintf(what, sizeof(what), "%s", ev_krb_message_name(k->message));
		snprintf(said, sizeof(said), "%s", k->detail[0] ? k->detail : ev_tr(r->t, "no answer"));
		if (how[0])
			ev_finding_evidence(f, "%s: %s; the probe's own check: %s", what, said, how);
		else
			rule_line(f, "%s: %s", what, said);
	}
	if (f && ss && ss->detail[0])
		ev_finding_line(f, ss->detail);
}

void
rules_kerberos(struct rule_run *r, int connection)
{
	const struct ev_connection *c = conn_of(r->t, connection);
	const struct ev_kerberos *k;
	size_t it = 0;

	while ((k = rule_krb_next(r, connection, &it)) != NULL)
		record_rules(r, k, connection);
	if (c)
		server_rules(r, c);
	if (c)
		rules_kerberos_kdc(r, c);
	if (c)
		probe_kdc_silent(r, c);
}
