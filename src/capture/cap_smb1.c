/* SMB1 as far as the diagnosis needs it (NEGOTIATE, with the upgrade to
 * SMB2; SESSION_SETUP_ANDX and TREE_CONNECT_ANDX, chained or not) and the
 * NetBIOS session service's control PDUs on port 139. */
#include <stdio.h>
#include <string.h>

#include "capture/cap_smb.h"
#include "core/wire/names.h"
#include "core/wire/nbss.h"
#include "core/wire/smb1.h"
#include "core/wire/smb1_andx.h"
#include "core/wire/smb2.h"

/* Keys of SMB1 requests among the connection's pending answers and tree
 * requests, apart from SMB2 MessageIds (which never reach bit 62). */
#define SMB1_KEY(mid) ((UINT64_C(1) << 62) | (mid))
/* Commands one message may chain: more is not a real client. */
#define SMB1_CHAIN_MAX 8

/* Who logged on, from an SMB1 SESSION_SETUP_ANDX without extended
 * security: the account and domain are in the clear, and the password
 * lengths tell the kind of response (MS-CIFS 3.2.4.2.4): 24 bytes in the
 * Unicode field is NTLMv1, more is NTLMv2, 24 in the OEM field alone is
 * LM, other lengths are a plain-text password (a server that does not ask
 * for encrypted passwords), which is no NTLM version at all. The report's
 * mechanism is "ntlmssp" for NTLM in either wrapping. */
static void
smb1_plain_logon(struct ev_connection *c, const struct smb1_session_setup_request *req)
{
	struct ev_session *s = &c->session;
	uint16_t mode = c->negotiate.server_security_mode;

	smb1_string_text(&req->account, s->user, sizeof(s->user));
	smb1_string_text(&req->domain, s->domain, sizeof(s->domain));
	s->mechanism = EV_MECH_NTLMSSP;
	if (req->unicode_password_len > 24)
		s->ntlm_version = EV_NTLM_V2;
	else if (req->unicode_password_len == 24)
		s->ntlm_version = EV_NTLM_V1;
	else if (req->unicode_password_len == 0 && req->oem_password_len == 24)
		s->ntlm_version = EV_NTLM_LM;
	else if (req->unicode_password_len == 0 && req->oem_password_len <= 1)
		s->ntlm_version = EV_NTLM_ANONYMOUS;
	/* A server in user-level security that asks for no encrypted
	 * password (MS-CIFS 2.2.4.52.2: SecurityMode without
	 * NEGOTIATE_ENCRYPT_PASSWORDS) gets it in clear: no NTLM at all. */
	else if (c->negotiate.seen_response && (mode & SMB1_SECMODE_USER) && !(mode & SMB1_SECMODE_ENCRYPT_PASSWORDS)) {
		s->plaintext_password = true;
		s->mechanism = EV_MECH_UNKNOWN;
	}
	if (s->ntlm_version == EV_NTLM_ANONYMOUS && s->user[0] == '\0')
		s->mechanism = EV_MECH_ANONYMOUS;
}

static void
smb1_session_setup(struct cap_analyzer *a, struct cap_flow *f, int di, const struct smb1_header *h,
		   const struct smb1_block *b, uint32_t status)
{
	struct cap_smbconn *sc = f->smb;
	struct ev_connection *c = cap_conn(a, sc);
	struct ev_step *st;

	if (!(h->flags & SMB1_FLAGS_REPLY)) {
		struct smb1_session_setup_request req;

		cap_smb_learn_client(a, f, di);
		if ((st = cap_smb_step_at(a, sc, cap_smb_session_step(a, sc))) != NULL)
			cap_smb_request_step(a, st, a->frame, h->mid, NULL);
		c->session.seen = true;
		if (smb1_session_setup_request_decode(b, h->flags2, &req) != SD_OK)
			return;
		if (req.word_count == 12 && req.security_blob_len > 0)
			cap_auth_request(a, c, req.security_blob, req.security_blob_len);
		else if (req.word_count != 12)
			smb1_plain_logon(c, &req);
	} else {
		struct smb1_session_setup_response rsp;

		st = cap_smb_step_at(a, sc, sc->ss_step);
		if (st != NULL && st->outcome == EV_NOT_SENT)
			cap_smb_answer_step(a, st, status, NULL);
		if (smb1_session_setup_response_decode(b, &rsp) != SD_OK)
			return;
		if (rsp.security_blob_len > 0)
			cap_auth_response(a, c, f, di, rsp.security_blob, rsp.security_blob_len);
		if (status == 0 && rsp.word_count != 0) {
			sc->authenticated = true;
			c->session.has_flags = true;
			if (rsp.action & SMB1_SETUP_GUEST) {
				c->session.session_flags |= SMB2_SESSION_FLAG_IS_GUEST;
				c->session.mechanism = EV_MECH_GUEST;
			}
		}
	}
}

/* The kind of share a TREE_CONNECT_ANDX answer's Service names
 * (MS-CIFS 2.2.4.55.2), as SMB2's ShareType. */
static uint8_t
smb1_share_type(const char *service)
{
	if (strcmp(service, "IPC") == 0)
		return SMB2_SHARE_TYPE_PIPE;
	if (strncmp(service, "LPT", 3) == 0)
		return SMB2_SHARE_TYPE_PRINT;
	return SMB2_SHARE_TYPE_DISK;
}

static void
smb1_tree_connect(struct cap_analyzer *a, struct cap_flow *f, int di, const struct smb1_header *h,
		  const struct smb1_block *b, uint32_t status)
{
	struct cap_smbconn *sc = f->smb;
	struct ev_connection *c = cap_conn(a, sc);

	if (!(h->flags & SMB1_FLAGS_REPLY)) {
		struct smb1_tree_connect_request req;
		char path[CAP_PATH_MAX];
		int si;

		cap_smb_learn_client(a, f, di);
		if (smb1_tree_connect_request_decode(b, h->flags2, &req) != SD_OK)
			return;
		smb1_string_text(&req.path, path, sizeof(path));
		si = cap_smb_add_step(a, sc, SD_STEP_TREE_CONNECT);
		cap_smb_tree_request(a, sc, cap_smb_step_at(a, sc, si), SMB1_KEY(h->mid), path);
		if (si >= 0)
			cap_smb_request_step(a, cap_smb_step_at(a, sc, si), a->frame, h->mid, NULL);
		cap_smb_pending_add(a, sc, SMB1_KEY(h->mid), SMB1_COM_TREE_CONNECT_ANDX, si);
	} else {
		struct cap_pending *pd = cap_smb_pending_find(sc, SMB1_KEY(h->mid), SMB1_COM_TREE_CONNECT_ANDX);
		struct cap_tree_req *tr = cap_smb_tree_answered(sc, SMB1_KEY(h->mid));
		struct smb1_tree_connect_response rsp;
		char service[8];

		if (pd != NULL) {
			pd->used = false;
			if (pd->step >= 0)
				cap_smb_answer_step(a, cap_smb_step_at(a, sc, pd->step), status, NULL);
		}
		if (status != 0 || tr == NULL || strcmp(tr->path, c->tree.path) != 0 ||
		    smb1_tree_connect_response_decode(b, &rsp) != SD_OK || rsp.word_count == 0)
			return;
		smb1_string_text(&rsp.service, service, sizeof(service));
		c->tree.tree_id = h->tid;
		c->tree.has_share = true;
		c->tree.share_type = smb1_share_type(service);
		c->tree.maximal_access = rsp.maximal_access;
	}
}

/* A response chain that ended before a chained TREE_CONNECT_ANDX (the
 * SESSION_SETUP before it failed): the server never ran it, so its step
 * goes, or, when other steps came after it, stays as never sent. */
static void
smb1_chain_cut(struct cap_analyzer *a, struct cap_smbconn *sc, uint16_t mid)
{
	struct cap_pending *pd = cap_smb_pending_find(sc, SMB1_KEY(mid), SMB1_COM_TREE_CONNECT_ANDX);
	struct ev_connection *c = cap_conn(a, sc);
	struct ev_step *st;

	if (pd == NULL)
		return;
	pd->used = false;
	cap_smb_tree_answered(sc, SMB1_KEY(mid));
	if ((st = cap_smb_step_at(a, sc, pd->step)) == NULL)
		return;
	if (pd->step == (int)c->n_steps - 1) {
		c->n_steps--;
		return;
	}
	st->request_at = -1.0;
	st->frame_request = 0;
}

/* Every command of the message, first to last along the AndX chain. In a
 * response the header's Status belongs to the last command: the server
 * stops the chain at the first that fails (MS-CIFS 3.3.5.2). */
static void
smb1_andx_chain(struct cap_analyzer *a, struct cap_flow *f, int di, const struct smb1_header *h, const uint8_t *p,
		size_t len)
{
	struct smb1_block b, next;
	uint8_t command = h->command;
	size_t at = SMB1_HEADER_SIZE, next_at = 0;
	bool reply = (h->flags & SMB1_FLAGS_REPLY) != 0, tree_seen = false;
	uint32_t status;
	unsigned i;

	if (smb1_block_decode(p, len, at, &b) != SD_OK)
		return;
	for (i = 0; i < SMB1_CHAIN_MAX; i++) {
		bool more = smb1_block_next(p, len, at, &b, &next, &next_at) == SD_OK;

		status = more ? 0 : smb1_status_ntstatus(h->status, h->flags2);
		if (command == SMB1_COM_SESSION_SETUP_ANDX)
			smb1_session_setup(a, f, di, h, &b, status);
		else if (command == SMB1_COM_TREE_CONNECT_ANDX) {
			smb1_tree_connect(a, f, di, h, &b, status);
			tree_seen = true;
		}
		if (!more)
			break;
		command = b.andx_command;
		b = next;
		at = next_at;
	}
	if (reply && !tree_seen && h->command == SMB1_COM_SESSION_SETUP_ANDX)
		smb1_chain_cut(a, f->smb, h->mid);
}

void
cap_smb1_message(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t len, uint32_t end_seq)
{
	struct cap_smbconn *sc = f->smb;
	struct sd_anomalies anom;
	struct smb1_header h;
	struct ev_connection *c;
	int si;

	a->stats.smb1_messages++;
	if (smb1_header_decode(p, len, &h) != SD_OK)
		return;
	if (h.command != SMB1_COM_NEGOTIATE) {
		smb1_andx_chain(a, f, di, &h, p, len);
		return;
	}
	memset(&anom, 0, sizeof(anom));
	if (!(h.flags & SMB1_FLAGS_REPLY)) {
		struct smb1_negotiate_request q;

		cap_smb_learn_client(a, f, di);
		if (smb1_negotiate_request_decode(p, len, &q, &anom) != SD_OK)
			return;
		si = cap_smb_add_step(a, sc, SD_STEP_NEGOTIATE);
		c = cap_conn(a, sc);
		c->negotiate.smb1_negotiate = true;
		c->negotiate.smb1_offers_smb2 = smb1_negotiate_offers_smb2(&q);
		smb2_negotiate_offer_from_smb1(&sc->offer, q.offers_smb2_002, q.offers_smb2_wildcard);
		sc->have_offer = true;
		if (si >= 0) {
			cap_smb_request_step(a, cap_smb_step_at(a, sc, si), a->frame, 0, NULL);
			ev_copy(cap_smb_step_at(a, sc, si)->detail, sizeof(cap_smb_step_at(a, sc, si)->detail), "SMB1");
			cap_smb_watch_ack(f, end_seq, sc->conn, si);
		}
		cap_smb_pending_add(a, sc, CAP_SMB1_MID, SMB1_COM_NEGOTIATE, si);
	} else {
		struct cap_pending *pd = cap_smb_pending_find(sc, CAP_SMB1_MID, SMB1_COM_NEGOTIATE);
		struct smb1_negotiate_response r;

		c = cap_conn(a, sc);
		c->negotiate.smb1_answered = true;
		if (pd != NULL) {
			pd->used = false;
			if (pd->step >= 0)
				cap_smb_answer_step(a, cap_smb_step_at(a, sc, pd->step), h.status, NULL);
		}
		if (smb1_negotiate_response_decode(p, len, &r, &anom) != SD_OK)
			return;
		c->negotiate.seen_response = true;
		/* The server chose an SMB1 dialect: the connection stays on SMB1. */
		if (r.form != SMB1_NEG_FORM_ERROR && r.dialect_index != SMB1_NO_DIALECT)
			c->negotiate.dialect = SD_DIALECT_SMB1;
		if (r.form == SMB1_NEG_FORM_NT) {
			c->negotiate.server_security_mode = r.security_mode;
			c->negotiate.server_capabilities = r.capabilities;
			if (r.server_guid != NULL) {
				c->negotiate.has_server_guid = true;
				memcpy(c->negotiate.server_guid, r.server_guid, 16);
			}
			if (r.system_time != 0) {
				c->negotiate.has_server_time = true;
				c->negotiate.server_time = r.system_time;
			}
		}
	}
}

/* The called name, so that nbss.called_name_rejected names what the
 * server refused; the step's detail says it in the probe's words
 * ("called name FS1<20>"). */
static void
called_name_detail(struct ev_connection *c, struct ev_step *s, const uint8_t *p, size_t len)
{
	struct nbss_pdu pdu;
	struct sd_anomalies anom;
	char name[NBSS_NAME_CHARS + 1];

	memset(&anom, 0, sizeof(anom));
	if (nbss_decode(p, len, NBSS_TRANSPORT_NETBIOS, &pdu, &anom) != SD_OK)
		return;
	nbss_name_text(&pdu.request.called, name);
	snprintf(s->detail, sizeof(s->detail), "called name %s<%02X>", name, nbss_name_suffix(&pdu.request.called));
	ev_copy(c->called_name, sizeof(c->called_name), name);
	c->called_suffix = nbss_name_suffix(&pdu.request.called);
}

void
cap_smb_nbss_control(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t len)
{
	struct cap_smbconn *sc = f->smb;
	struct ev_step *s;
	int si;

	if (p[0] == NBSS_SESSION_REQUEST) {
		cap_smb_learn_client(a, f, di);
		si = cap_smb_add_step(a, sc, SD_STEP_NBSS);
		if ((s = cap_smb_step_at(a, sc, si)) != NULL) {
			cap_smb_request_step(a, s, a->frame, 0, NULL);
			called_name_detail(cap_conn(a, sc), s, p, len);
		}
		return;
	}
	if (p[0] != NBSS_POSITIVE_RESPONSE && p[0] != NBSS_NEGATIVE_RESPONSE)
		return;
	s = ev_last_step(cap_conn(a, sc), SD_STEP_NBSS);
	/* On port 445 Samba refuses a client it does not allow (hosts deny)
	 * with a negative session response in answer to NEGOTIATE. */
	if ((s == NULL || s->outcome != EV_NOT_SENT) && p[0] == NBSS_NEGATIVE_RESPONSE)
		s = ev_last_step(cap_conn(a, sc), SD_STEP_NEGOTIATE);
	if (s == NULL || s->outcome != EV_NOT_SENT) {
		/* Nothing asked yet: smbd refuses a denied host on accept. */
		if (cap_nbss_refusal(p, len) && sc->refusal.n == 0) {
			sc->refusal.n = (uint8_t)(len < sizeof(sc->refusal.b) ? len : sizeof(sc->refusal.b));
			memcpy(sc->refusal.b, p, sc->refusal.n);
			sc->refusal.frame = a->frame;
			sc->refusal.at = cap_smb_now(a);
		}
		return;
	}
	cap_smb_answer_step(a, s, 0, NULL);
	if (p[0] == NBSS_NEGATIVE_RESPONSE) {
		s->outcome = EV_NBSS_REJECTED;
		s->status = len > NBSS_HEADER_SIZE ? p[NBSS_HEADER_SIZE] : 0;
	}
}
