/* Server lifecycle, events, the output queue (with the delay fault), the
 * protection of every answer (MS-SMB2 3.3.4.1.1, 3.3.4.1.4) and the
 * driver interface. The gates every message passes are in server_gates.c;
 * the commands in server_negotiate.c, server_session.c, server_tree.c and
 * server_ioctl.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/server_internal.h"

#define DEFAULT_MAX_TRANSACT 65536u
#define DEFAULT_MAX_SESSIONS 16u
#define DEFAULT_MAX_TREES 16u
#define DEFAULT_IDLE_US (120ull * 1000000ull)
#define IN_CAP_START 4096
#define OUT_CAP_START 8192
#define OUT_CAP_MAX (1024 * 1024)
#define OUT_HIGH_WATER (64 * 1024)

static const struct srv_why why_g2 = {"G2", NULL, "MS-SMB2 3.3.5.2"};

bool
srv_is_3x(uint16_t dialect)
{
	return dialect == SMB2_DIALECT_300 || dialect == SMB2_DIALECT_302 || dialect == SMB2_DIALECT_311;
}

bool
srv_can_encrypt(const struct smb2_server *s)
{
	return srv_is_3x(s->dialect) && s->cipher_id != 0;
}

/* ------------------------------------------------------------------ */
/* Events                                                              */

struct smb2s_event *
srv_event(struct smb2_server *s, enum smb2s_event_kind kind, const struct srv_req *r)
{
	struct smb2s_event *ev;

	if (s->ev_count == SRV_EVENTS) {
		s->ev_dropped++;
		ev = &s->ev_overflow;
	} else {
		ev = &s->events[(s->ev_head + s->ev_count) % SRV_EVENTS];
		s->ev_count++;
	}
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->at_us = r ? r->now : s->last_now;
	ev->command = SMB2S_CMD_NONE;
	if (r) {
		ev->command = r->hdr.command;
		ev->message_id = r->hdr.message_id;
		ev->session_id = r->sess ? r->sess->id : r->hdr.session_id;
		ev->tree_id = r->hdr.tree_id;
		if (r->path)
			snprintf(ev->path, sizeof(ev->path), "%s", r->path);
	}
	return ev;
}

void
srv_event_text(struct smb2s_event *ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	va_end(ap);
}

bool
smb2_server_next_event(struct smb2_server *s, struct smb2s_event *ev)
{
	if (s->ev_count == 0)
		return false;
	*ev = s->events[s->ev_head];
	s->ev_head = (uint8_t)((s->ev_head + 1) % SRV_EVENTS);
	s->ev_count--;
	return true;
}

unsigned
smb2_server_events_dropped(const struct smb2_server *s)
{
	return s->ev_dropped;
}

const char *
smb2s_event_kind_name(enum smb2s_event_kind k)
{
	static const char *const names[SMB2S_EV__COUNT] = {
		"smb1_negotiate", "negotiate_offer", "negotiated", "session_auth", "session_ok", "tree_ok",
		"tree_disconnect", "logoff", "validate_ok", "refused", "dropped", "silent", "timer", "close",
		"reset", "request",
	};

	return (unsigned)k < SMB2S_EV__COUNT ? names[k] : "?";
}

void
srv_set_action(struct smb2_server *s, enum smb2s_action a, const struct srv_req *r)
{
	if (s->action != SMB2S_ACT_CONTINUE || a == SMB2S_ACT_CONTINUE)
		return;
	s->action = a;
	srv_event(s, a == SMB2S_ACT_RESET ? SMB2S_EV_RESET : SMB2S_EV_CLOSE, r);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                           */

enum sd_err
smb2_server_create(const struct sd_ctx *ctx, struct sd_crypto *crypto, const struct smb2s_policy *policy,
		   uint64_t now_us, struct smb2_server **out)
{
	static const uint8_t zero_guid[16];
	struct smb2_server *s;
	const char *why;

	if (ctx == NULL || ctx->random == NULL || ctx->filetime == NULL || crypto == NULL || policy == NULL ||
	    out == NULL || smb2s_policy_check(policy, &why) != SD_OK)
		return SD_ERR_INVALID_ARG;
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return SD_ERR_NOMEM;
	s->ctx = ctx;
	s->crypto = crypto;
	s->pol = policy;
	s->uses = policy->uses ? policy->uses : &s->own_uses;
	s->max_transact = policy->max_transact_size ? policy->max_transact_size : DEFAULT_MAX_TRANSACT;
	/* G2 (MaxTransactSize + 256) plus a transform header. */
	s->max_pdu = (size_t)s->max_transact + 256 + SMB2_TRANSFORM_HEADER_SIZE;
	s->in_cap = IN_CAP_START;
	s->out_cap = OUT_CAP_START;
	s->in = malloc(s->in_cap);
	s->out = malloc(s->out_cap);
	if (s->in == NULL || s->out == NULL) {
		smb2_server_free(s);
		return SD_ERR_NOMEM;
	}
	if (memcmp(policy->server_guid, zero_guid, 16) != 0)
		memcpy(s->server_guid, policy->server_guid, 16);
	else
		ctx->random(ctx->user, s->server_guid, 16);
	ctx->random(ctx->user, s->nonce_salt, sizeof(s->nonce_salt));
	s->start_time = ctx->filetime(ctx->user);
	s->negotiate_dialect = NEGOTIATE_DIALECT_NONE;
	s->win_lo = 0;
	s->win_size = 1;
	s->next_session_id = 0x0000040000000001ull;
	s->silent_end_us = UINT64_MAX;
	s->last_now = now_us;
	s->idle_deadline_us = now_us + (policy->step_timeout_us ? policy->step_timeout_us : DEFAULT_IDLE_US);
	*out = s;
	return SD_OK;
}

void
srv_session_free(struct smb2_server *s, struct srv_session *sess)
{
	size_t i;

	for (i = 0; i < SRV_MAX_SESSIONS_CAP; i++)
		if (s->sessions[i] == sess)
			s->sessions[i] = NULL;
	for (i = 0; i < SRV_MAX_TREES_CAP; i++)
		srv_tree_release(s, &sess->trees[i]);
	srv_krb_end(s, sess);
	srv_frag_free(sess);
	free(sess->ntlm_negotiate);
	free(sess->ntlm_challenge);
	memset(sess, 0, sizeof(*sess));  /* keys */
	free(sess);
}

void
smb2_server_free(struct smb2_server *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < SRV_MAX_SESSIONS_CAP; i++)
		if (s->sessions[i])
			srv_session_free(s, s->sessions[i]);
	free(s->in);
	free(s->out);
	free(s->plain);
	free(s);
}

struct srv_session *
srv_session_find(struct smb2_server *s, uint64_t id)
{
	size_t i;

	if (id == 0)
		return NULL;
	for (i = 0; i < SRV_MAX_SESSIONS_CAP; i++)
		if (s->sessions[i] && s->sessions[i]->id == id)
			return s->sessions[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static bool
out_reserve(struct smb2_server *s, size_t n)
{
	size_t cap = s->out_cap;
	uint8_t *p;
	uint8_t i;

	if (s->out_sent > 0) {
		/* Drop what was sent; held answers move with their bytes. */
		memmove(s->out, s->out + s->out_sent, s->out_len - s->out_sent);
		for (i = 0; i < s->n_held; i++)
			s->held[i].end -= s->out_sent;
		s->out_len -= s->out_sent;
		s->out_sent = 0;
	}
	if (s->out_len + n <= s->out_cap)
		return true;
	while (cap < s->out_len + n)
		cap *= 2;
	if (cap > OUT_CAP_MAX)
		return false;
	p = realloc(s->out, cap);
	if (p == NULL)
		return false;
	s->out = p;
	s->out_cap = cap;
	return true;
}

void
srv_queue_raw(struct smb2_server *s, const uint8_t *p, size_t len)
{
	if (out_reserve(s, len)) {
		memcpy(s->out + s->out_len, p, len);
		s->out_len += len;
	}
}

void
srv_queue_frame(struct smb2_server *s, const uint8_t *p, size_t len)
{
	size_t start;

	if (s->action != SMB2S_ACT_CONTINUE && s->action != SMB2S_ACT_CLOSE)
		return;
	if (!out_reserve(s, len + SRV_FRAME)) {
		srv_set_action(s, SMB2S_ACT_RESET, NULL);
		return;
	}
	start = s->out_len;
	s->out[start] = 0;
	s->out[start + 1] = (uint8_t)(len >> 16);
	s->out[start + 2] = (uint8_t)(len >> 8);
	s->out[start + 3] = (uint8_t)len;
	memcpy(s->out + start + SRV_FRAME, p, len);
	s->out_len += len + SRV_FRAME;
	if (s->pol->fault.delay_us && s->n_held < SRV_HELD_MAX) {
		/* held[i].end marks where releasable bytes stop until its time. */
		s->held[s->n_held].end = start;
		s->held[s->n_held].release_us = s->last_now + s->pol->fault.delay_us;
		s->n_held++;
	}
}

size_t
smb2_server_output(struct smb2_server *s, const uint8_t **p)
{
	size_t end = s->n_held ? s->held[0].end : s->out_len;

	*p = s->out + s->out_sent;
	if (s->action == SMB2S_ACT_RESET)
		return 0;
	return end > s->out_sent ? end - s->out_sent : 0;
}

void
smb2_server_output_done(struct smb2_server *s, size_t n)
{
	if (n > s->out_len - s->out_sent)
		n = s->out_len - s->out_sent;
	s->out_sent += n;
	if (s->out_sent == s->out_len && s->n_held == 0)
		s->out_len = s->out_sent = 0;
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */

void
srv_begin(struct smb2_server *s, const struct srv_req *r, uint32_t status, struct sd_wr *w)
{
	struct smb2_header h;

	memset(&h, 0, sizeof(h));
	h.credit_charge = r->hdr.credit_charge;
	h.status = status;
	h.command = r->hdr.command;
	h.credits = r->grant;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR | (r->hdr.flags & SMB2_FLAGS_PRIORITY_MASK);
	h.message_id = r->hdr.message_id;
	h.process_id = r->hdr.process_id;
	h.tree_id = r->hdr.tree_id;
	h.session_id = r->sess ? r->sess->id : r->hdr.session_id;
	sd_wr_init(w, s->rsp, sizeof(s->rsp));
	smb2_header_encode(&h, w);
}

/* MS-SMB2 3.3.4.1.4: which answers travel encrypted. */
static bool
must_seal(const struct smb2_server *s, const struct srv_req *r)
{
	uint16_t cmd = r->hdr.command;

	if (r->sess == NULL || !r->sess->have_keys || !srv_can_encrypt(s) || cmd == SMB2_NEGOTIATE)
		return false;
	if (r->encrypted)
		return true;
	if (r->sess->encrypt_data && cmd != SMB2_SESSION_SETUP)
		return true;
	return r->tree && r->tree->encrypt && cmd != SMB2_SESSION_SETUP && cmd != SMB2_TREE_CONNECT;
}

static enum sd_err
seal_and_queue(struct smb2_server *s, const struct srv_req *r, size_t len)
{
	uint8_t sealed[SRV_RSP_CAP + SMB2_TRANSFORM_HEADER_SIZE];
	uint8_t nonce[16] = {0};
	enum smb3_cipher cipher = (enum smb3_cipher)s->cipher_id;
	size_t nonce_len = smb3_cipher_nonce_len(cipher), out_len;
	enum sd_err err;

	/* Unique per key: a per-connection salt, then a counter. */
	memcpy(nonce, s->nonce_salt, nonce_len - 8);
	sd_store_u64le(nonce + nonce_len - 8, ++s->nonce_counter);
	err = smb3_transform_seal(s->crypto, cipher, r->sess->keys.s2c, r->sess->keys.cipher_key_len, nonce, nonce_len,
				  r->sess->id, s->rsp, len, sealed, sizeof(sealed), &out_len);
	if (err == SD_OK)
		srv_queue_frame(s, sealed, out_len);
	return err;
}

enum sd_err
srv_finish(struct smb2_server *s, const struct srv_req *r, struct sd_wr *w, bool sign_final)
{
	struct srv_session *sess = r->sess;
	bool sign = false;

	if (!sd_wr_ok(w))
		return w->err;
	if (must_seal(s, r))
		return seal_and_queue(s, r, w->len);
	if (sess && sess->have_keys && !sess->is_guest && !sess->is_anonymous) {
		if (sign_final)
			sign = true;
		else if (r->hdr.command != SMB2_SESSION_SETUP && (r->signed_ok || sess->signing_required))
			sign = true;
	}
	if (sign) {
		enum sd_err err = smb2_sign(s->crypto, s->sign_alg, sess->keys.signing, sizeof(sess->keys.signing),
					    s->rsp, w->len);
		if (err)
			return err;
	}
	srv_queue_frame(s, s->rsp, w->len);
	return SD_OK;
}

struct smb2s_event *
srv_refuse(struct smb2_server *s, const struct srv_req *r, uint32_t status, const struct srv_why *why,
	   const char *fmt, ...)
{
	struct smb2_error_rsp er;
	struct smb2s_event *ev;
	struct sd_wr w;
	va_list ap;

	ev = srv_event(s, SMB2S_EV_REFUSED, r);
	ev->status = status;
	ev->rule = why->rule;
	ev->finding = why->finding;
	ev->spec = why->spec;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	va_end(ap);

	memset(&er, 0, sizeof(er));
	srv_begin(s, r, status, &w);
	smb2_error_rsp_encode(&er, &w);
	if (srv_finish(s, r, &w, false) != SD_OK)
		srv_set_action(s, SMB2S_ACT_RESET, r);
	return ev;
}

void
srv_drop(struct smb2_server *s, const struct srv_req *r, const struct srv_why *why, const char *fmt, ...)
{
	struct smb2s_event *ev;
	va_list ap;

	ev = srv_event(s, SMB2S_EV_DROPPED, r);
	ev->rule = why->rule;
	ev->finding = why->finding;
	ev->spec = why->spec;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	va_end(ap);
	srv_set_action(s, SMB2S_ACT_CLOSE, r);
}

bool
srv_fault_silent(struct smb2_server *s, const struct srv_req *r, enum smb2s_fault_step step)
{
	const struct smb2s_fault *f = &s->pol->fault;
	struct smb2s_event *ev;

	if (f->silent_on != step)
		return false;
	s->silent = true;
	ev = srv_event(s, SMB2S_EV_SILENT, r);
	ev->rule = "fault";
	srv_event_text(ev, "fault injection: this request is never answered");
	if (f->then != SMB2S_FAULT_END_NONE) {
		s->silent_end_us = r->now + f->after_us;
		ev = srv_event(s, SMB2S_EV_TIMER, r);
		ev->timer_us = s->silent_end_us;
		srv_event_text(ev, "then %s after %llu ms", f->then == SMB2S_FAULT_END_RESET ? "reset" : "close",
			       (unsigned long long)(f->after_us / 1000));
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Driver interface                                                    */

static bool
grow_in(struct smb2_server *s, size_t need)
{
	uint8_t *p;

	if (need <= s->in_cap)
		return true;
	p = realloc(s->in, need);
	if (p == NULL)
		return false;
	s->in = p;
	s->in_cap = need;
	return true;
}

enum sd_err
smb2_server_input(struct smb2_server *s, const uint8_t *p, size_t len, uint64_t now_us, size_t *used)
{
	size_t take, pdu_len;

	*used = 0;
	s->last_now = now_us;
	if (s->action != SMB2S_ACT_CONTINUE || s->silent) {
		*used = len;  /* read and ignored: the client sees only silence */
		return SD_OK;
	}
	while (len > 0 && s->action == SMB2S_ACT_CONTINUE && !s->silent) {
		/* Back-pressure: answers not yet sent, or events not yet taken
		 * (a PDU yields a handful; never drop what a person reads). */
		if (s->out_len - s->out_sent > OUT_HIGH_WATER || s->ev_count > SRV_EVENTS / 2)
			break;
		if (s->in_len < SRV_FRAME) {
			take = SRV_FRAME - s->in_len < len ? SRV_FRAME - s->in_len : len;
		} else {
			pdu_len = (size_t)s->in[1] << 16 | (size_t)s->in[2] << 8 | s->in[3];
			if (!grow_in(s, pdu_len + SRV_FRAME))
				return SD_ERR_NOMEM;
			take = pdu_len + SRV_FRAME - s->in_len < len ? pdu_len + SRV_FRAME - s->in_len : len;
		}
		memcpy(s->in + s->in_len, p, take);
		s->in_len += take;
		p += take;
		len -= take;
		*used += take;
		if (s->in_len < SRV_FRAME)
			continue;
		pdu_len = (size_t)s->in[1] << 16 | (size_t)s->in[2] << 8 | s->in[3];
		if (pdu_len > s->max_pdu) {
			srv_drop(s, NULL, &why_g2, "message of %zu bytes exceeds the %zu-byte limit", pdu_len,
				 s->max_pdu);
			break;
		}
		if (s->in_len == pdu_len + SRV_FRAME) {
			s->in_len = 0;
			s->idle_deadline_us = now_us + (s->pol->step_timeout_us ? s->pol->step_timeout_us : DEFAULT_IDLE_US);
			srv_handle_pdu(s, s->in[0], s->in + SRV_FRAME, pdu_len, now_us);
		}
	}
	if (s->action != SMB2S_ACT_CONTINUE || s->silent)
		*used += len;
	return SD_OK;
}

void
smb2_server_tick(struct smb2_server *s, uint64_t now_us)
{
	struct smb2s_event *ev;
	uint8_t i, n = 0;

	s->last_now = now_us;
	while (n < s->n_held && s->held[n].release_us <= now_us)
		n++;
	if (n) {
		for (i = n; i < s->n_held; i++)
			s->held[i - n] = s->held[i];
		s->n_held = (uint8_t)(s->n_held - n);
	}
	if (s->silent_end_us <= now_us) {
		s->silent_end_us = UINT64_MAX;
		srv_set_action(s, s->pol->fault.then == SMB2S_FAULT_END_RESET ? SMB2S_ACT_RESET : SMB2S_ACT_CLOSE, NULL);
	}
	if (s->idle_deadline_us <= now_us && s->action == SMB2S_ACT_CONTINUE && !s->silent) {
		ev = srv_event(s, SMB2S_EV_DROPPED, NULL);
		ev->rule = "idle";
		srv_event_text(ev, "no request for %llu s: connection closed",
			       (unsigned long long)((s->pol->step_timeout_us ? s->pol->step_timeout_us
									   : DEFAULT_IDLE_US) / 1000000));
		srv_set_action(s, SMB2S_ACT_CLOSE, NULL);
	}
}

uint64_t
smb2_server_next_timeout(const struct smb2_server *s)
{
	uint64_t t = s->silent_end_us;

	if (s->n_held && s->held[0].release_us < t)
		t = s->held[0].release_us;
	if (s->action == SMB2S_ACT_CONTINUE && !s->silent && s->idle_deadline_us < t)
		t = s->idle_deadline_us;
	return t;
}

void
smb2_server_eof(struct smb2_server *s, uint64_t now_us)
{
	size_t i;

	s->last_now = now_us;
	for (i = 0; i < SRV_MAX_SESSIONS_CAP; i++)
		if (s->sessions[i])
			srv_session_free(s, s->sessions[i]);
	s->silent_end_us = UINT64_MAX;
	if (s->action == SMB2S_ACT_CONTINUE)
		s->action = SMB2S_ACT_CLOSE;
}

enum smb2s_action
smb2_server_action(const struct smb2_server *s)
{
	return s->action;
}
