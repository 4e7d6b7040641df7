/* Kerberos messages as seen in captures and SESSION_SETUP blobs: the outer,
 * unencrypted structure only (RFC 4120 5.4-5.9, MS-KILE 2.2).
 *
 * What is decoded: AS-REQ / TGS-REQ (with the AP-REQ inside PA-TGS-REQ),
 * AS-REP / TGS-REP, KRB-ERROR (with METHOD-DATA / ETYPE-INFO2 and the MS
 * KERB-ERROR-DATA / KERB-EXT-ERROR NTSTATUS in e-data), AP-REQ and AP-REP,
 * bare or inside the GSS-API Kerberos framing (RFC 4121 4.1). Encrypted
 * parts are left as pointers with their etype and kvno.
 *
 * Every pointer points into the input; lists have fixed caps (overflow is
 * an SD_ANOM_ITEMS_DROPPED anomaly).
 */
#ifndef SMBDIAG_CORE_AUTH_KRB5MSG_H
#define SMBDIAG_CORE_AUTH_KRB5MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/anomaly.h"

enum krb_msg_type {
	KRB_MSG_AS_REQ = 10,
	KRB_MSG_AS_REP = 11,
	KRB_MSG_TGS_REQ = 12,
	KRB_MSG_TGS_REP = 13,
	KRB_MSG_AP_REQ = 14,
	KRB_MSG_AP_REP = 15,
	KRB_MSG_ERROR = 30,
};
/* "AS-REQ", ..., "KRB-ERROR"; NULL for other numbers. */
const char *krb_msg_type_name(int type);

/* GSS-API token ids (RFC 4121 4.1). */
#define KRB_TOK_AP_REQ 0x0100
#define KRB_TOK_AP_REP 0x0200
#define KRB_TOK_ERROR  0x0300

/* padata types this decoder looks into. */
#define KRB_PA_TGS_REQ     1
/* Windows KDCs put the 12-byte KERB-EXT-ERROR in a METHOD-DATA entry of
 * this (obsolete) type; a 12-byte value there is read as the NTSTATUS. */
#define KRB_PA_PW_SALT     3
#define KRB_PA_ETYPE_INFO  11
#define KRB_PA_ETYPE_INFO2 19

/* APOptions (bit 0 = MSB of the 32-bit value). */
#define KRB_AP_OPT_USE_SESSION_KEY 0x40000000u
#define KRB_AP_OPT_MUTUAL_REQUIRED 0x20000000u

/* KERB-ERROR-DATA data-type values (MS-KILE 2.2.1, 2.2.2). */
#define KRB_ERR_DATA_SKEW_RECOVERY 2
#define KRB_ERR_DATA_EXTENDED      3

#define KRB_NAME_PARTS_MAX 4
#define KRB_PADATA_MAX     12
#define KRB_ETYPES_MAX     16
#define KRB_ETYPE_INFO_MAX 8
/* Bytes in a TCP record marker (RFC 4120 7.2.2). */
#define KRB_TCP_PREFIX 4

struct krb_str {
	const uint8_t *p;   /* NULL when absent; not NUL-terminated */
	size_t len;
};

struct krb_principal {
	bool present;
	int32_t name_type;
	uint8_t n;
	uint8_t dropped;     /* components beyond KRB_NAME_PARTS_MAX */
	struct krb_str part[KRB_NAME_PARTS_MAX];
};

/* Writes "a/b/c" (components joined with '/', no realm) as a C string.
 * SD_ERR_NO_SPACE when cap is too small (out then holds ""). Bytes are
 * copied as they are; NUL bytes inside a component are replaced by '?'. */
enum sd_err krb_principal_text(const struct krb_principal *name, char *out, size_t cap);

/* EncryptedData: only the clear header. */
struct krb_enc {
	bool present;
	int32_t etype;
	bool has_kvno;
	uint32_t kvno;
	struct krb_str cipher;
};

struct krb_ticket {
	bool present;
	int32_t tkt_vno;
	struct krb_str realm;
	struct krb_principal sname;
	struct krb_enc enc_part;
};

struct krb_ap_req {
	uint32_t ap_options;
	struct krb_ticket ticket;
	struct krb_enc authenticator;
};

struct krb_ap_rep {
	struct krb_enc enc_part;
};

struct krb_padata_list {
	uint8_t n;
	uint8_t dropped;
	int32_t type[KRB_PADATA_MAX];
	struct krb_str value[KRB_PADATA_MAX];
};

struct krb_kdc_req {
	struct krb_padata_list padata;
	uint32_t kdc_options;
	struct krb_principal cname;
	struct krb_str realm;
	struct krb_principal sname;
	bool has_from;
	int64_t from;            /* epoch seconds */
	int64_t till;
	bool has_rtime;
	int64_t rtime;
	uint32_t nonce;
	uint8_t n_etypes;
	uint8_t etypes_dropped;
	int32_t etypes[KRB_ETYPES_MAX];
	/* TGS-REQ: the AP-REQ carried in PA-TGS-REQ (its ticket is the TGT). */
	bool has_ap_req;
	struct krb_ap_req ap_req;
	enum sd_err ap_req_err;   /* why the PA-TGS-REQ AP-REQ did not decode */
};

struct krb_kdc_rep {
	struct krb_padata_list padata;
	struct krb_str crealm;
	struct krb_principal cname;
	struct krb_ticket ticket;
	struct krb_enc enc_part;
};

struct krb_etype_info {
	int32_t etype;
	struct krb_str salt;      /* absent: p == NULL */
	struct krb_str s2kparams;
};

struct krb_error {
	bool has_ctime;
	int64_t ctime;
	bool has_cusec;
	uint32_t cusec;
	int64_t stime;
	uint32_t susec;
	int32_t error_code;
	struct krb_str crealm;
	struct krb_principal cname;
	struct krb_str realm;
	struct krb_principal sname;
	struct krb_str e_text;
	struct krb_str e_data;
	/* e-data as METHOD-DATA (e.g. with PREAUTH_REQUIRED). */
	bool has_method_data;
	struct krb_padata_list method_data;
	uint8_t n_etype_info;
	uint8_t etype_info_dropped;
	struct krb_etype_info etype_info[KRB_ETYPE_INFO_MAX];
	/* e-data as MS KERB-ERROR-DATA. */
	bool has_error_data;
	int32_t error_data_type;   /* KRB_ERR_DATA_* */
	struct krb_str error_data_value;
	bool has_ext_error;        /* KERB-EXT-ERROR: data-type 3, or a 12-byte PA-PW-SALT */
	uint32_t ext_status;       /* NTSTATUS */
	uint32_t ext_reserved;
	uint32_t ext_flags;
	enum sd_err e_data_err;    /* METHOD-DATA / KERB-ERROR-DATA that did not decode */
};

struct krb_message {
	int32_t pvno;
	int32_t msg_type;         /* enum krb_msg_type */
	bool gss_framed;          /* came inside 0x60 + Kerberos OID + token id */
	uint16_t gss_token_id;
	union {
		struct krb_kdc_req req;    /* AS-REQ, TGS-REQ */
		struct krb_kdc_rep rep;    /* AS-REP, TGS-REP */
		struct krb_ap_req ap_req;
		struct krb_ap_rep ap_rep;
		struct krb_error error;
	} u;
	struct sd_anomalies anom;
};

/* Decodes one bare message ([APPLICATION n]). Returns SD_OK,
 * SD_ERR_TRUNCATED, SD_ERR_MALFORMED, SD_ERR_PROTOCOL_ID (not a Kerberos
 * message) or SD_ERR_UNSUPPORTED (a Kerberos message type we do not
 * decode, e.g. KRB-SAFE). */
enum sd_err krb_decode(const uint8_t *p, size_t len, struct krb_message *out);
/* Decodes a GSS-API Kerberos token: [APPLICATION 0] { Kerberos OID,
 * token id (2 bytes), message }; a bare message is accepted too. */
enum sd_err krb_decode_gss(const uint8_t *p, size_t len, struct krb_message *out);

/* TCP record marking: a 4-byte big-endian length whose high bit is
 * reserved. On SD_OK *body / *body_len give the message and *used the
 * record size. SD_ERR_TRUNCATED with *need = bytes the record needs in all
 * when the record is not complete yet; SD_ERR_UNSUPPORTED when the reserved
 * bit is set (RFC 4120 7.2.2: an extension we do not speak). */
enum sd_err krb_tcp_record(const uint8_t *p, size_t len, const uint8_t **body, size_t *body_len,
			   size_t *used, size_t *need);

#endif
