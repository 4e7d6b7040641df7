/* Feeds a DNS message to the probe's CNAME walk, with a target buffer
 * whose size comes from the first byte (small ones exercise refusal). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/wire/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char target[1025];
	size_t cap;

	if (size < 1)
		return 0;
	cap = 1 + data[0] * 4u;
	if (dns_answer_cname(data + 1, size - 1, target, cap) && strnlen(target, cap) == cap)
		__builtin_trap();
	return 0;
}
