/* Kerberos (part of SESSION_SETUP): KRB-ERRORs from the KDC or the SMB
 * server, what the probe's Kerberos library concluded where no KRB-ERROR
 * says it, and a server that could not decrypt an issued ticket. Errors
 * of a client and a KDC settling pre-authentication are normal (the
 * article); the others break SMB (failure-catalog.md 4.3). A KRB-ERROR
 * about another service (host/, ldap/, a user's name asked for S4U) that
 * no SMB connection waited for says nothing about SMB: no finding. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/wire/names.h"
#include "diag/rules_internal.h"

#define KDC_ERR_NAME_EXP 1
#define KDC_ERR_BADOPTION 13
#define KDC_ERR_PADATA_TYPE_NOSUPP 16
#define KRB_AP_ERR_TKT_NYV 33
#define KDC_ERR_MORE_PREAUTH_DATA_REQUIRED 91

static bool
name_is(const char *sname, const char *service)
{
	return strncasecmp(sname, service, strlen(service)) == 0;
}

static const struct ev_connection *
conn_of(const struct ev_timeline *t, int connection)
{
	return connection >= 0 && (size_t)connection < t->n_conns ? &t->conns[connection] : NULL;
}

/* Tied to an SMB connection, or on any client's way to a cifs ticket (its
 * TGT, a referral, a password change). */
static bool
smb_related(const struct ev_kerberos *k)
{
	return k->connection >= 0 || !k->sname[0] || name_is(k->sname, "cifs/") || name_is(k->sname, "krbtgt/") ||
	       name_is(k->sname, "kadmin/");
}

/* The SMB server's acceptor sent it inside SESSION_SETUP, not a KDC. */
static bool
from_server(const struct ev_kerberos *k)
{
	if (k->answers)
		return k->answers == EV_KRB_AP_REQ;
	/* Records that do not say what they answer: a KRB_AP_ERR_* without a
	 * KDC address came back inside SESSION_SETUP. */
	return !k->kdc[0] && k->connection >= 0 && k->error >= RULE_KRB_AP_BAD_INTEGRITY && k->error <= RULE_KRB_AP_LAST;
}

static bool
answers_as_req(const struct ev_kerberos *k)
{
	if (k->answers)
		return k->answers == EV_KRB_AS_REQ;
	/* Unpaired: the client had sent its pre-authentication, which only
	 * an AS-REQ carries. */
	return k->after_preauth && name_is(k->sname, "krbtgt/");
}

/* "krbtgt/OTHER" asked of a KDC of another realm: the cross-realm ticket
 * a trust would give. target gets OTHER. */
static bool
cross_realm(const struct ev_kerberos *k, char *target, size_t cap)
{
	size_t n;

	if (!name_is(k->sname, "krbtgt/") || !k->realm[0])
		return false;
	n = strcspn(k->sname + 7, "/@");
	if (n == 0 || n >= cap)
		return false;
	memcpy(target, k->sname + 7, n);
	target[n] = '\0';
	return strcasecmp(target, k->realm) != 0;
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

/* The exchange went on after k for the same client: a later AS-REP,
 * ticket exchange or AP exchange, a faulting error after
 * pre-authentication, or the probe's library explaining why it stopped. */
static bool went_on(const struct rule_run *r, const struct ev_kerberos *k, int connection);

static const char *
conclusion_finding(const struct ev_kerberos *k)
{
	switch (k->conclusion) {
	case EV_KRB_CONCLUDED_WRONG_PASSWORD: return "kerberos.preauth_failed";
	case EV_KRB_CONCLUDED_NO_KDC: return "kerberos.kdc_unreachable";
	case EV_KRB_CONCLUDED_NO_ETYPE: return "kerberos.etype_unsupported";
	case EV_KRB_CONCLUDED_NONE: return NULL;
	default: return "kerberos.other";
	}
}

static const char *
finding_for(const struct rule_run *r, const struct ev_kerberos *k, int connection)
{
	if (k->conclusion != EV_KRB_CONCLUDED_NONE)
		return conclusion_finding(k);
	if (k->message != EV_KRB_ERROR || !k->has_error)
		return NULL;
	/* An AS-REQ without a client name is no logon (a scanner asking for
	 * the KDC's realm or clock). */
	if (k->answers == EV_KRB_AS_REQ && !k->cname[0])
		return NULL;
	switch (k->error) {
	case RULE_KRB_PREAUTH_REQUIRED:
		return "kerberos.preauth_required";
	case RULE_KRB_S_PRINCIPAL_UNKNOWN:
		/* SPEC: the cifs SPN; a missing trust or another service is not. */
		if (name_is(k->sname, "cifs/"))
			return "kerberos.spn_unknown";
		break;
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
	case KDC_ERR_NAME_EXP:
		/* The account itself has expired: the catalog's account
		 * restriction, whichever protocol met it. */
		return "session.account_restriction";
	case RULE_KRB_AP_MODIFIED:
	case RULE_KRB_AP_BAD_INTEGRITY:
	case RULE_KRB_AP_BADKEYVER:
	case RULE_KRB_AP_NOT_US:   /* an acceptor without a key for the name: same remedies */
	case RULE_KRB_AP_NOKEY:
		if (from_server(k))
			return "kerberos.ticket_rejected";
		/* MIT's KDC answers a pre-authentication timestamp that does
		 * not decrypt (a wrong password) so. */
		if (k->error == RULE_KRB_AP_BAD_INTEGRITY && answers_as_req(k))
			return "kerberos.preauth_failed";
		break;
	case 0:
	case RULE_KRB_RESPONSE_TOO_BIG:  /* normal: the client retries over TCP */
	case RULE_KRB_WRONG_REALM:       /* a referral, part of normal operation */
		return NULL;
	case KDC_ERR_BADOPTION:
		/* A TGT that cannot be renewed: no fault when the client went
		 * on and got a new one. */
		if (name_is(k->sname, "krbtgt/") && went_on(r, k, connection))
			return NULL;
		break;
	case KDC_ERR_PADATA_TYPE_NOSUPP:
	case KDC_ERR_MORE_PREAUTH_DATA_REQUIRED:
		/* The client and the KDC still settling which pre-authentication
		 * to use. */
		if (!k->after_preauth && (!k->answers || k->answers == EV_KRB_AS_REQ))
			return NULL;
		break;
	default:
		break;
	}
	return smb_related(k) ? "kerberos.other" : NULL;
}

/* "frame 31: KDC 10.0.0.1:88 answered KDC_ERR_S_PRINCIPAL_UNKNOWN (7) for
 * cifs/fs1 (client alice@CONTOSO.COM)"; an error of the SMB server's own
 * acceptor says so and names no KDC. */
static void
error_line(const struct ev_timeline *t, struct ev_finding *f, const struct ev_kerberos *k)
{
	const struct ev_connection *c = conn_of(t, k->connection);
	const char *name = krb_error_name(k->error) ? krb_error_name(k->error) : "KRB-ERROR";
	char frame[64] = "", who[96], client[EV_TEXT * 2 + 16] = "";

	if (k->frame)
		rule_fmt(t, frame, sizeof(frame), "frame %u: ", k->frame);
	/* An error to a FAST-armored request (RFC 6113) comes back with the
	 * anonymous principal where the client's name would be: so MIT's KDC
	 * answers smbclient, which armors its ticket requests when the KDC
	 * offers FAST. */
	if (strcmp(k->cname, "WELLKNOWN/ANONYMOUS") == 0)
		rule_fmt(t, client, sizeof(client), " (the client's name is hidden: the request was FAST-armored)");
	else if (k->cname[0])
		rule_fmt(t, client, sizeof(client), " (client %s%s%s)", k->cname, k->realm[0] ? "@" : "", k->realm);
	if (from_server(k)) {
		if (c && c->server[0])
			rule_fmt(t, who, sizeof(who), "the SMB server %s", c->server);
		else
			rule_fmt(t, who, sizeof(who), "the SMB server");
		if (k->sname[0])
			ev_finding_evidence(f, "%s%s answered the AP-REQ in SESSION_SETUP with %s (%d): its own Kerberos "
					       "acceptor (%s) refused the ticket, no KDC was involved%s",
					    frame, who, name, (int)k->error, k->sname, client);
		else
			ev_finding_evidence(f, "%s%s answered the AP-REQ in SESSION_SETUP with %s (%d): its own Kerberos "
					       "acceptor refused the ticket, no KDC was involved%s",
					    frame, who, name, (int)k->error, client);
		return;
	}
	if (k->kdc[0])
		rule_fmt(t, who, sizeof(who), "KDC %s", k->kdc);
	else
		rule_fmt(t, who, sizeof(who), "the KDC");
	if (k->sname[0])
		ev_finding_evidence(f, "%s%s answered %s (%d) for %s%s", frame, who, name, (int)k->error, k->sname, client);
	else
		ev_finding_evidence(f, "%s%s answered %s (%d)%s", frame, who, name, (int)k->error, client);
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

/* KDC_ERR_S_PRINCIPAL_UNKNOWN for krbtgt/TARGET from a KDC of another
 * realm: that KDC has no cross-realm key for TARGET, so no trust leads
 * from the client's realm to the server's. */
static void
cross_realm_lines(struct ev_finding *f, const struct ev_kerberos *k, const char *target)
{
	ev_finding_evidence(f, "the KDC of %s has no cross-realm key krbtgt/%s@%s: no trust leads from %s to %s, so "
			       "a user of %s gets no ticket for a server of %s",
			    k->realm, target, k->realm, k->realm, target, k->realm, target);
	ev_finding_evidence(f, "create the trust between %s and %s (Windows: New-ADTrust or netdom trust; MIT: the "
			       "same krbtgt/%s@%s key in both KDCs, and [capaths] for a path through another realm), or "
			       "log on with an account of %s",
			    k->realm, target, target, k->realm, target);
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
	/* The KDC read its clock somewhere in the round trip. */
	if (kdc && kdc->has_ms && kdc->ms >= 1000.0)
		ev_finding_evidence(f, "the KDC took %.1f s to answer: its clock is known only to within that round trip",
				    kdc->ms / 1000.0);
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

/* KDC_ERR_PREAUTH_REQUIRED is the KDC's normal first answer (issue 7: "no
 * finding for the normal KDC_ERR_PREAUTH_REQUIRED"). It is worth an info
 * line only when it is the last word: the client never came back with
 * pre-authentication data (no password, a client that gave up). A later
 * AS-REP, ticket exchange, a faulting error after pre-authentication, or
 * the library's own account of why it stopped, for the same client,
 * shows the exchange went on. A refused TGT renewal is no fault either
 * when it went on so. */
static bool
went_on(const struct rule_run *r, const struct ev_kerberos *k, int connection)
{
	const struct ev_kerberos *o;
	size_t it = 0;

	while ((o = rule_krb_next(r, connection, &it)) != NULL) {
		/* Strictly later (ties by position), so that finding_for's own
		 * call back here always moves forward. */
		if (o->at < k->at || (o->at == k->at && o <= k) ||
		    (o->cname[0] && k->cname[0] && strcmp(o->cname, k->cname) != 0))
			continue;
		if (o->message == EV_KRB_AS_REP || o->message == EV_KRB_TGS_REQ || o->message == EV_KRB_TGS_REP ||
		    o->message == EV_KRB_AP_REQ || o->message == EV_KRB_AP_REP || o->conclusion != EV_KRB_CONCLUDED_NONE)
			return true;
		if (o->message == EV_KRB_ERROR && o->has_error && o->error != RULE_KRB_PREAUTH_REQUIRED &&
		    o->after_preauth && finding_for(r, o, connection))
			return true;
	}
	return false;
}

/* The probe's library concluded it: its words (the record's detail, in
 * the report's language), then what to do. */
static void
conclusion_lines(struct ev_finding *f, const struct ev_kerberos *k)
{
	char user[EV_TEXT * 2 + 2];

	snprintf(user, sizeof(user), "%s%s%s", k->cname[0] ? k->cname : "USER", k->realm[0] ? "@" : "",
		 k->realm[0] ? k->realm : "");
	if (k->detail[0])
		ev_finding_line(f, k->detail);
	switch (k->conclusion) {
	case EV_KRB_CONCLUDED_WRONG_PASSWORD:
		ev_finding_evidence(f, "%s does not require pre-authentication: the KDC sent its answer without checking "
				       "the password, and only the client could find it wrong", user);
		break;
	case EV_KRB_CONCLUDED_TGT_EXPIRED:
	case EV_KRB_CONCLUDED_NO_CREDENTIALS:
		ev_finding_evidence(f, "get a TGT: kinit %s, or give the password: -U %s%%PASSWORD", user,
				    k->cname[0] ? k->cname : "USER");
		break;
	case EV_KRB_CONCLUDED_OTHER_USER:
		ev_finding_evidence(f, "get a TGT of %s into the cache: kinit %s, or give the password: -U %s%%PASSWORD",
				    user, user, k->cname[0] ? k->cname : "USER");
		break;
	case EV_KRB_CONCLUDED_NO_KDC:
		ev_finding_evidence(f, "name the KDCs of %s in krb5.conf ([realms] %s = { kdc = HOST }) or let the "
				       "library find them in DNS (dns_lookup_kdc = true); or check the realm of the user name",
				    k->realm[0] ? k->realm : "REALM", k->realm[0] ? k->realm : "REALM");
		break;
	case EV_KRB_CONCLUDED_NO_ETYPE:
		ev_finding_evidence(f, "give %s a key of a type this client allows (set its password again once that "
				       "type is enabled), or allow one of its types here (krb5.conf permitted_enctypes, "
				       "default_tkt_enctypes)", user);
		break;
	default:
		break;
	}
}

/* What a KRB-ERROR means beyond its name, where its code alone misleads. */
static void
meaning_lines(const struct rule_run *r, struct ev_finding *f, const struct ev_kerberos *k, const char *id,
	      int connection)
{
	char target[EV_TEXT];

	if (k->error == RULE_KRB_S_PRINCIPAL_UNKNOWN && strcmp(id, "kerberos.spn_unknown") == 0)
		spn_unknown_lines(r, f, k);
	else if (k->error == RULE_KRB_S_PRINCIPAL_UNKNOWN && cross_realm(k, target, sizeof(target)))
		cross_realm_lines(f, k, target);
	else if (k->error == RULE_KRB_AP_SKEW || k->error == KRB_AP_ERR_TKT_NYV)
		skew_lines(r, f, k);
	else if (strcmp(id, "kerberos.ticket_rejected") == 0)
		kvno_line(r, f, connection);
	else if (k->error == RULE_KRB_AP_BAD_INTEGRITY && strcmp(id, "kerberos.preauth_failed") == 0)
		ev_finding_evidence(f, "the KDC could not decrypt the pre-authentication (the encrypted timestamp) with "
				       "the user's key: the password is wrong (MIT KDCs answer it with this code)");
	else if (k->error >= RULE_KRB_AP_BAD_INTEGRITY && k->error <= RULE_KRB_AP_LAST && !from_server(k))
		ev_finding_evidence(f, "the KDC could not use the ticket-granting ticket the client presented (its "
				       "krbtgt key changed, or the keys of a trust differ): get a new TGT (klist purge, "
				       "kinit)");
	else if (k->error == KDC_ERR_NAME_EXP)
		ev_finding_evidence(f, "the account (its Kerberos principal) has expired: extend it "
				       "(Set-ADAccountExpiration USER -DateTime DATE; MIT: kadmin.local modprinc -expire never "
				       "USER)");
	else if (k->error == KDC_ERR_BADOPTION && name_is(k->sname, "krbtgt/"))
		ev_finding_evidence(f, "the KDC refused an option the request asked for, for a TGT usually a renewal "
				       "or validation the ticket does not allow (not renewable, or past its renewable "
				       "life): get a new TGT (kinit)");
	if (k->error != RULE_KRB_PREAUTH_REQUIRED)
		ext_status_line(f, k);
}

static void
record_lines(const struct rule_run *r, struct ev_finding *f, const struct ev_kerberos *k, const char *id,
	     int connection)
{
	if (k->conclusion != EV_KRB_CONCLUDED_NONE) {
		conclusion_lines(f, k);
		return;
	}
	error_line(r->t, f, k);
	meaning_lines(r, f, k, id, connection);
}

/* The finding a record makes here, NULL for none. */
static const char *
record_id(const struct rule_run *r, const struct ev_kerberos *k, int connection)
{
	const char *id = finding_for(r, k, connection);

	if (!id)
		return NULL;
	if (k->has_error && k->error == RULE_KRB_PREAUTH_REQUIRED && went_on(r, k, connection))
		return NULL;
	/* KRB_AP_ERR_SKEW followed by a successful logon is the skew-recovery
	 * round trip (MS-KILE 3.2.5.8): the client corrected its time. */
	if (k->has_error && k->error == RULE_KRB_AP_SKEW && session_succeeded(r, connection) &&
	    kerberos_session(r, connection))
		return NULL;
	/* The library's reason not to use Kerberos is no fault of its own
	 * when the session was set up (or tried) with NTLM instead:
	 * session.ntlm_used gives the reason. */
	if (k->conclusion != EV_KRB_CONCLUDED_NONE && (session_succeeded(r, connection) || !kerberos_session(r, connection)))
		return NULL;
	return id;
}

/* The records of one finding: how many there are, and how many of them
 * found no room among its evidence lines (EV_MAX_EVIDENCE), so that its
 * last line can say so rather than drop them silently. */
struct tally {
	const char *id;
	size_t total, seen, left_out;
	uint32_t first_frame, last_frame;  /* of those left out; 0 unknown */
	struct ev_finding *f;
};

#define TALLY_MAX 16

static struct tally *
tally_of(struct tally *tl, size_t *n, const char *id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(tl[i].id, id) == 0)
			return &tl[i];
	if (*n == TALLY_MAX)
		return NULL;
	memset(&tl[*n], 0, sizeof(tl[*n]));
	tl[*n].id = id;
	return &tl[(*n)++];
}

static bool
has_line(const struct ev_finding *f, const char *line)
{
	uint8_t i;

	for (i = 0; i < f->n_evidence; i++)
		if (strcmp(f->evidence[i], line) == 0)
			return true;
	return false;
}

/* A record's lines join its finding whole or not at all, and a line is
 * kept free for the count of those left out while more may come. */
static void
record_rules(struct rule_run *r, const struct ev_kerberos *k, int connection, struct tally *e)
{
	struct ev_finding *f = rule_finding(r, e->id, connection), stage;
	unsigned fresh = 0, room;
	uint8_t i;

	e->seen++;
	if (!f)
		return;
	e->f = f;
	memset(&stage, 0, sizeof(stage));
	stage.def = f->def;
	stage.connection = f->connection;
	stage.step = f->step;
	stage.translate = f->translate;
	record_lines(r, &stage, k, e->id, connection);
	for (i = 0; i < stage.n_evidence; i++)
		fresh += !has_line(f, stage.evidence[i]);
	room = EV_MAX_EVIDENCE - ((e->seen < e->total || e->left_out) ? 1u : 0u);
	if (f->n_evidence + fresh > room) {
		if (e->left_out++ == 0)
			e->first_frame = k->frame;
		e->last_frame = k->frame;
		return;
	}
	for (i = 0; i < stage.n_evidence; i++)
		ev_finding_line(f, stage.evidence[i]);
}

static void
left_out_line(const struct tally *e)
{
	if (!e->f || !e->left_out)
		return;
	if (e->first_frame && e->last_frame && e->first_frame != e->last_frame)
		ev_finding_evidence(e->f, "%zu more like these not shown (frames %u to %u)", e->left_out, e->first_frame,
				    e->last_frame);
	else if (e->first_frame)
		ev_finding_evidence(e->f, "%zu more like these not shown (frame %u)", e->left_out, e->first_frame);
	else
		ev_finding_evidence(e->f, "%zu more like these not shown", e->left_out);
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
	struct tally tl[TALLY_MAX], *e;
	const char *id;
	size_t it = 0, n = 0, i;

	while ((k = rule_krb_next(r, connection, &it)) != NULL)
		if ((id = record_id(r, k, connection)) != NULL && (e = tally_of(tl, &n, id)) != NULL)
			e->total++;
	it = 0;
	while ((k = rule_krb_next(r, connection, &it)) != NULL)
		if ((id = record_id(r, k, connection)) != NULL && (e = tally_of(tl, &n, id)) != NULL)
			record_rules(r, k, connection, e);
	for (i = 0; i < n; i++)
		left_out_line(&tl[i]);
	if (c)
		server_rules(r, c);
	if (c)
		rules_kerberos_kdc(r, c);
	else
		rules_kerberos_kdc_alone(r);
	if (c)
		probe_kdc_silent(r, c);
}
