/* The command line's JSON writer (src/cli/json.c), shared by every front. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/json.h"

struct sink {
	char *buf;
	size_t len;
	FILE *f;
};

static struct cli_json *
open_sink(struct sink *s, struct cli_json *j, bool pretty)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	assert_non_null(s->f);
	cli_json_init(j, s->f, pretty);
	return j;
}

static char *
close_sink(struct sink *s)
{
	fclose(s->f);
	return s->buf;
}

static void
compact_document(void **state)
{
	struct sink s;
	struct cli_json j;
	char *out;

	(void)state;
	open_sink(&s, &j, false);
	cli_json_begin_object(&j);
	cli_json_kv_string(&j, "a", "x");
	cli_json_kv_int(&j, "n", -5);
	cli_json_kv_uint(&j, "u", UINT64_MAX);
	cli_json_kv_bool(&j, "b", true);
	cli_json_key(&j, "list");
	cli_json_begin_array(&j);
	cli_json_double(&j, 0.1);
	cli_json_fixed(&j, 6.969, 3);
	cli_json_null(&j);
	cli_json_string(&j, NULL);
	cli_json_begin_object(&j);
	cli_json_end_object(&j);
	cli_json_begin_array(&j);
	cli_json_end_array(&j);
	cli_json_end_array(&j);
	cli_json_end_object(&j);
	assert_int_equal(cli_json_finish(&j), 0);
	out = close_sink(&s);
	assert_string_equal(out, "{\"a\":\"x\",\"n\":-5,\"u\":18446744073709551615,\"b\":true,"
				 "\"list\":[0.1,6.969,null,null,{},[]]}\n");
	free(out);
}

static void
pretty_document(void **state)
{
	struct sink s;
	struct cli_json j;
	char *out;

	(void)state;
	open_sink(&s, &j, true);
	cli_json_begin_object(&j);
	cli_json_key(&j, "k");
	cli_json_begin_array(&j);
	cli_json_int(&j, 1);
	cli_json_int(&j, 2);
	cli_json_end_array(&j);
	cli_json_key(&j, "e");
	cli_json_begin_array(&j);
	cli_json_end_array(&j);
	cli_json_end_object(&j);
	assert_int_equal(cli_json_finish(&j), 0);
	out = close_sink(&s);
	assert_string_equal(out, "{\n  \"k\": [\n    1,\n    2\n  ],\n  \"e\": []\n}\n");
	free(out);
}

static void
strings_are_escaped(void **state)
{
	static const char weird[] = "q\"b\\n\n\t\r\b\f\x01\x7f \xc3\xa9 \xe5\x85\xb1 \xff \xc0\xaf \xed\xa0\x80 \xe5";
	struct sink s;
	struct cli_json j;
	char *out;

	(void)state;
	open_sink(&s, &j, false);
	cli_json_string(&j, weird);
	assert_int_equal(cli_json_finish(&j), 0);
	out = close_sink(&s);
	/* Valid UTF-8 passes through; invalid bytes, overlongs, surrogates
	 * and a truncated sequence become U+FFFD. */
	assert_string_equal(out, "\"q\\\"b\\\\n\\n\\t\\r\\b\\f\\u0001\\u007f \xc3\xa9 \xe5\x85\xb1 \\ufffd "
				 "\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\"\n");
	free(out);
	open_sink(&s, &j, false);
	cli_json_stringn(&j, "a\0b", 3);
	assert_int_equal(cli_json_finish(&j), 0);
	out = close_sink(&s);
	assert_string_equal(out, "\"a\\u0000b\"\n");
	free(out);
}

static void
misuse_is_reported(void **state)
{
	struct sink s;
	struct cli_json j;
	int depth;

	(void)state;
	/* A value where a key is due. */
	open_sink(&s, &j, false);
	cli_json_begin_object(&j);
	cli_json_int(&j, 1);
	cli_json_end_object(&j);
	assert_int_equal(cli_json_finish(&j), -1);
	free(close_sink(&s));
	/* A key with no value, then the end. */
	open_sink(&s, &j, false);
	cli_json_begin_object(&j);
	cli_json_key(&j, "k");
	cli_json_end_object(&j);
	assert_int_equal(cli_json_finish(&j), -1);
	free(close_sink(&s));
	/* Unbalanced and mismatched ends. */
	open_sink(&s, &j, false);
	cli_json_begin_array(&j);
	assert_int_equal(cli_json_finish(&j), -1);
	free(close_sink(&s));
	open_sink(&s, &j, false);
	cli_json_begin_array(&j);
	cli_json_end_object(&j);
	assert_int_equal(cli_json_finish(&j), -1);
	free(close_sink(&s));
	/* Two top-level values; a key outside an object; nothing at all. */
	open_sink(&s, &j, false);
	cli_json_int(&j, 1);
	cli_json_int(&j, 2);
	assert_int_equal(cli_json_finish(&j), -1);
	free(close_sink(&s));
	open_sink(&s, &j, false);
	cli_json_key(&j, "k");
	assert_int_equal(cli_json_finish(&j), -1);
	free(close_sink(&s));
	open_sink(&s, &j, false);
	assert_int_equal(cli_json_finish(&j), -1);
	free(close_sink(&s));
	/* Too deep. */
	open_sink(&s, &j, false);
	for (depth = 0; depth <= CLI_JSON_MAX_DEPTH; depth++)
		cli_json_begin_array(&j);
	assert_true(j.err);
	assert_int_equal(cli_json_finish(&j), -1);
	free(close_sink(&s));
}

static void
numbers_round_trip(void **state)
{
	static const double values[] = {0.0, 1.0, -2.5, 0.000336, 1e300, 123456.789, 0.1 + 0.2};
	struct sink s;
	struct cli_json j;
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		open_sink(&s, &j, false);
		cli_json_double(&j, values[i]);
		assert_int_equal(cli_json_finish(&j), 0);
		out = close_sink(&s);
		assert_true(strtod(out, NULL) == values[i]);
		free(out);
	}
	open_sink(&s, &j, false);
	cli_json_begin_array(&j);
	cli_json_double(&j, 1.0 / 0.0);
	cli_json_fixed(&j, -(1.0 / 0.0), 2);
	cli_json_end_array(&j);
	assert_int_equal(cli_json_finish(&j), 0);
	out = close_sink(&s);
	assert_string_equal(out, "[null,null]\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compact_document),
		cmocka_unit_test(pretty_document),
		cmocka_unit_test(strings_are_escaped),
		cmocka_unit_test(misuse_is_reported),
		cmocka_unit_test(numbers_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
