#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/wire/cursor.h"

static void
reads_little_and_big_endian(void **state)
{
	static const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
	struct sd_rd r;

	(void)state;
	sd_rd_init(&r, in, sizeof(in));
	assert_int_equal(sd_rd_u8(&r), 0x01);
	assert_int_equal(sd_rd_u16le(&r), 0x0302);
	assert_int_equal(sd_rd_u24be(&r), 0x040506);
	assert_int_equal(sd_rd_u16be(&r), 0x0708);
	assert_int_equal(sd_rd_left(&r), 1);
	assert_true(sd_rd_ok(&r));
}

static void
short_read_is_sticky(void **state)
{
	static const uint8_t in[] = {0xAA, 0xBB, 0xCC};
	struct sd_rd r;

	(void)state;
	sd_rd_init(&r, in, sizeof(in));
	assert_int_equal(sd_rd_u32le(&r), 0);
	assert_int_equal(r.err, SD_ERR_TRUNCATED);
	/* After the failure nothing is read, even what would fit. */
	assert_int_equal(sd_rd_u8(&r), 0);
	assert_int_equal(r.off, 0);
	assert_null(sd_rd_bytes(&r, 1));
	assert_int_equal(sd_rd_left(&r), 0);
}

static void
sub_reader_is_bounded(void **state)
{
	static const uint8_t in[] = {1, 2, 3, 4, 5};
	struct sd_rd r, sub;

	(void)state;
	sd_rd_init(&r, in, sizeof(in));
	sd_rd_skip(&r, 1);
	sub = sd_rd_sub(&r, 2);
	assert_int_equal(sd_rd_u16le(&sub), 0x0302);
	assert_int_equal(sd_rd_u8(&sub), 0);
	assert_int_equal(sub.err, SD_ERR_TRUNCATED);
	assert_true(sd_rd_ok(&r));
	assert_int_equal(sd_rd_u8(&r), 4);
	sub = sd_rd_sub(&r, 9);
	assert_int_equal(sub.err, SD_ERR_TRUNCATED);
	assert_int_equal(r.err, SD_ERR_TRUNCATED);
}

static void
seek_outside_fails(void **state)
{
	static const uint8_t in[] = {1, 2};
	struct sd_rd r;

	(void)state;
	sd_rd_init(&r, in, sizeof(in));
	sd_rd_seek(&r, 2);
	assert_true(sd_rd_ok(&r));
	sd_rd_seek(&r, 3);
	assert_int_equal(r.err, SD_ERR_BAD_OFFSET);
}

static void
range_check_does_not_overflow(void **state)
{
	(void)state;
	assert_true(sd_range_ok(10, 0, 10));
	assert_true(sd_range_ok(10, 10, 0));
	assert_false(sd_range_ok(10, 11, 0));
	assert_false(sd_range_ok(10, 5, SIZE_MAX));
	assert_false(sd_range_ok(10, SIZE_MAX, 1));
}

static void
writer_stops_at_capacity(void **state)
{
	uint8_t buf[7];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	sd_wr_u32le(&w, 0x04030201);
	sd_wr_u24be(&w, 0x050607);
	assert_true(sd_wr_ok(&w));
	assert_int_equal(w.len, 7);
	assert_memory_equal(buf, ((uint8_t[]){1, 2, 3, 4, 5, 6, 7}), 7);
	sd_wr_u8(&w, 8);
	assert_int_equal(w.err, SD_ERR_NO_SPACE);
	assert_int_equal(w.len, 7);
}

static void
writer_aligns_and_patches(void **state)
{
	uint8_t buf[16];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	sd_wr_u16le(&w, 0);
	sd_wr_u8(&w, 0xFF);
	sd_wr_align(&w, 8);
	assert_int_equal(w.len, 8);
	assert_int_equal(buf[3], 0);
	sd_wr_put_u16le_at(&w, 0, 0xBEEF);
	assert_int_equal(buf[0], 0xEF);
	assert_int_equal(buf[1], 0xBE);
	sd_wr_put_u32le_at(&w, 6, 1);
	assert_int_equal(w.err, SD_ERR_INVALID_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_little_and_big_endian),
		cmocka_unit_test(short_read_is_sticky),
		cmocka_unit_test(sub_reader_is_bounded),
		cmocka_unit_test(seek_outside_fails),
		cmocka_unit_test(range_check_does_not_overflow),
		cmocka_unit_test(writer_stops_at_capacity),
		cmocka_unit_test(writer_aligns_and_patches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
