#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth_vectors.h"
#include "core/auth/der.h"

static enum sd_err
read_one(const uint8_t *p, size_t len, struct der_tlv *t)
{
	struct sd_rd r;

	sd_rd_init(&r, p, len);
	der_read_tlv(&r, t);
	return r.err;
}

static void
reads_low_and_high_tag_numbers(void **state)
{
	static const uint8_t low[] = {0xa3, 0x02, 0x05, 0x00};
	static const uint8_t high[] = {0x7f, 0x81, 0x00, 0x01, 0xAA};
	struct der_tlv t;

	(void)state;
	assert_int_equal(read_one(low, sizeof(low), &t), SD_OK);
	assert_int_equal(t.cls, DER_CONTEXT);
	assert_true(t.constructed);
	assert_int_equal(t.tag, 3);
	assert_int_equal(t.len, 2);
	assert_int_equal(t.hdr_len, 2);
	assert_int_equal(read_one(high, sizeof(high), &t), SD_OK);
	assert_int_equal(t.cls, DER_APPLICATION);
	assert_int_equal(t.tag, 128);
	assert_int_equal(t.len, 1);
	assert_int_equal(t.v[0], 0xAA);
}

static void
refuses_bad_identifiers(void **state)
{
	static const uint8_t leading_80[] = {0x1f, 0x80, 0x01, 0x00};
	static const uint8_t small_in_high[] = {0x1f, 0x05, 0x00};
	static const uint8_t unfinished[] = {0x1f, 0x81};
	struct der_tlv t;

	(void)state;
	assert_int_equal(read_one(leading_80, sizeof(leading_80), &t), SD_ERR_MALFORMED);
	assert_int_equal(read_one(small_in_high, sizeof(small_in_high), &t), SD_ERR_MALFORMED);
	assert_int_equal(read_one(unfinished, sizeof(unfinished), &t), SD_ERR_TRUNCATED);
}

static void
reads_short_and_long_lengths(void **state)
{
	uint8_t buf[304] = {0x04, 0x82, 0x01, 0x2c};
	static const uint8_t long1[] = {0x04, 0x81, 0x01, 0x55};
	static const uint8_t indefinite[] = {0x30, 0x80, 0x00, 0x00};
	static const uint8_t reserved[] = {0x04, 0xff, 0x00};
	static const uint8_t too_long[] = {0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00};
	static const uint8_t overrun[] = {0x04, 0x05, 0x01, 0x02};
	struct der_tlv t;

	(void)state;
	assert_int_equal(read_one(buf, sizeof(buf), &t), SD_OK);
	assert_int_equal(t.len, 300);
	assert_false(t.long_len_nonminimal);
	assert_int_equal(read_one(long1, sizeof(long1), &t), SD_OK);
	assert_int_equal(t.len, 1);
	assert_true(t.long_len_nonminimal);
	assert_int_equal(read_one(indefinite, sizeof(indefinite), &t), SD_ERR_MALFORMED);
	assert_int_equal(read_one(reserved, sizeof(reserved), &t), SD_ERR_MALFORMED);
	assert_int_equal(read_one(too_long, sizeof(too_long), &t), SD_ERR_MALFORMED);
	assert_int_equal(read_one(overrun, sizeof(overrun), &t), SD_ERR_TRUNCATED);
	assert_int_equal(read_one(buf, 10, &t), SD_ERR_TRUNCATED);
}

static int64_t
int_of(const uint8_t *p, size_t len, int64_t min, int64_t max, enum sd_err *err)
{
	struct sd_rd r;
	int64_t v;

	sd_rd_init(&r, p, len);
	v = der_read_int(&r, min, max);
	*err = r.err;
	return v;
}

static void
decodes_integers_with_range_checks(void **state)
{
	static const uint8_t i127[] = {0x02, 0x01, 0x7f};
	static const uint8_t im128[] = {0x02, 0x01, 0x80};
	static const uint8_t i128[] = {0x02, 0x02, 0x00, 0x80};
	static const uint8_t u32max[] = {0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t empty[] = {0x02, 0x00};
	static const uint8_t nine[] = {0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t padded[] = {0x02, 0x03, 0x00, 0x00, 0x05};
	static const uint8_t not_int[] = {0x04, 0x01, 0x05};
	enum sd_err err;

	(void)state;
	assert_int_equal(int_of(i127, sizeof(i127), INT32_MIN, INT32_MAX, &err), 127);
	assert_int_equal(err, SD_OK);
	assert_int_equal(int_of(im128, sizeof(im128), INT32_MIN, INT32_MAX, &err), -128);
	assert_int_equal(int_of(i128, sizeof(i128), INT32_MIN, INT32_MAX, &err), 128);
	assert_int_equal(int_of(u32max, sizeof(u32max), 0, UINT32_MAX, &err), 4294967295LL);
	assert_int_equal(err, SD_OK);
	int_of(u32max, sizeof(u32max), INT32_MIN, INT32_MAX, &err);
	assert_int_equal(err, SD_ERR_MALFORMED);
	int_of(empty, sizeof(empty), INT32_MIN, INT32_MAX, &err);
	assert_int_equal(err, SD_ERR_MALFORMED);
	int_of(nine, sizeof(nine), INT64_MIN, INT64_MAX, &err);
	assert_int_equal(err, SD_ERR_MALFORMED);
	assert_int_equal(int_of(padded, sizeof(padded), 0, 10, &err), 5);
	assert_int_equal(err, SD_OK);
	int_of(not_int, sizeof(not_int), 0, 10, &err);
	assert_int_equal(err, SD_ERR_MALFORMED);
}

static void
formats_oids(void **state)
{
	static const uint8_t krb5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
	static const uint8_t ntlm[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
	static const uint8_t joint[] = {0x88, 0x37, 0x03};
	static const uint8_t unfinished[] = {0x2a, 0x86};
	static const uint8_t leading_80[] = {0x2a, 0x80, 0x01};
	char text[64];

	(void)state;
	assert_int_equal(der_oid_text(krb5, sizeof(krb5), text, sizeof(text)), SD_OK);
	assert_string_equal(text, "1.2.840.113554.1.2.2");
	assert_int_equal(der_oid_text(ntlm, sizeof(ntlm), text, sizeof(text)), SD_OK);
	assert_string_equal(text, "1.3.6.1.4.1.311.2.2.10");
	assert_int_equal(der_oid_text(joint, sizeof(joint), text, sizeof(text)), SD_OK);
	assert_string_equal(text, "2.999.3");
	assert_int_equal(der_oid_text(unfinished, sizeof(unfinished), text, sizeof(text)), SD_ERR_MALFORMED);
	assert_int_equal(der_oid_text(leading_80, sizeof(leading_80), text, sizeof(text)), SD_ERR_MALFORMED);
	assert_int_equal(der_oid_text(krb5, 0, text, sizeof(text)), SD_ERR_MALFORMED);
	assert_int_equal(der_oid_text(krb5, sizeof(krb5), text, 20), SD_ERR_NO_SPACE);
	assert_string_equal(text, "");
	assert_int_equal(der_oid_text(krb5, sizeof(krb5), text, 21), SD_OK);
	assert_true(der_oid_equal(krb5, sizeof(krb5), krb5, sizeof(krb5)));
	assert_false(der_oid_equal(krb5, sizeof(krb5), ntlm, sizeof(ntlm)));
}

static void
reads_flags_and_strings(void **state)
{
	static const uint8_t kdc_options[] = {0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10};
	static const uint8_t short_bits[] = {0x03, 0x02, 0x07, 0x80};
	static const uint8_t bad_unused[] = {0x03, 0x02, 0x08, 0x80};
	static const uint8_t realm[] = {0x1b, 0x04, 'T', 'E', 'S', 'T'};
	static const uint8_t constructed_octets[] = {0x24, 0x03, 0x04, 0x01, 0x00};
	struct sd_rd r;
	const uint8_t *s;
	size_t len;

	(void)state;
	sd_rd_init(&r, kdc_options, sizeof(kdc_options));
	assert_int_equal(der_read_flags32(&r), 0x40810010);
	assert_true(sd_rd_ok(&r));
	sd_rd_init(&r, short_bits, sizeof(short_bits));
	assert_int_equal(der_read_flags32(&r), 0x80000000u);
	sd_rd_init(&r, bad_unused, sizeof(bad_unused));
	der_read_flags32(&r);
	assert_int_equal(r.err, SD_ERR_MALFORMED);
	sd_rd_init(&r, realm, sizeof(realm));
	s = der_read_string(&r, DER_TAG_GENERAL_STRING, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(s, "TEST", 4);
	/* BER's constructed OCTET STRING is not DER. */
	sd_rd_init(&r, constructed_octets, sizeof(constructed_octets));
	assert_null(der_read_octets(&r, &len));
	assert_int_equal(r.err, SD_ERR_MALFORMED);
}

static void
parses_generalized_time(void **state)
{
	struct der_time t;

	(void)state;
	assert_int_equal(der_time((const uint8_t *)"20190205033848Z", 15, &t), SD_OK);
	assert_int_equal(t.epoch, 1549337928);
	assert_int_equal(t.year, 2019);
	assert_int_equal(t.second, 48);
	assert_int_equal(der_time((const uint8_t *)"20000229235959Z", 15, &t), SD_OK);
	assert_int_equal(t.epoch, 951868799);
	assert_int_equal(der_time((const uint8_t *)"19691231235959Z", 15, &t), SD_OK);
	assert_int_equal(t.epoch, -1);
	assert_int_equal(der_time((const uint8_t *)"20370913024805.25Z", 18, &t), SD_OK);
	assert_int_equal(t.epoch, 2136422885);
	assert_int_equal(der_time((const uint8_t *)"20191305033848Z", 15, &t), SD_ERR_MALFORMED);
	assert_int_equal(der_time((const uint8_t *)"20190205033848", 14, &t), SD_ERR_MALFORMED);
	assert_int_equal(der_time((const uint8_t *)"2019020503384xZ", 15, &t), SD_ERR_MALFORMED);
	assert_int_equal(der_time((const uint8_t *)"20190205033848.Z", 16, &t), SD_ERR_MALFORMED);
}

static void
writer_round_trips_values(void **state)
{
	static const int64_t ints[] = {0, 1, 127, 128, 255, 256, -1, -128, -129, 4294967295LL, INT64_MIN,
				       INT64_MAX};
	uint8_t buf[512], payload[300];
	struct sd_wr w;
	struct sd_rd r, seq;
	size_t i, len, outer;
	const uint8_t *p;

	(void)state;
	memset(payload, 0x5a, sizeof(payload));
	sd_wr_init(&w, buf, sizeof(buf));
	outer = der_wr_open(&w, DER_APPLICATION, 200);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		der_wr_int(&w, ints[i]);
	der_wr_octets(&w, payload, 200);
	der_wr_time(&w, 1549337928);
	der_wr_flags32(&w, 0x40810010);
	der_wr_close(&w, outer);
	assert_true(sd_wr_ok(&w));
	assert_int_equal(der_validate(buf, w.len, &len), SD_OK);
	assert_int_equal(len, 1 + 12 + 3);

	sd_rd_init(&r, buf, w.len);
	seq = der_enter(&r, DER_APPLICATION, 200);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		assert_true(der_read_int(&seq, INT64_MIN, INT64_MAX) == ints[i]);
	p = der_read_octets(&seq, &len);
	assert_int_equal(len, 200);
	assert_memory_equal(p, payload, 200);
	assert_int_equal(der_read_time(&seq), 1549337928);
	assert_int_equal(der_read_flags32(&seq), 0x40810010);
	assert_true(sd_rd_ok(&seq));
	assert_int_equal(sd_rd_left(&seq), 0);
	assert_int_equal(sd_rd_left(&r), 0);
	/* Lengths at the short/long boundary and over 255. */
	sd_wr_init(&w, buf, sizeof(buf));
	der_wr_octets(&w, payload, 127);
	assert_int_equal(buf[1], 127);
	sd_wr_init(&w, buf, sizeof(buf));
	der_wr_octets(&w, payload, 128);
	assert_memory_equal(buf, ((uint8_t[]){0x04, 0x81, 0x80}), 3);
	sd_wr_init(&w, buf, sizeof(buf));
	der_wr_octets(&w, payload, 300);
	assert_memory_equal(buf, ((uint8_t[]){0x04, 0x82, 0x01, 0x2c}), 4);
}

static void
writer_minimal_integers_and_tags(void **state)
{
	uint8_t buf[32];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	der_wr_int(&w, 128);
	der_wr_int(&w, -128);
	der_wr_tag(&w, DER_CONTEXT, true, 0x4000);
	assert_memory_equal(buf, ((uint8_t[]){0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x80, 0xbf, 0x81, 0x80, 0x00}),
			    11);
}

static void
writer_runs_out_of_space(void **state)
{
	uint8_t buf[6];
	struct sd_wr w;
	size_t c;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	c = der_wr_open(&w, DER_UNIVERSAL, DER_TAG_SEQUENCE);
	der_wr_int(&w, 1);
	der_wr_int(&w, 2);
	/* The second INTEGER no longer fits; the close is then a no-op. */
	der_wr_close(&w, c);
	assert_int_equal(w.err, SD_ERR_NO_SPACE);
}

static void
validate_bounds_nesting(void **state)
{
	uint8_t buf[128];
	size_t i, n;

	(void)state;
	/* 30 nested empty-ended SEQUENCEs: 30 0x 30 0x ... */
	for (i = 0; i < 30; i++) {
		buf[2 * i] = 0x30;
		buf[2 * i + 1] = (uint8_t)(2 * (29 - i));
	}
	assert_int_equal(der_validate(buf, 60, &n), SD_ERR_LIMIT);
	assert_int_equal(der_validate(buf + 2 * 10, 40, &n), SD_OK);
	assert_int_equal(n, 20);
}

static void
validate_real_token_and_every_truncation(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("spnego-init-krb5-apreq.bin", buf, sizeof(buf)), n, i;

	(void)state;
	assert_int_equal(der_validate(buf, len, &n), SD_OK);
	assert_true(n > 8);
	for (i = 1; i < len; i++) {
		uint8_t *cut = auth_exact_copy(buf, i);

		assert_int_not_equal(der_validate(cut, i, &n), SD_OK);
		free(cut);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_low_and_high_tag_numbers),
		cmocka_unit_test(refuses_bad_identifiers),
		cmocka_unit_test(reads_short_and_long_lengths),
		cmocka_unit_test(decodes_integers_with_range_checks),
		cmocka_unit_test(formats_oids),
		cmocka_unit_test(reads_flags_and_strings),
		cmocka_unit_test(parses_generalized_time),
		cmocka_unit_test(writer_round_trips_values),
		cmocka_unit_test(writer_minimal_integers_and_tags),
		cmocka_unit_test(writer_runs_out_of_space),
		cmocka_unit_test(validate_bounds_nesting),
		cmocka_unit_test(validate_real_token_and_every_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
