/* Renderers for the evidence timeline and its findings (SPEC "JSON
 * report"). The fronts build a timeline, run the rules, and call one of
 * these; renderers never look at protocol bytes. */
#ifndef SMBDIAG_CLI_RENDER_REPORT_H
#define SMBDIAG_CLI_RENDER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "diag/evidence.h"

struct render_opts {
	int verbosity;          /* -v count */
	int only_connection;    /* --connection N; -1 all */
	bool color;             /* terminal colours */
};

/* Per connection: a ladder of steps with times and results, the peer's
 * profile, then the findings with cause, remedies and references. */
int render_report_text(FILE *out, const struct ev_timeline *t, const struct render_opts *o);
/* One JSON object as in SPEC (pretty). */
int render_report_json(FILE *out, const struct ev_timeline *t, const struct render_opts *o);
/* One JSON object per connection per line (analyze --jsonl). */
int render_report_jsonl(FILE *out, const struct ev_timeline *t, const struct render_opts *o);

#endif
