/* libFuzzer target: the DER reader on arbitrary bytes. Walks the tree, then
 * runs every value decoder on every top-level element. */
#include <stddef.h>
#include <stdint.h>

#include "core/auth/der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_rd r;
	struct der_tlv t;
	struct der_time tm;
	int64_t v;
	uint8_t unused;
	const uint8_t *bits;
	size_t n, count;
	char text[64];

	(void)der_validate(data, size, &count);
	sd_rd_init(&r, data, size);
	while (sd_rd_left(&r) > 0 && der_read_tlv(&r, &t)) {
		(void)der_int64(&t, &v);
		(void)der_oid_text(t.v, t.len, text, sizeof(text));
		(void)der_time(t.v, t.len, &tm);
		(void)der_bits(&t, &unused, &bits, &n);
	}
	return 0;
}
