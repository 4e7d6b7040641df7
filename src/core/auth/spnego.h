/* SPNEGO (RFC 4178, MS-SPNG) tokens as carried in SMB SESSION_SETUP
 * security buffers, plus the raw NTLMSSP and raw Kerberos tokens Windows
 * also accepts there.
 *
 * Decoding never allocates: every pointer in the structs below points into
 * the input buffer, which must outlive them.
 */
#ifndef SMBDIAG_CORE_AUTH_SPNEGO_H
#define SMBDIAG_CORE_AUTH_SPNEGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/anomaly.h"
#include "core/wire/cursor.h"

enum spnego_mech {
	SPNEGO_MECH_NONE = 0,      /* absent */
	SPNEGO_MECH_UNKNOWN = 1,   /* an OID we do not know */
	SPNEGO_MECH_KRB5 = 2,      /* 1.2.840.113554.1.2.2 */
	SPNEGO_MECH_MS_KRB5 = 3,   /* 1.2.840.48018.1.2.2 (legacy, truncated) */
	SPNEGO_MECH_KRB5_U2U = 4,  /* 1.2.840.113554.1.2.2.3 */
	SPNEGO_MECH_NTLMSSP = 5,   /* 1.3.6.1.4.1.311.2.2.10 */
	SPNEGO_MECH_NEGOEX = 6,    /* 1.3.6.1.4.1.311.2.2.30 */
};

/* OID contents octets (no tag / length). */
extern const uint8_t spnego_oid_spnego[6];
extern const uint8_t spnego_oid_krb5[9];
extern const uint8_t spnego_oid_ms_krb5[9];
extern const uint8_t spnego_oid_krb5_u2u[10];
extern const uint8_t spnego_oid_ntlmssp[10];
extern const uint8_t spnego_oid_negoex[10];

/* Maps OID contents to a mechanism (SPNEGO_MECH_UNKNOWN when not ours). */
enum spnego_mech spnego_mech_from_oid(const uint8_t *oid, size_t len);
/* OID contents of a known mechanism, NULL for NONE / UNKNOWN. */
const uint8_t *spnego_mech_oid(enum spnego_mech mech, size_t *len);
/* "kerberos", "ms-kerberos", "kerberos-u2u", "ntlmssp", "negoex", "unknown", "none". */
const char *spnego_mech_name(enum spnego_mech mech);

enum spnego_neg_state {
	SPNEGO_ACCEPT_COMPLETED = 0,
	SPNEGO_ACCEPT_INCOMPLETE = 1,
	SPNEGO_REJECT = 2,
	SPNEGO_REQUEST_MIC = 3,
};
const char *spnego_neg_state_name(int state);

#define SPNEGO_MECHS_MAX 8

struct spnego_oid {
	const uint8_t *p;  /* contents octets */
	size_t len;
};

struct spnego_blob {
	const uint8_t *p;  /* NULL when absent */
	size_t len;
};

/* NegTokenInit (client) or NegTokenInit2 (server, with negHints). */
struct spnego_init {
	uint8_t n_mechs;
	uint8_t mechs_dropped;            /* mechTypes beyond SPNEGO_MECHS_MAX */
	enum spnego_mech mechs[SPNEGO_MECHS_MAX];
	struct spnego_oid mech_oids[SPNEGO_MECHS_MAX];
	/* The whole MechTypeList element (SEQUENCE header included): the bytes
	 * mechListMIC is computed over. */
	struct spnego_blob mech_types_der;
	bool has_req_flags;
	uint32_t req_flags;               /* ContextFlags, bit 0 = MSB */
	struct spnego_blob mech_token;
	bool has_neg_hints;               /* NegTokenInit2 */
	struct spnego_blob hint_name;     /* GeneralString, not NUL-terminated */
	struct spnego_blob hint_address;
	struct spnego_blob mech_list_mic;
};

struct spnego_resp {
	bool has_neg_state;
	uint8_t neg_state;                /* enum spnego_neg_state */
	enum spnego_mech supported_mech;  /* SPNEGO_MECH_NONE when absent */
	struct spnego_oid supported_oid;
	struct spnego_blob response_token;
	struct spnego_blob mech_list_mic;
};

enum spnego_kind {
	SPNEGO_KIND_EMPTY = 0,       /* zero-length security buffer */
	SPNEGO_KIND_INIT = 1,        /* GSS framed (or bare [0]) NegTokenInit / Init2 */
	SPNEGO_KIND_RESP = 2,        /* [1] NegTokenResp */
	SPNEGO_KIND_RAW_NTLMSSP = 3, /* "NTLMSSP\0" without SPNEGO */
	SPNEGO_KIND_RAW_KRB5 = 4,    /* GSS Kerberos token or bare AP-REQ without SPNEGO */
};

struct spnego_token {
	enum spnego_kind kind;
	bool gss_framed;             /* INIT came inside [APPLICATION 0] + SPNEGO OID */
	struct spnego_init init;     /* kind == SPNEGO_KIND_INIT */
	struct spnego_resp resp;     /* kind == SPNEGO_KIND_RESP */
	struct spnego_blob raw;      /* RAW kinds: the whole token */
	enum spnego_mech raw_mech;   /* RAW kinds: NTLMSSP or KRB5 */
	struct sd_anomalies anom;
};

/* Decodes a SESSION_SETUP security buffer. Returns SD_OK, SD_ERR_TRUNCATED,
 * SD_ERR_MALFORMED, or SD_ERR_PROTOCOL_ID when the bytes are neither
 * SPNEGO nor a raw NTLMSSP / Kerberos token. */
enum sd_err spnego_decode(const uint8_t *p, size_t len, struct spnego_token *out);

/* Finds the mechanism token inside an INIT / RESP (mechToken or
 * responseToken) or the raw token itself; returns an empty blob when none. */
struct spnego_blob spnego_inner_token(const struct spnego_token *tok);

/* --- encoders: write into w, return w's error --- */

/* Client NegTokenInit inside the GSS framing, from in->mechs, req_flags
 * (when has_req_flags), mech_token and mech_list_mic. */
enum sd_err spnego_encode_init(struct sd_wr *w, const struct spnego_init *in);
/* Server NegTokenInit2 (GSS framed) with negHints.hintName; pass in with
 * has_neg_hints set. hint_name defaults to nothing when its p is NULL. */
enum sd_err spnego_encode_init2(struct sd_wr *w, const struct spnego_init *in);
/* [1] NegTokenResp. */
enum sd_err spnego_encode_resp(struct sd_wr *w, const struct spnego_resp *in);
/* The DER MechTypeList alone (what mechListMIC signs). */
enum sd_err spnego_encode_mech_types(struct sd_wr *w, const enum spnego_mech *mechs, size_t n);

/* The hintName Windows servers send (MS-SPNG 3.2.5.2). */
#define SPNEGO_WINDOWS_HINT_NAME "not_defined_in_RFC4178@please_ignore"

#endif
