/* Internals shared by probe.c, probe_evidence.c and probe_followup.c. */
#ifndef SMBDIAG_NET_PROBE_INTERNAL_H
#define SMBDIAG_NET_PROBE_INTERNAL_H

#include "core/auth/crypto_ctx.h"
#include "net/gss_client.h"
#include "net/probe.h"

struct probe {
	const struct probe_config *cfg;
	struct ev_timeline *t;
	uv_loop_t loop;
	struct sd_ctx ctx;
	struct sd_crypto *crypto;
	struct net_resolved resolved;
	size_t addr_index;            /* the address that answered (or the last tried) */
	uint64_t origin_us;           /* net_now_us() at the start */
	uint16_t port;                /* cfg->port, or 445 */
	char called_name[16];
	int primary_conn;             /* timeline id of the user's connection (1 after a *SMBSERVER retry) */
	unsigned experiments;
	/* Kerberos for the primary connection (probe_kerberos.c): follow-ups
	 * run with the same mechanism unless they say otherwise. */
	const struct smb2_client_auth_ops *krb_auth;
	void *krb_ctx;
	const char *krb_user;
	char krb_refusal[EV_TEXT];    /* why Kerberos stopped before SESSION_SETUP */
	bool krb_refused_for_skew;    /* ... KRB_AP_ERR_SKEW: the server's clock is wanted */
	char *why;                    /* probe_run's why: what cannot run here */
	size_t why_cap;
};

/* One connection: the client config it ran with, the transport's record
 * and the client (kept until the evidence is taken from it). */
struct probe_attempt {
	struct smb2_client_config ccfg;
	struct net_conn conn;
	struct smb2_client *client;
	bool ran_client;
};

/* Runs one connection with ccfg on the address found first (probe.c).
 * Returns false when the client could not even be created. */
bool probe_attempt_run(struct probe *p, struct probe_attempt *a, const struct smb2_client_config *ccfg);
/* One connection to p->resolved.addr[index] only, with its own step
 * timeout; p->addr_index stays. */
bool probe_attempt_run_at(struct probe *p, struct probe_attempt *a, const struct smb2_client_config *ccfg, size_t index,
			  unsigned timeout_ms);
void probe_attempt_clear(struct probe_attempt *a);
/* The client config for the user's options. */
void probe_client_config(const struct probe *p, struct smb2_client_config *ccfg);
/* The step the attempt stopped at and the exit status it means. */
int probe_attempt_exit(const struct probe_attempt *a);

/* probe_name.c: true when name is a DNS CNAME alias; canonical gets the
 * end of its chain. */
bool probe_cname_of(const char *name, char *canonical, size_t cap);

/* Seconds since the start for a net_now_us() time; -1 for 0. */
double probe_rel(const struct probe *p, uint64_t us);

/* probe_evidence.c: the attempt as the timeline's connection. */
void probe_fill_connection(const struct probe *p, const struct probe_attempt *a, struct ev_connection *c);
/* A libuv error code as text in the report's language. */
const char *probe_sys_error_text(const struct probe *p, int uv_error);
/* How the step waiting when the connection ended finished. */
enum ev_outcome probe_end_outcome(const struct probe_attempt *a);

/* probe_netbios.c: port 139, the typed called name refused with 0x82.
 * Retries with *SMBSERVER as smbclient and Windows do, recorded as an
 * EV_EXP_NBSS_SMBSERVER experiment of connection first_id. When the
 * server accepts it, a is that attempt and the result is its new timeline
 * connection (p->primary_conn); otherwise a is cleared and the result is
 * connection first_id. */
bool probe_nbss_name_refused(const struct probe *p, const struct probe_attempt *a);
struct ev_connection *probe_smbserver_retry(struct probe *p, struct probe_attempt *a, int first_id);

/* probe_followup.c: the experiments the primary attempt calls for. */
void probe_followups(struct probe *p, const struct probe_attempt *primary, int exit_status);
/* The last step an experiment's attempt reached, how it ended, where it
 * connected and who answered its NEGOTIATE, into e; how it ended in words
 * (the report's language) into out. */
void probe_experiment_outcome(const struct probe *p, const struct probe_attempt *a, struct ev_experiment *e);
void probe_experiment_end_text(const struct probe *p, const struct probe_attempt *a, const struct ev_experiment *e,
			       char *out, size_t cap);

/* probe_addresses.c: a NEGOTIATE with each other address the server's
 * name resolves to, recorded as EV_EXP_OTHER_ADDRESS experiments. */
void probe_other_addresses(struct probe *p, const struct probe_attempt *primary);

/* After Kerberos failed (before or in SESSION_SETUP): the same with NTLM,
 * when there is a password (SPEC: evidence only). */
void probe_ntlm_instead(struct probe *p);

/* probe_kerberos.c: Kerberos for the primary connection. Gets the
 * tickets before connecting; PROBE_EXIT_OK with ccfg set to run the GSS
 * context (*out, freed by the caller), or the exit status of a refusal
 * recorded into c (the KDC's error; with fallback no SESSION_SETUP step,
 * as NTLM will run it, and ccfg is left alone). */
int probe_kerberos_prepare(struct probe *p, struct ev_connection *c, struct smb2_client_config *ccfg,
			   struct gss_client **out, bool fallback);
/* After a refusal with --auth kerberos: records the refused SESSION_SETUP
 * step; for a clock-skew refusal connects and NEGOTIATEs first (the
 * server's clock is evidence) without sending SESSION_SETUP. Returns the
 * exit status. */
int probe_kerberos_refused_run(struct probe *p, struct probe_attempt *a, struct ev_connection *c, int status);
/* The session as Kerberos (after probe_fill_connection). */
void probe_kerberos_session(struct probe *p, const struct gss_client *g, struct ev_connection *c);

#endif
