/* Client lifecycle, byte framing, and the protection (signing, sealing) of
 * every request and response. The steps themselves live in
 * client_negotiate.c, client_session.c and client_tree.c. */
#include <stdlib.h>
#include <string.h>

#include "core/proto/client_internal.h"
#include "core/wire/nbss.h"
#include "core/wire/utf16.h"

#define DEFAULT_MAX_MESSAGE (1024 * 1024)
#define STATUS_PENDING 0x00000103u

static const uint16_t default_dialects[] = {
	SMB2_DIALECT_202, SMB2_DIALECT_210, SMB2_DIALECT_300, SMB2_DIALECT_302, SMB2_DIALECT_311,
};

static bool
dialect_known(uint16_t d)
{
	size_t i;

	for (i = 0; i < sizeof(default_dialects) / sizeof(default_dialects[0]); i++)
		if (default_dialects[i] == d)
			return true;
	return false;
}

void
client_copy_text(char *dst, size_t cap, const char *src)
{
	size_t n;

	if (cap == 0)
		return;
	n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void
client_text_from_utf16(char *dst, size_t cap, const uint8_t *p, size_t len)
{
	size_t out_len = 0;

	if (cap == 0)
		return;
	if (p == NULL || sd_utf16le_to_utf8(p, len, dst, cap - 1, &out_len) != SD_OK)
		out_len = 0;
	dst[out_len < cap ? out_len : cap - 1] = '\0';
}

static enum sd_err
copy_config(struct smb2_client *c, const struct smb2_client_config *cfg)
{
	size_t i;

	c->cfg = *cfg;
	if (c->cfg.n_dialects == 0) {
		c->cfg.n_dialects = (uint8_t)(sizeof(default_dialects) / sizeof(default_dialects[0]));
		memcpy(c->cfg.dialects, default_dialects, sizeof(default_dialects));
	}
	if (c->cfg.n_dialects > SMB2_CLIENT_MAX_DIALECTS || c->cfg.n_ciphers > SMB2_CLIENT_MAX_IDS ||
	    c->cfg.n_signing_algs > SMB2_CLIENT_MAX_IDS)
		return SD_ERR_INVALID_ARG;
	for (i = 0; i < c->cfg.n_dialects; i++)
		if (!dialect_known(c->cfg.dialects[i]))
			return SD_ERR_INVALID_ARG;
	if (cfg->server_name == NULL || cfg->server_name[0] == '\0' || cfg->share == NULL || cfg->share[0] == '\0')
		return SD_ERR_INVALID_ARG;
	if (cfg->mech == SMB2_MECH_NTLM && (cfg->user == NULL || (cfg->password == NULL && cfg->nt_hash == NULL)))
		return SD_ERR_INVALID_ARG;
	if (cfg->mech == SMB2_MECH_EXTERNAL &&
	    (cfg->auth == NULL || !cfg->auth->first_token || !cfg->auth->next_token || !cfg->auth->session_key))
		return SD_ERR_INVALID_ARG;
	/* Cut short, a credential is another one: refuse it whole. */
	if ((cfg->user && strlen(cfg->user) >= sizeof(c->user)) ||
	    (cfg->password && strlen(cfg->password) >= sizeof(c->password)))
		return SD_ERR_LIMIT;

	client_copy_text(c->user, sizeof(c->user), cfg->mech != SMB2_MECH_ANONYMOUS && cfg->user ? cfg->user : "");
	client_copy_text(c->domain, sizeof(c->domain), cfg->domain);
	c->have_domain = cfg->domain != NULL;
	client_copy_text(c->password, sizeof(c->password), cfg->password);
	c->have_password = cfg->password != NULL;
	if (cfg->nt_hash)
		memcpy(c->nt_hash, cfg->nt_hash, sizeof(c->nt_hash));
	client_copy_text(c->workstation, sizeof(c->workstation), cfg->workstation ? cfg->workstation : "SMBDIAG");
	client_copy_text(c->server_name, sizeof(c->server_name), cfg->server_name);
	client_copy_text(c->share, sizeof(c->share), cfg->share);
	c->cfg.user = c->user;
	c->cfg.domain = c->have_domain ? c->domain : NULL;
	c->cfg.password = c->have_password ? c->password : NULL;
	c->cfg.nt_hash = NULL;
	c->cfg.workstation = c->workstation;
	c->cfg.server_name = c->server_name;
	c->cfg.share = c->share;
	return SD_OK;
}

enum sd_err
smb2_client_create(const struct sd_ctx *ctx, struct sd_crypto *crypto, const struct smb2_client_config *cfg,
		   struct smb2_client **out)
{
	struct smb2_client *c;
	enum sd_err err;

	if (ctx == NULL || ctx->random == NULL || ctx->filetime == NULL || crypto == NULL || cfg == NULL ||
	    out == NULL)
		return SD_ERR_INVALID_ARG;
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return SD_ERR_NOMEM;
	c->ctx = ctx;
	c->crypto = crypto;
	err = copy_config(c, cfg);
	if (err) {
		free(c);
		return err;
	}
	c->max_pdu = cfg->max_message ? cfg->max_message : DEFAULT_MAX_MESSAGE;
	if (c->max_pdu < CLIENT_OUT_CAP)
		c->max_pdu = CLIENT_OUT_CAP;
	c->in_cap = c->max_pdu + NBSS_FRAME_HEADER;
	/* Fixed allocations made once: the client never grows a buffer while
	 * it reads untrusted input. */
	c->in = malloc(c->in_cap);
	c->plain = malloc(CLIENT_OUT_CAP);
	c->unsealed = malloc(c->max_pdu);
	c->out = malloc(CLIENT_OUT_CAP + NBSS_FRAME_HEADER + SMB2_TRANSFORM_HEADER_SIZE);
	if (c->in == NULL || c->plain == NULL || c->unsealed == NULL || c->out == NULL) {
		smb2_client_free(c);
		return SD_ERR_NOMEM;
	}
	c->pending = -1;
	c->res.state = SMB2C_IDLE;
	ctx->random(ctx->user, c->res.client_guid, sizeof(c->res.client_guid));
	ctx->random(ctx->user, c->nonce_salt, sizeof(c->nonce_salt));
	*out = c;
	return SD_OK;
}

void
smb2_client_free(struct smb2_client *c)
{
	if (c == NULL)
		return;
	/* Wipe secrets before giving the memory back. */
	memset(c->password, 0, sizeof(c->password));
	memset(c->nt_hash, 0, sizeof(c->nt_hash));
	memset(c->session_key, 0, sizeof(c->session_key));
	memset(&c->keys, 0, sizeof(c->keys));
	client_srvsvc_free(c);
	free(c->in);
	free(c->plain);
	free(c->unsealed);
	free(c->out);
	free(c);
}

static void
set_state(struct smb2_client *c, enum smb2_client_state s)
{
	c->state = s;
	c->res.state = s;
}

void
client_fail(struct smb2_client *c, enum smb2_client_failure f, uint32_t status, enum sd_err err)
{
	const struct smb2_client_exchange *ex = smb2_client_pending(c);

	if (c->state == SMB2C_FAILED || c->state == SMB2C_DONE)
		return;
	c->res.failure = f;
	c->res.failed_status = status;
	c->res.failed_err = err;
	if (ex)
		c->res.failed_step = ex->step;
	else
		c->res.failed_step = c->res.n_exchanges ? c->res.exchanges[c->res.n_exchanges - 1].step
							: SMB2C_STEP_NEGOTIATE;
	c->out_len = c->out_sent = 0;
	set_state(c, SMB2C_FAILED);
}

static enum smb2_client_state
state_for_step(enum smb2_client_step step)
{
	switch (step) {
	case SMB2C_STEP_NEGOTIATE: return SMB2C_NEGOTIATE;
	case SMB2C_STEP_SESSION_SETUP: return SMB2C_SESSION_SETUP;
	case SMB2C_STEP_TREE_CONNECT: return SMB2C_TREE_CONNECT;
	case SMB2C_STEP_VALIDATE_NEGOTIATE: return SMB2C_VALIDATE_NEGOTIATE;
	case SMB2C_STEP_LIST_SHARES: return SMB2C_LIST_SHARES;
	case SMB2C_STEP_TREE_DISCONNECT: return SMB2C_TREE_DISCONNECT;
	case SMB2C_STEP_LOGOFF: return SMB2C_LOGOFF;
	default: return SMB2C_FAILED;
	}
}

enum client_protect
client_protection(const struct smb2_client *c, enum smb2_client_step step)
{
	bool tree_scoped = step == SMB2C_STEP_VALIDATE_NEGOTIATE || step == SMB2C_STEP_TREE_DISCONNECT ||
			   step == SMB2C_STEP_LIST_SHARES;

	if (!c->have_keys)
		return CLIENT_PLAIN;
	if (c->res.session_encrypt || (tree_scoped && c->res.tree_encrypt))
		return CLIENT_SEAL;
	/* --signing off plays a client that cannot sign (an old device): it
	 * never signs, whatever the server requires, so the server's refusal
	 * becomes visible. */
	if (c->cfg.signing == SMB2_SIGNING_OFF)
		return CLIENT_PLAIN;
	if (c->res.session_signing_required || step == SMB2C_STEP_VALIDATE_NEGOTIATE)
		return CLIENT_SIGN;
	/* MS-SMB2 3.2.4.2.4: a 3.1.1 TREE_CONNECT is always signed (the server
	 * drops an unsigned one, 3.3.5.7). */
	if (step == SMB2C_STEP_TREE_CONNECT && c->res.dialect == SMB2_DIALECT_311)
		return CLIENT_SIGN;
	return CLIENT_PLAIN;
}

void
client_begin(struct smb2_client *c, const struct client_req *req, struct sd_wr *w, struct smb2_header *h)
{
	memset(h, 0, sizeof(*h));
	/* CreditCharge is reserved in 2.0.2 and unknown before NEGOTIATE. */
	h->credit_charge = (c->res.negotiated && c->res.dialect != SMB2_DIALECT_202) ? 1 : 0;
	h->command = req->command;
	h->credits = 32;
	h->message_id = c->next_message_id;
	h->process_id = 0xFEFF;
	h->tree_id = req->tree_id;
	h->session_id = req->session_id;
	sd_wr_init(w, c->plain, CLIENT_OUT_CAP);
	smb2_header_encode(h, w);
}

static enum sd_err
seal_into_out(struct smb2_client *c, const uint8_t *msg, size_t len, size_t *sealed_len)
{
	uint8_t nonce[16] = {0};
	size_t nonce_len = smb3_cipher_nonce_len((enum smb3_cipher)c->effective_cipher);
	uint64_t counter = ++c->nonce_counter;

	/* Unique per key: a random salt, then a counter that never repeats. */
	memcpy(nonce, c->nonce_salt, nonce_len - 8);
	sd_store_u64le(nonce + nonce_len - 8, counter);
	return smb3_transform_seal(c->crypto, (enum smb3_cipher)c->effective_cipher, c->keys.c2s,
				   c->keys.cipher_key_len, nonce, nonce_len, c->res.session_id, msg, len,
				   c->out + NBSS_FRAME_HEADER, CLIENT_OUT_CAP + SMB2_TRANSFORM_HEADER_SIZE, sealed_len);
}

enum sd_err
client_finish(struct smb2_client *c, const struct client_req *req, struct sd_wr *w, uint64_t now_us)
{
	struct smb2_client_exchange *ex;
	size_t len;
	enum sd_err err;

	if (!sd_wr_ok(w))
		return w->err;
	if (c->res.n_exchanges >= SMB2_CLIENT_MAX_EXCHANGES)
		return SD_ERR_LIMIT;
	len = w->len;
	if (req->protect == CLIENT_SIGN) {
		err = smb2_sign(c->crypto, c->sign_alg, c->keys.signing, sizeof(c->keys.signing), c->plain, len);
		if (err)
			return err;
	}
	if (req->protect == CLIENT_SEAL) {
		if (c->effective_cipher == 0)
			return SD_ERR_STATE;
		err = seal_into_out(c, c->plain, len, &len);
		if (err)
			return err;
	} else {
		memcpy(c->out + NBSS_FRAME_HEADER, c->plain, len);
	}
	c->out[0] = 0;  /* session message (direct TCP and NetBIOS alike) */
	c->out[1] = (uint8_t)(len >> 16);
	c->out[2] = (uint8_t)(len >> 8);
	c->out[3] = (uint8_t)len;
	c->out_len = len + NBSS_FRAME_HEADER;
	c->out_sent = 0;

	ex = &c->res.exchanges[c->res.n_exchanges];
	memset(ex, 0, sizeof(*ex));
	ex->step = req->step;
	ex->command = req->command;
	ex->message_id = c->next_message_id;
	ex->sent_us = now_us;
	ex->req_signed = req->protect == CLIENT_SIGN;
	ex->req_encrypted = req->protect == CLIENT_SEAL;
	c->pending = c->res.n_exchanges++;
	c->next_message_id++;
	set_state(c, state_for_step(req->step));
	return SD_OK;
}

enum sd_err
smb2_client_start(struct smb2_client *c, uint64_t now_us)
{
	enum sd_err err;

	if (c->state != SMB2C_IDLE)
		return SD_ERR_STATE;
	if (c->cfg.smb1_first || c->cfg.smb1_only)
		err = client_send_smb1_negotiate(c, now_us);
	else
		err = client_send_negotiate(c, now_us);
	if (err)
		client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
	return err;
}

size_t
smb2_client_output(struct smb2_client *c, const uint8_t **p)
{
	*p = c->out + c->out_sent;
	return c->out_len - c->out_sent;
}

void
smb2_client_output_done(struct smb2_client *c, size_t n, uint64_t now_us)
{
	(void)now_us;
	if (n > c->out_len - c->out_sent)
		n = c->out_len - c->out_sent;
	c->out_sent += n;
	if (c->out_sent == c->out_len)
		c->out_len = c->out_sent = 0;
}

const struct smb2_client_exchange *
smb2_client_pending(const struct smb2_client *c)
{
	return c->pending >= 0 ? &c->res.exchanges[c->pending] : NULL;
}

/* Checks a plain response's signature when it carries one. */
static bool
verify_response(struct smb2_client *c, struct client_rsp *r)
{
	if (!(r->hdr.flags & SMB2_FLAGS_SIGNED) || r->was_encrypted)
		return true;
	/* The final SESSION_SETUP response is verified by the session step,
	 * once the keys exist. */
	if (r->hdr.command == SMB2_SESSION_SETUP || !c->have_keys)
		return true;
	if (smb2_verify(c->crypto, c->sign_alg, c->keys.signing, sizeof(c->keys.signing), r->msg, r->len) != SD_OK) {
		client_fail(c, SMB2C_FAIL_BAD_SIGNATURE, r->hdr.status, SD_ERR_VERIFY);
		return false;
	}
	r->signature_ok = true;
	return true;
}

static void
dispatch(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	switch (c->state) {
	case SMB2C_NEGOTIATE: client_on_negotiate(c, r, now_us); break;
	case SMB2C_SESSION_SETUP: client_on_session_setup(c, r, now_us); break;
	case SMB2C_TREE_CONNECT: client_on_tree_connect(c, r, now_us); break;
	case SMB2C_VALIDATE_NEGOTIATE: client_on_validate(c, r, now_us); break;
	case SMB2C_LIST_SHARES: client_on_list_shares(c, r, now_us); break;
	case SMB2C_TREE_DISCONNECT: client_on_tree_disconnect(c, r, now_us); break;
	case SMB2C_LOGOFF: client_on_logoff(c, r, now_us); break;
	default: client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, SD_ERR_STATE); break;
	}
}

static void
handle_message(struct smb2_client *c, const uint8_t *msg, size_t len, bool was_encrypted, uint64_t now_us)
{
	struct client_rsp r;
	struct smb2_client_exchange *ex;
	enum sd_err err;

	memset(&r, 0, sizeof(r));
	r.msg = msg;
	r.len = len;
	r.was_encrypted = was_encrypted;
	err = smb2_header_decode(msg, len, &r.hdr);
	if (err || !smb2_header_is_response(&r.hdr)) {
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, err ? err : SD_ERR_MALFORMED);
		return;
	}
	if (r.hdr.message_id == SMB2_MESSAGE_ID_UNSOLICITED)
		return;  /* an oplock break: nothing of ours */
	if (smb2_header_is_async(&r.hdr) && r.hdr.status == STATUS_PENDING)
		return;  /* interim answer; the final one follows */
	if (c->pending < 0 || r.hdr.message_id != c->res.exchanges[c->pending].message_id) {
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, r.hdr.status, SD_ERR_MALFORMED);
		return;
	}
	ex = &c->res.exchanges[c->pending];
	ex->answered = true;
	ex->answered_us = now_us;
	ex->status = r.hdr.status;
	ex->rsp_signed = (r.hdr.flags & SMB2_FLAGS_SIGNED) != 0;
	ex->rsp_encrypted = was_encrypted;
	c->pending = -1;
	if (!verify_response(c, &r))
		return;
	dispatch(c, &r, now_us);
}

static void
handle_plain_pdu(struct smb2_client *c, const uint8_t *p, size_t len, bool was_encrypted, uint64_t now_us)
{
	struct smb2_compound_iter it;
	struct smb2_compound_elem el;
	enum sd_err err;

	smb2_compound_init(&it, p, len);
	while ((err = smb2_compound_next(&it, &el)) == SD_OK) {
		handle_message(c, el.msg, el.len, was_encrypted, now_us);
		if (c->state == SMB2C_FAILED || c->state == SMB2C_DONE)
			return;
	}
	if (err != SD_ERR_NOT_FOUND)
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, err);
}

static void
handle_pdu(struct smb2_client *c, const uint8_t *p, size_t len, uint64_t now_us)
{
	uint64_t session_id;
	size_t plain_len;
	enum sd_err err;

	if (len >= 4 && p[0] == 0xFD && p[1] == 'S' && p[2] == 'M' && p[3] == 'B') {
		err = smb3_transform_session_id(p, len, &session_id);
		if (err || !c->have_keys || c->effective_cipher == 0 || session_id != c->res.session_id) {
			client_fail(c, SMB2C_FAIL_DECRYPT, 0, err ? err : SD_ERR_STATE);
			return;
		}
		err = smb3_transform_unseal(c->crypto, (enum smb3_cipher)c->effective_cipher, c->keys.s2c,
					    c->keys.cipher_key_len, p, len, c->unsealed, c->max_pdu, &plain_len);
		if (err) {
			client_fail(c, SMB2C_FAIL_DECRYPT, 0, err);
			return;
		}
		handle_plain_pdu(c, c->unsealed, plain_len, true, now_us);
		return;
	}
	if (c->smb1_pending && len >= 4 && p[0] == 0xFF && p[1] == 'S' && p[2] == 'M' && p[3] == 'B') {
		client_on_smb1_answer(c, p, len, now_us);
		return;
	}
	handle_plain_pdu(c, p, len, false, now_us);
}

/* Bytes that cannot be SMB: kept for the report, which can then name the
 * service that answered instead of an undecodable message. */
static void
fail_foreign(struct smb2_client *c, const uint8_t *p, size_t len, uint64_t now_us, enum sd_err err)
{
	size_t n = len < sizeof(c->res.foreign) ? len : sizeof(c->res.foreign);

	if (c->state != SMB2C_FAILED && c->state != SMB2C_DONE) {
		memcpy(c->res.foreign, p, n);
		c->res.n_foreign = (uint8_t)n;
		c->res.foreign_us = now_us;
	}
	client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, err);
}

/* Consumes every complete PDU at the start of the input buffer. */
static void
drain_input(struct smb2_client *c, uint64_t now_us)
{
	size_t used = 0;

	while (c->in_len - used >= NBSS_FRAME_HEADER && c->state != SMB2C_FAILED && c->state != SMB2C_DONE) {
		const uint8_t *h = c->in + used;
		size_t pdu_len = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];

		if (h[0] == NBSS_KEEP_ALIVE) {
			used += NBSS_FRAME_HEADER;
			continue;
		}
		if (h[0] == 0x00 && pdu_len > c->max_pdu && c->in_len - used >= NBSS_FRAME_HEADER + 4 &&
		    smb_protocol_magic(h + NBSS_FRAME_HEADER, c->in_len - used - NBSS_FRAME_HEADER)) {
			client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, SD_ERR_LIMIT);  /* SMB, but too large */
			break;
		}
		if (h[0] == NBSS_NEGATIVE_RESPONSE && pdu_len == 1) {
			if (c->in_len - used < NBSS_FRAME_HEADER + 1)
				break;  /* the code is still to come */
			c->res.nbss_code = h[NBSS_FRAME_HEADER];
			c->res.nbss_refused_us = now_us;
			client_fail(c, SMB2C_FAIL_NBSS_REFUSED, 0, SD_OK);
			break;
		}
		if (h[0] != 0x00 || pdu_len > c->max_pdu) {
			fail_foreign(c, h, c->in_len - used, now_us, h[0] ? SD_ERR_MALFORMED : SD_ERR_LIMIT);
			break;
		}
		if (c->in_len - used - NBSS_FRAME_HEADER < pdu_len)
			break;
		if (!smb_protocol_magic(h + NBSS_FRAME_HEADER, pdu_len)) {
			fail_foreign(c, h, c->in_len - used, now_us, SD_ERR_MALFORMED);
			break;
		}
		handle_pdu(c, h + NBSS_FRAME_HEADER, pdu_len, now_us);
		used += NBSS_FRAME_HEADER + pdu_len;
	}
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
}

enum sd_err
smb2_client_input(struct smb2_client *c, const uint8_t *p, size_t len, uint64_t now_us)
{
	while (len > 0 && c->state != SMB2C_FAILED && c->state != SMB2C_DONE) {
		size_t room = c->in_cap - c->in_len;
		size_t n = len < room ? len : room;

		memcpy(c->in + c->in_len, p, n);
		c->in_len += n;
		p += n;
		len -= n;
		drain_input(c, now_us);
	}
	return c->state == SMB2C_FAILED && c->res.failure != SMB2C_FAIL_STATUS ? SD_ERR_MALFORMED : SD_OK;
}

void
smb2_client_eof(struct smb2_client *c, uint64_t now_us)
{
	(void)now_us;
	if (c->state == SMB2C_DONE || c->state == SMB2C_FAILED)
		return;
	c->res.closed_by_server = true;
	/* After LOGOFF's answer the server may close first; that is fine. */
	client_fail(c, SMB2C_FAIL_CLOSED, 0, SD_OK);
}

enum smb2_client_state
smb2_client_state(const struct smb2_client *c)
{
	return c->state;
}

const struct smb2_client_result *
smb2_client_result(const struct smb2_client *c)
{
	return &c->res;
}

void
client_done(struct smb2_client *c)
{
	set_state(c, SMB2C_DONE);
}

const char *
smb2_client_step_name(enum smb2_client_step step)
{
	static const char *const names[SMB2C_STEP__COUNT] = {
		"negotiate", "session_setup", "tree_connect", "validate_negotiate", "tree_disconnect", "logoff",
		"list_shares",
	};

	return (unsigned)step < SMB2C_STEP__COUNT ? names[step] : "unknown";
}

const char *
smb2_client_failure_name(enum smb2_client_failure f)
{
	static const char *const names[] = {
		"none", "status", "closed", "bad_response", "bad_signature", "unsigned", "decrypt",
		"validate", "cannot_secure", "local",
	};

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}
