/* Session key tracker, the NTLM part: which mechanism a security buffer
 * carries, and the AUTHENTICATE checked against the analyst's secret
 * (MS-NLMP 3.2.5.1.2, 3.4.5.1). See keytrack.h. */
#include <string.h>

#include <openssl/crypto.h>

#include "core/auth/ntlmssp.h"
#include "core/proto/keytrack_internal.h"
#include "core/wire/utf16.h"

/* Names are at most NTLM_TEXT_MAX_UNITS UTF-16 units; OEM names widen. */
#define KT_NAME16_MAX (2 * NTLM_TEXT_MAX_UNITS)

/* The mechanism token inside a security buffer. */
enum kt_token_kind
kt_inner_token(const uint8_t *secbuf, size_t len, struct spnego_token *tok, struct spnego_blob *inner)
{
	enum spnego_mech mech = SPNEGO_MECH_NONE;

	inner->p = NULL;
	inner->len = 0;
	if (len == 0)
		return KT_TOKEN_NONE;
	if (spnego_decode(secbuf, len, tok) != SD_OK)
		return KT_TOKEN_BROKEN;
	*inner = spnego_inner_token(tok);
	if (inner->len == 0)
		return KT_TOKEN_NONE;
	if (inner->len >= 8 && memcmp(inner->p, "NTLMSSP", 8) == 0)
		return KT_TOKEN_NTLM;
	if (tok->kind == SPNEGO_KIND_RAW_KRB5)
		return KT_TOKEN_KERBEROS;
	if (tok->kind == SPNEGO_KIND_INIT && tok->init.n_mechs > 0)
		mech = tok->init.mechs[0];
	else if (tok->kind == SPNEGO_KIND_RESP)
		mech = tok->resp.supported_mech;
	if (mech == SPNEGO_MECH_KRB5 || mech == SPNEGO_MECH_MS_KRB5 || mech == SPNEGO_MECH_KRB5_U2U)
		return KT_TOKEN_KERBEROS;
	return KT_TOKEN_OTHER;
}

/* A name of the AUTHENTICATE as UTF-16LE (OEM names are widened, which is
 * right for the ASCII names they carry in practice) and as UTF-8. */
static size_t
name16(const struct ntlm_field *f, bool unicode, uint8_t *out16, char *utf8)
{
	size_t i, n = f->len;

	utf8[0] = '\0';
	if (unicode) {
		n = n > KT_NAME16_MAX ? KT_NAME16_MAX : n;
		if (n)
			memcpy(out16, f->p, n);
		if (n)
			sd_utf16le_to_utf8(out16, n, utf8, SMB2_KT_NAME_MAX, NULL);
		return n;
	}
	n = n > KT_NAME16_MAX / 2 ? KT_NAME16_MAX / 2 : n;
	for (i = 0; i < n; i++) {
		out16[2 * i] = f->p[i];
		out16[2 * i + 1] = 0;
		if (i + 1 < SMB2_KT_NAME_MAX) {
			utf8[i] = (char)(f->p[i] & 0x7F);
			utf8[i + 1] = '\0';
		}
	}
	return 2 * n;
}

static bool
same_ascii_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

/* Checks the NTLMv2 proof and recovers the ExportedSessionKey. */
static enum sd_err
ntlm_recover_key(struct smb2_keytrack *kt, struct kt_session *s, const struct ntlm_authenticate *a,
		 const uint8_t *user16, size_t user16_len, const uint8_t *domain16, size_t domain16_len)
{
	uint8_t base[NTLM_KEY_LEN], kxkey[NTLM_KEY_LEN];
	enum sd_err err;

	err = ntlm_v2_verify(kt->crypto, kt->nt_hash, user16, user16_len, domain16, domain16_len, s->challenge,
			     a->nt_response.p, a->nt_response.len, base);
	if (err == SD_ERR_VERIFY && domain16_len > 0) {
		err = ntlm_v2_verify(kt->crypto, kt->nt_hash, user16, user16_len, NULL, 0, s->challenge,
				     a->nt_response.p, a->nt_response.len, base);
		s->pub.empty_domain_matched = err == SD_OK;
	}
	if (err == SD_ERR_VERIFY) {
		s->pub.state = SMB2_KT_WRONG_PASSWORD;
		return SD_OK;
	}
	if (err == SD_ERR_UNSUPPORTED || err == SD_ERR_MALFORMED) {
		s->pub.state = err == SD_ERR_UNSUPPORTED ? SMB2_KT_NTLMV1 : SMB2_KT_UNDECODABLE;
		return SD_OK;
	}
	if (err != SD_OK)
		return err;
	ntlm_v2_kxkey(base, kxkey);
	err = ntlm_exported_session_key(kt->crypto, a->flags, kxkey, a->session_key.p, a->session_key.len,
					s->pub.session_key);
	OPENSSL_cleanse(base, sizeof(base));
	OPENSSL_cleanse(kxkey, sizeof(kxkey));
	if (err == SD_ERR_MALFORMED) {
		s->pub.state = SMB2_KT_UNDECODABLE;
		return SD_OK;
	}
	if (err == SD_OK)
		s->pub.session_key_len = NTLM_KEY_LEN;
	return err;
}

enum sd_err
kt_track_authenticate(struct smb2_keytrack *kt, struct kt_session *s, const uint8_t *p, size_t len)
{
	uint8_t user16[KT_NAME16_MAX], domain16[KT_NAME16_MAX];
	struct ntlm_authenticate a;
	size_t user16_len, domain16_len;
	bool unicode;

	if (ntlm_decode_authenticate(p, len, &a) != SD_OK) {
		if (!s->key_given)
			s->pub.state = SMB2_KT_UNDECODABLE;
		return SD_OK;
	}
	unicode = (a.flags & NTLMSSP_NEGOTIATE_UNICODE) != 0;
	user16_len = name16(&a.user, unicode, user16, s->pub.user);
	domain16_len = name16(&a.domain, unicode, domain16, s->pub.domain);
	if (s->key_given)
		return SD_OK;
	if (a.kind == NTLM_RESP_ANONYMOUS || a.kind == NTLM_RESP_NONE) {
		s->pub.state = SMB2_KT_ANONYMOUS;
		return SD_OK;
	}
	if (a.kind != NTLM_RESP_NTLMV2) {
		s->pub.state = a.kind == NTLM_RESP_UNKNOWN ? SMB2_KT_UNDECODABLE : SMB2_KT_NTLMV1;
		return SD_OK;
	}
	if ((kt->filter_user && !same_ascii_ci(kt->user, s->pub.user)) ||
	    (kt->filter_domain && !same_ascii_ci(kt->domain, s->pub.domain))) {
		s->pub.state = SMB2_KT_OTHER_USER;
		return SD_OK;
	}
	if (!kt->have_secret) {
		s->pub.state = SMB2_KT_NO_SECRET;
		return SD_OK;
	}
	if (!s->have_challenge) {
		s->pub.state = SMB2_KT_INCOMPLETE;
		return SD_OK;
	}
	return ntlm_recover_key(kt, s, &a, user16, user16_len, domain16, domain16_len);
}
