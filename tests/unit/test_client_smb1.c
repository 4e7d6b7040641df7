/* The core client's SMB1-first NEGOTIATE (client_negotiate.c): the
 * multi-protocol request, the 0x02FF upgrade to an SMB2 NEGOTIATE with
 * MessageId 1, an SMB1 answer, and an SMB1 answer cut at every byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/proto/client.h"
#include "core/wire/smb1.h"
#include "core/wire/smb2.h"
#include "core/wire/smb2_const.h"
#include "fixed_ctx.h"


static struct smb2_client *
new_client(struct sd_crypto *crypto, bool smb1_only)
{
	struct smb2_client_config cfg;
	struct smb2_client *c = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.user = "alice";
	cfg.password = "Secret123";
	cfg.server_name = "fs1";
	cfg.share = "data";
	cfg.smb1_first = true;
	cfg.smb1_only = smb1_only;
	assert_int_equal(smb2_client_create(&fixed_ctx, crypto, &cfg, &c), SD_OK);
	assert_int_equal(smb2_client_start(c, 1), SD_OK);
	return c;
}

/* The pending output, without its 4-byte frame header. */
static const uint8_t *
sent_message(struct smb2_client *c, size_t *len)
{
	const uint8_t *p;
	size_t n = smb2_client_output(c, &p);

	assert_true(n > 4);
	assert_int_equal(p[0], 0);
	assert_int_equal((size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3], n - 4);
	smb2_client_output_done(c, n, 2);
	*len = n - 4;
	return p + 4;
}

static size_t
frame(uint8_t *out, size_t cap, const uint8_t *msg, size_t len)
{
	assert_true(len + 4 <= cap);
	out[0] = 0;
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	memcpy(out + 4, msg, len);
	return len + 4;
}

static void
multi_protocol_request_then_upgrade(void **state)
{
	struct sd_crypto *crypto = NULL;
	struct smb2_client *c;
	struct smb1_negotiate_request req;
	struct smb2_negotiate_rsp rsp;
	struct smb2_header h;
	uint8_t msg[512], framed[520];
	const uint8_t *out;
	size_t len;
	struct sd_wr w;

	(void)state;
	assert_int_equal(sd_crypto_create(&crypto), SD_OK);
	c = new_client(crypto, false);
	out = sent_message(c, &len);
	assert_int_equal(smb1_negotiate_request_decode(out, len, &req, NULL), SD_OK);
	assert_true(smb1_negotiate_is_multi_protocol(&req));
	assert_true(req.offers_smb2_002);
	assert_true(req.offers_smb2_wildcard);
	assert_int_equal(req.hdr.mid, 0);

	/* The server answers 2.??? with MessageId 0. */
	memset(&h, 0, sizeof(h));
	h.command = SMB2_NEGOTIATE;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.credits = 1;
	memset(&rsp, 0, sizeof(rsp));
	rsp.dialect = SMB2_DIALECT_WILDCARD;
	rsp.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	sd_wr_init(&w, msg, sizeof(msg));
	assert_int_equal(smb2_header_encode(&h, &w), SD_OK);
	assert_int_equal(smb2_negotiate_rsp_encode(&rsp, &w), SD_OK);
	len = frame(framed, sizeof(framed), msg, w.len);
	assert_int_equal(smb2_client_input(c, framed, len, 3), SD_OK);
	assert_int_equal(smb2_client_state(c), SMB2C_NEGOTIATE);
	assert_true(smb2_client_result(c)->smb1_upgraded);

	/* Then an SMB2 NEGOTIATE with MessageId 1. */
	out = sent_message(c, &len);
	assert_int_equal(smb2_header_decode(out, len, &h), SD_OK);
	assert_int_equal(h.command, SMB2_NEGOTIATE);
	assert_int_equal(h.message_id, 1);
	assert_int_equal(smb2_client_result(c)->n_exchanges, 2);
	smb2_client_free(c);
	sd_crypto_free(crypto);
}

static size_t
smb1_answer(uint8_t *framed, size_t cap)
{
	struct smb1_negotiate_response rsp;
	uint8_t msg[256];
	struct sd_wr w;

	memset(&rsp, 0, sizeof(rsp));
	rsp.hdr.command = SMB1_COM_NEGOTIATE;
	rsp.hdr.flags = SMB1_FLAGS_REPLY;
	rsp.word_count = 1;
	rsp.form = SMB1_NEG_FORM_INDEX_ONLY;
	rsp.dialect_index = SMB1_NO_DIALECT;
	sd_wr_init(&w, msg, sizeof(msg));
	assert_int_equal(smb1_negotiate_response_encode(&w, &rsp), SD_OK);
	return frame(framed, cap, msg, w.len);
}

static void
smb1_only_request_and_smb1_answer(void **state)
{
	struct sd_crypto *crypto = NULL;
	struct smb2_client *c;
	struct smb1_negotiate_request req;
	const struct smb2_client_result *r;
	uint8_t framed[300];
	const uint8_t *out;
	size_t len;

	(void)state;
	assert_int_equal(sd_crypto_create(&crypto), SD_OK);
	c = new_client(crypto, true);
	out = sent_message(c, &len);
	assert_int_equal(smb1_negotiate_request_decode(out, len, &req, NULL), SD_OK);
	assert_false(smb1_negotiate_offers_smb2(&req));
	assert_true(smb1_negotiate_dialect_index(&req, SMB1_DIALECT_NT_LM_012) >= 0);
	len = smb1_answer(framed, sizeof(framed));
	smb2_client_input(c, framed, len, 3);
	r = smb2_client_result(c);
	assert_int_equal(smb2_client_state(c), SMB2C_FAILED);
	assert_true(r->smb1_answered);
	assert_int_equal(r->smb1_dialect_index, SMB1_NO_DIALECT);
	assert_int_equal(r->failed_step, SMB2C_STEP_NEGOTIATE);
	assert_true(r->exchanges[0].answered);
	assert_null(smb2_client_pending(c));
	smb2_client_free(c);
	sd_crypto_free(crypto);
}

static void
smb1_answer_cut_at_every_byte(void **state)
{
	struct sd_crypto *crypto = NULL;
	uint8_t framed[300];
	size_t len, cut;

	(void)state;
	assert_int_equal(sd_crypto_create(&crypto), SD_OK);
	len = smb1_answer(framed, sizeof(framed));
	for (cut = 5; cut < len; cut++) {
		struct smb2_client *c = new_client(crypto, true);
		size_t body = cut - 4;
		size_t n;
		const uint8_t *out;

		sent_message(c, &n);
		/* A frame that claims only the bytes present: a short SMB1 body. */
		framed[1] = (uint8_t)(body >> 16);
		framed[2] = (uint8_t)(body >> 8);
		framed[3] = (uint8_t)body;
		smb2_client_input(c, framed, cut, 3);
		assert_int_equal(smb2_client_state(c), SMB2C_FAILED);
		/* Four bytes name it SMB1; fewer are just a bad answer. */
		assert_int_equal(smb2_client_result(c)->smb1_answered, body >= 4);
		assert_int_equal(smb2_client_output(c, &out), 0);
		smb2_client_free(c);
	}
	sd_crypto_free(crypto);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(multi_protocol_request_then_upgrade),
		cmocka_unit_test(smb1_only_request_and_smb1_answer),
		cmocka_unit_test(smb1_answer_cut_at_every_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
