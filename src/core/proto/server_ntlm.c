/* The GSS step of SESSION_SETUP (MS-SMB2 3.3.5.5.3) with SPNEGO (MS-SPNG
 * 3.2.5) and NTLM as acceptor (MS-NLMP 3.2.5): CHALLENGE, then the
 * AUTHENTICATE checked against the account table (NTLMv2 only), its MIC,
 * the SPNEGO mechListMIC, the account state and the SMB server name
 * hardening level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth/ntlmssp.h"
#include "core/auth/spnego.h"
#include "core/proto/server_internal.h"
#include "core/wire/utf16.h"

#define SERVER_NTLM_OFFER                                                                                     \
	(NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |            \
	 NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_KEY_EXCH)

static const struct srv_why why_token = {"A1", NULL, "MS-SPNG 3.2.5; MS-SMB2 3.3.5.5.3"};
static const struct srv_why why_mech = {"A1", NULL, "MS-SPNG 3.2.5.1"};
static const struct srv_why why_logon = {"A1", "session.logon_failure", "MS-NLMP 3.2.5.1.2"};
static const struct srv_why why_v1 = {"A1", "session.ntlmv1", "MS-NLMP 3.2.5.1.2"};
static const struct srv_why why_account = {"A1", "session.account_restriction", "MS-APDS 3.1.5"};
static const struct srv_why why_mic = {"A1", "session.logon_failure", "MS-NLMP 3.2.5.1.2 (MIC)"};
static const struct srv_why why_list_mic = {"A1", "session.logon_failure", "MS-SPNG 3.2.5.1 (mechListMIC)"};
static const struct srv_why why_hardening = {"SPN", "session.name_hardening",
					     "MS-NLMP 3.2.5.1.2; SmbServerNameHardeningLevel"};

static void
fail(struct srv_gss_out *out, uint32_t status, const struct srv_why *why, const char *text)
{
	out->status = status;
	out->why = *why;
	snprintf(out->text, sizeof(out->text), "%s", text);
}

static void
av_utf16(struct sd_wr *w, uint16_t id, const char *text)
{
	uint8_t buf[2 * SMB2S_NAME_MAX];
	struct sd_wr t;

	sd_wr_init(&t, buf, sizeof(buf));
	sd_utf8_to_utf16le(text, strlen(text), &t);
	ntlm_encode_av_pair(w, id, buf, (uint16_t)t.len);
}

/* Wraps a mechanism's token the way the client's first token came: bare,
 * or in a SPNEGO NegTokenResp naming the mechanism in its first answer.
 * Shared by NTLM and Kerberos. */
void
srv_gss_wrap(struct srv_session *sess, enum spnego_mech mech, const uint8_t *tok, size_t len, uint8_t neg_state,
	     bool first, const uint8_t *list_mic, size_t list_mic_len, struct srv_gss_out *out)
{
	struct spnego_resp resp;
	struct sd_wr w;

	sd_wr_init(&w, out->token, sizeof(out->token));
	if (!sess->spnego) {
		sd_wr_bytes(&w, tok, len);
	} else {
		memset(&resp, 0, sizeof(resp));
		resp.has_neg_state = true;
		resp.neg_state = neg_state;
		resp.supported_mech = first ? mech : SPNEGO_MECH_NONE;
		resp.response_token.p = len ? tok : NULL;
		resp.response_token.len = len;
		resp.mech_list_mic.p = list_mic;
		resp.mech_list_mic.len = list_mic_len;
		spnego_encode_resp(&w, &resp);
	}
	out->token_len = sd_wr_ok(&w) ? w.len : 0;
}

/* NTLM NEGOTIATE -> CHALLENGE (MS-NLMP 3.2.5.1.1). */
static void
challenge(struct smb2_server *s, struct srv_session *sess, const uint8_t *tok, size_t len, bool first,
	  struct srv_gss_out *out)
{
	struct ntlm_negotiate neg;
	struct ntlm_challenge ch;
	uint8_t av[512], name16[2 * SMB2S_NAME_MAX], ts[8];
	char dns[SMB2S_NAME_MAX];
	struct sd_wr w, nw;

	if (ntlm_decode_negotiate(tok, len, &neg) != SD_OK || len > SRV_TOKEN_CAP) {
		fail(out, ST_SEC_E_INVALID_TOKEN, &why_token, "NTLM NEGOTIATE does not decode");
		return;
	}
	if (sess->ntlm_negotiate == NULL) {
		sess->ntlm_negotiate = malloc(SRV_TOKEN_CAP);
		sess->ntlm_challenge = malloc(SRV_TOKEN_CAP);
		if (sess->ntlm_negotiate == NULL || sess->ntlm_challenge == NULL) {
			fail(out, ST_INSUFFICIENT_RESOURCES, &why_token, "out of memory");
			return;
		}
	}
	memcpy(sess->ntlm_negotiate, tok, len);
	sess->ntlm_negotiate_len = len;

	sess->ntlm_flags = NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
			   NTLMSSP_TARGET_TYPE_SERVER | NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION |
			   (neg.flags & SERVER_NTLM_OFFER) |
			   ((neg.flags & NTLMSSP_NEGOTIATE_UNICODE) ? NTLMSSP_NEGOTIATE_UNICODE : NTLMSSP_NEGOTIATE_OEM);
	s->ctx->random(s->ctx->user, sess->server_challenge, sizeof(sess->server_challenge));

	srv_dns_name(s->pol, dns, sizeof(dns));
	sd_store_u64le(ts, s->ctx->filetime(s->ctx->user));
	sd_wr_init(&w, av, sizeof(av));
	av_utf16(&w, NTLM_AV_NB_DOMAIN_NAME, srv_netbios_domain(s->pol));
	av_utf16(&w, NTLM_AV_NB_COMPUTER_NAME, srv_netbios_name(s->pol));
	av_utf16(&w, NTLM_AV_DNS_DOMAIN_NAME, dns);
	av_utf16(&w, NTLM_AV_DNS_COMPUTER_NAME, dns);
	ntlm_encode_av_pair(&w, NTLM_AV_TIMESTAMP, ts, sizeof(ts));
	ntlm_encode_av_pair(&w, NTLM_AV_EOL, NULL, 0);
	sd_wr_init(&nw, name16, sizeof(name16));
	sd_utf8_to_utf16le(srv_netbios_name(s->pol), strlen(srv_netbios_name(s->pol)), &nw);

	memset(&ch, 0, sizeof(ch));
	ch.flags = sess->ntlm_flags;
	memcpy(ch.server_challenge, sess->server_challenge, 8);
	ch.target_name.p = name16;
	ch.target_name.len = (uint16_t)nw.len;
	ch.target_info.p = av;
	ch.target_info.len = (uint16_t)w.len;
	ch.version.present = true;
	ch.version.major = 10;
	ch.version.build = 20348;
	ch.version.revision = 15;
	sd_wr_init(&w, sess->ntlm_challenge, SRV_TOKEN_CAP);
	if (ntlm_encode_challenge(&w, &ch) != SD_OK) {
		fail(out, ST_INSUFFICIENT_RESOURCES, &why_token, "CHALLENGE does not fit");
		return;
	}
	sess->ntlm_challenge_len = w.len;
	sess->leg = GSS_WANT_AUTHENTICATE;
	out->status = ST_MORE_PROCESSING_REQUIRED;
	srv_gss_wrap(sess, SPNEGO_MECH_NTLMSSP, sess->ntlm_challenge, sess->ntlm_challenge_len, SPNEGO_ACCEPT_INCOMPLETE, first, NULL, 0, out);
}

/* Text of an AUTHENTICATE field: UTF-16LE, or OEM taken as Latin-1. */
static void
field_text(const struct ntlm_authenticate *a, const struct ntlm_field *f, char *dst, size_t cap)
{
	size_t i, n = 0;

	dst[0] = '\0';
	if (f->p == NULL)
		return;
	if (a->flags & NTLMSSP_NEGOTIATE_UNICODE) {
		if (sd_utf16le_to_utf8(f->p, f->len, dst, cap, &n) != SD_OK && n == 0)
			dst[0] = '\0';
		return;
	}
	for (i = 0; i < f->len && i + 1 < cap; i++)
		dst[i] = (char)f->p[i];
	dst[i] = '\0';
}

/* UTF-16LE form of a field for the NTLMv2 computation. */
static size_t
field_utf16(const struct ntlm_authenticate *a, const struct ntlm_field *f, uint8_t *buf, size_t cap)
{
	size_t i;

	if (f->p == NULL)
		return 0;
	if (a->flags & NTLMSSP_NEGOTIATE_UNICODE) {
		if (f->len > cap)
			return 0;
		memcpy(buf, f->p, f->len);
		return f->len;
	}
	for (i = 0; i < f->len && 2 * i + 1 < cap; i++) {
		buf[2 * i] = f->p[i];
		buf[2 * i + 1] = 0;
	}
	return 2 * i;
}

static void
auth_event(struct smb2_server *s, const struct srv_req *r, const struct ntlm_authenticate *a, const char *user,
	   const char *domain, const char *target)
{
	struct smb2s_event *ev = srv_event(s, SMB2S_EV_SESSION_AUTH, r);

	snprintf(ev->user, sizeof(ev->user), "%s", user);
	snprintf(ev->domain, sizeof(ev->domain), "%s", domain);
	field_text(a, &a->workstation, ev->workstation, sizeof(ev->workstation));
	snprintf(ev->target_name, sizeof(ev->target_name), "%s", target);
	ev->ntlm_kind = (uint8_t)a->kind;
	/* A user name with empty responses is no anonymous logon: the client
	 * had no password to give (smbclient -N tries this first). */
	srv_event_text(ev, "NTLM AUTHENTICATE (%s) from %s\\%s, workstation %s, target name %s",
		       user[0] && (a->kind == NTLM_RESP_ANONYMOUS || a->kind == NTLM_RESP_NONE)
			       ? "empty responses, no password"
			       : ntlm_response_kind_name(a->kind),
		       domain, user[0] ? user : "(anonymous)", ev->workstation, target[0] ? target : "(none)");
}

/* SMB server name hardening (SmbServerNameHardeningLevel). */
bool
srv_target_name_ok(const struct smb2_server *s, const char *target, bool present)
{
	const struct smb2s_policy *p = s->pol;
	char dns[SMB2S_NAME_MAX];
	const char *host;
	uint8_t i;

	if (p->name_hardening_level == 0)
		return true;
	if (!present || target[0] == '\0')
		return p->name_hardening_level == 1;
	if (strncmp(target, "cifs/", 5) != 0 && strncmp(target, "CIFS/", 5) != 0)
		return false;
	host = target + 5;
	if (p->n_accepted_names == 0) {
		srv_dns_name(p, dns, sizeof(dns));
		return srv_name_eq(host, srv_netbios_name(p)) || srv_name_eq(host, dns);
	}
	for (i = 0; i < p->n_accepted_names; i++)
		if (srv_name_eq(host, p->accepted_names[i]))
			return true;
	return false;
}

struct auth_names {
	char user[SMB2S_NAME_MAX];
	char domain[SMB2S_NAME_MAX];
	char target[SMB2S_NAME_MAX * 2];
	bool target_present;
};

/* Checks an NTLMv2 response for a known user; fills the exported key. */
static void
verify_user(struct smb2_server *s, struct srv_session *sess, const struct ntlm_authenticate *a,
	    const struct smb2s_user *u, const struct spnego_token *tok, const struct auth_names *n,
	    struct srv_gss_out *out)
{
	uint8_t user16[2 * SMB2S_NAME_MAX], dom16[2 * SMB2S_NAME_MAX], base[NTLM_KEY_LEN];
	size_t ul = field_utf16(a, &a->user, user16, sizeof(user16));
	size_t dl = field_utf16(a, &a->domain, dom16, sizeof(dom16));
	enum sd_err err;

	err = ntlm_v2_verify(s->crypto, u->nt_hash, user16, ul, dom16, dl, sess->server_challenge, a->nt_response.p,
			     a->nt_response.len, base);
	if (err == SD_ERR_VERIFY && dl != 0)
		err = ntlm_v2_verify(s->crypto, u->nt_hash, user16, ul, dom16, 0, sess->server_challenge,
				     a->nt_response.p, a->nt_response.len, base);
	if (err) {
		fail(out, ST_LOGON_FAILURE, &why_logon, "wrong password (the NTLMv2 proof does not verify)");
		return;
	}
	if (u->state != SMB2S_ACCOUNT_OK) {
		out->status = smb2s_account_status(u->state);
		out->why = why_account;
		snprintf(out->text, sizeof(out->text), "password right, but the account is %s",
			 smb2s_account_name(u->state));
		return;
	}
	if (ntlm_exported_session_key(s->crypto, a->flags, base, a->session_key.p, a->session_key.len, out->key)) {
		fail(out, ST_SEC_E_INVALID_TOKEN, &why_token, "KEY_EXCH without a valid EncryptedRandomSessionKey");
		return;
	}
	if ((a->mic_announced && !a->has_mic) ||
	    (a->has_mic && ntlm_mic_verify(s->crypto, out->key, sess->ntlm_negotiate, sess->ntlm_negotiate_len,
					   sess->ntlm_challenge, sess->ntlm_challenge_len, a->raw, a->raw_len,
					   NTLM_MIC_OFFSET) != SD_OK)) {
		fail(out, ST_LOGON_FAILURE, &why_mic, "the AUTHENTICATE MIC does not verify");
		return;
	}
	if (tok && tok->resp.mech_list_mic.p && sess->mech_types_len &&
	    ntlm_mech_list_mic_verify(s->crypto, a->flags, out->key, NTLM_CLIENT_TO_SERVER, sess->mech_types,
				      sess->mech_types_len, tok->resp.mech_list_mic.p,
				      tok->resp.mech_list_mic.len) != SD_OK) {
		fail(out, ST_LOGON_FAILURE, &why_list_mic, "the SPNEGO mechListMIC does not verify");
		return;
	}
	if (!srv_target_name_ok(s, n->target, n->target_present)) {
		out->status = ST_ACCESS_DENIED;
		out->why = why_hardening;
		snprintf(out->text, sizeof(out->text), "target name '%.96s' refused at SmbServerNameHardeningLevel %u",
			 n->target_present ? n->target : "(none)", s->pol->name_hardening_level);
		return;
	}
	out->have_key = true;
	out->key_len = NTLM_KEY_LEN;
	out->status = ST_SUCCESS;
}

/* The final answer: accept-completed with our mechListMIC when the
 * client sent one (MS-SPNG 3.2.5.1). */
static void
final_token(struct smb2_server *s, struct srv_session *sess, const struct ntlm_authenticate *a,
	    const struct spnego_token *tok, struct srv_gss_out *out)
{
	uint8_t mic[NTLM_SIGNATURE_LEN];
	size_t mic_len = 0;

	if (out->have_key && tok && tok->resp.mech_list_mic.p && sess->mech_types_len &&
	    ntlm_mech_list_mic(s->crypto, a->flags, out->key, NTLM_SERVER_TO_CLIENT, sess->mech_types,
			       sess->mech_types_len, mic) == SD_OK)
		mic_len = sizeof(mic);
	srv_gss_wrap(sess, SPNEGO_MECH_NTLMSSP, NULL, 0, SPNEGO_ACCEPT_COMPLETED, false, mic_len ? mic : NULL, mic_len, out);
}

static void
authenticate(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const uint8_t *tok, size_t len,
	     const struct spnego_token *sp, struct srv_gss_out *out)
{
	struct ntlm_authenticate a;
	struct auth_names n;
	const struct smb2s_user *u;

	memset(&n, 0, sizeof(n));
	if (ntlm_decode_authenticate(tok, len, &a) != SD_OK) {
		fail(out, ST_SEC_E_INVALID_TOKEN, &why_token, "NTLM AUTHENTICATE does not decode");
		return;
	}
	field_text(&a, &a.user, n.user, sizeof(n.user));
	field_text(&a, &a.domain, n.domain, sizeof(n.domain));
	if (a.kind == NTLM_RESP_NTLMV2 && a.v2.av.target_name &&
	    !(a.v2.av.has_flags && (a.v2.av.flags & NTLM_AVFLAG_UNTRUSTED_SPN))) {
		n.target_present = true;
		sd_utf16le_to_utf8(a.v2.av.target_name, a.v2.av.target_name_len, n.target, sizeof(n.target), NULL);
	}
	auth_event(s, r, &a, n.user, n.domain, n.target);
	snprintf(sess->user, sizeof(sess->user), "%s", n.user);
	snprintf(sess->domain, sizeof(sess->domain), "%s", n.domain);

	if ((a.kind == NTLM_RESP_ANONYMOUS || a.kind == NTLM_RESP_NONE) && n.user[0] == '\0') {
		out->anonymous = true;
		out->status = ST_SUCCESS;
	} else if (a.kind == NTLM_RESP_ANONYMOUS || a.kind == NTLM_RESP_NONE) {
		fail(out, ST_LOGON_FAILURE, &why_logon, "a user name with empty responses (no password given)");
	} else if (a.kind != NTLM_RESP_NTLMV2) {
		fail(out, ST_LOGON_FAILURE, &why_v1, "NTLMv1 / LM responses are refused (NTLMv2 only)");
	} else if ((u = smb2s_policy_user(s->pol, n.user)) != NULL) {
		verify_user(s, sess, &a, u, sp, &n, out);
	} else if (s->pol->guest == SMB2S_GUEST_BAD_USER) {
		out->guest = true;  /* MS-NLMP 3.2.5.1.2: unknown user, guest enabled */
		out->status = ST_SUCCESS;
	} else {
		fail(out, ST_LOGON_FAILURE, &why_logon, "unknown user name");
	}
	if (out->status == ST_SUCCESS)
		final_token(s, sess, &a, sp, out);
}

/* The client's MechTypeList, kept for the mechListMIC. */
static void
first_leg_list(struct srv_session *sess, const struct spnego_token *t)
{
	sess->spnego = true;
	sess->mech_types_len = 0;
	if (t->init.mech_types_der.len <= sizeof(sess->mech_types)) {
		memcpy(sess->mech_types, t->init.mech_types_der.p, t->init.mech_types_der.len);
		sess->mech_types_len = t->init.mech_types_der.len;
	}
}

/* First leg: SPNEGO NegTokenInit (or a raw NTLMSSP / Kerberos token, or
 * nothing). */
static void
first_leg(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const struct spnego_token *t,
	  struct srv_gss_out *out)
{
	uint8_t i;
	bool has_ntlm = false;

	if (srv_krb_wanted(s, t)) {
		if (t->kind == SPNEGO_KIND_INIT)
			first_leg_list(sess, t);
		srv_krb_first(s, r, sess, t, out);
		return;
	}
	if (t->kind == SPNEGO_KIND_RAW_NTLMSSP) {
		sess->spnego = false;
		challenge(s, sess, t->raw.p, t->raw.len, false, out);
		return;
	}
	if (t->kind != SPNEGO_KIND_INIT) {
		fail(out, ST_LOGON_FAILURE, &why_mech, t->kind == SPNEGO_KIND_RAW_KRB5
			     ? "raw Kerberos token, but no keytab is configured (NTLM only)"
			     : "first security token is not an SPNEGO NegTokenInit");
		return;
	}
	first_leg_list(sess, t);
	for (i = 0; i < t->init.n_mechs; i++)
		has_ntlm |= t->init.mechs[i] == SPNEGO_MECH_NTLMSSP;
	if (!has_ntlm) {
		fail(out, ST_LOGON_FAILURE, &why_mech, srv_krb_offered(s)
			     ? "the client offers neither Kerberos nor NTLMSSP"
			     : "the client offers no NTLMSSP mechanism (Kerberos only? no keytab is configured)");
		return;
	}
	if (t->init.mechs[0] == SPNEGO_MECH_NTLMSSP && t->init.mech_token.p) {
		challenge(s, sess, t->init.mech_token.p, t->init.mech_token.len, true, out);
		return;
	}
	/* The optimistic token is for another mechanism: select NTLMSSP and
	 * wait for its NEGOTIATE. */
	sess->leg = GSS_WANT_NTLM_NEGOTIATE;
	out->status = ST_MORE_PROCESSING_REQUIRED;
	srv_gss_wrap(sess, SPNEGO_MECH_NTLMSSP, NULL, 0, SPNEGO_ACCEPT_INCOMPLETE, true, NULL, 0, out);
}

static void
mech_list(const struct smb2_server *s, struct spnego_init *init)
{
	uint8_t mechs[SPNEGO_MECHS_MAX], i;

	init->n_mechs = srv_mech_list(s, mechs, SPNEGO_MECHS_MAX);
	for (i = 0; i < init->n_mechs; i++)
		init->mechs[i] = (enum spnego_mech)mechs[i];
}

static void
server_initiates(struct smb2_server *s, struct srv_gss_out *out)
{
	struct spnego_init init;
	struct sd_wr w;

	memset(&init, 0, sizeof(init));
	mech_list(s, &init);
	init.has_neg_hints = true;
	init.hint_name.p = (const uint8_t *)SPNEGO_WINDOWS_HINT_NAME;
	init.hint_name.len = strlen(SPNEGO_WINDOWS_HINT_NAME);
	sd_wr_init(&w, out->token, sizeof(out->token));
	spnego_encode_init2(&w, &init);
	out->token_len = sd_wr_ok(&w) ? w.len : 0;
	out->status = ST_MORE_PROCESSING_REQUIRED;
}

static void
gss_step_whole(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const uint8_t *secbuf,
	       size_t secbuf_len, struct srv_gss_out *out)
{
	struct spnego_token t;
	struct spnego_blob inner;

	if (secbuf_len == 0 && sess->leg == GSS_WANT_NEGOTIATE) {
		server_initiates(s, out);  /* the client waits for our NegTokenInit2 */
		return;
	}
	if (spnego_decode(secbuf, secbuf_len, &t) != SD_OK) {
		fail(out, ST_SEC_E_INVALID_TOKEN, &why_token, "security buffer is not SPNEGO, NTLMSSP or Kerberos");
		return;
	}
	if (sess->leg == GSS_WANT_NEGOTIATE) {
		first_leg(s, r, sess, &t, out);
		return;
	}
	if (sess->leg == GSS_WANT_KRB_AP_REQ) {
		srv_krb_next(s, r, sess, &t, out);
		return;
	}
	if (sess->spnego && t.kind != SPNEGO_KIND_RESP) {
		fail(out, ST_SEC_E_INVALID_TOKEN, &why_token, "expected an SPNEGO NegTokenResp");
		return;
	}
	if (!sess->spnego && t.kind != SPNEGO_KIND_RAW_NTLMSSP) {
		fail(out, ST_SEC_E_INVALID_TOKEN, &why_token, "expected a raw NTLMSSP token");
		return;
	}
	inner = spnego_inner_token(&t);
	if (inner.p == NULL) {
		fail(out, ST_SEC_E_INVALID_TOKEN, &why_token, "no NTLMSSP token in the security buffer");
		return;
	}
	if (sess->leg == GSS_WANT_NTLM_NEGOTIATE)
		challenge(s, sess, inner.p, inner.len, false, out);
	else
		authenticate(s, r, sess, inner.p, inner.len, sess->spnego ? &t : NULL, out);
}

void
srv_gss_step(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const uint8_t *secbuf,
	     size_t secbuf_len, struct srv_gss_out *out)
{
	memset(out, 0, sizeof(*out));
	switch (srv_frag_take(sess, &secbuf, &secbuf_len)) {
	case SRV_FRAG_MORE:
		out->status = ST_MORE_PROCESSING_REQUIRED;  /* an empty blob: send the rest */
		return;
	case SRV_FRAG_BAD:
		fail(out, ST_SEC_E_INVALID_TOKEN, &why_token, "security token fragments exceed the declared length "
		     "or 64 KiB");
		return;
	default:
		break;
	}
	gss_step_whole(s, r, sess, secbuf, secbuf_len, out);
	srv_frag_free(sess);   /* what was used of it has been copied */
}
