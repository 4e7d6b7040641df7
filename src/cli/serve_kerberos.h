/* Kerberos for `smbdiag serve`: the keytab acceptor behind the policy
 * (src/net/gss_server.h) and the Kerberos particulars of the event log. */
#ifndef SMBDIAG_CLI_SERVE_KERBEROS_H
#define SMBDIAG_CLI_SERVE_KERBEROS_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/json.h"
#include "cli/serve_config.h"

struct gss_server;

/* With [kerberos] Keytab: acquires the acceptor and hooks it into
 * cfg->policy (*out to free after the loop). 0, or -1 after printing why
 * on standard error. Without a keytab: 0 and *out NULL. */
int serve_kerberos_start(struct serve_config *cfg, struct gss_server **out);
/* The keytab's keys for the startup banner, one line each. */
void serve_kerberos_banner(FILE *f, const struct serve_config *cfg, const struct gss_server *g);
/* SESSION_AUTH / REFUSED fields of a Kerberos event. */
void serve_kerberos_json(struct cli_json *j, const struct smb2s_event *ev);
void serve_kerberos_stop(struct gss_server *g);

#endif
