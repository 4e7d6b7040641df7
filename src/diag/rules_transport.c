/* TCP connect and the NetBIOS session request (port 139): the findings
 * that stop a connection before any SMB message. */
#include <stdio.h>
#include <string.h>

#include "core/wire/names.h"
#include "core/wire/nbss.h"
#include "diag/rules_internal.h"

/* Length of the host part of "host:port" / "[v6]:port". */
static size_t
host_len(const char *endpoint)
{
	const char *colon = strrchr(endpoint, ':');

	return colon ? (size_t)(colon - endpoint) : strlen(endpoint);
}

static bool
same_host(const char *a, const char *b)
{
	size_t n = host_len(a);

	return n > 0 && n == host_len(b) && strncmp(a, b, n) == 0;
}

/* Windows clients try 445 and 139 side by side and drop the loser: a
 * refused port while the same client reached the same server on another
 * port is that race, not a fault (seen in captures). */
static bool
reached_by_another_port(const struct rule_run *r, const struct ev_connection *c)
{
	size_t i;

	if (!c->client[0] || !c->server[0])
		return false;
	for (i = 0; i < r->t->n_conns; i++) {
		const struct ev_connection *o = &r->t->conns[i];
		const struct ev_step *neg = ev_last_step_const(o, SD_STEP_NEGOTIATE);

		if (o != c && neg && neg->outcome == EV_ANSWERED && same_host(o->client, c->client) &&
		    same_host(o->server, c->server) && strcmp(o->server, c->server) != 0)
			return true;
	}
	return false;
}

static void
tcp_rules(struct rule_run *r, struct ev_connection *c)
{
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_TCP);
	const char *server = c->server[0] ? c->server : ev_tr(r->t, "the server");
	struct ev_finding *f;
	char wait[32] = "";
	double w;

	if (!s)
		return;
	if (s->problem == EV_PROBLEM_UNRESOLVED) {
		f = rule_finding(r, "tcp.unresolved", (int)c->id);
		ev_finding_evidence(f, "%s: no connection was attempted", s->detail);
		return;
	}
	w = rule_wait(c, s);
	if (w >= 0)
		rule_duration(w, wait, sizeof(wait));
	if (s->outcome == EV_REFUSED) {
		if (r->t->mode == EV_MODE_ANALYZE && reached_by_another_port(r, c))
			return;
		f = rule_finding(r, "tcp.refused", (int)c->id);
		if (w >= 0)
			ev_finding_evidence(f, "connection to %s refused: reset %s after the SYN", server, wait);
		else
			ev_finding_evidence(f, "connection to %s refused: the SYN was answered with a reset", server);
	} else if (s->outcome == EV_TIMEOUT) {
		f = rule_finding(r, "tcp.timeout", (int)c->id);
		if (w >= 0)
			ev_finding_evidence(f, "connection to %s: no answer to the SYN within %s", server, wait);
		else
			ev_finding_evidence(f, "connection to %s: no answer to the SYN", server);
	}
}

/* The *SMBSERVER retry the probe made after the refusal (probe_netbios.c):
 * accepted, the typed name is missing from the server's names; refused
 * too, the server takes no session on 139 under either name. */
static void
smbserver_lines(struct rule_run *r, struct ev_finding *f, const struct ev_connection *c, const char *called)
{
	const struct ev_experiment *e = rule_experiment(r->t, EV_EXP_NBSS_SMBSERVER, (int)c->id);

	if (!e)
		return;
	if (e->ok)
		ev_finding_evidence(f, "the server does not answer to %s on 139 but does answer to *SMBSERVER: %s is "
				       "not one of its NetBIOS names (netbios name / netbios aliases in smb.conf; on "
				       "Windows the computer name or OptionalNames/DisableStrictNameChecking); the "
				       "probe went on as *SMBSERVER, as smbclient and Windows do",
				    called, called);
	else if (e->outcome == EV_NBSS_REJECTED)
		ev_finding_evidence(f, "the retry as *SMBSERVER was refused too (0x%02X): the server takes no NetBIOS "
				       "session under either name (smbclient says NT_STATUS_RESOURCE_NAME_NOT_FOUND); "
				       "connect on port 445 or with a name it registered (nbtstat -n)",
				    (unsigned)e->status);
	else
		ev_finding_evidence(f, "retry as *SMBSERVER: %s", e->detail);
}

/* The step a NetBIOS negative session response ended: the SESSION
 * REQUEST on 139, or NEGOTIATE on 445 (Samba refusing the client). */
static const struct ev_step *
nbss_refused_step(const struct ev_connection *c)
{
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_NBSS);

	if (s && s->outcome == EV_NBSS_REJECTED)
		return s;
	s = ev_last_step_const(c, SD_STEP_NEGOTIATE);
	return s && s->outcome == EV_NBSS_REJECTED ? s : NULL;
}

/* 0x81, not listening for the calling name: the server refuses this
 * client, whatever name it called. */
static void
client_rejected(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f = rule_finding(r, "nbss.client_rejected", (int)c->id);
	char frames[64];

	rule_frames(r->t, s, frames, sizeof(frames));
	if (s->step == SD_STEP_NBSS && c->called_name[0])
		ev_finding_evidence(f, "%sSESSION REQUEST for called name %s<%02X> -> NEGATIVE SESSION RESPONSE 0x81 "
				       "(NOT_LISTENING_FOR_CALLING_NAME)", frames, c->called_name, c->called_suffix);
	else
		ev_finding_evidence(f, "%s%s -> NEGATIVE SESSION RESPONSE 0x81 (NOT_LISTENING_FOR_CALLING_NAME) instead "
				       "of an SMB answer", frames, s->step == SD_STEP_NBSS ? "SESSION REQUEST" : "NEGOTIATE");
	if (c->client[0])
		ev_finding_evidence(f, "the server refused the client at %s before looking at any SMB message", c->client);
}

static void
nbss_rules(struct rule_run *r, struct ev_connection *c)
{
	const struct ev_step *s = nbss_refused_step(c);
	const char *name, *meaning;
	struct ev_finding *f;
	const char *called = c->called_name;
	char frames[64];
	uint8_t code;

	if (!s)
		return;
	code = (uint8_t)s->status;
	if (code == NBSS_ERR_NOT_LISTENING_FOR_CALLING_NAME) {
		client_rejected(r, c, s);
		return;
	}
	name = nbss_error_name(code);
	meaning = nbss_error_meaning(code);
	rule_frames(r->t, s, frames, sizeof(frames));
	f = rule_finding(r, "nbss.called_name_rejected", (int)c->id);
	if (called[0])
		ev_finding_evidence(f, "%sSESSION REQUEST for called name %s<%02X> -> NEGATIVE SESSION RESPONSE 0x%02X "
				    "(%s)", frames, called, c->called_suffix, code,
				    name ? name : ev_finding_tr(f, "unknown code"));
	else
		ev_finding_evidence(f, "%sSESSION REQUEST -> NEGATIVE SESSION RESPONSE 0x%02X (%s)", frames, code,
				    name ? name : ev_finding_tr(f, "unknown code"));
	if (meaning) {
		char line[EV_LONG_TEXT];

		snprintf(line, sizeof(line), "0x%02X: %s", code, ev_finding_tr(f, meaning));
		ev_finding_line(f, line);
	}
	if (called[0])
		smbserver_lines(r, f, c, called);
}

void
rules_transport(struct rule_run *r, struct ev_connection *c)
{
	tcp_rules(r, c);
	nbss_rules(r, c);
}
