/* Internal to src/diag: the rows of the explain knowledge. */
#ifndef SMBDIAG_DIAG_EXPLAIN_TABLE_H
#define SMBDIAG_DIAG_EXPLAIN_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/catalog.h"
#include "diag/explain.h"

/* One code in one step. Causes end with an entry whose text is NULL; the
 * checks and fixes of each cause's finding are added by sd_explain(), so
 * remedies lists only what no finding carries. */
struct sd_explain_entry {
	enum sd_code_kind kind;
	uint32_t value;
	enum sd_step step;
	bool normal;
	const char *meaning;
	const struct sd_explain_cause *causes;
	const struct sd_remedy *remedies; /* NULL or ends with text NULL */
	const char *const *refs;          /* NULL or ends with NULL */
};

extern const struct sd_explain_entry sd_explain_rows[];
extern const size_t sd_explain_rows_count;

#endif
