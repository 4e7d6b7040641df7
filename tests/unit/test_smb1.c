#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/wire/smb1.h"
#include "shared_vectors.h"

/* Real messages (SMB part only, NetBIOS header removed), read at run time
 * from the shared capture corpus (shared_vectors.h). */

/* Windows 10 multi-protocol negotiate (arkime-wireshark-smb-on-windows10.pcap). */
SHARED_VECTOR(win10_request, "arkime-wireshark-smb-on-windows10.pcap", 5, 4, 0, false)
/* SMB1-only server's NT LM 0.12 answer to Windows 10 on port 139 (same capture). */
SHARED_VECTOR(smb1_only_response, "arkime-wireshark-smb-on-windows10.pcap", 17, 4, 0, false)
/* macOS: NT LM 0.12 only, and the answer (suricata-verify-smb1-02-smb1_osx.pcap). */
SHARED_VECTOR(osx_request, "suricata-verify-smb1-02-smb1_osx.pcap", 9, 4, 0, false)
SHARED_VECTOR(osx_response, "suricata-verify-smb1-02-smb1_osx.pcap", 14, 4, 0, false)
/* LANMAN 2.1 answer with an 8-byte challenge (zeek-cifs_negotiate_lanman.pcap). */
SHARED_VECTOR(lanman_response, "zeek-cifs_negotiate_lanman.pcap", 6, 4, 0, false)
/* Start of SMB2 NEGOTIATE responses to a multi-protocol negotiate. */
static const char upgrade_02ff_hex[] =
	"fe534d4240000000000000000000010001000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000041000100ff020000";
static const char upgrade_0202_hex[] =
	"fe534d4240000000000000000000010001000000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000000000000004100010002020000";

/* Copies a shared vector (at most cap bytes); returns the count. */
static size_t
vec_copy(const struct shared_vec *v, uint8_t *out, size_t cap)
{
	size_t n = v->len < cap ? v->len : cap;

	memcpy(out, v->p, n);
	return n;
}

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (hex[0] && hex[1] && n < cap) {
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static void
decodes_windows_multi_protocol_request(void **state)
{
	struct smb1_negotiate_request req;
	struct sd_anomalies anom = {0};
	uint8_t buf[512];
	size_t len = vec_copy(win10_request_vec(), buf, sizeof(buf));

	(void)state;
	assert_int_equal(smb1_negotiate_request_decode(buf, len, &req, &anom), SD_OK);
	assert_int_equal(anom.n, 0);
	assert_int_equal(req.hdr.command, SMB1_COM_NEGOTIATE);
	assert_int_equal(req.hdr.flags, 0x18);
	assert_int_equal(req.hdr.flags2, 0xC853);
	assert_int_equal(req.hdr.pid_low, 0xFEFF);
	assert_int_equal(req.n_dialects, 8);
	assert_int_equal(req.dialect_count, 8);
	assert_string_equal(req.dialects[0].name, "PC NETWORK PROGRAM 1.0");
	assert_string_equal(req.dialects[7].name, "SMB 2.???");
	assert_true(smb1_negotiate_offers_smb2(&req));
	assert_true(req.offers_smb2_002);
	assert_true(req.offers_smb2_wildcard);
	assert_true(smb1_negotiate_is_multi_protocol(&req));
	assert_int_equal(smb1_negotiate_dialect_index(&req, "NT LM 0.12"), 5);
	assert_int_equal(smb1_negotiate_dialect_index(&req, "NT LM"), -1);
}

static void
encoder_reproduces_windows_request(void **state)
{
	struct smb1_negotiate_request req;
	uint8_t in[512], out[512];
	size_t len = vec_copy(win10_request_vec(), in, sizeof(in));
	struct sd_wr w;

	(void)state;
	assert_int_equal(smb1_negotiate_request_decode(in, len, &req, NULL), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb1_negotiate_request_encode(&w, &req.hdr, smb1_multi_protocol_dialects,
						       smb1_multi_protocol_dialect_count),
			 SD_OK);
	assert_int_equal(w.len, len);
	assert_memory_equal(out, in, len);
}

static void
default_request_round_trips(void **state)
{
	static const char *const impacket_like[] = {"NT LM 0.12", "SMB 2.002", "SMB 2.???"};
	struct smb1_negotiate_request req;
	uint8_t out[256];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb1_negotiate_request_encode(&w, NULL, impacket_like, 3), SD_OK);
	assert_int_equal(w.len, SMB1_HEADER_SIZE + 3 + 34);
	assert_int_equal(smb1_negotiate_request_decode(out, w.len, &req, NULL), SD_OK);
	assert_int_equal(req.n_dialects, 3);
	assert_string_equal(req.dialects[1].name, "SMB 2.002");
	assert_int_equal(req.hdr.flags2 & SMB1_FLAGS2_EXTENDED_SECURITY, SMB1_FLAGS2_EXTENDED_SECURITY);
	assert_true(smb1_negotiate_is_multi_protocol(&req));
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb1_negotiate_request_encode(&w, NULL, impacket_like, 0), SD_ERR_INVALID_ARG);
	sd_wr_init(&w, out, 40);
	assert_int_equal(smb1_negotiate_request_encode(&w, NULL, impacket_like, 3), SD_ERR_NO_SPACE);
}

static void
request_truncated_at_every_byte(void **state)
{
	struct smb1_negotiate_request req;
	uint8_t buf[512];
	size_t len = vec_copy(win10_request_vec(), buf, sizeof(buf)), cut;

	(void)state;
	for (cut = 0; cut < len; cut++)
		assert_int_equal(smb1_negotiate_request_decode(buf, cut, &req, NULL), SD_ERR_TRUNCATED);
}

static void
request_malformed_forms(void **state)
{
	struct smb1_negotiate_request req;
	struct sd_anomalies anom = {0};
	uint8_t buf[128];
	size_t len = vec_copy(osx_request_vec(), buf, sizeof(buf));

	(void)state;
	buf[0] = 0xFE;
	assert_int_equal(smb1_negotiate_request_decode(buf, len, &req, NULL), SD_ERR_PROTOCOL_ID);
	buf[0] = 0xFF;
	buf[4] = 0x73;
	assert_int_equal(smb1_negotiate_request_decode(buf, len, &req, NULL), SD_ERR_UNSUPPORTED);
	buf[4] = 0x72;
	buf[9] |= SMB1_FLAGS_REPLY;
	assert_int_equal(smb1_negotiate_request_decode(buf, len, &req, NULL), SD_ERR_MALFORMED);
	buf[9] &= (uint8_t)~SMB1_FLAGS_REPLY;
	buf[35] = 0x03; /* BufferFormat */
	assert_int_equal(smb1_negotiate_request_decode(buf, len, &req, NULL), SD_ERR_MALFORMED);
	buf[35] = 0x02;
	buf[len - 1] = 'x'; /* dialect without its NUL */
	assert_int_equal(smb1_negotiate_request_decode(buf, len, &req, NULL), SD_ERR_MALFORMED);
	buf[len - 1] = 0;
	buf[len] = 0xAA; /* a byte after the byte block */
	assert_int_equal(smb1_negotiate_request_decode(buf, len + 1, &req, &anom), SD_OK);
	assert_int_equal(anom.n, 1);
	assert_int_equal(anom.a[0].code, SD_ANOM_TRAILING_BYTES);
	assert_int_equal(anom.a[0].offset, len);
	assert_false(smb1_negotiate_offers_smb2(&req));
	assert_false(smb1_negotiate_is_multi_protocol(&req));
}

static void
too_many_dialects_are_counted(void **state)
{
	const char *names[SMB1_DIALECTS_MAX];
	struct smb1_negotiate_request req;
	struct sd_anomalies anom = {0};
	uint8_t buf[512];
	struct sd_wr w;
	size_t i;

	(void)state;
	for (i = 0; i < SMB1_DIALECTS_MAX; i++)
		names[i] = "LANMAN1.0";
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(smb1_negotiate_request_encode(&w, NULL, names, SMB1_DIALECTS_MAX), SD_OK);
	/* Append two more by hand: the encoder keeps the cap, peers need not. */
	sd_wr_bytes(&w, "\x02" "SMB 2.002", 11);
	sd_wr_bytes(&w, "\x02" "SMB 2.???", 11);
	sd_wr_put_u16le_at(&w, SMB1_HEADER_SIZE + 1, (uint16_t)(w.len - SMB1_HEADER_SIZE - 3));
	assert_int_equal(smb1_negotiate_request_decode(buf, w.len, &req, &anom), SD_OK);
	assert_int_equal(req.n_dialects, SMB1_DIALECTS_MAX);
	assert_int_equal(req.dialect_count, SMB1_DIALECTS_MAX + 2);
	assert_int_equal(anom.a[0].code, SD_ANOM_ITEMS_DROPPED);
	assert_int_equal(anom.a[0].value, SMB1_DIALECTS_MAX + 2);
	/* The SMB2 strings past the cap are still seen. */
	assert_true(req.offers_smb2_wildcard);
	assert_true(smb1_negotiate_is_multi_protocol(&req));
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(smb1_negotiate_request_encode(&w, NULL, names, SMB1_DIALECTS_MAX + 1), SD_ERR_INVALID_ARG);
}

static void
word_count_in_request_is_an_anomaly(void **state)
{
	static const uint8_t tail[] = {0x01, 0x34, 0x12, 0x02, 0x00, 0x02, 0x00};
	struct smb1_negotiate_request req;
	struct sd_anomalies anom = {0};
	uint8_t buf[64];

	(void)state;
	vec_copy(osx_request_vec(), buf, SMB1_HEADER_SIZE);
	memcpy(buf + SMB1_HEADER_SIZE, tail, sizeof(tail));
	assert_int_equal(smb1_negotiate_request_decode(buf, SMB1_HEADER_SIZE + sizeof(tail), &req, &anom), SD_OK);
	assert_int_equal(anom.a[0].code, SD_ANOM_LENGTH_MISMATCH);
	assert_int_equal(req.n_dialects, 1);
	assert_string_equal(req.dialects[0].name, "");
}

static void
decodes_smb1_only_server_answer(void **state)
{
	struct smb1_negotiate_response resp;
	struct smb1_negotiate_request req;
	uint8_t rq[512], rs[1024];
	size_t rq_len = vec_copy(win10_request_vec(), rq, sizeof(rq));
	size_t rs_len = vec_copy(smb1_only_response_vec(), rs, sizeof(rs));

	(void)state;
	assert_int_equal(smb1_negotiate_request_decode(rq, rq_len, &req, NULL), SD_OK);
	assert_int_equal(smb1_negotiate_response_decode(rs, rs_len, &resp, NULL), SD_OK);
	assert_int_equal(resp.form, SMB1_NEG_FORM_NT);
	assert_int_equal(resp.dialect_index, 5);
	assert_string_equal(smb1_negotiate_chosen_dialect(&req, &resp), "NT LM 0.12");
	assert_int_equal(resp.security_mode, SMB1_SECMODE_USER | SMB1_SECMODE_ENCRYPT_PASSWORDS);
	assert_int_equal(resp.max_mpx_count, 10);
	assert_int_equal(resp.max_buffer_size, 4356);
	assert_int_equal(resp.capabilities, 0x8001E3FC);
	assert_int_equal(resp.challenge_length, 0);
	assert_non_null(resp.server_guid);
	assert_int_equal(resp.security_blob_len, (size_t)resp.byte_count - 16);
	assert_int_equal(resp.security_blob[0], 0x60);
	assert_int_equal(sd_magic_classify(rs, rs_len), SD_MAGIC_SMB1);
}

static void
extended_security_response_round_trips(void **state)
{
	struct smb1_negotiate_response resp, again;
	uint8_t in[512], out[512];
	size_t len = vec_copy(osx_response_vec(), in, sizeof(in)), cut;
	struct sd_wr w;

	(void)state;
	assert_int_equal(smb1_negotiate_response_decode(in, len, &resp, NULL), SD_OK);
	assert_int_equal(resp.dialect_index, 0);
	assert_int_equal(resp.security_mode, 0x03);
	assert_int_equal(resp.max_mpx_count, 50);
	assert_int_equal(resp.max_buffer_size, 16644);
	assert_int_equal(resp.system_time, 0x01D3BACB84182F30ull);
	assert_int_equal(resp.server_time_zone, -60);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb1_negotiate_response_encode(&w, &resp), SD_OK);
	assert_int_equal(w.len, len);
	assert_memory_equal(out, in, len);
	assert_int_equal(smb1_negotiate_response_decode(out, w.len, &again, NULL), SD_OK);
	assert_int_equal(again.capabilities, resp.capabilities);
	for (cut = 0; cut < len; cut++)
		assert_int_equal(smb1_negotiate_response_decode(in, cut, &resp, NULL), SD_ERR_TRUNCATED);
}

/* Our own (always here): smbclient -m NT1 and smbd with server min protocol
 * = NT1, frames 4 and 6 of tests/scenarios/negotiate-smb1-in-use.pcapng. */
SHARED_VECTOR(samba_smb1_request, "tests/scenarios/negotiate-smb1-in-use.pcapng", 4, 4, 0, false)
SHARED_VECTOR(samba_smb1_response, "tests/scenarios/negotiate-smb1-in-use.pcapng", 6, 4, 0, false)

static void
samba_nt1_negotiate(void **state)
{
	struct smb1_negotiate_request req;
	struct smb1_negotiate_response resp;
	struct sd_anomalies anom = {0};
	uint8_t in[512];
	size_t len = vec_copy(samba_smb1_request_vec(), in, sizeof(in)), cut;
	int nt;

	(void)state;
	assert_int_equal(smb1_negotiate_request_decode(in, len, &req, &anom), SD_OK);
	assert_int_equal(anom.n, 0);
	assert_true(req.offers_smb1);
	assert_false(req.offers_smb2_002);
	/* smbclient offers "NT LANMAN 1.0" first (Samba treats it as NT LM
	 * 0.12), and smbd picks it. */
	nt = smb1_negotiate_dialect_index(&req, "NT LANMAN 1.0");
	assert_int_equal(nt, 0);
	assert_true(smb1_negotiate_dialect_index(&req, "NT LM 0.12") > 0);
	len = vec_copy(samba_smb1_response_vec(), in, sizeof(in));
	assert_int_equal(smb1_negotiate_response_decode(in, len, &resp, &anom), SD_OK);
	assert_int_equal(anom.n, 0);
	assert_int_equal(resp.form, SMB1_NEG_FORM_NT);
	assert_int_equal(resp.dialect_index, nt);
	assert_non_null(resp.server_guid);
	assert_true(resp.security_blob_len > 0);
	for (cut = 0; cut < len; cut++)
		assert_int_not_equal(smb1_negotiate_response_decode(in, cut, &resp, NULL), SD_OK);
}

static void
lanman_response_and_challenge(void **state)
{
	struct smb1_negotiate_response resp;
	uint8_t in[128];
	size_t len = vec_copy(lanman_response_vec(), in, sizeof(in));

	(void)state;
	assert_int_equal(smb1_negotiate_response_decode(in, len, &resp, NULL), SD_OK);
	assert_int_equal(resp.form, SMB1_NEG_FORM_LANMAN);
	assert_int_equal(resp.dialect_index, 3);
	assert_int_equal(resp.security_mode, 3);
	assert_int_equal(resp.max_buffer_size, 0x1104);
	assert_int_equal(resp.challenge_length, 8);
	assert_memory_equal(resp.challenge, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	/* The challenge length running past the byte block. */
	in[SMB1_HEADER_SIZE + 1 + 22] = 0x40;
	assert_int_equal(smb1_negotiate_response_decode(in, len, &resp, NULL), SD_ERR_BAD_OFFSET);
}

static void
nt_challenge_response_round_trips(void **state)
{
	static const uint8_t block[] = {1, 2, 3, 4, 5, 6, 7, 8, 'W', 0, 'G', 0, 0, 0};
	struct smb1_negotiate_response resp = {0}, back;
	uint8_t out[256];
	struct sd_wr w;

	(void)state;
	resp.form = SMB1_NEG_FORM_NT;
	resp.dialect_index = 2;
	resp.security_mode = SMB1_SECMODE_USER | SMB1_SECMODE_ENCRYPT_PASSWORDS | SMB1_SECMODE_SIGNATURES_ENABLED;
	resp.max_buffer_size = 16644;
	resp.capabilities = SMB1_CAP_UNICODE | SMB1_CAP_NT_SMBS | SMB1_CAP_STATUS32;
	resp.challenge_length = 8;
	resp.bytes = block;
	resp.byte_count = sizeof(block);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb1_negotiate_response_encode(&w, &resp), SD_OK);
	assert_int_equal(smb1_negotiate_response_decode(out, w.len, &back, NULL), SD_OK);
	assert_int_equal(back.form, SMB1_NEG_FORM_NT);
	assert_int_equal(back.hdr.flags & SMB1_FLAGS_REPLY, SMB1_FLAGS_REPLY);
	assert_int_equal(back.dialect_index, 2);
	assert_int_equal(back.security_mode, resp.security_mode);
	assert_int_equal(back.capabilities, resp.capabilities);
	assert_null(back.server_guid);
	assert_memory_equal(back.challenge, block, 8);
	assert_int_equal(back.byte_count, sizeof(block));
}

static void
no_dialect_and_error_forms(void **state)
{
	struct smb1_negotiate_response resp = {0}, back;
	struct smb1_negotiate_request req;
	uint8_t out[64], rq[128];
	size_t rq_len = vec_copy(osx_request_vec(), rq, sizeof(rq));
	struct sd_wr w;

	(void)state;
	memset(out, 0, sizeof(out));
	assert_int_equal(smb1_negotiate_request_decode(rq, rq_len, &req, NULL), SD_OK);
	resp.form = SMB1_NEG_FORM_INDEX_ONLY;
	resp.dialect_index = SMB1_NO_DIALECT;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb1_negotiate_response_encode(&w, &resp), SD_OK);
	assert_int_equal(w.len, SMB1_HEADER_SIZE + 5);
	assert_int_equal(smb1_negotiate_response_decode(out, w.len, &back, NULL), SD_OK);
	assert_int_equal(back.form, SMB1_NEG_FORM_INDEX_ONLY);
	assert_int_equal(back.dialect_index, SMB1_NO_DIALECT);
	assert_null(smb1_negotiate_chosen_dialect(&req, &back));

	resp.form = SMB1_NEG_FORM_ERROR;
	resp.hdr.status = 0xC00000BB;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb1_negotiate_response_encode(&w, &resp), SD_OK);
	assert_int_equal(smb1_negotiate_response_decode(out, w.len, &back, NULL), SD_OK);
	assert_int_equal(back.form, SMB1_NEG_FORM_ERROR);
	assert_int_equal(back.hdr.status, 0xC00000BB);
	assert_int_equal(back.dialect_index, SMB1_NO_DIALECT);

	out[SMB1_HEADER_SIZE] = 2; /* WordCount 2 is no known form */
	assert_int_equal(smb1_negotiate_response_decode(out, w.len + 4, &back, NULL), SD_ERR_MALFORMED);
	resp.form = SMB1_NEG_FORM_LANMAN;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb1_negotiate_response_encode(&w, &resp), SD_ERR_UNSUPPORTED);
	/* A request is not a response. */
	assert_int_equal(smb1_negotiate_response_decode(rq, rq_len, &back, NULL), SD_ERR_MALFORMED);
}

static void
header_round_trip(void **state)
{
	struct smb1_header h, back;
	uint8_t out[SMB1_HEADER_SIZE];
	struct sd_wr w;

	(void)state;
	/* memset so that padding compares equal too */
	memset(&h, 0, sizeof(h));
	h.command = 0x73;
	h.status = 0xC0000016;
	h.flags = 0x98;
	h.flags2 = 0xC807;
	h.pid_high = 1;
	memcpy(h.security_features, "\1\2\3\4\5\6\7\10", 8);
	h.tid = 0xFFFF;
	h.pid_low = 0xFEFF;
	h.uid = 0x800;
	h.mid = 9;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb1_header_encode(&w, &h), SD_OK);
	assert_int_equal(smb1_header_decode(out, sizeof(out), &back), SD_OK);
	assert_memory_equal(&back, &h, sizeof(h));
	assert_int_equal(smb1_header_decode(out, sizeof(out) - 1, &back), SD_ERR_TRUNCATED);
	assert_int_equal(smb1_header_decode(out, 3, &back), SD_ERR_TRUNCATED);
}

static void
magic_classification(void **state)
{
	(void)state;
	assert_int_equal(sd_magic_classify((const uint8_t *)"\xFFSMB", 4), SD_MAGIC_SMB1);
	assert_int_equal(sd_magic_classify((const uint8_t *)"\xFESMB", 4), SD_MAGIC_SMB2);
	assert_int_equal(sd_magic_classify((const uint8_t *)"\xFDSMB", 4), SD_MAGIC_TRANSFORM);
	assert_int_equal(sd_magic_classify((const uint8_t *)"\xFCSMB", 4), SD_MAGIC_COMPRESSION);
	assert_int_equal(sd_magic_classify((const uint8_t *)"\xFBSMB", 4), SD_MAGIC_UNKNOWN);
	assert_int_equal(sd_magic_classify((const uint8_t *)"\xFESMC", 4), SD_MAGIC_UNKNOWN);
	assert_int_equal(sd_magic_classify((const uint8_t *)"\xFESM", 3), SD_MAGIC_TRUNCATED);
	assert_string_equal(sd_magic_name(SD_MAGIC_TRANSFORM), "smb2_transform");
}

static void
recognises_smb2_upgrade_answers(void **state)
{
	uint8_t buf[128], rs[1024];
	size_t len = unhex(upgrade_02ff_hex, buf, sizeof(buf)), cut;
	size_t rs_len = vec_copy(smb1_only_response_vec(), rs, sizeof(rs));
	uint16_t dialect;

	(void)state;
	assert_int_equal(smb1_upgrade_response_dialect(buf, len, &dialect), SD_OK);
	assert_int_equal(dialect, 0x02FF);
	for (cut = 0; cut < len - 2; cut++)
		assert_int_equal(smb1_upgrade_response_dialect(buf, cut, &dialect), SD_ERR_TRUNCATED);
	len = unhex(upgrade_0202_hex, buf, sizeof(buf));
	assert_int_equal(smb1_upgrade_response_dialect(buf, len, &dialect), SD_OK);
	assert_int_equal(dialect, 0x0202);
	assert_int_equal(smb1_upgrade_response_dialect(rs, rs_len, &dialect), SD_ERR_PROTOCOL_ID);
	buf[16] = 0; /* not a response */
	assert_int_equal(smb1_upgrade_response_dialect(buf, len, &dialect), SD_ERR_MALFORMED);
	buf[16] = 1;
	buf[12] = 1; /* SESSION_SETUP */
	assert_int_equal(smb1_upgrade_response_dialect(buf, len, &dialect), SD_ERR_MALFORMED);
}

static void
classifies_negotiate_answers(void **state)
{
	uint8_t buf[1024];
	enum smb1_answer kind;
	uint32_t value;
	size_t len;

	(void)state;
	len = unhex(upgrade_02ff_hex, buf, sizeof(buf));
	assert_int_equal(smb1_negotiate_answer_classify(buf, len, &kind, &value), SD_OK);
	assert_int_equal(kind, SMB1_ANSWER_SMB2_WILDCARD);
	assert_int_equal(value, 0x02FF);
	len = unhex(upgrade_0202_hex, buf, sizeof(buf));
	assert_int_equal(smb1_negotiate_answer_classify(buf, len, &kind, &value), SD_OK);
	assert_int_equal(kind, SMB1_ANSWER_SMB2_FIXED);
	assert_int_equal(value, 0x0202);
	buf[8] = 0xBB; /* Status = STATUS_NOT_SUPPORTED */
	buf[9] = 0x00;
	buf[10] = 0x00;
	buf[11] = 0xC0;
	assert_int_equal(smb1_negotiate_answer_classify(buf, len, &kind, &value), SD_OK);
	assert_int_equal(kind, SMB1_ANSWER_SMB2_ERROR);
	assert_int_equal(value, 0xC00000BB);
	len = vec_copy(smb1_only_response_vec(), buf, sizeof(buf));
	assert_int_equal(smb1_negotiate_answer_classify(buf, len, &kind, &value), SD_OK);
	assert_int_equal(kind, SMB1_ANSWER_SMB1_DIALECT);
	assert_int_equal(value, 5);
	len = unhex("ff534d4272000000008801c8000000000000000000000000ffff0100ffff000001ffff0000", buf, sizeof(buf));
	assert_int_equal(smb1_negotiate_answer_classify(buf, len, &kind, &value), SD_OK);
	assert_int_equal(kind, SMB1_ANSWER_SMB1_NO_DIALECT);
	assert_int_equal(value, SMB1_NO_DIALECT);
	len = unhex("ff534d4272bb0000c08801c8000000000000000000000000ffff0100ffff0000000000", buf, sizeof(buf));
	assert_int_equal(smb1_negotiate_answer_classify(buf, len, &kind, &value), SD_OK);
	assert_int_equal(kind, SMB1_ANSWER_SMB1_ERROR);
	assert_int_equal(value, 0xC00000BB);
	assert_int_equal(smb1_negotiate_answer_classify(buf, 10, &kind, &value), SD_ERR_TRUNCATED);
	assert_int_equal(smb1_negotiate_answer_classify((const uint8_t *)"\xFDSMB", 4, &kind, &value),
			 SD_ERR_PROTOCOL_ID);
	assert_int_equal(smb1_negotiate_answer_classify((const uint8_t *)"\xFESMB", 4, &kind, &value),
			 SD_ERR_TRUNCATED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_windows_multi_protocol_request),
		cmocka_unit_test(encoder_reproduces_windows_request),
		cmocka_unit_test(default_request_round_trips),
		cmocka_unit_test(request_truncated_at_every_byte),
		cmocka_unit_test(request_malformed_forms),
		cmocka_unit_test(too_many_dialects_are_counted),
		cmocka_unit_test(word_count_in_request_is_an_anomaly),
		cmocka_unit_test(decodes_smb1_only_server_answer),
		cmocka_unit_test(extended_security_response_round_trips),
		cmocka_unit_test(samba_nt1_negotiate),
		cmocka_unit_test(lanman_response_and_challenge),
		cmocka_unit_test(nt_challenge_response_round_trips),
		cmocka_unit_test(no_dialect_and_error_forms),
		cmocka_unit_test(header_round_trip),
		cmocka_unit_test(magic_classification),
		cmocka_unit_test(recognises_smb2_upgrade_answers),
		cmocka_unit_test(classifies_negotiate_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
