/* NEGOTIATE: what the client offers and what it learns (MS-SMB2 3.2.4.2.2,
 * 3.2.5.2). */
#include <string.h>

#include "core/auth/spnego.h"
#include "core/proto/client_internal.h"
#include "core/wire/smb1.h"
#include "core/wire/utf16.h"

#define PREAUTH_SALT_LEN 32

static const uint16_t default_ciphers[] = {
	SMB2_ENCRYPTION_AES128_GCM, SMB2_ENCRYPTION_AES128_CCM, SMB2_ENCRYPTION_AES256_GCM,
	SMB2_ENCRYPTION_AES256_CCM,
};
static const uint16_t default_signing[] = {
	SMB2_SIGNING_AES_GMAC, SMB2_SIGNING_AES_CMAC, SMB2_SIGNING_HMAC_SHA256,
};

static bool
offers(const struct smb2_client *c, uint16_t dialect)
{
	uint8_t i;

	for (i = 0; i < c->cfg.n_dialects; i++)
		if (c->cfg.dialects[i] == dialect)
			return true;
	return false;
}

/* ENCRYPTION and SIGNING share one layout (struct smb2_negctx_ids), so
 * both are filled through u.encryption. */
static void
ids_context(struct smb2_negctx *ctx, uint16_t type, const uint16_t *ids, size_t n)
{
	size_t i;

	ctx->type = type;
	ctx->known = true;
	ctx->u.encryption.count = (uint16_t)n;
	ctx->u.encryption.n_ids = (uint8_t)n;
	for (i = 0; i < n; i++)
		ctx->u.encryption.ids[i] = ids[i];
}

/* The 3.1.1 contexts; salt and netname live in the caller's buffers until
 * the request is encoded. Returns the number of contexts. */
static size_t
build_contexts(struct smb2_client *c, struct smb2_negctx *ctx, uint8_t *salt, uint8_t *netname,
	       size_t netname_cap)
{
	size_t n = 0;
	struct sd_wr w;

	c->ctx->random(c->ctx->user, salt, PREAUTH_SALT_LEN);
	ctx[n].type = SMB2_PREAUTH_INTEGRITY_CAPABILITIES;
	ctx[n].known = true;
	ctx[n].u.preauth.hash_count = 1;
	ctx[n].u.preauth.n_hash_ids = 1;
	ctx[n].u.preauth.hash_ids[0] = SMB2_PREAUTH_INTEGRITY_SHA512;
	ctx[n].u.preauth.salt_len = PREAUTH_SALT_LEN;
	ctx[n].u.preauth.salt = salt;
	n++;
	if (!c->cfg.no_encryption) {
		if (c->cfg.n_ciphers)
			ids_context(&ctx[n], SMB2_ENCRYPTION_CAPABILITIES, c->cfg.ciphers, c->cfg.n_ciphers);
		else
			ids_context(&ctx[n], SMB2_ENCRYPTION_CAPABILITIES, default_ciphers,
				    sizeof(default_ciphers) / sizeof(default_ciphers[0]));
		n++;
	}
	if (c->cfg.n_signing_algs)
		ids_context(&ctx[n], SMB2_SIGNING_CAPABILITIES, c->cfg.signing_algs, c->cfg.n_signing_algs);
	else
		ids_context(&ctx[n], SMB2_SIGNING_CAPABILITIES, default_signing,
			    sizeof(default_signing) / sizeof(default_signing[0]));
	n++;
	sd_wr_init(&w, netname, netname_cap);
	if (sd_utf8_to_utf16le(c->server_name, strlen(c->server_name), &w) == SD_OK && w.len > 0) {
		ctx[n].type = SMB2_NETNAME_NEGOTIATE_CONTEXT_ID;
		ctx[n].known = true;
		ctx[n].u.netname.name = netname;
		ctx[n].u.netname.name_len = w.len;
		n++;
	}
	return n;
}

enum sd_err
client_send_negotiate(struct smb2_client *c, uint64_t now_us)
{
	struct smb2_negotiate_req req;
	struct client_req cr = {SMB2C_STEP_NEGOTIATE, SMB2_NEGOTIATE, 0, 0, CLIENT_PLAIN};
	struct smb2_header h;
	struct sd_wr w;
	uint8_t salt[PREAUTH_SALT_LEN];
	uint8_t netname[2 * CLIENT_TEXT_CAP];
	enum sd_err err;
	uint8_t i;

	memset(&req, 0, sizeof(req));
	req.dialect_count = c->cfg.n_dialects;
	req.n_dialects = c->cfg.n_dialects;
	for (i = 0; i < c->cfg.n_dialects; i++)
		req.dialects[i] = c->cfg.dialects[i];
	switch (c->cfg.signing) {
	case SMB2_SIGNING_OFF: req.security_mode = 0; break;
	case SMB2_SIGNING_ON: req.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED; break;
	default: req.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED; break;
	}
	req.capabilities = SMB2_GLOBAL_CAP_DFS | SMB2_GLOBAL_CAP_LEASING | SMB2_GLOBAL_CAP_LARGE_MTU;
	if (!c->cfg.no_encryption)
		req.capabilities |= SMB2_GLOBAL_CAP_ENCRYPTION;
	memcpy(req.client_guid, c->res.client_guid, 16);
	req.offers_311 = offers(c, SMB2_DIALECT_311);
	if (req.offers_311) {
		req.ctx.n = (uint8_t)build_contexts(c, req.ctx.ctx, salt, netname, sizeof(netname));
		req.ctx.count = req.ctx.n;
	}

	smb2_negotiate_offer_from_req(&c->offer, &req);
	c->res.n_offered_dialects = c->cfg.n_dialects;
	memcpy(c->res.offered_dialects, c->cfg.dialects, sizeof(c->res.offered_dialects));
	c->res.client_security_mode = req.security_mode;
	c->res.client_capabilities = req.capabilities;

	client_begin(c, &cr, &w, &h);
	smb2_negotiate_req_encode(&req, &w);
	err = client_finish(c, &cr, &w, now_us);
	if (err)
		return err;
	smb311_preauth_init(c->conn_hash);
	return smb311_preauth_update(c->crypto, c->conn_hash, c->plain, w.len);
}

static void
learn_contexts(struct smb2_client *c, const struct smb2_negotiate_rsp *rsp)
{
	const struct smb2_negctx *x;

	x = smb2_negctx_find(&rsp->ctx, SMB2_ENCRYPTION_CAPABILITIES);
	if (x && x->known && x->u.encryption.n_ids == 1) {
		c->res.cipher = x->u.encryption.ids[0];
		c->res.cipher_negotiated = true;
	}
	x = smb2_negctx_find(&rsp->ctx, SMB2_SIGNING_CAPABILITIES);
	if (x && x->known && x->u.signing.n_ids == 1) {
		c->res.signing_alg = x->u.signing.ids[0];
		c->res.signing_alg_negotiated = true;
	}
}

static void
learn_mechanisms(struct smb2_client *c, const struct smb2_negotiate_rsp *rsp)
{
	struct spnego_token tok;
	uint8_t i;

	if (rsp->secbuf_len == 0 || spnego_decode(rsp->secbuf, rsp->secbuf_len, &tok) != SD_OK ||
	    tok.kind != SPNEGO_KIND_INIT)
		return;
	for (i = 0; i < tok.init.n_mechs && i < sizeof(c->res.server_mechs); i++)
		c->res.server_mechs[i] = (uint8_t)tok.init.mechs[i];
	c->res.n_server_mechs = i;
}

/* The cipher the connection seals with: the 3.1.1 answer, or AES-128-CCM
 * for 3.0 / 3.0.2 servers that announce encryption (MS-SMB2 3.2.5.2). */
static uint16_t
effective_cipher(const struct smb2_client *c)
{
	if (c->cfg.no_encryption)
		return 0;
	if (c->res.dialect == SMB2_DIALECT_311)
		return c->res.cipher_negotiated ? c->res.cipher : 0;
	if ((c->res.dialect == SMB2_DIALECT_300 || c->res.dialect == SMB2_DIALECT_302) &&
	    (c->res.server_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION))
		return SMB2_ENCRYPTION_AES128_CCM;
	return 0;
}

void
client_on_negotiate(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	struct smb2_negotiate_rsp rsp;
	enum sd_err err;

	if (c->smb1_pending && client_smb1_upgrade(c, r, now_us))
		return;
	if (r->hdr.status != 0) {
		client_fail(c, SMB2C_FAIL_STATUS, r->hdr.status, SD_OK);
		return;
	}
	err = smb2_negotiate_rsp_decode(r->msg, r->len, &rsp);
	if (err) {
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, err);
		return;
	}
	/* MS-SMB2 3.2.5.2: what a Windows client refuses ends the connection. */
	smb2_negotiate_check(&c->offer, &rsp, &c->res.negotiate_faults);
	if (c->res.negotiate_faults.n > 0) {
		c->res.dialect = rsp.dialect;
		c->res.max_transact_size = rsp.max_transact_size;
		c->res.max_read_size = rsp.max_read_size;
		c->res.max_write_size = rsp.max_write_size;
		client_fail(c, SMB2C_FAIL_NEGOTIATE_RULES, 0, SD_OK);
		return;
	}
	c->res.negotiated = true;
	c->res.dialect = rsp.dialect;
	c->res.server_security_mode = rsp.security_mode;
	c->res.server_capabilities = rsp.capabilities;
	memcpy(c->res.server_guid, rsp.server_guid, 16);
	c->res.server_time = rsp.system_time;
	c->res.server_start_time = rsp.server_start_time;
	c->res.max_transact_size = rsp.max_transact_size;
	c->res.max_read_size = rsp.max_read_size;
	c->res.max_write_size = rsp.max_write_size;
	if (rsp.dialect == SMB2_DIALECT_311)
		learn_contexts(c, &rsp);
	learn_mechanisms(c, &rsp);
	c->effective_cipher = effective_cipher(c);
	c->sign_alg = smb2_sign_alg_for(rsp.dialect, c->res.signing_alg_negotiated,
					(enum smb2_sign_alg)c->res.signing_alg);
	if (rsp.dialect == SMB2_DIALECT_311) {
		err = smb311_preauth_update(c->crypto, c->conn_hash, r->msg, r->len);
		if (err) {
			client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
			return;
		}
	}
	if (c->cfg.negotiate_only) {
		client_done(c);
		return;
	}
	err = client_session_begin(c, now_us);
	if (err)
		client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
}

/* The multi-protocol NEGOTIATE: SMB1 dialects, then the SMB2 strings for
 * the SMB2 dialects on offer (none with smb1_only). */
enum sd_err
client_send_smb1_negotiate(struct smb2_client *c, uint64_t now_us)
{
	struct client_req cr = {SMB2C_STEP_NEGOTIATE, SMB2_NEGOTIATE, 0, 0, CLIENT_PLAIN};
	const char *dialects[SMB1_DIALECTS_MAX];
	size_t i, n = 0;
	bool later = false;
	struct sd_wr w;
	enum sd_err err;

	for (i = 0; i < smb1_multi_protocol_dialect_count && n < SMB1_DIALECTS_MAX; i++) {
		const char *d = smb1_multi_protocol_dialects[i];

		if (strcmp(d, SMB1_DIALECT_SMB2_002) != 0 && strcmp(d, SMB1_DIALECT_SMB2_WILDCARD) != 0)
			dialects[n++] = d;
	}
	for (i = 0; i < c->cfg.n_dialects; i++)
		later |= c->cfg.dialects[i] != SMB2_DIALECT_202;
	if (!c->cfg.smb1_only && offers(c, SMB2_DIALECT_202))
		dialects[n++] = SMB1_DIALECT_SMB2_002;
	if (!c->cfg.smb1_only && later)
		dialects[n++] = SMB1_DIALECT_SMB2_WILDCARD;
	smb2_negotiate_offer_from_smb1(&c->offer, !c->cfg.smb1_only && offers(c, SMB2_DIALECT_202),
				       !c->cfg.smb1_only && later);
	sd_wr_init(&w, c->plain, CLIENT_OUT_CAP);
	err = smb1_negotiate_request_encode(&w, NULL, dialects, n);
	if (err)
		return err;
	err = client_finish(c, &cr, &w, now_us);
	if (err)
		return err;
	c->res.smb1_sent = true;
	c->smb1_pending = true;
	return SD_OK;
}

bool
smb2_client_smb1_chosen(const struct smb2_client_result *r)
{
	return r->smb1_answered && r->smb1_status == 0 && r->smb1_dialect_index != SMB1_NO_DIALECT;
}

/* An SMB1 server (or one that answers SMB1 when offered only SMB1): the
 * client speaks no SMB1 beyond this, so it records the answer and stops. */
void
client_on_smb1_answer(struct smb2_client *c, const uint8_t *p, size_t len, uint64_t now_us)
{
	struct smb1_negotiate_response rsp;
	struct smb2_client_exchange *ex = c->pending >= 0 ? &c->res.exchanges[c->pending] : NULL;
	enum sd_err err;

	c->smb1_pending = false;
	c->res.smb1_answered = true;
	err = smb1_negotiate_response_decode(p, len, &rsp, NULL);
	if (err == SD_OK) {
		c->res.smb1_dialect_index = rsp.dialect_index;
		c->res.smb1_status = rsp.hdr.status;
	}
	if (ex) {
		ex->answered = true;
		ex->answered_us = now_us;
		ex->status = err == SD_OK ? rsp.hdr.status : 0;
	}
	client_fail(c, SMB2C_FAIL_BAD_RESPONSE, err == SD_OK ? rsp.hdr.status : 0, err ? err : SD_ERR_UNSUPPORTED);
	c->pending = -1;
}

/* The SMB2 answer to the multi-protocol NEGOTIATE: dialect 2.??? asks for
 * an SMB2 NEGOTIATE (MessageId 1); anything else takes the usual path. */
bool
client_smb1_upgrade(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	struct smb2_negotiate_rsp rsp;
	enum sd_err err;

	c->smb1_pending = false;
	if (r->hdr.status != 0 || smb2_negotiate_rsp_decode(r->msg, r->len, &rsp) != SD_OK ||
	    rsp.dialect != SMB2_DIALECT_WILDCARD)
		return false;
	c->res.smb1_upgraded = true;
	err = client_send_negotiate(c, now_us);
	if (err)
		client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
	return true;
}
