/* One DCE/RPC connection-oriented fragment: header, body of every type,
 * sec_trailer; what decodes is encoded again and must decode again, and
 * REQUEST / RESPONSE stubs go through the reassembler. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/wire/dcerpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[1 << 17];
static uint8_t stub[1 << 16];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcerpc_pdu pdu, again;
	struct dcerpc_hdr h;
	struct dcerpc_reasm ra;
	struct sd_wr w;

	(void)dcerpc_hdr_decode(data, size, &h);
	if (dcerpc_pdu_decode(data, size, &pdu) != SD_OK)
		return 0;
	(void)dcerpc_ptype_name(pdu.hdr.ptype);
	if (pdu.hdr.ptype == DCERPC_REQUEST || pdu.hdr.ptype == DCERPC_RESPONSE) {
		dcerpc_reasm_init(&ra, stub, sizeof(stub));
		(void)dcerpc_reasm_add(&ra, &pdu);
		(void)dcerpc_reasm_add(&ra, &pdu);
	}
	sd_wr_init(&w, out, sizeof(out));
	/* A kept list shorter than the declared one, or a pad the encoder
	 * writes differently, changes the bytes, never decodability. */
	if (dcerpc_pdu_encode(&pdu, &w) == SD_OK && dcerpc_pdu_decode(out, w.len, &again) != SD_OK)
		abort();
	return 0;
}
