/* One SMB2 message: the header, then the body chosen by command and
 * direction. */
#include "core/wire/smb2_internal.h"

#include <string.h>

static enum sd_err
decode_request(const uint8_t *msg, size_t len, struct smb2_message *out)
{
	switch (out->hdr.command) {
	case SMB2_NEGOTIATE:
		out->kind = SMB2_BODY_NEGOTIATE_REQ;
		return smb2_negotiate_req_decode(msg, len, &out->body.negotiate_req);
	case SMB2_SESSION_SETUP:
		out->kind = SMB2_BODY_SESSION_SETUP_REQ;
		return smb2_session_setup_req_decode(msg, len, &out->body.session_setup_req);
	case SMB2_TREE_CONNECT:
		out->kind = SMB2_BODY_TREE_CONNECT_REQ;
		return smb2_tree_connect_req_decode(msg, len, &out->body.tree_connect_req);
	case SMB2_IOCTL:
		out->kind = SMB2_BODY_IOCTL_REQ;
		return smb2_ioctl_req_decode(msg, len, &out->body.ioctl_req);
	case SMB2_LOGOFF:
	case SMB2_TREE_DISCONNECT:
	case SMB2_ECHO:
	case SMB2_CANCEL:
		out->kind = SMB2_BODY_EMPTY;
		return smb2_empty_body_decode(msg, len, &out->body.empty);
	default:
		return SD_OK;
	}
}

static enum sd_err
decode_response(const uint8_t *msg, size_t len, struct smb2_message *out)
{
	if (smb2_response_is_error(&out->hdr, msg, len)) {
		out->kind = SMB2_BODY_ERROR;
		return smb2_error_rsp_decode(msg, len, &out->body.error);
	}
	switch (out->hdr.command) {
	case SMB2_NEGOTIATE:
		out->kind = SMB2_BODY_NEGOTIATE_RSP;
		return smb2_negotiate_rsp_decode(msg, len, &out->body.negotiate_rsp);
	case SMB2_SESSION_SETUP:
		out->kind = SMB2_BODY_SESSION_SETUP_RSP;
		return smb2_session_setup_rsp_decode(msg, len, &out->body.session_setup_rsp);
	case SMB2_TREE_CONNECT:
		out->kind = SMB2_BODY_TREE_CONNECT_RSP;
		return smb2_tree_connect_rsp_decode(msg, len, &out->body.tree_connect_rsp);
	case SMB2_IOCTL:
		out->kind = SMB2_BODY_IOCTL_RSP;
		return smb2_ioctl_rsp_decode(msg, len, &out->body.ioctl_rsp);
	case SMB2_LOGOFF:
	case SMB2_TREE_DISCONNECT:
	case SMB2_ECHO:
		out->kind = SMB2_BODY_EMPTY;
		return smb2_empty_body_decode(msg, len, &out->body.empty);
	default:
		return SD_OK;
	}
}

enum sd_err
smb2_message_decode(const uint8_t *msg, size_t len, struct smb2_message *out)
{
	enum sd_err err;

	memset(out, 0, sizeof(*out));
	err = smb2_header_decode(msg, len, &out->hdr);
	if (err != SD_OK)
		return err;
	if (smb2_header_is_response(&out->hdr))
		return decode_response(msg, len, out);
	return decode_request(msg, len, out);
}
