#include "diag/evidence.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ev_timeline_init(struct ev_timeline *t, enum ev_mode mode)
{
	memset(t, 0, sizeof(*t));
	t->mode = mode;
}

void
ev_timeline_cleanup(struct ev_timeline *t)
{
	free(t->conns);
	free(t->krb);
	free(t->exps);
	free(t->findings);
	memset(t, 0, sizeof(*t));
}

void
ev_copy(char *dst, size_t cap, const char *src)
{
	size_t n;

	if (cap == 0)
		return;
	n = src ? strnlen(src, cap - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void
ev_escape_bytes(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	if (cap == 0)
		return;
	for (i = 0; i < n; i++) {
		const char *esc = p[i] == '\r' ? "\\r" : p[i] == '\n' ? "\\n" : p[i] == '\t' ? "\\t"
				: p[i] == '\\' ? "\\\\" : NULL;
		char one[5];

		if (esc)
			snprintf(one, sizeof(one), "%s", esc);
		else if (p[i] >= 0x20 && p[i] < 0x7F)
			snprintf(one, sizeof(one), "%c", p[i]);
		else
			snprintf(one, sizeof(one), "\\x%02X", p[i]);
		if (o + strlen(one) >= cap)
			break;
		memcpy(out + o, one, strlen(one));
		o += strlen(one);
	}
	out[o] = '\0';
}

/* Grows an array of `size`-byte records to hold one more, doubling up to
 * `max`. Returns the new record (zeroed) or NULL. */
static void *
grow(void **items, size_t *n, size_t *cap, size_t size, size_t max, size_t *dropped)
{
	uint8_t *rec;

	if (*n >= max) {
		(*dropped)++;
		return NULL;
	}
	if (*n == *cap) {
		size_t want = *cap ? *cap * 2 : 8;
		void *bigger;

		if (want > max)
			want = max;
		bigger = realloc(*items, want * size);
		if (bigger == NULL) {
			(*dropped)++;
			return NULL;
		}
		*items = bigger;
		*cap = want;
	}
	rec = (uint8_t *)*items + *n * size;
	memset(rec, 0, size);
	(*n)++;
	return rec;
}

static void
step_init(struct ev_step *s, enum sd_step step)
{
	memset(s, 0, sizeof(*s));
	s->step = step;
	s->request_at = s->response_at = s->ack_at = -1.0;
}

struct ev_connection *
ev_add_connection(struct ev_timeline *t)
{
	struct ev_connection *c = grow((void **)&t->conns, &t->n_conns, &t->cap_conns, sizeof(*c),
				       EV_MAX_CONNECTIONS, &t->dropped);

	if (c) {
		c->id = (unsigned)(t->n_conns - 1);
		c->closed_at = -1.0;
	}
	return c;
}

struct ev_kerberos *
ev_add_kerberos(struct ev_timeline *t)
{
	struct ev_kerberos *k = grow((void **)&t->krb, &t->n_krb, &t->cap_krb, sizeof(*k), EV_MAX_KERBEROS,
				     &t->dropped);

	if (k) {
		k->at = -1.0;
		k->connection = -1;
	}
	return k;
}

struct ev_experiment *
ev_add_experiment(struct ev_timeline *t, enum ev_experiment_kind kind, int connection)
{
	struct ev_experiment *e = grow((void **)&t->exps, &t->n_exps, &t->cap_exps, sizeof(*e),
				       EV_MAX_EXPERIMENTS, &t->dropped);

	if (e) {
		e->kind = kind;
		e->connection = connection;
	}
	return e;
}

struct ev_step *
ev_add_step(struct ev_connection *c, enum sd_step step)
{
	struct ev_step *s;

	if (c->n_steps >= EV_MAX_STEPS)
		return NULL;
	s = &c->steps[c->n_steps++];
	step_init(s, step);
	return s;
}

const struct ev_step *
ev_last_step_const(const struct ev_connection *c, enum sd_step step)
{
	unsigned i = c->n_steps;

	while (i-- > 0)
		if (c->steps[i].step == step)
			return &c->steps[i];
	return NULL;
}

struct ev_step *
ev_last_step(struct ev_connection *c, enum sd_step step)
{
	return (struct ev_step *)ev_last_step_const(c, step);
}

struct ev_finding *
ev_add_finding(struct ev_timeline *t, const char *id, int connection)
{
	const struct sd_finding_def *def = sd_finding_find(id);
	struct ev_finding *f;

	if (def == NULL)
		return NULL;
	f = grow((void **)&t->findings, &t->n_findings, &t->cap_findings, sizeof(*f), EV_MAX_FINDINGS,
		 &t->dropped);
	if (f) {
		f->def = def;
		f->connection = connection;
		f->step = def->step;
		f->translate = t->translate;
	}
	return f;
}

void
ev_utf8_trim_cut(char *text)
{
	size_t n = strlen(text), lead = n, need;

	/* Back to the last lead byte (at most 3 continuation bytes). */
	while (lead > 0 && n - lead < 4 && ((unsigned char)text[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0 || ((unsigned char)text[lead - 1] & 0x80) == 0)
		return;
	lead--;
	need = ((unsigned char)text[lead] & 0xE0) == 0xC0 ? 2 : ((unsigned char)text[lead] & 0xF0) == 0xE0 ? 3
	       : ((unsigned char)text[lead] & 0xF8) == 0xF0 ? 4 : 1;
	if (n - lead < need)
		text[lead] = '\0';
}

const char *
ev_tr(const struct ev_timeline *t, const char *english)
{
	return t && t->translate && english ? t->translate(english) : english;
}

const char *
ev_finding_tr(const struct ev_finding *f, const char *english)
{
	return f && f->translate && english ? f->translate(english) : english;
}

/* Two rules may reach the same fact (e.g. the ticket's kvno): say it once. */
static void
keep_new_line(struct ev_finding *f)
{
	uint8_t i;

	for (i = 0; i < f->n_evidence; i++)
		if (strcmp(f->evidence[i], f->evidence[f->n_evidence]) == 0)
			return;
	f->n_evidence++;
}

void
ev_finding_evidence(struct ev_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (f == NULL || f->n_evidence >= EV_MAX_EVIDENCE)
		return;
	va_start(ap, fmt);
	/* ev_finding_tr inline: compilers then check the call as one on fmt. */
	if (vsnprintf(f->evidence[f->n_evidence], sizeof(f->evidence[0]), ev_finding_tr(f, fmt), ap) >=
	    (int)sizeof(f->evidence[0]))
		ev_utf8_trim_cut(f->evidence[f->n_evidence]);
	va_end(ap);
	keep_new_line(f);
}

void
ev_finding_line(struct ev_finding *f, const char *text)
{
	if (f == NULL || f->n_evidence >= EV_MAX_EVIDENCE || text == NULL)
		return;
	ev_copy(f->evidence[f->n_evidence], sizeof(f->evidence[0]), text);
	if (strlen(text) >= sizeof(f->evidence[0]))
		ev_utf8_trim_cut(f->evidence[f->n_evidence]);
	keep_new_line(f);
}

bool
ev_has_error(const struct ev_timeline *t)
{
	size_t i;

	for (i = 0; i < t->n_findings; i++)
		if (t->findings[i].def->severity == SD_SEV_ERROR)
			return true;
	return false;
}

const char *
ev_outcome_name(enum ev_outcome o)
{
	static const char *const names[] = {
		"not_sent", "answered", "no_response", "closed", "reset", "refused", "timeout",
		"nbss_rejected", "protocol_error", "local_error", "in_progress",
	};

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "unknown";
}

const char *
ev_keytab_result_name(enum ev_keytab_result r)
{
	static const char *const names[] = {NULL, "ok", "no_key", "wrong_key", "undecodable", "failed"};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : NULL;
}

const char *
ev_problem_name(enum ev_problem p)
{
	static const char *const names[] = {
		"none", "undecodable", "bad_signature", "unsigned", "decrypt", "validate_mismatch",
		"cannot_encrypt", "negotiate_rules", "local", "auth_refused", "unresolved",
	};

	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "unknown";
}

const char *
ev_mechanism_name(enum ev_mechanism m)
{
	switch (m) {
	case EV_MECH_NTLMSSP: return "ntlmssp";
	case EV_MECH_KERBEROS: return "kerberos";
	case EV_MECH_ANONYMOUS: return "anonymous";
	case EV_MECH_GUEST: return "guest";
	default: return "unknown";
	}
}

const char *
ev_ntlm_version_name(enum ev_ntlm_version v)
{
	switch (v) {
	case EV_NTLM_V2: return "v2";
	case EV_NTLM_V1: return "v1";
	case EV_NTLM_LM: return "lm";
	case EV_NTLM_ANONYMOUS: return "anonymous";
	default: return "unknown";
	}
}

const char *
ev_krb_message_name(enum ev_krb_message m)
{
	switch (m) {
	case EV_KRB_AS_REQ: return "AS-REQ";
	case EV_KRB_AS_REP: return "AS-REP";
	case EV_KRB_TGS_REQ: return "TGS-REQ";
	case EV_KRB_TGS_REP: return "TGS-REP";
	case EV_KRB_AP_REQ: return "AP-REQ";
	case EV_KRB_AP_REP: return "AP-REP";
	case EV_KRB_ERROR: return "KRB-ERROR";
	case EV_KRB_NO_MESSAGE: return "none";
	default: return "KRB-?";
	}
}

const char *
ev_krb_step_name(enum ev_krb_step s)
{
	switch (s) {
	case EV_KRB_STEP_TGT: return "tgt";
	case EV_KRB_STEP_SERVICE_TICKET: return "service_ticket";
	case EV_KRB_STEP_AP_REQ: return "ap_req";
	case EV_KRB_STEP_SERVER_ANSWER: return "server_answer";
	case EV_KRB_STEP_MUTUAL: return "mutual_auth";
	default: return NULL;
	}
}

const char *
ev_experiment_name(enum ev_experiment_kind k)
{
	switch (k) {
	case EV_EXP_DIALECT_ALONE: return "dialect_alone";
	case EV_EXP_ENCRYPTED_RETRY: return "encrypted_retry";
	case EV_EXP_SHARE_LIST: return "share_list";
	case EV_EXP_NTLM_INSTEAD: return "ntlm_instead";
	case EV_EXP_SMB1_ONLY: return "smb1_only";
	case EV_EXP_GUEST: return "guest";
	case EV_EXP_NBSS_SMBSERVER: return "nbss_smbserver";
	case EV_EXP_KDC_CHECK: return "kdc_check";
	case EV_EXP_OTHER_ADDRESS: return "other_address";
	case EV_EXP_OWN_NAME: return "own_name";
	default: return "unknown";
	}
}

const char *
ev_krb_refusal_name(enum ev_krb_refusal r)
{
	switch (r) {
	case EV_KRB_REFUSAL_ICMP: return "icmp";
	case EV_KRB_REFUSAL_ICMPV6: return "icmpv6";
	case EV_KRB_REFUSAL_TCP_RESET: return "tcp_reset";
	default: return NULL;
	}
}

/* ICMPv4 destination unreachable codes: RFC 792 (0-5), RFC 1122 (6-12),
 * RFC 1812 (13-15). */
static const char *
icmp4_reason(uint8_t code)
{
	switch (code) {
	case 0: case 6: case 11: return "net_unreachable";
	case 1: case 7: case 8: case 12: return "host_unreachable";
	case 2: return "protocol_unreachable";
	case 3: return "port_unreachable";
	case 4: return "fragmentation_needed";
	case 9: case 10: case 13: return "admin_prohibited";
	default: return "unreachable";   /* 5 source route failed, 14-15 precedence */
	}
}

/* ICMPv6 destination unreachable codes (RFC 4443 3.1): 5 (ingress/egress
 * policy) and 6 (reject route) are a filter's doing too. */
static const char *
icmp6_reason(uint8_t code)
{
	switch (code) {
	case 0: case 2: return "net_unreachable";
	case 1: case 5: case 6: return "admin_prohibited";
	case 3: return "host_unreachable";
	case 4: return "port_unreachable";
	default: return "unreachable";
	}
}

const char *
ev_krb_refusal_reason(const struct ev_kerberos *k)
{
	switch (k->refusal) {
	case EV_KRB_REFUSAL_ICMP: return icmp4_reason(k->refusal_icmp_code);
	case EV_KRB_REFUSAL_ICMPV6: return icmp6_reason(k->refusal_icmp_code);
	case EV_KRB_REFUSAL_TCP_RESET: return "connection_refused";
	default: return NULL;
	}
}
