/* Internals of the session key tracker shared by keytrack.c (messages,
 * sessions, keys) and keytrack_ntlm.c (the NTLM exchange inside
 * SESSION_SETUP). Not a public interface. */
#ifndef SMBDIAG_CORE_PROTO_KEYTRACK_INTERNAL_H
#define SMBDIAG_CORE_PROTO_KEYTRACK_INTERNAL_H

#include "core/auth/ntlm_crypto.h"
#include "core/auth/spnego.h"
#include "core/proto/keytrack.h"

struct kt_session {
	struct smb2_kt_session pub;
	bool awaiting_id;        /* created by a request with SessionId 0 */
	bool completed;          /* the final SUCCESS response was seen */
	bool key_given;          /* session key from smb2_keytrack_add_session_key */
	bool have_hash;          /* 3.1.1: hash followed from the session's first request */
	bool have_challenge;
	uint64_t setup_message_id;
	unsigned long born;      /* creation order, for recycling */
	uint8_t hash[SMB311_PREAUTH_HASH_LEN];
	uint8_t challenge[NTLM_CHALLENGE_LEN];
};

struct smb2_keytrack {
	struct sd_crypto *crypto;
	bool have_secret;
	uint8_t nt_hash[NTLM_HASH_LEN];
	bool filter_user, filter_domain;
	char user[SMB2_KT_NAME_MAX];
	char domain[SMB2_KT_NAME_MAX];
	struct smb2_kt_connection conn;
	bool negotiate_seen;                      /* a NEGOTIATE request started the hash */
	uint8_t negotiate_hash[SMB311_PREAUTH_HASH_LEN];
	struct kt_session s[SMB2_KT_MAX_SESSIONS];
	size_t n;
	unsigned long births;
};

enum kt_token_kind { KT_TOKEN_NONE, KT_TOKEN_NTLM, KT_TOKEN_KERBEROS, KT_TOKEN_OTHER, KT_TOKEN_BROKEN };

/* The mechanism token inside a SESSION_SETUP security buffer. */
enum kt_token_kind kt_inner_token(const uint8_t *secbuf, size_t len, struct spnego_token *tok,
				  struct spnego_blob *inner);
/* An NTLM AUTHENTICATE (p/len) of session s: names, the NTLMv2 proof
 * against the tracker's secret, the ExportedSessionKey; the session's
 * state says what became of it. Errors only from libcrypto. */
enum sd_err kt_track_authenticate(struct smb2_keytrack *kt, struct kt_session *s, const uint8_t *p, size_t len);

#endif
