/* Internals shared by the server's files; not for other modules. */
#ifndef SMBDIAG_CORE_PROTO_SERVER_INTERNAL_H
#define SMBDIAG_CORE_PROTO_SERVER_INTERNAL_H

#include "core/auth/ntlm_crypto.h"
#include "core/auth/smb_crypto.h"
#include "core/auth/spnego.h"
#include "core/proto/server.h"
#include "core/wire/smb2.h"

/* NTSTATUS values the server answers with (MS-ERREF 2.3.1). */
#define ST_SUCCESS 0x00000000u
#define ST_MORE_PROCESSING_REQUIRED 0xC0000016u
#define ST_INVALID_PARAMETER 0xC000000Du
#define ST_INVALID_DEVICE_REQUEST 0xC0000010u
#define ST_ACCESS_DENIED 0xC0000022u
#define ST_LOGON_FAILURE 0xC000006Du
#define ST_ACCOUNT_RESTRICTION 0xC000006Eu
#define ST_PASSWORD_EXPIRED 0xC0000071u
#define ST_ACCOUNT_DISABLED 0xC0000072u
#define ST_INSUFFICIENT_RESOURCES 0xC000009Au
#define ST_NOT_SUPPORTED 0xC00000BBu
#define ST_TIME_DIFFERENCE_AT_DC 0xC0000133u
#define ST_NETWORK_NAME_DELETED 0xC00000C9u
#define ST_BAD_NETWORK_NAME 0xC00000CCu
#define ST_REQUEST_NOT_ACCEPTED 0xC00000D0u
#define ST_ACCOUNT_EXPIRED 0xC0000193u
#define ST_USER_SESSION_DELETED 0xC0000203u
#define ST_PASSWORD_MUST_CHANGE 0xC0000224u
#define ST_NOT_FOUND 0xC0000225u
#define ST_ACCOUNT_LOCKED_OUT 0xC0000234u
#define ST_NETWORK_SESSION_EXPIRED 0xC000035Cu
#define ST_NO_PREAUTH_INTEGRITY_HASH_OVERLAP 0xC05D0000u
#define ST_SEC_E_UNSUPPORTED_FUNCTION 0x80090302u
#define ST_SEC_E_INVALID_TOKEN 0x80090308u

#define NEGOTIATE_DIALECT_NONE 0xFFFF
#define SRV_FRAME 4
#define SRV_PIPE_OUT 8192          /* a DCE/RPC answer waiting in the srvsvc pipe */
#define SRV_RSP_CAP (SRV_PIPE_OUT + 256)  /* our answers are small: no file data */
#define SRV_TOKEN_CAP 2048
#define SRV_EVENTS 16
#define SRV_HELD_MAX 32
#define SRV_MAX_SESSIONS_CAP 64
#define SRV_MAX_TREES_CAP 32
#define SRV_CREDIT_BITS 1024
#define SRV_MAX_CLIENT_DIALECTS 16

enum srv_session_state {
	SESS_IN_PROGRESS = 0,
	SESS_VALID,
	SESS_EXPIRED,
};

/* Where the GSS exchange of a session stands. */
enum srv_gss_leg {
	GSS_WANT_NEGOTIATE = 0,    /* first token: SPNEGO init or raw NTLMSSP NEGOTIATE */
	GSS_WANT_NTLM_NEGOTIATE,   /* SPNEGO chose NTLMSSP over the client's optimistic mech */
	GSS_WANT_AUTHENTICATE,
	GSS_WANT_KRB_AP_REQ,       /* SPNEGO chose Kerberos; its AP-REQ comes in a NegTokenResp */
};

struct srv_pipe;

struct srv_tree {
	uint32_t id;               /* 0: slot free */
	const struct smb2s_share *share;  /* NULL for IPC$ */
	bool encrypt;              /* TreeConnect.EncryptData */
	bool counted;              /* holds one of its share's CurrentUses */
	struct srv_pipe *pipe;     /* IPC$: the open srvsvc pipe, or NULL */
};

struct srv_session {
	uint64_t id;
	enum srv_session_state state;
	bool is_anonymous;
	bool is_guest;
	bool signing_required;     /* Session.SigningRequired */
	bool encrypt_data;         /* Session.EncryptData */
	bool have_keys;            /* signing (and maybe cipher) keys derived */
	uint8_t session_key[SMB2S_KEY_MAX];
	size_t session_key_len;
	struct smb3_keys keys;
	uint8_t preauth[SMB311_PREAUTH_HASH_LEN];
	char user[SMB2S_NAME_MAX];
	char domain[SMB2S_NAME_MAX];

	/* GSS (SPNEGO + NTLM or Kerberos) state. */
	enum srv_gss_leg leg;
	bool spnego;               /* the client wraps tokens in SPNEGO */
	uint8_t mech_types[128];   /* the client's DER MechTypeList (mechListMIC) */
	size_t mech_types_len;
	uint8_t server_challenge[NTLM_CHALLENGE_LEN];
	uint32_t ntlm_flags;
	uint8_t *ntlm_negotiate;   /* SRV_TOKEN_CAP each, freed when the session is valid */
	size_t ntlm_negotiate_len;
	uint8_t *ntlm_challenge;
	size_t ntlm_challenge_len;
	/* Kerberos: the driver's GSS context and the SPNEGO mechanism it
	 * came under (answered back as supportedMech, MS-SPNG 3.2.5). */
	void *krb_ctx;
	uint8_t krb_mech;          /* enum spnego_mech */
	bool krb_mic_due;          /* our mechListMIC goes with the final answer */
	/* A GSS token arriving in fragments (server_frag.c). */
	uint8_t *frag;
	size_t frag_len, frag_total;

	struct srv_tree trees[SRV_MAX_TREES_CAP];
	uint32_t next_tree_id;
};

/* An answer held back by the delay fault: bytes of `out` up to end. */
struct srv_held {
	size_t end;
	uint64_t release_us;
};

struct smb2_server {
	const struct sd_ctx *ctx;
	struct sd_crypto *crypto;
	const struct smb2s_policy *pol;
	struct smb2s_share_uses *uses;   /* the policy's, or own_uses */
	struct smb2s_share_uses own_uses;
	uint8_t server_guid[16];
	uint64_t start_time;       /* FILETIME at create */

	/* Connection (MS-SMB2 3.3.1.7). */
	uint16_t negotiate_dialect;   /* NEGOTIATE_DIALECT_NONE, 0x02FF, or the dialect */
	uint16_t dialect;             /* Connection.Dialect, 0 until negotiated */
	uint32_t client_capabilities;
	uint16_t client_security_mode;
	uint8_t client_guid[16];
	uint16_t client_dialects[SRV_MAX_CLIENT_DIALECTS];
	uint8_t n_client_dialects;
	uint32_t server_capabilities; /* as sent (3.1.1: + ENCRYPTION when CipherId != 0) */
	uint32_t sent_capabilities;   /* exactly what NEGOTIATE answered (VALIDATE) */
	uint16_t server_security_mode;
	bool should_sign;
	bool supports_multi_credit;
	bool constrained;             /* Connection.ConstrainedConnection */
	uint16_t cipher_id;           /* effective cipher (3.0.x: AES-128-CCM) */
	uint16_t signing_alg_id;
	bool signing_alg_negotiated;
	enum smb2_sign_alg sign_alg;
	uint8_t preauth[SMB311_PREAUTH_HASH_LEN];
	uint32_t max_transact;

	/* Credits: MessageIds [win_lo, win_lo + win_size) may be used once. */
	uint64_t win_lo;
	uint32_t win_size;
	uint8_t used_ids[SRV_CREDIT_BITS / 8];

	struct srv_session *sessions[SRV_MAX_SESSIONS_CAP];
	uint64_t next_session_id;
	uint64_t next_file_id;

	/* Input: one PDU at a time. */
	uint8_t *in;
	size_t in_len, in_cap, max_pdu;
	uint8_t *plain;               /* decrypted request (max_pdu bytes, lazily) */
	/* Output queue of framed PDUs. */
	uint8_t *out;
	size_t out_len, out_sent, out_cap;
	struct srv_held held[SRV_HELD_MAX];
	uint8_t n_held;
	uint64_t last_now;
	/* The answer being built (plain SMB2 message). */
	uint8_t rsp[SRV_RSP_CAP];
	uint64_t nonce_counter;
	uint8_t nonce_salt[4];

	/* Faults and timers. */
	bool silent;                  /* a request went unanswered on purpose */
	uint64_t silent_end_us;       /* UINT64_MAX: none */
	uint64_t idle_deadline_us;
	enum smb2s_action action;

	struct smb2s_event events[SRV_EVENTS];
	uint8_t ev_head, ev_count;
	unsigned ev_dropped;
	struct smb2s_event ev_overflow;  /* written, then forgotten, when the queue is full */
};

/* The request being processed. */
struct srv_req {
	const uint8_t *msg;
	size_t len;
	struct smb2_header hdr;
	bool encrypted;
	bool signed_ok;               /* SIGNED flag set and verified */
	struct srv_session *sess;
	struct srv_tree *tree;
	uint64_t now;
	uint16_t grant;               /* credits granted in the answer */
	const char *path;             /* TREE_CONNECT: the path, copied into its events */
};

/* Why a request was refused or the connection dropped. */
struct srv_why {
	const char *rule;             /* failure-catalog row: "T3" */
	const char *finding;          /* "tree.bad_network_name" or NULL */
	const char *spec;             /* "MS-SMB2 3.3.5.7" */
};

/* server.c: events, output, answers. */
struct smb2s_event *srv_event(struct smb2_server *s, enum smb2s_event_kind kind, const struct srv_req *r);
void srv_event_text(struct smb2s_event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void srv_begin(struct smb2_server *s, const struct srv_req *r, uint32_t status, struct sd_wr *w);
/* Frames the answer in w (signing / sealing decided here); sign_final
 * forces signing of a final SESSION_SETUP with the session's key. */
enum sd_err srv_finish(struct smb2_server *s, const struct srv_req *r, struct sd_wr *w, bool sign_final);
/* An ERROR answer plus a REFUSED event carrying why (returned, so the
 * caller can add particulars). */
struct smb2s_event *srv_refuse(struct smb2_server *s, const struct srv_req *r, uint32_t status, const struct srv_why *why,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Close the transport without answering (DROP) plus a DROPPED event. */
void srv_drop(struct smb2_server *s, const struct srv_req *r, const struct srv_why *why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The fault "stay silent" applies to this request: true when it does. */
bool srv_fault_silent(struct smb2_server *s, const struct srv_req *r, enum smb2s_fault_step step);
/* Consumes MessageIds [id, id + charge) of the sequence window; false
 * when outside it or already used (G15). */
bool srv_window_take(struct smb2_server *s, uint64_t id, uint16_t charge);
/* Credits granted with an answer (at least one, window capped). */
uint16_t srv_grant_credits(struct smb2_server *s, uint16_t requested);
void srv_queue_frame(struct smb2_server *s, const uint8_t *p, size_t len);
/* Bytes queued as they are (a NetBIOS session response). */
void srv_queue_raw(struct smb2_server *s, const uint8_t *p, size_t len);
/* Records an action for the driver (the first one wins) and its event. */
void srv_set_action(struct smb2_server *s, enum smb2s_action a, const struct srv_req *r);
/* server_gates.c: one framed PDU (NetBIOS type and payload). */
void srv_handle_pdu(struct smb2_server *s, uint8_t type, const uint8_t *p, size_t len, uint64_t now);
bool srv_is_3x(uint16_t dialect);
bool srv_can_encrypt(const struct smb2_server *s);
struct srv_session *srv_session_find(struct smb2_server *s, uint64_t id);
void srv_session_free(struct smb2_server *s, struct srv_session *sess);

/* server_negotiate.c */
void srv_smb1_negotiate(struct smb2_server *s, const uint8_t *msg, size_t len, uint64_t now);
void srv_negotiate(struct smb2_server *s, struct srv_req *r);

/* server_session.c, server_ntlm.c */
void srv_session_setup(struct smb2_server *s, struct srv_req *r);
void srv_logoff(struct smb2_server *s, struct srv_req *r);

/* Outcome of one GSS leg. */
struct srv_gss_out {
	uint32_t status;              /* ST_SUCCESS, ST_MORE_PROCESSING_REQUIRED or a failure */
	struct srv_why why;           /* for failures */
	char text[SMB2S_EV_TEXT];
	uint8_t token[SRV_TOKEN_CAP]; /* security buffer of the answer */
	size_t token_len;
	bool anonymous, guest;
	bool have_key;
	uint8_t key[SMB2S_KEY_MAX];
	size_t key_len;
	bool kerberos;                /* the failure came from the Kerberos acceptor */
	int32_t krb_error;            /* its RFC 4120 error number, -1 when not one */
};
void srv_gss_step(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const uint8_t *secbuf,
		  size_t secbuf_len, struct srv_gss_out *out);
void srv_gss_wrap(struct srv_session *sess, enum spnego_mech mech, const uint8_t *tok, size_t len, uint8_t neg_state,
		  bool first, const uint8_t *list_mic, size_t list_mic_len, struct srv_gss_out *out);

/* server_krb.c: Kerberos through the policy's acceptor. first_leg
 * takes the client's NegTokenInit (or raw token); next_leg a
 * NegTokenResp of a Kerberos session. */
struct spnego_token;
bool srv_krb_offered(const struct smb2_server *s);
/* The client's token asks for Kerberos and an acceptor is configured. */
bool srv_krb_wanted(const struct smb2_server *s, const struct spnego_token *t);
void srv_krb_first(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const struct spnego_token *t,
		   struct srv_gss_out *out);
void srv_krb_next(struct smb2_server *s, struct srv_req *r, struct srv_session *sess, const struct spnego_token *t,
		  struct srv_gss_out *out);
void srv_krb_end(struct smb2_server *s, struct srv_session *sess);
/* The server's mechanism list (NegTokenInit2): MS-KRB5, KRB5 with an
 * acceptor, then NTLMSSP. Returns the count. */
uint8_t srv_mech_list(const struct smb2_server *s, uint8_t *mechs, uint8_t cap);
/* server_frag.c: SPNEGO token fragments (MS-SPNG 3.1.5.4). WHOLE: the
 * token came at once; MORE: kept, answer MORE_PROCESSING with an empty
 * blob; DONE: *p, *len now give the assembled token (until
 * srv_frag_free); BAD: longer than declared or too large. */
enum srv_frag { SRV_FRAG_WHOLE = 0, SRV_FRAG_MORE, SRV_FRAG_DONE, SRV_FRAG_BAD };
enum srv_frag srv_frag_take(struct srv_session *sess, const uint8_t **p, size_t *len);
void srv_frag_free(struct srv_session *sess);
/* SmbServerNameHardeningLevel applied to "cifs/host" (server_ntlm.c). */
bool srv_target_name_ok(const struct smb2_server *s, const char *target, bool present);

/* server_pipe.c: \PIPE\srvsvc on IPC$ (CREATE, WRITE, READ, CLOSE and
 * IOCTL FSCTL_PIPE_TRANSCEIVE). */
void srv_create(struct smb2_server *s, struct srv_req *r);
void srv_write(struct smb2_server *s, struct srv_req *r);
void srv_read(struct smb2_server *s, struct srv_req *r);
void srv_close(struct smb2_server *s, struct srv_req *r);
void srv_transceive(struct smb2_server *s, struct srv_req *r, const struct smb2_ioctl_req *req);
void srv_pipe_free(struct srv_tree *t);
/* Ends a tree connect: its pipe, its share's CurrentUses, its slot. */
void srv_tree_release(struct smb2_server *s, struct srv_tree *t);

/* server_tree.c, server_ioctl.c */
void srv_tree_connect(struct smb2_server *s, struct srv_req *r);
void srv_tree_disconnect(struct smb2_server *s, struct srv_req *r);
void srv_ioctl(struct smb2_server *s, struct srv_req *r);
/* Tree verification (MS-SMB2 3.3.5.2.11): finds r->tree; false after
 * answering with an error. */
bool srv_verify_tree(struct smb2_server *s, struct srv_req *r);

/* server_policy.c */
bool srv_name_eq(const char *a, const char *b);
const char *srv_netbios_name(const struct smb2s_policy *p);
const char *srv_netbios_domain(const struct smb2s_policy *p);
void srv_dns_name(const struct smb2s_policy *p, char *out, size_t cap);
bool srv_dialect_allowed(const struct smb2s_policy *p, uint16_t dialect);

#endif
