/* One NEGOTIATE message (header + body), decoded as a request and as a
 * response; what decodes is re-encoded and decoded again. A response is
 * also checked the way a client checks it (negotiate_check.h), against
 * the offer of the last request that decoded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/proto/negotiate_check.h"
#include "core/wire/smb2.h"
#include "core/wire/utf16.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
netnames(const struct smb2_negctx_list *l)
{
	const struct smb2_negctx *c = smb2_negctx_find(l, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID);
	char out[64];

	if (c != NULL)
		(void)sd_utf16le_to_utf8(c->u.netname.name, c->u.netname.name_len, out, sizeof(out), NULL);
}

static struct smb2_negotiate_offer offer;

static void
request(const uint8_t *data, size_t size, uint8_t *buf, size_t cap)
{
	static struct smb2_negotiate_req q, again;
	struct sd_wr w;

	if (smb2_negotiate_req_decode(data, size, &q) != SD_OK)
		return;
	smb2_negotiate_offer_from_req(&offer, &q);
	netnames(&q.ctx);
	sd_wr_init(&w, buf, cap);
	sd_wr_bytes(&w, data, SMB2_HEADER_SIZE);
	if (smb2_negotiate_req_encode(&q, &w) != SD_OK)
		return;
	if (smb2_negotiate_req_decode(buf, w.len, &again) != SD_OK)
		abort();
}

static void
response(const uint8_t *data, size_t size, uint8_t *buf, size_t cap)
{
	static struct smb2_negotiate_rsp r, again;
	struct sd_wr w;

	struct smb2_negfaults faults;

	if (smb2_negotiate_rsp_decode(data, size, &r) != SD_OK)
		return;
	smb2_negotiate_check(&offer, &r, &faults);
	if (faults.n > SMB2_NEGFAULTS_MAX)
		abort();
	netnames(&r.ctx);
	sd_wr_init(&w, buf, cap);
	sd_wr_bytes(&w, data, SMB2_HEADER_SIZE);
	if (smb2_negotiate_rsp_encode(&r, &w) != SD_OK)
		return;
	if (smb2_negotiate_rsp_decode(buf, w.len, &again) != SD_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 17];

	request(data, size, buf, sizeof(buf));
	response(data, size, buf, sizeof(buf));
	return 0;
}
