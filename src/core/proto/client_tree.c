/* TREE_CONNECT, VALIDATE_NEGOTIATE_INFO, TREE_DISCONNECT and LOGOFF
 * (MS-SMB2 3.2.4.2.4, 3.2.5.5, 3.2.5.14.12). */
#include <stdio.h>
#include <string.h>

#include "core/proto/client_internal.h"
#include "core/wire/utf16.h"

static enum sd_err
send_empty(struct smb2_client *c, enum smb2_client_step step, uint16_t command, uint64_t now_us)
{
	struct client_req cr = {step, command, c->res.session_id, c->res.tree_id, CLIENT_PLAIN};
	struct smb2_header h;
	struct sd_wr w;

	if (step == SMB2C_STEP_LOGOFF)
		cr.tree_id = 0;
	cr.protect = client_protection(c, step);
	client_begin(c, &cr, &w, &h);
	smb2_empty_body_encode(&w);
	return client_finish(c, &cr, &w, now_us);
}

enum sd_err
client_tree_begin(struct smb2_client *c, uint64_t now_us)
{
	struct client_req cr = {SMB2C_STEP_TREE_CONNECT, SMB2_TREE_CONNECT, c->res.session_id, 0, CLIENT_PLAIN};
	struct smb2_tree_connect_req req;
	uint8_t path16[4 * CLIENT_TEXT_CAP + 16];
	struct smb2_header h;
	struct sd_wr w, pw;
	size_t n;

	n = (size_t)snprintf(c->res.tree_path, sizeof(c->res.tree_path), "\\\\%s\\%s", c->server_name, c->share);
	if (n >= sizeof(c->res.tree_path))
		return SD_ERR_LIMIT;
	/* Like smbclient -e: the user asked for encryption whatever the server
	 * requires, so a connection that cannot encrypt is a failure. */
	if (c->cfg.encrypt && c->have_keys) {
		if (c->effective_cipher == 0) {
			client_fail(c, SMB2C_FAIL_CANNOT_SECURE, 0, SD_OK);
			return SD_OK;
		}
		c->res.session_encrypt = true;
	}
	sd_wr_init(&pw, path16, sizeof(path16));
	sd_utf8_to_utf16le(c->res.tree_path, n, &pw);
	if (!sd_wr_ok(&pw))
		return pw.err;
	memset(&req, 0, sizeof(req));
	req.path = path16;
	req.path_len = (uint16_t)pw.len;
	cr.protect = client_protection(c, SMB2C_STEP_TREE_CONNECT);
	client_begin(c, &cr, &w, &h);
	smb2_tree_connect_req_encode(&req, &w);
	return client_finish(c, &cr, &w, now_us);
}

static enum sd_err
send_validate(struct smb2_client *c, uint64_t now_us)
{
	struct client_req cr = {SMB2C_STEP_VALIDATE_NEGOTIATE, SMB2_IOCTL, c->res.session_id, c->res.tree_id,
				CLIENT_SIGN};
	struct smb2_validate_negotiate_req vni;
	struct smb2_ioctl_req req;
	uint8_t input[64 + 2 * SMB2_MAX_DIALECTS];
	struct smb2_header h;
	struct sd_wr w, iw;
	uint8_t i;

	memset(&vni, 0, sizeof(vni));
	vni.capabilities = c->res.client_capabilities;
	memcpy(vni.guid, c->res.client_guid, 16);
	vni.security_mode = c->res.client_security_mode;
	vni.dialect_count = c->res.n_offered_dialects;
	vni.n_dialects = c->res.n_offered_dialects;
	for (i = 0; i < vni.n_dialects; i++)
		vni.dialects[i] = c->res.offered_dialects[i];
	sd_wr_init(&iw, input, sizeof(input));
	smb2_validate_negotiate_req_encode(&vni, &iw);
	if (!sd_wr_ok(&iw))
		return iw.err;

	memset(&req, 0, sizeof(req));
	req.ctl_code = FSCTL_VALIDATE_NEGOTIATE_INFO;
	req.file_id_persistent = SMB2_FILE_ID_ANY;
	req.file_id_volatile = SMB2_FILE_ID_ANY;
	req.input = input;
	req.input_count = (uint32_t)iw.len;
	req.max_output_response = SMB2_VALIDATE_NEGOTIATE_RSP_SIZE;
	req.flags = SMB2_0_IOCTL_IS_FSCTL;
	cr.protect = client_protection(c, SMB2C_STEP_VALIDATE_NEGOTIATE);
	client_begin(c, &cr, &w, &h);
	smb2_ioctl_req_encode(&req, &w);
	return client_finish(c, &cr, &w, now_us);
}

enum sd_err
client_tree_next(struct smb2_client *c, uint64_t now_us)
{
	if (c->cfg.list_shares && !c->res.share_list_tried)
		return client_list_shares_begin(c, now_us);
	return send_empty(c, SMB2C_STEP_TREE_DISCONNECT, SMB2_TREE_DISCONNECT, now_us);
}

static void
next_or_fail(struct smb2_client *c, enum sd_err err)
{
	if (err)
		client_fail(c, SMB2C_FAIL_LOCAL, 0, err);
}

void
client_on_tree_connect(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	struct smb2_tree_connect_rsp rsp;
	enum sd_err err;

	if (r->hdr.status != 0) {
		client_fail(c, SMB2C_FAIL_STATUS, r->hdr.status, SD_OK);
		return;
	}
	err = smb2_tree_connect_rsp_decode(r->msg, r->len, &rsp);
	if (err) {
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, err);
		return;
	}
	c->res.tree_id = r->hdr.tree_id;
	c->res.share_type = rsp.share_type;
	c->res.share_flags = rsp.share_flags;
	c->res.share_capabilities = rsp.capabilities;
	c->res.maximal_access = rsp.maximal_access;
	if ((rsp.share_flags & SMB2_SHAREFLAG_ENCRYPT_DATA) && c->res.dialect >= SMB2_DIALECT_300) {
		if (c->effective_cipher == 0 || !c->have_keys) {
			client_fail(c, SMB2C_FAIL_CANNOT_SECURE, 0, SD_OK);
			return;
		}
		c->res.tree_encrypt = true;
	}
	/* MS-SMB2 3.2.5.5: 3.0 / 3.0.2 clients validate the negotiation, with
	 * a signed (or sealed) request; a client that cannot sign (--signing
	 * off) cannot validate either, as such devices do not. */
	if ((c->res.dialect == SMB2_DIALECT_300 || c->res.dialect == SMB2_DIALECT_302) &&
	    !c->cfg.no_validate_negotiate && c->have_keys &&
	    client_protection(c, SMB2C_STEP_VALIDATE_NEGOTIATE) != CLIENT_PLAIN)
		next_or_fail(c, send_validate(c, now_us));
	else
		next_or_fail(c, client_tree_next(c, now_us));
}

void
client_on_validate(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	struct smb2_ioctl_rsp io;
	struct smb2_validate_negotiate_rsp vni;
	enum sd_err err;

	/* MS-SMB2 3.2.5.14.12: an unprotected answer ends the connection. */
	if (!r->signature_ok && !r->was_encrypted) {
		client_fail(c, SMB2C_FAIL_UNSIGNED, r->hdr.status, SD_OK);
		return;
	}
	if (r->hdr.status != 0) {
		client_fail(c, SMB2C_FAIL_STATUS, r->hdr.status, SD_OK);
		return;
	}
	err = smb2_ioctl_rsp_decode(r->msg, r->len, &io);
	if (!err)
		err = smb2_validate_negotiate_rsp_decode(io.output, io.output_count, &vni);
	if (err) {
		client_fail(c, SMB2C_FAIL_BAD_RESPONSE, 0, err);
		return;
	}
	if (vni.capabilities != c->res.server_capabilities || memcmp(vni.guid, c->res.server_guid, 16) != 0 ||
	    vni.security_mode != c->res.server_security_mode || vni.dialect != c->res.dialect) {
		client_fail(c, SMB2C_FAIL_VALIDATE, 0, SD_OK);
		return;
	}
	c->res.validated = true;
	next_or_fail(c, client_tree_next(c, now_us));
}

void
client_on_tree_disconnect(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	if (r->hdr.status != 0) {
		client_fail(c, SMB2C_FAIL_STATUS, r->hdr.status, SD_OK);
		return;
	}
	next_or_fail(c, send_empty(c, SMB2C_STEP_LOGOFF, SMB2_LOGOFF, now_us));
}

void
client_on_logoff(struct smb2_client *c, const struct client_rsp *r, uint64_t now_us)
{
	(void)now_us;
	if (r->hdr.status != 0) {
		client_fail(c, SMB2C_FAIL_STATUS, r->hdr.status, SD_OK);
		return;
	}
	client_done(c);
}
