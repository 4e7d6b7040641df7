/* MS-SMB2 3.2.5.2: what a client refuses in a NEGOTIATE answer. Real
 * exchanges first (Windows 10 and a 2.x pair pass, impacket's 2.0.2
 * answer to a 3.x offer fails), then answers altered field by field. */
#include "smb2_test_util.h"
#include "negotiate_vectors.h"

#include "core/proto/negotiate_check.h"
#include "core/wire/smb2_const.h"

struct pair {
	struct smb2_negotiate_req req;
	struct smb2_negotiate_rsp rsp;
	struct smb2_negotiate_offer offer;
	struct smb2_negfaults faults;
};

static void
decode_pair(struct pair *p, const uint8_t *req, size_t req_len, const uint8_t *rsp, size_t rsp_len)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(smb2_negotiate_req_decode(req, req_len, &p->req), SD_OK);
	assert_int_equal(smb2_negotiate_rsp_decode(rsp, rsp_len, &p->rsp), SD_OK);
	smb2_negotiate_offer_from_req(&p->offer, &p->req);
}

static void
check(struct pair *p)
{
	smb2_negotiate_check(&p->offer, &p->rsp, &p->faults);
}

static void
assert_fault(const struct smb2_negfaults *x, uint8_t i, enum smb2_negfault_code code, uint16_t context,
	     uint32_t value)
{
	assert_true(i < x->n);
	assert_int_equal(x->f[i].code, code);
	assert_int_equal(x->f[i].context, context);
	assert_int_equal(x->f[i].value, value);
}

static struct smb2_negctx *
response_context(struct pair *p, uint16_t type)
{
	uint8_t i;

	for (i = 0; i < p->rsp.ctx.n; i++)
		if (p->rsp.ctx.ctx[i].type == type)
			return &p->rsp.ctx.ctx[i];
	fail_msg("no context 0x%04x in the answer", type);
	return NULL;
}

/* A context added to the answer by hand. */
static struct smb2_negctx *
add_context(struct pair *p, uint16_t type)
{
	struct smb2_negctx *c = &p->rsp.ctx.ctx[p->rsp.ctx.n++];

	memset(c, 0, sizeof(*c));
	c->type = type;
	c->known = true;
	return c;
}

static void
real_compliant_answers_pass(void **state)
{
	struct pair p;

	(void)state;
	decode_pair(&p, win10_neg_req, win10_neg_req_len, win10_neg_rsp, win10_neg_rsp_len);
	assert_int_equal(p.rsp.dialect, SMB2_DIALECT_311);
	assert_true(p.offer.hashes.sent && p.offer.ciphers.sent);
	check(&p);
	assert_int_equal(p.faults.n, 0);

	decode_pair(&p, smb2_neg_req, smb2_neg_req_len, smb2_neg_rsp, smb2_neg_rsp_len);
	check(&p);
	assert_int_equal(p.faults.n, 0);
}

static void
impacket_answers_a_dialect_not_offered(void **state)
{
	struct pair p;

	(void)state;
	decode_pair(&p, impacket_neg_req, sizeof(impacket_neg_req), impacket_neg_rsp, sizeof(impacket_neg_rsp));
	assert_int_equal(p.offer.n_dialects, 2);
	check(&p);
	assert_int_equal(p.faults.n, 1);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_DIALECT, 0, SMB2_DIALECT_202);
}

static void
wildcard_is_an_invitation_not_a_fault(void **state)
{
	struct pair p;

	(void)state;
	decode_pair(&p, smb2_neg_req, smb2_neg_req_len, smb2_neg_rsp, smb2_neg_rsp_len);
	p.rsp.dialect = SMB2_DIALECT_WILDCARD;
	p.rsp.max_read_size = 0;
	check(&p);
	assert_int_equal(p.faults.n, 0);
}

static void
smb1_offer_accepts_only_what_it_named(void **state)
{
	struct pair p;

	(void)state;
	decode_pair(&p, smb2_neg_req, smb2_neg_req_len, smb2_neg_rsp, smb2_neg_rsp_len);
	smb2_negotiate_offer_from_smb1(&p.offer, true, false);
	p.rsp.dialect = SMB2_DIALECT_202;
	check(&p);
	assert_int_equal(p.faults.n, 0);
	p.rsp.dialect = SMB2_DIALECT_210;
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_DIALECT, 0, SMB2_DIALECT_210);
}

static void
sizes_below_64k_are_faults(void **state)
{
	struct pair p;

	(void)state;
	decode_pair(&p, win10_neg_req, win10_neg_req_len, win10_neg_rsp, win10_neg_rsp_len);
	p.rsp.max_transact_size = SMB2_MIN_MAX_SIZE;
	p.rsp.max_read_size = SMB2_MIN_MAX_SIZE - 1;
	p.rsp.max_write_size = 4096;
	check(&p);
	assert_int_equal(p.faults.n, 2);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_MAX_READ, 0, 65535);
	assert_fault(&p.faults, 1, SMB2_NEGFAULT_MAX_WRITE, 0, 4096);
}

static void
preauth_must_come_once_with_one_offered_hash(void **state)
{
	struct pair p;
	struct smb2_negctx *c;

	(void)state;
	decode_pair(&p, win10_neg_req, win10_neg_req_len, win10_neg_rsp, win10_neg_rsp_len);
	response_context(&p, SMB2_PREAUTH_INTEGRITY_CAPABILITIES)->type = 0x00FF;  /* gone */
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_CONTEXT_COUNT, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, 0);

	decode_pair(&p, win10_neg_req, win10_neg_req_len, win10_neg_rsp, win10_neg_rsp_len);
	c = add_context(&p, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
	c->u.preauth.hash_count = 1;
	c->u.preauth.n_hash_ids = 1;
	c->u.preauth.hash_ids[0] = SMB2_PREAUTH_INTEGRITY_SHA512;
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_CONTEXT_COUNT, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, 2);

	decode_pair(&p, win10_neg_req, win10_neg_req_len, win10_neg_rsp, win10_neg_rsp_len);
	c = response_context(&p, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
	c->u.preauth.hash_count = 2;
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_ID_COUNT, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, 2);

	c->u.preauth.hash_count = 1;
	c->u.preauth.hash_ids[0] = 0x0002;
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_ID_NOT_OFFERED, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, 2);
}

static void
cipher_must_be_one_offered_or_none(void **state)
{
	struct pair p;
	struct smb2_negctx *c;

	(void)state;
	decode_pair(&p, win10_neg_req, win10_neg_req_len, win10_neg_rsp, win10_neg_rsp_len);
	c = response_context(&p, SMB2_ENCRYPTION_CAPABILITIES);
	c->u.encryption.ids[0] = 0;  /* no common cipher: allowed */
	check(&p);
	assert_int_equal(p.faults.n, 0);

	c->u.encryption.ids[0] = SMB2_ENCRYPTION_AES256_GCM;  /* Windows 10 1709 offered only the 128-bit ones */
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_ID_NOT_OFFERED, SMB2_ENCRYPTION_CAPABILITIES,
		     SMB2_ENCRYPTION_AES256_GCM);

	c->u.encryption.ids[0] = SMB2_ENCRYPTION_AES128_GCM;
	c->u.encryption.count = 2;
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_ID_COUNT, SMB2_ENCRYPTION_CAPABILITIES, 2);

	c->u.encryption.count = 1;
	*add_context(&p, SMB2_ENCRYPTION_CAPABILITIES) = *c;
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_CONTEXT_COUNT, SMB2_ENCRYPTION_CAPABILITIES, 2);
}

/* What the client never asked for is not checked (only that it comes at
 * most once). */
static void
contexts_the_client_did_not_send_are_not_judged(void **state)
{
	struct pair p;
	struct smb2_negctx *c;

	(void)state;
	decode_pair(&p, win10_neg_req, win10_neg_req_len, win10_neg_rsp, win10_neg_rsp_len);
	assert_false(p.offer.signing.sent || p.offer.compression.sent);
	c = add_context(&p, SMB2_SIGNING_CAPABILITIES);
	c->u.signing.count = 3;
	check(&p);
	assert_int_equal(p.faults.n, 0);

	p.offer.signing.sent = true;
	p.offer.signing.n = 1;
	p.offer.signing.ids[0] = SMB2_SIGNING_AES_CMAC;
	c->u.signing.count = 1;
	c->u.signing.n_ids = 1;
	c->u.signing.ids[0] = SMB2_SIGNING_AES_GMAC;
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_ID_NOT_OFFERED, SMB2_SIGNING_CAPABILITIES, SMB2_SIGNING_AES_GMAC);
}

static void
compression_lists_something_offered(void **state)
{
	struct pair p;
	struct smb2_negctx *c;

	(void)state;
	decode_pair(&p, win10_neg_req, win10_neg_req_len, win10_neg_rsp, win10_neg_rsp_len);
	p.offer.compression.sent = true;
	p.offer.compression.n = 1;
	p.offer.compression.ids[0] = SMB2_COMPRESSION_LZ77;
	c = add_context(&p, SMB2_COMPRESSION_CAPABILITIES);
	check(&p);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_ID_COUNT, SMB2_COMPRESSION_CAPABILITIES, 0);

	c->u.compression.count = 2;
	c->u.compression.n_algs = 2;
	c->u.compression.algs[0] = SMB2_COMPRESSION_LZ77;
	c->u.compression.algs[1] = SMB2_COMPRESSION_LZNT1;
	check(&p);
	assert_int_equal(p.faults.n, 1);
	assert_fault(&p.faults, 0, SMB2_NEGFAULT_ID_NOT_OFFERED, SMB2_COMPRESSION_CAPABILITIES,
		     SMB2_COMPRESSION_LZNT1);
}

static void
faults_are_capped(void **state)
{
	struct pair p;
	uint8_t i;

	(void)state;
	decode_pair(&p, win10_neg_req, win10_neg_req_len, win10_neg_rsp, win10_neg_rsp_len);
	p.rsp.max_transact_size = p.rsp.max_read_size = p.rsp.max_write_size = 0;
	p.rsp.ctx.n = 0;
	for (i = 0; i < 2; i++) {
		add_context(&p, SMB2_TRANSPORT_CAPABILITIES);
		add_context(&p, SMB2_RDMA_TRANSFORM_CAPABILITIES);
		add_context(&p, SMB2_SIGNING_CAPABILITIES);
		add_context(&p, SMB2_COMPRESSION_CAPABILITIES);
	}
	check(&p);
	assert_int_equal(p.faults.n, SMB2_NEGFAULTS_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_compliant_answers_pass),
		cmocka_unit_test(impacket_answers_a_dialect_not_offered),
		cmocka_unit_test(wildcard_is_an_invitation_not_a_fault),
		cmocka_unit_test(smb1_offer_accepts_only_what_it_named),
		cmocka_unit_test(sizes_below_64k_are_faults),
		cmocka_unit_test(preauth_must_come_once_with_one_offered_hash),
		cmocka_unit_test(cipher_must_be_one_offered_or_none),
		cmocka_unit_test(contexts_the_client_did_not_send_are_not_judged),
		cmocka_unit_test(compression_lists_something_offered),
		cmocka_unit_test(faults_are_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
