/* analyze --keytab: the service keys of a keytab, read once with MIT
 * krb5, as a struct cap_krb_keysource for the analyzer (cap.h).
 *
 * For an AP-REQ it finds the key of the ticket's service name, key
 * version and enctype (then any key of that enctype and version, as an
 * acceptor without a fixed name does), decrypts the ticket for its session
 * key and the Authenticator for the initiator's subkey; for the AP-REP the
 * EncAPRepPart for the acceptor's subkey (key usage 12).
 *
 * Not krb5_rd_req / krb5_rd_rep: they check the ticket's lifetime and the
 * authenticator's time against the current clock (and a replay cache),
 * which a capture read hours later fails; decryption itself does not need
 * the clock. */
#ifndef SMBDIAG_CAPTURE_KEYTAB_H
#define SMBDIAG_CAPTURE_KEYTAB_H

#include <stddef.h>

#include "capture/cap.h"
#include "core/err.h"

/* Keys beyond this many are ignored (a keytab holds a few per name). */
#define CAP_KEYTAB_MAX_ENTRIES 4096

struct cap_keytab;

/* Reads every entry of path ("FILE:" optional). SD_ERR_IO with errbuf
 * saying why when it cannot be read or holds no key; SD_ERR_NOMEM. */
enum sd_err cap_keytab_load(const char *path, struct cap_keytab **out, char *errbuf, size_t errcap);
/* Wipes the keys. Accepts NULL. */
void cap_keytab_free(struct cap_keytab *kt);
size_t cap_keytab_n_keys(const struct cap_keytab *kt);
/* The key source for cap_opts.krb_keys; valid while kt lives. */
const struct cap_krb_keysource *cap_keytab_source(struct cap_keytab *kt);

#endif
