/* The other addresses of the server's name. A name with several
 * addresses (DNS round robin, A and AAAA records, a cluster's nodes) is
 * reached at one of them today and at another on the next connection: a
 * reconnect, a second session, another client. When those addresses are
 * different SMB servers, an SMB 3.x client that remembers the first
 * (MS-SMB2 3.2.1.9 ServerList) drops the later connection (3.2.5.2), a
 * Kerberos ticket for cifs/<name> decrypts only where that SPN's key
 * lives, and shares and accounts may differ: "it works sometimes". One
 * NEGOTIATE per other address, with the user's offer, says which of them
 * are the same server as the one the probe walked through; with NTLM or
 * anonymous logons the whole walk runs again there (a share or an account
 * that exists on one server only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/wire/names.h"
#include "net/probe_internal.h"

/* The check is a side question: a dead address must not hold a probe
 * for the full step timeout (60 s by default) per address. */
#define OTHER_ADDRESS_TIMEOUT_MS 5000u

static unsigned
check_timeout(const struct probe *p)
{
	unsigned t = p->cfg->timeout_ms ? p->cfg->timeout_ms : PROBE_DEFAULT_TIMEOUT_MS;

	return t < OTHER_ADDRESS_TIMEOUT_MS ? t : OTHER_ADDRESS_TIMEOUT_MS;
}

static void
describe(const struct probe *p, const struct probe_attempt *a, struct ev_experiment *e, const char *address)
{
	char how[EV_TEXT], guid[40];
	const char *dialect = smb2_dialect_name(e->server.dialect);

	probe_experiment_end_text(p, a, e, how, sizeof(how));
	if (e->step == SD_STEP_TCP)
		snprintf(how, sizeof(how), "%s",
			 e->outcome == EV_TIMEOUT ? ev_tr(p->t, "no answer to the connection request")
						  : ev_tr(p->t, "the connection was refused"));
	if (!e->server.known) {
		snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "%s, another address of %s: %s"), address,
			 p->cfg->host, how);
		return;
	}
	sd_guid_text(e->server.guid, guid, sizeof(guid));
	if (!e->full_walk)
		snprintf(e->detail, sizeof(e->detail),
			 ev_tr(p->t, "%s, another address of %s: NEGOTIATE answered with dialect %s, ServerGuid %s"),
			 address, p->cfg->host, dialect ? dialect : "?", guid);
	else if (e->ok)
		snprintf(e->detail, sizeof(e->detail),
			 ev_tr(p->t, "%s, another address of %s: the same walk got through (dialect %s, "
				     "ServerGuid %s)"),
			 address, p->cfg->host, dialect ? dialect : "?", guid);
	else
		snprintf(e->detail, sizeof(e->detail),
			 ev_tr(p->t, "%s, another address of %s: the same walk ended with %s (dialect %s, "
				     "ServerGuid %s)"),
			 address, p->cfg->host, how, dialect ? dialect : "?", guid);
}

void
probe_other_addresses(struct probe *p, const struct probe_attempt *primary)
{
	struct smb2_client_config ccfg;
	struct probe_attempt *a;
	struct ev_experiment *e;
	size_t i;

	/* -I names one address on purpose; a literal has no others. */
	if (p->cfg->connect_to || p->resolved.literal || p->resolved.n < 2 || !primary->conn.connected_us)
		return;
	a = calloc(1, sizeof(*a));
	if (!a)
		return;
	probe_client_config(p, &ccfg);
	/* An NTLM or anonymous logon repeats as it is; a Kerberos context is
	 * the primary connection's own, so those addresses get NEGOTIATE only. */
	if (ccfg.mech == SMB2_MECH_EXTERNAL) {
		ccfg.negotiate_only = true;
		ccfg.mech = SMB2_MECH_ANONYMOUS;
		ccfg.auth = NULL;
		ccfg.auth_ctx = NULL;
	}
	for (i = 0; i < p->resolved.n; i++) {
		if (i == p->addr_index)
			continue;
		memset(a, 0, sizeof(*a));
		if (!probe_attempt_run_at(p, a, &ccfg, i, check_timeout(p)))
			break;
		e = ev_add_experiment(p->t, EV_EXP_OTHER_ADDRESS, p->primary_conn);
		if (e) {
			probe_experiment_outcome(p, a, e);
			e->full_walk = !ccfg.negotiate_only;
			e->ok = e->full_walk ? probe_attempt_exit(a) == PROBE_EXIT_OK : e->server.known;
			if (e->ok && !e->full_walk) {
				e->step = SD_STEP_NEGOTIATE;
				e->outcome = EV_ANSWERED;
				e->status = 0;
			}
			describe(p, a, e, p->resolved.text[i]);
		}
		probe_attempt_clear(a);
	}
	free(a);
}
