#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/render_report.h"
#include "cli/render_report_internal.h"
#include "diag/rules.h"
#include "report_samples.h"

enum form { TEXT, JSON, JSONL };

/* Renders sample `which` into a string the caller frees. */
static char *
render(size_t which, enum form form, const struct render_opts *o, int *rc)
{
	struct ev_timeline t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_true(report_sample_build(which, &t));
	*rc = form == TEXT ? render_report_text(f, &t, o) : form == JSON ? render_report_json(f, &t, o)
								      : render_report_jsonl(f, &t, o);
	fclose(f);
	ev_timeline_cleanup(&t);
	return buf;
}

static size_t
sample(const char *name)
{
	size_t i;

	for (i = 0; i < report_sample_count(); i++)
		if (strcmp(report_sample_name(i), name) == 0)
			return i;
	fail_msg("no sample %s", name);
	return 0;
}

static const struct render_opts plain = {0, -1, false};

static void
every_sample_renders_in_every_form(void **state)
{
	size_t i;
	int f, rc;

	(void)state;
	for (i = 0; i < report_sample_count(); i++) {
		for (f = TEXT; f <= JSONL; f++) {
			char *out = render(i, (enum form)f, &plain, &rc);

			assert_int_equal(rc, 0);
			assert_true(strlen(out) > 0);
			assert_null(strchr(out, '\033'));
			free(out);
		}
	}
}

static void
text_ladder_and_profile(void **state)
{
	int rc;
	char *out = render(sample("success"), TEXT, &plain, &rc);

	(void)state;
	assert_non_null(strstr(out, "Connection 0: 10.0.0.5:51234 -> 10.0.0.9:445 (fs1.contoso.com), "
				    "2026-11-27T21:30:04.123456Z"));
	assert_non_null(strstr(out, "NEGOTIATE       3.1.1        0.4 ms  STATUS_SUCCESS  [frames 4, 6]"));
	assert_non_null(strstr(out, "SESSION_SETUP   kerberos     6.9 ms  STATUS_SUCCESS"));
	assert_non_null(strstr(out, "signing_enabled, signing_required"));
	assert_non_null(strstr(out, "AES-128-GCM"));
	assert_non_null(strstr(out, "AES-128-GMAC"));
	assert_non_null(strstr(out, "6f1bc6a0-8b2d-4c7e-9a5e-000c29a1b2c3"));
	assert_non_null(strstr(out, "clock skew +0.4 s"));
	assert_non_null(strstr(out, "ms-kerberos, kerberos, ntlmssp"));
	assert_non_null(strstr(out, "cifs/fs1.contoso.com"));
	assert_non_null(strstr(out, "encrypt_data"));
	assert_non_null(strstr(out, "No problem found."));
	free(out);
}

static void
text_findings_with_evidence_and_remedies(void **state)
{
	int rc;
	char *out = render(sample("bad_share"), TEXT, &plain, &rc);

	(void)state;
	assert_non_null(strstr(out, "tree.bad_network_name"));
	assert_non_null(strstr(out, "frame 12: TREE_CONNECT \\\\10.0.0.9\\Dta -> STATUS_BAD_NETWORK_NAME"));
	assert_non_null(strstr(out, "did you mean: Data?"));
	assert_non_null(strstr(out, "Remedies:"));
	assert_non_null(strstr(out, "[Windows]"));
	assert_non_null(strstr(out, "[Samba]"));
	assert_non_null(strstr(out, "References:"));
	assert_non_null(strstr(out, "share_list: ok"));
	assert_non_null(strstr(out, "session.ntlm_used"));
	assert_non_null(strstr(out, "Findings: 1 error, 0 warnings, 1 note"));
	free(out);
}

static void
colours_only_when_asked(void **state)
{
	const struct render_opts colour = {0, -1, true};
	int rc;
	char *out = render(sample("bad_share"), TEXT, &colour, &rc);

	(void)state;
	assert_non_null(strstr(out, "\033[31m"));
	free(out);
}

static void
json_has_spec_shape(void **state)
{
	int rc;
	char *out = render(sample("success"), JSON, &plain, &rc);

	(void)state;
	assert_non_null(strstr(out, "\"tool\": \"smbdiag\""));
	assert_non_null(strstr(out, "\"mode\": \"probe\""));
	assert_non_null(strstr(out, "\"start\": \"2026-11-27T21:30:04.123456Z\""));
	assert_non_null(strstr(out, "\"step\": \"negotiate\""));
	assert_non_null(strstr(out, "\"status\": \"0x00000000\""));
	assert_non_null(strstr(out, "\"status_name\": \"STATUS_SUCCESS\""));
	assert_non_null(strstr(out, "\"request_at\": 0.000400"));
	assert_non_null(strstr(out, "\"ms\": 0.400"));
	assert_non_null(strstr(out, "\"client_dialects\": ["));
	assert_non_null(strstr(out, "\"dialect\": \"3.1.1\""));
	assert_non_null(strstr(out, "\"server_guid\": \"6f1bc6a0-8b2d-4c7e-9a5e-000c29a1b2c3\""));
	assert_non_null(strstr(out, "\"mechanism\": \"kerberos\""));
	assert_non_null(strstr(out, "\"share_type\": \"disk\""));
	assert_non_null(strstr(out, "\"tree_id\": \"0x1\""));
	assert_non_null(strstr(out, "\"kvno\": 7"));
	assert_non_null(strstr(out, "\"findings\": []"));
	/* Unknown stays out: no workstation was seen. */
	assert_null(strstr(out, "\"workstation\""));
	free(out);
}

static void
json_leaves_out_the_unknown(void **state)
{
	int rc;
	char *out = render(sample("refused"), JSON, &plain, &rc);

	(void)state;
	assert_null(strstr(out, "\"client\""));
	assert_null(strstr(out, "\"start\""));
	assert_null(strstr(out, "\"negotiate\""));
	assert_null(strstr(out, "\"status\""));
	assert_null(strstr(out, "\"frames\""));
	assert_non_null(strstr(out, "\"id\": \"tcp.refused\""));
	assert_non_null(strstr(out, "\"severity\": \"error\""));
	assert_non_null(strstr(out, "\"connection\": 0"));
	free(out);
}

static void
json_escapes_and_replaces_bad_utf8(void **state)
{
	int rc;
	char *out = render(sample("analyze"), JSON, &plain, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "j\xc3\xb6rg \\\"the\\\" \\\\admin\\\\ \\ufffd"));
	assert_non_null(strstr(out, "\"dialect\": \"0x0399\""));
	assert_non_null(strstr(out, "\"0x80000000\""));
	assert_non_null(strstr(out, "\"status\": \"0xC0DE0001\""));
	assert_non_null(strstr(out, "\"cipher\": \"none\""));
	assert_non_null(strstr(out, "\"ext_status_name\": \"STATUS_ACCOUNT_DISABLED\""));
	assert_non_null(strstr(out, "\"id\": \"kerberos.client_revoked\""));
	free(out);
}

/* Newlines and runs of blanks become one space. */
static void
squeeze_spaces(char *s)
{
	char *w = s;
	bool blank = false;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\n') {
			blank = true;
			continue;
		}
		if (blank && w != s)
			*w++ = ' ';
		blank = false;
		*w++ = *s;
	}
	*w = '\0';
}

/* analyze: the ICMP error or TCP reset that refused a Kerberos request. */
static void
kerberos_refusal_shown(void **state)
{
	int rc;
	char *out = render(sample("analyze"), JSON, &plain, &rc);

	(void)state;
	squeeze_spaces(out);
	assert_non_null(strstr(out, "\"refused\": { \"by\": \"icmp\", \"reason\": \"port_unreachable\", "
				    "\"icmp_type\": 3, \"icmp_code\": 3, \"from\": \"10.0.0.1\", \"frame\": 31 }"));
	assert_non_null(strstr(out, "{ \"by\": \"tcp_reset\", \"reason\": \"connection_refused\", \"from\": \"10.0.0.1\", "
				    "\"frame\": 33 }"));
	free(out);
	out = render(sample("analyze"), TEXT, &plain, &rc);
	squeeze_spaces(out);  /* the text wraps long lines */
	assert_non_null(strstr(out, "port unreachable (ICMP 3/3 from 10.0.0.1, frame 31)"));
	assert_non_null(strstr(out, "connection refused (TCP reset from 10.0.0.1, frame 33)"));
	free(out);
}

/* A scanner's AS-REQ names neither client nor service: its realm is not
 * glued to the message as if it were a name. */
static void
kerberos_line_without_names(void **state)
{
	struct ev_kerberos k;
	char line[512];

	(void)state;
	memset(&k, 0, sizeof(k));
	k.message = EV_KRB_AS_REQ;
	snprintf(k.realm, sizeof(k.realm), "kerberos_realm_time.nasl");
	snprintf(k.kdc, sizeof(k.kdc), "192.168.229.251:88");
	report_kerberos_line(&k, line, sizeof(line));
	assert_string_equal(line, "AS-REQ for realm kerberos_realm_time.nasl (no client or service name), KDC "
				  "192.168.229.251:88");
	snprintf(k.sname, sizeof(k.sname), "krbtgt/HEC.NET");
	report_kerberos_line(&k, line, sizeof(line));
	assert_string_equal(line, "AS-REQ -> krbtgt/HEC.NET@kerberos_realm_time.nasl, KDC 192.168.229.251:88");
}

static size_t
lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void
jsonl_one_line_per_connection(void **state)
{
	const struct render_opts only1 = {0, 1, false};
	int rc;
	char *out = render(sample("analyze"), JSONL, &plain, &rc);

	(void)state;
	/* Two connections and a line for the records tied to none. */
	assert_int_equal(lines(out), 3);
	assert_null(strstr(out, "\n "));
	free(out);
	out = render(sample("analyze"), JSONL, &only1, &rc);
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "\"id\":1"));
	assert_non_null(strstr(out, "kerberos.spn_unknown"));
	assert_null(strstr(out, "kerberos.client_revoked"));
	free(out);
}

static void
only_connection_filters_text_and_json(void **state)
{
	const struct render_opts only0 = {0, 0, false};
	int rc;
	char *out = render(sample("analyze"), TEXT, &only0, &rc);

	(void)state;
	assert_non_null(strstr(out, "Connection 0"));
	assert_null(strstr(out, "Connection 1"));
	free(out);
	out = render(sample("analyze"), JSON, &only0, &rc);
	assert_null(strstr(out, "\"id\": 1,"));
	assert_null(strstr(out, "kerberos.spn_unknown"));
	free(out);
}

static void
nbss_step_shows_its_code(void **state)
{
	int rc;
	char *out = render(sample("nbss"), JSON, &plain, &rc);

	(void)state;
	assert_non_null(strstr(out, "\"status\": \"0x82\""));
	assert_non_null(strstr(out, "\"status_name\": \"CALLED_NAME_NOT_PRESENT\""));
	assert_non_null(strstr(out, "nbss.called_name_rejected"));
	free(out);
}

/* A multi-protocol NEGOTIATE (SMB1) answered with SMB2's wildcard, then
 * the SMB2 NEGOTIATE: the first row settled "2.???", the second the
 * dialect. */
static void
multi_protocol_negotiate_rows(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;
	struct ev_step *s;
	char *buf = NULL, *first, *second;
	size_t len = 0;
	FILE *f;

	(void)state;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = ev_add_connection(&t);
	snprintf(c->client, sizeof(c->client), "10.0.0.5:50000");
	snprintf(c->server, sizeof(c->server), "10.0.0.9:445");
	s = ev_add_step(c, SD_STEP_NEGOTIATE);
	s->outcome = EV_ANSWERED;
	s->request_at = 0.1;
	s->response_at = 0.2;
	snprintf(s->detail, sizeof(s->detail), "SMB1");
	s = ev_add_step(c, SD_STEP_NEGOTIATE);
	s->outcome = EV_ANSWERED;
	s->request_at = 0.3;
	s->response_at = 0.4;
	c->negotiate.seen_request = c->negotiate.seen_response = c->negotiate.smb1_negotiate = true;
	c->negotiate.smb1_offers_smb2 = true;
	c->negotiate.dialect = 0x0311;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	render_report_text(f, &t, &plain);
	fclose(f);
	first = strstr(buf, "NEGOTIATE");
	assert_non_null(first);
	second = strstr(first + 1, "NEGOTIATE");
	assert_non_null(second);
	assert_true(strstr(first, "2.???") != NULL && strstr(first, "2.???") < second);
	assert_non_null(strstr(second, "3.1.1"));
	free(buf);
	ev_timeline_cleanup(&t);
}

/* ---- hostile evidence: any field value the model can hold ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void
scramble(void *p, size_t n)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)rng();
}

/* A random string of the buffer, NUL-terminated somewhere inside it. */
static void
terminate(char *s, size_t cap)
{
	s[rng() % cap] = '\0';
}

#define TERM(field) terminate((field), sizeof(field))
#define COIN(field) ((field) = (rng() & 1) != 0)

static void
random_connection(struct ev_timeline *t)
{
	struct ev_connection *c = ev_add_connection(t);
	unsigned id = c->id, i;

	scramble(c, sizeof(*c));
	c->id = id;
	c->n_steps %= EV_MAX_STEPS + 1;
	for (i = 0; i < EV_MAX_STEPS; i++) {
		TERM(c->steps[i].detail);
		c->steps[i].step = (enum sd_step)(rng() % (SD_STEP__COUNT + 1));
		c->steps[i].outcome = (enum ev_outcome)(rng() % 12);
		c->steps[i].problem = (enum ev_problem)(rng() % 10);
		COIN(c->steps[i].request_signed);
		COIN(c->steps[i].request_encrypted);
		COIN(c->steps[i].response_signed);
		COIN(c->steps[i].response_encrypted);
		if (rng() % 2)
			c->steps[i].status = (uint32_t[]){0xC0000022u, 0xC000006Du, 0xC00000CCu, 0xC00000BBu, 0}[rng() % 5];
	}
	TERM(c->client);
	TERM(c->server);
	TERM(c->server_name);
	COIN(c->negotiate.seen_request);
	COIN(c->negotiate.seen_response);
	COIN(c->negotiate.smb1_negotiate);
	COIN(c->negotiate.smb1_offers_smb2);
	COIN(c->negotiate.smb1_answered);
	COIN(c->negotiate.has_cipher);
	COIN(c->negotiate.has_signing_alg);
	COIN(c->negotiate.has_server_guid);
	COIN(c->negotiate.has_server_time);
	COIN(c->negotiate.has_clock_skew);
	COIN(c->session.seen);
	COIN(c->session.has_flags);
	COIN(c->session.signing_required);
	COIN(c->session.signed_traffic);
	COIN(c->session.encrypted_traffic);
	COIN(c->session.unsigned_when_required);
	COIN(c->session.plaintext_password);
	COIN(c->tree.seen);
	COIN(c->tree.has_share);
	COIN(c->closed_by_server);
	COIN(c->reset_by_server);
	COIN(c->closed_by_client);
	COIN(c->reset_by_client);
	COIN(c->has_tcp_stream);
	COIN(c->capture_gaps);
	COIN(c->capture_snapped);
	COIN(c->started_mid_stream);
	COIN(c->decrypt_tried);
	COIN(c->foreign_first);
	COIN(c->session.ntlm.key_exchanged);
	TERM(c->called_name);
	TERM(c->foreign_answer);
	c->negotiate.faults.n %= SMB2_NEGFAULTS_MAX + 1;
	c->keytab_result = (enum ev_keytab_result)(rng() % 7);
	TERM(c->canonical_name);
	c->negotiate.n_client_dialects %= EV_MAX_IDS + 1;
	c->negotiate.n_client_ciphers %= EV_MAX_IDS + 1;
	c->negotiate.n_client_signing_algs %= EV_MAX_IDS + 1;
	c->negotiate.n_server_mechs %= sizeof(c->negotiate.server_mechs) + 1;
	c->session.mechanism = (enum ev_mechanism)(rng() % 6);
	c->session.ntlm_version = (enum ev_ntlm_version)(rng() % 6);
	TERM(c->session.user);
	TERM(c->session.domain);
	TERM(c->session.workstation);
	TERM(c->session.target_name);
	TERM(c->session.server_nb_domain);
	TERM(c->session.server_nb_computer);
	TERM(c->session.server_dns_computer);
	TERM(c->tree.path);
}

static void
random_records(struct ev_timeline *t)
{
	struct ev_kerberos *k = ev_add_kerberos(t);
	struct ev_experiment *e = ev_add_experiment(t, EV_EXP_SHARE_LIST, 0);
	size_t i;

	scramble(k, sizeof(*k));
	k->message = (enum ev_krb_message)(rng() % 40);
	k->error = (int32_t)(rng() % 100) - 5;
	k->connection = (int)(rng() % 6) - 2;
	COIN(k->has_error);
	COIN(k->has_ext_status);
	COIN(k->after_preauth);
	COIN(k->has_kvno);
	COIN(k->has_ms);
	COIN(k->from_cache);
	COIN(k->has_enctype);
	COIN(k->has_kdc_skew);
	k->step = (enum ev_krb_step)(rng() % 8);
	TERM(k->detail);
	TERM(k->client);
	TERM(k->kdc);
	TERM(k->cname);
	TERM(k->realm);
	TERM(k->sname);
	TERM(k->e_text);
	scramble(e, sizeof(*e));
	e->kind = (enum ev_experiment_kind)(rng() % (EV_EXP_OTHER_ADDRESS + 2));
	e->connection = (int)(rng() % 6) - 2;
	e->step = (enum sd_step)(rng() % (SD_STEP__COUNT + 1));
	e->outcome = (enum ev_outcome)(rng() % 12);
	e->n_shares %= EV_MAX_SHARES + 1;
	COIN(e->ok);
	COIN(e->server.known);
	COIN(e->full_walk);
	TERM(e->detail);
	TERM(e->address);
	for (i = 0; i < EV_MAX_SHARES; i++)
		TERM(e->shares[i]);
}

static void
random_evidence_never_breaks_rules_or_renderers(void **state)
{
	const struct render_opts verbose = {2, -1, true};
	FILE *null = fopen("/dev/null", "w");
	int round, i;

	(void)state;
	assert_non_null(null);
	for (round = 0; round < 300; round++) {
		struct ev_timeline t;

		ev_timeline_init(&t, (enum ev_mode)(rng() % 3));
		for (i = 0; i < 1 + (int)(rng() % 3); i++)
			random_connection(&t);
		for (i = 0; i < (int)(rng() % 4); i++)
			random_records(&t);
		rules_run(&t);
		rules_run(&t);
		assert_int_equal(render_report_json(null, &t, &plain), 0);
		assert_int_equal(render_report_jsonl(null, &t, &plain), 0);
		assert_int_equal(render_report_text(null, &t, &verbose), 0);
		ev_timeline_cleanup(&t);
	}
	fclose(null);
}

/* analyze: what encryption hid, what was decrypted, gaps and mid-stream
 * starts, the same in text and JSON, with the option that would help. */
static void
capture_notes_in_text_and_json(void **state)
{
	int rc;
	char *out = render(sample("capture_notes"), TEXT, &plain, &rc);

	(void)state;
	assert_non_null(strstr(out, "tcp.stream == 4"));
	assert_non_null(strstr(out, "Capture notes"));
	assert_non_null(strstr(out, "12 of 12 SMB3 messages are encrypted"));
	assert_non_null(strstr(out, "the TREE_CONNECT and everything"));
	assert_non_null(strstr(out, "--keytab FILE"));
	assert_non_null(strstr(out, "8 SMB3-encrypted messages were decrypted"));
	assert_non_null(strstr(out, "lacks some TCP data"));
	assert_non_null(strstr(out, "began after this connection was opened"));
	assert_non_null(strstr(out, "The secret given did not open them"));
	free(out);
	out = render(sample("capture_notes"), JSON, &plain, &rc);
	assert_non_null(strstr(out, "\"tcp_stream\": 4"));
	assert_non_null(strstr(out, "\"hidden_after\": \"session_setup\""));
	assert_non_null(strstr(out, "\"decrypted_messages\": 8"));
	assert_non_null(strstr(out, "\"gaps\": true"));
	assert_non_null(strstr(out, "\"started_mid_stream\": true"));
	free(out);
	out = render(sample("capture_notes"), JSONL, &plain, &rc);
	assert_non_null(strstr(out, "\"decrypt_with\":[\"--keytab\"]"));
	assert_non_null(strstr(out, "\"decrypt_with\":[\"--password\",\"--nt-hash\",\"--keytab\"]"));
	free(out);
	/* probe and serve never fill these: no capture object there. */
	out = render(sample("success"), JSON, &plain, &rc);
	assert_null(strstr(out, "\"capture\""));
	assert_null(strstr(out, "tcp_stream"));
	free(out);
}

/* report_iso_time computes the calendar itself (it says why): it must
 * agree with the C library's gmtime_r over the whole range it accepts,
 * leap days and century years included, and refuse what lies outside. */
static void
iso_time_agrees_with_gmtime(void **state)
{
	static const double fixed[] = {1.0, 951782400.0 /* 2000-02-29 */, 4107542400.0 /* 2100-03-01 */,
				       1709164800.5, 253402300799.0};
	char got[40], want[96];
	uint64_t x = 0x9e3779b97f4a7c15u;
	size_t i;

	(void)state;
	for (i = 0; i < 200000 + sizeof(fixed) / sizeof(fixed[0]); i++) {
		struct tm tm;
		time_t whole;
		double t;

		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			t = fixed[i];
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			t = (double)(x % 253402300799u) + 1;
		}
		assert_true(report_iso_time(t, got, sizeof(got)));
		whole = (time_t)t;
		assert_non_null(gmtime_r(&whole, &tm));
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)((t - (double)whole) * 1e6 + 0.5));
		assert_string_equal(got, want);
	}
	assert_false(report_iso_time(0, got, sizeof(got)));
	assert_false(report_iso_time(253402300800.0, got, sizeof(got)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_sample_renders_in_every_form),
		cmocka_unit_test(iso_time_agrees_with_gmtime),
		cmocka_unit_test(text_ladder_and_profile),
		cmocka_unit_test(text_findings_with_evidence_and_remedies),
		cmocka_unit_test(colours_only_when_asked),
		cmocka_unit_test(json_has_spec_shape),
		cmocka_unit_test(json_leaves_out_the_unknown),
		cmocka_unit_test(json_escapes_and_replaces_bad_utf8),
		cmocka_unit_test(kerberos_refusal_shown),
		cmocka_unit_test(kerberos_line_without_names),
		cmocka_unit_test(jsonl_one_line_per_connection),
		cmocka_unit_test(only_connection_filters_text_and_json),
		cmocka_unit_test(nbss_step_shows_its_code),
		cmocka_unit_test(multi_protocol_negotiate_rows),
		cmocka_unit_test(random_evidence_never_breaks_rules_or_renderers),
		cmocka_unit_test(capture_notes_in_text_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
