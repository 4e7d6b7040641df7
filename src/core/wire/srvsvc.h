/* SRVSVC NetrShareEnum (MS-SRVS 3.1.4.8, opnum 15; Samba and Wireshark
 * call it NetShareEnumAll) at information level 1: the NDR stub of the
 * request and of the response, both directions, so that the probe can
 * list shares and the embedded server can answer the listing.
 *
 * NDR transfer syntax 2.0, little-endian; alignment counts from the stub
 * start (which the DCE/RPC REQUEST / RESPONSE header keeps 8-aligned).
 * Strings are [string] wchar_t*: a unique pointer whose pointee is a
 * conformant varying array of UTF-16LE units ending in a NUL.
 *
 * Decoded strings point into the stub; share lists are capped at
 * SRVSVC_MAX_SHARES (the rest is parsed, counted and dropped with
 * SD_ANOM_ITEMS_DROPPED). Every count is checked against the bytes left
 * before it is used.
 *
 * Errors: SD_ERR_TRUNCATED (the stub ends early), SD_ERR_MALFORMED (a
 * count, switch or string header contradicts the data), SD_ERR_UNSUPPORTED
 * (an information level other than 1 with entries), SD_ERR_NO_SPACE /
 * SD_ERR_INVALID_ARG (encoders).
 */
#ifndef SMBDIAG_CORE_WIRE_SRVSVC_H
#define SMBDIAG_CORE_WIRE_SRVSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/anomaly.h"
#include "core/wire/cursor.h"

#define SRVSVC_OPNUM_NETR_SHARE_ENUM 15
#define SRVSVC_MAX_SHARES 256
#define SRVSVC_NAME_MAX 80          /* NNLEN: UTF-16 units in a share name */
#define SRVSVC_REMARK_MAX 256       /* MAXCOMMENTSZ */
#define SRVSVC_PREFMAXLEN_ALL 0xFFFFFFFFu

/* shi1_type (MS-SRVS 2.2.2.4). */
#define SRVSVC_STYPE_DISKTREE 0x00000000u
#define SRVSVC_STYPE_PRINTQ 0x00000001u
#define SRVSVC_STYPE_DEVICE 0x00000002u
#define SRVSVC_STYPE_IPC 0x00000003u
#define SRVSVC_STYPE_MASK 0x000000FFu
#define SRVSVC_STYPE_CLUSTER_FS 0x02000000u
#define SRVSVC_STYPE_CLUSTER_SOFS 0x04000000u
#define SRVSVC_STYPE_CLUSTER_DFS 0x08000000u
#define SRVSVC_STYPE_TEMPORARY 0x40000000u
#define SRVSVC_STYPE_SPECIAL 0x80000000u

/* WERROR values a NetrShareEnum answer carries. */
#define SRVSVC_WERR_OK 0u
#define SRVSVC_WERR_ACCESS_DENIED 5u
#define SRVSVC_WERR_NOT_ENOUGH_MEMORY 8u
#define SRVSVC_WERR_NOT_SUPPORTED 50u
#define SRVSVC_WERR_INVALID_PARAMETER 87u
#define SRVSVC_WERR_INVALID_NAME 123u
#define SRVSVC_WERR_INVALID_LEVEL 124u
#define SRVSVC_WERR_MORE_DATA 234u
#define SRVSVC_NERR_BUF_TOO_SMALL 2123u

/* A [string] wchar_t* member. */
struct srvsvc_str {
	bool present;          /* non-NULL pointer */
	const uint8_t *p;      /* UTF-16LE without the terminating NUL */
	size_t len;            /* bytes */
	bool unterminated;     /* decoded without a final NUL (anomaly added) */
	/* Encoders only: when present and p is NULL, the string is written
	 * from this UTF-8 text instead. */
	const char *utf8;
};

struct srvsvc_share_info1 {
	struct srvsvc_str netname;
	uint32_t type;
	struct srvsvc_str remark;
};

/* SHARE_INFO_1_CONTAINER behind SHARE_ENUM_STRUCT's union pointer. */
struct srvsvc_share_ctr {
	bool present;          /* the container pointer is not NULL */
	uint32_t entries_read; /* as declared */
	bool buffer_present;   /* the array pointer is not NULL */
	uint16_t n;            /* kept */
	struct srvsvc_share_info1 shares[SRVSVC_MAX_SHARES];
};

struct srvsvc_share_enum_req {
	struct srvsvc_str server_name;
	uint32_t level;
	struct srvsvc_share_ctr ctr;   /* a client sends it empty */
	uint32_t prefmaxlen;
	bool resume_present;
	uint32_t resume_handle;
	struct sd_anomalies anom;
};

struct srvsvc_share_enum_rsp {
	uint32_t level;
	struct srvsvc_share_ctr ctr;
	uint32_t total_entries;
	bool resume_present;
	uint32_t resume_handle;
	uint32_t werror;
	struct sd_anomalies anom;
};

/* Request stub (client -> server). Any level decodes as long as the
 * container carries no array; an array is read at level 1 only. */
enum sd_err srvsvc_share_enum_req_decode(const uint8_t *p, size_t len, struct srvsvc_share_enum_req *out);
/* Writes the request; ctr.shares are written only when ctr.buffer_present
 * (and level is 1). Referent ids are 0x00020000, +4, ... as Windows and
 * Samba number them. */
enum sd_err srvsvc_share_enum_req_encode(const struct srvsvc_share_enum_req *req, struct sd_wr *w);
/* Fills a level-1 request the way smbclient and Windows send it: server
 * name (may be NULL: no pointer), an empty container, PreferedMaximumLength
 * 0xFFFFFFFF and a resume handle of 0. */
void srvsvc_share_enum_req_init(struct srvsvc_share_enum_req *req, const char *server_name_utf8);

/* Response stub (server -> client). Level 1 only (SD_ERR_UNSUPPORTED for
 * another level that carries entries). */
enum sd_err srvsvc_share_enum_rsp_decode(const uint8_t *p, size_t len, struct srvsvc_share_enum_rsp *out);
/* Writes the response from ctr.shares[0..ctr.n) (entries_read is taken
 * from n; strings from UTF-16 or UTF-8, see struct srvsvc_str). */
enum sd_err srvsvc_share_enum_rsp_encode(const struct srvsvc_share_enum_rsp *rsp, struct sd_wr *w);

/* "ERROR_ACCESS_DENIED", ...; NULL when unknown. */
const char *srvsvc_werror_name(uint32_t werror);
/* "disk", "printer", "device", "ipc" from the low byte; NULL otherwise. */
const char *srvsvc_share_type_name(uint32_t type);

#endif
