/* IOCTL (MS-SMB2 3.3.5.15): FSCTL_VALIDATE_NEGOTIATE_INFO (3.3.5.15.12)
 * and the DFS referral a client asks right after a tree connect (answered
 * like a server without DFS). Other control codes have no service here. */
#include <string.h>

#include "core/proto/server_internal.h"
#include "core/wire/names.h"

static const struct srv_why why_vn1 = {"VN1", NULL, "MS-SMB2 3.3.5.15"};
static const struct srv_why why_vn2 = {"VN2", NULL, "MS-SMB2 3.3.5.15"};
static const struct srv_why why_vn3 = {"VN3", NULL, "MS-SMB2 3.3.5.15"};
static const struct srv_why why_vn4 = {"VN4", NULL, "MS-SMB2 3.3.5.15.12"};
static const struct srv_why why_vn5 = {"VN5", NULL, "MS-SMB2 3.3.5.15.12"};
static const struct srv_why why_vn6 = {"VN6", "negotiate.validate_failed", "MS-SMB2 3.3.5.15.12"};
static const struct srv_why why_vn7 = {"VN7", "negotiate.validate_failed", "MS-SMB2 3.3.5.15.12"};
static const struct srv_why why_dfs = {"DFS", NULL, "MS-SMB2 3.3.5.15.2; MS-DFSC 3.2.5.5"};
static const struct srv_why why_other = {"IOCTL", NULL, "MS-SMB2 3.3.5.15"};

static void
answer_output(struct smb2_server *s, struct srv_req *r, const struct smb2_ioctl_req *req, const uint8_t *out,
	      size_t out_len, bool force_sign)
{
	struct smb2_ioctl_rsp rsp;
	struct sd_wr w;

	memset(&rsp, 0, sizeof(rsp));
	rsp.ctl_code = req->ctl_code;
	rsp.file_id_persistent = req->file_id_persistent;
	rsp.file_id_volatile = req->file_id_volatile;
	rsp.output = out;
	rsp.output_count = (uint32_t)out_len;
	srv_begin(s, r, ST_SUCCESS, &w);
	smb2_ioctl_rsp_encode(&rsp, &w);
	srv_finish(s, r, &w, force_sign);
}

/* VN6: the dialect list matches what NEGOTIATE recorded. */
static bool
dialects_match(const struct smb2_server *s, const struct smb2_validate_negotiate_req *v)
{
	uint16_t best = 0;
	uint8_t i;

	if (s->pol->max_dialect >= SMB2_DIALECT_311) {
		if (v->dialect_count != s->n_client_dialects || v->n_dialects != s->n_client_dialects)
			return false;
		for (i = 0; i < v->n_dialects; i++)
			if (v->dialects[i] != s->client_dialects[i])
				return false;
		return true;
	}
	for (i = 0; i < v->n_dialects; i++)
		if (srv_dialect_allowed(s->pol, v->dialects[i]) && v->dialects[i] > best)
			best = v->dialects[i];
	return best == s->dialect;
}

static void
validate_negotiate(struct smb2_server *s, struct srv_req *r, const struct smb2_ioctl_req *req)
{
	struct smb2_validate_negotiate_req v;
	struct smb2_validate_negotiate_rsp out;
	uint8_t buf[SMB2_VALIDATE_NEGOTIATE_RSP_SIZE + 8];
	struct smb2s_event *ev;
	struct sd_wr w;

	if (req->file_id_persistent != SMB2_FILE_ID_ANY || req->file_id_volatile != SMB2_FILE_ID_ANY) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_vn2, "VALIDATE_NEGOTIATE_INFO with a real FileId");
		return;
	}
	if (s->dialect == SMB2_DIALECT_311) {
		srv_drop(s, r, &why_vn4, "VALIDATE_NEGOTIATE_INFO on a 3.1.1 connection");
		return;
	}
	if (req->max_output_response < SMB2_VALIDATE_NEGOTIATE_RSP_SIZE) {
		srv_drop(s, r, &why_vn5, "VALIDATE_NEGOTIATE_INFO with MaxOutputResponse %u < 24",
			 req->max_output_response);
		return;
	}
	if (smb2_validate_negotiate_req_decode(req->input, req->input_count, &v) != SD_OK) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_vn3, "VALIDATE_NEGOTIATE_INFO input does not decode");
		return;
	}
	if (!dialects_match(s, &v)) {
		srv_drop(s, r, &why_vn6, "VALIDATE_NEGOTIATE_INFO dialects differ from the NEGOTIATE's");
		return;
	}
	if (memcmp(v.guid, s->client_guid, 16) != 0 || v.security_mode != s->client_security_mode ||
	    v.capabilities != s->client_capabilities) {
		srv_drop(s, r, &why_vn7, "VALIDATE_NEGOTIATE_INFO %s differs from the NEGOTIATE's",
			 memcmp(v.guid, s->client_guid, 16) != 0 ? "ClientGuid"
			 : v.security_mode != s->client_security_mode ? "SecurityMode" : "Capabilities");
		return;
	}
	memset(&out, 0, sizeof(out));
	out.capabilities = s->sent_capabilities;
	memcpy(out.guid, s->server_guid, 16);
	out.security_mode = s->server_security_mode;
	out.dialect = s->dialect;
	sd_wr_init(&w, buf, sizeof(buf));
	smb2_validate_negotiate_rsp_encode(&out, &w);
	/* VN8: the answer is signed whatever signing policy says. */
	answer_output(s, r, req, buf, w.len, true);
	ev = srv_event(s, SMB2S_EV_VALIDATE_OK, r);
	ev->dialect = s->dialect;
	srv_event_text(ev, "VALIDATE_NEGOTIATE_INFO matches the NEGOTIATE");
}

void
srv_ioctl(struct smb2_server *s, struct srv_req *r)
{
	struct smb2_ioctl_req req;
	struct smb2s_event *ev;

	if (!srv_verify_tree(s, r))
		return;
	if (smb2_ioctl_req_decode(r->msg, r->len, &req) != SD_OK) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_vn3, "IOCTL request does not decode");
		return;
	}
	if (req.input_count > s->max_transact || req.max_input_response > s->max_transact ||
	    req.max_output_response > s->max_transact) {
		srv_refuse(s, r, ST_INVALID_PARAMETER, &why_vn3, "IOCTL sizes exceed MaxTransactSize");
		return;
	}
	if (req.ctl_code == FSCTL_VALIDATE_NEGOTIATE_INFO) {
		if (req.flags != SMB2_0_IOCTL_IS_FSCTL) {
			srv_refuse(s, r, ST_NOT_SUPPORTED, &why_vn1, "VALIDATE_NEGOTIATE_INFO without IS_FSCTL");
			return;
		}
		validate_negotiate(s, r, &req);
		return;
	}
	if (req.ctl_code == FSCTL_PIPE_TRANSCEIVE) {
		srv_transceive(s, r, &req);
		return;
	}
	if (req.ctl_code == FSCTL_DFS_GET_REFERRALS || req.ctl_code == FSCTL_DFS_GET_REFERRALS_EX) {
		srv_refuse(s, r, ST_NOT_FOUND, &why_dfs, "DFS referral: this server has no DFS namespace");
		return;
	}
	ev = srv_event(s, SMB2S_EV_REQUEST, r);
	srv_event_text(ev, "IOCTL 0x%08x", req.ctl_code);
	srv_refuse(s, r, ST_NOT_SUPPORTED, &why_other, "IOCTL 0x%08x is not served", req.ctl_code);
}
