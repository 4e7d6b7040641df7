/* SMB analysis of one TCP connection: every PDU is decoded (NetBIOS
 * control, SMB1 NEGOTIATE, SMB2 compounds, transform and compression
 * headers), requests are matched to responses by MessageId (interim
 * STATUS_PENDING answers included), and the steps the diagnosis needs
 * (tcp, nbss, negotiate, session_setup, tree_connect, logoff) are written
 * into the connection's evidence with their times and frame numbers. */
#include <stdlib.h>
#include <string.h>

#include "capture/cap_smb.h"
#include "core/proto/keytrack.h"
#include "core/wire/names.h"
#include "core/wire/smb1.h"
#include "core/wire/utf16.h"

/* ---- NEGOTIATE ---- */

static void
negotiate_request(struct cap_smbconn *sc, struct ev_connection *c, const struct smb2_negotiate_req *q)
{
	struct ev_negotiate *n = &c->negotiate;
	const struct smb2_negctx *ctx;
	unsigned i;

	smb2_negotiate_offer_from_req(&sc->offer, q);
	sc->have_offer = true;
	n->seen_request = true;
	n->n_client_dialects = 0;
	for (i = 0; i < q->n_dialects && i < EV_MAX_IDS; i++)
		n->client_dialects[n->n_client_dialects++] = q->dialects[i];
	n->client_security_mode = q->security_mode;
	n->client_capabilities = q->capabilities;
	if ((ctx = smb2_negctx_find(&q->ctx, SMB2_ENCRYPTION_CAPABILITIES)) != NULL && ctx->known) {
		n->n_client_ciphers = 0;
		for (i = 0; i < ctx->u.encryption.n_ids && i < EV_MAX_IDS; i++)
			n->client_ciphers[n->n_client_ciphers++] = ctx->u.encryption.ids[i];
	}
	if ((ctx = smb2_negctx_find(&q->ctx, SMB2_SIGNING_CAPABILITIES)) != NULL && ctx->known) {
		n->n_client_signing_algs = 0;
		for (i = 0; i < ctx->u.signing.n_ids && i < EV_MAX_IDS; i++)
			n->client_signing_algs[n->n_client_signing_algs++] = ctx->u.signing.ids[i];
	}
	/* The name the client asked for, before any tree path says it: a
	 * connection the client drops right after NEGOTIATE has no other. */
	if (c->server_name[0] == '\0' && (ctx = smb2_negctx_find(&q->ctx, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID)) != NULL &&
	    ctx->known && sd_utf16le_to_utf8(ctx->u.netname.name, ctx->u.netname.name_len, c->server_name,
					     sizeof(c->server_name), NULL) != SD_OK)
		c->server_name[0] = '\0';
}

static void
negotiate_response(const struct cap_smbconn *sc, struct ev_connection *c, uint32_t status,
		   const struct smb2_negotiate_rsp *r)
{
	struct ev_negotiate *n = &c->negotiate;
	const struct smb2_negctx *ctx;

	n->seen_response = true;
	/* Only against the request it answers: a capture that starts later
	 * does not say what was offered. */
	if (status == 0 && sc->have_offer)
		smb2_negotiate_check(&sc->offer, r, &n->faults);
	n->dialect = r->dialect;
	n->server_security_mode = r->security_mode;
	n->server_capabilities = r->capabilities;
	n->has_server_guid = true;
	memcpy(n->server_guid, r->server_guid, 16);
	if (r->system_time != 0) {
		n->has_server_time = true;
		n->server_time = r->system_time;
	}
	if ((ctx = smb2_negctx_find(&r->ctx, SMB2_ENCRYPTION_CAPABILITIES)) != NULL && ctx->known) {
		n->has_cipher = true;
		n->cipher = ctx->u.encryption.n_ids ? ctx->u.encryption.ids[0] : 0;
	}
	if ((ctx = smb2_negctx_find(&r->ctx, SMB2_SIGNING_CAPABILITIES)) != NULL && ctx->known &&
	    ctx->u.signing.n_ids > 0) {
		n->has_signing_alg = true;
		n->signing_alg = ctx->u.signing.ids[0];
	}
	if (r->secbuf != NULL && r->secbuf_len > 0)
		cap_auth_negotiate_hint(c, r->secbuf, r->secbuf_len);
	c->session.signing_required = ((n->server_security_mode | n->client_security_mode) &
					SMB2_NEGOTIATE_SIGNING_REQUIRED) != 0;
}

/* ---- TREE_CONNECT ---- */

static void
tree_host(const char *path, char *out, size_t cap)
{
	const char *p = path, *end;

	while (*p == '\\' || *p == '/')
		p++;
	end = p;
	while (*end && *end != '\\' && *end != '/')
		end++;
	snprintf(out, cap, "%.*s", (int)(end - p), p);
}

static bool
is_ipc(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && strcasecmp(path + n - 4, "IPC$") == 0;
}

void
cap_smb_tree_request(struct cap_analyzer *a, struct cap_smbconn *sc, struct ev_step *s, uint64_t message_id,
		     const char *path)
{
	struct ev_connection *c = cap_conn(a, sc);
	struct cap_tree_req *tr = &sc->tree_req[sc->next_tree_req];

	sc->next_tree_req = (sc->next_tree_req + 1) % CAP_TREE_REQ_MAX;
	tr->used = true;
	tr->message_id = message_id;
	snprintf(tr->path, sizeof(tr->path), "%s", path);
	if (s != NULL)
		ev_copy(s->detail, sizeof(s->detail), path);
	/* The tree record describes the share the user wanted: IPC$ (DFS
	 * referrals, named pipes) only until a real share shows up. */
	if (!c->tree.seen || !is_ipc(path) || is_ipc(c->tree.path)) {
		memset(&c->tree, 0, sizeof(c->tree));
		c->tree.seen = true;
		ev_copy(c->tree.path, sizeof(c->tree.path), path);
	}
	if (c->server_name[0] == '\0' || is_ipc(c->tree.path) == false)
		tree_host(c->tree.path, c->server_name, sizeof(c->server_name));
}

struct cap_tree_req *
cap_smb_tree_answered(struct cap_smbconn *sc, uint64_t message_id)
{
	unsigned i;

	for (i = 0; i < CAP_TREE_REQ_MAX; i++) {
		struct cap_tree_req *tr = &sc->tree_req[i];

		if (tr->used && tr->message_id == message_id) {
			tr->used = false;
			return tr;
		}
	}
	return NULL;
}

static void
tree_response(struct cap_analyzer *a, struct cap_smbconn *sc, const struct smb2_header *h,
	      const struct smb2_message *m, enum sd_err err)
{
	struct ev_connection *c = cap_conn(a, sc);
	struct cap_tree_req *tr = cap_smb_tree_answered(sc, h->message_id);

	if (tr == NULL || m->kind != SMB2_BODY_TREE_CONNECT_RSP || err != SD_OK)
		return;
	cap_dump_bind_tree(a, h->session_id, h->tree_id, tr->path);
	if (strcmp(tr->path, c->tree.path) == 0) {
		c->tree.tree_id = h->tree_id;
		c->tree.has_share = true;
		c->tree.share_type = m->body.tree_connect_rsp.share_type;
		c->tree.share_flags = m->body.tree_connect_rsp.share_flags;
		c->tree.share_capabilities = m->body.tree_connect_rsp.capabilities;
		c->tree.maximal_access = m->body.tree_connect_rsp.maximal_access;
	}
}

/* ---- requests and responses ---- */

static void
after_auth_request(struct cap_analyzer *a, struct cap_smbconn *sc, const struct smb2_header *h)
{
	struct ev_session *s = &cap_conn(a, sc)->session;
	bool exempt = s->has_flags && (s->session_flags & (SMB2_SESSION_FLAG_IS_GUEST | SMB2_SESSION_FLAG_IS_NULL));

	if (!sc->authenticated || h->command == SMB2_NEGOTIATE || h->command == SMB2_SESSION_SETUP ||
	    h->command == SMB2_CANCEL || h->session_id == 0)
		return;
	/* Encrypted messages are not signed: the AEAD tag protects them. */
	if (a->sealed)
		return;
	if (h->flags & SMB2_FLAGS_SIGNED)
		s->signed_traffic = true;
	else if (s->signing_required && !exempt)
		s->unsigned_when_required = true;
}

static void
smb2_request(struct cap_analyzer *a, struct cap_flow *f, const struct smb2_header *h, const struct smb2_message *m,
	     enum sd_err err, const char *path, uint32_t end_seq)
{
	struct cap_smbconn *sc = f->smb;
	struct ev_connection *c;
	int si = -1;

	switch (h->command) {
	case SMB2_NEGOTIATE:
		si = cap_smb_add_step(a, sc, SD_STEP_NEGOTIATE);
		if (m->kind == SMB2_BODY_NEGOTIATE_REQ && err == SD_OK)
			negotiate_request(sc, cap_conn(a, sc), &m->body.negotiate_req);
		break;
	case SMB2_SESSION_SETUP: {
		si = cap_smb_session_step(a, sc);
		c = cap_conn(a, sc);
		c->session.seen = true;
		if (m->kind == SMB2_BODY_SESSION_SETUP_REQ && m->body.session_setup_req.secbuf != NULL &&
		    m->body.session_setup_req.secbuf_len > 0) {
			cap_auth_request(a, c, m->body.session_setup_req.secbuf, m->body.session_setup_req.secbuf_len);
			cap_auth_keys_request(a, sc, m->body.session_setup_req.secbuf,
					      m->body.session_setup_req.secbuf_len);
		}
		break;
	}
	case SMB2_TREE_CONNECT:
		si = cap_smb_add_step(a, sc, SD_STEP_TREE_CONNECT);
		cap_smb_tree_request(a, sc, cap_smb_step_at(a, sc, si), h->message_id, path);
		break;
	case SMB2_LOGOFF:
		si = cap_smb_add_step(a, sc, SD_STEP_LOGOFF);
		break;
	default:
		break;
	}
	after_auth_request(a, sc, h);
	if (si >= 0) {
		cap_smb_request_step(a, cap_smb_step_at(a, sc, si), a->frame, h->message_id, h);
		if (h->command != SMB2_LOGOFF)
			cap_smb_watch_ack(f, end_seq, sc->conn, si);
	}
	cap_smb_pending_add(a, sc, h->message_id, h->command, si);
}

static void
session_response(struct cap_analyzer *a, struct cap_flow *f, struct cap_smbconn *sc, const struct smb2_header *h,
		 const struct smb2_message *m)
{
	struct ev_connection *c = cap_conn(a, sc);
	struct ev_session *s = &c->session;

	s->seen = true;
	if (h->session_id != 0)
		s->session_id = h->session_id;
	if (m->kind == SMB2_BODY_SESSION_SETUP_RSP) {
		if (m->body.session_setup_rsp.secbuf != NULL && m->body.session_setup_rsp.secbuf_len > 0)
			cap_auth_response(a, c, f, f->client >= 0 ? !f->client : 1, m->body.session_setup_rsp.secbuf,
					  m->body.session_setup_rsp.secbuf_len);
		cap_auth_keys_response(a, sc, h->session_id, h->status, m->body.session_setup_rsp.secbuf,
				       m->body.session_setup_rsp.secbuf_len);
		if (h->status == 0) {
			s->has_flags = true;
			s->session_flags = m->body.session_setup_rsp.session_flags;
			if (s->session_flags & SMB2_SESSION_FLAG_IS_GUEST)
				s->mechanism = EV_MECH_GUEST;
			else if (s->session_flags & SMB2_SESSION_FLAG_IS_NULL)
				s->mechanism = EV_MECH_ANONYMOUS;
		}
	}
	if (h->status == 0)
		sc->authenticated = true;
}

static void
smb2_response(struct cap_analyzer *a, struct cap_flow *f, const struct smb2_header *h, const struct smb2_message *m,
	      enum sd_err err)
{
	struct cap_smbconn *sc = f->smb;
	struct cap_pending *p = cap_smb_pending_find(sc, h->message_id, h->command);
	int si;

	if (p == NULL && h->command == SMB2_NEGOTIATE)
		p = cap_smb_pending_find(sc, CAP_SMB1_MID, SMB1_COM_NEGOTIATE);  /* answer to a multi-protocol negotiate */
	if (p == NULL) {
		a->stats.unmatched_responses++;
		/* Mid-stream capture: the answer alone still tells how a step ended. */
		si = -1;
		if (h->command == SMB2_NEGOTIATE)
			si = cap_smb_add_step(a, sc, SD_STEP_NEGOTIATE);
		else if (h->command == SMB2_SESSION_SETUP)
			si = sc->ss_step = cap_smb_add_step(a, sc, SD_STEP_SESSION_SETUP);
		else if (h->command == SMB2_TREE_CONNECT)
			si = cap_smb_add_step(a, sc, SD_STEP_TREE_CONNECT);
	} else {
		si = p->step;
		if (h->status == CAP_STATUS_PENDING && smb2_header_is_async(h)) {
			p->interim = true;
			return;
		}
		p->used = false;
	}
	if (si >= 0)
		cap_smb_answer_step(a, cap_smb_step_at(a, sc, si), h->status, h);
	switch (h->command) {
	case SMB2_NEGOTIATE:
		if (m->kind == SMB2_BODY_NEGOTIATE_RSP && err == SD_OK)
			negotiate_response(sc, cap_conn(a, sc), h->status, &m->body.negotiate_rsp);
		break;
	case SMB2_SESSION_SETUP:
		session_response(a, f, sc, h, m);
		break;
	case SMB2_TREE_CONNECT:
		tree_response(a, sc, h, m, err);
		break;
	default:
		break;
	}
}

static void
smb2_message(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *msg, size_t len, uint32_t end_seq)
{
	struct smb2_message *m = a->msg;
	struct smb2_header h;
	enum sd_err err = smb2_header_decode(msg, len, &h), body_err = SD_OK;
	char path[CAP_PATH_MAX] = "";
	bool decoded = false;

	/* A wrong StructureSize still leaves every field decoded: shown, not analyzed. */
	if (err != SD_OK && err != SD_ERR_STRUCTURE_SIZE) {
		a->stats.decode_errors++;
		return;
	}
	a->stats.smb2_messages++;
	if (err == SD_OK) {
		body_err = smb2_message_decode(msg, len, m);
		decoded = true;
		if (body_err != SD_OK)
			a->stats.decode_errors++;
		if (h.command == SMB2_TREE_CONNECT && m->kind == SMB2_BODY_TREE_CONNECT_REQ &&
		    m->body.tree_connect_req.path != NULL)
			sd_utf16le_to_utf8(m->body.tree_connect_req.path, m->body.tree_connect_req.path_len, path,
					   sizeof(path), NULL);
	}
	cap_dump_smb2(a, f, &h, m, body_err, decoded, path);
	if (!decoded)
		return;
	if (!smb2_header_is_response(&h)) {
		cap_smb_learn_client(a, f, di);
		smb2_request(a, f, &h, m, body_err, path, end_seq);
	} else {
		if (f->client < 0)
			cap_smb_learn_client(a, f, !di);
		smb2_response(a, f, &h, m, body_err);
	}
}

static void
smb2_compound(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t len, bool truncated,
	      uint32_t end_seq)
{
	struct smb2_compound_iter it;
	struct smb2_compound_elem el;
	enum sd_err err;

	smb2_compound_init(&it, p, len);
	while ((err = smb2_compound_next(&it, &el)) == SD_OK)
		smb2_message(a, f, di, el.msg, el.len, end_seq);
	if (err == SD_ERR_NOT_FOUND)
		return;
	/* A NextCommand past the end (snap length, broken chain) still leaves
	 * a whole header to show, as tshark does. */
	if (err == SD_ERR_BAD_OFFSET && len - it.off >= SMB2_HEADER_SIZE) {
		smb2_message(a, f, di, p + it.off, len - it.off, end_seq);
		if (truncated)
			return;
	}
	if (!truncated)
		a->stats.decode_errors++;
}

/* Feeds the key tracker (it follows every message to derive keys); true
 * when the PDU was encrypted and its plain messages were analyzed. */
static bool
decrypted(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *msg, size_t mlen, uint32_t end_seq)
{
	struct smb2_kt_result res;
	bool from_client = f->client >= 0 ? di == f->client : !cap_is_smb_port(a, f->port[di]);
	struct ev_connection *c;

	if (smb2_keytrack_feed(f->smb->kt, from_client ? SMB2_KT_C2S : SMB2_KT_S2C, msg, mlen, a->plain,
			       CAP_PDU_HEAD_MAX, &res) != SD_OK && res.outcome != SMB2_KT_DECRYPT_FAILED)
		return false;
	if (res.outcome != SMB2_KT_DECRYPTED || res.plain == NULL)
		return false;
	a->stats.transforms++;
	c = cap_conn(a, f->smb);
	c->session.encrypted_traffic = true;
	c->encrypted_messages++;
	c->decrypted_messages++;
	a->sealed = true;
	smb2_compound(a, f, di, res.plain, res.plain_len, false, end_seq);
	a->sealed = false;
	return true;
}

void
cap_smb_pdu(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t len, bool truncated,
	    uint32_t end_seq)
{
	const uint8_t *msg = p + NBSS_HEADER_SIZE;
	size_t mlen = len - NBSS_HEADER_SIZE;

	if (len < NBSS_HEADER_SIZE || cap_smb_conn(a, f) == NULL)
		return;
	if (p[0] != NBSS_SESSION_MESSAGE) {
		cap_smb_nbss_control(a, f, di, p, len);
		return;
	}
	if (f->smb->kt != NULL && !truncated && decrypted(a, f, di, msg, mlen, end_seq))
		return;
	switch (sd_magic_classify(msg, mlen)) {
	case SD_MAGIC_SMB2:
		smb2_compound(a, f, di, msg, mlen, truncated, end_seq);
		break;
	case SD_MAGIC_SMB1:
		cap_smb1_message(a, f, di, msg, mlen, end_seq);
		break;
	case SD_MAGIC_TRANSFORM: {
		struct smb2_transform_header th;

		a->stats.transforms++;
		memset(&th, 0, sizeof(th));
		smb2_transform_decode(msg, mlen, &th);
		cap_dump_transform(a, f, th.session_id);
		cap_conn(a, f->smb)->session.encrypted_traffic = true;
		cap_conn(a, f->smb)->encrypted_messages++;
		break;
	}
	case SD_MAGIC_COMPRESSION:
		a->stats.compressed++;
		cap_dump_compressed(a, f);
		break;
	default:
		break;
	}
}

/* ---- TCP events ---- */
