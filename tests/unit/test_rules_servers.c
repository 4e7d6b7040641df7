/* One server name, several servers (negotiate.different_servers, in
 * src/diag/rules_identity.c) on built timelines: captures with a second
 * ServerGuid under one name, the probe's follow-ups reaching another
 * server, a share listing from elsewhere, and how host names compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/wire/smb2_const.h"
#include "diag/evidence.h"
#include "diag/rules.h"
#include "diag/rules_internal.h"
#include "rules_cases.h"

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
		cmocka_unit_test(capture_second_server_under_one_name),
		cmocka_unit_test(capture_same_server_or_other_client_is_no_finding),
		cmocka_unit_test(capture_same_guid_other_signing_is_a_finding),
		cmocka_unit_test(probe_follow_up_reaching_another_server),
		cmocka_unit_test(probe_other_address_same_guid_other_result),
		cmocka_unit_test(share_list_from_another_server_is_flagged),
		cmocka_unit_test(host_names_compare_like_an_administrator_would),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
