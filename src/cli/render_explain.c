#include "cli/render_explain.h"

#include <string.h>

#include "cli/i18n.h"
#include "cli/json.h"
#include "cli/text_columns.h"

#define WRAP_WIDTH 78

static const char *
step_label(enum sd_step step)
{
	switch (step) {
	case SD_STEP_TCP:
		return N_("TCP connect");
	case SD_STEP_NBSS:
		return N_("NetBIOS session");
	case SD_STEP_NEGOTIATE:
		return N_("NEGOTIATE");
	case SD_STEP_SESSION_SETUP:
		return N_("SESSION_SETUP");
	case SD_STEP_TREE_CONNECT:
		return N_("TREE_CONNECT");
	case SD_STEP_LOGOFF:
		return N_("LOGOFF");
	case SD_STEP__COUNT:
		break;
	}
	return "?";
}

static const char *
platform_label(enum sd_platform plat)
{
	switch (plat) {
	case SD_PLAT_WINDOWS:
		return N_("Windows");
	case SD_PLAT_SAMBA:
		return N_("Samba");
	case SD_PLAT_ANY:
		break;
	}
	return N_("Any");
}

void
render_code(const struct sd_code *code, char *buf, size_t size)
{
	switch (code->kind) {
	case SD_CODE_NTSTATUS:
		snprintf(buf, size, "0x%08X", code->value);
		return;
	case SD_CODE_KERBEROS:
		snprintf(buf, size, "krb:%u", code->value);
		return;
	case SD_CODE_NBSS:
		snprintf(buf, size, "nbss:0x%02X", code->value);
		return;
	case SD_CODE_FINDING:
		snprintf(buf, size, "%s", code->finding ? code->finding->id : "?");
		return;
	}
	snprintf(buf, size, "?");
}

/* Full-width commas, colons, stops and closing brackets (U+3001, U+3002,
 * U+FF09, U+FF0C, U+FF1A, U+FF1B) do not start a line. */
static bool
closing_punctuation(const char *p)
{
	static const char *const marks[] = {"\xe3\x80\x81", "\xe3\x80\x82", "\xef\xbc\x89",
					    "\xef\xbc\x8c", "\xef\xbc\x9a", "\xef\xbc\x9b"};
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strncmp(p, marks[i], 3) == 0)
			return true;
	return false;
}

/* Writes text wrapped at spaces, every line indented by indent columns
 * (the first by first_indent); words longer than a line stay whole. Wide
 * (CJK) characters are words of their own, so Chinese text, which has no
 * spaces, wraps between characters. */
static void
wrap(FILE *out, const char *text, int first_indent, int indent)
{
	const char *p = text, *word;
	int col, wcols, sep;
	bool line_empty = true, spaced;

	fprintf(out, "%*s", first_indent, "");
	col = first_indent;
	while (*p) {
		spaced = false;
		while (*p == ' ') {
			p++;
			spaced = true;
		}
		if (!*p)
			break;
		word = p;
		p += text_word(p, &wcols);
		sep = !line_empty && spaced ? 1 : 0;
		if (!line_empty && col + sep + wcols > WRAP_WIDTH && !closing_punctuation(word)) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			sep = 0;
		}
		if (sep)
			fputc(' ', out);
		fwrite(word, 1, (size_t)(p - word), out);
		col += sep + wcols;
		line_empty = false;
	}
	fputc('\n', out);
}

static void
heading(FILE *out, const char *title)
{
	fprintf(out, "\n%s\n", _(title));
}

static void
text_remedies(FILE *out, const struct sd_remedy *const *list, size_t n)
{
	char label[1024];  /* remedy texts run to ~200 bytes in English, 3 bytes a CJK character */
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "- [%s] %s", _(platform_label(list[i]->platform)), _(list[i]->text));
		wrap(out, label, 2, 4);
		if (list[i]->command)
			fprintf(out, "      %s\n", list[i]->command);
	}
}

static void
text_causes(FILE *out, const struct sd_explanation *ex)
{
	const struct sd_finding_def *def;
	char line[1024];
	size_t s, c, num = 0;

	for (s = 0; s < ex->n_steps; s++) {
		if (ex->n_steps > 1 && ex->steps[s].n_causes > 0)
			fprintf(out, "  %s\n", _(step_label(ex->steps[s].step)));
		for (c = 0; c < ex->steps[s].n_causes; c++) {
			const struct sd_explain_cause *cause = ex->steps[s].causes[c];

			snprintf(line, sizeof(line), "%zu. %s", ++num, _(cause->text));
			wrap(out, line, ex->n_steps > 1 ? 4 : 2, ex->n_steps > 1 ? 7 : 5);
			def = cause->finding_id ? sd_finding_find(cause->finding_id) : NULL;
			if (def) {
				snprintf(line, sizeof(line), "-> %s (%s): %s", def->id, sd_severity_name(def->severity),
					 _(def->title));
				wrap(out, line, ex->n_steps > 1 ? 7 : 5, ex->n_steps > 1 ? 10 : 8);
			}
		}
	}
}

static void
text_header(FILE *out, const struct sd_explanation *ex)
{
	char code[64];
	const struct sd_finding_def *def = ex->code.finding;

	render_code(&ex->code, code, sizeof(code));
	if (ex->code.kind == SD_CODE_FINDING) {
		fprintf(out, "%s: %s\n", def->id, _(def->title));
		fprintf(out, "  %s: %s, %s: %s\n", _("step"), _(step_label(def->step)), _("severity"),
			sd_severity_name(def->severity));
		return;
	}
	if (ex->name)
		fprintf(out, "%s (%s)\n", ex->name, code);
	else
		fprintf(out, "%s\n", code);
	if (ex->meaning)
		wrap(out, _(ex->meaning), 2, 2);
}

void
render_explain_text(FILE *out, const struct sd_explanation *ex)
{
	char line[1024], code[64];
	size_t i;

	text_header(out, ex);
	if (ex->normal)
		wrap(out, _("This is part of a normal exchange, not a fault."), 2, 2);
	if (ex->step_unmatched) {
		snprintf(line, sizeof(line), "%s (%s)",
			 _("Nothing specific is known for the step asked; every step is shown."),
			 _(step_label(ex->requested_step)));
		wrap(out, line, 2, 2);
	}
	if (ex->n_steps > 0) {
		heading(out, N_("Meaning"));
		for (i = 0; i < ex->n_steps; i++) {
			snprintf(line, sizeof(line), "%s: %s", _(step_label(ex->steps[i].step)),
				 _(ex->steps[i].meaning));
			wrap(out, line, 2, 4);
		}
	}
	if (ex->note) {
		heading(out, N_("Note"));
		wrap(out, _(ex->note), 2, 2);
	}
	if (ex->n_related > 0) {
		heading(out, N_("Seen as"));
		for (i = 0; i < ex->n_related; i++) {
			const char *name = sd_code_name(&ex->related[i].code);

			render_code(&ex->related[i].code, code, sizeof(code));
			fprintf(out, "  - %s%s%s%s %s %s\n", name ? name : code, name ? " (" : "", name ? code : "",
				name ? ")" : "", _("in"), _(step_label(ex->related[i].step)));
		}
	}
	for (i = 0; i < ex->n_steps; i++) {
		if (ex->steps[i].n_causes > 0) {
			heading(out, N_("Likely causes"));
			text_causes(out, ex);
			break;
		}
	}
	if (ex->n_checks > 0) {
		heading(out, N_("Checks"));
		text_remedies(out, ex->checks, ex->n_checks);
	}
	if (ex->n_fixes > 0) {
		heading(out, N_("Fixes"));
		text_remedies(out, ex->fixes, ex->n_fixes);
	}
	if (ex->n_refs > 0) {
		heading(out, N_("References"));
		for (i = 0; i < ex->n_refs; i++)
			fprintf(out, "  - %s\n", ex->refs[i]);
	}
}

/* ---- JSON ---- */

static void
json_remedies(struct cli_json *j, const char *key, const struct sd_remedy *const *list, size_t n)
{
	size_t i;

	cli_json_key(j, key);
	cli_json_begin_array(j);
	for (i = 0; i < n; i++) {
		cli_json_begin_object(j);
		cli_json_kv_string(j, "platform", sd_platform_name(list[i]->platform));
		cli_json_kv_string(j, "text", _(list[i]->text));
		if (list[i]->command)
			cli_json_kv_string(j, "command", list[i]->command);
		cli_json_end_object(j);
	}
	cli_json_end_array(j);
}

static const char *tr_if(bool translate, const char *english) __attribute__((format_arg(2)));

static const char *
tr_if(bool translate, const char *english)
{
	return translate ? _(english) : english;
}

void
render_finding_json_fields(struct cli_json *j, const struct sd_finding_def *def, bool translate)
{
	const struct sd_remedy *r;
	char line[1024];
	size_t i;

	cli_json_kv_string(j, "id", def->id);
	cli_json_kv_string(j, "severity", sd_severity_name(def->severity));
	cli_json_kv_string(j, "step", sd_step_name(def->step));
	cli_json_kv_string(j, "title", tr_if(translate, def->title));
	cli_json_kv_string(j, "cause", tr_if(translate, def->cause));
	cli_json_key(j, "remedy");
	cli_json_begin_array(j);
	for (r = def->remedies; r && r->text; r++) {
		const char *platform = tr_if(translate, platform_label(r->platform));

		if (r->command)
			snprintf(line, sizeof(line), "%s: %s %s", platform, tr_if(translate, r->text), r->command);
		else
			snprintf(line, sizeof(line), "%s: %s", platform, tr_if(translate, r->text));
		cli_json_string(j, line);
	}
	cli_json_end_array(j);
	cli_json_key(j, "refs");
	cli_json_begin_array(j);
	for (i = 0; def->refs && def->refs[i]; i++)
		cli_json_string(j, def->refs[i]);
	cli_json_end_array(j);
}

static void
json_finding(struct cli_json *j, const struct sd_finding_def *def)
{
	cli_json_begin_object(j);
	/* explain is read by people: its JSON speaks --lang (a UI shows it). */
	render_finding_json_fields(j, def, true);
	cli_json_end_object(j);
}

static void
json_steps(struct cli_json *j, const struct sd_explanation *ex)
{
	const struct sd_finding_def *def;
	size_t s, c;

	cli_json_key(j, "steps");
	cli_json_begin_array(j);
	for (s = 0; s < ex->n_steps; s++) {
		cli_json_begin_object(j);
		cli_json_kv_string(j, "step", sd_step_name(ex->steps[s].step));
		cli_json_kv_string(j, "meaning", _(ex->steps[s].meaning));
		cli_json_key(j, "causes");
		cli_json_begin_array(j);
		for (c = 0; c < ex->steps[s].n_causes; c++) {
			cli_json_begin_object(j);
			cli_json_kv_string(j, "text", _(ex->steps[s].causes[c]->text));
			def = sd_finding_find(ex->steps[s].causes[c]->finding_id);
			if (def) {
				cli_json_kv_string(j, "finding", def->id);
				cli_json_kv_string(j, "severity", sd_severity_name(def->severity));
				cli_json_kv_string(j, "title", _(def->title));
			}
			cli_json_end_object(j);
		}
		cli_json_end_array(j);
		cli_json_end_object(j);
	}
	cli_json_end_array(j);
}

/* Every finding the explanation points to, each once. */
static void
json_findings(struct cli_json *j, const struct sd_explanation *ex)
{
	const struct sd_finding_def *seen[64];
	size_t n = 0, s, c, k;

	cli_json_key(j, "findings");
	cli_json_begin_array(j);
	if (ex->code.kind == SD_CODE_FINDING)
		json_finding(j, ex->code.finding);
	for (s = 0; s < ex->n_steps; s++) {
		for (c = 0; c < ex->steps[s].n_causes; c++) {
			const struct sd_finding_def *def = sd_finding_find(ex->steps[s].causes[c]->finding_id);

			for (k = 0; def && k < n; k++)
				if (seen[k] == def)
					def = NULL;
			if (!def || n == sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[n++] = def;
			json_finding(j, def);
		}
	}
	cli_json_end_array(j);
}

static void
json_related(struct cli_json *j, const struct sd_explanation *ex)
{
	char code[64];
	size_t i;

	cli_json_key(j, "seen_as");
	cli_json_begin_array(j);
	for (i = 0; i < ex->n_related; i++) {
		render_code(&ex->related[i].code, code, sizeof(code));
		cli_json_begin_object(j);
		cli_json_kv_string(j, "code", code);
		cli_json_kv_string(j, "name", sd_code_name(&ex->related[i].code));
		cli_json_kv_string(j, "step", sd_step_name(ex->related[i].step));
		cli_json_end_object(j);
	}
	cli_json_end_array(j);
}

int
render_explain_json(FILE *out, const struct sd_explanation *ex, const char *query, bool pretty)
{
	struct cli_json j;
	char code[64];
	size_t i;

	render_code(&ex->code, code, sizeof(code));
	cli_json_init(&j, out, pretty);
	cli_json_begin_object(&j);
	cli_json_kv_string(&j, "tool", "smbdiag");
	cli_json_kv_string(&j, "version", SMBDIAG_VERSION);
	cli_json_kv_string(&j, "mode", "explain");
	cli_json_kv_string(&j, "query", query);
	cli_json_kv_string(&j, "kind", sd_code_kind_name(ex->code.kind));
	cli_json_kv_string(&j, "code", code);
	if (ex->code.kind != SD_CODE_FINDING)
		cli_json_kv_uint(&j, "value", ex->code.value);
	cli_json_kv_string(&j, "name", ex->name);
	cli_json_kv_string(&j, "meaning", _(ex->meaning));
	cli_json_kv_bool(&j, "normal", ex->normal);
	cli_json_kv_bool(&j, "specific", ex->specific);
	if (ex->step_requested) {
		cli_json_kv_string(&j, "requested_step", sd_step_name(ex->requested_step));
		cli_json_kv_bool(&j, "step_matched", !ex->step_unmatched);
	}
	if (ex->note)
		cli_json_kv_string(&j, "note", _(ex->note));
	json_steps(&j, ex);
	json_remedies(&j, "checks", ex->checks, ex->n_checks);
	json_remedies(&j, "fixes", ex->fixes, ex->n_fixes);
	cli_json_key(&j, "refs");
	cli_json_begin_array(&j);
	for (i = 0; i < ex->n_refs; i++)
		cli_json_string(&j, ex->refs[i]);
	cli_json_end_array(&j);
	if (ex->code.kind == SD_CODE_FINDING)
		json_related(&j, ex);
	json_findings(&j, ex);
	cli_json_end_object(&j);
	return cli_json_finish(&j);
}

/* ---- catalog listings ---- */

static void
markdown_remedies(FILE *out, const struct sd_finding_def *def, enum sd_remedy_kind kind, const char *title)
{
	const struct sd_remedy *r;
	bool any = false;

	for (r = def->remedies; r && r->text; r++) {
		if (r->kind != kind)
			continue;
		if (!any)
			fprintf(out, "%s\n\n", title);
		any = true;
		fprintf(out, "- %s: %s", platform_label(r->platform), r->text);
		if (r->command)
			fprintf(out, "\n  `%s`", r->command);
		fputc('\n', out);
	}
	if (any)
		fputc('\n', out);
}

static void
markdown_anchor(FILE *out, const char *id)
{
	for (; *id; id++)
		if (*id != '.')
			fputc(*id, out);
}

void
render_catalog_markdown(FILE *out)
{
	const struct sd_finding_def *defs;
	size_t n, i, k;

	defs = sd_finding_table(&n);
	fprintf(out, "# smbdiag finding catalog\n\n"
		     "<!-- Generated from src/diag/catalog_table.c by `smbdiag explain --catalog-markdown`.\n"
		     "     Do not edit: change the catalog and run `make docs`. -->\n\n"
		     "Every finding smbdiag reports, whichever front found it (probe, analyze, serve,\n"
		     "explain). Ids are stable and never reused. `smbdiag explain ID` prints one entry;\n"
		     "`smbdiag explain CODE` explains an NTSTATUS, a Kerberos error or a NetBIOS code.\n\n"
		     "| id | step | severity | title |\n|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		fprintf(out, "| [`%s`](#", defs[i].id);
		markdown_anchor(out, defs[i].id);
		fprintf(out, ") | %s | %s | %s |\n", sd_step_name(defs[i].step), sd_severity_name(defs[i].severity),
			defs[i].title);
	}
	for (i = 0; i < n; i++) {
		fprintf(out, "\n## `%s`\n\n**%s** (step `%s`, severity `%s`)\n\n%s\n\n", defs[i].id, defs[i].title,
			sd_step_name(defs[i].step), sd_severity_name(defs[i].severity), defs[i].cause);
		markdown_remedies(out, &defs[i], SD_REMEDY_CHECK, "Checks:");
		markdown_remedies(out, &defs[i], SD_REMEDY_FIX, "Fixes:");
		fprintf(out, "References:\n\n");
		for (k = 0; defs[i].refs && defs[i].refs[k]; k++)
			fprintf(out, "- %s\n", defs[i].refs[k]);
	}
}

void
render_catalog_list(FILE *out)
{
	const struct sd_finding_def *defs;
	size_t n, i;

	defs = sd_finding_table(&n);
	for (i = 0; i < n; i++)
		fprintf(out, "%-30s %-8s %-14s %s\n", defs[i].id, sd_severity_name(defs[i].severity),
			sd_step_name(defs[i].step), _(defs[i].title));
}

int
render_catalog_list_json(FILE *out, bool pretty)
{
	const struct sd_finding_def *defs;
	struct cli_json j;
	size_t n, i;

	defs = sd_finding_table(&n);
	cli_json_init(&j, out, pretty);
	cli_json_begin_array(&j);
	for (i = 0; i < n; i++) {
		cli_json_begin_object(&j);
		cli_json_kv_string(&j, "id", defs[i].id);
		cli_json_kv_string(&j, "step", sd_step_name(defs[i].step));
		cli_json_kv_string(&j, "severity", sd_severity_name(defs[i].severity));
		cli_json_kv_string(&j, "title", _(defs[i].title));
		cli_json_end_object(&j);
	}
	cli_json_end_array(&j);
	return cli_json_finish(&j);
}
