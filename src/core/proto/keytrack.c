/* Session key tracker: messages, sessions and keys (see keytrack.h); the
 * NTLM exchange inside SESSION_SETUP is in keytrack_ntlm.c. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/auth/ntlmssp.h"
#include "core/proto/keytrack_internal.h"
#include "core/wire/smb2.h"

#define STATUS_SUCCESS 0x00000000u
#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u

static const char *const state_names[SMB2_KT__COUNT] = {
	"setup", "keys_ready", "setup_failed", "no_secret", "other_user", "wrong_password", "kerberos",
	"ntlmv1", "anonymous", "binding", "incomplete", "undecodable",
};

static const char *const state_texts[SMB2_KT__COUNT] = {
	"the session setup has not completed in the capture",
	"the session's keys are known (from the password or the given session key)",
	"the server refused the session setup",
	"no password or NT hash was given",
	"the session belongs to another user or domain than the credentials",
	"could not authenticate the session with the given password",
	"the session used Kerberos: its keys need the service's keytab (analyze --keytab)",
	"the session used NTLMv1 or LM, not supported",
	"anonymous or guest session: it has no keys",
	"session binding: its keys belong to the master session on another connection",
	"the capture lacks part of the session setup (started late or lost packets)",
	"a security token of the session setup could not be decoded",
};

static const char *const outcome_names[SMB2_KT_OUTCOME__COUNT] = {
	"plain", "decrypted", "no_key", "decrypt_failed", "compressed", "not_smb2",
};

static const char *const sig_names[SMB2_KT_SIG__COUNT] = {
	"unsigned", "valid", "invalid", "no_key", "sealed", "undecodable",
};

const char *
smb2_keytrack_state_name(enum smb2_kt_state state)
{
	return (unsigned)state < SMB2_KT__COUNT ? state_names[state] : "?";
}

const char *
smb2_keytrack_state_text(enum smb2_kt_state state)
{
	return (unsigned)state < SMB2_KT__COUNT ? state_texts[state] : "?";
}

const char *
smb2_keytrack_outcome_name(enum smb2_kt_outcome outcome)
{
	return (unsigned)outcome < SMB2_KT_OUTCOME__COUNT ? outcome_names[outcome] : "?";
}

const char *
smb2_keytrack_sig_name(enum smb2_kt_sig sig)
{
	return (unsigned)sig < SMB2_KT_SIG__COUNT ? sig_names[sig] : "?";
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                            */

static enum sd_err
copy_name(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n >= SMB2_KT_NAME_MAX)
		return SD_ERR_LIMIT;
	memcpy(dst, src, n + 1);
	return SD_OK;
}

enum sd_err
smb2_keytrack_create(struct sd_crypto *crypto, const struct smb2_kt_creds *creds, struct smb2_keytrack **out)
{
	struct smb2_keytrack *kt;
	enum sd_err err = SD_OK;

	if (crypto == NULL || out == NULL)
		return SD_ERR_INVALID_ARG;
	*out = NULL;
	kt = calloc(1, sizeof(*kt));
	if (kt == NULL)
		return SD_ERR_NOMEM;
	kt->crypto = crypto;
	if (creds != NULL && creds->password != NULL) {
		err = ntlm_nt_hash(crypto, creds->password, kt->nt_hash);
		kt->have_secret = err == SD_OK;
	} else if (creds != NULL && creds->nt_hash != NULL) {
		memcpy(kt->nt_hash, creds->nt_hash, NTLM_HASH_LEN);
		kt->have_secret = true;
	}
	if (err == SD_OK && creds != NULL && creds->user != NULL) {
		kt->filter_user = true;
		err = copy_name(kt->user, creds->user);
	}
	if (err == SD_OK && creds != NULL && creds->domain != NULL) {
		kt->filter_domain = true;
		err = copy_name(kt->domain, creds->domain);
	}
	if (err != SD_OK) {
		smb2_keytrack_free(kt);
		return err == SD_ERR_LIMIT ? SD_ERR_INVALID_ARG : err;
	}
	*out = kt;
	return SD_OK;
}

void
smb2_keytrack_free(struct smb2_keytrack *kt)
{
	if (kt == NULL)
		return;
	OPENSSL_cleanse(kt, sizeof(*kt));
	free(kt);
}

/* ------------------------------------------------------------------ */
/* Session table                                                        */

static struct kt_session *
find_session(struct smb2_keytrack *kt, uint64_t session_id)
{
	size_t i;

	for (i = 0; i < kt->n; i++)
		if (!kt->s[i].awaiting_id && kt->s[i].pub.session_id == session_id)
			return &kt->s[i];
	return NULL;
}

static struct kt_session *
find_awaiting(struct smb2_keytrack *kt, uint64_t message_id)
{
	size_t i;

	for (i = 0; i < kt->n; i++)
		if (kt->s[i].awaiting_id && kt->s[i].setup_message_id == message_id)
			return &kt->s[i];
	return NULL;
}

/* A fresh slot; when the table is full the oldest session is recycled
 * (a long capture keeps the sessions that are still being used). */
static struct kt_session *
new_session(struct smb2_keytrack *kt, uint64_t session_id)
{
	struct kt_session *s;
	size_t i, oldest = 0;

	if (kt->n < SMB2_KT_MAX_SESSIONS) {
		s = &kt->s[kt->n++];
	} else {
		for (i = 1; i < kt->n; i++)
			if (kt->s[i].born < kt->s[oldest].born)
				oldest = i;
		s = &kt->s[oldest];
	}
	OPENSSL_cleanse(s, sizeof(*s));
	s->born = kt->births++;
	s->pub.session_id = session_id;
	s->pub.state = SMB2_KT_SETUP;
	if (kt->conn.negotiated && kt->conn.dialect == SMB2_DIALECT_311) {
		smb311_preauth_session_start(s->hash, kt->conn.preauth_hash);
		s->have_hash = true;
	}
	return s;
}

/* ------------------------------------------------------------------ */
/* Key derivation                                                       */

static enum smb3_cipher
connection_cipher(const struct smb2_kt_connection *c)
{
	if (c->dialect == SMB2_DIALECT_311)
		return (enum smb3_cipher)c->cipher;
	if (c->dialect == SMB2_DIALECT_300 || c->dialect == SMB2_DIALECT_302)
		return SMB3_CIPHER_AES128_CCM;
	return SMB3_CIPHER_NONE;
}

/* Keys from the session key; INCOMPLETE when the capture missed what the
 * derivation needs (the NEGOTIATE, or the session's first request on
 * 3.1.1). */
static enum sd_err
derive_keys(struct smb2_keytrack *kt, struct kt_session *s)
{
	enum sd_err err;

	if (!kt->conn.negotiated || (kt->conn.dialect == SMB2_DIALECT_311 && !s->have_hash)) {
		s->pub.state = SMB2_KT_INCOMPLETE;
		return SD_OK;
	}
	err = smb3_derive_keys(kt->crypto, kt->conn.dialect, connection_cipher(&kt->conn), s->pub.session_key,
			       s->pub.session_key_len, kt->conn.dialect == SMB2_DIALECT_311 ? s->hash : NULL,
			       &s->pub.keys);
	if (err == SD_ERR_INVALID_ARG) {
		s->pub.state = SMB2_KT_INCOMPLETE;
		return SD_OK;
	}
	if (err != SD_OK)
		return err;
	s->pub.state = SMB2_KT_KEYS_READY;
	return SD_OK;
}

/* ------------------------------------------------------------------ */
/* NEGOTIATE                                                            */

static enum sd_err
track_negotiate_req(struct smb2_keytrack *kt, const uint8_t *msg, size_t len)
{
	struct smb2_negotiate_req req;

	/* Every SMB2 NEGOTIATE request starts the connection over. */
	memset(&kt->conn, 0, sizeof(kt->conn));
	kt->negotiate_seen = true;
	if (smb2_negotiate_req_decode(msg, len, &req) == SD_OK) {
		kt->conn.client_security_mode = req.security_mode;
		kt->conn.client_capabilities = req.capabilities;
	}
	smb311_preauth_init(kt->negotiate_hash);
	return smb311_preauth_update(kt->crypto, kt->negotiate_hash, msg, len);
}

static void
negotiate_contexts(struct smb2_kt_connection *c, const struct smb2_negotiate_rsp *rsp)
{
	const struct smb2_negctx *x;

	x = smb2_negctx_find(&rsp->ctx, SMB2_ENCRYPTION_CAPABILITIES);
	if (x != NULL && x->known && x->u.encryption.n_ids > 0)
		c->cipher = x->u.encryption.ids[0];
	x = smb2_negctx_find(&rsp->ctx, SMB2_SIGNING_CAPABILITIES);
	if (x != NULL && x->known && x->u.signing.n_ids > 0) {
		c->signing_alg_negotiated = true;
		c->signing_alg = x->u.signing.ids[0];
	}
}

static enum sd_err
track_negotiate_rsp(struct smb2_keytrack *kt, const struct smb2_header *h, const uint8_t *msg, size_t len)
{
	struct smb2_negotiate_rsp rsp;
	struct smb2_kt_connection *c = &kt->conn;

	if (h->status != STATUS_SUCCESS || smb2_negotiate_rsp_decode(msg, len, &rsp) != SD_OK)
		return SD_OK;
	/* 0x02FF answers an SMB1 multi-protocol NEGOTIATE: a second round
	 * follows. */
	if (rsp.dialect == SMB2_DIALECT_WILDCARD)
		return SD_OK;
	c->negotiated = true;
	c->dialect = rsp.dialect;
	c->server_security_mode = rsp.security_mode;
	c->server_capabilities = rsp.capabilities;
	if (rsp.dialect == SMB2_DIALECT_311) {
		negotiate_contexts(c, &rsp);
		if (!kt->negotiate_seen) {
			/* Without the request the hash cannot be known. */
			c->negotiated = false;
			return SD_OK;
		}
		memcpy(c->preauth_hash, kt->negotiate_hash, sizeof(c->preauth_hash));
		return smb311_preauth_update(kt->crypto, c->preauth_hash, msg, len);
	}
	if (rsp.dialect == SMB2_DIALECT_300 || rsp.dialect == SMB2_DIALECT_302)
		c->cipher = SMB3_CIPHER_AES128_CCM;
	return SD_OK;
}

/* ------------------------------------------------------------------ */
/* SESSION_SETUP                                                        */

static enum sd_err
track_setup_req(struct smb2_keytrack *kt, const struct smb2_header *h, const uint8_t *msg, size_t len)
{
	struct smb2_session_setup_req req;
	struct spnego_token tok;
	struct spnego_blob inner;
	struct kt_session *s = NULL;
	enum kt_token_kind kind;
	uint32_t type;
	enum sd_err err;

	if (h->session_id != 0)
		s = find_session(kt, h->session_id);
	/* Re-authentication of a keyed session: not hashed, no new keys. */
	if (s != NULL && (s->completed || s->pub.state != SMB2_KT_SETUP))
		return SD_OK;
	if (s == NULL) {
		s = new_session(kt, h->session_id);
		s->awaiting_id = h->session_id == 0;
	}
	s->setup_message_id = h->message_id;
	if (s->have_hash) {
		err = smb311_preauth_update(kt->crypto, s->hash, msg, len);
		if (err)
			return err;
	}
	if (smb2_session_setup_req_decode(msg, len, &req) != SD_OK) {
		s->pub.state = SMB2_KT_UNDECODABLE;
		return SD_OK;
	}
	if (req.flags & SMB2_SESSION_FLAG_BINDING) {
		s->pub.state = SMB2_KT_BINDING;
		return SD_OK;
	}
	kind = kt_inner_token(req.secbuf, req.secbuf_len, &tok, &inner);
	/* With a given session key the mechanism does not matter (Kerberos
	 * too); the AUTHENTICATE still tells the user. */
	if (s->key_given && kind != KT_TOKEN_NTLM)
		return SD_OK;
	if (kind == KT_TOKEN_KERBEROS) {
		s->pub.state = SMB2_KT_KERBEROS;
	} else if (kind == KT_TOKEN_BROKEN) {
		s->pub.state = SMB2_KT_UNDECODABLE;
	} else if (kind == KT_TOKEN_NTLM && ntlm_message_type(inner.p, inner.len, &type) == SD_OK &&
		   type == NTLM_AUTHENTICATE) {
		return kt_track_authenticate(kt, s, inner.p, inner.len);
	}
	return SD_OK;
}

/* Removes slot i, keeping the table dense (the last slot moves into it). */
static void
drop_session(struct smb2_keytrack *kt, size_t i)
{
	if (i + 1 < kt->n)
		kt->s[i] = kt->s[kt->n - 1];
	kt->n--;
	OPENSSL_cleanse(&kt->s[kt->n], sizeof(kt->s[kt->n]));
}

/* The new session whose first request this response answers. A key the
 * caller gave for its SessionId before the session showed up (a slot of
 * its own) moves into it. */
static struct kt_session *
claim_awaiting(struct smb2_keytrack *kt, const struct smb2_header *h)
{
	struct kt_session *s = find_awaiting(kt, h->message_id), *keyed;
	size_t si, ki;

	if (s == NULL)
		return NULL;
	keyed = find_session(kt, h->session_id);
	if (keyed != NULL && keyed->key_given && !keyed->completed) {
		memcpy(s->pub.session_key, keyed->pub.session_key, sizeof(s->pub.session_key));
		s->pub.session_key_len = keyed->pub.session_key_len;
		s->key_given = true;
		/* The first request may have said "Kerberos": the key settles it. */
		if (s->pub.state != SMB2_KT_BINDING)
			s->pub.state = SMB2_KT_SETUP;
		si = (size_t)(s - kt->s);
		ki = (size_t)(keyed - kt->s);
		drop_session(kt, ki);
		if (si == kt->n)  /* s was the last slot: it moved into ki */
			si = ki;
		s = &kt->s[si];
	}
	s->awaiting_id = false;
	s->pub.session_id = h->session_id;
	return s;
}

/* The session a response belongs to: the new session whose first request
 * this answers, or by SessionId. A response for a session the capture
 * never showed starting gets a slot without a preauth hash. */
static struct kt_session *
response_session(struct smb2_keytrack *kt, const struct smb2_header *h)
{
	struct kt_session *s = claim_awaiting(kt, h);

	if (s == NULL)
		s = find_session(kt, h->session_id);
	if (s == NULL && h->session_id != 0) {
		s = new_session(kt, h->session_id);
		s->have_hash = false;
	}
	return s;
}

static void
track_challenge(struct kt_session *s, const uint8_t *msg, size_t len)
{
	struct smb2_session_setup_rsp rsp;
	struct ntlm_challenge ch;
	struct spnego_token tok;
	struct spnego_blob inner;
	enum kt_token_kind kind;

	if (smb2_session_setup_rsp_decode(msg, len, &rsp) != SD_OK) {
		s->pub.state = SMB2_KT_UNDECODABLE;
		return;
	}
	kind = kt_inner_token(rsp.secbuf, rsp.secbuf_len, &tok, &inner);
	if (kind == KT_TOKEN_NTLM && ntlm_decode_challenge(inner.p, inner.len, &ch) == SD_OK) {
		memcpy(s->challenge, ch.server_challenge, NTLM_CHALLENGE_LEN);
		s->have_challenge = true;
	} else if (kind == KT_TOKEN_BROKEN) {
		s->pub.state = SMB2_KT_UNDECODABLE;
	}
}

static enum sd_err
setup_succeeded(struct smb2_keytrack *kt, struct kt_session *s, const uint8_t *msg, size_t len)
{
	struct smb2_session_setup_rsp rsp;

	s->completed = true;
	if (smb2_session_setup_rsp_decode(msg, len, &rsp) == SD_OK)
		s->pub.session_flags = rsp.session_flags;
	if (s->pub.session_flags & (SMB2_SESSION_FLAG_IS_GUEST | SMB2_SESSION_FLAG_IS_NULL)) {
		s->pub.state = SMB2_KT_ANONYMOUS;
		return SD_OK;
	}
	if (s->pub.state != SMB2_KT_SETUP)
		return SD_OK;
	if (s->pub.session_key_len == 0) {
		s->pub.state = SMB2_KT_INCOMPLETE;
		return SD_OK;
	}
	return derive_keys(kt, s);
}

static enum sd_err
track_setup_rsp(struct smb2_keytrack *kt, const struct smb2_header *h, const uint8_t *msg, size_t len,
		struct smb2_kt_result *res)
{
	struct kt_session *s = response_session(kt, h);
	enum sd_err err;

	if (s == NULL || s->completed)
		return SD_OK;
	s->pub.setup_status = h->status;
	if (h->status == STATUS_MORE_PROCESSING_REQUIRED) {
		if (s->have_hash) {
			err = smb311_preauth_update(kt->crypto, s->hash, msg, len);
			if (err)
				return err;
		}
		if (s->pub.state == SMB2_KT_SETUP)
			track_challenge(s, msg, len);
		return SD_OK;
	}
	res->session_changed = true;
	res->changed_session_id = s->pub.session_id;
	if (h->status != STATUS_SUCCESS) {
		s->completed = true;
		s->pub.state = SMB2_KT_SETUP_FAILED;
		return SD_OK;
	}
	return setup_succeeded(kt, s, msg, len);
}

/* ------------------------------------------------------------------ */
/* Per message                                                          */

static enum smb2_kt_sig
check_signature(struct smb2_keytrack *kt, const struct smb2_header *h, const uint8_t *msg, size_t len)
{
	struct kt_session *s;
	enum smb2_sign_alg alg;
	enum sd_err err;

	if (!(h->flags & SMB2_FLAGS_SIGNED))
		return SMB2_KT_SIG_NONE;
	s = find_session(kt, h->session_id);
	if (s == NULL || s->pub.state != SMB2_KT_KEYS_READY)
		return SMB2_KT_SIG_NO_KEY;
	alg = smb2_sign_alg_for(kt->conn.dialect, kt->conn.signing_alg_negotiated,
				(enum smb2_sign_alg)kt->conn.signing_alg);
	err = smb2_verify(kt->crypto, alg, s->pub.keys.signing, sizeof(s->pub.keys.signing), msg, len);
	if (err == SD_OK) {
		s->pub.signed_ok++;
		return SMB2_KT_SIG_VALID;
	}
	s->pub.signed_bad++;
	return SMB2_KT_SIG_INVALID;
}

/* Follows one message (one compound element); *sig gets its verdict. */
static enum sd_err
track_message(struct smb2_keytrack *kt, const uint8_t *msg, size_t len, bool sealed, struct smb2_kt_result *res,
	      enum smb2_kt_sig *sig)
{
	struct smb2_header h;
	enum sd_err err = SD_OK;
	enum sd_err herr = smb2_header_decode(msg, len, &h);

	*sig = SMB2_KT_SIG_UNDECODABLE;
	if (herr != SD_OK && herr != SD_ERR_STRUCTURE_SIZE)
		return SD_OK;
	if (res->n_elems == 0 && res->outcome == SMB2_KT_PLAIN)
		res->session_id = h.session_id;
	if (h.command == SMB2_NEGOTIATE)
		err = smb2_header_is_response(&h) ? track_negotiate_rsp(kt, &h, msg, len)
						  : track_negotiate_req(kt, msg, len);
	else if (h.command == SMB2_SESSION_SETUP)
		err = smb2_header_is_response(&h) ? track_setup_rsp(kt, &h, msg, len, res)
						  : track_setup_req(kt, &h, msg, len);
	if (err != SD_OK)
		return err;
	*sig = sealed ? SMB2_KT_SIG_SEALED : check_signature(kt, &h, msg, len);
	return SD_OK;
}

static enum sd_err
track_chain(struct smb2_keytrack *kt, const uint8_t *p, size_t len, bool sealed, struct smb2_kt_result *res)
{
	struct smb2_compound_iter it;
	struct smb2_compound_elem el;
	enum smb2_kt_sig sig;
	enum sd_err err;

	smb2_compound_init(&it, p, len);
	while (smb2_compound_next(&it, &el) == SD_OK) {
		err = track_message(kt, el.msg, el.len, sealed, res, &sig);
		if (err != SD_OK)
			return err;
		if (res->n_elems < SMB2_KT_MAX_ELEMS)
			res->sig[res->n_elems++] = sig;
		else if (res->elems_dropped < UINT8_MAX)
			res->elems_dropped++;
	}
	return SD_OK;
}

static void
note_session(const struct kt_session *s, struct smb2_kt_result *res)
{
	res->session_known = s != NULL;
	res->session_state = s != NULL ? s->pub.state : SMB2_KT_INCOMPLETE;
}

static enum sd_err
feed_transform(struct smb2_keytrack *kt, enum smb2_kt_dir dir, const uint8_t *pdu, size_t len, uint8_t *out,
	       size_t cap, struct smb2_kt_result *res)
{
	struct kt_session *s;
	const uint8_t *key;
	size_t plain_len = 0;
	enum sd_err err;

	err = smb3_transform_session_id(pdu, len, &res->session_id);
	if (err != SD_OK) {
		res->outcome = SMB2_KT_DECRYPT_FAILED;
		res->err = err;
		return SD_OK;
	}
	s = find_session(kt, res->session_id);
	note_session(s, res);
	if (s == NULL || s->pub.state != SMB2_KT_KEYS_READY) {
		res->outcome = SMB2_KT_NO_KEY;
		return SD_OK;
	}
	if (s->pub.keys.cipher_key_len == 0) {
		res->outcome = SMB2_KT_DECRYPT_FAILED;
		res->err = SD_ERR_UNSUPPORTED;   /* no cipher was negotiated */
		s->pub.decrypt_failed++;
		return SD_OK;
	}
	key = dir == SMB2_KT_C2S ? s->pub.keys.c2s : s->pub.keys.s2c;
	err = smb3_transform_unseal(kt->crypto, connection_cipher(&kt->conn), key, s->pub.keys.cipher_key_len, pdu,
				    len, out, cap, &plain_len);
	if (err != SD_OK) {
		res->outcome = SMB2_KT_DECRYPT_FAILED;
		res->err = err;
		s->pub.decrypt_failed++;
		return err == SD_ERR_NO_SPACE || err == SD_ERR_CRYPTO ? err : SD_OK;
	}
	s->pub.decrypted++;
	res->outcome = SMB2_KT_DECRYPTED;
	res->plain = out;
	res->plain_len = plain_len;
	return track_chain(kt, out, plain_len, true, res);
}

enum sd_err
smb2_keytrack_feed(struct smb2_keytrack *kt, enum smb2_kt_dir dir, const uint8_t *pdu, size_t len, uint8_t *out,
		   size_t cap, struct smb2_kt_result *res)
{
	enum sd_err err;

	if (res == NULL)
		return SD_ERR_INVALID_ARG;
	memset(res, 0, sizeof(*res));
	res->outcome = SMB2_KT_NOT_SMB2;
	if (kt == NULL || (pdu == NULL && len > 0))
		return SD_ERR_INVALID_ARG;
	if (len < 4)
		return SD_OK;
	if (sd_load_u32le(pdu) == SMB2_TRANSFORM_PROTOCOL_ID) {
		if (out == NULL && cap > 0)
			return SD_ERR_INVALID_ARG;
		return feed_transform(kt, dir, pdu, len, out, cap, res);
	}
	if (sd_load_u32le(pdu) == SMB2_COMPRESSION_PROTOCOL_ID) {
		res->outcome = SMB2_KT_COMPRESSED;
		return SD_OK;
	}
	if (sd_load_u32le(pdu) != SMB2_PROTOCOL_ID)
		return SD_OK;
	res->outcome = SMB2_KT_PLAIN;
	res->plain = pdu;
	res->plain_len = len;
	err = track_chain(kt, pdu, len, false, res);
	note_session(find_session(kt, res->session_id), res);
	return err;
}

/* ------------------------------------------------------------------ */
/* Known session keys and queries                                       */

enum sd_err
smb2_keytrack_add_session_key(struct smb2_keytrack *kt, uint64_t session_id, const uint8_t *key, size_t key_len)
{
	struct kt_session *s;

	if (kt == NULL || key == NULL || key_len < 16 || key_len > SMB2_KT_SESSION_KEY_MAX)
		return SD_ERR_INVALID_ARG;
	s = find_session(kt, session_id);
	if (s == NULL) {
		if (kt->n >= SMB2_KT_MAX_SESSIONS)
			return SD_ERR_LIMIT;
		s = new_session(kt, session_id);
		/* Keyed before its SESSION_SETUP was seen: the hash starts
		 * when the first request shows up (see track_setup_req). */
		s->have_hash = false;
		s->pub.state = SMB2_KT_SETUP;
	}
	s->key_given = true;
	memcpy(s->pub.session_key, key, key_len);
	s->pub.session_key_len = key_len;
	if (s->completed && s->pub.state != SMB2_KT_SETUP_FAILED)
		return derive_keys(kt, s);
	if (s->pub.state != SMB2_KT_SETUP_FAILED)
		s->pub.state = SMB2_KT_SETUP;
	return SD_OK;
}

const struct smb2_kt_connection *
smb2_keytrack_connection(const struct smb2_keytrack *kt)
{
	return &kt->conn;
}

size_t
smb2_keytrack_n_sessions(const struct smb2_keytrack *kt)
{
	return kt->n;
}

const struct smb2_kt_session *
smb2_keytrack_session_at(const struct smb2_keytrack *kt, size_t i)
{
	return i < kt->n ? &kt->s[i].pub : NULL;
}

const struct smb2_kt_session *
smb2_keytrack_session(const struct smb2_keytrack *kt, uint64_t session_id)
{
	size_t i;

	for (i = 0; i < kt->n; i++)
		if (!kt->s[i].awaiting_id && kt->s[i].pub.session_id == session_id)
			return &kt->s[i].pub;
	return NULL;
}
