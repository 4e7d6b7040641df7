/* Share listing over a pipe share (IPC$): CREATE srvsvc, DCE/RPC BIND to
 * SRVSVC v3.0 and NetrShareEnum level 1 over FSCTL_PIPE_TRANSCEIVE (READ
 * for what does not fit: STATUS_BUFFER_OVERFLOW or further fragments),
 * then CLOSE (MS-SRVS 3.1.4.8, MS-SMB2 3.2.4.20 / 3.3.5.15.3, C706).
 *
 * The listing is a follow-up experiment: whatever the server refuses is
 * recorded in share_list_* and the client still goes on to
 * TREE_DISCONNECT and LOGOFF. Only broken signatures or encryption (which
 * client.c handles before dispatch) and our own failures stop the
 * connection. */
#include <stdlib.h>
#include <string.h>

#include "core/proto/client_internal.h"
#include "core/wire/dcerpc.h"
#include "core/wire/smb2_file.h"
#include "core/wire/srvsvc.h"
#include "core/wire/utf16.h"

#define LIST_FRAG_MAX 4280         /* max_xmit_frag / max_recv_frag, as Windows offers */
#define LIST_IO_MAX 65536          /* largest IOCTL / READ answer asked for: one credit */
#define LIST_STUB_CAP (256 * 1024) /* NetrShareEnum answer, all fragments */
#define LIST_PDU_CAP (65536 + 64)  /* one fragment (FragLength is 16 bits) */
#define LIST_REQ_CAP 2048
#define LIST_CALL_BIND 1
#define LIST_CALL_ENUM 2
/* GENERIC_READ | GENERIC_WRITE spelled out, as smbclient and Windows open pipes. */
#define LIST_PIPE_ACCESS 0x0012019Fu

struct client_srvsvc {
	enum smb2_share_list_stage stage;
	struct smb2_file_id fid;
	bool open;
	uint8_t pdu[LIST_PDU_CAP];   /* the DCE/RPC fragment being received */
	size_t pdu_len;
	uint8_t stub[LIST_STUB_CAP];
	struct dcerpc_reasm reasm;
	/* Both are large: the request is built before the answer arrives. */
	union {
		struct srvsvc_share_enum_req req;
		struct srvsvc_share_enum_rsp rsp;
	} call;
};

static const uint8_t srvsvc_name16[] = {'s', 0, 'r', 0, 'v', 0, 's', 0, 'v', 0, 'c', 0};

void
client_srvsvc_free(struct smb2_client *c)
{
	free(c->srvsvc);
	c->srvsvc = NULL;
}

/* Records the first refusal only: later ones are consequences. */
static void
list_fail(struct smb2_client *c, enum smb2_share_list_failure f, uint32_t status, enum sd_err err)
{
	if (c->res.share_list_failure != SMB2C_LIST_OK)
		return;
	c->res.share_list_failure = f;
	c->res.share_list_status = status;
	c->res.share_list_err = err;
	c->res.share_list_stage = c->srvsvc ? c->srvsvc->stage : SMB2C_LIST_CREATE;
}

/* Room for this request and the CLOSE, TREE_DISCONNECT and LOGOFF after it. */
static bool
room_for_request(const struct smb2_client *c)
{
	return c->res.n_exchanges + 4 <= SMB2_CLIENT_MAX_EXCHANGES;
}

static void
list_begin_req(struct smb2_client *c, uint16_t command, struct client_req *cr, struct sd_wr *w)
{
	struct smb2_header h;

	memset(cr, 0, sizeof(*cr));
	cr->step = SMB2C_STEP_LIST_SHARES;
	cr->command = command;
	cr->session_id = c->res.session_id;
	cr->tree_id = c->res.tree_id;
	cr->protect = client_protection(c, SMB2C_STEP_LIST_SHARES);
	client_begin(c, cr, w, &h);
}

static enum sd_err
send_create(struct smb2_client *c, uint64_t now_us)
{
	struct smb2_create_req req;
	struct client_req cr;
	struct sd_wr w;

	memset(&req, 0, sizeof(req));
	req.impersonation_level = SMB2_IMPERSONATION_IMPERSONATION;
	req.desired_access = LIST_PIPE_ACCESS;
	req.share_access = SMB2_FILE_SHARE_READ | SMB2_FILE_SHARE_WRITE;
	req.create_disposition = SMB2_FILE_OPEN;
	req.name = srvsvc_name16;
	req.name_len = sizeof(srvsvc_name16);
	list_begin_req(c, SMB2_CREATE, &cr, &w);
	smb2_create_req_encode(&req, &w);
	return client_finish(c, &cr, &w, now_us);
}

static uint32_t
io_max(uint32_t server_max)
{
	return server_max != 0 && server_max < LIST_IO_MAX ? server_max : LIST_IO_MAX;
}

static enum sd_err
send_transceive(struct smb2_client *c, const uint8_t *pdu, size_t len, uint64_t now_us)
{
	struct smb2_ioctl_req req;
	struct client_req cr;
	struct sd_wr w;

	smb2_pipe_transceive_req_init(&req, &c->srvsvc->fid, pdu, (uint32_t)len,
				      io_max(c->res.max_transact_size));
	list_begin_req(c, SMB2_IOCTL, &cr, &w);
	smb2_ioctl_req_encode(&req, &w);
	return client_finish(c, &cr, &w, now_us);
}

static enum sd_err
send_read(struct smb2_client *c, uint64_t now_us)
{
	struct smb2_read_req req;
	struct client_req cr;
	struct sd_wr w;

	memset(&req, 0, sizeof(req));
	req.length = io_max(c->res.max_read_size);
	req.file_id = c->srvsvc->fid;
	list_begin_req(c, SMB2_READ, &cr, &w);
	smb2_read_req_encode(&req, &w);
	return client_finish(c, &cr, &w, now_us);
}

/* CLOSE when the pipe is open, then on to TREE_DISCONNECT. */
static enum sd_err
list_end(struct smb2_client *c, uint64_t now_us)
{
	struct client_srvsvc *s = c->srvsvc;
	struct smb2_close_req req;
	struct client_req cr;
	struct sd_wr w;

	if (c->res.share_list_failure == SMB2C_LIST_OK)
		c->res.share_list_stage = SMB2C_LIST_DONE;
	if (s == NULL || !s->open) {
		if (s)
			s->stage = SMB2C_LIST_DONE;
		return client_tree_next(c, now_us);
	}
	s->stage = SMB2C_LIST_CLOSE;
	s->open = false;
	memset(&req, 0, sizeof(req));
	req.file_id = s->fid;
	list_begin_req(c, SMB2_CLOSE, &cr, &w);
	smb2_close_req_encode(&req, &w);
	return client_finish(c, &cr, &w, now_us);
}

static enum sd_err
list_fail_end(struct smb2_client *c, enum smb2_share_list_failure f, uint32_t status, enum sd_err err,
	      uint64_t now_us)
{
	list_fail(c, f, status, err);
	return list_end(c, now_us);
}

static enum sd_err
send_bind(struct smb2_client *c, uint64_t now_us)
{
	struct dcerpc_pdu pdu;
	uint8_t buf[128];
	struct sd_wr w;
	enum sd_err err;

	memset(&pdu, 0, sizeof(pdu));
	pdu.hdr.ptype = DCERPC_BIND;
	pdu.hdr.pfc_flags = DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG;
	pdu.hdr.call_id = LIST_CALL_BIND;
	pdu.u.bind.max_xmit_frag = LIST_FRAG_MAX;
	pdu.u.bind.max_recv_frag = LIST_FRAG_MAX;
	pdu.u.bind.n_ctx = 1;
	pdu.u.bind.ctx[0].abstract = dcerpc_syntax_srvsvc;
	pdu.u.bind.ctx[0].n_transfer = 1;
	pdu.u.bind.ctx[0].transfer[0] = dcerpc_syntax_ndr;
	sd_wr_init(&w, buf, sizeof(buf));
	err = dcerpc_pdu_encode(&pdu, &w);
	if (err != SD_OK)
		return err;
	return send_transceive(c, buf, w.len, now_us);
}

static enum sd_err
send_enum(struct smb2_client *c, uint64_t now_us)
{
	struct srvsvc_share_enum_req *req = &c->srvsvc->call.req;
	uint8_t stub[LIST_REQ_CAP - 64], buf[LIST_REQ_CAP];
	char server[CLIENT_TEXT_CAP + 2];
	struct dcerpc_pdu pdu;
	struct sd_wr w;
	enum sd_err err;

	server[0] = server[1] = '\\';
	client_copy_text(server + 2, sizeof(server) - 2, c->server_name);
	srvsvc_share_enum_req_init(req, server);
	sd_wr_init(&w, stub, sizeof(stub));
	err = srvsvc_share_enum_req_encode(req, &w);
	if (err != SD_OK)
		return err;
	memset(&pdu, 0, sizeof(pdu));
	pdu.hdr.ptype = DCERPC_REQUEST;
	pdu.hdr.pfc_flags = DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG;
	pdu.hdr.call_id = LIST_CALL_ENUM;
	pdu.u.request.alloc_hint = (uint32_t)w.len;
	pdu.u.request.opnum = SRVSVC_OPNUM_NETR_SHARE_ENUM;
	pdu.u.request.stub = stub;
	pdu.u.request.stub_len = w.len;
	sd_wr_init(&w, buf, sizeof(buf));
	err = dcerpc_pdu_encode(&pdu, &w);
	if (err != SD_OK)
		return err;
	c->srvsvc->stage = SMB2C_LIST_ENUM;
	c->srvsvc->pdu_len = 0;
	dcerpc_reasm_init(&c->srvsvc->reasm, c->srvsvc->stub, sizeof(c->srvsvc->stub));
	return send_transceive(c, buf, w.len, now_us);
}

enum sd_err
client_list_shares_begin(struct smb2_client *c, uint64_t now_us)
{
	c->res.share_list_tried = true;
	if (c->res.share_type != SMB2_SHARE_TYPE_PIPE)
		return list_fail_end(c, SMB2C_LIST_NOT_PIPE, c->res.share_type, SD_OK, now_us);
	if (c->srvsvc == NULL)
		c->srvsvc = calloc(1, sizeof(*c->srvsvc));
	if (c->srvsvc == NULL)
		return list_fail_end(c, SMB2C_LIST_LOCAL, 0, SD_ERR_NOMEM, now_us);
	if (!room_for_request(c))
		return list_fail_end(c, SMB2C_LIST_LOCAL, 0, SD_ERR_LIMIT, now_us);
	c->srvsvc->stage = SMB2C_LIST_CREATE;
	return send_create(c, now_us);
}

static enum sd_err
on_create(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	struct smb2_create_rsp rsp;
	enum sd_err err;

	if (r->hdr.status != 0)
		return list_fail_end(c, SMB2C_LIST_STATUS, r->hdr.status, SD_OK, now_us);
	err = smb2_create_rsp_decode(r->msg, r->len, &rsp);
	if (err != SD_OK)
		return list_fail_end(c, SMB2C_LIST_BAD_RESPONSE, 0, err, now_us);
	c->srvsvc->fid = rsp.file_id;
	c->srvsvc->open = true;
	c->srvsvc->stage = SMB2C_LIST_BIND;
	if (!room_for_request(c))
		return list_fail_end(c, SMB2C_LIST_LOCAL, 0, SD_ERR_LIMIT, now_us);
	return send_bind(c, now_us);
}

static void
copy_utf16(char *dst, size_t cap, const struct srvsvc_str *s)
{
	/* A name that does not fit is cut at a character boundary. */
	(void)sd_utf16le_to_utf8(s->p, s->len, dst, cap, NULL);
}

static enum sd_err
on_enum_done(struct smb2_client *c, uint64_t now_us)
{
	struct client_srvsvc *s = c->srvsvc;
	struct srvsvc_share_enum_rsp *rsp = &s->call.rsp;
	enum sd_err err;
	uint16_t i;

	err = srvsvc_share_enum_rsp_decode(s->reasm.buf, s->reasm.len, rsp);
	if (err != SD_OK)
		return list_fail_end(c, SMB2C_LIST_BAD_RESPONSE, 0, err, now_us);
	c->res.share_list_total = rsp->ctr.entries_read;
	for (i = 0; i < rsp->ctr.n && c->res.n_shares < SMB2_CLIENT_MAX_SHARES; i++) {
		struct smb2_client_share *out = &c->res.shares[c->res.n_shares++];

		copy_utf16(out->name, sizeof(out->name), &rsp->ctr.shares[i].netname);
		copy_utf16(out->remark, sizeof(out->remark), &rsp->ctr.shares[i].remark);
		out->type = rsp->ctr.shares[i].type;
	}
	/* ERROR_MORE_DATA: a partial list is still a list. */
	c->res.share_list_ok = rsp->werror == SRVSVC_WERR_OK || rsp->werror == SRVSVC_WERR_MORE_DATA;
	if (rsp->werror != SRVSVC_WERR_OK)
		list_fail(c, SMB2C_LIST_WERROR, rsp->werror, SD_OK);
	return list_end(c, now_us);
}

/* One complete fragment. Returns SD_OK with *more set when the call needs
 * further fragments; otherwise the next request has been queued. */
static enum sd_err
on_fragment(struct smb2_client *c, const struct dcerpc_pdu *pdu, bool *more, uint64_t now_us)
{
	struct client_srvsvc *s = c->srvsvc;
	const struct dcerpc_result *res;
	enum sd_err err;

	*more = false;
	if (pdu->hdr.ptype == DCERPC_FAULT)
		return list_fail_end(c, SMB2C_LIST_RPC_FAULT, pdu->u.fault.status, SD_OK, now_us);
	if (s->stage == SMB2C_LIST_BIND) {
		if (pdu->hdr.ptype == DCERPC_BIND_NAK)
			return list_fail_end(c, SMB2C_LIST_BIND_REJECTED, pdu->u.bind_nak.reject_reason, SD_OK, now_us);
		if (pdu->hdr.ptype != DCERPC_BIND_ACK || pdu->hdr.call_id != LIST_CALL_BIND ||
		    pdu->u.bind_ack.n_results == 0)
			return list_fail_end(c, SMB2C_LIST_BAD_RESPONSE, 0, SD_ERR_MALFORMED, now_us);
		res = &pdu->u.bind_ack.results[0];
		if (res->result != DCERPC_RESULT_ACCEPTANCE)
			return list_fail_end(c, SMB2C_LIST_BIND_REJECTED, (uint32_t)res->result << 16 | res->reason,
					     SD_OK, now_us);
		if (!room_for_request(c))
			return list_fail_end(c, SMB2C_LIST_LOCAL, 0, SD_ERR_LIMIT, now_us);
		return send_enum(c, now_us);
	}
	if (pdu->hdr.ptype != DCERPC_RESPONSE || pdu->hdr.call_id != LIST_CALL_ENUM)
		return list_fail_end(c, SMB2C_LIST_BAD_RESPONSE, 0, SD_ERR_MALFORMED, now_us);
	err = dcerpc_reasm_add(&s->reasm, pdu);
	if (err != SD_OK)
		return list_fail_end(c, err == SD_ERR_LIMIT ? SMB2C_LIST_LOCAL : SMB2C_LIST_BAD_RESPONSE, 0, err,
				     now_us);
	if (s->reasm.done)
		return on_enum_done(c, now_us);
	*more = true;
	return SD_OK;
}

/* Bytes from the pipe (IOCTL output or READ data): complete fragments are
 * handled, a partial one waits for a READ. */
static enum sd_err
on_pipe_bytes(struct smb2_client *c, const uint8_t *p, size_t n, uint64_t now_us)
{
	struct client_srvsvc *s = c->srvsvc;
	enum smb2_share_list_stage stage = s->stage;
	struct dcerpc_hdr hdr;
	struct dcerpc_pdu pdu;
	bool more = true;
	enum sd_err err;

	if (n > sizeof(s->pdu) - s->pdu_len)
		return list_fail_end(c, SMB2C_LIST_BAD_RESPONSE, 0, SD_ERR_LIMIT, now_us);
	if (n)
		memcpy(s->pdu + s->pdu_len, p, n);
	s->pdu_len += n;
	while (s->pdu_len >= DCERPC_HEADER_SIZE) {
		err = dcerpc_hdr_decode(s->pdu, s->pdu_len, &hdr);
		if (err != SD_OK)
			return list_fail_end(c, SMB2C_LIST_BAD_RESPONSE, 0, err, now_us);
		if (s->pdu_len < hdr.frag_len)
			break;
		err = dcerpc_pdu_decode(s->pdu, hdr.frag_len, &pdu);
		if (err != SD_OK)
			return list_fail_end(c, SMB2C_LIST_BAD_RESPONSE, 0, err, now_us);
		err = on_fragment(c, &pdu, &more, now_us);
		if (err != SD_OK || !more || s->stage != stage)
			return err;
		memmove(s->pdu, s->pdu + hdr.frag_len, s->pdu_len - hdr.frag_len);
		s->pdu_len -= hdr.frag_len;
	}
	if (!room_for_request(c))
		return list_fail_end(c, SMB2C_LIST_LOCAL, 0, SD_ERR_LIMIT, now_us);
	return send_read(c, now_us);
}

static enum sd_err
on_pipe_answer(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	struct smb2_ioctl_rsp io;
	struct smb2_read_rsp rd;
	const uint8_t *data;
	size_t n;
	enum sd_err err;

	/* BUFFER_OVERFLOW: the data is good, the rest of the message follows. */
	if (r->hdr.status != 0 && r->hdr.status != SMB2_STATUS_BUFFER_OVERFLOW)
		return list_fail_end(c, SMB2C_LIST_STATUS, r->hdr.status, SD_OK, now_us);
	if (r->hdr.command == SMB2_IOCTL) {
		err = smb2_ioctl_rsp_decode(r->msg, r->len, &io);
		data = io.output;
		n = io.output_count;
	} else if (r->hdr.command == SMB2_READ) {
		err = smb2_read_rsp_decode(r->msg, r->len, &rd);
		data = rd.data;
		n = rd.data_len;
	} else {
		err = SD_ERR_MALFORMED;
		data = NULL;
		n = 0;
	}
	if (err != SD_OK)
		return list_fail_end(c, SMB2C_LIST_BAD_RESPONSE, 0, err, now_us);
	return on_pipe_bytes(c, data, n, now_us);
}

void
client_on_list_shares(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	enum sd_err err;

	if (c->srvsvc == NULL) {
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, SD_ERR_STATE);
		return;
	}
	switch (c->srvsvc->stage) {
	case SMB2C_LIST_CREATE:
		err = on_create(c, r, now_us);
		break;
	case SMB2C_LIST_BIND:
	case SMB2C_LIST_ENUM:
		err = on_pipe_answer(c, r, now_us);
		break;
	case SMB2C_LIST_CLOSE:
		/* A refused CLOSE changes nothing for the listing. */
		c->srvsvc->stage = SMB2C_LIST_DONE;
		err = client_tree_next(c, now_us);
		break;
	default:
		err = SD_ERR_STATE;
		break;
	}
	if (err != SD_OK)
		client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
}

const char *
smb2_share_list_failure_name(enum smb2_share_list_failure f)
{
	static const char *const names[] = {
		"ok", "not_pipe", "status", "bind_rejected", "rpc_fault", "werror", "bad_response", "local",
	};

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}

const char *
smb2_share_list_stage_name(enum smb2_share_list_stage s)
{
	static const char *const names[] = {"create", "bind", "enum", "close", "done"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}
