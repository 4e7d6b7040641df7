/* Renderers for `smbdiag explain`: terminal text, JSON, and the Markdown
 * catalog committed as doc/findings.md. They format; they decide nothing. */
#ifndef SMBDIAG_CLI_RENDER_EXPLAIN_H
#define SMBDIAG_CLI_RENDER_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "diag/explain.h"

struct cli_json;

void render_explain_text(FILE *out, const struct sd_explanation *ex);
/* Writes a finding's catalog fields (id, severity, step, title, cause,
 * remedy[], refs[]: SPEC's report "findings" entry) into the object the
 * caller opened; the caller adds connection and evidence. One function,
 * so every front prints a finding the same way. translate: in the chosen
 * language (explain) or English (the reports, which scripts read). */
void render_finding_json_fields(struct cli_json *j, const struct sd_finding_def *def, bool translate);
/* One JSON object; 0 when written. query is what the user typed. */
int render_explain_json(FILE *out, const struct sd_explanation *ex, const char *query, bool pretty);
/* Every finding, untranslated (the committed document is English). */
void render_catalog_markdown(FILE *out);
/* One line per finding: id, severity, step, title. */
void render_catalog_list(FILE *out);
/* The same as a JSON array of {id, step, severity, title}, the title in
 * the chosen language like the rest of explain's JSON; 0 when written. */
int render_catalog_list_json(FILE *out, bool pretty);
/* "0xC0000022", "krb:7", "nbss:0x82", or the finding id. */
void render_code(const struct sd_code *code, char *buf, size_t size);

#endif
