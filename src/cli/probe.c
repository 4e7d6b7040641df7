/* smbdiag probe //host[:port]/share [options]
 *
 * The active front: parses the options, asks src/net/probe for the
 * evidence, runs the rules and renders. Exit status per SPEC: 0, 10, 11,
 * 12, 13 for the step that failed, 2 usage, 1 internal. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/i18n.h"
#include "cli/probe.h"
#include "cli/probe_capture.h"
#include "cli/render_report.h"
#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/rules.h"
#include "net/probe.h"

enum {
	OPT_LANG = 0x100,
	OPT_DIALECTS,
	OPT_NO_ENCRYPTION,
	OPT_SIGNING,
	OPT_AUTH,
	OPT_TIMEOUT,
	OPT_SAVE_CAPTURE,
	OPT_NO_EXPERIMENTS,
	OPT_NETBIOS,
	OPT_VERSION,
};

static const struct option probe_options[] = {
	{"user", required_argument, NULL, 'U'},
	{"no-pass", no_argument, NULL, 'N'},
	{"ip", required_argument, NULL, 'I'},
	{"port", required_argument, NULL, 'p'},
	{"json", no_argument, NULL, 'j'},
	{"verbose", no_argument, NULL, 'v'},
	{"lang", required_argument, NULL, OPT_LANG},
	{"dialects", required_argument, NULL, OPT_DIALECTS},
	{"max-protocol", required_argument, NULL, 'm'},
	{"no-encryption", no_argument, NULL, OPT_NO_ENCRYPTION},
	{"signing", required_argument, NULL, OPT_SIGNING},
	{"auth", required_argument, NULL, OPT_AUTH},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"save-capture", required_argument, NULL, OPT_SAVE_CAPTURE},
	{"no-experiments", no_argument, NULL, OPT_NO_EXPERIMENTS},
	{"netbios", no_argument, NULL, OPT_NETBIOS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static void
probe_usage(FILE *out)
{
	fputs(_("usage: smbdiag probe //HOST[:PORT]/SHARE [options]\n"
		"       (also \\\\HOST\\SHARE and //[IPv6]:PORT/SHARE)\n"
		"\n"
		"Walks the server through NEGOTIATE, SESSION_SETUP and TREE_CONNECT, says\n"
		"which step fails and why, and runs follow-up experiments to confirm it.\n"
		"\n"
		"options:\n"
		"  -U, --user [DOMAIN\\]USER[%PASSWORD]\n"
		"                        account (password also from SMBDIAG_PASSWORD, or asked)\n"
		"  -N, --no-pass         anonymous (null session)\n"
		"  -I, --ip ADDRESS      connect there, keep HOST as the name the server sees\n"
		"  -p, --port PORT       445 (default) or 139 (NetBIOS session first)\n"
		"      --netbios         NetBIOS session request first on any port\n"
		"      --dialects LIST   offered dialects: 2.0.2,2.1,3.0,3.0.2,3.1.1 (or SMB2_02 ... SMB3_11);\n"
		"                        NT1 alone is an SMB1-only client, beside others it begins\n"
		"                        with an SMB1 multi-protocol NEGOTIATE\n"
		"  -m, --max-protocol D  offer every dialect up to D (NT1: SMB1 only)\n"
		"      --no-encryption   do not advertise encryption (like Windows 7)\n"
		"      --signing MODE    off, on (default) or required\n"
		"      --auth MODE       auto (default), ntlm or kerberos\n"
		"      --timeout SECONDS per step (default 60, the Windows client's wait)\n"
		"      --save-capture FILE.pcapng  the probe's own exchange\n"
		"      --no-experiments  no follow-up connections\n"
		"  -j, --json            one JSON object\n"
		"  -v, --verbose         more detail; -vv adds the hex of each message\n"
		"      --lang LANG       language of the texts (default: the locale)\n"
		"  -h, --help            this help\n"
		"\n"
		"exit status: 0 all three steps succeeded, 10 TCP/NetBIOS, 11 NEGOTIATE,\n"
		"12 SESSION_SETUP, 13 TREE_CONNECT failed, 2 usage, 1 internal error\n"),
	      out);
}

/* The longest domain the client carries (a DNS name is at most 253). */
#define DOMAIN_MAX 255

struct probe_args {
	struct probe_config cfg;
	char host[256];
	char share[256];
	char user[SMB2_CLIENT_CREDENTIAL_MAX + 1];
	char domain[DOMAIN_MAX + 1];
	char password[SMB2_CLIENT_CREDENTIAL_MAX + 1];
	bool has_password;
	const char *below_share;     /* "dir/sub" of //host/share/dir/sub, or NULL */
	bool json;
	int verbosity;
	const char *lang;
	const char *capture;
	bool help, version;
};

static void
clean_copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* //host[:port]/share, \\host\share, //[v6]:port/share. */
static bool
parse_target(const char *target, struct probe_args *a)
{
	const char *p = target, *host, *host_end, *share, *share_end;
	char sep;

	if (!((p[0] == '/' && p[1] == '/') || (p[0] == '\\' && p[1] == '\\')))
		return false;
	sep = p[0];
	p += 2;
	host = p;
	if (*p == '[') {
		host = ++p;
		host_end = strchr(p, ']');
		if (!host_end)
			return false;
		p = host_end + 1;
	} else {
		while (*p && *p != sep && *p != ':' && *p != '/' && *p != '\\')
			p++;
		host_end = p;
	}
	if (host_end == host || (size_t)(host_end - host) >= sizeof(a->host))
		return false;
	clean_copy(a->host, sizeof(a->host), host, (size_t)(host_end - host));
	if (*p == ':') {
		char *end;
		long port = strtol(p + 1, &end, 10);

		if (end == p + 1 || port <= 0 || port > 65535)
			return false;
		a->cfg.port = (uint16_t)port;
		p = end;
	}
	if (*p != '/' && *p != '\\')
		return false;
	share = ++p;
	share_end = share;
	while (*share_end && *share_end != '/' && *share_end != '\\')
		share_end++;
	if (share_end == share || (size_t)(share_end - share) >= sizeof(a->share))
		return false;
	clean_copy(a->share, sizeof(a->share), share, (size_t)(share_end - share));
	while (*share_end == '/' || *share_end == '\\')
		share_end++;
	a->below_share = *share_end ? share_end : NULL;
	return true;
}

static int usage_error(const char *what, const char *arg);

/* A credential cut short would be another one: a false logon failure.
 * The text itself is never echoed (it may be a password). */
static int too_long(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
too_long(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return usage_error(msg, NULL);
}

/* [DOMAIN\]USER[%PASSWORD]; DOMAIN/USER too, as smbclient takes it. */
static int
parse_user(const char *arg, struct probe_args *a)
{
	const char *pct = strchr(arg, '%');
	size_t n = pct ? (size_t)(pct - arg) : strlen(arg);
	const char *user = arg;
	size_t i;

	for (i = 0; i < n; i++)
		if (arg[i] == '\\' || arg[i] == '/') {
			if (i >= sizeof(a->domain))
				return too_long(_("the domain is longer than %zu bytes"), sizeof(a->domain) - 1);
			clean_copy(a->domain, sizeof(a->domain), arg, i);
			a->cfg.domain = a->domain;
			user = arg + i + 1;
			n -= i + 1;
			break;
		}
	if (n >= sizeof(a->user))
		return too_long(_("the user name is longer than %zu bytes, the most smbdiag takes"),
				sizeof(a->user) - 1);
	clean_copy(a->user, sizeof(a->user), user, n);
	if (pct) {
		if (strlen(pct + 1) >= sizeof(a->password))
			return too_long(_("the password is longer than %zu bytes, the most smbdiag takes"),
					sizeof(a->password) - 1);
		clean_copy(a->password, sizeof(a->password), pct + 1, strlen(pct + 1));
		a->has_password = true;
	}
	return CLI_EXIT_OK;
}

static const uint16_t probe_dialects[] = {
	SMB2_DIALECT_202, SMB2_DIALECT_210, SMB2_DIALECT_300, SMB2_DIALECT_302, SMB2_DIALECT_311,
};

/* A dialect the probe's client speaks (smb2_dialect_parse also knows the
 * names of 2.2.2, 2.2.4 and 3.1.0, which no client ever negotiated). */
static bool
probe_dialect(const char *text, uint16_t *d)
{
	size_t i;

	if (!smb2_dialect_parse(text, d))
		return false;
	if (*d == SD_DIALECT_SMB1)
		return true;
	for (i = 0; i < sizeof(probe_dialects) / sizeof(probe_dialects[0]); i++)
		if (probe_dialects[i] == *d)
			return true;
	return false;
}

static int
dialect_error(const char *option, const char *text)
{
	char msg[256];

	snprintf(msg, sizeof(msg), _("%s: the probe speaks 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1 (or SMB2_02 ... SMB3_11) "
				     "and NT1 (SMB1)"),
		 option);
	return usage_error(msg, text);
}

/* NT1 alone is an SMB1-only client (smbclient -m NT1); beside SMB2
 * dialects it opens with an SMB1 multi-protocol NEGOTIATE, as Windows does. */
static int
parse_dialects(const char *list, struct probe_args *a)
{
	char buf[256], *tok, *save = NULL;
	bool smb1 = false;
	uint16_t d;

	if (strlen(list) >= sizeof(buf))
		return usage_error(_("--dialects: the list is too long"), NULL);
	clean_copy(buf, sizeof(buf), list, strlen(list));
	a->cfg.n_dialects = 0;
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (!probe_dialect(tok, &d))
			return dialect_error("--dialects", tok);
		if (d == SD_DIALECT_SMB1) {
			smb1 = true;
			continue;
		}
		if (a->cfg.n_dialects >= SMB2_CLIENT_MAX_DIALECTS)
			return usage_error(_("--dialects: too many dialects"), list);
		a->cfg.dialects[a->cfg.n_dialects++] = d;
	}
	if (!smb1 && a->cfg.n_dialects == 0)
		return usage_error(_("--dialects: no dialect given"), list);
	a->cfg.smb1_first = smb1;
	a->cfg.smb1_only = smb1 && a->cfg.n_dialects == 0;
	return CLI_EXIT_OK;
}

static int
parse_max_protocol(const char *arg, struct probe_args *a)
{
	uint16_t max;
	size_t i;

	/* Any dialect name bounds the offer (SMB3_10: up to 3.0.2, as before
	 * it was withdrawn); only the wildcard is none. */
	if (!smb2_dialect_parse(arg, &max) || max == SMB2_DIALECT_WILDCARD)
		return dialect_error("--max-protocol", arg);
	a->cfg.n_dialects = 0;
	a->cfg.smb1_first = max == SD_DIALECT_SMB1;
	a->cfg.smb1_only = max == SD_DIALECT_SMB1;
	for (i = 0; i < sizeof(probe_dialects) / sizeof(probe_dialects[0]); i++)
		if (probe_dialects[i] <= max && max != SD_DIALECT_SMB1)
			a->cfg.dialects[a->cfg.n_dialects++] = probe_dialects[i];
	return CLI_EXIT_OK;
}

static bool
parse_timeout(const char *arg, unsigned *ms)
{
	char *end;
	double s = strtod(arg, &end);

	if (end == arg || *end || !isfinite(s) || s <= 0 || s > 86400)
		return false;
	*ms = (unsigned)(s * 1000.0 + 0.5);
	/* 0 ms would mean the default (60 s): the opposite of what was asked. */
	if (*ms == 0)
		*ms = 1;
	return true;
}

static int
usage_error(const char *what, const char *arg)
{
	if (arg)
		fprintf(stderr, "smbdiag probe: %s: '%s'\n", what, arg);
	else
		fprintf(stderr, "smbdiag probe: %s\n", what);
	fprintf(stderr, "%s\n", _("Try 'smbdiag probe --help'."));
	return CLI_EXIT_USAGE;
}

static int
parse_option(int c, struct probe_args *a)
{
	switch (c) {
	case 'U': return parse_user(optarg, a);
	case 'N': a->cfg.anonymous = true; break;
	case 'I':
		/* -I [2001:db8::1] as well as -I 2001:db8::1 */
		if (optarg[0] == '[' && optarg[strlen(optarg) - 1] == ']') {
			optarg[strlen(optarg) - 1] = '\0';
			optarg++;
		}
		a->cfg.connect_to = optarg;
		break;
	case 'p': {
		char *end;
		long port = strtol(optarg, &end, 10);

		if (*end || port <= 0 || port > 65535)
			return usage_error(_("bad port"), optarg);
		a->cfg.port = (uint16_t)port;
		break;
	}
	case 'j': a->json = true; break;
	case 'v': a->verbosity++; break;
	case OPT_LANG: a->lang = optarg; break;
	case OPT_DIALECTS: return parse_dialects(optarg, a);
	case 'm': return parse_max_protocol(optarg, a);
	case OPT_NO_ENCRYPTION: a->cfg.no_encryption = true; break;
	case OPT_SIGNING:
		if (strcmp(optarg, "off") == 0)
			a->cfg.signing = SMB2_SIGNING_OFF;
		else if (strcmp(optarg, "on") == 0)
			a->cfg.signing = SMB2_SIGNING_ON;
		else if (strcmp(optarg, "required") == 0)
			a->cfg.signing = SMB2_SIGNING_REQUIRED;
		else
			return usage_error(_("signing must be off, on or required"), optarg);
		break;
	case OPT_AUTH:
		if (strcmp(optarg, "kerberos") == 0)
			a->cfg.auth = PROBE_AUTH_KERBEROS;
		else if (strcmp(optarg, "ntlm") == 0)
			a->cfg.auth = PROBE_AUTH_NTLM;
		else if (strcmp(optarg, "auto") == 0)
			a->cfg.auth = PROBE_AUTH_AUTO;
		else
			return usage_error(_("auth must be auto, ntlm or kerberos"), optarg);
		break;
	case OPT_TIMEOUT:
		if (!parse_timeout(optarg, &a->cfg.timeout_ms))
			return usage_error(_("--timeout wants seconds, more than 0 and at most 86400"), optarg);
		break;
	case OPT_SAVE_CAPTURE: a->capture = optarg; break;
	case OPT_NO_EXPERIMENTS: a->cfg.no_experiments = true; break;
	case OPT_NETBIOS: a->cfg.netbios = true; break;
	case 'h': a->help = true; break;
	case OPT_VERSION: a->version = true; break;
	default: return CLI_EXIT_INTERNAL;  /* ':' and '?' are parse_args' */
	}
	return CLI_EXIT_OK;
}

/* The option getopt_long could not take, as typed: a long one as its word
 * (without "=VALUE"), a short one as "-X" (optopt holds it, also inside a
 * cluster such as -vX or -vU). */
static int
option_error(int c, char **argv)
{
	const char *word = argv[optind - 1];
	char text[64] = {'-', (char)optopt, '\0'};
	/* getopt_long names a known long option (optopt) given "=VALUE" it
	 * does not take, and none for an unknown one. */
	bool takes_none = c == '?' && optopt != 0 && strncmp(word, "--", 2) == 0 && strchr(word, '=');
	const char *what = c == ':' ? _("option needs a value")
			 : takes_none	? _("this option takes no value")
					: _("unknown option");

	if (strncmp(word, "--", 2) == 0)
		snprintf(text, sizeof(text), "%.*s", (int)strcspn(word, "="), word);
	else if (optopt <= 0 || optopt >= 0x100)
		snprintf(text, sizeof(text), "%s", word);
	return usage_error(what, text);
}

/* The password from SMBDIAG_PASSWORD, else asked on the terminal with
 * echo off: CLI_EXIT_OK, or the usage error to return. */
static int
get_password(struct probe_args *a)
{
	const char *env = getenv("SMBDIAG_PASSWORD");
	char line[sizeof(a->password) + 2];
	struct termios old, quiet;
	FILE *tty;
	bool ok;

	if (env) {
		if (strlen(env) >= sizeof(a->password))
			return too_long(_("SMBDIAG_PASSWORD is longer than %zu bytes, the most smbdiag takes"),
					sizeof(a->password) - 1);
		clean_copy(a->password, sizeof(a->password), env, strlen(env));
		return CLI_EXIT_OK;
	}
	tty = fopen("/dev/tty", "r+");
	if (!tty || !isatty(fileno(tty))) {
		if (tty)
			fclose(tty);
		return usage_error(_("no password: give -U USER%PASSWORD, SMBDIAG_PASSWORD or -N"), NULL);
	}
	fprintf(tty, "%s %s: ", _("Password for"), a->user);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= (tcflag_t)~ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	ok = fgets(line, sizeof(line), tty) != NULL;
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	line[strcspn(line, "\r\n")] = '\0';
	if (ok && strlen(line) >= sizeof(a->password)) {
		memset(line, 0, sizeof(line));
		return too_long(_("the password is longer than %zu bytes, the most smbdiag takes"),
					sizeof(a->password) - 1);
	}
	clean_copy(a->password, sizeof(a->password), line, strlen(line));
	memset(line, 0, sizeof(line));
	return ok ? CLI_EXIT_OK : usage_error(_("no password: give -U USER%PASSWORD, SMBDIAG_PASSWORD or -N"), NULL);
}

static int
parse_args(int argc, char **argv, struct probe_args *a)
{
	const char *target = NULL;
	int c, rc;

	memset(a, 0, sizeof(*a));
	a->cfg.signing = SMB2_SIGNING_ON;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":U:NI:p:jvm:h", probe_options, NULL)) != -1) {
		rc = c == ':' || c == '?' ? option_error(c, argv) : parse_option(c, a);
		if (rc != CLI_EXIT_OK)
			return rc;
	}
	if (a->help || a->version)
		return CLI_EXIT_OK;
	if (optind < argc)
		target = argv[optind++];
	if (!target || optind < argc)
		return usage_error(target ? _("one target only") : _("missing //HOST/SHARE"), NULL);
	if (!parse_target(target, a))
		return usage_error(_("bad target (//HOST[:PORT]/SHARE)"), target);
	a->cfg.host = a->host;
	a->cfg.share = a->share;
	if (a->cfg.anonymous && a->cfg.auth == PROBE_AUTH_KERBEROS)
		return usage_error(_("--auth kerberos needs an account, not -N"), NULL);
	if (!a->cfg.anonymous) {
		/* Kerberos without -U uses the user's cache (after kinit). */
		if (a->cfg.auth == PROBE_AUTH_KERBEROS && !a->user[0]) {
			a->cfg.user = NULL;
			a->cfg.password = NULL;
			return CLI_EXIT_OK;
		}
		/* auto, as Windows: Kerberos for a name when a ticket can be had
		 * without a password (after kinit), before asking for one. */
		if (a->cfg.auth == PROBE_AUTH_AUTO && !a->has_password && !getenv("SMBDIAG_PASSWORD") &&
		    !net_host_is_literal(a->host) && probe_cache_has_tgt(a->user)) {
			a->cfg.user = a->user[0] ? a->user : NULL;
			a->cfg.password = NULL;
			return CLI_EXIT_OK;
		}
		if (!a->user[0] && getenv("USER"))
			clean_copy(a->user, sizeof(a->user), getenv("USER"), strlen(getenv("USER")));
		if (!a->user[0])
			return usage_error(_("no user: give -U USER or -N"), NULL);
		if (a->cfg.auth == PROBE_AUTH_KERBEROS && !a->has_password && !getenv("SMBDIAG_PASSWORD")) {
			a->cfg.user = a->user;
			a->cfg.password = NULL;
			return CLI_EXIT_OK;
		}
		if (!a->has_password && (rc = get_password(a)) != CLI_EXIT_OK)
			return rc;
		a->cfg.user = a->user;
		a->cfg.password = a->password;
	}
	return CLI_EXIT_OK;
}

int
cmd_probe(int argc, char **argv)
{
	struct probe_args *a = calloc(1, sizeof(*a));
	struct probe_capture cap;
	struct render_opts ro = {0, -1, false};
	struct ev_timeline t;
	const char *lang;
	char why[256];
	int rc, status;

	if (!a)
		return CLI_EXIT_INTERNAL;
	/* The language before the options, so that their errors speak it. */
	lang = cli_lang_option(argc, argv);
	cli_i18n_init(lang);
	rc = parse_args(argc, argv, a);
	if (a->lang && *a->lang && (!lang || strcmp(a->lang, lang) != 0))
		cli_i18n_init(a->lang);
	if (rc != CLI_EXIT_OK || a->help || a->version) {
		if (a->help)
			probe_usage(stdout);
		else if (a->version)
			printf("smbdiag %s\n", SMBDIAG_VERSION);
		free(a);
		return rc;
	}
	/* smbclient takes the folder as its starting directory; TREE_CONNECT
	 * names the share alone, and that is all the probe walks. */
	if (a->below_share) {
		fputs("smbdiag probe: ", stderr);
		fprintf(stderr, _("note: the path below the share (%s) is not part of TREE_CONNECT; probing \\\\%s\\%s"),
			a->below_share, a->host, a->share);
		fputc('\n', stderr);
	}
	if (probe_capture_open(&cap, a->capture, a->verbosity) != 0) {
		fprintf(stderr, "smbdiag probe: %s: %s\n", _("cannot write the capture"), a->capture);
		free(a);
		return CLI_EXIT_USAGE;
	}
	a->cfg.tap = probe_capture_tap;
	a->cfg.tap_user = &cap;
	ev_timeline_init(&t, EV_MODE_PROBE);
	/* Evidence in the reader's language; JSON stays English, for machines. */
	t.translate = a->json ? NULL : cli_tr;
	status = probe_run(&a->cfg, &t, why, sizeof(why));
	if (probe_capture_close(&cap) != 0)
		fprintf(stderr, "smbdiag probe: %s: %s\n", _("cannot write the capture"), a->capture);
	if (status == PROBE_EXIT_INTERNAL) {
		fprintf(stderr, "smbdiag probe: %s\n", _("internal error: cannot start the probe (memory, event loop or crypto)"));
	} else if (status == PROBE_EXIT_USAGE) {
		fprintf(stderr, "smbdiag probe: %s: %s\n", _("--auth kerberos cannot run on this system"), why);
	} else {
		rules_run(&t);
		ro.verbosity = a->verbosity;
		ro.color = !a->json && isatty(STDOUT_FILENO);
		if (a->json)
			render_report_json(stdout, &t, &ro);
		else
			render_report_text(stdout, &t, &ro);
	}
	ev_timeline_cleanup(&t);
	memset(a->password, 0, sizeof(a->password));
	free(a);
	return status;
}
