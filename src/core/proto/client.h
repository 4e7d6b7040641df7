/* The SMB2/3 client state machine (sans-I/O): NEGOTIATE, SESSION_SETUP
 * with SPNEGO + NTLMv2, TREE_CONNECT (signed or encrypted as the dialect
 * and share require), VALIDATE_NEGOTIATE_INFO on 3.0 / 3.0.2, then
 * TREE_DISCONNECT and LOGOFF.
 *
 * Lifecycle: create -> start -> { output / output_done, input, eof }* ->
 * free. The driver moves bytes and tells the time; the client never does
 * I/O. Bytes it produces are framed for direct TCP (4-byte header). It
 * runs one request at a time, so the driver never has to queue.
 * After the state reaches DONE or FAILED only result() and free() are
 * meaningful.
 *
 * Kerberos comes from the driver: with SMB2_MECH_EXTERNAL the mechanism
 * tokens come from cfg.auth (GSSAPI in src/net), and the client wraps them
 * in SPNEGO; the callbacks are the driver's, so the client still does no
 * I/O of its own.
 */
#ifndef SMBDIAG_CORE_PROTO_CLIENT_H
#define SMBDIAG_CORE_PROTO_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth/crypto_ctx.h"
#include "core/auth/ntlmssp.h"
#include "core/ctx.h"
#include "core/err.h"
#include "core/proto/negotiate_check.h"

enum smb2_signing_mode {
	SMB2_SIGNING_OFF = 0,      /* SecurityMode 0: do not offer signing */
	SMB2_SIGNING_ON = 1,       /* signing enabled: sign when either side requires */
	SMB2_SIGNING_REQUIRED = 2, /* signing required by the client */
};

enum smb2_client_mech {
	SMB2_MECH_NTLM = 0,
	SMB2_MECH_ANONYMOUS = 1,   /* NTLM with empty user and responses */
	SMB2_MECH_EXTERNAL = 2,    /* Kerberos tokens from cfg.auth, in SPNEGO */
};

#define SMB2_CLIENT_KEY_MAX 32

/* A mechanism run by the driver (Kerberos through GSSAPI). Tokens are the
 * mechanism's own (a GSS Kerberos AP-REQ, the AP-REP answering it); the
 * client puts them in a NegTokenInit offering MS-KRB5 and KRB5 and takes
 * them out of the server's NegTokenResp. Each returns SD_OK or an error
 * that ends the session setup as our own failure (SMB2C_FAIL_LOCAL). */
struct smb2_client_auth_ops {
	enum sd_err (*first_token)(void *auth_ctx, uint8_t *out, size_t cap, size_t *out_len);
	/* The server's token; *complete when the mechanism is done (then
	 * out_len is usually 0). */
	enum sd_err (*next_token)(void *auth_ctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
				  size_t *out_len, bool *complete);
	/* The whole key (the AP-REP subkey, MS-KILE 3.1.1.2): up to
	 * SMB2_CLIENT_KEY_MAX bytes; the first 16 are Session.SessionKey. */
	enum sd_err (*session_key)(void *auth_ctx, uint8_t *key, size_t cap, size_t *key_len);
};

#define SMB2_CLIENT_MAX_DIALECTS 8
#define SMB2_CLIENT_MAX_IDS 4

struct smb2_client_config {
	uint16_t dialects[SMB2_CLIENT_MAX_DIALECTS];  /* offered; none = all of 2.0.2..3.1.1 */
	uint8_t n_dialects;
	bool no_encryption;        /* do not advertise encryption (a Windows 7 client) */
	bool encrypt;              /* encrypt after SESSION_SETUP even if the server does not ask */
	enum smb2_signing_mode signing;
	uint16_t ciphers[SMB2_CLIENT_MAX_IDS];        /* 3.1.1 preference; none = GCM, CCM, 256-GCM, 256-CCM */
	uint8_t n_ciphers;
	uint16_t signing_algs[SMB2_CLIENT_MAX_IDS];   /* 3.1.1; none = GMAC, CMAC, HMAC-SHA256 */
	uint8_t n_signing_algs;
	bool no_validate_negotiate;
	enum smb2_client_mech mech;
	const char *user;          /* UTF-8 */
	const char *domain;        /* NULL: the server's NetBIOS domain from its CHALLENGE */
	const char *password;      /* or nt_hash */
	const uint8_t *nt_hash;    /* 16 bytes, used when password is NULL */
	const char *workstation;   /* NULL: "SMBDIAG" */
	const char *server_name;   /* as the user typed it: tree path and NTLM target name */
	const char *share;
	size_t max_message;        /* largest response accepted; 0 = 1 MiB */
	/* After TREE_CONNECT to a pipe share (IPC$): list the shares with
	 * SRVSVC NetrShareEnum (result: share_list_*, shares[]). */
	bool list_shares;
	/* Begin with an SMB1 multi-protocol NEGOTIATE as Windows and impacket
	 * do (MS-SMB2 3.2.4.2.1); smb1_only leaves the SMB2 strings out, to
	 * learn whether the server still speaks SMB1. */
	bool smb1_first;
	bool smb1_only;
	/* Stop (DONE) after a successful NEGOTIATE: enough to learn who
	 * answers at an address (the server's identity). */
	bool negotiate_only;
	/* SMB2_MECH_EXTERNAL: the driver's mechanism (user, password unused;
	 * user may name the principal for the result). */
	const struct smb2_client_auth_ops *auth;
	void *auth_ctx;
};

enum smb2_client_state {
	SMB2C_IDLE = 0,
	SMB2C_NEGOTIATE,
	SMB2C_SESSION_SETUP,
	SMB2C_TREE_CONNECT,
	SMB2C_VALIDATE_NEGOTIATE,
	SMB2C_LIST_SHARES,
	SMB2C_TREE_DISCONNECT,
	SMB2C_LOGOFF,
	SMB2C_DONE,
	SMB2C_FAILED,
};

enum smb2_client_step {
	SMB2C_STEP_NEGOTIATE = 0,
	SMB2C_STEP_SESSION_SETUP,
	SMB2C_STEP_TREE_CONNECT,
	SMB2C_STEP_VALIDATE_NEGOTIATE,
	SMB2C_STEP_TREE_DISCONNECT,
	SMB2C_STEP_LOGOFF,
	SMB2C_STEP_LIST_SHARES,   /* CREATE srvsvc, DCE/RPC BIND, NetrShareEnum, READs, CLOSE */
	SMB2C_STEP__COUNT
};

/* Why the client stopped before DONE (taxonomy: the server refused, the
 * transport failed, the server broke the protocol, or we failed). */
enum smb2_client_failure {
	SMB2C_FAIL_NONE = 0,
	SMB2C_FAIL_STATUS,          /* the server answered with an error status */
	SMB2C_FAIL_CLOSED,          /* the server closed the connection */
	SMB2C_FAIL_BAD_RESPONSE,    /* undecodable, unexpected or inconsistent answer */
	SMB2C_FAIL_BAD_SIGNATURE,   /* a response's signature does not verify */
	SMB2C_FAIL_UNSIGNED,        /* a response that had to be signed was not */
	SMB2C_FAIL_DECRYPT,         /* an encrypted response does not decrypt */
	SMB2C_FAIL_VALIDATE,        /* VALIDATE_NEGOTIATE_INFO answer differs from NEGOTIATE */
	SMB2C_FAIL_NEGOTIATE_RULES, /* the NEGOTIATE answer breaks MS-SMB2 3.2.5.2 (res.negotiate_faults) */
	SMB2C_FAIL_CANNOT_SECURE,   /* signing or encryption needed but no key or cipher */
	SMB2C_FAIL_LOCAL,           /* our own failure (crypto library, memory) */
	SMB2C_FAIL_AUTH_REFUSED,    /* the security mechanism refused the server's answer:
				     * a Kerberos error token, SPNEGO reject, failed mutual
				     * authentication (a logon refusal, not a broken answer) */
	SMB2C_FAIL_NBSS_REFUSED,    /* a NetBIOS negative session response instead of an
				     * answer (Samba's hosts deny): res.nbss_code */
};

/* One request and its answer. */
struct smb2_client_exchange {
	enum smb2_client_step step;
	uint16_t command;
	uint64_t message_id;
	uint64_t sent_us;
	uint64_t answered_us;
	bool answered;
	uint32_t status;
	bool req_signed;
	bool req_encrypted;
	bool rsp_signed;
	bool rsp_encrypted;
};

#define SMB2_CLIENT_MAX_EXCHANGES 64   /* the share listing READs one fragment each */
#define SMB2_CLIENT_NAME_MAX 256
/* The longest user name or password, in bytes of UTF-8 (NTLM's limit of
 * 512 UTF-16 units: a byte is at most one unit). */
#define SMB2_CLIENT_CREDENTIAL_MAX 512

/* Share listing: who refused it, if anyone. A refusal is a result, not a
 * failure of the connection (the client goes on to TREE_DISCONNECT). */
enum smb2_share_list_failure {
	SMB2C_LIST_OK = 0,
	SMB2C_LIST_NOT_PIPE,        /* not a pipe share (IPC$): status is its ShareType */
	SMB2C_LIST_STATUS,          /* an SMB2 request was refused: status is its NTSTATUS */
	SMB2C_LIST_BIND_REJECTED,   /* status: BIND_NAK reason, or result << 16 | reason */
	SMB2C_LIST_RPC_FAULT,       /* status: the DCE/RPC fault status */
	SMB2C_LIST_WERROR,          /* status: NetrShareEnum's WERROR */
	SMB2C_LIST_BAD_RESPONSE,    /* an answer did not decode: share_list_err */
	SMB2C_LIST_LOCAL,           /* our own limit or failure: share_list_err */
};

enum smb2_share_list_stage {
	SMB2C_LIST_CREATE = 0,      /* CREATE "srvsvc" on the pipe share */
	SMB2C_LIST_BIND,            /* DCE/RPC BIND to SRVSVC v3.0 */
	SMB2C_LIST_ENUM,            /* NetrShareEnum level 1 */
	SMB2C_LIST_CLOSE,
	SMB2C_LIST_DONE,
};

#define SMB2_CLIENT_MAX_SHARES 128
#define SMB2_CLIENT_SHARE_NAME_MAX 241    /* 80 UTF-16 units as UTF-8, plus NUL */
#define SMB2_CLIENT_SHARE_REMARK_MAX 128  /* longer remarks are cut */

struct smb2_client_share {
	char name[SMB2_CLIENT_SHARE_NAME_MAX];
	uint32_t type;                /* shi1_type: SRVSVC_STYPE_* (core/wire/srvsvc.h) */
	char remark[SMB2_CLIENT_SHARE_REMARK_MAX];
};

struct smb2_client_result {
	enum smb2_client_state state;
	enum smb2_client_failure failure;
	enum smb2_client_step failed_step;
	uint32_t failed_status;       /* with SMB2C_FAIL_STATUS */
	enum sd_err failed_err;       /* with BAD_RESPONSE / LOCAL */
	bool closed_by_server;
	/* An answer that is not SMB at all (another service on the port:
	 * "SSH-2.0-...", "HTTP/1.1 400 ..."): its first bytes, and when they
	 * came. n_foreign 0: none. */
	uint8_t foreign[32];
	uint8_t n_foreign;
	uint64_t foreign_us;
	/* With SMB2C_FAIL_NBSS_REFUSED: the error code (0x81: not listening
	 * for the calling name) and when it came. */
	uint8_t nbss_code;
	uint64_t nbss_refused_us;

	uint8_t n_exchanges;
	struct smb2_client_exchange exchanges[SMB2_CLIENT_MAX_EXCHANGES];

	/* NEGOTIATE */
	uint16_t offered_dialects[SMB2_CLIENT_MAX_DIALECTS];
	uint8_t n_offered_dialects;
	uint16_t client_security_mode;
	uint32_t client_capabilities;
	uint8_t client_guid[16];
	bool negotiated;
	uint16_t dialect;
	uint16_t server_security_mode;
	uint32_t server_capabilities;
	uint8_t server_guid[16];
	uint64_t server_time;         /* FILETIME */
	uint64_t server_start_time;
	uint32_t max_transact_size, max_read_size, max_write_size;
	uint16_t cipher;              /* 3.1.1 ENCRYPTION context answer, 0 = none */
	bool cipher_negotiated;       /* the server sent an ENCRYPTION context */
	uint16_t signing_alg;
	bool signing_alg_negotiated;
	uint8_t server_mechs[8];      /* enum spnego_mech from the NegTokenInit2 hint */
	uint8_t n_server_mechs;
	bool smb1_sent;               /* an SMB1 NEGOTIATE went first */
	bool smb1_upgraded;           /* ... answered by SMB2 with dialect 2.??? */
	bool smb1_answered;           /* ... answered in SMB1 (the client stops there) */
	uint16_t smb1_dialect_index;  /* the SMB1 answer's DialectIndex */
	/* What made the client refuse a successful NEGOTIATE answer; dialect
	 * and sizes above are then the answer's, negotiated stays false. */
	struct smb2_negfaults negotiate_faults;
	uint32_t smb1_status;         /* the SMB1 answer's status */

	/* SESSION_SETUP */
	uint64_t session_id;
	uint16_t session_flags;
	bool session_signing_required;
	bool session_encrypt;         /* requests after SESSION_SETUP are encrypted */
	char user[SMB2_CLIENT_NAME_MAX];
	char domain[SMB2_CLIENT_NAME_MAX];
	char workstation[SMB2_CLIENT_NAME_MAX];
	char target_name[SMB2_CLIENT_NAME_MAX];   /* MsvAvTargetName sent */
	char server_nb_domain[SMB2_CLIENT_NAME_MAX];
	char server_nb_computer[SMB2_CLIENT_NAME_MAX];
	char server_dns_computer[SMB2_CLIENT_NAME_MAX];
	struct ntlm_flag_trail ntlm;  /* the NTLM exchange's flags (NTLM only) */

	/* TREE_CONNECT */
	char tree_path[SMB2_CLIENT_NAME_MAX * 2];
	uint32_t tree_id;
	uint8_t share_type;
	uint32_t share_flags;
	uint32_t share_capabilities;
	uint32_t maximal_access;
	bool tree_encrypt;
	bool validated;               /* VALIDATE_NEGOTIATE_INFO succeeded */

	/* Share listing (cfg.list_shares) */
	bool share_list_tried;
	bool share_list_ok;           /* the server sent its list */
	enum smb2_share_list_failure share_list_failure;
	enum smb2_share_list_stage share_list_stage;  /* where the listing stopped */
	uint32_t share_list_status;   /* NTSTATUS, bind reason, fault status or WERROR (see failure) */
	enum sd_err share_list_err;   /* with BAD_RESPONSE / LOCAL */
	uint32_t share_list_total;    /* entries the server sent; n_shares keeps at most the cap */
	uint8_t n_shares;
	struct smb2_client_share shares[SMB2_CLIENT_MAX_SHARES];
};

struct smb2_client;

/* SD_ERR_INVALID_ARG for an unusable config (no user/password for NTLM, no
 * share or server name, a dialect we do not implement), SD_ERR_LIMIT for a
 * user name or password longer than SMB2_CLIENT_CREDENTIAL_MAX bytes,
 * SD_ERR_NOMEM. The
 * client keeps pointers to ctx and crypto (owned by the caller, must
 * outlive it) and copies what it needs from cfg. */
enum sd_err smb2_client_create(const struct sd_ctx *ctx, struct sd_crypto *crypto,
			       const struct smb2_client_config *cfg, struct smb2_client **out);
void smb2_client_free(struct smb2_client *c);

/* Queues the NEGOTIATE request. */
enum sd_err smb2_client_start(struct smb2_client *c, uint64_t now_us);
/* The bytes to send now (0 when nothing is pending). */
size_t smb2_client_output(struct smb2_client *c, const uint8_t **p);
/* The driver wrote n of those bytes. */
void smb2_client_output_done(struct smb2_client *c, size_t n, uint64_t now_us);
/* Bytes received; the client keeps partial PDUs until they complete.
 * Returns SD_OK unless the input broke the connection (the result says
 * why); protocol failures are results, not errors. */
enum sd_err smb2_client_input(struct smb2_client *c, const uint8_t *p, size_t len, uint64_t now_us);
/* The server closed (or reset) the connection. */
void smb2_client_eof(struct smb2_client *c, uint64_t now_us);
enum smb2_client_state smb2_client_state(const struct smb2_client *c);
/* The request currently waiting for an answer, or NULL. */
const struct smb2_client_exchange *smb2_client_pending(const struct smb2_client *c);
const struct smb2_client_result *smb2_client_result(const struct smb2_client *c);
/* The server answered in SMB1 and chose one of the SMB1 dialects offered. */
bool smb2_client_smb1_chosen(const struct smb2_client_result *r);

const char *smb2_client_step_name(enum smb2_client_step step);   /* "negotiate" */
const char *smb2_client_failure_name(enum smb2_client_failure f);
const char *smb2_share_list_failure_name(enum smb2_share_list_failure f);  /* "werror" */
const char *smb2_share_list_stage_name(enum smb2_share_list_stage s);      /* "bind" */

#endif
