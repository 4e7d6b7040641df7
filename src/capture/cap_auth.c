/* SESSION_SETUP security blobs as evidence: SPNEGO, then NTLMSSP (user,
 * domain, workstation, MsvAvTargetName, NTLM version; the server's names
 * from the CHALLENGE) or Kerberos (the AP-REQ's service name; a KRB-ERROR
 * the server sent back becomes a Kerberos record of the connection). */
#include <stdio.h>
#include <string.h>

#include "capture/cap_smb.h"
#include "core/auth/krb5msg.h"
#include "core/auth/ntlmssp.h"
#include "core/auth/spnego.h"
#include "core/wire/utf16.h"

static void
ntlm_text(const struct ntlm_field *fld, bool unicode, char *out, size_t cap)
{
	size_t i, n;

	out[0] = '\0';
	if (fld->p == NULL || fld->len == 0)
		return;
	if (unicode) {
		sd_utf16le_to_utf8(fld->p, fld->len, out, cap, NULL);
		return;
	}
	/* OEM code page: ASCII is all that can be trusted. */
	n = fld->len < cap - 1 ? fld->len : cap - 1;
	for (i = 0; i < n; i++)
		out[i] = fld->p[i] >= 0x20 && fld->p[i] < 0x7F ? (char)fld->p[i] : '?';
	out[n] = '\0';
}

static void
av_text(const struct ntlm_av_list *av, uint16_t id, char *out, size_t cap)
{
	const struct ntlm_av_pair *pair = ntlm_av_find(av, id);

	if (pair != NULL && pair->len > 0)
		sd_utf16le_to_utf8(pair->value, pair->len, out, cap, NULL);
}

static enum ev_ntlm_version
ntlm_version(enum ntlm_response_kind kind)
{
	switch (kind) {
	case NTLM_RESP_NTLMV2: return EV_NTLM_V2;
	case NTLM_RESP_NTLMV1:
	case NTLM_RESP_NTLMV1_ESS: return EV_NTLM_V1;
	case NTLM_RESP_LM_ONLY: return EV_NTLM_LM;
	case NTLM_RESP_ANONYMOUS:
	case NTLM_RESP_NONE: return EV_NTLM_ANONYMOUS;
	default: return EV_NTLM_UNKNOWN;
	}
}

static void
ntlm_authenticate(struct ev_session *s, const uint8_t *p, size_t len)
{
	struct ntlm_authenticate au;
	bool unicode;

	if (ntlm_decode_authenticate(p, len, &au) != SD_OK)
		return;
	unicode = (au.flags & NTLMSSP_NEGOTIATE_UNICODE) != 0;
	s->mechanism = EV_MECH_NTLMSSP;
	ntlm_text(&au.user, unicode, s->user, sizeof(s->user));
	ntlm_text(&au.domain, unicode, s->domain, sizeof(s->domain));
	ntlm_text(&au.workstation, unicode, s->workstation, sizeof(s->workstation));
	s->ntlm_version = ntlm_version(au.kind);
	s->ntlm.seen |= NTLM_SEEN_AUTHENTICATE;
	s->ntlm.authenticate = au.flags;
	s->ntlm.key_exchanged = au.session_key.len > 0;
	if (s->ntlm_version == EV_NTLM_ANONYMOUS && s->user[0] == '\0')
		s->mechanism = EV_MECH_ANONYMOUS;
	if (au.kind == NTLM_RESP_NTLMV2 && au.v2.av.target_name != NULL)
		sd_utf16le_to_utf8(au.v2.av.target_name, au.v2.av.target_name_len, s->target_name,
				   sizeof(s->target_name), NULL);
}

static void
ntlm_token(struct ev_session *s, const uint8_t *p, size_t len)
{
	uint32_t type;

	if (ntlm_message_type(p, len, &type) != SD_OK)
		return;
	if (type == NTLM_NEGOTIATE) {
		struct ntlm_negotiate neg;

		if (s->mechanism == EV_MECH_UNKNOWN)
			s->mechanism = EV_MECH_NTLMSSP;
		/* A new NTLM exchange starts its trail afresh. */
		memset(&s->ntlm, 0, sizeof(s->ntlm));
		if (ntlm_decode_negotiate(p, len, &neg) == SD_OK) {
			s->ntlm.seen = NTLM_SEEN_NEGOTIATE;
			s->ntlm.negotiate = neg.flags;
		}
	} else if (type == NTLM_AUTHENTICATE) {
		ntlm_authenticate(s, p, len);
	} else if (type == NTLM_CHALLENGE) {
		struct ntlm_challenge ch;

		if (ntlm_decode_challenge(p, len, &ch) != SD_OK)
			return;
		s->ntlm.seen |= NTLM_SEEN_CHALLENGE;
		s->ntlm.challenge = ch.flags;
		av_text(&ch.av, NTLM_AV_NB_DOMAIN_NAME, s->server_nb_domain, sizeof(s->server_nb_domain));
		av_text(&ch.av, NTLM_AV_NB_COMPUTER_NAME, s->server_nb_computer, sizeof(s->server_nb_computer));
		av_text(&ch.av, NTLM_AV_DNS_COMPUTER_NAME, s->server_dns_computer, sizeof(s->server_dns_computer));
	}
}

static void
krb_str_copy(const struct krb_str *k, char *out, size_t cap)
{
	size_t n = k->p ? (k->len < cap - 1 ? k->len : cap - 1) : 0;

	if (n)
		memcpy(out, k->p, n);
	out[n] = '\0';
}

static void
krb_request_token(struct cap_analyzer *a, struct ev_session *s, const uint8_t *p, size_t len)
{
	struct krb_message m;

	s->mechanism = EV_MECH_KERBEROS;
	if (krb_decode_gss(p, len, &m) != SD_OK)
		return;
	cap_dump_krb(a, &m);
	if (m.msg_type == KRB_MSG_AP_REQ && m.u.ap_req.ticket.present)
		krb_principal_text(&m.u.ap_req.ticket.sname, s->target_name, sizeof(s->target_name));
}

void
cap_auth_request(struct cap_analyzer *a, struct ev_connection *c, const uint8_t *blob, size_t len)
{
	struct spnego_token tok;
	struct spnego_blob inner;

	if (spnego_decode(blob, len, &tok) != SD_OK)
		return;
	inner = spnego_inner_token(&tok);
	if (inner.p == NULL || inner.len == 0)
		return;
	if (inner.len >= 8 && memcmp(inner.p, "NTLMSSP", 8) == 0)
		ntlm_token(&c->session, inner.p, inner.len);
	else
		krb_request_token(a, &c->session, inner.p, inner.len);
}

/* A KRB-ERROR inside the server's SPNEGO answer: the server's Kerberos
 * acceptor refused the AP-REQ (clock skew, bad ticket). No KDC took part:
 * the record names none, only the AP-REQ it answers. */
static void
krb_error_record(struct cap_analyzer *a, struct ev_connection *c, const struct cap_flow *f, int server_dir,
		 const struct krb_message *m)
{
	const struct krb_error *e = &m->u.error;
	struct ev_kerberos *k;

	if (!cap_timeline_take(a, sizeof(*k)) || (k = ev_add_kerberos(a->t)) == NULL)
		return;
	k->at = cap_rel_time(a, a->now);
	k->frame = a->frame;
	k->message = EV_KRB_ERROR;
	k->connection = (int)c->id;
	cap_addr_ip_text(&f->addr[!server_dir], k->client, sizeof(k->client));
	k->answers = EV_KRB_AP_REQ;
	k->has_error = true;
	k->error = e->error_code;
	krb_str_copy(&e->realm, k->realm, sizeof(k->realm));
	krb_principal_text(&e->sname, k->sname, sizeof(k->sname));
	krb_principal_text(&e->cname, k->cname, sizeof(k->cname));
	krb_str_copy(&e->e_text, k->e_text, sizeof(k->e_text));
	if (e->has_ext_error) {
		k->has_ext_status = true;
		k->ext_status = e->ext_status;
	}
}

void
cap_auth_response(struct cap_analyzer *a, struct ev_connection *c, const struct cap_flow *f, int server_dir,
		  const uint8_t *blob, size_t len)
{
	struct spnego_token tok;
	struct spnego_blob inner;
	struct krb_message m;

	if (spnego_decode(blob, len, &tok) != SD_OK)
		return;
	inner = spnego_inner_token(&tok);
	if (inner.p == NULL || inner.len == 0)
		return;
	if (inner.len >= 8 && memcmp(inner.p, "NTLMSSP", 8) == 0) {
		ntlm_token(&c->session, inner.p, inner.len);
		return;
	}
	if (krb_decode_gss(inner.p, inner.len, &m) != SD_OK)
		return;
	cap_dump_krb(a, &m);
	if (m.msg_type == KRB_MSG_ERROR)
		krb_error_record(a, c, f, server_dir, &m);
}

void
cap_auth_negotiate_hint(struct ev_connection *c, const uint8_t *blob, size_t len)
{
	struct spnego_token tok;
	unsigned i;

	if (spnego_decode(blob, len, &tok) != SD_OK || tok.kind != SPNEGO_KIND_INIT)
		return;
	c->negotiate.n_server_mechs = 0;
	for (i = 0; i < tok.init.n_mechs && i < sizeof(c->negotiate.server_mechs); i++)
		c->negotiate.server_mechs[c->negotiate.n_server_mechs++] = (uint8_t)tok.init.mechs[i];
}
