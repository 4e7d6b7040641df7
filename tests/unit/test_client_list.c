/* The core client's share listing (client_srvsvc.c) against a scripted
 * server in the same process: an anonymous SMB 2.1 session to a pipe
 * share, then every answer the listing can meet, built with our own
 * encoders. Interop with smbd is in tests/interop/test_share_list.py;
 * this covers the answers smbd does not give (BIND_NAK, FAULT, a
 * fragmented answer after STATUS_BUFFER_OVERFLOW, garbage). */
#include "smb2_test_util.h"

#include <stdio.h>

#include "core/auth/ntlmssp.h"
#include "core/auth/spnego.h"
#include "core/proto/client.h"
#include "core/wire/dcerpc.h"
#include "core/wire/smb2_file.h"
#include "core/wire/srvsvc.h"
#include "core/wire/utf16.h"
#include "scripted_server.h"

#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u
#define STATUS_ACCESS_DENIED 0xC0000022u

static struct scripted_server srv;
static struct srvsvc_share_enum_rsp enum_rsp;

static void
answer_session(struct smb2_client *c)
{
	struct smb2_header h = scripted_take(&srv, c);
	struct smb2_session_setup_rsp r;
	struct ntlm_challenge ch;
	struct spnego_resp sr;
	uint8_t ti[64], chal[256];
	struct sd_wr w, tw, cw;

	assert_int_equal(h.command, SMB2_SESSION_SETUP);
	sd_wr_init(&tw, ti, sizeof(ti));
	ntlm_encode_av_pair(&tw, NTLM_AV_NB_DOMAIN_NAME, "T\0E\0S\0T\0", 8);
	ntlm_encode_av_pair(&tw, NTLM_AV_EOL, NULL, 0);
	memset(&ch, 0, sizeof(ch));
	ch.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_TARGET_INFO;
	memset(ch.server_challenge, 0x11, 8);
	ch.target_info.p = ti;
	ch.target_info.len = (uint16_t)tw.len;
	sd_wr_init(&cw, chal, sizeof(chal));
	assert_int_equal(ntlm_encode_challenge(&cw, &ch), SD_OK);
	memset(&sr, 0, sizeof(sr));
	sr.has_neg_state = true;
	sr.neg_state = SPNEGO_ACCEPT_INCOMPLETE;
	sr.supported_mech = SPNEGO_MECH_NTLMSSP;
	sr.response_token.p = chal;
	sr.response_token.len = cw.len;
	scripted_session_rsp_begin(&srv, &w, &h, STATUS_MORE_PROCESSING_REQUIRED, &sr);
	scripted_reply_send(&srv, c, &w);

	h = scripted_take(&srv, c);
	assert_int_equal(h.command, SMB2_SESSION_SETUP);
	memset(&r, 0, sizeof(r));
	r.session_flags = SMB2_SESSION_FLAG_IS_NULL;
	scripted_reply_begin(&srv, &w, &h, 0);
	assert_int_equal(smb2_session_setup_rsp_encode(&r, &w), SD_OK);
	scripted_reply_send(&srv, c, &w);
}

/* NEGOTIATE 2.1, an anonymous session, TREE_CONNECT to a share of this type. */
static struct smb2_client *
connect_to(struct sd_crypto *crypto, uint8_t share_type)
{
	struct smb2_client_config cfg;
	struct smb2_client *c;
	struct smb2_tree_connect_rsp tr;
	struct smb2_header h;
	struct sd_wr w;

	memset(&cfg, 0, sizeof(cfg));
	cfg.mech = SMB2_MECH_ANONYMOUS;
	cfg.server_name = "fs1";
	cfg.share = share_type == SMB2_SHARE_TYPE_PIPE ? "IPC$" : "data";
	cfg.dialects[0] = SMB2_DIALECT_210;
	cfg.n_dialects = 1;
	cfg.list_shares = true;
	cfg.signing = SMB2_SIGNING_ON;
	assert_int_equal(smb2_client_create(&scripted_ctx, crypto, &cfg, &c), SD_OK);
	assert_int_equal(smb2_client_start(c, 0), SD_OK);

	scripted_negotiate_210(&srv, c);
	answer_session(c);

	h = scripted_take(&srv, c);
	assert_int_equal(h.command, SMB2_TREE_CONNECT);
	memset(&tr, 0, sizeof(tr));
	tr.share_type = share_type;
	scripted_reply_begin(&srv, &w, &h, 0);
	assert_int_equal(smb2_tree_connect_rsp_encode(&tr, &w), SD_OK);
	scripted_reply_send(&srv, c, &w);
	assert_int_equal(smb2_client_state(c), share_type == SMB2_SHARE_TYPE_PIPE ? SMB2C_LIST_SHARES
										: SMB2C_TREE_DISCONNECT);
	return c;
}

static void
answer_create(struct smb2_client *c, uint32_t status)
{
	struct smb2_header h = scripted_take(&srv, c);
	struct smb2_create_req q;
	struct smb2_create_rsp r;
	char name[16];
	struct sd_wr w;

	assert_int_equal(h.command, SMB2_CREATE);
	assert_int_equal(h.tree_id, SCRIPTED_TREE_ID);
	assert_int_equal(smb2_create_req_decode(srv.rx, srv.rx_len, &q), SD_OK);
	assert_int_equal(sd_utf16le_to_utf8(q.name, q.name_len, name, sizeof(name), NULL), SD_OK);
	assert_string_equal(name, "srvsvc");
	if (status != 0) {
		scripted_reply_error(&srv, c, &h, status);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.create_action = SMB2_FILE_OPENED;
	r.file_id.persistent = 0x11;
	r.file_id.volatile_ = 0x22;
	scripted_reply_begin(&srv, &w, &h, 0);
	assert_int_equal(smb2_create_rsp_encode(&r, &w), SD_OK);
	scripted_reply_send(&srv, c, &w);
}

/* Takes a transceive and returns the DCE/RPC PDU it carries (in srv.rx). */
static void
take_transceive(struct smb2_client *c, struct smb2_header *h, struct dcerpc_pdu *pdu)
{
	struct smb2_ioctl_req q;

	*h = scripted_take(&srv, c);
	assert_int_equal(h->command, SMB2_IOCTL);
	assert_int_equal(smb2_ioctl_req_decode(srv.rx, srv.rx_len, &q), SD_OK);
	assert_int_equal(q.ctl_code, FSCTL_PIPE_TRANSCEIVE);
	assert_int_equal(q.file_id_volatile, 0x22);
	assert_int_equal(dcerpc_pdu_decode(q.input, q.input_count, pdu), SD_OK);
}

static void
reply_pipe(struct smb2_client *c, const struct smb2_header *h, uint32_t status, const uint8_t *p, size_t n)
{
	struct sd_wr w;

	scripted_reply_begin(&srv, &w, h, status);
	if (h->command == SMB2_IOCTL) {
		struct smb2_ioctl_rsp r;

		memset(&r, 0, sizeof(r));
		r.ctl_code = FSCTL_PIPE_TRANSCEIVE;
		r.file_id_persistent = 0x11;
		r.file_id_volatile = 0x22;
		r.output = p;
		r.output_count = (uint32_t)n;
		assert_int_equal(smb2_ioctl_rsp_encode(&r, &w), SD_OK);
	} else {
		struct smb2_read_rsp r;

		assert_int_equal(h->command, SMB2_READ);
		memset(&r, 0, sizeof(r));
		r.data = p;
		r.data_len = (uint32_t)n;
		assert_int_equal(smb2_read_rsp_encode(&r, &w), SD_OK);
	}
	scripted_reply_send(&srv, c, &w);
}

static size_t
encode_pdu(const struct dcerpc_pdu *pdu, uint8_t *buf, size_t cap)
{
	struct sd_wr w;

	sd_wr_init(&w, buf, cap);
	assert_int_equal(dcerpc_pdu_encode(pdu, &w), SD_OK);
	return w.len;
}

static void
answer_bind(struct smb2_client *c, bool accept)
{
	struct smb2_header h;
	struct dcerpc_pdu q, a;
	uint8_t buf[128];

	take_transceive(c, &h, &q);
	assert_int_equal(q.hdr.ptype, DCERPC_BIND);
	assert_true(dcerpc_syntax_equal(&q.u.bind.ctx[0].abstract, &dcerpc_syntax_srvsvc));
	memset(&a, 0, sizeof(a));
	a.hdr.pfc_flags = 3;
	a.hdr.call_id = q.hdr.call_id;
	if (accept) {
		a.hdr.ptype = DCERPC_BIND_ACK;
		a.u.bind_ack.max_xmit_frag = a.u.bind_ack.max_recv_frag = 4280;
		a.u.bind_ack.sec_addr = (const uint8_t *)"\\PIPE\\srvsvc";
		a.u.bind_ack.sec_addr_len = 13;
		a.u.bind_ack.n_results = 1;
		a.u.bind_ack.results[0].transfer = dcerpc_syntax_ndr;
	} else {
		a.hdr.ptype = DCERPC_BIND_NAK;
		a.u.bind_nak.reject_reason = 4;
	}
	reply_pipe(c, &h, 0, buf, encode_pdu(&a, buf, sizeof(buf)));
}

/* The level-1 answer for n shares, as one stub. */
static size_t
enum_stub(uint8_t *buf, size_t cap, uint16_t n, uint32_t werror)
{
	static char names[300][16];
	struct sd_wr w;
	uint16_t i;

	memset(&enum_rsp, 0, sizeof(enum_rsp));
	enum_rsp.level = 1;
	enum_rsp.ctr.present = true;
	enum_rsp.ctr.buffer_present = n != 0;
	enum_rsp.ctr.n = n;
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "share%03u", i);
		enum_rsp.ctr.shares[i].netname = (struct srvsvc_str){.present = true, .utf8 = names[i]};
		enum_rsp.ctr.shares[i].remark = (struct srvsvc_str){.present = true, .utf8 = "a remark"};
		enum_rsp.ctr.shares[i].type = i == 0 ? SRVSVC_STYPE_IPC | SRVSVC_STYPE_SPECIAL : 0;
	}
	enum_rsp.total_entries = n;
	enum_rsp.werror = werror;
	sd_wr_init(&w, buf, cap);
	assert_int_equal(srvsvc_share_enum_rsp_encode(&enum_rsp, &w), SD_OK);
	return w.len;
}

/* Takes the NetrShareEnum REQUEST and checks it. */
static void
take_enum(struct smb2_client *c, struct smb2_header *h, struct dcerpc_pdu *q)
{
	static struct srvsvc_share_enum_req req;
	char server[32];

	take_transceive(c, h, q);
	assert_int_equal(q->hdr.ptype, DCERPC_REQUEST);
	assert_int_equal(q->u.request.opnum, SRVSVC_OPNUM_NETR_SHARE_ENUM);
	assert_int_equal(srvsvc_share_enum_req_decode(q->u.request.stub, q->u.request.stub_len, &req), SD_OK);
	assert_int_equal(req.level, 1);
	assert_int_equal(sd_utf16le_to_utf8(req.server_name.p, req.server_name.len, server, sizeof(server), NULL),
			 SD_OK);
	assert_string_equal(server, "\\\\fs1");
}

/* Up to the NetrShareEnum REQUEST on an opened and bound pipe, whose
 * answer is the caller's. */
static struct smb2_client *
enum_asked(struct sd_crypto *crypto, struct smb2_header *h, struct dcerpc_pdu *q)
{
	struct smb2_client *c = connect_to(crypto, SMB2_SHARE_TYPE_PIPE);

	answer_create(c, 0);
	answer_bind(c, true);
	take_enum(c, h, q);
	return c;
}

/* CLOSE (when expected), TREE_DISCONNECT, LOGOFF; the client ends DONE. */
static void
finish(struct smb2_client *c, bool expect_close)
{
	struct smb2_header h = scripted_take(&srv, c);
	struct sd_wr w;

	if (expect_close) {
		struct smb2_close_rsp r;

		assert_int_equal(h.command, SMB2_CLOSE);
		memset(&r, 0, sizeof(r));
		scripted_reply_begin(&srv, &w, &h, 0);
		assert_int_equal(smb2_close_rsp_encode(&r, &w), SD_OK);
		scripted_reply_send(&srv, c, &w);
		h = scripted_take(&srv, c);
	}
	assert_int_equal(h.command, SMB2_TREE_DISCONNECT);
	scripted_reply_empty(&srv, c, &h);
	h = scripted_take(&srv, c);
	assert_int_equal(h.command, SMB2_LOGOFF);
	scripted_reply_empty(&srv, c, &h);
	assert_int_equal(smb2_client_state(c), SMB2C_DONE);
}

/* 200 shares in three RESPONSE fragments; the first does not fit the
 * transceive (STATUS_BUFFER_OVERFLOW) and comes in two pieces. */
static void
fragmented_answer_is_read_to_the_end(void **state)
{
	static uint8_t stub[64 * 1024], frag[8192];
	const struct smb2_client_result *res;
	struct smb2_header h;
	struct dcerpc_pdu q, a;
	size_t n = enum_stub(stub, sizeof(stub), 200, 0), off = 0, chunk = 4000, flen;
	struct smb2_client *c = enum_asked(*state, &h, &q);
	int i;

	for (i = 0; off < n; i++) {
		size_t take_n = n - off < chunk ? n - off : chunk;

		memset(&a, 0, sizeof(a));
		a.hdr.ptype = DCERPC_RESPONSE;
		a.hdr.call_id = q.hdr.call_id;
		a.hdr.pfc_flags = (off == 0 ? DCERPC_PFC_FIRST_FRAG : 0) | (off + take_n == n ? DCERPC_PFC_LAST_FRAG : 0);
		a.u.response.alloc_hint = (uint32_t)(n - off);
		a.u.response.stub = stub + off;
		a.u.response.stub_len = take_n;
		flen = encode_pdu(&a, frag, sizeof(frag));
		off += take_n;
		if (i == 0) {
			reply_pipe(c, &h, SMB2_STATUS_BUFFER_OVERFLOW, frag, 1000);
			h = scripted_take(&srv, c);
			assert_int_equal(h.command, SMB2_READ);
			reply_pipe(c, &h, 0, frag + 1000, flen - 1000);
		} else {
			reply_pipe(c, &h, 0, frag, flen);
		}
		if (off < n) {
			h = scripted_take(&srv, c);
			assert_int_equal(h.command, SMB2_READ);
		}
	}
	finish(c, true);
	res = smb2_client_result(c);
	assert_true(res->share_list_ok);
	assert_int_equal(res->share_list_failure, SMB2C_LIST_OK);
	assert_int_equal(res->share_list_stage, SMB2C_LIST_DONE);
	assert_int_equal(res->share_list_total, 200);
	assert_int_equal(res->n_shares, SMB2_CLIENT_MAX_SHARES);
	assert_string_equal(res->shares[0].name, "share000");
	assert_int_equal(res->shares[0].type, SRVSVC_STYPE_IPC | SRVSVC_STYPE_SPECIAL);
	assert_string_equal(res->shares[127].name, "share127");
	assert_string_equal(res->shares[127].remark, "a remark");
	smb2_client_free(c);
}

static void
bind_nak_is_a_refusal(void **state)
{
	struct smb2_client *c = connect_to(*state, SMB2_SHARE_TYPE_PIPE);
	const struct smb2_client_result *res = smb2_client_result(c);

	answer_create(c, 0);
	answer_bind(c, false);
	finish(c, true);
	assert_false(res->share_list_ok);
	assert_int_equal(res->share_list_failure, SMB2C_LIST_BIND_REJECTED);
	assert_int_equal(res->share_list_stage, SMB2C_LIST_BIND);
	assert_int_equal(res->share_list_status, 4);
	assert_int_equal(res->failure, SMB2C_FAIL_NONE);
	smb2_client_free(c);
}

static void
fault_and_werror_are_refusals(void **state)
{
	static uint8_t stub[1024], buf[2048];
	struct smb2_header h;
	struct dcerpc_pdu q, a;
	struct smb2_client *c = enum_asked(*state, &h, &q);
	const struct smb2_client_result *res = smb2_client_result(c);

	memset(&a, 0, sizeof(a));
	a.hdr.ptype = DCERPC_FAULT;
	a.hdr.pfc_flags = 3 | DCERPC_PFC_DID_NOT_EXECUTE;
	a.hdr.call_id = q.hdr.call_id;
	a.u.fault.status = DCERPC_NCA_S_OP_RNG_ERROR;
	reply_pipe(c, &h, 0, buf, encode_pdu(&a, buf, sizeof(buf)));
	finish(c, true);
	assert_int_equal(res->share_list_failure, SMB2C_LIST_RPC_FAULT);
	assert_int_equal(res->share_list_status, DCERPC_NCA_S_OP_RNG_ERROR);
	assert_int_equal(res->share_list_stage, SMB2C_LIST_ENUM);
	smb2_client_free(c);

	c = enum_asked(*state, &h, &q);
	res = smb2_client_result(c);
	memset(&a, 0, sizeof(a));
	a.hdr.ptype = DCERPC_RESPONSE;
	a.hdr.pfc_flags = 3;
	a.hdr.call_id = q.hdr.call_id;
	a.u.response.stub = stub;
	a.u.response.stub_len = enum_stub(stub, sizeof(stub), 0, SRVSVC_WERR_ACCESS_DENIED);
	reply_pipe(c, &h, 0, buf, encode_pdu(&a, buf, sizeof(buf)));
	finish(c, true);
	assert_false(res->share_list_ok);
	assert_int_equal(res->share_list_failure, SMB2C_LIST_WERROR);
	assert_int_equal(res->share_list_status, SRVSVC_WERR_ACCESS_DENIED);
	assert_int_equal(res->n_shares, 0);
	smb2_client_free(c);
}

/* CREATE refused: nothing to CLOSE. Garbage from the pipe: CLOSE, and a
 * disk share: nothing tried. The connection ends cleanly each time. */
static void
other_refusals(void **state)
{
	static const uint8_t junk[40] = {5, 0, 2, 3, 0x10, 0, 0, 0, 20, 0, 0, 0, 2, 0, 0, 0, 0xFF};
	struct smb2_client *c = connect_to(*state, SMB2_SHARE_TYPE_PIPE);
	const struct smb2_client_result *res = smb2_client_result(c);
	struct smb2_header h;
	struct dcerpc_pdu q;

	answer_create(c, STATUS_ACCESS_DENIED);
	finish(c, false);
	assert_int_equal(res->share_list_failure, SMB2C_LIST_STATUS);
	assert_int_equal(res->share_list_status, STATUS_ACCESS_DENIED);
	assert_int_equal(res->share_list_stage, SMB2C_LIST_CREATE);
	smb2_client_free(c);

	c = enum_asked(*state, &h, &q);
	res = smb2_client_result(c);
	reply_pipe(c, &h, 0, junk, sizeof(junk));  /* a RESPONSE too short for its stub header */
	finish(c, true);
	assert_int_equal(res->share_list_failure, SMB2C_LIST_BAD_RESPONSE);
	assert_int_equal(res->share_list_err, SD_ERR_MALFORMED);
	smb2_client_free(c);

	c = connect_to(*state, SMB2_SHARE_TYPE_DISK);
	res = smb2_client_result(c);
	finish(c, false);
	assert_true(res->share_list_tried);
	assert_int_equal(res->share_list_failure, SMB2C_LIST_NOT_PIPE);
	smb2_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fragmented_answer_is_read_to_the_end),
		cmocka_unit_test(bind_nak_is_a_refusal),
		cmocka_unit_test(fault_and_werror_are_refusals),
		cmocka_unit_test(other_refusals),
	};

	return cmocka_run_group_tests(tests, scripted_crypto_setup, scripted_crypto_teardown);
}
