/* One probe attempt as an evidence connection: the transport's record
 * (connect, NetBIOS, sends and their ACKs, how it ended) joined with the
 * client's result (exchanges, statuses, what was negotiated). */
#include <stdio.h>
#include <string.h>

#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "net/probe_internal.h"

#define N_(text) text
#define FILETIME_UNIX_OFFSET_S 11644473600.0

static const uint16_t default_ciphers[] = {
	SMB2_ENCRYPTION_AES128_GCM, SMB2_ENCRYPTION_AES128_CCM, SMB2_ENCRYPTION_AES256_GCM,
	SMB2_ENCRYPTION_AES256_CCM,
};
static const uint16_t default_signing[] = {
	SMB2_SIGNING_AES_GMAC, SMB2_SIGNING_AES_CMAC, SMB2_SIGNING_HMAC_SHA256,
};

/* The socket and resolver errors a probe meets, in words a translator
 * sees (libuv's own texts are English only); others keep libuv's. */
static const struct {
	int code;
	const char *text;
} sys_error_texts[] = {
	{UV_ECONNREFUSED, N_("connection refused")},
	{UV_ECONNRESET, N_("connection reset by peer")},
	{UV_ETIMEDOUT, N_("connection timed out")},
	{UV_EHOSTUNREACH, N_("host is unreachable")},
	{UV_ENETUNREACH, N_("network is unreachable")},
	{UV_EADDRNOTAVAIL, N_("address not available")},
	{UV_EACCES, N_("permission denied")},
	{UV_EPERM, N_("operation not permitted")},
	{UV_EAI_NONAME, N_("unknown node or service")},
	{UV_EAI_AGAIN, N_("temporary failure of name resolution")},
	{UV_EAI_FAIL, N_("permanent failure of name resolution")},
	{UV_EAI_NODATA, N_("no address associated with the name")},
};

const char *
probe_sys_error_text(const struct probe *p, int uv_error)
{
	size_t i;

	for (i = 0; i < sizeof(sys_error_texts) / sizeof(sys_error_texts[0]); i++)
		if (sys_error_texts[i].code == uv_error)
			return ev_tr(p->t, sys_error_texts[i].text);
	return uv_strerror(uv_error);
}

enum ev_outcome
probe_end_outcome(const struct probe_attempt *a)
{
	switch (a->conn.end) {
	case NET_END_TIMEOUT: return EV_NO_RESPONSE;
	case NET_END_RESET: return EV_RESET;
	case NET_END_CLOSED: return EV_CLOSED;
	case NET_END_ERROR: return EV_LOCAL_ERROR;
	default: return EV_ANSWERED;
	}
}

static void
fill_tcp(const struct probe *p, const struct probe_attempt *a, struct ev_connection *c)
{
	struct ev_step *s = ev_add_step(c, SD_STEP_TCP);
	size_t i, off;

	if (!s)
		return;
	s->request_at = probe_rel(p, a->conn.connect_start_us);
	switch (a->conn.end) {
	case NET_END_REFUSED: s->outcome = EV_REFUSED; break;
	case NET_END_CONNECT_TIMEOUT: s->outcome = EV_TIMEOUT; break;
	case NET_END_CONNECT_ERROR: s->outcome = EV_REFUSED; s->problem = EV_PROBLEM_LOCAL; break;
	default: s->outcome = a->conn.connected_us ? EV_ANSWERED : EV_LOCAL_ERROR; break;
	}
	s->response_at = a->conn.connected_us ? probe_rel(p, a->conn.connected_us) : probe_rel(p, a->conn.end_us);
	if (s->outcome == EV_TIMEOUT)
		s->response_at = -1;
	if (p->resolved.literal)
		off = (size_t)snprintf(s->detail, sizeof(s->detail), ev_tr(p->t, "%s (address)"), a->conn.peer);
	else
		off = (size_t)snprintf(s->detail, sizeof(s->detail), "%s", a->conn.peer);
	if (a->conn.sys_err && off < sizeof(s->detail))
		off += (size_t)snprintf(s->detail + off, sizeof(s->detail) - off, ": %s",
					probe_sys_error_text(p, a->conn.sys_err));
	for (i = 0; i < p->resolved.n && !p->resolved.literal && off < sizeof(s->detail); i++)
		off += (size_t)snprintf(s->detail + off, sizeof(s->detail) - off, "%s%s",
					i ? ", " : ev_tr(p->t, "; resolved: "), p->resolved.text[i]);
}

/* Returns how many sends the NetBIOS session request used (0 or 1). */
static size_t
fill_nbss(const struct probe *p, const struct probe_attempt *a, struct ev_connection *c)
{
	const struct net_conn *n = &a->conn;
	struct ev_step *s;

	if (!n->nbss_sent || !(s = ev_add_step(c, SD_STEP_NBSS)))
		return n->nbss_sent ? 1 : 0;
	s->request_at = probe_rel(p, n->nbss_request_us);
	if (n->n_sends > 0)
		s->ack_at = probe_rel(p, n->sends[0].ack_us);
	snprintf(s->detail, sizeof(s->detail), "called name %s<20>", p->called_name);
	ev_copy(c->called_name, sizeof(c->called_name), p->called_name);
	c->called_suffix = 0x20;
	if (n->nbss_type == 0x82) {
		s->outcome = EV_ANSWERED;
		s->response_at = probe_rel(p, n->nbss_response_us);
	} else if (n->nbss_type) {
		s->outcome = EV_NBSS_REJECTED;
		s->status = n->nbss_code;
		s->response_at = probe_rel(p, n->nbss_response_us);
	} else {
		s->outcome = probe_end_outcome(a);
		if (s->outcome == EV_RESET || s->outcome == EV_CLOSED)
			s->response_at = probe_rel(p, n->end_us);
	}
	return 1;
}

static bool
ev_step_for(enum smb2_client_step step, enum sd_step *out)
{
	switch (step) {
	case SMB2C_STEP_NEGOTIATE: *out = SD_STEP_NEGOTIATE; return true;
	case SMB2C_STEP_SESSION_SETUP: *out = SD_STEP_SESSION_SETUP; return true;
	case SMB2C_STEP_TREE_CONNECT: *out = SD_STEP_TREE_CONNECT; return true;
	case SMB2C_STEP_VALIDATE_NEGOTIATE: *out = SD_STEP_NEGOTIATE; return true;
	case SMB2C_STEP_LOGOFF: *out = SD_STEP_LOGOFF; return true;
	default: return false;
	}
}

static enum ev_problem
problem_for(enum smb2_client_failure f)
{
	switch (f) {
	case SMB2C_FAIL_BAD_RESPONSE: return EV_PROBLEM_UNDECODABLE;
	case SMB2C_FAIL_BAD_SIGNATURE: return EV_PROBLEM_BAD_SIGNATURE;
	case SMB2C_FAIL_UNSIGNED: return EV_PROBLEM_UNSIGNED;
	case SMB2C_FAIL_DECRYPT: return EV_PROBLEM_DECRYPT;
	case SMB2C_FAIL_VALIDATE: return EV_PROBLEM_VALIDATE_MISMATCH;
	case SMB2C_FAIL_NEGOTIATE_RULES: return EV_PROBLEM_NEGOTIATE_RULES;
	case SMB2C_FAIL_CANNOT_SECURE: return EV_PROBLEM_CANNOT_ENCRYPT;
	case SMB2C_FAIL_LOCAL: return EV_PROBLEM_LOCAL;
	case SMB2C_FAIL_AUTH_REFUSED: return EV_PROBLEM_AUTH_REFUSED;
	default: return EV_PROBLEM_NONE;
	}
}

/* The last answered exchange broke the protocol (or we could not go on
 * after it): mark its step. */
static void
mark_failure(const struct ev_timeline *t, const struct smb2_client_result *r, struct ev_step *s)
{
	enum ev_problem pr;

	if (r->state != SMB2C_FAILED || r->failure == SMB2C_FAIL_STATUS || r->failure == SMB2C_FAIL_CLOSED)
		return;
	if (r->smb1_answered) {
		snprintf(s->detail, sizeof(s->detail), ev_tr(t, "answered in SMB1 (DialectIndex %u)"),
			 r->smb1_dialect_index);
		return;
	}
	pr = problem_for(r->failure);
	s->problem = pr;
	s->outcome = pr == EV_PROBLEM_CANNOT_ENCRYPT || pr == EV_PROBLEM_LOCAL ? EV_LOCAL_ERROR : EV_PROTOCOL_ERROR;
}

static void
one_exchange(const struct probe *p, const struct probe_attempt *a, const struct smb2_client_exchange *ex,
	     size_t send_index, struct ev_step *s)
{
	const struct net_conn *n = &a->conn;
	uint64_t sent = send_index < n->n_sends ? n->sends[send_index].sent_us : ex->sent_us;

	if (s->legs == 0)
		s->request_at = probe_rel(p, sent);
	s->legs++;
	s->message_id = ex->message_id;
	s->request_signed = ex->req_signed;
	s->request_encrypted = ex->req_encrypted;
	if (send_index < n->n_sends && n->sends[send_index].ack_us)
		s->ack_at = probe_rel(p, n->sends[send_index].ack_us);
	if (ex->answered) {
		s->outcome = EV_ANSWERED;
		s->status = ex->status;
		s->response_at = probe_rel(p, ex->answered_us);
		s->response_signed = ex->rsp_signed;
		s->response_encrypted = ex->rsp_encrypted;
		return;
	}
	s->outcome = probe_end_outcome(a);
	s->response_at = s->outcome == EV_RESET || s->outcome == EV_CLOSED ? probe_rel(p, n->end_us) : -1;
}

/* The request the client failed on got bytes that are not SMB: the step
 * ends in a protocol error at their arrival, not in an answer. */
static void
foreign_answer(const struct probe *p, const struct smb2_client_result *r, struct ev_connection *c,
	       struct ev_step *s)
{
	s->outcome = EV_PROTOCOL_ERROR;
	s->problem = EV_PROBLEM_UNDECODABLE;
	s->status = 0;
	s->response_at = probe_rel(p, r->foreign_us);
	if (s->request_at >= 0 && s->response_at < s->request_at) {
		c->foreign_first = true;
		s->response_at = s->request_at;
	}
	ev_escape_bytes(r->foreign, r->n_foreign, c->foreign_answer, sizeof(c->foreign_answer));
}

/* The request got a NetBIOS negative session response (Samba refusing
 * the client's address) instead of an answer. */
static void
nbss_refusal(const struct probe *p, const struct smb2_client_result *r, struct ev_step *s)
{
	s->outcome = EV_NBSS_REJECTED;
	s->status = r->nbss_code;
	s->response_at = probe_rel(p, r->nbss_refused_us);
	if (s->response_at < s->request_at)
		s->response_at = s->request_at;
}

static void
fill_exchanges(const struct probe *p, const struct probe_attempt *a, struct ev_connection *c, size_t send_off)
{
	const struct smb2_client_result *r = smb2_client_result(a->client);
	struct ev_step *s = NULL;
	uint8_t i;

	for (i = 0; i < r->n_exchanges; i++) {
		const struct smb2_client_exchange *ex = &r->exchanges[i];
		bool failed_here = !ex->answered || (r->state == SMB2C_FAILED && i + 1 == r->n_exchanges);
		enum sd_step step;

		if (!ev_step_for(ex->step, &step))
			continue;
		/* VALIDATE_NEGOTIATE is shown only when it went wrong. */
		if (ex->step == SMB2C_STEP_VALIDATE_NEGOTIATE && !failed_here)
			continue;
		/* Legs of one step (SESSION_SETUP rounds, SMB1 then SMB2
		 * NEGOTIATE) form one step. */
		if (!(s && s->step == step && ex->step != SMB2C_STEP_VALIDATE_NEGOTIATE && i > 0 &&
		      r->exchanges[i - 1].step == ex->step))
			s = ev_add_step(c, step);
		if (!s)
			return;
		one_exchange(p, a, ex, send_off + i, s);
		if (ex->step == SMB2C_STEP_TREE_CONNECT)
			ev_copy(s->detail, sizeof(s->detail), r->tree_path);
		if (ex->step == SMB2C_STEP_VALIDATE_NEGOTIATE)
			ev_copy(s->detail, sizeof(s->detail), "VALIDATE_NEGOTIATE_INFO");
		if (ex->step == SMB2C_STEP_NEGOTIATE && r->smb1_sent)
			ev_copy(s->detail, sizeof(s->detail),
				r->smb1_upgraded ? ev_tr(p->t, "SMB1 multi-protocol NEGOTIATE, then SMB2 NEGOTIATE")
						 : ev_tr(p->t, "SMB1 multi-protocol NEGOTIATE"));
		if (failed_here && ex->answered)
			mark_failure(p->t, r, s);
		else if (failed_here && r->state == SMB2C_FAILED && r->failure == SMB2C_FAIL_NBSS_REFUSED)
			nbss_refusal(p, r, s);
		else if (failed_here && r->state == SMB2C_FAILED && r->n_foreign)
			foreign_answer(p, r, c, s);
	}
}

static void
copy_ids(uint16_t *dst, uint8_t *n, const uint16_t *src, size_t count)
{
	size_t i;

	for (i = 0; i < count && i < EV_MAX_IDS; i++)
		dst[i] = src[i];
	*n = (uint8_t)i;
}

static bool
offered(const struct smb2_client_result *r, uint16_t dialect)
{
	uint8_t i;

	for (i = 0; i < r->n_offered_dialects; i++)
		if (r->offered_dialects[i] == dialect)
			return true;
	return false;
}

static void
fill_negotiate(const struct probe *p, const struct probe_attempt *a, struct ev_negotiate *n)
{
	const struct smb2_client_result *r = smb2_client_result(a->client);
	uint8_t i;

	n->seen_request = r->n_exchanges > 0;
	n->seen_response = r->negotiated || r->smb1_answered || (r->n_exchanges > 0 && r->exchanges[0].answered);
	n->smb1_negotiate = r->smb1_sent;
	n->smb1_offers_smb2 = r->smb1_sent && !a->ccfg.smb1_only;
	n->smb1_answered = r->smb1_answered;
	copy_ids(n->client_dialects, &n->n_client_dialects, r->offered_dialects, r->n_offered_dialects);
	n->client_security_mode = r->client_security_mode;
	n->client_capabilities = r->client_capabilities;
	if (offered(r, SMB2_DIALECT_311)) {
		if (!a->ccfg.no_encryption)
			copy_ids(n->client_ciphers, &n->n_client_ciphers, default_ciphers,
				 sizeof(default_ciphers) / sizeof(default_ciphers[0]));
		copy_ids(n->client_signing_algs, &n->n_client_signing_algs, default_signing,
			 sizeof(default_signing) / sizeof(default_signing[0]));
	}
	n->faults = r->negotiate_faults;
	if (r->negotiate_faults.n > 0)
		n->dialect = r->dialect;
	/* The server chose an SMB1 dialect: the connection is SMB1, though
	 * the probe goes no further in it. */
	if (smb2_client_smb1_chosen(r))
		n->dialect = SD_DIALECT_SMB1;
	if (!r->negotiated)
		return;
	n->dialect = r->dialect;
	n->server_security_mode = r->server_security_mode;
	n->server_capabilities = r->server_capabilities;
	n->has_cipher = r->cipher_negotiated;
	n->cipher = r->cipher;
	n->has_signing_alg = r->signing_alg_negotiated;
	n->signing_alg = r->signing_alg;
	n->has_server_guid = true;
	memcpy(n->server_guid, r->server_guid, 16);
	if (r->server_time) {
		double local = p->t->origin_unix;

		n->has_server_time = true;
		n->server_time = r->server_time;
		for (i = 0; i < r->n_exchanges; i++)
			if (r->exchanges[i].step == SMB2C_STEP_NEGOTIATE && r->exchanges[i].answered)
				local = p->t->origin_unix + probe_rel(p, r->exchanges[i].answered_us);
		n->has_clock_skew = true;
		n->clock_skew_s = (double)r->server_time / 1e7 - FILETIME_UNIX_OFFSET_S - local;
	}
	for (i = 0; i < r->n_server_mechs && i < sizeof(n->server_mechs); i++)
		n->server_mechs[i] = r->server_mechs[i];
	n->n_server_mechs = i;
}

static void
fill_session(const struct probe_attempt *a, struct ev_session *s)
{
	const struct smb2_client_result *r = smb2_client_result(a->client);
	bool answered_ok = false;
	uint8_t i;

	for (i = 0; i < r->n_exchanges; i++) {
		const struct smb2_client_exchange *ex = &r->exchanges[i];

		if (ex->step == SMB2C_STEP_SESSION_SETUP) {
			s->seen = true;
			answered_ok = ex->answered && ex->status == 0;
		} else if (ex->step != SMB2C_STEP_NEGOTIATE) {
			s->signed_traffic |= ex->req_signed;
			s->encrypted_traffic |= ex->req_encrypted;
		}
	}
	if (!s->seen)
		return;
	/* SMB2_MECH_EXTERNAL (Kerberos) is filled by probe_kerberos_session. */
	s->mechanism = a->ccfg.mech == SMB2_MECH_ANONYMOUS ? EV_MECH_ANONYMOUS : EV_MECH_NTLMSSP;
	s->ntlm_version = a->ccfg.mech == SMB2_MECH_ANONYMOUS ? EV_NTLM_ANONYMOUS : EV_NTLM_V2;
	ev_copy(s->user, sizeof(s->user), r->user);
	ev_copy(s->domain, sizeof(s->domain), r->domain);
	ev_copy(s->workstation, sizeof(s->workstation), r->workstation);
	ev_copy(s->target_name, sizeof(s->target_name), r->target_name);
	ev_copy(s->server_nb_domain, sizeof(s->server_nb_domain), r->server_nb_domain);
	ev_copy(s->server_nb_computer, sizeof(s->server_nb_computer), r->server_nb_computer);
	ev_copy(s->server_dns_computer, sizeof(s->server_dns_computer), r->server_dns_computer);
	s->session_id = r->session_id;
	s->ntlm = r->ntlm;
	if (answered_ok) {
		s->has_flags = true;
		s->session_flags = r->session_flags;
		if (r->session_flags & SMB2_SESSION_FLAG_IS_GUEST)
			s->mechanism = EV_MECH_GUEST;
	}
	s->signing_required = r->session_signing_required;
}

static void
fill_tree(const struct probe_attempt *a, struct ev_tree *t)
{
	const struct smb2_client_result *r = smb2_client_result(a->client);
	uint8_t i;

	for (i = 0; i < r->n_exchanges; i++) {
		const struct smb2_client_exchange *ex = &r->exchanges[i];

		if (ex->step != SMB2C_STEP_TREE_CONNECT)
			continue;
		t->seen = true;
		t->has_share = ex->answered && ex->status == 0;
	}
	if (!t->seen)
		return;
	ev_copy(t->path, sizeof(t->path), r->tree_path);
	if (!t->has_share)
		return;
	t->tree_id = r->tree_id;
	t->share_type = r->share_type;
	t->share_flags = r->share_flags;
	t->share_capabilities = r->share_capabilities;
	t->maximal_access = r->maximal_access;
	if (r->state == SMB2C_FAILED && r->failure == SMB2C_FAIL_STATUS && r->failed_step == SMB2C_STEP_TREE_DISCONNECT) {
		t->later_status = r->failed_status;
		ev_copy(t->later_command, sizeof(t->later_command), "TREE_DISCONNECT");
	}
}

void
probe_fill_connection(const struct probe *p, const struct probe_attempt *a, struct ev_connection *c)
{
	size_t send_off;

	ev_copy(c->client, sizeof(c->client), a->conn.local);
	ev_copy(c->server, sizeof(c->server), a->conn.peer);
	c->start_unix = p->t->origin_unix + probe_rel(p, a->conn.connect_start_us);
	fill_tcp(p, a, c);
	/* A SYN left unanswered ends when we give up: that time measures the
	 * wait tcp.timeout reports. */
	c->closed_at = probe_rel(p, a->conn.end_us);
	if (!a->conn.connected_us)
		return;
	send_off = fill_nbss(p, a, c);
	if (a->ran_client) {
		fill_exchanges(p, a, c, send_off);
		fill_negotiate(p, a, &c->negotiate);
		fill_session(a, &c->session);
		fill_tree(a, &c->tree);
	}
	c->closed_by_server = a->conn.end == NET_END_CLOSED;
	c->reset_by_server = a->conn.end == NET_END_RESET;
	c->closed_by_client = a->conn.end == NET_END_TIMEOUT;  /* the step timeout: we gave up */
	/* When it ended, whoever ended it: after a timeout that is us giving
	 * up, which measures how long the server stayed silent. */
	c->closed_at = probe_rel(p, a->conn.end_us);
}
