/* libFuzzer target: SESSION_SETUP security buffers. Whatever decodes must
 * re-encode and decode again to the same shape. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/auth/spnego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[1 << 17];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spnego_token tok, again;
	struct sd_wr w;
	enum sd_err err;

	if (spnego_decode(data, size, &tok) != SD_OK)
		return 0;
	(void)spnego_inner_token(&tok);
	sd_wr_init(&w, out, sizeof(out));
	if (tok.kind == SPNEGO_KIND_RESP)
		err = spnego_encode_resp(&w, &tok.resp);
	else if (tok.kind == SPNEGO_KIND_INIT && tok.init.has_neg_hints)
		err = spnego_encode_init2(&w, &tok.init);
	else if (tok.kind == SPNEGO_KIND_INIT)
		err = spnego_encode_init(&w, &tok.init);
	else
		return 0;
	if (err != SD_OK || spnego_decode(out, w.len, &again) != SD_OK || again.kind != tok.kind ||
	    again.init.n_mechs != tok.init.n_mechs || again.resp.neg_state != tok.resp.neg_state)
		abort();
	return 0;
}
