/* NEGOTIATE: the SMB1 multi-protocol upgrade (MS-SMB2 3.3.5.3) and the
 * SMB2 NEGOTIATE with every 3.1.1 context rule (3.3.5.4). */
#include <string.h>

#include "core/auth/spnego.h"
#include "core/proto/server_internal.h"
#include "core/wire/names.h"
#include "core/wire/smb1.h"

#define SALT_LEN 32

static const struct srv_why why_n1 = {"N1", NULL, "MS-SMB2 3.3.5.3"};
static const struct srv_why why_n4 = {"N4", "negotiate.smb1_in_use", "MS-SMB2 3.3.5.3.2"};
static const struct srv_why why_n4c = {"N4", "negotiate.no_common_dialect", "MS-SMB2 3.3.5.3.2"};
static const struct srv_why why_n5 = {"N5", "negotiate.connection_closed", "MS-SMB2 3.3.5.3.2"};
static const struct srv_why why_p1 = {"P1", NULL, "MS-SMB2 3.3.5.4"};
static const struct srv_why why_p2 = {"P2", NULL, "MS-SMB2 3.3.5.4"};
static const struct srv_why why_p3 = {"P3", "negotiate.no_common_dialect", "MS-SMB2 3.3.5.4"};
static const struct srv_why why_p4 = {"P4", NULL, "MS-SMB2 3.3.5.4"};
static const struct srv_why why_p5 = {"P5", NULL, "MS-SMB2 3.3.5.4"};
static const struct srv_why why_p7 = {"P7", NULL, "MS-SMB2 3.3.5.4"};
static const struct srv_why why_p8 = {"P6-P14", NULL, "MS-SMB2 3.3.5.4"};
static const struct srv_why why_g22 = {"G22", NULL, "MS-SMB2 3.3.5.2.6"};

static const uint16_t default_ciphers[] = {
	SMB2_ENCRYPTION_AES128_GCM, SMB2_ENCRYPTION_AES128_CCM, SMB2_ENCRYPTION_AES256_GCM,
	SMB2_ENCRYPTION_AES256_CCM,
};
static const uint16_t default_signing[] = {
	SMB2_SIGNING_AES_GMAC, SMB2_SIGNING_AES_CMAC, SMB2_SIGNING_HMAC_SHA256,
};

/* The SPNEGO NegTokenInit2 of the NEGOTIATE answer (MS-SPNG 3.2.5.2):
 * MS-KRB5 and KRB5 when a keytab is configured, then NTLMSSP; without a
 * keytab only NTLMSSP, so clients skip Kerberos. */
static size_t
server_init2(const struct smb2_server *s, uint8_t *buf, size_t cap)
{
	struct spnego_init init;
	uint8_t mechs[SPNEGO_MECHS_MAX], i;
	struct sd_wr w;

	memset(&init, 0, sizeof(init));
	init.n_mechs = srv_mech_list(s, mechs, SPNEGO_MECHS_MAX);
	for (i = 0; i < init.n_mechs; i++)
		init.mechs[i] = (enum spnego_mech)mechs[i];
	init.has_neg_hints = true;
	init.hint_name.p = (const uint8_t *)SPNEGO_WINDOWS_HINT_NAME;
	init.hint_name.len = strlen(SPNEGO_WINDOWS_HINT_NAME);
	sd_wr_init(&w, buf, cap);
	spnego_encode_init2(&w, &init);
	return sd_wr_ok(&w) ? w.len : 0;
}

/* Builds and queues a NEGOTIATE answer for `dialect` (0x02FF included). */
static enum sd_err
negotiate_answer(struct smb2_server *s, struct srv_req *r, uint16_t dialect, const struct smb2_negctx *ctx,
		 uint8_t n_ctx)
{
	struct smb2_negotiate_rsp rsp;
	uint8_t secbuf[192];   /* three mechanisms and the hint: about 110 bytes */
	struct sd_wr w;
	uint64_t now = s->ctx->filetime(s->ctx->user);

	memset(&rsp, 0, sizeof(rsp));
	rsp.security_mode = s->server_security_mode;
	rsp.dialect = dialect;
	memcpy(rsp.server_guid, s->server_guid, 16);
	rsp.capabilities = s->sent_capabilities;
	rsp.max_transact_size = s->max_transact;
	rsp.max_read_size = s->max_transact;
	rsp.max_write_size = s->max_transact;
	rsp.system_time = now;
	rsp.server_start_time = 0;
	rsp.secbuf_len = (uint16_t)server_init2(s, secbuf, sizeof(secbuf));
	rsp.secbuf = secbuf;
	if (n_ctx) {
		memcpy(rsp.ctx.ctx, ctx, n_ctx * sizeof(*ctx));
		rsp.ctx.n = n_ctx;
		rsp.ctx.count = n_ctx;
	}
	srv_begin(s, r, ST_SUCCESS, &w);
	smb2_negotiate_rsp_encode(&rsp, &w);
	if (!sd_wr_ok(&w))
		return w.err;
	if (dialect == SMB2_DIALECT_311) {
		enum sd_err err = smb311_preauth_update(s->crypto, s->preauth, s->rsp, w.len);

		if (err)
			return err;
	}
	return srv_finish(s, r, &w, false);
}

static void
set_server_modes(struct smb2_server *s, uint16_t dialect)
{
	s->server_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED |
				  (s->pol->require_message_signing ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0);
	s->sent_capabilities = 0;
	if (dialect != SMB2_DIALECT_202)
		s->sent_capabilities |= SMB2_GLOBAL_CAP_LARGE_MTU;
	if ((dialect == SMB2_DIALECT_300 || dialect == SMB2_DIALECT_302) &&
	    (s->client_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION))
		s->sent_capabilities |= SMB2_GLOBAL_CAP_ENCRYPTION;
	s->server_capabilities = s->sent_capabilities;
}

static void
smb1_event(struct smb2_server *s, const struct srv_req *r, const struct smb1_negotiate_request *req)
{
	struct smb2s_event *ev = srv_event(s, SMB2S_EV_SMB1_NEGOTIATE, r);

	ev->command = SMB2S_CMD_SMB1;
	ev->smb1_offers_smb2_002 = req->offers_smb2_002;
	ev->smb1_offers_wildcard = req->offers_smb2_wildcard;
	ev->smb1_offers_smb1 = req->offers_smb1;
	srv_event_text(ev, "SMB1 multi-protocol NEGOTIATE with %u dialects%s%s%s", req->dialect_count,
		       req->offers_smb2_002 ? ", \"SMB 2.002\"" : "", req->offers_smb2_wildcard ? ", \"SMB 2.???\"" : "",
		       req->offers_smb1 ? ", SMB1 dialects" : "");
}

/* No SMB2 dialect we serve was offered: answer "no dialect" in SMB1
 * (the server has SMB1 on) or drop (SMB1 off). */
static void
smb1_no_smb2(struct smb2_server *s, struct srv_req *r, const struct smb1_negotiate_request *req,
	     const uint8_t *msg, size_t len)
{
	struct smb1_negotiate_response rsp;
	uint8_t buf[64];
	struct sd_wr w;
	struct smb2s_event *ev;

	if (!s->pol->enable_smb1) {
		srv_drop(s, r, &why_n5, "client offers %s; SMB1 is disabled (EnableSMB1Protocol = false)",
			 req->offers_smb2_002 || req->offers_smb2_wildcard ? "no SMB2 dialect this server allows"
									   : "only SMB1");
		return;
	}
	memset(&rsp, 0, sizeof(rsp));
	smb1_header_decode(msg, len, &rsp.hdr);
	rsp.hdr.flags |= SMB1_FLAGS_REPLY;
	rsp.form = SMB1_NEG_FORM_INDEX_ONLY;
	rsp.dialect_index = SMB1_NO_DIALECT;
	sd_wr_init(&w, buf, sizeof(buf));
	if (smb1_negotiate_response_encode(&w, &rsp) == SD_OK)
		srv_queue_frame(s, buf, w.len);
	ev = srv_event(s, SMB2S_EV_REFUSED, r);
	ev->command = SMB2S_CMD_SMB1;
	if (req->offers_smb2_002 || req->offers_smb2_wildcard) {
		ev->rule = why_n4c.rule;
		ev->finding = why_n4c.finding;
		ev->spec = why_n4c.spec;
	} else {
		ev->rule = why_n4.rule;
		ev->finding = why_n4.finding;
		ev->spec = why_n4.spec;
	}
	srv_event_text(ev, "SMB1 dialect index 0xFFFF: smbdiag serve does not speak SMB1; closing");
	srv_drop(s, r, &why_n4, "after refusing the SMB1 dialects");
}

void
srv_smb1_negotiate(struct smb2_server *s, const uint8_t *msg, size_t len, uint64_t now)
{
	struct smb1_negotiate_request req;
	struct sd_anomalies anom;
	struct srv_req r;
	uint16_t dialect = 0;

	memset(&r, 0, sizeof(r));
	r.now = now;
	r.hdr.command = SMB2_NEGOTIATE;
	r.hdr.credits = 1;
	memset(&anom, 0, sizeof(anom));
	if (s->negotiate_dialect != NEGOTIATE_DIALECT_NONE) {
		srv_drop(s, &r, &why_n1, "SMB1 NEGOTIATE after the dialect was settled");
		return;
	}
	if (smb1_negotiate_request_decode(msg, len, &req, &anom) != SD_OK) {
		srv_drop(s, &r, &why_g22, "SMB1 message that is not a valid SMB_COM_NEGOTIATE");
		return;
	}
	smb1_event(s, &r, &req);
	if (srv_fault_silent(s, &r, SMB2S_FAULT_NEGOTIATE))
		return;
	srv_window_take(s, 0, 1);  /* SMB_COM_NEGOTIATE counts as MessageId 0 */
	if (req.offers_smb2_wildcard && s->pol->max_dialect >= SMB2_DIALECT_210)
		dialect = SMB2_DIALECT_WILDCARD;
	else if (req.offers_smb2_002 && srv_dialect_allowed(s->pol, SMB2_DIALECT_202))
		dialect = SMB2_DIALECT_202;
	if (dialect == 0) {
		smb1_no_smb2(s, &r, &req, msg, len);
		return;
	}
	r.grant = srv_grant_credits(s, 1);
	set_server_modes(s, dialect);
	if (dialect == SMB2_DIALECT_WILDCARD) {
		/* N2: only DFS / LEASING / LARGE_MTU may be announced here. */
		s->sent_capabilities &= SMB2_GLOBAL_CAP_LARGE_MTU;
		s->negotiate_dialect = SMB2_DIALECT_WILDCARD;
	} else {
		s->negotiate_dialect = s->dialect = SMB2_DIALECT_202;
	}
	if (negotiate_answer(s, &r, dialect, NULL, 0) != SD_OK)
		srv_drop(s, &r, &why_g22, "could not build the NEGOTIATE answer");
}

static void
offer_event(struct smb2_server *s, const struct srv_req *r, const struct smb2_negotiate_req *req)
{
	struct smb2s_event *ev = srv_event(s, SMB2S_EV_NEGOTIATE_OFFER, r);
	const struct smb2_negctx *x;
	uint8_t i;

	for (i = 0; i < req->n_dialects && i < SMB2S_EV_MAX_IDS; i++)
		ev->dialects[i] = req->dialects[i];
	ev->n_dialects = i;
	ev->security_mode = req->security_mode;
	ev->capabilities = req->capabilities;
	memcpy(ev->client_guid, req->client_guid, 16);
	x = smb2_negctx_find(&req->ctx, SMB2_ENCRYPTION_CAPABILITIES);
	for (i = 0; x && x->known && i < x->u.encryption.n_ids && i < SMB2S_EV_MAX_IDS; i++)
		ev->ciphers[i] = x->u.encryption.ids[i];
	ev->n_ciphers = i;
	x = smb2_negctx_find(&req->ctx, SMB2_SIGNING_CAPABILITIES);
	for (i = 0; x && x->known && i < x->u.signing.n_ids && i < SMB2S_EV_MAX_IDS; i++)
		ev->signing_algs[i] = x->u.signing.ids[i];
	ev->n_signing_algs = i;
	srv_event_text(ev, "client offers %u dialect(s), %u negotiate context(s)", req->dialect_count,
		       req->negctx_count);
}

/* The greatest dialect both sides have (P3); 0 when none. */
static uint16_t
pick_dialect(const struct smb2_server *s, const struct smb2_negotiate_req *req)
{
	uint16_t best = 0;
	uint8_t i;

	for (i = 0; i < req->n_dialects; i++)
		if (srv_dialect_allowed(s->pol, req->dialects[i]) && req->dialects[i] > best)
			best = req->dialects[i];
	return best;
}

/* Server preference first: the first of ours the client also offers. */
static uint16_t
pick_id(const uint16_t *ours, size_t n_ours, const struct smb2_negctx_ids *theirs, bool *found)
{
	size_t i;
	uint8_t j;

	*found = false;
	for (i = 0; i < n_ours; i++)
		for (j = 0; j < theirs->n_ids; j++)
			if (ours[i] == theirs->ids[j]) {
				*found = true;
				return ours[i];
			}
	return 0;
}

static unsigned
count_type(const struct smb2_negctx_list *l, uint16_t type)
{
	unsigned n = 0;
	uint8_t i;

	for (i = 0; i < l->n; i++)
		n += l->ctx[i].type == type;
	return n;
}

/* 3.1.1 contexts (P4-P15). Fills the answer's contexts; false after
 * refusing. */
static bool
contexts_311(struct smb2_server *s, struct srv_req *r, const struct smb2_negotiate_req *req, struct smb2_negctx *out,
	     uint8_t *n_out, uint8_t *salt)
{
	const struct smb2_negctx *pre = smb2_negctx_find(&req->ctx, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
	const struct smb2_negctx *enc = smb2_negctx_find(&req->ctx, SMB2_ENCRYPTION_CAPABILITIES);
	const struct smb2_negctx *sig = smb2_negctx_find(&req->ctx, SMB2_SIGNING_CAPABILITIES);
	static const uint16_t types[] = {SMB2_ENCRYPTION_CAPABILITIES, SMB2_COMPRESSION_CAPABILITIES,
					 SMB2_RDMA_TRANSFORM_CAPABILITIES, SMB2_SIGNING_CAPABILITIES};
	bool found;
	size_t i;
	uint8_t j, n = 0;

	if (count_type(&req->ctx, SMB2_PREAUTH_INTEGRITY_CAPABILITIES) != 1) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_p4, "3.1.1 NEGOTIATE with %u PREAUTH_INTEGRITY contexts",
			   count_type(&req->ctx, SMB2_PREAUTH_INTEGRITY_CAPABILITIES));
		return false;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (count_type(&req->ctx, types[i]) > 1) {
			srv_refuse(s, r, ST_INVALID_PARAMETER, &why_p5, "more than one %s context",
				   smb2_negotiate_context_name(types[i]));
			return false;
		}
	found = false;
	for (j = 0; j < pre->u.preauth.n_hash_ids; j++)
		found |= pre->u.preauth.hash_ids[j] == SMB2_PREAUTH_INTEGRITY_SHA512;
	if (!found) {
		srv_refuse(s, r, ST_NO_PREAUTH_INTEGRITY_HASH_OVERLAP, &why_p7, "no SHA-512 among the client's "
			   "preauth integrity hashes");
		return false;
	}
	if ((enc && enc->u.encryption.count == 0) || (sig && sig->u.signing.count == 0)) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_p8, "%s context with no algorithm",
			   enc && enc->u.encryption.count == 0 ? "ENCRYPTION" : "SIGNING");
		return false;
	}
	s->ctx->random(s->ctx->user, salt, SALT_LEN);
	out[n].type = SMB2_PREAUTH_INTEGRITY_CAPABILITIES;
	out[n].known = true;
	out[n].u.preauth.hash_count = 1;
	out[n].u.preauth.n_hash_ids = 1;
	out[n].u.preauth.hash_ids[0] = SMB2_PREAUTH_INTEGRITY_SHA512;
	out[n].u.preauth.salt_len = SALT_LEN;
	out[n].u.preauth.salt = salt;
	n++;
	s->cipher_id = 0;
	if (enc) {
		/* P9: no common cipher is not an error; cipher 0 answers it. */
		s->cipher_id = s->pol->n_ciphers
			? pick_id(s->pol->ciphers, s->pol->n_ciphers, &enc->u.encryption, &found)
			: pick_id(default_ciphers, 4, &enc->u.encryption, &found);
		out[n].type = SMB2_ENCRYPTION_CAPABILITIES;
		out[n].known = true;
		out[n].u.encryption.count = 1;
		out[n].u.encryption.n_ids = 1;
		out[n].u.encryption.ids[0] = s->cipher_id;
		n++;
	}
	s->signing_alg_id = SMB2_SIGNING_AES_CMAC;
	s->signing_alg_negotiated = false;
	if (sig) {
		uint16_t id = s->pol->n_signing_algs
			? pick_id(s->pol->signing_algs, s->pol->n_signing_algs, &sig->u.signing, &found)
			: pick_id(default_signing, 3, &sig->u.signing, &found);

		/* P13: nothing in common -> AES-CMAC. */
		s->signing_alg_id = found ? id : SMB2_SIGNING_AES_CMAC;
		s->signing_alg_negotiated = true;
		out[n].type = SMB2_SIGNING_CAPABILITIES;
		out[n].known = true;
		out[n].u.signing.count = 1;
		out[n].u.signing.n_ids = 1;
		out[n].u.signing.ids[0] = s->signing_alg_id;
		n++;
	}
	*n_out = n;
	return true;
}

static void
record_client(struct smb2_server *s, const struct smb2_negotiate_req *req)
{
	uint8_t i;

	s->client_capabilities = req->capabilities;
	s->client_security_mode = req->security_mode;
	memcpy(s->client_guid, req->client_guid, 16);
	s->n_client_dialects = 0;
	for (i = 0; i < req->n_dialects && i < SRV_MAX_CLIENT_DIALECTS; i++)
		s->client_dialects[s->n_client_dialects++] = req->dialects[i];
	s->should_sign = (req->security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED) != 0;
}

static void
negotiated_event(struct smb2_server *s, const struct srv_req *r)
{
	struct smb2s_event *ev = srv_event(s, SMB2S_EV_NEGOTIATED, r);

	ev->kerberos = srv_krb_offered(s);   /* the NegTokenInit2 lists MS-KRB5, KRB5 */
	ev->dialect = s->dialect;
	ev->cipher = s->cipher_id;
	ev->signing_alg = s->sign_alg;
	ev->security_mode = s->server_security_mode;
	ev->capabilities = s->sent_capabilities;
	srv_event_text(ev, "dialect %s, cipher %s, signing %s%s", smb2_dialect_name(s->dialect),
		       s->cipher_id ? smb2_cipher_name(s->cipher_id) : "none",
		       smb2_signing_algorithm_name((uint16_t)s->sign_alg),
		       s->pol->require_message_signing ? " (required)" : "");
}

void
srv_negotiate(struct smb2_server *s, struct srv_req *r)
{
	struct smb2_negotiate_req req;
	struct smb2_negctx ctx[4];
	uint8_t salt[SALT_LEN], n_ctx = 0;
	uint16_t dialect;

	if (s->negotiate_dialect != NEGOTIATE_DIALECT_NONE && s->negotiate_dialect != SMB2_DIALECT_WILDCARD) {
		srv_drop(s, r, &why_p1, "second NEGOTIATE on a negotiated connection");
		return;
	}
	if (smb2_negotiate_req_decode(r->msg, r->len, &req) != SD_OK) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_g22, "NEGOTIATE request does not decode (malformed "
			   "dialect list or negotiate context)");
		return;
	}
	offer_event(s, r, &req);
	if (srv_fault_silent(s, r, SMB2S_FAULT_NEGOTIATE))
		return;
	if (req.dialect_count == 0) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_p2, "NEGOTIATE with DialectCount 0");
		return;
	}
	record_client(s, &req);
	dialect = pick_dialect(s, &req);
	if (dialect == 0) {
		srv_refuse(s, r, ST_NOT_SUPPORTED, &why_p3, "no common dialect: server allows %s to %s",
			   smb2_dialect_name(s->pol->min_dialect), smb2_dialect_name(s->pol->max_dialect));
		return;
	}
	if (dialect == SMB2_DIALECT_311) {
		smb311_preauth_init(s->preauth);
		if (!contexts_311(s, r, &req, ctx, &n_ctx, salt))
			return;
		if (smb311_preauth_update(s->crypto, s->preauth, r->msg, r->len) != SD_OK) {
			srv_drop(s, r, &why_g22, "preauth hash failed");
			return;
		}
	} else if (srv_is_3x(dialect) && (req.capabilities & SMB2_GLOBAL_CAP_ENCRYPTION)) {
		s->cipher_id = SMB2_ENCRYPTION_AES128_CCM;  /* 3.0.x: the one cipher (trap 2) */
	}
	s->dialect = dialect;
	s->negotiate_dialect = dialect;
	s->supports_multi_credit = dialect != SMB2_DIALECT_202;
	s->constrained = s->pol->max_dialect >= SMB2_DIALECT_300;
	set_server_modes(s, dialect);
	if (dialect == SMB2_DIALECT_311 && s->cipher_id)
		s->server_capabilities |= SMB2_GLOBAL_CAP_ENCRYPTION;
	s->sign_alg = smb2_sign_alg_for(dialect, s->signing_alg_negotiated, (enum smb2_sign_alg)s->signing_alg_id);
	negotiated_event(s, r);
	if (negotiate_answer(s, r, dialect, ctx, n_ctx) != SD_OK)
		srv_drop(s, r, &why_g22, "could not build the NEGOTIATE answer");
}
