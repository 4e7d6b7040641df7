/* --auth kerberos in the probe: the TGT and the service ticket are got
 * before connecting, so a KDC refusal is known (and recorded as the KDC's
 * KRB-ERROR) before any SESSION_SETUP; it still belongs to that step
 * (SPEC "Kerberos conventions": exit 12). */
#include <stdio.h>
#include <string.h>

#include "net/probe_internal.h"

/* One record of the Kerberos list: a reply or the KDC's refusal. */
static struct ev_kerberos *
krb_record(struct probe *p, const struct gss_client *g, enum ev_krb_message message, const char *sname, int conn)
{
	struct ev_kerberos *k = ev_add_kerberos(p->t);

	if (!k)
		return NULL;
	k->at = probe_rel(p, net_now_us());
	k->message = message;
	k->connection = conn;
	if (g) {
		ev_copy(k->cname, sizeof(k->cname), gss_client_cname(g));
		ev_copy(k->realm, sizeof(k->realm), gss_client_realm(g));
	}
	ev_copy(k->sname, sizeof(k->sname), sname);
	return k;
}

/* The refusal as evidence: the KDC's error when it is one, and the
 * SESSION_SETUP step it stopped (never sent). */
static void
record_refusal(struct probe *p, const struct gss_client *g, const struct gss_client_error *e, struct ev_connection *c,
	       bool fallback)
{
	struct ev_step *s;
	char sname[GSS_CLIENT_TEXT + 16];
	struct ev_kerberos *k;

	if (e->stage == GSS_STAGE_TICKET)
		ev_copy(sname, sizeof(sname), gss_client_sname(g));
	else
		snprintf(sname, sizeof(sname), "krbtgt/%s", g ? gss_client_realm(g) : "");
	if (e->krb_error >= 0 && (k = krb_record(p, g, EV_KRB_ERROR, sname, (int)c->id)) != NULL) {
		k->has_error = true;
		k->error = e->krb_error;
		/* An error once the AS exchange got through is a fault, not part
		 * of finding the right pre-authentication. */
		k->after_preauth = e->stage != GSS_STAGE_TGT || gss_client_did_as_exchange(g);
		ev_copy(k->e_text, sizeof(k->e_text), e->message);
	}
	if (fallback)
		return;
	s = ev_add_step(c, SD_STEP_SESSION_SETUP);
	if (!s)
		return;
	s->outcome = EV_LOCAL_ERROR;
	s->problem = EV_PROBLEM_LOCAL;
	snprintf(s->detail, sizeof(s->detail), "Kerberos %s: %.96s",
		 e->stage == GSS_STAGE_TICKET ? "service ticket" : e->no_credentials ? "no ticket" : "TGT", e->message);
}

int
probe_kerberos_prepare(struct probe *p, struct ev_connection *c, struct smb2_client_config *ccfg,
		       struct gss_client **out, bool fallback)
{
	struct gss_client_config gcfg;
	struct gss_client_error e;
	struct gss_client *g = NULL;
	uint32_t kvno;
	enum sd_err err;

	*out = NULL;
	memset(&gcfg, 0, sizeof(gcfg));
	gcfg.user = p->cfg->user && p->cfg->user[0] ? p->cfg->user : NULL;
	gcfg.domain = p->cfg->domain;
	gcfg.password = p->cfg->password && p->cfg->password[0] ? p->cfg->password : NULL;
	gcfg.host = p->cfg->host;
	err = gss_client_create(&gcfg, &g, &e);
	if (err == SD_OK) {
		if (gss_client_did_as_exchange(g))
			krb_record(p, g, EV_KRB_AS_REP, "", (int)c->id);
		err = gss_client_get_ticket(g, &e);
	}
	if (err != SD_OK) {
		record_refusal(p, g, &e, c, fallback);
		gss_client_free(g);
		return err == SD_ERR_VERIFY ? PROBE_EXIT_SESSION : PROBE_EXIT_INTERNAL;
	}
	{
		struct ev_kerberos *k = krb_record(p, g, EV_KRB_TGS_REP, gss_client_sname(g), (int)c->id);

		if (k && gss_client_ticket_kvno(g, &kvno)) {
			k->has_kvno = true;
			k->kvno = kvno;
		}
	}
	p->krb_auth = &gss_client_auth_ops;
	p->krb_ctx = g;
	p->krb_user = gss_client_cname(g);
	probe_client_config(p, ccfg);
	*out = g;
	return PROBE_EXIT_OK;
}

void
probe_kerberos_session(const struct gss_client *g, struct ev_connection *c)
{
	struct ev_session *s = &c->session;

	if (!s->seen)
		return;
	s->mechanism = EV_MECH_KERBEROS;
	s->ntlm_version = EV_NTLM_UNKNOWN;
	ev_copy(s->target_name, sizeof(s->target_name), gss_client_sname(g));
	ev_copy(s->user, sizeof(s->user), gss_client_cname(g));
	ev_copy(s->domain, sizeof(s->domain), gss_client_realm(g));
}
