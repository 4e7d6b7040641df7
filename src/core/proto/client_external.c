/* A mechanism run by the driver (SMB2_MECH_EXTERNAL: Kerberos through
 * GSSAPI) inside SPNEGO (RFC 4178, MS-SPNG): the first token goes out as
 * an optimistic mechToken of a NegTokenInit offering MS-KRB5 then KRB5,
 * as Windows does; the server's NegTokenResp gives back the mechanism's
 * answer (the AP-REP). */
#include <string.h>

#include "core/auth/spnego.h"
#include "core/proto/client_internal.h"

static const enum spnego_mech external_mechs[] = {SPNEGO_MECH_MS_KRB5, SPNEGO_MECH_KRB5};

enum sd_err
client_external_first_token(struct smb2_client *c, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t inner[CLIENT_TOKEN_CAP];
	size_t inner_len = 0;
	struct spnego_init init;
	struct sd_wr w;
	enum sd_err err;
	size_t i;

	err = c->cfg.auth->first_token(c->cfg.auth_ctx, inner, sizeof(inner), &inner_len);
	if (err)
		return err;
	if (inner_len > sizeof(inner))
		return SD_ERR_LIMIT;
	client_copy_text(c->res.user, sizeof(c->res.user), c->user);
	memset(&init, 0, sizeof(init));
	init.n_mechs = (uint8_t)(sizeof(external_mechs) / sizeof(external_mechs[0]));
	for (i = 0; i < init.n_mechs; i++)
		init.mechs[i] = external_mechs[i];
	init.mech_token.p = inner;
	init.mech_token.len = inner_len;
	sd_wr_init(&w, out, cap);
	spnego_encode_init(&w, &init);
	*out_len = w.len;
	return w.err;
}

/* The mechanism's token inside the server's NegTokenResp; a reject is a
 * refusal (SD_ERR_VERIFY). An empty blob when the server sent none. */
static enum sd_err
server_inner_token(const uint8_t *secbuf, size_t len, struct spnego_blob *inner)
{
	struct spnego_token tok;
	enum sd_err err;

	inner->p = NULL;
	inner->len = 0;
	if (len == 0)
		return SD_OK;
	err = spnego_decode(secbuf, len, &tok);
	if (err)
		return err;
	if (tok.kind == SPNEGO_KIND_RESP && tok.resp.has_neg_state && tok.resp.neg_state == SPNEGO_REJECT)
		return SD_ERR_VERIFY;
	if (tok.kind == SPNEGO_KIND_RESP && tok.resp.supported_mech != SPNEGO_MECH_NONE &&
	    tok.resp.supported_mech != SPNEGO_MECH_KRB5 && tok.resp.supported_mech != SPNEGO_MECH_MS_KRB5)
		return SD_ERR_MALFORMED;
	*inner = spnego_inner_token(&tok);
	return SD_OK;
}

enum sd_err
client_external_answer(struct smb2_client *c, const uint8_t *secbuf, size_t secbuf_len, uint8_t *out, size_t cap,
		       size_t *out_len)
{
	uint8_t next[CLIENT_TOKEN_CAP];
	size_t next_len = 0;
	struct spnego_blob inner;
	struct spnego_resp resp;
	struct sd_wr w;
	enum sd_err err;

	err = server_inner_token(secbuf, secbuf_len, &inner);
	if (err)
		return err;
	if (c->external_complete || inner.p == NULL)
		return SD_ERR_MALFORMED;  /* more legs asked for with nothing to answer */
	err = c->cfg.auth->next_token(c->cfg.auth_ctx, inner.p, inner.len, next, sizeof(next), &next_len,
				      &c->external_complete);
	if (err)
		return err;
	if (next_len > sizeof(next))
		return SD_ERR_LIMIT;
	memset(&resp, 0, sizeof(resp));
	resp.response_token.p = next;
	resp.response_token.len = next_len;
	sd_wr_init(&w, out, cap);
	spnego_encode_resp(&w, &resp);
	*out_len = w.len;
	return w.err;
}

enum sd_err
client_external_finish(struct smb2_client *c, const uint8_t *secbuf, size_t secbuf_len)
{
	uint8_t ignored[CLIENT_TOKEN_CAP];
	size_t ignored_len = 0, key_len = 0;
	struct spnego_blob inner;
	enum sd_err err;

	if (!c->external_complete) {
		err = server_inner_token(secbuf, secbuf_len, &inner);
		if (err)
			return err;
		/* Without an AP-REP there is no mutual authentication and no
		 * subkey to agree on: the session cannot be secured. */
		if (inner.p == NULL)
			return SD_ERR_STATE;
		err = c->cfg.auth->next_token(c->cfg.auth_ctx, inner.p, inner.len, ignored, sizeof(ignored),
					      &ignored_len, &c->external_complete);
		if (err)
			return err;
		if (!c->external_complete)
			return SD_ERR_STATE;
	}
	err = c->cfg.auth->session_key(c->cfg.auth_ctx, c->session_key, sizeof(c->session_key), &key_len);
	if (err)
		return err;
	if (key_len == 0 || key_len > sizeof(c->session_key))
		return SD_ERR_LIMIT;
	c->session_key_len = key_len;
	c->have_session_key = true;
	return SD_OK;
}
