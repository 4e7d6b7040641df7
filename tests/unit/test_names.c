#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "core/wire/names.h"
#include "core/wire/smb2_const.h"

static void
status_table_sorted_unique_and_round_trips(void **state)
{
	const struct sd_status_info *t;
	size_t n, i, j;
	uint32_t code;

	(void)state;
	t = sd_ntstatus_table(&n);
	assert_true(n >= 150);
	for (i = 0; i < n; i++) {
		if (i > 0)
			assert_true(t[i - 1].code < t[i].code);
		for (j = i + 1; j < n; j++)
			assert_true(strcasecmp(t[i].name, t[j].name) != 0);
		assert_non_null(t[i].meaning);
		assert_true(strlen(t[i].meaning) > 10);
		assert_ptr_equal(sd_ntstatus_info(t[i].code), &t[i]);
		assert_true(sd_ntstatus_lookup(t[i].name, &code));
		assert_int_equal(code, t[i].code);
		assert_string_equal(sd_ntstatus_name(code), t[i].name);
	}
}

/* Every status the failure catalog names (sections 1, 2, 4 and 6). */
static void
status_covers_the_catalog(void **state)
{
	static const char *const catalog[] = {
		"STATUS_SUCCESS", "STATUS_PENDING", "STATUS_MORE_PROCESSING_REQUIRED", "STATUS_BUFFER_OVERFLOW",
		"STATUS_INVALID_PARAMETER", "STATUS_NOT_SUPPORTED", "STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP",
		"STATUS_SMB_BAD_CLUSTER_DIALECT", "STATUS_INSUFFICIENT_RESOURCES", "STATUS_ACCESS_DENIED",
		"STATUS_USER_SESSION_DELETED", "STATUS_NETWORK_SESSION_EXPIRED", "STATUS_REQUEST_NOT_ACCEPTED",
		"STATUS_BAD_NETWORK_NAME", "STATUS_NETWORK_NAME_DELETED", "STATUS_SERVER_UNAVAILABLE",
		"STATUS_SHARE_UNAVAILABLE", "STATUS_FILE_NOT_AVAILABLE", "STATUS_FILE_CLOSED",
		"STATUS_INVALID_DEVICE_REQUEST", "STATUS_INVALID_HANDLE", "SEC_E_UNSUPPORTED_FUNCTION",
		"STATUS_NETWORK_ACCESS_DENIED", "STATUS_BAD_NETWORK_PATH", "STATUS_INVALID_NETWORK_RESPONSE",
		"STATUS_INVALID_SIGNATURE", "STATUS_CONNECTION_RESET", "STATUS_CONNECTION_DISCONNECTED",
		"STATUS_IO_TIMEOUT", "STATUS_SMB_GUEST_LOGON_BLOCKED", "STATUS_NOT_FOUND", "STATUS_LOGON_FAILURE",
		"STATUS_NO_SUCH_USER", "STATUS_WRONG_PASSWORD", "STATUS_ACCOUNT_RESTRICTION",
		"STATUS_INVALID_LOGON_HOURS", "STATUS_INVALID_WORKSTATION", "STATUS_PASSWORD_EXPIRED",
		"STATUS_ACCOUNT_DISABLED", "STATUS_ACCOUNT_EXPIRED", "STATUS_PASSWORD_MUST_CHANGE",
		"STATUS_ACCOUNT_LOCKED_OUT", "STATUS_LOGON_TYPE_NOT_GRANTED", "STATUS_PASSWORD_RESTRICTION",
		"STATUS_NO_LOGON_SERVERS", "STATUS_NO_SUCH_DOMAIN", "STATUS_DOMAIN_CONTROLLER_NOT_FOUND",
		"STATUS_NETLOGON_NOT_STARTED", "STATUS_TRUSTED_RELATIONSHIP_FAILURE", "STATUS_TRUST_FAILURE",
		"STATUS_NO_TRUST_SAM_ACCOUNT", "STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT",
		"STATUS_NOLOGON_SERVER_TRUST_ACCOUNT", "STATUS_NOLOGON_INTERDOMAIN_TRUST_ACCOUNT",
		"STATUS_AUTHENTICATION_FIREWALL_FAILED", "STATUS_TIME_DIFFERENCE_AT_DC", "STATUS_DOWNGRADE_DETECTED",
		"STATUS_NO_SUCH_LOGON_SESSION", "STATUS_NETWORK_UNREACHABLE", "STATUS_SMARTCARD_LOGON_REQUIRED",
		"STATUS_SMARTCARD_WRONG_PIN", "STATUS_SMARTCARD_CARD_BLOCKED", "STATUS_SMARTCARD_NO_CARD",
		"STATUS_SMARTCARD_SILENT_CONTEXT", "STATUS_PKINIT_FAILURE", "STATUS_PKINIT_CLIENT_FAILURE",
		"STATUS_PKINIT_NAME_MISMATCH", "STATUS_KDC_UNKNOWN_ETYPE", "STATUS_NTLM_BLOCKED",
		"STATUS_INTERNAL_ERROR", "STATUS_NO_MEMORY", "SEC_E_INVALID_TOKEN", "SEC_E_NO_CREDENTIALS",
		"SEC_E_WRONG_PRINCIPAL", "SEC_E_NO_AUTHENTICATING_AUTHORITY", "SEC_E_NOT_OWNER",
		"SEC_E_CERT_WRONG_USAGE", "SEC_E_SMARTCARD_LOGON_REQUIRED", "SEC_E_SHUTDOWN_IN_PROGRESS",
		"SEC_E_BAD_BINDINGS", "SEC_E_TIME_SKEW", "SEC_E_LOGON_DENIED", "SEC_E_MESSAGE_ALTERED",
		"SEC_E_TARGET_UNKNOWN", "SEC_E_DOWNGRADE_DETECTED", "STATUS_NO_SECRETS",
		/* file operations the analyzer prints */
		"STATUS_OBJECT_NAME_NOT_FOUND", "STATUS_OBJECT_NAME_COLLISION", "STATUS_END_OF_FILE",
		"STATUS_NO_MORE_FILES", "STATUS_BUFFER_TOO_SMALL", "STATUS_CANCELLED", "STATUS_NOTIFY_ENUM_DIR",
		"STATUS_INVALID_INFO_CLASS", "STATUS_FS_DRIVER_REQUIRED", "STATUS_OBJECT_PATH_NOT_FOUND",
		"STATUS_SHARING_VIOLATION", "STATUS_DELETE_PENDING", "STATUS_FILE_IS_A_DIRECTORY",
		"STATUS_NOT_A_DIRECTORY", "STATUS_PIPE_BROKEN", "STATUS_PIPE_DISCONNECTED", "STATUS_PIPE_BUSY",
		"STATUS_PIPE_NOT_AVAILABLE", "STATUS_PIPE_EMPTY", "STATUS_NO_SUCH_FILE",
	};
	uint32_t code;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(catalog) / sizeof(catalog[0]); i++) {
		if (!sd_ntstatus_lookup(catalog[i], &code))
			fail_msg("missing %s", catalog[i]);
	}
}

static void
status_lookup_spellings(void **state)
{
	uint32_t code = 0;

	(void)state;
	assert_true(sd_ntstatus_lookup("NT_STATUS_LOGON_FAILURE", &code));
	assert_int_equal(code, 0xC000006D);
	assert_true(sd_ntstatus_lookup("logon_failure", &code));
	assert_int_equal(code, 0xC000006D);
	assert_true(sd_ntstatus_lookup("Status_Bad_Network_Name", &code));
	assert_int_equal(code, 0xC00000CC);
	assert_true(sd_ntstatus_lookup("0xc00000cc", &code));
	assert_int_equal(code, 0xC00000CC);
	assert_true(sd_ntstatus_lookup("sec_e_invalid_token", &code));
	assert_int_equal(code, 0x80090308);
	assert_false(sd_ntstatus_lookup("0xC0FFEE00", &code));
	assert_false(sd_ntstatus_lookup("0x", &code));
	assert_false(sd_ntstatus_lookup("STATUS_NO_SUCH_THING", &code));
	assert_false(sd_ntstatus_lookup("", &code));
	assert_false(sd_ntstatus_lookup(NULL, &code));
	assert_null(sd_ntstatus_info(0xC0FFEE00));
	assert_null(sd_ntstatus_name(0x12345678));
	assert_string_equal(sd_ntstatus_name(0x80090302), "SEC_E_UNSUPPORTED_FUNCTION");
}

static void
krb_table_sorted_unique_and_round_trips(void **state)
{
	const struct krb_error_info *t;
	char text[16];
	size_t n, i, j;
	int32_t code;

	(void)state;
	t = krb_error_table(&n);
	for (i = 0; i < n; i++) {
		if (i > 0)
			assert_true(t[i - 1].code < t[i].code);
		for (j = i + 1; j < n; j++)
			assert_true(strcmp(t[i].name, t[j].name) != 0);
		assert_true(strlen(t[i].meaning) > 5);
		assert_true(krb_error_lookup(t[i].name, &code));
		assert_int_equal(code, t[i].code);
		snprintf(text, sizeof(text), "krb:%d", (int)t[i].code);
		assert_true(krb_error_lookup(text, &code));
		assert_int_equal(code, t[i].code);
		assert_string_equal(krb_error_name(code), t[i].name);
	}
	/* RFC 4120 0-29, 31-52, 60-76 (PKINIT), 90-93 (FAST). */
	for (i = 0; i <= 93; i++) {
		bool expected = i <= 29 || (i >= 31 && i <= 52) || (i >= 60 && i <= 76) || i >= 90;

		if (expected && krb_error_info((int32_t)i) == NULL)
			fail_msg("missing Kerberos error %zu", i);
	}
}

static void
krb_lookup_spellings(void **state)
{
	int32_t code = -1;

	(void)state;
	assert_true(krb_error_lookup("7", &code));
	assert_int_equal(code, 7);
	assert_true(krb_error_lookup("KRB:25", &code));
	assert_int_equal(code, 25);
	assert_true(krb_error_lookup("S_PRINCIPAL_UNKNOWN", &code));
	assert_int_equal(code, 7);
	assert_true(krb_error_lookup("skew", &code));
	assert_int_equal(code, 37);
	assert_true(krb_error_lookup("GENERIC", &code));
	assert_int_equal(code, 60);
	assert_true(krb_error_lookup("KRB5KDC_ERR_PREAUTH_FAILED", &code));
	assert_int_equal(code, 24);
	assert_true(krb_error_lookup("KRB5KRB_AP_ERR_MODIFIED", &code));
	assert_int_equal(code, 41);
	/* The bare name belongs to the KDC code, the full one to the AP code. */
	assert_true(krb_error_lookup("PATH_NOT_ACCEPTED", &code));
	assert_int_equal(code, 28);
	assert_true(krb_error_lookup("KRB_AP_PATH_NOT_ACCEPTED", &code));
	assert_int_equal(code, 51);
	assert_false(krb_error_lookup("30", &code));
	assert_false(krb_error_lookup("99999999999", &code));
	assert_false(krb_error_lookup("krb:", &code));
	assert_false(krb_error_lookup("7x", &code));
	assert_false(krb_error_lookup("NOPE", &code));
	assert_string_equal(krb_error_name(14), "KDC_ERR_ETYPE_NOSUPP");
	assert_null(krb_error_name(-1));
}

static void
nbss_error_names(void **state)
{
	static const uint8_t codes[] = {0x80, 0x81, 0x82, 0x83, 0x8F};
	uint8_t code;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes); i++) {
		assert_non_null(nbss_error_name(codes[i]));
		assert_non_null(nbss_error_meaning(codes[i]));
		assert_true(nbss_error_lookup(nbss_error_name(codes[i]), &code));
		assert_int_equal(code, codes[i]);
	}
	assert_true(nbss_error_lookup("called_name_not_present", &code));
	assert_int_equal(code, 0x82);
	assert_true(nbss_error_lookup("0x8f", &code));
	assert_int_equal(code, 0x8F);
	assert_false(nbss_error_lookup("0x84", &code));
	assert_false(nbss_error_lookup("0x1234", &code));
	assert_null(nbss_error_name(0x84));
	assert_null(nbss_error_meaning(0x00));
}

static void
command_names(void **state)
{
	uint16_t cmd, c;

	(void)state;
	for (cmd = 0; cmd <= 0x13; cmd++) {
		assert_non_null(smb2_command_name(cmd));
		assert_true(smb2_command_lookup(smb2_command_name(cmd), &c));
		assert_int_equal(c, cmd);
	}
	assert_string_equal(smb2_command_name(0x0003), "TREE_CONNECT");
	assert_string_equal(smb2_command_name(0x0013), "SERVER_TO_CLIENT_NOTIFICATION");
	assert_null(smb2_command_name(0x0014));
	assert_true(smb2_command_lookup("smb2_session_setup", &c));
	assert_int_equal(c, 1);
	assert_true(smb2_command_lookup("0x000b", &c));
	assert_int_equal(c, 0x0B);
	assert_false(smb2_command_lookup("0x0014", &c));
}

static void
dialect_spellings(void **state)
{
	static const struct {
		const char *text;
		uint16_t dialect;
	} cases[] = {
		{"2.0.2", 0x0202},   {"202", 0x0202},     {"SMB2_02", 0x0202}, {"smb2_02", 0x0202},
		{"0x0202", 0x0202},  {"SMB 2.002", 0x0202}, {"2.1", 0x0210},   {"21", 0x0210},
		{"SMB2_10", 0x0210}, {"SMB2", 0x0210},    {"2.2.2", 0x0222},   {"2.2.4", 0x0224},
		{"3.0", 0x0300},     {"SMB3_00", 0x0300}, {"300", 0x0300},     {"3.0.2", 0x0302},
		{"SMB3_02", 0x0302}, {"3.1.0", 0x0310},   {"3.1.1", 0x0311},   {"311", 0x0311},
		{"SMB3_11", 0x0311}, {"SMB3", 0x0311},    {"0x0311", 0x0311},  {"2.???", 0x02FF},
		{"SMB 2.???", 0x02FF}, {"0x02ff", 0x02FF}, {"NT1", SD_DIALECT_SMB1}, {"smb1", SD_DIALECT_SMB1},
		{"1.0", SD_DIALECT_SMB1},
	};
	static const char *const bad[] = {"", "3", "3.2", "0x0400", "SMB4", "0x", "0x12345", "3.1.1x"};
	uint16_t d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = 0;
		if (!smb2_dialect_parse(cases[i].text, &d) || d != cases[i].dialect)
			fail_msg("%s parsed as 0x%04x", cases[i].text, d);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (smb2_dialect_parse(bad[i], &d))
			fail_msg("%s should not parse", bad[i]);
	assert_false(smb2_dialect_parse(NULL, &d));
	assert_string_equal(smb2_dialect_name(0x0202), "2.0.2");
	assert_string_equal(smb2_dialect_name(0x0210), "2.1");
	assert_string_equal(smb2_dialect_name(0x0222), "2.2.2");
	assert_string_equal(smb2_dialect_name(0x0224), "2.2.4");
	assert_string_equal(smb2_dialect_name(0x0300), "3.0");
	assert_string_equal(smb2_dialect_name(0x0302), "3.0.2");
	assert_string_equal(smb2_dialect_name(0x0310), "3.1.0");
	assert_string_equal(smb2_dialect_name(0x0311), "3.1.1");
	assert_string_equal(smb2_dialect_name(0x02FF), "2.???");
	assert_null(smb2_dialect_name(0x0400));
	assert_string_equal(smb2_dialect_smbclient_name(0x0311), "SMB3_11");
	assert_string_equal(smb2_dialect_smbclient_name(SD_DIALECT_SMB1), "NT1");
	assert_null(smb2_dialect_smbclient_name(0x02FF));
	/* Every name parses back to its number. */
	for (d = 0; d < 0x0400; d++) {
		uint16_t back;

		if (smb2_dialect_name(d) == NULL)
			continue;
		assert_true(smb2_dialect_parse(smb2_dialect_name(d), &back));
		assert_int_equal(back, d);
		if (smb2_dialect_smbclient_name(d) != NULL) {
			assert_true(smb2_dialect_parse(smb2_dialect_smbclient_name(d), &back));
			assert_int_equal(back, d);
		}
	}
}

static void
check_flag_table(const struct sd_flag_name *t)
{
	uint32_t bits;
	size_t i, j;

	for (i = 0; t[i].name != NULL; i++) {
		for (j = 0; t[j].name != NULL; j++) {
			if (i != j) {
				assert_true(strcmp(t[i].name, t[j].name) != 0);
				assert_true(t[i].bit != t[j].bit);
			}
		}
		for (j = 0; t[i].name[j]; j++)
			assert_true((t[i].name[j] >= 'a' && t[i].name[j] <= 'z') ||
				    (t[i].name[j] >= '0' && t[i].name[j] <= '9') || t[i].name[j] == '_');
		assert_true(sd_flag_lookup(t, t[i].name, &bits));
		assert_int_equal(bits, t[i].bit);
	}
}

static void
flag_tables_are_consistent(void **state)
{
	(void)state;
	check_flag_table(smb2_header_flag_names);
	check_flag_table(smb2_security_mode_names);
	check_flag_table(smb2_capability_names);
	check_flag_table(smb2_session_flag_names);
	check_flag_table(smb2_share_flag_names);
	check_flag_table(smb2_share_capability_names);
	check_flag_table(smb2_tree_connect_flag_names);
}

static void
flags_formatting(void **state)
{
	const char *out[16];
	uint32_t unknown = 0;
	size_t n;

	(void)state;
	n = sd_flags_names(smb2_security_mode_names, 0x0003, out, 16, &unknown);
	assert_int_equal(n, 2);
	assert_string_equal(out[0], "signing_enabled");
	assert_string_equal(out[1], "signing_required");
	assert_int_equal(unknown, 0);

	n = sd_flags_names(smb2_capability_names, 0x7F | 0x100, out, 16, &unknown);
	assert_int_equal(n, 7);
	assert_string_equal(out[6], "encryption");
	assert_int_equal(unknown, 0x100);

	/* Caching is a two-bit value: 0x30 is "no_caching", not auto + vdo. */
	n = sd_flags_names(smb2_share_flag_names, 0x8030, out, 16, &unknown);
	assert_int_equal(n, 2);
	assert_string_equal(out[0], "no_caching");
	assert_string_equal(out[1], "encrypt_data");
	assert_int_equal(unknown, 0);
	n = sd_flags_names(smb2_share_flag_names, 0x0010, out, 16, &unknown);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "auto_caching");
	n = sd_flags_names(smb2_share_flag_names, 0x0000, out, 16, &unknown);
	assert_int_equal(n, 0);

	n = sd_flags_names(smb2_header_flag_names, 0x30000039, out, 16, &unknown);
	assert_int_equal(n, 5);
	assert_string_equal(out[0], "server_to_redir");
	assert_string_equal(out[1], "signed");
	assert_string_equal(out[2], "priority_3");
	assert_int_equal(unknown, 0);

	/* Names that do not fit are reported as unknown rather than lost. */
	n = sd_flags_names(smb2_capability_names, 0x07, out, 2, &unknown);
	assert_int_equal(n, 2);
	assert_int_equal(unknown, 0x04);
	n = sd_flags_names(smb2_session_flag_names, 0x0005, out, 16, NULL);
	assert_int_equal(n, 2);
	assert_string_equal(out[1], "encrypt_data");
}

static void
algorithm_and_type_names(void **state)
{
	uint16_t id, i;
	uint8_t type;

	(void)state;
	assert_string_equal(smb2_share_type_name(1), "disk");
	assert_string_equal(smb2_share_type_name(2), "pipe");
	assert_string_equal(smb2_share_type_name(3), "print");
	assert_null(smb2_share_type_name(4));
	assert_true(smb2_share_type_lookup("PIPE", &type));
	assert_int_equal(type, 2);
	assert_string_equal(smb2_negotiate_context_name(1), "PREAUTH_INTEGRITY_CAPABILITIES");
	assert_string_equal(smb2_negotiate_context_name(8), "SIGNING_CAPABILITIES");
	assert_null(smb2_negotiate_context_name(4));
	assert_string_equal(smb2_cipher_name(2), "AES-128-GCM");
	assert_string_equal(smb2_cipher_name(4), "AES-256-GCM");
	assert_string_equal(smb2_cipher_name(0), "none");
	assert_null(smb2_cipher_name(5));
	assert_true(smb2_cipher_lookup("aes_256_ccm", &id));
	assert_int_equal(id, 3);
	assert_false(smb2_cipher_lookup("AES-512-GCM", &id));
	assert_string_equal(smb2_signing_algorithm_name(0), "HMAC-SHA256");
	assert_string_equal(smb2_signing_algorithm_name(2), "AES-128-GMAC");
	assert_true(smb2_signing_algorithm_lookup("AES-CMAC", &id));
	assert_int_equal(id, 1);
	assert_true(smb2_signing_algorithm_lookup("aes-128-gmac", &id));
	assert_int_equal(id, 2);
	assert_string_equal(smb2_compression_algorithm_name(3), "LZ77+Huffman");
	assert_string_equal(smb2_compression_algorithm_name(5), "LZ4");
	assert_true(smb2_compression_algorithm_lookup("pattern_v1", &id));
	assert_int_equal(id, 4);
	assert_string_equal(smb2_hash_algorithm_name(1), "SHA-512");
	assert_null(smb2_hash_algorithm_name(2));
	/* Every named id looks up back to itself. */
	for (i = 0; i < 16; i++) {
		if (smb2_cipher_name(i) != NULL) {
			assert_true(smb2_cipher_lookup(smb2_cipher_name(i), &id));
			assert_int_equal(id, i);
		}
		if (smb2_signing_algorithm_name(i) != NULL) {
			assert_true(smb2_signing_algorithm_lookup(smb2_signing_algorithm_name(i), &id));
			assert_int_equal(id, i);
		}
		if (smb2_compression_algorithm_name(i) != NULL) {
			assert_true(smb2_compression_algorithm_lookup(smb2_compression_algorithm_name(i), &id));
			assert_int_equal(id, i);
		}
		if (smb2_share_type_name((uint8_t)i) != NULL) {
			assert_true(smb2_share_type_lookup(smb2_share_type_name((uint8_t)i), &type));
			assert_int_equal(type, i);
		}
	}
}

/* The tables use plain numbers; check them against the shared constants. */
static void
tables_agree_with_smb2_const(void **state)
{
	static const struct {
		const struct sd_flag_name *table;
		const char *name;
		uint32_t value;
	} flags[] = {
		{smb2_capability_names, "dfs", SMB2_GLOBAL_CAP_DFS},
		{smb2_capability_names, "encryption", SMB2_GLOBAL_CAP_ENCRYPTION},
		{smb2_capability_names, "notifications", SMB2_GLOBAL_CAP_NOTIFICATIONS},
		{smb2_security_mode_names, "signing_required", SMB2_NEGOTIATE_SIGNING_REQUIRED},
		{smb2_session_flag_names, "encrypt_data", SMB2_SESSION_FLAG_ENCRYPT_DATA},
		{smb2_session_flag_names, "is_null", SMB2_SESSION_FLAG_IS_NULL},
		{smb2_share_flag_names, "encrypt_data", SMB2_SHAREFLAG_ENCRYPT_DATA},
		{smb2_share_flag_names, "no_caching", SMB2_SHAREFLAG_NO_CACHING},
		{smb2_share_flag_names, "isolated_transport", SMB2_SHAREFLAG_ISOLATED_TRANSPORT},
		{smb2_share_capability_names, "redirect_to_owner", SMB2_SHARE_CAP_REDIRECT_TO_OWNER},
		{smb2_tree_connect_flag_names, "extension_present", SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT},
		{smb2_header_flag_names, "signed", SMB2_FLAGS_SIGNED},
		{smb2_header_flag_names, "replay_operation", SMB2_FLAGS_REPLAY_OPERATION},
	};
	uint32_t bits;
	uint16_t id;
	uint8_t type;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		assert_true(sd_flag_lookup(flags[i].table, flags[i].name, &bits));
		assert_int_equal(bits, flags[i].value);
	}
	assert_string_equal(smb2_command_name(SMB2_SERVER_TO_CLIENT_NOTIFICATION), "SERVER_TO_CLIENT_NOTIFICATION");
	assert_string_equal(smb2_dialect_name(SMB2_DIALECT_WILDCARD), "2.???");
	assert_string_equal(smb2_cipher_name(SMB2_ENCRYPTION_AES256_GCM), "AES-256-GCM");
	assert_string_equal(smb2_signing_algorithm_name(SMB2_SIGNING_AES_GMAC), "AES-128-GMAC");
	assert_string_equal(smb2_compression_algorithm_name(SMB2_COMPRESSION_PATTERN_V1), "Pattern_V1");
	assert_string_equal(smb2_negotiate_context_name(SMB2_SIGNING_CAPABILITIES), "SIGNING_CAPABILITIES");
	assert_string_equal(smb2_hash_algorithm_name(SMB2_PREAUTH_INTEGRITY_SHA512), "SHA-512");
	assert_true(smb2_share_type_lookup("print", &type));
	assert_int_equal(type, SMB2_SHARE_TYPE_PRINT);
	assert_true(smb2_compression_algorithm_lookup("LZ77+Huffman", &id));
	assert_int_equal(id, SMB2_COMPRESSION_LZ77_HUFFMAN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_table_sorted_unique_and_round_trips),
		cmocka_unit_test(status_covers_the_catalog),
		cmocka_unit_test(status_lookup_spellings),
		cmocka_unit_test(krb_table_sorted_unique_and_round_trips),
		cmocka_unit_test(krb_lookup_spellings),
		cmocka_unit_test(nbss_error_names),
		cmocka_unit_test(command_names),
		cmocka_unit_test(dialect_spellings),
		cmocka_unit_test(flag_tables_are_consistent),
		cmocka_unit_test(flags_formatting),
		cmocka_unit_test(algorithm_and_type_names),
		cmocka_unit_test(tables_agree_with_smb2_const),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
