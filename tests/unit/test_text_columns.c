#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/text_columns.h"

/* Measured without any locale set up (smbdiag's own case when it
 * translates nothing): the width still comes from a UTF-8 character type. */
static void
columns_by_what_the_eye_sees(void **state)
{
	(void)state;
	assert_int_equal(text_columns(""), 0);
	assert_int_equal(text_columns("TCP connect"), 11);
	assert_int_equal(text_columns("連線"), 4);                 /* 6 bytes */
	assert_int_equal(text_columns("TCP 連線"), 8);
	assert_int_equal(text_columns("交涉 (NEGOTIATE)"), 16);
	assert_int_equal(text_columns("caf\xc3\xa9"), 4);          /* é: 2 bytes, 1 column */
	assert_int_equal(text_columns("a\xe2\x80\x94" "b"), 3);     /* em dash: 3 bytes, 1 column */
	assert_int_equal(text_columns("e\xcc\x81"), 1);            /* e + combining acute */
	assert_int_equal(text_columns("\xef\xbc\x8c"), 2);         /* full-width comma */
}

static void
bytes_that_are_not_utf8_count_one_each(void **state)
{
	const char *cut = "\xe9\x80";   /* the first two bytes of 連 */

	(void)state;
	assert_int_equal(text_columns("\xff\xfe"), 2);
	assert_int_equal(text_columns(cut), 2);
	assert_int_equal(text_columns("\x80" "a"), 2);
}

static void
pad_to_columns(void **state)
{
	char buf[64] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	assert_non_null(f);
	assert_int_equal(text_pad(f, "連線", 6), 6);
	fputc('|', f);
	assert_int_equal(text_pad(f, "TCP", 6), 6);
	fputc('|', f);
	assert_int_equal(text_pad(f, "longer than six", 6), 15);
	fclose(f);
	assert_string_equal(buf, "連線  |TCP   |longer than six");
}

static void
wide_characters_are_words_of_their_own(void **state)
{
	int cols;

	(void)state;
	assert_int_equal(text_word("hello world", &cols), 5);
	assert_int_equal(cols, 5);
	assert_int_equal(text_word("連線成功", &cols), 3);
	assert_int_equal(cols, 2);
	assert_int_equal(text_word("SMB連線", &cols), 3);
	assert_int_equal(cols, 3);
	assert_int_equal(text_word("caf\xc3\xa9 ok", &cols), 5);
	assert_int_equal(cols, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(columns_by_what_the_eye_sees),
		cmocka_unit_test(bytes_that_are_not_utf8_count_one_each),
		cmocka_unit_test(pad_to_columns),
		cmocka_unit_test(wide_characters_are_words_of_their_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
