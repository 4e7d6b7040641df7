#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/wire/names.h"
#include "diag/explain.h"
#include "diag/explain_table.h"

static struct sd_code
parsed(const char *text)
{
	struct sd_code code;

	if (sd_code_parse(text, &code) != SD_OK)
		fail_msg("'%s' does not parse", text);
	return code;
}

static void
explain_text(const char *text, const enum sd_step *step, struct sd_explanation *ex)
{
	struct sd_code code = parsed(text);

	assert_int_equal(sd_explain(&code, step, ex), SD_OK);
	assert_false(ex->truncated);
}

/* Finding ids of the causes, in order, across steps. */
static size_t
cause_ids(const struct sd_explanation *ex, const char **ids, size_t max)
{
	size_t s, c, n = 0;

	for (s = 0; s < ex->n_steps; s++)
		for (c = 0; c < ex->steps[s].n_causes && n < max; c++)
			ids[n++] = ex->steps[s].causes[c]->finding_id;
	return n;
}

static bool
has_cause(const struct sd_explanation *ex, const char *id)
{
	const char *ids[64];
	size_t i, n = cause_ids(ex, ids, 64);

	for (i = 0; i < n; i++)
		if (ids[i] && strcmp(ids[i], id) == 0)
			return true;
	return false;
}

static bool
has_command(const struct sd_remedy *const *list, size_t n, const char *needle)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i]->command && strstr(list[i]->command, needle))
			return true;
	return false;
}

static bool
causes_mention(const struct sd_explanation *ex, const char *needle)
{
	size_t s, c;

	for (s = 0; s < ex->n_steps; s++)
		for (c = 0; c < ex->steps[s].n_causes; c++)
			if (strstr(ex->steps[s].causes[c]->text, needle))
				return true;
	return false;
}

static void
parses_every_spelling(void **state)
{
	static const char *const bad_network_name[] = {"0xC00000CC", "C00000CC", "c00000cc", "0xc00000cc",
		"STATUS_BAD_NETWORK_NAME", "NT_STATUS_BAD_NETWORK_NAME", "nt:BAD_NETWORK_NAME", "-1073741620",
		"3221225676"};
	struct sd_code code;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_network_name) / sizeof(bad_network_name[0]); i++) {
		code = parsed(bad_network_name[i]);
		assert_int_equal(code.kind, SD_CODE_NTSTATUS);
		assert_int_equal(code.value, 0xC00000CC);
	}
	code = parsed("KDC_ERR_S_PRINCIPAL_UNKNOWN");
	assert_int_equal(code.kind, SD_CODE_KERBEROS);
	assert_int_equal(code.value, 7);
	code = parsed("krb:7");
	assert_int_equal(code.value, 7);
	code = parsed("7");
	assert_int_equal(code.kind, SD_CODE_KERBEROS);
	code = parsed("KRB5KDC_ERR_PREAUTH_REQUIRED");
	assert_int_equal(code.value, 25);
	code = parsed("krb:KRB_AP_ERR_SKEW");
	assert_int_equal(code.value, 37);
	code = parsed("nbss:0x82");
	assert_int_equal(code.kind, SD_CODE_NBSS);
	assert_int_equal(code.value, 0x82);
	code = parsed("0x82");
	assert_int_equal(code.kind, SD_CODE_NBSS);
	code = parsed("nt:0x00000103");
	assert_int_equal(code.kind, SD_CODE_NTSTATUS);
	code = parsed("tree.encryption_required");
	assert_int_equal(code.kind, SD_CODE_FINDING);
	assert_string_equal(code.finding->id, "tree.encryption_required");
}

static void
rejects_what_is_not_a_code(void **state)
{
	struct sd_code code;

	(void)state;
	assert_int_equal(sd_code_parse("", &code), SD_ERR_INVALID_ARG);
	assert_int_equal(sd_code_parse(NULL, &code), SD_ERR_INVALID_ARG);
	assert_int_equal(sd_code_parse("not a code", &code), SD_ERR_INVALID_ARG);
	assert_int_equal(sd_code_parse("0x1FFFFFFFF", &code), SD_ERR_INVALID_ARG);
	assert_int_equal(sd_code_parse("0x", &code), SD_ERR_INVALID_ARG);
	assert_int_equal(sd_code_parse("krb:999", &code), SD_ERR_INVALID_ARG);
	assert_int_equal(sd_code_parse("0xDEADBEEF", &code), SD_ERR_NOT_FOUND);
	assert_int_equal(sd_code_parse("tree.no_such_thing", &code), SD_ERR_NOT_FOUND);
	assert_int_equal(sd_code_parse("STATUS_NO_SUCH_THING_AT_ALL", &code), SD_ERR_NOT_FOUND);
	assert_int_equal(sd_code_parse("nbss:0x99", &code), SD_ERR_NOT_FOUND);
	assert_int_equal(sd_explain(NULL, NULL, NULL), SD_ERR_INVALID_ARG);
}

static void
access_denied_in_tree_connect(void **state)
{
	static const enum sd_step tree = SD_STEP_TREE_CONNECT;
	struct sd_explanation ex;
	const char *ids[16];

	(void)state;
	explain_text("0xC0000022", &tree, &ex);
	assert_string_equal(ex.name, "STATUS_ACCESS_DENIED");
	assert_true(ex.specific);
	assert_false(ex.step_unmatched);
	assert_int_equal(ex.n_steps, 1);
	assert_int_equal(ex.steps[0].step, SD_STEP_TREE_CONNECT);
	assert_true(cause_ids(&ex, ids, 16) >= 3);
	/* Permissions first, then encryption, as the article orders them. */
	assert_string_equal(ids[0], "tree.access_denied");
	assert_string_equal(ids[1], "tree.encryption_required");
	assert_true(causes_mention(&ex, "BAD_NETWORK_NAME"));
	assert_true(has_command(ex.checks, ex.n_checks, "Get-SmbServerConfiguration | select Encrypt*"));
	assert_true(has_command(ex.checks, ex.n_checks, "Get-SmbShare | select Name, EncryptData"));
	assert_true(has_command(ex.checks, ex.n_checks, "smb encrypt"));
	assert_true(has_command(ex.fixes, ex.n_fixes, "smb encrypt = desired"));
	assert_true(has_command(ex.fixes, ex.n_fixes, "Set-SmbShare -Name SHARE -EncryptData"));
	assert_true(has_command(ex.checks, ex.n_checks, "Get-SmbShareAccess"));
	assert_false(has_cause(&ex, "session.name_hardening"));
}

static void
access_denied_in_every_step(void **state)
{
	struct sd_explanation ex;

	(void)state;
	explain_text("0xC0000022", NULL, &ex);
	assert_int_equal(ex.n_steps, 3);
	assert_int_equal(ex.steps[0].step, SD_STEP_NEGOTIATE);
	assert_int_equal(ex.steps[1].step, SD_STEP_SESSION_SETUP);
	assert_int_equal(ex.steps[2].step, SD_STEP_TREE_CONNECT);
	assert_true(has_cause(&ex, "session.encryption_required"));
	assert_true(has_cause(&ex, "session.name_hardening"));
	assert_true(has_cause(&ex, "session.signing_mismatch"));
	assert_true(has_cause(&ex, "tree.encryption_required"));
	assert_true(has_cause(&ex, "negotiate.validate_failed"));
	assert_true(has_command(ex.checks, ex.n_checks, "SmbServerNameHardeningLevel"));
	assert_true(has_command(ex.checks, ex.n_checks, "RequireSecuritySignature,EnableSMB1Protocol"));
}

static void
preauth_required_is_normal(void **state)
{
	struct sd_explanation ex;

	(void)state;
	explain_text("KDC_ERR_PREAUTH_REQUIRED", NULL, &ex);
	assert_true(ex.normal);
	assert_true(has_cause(&ex, "kerberos.preauth_required"));
	assert_int_equal(ex.steps[0].step, SD_STEP_SESSION_SETUP);
}

static void
logon_failure(void **state)
{
	struct sd_explanation ex;
	const char *ids[16];

	(void)state;
	explain_text("0xC000006D", NULL, &ex);
	assert_false(ex.normal);
	cause_ids(&ex, ids, 16);
	assert_string_equal(ids[0], "session.logon_failure");
	assert_true(has_cause(&ex, "kerberos.ticket_rejected"));
	assert_true(has_cause(&ex, "session.ntlm_used"));
	assert_true(has_cause(&ex, "session.guest_fallback"));
	assert_true(causes_mention(&ex, "security blob"));
	assert_true(has_command(ex.fixes, ex.n_fixes, "smbpasswd -e"));
	assert_true(has_command(ex.checks, ex.n_checks, "pdbedit"));
}

static void
bad_network_name(void **state)
{
	struct sd_explanation ex;

	(void)state;
	explain_text("0xC00000CC", NULL, &ex);
	assert_int_equal(ex.n_steps, 1);
	assert_int_equal(ex.steps[0].step, SD_STEP_TREE_CONNECT);
	assert_true(has_cause(&ex, "tree.bad_network_name"));
	assert_true(causes_mention(&ex, "canonicalize_connect_path"));
	assert_true(has_command(ex.checks, ex.n_checks, "Get-SmbShare"));
	assert_true(has_command(ex.checks, ex.n_checks, "testparm -s"));
}

static void
not_supported_in_negotiate(void **state)
{
	static const enum sd_step neg = SD_STEP_NEGOTIATE;
	struct sd_explanation ex;

	(void)state;
	explain_text("STATUS_NOT_SUPPORTED", &neg, &ex);
	assert_false(ex.step_unmatched);
	assert_int_equal(ex.n_steps, 1);
	assert_true(has_cause(&ex, "negotiate.no_common_dialect"));
	assert_false(has_cause(&ex, "session.ntlm_used"));
	assert_true(has_command(ex.checks, ex.n_checks, "(min|max) protocol"));
}

/* The statuses a server's domain side gives at SESSION_SETUP, and the
 * limits that refuse one more session or tree, have step knowledge: the
 * catch-all findings (tree.other, session.other) print it. */
static void
domain_and_limit_statuses_in_session_setup(void **state)
{
	static const enum sd_step sess = SD_STEP_SESSION_SETUP, tree = SD_STEP_TREE_CONNECT;
	static const char *const codes[] = {"STATUS_NETLOGON_NOT_STARTED", "STATUS_NO_TRUST_SAM_ACCOUNT",
					    "STATUS_NO_SUCH_DOMAIN", "SEC_E_INVALID_TOKEN", "STATUS_REQUEST_NOT_ACCEPTED",
					    "STATUS_INVALID_PARAMETER", "STATUS_INSUFFICIENT_RESOURCES"};
	struct sd_explanation ex;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		explain_text(codes[i], &sess, &ex);
		assert_false(ex.step_unmatched);
		assert_int_equal(ex.n_steps, 1);
		assert_true(ex.steps[0].n_causes >= 1);
	}
	explain_text("STATUS_REQUEST_NOT_ACCEPTED", &sess, &ex);
	assert_non_null(strstr(ex.steps[0].causes[0]->text, "20 connections"));
	explain_text("STATUS_NETLOGON_NOT_STARTED", &sess, &ex);
	assert_true(has_command(ex.checks, ex.n_checks, "wbinfo -P"));
	explain_text("STATUS_INSUFFICIENT_RESOURCES", &tree, &ex);
	assert_false(ex.step_unmatched);
	assert_true(has_command(ex.checks, ex.n_checks, "max connections"));
}

static void
spn_unknown_and_skew(void **state)
{
	struct sd_explanation ex;

	(void)state;
	explain_text("KDC_ERR_S_PRINCIPAL_UNKNOWN", NULL, &ex);
	assert_true(has_cause(&ex, "kerberos.spn_unknown"));
	assert_true(has_cause(&ex, "session.ntlm_used"));
	assert_true(causes_mention(&ex, "CNAME"));
	assert_true(has_command(ex.fixes, ex.n_fixes, "setspn -S cifs/alias host"));
	assert_true(has_command(ex.fixes, ex.n_fixes, "net ads setspn add"));
	explain_text("krb:37", NULL, &ex);
	assert_string_equal(ex.name, "KRB_AP_ERR_SKEW");
	assert_true(has_cause(&ex, "kerberos.clock_skew"));
	assert_true(has_command(ex.checks, ex.n_checks, "w32tm /query /status"));
}

static void
netbios_called_name(void **state)
{
	struct sd_explanation ex;

	(void)state;
	explain_text("nbss:0x82", NULL, &ex);
	assert_int_equal(ex.steps[0].step, SD_STEP_NBSS);
	assert_true(has_cause(&ex, "nbss.called_name_rejected"));
}

static void
generic_and_unmatched(void **state)
{
	static const enum sd_step neg = SD_STEP_NEGOTIATE;
	struct sd_explanation ex;

	(void)state;
	/* A Kerberos error without its own row still has the catch-all finding. */
	explain_text("krb:13", NULL, &ex);
	assert_false(ex.specific);
	assert_true(has_cause(&ex, "kerberos.other"));
	assert_non_null(ex.note);
	/* A status without knowledge: its name, meaning and a pointer. */
	explain_text("0xC0000001", NULL, &ex);
	assert_false(ex.specific);
	assert_int_equal(ex.n_steps, 0);
	assert_non_null(ex.note);
	assert_true(ex.n_refs > 0);
	/* A step where the code does not occur: every step instead. */
	explain_text("0xC00000CC", &neg, &ex);
	assert_true(ex.step_unmatched);
	assert_int_equal(ex.steps[0].step, SD_STEP_TREE_CONNECT);
}

static void
finding_id_lists_the_codes_that_lead_to_it(void **state)
{
	struct sd_explanation ex;
	size_t i;
	bool seen = false;

	(void)state;
	explain_text("tree.encryption_required", NULL, &ex);
	assert_string_equal(ex.name, "tree.encryption_required");
	assert_true(has_command(ex.checks, ex.n_checks, "Get-SmbShare | select Name, EncryptData"));
	for (i = 0; i < ex.n_related; i++)
		seen |= ex.related[i].code.kind == SD_CODE_NTSTATUS && ex.related[i].code.value == 0xC0000022 &&
			ex.related[i].step == SD_STEP_TREE_CONNECT;
	assert_true(seen);
}

/* The knowledge rows refer only to existing findings, name codes the name
 * tables know, and explain without hitting a cap. */
static void
every_row_is_consistent(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sd_explain_rows_count; i++) {
		const struct sd_explain_entry *e = &sd_explain_rows[i];
		struct sd_code code = {e->kind, e->value, NULL};
		struct sd_explanation ex;
		const struct sd_explain_cause *c;

		if (!sd_code_name(&code))
			fail_msg("row %zu: code 0x%X has no name", i, e->value);
		assert_non_null(e->meaning);
		assert_non_null(e->causes);
		for (c = e->causes; c->text; c++)
			if (c->finding_id && !sd_finding_find(c->finding_id))
				fail_msg("row %zu: unknown finding %s", i, c->finding_id);
		assert_int_equal(sd_explain(&code, &e->step, &ex), SD_OK);
		assert_false(ex.truncated);
		assert_false(ex.step_unmatched);
		assert_int_equal(sd_explain(&code, NULL, &ex), SD_OK);
		assert_false(ex.truncated);
	}
}

static void
every_finding_explains(void **state)
{
	const struct sd_finding_def *defs;
	size_t n, i;

	(void)state;
	defs = sd_finding_table(&n);
	for (i = 0; i < n; i++) {
		struct sd_code code = {SD_CODE_FINDING, 0, &defs[i]};
		struct sd_explanation ex;

		assert_int_equal(sd_explain(&code, NULL, &ex), SD_OK);
		assert_false(ex.truncated);
		assert_true(ex.n_checks + ex.n_fixes > 0);
	}
}

/* A misspelled code gets the names it was close to, in the spelling the
 * tables use; a number or a word like no name gets none. */
static void
suggests_close_names(void **state)
{
	static const struct {
		const char *typed, *first;
	} cases[] = {
		{"STATUS_BAD_NETWORK_NAM", "STATUS_BAD_NETWORK_NAME"},
		{"NT_STATUS_ACCESS_DENID", "STATUS_ACCESS_DENIED"},
		{"nt:BAD_NETWORK_NAM", "STATUS_BAD_NETWORK_NAME"},
		{"tree.bad_network", "tree.bad_network_name"},
		{"tree-access-denied", "tree.access_denied"},
		{"KDC_ERR_PREAUTH_FAIL", "KDC_ERR_PREAUTH_FAILED"},
		{"KRB5KDC_ERR_PREAUTH_FAILD", "KDC_ERR_PREAUTH_FAILED"},
		{"krb:S_PRINCIPAL_UNKNWN", "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
	};
	const char *names[3];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = sd_code_suggest(cases[i].typed, names, 3);
		if (n == 0 || strcmp(names[0], cases[i].first) != 0)
			fail_msg("%s: %s, not %s", cases[i].typed, n ? names[0] : "nothing", cases[i].first);
	}
	assert_int_equal(sd_code_suggest("0xDEADBEEF", names, 3), 0);
	assert_int_equal(sd_code_suggest("xyzzy", names, 3), 0);
	assert_int_equal(sd_code_suggest("STATUS_BAD_NETWORK_NAM", names, 1), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_spelling),
		cmocka_unit_test(suggests_close_names),
		cmocka_unit_test(rejects_what_is_not_a_code),
		cmocka_unit_test(access_denied_in_tree_connect),
		cmocka_unit_test(access_denied_in_every_step),
		cmocka_unit_test(preauth_required_is_normal),
		cmocka_unit_test(logon_failure),
		cmocka_unit_test(bad_network_name),
		cmocka_unit_test(not_supported_in_negotiate),
		cmocka_unit_test(domain_and_limit_statuses_in_session_setup),
		cmocka_unit_test(spn_unknown_and_skew),
		cmocka_unit_test(netbios_called_name),
		cmocka_unit_test(generic_and_unmatched),
		cmocka_unit_test(finding_id_lists_the_codes_that_lead_to_it),
		cmocka_unit_test(every_row_is_consistent),
		cmocka_unit_test(every_finding_explains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
