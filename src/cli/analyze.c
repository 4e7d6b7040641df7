/* smbdiag analyze FILE|- [-i IFACE --duration S] [--json|--jsonl]
 *                 [--connection N] [--smb-port N] [--max-memory MB]
 *                 [--password P | --nt-hash H] [--keytab FILE] [--krb-port N] [-v]
 *
 * The capture front: reads a capture (or a live interface), builds the
 * evidence timeline with src/capture, runs the rules and renders. Exit
 * status (SPEC): 0 no error finding, 4 at least one, 2 usage or unreadable
 * input, 1 internal error. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/cap.h"
#include "capture/keytab.h"
#include "cli/analyze.h"
#include "cli/commands.h"
#include "cli/i18n.h"
#include "cli/render_report.h"
#include "diag/rules.h"

#define EXIT_ERROR_FINDING 4
#define MB ((size_t)1024 * 1024)
#define MAX_MEMORY_MB_LIMIT 65536

enum {
	OPT_JSONL = 0x100,
	OPT_CONNECTION,
	OPT_SMB_PORT,
	OPT_MAX_MEMORY,
	OPT_PASSWORD,
	OPT_NT_HASH,
	OPT_DURATION,
	OPT_LANG,
	OPT_FILTER,
	OPT_DUMP,
	OPT_STATS,
	OPT_SESSION_KEY,
	OPT_BYTE_AT_A_TIME,
	OPT_KEYTAB,
	OPT_KRB_PORT,
	OPT_VERSION,
};

static const struct option analyze_options[] = {
	{"interface", required_argument, NULL, 'i'},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"filter", required_argument, NULL, OPT_FILTER},
	{"json", no_argument, NULL, 'j'},
	{"jsonl", no_argument, NULL, OPT_JSONL},
	{"connection", required_argument, NULL, OPT_CONNECTION},
	{"smb-port", required_argument, NULL, OPT_SMB_PORT},
	{"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
	{"password", required_argument, NULL, OPT_PASSWORD},
	{"nt-hash", required_argument, NULL, OPT_NT_HASH},
	{"keytab", required_argument, NULL, OPT_KEYTAB},
	{"krb-port", required_argument, NULL, OPT_KRB_PORT},
	{"verbose", no_argument, NULL, 'v'},
	{"lang", required_argument, NULL, OPT_LANG},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	/* Hidden, for tests: one line per SMB2 / Kerberos message, no report. */
	{"dump-messages", no_argument, NULL, OPT_DUMP},
	/* Hidden: SESSIONID:KEY (hex), a session's GSS key as Wireshark takes it. */
	{"session-key", required_argument, NULL, OPT_SESSION_KEY},
	/* Hidden, for tests: TCP payloads reach the framer one byte at a time. */
	{"byte-at-a-time", no_argument, NULL, OPT_BYTE_AT_A_TIME},
	/* Hidden: the capture counters on stderr. */
	{"stats", no_argument, NULL, OPT_STATS},
	{NULL, 0, NULL, 0},
};

struct analyze_args {
	const char *input;
	const char *iface;
	const char *filter;
	const char *lang;
	const char *password;
	const char *nt_hash;
	const char *keytab;
	double duration;
	bool json, jsonl, dump, stats, help, version;
	int verbosity;
	int connection;
	uint8_t nt_hash_bytes[16];
	struct cap_opts cap;
};

static volatile sig_atomic_t stop_requested;
static volatile int stop_flag;

static void
on_sigint(int sig)
{
	(void)sig;
	stop_requested = 1;
	stop_flag = 1;
}

static void
analyze_usage(FILE *out)
{
	fputs(_("usage: smbdiag analyze FILE|- [options]\n"
		"       smbdiag analyze -i IFACE [--duration S] [options]\n"
		"\n"
		"Reads a capture (pcap or pcapng; - for standard input) or listens on an\n"
		"interface, and tells per SMB connection how NEGOTIATE, SESSION_SETUP (with\n"
		"Kerberos on port 88 or NTLM inside it) and TREE_CONNECT went, and why they failed.\n"
		"\n"
		"options:\n"
		"  -i, --interface IFACE  live capture (filter: tcp port 445 or tcp port 139 or port 88,\n"
		"                         and ICMP destination unreachable; Ctrl-C stops and prints\n"
		"                         the report)\n"
		"      --duration S       live: stop after S seconds\n"
		"      --filter BPF       live: another capture filter\n"
		"  -j, --json             one JSON object\n"
		"      --jsonl            one JSON object per connection per line\n"
		"      --connection N     only connection N\n"
		"      --smb-port N       SMB is also on port N (repeatable; 445 and 139 always)\n"
		"      --max-memory MB    memory for reassembly, flows and the report (default 256)\n"
		"      --password P       decrypt encrypted sessions (NTLM) with this password\n"
		"      --nt-hash H        ... or with this NT hash (32 hex digits)\n"
		"      --keytab FILE      decrypt Kerberos sessions with the server's keytab\n"
		"      --krb-port N       Kerberos is also on port N (repeatable; 88 always)\n"
		"  -v, --verbose          more detail (repeatable)\n"
		"      --lang LANG        language of the texts, e.g. zh_TW\n"
		"  -h, --help             this help\n"
		"\n"
		"exit status: 0 no error found, 4 at least one error finding,\n"
		"             2 usage error or unreadable input, 1 internal error\n"),
	      out);
}

static void
complain(const char *msg)
{
	fprintf(stderr, "smbdiag analyze: %s\n", msg);
}

static bool
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* Hex digits into out[0..n); false unless exactly 2n digits. */
static bool
parse_hex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return false;
	for (i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (v < 0)
			return false;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(v << 4);
		else
			out[i / 2] |= (uint8_t)v;
	}
	return true;
}

static bool
parse_session_key(struct cap_opts *o, const char *arg)
{
	struct cap_session_key *k;
	const char *colon = strchr(arg, ':');
	char *end;
	size_t klen;

	if (colon == NULL || o->n_session_keys >= CAP_MAX_SESSION_KEYS)
		return false;
	k = &o->session_keys[o->n_session_keys];
	errno = 0;
	k->session_id = strtoull(arg, &end, 16);
	if (errno != 0 || end != colon)
		return false;
	klen = strlen(colon + 1) / 2;
	if ((klen != 16 && klen != 32) || !parse_hex(colon + 1, k->key, klen))
		return false;
	k->len = klen;
	o->n_session_keys++;
	return true;
}

static int
parse_option(struct analyze_args *args, int opt, const char *arg)
{
	unsigned long v;
	char *end;

	switch (opt) {
	case 'i': args->iface = arg; break;
	case OPT_FILTER: args->filter = arg; break;
	case 'j': args->json = true; break;
	case OPT_JSONL: args->jsonl = true; break;
	case 'v': args->verbosity++; break;
	case 'h': args->help = true; break;
	case OPT_VERSION: args->version = true; break;
	case OPT_LANG: args->lang = arg; break;
	case OPT_DUMP: args->dump = true; break;
	case OPT_STATS: args->stats = true; break;
	case OPT_BYTE_AT_A_TIME: args->cap.byte_at_a_time = true; break;
	case OPT_PASSWORD:
		args->password = arg;
		args->cap.password = arg;
		break;
	case OPT_NT_HASH:
		if (!parse_hex(arg, args->nt_hash_bytes, sizeof(args->nt_hash_bytes))) {
			complain(_("--nt-hash wants 32 hex digits"));
			return -1;
		}
		args->nt_hash = arg;
		args->cap.nt_hash = args->nt_hash_bytes;
		break;
	case OPT_SESSION_KEY:
		if (!parse_session_key(&args->cap, arg)) {
			complain(_("--session-key wants SESSIONID:KEY in hex (16 or 32 key bytes)"));
			return -1;
		}
		break;
	case OPT_DURATION:
		args->duration = strtod(arg, &end);
		if (*end != '\0' || args->duration <= 0) {
			complain(_("--duration wants a positive number of seconds"));
			return -1;
		}
		break;
	case OPT_CONNECTION:
		if (!parse_uint(arg, 100000000, &v)) {
			complain(_("--connection wants a connection number"));
			return -1;
		}
		args->connection = (int)v;
		break;
	case OPT_SMB_PORT:
		if (!parse_uint(arg, 65535, &v) || v == 0 || args->cap.n_smb_ports >= CAP_MAX_SMB_PORTS) {
			complain(_("--smb-port wants a port number (at most 8 of them)"));
			return -1;
		}
		args->cap.smb_ports[args->cap.n_smb_ports++] = (uint16_t)v;
		break;
	case OPT_KRB_PORT:
		if (!parse_uint(arg, 65535, &v) || v == 0 || args->cap.n_krb_ports >= CAP_MAX_KRB_PORTS) {
			complain(_("--krb-port wants a port number (at most 8 of them)"));
			return -1;
		}
		args->cap.krb_ports[args->cap.n_krb_ports++] = (uint16_t)v;
		break;
	case OPT_KEYTAB: args->keytab = arg; break;
	case OPT_MAX_MEMORY:
		if (!parse_uint(arg, MAX_MEMORY_MB_LIMIT, &v) || v < 1) {
			complain(_("--max-memory wants megabytes (1 to 65536)"));
			return -1;
		}
		args->cap.max_memory = (size_t)v * MB;
		break;
	default:
		return -1;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct analyze_args *args)
{
	int opt;

	memset(args, 0, sizeof(*args));
	args->connection = -1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "i:jvh", analyze_options, NULL)) != -1)
		if (parse_option(args, opt, optarg) != 0)
			return -1;
	if (args->help || args->version)
		return 0;
	if (optind < argc)
		args->input = argv[optind++];
	if (optind < argc) {
		complain(_("one capture at a time"));
		return -1;
	}
	if ((args->input == NULL) == (args->iface == NULL)) {
		complain(_("give a capture file (or -) or -i IFACE"));
		return -1;
	}
	if (args->json && args->jsonl) {
		complain(_("--json and --jsonl exclude each other"));
		return -1;
	}
	if (args->password && args->nt_hash) {
		complain(_("--password and --nt-hash exclude each other"));
		return -1;
	}
	if (args->duration > 0 && args->iface == NULL) {
		complain(_("--duration is for live capture (-i)"));
		return -1;
	}
	return 0;
}

static void
progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	if (total > 0)
		fprintf(stderr, "\r%s %3u%% (%llu MB)", _("reading capture"), (unsigned)(done * 100 / total),
			(unsigned long long)(done / MB));
	else
		fprintf(stderr, "\r%s %llu MB", _("reading capture"), (unsigned long long)(done / MB));
}

static void
print_stats(const struct cap_stats *s, const struct ev_timeline *t, bool always)
{
	unsigned long lost = s->flows_dropped + s->ooo_dropped + s->oversize_pdus + s->fragments_dropped +
			     s->pending_dropped + s->steps_dropped + s->records_dropped + (unsigned long)t->dropped;

	if (always) {
		fprintf(stderr,
			"frames %lu (%lu bytes); not IP %lu, not TCP/UDP %lu, truncated %lu\n"
			"IP fragments %lu (datagrams rebuilt %lu, dropped %lu, malformed %lu)\n"
			"tcp flows %lu (expired %lu, dropped %lu); retransmissions %lu, overlaps %lu, "
			"out of order %lu, gaps %lu (%lu bytes), snapped %lu\n"
			"smb pdus %lu, smb2 messages %lu, smb1 %lu, encrypted %lu, compressed %lu, "
			"decode errors %lu, unmatched responses %lu\n"
			"resync bytes %lu, desyncs %lu; kerberos messages %lu (undecodable %lu); "
			"memory peak %zu KiB\n",
			s->frames, s->bytes, s->not_ip, s->not_tcp_udp, s->truncated, s->fragments, s->reassembled,
			s->fragments_dropped, s->fragments_malformed, s->flows, s->flows_expired, s->flows_dropped, s->retransmissions,
			s->overlaps, s->out_of_order, s->gaps, s->gap_bytes, s->snapped, s->smb_pdus, s->smb2_messages,
			s->smb1_messages, s->transforms, s->compressed, s->decode_errors, s->unmatched_responses,
			s->resync_bytes, s->desyncs, s->krb_messages, s->krb_decode_errors, s->memory_peak / 1024);
		if (s->krb_tickets_decrypted + s->krb_tickets_not_decrypted > 0)
			fprintf(stderr, "keytab: tickets decrypted %lu, not decrypted %lu\n", s->krb_tickets_decrypted,
				s->krb_tickets_not_decrypted);
	}
	if (lost > 0)
		fprintf(stderr,
			"smbdiag analyze: %s: %lu flows, %lu out-of-order segments, %lu large PDUs, %lu IP fragments, "
			"%lu unanswered requests, %lu steps, %lu records\n",
			_("note: over the memory or table limits, dropped"), s->flows_dropped, s->ooo_dropped,
			s->oversize_pdus, s->fragments_dropped, s->pending_dropped, s->steps_dropped,
			s->records_dropped + (unsigned long)t->dropped);
	/* Otherwise a capture taken with a small snap length reads as "No
	 * problem found": the messages that failed were never in it. */
	if (s->snapped > 0)
		fprintf(stderr, "smbdiag analyze: %s: %lu\n",
			_("note: the capture's snap length cut packets short, and the SMB and Kerberos messages in "
			  "them could not be read, so failures may be missing from this report (capture whole "
			  "packets: tcpdump -s 0); packets cut"),
			s->snapped);
	if (s->fragments_malformed > 0)
		fprintf(stderr, "smbdiag analyze: %s: %lu\n",
			_("note: malformed IP fragments (overlapping or inconsistent), their datagrams dropped"),
			s->fragments_malformed);
}

static int
render(const struct analyze_args *args, const struct ev_timeline *t)
{
	struct render_opts ro = {
		.verbosity = args->verbosity,
		.only_connection = args->connection,
		.color = isatty(STDOUT_FILENO) && !args->json && !args->jsonl,
	};

	if (args->json)
		return render_report_json(stdout, t, &ro);
	if (args->jsonl)
		return render_report_jsonl(stdout, t, &ro);
	return render_report_text(stdout, t, &ro);
}

/* A connection the capture does not hold: "No problem found" would be a
 * verdict on nothing. */
static void
no_such_connection(int connection, size_t n_conns)
{
	char msg[160];

	if (n_conns == 0)
		snprintf(msg, sizeof(msg), _("no connection %d (the capture has no SMB connection)"), connection);
	else if (n_conns == 1)
		snprintf(msg, sizeof(msg), _("no connection %d (the capture has connection 0 only)"), connection);
	else
		snprintf(msg, sizeof(msg), _("no connection %d (the capture has connections 0 to %zu)"), connection,
			 n_conns - 1);
	complain(msg);
}

/* Exit 4 answers for what the report shows: with --connection N, that
 * connection's findings. */
static bool
has_error(const struct ev_timeline *t, int connection)
{
	size_t i;

	if (connection < 0)
		return ev_has_error(t);
	for (i = 0; i < t->n_findings; i++)
		if (t->findings[i].connection == connection && t->findings[i].def->severity == SD_SEV_ERROR)
			return true;
	return false;
}

static int
run(struct analyze_args *args)
{
	struct ev_timeline t;
	struct cap_analyzer *a;
	struct cap_source src = {0};
	struct cap_keytab *keytab = NULL;
	char errbuf[512] = "";
	bool show_progress = args->iface == NULL && isatty(STDERR_FILENO) && !args->dump;
	enum sd_err err;
	int rc;

	if (args->keytab) {
		err = cap_keytab_load(args->keytab, &keytab, errbuf, sizeof(errbuf));
		if (err != SD_OK) {
			fprintf(stderr, "smbdiag analyze: %s\n", err == SD_ERR_NOMEM ? _("out of memory") : errbuf);
			return err == SD_ERR_NOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
		}
		args->cap.krb_keys = cap_keytab_source(keytab);
	}
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	if (args->dump)
		args->cap.dump = stdout;
	a = cap_analyzer_new(&args->cap, &t);
	if (a == NULL) {
		cap_keytab_free(keytab);
		complain(args->cap.password || args->cap.nt_hash || args->cap.n_session_keys
				 ? _("cannot set up decryption (out of memory, or no MD4 in libcrypto)")
				 : _("out of memory"));
		return CLI_EXIT_INTERNAL;
	}
	src.path = args->input;
	src.iface = args->iface;
	src.filter = args->filter;
	src.duration = args->duration;
	src.stop = &stop_flag;
	if (show_progress) {
		src.progress = progress;
		src.progress_ctx = NULL;
	}
	signal(SIGINT, on_sigint);
	err = cap_run(a, &src, errbuf, sizeof(errbuf));
	signal(SIGINT, SIG_DFL);
	if (show_progress)
		fprintf(stderr, "\r%40s\r", "");
	if (err != SD_OK) {
		fprintf(stderr, "smbdiag analyze: %s: %s\n", args->input ? args->input : args->iface, errbuf);
		cap_analyzer_free(a);
		cap_keytab_free(keytab);
		ev_timeline_cleanup(&t);
		return err == SD_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_USAGE;
	}
	cap_analyzer_finish(a);
	print_stats(cap_analyzer_stats(a), &t, args->stats || args->verbosity > 1);
	if (args->dump) {
		rc = CLI_EXIT_OK;
	} else if (args->connection >= 0 && (size_t)args->connection >= t.n_conns) {
		no_such_connection(args->connection, t.n_conns);
		rc = CLI_EXIT_USAGE;
	} else {
		t.translate = args->json || args->jsonl ? NULL : cli_tr;  /* JSON stays English, for machines */
		rules_run(&t);
		rc = render(args, &t) < 0 ? CLI_EXIT_INTERNAL
					  : (has_error(&t, args->connection) ? EXIT_ERROR_FINDING : CLI_EXIT_OK);
	}
	fflush(stdout);
	cap_analyzer_free(a);
	cap_keytab_free(keytab);
	ev_timeline_cleanup(&t);
	return rc;
}

int
cmd_analyze(int argc, char **argv)
{
	struct analyze_args args;

	const char *lang = cli_lang_option(argc, argv);

	/* The language before the options, so that their errors speak it. */
	cli_i18n_init(lang);
	if (parse_args(argc, argv, &args) != 0) {
		fprintf(stderr, "%s\n", _("Run 'smbdiag analyze --help' for the options."));
		return CLI_EXIT_USAGE;
	}
	if (args.lang && *args.lang && (!lang || strcmp(args.lang, lang) != 0))
		cli_i18n_init(args.lang);
	if (args.help) {
		analyze_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (args.version) {
		printf("smbdiag %s\n", SMBDIAG_VERSION);
		return CLI_EXIT_OK;
	}
	return run(&args);
}
