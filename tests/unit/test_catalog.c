#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "diag/catalog.h"
#include "diag/catalog_table.h"

/* SPEC.md "Finding catalog": every id with its step and severity. */
static const struct {
	const char *id;
	enum sd_step step;
	enum sd_severity sev;
} spec_ids[] = {
	{"tcp.refused", SD_STEP_TCP, SD_SEV_ERROR},
	{"tcp.timeout", SD_STEP_TCP, SD_SEV_ERROR},
	{"nbss.called_name_rejected", SD_STEP_NBSS, SD_SEV_ERROR},
	{"negotiate.no_response", SD_STEP_NEGOTIATE, SD_SEV_ERROR},
	{"negotiate.connection_closed", SD_STEP_NEGOTIATE, SD_SEV_ERROR},
	{"negotiate.no_common_dialect", SD_STEP_NEGOTIATE, SD_SEV_ERROR},
	{"negotiate.smb1_in_use", SD_STEP_NEGOTIATE, SD_SEV_WARNING},
	{"negotiate.validate_failed", SD_STEP_NEGOTIATE, SD_SEV_ERROR},
	{"session.no_response", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"session.logon_failure", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"session.account_restriction", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"session.encryption_required", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"session.name_hardening", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"session.signing_mismatch", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"session.anonymous_denied", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"session.guest_fallback", SD_STEP_SESSION_SETUP, SD_SEV_WARNING},
	{"session.ntlm_used", SD_STEP_SESSION_SETUP, SD_SEV_INFO},
	{"session.ntlmv1", SD_STEP_SESSION_SETUP, SD_SEV_WARNING},
	{"kerberos.preauth_required", SD_STEP_SESSION_SETUP, SD_SEV_INFO},
	{"kerberos.spn_unknown", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"kerberos.clock_skew", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"kerberos.preauth_failed", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"kerberos.client_unknown", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"kerberos.client_revoked", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"kerberos.key_expired", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"kerberos.etype_unsupported", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"kerberos.ticket_rejected", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"kerberos.other", SD_STEP_SESSION_SETUP, SD_SEV_ERROR},
	{"tree.bad_network_name", SD_STEP_TREE_CONNECT, SD_SEV_ERROR},
	{"tree.access_denied", SD_STEP_TREE_CONNECT, SD_SEV_ERROR},
	{"tree.encryption_required", SD_STEP_TREE_CONNECT, SD_SEV_ERROR},
	{"tree.unsigned_disconnect", SD_STEP_TREE_CONNECT, SD_SEV_ERROR},
};

static void
every_spec_id_is_present_with_its_step_and_severity(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(spec_ids) / sizeof(spec_ids[0]); i++) {
		const struct sd_finding_def *def = sd_finding_find(spec_ids[i].id);

		if (!def)
			fail_msg("missing finding %s", spec_ids[i].id);
		assert_string_equal(def->id, spec_ids[i].id);
		assert_int_equal(def->step, spec_ids[i].step);
		assert_int_equal(def->severity, spec_ids[i].sev);
	}
}

static bool
id_well_formed(const char *id)
{
	const char *dot = strchr(id, '.');
	const char *p;

	if (!dot || dot == id || !dot[1] || strchr(dot + 1, '.'))
		return false;
	for (p = id; *p; p++)
		if (p != dot && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static void
ids_are_unique_and_well_formed(void **state)
{
	const struct sd_finding_def *defs;
	size_t n, i, k;

	(void)state;
	defs = sd_finding_table(&n);
	assert_true(n >= sizeof(spec_ids) / sizeof(spec_ids[0]));
	for (i = 0; i < n; i++) {
		if (!id_well_formed(defs[i].id))
			fail_msg("badly formed id %s", defs[i].id);
		for (k = i + 1; k < n; k++)
			if (strcmp(defs[i].id, defs[k].id) == 0)
				fail_msg("duplicate id %s", defs[i].id);
		assert_ptr_equal(sd_finding_find(defs[i].id), &defs[i]);
	}
}

static bool
text_ok(const char *s)
{
	size_t len = s ? strlen(s) : 0;

	return len > 0 && s[0] != ' ' && s[len - 1] != ' ' && !strstr(s, "  ") && !strchr(s, '\n');
}

static void
every_entry_is_complete(void **state)
{
	const struct sd_finding_def *defs;
	size_t n, i;

	(void)state;
	defs = sd_finding_table(&n);
	for (i = 0; i < n; i++) {
		const struct sd_remedy *r;
		bool windows = false, samba = false;

		if (!text_ok(defs[i].title) || !text_ok(defs[i].cause))
			fail_msg("%s: title or cause empty or badly spaced", defs[i].id);
		if (defs[i].title[strlen(defs[i].title) - 1] == '.')
			fail_msg("%s: titles carry no final period", defs[i].id);
		assert_true(defs[i].step < SD_STEP_LOGOFF);
		for (r = defs[i].remedies; r && r->text; r++) {
			if (!text_ok(r->text) || (r->command && !text_ok(r->command)))
				fail_msg("%s: remedy text or command empty or badly spaced", defs[i].id);
			windows |= r->platform == SD_PLAT_WINDOWS;
			samba |= r->platform == SD_PLAT_SAMBA;
		}
		if (!windows || !samba)
			fail_msg("%s: needs a Windows and a Samba remedy", defs[i].id);
		if (sd_finding_ref_count(&defs[i]) == 0)
			fail_msg("%s: needs a reference", defs[i].id);
		assert_int_equal(sd_finding_remedy_count(&defs[i]), (size_t)(r - defs[i].remedies));
	}
}

/* References name the article's sections one way, so they group in reports. */
static void
article_references_are_named_consistently(void **state)
{
	static const char *const sections[] = {SD_REF_ART_NEGOTIATE, SD_REF_ART_SESSION, SD_REF_ART_TREE};
	const struct sd_finding_def *defs;
	size_t n, i, k, s, article = 0;

	(void)state;
	defs = sd_finding_table(&n);
	for (i = 0; i < n; i++) {
		for (k = 0; defs[i].refs[k]; k++) {
			const char *ref = defs[i].refs[k];
			bool ok = false;

			if (strncmp(ref, "Microsoft:", 10) != 0) {
				if (strncmp(ref, "MS-", 3) != 0 && strncmp(ref, "RFC ", 4) != 0)
					fail_msg("%s: reference '%s' is neither a spec nor the article", defs[i].id, ref);
				continue;
			}
			for (s = 0; s < 3; s++)
				ok |= strcmp(ref, sections[s]) == 0;
			if (!ok)
				fail_msg("%s: article reference '%s' names no section", defs[i].id, ref);
			article++;
		}
	}
	assert_true(article >= 10);
}

static void
key_remedies_are_where_the_article_puts_them(void **state)
{
	const struct sd_finding_def *def = sd_finding_find("tree.encryption_required");
	bool server = false, share = false;
	const struct sd_remedy *r;

	(void)state;
	for (r = def->remedies; r->text; r++) {
		server |= r->command && strstr(r->command, "Get-SmbServerConfiguration | select Encrypt*") != NULL;
		share |= r->command && strcmp(r->command, "Get-SmbShare | select Name, EncryptData") == 0;
	}
	assert_true(server && share);
	def = sd_finding_find("kerberos.spn_unknown");
	for (r = def->remedies; r->text; r++)
		if (r->command && strcmp(r->command, "setspn -S cifs/alias host") == 0)
			return;
	fail_msg("kerberos.spn_unknown lacks setspn -S cifs/alias host");
}

static void
lookups_and_names(void **state)
{
	enum sd_step step;

	(void)state;
	assert_null(sd_finding_find(NULL));
	assert_null(sd_finding_find("tree.nope"));
	assert_null(sd_finding_find("TREE.ACCESS_DENIED"));
	assert_int_equal(sd_finding_remedy_count(NULL), 0);
	assert_string_equal(sd_step_name(SD_STEP_SESSION_SETUP), "session_setup");
	assert_string_equal(sd_step_name(SD_STEP__COUNT), "?");
	assert_string_equal(sd_severity_name(SD_SEV_WARNING), "warning");
	assert_string_equal(sd_platform_name(SD_PLAT_SAMBA), "samba");
	assert_true(SD_SEV_ERROR > SD_SEV_WARNING && SD_SEV_WARNING > SD_SEV_INFO);
	assert_true(sd_step_parse("tree_connect", &step));
	assert_int_equal(step, SD_STEP_TREE_CONNECT);
	assert_true(sd_step_parse("SESSION-SETUP", &step));
	assert_int_equal(step, SD_STEP_SESSION_SETUP);
	assert_true(sd_step_parse("kerberos", &step));
	assert_int_equal(step, SD_STEP_SESSION_SETUP);
	assert_true(sd_step_parse("Negotiate", &step));
	assert_int_equal(step, SD_STEP_NEGOTIATE);
	assert_false(sd_step_parse("", &step));
	assert_false(sd_step_parse("negotiation", &step));
	assert_false(sd_step_parse(NULL, &step));
	assert_false(sd_step_parse("a_very_long_step_name_that_does_not_fit_anywhere", &step));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_spec_id_is_present_with_its_step_and_severity),
		cmocka_unit_test(ids_are_unique_and_well_formed),
		cmocka_unit_test(every_entry_is_complete),
		cmocka_unit_test(article_references_are_named_consistently),
		cmocka_unit_test(key_remedies_are_where_the_article_puts_them),
		cmocka_unit_test(lookups_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
