/* Follow-up experiments: after a failure, the probe changes one thing and
 * tries again on a new connection, so that a finding rests on what the
 * server did rather than on a guess. Each is recorded as an ev_experiment
 * for the rules; none changes the exit status (SPEC). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "net/probe_internal.h"

#define STATUS_ACCESS_DENIED 0xC0000022u
#define STATUS_LOGON_FAILURE 0xC000006Du

/* Experiment details are shown as they are: they are written in the
 * report's language (ev_tr; JSON keeps English). */
#ifndef N_
#define N_(text) text
#endif
#define STATUS_BAD_NETWORK_NAME 0xC00000CCu

/* A user name no server should know: does it get mapped to guest? */
#define GUEST_PROBE_USER "smbdiag-no-such-user"
#define GUEST_PROBE_PASSWORD "smbdiag-guest-probe"

static const uint16_t all_dialects[] = {
	SMB2_DIALECT_202, SMB2_DIALECT_210, SMB2_DIALECT_300, SMB2_DIALECT_302, SMB2_DIALECT_311,
};

static const char *
status_text(uint32_t status)
{
	const char *name = sd_ntstatus_name(status);

	return name ? name : N_("an error status");
}

/* Who answered the attempt's NEGOTIATE. */
static void
record_server(const struct smb2_client_result *r, struct ev_server_identity *id)
{
	if (!r->negotiated)
		return;
	id->known = true;
	id->dialect = r->dialect;
	id->security_mode = r->server_security_mode;
	id->capabilities = r->server_capabilities;
	memcpy(id->guid, r->server_guid, sizeof(id->guid));
}

void
probe_experiment_outcome(const struct probe *p, const struct probe_attempt *a, struct ev_experiment *e)
{
	const struct smb2_client_result *r;
	const struct smb2_client_exchange *last;

	(void)p;
	if (a->conn.peer[0])
		ev_copy(e->address, sizeof(e->address), a->conn.peer);
	e->step = SD_STEP_TCP;
	e->outcome = a->conn.connected_us ? EV_ANSWERED : (a->conn.end == NET_END_CONNECT_TIMEOUT ? EV_TIMEOUT
												   : EV_REFUSED);
	if (a->conn.end == NET_END_NBSS_REJECTED) {
		e->step = SD_STEP_NBSS;
		e->outcome = EV_NBSS_REJECTED;
		e->status = a->conn.nbss_code;
	}
	if (!a->client || !a->ran_client)
		return;
	r = smb2_client_result(a->client);
	record_server(r, &e->server);
	if (r->n_exchanges == 0)
		return;
	last = &r->exchanges[r->n_exchanges - 1];
	switch (last->step) {
	case SMB2C_STEP_NEGOTIATE: e->step = SD_STEP_NEGOTIATE; break;
	case SMB2C_STEP_SESSION_SETUP: e->step = SD_STEP_SESSION_SETUP; break;
	case SMB2C_STEP_TREE_CONNECT: e->step = SD_STEP_TREE_CONNECT; break;
	case SMB2C_STEP_VALIDATE_NEGOTIATE: e->step = SD_STEP_NEGOTIATE; break;
	default: e->step = SD_STEP_LOGOFF; break;
	}
	e->outcome = last->answered ? EV_ANSWERED : probe_end_outcome(a);
	e->status = last->answered ? last->status : 0;
	if (r->failure == SMB2C_FAIL_NBSS_REFUSED) {
		e->outcome = EV_NBSS_REJECTED;
		e->status = r->nbss_code;
	} else if (r->failure == SMB2C_FAIL_BAD_RESPONSE && r->n_foreign) {
		e->outcome = EV_PROTOCOL_ERROR;
	}
}

void
probe_experiment_end_text(const struct probe *p, const struct probe_attempt *a, const struct ev_experiment *e, char *out,
	     size_t cap)
{
	switch (e->outcome) {
	case EV_ANSWERED:
		snprintf(out, cap, ev_tr(p->t, "%s answered %s"), sd_step_name(e->step),
			 e->status ? ev_tr(p->t, status_text(e->status)) : "STATUS_SUCCESS");
		break;
	case EV_NO_RESPONSE:
		snprintf(out, cap, ev_tr(p->t, "%s: no answer within the timeout"), sd_step_name(e->step));
		break;
	case EV_RESET:
		snprintf(out, cap, ev_tr(p->t, "%s: connection reset after %.3f s, no answer"), sd_step_name(e->step),
			 probe_rel(p, a->conn.end_us) - probe_rel(p, a->conn.connect_start_us));
		break;
	case EV_CLOSED:
		snprintf(out, cap, ev_tr(p->t, "%s: connection closed by the server, no answer"), sd_step_name(e->step));
		break;
	case EV_NBSS_REJECTED:
		snprintf(out, cap, ev_tr(p->t, "refused with a NetBIOS negative session response (0x%02x)"), e->status);
		break;
	default:
		snprintf(out, cap, "%s: %s", sd_step_name(e->step), ev_outcome_name(e->outcome));
		break;
	}
}

/* Runs ccfg on a new connection and records it; returns the record (NULL
 * when the budget is spent or nothing could run). a is left for the
 * caller to read and clear. */
static struct ev_experiment *
experiment(struct probe *p, enum ev_experiment_kind kind, const struct smb2_client_config *ccfg,
	   struct probe_attempt *a)
{
	struct ev_experiment *e;

	if (p->experiments >= PROBE_MAX_EXPERIMENTS)
		return NULL;
	p->experiments++;
	memset(a, 0, sizeof(*a));
	if (!probe_attempt_run(p, a, ccfg))
		return NULL;
	e = ev_add_experiment(p->t, kind, p->primary_conn);
	if (!e)
		return NULL;
	probe_experiment_outcome(p, a, e);
	return e;
}

static void
dialect_experiments(struct probe *p, struct probe_attempt *a)
{
	struct smb2_client_config ccfg;
	struct ev_experiment *e;
	const struct smb2_client_result *r;
	char how[EV_TEXT];
	size_t i;

	for (i = 0; i < sizeof(all_dialects) / sizeof(all_dialects[0]); i++) {
		probe_client_config(p, &ccfg);
		ccfg.dialects[0] = all_dialects[i];
		ccfg.n_dialects = 1;
		ccfg.smb1_first = false;
		ccfg.smb1_only = false;
		e = experiment(p, EV_EXP_DIALECT_ALONE, &ccfg, a);
		if (e) {
			r = smb2_client_result(a->client);
			e->dialect = all_dialects[i];
			e->ok = r->negotiated;
			if (e->ok) {
				e->outcome = EV_ANSWERED;
				e->step = SD_STEP_NEGOTIATE;
				e->status = 0;
			}
			probe_experiment_end_text(p, a, e, how, sizeof(how));
			if (r->negotiate_faults.n > 0 && r->negotiate_faults.f[0].code == SMB2_NEGFAULT_DIALECT)
				snprintf(how, sizeof(how), ev_tr(p->t, "the server chose dialect %s instead"),
					 smb2_dialect_name(r->dialect) ? smb2_dialect_name(r->dialect) : "?");
			else if (r->negotiate_faults.n > 0)
				snprintf(how, sizeof(how), "%s",
					 ev_tr(p->t, "the answer breaks the rules clients check (MS-SMB2 3.2.5.2)"));
			snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "NEGOTIATE offering only %s: %s"),
				 smb2_dialect_name(all_dialects[i]),
				 e->ok ? ev_tr(p->t, "the server accepted it") : how);
		}
		probe_attempt_clear(a);
	}
}

static void
smb1_experiment(struct probe *p, struct probe_attempt *a)
{
	struct smb2_client_config ccfg;
	struct ev_experiment *e;
	const struct smb2_client_result *r;
	char how[EV_TEXT];

	probe_client_config(p, &ccfg);
	ccfg.smb1_first = true;
	ccfg.smb1_only = true;
	e = experiment(p, EV_EXP_SMB1_ONLY, &ccfg, a);
	if (e) {
		r = smb2_client_result(a->client);
		e->ok = smb2_client_smb1_chosen(r);
		e->dialect = SD_DIALECT_SMB1;
		if (r->smb1_answered) {
			e->outcome = EV_ANSWERED;
			e->step = SD_STEP_NEGOTIATE;
			e->status = r->smb1_status;
		}
		probe_experiment_end_text(p, a, e, how, sizeof(how));
		if (e->ok)
			snprintf(e->detail, sizeof(e->detail),
				 ev_tr(p->t, "SMB1-only NEGOTIATE: the server speaks SMB1 (DialectIndex %u)"),
				 r->smb1_dialect_index);
		else if (r->smb1_answered)
			snprintf(e->detail, sizeof(e->detail), "%s",
				 ev_tr(p->t, "SMB1-only NEGOTIATE: the server answered in SMB1 but accepted no dialect"));
		else
			snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "SMB1-only NEGOTIATE: %s (SMB1 is off)"), how);
	}
	probe_attempt_clear(a);
}

/* The same credentials with 3.x and encryption: does the step that was
 * denied pass now? */
static void
encrypted_retry(struct probe *p, struct probe_attempt *a, int failed_exit)
{
	struct smb2_client_config ccfg;
	struct ev_experiment *e;
	const struct smb2_client_result *r;
	char how[EV_TEXT];
	int status;

	probe_client_config(p, &ccfg);
	ccfg.n_dialects = 3;
	ccfg.dialects[0] = SMB2_DIALECT_300;
	ccfg.dialects[1] = SMB2_DIALECT_302;
	ccfg.dialects[2] = SMB2_DIALECT_311;
	ccfg.no_encryption = false;
	ccfg.encrypt = true;
	ccfg.smb1_first = false;
	ccfg.smb1_only = false;
	if (ccfg.signing == SMB2_SIGNING_OFF)
		ccfg.signing = SMB2_SIGNING_ON;
	e = experiment(p, EV_EXP_ENCRYPTED_RETRY, &ccfg, a);
	if (e) {
		r = smb2_client_result(a->client);
		status = probe_attempt_exit(a);
		e->dialect = r->dialect;
		e->ok = status == PROBE_EXIT_OK || status > failed_exit;
		probe_experiment_end_text(p, a, e, how, sizeof(how));
		snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "retry with %s and encryption (%s): %s"),
			 r->negotiated ? smb2_dialect_name(r->dialect) : "3.x",
			 r->session_encrypt ? ev_tr(p->t, "sealed") : ev_tr(p->t, "not sealed"),
			 e->ok ? ev_tr(p->t, "the step that was denied succeeded") : how);
	}
	probe_attempt_clear(a);
}

static void
guest_experiment(struct probe *p, struct probe_attempt *a)
{
	struct smb2_client_config ccfg;
	struct ev_experiment *e;
	const struct smb2_client_result *r;
	char how[EV_TEXT];

	probe_client_config(p, &ccfg);
	ccfg.mech = SMB2_MECH_NTLM;
	ccfg.user = GUEST_PROBE_USER;
	ccfg.password = GUEST_PROBE_PASSWORD;
	ccfg.domain = NULL;
	e = experiment(p, EV_EXP_GUEST, &ccfg, a);
	if (e) {
		r = smb2_client_result(a->client);
		e->ok = (r->session_flags & SMB2_SESSION_FLAG_IS_GUEST) != 0;
		probe_experiment_end_text(p, a, e, how, sizeof(how));
		snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "unknown user '%s': %s"), GUEST_PROBE_USER,
			 e->ok ? ev_tr(p->t, "logged on as guest (the server offers guest)") : how);
	}
	probe_attempt_clear(a);
}

/* ACCESS_DENIED after the credentials were checked: the same logon asking
 * for the server's own NetBIOS name (from its CHALLENGE) tells a name
 * check (SmbServerNameHardeningLevel) from every other cause. */
static void
own_name_experiment(struct probe *p, struct probe_attempt *a, const char *own_name)
{
	struct smb2_client_config ccfg;
	struct ev_experiment *e;
	char how[EV_TEXT];
	int status;

	probe_client_config(p, &ccfg);
	ccfg.server_name = own_name;
	ccfg.smb1_first = false;
	ccfg.smb1_only = false;
	e = experiment(p, EV_EXP_OWN_NAME, &ccfg, a);
	if (e) {
		status = probe_attempt_exit(a);
		e->ok = status == PROBE_EXIT_OK || status > PROBE_EXIT_SESSION;
		probe_experiment_end_text(p, a, e, how, sizeof(how));
		snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "the same logon asking for cifs/%s: %s"), own_name,
			 e->ok ? ev_tr(p->t, "the session was set up") : how);
	}
	probe_attempt_clear(a);
}

/* The shares the server lists over IPC$ (SRVSVC NetrShareEnum), so the
 * rules can suggest the name meant. */
static void
share_list_experiment(struct probe *p, struct probe_attempt *a)
{
	struct smb2_client_config ccfg;
	struct ev_experiment *e;
	const struct smb2_client_result *r;
	char how[EV_TEXT];
	uint8_t i;

	probe_client_config(p, &ccfg);
	ccfg.share = "IPC$";
	ccfg.list_shares = true;
	ccfg.smb1_first = false;
	ccfg.smb1_only = false;
	e = experiment(p, EV_EXP_SHARE_LIST, &ccfg, a);
	if (e) {
		r = smb2_client_result(a->client);
		e->ok = r->share_list_ok;
		if (r->share_list_tried && !r->share_list_ok)
			e->status = r->share_list_status;
		for (i = 0; i < r->n_shares && i < EV_MAX_SHARES; i++)
			ev_copy(e->shares[i], sizeof(e->shares[i]), r->shares[i].name);
		e->n_shares = i;
		probe_experiment_end_text(p, a, e, how, sizeof(how));
		if (e->ok)
			snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "IPC$ share listing: %u shares"),
				 (unsigned)r->share_list_total);
		else if (r->share_list_tried)
			snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "IPC$ share listing refused (%s at %s, 0x%08x)"),
				 smb2_share_list_failure_name(r->share_list_failure),
				 smb2_share_list_stage_name(r->share_list_stage), r->share_list_status);
		else
			snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "IPC$ share listing: %s"), how);
	}
	probe_attempt_clear(a);
}

static uint32_t
failed_status(const struct probe_attempt *a)
{
	const struct smb2_client_result *r;

	if (!a->client)
		return 0;
	r = smb2_client_result(a->client);
	return r->state == SMB2C_FAILED && r->failure == SMB2C_FAIL_STATUS ? r->failed_status : 0;
}

/* The NEGOTIATE answer was refused for its buffer sizes alone: another
 * dialect would not change them, so there is nothing to try. */
static bool
sizes_only(const struct smb2_client_result *r)
{
	uint8_t i;

	if (r->failure != SMB2C_FAIL_NEGOTIATE_RULES)
		return false;
	for (i = 0; i < r->negotiate_faults.n; i++)
		if (r->negotiate_faults.f[i].code < SMB2_NEGFAULT_MAX_TRANSACT ||
		    r->negotiate_faults.f[i].code > SMB2_NEGFAULT_MAX_WRITE)
			return false;
	return true;
}

void
probe_followups(struct probe *p, const struct probe_attempt *primary, int exit_status)
{
	struct probe_attempt *a;
	const struct smb2_client_result *r;
	uint32_t status = failed_status(primary);

	if (exit_status == PROBE_EXIT_OK || exit_status == PROBE_EXIT_TCP || !primary->client)
		return;
	r = smb2_client_result(primary->client);
	/* The server refused this client before any SMB: no offer changes that. */
	if (r->failure == SMB2C_FAIL_NBSS_REFUSED)
		return;
	a = calloc(1, sizeof(*a));
	if (!a)
		return;
	if (exit_status == PROBE_EXIT_NEGOTIATE && !sizes_only(r)) {
		dialect_experiments(p, a);
		smb1_experiment(p, a);
	} else if (status == STATUS_ACCESS_DENIED &&
		   (primary->ccfg.no_encryption || (r->negotiated && r->dialect < SMB2_DIALECT_300))) {
		encrypted_retry(p, a, exit_status);
	} else if (status == STATUS_ACCESS_DENIED && exit_status == PROBE_EXIT_SESSION && r->server_nb_computer[0] &&
		   strcasecmp(r->server_nb_computer, primary->ccfg.server_name ? primary->ccfg.server_name : "") != 0) {
		char own[sizeof(r->server_nb_computer)];

		snprintf(own, sizeof(own), "%s", r->server_nb_computer);
		own_name_experiment(p, a, own);
	} else if (status == STATUS_LOGON_FAILURE && exit_status == PROBE_EXIT_SESSION) {
		guest_experiment(p, a);
	} else if (status == STATUS_BAD_NETWORK_NAME && exit_status == PROBE_EXIT_TREE) {
		share_list_experiment(p, a);
	}
	free(a);
}

/* A SESSION_SETUP answered with STATUS_SUCCESS. */
static bool
session_set_up(const struct smb2_client_result *r)
{
	uint8_t i;

	for (i = 0; i < r->n_exchanges; i++)
		if (r->exchanges[i].step == SMB2C_STEP_SESSION_SETUP && r->exchanges[i].answered &&
		    r->exchanges[i].status == 0)
			return true;
	return false;
}

void
probe_ntlm_instead(struct probe *p)
{
	struct smb2_client_config ccfg;
	struct probe_attempt *a;
	struct ev_experiment *e;
	const struct smb2_client_result *r;
	char how[EV_TEXT];

	if (!p->cfg->password || !p->cfg->password[0] || !p->cfg->user || p->resolved.n == 0)
		return;
	a = calloc(1, sizeof(*a));
	if (!a)
		return;
	probe_client_config(p, &ccfg);
	ccfg.mech = SMB2_MECH_NTLM;
	ccfg.auth = NULL;
	ccfg.auth_ctx = NULL;
	ccfg.user = p->cfg->user;
	e = experiment(p, EV_EXP_NTLM_INSTEAD, &ccfg, a);
	if (e) {
		r = smb2_client_result(a->client);
		e->ok = session_set_up(r);
		probe_experiment_end_text(p, a, e, how, sizeof(how));
		snprintf(e->detail, sizeof(e->detail), ev_tr(p->t, "NTLM instead of Kerberos as %s: %s"), p->cfg->user,
			 e->ok ? ev_tr(p->t, "the session was set up") : how);
	}
	probe_attempt_clear(a);
	free(a);
}
