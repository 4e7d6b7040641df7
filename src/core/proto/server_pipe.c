/* The one named pipe IPC$ serves: \PIPE\srvsvc with NetrShareEnum level 1
 * (MS-SRVS 3.1.4.8), so clients can list the shares (smbclient -L, the
 * probe's share-name suggestions). CREATE, WRITE / READ, IOCTL
 * FSCTL_PIPE_TRANSCEIVE and CLOSE on that pipe; DCE/RPC BIND and REQUEST
 * (C706 chapter 12). Any other file on any share has no service here. */
#include <stdlib.h>
#include <string.h>

#include "core/proto/server_internal.h"
#include "core/wire/dcerpc.h"
#include "core/wire/smb2_file.h"
#include "core/wire/srvsvc.h"
#include "core/wire/utf16.h"

#define ST_BUFFER_OVERFLOW 0x80000005u
#define ST_OBJECT_NAME_NOT_FOUND 0xC0000034u
#define ST_FILE_CLOSED 0xC0000128u
#define ST_PIPE_EMPTY 0xC00000D9u
#define FILE_ATTRIBUTE_NORMAL 0x00000080u
#define MAX_FRAG 4280
#define ASSOC_GROUP 0x53f0u

static const struct srv_why why_nofile = {"NS", NULL, "MS-SMB2 3.3.5.9"};
static const struct srv_why why_noname = {"PIPE", NULL, "MS-SMB2 3.3.5.9"};
static const struct srv_why why_closed = {"PIPE", NULL, "MS-SMB2 3.3.5.10"};
static const struct srv_why why_bad = {"G22", NULL, "MS-SMB2 3.3.5.2.6"};

struct srv_pipe {
	uint64_t fid;
	uint8_t out[SRV_PIPE_OUT];   /* the DCE/RPC answer waiting to be read */
	size_t out_len;
};

void
srv_pipe_free(struct srv_tree *t)
{
	free(t->pipe);
	t->pipe = NULL;
}

static bool
name_is_srvsvc(const uint8_t *name16, size_t len)
{
	char name[32];

	if (name16 == NULL || sd_utf16le_to_utf8(name16, len, name, sizeof(name), NULL) != SD_OK)
		return false;
	return srv_name_eq(name, "srvsvc") || srv_name_eq(name, "\\srvsvc") || srv_name_eq(name, "\\PIPE\\srvsvc");
}

void
srv_create(struct smb2_server *s, struct srv_req *r)
{
	struct smb2_create_req req;
	struct smb2_create_rsp rsp;
	struct smb2s_event *ev;
	struct sd_wr w;

	if (!srv_verify_tree(s, r))
		return;
	if (r->tree->share != NULL) {
		srv_refuse(s, r, ST_NOT_SUPPORTED, &why_nofile, "CREATE: smbdiag serve has no file service");
		return;
	}
	if (smb2_create_req_decode(r->msg, r->len, &req) != SD_OK) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_bad, "CREATE request does not decode");
		return;
	}
	if (!name_is_srvsvc(req.name, req.name_len)) {
		srv_refuse(s, r, ST_OBJECT_NAME_NOT_FOUND, &why_noname, "IPC$ serves only the srvsvc pipe");
		return;
	}
	if (r->tree->pipe == NULL && (r->tree->pipe = calloc(1, sizeof(*r->tree->pipe))) == NULL) {
		srv_refuse(s, r, ST_INSUFFICIENT_RESOURCES, &why_bad, "out of memory");
		return;
	}
	r->tree->pipe->fid = ++s->next_file_id;
	r->tree->pipe->out_len = 0;
	memset(&rsp, 0, sizeof(rsp));
	rsp.create_action = SMB2_FILE_OPENED;
	rsp.allocation_size = 4096;
	rsp.file_attributes = FILE_ATTRIBUTE_NORMAL;
	rsp.file_id.persistent = rsp.file_id.volatile_ = r->tree->pipe->fid;
	srv_begin(s, r, ST_SUCCESS, &w);
	smb2_create_rsp_encode(&rsp, &w);
	srv_finish(s, r, &w, false);
	ev = srv_event(s, SMB2S_EV_REQUEST, r);
	srv_event_text(ev, "pipe \\PIPE\\srvsvc opened on IPC$");
}

/* The open pipe a request names, or NULL after refusing. */
static struct srv_pipe *
pipe_of(struct smb2_server *s, struct srv_req *r, const struct smb2_file_id *fid)
{
	struct srv_pipe *p;

	if (!srv_verify_tree(s, r))
		return NULL;
	p = r->tree->pipe;
	if (p == NULL || p->fid == 0 || fid->persistent != p->fid || fid->volatile_ != p->fid) {
		srv_refuse(s, r, r->tree->share ? ST_NOT_SUPPORTED : ST_FILE_CLOSED,
			   r->tree->share ? &why_nofile : &why_closed, "%s on a file that is not open",
			   r->hdr.command == SMB2_READ ? "READ" : r->hdr.command == SMB2_WRITE ? "WRITE" : "request");
		return NULL;
	}
	return p;
}

static void
bind_ack(struct smb2_server *s, struct srv_pipe *p, const struct dcerpc_pdu *in)
{
	static const char sec_addr[] = "\\PIPE\\srvsvc";
	struct dcerpc_pdu out;
	const struct dcerpc_bind *b = &in->u.bind;
	struct sd_wr w;
	uint8_t i, j;
	bool accepted = false;

	(void)s;
	memset(&out, 0, sizeof(out));
	out.hdr.ptype = DCERPC_BIND_ACK;
	out.hdr.pfc_flags = DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG;
	out.hdr.call_id = in->hdr.call_id;
	out.u.bind_ack.max_xmit_frag = b->max_recv_frag < MAX_FRAG ? b->max_recv_frag : MAX_FRAG;
	out.u.bind_ack.max_recv_frag = b->max_xmit_frag < MAX_FRAG ? b->max_xmit_frag : MAX_FRAG;
	out.u.bind_ack.assoc_group_id = b->assoc_group_id ? b->assoc_group_id : ASSOC_GROUP;
	out.u.bind_ack.sec_addr = (const uint8_t *)sec_addr;
	out.u.bind_ack.sec_addr_len = sizeof(sec_addr);
	for (i = 0; i < b->n_ctx && i < DCERPC_MAX_CTX; i++) {
		struct dcerpc_result *res = &out.u.bind_ack.results[i];
		bool ndr = false;

		for (j = 0; j < b->ctx[i].n_transfer; j++)
			ndr |= dcerpc_syntax_equal(&b->ctx[i].transfer[j], &dcerpc_syntax_ndr);
		if (!accepted && ndr && dcerpc_syntax_equal(&b->ctx[i].abstract, &dcerpc_syntax_srvsvc)) {
			res->result = DCERPC_RESULT_ACCEPTANCE;
			res->transfer = dcerpc_syntax_ndr;
			accepted = true;
		} else {
			res->result = DCERPC_RESULT_PROVIDER_REJECTION;
			res->reason = dcerpc_syntax_equal(&b->ctx[i].abstract, &dcerpc_syntax_srvsvc)
				? DCERPC_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED
				: DCERPC_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED;
		}
	}
	out.u.bind_ack.n_results = out.u.bind_ack.n_results_declared = i;
	sd_wr_init(&w, p->out, sizeof(p->out));
	p->out_len = dcerpc_pdu_encode(&out, &w) == SD_OK ? w.len : 0;
}

static void
fault(struct srv_pipe *p, const struct dcerpc_pdu *in, uint32_t status)
{
	struct dcerpc_pdu out;
	struct sd_wr w;

	memset(&out, 0, sizeof(out));
	out.hdr.ptype = DCERPC_FAULT;
	out.hdr.pfc_flags = DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG | DCERPC_PFC_DID_NOT_EXECUTE;
	out.hdr.call_id = in->hdr.call_id;
	out.u.fault.status = status;
	sd_wr_init(&w, p->out, sizeof(p->out));
	p->out_len = dcerpc_pdu_encode(&out, &w) == SD_OK ? w.len : 0;
}

/* The SHARE_INFO_1 list: every configured share, then IPC$. */
static void
fill_shares(const struct smb2_server *s, struct srvsvc_share_enum_rsp *rsp)
{
	struct srvsvc_share_info1 *si;
	uint8_t i;

	rsp->level = 1;
	rsp->ctr.present = rsp->ctr.buffer_present = true;
	for (i = 0; i < s->pol->n_shares && rsp->ctr.n < SRVSVC_MAX_SHARES - 1; i++) {
		si = &rsp->ctr.shares[rsp->ctr.n++];
		si->netname.present = si->remark.present = true;
		si->netname.utf8 = s->pol->shares[i].name;
		si->remark.utf8 = "";
		si->type = SRVSVC_STYPE_DISKTREE;
	}
	si = &rsp->ctr.shares[rsp->ctr.n++];
	si->netname.present = si->remark.present = true;
	si->netname.utf8 = "IPC$";
	si->remark.utf8 = "Remote IPC";
	si->type = SRVSVC_STYPE_IPC | SRVSVC_STYPE_SPECIAL;
	rsp->total_entries = rsp->ctr.n;
	rsp->resume_present = true;
}

/* NetrShareEnum (opnum 15) at level 1. */
static void
share_enum(struct smb2_server *s, struct srv_req *r, struct srv_pipe *p, const struct dcerpc_pdu *in)
{
	struct srvsvc_share_enum_req req;
	struct srvsvc_share_enum_rsp *rsp;
	struct dcerpc_pdu out;
	struct smb2s_event *ev;
	uint8_t stub[SRV_PIPE_OUT];
	struct sd_wr w;
	unsigned n;

	if (srvsvc_share_enum_req_decode(in->u.request.stub, in->u.request.stub_len, &req) != SD_OK ||
	    (rsp = calloc(1, sizeof(*rsp))) == NULL) {
		fault(p, in, DCERPC_NCA_S_PROTO_ERROR);
		return;
	}
	fill_shares(s, rsp);
	n = rsp->ctr.n;
	sd_wr_init(&w, stub, sizeof(stub));
	srvsvc_share_enum_rsp_encode(rsp, &w);
	free(rsp);
	if (!sd_wr_ok(&w)) {
		fault(p, in, DCERPC_NCA_S_PROTO_ERROR);
		return;
	}
	memset(&out, 0, sizeof(out));
	out.hdr.ptype = DCERPC_RESPONSE;
	out.hdr.pfc_flags = DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG;
	out.hdr.call_id = in->hdr.call_id;
	out.u.response.cont_id = in->u.request.cont_id;
	out.u.response.stub = stub;
	out.u.response.stub_len = w.len;
	out.u.response.alloc_hint = (uint32_t)w.len;
	sd_wr_init(&w, p->out, sizeof(p->out));
	p->out_len = dcerpc_pdu_encode(&out, &w) == SD_OK ? w.len : 0;
	ev = srv_event(s, SMB2S_EV_REQUEST, r);
	srv_event_text(ev, "SRVSVC NetrShareEnum: %u shares listed", n);
}

/* One DCE/RPC fragment written into the pipe; the answer waits in p->out. */
static void
rpc_input(struct smb2_server *s, struct srv_req *r, struct srv_pipe *p, const uint8_t *data, size_t len)
{
	struct dcerpc_pdu in;

	p->out_len = 0;
	if (dcerpc_pdu_decode(data, len, &in) != SD_OK)
		return;
	if (in.hdr.ptype == DCERPC_BIND || in.hdr.ptype == DCERPC_ALTER_CONTEXT) {
		bind_ack(s, p, &in);
		if (in.hdr.ptype == DCERPC_ALTER_CONTEXT && p->out_len > 2)
			p->out[2] = DCERPC_ALTER_CONTEXT_RESP;
	} else if (in.hdr.ptype == DCERPC_REQUEST &&
		   (in.hdr.pfc_flags & (DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG)) ==
			   (DCERPC_PFC_FIRST_FRAG | DCERPC_PFC_LAST_FRAG)) {
		if (in.u.request.opnum == SRVSVC_OPNUM_NETR_SHARE_ENUM)
			share_enum(s, r, p, &in);
		else
			fault(p, &in, DCERPC_NCA_S_OP_RNG_ERROR);
	} else {
		fault(p, &in, DCERPC_NCA_S_PROTO_ERROR);
	}
}

/* Hands out up to max bytes of the waiting answer; the rest stays for a
 * READ (message-mode pipe: STATUS_BUFFER_OVERFLOW says more follows). */
static uint32_t
take_output(struct srv_pipe *p, uint32_t max, uint8_t *dst, size_t *n)
{
	*n = p->out_len < max ? p->out_len : max;
	memcpy(dst, p->out, *n);
	memmove(p->out, p->out + *n, p->out_len - *n);
	p->out_len -= *n;
	return p->out_len ? ST_BUFFER_OVERFLOW : ST_SUCCESS;
}

void
srv_write(struct smb2_server *s, struct srv_req *r)
{
	struct smb2_write_req req;
	struct smb2_write_rsp rsp;
	struct srv_pipe *p;
	struct sd_wr w;

	if (smb2_write_req_decode(r->msg, r->len, &req) != SD_OK) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_bad, "WRITE request does not decode");
		return;
	}
	if ((p = pipe_of(s, r, &req.file_id)) == NULL)
		return;
	rpc_input(s, r, p, req.data, req.length);
	memset(&rsp, 0, sizeof(rsp));
	rsp.count = req.length;
	srv_begin(s, r, ST_SUCCESS, &w);
	smb2_write_rsp_encode(&rsp, &w);
	srv_finish(s, r, &w, false);
}

void
srv_read(struct smb2_server *s, struct srv_req *r)
{
	uint8_t data[SRV_PIPE_OUT];
	struct smb2_read_req req;
	struct smb2_read_rsp rsp;
	struct srv_pipe *p;
	struct sd_wr w;
	uint32_t status;
	size_t n;

	if (smb2_read_req_decode(r->msg, r->len, &req) != SD_OK) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_bad, "READ request does not decode");
		return;
	}
	if ((p = pipe_of(s, r, &req.file_id)) == NULL)
		return;
	if (p->out_len == 0) {
		srv_refuse(s, r, ST_PIPE_EMPTY, &why_closed, "READ on the srvsvc pipe with nothing to read");
		return;
	}
	status = take_output(p, req.length, data, &n);
	memset(&rsp, 0, sizeof(rsp));
	rsp.data_offset = SMB2_HEADER_SIZE + 16;
	rsp.data = data;
	rsp.data_len = (uint32_t)n;
	srv_begin(s, r, status, &w);
	smb2_read_rsp_encode(&rsp, &w);
	srv_finish(s, r, &w, false);
}

/* IOCTL FSCTL_PIPE_TRANSCEIVE: a write and a read in one request. */
void
srv_transceive(struct smb2_server *s, struct srv_req *r, const struct smb2_ioctl_req *req)
{
	uint8_t data[SRV_PIPE_OUT];
	struct smb2_file_id fid = {req->file_id_persistent, req->file_id_volatile};
	struct smb2_ioctl_rsp rsp;
	struct srv_pipe *p = pipe_of(s, r, &fid);
	struct sd_wr w;
	uint32_t status;
	size_t n;

	if (p == NULL)
		return;
	rpc_input(s, r, p, req->input, req->input_count);
	status = take_output(p, req->max_output_response, data, &n);
	memset(&rsp, 0, sizeof(rsp));
	rsp.ctl_code = req->ctl_code;
	rsp.file_id_persistent = req->file_id_persistent;
	rsp.file_id_volatile = req->file_id_volatile;
	rsp.output = data;
	rsp.output_count = (uint32_t)n;
	srv_begin(s, r, status, &w);
	smb2_ioctl_rsp_encode(&rsp, &w);
	srv_finish(s, r, &w, false);
}

void
srv_close(struct smb2_server *s, struct srv_req *r)
{
	struct smb2_close_req req;
	struct smb2_close_rsp rsp;
	struct sd_wr w;

	if (smb2_close_req_decode(r->msg, r->len, &req) != SD_OK) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_bad, "CLOSE request does not decode");
		return;
	}
	if (pipe_of(s, r, &req.file_id) == NULL)
		return;
	srv_pipe_free(r->tree);
	memset(&rsp, 0, sizeof(rsp));
	srv_begin(s, r, ST_SUCCESS, &w);
	smb2_close_rsp_encode(&rsp, &w);
	srv_finish(s, r, &w, false);
}
