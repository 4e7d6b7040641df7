/* SMB1 as far as an SMB2 diagnosis needs it: the 32-byte header and
 * SMB_COM_NEGOTIATE (MS-CIFS 2.2.4.52, MS-SMB 2.2.4.5; the multi-protocol
 * upgrade of MS-SMB2 3.3.5.3), plus a classifier of the four protocol
 * magics (FF / FE / FD / FC 'SMB').
 *
 * Decoders take the SMB message without its NetBIOS / direct-TCP header.
 */
#ifndef SMBDIAG_CORE_WIRE_SMB1_H
#define SMBDIAG_CORE_WIRE_SMB1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/anomaly.h"
#include "core/wire/cursor.h"

#define SMB1_HEADER_SIZE 32
#define SMB1_COM_NEGOTIATE 0x72
#define SMB1_DIALECTS_MAX 32
#define SMB1_DIALECT_FORMAT 0x02 /* BufferFormat byte before each dialect */
#define SMB1_NO_DIALECT 0xFFFF   /* DialectIndex when no offered dialect suits */

/* Header Flags / Flags2 bits (MS-CIFS 2.2.3.1). */
#define SMB1_FLAGS_CASE_INSENSITIVE 0x08
#define SMB1_FLAGS_CANONICALIZED_PATHS 0x10
#define SMB1_FLAGS_REPLY 0x80
#define SMB1_FLAGS2_LONG_NAMES 0x0001
#define SMB1_FLAGS2_EAS 0x0002
#define SMB1_FLAGS2_SECURITY_SIGNATURE 0x0004
#define SMB1_FLAGS2_IS_LONG_NAME 0x0040
#define SMB1_FLAGS2_EXTENDED_SECURITY 0x0800
#define SMB1_FLAGS2_DFS 0x1000
#define SMB1_FLAGS2_NT_STATUS 0x4000
#define SMB1_FLAGS2_UNICODE 0x8000

/* NEGOTIATE response SecurityMode and Capabilities (MS-CIFS 2.2.4.52.2). */
#define SMB1_SECMODE_USER 0x01
#define SMB1_SECMODE_ENCRYPT_PASSWORDS 0x02
#define SMB1_SECMODE_SIGNATURES_ENABLED 0x04
#define SMB1_SECMODE_SIGNATURES_REQUIRED 0x08
#define SMB1_CAP_UNICODE 0x00000004u
#define SMB1_CAP_NT_SMBS 0x00000010u
#define SMB1_CAP_STATUS32 0x00000040u
#define SMB1_CAP_EXTENDED_SECURITY 0x80000000u

#define SMB1_DIALECT_NT_LM_012 "NT LM 0.12"
#define SMB1_DIALECT_SMB2_002 "SMB 2.002"
#define SMB1_DIALECT_SMB2_WILDCARD "SMB 2.???"

struct smb1_header {
	uint8_t command;
	uint32_t status;   /* NTSTATUS when FLAGS2_NT_STATUS, else DOS class/code */
	uint8_t flags;
	uint16_t flags2;
	uint16_t pid_high;
	uint8_t security_features[8];
	uint16_t reserved;
	uint16_t tid;
	uint16_t pid_low;
	uint16_t uid;
	uint16_t mid;
};

struct smb1_dialect {
	const char *name; /* points into the input; NUL terminated there */
	size_t len;       /* bytes before the NUL */
};

struct smb1_negotiate_request {
	struct smb1_header hdr;
	uint8_t word_count;
	uint16_t byte_count;
	uint16_t dialect_count;  /* all dialects seen (may exceed n_dialects) */
	uint8_t n_dialects;      /* kept in dialects[] */
	struct smb1_dialect dialects[SMB1_DIALECTS_MAX];
	/* Computed over every dialect, kept or dropped. */
	bool offers_smb2_002;
	bool offers_smb2_wildcard;
	bool offers_smb1;        /* at least one dialect that is not an SMB2 string */
};

/* What kind of SMB1 NEGOTIATE response this is, by its WordCount. */
enum smb1_negotiate_form {
	SMB1_NEG_FORM_ERROR = 0,      /* WordCount 0: an error response, see hdr.status */
	SMB1_NEG_FORM_INDEX_ONLY = 1, /* WordCount 1: DialectIndex only (core, or 0xFFFF) */
	SMB1_NEG_FORM_LANMAN = 13,    /* LANMAN 1.0 / 2.x */
	SMB1_NEG_FORM_NT = 17,        /* NT LM 0.12 */
};

struct smb1_negotiate_response {
	struct smb1_header hdr;
	uint8_t word_count;
	enum smb1_negotiate_form form;
	uint16_t dialect_index;   /* SMB1_NO_DIALECT: none of the offered dialects
				   * (also set for the ERROR form) */
	uint16_t security_mode;   /* u8 in the NT form, u16 in the LANMAN form */
	uint16_t max_mpx_count;
	uint16_t max_number_vcs;
	uint32_t max_buffer_size;
	uint32_t max_raw_size;    /* NT form only */
	uint32_t session_key;
	uint32_t capabilities;    /* NT form only */
	uint64_t system_time;     /* NT form: FILETIME (100 ns since 1601) */
	int16_t server_time_zone; /* minutes from UTC */
	uint16_t challenge_length;
	uint16_t byte_count;
	const uint8_t *bytes;     /* the whole byte block */
	/* NT form with CAP_EXTENDED_SECURITY: ServerGUID then the security blob
	 * (SPNEGO); otherwise the challenge (EncryptionKey) and the rest of the
	 * byte block (domain and server names). */
	const uint8_t *server_guid; /* 16 bytes or NULL */
	const uint8_t *security_blob;
	size_t security_blob_len;
	const uint8_t *challenge;   /* challenge_length bytes or NULL */
};

/* Errors: SD_ERR_TRUNCATED, SD_ERR_PROTOCOL_ID (not FF 'SMB'). */
enum sd_err smb1_header_decode(const uint8_t *p, size_t len, struct smb1_header *hdr);
enum sd_err smb1_header_encode(struct sd_wr *w, const struct smb1_header *hdr);

/* Decodes an SMB_COM_NEGOTIATE request. Errors: SD_ERR_TRUNCATED,
 * SD_ERR_PROTOCOL_ID, SD_ERR_UNSUPPORTED (another command), SD_ERR_MALFORMED
 * (REPLY flag set, a BufferFormat other than 0x02, a dialect without its
 * NUL). More than SMB1_DIALECTS_MAX dialects: SD_ANOM_ITEMS_DROPPED (value =
 * total); a non-zero WordCount: SD_ANOM_LENGTH_MISMATCH (words skipped);
 * bytes after the byte block: SD_ANOM_TRAILING_BYTES. */
enum sd_err smb1_negotiate_request_decode(const uint8_t *p, size_t len, struct smb1_negotiate_request *req,
					  struct sd_anomalies *anom);

/* Decodes an SMB_COM_NEGOTIATE response (REPLY flag set). Errors as for the
 * request; a WordCount other than 0, 1, 13 or 17 is SD_ERR_MALFORMED; a byte
 * block shorter than the challenge or GUID is SD_ERR_BAD_OFFSET. */
enum sd_err smb1_negotiate_response_decode(const uint8_t *p, size_t len, struct smb1_negotiate_response *resp,
					   struct sd_anomalies *anom);

/* Index of the exact dialect string in the kept list, or -1. */
int smb1_negotiate_dialect_index(const struct smb1_negotiate_request *req, const char *dialect);
static inline bool
smb1_negotiate_offers_smb2(const struct smb1_negotiate_request *req)
{
	return req->offers_smb2_002 || req->offers_smb2_wildcard;
}
/* A "multi-protocol" negotiate (MS-SMB2 3.3.5.3) offers SMB2 strings
 * next to SMB1 dialects: an SMB2 server answers it with an SMB2 NEGOTIATE
 * response instead of an SMB1 one. */
static inline bool
smb1_negotiate_is_multi_protocol(const struct smb1_negotiate_request *req)
{
	return smb1_negotiate_offers_smb2(req) && req->offers_smb1;
}
/* The dialect the server chose, from the request it answered; NULL for
 * SMB1_NO_DIALECT or an index outside the kept list. */
const char *smb1_negotiate_chosen_dialect(const struct smb1_negotiate_request *req,
					  const struct smb1_negotiate_response *resp);

/* The dialects Windows clients offer in their first, multi-protocol
 * negotiate (from oldest to newest) and the count. */
extern const char *const smb1_multi_protocol_dialects[];
extern const size_t smb1_multi_protocol_dialect_count;

/* Writes an SMB_COM_NEGOTIATE request: header (hdr may be NULL for the
 * usual client header: Flags 0x18, Flags2 0xC853, everything else 0; the
 * command and the REPLY flag are forced), WordCount 0 and the dialects.
 * Errors: SD_ERR_INVALID_ARG (no dialect, more than SMB1_DIALECTS_MAX, a byte
 * block over 65535), SD_ERR_NO_SPACE. */
enum sd_err smb1_negotiate_request_encode(struct sd_wr *w, const struct smb1_header *hdr,
					  const char *const *dialects, size_t n);

/* Writes an SMB_COM_NEGOTIATE response in the form resp->form (the header
 * from resp->hdr with the command and REPLY flag forced): ERROR writes no
 * words, INDEX_ONLY writes DialectIndex only; NT writes the 17 words and then either ServerGUID +
 * security blob (CAP_EXTENDED_SECURITY) or the challenge. The LANMAN form is
 * decode-only (SD_ERR_UNSUPPORTED). */
enum sd_err smb1_negotiate_response_encode(struct sd_wr *w, const struct smb1_negotiate_response *resp);

/* The first four bytes of an SMB message. */
enum sd_magic {
	SD_MAGIC_UNKNOWN = 0,
	SD_MAGIC_SMB1,        /* FF 'SMB' */
	SD_MAGIC_SMB2,        /* FE 'SMB' */
	SD_MAGIC_TRANSFORM,   /* FD 'SMB': encrypted */
	SD_MAGIC_COMPRESSION, /* FC 'SMB': compressed */
	SD_MAGIC_TRUNCATED,   /* fewer than 4 bytes */
};
enum sd_magic sd_magic_classify(const uint8_t *p, size_t len);
const char *sd_magic_name(enum sd_magic magic); /* "smb1", "smb2", ... */

/* Peeks at an SMB2 NEGOTIATE response (FE header, command 0, the
 * SERVER_TO_REDIR flag) and returns its DialectRevision, without decoding
 * the rest: enough to recognise the answer to a multi-protocol negotiate
 * (0x02FF or 0x0202). Errors: SD_ERR_TRUNCATED, SD_ERR_PROTOCOL_ID,
 * SD_ERR_MALFORMED (another command, a request, a bad StructureSize). */
enum sd_err smb1_upgrade_response_dialect(const uint8_t *p, size_t len, uint16_t *dialect);

/* What a server answered to an SMB1 (multi-protocol) NEGOTIATE. */
enum smb1_answer {
	SMB1_ANSWER_SMB2_WILDCARD = 1, /* SMB2 response, dialect 0x02FF: an SMB2 NEGOTIATE must follow */
	SMB1_ANSWER_SMB2_FIXED,        /* SMB2 response with one dialect (0x0202): SMB 2.0.2 is settled */
	SMB1_ANSWER_SMB2_ERROR,        /* SMB2 header with a non-zero Status */
	SMB1_ANSWER_SMB1_DIALECT,      /* SMB1 response choosing an SMB1 dialect: the server (or its
					* configuration) speaks SMB1 only */
	SMB1_ANSWER_SMB1_NO_DIALECT,   /* SMB1 response with DialectIndex 0xFFFF */
	SMB1_ANSWER_SMB1_ERROR,        /* SMB1 error response (WordCount 0) */
};
/* Classifies the answer. *value is the SMB2 dialect (SMB2_WILDCARD,
 * SMB2_FIXED), the Status (the two ERROR kinds) or the SMB1 DialectIndex.
 * Errors: those of the decoders involved; SD_ERR_PROTOCOL_ID when the bytes
 * are neither FF nor FE 'SMB'. */
enum sd_err smb1_negotiate_answer_classify(const uint8_t *p, size_t len, enum smb1_answer *kind, uint32_t *value);

#endif
