/* The NTLM mechanism inside SPNEGO, client side (MS-NLMP 3.1.5, MS-SPNG
 * 3.1.5): NEGOTIATE in a NegTokenInit, then AUTHENTICATE with an NTLMv2
 * response, a MIC and the SPNEGO mechListMIC. */
#include <string.h>

#include "core/auth/ntlmssp.h"
#include "core/auth/spnego.h"
#include "core/proto/client_internal.h"
#include "core/wire/utf16.h"

#define CLIENT_NTLM_FLAGS                                                                                   \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | \
	 NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | \
	 NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 |                   \
	 NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56)

#define AV_CAP 1024

static void
our_version(struct ntlm_version *v)
{
	v->present = true;
	v->major = 10;
	v->minor = 0;
	v->build = 0;
	v->revision = 15;  /* NTLMSSP_REVISION_W2K3 */
}

enum sd_err
client_ntlm_first_token(struct smb2_client *c, uint8_t *out, size_t cap, size_t *out_len)
{
	struct ntlm_negotiate neg;
	struct spnego_init init;
	enum spnego_mech mech = SPNEGO_MECH_NTLMSSP;
	struct sd_wr w;

	memset(&neg, 0, sizeof(neg));
	neg.flags = CLIENT_NTLM_FLAGS;
	c->res.ntlm.seen = NTLM_SEEN_NEGOTIATE;
	c->res.ntlm.negotiate = neg.flags;
	our_version(&neg.version);
	sd_wr_init(&w, c->ntlm_negotiate, sizeof(c->ntlm_negotiate));
	if (ntlm_encode_negotiate(&w, &neg) != SD_OK)
		return w.err ? w.err : SD_ERR_NO_SPACE;
	c->ntlm_negotiate_len = w.len;

	sd_wr_init(&w, c->mech_types, sizeof(c->mech_types));
	if (spnego_encode_mech_types(&w, &mech, 1) != SD_OK)
		return w.err ? w.err : SD_ERR_NO_SPACE;
	c->mech_types_len = w.len;

	memset(&init, 0, sizeof(init));
	init.n_mechs = 1;
	init.mechs[0] = SPNEGO_MECH_NTLMSSP;
	init.mech_token.p = c->ntlm_negotiate;
	init.mech_token.len = c->ntlm_negotiate_len;
	sd_wr_init(&w, out, cap);
	spnego_encode_init(&w, &init);
	*out_len = w.len;
	return w.err;
}

static void
text_of_av(char *dst, size_t cap, const struct ntlm_av_list *av, uint16_t id)
{
	const struct ntlm_av_pair *pair = ntlm_av_find(av, id);

	if (pair)
		client_text_from_utf16(dst, cap, pair->value, pair->len);
}

/* The AV pairs of the NTLMv2 blob: the server's, plus MsvAvFlags (MIC
 * present), empty channel bindings and MsvAvTargetName = cifs/<name> —
 * the SPN that SMB server name hardening checks. */
static enum sd_err
build_av_pairs(struct smb2_client *c, const struct ntlm_challenge *ch, uint8_t *out, size_t cap, size_t *out_len)
{
	static const uint8_t no_bindings[16];
	uint8_t target16[2 * (CLIENT_TEXT_CAP + 8)];
	char target[CLIENT_TEXT_CAP + 8];
	uint32_t av_flags = NTLM_AVFLAG_MIC_PRESENT;
	struct sd_wr w, tw;
	uint8_t flags_le[4];
	uint8_t i;

	sd_wr_init(&w, out, cap);
	for (i = 0; i < ch->av.n; i++) {
		const struct ntlm_av_pair *p = &ch->av.av[i];

		if (p->id == NTLM_AV_EOL || p->id == NTLM_AV_TARGET_NAME || p->id == NTLM_AV_CHANNEL_BINDINGS)
			continue;
		if (p->id == NTLM_AV_FLAGS) {
			if (p->len == 4)
				av_flags |= sd_load_u32le(p->value);
			continue;
		}
		ntlm_encode_av_pair(&w, p->id, p->value, p->len);
	}
	sd_store_u32le(flags_le, av_flags);
	ntlm_encode_av_pair(&w, NTLM_AV_FLAGS, flags_le, 4);
	ntlm_encode_av_pair(&w, NTLM_AV_CHANNEL_BINDINGS, no_bindings, sizeof(no_bindings));

	strcpy(target, "cifs/");
	client_copy_text(target + 5, sizeof(target) - 5, c->server_name);
	client_copy_text(c->res.target_name, sizeof(c->res.target_name), target);
	sd_wr_init(&tw, target16, sizeof(target16));
	sd_utf8_to_utf16le(target, strlen(target), &tw);
	if (!sd_wr_ok(&tw))
		return tw.err;
	ntlm_encode_av_pair(&w, NTLM_AV_TARGET_NAME, target16, (uint16_t)tw.len);
	ntlm_encode_av_pair(&w, NTLM_AV_EOL, NULL, 0);
	*out_len = w.len;
	return w.err;
}

static enum sd_err
utf16_field(const char *text, uint8_t *buf, size_t cap, struct ntlm_field *f)
{
	struct sd_wr w;

	sd_wr_init(&w, buf, cap);
	sd_utf8_to_utf16le(text, strlen(text), &w);
	f->p = w.len ? buf : NULL;
	f->len = (uint16_t)w.len;
	return w.err;
}

struct ntlm_answer_bufs {
	uint8_t av[AV_CAP];
	uint8_t nt_response[AV_CAP + 64];
	uint8_t lm_response[NTLM_LMV2_RESPONSE_LEN];
	uint8_t user16[2 * CLIENT_CREDENTIAL_CAP];
	uint8_t domain16[2 * CLIENT_TEXT_CAP];
	uint8_t ws16[2 * CLIENT_TEXT_CAP];
	uint8_t enc_key[NTLM_KEY_LEN];
	uint8_t auth[CLIENT_TOKEN_CAP];
};

/* Fills auth's responses and the session key for an NTLMv2 user. */
static enum sd_err
ntlmv2_responses(struct smb2_client *c, const struct ntlm_challenge *ch, uint32_t flags,
		 struct ntlm_answer_bufs *b, struct ntlm_authenticate *auth)
{
	uint8_t nt_hash[NTLM_HASH_LEN], ntowf[NTLM_HASH_LEN], base_key[NTLM_KEY_LEN], kxkey[NTLM_KEY_LEN];
	uint8_t client_challenge[NTLM_CHALLENGE_LEN], random_key[NTLM_KEY_LEN];
	uint64_t timestamp = ch->av.has_timestamp ? ch->av.timestamp : c->ctx->filetime(c->ctx->user);
	size_t av_len, nt_len;
	enum sd_err err;

	if (c->have_password)
		err = ntlm_nt_hash(c->crypto, c->password, nt_hash);
	else {
		memcpy(nt_hash, c->nt_hash, sizeof(nt_hash));
		err = SD_OK;
	}
	if (!err)
		err = ntlm_ntowfv2(c->crypto, nt_hash, c->user, c->res.domain, ntowf);
	if (!err)
		err = build_av_pairs(c, ch, b->av, sizeof(b->av), &av_len);
	c->ctx->random(c->ctx->user, client_challenge, sizeof(client_challenge));
	if (!err)
		err = ntlm_v2_response(c->crypto, ntowf, ch->server_challenge, client_challenge, timestamp, b->av,
				       av_len, b->nt_response, sizeof(b->nt_response), &nt_len, base_key);
	/* MS-NLMP 3.1.5.1.2: with a server timestamp the LM response is Z(24). */
	if (!err && !ch->av.has_timestamp)
		err = ntlm_lmv2_response(c->crypto, ntowf, ch->server_challenge, client_challenge, b->lm_response);
	else
		memset(b->lm_response, 0, sizeof(b->lm_response));
	if (err)
		goto out;
	auth->nt_response.p = b->nt_response;
	auth->nt_response.len = (uint16_t)nt_len;
	auth->lm_response.p = b->lm_response;
	auth->lm_response.len = sizeof(b->lm_response);
	ntlm_v2_kxkey(base_key, kxkey);
	if ((flags & NTLMSSP_NEGOTIATE_KEY_EXCH) && (flags & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL))) {
		c->ctx->random(c->ctx->user, random_key, sizeof(random_key));
		err = ntlm_encrypt_random_session_key(c->crypto, kxkey, random_key, b->enc_key);
		memcpy(c->session_key, random_key, sizeof(random_key));
		c->session_key_len = sizeof(random_key);
		auth->session_key.p = b->enc_key;
		auth->session_key.len = sizeof(b->enc_key);
	} else {
		memcpy(c->session_key, kxkey, sizeof(kxkey));
		c->session_key_len = sizeof(kxkey);
	}
	c->have_session_key = err == SD_OK;
out:
	memset(nt_hash, 0, sizeof(nt_hash));
	memset(ntowf, 0, sizeof(ntowf));
	memset(base_key, 0, sizeof(base_key));
	memset(kxkey, 0, sizeof(kxkey));
	memset(random_key, 0, sizeof(random_key));
	return err;
}

static enum sd_err
challenge_from_secbuf(const uint8_t *secbuf, size_t len, struct ntlm_challenge *ch, const uint8_t **raw,
		      size_t *raw_len)
{
	struct spnego_token tok;
	struct spnego_blob inner;
	enum sd_err err;

	err = spnego_decode(secbuf, len, &tok);
	if (err)
		return err;
	if (tok.kind == SPNEGO_KIND_RESP && tok.resp.has_neg_state && tok.resp.neg_state == SPNEGO_REJECT)
		return SD_ERR_MALFORMED;
	inner = spnego_inner_token(&tok);
	if (inner.p == NULL)
		return SD_ERR_MALFORMED;
	*raw = inner.p;
	*raw_len = inner.len;
	return ntlm_decode_challenge(inner.p, inner.len, ch);
}

enum sd_err
client_ntlm_answer(struct smb2_client *c, const uint8_t *secbuf, size_t secbuf_len, uint8_t *out, size_t cap,
		   size_t *out_len)
{
	struct ntlm_answer_bufs b;
	struct ntlm_challenge ch;
	struct ntlm_authenticate auth;
	struct spnego_resp resp;
	uint8_t mic[NTLM_MIC_LEN], list_mic[NTLM_SIGNATURE_LEN];
	const uint8_t *raw;
	size_t raw_len;
	uint32_t flags;
	struct sd_wr w;
	bool anonymous = c->cfg.mech == SMB2_MECH_ANONYMOUS;
	enum sd_err err;

	memset(&b, 0, sizeof(b));
	err = challenge_from_secbuf(secbuf, secbuf_len, &ch, &raw, &raw_len);
	if (err)
		return err;
	if (raw_len > sizeof(c->ntlm_challenge))
		return SD_ERR_LIMIT;
	memcpy(c->ntlm_challenge, raw, raw_len);
	c->ntlm_challenge_len = raw_len;
	text_of_av(c->res.server_nb_domain, sizeof(c->res.server_nb_domain), &ch.av, NTLM_AV_NB_DOMAIN_NAME);
	text_of_av(c->res.server_nb_computer, sizeof(c->res.server_nb_computer), &ch.av, NTLM_AV_NB_COMPUTER_NAME);
	text_of_av(c->res.server_dns_computer, sizeof(c->res.server_dns_computer), &ch.av, NTLM_AV_DNS_COMPUTER_NAME);
	/* A user name in UPN form (alice@contoso.com) carries its domain: the
	 * AUTHENTICATE's DomainName stays empty then, as Windows sends it
	 * (MS-NLMP 2.2.1.3), rather than the server's own domain. */
	client_copy_text(c->res.domain, sizeof(c->res.domain),
			 c->have_domain ? c->domain : strchr(c->user, '@') ? "" : c->res.server_nb_domain);
	client_copy_text(c->res.user, sizeof(c->res.user), c->user);
	client_copy_text(c->res.workstation, sizeof(c->res.workstation), c->workstation);

	c->res.ntlm.seen |= NTLM_SEEN_CHALLENGE;
	c->res.ntlm.challenge = ch.flags;
	flags = ch.flags & CLIENT_NTLM_FLAGS;
	memset(&auth, 0, sizeof(auth));
	if (anonymous) {
		flags |= NTLMSSP_NEGOTIATE_ANONYMOUS;
		flags &= ~(NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL);
		b.lm_response[0] = 0;
		auth.lm_response.p = b.lm_response;
		auth.lm_response.len = 1;
	} else {
		err = ntlmv2_responses(c, &ch, flags, &b, &auth);
		if (err)
			return err;
	}
	auth.flags = flags;
	c->res.ntlm.seen |= NTLM_SEEN_AUTHENTICATE;
	c->res.ntlm.authenticate = flags;
	c->res.ntlm.key_exchanged = auth.session_key.len > 0;
	our_version(&auth.version);
	if ((err = utf16_field(c->res.domain, b.domain16, sizeof(b.domain16), &auth.domain)) ||
	    (err = utf16_field(c->user, b.user16, sizeof(b.user16), &auth.user)) ||
	    (err = utf16_field(c->workstation, b.ws16, sizeof(b.ws16), &auth.workstation)))
		return err;
	sd_wr_init(&w, b.auth, sizeof(b.auth));
	if (ntlm_encode_authenticate(&w, &auth, !anonymous) != SD_OK)
		return w.err ? w.err : SD_ERR_MALFORMED;

	memset(&resp, 0, sizeof(resp));
	resp.response_token.p = b.auth;
	resp.response_token.len = w.len;
	if (!anonymous) {
		err = ntlm_mic(c->crypto, c->session_key, c->ntlm_negotiate, c->ntlm_negotiate_len, c->ntlm_challenge,
			       c->ntlm_challenge_len, b.auth, w.len, NTLM_MIC_OFFSET, mic);
		if (err)
			return err;
		memcpy(b.auth + NTLM_MIC_OFFSET, mic, sizeof(mic));
		err = ntlm_mech_list_mic(c->crypto, flags, c->session_key, NTLM_CLIENT_TO_SERVER, c->mech_types,
					 c->mech_types_len, list_mic);
		if (err)
			return err;
		resp.mech_list_mic.p = list_mic;
		resp.mech_list_mic.len = sizeof(list_mic);
	}
	sd_wr_init(&w, out, cap);
	spnego_encode_resp(&w, &resp);
	*out_len = w.len;
	return w.err;
}
