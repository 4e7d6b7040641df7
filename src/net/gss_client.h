/* Kerberos for the probe through MIT krb5 and GSSAPI: the TGT (from the
 * user's cache, or an AS exchange into a private in-memory cache with
 * -U user%password), the service ticket for cifs/<name as typed>, and the
 * GSS Kerberos context whose tokens the core client carries in SPNEGO
 * (gss_client_auth_ops, an smb2_client_auth_ops). Every exchange and every
 * KDC refusal is kept for the evidence timeline. Not thread-safe; one
 * object per probe, reset between connections.
 */
#ifndef SMBDIAG_NET_GSS_CLIENT_H
#define SMBDIAG_NET_GSS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/proto/client.h"
#include "net/gss_kdc_log.h"

enum gss_client_stage {
	GSS_STAGE_NONE = 0,
	GSS_STAGE_TGT,        /* the user's cache, or the AS exchange */
	GSS_STAGE_TICKET,     /* the TGS exchange for cifs/<name> */
	GSS_STAGE_CONTEXT,    /* the AP-REQ / AP-REP through GSSAPI */
};

#define GSS_CLIENT_TEXT 256

struct gss_client_error {
	enum gss_client_stage stage;
	long code;                 /* krb5_error_code or GSS minor status; 0 = none */
	int32_t krb_error;         /* RFC 4120 error number, -1 when code is not one */
	bool no_credentials;       /* no password and no TGT in the default cache */
	bool other_user;           /* ... the default cache holds another principal than the user asked for */
	bool cannot_start;         /* no Kerberos library (or it could not start) */
	char message[GSS_CLIENT_TEXT];
	char cache_principal[GSS_CLIENT_TEXT];  /* other_user: the cache's principal, "alice@REALM" */
};

struct gss_client_config {
	const char *user;          /* user, user@REALM; NULL = the cache's principal (without a
				    * password, a cache of another principal is refused: other_user) */
	const char *domain;        /* DOMAIN of -U DOMAIN\user: the realm when it holds a dot */
	const char *password;      /* NULL: the user's default cache */
	const char *host;          /* the name as typed: cifs/<host> */
};

struct gss_client;

/* Gets the TGT (stage TGT). SD_ERR_VERIFY with err filled when Kerberos
 * refused, SD_ERR_NOMEM / SD_ERR_CRYPTO for library failures (err says). */
enum sd_err gss_client_create(const struct gss_client_config *cfg, struct gss_client **out,
			      struct gss_client_error *err);
void gss_client_free(struct gss_client *g);
/* The TGS exchange for the service ticket (stage TICKET). */
enum sd_err gss_client_get_ticket(struct gss_client *g, struct gss_client_error *err);
/* Forget the security context: the next first_token starts a new one
 * (one per SMB connection). */
void gss_client_reset(struct gss_client *g);
/* The last failure inside the callbacks (stage CONTEXT). */
const struct gss_client_error *gss_client_last_error(const struct gss_client *g);

bool gss_client_did_as_exchange(const struct gss_client *g);  /* a password was used */
const char *gss_client_cname(const struct gss_client *g);     /* "alice" */
const char *gss_client_realm(const struct gss_client *g);     /* "SMBDIAG.TEST" */
const char *gss_client_sname(const struct gss_client *g);     /* "cifs/fs1.smbdiag.test" */
/* The service ticket's key version (after get_ticket), false if unknown. */
bool gss_client_ticket_kvno(const struct gss_client *g, uint32_t *kvno);
bool gss_client_mutual(const struct gss_client *g);           /* the AP-REP was verified */

/* Every KDC exchange so far (stage = enum gss_client_stage). */
const struct gss_kdc_log *gss_client_kdc_log(const struct gss_client *g);

/* A ticket as the library holds it (times are the KDC's, Unix seconds). */
struct gss_client_ticket {
	bool present;
	bool from_cache;            /* no KDC exchange was needed for it */
	bool has_kvno;
	uint32_t kvno;              /* the enc-part's key version (the service key) */
	int32_t enctype;            /* the enc-part's encryption type (the service key's) */
	int32_t session_enctype;
	int64_t authtime, starttime, endtime;
	uint64_t got_us;            /* net_now_us() when we got it */
};
const struct gss_client_ticket *gss_client_tgt(const struct gss_client *g);
const struct gss_client_ticket *gss_client_service_ticket(const struct gss_client *g);

/* The AP exchange inside SESSION_SETUP: when the AP-REQ left, when the
 * server's Kerberos token came back (0: none), and what GSSAPI made of it. */
struct gss_client_ap {
	uint64_t request_us;
	bool has_ticket;            /* the AP-REQ's ticket header decoded */
	uint32_t kvno;
	int32_t enctype;
	uint64_t answer_us;
	bool answer_is_error;       /* the server sent a KRB-ERROR */
	int32_t error;              /* its code (RFC 4120), -1 unknown */
	bool verified;              /* the AP-REP decrypted: mutual authentication */
	char message[GSS_CLIENT_TEXT];  /* GSSAPI's words when it refused the answer */
};
const struct gss_client_ap *gss_client_ap(const struct gss_client *g);

extern const struct smb2_client_auth_ops gss_client_auth_ops;

#endif
