/* Kerberos for `smbdiag serve` (see serve_kerberos.h). */
#include <stdio.h>

#include "cli/serve_kerberos.h"
#include "core/wire/names.h"
#include "net/gss_server.h"

int
serve_kerberos_start(struct serve_config *cfg, struct gss_server **out)
{
	char err[512];

	*out = NULL;
	if (cfg->keytab[0] == '\0')
		return 0;
	if (gss_server_create(cfg->keytab, out, err, sizeof(err)) != SD_OK) {
		fprintf(stderr, "smbdiag serve: Kerberos: %s\n", err);
		return -1;
	}
	cfg->policy.krb = &gss_server_krb_ops;
	cfg->policy.krb_acceptor = *out;
	return 0;
}

static void
print_line(void *user, const char *line)
{
	fprintf((FILE *)user, "    key %s\n", line);
}

void
serve_kerberos_banner(FILE *f, const struct serve_config *cfg, const struct gss_server *g)
{
	const struct smb2s_policy *p = &cfg->policy;
	uint8_t i;

	if (g == NULL)
		return;
	fprintf(f, "  Kerberos: keytab %s (SPNEGO offers MS-KRB5, KRB5, NTLMSSP)\n", cfg->keytab);
	gss_server_list_keys(g, print_line, f);
	if (p->name_hardening_level == 0) {
		fprintf(f, "    any service name of the keytab is accepted (SmbServerNameHardeningLevel 0)\n");
	} else {
		fprintf(f, "    service names accepted:");
		for (i = 0; i < p->n_accepted_names; i++)
			fprintf(f, " cifs/%s", p->accepted_names[i]);
		if (p->n_accepted_names == 0)
			fprintf(f, " cifs/<NetbiosName>, cifs/<DnsName>");
		fprintf(f, "\n");
	}
}

void
serve_kerberos_json(struct cli_json *j, const struct smb2s_event *ev)
{
	const char *name;

	if (!ev->kerberos)
		return;
	if (ev->kind == SMB2S_EV_SESSION_AUTH) {
		cli_json_kv_string(j, "realm", ev->realm[0] ? ev->realm : NULL);
		if (ev->has_kvno)
			cli_json_kv_uint(j, "kvno", ev->kvno);
		if (ev->etype)
			cli_json_kv_int(j, "etype", ev->etype);
	} else if (ev->kind == SMB2S_EV_REFUSED) {
		cli_json_kv_string(j, "mechanism", "kerberos");
		if (ev->krb_error > 0) {
			cli_json_kv_int(j, "krb_error", ev->krb_error);
			name = krb_error_name(ev->krb_error);
			cli_json_kv_string(j, "krb_error_name", name);
		}
	}
}

void
serve_kerberos_stop(struct gss_server *g)
{
	gss_server_free(g);
}
