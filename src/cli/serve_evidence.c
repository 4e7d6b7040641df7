/* Server events -> evidence timeline (see serve_evidence.h). The mapping
 * is mechanical: each SMB2 command of the first three steps becomes a step
 * whose outcome the refusal, drop, silence or success events decide. */
#include <stdlib.h>
#include <string.h>

#include "cli/serve_evidence.h"
#include "core/auth/ntlmssp.h"
#include "core/auth/spnego.h"
#include "core/wire/smb2_const.h"
#include "diag/rules.h"

struct serve_evidence {
	struct ev_timeline t;
	struct ev_connection *c;
	uint64_t origin_us;
	/* The last Kerberos AP-REQ of this connection. */
	bool krb_has_kvno;
	uint32_t krb_kvno;
	char krb_realm[EV_TEXT];
};

static double
secs(const struct serve_evidence *e, uint64_t at_us)
{
	return at_us >= e->origin_us ? (double)(at_us - e->origin_us) / 1e6 : 0.0;
}

struct serve_evidence *
serve_evidence_open(const struct serve_conn_info *c, uint64_t origin_us, uint16_t port)
{
	struct serve_evidence *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	ev_timeline_init(&e->t, EV_MODE_SERVE);
	e->origin_us = origin_us;
	e->c = ev_add_connection(&e->t);
	if (e->c == NULL) {
		serve_evidence_free(e);
		return NULL;
	}
	/* c->id stays 0: the rules and renderers number connections by
	 * their index in the timeline (one connection per timeline here). */
	ev_copy(e->c->client, sizeof(e->c->client), c->peer);
	ev_copy(e->c->server, sizeof(e->c->server), c->local);
	e->c->transport_port = port;
	return e;
}

static enum sd_step
step_of(uint16_t command)
{
	switch (command) {
	case SMB2S_CMD_SMB1:
	case SMB2_NEGOTIATE: return SD_STEP_NEGOTIATE;
	case SMB2_SESSION_SETUP: return SD_STEP_SESSION_SETUP;
	case SMB2_TREE_CONNECT: return SD_STEP_TREE_CONNECT;
	case SMB2_LOGOFF: return SD_STEP_LOGOFF;
	default: return SD_STEP__COUNT;
	}
}

/* The step still waiting for its answer, if it is the latest one. */
static struct ev_step *
pending_step(struct serve_evidence *e)
{
	struct ev_step *s;

	if (e->c->n_steps == 0)
		return NULL;
	s = &e->c->steps[e->c->n_steps - 1];
	return s->outcome == EV_IN_PROGRESS ? s : NULL;
}

static struct ev_step *
open_step(struct serve_evidence *e, enum sd_step step, const struct smb2s_event *ev)
{
	struct ev_step *s = pending_step(e);

	if (s && s->step == step)
		return s;
	s = ev_add_step(e->c, step);
	if (s == NULL)
		return NULL;
	s->outcome = EV_IN_PROGRESS;
	s->request_at = secs(e, ev->at_us);
	s->message_id = ev->message_id;
	return s;
}

static void
answered(struct serve_evidence *e, struct ev_step *s, const struct smb2s_event *ev, uint32_t status)
{
	if (s == NULL)
		return;
	s->outcome = EV_ANSWERED;
	s->status = status;
	s->response_at = secs(e, ev->at_us);
	if (ev->text[0])
		ev_copy(s->detail, sizeof(s->detail), ev->text);
}

static void
negotiate_offer(struct serve_evidence *e, const struct smb2s_event *ev)
{
	struct ev_negotiate *n = &e->c->negotiate;
	struct ev_step *s = pending_step(e);
	uint8_t i;

	/* An SMB1 negotiate answered with the SMB2 upgrade. */
	if (s && s->step == SD_STEP_NEGOTIATE && n->smb1_negotiate) {
		s->outcome = EV_ANSWERED;
		s->response_at = secs(e, ev->at_us);
	}
	open_step(e, SD_STEP_NEGOTIATE, ev);
	n->seen_request = true;
	for (i = 0; i < ev->n_dialects && i < EV_MAX_IDS; i++)
		n->client_dialects[i] = ev->dialects[i];
	n->n_client_dialects = i;
	n->client_security_mode = ev->security_mode;
	n->client_capabilities = ev->capabilities;
	for (i = 0; i < ev->n_ciphers && i < EV_MAX_IDS; i++)
		n->client_ciphers[i] = ev->ciphers[i];
	n->n_client_ciphers = i;
	for (i = 0; i < ev->n_signing_algs && i < EV_MAX_IDS; i++)
		n->client_signing_algs[i] = ev->signing_algs[i];
	n->n_client_signing_algs = i;
}

static void
negotiated(struct serve_evidence *e, const struct smb2s_event *ev)
{
	struct ev_negotiate *n = &e->c->negotiate;

	n->seen_response = true;
	n->dialect = ev->dialect;
	n->server_security_mode = ev->security_mode;
	n->server_capabilities = ev->capabilities;
	n->has_cipher = ev->dialect == SMB2_DIALECT_311;
	n->cipher = ev->cipher;
	n->has_signing_alg = true;
	n->signing_alg = ev->signing_alg;
	if (ev->kerberos) {
		/* The NegTokenInit2 of a server with a keytab (srv_mech_list). */
		n->server_mechs[0] = SPNEGO_MECH_MS_KRB5;
		n->server_mechs[1] = SPNEGO_MECH_KRB5;
		n->server_mechs[2] = SPNEGO_MECH_NTLMSSP;
		n->n_server_mechs = 3;
	} else {
		n->server_mechs[0] = SPNEGO_MECH_NTLMSSP;  /* the only mechanism offered */
		n->n_server_mechs = 1;
	}
	answered(e, open_step(e, SD_STEP_NEGOTIATE, ev), ev, 0);
}

static enum ev_ntlm_version
ntlm_version(uint8_t kind)
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

/* The AP-REQ as a Kerberos record of this connection: the rules show
 * its service name and key version (kerberos.ticket_rejected). */
static void
krb_record(struct serve_evidence *e, const struct smb2s_event *ev, enum ev_krb_message message, int32_t error)
{
	struct ev_kerberos *k = ev_add_kerberos(&e->t);
	const struct ev_session *s = &e->c->session;

	if (k == NULL)
		return;
	k->at = secs(e, ev->at_us);
	k->connection = 0;   /* the one connection of this timeline */
	k->message = message;
	ev_copy(k->client, sizeof(k->client), e->c->client);
	ev_copy(k->cname, sizeof(k->cname), s->user);
	ev_copy(k->realm, sizeof(k->realm), e->krb_realm);
	ev_copy(k->sname, sizeof(k->sname), s->target_name);
	k->has_kvno = message == EV_KRB_AP_REQ && e->krb_has_kvno;
	k->kvno = e->krb_kvno;
	k->after_preauth = true;   /* the KDC issued the ticket */
	if (message == EV_KRB_ERROR) {
		k->has_error = true;
		k->error = error;
	}
}

static void
session_auth(struct serve_evidence *e, const struct smb2s_event *ev)
{
	struct ev_session *s = &e->c->session;
	struct ev_step *st = open_step(e, SD_STEP_SESSION_SETUP, ev);

	if (ev->kerberos) {
		if (st)
			st->legs = 1;
		s->seen = true;
		s->mechanism = EV_MECH_KERBEROS;
		ev_copy(s->user, sizeof(s->user), ev->user);
		ev_copy(s->domain, sizeof(s->domain), ev->domain);
		ev_copy(s->target_name, sizeof(s->target_name), ev->target_name);
		s->session_id = ev->session_id;
		e->krb_has_kvno = ev->has_kvno;
		e->krb_kvno = ev->kvno;
		ev_copy(e->krb_realm, sizeof(e->krb_realm), ev->realm);
		krb_record(e, ev, EV_KRB_AP_REQ, 0);
		return;
	}

	if (st)
		st->legs = 2;
	s->seen = true;
	s->mechanism = ev->user[0] ? EV_MECH_NTLMSSP : EV_MECH_ANONYMOUS;
	s->ntlm_version = ntlm_version(ev->ntlm_kind);
	ev_copy(s->user, sizeof(s->user), ev->user);
	ev_copy(s->domain, sizeof(s->domain), ev->domain);
	ev_copy(s->workstation, sizeof(s->workstation), ev->workstation);
	ev_copy(s->target_name, sizeof(s->target_name), ev->target_name);
	s->session_id = ev->session_id;
}

static void
session_ok(struct serve_evidence *e, const struct smb2s_event *ev)
{
	struct ev_session *s = &e->c->session;
	struct ev_step *st = open_step(e, SD_STEP_SESSION_SETUP, ev);

	s->seen = true;
	s->has_flags = true;
	s->session_flags = ev->session_flags;
	s->signing_required = ev->signing_required;
	s->encrypted_traffic = ev->encrypted;
	s->session_id = ev->session_id;
	if (ev->session_flags & SMB2_SESSION_FLAG_IS_GUEST)
		s->mechanism = EV_MECH_GUEST;
	else if (ev->session_flags & SMB2_SESSION_FLAG_IS_NULL)
		s->mechanism = EV_MECH_ANONYMOUS;
	answered(e, st, ev, 0);
	if (st)
		st->response_signed = !(ev->session_flags & (SMB2_SESSION_FLAG_IS_GUEST | SMB2_SESSION_FLAG_IS_NULL));
}

/* "\\host\share" -> host, the name the client typed. */
static void
server_name_from_path(struct ev_connection *c, const char *path)
{
	const char *p = path, *end;

	while (*p == '\\')
		p++;
	end = strchr(p, '\\');
	if (end && c->server_name[0] == '\0' && (size_t)(end - p) < sizeof(c->server_name)) {
		memcpy(c->server_name, p, (size_t)(end - p));
		c->server_name[end - p] = '\0';
	}
}

static void
tree_ok(struct serve_evidence *e, const struct smb2s_event *ev)
{
	struct ev_tree *t = &e->c->tree;
	struct ev_step *st = open_step(e, SD_STEP_TREE_CONNECT, ev);

	t->seen = true;
	ev_copy(t->path, sizeof(t->path), ev->path);
	t->tree_id = ev->tree_id;
	t->has_share = true;
	t->share_type = ev->share_type;
	t->share_flags = ev->share_flags;
	server_name_from_path(e->c, ev->path);
	answered(e, st, ev, 0);
}

/* What the server's rule decided, for the rules to take as is. */
static void
verdict(struct serve_evidence *e, const struct smb2s_event *ev, enum sd_step step, uint32_t status)
{
	struct ev_verdict *v = &e->c->verdict;

	memset(v, 0, sizeof(*v));
	if (ev->finding == NULL)
		return;
	v->step = step;
	v->status = status;
	ev_copy(v->finding, sizeof(v->finding), ev->finding);
	ev_copy(v->why, sizeof(v->why), ev->text);
}

static void
refused(struct serve_evidence *e, const struct smb2s_event *ev)
{
	enum sd_step step = step_of(ev->command);
	struct ev_step *st;

	if (step == SD_STEP__COUNT)
		return;  /* ECHO, IOCTL, CREATE ...: not one of the steps */
	st = open_step(e, step, ev);
	answered(e, st, ev, ev->status);
	verdict(e, ev, step, ev->status);
	if (step == SD_STEP_TREE_CONNECT && ev->path[0]) {
		/* The rules read a TREE_CONNECT's detail as its path. */
		if (st)
			ev_copy(st->detail, sizeof(st->detail), ev->path);
		e->c->tree.seen = true;
		ev_copy(e->c->tree.path, sizeof(e->c->tree.path), ev->path);
		server_name_from_path(e->c, ev->path);
	}
	if (step == SD_STEP_SESSION_SETUP)
		e->c->session.seen = true;
	/* The acceptor's refusal, as the KRB-ERROR it stands for. */
	if (step == SD_STEP_SESSION_SETUP && ev->kerberos && ev->krb_error > 0)
		krb_record(e, ev, EV_KRB_ERROR, ev->krb_error);
	if (ev->rule && !strcmp(ev->rule, "G20"))
		e->c->session.unsigned_when_required = true;
}

static void
ended(struct serve_evidence *e, const struct smb2s_event *ev, enum ev_outcome how)
{
	struct ev_step *st = pending_step(e);

	if (how == EV_CLOSED && ev->kind == SMB2S_EV_DROPPED && st == NULL && step_of(ev->command) != SD_STEP__COUNT)
		st = open_step(e, step_of(ev->command), ev);
	if (st && ev->kind == SMB2S_EV_DROPPED)
		verdict(e, ev, st->step, 0);
	if (st) {
		st->outcome = how;
		st->response_at = secs(e, ev->at_us);
		if (ev->text[0] && st->detail[0] == '\0')
			ev_copy(st->detail, sizeof(st->detail), ev->text);
	}
	e->c->closed_by_server = how == EV_CLOSED;
	e->c->reset_by_server = how == EV_RESET;
	e->c->closed_at = secs(e, ev->at_us);
}

void
serve_evidence_add(struct serve_evidence *e, const struct smb2s_event *ev)
{
	if (e == NULL)
		return;
	switch (ev->kind) {
	case SMB2S_EV_SMB1_NEGOTIATE:
		e->c->negotiate.smb1_negotiate = true;
		e->c->negotiate.smb1_offers_smb2 = ev->smb1_offers_smb2_002 || ev->smb1_offers_wildcard;
		open_step(e, SD_STEP_NEGOTIATE, ev);
		break;
	case SMB2S_EV_NEGOTIATE_OFFER: negotiate_offer(e, ev); break;
	case SMB2S_EV_NEGOTIATED: negotiated(e, ev); break;
	case SMB2S_EV_SESSION_AUTH: session_auth(e, ev); break;
	case SMB2S_EV_SESSION_OK: session_ok(e, ev); break;
	case SMB2S_EV_TREE_OK: tree_ok(e, ev); break;
	case SMB2S_EV_LOGOFF: answered(e, open_step(e, SD_STEP_LOGOFF, ev), ev, 0); break;
	case SMB2S_EV_REFUSED: refused(e, ev); break;
	case SMB2S_EV_SILENT:
		if (step_of(ev->command) != SD_STEP__COUNT)
			open_step(e, step_of(ev->command), ev);
		break;
	case SMB2S_EV_DROPPED: ended(e, ev, EV_CLOSED); break;
	case SMB2S_EV_CLOSE:
		if (!e->c->closed_by_server)
			ended(e, ev, EV_CLOSED);
		break;
	case SMB2S_EV_RESET: ended(e, ev, EV_RESET); break;
	default: break;
	}
}

struct ev_timeline *
serve_evidence_finish(struct serve_evidence *e, uint64_t now_us, const char *how)
{
	struct ev_step *st;

	if (e == NULL)
		return NULL;
	/* The client went away while a request was unanswered. */
	st = pending_step(e);
	if (st)
		st->outcome = EV_NO_RESPONSE;
	if (e->c->closed_at < 0)
		e->c->closed_at = secs(e, now_us);
	(void)how;
	rules_run(&e->t);
	return &e->t;
}

void
serve_evidence_free(struct serve_evidence *e)
{
	if (e == NULL)
		return;
	ev_timeline_cleanup(&e->t);
	free(e);
}
