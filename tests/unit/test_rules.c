/* The rules engine as a whole (src/diag/rules*.c) on built timelines:
 * every catalog id has a case that finds it, evidence lines go through the
 * reader's language, near misses stay quiet, the catch-all speaks only
 * where nothing else explains, and findings come in order. The rules of
 * one step or subject have their own files: test_rules_tree.c,
 * test_rules_kerberos.c, test_rules_servers.c. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_positive_case_finds_its_id_with_evidence),
		cmocka_unit_test(every_catalog_id_has_a_positive_case),
		cmocka_unit_test(successful_probe_gives_no_error),
		cmocka_unit_test(refused_139_beside_working_445_is_no_error),
		cmocka_unit_test(serve_verdict_stands_for_the_rules_guess),
		cmocka_unit_test(probe_session_access_denied_with_failed_retry_is_not_encryption),
		cmocka_unit_test(slow_close_after_negotiate_is_no_response),
		cmocka_unit_test(smb1_answer_without_dialect_is_no_common_dialect),
		cmocka_unit_test(guest_named_guest_is_no_fallback),
		cmocka_unit_test(logon_failure_names_other_host),
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
		cmocka_unit_test(cut_lines_end_on_a_whole_character),
		cmocka_unit_test(findings_are_ordered_by_connection_then_step),
		cmocka_unit_test(many_connections_stay_fast_and_separate),
		cmocka_unit_test(durations_read_like_the_article),
		cmocka_unit_test(ntlm_sign_dropped_then_client_left_is_a_signing_mismatch),
		cmocka_unit_test(banner_before_negotiate_spoke_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
