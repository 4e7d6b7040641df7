/* The gates every message passes before its command runs (MS-SMB2
 * 3.3.5.2.x, failure-catalog 1.1 and 1.4): transform header and
 * decryption, connection state, the sequence window and credits, the
 * signature, session verification; then the dispatch to the commands. */
#include <stdlib.h>
#include <string.h>

#include "core/proto/server_internal.h"
#include "core/wire/names.h"

#define DEFAULT_MAX_CREDITS 512u

static const struct srv_why why_g1 = {"G1", NULL, "MS-SMB2 3.3.5.2"};
static const struct srv_why why_g5 = {"G5", NULL, "MS-SMB2 3.3.5.2.1.1"};
static const struct srv_why why_g14 = {"G14", NULL, "MS-SMB2 3.3.5.2.2"};
static const struct srv_why why_g15 = {"G15", NULL, "MS-SMB2 3.3.5.2.3"};
static const struct srv_why why_g16 = {"G16", NULL, "MS-SMB2 3.3.5.2.4"};
static const struct srv_why why_g17 = {"G17", "session.signing_mismatch", "MS-SMB2 3.3.5.2.4"};
static const struct srv_why why_g18 = {"G18", "session.signing_mismatch", "MS-SMB2 3.3.5.2.4"};
static const struct srv_why why_g19 = {"G19", "session.signing_mismatch", "MS-SMB2 3.3.5.2.4, 3.1.5.1"};
static const struct srv_why why_g20 = {"G20", "session.signing_mismatch", "MS-SMB2 3.3.5.2.4"};
static const struct srv_why why_g21 = {"G21", NULL, "MS-SMB2 3.3.5.2.5"};
static const struct srv_why why_g23 = {"G23", NULL, "MS-SMB2 3.3.5.2.6"};
static const struct srv_why why_v1 = {"V1", "session.anonymous_denied", "MS-SMB2 3.3.5.2.9"};
static const struct srv_why why_v2 = {"V2", NULL, "MS-SMB2 3.3.5.2.9"};
static const struct srv_why why_v4 = {"V4", NULL, "MS-SMB2 3.3.5.2.9"};
static const struct srv_why why_v5 = {"V5", "session.encryption_required", "MS-SMB2 3.3.5.2.9"};
static const struct srv_why why_g24 = {"G24", NULL, "MS-SMB2 3.3.5.2.7.2"};
static const struct srv_why why_cmd = {"NS", NULL, "MS-SMB2 3.3.5.2.6"};

/* ------------------------------------------------------------------ */
/* Sequence window and credits (MS-SMB2 3.3.5.2.3, 3.3.1.2)           */

static bool
id_used(const struct smb2_server *s, uint64_t id)
{
	return (s->used_ids[(id % SRV_CREDIT_BITS) / 8] >> (id % 8)) & 1;
}

static void
id_mark(struct smb2_server *s, uint64_t id, bool on)
{
	uint8_t bit = (uint8_t)(1u << (id % 8));

	if (on)
		s->used_ids[(id % SRV_CREDIT_BITS) / 8] |= bit;
	else
		s->used_ids[(id % SRV_CREDIT_BITS) / 8] &= (uint8_t)~bit;
}

bool
srv_window_take(struct smb2_server *s, uint64_t id, uint16_t charge)
{
	uint64_t i;

	if (charge == 0)
		charge = 1;
	if (id < s->win_lo || id - s->win_lo + charge > s->win_size)
		return false;
	for (i = id; i < id + charge; i++)
		if (id_used(s, i))
			return false;
	for (i = id; i < id + charge; i++)
		id_mark(s, i, true);
	while (s->win_size > 0 && id_used(s, s->win_lo)) {
		id_mark(s, s->win_lo, false);
		s->win_lo++;
		s->win_size--;
	}
	return true;
}

/* Credits granted with an answer: what the client asks, at least one,
 * keeping the window under the configured maximum. */
uint16_t
srv_grant_credits(struct smb2_server *s, uint16_t requested)
{
	uint32_t max = s->pol->max_credits ? s->pol->max_credits : DEFAULT_MAX_CREDITS;
	uint32_t g = requested ? requested : 1;

	if (max > SRV_CREDIT_BITS)
		max = SRV_CREDIT_BITS;
	if (s->win_size + g > max)
		g = max > s->win_size ? max - s->win_size : 0;
	if (g == 0 && s->win_size == 0)
		g = 1;
	s->win_size += g;
	return (uint16_t)g;
}

/* ------------------------------------------------------------------ */
/* Gates                                                               */

/* Signature checks (3.3.5.2.4): false after answering or dropping. */
static bool
verify_signature(struct smb2_server *s, struct srv_req *r)
{
	struct srv_session *sess = srv_session_find(s, r->hdr.session_id);
	bool is_signed = (r->hdr.flags & SMB2_FLAGS_SIGNED) != 0;

	if (r->encrypted) {
		r->sess = sess;
		return true;
	}
	if (r->hdr.command == SMB2_NEGOTIATE) {
		if (is_signed) {
			srv_refuse(s, r, ST_INVALID_PARAMETER, &why_g16, "NEGOTIATE request has the SIGNED flag");
			return false;
		}
		return true;
	}
	r->sess = sess;
	if (is_signed) {
		if (sess == NULL) {
			srv_refuse(s, r, ST_USER_SESSION_DELETED, &why_g17,
				   "signed request for unknown session 0x%016llx", (unsigned long long)r->hdr.session_id);
			return false;
		}
		if (!sess->have_keys) {
			srv_refuse(s, r, ST_NOT_SUPPORTED, &why_g18, "signed request on a session without a signing key");
			return false;
		}
		if (smb2_verify(s->crypto, s->sign_alg, sess->keys.signing, sizeof(sess->keys.signing), r->msg,
				r->len) != SD_OK) {
			srv_refuse(s, r, ST_ACCESS_DENIED, &why_g19, "the request's signature does not verify");
			return false;
		}
		r->signed_ok = true;
		return true;
	}
	if (sess && sess->state == SESS_VALID && sess->signing_required && r->hdr.command != SMB2_SESSION_SETUP &&
	    r->hdr.command != SMB2_CANCEL) {
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_g20, "unsigned %s on a session that requires signing",
			   smb2_command_name(r->hdr.command));
		return false;
	}
	return true;
}

/* Session verification for post-authentication commands (3.3.5.2.9). */
static bool
verify_session(struct smb2_server *s, struct srv_req *r)
{
	struct srv_session *sess = srv_session_find(s, r->hdr.session_id);

	if (s->pol->max_dialect >= SMB2_DIALECT_300 && s->constrained && !s->pol->allow_anonymous_access) {
		srv_drop(s, r, &why_v1, "%s on a connection with only anonymous logons while AllowAnonymousAccess "
			 "is off", smb2_command_name(r->hdr.command));
		return false;
	}
	if (sess == NULL) {
		srv_refuse(s, r, ST_USER_SESSION_DELETED, &why_v2, "%s for unknown session 0x%016llx",
			   smb2_command_name(r->hdr.command), (unsigned long long)r->hdr.session_id);
		return false;
	}
	r->sess = sess;
	if (sess->state == SESS_IN_PROGRESS && r->hdr.command != SMB2_LOGOFF) {
		srv_refuse(s, r, ST_SEC_E_UNSUPPORTED_FUNCTION, &why_v4, "%s before SESSION_SETUP completed",
			   smb2_command_name(r->hdr.command));
		return false;
	}
	if (srv_is_3x(s->dialect) && sess->encrypt_data && !r->encrypted) {
		srv_refuse(s, r, ST_ACCESS_DENIED, &why_v5, "unencrypted %s on a session that requires encryption",
			   smb2_command_name(r->hdr.command));
		return false;
	}
	return true;
}

static void
answer_empty(struct smb2_server *s, struct srv_req *r, enum smb2s_event_kind kind)
{
	struct sd_wr w;

	srv_begin(s, r, ST_SUCCESS, &w);
	smb2_empty_body_encode(&w);
	if (srv_finish(s, r, &w, false) != SD_OK)
		srv_set_action(s, SMB2S_ACT_RESET, r);
	if (kind != SMB2S_EV__COUNT)
		srv_event(s, kind, r);
}

static void
dispatch(struct smb2_server *s, struct srv_req *r)
{
	uint16_t cmd = r->hdr.command;

	if (cmd == SMB2_NEGOTIATE) {
		srv_negotiate(s, r);
		return;
	}
	if (cmd == SMB2_SESSION_SETUP) {
		srv_session_setup(s, r);
		return;
	}
	if (cmd == SMB2_ECHO) {
		answer_empty(s, r, SMB2S_EV__COUNT);
		return;
	}
	if (!verify_session(s, r))
		return;
	switch (cmd) {
	case SMB2_LOGOFF: srv_logoff(s, r); break;
	case SMB2_TREE_CONNECT: srv_tree_connect(s, r); break;
	case SMB2_TREE_DISCONNECT: srv_tree_disconnect(s, r); break;
	case SMB2_IOCTL: srv_ioctl(s, r); break;
	case SMB2_CREATE: srv_create(s, r); break;
	case SMB2_READ: srv_read(s, r); break;
	case SMB2_WRITE: srv_write(s, r); break;
	case SMB2_CLOSE: srv_close(s, r); break;
	default:
		if (srv_verify_tree(s, r))
			srv_refuse(s, r, ST_NOT_SUPPORTED, &why_cmd, "%s: smbdiag serve has no file service",
				   smb2_command_name(cmd));
		break;
	}
}

/* What a related compound element inherits (3.3.5.2.7.2). */
struct srv_chain {
	uint64_t session_id;
	uint32_t tree_id;
	unsigned index;
};

/* One SMB2 message (one compound element), plain or decrypted. */
static void
handle_message(struct smb2_server *s, const uint8_t *msg, size_t len, bool encrypted, uint64_t transform_sid,
	       uint64_t now, struct srv_chain *chain)
{
	struct srv_req r;

	memset(&r, 0, sizeof(r));
	r.msg = msg;
	r.len = len;
	r.encrypted = encrypted;
	r.now = now;
	if (smb2_header_decode(msg, len, &r.hdr) != SD_OK || smb2_header_is_response(&r.hdr)) {
		srv_drop(s, NULL, &why_g23, "a message that is not an SMB2 request");
		return;
	}
	if (r.hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS) {
		if (chain->index == 0) {
			srv_refuse(s, &r, ST_INVALID_PARAMETER, &why_g24, "first element of a chain marked related");
			return;
		}
		r.hdr.session_id = chain->session_id;
		r.hdr.tree_id = chain->tree_id;
	}
	chain->index++;
	chain->session_id = r.hdr.session_id;
	chain->tree_id = r.hdr.tree_id;
	if (r.hdr.command > SMB2_OPLOCK_BREAK) {
		srv_drop(s, &r, &why_g23, "unknown command 0x%04x", r.hdr.command);
		return;
	}
	if (encrypted && r.hdr.session_id != transform_sid) {
		srv_drop(s, &r, &why_g5, "encrypted message whose SessionId differs from its transform header");
		return;
	}
	if (r.hdr.command != SMB2_NEGOTIATE &&
	    (s->negotiate_dialect == NEGOTIATE_DIALECT_NONE || s->negotiate_dialect == SMB2_DIALECT_WILDCARD)) {
		srv_drop(s, &r, &why_g14, "%s before NEGOTIATE completed", smb2_command_name(r.hdr.command));
		return;
	}
	if (r.hdr.command == SMB2_CANCEL)
		return;  /* nothing is ever pending here */
	if (!srv_window_take(s, r.hdr.message_id, s->supports_multi_credit ? r.hdr.credit_charge : 1)) {
		srv_drop(s, &r, &why_g15, "MessageId %llu outside the sequence window",
			 (unsigned long long)r.hdr.message_id);
		return;
	}
	r.grant = srv_grant_credits(s, r.hdr.credits);
	if (s->supports_multi_credit && len > 65536 &&
	    (r.hdr.credit_charge == 0 || r.hdr.credit_charge < (len - 1) / 65536 + 1)) {
		srv_refuse(s, &r, ST_INVALID_PARAMETER, &why_g21, "CreditCharge %u too small for a %zu-byte request",
			   r.hdr.credit_charge, len);
		return;
	}
	if (!verify_signature(s, &r))
		return;
	dispatch(s, &r);
}

static void
handle_smb2_pdu(struct smb2_server *s, const uint8_t *p, size_t len, bool encrypted, uint64_t sid, uint64_t now)
{
	struct smb2_compound_iter it;
	struct smb2_compound_elem el;
	struct srv_chain chain = {0, 0, 0};
	enum sd_err err;

	smb2_compound_init(&it, p, len);
	while ((err = smb2_compound_next(&it, &el)) == SD_OK) {
		/* Answers to a chain go out one PDU each (not compounded). */
		handle_message(s, el.msg, el.len, encrypted, sid, now, &chain);
		if (s->action != SMB2S_ACT_CONTINUE || s->silent)
			return;
	}
	if (err != SD_ERR_NOT_FOUND)
		srv_drop(s, NULL, &why_g23, "broken compound chain (%s)", sd_err_name(err));
}

/* TRANSFORM_HEADER (3.3.5.2.1.1): every failure drops the connection. */
static void
handle_transform(struct smb2_server *s, const uint8_t *p, size_t len, uint64_t now)
{
	struct srv_session *sess;
	uint64_t sid;
	size_t plain_len;

	if (!srv_can_encrypt(s)) {
		srv_drop(s, NULL, &why_g5, "encrypted message on a connection without encryption");
		return;
	}
	if (len <= SMB2_TRANSFORM_HEADER_SIZE || smb3_transform_session_id(p, len, &sid) != SD_OK) {
		srv_drop(s, NULL, &why_g5, "encrypted message too short");
		return;
	}
	sess = srv_session_find(s, sid);
	if (sess == NULL || !sess->have_keys) {
		srv_drop(s, NULL, &why_g5, "encrypted message for unknown session 0x%016llx", (unsigned long long)sid);
		return;
	}
	if (s->plain == NULL && (s->plain = malloc(s->max_pdu)) == NULL) {
		srv_set_action(s, SMB2S_ACT_RESET, NULL);
		return;
	}
	if (smb3_transform_unseal(s->crypto, (enum smb3_cipher)s->cipher_id, sess->keys.c2s, sess->keys.cipher_key_len,
				  p, len, s->plain, s->max_pdu, &plain_len) != SD_OK) {
		srv_drop(s, NULL, &why_g5, "encrypted message does not decrypt (G7/G11/G12)");
		return;
	}
	handle_smb2_pdu(s, s->plain, plain_len, true, sid, now);
}

void
srv_handle_pdu(struct smb2_server *s, uint8_t type, const uint8_t *p, size_t len, uint64_t now)
{
	static const uint8_t nbss_positive[4] = {0x82, 0, 0, 0};

	if (type == 0x85)
		return;  /* NetBIOS keep-alive */
	if (type == 0x81) {
		/* NetBIOS session request (port 139): accept any called name. */
		srv_queue_raw(s, nbss_positive, sizeof(nbss_positive));
		return;
	}
	if (type != 0x00 || len < 4) {
		srv_drop(s, NULL, &why_g1, "not an SMB session message (type 0x%02x)", type);
		return;
	}
	if (p[0] == 0xFF && p[1] == 'S' && p[2] == 'M' && p[3] == 'B')
		srv_smb1_negotiate(s, p, len, now);
	else if (p[0] == 0xFD && p[1] == 'S' && p[2] == 'M' && p[3] == 'B')
		handle_transform(s, p, len, now);
	else if (p[0] == 0xFE && p[1] == 'S' && p[2] == 'M' && p[3] == 'B')
		handle_smb2_pdu(s, p, len, false, 0, now);
	else
		srv_drop(s, NULL, &why_g1, "protocol id %02X %02X %02X %02X is not SMB2 (compression is not "
			 "negotiated)", p[0], p[1], p[2], p[3]);
}

