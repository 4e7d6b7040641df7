/* Shared by the rule files (rules_*.c); not a public interface.
 *
 * Each rule family lives in its own file and is called once per
 * connection (or once per timeline for Kerberos). Rules read evidence
 * and add findings through rule_finding(), which keeps rules_run()
 * idempotent: a finding already present from an earlier run is not
 * added again, and its evidence is not touched. */
#ifndef SMBDIAG_DIAG_RULES_INTERNAL_H
#define SMBDIAG_DIAG_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/evidence.h"

/* Marks a text for translation where it is defined; ev_tr translates it
 * where it is used. */
#ifndef N_
#define N_(text) text
#endif

/* NTSTATUS values the rules key on (MS-ERREF 2.3.1). */
#define RULE_ST_SUCCESS 0x00000000u
#define RULE_ST_INVALID_PARAMETER 0xC000000Du
#define RULE_ST_MORE_PROCESSING 0xC0000016u
#define RULE_ST_ACCESS_DENIED 0xC0000022u
#define RULE_ST_NO_SUCH_USER 0xC0000064u
#define RULE_ST_WRONG_PASSWORD 0xC000006Au
#define RULE_ST_LOGON_FAILURE 0xC000006Du
#define RULE_ST_ACCOUNT_RESTRICTION 0xC000006Eu
#define RULE_ST_INVALID_LOGON_HOURS 0xC000006Fu
#define RULE_ST_INVALID_WORKSTATION 0xC0000070u
#define RULE_ST_PASSWORD_EXPIRED 0xC0000071u
#define RULE_ST_ACCOUNT_DISABLED 0xC0000072u
#define RULE_ST_NOT_SUPPORTED 0xC00000BBu
#define RULE_ST_BAD_NETWORK_NAME 0xC00000CCu
#define RULE_ST_NETWORK_NAME_DELETED 0xC00000C9u
#define RULE_ST_TIME_DIFFERENCE_AT_DC 0xC0000133u
#define RULE_ST_LOGON_TYPE_NOT_GRANTED 0xC000015Bu
#define RULE_ST_ACCOUNT_EXPIRED 0xC0000193u
#define RULE_ST_PASSWORD_MUST_CHANGE 0xC0000224u
#define RULE_ST_ACCOUNT_LOCKED_OUT 0xC0000234u

/* Kerberos error codes (RFC 4120 7.5.9). */
#define RULE_KRB_C_PRINCIPAL_UNKNOWN 6
#define RULE_KRB_S_PRINCIPAL_UNKNOWN 7
#define RULE_KRB_ETYPE_NOSUPP 14
#define RULE_KRB_CLIENT_REVOKED 18
#define RULE_KRB_KEY_EXPIRED 23
#define RULE_KRB_PREAUTH_FAILED 24
#define RULE_KRB_PREAUTH_REQUIRED 25
#define RULE_KRB_AP_BAD_INTEGRITY 31
#define RULE_KRB_AP_SKEW 37
#define RULE_KRB_AP_MODIFIED 41
#define RULE_KRB_AP_BADKEYVER 44
#define RULE_KRB_AP_NOT_US 35        /* "the ticket isn't for us": no key for its service name */
#define RULE_KRB_AP_NOKEY 45         /* service key not available */
#define RULE_KRB_AP_LAST 51          /* KRB_AP_ERR_* run from 31 to 51 */
#define RULE_KRB_RESPONSE_TOO_BIG 52
#define RULE_KRB_WRONG_REALM 68

/* A close or reset this soon after a request is "right after" it; a
 * longer silence is a request left unanswered (the Windows client waits
 * 60 s, the article's symptom). */
#define RULE_QUICK_CLOSE_S 10.0

struct rule_krb_ref {
	size_t key;                /* connection; n_conns for records tied to none */
	size_t index;              /* into t->krb */
};

struct rule_run {
	struct ev_timeline *t;
	size_t first_new;          /* findings before this index come from an earlier run */
	struct rule_krb_ref *krb_order; /* Kerberos records by connection, unattached last; NULL: scan */
};

/* The Kerberos records of a connection (-1: those tied to no known
 * connection) in time order: start with *it = 0, NULL at the end. */
const struct ev_kerberos *rule_krb_next(const struct rule_run *r, int connection, size_t *it);

/* The finding (id, connection) added in this run, created on first use;
 * NULL when an earlier run already reported it (or on overflow), so the
 * evidence calls that follow are no-ops. */
struct ev_finding *rule_finding(struct rule_run *r, const char *id, int connection);
/* The connection has a finding of severity error (this run's or an
 * earlier one's). */
bool rule_has_error(const struct rule_run *r, int connection);

/* snprintf that truncates silently (evidence texts are bounded on
 * purpose), from fmt in the timeline's language. The other helpers that
 * write text take the timeline for the same reason. */
void rule_fmt(const struct ev_timeline *t, char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An evidence line whose format holds no words, only the parts it joins
 * (already in the report's language): nothing for translators. */
void rule_line(struct ev_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "frame 12: " (the answer's frame, else the request's) or "" when the
 * frame numbers are unknown. */
void rule_frames(const struct ev_timeline *t, const struct ev_step *s, char *buf, size_t cap);
void rule_request_frame(const struct ev_timeline *t, const struct ev_step *s, char *buf, size_t cap);
/* "STATUS_LOGON_FAILURE" or "0xC000XXXX" when the name is unknown. */
void rule_status(uint32_t status, char *buf, size_t cap);
/* "0.2 ms", "12.5 ms", "60.0 s". */
void rule_duration(double seconds, char *buf, size_t cap);
/* "3.1.1" or "0xXXXX". */
void rule_dialect(uint16_t dialect, char *buf, size_t cap);
/* The client's offered dialects, "2.0.2, 2.1"; "" when unknown. */
void rule_client_dialects(const struct ev_negotiate *n, char *buf, size_t cap);
/* Seconds from the request to the answer, close or reset; < 0 unknown. */
double rule_wait(const struct ev_connection *c, const struct ev_step *s);
/* "ACK after 0.2 ms, no answer for 60.0 s, then reset" and kin. */
void rule_silence(const struct ev_timeline *t, const struct ev_connection *c, const struct ev_step *s, char *buf,
		  size_t cap);

/* The session-level questions several families ask. */
bool rule_is_anonymous(const struct ev_session *s);
bool rule_is_guest(const struct ev_session *s);
/* The client could not encrypt on this connection: dialect below 3.0,
 * no CAP_ENCRYPTION offered, or 3.1.1 without a common cipher. Writes
 * the reason to why (may be NULL). */
bool rule_client_cannot_encrypt(const struct ev_timeline *t, const struct ev_connection *c, char *why, size_t cap);
/* The probe's encrypted retry for this connection succeeded. */
bool rule_encrypted_retry_ok(const struct ev_timeline *t, int connection);
const struct ev_experiment *rule_experiment(const struct ev_timeline *t, enum ev_experiment_kind kind,
					    int connection);
/* The host part of "cifs/host[:port][@REALM]", "\\host\share" or "host". */
void rule_host_of(const char *name, char *buf, size_t cap);
/* Case-insensitive host comparison; "fs1" equals "fs1.contoso.com". */
bool rule_same_host(const char *a, const char *b);
/* Signing evidence explains the failures on this connection. */
/* The last SESSION_SETUP succeeded and the client ended the connection
 * without a TREE_CONNECT (a Windows client that could not verify it). */
bool rule_client_left_after_session(const struct ev_connection *c);
bool rule_signing_broken(const struct ev_connection *c);
/* serve: the finding the server's own rule named for step s's answer (or
 * drop), NULL when the server gave none or on the other fronts. */
const char *rule_verdict(const struct ev_connection *c, const struct ev_step *s);
/* The verdict as a finding: its id, the step's line (from the caller's
 * module) and the server's words. False when there is no verdict; true
 * also for session.signing_mismatch, which signing_rules() reports. */
bool rule_take_verdict(struct rule_run *r, struct ev_connection *c, const struct ev_step *s,
		       void (*step_line)(const struct ev_timeline *, struct ev_finding *, const struct ev_connection *,
					 const struct ev_step *));
/* The server answered a Kerberos AP-REQ with LOGON_FAILURE after the KDC
 * issued the ticket (SPEC: kerberos.ticket_rejected). */
bool rule_ticket_rejected_by_server(const struct ev_timeline *t, const struct ev_connection *c);
/* The SMB server's Kerberos acceptor answered a KRB_AP_ERR_* that is not
 * about its key (replay, expired ticket ...): a kerberos.* finding says why. */
bool rule_other_acceptor_error(const struct ev_timeline *t, const struct ev_connection *c);

/* The families, each adding the findings of its step. */
void rules_transport(struct rule_run *r, struct ev_connection *c);
void rules_negotiate(struct rule_run *r, struct ev_connection *c);
/* rules_identity.c: one server name, several SMB servers. */
void rules_identity(struct rule_run *r, struct ev_connection *c);
/* The experiment's NEGOTIATE was answered by another server (ServerGuid)
 * than the connection's. */
bool rule_reached_other_server(const struct ev_connection *c, const struct ev_experiment *e);
void rules_session(struct rule_run *r, struct ev_connection *c);
void rules_session_info(struct rule_run *r, struct ev_connection *c);
void rules_tree(struct rule_run *r, struct ev_connection *c);
/* Last: a failed step no family explained (rules_other.c). */
void rules_other(struct rule_run *r, struct ev_connection *c);
/* Kerberos records tied to this connection (connection >= 0) or to none
 * (connection -1), and the server's rejection of an issued ticket. */
void rules_kerberos(struct rule_run *r, int connection);
/* rules_kerberos_kdc.c: the client gave up on a KDC that never answered. */
void rules_kerberos_kdc(struct rule_run *r, const struct ev_connection *c);
/* analyze: KDC requests tied to no SMB connection (kinit, a client that
 * gave up before SMB) that were refused and never answered after. */
void rules_kerberos_kdc_alone(struct rule_run *r);
/* How the KDC's host answered k instead of the KDC: "port unreachable
 * (ICMP type 3 code 3 from ...): nothing listens there", or "no answer in
 * the capture" when nothing did. */
void rule_krb_answer_text(const struct ev_timeline *t, const struct ev_kerberos *k, char *out, size_t cap);

#endif
