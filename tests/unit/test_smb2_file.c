/* CREATE, CLOSE, READ, WRITE and FSCTL_PIPE_TRANSCEIVE (smb2_file.h). */
#include "smb2_test_util.h"

#include "core/wire/smb2_file.h"
#include "core/wire/utf16.h"
#include "pipe_vectors.h"

static enum sd_err
dec_create_req(const uint8_t *p, size_t len)
{
	struct smb2_create_req r;

	return smb2_create_req_decode(p, len, &r);
}

static enum sd_err
dec_create_rsp(const uint8_t *p, size_t len)
{
	struct smb2_create_rsp r;

	return smb2_create_rsp_decode(p, len, &r);
}

static enum sd_err
dec_close_req(const uint8_t *p, size_t len)
{
	struct smb2_close_req r;

	return smb2_close_req_decode(p, len, &r);
}

static enum sd_err
dec_close_rsp(const uint8_t *p, size_t len)
{
	struct smb2_close_rsp r;

	return smb2_close_rsp_decode(p, len, &r);
}

static enum sd_err
dec_read_req(const uint8_t *p, size_t len)
{
	struct smb2_read_req r;

	return smb2_read_req_decode(p, len, &r);
}

static enum sd_err
dec_read_rsp(const uint8_t *p, size_t len)
{
	struct smb2_read_rsp r;

	return smb2_read_rsp_decode(p, len, &r);
}

static enum sd_err
dec_write_req(const uint8_t *p, size_t len)
{
	struct smb2_write_req r;

	return smb2_write_req_decode(p, len, &r);
}

static enum sd_err
dec_write_rsp(const uint8_t *p, size_t len)
{
	struct smb2_write_rsp r;

	return smb2_write_rsp_decode(p, len, &r);
}

static enum sd_err
dec_ctx(const uint8_t *p, size_t len)
{
	struct smb2_create_ctx_list l;
	struct sd_anomalies a = {0};

	return smb2_create_ctx_decode(p, len, 0, &l, &a);
}

/* The prefixes that cut the fixed part must fail; the READ request's
 * final Buffer byte is optional for the decoder. */
static void
prefixes_fail_below(const uint8_t *msg, size_t len, size_t upto, smb2_test_decode_fn fn)
{
	smb2_test_every_prefix_safe(msg, len, fn);
	smb2_test_every_prefix_fails(msg, upto, fn);
}

static void
real_create_round_trips(void **state)
{
	struct smb2_create_req q;
	struct smb2_create_rsp r;
	uint8_t out[256];
	char name[32];
	struct sd_wr w;

	(void)state;
	assert_int_equal(smb2_create_req_decode(v_create_req, sizeof(v_create_req), &q), SD_OK);
	assert_int_equal(q.name_offset, 120);
	assert_int_equal(sd_utf16le_to_utf8(q.name, q.name_len, name, sizeof(name), NULL), SD_OK);
	assert_string_equal(name, "srvsvc");
	assert_int_equal(q.create_disposition, SMB2_FILE_OPEN);
	assert_int_equal(q.impersonation_level, SMB2_IMPERSONATION_IMPERSONATION);
	assert_int_equal(q.contexts_len, 0);
	assert_int_equal(q.ctx.n, 0);
	assert_int_equal(q.anom.n, 0);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(v_create_req, sizeof(v_create_req), &w);
	assert_int_equal(smb2_create_req_encode(&q, &w), SD_OK);
	assert_int_equal(w.len, sizeof(v_create_req));
	assert_memory_equal(out, v_create_req, sizeof(v_create_req));
	smb2_test_every_prefix_fails(v_create_req, sizeof(v_create_req), dec_create_req);

	assert_int_equal(smb2_create_rsp_decode(v_create_rsp, sizeof(v_create_rsp), &r), SD_OK);
	assert_int_equal(r.create_action, SMB2_FILE_OPENED);
	assert_int_equal(r.file_id.persistent, 0x68c39ff4u);
	assert_int_equal(r.file_id.volatile_, 0x3d656415u);
	assert_int_equal(r.anom.n, 0);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(v_create_rsp, sizeof(v_create_rsp), &w);
	assert_int_equal(smb2_create_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(w.len, sizeof(v_create_rsp));
	assert_memory_equal(out, v_create_rsp, sizeof(v_create_rsp));
	smb2_test_every_prefix_fails(v_create_rsp, sizeof(v_create_rsp), dec_create_rsp);
	/* A request is not a response. */
	assert_int_equal(smb2_create_rsp_decode(v_create_req, sizeof(v_create_req), &r), SD_ERR_STRUCTURE_SIZE);
}

static void
real_close_read_write_round_trip(void **state)
{
	struct smb2_close_req cq;
	struct smb2_close_rsp cr;
	struct smb2_read_req rq;
	struct smb2_read_rsp rr;
	struct smb2_write_req wq;
	struct smb2_write_rsp wr;
	uint8_t out[512];
	struct sd_wr w;

	(void)state;
	assert_int_equal(smb2_close_req_decode(v_close_req, sizeof(v_close_req), &cq), SD_OK);
	assert_int_equal(cq.file_id.persistent, 0x68c39ff4u);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(v_close_req, sizeof(v_close_req), &w);
	assert_int_equal(smb2_close_req_encode(&cq, &w), SD_OK);
	assert_memory_equal(out, v_close_req, sizeof(v_close_req));
	assert_int_equal(w.len, sizeof(v_close_req));
	smb2_test_every_prefix_fails(v_close_req, sizeof(v_close_req), dec_close_req);

	assert_int_equal(smb2_close_rsp_decode(v_close_rsp, sizeof(v_close_rsp), &cr), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(v_close_rsp, sizeof(v_close_rsp), &w);
	assert_int_equal(smb2_close_rsp_encode(&cr, &w), SD_OK);
	assert_int_equal(w.len, sizeof(v_close_rsp));
	assert_memory_equal(out, v_close_rsp, sizeof(v_close_rsp));
	smb2_test_every_prefix_fails(v_close_rsp, sizeof(v_close_rsp), dec_close_rsp);

	assert_int_equal(smb2_write_req_decode(v_write_req, v_write_req_len, &wq), SD_OK);
	assert_int_equal(wq.data_offset, 112);
	assert_int_equal(wq.length, 116);
	assert_int_equal(wq.data[0], 5);    /* DCE/RPC version */
	assert_int_equal(wq.data[2], 11);   /* BIND */
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(v_write_req, v_write_req_len, &w);
	assert_int_equal(smb2_write_req_encode(&wq, &w), SD_OK);
	assert_int_equal(w.len, v_write_req_len);
	assert_memory_equal(out, v_write_req, v_write_req_len);
	smb2_test_every_prefix_fails(v_write_req, v_write_req_len, dec_write_req);

	assert_int_equal(smb2_write_rsp_decode(v_write_rsp, v_write_rsp_len, &wr), SD_OK);
	assert_int_equal(wr.count, 116);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(v_write_rsp, v_write_rsp_len, &w);
	assert_int_equal(smb2_write_rsp_encode(&wr, &w), SD_OK);
	assert_int_equal(w.len, v_write_rsp_len);
	assert_memory_equal(out, v_write_rsp, v_write_rsp_len);
	smb2_test_every_prefix_fails(v_write_rsp, v_write_rsp_len, dec_write_rsp);

	assert_int_equal(smb2_read_req_decode(v_read_req, v_read_req_len, &rq), SD_OK);
	assert_int_equal(rq.file_id.persistent, wq.file_id.persistent);
	assert_true(rq.length > 0);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(v_read_req, v_read_req_len, &w);
	assert_int_equal(smb2_read_req_encode(&rq, &w), SD_OK);
	assert_int_equal(w.len, v_read_req_len);
	assert_memory_equal(out, v_read_req, v_read_req_len);
	prefixes_fail_below(v_read_req, v_read_req_len, SMB2_HEADER_SIZE + 48, dec_read_req);

	assert_int_equal(smb2_read_rsp_decode(v_read_rsp, v_read_rsp_len, &rr), SD_OK);
	assert_int_equal(rr.data_offset, 80);
	assert_int_equal(rr.data_len, v_read_rsp_len - 80);
	assert_int_equal(rr.data[2], 12);   /* BIND_ACK */
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(v_read_rsp, v_read_rsp_len, &w);
	assert_int_equal(smb2_read_rsp_encode(&rr, &w), SD_OK);
	assert_int_equal(w.len, v_read_rsp_len);
	assert_memory_equal(out, v_read_rsp, v_read_rsp_len);
	smb2_test_every_prefix_fails(v_read_rsp, v_read_rsp_len, dec_read_rsp);
	prefixes_fail_below(v_read_req2, v_read_req2_len, SMB2_HEADER_SIZE + 48, dec_read_req);
	smb2_test_every_prefix_fails(v_read_rsp_frag, 400, dec_read_rsp);
}

/* Transceive requests and answers (one of them STATUS_BUFFER_OVERFLOW,
 * whose IOCTL body is not an ERROR body). */
static void
real_transceive_decodes(void **state)
{
	struct smb2_ioctl_req q;
	struct smb2_ioctl_rsp r;
	struct smb2_header h;
	struct smb2_file_id fid;

	(void)state;
	assert_int_equal(smb2_ioctl_req_decode(v_ioctl_bind_req, sizeof(v_ioctl_bind_req), &q), SD_OK);
	assert_int_equal(q.ctl_code, FSCTL_PIPE_TRANSCEIVE);
	assert_int_equal(q.flags, SMB2_0_IOCTL_IS_FSCTL);
	assert_int_equal(q.input_count, 72);
	fid.persistent = q.file_id_persistent;
	fid.volatile_ = q.file_id_volatile;
	{
		struct smb2_ioctl_req t, td;
		uint8_t msg[256];
		struct sd_wr w;

		smb2_pipe_transceive_req_init(&t, &fid, q.input, q.input_count, q.max_output_response);
		sd_wr_init(&w, msg, sizeof(msg));
		smb2_test_copy_header(v_ioctl_bind_req, sizeof(v_ioctl_bind_req), &w);
		assert_int_equal(smb2_ioctl_req_encode(&t, &w), SD_OK);
		assert_int_equal(smb2_ioctl_req_decode(msg, w.len, &td), SD_OK);
		assert_int_equal(td.ctl_code, FSCTL_PIPE_TRANSCEIVE);
		assert_int_equal(td.file_id_volatile, fid.volatile_);
		assert_int_equal(td.max_output_response, q.max_output_response);
		assert_memory_equal(td.input, q.input, q.input_count);
	}
	assert_int_equal(smb2_ioctl_rsp_decode(v_ioctl_enum_rsp, sizeof(v_ioctl_enum_rsp), &r), SD_OK);
	assert_int_equal(r.output[2], 2);   /* RESPONSE */
	assert_int_equal(smb2_header_decode(v_ioctl_overflow_rsp, v_ioctl_overflow_rsp_len, &h), SD_OK);
	assert_int_equal(h.status, SMB2_STATUS_BUFFER_OVERFLOW);
	assert_false(smb2_response_is_error(&h, v_ioctl_overflow_rsp, v_ioctl_overflow_rsp_len));
	assert_int_equal(smb2_ioctl_rsp_decode(v_ioctl_overflow_rsp, v_ioctl_overflow_rsp_len, &r), SD_OK);
	assert_int_equal(r.ctl_code, FSCTL_PIPE_TRANSCEIVE);
	assert_true(r.output_count > 16);
	/* FragLength is more than the answer holds: the rest comes by READ. */
	assert_true(sd_load_u16le(r.output + 8) > r.output_count);
}

static void
create_contexts_round_trip(void **state)
{
	static const uint8_t qfid[] = {'Q', 'F', 'i', 'd'}, mxac[] = {'M', 'x', 'A', 'c'};
	static const uint8_t ts[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct smb2_create_ctx ctx[2];
	struct smb2_create_req q, qd;
	uint8_t chain[128], msg[512], name16[32];
	struct sd_wr w, cw, nw;
	size_t chain_len, n;

	(void)state;
	memset(ctx, 0, sizeof(ctx));
	ctx[0].name = mxac;
	ctx[0].name_len = 4;
	ctx[0].data = ts;
	ctx[0].data_len = sizeof(ts);
	ctx[1].name = qfid;
	ctx[1].name_len = 4;
	sd_wr_init(&cw, chain, sizeof(chain));
	assert_int_equal(smb2_create_ctx_encode(ctx, 2, &cw), SD_OK);
	chain_len = cw.len;
	assert_int_equal(chain_len, 32 + 20);
	sd_wr_init(&nw, name16, sizeof(name16));
	assert_int_equal(sd_utf8_to_utf16le("dir\\f.txt", 9, &nw), SD_OK);

	memset(&q, 0, sizeof(q));
	q.desired_access = SMB2_MAXIMUM_ALLOWED;
	q.create_disposition = SMB2_FILE_OPEN_IF;
	q.name = name16;
	q.name_len = (uint16_t)nw.len;
	q.contexts = chain;
	q.contexts_len = (uint32_t)chain_len;
	sd_wr_init(&w, msg, sizeof(msg));
	smb2_test_header(&w, SMB2_CREATE, false, 0);
	assert_int_equal(smb2_create_req_encode(&q, &w), SD_OK);
	assert_int_equal(smb2_create_req_decode(msg, w.len, &qd), SD_OK);
	assert_int_equal(qd.contexts_offset % 8, 0);
	assert_int_equal(qd.ctx.count, 2);
	assert_int_equal(qd.ctx.n, 2);
	assert_memory_equal(qd.ctx.ctx[0].name, "MxAc", 4);
	assert_int_equal(qd.ctx.ctx[0].data_len, 8);
	assert_memory_equal(qd.ctx.ctx[0].data, ts, 8);
	assert_int_equal(qd.ctx.ctx[0].next, 32);
	assert_memory_equal(qd.ctx.ctx[1].name, "QFid", 4);
	assert_null(qd.ctx.ctx[1].data);
	assert_int_equal(qd.anom.n, 0);
	smb2_test_every_prefix_fails(msg, w.len, dec_create_req);
	/* Every cut of the chain itself is either a shorter valid chain
	 * (never: Next points past) or an error; never a crash. */
	smb2_test_every_prefix_safe(chain, chain_len, dec_ctx);
	for (n = 1; n < chain_len; n++)
		assert_int_not_equal(dec_ctx(chain, n), SD_OK);
	/* Empty name and no contexts: still the one Buffer byte. */
	memset(&q, 0, sizeof(q));
	sd_wr_init(&w, msg, sizeof(msg));
	smb2_test_header(&w, SMB2_CREATE, false, 0);
	assert_int_equal(smb2_create_req_encode(&q, &w), SD_OK);
	assert_int_equal(w.len, SMB2_HEADER_SIZE + 57);
}

static void
malformed_create_contexts(void **state)
{
	uint8_t chain[256];
	struct smb2_create_ctx_list l;
	struct sd_anomalies a;
	struct smb2_create_ctx ctx[10];
	static const uint8_t nm[] = {'A', 'B', 'C', 'D'};
	struct sd_wr w;
	size_t i;

	(void)state;
	memset(ctx, 0, sizeof(ctx));
	for (i = 0; i < 10; i++) {
		ctx[i].name = nm;
		ctx[i].name_len = 4;
	}
	sd_wr_init(&w, chain, sizeof(chain));
	assert_int_equal(smb2_create_ctx_encode(ctx, 10, &w), SD_OK);
	memset(&a, 0, sizeof(a));
	assert_int_equal(smb2_create_ctx_decode(chain, w.len, 0, &l, &a), SD_OK);
	assert_int_equal(l.count, 10);
	assert_int_equal(l.n, SMB2_CREATE_CTX_MAX);
	assert_true(smb2_test_has_anom(&a, SD_ANOM_ITEMS_DROPPED));
	/* Next past the block, Next below the header size, name in the header. */
	sd_store_u32le(chain, 0x1000);
	assert_int_equal(smb2_create_ctx_decode(chain, w.len, 0, &l, &a), SD_ERR_MALFORMED);
	sd_store_u32le(chain, 8);
	assert_int_equal(smb2_create_ctx_decode(chain, w.len, 0, &l, &a), SD_ERR_MALFORMED);
	sd_store_u32le(chain, 24);
	sd_store_u16le(chain + 4, 4);
	assert_int_equal(smb2_create_ctx_decode(chain, w.len, 0, &l, &a), SD_ERR_MALFORMED);
	/* Data past its context. */
	sd_store_u16le(chain + 4, 16);
	sd_store_u16le(chain + 10, 16);
	sd_store_u32le(chain + 12, 100);
	assert_int_equal(smb2_create_ctx_decode(chain, w.len, 0, &l, &a), SD_ERR_MALFORMED);
	/* A misaligned Next is accepted and flagged. */
	sd_store_u32le(chain + 12, 0);
	sd_store_u16le(chain + 10, 0);
	memset(&a, 0, sizeof(a));
	sd_store_u32le(chain, 20);
	assert_int_equal(smb2_create_ctx_decode(chain, 40, 0, &l, &a), SD_ERR_MALFORMED);
	assert_true(smb2_test_has_anom(&a, SD_ANOM_MISALIGNED));
	assert_int_equal(smb2_create_ctx_encode(ctx, 1, &w), SD_OK);
	ctx[0].name_len = 0;
	assert_int_equal(smb2_create_ctx_encode(ctx, 1, &w), SD_ERR_INVALID_ARG);
}

static void
malformed_bodies(void **state)
{
	uint8_t m[512];
	uint8_t c[sizeof(v_create_req)];
	struct smb2_read_rsp rr;
	struct smb2_create_req cq;
	struct smb2_write_rsp wr;
	uint8_t wm[512];
	size_t m_len, wm_len;

	(void)state;
	m_len = v_read_rsp_len;
	wm_len = v_write_rsp_len;
	assert_true(m_len <= m_len && wm_len <= wm_len);
	memcpy(m, v_read_rsp, m_len);
	m[SMB2_HEADER_SIZE + 2] = 0xF0; /* DataOffset past the message */
	assert_int_equal(smb2_read_rsp_decode(m, m_len, &rr), SD_ERR_BAD_OFFSET);
	memcpy(m, v_read_rsp, m_len);
	sd_store_u32le(m + SMB2_HEADER_SIZE + 4, 0xFFFFFFF0u); /* DataLength */
	assert_int_equal(smb2_read_rsp_decode(m, m_len, &rr), SD_ERR_BAD_OFFSET);
	memcpy(m, v_read_rsp, m_len);
	m[SMB2_HEADER_SIZE + 3] = 1; /* Reserved */
	assert_int_equal(smb2_read_rsp_decode(m, m_len, &rr), SD_OK);
	assert_true(smb2_test_has_anom(&rr.anom, SD_ANOM_RESERVED_NONZERO));
	memcpy(c, v_create_req, sizeof(c));
	sd_store_u16le(c + SMB2_HEADER_SIZE + 46, 13); /* odd NameLength */
	assert_int_equal(smb2_create_req_decode(c, sizeof(c), &cq), SD_ERR_BAD_OFFSET);
	sd_store_u16le(c + SMB2_HEADER_SIZE + 46, 10);
	assert_int_equal(smb2_create_req_decode(c, sizeof(c), &cq), SD_OK);
	assert_true(smb2_test_has_anom(&cq.anom, SD_ANOM_PADDING_NONZERO));
	memcpy(c, v_create_req, sizeof(c));
	sd_store_u32le(c + SMB2_HEADER_SIZE + 48, 120); /* contexts over the name */
	sd_store_u32le(c + SMB2_HEADER_SIZE + 52, 12);
	assert_int_equal(smb2_create_req_decode(c, sizeof(c), &cq), SD_ERR_MALFORMED);
	memcpy(wm, v_write_rsp, wm_len);
	sd_store_u16le(wm + SMB2_HEADER_SIZE + 14, 4); /* channel info must be zero */
	assert_int_equal(smb2_write_rsp_decode(wm, wm_len, &wr), SD_OK);
	assert_true(smb2_test_has_anom(&wr.anom, SD_ANOM_RESERVED_NONZERO));
	assert_int_equal(dec_close_req(v_close_rsp, sizeof(v_close_rsp)), SD_ERR_STRUCTURE_SIZE);
}

/* Hand-built bodies both ways for what the captures lack: READ with
 * channel info, WRITE of nothing, READ response with no data. */
static void
hand_built_round_trips(void **state)
{
	static const uint8_t chan[16] = {9, 9, 9, 9};
	struct smb2_read_req q, qd;
	struct smb2_read_rsp r, rd;
	struct smb2_write_req wq, wqd;
	uint8_t msg[256];
	struct sd_wr w;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.length = 4280;
	q.file_id.persistent = 1;
	q.file_id.volatile_ = 2;
	q.channel = 1;
	q.channel_info = chan;
	q.channel_info_len = sizeof(chan);
	sd_wr_init(&w, msg, sizeof(msg));
	smb2_test_header(&w, SMB2_READ, false, 0);
	assert_int_equal(smb2_read_req_encode(&q, &w), SD_OK);
	assert_int_equal(smb2_read_req_decode(msg, w.len, &qd), SD_OK);
	assert_int_equal(qd.channel_info_offset, 112);
	assert_int_equal(qd.channel_info_len, 16);
	assert_int_equal(qd.length, 4280);
	assert_int_equal(qd.file_id.volatile_, 2);
	smb2_test_every_prefix_fails(msg, w.len, dec_read_req);

	memset(&r, 0, sizeof(r));
	sd_wr_init(&w, msg, sizeof(msg));
	smb2_test_header(&w, SMB2_READ, true, 0);
	assert_int_equal(smb2_read_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(smb2_read_rsp_decode(msg, w.len, &rd), SD_OK);
	assert_null(rd.data);
	assert_int_equal(rd.anom.n, 0);

	memset(&wq, 0, sizeof(wq));
	sd_wr_init(&w, msg, sizeof(msg));
	smb2_test_header(&w, SMB2_WRITE, false, 0);
	assert_int_equal(smb2_write_req_encode(&wq, &w), SD_OK);
	assert_int_equal(w.len, SMB2_HEADER_SIZE + 49);
	assert_int_equal(smb2_write_req_decode(msg, w.len, &wqd), SD_OK);
	assert_null(wqd.data);
	wq.length = 4;
	assert_int_equal(smb2_write_req_encode(&wq, &w), SD_ERR_INVALID_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_create_round_trips),
		cmocka_unit_test(real_close_read_write_round_trip),
		cmocka_unit_test(real_transceive_decodes),
		cmocka_unit_test(create_contexts_round_trip),
		cmocka_unit_test(malformed_create_contexts),
		cmocka_unit_test(malformed_bodies),
		cmocka_unit_test(hand_built_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
