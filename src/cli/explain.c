/* smbdiag explain CODE [--step STEP] [--json] [--lang LANG]
 *
 * The reference front: what a status, a Kerberos error, a NetBIOS code or a
 * finding id means, its causes per step, checks, fixes and references. The
 * knowledge is in src/diag/explain*.c and the catalog; this file only parses
 * options and picks a renderer. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/explain.h"
#include "cli/i18n.h"
#include "cli/render_explain.h"
#include "diag/explain.h"

enum {
	OPT_CATALOG_MARKDOWN = 0x100,
	OPT_COMPACT,
	OPT_VERSION,
};

static const struct option explain_options[] = {
	{"step", required_argument, NULL, 's'},
	{"json", no_argument, NULL, 'j'},
	{"compact", no_argument, NULL, OPT_COMPACT},
	{"lang", required_argument, NULL, 'L'},
	{"list", no_argument, NULL, 'l'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	/* Hidden: writes doc/findings.md (make docs). */
	{"catalog-markdown", no_argument, NULL, OPT_CATALOG_MARKDOWN},
	{NULL, 0, NULL, 0},
};

static void
explain_usage(FILE *out)
{
	fputs(_("usage: smbdiag explain CODE [--step STEP] [--json] [--lang LANG]\n"
		"       smbdiag explain --list [--json]\n"
		"\n"
		"Explains what CODE means in NEGOTIATE, SESSION_SETUP or TREE_CONNECT, its likely\n"
		"causes, the checks to run, the fixes and the specifications.\n"
		"\n"
		"CODE is one of:\n"
		"  an NTSTATUS      0xC00000CC, C00000CC, STATUS_BAD_NETWORK_NAME,\n"
		"                   NT_STATUS_BAD_NETWORK_NAME, nt:NAME\n"
		"  a Kerberos error KDC_ERR_S_PRINCIPAL_UNKNOWN, krb:7, or a decimal number up to 255\n"
		"  a NetBIOS code   nbss:0x82, or 0x80 ... 0x8F (two hex digits)\n"
		"  a finding id     tree.encryption_required (see --list)\n"
		"\n"
		"options:\n"
		"  -s, --step STEP  negotiate, session_setup or tree_connect: only that step\n"
		"  -j, --json       one JSON object\n"
		"      --compact    with --json: on one line\n"
		"      --lang LANG  language of the texts, e.g. zh_TW (default: the locale)\n"
		"  -l, --list       list every finding id (with --json: an array of\n"
		"                   {id, step, severity, title})\n"
		"  -h, --help       this help\n"
		"\n"
		"exit status: 0 explained, 2 unknown code or usage error\n"),
	      out);
}

struct explain_args {
	const char *code;
	const char *lang;
	enum sd_step step;
	bool has_step;
	bool json;
	bool compact;
	bool list;
	bool markdown;
	bool help, version;
};

static bool
is_negative_number(const char *arg)
{
	if (arg[0] != '-' || !arg[1])
		return false;
	for (arg++; *arg; arg++)
		if (*arg < '0' || *arg > '9')
			return false;
	return true;
}

#define EXPLAIN_MAX_ARGS 64

static int
parse_args(int argc, char **argv, struct explain_args *a)
{
	char *args[EXPLAIN_MAX_ARGS];
	int c, i, n = 0;

	memset(a, 0, sizeof(*a));
	if (argc > EXPLAIN_MAX_ARGS) {
		fprintf(stderr, "smbdiag explain: %s\n", _("too many arguments"));
		return CLI_EXIT_USAGE;
	}
	/* NTSTATUS values appear in logs as negative decimals (-1073741790):
	 * take them as the code, not as options. */
	for (i = 0; i < argc; i++) {
		if (i > 0 && !a->code && is_negative_number(argv[i]))
			a->code = argv[i];
		else
			args[n++] = argv[i];
	}
	argc = n;
	argv = args;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:jL:lh", explain_options, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!sd_step_parse(optarg, &a->step)) {
				fprintf(stderr, "smbdiag explain: %s: '%s'\n", _("unknown step"), optarg);
				return CLI_EXIT_USAGE;
			}
			a->has_step = true;
			break;
		case 'j':
			a->json = true;
			break;
		case OPT_COMPACT:
			a->compact = true;
			break;
		case 'L':
			a->lang = optarg;
			break;
		case 'l':
			a->list = true;
			break;
		case 'h':
			a->help = true;
			break;
		case OPT_VERSION:
			a->version = true;
			break;
		case OPT_CATALOG_MARKDOWN:
			a->markdown = true;
			break;
		case ':':
			fprintf(stderr, "smbdiag explain: %s: %s\n", _("option needs a value"), argv[optind - 1]);
			return CLI_EXIT_USAGE;
		default:
			fprintf(stderr, "smbdiag explain: %s: %s\n", _("unknown option"), argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc && !a->code)
		a->code = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "smbdiag explain: %s: %s\n", _("one code at a time"), argv[optind]);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

/* "did you mean: STATUS_BAD_NETWORK_NAME?", as the probe says for shares. */
static void
suggest(const char *code)
{
	const char *names[3];
	size_t n = sd_code_suggest(code, names, sizeof(names) / sizeof(names[0])), i, used = 0;
	char list[256] = "";

	for (i = 0; i < n; i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);

		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	if (used == 0)
		return;
	fputs("smbdiag explain: ", stderr);
	fprintf(stderr, _("did you mean: %s?"), list);
	fputc('\n', stderr);
}

static int
explain_code(const struct explain_args *a)
{
	struct sd_code code;
	struct sd_explanation ex;
	enum sd_err err;

	err = sd_code_parse(a->code, &code);
	if (err == SD_ERR_NOT_FOUND) {
		fprintf(stderr, "smbdiag explain: '%s': %s\n", a->code,
			_("unknown code: not an NTSTATUS, Kerberos error, NetBIOS code or finding id smbdiag knows"));
		suggest(a->code);
		return CLI_EXIT_USAGE;
	}
	if (err != SD_OK) {
		fprintf(stderr, "smbdiag explain: '%s': %s\n", a->code,
			_("not a code: use 0xC00000CC, STATUS_NAME, KDC_ERR_NAME, krb:N, nbss:0xNN or a finding id"));
		suggest(a->code);
		return CLI_EXIT_USAGE;
	}
	if (sd_explain(&code, a->has_step ? &a->step : NULL, &ex) != SD_OK)
		return CLI_EXIT_INTERNAL;
	if (a->json)
		return render_explain_json(stdout, &ex, a->code, !a->compact) == 0 ? CLI_EXIT_OK : CLI_EXIT_INTERNAL;
	render_explain_text(stdout, &ex);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_INTERNAL;
}

static bool
has_word(int argc, char **argv, const char *word)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], word) == 0)
			return true;
	return false;
}

int
cmd_explain(int argc, char **argv)
{
	struct explain_args a;
	int rc;

	const char *lang = cli_lang_option(argc, argv);

	/* The language before the options, so that their errors speak it;
	 * the committed Markdown is English whatever the locale. */
	if (!has_word(argc, argv, "--catalog-markdown"))
		cli_i18n_init(lang);
	rc = parse_args(argc, argv, &a);
	if (!a.markdown && a.lang && (!lang || strcmp(a.lang, lang) != 0))
		cli_i18n_init(a.lang);
	if (rc != CLI_EXIT_OK) {
		explain_usage(stderr);
		return rc;
	}
	if (a.help) {
		explain_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (a.version) {
		printf("smbdiag %s\n", SMBDIAG_VERSION);
		return CLI_EXIT_OK;
	}
	if (a.markdown) {
		render_catalog_markdown(stdout);
		return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_INTERNAL;
	}
	if (a.list && a.json)
		return render_catalog_list_json(stdout, !a.compact) == 0 ? CLI_EXIT_OK : CLI_EXIT_INTERNAL;
	if (a.list) {
		render_catalog_list(stdout);
		return CLI_EXIT_OK;
	}
	if (!a.code) {
		fprintf(stderr, "smbdiag explain: %s\n", _("which code?"));
		explain_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	return explain_code(&a);
}
