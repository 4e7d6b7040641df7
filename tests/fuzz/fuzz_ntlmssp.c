/* libFuzzer target: the three NTLMSSP decoders on the same bytes; an
 * AUTHENTICATE that decodes must re-encode and decode to the same kind. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/auth/ntlmssp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[8 * 65536];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntlm_negotiate n;
	struct ntlm_challenge c;
	struct ntlm_authenticate a, again;
	struct sd_wr w;
	uint32_t type;

	(void)ntlm_message_type(data, size, &type);
	(void)ntlm_decode_negotiate(data, size, &n);
	if (ntlm_decode_challenge(data, size, &c) == SD_OK) {
		sd_wr_init(&w, out, sizeof(out));
		if (ntlm_encode_challenge(&w, &c) != SD_OK || ntlm_decode_challenge(out, w.len, &c) != SD_OK)
			abort();
	}
	if (ntlm_decode_authenticate(data, size, &a) != SD_OK)
		return 0;
	sd_wr_init(&w, out, sizeof(out));
	if (ntlm_encode_authenticate(&w, &a, a.has_mic) != SD_OK ||
	    ntlm_decode_authenticate(out, w.len, &again) != SD_OK || again.kind != a.kind ||
	    again.has_mic != a.has_mic)
		abort();
	return 0;
}
