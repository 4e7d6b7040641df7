/* The finding catalog: every finding smbdiag can report, with the text a
 * person reads whichever front (probe, analyze, serve, explain) found it.
 *
 * Ids are stable (SPEC.md "Finding catalog"): a new finding gets a new id and
 * ids are never reused. Texts are English and marked with N_() so xgettext
 * extracts them; renderers translate them with gettext() at the edge. The
 * catalog is const data: no I/O, no state, no formatting for output.
 */
#ifndef SMBDIAG_DIAG_CATALOG_H
#define SMBDIAG_DIAG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

/* Marks a string for extraction without translating it here. */
#ifndef N_
#define N_(text) text
#endif

/* The steps of a connection, in the order they happen. Kerberos exchanges
 * with the KDC belong to SESSION_SETUP (SPEC "Kerberos conventions"). */
enum sd_step {
	SD_STEP_TCP = 0,
	SD_STEP_NBSS = 1,
	SD_STEP_NEGOTIATE = 2,
	SD_STEP_SESSION_SETUP = 3,
	SD_STEP_TREE_CONNECT = 4,
	SD_STEP_LOGOFF = 5,
	SD_STEP__COUNT
};

/* Ordered: a greater value is more severe. */
enum sd_severity {
	SD_SEV_INFO = 0,
	SD_SEV_WARNING = 1,
	SD_SEV_ERROR = 2,
};

/* Where a remedy applies. */
enum sd_platform {
	SD_PLAT_ANY = 0,     /* any peer: the client, the network, the name service */
	SD_PLAT_WINDOWS = 1, /* Windows server, client or domain controller */
	SD_PLAT_SAMBA = 2,   /* Samba server (smb.conf, its tools) or MIT/Heimdal */
};

enum sd_remedy_kind {
	SD_REMEDY_CHECK = 0, /* look at something; changes nothing */
	SD_REMEDY_FIX = 1,   /* change a setting, an account, a name */
};

struct sd_remedy {
	enum sd_platform platform;
	enum sd_remedy_kind kind;
	const char *text;    /* what to do and what the answer means; translatable */
	const char *command; /* verbatim command or smb.conf line, or NULL; never translated */
};

struct sd_finding_def {
	const char *id;               /* "tree.encryption_required" */
	enum sd_step step;
	enum sd_severity severity;
	const char *title;            /* one line; translatable */
	const char *cause;            /* what happened and why; translatable */
	const struct sd_remedy *remedies; /* ends with an entry whose text is NULL */
	const char *const *refs;      /* ends with NULL; not translated */
};

/* The entry with this exact id, or NULL. */
const struct sd_finding_def *sd_finding_find(const char *id);
/* Every entry, in catalog order (grouped by step). */
const struct sd_finding_def *sd_finding_table(size_t *count);
size_t sd_finding_remedy_count(const struct sd_finding_def *def);
size_t sd_finding_ref_count(const struct sd_finding_def *def);

/* "tcp", "nbss", "negotiate", "session_setup", "tree_connect", "logoff";
 * "?" outside the enum. */
const char *sd_step_name(enum sd_step step);
/* Accepts the names above, case-insensitive, with '-' for '_', and the
 * wire spellings "SESSION_SETUP", "TREE_CONNECT". */
bool sd_step_parse(const char *text, enum sd_step *step);
/* "error", "warning", "info"; "?" outside the enum. */
const char *sd_severity_name(enum sd_severity sev);
/* "windows", "samba", "any". */
const char *sd_platform_name(enum sd_platform plat);

#endif
