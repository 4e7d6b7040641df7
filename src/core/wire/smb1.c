#include "core/wire/smb1.h"

#include <string.h>

#define SMB1_GUID_LEN 16
#define SMB1_NT_WORDS 17
#define SMB1_LANMAN_WORDS 13
/* SMB2 header offsets the upgrade peek needs (MS-SMB2 2.2.1, 2.2.4). */
#define SMB2_PEEK_HEADER_SIZE 64
#define SMB2_PEEK_COMMAND_OFF 12
#define SMB2_PEEK_FLAGS_OFF 16
#define SMB2_PEEK_NEGOTIATE_RESPONSE_SIZE 65

static const uint8_t smb1_magic_tail[3] = {'S', 'M', 'B'};

const char *const smb1_multi_protocol_dialects[] = {
	"PC NETWORK PROGRAM 1.0",
	"LANMAN1.0",
	"Windows for Workgroups 3.1a",
	"LM1.2X002",
	"LANMAN2.1",
	SMB1_DIALECT_NT_LM_012,
	SMB1_DIALECT_SMB2_002,
	SMB1_DIALECT_SMB2_WILDCARD,
};
const size_t smb1_multi_protocol_dialect_count =
	sizeof(smb1_multi_protocol_dialects) / sizeof(smb1_multi_protocol_dialects[0]);

enum sd_magic
sd_magic_classify(const uint8_t *p, size_t len)
{
	if (len < 4)
		return SD_MAGIC_TRUNCATED;
	if (memcmp(p + 1, smb1_magic_tail, sizeof(smb1_magic_tail)) != 0)
		return SD_MAGIC_UNKNOWN;
	switch (p[0]) {
	case 0xFF:
		return SD_MAGIC_SMB1;
	case 0xFE:
		return SD_MAGIC_SMB2;
	case 0xFD:
		return SD_MAGIC_TRANSFORM;
	case 0xFC:
		return SD_MAGIC_COMPRESSION;
	default:
		return SD_MAGIC_UNKNOWN;
	}
}

const char *
sd_magic_name(enum sd_magic magic)
{
	switch (magic) {
	case SD_MAGIC_SMB1:
		return "smb1";
	case SD_MAGIC_SMB2:
		return "smb2";
	case SD_MAGIC_TRANSFORM:
		return "smb2_transform";
	case SD_MAGIC_COMPRESSION:
		return "smb2_compression";
	case SD_MAGIC_TRUNCATED:
		return "truncated";
	default:
		return "unknown";
	}
}

static void
smb1_header_read(struct sd_rd *r, struct smb1_header *hdr)
{
	sd_rd_skip(r, 4);
	hdr->command = sd_rd_u8(r);
	hdr->status = sd_rd_u32le(r);
	hdr->flags = sd_rd_u8(r);
	hdr->flags2 = sd_rd_u16le(r);
	hdr->pid_high = sd_rd_u16le(r);
	sd_rd_copy(r, hdr->security_features, sizeof(hdr->security_features));
	hdr->reserved = sd_rd_u16le(r);
	hdr->tid = sd_rd_u16le(r);
	hdr->pid_low = sd_rd_u16le(r);
	hdr->uid = sd_rd_u16le(r);
	hdr->mid = sd_rd_u16le(r);
}

enum sd_err
smb1_header_decode(const uint8_t *p, size_t len, struct smb1_header *hdr)
{
	struct sd_rd r;

	memset(hdr, 0, sizeof(*hdr));
	switch (sd_magic_classify(p, len)) {
	case SD_MAGIC_TRUNCATED:
		return SD_ERR_TRUNCATED;
	case SD_MAGIC_SMB1:
		break;
	default:
		return SD_ERR_PROTOCOL_ID;
	}
	sd_rd_init(&r, p, len);
	smb1_header_read(&r, hdr);
	return r.err;
}

enum sd_err
smb1_header_encode(struct sd_wr *w, const struct smb1_header *hdr)
{
	sd_wr_u8(w, 0xFF);
	sd_wr_bytes(w, smb1_magic_tail, sizeof(smb1_magic_tail));
	sd_wr_u8(w, hdr->command);
	sd_wr_u32le(w, hdr->status);
	sd_wr_u8(w, hdr->flags);
	sd_wr_u16le(w, hdr->flags2);
	sd_wr_u16le(w, hdr->pid_high);
	sd_wr_bytes(w, hdr->security_features, sizeof(hdr->security_features));
	sd_wr_u16le(w, hdr->reserved);
	sd_wr_u16le(w, hdr->tid);
	sd_wr_u16le(w, hdr->pid_low);
	sd_wr_u16le(w, hdr->uid);
	sd_wr_u16le(w, hdr->mid);
	return w->err;
}

/* Reads the header of a NEGOTIATE message and checks the command and the
 * direction. */
static enum sd_err
smb1_negotiate_header_read(struct sd_rd *r, struct smb1_header *hdr, bool reply)
{
	enum sd_err err;

	err = smb1_header_decode(r->p, r->len, hdr);
	if (err != SD_OK)
		return err;
	sd_rd_skip(r, SMB1_HEADER_SIZE);
	if (hdr->command != SMB1_COM_NEGOTIATE)
		return SD_ERR_UNSUPPORTED;
	if (((hdr->flags & SMB1_FLAGS_REPLY) != 0) != reply)
		return SD_ERR_MALFORMED;
	return SD_OK;
}

static void
smb1_dialect_note(struct smb1_negotiate_request *req, const char *name, size_t len)
{
	if (len == sizeof(SMB1_DIALECT_SMB2_002) - 1 && memcmp(name, SMB1_DIALECT_SMB2_002, len) == 0)
		req->offers_smb2_002 = true;
	else if (len == sizeof(SMB1_DIALECT_SMB2_WILDCARD) - 1 &&
		 memcmp(name, SMB1_DIALECT_SMB2_WILDCARD, len) == 0)
		req->offers_smb2_wildcard = true;
	else
		req->offers_smb1 = true;
	if (req->n_dialects < SMB1_DIALECTS_MAX) {
		req->dialects[req->n_dialects].name = name;
		req->dialects[req->n_dialects].len = len;
		req->n_dialects++;
	}
	req->dialect_count++;
}

static enum sd_err
smb1_dialects_read(struct sd_rd *block, struct smb1_negotiate_request *req)
{
	const uint8_t *start, *nul;
	size_t left;

	while (sd_rd_left(block) > 0) {
		if (sd_rd_u8(block) != SMB1_DIALECT_FORMAT)
			return SD_ERR_MALFORMED;
		left = sd_rd_left(block);
		start = block->p + block->off;
		nul = left ? memchr(start, 0, left) : NULL;
		if (nul == NULL)
			return SD_ERR_MALFORMED;
		smb1_dialect_note(req, (const char *)start, (size_t)(nul - start));
		sd_rd_skip(block, (size_t)(nul - start) + 1);
	}
	return block->err;
}

enum sd_err
smb1_negotiate_request_decode(const uint8_t *p, size_t len, struct smb1_negotiate_request *req,
			      struct sd_anomalies *anom)
{
	struct sd_rd r, block;
	enum sd_err err;

	memset(req, 0, sizeof(*req));
	sd_rd_init(&r, p, len);
	err = smb1_negotiate_header_read(&r, &req->hdr, false);
	if (err != SD_OK)
		return err;
	req->word_count = sd_rd_u8(&r);
	if (req->word_count != 0) {
		sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, SMB1_HEADER_SIZE, req->word_count);
		sd_rd_skip(&r, 2u * req->word_count);
	}
	req->byte_count = sd_rd_u16le(&r);
	block = sd_rd_sub(&r, req->byte_count);
	if (!sd_rd_ok(&r))
		return r.err;
	err = smb1_dialects_read(&block, req);
	if (err != SD_OK)
		return err;
	if (req->dialect_count > SMB1_DIALECTS_MAX)
		sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, (uint32_t)(r.off - req->byte_count), req->dialect_count);
	if (sd_rd_left(&r) > 0)
		sd_anom_add(anom, SD_ANOM_TRAILING_BYTES, (uint32_t)r.off, (uint32_t)sd_rd_left(&r));
	return SD_OK;
}

static void
smb1_nt_words_read(struct sd_rd *words, struct smb1_negotiate_response *resp)
{
	resp->dialect_index = sd_rd_u16le(words);
	resp->security_mode = sd_rd_u8(words);
	resp->max_mpx_count = sd_rd_u16le(words);
	resp->max_number_vcs = sd_rd_u16le(words);
	resp->max_buffer_size = sd_rd_u32le(words);
	resp->max_raw_size = sd_rd_u32le(words);
	resp->session_key = sd_rd_u32le(words);
	resp->capabilities = sd_rd_u32le(words);
	resp->system_time = sd_rd_u64le(words);
	resp->server_time_zone = (int16_t)sd_rd_u16le(words);
	resp->challenge_length = sd_rd_u8(words);
}

static void
smb1_lanman_words_read(struct sd_rd *words, struct smb1_negotiate_response *resp)
{
	resp->dialect_index = sd_rd_u16le(words);
	resp->security_mode = sd_rd_u16le(words);
	resp->max_buffer_size = sd_rd_u16le(words);
	resp->max_mpx_count = sd_rd_u16le(words);
	resp->max_number_vcs = sd_rd_u16le(words);
	sd_rd_skip(words, 2); /* RawMode */
	resp->session_key = sd_rd_u32le(words);
	sd_rd_skip(words, 4); /* ServerTime, ServerDate (DOS format) */
	resp->server_time_zone = (int16_t)sd_rd_u16le(words);
	resp->challenge_length = sd_rd_u16le(words);
	sd_rd_skip(words, 2); /* Reserved */
}

/* Splits the byte block: GUID + blob with extended security, otherwise the
 * challenge first. */
static enum sd_err
smb1_negotiate_bytes_read(struct sd_rd *block, struct smb1_negotiate_response *resp)
{
	bool extended = resp->form == SMB1_NEG_FORM_NT && (resp->capabilities & SMB1_CAP_EXTENDED_SECURITY);

	if (resp->form != SMB1_NEG_FORM_NT && resp->form != SMB1_NEG_FORM_LANMAN)
		return SD_OK;
	if (extended) {
		resp->server_guid = sd_rd_bytes(block, SMB1_GUID_LEN);
		resp->security_blob = block->p + block->off;
		resp->security_blob_len = sd_rd_left(block);
	} else if (resp->challenge_length > 0) {
		resp->challenge = sd_rd_bytes(block, resp->challenge_length);
	}
	return sd_rd_ok(block) ? SD_OK : SD_ERR_BAD_OFFSET;
}

enum sd_err
smb1_negotiate_response_decode(const uint8_t *p, size_t len, struct smb1_negotiate_response *resp,
			       struct sd_anomalies *anom)
{
	struct sd_rd r, words, block;
	enum sd_err err;

	memset(resp, 0, sizeof(*resp));
	sd_rd_init(&r, p, len);
	err = smb1_negotiate_header_read(&r, &resp->hdr, true);
	if (err != SD_OK)
		return err;
	resp->word_count = sd_rd_u8(&r);
	words = sd_rd_sub(&r, 2u * resp->word_count);
	resp->byte_count = sd_rd_u16le(&r);
	block = sd_rd_sub(&r, resp->byte_count);
	if (!sd_rd_ok(&r))
		return r.err;
	resp->bytes = block.p;
	resp->dialect_index = SMB1_NO_DIALECT;
	switch (resp->word_count) {
	case SMB1_NEG_FORM_ERROR:
		break;
	case SMB1_NEG_FORM_INDEX_ONLY:
		resp->dialect_index = sd_rd_u16le(&words);
		break;
	case SMB1_NEG_FORM_LANMAN:
		smb1_lanman_words_read(&words, resp);
		break;
	case SMB1_NEG_FORM_NT:
		smb1_nt_words_read(&words, resp);
		break;
	default:
		return SD_ERR_MALFORMED;
	}
	resp->form = (enum smb1_negotiate_form)resp->word_count;
	err = smb1_negotiate_bytes_read(&block, resp);
	if (err != SD_OK)
		return err;
	if (sd_rd_left(&r) > 0)
		sd_anom_add(anom, SD_ANOM_TRAILING_BYTES, (uint32_t)r.off, (uint32_t)sd_rd_left(&r));
	return SD_OK;
}

int
smb1_negotiate_dialect_index(const struct smb1_negotiate_request *req, const char *dialect)
{
	size_t len = strlen(dialect);
	int i;

	for (i = 0; i < req->n_dialects; i++)
		if (req->dialects[i].len == len && memcmp(req->dialects[i].name, dialect, len) == 0)
			return i;
	return -1;
}

const char *
smb1_negotiate_chosen_dialect(const struct smb1_negotiate_request *req, const struct smb1_negotiate_response *resp)
{
	if (resp->dialect_index == SMB1_NO_DIALECT || resp->dialect_index >= req->n_dialects)
		return NULL;
	return req->dialects[resp->dialect_index].name;
}

enum sd_err
smb1_negotiate_request_encode(struct sd_wr *w, const struct smb1_header *hdr, const char *const *dialects,
			      size_t n)
{
	struct smb1_header h = {
		.flags = SMB1_FLAGS_CASE_INSENSITIVE | SMB1_FLAGS_CANONICALIZED_PATHS,
		.flags2 = SMB1_FLAGS2_UNICODE | SMB1_FLAGS2_NT_STATUS | SMB1_FLAGS2_EXTENDED_SECURITY |
			  SMB1_FLAGS2_IS_LONG_NAME | SMB1_FLAGS2_SECURITY_SIGNATURE | SMB1_FLAGS2_EAS |
			  SMB1_FLAGS2_LONG_NAMES,
	};
	size_t byte_count = 0, i;

	if (n == 0 || n > SMB1_DIALECTS_MAX || dialects == NULL)
		return SD_ERR_INVALID_ARG;
	for (i = 0; i < n; i++)
		byte_count += strlen(dialects[i]) + 2;
	if (byte_count > UINT16_MAX)
		return SD_ERR_INVALID_ARG;
	if (hdr != NULL)
		h = *hdr;
	h.command = SMB1_COM_NEGOTIATE;
	h.flags &= (uint8_t)~SMB1_FLAGS_REPLY;
	smb1_header_encode(w, &h);
	sd_wr_u8(w, 0);
	sd_wr_u16le(w, (uint16_t)byte_count);
	for (i = 0; i < n; i++) {
		sd_wr_u8(w, SMB1_DIALECT_FORMAT);
		sd_wr_bytes(w, dialects[i], strlen(dialects[i]) + 1);
	}
	return w->err;
}

static void
smb1_nt_words_write(struct sd_wr *w, const struct smb1_negotiate_response *resp)
{
	sd_wr_u16le(w, resp->dialect_index);
	sd_wr_u8(w, (uint8_t)resp->security_mode);
	sd_wr_u16le(w, resp->max_mpx_count);
	sd_wr_u16le(w, resp->max_number_vcs);
	sd_wr_u32le(w, resp->max_buffer_size);
	sd_wr_u32le(w, resp->max_raw_size);
	sd_wr_u32le(w, resp->session_key);
	sd_wr_u32le(w, resp->capabilities);
	sd_wr_u64le(w, resp->system_time);
	sd_wr_u16le(w, (uint16_t)resp->server_time_zone);
	sd_wr_u8(w, (uint8_t)resp->challenge_length);
}

/* The NT form's byte block: GUID + blob, or challenge + the caller's
 * remaining bytes (resp->bytes holds the whole block in that case). */
static enum sd_err
smb1_nt_bytes_write(struct sd_wr *w, const struct smb1_negotiate_response *resp)
{
	size_t n;

	if (resp->capabilities & SMB1_CAP_EXTENDED_SECURITY) {
		if (resp->server_guid == NULL || resp->security_blob_len > UINT16_MAX - SMB1_GUID_LEN ||
		    (resp->security_blob_len > 0 && resp->security_blob == NULL))
			return SD_ERR_INVALID_ARG;
		sd_wr_u16le(w, (uint16_t)(SMB1_GUID_LEN + resp->security_blob_len));
		sd_wr_bytes(w, resp->server_guid, SMB1_GUID_LEN);
		if (resp->security_blob_len > 0)
			sd_wr_bytes(w, resp->security_blob, resp->security_blob_len);
		return w->err;
	}
	n = resp->byte_count;
	if (n < resp->challenge_length || (n > 0 && resp->bytes == NULL) || resp->challenge_length > UINT8_MAX)
		return SD_ERR_INVALID_ARG;
	sd_wr_u16le(w, (uint16_t)n);
	if (n > 0)
		sd_wr_bytes(w, resp->bytes, n);
	return w->err;
}

enum sd_err
smb1_negotiate_response_encode(struct sd_wr *w, const struct smb1_negotiate_response *resp)
{
	struct smb1_header h = resp->hdr;

	h.command = SMB1_COM_NEGOTIATE;
	h.flags |= SMB1_FLAGS_REPLY;
	switch (resp->form) {
	case SMB1_NEG_FORM_ERROR:
		smb1_header_encode(w, &h);
		sd_wr_u8(w, 0);
		sd_wr_u16le(w, 0);
		return w->err;
	case SMB1_NEG_FORM_INDEX_ONLY:
		smb1_header_encode(w, &h);
		sd_wr_u8(w, 1);
		sd_wr_u16le(w, resp->dialect_index);
		sd_wr_u16le(w, 0);
		return w->err;
	case SMB1_NEG_FORM_NT:
		smb1_header_encode(w, &h);
		sd_wr_u8(w, SMB1_NT_WORDS);
		smb1_nt_words_write(w, resp);
		return smb1_nt_bytes_write(w, resp);
	default:
		return SD_ERR_UNSUPPORTED;
	}
}

enum sd_err
smb1_upgrade_response_dialect(const uint8_t *p, size_t len, uint16_t *dialect)
{
	struct sd_rd r;

	*dialect = 0;
	switch (sd_magic_classify(p, len)) {
	case SD_MAGIC_TRUNCATED:
		return SD_ERR_TRUNCATED;
	case SD_MAGIC_SMB2:
		break;
	default:
		return SD_ERR_PROTOCOL_ID;
	}
	/* Header, StructureSize, SecurityMode, DialectRevision. */
	if (len < SMB2_PEEK_HEADER_SIZE + 6)
		return SD_ERR_TRUNCATED;
	sd_rd_init(&r, p, len);
	sd_rd_seek(&r, SMB2_PEEK_COMMAND_OFF);
	if (sd_rd_u16le(&r) != 0)
		return SD_ERR_MALFORMED;
	sd_rd_seek(&r, SMB2_PEEK_FLAGS_OFF);
	if ((sd_rd_u32le(&r) & 0x1u) == 0)
		return SD_ERR_MALFORMED;
	sd_rd_seek(&r, SMB2_PEEK_HEADER_SIZE);
	if (sd_rd_u16le(&r) != SMB2_PEEK_NEGOTIATE_RESPONSE_SIZE)
		return SD_ERR_MALFORMED;
	sd_rd_skip(&r, 2); /* SecurityMode */
	*dialect = sd_rd_u16le(&r);
	return r.err;
}

static enum sd_err
smb1_smb2_answer_classify(const uint8_t *p, size_t len, enum smb1_answer *kind, uint32_t *value)
{
	enum sd_err err;
	uint16_t dialect;

	if (len < SMB2_PEEK_HEADER_SIZE)
		return SD_ERR_TRUNCATED;
	if (sd_load_u16le(p + SMB2_PEEK_COMMAND_OFF) != 0 || (sd_load_u32le(p + SMB2_PEEK_FLAGS_OFF) & 0x1u) == 0)
		return SD_ERR_MALFORMED;
	/* Status at offset 8: an error body, not a NEGOTIATE response. */
	if (sd_load_u32le(p + 8) != 0) {
		*kind = SMB1_ANSWER_SMB2_ERROR;
		*value = sd_load_u32le(p + 8);
		return SD_OK;
	}
	err = smb1_upgrade_response_dialect(p, len, &dialect);
	if (err != SD_OK)
		return err;
	*kind = dialect == 0x02FF ? SMB1_ANSWER_SMB2_WILDCARD : SMB1_ANSWER_SMB2_FIXED;
	*value = dialect;
	return SD_OK;
}

enum sd_err
smb1_negotiate_answer_classify(const uint8_t *p, size_t len, enum smb1_answer *kind, uint32_t *value)
{
	struct smb1_negotiate_response resp;
	enum sd_err err;

	*kind = 0;
	*value = 0;
	switch (sd_magic_classify(p, len)) {
	case SD_MAGIC_TRUNCATED:
		return SD_ERR_TRUNCATED;
	case SD_MAGIC_SMB2:
		return smb1_smb2_answer_classify(p, len, kind, value);
	case SD_MAGIC_SMB1:
		break;
	default:
		return SD_ERR_PROTOCOL_ID;
	}
	err = smb1_negotiate_response_decode(p, len, &resp, NULL);
	if (err != SD_OK)
		return err;
	if (resp.form == SMB1_NEG_FORM_ERROR) {
		*kind = SMB1_ANSWER_SMB1_ERROR;
		*value = resp.hdr.status;
	} else {
		*kind = resp.dialect_index == SMB1_NO_DIALECT ? SMB1_ANSWER_SMB1_NO_DIALECT : SMB1_ANSWER_SMB1_DIALECT;
		*value = resp.dialect_index;
	}
	return SD_OK;
}
