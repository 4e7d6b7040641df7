#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/auth/spnego.h"
#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/catalog.h"
#include "diag/evidence.h"
#include "diag/rules.h"
#include "diag/rules_internal.h"
#include "rules_cases.h"

static void
every_positive_case_finds_its_id_with_evidence(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < rules_positive_count; i++) {
		struct ev_timeline t;
		const struct rules_case *rc = &rules_positive_cases[i];

		ev_timeline_init(&t, EV_MODE_PROBE);
		rc->build(&t);
		rules_run(&t);
		if (!rc_finding(&t, rc->id, t.n_conns ? 0 : -1) || !rc_evidence_has(&t, rc->id, rc->evidence)) {
			print_message("# case %s\n", rc->id);
			rc_dump(&t);
			fail();
		}
		ev_timeline_cleanup(&t);
	}
}

static void
every_catalog_id_has_a_positive_case(void **state)
{
	const struct sd_finding_def *defs;
	size_t n, i, k;

	(void)state;
	defs = sd_finding_table(&n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < rules_positive_count; k++)
			if (strcmp(rules_positive_cases[k].id, defs[i].id) == 0)
				break;
		if (k == rules_positive_count) {
			print_message("# no positive case for %s\n", defs[i].id);
			fail();
		}
	}
}

/* ---- the reader's language ---- */

#define MARKED_MAX 512

/* Marks no evidence text can hold. */
#define OPEN '\x01'
#define CLOSE '\x02'

/* A stand-in for gettext that keeps the words and shows where they were
 * looked up: "frame %u: " becomes OPEN "frame %u: " CLOSE. The same text always
 * gets the same copy, as gettext's translations stay put. */
static const char *
marked(const char *english)
{
	static char texts[MARKED_MAX][EV_LONG_TEXT + 2];
	static size_t n;
	size_t i;

	for (i = 0; i < n; i++)
		if (strncmp(texts[i] + 1, english, strlen(english)) == 0 && texts[i][strlen(english) + 1] == CLOSE &&
		    texts[i][strlen(english) + 2] == '\0')
			return texts[i];
	assert_true(n < MARKED_MAX);
	snprintf(texts[n], sizeof(texts[n]), "%c%s%c", OPEN, english, CLOSE);
	return texts[n++];
}

static void
without_marks(const char *line, char *out, size_t cap)
{
	size_t o = 0;

	for (; *line && o + 1 < cap; line++)
		if (*line != OPEN && *line != CLOSE)
			out[o++] = *line;
	out[o] = '\0';
}

/* The same evidence with and without a translator: every line reads the
 * same once the marks are gone (translations take the same arguments),
 * and lines with words of their own went through the translator. */
static void
evidence_lines_are_translated_and_otherwise_unchanged(void **state)
{
	static const enum ev_mode modes[] = {EV_MODE_PROBE, EV_MODE_ANALYZE};
	size_t i, m, k, marked_lines = 0, lines = 0;
	uint8_t e;

	(void)state;
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		for (i = 0; i < rules_positive_count; i++) {
			struct ev_timeline english, translated;

			ev_timeline_init(&english, modes[m]);
			ev_timeline_init(&translated, modes[m]);
			translated.translate = marked;
			rules_positive_cases[i].build(&english);
			rules_positive_cases[i].build(&translated);
			rules_run(&english);
			rules_run(&translated);
			assert_int_equal(english.n_findings, translated.n_findings);
			for (k = 0; k < english.n_findings; k++) {
				const struct ev_finding *a = &english.findings[k], *b = &translated.findings[k];

				assert_string_equal(a->def->id, b->def->id);
				assert_int_equal(a->n_evidence, b->n_evidence);
				for (e = 0; e < a->n_evidence; e++) {
					char plain[EV_LONG_TEXT];

					without_marks(b->evidence[e], plain, sizeof(plain));
					/* Lines at the bound were cut; the marks moved the cut. */
					if (strlen(a->evidence[e]) + 1 < sizeof(a->evidence[e]))
						assert_string_equal(plain, a->evidence[e]);
					assert_null(strchr(a->evidence[e], OPEN));
					lines++;
					if (strchr(b->evidence[e], OPEN))
						marked_lines++;
					else
						print_message("# not translated (%s): %s\n", a->def->id, a->evidence[e]);
				}
			}
			ev_timeline_cleanup(&english);
			ev_timeline_cleanup(&translated);
		}
	}
	/* Every case's lines hold words of their own; a line made of names
	 * alone (a library's message) would be listed above. */
	assert_true(lines > 100);
	assert_int_equal(marked_lines, lines);
}

/* A translated line cut at its buffer's end loses the half character. */
static void
cut_lines_end_on_a_whole_character(void **state)
{
	/* "第 12 個訊框" is 3-byte UTF-8 after "第 12 ". */
	char whole[] = "\xe7\xac\xac 12 \xe5\x80\x8b", one[] = "ab\xe5", two[] = "ab\xe5\x80", ascii[] = "frame 12";
	char four[] = "x\xf0\x9f\x98", empty[] = "";
	struct ev_finding f;
	char long_text[EV_LONG_TEXT + 16];
	size_t i;

	(void)state;
	ev_utf8_trim_cut(whole);
	assert_string_equal(whole, "\xe7\xac\xac 12 \xe5\x80\x8b");
	ev_utf8_trim_cut(one);
	assert_string_equal(one, "ab");
	ev_utf8_trim_cut(two);
	assert_string_equal(two, "ab");
	ev_utf8_trim_cut(four);
	assert_string_equal(four, "x");
	ev_utf8_trim_cut(ascii);
	assert_string_equal(ascii, "frame 12");
	ev_utf8_trim_cut(empty);
	assert_string_equal(empty, "");
	/* A line of 3-byte characters longer than the buffer (511 bytes
	 * hold 170 of them and one byte of the next). */
	for (i = 0; i + 3 < sizeof(long_text); i += 3)
		memcpy(long_text + i, "\xe8\xa8\x8a", 3);
	long_text[i] = '\0';
	memset(&f, 0, sizeof(f));
	ev_finding_line(&f, long_text);
	assert_int_equal(f.n_evidence, 1);
	assert_int_equal(strlen(f.evidence[0]), 170 * 3);
	memset(&f, 0, sizeof(f));
	ev_finding_evidence(&f, "%s", long_text);
	assert_int_equal(strlen(f.evidence[0]), 170 * 3);
}

/* The probe's AS-REQ that no KDC answered (its detail is in the reader's
 * language, so the rule goes by the record, not by the words). */
static void
unanswered_kdc_request_explains_ntlm(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	snprintf(c->server_name, sizeof(c->server_name), "fs1.contoso.com");
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1.contoso.com\\data");
	k = ev_add_kerberos(&t);
	assert_non_null(k);
	k->connection = (int)c->id;
	k->step = EV_KRB_STEP_TGT;
	k->message = EV_KRB_AS_REQ;
	snprintf(k->detail, sizeof(k->detail), "aucune réponse du KDC 10.0.0.1:88");
	rules_run(&t);
	rc_dump(&t);
	assert_true(rc_evidence_has(&t, "session.ntlm_used", "Kerberos could not reach the KDC (aucune réponse"));
	ev_timeline_cleanup(&t);
}

/* impacket's smbserver (python3-impacket 0.10): its CHALLENGE drops SIGN
 * but keeps KEY_EXCH; a client that follows MS-NLMP exchanges no key and
 * leaves after the session is set up (seen in a probe's capture). */
static void
build_ntlm_sign_dropped(struct ev_timeline *t, bool key_exchanged, bool client_left)
{
	struct ev_connection *c;

	ev_timeline_init(t, EV_MODE_ANALYZE);
	c = rc_negotiated(t);
	rc_session(c, EV_ANSWERED, ST_MORE_PROCESSING, 1);
	rc_session(c, EV_ANSWERED, 0, 2);
	c->session.mechanism = EV_MECH_NTLMSSP;
	c->session.ntlm.seen = NTLM_SEEN_NEGOTIATE | NTLM_SEEN_CHALLENGE | NTLM_SEEN_AUTHENTICATE;
	c->session.ntlm.negotiate = 0xE2888235u;
	c->session.ntlm.challenge = 0xE28A0205u;
	c->session.ntlm.authenticate = 0xE2880205u;
	c->session.ntlm.key_exchanged = key_exchanged;
	c->closed_by_client = client_left;
	rules_run(t);
	rc_dump(t);
}

static void
ntlm_sign_dropped_then_client_left_is_a_signing_mismatch(void **state)
{
	struct ev_timeline t;

	(void)state;
	build_ntlm_sign_dropped(&t, false, true);
	assert_true(rc_evidence_has(&t, "session.signing_mismatch", "CHALLENGE (flags 0xE28A0205) dropped NTLMSSP_NEGOTIATE_SIGN"));
	assert_true(rc_evidence_has(&t, "session.signing_mismatch", "right after the successful SESSION_SETUP"));
	ev_timeline_cleanup(&t);

	/* smbclient exchanges a key anyway: both sides agree, nothing to say. */
	build_ntlm_sign_dropped(&t, true, true);
	assert_null(rc_finding(&t, "session.signing_mismatch", 0));
	ev_timeline_cleanup(&t);

	/* The client stayed: whatever it made of the signatures, it went on. */
	build_ntlm_sign_dropped(&t, false, false);
	assert_null(rc_finding(&t, "session.signing_mismatch", 0));
	ev_timeline_cleanup(&t);
}

/* A service that speaks first (an SSH banner before NEGOTIATE) is named
 * as such, not as an answer. */
static void
banner_before_negotiate_spoke_first(void **state)
{
	struct ev_timeline t;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	assert_true(rules_case_build("negotiate.not_smb", &t));
	t.conns[0].foreign_first = true;
	rules_run(&t);
	rc_dump(&t);
	assert_true(rc_evidence_has(&t, "negotiate.not_smb",
				    "10.0.0.9:445 spoke first, before the client's NEGOTIATE, and it is not SMB"));
	assert_false(rc_evidence_has(&t, "negotiate.not_smb", "the answer to NEGOTIATE"));
	ev_timeline_cleanup(&t);
}

/* The share is listed under the very name asked for (in another case):
 * its folder is what is missing, not the share. */
static void
listed_share_with_missing_folder(void **state)
{
	struct ev_timeline t;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	assert_true(rules_case_build("tree.bad_network_name", &t));
	snprintf(t.conns[0].tree.path, sizeof(t.conns[0].tree.path), "\\\\fs1\\scans");
	snprintf(t.conns[0].steps[t.conns[0].n_steps - 1].detail, sizeof(t.conns[0].steps[0].detail), "\\\\fs1\\scans");
	rules_run(&t);
	rc_dump(&t);
	assert_true(rc_evidence_has(&t, "tree.bad_network_name", "the server lists a share named Scans: the share exists"));
	assert_false(rc_evidence_has(&t, "tree.bad_network_name", "did you mean"));
	ev_timeline_cleanup(&t);
}

/* ---- near misses ---- */

static void
successful_probe_gives_no_error(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, ST_MORE_PROCESSING, 1);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\data");
	c->session.mechanism = EV_MECH_KERBEROS;
	c->session.ntlm_version = EV_NTLM_UNKNOWN;
	rules_run(&t);
	rc_dump(&t);
	assert_int_equal(t.n_findings, 0);
	assert_false(ev_has_error(&t));
	ev_timeline_cleanup(&t);
}

/* Windows tries 139 beside 445 and resets the loser: in a capture that
 * refused port is no fault when the other port got its answer. */
static void
refused_139_beside_working_445_is_no_error(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	snprintf(c->client, sizeof(c->client), "10.0.0.5:50001");
	snprintf(c->server, sizeof(c->server), "10.0.0.9:445");
	c = ev_add_connection(&t);
	snprintf(c->client, sizeof(c->client), "10.0.0.5:50002");
	snprintf(c->server, sizeof(c->server), "10.0.0.9:139");
	rc_step(c, SD_STEP_TCP, EV_REFUSED, 0, 0.0);
	rules_run(&t);
	rc_dump(&t);
	assert_null(rc_finding(&t, "tcp.refused", 1));
	ev_timeline_cleanup(&t);

	/* Alone, the same refusal is a finding. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = ev_add_connection(&t);
	snprintf(c->client, sizeof(c->client), "10.0.0.5:50002");
	snprintf(c->server, sizeof(c->server), "10.0.0.9:139");
	rc_step(c, SD_STEP_TCP, EV_REFUSED, 0, 0.0);
	rules_run(&t);
	assert_non_null(rc_finding(&t, "tcp.refused", 0));
	ev_timeline_cleanup(&t);
}

static void
preauth_required_alone_is_no_error(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	c->session.mechanism = EV_MECH_KERBEROS;
	rc_krb_error(&t, 25, "krbtgt/CONTOSO.COM", 0);
	/* KRB_ERR_RESPONSE_TOO_BIG and referrals are normal too. */
	rc_krb_error(&t, 52, "krbtgt/CONTOSO.COM", 0);
	rc_krb_error(&t, 68, "cifs/fs1.contoso.com", 0);
	/* Errors before pre-authentication that name no fault: none either. */
	k = rc_krb_error(&t, 16, "krbtgt/CONTOSO.COM", 0);
	k->after_preauth = false;
	rules_run(&t);
	rc_dump(&t);
	assert_false(ev_has_error(&t));
	assert_non_null(rc_finding(&t, "kerberos.preauth_required", 0));
	assert_int_equal(t.n_findings, 1);
	ev_timeline_cleanup(&t);
}

/* Issue 7: the normal KDC_ERR_PREAUTH_REQUIRED followed by the client's
 * pre-authenticated AS-REQ gives no finding at all, whatever came next. */
static void
preauth_required_then_answered_is_no_finding(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	c->session.mechanism = EV_MECH_KERBEROS;
	rc_krb_error(&t, 25, "krbtgt/CONTOSO.COM", 0);
	k = rc_krb_error(&t, 0, "krbtgt/CONTOSO.COM", 0);
	k->message = EV_KRB_AS_REP;
	k->has_error = false;
	k->at = 0.006;
	rules_run(&t);
	rc_dump(&t);
	assert_int_equal(t.n_findings, 0);
	ev_timeline_cleanup(&t);

	/* A wrong password: the fault is reported, the normal step is not. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0xC000006D, 2);
	c->session.mechanism = EV_MECH_KERBEROS;
	rc_krb_error(&t, 25, "krbtgt/CONTOSO.COM", 0);
	rc_krb_error(&t, 24, "krbtgt/CONTOSO.COM", 0)->at = 0.006;
	rules_run(&t);
	rc_dump(&t);
	assert_non_null(rc_finding(&t, "kerberos.preauth_failed", 0));
	assert_null(rc_finding(&t, "kerberos.preauth_required", 0));
	ev_timeline_cleanup(&t);
}

/* An unsigned 3.1.1 TREE_CONNECT that Samba answers ACCESS_DENIED (and then
 * drops) is the unsigned tree connect, not a permission problem. */
static void
unsigned_311_tree_connect_answered_access_denied(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_step *s;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	s = rc_tree(c, EV_ANSWERED, ST_ACCESS_DENIED, "\\\\fs1\\data");
	s->request_signed = false;
	c->closed_by_server = true;
	rules_run(&t);
	assert_non_null(rc_finding(&t, "tree.unsigned_disconnect", 0));
	assert_null(rc_finding(&t, "tree.access_denied", 0));
	assert_true(rc_evidence_has(&t, "tree.unsigned_disconnect", "answered STATUS_ACCESS_DENIED and ended"));
	ev_timeline_cleanup(&t);
}

/* serve: the server's own rule decides, whatever the wire would suggest
 * (a 2.1 client that cannot encrypt, refused for its user name). */
static void
serve_verdict_stands_for_the_rules_guess(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_step *s;

	(void)state;
	ev_timeline_init(&t, EV_MODE_SERVE);
	c = rc_negotiated(&t);
	c->negotiate.dialect = SMB2_DIALECT_210;
	rc_session(c, EV_ANSWERED, 0, 2);
	s = rc_tree(c, EV_ANSWERED, ST_ACCESS_DENIED, "\\\\fs1\\data");
	s->request_signed = false;
	c->verdict.step = SD_STEP_TREE_CONNECT;
	c->verdict.status = ST_ACCESS_DENIED;
	snprintf(c->verdict.finding, sizeof(c->verdict.finding), "tree.access_denied");
	snprintf(c->verdict.why, sizeof(c->verdict.why), "user alice is not allowed on 'data'");
	rules_run(&t);
	assert_non_null(rc_finding(&t, "tree.access_denied", 0));
	assert_null(rc_finding(&t, "tree.encryption_required", 0));
	assert_true(rc_evidence_has(&t, "tree.access_denied", "the server's reason: user alice is not allowed"));
	ev_timeline_cleanup(&t);

	ev_timeline_init(&t, EV_MODE_SERVE);
	c = rc_negotiated(&t);
	c->negotiate.dialect = SMB2_DIALECT_210;
	s = rc_session(c, EV_ANSWERED, ST_ACCESS_DENIED, 2);
	c->verdict.step = SD_STEP_SESSION_SETUP;
	c->verdict.status = ST_ACCESS_DENIED;
	snprintf(c->verdict.finding, sizeof(c->verdict.finding), "session.name_hardening");
	rules_run(&t);
	assert_non_null(rc_finding(&t, "session.name_hardening", 0));
	assert_null(rc_finding(&t, "session.encryption_required", 0));
	ev_timeline_cleanup(&t);
}

/* A capture has no share listing, but the shares it shows connected on
 * the same server are names the user may have meant. */
static void
capture_suggests_shares_seen_connected(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\Data");
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_BAD_NETWORK_NAME, "\\\\fs1\\Dta");
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "tree.bad_network_name", "did you mean: Data? (connected to on this server"));
	ev_timeline_cleanup(&t);
}

/* A capture of kinit alone: refused KDC requests with no SMB connection
 * are still a finding; silence alone is not (the capture may have ended). */
static void
refused_kdc_without_smb_is_unreachable(void **state)
{
	struct ev_timeline t;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	k = ev_add_kerberos(&t);
	k->connection = -1;
	k->message = EV_KRB_AS_REQ;
	k->frame = 1;
	snprintf(k->client, sizeof(k->client), "10.0.0.5");
	snprintf(k->kdc, sizeof(k->kdc), "10.0.0.1:88");
	k->refusal = EV_KRB_REFUSAL_ICMP;
	k->refusal_icmp_type = 3;
	k->refusal_icmp_code = 3;
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "kerberos.kdc_unreachable", "port unreachable"));
	ev_timeline_cleanup(&t);

	ev_timeline_init(&t, EV_MODE_ANALYZE);
	k = ev_add_kerberos(&t);
	k->connection = -1;
	k->message = EV_KRB_AS_REQ;
	snprintf(k->client, sizeof(k->client), "10.0.0.5");
	snprintf(k->kdc, sizeof(k->kdc), "10.0.0.1:88");
	rules_run(&t);
	assert_null(rc_finding(&t, "kerberos.kdc_unreachable", -1));
	ev_timeline_cleanup(&t);
}

static void
probe_tree_access_denied_without_retry_is_not_encryption(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_experiment *e;

	(void)state;
	/* A client without CAP_ENCRYPTION, no retry. */
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	c->negotiate.client_capabilities &= ~SMB2_GLOBAL_CAP_ENCRYPTION;
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_ACCESS_DENIED, "\\\\fs1\\secret");
	rules_run(&t);
	assert_non_null(rc_finding(&t, "tree.access_denied", 0));
	assert_null(rc_finding(&t, "tree.encryption_required", 0));
	ev_timeline_cleanup(&t);

	/* The retry ran and was denied too: permissions. */
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	c->negotiate.client_capabilities &= ~SMB2_GLOBAL_CAP_ENCRYPTION;
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_ACCESS_DENIED, "\\\\fs1\\secret");
	e = ev_add_experiment(&t, EV_EXP_ENCRYPTED_RETRY, 0);
	e->ok = false;
	rules_run(&t);
	assert_non_null(rc_finding(&t, "tree.access_denied", 0));
	assert_null(rc_finding(&t, "tree.encryption_required", 0));
	assert_true(rc_evidence_has(&t, "tree.access_denied", "denied too"));
	ev_timeline_cleanup(&t);

	/* The same capture in analyze mode: the client could not encrypt. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	c->negotiate.client_capabilities &= ~SMB2_GLOBAL_CAP_ENCRYPTION;
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_ACCESS_DENIED, "\\\\fs1\\secret");
	rules_run(&t);
	assert_non_null(rc_finding(&t, "tree.encryption_required", 0));
	assert_null(rc_finding(&t, "tree.access_denied", 0));
	ev_timeline_cleanup(&t);
}

static void
probe_session_access_denied_with_failed_retry_is_not_encryption(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_experiment *e;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	c->negotiate.dialect = SMB2_DIALECT_210;
	rc_session(c, EV_ANSWERED, ST_ACCESS_DENIED, 1);
	e = ev_add_experiment(&t, EV_EXP_ENCRYPTED_RETRY, 0);
	e->ok = false;
	rules_run(&t);
	assert_null(rc_finding(&t, "session.encryption_required", 0));
	ev_timeline_cleanup(&t);

	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	c->negotiate.dialect = SMB2_DIALECT_210;
	rc_session(c, EV_ANSWERED, ST_ACCESS_DENIED, 1);
	e = ev_add_experiment(&t, EV_EXP_ENCRYPTED_RETRY, 0);
	e->ok = true;
	rules_run(&t);
	assert_non_null(rc_finding(&t, "session.encryption_required", 0));
	assert_true(rc_evidence_has(&t, "session.encryption_required", "encryption succeeded"));
	ev_timeline_cleanup(&t);
}

static void
slow_close_after_negotiate_is_no_response(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	c->steps[1].outcome = EV_RESET;
	c->steps[1].request_at = 0.001;
	c->steps[1].response_at = 60.001;
	c->negotiate.seen_response = false;
	rules_run(&t);
	assert_non_null(rc_finding(&t, "negotiate.no_response", 0));
	assert_null(rc_finding(&t, "negotiate.connection_closed", 0));
	ev_timeline_cleanup(&t);

	/* The same reset 2 ms after an SMB2 NEGOTIATE: closed right after. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	c->steps[1].outcome = EV_RESET;
	c->steps[1].response_at = 0.003;
	rules_run(&t);
	assert_non_null(rc_finding(&t, "negotiate.connection_closed", 0));
	assert_null(rc_finding(&t, "negotiate.no_response", 0));
	assert_null(rc_finding(&t, "negotiate.smb1_in_use", 0));
	ev_timeline_cleanup(&t);
}

static void
smb1_answer_without_dialect_is_no_common_dialect(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	c->negotiate.smb1_negotiate = true;
	c->negotiate.smb1_offers_smb2 = true;
	c->negotiate.smb1_answered = true;
	c->negotiate.dialect = 0;
	rules_run(&t);
	assert_non_null(rc_finding(&t, "negotiate.no_common_dialect", 0));
	assert_true(rc_evidence_has(&t, "negotiate.no_common_dialect", "0xFFFF"));
	assert_null(rc_finding(&t, "negotiate.smb1_in_use", 0));
	ev_timeline_cleanup(&t);
}

/* The KDC answered (a reply after the request), or the capture ended
 * while the connection was still open: no kerberos.kdc_unreachable. */
static void
answered_or_waiting_kdc_is_not_unreachable(void **state)
{
	struct ev_timeline t;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	assert_true(rules_case_build("kerberos.kdc_unreachable", &t));
	k = ev_add_kerberos(&t);
	k->at = 0.160;
	k->message = EV_KRB_AS_REP;
	k->connection = 0;
	snprintf(k->kdc, sizeof(k->kdc), "10.0.0.2:88");
	rules_run(&t);
	assert_null(rc_finding(&t, "kerberos.kdc_unreachable", 0));
	ev_timeline_cleanup(&t);

	ev_timeline_init(&t, EV_MODE_PROBE);
	assert_true(rules_case_build("kerberos.kdc_unreachable", &t));
	t.conns[0].closed_at = -1.0;
	rules_run(&t);
	assert_null(rc_finding(&t, "kerberos.kdc_unreachable", 0));
	ev_timeline_cleanup(&t);
}

/* The kerberos.kdc_unreachable case with its request refused as described
 * (no_message: a refused TCP connection, which carried no Kerberos
 * message); its evidence must hold want and, when given, not unwanted. */
struct kdc_refusal_case {
	enum ev_krb_refusal refusal;
	uint8_t icmp_type, icmp_code;
	uint32_t frame;
	const char *from;
	bool no_message;
	const char *want, *unwanted;
};

static void
check_kdc_refusal(const struct kdc_refusal_case *rc)
{
	struct ev_timeline t;
	struct ev_kerberos *k;

	ev_timeline_init(&t, EV_MODE_PROBE);
	assert_true(rules_case_build("kerberos.kdc_unreachable", &t));
	k = &t.krb[0];
	if (rc->no_message) {
		k->message = EV_KRB_NO_MESSAGE;
		k->sname[0] = '\0';
	}
	k->refusal = rc->refusal;
	k->refusal_icmp_type = rc->icmp_type;
	k->refusal_icmp_code = rc->icmp_code;
	k->refusal_frame = rc->frame;
	if (rc->from)
		snprintf(k->refusal_from, sizeof(k->refusal_from), "%s", rc->from);
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "kerberos.kdc_unreachable", rc->want));
	if (rc->unwanted)
		assert_false(rc_evidence_has(&t, "kerberos.kdc_unreachable", rc->unwanted));
	ev_timeline_cleanup(&t);
}

/* The capture's refusal of the request names how the KDC's host refused
 * (ICMP port unreachable, administratively prohibited, a reset to the
 * SYN); silence keeps "no answer in the capture". */
static void
kdc_unreachable_says_how_it_was_refused(void **state)
{
	static const struct kdc_refusal_case cases[] = {
		{EV_KRB_REFUSAL_ICMP, 3, 3, 9, "10.0.0.1", false,
		 "frame 8: AS-REQ for krbtgt/CONTOSO.COM to KDC 10.0.0.1:88: port unreachable "
		 "(ICMP type 3 code 3 from 10.0.0.1, frame 9): nothing listens there",
		 "no answer in the capture"},
		{EV_KRB_REFUSAL_ICMPV6, 1, 1, 0, "fd00::fe", false,
		 "administratively prohibited (ICMPv6 type 1 code 1 from fd00::fe): a firewall refuses it", NULL},
		/* A reset to the SYN: a record with no message, the SYN's frame. */
		{EV_KRB_REFUSAL_TCP_RESET, 0, 0, 9, NULL, true,
		 "frame 8: TCP connection to KDC 10.0.0.1:88: refused (TCP reset, frame 9): nothing listens", NULL},
		/* ... or an ICMP error to the SYN (a firewall's REJECT). */
		{EV_KRB_REFUSAL_ICMP, 3, 10, 9, "10.0.0.254", true,
		 "frame 8: TCP connection to KDC 10.0.0.1:88: administratively prohibited "
		 "(ICMP type 3 code 10 from 10.0.0.254, frame 9): a firewall refuses it",
		 NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_kdc_refusal(&cases[i]);
}

static void
ticket_rejected_stands_instead_of_logon_failure(void **state)
{
	struct ev_timeline t;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	assert_true(rules_case_build("kerberos.ticket_rejected", &t));
	rules_run(&t);
	assert_non_null(rc_finding(&t, "kerberos.ticket_rejected", 0));
	assert_null(rc_finding(&t, "session.logon_failure", 0));
	assert_null(rc_finding(&t, "session.ntlm_used", 0));
	ev_timeline_cleanup(&t);
}

static void
ap_error_modified_is_ticket_rejected(void **state)
{
	struct ev_timeline t;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	rc_negotiated(&t);
	rc_krb_error(&t, 41, "cifs/fs1.contoso.com", 0)->kdc[0] = '\0';
	rules_run(&t);
	assert_non_null(rc_finding(&t, "kerberos.ticket_rejected", 0));
	assert_true(rc_evidence_has(&t, "kerberos.ticket_rejected",
				    "the SMB server 10.0.0.9:445 answered the AP-REQ in SESSION_SETUP with KRB_AP_ERR_MODIFIED"));
	ev_timeline_cleanup(&t);
}

/* Issue 7 of the Kerberos review: a KRB-ERROR inside SESSION_SETUP came
 * from the SMB server's own acceptor; no KDC is named. */
static void
acceptor_error_names_the_server_not_a_kdc(void **state)
{
	struct ev_timeline t;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	rc_session(rc_negotiated(&t), EV_ANSWERED, ST_MORE_PROCESSING, 1);
	k = rc_krb_error(&t, 37, "hqdc-02$", 0);
	k->kdc[0] = '\0';
	k->answers = EV_KRB_AP_REQ;
	k->frame = 7;
	rules_run(&t);
	rc_dump(&t);
	assert_true(rc_evidence_has(&t, "kerberos.clock_skew",
				    "frame 7: the SMB server 10.0.0.9:445 answered the AP-REQ in SESSION_SETUP with "
				    "KRB_AP_ERR_SKEW (37): its own Kerberos acceptor (hq"));
	assert_false(rc_evidence_has(&t, "kerberos.clock_skew", "KDC 10.0.0"));
	ev_timeline_cleanup(&t);
}

/* Issue 3: KDC_ERR_S_PRINCIPAL_UNKNOWN is kerberos.spn_unknown for cifs/
 * names only. A KDC of the user's realm without the cross-realm krbtgt
 * of the server's realm is a missing trust; a user's name (S4U) or a
 * host/ name that no SMB connection waited for says nothing about SMB. */
static void
spn_unknown_only_for_cifs_names(void **state)
{
	struct ev_timeline t;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	rc_negotiated(&t);
	k = rc_krb_error(&t, 7, "krbtgt/SMBDIAG.TEST", 0);
	snprintf(k->cname, sizeof(k->cname), "carol");
	snprintf(k->realm, sizeof(k->realm), "OTHER.TEST");
	k->answers = EV_KRB_TGS_REQ;
	rules_run(&t);
	rc_dump(&t);
	assert_null(rc_finding(&t, "kerberos.spn_unknown", 0));
	assert_true(rc_evidence_has(&t, "kerberos.other", "no cross-realm key krbtgt/SMBDIAG.TEST@OTHER.TEST"));
	assert_true(rc_evidence_has(&t, "kerberos.other", "create the trust between OTHER.TEST and SMBDIAG.TEST"));
	assert_false(rc_evidence_has(&t, "kerberos.other", "setspn"));
	ev_timeline_cleanup(&t);

	ev_timeline_init(&t, EV_MODE_ANALYZE);
	rc_krb_error(&t, 7, "Administrator", -1)->answers = EV_KRB_TGS_REQ;
	rc_krb_error(&t, 7, "host/anything", -1);
	rc_krb_error(&t, 7, "invalid_service_principal/test.vladg.net", -1)->answers = EV_KRB_AS_REQ;
	rules_run(&t);
	rc_dump(&t);
	assert_int_equal(t.n_findings, 0);
	ev_timeline_cleanup(&t);

	/* ... unless an SMB connection waited for it. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	rc_session(rc_negotiated(&t), EV_ANSWERED, ST_LOGON_FAILURE, 1);
	rc_krb_error(&t, 7, "host/fs1.contoso.com", 0);
	rules_run(&t);
	assert_null(rc_finding(&t, "kerberos.spn_unknown", 0));
	assert_true(rc_evidence_has(&t, "kerberos.other", "KDC_ERR_S_PRINCIPAL_UNKNOWN (7) for host/fs1.contoso.com"));
	ev_timeline_cleanup(&t);
}

/* Issue 5: KRB_AP_ERR_BAD_INTEGRITY from a KDC answering an AS-REQ is
 * MIT's answer to a wrong password, not a server that could not decrypt a
 * ticket; a KDC's KRB_AP_ERR_* to a TGS-REQ is about the TGT. */
static void
kdc_bad_integrity_to_as_req_is_a_wrong_password(void **state)
{
	struct ev_timeline t;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	rc_krb_error(&t, 25, "krbtgt/VLADG.NET", -1)->answers = EV_KRB_AS_REQ;
	k = rc_krb_error(&t, 31, "krbtgt/VLADG.NET", -1);
	k->answers = EV_KRB_AS_REQ;
	k->at = 0.006;
	/* The same without pairing: the pre-authentication was sent. */
	k = rc_krb_error(&t, 31, "krbtgt/VLADG.NET", -1);
	k->at = 0.007;
	k->frame = 33;
	rules_run(&t);
	rc_dump(&t);
	assert_null(rc_finding(&t, "kerberos.ticket_rejected", -1));
	assert_true(rc_evidence_has(&t, "kerberos.preauth_failed", "answered KRB_AP_ERR_BAD_INTEGRITY (31)"));
	assert_true(rc_evidence_has(&t, "kerberos.preauth_failed", "the password is wrong"));
	assert_true(rc_evidence_has(&t, "kerberos.preauth_failed", "frame 33: "));
	ev_timeline_cleanup(&t);

	ev_timeline_init(&t, EV_MODE_ANALYZE);
	rc_session(rc_negotiated(&t), EV_ANSWERED, ST_LOGON_FAILURE, 1);
	rc_krb_error(&t, 41, "cifs/fs1.contoso.com", 0)->answers = EV_KRB_TGS_REQ;
	rules_run(&t);
	rc_dump(&t);
	assert_null(rc_finding(&t, "kerberos.preauth_failed", 0));
	assert_true(rc_evidence_has(&t, "kerberos.other", "ticket-granting ticket"));
	ev_timeline_cleanup(&t);
}

/* Issue 6: only the errors of settling pre-authentication are normal
 * before it. An expired account is a fault; a refused TGT renewal is not
 * when the client went on to get a new TGT. */
static void
errors_before_preauth_that_are_faults(void **state)
{
	struct ev_timeline t;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	k = rc_krb_error(&t, 1, "krbtgt/VLADG.NET", -1);
	k->after_preauth = false;
	k->answers = EV_KRB_AS_REQ;
	k = rc_krb_error(&t, 13, "krbtgt/VLADG.NET", -1);
	k->after_preauth = false;
	k->answers = EV_KRB_TGS_REQ;
	snprintf(k->cname, sizeof(k->cname), "bob");
	k = rc_krb_error(&t, 0, "krbtgt/VLADG.NET", -1);
	k->message = EV_KRB_AS_REP;
	k->has_error = false;
	k->at = 0.009;
	snprintf(k->cname, sizeof(k->cname), "bob");
	rules_run(&t);
	rc_dump(&t);
	assert_true(rc_evidence_has(&t, "session.account_restriction", "answered KDC_ERR_NAME_EXP (1)"));
	assert_true(rc_evidence_has(&t, "session.account_restriction", "has expired"));
	assert_null(rc_finding(&t, "kerberos.other", -1));
	ev_timeline_cleanup(&t);

	/* The renewal refused and nothing after it. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	k = rc_krb_error(&t, 13, "krbtgt/VLADG.NET", -1);
	k->after_preauth = false;
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "kerberos.other", "KDC_ERR_BADOPTION (13)"));
	assert_true(rc_evidence_has(&t, "kerberos.other", "get a new TGT"));
	ev_timeline_cleanup(&t);
}

/* Issues 2, 4 and 11: what the probe's Kerberos library concluded with no
 * KRB-ERROR to say it is an error finding (exit 12 must never come with
 * "No problem found") that says what happened and what to do; a
 * KRB-ERROR nobody sent is not invented for it. */
static void
library_conclusions_are_errors_with_remedies(void **state)
{
	static const struct {
		enum ev_krb_conclusion why;
		const char *id, *detail, *remedy;
	} cases[] = {
		{EV_KRB_CONCLUDED_NO_KDC, "kerberos.kdc_unreachable",
		 "the Kerberos library knows no KDC for realm CONTOSO.COM (Cannot find KDC for realm \"CONTOSO.COM\")",
		 "name the KDCs of CONTOSO.COM in krb5.conf"},
		{EV_KRB_CONCLUDED_NO_CREDENTIALS, "kerberos.other",
		 "no password, and no TGT in the default credential cache (Kerberos library: No credentials cache found)",
		 "get a TGT: kinit alice@CONTOSO.COM, or give the password: -U alice%PASSWORD"},
		{EV_KRB_CONCLUDED_NO_ETYPE, "kerberos.etype_unsupported",
		 "no common encryption type: the AS-REQ offered aes256-cts-hmac-sha1-96, and the KDC's answer named no "
		 "key of alice of those types (no ETYPE-INFO2) (Kerberos library: Generic preauthentication failure)",
		 "permitted_enctypes"},
		{EV_KRB_CONCLUDED_TGT_EXPIRED, "kerberos.other",
		 "the TGT in the credential cache expired at 2026-11-28T18:45:21Z; no KDC was asked (Kerberos library: "
		 "Ticket expired)", "get a TGT: kinit alice@CONTOSO.COM"},
		{EV_KRB_CONCLUDED_WRONG_PASSWORD, "kerberos.preauth_failed",
		 "the KDC's AS-REP does not decrypt with this password: wrong password (Kerberos library: Decrypt "
		 "integrity check failed)", "alice@CONTOSO.COM does not require pre-authentication"},
		{EV_KRB_CONCLUDED_OTHER_USER, "kerberos.other",
		 "the default credential cache holds a TGT of bob@CONTOSO.COM, not of alice@CONTOSO.COM",
		 "get a TGT of alice@CONTOSO.COM into the cache: kinit alice@CONTOSO.COM"},
		{EV_KRB_CONCLUDED_OTHER, "kerberos.other", "the Kerberos library concluded: something else", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ev_timeline t;
		struct ev_connection *c;
		struct ev_kerberos *k;
		struct ev_step *ss;

		ev_timeline_init(&t, EV_MODE_PROBE);
		c = ev_add_connection(&t);
		ss = ev_add_step(c, SD_STEP_SESSION_SETUP);
		ss->outcome = EV_LOCAL_ERROR;
		ss->problem = EV_PROBLEM_LOCAL;
		if (cases[i].why == EV_KRB_CONCLUDED_NO_ETYPE)
			rc_krb_error(&t, 25, "krbtgt/CONTOSO.COM", 0)->answers = EV_KRB_AS_REQ;
		k = ev_add_kerberos(&t);
		k->message = EV_KRB_NO_MESSAGE;
		k->step = EV_KRB_STEP_TGT;
		k->connection = 0;
		k->at = 0.01;
		k->conclusion = cases[i].why;
		snprintf(k->cname, sizeof(k->cname), "alice");
		snprintf(k->realm, sizeof(k->realm), "CONTOSO.COM");
		snprintf(k->sname, sizeof(k->sname), "krbtgt/CONTOSO.COM");
		snprintf(k->detail, sizeof(k->detail), "%s", cases[i].detail);
		rules_run(&t);
		rc_dump(&t);
		assert_true(ev_has_error(&t));
		assert_true(rc_evidence_has(&t, cases[i].id, cases[i].detail));
		if (cases[i].remedy)
			assert_true(rc_evidence_has(&t, cases[i].id, cases[i].remedy));
		/* The library's own account: the normal first step stays quiet. */
		assert_null(rc_finding(&t, "kerberos.preauth_required", 0));
		ev_timeline_cleanup(&t);
	}
}

/* auto fell back to NTLM and logged on: the library's reason is what
 * session.ntlm_used says, not a fault of its own. */
static void
library_conclusion_behind_ntlm_fallback_is_no_error(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	c->session.mechanism = EV_MECH_NTLMSSP;
	k = ev_add_kerberos(&t);
	k->message = EV_KRB_NO_MESSAGE;
	k->step = EV_KRB_STEP_TGT;
	k->connection = 0;
	k->conclusion = EV_KRB_CONCLUDED_NO_CREDENTIALS;
	snprintf(k->detail, sizeof(k->detail), "no password, and no TGT in the default credential cache");
	rules_run(&t);
	rc_dump(&t);
	assert_false(ev_has_error(&t));
	assert_true(rc_evidence_has(&t, "session.ntlm_used", "no Kerberos ticket could be had (no password, and no TGT"));
	ev_timeline_cleanup(&t);
}

/* Issue 8: a finding's evidence holds EV_MAX_EVIDENCE lines; the errors
 * that find no room are counted on its last line, with their frames. */
static void
evidence_counts_the_errors_left_out(void **state)
{
	struct ev_timeline t;
	const struct ev_finding *f;
	uint32_t i;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	for (i = 0; i < 20; i++) {
		struct ev_kerberos *k = rc_krb_error(&t, 6, "krbtgt/CONTOSO.COM", -1);

		snprintf(k->cname, sizeof(k->cname), "user%u", i);
		snprintf(k->e_text, sizeof(k->e_text), "CLIENT_NOT_FOUND");
		k->frame = 100 + 2 * i;
		k->at = 0.1 * i;
	}
	rules_run(&t);
	rc_dump(&t);
	f = rc_finding(&t, "kerberos.client_unknown", -1);
	assert_non_null(f);
	assert_int_equal(f->n_evidence, EV_MAX_EVIDENCE);
	/* user0 with its e-text, user1 .. user3; 16 left out. */
	assert_true(rc_evidence_has(&t, "kerberos.client_unknown", "client user3@CONTOSO.COM"));
	assert_false(rc_evidence_has(&t, "kerberos.client_unknown", "client user4@CONTOSO.COM"));
	assert_string_equal(f->evidence[EV_MAX_EVIDENCE - 1], "16 more like these not shown (frames 108 to 138)");
	ev_timeline_cleanup(&t);

	/* Exactly as many as fit: no count. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	for (i = 0; i < 5; i++)
		rc_krb_error(&t, 6, "krbtgt/CONTOSO.COM", -1)->frame = 100 + i;
	rules_run(&t);
	f = rc_finding(&t, "kerberos.client_unknown", -1);
	assert_int_equal(f->n_evidence, 5);
	assert_false(rc_evidence_has(&t, "kerberos.client_unknown", "more like these"));
	ev_timeline_cleanup(&t);
}

static void
time_difference_at_dc_is_clock_skew(void **state)
{
	struct ev_timeline t;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	rc_session(rc_negotiated(&t), EV_ANSWERED, ST_TIME_DIFFERENCE_AT_DC, 1);
	rules_run(&t);
	assert_non_null(rc_finding(&t, "kerberos.clock_skew", 0));
	ev_timeline_cleanup(&t);
}

static void
guest_named_guest_is_no_fallback(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	snprintf(c->session.user, sizeof(c->session.user), "Guest");
	c->session.has_flags = true;
	c->session.session_flags = SMB2_SESSION_FLAG_IS_GUEST;
	rules_run(&t);
	assert_null(rc_finding(&t, "session.guest_fallback", 0));
	ev_timeline_cleanup(&t);
}

static void
logon_failure_names_other_host(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	/* Server names unknown (no CHALLENGE seen): the tree path decides. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, ST_LOGON_FAILURE, 2);
	c->session.server_nb_computer[0] = c->session.server_dns_computer[0] = '\0';
	snprintf(c->session.target_name, sizeof(c->session.target_name), "cifs/old-fs");
	snprintf(c->tree.path, sizeof(c->tree.path), "\\\\fs1\\data");
	rules_run(&t);
	assert_non_null(rc_finding(&t, "session.logon_failure", 0));
	assert_non_null(rc_finding(&t, "session.name_hardening", 0));
	assert_true(rc_evidence_has(&t, "session.name_hardening", "but connected to fs1"));
	ev_timeline_cleanup(&t);

	/* An address typed by the user is no hardening clue for LOGON_FAILURE. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, ST_LOGON_FAILURE, 2);
	snprintf(c->session.target_name, sizeof(c->session.target_name), "cifs/10.0.0.9");
	snprintf(c->server_name, sizeof(c->server_name), "10.0.0.9");
	rules_run(&t);
	assert_non_null(rc_finding(&t, "session.logon_failure", 0));
	assert_null(rc_finding(&t, "session.name_hardening", 0));
	ev_timeline_cleanup(&t);

	/* Matching names: a plain logon failure. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	rc_session(rc_negotiated(&t), EV_ANSWERED, ST_LOGON_FAILURE, 2);
	rules_run(&t);
	assert_non_null(rc_finding(&t, "session.logon_failure", 0));
	assert_null(rc_finding(&t, "session.name_hardening", 0));
	ev_timeline_cleanup(&t);
}

static void
bad_network_name_with_refused_listing(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_experiment *e;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_BAD_NETWORK_NAME, "\\\\fs1\\Dta");
	e = ev_add_experiment(&t, EV_EXP_SHARE_LIST, 0);
	e->ok = false;
	e->outcome = EV_ANSWERED;
	e->status = ST_ACCESS_DENIED;
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "tree.bad_network_name", "refused (STATUS_ACCESS_DENIED)"));
	ev_timeline_cleanup(&t);
}

static void
signing_explains_tree_denial(void **state)
{
	struct ev_timeline t;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	assert_true(rules_case_build("session.signing_mismatch", &t));
	rules_run(&t);
	assert_non_null(rc_finding(&t, "session.signing_mismatch", 0));
	assert_null(rc_finding(&t, "tree.access_denied", 0));
	ev_timeline_cleanup(&t);
}

static void
anonymous_tree_drop_is_anonymous_denied(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	c->session.mechanism = EV_MECH_ANONYMOUS;
	c->session.has_flags = true;
	c->session.session_flags = SMB2_SESSION_FLAG_IS_NULL;
	rc_tree(c, EV_RESET, 0, "\\\\fs1\\IPC$")->request_signed = false;
	rules_run(&t);
	assert_non_null(rc_finding(&t, "session.anonymous_denied", 0));
	assert_null(rc_finding(&t, "tree.unsigned_disconnect", 0));
	ev_timeline_cleanup(&t);
}

/* Port 139: the typed name refused with 0x82, then the probe's *SMBSERVER
 * retry (probe_netbios.c). The finding stays on connection 0 and says
 * what the retry showed. */
static void
smbserver_retry_timeline(struct ev_timeline *t, bool accepted)
{
	struct ev_connection *c = ev_add_connection(t);
	struct ev_experiment *e;
	struct ev_step *s;

	rc_step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0);
	s = rc_step(c, SD_STEP_NBSS, EV_NBSS_REJECTED, 0x82, 0.001);
	snprintf(s->detail, sizeof(s->detail), "called name FS1<20>");
	snprintf(c->called_name, sizeof(c->called_name), "FS1");
	c->called_suffix = 0x20;
	e = ev_add_experiment(t, EV_EXP_NBSS_SMBSERVER, 0);
	e->step = SD_STEP_NBSS;
	e->ok = accepted;
	e->outcome = accepted ? EV_ANSWERED : EV_NBSS_REJECTED;
	e->status = accepted ? 0 : 0x82;
	if (accepted) {
		c = rc_negotiated(t);
		rc_session(c, EV_ANSWERED, 0, 2);
		rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\data");
	}
}

static void
called_name_refused_smbserver_accepted(void **state)
{
	struct ev_timeline t;
	size_t i;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	smbserver_retry_timeline(&t, true);
	rules_run(&t);
	assert_non_null(rc_finding(&t, "nbss.called_name_rejected", 0));
	assert_true(rc_evidence_has(&t, "nbss.called_name_rejected", "called name FS1<20> -> NEGATIVE"));
	assert_true(rc_evidence_has(&t, "nbss.called_name_rejected",
				    "does not answer to FS1 on 139 but does answer to *SMBSERVER"));
	for (i = 0; i < t.n_findings; i++)
		assert_false(t.findings[i].connection == 1 && t.findings[i].def->severity == SD_SEV_ERROR);
	ev_timeline_cleanup(&t);
}

/* Bytes of another protocol as a report shows them: readable, escaped,
 * bounded. */
static void
foreign_bytes_escaped(void **state)
{
	static const uint8_t bytes[] = {'A', '\r', '\n', '\t', '\\', 0x00, 0x16, 0x7F, 'z'};
	char out[64], small[6];

	(void)state;
	ev_escape_bytes(bytes, sizeof(bytes), out, sizeof(out));
	assert_string_equal(out, "A\\r\\n\\t\\\\\\x00\\x16\\x7Fz");
	/* No escape is cut in half. */
	ev_escape_bytes(bytes, sizeof(bytes), small, sizeof(small));
	assert_string_equal(small, "A\\r\\n");
	ev_escape_bytes(bytes, 0, out, sizeof(out));
	assert_string_equal(out, "");
}

/* A banner names the service; bytes nobody recognises are shown alone. */
static void
not_smb_names_the_service(void **state)
{
	struct ev_timeline t;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	rules_case_build("negotiate.not_smb", &t);
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "negotiate.not_smb", "it looks like an SSH server"));
	assert_null(rc_finding(&t, "negotiate.other", 0));
	ev_timeline_cleanup(&t);
	ev_timeline_init(&t, EV_MODE_PROBE);
	rules_case_build("negotiate.not_smb", &t);
	snprintf(t.conns[0].foreign_answer, sizeof(t.conns[0].foreign_answer), "\\x00\\x00\\x00\\x08ABCD");
	rules_run(&t);
	assert_non_null(rc_finding(&t, "negotiate.not_smb", 0));
	assert_false(rc_evidence_has(&t, "negotiate.not_smb", "it looks like"));
	ev_timeline_cleanup(&t);
}

/* ---- the catch-all (rules_other.c) ---- */

static size_t
errors_of(const struct ev_timeline *t, int connection)
{
	size_t i, n = 0;

	for (i = 0; i < t->n_findings; i++)
		n += t->findings[i].connection == connection && t->findings[i].def->severity == SD_SEV_ERROR;
	return n;
}

/* A TREE_CONNECT refused with a status the families do not know gets
 * tree.other, with what the status means; one they explain does not. */
static void
other_only_where_nothing_explains(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0xC0000001u, "\\\\fs1\\data");
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0xC00000CCu, "\\\\fs1\\dta");
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0xC000009Au, "\\\\fs1\\data");
	rules_run(&t);
	/* No step knowledge: what the status means at all. */
	assert_non_null(rc_finding(&t, "tree.other", 0));
	assert_true(rc_evidence_has(&t, "tree.other", "STATUS_UNSUCCESSFUL means: "));
	assert_null(rc_finding(&t, "tree.other", 1));
	assert_non_null(rc_finding(&t, "tree.bad_network_name", 1));
	assert_int_equal(errors_of(&t, 1), 1);
	/* Step knowledge: the meaning at TREE_CONNECT and the likely causes. */
	assert_non_null(rc_finding(&t, "tree.other", 2));
	assert_true(rc_evidence_has(&t, "tree.other", "at TREE_CONNECT: The server would not connect one more tree"));
	assert_true(rc_evidence_has(&t, "tree.other", "likely cause: The share's connection limit is reached"));
	ev_timeline_cleanup(&t);
}

/* Not a failure: a later TREE_CONNECT that succeeded, a status that is
 * part of a working exchange, a SESSION_SETUP leg, a request the capture
 * saw no answer to. */
static void
other_not_for_what_is_no_failure(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	size_t i;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0xC000009Au, "\\\\fs1\\IPC$");
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\data");
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0xC000035Cu, "\\\\fs1\\data");
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0xC0000016u, 1);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_NO_RESPONSE, 0, "\\\\fs1\\data");
	rules_run(&t);
	for (i = 0; i < t.n_findings; i++)
		assert_true(strstr(t.findings[i].def->id, ".other") == NULL);
	ev_timeline_cleanup(&t);
}

/* The server closing the connection on a signed 3.0 TREE_CONNECT is no
 * known rule (3.1.1 unsigned is): tree.other says the server ended it. */
static void
other_for_a_dropped_request(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_step *s;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	c->negotiate.dialect = SMB2_DIALECT_300;
	rc_session(c, EV_ANSWERED, 0, 2);
	s = rc_tree(c, EV_CLOSED, 0, "\\\\fs1\\data");
	s->response_at = s->request_at + 0.001;
	c->closed_by_server = true;
	c->closed_at = s->response_at;
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "tree.other", "TREE_CONNECT \\\\fs1\\data: the server ended the connection "
				    "instead of answering"));
	ev_timeline_cleanup(&t);
}

/* The rule names the called name from the record, whatever language the
 * step's detail is in, with the suffix the request carried. */
static void
called_name_from_the_record(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_step *s;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = ev_add_connection(&t);
	rc_step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0);
	s = rc_step(c, SD_STEP_NBSS, EV_NBSS_REJECTED, 0x80, 0.001);
	snprintf(s->detail, sizeof(s->detail), "nom appelé ARCHIVE<1D>");
	snprintf(c->called_name, sizeof(c->called_name), "ARCHIVE");
	c->called_suffix = 0x1D;
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "nbss.called_name_rejected", "called name ARCHIVE<1D> -> NEGATIVE SESSION "
				    "RESPONSE 0x80"));
	assert_false(rc_evidence_has(&t, "nbss.called_name_rejected", "nom"));
	ev_timeline_cleanup(&t);
}

static void
called_name_and_smbserver_refused(void **state)
{
	struct ev_timeline t;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	smbserver_retry_timeline(&t, false);
	rules_run(&t);
	assert_non_null(rc_finding(&t, "nbss.called_name_rejected", 0));
	assert_true(rc_evidence_has(&t, "nbss.called_name_rejected", "*SMBSERVER was refused too (0x82)"));
	assert_false(rc_evidence_has(&t, "nbss.called_name_rejected", "does answer to *SMBSERVER"));
	ev_timeline_cleanup(&t);
}

static void
running_twice_adds_nothing(void **state)
{
	struct ev_timeline t;
	size_t i, n;
	unsigned evidence = 0, again = 0;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	assert_true(rules_case_build("tree.bad_network_name", &t));
	assert_true(rules_case_build("session.logon_failure", &t));
	assert_true(rules_case_build("kerberos.client_revoked", &t));
	rules_run(&t);
	n = t.n_findings;
	for (i = 0; i < n; i++)
		evidence += t.findings[i].n_evidence;
	assert_true(n >= 3);
	rules_run(&t);
	assert_int_equal(t.n_findings, n);
	for (i = 0; i < n; i++)
		again += t.findings[i].n_evidence;
	assert_int_equal(again, evidence);
	ev_timeline_cleanup(&t);
}

static void
findings_are_ordered_by_connection_then_step(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	size_t i;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	/* Connection 0: anonymous session dropped at TREE_CONNECT (a
	 * session finding from the tree rules) with an SMB1 warning. */
	c = rc_negotiated(&t);
	c->negotiate.smb1_negotiate = true;
	c->negotiate.smb1_answered = true;
	c->negotiate.dialect = SD_DIALECT_SMB1;
	rc_session(c, EV_ANSWERED, 0, 2);
	c->session.mechanism = EV_MECH_ANONYMOUS;
	rc_tree(c, EV_RESET, 0, "\\\\fs1\\IPC$");
	/* Connection 1: bad share; connection 2: refused. */
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_BAD_NETWORK_NAME, "\\\\fs1\\x");
	assert_true(rules_case_build("tcp.refused", &t));
	rc_krb_error(&t, 24, "krbtgt/CONTOSO.COM", -1);
	rules_run(&t);
	rc_dump(&t);
	for (i = 1; i < t.n_findings; i++) {
		const struct ev_finding *a = &t.findings[i - 1], *b = &t.findings[i];
		unsigned ka = a->connection < 0 ? 1000u : (unsigned)a->connection;
		unsigned kb = b->connection < 0 ? 1000u : (unsigned)b->connection;

		assert_true(ka < kb || (ka == kb && a->step <= b->step));
	}
	assert_true(rc_errors(&t) >= 4);
	ev_timeline_cleanup(&t);
}

static void
many_connections_stay_fast_and_separate(void **state)
{
	struct ev_timeline t;
	size_t i;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	for (i = 0; i < 2000; i++) {
		struct ev_connection *c = rc_negotiated(&t);

		rc_session(c, EV_ANSWERED, i % 2 ? ST_LOGON_FAILURE : 0, 2);
		rc_krb_error(&t, 7, "cifs/alias", (int)(1999 - i));
	}
	rules_run(&t);
	for (i = 0; i < 2000; i += 499) {
		assert_non_null(rc_finding(&t, "kerberos.spn_unknown", (int)i));
		assert_true((rc_finding(&t, "session.logon_failure", (int)i) != NULL) == (i % 2 == 1));
	}
	ev_timeline_cleanup(&t);
}

static void
skew_recovered_by_a_successful_logon_is_no_error(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 3);
	c->session.mechanism = EV_MECH_KERBEROS;
	rc_krb_error(&t, 37, "cifs/fs1", 0)->kdc[0] = '\0';
	rules_run(&t);
	assert_null(rc_finding(&t, "kerberos.clock_skew", 0));
	assert_false(ev_has_error(&t));
	ev_timeline_cleanup(&t);
}

/* ---- one server name, several servers (negotiate.different_servers) ---- */

/* A second connection of the same client to fs1, answered by guid. */
static struct ev_connection *
second_connection(struct ev_timeline *t, const char *guid, const char *client)
{
	struct ev_connection *c = rc_negotiated(t);

	snprintf(c->client, sizeof(c->client), "%s", client);
	snprintf(c->server, sizeof(c->server), "10.0.0.10:445");
	c->negotiate.has_server_guid = true;
	memcpy(c->negotiate.server_guid, guid, 16);
	return c;
}

static void
capture_second_server_under_one_name(void **state)
{
	struct ev_timeline t;
	struct ev_connection *first, *second;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	first = second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50001");
	snprintf(first->server, sizeof(first->server), "10.0.0.9:445");
	second = second_connection(&t, "fs1-node-b-guid!", "10.0.0.5:50002");
	second->closed_by_client = true;
	rules_run(&t);
	assert_null(rc_finding(&t, "negotiate.different_servers", 0));
	assert_non_null(rc_finding(&t, "negotiate.different_servers", 1));
	assert_true(rc_evidence_has(&t, "negotiate.different_servers", "connection 0 reached fs1 at 10.0.0.9:445"));
	assert_true(rc_evidence_has(&t, "negotiate.different_servers", "right after the NEGOTIATE answer"));
	assert_true(rc_evidence_has(&t, "negotiate.different_servers", "(MS-SMB2 3.2.5.2)"));
	assert_false(ev_has_error(&t));
	ev_timeline_cleanup(&t);
}

static void
capture_same_server_or_other_client_is_no_finding(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	/* The same GUID at another address: one server with two addresses. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50001");
	second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50002");
	rules_run(&t);
	assert_null(rc_finding(&t, "negotiate.different_servers", 1));
	ev_timeline_cleanup(&t);
	/* Another client: its own ServerList. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50001");
	second_connection(&t, "fs1-node-b-guid!", "10.0.0.6:50002");
	rules_run(&t);
	assert_null(rc_finding(&t, "negotiate.different_servers", 1));
	ev_timeline_cleanup(&t);
	/* Another name (Windows keys the list by the name as used). */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50001");
	c = second_connection(&t, "fs1-node-b-guid!", "10.0.0.5:50002");
	snprintf(c->server_name, sizeof(c->server_name), "fs1.contoso.com");
	rules_run(&t);
	assert_null(rc_finding(&t, "negotiate.different_servers", 1));
	ev_timeline_cleanup(&t);
	/* Another offer drew another dialect from the same server. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50001");
	c = second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50002");
	c->negotiate.n_client_dialects = 2;
	c->negotiate.dialect = SMB2_DIALECT_210;
	rules_run(&t);
	assert_null(rc_finding(&t, "negotiate.different_servers", 1));
	ev_timeline_cleanup(&t);
}

static void
capture_same_guid_other_signing_is_a_finding(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50001");
	c = second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50002");
	c->negotiate.server_security_mode |= SMB2_NEGOTIATE_SIGNING_REQUIRED;
	rules_run(&t);
	assert_non_null(rc_finding(&t, "negotiate.different_servers", 1));
	assert_true(rc_evidence_has(&t, "negotiate.different_servers", "signing required"));
	ev_timeline_cleanup(&t);
}

/* The probe's connection to fs1 and one follow-up offering 2.1 alone,
 * answered with 2.1 by the server with guid. */
static void
probe_with_follow_up_answered_by(struct ev_timeline *t, const char *guid)
{
	struct ev_connection *c;
	struct ev_experiment *e;

	ev_timeline_init(t, EV_MODE_PROBE);
	c = second_connection(t, "fs1-node-a-guid!", "10.0.0.5:50001");
	e = ev_add_experiment(t, EV_EXP_DIALECT_ALONE, (int)c->id);
	snprintf(e->address, sizeof(e->address), "10.0.0.10:445");
	e->server.known = true;
	e->server.dialect = SMB2_DIALECT_210;
	memcpy(e->server.guid, guid, 16);
	rules_run(t);
}

static void
probe_follow_up_reaching_another_server(void **state)
{
	struct ev_timeline t;

	(void)state;
	/* Another dialect from the same server: the offer changed, no finding. */
	probe_with_follow_up_answered_by(&t, "fs1-node-a-guid!");
	assert_null(rc_finding(&t, "negotiate.different_servers", 0));
	ev_timeline_cleanup(&t);
	/* Another server behind the same address: a load balancer. */
	probe_with_follow_up_answered_by(&t, "fs1-node-b-guid!");
	assert_non_null(rc_finding(&t, "negotiate.different_servers", 0));
	assert_true(rc_evidence_has(&t, "negotiate.different_servers", "a follow-up connection to 10.0.0.10:445"));
	ev_timeline_cleanup(&t);
}

/* The same ServerGuid at both addresses (two Samba servers with one NetBIOS
 * name, no CTDB), but the share is on one of them only. */
static void
probe_other_address_same_guid_other_result(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_experiment *e;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50001");
	rc_session(c, EV_ANSWERED, 0, 3);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\data");
	e = ev_add_experiment(&t, EV_EXP_OTHER_ADDRESS, (int)c->id);
	snprintf(e->address, sizeof(e->address), "10.0.0.11:445");
	e->full_walk = true;
	e->server.known = true;
	e->server.dialect = SMB2_DIALECT_311;
	e->server.security_mode = c->negotiate.server_security_mode;
	e->server.capabilities = c->negotiate.server_capabilities;
	memcpy(e->server.guid, "fs1-node-a-guid!", 16);
	e->step = SD_STEP_TREE_CONNECT;
	e->outcome = EV_ANSWERED;
	e->status = ST_BAD_NETWORK_NAME;
	rules_run(&t);
	assert_non_null(rc_finding(&t, "negotiate.different_servers", 0));
	assert_true(rc_evidence_has(&t, "negotiate.different_servers",
				    "the same walk ended at TREE_CONNECT with STATUS_BAD_NETWORK_NAME there"));
	assert_true(rc_evidence_has(&t, "negotiate.different_servers", "and the walk got through there"));
	assert_true(rc_evidence_has(&t, "negotiate.different_servers", "depends on the address it reaches"));
	assert_false(rc_evidence_has(&t, "negotiate.different_servers", "MS-SMB2 3.2.5.2"));
	ev_timeline_cleanup(&t);
	/* ... and the same result there: nothing to say. */
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50001");
	rc_session(c, EV_ANSWERED, 0, 3);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\data");
	e = ev_add_experiment(&t, EV_EXP_OTHER_ADDRESS, (int)c->id);
	e->full_walk = true;
	e->ok = true;
	e->server = (struct ev_server_identity){true, SMB2_DIALECT_311, c->negotiate.server_security_mode,
						c->negotiate.server_capabilities, {0}};
	memcpy(e->server.guid, "fs1-node-a-guid!", 16);
	rules_run(&t);
	assert_null(rc_finding(&t, "negotiate.different_servers", 0));
	ev_timeline_cleanup(&t);
}

/* Behind a load balancer the share listing may come from another server:
 * its names are no suggestion for this one without saying so. */
static void
share_list_from_another_server_is_flagged(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_experiment *e;

	(void)state;
	ev_timeline_init(&t, EV_MODE_PROBE);
	c = second_connection(&t, "fs1-node-a-guid!", "10.0.0.5:50001");
	rc_session(c, EV_ANSWERED, 0, 3);
	rc_tree(c, EV_ANSWERED, ST_BAD_NETWORK_NAME, "\\\\fs1\\dta");
	e = ev_add_experiment(&t, EV_EXP_SHARE_LIST, (int)c->id);
	e->ok = true;
	e->n_shares = 1;
	snprintf(e->shares[0], sizeof(e->shares[0]), "data");
	e->server.known = true;
	e->server.dialect = SMB2_DIALECT_311;
	memcpy(e->server.guid, "fs1-node-b-guid!", 16);
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "tree.bad_network_name", "the share listing reached another server"));
	assert_true(rc_evidence_has(&t, "tree.bad_network_name", "did you mean: data?"));
	assert_non_null(rc_finding(&t, "negotiate.different_servers", 0));
	ev_timeline_cleanup(&t);
}

/* MIT's KDC answers a FAST-armored TGS-REQ with the anonymous principal
 * where the client's name would be (seen with smbclient): the evidence must
 * not name "WELLKNOWN/ANONYMOUS" as the client. */
static void
fast_armored_error_hides_the_client(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_kerberos *k;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	k = rc_krb_error(&t, 7, "cifs/alias.contoso.com", 0);
	snprintf(k->cname, sizeof(k->cname), "WELLKNOWN/ANONYMOUS");
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "kerberos.spn_unknown", "the client's name is hidden"));
	assert_false(rc_evidence_has(&t, "kerberos.spn_unknown", "client WELLKNOWN/ANONYMOUS"));
	ev_timeline_cleanup(&t);
}

static void
durations_read_like_the_article(void **state)
{
	char d[32];

	(void)state;
	rule_duration(0.0002, d, sizeof(d));
	assert_string_equal(d, "0.2 ms");
	rule_duration(0.00002, d, sizeof(d));
	assert_string_equal(d, "0.020 ms");
	rule_duration(0.0069, d, sizeof(d));
	assert_string_equal(d, "6.9 ms");
	rule_duration(60.0, d, sizeof(d));
	assert_string_equal(d, "60.0 s");
}

static void
host_names_compare_like_an_administrator_would(void **state)
{
	char h[64];

	(void)state;
	rule_host_of("cifs/fs1.contoso.com@CONTOSO.COM", h, sizeof(h));
	assert_string_equal(h, "fs1.contoso.com");
	rule_host_of("\\\\fs1\\data", h, sizeof(h));
	assert_string_equal(h, "fs1");
	rule_host_of("//fs1:4455/data", h, sizeof(h));
	assert_string_equal(h, "fs1");
	rule_host_of("cifs/[fe80::1]:445", h, sizeof(h));
	assert_string_equal(h, "[fe80::1]");
	rule_host_of("cifs/fe80::1", h, sizeof(h));
	assert_string_equal(h, "fe80::1");
	rule_host_of("FS1.", h, sizeof(h));
	assert_string_equal(h, "FS1");
	rule_host_of("cifs/averyveryverylonghostname.example", h, 8);
	assert_string_equal(h, "averyve");
	assert_true(rule_same_host("FS1", "fs1.contoso.com"));
	assert_true(rule_same_host("fs1.contoso.com", "FS1"));
	assert_true(rule_same_host("FS1.CONTOSO.COM", "fs1.contoso.com"));
	assert_false(rule_same_host("fs1.contoso.com", "fs1.fabrikam.com"));
	assert_false(rule_same_host("files", "fs1.contoso.com"));
	assert_false(rule_same_host("10.0.0.9", "10"));
	assert_false(rule_same_host("", ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_positive_case_finds_its_id_with_evidence),
		cmocka_unit_test(every_catalog_id_has_a_positive_case),
		cmocka_unit_test(answered_or_waiting_kdc_is_not_unreachable),
		cmocka_unit_test(kdc_unreachable_says_how_it_was_refused),
		cmocka_unit_test(successful_probe_gives_no_error),
		cmocka_unit_test(preauth_required_alone_is_no_error),
		cmocka_unit_test(preauth_required_then_answered_is_no_finding),
		cmocka_unit_test(refused_139_beside_working_445_is_no_error),
		cmocka_unit_test(unsigned_311_tree_connect_answered_access_denied),
		cmocka_unit_test(serve_verdict_stands_for_the_rules_guess),
		cmocka_unit_test(capture_suggests_shares_seen_connected),
		cmocka_unit_test(refused_kdc_without_smb_is_unreachable),
		cmocka_unit_test(probe_tree_access_denied_without_retry_is_not_encryption),
		cmocka_unit_test(probe_session_access_denied_with_failed_retry_is_not_encryption),
		cmocka_unit_test(slow_close_after_negotiate_is_no_response),
		cmocka_unit_test(smb1_answer_without_dialect_is_no_common_dialect),
		cmocka_unit_test(ticket_rejected_stands_instead_of_logon_failure),
		cmocka_unit_test(ap_error_modified_is_ticket_rejected),
		cmocka_unit_test(acceptor_error_names_the_server_not_a_kdc),
		cmocka_unit_test(spn_unknown_only_for_cifs_names),
		cmocka_unit_test(kdc_bad_integrity_to_as_req_is_a_wrong_password),
		cmocka_unit_test(errors_before_preauth_that_are_faults),
		cmocka_unit_test(evidence_counts_the_errors_left_out),
		cmocka_unit_test(library_conclusions_are_errors_with_remedies),
		cmocka_unit_test(library_conclusion_behind_ntlm_fallback_is_no_error),
		cmocka_unit_test(time_difference_at_dc_is_clock_skew),
		cmocka_unit_test(guest_named_guest_is_no_fallback),
		cmocka_unit_test(logon_failure_names_other_host),
		cmocka_unit_test(bad_network_name_with_refused_listing),
		cmocka_unit_test(signing_explains_tree_denial),
		cmocka_unit_test(anonymous_tree_drop_is_anonymous_denied),
		cmocka_unit_test(called_name_refused_smbserver_accepted),
		cmocka_unit_test(called_name_and_smbserver_refused),
		cmocka_unit_test(called_name_from_the_record),
		cmocka_unit_test(foreign_bytes_escaped),
		cmocka_unit_test(not_smb_names_the_service),
		cmocka_unit_test(other_only_where_nothing_explains),
		cmocka_unit_test(other_not_for_what_is_no_failure),
		cmocka_unit_test(other_for_a_dropped_request),
		cmocka_unit_test(running_twice_adds_nothing),
		cmocka_unit_test(evidence_lines_are_translated_and_otherwise_unchanged),
		cmocka_unit_test(unanswered_kdc_request_explains_ntlm),
		cmocka_unit_test(cut_lines_end_on_a_whole_character),
		cmocka_unit_test(findings_are_ordered_by_connection_then_step),
		cmocka_unit_test(many_connections_stay_fast_and_separate),
		cmocka_unit_test(host_names_compare_like_an_administrator_would),
		cmocka_unit_test(capture_second_server_under_one_name),
		cmocka_unit_test(capture_same_server_or_other_client_is_no_finding),
		cmocka_unit_test(capture_same_guid_other_signing_is_a_finding),
		cmocka_unit_test(probe_follow_up_reaching_another_server),
		cmocka_unit_test(probe_other_address_same_guid_other_result),
		cmocka_unit_test(fast_armored_error_hides_the_client),
		cmocka_unit_test(share_list_from_another_server_is_flagged),
		cmocka_unit_test(durations_read_like_the_article),
		cmocka_unit_test(skew_recovered_by_a_successful_logon_is_no_error),
		cmocka_unit_test(ntlm_sign_dropped_then_client_left_is_a_signing_mismatch),
		cmocka_unit_test(banner_before_negotiate_spoke_first),
		cmocka_unit_test(listed_share_with_missing_folder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
