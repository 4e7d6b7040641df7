/* NEGOTIATE: no answer, an immediate close, no common dialect, SMB1, an
 * answer that is not SMB at all or that clients refuse, and a failed
 * VALIDATE_NEGOTIATE_INFO (failure-catalog.md 1.2, 1.3, 1.8, 2, 9). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/rules_internal.h"

static bool
offers_only_smb1(const struct ev_negotiate *n)
{
	return n->smb1_negotiate && !n->smb1_offers_smb2;
}

/* "NEGOTIATE offering 2.0.2, 2.1" or the SMB1 form. */
static void
request_text(const struct ev_timeline *t, const struct ev_negotiate *n, char *buf, size_t cap)
{
	char list[160];

	rule_client_dialects(n, list, sizeof(list));
	if (offers_only_smb1(n))
		rule_fmt(t, buf, cap, "SMB1 NEGOTIATE offering only SMB1 dialects (no \"SMB 2.002\" or \"SMB 2.???\")");
	else if (n->smb1_negotiate)
		rule_fmt(t, buf, cap, "SMB1 multi-protocol NEGOTIATE offering SMB2%s%s", list[0] ? ": " : "", list);
	else if (list[0])
		rule_fmt(t, buf, cap, "NEGOTIATE offering %s", list);
	else
		rule_fmt(t, buf, cap, "NEGOTIATE");
}

/* What the one-dialect-at-a-time experiments found: "server speaks 3.0,
 * 3.1.1" and "server refuses 2.0.2, 2.1". */
static void
dialect_experiments(const struct ev_timeline *t, int connection, struct ev_finding *f)
{
	char yes[160] = "", no[160] = "", d[16];
	size_t i;

	for (i = 0; i < t->n_exps; i++) {
		const struct ev_experiment *e = &t->exps[i];
		char *list;
		size_t cap = sizeof(yes), used;

		if (e->kind != EV_EXP_DIALECT_ALONE || e->connection != connection)
			continue;
		list = e->ok ? yes : no;
		used = strlen(list);
		rule_dialect(e->dialect, d, sizeof(d));
		snprintf(list + used, cap - used, "%s%s", used ? ", " : "", d);
	}
	if (yes[0])
		ev_finding_evidence(f, "offered alone, the server speaks %s", yes);
	if (no[0])
		ev_finding_evidence(f, "offered alone, the server refuses %s", no);
}

static bool
any_dialect_alone_ok(const struct ev_timeline *t, int connection)
{
	size_t i;

	for (i = 0; i < t->n_exps; i++)
		if (t->exps[i].kind == EV_EXP_DIALECT_ALONE && t->exps[i].connection == connection && t->exps[i].ok)
			return true;
	return false;
}

static void
unanswered(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	const struct ev_negotiate *n = &c->negotiate;
	const struct ev_experiment *e;
	struct ev_finding *f;
	char frames[64], req[256], silence[160];
	double w = rule_wait(c, s);
	bool quick = (s->outcome == EV_CLOSED || s->outcome == EV_RESET) && w >= 0 && w < RULE_QUICK_CLOSE_S;

	rule_request_frame(r->t, s, frames, sizeof(frames));
	request_text(r->t, n, req, sizeof(req));
	rule_silence(r->t, c, s, silence, sizeof(silence));
	if ((offers_only_smb1(n) && s->outcome != EV_NO_RESPONSE) || quick) {
		f = rule_finding(r, "negotiate.connection_closed", (int)c->id);
		rule_line(f, "%s%s", frames, req);
		ev_finding_line(f, silence);
		e = rule_experiment(r->t, EV_EXP_SMB1_ONLY, (int)c->id);
		if (e && e->ok && !offers_only_smb1(n) && !any_dialect_alone_ok(r->t, (int)c->id))
			ev_finding_evidence(f, "an SMB1-only NEGOTIATE was answered and no SMB2 dialect alone was: "
					       "the server speaks only SMB1 (SMB2 off; Samba: server max protocol = NT1), "
					       "so the fix is on the server");
		else if (e && e->ok)
			ev_finding_evidence(f, "an SMB1-only NEGOTIATE was answered: the server speaks SMB1");
		else if (e)
			ev_finding_evidence(f, "an SMB1-only NEGOTIATE was not answered either: SMB1 is off");
		dialect_experiments(r->t, (int)c->id, f);
		return;
	}
	f = rule_finding(r, "negotiate.no_response", (int)c->id);
	rule_line(f, "%s%s", frames, req);
	ev_finding_line(f, silence);
	if (s->ack_at >= 0)
		ev_finding_evidence(f, "the server's TCP stack acknowledged the request, so it arrived; the SMB "
				       "server never answered it");
}

static void
no_common_dialect(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	const struct ev_negotiate *n = &c->negotiate;
	struct ev_finding *f = rule_finding(r, "negotiate.no_common_dialect", (int)c->id);
	const struct ev_experiment *e;
	char frames[64], req[256], st[64];

	rule_frames(r->t, s, frames, sizeof(frames));
	request_text(r->t, n, req, sizeof(req));
	rule_status(s->status, st, sizeof(st));
	if (n->smb1_answered)
		ev_finding_evidence(f, "%s%s -> SMB1 answer choosing no dialect (DialectIndex 0xFFFF)", frames, req);
	else
		rule_line(f, "%s%s -> %s", frames, req, st);
	dialect_experiments(r->t, (int)c->id, f);
	e = rule_experiment(r->t, EV_EXP_SMB1_ONLY, (int)c->id);
	if (e && e->ok && !n->smb1_answered && !any_dialect_alone_ok(r->t, (int)c->id))
		ev_finding_evidence(f, "an SMB1-only NEGOTIATE was answered: the server speaks only SMB1, which "
				       "current clients no longer offer; turn on SMB2 on the server");
}

static bool
dialect_alone_refused(const struct ev_timeline *t, int connection, uint16_t dialect)
{
	size_t i;

	for (i = 0; i < t->n_exps; i++)
		if (t->exps[i].kind == EV_EXP_DIALECT_ALONE && t->exps[i].connection == connection &&
		    t->exps[i].dialect == dialect && !t->exps[i].ok)
			return true;
	return false;
}

/* A refusal of NEGOTIATE that depends on the dialects offered: alone,
 * some are spoken. The likeliest such refusal (INVALID_PARAMETER to 3.0
 * and 3.0.2) comes from the server's allowed algorithms, as those two
 * dialects have one cipher and one signing algorithm each. */
static void
refused_for_some_dialects(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f;
	char frames[64], req[256], st[64];

	if (!any_dialect_alone_ok(r->t, (int)c->id))
		return;
	f = rule_finding(r, "negotiate.other", (int)c->id);
	rule_frames(r->t, s, frames, sizeof(frames));
	request_text(r->t, &c->negotiate, req, sizeof(req));
	rule_status(s->status, st, sizeof(st));
	rule_line(f, "%s%s -> %s", frames, req, st);
	dialect_experiments(r->t, (int)c->id, f);
	if (s->status == RULE_ST_INVALID_PARAMETER && !dialect_alone_refused(r->t, (int)c->id, SMB2_DIALECT_311) &&
	    (dialect_alone_refused(r->t, (int)c->id, SMB2_DIALECT_300) ||
	     dialect_alone_refused(r->t, (int)c->id, SMB2_DIALECT_302) ||
	     dialect_alone_refused(r->t, (int)c->id, SMB2_DIALECT_210)))
		ev_finding_evidence(f, "only SMB 3.1.1 negotiates its algorithms: 2.x signs with HMAC-SHA256 alone, "
				       "3.0 and 3.0.2 with AES-128-CMAC and encrypt with AES-128-CCM; a server whose "
				       "allowed algorithms leave those out refuses these dialects (Samba: server "
				       "smb3 encryption algorithms, server smb3 signing algorithms; Windows: "
				       "Get-SmbServerConfiguration | select EncryptionCiphers)");
}

static void
smb1_in_use(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	const struct ev_negotiate *n = &c->negotiate;
	struct ev_finding *f;
	char frames[64];

	if (n->dialect != SD_DIALECT_SMB1 && !offers_only_smb1(n))
		return;
	/* The answer decides what was negotiated; the request, what was offered. */
	if (n->dialect == SD_DIALECT_SMB1)
		rule_frames(r->t, s, frames, sizeof(frames));
	else
		rule_request_frame(r->t, s, frames, sizeof(frames));
	f = rule_finding(r, "negotiate.smb1_in_use", (int)c->id);
	if (n->dialect == SD_DIALECT_SMB1 && n->smb1_offers_smb2)
		ev_finding_evidence(f, "%sthe server chose an SMB1 dialect although the client offered SMB2 as "
				       "well: SMB2 is off on the server, or it speaks only SMB1", frames);
	else if (n->dialect == SD_DIALECT_SMB1)
		ev_finding_evidence(f, "%sthe connection negotiated an SMB1 dialect", frames);
	if (n->dialect == SD_DIALECT_SMB1 && r->t->mode == EV_MODE_PROBE)
		ev_finding_evidence(f, "smbdiag speaks no SMB1 past NEGOTIATE, nor do current Windows clients (their "
				       "SMB1 client is removed by default): the walk stops here");
	else if (n->dialect != SD_DIALECT_SMB1)
		ev_finding_evidence(f, "%sthe client offered only SMB1 dialects", frames);
	if (c->session.plaintext_password) {
		const struct ev_step *ss = ev_last_step_const(c, SD_STEP_SESSION_SETUP);

		if (ss)
			rule_request_frame(r->t, ss, frames, sizeof(frames));
		else
			frames[0] = '\0';
		ev_finding_evidence(f, "%sthe client sent the password of %s in plain text: the server's NEGOTIATE "
				       "asked for no encrypted password (Samba: encrypt passwords = no), and anyone on "
				       "the path can read it",
				    frames, c->session.user[0] ? c->session.user : ev_finding_tr(f, "the user"));
	}
}

static void
validate_failed(struct rule_run *r, struct ev_connection *c)
{
	struct ev_finding *f;
	char frames[64], silence[160];
	unsigned i;

	for (i = 0; i < c->n_steps; i++) {
		const struct ev_step *s = &c->steps[i];

		if (s->problem != EV_PROBLEM_VALIDATE_MISMATCH)
			continue;
		rule_frames(r->t, s, frames, sizeof(frames));
		f = rule_finding(r, "negotiate.validate_failed", (int)c->id);
		ev_finding_evidence(f, "%sFSCTL_VALIDATE_NEGOTIATE_INFO after %s: %s", frames, sd_step_name(s->step),
				    s->detail[0] ? s->detail : ev_tr(r->t, "the answer differs from NEGOTIATE"));
		if (s->outcome == EV_CLOSED || s->outcome == EV_RESET) {
			rule_silence(r->t, c, s, silence, sizeof(silence));
			ev_finding_line(f, silence);
		}
	}
}

/* What the first bytes say about the service that sent them. */
static const char *
service_of(const char *escaped)
{
	static const struct {
		const char *prefix;
		const char *service;
	} banners[] = {
		{"SSH-", N_("an SSH server")},
		{"HTTP/", N_("a web server")},
		{"<!DOCTYPE", N_("a web server")},  /* an HTTP/0.9-style answer: the page alone */
		{"<html", N_("a web server")},
		{"\\x16\\x03", N_("a TLS service")},
		{"\\x15\\x03", N_("a TLS service")},
		{"220", N_("an FTP or mail server")},
		{"RFB ", N_("a VNC server")},
		{"+OK", N_("a POP3 server")},
		{"* OK", N_("an IMAP server")},
	};
	size_t i;

	for (i = 0; i < sizeof(banners) / sizeof(banners[0]); i++)
		if (strncasecmp(escaped, banners[i].prefix, strlen(banners[i].prefix)) == 0)
			return banners[i].service;
	return NULL;
}

/* The bytes that came back were not SMB: another service listens there. */
static void
not_smb(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	struct ev_finding *f = rule_finding(r, "negotiate.not_smb", (int)c->id);
	const char *service = service_of(c->foreign_answer);
	char frames[64];

	rule_frames(r->t, s, frames, sizeof(frames));
	if (c->foreign_first)
		ev_finding_evidence(f, "%s%s spoke first, before the client's NEGOTIATE, and it is not SMB: \"%s\"", frames,
				    c->server[0] ? c->server : ev_finding_tr(f, "the server"), c->foreign_answer);
	else
		ev_finding_evidence(f, "%sthe answer to NEGOTIATE from %s is not SMB: \"%s\"", frames,
				    c->server[0] ? c->server : ev_finding_tr(f, "the server"), c->foreign_answer);
	if (service)
		ev_finding_evidence(f, "it looks like %s", ev_finding_tr(f, service));
}

/* The name of an id inside a negotiate context of the given type. */
static void
context_id_text(uint16_t type, uint32_t id, char *buf, size_t cap)
{
	const char *name = NULL;

	switch (type) {
	case SMB2_PREAUTH_INTEGRITY_CAPABILITIES: name = smb2_hash_algorithm_name((uint16_t)id); break;
	case SMB2_ENCRYPTION_CAPABILITIES: name = smb2_cipher_name((uint16_t)id); break;
	case SMB2_SIGNING_CAPABILITIES: name = smb2_signing_algorithm_name((uint16_t)id); break;
	case SMB2_COMPRESSION_CAPABILITIES: name = smb2_compression_algorithm_name((uint16_t)id); break;
	default: break;
	}
	if (name)
		snprintf(buf, cap, "%s (0x%04x)", name, (unsigned)id);
	else
		snprintf(buf, cap, "0x%04x", (unsigned)id);
}

static void
context_fault(struct ev_finding *f, const struct smb2_negfault *x)
{
	const char *ctx = smb2_negotiate_context_name(x->context);
	char id[64];

	if (ctx == NULL)
		ctx = "?";
	switch (x->code) {
	case SMB2_NEGFAULT_CONTEXT_COUNT:
		if (x->context == SMB2_PREAUTH_INTEGRITY_CAPABILITIES && x->value == 0)
			ev_finding_evidence(f, "the SMB 3.1.1 answer has no %s context; it must have exactly one", ctx);
		else if (x->context == SMB2_PREAUTH_INTEGRITY_CAPABILITIES)
			ev_finding_evidence(f, "the SMB 3.1.1 answer has %u %s contexts; it must have exactly one",
					    (unsigned)x->value, ctx);
		else
			ev_finding_evidence(f, "the SMB 3.1.1 answer has %u %s contexts; at most one is allowed",
					    (unsigned)x->value, ctx);
		break;
	case SMB2_NEGFAULT_ID_COUNT:
		if (x->value == 0)
			ev_finding_evidence(f, "the %s context of the answer lists nothing", ctx);
		else
			ev_finding_evidence(f, "the %s context of the answer lists %u choices; it must list exactly one",
					    ctx, (unsigned)x->value);
		break;
	case SMB2_NEGFAULT_ID_NOT_OFFERED:
		context_id_text(x->context, x->value, id, sizeof(id));
		ev_finding_evidence(f, "the %s context of the answer chose %s, which the client did not offer", ctx, id);
		break;
	default:
		break;
	}
}

/* A successful answer that breaks MS-SMB2 3.2.5.2: Windows clients end
 * the connection on it (failure catalog C2, C3, C6). */
static void
invalid_response(struct rule_run *r, struct ev_connection *c, const struct ev_step *s)
{
	const struct smb2_negfaults *faults = &c->negotiate.faults;
	struct ev_finding *f = rule_finding(r, "negotiate.invalid_response", (int)c->id);
	char frames[64], req[256], d[16], sizes[160] = "";
	size_t used;
	uint8_t i;

	rule_frames(r->t, s, frames, sizeof(frames));
	request_text(r->t, &c->negotiate, req, sizeof(req));
	rule_line(f, "%s%s -> STATUS_SUCCESS", frames, req);
	for (i = 0; i < faults->n && i < SMB2_NEGFAULTS_MAX; i++) {
		const struct smb2_negfault *x = &faults->f[i];
		static const char *const size_field[] = {"MaxTransactSize", "MaxReadSize", "MaxWriteSize"};

		switch (x->code) {
		case SMB2_NEGFAULT_DIALECT:
			rule_dialect((uint16_t)x->value, d, sizeof(d));
			ev_finding_evidence(f, "the server chose dialect %s, which the client did not offer", d);
			break;
		case SMB2_NEGFAULT_MAX_TRANSACT:
		case SMB2_NEGFAULT_MAX_READ:
		case SMB2_NEGFAULT_MAX_WRITE:
			used = strlen(sizes);
			snprintf(sizes + used, sizeof(sizes) - used, "%s%s %u", used ? ", " : "",
				 size_field[x->code - SMB2_NEGFAULT_MAX_TRANSACT], (unsigned)x->value);
			break;
		default:
			context_fault(f, x);
			break;
		}
	}
	if (sizes[0])
		ev_finding_evidence(f, "%s: below 65536 bytes; Windows 8 and later end the connection (Windows Vista "
				       "SP1 to Server 2012 R2 only below 4096)", sizes);
	if (s->problem == EV_PROBLEM_NEGOTIATE_RULES)
		ev_finding_evidence(f, "the probe ended the connection there, as a Windows client does");
	else if ((c->closed_by_client || c->reset_by_client) && ev_last_step_const(c, SD_STEP_SESSION_SETUP) == NULL)
		ev_finding_evidence(f, "the client ended the connection after this answer, without SESSION_SETUP");
	dialect_experiments(r->t, (int)c->id, f);
}

void
rules_negotiate(struct rule_run *r, struct ev_connection *c)
{
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_NEGOTIATE);

	if (s) {
		switch (s->outcome) {
		case EV_NO_RESPONSE:
		case EV_CLOSED:
		case EV_RESET:
			unanswered(r, c, s);
			break;
		case EV_ANSWERED:
			if (s->status == RULE_ST_NOT_SUPPORTED ||
			    (c->negotiate.smb1_answered && c->negotiate.dialect != SD_DIALECT_SMB1))
				no_common_dialect(r, c, s);
			else if (s->status != RULE_ST_SUCCESS)
				refused_for_some_dialects(r, c, s);
			break;
		case EV_PROTOCOL_ERROR:
			if (s->problem == EV_PROBLEM_UNDECODABLE && c->foreign_answer[0])
				not_smb(r, c, s);
			break;
		default:
			break;
		}
		if (c->negotiate.faults.n > 0)
			invalid_response(r, c, s);
		smb1_in_use(r, c, s);
	}
	validate_failed(r, c);
}
