#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth_vectors.h"
#include "core/auth/ntlmssp.h"
#include "core/auth/spnego.h"

/* MS-NLMP 4.2.2 (NTLMv1) and 4.2.4 (NTLMv2) example messages. */
static const char v1_challenge_hex[] =
	"4E544C4D53535000020000000C000C0038000000338202E20123456789ABCDEF00000000000000000000000000000000"
	"060070170000000F530065007200760065007200";
static const char v1_authenticate_hex[] =
	"4E544C4D5353500003000000180018006C00000018001800840000000C000C00480000000800080054000000100010005C"
	"000000100010009C000000358280E20501280A0000000F44006F006D00610069006E00550073006500720043004F004D00"
	"5000550054004500520098DEF7B87F88AA5DAFE2DF779688A172DEF11C7D5CCDEF1367C43011F30298A2AD35ECE64F1633"
	"1C44BDBED927841F94518822B1B3F350C8958682ECBB3E3CB7";
static const char v2_challenge_hex[] =
	"4E544C4D53535000020000000C000C003800000033828AE20123456789ABCDEF00000000000000002400240044000000"
	"060070170000000F53006500720076006500720002000C0044006F006D00610069006E0001000C00530065007200760065"
	"00720000000000";
static const char v2_authenticate_hex[] =
	"4E544C4D5353500003000000180018006C00000054005400840000000C000C00480000000800080054000000100010005C"
	"00000010001000D8000000358288E20501280A0000000F44006F006D00610069006E00550073006500720043004F004D00"
	"5000550054004500520086C35097AC9CEC102554764A57CCCC19AAAAAAAAAAAAAAAA68CD0AB851E51C96AABC927BEBEF6A"
	"1C01010000000000000000000000000000AAAAAAAAAAAAAAAA0000000002000C0044006F006D00610069006E0001000C00"
	"5300650072007600650072000000000000000000C5DAD2544FC9799094CE1CE90BC9D03E";

static const uint8_t user_utf16[] = {'U', 0, 's', 0, 'e', 0, 'r', 0};

static void
ms_nlmp_v2_challenge(void **state)
{
	uint8_t msg[256];
	size_t len = auth_unhex(v2_challenge_hex, msg, sizeof(msg));
	struct ntlm_challenge c;
	const struct ntlm_av_pair *av;

	(void)state;
	assert_int_equal(ntlm_decode_challenge(msg, len, &c), SD_OK);
	assert_int_equal(c.flags, 0xE28A8233);
	assert_memory_equal(c.server_challenge, ((uint8_t[]){0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}), 8);
	assert_int_equal(c.target_name.len, 12);
	assert_memory_equal(c.target_name.p, "S\0e\0r\0v\0e\0r\0", 12);
	assert_true(c.version.present);
	assert_int_equal(c.version.major, 6);
	assert_int_equal(c.version.build, 6000);
	assert_int_equal(c.version.revision, 15);
	assert_int_equal(c.av.n, 2);
	assert_true(c.av.has_eol);
	assert_int_equal(c.av.raw_len, 0x24);
	av = ntlm_av_find(&c.av, NTLM_AV_NB_DOMAIN_NAME);
	assert_non_null(av);
	assert_memory_equal(av->value, "D\0o\0m\0a\0i\0n\0", 12);
	assert_int_equal(c.av.av[1].id, NTLM_AV_NB_COMPUTER_NAME);
	assert_false(c.av.has_timestamp);
	assert_int_equal(c.anom.n, 0);
}

static void
ms_nlmp_v2_authenticate(void **state)
{
	uint8_t msg[512];
	size_t len = auth_unhex(v2_authenticate_hex, msg, sizeof(msg));
	struct ntlm_authenticate a;

	(void)state;
	assert_int_equal(ntlm_decode_authenticate(msg, len, &a), SD_OK);
	assert_int_equal(a.flags, 0xE2888235);
	assert_int_equal(a.kind, NTLM_RESP_NTLMV2);
	assert_false(a.has_mic);
	assert_false(a.mic_announced);
	assert_null(a.mic);
	assert_true(a.version.present);
	assert_int_equal(a.version.build, 2600);
	assert_int_equal(a.user.len, 8);
	assert_memory_equal(a.user.p, user_utf16, 8);
	assert_int_equal(a.domain.offset, 0x48);
	assert_int_equal(a.session_key.len, 16);
	assert_int_equal(a.session_key.p[0], 0xC5);
	assert_memory_equal(a.v2.nt_proof_str,
			    ((uint8_t[]){0x68, 0xcd, 0x0a, 0xb8, 0x51, 0xe5, 0x1c, 0x96, 0xaa, 0xbc, 0x92, 0x7b,
					 0xeb, 0xef, 0x6a, 0x1c}),
			    16);
	assert_int_equal(a.v2.blob_len, 0x54 - 16);
	assert_int_equal(a.v2.blob[0], 1);
	assert_int_equal(a.v2.resp_type, 1);
	assert_int_equal(a.v2.hi_resp_type, 1);
	assert_int_equal(a.v2.timestamp, 0);
	assert_memory_equal(a.v2.client_challenge, "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa", 8);
	assert_int_equal(a.v2.av.n, 2);
	assert_null(a.v2.av.target_name);
	assert_int_equal(a.lm_response.len, 24);
	assert_int_equal(a.anom.n, 0);
	assert_string_equal(ntlm_response_kind_name(a.kind), "ntlmv2");
}

static void
ms_nlmp_v1_messages(void **state)
{
	uint8_t msg[512];
	size_t len = auth_unhex(v1_authenticate_hex, msg, sizeof(msg));
	struct ntlm_authenticate a;
	struct ntlm_challenge c;

	(void)state;
	assert_int_equal(ntlm_decode_authenticate(msg, len, &a), SD_OK);
	assert_int_equal(a.kind, NTLM_RESP_NTLMV1);
	assert_int_equal(a.nt_response.len, 24);
	assert_int_equal(a.nt_response.p[0], 0x67);
	assert_false(a.has_mic);
	/* The same message with ESS and LM = ClientChallenge || Z(16). */
	a.flags |= NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
	memset(msg + 0x6c + 8, 0, 16);
	ntlm_classify_responses(&a);
	assert_int_equal(a.kind, NTLM_RESP_NTLMV1_ESS);

	len = auth_unhex(v1_challenge_hex, msg, sizeof(msg));
	assert_int_equal(ntlm_decode_challenge(msg, len, &c), SD_OK);
	assert_int_equal(c.flags, 0xE2028233);
	assert_int_equal(c.target_info.len, 0);
	assert_int_equal(c.av.n, 0);
}

static void
windows10_authenticate_with_mic_and_spn(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("spnego-resp-ntlm-authenticate.bin", buf, sizeof(buf));
	struct spnego_token tok;
	struct ntlm_authenticate a;
	static const char spn[] = "cifs/192.168.199.133";
	size_t i;

	(void)state;
	assert_int_equal(spnego_decode(buf, len, &tok), SD_OK);
	assert_int_equal(ntlm_decode_authenticate(tok.resp.response_token.p, tok.resp.response_token.len, &a),
			 SD_OK);
	assert_int_equal(a.flags, 0xe2888215);
	assert_int_equal(a.kind, NTLM_RESP_NTLMV2);
	assert_true(a.has_mic);
	assert_true(a.mic_announced);
	assert_ptr_equal(a.mic, a.raw + NTLM_MIC_OFFSET);
	assert_int_equal(a.domain.offset, 88);
	assert_true(a.v2.av.has_flags);
	assert_int_equal(a.v2.av.flags, NTLM_AVFLAG_MIC_PRESENT);
	assert_true(a.v2.av.has_timestamp);
	assert_int_equal(a.v2.timestamp, a.v2.av.timestamp);
	assert_non_null(a.v2.av.channel_bindings);
	assert_int_equal(a.v2.av.target_name_len, 2 * strlen(spn));
	for (i = 0; i < strlen(spn); i++) {
		assert_int_equal(a.v2.av.target_name[2 * i], spn[i]);
		assert_int_equal(a.v2.av.target_name[2 * i + 1], 0);
	}
	assert_non_null(ntlm_av_find(&a.v2.av, NTLM_AV_SINGLE_HOST));
	assert_int_equal(a.anom.n, 0);
}

static void
raw_ntlm_from_smb1_capture(void **state)
{
	uint8_t buf[AUTH_VECTOR_MAX];
	size_t len = auth_vector("ntlm-raw-negotiate.bin", buf, sizeof(buf));
	struct ntlm_negotiate n;
	struct ntlm_challenge c;
	struct ntlm_authenticate a;
	uint32_t type;

	(void)state;
	assert_int_equal(ntlm_message_type(buf, len, &type), SD_OK);
	assert_int_equal(type, NTLM_NEGOTIATE);
	assert_int_equal(ntlm_decode_negotiate(buf, len, &n), SD_OK);
	assert_int_equal(n.flags, 0x62880205);
	assert_true(n.version.present);
	assert_int_equal(n.version.major, 6);
	assert_int_equal(n.version.minor, 1);
	assert_int_equal(n.version.build, 7600);
	assert_null(n.domain.p);

	len = auth_vector("ntlm-raw-challenge.bin", buf, sizeof(buf));
	assert_int_equal(ntlm_decode_challenge(buf, len, &c), SD_OK);
	assert_true(c.av.has_eol);
	assert_false(c.av.has_timestamp);
	assert_true(c.av.has_flags);
	assert_non_null(ntlm_av_find(&c.av, NTLM_AV_DNS_COMPUTER_NAME));

	len = auth_vector("ntlm-raw-authenticate.bin", buf, sizeof(buf));
	assert_int_equal(ntlm_decode_authenticate(buf, len, &a), SD_OK);
	assert_int_equal(a.kind, NTLM_RESP_NTLMV2);
	assert_int_equal(a.v2.timestamp, 0x01d18fd8d33aa980ull);
	assert_int_equal(ntlm_decode_challenge(buf, len, &c), SD_ERR_PROTOCOL_ID);
}

static void
malformed_messages(void **state)
{
	uint8_t msg[512];
	size_t len = auth_unhex(v2_authenticate_hex, msg, sizeof(msg));
	struct ntlm_authenticate a;
	struct ntlm_challenge c;
	uint32_t type;

	(void)state;
	assert_int_equal(ntlm_message_type((const uint8_t *)"NTLMSSQ\0\1\0\0\0", 12, &type), SD_ERR_PROTOCOL_ID);
	assert_int_equal(ntlm_message_type((const uint8_t *)"NTLM", 4, &type), SD_ERR_TRUNCATED);
	/* NT response offset pointing past the end. */
	sd_store_u32le(msg + 24, (uint32_t)len);
	assert_int_equal(ntlm_decode_authenticate(msg, len, &a), SD_ERR_BAD_OFFSET);
	/* Offset so large that offset + len wraps a 32-bit sum. */
	sd_store_u32le(msg + 24, 0xFFFFFFF0u);
	assert_int_equal(ntlm_decode_authenticate(msg, len, &a), SD_ERR_BAD_OFFSET);
	/* MaxLen differing from Len is only an anomaly. */
	len = auth_unhex(v2_authenticate_hex, msg, sizeof(msg));
	sd_store_u16le(msg + 30, 0x60);
	assert_int_equal(ntlm_decode_authenticate(msg, len, &a), SD_OK);
	assert_int_equal(a.anom.n, 1);
	assert_int_equal(a.anom.a[0].code, SD_ANOM_LENGTH_MISMATCH);
	assert_int_equal(a.anom.a[0].offset, 28);
	/* Target info whose AV pair runs past its field. */
	len = auth_unhex(v2_challenge_hex, msg, sizeof(msg));
	sd_store_u16le(msg + 0x44 + 2, 0x40);
	assert_int_equal(ntlm_decode_challenge(msg, len, &c), SD_ERR_MALFORMED);
	/* Target info without MsvAvEOL: decoded, flagged. */
	len = auth_unhex(v2_challenge_hex, msg, sizeof(msg));
	sd_store_u16le(msg + 40, 0x20);
	sd_store_u16le(msg + 42, 0x20);
	assert_int_equal(ntlm_decode_challenge(msg, len, &c), SD_OK);
	assert_false(c.av.has_eol);
	assert_int_equal(c.anom.a[0].code, SD_ANOM_LENGTH_MISMATCH);
}

static void
every_truncation_is_safe(void **state)
{
	static const char *const hex[] = {v1_authenticate_hex, v2_authenticate_hex, v1_challenge_hex,
					  v2_challenge_hex};
	uint8_t msg[512];
	struct ntlm_authenticate a;
	struct ntlm_challenge c;
	struct ntlm_negotiate n;
	size_t h, len, i;

	(void)state;
	for (h = 0; h < 4; h++) {
		len = auth_unhex(hex[h], msg, sizeof(msg));
		for (i = 0; i < len; i++) {
			uint8_t *cut = auth_exact_copy(msg, i);

			/* The last payload field ends the message: every cut breaks it. */
			if (h < 2)
				assert_int_not_equal(ntlm_decode_authenticate(cut, i, &a), SD_OK);
			else
				assert_int_not_equal(ntlm_decode_challenge(cut, i, &c), SD_OK);
			(void)ntlm_decode_negotiate(cut, i, &n);
			free(cut);
		}
	}
	len = auth_vector("ntlm-raw-negotiate.bin", msg, sizeof(msg));
	for (i = 0; i < len; i++) {
		uint8_t *cut = auth_exact_copy(msg, i);
		enum sd_err err = ntlm_decode_negotiate(cut, i, &n);

		/* Fields and version are optional tails: short cuts fail, the
		 * rest decode without them. */
		if (i < 16)
			assert_int_not_equal(err, SD_OK);
		else
			assert_true(err == SD_OK && (!n.version.present || i >= 40));
		free(cut);
	}
}

static void
reencodes_ms_nlmp_examples_exactly(void **state)
{
	static const char *const hex[] = {v1_authenticate_hex, v2_authenticate_hex};
	uint8_t msg[512], out[512];
	struct ntlm_authenticate a;
	struct ntlm_challenge c;
	struct sd_wr w;
	size_t h, len;

	(void)state;
	for (h = 0; h < 2; h++) {
		len = auth_unhex(hex[h], msg, sizeof(msg));
		assert_int_equal(ntlm_decode_authenticate(msg, len, &a), SD_OK);
		sd_wr_init(&w, out, sizeof(out));
		assert_int_equal(ntlm_encode_authenticate(&w, &a, false), SD_OK);
		assert_int_equal(w.len, len);
		assert_memory_equal(out, msg, len);
	}
	len = auth_unhex(v2_challenge_hex, msg, sizeof(msg));
	assert_int_equal(ntlm_decode_challenge(msg, len, &c), SD_OK);
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(ntlm_encode_challenge(&w, &c), SD_OK);
	assert_int_equal(w.len, len);
	assert_memory_equal(out, msg, len);
}

static void
round_trips_built_messages(void **state)
{
	static const uint8_t mic[16] = {0xEC, 0xAC, 0x77, 0xA5, 0xF3, 0x85, 0xA8, 0xBF,
					0x9C, 0x38, 0xC7, 0x06, 0xEE, 0xED, 0xDC, 0xD3};
	static const uint8_t spn[] = {'c', 0, 'i', 0, 'f', 0, 's', 0, '/', 0, 'S', 0};
	uint8_t out[512], ti[128], nt[128];
	struct ntlm_negotiate n = {0}, n2;
	struct ntlm_authenticate a = {0}, a2;
	struct sd_wr w, tw;
	static const uint8_t avflags[4] = {NTLM_AVFLAG_MIC_PRESENT, 0, 0, 0};

	(void)state;
	n.flags = 0xE2088297;
	n.version.present = true;
	n.version.major = 10;
	n.version.build = 19041;
	n.version.revision = 15;
	n.workstation.p = (const uint8_t *)"WS01";
	n.workstation.len = 4;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(ntlm_encode_negotiate(&w, &n), SD_OK);
	assert_int_equal(ntlm_decode_negotiate(out, w.len, &n2), SD_OK);
	assert_int_equal(n2.flags, n.flags);
	assert_true(n2.version.present);
	assert_int_equal(n2.version.build, 19041);
	assert_int_equal(n2.workstation.offset, 40);
	assert_memory_equal(n2.workstation.p, "WS01", 4);

	/* An NTLMv2 response: NTProofStr, blob header, AV pairs, Z(4). */
	sd_wr_init(&tw, nt, sizeof(nt));
	sd_wr_zero(&tw, 16);
	sd_wr_bytes(&tw, "\x01\x01\0\0\0\0\0\0", 8);
	sd_wr_u64le(&tw, 0x01D0AECBADF5A1A1ull);
	sd_wr_bytes(&tw, "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa", 8);
	sd_wr_zero(&tw, 4);
	ntlm_encode_av_pair(&tw, NTLM_AV_FLAGS, avflags, 4);
	ntlm_encode_av_pair(&tw, NTLM_AV_TARGET_NAME, spn, sizeof(spn));
	ntlm_encode_av_pair(&tw, NTLM_AV_EOL, NULL, 0);
	sd_wr_zero(&tw, 4);
	assert_true(sd_wr_ok(&tw));
	a.flags = 0xE2888215;
	a.nt_response.p = nt;
	a.nt_response.len = (uint16_t)tw.len;
	a.lm_response.p = ti;
	a.lm_response.len = 24;
	memset(ti, 0, 24);
	a.user.p = user_utf16;
	a.user.len = sizeof(user_utf16);
	a.session_key.p = mic;
	a.session_key.len = 16;
	a.mic = mic;
	sd_wr_init(&w, out, sizeof(out));
	assert_int_equal(ntlm_encode_authenticate(&w, &a, true), SD_OK);
	assert_int_equal(ntlm_decode_authenticate(out, w.len, &a2), SD_OK);
	assert_true(a2.has_mic);
	assert_true(a2.mic_announced);
	assert_memory_equal(a2.mic, mic, 16);
	assert_int_equal(a2.kind, NTLM_RESP_NTLMV2);
	assert_int_equal(a2.v2.timestamp, 0x01D0AECBADF5A1A1ull);
	assert_int_equal(a2.v2.av.target_name_len, sizeof(spn));
	assert_memory_equal(a2.v2.av.target_name, spn, sizeof(spn));
	assert_memory_equal(a2.user.p, user_utf16, sizeof(user_utf16));
	assert_int_equal(a2.domain.len, 0);
	assert_int_equal(a2.anom.n, 0);
	sd_wr_init(&w, out, 100);
	assert_int_equal(ntlm_encode_authenticate(&w, &a, true), SD_ERR_NO_SPACE);
}

static void
anonymous_and_names(void **state)
{
	struct ntlm_authenticate a = {0};
	static const uint8_t z1[1] = {0};

	(void)state;
	ntlm_classify_responses(&a);
	assert_int_equal(a.kind, NTLM_RESP_ANONYMOUS);
	a.lm_response.p = z1;
	a.lm_response.len = 1;
	ntlm_classify_responses(&a);
	assert_int_equal(a.kind, NTLM_RESP_ANONYMOUS);
	assert_string_equal(ntlm_flag_name(NTLMSSP_NEGOTIATE_KEY_EXCH), "negotiate_key_exch");
	assert_null(ntlm_flag_name(0x00000008));
	assert_string_equal(ntlm_av_name(NTLM_AV_TARGET_NAME), "MsvAvTargetName");
	assert_null(ntlm_av_name(11));
}

/* MS-NLMP 2.2.2.5 and 3.1.5.1.2: SIGN asked, dropped by the CHALLENGE
 * while KEY_EXCH stays, and no key exchanged. Each condition alone is
 * not enough. */
static void
sign_dropped_needs_every_condition(void **state)
{
	struct ntlm_flag_trail t = {
		.seen = NTLM_SEEN_NEGOTIATE | NTLM_SEEN_CHALLENGE | NTLM_SEEN_AUTHENTICATE,
		.negotiate = NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_KEY_EXCH,
		.challenge = NTLMSSP_NEGOTIATE_KEY_EXCH,
		.authenticate = NTLMSSP_NEGOTIATE_KEY_EXCH,
	};
	struct ntlm_flag_trail x;

	(void)state;
	assert_true(ntlm_trail_sign_dropped(&t));
	x = t;
	x.key_exchanged = true;
	assert_false(ntlm_trail_sign_dropped(&x));
	x = t;
	x.challenge |= NTLMSSP_NEGOTIATE_SIGN;
	assert_false(ntlm_trail_sign_dropped(&x));
	x = t;
	x.challenge |= NTLMSSP_NEGOTIATE_SEAL;  /* sealing alone still exchanges a key */
	assert_false(ntlm_trail_sign_dropped(&x));
	x = t;
	x.challenge &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	assert_false(ntlm_trail_sign_dropped(&x));
	x = t;
	x.negotiate &= ~NTLMSSP_NEGOTIATE_SIGN;
	assert_false(ntlm_trail_sign_dropped(&x));
	x = t;
	x.seen &= ~NTLM_SEEN_AUTHENTICATE;
	assert_false(ntlm_trail_sign_dropped(&x));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ms_nlmp_v2_challenge),
		cmocka_unit_test(ms_nlmp_v2_authenticate),
		cmocka_unit_test(ms_nlmp_v1_messages),
		cmocka_unit_test(windows10_authenticate_with_mic_and_spn),
		cmocka_unit_test(raw_ntlm_from_smb1_capture),
		cmocka_unit_test(malformed_messages),
		cmocka_unit_test(every_truncation_is_safe),
		cmocka_unit_test(reencodes_ms_nlmp_examples_exactly),
		cmocka_unit_test(round_trips_built_messages),
		cmocka_unit_test(anonymous_and_names),
		cmocka_unit_test(sign_dropped_needs_every_condition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
