/* SESSION_SETUP: refusals by status, encryption and name-hardening
 * policies, signing, anonymous and guest sessions, and how the client
 * authenticated (failure-catalog.md 1.5, 1.6, 3.3, 4.2, 9). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/auth/spnego.h"
#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/rules_internal.h"

static const char *
mech_text(const struct ev_session *s)
{
	switch (s->mechanism) {
	case EV_MECH_NTLMSSP:
		switch (s->ntlm_version) {
		case EV_NTLM_V2:
			return "NTLMv2";
		case EV_NTLM_V1:
			return "NTLMv1";
		case EV_NTLM_LM:
			return "LM";
		default:
			return "NTLM";
		}
	case EV_MECH_KERBEROS:
		return "Kerberos";
	case EV_MECH_ANONYMOUS:
		return N_("anonymous");
	case EV_MECH_GUEST:
		return N_("guest");
	default:
		return NULL;
	}
}

/* "frame 9: SESSION_SETUP (NTLMv2, leg 2) -> STATUS_LOGON_FAILURE". */
static void
step_line(const struct ev_timeline *t, struct ev_finding *f, const struct ev_connection *c, const struct ev_step *s)
{
	const char *mech = ev_tr(t, mech_text(&c->session));
	char frames[64], st[64], leg[48] = "";

	rule_frames(t, s, frames, sizeof(frames));
	rule_status(s->status, st, sizeof(st));
	if (s->legs)
		rule_fmt(t, leg, sizeof(leg), "leg %u", s->legs);
	if (mech || leg[0])
		ev_finding_evidence(f, "%sSESSION_SETUP (%s%s%s) -> %s", frames, mech ? mech : "", mech && leg[0] ? ", " : "",
				    leg, st);
	else
		ev_finding_evidence(f, "%sSESSION_SETUP -> %s", frames, st);
}

/* "user CONTOSO\alice, workstation PC1". */
static void
user_line(struct ev_finding *f, const struct ev_session *s)
{
	const char *user = s->user[0] ? s->user : ev_finding_tr(f, "(empty)");

	if (!s->user[0] && !s->domain[0])
		return;
	if (s->workstation[0])
		ev_finding_evidence(f, "user %s%s%s, workstation %s", s->domain, s->domain[0] ? "\\" : "", user,
				    s->workstation);
	else
		ev_finding_evidence(f, "user %s%s%s", s->domain, s->domain[0] ? "\\" : "", user);
}

static void
guest_line(const struct rule_run *r, const struct ev_connection *c, struct ev_finding *f)
{
	const struct ev_experiment *e = rule_experiment(r->t, EV_EXP_GUEST, (int)c->id);

	if (e && e->ok)
		ev_finding_evidence(f, "a guest logon works on this server (it offers guest access)");
	else if (e)
		ev_finding_evidence(f, "a guest logon is refused too (the server offers no guest access)");
}

/* The client's domain is neither the server's domain nor its computer
 * name (a local account), a common slip behind LOGON_FAILURE. */
static void
domain_line(struct ev_finding *f, const struct ev_session *s)
{
	if (!s->domain[0] || !s->server_nb_domain[0] || strcasecmp(s->domain, s->server_nb_domain) == 0 ||
	    strcasecmp(s->domain, s->server_nb_computer) == 0 || strchr(s->domain, '.'))
		return;
	if (strcasecmp(s->domain, s->workstation) == 0) {
		ev_finding_evidence(f, "the client sent its own computer name %s as domain (an account local to the "
				       "client); the server knows domain %s", s->domain, s->server_nb_domain);
		return;
	}
	ev_finding_evidence(f, "the client sent domain %s; the server's domain is %s and its computer name %s", s->domain,
			    s->server_nb_domain, s->server_nb_computer[0] ? s->server_nb_computer : ev_finding_tr(f, "unknown"));
}

/* The host the client meant: the tree path's, else the name it used. */
static void
meant_host(const struct ev_connection *c, char *buf, size_t cap)
{
	const struct ev_step *tc = ev_last_step_const(c, SD_STEP_TREE_CONNECT);

	buf[0] = '\0';
	if (c->tree.path[0])
		rule_host_of(c->tree.path, buf, cap);
	else if (tc && tc->detail[0])
		rule_host_of(tc->detail, buf, cap);
	else if (c->server_name[0])
		rule_host_of(c->server_name, buf, cap);
}

/* The target name names another host than the one the client meant (a
 * stale or wrong name configured in the client). Writes why. */
static bool
target_names_other_host(const struct ev_timeline *t, const struct ev_connection *c, char *why, size_t cap)
{
	char host[EV_TEXT], meant[EV_TEXT];

	if (!c->session.target_name[0])
		return false;
	rule_host_of(c->session.target_name, host, sizeof(host));
	meant_host(c, meant, sizeof(meant));
	if (!meant[0] || rule_same_host(host, meant))
		return false;
	rule_fmt(t, why, cap, "the client asked for %s but connected to %s", c->session.target_name, meant);
	return true;
}

/* The target name is none of the server's own names (from its NTLM
 * CHALLENGE), which a hardened server refuses; without those names, the
 * host the client meant decides. Writes why. */
static bool
target_mismatch(const struct ev_timeline *t, const struct ev_connection *c, char *why, size_t cap)
{
	const struct ev_session *s = &c->session;
	char host[EV_TEXT];
	bool same_names;

	if (!s->target_name[0])
		return false;
	if (!s->server_nb_computer[0] && !s->server_dns_computer[0])
		return target_names_other_host(t, c, why, cap);
	rule_host_of(s->target_name, host, sizeof(host));
	if (rule_same_host(host, s->server_nb_computer) || rule_same_host(host, s->server_dns_computer))
		return false;
	same_names = rule_same_host(s->server_nb_computer, s->server_dns_computer) || !s->server_dns_computer[0];
	if (same_names || !s->server_nb_computer[0])
		rule_fmt(t, why, cap, "the client asked for %s; the server's own names are %s", s->target_name,
			 s->server_nb_computer[0] ? s->server_nb_computer : s->server_dns_computer);
	else
		rule_fmt(t, why, cap, "the client asked for %s; the server's own names are %s and %s", s->target_name,
			 s->server_nb_computer, s->server_dns_computer);
	return true;
}

static struct ev_finding *
name_hardening(struct rule_run *r, struct ev_connection *c, const struct ev_step *s, const char *why)
{
	struct ev_finding *f = rule_finding(r, "session.name_hardening", (int)c->id);

	step_line(r->t, f, c, s);
	ev_finding_line(f, why);
	user_line(f, &c->session);
	return f;
}

static void
encryption_required(struct rule_run *r, struct ev_connection *c, const struct ev_step *s, const char *why)
{
	struct ev_finding *f = rule_finding(r, "session.encryption_required", (int)c->id);
	const struct ev_experiment *e = rule_experiment(r->t, EV_EXP_ENCRYPTED_RETRY, (int)c->id);

	step_line(r->t, f, c, s);
	ev_finding_evidence(f, "refused before any credentials were checked: %s", why);
	if (e && e->ok)
		ev_finding_evidence(f, "the same logon with SMB 3.1.1 and encryption succeeded");
	else if (!e)
		ev_finding_evidence(f, "not confirmed by an encrypted retry");
}

static void
anonymous_denied(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f = rule_finding(r, "session.anonymous_denied", (int)c->id);

	step_line(r->t, f, c, s);
	ev_finding_evidence(f, "the client logged on without credentials (null session)");
	if (s->status == RULE_ST_ACCESS_DENIED)
		ev_finding_evidence(f, "a null session has no key to sign or encrypt with: a server that requires "
				       "encryption refuses it too (Samba: server smb encrypt = required; Windows: "
				       "EncryptData with RejectUnencryptedAccess)");
}

/* ACCESS_DENIED after the server checked the credentials, with no sign of
 * a name check: the candidates, for the server's log to decide. */
static void
refused_after_credentials(struct rule_run *r, struct ev_connection *c, const struct ev_step *s,
			  const struct ev_experiment *own)
{
	struct ev_finding *f = rule_finding(r, "session.other", (int)c->id);

	step_line(r->t, f, c, s);
	user_line(f, &c->session);
	if (own) {
		ev_finding_evidence(f, "%s: so the server's name check is not the cause", own->detail);
		ev_finding_evidence(f, "refused after the credentials were checked; usual causes: an account the server "
				       "cannot map to a local user (Samba logs 'is invalid on this system'), a guest or "
				       "null session where the server requires encryption (it has no key to encrypt "
				       "with), or a logon policy of the server; its log names the one");
		return;
	}
	/* No retry with the server's own name (Kerberos has no CHALLENGE to
	 * learn it from, a capture cannot ask): the name check stays a
	 * candidate among the others. */
	ev_finding_evidence(f, "refused after the credentials were checked; usual causes: the server's name check "
			       "(SmbServerNameHardeningLevel) refusing the name the client asked for (%s), an "
			       "account the server cannot map to a local user (Samba logs 'is invalid on this "
			       "system'), a guest or null session where the server requires encryption, or a logon "
			       "policy of the server; its log names the one",
			    c->session.target_name[0] ? c->session.target_name : ev_finding_tr(f, "not recorded"));
}

/* ACCESS_DENIED to SESSION_SETUP: encryption policy on the first leg
 * (S1/S2), a refused anonymous logon, or the server's name check on the
 * last leg. Signing failures are reported by signing_rules(). */
static void
access_denied(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	char why[EV_LONG_TEXT];
	/* A Kerberos AP-REQ is checked on the one leg it comes in: its
	 * refusal comes after the credentials, like NTLM's last leg. */
	bool first_leg = s->legs <= 1 && c->session.mechanism != EV_MECH_KERBEROS;
	const struct ev_experiment *retry = rule_experiment(r->t, EV_EXP_ENCRYPTED_RETRY, (int)c->id);
	const struct ev_experiment *own = rule_experiment(r->t, EV_EXP_OWN_NAME, (int)c->id);

	if (rule_take_verdict(r, c, s, step_line))
		return;

	/* Windows refuses on the first leg (S1/S2); Samba only after it has
	 * checked the credentials, on the last leg. The probe's encrypted
	 * retry settles it; a capture can only say the client cannot encrypt. */
	if (rule_client_cannot_encrypt(r->t, c, why, sizeof(why)) &&
	    (first_leg || r->t->mode != EV_MODE_PROBE || (retry && retry->ok)) &&
	    (r->t->mode != EV_MODE_PROBE || !retry || retry->ok)) {
		encryption_required(r, c, s, why);
		return;
	}
	if (rule_is_anonymous(&c->session)) {
		anonymous_denied(r, c, s);
		return;
	}
	if (rule_signing_broken(c))
		return;
	/* The probe asked again for the server's own name: that settles it. */
	if (own && own->ok) {
		if (!target_mismatch(r->t, c, why, sizeof(why)))
			rule_fmt(r->t, why, sizeof(why), "the client asked for %s", c->session.target_name);
		ev_finding_line(name_hardening(r, c, s, why), own->detail);
		return;
	}
	if (own) {
		refused_after_credentials(r, c, s, own);
		return;
	}
	if (target_mismatch(r->t, c, why, sizeof(why))) {
		name_hardening(r, c, s, why);
		return;
	}
	if (c->session.mechanism == EV_MECH_NTLMSSP && !c->session.target_name[0] && !first_leg) {
		name_hardening(r, c, s,
			       ev_tr(r->t, "the client sent no target name (MsvAvTargetName); hardening level 2 requires one"));
		return;
	}
	if (!first_leg)
		refused_after_credentials(r, c, s, NULL);
}

static bool
is_restriction(uint32_t status)
{
	switch (status) {
	case RULE_ST_ACCOUNT_DISABLED:
	case RULE_ST_ACCOUNT_LOCKED_OUT:
	case RULE_ST_ACCOUNT_EXPIRED:
	case RULE_ST_PASSWORD_EXPIRED:
	case RULE_ST_PASSWORD_MUST_CHANGE:
	case RULE_ST_INVALID_LOGON_HOURS:
	case RULE_ST_INVALID_WORKSTATION:
	case RULE_ST_ACCOUNT_RESTRICTION:
	case RULE_ST_LOGON_TYPE_NOT_GRANTED:
		return true;
	default:
		return false;
	}
}

static void
logon_failure(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f;
	char why[EV_LONG_TEXT];

	if (rule_is_anonymous(&c->session)) {
		anonymous_denied(r, c, s);
		return;
	}
	if (rule_ticket_rejected_by_server(r->t, c) || rule_other_acceptor_error(r->t, c))
		return;  /* kerberos.ticket_rejected or the acceptor's error says why */
	f = rule_finding(r, "session.logon_failure", (int)c->id);
	step_line(r->t, f, c, s);
	user_line(f, &c->session);
	domain_line(f, &c->session);
	guest_line(r, c, f);
	if (target_names_other_host(r->t, c, why, sizeof(why)))
		name_hardening(r, c, s, why);
}

static void
account_restriction(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f = rule_finding(r, "session.account_restriction", (int)c->id);
	const struct sd_status_info *info = sd_ntstatus_info(s->status);

	step_line(r->t, f, c, s);
	if (info && info->meaning) {
		char line[EV_LONG_TEXT];

		snprintf(line, sizeof(line), "%s: %s", info->name, ev_finding_tr(f, info->meaning));
		ev_finding_line(f, line);
	}
	user_line(f, &c->session);
}

static void
no_response(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f = rule_finding(r, "session.no_response", (int)c->id);
	const char *mech = mech_text(&c->session);
	const struct ev_kerberos *k;
	size_t it = 0;
	char frames[64], silence[160];

	rule_request_frame(r->t, s, frames, sizeof(frames));
	rule_silence(r->t, c, s, silence, sizeof(silence));
	if (s->legs && mech)
		ev_finding_evidence(f, "%sSESSION_SETUP leg %u (%s)", frames, s->legs, ev_finding_tr(f, mech));
	else if (s->legs)
		ev_finding_evidence(f, "%sSESSION_SETUP leg %u", frames, s->legs);
	else if (mech)
		ev_finding_evidence(f, "%sSESSION_SETUP (%s)", frames, ev_finding_tr(f, mech));
	else
		ev_finding_evidence(f, "%sSESSION_SETUP", frames);
	ev_finding_line(f, silence);
	while ((k = rule_krb_next(r, (int)c->id, &it)) != NULL) {
		if (k->has_error && k->error != RULE_KRB_PREAUTH_REQUIRED) {
			ev_finding_evidence(f, "Kerberos errors came first (see the kerberos findings)");
			break;
		}
	}
}

static const char *
signing_words(uint16_t security_mode)
{
	if (security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED)
		return N_("signing required");
	if (security_mode & SMB2_NEGOTIATE_SIGNING_ENABLED)
		return N_("signing enabled");
	return N_("signing not enabled");
}

static void
signing_rules(struct rule_run *r, struct ev_connection *c)
{
	const struct ev_negotiate *n = &c->negotiate;
	struct ev_finding *f;
	char frames[64], st[64];
	unsigned i;

	if (!rule_signing_broken(c))
		return;
	f = rule_finding(r, "session.signing_mismatch", (int)c->id);
	if (n->seen_request && n->seen_response)
		ev_finding_evidence(f, "security mode: client 0x%04X (%s), server 0x%04X (%s)", n->client_security_mode,
				    ev_finding_tr(f, signing_words(n->client_security_mode)), n->server_security_mode,
				    ev_finding_tr(f, signing_words(n->server_security_mode)));
	if (c->session.unsigned_when_required)
		ev_finding_evidence(f, "a request after SESSION_SETUP went unsigned although the session requires signing");
	if (ntlm_trail_sign_dropped(&c->session.ntlm)) {
		ev_finding_evidence(f, "the server's NTLM CHALLENGE (flags 0x%08X) dropped NTLMSSP_NEGOTIATE_SIGN, which "
				       "the client's NEGOTIATE (0x%08X) asked for and MS-NLMP 2.2.2.5 says it must return, "
				       "but kept KEY_EXCH",
				    c->session.ntlm.challenge, c->session.ntlm.negotiate);
		ev_finding_evidence(f, "so the client sent no EncryptedRandomSessionKey and signs with the key-exchange key "
				       "(MS-NLMP 3.1.5.1.2); a server that goes by KEY_EXCH alone derives another key. "
				       "Samba's client exchanges a key anyway, which is why smbclient may still work");
		if (rule_client_left_after_session(c))
			ev_finding_evidence(f, "the client ended the connection right after the successful SESSION_SETUP");
	}
	for (i = 0; i < c->n_steps; i++) {
		const struct ev_step *s = &c->steps[i];

		rule_frames(r->t, s, frames, sizeof(frames));
		rule_status(s->status, st, sizeof(st));
		if (s->problem == EV_PROBLEM_BAD_SIGNATURE)
			ev_finding_evidence(f, "%s%s answer: the signature does not verify", frames, sd_step_name(s->step));
		else if (s->problem == EV_PROBLEM_UNSIGNED)
			ev_finding_evidence(f, "%s%s answer is not signed although it must be", frames, sd_step_name(s->step));
		else if (s->outcome == EV_ANSWERED && s->status == RULE_ST_ACCESS_DENIED && s->step > SD_STEP_NEGOTIATE &&
			 s->request_signed)
			ev_finding_evidence(f, "%s%s (signed) -> %s", frames, sd_step_name(s->step), st);
		else if (s->outcome == EV_ANSWERED && s->status == RULE_ST_ACCESS_DENIED && s->step > SD_STEP_NEGOTIATE)
			ev_finding_evidence(f, "%s%s (unsigned) -> %s", frames, sd_step_name(s->step), st);
	}
}

void
rules_session(struct rule_run *r, struct ev_connection *c)
{
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_SESSION_SETUP);

	signing_rules(r, c);
	if (!s)
		return;
	switch (s->outcome) {
	case EV_NO_RESPONSE:
	case EV_CLOSED:
	case EV_RESET:
		no_response(r, c, s);
		return;
	case EV_ANSWERED:
		break;
	default:
		return;
	}
	if (s->status == RULE_ST_LOGON_FAILURE || s->status == RULE_ST_WRONG_PASSWORD ||
	    s->status == RULE_ST_NO_SUCH_USER)
		logon_failure(r, c, s);
	else if (is_restriction(s->status))
		account_restriction(r, c, s);
	else if (s->status == RULE_ST_ACCESS_DENIED)
		access_denied(r, c, s);
}

static bool
is_ip_literal(const char *name)
{
	return name[0] && (name[0] == '[' || strchr(name, ':') || strspn(name, "0123456789.") == strlen(name));
}

static void
ntlm_reasons(const struct rule_run *r, const struct ev_connection *c, struct ev_finding *f)
{
	const struct ev_negotiate *n = &c->negotiate;
	const struct ev_kerberos *k;
	bool krb_offered = false;
	size_t i, it = 0;
	int said = 0;

	char named[EV_TEXT];

	/* Without a tree path (no TREE_CONNECT seen), the NTLM target name
	 * still says how the client named the server. */
	if (c->server_name[0])
		ev_copy(named, sizeof(named), c->server_name);
	else
		rule_host_of(c->session.target_name, named, sizeof(named));
	if (is_ip_literal(named)) {
		ev_finding_evidence(f, "the server was named by its address %s: Windows asks for no Kerberos ticket then",
				    named);
		said++;
	}
	const struct ev_kerberos *said_error = NULL;

	while ((k = rule_krb_next(r, (int)c->id, &it)) != NULL) {
		/* A client retrying the same request (MIT: with and without
		 * referrals) gets the same refusal twice: say it once. */
		if (k->has_error && said_error && said_error->error == k->error && strcmp(said_error->sname, k->sname) == 0)
			continue;
		if (k->has_error)
			said_error = k;
		if (k->has_error && k->error == RULE_KRB_S_PRINCIPAL_UNKNOWN) {
			ev_finding_evidence(f, "the KDC does not know %s, so the client fell back to NTLM",
					    k->sname[0] ? k->sname : ev_finding_tr(f, "the server's service name"));
			said++;
		} else if (k->step != EV_KRB_STEP_NONE && k->message == EV_KRB_NO_MESSAGE && k->detail[0]) {
			/* The probe had no ticket to offer (no TGT, no password). */
			ev_finding_evidence(f, "no Kerberos ticket could be had (%s), so NTLM was used", k->detail);
			said++;
		} else if (k->step != EV_KRB_STEP_NONE && !k->has_ms &&
			   (k->message == EV_KRB_AS_REQ || k->message == EV_KRB_TGS_REQ)) {
			/* The probe's request that no KDC answered. */
			ev_finding_evidence(f, "Kerberos could not reach the KDC (%s), so NTLM was used", k->detail);
			said++;
		} else if (k->has_error && k->after_preauth && k->connection >= 0) {
			const char *name = krb_error_name(k->error) ? krb_error_name(k->error)
								    : ev_finding_tr(f, "a Kerberos error");

			if (k->answers == EV_KRB_AP_REQ)
				ev_finding_evidence(f, "the server's Kerberos acceptor refused the ticket with %s (%d), so "
						       "NTLM was used", name, (int)k->error);
			else if (k->sname[0])
				ev_finding_evidence(f, "the KDC refused with %s (%d) for %s, so NTLM was used", name,
						    (int)k->error, k->sname);
			else
				ev_finding_evidence(f, "the KDC refused with %s (%d), so NTLM was used", name, (int)k->error);
			said++;
		}
	}
	if (rule_experiment(r->t, EV_EXP_NTLM_INSTEAD, (int)c->id)) {
		ev_finding_evidence(f, "Kerberos failed; NTLM was tried instead");
		said++;
	}
	for (i = 0; i < n->n_server_mechs && i < sizeof(n->server_mechs); i++)
		krb_offered |= n->server_mechs[i] == SPNEGO_MECH_KRB5 || n->server_mechs[i] == SPNEGO_MECH_MS_KRB5;
	if (n->n_server_mechs > 0 && !krb_offered) {
		ev_finding_evidence(f, "the server offers no Kerberos mechanism in its NEGOTIATE answer (only NTLMSSP)");
		said++;
	}
	if (!said)
		ev_finding_evidence(f, "the client did not try Kerberos (no ticket, or not asked to)");
}

/* Warnings and notes about a session, failed or not. */
void
rules_session_info(struct rule_run *r, struct ev_connection *c)
{
	const struct ev_session *s = &c->session;
	struct ev_finding *f;

	if (!s->seen)
		return;
	if (rule_is_guest(s) && s->user[0] && strcasecmp(s->user, "guest") != 0) {
		f = rule_finding(r, "session.guest_fallback", (int)c->id);
		ev_finding_evidence(f, "the client logged on as %s%s%s, the server answered SessionFlags IS_GUEST",
				    s->domain, s->domain[0] ? "\\" : "", s->user);
		ev_finding_evidence(f, "the server does not know %s, or (Samba: map to guest = bad password) the "
				       "password was wrong: either way the session runs as guest, not as this user",
				    s->user);
	}
	if (s->mechanism == EV_MECH_NTLMSSP && !rule_is_anonymous(s)) {
		const struct ev_step *last = ev_last_step_const(c, SD_STEP_SESSION_SETUP);
		bool set_up = last && last->outcome == EV_ANSWERED && last->status == RULE_ST_SUCCESS;

		f = rule_finding(r, "session.ntlm_used", (int)c->id);
		/* A refused session did not authenticate: it only tried. */
		if (set_up && s->user[0])
			ev_finding_evidence(f, "the session authenticated with %s as %s", ev_finding_tr(f, mech_text(s)),
					    s->user);
		else if (set_up)
			ev_finding_evidence(f, "the session authenticated with %s", ev_finding_tr(f, mech_text(s)));
		else if (s->user[0])
			ev_finding_evidence(f, "the client tried %s as %s", ev_finding_tr(f, mech_text(s)), s->user);
		else
			ev_finding_evidence(f, "the client tried %s", ev_finding_tr(f, mech_text(s)));
		ntlm_reasons(r, c, f);
	}
	if (s->ntlm_version == EV_NTLM_V1 || s->ntlm_version == EV_NTLM_LM) {
		f = rule_finding(r, "session.ntlmv1", (int)c->id);
		ev_finding_evidence(f, "the NTLM AUTHENTICATE carried %s responses (24 bytes) for %s",
				    s->ntlm_version == EV_NTLM_LM ? "LM" : "NTLMv1",
				    s->user[0] ? s->user : ev_finding_tr(f, "the user"));
	}
}
