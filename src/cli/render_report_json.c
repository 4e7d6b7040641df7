/* The JSON report (SPEC "JSON report") and its JSON-lines form. What a
 * front could not know is left out, never invented; doc/report.schema.json
 * describes the result. */
#include "cli/render_report.h"

#include <string.h>

#include "cli/json.h"
#include "cli/render_explain.h"
#include "cli/render_report_internal.h"
#include "cli/render_report_notes.h"

static void
json_flags(struct cli_json *j, const char *key, const struct sd_flag_name *table, uint32_t value)
{
	const char *names[REPORT_MAX_FLAGS];
	char spare[16];
	size_t n = report_flags(table, value, names, spare), i;

	cli_json_key(j, key);
	cli_json_begin_array(j);
	for (i = 0; i < n; i++)
		cli_json_string(j, names[i]);
	cli_json_end_array(j);
}

static void
json_dialect_list(struct cli_json *j, const char *key, const uint16_t *ids, size_t n)
{
	char name[16];
	size_t i;

	cli_json_key(j, key);
	cli_json_begin_array(j);
	for (i = 0; i < n && i < EV_MAX_IDS; i++) {
		report_dialect(ids[i], name, sizeof(name));
		cli_json_string(j, name);
	}
	cli_json_end_array(j);
}

static void
json_id_list(struct cli_json *j, const char *key, const uint16_t *ids, size_t n, const char *(*name_of)(uint16_t))
{
	char hex[8];
	size_t i;

	cli_json_key(j, key);
	cli_json_begin_array(j);
	for (i = 0; i < n && i < EV_MAX_IDS; i++) {
		const char *name = name_of(ids[i]);

		snprintf(hex, sizeof(hex), "0x%04X", ids[i]);
		cli_json_string(j, name ? name : hex);
	}
	cli_json_end_array(j);
}

static void
json_time(struct cli_json *j, const char *key, double at)
{
	if (at >= 0) {
		cli_json_key(j, key);
		cli_json_fixed(j, at, 6);
	}
}

static void
json_step(struct cli_json *j, const struct ev_step *s)
{
	char code[16];
	const char *name;
	double ms = report_step_ms(s);

	cli_json_begin_object(j);
	cli_json_kv_string(j, "step", sd_step_name(s->step));
	cli_json_kv_bool(j, "ok", report_step_ok(s));
	cli_json_kv_string(j, "outcome", ev_outcome_name(s->outcome));
	if (s->problem != EV_PROBLEM_NONE)
		cli_json_kv_string(j, "problem", ev_problem_name(s->problem));
	if ((s->outcome == EV_ANSWERED && s->step != SD_STEP_TCP && s->step != SD_STEP_NBSS) ||
	    s->outcome == EV_NBSS_REJECTED) {
		report_status(s, code, sizeof(code), &name);
		cli_json_kv_string(j, "status", code);
		if (name)
			cli_json_kv_string(j, "status_name", name);
	}
	json_time(j, "request_at", s->request_at);
	json_time(j, "response_at", s->response_at);
	json_time(j, "ack_at", s->ack_at);
	if (ms >= 0) {
		cli_json_key(j, "ms");
		cli_json_fixed(j, ms, 3);
	}
	if (s->frame_request || s->frame_response) {
		cli_json_key(j, "frames");
		cli_json_begin_array(j);
		if (s->frame_request)
			cli_json_uint(j, s->frame_request);
		if (s->frame_response && s->frame_response != s->frame_request)
			cli_json_uint(j, s->frame_response);
		cli_json_end_array(j);
	}
	if (s->step == SD_STEP_SESSION_SETUP && s->legs)
		cli_json_kv_uint(j, "legs", s->legs);
	if (s->request_at >= 0 && s->step > SD_STEP_NEGOTIATE) {
		cli_json_kv_bool(j, "request_signed", s->request_signed);
		cli_json_kv_bool(j, "request_encrypted", s->request_encrypted);
	}
	if (s->detail[0])
		cli_json_kv_string(j, "detail", s->detail);
	cli_json_end_object(j);
}

static void
json_negotiate_client(struct cli_json *j, const struct ev_negotiate *n)
{
	if (n->smb1_negotiate) {
		cli_json_kv_bool(j, "smb1_negotiate", true);
		cli_json_kv_bool(j, "smb1_offers_smb2", n->smb1_offers_smb2);
	}
	if (n->n_client_dialects)
		json_dialect_list(j, "client_dialects", n->client_dialects, n->n_client_dialects);
	json_flags(j, "client_security_mode", smb2_security_mode_names, n->client_security_mode);
	json_flags(j, "client_capabilities", smb2_capability_names, n->client_capabilities);
	if (n->n_client_ciphers)
		json_id_list(j, "ciphers", n->client_ciphers, n->n_client_ciphers, smb2_cipher_name);
	if (n->n_client_signing_algs)
		json_id_list(j, "signing_algorithms", n->client_signing_algs, n->n_client_signing_algs,
			     smb2_signing_algorithm_name);
}

static void
json_negotiate_server(struct cli_json *j, const struct ev_negotiate *n)
{
	char buf[64];
	size_t i;

	if (n->smb1_answered)
		cli_json_kv_bool(j, "smb1_answered", true);
	if (n->dialect) {
		report_dialect(n->dialect, buf, sizeof(buf));
		cli_json_kv_string(j, "dialect", buf);
	}
	json_flags(j, "server_security_mode", report_server_flags(n, smb2_security_mode_names), n->server_security_mode);
	json_flags(j, "server_capabilities", report_server_flags(n, smb2_capability_names), n->server_capabilities);
	if (n->has_cipher) {
		const char *name = n->cipher ? smb2_cipher_name(n->cipher) : "none";

		snprintf(buf, sizeof(buf), "0x%04X", n->cipher);
		cli_json_kv_string(j, "cipher", name ? name : buf);
	}
	if (n->has_signing_alg) {
		const char *name = smb2_signing_algorithm_name(n->signing_alg);

		snprintf(buf, sizeof(buf), "0x%04X", n->signing_alg);
		cli_json_kv_string(j, "signing_algorithm", name ? name : buf);
	}
	if (n->has_server_guid) {
		report_guid(n->server_guid, buf, sizeof(buf));
		cli_json_kv_string(j, "server_guid", buf);
	}
	if (n->has_server_time && report_iso_time(report_filetime_unix(n->server_time), buf, sizeof(buf)))
		cli_json_kv_string(j, "server_time", buf);
	if (n->has_clock_skew) {
		cli_json_key(j, "clock_skew_s");
		cli_json_fixed(j, n->clock_skew_s, 3);
	}
	if (n->n_server_mechs) {
		cli_json_key(j, "server_mechanisms");
		cli_json_begin_array(j);
		for (i = 0; i < n->n_server_mechs && i < sizeof(n->server_mechs); i++)
			cli_json_string(j, report_mech_name(n->server_mechs[i]));
		cli_json_end_array(j);
	}
}

static void
json_session(struct cli_json *j, const struct ev_session *s)
{
	char buf[32];

	cli_json_key(j, "session");
	cli_json_begin_object(j);
	if (s->mechanism != EV_MECH_UNKNOWN)
		cli_json_kv_string(j, "mechanism", ev_mechanism_name(s->mechanism));
	if (s->user[0])
		cli_json_kv_string(j, "user", s->user);
	if (s->domain[0])
		cli_json_kv_string(j, "domain", s->domain);
	if (s->workstation[0])
		cli_json_kv_string(j, "workstation", s->workstation);
	if (s->target_name[0])
		cli_json_kv_string(j, "target_name", s->target_name);
	if (s->ntlm_version != EV_NTLM_UNKNOWN)
		cli_json_kv_string(j, "ntlm_version", ev_ntlm_version_name(s->ntlm_version));
	if (s->server_nb_domain[0])
		cli_json_kv_string(j, "server_nb_domain", s->server_nb_domain);
	if (s->server_nb_computer[0])
		cli_json_kv_string(j, "server_nb_computer", s->server_nb_computer);
	if (s->server_dns_computer[0])
		cli_json_kv_string(j, "server_dns_computer", s->server_dns_computer);
	cli_json_kv_bool(j, "signed", s->signed_traffic);
	cli_json_kv_bool(j, "encrypted", s->encrypted_traffic);
	cli_json_kv_bool(j, "signing_required", s->signing_required);
	if (s->has_flags)
		json_flags(j, "session_flags", smb2_session_flag_names, s->session_flags);
	if (s->session_id) {
		snprintf(buf, sizeof(buf), "0x%016llX", (unsigned long long)s->session_id);
		cli_json_kv_string(j, "session_id", buf);
	}
	cli_json_end_object(j);
}

static void
json_tree(struct cli_json *j, const struct ev_tree *t)
{
	char buf[16];
	const char *type;

	cli_json_key(j, "tree");
	cli_json_begin_object(j);
	if (t->path[0])
		cli_json_kv_string(j, "path", t->path);
	if (t->has_share) {
		type = smb2_share_type_name(t->share_type);
		snprintf(buf, sizeof(buf), "0x%02X", t->share_type);
		cli_json_kv_string(j, "share_type", type ? type : buf);
		json_flags(j, "share_flags", smb2_share_flag_names, t->share_flags);
		json_flags(j, "share_capabilities", smb2_share_capability_names, t->share_capabilities);
		snprintf(buf, sizeof(buf), "0x%08X", t->maximal_access);
		cli_json_kv_string(j, "maximal_access", buf);
	}
	if (t->tree_id) {
		snprintf(buf, sizeof(buf), "0x%X", t->tree_id);
		cli_json_kv_string(j, "tree_id", buf);
	}
	cli_json_end_object(j);
}

/* What the capture hid or lacked (analyze): counts, the options that
 * would open hidden messages, and the same notes as the text report. */
static void
json_capture(struct cli_json *j, const struct ev_connection *c)
{
	struct report_capture_view v;
	unsigned i;

	report_capture_view(c, &v, false);
	if (!v.any)
		return;
	cli_json_key(j, "capture");
	cli_json_begin_object(j);
	if (v.encrypted > 0) {
		cli_json_kv_uint(j, "encrypted_messages", v.encrypted);
		cli_json_kv_uint(j, "decrypted_messages", v.decrypted);
		cli_json_kv_uint(j, "hidden_messages", v.hidden);
	}
	if (v.hidden > 0) {
		cli_json_kv_string(j, "hidden_after", v.tree_connect_hidden ? "session_setup" : "tree_connect");
		if (ev_keytab_result_name(c->keytab_result))
			cli_json_kv_string(j, "keytab", ev_keytab_result_name(c->keytab_result));
		cli_json_key(j, "decrypt_with");
		cli_json_begin_array(j);
		for (i = 0; i < v.n_decrypt_with; i++)
			cli_json_string(j, v.decrypt_with[i]);
		cli_json_end_array(j);
	}
	if (v.gaps)
		cli_json_kv_bool(j, "gaps", true);
	if (v.mid_stream)
		cli_json_kv_bool(j, "started_mid_stream", true);
	if (v.snapped)
		cli_json_kv_bool(j, "snapped", true);
	cli_json_key(j, "notes");
	cli_json_begin_array(j);
	for (i = 0; i < v.n_notes; i++)
		cli_json_string(j, v.notes[i]);
	cli_json_end_array(j);
	cli_json_end_object(j);
}

static void
json_connection(struct cli_json *j, const struct ev_connection *c)
{
	char start[48];
	unsigned i;

	cli_json_begin_object(j);
	cli_json_kv_uint(j, "id", c->id);
	if (c->client[0])
		cli_json_kv_string(j, "client", c->client);
	if (c->server[0])
		cli_json_kv_string(j, "server", c->server);
	if (c->server_name[0])
		cli_json_kv_string(j, "server_name", c->server_name);
	if (c->canonical_name[0])
		cli_json_kv_string(j, "server_canonical_name", c->canonical_name);
	if (report_iso_time(c->start_unix, start, sizeof(start)))
		cli_json_kv_string(j, "start", start);
	if (c->has_tcp_stream)
		cli_json_kv_uint(j, "tcp_stream", c->tcp_stream);
	cli_json_key(j, "steps");
	cli_json_begin_array(j);
	for (i = 0; i < c->n_steps && i < EV_MAX_STEPS; i++)
		json_step(j, &c->steps[i]);
	cli_json_end_array(j);
	if (c->negotiate.seen_request || c->negotiate.seen_response) {
		cli_json_key(j, "negotiate");
		cli_json_begin_object(j);
		if (c->negotiate.seen_request)
			json_negotiate_client(j, &c->negotiate);
		if (c->negotiate.seen_response)
			json_negotiate_server(j, &c->negotiate);
		cli_json_end_object(j);
	}
	if (c->session.seen)
		json_session(j, &c->session);
	if (c->tree.seen)
		json_tree(j, &c->tree);
	if (c->closed_at >= 0) {
		json_time(j, "closed_at", c->closed_at);
		if (c->reset_by_server || c->closed_by_server)
			cli_json_kv_string(j, "closed_by", c->reset_by_server ? "server_reset" : "server");
		else if (c->reset_by_client || c->closed_by_client)
			cli_json_kv_string(j, "closed_by", c->reset_by_client ? "client_reset" : "client");
	}
	json_capture(j, c);
	cli_json_end_object(j);
}

/* The probe's ladder: the logon step, its duration, the ticket's
 * encryption type and the KDC's clock against ours. */
static void
json_kerberos_step(struct cli_json *j, const struct ev_kerberos *k)
{
	const char *name = ev_krb_step_name(k->step);

	if (name)
		cli_json_kv_string(j, "step", name);
	if (k->has_ms) {
		cli_json_key(j, "ms");
		cli_json_fixed(j, k->ms, 3);
	}
	if (k->from_cache)
		cli_json_kv_bool(j, "from_cache", true);
	if (k->has_enctype) {
		cli_json_kv_int(j, "enctype", k->enctype);
		name = krb_etype_name(k->enctype);
		if (name)
			cli_json_kv_string(j, "enctype_name", name);
	}
	if (k->has_kdc_skew) {
		cli_json_key(j, "kdc_clock_skew_s");
		cli_json_fixed(j, k->kdc_skew_s, 3);
	}
	if (k->detail[0])
		cli_json_kv_string(j, "detail", k->detail);
}

/* analyze: how the KDC's host refused a request no Kerberos answer
 * came to (ICMP destination unreachable, or a reset to the SYN). */
static void
json_kerberos_refusal(struct cli_json *j, const struct ev_kerberos *k)
{
	const char *by = ev_krb_refusal_name(k->refusal);

	if (by == NULL)
		return;
	cli_json_key(j, "refused");
	cli_json_begin_object(j);
	cli_json_kv_string(j, "by", by);
	cli_json_kv_string(j, "reason", ev_krb_refusal_reason(k));
	if (k->refusal != EV_KRB_REFUSAL_TCP_RESET) {
		cli_json_kv_uint(j, "icmp_type", k->refusal_icmp_type);
		cli_json_kv_uint(j, "icmp_code", k->refusal_icmp_code);
	}
	if (k->refusal_from[0])
		cli_json_kv_string(j, "from", k->refusal_from);
	if (k->refusal_frame)
		cli_json_kv_uint(j, "frame", k->refusal_frame);
	cli_json_end_object(j);
}

static void
json_kerberos(struct cli_json *j, const struct ev_kerberos *k)
{
	const char *name;
	char buf[16];

	cli_json_begin_object(j);
	json_time(j, "at", k->at);
	if (k->client[0])
		cli_json_kv_string(j, "client", k->client);
	if (k->kdc[0])
		cli_json_kv_string(j, "kdc", k->kdc);
	cli_json_kv_string(j, "message", ev_krb_message_name(k->message));
	if (k->cname[0])
		cli_json_kv_string(j, "cname", k->cname);
	if (k->realm[0])
		cli_json_kv_string(j, "realm", k->realm);
	if (k->sname[0])
		cli_json_kv_string(j, "sname", k->sname);
	if (k->has_error) {
		cli_json_kv_int(j, "error", k->error);
		name = krb_error_name(k->error);
		if (name)
			cli_json_kv_string(j, "error_name", name);
	}
	if (k->has_ext_status) {
		snprintf(buf, sizeof(buf), "0x%08X", k->ext_status);
		cli_json_kv_string(j, "ext_status", buf);
		name = sd_ntstatus_name(k->ext_status);
		if (name)
			cli_json_kv_string(j, "ext_status_name", name);
	}
	if (k->e_text[0])
		cli_json_kv_string(j, "e_text", k->e_text);
	if (k->has_kvno)
		cli_json_kv_uint(j, "kvno", k->kvno);
	json_kerberos_step(j, k);
	json_kerberos_refusal(j, k);
	if (k->frame)
		cli_json_kv_uint(j, "frame", k->frame);
	if (k->connection >= 0)
		cli_json_kv_int(j, "connection", k->connection);
	cli_json_end_object(j);
}

static void
json_finding(struct cli_json *j, const struct ev_finding *f)
{
	unsigned i;

	cli_json_begin_object(j);
	render_finding_json_fields(j, f->def, false);
	if (f->connection >= 0)
		cli_json_kv_int(j, "connection", f->connection);
	cli_json_key(j, "evidence");
	cli_json_begin_array(j);
	for (i = 0; i < f->n_evidence && i < EV_MAX_EVIDENCE; i++)
		cli_json_string(j, f->evidence[i]);
	cli_json_end_array(j);
	cli_json_end_object(j);
}

/* Who answered the experiment's NEGOTIATE (compared with the
 * connection's own server by negotiate.different_servers). */
static void
json_server_identity(struct cli_json *j, const struct ev_server_identity *id)
{
	char buf[48];

	cli_json_key(j, "server");
	cli_json_begin_object(j);
	report_dialect(id->dialect, buf, sizeof(buf));
	cli_json_kv_string(j, "dialect", buf);
	report_guid(id->guid, buf, sizeof(buf));
	cli_json_kv_string(j, "server_guid", buf);
	json_flags(j, "security_mode", smb2_security_mode_names, id->security_mode);
	json_flags(j, "capabilities", smb2_capability_names, id->capabilities);
	cli_json_end_object(j);
}

static void
json_experiment(struct cli_json *j, const struct ev_experiment *e)
{
	char buf[16];
	unsigned i;

	cli_json_begin_object(j);
	cli_json_kv_string(j, "kind", ev_experiment_name(e->kind));
	if (e->connection >= 0)
		cli_json_kv_int(j, "connection", e->connection);
	cli_json_kv_bool(j, "ok", e->ok);
	if (e->kind == EV_EXP_DIALECT_ALONE && e->dialect) {
		report_dialect(e->dialect, buf, sizeof(buf));
		cli_json_kv_string(j, "dialect", buf);
	}
	if (e->address[0])
		cli_json_kv_string(j, "address", e->address);
	if (e->server.known)
		json_server_identity(j, &e->server);
	if (e->kind == EV_EXP_OTHER_ADDRESS)
		cli_json_kv_bool(j, "full_walk", e->full_walk);
	cli_json_kv_string(j, "step", sd_step_name(e->step));
	cli_json_kv_string(j, "outcome", ev_outcome_name(e->outcome));
	if (e->outcome == EV_ANSWERED) {
		snprintf(buf, sizeof(buf), "0x%08X", e->status);
		cli_json_kv_string(j, "status", buf);
		if (sd_ntstatus_name(e->status))
			cli_json_kv_string(j, "status_name", sd_ntstatus_name(e->status));
	}
	if (e->detail[0])
		cli_json_kv_string(j, "detail", e->detail);
	if (e->kind == EV_EXP_SHARE_LIST && e->ok) {
		cli_json_key(j, "shares");
		cli_json_begin_array(j);
		for (i = 0; i < e->n_shares && i < EV_MAX_SHARES; i++)
			cli_json_string(j, e->shares[i]);
		cli_json_end_array(j);
	}
	cli_json_end_object(j);
}

static const char *
mode_name(enum ev_mode mode)
{
	switch (mode) {
	case EV_MODE_ANALYZE:
		return "analyze";
	case EV_MODE_SERVE:
		return "serve";
	case EV_MODE_PROBE:
		break;
	}
	return "probe";
}

static void
json_head(struct cli_json *j, const struct ev_timeline *t)
{
	cli_json_kv_string(j, "tool", "smbdiag");
	cli_json_kv_string(j, "version", SMBDIAG_VERSION);
	cli_json_kv_string(j, "mode", mode_name(t->mode));
}

/* The records of one connection (-1: of none), or with all set every
 * record the options let through, as the arrays "kerberos",
 * "experiments" and "findings". */
static bool
record_wanted(const struct ev_timeline *t, const struct render_opts *o, int record_connection, int connection, bool all)
{
	return all ? report_want_connection(o, record_connection) : report_belongs(t, record_connection, connection);
}

static void
json_records(struct cli_json *j, const struct ev_timeline *t, const struct render_opts *o, int connection, bool all)
{
	size_t i;

	cli_json_key(j, "kerberos");
	cli_json_begin_array(j);
	for (i = 0; i < t->n_krb; i++)
		if (record_wanted(t, o, t->krb[i].connection, connection, all))
			json_kerberos(j, &t->krb[i]);
	cli_json_end_array(j);
	if (t->n_exps) {
		cli_json_key(j, "experiments");
		cli_json_begin_array(j);
		for (i = 0; i < t->n_exps; i++)
			if (record_wanted(t, o, t->exps[i].connection, connection, all))
				json_experiment(j, &t->exps[i]);
		cli_json_end_array(j);
	}
	cli_json_key(j, "findings");
	cli_json_begin_array(j);
	for (i = 0; i < t->n_findings; i++)
		if (record_wanted(t, o, t->findings[i].connection, connection, all))
			json_finding(j, &t->findings[i]);
	cli_json_end_array(j);
}

int
render_report_json(FILE *out, const struct ev_timeline *t, const struct render_opts *o)
{
	struct cli_json j;
	size_t i;

	cli_json_init(&j, out, true);
	cli_json_begin_object(&j);
	json_head(&j, t);
	cli_json_key(&j, "connections");
	cli_json_begin_array(&j);
	for (i = 0; i < t->n_conns; i++)
		if (report_want_connection(o, (int)i))
			json_connection(&j, &t->conns[i]);
	cli_json_end_array(&j);
	json_records(&j, t, o, -1, true);
	if (t->dropped)
		cli_json_kv_uint(&j, "dropped", t->dropped);
	cli_json_end_object(&j);
	return cli_json_finish(&j);
}

static bool
has_unattached(const struct ev_timeline *t)
{
	size_t i;

	for (i = 0; i < t->n_krb; i++)
		if (report_unattached(t, t->krb[i].connection))
			return true;
	for (i = 0; i < t->n_findings; i++)
		if (report_unattached(t, t->findings[i].connection))
			return true;
	for (i = 0; i < t->n_exps; i++)
		if (report_unattached(t, t->exps[i].connection))
			return true;
	return false;
}

int
render_report_jsonl(FILE *out, const struct ev_timeline *t, const struct render_opts *o)
{
	struct cli_json j;
	size_t i;
	int rc = 0;

	for (i = 0; i < t->n_conns; i++) {
		if (!report_want_connection(o, (int)i))
			continue;
		cli_json_init(&j, out, false);
		cli_json_begin_object(&j);
		json_head(&j, t);
		cli_json_key(&j, "connection");
		json_connection(&j, &t->conns[i]);
		json_records(&j, t, o, (int)i, false);
		cli_json_end_object(&j);
		rc |= cli_json_finish(&j);
	}
	/* Kerberos traffic and findings tied to no connection: one more line. */
	if ((!o || o->only_connection < 0) && has_unattached(t)) {
		cli_json_init(&j, out, false);
		cli_json_begin_object(&j);
		json_head(&j, t);
		json_records(&j, t, o, -1, false);
		cli_json_end_object(&j);
		rc |= cli_json_finish(&j);
	}
	return rc;
}
