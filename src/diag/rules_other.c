/* The catch-all (negotiate.other, session.other, tree.other): a connection
 * whose walk through NEGOTIATE, SESSION_SETUP and TREE_CONNECT ended in a
 * failure that no other rule explains still gets a finding. Without it a
 * report would say "No problem found." over a failed step. What the status
 * means at that step, and its likely causes, come from the explain tables
 * that `smbdiag explain` prints. */
#include <stdio.h>

#include "diag/explain.h"
#include "diag/rules_internal.h"

static const struct {
	enum sd_step step;
	const char *finding;
	const char *command;      /* as captures name it; the label the reports use */
} walk[] = {
	{SD_STEP_NEGOTIATE, "negotiate.other", N_("NEGOTIATE")},
	{SD_STEP_SESSION_SETUP, "session.other", N_("SESSION_SETUP")},
	{SD_STEP_TREE_CONNECT, "tree.other", N_("TREE_CONNECT")},
};

#define N_WALK (sizeof(walk) / sizeof(walk[0]))

/* The last NEGOTIATE, SESSION_SETUP or TREE_CONNECT of the connection, and
 * its row in walk[]; NULL when it has none. */
static const struct ev_step *
last_walk_step(const struct ev_connection *c, size_t *row)
{
	const struct ev_step *last = NULL;
	size_t i, j;

	for (i = 0; i < c->n_steps; i++)
		for (j = 0; j < N_WALK; j++)
			if (c->steps[i].step == walk[j].step) {
				last = &c->steps[i];
				*row = j;
			}
	return last;
}

/* An answer that refuses or does not decode, or the server ending the
 * connection instead of answering. MORE_PROCESSING_REQUIRED is a SESSION_SETUP leg, not a
 * refusal, and a status the explain tables call part of a working
 * exchange (NETWORK_SESSION_EXPIRED before a re-authentication) is no
 * fault by itself; a request left unanswered belongs to the *.no_response
 * rules, and to a capture that simply stopped. */
static bool
failed(const struct ev_step *s, const struct sd_explanation *ex)
{
	if (s->outcome == EV_PROTOCOL_ERROR && s->problem == EV_PROBLEM_UNDECODABLE)
		return true;
	if (s->problem != EV_PROBLEM_NONE)
		return false;
	switch (s->outcome) {
	case EV_ANSWERED:
		return s->status != 0 && !(s->step == SD_STEP_SESSION_SETUP && s->status == RULE_ST_MORE_PROCESSING) &&
		       !ex->normal;
	case EV_CLOSED:
	case EV_RESET:
		return true;
	default:
		return false;
	}
}

/* What the status means at this step and why it happens there, else what
 * it means at all. */
static void
status_lines(struct ev_finding *f, const struct sd_explanation *ex, const char *command, const char *status_name)
{
	size_t i;

	if (!ex->step_unmatched && ex->n_steps > 0 && ex->steps[0].meaning) {
		ev_finding_evidence(f, "at %s: %s", command, ev_finding_tr(f, ex->steps[0].meaning));
		for (i = 0; i < ex->steps[0].n_causes && i < 3; i++)
			ev_finding_evidence(f, "likely cause: %s", ev_finding_tr(f, ex->steps[0].causes[i]->text));
	} else if (ex->meaning) {
		ev_finding_evidence(f, "%s means: %s", status_name, ev_finding_tr(f, ex->meaning));
	}
}

void
rules_other(struct rule_run *r, struct ev_connection *c)
{
	const struct ev_step *s;
	struct sd_explanation ex;
	struct sd_code code = {SD_CODE_NTSTATUS, 0, NULL};
	struct ev_finding *f;
	char frames[64], st[64], silence[160];
	const char *path, *command;
	size_t row = 0;

	if (rule_has_error(r, (int)c->id) || (s = last_walk_step(c, &row)) == NULL)
		return;
	code.value = s->status;
	if (sd_explain(&code, &s->step, &ex) != SD_OK || !failed(s, &ex))
		return;
	f = rule_finding(r, walk[row].finding, (int)c->id);
	command = ev_finding_tr(f, walk[row].command);
	rule_frames(r->t, s, frames, sizeof(frames));
	/* A TREE_CONNECT's detail is the path it asked for. */
	path = s->step == SD_STEP_TREE_CONNECT ? (s->detail[0] ? s->detail : c->tree.path) : "";
	if (s->outcome == EV_PROTOCOL_ERROR) {
		ev_finding_evidence(f, "%s%s%s%s: the answer does not decode as SMB2", frames, command,
				    path[0] ? " " : "", path);
		return;
	}
	if (s->outcome != EV_ANSWERED) {
		rule_silence(r->t, c, s, silence, sizeof(silence));
		ev_finding_evidence(f, "%s%s%s%s: the server ended the connection instead of answering (%s)", frames,
				    command, path[0] ? " " : "", path, silence);
		return;
	}
	rule_status(s->status, st, sizeof(st));
	rule_line(f, "%s%s%s%s -> %s (0x%08X)", frames, command, path[0] ? " " : "", path, st, s->status);
	status_lines(f, &ex, command, st);
}
