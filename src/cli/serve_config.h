/* The INI file of `smbdiag serve`: keys named like the Windows settings
 * people look up (Get-SmbServerConfiguration, the LanmanServer registry
 * values), turned into a server policy (src/core/proto/server.h).
 *
 *   [server]   NetbiosName, Domain, DnsName, MinDialect, MaxDialect,
 *              EncryptData, RejectUnencryptedAccess, RequireSecuritySignature,
 *              EnableSMB1Protocol, SmbServerNameHardeningLevel,
 *              SrvAllowedServerNames, AllowAnonymousAccess, MapToGuest,
 *              EncryptionCiphers, SigningAlgorithms, MaxSessions,
 *              MaxTreesPerSession, MaxCredits, MaxTransactSize, IdleTimeout,
 *              Listen, MaxConnections
 *   [fault]    SilentOn, Then, After, Delay
 *   [user NAME]   Password | NtHash, State
 *   [share NAME]  Path, EncryptData, ValidUsers, GuestOk, Type, MaxUses
 *   [kerberos] Keytab (relative to the file), ServiceNames (cifs/NAME, ...:
 *              added to the accepted names that SmbServerNameHardeningLevel
 *              checks; level 0 accepts a ticket for any key of the keytab)
 */
#ifndef SMBDIAG_CLI_SERVE_CONFIG_H
#define SMBDIAG_CLI_SERVE_CONFIG_H

#include <stdio.h>

#include "core/auth/crypto_ctx.h"
#include "core/proto/server.h"

struct serve_config {
	struct smb2s_policy policy;
	char listen[128];          /* "127.0.0.1:4455" from [server] Listen, empty if absent */
	unsigned max_connections;  /* [server] MaxConnections; 0: the loop's default */
	char keytab[2 * SMB2S_PATH_MAX];  /* [kerberos] Keytab as a path; empty: NTLM only */
	struct smb2s_share_uses uses;     /* Share.CurrentUses of every connection (policy.uses) */
};

/* Reads the file; on error returns -1 with a message "FILE:LINE: ..." in
 * err. Share folders are checked for existence here (the core never
 * touches the file system). crypto makes NT hashes of passwords. */
int serve_config_load(const char *path, struct sd_crypto *crypto, struct serve_config *out, char *err,
		      size_t err_cap);
/* Same from a stream, named `name` in messages (tests). */
int serve_config_read(FILE *f, const char *name, struct sd_crypto *crypto, struct serve_config *out, char *err,
		      size_t err_cap);
/* "ADDRESS:PORT", "[V6]:PORT" or ":PORT" (every IPv4 address) into host
 * (an address literal: the server binds it, it resolves no name) and
 * port; -1 when text is none of those. */
int serve_listen_parse(const char *text, char *host, size_t cap, uint16_t *port);

#endif
