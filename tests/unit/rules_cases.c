/* Hand-built evidence for the rule tests: helpers, and one builder per
 * finding id of the catalog (the positive cases). */
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
#include "rules_cases.h"

/* ---- building timelines by hand ---- */

struct ev_step *
rc_step(struct ev_connection *c, enum sd_step which, enum ev_outcome outcome, uint32_t status, double at)
{
	struct ev_step *s = ev_add_step(c, which);

	assert_non_null(s);
	s->outcome = outcome;
	s->status = status;
	s->request_at = at;
	if (outcome == EV_ANSWERED || outcome == EV_NBSS_REJECTED || outcome == EV_REFUSED)
		s->response_at = at + 0.0007;
	return s;
}

/* A connection that got through NEGOTIATE with 3.1.1 and AES-128-GCM. */
struct ev_connection *
rc_negotiated(struct ev_timeline *t)
{
	struct ev_connection *c = ev_add_connection(t);
	struct ev_negotiate *n;

	assert_non_null(c);
	snprintf(c->client, sizeof(c->client), "10.0.0.5:51234");
	snprintf(c->server, sizeof(c->server), "10.0.0.9:445");
	snprintf(c->server_name, sizeof(c->server_name), "fs1");
	c->start_unix = 1795815004.123456;
	c->transport_port = 445;
	rc_step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0);
	rc_step(c, SD_STEP_NEGOTIATE, EV_ANSWERED, 0, 0.001);
	n = &c->negotiate;
	n->seen_request = n->seen_response = true;
	n->client_dialects[0] = SMB2_DIALECT_202;
	n->client_dialects[1] = SMB2_DIALECT_210;
	n->client_dialects[2] = SMB2_DIALECT_300;
	n->client_dialects[3] = SMB2_DIALECT_302;
	n->client_dialects[4] = SMB2_DIALECT_311;
	n->n_client_dialects = 5;
	n->dialect = SMB2_DIALECT_311;
	n->client_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	n->server_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	n->client_capabilities = SMB2_GLOBAL_CAP_ENCRYPTION | SMB2_GLOBAL_CAP_DFS;
	n->server_capabilities = SMB2_GLOBAL_CAP_DFS;
	n->has_cipher = true;
	n->cipher = 0x0002;
	n->server_mechs[0] = SPNEGO_MECH_KRB5;
	n->server_mechs[1] = SPNEGO_MECH_NTLMSSP;
	n->n_server_mechs = 2;
	return c;
}

struct ev_step *
rc_session(struct ev_connection *c, enum ev_outcome outcome, uint32_t status, uint8_t legs)
{
	struct ev_session *s = &c->session;
	struct ev_step *st = rc_step(c, SD_STEP_SESSION_SETUP, outcome, status, 0.01);

	st->legs = legs;
	s->seen = true;
	s->mechanism = EV_MECH_NTLMSSP;
	s->ntlm_version = EV_NTLM_V2;
	snprintf(s->user, sizeof(s->user), "alice");
	snprintf(s->domain, sizeof(s->domain), "CONTOSO");
	snprintf(s->workstation, sizeof(s->workstation), "PC1");
	snprintf(s->target_name, sizeof(s->target_name), "cifs/fs1");
	snprintf(s->server_nb_domain, sizeof(s->server_nb_domain), "CONTOSO");
	snprintf(s->server_nb_computer, sizeof(s->server_nb_computer), "FS1");
	snprintf(s->server_dns_computer, sizeof(s->server_dns_computer), "fs1.contoso.com");
	if (outcome == EV_ANSWERED && status == 0) {
		s->session_id = 0x0000100000000009ull;
		s->signed_traffic = true;
	}
	return st;
}

struct ev_step *
rc_tree(struct ev_connection *c, enum ev_outcome outcome, uint32_t status, const char *path)
{
	struct ev_step *s = rc_step(c, SD_STEP_TREE_CONNECT, outcome, status, 0.02);

	snprintf(s->detail, sizeof(s->detail), "%s", path);
	snprintf(c->tree.path, sizeof(c->tree.path), "%s", path);
	c->tree.seen = true;
	s->request_signed = true;
	return s;
}

struct ev_kerberos *
rc_krb_error(struct ev_timeline *t, int32_t code, const char *sname, int connection)
{
	struct ev_kerberos *k = ev_add_kerberos(t);

	assert_non_null(k);
	k->at = 0.005;
	k->message = EV_KRB_ERROR;
	k->has_error = true;
	k->error = code;
	k->connection = connection;
	k->frame = 31;
	snprintf(k->kdc, sizeof(k->kdc), "10.0.0.1:88");
	snprintf(k->cname, sizeof(k->cname), "alice");
	snprintf(k->realm, sizeof(k->realm), "CONTOSO.COM");
	snprintf(k->sname, sizeof(k->sname), "%s", sname);
	k->after_preauth = code != 25;
	return k;
}

/* ---- looking at the result ---- */

const struct ev_finding *
rc_finding(const struct ev_timeline *t, const char *id, int connection)
{
	size_t i;

	for (i = 0; i < t->n_findings; i++)
		if (strcmp(t->findings[i].def->id, id) == 0 && t->findings[i].connection == connection)
			return &t->findings[i];
	return NULL;
}

bool
rc_evidence_has(const struct ev_timeline *t, const char *id, const char *text)
{
	size_t i;
	unsigned k;

	for (i = 0; i < t->n_findings; i++) {
		if (strcmp(t->findings[i].def->id, id) != 0)
			continue;
		for (k = 0; k < t->findings[i].n_evidence; k++)
			if (strstr(t->findings[i].evidence[k], text))
				return true;
	}
	return false;
}

size_t
rc_errors(const struct ev_timeline *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->n_findings; i++)
		n += t->findings[i].def->severity == SD_SEV_ERROR;
	return n;
}

void
rc_dump(const struct ev_timeline *t)
{
	size_t i;
	unsigned k;

	for (i = 0; i < t->n_findings; i++) {
		print_message("# finding %s (connection %d)\n", t->findings[i].def->id, t->findings[i].connection);
		for (k = 0; k < t->findings[i].n_evidence; k++)
			print_message("#   %s\n", t->findings[i].evidence[k]);
	}
}

/* ---- positive cases: one builder per finding id ---- */

static void
build_tcp_refused(struct ev_timeline *t)
{
	struct ev_connection *c = ev_add_connection(t);

	snprintf(c->server, sizeof(c->server), "10.0.0.9:445");
	rc_step(c, SD_STEP_TCP, EV_REFUSED, 0, 0.0);
}

static void
build_tcp_unresolved(struct ev_timeline *t)
{
	struct ev_connection *c = ev_add_connection(t);
	struct ev_step *s;

	assert_non_null(c);
	snprintf(c->server_name, sizeof(c->server_name), "fs1.contoso.com");
	s = rc_step(c, SD_STEP_TCP, EV_LOCAL_ERROR, 0, 0.0);
	s->problem = EV_PROBLEM_UNRESOLVED;
	snprintf(s->detail, sizeof(s->detail), "cannot resolve fs1.contoso.com: unknown node or service");
}

static void
build_tcp_timeout(struct ev_timeline *t)
{
	struct ev_connection *c = ev_add_connection(t);
	struct ev_step *s = rc_step(c, SD_STEP_TCP, EV_TIMEOUT, 0, 0.0);

	s->response_at = 21.0;
}

static void
build_nbss_rejected(struct ev_timeline *t)
{
	struct ev_connection *c = ev_add_connection(t);
	struct ev_step *s;

	rc_step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0);
	s = rc_step(c, SD_STEP_NBSS, EV_NBSS_REJECTED, 0x82, 0.001);
	s->frame_request = 4;
	s->frame_response = 5;
	snprintf(s->detail, sizeof(s->detail), "called name *SMBSERVER<20>");
	snprintf(c->called_name, sizeof(c->called_name), "*SMBSERVER");
	c->called_suffix = 0x20;
}

static void
build_negotiate_no_response(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_step *s = &c->steps[1];

	s->outcome = EV_NO_RESPONSE;
	s->status = 0;
	s->request_at = 1.0;
	s->ack_at = 1.0002;
	s->response_at = -1;
	s->frame_request = 4;
	c->negotiate.seen_response = false;
	c->negotiate.dialect = 0;
	c->closed_at = 61.0;
	c->reset_by_server = false;
}

static void
build_negotiate_closed(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_step *s = &c->steps[1];

	s->outcome = EV_RESET;
	s->request_at = 0.001;
	s->response_at = 0.0015;
	c->negotiate.seen_response = false;
	c->negotiate.dialect = 0;
	c->negotiate.smb1_negotiate = true;
	c->negotiate.smb1_offers_smb2 = false;
	c->negotiate.n_client_dialects = 0;
}

static void
build_no_common_dialect(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_experiment *e;
	static const uint16_t tried[] = {SMB2_DIALECT_300, SMB2_DIALECT_302, SMB2_DIALECT_311, SMB2_DIALECT_202};
	size_t i;

	c->steps[1].status = ST_NOT_SUPPORTED;
	c->steps[1].frame_response = 6;
	c->negotiate.dialect = 0;
	c->negotiate.n_client_dialects = 2;
	for (i = 0; i < sizeof(tried) / sizeof(tried[0]); i++) {
		e = ev_add_experiment(t, EV_EXP_DIALECT_ALONE, 0);
		e->dialect = tried[i];
		e->ok = tried[i] >= SMB2_DIALECT_300;
		e->step = SD_STEP_NEGOTIATE;
		e->outcome = EV_ANSWERED;
		e->status = e->ok ? 0 : ST_NOT_SUPPORTED;
	}
}

static void
build_smb1_in_use(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	c->negotiate.smb1_negotiate = true;
	c->negotiate.smb1_offers_smb2 = true;
	c->negotiate.smb1_answered = true;
	c->negotiate.dialect = SD_DIALECT_SMB1;
}

static void
build_validate_failed(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_step *s;

	c->negotiate.dialect = SMB2_DIALECT_300;
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\data");
	s = rc_step(c, SD_STEP_TREE_CONNECT, EV_RESET, 0, 0.03);
	s->problem = EV_PROBLEM_VALIDATE_MISMATCH;
	snprintf(s->detail, sizeof(s->detail), "capabilities differ: 0x0000002F vs 0x00000027");
}

static void
build_session_no_response(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_step *s = rc_session(c, EV_NO_RESPONSE, 0, 1);

	s->ack_at = 0.0101;
	c->closed_at = 60.01;
}

static void
build_logon_failure(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_experiment *e;

	rc_session(c, EV_ANSWERED, ST_LOGON_FAILURE, 2)->frame_response = 9;
	e = ev_add_experiment(t, EV_EXP_GUEST, 0);
	e->ok = false;
	e->step = SD_STEP_SESSION_SETUP;
	e->outcome = EV_ANSWERED;
	e->status = ST_LOGON_FAILURE;
}

static void
build_account_restriction(struct ev_timeline *t)
{
	rc_session(rc_negotiated(t), EV_ANSWERED, ST_ACCOUNT_DISABLED, 2);
}

static void
build_session_encryption_required(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	c->negotiate.dialect = SMB2_DIALECT_210;
	c->negotiate.has_cipher = false;
	rc_session(c, EV_ANSWERED, ST_ACCESS_DENIED, 1);
	t->mode = EV_MODE_ANALYZE;
}

static void
build_name_hardening(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	rc_session(c, EV_ANSWERED, ST_ACCESS_DENIED, 2);
	snprintf(c->session.target_name, sizeof(c->session.target_name), "cifs/files.contoso.com");
}

static void
build_signing_mismatch(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_step *s;

	c->negotiate.server_security_mode |= SMB2_NEGOTIATE_SIGNING_REQUIRED;
	rc_session(c, EV_ANSWERED, 0, 2);
	c->session.signing_required = true;
	c->session.unsigned_when_required = true;
	s = rc_tree(c, EV_ANSWERED, ST_ACCESS_DENIED, "\\\\fs1\\data");
	s->request_signed = false;
}

static void
build_anonymous_denied(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	rc_session(c, EV_ANSWERED, ST_ACCESS_DENIED, 2);
	c->session.mechanism = EV_MECH_ANONYMOUS;
	c->session.ntlm_version = EV_NTLM_ANONYMOUS;
	c->session.user[0] = c->session.domain[0] = '\0';
}

static void
build_guest_fallback(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	rc_session(c, EV_ANSWERED, 0, 2);
	snprintf(c->session.user, sizeof(c->session.user), "bob");
	c->session.has_flags = true;
	c->session.session_flags = SMB2_SESSION_FLAG_IS_GUEST;
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\public");
}

static void
build_ntlm_used(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	snprintf(c->server_name, sizeof(c->server_name), "10.0.0.9");
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0, "\\\\10.0.0.9\\data");
}

static void
build_ntlmv1(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	rc_session(c, EV_ANSWERED, 0, 2);
	c->session.ntlm_version = EV_NTLM_V1;
}

static void
build_preauth_required(struct ev_timeline *t)
{
	rc_krb_error(t, 25, "krbtgt/CONTOSO.COM", -1);
}

static void
build_spn_unknown(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	rc_session(c, EV_ANSWERED, 0, 2);
	rc_krb_error(t, 7, "cifs/files.contoso.com", 0);
}

static void
build_clock_skew(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	c->negotiate.has_clock_skew = true;
	c->negotiate.clock_skew_s = 412.5;
	rc_krb_error(t, 37, "krbtgt/CONTOSO.COM", 0);
}

static void
build_preauth_failed(struct ev_timeline *t)
{
	rc_krb_error(t, 24, "krbtgt/CONTOSO.COM", -1);
}

static void
build_client_unknown(struct ev_timeline *t)
{
	rc_krb_error(t, 6, "krbtgt/CONTOSO.COM", -1)->after_preauth = false;
}

static void
build_client_revoked(struct ev_timeline *t)
{
	struct ev_kerberos *k = rc_krb_error(t, 18, "krbtgt/CONTOSO.COM", -1);

	k->has_ext_status = true;
	k->ext_status = ST_ACCOUNT_DISABLED;
}

static void
build_key_expired(struct ev_timeline *t)
{
	rc_krb_error(t, 23, "krbtgt/CONTOSO.COM", -1);
}

static void
build_etype_unsupported(struct ev_timeline *t)
{
	rc_krb_error(t, 14, "cifs/fs1.contoso.com", -1);
}

/* SPEC: the server answers the AP-REQ with LOGON_FAILURE after the KDC
 * issued the ticket; the ticket's kvno is shown. */
static void
build_ticket_rejected(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_kerberos *k = ev_add_kerberos(t);

	k->message = EV_KRB_TGS_REP;
	k->connection = 0;
	k->has_kvno = true;
	k->kvno = 3;
	snprintf(k->sname, sizeof(k->sname), "cifs/fs1.contoso.com");
	rc_session(c, EV_ANSWERED, ST_LOGON_FAILURE, 1);
	c->session.mechanism = EV_MECH_KERBEROS;
	c->session.ntlm_version = EV_NTLM_UNKNOWN;
}

/* analyze: an AS-REQ the KDC never answered, then the client closed its
 * negotiated connection without a SESSION_SETUP. */
static void
build_kdc_unreachable(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_kerberos *k = ev_add_kerberos(t);

	t->mode = EV_MODE_ANALYZE;
	k->at = 0.154;
	k->frame = 8;
	k->message = EV_KRB_AS_REQ;
	k->connection = 0;
	snprintf(k->kdc, sizeof(k->kdc), "10.0.0.1:88");
	snprintf(k->sname, sizeof(k->sname), "krbtgt/CONTOSO.COM");
	c->closed_at = 0.174;
}

static void
build_kerberos_other(struct ev_timeline *t)
{
	rc_krb_error(t, 12, "cifs/fs1.contoso.com", -1);
}

static void
build_bad_network_name(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_experiment *e;
	static const char *const shares[] = {"IPC$", "Public", "Data", "Scans", "DataArchive"};
	size_t i;

	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_BAD_NETWORK_NAME, "\\\\fs1\\Dta")->frame_response = 12;
	e = ev_add_experiment(t, EV_EXP_SHARE_LIST, 0);
	e->ok = true;
	for (i = 0; i < sizeof(shares) / sizeof(shares[0]); i++)
		snprintf(e->shares[e->n_shares++], sizeof(e->shares[0]), "%s", shares[i]);
}

static void
build_tree_access_denied(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_ACCESS_DENIED, "\\\\fs1\\hr");
}

static void
build_tree_folder_unavailable(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, 0, "\\\\fs1\\locked");
	c->tree.later_status = 0xC0000022u;
	snprintf(c->tree.later_command, sizeof(c->tree.later_command), "TREE_DISCONNECT");
}

static void
build_tree_encryption_required(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_experiment *e;

	c->negotiate.client_capabilities &= ~SMB2_GLOBAL_CAP_ENCRYPTION;
	rc_session(c, EV_ANSWERED, 0, 2);
	rc_tree(c, EV_ANSWERED, ST_ACCESS_DENIED, "\\\\fs1\\secret");
	e = ev_add_experiment(t, EV_EXP_ENCRYPTED_RETRY, 0);
	e->ok = true;
	e->step = SD_STEP_TREE_CONNECT;
	e->outcome = EV_ANSWERED;
}

static void
build_unsigned_disconnect(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_step *s;

	rc_session(c, EV_ANSWERED, 0, 2);
	s = rc_tree(c, EV_RESET, 0, "\\\\fs1\\data");
	s->request_signed = false;
	c->closed_at = 0.0205;
}

/* An SSH server on the port: its banner came back to NEGOTIATE. */
static void
build_not_smb(struct ev_timeline *t)
{
	static const uint8_t banner[] = "SSH-2.0-OpenSSH_9.2\r\n";
	struct ev_connection *c = ev_add_connection(t);
	struct ev_step *s;

	snprintf(c->server, sizeof(c->server), "10.0.0.9:445");
	rc_step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0);
	s = rc_step(c, SD_STEP_NEGOTIATE, EV_PROTOCOL_ERROR, 0, 0.001);
	s->problem = EV_PROBLEM_UNDECODABLE;
	s->response_at = 0.0012;
	ev_escape_bytes(banner, sizeof(banner) - 1, c->foreign_answer, sizeof(c->foreign_answer));
}

/* A 3.1.1 answer Windows refuses: small buffers, no preauth context, a
 * cipher nobody offered; the client left without SESSION_SETUP. */
static void
build_invalid_response(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct smb2_negfaults *x = &c->negotiate.faults;

	x->f[x->n++] = (struct smb2_negfault){SMB2_NEGFAULT_MAX_READ, 0, 32768};
	x->f[x->n++] = (struct smb2_negfault){SMB2_NEGFAULT_MAX_WRITE, 0, 4096};
	x->f[x->n++] = (struct smb2_negfault){SMB2_NEGFAULT_CONTEXT_COUNT, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, 0};
	x->f[x->n++] = (struct smb2_negfault){SMB2_NEGFAULT_ID_NOT_OFFERED, SMB2_ENCRYPTION_CAPABILITIES, 0x0004};
	c->closed_by_client = true;
}

/* The probe: the name's other address is another server. */
static void
build_different_servers(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_experiment *e = ev_add_experiment(t, EV_EXP_OTHER_ADDRESS, (int)c->id);

	c->negotiate.has_server_guid = true;
	memcpy(c->negotiate.server_guid, "fs1-node-a-guid!", 16);
	snprintf(e->address, sizeof(e->address), "10.0.0.10:445");
	e->ok = true;
	e->step = SD_STEP_NEGOTIATE;
	e->outcome = EV_ANSWERED;
	e->server.known = true;
	e->server.dialect = SMB2_DIALECT_311;
	e->server.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	e->server.capabilities = SMB2_GLOBAL_CAP_DFS;
	memcpy(e->server.guid, "fs1-node-b-guid!", 16);
}

/* Samba with hosts deny: a negative session response 0x81 in answer to
 * NEGOTIATE on port 445. */
static void
build_client_rejected(struct ev_timeline *t)
{
	struct ev_connection *c = ev_add_connection(t);
	struct ev_step *s;

	snprintf(c->client, sizeof(c->client), "10.0.0.5:51234");
	snprintf(c->server, sizeof(c->server), "10.0.0.9:445");
	rc_step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0);
	s = rc_step(c, SD_STEP_NEGOTIATE, EV_NBSS_REJECTED, 0x81, 0.001);
	s->response_at = 0.002;
	c->closed_by_server = true;
}

/* The catch-all findings: a status no family explains. */
static void
build_negotiate_other(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	c->steps[1].status = 0xC000000Du; /* STATUS_INVALID_PARAMETER */
	c->negotiate.dialect = 0;
	c->negotiate.has_cipher = false;
}

static void
build_session_other(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);

	rc_session(c, EV_ANSWERED, 0xC00000BBu, 1); /* STATUS_NOT_SUPPORTED */
}

static void
build_tree_other(struct ev_timeline *t)
{
	struct ev_connection *c = rc_negotiated(t);
	struct ev_step *s;

	rc_session(c, EV_ANSWERED, 0, 2);
	s = rc_tree(c, EV_ANSWERED, 0xC000009Au, "\\\\fs1\\data"); /* STATUS_INSUFFICIENT_RESOURCES */
	s->frame_request = 40;
	s->frame_response = 41;
}

const struct rules_case rules_positive_cases[] = {
	{"tcp.refused", build_tcp_refused, "10.0.0.9:445 refused"},
	{"tcp.unresolved", build_tcp_unresolved, "cannot resolve fs1.contoso.com"},
	{"tcp.timeout", build_tcp_timeout, "within 21.0 s"},
	{"nbss.called_name_rejected", build_nbss_rejected, "CALLED_NAME_NOT_PRESENT"},
	{"negotiate.no_response", build_negotiate_no_response, "ACK after 0.2 ms, no answer for 60.0 s"},
	{"negotiate.connection_closed", build_negotiate_closed, "offering only SMB1"},
	{"negotiate.no_common_dialect", build_no_common_dialect, "server speaks 3.0, 3.0.2, 3.1.1"},
	{"negotiate.smb1_in_use", build_smb1_in_use, "server chose an SMB1 dialect"},
	{"negotiate.validate_failed", build_validate_failed, "capabilities differ"},
	{"session.no_response", build_session_no_response, "ACK after 0.1 ms"},
	{"session.logon_failure", build_logon_failure, "user CONTOSO\\alice, workstation PC1"},
	{"session.account_restriction", build_account_restriction, "STATUS_ACCOUNT_DISABLED"},
	{"session.encryption_required", build_session_encryption_required, "dialect 2.1 has no encryption"},
	{"session.name_hardening", build_name_hardening, "cifs/files.contoso.com"},
	{"session.signing_mismatch", build_signing_mismatch, "went unsigned"},
	{"session.anonymous_denied", build_anonymous_denied, "without credentials"},
	{"session.guest_fallback", build_guest_fallback, "CONTOSO\\bob"},
	{"session.ntlm_used", build_ntlm_used, "by its address 10.0.0.9"},
	{"session.ntlmv1", build_ntlmv1, "NTLMv1"},
	{"kerberos.preauth_required", build_preauth_required, "KDC_ERR_PREAUTH_REQUIRED"},
	{"kerberos.spn_unknown", build_spn_unknown, "setspn -S cifs/files.contoso.com FS1"},
	{"kerberos.clock_skew", build_clock_skew, "412.5 s"},
	{"kerberos.preauth_failed", build_preauth_failed, "KDC_ERR_PREAUTH_FAILED"},
	{"kerberos.client_unknown", build_client_unknown, "client alice@CONTOSO.COM"},
	{"kerberos.client_revoked", build_client_revoked, "KERB-EXT-ERROR: STATUS_ACCOUNT_DISABLED"},
	{"kerberos.key_expired", build_key_expired, "KDC_ERR_KEY_EXPIRED"},
	{"kerberos.etype_unsupported", build_etype_unsupported, "(14)"},
	{"kerberos.ticket_rejected", build_ticket_rejected, "kvno) 3"},
	{"kerberos.other", build_kerberos_other, "(12)"},
	{"kerberos.kdc_unreachable", build_kdc_unreachable, "frame 8: AS-REQ for krbtgt/CONTOSO.COM to KDC 10.0.0.1:88"},
	{"tree.bad_network_name", build_bad_network_name, "did you mean: Data"},
	{"tree.access_denied", build_tree_access_denied, "as user CONTOSO\\alice"},
	{"tree.folder_unavailable", build_tree_folder_unavailable, "then TREE_DISCONNECT on the share -> STATUS_ACCESS_DENIED"},
	{"tree.encryption_required", build_tree_encryption_required, "encryption succeeded"},
	{"tree.unsigned_disconnect", build_unsigned_disconnect, "neither signed nor encrypted"},
	{"negotiate.not_smb", build_not_smb, "10.0.0.9:445 is not SMB: \"SSH-2.0-OpenSSH_9.2\\r\\n\""},
	{"nbss.client_rejected", build_client_rejected, "refused the client at 10.0.0.5:51234"},
	{"negotiate.invalid_response", build_invalid_response,
	 "MaxReadSize 32768, MaxWriteSize 4096: below 65536 bytes"},
	{"negotiate.different_servers", build_different_servers,
	 "10.0.0.10:445, another address of fs1, answers with ServerGuid 2d317366-6f6e-6564-2d62-2d6775696421"},
	{"negotiate.other", build_negotiate_other, "NEGOTIATE -> STATUS_INVALID_PARAMETER (0xC000000D)"},
	{"session.other", build_session_other, "SESSION_SETUP -> STATUS_NOT_SUPPORTED (0xC00000BB)"},
	{"tree.other", build_tree_other, "frame 41: TREE_CONNECT \\\\fs1\\data -> STATUS_INSUFFICIENT_RESOURCES"},
};

const size_t rules_positive_count = sizeof(rules_positive_cases) / sizeof(rules_positive_cases[0]);

bool
rules_case_build(const char *id, struct ev_timeline *t)
{
	size_t i;

	for (i = 0; i < rules_positive_count; i++) {
		if (strcmp(rules_positive_cases[i].id, id) == 0) {
			rules_positive_cases[i].build(t);
			return true;
		}
	}
	return false;
}
