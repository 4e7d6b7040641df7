/* One server name, several SMB servers (failure catalog C5): an SMB 3.x
 * client remembers what it first learned of a server name (MS-SMB2
 * 3.2.1.9 ServerList: ServerGuid, dialect, security mode, capabilities)
 * and drops a later connection under that name whose NEGOTIATE answer
 * differs (3.2.5.2). The probe learns it from its other connections
 * (the name's other addresses, its follow-ups), and where it repeated the
 * user's whole walk at another address, from where each walk ended (a
 * share behind one address only); a capture from two connections of one
 * client to one name. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/rules_internal.h"

enum identity_part {
	ID_GUID = 1u << 0,
	ID_DIALECT = 1u << 1,
	ID_SECURITY_MODE = 1u << 2,
	ID_CAPABILITIES = 1u << 3,
};

/* At most this many other servers are named; the rest are counted. */
#define NAMED_OTHERS 3

static void
identity_of(const struct ev_negotiate *n, struct ev_server_identity *id)
{
	memset(id, 0, sizeof(*id));
	id->known = n->seen_response && n->has_server_guid && n->dialect != 0 && !n->smb1_answered;
	id->dialect = n->dialect;
	id->security_mode = n->server_security_mode;
	id->capabilities = n->server_capabilities;
	memcpy(id->guid, n->server_guid, sizeof(id->guid));
}

/* The parts that differ. Dialect, security mode and capabilities mean
 * something only when the same offer drew both answers (capabilities
 * also depend on the dialect); the GUID names the server whatever the
 * offer. */
static unsigned
identity_diff(const struct ev_server_identity *a, const struct ev_server_identity *b, bool same_offer)
{
	unsigned d = 0;

	if (!a->known || !b->known)
		return 0;
	if (memcmp(a->guid, b->guid, sizeof(a->guid)) != 0)
		d |= ID_GUID;
	if (!same_offer)
		return d;
	if (a->dialect != b->dialect)
		d |= ID_DIALECT;
	if ((a->security_mode ^ b->security_mode) & (SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED))
		d |= ID_SECURITY_MODE;
	if (a->dialect == b->dialect && a->capabilities != b->capabilities)
		d |= ID_CAPABILITIES;
	return d;
}

bool
rule_reached_other_server(const struct ev_connection *c, const struct ev_experiment *e)
{
	struct ev_server_identity mine;

	identity_of(&c->negotiate, &mine);
	return (identity_diff(&mine, &e->server, false) & ID_GUID) != 0;
}

/* "ServerGuid 0061...; dialect 3.1.1" as far as the parts ask. */
static void
identity_text(const struct ev_timeline *t, const struct ev_server_identity *id, unsigned parts, char *buf,
	      size_t cap)
{
	char guid[40], dialect[16];

	sd_guid_text(id->guid, guid, sizeof(guid));
	rule_dialect(id->dialect, dialect, sizeof(dialect));
	rule_fmt(t, buf, cap, "ServerGuid %s, dialect %s", guid, dialect);
	if (parts & ID_SECURITY_MODE) {
		size_t used = strlen(buf);

		if (id->security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED)
			rule_fmt(t, buf + used, cap - used, ", signing required");
		else
			rule_fmt(t, buf + used, cap - used, ", signing not required");
	}
	if (parts & ID_CAPABILITIES) {
		size_t used = strlen(buf);

		rule_fmt(t, buf + used, cap - used, ", capabilities 0x%08x", id->capabilities);
	}
}

/* What an SMB 3.x client makes of it, or what remains true below 3.0. */
static void
consequence(struct ev_finding *f, const char *name, uint16_t dialect)
{
	if (dialect >= SMB2_DIALECT_300 && dialect != SMB2_DIALECT_WILDCARD)
		ev_finding_evidence(f, "an SMB 3.x client that reached one of these servers first drops a later "
				    "connection to %s that reaches another (MS-SMB2 3.2.5.2)", name);
	else
		ev_finding_evidence(f, "a Kerberos ticket for cifs/%s decrypts only on the server that holds that "
				    "name's key", name);
}

/* Where a walk through NEGOTIATE, SESSION_SETUP and TREE_CONNECT ended. */
struct walk_end {
	bool through;
	enum sd_step step;
	enum ev_outcome outcome;
	uint32_t status;
};

static void
connection_end(const struct ev_connection *c, struct walk_end *w)
{
	uint8_t i;

	memset(w, 0, sizeof(*w));
	w->through = true;
	for (i = 0; i < c->n_steps; i++) {
		const struct ev_step *s = &c->steps[i];

		if (s->step == SD_STEP_LOGOFF)
			break;
		if (s->outcome == EV_ANSWERED && (s->status == RULE_ST_SUCCESS || s->status == RULE_ST_MORE_PROCESSING))
			continue;
		w->through = false;
		w->step = s->step;
		w->outcome = s->outcome;
		w->status = s->status;
		return;
	}
}

static void
experiment_end(const struct ev_experiment *e, struct walk_end *w)
{
	memset(w, 0, sizeof(*w));
	w->through = e->ok;
	if (!e->ok) {
		w->step = e->step;
		w->outcome = e->outcome;
		w->status = e->status;
	}
}

static bool
same_end(const struct walk_end *a, const struct walk_end *b)
{
	if (a->through || b->through)
		return a->through == b->through;
	return a->step == b->step && a->outcome == b->outcome && (a->outcome != EV_ANSWERED || a->status == b->status);
}

/* The step as captures name it, in the report's language. */
static const char *
step_label(const struct ev_timeline *t, enum sd_step step)
{
	switch (step) {
	case SD_STEP_NEGOTIATE: return ev_tr(t, N_("NEGOTIATE"));
	case SD_STEP_SESSION_SETUP: return ev_tr(t, N_("SESSION_SETUP"));
	case SD_STEP_TREE_CONNECT: return ev_tr(t, N_("TREE_CONNECT"));
	default: return sd_step_name(step);
	}
}

/* "got through" or "ended at TREE_CONNECT with STATUS_BAD_NETWORK_NAME". */
static void
end_text(const struct ev_timeline *t, const struct walk_end *w, char *buf, size_t cap)
{
	char status[64];

	if (w->through) {
		rule_fmt(t, buf, cap, "got through");
	} else if (w->outcome == EV_ANSWERED) {
		rule_status(w->status, status, sizeof(status));
		rule_fmt(t, buf, cap, "ended at %s with %s", step_label(t, w->step), status);
	} else {
		rule_fmt(t, buf, cap, "ended at %s: %s", step_label(t, w->step), ev_outcome_name(w->outcome));
	}
}

/* What sets experiment e apart from the connection: identity parts (d),
 * and for the user's whole walk at another address, where it ended. */
static void
other_line(struct ev_finding *f, const struct ev_timeline *t, const struct ev_connection *c,
	   const struct ev_experiment *e, unsigned d, bool walk_differs)
{
	struct walk_end theirs;
	char who[160], end[160];

	identity_text(t, &e->server, d, who, sizeof(who));
	if (e->kind != EV_EXP_OTHER_ADDRESS) {
		ev_finding_evidence(f, "a follow-up connection to %s reached another server (%s): the address leads "
				    "to several servers, and the experiments may describe another one than this "
				    "connection's", e->address, who);
		return;
	}
	if (!walk_differs) {
		ev_finding_evidence(f, "%s, another address of %s, answers with %s", e->address, c->server_name, who);
		return;
	}
	experiment_end(e, &theirs);
	end_text(t, &theirs, end, sizeof(end));
	if (d)
		ev_finding_evidence(f, "%s, another address of %s, answers with %s, and the same walk %s there",
				    e->address, c->server_name, who, end);
	else
		ev_finding_evidence(f, "%s, another address of %s, answers with the same ServerGuid, but the same "
				    "walk %s there", e->address, c->server_name, end);
}

/* The probe: the connection's server against the servers its other
 * connections (the name's other addresses, the follow-ups) reached. */
static void
against_experiments(struct rule_run *r, struct ev_connection *c)
{
	struct ev_server_identity mine;
	struct walk_end here, there;
	struct ev_finding *f = NULL;
	char who[160], end[160];
	size_t i, others = 0;
	bool identities_differ = false, walks_differ = false;

	identity_of(&c->negotiate, &mine);
	if (!mine.known)
		return;
	connection_end(c, &here);
	for (i = 0; i < r->t->n_exps; i++) {
		const struct ev_experiment *e = &r->t->exps[i];
		bool other_address = e->kind == EV_EXP_OTHER_ADDRESS, walk_differs = false;
		unsigned d;

		if (e->connection != (int)c->id)
			continue;
		d = identity_diff(&mine, &e->server, other_address);
		if (other_address && e->full_walk && e->server.known) {
			experiment_end(e, &there);
			walk_differs = !same_end(&here, &there);
		}
		if (d == 0 && !walk_differs)
			continue;
		identities_differ |= d != 0;
		walks_differ |= walk_differs;
		if (!f) {
			f = rule_finding(r, "negotiate.different_servers", (int)c->id);
			if (!f)
				return;
			identity_text(r->t, &mine, d, who, sizeof(who));
			end_text(r->t, &here, end, sizeof(end));
			if (walk_differs)
				ev_finding_evidence(f, "%s at %s answers with %s, and the walk %s there", c->server_name,
						    c->server, who, end);
			else
				ev_finding_evidence(f, "%s at %s answers with %s", c->server_name, c->server, who);
		}
		if (++others > NAMED_OTHERS)
			continue;
		other_line(f, r->t, c, e, d, walk_differs);
	}
	if (!f)
		return;
	if (others > NAMED_OTHERS)
		ev_finding_evidence(f, "%zu more connections reached other servers", others - NAMED_OTHERS);
	if (walks_differ)
		ev_finding_evidence(f, "which of these results a client gets depends on the address it reaches");
	if (identities_differ)
		consequence(f, c->server_name, mine.dialect);
}

static bool
same_client_host(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');

	/* "10.0.0.5:51234" and "[::1]:51234": the port goes. */
	if (ca)
		la = (size_t)(ca - a);
	if (cb)
		lb = (size_t)(cb - b);
	return la > 0 && la == lb && strncmp(a, b, la) == 0;
}

static bool
same_offer(const struct ev_negotiate *a, const struct ev_negotiate *b)
{
	return a->n_client_dialects == b->n_client_dialects &&
	       memcmp(a->client_dialects, b->client_dialects, a->n_client_dialects * sizeof(a->client_dialects[0])) ==
		       0 &&
	       a->client_capabilities == b->client_capabilities;
}

/* The connection did nothing after the NEGOTIATE answer but leave. */
static bool
left_after_negotiate(const struct ev_connection *c)
{
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_NEGOTIATE);

	return s && s->outcome == EV_ANSWERED && s->status == 0 && !ev_last_step_const(c, SD_STEP_SESSION_SETUP) &&
	       (c->closed_by_client || c->reset_by_client);
}

/* A capture: this connection against the first one the same client made
 * to the same name (the one its ServerList remembers). */
static void
against_earlier(struct rule_run *r, struct ev_connection *c)
{
	struct ev_server_identity mine, first;
	struct ev_finding *f;
	char who[160];
	size_t i;
	unsigned d;

	identity_of(&c->negotiate, &mine);
	if (!mine.known || !c->server_name[0] || !c->client[0])
		return;
	for (i = 0; i < c->id && i < r->t->n_conns; i++) {
		const struct ev_connection *o = &r->t->conns[i];

		if (strcasecmp(o->server_name, c->server_name) != 0 || !same_client_host(o->client, c->client))
			continue;
		identity_of(&o->negotiate, &first);
		if (!first.known)
			continue;
		d = identity_diff(&first, &mine, same_offer(&o->negotiate, &c->negotiate));
		if (d == 0)
			return;
		f = rule_finding(r, "negotiate.different_servers", (int)c->id);
		if (!f)
			return;
		identity_text(r->t, &first, d, who, sizeof(who));
		ev_finding_evidence(f, "connection %u reached %s at %s: %s", o->id, c->server_name, o->server, who);
		identity_text(r->t, &mine, d, who, sizeof(who));
		ev_finding_evidence(f, "this connection reached %s at %s: %s", c->server_name, c->server, who);
		if (left_after_negotiate(c))
			ev_finding_evidence(f, "the client ended this connection right after the NEGOTIATE answer (an "
					    "SMB 3.x client does when a name it knows answers differently)");
		consequence(f, c->server_name, mine.dialect);
		return;
	}
}

void
rules_identity(struct rule_run *r, struct ev_connection *c)
{
	against_experiments(r, c);
	against_earlier(r, c);
}
