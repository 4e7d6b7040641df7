#include "smb2_test_util.h"

#include "core/wire/utf16.h"

#include "shared_vectors.h"

/* Real messages from a Windows 10 client against Windows (arkime
 * wireshark-smb-on-windows10.pcap frames 97, 98, 46, 101, 102), an interim
 * STATUS_PENDING answer with the one-extra-byte quirk (zeek
 * smb2-zero-byte-error-ioctl.pcapng frame 60) and an 8-byte ERROR body
 * (samr-enum-lab acl_2.2_summary.pcapng frame 22). NetBIOS framing removed. */
SHARED_VECTOR(sess_req, "arkime-wireshark-smb-on-windows10.pcap", 43, 4, 0, false)
#define sess_req (sess_req_vec()->p)
#define sess_req_len (sess_req_vec()->len)

SHARED_VECTOR(sess_rsp, "arkime-wireshark-smb-on-windows10.pcap", 98, 4, 0, false)
#define sess_rsp (sess_rsp_vec()->p)
#define sess_rsp_len (sess_rsp_vec()->len)

SHARED_VECTOR(logon_failure, "arkime-wireshark-smb-on-windows10.pcap", 46, 4, 0, false)
#define logon_failure (logon_failure_vec()->p)
#define logon_failure_len (logon_failure_vec()->len)

SHARED_VECTOR(tree_req, "arkime-wireshark-smb-on-windows10.pcap", 101, 4, 0, false)
#define tree_req (tree_req_vec()->p)
#define tree_req_len (tree_req_vec()->len)

SHARED_VECTOR(tree_rsp, "arkime-wireshark-smb-on-windows10.pcap", 102, 4, 0, false)
#define tree_rsp (tree_rsp_vec()->p)
#define tree_rsp_len (tree_rsp_vec()->len)

SHARED_VECTOR(pending_rsp, "zeek-smb2-zero-byte-error-ioctl.pcapng", 60, 4, 0, false)
#define pending_rsp (pending_rsp_vec()->p)
#define pending_rsp_len (pending_rsp_vec()->len)

SHARED_VECTOR(short_error, "samr-enum-lab-acl_2.2_summary.pcapng", 22, 4, 0, false)
#define short_error (short_error_vec()->p)
#define short_error_len (short_error_vec()->len)

#define DEC_WRAPPER(fn_name, type, decoder)                                  \
	static enum sd_err fn_name(const uint8_t *p, size_t len)             \
	{                                                                    \
		struct type out;                                             \
		return decoder(p, len, &out);                                \
	}

DEC_WRAPPER(dec_sess_req, smb2_session_setup_req, smb2_session_setup_req_decode)
DEC_WRAPPER(dec_sess_rsp, smb2_session_setup_rsp, smb2_session_setup_rsp_decode)
DEC_WRAPPER(dec_tree_req, smb2_tree_connect_req, smb2_tree_connect_req_decode)
DEC_WRAPPER(dec_tree_rsp, smb2_tree_connect_rsp, smb2_tree_connect_rsp_decode)
DEC_WRAPPER(dec_error, smb2_error_rsp, smb2_error_rsp_decode)
DEC_WRAPPER(dec_empty, smb2_empty_body, smb2_empty_body_decode)

static enum sd_err
dec_redirect(const uint8_t *p, size_t len)
{
	struct smb2_share_redirect sr;
	struct sd_anomalies anom = {0};

	return smb2_share_redirect_decode(p, len, &sr, &anom);
}

static void
session_setup_messages_decode(void **state)
{
	struct smb2_session_setup_req q;
	struct smb2_session_setup_rsp r;

	(void)state;
	assert_int_equal(smb2_session_setup_req_decode(sess_req, sess_req_len, &q), SD_OK);
	assert_int_equal(q.flags, 0);
	assert_int_equal(q.security_mode, SMB2_NEGOTIATE_SIGNING_ENABLED);
	assert_int_equal(q.capabilities, SMB2_GLOBAL_CAP_DFS);
	assert_int_equal(q.previous_session_id, 0);
	assert_int_equal(q.secbuf_len, 74);
	assert_ptr_equal(q.secbuf, sess_req + q.secbuf_offset);
	assert_int_equal(q.anom.n, 0);
	assert_int_equal(smb2_session_setup_rsp_decode(sess_rsp, sess_rsp_len, &r), SD_OK);
	assert_int_equal(r.session_flags, 0);
	assert_int_equal(r.secbuf_len, 271);
	assert_int_equal(r.secbuf_offset, 72);
	assert_int_equal(r.anom.n, 0);
	smb2_test_every_prefix_fails(sess_req, sess_req_len, dec_sess_req);
	smb2_test_every_prefix_fails(sess_rsp, sess_rsp_len, dec_sess_rsp);
}

static void
session_setup_round_trips(void **state)
{
	uint8_t out[400];
	struct sd_wr w;
	struct smb2_session_setup_req q, q2;
	struct smb2_session_setup_rsp r;

	(void)state;
	assert_int_equal(smb2_session_setup_req_decode(sess_req, sess_req_len, &q), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(sess_req, sess_req_len, &w);
	assert_int_equal(smb2_session_setup_req_encode(&q, &w), SD_OK);
	assert_int_equal(w.len, sess_req_len);
	assert_memory_equal(out, sess_req, sess_req_len);
	assert_int_equal(smb2_session_setup_rsp_decode(sess_rsp, sess_rsp_len, &r), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(sess_rsp, sess_rsp_len, &w);
	assert_int_equal(smb2_session_setup_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(w.len, sess_rsp_len);
	assert_memory_equal(out, sess_rsp, sess_rsp_len);

	/* A binding request with a previous session id, built from scratch. */
	memset(&q, 0, sizeof(q));
	q.flags = SMB2_SESSION_FLAG_BINDING;
	q.security_mode = SMB2_NEGOTIATE_SIGNING_REQUIRED;
	q.previous_session_id = 0x1234567890ull;
	q.secbuf = sess_req;
	q.secbuf_len = 10;
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_SESSION_SETUP, false, 0);
	assert_int_equal(smb2_session_setup_req_encode(&q, &w), SD_OK);
	assert_int_equal(smb2_session_setup_req_decode(out, w.len, &q2), SD_OK);
	assert_int_equal(q2.flags, SMB2_SESSION_FLAG_BINDING);
	assert_int_equal(q2.security_mode, SMB2_NEGOTIATE_SIGNING_REQUIRED);
	assert_int_equal(q2.previous_session_id, 0x1234567890ull);
	assert_int_equal(q2.secbuf_offset, 88);
	assert_memory_equal(q2.secbuf, sess_req, 10);
	q.secbuf = NULL;
	assert_int_equal(smb2_session_setup_req_encode(&q, &w), SD_ERR_INVALID_ARG);
}

static void
session_setup_malformed(void **state)
{
	uint8_t m[4096];
	const size_t m_n = sess_req_len;
	struct smb2_session_setup_req q;

	(void)state;
	assert_true(m_n <= sizeof(m));
	memcpy(m, sess_req, m_n);
	sd_store_u16le(m + 64 + 14, 75); /* SecurityBufferLength past the end */
	assert_int_equal(smb2_session_setup_req_decode(m, m_n, &q), SD_ERR_BAD_OFFSET);
	memcpy(m, sess_req, m_n);
	sd_store_u16le(m + 64, 24);
	assert_int_equal(smb2_session_setup_req_decode(m, m_n, &q), SD_ERR_STRUCTURE_SIZE);
	memcpy(m, sess_req, m_n);
	m[64 + 8] = 1; /* Channel must be zero */
	assert_int_equal(smb2_session_setup_req_decode(m, m_n, &q), SD_OK);
	assert_true(smb2_test_has_anom(&q.anom, SD_ANOM_RESERVED_NONZERO));
	/* More than padding after the buffer. */
	assert_int_equal(smb2_session_setup_req_decode(sess_req, sess_req_len, &q), SD_OK);
	memcpy(m, sess_req, m_n);
	sd_store_u16le(m + 64 + 14, 60);
	assert_int_equal(smb2_session_setup_req_decode(m, m_n, &q), SD_OK);
	assert_true(smb2_test_has_anom(&q.anom, SD_ANOM_TRAILING_BYTES));
}

static void
tree_connect_messages_decode(void **state)
{
	struct smb2_tree_connect_req q;
	struct smb2_tree_connect_rsp r;
	char path[64];
	size_t n;

	(void)state;
	assert_int_equal(smb2_tree_connect_req_decode(tree_req, tree_req_len, &q), SD_OK);
	assert_false(q.has_extension);
	assert_int_equal(q.path_offset, 72);
	assert_int_equal(q.path_len, 44);
	assert_int_equal(sd_utf16le_to_utf8(q.path, q.path_len, path, sizeof(path), &n), SD_OK);
	assert_string_equal(path, "\\\\192.168.199.133\\IPC$");
	assert_int_equal(n, 22);
	assert_int_equal(q.anom.n, 0);
	assert_int_equal(smb2_tree_connect_rsp_decode(tree_rsp, tree_rsp_len, &r), SD_OK);
	assert_int_equal(r.share_type, SMB2_SHARE_TYPE_PIPE);
	assert_int_equal(r.share_flags, SMB2_SHAREFLAG_NO_CACHING);
	assert_int_equal(r.capabilities, 0);
	assert_int_equal(r.maximal_access, 0x011f01ff);
	assert_int_equal(r.anom.n, 0);
	smb2_test_every_prefix_fails(tree_req, tree_req_len, dec_tree_req);
	smb2_test_every_prefix_fails(tree_rsp, tree_rsp_len, dec_tree_rsp);
}

static void
tree_connect_round_trips(void **state)
{
	uint8_t out[200];
	struct sd_wr w;
	struct smb2_tree_connect_req q;
	struct smb2_tree_connect_rsp r, r2;

	(void)state;
	assert_int_equal(smb2_tree_connect_req_decode(tree_req, tree_req_len, &q), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(tree_req, tree_req_len, &w);
	assert_int_equal(smb2_tree_connect_req_encode(&q, &w), SD_OK);
	assert_int_equal(w.len, tree_req_len);
	assert_memory_equal(out, tree_req, tree_req_len);
	assert_int_equal(smb2_tree_connect_rsp_decode(tree_rsp, tree_rsp_len, &r), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(tree_rsp, tree_rsp_len, &w);
	assert_int_equal(smb2_tree_connect_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(w.len, tree_rsp_len);
	assert_memory_equal(out, tree_rsp, tree_rsp_len);

	memset(&r, 0, sizeof(r));
	r.share_type = SMB2_SHARE_TYPE_DISK;
	r.share_flags = SMB2_SHAREFLAG_ENCRYPT_DATA | SMB2_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM;
	r.capabilities = SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY;
	r.maximal_access = 0x001f01ff;
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_TREE_CONNECT, true, 0);
	assert_int_equal(smb2_tree_connect_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(smb2_tree_connect_rsp_decode(out, w.len, &r2), SD_OK);
	assert_int_equal(r2.share_flags, r.share_flags);
	assert_int_equal(r2.capabilities, r.capabilities);
	assert_int_equal(r2.maximal_access, r.maximal_access);
	out[64 + 3] = 1;
	assert_int_equal(smb2_tree_connect_rsp_decode(out, w.len, &r2), SD_OK);
	assert_true(smb2_test_has_anom(&r2.anom, SD_ANOM_RESERVED_NONZERO));
}

/* 3.1.1 request with the extension: path and contexts located relative to
 * the extension (message offset 72). */
static void
tree_connect_extension_round_trips(void **state)
{
	static const uint8_t identity[6] = {1, 2, 3, 4, 5, 6};
	uint8_t path[64], out[256];
	struct sd_wr w, pw;
	struct smb2_tree_connect_req q, d;
	char text[64];

	(void)state;
	sd_wr_init(&pw, path, sizeof(path));
	assert_int_equal(sd_utf8_to_utf16le("\\\\fs1\\Daten", 11, &pw), SD_OK);
	memset(&q, 0, sizeof(q));
	q.flags = SMB2_TREE_CONNECT_FLAG_REDIRECT_TO_OWNER;
	q.has_extension = true;
	q.path = path;
	q.path_len = (uint16_t)pw.len;
	q.n_ext_ctx = 1;
	q.ext_ctx[0].type = SMB2_REMOTED_IDENTITY_TREE_CONNECT_CONTEXT_ID;
	q.ext_ctx[0].data = identity;
	q.ext_ctx[0].data_len = sizeof(identity);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_TREE_CONNECT, false, 0);
	assert_int_equal(smb2_tree_connect_req_encode(&q, &w), SD_OK);
	assert_int_equal(sd_load_u16le(out + 66) & SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT,
			 SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT);
	assert_int_equal(sd_load_u16le(out + 68), SMB2_TREE_EXTENSION_SIZE); /* PathOffset */
	assert_int_equal(smb2_tree_connect_req_decode(out, w.len, &d), SD_OK);
	assert_true(d.has_extension);
	assert_int_equal(d.path_len, q.path_len);
	assert_ptr_equal(d.path, out + 72 + 16);
	assert_int_equal(sd_utf16le_to_utf8(d.path, d.path_len, text, sizeof(text), NULL), SD_OK);
	assert_string_equal(text, "\\\\fs1\\Daten");
	assert_int_equal(d.ext_ctx_count, 1);
	assert_int_equal(d.n_ext_ctx, 1);
	assert_int_equal((72 + d.ext_ctx_offset) % 8, 0);
	assert_int_equal(d.ext_ctx[0].type, SMB2_REMOTED_IDENTITY_TREE_CONNECT_CONTEXT_ID);
	assert_memory_equal(d.ext_ctx[0].data, identity, sizeof(identity));
	assert_int_equal(d.anom.n, 0);
	smb2_test_every_prefix_fails(out, w.len, dec_tree_req);
	/* Context offset past the end. */
	sd_wr_put_u32le_at(&w, 72, 0x400);
	assert_int_equal(smb2_tree_connect_req_decode(out, w.len, &d), SD_ERR_BAD_OFFSET);
	sd_wr_put_u32le_at(&w, 72, 16 + q.path_len);
	out[72 + 8] = 1; /* extension Reserved */
	assert_int_equal(smb2_tree_connect_req_decode(out, w.len, &d), SD_OK);
	assert_true(smb2_test_has_anom(&d.anom, SD_ANOM_RESERVED_NONZERO));
}

static void
tree_connect_malformed(void **state)
{
	uint8_t m[4096];
	const size_t m_n = tree_req_len;
	struct smb2_tree_connect_req q;

	(void)state;
	assert_true(m_n <= sizeof(m));
	memcpy(m, tree_req, m_n);
	sd_store_u16le(m + 68, 200);
	assert_int_equal(smb2_tree_connect_req_decode(m, m_n, &q), SD_ERR_BAD_OFFSET);
	memcpy(m, tree_req, m_n);
	sd_store_u16le(m + 70, 43); /* odd UTF-16 length */
	assert_int_equal(smb2_tree_connect_req_decode(m, m_n, &q), SD_OK);
	assert_true(smb2_test_has_anom(&q.anom, SD_ANOM_LENGTH_MISMATCH));
	memcpy(m, tree_req, m_n);
	sd_store_u16le(m + 66, SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT);
	/* The path bytes read as an extension now: context count 0x5C... */
	assert_int_not_equal(smb2_tree_connect_req_decode(m, m_n, &q), SD_OK);
}

static void
error_responses_decode(void **state)
{
	struct smb2_error_rsp e;
	struct smb2_message m;

	(void)state;
	assert_int_equal(smb2_message_decode(logon_failure, logon_failure_len, &m), SD_OK);
	assert_int_equal(m.kind, SMB2_BODY_ERROR);
	assert_int_equal(m.hdr.status, 0xC000006Du);
	assert_int_equal(m.body.error.byte_count, 0);
	assert_int_equal(m.body.error.anom.n, 0);
	assert_false(m.body.error.quirk_no_data_byte);
	{
		uint8_t c[4096];
		const size_t c_n = logon_failure_len;

		assert_true(c_n <= sizeof(c));
		memcpy(c, logon_failure, c_n);
		c[66] = 1; /* ErrorContextCount without ErrorData */
		assert_int_equal(smb2_error_rsp_decode(c, c_n, &e), SD_OK);
		assert_true(smb2_test_has_anom(&e.anom, SD_ANOM_LENGTH_MISMATCH));
		c[66] = 0;
		c[67] = 2; /* Reserved */
		assert_int_equal(smb2_error_rsp_decode(c, c_n, &e), SD_OK);
		assert_true(smb2_test_has_anom(&e.anom, SD_ANOM_RESERVED_NONZERO));
	}

	assert_int_equal(smb2_error_rsp_decode(pending_rsp, pending_rsp_len, &e), SD_OK);
	assert_true(smb2_test_has_anom(&e.anom, SD_ANOM_ERROR_BODY_QUIRK));
	assert_int_equal(e.anom.a[0].value, 0x100u | pending_rsp[72]);

	assert_int_equal(smb2_error_rsp_decode(short_error, short_error_len, &e), SD_OK);
	assert_true(e.quirk_no_data_byte);
	assert_int_equal(e.anom.a[0].code, SD_ANOM_ERROR_BODY_QUIRK);
	assert_int_equal(e.anom.a[0].value, 8);
	/* A 9-byte body is the minimum the format allows, 8 the quirk. */
	smb2_test_every_prefix_fails(logon_failure, logon_failure_len - 1, dec_error);
	smb2_test_every_prefix_safe(pending_rsp, pending_rsp_len, dec_error);
}

static void
error_round_trips_and_contexts(void **state)
{
	uint8_t data[128], out[256];
	struct sd_wr w, dw;
	struct smb2_error_rsp e, d;
	struct smb2_share_redirect sr;
	struct sd_anomalies anom;
	size_t redirect_at;
	char name[32];

	(void)state;
	assert_int_equal(smb2_error_rsp_decode(logon_failure, logon_failure_len, &e), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(logon_failure, logon_failure_len, &w);
	assert_int_equal(smb2_error_rsp_encode(&e, &w), SD_OK);
	assert_int_equal(w.len, logon_failure_len);
	assert_memory_equal(out, logon_failure, logon_failure_len);

	/* Two 3.1.1 contexts: a default one of 4 bytes, then SHARE_REDIRECT. */
	sd_wr_init(&dw, data, sizeof(data));
	sd_wr_u32le(&dw, 4);
	sd_wr_u32le(&dw, SMB2_ERROR_ID_DEFAULT);
	sd_wr_u32le(&dw, 0x10);
	sd_wr_zero(&dw, 4);
	redirect_at = dw.len;
	sd_wr_u32le(&dw, 0); /* ErrorDataLength, patched below */
	sd_wr_u32le(&dw, SMB2_ERROR_ID_SHARE_REDIRECT);
	sd_wr_u32le(&dw, 0x30);
	sd_wr_u32le(&dw, 3);
	sd_wr_u32le(&dw, 24 + 24); /* ResourceNameOffset */
	sd_wr_u32le(&dw, 6);
	sd_wr_u16le(&dw, 0);
	sd_wr_u16le(&dw, 0);
	sd_wr_u32le(&dw, 1);
	sd_wr_u32le(&dw, 1); /* IPv4 */
	sd_wr_u32le(&dw, 0);
	sd_wr_u8(&dw, 10);
	sd_wr_u8(&dw, 0);
	sd_wr_u8(&dw, 0);
	sd_wr_u8(&dw, 9);
	sd_wr_zero(&dw, 12);
	assert_int_equal(sd_utf8_to_utf16le("fs2", 3, &dw), SD_OK);
	sd_wr_put_u32le_at(&dw, redirect_at, (uint32_t)(dw.len - redirect_at - 8));
	assert_true(sd_wr_ok(&dw));
	memset(&e, 0, sizeof(e));
	e.error_context_count = 2;
	e.byte_count = (uint32_t)dw.len;
	e.error_data = data;
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_TREE_CONNECT, true, 0xC00000CCu);
	assert_int_equal(smb2_error_rsp_encode(&e, &w), SD_OK);
	assert_int_equal(smb2_error_rsp_decode(out, w.len, &d), SD_OK);
	assert_int_equal(d.n_ctx, 2);
	assert_int_equal(d.ctx[0].data_len, 4);
	assert_int_equal(d.ctx[1].error_id, SMB2_ERROR_ID_SHARE_REDIRECT);
	assert_int_equal(d.ctx[1].offset, 72 + redirect_at);
	assert_int_equal(d.anom.n, 0);
	smb2_test_every_prefix_fails(out, w.len, dec_error);
	memset(&anom, 0, sizeof(anom));
	assert_int_equal(smb2_share_redirect_decode(d.ctx[1].data, d.ctx[1].data_len, &sr, &anom), SD_OK);
	assert_int_equal(sr.structure_size, 0x30);
	assert_int_equal(sr.notification_type, 3);
	assert_int_equal(sr.n_addrs, 1);
	assert_int_equal(sr.addrs[0].type, 1);
	assert_int_equal(sr.addrs[0].addr[3], 9);
	assert_int_equal(sd_utf16le_to_utf8(sr.resource_name, sr.resource_name_len, name, sizeof(name), NULL),
			 SD_OK);
	assert_string_equal(name, "fs2");
	assert_int_equal(anom.n, 0);
	smb2_test_every_prefix_fails(d.ctx[1].data, d.ctx[1].data_len, dec_redirect);
	/* Broken contexts. */
	sd_store_u32le(out + 72, 200);
	assert_int_equal(smb2_error_rsp_decode(out, w.len, &d), SD_ERR_MALFORMED);
	assert_int_equal(smb2_share_redirect_decode(data + redirect_at + 8, 23, &sr, &anom), SD_ERR_TRUNCATED);
	sd_store_u32le(data + redirect_at + 8 + 8, 1000); /* ResourceNameOffset */
	assert_int_equal(smb2_share_redirect_decode(data + redirect_at + 8, dw.len - redirect_at - 8, &sr, &anom),
			 SD_ERR_BAD_OFFSET);
	sd_store_u32le(data + redirect_at + 8 + 8, 48);
	sd_store_u32le(data + redirect_at + 8 + 20, 7); /* IPAddrCount */
	assert_int_equal(smb2_share_redirect_decode(data + redirect_at + 8, dw.len - redirect_at - 8, &sr, &anom),
			 SD_ERR_MALFORMED);
}

static void
empty_bodies_round_trip(void **state)
{
	static const uint16_t cmds[4] = {SMB2_LOGOFF, SMB2_TREE_DISCONNECT, SMB2_ECHO, SMB2_CANCEL};
	uint8_t out[80];
	struct sd_wr w;
	struct smb2_message m;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		sd_wr_init(&w, out, sizeof(out));
		smb2_test_header(&w, cmds[i], false, 0);
		assert_int_equal(smb2_empty_body_encode(&w), SD_OK);
		assert_int_equal(w.len, 68);
		assert_int_equal(smb2_message_decode(out, w.len, &m), SD_OK);
		assert_int_equal(m.kind, SMB2_BODY_EMPTY);
		assert_int_equal(m.body.empty.anom.n, 0);
		smb2_test_every_prefix_fails(out, w.len, dec_empty);
	}
	out[66] = 1;
	assert_int_equal(smb2_message_decode(out, w.len, &m), SD_OK);
	assert_true(smb2_test_has_anom(&m.body.empty.anom, SD_ANOM_RESERVED_NONZERO));
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_ECHO, true, 0);
	assert_int_equal(smb2_empty_body_encode(&w), SD_OK);
	sd_wr_zero(&w, 9);
	assert_int_equal(smb2_message_decode(out, w.len, &m), SD_OK);
	assert_true(smb2_test_has_anom(&m.body.empty.anom, SD_ANOM_TRAILING_BYTES));
	out[64] = 5;
	assert_int_equal(smb2_message_decode(out, w.len, &m), SD_ERR_STRUCTURE_SIZE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(session_setup_messages_decode),
		cmocka_unit_test(session_setup_round_trips),
		cmocka_unit_test(session_setup_malformed),
		cmocka_unit_test(tree_connect_messages_decode),
		cmocka_unit_test(tree_connect_round_trips),
		cmocka_unit_test(tree_connect_extension_round_trips),
		cmocka_unit_test(tree_connect_malformed),
		cmocka_unit_test(error_responses_decode),
		cmocka_unit_test(error_round_trips_and_contexts),
		cmocka_unit_test(empty_bodies_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
