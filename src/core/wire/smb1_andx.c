#include "core/wire/smb1_andx.h"

#include <string.h>

#include "core/wire/cursor.h"
#include "core/wire/smb1.h"
#include "core/wire/utf16.h"

/* NTSTATUS values the DOS errors below stand for (MS-ERREF 2.3). */
#define NT_UNSUCCESSFUL 0xC0000001u
#define NT_ACCESS_DENIED 0xC0000022u
#define NT_LOGON_FAILURE 0xC000006Du
#define NT_BAD_NETWORK_NAME 0xC00000CCu

/* DOS error classes and codes (MS-CIFS 2.2.2.4). */
#define DOS_CLASS_ERRDOS 0x01
#define DOS_CLASS_ERRSRV 0x02
#define ERRDOS_NOACCESS 0x0005
#define ERRSRV_BADPW 0x0002
#define ERRSRV_ACCESS 0x0004
#define ERRSRV_INVNETNAME 0x0006

/* Words of the AndX header (MS-CIFS 2.2.3.4): command, reserved, offset. */
#define ANDX_WORDS 2

enum sd_err
smb1_block_decode(const uint8_t *p, size_t len, size_t at, struct smb1_block *b)
{
	struct sd_rd r;

	memset(b, 0, sizeof(*b));
	b->andx_command = SMB1_COM_NO_ANDX;
	if (at < SMB1_HEADER_SIZE || at >= len)
		return at < SMB1_HEADER_SIZE ? SD_ERR_BAD_OFFSET : SD_ERR_TRUNCATED;
	sd_rd_init(&r, p, len);
	sd_rd_seek(&r, at);
	b->word_count = sd_rd_u8(&r);
	b->words = sd_rd_bytes(&r, (size_t)b->word_count * 2);
	b->byte_count = sd_rd_u16le(&r);
	b->bytes_at = at + 1 + (size_t)b->word_count * 2 + 2;
	b->bytes = sd_rd_bytes(&r, b->byte_count);
	if (r.err != SD_OK)
		return r.err;
	if (b->word_count >= ANDX_WORDS) {
		b->andx_command = b->words[0];
		b->andx_offset = sd_load_u16le(b->words + 2);
	}
	return SD_OK;
}

enum sd_err
smb1_block_next(const uint8_t *p, size_t len, size_t at, const struct smb1_block *b, struct smb1_block *next,
		size_t *next_at)
{
	if (b->word_count < ANDX_WORDS || b->andx_command == SMB1_COM_NO_ANDX)
		return SD_ERR_NOT_FOUND;
	if (b->andx_offset <= at)
		return SD_ERR_BAD_OFFSET;
	*next_at = b->andx_offset;
	return smb1_block_decode(p, len, b->andx_offset, next);
}

/* A terminated string starting at `off` bytes into the block's bytes; a
 * Unicode one starts on an even offset from the header (a pad byte before
 * it otherwise). Advances *off past the terminator. A string running to
 * the end of the bytes without a terminator is taken whole: servers and
 * clients disagree on whether the last one is terminated. */
static void
read_string(const struct smb1_block *b, size_t *off, bool unicode, struct smb1_string *s)
{
	size_t i = *off;

	memset(s, 0, sizeof(*s));
	s->unicode = unicode;
	if (unicode && ((b->bytes_at + i) & 1) != 0)
		i++;
	if (i >= b->byte_count) {
		*off = b->byte_count;
		return;
	}
	s->p = b->bytes + i;
	if (unicode) {
		size_t j = i;

		while (j + 1 < b->byte_count && (b->bytes[j] != 0 || b->bytes[j + 1] != 0))
			j += 2;
		s->len = j + 1 < b->byte_count ? j - i : (b->byte_count - i) & ~(size_t)1;
		*off = j + 2 <= b->byte_count ? j + 2 : b->byte_count;
	} else {
		const uint8_t *nul = memchr(b->bytes + i, 0, b->byte_count - i);

		s->len = nul != NULL ? (size_t)(nul - (b->bytes + i)) : b->byte_count - i;
		*off = nul != NULL ? i + s->len + 1 : b->byte_count;
	}
}

enum sd_err
smb1_session_setup_request_decode(const struct smb1_block *b, uint16_t flags2,
				  struct smb1_session_setup_request *req)
{
	bool unicode = (flags2 & SMB1_FLAGS2_UNICODE) != 0;
	size_t off;

	memset(req, 0, sizeof(*req));
	req->word_count = b->word_count;
	switch (b->word_count) {
	case 12: /* MS-SMB 2.2.4.6.1 */
		req->security_blob_len = sd_load_u16le(b->words + 14);
		req->capabilities = sd_load_u32le(b->words + 20);
		if (req->security_blob_len > b->byte_count)
			return SD_ERR_MALFORMED;
		req->security_blob = b->bytes;
		return SD_OK;
	case 13: /* MS-CIFS 2.2.4.53.1 */
		req->oem_password_len = sd_load_u16le(b->words + 14);
		req->unicode_password_len = sd_load_u16le(b->words + 16);
		req->capabilities = sd_load_u32le(b->words + 22);
		break;
	case 10: /* MS-CIFS 2.2.4.53.1, LAN Manager form: an OEM password only */
		req->oem_password_len = sd_load_u16le(b->words + 14);
		unicode = false;
		break;
	default:
		return SD_ERR_MALFORMED;
	}
	off = (size_t)req->oem_password_len + req->unicode_password_len;
	if (off > b->byte_count)
		return SD_ERR_MALFORMED;
	read_string(b, &off, unicode, &req->account);
	read_string(b, &off, unicode, &req->domain);
	return SD_OK;
}

enum sd_err
smb1_session_setup_response_decode(const struct smb1_block *b, struct smb1_session_setup_response *rsp)
{
	memset(rsp, 0, sizeof(*rsp));
	rsp->word_count = b->word_count;
	switch (b->word_count) {
	case 0:
		return SD_OK;
	case 3:
		rsp->action = sd_load_u16le(b->words + 4);
		return SD_OK;
	case 4:
		rsp->action = sd_load_u16le(b->words + 4);
		rsp->security_blob_len = sd_load_u16le(b->words + 6);
		if (rsp->security_blob_len > b->byte_count)
			return SD_ERR_MALFORMED;
		rsp->security_blob = b->bytes;
		return SD_OK;
	default:
		return SD_ERR_MALFORMED;
	}
}

enum sd_err
smb1_tree_connect_request_decode(const struct smb1_block *b, uint16_t flags2,
				 struct smb1_tree_connect_request *req)
{
	size_t off;

	memset(req, 0, sizeof(*req));
	if (b->word_count != 4)
		return SD_ERR_MALFORMED;
	req->flags = sd_load_u16le(b->words + 4);
	req->password_len = sd_load_u16le(b->words + 6);
	if (req->password_len > b->byte_count)
		return SD_ERR_MALFORMED;
	off = req->password_len;
	read_string(b, &off, (flags2 & SMB1_FLAGS2_UNICODE) != 0, &req->path);
	read_string(b, &off, false, &req->service);
	return req->path.p != NULL ? SD_OK : SD_ERR_TRUNCATED;
}

enum sd_err
smb1_tree_connect_response_decode(const struct smb1_block *b, struct smb1_tree_connect_response *rsp)
{
	size_t off = 0;

	memset(rsp, 0, sizeof(*rsp));
	rsp->word_count = b->word_count;
	switch (b->word_count) {
	case 0:
		return SD_OK;
	case 7:
		rsp->maximal_access = sd_load_u32le(b->words + 6);
		rsp->guest_maximal_access = sd_load_u32le(b->words + 10);
		/* fall through */
	case 3:
		rsp->optional_support = sd_load_u16le(b->words + 4);
		/* fall through */
	case 2: /* LAN Manager servers (Windows 9x): no OptionalSupport */
		read_string(b, &off, false, &rsp->service);
		return SD_OK;
	default:
		return SD_ERR_MALFORMED;
	}
}

bool
smb1_string_text(const struct smb1_string *s, char *out, size_t cap)
{
	size_t i, n;

	if (cap == 0)
		return false;
	out[0] = '\0';
	if (s->p == NULL)
		return true;
	if (s->unicode)
		return sd_utf16le_to_utf8(s->p, s->len, out, cap, NULL) == SD_OK;
	/* OEM code pages differ; only ASCII is certain. */
	n = s->len < cap - 1 ? s->len : cap - 1;
	for (i = 0; i < n; i++)
		out[i] = s->p[i] >= 0x20 && s->p[i] < 0x7F ? (char)s->p[i] : '?';
	out[n] = '\0';
	return n == s->len;
}

uint32_t
smb1_status_ntstatus(uint32_t status, uint16_t flags2)
{
	uint8_t error_class = (uint8_t)(status & 0xFF);
	uint16_t code = (uint16_t)(status >> 16);

	if ((flags2 & SMB1_FLAGS2_NT_STATUS) || status == 0)
		return status;
	if (error_class == DOS_CLASS_ERRSRV) {
		switch (code) {
		case ERRSRV_INVNETNAME: return NT_BAD_NETWORK_NAME;
		case ERRSRV_BADPW: return NT_LOGON_FAILURE;
		case ERRSRV_ACCESS: return NT_ACCESS_DENIED;
		default: break;
		}
	}
	if (error_class == DOS_CLASS_ERRDOS && code == ERRDOS_NOACCESS)
		return NT_ACCESS_DENIED;
	return NT_UNSUCCESSFUL;
}
