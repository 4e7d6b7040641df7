/* The TREE_CONNECT rules (src/diag/rules_tree.c) on built timelines: a
 * missing share and its close names, the share's folder, permissions
 * against encryption (the probe's retry, a capture's other connections),
 * the unsigned 3.1.1 tree connect, and what the session already explains. */
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
#include "rules_cases.h"

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

/* A client that cannot encrypt (2.1), denied a share: a capture's other
 * connections to the same share on the same server tell encryption from
 * permissions. */
static struct ev_connection *
denied_21(struct ev_timeline *t, const char *path)
{
	struct ev_connection *c = rc_negotiated(t);

	c->negotiate.dialect = SMB2_DIALECT_210;
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_ACCESS_DENIED, path);
	return c;
}

static void
other_connection_proves_encryption_or_permissions(void **state)
{
	struct ev_timeline t;
	struct ev_connection *c;

	(void)state;
	/* Alone: encryption, with the warning that the wire cannot tell. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	denied_21(&t, "\\\\fs1\\secret");
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "tree.encryption_required", "cannot tell this from share or folder"));
	ev_timeline_cleanup(&t);

	/* A 3.1.1 client was told the share demands encryption. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\Secret");
	c->tree.has_share = true;
	c->tree.share_flags = SMB2_SHAREFLAG_ENCRYPT_DATA;
	denied_21(&t, "\\\\fs1\\secret");
	rules_run(&t);
	assert_true(rc_evidence_has(&t, "tree.encryption_required", "connection 0 to the same share was told it demands"));
	assert_false(rc_evidence_has(&t, "tree.encryption_required", "cannot tell"));
	ev_timeline_cleanup(&t);

	/* Another 2.1 client got in: the share does not demand encryption. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	c->negotiate.dialect = SMB2_DIALECT_210;
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\team");
	denied_21(&t, "\\\\fs1\\TEAM");
	rules_run(&t);
	assert_null(rc_finding(&t, "tree.encryption_required", 1));
	assert_true(rc_evidence_has(&t, "tree.access_denied", "connection 0 reached the same share without encryption"));
	ev_timeline_cleanup(&t);

	/* The same share name on another server proves nothing. */
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	c = rc_negotiated(&t);
	c->negotiate.dialect = SMB2_DIALECT_210;
	snprintf(c->server, sizeof(c->server), "10.0.0.99:445");
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs2\\team");
	denied_21(&t, "\\\\fs1\\team");
	rules_run(&t);
	assert_non_null(rc_finding(&t, "tree.encryption_required", 1));
	assert_null(rc_finding(&t, "tree.access_denied", 1));
	ev_timeline_cleanup(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listed_share_with_missing_folder),
		cmocka_unit_test(unsigned_311_tree_connect_answered_access_denied),
		cmocka_unit_test(capture_suggests_shares_seen_connected),
		cmocka_unit_test(probe_tree_access_denied_without_retry_is_not_encryption),
		cmocka_unit_test(bad_network_name_with_refused_listing),
		cmocka_unit_test(signing_explains_tree_denial),
		cmocka_unit_test(anonymous_tree_drop_is_anonymous_denied),
		cmocka_unit_test(other_connection_proves_encryption_or_permissions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
