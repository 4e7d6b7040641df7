/* The two SMB1 AndX commands an SMB1-only client's failure shows in:
 * SMB_COM_SESSION_SETUP_ANDX (MS-CIFS 2.2.4.53, MS-SMB 2.2.4.6 with
 * extended security) and SMB_COM_TREE_CONNECT_ANDX (MS-CIFS 2.2.4.55,
 * MS-SMB 2.2.4.7), as far as a diagnosis needs them: who logged on, as
 * guest or not, and which share was asked for.
 *
 * An SMB1 message may chain commands (AndX, MS-CIFS 2.2.3.4): a block is
 * one command's WordCount, words, ByteCount and bytes, found at `at` bytes
 * into the message (32 for the first, then each AndXOffset).
 * smb1_block_decode takes the whole message (no NetBIOS header) and bounds
 * the block inside it; the command decoders read that block only, and
 * align Unicode strings by its offset from the start of the SMB header.
 */
#ifndef SMBDIAG_CORE_WIRE_SMB1_ANDX_H
#define SMBDIAG_CORE_WIRE_SMB1_ANDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SMB1_COM_SESSION_SETUP_ANDX 0x73
#define SMB1_COM_TREE_CONNECT_ANDX 0x75
#define SMB1_COM_NO_ANDX 0xFF
#define SMB1_SETUP_GUEST 0x0001 /* SESSION_SETUP_ANDX response Action */

struct smb1_block {
	uint8_t word_count;
	const uint8_t *words;    /* word_count * 2 bytes */
	uint16_t byte_count;
	const uint8_t *bytes;
	size_t bytes_at;         /* offset of bytes in the message */
	/* When word_count >= 2: the next command and where it starts;
	 * SMB1_COM_NO_ANDX ends the chain. */
	uint8_t andx_command;
	uint16_t andx_offset;
};

/* A string of a message: `len` bytes at `p` without the terminator,
 * UTF-16LE when `unicode`, else OEM (treated as ASCII). p NULL: absent. */
struct smb1_string {
	const uint8_t *p;
	size_t len;
	bool unicode;
};

/* Errors: SD_ERR_TRUNCATED (the block or its bytes run past len),
 * SD_ERR_BAD_OFFSET (at inside the header or past len). */
enum sd_err smb1_block_decode(const uint8_t *p, size_t len, size_t at, struct smb1_block *b);

/* The next block of a chain after b (at b->andx_offset), or
 * SD_ERR_NOT_FOUND when the chain ends. A chain must go forward: an
 * AndXOffset at or before `at` is SD_ERR_BAD_OFFSET, so that walking a
 * chain always ends. */
enum sd_err smb1_block_next(const uint8_t *p, size_t len, size_t at, const struct smb1_block *b,
			    struct smb1_block *next, size_t *next_at);

struct smb1_session_setup_request {
	uint8_t word_count;      /* 12: extended security; 13: NT LM 0.12 passwords; 10: LANMAN */
	uint32_t capabilities;   /* forms 12 and 13 */
	const uint8_t *security_blob;  /* form 12 */
	size_t security_blob_len;
	/* Form 13 (and 10: OEM password only). */
	uint16_t oem_password_len;
	uint16_t unicode_password_len;
	struct smb1_string account;
	struct smb1_string domain;
};

struct smb1_session_setup_response {
	uint8_t word_count;      /* 0: error; 3: without, 4: with extended security */
	uint16_t action;         /* SMB1_SETUP_GUEST */
	const uint8_t *security_blob;
	size_t security_blob_len;
};

struct smb1_tree_connect_request {
	uint16_t flags;
	uint16_t password_len;   /* share-level password: 0 or 1 under user-level security */
	struct smb1_string path; /* \\server\share */
	struct smb1_string service;  /* "?????", "A:", "IPC", ... (always OEM) */
};

struct smb1_tree_connect_response {
	uint8_t word_count;      /* 0: error; 2 (Windows 9x), 3; 7 with the access masks (MS-SMB) */
	uint16_t optional_support;
	uint32_t maximal_access;       /* word_count 7 only */
	uint32_t guest_maximal_access;
	struct smb1_string service;    /* "A:", "IPC", ... */
};

/* The block b (from smb1_block_decode) of a message whose header had
 * Flags2 `flags2` (Unicode).
 * Errors: SD_ERR_MALFORMED (a WordCount this command does not have, a blob
 * or password longer than the bytes), SD_ERR_TRUNCATED. An error response
 * (WordCount 0) decodes with word_count 0 and nothing else. */
enum sd_err smb1_session_setup_request_decode(const struct smb1_block *b, uint16_t flags2, struct smb1_session_setup_request *req);
enum sd_err smb1_session_setup_response_decode(const struct smb1_block *b, struct smb1_session_setup_response *rsp);
enum sd_err smb1_tree_connect_request_decode(const struct smb1_block *b, uint16_t flags2, struct smb1_tree_connect_request *req);
enum sd_err smb1_tree_connect_response_decode(const struct smb1_block *b, struct smb1_tree_connect_response *rsp);

/* Writes s as UTF-8 into out (always terminated); returns false when it
 * was cut or held bytes that are not text. */
bool smb1_string_text(const struct smb1_string *s, char *out, size_t cap);

/* The NTSTATUS an SMB1 header's Status means: itself with
 * FLAGS2_NT_STATUS, else the DOS error class and code (MS-CIFS 2.2.2.4)
 * mapped for the errors a diagnosis tells apart (bad share name, access
 * denied, bad password, bad user); other DOS errors map to
 * STATUS_UNSUCCESSFUL. */
uint32_t smb1_status_ntstatus(uint32_t status, uint16_t flags2);

#endif
