/* DCE/RPC connection-oriented PDUs (C706 chapter 12, MS-RPCE 2.2.2):
 * common header, BIND / ALTER_CONTEXT, BIND_ACK / ALTER_CONTEXT_RESP,
 * BIND_NAK, REQUEST, RESPONSE, FAULT, and the sec_trailer of
 * authenticated PDUs (kept raw). Little-endian data representation only,
 * which every SMB peer uses.
 *
 * One call decodes one fragment; a stub that spans fragments is joined by
 * the caller with dcerpc_reasm (a caller-owned, capped buffer). Decoded
 * structs point into the input; lists have fixed caps.
 *
 * Errors: SD_ERR_TRUNCATED (fewer bytes than the header or FragLength
 * says), SD_ERR_PROTOCOL_ID (not version 5.0), SD_ERR_UNSUPPORTED
 * (big-endian or non-ASCII data representation), SD_ERR_MALFORMED
 * (FragLength / AuthLength / a count contradicts the data), SD_ERR_LIMIT
 * (reassembly cap), SD_ERR_NO_SPACE / SD_ERR_INVALID_ARG (encoders).
 */
#ifndef SMBDIAG_CORE_WIRE_DCERPC_H
#define SMBDIAG_CORE_WIRE_DCERPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/anomaly.h"
#include "core/wire/cursor.h"

#define DCERPC_HEADER_SIZE 16
#define DCERPC_SEC_TRAILER_SIZE 8
#define DCERPC_MAX_CTX 8        /* presentation contexts kept per BIND */
#define DCERPC_MAX_TRANSFER 4   /* transfer syntaxes kept per context */
#define DCERPC_MAX_VERSIONS 4   /* BIND_NAK protocol versions kept */

/* PTYPE. */
#define DCERPC_REQUEST 0
#define DCERPC_PING 1
#define DCERPC_RESPONSE 2
#define DCERPC_FAULT 3
#define DCERPC_BIND 11
#define DCERPC_BIND_ACK 12
#define DCERPC_BIND_NAK 13
#define DCERPC_ALTER_CONTEXT 14
#define DCERPC_ALTER_CONTEXT_RESP 15
#define DCERPC_AUTH3 16
#define DCERPC_SHUTDOWN 17
#define DCERPC_CO_CANCEL 18
#define DCERPC_ORPHANED 19

/* pfc_flags. */
#define DCERPC_PFC_FIRST_FRAG 0x01
#define DCERPC_PFC_LAST_FRAG 0x02
#define DCERPC_PFC_PENDING_CANCEL 0x04    /* PFC_SUPPORT_HEADER_SIGN in BIND (MS-RPCE) */
#define DCERPC_PFC_CONC_MPX 0x10
#define DCERPC_PFC_DID_NOT_EXECUTE 0x20
#define DCERPC_PFC_MAYBE 0x40
#define DCERPC_PFC_OBJECT_UUID 0x80

/* packed_drep[0]: integer and character representation. */
#define DCERPC_DREP_LE_ASCII 0x10

/* p_cont_def_result_t and p_provider_reason_t (BIND_ACK results). */
#define DCERPC_RESULT_ACCEPTANCE 0
#define DCERPC_RESULT_USER_REJECTION 1
#define DCERPC_RESULT_PROVIDER_REJECTION 2
#define DCERPC_RESULT_NEGOTIATE_ACK 3     /* MS-RPCE bind time feature negotiation */
#define DCERPC_REASON_NOT_SPECIFIED 0
#define DCERPC_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED 1
#define DCERPC_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED 2
#define DCERPC_REASON_LOCAL_LIMIT_EXCEEDED 3

/* Fault status codes (C706 appendix E) seen from SMB servers. */
#define DCERPC_NCA_S_OP_RNG_ERROR 0x1C010002u
#define DCERPC_NCA_S_UNK_IF 0x1C010003u
#define DCERPC_NCA_S_PROTO_ERROR 0x1C01000Bu
#define DCERPC_NCA_S_FAULT_ACCESS_DENIED 0x00000005u

/* An interface or transfer syntax: UUID (wire order) and version, which
 * travels as one u32: major in the low half, minor in the high half. */
struct dcerpc_syntax {
	uint8_t uuid[16];
	uint16_t ver_major;
	uint16_t ver_minor;
};

/* SRVSVC 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0 and NDR
 * 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0. */
extern const struct dcerpc_syntax dcerpc_syntax_srvsvc;
extern const struct dcerpc_syntax dcerpc_syntax_ndr;
bool dcerpc_syntax_equal(const struct dcerpc_syntax *a, const struct dcerpc_syntax *b);

struct dcerpc_hdr {
	uint8_t rpc_vers;         /* 5 */
	uint8_t rpc_vers_minor;   /* 0 */
	uint8_t ptype;
	uint8_t pfc_flags;
	uint8_t drep[4];
	uint16_t frag_len;
	uint16_t auth_len;
	uint32_t call_id;
};

/* sec_trailer (MS-RPCE 2.2.2.11) and the auth value after it. */
struct dcerpc_auth {
	bool present;             /* AuthLength != 0 */
	uint8_t type;
	uint8_t level;
	uint8_t pad_len;
	uint8_t reserved;
	uint32_t context_id;
	const uint8_t *value;     /* auth_len bytes */
};

struct dcerpc_ctx_elem {
	uint16_t cont_id;
	uint8_t n_transfer_declared;
	uint8_t reserved;
	struct dcerpc_syntax abstract;
	uint8_t n_transfer;       /* kept */
	struct dcerpc_syntax transfer[DCERPC_MAX_TRANSFER];
};

/* BIND and ALTER_CONTEXT. */
struct dcerpc_bind {
	uint16_t max_xmit_frag;
	uint16_t max_recv_frag;
	uint32_t assoc_group_id;
	uint8_t n_ctx_declared;
	uint8_t n_ctx;            /* kept */
	struct dcerpc_ctx_elem ctx[DCERPC_MAX_CTX];
};

struct dcerpc_result {
	uint16_t result;
	uint16_t reason;
	struct dcerpc_syntax transfer;
};

/* BIND_ACK and ALTER_CONTEXT_RESP. */
struct dcerpc_bind_ack {
	uint16_t max_xmit_frag;
	uint16_t max_recv_frag;
	uint32_t assoc_group_id;
	uint16_t sec_addr_len;    /* bytes, including the NUL */
	const uint8_t *sec_addr;  /* "\PIPE\srvsvc" + NUL; NULL when empty */
	uint8_t n_results_declared;
	uint8_t n_results;        /* kept */
	struct dcerpc_result results[DCERPC_MAX_CTX];
};

struct dcerpc_bind_nak {
	uint16_t reject_reason;
	uint8_t n_versions_declared;
	uint8_t n_versions;       /* kept */
	uint8_t versions[DCERPC_MAX_VERSIONS][2];  /* major, minor */
};

struct dcerpc_request {
	uint32_t alloc_hint;
	uint16_t cont_id;
	uint16_t opnum;
	bool has_object;          /* PFC_OBJECT_UUID */
	uint8_t object[16];
	const uint8_t *stub;
	size_t stub_len;
};

struct dcerpc_response {
	uint32_t alloc_hint;
	uint16_t cont_id;
	uint8_t cancel_count;
	uint8_t reserved;
	const uint8_t *stub;
	size_t stub_len;
};

struct dcerpc_fault {
	uint32_t alloc_hint;
	uint16_t cont_id;
	uint8_t cancel_count;
	uint8_t flags;            /* MS-RPCE: 0x01 extended error present */
	uint32_t status;
	uint32_t reserved;
	const uint8_t *stub;      /* extended error information, if any */
	size_t stub_len;
};

struct dcerpc_pdu {
	struct dcerpc_hdr hdr;
	struct dcerpc_auth auth;
	/* The body between the header and the auth padding; for the types
	 * below it is decoded into u, for the others only kept here. */
	const uint8_t *body;
	size_t body_len;
	union {
		struct dcerpc_bind bind;          /* BIND, ALTER_CONTEXT */
		struct dcerpc_bind_ack bind_ack;  /* BIND_ACK, ALTER_CONTEXT_RESP */
		struct dcerpc_bind_nak bind_nak;
		struct dcerpc_request request;
		struct dcerpc_response response;
		struct dcerpc_fault fault;
	} u;
	struct sd_anomalies anom;
};

/* Decodes the 16-byte common header only (len >= 16): enough to learn
 * FragLength while a fragment is still arriving. */
enum sd_err dcerpc_hdr_decode(const uint8_t *p, size_t len, struct dcerpc_hdr *out);
/* Decodes one fragment: FragLength bytes of p. Bytes after the fragment
 * add SD_ANOM_TRAILING_BYTES (they are the caller's next fragment). */
enum sd_err dcerpc_pdu_decode(const uint8_t *p, size_t len, struct dcerpc_pdu *out);
/* Writes one fragment from pdu->hdr (FragLength and AuthLength computed;
 * version 5.0 and little-endian drep written when rpc_vers is 0) and the
 * body of its ptype: u for the types above, body/body_len otherwise. With
 * auth.present, pad_len zero bytes, the sec_trailer and auth_len bytes of
 * auth.value follow (hdr.auth_len gives the value's length). */
enum sd_err dcerpc_pdu_encode(const struct dcerpc_pdu *pdu, struct sd_wr *w);

/* Stub reassembly across fragments of one call. */
struct dcerpc_reasm {
	uint8_t *buf;
	size_t cap;
	size_t len;
	uint32_t call_id;
	uint8_t ptype;
	bool started;
	bool done;                /* the LAST_FRAG fragment was added */
};

void dcerpc_reasm_init(struct dcerpc_reasm *r, uint8_t *buf, size_t cap);
/* Appends a REQUEST or RESPONSE fragment's stub. SD_ERR_MALFORMED when the
 * first fragment lacks FIRST_FRAG, a later one carries it, the call id or
 * type changes, or a fragment follows the last; SD_ERR_LIMIT past cap. */
enum sd_err dcerpc_reasm_add(struct dcerpc_reasm *r, const struct dcerpc_pdu *pdu);

const char *dcerpc_ptype_name(uint8_t ptype);                 /* "BIND_ACK" */
const char *dcerpc_fault_name(uint32_t status);               /* "nca_s_op_rng_error", NULL if unknown */
const char *dcerpc_bind_result_name(uint16_t result);         /* "provider_rejection" */
const char *dcerpc_bind_reason_name(uint16_t reason);         /* "abstract_syntax_not_supported" */
const char *dcerpc_bind_nak_reason_name(uint16_t reason);     /* "protocol_version_not_supported" */

#endif
