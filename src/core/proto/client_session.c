/* SESSION_SETUP: the SPNEGO legs, the session's keys and what the server
 * says about the session (MS-SMB2 3.2.4.2.3, 3.2.5.3). */
#include <string.h>

#include "core/proto/client_internal.h"

#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u

enum sd_err
client_send_session_setup(struct smb2_client *c, const uint8_t *token, size_t token_len, uint64_t now_us)
{
	struct smb2_session_setup_req req;
	struct client_req cr = {SMB2C_STEP_SESSION_SETUP, SMB2_SESSION_SETUP, 0, 0, CLIENT_PLAIN};
	struct smb2_header h;
	struct sd_wr w;
	enum sd_err err;

	memset(&req, 0, sizeof(req));
	switch (c->cfg.signing) {
	case SMB2_SIGNING_OFF: req.security_mode = 0; break;
	case SMB2_SIGNING_ON: req.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED; break;
	default: req.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED; break;
	}
	req.capabilities = SMB2_GLOBAL_CAP_DFS;
	req.secbuf = token;
	req.secbuf_len = (uint16_t)token_len;
	cr.session_id = c->res.session_id;
	client_begin(c, &cr, &w, &h);
	smb2_session_setup_req_encode(&req, &w);
	err = client_finish(c, &cr, &w, now_us);
	if (err)
		return err;
	if (c->res.dialect == SMB2_DIALECT_311)
		return smb311_preauth_update(c->crypto, c->sess_hash, c->plain, w.len);
	return SD_OK;
}

enum sd_err
client_session_begin(struct smb2_client *c, uint64_t now_us)
{
	uint8_t token[CLIENT_TOKEN_CAP];
	size_t token_len;
	enum sd_err err;

	if (c->res.dialect == SMB2_DIALECT_311)
		smb311_preauth_session_start(c->sess_hash, c->conn_hash);
	if (c->cfg.mech == SMB2_MECH_EXTERNAL)
		err = client_external_first_token(c, token, sizeof(token), &token_len);
	else
		err = client_ntlm_first_token(c, token, sizeof(token), &token_len);
	if (err)
		return err;
	return client_send_session_setup(c, token, token_len, now_us);
}

static enum sd_err
derive_keys(struct smb2_client *c)
{
	enum smb3_cipher cipher = SMB3_CIPHER_NONE;
	enum sd_err err;

	if (c->res.dialect == SMB2_DIALECT_311)
		cipher = (enum smb3_cipher)c->effective_cipher;
	else if (c->effective_cipher)
		cipher = SMB3_CIPHER_AES128_CCM;
	err = smb3_derive_keys(c->crypto, c->res.dialect, cipher, c->session_key, c->session_key_len,
			       c->res.dialect == SMB2_DIALECT_311 ? c->sess_hash : NULL, &c->keys);
	if (err == SD_OK)
		c->have_keys = true;
	return err;
}

/* The answer that completes the session: keys, signature, flags. */
static void
session_established(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	struct smb2_session_setup_rsp rsp;
	bool guest_or_null;
	enum sd_err err;

	err = smb2_session_setup_rsp_decode(r->msg, r->len, &rsp);
	if (err) {
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, err);
		return;
	}
	c->res.session_flags = rsp.session_flags;
	if (c->cfg.mech == SMB2_MECH_EXTERNAL) {
		/* The AP-REP (mutual authentication) completes the context and
		 * gives the key. */
		err = client_external_finish(c, rsp.secbuf, rsp.secbuf_len);
		if (err) {
			client_fail(c, err == SD_ERR_MALFORMED || err == SD_ERR_TRUNCATED ? SMB2C_FAIL_BAD_RESPONSE
				       : err == SD_ERR_VERIFY				     ? SMB2C_FAIL_AUTH_REFUSED
											     : SMB2C_FAIL_LOCAL,
				    0, err);
			return;
		}
	}
	/* IS_NULL is only a MAY (MS-SMB2 3.3.5.5.3): Samba leaves it clear for
	 * anonymous logons, so a session without a key counts as null too. */
	guest_or_null = (rsp.session_flags & (SMB2_SESSION_FLAG_IS_GUEST | SMB2_SESSION_FLAG_IS_NULL)) != 0 ||
			!c->have_session_key;
	if (c->have_session_key && !guest_or_null) {
		err = derive_keys(c);
		if (err) {
			client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
			return;
		}
	}
	if (r->hdr.flags & SMB2_FLAGS_SIGNED) {
		if (c->have_keys && smb2_verify(c->crypto, c->sign_alg, c->keys.signing, sizeof(c->keys.signing),
						r->msg, r->len) != SD_OK) {
			client_fail(c, SMB2C_FAIL_BAD_SIGNATURE, 0, SD_ERR_VERIFY);
			return;
		}
	} else if (c->res.dialect == SMB2_DIALECT_311 && !guest_or_null) {
		/* MS-SMB2 3.2.5.3.1: a 3.1.1 session must end with a signed answer. */
		client_fail(c, SMB2C_FAIL_UNSIGNED, 0, SD_OK);
		return;
	}
	if (!guest_or_null) {
		c->res.session_signing_required = (c->res.server_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED) ||
						  c->cfg.signing == SMB2_SIGNING_REQUIRED;
	}
	if (rsp.session_flags & SMB2_SESSION_FLAG_ENCRYPT_DATA) {
		if (c->effective_cipher == 0 || !c->have_keys) {
			client_fail(c, SMB2C_FAIL_CANNOT_SECURE, 0, SD_OK);
			return;
		}
		c->res.session_encrypt = true;
		c->res.session_signing_required = false;
	}
	err = client_tree_begin(c, now_us);
	if (err)
		client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
}

void
client_on_session_setup(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	struct smb2_session_setup_rsp rsp;
	uint8_t token[CLIENT_TOKEN_CAP];
	size_t token_len;
	enum sd_err err;

	if (r->hdr.status == 0) {
		if (c->res.session_id == 0)
			c->res.session_id = r->hdr.session_id;
		session_established(c, r, now_us);
		return;
	}
	if (r->hdr.status != STATUS_MORE_PROCESSING_REQUIRED) {
		client_fail(c, SMB2C_FAIL_STATUS, r->hdr.status, SD_OK);
		return;
	}
	/* NTLM has one round trip; a second MORE_PROCESSING is not NTLM. */
	if (c->cfg.mech != SMB2_MECH_EXTERNAL && c->ntlm_challenge_len != 0) {
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, r->hdr.status, SD_ERR_STATE);
		return;
	}
	err = smb2_session_setup_rsp_decode(r->msg, r->len, &rsp);
	if (err) {
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, err);
		return;
	}
	c->res.session_id = r->hdr.session_id;
	if (c->res.dialect == SMB2_DIALECT_311) {
		err = smb311_preauth_update(c->crypto, c->sess_hash, r->msg, r->len);
		if (err) {
			client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
			return;
		}
	}
	if (c->cfg.mech == SMB2_MECH_EXTERNAL)
		err = client_external_answer(c, rsp.secbuf, rsp.secbuf_len, token, sizeof(token), &token_len);
	else
		err = client_ntlm_answer(c, rsp.secbuf, rsp.secbuf_len, token, sizeof(token), &token_len);
	if (err) {
		client_fail(c, err == SD_ERR_CRYPTO || err == SD_ERR_UNSUPPORTED || err == SD_ERR_NO_SPACE ? SMB2C_FAIL_LOCAL
			       : err == SD_ERR_VERIFY ? SMB2C_FAIL_AUTH_REFUSED
						      : SMB2C_FAIL_BAD_RESPONSE,
			    0, err);
		return;
	}
	err = client_send_session_setup(c, token, token_len, now_us);
	if (err)
		client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
}
