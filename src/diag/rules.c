/* The rule dispatcher and the helpers the rule families share. The
 * families (rules_transport.c, rules_negotiate.c, rules_session.c,
 * rules_kerberos.c, rules_tree.c) each decide the findings of one step. */
#include "diag/rules.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/rules_internal.h"

static bool
same_id(const struct ev_finding *f, const char *id)
{
	return strcmp(f->def->id, id) == 0;
}

static bool
is_error(const struct ev_finding *f, const char *unused)
{
	(void)unused;
	return f->def->severity == SD_SEV_ERROR;
}

/* A finding of the connection that matches. The rules run connection by
 * connection, so the findings this run added for the current connection
 * are the tail of the array: look there, and through the whole array only
 * when an earlier run left findings. */
static struct ev_finding *
find_finding(const struct rule_run *r, int connection, bool (*match)(const struct ev_finding *, const char *),
	     const char *arg, bool *earlier)
{
	struct ev_finding *f = r->t->findings;
	size_t i;

	*earlier = false;
	for (i = r->t->n_findings; i-- > r->first_new && f[i].connection == connection;)
		if (match(&f[i], arg))
			return &f[i];
	for (i = 0; i < r->first_new; i++) {
		if (f[i].connection == connection && match(&f[i], arg)) {
			*earlier = true;
			return &f[i];
		}
	}
	return NULL;
}

bool
rule_has_error(const struct rule_run *r, int connection)
{
	bool earlier;

	return find_finding(r, connection, is_error, NULL, &earlier) != NULL;
}

struct ev_finding *
rule_finding(struct rule_run *r, const char *id, int connection)
{
	bool earlier;
	struct ev_finding *f = find_finding(r, connection, same_id, id, &earlier);

	if (f)
		return earlier ? NULL : f;
	return ev_add_finding(r->t, id, connection);
}

void
rule_fmt(const struct ev_timeline *t, char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (cap == 0)
		return;
	va_start(ap, fmt);
	/* ev_tr inline: compilers then check the call as one on fmt. */
	if (vsnprintf(buf, cap, ev_tr(t, fmt), ap) >= (int)cap)
		ev_utf8_trim_cut(buf);
	va_end(ap);
}

void
rule_line(struct ev_finding *f, const char *fmt, ...)
{
	char line[EV_LONG_TEXT];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(line, sizeof(line), fmt, ap) >= (int)sizeof(line))
		ev_utf8_trim_cut(line);
	va_end(ap);
	ev_finding_line(f, line);
}

void
rule_frames(const struct ev_timeline *t, const struct ev_step *s, char *buf, size_t cap)
{
	uint32_t frame = s->frame_response ? s->frame_response : s->frame_request;

	if (frame)
		rule_fmt(t, buf, cap, "frame %u: ", frame);
	else if (cap)
		buf[0] = '\0';
}

/* For a request that got no answer: the frame that matters is the
 * request's, not the close that ended the wait. */
void
rule_request_frame(const struct ev_timeline *t, const struct ev_step *s, char *buf, size_t cap)
{
	if (s->frame_request)
		rule_fmt(t, buf, cap, "frame %u: ", s->frame_request);
	else
		rule_frames(t, s, buf, cap);
}

void
rule_status(uint32_t status, char *buf, size_t cap)
{
	sd_ntstatus_text(status, buf, cap);
}

void
rule_duration(double seconds, char *buf, size_t cap)
{
	if (seconds < 0.000095)
		snprintf(buf, cap, "%.3f ms", seconds * 1000.0);  /* loopback: microseconds matter */
	else if (seconds < 1.0)
		snprintf(buf, cap, "%.1f ms", seconds * 1000.0);
	else
		snprintf(buf, cap, "%.1f s", seconds);
}

void
rule_dialect(uint16_t dialect, char *buf, size_t cap)
{
	const char *name = smb2_dialect_name(dialect);

	if (name)
		snprintf(buf, cap, "%s", name);
	else
		snprintf(buf, cap, "0x%04X", dialect);
}

void
rule_client_dialects(const struct ev_negotiate *n, char *buf, size_t cap)
{
	char one[16];
	size_t used = 0, i;

	if (cap == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < n->n_client_dialects && i < EV_MAX_IDS; i++) {
		int w;

		rule_dialect(n->client_dialects[i], one, sizeof(one));
		w = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", one);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
}

double
rule_wait(const struct ev_connection *c, const struct ev_step *s)
{
	double end = s->response_at >= 0 ? s->response_at : c->closed_at;

	if (s->request_at < 0 || end < 0 || end < s->request_at)
		return -1.0;
	return end - s->request_at;
}

static const char *
ending_text(const struct ev_timeline *t, const struct ev_connection *c, const struct ev_step *s)
{
	switch (s->outcome) {
	case EV_RESET:
		return ev_tr(t, ", then reset by the server");
	case EV_CLOSED:
		return ev_tr(t, ", then closed by the server");
	default:
		break;
	}
	if (c->reset_by_server)
		return ev_tr(t, ", then reset by the server");
	if (c->closed_by_server)
		return ev_tr(t, ", then closed by the server");
	if (c->reset_by_client)
		return ev_tr(t, ", then the client gave up and reset the connection");
	if (c->closed_by_client)
		return ev_tr(t, ", then the client gave up and closed the connection");
	if (c->closed_at >= 0)
		return ev_tr(t, ", then the connection ended");
	return "";
}

void
rule_silence(const struct ev_timeline *t, const struct ev_connection *c, const struct ev_step *s, char *buf,
	     size_t cap)
{
	char ack[32] = "", wait[32] = "";
	double w = rule_wait(c, s);
	size_t used;

	if (cap == 0)
		return;
	buf[0] = '\0';
	if (s->ack_at >= 0 && s->request_at >= 0 && s->ack_at >= s->request_at) {
		rule_duration(s->ack_at - s->request_at, ack, sizeof(ack));
		rule_fmt(t, buf, cap, "ACK after %s, ", ack);
	}
	used = strlen(buf);
	if (w >= 0)
		rule_duration(w, wait, sizeof(wait));
	if (s->outcome == EV_CLOSED || s->outcome == EV_RESET) {
		bool reset = s->outcome == EV_RESET;

		if (w >= 0 && reset)
			rule_fmt(t, buf + used, cap - used, "reset by the server %s after the request, no answer", wait);
		else if (w >= 0)
			rule_fmt(t, buf + used, cap - used, "closed by the server %s after the request, no answer", wait);
		else if (reset)
			rule_fmt(t, buf + used, cap - used, "reset by the server without an answer");
		else
			rule_fmt(t, buf + used, cap - used, "closed by the server without an answer");
		return;
	}
	if (w >= 0)
		rule_fmt(t, buf + used, cap - used, "no answer for %s%s", wait, ending_text(t, c, s));
	else
		rule_fmt(t, buf + used, cap - used, "no answer%s", ending_text(t, c, s));
}

bool
rule_is_anonymous(const struct ev_session *s)
{
	return s->mechanism == EV_MECH_ANONYMOUS || s->ntlm_version == EV_NTLM_ANONYMOUS ||
	       (s->has_flags && (s->session_flags & SMB2_SESSION_FLAG_IS_NULL));
}

bool
rule_is_guest(const struct ev_session *s)
{
	return s->mechanism == EV_MECH_GUEST || (s->has_flags && (s->session_flags & SMB2_SESSION_FLAG_IS_GUEST));
}

bool
rule_client_cannot_encrypt(const struct ev_timeline *t, const struct ev_connection *c, char *why, size_t cap)
{
	const struct ev_negotiate *n = &c->negotiate;
	char d[16];

	rule_dialect(n->dialect, d, sizeof(d));
	if (n->dialect == SD_DIALECT_SMB1 || (n->dialect != 0 && n->dialect < SMB2_DIALECT_300)) {
		if (why)
			rule_fmt(t, why, cap, "dialect %s has no encryption (SMB 3.0 or later is needed)", d);
		return true;
	}
	if (n->seen_request && !(n->client_capabilities & SMB2_GLOBAL_CAP_ENCRYPTION)) {
		if (why)
			rule_fmt(t, why, cap,
				 "the client's NEGOTIATE did not offer the encryption capability (capabilities 0x%08X)",
				 n->client_capabilities);
		return true;
	}
	if (n->dialect == SMB2_DIALECT_311 && n->has_cipher && n->cipher == 0) {
		if (why)
			rule_fmt(t, why, cap, "dialect 3.1.1 without a common cipher (the server chose cipher 0)");
		return true;
	}
	return false;
}

const struct ev_experiment *
rule_experiment(const struct ev_timeline *t, enum ev_experiment_kind kind, int connection)
{
	size_t i;

	for (i = 0; i < t->n_exps; i++)
		if (t->exps[i].kind == kind && t->exps[i].connection == connection)
			return &t->exps[i];
	return NULL;
}

bool
rule_encrypted_retry_ok(const struct ev_timeline *t, int connection)
{
	const struct ev_experiment *e = rule_experiment(t, EV_EXP_ENCRYPTED_RETRY, connection);

	return e && e->ok;
}

void
rule_host_of(const char *name, char *buf, size_t cap)
{
	const char *p = name, *end;
	size_t colons = 0, n;

	if (cap == 0)
		return;
	if (*p == '\\' || *p == '/') {
		while (*p == '\\' || *p == '/')
			p++;
	} else if (strchr(p, '/')) {
		p = strchr(p, '/') + 1;  /* "cifs/host": the service class goes */
	}
	if (*p == '[') {
		end = strchr(p, ']');
		end = end ? end + 1 : p + strlen(p);
	} else {
		end = p + strcspn(p, "\\/@");
		for (n = 0; p + n < end; n++)
			colons += p[n] == ':';
		if (colons == 1)
			end = strchr(p, ':');  /* host:port; an IPv6 literal keeps its colons */
	}
	n = (size_t)(end - p);
	if (n > 0 && p[n - 1] == '.')
		n--;  /* "fs1.contoso.com." is fs1.contoso.com */
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

static bool
is_address(const char *h)
{
	if (*h == '[' || strchr(h, ':'))
		return true;
	return *h && strspn(h, "0123456789.") == strlen(h);
}

bool
rule_same_host(const char *a, const char *b)
{
	size_t la, lb;

	if (!*a || !*b)
		return false;
	if (strcasecmp(a, b) == 0)
		return true;
	if (is_address(a) || is_address(b))
		return false;
	/* A NetBIOS name matches the first label of a DNS name. */
	la = strcspn(a, ".");
	lb = strcspn(b, ".");
	if (a[la] == '\0' && b[lb] == '.')
		return la == lb && strncasecmp(a, b, la) == 0;
	if (b[lb] == '\0' && a[la] == '.')
		return la == lb && strncasecmp(a, b, la) == 0;
	return false;
}

/* Something went wrong after NEGOTIATE: a refusal by ACCESS_DENIED or a
 * connection that ended without an answer. */
static bool
failed_after_negotiate(const struct ev_connection *c)
{
	unsigned i;

	for (i = 0; i < c->n_steps; i++) {
		const struct ev_step *s = &c->steps[i];

		if (s->step != SD_STEP_SESSION_SETUP && s->step != SD_STEP_TREE_CONNECT)
			continue;
		if (s->outcome == EV_ANSWERED && s->status == RULE_ST_ACCESS_DENIED)
			return true;
		if (s->outcome == EV_CLOSED || s->outcome == EV_RESET || s->outcome == EV_NO_RESPONSE ||
		    s->outcome == EV_PROTOCOL_ERROR)
			return true;
	}
	return false;
}

bool
rule_client_left_after_session(const struct ev_connection *c)
{
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_SESSION_SETUP);

	return s != NULL && s->outcome == EV_ANSWERED && s->status == RULE_ST_SUCCESS &&
	       ev_last_step_const(c, SD_STEP_TREE_CONNECT) == NULL && (c->closed_by_client || c->reset_by_client);
}

bool
rule_signing_broken(const struct ev_connection *c)
{
	const struct ev_negotiate *n = &c->negotiate;
	unsigned i;

	if (c->session.unsigned_when_required)
		return true;
	/* A server that broke the NTLM flag contract, and a client that left
	 * right after the session was set up: it could not verify a signature. */
	if (ntlm_trail_sign_dropped(&c->session.ntlm) && rule_client_left_after_session(c))
		return true;
	for (i = 0; i < c->n_steps; i++)
		if (c->steps[i].problem == EV_PROBLEM_BAD_SIGNATURE || c->steps[i].problem == EV_PROBLEM_UNSIGNED)
			return true;
	if (rule_is_guest(&c->session) || rule_is_anonymous(&c->session))
		return false;
	return n->seen_request && n->seen_response && (n->server_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED) &&
	       !(n->client_security_mode & (SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED)) &&
	       failed_after_negotiate(c);
}

const char *
rule_verdict(const struct ev_connection *c, const struct ev_step *s)
{
	const struct ev_verdict *v = &c->verdict;

	if (!v->finding[0] || v->step != s->step)
		return NULL;
	if (s->outcome == EV_ANSWERED ? v->status != s->status : v->status != 0)
		return NULL;
	return v->finding;
}

bool
rule_take_verdict(struct rule_run *r, struct ev_connection *c, const struct ev_step *s,
		  void (*step_line)(const struct ev_timeline *, struct ev_finding *, const struct ev_connection *,
				    const struct ev_step *))
{
	const char *id = rule_verdict(c, s);
	struct ev_finding *f;

	if (id == NULL)
		return false;
	if (strcmp(id, "session.signing_mismatch") == 0)
		return true;
	f = rule_finding(r, id, (int)c->id);
	step_line(r->t, f, c, s);
	if (c->verdict.why[0])
		ev_finding_evidence(f, "the server's reason: %s", c->verdict.why);
	return true;
}

/* A KRB_AP_ERR_* of the acceptor that is not about its key (a replayed
 * authenticator, an expired ticket ...): that error explains the refusal. */
bool
rule_other_acceptor_error(const struct ev_timeline *t, const struct ev_connection *c)
{
	size_t i;

	for (i = 0; i < t->n_krb; i++) {
		const struct ev_kerberos *k = &t->krb[i];

		if (k->connection != (int)c->id || k->message != EV_KRB_ERROR || !k->has_error ||
		    k->error < RULE_KRB_AP_BAD_INTEGRITY || k->error > RULE_KRB_AP_LAST)
			continue;
		if (k->error != RULE_KRB_AP_BAD_INTEGRITY && k->error != RULE_KRB_AP_MODIFIED &&
		    k->error != RULE_KRB_AP_BADKEYVER && k->error != RULE_KRB_AP_NOT_US && k->error != RULE_KRB_AP_NOKEY)
			return true;
	}
	return false;
}

bool
rule_ticket_rejected_by_server(const struct ev_timeline *t, const struct ev_connection *c)
{
	const struct ev_step *s = ev_last_step_const(c, SD_STEP_SESSION_SETUP);

	/* Kerberos as the session's mechanism means an AP-REQ went to the
	 * server, so the KDC had issued the ticket. */
	return s && c->session.mechanism == EV_MECH_KERBEROS && s->outcome == EV_ANSWERED &&
	       s->status == RULE_ST_LOGON_FAILURE && !rule_other_acceptor_error(t, c);
}

/* Findings of this run, grouped by connection (the order the rules ran
 * in; unattached ones last), are put in step order inside each group. */
static void
order_new_findings(struct rule_run *r)
{
	struct ev_finding *f = r->t->findings, tmp;
	size_t i, j;

	for (i = r->first_new + 1; i < r->t->n_findings; i++) {
		for (j = i; j > r->first_new && f[j - 1].connection == f[j].connection && f[j - 1].step > f[j].step;
		     j--) {
			tmp = f[j - 1];
			f[j - 1] = f[j];
			f[j] = tmp;
		}
	}
}

/* Kerberos records are indexed by connection once per run, so that each
 * connection finds its own without scanning them all. */
static size_t
krb_key(const struct ev_timeline *t, const struct ev_kerberos *k)
{
	return k->connection >= 0 && (size_t)k->connection < t->n_conns ? (size_t)k->connection : t->n_conns;
}

static int
krb_cmp(const void *pa, const void *pb)
{
	const struct rule_krb_ref *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static struct rule_krb_ref *
index_kerberos(const struct ev_timeline *t)
{
	struct rule_krb_ref *order;
	size_t i;

	if (t->n_krb == 0 || t->n_krb > SIZE_MAX / sizeof(*order))
		return NULL;
	order = malloc(t->n_krb * sizeof(*order));
	if (!order)
		return NULL;
	for (i = 0; i < t->n_krb; i++) {
		order[i].key = krb_key(t, &t->krb[i]);
		order[i].index = i;
	}
	qsort(order, t->n_krb, sizeof(*order), krb_cmp);
	return order;
}

const struct ev_kerberos *
rule_krb_next(const struct rule_run *r, int connection, size_t *it)
{
	const struct ev_timeline *t = r->t;
	size_t want = connection >= 0 && (size_t)connection < t->n_conns ? (size_t)connection : t->n_conns;
	size_t lo = 0, hi = t->n_krb, mid;

	if (!r->krb_order) {
		for (; *it < t->n_krb; (*it)++)
			if (krb_key(t, &t->krb[*it]) == want)
				return &t->krb[(*it)++];
		return NULL;
	}
	if (*it == 0) {
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (r->krb_order[mid].key < want)
				lo = mid + 1;
			else
				hi = mid;
		}
		*it = lo + 1;
	}
	if (*it - 1 >= t->n_krb || r->krb_order[*it - 1].key != want)
		return NULL;
	return &t->krb[r->krb_order[(*it)++ - 1].index];
}

void
rules_run(struct ev_timeline *t)
{
	struct rule_run r = {t, t->n_findings, index_kerberos(t)};
	size_t i;

	for (i = 0; i < t->n_conns; i++) {
		struct ev_connection *c = &t->conns[i];

		rules_transport(&r, c);
		rules_negotiate(&r, c);
		rules_identity(&r, c);
		rules_kerberos(&r, (int)i);
		rules_session(&r, c);
		rules_session_info(&r, c);
		rules_tree(&r, c);
		rules_other(&r, c);
	}
	rules_kerberos(&r, -1);
	order_new_findings(&r);
	free(r.krb_order);
}
