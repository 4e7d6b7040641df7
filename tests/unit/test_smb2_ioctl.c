#include "smb2_test_util.h"

#include "core/wire/utf16.h"

#include "shared_vectors.h"

/* Real IOCTLs: FSCTL_QUERY_NETWORK_INTERFACE_INFO from Windows 10 (arkime
 * wireshark-smb-on-windows10.pcap frames 103, 104) and
 * FSCTL_DFS_GET_REFERRALS with a v3 name-list answer (suricata-verify
 * smb2-09-trunc-file-logging frames 15, 16). NetBIOS framing removed. */
SHARED_VECTOR(ioctl_req, "arkime-wireshark-smb-on-windows10.pcap", 103, 4, 0, false)
#define ioctl_req (ioctl_req_vec()->p)
#define ioctl_req_len (ioctl_req_vec()->len)

SHARED_VECTOR(ioctl_rsp, "arkime-wireshark-smb-on-windows10.pcap", 104, 4, 0, false)
#define ioctl_rsp (ioctl_rsp_vec()->p)
#define ioctl_rsp_len (ioctl_rsp_vec()->len)

SHARED_VECTOR(dfs_req, "suricata-verify-smb2-09-trunc-file-logging-input.pcap", 15, 4, 0, false)
#define dfs_req (dfs_req_vec()->p)
#define dfs_req_len (dfs_req_vec()->len)

SHARED_VECTOR(dfs_rsp, "suricata-verify-smb2-09-trunc-file-logging-input.pcap", 16, 4, 0, false)
#define dfs_rsp (dfs_rsp_vec()->p)
#define dfs_rsp_len (dfs_rsp_vec()->len)

static enum sd_err
dec_ioctl_req(const uint8_t *p, size_t len)
{
	struct smb2_ioctl_req r;

	return smb2_ioctl_req_decode(p, len, &r);
}

static enum sd_err
dec_ioctl_rsp(const uint8_t *p, size_t len)
{
	struct smb2_ioctl_rsp r;

	return smb2_ioctl_rsp_decode(p, len, &r);
}

static enum sd_err
dec_vni_req(const uint8_t *p, size_t len)
{
	struct smb2_validate_negotiate_req r;

	return smb2_validate_negotiate_req_decode(p, len, &r);
}

static enum sd_err
dec_vni_rsp(const uint8_t *p, size_t len)
{
	struct smb2_validate_negotiate_rsp r;

	return smb2_validate_negotiate_rsp_decode(p, len, &r);
}

static enum sd_err
dec_dfs_rsp(const uint8_t *p, size_t len)
{
	struct smb2_dfs_referral_rsp r;

	return smb2_dfs_referral_rsp_decode(p, len, &r);
}

static enum sd_err
dec_dfs_req(const uint8_t *p, size_t len)
{
	struct smb2_dfs_referral_req r;

	return smb2_dfs_referral_req_decode(p, len, &r);
}

static void
real_ioctls_decode_and_round_trip(void **state)
{
	struct smb2_ioctl_req q;
	struct smb2_ioctl_rsp r;
	uint8_t out[512];
	struct sd_wr w;

	(void)state;
	assert_int_equal(smb2_ioctl_req_decode(ioctl_req, ioctl_req_len, &q), SD_OK);
	assert_int_equal(q.ctl_code, FSCTL_QUERY_NETWORK_INTERFACE_INFO);
	assert_int_equal(q.file_id_persistent, SMB2_FILE_ID_ANY);
	assert_int_equal(q.file_id_volatile, SMB2_FILE_ID_ANY);
	assert_int_equal(q.flags, SMB2_0_IOCTL_IS_FSCTL);
	assert_int_equal(q.input_count, 0);
	assert_null(q.input);
	assert_int_equal(q.anom.n, 0);
	assert_int_equal(smb2_ioctl_rsp_decode(ioctl_rsp, ioctl_rsp_len, &r), SD_OK);
	assert_int_equal(r.ctl_code, FSCTL_QUERY_NETWORK_INTERFACE_INFO);
	assert_true(r.output_count > 0);
	assert_ptr_equal(r.output, ioctl_rsp + r.output_offset);
	assert_int_equal(r.anom.n, 0);

	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(ioctl_req, ioctl_req_len, &w);
	assert_int_equal(smb2_ioctl_req_encode(&q, &w), SD_OK);
	assert_int_equal(w.len, ioctl_req_len);
	assert_memory_equal(out, ioctl_req, ioctl_req_len);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(ioctl_rsp, ioctl_rsp_len, &w);
	assert_int_equal(smb2_ioctl_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(w.len, ioctl_rsp_len);
	assert_memory_equal(out, ioctl_rsp, ioctl_rsp_len);

	smb2_test_every_prefix_fails(ioctl_req, ioctl_req_len, dec_ioctl_req);
	smb2_test_every_prefix_fails(ioctl_rsp, ioctl_rsp_len, dec_ioctl_rsp);
}

static void
malformed_ioctls(void **state)
{
	uint8_t m[4096];
	const size_t m_n = ioctl_rsp_len;
	struct smb2_ioctl_rsp r;
	struct smb2_ioctl_req q;

	(void)state;
	assert_true(m_n <= sizeof(m));
	memcpy(m, ioctl_rsp, m_n);
	sd_store_u32le(m + 64 + 36, 0xFFFFFFF0u); /* OutputCount overflows */
	assert_int_equal(smb2_ioctl_rsp_decode(m, m_n, &r), SD_ERR_BAD_OFFSET);
	memcpy(m, ioctl_rsp, m_n);
	sd_store_u32le(m + 64 + 32, 0xFFFFFFF0u); /* OutputOffset */
	assert_int_equal(smb2_ioctl_rsp_decode(m, m_n, &r), SD_ERR_BAD_OFFSET);
	memcpy(m, ioctl_rsp, m_n);
	sd_store_u32le(m + 64 + 44, 1); /* Reserved2 */
	assert_int_equal(smb2_ioctl_rsp_decode(m, m_n, &r), SD_OK);
	assert_true(smb2_test_has_anom(&r.anom, SD_ANOM_RESERVED_NONZERO));
	assert_int_equal(smb2_ioctl_req_decode(ioctl_rsp, ioctl_rsp_len, &q), SD_ERR_STRUCTURE_SIZE);
}

/* VALIDATE_NEGOTIATE_INFO inside an IOCTL, both directions. */
static void
validate_negotiate_round_trips(void **state)
{
	struct smb2_validate_negotiate_req v, vd;
	struct smb2_validate_negotiate_rsp s, sd;
	struct smb2_ioctl_req q, qd;
	struct smb2_ioctl_rsp r, rd;
	uint8_t in[64], outbuf[32], msg[256];
	struct sd_wr w, iw;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.capabilities = SMB2_GLOBAL_CAP_ENCRYPTION | SMB2_GLOBAL_CAP_DFS;
	memset(v.guid, 0x11, sizeof(v.guid));
	v.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	v.n_dialects = 4;
	v.dialects[0] = SMB2_DIALECT_202;
	v.dialects[1] = SMB2_DIALECT_210;
	v.dialects[2] = SMB2_DIALECT_300;
	v.dialects[3] = SMB2_DIALECT_302;
	sd_wr_init(&iw, in, sizeof(in));
	assert_int_equal(smb2_validate_negotiate_req_encode(&v, &iw), SD_OK);
	assert_int_equal(iw.len, 24 + 8);

	memset(&q, 0, sizeof(q));
	q.ctl_code = FSCTL_VALIDATE_NEGOTIATE_INFO;
	q.file_id_persistent = SMB2_FILE_ID_ANY;
	q.file_id_volatile = SMB2_FILE_ID_ANY;
	q.flags = SMB2_0_IOCTL_IS_FSCTL;
	q.max_output_response = SMB2_VALIDATE_NEGOTIATE_RSP_SIZE;
	q.input = in;
	q.input_count = (uint32_t)iw.len;
	sd_wr_init(&w, msg, sizeof(msg));
	smb2_test_header(&w, SMB2_IOCTL, false, 0);
	assert_int_equal(smb2_ioctl_req_encode(&q, &w), SD_OK);
	assert_int_equal(smb2_ioctl_req_decode(msg, w.len, &qd), SD_OK);
	assert_int_equal(qd.input_offset, 120);
	assert_int_equal(qd.ctl_code, FSCTL_VALIDATE_NEGOTIATE_INFO);
	assert_int_equal(qd.max_output_response, 24);
	assert_int_equal(smb2_validate_negotiate_req_decode(qd.input, qd.input_count, &vd), SD_OK);
	assert_int_equal(vd.capabilities, v.capabilities);
	assert_memory_equal(vd.guid, v.guid, 16);
	assert_int_equal(vd.dialect_count, 4);
	assert_int_equal(vd.dialects[3], SMB2_DIALECT_302);
	assert_int_equal(vd.anom.n, 0);
	smb2_test_every_prefix_fails(msg, w.len, dec_ioctl_req);
	smb2_test_every_prefix_fails(in, iw.len, dec_vni_req);

	memset(&s, 0, sizeof(s));
	s.capabilities = SMB2_GLOBAL_CAP_DFS;
	memset(s.guid, 0x22, sizeof(s.guid));
	s.security_mode = SMB2_NEGOTIATE_SIGNING_REQUIRED;
	s.dialect = SMB2_DIALECT_302;
	sd_wr_init(&iw, outbuf, sizeof(outbuf));
	assert_int_equal(smb2_validate_negotiate_rsp_encode(&s, &iw), SD_OK);
	assert_int_equal(iw.len, SMB2_VALIDATE_NEGOTIATE_RSP_SIZE);
	memset(&r, 0, sizeof(r));
	r.ctl_code = FSCTL_VALIDATE_NEGOTIATE_INFO;
	r.file_id_persistent = SMB2_FILE_ID_ANY;
	r.file_id_volatile = SMB2_FILE_ID_ANY;
	r.output = outbuf;
	r.output_count = (uint32_t)iw.len;
	sd_wr_init(&w, msg, sizeof(msg));
	smb2_test_header(&w, SMB2_IOCTL, true, 0);
	assert_int_equal(smb2_ioctl_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(smb2_ioctl_rsp_decode(msg, w.len, &rd), SD_OK);
	assert_int_equal(rd.output_offset, 112);
	assert_int_equal(smb2_validate_negotiate_rsp_decode(rd.output, rd.output_count, &sd), SD_OK);
	assert_int_equal(sd.dialect, SMB2_DIALECT_302);
	assert_int_equal(sd.security_mode, SMB2_NEGOTIATE_SIGNING_REQUIRED);
	assert_memory_equal(sd.guid, s.guid, 16);
	assert_int_equal(sd.anom.n, 0);
	smb2_test_every_prefix_fails(outbuf, iw.len, dec_vni_rsp);
	assert_int_equal(smb2_validate_negotiate_rsp_decode(outbuf, 25, &sd), SD_OK);
	assert_true(smb2_test_has_anom(&sd.anom, SD_ANOM_TRAILING_BYTES));
	/* DialectCount beyond the input. */
	sd_store_u16le(in + 22, 5);
	assert_int_equal(smb2_validate_negotiate_req_decode(in, 32, &vd), SD_ERR_TRUNCATED);
}

static void
dfs_referral_request_decodes(void **state)
{
	struct smb2_ioctl_req q;
	struct smb2_dfs_referral_req d, d2;
	uint8_t name[64], buf[80];
	struct sd_wr w;
	char text[64];

	(void)state;
	assert_int_equal(smb2_ioctl_req_decode(dfs_req, dfs_req_len, &q), SD_OK);
	assert_int_equal(q.ctl_code, FSCTL_DFS_GET_REFERRALS);
	assert_int_equal(smb2_dfs_referral_req_decode(q.input, q.input_count, &d), SD_OK);
	assert_int_equal(d.max_referral_level, 3);
	assert_true(d.terminated);
	assert_int_equal(d.file_name_len, 0);
	assert_int_equal(d.anom.n, 0);

	sd_wr_init(&w, name, sizeof(name));
	assert_int_equal(sd_utf8_to_utf16le("\\contoso.com\\dfs", 16, &w), SD_OK);
	d.max_referral_level = 4;
	d.file_name = name;
	d.file_name_len = w.len;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(smb2_dfs_referral_req_encode(&d, &w), SD_OK);
	assert_int_equal(w.len, 2 + 32 + 2);
	assert_int_equal(smb2_dfs_referral_req_decode(buf, w.len, &d2), SD_OK);
	assert_int_equal(d2.max_referral_level, 4);
	assert_int_equal(sd_utf16le_to_utf8(d2.file_name, d2.file_name_len, text, sizeof(text), NULL), SD_OK);
	assert_string_equal(text, "\\contoso.com\\dfs");
	smb2_test_every_prefix_safe(buf, w.len, dec_dfs_req);
	assert_int_equal(smb2_dfs_referral_req_decode(buf, w.len - 2, &d2), SD_OK);
	assert_false(d2.terminated);
	assert_true(smb2_test_has_anom(&d2.anom, SD_ANOM_LENGTH_MISMATCH));
	assert_int_equal(smb2_dfs_referral_req_decode(buf, 1, &d2), SD_ERR_TRUNCATED);
}

static void
dfs_referral_name_list_decodes(void **state)
{
	struct smb2_ioctl_rsp r;
	struct smb2_dfs_referral_rsp d;
	char text[64];
	size_t n;

	(void)state;
	assert_int_equal(smb2_ioctl_rsp_decode(dfs_rsp, dfs_rsp_len, &r), SD_OK);
	assert_int_equal(r.ctl_code, FSCTL_DFS_GET_REFERRALS);
	assert_int_equal(smb2_dfs_referral_rsp_decode(r.output, r.output_count, &d), SD_OK);
	assert_int_equal(d.path_consumed, 0);
	assert_int_equal(d.n_referrals_declared, 2);
	assert_int_equal(d.n_referrals, 2);
	assert_int_equal(d.referrals[0].version, 3);
	assert_int_equal(d.referrals[0].size, 18);
	assert_true(d.referrals[0].name_list);
	assert_int_equal(d.referrals[0].ttl, 600);
	assert_int_equal(d.referrals[0].server_type, DFS_SERVER_TYPE_NON_ROOT);
	assert_int_equal(sd_utf16le_to_utf8(d.referrals[0].dfs_path.p, d.referrals[0].dfs_path.len, text,
					    sizeof(text), NULL),
			 SD_OK);
	assert_string_equal(text, "\\GRANITEMANIA");
	assert_int_equal(sd_utf16le_to_utf8(d.referrals[1].dfs_path.p, d.referrals[1].dfs_path.len, text,
					    sizeof(text), NULL),
			 SD_OK);
	assert_string_equal(text, "\\granitemania.com");
	assert_int_equal(d.anom.n, 0);
	/* A cut inside a string leaves it unterminated: bounded and flagged,
	 * not an error. Every other cut fails. */
	for (n = 0; n < r.output_count; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, r.output, n);
		if (smb2_dfs_referral_rsp_decode(copy, n, &d) == SD_OK)
			assert_true(smb2_test_has_anom(&d.anom, SD_ANOM_LENGTH_MISMATCH));
		free(copy);
	}
}

/* v1, v2 and v4 entries with their strings, built by hand. */
static void
dfs_referral_versions_decode(void **state)
{
	uint8_t b[256];
	struct sd_wr w;
	struct smb2_dfs_referral_rsp d;
	size_t e1, e2, e3, s;
	char text[64];

	(void)state;
	sd_wr_init(&w, b, sizeof(b));
	sd_wr_u16le(&w, 24);
	sd_wr_u16le(&w, 3);
	sd_wr_u32le(&w, DFS_REFERRAL_HEADER_FLAG_STORAGE_SERVERS);
	e1 = w.len; /* v1: ShareName inline */
	sd_wr_u16le(&w, 1);
	sd_wr_u16le(&w, 8 + 8);
	sd_wr_u16le(&w, DFS_SERVER_TYPE_ROOT);
	sd_wr_u16le(&w, 0);
	assert_int_equal(sd_utf8_to_utf16le("s1\\", 3, &w), SD_OK);
	sd_wr_u16le(&w, 0);
	e2 = w.len; /* v2 */
	sd_wr_u16le(&w, 2);
	sd_wr_u16le(&w, 22);
	sd_wr_u16le(&w, 0);
	sd_wr_u16le(&w, 0);
	sd_wr_u32le(&w, 7);
	sd_wr_u32le(&w, 300);
	sd_wr_zero(&w, 6); /* three string offsets, patched */
	e3 = w.len; /* v4, not a name list */
	sd_wr_u16le(&w, 4);
	sd_wr_u16le(&w, 34);
	sd_wr_u16le(&w, 0);
	sd_wr_u16le(&w, DFS_REFERRAL_ENTRY_FLAG_TARGET_SET_BOUNDARY);
	sd_wr_u32le(&w, 1800);
	sd_wr_zero(&w, 6 + 16);
	s = w.len;
	assert_int_equal(sd_utf8_to_utf16le("\\dom\\dfs", 8, &w), SD_OK);
	sd_wr_u16le(&w, 0);
	assert_int_equal(sd_utf8_to_utf16le("\\srv\\share", 10, &w), SD_OK);
	sd_wr_u16le(&w, 0);
	assert_true(sd_wr_ok(&w));
	sd_wr_put_u16le_at(&w, e2 + 16, (uint16_t)(s - e2));
	sd_wr_put_u16le_at(&w, e2 + 18, (uint16_t)(s - e2));
	sd_wr_put_u16le_at(&w, e2 + 20, (uint16_t)(s + 18 - e2));
	sd_wr_put_u16le_at(&w, e3 + 12, (uint16_t)(s - e3));
	sd_wr_put_u16le_at(&w, e3 + 14, (uint16_t)(s - e3));
	sd_wr_put_u16le_at(&w, e3 + 16, (uint16_t)(s + 18 - e3));
	assert_int_equal(smb2_dfs_referral_rsp_decode(b, w.len, &d), SD_OK);
	assert_int_equal(d.n_referrals, 3);
	assert_int_equal(d.header_flags, DFS_REFERRAL_HEADER_FLAG_STORAGE_SERVERS);
	assert_int_equal(d.referrals[0].server_type, DFS_SERVER_TYPE_ROOT);
	assert_int_equal(sd_utf16le_to_utf8(d.referrals[0].share_name.p, d.referrals[0].share_name.len, text,
					    sizeof(text), NULL),
			 SD_OK);
	assert_string_equal(text, "s1\\");
	assert_int_equal(d.referrals[1].proximity, 7);
	assert_int_equal(d.referrals[1].ttl, 300);
	assert_int_equal(sd_utf16le_to_utf8(d.referrals[1].network_address.p, d.referrals[1].network_address.len,
					    text, sizeof(text), NULL),
			 SD_OK);
	assert_string_equal(text, "\\srv\\share");
	assert_int_equal(d.referrals[2].version, 4);
	assert_false(d.referrals[2].name_list);
	assert_int_equal(d.referrals[2].ttl, 1800);
	assert_int_equal(sd_utf16le_to_utf8(d.referrals[2].dfs_path.p, d.referrals[2].dfs_path.len, text,
					    sizeof(text), NULL),
			 SD_OK);
	assert_string_equal(text, "\\dom\\dfs");
	assert_int_equal(d.anom.n, 0);
	smb2_test_every_prefix_safe(b, w.len, dec_dfs_rsp);
	smb2_test_every_prefix_fails(b, s, dec_dfs_rsp);
	/* A string offset pointing outside the buffer, then a zero Size. */
	sd_wr_put_u16le_at(&w, e3 + 12, 0x7FFF);
	assert_int_equal(smb2_dfs_referral_rsp_decode(b, w.len, &d), SD_ERR_BAD_OFFSET);
	sd_wr_put_u16le_at(&w, e2 + 2, 0);
	assert_int_equal(smb2_dfs_referral_rsp_decode(b, w.len, &d), SD_ERR_MALFORMED);
	sd_wr_put_u16le_at(&w, e2 + 2, 12); /* v2 shorter than its fixed part */
	assert_int_equal(smb2_dfs_referral_rsp_decode(b, w.len, &d), SD_ERR_MALFORMED);
	(void)e1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_ioctls_decode_and_round_trip),
		cmocka_unit_test(malformed_ioctls),
		cmocka_unit_test(validate_negotiate_round_trips),
		cmocka_unit_test(dfs_referral_request_decodes),
		cmocka_unit_test(dfs_referral_name_list_decodes),
		cmocka_unit_test(dfs_referral_versions_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
