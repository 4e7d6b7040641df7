/* Helpers shared by the test_smb2_* programs (static inline so that each
 * program only pays for what it uses). */
#ifndef SMBDIAG_TESTS_SMB2_TEST_UTIL_H
#define SMBDIAG_TESTS_SMB2_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/wire/smb2.h"

/* A decoder of any message kind, wrapped to a common shape. */
typedef enum sd_err (*smb2_test_decode_fn)(const uint8_t *p, size_t len);

/* Decodes every proper prefix from a heap copy of exactly that size (so a
 * sanitizer sees any over-read) and expects each to fail. */
static inline void
smb2_test_every_prefix_fails(const uint8_t *msg, size_t len, smb2_test_decode_fn fn)
{
	size_t n;

	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, msg, n);
		if (fn(copy, n) == SD_OK)
			fail_msg("prefix of %zu of %zu bytes decoded without error", n, len);
		free(copy);
	}
}

/* Decodes every proper prefix without expecting failure (for formats where
 * a shorter input can be valid); only memory safety is checked. */
static inline void
smb2_test_every_prefix_safe(const uint8_t *msg, size_t len, smb2_test_decode_fn fn)
{
	size_t n;

	for (n = 0; n <= len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, msg, n);
		(void)fn(copy, n);
		free(copy);
	}
}

static inline bool
smb2_test_has_anom(const struct sd_anomalies *a, enum sd_anomaly_code code)
{
	uint8_t i;

	for (i = 0; i < a->n; i++)
		if (a->a[i].code == code)
			return true;
	return false;
}

/* Re-encodes the header as decoded from msg into w. */
static inline void
smb2_test_copy_header(const uint8_t *msg, size_t len, struct sd_wr *w)
{
	struct smb2_header h;

	assert_int_equal(smb2_header_decode(msg, len, &h), SD_OK);
	assert_int_equal(smb2_header_encode(&h, w), SD_OK);
}

/* A plain request or response header for hand-built messages. */
static inline void
smb2_test_header(struct sd_wr *w, uint16_t command, bool response, uint32_t status)
{
	struct smb2_header h;

	memset(&h, 0, sizeof(h));
	h.command = command;
	h.credits = 1;
	h.status = status;
	h.flags = response ? SMB2_FLAGS_SERVER_TO_REDIR : 0;
	h.message_id = 7;
	assert_int_equal(smb2_header_encode(&h, w), SD_OK);
}

#endif
