/* DCE/RPC connection-oriented PDUs (dcerpc.h). */
#include "smb2_test_util.h"

#include "core/wire/dcerpc.h"
#include "core/wire/smb2_file.h"
#include "pipe_vectors.h"

static enum sd_err
dec_pdu(const uint8_t *p, size_t len)
{
	struct dcerpc_pdu pdu;

	return dcerpc_pdu_decode(p, len, &pdu);
}

/* The IOCTL input (requests) or output (answers) of a real transceive. */
static void
ioctl_payload(const uint8_t *msg, size_t len, bool response, const uint8_t **p, size_t *n)
{
	if (response) {
		struct smb2_ioctl_rsp r;

		assert_int_equal(smb2_ioctl_rsp_decode(msg, len, &r), SD_OK);
		*p = r.output;
		*n = r.output_count;
	} else {
		struct smb2_ioctl_req q;

		assert_int_equal(smb2_ioctl_req_decode(msg, len, &q), SD_OK);
		*p = q.input;
		*n = q.input_count;
	}
}

/* Decode, check the whole fragment was used, encode again byte for byte,
 * and fail on every cut. */
static void
round_trip_exact(const uint8_t *p, size_t n, struct dcerpc_pdu *pdu)
{
	uint8_t out[4096];
	struct sd_wr w;

	assert_int_equal(dcerpc_pdu_decode(p, n, pdu), SD_OK);
	assert_int_equal(pdu->hdr.frag_len, n);
	assert_int_equal(pdu->anom.n, 0);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(dcerpc_pdu_encode(pdu, &w), SD_OK);
	assert_int_equal(w.len, n);
	assert_memory_equal(out, p, n);
	smb2_test_every_prefix_fails(p, n, dec_pdu);
}

static void
real_bind_and_ack(void **state)
{
	struct dcerpc_pdu pdu;
	const uint8_t *p;
	size_t n;

	(void)state;
	ioctl_payload(v_ioctl_bind_req, sizeof(v_ioctl_bind_req), false, &p, &n);
	round_trip_exact(p, n, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_BIND);
	assert_int_equal(pdu.hdr.pfc_flags, DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG);
	assert_int_equal(pdu.u.bind.n_ctx, 1);
	assert_true(dcerpc_syntax_equal(&pdu.u.bind.ctx[0].abstract, &dcerpc_syntax_srvsvc));
	assert_int_equal(pdu.u.bind.ctx[0].n_transfer, 1);
	assert_true(dcerpc_syntax_equal(&pdu.u.bind.ctx[0].transfer[0], &dcerpc_syntax_ndr));

	ioctl_payload(v_ioctl_bind_rsp, sizeof(v_ioctl_bind_rsp), true, &p, &n);
	round_trip_exact(p, n, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_BIND_ACK);
	assert_int_equal(pdu.u.bind_ack.sec_addr_len, 13);
	assert_memory_equal(pdu.u.bind_ack.sec_addr, "\\pipe\\srvsvc", 13);
	assert_int_equal(pdu.u.bind_ack.n_results, 1);
	assert_int_equal(pdu.u.bind_ack.results[0].result, DCERPC_RESULT_ACCEPTANCE);
	assert_true(dcerpc_syntax_equal(&pdu.u.bind_ack.results[0].transfer, &dcerpc_syntax_ndr));

	/* The same over WRITE / READ (zeek smb2.pcap) and over TCP. */
	{
		struct smb2_write_req wq;
		struct smb2_read_rsp rr;

		assert_int_equal(smb2_write_req_decode(v_write_req, v_write_req_len, &wq), SD_OK);
		round_trip_exact(wq.data, wq.length, &pdu);
		assert_int_equal(pdu.hdr.ptype, DCERPC_BIND);
		assert_int_equal(smb2_read_rsp_decode(v_read_rsp, v_read_rsp_len, &rr), SD_OK);
		round_trip_exact(rr.data, rr.data_len, &pdu);
		assert_int_equal(pdu.hdr.ptype, DCERPC_BIND_ACK);
	}
	round_trip_exact(v_bind_ack_tcp, v_bind_ack_tcp_len, &pdu);
	assert_int_equal(pdu.u.bind_ack.sec_addr_len, 4);
	assert_memory_equal(pdu.u.bind_ack.sec_addr, "135", 4);
}

static void
real_request_response_fault(void **state)
{
	struct dcerpc_pdu pdu;
	const uint8_t *p;
	size_t n;

	(void)state;
	ioctl_payload(v_ioctl_enum_req, sizeof(v_ioctl_enum_req), false, &p, &n);
	round_trip_exact(p, n, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_REQUEST);
	assert_int_equal(pdu.u.request.opnum, 15);
	assert_int_equal(pdu.u.request.stub_len, n - 24);
	assert_int_equal(pdu.u.request.alloc_hint, pdu.u.request.stub_len);
	assert_false(pdu.u.request.has_object);

	ioctl_payload(v_ioctl_enum_rsp, sizeof(v_ioctl_enum_rsp), true, &p, &n);
	round_trip_exact(p, n, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_RESPONSE);
	assert_int_equal(pdu.hdr.call_id, 2);
	assert_int_equal(pdu.u.response.stub_len, n - 24);

	round_trip_exact(v_fault, v_fault_len, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_FAULT);
	assert_true(pdu.hdr.pfc_flags & DCERPC_PFC_DID_NOT_EXECUTE);
	assert_int_equal(pdu.u.fault.status, DCERPC_NCA_S_OP_RNG_ERROR);
	assert_string_equal(dcerpc_fault_name(pdu.u.fault.status), "nca_s_op_rng_error");
}

/* A RESPONSE fragment of 4280 bytes that the transceive could not hold
 * (STATUS_BUFFER_OVERFLOW, 1024 bytes) and a READ completed (3256 bytes):
 * the first, not last, fragment of a longer answer. */
static void
fragments_reassemble(void **state)
{
	static uint8_t whole[8192];
	struct smb2_ioctl_rsp io;
	struct smb2_read_rsp rr;
	struct dcerpc_pdu pdu, last;
	struct dcerpc_hdr h;
	struct dcerpc_reasm ra;
	uint8_t buf[8192], frag[64], stub2[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct sd_wr w;

	(void)state;
	assert_int_equal(smb2_ioctl_rsp_decode(v_ioctl_overflow_rsp, v_ioctl_overflow_rsp_len, &io), SD_OK);
	assert_int_equal(smb2_read_rsp_decode(v_read_rsp_frag, v_read_rsp_frag_len, &rr), SD_OK);
	assert_int_equal(dcerpc_hdr_decode(io.output, io.output_count, &h), SD_OK);
	assert_int_equal(h.frag_len, io.output_count + rr.data_len);
	assert_int_equal(dcerpc_pdu_decode(io.output, io.output_count, &pdu), SD_ERR_TRUNCATED);
	memcpy(whole, io.output, io.output_count);
	memcpy(whole + io.output_count, rr.data, rr.data_len);
	assert_int_equal(dcerpc_pdu_decode(whole, h.frag_len, &pdu), SD_OK);
	assert_int_equal(pdu.hdr.ptype, DCERPC_RESPONSE);
	assert_int_equal(pdu.hdr.pfc_flags & 3, DCERPC_PFC_FIRST_FRAG);
	assert_int_equal(pdu.hdr.frag_len, 4280);
	smb2_test_every_prefix_fails(whole, h.frag_len, dec_pdu);

	memset(&last, 0, sizeof(last));
	last.hdr.ptype = DCERPC_RESPONSE;
	last.hdr.pfc_flags = DCERPC_PFC_LAST_FRAG;
	last.hdr.call_id = pdu.hdr.call_id;
	last.u.response.stub = stub2;
	last.u.response.stub_len = sizeof(stub2);
	sd_wr_init(&w, frag, sizeof(frag));
	assert_int_equal(dcerpc_pdu_encode(&last, &w), SD_OK);
	assert_int_equal(dcerpc_pdu_decode(frag, w.len, &last), SD_OK);

	dcerpc_reasm_init(&ra, buf, sizeof(buf));
	assert_int_equal(dcerpc_reasm_add(&ra, &last), SD_ERR_MALFORMED);  /* no FIRST_FRAG */
	assert_int_equal(dcerpc_reasm_add(&ra, &pdu), SD_OK);
	assert_false(ra.done);
	assert_int_equal(dcerpc_reasm_add(&ra, &pdu), SD_ERR_MALFORMED);   /* FIRST_FRAG again */
	assert_int_equal(dcerpc_reasm_add(&ra, &last), SD_OK);
	assert_true(ra.done);
	assert_int_equal(ra.len, pdu.u.response.stub_len + 8);
	assert_memory_equal(ra.buf + ra.len - 8, stub2, 8);
	assert_int_equal(dcerpc_reasm_add(&ra, &last), SD_ERR_MALFORMED);  /* after the last */

	dcerpc_reasm_init(&ra, buf, 100);
	assert_int_equal(dcerpc_reasm_add(&ra, &pdu), SD_ERR_LIMIT);
	dcerpc_reasm_init(&ra, buf, sizeof(buf));
	assert_int_equal(dcerpc_reasm_add(&ra, &pdu), SD_OK);
	last.hdr.call_id++;
	assert_int_equal(dcerpc_reasm_add(&ra, &last), SD_ERR_MALFORMED);  /* another call */
	last.hdr.ptype = DCERPC_FAULT;
	assert_int_equal(dcerpc_reasm_add(&ra, &last), SD_ERR_INVALID_ARG);
}

static void
bind_nak_and_alter_context(void **state)
{
	struct dcerpc_pdu pdu, d;
	uint8_t buf[256];
	struct sd_wr w;

	(void)state;
	memset(&pdu, 0, sizeof(pdu));
	pdu.hdr.ptype = DCERPC_BIND_NAK;
	pdu.hdr.pfc_flags = 3;
	pdu.hdr.call_id = 9;
	pdu.u.bind_nak.reject_reason = 4;
	pdu.u.bind_nak.n_versions = 1;
	pdu.u.bind_nak.versions[0][0] = 5;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(dcerpc_pdu_encode(&pdu, &w), SD_OK);
	assert_int_equal(w.len, 16 + 5);
	round_trip_exact(buf, w.len, &d);
	assert_int_equal(d.u.bind_nak.reject_reason, 4);
	assert_int_equal(d.u.bind_nak.n_versions, 1);
	assert_int_equal(d.u.bind_nak.versions[0][0], 5);
	assert_string_equal(dcerpc_bind_nak_reason_name(4), "protocol_version_not_supported");
	/* The bare form: only the reason. */
	buf[8] = 18;
	assert_int_equal(dcerpc_pdu_decode(buf, 18, &d), SD_OK);
	assert_int_equal(d.u.bind_nak.reject_reason, 4);
	assert_int_equal(d.u.bind_nak.n_versions_declared, 0);
	/* Versions declared beyond the fragment. */
	buf[8] = 21;
	buf[18] = 3;
	assert_int_equal(dcerpc_pdu_decode(buf, 21, &d), SD_ERR_MALFORMED);

	/* ALTER_CONTEXT shares BIND's layout; three contexts, two syntaxes. */
	memset(&pdu, 0, sizeof(pdu));
	pdu.hdr.ptype = DCERPC_ALTER_CONTEXT;
	pdu.hdr.pfc_flags = 3;
	pdu.u.bind.max_xmit_frag = pdu.u.bind.max_recv_frag = 5840;
	pdu.u.bind.n_ctx = 3;
	pdu.u.bind.ctx[1].cont_id = 1;
	pdu.u.bind.ctx[1].n_transfer = 2;
	pdu.u.bind.ctx[1].transfer[1] = dcerpc_syntax_ndr;
	pdu.u.bind.ctx[2].abstract = dcerpc_syntax_srvsvc;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(dcerpc_pdu_encode(&pdu, &w), SD_OK);
	round_trip_exact(buf, w.len, &d);
	assert_int_equal(d.u.bind.n_ctx, 3);
	assert_int_equal(d.u.bind.ctx[1].n_transfer, 2);
	assert_true(dcerpc_syntax_equal(&d.u.bind.ctx[2].abstract, &dcerpc_syntax_srvsvc));
	/* More contexts declared than fit. */
	buf[16 + 8] = 200;
	assert_int_equal(dcerpc_pdu_decode(buf, w.len, &d), SD_ERR_MALFORMED);
}

/* An authenticated REQUEST: pad, sec_trailer, auth value. */
static void
auth_trailer_round_trips(void **state)
{
	static const uint8_t stub[6] = {1, 2, 3, 4, 5, 6}, sig[16] = {0xAA, 0xBB};
	struct dcerpc_pdu pdu, d;
	uint8_t buf[256];
	struct sd_wr w;

	(void)state;
	memset(&pdu, 0, sizeof(pdu));
	pdu.hdr.ptype = DCERPC_REQUEST;
	pdu.hdr.pfc_flags = 3 | DCERPC_PFC_OBJECT_UUID;
	pdu.hdr.call_id = 7;
	pdu.hdr.auth_len = sizeof(sig);
	pdu.u.request.opnum = 15;
	pdu.u.request.object[0] = 0x42;
	pdu.u.request.stub = stub;
	pdu.u.request.stub_len = sizeof(stub);
	pdu.auth.present = true;
	pdu.auth.type = 10;
	pdu.auth.level = 6;
	pdu.auth.pad_len = 2;
	pdu.auth.context_id = 1;
	pdu.auth.value = sig;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(dcerpc_pdu_encode(&pdu, &w), SD_OK);
	assert_int_equal(w.len, 16 + 8 + 16 + 6 + 2 + 8 + 16);
	round_trip_exact(buf, w.len, &d);
	assert_true(d.auth.present);
	assert_int_equal(d.auth.type, 10);
	assert_int_equal(d.auth.level, 6);
	assert_int_equal(d.auth.pad_len, 2);
	assert_memory_equal(d.auth.value, sig, 16);
	assert_true(d.u.request.has_object);
	assert_int_equal(d.u.request.object[0], 0x42);
	assert_int_equal(d.u.request.stub_len, 6);
	assert_memory_equal(d.u.request.stub, stub, 6);
	/* AuthLength larger than the fragment, pad longer than the body. */
	sd_store_u16le(buf + 10, 200);
	assert_int_equal(dcerpc_pdu_decode(buf, w.len, &d), SD_ERR_MALFORMED);
	sd_store_u16le(buf + 10, 16);
	buf[w.len - 16 - 6] = 60;
	assert_int_equal(dcerpc_pdu_decode(buf, w.len, &d), SD_ERR_MALFORMED);
}

static void
malformed_headers(void **state)
{
	uint8_t m[256];
	size_t n;
	struct dcerpc_pdu pdu;
	struct dcerpc_hdr h;

	(void)state;
	n = v_fault_len + 4;
	assert_true(n <= n);
	memcpy(m, v_fault, v_fault_len);
	memset(m + v_fault_len, 0, 4);
	assert_int_equal(dcerpc_pdu_decode(m, n, &pdu), SD_OK);  /* bytes of the next fragment */
	assert_true(smb2_test_has_anom(&pdu.anom, SD_ANOM_TRAILING_BYTES));
	m[0] = 4;
	assert_int_equal(dcerpc_hdr_decode(m, n, &h), SD_ERR_PROTOCOL_ID);
	m[0] = 5;
	m[4] = 0x00;  /* big-endian */
	assert_int_equal(dcerpc_pdu_decode(m, n, &pdu), SD_ERR_UNSUPPORTED);
	m[4] = 0x10;
	sd_store_u16le(m + 8, 12);
	assert_int_equal(dcerpc_pdu_decode(m, n, &pdu), SD_ERR_MALFORMED);
	sd_store_u16le(m + 8, 200);
	assert_int_equal(dcerpc_pdu_decode(m, n, &pdu), SD_ERR_TRUNCATED);
	assert_int_equal(dcerpc_hdr_decode(m, 16, &h), SD_OK);
	assert_int_equal(h.frag_len, 200);
	/* A RESPONSE body shorter than its fixed part. */
	sd_store_u16le(m + 8, 20);
	m[2] = DCERPC_RESPONSE;
	assert_int_equal(dcerpc_pdu_decode(m, 20, &pdu), SD_ERR_MALFORMED);
	/* Unknown types keep their body. */
	m[2] = DCERPC_SHUTDOWN;
	assert_int_equal(dcerpc_pdu_decode(m, 20, &pdu), SD_OK);
	assert_int_equal(pdu.body_len, 4);
	assert_string_equal(dcerpc_ptype_name(DCERPC_ALTER_CONTEXT_RESP), "ALTER_CONTEXT_RESP");
	assert_null(dcerpc_ptype_name(99));
	assert_null(dcerpc_fault_name(0x12345678u));
	assert_string_equal(dcerpc_bind_result_name(2), "provider_rejection");
	assert_string_equal(dcerpc_bind_reason_name(1), "abstract_syntax_not_supported");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_bind_and_ack),
		cmocka_unit_test(real_request_response_fault),
		cmocka_unit_test(fragments_reassemble),
		cmocka_unit_test(bind_nak_and_alter_context),
		cmocka_unit_test(auth_trailer_round_trips),
		cmocka_unit_test(malformed_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
