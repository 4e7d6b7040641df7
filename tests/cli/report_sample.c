/* Test helper: renders one of the hand-built timelines of
 * tests/unit/report_samples.c, so that check_report_schema.py can hold the
 * JSON report to doc/report.schema.json.
 *
 *   report_sample list
 *   report_sample text|json|jsonl INDEX */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/render_report.h"
#include "report_samples.h"

int
main(int argc, char **argv)
{
	struct render_opts o = {0, -1, false};
	struct ev_timeline t;
	char *end;
	unsigned long which;
	size_t i;
	int rc;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		for (i = 0; i < report_sample_count(); i++)
			printf("%zu %s\n", i, report_sample_name(i));
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: report_sample list | text|json|jsonl INDEX\n");
		return 2;
	}
	which = strtoul(argv[2], &end, 10);
	if (*end || !report_sample_build(which, &t)) {
		fprintf(stderr, "report_sample: no sample %s\n", argv[2]);
		return 2;
	}
	if (strcmp(argv[1], "text") == 0)
		rc = render_report_text(stdout, &t, &o);
	else if (strcmp(argv[1], "json") == 0)
		rc = render_report_json(stdout, &t, &o);
	else if (strcmp(argv[1], "jsonl") == 0)
		rc = render_report_jsonl(stdout, &t, &o);
	else
		rc = 2;
	ev_timeline_cleanup(&t);
	return rc == 0 ? 0 : 1;
}
