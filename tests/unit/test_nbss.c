#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/wire/names.h"
#include "core/wire/nbss.h"
#include "shared_vectors.h"

/* Session request of a Windows 10 client to "SCV" on port 139, read at
 * run time from arkime-wireshark-smb-on-windows10.pcap (shared_vectors.h). */
SHARED_VECTOR(win10_session_request, "arkime-wireshark-smb-on-windows10.pcap", 3, 0, 0, false)
#define win10_session_request (win10_session_request_vec()->p)
#define WIN10_REQUEST_LEN (win10_session_request_vec()->len)

static void
decodes_real_session_request(void **state)
{
	struct sd_anomalies anom = {0};
	struct nbss_pdu pdu;
	char text[16];

	(void)state;
	assert_int_equal(nbss_decode(win10_session_request, WIN10_REQUEST_LEN, NBSS_TRANSPORT_NETBIOS,
				     &pdu, &anom),
			 SD_OK);
	assert_int_equal(anom.n, 0);
	assert_int_equal(pdu.hdr.type, NBSS_SESSION_REQUEST);
	assert_int_equal(pdu.hdr.length, 0x44);
	nbss_name_text(&pdu.request.called, text);
	assert_string_equal(text, "SCV");
	assert_int_equal(nbss_name_suffix(&pdu.request.called), NBSS_SUFFIX_SERVER);
	nbss_name_text(&pdu.request.calling, text);
	assert_string_equal(text, "DESKTOP-V1FA0UQ");
	assert_int_equal(nbss_name_suffix(&pdu.request.calling), NBSS_SUFFIX_WORKSTATION);
	assert_null(pdu.request.called.scope);
}

static void
encodes_session_request_like_windows(void **state)
{
	uint8_t buf[128];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_session_request_encode(&w, "scv", 0x20, "DESKTOP-V1FA0UQ", 0x00, NULL), SD_OK);
	assert_int_equal(w.len, WIN10_REQUEST_LEN);
	assert_memory_equal(buf, win10_session_request, w.len);
}

static void
rfc1001_first_level_example(void **state)
{
	static const char fred[] = "EGFCEFEECACACACACACACACACACACACA";
	uint8_t buf[64];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_name_encode(&w, "FRED", ' ', NULL), SD_OK);
	assert_int_equal(w.len, 34);
	assert_int_equal(buf[0], 32);
	assert_memory_equal(buf + 1, fred, 32);
	assert_int_equal(buf[33], 0);
}

static void
scope_round_trips(void **state)
{
	uint8_t buf[300];
	struct nbss_name name;
	struct sd_wr w;
	struct sd_rd r;
	char text[64];

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_name_encode(&w, "*", 0x00, "NETBIOS.COM"), SD_OK);
	assert_int_equal(w.len, 34 + 8 + 4);
	sd_rd_init(&r, buf, w.len);
	assert_int_equal(nbss_name_decode(&r, &name), SD_OK);
	assert_int_equal(r.off, w.len);
	/* The wildcard is padded with zeros, not spaces. */
	assert_int_equal(name.name[0], '*');
	assert_int_equal(name.name[1], 0);
	assert_int_equal(name.scope_len, 1 + 7 + 1 + 3);
	assert_int_equal(nbss_scope_text(&name, text, sizeof(text)), SD_OK);
	assert_string_equal(text, "NETBIOS.COM");
	assert_int_equal(nbss_scope_text(&name, text, 5), SD_ERR_NO_SPACE);
	assert_string_equal(text, "");
}

static void
name_encoder_rejects_bad_input(void **state)
{
	char long_label[80];
	uint8_t buf[600];
	struct sd_wr w;

	(void)state;
	memset(long_label, 'a', sizeof(long_label) - 1);
	long_label[sizeof(long_label) - 1] = '\0';
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_name_encode(&w, "", 0x20, NULL), SD_ERR_INVALID_ARG);
	assert_int_equal(nbss_name_encode(&w, "SIXTEEN-CHARS-XX", 0x20, NULL), SD_ERR_INVALID_ARG);
	assert_int_equal(nbss_name_encode(&w, "A", 0x20, "a..b"), SD_ERR_INVALID_ARG);
	assert_int_equal(nbss_name_encode(&w, "A", 0x20, "ab."), SD_ERR_INVALID_ARG);
	assert_int_equal(nbss_name_encode(&w, "A", 0x20, long_label), SD_ERR_INVALID_ARG);
	assert_int_equal(w.len, 0);
	sd_wr_init(&w, buf, 10);
	assert_int_equal(nbss_name_encode(&w, "A", 0x20, NULL), SD_ERR_NO_SPACE);
}

static void
name_decoder_rejects_malformed(void **state)
{
	uint8_t buf[300];
	struct nbss_name name;
	struct sd_wr w;
	struct sd_rd r;
	size_t i;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_name_encode(&w, "SERVER", 0x20, NULL), SD_OK);
	buf[5] = 'Q'; /* outside 'A'..'P' */
	sd_rd_init(&r, buf, w.len);
	assert_int_equal(nbss_name_decode(&r, &name), SD_ERR_MALFORMED);
	buf[5] = 'A';
	buf[0] = 31;
	sd_rd_init(&r, buf, w.len);
	assert_int_equal(nbss_name_decode(&r, &name), SD_ERR_MALFORMED);
	buf[0] = 32;
	buf[33] = 0xC0; /* a label pointer */
	sd_rd_init(&r, buf, w.len);
	assert_int_equal(nbss_name_decode(&r, &name), SD_ERR_MALFORMED);
	/* Scope labels adding up past 255 bytes. */
	for (i = 33; i + 21 < sizeof(buf); i += 21) {
		buf[i] = 20;
		memset(buf + i + 1, 'x', 20);
	}
	buf[i] = 0;
	sd_rd_init(&r, buf, i + 1);
	assert_int_equal(nbss_name_decode(&r, &name), SD_ERR_MALFORMED);
}

static void
session_request_truncated_at_every_byte(void **state)
{
	struct nbss_pdu pdu;
	size_t cut;

	(void)state;
	for (cut = 0; cut < WIN10_REQUEST_LEN; cut++)
		assert_int_equal(nbss_decode(win10_session_request, cut, NBSS_TRANSPORT_NETBIOS, &pdu, NULL),
				 SD_ERR_TRUNCATED);
}

static void
short_body_is_malformed(void **state)
{
	uint8_t buf[128];
	struct nbss_pdu pdu;

	(void)state;
	/* The header claims fewer bytes than the two names need. */
	assert_true(WIN10_REQUEST_LEN <= sizeof(buf));
	memcpy(buf, win10_session_request, WIN10_REQUEST_LEN);
	buf[3] = 0x30;
	assert_int_equal(nbss_decode(buf, 4 + 0x30, NBSS_TRANSPORT_NETBIOS, &pdu, NULL), SD_ERR_MALFORMED);
}

static void
header_forms(void **state)
{
	static const uint8_t ext[] = {0x00, 0x01, 0x00, 0x10};
	static const uint8_t direct[] = {0x00, 0x01, 0x00, 0x10};
	static const uint8_t reserved[] = {0x00, 0x80, 0x00, 0x10};
	static const uint8_t bad_type[] = {0x86, 0x00, 0x00, 0x00};
	static const uint8_t direct_request[] = {0x81, 0x00, 0x00, 0x44};
	struct sd_anomalies anom = {0};
	struct nbss_header h;

	(void)state;
	assert_int_equal(nbss_header_decode(ext, 4, NBSS_TRANSPORT_NETBIOS, &h, &anom), SD_OK);
	assert_int_equal(h.length, 0x10010);
	assert_int_equal(nbss_header_decode(direct, 4, NBSS_TRANSPORT_DIRECT, &h, &anom), SD_OK);
	assert_int_equal(h.length, 0x010010);
	assert_int_equal(anom.n, 0);
	assert_int_equal(nbss_header_decode(reserved, 4, NBSS_TRANSPORT_NETBIOS, &h, &anom), SD_OK);
	assert_int_equal(anom.n, 1);
	assert_int_equal(anom.a[0].code, SD_ANOM_RESERVED_NONZERO);
	assert_int_equal(anom.a[0].value, 0x80);
	assert_int_equal(nbss_header_decode(bad_type, 4, NBSS_TRANSPORT_NETBIOS, &h, NULL), SD_ERR_MALFORMED);
	assert_int_equal(nbss_header_decode(direct_request, 4, NBSS_TRANSPORT_DIRECT, &h, NULL), SD_ERR_MALFORMED);
	assert_int_equal(nbss_header_decode(ext, 3, NBSS_TRANSPORT_NETBIOS, &h, NULL), SD_ERR_TRUNCATED);
}

static void
header_encoder_limits(void **state)
{
	uint8_t buf[8];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_header_encode(&w, NBSS_TRANSPORT_NETBIOS, NBSS_SESSION_MESSAGE, 0x1FFFF), SD_OK);
	assert_memory_equal(buf, ((uint8_t[]){0x00, 0x01, 0xFF, 0xFF}), 4);
	assert_int_equal(nbss_header_encode(&w, NBSS_TRANSPORT_NETBIOS, NBSS_SESSION_MESSAGE, 0x20000),
			 SD_ERR_INVALID_ARG);
	assert_int_equal(nbss_header_encode(&w, NBSS_TRANSPORT_DIRECT, NBSS_SESSION_MESSAGE, 0xFFFFFF), SD_OK);
	assert_memory_equal(buf + 4, ((uint8_t[]){0x00, 0xFF, 0xFF, 0xFF}), 4);
	assert_int_equal(nbss_header_encode(&w, NBSS_TRANSPORT_DIRECT, NBSS_SESSION_MESSAGE, 0x1000000),
			 SD_ERR_INVALID_ARG);
	assert_int_equal(nbss_header_encode(&w, NBSS_TRANSPORT_DIRECT, NBSS_SESSION_REQUEST, 4), SD_ERR_INVALID_ARG);
	assert_int_equal(nbss_header_encode(&w, NBSS_TRANSPORT_NETBIOS, 0x99, 0), SD_ERR_INVALID_ARG);
}

static void
control_messages_round_trip(void **state)
{
	uint8_t buf[16];
	struct nbss_pdu pdu;
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_negative_response_encode(&w, NBSS_ERR_CALLED_NAME_NOT_PRESENT), SD_OK);
	assert_memory_equal(buf, ((uint8_t[]){0x83, 0x00, 0x00, 0x01, 0x82}), 5);
	assert_int_equal(nbss_decode(buf, w.len, NBSS_TRANSPORT_NETBIOS, &pdu, NULL), SD_OK);
	assert_int_equal(pdu.error_code, 0x82);
	assert_string_equal(nbss_error_name(pdu.error_code), "CALLED_NAME_NOT_PRESENT");

	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_retarget_response_encode(&w, 0x0A000009, 1139), SD_OK);
	assert_int_equal(nbss_decode(buf, w.len, NBSS_TRANSPORT_NETBIOS, &pdu, NULL), SD_OK);
	assert_int_equal(pdu.hdr.type, NBSS_RETARGET_RESPONSE);
	assert_int_equal(pdu.retarget_ip, 0x0A000009);
	assert_int_equal(pdu.retarget_port, 1139);

	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_positive_response_encode(&w), SD_OK);
	assert_int_equal(nbss_decode(buf, w.len, NBSS_TRANSPORT_NETBIOS, &pdu, NULL), SD_OK);
	assert_int_equal(pdu.hdr.type, NBSS_POSITIVE_RESPONSE);

	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbss_keep_alive_encode(&w, NBSS_TRANSPORT_DIRECT), SD_OK);
	assert_memory_equal(buf, ((uint8_t[]){0x85, 0x00, 0x00, 0x00}), 4);
	assert_int_equal(nbss_decode(buf, w.len, NBSS_TRANSPORT_DIRECT, &pdu, NULL), SD_OK);
	assert_int_equal(pdu.hdr.type, NBSS_KEEP_ALIVE);
	assert_string_equal(nbss_type_name(pdu.hdr.type), "SESSION_KEEP_ALIVE");
}

static void
control_body_sizes(void **state)
{
	static const uint8_t empty_negative[] = {0x83, 0x00, 0x00, 0x00};
	static const uint8_t long_negative[] = {0x83, 0x00, 0x00, 0x02, 0x8F, 0x00};
	static const uint8_t short_retarget[] = {0x84, 0x00, 0x00, 0x04, 1, 2, 3, 4};
	static const uint8_t trailing[] = {0x82, 0x00, 0x00, 0x00, 0xAA};
	struct sd_anomalies anom = {0};
	struct nbss_pdu pdu;

	(void)state;
	assert_int_equal(nbss_decode(empty_negative, sizeof(empty_negative), NBSS_TRANSPORT_NETBIOS, &pdu, NULL),
			 SD_ERR_MALFORMED);
	assert_int_equal(nbss_decode(short_retarget, sizeof(short_retarget), NBSS_TRANSPORT_NETBIOS, &pdu, NULL),
			 SD_ERR_MALFORMED);
	assert_int_equal(nbss_decode(long_negative, sizeof(long_negative), NBSS_TRANSPORT_NETBIOS, &pdu, &anom),
			 SD_OK);
	assert_int_equal(pdu.error_code, 0x8F);
	assert_int_equal(anom.a[0].code, SD_ANOM_LENGTH_MISMATCH);
	anom.n = 0;
	assert_int_equal(nbss_decode(trailing, sizeof(trailing), NBSS_TRANSPORT_NETBIOS, &pdu, &anom), SD_OK);
	assert_int_equal(anom.n, 1);
	assert_int_equal(anom.a[0].code, SD_ANOM_TRAILING_BYTES);
	assert_int_equal(anom.a[0].offset, 4);
}

/* A stream of three PDUs fed one byte at a time: the framer reports each
 * PDU exactly when its last byte arrives. */
static void
framer_accepts_any_cut(void **state)
{
	uint8_t stream[256], buf[256];
	size_t stream_len, have = 0, pdu_len, i, pdus = 0;
	struct nbss_pdu pdu;
	struct sd_wr w;
	enum sd_err err;

	(void)state;
	sd_wr_init(&w, stream, sizeof(stream));
	nbss_header_encode(&w, NBSS_TRANSPORT_DIRECT, NBSS_SESSION_MESSAGE, 5);
	sd_wr_bytes(&w, "\xFFSMBr", 5);
	nbss_keep_alive_encode(&w, NBSS_TRANSPORT_DIRECT);
	nbss_header_encode(&w, NBSS_TRANSPORT_DIRECT, NBSS_SESSION_MESSAGE, 70);
	sd_wr_zero(&w, 70);
	assert_true(sd_wr_ok(&w));
	stream_len = w.len;
	for (i = 0; i < stream_len; i++) {
		buf[have++] = stream[i];
		err = nbss_frame_length(buf, have, NBSS_TRANSPORT_DIRECT, 0, &pdu_len);
		if (err == SD_ERR_TRUNCATED) {
			assert_true(have < NBSS_HEADER_SIZE ? pdu_len == 0 : pdu_len > have);
			continue;
		}
		assert_int_equal(err, SD_OK);
		assert_int_equal(pdu_len, have);
		assert_int_equal(nbss_decode(buf, pdu_len, NBSS_TRANSPORT_DIRECT, &pdu, NULL), SD_OK);
		pdus++;
		have = 0;
	}
	assert_int_equal(pdus, 3);
	assert_int_equal(have, 0);
}

static void
framer_two_pdus_in_one_buffer_and_limit(void **state)
{
	uint8_t buf[64];
	size_t pdu_len;
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	nbss_header_encode(&w, NBSS_TRANSPORT_NETBIOS, NBSS_SESSION_MESSAGE, 3);
	sd_wr_bytes(&w, "abc", 3);
	nbss_positive_response_encode(&w);
	assert_int_equal(nbss_frame_length(buf, w.len, NBSS_TRANSPORT_NETBIOS, 0, &pdu_len), SD_OK);
	assert_int_equal(pdu_len, 7);
	assert_int_equal(nbss_frame_length(buf + 7, w.len - 7, NBSS_TRANSPORT_NETBIOS, 0, &pdu_len), SD_OK);
	assert_int_equal(pdu_len, 4);
	/* A PDU larger than the caller accepts is reported before it arrives. */
	assert_int_equal(nbss_frame_length(buf, 4, NBSS_TRANSPORT_NETBIOS, 6, &pdu_len), SD_ERR_LIMIT);
	assert_int_equal(pdu_len, 7);
	assert_int_equal(nbss_frame_length((const uint8_t *)"\x99\0\0\0", 4, NBSS_TRANSPORT_NETBIOS, 0, &pdu_len),
			 SD_ERR_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_real_session_request),
		cmocka_unit_test(encodes_session_request_like_windows),
		cmocka_unit_test(rfc1001_first_level_example),
		cmocka_unit_test(scope_round_trips),
		cmocka_unit_test(name_encoder_rejects_bad_input),
		cmocka_unit_test(name_decoder_rejects_malformed),
		cmocka_unit_test(session_request_truncated_at_every_byte),
		cmocka_unit_test(short_body_is_malformed),
		cmocka_unit_test(header_forms),
		cmocka_unit_test(header_encoder_limits),
		cmocka_unit_test(control_messages_round_trip),
		cmocka_unit_test(control_body_sizes),
		cmocka_unit_test(framer_accepts_any_cut),
		cmocka_unit_test(framer_two_pdus_in_one_buffer_and_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
