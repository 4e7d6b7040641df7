/* Internals shared by the client's files; not for other modules. */
#ifndef SMBDIAG_CORE_PROTO_CLIENT_INTERNAL_H
#define SMBDIAG_CORE_PROTO_CLIENT_INTERNAL_H

#include "core/auth/ntlm_crypto.h"
#include "core/auth/smb_crypto.h"
#include "core/proto/client.h"
#include "core/wire/smb2.h"

#define CLIENT_OUT_CAP (64 * 1024)
#define CLIENT_TOKEN_CAP 4096
#define CLIENT_TEXT_CAP 256
/* A user name or password whole, so that none is cut short into a logon
 * failure of the client's own making. */
#define CLIENT_CREDENTIAL_CAP (SMB2_CLIENT_CREDENTIAL_MAX + 1)
_Static_assert(SMB2_CLIENT_CREDENTIAL_MAX <= NTLM_TEXT_MAX_UNITS, "NTLM hashes every credential the client takes");
#define NBSS_FRAME_HEADER 4

struct smb2_client {
	const struct sd_ctx *ctx;
	struct sd_crypto *crypto;
	struct smb2_client_config cfg;
	/* Copies of the config's strings (cfg's pointers aim at these). */
	char user[CLIENT_CREDENTIAL_CAP];
	char domain[CLIENT_TEXT_CAP];
	char password[CLIENT_CREDENTIAL_CAP];
	char workstation[CLIENT_TEXT_CAP];
	char server_name[CLIENT_TEXT_CAP];
	char share[CLIENT_TEXT_CAP];
	bool have_domain;
	bool have_password;
	uint8_t nt_hash[NTLM_HASH_LEN];

	struct smb2_client_result res;
	struct smb2_negotiate_offer offer;  /* the NEGOTIATE sent last, for checking its answer */
	enum smb2_client_state state;
	uint64_t next_message_id;
	int pending;                  /* index into res.exchanges, -1 when none */

	/* Output: one framed request at a time, built in `plain` first. */
	uint8_t *plain;               /* CLIENT_OUT_CAP bytes: the request being built */
	uint8_t *unsealed;            /* max_pdu bytes: the last decrypted response */
	uint8_t *out;
	size_t out_len;
	size_t out_sent;

	/* Input: bytes of a PDU not yet complete. */
	uint8_t *in;
	size_t in_len;
	size_t in_cap;
	size_t max_pdu;

	/* 3.1.1 preauth integrity. */
	uint8_t conn_hash[SMB311_PREAUTH_HASH_LEN];
	uint8_t sess_hash[SMB311_PREAUTH_HASH_LEN];

	/* NTLM exchange: the three messages for the MIC. */
	uint8_t ntlm_negotiate[256];
	size_t ntlm_negotiate_len;
	uint8_t ntlm_challenge[CLIENT_TOKEN_CAP];
	size_t ntlm_challenge_len;
	uint8_t mech_types[64];       /* DER MechTypeList, for mechListMIC */
	size_t mech_types_len;
	uint8_t session_key[SMB2_CLIENT_KEY_MAX];  /* ExportedSessionKey, or the Kerberos key */
	size_t session_key_len;
	bool have_session_key;
	bool external_complete;       /* SMB2_MECH_EXTERNAL: the mechanism said done */

	/* Security state. */
	enum smb2_sign_alg sign_alg;
	struct smb3_keys keys;
	bool have_keys;
	uint64_t nonce_counter;
	uint8_t nonce_salt[4];
	uint16_t effective_cipher;    /* cipher used for sealing, 0 when none */
	struct client_srvsvc *srvsvc; /* share listing state (client_srvsvc.c), NULL until used */
	bool smb1_pending;            /* the pending NEGOTIATE is the SMB1 one */
};

/* Queue a request: header fields are filled here; body_fn writes the body.
 * Signs or seals per `protect`. */
enum client_protect {
	CLIENT_PLAIN = 0,
	CLIENT_SIGN,
	CLIENT_SEAL,
};

struct client_req {
	enum smb2_client_step step;
	uint16_t command;
	uint64_t session_id;
	uint32_t tree_id;
	enum client_protect protect;
};

/* Starts building a request in the output buffer: writes the framing and
 * header; returns the writer positioned at the body. */
void client_begin(struct smb2_client *c, const struct client_req *req, struct sd_wr *w, struct smb2_header *h);
/* Finishes the request begun with client_begin: frames, signs or seals,
 * records the exchange. */
enum sd_err client_finish(struct smb2_client *c, const struct client_req *req, struct sd_wr *w,
			  uint64_t now_us);
void client_fail(struct smb2_client *c, enum smb2_client_failure f, uint32_t status, enum sd_err err);
/* How a request of this step must be protected, given the session and
 * tree state. */
enum client_protect client_protection(const struct smb2_client *c, enum smb2_client_step step);
void client_done(struct smb2_client *c);

/* One response, decoded, for the current step. msg/len is the plain SMB2
 * message (after unsealing). */
struct client_rsp {
	const uint8_t *msg;
	size_t len;
	struct smb2_header hdr;
	bool was_encrypted;
	bool signature_ok;    /* signed and verified */
};

/* Step handlers (client_negotiate.c, client_session.c, client_tree.c). */
enum sd_err client_send_negotiate(struct smb2_client *c, uint64_t now_us);
void client_on_negotiate(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us);
/* SMB1 first (client_negotiate.c): the multi-protocol NEGOTIATE, an SMB1
 * answer to it, and the SMB2 answer (2.??? asks for an SMB2 NEGOTIATE;
 * returns true when it handled r). */
enum sd_err client_send_smb1_negotiate(struct smb2_client *c, uint64_t now_us);
void client_on_smb1_answer(struct smb2_client *c, const uint8_t *p, size_t len, uint64_t now_us);
bool client_smb1_upgrade(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us);
enum sd_err client_send_session_setup(struct smb2_client *c, const uint8_t *token, size_t token_len,
				      uint64_t now_us);
enum sd_err client_session_begin(struct smb2_client *c, uint64_t now_us);
void client_on_session_setup(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us);
enum sd_err client_tree_begin(struct smb2_client *c, uint64_t now_us);
void client_on_tree_connect(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us);
void client_on_validate(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us);
void client_on_tree_disconnect(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us);
void client_on_logoff(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us);
/* After TREE_CONNECT (and VALIDATE_NEGOTIATE): the share listing when
 * asked and not yet tried, TREE_DISCONNECT otherwise (client_tree.c). */
enum sd_err client_tree_next(struct smb2_client *c, uint64_t now_us);
/* Share listing (client_srvsvc.c). */
enum sd_err client_list_shares_begin(struct smb2_client *c, uint64_t now_us);
void client_on_list_shares(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us);
void client_srvsvc_free(struct smb2_client *c);

/* NTLM tokens (client_ntlm.c): SPNEGO-wrapped NEGOTIATE, then the
 * AUTHENTICATE answering a CHALLENGE; the session key lands in c. */
enum sd_err client_ntlm_first_token(struct smb2_client *c, uint8_t *out, size_t cap, size_t *out_len);
enum sd_err client_ntlm_answer(struct smb2_client *c, const uint8_t *secbuf, size_t secbuf_len, uint8_t *out,
			       size_t cap, size_t *out_len);

/* The driver's mechanism in SPNEGO (client_external.c). */
enum sd_err client_external_first_token(struct smb2_client *c, uint8_t *out, size_t cap, size_t *out_len);
enum sd_err client_external_answer(struct smb2_client *c, const uint8_t *secbuf, size_t secbuf_len, uint8_t *out,
				   size_t cap, size_t *out_len);
/* The server's last token (with STATUS_SUCCESS) and the key. */
enum sd_err client_external_finish(struct smb2_client *c, const uint8_t *secbuf, size_t secbuf_len);

/* Copies UTF-16LE into a NUL-terminated UTF-8 text (cut at cap). */
void client_text_from_utf16(char *dst, size_t cap, const uint8_t *p, size_t len);
void client_copy_text(char *dst, size_t cap, const char *src);

#endif
