/* Session key tracker (sans-I/O): follows the SMB2 messages of ONE TCP
 * connection as a capture shows them, both directions, and with the
 * user's password (or NT hash) recovers each session's keys the way the
 * server did, so that signatures can be checked and encrypted traffic
 * read.
 *
 * What it follows (MS-SMB2 3.3.5.4, 3.3.5.5, 3.1.4.2; MS-NLMP 3.2.5.1.2):
 *  - NEGOTIATE: dialect, cipher and signing algorithm (3.1.1 contexts),
 *    and the 3.1.1 connection preauth hash (request then response; every
 *    SMB2 NEGOTIATE request starts it over, so an SMB1 or 0x02FF first
 *    round does not count).
 *  - SESSION_SETUP per SessionId: the 3.1.1 session preauth hash (every
 *    request, responses while STATUS_MORE_PROCESSING_REQUIRED), the NTLM
 *    CHALLENGE's server challenge, then the AUTHENTICATE: its NTLMv2
 *    response is checked against the NT hash (with the domain sent, then
 *    the empty domain as Windows does) and the exported session key is
 *    recovered; on STATUS_SUCCESS the SMB keys are derived.
 *  - Everything else: SIGNED messages are verified with the session's
 *    signing key, TRANSFORM messages are decrypted with the key of their
 *    direction and the plain messages inside are followed like the rest.
 *
 * Not followed (the session says why): Kerberos (its key comes from the
 * service's keytab, outside the core: smb2_keytrack_add_session_key), NTLMv1, anonymous and guest sessions (no keys), session binding
 * (its keys live on the master session's connection), messages that
 * arrived compressed (COMPRESSION_TRANSFORM).
 *
 * Lifecycle: create -> feed* -> free. Memory is bounded: at most
 * SMB2_KT_MAX_SESSIONS sessions per connection (the oldest finished one is
 * recycled when a new one starts). Feeding never fails for what the peers
 * sent: undecodable input is an outcome, not an error.
 */
#ifndef SMBDIAG_CORE_PROTO_KEYTRACK_H
#define SMBDIAG_CORE_PROTO_KEYTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth/crypto_ctx.h"
#include "core/auth/smb_crypto.h"
#include "core/err.h"

#define SMB2_KT_MAX_SESSIONS 16
#define SMB2_KT_MAX_ELEMS 16        /* compound elements reported per PDU */
#define SMB2_KT_NAME_MAX 256        /* user / domain, UTF-8 with NUL */
#define SMB2_KT_SESSION_KEY_MAX 32  /* NTLM gives 16; Kerberos may give 32 */

enum smb2_kt_dir {
	SMB2_KT_C2S = 0,  /* client to server */
	SMB2_KT_S2C = 1,  /* server to client */
};

/* What the analyst knows. Strings are UTF-8 and copied by create. */
struct smb2_kt_creds {
	const char *password;     /* NULL: use nt_hash */
	const uint8_t *nt_hash;   /* 16 bytes, or NULL: no secret at all */
	const char *user;         /* NULL: any user; else only this user's sessions (ASCII case ignored) */
	const char *domain;       /* NULL: any domain; else only this domain's sessions */
};

enum smb2_kt_state {
	SMB2_KT_SETUP = 0,          /* SESSION_SETUP in progress */
	SMB2_KT_KEYS_READY,         /* keys derived: signatures and encryption can be checked */
	SMB2_KT_SETUP_FAILED,       /* the server refused the session (status kept) */
	SMB2_KT_NO_SECRET,          /* no password or NT hash was given */
	SMB2_KT_OTHER_USER,         /* not the user / domain the credentials are for */
	SMB2_KT_WRONG_PASSWORD,     /* the NTLMv2 response does not verify with the given secret */
	SMB2_KT_KERBEROS,           /* Kerberos: needs the session key from the keytab (add_session_key) */
	SMB2_KT_NTLMV1,             /* NTLMv1 / LM response: not supported */
	SMB2_KT_ANONYMOUS,          /* anonymous or guest session: no keys */
	SMB2_KT_BINDING,            /* session binding: keys are on another connection */
	SMB2_KT_INCOMPLETE,         /* the capture lacks part of the exchange (started late, gap) */
	SMB2_KT_UNDECODABLE,        /* a security token we could not decode */
	SMB2_KT__COUNT
};

/* "keys_ready", "wrong_password", ... */
const char *smb2_keytrack_state_name(enum smb2_kt_state state);
/* One sentence for people (untranslated; the CLI translates), e.g.
 * "could not authenticate the session with the given password". */
const char *smb2_keytrack_state_text(enum smb2_kt_state state);

/* What became of one PDU. */
enum smb2_kt_outcome {
	SMB2_KT_PLAIN = 0,          /* an SMB2 message (or chain) as sent */
	SMB2_KT_DECRYPTED,          /* a TRANSFORM message, decrypted into the caller's buffer */
	SMB2_KT_NO_KEY,             /* a TRANSFORM message of a session without keys (see session_state) */
	SMB2_KT_DECRYPT_FAILED,     /* a TRANSFORM message that does not decrypt (err says why) */
	SMB2_KT_COMPRESSED,         /* a COMPRESSION_TRANSFORM message: not decompressed */
	SMB2_KT_NOT_SMB2,           /* SMB1 or not SMB at all */
	SMB2_KT_OUTCOME__COUNT
};
const char *smb2_keytrack_outcome_name(enum smb2_kt_outcome outcome);

enum smb2_kt_sig {
	SMB2_KT_SIG_NONE = 0,       /* SIGNED flag clear */
	SMB2_KT_SIG_VALID,
	SMB2_KT_SIG_INVALID,
	SMB2_KT_SIG_NO_KEY,         /* signed, but its session has no keys */
	SMB2_KT_SIG_SEALED,         /* came inside a TRANSFORM: the AEAD tag covered it */
	SMB2_KT_SIG_UNDECODABLE,    /* not a whole SMB2 header */
	SMB2_KT_SIG__COUNT
};
const char *smb2_keytrack_sig_name(enum smb2_kt_sig sig);

struct smb2_kt_result {
	enum smb2_kt_outcome outcome;
	enum sd_err err;                   /* DECRYPT_FAILED: SD_ERR_VERIFY (wrong key / altered), ... */
	uint64_t session_id;               /* TRANSFORM: its SessionId; else the first element's */
	enum smb2_kt_state session_state;  /* of that session when session_known (NO_KEY explains itself with it) */
	bool session_known;                /* the tracker has seen that session's SESSION_SETUP */
	/* The plain SMB2 message(s): the input itself, or the caller's out
	 * buffer when decrypted. NULL for NO_KEY, DECRYPT_FAILED, COMPRESSED,
	 * NOT_SMB2. */
	const uint8_t *plain;
	size_t plain_len;
	/* One signature verdict per compound element of plain. */
	uint8_t n_elems;
	uint8_t elems_dropped;             /* elements beyond SMB2_KT_MAX_ELEMS */
	enum smb2_kt_sig sig[SMB2_KT_MAX_ELEMS];
	/* A session reached a final state with this PDU (keys derived, wrong
	 * password, refused, ...). */
	bool session_changed;
	uint64_t changed_session_id;
};

/* A session as the tracker sees it. */
struct smb2_kt_session {
	uint64_t session_id;
	enum smb2_kt_state state;
	uint32_t setup_status;             /* last SESSION_SETUP response status */
	uint16_t session_flags;            /* of the final response */
	char user[SMB2_KT_NAME_MAX];       /* from the AUTHENTICATE, UTF-8 */
	char domain[SMB2_KT_NAME_MAX];
	bool empty_domain_matched;         /* the proof verified only with the empty domain */
	uint8_t session_key[SMB2_KT_SESSION_KEY_MAX];  /* GSS session key (NTLM ExportedSessionKey) */
	size_t session_key_len;            /* 0 until known */
	struct smb3_keys keys;             /* valid in KEYS_READY */
	unsigned signed_ok, signed_bad;    /* signature verdicts so far */
	unsigned decrypted, decrypt_failed;
};

/* The connection as negotiated. */
struct smb2_kt_connection {
	bool negotiated;
	uint16_t dialect;
	uint16_t client_security_mode, server_security_mode;
	uint32_t client_capabilities, server_capabilities;
	uint16_t cipher;                   /* enum smb3_cipher: 3.1.1 context, AES-128-CCM on 3.0.x */
	bool signing_alg_negotiated;
	uint16_t signing_alg;              /* enum smb2_sign_alg */
	uint8_t preauth_hash[SMB311_PREAUTH_HASH_LEN];  /* 3.1.1, after NEGOTIATE */
};

struct smb2_keytrack;

/* Copies creds (NULL: no secret: sessions end in NO_SECRET). Keeps crypto
 * (caller-owned, must outlive the tracker). SD_ERR_INVALID_ARG for a
 * password that is not UTF-8 or too long, SD_ERR_UNSUPPORTED when
 * libcrypto has no MD4 for the password, SD_ERR_NOMEM. */
enum sd_err smb2_keytrack_create(struct sd_crypto *crypto, const struct smb2_kt_creds *creds,
				 struct smb2_keytrack **out);
/* Wipes the secrets. Accepts NULL. */
void smb2_keytrack_free(struct smb2_keytrack *kt);

/* Adds a known GSS session key for a SessionId (as Wireshark's "session
 * key" table): that session skips the password check and gets its keys
 * from this key when its SESSION_SETUP completes; a session already
 * complete without keys gets them now when its preauth hash is known.
 * key_len 16..32. SD_ERR_LIMIT when the session table is full. */
enum sd_err smb2_keytrack_add_session_key(struct smb2_keytrack *kt, uint64_t session_id, const uint8_t *key,
					  size_t key_len);

/* Feeds one PDU's SMB part (after the 4-byte transport header): an SMB2
 * message or compound chain, a TRANSFORM message, a COMPRESSION_TRANSFORM
 * message or anything else. A TRANSFORM message is decrypted into out
 * (cap bytes; OriginalMessageSize is enough). res is filled in every case.
 * Returns SD_OK whatever the peers sent; SD_ERR_NO_SPACE when out is too
 * small for a message that would decrypt (the outcome is then
 * DECRYPT_FAILED with that err), SD_ERR_CRYPTO when libcrypto fails,
 * SD_ERR_INVALID_ARG for NULL arguments. */
enum sd_err smb2_keytrack_feed(struct smb2_keytrack *kt, enum smb2_kt_dir dir, const uint8_t *pdu, size_t len,
			       uint8_t *out, size_t cap, struct smb2_kt_result *res);

const struct smb2_kt_connection *smb2_keytrack_connection(const struct smb2_keytrack *kt);
/* Sessions in table order (a session whose first response has not come
 * yet shows SessionId 0): i < smb2_keytrack_n_sessions. */
size_t smb2_keytrack_n_sessions(const struct smb2_keytrack *kt);
const struct smb2_kt_session *smb2_keytrack_session_at(const struct smb2_keytrack *kt, size_t i);
/* NULL when unknown. */
const struct smb2_kt_session *smb2_keytrack_session(const struct smb2_keytrack *kt, uint64_t session_id);

#endif
