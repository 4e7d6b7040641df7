/* The INI file of smbdiag serve (src/cli/serve_config.c): Windows setting
 * names become the server policy; every mistake names its line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "cli/serve_config.h"
#include "core/wire/smb2_const.h"

static struct sd_crypto *crypto;
static struct serve_config cfg;
static char err[512];

static int
parse(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(f);
	err[0] = '\0';
	rc = serve_config_read(f, "t.ini", crypto, &cfg, err, sizeof(err));
	fclose(f);
	return rc;
}

static void
reads_every_section(void **state)
{
	static const char text[] =
		"# comment\n"
		"[server]\n"
		"NetbiosName = FS1\n"
		"MinDialect = 2.1\n"
		"MaxDialect = SMB3_02\n"
		"EncryptData = true\n"
		"RejectUnencryptedAccess = $false\n"
		"RequireSecuritySignature = yes\n"
		"EnableSMB1Protocol = 0\n"
		"SmbServerNameHardeningLevel = 2\n"
		"SrvAllowedServerNames = fs1, fs1.example.test\n"
		"EncryptionCiphers = AES-256-GCM, AES-128-CCM\n"
		"MapToGuest = bad user\n"
		"Listen = 127.0.0.1:4455\n"
		"MaxConnections = 8\n"
		"[fault]\n"
		"SilentOn = session_setup\n"
		"Then = reset\n"
		"After = 1.5\n"
		"[user alice]\n"
		"NtHash = a4f49c406510bdcab6824ee7c30fd852\n"
		"State = locked\n"
		"[share data]\n"
		"Path = /nonexistent-smbdiag-folder\n"
		"EncryptData = on\n"
		"ValidUsers = alice, bob\n"
		"MaxUses = 3\n";
	const struct smb2s_policy *p = &cfg.policy;

	(void)state;
	assert_int_equal(parse(text), 0);
	assert_string_equal(p->netbios_name, "FS1");
	assert_int_equal(p->min_dialect, SMB2_DIALECT_210);
	assert_int_equal(p->max_dialect, SMB2_DIALECT_302);
	assert_true(p->encrypt_data);
	assert_false(p->reject_unencrypted_access);
	assert_true(p->require_message_signing);
	assert_int_equal(p->name_hardening_level, 2);
	assert_int_equal(p->n_accepted_names, 2);
	assert_string_equal(p->accepted_names[1], "fs1.example.test");
	assert_int_equal(p->n_ciphers, 2);
	assert_int_equal(p->ciphers[0], SMB2_ENCRYPTION_AES256_GCM);
	assert_int_equal(p->guest, SMB2S_GUEST_BAD_USER);
	assert_string_equal(cfg.listen, "127.0.0.1:4455");
	assert_int_equal(cfg.max_connections, 8);
	assert_int_equal(p->fault.silent_on, SMB2S_FAULT_SESSION_SETUP);
	assert_int_equal(p->fault.then, SMB2S_FAULT_END_RESET);
	assert_int_equal(p->fault.after_us, 1500000);
	assert_int_equal(p->n_users, 1);
	assert_int_equal(p->users[0].state, SMB2S_ACCOUNT_LOCKED);
	assert_int_equal(p->users[0].nt_hash[0], 0xa4);
	assert_int_equal(p->n_shares, 1);
	assert_false(p->shares[0].path_exists);
	assert_true(p->shares[0].encrypt_data);
	assert_int_equal(p->shares[0].n_allowed, 2);
	assert_int_equal(p->shares[0].max_uses, 3);
}

/* Keys left out take Windows' defaults, not C's zeroes: EncryptData alone
 * refuses a client that cannot encrypt, as on a Windows server. */
static void
defaults_follow_windows(void **state)
{
	const struct smb2s_policy *p = &cfg.policy;

	(void)state;
	assert_int_equal(parse("[server]\nEncryptData = true\n"), 0);
	assert_true(p->reject_unencrypted_access);
	assert_false(p->require_message_signing);
	assert_false(p->enable_smb1);
	assert_true(p->allow_anonymous_access);
	assert_int_equal(p->min_dialect, SMB2_DIALECT_202);
	assert_int_equal(p->max_dialect, SMB2_DIALECT_311);
}

static void
password_is_hashed(void **state)
{
	(void)state;
	/* MS-NLMP 4.2.2: NTOWFv1("Password"). */
	assert_int_equal(parse("[user u]\nPassword = Password\n"), 0);
	assert_int_equal(cfg.policy.users[0].nt_hash[0], 0xa4);
	assert_int_equal(cfg.policy.users[0].nt_hash[15], 0x52);
}

static void
errors_name_the_line(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{"[server]\nBogus = 1\n", "t.ini:2: unknown key 'Bogus'"},
		{"[server]\n\nEncryptData = maybe\n", "t.ini:3: EncryptData wants true or false"},
		{"[server]\nMaxDialect = 4.0\n", "t.ini:2: MaxDialect: '4.0'"},
		{"[server]\nSmbServerNameHardeningLevel = 3\n", "t.ini:2: SmbServerNameHardeningLevel wants"},
		{"[server]\nMinDialect = 3.1.1\nMaxDialect = 3.0\n", "MinDialect is above MaxDialect"},
		{"[user bob]\nState = disabled\n", "user 'bob' has neither Password nor NtHash"},
		{"[user bob]\nNtHash = 1234\n", "t.ini:2: NtHash wants 32 hex digits"},
		{"EncryptData = true\n", "t.ini:1: 'EncryptData' before any section"},
		{"[shares]\n", "t.ini:1: unknown section [shares]"},
		{"[share IPC$]\n", "IPC$ is built in"},
		{"[share a]\n[share A]\n", "t.ini:2: share 'A' appears twice"},
		{"[server]\nno equals sign\n", "t.ini:2: expected 'Key = Value'"},
		{"[fault]\nSilentOn = logoff\n", "t.ini:2: SilentOn wants"},
		{"[server]\nEncryptionCiphers = DES\n", "unknown cipher 'DES'"},
		{"[share a]\nMaxUses = -1\n", "t.ini:2: MaxUses"},
		/* Checked where it is written, not when serve starts to listen. */
		{"[server]\nListen = notanaddress\n", "t.ini:2: Listen wants ADDRESS:PORT"},
		{"[server]\n\nListen = fs1.example.test:445\n", "t.ini:3: Listen wants ADDRESS:PORT"},
		{"[server]\nListen = 127.0.0.1:99999\n", "t.ini:2: Listen wants ADDRESS:PORT"},
		{"[server]\nListen = 127.0.0.1:\n", "t.ini:2: Listen wants ADDRESS:PORT"},
		{"[server]\nListen = [::1:445\n", "t.ini:2: Listen wants ADDRESS:PORT"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text), -1);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].want);
	}
}

static void
listen_takes_address_literals(void **state)
{
	static const struct {
		const char *text, *host;
		uint16_t port;
	} cases[] = {
		{"127.0.0.1:4455", "127.0.0.1", 4455},
		{"[::1]:445", "::1", 445},
		{":4455", "0.0.0.0", 4455},
		{"[fe80::1]:0", "fe80::1", 0},
	};
	char host[64];
	uint16_t port;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(serve_listen_parse(cases[i].text, host, sizeof(host), &port), 0);
		assert_string_equal(host, cases[i].host);
		assert_int_equal(port, cases[i].port);
	}
	assert_int_equal(serve_listen_parse("localhost:445", host, sizeof(host), &port), -1);
	assert_int_equal(serve_listen_parse("127.0.0.1", host, sizeof(host), &port), -1);
	assert_int_equal(serve_listen_parse("127.0.0.1:-1", host, sizeof(host), &port), -1);
}

/* A read error part way is an error, not the policy of the lines before. */
static ssize_t
failing_read(void *cookie, char *buf, size_t size)
{
	unsigned *calls = cookie;
	static const char first[] = "[server]\nEncryptData = true\n";

	if ((*calls)++ > 0 || size < sizeof(first)) {
		errno = EIO;
		return -1;
	}
	memcpy(buf, first, sizeof(first) - 1);
	return (ssize_t)(sizeof(first) - 1);
}

static void
read_errors_and_folders_are_errors(void **state)
{
	cookie_io_functions_t io = {failing_read, NULL, NULL, NULL};
	unsigned calls = 0;
	FILE *f = fopencookie(&calls, "r", io);

	(void)state;
	assert_non_null(f);
	assert_int_equal(serve_config_read(f, "t.ini", crypto, &cfg, err, sizeof(err)), -1);
	fclose(f);
	if (strstr(err, "t.ini: cannot read it after line 2") == NULL)
		fail_msg("'%s'", err);
	/* A folder reads as an empty file: the empty default policy. */
	assert_int_equal(serve_config_load(TEST_VECTORS_DIR, crypto, &cfg, err, sizeof(err)), -1);
	if (strstr(err, "Is a directory") == NULL)
		fail_msg("'%s'", err);
}

static void
examples_load(void **state)
{
	static const char *const names[] = {
		"healthy", "missing-share", "missing-folder", "encryption-required", "share-encryption",
		"signing-required", "name-hardening", "smb1-off", "smb3-only", "silent-negotiate",
		"silent-session-setup", "slow", "guest", "account-states", "restricted-share", "kerberos",
	};
	char path[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/../examples/serve/%s.ini", TEST_VECTORS_DIR "/..", names[i]);
		if (serve_config_load(path, crypto, &cfg, err, sizeof(err)) != 0)
			fail_msg("%s: %s", names[i], err);
		if (strcmp(names[i], "missing-folder") != 0)
			assert_true(cfg.policy.shares[0].path_exists);
		else
			assert_false(cfg.policy.shares[0].path_exists);
	}
}

static int
setup(void **state)
{
	(void)state;
	return sd_crypto_create(&crypto) == SD_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	sd_crypto_free(crypto);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_every_section),
		cmocka_unit_test(defaults_follow_windows),
		cmocka_unit_test(password_is_hashed),
		cmocka_unit_test(errors_name_the_line),
		cmocka_unit_test(listen_takes_address_literals),
		cmocka_unit_test(read_errors_and_folders_are_errors),
		cmocka_unit_test(examples_load),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
