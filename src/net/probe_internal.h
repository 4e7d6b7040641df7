/* Internals shared by probe.c, probe_evidence.c and probe_followup.c. */
#ifndef SMBDIAG_NET_PROBE_INTERNAL_H
#define SMBDIAG_NET_PROBE_INTERNAL_H

#include "core/auth/crypto_ctx.h"
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
	unsigned experiments;
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
void probe_attempt_clear(struct probe_attempt *a);
/* The client config for the user's options. */
void probe_client_config(const struct probe *p, struct smb2_client_config *ccfg);
/* The step the attempt stopped at and the exit status it means. */
int probe_attempt_exit(const struct probe_attempt *a);

/* Seconds since the start for a net_now_us() time; -1 for 0. */
double probe_rel(const struct probe *p, uint64_t us);

/* probe_evidence.c: the attempt as the timeline's connection. */
void probe_fill_connection(const struct probe *p, const struct probe_attempt *a, struct ev_connection *c);
/* How the step waiting when the connection ended finished. */
enum ev_outcome probe_end_outcome(const struct probe_attempt *a);

/* probe_followup.c: the experiments the primary attempt calls for. */
void probe_followups(struct probe *p, const struct probe_attempt *primary, int exit_status);

#endif
