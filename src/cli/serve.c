/* `smbdiag serve -c server.ini`: the embedded server (src/core/proto/
 * server.h on the libuv loop of src/net/serve_loop.h), printing what each
 * client offers and every decision as it happens; and `smbdiag hash`,
 * which prints the NT hash the [user] sections accept. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "cli/render_report.h"
#include "cli/serve.h"
#include "cli/serve_config.h"
#include "cli/serve_evidence.h"
#include "cli/serve_kerberos.h"
#include "core/auth/ntlm_crypto.h"
#include "core/wire/names.h"
#include "core/wire/smb2_const.h"
#include "diag/catalog.h"
#include "net/os_ctx.h"
#include "net/serve_loop.h"

#define DEFAULT_LISTEN "127.0.0.1:445"

/* The evidence of each open connection. */
struct serve_track {
	struct serve_track *next;
	unsigned id;
	struct serve_evidence *ev;
};

struct serve_out {
	bool json;
	uint64_t start_us;
	uint16_t port;
	struct serve_track *tracks;
	uv_signal_t sigint, sigterm;
	struct serve_loop *sl;
};

static void
serve_usage(FILE *out)
{
	fprintf(out,
		"usage: smbdiag serve -c FILE [--listen ADDRESS:PORT] [--json-log]\n\n"
		"Runs an SMB2/3 server that follows MS-SMB2 3.3.5.x with the policy in FILE\n"
		"(keys named like the Windows settings: EncryptData, RejectUnencryptedAccess,\n"
		"RequireSecuritySignature, SmbServerNameHardeningLevel, EnableSMB1Protocol,\n"
		"MinDialect, MaxDialect, [share NAME], [user NAME], [fault]; see examples/).\n"
		"With [kerberos] Keytab it accepts Kerberos too (GSSAPI acceptor; the ticket's\n"
		"service name faces SmbServerNameHardeningLevel like the NTLM target name).\n"
		"Prints each client's offer and every decision, with the finding and the\n"
		"spec section behind each refusal.\n\n"
		"  -c, --config FILE     the server's INI file\n"
		"  -l, --listen ADDR     address and port (default [server] Listen, else %s)\n"
		"  -j, --json-log        one JSON object per event on standard output\n"
		"  -h, --help            this text\n",
		DEFAULT_LISTEN);
}

static void
flags_text(const struct sd_flag_name *table, uint32_t v, char *out, size_t cap)
{
	const char *names[32];
	size_t n = sd_flags_names(table, v, names, 32, NULL), i, len = 0;

	out[0] = '\0';
	for (i = 0; i < n && len + 1 < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", names[i]);
	if (n == 0)
		snprintf(out, cap, "-");
}

static void
ids_text(const uint16_t *ids, uint8_t n, const char *(*name)(uint16_t), char *out, size_t cap)
{
	size_t len = 0;
	uint8_t i;

	out[0] = '\0';
	for (i = 0; i < n && len + 1 < cap; i++) {
		const char *s = name(ids[i]);

		len += s ? (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", s)
			 : (size_t)snprintf(out + len, cap - len, "%s0x%04x", i ? "," : "", ids[i]);
	}
	if (n == 0)
		snprintf(out, cap, "-");
}

static const char *
dialect_or_hex(uint16_t d)
{
	const char *s = smb2_dialect_name(d);

	return s ? s : "?";
}

static const char *
command_text(uint16_t cmd)
{
	if (cmd == SMB2S_CMD_SMB1)
		return "SMB1 NEGOTIATE";
	return cmd == SMB2S_CMD_NONE ? "-" : smb2_command_name(cmd);
}

static void
text_details(const struct smb2s_event *ev, char *out, size_t cap)
{
	char a[256], b[256], c[256], d[256];

	out[0] = '\0';
	switch (ev->kind) {
	case SMB2S_EV_NEGOTIATE_OFFER:
		ids_text(ev->dialects, ev->n_dialects, smb2_dialect_name, a, sizeof(a));
		flags_text(smb2_capability_names, ev->capabilities, b, sizeof(b));
		ids_text(ev->ciphers, ev->n_ciphers, smb2_cipher_name, c, sizeof(c));
		ids_text(ev->signing_algs, ev->n_signing_algs, smb2_signing_algorithm_name, d, sizeof(d));
		snprintf(out, cap, "\n      dialects %s; capabilities %s; security mode %s; ciphers %s; signing %s", a, b,
			 ev->security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED ? "signing_required"
			 : ev->security_mode & SMB2_NEGOTIATE_SIGNING_ENABLED ? "signing_enabled" : "none", c, d);
		break;
	case SMB2S_EV_SESSION_OK:
		flags_text(smb2_session_flag_names, ev->session_flags, a, sizeof(a));
		snprintf(out, cap, "; session flags %s", a);
		break;
	default:
		break;
	}
}

static void
print_text(struct serve_out *o, const struct serve_conn_info *c, const struct smb2s_event *ev)
{
	char details[1200];
	double t = (double)(serve_now_us() - o->start_us) / 1e6;
	const struct sd_finding_def *f = ev->finding ? sd_finding_find(ev->finding) : NULL;

	text_details(ev, details, sizeof(details));
	printf("%10.3f #%u %-21s %-16s", t, c->id, c->peer, smb2s_event_kind_name(ev->kind));
	if (ev->kind == SMB2S_EV_REFUSED)
		printf(" %s -> %s", command_text(ev->command), sd_ntstatus_name(ev->status));
	else if (ev->kind == SMB2S_EV_DROPPED || ev->kind == SMB2S_EV_SILENT)
		printf(" %s", command_text(ev->command));
	printf(" %s%s\n", ev->text, details);
	if (ev->rule || ev->spec || f)
		printf("%10s    why: rule %s%s%s%s%s%s%s\n", "", ev->rule ? ev->rule : "-", ev->spec ? "; " : "",
		       ev->spec ? ev->spec : "", f ? "; finding " : "", f ? f->id : "", f ? ": " : "",
		       f ? f->title : "");
	fflush(stdout);
}

static void
json_ids(struct cli_json *j, const char *key, const uint16_t *ids, uint8_t n, const char *(*name)(uint16_t))
{
	uint8_t i;

	cli_json_key(j, key);
	cli_json_begin_array(j);
	for (i = 0; i < n; i++)
		cli_json_string(j, name(ids[i]) ? name(ids[i]) : "?");
	cli_json_end_array(j);
}

static void
json_flags(struct cli_json *j, const char *key, const struct sd_flag_name *table, uint32_t v)
{
	const char *names[32];
	size_t n = sd_flags_names(table, v, names, 32, NULL), i;

	cli_json_key(j, key);
	cli_json_begin_array(j);
	for (i = 0; i < n; i++)
		cli_json_string(j, names[i]);
	cli_json_end_array(j);
}

static void
json_details(struct cli_json *j, const struct smb2s_event *ev)
{
	char hex[24];

	switch (ev->kind) {
	case SMB2S_EV_SMB1_NEGOTIATE:
		cli_json_kv_bool(j, "offers_smb2_002", ev->smb1_offers_smb2_002);
		cli_json_kv_bool(j, "offers_smb2_wildcard", ev->smb1_offers_wildcard);
		cli_json_kv_bool(j, "offers_smb1", ev->smb1_offers_smb1);
		break;
	case SMB2S_EV_NEGOTIATE_OFFER:
		json_ids(j, "client_dialects", ev->dialects, ev->n_dialects, smb2_dialect_name);
		json_flags(j, "client_security_mode", smb2_security_mode_names, ev->security_mode);
		json_flags(j, "client_capabilities", smb2_capability_names, ev->capabilities);
		json_ids(j, "ciphers", ev->ciphers, ev->n_ciphers, smb2_cipher_name);
		json_ids(j, "signing_algorithms", ev->signing_algs, ev->n_signing_algs, smb2_signing_algorithm_name);
		break;
	case SMB2S_EV_NEGOTIATED:
		cli_json_kv_string(j, "dialect", dialect_or_hex(ev->dialect));
		json_flags(j, "server_security_mode", smb2_security_mode_names, ev->security_mode);
		json_flags(j, "server_capabilities", smb2_capability_names, ev->capabilities);
		cli_json_kv_string(j, "cipher", ev->cipher ? smb2_cipher_name(ev->cipher) : NULL);
		cli_json_kv_string(j, "signing_algorithm", smb2_signing_algorithm_name(ev->signing_alg));
		break;
	case SMB2S_EV_SESSION_AUTH:
		cli_json_kv_string(j, "mechanism", ev->kerberos ? "kerberos" : "ntlmssp");
		cli_json_kv_string(j, "user", ev->user);
		cli_json_kv_string(j, "domain", ev->domain);
		if (!ev->kerberos)
			cli_json_kv_string(j, "workstation", ev->workstation);
		cli_json_kv_string(j, "target_name", ev->target_name[0] ? ev->target_name : NULL);
		serve_kerberos_json(j, ev);
		break;
	case SMB2S_EV_REFUSED:
		serve_kerberos_json(j, ev);
		break;
	case SMB2S_EV_SESSION_OK:
		cli_json_kv_string(j, "user", ev->user);
		json_flags(j, "session_flags", smb2_session_flag_names, ev->session_flags);
		cli_json_kv_bool(j, "signed", ev->signing_required);
		cli_json_kv_bool(j, "encrypted", ev->encrypted);
		break;
	case SMB2S_EV_TREE_OK:
		cli_json_kv_string(j, "path", ev->path);
		json_flags(j, "share_flags", smb2_share_flag_names, ev->share_flags);
		snprintf(hex, sizeof(hex), "0x%x", ev->tree_id);
		cli_json_kv_string(j, "tree_id", hex);
		cli_json_kv_bool(j, "encrypted", ev->encrypted);
		break;
	case SMB2S_EV_TIMER:
		cli_json_kv_uint(j, "timer_in_ms", ev->timer_us > ev->at_us ? (ev->timer_us - ev->at_us) / 1000 : 0);
		break;
	default:
		break;
	}
}

static void
print_json(struct serve_out *o, const struct serve_conn_info *c, const struct smb2s_event *ev)
{
	struct cli_json j;
	char hex[24];

	cli_json_init(&j, stdout, false);
	cli_json_begin_object(&j);
	cli_json_kv_string(&j, "mode", "serve");
	cli_json_key(&j, "at");
	cli_json_fixed(&j, (double)(serve_now_us() - o->start_us) / 1e6, 6);
	cli_json_kv_uint(&j, "connection", c->id);
	cli_json_kv_string(&j, "client", c->peer);
	cli_json_kv_string(&j, "event", smb2s_event_kind_name(ev->kind));
	if (ev->command != SMB2S_CMD_NONE)
		cli_json_kv_string(&j, "command", command_text(ev->command));
	cli_json_kv_uint(&j, "message_id", ev->message_id);
	if (ev->session_id) {
		snprintf(hex, sizeof(hex), "0x%016llx", (unsigned long long)ev->session_id);
		cli_json_kv_string(&j, "session_id", hex);
	}
	if (ev->kind == SMB2S_EV_REFUSED || ev->kind == SMB2S_EV_SESSION_OK) {
		snprintf(hex, sizeof(hex), "0x%08X", ev->status);
		cli_json_kv_string(&j, "status", hex);
		cli_json_kv_string(&j, "status_name", sd_ntstatus_name(ev->status));
	}
	if (ev->rule)
		cli_json_kv_string(&j, "rule", ev->rule);
	if (ev->finding)
		cli_json_kv_string(&j, "finding", ev->finding);
	if (ev->spec) {
		cli_json_key(&j, "refs");
		cli_json_begin_array(&j);
		cli_json_string(&j, ev->spec);
		cli_json_end_array(&j);
	}
	cli_json_kv_string(&j, "text", ev->text);
	json_details(&j, ev);
	cli_json_end_object(&j);
	cli_json_finish(&j);
	fflush(stdout);
}

static struct serve_track **
track_find(struct serve_out *o, unsigned id)
{
	struct serve_track **pp;

	for (pp = &o->tracks; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id)
			return pp;
	return NULL;
}

/* The connection ended: the same rules as probe and analyze decide. */
static void
connection_report(struct serve_out *o, const struct serve_conn_info *c, const char *how)
{
	struct serve_track **pp = track_find(o, c->id), *t;
	struct render_opts ro = {0, -1, false};
	struct ev_timeline *tl;

	if (pp == NULL)
		return;
	t = *pp;
	*pp = t->next;
	tl = serve_evidence_finish(t->ev, serve_now_us(), how);
	if (tl && o->json)
		render_report_jsonl(stdout, tl, &ro);
	else if (tl && tl->n_findings) {
		printf("%10s #%u findings (the rules of probe and analyze, on what this server saw):\n", "", c->id);
		render_report_text(stdout, tl, &ro);
	}
	serve_evidence_free(t->ev);
	free(t);
	fflush(stdout);
}

static void
on_event(void *user, const struct serve_conn_info *c, const struct smb2s_event *ev)
{
	struct serve_out *o = user;
	struct serve_track **pp = track_find(o, c->id);

	if (pp)
		serve_evidence_add((*pp)->ev, ev);
	if (o->json)
		print_json(o, c, ev);
	else
		print_text(o, c, ev);
}

static void
on_conn(void *user, const struct serve_conn_info *c, bool open, const char *how)
{
	struct serve_out *o = user;
	struct serve_track *t;
	struct cli_json j;

	if (open && (t = calloc(1, sizeof(*t))) != NULL) {
		t->id = c->id;
		t->ev = serve_evidence_open(c, o->start_us, o->port);
		t->next = o->tracks;
		o->tracks = t;
	}
	if (o->json) {
		cli_json_init(&j, stdout, false);
		cli_json_begin_object(&j);
		cli_json_kv_string(&j, "mode", "serve");
		cli_json_key(&j, "at");
		cli_json_fixed(&j, (double)(serve_now_us() - o->start_us) / 1e6, 6);
		cli_json_kv_uint(&j, "connection", c->id);
		cli_json_kv_string(&j, "client", c->peer);
		cli_json_kv_string(&j, "event", open ? "connection_open" : "connection_end");
		cli_json_kv_string(&j, "text", how);
		cli_json_end_object(&j);
		cli_json_finish(&j);
	} else {
		printf("%10.3f #%u %-21s %s\n", (double)(serve_now_us() - o->start_us) / 1e6, c->id, c->peer,
		       open ? "connected" : how);
	}
	if (!open)
		connection_report(o, c, how);
	fflush(stdout);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct serve_out *o = h->data;

	(void)signum;
	serve_loop_close(o->sl);
	o->sl = NULL;
	uv_close((uv_handle_t *)&o->sigint, NULL);
	uv_close((uv_handle_t *)&o->sigterm, NULL);
}

static void
print_policy(const struct serve_config *cfg, const char *addr)
{
	static const char *const steps[] = {"none", "negotiate", "session_setup", "tree_connect"};
	static const char *const ends[] = {"stay silent", "close", "reset"};
	const struct smb2s_policy *p = &cfg->policy;
	uint8_t i;

	printf("smbdiag serve listening on %s\n", addr);
	printf("  dialects %s..%s, EncryptData %s, RejectUnencryptedAccess %s, RequireSecuritySignature %s,\n"
	       "  EnableSMB1Protocol %s, SmbServerNameHardeningLevel %u, guest %s, anonymous %s\n",
	       smb2_dialect_name(p->min_dialect), smb2_dialect_name(p->max_dialect), p->encrypt_data ? "on" : "off",
	       p->reject_unencrypted_access ? "on" : "off", p->require_message_signing ? "on" : "off",
	       p->enable_smb1 ? "on" : "off", p->name_hardening_level,
	       p->guest == SMB2S_GUEST_BAD_USER ? "bad user" : "never", p->allow_anonymous_access ? "allowed" : "denied");
	for (i = 0; i < p->n_shares; i++) {
		char uses[32] = "";

		if (p->shares[i].max_uses)
			snprintf(uses, sizeof(uses), " MaxUses %u", (unsigned)p->shares[i].max_uses);
		printf("  share %-12s %s%s%s%s\n", p->shares[i].name, p->shares[i].path,
		       p->shares[i].path_exists ? "" : " (folder missing)",
		       p->shares[i].encrypt_data ? " EncryptData" : "", uses);
	}
	if (p->fault.silent_on != SMB2S_FAULT_NONE)
		printf("  fault: %s is never answered; then %s after %.1f s\n", steps[p->fault.silent_on],
		       ends[p->fault.then], (double)p->fault.after_us / 1e6);
	if (p->fault.delay_us)
		printf("  fault: every answer is held %.3f s\n", (double)p->fault.delay_us / 1e6);
	fflush(stdout);
}

/* MS-SMB2 3.3.1.5: ServerGuid is one value for the whole server. Left to
 * each connection's server object, every connection would look like
 * another machine, and a client (the probe's follow-ups among them)
 * would see two servers behind one address. */
static void
server_identity(struct smb2s_policy *p)
{
	static const uint8_t none[16];
	struct sd_ctx os;

	if (memcmp(p->server_guid, none, sizeof(none)) != 0)
		return;
	memset(&os, 0, sizeof(os));
	net_os_ctx(&os);
	os.random(os.user, p->server_guid, sizeof(p->server_guid));
}

static int
parse_serve_args(int argc, char **argv, const char **config, const char **listen, bool *json)
{
	static const struct option options[] = {
		{"config", required_argument, NULL, 'c'},
		{"listen", required_argument, NULL, 'l'},
		{"json-log", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, ":c:l:jh", options, NULL)) != -1) {
		switch (c) {
		case 'c': *config = optarg; break;
		case 'l': *listen = optarg; break;
		case 'j': *json = true; break;
		case 'h': serve_usage(stdout); return CLI_EXIT_OK + 100;
		case 'V': printf("smbdiag %s\n", SMBDIAG_VERSION); return CLI_EXIT_OK + 100;
		default:
			fprintf(stderr, "smbdiag serve: bad option '%s'\n", argv[optind - 1]);
			serve_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (*config == NULL || optind != argc) {
		fprintf(stderr, "smbdiag serve: %s\n", *config ? "unexpected argument" : "-c FILE is required");
		serve_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

int
cmd_serve(int argc, char **argv)
{
	static struct serve_config cfg;   /* large; one per process */
	struct gss_server *krb = NULL;
	struct serve_loop_config lc;
	struct serve_out out;
	struct sd_crypto *crypto;
	const char *config = NULL, *listen = NULL;
	char err[512], host[128];
	uint16_t port;
	bool json = false;
	uv_loop_t *loop = uv_default_loop();
	int rc;

	rc = parse_serve_args(argc, argv, &config, &listen, &json);
	if (rc >= 0)
		return rc == CLI_EXIT_OK + 100 ? CLI_EXIT_OK : rc;
	if (sd_crypto_create(&crypto) != SD_OK)
		return CLI_EXIT_INTERNAL;
	rc = serve_config_load(config, crypto, &cfg, err, sizeof(err));
	sd_crypto_free(crypto);
	if (rc) {
		fprintf(stderr, "smbdiag serve: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	if (serve_kerberos_start(&cfg, &krb) != 0)
		return CLI_EXIT_USAGE;
	server_identity(&cfg.policy);
	if (listen == NULL)
		listen = cfg.listen[0] ? cfg.listen : DEFAULT_LISTEN;
	if (serve_listen_parse(listen, host, sizeof(host), &port)) {
		fprintf(stderr, "smbdiag serve: --listen: '%s' is not ADDRESS:PORT (an IPv4 or [IPv6] address)\n", listen);
		serve_kerberos_stop(krb);
		return CLI_EXIT_USAGE;
	}
	memset(&out, 0, sizeof(out));
	out.json = json;
	out.start_us = serve_now_us();
	out.port = port;
	memset(&lc, 0, sizeof(lc));
	lc.host = host;
	lc.port = port;
	cfg.policy.uses = &cfg.uses;
	lc.policy = &cfg.policy;
	lc.max_connections = cfg.max_connections;
	lc.on_event = on_event;
	lc.on_conn = on_conn;
	lc.user = &out;
	signal(SIGPIPE, SIG_IGN);
	rc = serve_loop_start(loop, &lc, &out.sl);
	if (rc) {
		fprintf(stderr, "smbdiag serve: cannot listen on %s: %s\n", listen, uv_strerror(rc));
		uv_run(loop, UV_RUN_DEFAULT);
		serve_kerberos_stop(krb);
		return CLI_EXIT_USAGE;
	}
	if (!json) {
		print_policy(&cfg, serve_loop_address(out.sl));
		serve_kerberos_banner(stdout, &cfg, krb);
		fflush(stdout);
	} else {
		fprintf(stderr, "smbdiag serve listening on %s\n", serve_loop_address(out.sl));
		serve_kerberos_banner(stderr, &cfg, krb);
	}
	out.sigint.data = out.sigterm.data = &out;
	uv_signal_init(loop, &out.sigint);
	uv_signal_init(loop, &out.sigterm);
	uv_signal_start(&out.sigint, on_signal, SIGINT);
	uv_signal_start(&out.sigterm, on_signal, SIGTERM);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	serve_kerberos_stop(krb);
	return CLI_EXIT_OK;
}

static void
hash_usage(FILE *out)
{
	fprintf(out, "usage: smbdiag hash [--] [PASSWORD]\n\n"
		     "Prints the NT hash (MD4 of the UTF-16LE password) for an NtHash line of a\n"
		     "[user NAME] section. Without PASSWORD it reads SMBDIAG_PASSWORD, else one\n"
		     "line from standard input.\n");
}

int
cmd_hash(int argc, char **argv)
{
	char line[1024];
	const char *pw = NULL;
	uint8_t h[NTLM_HASH_LEN];
	struct sd_crypto *crypto;
	enum sd_err err;
	size_t i;

	/* "--" lets a password start with '-'; any other dash word is an
	 * option, so a mistyped one is not silently hashed. */
	if (argc >= 2 && !strcmp(argv[1], "--")) {
		argv++;
		argc--;
	} else if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		hash_usage(stdout);
		return CLI_EXIT_OK;
	} else if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("smbdiag %s\n", SMBDIAG_VERSION);
		return CLI_EXIT_OK;
	} else if (argc >= 2 && argv[1][0] == '-' && argv[1][1] != '\0') {
		fprintf(stderr, "smbdiag hash: unknown option '%s' (a password that starts with '-' goes after --)\n",
			argv[1]);
		return CLI_EXIT_USAGE;
	}
	if (argc > 2) {
		hash_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (argc == 2)
		pw = argv[1];
	else if (getenv("SMBDIAG_PASSWORD"))
		pw = getenv("SMBDIAG_PASSWORD");
	else if (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		pw = line;
	}
	if (pw == NULL) {
		hash_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (sd_crypto_create(&crypto) != SD_OK)
		return CLI_EXIT_INTERNAL;
	err = ntlm_nt_hash(crypto, pw, h);
	sd_crypto_free(crypto);
	memset(line, 0, sizeof(line));
	if (err) {
		fprintf(stderr, "smbdiag hash: %s\n", sd_err_text(err));
		return err == SD_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
	}
	for (i = 0; i < sizeof(h); i++)
		printf("%02x", h[i]);
	printf("\n");
	return CLI_EXIT_OK;
}
