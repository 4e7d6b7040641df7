/* Explain: parse a code as people type it, and assemble the explanation
 * from the knowledge rows and the finding catalog. */
#include "diag/explain.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/wire/names.h"
#include "diag/explain_table.h"
#include "diag/suggest.h"

/* Kerberos codes without their own row still have a catch-all finding. */
static const struct sd_explain_cause kerberos_other_causes[] = {
	{"kerberos.other",
	 N_("A Kerberos error after pre-authentication: read the error's e-data (KERB-EXT-ERROR) and the "
	    "KDC's log for the precise reason.")},
	{NULL, NULL},
};

static const char *const generic_refs[] = {"MS-ERREF 2.3.1", "MS-SMB2 3.3.4.4", NULL};
static const char *const krb_refs[] = {"RFC 4120 7.5.9", NULL};
static const char *const nbss_refs[] = {"RFC 1002 4.3.4", NULL};

const char *
sd_code_kind_name(enum sd_code_kind kind)
{
	switch (kind) {
	case SD_CODE_NTSTATUS:
		return "ntstatus";
	case SD_CODE_KERBEROS:
		return "kerberos";
	case SD_CODE_NBSS:
		return "nbss";
	case SD_CODE_FINDING:
		return "finding";
	}
	return "?";
}

static bool
has_knowledge(enum sd_code_kind kind, uint32_t value)
{
	size_t i;

	for (i = 0; i < sd_explain_rows_count; i++)
		if (sd_explain_rows[i].kind == kind && sd_explain_rows[i].value == value)
			return true;
	return false;
}

const char *
sd_code_name(const struct sd_code *code)
{
	switch (code->kind) {
	case SD_CODE_NTSTATUS:
		return sd_ntstatus_name(code->value);
	case SD_CODE_KERBEROS:
		return krb_error_name((int32_t)code->value);
	case SD_CODE_NBSS:
		return code->value <= 0xFF ? nbss_error_name((uint8_t)code->value) : NULL;
	case SD_CODE_FINDING:
		return code->finding ? code->finding->id : NULL;
	}
	return NULL;
}

static bool
known(enum sd_code_kind kind, uint32_t value)
{
	struct sd_code c = {kind, value, NULL};

	return sd_code_name(&c) != NULL || has_knowledge(kind, value);
}

/* Strict number parsing: the whole text must be digits of the base. */
static bool
parse_number(const char *text, int base, unsigned long long *out)
{
	char *end;

	if (!*text || isspace((unsigned char)*text) || *text == '-' || *text == '+')
		return false;
	errno = 0;
	*out = strtoull(text, &end, base);
	return errno == 0 && *end == '\0';
}

static bool
prefix_cut(const char **text, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncasecmp(*text, prefix, n) != 0)
		return false;
	*text += n;
	return true;
}

static enum sd_err
found(struct sd_code *code, enum sd_code_kind kind, uint32_t value)
{
	code->kind = kind;
	code->value = value;
	code->finding = NULL;
	return known(kind, value) ? SD_OK : SD_ERR_NOT_FOUND;
}

static enum sd_err
parse_kerberos(const char *text, struct sd_code *code)
{
	unsigned long long v;
	int32_t krb;

	if (parse_number(text, 10, &v))
		return v <= 255 ? found(code, SD_CODE_KERBEROS, (uint32_t)v) : SD_ERR_INVALID_ARG;
	/* MIT spells KDC_ERR_X as KRB5KDC_ERR_X and KRB_AP_ERR_X as KRB5KRB_AP_ERR_X. */
	if (strncasecmp(text, "KRB5KDC_", 8) == 0 || strncasecmp(text, "KRB5KRB_", 8) == 0)
		text += 4;
	if (krb_error_lookup(text, &krb) && krb >= 0)
		return found(code, SD_CODE_KERBEROS, (uint32_t)krb);
	return SD_ERR_NOT_FOUND;
}

static enum sd_err
parse_nbss(const char *text, struct sd_code *code)
{
	unsigned long long v;
	uint8_t nb;

	if ((prefix_cut(&text, "0x") && parse_number(text, 16, &v)) || parse_number(text, 10, &v))
		return v <= 0xFF ? found(code, SD_CODE_NBSS, (uint32_t)v) : SD_ERR_INVALID_ARG;
	if (nbss_error_lookup(text, &nb))
		return found(code, SD_CODE_NBSS, nb);
	return SD_ERR_NOT_FOUND;
}

static bool
looks_like_finding_id(const char *text)
{
	const char *dot = strchr(text, '.');
	const char *p;

	if (!dot || dot == text || dot[1] == '\0' || strchr(dot + 1, '.'))
		return false;
	for (p = text; *p; p++)
		if (p != dot && !(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
			return false;
	return true;
}

static enum sd_err
parse_number_code(const char *text, struct sd_code *code)
{
	const char *digits = text;
	unsigned long long v;
	long long neg;
	char *end;

	if (prefix_cut(&digits, "0x")) {
		if (!parse_number(digits, 16, &v) || v > 0xFFFFFFFFull)
			return SD_ERR_INVALID_ARG;
		if (strlen(digits) <= 2 && v >= 0x80)
			return found(code, SD_CODE_NBSS, (uint32_t)v);
		return found(code, SD_CODE_NTSTATUS, (uint32_t)v);
	}
	if (strlen(text) == 8 && parse_number(text, 16, &v))
		return found(code, SD_CODE_NTSTATUS, (uint32_t)v);
	if (parse_number(text, 10, &v)) {
		if (v <= 255)
			return found(code, SD_CODE_KERBEROS, (uint32_t)v);
		if (v <= 0xFFFFFFFFull)
			return found(code, SD_CODE_NTSTATUS, (uint32_t)v);
		return SD_ERR_INVALID_ARG;
	}
	if (text[0] == '-' && isdigit((unsigned char)text[1])) {
		errno = 0;
		neg = strtoll(text, &end, 10);
		if (errno || *end || neg < INT32_MIN)
			return SD_ERR_INVALID_ARG;
		return found(code, SD_CODE_NTSTATUS, (uint32_t)(int32_t)neg);
	}
	return SD_ERR_INVALID_ARG;
}

enum sd_err
sd_code_parse(const char *text, struct sd_code *code)
{
	uint32_t nt;
	enum sd_err err;

	if (!text || !code || !*text)
		return SD_ERR_INVALID_ARG;
	memset(code, 0, sizeof(*code));
	if (prefix_cut(&text, "krb:") || prefix_cut(&text, "kerberos:"))
		return parse_kerberos(text, code);
	if (prefix_cut(&text, "nbss:") || prefix_cut(&text, "netbios:"))
		return parse_nbss(text, code);
	if (prefix_cut(&text, "nt:") || prefix_cut(&text, "ntstatus:")) {
		/* The prefix settles the kind whatever the number looks like. */
		if (parse_number_code(text, code) != SD_ERR_INVALID_ARG)
			return found(code, SD_CODE_NTSTATUS, code->value);
		return sd_ntstatus_lookup(text, &nt) ? found(code, SD_CODE_NTSTATUS, nt) : SD_ERR_NOT_FOUND;
	}
	if (isxdigit((unsigned char)text[0]) || text[0] == '-') {
		err = parse_number_code(text, code);
		if (err != SD_ERR_INVALID_ARG || !isalpha((unsigned char)text[0]))
			return err;
	}
	if (looks_like_finding_id(text)) {
		code->kind = SD_CODE_FINDING;
		code->finding = sd_finding_find(text);
		return code->finding ? SD_OK : SD_ERR_NOT_FOUND;
	}
	for (const char *p = text; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return SD_ERR_INVALID_ARG;
	if (sd_ntstatus_lookup(text, &nt))
		return found(code, SD_CODE_NTSTATUS, nt);
	if (parse_kerberos(text, code) == SD_OK)
		return SD_OK;
	if (parse_nbss(text, code) == SD_OK)
		return SD_OK;
	memset(code, 0, sizeof(*code));
	return SD_ERR_NOT_FOUND;
}

/* ---- close names for a code not known ---- */

/* The prefixes a table's names carry and sd_code_parse also takes
 * without (BAD_NETWORK_NAME, PREAUTH_FAILED). */
static const char *const name_prefixes[] = {"STATUS_", "KDC_ERR_", "KRB_AP_ERR_", "KRB_ERR_"};

static const char *
without_prefix(const char *name)
{
	size_t i, n;

	for (i = 0; i < sizeof(name_prefixes) / sizeof(name_prefixes[0]); i++) {
		n = strlen(name_prefixes[i]);
		if (strncasecmp(name, name_prefixes[i], n) == 0)
			return name + n;
	}
	return name;
}

/* The query as the tables spell names: NT_STATUS_X is STATUS_X, MIT's
 * KRB5KDC_ERR_X is KDC_ERR_X. */
static void
suggest_query(const char *text, char *buf, size_t cap)
{
	if (!prefix_cut(&text, "nt:") && !prefix_cut(&text, "ntstatus:") && !prefix_cut(&text, "krb:"))
		prefix_cut(&text, "kerberos:");
	if (strncasecmp(text, "NT_STATUS_", 10) == 0 || strncasecmp(text, "KRB5KDC_ERR_", 12) == 0 ||
	    strncasecmp(text, "KRB5KRB_", 8) == 0)
		text += strncasecmp(text, "NT_", 3) == 0 ? 3 : 4;
	snprintf(buf, cap, "%s", text);
}

size_t
sd_code_suggest(const char *text, const char **out, size_t max)
{
	const struct sd_status_info *st;
	const struct krb_error_info *krb;
	const struct sd_finding_def *defs;
	const char **shown, **match;
	size_t n_st, n_krb, n_defs, n = 0, i, got = 0;
	size_t idx[8];
	char query[SD_SUGGEST_MAX_CHARS * 4 + 1];
	bool whole;

	if (!text || !out || max == 0)
		return 0;
	suggest_query(text, query, sizeof(query));
	if (!isalpha((unsigned char)query[0]))
		return 0;
	/* Compare like with like: a name typed with its prefix against the
	 * full names, one typed without against the names without. */
	whole = without_prefix(query) != query;
	st = sd_ntstatus_table(&n_st);
	krb = krb_error_table(&n_krb);
	defs = sd_finding_table(&n_defs);
	shown = malloc((n_st + n_krb + n_defs) * sizeof(*shown));
	match = malloc((n_st + n_krb + n_defs) * sizeof(*match));
	if (shown && match) {
		for (i = 0; i < n_defs; i++, n++)
			shown[n] = match[n] = defs[i].id;
		for (i = 0; i < n_st; i++, n++) {
			shown[n] = st[i].name;
			match[n] = st[i].name && !whole ? without_prefix(st[i].name) : st[i].name;
		}
		for (i = 0; i < n_krb; i++, n++) {
			shown[n] = krb[i].name;
			match[n] = krb[i].name && !whole ? without_prefix(krb[i].name) : krb[i].name;
		}
		got = sd_suggest(query, match, n, idx, max < 8 ? max : 8);
		for (i = 0; i < got; i++)
			out[i] = shown[idx[i]];
	}
	free(shown);
	free(match);
	return got;
}

/* ---- assembling an explanation ---- */

static void
add_ref(struct sd_explanation *out, const char *ref)
{
	size_t i;

	for (i = 0; i < out->n_refs; i++)
		if (strcmp(out->refs[i], ref) == 0)
			return;
	if (out->n_refs == SD_EXPLAIN_MAX_REFS) {
		out->truncated = true;
		return;
	}
	out->refs[out->n_refs++] = ref;
}

static void
add_refs(struct sd_explanation *out, const char *const *refs)
{
	while (refs && *refs)
		add_ref(out, *refs++);
}

static bool
same_remedy(const struct sd_remedy *a, const struct sd_remedy *b)
{
	if (a == b)
		return true;
	if (a->platform != b->platform || strcmp(a->text, b->text) != 0)
		return false;
	if (!a->command || !b->command)
		return a->command == b->command;
	return strcmp(a->command, b->command) == 0;
}

/* Two findings often suggest the same command (testparm, Get-SmbServerConfiguration):
 * keep the first, so the list reads as one plan. */
static void
add_remedy(struct sd_explanation *out, const struct sd_remedy *r)
{
	const struct sd_remedy **list = r->kind == SD_REMEDY_FIX ? out->fixes : out->checks;
	size_t *n = r->kind == SD_REMEDY_FIX ? &out->n_fixes : &out->n_checks;
	size_t i;

	for (i = 0; i < *n; i++)
		if (same_remedy(list[i], r) || (r->command && list[i]->command &&
						strcasecmp(list[i]->command, r->command) == 0))
			return;
	if (*n == SD_EXPLAIN_MAX_REMEDIES) {
		out->truncated = true;
		return;
	}
	list[(*n)++] = r;
}

static void
add_remedies(struct sd_explanation *out, const struct sd_remedy *list)
{
	while (list && list->text)
		add_remedy(out, list++);
}

static void
add_finding(struct sd_explanation *out, const struct sd_finding_def *def)
{
	if (!def)
		return;
	add_remedies(out, def->remedies);
	add_refs(out, def->refs);
}

static void
add_entry(struct sd_explanation *out, const struct sd_explain_entry *e)
{
	struct sd_explain_step *s;
	const struct sd_explain_cause *c;

	if (out->n_steps == SD_EXPLAIN_MAX_STEPS) {
		out->truncated = true;
		return;
	}
	s = &out->steps[out->n_steps++];
	s->step = e->step;
	s->meaning = e->meaning;
	s->n_causes = 0;
	add_refs(out, e->refs);
	for (c = e->causes; c && c->text; c++) {
		if (s->n_causes == SD_EXPLAIN_MAX_CAUSES) {
			out->truncated = true;
			break;
		}
		s->causes[s->n_causes++] = c;
		if (c->finding_id)
			add_finding(out, sd_finding_find(c->finding_id));
	}
	add_remedies(out, e->remedies);
	if (e->normal)
		out->normal = true;
}

/* Rows in step order, so "all steps" reads as the connection unfolds. */
static size_t
add_rows(struct sd_explanation *out, const enum sd_step *step)
{
	size_t i, added = 0;
	int st;

	for (st = 0; st < SD_STEP__COUNT; st++) {
		if (step && *step != (enum sd_step)st)
			continue;
		for (i = 0; i < sd_explain_rows_count; i++) {
			const struct sd_explain_entry *e = &sd_explain_rows[i];

			if (e->kind == out->code.kind && e->value == out->code.value && e->step == (enum sd_step)st) {
				add_entry(out, e);
				added++;
			}
		}
	}
	return added;
}

static void
add_related(struct sd_explanation *out, const char *finding_id)
{
	size_t i, k;

	for (i = 0; i < sd_explain_rows_count; i++) {
		const struct sd_explain_entry *e = &sd_explain_rows[i];
		const struct sd_explain_cause *c;
		bool dup = false;

		for (c = e->causes; c && c->text; c++)
			if (c->finding_id && strcmp(c->finding_id, finding_id) == 0)
				break;
		if (!c || !c->text)
			continue;
		for (k = 0; k < out->n_related; k++)
			if (out->related[k].code.kind == e->kind && out->related[k].code.value == e->value &&
			    out->related[k].step == e->step)
				dup = true;
		if (dup)
			continue;
		if (out->n_related == SD_EXPLAIN_MAX_RELATED) {
			out->truncated = true;
			return;
		}
		out->related[out->n_related].code.kind = e->kind;
		out->related[out->n_related].code.value = e->value;
		out->related[out->n_related].code.finding = NULL;
		out->related[out->n_related].step = e->step;
		out->n_related++;
	}
}

static void
explain_finding(struct sd_explanation *out)
{
	const struct sd_finding_def *def = out->code.finding;

	out->name = def->id;
	out->meaning = def->title;
	out->specific = true;
	out->normal = def->severity == SD_SEV_INFO;
	out->steps[0].step = def->step;
	out->steps[0].meaning = def->cause;
	out->steps[0].n_causes = 0;
	out->n_steps = 1;
	if (out->step_requested && out->requested_step != def->step)
		out->step_unmatched = true;
	add_finding(out, def);
	add_related(out, def->id);
}

static const char *
generic_meaning(const struct sd_code *code)
{
	const struct sd_status_info *nt;
	const struct krb_error_info *krb;

	switch (code->kind) {
	case SD_CODE_NTSTATUS:
		nt = sd_ntstatus_info(code->value);
		return nt ? nt->meaning : NULL;
	case SD_CODE_KERBEROS:
		krb = krb_error_info((int32_t)code->value);
		return krb ? krb->meaning : NULL;
	case SD_CODE_NBSS:
		return code->value <= 0xFF ? nbss_error_meaning((uint8_t)code->value) : NULL;
	case SD_CODE_FINDING:
		break;
	}
	return NULL;
}

/* A known code without step knowledge: Kerberos errors still have their
 * catch-all finding; anything else gets a pointer to where to look next. */
static void
explain_generic(struct sd_explanation *out)
{
	struct sd_explain_entry krb = {
		SD_CODE_KERBEROS, out->code.value, SD_STEP_SESSION_SETUP, false, out->meaning,
		kerberos_other_causes, NULL, krb_refs,
	};

	out->note = N_("smbdiag has no step-specific knowledge of this code. Run `smbdiag probe "
		       "//server/share` or `smbdiag analyze capture.pcapng` to see the step it occurs in, and "
		       "read the server's log for that moment.");
	if (out->code.kind == SD_CODE_KERBEROS) {
		add_entry(out, &krb);
		return;
	}
	add_refs(out, out->code.kind == SD_CODE_NBSS ? nbss_refs : generic_refs);
}

enum sd_err
sd_explain(const struct sd_code *code, const enum sd_step *step, struct sd_explanation *out)
{
	if (!code || !out || (code->kind == SD_CODE_FINDING && !code->finding))
		return SD_ERR_INVALID_ARG;
	memset(out, 0, sizeof(*out));
	out->code = *code;
	if (step) {
		out->step_requested = true;
		out->requested_step = *step;
	}
	if (code->kind == SD_CODE_FINDING) {
		explain_finding(out);
		return SD_OK;
	}
	out->name = sd_code_name(code);
	out->meaning = generic_meaning(code);
	if (add_rows(out, step) == 0 && step) {
		out->step_unmatched = true;
		add_rows(out, NULL);
	}
	out->specific = out->n_steps > 0;
	if (!out->specific)
		explain_generic(out);
	return SD_OK;
}
