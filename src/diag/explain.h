/* Explain knowledge: what an NTSTATUS, a Kerberos error, a NetBIOS negative
 * response code or a finding id means in a given step, its likely causes in
 * order (each pointing to a finding when one exists), the checks to run, the
 * fixes and the references. Const data and pure functions: no I/O, no state.
 * Texts are English, marked with N_(); renderers translate them.
 *
 * Input syntax accepted by sd_code_parse():
 *   NTSTATUS    0xC00000CC, C00000CC, c00000cc (8 hex digits), a decimal
 *               value above 255 or a negative one (as logs print NTSTATUS),
 *               STATUS_BAD_NETWORK_NAME, NT_STATUS_BAD_NETWORK_NAME,
 *               BAD_NETWORK_NAME, or "nt:" followed by any of these.
 *   Kerberos    KDC_ERR_S_PRINCIPAL_UNKNOWN, S_PRINCIPAL_UNKNOWN, MIT's
 *               KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN, krb:7, or a plain decimal
 *               number up to 255 (RFC 4120 writes its codes in decimal).
 *   NetBIOS     nbss:0x82 (or nbss:130), or a hex number of one or two
 *               digits written with 0x (0x80 ... 0x8F): NTSTATUS values that
 *               small are success codes nobody asks about.
 *   Finding     tree.encryption_required (any catalog id).
 */
#ifndef SMBDIAG_DIAG_EXPLAIN_H
#define SMBDIAG_DIAG_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "diag/catalog.h"

enum sd_code_kind {
	SD_CODE_NTSTATUS = 0,
	SD_CODE_KERBEROS = 1,
	SD_CODE_NBSS = 2,
	SD_CODE_FINDING = 3,
};

struct sd_code {
	enum sd_code_kind kind;
	uint32_t value;                       /* NTSTATUS, Kerberos error, NBSS code */
	const struct sd_finding_def *finding; /* SD_CODE_FINDING only */
};

/* SD_OK; SD_ERR_NOT_FOUND when the text is a well-formed code or name that
 * smbdiag does not know; SD_ERR_INVALID_ARG when it is not a code at all. */
enum sd_err sd_code_parse(const char *text, struct sd_code *code);
/* "ntstatus", "kerberos", "nbss", "finding". */
const char *sd_code_kind_name(enum sd_code_kind kind);
/* For a code sd_code_parse did not take: the close names it would take
 * (finding ids, NTSTATUS and Kerberos error names, ranked as in
 * diag/suggest.h), best first, at most max into out; returns how many.
 * NT_STATUS_, MIT's KRB5 and the nt: / krb: prefixes are read as
 * sd_code_parse reads them. */
size_t sd_code_suggest(const char *text, const char **out, size_t max);

#define SD_EXPLAIN_MAX_STEPS 4
#define SD_EXPLAIN_MAX_CAUSES 8
#define SD_EXPLAIN_MAX_REMEDIES 32
#define SD_EXPLAIN_MAX_REFS 16
#define SD_EXPLAIN_MAX_RELATED 12

struct sd_explain_cause {
	const char *finding_id; /* NULL when no finding covers it */
	const char *text;       /* translatable */
};

/* What the code means in one step, and why it happens there. */
struct sd_explain_step {
	enum sd_step step;
	const char *meaning;    /* translatable */
	const struct sd_explain_cause *causes[SD_EXPLAIN_MAX_CAUSES];
	size_t n_causes;
};

/* A code that leads to a finding (filled when explaining a finding id). */
struct sd_explain_related {
	struct sd_code code;
	enum sd_step step;
};

struct sd_explanation {
	struct sd_code code;
	const char *name;        /* "STATUS_ACCESS_DENIED", "KDC_ERR_...", the finding id; may be NULL */
	const char *meaning;     /* generic sentence from the name tables or the finding's title */
	bool normal;             /* part of a working exchange, not a fault */
	bool specific;           /* smbdiag has step knowledge for the code */
	bool step_requested;
	enum sd_step requested_step;
	bool step_unmatched;     /* nothing known for the requested step: every step is shown */
	const char *note;        /* generic pointer when nothing specific is known; translatable */
	struct sd_explain_step steps[SD_EXPLAIN_MAX_STEPS];
	size_t n_steps;
	const struct sd_remedy *checks[SD_EXPLAIN_MAX_REMEDIES];
	size_t n_checks;
	const struct sd_remedy *fixes[SD_EXPLAIN_MAX_REMEDIES];
	size_t n_fixes;
	const char *refs[SD_EXPLAIN_MAX_REFS];
	size_t n_refs;
	struct sd_explain_related related[SD_EXPLAIN_MAX_RELATED];
	size_t n_related;
	bool truncated;          /* a list hit its cap (a bug in the tables; tested) */
};

/* Fills *out for the code. step may be NULL (every step the code occurs
 * in). Returns SD_OK, or SD_ERR_INVALID_ARG for a NULL argument. */
enum sd_err sd_explain(const struct sd_code *code, const enum sd_step *step, struct sd_explanation *out);

/* The name of a code for display ("STATUS_ACCESS_DENIED"), or NULL. */
const char *sd_code_name(const struct sd_code *code);

#endif
