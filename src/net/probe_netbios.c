/* Port 139: the *SMBSERVER retry. A server that does not answer to the
 * typed name (NEGATIVE SESSION RESPONSE 0x82, called name not present)
 * gets a second session request for *SMBSERVER on a new connection, as
 * smbclient and the Windows redirector send. The retry is the client's
 * own behaviour, not a changed configuration: when it is accepted the
 * user's probe goes on over it and the exit status is that connection's;
 * the refusal stays a finding, with the retry as its evidence. */
#include <stdio.h>
#include <string.h>

#include "core/wire/names.h"
#include "core/wire/nbss.h"
#include "net/probe_internal.h"

bool
probe_nbss_name_refused(const struct probe *p, const struct probe_attempt *a)
{
	return a->conn.end == NET_END_NBSS_REJECTED && a->conn.nbss_code == NBSS_ERR_CALLED_NAME_NOT_PRESENT &&
	       strcmp(p->called_name, NBSS_ANY_SERVER_NAME) != 0;
}

static bool
accepted(const struct probe_attempt *a)
{
	return a->conn.nbss_type == NBSS_POSITIVE_RESPONSE;
}

static void
describe_refusal(const struct ev_timeline *t, const struct probe_attempt *a, char *out, size_t cap)
{
	const char *name;

	if (a->conn.end == NET_END_NBSS_REJECTED) {
		name = nbss_error_name(a->conn.nbss_code);
		snprintf(out, cap, ev_tr(t, "refused too: NEGATIVE SESSION RESPONSE 0x%02X (%s)"), a->conn.nbss_code,
			 name ? name : ev_tr(t, "unknown code"));
	} else if (!a->conn.connected_us) {
		snprintf(out, cap, ev_tr(t, "the new TCP connection failed (%s)"), net_end_name(a->conn.end));
	} else {
		snprintf(out, cap, ev_tr(t, "no session response (%s)"), net_end_name(a->conn.end));
	}
}

struct ev_connection *
probe_smbserver_retry(struct probe *p, struct probe_attempt *a, int first_id)
{
	struct smb2_client_config ccfg = a->ccfg;
	struct ev_experiment *e;
	struct ev_connection *c;
	char typed[sizeof(p->called_name)];
	char how[EV_TEXT];

	memcpy(typed, p->called_name, sizeof(typed));
	probe_attempt_clear(a);
	memset(a, 0, sizeof(*a));
	snprintf(p->called_name, sizeof(p->called_name), "%s", NBSS_ANY_SERVER_NAME);
	if (!probe_attempt_run(p, a, &ccfg)) {
		memcpy(p->called_name, typed, sizeof(typed));
		return &p->t->conns[first_id];
	}
	e = ev_add_experiment(p->t, EV_EXP_NBSS_SMBSERVER, first_id);
	if (e) {
		e->step = SD_STEP_NBSS;
		e->ok = accepted(a);
		e->outcome = e->ok ? EV_ANSWERED : a->conn.end == NET_END_NBSS_REJECTED ? EV_NBSS_REJECTED
							: probe_end_outcome(a);
		e->status = a->conn.end == NET_END_NBSS_REJECTED ? a->conn.nbss_code : 0;
		if (e->ok)
			snprintf(how, sizeof(how), "%s", ev_tr(p->t, "accepted (POSITIVE SESSION RESPONSE)"));
		else
			describe_refusal(p->t, a, how, sizeof(how));
		snprintf(e->detail, sizeof(e->detail),
			 ev_tr(p->t, "called name %s refused with 0x82; session request for %s<20>: %s"), typed,
			 NBSS_ANY_SERVER_NAME, how);
	}
	if (!accepted(a) || !(c = ev_add_connection(p->t))) {
		/* Nothing more to learn on a connection the server would not
		 * take: the user's probe ends at the first refusal. */
		probe_attempt_clear(a);
		memcpy(p->called_name, typed, sizeof(typed));
		return &p->t->conns[first_id];
	}
	if (e)
		snprintf(e->detail + strlen(e->detail), sizeof(e->detail) - strlen(e->detail),
			 ev_tr(p->t, "; the probe went on over it as connection %u"), c->id);
	ev_copy(c->server_name, sizeof(c->server_name), p->cfg->host);
	c->transport_port = p->port;
	probe_fill_connection(p, a, c);
	p->primary_conn = (int)c->id;
	return c;
}
