/* SMB2/3 message codec (MS-SMB2 section 2.2).
 *
 * Conventions shared by every function here:
 * - A "message" is one SMB2 header plus its body: one element of a compound
 *   chain (see smb2_compound_next) or a whole PDU without compounding.
 * - Body decoders take the WHOLE message (p points at the 'FE' 'S' 'M' 'B'
 *   header, len is the message length), because SMB2 buffer offsets count
 *   from the start of the header. They do not check the header; decode it
 *   with smb2_header_decode first. Anomaly offsets are message offsets.
 * - Decoded structs hold plain numbers and pointers into the input (no
 *   allocation). On error, fields decoded so far stay filled in.
 * - Lists have fixed caps; extra items bump an SD_ANOM_ITEMS_DROPPED anomaly
 *   (value = total count) and are otherwise skipped.
 * - Up to 7 bytes of zero padding after a body (compound alignment) are
 *   accepted silently; more become SD_ANOM_TRAILING_BYTES, non-zero padding
 *   SD_ANOM_PADDING_NONZERO.
 * - Body encoders append to a writer and MUST be called right after
 *   smb2_header_encode on the same writer: they compute buffer offsets as
 *   "bytes since the header start", i.e. relative to w->len - 64 on entry.
 * - Names for numbers live in names.h; constants in smb2_const.h.
 *
 * Errors: SD_ERR_TRUNCATED (input too short), SD_ERR_STRUCTURE_SIZE,
 * SD_ERR_BAD_OFFSET (an offset/length points outside the message),
 * SD_ERR_MALFORMED (a count or length contradicts the data),
 * SD_ERR_PROTOCOL_ID, SD_ERR_NO_SPACE / SD_ERR_INVALID_ARG (encoders).
 */
#ifndef SMBDIAG_CORE_WIRE_SMB2_H
#define SMBDIAG_CORE_WIRE_SMB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/anomaly.h"
#include "core/wire/cursor.h"
#include "core/wire/smb2_const.h"

/* ------------------------------------------------------------------ */
/* Header (section 2.2.1)                                              */

struct smb2_header {
	uint16_t credit_charge;
	/* Responses: NTSTATUS. 3.x requests: ChannelSequence (low 16 bits) and
	 * Reserved (high 16 bits); see smb2_header_channel_sequence. */
	uint32_t status;
	uint16_t command;
	uint16_t credits;        /* CreditRequest / CreditResponse */
	uint32_t flags;
	uint32_t next_command;
	uint64_t message_id;
	uint32_t process_id;     /* sync form only (Reserved in the spec) */
	uint32_t tree_id;        /* sync form only */
	uint64_t async_id;       /* async form only (SMB2_FLAGS_ASYNC_COMMAND) */
	uint64_t session_id;
	uint8_t signature[SMB2_SIGNATURE_SIZE];
	struct sd_anomalies anom;
};

/* Needs len >= 64. Fails with SD_ERR_PROTOCOL_ID unless FE 'SMB', with
 * SD_ERR_STRUCTURE_SIZE unless StructureSize is 64. Anomalies: unknown
 * command, SIGNED on NEGOTIATE. */
enum sd_err smb2_header_decode(const uint8_t *p, size_t len, struct smb2_header *out);
/* Writes 64 bytes; async form when SMB2_FLAGS_ASYNC_COMMAND is set. */
enum sd_err smb2_header_encode(const struct smb2_header *h, struct sd_wr *w);

/* A message of the SMB family starts here: 0xFF SMB1, 0xFE SMB2, 0xFD
 * transform (encrypted), 0xFC compression transform, then "SMB". */
static inline bool
smb_protocol_magic(const uint8_t *p, size_t len)
{
	return len >= 4 && (p[0] == 0xFF || p[0] == 0xFE || p[0] == 0xFD || p[0] == 0xFC) && p[1] == 'S' &&
	       p[2] == 'M' && p[3] == 'B';
}

static inline bool
smb2_header_is_response(const struct smb2_header *h)
{
	return (h->flags & SMB2_FLAGS_SERVER_TO_REDIR) != 0;
}

static inline bool
smb2_header_is_async(const struct smb2_header *h)
{
	return (h->flags & SMB2_FLAGS_ASYNC_COMMAND) != 0;
}

static inline uint16_t
smb2_header_channel_sequence(const struct smb2_header *h)
{
	return (uint16_t)(h->status & 0xFFFF);
}

/* True when a response with this header and message carries an ERROR body
 * (section 2.2.2) rather than the command's own response body: a non-zero
 * Status, except SESSION_SETUP + STATUS_MORE_PROCESSING_REQUIRED and bodies
 * whose StructureSize is not 9 (IOCTL answering STATUS_BUFFER_OVERFLOW). */
bool smb2_response_is_error(const struct smb2_header *h, const uint8_t *msg, size_t len);

/* ------------------------------------------------------------------ */
/* Compound chains (section 3.2.4.1.4 / 3.3.5.2.7)                     */

struct smb2_compound_iter {
	const uint8_t *p;
	size_t len;
	size_t off;         /* start of the next element */
	unsigned index;     /* elements returned so far */
	bool done;
	struct sd_anomalies anom;  /* offsets relative to p */
};

struct smb2_compound_elem {
	const uint8_t *msg;  /* the element's header */
	size_t off;          /* offset of msg inside the PDU */
	size_t len;          /* NextCommand, or the rest of the PDU for the last */
	unsigned index;
	uint32_t next_command;
	bool related;        /* SMB2_FLAGS_RELATED_OPERATIONS */
	bool last;
};

/* p/len: the SMB2 part of one NetBIOS/TCP PDU (after the 4-byte framing). */
void smb2_compound_init(struct smb2_compound_iter *it, const uint8_t *p, size_t len);
/* SD_OK and *out filled; SD_ERR_NOT_FOUND when there are no more elements;
 * another error for a broken element (less than 64 bytes left, not FE 'SMB',
 * NextCommand < 64 or past the end), after which the iterator is done.
 * A NextCommand that is not a multiple of 8 adds SD_ANOM_MISALIGNED. A
 * NextCommand that points exactly at the end of the PDU promises one more
 * element: the next call returns SD_ERR_TRUNCATED. Each element's header
 * is only peeked at (ProtocolId, Flags, NextCommand): decode it with
 * smb2_header_decode / smb2_message_decode. */
enum sd_err smb2_compound_next(struct smb2_compound_iter *it, struct smb2_compound_elem *out);
/* Encoder helper: zero-pads w to 8 and sets NextCommand of the header
 * written at prev_hdr_off to point at the current end. */
enum sd_err smb2_compound_link(struct sd_wr *w, size_t prev_hdr_off);

/* ------------------------------------------------------------------ */
/* Negotiate contexts (section 2.2.3.1, 2.2.4.1)                        */

#define SMB2_NEGCTX_MAX 16     /* contexts kept per message */
#define SMB2_NEGCTX_MAX_IDS 8  /* ids kept per list inside a context */

struct smb2_negctx_preauth {
	uint16_t hash_count;   /* as declared */
	uint16_t salt_len;
	uint16_t hash_ids[SMB2_NEGCTX_MAX_IDS];
	uint8_t n_hash_ids;    /* kept */
	const uint8_t *salt;
};

/* ENCRYPTION, SIGNING and RDMA_TRANSFORM all carry a count and u16 ids. */
struct smb2_negctx_ids {
	uint16_t count;        /* as declared */
	uint16_t ids[SMB2_NEGCTX_MAX_IDS];
	uint8_t n_ids;         /* kept */
	uint16_t reserved1;    /* RDMA_TRANSFORM only */
	uint32_t reserved2;    /* RDMA_TRANSFORM only */
};

struct smb2_negctx_compression {
	uint16_t count;
	uint16_t padding;
	uint32_t flags;
	uint16_t algs[SMB2_NEGCTX_MAX_IDS];
	uint8_t n_algs;
};

struct smb2_negctx {
	uint16_t type;
	uint16_t data_len;
	uint32_t reserved;
	uint32_t offset;        /* of the context header in the message */
	const uint8_t *data;    /* data_len bytes (kept for every type) */
	bool known;             /* false: unknown type, only data is valid */
	union {
		struct smb2_negctx_preauth preauth;
		struct smb2_negctx_ids encryption;
		struct smb2_negctx_compression compression;
		struct {
			const uint8_t *name;  /* UTF-16LE, no terminator */
			size_t name_len;      /* bytes */
		} netname;
		struct {
			uint32_t flags;
		} transport;
		struct smb2_negctx_ids rdma;
		struct smb2_negctx_ids signing;
	} u;
};

struct smb2_negctx_list {
	uint16_t count;   /* as declared */
	uint8_t n;        /* kept */
	struct smb2_negctx ctx[SMB2_NEGCTX_MAX];
};

/* Decodes one context's data (type-specific part) into c->u; c->type,
 * c->data and c->data_len must be set. Unknown types: SD_OK, known=false. */
enum sd_err smb2_negctx_decode_data(struct smb2_negctx *c, struct sd_anomalies *anom);
/* Decodes `count` contexts starting at message offset `off`, each 8-byte
 * aligned. Unknown types -> SD_ANOM_UNKNOWN_CONTEXT, repeated types ->
 * SD_ANOM_DUPLICATE_CONTEXT. *end (may be NULL) receives the offset just
 * past the last context. */
enum sd_err smb2_negctx_list_decode(const uint8_t *msg, size_t len, size_t off, uint16_t count,
				    struct smb2_negctx_list *out, size_t *end, struct sd_anomalies *anom);
/* Writes the contexts (8-byte aligned relative to hdr_off, the header's
 * offset in w). Known types are written from c->u, unknown ones from data. */
enum sd_err smb2_negctx_list_encode(const struct smb2_negctx *ctx, size_t n, size_t hdr_off,
				    struct sd_wr *w);
/* Finds the first context of a type, or NULL. */
const struct smb2_negctx *smb2_negctx_find(const struct smb2_negctx_list *l, uint16_t type);

/* ------------------------------------------------------------------ */
/* NEGOTIATE (section 2.2.3, 2.2.4)                                     */

#define SMB2_MAX_DIALECTS 16

struct smb2_negotiate_req {
	uint16_t dialect_count;
	uint16_t security_mode;
	uint16_t reserved;
	uint32_t capabilities;
	uint8_t client_guid[16];
	/* Bytes 28..35 of the body mean NegotiateContextOffset/Count/Reserved2
	 * when 0x0311 is among the dialects, ClientStartTime otherwise. */
	bool offers_311;
	uint32_t negctx_offset;
	uint16_t negctx_count;
	uint16_t reserved2;
	uint64_t client_start_time;
	uint16_t dialects[SMB2_MAX_DIALECTS];
	uint8_t n_dialects;  /* kept */
	struct smb2_negctx_list ctx;
	struct sd_anomalies anom;
};

struct smb2_negotiate_rsp {
	uint16_t security_mode;
	uint16_t dialect;
	uint16_t negctx_count;    /* Reserved unless dialect 0x0311 */
	uint8_t server_guid[16];
	uint32_t capabilities;
	uint32_t max_transact_size;
	uint32_t max_read_size;
	uint32_t max_write_size;
	uint64_t system_time;       /* FILETIME */
	uint64_t server_start_time; /* FILETIME */
	uint16_t secbuf_offset;
	uint16_t secbuf_len;
	uint32_t negctx_offset;     /* Reserved2 unless dialect 0x0311 */
	const uint8_t *secbuf;      /* SPNEGO NegTokenInit2, may be empty */
	struct smb2_negctx_list ctx;
	struct sd_anomalies anom;
};

enum sd_err smb2_negotiate_req_decode(const uint8_t *msg, size_t len, struct smb2_negotiate_req *out);
/* Uses dialects[0..n_dialects), ctx.ctx[0..ctx.n); negctx_offset/count are
 * computed. Whether bytes 28..35 carry the context fields or
 * client_start_time follows from the dialect list (0x0311 present), not
 * from offers_311; contexts are written only in the first case. */
enum sd_err smb2_negotiate_req_encode(const struct smb2_negotiate_req *req, struct sd_wr *w);
enum sd_err smb2_negotiate_rsp_decode(const uint8_t *msg, size_t len, struct smb2_negotiate_rsp *out);
/* secbuf/secbuf_len and contexts (dialect 0x0311 only) from the struct;
 * offsets computed. For other dialects negctx_count / negctx_offset are
 * the Reserved fields and are written as given. */
enum sd_err smb2_negotiate_rsp_encode(const struct smb2_negotiate_rsp *rsp, struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* SESSION_SETUP (section 2.2.5, 2.2.6)                                 */

struct smb2_session_setup_req {
	uint8_t flags;            /* SMB2_SESSION_FLAG_BINDING */
	uint8_t security_mode;
	uint32_t capabilities;
	uint32_t channel;         /* MBZ */
	uint16_t secbuf_offset;
	uint16_t secbuf_len;
	uint64_t previous_session_id;
	const uint8_t *secbuf;
	struct sd_anomalies anom;
};

struct smb2_session_setup_rsp {
	uint16_t session_flags;
	uint16_t secbuf_offset;
	uint16_t secbuf_len;
	const uint8_t *secbuf;
	struct sd_anomalies anom;
};

enum sd_err smb2_session_setup_req_decode(const uint8_t *msg, size_t len, struct smb2_session_setup_req *out);
enum sd_err smb2_session_setup_req_encode(const struct smb2_session_setup_req *req, struct sd_wr *w);
enum sd_err smb2_session_setup_rsp_decode(const uint8_t *msg, size_t len, struct smb2_session_setup_rsp *out);
enum sd_err smb2_session_setup_rsp_encode(const struct smb2_session_setup_rsp *rsp, struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* LOGOFF, TREE_DISCONNECT, ECHO, CANCEL: StructureSize 4 + Reserved   */

struct smb2_empty_body {
	uint16_t reserved;
	struct sd_anomalies anom;
};

enum sd_err smb2_empty_body_decode(const uint8_t *msg, size_t len, struct smb2_empty_body *out);
enum sd_err smb2_empty_body_encode(struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* TREE_CONNECT (section 2.2.9, 2.2.10)                                 */

#define SMB2_TREE_CTX_MAX 4

struct smb2_tree_ctx {
	uint16_t type;
	uint16_t data_len;
	uint32_t reserved;
	const uint8_t *data;
};

struct smb2_tree_connect_req {
	uint16_t flags;           /* Reserved before 3.1.1 */
	uint16_t path_offset;
	uint16_t path_len;        /* bytes */
	const uint8_t *path;      /* UTF-16LE \\server\share, no terminator */
	/* SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT: the Buffer starts with the
	 * extension (section 2.2.9.1) at message offset 72; PathOffset and
	 * TreeConnectContextOffset then count from the extension's start. */
	bool has_extension;
	uint32_t ext_ctx_offset;
	uint16_t ext_ctx_count;
	uint16_t n_ext_ctx;       /* kept */
	struct smb2_tree_ctx ext_ctx[SMB2_TREE_CTX_MAX];
	struct sd_anomalies anom;
};

struct smb2_tree_connect_rsp {
	uint8_t share_type;
	uint8_t reserved;
	uint32_t share_flags;
	uint32_t capabilities;
	uint32_t maximal_access;
	struct sd_anomalies anom;
};

#define SMB2_TREE_EXTENSION_SIZE 16  /* fixed part, before PathName */

enum sd_err smb2_tree_connect_req_decode(const uint8_t *msg, size_t len, struct smb2_tree_connect_req *out);
/* With has_extension, writes the extension, the path and the contexts and
 * sets EXTENSION_PRESENT in Flags; offsets computed either way. */
enum sd_err smb2_tree_connect_req_encode(const struct smb2_tree_connect_req *req, struct sd_wr *w);
enum sd_err smb2_tree_connect_rsp_decode(const uint8_t *msg, size_t len, struct smb2_tree_connect_rsp *out);
enum sd_err smb2_tree_connect_rsp_encode(const struct smb2_tree_connect_rsp *rsp, struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* ERROR response (section 2.2.2, 2.2.2.1, 2.2.2.2.2)                   */

#define SMB2_ERROR_CTX_MAX 4
#define SMB2_REDIRECT_MAX_ADDRS 4

struct smb2_error_ctx {
	uint32_t data_len;
	uint32_t error_id;    /* SMB2_ERROR_ID_* */
	uint32_t offset;      /* of the context header in the message */
	const uint8_t *data;
};

struct smb2_move_dst_ipaddr {
	uint32_t type;        /* 1 IPv4, 2 IPv6 */
	uint8_t addr[16];     /* IPv4 in the first 4 bytes */
};

struct smb2_share_redirect {
	uint32_t structure_size;     /* 0x30 */
	uint32_t notification_type;  /* 3 */
	uint32_t resource_name_offset;
	uint32_t resource_name_len;
	uint16_t flags;
	uint16_t target_type;
	uint32_t ip_addr_count;
	uint8_t n_addrs;             /* kept */
	struct smb2_move_dst_ipaddr addrs[SMB2_REDIRECT_MAX_ADDRS];
	const uint8_t *resource_name; /* UTF-16LE */
};

struct smb2_error_rsp {
	uint8_t error_context_count;
	uint8_t reserved;
	uint32_t byte_count;
	const uint8_t *error_data;    /* byte_count bytes */
	bool quirk_no_data_byte;      /* 8-byte body (no ErrorData byte) */
	uint8_t n_ctx;                /* kept */
	struct smb2_error_ctx ctx[SMB2_ERROR_CTX_MAX];
	struct sd_anomalies anom;
};

/* ByteCount 0 wants one ErrorData byte (zero). An 8-byte body adds
 * SD_ANOM_ERROR_BODY_QUIRK with value 8 (quirk_no_data_byte); a non-zero
 * byte (old Windows sends it uninitialised) the same anomaly with value
 * 0x100 | byte. With ErrorContextCount, ErrorData is parsed as 8-byte
 * aligned contexts; a context overrunning ByteCount is SD_ERR_MALFORMED. */
enum sd_err smb2_error_rsp_decode(const uint8_t *msg, size_t len, struct smb2_error_rsp *out);
/* Writes ErrorData from error_data/byte_count (or the single zero byte when
 * byte_count is 0); error_context_count is written as given. */
enum sd_err smb2_error_rsp_encode(const struct smb2_error_rsp *rsp, struct sd_wr *w);
/* Decodes a SHARE_REDIRECT context's data (data/len of the error context). */
enum sd_err smb2_share_redirect_decode(const uint8_t *p, size_t len, struct smb2_share_redirect *out,
				       struct sd_anomalies *anom);

/* ------------------------------------------------------------------ */
/* IOCTL (section 2.2.31, 2.2.32)                                       */

struct smb2_ioctl_req {
	uint16_t reserved;
	uint32_t ctl_code;
	uint64_t file_id_persistent;
	uint64_t file_id_volatile;
	uint32_t input_offset;
	uint32_t input_count;
	uint32_t max_input_response;
	uint32_t output_offset;
	uint32_t output_count;
	uint32_t max_output_response;
	uint32_t flags;        /* SMB2_0_IOCTL_IS_FSCTL */
	uint32_t reserved2;
	const uint8_t *input;
	const uint8_t *output;
	struct sd_anomalies anom;
};

struct smb2_ioctl_rsp {
	uint16_t reserved;
	uint32_t ctl_code;
	uint64_t file_id_persistent;
	uint64_t file_id_volatile;
	uint32_t input_offset;
	uint32_t input_count;
	uint32_t output_offset;
	uint32_t output_count;
	uint32_t flags;
	uint32_t reserved2;
	const uint8_t *input;
	const uint8_t *output;
	struct sd_anomalies anom;
};

enum sd_err smb2_ioctl_req_decode(const uint8_t *msg, size_t len, struct smb2_ioctl_req *out);
/* Writes input then output buffers; offsets computed (0 when empty). */
enum sd_err smb2_ioctl_req_encode(const struct smb2_ioctl_req *req, struct sd_wr *w);
enum sd_err smb2_ioctl_rsp_decode(const uint8_t *msg, size_t len, struct smb2_ioctl_rsp *out);
enum sd_err smb2_ioctl_rsp_encode(const struct smb2_ioctl_rsp *rsp, struct sd_wr *w);

/* FSCTL_VALIDATE_NEGOTIATE_INFO (section 2.2.31.4, 2.2.32.6). */
struct smb2_validate_negotiate_req {
	uint32_t capabilities;
	uint8_t guid[16];
	uint16_t security_mode;
	uint16_t dialect_count;
	uint16_t dialects[SMB2_MAX_DIALECTS];
	uint8_t n_dialects;
	struct sd_anomalies anom;
};

struct smb2_validate_negotiate_rsp {
	uint32_t capabilities;
	uint8_t guid[16];
	uint16_t security_mode;
	uint16_t dialect;
	struct sd_anomalies anom;
};

/* p/len: the IOCTL input / output buffer. */
enum sd_err smb2_validate_negotiate_req_decode(const uint8_t *p, size_t len, struct smb2_validate_negotiate_req *out);
enum sd_err smb2_validate_negotiate_req_encode(const struct smb2_validate_negotiate_req *req, struct sd_wr *w);
enum sd_err smb2_validate_negotiate_rsp_decode(const uint8_t *p, size_t len, struct smb2_validate_negotiate_rsp *out);
enum sd_err smb2_validate_negotiate_rsp_encode(const struct smb2_validate_negotiate_rsp *rsp, struct sd_wr *w);

/* FSCTL_DFS_GET_REFERRALS (MS-DFSC 2.2.2, 2.2.4, 2.2.5). */
#define SMB2_DFS_MAX_REFERRALS 8

struct smb2_dfs_referral_req {
	uint16_t max_referral_level;
	const uint8_t *file_name;  /* UTF-16LE, terminator not included */
	size_t file_name_len;      /* bytes */
	bool terminated;           /* a NUL terminator was found */
	struct sd_anomalies anom;
};

/* A UTF-16LE string inside the referral response: bytes, no terminator. */
struct smb2_dfs_str {
	const uint8_t *p;
	size_t len;
};

struct smb2_dfs_referral {
	uint16_t version;
	uint16_t size;
	uint16_t server_type;
	uint16_t entry_flags;
	uint32_t proximity;        /* v2 */
	uint32_t ttl;              /* v2-v4 */
	bool name_list;            /* v3/v4 with NameListReferral */
	struct smb2_dfs_str share_name;     /* v1 */
	struct smb2_dfs_str dfs_path;       /* v2-v4, or SpecialName for name lists */
	struct smb2_dfs_str alt_path;       /* v2-v4 */
	struct smb2_dfs_str network_address;/* v2-v4, or first ExpandedName */
	uint16_t n_expanded_names;          /* name lists */
};

struct smb2_dfs_referral_rsp {
	uint16_t path_consumed;
	uint16_t n_referrals_declared;
	uint32_t header_flags;
	uint8_t n_referrals;       /* kept */
	struct smb2_dfs_referral referrals[SMB2_DFS_MAX_REFERRALS];
	struct sd_anomalies anom;
};

enum sd_err smb2_dfs_referral_req_decode(const uint8_t *p, size_t len, struct smb2_dfs_referral_req *out);
/* Writes the name plus a NUL terminator. */
enum sd_err smb2_dfs_referral_req_encode(const struct smb2_dfs_referral_req *req, struct sd_wr *w);
enum sd_err smb2_dfs_referral_rsp_decode(const uint8_t *p, size_t len, struct smb2_dfs_referral_rsp *out);

/* ------------------------------------------------------------------ */
/* TRANSFORM_HEADER (section 2.2.41) and COMPRESSION_TRANSFORM_HEADER  */
/* (section 2.2.42). p points at the FD / FC protocol id.              */

struct smb2_transform_header {
	uint8_t signature[16];
	uint8_t nonce[16];
	uint32_t original_message_size;
	uint16_t reserved;
	uint16_t flags;            /* Flags (3.1.1) / EncryptionAlgorithm (3.0.x) */
	uint64_t session_id;
	const uint8_t *payload;    /* the encrypted message */
	size_t payload_len;
	struct sd_anomalies anom;
};

enum sd_err smb2_transform_decode(const uint8_t *p, size_t len, struct smb2_transform_header *out);
/* Writes the 52-byte header only (the caller appends the ciphertext). */
enum sd_err smb2_transform_encode(const struct smb2_transform_header *t, struct sd_wr *w);

#define SMB2_COMPRESSION_CHAIN_MAX 8

struct smb2_compression_payload {
	uint16_t algorithm;
	uint16_t flags;
	uint32_t length;           /* bytes after this 8-byte header */
	bool has_original_size;
	uint32_t original_size;
	const uint8_t *data;       /* compressed data (after OriginalPayloadSize) */
	size_t data_len;
};

struct smb2_compression_header {
	uint32_t original_size;    /* OriginalCompressedSegmentSize */
	bool chained;
	/* Unchained form. */
	uint16_t algorithm;
	uint16_t flags;
	uint32_t offset;
	const uint8_t *uncompressed;   /* offset bytes */
	const uint8_t *compressed;
	size_t compressed_len;
	/* Chained form. */
	uint8_t n_payloads;        /* kept */
	struct smb2_compression_payload payloads[SMB2_COMPRESSION_CHAIN_MAX];
	struct sd_anomalies anom;
};

enum sd_err smb2_compression_decode(const uint8_t *p, size_t len, struct smb2_compression_header *out);
/* Unchained: header then uncompressed[offset] then compressed. Chained: the
 * 8-byte header then each payload. */
enum sd_err smb2_compression_encode(const struct smb2_compression_header *c, struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* Whole message: header + body chosen by command and direction.       */

enum smb2_body_kind {
	SMB2_BODY_NONE = 0,        /* command whose body we do not decode */
	SMB2_BODY_ERROR,
	SMB2_BODY_NEGOTIATE_REQ,
	SMB2_BODY_NEGOTIATE_RSP,
	SMB2_BODY_SESSION_SETUP_REQ,
	SMB2_BODY_SESSION_SETUP_RSP,
	SMB2_BODY_EMPTY,           /* LOGOFF, TREE_DISCONNECT, ECHO, CANCEL */
	SMB2_BODY_TREE_CONNECT_REQ,
	SMB2_BODY_TREE_CONNECT_RSP,
	SMB2_BODY_IOCTL_REQ,
	SMB2_BODY_IOCTL_RSP,
};

struct smb2_message {
	struct smb2_header hdr;
	enum smb2_body_kind kind;
	union {
		struct smb2_error_rsp error;
		struct smb2_negotiate_req negotiate_req;
		struct smb2_negotiate_rsp negotiate_rsp;
		struct smb2_session_setup_req session_setup_req;
		struct smb2_session_setup_rsp session_setup_rsp;
		struct smb2_empty_body empty;
		struct smb2_tree_connect_req tree_connect_req;
		struct smb2_tree_connect_rsp tree_connect_rsp;
		struct smb2_ioctl_req ioctl_req;
		struct smb2_ioctl_rsp ioctl_rsp;
	} body;
};

/* Decodes the header and the body of one message (one compound element). */
enum sd_err smb2_message_decode(const uint8_t *msg, size_t len, struct smb2_message *out);

#endif
