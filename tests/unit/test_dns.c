#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/wire/dns.h"

/* An answer to "alias.lab.test CNAME?" as a name server sends it: the
 * question, then an A record that is not a CNAME (skipped), then the
 * CNAME whose target "fs1" continues with a pointer to "lab.test" in the
 * question (offset 18). */
static const uint8_t alias_answer[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	/* question: alias.lab.test CNAME IN */
	5, 'a', 'l', 'i', 'a', 's', 3, 'l', 'a', 'b', 4, 't', 'e', 's', 't', 0, 0x00, 0x05, 0x00, 0x01,
	/* answer 1: pointer to the question name, A IN, TTL 60, 4 bytes */
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 10, 0, 0, 1,
	/* answer 2: pointer to the question name, CNAME IN, TTL 60, 6 bytes: fs1 + pointer */
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x06, 3, 'f', 's', '1', 0xc0, 0x12,
};

static void
finds_cname_after_other_records(void **state)
{
	char target[256];

	(void)state;
	assert_true(dns_answer_cname(alias_answer, sizeof(alias_answer), target, sizeof(target)));
	assert_string_equal(target, "fs1.lab.test");
}

static void
every_truncation_is_refused(void **state)
{
	char target[256];
	size_t len;

	(void)state;
	for (len = 0; len < sizeof(alias_answer); len++)
		assert_false(dns_answer_cname(alias_answer, len, target, sizeof(target)));
}

static void
no_cname_no_target(void **state)
{
	uint8_t msg[sizeof(alias_answer)];
	char target[256];

	(void)state;
	memcpy(msg, alias_answer, sizeof(msg));
	msg[7] = 1; /* only the A record */
	assert_false(dns_answer_cname(msg, sizeof(msg), target, sizeof(target)));
	msg[7] = 0;
	assert_false(dns_answer_cname(msg, sizeof(msg), target, sizeof(target)));
}

static void
rdlength_past_the_end_is_refused(void **state)
{
	uint8_t msg[sizeof(alias_answer)];
	char target[256];

	(void)state;
	memcpy(msg, alias_answer, sizeof(msg));
	msg[sizeof(msg) - 7] = 0x07; /* the CNAME claims 7 bytes, 6 remain */
	assert_false(dns_answer_cname(msg, sizeof(msg), target, sizeof(target)));
}

static void
pointer_loop_is_refused(void **state)
{
	uint8_t msg[sizeof(alias_answer)];
	char target[256];

	(void)state;
	memcpy(msg, alias_answer, sizeof(msg));
	/* The CNAME target's pointer now points at itself. */
	msg[sizeof(msg) - 1] = (uint8_t)(sizeof(msg) - 2);
	assert_false(dns_answer_cname(msg, sizeof(msg), target, sizeof(target)));
}

static void
small_target_buffer_is_refused(void **state)
{
	char target[8];

	(void)state;
	assert_false(dns_answer_cname(alias_answer, sizeof(alias_answer), target, sizeof(target)));
	assert_false(dns_answer_cname(alias_answer, sizeof(alias_answer), target, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_cname_after_other_records),
		cmocka_unit_test(every_truncation_is_refused),
		cmocka_unit_test(no_cname_no_target),
		cmocka_unit_test(rdlength_past_the_end_is_refused),
		cmocka_unit_test(pointer_loop_is_refused),
		cmocka_unit_test(small_target_buffer_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
