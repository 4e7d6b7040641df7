#include "report_samples.h"

#include <stdio.h>
#include <string.h>

#include "core/auth/spnego.h"
#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/rules.h"

#define ST_BAD_NETWORK_NAME 0xC00000CCu
#define ST_MORE_PROCESSING 0xC0000016u

static struct ev_step *
step(struct ev_connection *c, enum sd_step which, enum ev_outcome outcome, uint32_t status, double at, double took)
{
	struct ev_step *s = ev_add_step(c, which);

	s->outcome = outcome;
	s->status = status;
	s->request_at = at;
	s->response_at = took >= 0 ? at + took : -1;
	return s;
}

static void
full_negotiate(struct ev_connection *c)
{
	struct ev_negotiate *n = &c->negotiate;
	static const uint8_t guid[16] = {0xa0, 0xc6, 0x1b, 0x6f, 0x2d, 0x8b, 0x7e, 0x4c,
					 0x9a, 0x5e, 0x00, 0x0c, 0x29, 0xa1, 0xb2, 0xc3};
	static const uint16_t dialects[] = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};

	n->seen_request = n->seen_response = true;
	memcpy(n->client_dialects, dialects, sizeof(dialects));
	n->n_client_dialects = 5;
	n->dialect = SMB2_DIALECT_311;
	n->client_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	n->server_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED;
	n->client_capabilities = 0x7F;
	n->server_capabilities = SMB2_GLOBAL_CAP_DFS | SMB2_GLOBAL_CAP_LEASING | SMB2_GLOBAL_CAP_LARGE_MTU;
	n->client_ciphers[0] = 0x0004;
	n->client_ciphers[1] = 0x0002;
	n->n_client_ciphers = 2;
	n->has_cipher = true;
	n->cipher = 0x0002;
	n->client_signing_algs[0] = 0x0002;
	n->client_signing_algs[1] = 0x0001;
	n->n_client_signing_algs = 2;
	n->has_signing_alg = true;
	n->signing_alg = 0x0002;
	n->has_server_guid = true;
	memcpy(n->server_guid, guid, sizeof(guid));
	n->has_server_time = true;
	n->server_time = 134090886041234560ull;
	n->has_clock_skew = true;
	n->clock_skew_s = 0.4;
	n->server_mechs[0] = SPNEGO_MECH_MS_KRB5;
	n->server_mechs[1] = SPNEGO_MECH_KRB5;
	n->server_mechs[2] = SPNEGO_MECH_NTLMSSP;
	n->n_server_mechs = 3;
}

static struct ev_connection *
connection(struct ev_timeline *t, const char *client, const char *server, const char *name)
{
	struct ev_connection *c = ev_add_connection(t);

	snprintf(c->client, sizeof(c->client), "%s", client);
	snprintf(c->server, sizeof(c->server), "%s", server);
	snprintf(c->server_name, sizeof(c->server_name), "%s", name);
	c->start_unix = 1795815004.123456;
	c->transport_port = 445;
	return c;
}

static void
sample_success(struct ev_timeline *t)
{
	struct ev_connection *c = connection(t, "10.0.0.5:51234", "10.0.0.9:445", "fs1.contoso.com");
	struct ev_kerberos *k;
	struct ev_step *s;

	step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0, 0.000336);
	s = step(c, SD_STEP_NEGOTIATE, EV_ANSWERED, 0, 0.000400, 0.0004);
	s->frame_request = 4;
	s->frame_response = 6;
	s->ack_at = 0.0005;
	full_negotiate(c);
	s = step(c, SD_STEP_SESSION_SETUP, EV_ANSWERED, 0, 0.0120, 0.0069);
	s->legs = 1;
	s->frame_request = 9;
	s->frame_response = 10;
	s = step(c, SD_STEP_TREE_CONNECT, EV_ANSWERED, 0, 0.0200, 0.0011);
	s->request_signed = true;
	snprintf(s->detail, sizeof(s->detail), "\\\\fs1.contoso.com\\data");
	c->session.seen = true;
	c->session.mechanism = EV_MECH_KERBEROS;
	snprintf(c->session.user, sizeof(c->session.user), "alice");
	snprintf(c->session.domain, sizeof(c->session.domain), "CONTOSO.COM");
	snprintf(c->session.target_name, sizeof(c->session.target_name), "cifs/fs1.contoso.com");
	c->session.session_id = 0x0000100000000009ull;
	c->session.has_flags = true;
	c->session.session_flags = 0;
	c->session.signing_required = true;
	c->session.signed_traffic = true;
	c->tree.seen = true;
	snprintf(c->tree.path, sizeof(c->tree.path), "\\\\fs1.contoso.com\\data");
	c->tree.tree_id = 1;
	c->tree.has_share = true;
	c->tree.share_type = 1;
	c->tree.share_flags = SMB2_SHAREFLAG_ENCRYPT_DATA | 0x10;
	c->tree.maximal_access = 0x001F01FF;
	k = ev_add_kerberos(t);
	k->at = 0.0081;
	k->message = EV_KRB_TGS_REP;
	snprintf(k->client, sizeof(k->client), "10.0.0.5");
	snprintf(k->kdc, sizeof(k->kdc), "10.0.0.1:88");
	snprintf(k->cname, sizeof(k->cname), "alice");
	snprintf(k->realm, sizeof(k->realm), "CONTOSO.COM");
	snprintf(k->sname, sizeof(k->sname), "cifs/fs1.contoso.com");
	k->has_kvno = true;
	k->kvno = 7;
	k->frame = 8;
	k->connection = 0;
}

static void
sample_bad_share(struct ev_timeline *t)
{
	static const char *const shares[] = {"IPC$", "Data", "Public", "Scans"};
	struct ev_connection *c = connection(t, "[fe80::1]:50000", "[fe80::9]:445", "10.0.0.9");
	struct ev_experiment *e;
	struct ev_step *s;
	size_t i;

	step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0, 0.0003);
	step(c, SD_STEP_NEGOTIATE, EV_ANSWERED, 0, 0.0004, 0.0004);
	full_negotiate(c);
	step(c, SD_STEP_SESSION_SETUP, EV_ANSWERED, ST_MORE_PROCESSING, 0.001, 0.001)->legs = 1;
	step(c, SD_STEP_SESSION_SETUP, EV_ANSWERED, 0, 0.003, 0.004)->legs = 2;
	s = step(c, SD_STEP_TREE_CONNECT, EV_ANSWERED, ST_BAD_NETWORK_NAME, 0.01, 0.0008);
	s->frame_request = 11;
	s->frame_response = 12;
	s->request_signed = true;
	snprintf(s->detail, sizeof(s->detail), "\\\\10.0.0.9\\Dta");
	c->session.seen = true;
	c->session.mechanism = EV_MECH_NTLMSSP;
	c->session.ntlm_version = EV_NTLM_V2;
	snprintf(c->session.user, sizeof(c->session.user), "alice");
	snprintf(c->session.domain, sizeof(c->session.domain), "CONTOSO");
	snprintf(c->session.workstation, sizeof(c->session.workstation), "PC1");
	snprintf(c->session.target_name, sizeof(c->session.target_name), "cifs/10.0.0.9");
	snprintf(c->session.server_nb_computer, sizeof(c->session.server_nb_computer), "FS1");
	c->session.signed_traffic = true;
	c->tree.seen = true;
	snprintf(c->tree.path, sizeof(c->tree.path), "\\\\10.0.0.9\\Dta");
	e = ev_add_experiment(t, EV_EXP_SHARE_LIST, 0);
	e->ok = true;
	e->step = SD_STEP_TREE_CONNECT;
	e->outcome = EV_ANSWERED;
	for (i = 0; i < sizeof(shares) / sizeof(shares[0]); i++)
		snprintf(e->shares[e->n_shares++], sizeof(e->shares[0]), "%s", shares[i]);
	e = ev_add_experiment(t, EV_EXP_DIALECT_ALONE, 0);
	e->dialect = 0x0311;
	e->ok = true;
	e->step = SD_STEP_NEGOTIATE;
	e->outcome = EV_ANSWERED;
	snprintf(e->detail, sizeof(e->detail), "offered alone");
}

/* Strings a JSON writer must escape, an unknown dialect, status and flag
 * bits, and records tied to no connection. */
static void
sample_analyze(struct ev_timeline *t)
{
	struct ev_connection *c;
	struct ev_kerberos *k;
	struct ev_step *s;

	t->mode = EV_MODE_ANALYZE;
	t->origin_unix = 1795815000.0;
	c = connection(t, "10.0.0.7:49152", "10.0.0.9:445", "");
	c->start_unix = 0;
	s = step(c, SD_STEP_NEGOTIATE, EV_RESET, 0, 0.5, 0.0012);
	s->frame_request = 3;
	s->frame_response = 4;
	c->negotiate.seen_request = true;
	c->negotiate.smb1_negotiate = true;
	c->closed_at = 0.5012;
	c->reset_by_server = true;

	c = connection(t, "10.0.0.8:49153", "10.0.0.9:445", "files");
	step(c, SD_STEP_NEGOTIATE, EV_ANSWERED, 0, 1.0, 0.001);
	full_negotiate(c);
	c->negotiate.dialect = 0x0399;
	c->negotiate.server_capabilities |= 0x80000000u;
	c->negotiate.cipher = 0;
	s = step(c, SD_STEP_SESSION_SETUP, EV_ANSWERED, 0xC0DE0001u, 1.1, 0.002);
	s->legs = 2;
	c->session.seen = true;
	c->session.mechanism = EV_MECH_NTLMSSP;
	snprintf(c->session.user, sizeof(c->session.user), "j\xc3\xb6rg \"the\" \\admin\\ \xff");
	snprintf(c->session.domain, sizeof(c->session.domain), "\xe5\x8f\xb0\xe5\x8c\x97");
	snprintf(c->session.workstation, sizeof(c->session.workstation), "PC\033[2J\r\n1");
	s = step(c, SD_STEP_TREE_CONNECT, EV_NOT_SENT, 0, -1, -1);
	(void)s;

	k = ev_add_kerberos(t);
	k->at = 0.9;
	k->message = EV_KRB_ERROR;
	k->has_error = true;
	k->error = 25;
	snprintf(k->cname, sizeof(k->cname), "bob");
	snprintf(k->realm, sizeof(k->realm), "CONTOSO.COM");
	snprintf(k->sname, sizeof(k->sname), "krbtgt/CONTOSO.COM");
	k = ev_add_kerberos(t);
	k->at = 0.95;
	k->message = EV_KRB_ERROR;
	k->has_error = true;
	k->error = 7;
	k->after_preauth = true;
	k->connection = 1;
	k->frame = 17;
	snprintf(k->sname, sizeof(k->sname), "cifs/files");
	k = ev_add_kerberos(t);
	k->at = 0.96;
	k->message = EV_KRB_ERROR;
	k->has_error = true;
	k->error = 18;
	k->has_ext_status = true;
	k->ext_status = 0xC0000072u;
	snprintf(k->e_text, sizeof(k->e_text), "account disabled");
	snprintf(k->cname, sizeof(k->cname), "carol");
	/* A KDC's host refused: ICMP port unreachable for an AS-REQ, and a
	 * reset to the SYN of a TCP connection (no message). */
	k = ev_add_kerberos(t);
	k->at = 1.2;
	k->message = EV_KRB_AS_REQ;
	k->frame = 30;
	snprintf(k->sname, sizeof(k->sname), "krbtgt/CONTOSO.COM");
	snprintf(k->kdc, sizeof(k->kdc), "10.0.0.1:88");
	k->refusal = EV_KRB_REFUSAL_ICMP;
	k->refusal_icmp_type = 3;
	k->refusal_icmp_code = 3;
	k->refusal_frame = 31;
	snprintf(k->refusal_from, sizeof(k->refusal_from), "10.0.0.1");
	k = ev_add_kerberos(t);
	k->at = 1.3;
	k->message = EV_KRB_NO_MESSAGE;
	k->frame = 32;
	snprintf(k->kdc, sizeof(k->kdc), "10.0.0.1:88");
	k->refusal = EV_KRB_REFUSAL_TCP_RESET;
	k->refusal_frame = 33;
	snprintf(k->refusal_from, sizeof(k->refusal_from), "10.0.0.1");
}

static void
sample_refused(struct ev_timeline *t)
{
	struct ev_connection *c = ev_add_connection(t);

	step(c, SD_STEP_TCP, EV_REFUSED, 0, 0.0, 0.0002);
}

static void
sample_nbss(struct ev_timeline *t)
{
	struct ev_connection *c = connection(t, "10.0.0.5:51000", "10.0.0.9:139", "10.0.0.9");
	struct ev_step *s;

	c->transport_port = 139;
	step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0, 0.0003);
	s = step(c, SD_STEP_NBSS, EV_NBSS_REJECTED, 0x82, 0.0004, 0.0003);
	snprintf(s->detail, sizeof(s->detail), "called name *SMBSERVER<20>");
	snprintf(c->called_name, sizeof(c->called_name), "*SMBSERVER");
	c->called_suffix = 0x20;
}

/* What a capture hid: a Kerberos session whose TREE_CONNECT went
 * encrypted (none decrypted), an NTLM one decrypted with a gap, and one
 * that began mid-stream after a tried, failed decryption. */
static void
sample_capture_notes(struct ev_timeline *t)
{
	struct ev_connection *c;
	struct ev_step *s;

	t->mode = EV_MODE_ANALYZE;
	t->origin_unix = 1795815000.0;
	c = connection(t, "10.0.0.7:49160", "10.0.0.9:445", "fs1");
	c->has_tcp_stream = true;
	c->tcp_stream = 4;
	step(c, SD_STEP_TCP, EV_ANSWERED, 0, 0.0, 0.0001);
	step(c, SD_STEP_NEGOTIATE, EV_ANSWERED, 0, 0.001, 0.001);
	full_negotiate(c);
	step(c, SD_STEP_SESSION_SETUP, EV_ANSWERED, 0, 0.01, 0.002);
	c->session.seen = true;
	c->session.mechanism = EV_MECH_KERBEROS;
	c->session.encrypted_traffic = true;
	c->encrypted_messages = 12;

	c = connection(t, "10.0.0.8:49161", "10.0.0.9:445", "fs1");
	c->has_tcp_stream = true;
	c->tcp_stream = 5;
	step(c, SD_STEP_NEGOTIATE, EV_ANSWERED, 0, 1.0, 0.001);
	full_negotiate(c);
	s = step(c, SD_STEP_SESSION_SETUP, EV_ANSWERED, 0, 1.01, 0.002);
	s->legs = 2;
	s = step(c, SD_STEP_TREE_CONNECT, EV_ANSWERED, 0, 1.02, 0.001);
	s->request_encrypted = s->response_encrypted = true;
	snprintf(s->detail, sizeof(s->detail), "\\\\fs1\\data");
	c->session.seen = true;
	c->session.mechanism = EV_MECH_NTLMSSP;
	c->session.encrypted_traffic = true;
	c->decrypt_tried = true;
	c->encrypted_messages = c->decrypted_messages = 8;
	c->capture_gaps = true;

	c = connection(t, "10.0.0.9:49162", "10.0.0.9:445", "");
	c->has_tcp_stream = true;
	c->tcp_stream = 6;
	c->started_mid_stream = true;
	c->decrypt_tried = true;
	c->encrypted_messages = 3;
}

static const struct {
	const char *name;
	void (*build)(struct ev_timeline *t);
} samples[] = {
	{"success", sample_success},
	{"bad_share", sample_bad_share},
	{"analyze", sample_analyze},
	{"refused", sample_refused},
	{"nbss", sample_nbss},
	{"capture_notes", sample_capture_notes},
};

size_t
report_sample_count(void)
{
	return sizeof(samples) / sizeof(samples[0]);
}

const char *
report_sample_name(size_t which)
{
	return which < report_sample_count() ? samples[which].name : NULL;
}

bool
report_sample_build(size_t which, struct ev_timeline *t)
{
	ev_timeline_init(t, EV_MODE_PROBE);
	if (which >= report_sample_count())
		return false;
	samples[which].build(t);
	rules_run(t);
	return true;
}
