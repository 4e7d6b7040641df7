/* NetBIOS session service (RFC 1002 section 4.3) and its port-445 cousin,
 * the "direct TCP" framing of MS-SMB2 section 2.1.
 *
 * Every PDU starts with a 4-byte header. On port 139 it is Type (u8),
 * Flags (u8; bit 0 extends the length to 17 bits), Length (u16 big-endian).
 * On port 445 the first byte is 0x00 and the length is 24 bits big-endian.
 * The choice is the caller's (enum nbss_transport): the bytes alone cannot
 * tell a 139 length extension from a 445 length.
 *
 * Framing choice: smbdiag does not keep a framer object that copies bytes.
 * nbss_frame_length() tells the caller how many bytes of its own buffer
 * form the next complete PDU (or that more are needed, or that the PDU is
 * larger than the caller accepts). The caller, which owns the stream
 * buffer anyway (TCP reassembly, a socket read buffer), then decodes the
 * PDU in place and drops those bytes. Nothing here allocates, so a stream
 * cut at any byte costs no copy and no memory beyond the caller's buffer.
 */
#ifndef SMBDIAG_CORE_WIRE_NBSS_H
#define SMBDIAG_CORE_WIRE_NBSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/anomaly.h"
#include "core/wire/cursor.h"

#define NBSS_HEADER_SIZE 4
#define NBSS_FLAG_LENGTH_EXT 0x01
#define NBSS_MAX_LENGTH_NETBIOS 0x1FFFFu /* 17 bits */
#define NBSS_MAX_LENGTH_DIRECT 0xFFFFFFu /* 24 bits */

/* A NetBIOS name is 16 bytes: 15 characters padded with spaces, then the
 * suffix byte (0x20 = file server service, 0x00 = workstation). */
#define NBSS_NAME_LEN 16
#define NBSS_NAME_CHARS 15
#define NBSS_SUFFIX_SERVER 0x20
#define NBSS_SUFFIX_WORKSTATION 0x00
/* The called name a client sends when it knows no NetBIOS name for the
 * server (connecting by address), and the one smbclient and Windows retry
 * with after NBSS_ERR_CALLED_NAME_NOT_PRESENT. */
#define NBSS_ANY_SERVER_NAME "*SMBSERVER"
/* RFC 1002 4.1: a whole encoded name (labels, lengths and the final zero)
 * fits in 255 bytes; a label holds at most 63. */
#define NBSS_ENCODED_NAME_MAX 255
#define NBSS_LABEL_MAX 63

enum nbss_transport {
	NBSS_TRANSPORT_NETBIOS = 0, /* TCP 139: RFC 1002 header */
	NBSS_TRANSPORT_DIRECT = 1,  /* TCP 445: 0x00 + 24-bit length */
};

enum nbss_type {
	NBSS_SESSION_MESSAGE = 0x00,
	NBSS_SESSION_REQUEST = 0x81,
	NBSS_POSITIVE_RESPONSE = 0x82,
	NBSS_NEGATIVE_RESPONSE = 0x83,
	NBSS_RETARGET_RESPONSE = 0x84,
	NBSS_KEEP_ALIVE = 0x85,
};

/* Negative session response error codes (RFC 1002 4.3.4); names and
 * meanings in names.h (nbss_error_name / nbss_error_meaning). */
enum nbss_error {
	NBSS_ERR_NOT_LISTENING_ON_CALLED_NAME = 0x80,
	NBSS_ERR_NOT_LISTENING_FOR_CALLING_NAME = 0x81,
	NBSS_ERR_CALLED_NAME_NOT_PRESENT = 0x82,
	NBSS_ERR_INSUFFICIENT_RESOURCES = 0x83,
	NBSS_ERR_UNSPECIFIED = 0x8F,
};

struct nbss_header {
	uint8_t type;    /* enum nbss_type */
	uint8_t flags;   /* 139 only; 0 on 445 */
	uint32_t length; /* payload bytes after the 4-byte header */
};

/* A decoded NetBIOS name. The scope points into the input in wire form
 * (length-prefixed labels without the final zero byte). */
struct nbss_name {
	uint8_t name[NBSS_NAME_LEN]; /* 15 characters (space padded) + suffix */
	const uint8_t *scope;        /* NULL when the name has no scope id */
	size_t scope_len;
};

struct nbss_session_request {
	struct nbss_name called;
	struct nbss_name calling;
};

/* One decoded PDU. Only the members that belong to hdr.type are set. */
struct nbss_pdu {
	struct nbss_header hdr;
	const uint8_t *payload;      /* session message: the SMB message */
	size_t payload_len;
	struct nbss_session_request request; /* NBSS_SESSION_REQUEST */
	uint8_t error_code;          /* NBSS_NEGATIVE_RESPONSE */
	uint32_t retarget_ip;        /* NBSS_RETARGET_RESPONSE, host order */
	uint16_t retarget_port;
};

/* Decodes the 4-byte header. Errors: SD_ERR_TRUNCATED (len < 4),
 * SD_ERR_MALFORMED (a type the transport does not carry). Non-zero reserved
 * flag bits on 139 are an SD_ANOM_RESERVED_NONZERO anomaly. */
enum sd_err nbss_header_decode(const uint8_t *p, size_t len, enum nbss_transport transport,
			       struct nbss_header *hdr, struct sd_anomalies *anom);

/* Stream framing. On SD_OK the first *pdu_len bytes of p (header included)
 * are one complete PDU. On SD_ERR_TRUNCATED more bytes are needed; *pdu_len
 * is then the full size of the PDU when the header is complete, 0 otherwise.
 * max_pdu caps header + payload (0: only the format's own limit); a larger
 * PDU gives SD_ERR_LIMIT with *pdu_len set, so the caller can skip or close.
 * A bad header gives SD_ERR_MALFORMED. */
enum sd_err nbss_frame_length(const uint8_t *p, size_t len, enum nbss_transport transport, size_t max_pdu,
			      size_t *pdu_len);

/* Decodes exactly one PDU (header + payload). Bytes after the PDU are an
 * SD_ANOM_TRAILING_BYTES anomaly; a body shorter than its type needs is
 * SD_ERR_MALFORMED; a longer one SD_ANOM_LENGTH_MISMATCH. */
enum sd_err nbss_decode(const uint8_t *p, size_t len, enum nbss_transport transport, struct nbss_pdu *pdu,
			struct sd_anomalies *anom);

/* Decodes one first-level encoded name (RFC 1001 14.1) from r, scope
 * labels included. Errors: SD_ERR_TRUNCATED, SD_ERR_MALFORMED (first label
 * not 32 bytes, a character outside 'A'..'P', a label pointer, a label over
 * 63 bytes or a name over 255). */
enum sd_err nbss_name_decode(struct sd_rd *r, struct nbss_name *name);

/* The 15 name characters with trailing spaces removed, NUL terminated;
 * bytes outside printable ASCII become '.'. */
void nbss_name_text(const struct nbss_name *name, char out[NBSS_NAME_CHARS + 1]);
static inline uint8_t
nbss_name_suffix(const struct nbss_name *name)
{
	return name->name[NBSS_NAME_LEN - 1];
}
/* The scope as dotted text ("contoso.com"), "" when there is none.
 * SD_ERR_NO_SPACE when cap is too small (out is then ""). */
enum sd_err nbss_scope_text(const struct nbss_name *name, char *out, size_t cap);

/* Writes a name in first-level encoding. text is at most 15 bytes and is
 * sent upper-case (NetBIOS names are case-insensitive and Windows and
 * Samba send them upper-case; "*SMBSERVER" is unaffected). scope is dotted
 * text or NULL. Errors: SD_ERR_INVALID_ARG (name too long, empty or over-long
 * scope label, name over 255 bytes), SD_ERR_NO_SPACE. */
enum sd_err nbss_name_encode(struct sd_wr *w, const char *text, uint8_t suffix, const char *scope);

/* Writes a header; length must fit the transport (SD_ERR_INVALID_ARG). On
 * 445 only NBSS_SESSION_MESSAGE and NBSS_KEEP_ALIVE exist. */
enum sd_err nbss_header_encode(struct sd_wr *w, enum nbss_transport transport, uint8_t type, uint32_t length);
/* Session request (139): called name with suffix 0x20 is the usual
 * "connect to the file server" form. */
enum sd_err nbss_session_request_encode(struct sd_wr *w, const char *called, uint8_t called_suffix,
					const char *calling, uint8_t calling_suffix, const char *scope);
enum sd_err nbss_positive_response_encode(struct sd_wr *w);
enum sd_err nbss_negative_response_encode(struct sd_wr *w, uint8_t error_code);
enum sd_err nbss_retarget_response_encode(struct sd_wr *w, uint32_t ip, uint16_t port);
enum sd_err nbss_keep_alive_encode(struct sd_wr *w, enum nbss_transport transport);

const char *nbss_type_name(uint8_t type); /* "SESSION_REQUEST"; NULL when unknown */

#endif
