/* The evidence timeline: what every front (probe, analyze, serve) saw,
 * in one model, so that one set of rules (rules.h) turns it into findings.
 *
 * A front fills connections, steps, Kerberos exchanges and follow-up
 * experiments; it never writes findings itself. Fields a front cannot know
 * stay at their "unknown" value (negative times, zero frames, has_* false)
 * and are left out of reports, never invented.
 *
 * Times are seconds from the timeline's origin (the first packet for
 * analyze, the start for probe and serve). Strings are bounded copies.
 */
#ifndef SMBDIAG_DIAG_EVIDENCE_H
#define SMBDIAG_DIAG_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth/ntlmssp.h"
#include "core/err.h"
#include "core/proto/negotiate_check.h"
#include "diag/catalog.h"

enum ev_mode {
	EV_MODE_PROBE = 0,
	EV_MODE_ANALYZE = 1,
	EV_MODE_SERVE = 2,
};

/* How a step ended. */
enum ev_outcome {
	EV_NOT_SENT = 0,        /* the step never started */
	EV_ANSWERED = 1,        /* an answer came; `status` says which */
	EV_NO_RESPONSE = 2,     /* sent, nothing came back (timeout, end of capture) */
	EV_CLOSED = 3,          /* the server closed (FIN) after the request, no answer */
	EV_RESET = 4,           /* the server reset (RST) after the request, no answer */
	EV_REFUSED = 5,         /* tcp: the SYN was refused */
	EV_TIMEOUT = 6,         /* tcp: no answer to the SYN */
	EV_NBSS_REJECTED = 7,   /* nbss: negative session response (`status` = its code) */
	EV_PROTOCOL_ERROR = 8,  /* an answer we cannot accept: undecodable, bad signature, ... */
	EV_LOCAL_ERROR = 9,     /* our side failed (probe): cannot sign or encrypt, crypto */
	EV_IN_PROGRESS = 10,    /* capture or live server: still waiting when the evidence ended */
};

/* Protocol errors worth naming (EV_PROTOCOL_ERROR / EV_LOCAL_ERROR). */
/* analyze --keytab and a SESSION_SETUP's service ticket. */
enum ev_keytab_result {
	EV_KEYTAB_NOT_TRIED = 0,
	EV_KEYTAB_OK,                     /* decrypted: the session key is known */
	EV_KEYTAB_NO_KEY,                 /* no key for the ticket's principal or enctype */
	EV_KEYTAB_WRONG_KEY,              /* keys tried, none decrypts (stale keytab, other kvno) */
	EV_KEYTAB_UNDECODABLE,            /* not an AP-REQ / AP-REP, or the plaintext does not decode */
	EV_KEYTAB_FAILED,                 /* the Kerberos library failed */
};

enum ev_problem {
	EV_PROBLEM_NONE = 0,
	EV_PROBLEM_UNDECODABLE = 1,       /* the answer does not decode */
	EV_PROBLEM_BAD_SIGNATURE = 2,     /* a signature does not verify */
	EV_PROBLEM_UNSIGNED = 3,          /* an answer that had to be signed was not */
	EV_PROBLEM_DECRYPT = 4,           /* an encrypted answer does not decrypt */
	EV_PROBLEM_VALIDATE_MISMATCH = 5, /* VALIDATE_NEGOTIATE_INFO differs from NEGOTIATE */
	EV_PROBLEM_CANNOT_ENCRYPT = 6,    /* encryption needed, no cipher or key */
	EV_PROBLEM_NEGOTIATE_RULES = 7,   /* the NEGOTIATE answer breaks MS-SMB2 3.2.5.2 (negotiate.faults) */
	EV_PROBLEM_LOCAL = 8,             /* our own failure */
	EV_PROBLEM_AUTH_REFUSED = 9,      /* the answer carried a refusal the security
					   * mechanism reports (Kerberos error token,
					   * SPNEGO reject, failed mutual authentication) */
	EV_PROBLEM_UNRESOLVED = 10,       /* the server's name did not resolve: no TCP at all */
};

#define EV_TEXT 128
#define EV_LONG_TEXT 512
#define EV_MAX_STEPS 24
#define EV_MAX_IDS 16

struct ev_step {
	enum sd_step step;
	enum ev_outcome outcome;
	enum ev_problem problem;
	uint32_t status;           /* NTSTATUS of the answer; NetBIOS code for nbss */
	double request_at;         /* < 0: unknown */
	double response_at;        /* answer, close or reset; < 0: none */
	double ack_at;             /* the server's TCP stack acknowledged the request; < 0: unknown */
	uint32_t frame_request;    /* capture frame numbers; 0: unknown */
	uint32_t frame_response;
	uint64_t message_id;
	uint8_t legs;              /* SESSION_SETUP round trips */
	bool request_signed, request_encrypted;
	bool response_signed, response_encrypted;
	char detail[EV_TEXT];      /* e.g. the share path of a TREE_CONNECT */
};

struct ev_negotiate {
	bool seen_request, seen_response;
	bool smb1_negotiate;       /* the client began with an SMB1 multi-protocol negotiate */
	bool smb1_offers_smb2;     /* ... offering "SMB 2.002" / "SMB 2.???" */
	bool smb1_answered;        /* the server answered in SMB1 (SMB1-only server) */
	uint16_t client_dialects[EV_MAX_IDS];
	uint8_t n_client_dialects;
	uint16_t dialect;          /* 0: none */
	uint16_t client_security_mode, server_security_mode;
	uint32_t client_capabilities, server_capabilities;
	uint16_t client_ciphers[EV_MAX_IDS];
	uint8_t n_client_ciphers;
	bool has_cipher;
	uint16_t cipher;           /* 0: no common cipher */
	uint16_t client_signing_algs[EV_MAX_IDS];
	uint8_t n_client_signing_algs;
	bool has_signing_alg;
	uint16_t signing_alg;
	bool has_server_guid;
	uint8_t server_guid[16];
	bool has_server_time;
	uint64_t server_time;      /* FILETIME */
	bool has_clock_skew;
	double clock_skew_s;       /* server minus local (probe) */
	uint8_t server_mechs[8];   /* enum spnego_mech, from the NegTokenInit2 hint */
	uint8_t n_server_mechs;
	/* A successful answer that a client refuses (MS-SMB2 3.2.5.2): a
	 * dialect not offered, small sizes, bad 3.1.1 contexts. */
	struct smb2_negfaults faults;
};

enum ev_mechanism {
	EV_MECH_UNKNOWN = 0,
	EV_MECH_NTLMSSP = 1,
	EV_MECH_KERBEROS = 2,
	EV_MECH_ANONYMOUS = 3,
	EV_MECH_GUEST = 4,
};

enum ev_ntlm_version {
	EV_NTLM_UNKNOWN = 0,
	EV_NTLM_V2 = 1,
	EV_NTLM_V1 = 2,
	EV_NTLM_LM = 3,
	EV_NTLM_ANONYMOUS = 4,
};

struct ev_session {
	bool seen;
	enum ev_mechanism mechanism;
	enum ev_ntlm_version ntlm_version;
	char user[EV_TEXT];
	char domain[EV_TEXT];
	char workstation[EV_TEXT];
	char target_name[EV_LONG_TEXT];   /* NTLM MsvAvTargetName or Kerberos service name */
	char server_nb_domain[EV_TEXT];   /* from the NTLM CHALLENGE */
	char server_nb_computer[EV_TEXT];
	char server_dns_computer[EV_TEXT];
	uint64_t session_id;
	bool has_flags;
	uint16_t session_flags;           /* IS_GUEST, IS_NULL, ENCRYPT_DATA */
	bool signing_required;
	bool signed_traffic;              /* requests after SESSION_SETUP were signed */
	bool encrypted_traffic;           /* ... were encrypted */
	bool unsigned_when_required;      /* a post-auth request went unsigned on a signing-required session */
	bool plaintext_password;          /* SMB1: the password went in clear (the server asked for no challenge) */
	struct ntlm_flag_trail ntlm;      /* NTLM NegotiateFlags as they went (NTLM only) */
};

struct ev_tree {
	bool seen;
	char path[EV_LONG_TEXT];          /* \\server\share as sent (UTF-8) */
	uint32_t tree_id;
	bool has_share;
	uint8_t share_type;
	uint32_t share_flags;
	uint32_t share_capabilities;
	uint32_t maximal_access;
	/* The first request on the tree after it was connected that the
	 * server refused (probe: TREE_DISCONNECT): Samba checks the share's
	 * folder on every request, so a folder it cannot enter shows here. */
	uint32_t later_status;            /* 0: none refused */
	char later_command[24];
};

struct ev_connection {
	unsigned id;
	char client[64];                  /* "10.0.0.5:51234" or "[::1]:51234"; empty: unknown */
	char server[64];
	char server_name[EV_TEXT];        /* the name the client used (typed, or from the tree path) */
	double start_unix;                /* wall clock of the first packet / the start; 0 unknown */
	uint8_t n_steps;
	struct ev_step steps[EV_MAX_STEPS];  /* in time order */
	struct ev_negotiate negotiate;
	struct ev_session session;
	struct ev_tree tree;
	/* serve: the server's own verdict on its last refusal or drop, the
	 * finding its rule names and its words. The rules take it instead of
	 * inferring a cause from the wire; empty on the other fronts. */
	struct ev_verdict {
		enum sd_step step;
		uint32_t status;           /* 0 with a drop */
		char finding[48];
		char why[256];
	} verdict;
	bool closed_by_server;
	bool reset_by_server;
	/* The client ended the connection first, with requests unanswered:
	 * it gave up waiting (Windows resets after 60 s, the article's
	 * negotiate pattern). The server's FIN or RST that follows is only
	 * the answer to it. */
	bool closed_by_client;
	bool reset_by_client;
	double closed_at;                 /* < 0: still open / unknown */
	uint32_t transport_port;          /* 445, 139, ... */
	/* Added for analyze (zero elsewhere): where to find the connection in
	 * Wireshark, and how much of it the capture let us see. */
	bool has_tcp_stream;
	uint32_t tcp_stream;              /* tshark's tcp.stream */
	uint32_t encrypted_messages;      /* SMB2 TRANSFORM messages: what they carry is hidden */
	uint32_t decrypted_messages;      /* ... of which decrypted (--password / --nt-hash) */
	bool capture_gaps;                /* TCP bytes were missing: some messages may be unseen */
	bool capture_snapped;             /* the snap length cut its packets: messages may be partial */
	bool started_mid_stream;          /* no SYN or SYN-ACK seen: earlier steps may be missing */
	bool decrypt_tried;               /* a secret was given: the session keys were looked for */
	/* analyze --keytab: what the keytab made of the last service ticket
	 * the connection's SESSION_SETUP carried (NOT_TRIED: no keytab, or
	 * no Kerberos), so that "could not be read" can say why. */
	enum ev_keytab_result keytab_result;
	/* Added for the probe (issue 7): the typed name is a DNS CNAME alias of
	 * this canonical name (Windows still asks for cifs/<typed name>). */
	char canonical_name[EV_TEXT];
	/* Port 139: the called name of the NetBIOS SESSION REQUEST, printable
	 * (at most 15 characters as RFC 1001 allows, escaped bytes longer),
	 * and its suffix byte (0x20: file server). Empty: none sent. */
	char called_name[EV_TEXT / 2];
	uint8_t called_suffix;
	/* The first bytes of an answer that was not SMB at all (escaped with
	 * ev_escape_bytes): another service on the port. Empty: none. */
	char foreign_answer[EV_TEXT];
	bool foreign_first;               /* ... sent before the client's request (a banner) */
};

/* A Kerberos message seen on port 88 (analyze) or an exchange the probe
 * made through the Kerberos library. */
enum ev_krb_message {
	EV_KRB_AS_REQ = 10,
	EV_KRB_AS_REP = 11,
	EV_KRB_TGS_REQ = 12,
	EV_KRB_TGS_REP = 13,
	EV_KRB_AP_REQ = 14,
	EV_KRB_AP_REP = 15,
	EV_KRB_ERROR = 30,
	EV_KRB_NO_MESSAGE = 99,   /* a step with no Kerberos message (no ticket, a bare NTSTATUS) */
};

/* The steps of a Kerberos logon (the probe knows them; analyze leaves
 * NONE). */
enum ev_krb_step {
	EV_KRB_STEP_NONE = 0,
	EV_KRB_STEP_TGT = 1,             /* the AS exchange, or the TGT of a cache */
	EV_KRB_STEP_SERVICE_TICKET = 2,  /* the TGS exchange for cifs/<name> */
	EV_KRB_STEP_AP_REQ = 3,          /* the AP-REQ sent inside SPNEGO */
	EV_KRB_STEP_SERVER_ANSWER = 4,   /* what the SMB server answered to it */
	EV_KRB_STEP_MUTUAL = 5,          /* the AP-REP verified: mutual authentication */
};

/* What refused a Kerberos request in a capture (ev_kerberos.refusal). */
enum ev_krb_refusal {
	EV_KRB_REFUSAL_NONE = 0,
	EV_KRB_REFUSAL_ICMP = 1,       /* ICMPv4 destination unreachable quoting the UDP request */
	EV_KRB_REFUSAL_ICMPV6 = 2,     /* ICMPv6 destination unreachable quoting the UDP request */
	EV_KRB_REFUSAL_TCP_RESET = 3,  /* the KDC's port answered the client's SYN with RST */
};

/* What the probe's Kerberos library concluded on its own, where no
 * KRB-ERROR says it (ev_kerberos.conclusion; its detail has the words). */
enum ev_krb_conclusion {
	EV_KRB_CONCLUDED_NONE = 0,
	EV_KRB_CONCLUDED_OTHER = 1,           /* a failure none of the below */
	EV_KRB_CONCLUDED_WRONG_PASSWORD = 2,  /* the KDC's AS-REP does not decrypt with the password */
	EV_KRB_CONCLUDED_TGT_EXPIRED = 3,     /* the cache's TGT has expired; no KDC was asked */
	EV_KRB_CONCLUDED_NO_CREDENTIALS = 4,  /* no password and no TGT in the default cache */
	EV_KRB_CONCLUDED_OTHER_USER = 5,      /* the default cache holds another principal than -U names */
	EV_KRB_CONCLUDED_NO_KDC = 6,          /* no KDC known for the realm (krb5.conf, DNS) */
	EV_KRB_CONCLUDED_NO_ETYPE = 7,        /* no key of the user in an encryption type the client allows */
};

struct ev_kerberos {
	double at;
	char client[64];
	char kdc[64];
	enum ev_krb_message message;
	char cname[EV_TEXT];
	char realm[EV_TEXT];
	char sname[EV_LONG_TEXT];
	bool has_error;
	int32_t error;
	bool has_ext_status;
	uint32_t ext_status;              /* KERB-EXT-ERROR NTSTATUS */
	char e_text[EV_TEXT];
	uint32_t frame;
	int connection;                   /* the SMB connection it served; -1 none */
	bool after_preauth;               /* the KDC had already asked for pre-authentication */
	/* Added for kerberos.ticket_rejected (SPEC: show the ticket's key
	 * version): the kvno of the service ticket's enc-part, from a TGS-REP
	 * or an AP-REQ. */
	bool has_kvno;
	uint32_t kvno;
	/* Added for the probe's Kerberos ladder (issue 7): which logon step
	 * the record is, how long its exchange took, whether the ticket came
	 * from a cache, the ticket's encryption type, and the KDC's clock. */
	enum ev_krb_step step;
	bool has_ms;
	double ms;
	bool from_cache;
	bool has_enctype;
	int32_t enctype;
	bool has_kdc_skew;
	double kdc_skew_s;                /* KDC time minus the local clock */
	char detail[EV_LONG_TEXT];
	/* Added for kerberos.kdc_unreachable (analyze): how the KDC's host
	 * (or a router or firewall on the way) refused a request that got no
	 * Kerberos answer. NONE everywhere else (the probe, true silence). */
	enum ev_krb_refusal refusal;
	uint8_t refusal_icmp_type;        /* ICMP: 3 (ICMPv4) or 1 (ICMPv6) */
	uint8_t refusal_icmp_code;
	uint32_t refusal_frame;           /* the ICMP message or the RST; 0: unknown */
	char refusal_from[64];            /* who sent it: the KDC's host, or a router on the way */
	/* Added for the Kerberos rules: the request a KRB-ERROR answers
	 * (analyze: the client's request to the same KDC and port; inside
	 * SESSION_SETUP the AP-REQ; probe: its exchange's), 0 unknown. A
	 * wrong password is KRB_AP_ERR_BAD_INTEGRITY to an AS-REQ, a stale
	 * keytab the same code to an AP-REQ. */
	enum ev_krb_message answers;
	/* probe: the library's own conclusion (message EV_KRB_NO_MESSAGE). */
	enum ev_krb_conclusion conclusion;
};

/* Follow-up experiments the probe runs after a failure (SPEC: they add
 * evidence, never change the exit status). */
enum ev_experiment_kind {
	EV_EXP_DIALECT_ALONE = 1,     /* NEGOTIATE offering one dialect */
	EV_EXP_ENCRYPTED_RETRY = 2,   /* the same connection with 3.1.1 and encryption */
	EV_EXP_SHARE_LIST = 3,        /* NetShareEnumAll over IPC$ */
	EV_EXP_NTLM_INSTEAD = 4,      /* NTLM after Kerberos failed */
	EV_EXP_SMB1_ONLY = 5,         /* an SMB1-only negotiate */
	EV_EXP_GUEST = 6,             /* does the server offer guest access */
	EV_EXP_NBSS_SMBSERVER = 7,    /* port 139: called name *SMBSERVER after the typed one was refused */
	EV_EXP_KDC_CHECK = 8,         /* our own UDP datagram and TCP connection to a KDC that did not answer */
	EV_EXP_OTHER_ADDRESS = 9,     /* NEGOTIATE with another address the server's name resolves to */
	EV_EXP_OWN_NAME = 10,         /* the refused logon again, asking for the server's own NetBIOS name */
};

/* Who answered a NEGOTIATE: what an SMB 3.x client remembers of a server
 * name (MS-SMB2 3.2.1.9) and compares on its next connection (3.2.5.2). */
struct ev_server_identity {
	bool known;
	uint16_t dialect;
	uint16_t security_mode;
	uint32_t capabilities;
	uint8_t guid[16];
};

#define EV_MAX_SHARES 64

struct ev_experiment {
	enum ev_experiment_kind kind;
	int connection;               /* the connection it explains */
	uint16_t dialect;             /* DIALECT_ALONE: the dialect tried */
	enum ev_outcome outcome;      /* of the step that decided */
	enum sd_step step;            /* the last step reached */
	uint32_t status;
	bool ok;                      /* the experiment's own goal was reached */
	char detail[EV_LONG_TEXT];
	uint8_t n_shares;             /* SHARE_LIST */
	char shares[EV_MAX_SHARES][81];
	char address[64];             /* where it connected, or tried to */
	struct ev_server_identity server;  /* who answered its NEGOTIATE */
	bool full_walk;               /* OTHER_ADDRESS: the user's whole walk, not NEGOTIATE only
				       * (ok: it got through; else step/outcome/status say where it ended) */
};

#define EV_MAX_EVIDENCE 6

/* The reader's language for evidence lines: maps an English text (a
 * format the rules pass to ev_finding_evidence or rule_fmt, or a phrase
 * they mark with ev_tr) to its translation. NULL keeps English. The CLI
 * passes its gettext for text reports; JSON, serve's log and the tests
 * keep English, so the rules never depend on the language. */
typedef const char *(*ev_translate_fn)(const char *english);

struct ev_finding {
	const struct sd_finding_def *def;
	int connection;               /* -1: not tied to one */
	enum sd_step step;
	uint8_t n_evidence;
	char evidence[EV_MAX_EVIDENCE][EV_LONG_TEXT];
	ev_translate_fn translate;    /* the timeline's, when the finding was added */
};

struct ev_timeline {
	enum ev_mode mode;
	double origin_unix;           /* wall clock of time 0 */
	struct ev_connection *conns;
	size_t n_conns, cap_conns;
	struct ev_kerberos *krb;
	size_t n_krb, cap_krb;
	struct ev_experiment *exps;
	size_t n_exps, cap_exps;
	struct ev_finding *findings;
	size_t n_findings, cap_findings;
	size_t dropped;               /* records refused by the caps below */
	ev_translate_fn translate;    /* language of the evidence lines; NULL: English */
};

/* Hard caps so hostile input cannot grow the timeline without bound. */
#define EV_MAX_CONNECTIONS 1000000
#define EV_MAX_KERBEROS 1000000
#define EV_MAX_EXPERIMENTS 64
#define EV_MAX_FINDINGS 100000

void ev_timeline_init(struct ev_timeline *t, enum ev_mode mode);
void ev_timeline_cleanup(struct ev_timeline *t);

/* Each returns a zeroed record (times preset to -1, connection -1, ids
 * numbered) or NULL when out of memory or over its cap (dropped++). */
struct ev_connection *ev_add_connection(struct ev_timeline *t);
struct ev_kerberos *ev_add_kerberos(struct ev_timeline *t);
struct ev_experiment *ev_add_experiment(struct ev_timeline *t, enum ev_experiment_kind kind, int connection);
/* Appends a step to a connection (NULL when EV_MAX_STEPS are used). */
struct ev_step *ev_add_step(struct ev_connection *c, enum sd_step step);
/* The last step of that kind, or NULL. */
struct ev_step *ev_last_step(struct ev_connection *c, enum sd_step step);
const struct ev_step *ev_last_step_const(const struct ev_connection *c, enum sd_step step);

/* Findings (for the rules). id must exist in the catalog (else
 * SD_ERR_NOT_FOUND). The evidence line is formatted printf-style from
 * fmt in the timeline's language; a translated fmt takes the same
 * arguments (msgfmt --check-format holds translators to that). */
struct ev_finding *ev_add_finding(struct ev_timeline *t, const char *id, int connection);
void ev_finding_evidence(struct ev_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An evidence line already in the report's language, added as it is. */
void ev_finding_line(struct ev_finding *f, const char *text);
/* english in the timeline's language (t may be NULL: English), and in
 * the language of a finding's lines (f may be NULL). */
const char *ev_tr(const struct ev_timeline *t, const char *english) __attribute__((format_arg(2)));
const char *ev_finding_tr(const struct ev_finding *f, const char *english) __attribute__((format_arg(2)));
/* True when at least one finding has severity error (exit status 4 / 1x). */
bool ev_has_error(const struct ev_timeline *t);

/* After a cut at a byte bound (a text longer than its buffer): drops a
 * UTF-8 sequence the cut left incomplete, so a translated line never ends
 * in half a character. */
void ev_utf8_trim_cut(char *text);

/* Bounded copy with NUL termination. */
void ev_copy(char *dst, size_t cap, const char *src);
/* Bytes as text a report can show: printable ASCII as is, \r \n \t and
 * \\ escaped, anything else as \xNN; stops before cap would be exceeded. */
void ev_escape_bytes(const uint8_t *p, size_t n, char *out, size_t cap);

const char *ev_outcome_name(enum ev_outcome o);      /* "answered", "no_response", ... */
/* "ok", "no_key", "wrong_key", "undecodable", "failed"; NULL when not tried. */
const char *ev_keytab_result_name(enum ev_keytab_result r);
const char *ev_problem_name(enum ev_problem p);
const char *ev_mechanism_name(enum ev_mechanism m);  /* "ntlmssp", "kerberos", "anonymous", "guest" */
const char *ev_ntlm_version_name(enum ev_ntlm_version v);
const char *ev_krb_message_name(enum ev_krb_message m); /* "AS-REQ", ..., "none" */
const char *ev_krb_step_name(enum ev_krb_step s);       /* "tgt", "service_ticket", ...; NULL for NONE */
const char *ev_experiment_name(enum ev_experiment_kind k);
/* "icmp", "icmpv6", "tcp_reset"; NULL for NONE. */
const char *ev_krb_refusal_name(enum ev_krb_refusal r);
/* What the refusal of k says, as a short id: "port_unreachable",
 * "host_unreachable", "net_unreachable", "protocol_unreachable",
 * "admin_prohibited", "fragmentation_needed", "unreachable" (other ICMP
 * codes), "connection_refused" (TCP reset); NULL when not refused. */
const char *ev_krb_refusal_reason(const struct ev_kerberos *k);

#endif
