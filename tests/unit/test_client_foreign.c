/* The client core meets bytes that are not SMB (another service on the
 * port): it fails with BAD_RESPONSE and keeps their start and arrival time
 * for the report, which names the service instead of "undecodable". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/proto/client.h"
#include "core/auth/crypto_ctx.h"
#include "fixed_ctx.h"


/* A client that sent its NEGOTIATE and got `answer` at time 7. */
static const struct smb2_client_result *
answered_with(struct sd_crypto *crypto, struct smb2_client **c, const uint8_t *answer, size_t len)
{
	struct smb2_client_config cfg;
	const uint8_t *out;
	size_t n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.user = "alice";
	cfg.password = "Secret123";
	cfg.server_name = "fs1";
	cfg.share = "data";
	assert_int_equal(smb2_client_create(&fixed_ctx, crypto, &cfg, c), SD_OK);
	assert_int_equal(smb2_client_start(*c, 1), SD_OK);
	n = smb2_client_output(*c, &out);
	assert_true(n > 4);
	smb2_client_output_done(*c, n, 2);
	/* The input broke the connection: an error, the result says why. */
	assert_int_equal(smb2_client_input(*c, answer, len, 7), SD_ERR_MALFORMED);
	return smb2_client_result(*c);
}

static void
banner_and_framed_junk_are_foreign(void **state)
{
	static const uint8_t ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	static const uint8_t junk[] = {0, 0, 0, 8, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'};
	static const uint8_t huge_smb[] = {0, 0xFF, 0xFF, 0xFF, 0xFE, 'S', 'M', 'B'};
	static const uint8_t http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	struct sd_crypto *crypto = NULL;
	struct smb2_client *c = NULL;
	const struct smb2_client_result *r;

	(void)state;
	assert_int_equal(sd_crypto_create(&crypto), SD_OK);
	r = answered_with(crypto, &c, ssh, sizeof(ssh) - 1);
	assert_int_equal(r->state, SMB2C_FAILED);
	assert_int_equal(r->failure, SMB2C_FAIL_BAD_RESPONSE);
	assert_int_equal(r->failed_step, SMB2C_STEP_NEGOTIATE);
	assert_int_equal(r->n_foreign, sizeof(ssh) - 1);
	assert_memory_equal(r->foreign, ssh, sizeof(ssh) - 1);
	assert_int_equal(r->foreign_us, 7);
	smb2_client_free(c);

	/* A well-framed message whose protocol id is not SMB's. */
	r = answered_with(crypto, &c, junk, sizeof(junk));
	assert_int_equal(r->failure, SMB2C_FAIL_BAD_RESPONSE);
	assert_int_equal(r->n_foreign, sizeof(junk));
	smb2_client_free(c);

	/* An SMB message too large to take is SMB all the same: no foreign bytes. */
	r = answered_with(crypto, &c, huge_smb, sizeof(huge_smb));
	assert_int_equal(r->failure, SMB2C_FAIL_BAD_RESPONSE);
	assert_int_equal(r->failed_err, SD_ERR_LIMIT);
	assert_int_equal(r->n_foreign, 0);
	smb2_client_free(c);

	/* Longer than the record: its first 32 bytes. */
	r = answered_with(crypto, &c, http, sizeof(http) - 1);
	assert_int_equal(r->n_foreign, sizeof(r->foreign));
	assert_memory_equal(r->foreign, http, sizeof(r->foreign));
	smb2_client_free(c);
	sd_crypto_free(crypto);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(banner_and_framed_junk_are_foreign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
