/* Kerberos for `smbdiag serve` through MIT GSSAPI as acceptor: the
 * credentials come from a keytab (any principal in it, so that the
 * server's name-hardening policy, not the keytab, decides which service
 * names are welcome), and each session gets its own security context.
 * gss_server_krb_ops is the core server's smb2s_krb_ops seam, the server
 * side of what gss_client_auth_ops is to the probe. An acceptor needs no
 * KDC: only the keytab file is read.
 */
#ifndef SMBDIAG_NET_GSS_SERVER_H
#define SMBDIAG_NET_GSS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/proto/server.h"

struct gss_server;

/* Acquires acceptor credentials from the keytab (a path, or a
 * "TYPE:residual" name). SD_ERR_NOT_FOUND when the keytab is missing or
 * empty, SD_ERR_CRYPTO for other GSS failures; err holds a sentence. */
enum sd_err gss_server_create(const char *keytab, struct gss_server **out, char *err, size_t err_cap);
void gss_server_free(struct gss_server *g);

/* One line per keytab entry for the startup banner:
 * "cifs/fs1.smbdiag.test@SMBDIAG.TEST kvno 2 aes256-cts-hmac-sha1-96".
 * Calls fn for each; returns how many entries there were. */
size_t gss_server_list_keys(const struct gss_server *g, void (*fn)(void *user, const char *line), void *user);

extern const struct smb2s_krb_ops gss_server_krb_ops;

#endif
