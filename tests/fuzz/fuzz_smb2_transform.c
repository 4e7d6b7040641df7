/* TRANSFORM_HEADER and COMPRESSION_TRANSFORM_HEADER; what decodes is
 * re-encoded and decoded again. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/wire/smb2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smb2_transform_header t, t2;
	static struct smb2_compression_header c, c2;
	static uint8_t buf[1 << 17];
	struct sd_wr w;

	if (smb2_transform_decode(data, size, &t) == SD_OK) {
		sd_wr_init(&w, buf, sizeof(buf));
		if (smb2_transform_encode(&t, &w) == SD_OK && smb2_transform_decode(buf, w.len, &t2) != SD_OK)
			abort();
	}
	if (smb2_compression_decode(data, size, &c) == SD_OK) {
		sd_wr_init(&w, buf, sizeof(buf));
		if (smb2_compression_encode(&c, &w) == SD_OK && smb2_compression_decode(buf, w.len, &c2) != SD_OK)
			abort();
	}
	return 0;
}
