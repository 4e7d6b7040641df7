/* The probe's pipeline: resolve, run the user's configuration on one
 * connection, record it, then the follow-ups (probe_followup.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/wire/smb2_const.h"
#include "net/os_ctx.h"
#include "net/probe_internal.h"

/* --- the core client as a net_io_ops object --- */

static void
client_start(void *obj, uint64_t now_us)
{
	smb2_client_start(obj, now_us);
}

static size_t
client_output(void *obj, const uint8_t **p)
{
	return smb2_client_output(obj, p);
}

static void
client_output_done(void *obj, size_t n, uint64_t now_us)
{
	smb2_client_output_done(obj, n, now_us);
}

static void
client_input(void *obj, const uint8_t *p, size_t len, uint64_t now_us)
{
	smb2_client_input(obj, p, len, now_us);
}

static void
client_eof(void *obj, uint64_t now_us)
{
	smb2_client_eof(obj, now_us);
}

static bool
client_finished(void *obj)
{
	enum smb2_client_state s = smb2_client_state(obj);

	return s == SMB2C_DONE || s == SMB2C_FAILED;
}

static const struct net_io_ops client_ops = {
	client_start, client_output, client_output_done, client_input, client_eof, client_finished,
};

double
probe_rel(const struct probe *p, uint64_t us)
{
	if (us == 0)
		return -1.0;
	return us >= p->origin_us ? (double)(us - p->origin_us) / 1e6 : 0.0;
}

void
probe_client_config(const struct probe *p, struct smb2_client_config *ccfg)
{
	const struct probe_config *cfg = p->cfg;

	memset(ccfg, 0, sizeof(*ccfg));
	memcpy(ccfg->dialects, cfg->dialects, sizeof(ccfg->dialects));
	ccfg->n_dialects = cfg->n_dialects;
	ccfg->no_encryption = cfg->no_encryption;
	ccfg->signing = cfg->signing;
	ccfg->mech = cfg->anonymous ? SMB2_MECH_ANONYMOUS : SMB2_MECH_NTLM;
	ccfg->user = cfg->anonymous ? "" : cfg->user;
	ccfg->domain = cfg->domain;
	ccfg->password = cfg->anonymous ? "" : cfg->password;
	ccfg->server_name = cfg->host;
	ccfg->share = cfg->share;
	ccfg->smb1_first = cfg->smb1_first;
	ccfg->smb1_only = cfg->smb1_only;
	if (p->krb_auth && !cfg->anonymous) {
		ccfg->mech = SMB2_MECH_EXTERNAL;
		ccfg->auth = p->krb_auth;
		ccfg->auth_ctx = p->krb_ctx;
		ccfg->user = p->krb_user;
	}
}

void
probe_attempt_clear(struct probe_attempt *a)
{
	smb2_client_free(a->client);
	a->client = NULL;
}

static bool
connected(const struct probe_attempt *a)
{
	return a->conn.connected_us != 0;
}

static void
conn_config(const struct probe *p, struct net_conn_config *ncfg, unsigned timeout_ms)
{
	memset(ncfg, 0, sizeof(*ncfg));
	ncfg->timeout_ms = timeout_ms;
	ncfg->netbios = p->port == PROBE_NETBIOS_PORT || p->cfg->netbios;
	ncfg->called_name = p->called_name;
	ncfg->tap = p->cfg->tap;
	ncfg->tap_user = p->cfg->tap_user;
}

/* One connection to resolved address i with a->ccfg. */
static bool
run_at(struct probe *p, struct probe_attempt *a, size_t i, const struct net_conn_config *ncfg)
{
	a->client = NULL;
	if (smb2_client_create(&p->ctx, p->crypto, &a->ccfg, &a->client) != SD_OK)
		return false;
	net_conn_run(&p->loop, &a->conn, (const struct sockaddr *)&p->resolved.addr[i], ncfg, &client_ops,
		     a->client);
	a->ran_client = a->conn.started;
	return true;
}

bool
probe_attempt_run(struct probe *p, struct probe_attempt *a, const struct smb2_client_config *ccfg)
{
	struct net_conn_config ncfg;
	size_t i;

	conn_config(p, &ncfg, p->cfg->timeout_ms ? p->cfg->timeout_ms : PROBE_DEFAULT_TIMEOUT_MS);
	a->ccfg = *ccfg;
	/* Every address in turn until one accepts; experiments go straight
	 * to the one that did. */
	for (i = p->addr_index; i < p->resolved.n; i++) {
		p->addr_index = i;
		if (!run_at(p, a, i, &ncfg))
			return false;
		if (connected(a) || i + 1 == p->resolved.n)
			break;
		probe_attempt_clear(a);
	}
	return a->client != NULL;
}

bool
probe_attempt_run_at(struct probe *p, struct probe_attempt *a, const struct smb2_client_config *ccfg, size_t index,
		     unsigned timeout_ms)
{
	struct net_conn_config ncfg;

	if (index >= p->resolved.n)
		return false;
	conn_config(p, &ncfg, timeout_ms);
	a->ccfg = *ccfg;
	return run_at(p, a, index, &ncfg);
}

static int
exit_for_step(enum smb2_client_step step)
{
	switch (step) {
	case SMB2C_STEP_NEGOTIATE:
	case SMB2C_STEP_VALIDATE_NEGOTIATE: return PROBE_EXIT_NEGOTIATE;
	case SMB2C_STEP_SESSION_SETUP: return PROBE_EXIT_SESSION;
	case SMB2C_STEP_TREE_CONNECT: return PROBE_EXIT_TREE;
	default: return PROBE_EXIT_OK;  /* the three steps were through */
	}
}

int
probe_attempt_exit(const struct probe_attempt *a)
{
	const struct smb2_client_exchange *pending;
	const struct smb2_client_result *r;

	if (!a->client || !a->ran_client)
		return PROBE_EXIT_TCP;
	r = smb2_client_result(a->client);
	if (r->state == SMB2C_DONE)
		return PROBE_EXIT_OK;
	if (r->state == SMB2C_FAILED)
		return exit_for_step(r->failed_step);
	pending = smb2_client_pending(a->client);
	if (pending)
		return exit_for_step(pending->step);
	return r->n_exchanges ? exit_for_step(r->exchanges[r->n_exchanges - 1].step) : PROBE_EXIT_NEGOTIATE;
}

/* A name that does not resolve: the TCP step never started. */
static void
record_unresolved(struct probe *p, struct ev_connection *c, const char *name)
{
	struct ev_step *s = ev_add_step(c, SD_STEP_TCP);

	if (!s)
		return;
	s->outcome = EV_LOCAL_ERROR;
	s->problem = EV_PROBLEM_UNRESOLVED;
	s->request_at = 0;
	snprintf(s->detail, sizeof(s->detail), ev_tr(p->t, "cannot resolve %s: %s"), name,
		 probe_sys_error_text(p, p->resolved.status));
}

/* --auth kerberos, or auto with a name (Windows asks no ticket for an
 * address). */
static bool
wants_kerberos(const struct probe_config *cfg)
{
	if (cfg->anonymous)
		return false;
	return cfg->auth == PROBE_AUTH_KERBEROS || (cfg->auth == PROBE_AUTH_AUTO && !net_host_is_literal(cfg->host));
}

static int
run_primary(struct probe *p)
{
	struct probe_attempt *a = calloc(1, sizeof(*a));
	struct smb2_client_config ccfg;
	struct gss_client *gss = NULL;
	struct ev_connection *c;
	int status;

	c = ev_add_connection(p->t);
	if (!a || !c) {
		free(a);
		return PROBE_EXIT_INTERNAL;
	}
	ev_copy(c->server_name, sizeof(c->server_name), p->cfg->host);
	c->transport_port = p->port;
	c->start_unix = p->t->origin_unix;
	if (p->resolved.status != 0 || p->resolved.n == 0) {
		record_unresolved(p, c, p->cfg->connect_to ? p->cfg->connect_to : p->cfg->host);
		free(a);
		return PROBE_EXIT_TCP;
	}
	probe_client_config(p, &ccfg);
	if (wants_kerberos(p->cfg)) {
		/* auto: any refusal leaves ccfg on NTLM, as Windows falls back;
		 * without a password (a ticket from the cache) there is no NTLM
		 * to fall back to, and the refusal is the answer. */
		bool fallback = p->cfg->auth == PROBE_AUTH_AUTO && p->cfg->password != NULL;

		/* An alias needs its own SPN: say so whatever the KDC answers. */
		probe_cname_of(p->cfg->host, c->canonical_name, sizeof(c->canonical_name));
		status = probe_kerberos_prepare(p, c, &ccfg, &gss, fallback);
		if (status != PROBE_EXIT_OK && !fallback) {
			status = probe_kerberos_refused_run(p, a, c, status);
			if (status == PROBE_EXIT_SESSION && !p->cfg->no_experiments)
				probe_ntlm_instead(p);
			free(a);
			return status;
		}
	}
	if (!probe_attempt_run(p, a, &ccfg)) {
		gss_client_free(gss);
		free(a);
		return PROBE_EXIT_INTERNAL;
	}
	probe_fill_connection(p, a, c);
	if (probe_nbss_name_refused(p, a))
		c = probe_smbserver_retry(p, a, (int)c->id);
	if (gss)
		probe_kerberos_session(p, gss, c);
	status = probe_attempt_exit(a);
	if (!p->cfg->no_experiments) {
		probe_followups(p, a, status);
		probe_other_addresses(p, a);
	}
	if (gss && status == PROBE_EXIT_SESSION && !p->cfg->no_experiments)
		probe_ntlm_instead(p);
	probe_attempt_clear(a);
	gss_client_free(gss);
	free(a);
	return status;
}

int
probe_run(const struct probe_config *cfg, struct ev_timeline *t, char *why, size_t why_cap)
{
	struct probe p;
	struct timespec ts;
	int status;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.t = t;
	p.why = why;
	p.why_cap = why_cap;
	if (why && why_cap)
		why[0] = '\0';
	net_os_ctx(&p.ctx);
	if (uv_loop_init(&p.loop) != 0)
		return PROBE_EXIT_INTERNAL;
	if (sd_crypto_create(&p.crypto) != SD_OK) {
		uv_loop_close(&p.loop);
		return PROBE_EXIT_INTERNAL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	t->origin_unix = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	p.origin_us = net_now_us();
	p.port = cfg->port ? cfg->port : PROBE_DEFAULT_PORT;
	net_resolve_run(&p.loop, cfg->connect_to ? cfg->connect_to : cfg->host, p.port, &p.resolved);
	net_called_name(cfg->host, net_host_is_literal(cfg->host), p.called_name);
	status = run_primary(&p);
	sd_crypto_free(p.crypto);
	uv_run(&p.loop, UV_RUN_DEFAULT);
	uv_loop_close(&p.loop);
	return status;
}
