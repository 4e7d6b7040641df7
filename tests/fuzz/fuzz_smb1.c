/* Decodes the input as an SMB1 NEGOTIATE request and response, as an SMB2
 * upgrade answer, and re-encodes what decoded: a decoded request with every
 * dialect kept must survive encode -> decode unchanged. Then walks the
 * message's AndX chain and decodes every block as a SESSION_SETUP_ANDX and
 * a TREE_CONNECT_ANDX, request and response, with and without Unicode. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/wire/smb1.h"
#include "core/wire/smb1_andx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
request_round_trip(const struct smb1_negotiate_request *req)
{
	const char *names[SMB1_DIALECTS_MAX];
	struct smb1_negotiate_request back;
	static uint8_t out[0x10000 + 64];
	struct sd_wr w;
	size_t i;

	if (req->n_dialects == 0 || req->dialect_count != req->n_dialects)
		return;
	for (i = 0; i < req->n_dialects; i++)
		names[i] = req->dialects[i].name;
	sd_wr_init(&w, out, sizeof(out));
	if (smb1_negotiate_request_encode(&w, &req->hdr, names, req->n_dialects) != SD_OK)
		return;
	if (smb1_negotiate_request_decode(out, w.len, &back, NULL) != SD_OK || back.n_dialects != req->n_dialects)
		__builtin_trap();
	for (i = 0; i < back.n_dialects; i++)
		if (back.dialects[i].len != req->dialects[i].len ||
		    memcmp(back.dialects[i].name, req->dialects[i].name, back.dialects[i].len) != 0)
			__builtin_trap();
}

static void
response_round_trip(const struct smb1_negotiate_response *resp)
{
	struct smb1_negotiate_response back;
	static uint8_t out[0x10000 + 128];
	struct sd_wr w;

	sd_wr_init(&w, out, sizeof(out));
	if (smb1_negotiate_response_encode(&w, resp) != SD_OK)
		return;
	if (smb1_negotiate_response_decode(out, w.len, &back, NULL) != SD_OK || back.form != resp->form ||
	    back.dialect_index != resp->dialect_index || back.capabilities != resp->capabilities)
		__builtin_trap();
}

static void
strings_of(const struct smb1_string *a, const struct smb1_string *b)
{
	char text[64];

	(void)smb1_string_text(a, text, sizeof(text));
	(void)smb1_string_text(b, text, sizeof(text));
}

static void
andx_blocks(const uint8_t *data, size_t size)
{
	struct smb1_session_setup_response ss_rsp;
	struct smb1_tree_connect_response tc_rsp;
	struct smb1_session_setup_request ss_req;
	struct smb1_tree_connect_request tc_req;
	struct smb1_block b, next;
	size_t at = SMB1_HEADER_SIZE, next_at;
	unsigned i, u;

	if (smb1_block_decode(data, size, at, &b) != SD_OK)
		return;
	/* A forward-only chain ends by itself; the bound only proves it. */
	for (i = 0; i < size; i++) {
		for (u = 0; u < 2; u++) {
			uint16_t flags2 = u ? SMB1_FLAGS2_UNICODE : 0;

			if (smb1_session_setup_request_decode(&b, flags2, &ss_req) == SD_OK)
				strings_of(&ss_req.account, &ss_req.domain);
			if (smb1_tree_connect_request_decode(&b, flags2, &tc_req) == SD_OK)
				strings_of(&tc_req.path, &tc_req.service);
		}
		(void)smb1_session_setup_response_decode(&b, &ss_rsp);
		if (smb1_tree_connect_response_decode(&b, &tc_rsp) == SD_OK)
			strings_of(&tc_rsp.service, &tc_rsp.service);
		if (smb1_block_next(data, size, at, &b, &next, &next_at) != SD_OK)
			return;
		if (next_at <= at)
			__builtin_trap();
		b = next;
		at = next_at;
	}
	__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb1_negotiate_response resp;
	struct smb1_negotiate_request req;
	struct sd_anomalies anom;
	enum smb1_answer answer;
	uint16_t dialect;
	uint32_t value;

	memset(&anom, 0, sizeof(anom));
	if (smb1_negotiate_request_decode(data, size, &req, &anom) == SD_OK) {
		(void)smb1_negotiate_is_multi_protocol(&req);
		(void)smb1_negotiate_dialect_index(&req, SMB1_DIALECT_NT_LM_012);
		request_round_trip(&req);
	}
	memset(&anom, 0, sizeof(anom));
	if (smb1_negotiate_response_decode(data, size, &resp, &anom) == SD_OK)
		response_round_trip(&resp);
	(void)smb1_upgrade_response_dialect(data, size, &dialect);
	(void)smb1_negotiate_answer_classify(data, size, &answer, &value);
	(void)sd_magic_classify(data, size);
	andx_blocks(data, size);
	(void)smb1_status_ntstatus(size >= 4 ? (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
						       (uint32_t)data[3] << 24
					     : 0,
				   size >= 6 ? (uint16_t)(data[4] | data[5] << 8) : 0);
	return 0;
}
