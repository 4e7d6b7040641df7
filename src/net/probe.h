/* The active probe: walks a live server through NEGOTIATE, SESSION_SETUP
 * and TREE_CONNECT with the core client on a libuv loop, turns what
 * happened into the evidence timeline (one connection), then runs the
 * follow-up experiments a failure calls for (each on a new connection)
 * and records them as ev_experiment entries. The caller runs the rules
 * and renders; this module never writes findings.
 */
#ifndef SMBDIAG_NET_PROBE_H
#define SMBDIAG_NET_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/proto/client.h"
#include "diag/evidence.h"
#include "net/conn.h"

/* Exit statuses (SPEC "Exit status, probe"). */
enum probe_exit {
	PROBE_EXIT_OK = 0,
	PROBE_EXIT_INTERNAL = 1,
	PROBE_EXIT_USAGE = 2,        /* what was asked cannot run here (no Kerberos) */
	PROBE_EXIT_TCP = 10,
	PROBE_EXIT_NEGOTIATE = 11,
	PROBE_EXIT_SESSION = 12,
	PROBE_EXIT_TREE = 13,
};

#define PROBE_DEFAULT_PORT 445
#define PROBE_NETBIOS_PORT 139
#define PROBE_DEFAULT_TIMEOUT_MS 60000u
/* Follow-up connections at most: five dialects and SMB1, or one retry. */
#define PROBE_MAX_EXPERIMENTS 8

enum probe_auth {
	PROBE_AUTH_AUTO = 0,         /* Kerberos for a name when a ticket can be had, else NTLM */
	PROBE_AUTH_NTLM = 1,
	PROBE_AUTH_KERBEROS = 2,     /* MIT krb5 / GSSAPI, never falls back */
};

struct probe_config {
	const char *host;            /* as typed: tree path, NTLM target name, NetBIOS called name */
	const char *connect_to;      /* -I: the address to connect to; NULL = host */
	uint16_t port;               /* 0 = 445; 139 adds the NetBIOS session request */
	bool netbios;                /* the NetBIOS session request on any port */
	const char *share;
	const char *user;            /* NTLM; ignored with anonymous */
	const char *domain;          /* NULL: the server's domain from its CHALLENGE */
	const char *password;
	bool anonymous;
	enum probe_auth auth;
	uint16_t dialects[SMB2_CLIENT_MAX_DIALECTS];  /* none = 2.0.2 .. 3.1.1 */
	uint8_t n_dialects;
	bool smb1_first;             /* begin with an SMB1 multi-protocol NEGOTIATE */
	bool smb1_only;              /* ... offering SMB1 dialects alone (an SMB1-only client) */
	bool no_encryption;
	enum smb2_signing_mode signing;
	unsigned timeout_ms;         /* per step; 0 = 60 s */
	bool no_experiments;
	net_tap_fn tap;              /* every byte of every connection (capture) */
	void *tap_user;
};

/* Runs the probe into t (initialised by the caller, mode probe; it gets
 * one connection and the experiments). Returns the exit status of the
 * configuration asked for (enum probe_exit); the experiments never change
 * it. PROBE_EXIT_INTERNAL when nothing could run (memory, event loop),
 * PROBE_EXIT_USAGE when this system cannot do what cfg asks (--auth
 * kerberos without a Kerberos library); then why (why_cap bytes) says so. */
int probe_run(const struct probe_config *cfg, struct ev_timeline *t, char *why, size_t why_cap);

/* True when the user's default credential cache holds an unexpired TGT,
 * of user's account when user is given ("alice" or "alice@REALM"): then
 * --auth auto has a ticket without a password. Loads MIT Kerberos. */
bool probe_cache_has_tgt(const char *user);

#endif
