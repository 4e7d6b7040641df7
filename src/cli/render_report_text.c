/* The terminal report: per connection a ladder of steps, what the server
 * and the session showed, the experiments, then the findings with their
 * evidence, cause, remedies and references. Texts go through _(). */
#include "cli/render_report.h"

#include <string.h>

#include "cli/i18n.h"
#include "cli/render_report_internal.h"
#include "cli/render_report_notes.h"
#include "cli/text_columns.h"

#define WIDTH 78
#define LABEL_WIDTH 16
#define STEP_WIDTH 15

#define ANSI_RED "\033[31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_CYAN "\033[36m"
#define ANSI_GREEN "\033[32m"
#define ANSI_BOLD "\033[1m"
#define ANSI_OFF "\033[0m"

struct text_out {
	FILE *f;
	const struct render_opts *o;
};

static const char *
paint(const struct text_out *w, const char *ansi)
{
	return w->o && w->o->color ? ansi : "";
}

static const char *
severity_colour(enum sd_severity sev)
{
	return sev == SD_SEV_ERROR ? ANSI_RED : sev == SD_SEV_WARNING ? ANSI_YELLOW : ANSI_CYAN;
}

/* Evidence holds what peers sent (user names, paths): control characters
 * could drive the terminal, so they are shown as '?'. */
static void
put_safe(FILE *f, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fputc((unsigned char)p[i] < 0x20 || p[i] == 0x7F ? '?' : p[i], f);
}

/* Writes text wrapped at WIDTH, the first line after first columns
 * already used, the following ones indented by indent. */
static void
wrap(FILE *f, const char *text, int first, int indent)
{
	const char *p = text;
	int col = first, cols;
	bool empty = true;

	while (*p) {
		bool spaced = false;
		size_t n;

		while (*p == ' ') {
			p++;
			spaced = true;
		}
		if (!*p)
			break;
		n = text_word(p, &cols);
		if (!empty && col + (spaced ? 1 : 0) + cols > WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!empty && spaced) {
			fputc(' ', f);
			col++;
		}
		put_safe(f, p, n);
		col += cols;
		p += n;
		empty = false;
	}
	fputc('\n', f);
}

static void
field(const struct text_out *w, const char *label, const char *value)
{
	int used;

	if (!value || !*value)
		return;
	fputs("    ", w->f);
	used = 4 + text_pad(w->f, _(label), LABEL_WIDTH) + 1;
	fputc(' ', w->f);
	wrap(w->f, value, used, 4 + LABEL_WIDTH + 1);
}

static void
flags_text(const struct sd_flag_name *table, uint32_t value, char *buf, size_t cap)
{
	const char *names[REPORT_MAX_FLAGS];
	char spare[16];
	size_t n = report_flags(table, value, names, spare), i, used = 0;

	snprintf(buf, cap, "%s", n ? "" : "-");
	for (i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", names[i]);
}

static const char *
step_label(enum sd_step step)
{
	switch (step) {
	case SD_STEP_TCP:
		return N_("TCP connect");
	case SD_STEP_NBSS:
		return N_("NetBIOS session");
	case SD_STEP_NEGOTIATE:
		return "NEGOTIATE";
	case SD_STEP_SESSION_SETUP:
		return "SESSION_SETUP";
	case SD_STEP_TREE_CONNECT:
		return "TREE_CONNECT";
	case SD_STEP_LOGOFF:
		return "LOGOFF";
	case SD_STEP__COUNT:
		break;
	}
	return "?";
}

static const char *
outcome_label(enum ev_outcome o)
{
	switch (o) {
	case EV_NOT_SENT:
		return N_("not sent");
	case EV_NO_RESPONSE:
		return N_("no answer");
	case EV_CLOSED:
		return N_("closed by the server");
	case EV_RESET:
		return N_("reset by the server");
	case EV_REFUSED:
		return N_("refused");
	case EV_TIMEOUT:
		return N_("no answer to SYN");
	case EV_PROTOCOL_ERROR:
		return N_("unacceptable answer");
	case EV_LOCAL_ERROR:
		return N_("local failure");
	case EV_IN_PROGRESS:
		return N_("still waiting");
	case EV_ANSWERED:
	case EV_NBSS_REJECTED:
		break;
	}
	return "";
}

/* The second column of the ladder: what the step settled. */
static void
step_detail(const struct ev_connection *c, const struct ev_step *s, char *buf, size_t cap)
{
	buf[0] = '\0';
	/* The multi-protocol NEGOTIATE (SMB1) that a second, SMB2 one
	 * follows settled only "SMB2, dialect to come" (0x02FF). */
	if (s->step == SD_STEP_NEGOTIATE && s->outcome == EV_ANSWERED && strcmp(s->detail, "SMB1") == 0 &&
	    ev_last_step_const(c, SD_STEP_NEGOTIATE) != s)
		snprintf(buf, cap, "2.???");
	else if (s->step == SD_STEP_NEGOTIATE && s->outcome == EV_ANSWERED)
		report_dialect(c->negotiate.dialect, buf, cap);
	else if (s->step == SD_STEP_SESSION_SETUP && c->session.mechanism != EV_MECH_UNKNOWN)
		snprintf(buf, cap, "%s", ev_mechanism_name(c->session.mechanism));
}

/* label_width: the widest step label of the ladder (translated labels
 * are longer than 15 columns), so that durations and results line up. */
static void
ladder_line(const struct text_out *w, const struct ev_connection *c, const struct ev_step *s, int label_width)
{
	char detail[32], ms[32] = "-", code[16], result[160];
	const char *name;
	double t = report_step_ms(s);
	bool ok = report_step_ok(s);

	step_detail(c, s, detail, sizeof(detail));
	if (t >= 0)
		snprintf(ms, sizeof(ms), t < 1000 ? "%.1f ms" : "%.0f ms", t);
	if (s->outcome == EV_ANSWERED && (s->step == SD_STEP_TCP || s->step == SD_STEP_NBSS)) {
		snprintf(result, sizeof(result), "%s", _("ok"));
	} else if (s->outcome == EV_ANSWERED || s->outcome == EV_NBSS_REJECTED) {
		report_status(s, code, sizeof(code), &name);
		snprintf(result, sizeof(result), "%s", name ? name : code);
	} else if (s->problem == EV_PROBLEM_AUTH_REFUSED && s->response_at >= 0) {
		/* The server answered; its security token said no (a Kerberos
		 * error, a failed mutual authentication): not a broken answer. */
		report_status(s, code, sizeof(code), &name);
		snprintf(result, sizeof(result), "%s (%s)", name ? name : code, _("refused in the security token"));
	} else {
		snprintf(result, sizeof(result), "%s", _(outcome_label(s->outcome)));
	}
	if (s->problem != EV_PROBLEM_NONE && s->problem != EV_PROBLEM_AUTH_REFUSED)
		snprintf(result + strlen(result), sizeof(result) - strlen(result), " (%s)", ev_problem_name(s->problem));
	fputs("  ", w->f);
	text_pad(w->f, _(step_label(s->step)), label_width);
	fprintf(w->f, " %-9s %9s  %s%s%s", detail, ms, paint(w, ok ? ANSI_GREEN : ANSI_RED), result,
		paint(w, ANSI_OFF));
	if (s->frame_request && s->frame_response)
		fprintf(w->f, "  [%s %u, %u]", _("frames"), s->frame_request, s->frame_response);
	else if (s->frame_request || s->frame_response)
		fprintf(w->f, "  [%s %u]", _("frame"), s->frame_request ? s->frame_request : s->frame_response);
	fputc('\n', w->f);
	if (s->detail[0] && w->o && w->o->verbosity > 0) {
		char called[EV_TEXT];
		const char *said = s->detail;

		/* The JSON's detail stays English; the reader gets the label in
		 * the report's language. */
		if (s->step == SD_STEP_NBSS && c->called_name[0]) {
			snprintf(called, sizeof(called), _("called name %s<%02X>"), c->called_name, c->called_suffix);
			said = called;
		}
		fprintf(w->f, "  %*s ", label_width, "");
		put_safe(w->f, said, strlen(said));
		fputc('\n', w->f);
	}
}

static void
id_list(const uint16_t *ids, size_t n, const char *(*name_of)(uint16_t), char *buf, size_t cap)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && i < EV_MAX_IDS && used < cap; i++) {
		const char *name = name_of(ids[i]);

		if (name)
			used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", name);
		else
			used += (size_t)snprintf(buf + used, cap - used, "%s0x%04X", i ? ", " : "", ids[i]);
	}
}

static const char *
dialect_or_hex(uint16_t id)
{
	return smb2_dialect_name(id);
}

static void
server_profile(const struct text_out *w, const struct ev_negotiate *n)
{
	char buf[512], one[64];
	size_t i, used = 0;

	fprintf(w->f, "  %s\n", _("Server"));
	report_dialect(n->dialect, one, sizeof(one));
	id_list(n->client_dialects, n->n_client_dialects, dialect_or_hex, buf, sizeof(buf));
	if (n->seen_response && one[0]) {
		char line[600];

		snprintf(line, sizeof(line), "%s%s%s%s", one, buf[0] ? " (" : "", buf[0] ? _("client offered ") : "",
			 buf);
		if (buf[0])
			strncat(line, ")", sizeof(line) - strlen(line) - 1);
		field(w, N_("dialect"), line);
	} else if (buf[0]) {
		field(w, N_("client offered"), buf);
	}
	if (n->smb1_negotiate)
		field(w, N_("SMB1 negotiate"), n->smb1_offers_smb2 ? _("yes, offering SMB2") : _("yes, SMB1 dialects only"));
	if (!n->seen_response)
		return;
	flags_text(report_server_flags(n, smb2_security_mode_names), n->server_security_mode, buf, sizeof(buf));
	field(w, N_("security mode"), buf);
	flags_text(report_server_flags(n, smb2_capability_names), n->server_capabilities, buf, sizeof(buf));
	field(w, N_("capabilities"), buf);
	if (n->has_cipher) {
		const char *name = n->cipher ? smb2_cipher_name(n->cipher) : _("none in common");

		field(w, N_("cipher"), name ? name : "?");
	}
	if (n->has_signing_alg)
		field(w, N_("signing"), smb2_signing_algorithm_name(n->signing_alg));
	if (n->has_server_guid) {
		report_guid(n->server_guid, buf, sizeof(buf));
		field(w, N_("server GUID"), buf);
	}
	if (n->has_server_time && report_iso_time(report_filetime_unix(n->server_time), one, sizeof(one))) {
		if (n->has_clock_skew)
			snprintf(buf, sizeof(buf), "%s (%s %+.1f s)", one, _("clock skew"), n->clock_skew_s);
		else
			snprintf(buf, sizeof(buf), "%s", one);
		field(w, N_("server time"), buf);
	}
	buf[0] = '\0';
	for (i = 0; i < n->n_server_mechs && i < sizeof(n->server_mechs) && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? ", " : "",
					 report_mech_name(n->server_mechs[i]));
	field(w, N_("mechanisms"), buf);
}

static void
session_profile(const struct text_out *w, const struct ev_session *s)
{
	char buf[EV_LONG_TEXT + 64];

	fprintf(w->f, "  %s\n", _("Session"));
	if (s->mechanism != EV_MECH_UNKNOWN) {
		snprintf(buf, sizeof(buf), "%s%s%s%s", ev_mechanism_name(s->mechanism),
			 s->ntlm_version != EV_NTLM_UNKNOWN ? " (" : "",
			 s->ntlm_version != EV_NTLM_UNKNOWN ? ev_ntlm_version_name(s->ntlm_version) : "",
			 s->ntlm_version != EV_NTLM_UNKNOWN ? ")" : "");
		field(w, N_("mechanism"), buf);
	}
	if (s->user[0] || s->domain[0]) {
		snprintf(buf, sizeof(buf), "%s%s%s", s->domain, s->domain[0] ? "\\" : "", s->user);
		field(w, N_("user"), buf);
	}
	field(w, N_("workstation"), s->workstation);
	field(w, N_("target name"), s->target_name);
	if (s->server_nb_computer[0] || s->server_dns_computer[0] || s->server_nb_domain[0]) {
		snprintf(buf, sizeof(buf), "%s%s%s%s%s%s", s->server_nb_computer,
			 s->server_nb_computer[0] && s->server_dns_computer[0] ? " / " : "", s->server_dns_computer,
			 s->server_nb_domain[0] ? " (" : "", s->server_nb_domain, s->server_nb_domain[0] ? ")" : "");
		field(w, N_("server names"), buf);
	}
	if (s->has_flags) {
		flags_text(smb2_session_flag_names, s->session_flags, buf, sizeof(buf));
		field(w, N_("session flags"), buf);
	}
	if (s->session_id) {
		snprintf(buf, sizeof(buf), "0x%016llX", (unsigned long long)s->session_id);
		field(w, N_("session id"), buf);
	}
	snprintf(buf, sizeof(buf), "%s %s, %s %s%s", _("signed"), s->signed_traffic ? _("yes") : _("no"), _("encrypted"),
		 s->encrypted_traffic ? _("yes") : _("no"), s->signing_required ? _(", signing required") : "");
	field(w, N_("protection"), buf);
}

static void
tree_profile(const struct text_out *w, const struct ev_tree *t)
{
	char buf[512];
	const char *type;

	fprintf(w->f, "  %s\n", _("Tree"));
	field(w, N_("path"), t->path);
	if (t->has_share) {
		type = smb2_share_type_name(t->share_type);
		field(w, N_("share type"), type ? type : "?");
		flags_text(smb2_share_flag_names, t->share_flags, buf, sizeof(buf));
		field(w, N_("share flags"), buf);
		flags_text(smb2_share_capability_names, t->share_capabilities, buf, sizeof(buf));
		field(w, N_("capabilities"), buf);
	}
}

/* The experiment's name as the report's language has it: English keeps
 * the JSON's kind, so that a text report and a JSON one name it alike. */
static const char *
experiment_label(enum ev_experiment_kind kind)
{
	/* TRANSLATORS: the follow-up experiments' names, as JSON spells them
	 * ("kind"); translate them as short labels. */
	static const char *const labels[] = {
		[EV_EXP_DIALECT_ALONE] = N_("dialect_alone"),
		[EV_EXP_ENCRYPTED_RETRY] = N_("encrypted_retry"),
		[EV_EXP_SHARE_LIST] = N_("share_list"),
		[EV_EXP_NTLM_INSTEAD] = N_("ntlm_instead"),
		[EV_EXP_SMB1_ONLY] = N_("smb1_only"),
		[EV_EXP_GUEST] = N_("guest"),
		[EV_EXP_NBSS_SMBSERVER] = N_("nbss_smbserver"),
		[EV_EXP_KDC_CHECK] = N_("kdc_check"),
		[EV_EXP_OTHER_ADDRESS] = N_("other_address"),
		[EV_EXP_OWN_NAME] = N_("own_name"),
	};

	if ((size_t)kind < sizeof(labels) / sizeof(labels[0]) && labels[kind])
		return _(labels[kind]);
	return ev_experiment_name(kind);
}

static void
experiments(const struct text_out *w, const struct ev_timeline *t, int connection)
{
	char line[EV_LONG_TEXT + 128], d[16], code[16];
	bool any = false;
	size_t i;

	for (i = 0; i < t->n_exps; i++) {
		const struct ev_experiment *e = &t->exps[i];
		const char *st = sd_ntstatus_name(e->status);

		if (!report_belongs(t, e->connection, connection))
			continue;
		if (!any)
			fprintf(w->f, "  %s\n", _("Experiments"));
		any = true;
		report_dialect(e->dialect, d, sizeof(d));
		snprintf(code, sizeof(code), "0x%08X", e->status);
		snprintf(line, sizeof(line), "%s%s%s: %s (%s%s%s)%s%s", experiment_label(e->kind), d[0] ? " " : "", d,
			 e->ok ? _("ok") : _("failed"), sd_step_name(e->step),
			 e->outcome == EV_ANSWERED ? " " : "",
			 e->outcome == EV_ANSWERED ? (st ? st : code) : "", e->detail[0] ? " - " : "", e->detail);
		fprintf(w->f, "    - ");
		wrap(w->f, line, 6, 8);
	}
}

static void
kerberos_lines(const struct text_out *w, const struct ev_timeline *t, int connection)
{
	char line[EV_LONG_TEXT * 2];
	bool any = false;
	size_t i;

	for (i = 0; i < t->n_krb; i++) {
		const struct ev_kerberos *k = &t->krb[i];

		if (!report_belongs(t, k->connection, connection))
			continue;
		if (!any)
			fprintf(w->f, "  %s\n", _("Kerberos"));
		any = true;
		report_kerberos_line(k, line, sizeof(line));
		if (k->at >= 0)
			fprintf(w->f, "    %9.4f s  ", k->at);
		else
			fprintf(w->f, "    %9s    ", "");
		wrap(w->f, line, 19, 21);
	}
}

static void
finding_text(const struct text_out *w, const struct ev_finding *f)
{
	const struct sd_finding_def *def = f->def;
	const struct sd_remedy *r;
	char label[1024];
	unsigned i;

	fprintf(w->f, "\n  %s%s%-7s%s %s%s: ", paint(w, severity_colour(def->severity)), paint(w, ANSI_BOLD),
		sd_severity_name(def->severity), paint(w, ANSI_OFF), def->id, "");
	wrap(w->f, _(def->title), 12 + (int)strlen(def->id), 6);
	if (f->n_evidence) {
		fprintf(w->f, "    %s\n", _("Evidence:"));
		for (i = 0; i < f->n_evidence && i < EV_MAX_EVIDENCE; i++) {
			fprintf(w->f, "      - ");
			wrap(w->f, f->evidence[i], 8, 8);
		}
	}
	fprintf(w->f, "    %s ", _("Cause:"));
	wrap(w->f, _(def->cause), 5 + text_columns(_("Cause:")), 6);
	if (def->remedies && def->remedies->text)
		fprintf(w->f, "    %s\n", _("Remedies:"));
	for (r = def->remedies; r && r->text; r++) {
		snprintf(label, sizeof(label), "- [%s] %s",
			 r->platform == SD_PLAT_WINDOWS ? _("Windows") : r->platform == SD_PLAT_SAMBA ? _("Samba") : _("Any"),
			 _(r->text));
		fprintf(w->f, "      ");
		wrap(w->f, label, 6, 8);
		if (r->command)
			fprintf(w->f, "          %s\n", r->command);
	}
	if (def->refs && def->refs[0]) {
		fprintf(w->f, "    %s\n", _("References:"));
		for (i = 0; def->refs[i]; i++)
			fprintf(w->f, "      - %s\n", def->refs[i]);
	}
}

static void
findings_of(const struct text_out *w, const struct ev_timeline *t, int connection)
{
	size_t i;

	for (i = 0; i < t->n_findings; i++)
		if (report_belongs(t, t->findings[i].connection, connection))
			finding_text(w, &t->findings[i]);
}

/* What the capture hid or lacked, right under the ladder it explains. */
static void
capture_notes(const struct text_out *w, const struct ev_connection *c)
{
	struct report_capture_view v;
	unsigned i;

	report_capture_view(c, &v, true);
	if (v.n_notes == 0)
		return;
	fprintf(w->f, "  %s\n", _("Capture notes"));
	for (i = 0; i < v.n_notes; i++) {
		fprintf(w->f, "    - ");
		wrap(w->f, v.notes[i], 6, 6);
	}
}

static void
connection_text(const struct text_out *w, const struct ev_timeline *t, const struct ev_connection *c)
{
	char start[48];
	unsigned i;
	int label_width = STEP_WIDTH;

	char head[sizeof(c->client) + sizeof(c->server) + sizeof(c->server_name) + sizeof(c->canonical_name) + 96] = "";
	size_t used = 0;

	if (c->client[0] || c->server[0])
		used += (size_t)snprintf(head, sizeof(head), ": %s -> %s", c->client[0] ? c->client : "?",
					 c->server[0] ? c->server : "?");
	if (c->server_name[0] && used < sizeof(head))
		used += (size_t)snprintf(head + used, sizeof(head) - used, " (%s%s%s)", c->server_name,
					 c->canonical_name[0] ? _(", a DNS alias of ") : "", c->canonical_name);
	if (report_iso_time(c->start_unix, start, sizeof(start)) && used < sizeof(head))
		used += (size_t)snprintf(head + used, sizeof(head) - used, ", %s", start);
	/* Wireshark's filter for the same connection. */
	if (c->has_tcp_stream && used < sizeof(head))
		snprintf(head + used, sizeof(head) - used, ", tcp.stream == %u", c->tcp_stream);
	fprintf(w->f, "%s%s %u%s", paint(w, ANSI_BOLD), _("Connection"), c->id, paint(w, ANSI_OFF));
	put_safe(w->f, head, strlen(head));
	fputc('\n', w->f);
	for (i = 0; i < c->n_steps && i < EV_MAX_STEPS; i++) {
		int cols = text_columns(_(step_label(c->steps[i].step)));

		label_width = cols > label_width ? cols : label_width;
	}
	for (i = 0; i < c->n_steps && i < EV_MAX_STEPS; i++)
		ladder_line(w, c, &c->steps[i], label_width);
	capture_notes(w, c);
	if (c->negotiate.seen_request || c->negotiate.seen_response)
		server_profile(w, &c->negotiate);
	if (c->session.seen)
		session_profile(w, &c->session);
	if (c->tree.seen)
		tree_profile(w, &c->tree);
	kerberos_lines(w, t, (int)c->id);
	experiments(w, t, (int)c->id);
	findings_of(w, t, (int)c->id);
	fputc('\n', w->f);
}

static bool
any_unattached(const struct ev_timeline *t)
{
	size_t i;

	for (i = 0; i < t->n_findings; i++)
		if (report_unattached(t, t->findings[i].connection))
			return true;
	for (i = 0; i < t->n_krb; i++)
		if (report_unattached(t, t->krb[i].connection))
			return true;
	for (i = 0; i < t->n_exps; i++)
		if (report_unattached(t, t->exps[i].connection))
			return true;
	return false;
}

static void
summary(const struct text_out *w, const struct ev_timeline *t)
{
	size_t n[3] = {0, 0, 0}, i;

	/* A report without findings may still have seen only half the story. */
	if ((i = report_hidden_connections(t, w->o)) > 0)
		fprintf(w->f, "%s: %zu\n", _("Connections whose later steps SMB3 encryption hid (see their capture notes)"), i);

	for (i = 0; i < t->n_findings; i++)
		if (report_want_connection(w->o, t->findings[i].connection) &&
		    (unsigned)t->findings[i].def->severity < 3)
			n[t->findings[i].def->severity]++;
	if (n[SD_SEV_ERROR] + n[SD_SEV_WARNING] + n[SD_SEV_INFO] == 0) {
		fprintf(w->f, "%s\n", _("No problem found."));
		return;
	}
	fprintf(w->f, "%s: %zu %s, %zu %s, %zu %s\n", _("Findings"), n[SD_SEV_ERROR],
		cli_trn("error", "errors", n[SD_SEV_ERROR]), n[SD_SEV_WARNING],
		cli_trn("warning", "warnings", n[SD_SEV_WARNING]), n[SD_SEV_INFO], cli_trn("note", "notes", n[SD_SEV_INFO]));
	if (t->dropped)
		fprintf(w->f, "%s: %zu\n", _("Records dropped over the limits"), t->dropped);
}

int
render_report_text(FILE *out, const struct ev_timeline *t, const struct render_opts *o)
{
	struct text_out w = {out, o};
	size_t i;

	for (i = 0; i < t->n_conns; i++)
		if (report_want_connection(o, (int)i))
			connection_text(&w, t, &t->conns[i]);
	if ((!o || o->only_connection < 0) && any_unattached(t)) {
		fprintf(out, "%s\n", _("Not tied to a connection"));
		kerberos_lines(&w, t, -1);
		experiments(&w, t, -1);
		findings_of(&w, t, -1);
		fputc('\n', out);
	}
	summary(&w, t);
	return ferror(out) ? -1 : 0;
}
