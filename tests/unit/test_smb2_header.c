#include "smb2_test_util.h"

#include "shared_vectors.h"

/* Real PDUs (NetBIOS framing removed): a related CREATE + QUERY_INFO + CLOSE
 * compound and its response (suricata-verify smb2-delete frames 27, 28), an
 * encrypted 3.0 message (zeek smb3.pcap frame 9) and the SMBGhost
 * compressed message (pcap-attack CVE-2020-0796 frame 8). */
SHARED_VECTOR(compound_req, "suricata-verify-smb2-delete-input.pcap", 27, 4, 0, false)
#define compound_req (compound_req_vec()->p)
#define compound_req_len (compound_req_vec()->len)

SHARED_VECTOR(compound_rsp, "suricata-verify-smb2-delete-input.pcap", 28, 4, 0, false)
#define compound_rsp (compound_rsp_vec()->p)
#define compound_rsp_len (compound_rsp_vec()->len)

SHARED_VECTOR(transform_msg, "suricata-verify-smb3-02-midstream-input.pcap", 1, 4, 0, false)
#define transform_msg (transform_msg_vec()->p)
#define transform_msg_len (transform_msg_vec()->len)

SHARED_VECTOR(compressed_msg, "pcap-attack-CVE-2020-0796_SMBGhost_PrivEsc_Loopback_traffic.pcapng", 8, 4, 0, false)
#define compressed_msg (compressed_msg_vec()->p)
#define compressed_msg_len (compressed_msg_vec()->len)
static enum sd_err
dec_header(const uint8_t *p, size_t len)
{
	struct smb2_header h;

	return smb2_header_decode(p, len, &h);
}

static enum sd_err
dec_transform(const uint8_t *p, size_t len)
{
	struct smb2_transform_header t;

	return smb2_transform_decode(p, len, &t);
}

static enum sd_err
dec_compression(const uint8_t *p, size_t len)
{
	struct smb2_compression_header c;

	return smb2_compression_decode(p, len, &c);
}

/* Walks a whole PDU; any element error counts as failure. */
static enum sd_err
dec_compound(const uint8_t *p, size_t len)
{
	struct smb2_compound_iter it;
	struct smb2_compound_elem e;
	enum sd_err err;

	smb2_compound_init(&it, p, len);
	while ((err = smb2_compound_next(&it, &e)) == SD_OK)
		;
	return err == SD_ERR_NOT_FOUND ? SD_OK : err;
}

static void
sync_header_decodes_and_round_trips(void **state)
{
	struct smb2_header h;
	uint8_t out[64];
	struct sd_wr w;

	(void)state;
	assert_int_equal(smb2_header_decode(compound_req, compound_req_len, &h), SD_OK);
	assert_int_equal(h.command, SMB2_CREATE);
	assert_false(smb2_header_is_response(&h));
	assert_false(smb2_header_is_async(&h));
	assert_int_equal(h.next_command, sd_load_u32le(compound_req + 20));
	assert_int_equal(h.tree_id, sd_load_u32le(compound_req + 36));
	assert_int_equal(h.session_id, sd_load_u64le(compound_req + 40));
	assert_int_equal(h.anom.n, 0);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb2_header_encode(&h, &w), SD_OK);
	assert_memory_equal(out, compound_req, 64);
	smb2_test_every_prefix_fails(compound_req, 64, dec_header);
}

static void
async_header_round_trips(void **state)
{
	struct smb2_header h, d;
	uint8_t out[64];
	struct sd_wr w;
	size_t i;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.command = SMB2_IOCTL;
	h.status = 0x00000103; /* STATUS_PENDING */
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND | SMB2_FLAGS_SIGNED;
	h.message_id = 0x1122334455667788ull;
	h.async_id = 0x0102030405060708ull;
	h.session_id = 0xAABBCCDDEEFF0011ull;
	h.credit_charge = 3;
	h.credits = 9;
	for (i = 0; i < sizeof(h.signature); i++)
		h.signature[i] = (uint8_t)i;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb2_header_encode(&h, &w), SD_OK);
	assert_int_equal(w.len, 64);
	assert_int_equal(sd_load_u64le(out + 32), h.async_id);
	assert_int_equal(smb2_header_decode(out, w.len, &d), SD_OK);
	assert_true(smb2_header_is_async(&d));
	assert_true(smb2_header_is_response(&d));
	assert_int_equal(d.async_id, h.async_id);
	assert_int_equal(d.tree_id, 0);
	assert_int_equal(d.status, h.status);
	assert_int_equal(d.credit_charge, 3);
	assert_int_equal(d.credits, 9);
	assert_memory_equal(d.signature, h.signature, 16);
	/* A request's Status field is ChannelSequence + Reserved. */
	d.status = 0x00000005;
	assert_int_equal(smb2_header_channel_sequence(&d), 5);
	sd_wr_init(&w, out, 63);
	assert_int_equal(smb2_header_encode(&h, &w), SD_ERR_NO_SPACE);
}

static void
malformed_headers_fail(void **state)
{
	uint8_t m[64];
	struct smb2_header h;

	(void)state;
	memcpy(m, compound_req, 64);
	m[0] = 0xFF; /* SMB1 */
	assert_int_equal(smb2_header_decode(m, 64, &h), SD_ERR_PROTOCOL_ID);
	m[0] = 0xFD; /* a transform header is not an SMB2 header */
	assert_int_equal(smb2_header_decode(m, 64, &h), SD_ERR_PROTOCOL_ID);
	memcpy(m, compound_req, 64);
	m[4] = 65;
	assert_int_equal(smb2_header_decode(m, 64, &h), SD_ERR_STRUCTURE_SIZE);
	memcpy(m, compound_req, 64);
	sd_store_u16le(m + 12, 0x0099);
	assert_int_equal(smb2_header_decode(m, 64, &h), SD_OK);
	assert_true(smb2_test_has_anom(&h.anom, SD_ANOM_UNKNOWN_COMMAND));
	sd_store_u16le(m + 12, SMB2_NEGOTIATE);
	sd_store_u32le(m + 16, SMB2_FLAGS_SIGNED);
	assert_int_equal(smb2_header_decode(m, 64, &h), SD_OK);
	assert_true(smb2_test_has_anom(&h.anom, SD_ANOM_SIGNED_NEGOTIATE));
	assert_int_equal(smb2_header_decode(NULL, 0, &h), SD_ERR_TRUNCATED);
}

static void
real_compounds_iterate(void **state)
{
	struct smb2_compound_iter it;
	struct smb2_compound_elem e;
	static const uint16_t cmds[3] = {SMB2_CREATE, SMB2_QUERY_INFO, SMB2_CLOSE};
	size_t total = 0;
	unsigned i;

	(void)state;
	smb2_compound_init(&it, compound_req, compound_req_len);
	for (i = 0; i < 3; i++) {
		assert_int_equal(smb2_compound_next(&it, &e), SD_OK);
		assert_int_equal(e.index, i);
		assert_int_equal(e.off, total);
		assert_int_equal(sd_load_u16le(e.msg + 12), cmds[i]);
		assert_int_equal(e.related, i > 0);
		assert_int_equal(e.last, i == 2);
		assert_int_equal(e.off % 8, 0);
		total += e.len;
	}
	assert_int_equal(total, compound_req_len);
	assert_int_equal(smb2_compound_next(&it, &e), SD_ERR_NOT_FOUND);
	assert_int_equal(smb2_compound_next(&it, &e), SD_ERR_NOT_FOUND);
	assert_int_equal(it.anom.n, 0);
	assert_int_equal(dec_compound(compound_rsp, compound_rsp_len), SD_OK);
	/* Any cut inside the chain breaks some element. */
	smb2_test_every_prefix_safe(compound_req, compound_req_len, dec_compound);
	smb2_test_every_prefix_safe(compound_rsp, compound_rsp_len, dec_compound);
}

static void
broken_next_command_fails_that_element(void **state)
{
	struct smb2_compound_iter it;
	struct smb2_compound_elem e;
	uint8_t *m = malloc(compound_req_len);
	uint32_t first;

	(void)state;
	assert_non_null(m);
	memcpy(m, compound_req, compound_req_len);
	first = sd_load_u32le(m + 20);
	sd_store_u32le(m + 20, 32); /* shorter than a header */
	smb2_compound_init(&it, m, compound_req_len);
	assert_int_equal(smb2_compound_next(&it, &e), SD_ERR_MALFORMED);
	assert_int_equal(smb2_compound_next(&it, &e), SD_ERR_NOT_FOUND);

	sd_store_u32le(m + 20, (uint32_t)compound_req_len + 8); /* past the end */
	smb2_compound_init(&it, m, compound_req_len);
	assert_int_equal(smb2_compound_next(&it, &e), SD_ERR_BAD_OFFSET);

	sd_store_u32le(m + 20, (uint32_t)compound_req_len); /* promises one more */
	smb2_compound_init(&it, m, compound_req_len);
	assert_int_equal(smb2_compound_next(&it, &e), SD_OK);
	assert_false(e.last);
	assert_int_equal(smb2_compound_next(&it, &e), SD_ERR_TRUNCATED);

	sd_store_u32le(m + 20, first - 4); /* misaligned: next element is not FE SMB */
	smb2_compound_init(&it, m, compound_req_len);
	assert_int_equal(smb2_compound_next(&it, &e), SD_OK);
	assert_true(smb2_test_has_anom(&it.anom, SD_ANOM_MISALIGNED));
	assert_int_equal(smb2_compound_next(&it, &e), SD_ERR_PROTOCOL_ID);
	free(m);
}

static void
misaligned_but_valid_chain_is_an_anomaly(void **state)
{
	uint8_t out[256];
	struct sd_wr w;
	struct smb2_compound_iter it;
	struct smb2_compound_elem e;

	(void)state;
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_ECHO, false, 0);
	assert_int_equal(smb2_empty_body_encode(&w), SD_OK);
	sd_wr_u8(&w, 0); /* 69 bytes: NextCommand not a multiple of 8 */
	sd_wr_put_u32le_at(&w, 20, (uint32_t)w.len);
	smb2_test_header(&w, SMB2_ECHO, false, 0);
	assert_int_equal(smb2_empty_body_encode(&w), SD_OK);
	smb2_compound_init(&it, out, w.len);
	assert_int_equal(smb2_compound_next(&it, &e), SD_OK);
	assert_int_equal(e.len, 69);
	assert_int_equal(smb2_compound_next(&it, &e), SD_OK);
	assert_int_equal(e.off, 69);
	assert_true(e.last);
	assert_true(smb2_test_has_anom(&it.anom, SD_ANOM_MISALIGNED));
	assert_int_equal(it.anom.a[0].offset, 20);
}

static void
compound_link_builds_a_chain(void **state)
{
	uint8_t out[512];
	struct sd_wr w;
	struct smb2_compound_iter it;
	struct smb2_compound_elem e;
	struct smb2_message m;
	size_t prev;
	unsigned n = 0;

	(void)state;
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_LOGOFF, false, 0);
	assert_int_equal(smb2_empty_body_encode(&w), SD_OK);
	prev = 0;
	assert_int_equal(smb2_compound_link(&w, prev), SD_OK);
	prev = w.len;
	smb2_test_header(&w, SMB2_ECHO, false, 0);
	assert_int_equal(smb2_empty_body_encode(&w), SD_OK);
	assert_int_equal(smb2_compound_link(&w, prev), SD_OK);
	smb2_test_header(&w, SMB2_TREE_DISCONNECT, false, 0);
	assert_int_equal(smb2_empty_body_encode(&w), SD_OK);
	smb2_compound_init(&it, out, w.len);
	while (smb2_compound_next(&it, &e) == SD_OK) {
		assert_int_equal(smb2_message_decode(e.msg, e.len, &m), SD_OK);
		assert_int_equal(m.kind, SMB2_BODY_EMPTY);
		assert_int_equal(m.body.empty.anom.n, 0); /* zero padding is fine */
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(it.anom.n, 0);
	assert_int_equal(smb2_compound_link(&w, w.len), SD_ERR_INVALID_ARG);
}

static void
transform_header_decodes(void **state)
{
	struct smb2_transform_header t, d;
	uint8_t out[64];
	struct sd_wr w;

	(void)state;
	assert_int_equal(smb2_transform_decode(transform_msg, transform_msg_len, &t), SD_OK);
	assert_int_equal(t.flags, SMB2_TRANSFORM_FLAG_ENCRYPTED);
	assert_int_equal(t.session_id, 0x48009400003dull);
	assert_int_equal(t.payload_len, transform_msg_len - 52);
	assert_int_equal(t.original_message_size, t.payload_len);
	assert_ptr_equal(t.payload, transform_msg + 52);
	assert_int_equal(t.anom.n, 0);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb2_transform_encode(&t, &w), SD_OK);
	assert_int_equal(w.len, 52);
	assert_memory_equal(out, transform_msg, 52);
	assert_int_equal(smb2_transform_decode(out, 52, &d), SD_OK);
	assert_true(smb2_test_has_anom(&d.anom, SD_ANOM_LENGTH_MISMATCH));
	assert_null(d.payload);
	smb2_test_every_prefix_safe(transform_msg, transform_msg_len, dec_transform);
	smb2_test_every_prefix_fails(transform_msg, 52, dec_transform);
	assert_int_equal(smb2_transform_decode(compound_req, compound_req_len, &d), SD_ERR_PROTOCOL_ID);
	out[40] = 1; /* Reserved */
	assert_int_equal(smb2_transform_decode(out, 52, &d), SD_OK);
	assert_true(smb2_test_has_anom(&d.anom, SD_ANOM_RESERVED_NONZERO));
}

static void
unchained_compression_decodes(void **state)
{
	struct smb2_compression_header c, d;
	uint8_t out[64];
	struct sd_wr w;

	(void)state;
	assert_int_equal(smb2_compression_decode(compressed_msg, compressed_msg_len, &c), SD_OK);
	assert_false(c.chained);
	assert_int_equal(c.original_size, 0xFFFFFFFFu); /* the exploit's overflow */
	assert_int_equal(c.algorithm, SMB2_COMPRESSION_LZ77);
	assert_int_equal(c.offset, 16);
	assert_ptr_equal(c.uncompressed, compressed_msg + 16);
	assert_int_equal(c.compressed_len, compressed_msg_len - 32);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb2_compression_encode(&c, &w), SD_OK);
	assert_int_equal(w.len, compressed_msg_len);
	assert_memory_equal(out, compressed_msg, compressed_msg_len);
	sd_store_u32le(out + 12, 100); /* Offset past the end */
	assert_int_equal(smb2_compression_decode(out, w.len, &d), SD_ERR_BAD_OFFSET);
	smb2_test_every_prefix_safe(compressed_msg, compressed_msg_len, dec_compression);
	smb2_test_every_prefix_fails(compressed_msg, 16, dec_compression);
}

static void
chained_compression_round_trips(void **state)
{
	static const uint8_t plain[5] = {'h', 'e', 'l', 'l', 'o'};
	static const uint8_t lz[6] = {1, 2, 3, 4, 5, 6};
	static const uint8_t pattern[8] = {0x00, 0, 0, 0, 0x10, 0, 0, 0};
	struct smb2_compression_header c, d;
	uint8_t out[128];
	struct sd_wr w;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.chained = true;
	c.original_size = 5 + 100 + 16;
	c.n_payloads = 3;
	c.payloads[0].algorithm = SMB2_COMPRESSION_NONE;
	c.payloads[0].data = plain;
	c.payloads[0].data_len = sizeof(plain);
	c.payloads[1].algorithm = SMB2_COMPRESSION_LZ4;
	c.payloads[1].has_original_size = true;
	c.payloads[1].original_size = 100;
	c.payloads[1].data = lz;
	c.payloads[1].data_len = sizeof(lz);
	c.payloads[2].algorithm = SMB2_COMPRESSION_PATTERN_V1;
	c.payloads[2].data = pattern;
	c.payloads[2].data_len = sizeof(pattern);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(smb2_compression_encode(&c, &w), SD_OK);
	assert_int_equal(w.len, 8 + 8 + 5 + 8 + 4 + 6 + 8 + 8);
	assert_int_equal(smb2_compression_decode(out, w.len, &d), SD_OK);
	assert_true(d.chained);
	assert_int_equal(d.original_size, c.original_size);
	assert_int_equal(d.n_payloads, 3);
	assert_int_equal(d.payloads[0].flags, SMB2_COMPRESSION_FLAG_CHAINED);
	assert_memory_equal(d.payloads[0].data, plain, sizeof(plain));
	assert_true(d.payloads[1].has_original_size);
	assert_int_equal(d.payloads[1].original_size, 100);
	assert_int_equal(d.payloads[1].data_len, sizeof(lz));
	assert_memory_equal(d.payloads[1].data, lz, sizeof(lz));
	assert_false(d.payloads[2].has_original_size);
	assert_int_equal(d.payloads[2].data_len, 8);
	smb2_test_every_prefix_safe(out, w.len, dec_compression);
	/* A payload Length past the end fails. */
	sd_store_u32le(out + 12, 200);
	assert_int_equal(smb2_compression_decode(out, w.len, &d), SD_ERR_TRUNCATED);
}

static void
message_dispatch_picks_bodies(void **state)
{
	uint8_t out[128];
	struct sd_wr w;
	struct smb2_message m;
	struct smb2_error_rsp er;

	(void)state;
	memset(&er, 0, sizeof(er));
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_TREE_CONNECT, true, 0xC00000CCu);
	assert_int_equal(smb2_error_rsp_encode(&er, &w), SD_OK);
	assert_int_equal(smb2_message_decode(out, w.len, &m), SD_OK);
	assert_int_equal(m.kind, SMB2_BODY_ERROR);
	assert_int_equal(m.hdr.status, 0xC00000CCu);
	/* SESSION_SETUP + MORE_PROCESSING_REQUIRED is a real response body. */
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_SESSION_SETUP, true, 0xC0000016u);
	{
		struct smb2_session_setup_rsp r;

		memset(&r, 0, sizeof(r));
		assert_int_equal(smb2_session_setup_rsp_encode(&r, &w), SD_OK);
	}
	assert_int_equal(smb2_message_decode(out, w.len, &m), SD_OK);
	assert_int_equal(m.kind, SMB2_BODY_SESSION_SETUP_RSP);
	/* Unknown commands keep only the header. */
	sd_wr_init(&w, out, sizeof(out));
	smb2_test_header(&w, SMB2_READ, false, 0);
	assert_int_equal(smb2_message_decode(out, w.len, &m), SD_OK);
	assert_int_equal(m.kind, SMB2_BODY_NONE);
	assert_int_equal(smb2_message_decode(out, 10, &m), SD_ERR_TRUNCATED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sync_header_decodes_and_round_trips),
		cmocka_unit_test(async_header_round_trips),
		cmocka_unit_test(malformed_headers_fail),
		cmocka_unit_test(real_compounds_iterate),
		cmocka_unit_test(broken_next_command_fails_that_element),
		cmocka_unit_test(misaligned_but_valid_chain_is_an_anomaly),
		cmocka_unit_test(compound_link_builds_a_chain),
		cmocka_unit_test(transform_header_decodes),
		cmocka_unit_test(unchained_compression_decodes),
		cmocka_unit_test(chained_compression_round_trips),
		cmocka_unit_test(message_dispatch_picks_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
