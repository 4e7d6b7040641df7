/* SRVSVC NetrShareEnum level 1 stubs (srvsvc.h). */
#include "smb2_test_util.h"

#include "core/wire/dcerpc.h"
#include "core/wire/srvsvc.h"
#include "core/wire/utf16.h"
#include "pipe_vectors.h"

/* Large structs: static, so that the test's stack stays small. */
static struct srvsvc_share_enum_req req, req2;
static struct srvsvc_share_enum_rsp rsp, rsp2;

static enum sd_err
dec_req(const uint8_t *p, size_t len)
{
	return srvsvc_share_enum_req_decode(p, len, &req2);
}

static enum sd_err
dec_rsp(const uint8_t *p, size_t len)
{
	return srvsvc_share_enum_rsp_decode(p, len, &rsp2);
}

/* The NDR stub inside a real transceive. */
static void
stub_of(const uint8_t *msg, size_t len, bool response, const uint8_t **p, size_t *n)
{
	struct dcerpc_pdu pdu;

	if (response) {
		struct smb2_ioctl_rsp r;

		assert_int_equal(smb2_ioctl_rsp_decode(msg, len, &r), SD_OK);
		assert_int_equal(dcerpc_pdu_decode(r.output, r.output_count, &pdu), SD_OK);
		*p = pdu.u.response.stub;
		*n = pdu.u.response.stub_len;
	} else {
		struct smb2_ioctl_req q;

		assert_int_equal(smb2_ioctl_req_decode(msg, len, &q), SD_OK);
		assert_int_equal(dcerpc_pdu_decode(q.input, q.input_count, &pdu), SD_OK);
		*p = pdu.u.request.stub;
		*n = pdu.u.request.stub_len;
	}
}

static void
expect_str(const struct srvsvc_str *s, const char *want)
{
	char text[300];

	assert_true(s->present);
	assert_false(s->unterminated);
	assert_int_equal(sd_utf16le_to_utf8(s->p, s->len, text, sizeof(text), NULL), SD_OK);
	assert_string_equal(text, want);
}

static void
real_request_round_trips(void **state)
{
	const uint8_t *p;
	uint8_t out[256];
	struct sd_wr w;
	size_t n;

	(void)state;
	stub_of(v_ioctl_enum_req, sizeof(v_ioctl_enum_req), false, &p, &n);
	assert_int_equal(srvsvc_share_enum_req_decode(p, n, &req), SD_OK);
	expect_str(&req.server_name, "127.0.0.1");
	assert_int_equal(req.level, 1);
	assert_true(req.ctr.present);
	assert_int_equal(req.ctr.entries_read, 0);
	assert_false(req.ctr.buffer_present);
	assert_int_equal(req.prefmaxlen, SRVSVC_PREFMAXLEN_ALL);
	assert_true(req.resume_present);
	assert_int_equal(req.resume_handle, 0);
	assert_int_equal(req.anom.n, 0);
	/* smbclient numbers its referents as we do: byte for byte. */
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(srvsvc_share_enum_req_encode(&req, &w), SD_OK);
	assert_int_equal(w.len, n);
	assert_memory_equal(out, p, n);
	smb2_test_every_prefix_fails(p, n, dec_req);

	/* The client's own request, from UTF-8. */
	srvsvc_share_enum_req_init(&req, "127.0.0.1");
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(srvsvc_share_enum_req_encode(&req, &w), SD_OK);
	assert_int_equal(w.len, n);
	assert_memory_equal(out, p, n);
	srvsvc_share_enum_req_init(&req, NULL);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(srvsvc_share_enum_req_encode(&req, &w), SD_OK);
	assert_int_equal(srvsvc_share_enum_req_decode(out, w.len, &req2), SD_OK);
	assert_false(req2.server_name.present);
	assert_int_equal(req2.level, 1);
}

static void
real_response_decodes(void **state)
{
	static const char *const names[] = {"data", "hidden$", "Projects", "IPC$"};
	static const char *const remarks[] = {"Data files", "not shown", "", "IPC Service (Samba 4.17.12-Debian)"};
	const uint8_t *p;
	uint8_t out[1024];
	struct sd_wr w;
	size_t n, i;

	(void)state;
	stub_of(v_ioctl_enum_rsp, sizeof(v_ioctl_enum_rsp), true, &p, &n);
	assert_int_equal(srvsvc_share_enum_rsp_decode(p, n, &rsp), SD_OK);
	assert_int_equal(rsp.level, 1);
	assert_int_equal(rsp.ctr.entries_read, 4);
	assert_int_equal(rsp.ctr.n, 4);
	for (i = 0; i < 4; i++) {
		expect_str(&rsp.ctr.shares[i].netname, names[i]);
		expect_str(&rsp.ctr.shares[i].remark, remarks[i]);
	}
	assert_int_equal(rsp.ctr.shares[0].type, SRVSVC_STYPE_DISKTREE);
	assert_int_equal(rsp.ctr.shares[3].type, SRVSVC_STYPE_IPC | SRVSVC_STYPE_SPECIAL);
	assert_string_equal(srvsvc_share_type_name(rsp.ctr.shares[3].type), "ipc");
	assert_int_equal(rsp.total_entries, 4);
	assert_true(rsp.resume_present);
	assert_int_equal(rsp.werror, SRVSVC_WERR_OK);
	assert_int_equal(rsp.anom.n, 0);
	smb2_test_every_prefix_fails(p, n, dec_rsp);
	/* Samba continues the referent numbers of the request; ours start
	 * afresh, so compare after a second decode. */
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(srvsvc_share_enum_rsp_encode(&rsp, &w), SD_OK);
	assert_int_equal(w.len, n);
	assert_int_equal(srvsvc_share_enum_rsp_decode(out, w.len, &rsp2), SD_OK);
	assert_int_equal(rsp2.ctr.n, 4);
	for (i = 0; i < 4; i++) {
		expect_str(&rsp2.ctr.shares[i].netname, names[i]);
		expect_str(&rsp2.ctr.shares[i].remark, remarks[i]);
		assert_int_equal(rsp2.ctr.shares[i].type, rsp.ctr.shares[i].type);
	}
	assert_int_equal(rsp2.anom.n, 0);
}

/* The embedded server's side: a request decoded, an answer built from
 * UTF-8 share names (non-ASCII too), and a refusal. */
static void
server_side_round_trip(void **state)
{
	static uint8_t out[4096];
	struct sd_wr w;

	(void)state;
	memset(&rsp, 0, sizeof(rsp));
	rsp.level = 1;
	rsp.ctr.present = true;
	rsp.ctr.buffer_present = true;
	rsp.ctr.n = 3;
	rsp.ctr.shares[0].netname = (struct srvsvc_str){.present = true, .utf8 = "Données"};
	rsp.ctr.shares[0].remark = (struct srvsvc_str){.present = true, .utf8 = "équipe"};
	rsp.ctr.shares[1].netname = (struct srvsvc_str){.present = true, .utf8 = "共享"};
	rsp.ctr.shares[1].type = SRVSVC_STYPE_DISKTREE | SRVSVC_STYPE_SPECIAL;
	rsp.ctr.shares[2].netname = (struct srvsvc_str){.present = true, .utf8 = "IPC$"};
	rsp.ctr.shares[2].type = SRVSVC_STYPE_IPC;
	rsp.total_entries = 3;
	rsp.resume_present = true;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(srvsvc_share_enum_rsp_encode(&rsp, &w), SD_OK);
	assert_int_equal(srvsvc_share_enum_rsp_decode(out, w.len, &rsp2), SD_OK);
	assert_int_equal(rsp2.ctr.entries_read, 3);
	expect_str(&rsp2.ctr.shares[0].netname, "Données");
	expect_str(&rsp2.ctr.shares[0].remark, "équipe");
	expect_str(&rsp2.ctr.shares[1].netname, "共享");
	assert_false(rsp2.ctr.shares[1].remark.present);
	assert_int_equal(rsp2.ctr.shares[1].type, SRVSVC_STYPE_DISKTREE | SRVSVC_STYPE_SPECIAL);
	expect_str(&rsp2.ctr.shares[2].netname, "IPC$");
	assert_int_equal(rsp2.anom.n, 0);
	smb2_test_every_prefix_fails(out, w.len, dec_rsp);

	/* Access denied: an empty container, no resume handle. */
	memset(&rsp, 0, sizeof(rsp));
	rsp.level = 1;
	rsp.ctr.present = true;
	rsp.werror = SRVSVC_WERR_ACCESS_DENIED;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(srvsvc_share_enum_rsp_encode(&rsp, &w), SD_OK);
	assert_int_equal(w.len, 32);
	assert_int_equal(srvsvc_share_enum_rsp_decode(out, w.len, &rsp2), SD_OK);
	assert_int_equal(rsp2.werror, 5);
	assert_int_equal(rsp2.ctr.n, 0);
	assert_false(rsp2.resume_present);
	assert_string_equal(srvsvc_werror_name(rsp2.werror), "ERROR_ACCESS_DENIED");
	smb2_test_every_prefix_fails(out, w.len, dec_rsp);
	/* A level-2 request is decoded (the server answers INVALID_LEVEL or
	 * level 1), but a level-2 array is not. */
	srvsvc_share_enum_req_init(&req, "srv");
	req.level = 2;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(srvsvc_share_enum_req_encode(&req, &w), SD_OK);
	assert_int_equal(srvsvc_share_enum_req_decode(out, w.len, &req2), SD_OK);
	assert_int_equal(req2.level, 2);
	req.ctr.buffer_present = true;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(srvsvc_share_enum_req_encode(&req, &w), SD_ERR_INVALID_ARG);
}

/* A hand-built stub of `count` entries (first `strings` of them with a
 * one-letter name), for the caps and the count checks. */
static size_t
build_many(uint8_t *buf, size_t cap, uint32_t count, uint32_t declared)
{
	struct sd_wr w;
	uint32_t i, ref = 0x20000;

	sd_wr_init(&w, buf, cap);
	sd_wr_u32le(&w, 1);
	sd_wr_u32le(&w, 1);
	sd_wr_u32le(&w, ref += 4);
	sd_wr_u32le(&w, declared);
	sd_wr_u32le(&w, ref += 4);
	sd_wr_u32le(&w, declared);
	for (i = 0; i < count; i++) {
		sd_wr_u32le(&w, ref += 4);
		sd_wr_u32le(&w, 0);
		sd_wr_u32le(&w, 0);
	}
	for (i = 0; i < count; i++) {
		sd_wr_u32le(&w, 2);
		sd_wr_u32le(&w, 0);
		sd_wr_u32le(&w, 2);
		sd_wr_u16le(&w, 'a' + i % 26);
		sd_wr_u16le(&w, 0);
	}
	sd_wr_u32le(&w, count);
	sd_wr_u32le(&w, 0);
	sd_wr_u32le(&w, 0);
	assert_true(sd_wr_ok(&w));
	return w.len;
}

static void
caps_and_malformed(void **state)
{
	static uint8_t buf[16 * 1024];
	size_t n;

	(void)state;
	n = build_many(buf, sizeof(buf), 300, 300);
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n, &rsp), SD_OK);
	assert_int_equal(rsp.ctr.n, SRVSVC_MAX_SHARES);
	assert_int_equal(rsp.ctr.entries_read, 300);
	assert_true(smb2_test_has_anom(&rsp.anom, SD_ANOM_ITEMS_DROPPED));
	expect_str(&rsp.ctr.shares[255].netname, "v");
	assert_false(rsp.ctr.shares[0].remark.present);
	assert_int_equal(rsp.total_entries, 300);

	/* A count no stub could hold. */
	n = build_many(buf, sizeof(buf), 2, 2);
	sd_store_u32le(buf + 20, 0x40000000u);
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n, &rsp), SD_ERR_TRUNCATED);
	sd_store_u32le(buf + 20, 2);
	/* Conformance differs from EntriesRead: flagged, the array wins. */
	sd_store_u32le(buf + 12, 3);
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n, &rsp), SD_OK);
	assert_true(smb2_test_has_anom(&rsp.anom, SD_ANOM_LENGTH_MISMATCH));
	sd_store_u32le(buf + 12, 2);
	/* Switch differs from the level. */
	sd_store_u32le(buf + 4, 2);
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n, &rsp), SD_ERR_MALFORMED);
	/* Level 2 with entries: not ours to read. */
	sd_store_u32le(buf, 2);
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n, &rsp), SD_ERR_UNSUPPORTED);
	sd_store_u32le(buf, 1);
	sd_store_u32le(buf + 4, 1);
	/* First string: Offset past MaximumCount, ActualCount past the stub. */
	sd_store_u32le(buf + 24 + 24 + 4, 5);
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n, &rsp), SD_ERR_MALFORMED);
	sd_store_u32le(buf + 24 + 24 + 4, 0);
	sd_store_u32le(buf + 24 + 24, 0x7FFFFFFFu);
	sd_store_u32le(buf + 24 + 24 + 8, 0x7FFFFFFFu);
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n, &rsp), SD_ERR_TRUNCATED);
	sd_store_u32le(buf + 24 + 24, 2);
	sd_store_u32le(buf + 24 + 24 + 8, 2);
	/* No terminator: kept whole and flagged. */
	sd_store_u16le(buf + 24 + 24 + 14, 'z');
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n, &rsp), SD_OK);
	assert_true(rsp.ctr.shares[0].netname.unterminated);
	assert_int_equal(rsp.ctr.shares[0].netname.len, 4);
	/* A NULL array with entries. */
	n = build_many(buf, sizeof(buf), 0, 0);
	sd_store_u32le(buf + 12, 1);
	sd_store_u32le(buf + 16, 0);
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n - 4, &rsp), SD_ERR_MALFORMED);
	/* Bytes after WERROR. */
	n = build_many(buf, sizeof(buf), 1, 1);
	assert_int_equal(srvsvc_share_enum_rsp_decode(buf, n + 4, &rsp), SD_OK);
	assert_true(smb2_test_has_anom(&rsp.anom, SD_ANOM_TRAILING_BYTES));
	assert_null(srvsvc_werror_name(0x1234));
	assert_string_equal(srvsvc_werror_name(SRVSVC_WERR_MORE_DATA), "ERROR_MORE_DATA");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_request_round_trips),
		cmocka_unit_test(real_response_decodes),
		cmocka_unit_test(server_side_round_trip),
		cmocka_unit_test(caps_and_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
