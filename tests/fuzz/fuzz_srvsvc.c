/* SRVSVC NetrShareEnum stubs: the first byte chooses the request (even)
 * or the response (odd) decoder; what decodes is encoded again and must
 * decode again with the same share count. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/wire/srvsvc.h"
#include "core/wire/utf16.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct srvsvc_share_enum_req req, req2;
static struct srvsvc_share_enum_rsp rsp, rsp2;
static uint8_t out[1 << 18];

static void
names(const struct srvsvc_share_ctr *ctr)
{
	char text[256];
	uint16_t i;

	for (i = 0; i < ctr->n; i++) {
		(void)sd_utf16le_to_utf8(ctr->shares[i].netname.p, ctr->shares[i].netname.len, text, sizeof(text),
					 NULL);
		(void)srvsvc_share_type_name(ctr->shares[i].type);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_wr w;

	if (size < 1)
		return 0;
	sd_wr_init(&w, out, sizeof(out));
	if ((data[0] & 1) == 0) {
		if (srvsvc_share_enum_req_decode(data + 1, size - 1, &req) != SD_OK)
			return 0;
		names(&req.ctr);
		if (srvsvc_share_enum_req_encode(&req, &w) == SD_OK &&
		    (srvsvc_share_enum_req_decode(out, w.len, &req2) != SD_OK || req2.ctr.n != req.ctr.n))
			abort();
		return 0;
	}
	if (srvsvc_share_enum_rsp_decode(data + 1, size - 1, &rsp) != SD_OK)
		return 0;
	names(&rsp.ctr);
	(void)srvsvc_werror_name(rsp.werror);
	if (srvsvc_share_enum_rsp_encode(&rsp, &w) == SD_OK &&
	    (srvsvc_share_enum_rsp_decode(out, w.len, &rsp2) != SD_OK || rsp2.ctr.n != rsp.ctr.n))
		abort();
	return 0;
}
