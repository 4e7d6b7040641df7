/* One SMB2 PDU (after NetBIOS framing): walks the compound chain, decodes
 * each message's header and body, and the typed payloads inside (IOCTL
 * helpers, error contexts, UTF-16 names). */
#include <stddef.h>
#include <stdint.h>

#include "core/wire/smb2.h"
#include "core/wire/utf16.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
name_to_utf8(const uint8_t *p, size_t len)
{
	char out[64];

	(void)sd_utf16le_to_utf8(p, len, out, sizeof(out), NULL);
}

static void
ioctl_payloads(uint32_t ctl_code, const uint8_t *p, size_t len, bool response)
{
	if (ctl_code == FSCTL_VALIDATE_NEGOTIATE_INFO) {
		struct smb2_validate_negotiate_req q;
		struct smb2_validate_negotiate_rsp r;

		if (response)
			(void)smb2_validate_negotiate_rsp_decode(p, len, &r);
		else
			(void)smb2_validate_negotiate_req_decode(p, len, &q);
	} else if (ctl_code == FSCTL_DFS_GET_REFERRALS) {
		struct smb2_dfs_referral_req q;
		struct smb2_dfs_referral_rsp r;
		uint8_t i;

		if (!response) {
			if (smb2_dfs_referral_req_decode(p, len, &q) == SD_OK)
				name_to_utf8(q.file_name, q.file_name_len);
		} else if (smb2_dfs_referral_rsp_decode(p, len, &r) == SD_OK) {
			for (i = 0; i < r.n_referrals; i++)
				name_to_utf8(r.referrals[i].dfs_path.p, r.referrals[i].dfs_path.len);
		}
	}
}

static void
error_contexts(const struct smb2_error_rsp *e)
{
	struct smb2_share_redirect sr;
	struct sd_anomalies anom = {0};
	uint8_t i;

	for (i = 0; i < e->n_ctx; i++) {
		if (e->ctx[i].error_id != SMB2_ERROR_ID_SHARE_REDIRECT)
			continue;
		if (smb2_share_redirect_decode(e->ctx[i].data, e->ctx[i].data_len, &sr, &anom) == SD_OK)
			name_to_utf8(sr.resource_name, sr.resource_name_len);
	}
}

static void
one_message(const uint8_t *msg, size_t len)
{
	static struct smb2_message m;

	if (smb2_message_decode(msg, len, &m) != SD_OK)
		return;
	switch (m.kind) {
	case SMB2_BODY_TREE_CONNECT_REQ:
		name_to_utf8(m.body.tree_connect_req.path, m.body.tree_connect_req.path_len);
		break;
	case SMB2_BODY_IOCTL_REQ:
		ioctl_payloads(m.body.ioctl_req.ctl_code, m.body.ioctl_req.input, m.body.ioctl_req.input_count, false);
		break;
	case SMB2_BODY_IOCTL_RSP:
		ioctl_payloads(m.body.ioctl_rsp.ctl_code, m.body.ioctl_rsp.output, m.body.ioctl_rsp.output_count,
			       true);
		break;
	case SMB2_BODY_ERROR:
		error_contexts(&m.body.error);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb2_compound_iter it;
	struct smb2_compound_elem e;

	smb2_compound_init(&it, data, size);
	while (smb2_compound_next(&it, &e) == SD_OK)
		one_message(e.msg, e.len);
	return 0;
}
