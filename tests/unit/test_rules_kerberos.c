/* The Kerberos rules (src/diag/rules_kerberos*.c) on built timelines:
 * unreachable and refusing KDCs, pre-authentication, ticket and acceptor
 * errors, the library's own conclusions, clock skew, and what NTLM after a
 * failed ticket means. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/evidence.h"
#include "diag/rules.h"
#include "rules_cases.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unanswered_kdc_request_explains_ntlm),
		cmocka_unit_test(preauth_required_alone_is_no_error),
		cmocka_unit_test(preauth_required_then_answered_is_no_finding),
		cmocka_unit_test(refused_kdc_without_smb_is_unreachable),
		cmocka_unit_test(answered_or_waiting_kdc_is_not_unreachable),
		cmocka_unit_test(kdc_unreachable_says_how_it_was_refused),
		cmocka_unit_test(ticket_rejected_stands_instead_of_logon_failure),
		cmocka_unit_test(ap_error_modified_is_ticket_rejected),
		cmocka_unit_test(acceptor_error_names_the_server_not_a_kdc),
		cmocka_unit_test(spn_unknown_only_for_cifs_names),
		cmocka_unit_test(kdc_bad_integrity_to_as_req_is_a_wrong_password),
		cmocka_unit_test(errors_before_preauth_that_are_faults),
		cmocka_unit_test(library_conclusions_are_errors_with_remedies),
		cmocka_unit_test(library_conclusion_behind_ntlm_fallback_is_no_error),
		cmocka_unit_test(evidence_counts_the_errors_left_out),
		cmocka_unit_test(time_difference_at_dc_is_clock_skew),
		cmocka_unit_test(skew_recovered_by_a_successful_logon_is_no_error),
		cmocka_unit_test(fast_armored_error_hides_the_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
