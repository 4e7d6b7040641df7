/* The SMB2/3 server state machine (sans-I/O), following MS-SMB2 3.3.5.x:
 * SMB1 multi-protocol upgrade, NEGOTIATE with every 3.1.1 context rule,
 * SESSION_SETUP with SPNEGO + NTLMv2 against a table of NT hashes, and
 * Kerberos through an acceptor the driver supplies (smb2s_krb_ops),
 * TREE_CONNECT, ECHO, TREE_DISCONNECT, LOGOFF and the IOCTLs a client sends
 * right after a tree connect (VALIDATE_NEGOTIATE_INFO, DFS referral).
 * There is no file service: other commands get STATUS_NOT_SUPPORTED.
 *
 * Names follow the spec's abstract data model (3.3.1): the policy holds
 * the server-wide globals (EncryptData, RejectUnencryptedAccess,
 * RequireMessageSigning, ...) and the ShareList; the connection holds
 * Connection.Dialect, ClientCapabilities, ClientGuid, ..., SessionTable.
 *
 * Lifecycle: create(policy) -> { input / output / output_done / tick /
 * next_event }* -> free. The driver moves bytes and tells the time (in
 * microseconds, any origin); the server never does I/O and never reads a
 * clock. It asks for what the driver must do through smb2_server_action()
 * (keep going, close after flushing, reset) and for timers through
 * smb2_server_next_timeout() (also announced as SMB2S_EV_TIMER events).
 * Every decision worth showing a person is an event: what the client
 * offered, what was chosen, and each refusal with the catalog rule, the
 * finding id and the spec section that explain it.
 *
 * The policy is NOT copied: one policy serves every connection and must
 * outlive them (a connection stays small: the goal is < 64 KiB idle).
 */
#ifndef SMBDIAG_CORE_PROTO_SERVER_H
#define SMBDIAG_CORE_PROTO_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth/crypto_ctx.h"
#include "core/ctx.h"
#include "core/err.h"

#define SMB2S_NAME_MAX 64        /* user, share, NetBIOS and DNS names (bytes, UTF-8, with NUL) */
#define SMB2S_PATH_MAX 256
#define SMB2S_MAX_SHARES 32
#define SMB2S_MAX_USERS 64
#define SMB2S_MAX_ALLOWED 8      /* users named in one share's allow list */
#define SMB2S_MAX_NAMES 8        /* accepted server names (name hardening) */
#define SMB2S_MAX_IDS 4          /* cipher / signing algorithm preferences */
#define SMB2S_KEY_MAX 32         /* a GSS session key (Kerberos AES-256 subkey) */
#define SMB2S_KRB_TEXT 224

/* Kerberos as acceptor, run by the driver (MIT GSSAPI with a keytab, in
 * src/net/gss_server.c) as the client core leaves Kerberos to
 * smb2_client_auth_ops: the core takes the GSS Kerberos token (AP-REQ)
 * out of SPNEGO, hands it over, and gets the AP-REP, the names and the
 * key back. The driver may read its keytab file; it never talks to the
 * network (an acceptor needs no KDC). */
struct smb2s_krb_result {
	/* Accepted: */
	char client[SMB2S_NAME_MAX * 2];   /* "alice@SMBDIAG.TEST" */
	char service[SMB2S_NAME_MAX * 2];  /* the key's principal: "cifs/fs1.smbdiag.test@SMBDIAG.TEST" */
	uint8_t key[SMB2S_KEY_MAX];        /* GSS_C_INQ_SSPI_SESSION_KEY (the AP-REP subkey) */
	size_t key_len;
	bool mutual;                       /* an AP-REP went back */
	/* Refused: */
	int32_t krb_error;                 /* RFC 4120 error number (37 skew ...), -1 when not one */
	long code;                         /* the krb5 error code (GSS minor status), 0 none */
	char text[SMB2S_KRB_TEXT];         /* GSS major and minor status text */
};

struct smb2s_krb_ops {
	/* One token of a session's context; *sess_ctx is NULL on the first
	 * call and set by it. SD_OK: complete, out holds the AP-REP (or
	 * nothing); SD_ERR_VERIFY: Kerberos refused (res says why); other
	 * errors are local failures (res->text says). */
	enum sd_err (*accept)(void *acceptor, void **sess_ctx, const uint8_t *in, size_t in_len, uint8_t *out,
			      size_t cap, size_t *out_len, struct smb2s_krb_result *res);
	/* SPNEGO mechListMIC with the established context (RFC 4178 5). */
	enum sd_err (*get_mic)(void *sess_ctx, const uint8_t *msg, size_t len, uint8_t *mic, size_t cap,
			       size_t *mic_len);
	enum sd_err (*verify_mic)(void *sess_ctx, const uint8_t *msg, size_t len, const uint8_t *mic,
				  size_t mic_len);
	void (*end)(void *sess_ctx);
};

/* Account states (MS-APDS 3.1.5): each maps to the NTSTATUS a Windows
 * server puts on the wire once the password was right. */
enum smb2s_account {
	SMB2S_ACCOUNT_OK = 0,
	SMB2S_ACCOUNT_DISABLED,          /* STATUS_ACCOUNT_DISABLED */
	SMB2S_ACCOUNT_LOCKED,            /* STATUS_ACCOUNT_LOCKED_OUT */
	SMB2S_ACCOUNT_EXPIRED,           /* STATUS_ACCOUNT_EXPIRED */
	SMB2S_ACCOUNT_PASSWORD_EXPIRED,  /* STATUS_PASSWORD_EXPIRED */
	SMB2S_ACCOUNT_MUST_CHANGE,       /* STATUS_PASSWORD_MUST_CHANGE */
	SMB2S_ACCOUNT_RESTRICTED,        /* STATUS_ACCOUNT_RESTRICTION */
};

struct smb2s_user {
	char name[SMB2S_NAME_MAX];       /* compared case-insensitively (ASCII) */
	uint8_t nt_hash[16];             /* NTOWFv1 */
	enum smb2s_account state;
};

/* Whom a logon that does not verify may become (Samba "map to guest"). */
enum smb2s_guest {
	SMB2S_GUEST_NEVER = 0,           /* no guest sessions at all */
	SMB2S_GUEST_BAD_USER,            /* unknown user names become guest (MS-NLMP 3.2.5.1.2) */
};

struct smb2s_share {
	char name[SMB2S_NAME_MAX];       /* compared case-insensitively (ASCII) */
	char path[SMB2S_PATH_MAX];       /* shown only; the core never touches files */
	bool path_exists;                /* the driver checks; false -> ACCESS_DENIED (article) */
	bool encrypt_data;               /* Share.EncryptData */
	uint8_t type;                    /* SMB2_SHARE_TYPE_DISK / _PIPE */
	uint8_t n_allowed;               /* 0: every authenticated user (and guest if guest_ok) */
	char allowed[SMB2S_MAX_ALLOWED][SMB2S_NAME_MAX];
	bool guest_ok;                   /* guest and anonymous sessions may connect */
	uint32_t max_uses;               /* Share.MaxUses: tree connects at once; 0 unlimited */
};

/* Share.CurrentUses across every connection of a server process (MS-SMB2
 * 3.3.5.7 checks it against Share.MaxUses), by share index in the policy.
 * The driver owns it and lets its connections share it. */
struct smb2s_share_uses {
	uint32_t current[SMB2S_MAX_SHARES];
};

/* Fault injection for the article's first failures. */
enum smb2s_fault_step {
	SMB2S_FAULT_NONE = 0,
	SMB2S_FAULT_NEGOTIATE,           /* never answer NEGOTIATE (SMB1 or SMB2) */
	SMB2S_FAULT_SESSION_SETUP,       /* never answer SESSION_SETUP */
	SMB2S_FAULT_TREE_CONNECT,        /* never answer TREE_CONNECT */
};

enum smb2s_fault_end {
	SMB2S_FAULT_END_NONE = 0,        /* stay silent until the client gives up */
	SMB2S_FAULT_END_CLOSE,           /* then close (FIN) */
	SMB2S_FAULT_END_RESET,           /* then reset (RST) */
};

struct smb2s_fault {
	enum smb2s_fault_step silent_on;
	enum smb2s_fault_end then;
	uint64_t after_us;               /* how long to stay silent before `then` */
	uint64_t delay_us;               /* every answer is held this long */
};

struct smb2s_policy {
	/* Server-wide globals of MS-SMB2 3.3.1.5 (Windows setting in brackets). */
	bool encrypt_data;               /* EncryptData [EncryptData] */
	bool reject_unencrypted_access;  /* RejectUnencryptedAccess [RejectUnencryptedAccess] */
	bool require_message_signing;    /* RequireMessageSigning [RequireSecuritySignature] */
	bool enable_smb1;                /* [EnableSMB1Protocol]; the SMB1 dialect itself is not served */
	bool allow_anonymous_access;     /* AllowAnonymousAccess (V1) */
	uint16_t min_dialect;            /* 0x0202 .. 0x0311 */
	uint16_t max_dialect;
	uint16_t ciphers[SMB2S_MAX_IDS]; /* 3.1.1 preference, best first; none = GCM, CCM, 256-GCM, 256-CCM */
	uint8_t n_ciphers;
	uint16_t signing_algs[SMB2S_MAX_IDS];  /* none = GMAC, CMAC, HMAC-SHA256 */
	uint8_t n_signing_algs;
	/* [SmbServerNameHardeningLevel]: 0 off, 1 check the NTLM target name
	 * when the client sends one, 2 require it. Accepted names are
	 * compared with the part after "cifs/"; none listed = the NetBIOS and
	 * DNS names below. A Kerberos ticket always names its service, so at
	 * levels 1 and 2 its service name must be accepted too. */
	uint8_t name_hardening_level;
	char accepted_names[SMB2S_MAX_NAMES][SMB2S_NAME_MAX];
	uint8_t n_accepted_names;
	enum smb2s_guest guest;
	char netbios_name[16];           /* "SMBDIAG" when empty */
	char netbios_domain[16];         /* "WORKGROUP" when empty */
	char dns_name[SMB2S_NAME_MAX];   /* lower-case NetBIOS name when empty */
	uint8_t server_guid[16];         /* one per server (MS-SMB2 3.3.1.5); all zero: taken from
					  * ctx->random for this connection alone */
	/* Limits (0 = default). */
	uint32_t max_transact_size;      /* also MaxRead/MaxWrite; default 65536 */
	uint16_t max_sessions;           /* per connection, default 16 */
	uint16_t max_trees;              /* per session, default 16 */
	uint16_t max_credits;            /* default 512 */
	uint64_t step_timeout_us;        /* idle limit between requests; default 120 s */
	struct smb2s_share shares[SMB2S_MAX_SHARES];
	uint8_t n_shares;
	struct smb2s_user users[SMB2S_MAX_USERS];
	uint8_t n_users;
	struct smb2s_fault fault;
	/* Kerberos: offered and accepted only with an acceptor (a keytab);
	 * NULL = NTLM only. The acceptor must outlive the policy's use. */
	const struct smb2s_krb_ops *krb;
	void *krb_acceptor;
	/* Counted across connections when set; NULL: each connection counts
	 * its own tree connects only. Must outlive the servers. */
	struct smb2s_share_uses *uses;
};

/* Fills the defaults a server has without configuration: dialects 2.0.2 to
 * 3.1.1, SMB1 off, nothing required, name hardening off, no guest. */
void smb2s_policy_defaults(struct smb2s_policy *p);
/* Finds a share / user by name (case-insensitive), NULL when absent. */
const struct smb2s_share *smb2s_policy_share(const struct smb2s_policy *p, const char *name);
const struct smb2s_user *smb2s_policy_user(const struct smb2s_policy *p, const char *name);
/* Checks a policy for contradictions (empty dialect range, unknown
 * dialect, cipher or algorithm, level > 2). SD_OK or SD_ERR_INVALID_ARG
 * with *why set to a sentence for people. */
enum sd_err smb2s_policy_check(const struct smb2s_policy *p, const char **why);
const char *smb2s_account_name(enum smb2s_account a);   /* "disabled" */
/* The status a logon of an account in this state gets (0 for OK). */
uint32_t smb2s_account_status(enum smb2s_account a);

/* ------------------------------------------------------------------ */
/* Events                                                               */

enum smb2s_event_kind {
	SMB2S_EV_SMB1_NEGOTIATE = 0,  /* an SMB1 multi-protocol NEGOTIATE arrived */
	SMB2S_EV_NEGOTIATE_OFFER,     /* the client's SMB2 NEGOTIATE: dialects, caps, contexts */
	SMB2S_EV_NEGOTIATED,          /* dialect, cipher, signing algorithm chosen */
	SMB2S_EV_SESSION_AUTH,        /* the AUTHENTICATE: user, domain, workstation, target name */
	SMB2S_EV_SESSION_OK,          /* session established: flags, signing, encryption */
	SMB2S_EV_TREE_OK,             /* tree connected */
	SMB2S_EV_TREE_DISCONNECT,
	SMB2S_EV_LOGOFF,
	SMB2S_EV_VALIDATE_OK,         /* VALIDATE_NEGOTIATE_INFO matched */
	SMB2S_EV_REFUSED,             /* a request answered with an error status */
	SMB2S_EV_DROPPED,             /* the connection is dropped without an answer */
	SMB2S_EV_SILENT,              /* fault injection: a request left unanswered */
	SMB2S_EV_TIMER,               /* the server wants smb2_server_tick at `timer_us` */
	SMB2S_EV_CLOSE,               /* the driver must close now (action) */
	SMB2S_EV_RESET,               /* the driver must reset now (action) */
	SMB2S_EV_REQUEST,             /* any other request answered (ECHO, IOCTL, ...) */
	SMB2S_EV__COUNT
};

#define SMB2S_EV_MAX_IDS 8
#define SMB2S_CMD_SMB1 0xFFFF   /* the SMB1 multi-protocol NEGOTIATE */
#define SMB2S_CMD_NONE 0xFFFE   /* not about one request (framing, timers) */
#define SMB2S_EV_TEXT 256

struct smb2s_event {
	enum smb2s_event_kind kind;
	uint64_t at_us;
	uint16_t command;             /* SMB2 command; SMB2S_CMD_SMB1 / SMB2S_CMD_NONE */
	uint64_t message_id;
	uint64_t session_id;
	uint32_t tree_id;
	uint32_t status;              /* NTSTATUS answered (REFUSED, SESSION_OK ...) */
	/* Why: the failure-catalog rule ("T3"), the finding id
	 * ("tree.bad_network_name", NULL when no finding applies) and the
	 * spec section ("MS-SMB2 3.3.5.7"). */
	const char *rule;
	const char *finding;
	const char *spec;
	char text[SMB2S_EV_TEXT];     /* a short English sentence with the particulars */
	uint64_t timer_us;            /* SMB2S_EV_TIMER */

	/* NEGOTIATE_OFFER / NEGOTIATED / VALIDATE */
	uint16_t dialects[SMB2S_EV_MAX_IDS];
	uint8_t n_dialects;
	uint16_t security_mode;
	uint32_t capabilities;
	uint8_t client_guid[16];
	uint16_t ciphers[SMB2S_EV_MAX_IDS];
	uint8_t n_ciphers;
	uint16_t signing_algs[SMB2S_EV_MAX_IDS];
	uint8_t n_signing_algs;
	bool smb1_offers_smb2_002, smb1_offers_wildcard, smb1_offers_smb1;
	uint16_t dialect;             /* NEGOTIATED */
	uint16_t cipher;
	uint16_t signing_alg;

	/* SESSION_AUTH / SESSION_OK / TREE_OK */
	char user[SMB2S_NAME_MAX];
	char domain[SMB2S_NAME_MAX];
	char workstation[SMB2S_NAME_MAX];
	char target_name[SMB2S_NAME_MAX * 2];
	uint8_t ntlm_kind;            /* SESSION_AUTH: enum ntlm_response_kind (core/auth/ntlmssp.h) */
	/* SESSION_AUTH, and REFUSED after it: Kerberos (target_name is then
	 * the ticket's service name, user and domain the client principal).
	 * NEGOTIATED: Kerberos is offered besides NTLMSSP. */
	bool kerberos;
	char realm[SMB2S_NAME_MAX];   /* the ticket's realm */
	bool has_kvno;
	uint32_t kvno;                /* the ticket's key version */
	int32_t etype;                /* the ticket's encryption type, 0 unknown */
	int32_t krb_error;            /* REFUSED: RFC 4120 error number, 0 none, -1 not one */
	uint16_t session_flags;
	bool signing_required;
	bool encrypted;
	char path[SMB2S_PATH_MAX];    /* TREE_OK / refused TREE_CONNECT: \\server\share */
	uint8_t share_type;
	uint32_t share_flags;
};

const char *smb2s_event_kind_name(enum smb2s_event_kind k);   /* "negotiate_offer" */

/* ------------------------------------------------------------------ */
/* Connection                                                           */

enum smb2s_action {
	SMB2S_ACT_CONTINUE = 0,  /* keep reading and writing */
	SMB2S_ACT_CLOSE,         /* send what is pending, then close */
	SMB2S_ACT_RESET,         /* reset now (SO_LINGER 0), nothing more is sent */
};

struct smb2_server;

/* SD_ERR_INVALID_ARG (missing ctx / crypto / policy or a policy that
 * smb2s_policy_check rejects), SD_ERR_NOMEM. ctx, crypto and policy are
 * kept (they must outlive the server). now_us starts the idle timer. */
enum sd_err smb2_server_create(const struct sd_ctx *ctx, struct sd_crypto *crypto, const struct smb2s_policy *policy,
			       uint64_t now_us, struct smb2_server **out);
void smb2_server_free(struct smb2_server *s);

/* Bytes from the client. Whole PDUs are processed as they complete; the
 * server keeps the rest. *used receives how many bytes were taken: fewer
 * than len only while answers wait to be sent or events wait to be taken
 * (back-pressure), so give the rest again after output_done /
 * next_event. Protocol failures are events and
 * actions, not errors: SD_OK unless the server itself failed. */
enum sd_err smb2_server_input(struct smb2_server *s, const uint8_t *p, size_t len, uint64_t now_us, size_t *used);
/* The bytes to send now (answers held by a delay are not offered before
 * their time). */
size_t smb2_server_output(struct smb2_server *s, const uint8_t **p);
void smb2_server_output_done(struct smb2_server *s, size_t n);
/* Fires what is due at now_us: held answers, the end of a silent fault,
 * the idle limit. */
void smb2_server_tick(struct smb2_server *s, uint64_t now_us);
/* The earliest time smb2_server_tick wants to run, UINT64_MAX for none. */
uint64_t smb2_server_next_timeout(const struct smb2_server *s);
/* The client closed; the server forgets its sessions. */
void smb2_server_eof(struct smb2_server *s, uint64_t now_us);
enum smb2s_action smb2_server_action(const struct smb2_server *s);
/* Takes the oldest event; false when none is queued. Events beyond the
 * queue's capacity are counted in smb2_server_events_dropped. */
bool smb2_server_next_event(struct smb2_server *s, struct smb2s_event *ev);
unsigned smb2_server_events_dropped(const struct smb2_server *s);

#endif
