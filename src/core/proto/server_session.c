/* SESSION_SETUP (MS-SMB2 3.3.5.5, 3.3.5.5.1, 3.3.5.5.3) and LOGOFF
 * (3.3.5.6): entry checks, the session table, the preauth integrity hash,
 * keys, and the signing and encryption decisions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/server_internal.h"
#include "core/wire/names.h"

static const struct srv_why why_s1 = {"S1", "session.encryption_required", "MS-SMB2 3.3.5.5"};
static const struct srv_why why_s2 = {"S2", "session.encryption_required", "MS-SMB2 3.3.5.5"};
static const struct srv_why why_s3 = {"S3", "session.encryption_required", "MS-SMB2 3.3.5.5.3, 3.2.4.1.8"};
static const struct srv_why why_s4 = {"S4", NULL, "MS-SMB2 3.3.5.5"};
static const struct srv_why why_s6 = {"S6", NULL, "MS-SMB2 3.3.5.5"};
static const struct srv_why why_b12 = {"B12", NULL, "MS-SMB2 3.3.5.5"};
static const struct srv_why why_res = {"P16", NULL, "MS-SMB2 3.3.5.5.1"};
static const struct srv_why why_g22 = {"G22", NULL, "MS-SMB2 3.3.5.2.6"};
static const struct srv_why why_local = {"local", NULL, "MS-SMB2 3.3.5.5.3"};

static unsigned
max_sessions(const struct smb2_server *s)
{
	unsigned n = s->pol->max_sessions ? s->pol->max_sessions : 16;

	return n > SRV_MAX_SESSIONS_CAP ? SRV_MAX_SESSIONS_CAP : n;
}

/* 3.3.5.5.1: a new session, State InProgress. NULL when the table is full. */
static struct srv_session *
session_new(struct smb2_server *s)
{
	struct srv_session *sess;
	unsigned i, used = 0, slot = SRV_MAX_SESSIONS_CAP;

	for (i = 0; i < SRV_MAX_SESSIONS_CAP; i++) {
		if (s->sessions[i])
			used++;
		else if (slot == SRV_MAX_SESSIONS_CAP)
			slot = i;
	}
	if (used >= max_sessions(s) || slot == SRV_MAX_SESSIONS_CAP)
		return NULL;
	sess = calloc(1, sizeof(*sess));
	if (sess == NULL)
		return NULL;
	sess->id = s->next_session_id++;
	sess->state = SESS_IN_PROGRESS;
	sess->next_tree_id = 1;
	if (s->dialect == SMB2_DIALECT_311)
		smb311_preauth_session_start(sess->preauth, s->preauth);
	s->sessions[slot] = sess;
	return sess;
}

/* S1 / S2: EncryptData with RejectUnencryptedAccess refuses clients that
 * cannot encrypt before any token is read. */
static bool
entry_checks(struct smb2_server *s, struct srv_req *r)
{
	const struct smb2s_policy *p = s->pol;

	if (!p->encrypt_data || !p->reject_unencrypted_access)
		return true;
	if (p->max_dialect >= SMB2_DIALECT_300 && !srv_is_3x(s->dialect)) {
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_s1, "EncryptData and RejectUnencryptedAccess, but dialect %s "
			   "cannot encrypt", smb2_dialect_name(s->dialect));
		return false;
	}
	if (srv_is_3x(s->dialect) && !(s->client_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION)) {
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_s2, "EncryptData and RejectUnencryptedAccess, but the client's "
			   "NEGOTIATE lacked CAP_ENCRYPTION");
		return false;
	}
	return true;
}

static void
answer(struct smb2_server *s, struct srv_req *r, uint32_t status, uint16_t flags, const uint8_t *tok,
       size_t tok_len, bool sign)
{
	struct smb2_session_setup_rsp rsp;
	struct sd_wr w;

	memset(&rsp, 0, sizeof(rsp));
	rsp.session_flags = flags;
	rsp.secbuf = tok;
	rsp.secbuf_len = (uint16_t)tok_len;
	srv_begin(s, r, status, &w);
	smb2_session_setup_rsp_encode(&rsp, &w);
	if (!sd_wr_ok(&w))
		return;
	/* 3.1.1: MORE_PROCESSING answers enter the session's preauth hash. */
	if (status == ST_MORE_PROCESSING_REQUIRED && s->dialect == SMB2_DIALECT_311 && r->sess)
		smb311_preauth_update(s->crypto, r->sess->preauth, s->rsp, w.len);
	srv_finish(s, r, &w, sign);
}

/* A4: the session becomes valid. Returns the SessionFlags. */
static uint16_t
establish(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const struct srv_gss_out *g,
	  uint8_t client_security_mode)
{
	uint16_t flags = 0;
	enum smb3_cipher cipher = SMB3_CIPHER_NONE;

	sess->state = SESS_VALID;
	sess->is_anonymous = g->anonymous;
	sess->is_guest = g->guest;
	if (g->anonymous)
		flags |= SMB2_SESSION_FLAG_IS_NULL;
	if (g->guest)
		flags |= SMB2_SESSION_FLAG_IS_GUEST;
	if (!g->anonymous)
		s->constrained = false;
	if (g->have_key && g->key_len && g->key_len <= sizeof(sess->session_key)) {
		memcpy(sess->session_key, g->key, g->key_len);
		sess->session_key_len = g->key_len;
		if (s->dialect == SMB2_DIALECT_311)
			cipher = (enum smb3_cipher)s->cipher_id;
		else if (srv_is_3x(s->dialect) && s->cipher_id)
			cipher = SMB3_CIPHER_AES128_CCM;
		if (smb3_derive_keys(s->crypto, s->dialect, cipher, sess->session_key, sess->session_key_len,
				     s->dialect == SMB2_DIALECT_311 ? sess->preauth : NULL, &sess->keys) == SD_OK)
			sess->have_keys = true;
	}
	sess->signing_required = (client_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED) ||
				 (!g->guest && !g->anonymous && (s->should_sign || s->pol->require_message_signing));
	/* Encryption (3.3.5.5.3): the literal text also demands
	 * RejectUnencryptedAccess; Windows encrypts for every client that can
	 * when EncryptData is on, and the reject switch only decides about
	 * the others (S1/S2, T5). We follow Windows. */
	if (s->pol->encrypt_data && srv_is_3x(s->dialect) && srv_can_encrypt(s) && sess->have_keys) {
		sess->encrypt_data = true;
		sess->signing_required = false;
		flags |= SMB2_SESSION_FLAG_ENCRYPT_DATA;
	}
	free(sess->ntlm_negotiate);
	free(sess->ntlm_challenge);
	sess->ntlm_negotiate = sess->ntlm_challenge = NULL;
	srv_krb_end(s, sess);
	(void)r;
	return flags;
}

static void
ok_event(struct smb2_server *s, const struct srv_req *r, const struct srv_session *sess, uint16_t flags)
{
	struct smb2s_event *ev = srv_event(s, SMB2S_EV_SESSION_OK, r);

	ev->session_flags = flags;
	ev->signing_required = sess->signing_required;
	ev->encrypted = sess->encrypt_data;
	snprintf(ev->user, sizeof(ev->user), "%s", sess->user);
	snprintf(ev->domain, sizeof(ev->domain), "%s", sess->domain);
	srv_event_text(ev, "session 0x%016llx for %s%s%s%s%s", (unsigned long long)sess->id,
		       sess->is_anonymous ? "anonymous" : sess->user, sess->is_guest ? " as guest" : "",
		       sess->signing_required ? ", signing required" : "", sess->encrypt_data ? ", encrypted" : "",
		       sess->is_guest ? " (Windows clients refuse insecure guest logons)" : "");
	if (sess->is_guest)
		ev->finding = "session.guest_fallback";
}

/* Finds or creates the session this request belongs to; NULL after
 * refusing. */
static struct srv_session *
session_for(struct smb2_server *s, struct srv_req *r, const struct smb2_session_setup_req *req)
{
	struct srv_session *sess;

	if (srv_is_3x(s->dialect) && (req->flags & SMB2_SESSION_FLAG_BINDING)) {
		srv_refuse(s, r, ST_REQUEST_NOT_ACCEPTED, &why_b12, "session binding: this server is not "
			   "multichannel capable");
		return NULL;
	}
	if (r->hdr.session_id == 0) {
		if (!entry_checks(s, r))
			return NULL;
		if (srv_fault_silent(s, r, SMB2S_FAULT_SESSION_SETUP))
			return NULL;
		sess = session_new(s);
		if (sess == NULL)
			srv_refuse(s, r, ST_INSUFFICIENT_RESOURCES, &why_res, "too many sessions on this connection");
		return sess;
	}
	sess = srv_session_find(s, r->hdr.session_id);
	if (sess == NULL) {
		srv_refuse(s, r, ST_USER_SESSION_DELETED, &why_s4, "SESSION_SETUP for unknown session 0x%016llx",
			   (unsigned long long)r->hdr.session_id);
		return NULL;
	}
	if (srv_fault_silent(s, r, SMB2S_FAULT_SESSION_SETUP))
		return NULL;
	if (sess->state != SESS_IN_PROGRESS) {
		srv_refuse(s, r, ST_REQUEST_NOT_ACCEPTED, &why_s6, "re-authentication of a valid session is not "
			   "supported");
		return NULL;
	}
	return sess;
}

void
srv_session_setup(struct smb2_server *s, struct srv_req *r)
{
	struct smb2_session_setup_req req;
	struct srv_gss_out *g;
	struct srv_session *sess;
	struct smb2s_event *ev;
	uint16_t flags;

	if (smb2_session_setup_req_decode(r->msg, r->len, &req) != SD_OK) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_g22, "SESSION_SETUP request does not decode");
		return;
	}
	sess = session_for(s, r, &req);
	if (sess == NULL)
		return;
	r->sess = sess;
	if (s->dialect == SMB2_DIALECT_311)
		smb311_preauth_update(s->crypto, sess->preauth, r->msg, r->len);
	g = malloc(sizeof(*g));
	if (g == NULL) {
		srv_refuse(s, r, ST_INSUFFICIENT_RESOURCES, &why_local, "out of memory");
		return;
	}
	srv_gss_step(s, r, sess, req.secbuf, req.secbuf_len, g);
	if (g->status == ST_MORE_PROCESSING_REQUIRED) {
		answer(s, r, g->status, 0, g->token, g->token_len, false);
	} else if (g->status != ST_SUCCESS) {
		/* A1: the session goes away with the failure. */
		ev = srv_refuse(s, r, g->status, &g->why, "%s", g->text);
		if (g->kerberos) {
			ev->kerberos = true;
			ev->krb_error = g->krb_error;
		}
		r->sess = NULL;
		srv_session_free(s, sess);
	} else if (s->pol->encrypt_data && s->pol->reject_unencrypted_access && srv_is_3x(s->dialect) &&
		   (g->guest || g->anonymous)) {
		/* S3: the server encrypts every session, and a guest or null
		 * session has no key to encrypt with (3.2.4.1.8). Read to the
		 * letter, 3.3.5.5.3 would let it in and 3.3.5.2.9 refuse its
		 * every request; like Samba, refuse it here, where the cause is. */
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_s3, "EncryptData and RejectUnencryptedAccess, but %s "
			   "session has no key to encrypt with", g->anonymous ? "an anonymous" : "a guest");
		r->sess = NULL;
		srv_session_free(s, sess);
	} else {
		flags = establish(s, r, sess, g, req.security_mode);
		ok_event(s, r, sess, flags);
		/* Final answer: signed unless guest or anonymous (3.3.5.5.3). */
		answer(s, r, ST_SUCCESS, flags, g->token, g->token_len, sess->have_keys);
		if (!sess->have_keys && !sess->is_guest && !sess->is_anonymous) {
			ev = srv_event(s, SMB2S_EV_REFUSED, r);
			ev->rule = "local";
			srv_event_text(ev, "key derivation failed: the answer is unsigned");
		}
	}
	memset(g, 0, sizeof(*g));
	free(g);
}

void
srv_logoff(struct smb2_server *s, struct srv_req *r)
{
	struct smb2s_event *ev;
	struct sd_wr w;

	srv_begin(s, r, ST_SUCCESS, &w);
	smb2_empty_body_encode(&w);
	srv_finish(s, r, &w, false);
	ev = srv_event(s, SMB2S_EV_LOGOFF, r);
	srv_event_text(ev, "session 0x%016llx logged off", (unsigned long long)r->sess->id);
	srv_session_free(s, r->sess);
	r->sess = NULL;
}
