/* INI reader for `smbdiag serve` (see serve_config.h): one key per line,
 * "Key = Value", sections in brackets, '#' or ';' comments. Every mistake
 * is reported with the file and line, and nothing is guessed. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/serve_config.h"
#include "core/auth/ntlm_crypto.h"
#include "core/wire/names.h"
#include "core/wire/smb2_const.h"

#define LINE_MAX_LEN 1024

enum section { SEC_NONE, SEC_SERVER, SEC_FAULT, SEC_USER, SEC_SHARE, SEC_KERBEROS };

struct parser {
	const char *name;
	const char *base_dir;      /* relative share paths are taken from here */
	unsigned line;
	struct sd_crypto *crypto;
	struct serve_config *cfg;
	enum section sec;
	struct smb2s_user *user;
	struct smb2s_share *share;
	bool user_has_secret;
	char *err;
	size_t err_cap;
};

static int
perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->err_cap, "%s:%u: ", p->name, p->line);
	if (n < 0 || (size_t)n >= p->err_cap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->err_cap - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
parse_bool(struct parser *p, const char *key, const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcmp(v, "1") ||
	    !strcasecmp(v, "$true") || !strcasecmp(v, "required") || !strcasecmp(v, "mandatory"))
		*out = true;
	else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcmp(v, "0") ||
		 !strcasecmp(v, "$false"))
		*out = false;
	else
		return perr(p, "%s wants true or false, not '%s'", key, v);
	return 0;
}

static int
parse_uint(struct parser *p, const char *key, const char *v, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 0);
	if (errno || end == v || *trim(end) != '\0' || *out > max || v[0] == '-')
		return perr(p, "%s wants a whole number from 0 to %lu, not '%s'", key, max, v);
	return 0;
}

static int
parse_seconds(struct parser *p, const char *key, const char *v, uint64_t *out_us)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *trim(end) != '\0' || d < 0 || d > 86400.0 * 365)
		return perr(p, "%s wants seconds (e.g. 60 or 0.5), not '%s'", key, v);
	*out_us = (uint64_t)(d * 1e6 + 0.5);
	return 0;
}

static int
copy_name(struct parser *p, const char *key, const char *v, char *dst, size_t cap)
{
	size_t n = strlen(v);

	if (n == 0 || n >= cap)
		return perr(p, "%s must hold 1 to %zu characters", key, cap - 1);
	memcpy(dst, v, n + 1);
	return 0;
}

/* Comma-separated list; fn handles each item. */
static int
each_item(struct parser *p, const char *key, const char *v, int (*fn)(struct parser *, const char *, const char *))
{
	char buf[LINE_MAX_LEN], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (fn(p, key, trim(tok)) != 0)
			return -1;
	return 0;
}

static int
add_cipher(struct parser *p, const char *key, const char *item)
{
	struct smb2s_policy *pol = &p->cfg->policy;
	uint16_t id;

	if (!smb2_cipher_lookup(item, &id) || id == 0)
		return perr(p, "%s: unknown cipher '%s' (AES-128-GCM, AES-128-CCM, AES-256-GCM, AES-256-CCM)", key,
			    item);
	if (pol->n_ciphers >= SMB2S_MAX_IDS)
		return perr(p, "%s: at most %d ciphers", key, SMB2S_MAX_IDS);
	pol->ciphers[pol->n_ciphers++] = id;
	return 0;
}

static int
add_signing(struct parser *p, const char *key, const char *item)
{
	struct smb2s_policy *pol = &p->cfg->policy;
	uint16_t id;

	if (!smb2_signing_algorithm_lookup(item, &id))
		return perr(p, "%s: unknown signing algorithm '%s' (AES-128-GMAC, AES-128-CMAC, HMAC-SHA256)", key,
			    item);
	if (pol->n_signing_algs >= SMB2S_MAX_IDS)
		return perr(p, "%s: at most %d algorithms", key, SMB2S_MAX_IDS);
	pol->signing_algs[pol->n_signing_algs++] = id;
	return 0;
}

static int
add_accepted_name(struct parser *p, const char *key, const char *item)
{
	struct smb2s_policy *pol = &p->cfg->policy;

	if (pol->n_accepted_names >= SMB2S_MAX_NAMES)
		return perr(p, "%s: at most %d names", key, SMB2S_MAX_NAMES);
	return copy_name(p, key, item, pol->accepted_names[pol->n_accepted_names++], SMB2S_NAME_MAX);
}

static int
add_valid_user(struct parser *p, const char *key, const char *item)
{
	struct smb2s_share *sh = p->share;

	if (sh->n_allowed >= SMB2S_MAX_ALLOWED)
		return perr(p, "%s: at most %d users", key, SMB2S_MAX_ALLOWED);
	return copy_name(p, key, item, sh->allowed[sh->n_allowed++], SMB2S_NAME_MAX);
}

static int
parse_dialect(struct parser *p, const char *key, const char *v, uint16_t *out)
{
	if (!smb2_dialect_parse(v, out) || *out < SMB2_DIALECT_202 || *out > SMB2_DIALECT_311 ||
	    *out == SMB2_DIALECT_WILDCARD)
		return perr(p, "%s: '%s' is not one of 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1", key, v);
	return 0;
}

int
serve_listen_parse(const char *text, char *host, size_t cap, uint16_t *port)
{
	const char *colon = strrchr(text, ':');
	unsigned char addr[sizeof(struct in6_addr)];
	char *end;
	unsigned long p;
	size_t n;

	if (colon == NULL)
		return -1;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end != '\0' || colon[1] == '\0' || colon[1] == '-' || colon[1] == '+' || p > 65535)
		return -1;
	n = (size_t)(colon - text);
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		text++;
		n -= 2;
	}
	if (n == 0) {
		text = "0.0.0.0";
		n = strlen(text);
	}
	if (n >= cap)
		return -1;
	memcpy(host, text, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static int
parse_listen(struct parser *p, const char *k, const char *v)
{
	char host[sizeof(p->cfg->listen)];
	uint16_t port;

	if (serve_listen_parse(v, host, sizeof(host), &port) != 0)
		return perr(p, "%s wants ADDRESS:PORT (127.0.0.1:4455, [::1]:4455 or :4455), not '%s'", k, v);
	return copy_name(p, k, v, p->cfg->listen, sizeof(p->cfg->listen));
}

static int
server_key(struct parser *p, const char *k, const char *v)
{
	struct smb2s_policy *pol = &p->cfg->policy;
	unsigned long n;

	if (!strcasecmp(k, "NetbiosName"))
		return copy_name(p, k, v, pol->netbios_name, sizeof(pol->netbios_name));
	if (!strcasecmp(k, "Domain") || !strcasecmp(k, "Workgroup"))
		return copy_name(p, k, v, pol->netbios_domain, sizeof(pol->netbios_domain));
	if (!strcasecmp(k, "DnsName"))
		return copy_name(p, k, v, pol->dns_name, sizeof(pol->dns_name));
	if (!strcasecmp(k, "Listen"))
		return parse_listen(p, k, v);
	if (!strcasecmp(k, "MinDialect"))
		return parse_dialect(p, k, v, &pol->min_dialect);
	if (!strcasecmp(k, "MaxDialect"))
		return parse_dialect(p, k, v, &pol->max_dialect);
	if (!strcasecmp(k, "EncryptData"))
		return parse_bool(p, k, v, &pol->encrypt_data);
	if (!strcasecmp(k, "RejectUnencryptedAccess"))
		return parse_bool(p, k, v, &pol->reject_unencrypted_access);
	if (!strcasecmp(k, "RequireSecuritySignature") || !strcasecmp(k, "RequireMessageSigning"))
		return parse_bool(p, k, v, &pol->require_message_signing);
	if (!strcasecmp(k, "EnableSMB1Protocol"))
		return parse_bool(p, k, v, &pol->enable_smb1);
	if (!strcasecmp(k, "AllowAnonymousAccess"))
		return parse_bool(p, k, v, &pol->allow_anonymous_access);
	if (!strcasecmp(k, "SmbServerNameHardeningLevel")) {
		if (parse_uint(p, k, v, 2, &n))
			return -1;
		pol->name_hardening_level = (uint8_t)n;
		return 0;
	}
	if (!strcasecmp(k, "SrvAllowedServerNames"))
		return each_item(p, k, v, add_accepted_name);
	if (!strcasecmp(k, "EncryptionCiphers"))
		return each_item(p, k, v, add_cipher);
	if (!strcasecmp(k, "SigningAlgorithms"))
		return each_item(p, k, v, add_signing);
	if (!strcasecmp(k, "MapToGuest")) {
		if (!strcasecmp(v, "never"))
			pol->guest = SMB2S_GUEST_NEVER;
		else if (!strcasecmp(v, "bad user"))
			pol->guest = SMB2S_GUEST_BAD_USER;
		else
			return perr(p, "MapToGuest wants 'never' or 'bad user', not '%s'", v);
		return 0;
	}
	if (!strcasecmp(k, "MaxSessions") || !strcasecmp(k, "MaxTreesPerSession") || !strcasecmp(k, "MaxCredits")) {
		if (parse_uint(p, k, v, !strcasecmp(k, "MaxCredits") ? 1024 : 64, &n))
			return -1;
		if (!strcasecmp(k, "MaxSessions"))
			pol->max_sessions = (uint16_t)n;
		else if (!strcasecmp(k, "MaxCredits"))
			pol->max_credits = (uint16_t)n;
		else
			pol->max_trees = (uint16_t)n;
		return 0;
	}
	if (!strcasecmp(k, "MaxTransactSize")) {
		if (parse_uint(p, k, v, 8 * 1024 * 1024, &n))
			return -1;
		if (n < 65536)
			return perr(p, "MaxTransactSize below 65536 makes clients disconnect (MS-SMB2 3.2.5.2)");
		pol->max_transact_size = (uint32_t)n;
		return 0;
	}
	if (!strcasecmp(k, "IdleTimeout"))
		return parse_seconds(p, k, v, &pol->step_timeout_us);
	if (!strcasecmp(k, "MaxConnections")) {
		if (parse_uint(p, k, v, 4096, &n))
			return -1;
		if (n == 0)
			return perr(p, "MaxConnections wants 1 to 4096");
		p->cfg->max_connections = (unsigned)n;
		return 0;
	}
	return perr(p, "unknown key '%s' in [server]", k);
}

static int
fault_key(struct parser *p, const char *k, const char *v)
{
	struct smb2s_fault *f = &p->cfg->policy.fault;

	if (!strcasecmp(k, "SilentOn")) {
		if (!strcasecmp(v, "none"))
			f->silent_on = SMB2S_FAULT_NONE;
		else if (!strcasecmp(v, "negotiate"))
			f->silent_on = SMB2S_FAULT_NEGOTIATE;
		else if (!strcasecmp(v, "session_setup"))
			f->silent_on = SMB2S_FAULT_SESSION_SETUP;
		else if (!strcasecmp(v, "tree_connect"))
			f->silent_on = SMB2S_FAULT_TREE_CONNECT;
		else
			return perr(p, "SilentOn wants none, negotiate, session_setup or tree_connect, not '%s'", v);
		return 0;
	}
	if (!strcasecmp(k, "Then")) {
		if (!strcasecmp(v, "none"))
			f->then = SMB2S_FAULT_END_NONE;
		else if (!strcasecmp(v, "close"))
			f->then = SMB2S_FAULT_END_CLOSE;
		else if (!strcasecmp(v, "reset"))
			f->then = SMB2S_FAULT_END_RESET;
		else
			return perr(p, "Then wants none, close or reset, not '%s'", v);
		return 0;
	}
	if (!strcasecmp(k, "After"))
		return parse_seconds(p, k, v, &f->after_us);
	if (!strcasecmp(k, "Delay"))
		return parse_seconds(p, k, v, &f->delay_us);
	return perr(p, "unknown key '%s' in [fault]", k);
}

static int
parse_hash(struct parser *p, const char *v, uint8_t out[16])
{
	unsigned i, byte;

	if (strlen(v) != 32)
		return perr(p, "NtHash wants 32 hex digits (smbdiag hash PASSWORD prints them)");
	for (i = 0; i < 16; i++) {
		if (sscanf(v + 2 * i, "%2x", &byte) != 1 || !isxdigit((unsigned char)v[2 * i]) ||
		    !isxdigit((unsigned char)v[2 * i + 1]))
			return perr(p, "NtHash: '%s' is not hexadecimal", v);
		out[i] = (uint8_t)byte;
	}
	return 0;
}

static int
user_key(struct parser *p, const char *k, const char *v)
{
	struct smb2s_user *u = p->user;
	static const char *const states[] = {"ok", "disabled", "locked", "expired", "password_expired",
					     "must_change_password", "restricted"};
	size_t i;

	if (!strcasecmp(k, "Password")) {
		if (ntlm_nt_hash(p->crypto, v, u->nt_hash) != SD_OK)
			return perr(p, "cannot hash this password (invalid UTF-8, or no MD4 in libcrypto)");
		p->user_has_secret = true;
		return 0;
	}
	if (!strcasecmp(k, "NtHash")) {
		p->user_has_secret = true;
		return parse_hash(p, v, u->nt_hash);
	}
	if (!strcasecmp(k, "State")) {
		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			if (!strcasecmp(v, states[i])) {
				u->state = (enum smb2s_account)i;
				return 0;
			}
		return perr(p, "State wants ok, disabled, locked, expired, password_expired, must_change_password "
			    "or restricted, not '%s'", v);
	}
	return perr(p, "unknown key '%s' in a [user] section", k);
}

static int
share_key(struct parser *p, const char *k, const char *v)
{
	struct smb2s_share *sh = p->share;
	char full[2 * SMB2S_PATH_MAX];
	struct stat st;

	if (!strcasecmp(k, "Path")) {
		if (copy_name(p, k, v, sh->path, sizeof(sh->path)))
			return -1;
		if (v[0] != '/' && p->base_dir)
			snprintf(full, sizeof(full), "%s/%s", p->base_dir, v);
		else
			snprintf(full, sizeof(full), "%s", v);
		/* The article's "folder missing" case: the share stays, its
		 * TREE_CONNECT is refused. */
		sh->path_exists = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
		return 0;
	}
	if (!strcasecmp(k, "EncryptData"))
		return parse_bool(p, k, v, &sh->encrypt_data);
	if (!strcasecmp(k, "GuestOk"))
		return parse_bool(p, k, v, &sh->guest_ok);
	if (!strcasecmp(k, "MaxUses")) {
		unsigned long n;

		if (parse_uint(p, k, v, 1000000, &n))
			return -1;
		sh->max_uses = (uint32_t)n;
		return 0;
	}
	if (!strcasecmp(k, "ValidUsers"))
		return each_item(p, k, v, add_valid_user);
	if (!strcasecmp(k, "Type")) {
		if (!strcasecmp(v, "disk"))
			sh->type = SMB2_SHARE_TYPE_DISK;
		else if (!strcasecmp(v, "pipe"))
			sh->type = SMB2_SHARE_TYPE_PIPE;
		else
			return perr(p, "Type wants disk or pipe, not '%s'", v);
		return 0;
	}
	return perr(p, "unknown key '%s' in a [share] section", k);
}

/* "cifs/fs1.smbdiag.test[@REALM]": the host part joins the accepted names
 * (the name hardening check compares what follows "cifs/"). */
static int
add_service_name(struct parser *p, const char *key, const char *item)
{
	char host[SMB2S_NAME_MAX + 8];
	const char *slash = strchr(item, '/');
	char *at;

	if (slash == NULL || (size_t)(slash - item) != 4 || strncasecmp(item, "cifs", 4) != 0)
		return perr(p, "%s: '%s' is not a cifs/NAME service name", key, item);
	snprintf(host, sizeof(host), "%s", slash + 1);
	at = strchr(host, '@');
	if (at)
		*at = '\0';
	return add_accepted_name(p, key, host);
}

static int
kerberos_key(struct parser *p, const char *k, const char *v)
{
	char *dst = p->cfg->keytab;
	size_t cap = sizeof(p->cfg->keytab);

	if (!strcasecmp(k, "Keytab")) {
		if (v[0] == '\0')
			return perr(p, "Keytab wants a file name");
		/* A relative keytab counts from the file's folder, like Path. */
		if (v[0] != '/' && !strchr(v, ':') && p->base_dir)
			snprintf(dst, cap, "%s/%s", p->base_dir, v);
		else
			snprintf(dst, cap, "%s", v);
		return 0;
	}
	if (!strcasecmp(k, "ServiceNames"))
		return each_item(p, k, v, add_service_name);
	return perr(p, "unknown key '%s' in [kerberos]", k);
}

static int
end_section(struct parser *p)
{
	if (p->sec == SEC_USER && !p->user_has_secret)
		return perr(p, "user '%s' has neither Password nor NtHash", p->user->name);
	return 0;
}

static int
open_section(struct parser *p, char *head)
{
	struct smb2s_policy *pol = &p->cfg->policy;
	char *name = head, *arg;

	if (end_section(p))
		return -1;
	arg = strchr(head, ' ');
	if (arg) {
		*arg++ = '\0';
		arg = trim(arg);
	}
	if (!strcasecmp(name, "server") && !arg) {
		p->sec = SEC_SERVER;
	} else if (!strcasecmp(name, "fault") && !arg) {
		p->sec = SEC_FAULT;
	} else if (!strcasecmp(name, "kerberos") && !arg) {
		p->sec = SEC_KERBEROS;
	} else if (!strcasecmp(name, "user") && arg && *arg) {
		if (pol->n_users >= SMB2S_MAX_USERS)
			return perr(p, "at most %d users", SMB2S_MAX_USERS);
		if (smb2s_policy_user(pol, arg))
			return perr(p, "user '%s' appears twice", arg);
		p->user = &pol->users[pol->n_users++];
		p->user_has_secret = false;
		p->sec = SEC_USER;
		return copy_name(p, "user name", arg, p->user->name, sizeof(p->user->name));
	} else if (!strcasecmp(name, "share") && arg && *arg) {
		if (pol->n_shares >= SMB2S_MAX_SHARES)
			return perr(p, "at most %d shares", SMB2S_MAX_SHARES);
		if (smb2s_policy_share(pol, arg))
			return perr(p, "share '%s' appears twice", arg);
		p->share = &pol->shares[pol->n_shares++];
		p->share->type = SMB2_SHARE_TYPE_DISK;
		p->sec = SEC_SHARE;
		return copy_name(p, "share name", arg, p->share->name, sizeof(p->share->name));
	} else {
		return perr(p, "unknown section [%s%s%s] (use [server], [fault], [kerberos], [user NAME], [share NAME])", name,
			    arg ? " " : "", arg ? arg : "");
	}
	return 0;
}

static int
parse_line(struct parser *p, char *line)
{
	char *s = trim(line), *eq, *key, *val;

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (close == NULL || *trim(close + 1) != '\0')
			return perr(p, "a section header is [name] alone on its line");
		*close = '\0';
		return open_section(p, trim(s + 1));
	}
	eq = strchr(s, '=');
	if (eq == NULL)
		return perr(p, "expected 'Key = Value' or '[section]'");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	switch (p->sec) {
	case SEC_SERVER: return server_key(p, key, val);
	case SEC_FAULT: return fault_key(p, key, val);
	case SEC_USER: return user_key(p, key, val);
	case SEC_SHARE: return share_key(p, key, val);
	case SEC_KERBEROS: return kerberos_key(p, key, val);
	default: return perr(p, "'%s' before any section", key);
	}
}

static int
read_config(FILE *f, const char *name, const char *base_dir, struct sd_crypto *crypto, struct serve_config *out,
	    char *err, size_t err_cap)
{
	struct parser p;
	char line[LINE_MAX_LEN];
	const char *why;

	memset(out, 0, sizeof(*out));
	smb2s_policy_defaults(&out->policy);
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.base_dir = base_dir;
	p.crypto = crypto;
	p.cfg = out;
	p.err = err;
	p.err_cap = err_cap;
	errno = 0;
	while (fgets(line, sizeof(line), f)) {
		p.line++;
		if (strchr(line, '\n') == NULL && !feof(f) && !ferror(f))
			return perr(&p, "line longer than %d characters", LINE_MAX_LEN - 2);
		if (parse_line(&p, line) != 0)
			return -1;
	}
	/* A file cut short by a read error is not the policy it holds. */
	if (ferror(f)) {
		snprintf(err, err_cap, "%s: cannot read it after line %u: %s", name, p.line,
			 errno ? strerror(errno) : "read error");
		return -1;
	}
	if (end_section(&p))
		return -1;
	if (smb2s_policy_check(&out->policy, &why) != SD_OK)
		return perr(&p, "%s", why);
	return 0;
}

int
serve_config_read(FILE *f, const char *name, struct sd_crypto *crypto, struct serve_config *out, char *err,
		  size_t err_cap)
{
	return read_config(f, name, NULL, crypto, out, err, err_cap);
}

int
serve_config_load(const char *path, struct sd_crypto *crypto, struct serve_config *out, char *err, size_t err_cap)
{
	FILE *f = fopen(path, "r");
	char dir[SMB2S_PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int rc;

	if (f == NULL) {
		snprintf(err, err_cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* A folder opens and reads as nothing: an empty policy, no error. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, err_cap, "%s: %s (-c wants the INI file)", path, strerror(EISDIR));
		fclose(f);
		return -1;
	}
	/* Relative share paths count from the file's folder, so the
	 * examples work from anywhere. */
	if (slash && (size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	rc = read_config(f, path, dir, crypto, out, err, err_cap);
	fclose(f);
	return rc;
}
