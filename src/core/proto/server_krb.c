/* Kerberos in SESSION_SETUP (MS-SMB2 3.3.5.5.3, MS-KILE 3.4.5, MS-SPNG
 * 3.2.5): the AP-REQ goes to the policy's acceptor (GSSAPI with a keytab,
 * run by the driver); the core reads the ticket's clear part (service
 * name, realm, key version) for the events, turns every refusal into its
 * finding, and applies the name hardening level to the ticket's service
 * name as it does to the NTLM target name. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth/krb5msg.h"
#include "core/auth/spnego.h"
#include "core/proto/server_internal.h"

/* RFC 4120 7.5.9 error numbers the acceptor reports. */
#define KRB_AP_ERR_BAD_INTEGRITY 31
#define KRB_AP_ERR_REPEAT 34
#define KRB_AP_ERR_NOT_US 35
#define KRB_AP_ERR_SKEW 37
#define KRB_AP_ERR_MODIFIED 41
#define KRB_AP_ERR_BADKEYVER 44
#define KRB_AP_ERR_NOKEY 45

static const struct srv_why why_token = {"A1", NULL, "MS-SPNG 3.2.5; RFC 4121 4.1"};
static const struct srv_why why_rejected = {"A1", "kerberos.ticket_rejected", "MS-SMB2 3.3.5.5.3; MS-KILE 3.4.5"};
static const struct srv_why why_skew = {"A1", "kerberos.clock_skew", "MS-SMB2 3.3.5.5.3; MS-KILE 3.4.5; RFC 4120 3.2.3"};
static const struct srv_why why_other = {"A1", "kerberos.other", "MS-SMB2 3.3.5.5.3; MS-KILE 3.4.5; RFC 4120 3.2.3"};
static const struct srv_why why_local = {"local", NULL, "MS-SMB2 3.3.5.5.3"};
static const struct srv_why why_hardening = {"SPN", "session.name_hardening",
					     "MS-SMB2 3.3.5.5.3; SmbServerNameHardeningLevel"};
static const struct srv_why why_list_mic = {"A1", "session.logon_failure", "MS-SPNG 3.2.5.1 (mechListMIC)"};

/* The ticket's clear part (RFC 4120 5.3): what the client asked for. */
struct ticket_view {
	char sname[SMB2S_NAME_MAX * 2];
	char realm[SMB2S_NAME_MAX];
	bool has_kvno;
	uint32_t kvno;
	int32_t etype;
};

bool
srv_krb_offered(const struct smb2_server *s)
{
	return s->pol->krb && s->pol->krb->accept;
}

uint8_t
srv_mech_list(const struct smb2_server *s, uint8_t *mechs, uint8_t cap)
{
	uint8_t n = 0;

	/* Windows' order: the legacy MS OID first, which old clients match. */
	if (srv_krb_offered(s) && cap >= 3) {
		mechs[n++] = SPNEGO_MECH_MS_KRB5;
		mechs[n++] = SPNEGO_MECH_KRB5;
	}
	if (n < cap)
		mechs[n++] = SPNEGO_MECH_NTLMSSP;
	return n;
}

void
srv_krb_end(struct smb2_server *s, struct srv_session *sess)
{
	if (sess->krb_ctx && s->pol->krb && s->pol->krb->end)
		s->pol->krb->end(sess->krb_ctx);
	sess->krb_ctx = NULL;
}

static void
fail(struct srv_gss_out *out, uint32_t status, const struct srv_why *why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
fail(struct srv_gss_out *out, uint32_t status, const struct srv_why *why, const char *fmt, ...)
{
	va_list ap;

	out->status = status;
	out->why = *why;
	va_start(ap, fmt);
	vsnprintf(out->text, sizeof(out->text), fmt, ap);
	va_end(ap);
}

static void
read_ticket(const uint8_t *tok, size_t len, struct ticket_view *v)
{
	struct krb_message m;

	memset(v, 0, sizeof(*v));
	if (krb_decode_gss(tok, len, &m) != SD_OK || m.msg_type != KRB_MSG_AP_REQ || !m.u.ap_req.ticket.present)
		return;
	if (krb_principal_text(&m.u.ap_req.ticket.sname, v->sname, sizeof(v->sname)) != SD_OK)
		v->sname[0] = '\0';
	snprintf(v->realm, sizeof(v->realm), "%.*s", (int)m.u.ap_req.ticket.realm.len,
		 m.u.ap_req.ticket.realm.p ? (const char *)m.u.ap_req.ticket.realm.p : "");
	v->has_kvno = m.u.ap_req.ticket.enc_part.has_kvno;
	v->kvno = m.u.ap_req.ticket.enc_part.kvno;
	v->etype = m.u.ap_req.ticket.enc_part.etype;
}

/* "alice@SMBDIAG.TEST" -> user "alice", domain "SMBDIAG.TEST". */
static void
split_principal(const char *principal, char *user, size_t ucap, char *domain, size_t dcap)
{
	const char *at = strrchr(principal, '@');

	if (at) {
		snprintf(user, ucap, "%.*s", (int)(at - principal), principal);
		snprintf(domain, dcap, "%s", at + 1);
	} else {
		snprintf(user, ucap, "%s", principal);
		domain[0] = '\0';
	}
}

static void
auth_event(struct smb2_server *s, const struct srv_req *r, const struct ticket_view *v,
	   const struct smb2s_krb_result *res, bool accepted, bool spnego)
{
	const char *how = spnego ? "" : " (bare GSS token, no SPNEGO)";
	struct smb2s_event *ev = srv_event(s, SMB2S_EV_SESSION_AUTH, r);
	char service[sizeof(v->sname) + sizeof(v->realm) + 1];  /* "sname@realm" */

	ev->kerberos = true;
	if (accepted)
		split_principal(res->client, ev->user, sizeof(ev->user), ev->domain, sizeof(ev->domain));
	snprintf(ev->target_name, sizeof(ev->target_name), "%s", v->sname);
	snprintf(ev->realm, sizeof(ev->realm), "%s", v->realm);
	ev->has_kvno = v->has_kvno;
	ev->kvno = v->kvno;
	ev->etype = v->etype;
	snprintf(service, sizeof(service), "%s%s%s", v->sname[0] ? v->sname : "(unreadable ticket)",
		 v->realm[0] ? "@" : "", v->realm);
	if (v->has_kvno)
		srv_event_text(ev, "Kerberos AP-REQ%s%s%s for %s, ticket kvno %u, etype %d", how,
			       accepted ? " from " : "", accepted ? res->client : "", service, v->kvno, (int)v->etype);
	else
		srv_event_text(ev, "Kerberos AP-REQ%s%s%s for %s", how, accepted ? " from " : "",
			       accepted ? res->client : "", service);
}

/* The acceptor refused: which finding, which status (a skew is
 * STATUS_TIME_DIFFERENCE_AT_DC as Samba answers it; the rest are logon
 * failures, as Windows answers an AP-REQ it cannot use). */
static void
refused(const struct ticket_view *v, const struct smb2s_krb_result *res, struct srv_gss_out *out)
{
	char kvno[48] = "";

	out->krb_error = res->krb_error;
	if (v->has_kvno)
		snprintf(kvno, sizeof(kvno), " (ticket kvno %u, etype %d)", v->kvno, (int)v->etype);
	switch (res->krb_error) {
	case KRB_AP_ERR_BAD_INTEGRITY:
	case KRB_AP_ERR_MODIFIED:
	case KRB_AP_ERR_BADKEYVER:
	case KRB_AP_ERR_NOT_US:   /* MIT: no key at all for the ticket's service name */
	case KRB_AP_ERR_NOKEY:
		fail(out, ST_LOGON_FAILURE, &why_rejected,
		     "the keytab cannot decrypt the ticket for %.80s%s: %s", v->sname, kvno, res->text);
		break;
	case KRB_AP_ERR_SKEW:
		fail(out, ST_TIME_DIFFERENCE_AT_DC, &why_skew, "clock skew (KRB_AP_ERR_SKEW): %s", res->text);
		break;
	case KRB_AP_ERR_REPEAT:
		fail(out, ST_LOGON_FAILURE, &why_other, "replayed authenticator (KRB_AP_ERR_REPEAT): %s", res->text);
		break;
	default:
		fail(out, ST_LOGON_FAILURE, &why_other, "AP-REQ for %.80s%s refused (krb5 error %ld): %s", v->sname, kvno,
		     res->code, res->text);
		break;
	}
}

/* Name hardening on the key's principal (the ticket's service name):
 * "cifs/host@REALM" is checked like the NTLM target "cifs/host". */
static bool
service_ok(const struct smb2_server *s, const char *service)
{
	char spn[SMB2S_NAME_MAX * 2];
	char *at;

	snprintf(spn, sizeof(spn), "%s", service);
	at = strrchr(spn, '@');
	if (at)
		*at = '\0';
	return srv_target_name_ok(s, spn, true);
}

/* Our mechListMIC over the client's MechTypeList (RFC 4178 5). */
static size_t
our_mic(struct smb2_server *s, struct srv_session *sess, uint8_t *mic, size_t cap)
{
	size_t n = 0;

	if (!sess->mech_types_len || !s->pol->krb->get_mic ||
	    s->pol->krb->get_mic(sess->krb_ctx, sess->mech_types, sess->mech_types_len, mic, cap, &n) != SD_OK)
		return 0;
	return n;
}

static void
accept_token(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const uint8_t *tok, size_t len,
	     bool first, const struct spnego_blob *client_mic, struct srv_gss_out *out)
{
	struct smb2s_krb_result *res;
	struct ticket_view v;
	uint8_t aprep[SRV_TOKEN_CAP / 2], mic[128];
	size_t aprep_len = 0, mic_len = 0;
	enum sd_err err;

	res = calloc(1, sizeof(*res));
	if (res == NULL) {
		fail(out, ST_INSUFFICIENT_RESOURCES, &why_local, "out of memory");
		return;
	}
	out->kerberos = true;
	read_ticket(tok, len, &v);
	err = s->pol->krb->accept(s->pol->krb_acceptor, &sess->krb_ctx, tok, len, aprep, sizeof(aprep), &aprep_len,
				  res);
	auth_event(s, r, &v, res, err == SD_OK, sess->spnego);
	if (err == SD_ERR_VERIFY) {
		refused(&v, res, out);
		goto out;
	}
	if (err != SD_OK) {
		fail(out, ST_LOGON_FAILURE, &why_local, "the Kerberos acceptor failed: %s", res->text);
		goto out;
	}
	split_principal(res->client, sess->user, sizeof(sess->user), sess->domain, sizeof(sess->domain));
	if (!service_ok(s, res->service[0] ? res->service : v.sname)) {
		fail(out, ST_ACCESS_DENIED, &why_hardening, "Kerberos service name '%.96s' refused at "
		     "SmbServerNameHardeningLevel %u", res->service[0] ? res->service : v.sname,
		     s->pol->name_hardening_level);
		goto out;
	}
	if (res->key_len == 0 || res->key_len > sizeof(out->key)) {
		fail(out, ST_LOGON_FAILURE, &why_local, "the Kerberos context gave no usable session key");
		goto out;
	}
	memcpy(out->key, res->key, res->key_len);
	out->key_len = res->key_len;
	out->have_key = true;
	/* RFC 4178 5: a mechListMIC that came must verify, and is answered. */
	if (client_mic && client_mic->p &&
	    (!s->pol->krb->verify_mic || s->pol->krb->verify_mic(sess->krb_ctx, sess->mech_types, sess->mech_types_len,
								 client_mic->p, client_mic->len) != SD_OK)) {
		fail(out, ST_LOGON_FAILURE, &why_list_mic, "the SPNEGO mechListMIC does not verify");
		goto out;
	}
	if (sess->spnego && (sess->krb_mic_due || (client_mic && client_mic->p)))
		mic_len = our_mic(s, sess, mic, sizeof(mic));
	out->status = ST_SUCCESS;
	srv_gss_wrap(sess, (enum spnego_mech)sess->krb_mech, aprep, aprep_len, SPNEGO_ACCEPT_COMPLETED, first, mic_len ? mic : NULL, mic_len, out);
out:
	memset(res, 0, sizeof(*res));
	free(res);
}

/* Whether the client's list has a Kerberos OID before NTLMSSP: the
 * acceptor takes the first mechanism it supports (RFC 4178 3.2). */
static enum spnego_mech
client_krb_choice(const struct spnego_token *t, uint8_t *index)
{
	uint8_t i;

	for (i = 0; i < t->init.n_mechs; i++) {
		if (t->init.mechs[i] == SPNEGO_MECH_NTLMSSP)
			return SPNEGO_MECH_NONE;
		if (t->init.mechs[i] == SPNEGO_MECH_KRB5 || t->init.mechs[i] == SPNEGO_MECH_MS_KRB5) {
			*index = i;
			return t->init.mechs[i];
		}
	}
	return SPNEGO_MECH_NONE;
}

bool
srv_krb_wanted(const struct smb2_server *s, const struct spnego_token *t)
{
	uint8_t i;

	if (!srv_krb_offered(s))
		return false;
	if (t->kind == SPNEGO_KIND_RAW_KRB5)
		return true;
	return t->kind == SPNEGO_KIND_INIT && client_krb_choice(t, &i) != SPNEGO_MECH_NONE;
}

void
srv_krb_first(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const struct spnego_token *t,
	      struct srv_gss_out *out)
{
	uint8_t index = 0;

	if (t->kind == SPNEGO_KIND_RAW_KRB5) {
		/* Windows accepts a bare GSS Kerberos token (MS-SMB2 3.3.5.5.3
		 * note) and answers with a bare AP-REP. */
		sess->spnego = false;
		accept_token(s, r, sess, t->raw.p, t->raw.len, false, NULL, out);
		return;
	}
	sess->krb_mech = (uint8_t)client_krb_choice(t, &index);
	/* Not the client's first choice: the MIC protects the list. */
	sess->krb_mic_due = index != 0;
	if (index == 0 && t->init.mech_token.p) {
		accept_token(s, r, sess, t->init.mech_token.p, t->init.mech_token.len, true, NULL, out);
		return;
	}
	/* No optimistic AP-REQ for our choice: select Kerberos, wait for it. */
	sess->leg = GSS_WANT_KRB_AP_REQ;
	out->status = ST_MORE_PROCESSING_REQUIRED;
	srv_gss_wrap(sess, (enum spnego_mech)sess->krb_mech, NULL, 0, SPNEGO_ACCEPT_INCOMPLETE, true, NULL, 0, out);
}

void
srv_krb_next(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const struct spnego_token *t,
	     struct srv_gss_out *out)
{
	if (t->kind != SPNEGO_KIND_RESP || !t->resp.response_token.p) {
		fail(out, ST_SEC_E_INVALID_TOKEN, &why_token, "expected a NegTokenResp carrying the Kerberos AP-REQ");
		return;
	}
	accept_token(s, r, sess, t->resp.response_token.p, t->resp.response_token.len, false, &t->resp.mech_list_mic,
		     out);
}
