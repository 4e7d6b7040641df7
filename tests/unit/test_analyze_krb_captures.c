/* What analyze makes of the Kerberos failures in the public captures
 * (../shared/captures, named by SMBDIAG_SHARED and read at run time: that
 * corpus is not ours to copy, and a test skips itself without it): who
 * answered, for which service, and which finding it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture/cap.h"
#include "diag/rules.h"

/* The capture's timeline after the rules, or skip() without the corpus. */
static void
analyze(const char *capture, struct ev_timeline *t)
{
	const char *shared = getenv("SMBDIAG_SHARED");
	struct cap_opts o = {0};
	struct cap_source src = {0};
	struct cap_analyzer *a;
	char path[4096], err[256];

	if (!shared || !shared[0]) {
		print_message("# SKIP: needs %s of the shared capture corpus (SMBDIAG_SHARED is not set)\n", capture);
		skip();
	}
	snprintf(path, sizeof(path), "%s/captures/%s", shared, capture);
	if (access(path, R_OK) != 0) {
		print_message("# SKIP: needs %s (the shared capture corpus is absent)\n", path);
		skip();
	}
	ev_timeline_init(t, EV_MODE_ANALYZE);
	a = cap_analyzer_new(&o, t);
	assert_non_null(a);
	src.path = path;
	assert_int_equal(cap_run(a, &src, err, sizeof(err)), SD_OK);
	cap_analyzer_finish(a);
	cap_analyzer_free(a);
	rules_run(t);
}

static const struct ev_finding *
finding(const struct ev_timeline *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->n_findings; i++)
		if (strcmp(t->findings[i].def->id, id) == 0)
			return &t->findings[i];
	return NULL;
}

/* Some evidence line of finding id (any finding: NULL) holds text. */
static bool
evidence_has(const struct ev_timeline *t, const char *id, const char *text)
{
	size_t i;
	uint8_t j;

	for (i = 0; i < t->n_findings; i++) {
		if (id && strcmp(t->findings[i].def->id, id) != 0)
			continue;
		for (j = 0; j < t->findings[i].n_evidence; j++)
			if (strstr(t->findings[i].evidence[j], text))
				return true;
	}
	return false;
}

static const struct ev_kerberos *
record_of_frame(const struct ev_timeline *t, uint32_t frame)
{
	size_t i;

	for (i = 0; i < t->n_krb; i++)
		if (t->krb[i].frame == frame)
			return &t->krb[i];
	return NULL;
}

static void
dump(const struct ev_timeline *t)
{
	size_t i;
	uint8_t j;

	for (i = 0; i < t->n_findings; i++) {
		print_message("# finding %s\n", t->findings[i].def->id);
		for (j = 0; j < t->findings[i].n_evidence; j++)
			print_message("#   %s\n", t->findings[i].evidence[j]);
	}
}

/* MIT's kinit against a KDC with every kind of principal: a wrong password
 * (KRB_AP_ERR_BAD_INTEGRITY to the AS-REQ, frames 145-157), an expired
 * principal (KDC_ERR_NAME_EXP, 123/125), a refused TGT renewal the client
 * recovers from with a new AS exchange (KDC_ERR_BADOPTION, 72), a service
 * principal that does not exist (kinit -S, 175/179), and 21 unknown
 * clients, more than a finding shows. */
static void
zeek_kinit(void **state)
{
	struct ev_timeline t;
	const struct ev_finding *f;

	(void)state;
	analyze("zeek-kinit.pcap", &t);
	dump(&t);
	assert_null(finding(&t, "kerberos.ticket_rejected"));
	assert_true(evidence_has(&t, "kerberos.preauth_failed",
				 "frame 145: KDC 192.168.1.32:88 answered KRB_AP_ERR_BAD_INTEGRITY (31)"));
	assert_true(evidence_has(&t, "kerberos.preauth_failed", "frame 157: "));
	assert_true(evidence_has(&t, "session.account_restriction",
				 "frame 123: KDC 192.168.1.32:88 answered KDC_ERR_NAME_EXP"));
	assert_true(evidence_has(&t, "session.account_restriction", "frame 125: "));
	assert_false(evidence_has(&t, NULL, "frame 72: "));
	assert_null(finding(&t, "kerberos.spn_unknown"));
	assert_false(evidence_has(&t, NULL, "frame 175: "));
	f = finding(&t, "kerberos.client_unknown");
	assert_non_null(f);
	assert_int_equal(f->n_evidence, EV_MAX_EVIDENCE);
	assert_non_null(strstr(f->evidence[EV_MAX_EVIDENCE - 1], "more like these not shown (frames "));
	ev_timeline_cleanup(&t);
}

/* KDC_ERR_S_PRINCIPAL_UNKNOWN for a user's name (S4U, frames 53/80, the
 * SMB session set up all the same) and for host/anything (frame 21): not
 * a missing cifs SPN, nor anything SMB waited for. */
static void
other_services_unknown(void **state)
{
	struct ev_timeline t;

	(void)state;
	analyze("suricata-verify-dcerpc-ctxids-input.pcap", &t);
	dump(&t);
	assert_non_null(record_of_frame(&t, 53));
	assert_null(finding(&t, "kerberos.spn_unknown"));
	assert_false(evidence_has(&t, NULL, "frame 53: "));
	assert_false(ev_has_error(&t));
	ev_timeline_cleanup(&t);

	analyze("suricata-verify-bug-8278-krb5-03-baseline.2.flows.pcap", &t);
	dump(&t);
	assert_non_null(record_of_frame(&t, 21));
	assert_null(finding(&t, "kerberos.spn_unknown"));
	assert_false(ev_has_error(&t));
	ev_timeline_cleanup(&t);
}

/* KRB_AP_ERR_SKEW inside an SMB1 SESSION_SETUP_ANDX (frame 7): the SMB
 * server's acceptor sent it; no KDC, and the client without a port. */
static void
acceptor_skew_in_session_setup(void **state)
{
	struct ev_timeline t;
	const struct ev_kerberos *k;

	(void)state;
	analyze("ndpi-smb_frags.pcap", &t);
	dump(&t);
	k = record_of_frame(&t, 7);
	assert_non_null(k);
	assert_string_equal(k->kdc, "");
	assert_string_equal(k->client, "10.202.211.125");
	assert_int_equal(k->answers, EV_KRB_AP_REQ);
	assert_true(evidence_has(&t, "kerberos.clock_skew",
				 "frame 7: the SMB server 10.202.7.8:445 answered the AP-REQ in SESSION_SETUP with KRB_AP_ERR_SKEW"));
	assert_false(evidence_has(&t, NULL, "KDC 10.202.7.8"));
	ev_timeline_cleanup(&t);
}

/* A password spray against a Windows KDC, whose KRB-ERRORs carry no
 * client name: each error names the user of the AS-REQ it answers. */
static void
windows_errors_name_the_user(void **state)
{
	struct ev_timeline t;

	(void)state;
	analyze("pcap-attack-CA_kerbrute_passwordspray_kerberos_AS-REQ.pcapng", &t);
	dump(&t);
	assert_true(evidence_has(&t, "kerberos.client_unknown",
				 "frame 10: KDC 172.16.66.36:88 answered KDC_ERR_C_PRINCIPAL_UNKNOWN (6) for "
				 "krbtgt/THREEBEESCO.COM (client bob@THREEBEESCO.COM)"));
	assert_true(evidence_has(&t, "kerberos.client_unknown", "(frames 23 to 24)"));
	assert_true(evidence_has(&t, "kerberos.preauth_failed", "frame 27: "));
	assert_true(evidence_has(&t, "kerberos.preauth_failed", "(client backdoor@THREEBEESCO.COM)"));
	ev_timeline_cleanup(&t);
}

/* A scanner's AS-REQ without client or service name (frame 3) answered
 * KRB_ERR_GENERIC: no logon, no finding. */
static void
nameless_as_req_is_no_logon(void **state)
{
	struct ev_timeline t;
	const struct ev_kerberos *k;

	(void)state;
	analyze("zeek-optional-service-name.pcap", &t);
	dump(&t);
	k = record_of_frame(&t, 4);
	assert_non_null(k);
	assert_int_equal(k->answers, EV_KRB_AS_REQ);
	assert_int_equal(t.n_findings, 0);
	ev_timeline_cleanup(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zeek_kinit),
		cmocka_unit_test(other_services_unknown),
		cmocka_unit_test(acceptor_skew_in_session_setup),
		cmocka_unit_test(windows_errors_name_the_user),
		cmocka_unit_test(nameless_as_req_is_no_logon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
