/* The rules: evidence in, findings out. The same rules run for every front
 * (probe, analyze, serve); they never know which front produced the
 * evidence, and they are the only code that adds findings. */
#ifndef SMBDIAG_DIAG_RULES_H
#define SMBDIAG_DIAG_RULES_H

#include "diag/evidence.h"

/* Appends to t->findings every finding the evidence supports, with
 * evidence lines (frames, statuses, names), ordered by connection then
 * step. Running it twice adds nothing new the second time. */
void rules_run(struct ev_timeline *t);

#endif
