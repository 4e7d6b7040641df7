#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/wire/utf16.h"

static void
converts_ascii_bmp_and_surrogates(void **state)
{
	/* "A", U+00E9, U+4E2D, U+1F600 (surrogate pair). */
	static const uint8_t in[] = {0x41, 0x00, 0xE9, 0x00, 0x2D, 0x4E, 0x3D, 0xD8, 0x00, 0xDE};
	char out[32];
	size_t n;

	(void)state;
	assert_int_equal(sd_utf16le_to_utf8(in, sizeof(in), out, sizeof(out), &n), SD_OK);
	assert_int_equal(n, 1 + 2 + 3 + 4);
	assert_string_equal(out, "A\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80");
	assert_int_equal(sd_utf16le_to_utf8(in, 0, out, sizeof(out), &n), SD_OK);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	assert_int_equal(sd_utf16le_to_utf8(NULL, 0, out, sizeof(out), &n), SD_OK);
}

static void
output_is_bounded_on_character_boundaries(void **state)
{
	static const uint8_t in[] = {0x41, 0x00, 0xE9, 0x00, 0x42, 0x00};
	char out[8];
	size_t n, cap;

	(void)state;
	/* "A" fits in 2, "Aé" needs 4 (3 + NUL). */
	assert_int_equal(sd_utf16le_to_utf8(in, sizeof(in), out, 3, &n), SD_ERR_NO_SPACE);
	assert_string_equal(out, "A");
	assert_int_equal(n, 1);
	assert_int_equal(sd_utf16le_to_utf8(in, sizeof(in), out, 4, &n), SD_ERR_NO_SPACE);
	assert_string_equal(out, "A\xC3\xA9");
	assert_int_equal(sd_utf16le_to_utf8(in, sizeof(in), out, 5, &n), SD_OK);
	assert_int_equal(sd_utf16le_to_utf8(in, sizeof(in), out, 0, &n), SD_ERR_INVALID_ARG);
	for (cap = 1; cap < 5; cap++) {
		memset(out, 0x7F, sizeof(out));
		(void)sd_utf16le_to_utf8(in, sizeof(in), out, cap, &n);
		assert_true(n < cap);
		assert_int_equal(out[n], '\0');
		assert_int_equal(out[cap], 0x7F);
	}
}

static void
bad_input_is_replaced_and_reported(void **state)
{
	static const uint8_t lone_high[] = {0x3D, 0xD8, 0x41, 0x00};
	static const uint8_t lone_low[] = {0x00, 0xDE};
	static const uint8_t odd[] = {0x41, 0x00, 0x42};
	char out[16];
	size_t n;

	(void)state;
	assert_int_equal(sd_utf16le_to_utf8(lone_high, sizeof(lone_high), out, sizeof(out), &n), SD_ERR_MALFORMED);
	assert_string_equal(out, "\xEF\xBF\xBD" "A");
	assert_int_equal(sd_utf16le_to_utf8(lone_low, sizeof(lone_low), out, sizeof(out), &n), SD_ERR_MALFORMED);
	assert_string_equal(out, "\xEF\xBF\xBD");
	assert_int_equal(sd_utf16le_to_utf8(lone_high, 2, out, sizeof(out), &n), SD_ERR_MALFORMED);
	assert_int_equal(sd_utf16le_to_utf8(odd, sizeof(odd), out, sizeof(out), &n), SD_ERR_MALFORMED);
	assert_string_equal(out, "A");
}

static void
utf8_round_trips_to_utf16(void **state)
{
	static const char text[] = "\\\\fs1\\D\xC3\xA4ten\xF0\x9F\x98\x80";
	uint8_t buf[64];
	char back[64];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(sd_utf8_to_utf16le(text, strlen(text), &w), SD_OK);
	assert_int_equal(w.len, 2 * 11 + 4);
	assert_int_equal(sd_utf16le_to_utf8(buf, w.len, back, sizeof(back), NULL), SD_OK);
	assert_string_equal(back, text);
	sd_wr_init(&w, buf, 3);
	assert_int_equal(sd_utf8_to_utf16le("ab", 2, &w), SD_ERR_NO_SPACE);
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(sd_utf8_to_utf16le("a\xC0\xAF", 3, &w), SD_ERR_MALFORMED); /* overlong */
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(sd_utf8_to_utf16le("\xED\xA0\x80", 3, &w), SD_ERR_MALFORMED); /* surrogate */
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(sd_utf8_to_utf16le("\xE4\xB8", 2, &w), SD_ERR_MALFORMED); /* cut */
	assert_int_equal(sd_load_u16le(buf), 0xFFFD);
	assert_int_equal(sd_utf8_to_utf16le(NULL, 1, &w), SD_ERR_INVALID_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(converts_ascii_bmp_and_surrogates),
		cmocka_unit_test(output_is_bounded_on_character_boundaries),
		cmocka_unit_test(bad_input_is_replaced_and_reported),
		cmocka_unit_test(utf8_round_trips_to_utf16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
