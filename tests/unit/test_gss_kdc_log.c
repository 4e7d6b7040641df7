/* The KDC address the probe reports comes from MIT's trace lines
 * (gss_kdc_log.h): the lines below are as MIT krb5 1.20 writes them. The
 * KDC's clock against ours is bounded by the round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/wire/names.h"
#include "net/gss_kdc_log.h"

static void
answer_address_is_taken_from_the_trace(void **state)
{
	struct gss_kdc_log log;

	(void)state;
	memset(&log, 0, sizeof(log));
	gss_kdc_log_trace_line(&log, "Sending request (185 bytes) to SMBDIAG.TEST");
	assert_string_equal(log.tried, "");
	gss_kdc_log_trace_line(&log, "Initiating TCP connection to stream 127.0.0.1:44207");
	assert_string_equal(log.tried, "127.0.0.1:44207");
	assert_string_equal(log.tried_transport, "tcp");
	gss_kdc_log_trace_line(&log, "Sending initial UDP request to dgram 10.0.0.1:88");
	assert_string_equal(log.tried, "10.0.0.1:88");
	assert_string_equal(log.tried_transport, "udp");
	assert_string_equal(log.answered, "");
	gss_kdc_log_trace_line(&log, "Received answer (237 bytes) from stream 127.0.0.1:44207");
	assert_string_equal(log.answered, "127.0.0.1:44207");
	assert_string_equal(log.answered_transport, "tcp");
	gss_kdc_log_trace_line(&log, "Received answer (90 bytes) from dgram [fd00::1]:88");
	assert_string_equal(log.answered, "[fd00::1]:88");
	assert_string_equal(log.answered_transport, "udp");
}

/* Two KDCs that never answer, each tried over UDP then TCP: every one is
 * kept, in order, once per transport (the last tried alone named only
 * the second). */
static void
every_kdc_tried_is_kept(void **state)
{
	struct gss_kdc_log log;

	(void)state;
	memset(&log, 0, sizeof(log));
	gss_kdc_log_trace_line(&log, "Sending request (185 bytes) to SMBDIAG.TEST");
	gss_kdc_log_trace_line(&log, "Sending initial UDP request to dgram 127.0.0.3:88");
	gss_kdc_log_trace_line(&log, "Sending initial UDP request to dgram 127.0.0.2:88");
	gss_kdc_log_trace_line(&log, "Sending retry UDP request to dgram 127.0.0.3:88");
	gss_kdc_log_trace_line(&log, "Initiating TCP connection to stream 127.0.0.3:88");
	gss_kdc_log_trace_line(&log, "Sending TCP request to stream 127.0.0.3:88");
	gss_kdc_log_trace_line(&log, "Initiating TCP connection to stream 127.0.0.2:88");
	assert_int_equal(log.n_tried, 4);
	assert_string_equal(log.tried_all[0].kdc, "127.0.0.3:88");
	assert_string_equal(log.tried_all[0].transport, "udp");
	assert_string_equal(log.tried_all[1].kdc, "127.0.0.2:88");
	assert_string_equal(log.tried_all[1].transport, "udp");
	assert_string_equal(log.tried_all[2].kdc, "127.0.0.3:88");
	assert_string_equal(log.tried_all[2].transport, "tcp");
	assert_string_equal(log.tried_all[3].kdc, "127.0.0.2:88");
	assert_string_equal(log.tried_all[3].transport, "tcp");
	assert_string_equal(log.tried, "127.0.0.2:88");
}

/* The KDC read its clock between our request and its answer: a reply
 * delayed 15 s on the way (a proxy) by a KDC whose clock is exact shows
 * no skew; a KDC an hour ahead shows the hour, less at most the round
 * trip; a ticket's whole-second start time widens the range by a second. */
static void
kdc_clock_is_bounded_by_the_round_trip(void **state)
{
	(void)state;
	/* sent at 1000.0, answered at 1015.0, the KDC said 1000.2 */
	assert_true(gss_kdc_clock_offset(1000.2, 1000.2, 1000.0, 1015.0) == 0.0);
	assert_true(gss_kdc_clock_offset(4600.2, 4600.2, 1000.0, 1000.004) > 3600.19);
	assert_true(gss_kdc_clock_offset(4600.2, 4600.2, 1000.0, 1000.004) < 3600.21);
	assert_true(gss_kdc_clock_offset(400.0, 400.0, 1000.0, 1000.5) == -600.0);
	/* A ticket issued at 1000 (whole seconds), asked at 1000.7. */
	assert_true(gss_kdc_clock_offset(1000.0, 1001.0, 1000.7, 1000.71) == 0.0);
}

static void
unrelated_or_odd_lines_change_nothing(void **state)
{
	struct gss_kdc_log log;

	(void)state;
	memset(&log, 0, sizeof(log));
	gss_kdc_log_trace_line(&log, NULL);
	gss_kdc_log_trace_line(&log, "Response was not from primary KDC");
	gss_kdc_log_trace_line(&log, "Received answer (12 bytes) from ");
	gss_kdc_log_trace_line(&log, "Received answer (12 bytes) from carrier-pigeon 1.2.3.4:88");
	gss_kdc_log_trace_line(&log, "Sending TCP request to stream ");
	gss_kdc_log_trace_line(&log, "Received error from KDC: -1765328359/Additional pre-authentication required");
	assert_string_equal(log.tried, "");
	assert_string_equal(log.answered, "");
}

static void
encryption_types_are_named(void **state)
{
	(void)state;
	assert_string_equal(krb_etype_name(18), "aes256-cts-hmac-sha1-96");
	assert_string_equal(krb_etype_name(17), "aes128-cts-hmac-sha1-96");
	assert_string_equal(krb_etype_name(23), "rc4-hmac");
	assert_string_equal(krb_etype_name(20), "aes256-cts-hmac-sha384-192");
	assert_null(krb_etype_name(0));
	assert_null(krb_etype_name(-135));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answer_address_is_taken_from_the_trace),
		cmocka_unit_test(every_kdc_tried_is_kept),
		cmocka_unit_test(kdc_clock_is_bounded_by_the_round_trip),
		cmocka_unit_test(unrelated_or_odd_lines_change_nothing),
		cmocka_unit_test(encryption_types_are_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
