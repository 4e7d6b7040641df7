/* SMB2 CREATE, CLOSE, READ and WRITE (MS-SMB2 2.2.13-2.2.16, 2.2.19-2.2.22)
 * and FSCTL_PIPE_TRANSCEIVE (2.2.31): enough to open a named pipe on IPC$
 * and move DCE/RPC bytes through it, for the probe's share listing, the
 * capture analyzer and the embedded server.
 *
 * Same conventions as smb2.h: body decoders take the whole message (header
 * first; offsets count from it), decoded structs point into the input,
 * lists have fixed caps, body encoders run right after smb2_header_encode
 * on the same writer. This header stands alone so that smb2.h can include
 * it for smb2_message_decode.
 *
 * Errors: SD_ERR_TRUNCATED, SD_ERR_STRUCTURE_SIZE, SD_ERR_BAD_OFFSET (a
 * buffer outside the message), SD_ERR_MALFORMED (a create context chain
 * that does not fit its block), SD_ERR_INVALID_ARG / SD_ERR_NO_SPACE
 * (encoders).
 */
#ifndef SMBDIAG_CORE_WIRE_SMB2_FILE_H
#define SMBDIAG_CORE_WIRE_SMB2_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/anomaly.h"
#include "core/wire/cursor.h"

/* StructureSize values. */
#define SMB2_CREATE_REQ_SIZE 57
#define SMB2_CREATE_RSP_SIZE 89
#define SMB2_CLOSE_REQ_SIZE 24
#define SMB2_CLOSE_RSP_SIZE 60
#define SMB2_READ_REQ_SIZE 49
#define SMB2_READ_RSP_SIZE 17
#define SMB2_WRITE_REQ_SIZE 49
#define SMB2_WRITE_RSP_SIZE 17

/* Oplock levels (2.2.13). */
#define SMB2_OPLOCK_LEVEL_NONE 0x00
#define SMB2_OPLOCK_LEVEL_II 0x01
#define SMB2_OPLOCK_LEVEL_EXCLUSIVE 0x08
#define SMB2_OPLOCK_LEVEL_BATCH 0x09
#define SMB2_OPLOCK_LEVEL_LEASE 0xFF

/* ImpersonationLevel. */
#define SMB2_IMPERSONATION_ANONYMOUS 0
#define SMB2_IMPERSONATION_IDENTIFICATION 1
#define SMB2_IMPERSONATION_IMPERSONATION 2
#define SMB2_IMPERSONATION_DELEGATE 3

/* Access mask bits used for pipes (MS-SMB2 2.2.13.1.1). */
#define SMB2_FILE_READ_DATA 0x00000001u
#define SMB2_FILE_WRITE_DATA 0x00000002u
#define SMB2_FILE_APPEND_DATA 0x00000004u
#define SMB2_FILE_READ_EA 0x00000008u
#define SMB2_FILE_WRITE_EA 0x00000010u
#define SMB2_FILE_READ_ATTRIBUTES 0x00000080u
#define SMB2_FILE_WRITE_ATTRIBUTES 0x00000100u
#define SMB2_READ_CONTROL 0x00020000u
#define SMB2_SYNCHRONIZE 0x00100000u
#define SMB2_MAXIMUM_ALLOWED 0x02000000u

/* ShareAccess. */
#define SMB2_FILE_SHARE_READ 0x00000001u
#define SMB2_FILE_SHARE_WRITE 0x00000002u
#define SMB2_FILE_SHARE_DELETE 0x00000004u

/* CreateDisposition. */
#define SMB2_FILE_SUPERSEDE 0
#define SMB2_FILE_OPEN 1
#define SMB2_FILE_CREATE 2
#define SMB2_FILE_OPEN_IF 3
#define SMB2_FILE_OVERWRITE 4
#define SMB2_FILE_OVERWRITE_IF 5

/* CreateOptions (the ones a pipe open uses). */
#define SMB2_FILE_DIRECTORY_FILE 0x00000001u
#define SMB2_FILE_NON_DIRECTORY_FILE 0x00000040u

/* CreateAction in the response. */
#define SMB2_FILE_SUPERSEDED 0
#define SMB2_FILE_OPENED 1
#define SMB2_FILE_CREATED 2
#define SMB2_FILE_OVERWRITTEN 3

/* CLOSE Flags. */
#define SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB 0x0001

/* READ Flags (3.0.2 / 3.1.1) and READ response Flags (3.1.1). */
#define SMB2_READFLAG_READ_UNBUFFERED 0x01
#define SMB2_READFLAG_REQUEST_COMPRESSED 0x02
#define SMB2_READFLAG_RESPONSE_RDMA_TRANSFORM 0x00000001u

/* The status a pipe answers when the message did not fit the buffer: the
 * data is valid and the rest follows with READ (MS-SMB2 3.3.5.15.3). */
#define SMB2_STATUS_BUFFER_OVERFLOW 0x80000005u

struct smb2_file_id {
	uint64_t persistent;
	uint64_t volatile_;
};

/* ------------------------------------------------------------------ */
/* Create contexts (2.2.13.2): a chain of 8-byte aligned entries.       */

#define SMB2_CREATE_CTX_MAX 8

struct smb2_create_ctx {
	uint32_t offset;          /* of the context in the message */
	uint32_t next;
	uint16_t name_offset;     /* from the context start */
	uint16_t name_len;
	uint16_t reserved;
	uint16_t data_offset;     /* from the context start, 0 when no data */
	uint32_t data_len;
	const uint8_t *name;      /* usually four ASCII bytes: "MxAc", "QFid" */
	const uint8_t *data;
};

struct smb2_create_ctx_list {
	uint16_t count;           /* contexts found in the chain */
	uint8_t n;                /* kept */
	struct smb2_create_ctx ctx[SMB2_CREATE_CTX_MAX];
};

/* Decodes a context chain of len bytes at p; base is p's offset in the
 * message (for anomaly offsets and ctx.offset). */
enum sd_err smb2_create_ctx_decode(const uint8_t *p, size_t len, uint32_t base, struct smb2_create_ctx_list *out,
				   struct sd_anomalies *anom);
/* Writes a chain from name/name_len and data/data_len of each context
 * (offsets and Next computed). The writer's length must be 8-aligned
 * relative to the message start when it is called inside a message. */
enum sd_err smb2_create_ctx_encode(const struct smb2_create_ctx *ctx, size_t n, struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* CREATE (2.2.13, 2.2.14)                                              */

struct smb2_create_req {
	uint8_t security_flags;       /* MBZ */
	uint8_t oplock_level;
	uint32_t impersonation_level;
	uint64_t smb_create_flags;    /* MBZ */
	uint64_t reserved;
	uint32_t desired_access;
	uint32_t file_attributes;
	uint32_t share_access;
	uint32_t create_disposition;
	uint32_t create_options;
	uint16_t name_offset;
	uint16_t name_len;            /* bytes */
	uint32_t contexts_offset;
	uint32_t contexts_len;
	const uint8_t *name;          /* UTF-16LE, no terminator ("srvsvc") */
	const uint8_t *contexts;      /* the raw chain, contexts_len bytes */
	struct smb2_create_ctx_list ctx;
	struct sd_anomalies anom;
};

struct smb2_create_rsp {
	uint8_t oplock_level;
	uint8_t flags;                /* SMB2_CREATE_FLAG_REPARSEPOINT (3.1.1) */
	uint32_t create_action;
	uint64_t creation_time;
	uint64_t last_access_time;
	uint64_t last_write_time;
	uint64_t change_time;
	uint64_t allocation_size;
	uint64_t end_of_file;
	uint32_t file_attributes;
	uint32_t reserved2;
	struct smb2_file_id file_id;
	uint32_t contexts_offset;
	uint32_t contexts_len;
	const uint8_t *contexts;
	struct smb2_create_ctx_list ctx;
	struct sd_anomalies anom;
};

enum sd_err smb2_create_req_decode(const uint8_t *msg, size_t len, struct smb2_create_req *out);
/* Writes the name, then (8-aligned) the raw chain contexts/contexts_len;
 * offsets computed. An empty name with no contexts still gets the one
 * Buffer byte StructureSize 57 promises. */
enum sd_err smb2_create_req_encode(const struct smb2_create_req *req, struct sd_wr *w);
enum sd_err smb2_create_rsp_decode(const uint8_t *msg, size_t len, struct smb2_create_rsp *out);
enum sd_err smb2_create_rsp_encode(const struct smb2_create_rsp *rsp, struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* CLOSE (2.2.15, 2.2.16)                                               */

struct smb2_close_req {
	uint16_t flags;
	uint32_t reserved;
	struct smb2_file_id file_id;
	struct sd_anomalies anom;
};

struct smb2_close_rsp {
	uint16_t flags;
	uint32_t reserved;
	uint64_t creation_time;
	uint64_t last_access_time;
	uint64_t last_write_time;
	uint64_t change_time;
	uint64_t allocation_size;
	uint64_t end_of_file;
	uint32_t file_attributes;
	struct sd_anomalies anom;
};

enum sd_err smb2_close_req_decode(const uint8_t *msg, size_t len, struct smb2_close_req *out);
enum sd_err smb2_close_req_encode(const struct smb2_close_req *req, struct sd_wr *w);
enum sd_err smb2_close_rsp_decode(const uint8_t *msg, size_t len, struct smb2_close_rsp *out);
enum sd_err smb2_close_rsp_encode(const struct smb2_close_rsp *rsp, struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* READ (2.2.19, 2.2.20)                                                */

struct smb2_read_req {
	uint8_t padding;              /* where the client wants the data (header offset) */
	uint8_t flags;
	uint32_t length;
	uint64_t offset;
	struct smb2_file_id file_id;
	uint32_t minimum_count;
	uint32_t channel;
	uint32_t remaining_bytes;
	uint16_t channel_info_offset;
	uint16_t channel_info_len;
	const uint8_t *channel_info;
	struct sd_anomalies anom;
};

struct smb2_read_rsp {
	uint8_t data_offset;
	uint8_t reserved;
	uint32_t data_len;
	uint32_t data_remaining;
	uint32_t flags;               /* Reserved2 before 3.1.1 */
	const uint8_t *data;
	struct sd_anomalies anom;
};

enum sd_err smb2_read_req_decode(const uint8_t *msg, size_t len, struct smb2_read_req *out);
/* Channel info (RDMA) is written when given; otherwise the single zero
 * Buffer byte. */
enum sd_err smb2_read_req_encode(const struct smb2_read_req *req, struct sd_wr *w);
enum sd_err smb2_read_rsp_decode(const uint8_t *msg, size_t len, struct smb2_read_rsp *out);
/* Writes the data right after the fixed part (DataOffset 80). */
enum sd_err smb2_read_rsp_encode(const struct smb2_read_rsp *rsp, struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* WRITE (2.2.21, 2.2.22)                                               */

struct smb2_write_req {
	uint16_t data_offset;
	uint32_t length;
	uint64_t offset;
	struct smb2_file_id file_id;
	uint32_t channel;
	uint32_t remaining_bytes;
	uint16_t channel_info_offset;
	uint16_t channel_info_len;
	uint32_t flags;
	const uint8_t *data;
	const uint8_t *channel_info;
	struct sd_anomalies anom;
};

struct smb2_write_rsp {
	uint16_t reserved;
	uint32_t count;
	uint32_t remaining;
	uint16_t channel_info_offset;  /* MBZ */
	uint16_t channel_info_len;     /* MBZ */
	struct sd_anomalies anom;
};

enum sd_err smb2_write_req_decode(const uint8_t *msg, size_t len, struct smb2_write_req *out);
/* Writes the data (DataOffset 112), then the channel info when given. */
enum sd_err smb2_write_req_encode(const struct smb2_write_req *req, struct sd_wr *w);
enum sd_err smb2_write_rsp_decode(const uint8_t *msg, size_t len, struct smb2_write_rsp *out);
enum sd_err smb2_write_rsp_encode(const struct smb2_write_rsp *rsp, struct sd_wr *w);

/* ------------------------------------------------------------------ */
/* FSCTL_PIPE_TRANSCEIVE (2.2.31, 3.3.5.15.3): one IOCTL that writes a  */
/* message to the pipe and reads the answer.                            */

struct smb2_ioctl_req;

/* Fills an IOCTL request (smb2.h) for a transceive on the pipe fid: in is
 * the DCE/RPC PDU, max_out the largest answer taken in one go. */
void smb2_pipe_transceive_req_init(struct smb2_ioctl_req *req, const struct smb2_file_id *fid, const uint8_t *in,
				   uint32_t in_len, uint32_t max_out);

#endif
