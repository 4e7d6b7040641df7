#include "smb2_test_util.h"
#include "negotiate_vectors.h"

static enum sd_err
dec_req(const uint8_t *p, size_t len)
{
	struct smb2_negotiate_req r;

	return smb2_negotiate_req_decode(p, len, &r);
}

static enum sd_err
dec_rsp(const uint8_t *p, size_t len)
{
	struct smb2_negotiate_rsp r;

	return smb2_negotiate_rsp_decode(p, len, &r);
}

static void
windows10_request_decodes(void **state)
{
	struct smb2_negotiate_req r;
	const struct smb2_negctx *c;

	(void)state;
	assert_int_equal(smb2_negotiate_req_decode(win10_neg_req, win10_neg_req_len, &r), SD_OK);
	assert_int_equal(r.dialect_count, 5);
	assert_int_equal(r.n_dialects, 5);
	assert_int_equal(r.dialects[0], SMB2_DIALECT_202);
	assert_int_equal(r.dialects[4], SMB2_DIALECT_311);
	assert_true(r.offers_311);
	assert_int_equal(r.security_mode, SMB2_NEGOTIATE_SIGNING_ENABLED);
	assert_int_equal(r.capabilities, 0x7f);
	assert_int_equal(r.negctx_offset, 0x70);
	assert_int_equal(r.negctx_count, 2);
	assert_int_equal(r.ctx.n, 2);
	c = smb2_negctx_find(&r.ctx, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
	assert_non_null(c);
	assert_true(c->known);
	assert_int_equal(c->u.preauth.n_hash_ids, 1);
	assert_int_equal(c->u.preauth.hash_ids[0], SMB2_PREAUTH_INTEGRITY_SHA512);
	assert_int_equal(c->u.preauth.salt_len, 32);
	assert_ptr_equal(c->u.preauth.salt, win10_neg_req + 0x70 + 8 + 6);
	c = smb2_negctx_find(&r.ctx, SMB2_ENCRYPTION_CAPABILITIES);
	assert_non_null(c);
	assert_int_equal(c->u.encryption.n_ids, 2);
	assert_int_equal(c->u.encryption.ids[0], SMB2_ENCRYPTION_AES128_GCM);
	assert_int_equal(c->u.encryption.ids[1], SMB2_ENCRYPTION_AES128_CCM);
	assert_int_equal(r.anom.n, 0);
	assert_null(smb2_negctx_find(&r.ctx, SMB2_SIGNING_CAPABILITIES));
}

static void
windows10_response_decodes(void **state)
{
	struct smb2_negotiate_rsp r;
	const struct smb2_negctx *c;

	(void)state;
	assert_int_equal(smb2_negotiate_rsp_decode(win10_neg_rsp, win10_neg_rsp_len, &r), SD_OK);
	assert_int_equal(r.dialect, SMB2_DIALECT_311);
	assert_int_equal(r.capabilities, 0x2f);
	assert_int_equal(r.max_read_size, 8388608);
	assert_int_equal(r.secbuf_offset, 128);
	assert_int_equal(r.secbuf_len, 320);
	assert_ptr_equal(r.secbuf, win10_neg_rsp + 128);
	assert_int_equal(r.secbuf[0], 0x60); /* GSS-API [APPLICATION 0] */
	assert_int_equal(r.negctx_offset, 0x1c0);
	assert_int_equal(r.ctx.n, 2);
	c = smb2_negctx_find(&r.ctx, SMB2_ENCRYPTION_CAPABILITIES);
	assert_non_null(c);
	assert_int_equal(c->u.encryption.n_ids, 1);
	assert_int_equal(c->u.encryption.ids[0], SMB2_ENCRYPTION_AES128_GCM);
	assert_int_equal(r.anom.n, 0);
}

static void
smb2x_messages_decode(void **state)
{
	struct smb2_negotiate_req q;
	struct smb2_negotiate_rsp r;

	(void)state;
	assert_int_equal(smb2_negotiate_req_decode(smb2_neg_req, smb2_neg_req_len, &q), SD_OK);
	assert_false(q.offers_311);
	assert_int_equal(q.n_dialects, 2);
	assert_int_equal(q.dialects[1], SMB2_DIALECT_210);
	assert_int_equal(q.client_start_time, 0);
	assert_int_equal(q.ctx.n, 0);
	assert_int_equal(q.anom.n, 0);
	assert_int_equal(smb2_negotiate_rsp_decode(smb2_neg_rsp, smb2_neg_rsp_len, &r), SD_OK);
	assert_int_equal(r.dialect, SMB2_DIALECT_202);
	assert_int_equal(r.max_transact_size, 65536);
	assert_int_equal(r.secbuf_len, 108);
	assert_int_equal(r.ctx.n, 0);
}

/* Decoding then encoding a real message gives back the same bytes. */
static void
real_messages_round_trip(void **state)
{
	uint8_t out[600];
	struct sd_wr w;
	struct smb2_negotiate_req q;
	struct smb2_negotiate_rsp r;

	(void)state;
	assert_int_equal(smb2_negotiate_req_decode(win10_neg_req, win10_neg_req_len, &q), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(win10_neg_req, win10_neg_req_len, &w);
	assert_int_equal(smb2_negotiate_req_encode(&q, &w), SD_OK);
	assert_int_equal(w.len, win10_neg_req_len);
	assert_memory_equal(out, win10_neg_req, win10_neg_req_len);

	assert_int_equal(smb2_negotiate_rsp_decode(win10_neg_rsp, win10_neg_rsp_len, &r), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(win10_neg_rsp, win10_neg_rsp_len, &w);
	assert_int_equal(smb2_negotiate_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(w.len, win10_neg_rsp_len);
	assert_memory_equal(out, win10_neg_rsp, win10_neg_rsp_len);

	assert_int_equal(smb2_negotiate_req_decode(smb2_neg_req, smb2_neg_req_len, &q), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(smb2_neg_req, smb2_neg_req_len, &w);
	assert_int_equal(smb2_negotiate_req_encode(&q, &w), SD_OK);
	assert_int_equal(w.len, smb2_neg_req_len);
	assert_memory_equal(out, smb2_neg_req, smb2_neg_req_len);

	assert_int_equal(smb2_negotiate_rsp_decode(smb2_neg_rsp, smb2_neg_rsp_len, &r), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(smb2_neg_rsp, smb2_neg_rsp_len, &w);
	assert_int_equal(smb2_negotiate_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(w.len, smb2_neg_rsp_len);
	assert_memory_equal(out, smb2_neg_rsp, smb2_neg_rsp_len);
}

/* Our own (always here): smbclient's 3.1.1 NEGOTIATE and smbd's answer,
 * frames 4 and 6 of tests/scenarios/ok-smb311.pcapng. */
SHARED_VECTOR(samba_neg_req, "tests/scenarios/ok-smb311.pcapng", 4, 4, 0, false)
SHARED_VECTOR(samba_neg_rsp, "tests/scenarios/ok-smb311.pcapng", 6, 4, 0, false)

static void
samba_messages_decode_and_round_trip(void **state)
{
	const struct shared_vec *rq = samba_neg_req_vec(), *rs = samba_neg_rsp_vec();
	uint8_t out[600];
	struct sd_wr w;
	struct smb2_negotiate_req q;
	struct smb2_negotiate_rsp r;

	(void)state;
	assert_int_equal(smb2_negotiate_req_decode(rq->p, rq->len, &q), SD_OK);
	assert_true(q.offers_311);
	assert_int_equal(q.dialects[q.n_dialects - 1], SMB2_DIALECT_311);
	assert_non_null(smb2_negctx_find(&q.ctx, SMB2_PREAUTH_INTEGRITY_CAPABILITIES));
	assert_non_null(smb2_negctx_find(&q.ctx, SMB2_ENCRYPTION_CAPABILITIES));
	assert_int_equal(q.anom.n, 0);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(rq->p, rq->len, &w);
	assert_int_equal(smb2_negotiate_req_encode(&q, &w), SD_OK);
	assert_int_equal(w.len, rq->len);
	assert_memory_equal(out, rq->p, rq->len);

	assert_int_equal(smb2_negotiate_rsp_decode(rs->p, rs->len, &r), SD_OK);
	assert_int_equal(r.dialect, SMB2_DIALECT_311);
	assert_non_null(smb2_negctx_find(&r.ctx, SMB2_PREAUTH_INTEGRITY_CAPABILITIES));
	assert_true(r.max_read_size >= 65536);
	assert_int_equal(r.anom.n, 0);
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_copy_header(rs->p, rs->len, &w);
	assert_int_equal(smb2_negotiate_rsp_encode(&r, &w), SD_OK);
	assert_int_equal(w.len, rs->len);
	assert_memory_equal(out, rs->p, rs->len);
}

static void
every_truncation_fails(void **state)
{
	(void)state;
	smb2_test_every_prefix_fails(win10_neg_req, win10_neg_req_len, dec_req);
	smb2_test_every_prefix_fails(win10_neg_rsp, win10_neg_rsp_len, dec_rsp);
	smb2_test_every_prefix_fails(smb2_neg_req, smb2_neg_req_len, dec_req);
	smb2_test_every_prefix_fails(smb2_neg_rsp, smb2_neg_rsp_len, dec_rsp);
}

static void
encoder_reports_short_buffer(void **state)
{
	uint8_t out[200];
	struct sd_wr w;
	struct smb2_negotiate_req q;
	size_t cap;

	(void)state;
	assert_int_equal(smb2_negotiate_req_decode(win10_neg_req, win10_neg_req_len, &q), SD_OK);
	for (cap = SMB2_HEADER_SIZE; cap < win10_neg_req_len; cap++) {
		sd_wr_init(&w, out, cap);
		smb2_test_copy_header(win10_neg_req, win10_neg_req_len, &w);
		assert_int_equal(smb2_negotiate_req_encode(&q, &w), SD_ERR_NO_SPACE);
	}
	/* A body encoder needs the header written before it. */
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb2_negotiate_req_encode(&q, &w), SD_ERR_INVALID_ARG);
}

/* Copies a real message so that a test can break one field. */
static uint8_t *
mutable_copy(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len);

	assert_non_null(c);
	memcpy(c, p, len);
	return c;
}

static void
malformed_requests_fail(void **state)
{
	struct smb2_negotiate_req r;
	uint8_t *m;
	const size_t n = win10_neg_req_len;

	(void)state;
	m = mutable_copy(win10_neg_req, n);
	m[64] = 37;
	assert_int_equal(smb2_negotiate_req_decode(m, n, &r), SD_ERR_STRUCTURE_SIZE);
	memcpy(m, win10_neg_req, n);
	m[66] = 40; /* DialectCount past the end */
	assert_int_equal(smb2_negotiate_req_decode(m, n, &r), SD_ERR_TRUNCATED);
	memcpy(m, win10_neg_req, n);
	sd_store_u32le(m + 64 + 28, 0x1000); /* NegotiateContextOffset */
	assert_int_equal(smb2_negotiate_req_decode(m, n, &r), SD_ERR_BAD_OFFSET);
	memcpy(m, win10_neg_req, n);
	sd_store_u16le(m + 0x70 + 2, 200); /* first context DataLength */
	assert_int_equal(smb2_negotiate_req_decode(m, n, &r), SD_ERR_TRUNCATED);
	memcpy(m, win10_neg_req, n);
	sd_store_u16le(m + 0x70 + 8, 30); /* HashAlgorithmCount vs DataLength */
	assert_int_equal(smb2_negotiate_req_decode(m, n, &r), SD_ERR_MALFORMED);
	memcpy(m, win10_neg_req, n);
	sd_store_u16le(m + 0xa0 + 8, 9); /* CipherCount vs DataLength */
	assert_int_equal(smb2_negotiate_req_decode(m, n, &r), SD_ERR_MALFORMED);
	free(m);
}

static void
anomalies_are_reported(void **state)
{
	struct smb2_negotiate_req r;
	uint8_t *m;
	const size_t n = win10_neg_req_len;

	(void)state;
	m = mutable_copy(win10_neg_req, n);
	sd_store_u16le(m + 0xa0, 0x0042); /* unknown context type */
	assert_int_equal(smb2_negotiate_req_decode(m, n, &r), SD_OK);
	assert_true(smb2_test_has_anom(&r.anom, SD_ANOM_UNKNOWN_CONTEXT));
	assert_false(r.ctx.ctx[1].known);
	assert_int_equal(r.ctx.ctx[1].data_len, 6);
	assert_ptr_equal(r.ctx.ctx[1].data, m + 0xa8);
	sd_store_u16le(m + 0xa0, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
	sd_store_u16le(m + 0xa2, 4); /* duplicate preauth, 4 bytes of data */
	sd_store_u16le(m + 0xa8, 0);
	sd_store_u16le(m + 0xaa, 0);
	assert_int_equal(smb2_negotiate_req_decode(m, n - 2, &r), SD_OK);
	assert_true(smb2_test_has_anom(&r.anom, SD_ANOM_DUPLICATE_CONTEXT));
	memcpy(m, win10_neg_req, n);
	m[0x70 + 4] = 1; /* context Reserved */
	m[0x9e] = 0xAA;  /* alignment padding */
	assert_int_equal(smb2_negotiate_req_decode(m, n, &r), SD_OK);
	assert_true(smb2_test_has_anom(&r.anom, SD_ANOM_RESERVED_NONZERO));
	assert_true(smb2_test_has_anom(&r.anom, SD_ANOM_PADDING_NONZERO));
	free(m);

	/* Without 0x0311, bytes 28..35 are ClientStartTime and must be zero. */
	m = mutable_copy(smb2_neg_req, smb2_neg_req_len);
	m[64 + 30] = 5;
	assert_int_equal(smb2_negotiate_req_decode(m, smb2_neg_req_len, &r), SD_OK);
	assert_false(r.offers_311);
	assert_int_equal(r.client_start_time, 5ull << 16);
	assert_int_equal(r.negctx_offset, 0);
	assert_true(smb2_test_has_anom(&r.anom, SD_ANOM_RESERVED_NONZERO));
	assert_int_equal(r.anom.a[0].offset, 64 + 28);
	m[101] = 0x07; /* dialect 0x0702 */
	assert_int_equal(smb2_negotiate_req_decode(m, smb2_neg_req_len, &r), SD_OK);
	assert_true(smb2_test_has_anom(&r.anom, SD_ANOM_UNKNOWN_DIALECT));
	free(m);
}

static void
response_malformed_and_reserved(void **state)
{
	struct smb2_negotiate_rsp r;
	uint8_t *m;
	const size_t n = smb2_neg_rsp_len;

	(void)state;
	m = mutable_copy(smb2_neg_rsp, n);
	sd_store_u16le(m + 64 + 58, 109); /* SecurityBufferLength */
	assert_int_equal(smb2_negotiate_rsp_decode(m, n, &r), SD_ERR_BAD_OFFSET);
	memcpy(m, smb2_neg_rsp, n);
	sd_store_u16le(m + 64 + 56, 64); /* buffer starts inside the body */
	assert_int_equal(smb2_negotiate_rsp_decode(m, n, &r), SD_OK);
	assert_true(smb2_test_has_anom(&r.anom, SD_ANOM_OVERLAP));
	memcpy(m, smb2_neg_rsp, n);
	sd_store_u32le(m + 64 + 60, 0x1234); /* Reserved2 for 2.0.2 */
	assert_int_equal(smb2_negotiate_rsp_decode(m, n, &r), SD_OK);
	assert_true(smb2_test_has_anom(&r.anom, SD_ANOM_RESERVED_NONZERO));
	free(m);
}

/* A request with every context type (and an unknown one) survives an
 * encode -> decode round trip. */
static void
all_context_types_round_trip(void **state)
{
	static const uint8_t salt[4] = {1, 2, 3, 4};
	static const uint8_t netname[] = {'f', 0, 's', 0, '1', 0};
	static const uint8_t raw[3] = {9, 8, 7};
	struct smb2_negotiate_req q, d;
	struct smb2_negctx *c;
	uint8_t out[512];
	struct sd_wr w;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.n_dialects = 2;
	q.dialects[0] = SMB2_DIALECT_300;
	q.dialects[1] = SMB2_DIALECT_311;
	q.security_mode = SMB2_NEGOTIATE_SIGNING_REQUIRED;
	q.capabilities = SMB2_GLOBAL_CAP_ENCRYPTION;
	memset(q.client_guid, 0x5A, sizeof(q.client_guid));
	c = q.ctx.ctx;
	c[0].type = SMB2_PREAUTH_INTEGRITY_CAPABILITIES;
	c[0].known = true;
	c[0].u.preauth.n_hash_ids = 1;
	c[0].u.preauth.hash_ids[0] = SMB2_PREAUTH_INTEGRITY_SHA512;
	c[0].u.preauth.salt_len = sizeof(salt);
	c[0].u.preauth.salt = salt;
	c[1].type = SMB2_ENCRYPTION_CAPABILITIES;
	c[1].known = true;
	c[1].u.encryption.n_ids = 4;
	c[1].u.encryption.ids[0] = SMB2_ENCRYPTION_AES256_GCM;
	c[1].u.encryption.ids[1] = SMB2_ENCRYPTION_AES128_GCM;
	c[1].u.encryption.ids[2] = SMB2_ENCRYPTION_AES256_CCM;
	c[1].u.encryption.ids[3] = SMB2_ENCRYPTION_AES128_CCM;
	c[2].type = SMB2_COMPRESSION_CAPABILITIES;
	c[2].known = true;
	c[2].u.compression.n_algs = 2;
	c[2].u.compression.flags = SMB2_COMPRESSION_CAPABILITIES_FLAG_CHAINED;
	c[2].u.compression.algs[0] = SMB2_COMPRESSION_LZ77;
	c[2].u.compression.algs[1] = SMB2_COMPRESSION_PATTERN_V1;
	c[3].type = SMB2_NETNAME_NEGOTIATE_CONTEXT_ID;
	c[3].known = true;
	c[3].u.netname.name = netname;
	c[3].u.netname.name_len = sizeof(netname);
	c[4].type = SMB2_TRANSPORT_CAPABILITIES;
	c[4].known = true;
	c[4].u.transport.flags = SMB2_ACCEPT_TRANSPORT_LEVEL_SECURITY;
	c[5].type = SMB2_RDMA_TRANSFORM_CAPABILITIES;
	c[5].known = true;
	c[5].u.rdma.n_ids = 2;
	c[5].u.rdma.ids[0] = SMB2_RDMA_TRANSFORM_ENCRYPTION;
	c[5].u.rdma.ids[1] = SMB2_RDMA_TRANSFORM_SIGNING;
	c[6].type = SMB2_SIGNING_CAPABILITIES;
	c[6].known = true;
	c[6].u.signing.n_ids = 3;
	c[6].u.signing.ids[0] = SMB2_SIGNING_AES_GMAC;
	c[6].u.signing.ids[1] = SMB2_SIGNING_AES_CMAC;
	c[6].u.signing.ids[2] = SMB2_SIGNING_HMAC_SHA256;
	c[7].type = 0x0042;
	c[7].data = raw;
	c[7].data_len = sizeof(raw);
	q.ctx.n = 8;

	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_NEGOTIATE, false, 0);
	assert_int_equal(smb2_negotiate_req_encode(&q, &w), SD_OK);
	assert_int_equal(smb2_negotiate_req_decode(out, w.len, &d), SD_OK);
	assert_true(d.offers_311);
	assert_int_equal(d.negctx_count, 8);
	assert_int_equal(d.negctx_offset % 8, 0);
	assert_int_equal(d.ctx.n, 8);
	assert_int_equal(d.anom.n, 1); /* the unknown context */
	assert_int_equal(d.anom.a[0].code, SD_ANOM_UNKNOWN_CONTEXT);
	assert_memory_equal(d.ctx.ctx[0].u.preauth.salt, salt, sizeof(salt));
	assert_int_equal(d.ctx.ctx[1].u.encryption.ids[0], SMB2_ENCRYPTION_AES256_GCM);
	assert_int_equal(d.ctx.ctx[1].u.encryption.n_ids, 4);
	assert_int_equal(d.ctx.ctx[2].u.compression.flags, SMB2_COMPRESSION_CAPABILITIES_FLAG_CHAINED);
	assert_int_equal(d.ctx.ctx[2].u.compression.algs[1], SMB2_COMPRESSION_PATTERN_V1);
	assert_int_equal(d.ctx.ctx[3].u.netname.name_len, sizeof(netname));
	assert_memory_equal(d.ctx.ctx[3].u.netname.name, netname, sizeof(netname));
	assert_int_equal(d.ctx.ctx[4].u.transport.flags, SMB2_ACCEPT_TRANSPORT_LEVEL_SECURITY);
	assert_int_equal(d.ctx.ctx[5].u.rdma.ids[1], SMB2_RDMA_TRANSFORM_SIGNING);
	assert_int_equal(d.ctx.ctx[6].u.signing.n_ids, 3);
	assert_int_equal(d.ctx.ctx[6].u.signing.ids[0], SMB2_SIGNING_AES_GMAC);
	assert_false(d.ctx.ctx[7].known);
	assert_memory_equal(d.ctx.ctx[7].data, raw, sizeof(raw));
	smb2_test_every_prefix_fails(out, w.len, dec_req);
}

static void
long_dialect_lists_are_capped(void **state)
{
	struct smb2_negotiate_req q, d;
	uint8_t out[256];
	struct sd_wr w;
	size_t i;

	(void)state;
	memset(&q, 0, sizeof(q));
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_NEGOTIATE, false, 0);
	q.n_dialects = SMB2_MAX_DIALECTS;
	for (i = 0; i < SMB2_MAX_DIALECTS; i++)
		q.dialects[i] = SMB2_DIALECT_202;
	assert_int_equal(smb2_negotiate_req_encode(&q, &w), SD_OK);
	/* Append four more dialects, the last being 3.1.1, by hand. */
	sd_wr_u16le(&w, SMB2_DIALECT_210);
	sd_wr_u16le(&w, SMB2_DIALECT_300);
	sd_wr_u16le(&w, SMB2_DIALECT_302);
	sd_wr_u16le(&w, SMB2_DIALECT_311);
	sd_wr_put_u16le_at(&w, 64 + 2, SMB2_MAX_DIALECTS + 4);
	assert_int_equal(smb2_negotiate_req_decode(out, w.len, &d), SD_OK);
	assert_int_equal(d.n_dialects, SMB2_MAX_DIALECTS);
	assert_int_equal(d.dialect_count, SMB2_MAX_DIALECTS + 4);
	assert_true(d.offers_311);
	assert_true(smb2_test_has_anom(&d.anom, SD_ANOM_ITEMS_DROPPED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(windows10_request_decodes),
		cmocka_unit_test(windows10_response_decodes),
		cmocka_unit_test(smb2x_messages_decode),
		cmocka_unit_test(samba_messages_decode_and_round_trip),
		cmocka_unit_test(real_messages_round_trip),
		cmocka_unit_test(every_truncation_fails),
		cmocka_unit_test(encoder_reports_short_buffer),
		cmocka_unit_test(malformed_requests_fail),
		cmocka_unit_test(anomalies_are_reported),
		cmocka_unit_test(response_malformed_and_reserved),
		cmocka_unit_test(all_context_types_round_trip),
		cmocka_unit_test(long_dialect_lists_are_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
