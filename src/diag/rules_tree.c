/* TREE_CONNECT: a missing share (with close names), share permissions,
 * the encryption policy, and the 3.1.1 unsigned tree connect that servers
 * drop (failure-catalog.md 1.4, 1.7, 1.10, 9; the article's TREE_CONNECT
 * section). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/rules_internal.h"
#include "diag/suggest.h"

#define MAX_SUGGESTIONS 3

static const char *
tree_path(const struct ev_connection *c, const struct ev_step *s)
{
	if (s->detail[0])
		return s->detail;
	return c->tree.path[0] ? c->tree.path : NULL;
}

/* The share part of "\\server\share". */
static const char *
share_of(const char *path)
{
	const char *p = path, *last = NULL;

	while (*p == '\\' || *p == '/')
		p++;
	for (; *p; p++)
		if (*p == '\\' || *p == '/')
			last = p + 1;
	return last && *last ? last : NULL;
}

/* "frame 12: TREE_CONNECT \\fs1\Dta -> STATUS_BAD_NETWORK_NAME". */
static void
step_line(const struct ev_timeline *t, struct ev_finding *f, const struct ev_connection *c, const struct ev_step *s)
{
	const char *path = tree_path(c, s);
	char frames[64], st[64];

	rule_frames(t, s, frames, sizeof(frames));
	rule_status(s->status, st, sizeof(st));
	ev_finding_evidence(f, "%sTREE_CONNECT%s%s -> %s", frames, path ? " " : "", path ? path : "", st);
}

/* "Data, Dat" from the indexes sd_suggest picked. */
static void
join_names(const char *const *names, const size_t *idx, size_t n, char *list, size_t cap)
{
	size_t i, used = 0;

	list[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(list + used, cap - used, "%s%s", i ? ", " : "", names[idx[i]]);

		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
}

/* Without a share listing (a capture): the shares the capture shows
 * connected on the same server are names the user may have meant. */
static void
seen_share_suggestions(const struct rule_run *r, const struct ev_connection *c, const char *want, struct ev_finding *f)
{
	const char *names[EV_MAX_SHARES];
	char list[EV_LONG_TEXT];
	size_t idx[MAX_SUGGESTIONS], n = 0, i, j, k;

	for (i = 0; i < r->t->n_conns && n < EV_MAX_SHARES; i++) {
		const struct ev_connection *o = &r->t->conns[i];

		if (strcmp(o->server, c->server) != 0)
			continue;
		for (j = 0; j < o->n_steps && n < EV_MAX_SHARES; j++) {
			const struct ev_step *t = &o->steps[j];
			const char *name = t->detail[0] ? share_of(t->detail) : NULL;
			bool dup = false;

			if (t->step != SD_STEP_TREE_CONNECT || t->outcome != EV_ANSWERED || t->status != 0 || !name)
				continue;
			for (k = 0; k < n; k++)
				dup |= strcasecmp(names[k], name) == 0;
			if (!dup)
				names[n++] = name;
		}
	}
	n = want && n ? sd_suggest(want, names, n, idx, MAX_SUGGESTIONS) : 0;
	if (n == 0)
		return;
	join_names(names, idx, n, list, sizeof(list));
	ev_finding_evidence(f, "did you mean: %s? (connected to on this server elsewhere in the capture)", list);
}

static void
suggestions(const struct rule_run *r, const struct ev_connection *c, const struct ev_step *s, struct ev_finding *f)
{
	const struct ev_experiment *e = rule_experiment(r->t, EV_EXP_SHARE_LIST, (int)c->id);
	const char *names[EV_MAX_SHARES], *path = tree_path(c, s), *want = path ? share_of(path) : NULL;
	char st[64], list[EV_LONG_TEXT] = "";
	size_t idx[MAX_SUGGESTIONS], n, i;

	if (!e) {
		seen_share_suggestions(r, c, want, f);
		return;
	}
	/* A load balancer may have sent the listing to another server. */
	if (rule_reached_other_server(c, e)) {
		char guid[40];

		sd_guid_text(e->server.guid, guid, sizeof(guid));
		ev_finding_evidence(f, "the share listing reached another server at the same address (ServerGuid %s): "
				    "what it lists may not be this server's shares", guid);
	}
	if (!e->ok) {
		rule_status(e->status, st, sizeof(st));
		ev_finding_evidence(f, "listing the server's shares was refused (%s)",
				    e->status ? st : ev_finding_tr(f, "no answer"));
		return;
	}
	for (i = 0; i < e->n_shares && i < EV_MAX_SHARES; i++) {
		names[i] = e->shares[i];
		/* Listed under the very name: the share exists, its folder
		 * does not (or cannot be reached). */
		if (want && strcasecmp(want, names[i]) == 0) {
			ev_finding_evidence(f, "the server lists a share named %s: the share exists, but the server could "
					       "not open its folder (a path that is missing or out of reach; check the "
					       "share's path on the server)",
					    names[i]);
			return;
		}
	}
	n = want ? sd_suggest(want, names, i, idx, MAX_SUGGESTIONS) : 0;
	join_names(names, idx, n, list, sizeof(list));
	if (n > 0)
		ev_finding_evidence(f, "did you mean: %s?", list);
	else if (e->n_shares == 1)
		ev_finding_evidence(f, "the server lists 1 share, none close to %s",
				    want ? want : ev_finding_tr(f, "the name asked for"));
	else
		ev_finding_evidence(f, "the server lists %u shares, none close to %s", e->n_shares,
				    want ? want : ev_finding_tr(f, "the name asked for"));
}

static void
bad_network_name(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f = rule_finding(r, "tree.bad_network_name", (int)c->id);

	step_line(r->t, f, c, s);
	suggestions(r, c, s, f);
}

static bool
share_demands_encryption(const struct ev_connection *c)
{
	return c->tree.has_share && (c->tree.share_flags & SMB2_SHAREFLAG_ENCRYPT_DATA);
}

/* What the rest of a capture says of the share's encryption: another
 * connection to the same share on the same server was told the share
 * demands it (ShareFlags ENCRYPT_DATA), or a client that could not encrypt
 * got in, so the share does not demand it of such clients. */
enum share_encryption_seen {
	SHARE_ENC_UNKNOWN = 0,
	SHARE_ENC_DEMANDED,
	SHARE_ENC_NOT_DEMANDED,
};

struct elsewhere {
	enum share_encryption_seen seen;
	unsigned connection;
	uint16_t dialect;
};

static bool
same_share(const char *path, const char *share)
{
	const char *name = path[0] ? share_of(path) : NULL;

	return name && strcasecmp(name, share) == 0;
}

static struct elsewhere
share_encryption_elsewhere(const struct rule_run *r, const struct ev_connection *c, const char *path)
{
	struct elsewhere e = {SHARE_ENC_UNKNOWN, 0, 0};
	const char *share = path ? share_of(path) : NULL;
	size_t i, j;

	for (i = 0; share && i < r->t->n_conns; i++) {
		const struct ev_connection *o = &r->t->conns[i];

		if (o == c || strcmp(o->server, c->server) != 0)
			continue;
		if (share_demands_encryption(o) && same_share(o->tree.path, share))
			return (struct elsewhere){SHARE_ENC_DEMANDED, o->id, o->negotiate.dialect};
		if (e.seen != SHARE_ENC_UNKNOWN || !rule_client_cannot_encrypt(r->t, o, NULL, 0))
			continue;
		for (j = 0; j < o->n_steps; j++) {
			const struct ev_step *t = &o->steps[j];

			if (t->step == SD_STEP_TREE_CONNECT && t->outcome == EV_ANSWERED && t->status == 0 &&
			    same_share(t->detail, share))
				e = (struct elsewhere){SHARE_ENC_NOT_DEMANDED, o->id, o->negotiate.dialect};
		}
	}
	return e;
}

/* The server demands encryption and the client could not give it: the
 * client's own limits, or a share that says so (T5/T6). In a capture, the
 * client's limits alone do not prove the share demands it: other
 * connections to the same share may tell (*seen). */
static bool
encryption_explains(const struct rule_run *r, const struct ev_connection *c, const struct ev_step *s,
		    struct elsewhere *seen, char *why, size_t cap)
{
	/* SPEC: the probe says "encryption" only when its encrypted retry
	 * got in; the client's limits then just explain why. */
	if (r->t->mode == EV_MODE_PROBE) {
		if (!rule_encrypted_retry_ok(r->t, (int)c->id))
			return false;
		(void)rule_client_cannot_encrypt(r->t, c, why, cap);
		return true;
	}
	if (rule_client_cannot_encrypt(r->t, c, why, cap)) {
		*seen = share_encryption_elsewhere(r, c, tree_path(c, s));
		return seen->seen != SHARE_ENC_NOT_DEMANDED;
	}
	if (share_demands_encryption(c)) {
		rule_fmt(r->t, why, cap, "the share's flags demand encryption (ENCRYPT_DATA)");
		return true;
	}
	return false;
}

/* MS-SMB2 3.3.5.2.4: on 3.1.1 a TREE_CONNECT of a session that can sign
 * must be signed or encrypted; servers drop the connection, some (Samba)
 * after an ACCESS_DENIED answer. */
static bool
unsigned_on_311(const struct ev_connection *c, const struct ev_step *s)
{
	return c->negotiate.dialect == SMB2_DIALECT_311 && !s->request_signed && !s->request_encrypted &&
	       !rule_is_guest(&c->session) && !rule_is_anonymous(&c->session);
}

static void
unsigned_disconnect(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f = rule_finding(r, "tree.unsigned_disconnect", (int)c->id);
	const char *path = tree_path(c, s);
	char frames[64], st[64], silence[160];

	rule_frames(r->t, s, frames, sizeof(frames));
	ev_finding_evidence(f, "%sTREE_CONNECT%s%s sent neither signed nor encrypted on SMB 3.1.1", frames,
			    path ? " " : "", path ? path : "");
	if (s->outcome == EV_ANSWERED) {
		rule_status(s->status, st, sizeof(st));
		if (c->closed_by_server || c->reset_by_server)
			ev_finding_evidence(f, "the server answered %s and ended the connection", st);
		else
			ev_finding_evidence(f, "the server answered %s", st);
	} else {
		rule_silence(r->t, c, s, silence, sizeof(silence));
		ev_finding_line(f, silence);
	}
}

static void
access_denied(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	const struct ev_experiment *retry = rule_experiment(r->t, EV_EXP_ENCRYPTED_RETRY, (int)c->id);
	const struct ev_session *ss = &c->session;
	struct elsewhere seen = {SHARE_ENC_UNKNOWN, 0, 0};
	struct ev_finding *f;
	char why[EV_LONG_TEXT] = "";

	if (rule_take_verdict(r, c, s, step_line))
		return;
	if (rule_signing_broken(c))
		return;  /* session.signing_mismatch: the server refused the unsigned request */
	if (unsigned_on_311(c, s)) {
		unsigned_disconnect(r, c, s);
		return;
	}
	if (encryption_explains(r, c, s, &seen, why, sizeof(why))) {
		f = rule_finding(r, "tree.encryption_required", (int)c->id);
		step_line(r->t, f, c, s);
		if (why[0])
			ev_finding_line(f, why);
		if (retry && retry->ok)
			ev_finding_evidence(f, "the same TREE_CONNECT with SMB 3.1.1 and encryption succeeded");
		else if (seen.seen == SHARE_ENC_DEMANDED)
			ev_finding_evidence(f, "connection %u to the same share was told it demands encryption "
					       "(ShareFlags ENCRYPT_DATA)", seen.connection);
		else if (r->t->mode != EV_MODE_PROBE && !share_demands_encryption(c))
			ev_finding_evidence(f, "the wire cannot tell this from share or folder permissions, which get the "
					       "same ACCESS_DENIED; a client that can encrypt (smbdiag probe) tells them "
					       "apart");
		return;
	}
	f = rule_finding(r, "tree.access_denied", (int)c->id);
	step_line(r->t, f, c, s);
	if (seen.seen == SHARE_ENC_NOT_DEMANDED) {
		char d[16];

		rule_dialect(seen.dialect, d, sizeof(d));
		ev_finding_evidence(f, "connection %u reached the same share without encryption (dialect %s): the "
				       "share does not demand it of clients that cannot encrypt, so permissions "
				       "refused this one",
				    seen.connection, d);
	}
	if (ss->user[0] && rule_is_guest(ss))
		ev_finding_evidence(f, "as guest: the server mapped %s%s%s to its guest account", ss->domain,
				    ss->domain[0] ? "\\" : "", ss->user);
	else if (ss->user[0])
		ev_finding_evidence(f, "as user %s%s%s", ss->domain, ss->domain[0] ? "\\" : "", ss->user);
	else if (rule_is_anonymous(ss))
		ev_finding_evidence(f, "on an anonymous (null) session");
	/* Such a session cannot encrypt, so the encrypted retry cannot
	 * tell; say what a share that requires encryption does to it. */
	if (rule_is_guest(ss) || rule_is_anonymous(ss))
		ev_finding_evidence(f, "a guest or null session has no key to encrypt with: a share that requires "
				       "encryption refuses it as well (Samba: smb encrypt = required; Windows: "
				       "Share.EncryptData)");
	if (retry && !retry->ok)
		ev_finding_evidence(f, "an encrypted SMB 3.1.1 retry was denied too: permissions, not encryption");
}

static void
dropped(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	const struct ev_session *ss = &c->session;
	struct ev_finding *f;
	char frames[64], silence[160];
	const char *path = tree_path(c, s);

	if (rule_take_verdict(r, c, s, step_line))
		return;
	rule_frames(r->t, s, frames, sizeof(frames));
	rule_silence(r->t, c, s, silence, sizeof(silence));
	if (rule_is_anonymous(ss)) {
		/* V1: a server that allows no anonymous access drops the tree
		 * connect of a null session. */
		f = rule_finding(r, "session.anonymous_denied", (int)c->id);
		ev_finding_evidence(f, "%sTREE_CONNECT%s%s on an anonymous session: %s", frames, path ? " " : "",
				    path ? path : "", silence);
		return;
	}
	if (unsigned_on_311(c, s))
		unsigned_disconnect(r, c, s);
}

/* The share connected, then the server refused the next request on it:
 * the folder behind the share cannot be entered by this user (Samba
 * checks it on every request; Windows checks folder permissions when a
 * file is opened, not at TREE_CONNECT). */
static void
folder_unavailable(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f;
	char st[64];

	if (!c->tree.later_status || c->tree.later_status == RULE_ST_NETWORK_NAME_DELETED)
		return;
	f = rule_finding(r, "tree.folder_unavailable", (int)c->id);
	step_line(r->t, f, c, s);
	rule_status(c->tree.later_status, st, sizeof(st));
	ev_finding_evidence(f, "then %s on the share -> %s: the server refused the first request after it",
			    c->tree.later_command, st);
}

void
rules_tree(struct rule_run *r, struct ev_connection *c)
{
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_TREE_CONNECT);

	if (!s)
		return;
	switch (s->outcome) {
	case EV_ANSWERED:
		if (s->status == RULE_ST_SUCCESS)
			folder_unavailable(r, c, s);
		else if (s->status == RULE_ST_BAD_NETWORK_NAME)
			bad_network_name(r, c, s);
		else if (s->status == RULE_ST_ACCESS_DENIED)
			access_denied(r, c, s);
		break;
	case EV_CLOSED:
	case EV_RESET:
	case EV_NO_RESPONSE:
		dropped(r, c, s);
		break;
	default:
		break;
	}
}
