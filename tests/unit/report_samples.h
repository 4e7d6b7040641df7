/* Hand-built evidence timelines for the renderer tests and the JSON
 * schema check (tests/cli/check_report_schema.py through report_sample). */
#ifndef SMBDIAG_TESTS_REPORT_SAMPLES_H
#define SMBDIAG_TESTS_REPORT_SAMPLES_H

#include <stddef.h>

#include "diag/evidence.h"

size_t report_sample_count(void);
const char *report_sample_name(size_t which);
/* Initialises t, fills it and runs the rules; false for an unknown index. */
bool report_sample_build(size_t which, struct ev_timeline *t);

#endif
