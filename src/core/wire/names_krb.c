/* Kerberos error codes (RFC 4120 7.5.9, RFC 4556 PKINIT, RFC 6113 FAST,
 * MIT krb5's IAKERB codes) and NetBIOS negative session response codes
 * (RFC 1002 4.3.4). Both tables are sorted by code. */
#include "core/wire/names.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Meanings are marked for extraction; the command line translates them. */
#ifndef N_
#define N_(text) text
#endif

static const struct krb_error_info krb_table[] = {
	{0, "KDC_ERR_NONE", N_("No error.")},
	{1, "KDC_ERR_NAME_EXP", N_("The client's entry in the KDC database has expired.")},
	{2, "KDC_ERR_SERVICE_EXP", N_("The service's entry in the KDC database has expired.")},
	{3, "KDC_ERR_BAD_PVNO", N_("The request uses a Kerberos protocol version the KDC does not speak.")},
	{4, "KDC_ERR_C_OLD_MAST_KVNO", N_("The client's key is encrypted under an old KDC master key.")},
	{5, "KDC_ERR_S_OLD_MAST_KVNO", N_("The service's key is encrypted under an old KDC master key.")},
	{6, "KDC_ERR_C_PRINCIPAL_UNKNOWN", N_("The KDC does not know the user (bad user name, UPN or realm).")},
	{7, "KDC_ERR_S_PRINCIPAL_UNKNOWN",
	 N_("No account holds the requested service name (SPN), for example cifs/ of a DNS alias or an IP address.")},
	{8, "KDC_ERR_PRINCIPAL_NOT_UNIQUE", N_("Several accounts hold the same principal name (duplicate SPN).")},
	{9, "KDC_ERR_NULL_KEY", N_("The client or service has no key (for example a null password).")},
	{10, "KDC_ERR_CANNOT_POSTDATE", N_("The ticket cannot be postdated.")},
	{11, "KDC_ERR_NEVER_VALID", N_("The requested start time is later than the end time.")},
	{12, "KDC_ERR_POLICY", N_("A KDC policy (authentication policy, silo, allowed-to-authenticate) refused the request.")},
	{13, "KDC_ERR_BADOPTION", N_("The KDC cannot honour a requested option, often delegation or a forwardable ticket.")},
	{14, "KDC_ERR_ETYPE_NOSUPP", N_("Client, KDC and service share no encryption type (for example no AES keys).")},
	{15, "KDC_ERR_SUMTYPE_NOSUPP", N_("The KDC does not support the checksum type.")},
	{16, "KDC_ERR_PADATA_TYPE_NOSUPP", N_("The KDC does not support the pre-authentication type used.")},
	{17, "KDC_ERR_TRTYPE_NOSUPP", N_("The KDC does not support the transited-realm encoding.")},
	{18, "KDC_ERR_CLIENT_REVOKED", N_("The user's credentials are revoked: account disabled, expired, locked or out of hours.")},
	{19, "KDC_ERR_SERVICE_REVOKED", N_("The service's credentials are revoked.")},
	{20, "KDC_ERR_TGT_REVOKED", N_("The ticket-granting ticket has been revoked.")},
	{21, "KDC_ERR_CLIENT_NOTYET", N_("The user's account is not valid yet; try again later.")},
	{22, "KDC_ERR_SERVICE_NOTYET", N_("The service's account is not valid yet; try again later.")},
	{23, "KDC_ERR_KEY_EXPIRED", N_("The user's password has expired or must be changed.")},
	{24, "KDC_ERR_PREAUTH_FAILED", N_("Pre-authentication failed: the password is wrong.")},
	{25, "KDC_ERR_PREAUTH_REQUIRED",
	 N_("The KDC asks for pre-authentication; this is the normal first answer, not a failure.")},
	{26, "KDC_ERR_SERVER_NOMATCH", N_("The requested server and the ticket do not match.")},
	{27, "KDC_ERR_MUST_USE_USER2USER", N_("The service can only be reached with user-to-user authentication (it has no SPN key).")},
	{28, "KDC_ERR_PATH_NOT_ACCEPTED", N_("The KDC does not accept the cross-realm path.")},
	{29, "KDC_ERR_SVC_UNAVAILABLE", N_("The KDC is unavailable or too busy.")},
	{31, "KRB_AP_ERR_BAD_INTEGRITY", N_("Decryption failed its integrity check: the key used is wrong.")},
	{32, "KRB_AP_ERR_TKT_EXPIRED", N_("The ticket has expired; a new one is needed.")},
	{33, "KRB_AP_ERR_TKT_NYV", N_("The ticket is not valid yet, usually because of clock skew.")},
	{34, "KRB_AP_ERR_REPEAT", N_("The authenticator was seen before (a replay).")},
	{35, "KRB_AP_ERR_NOT_US", N_("The ticket was issued for another server.")},
	{36, "KRB_AP_ERR_BADMATCH", N_("The ticket and the authenticator name different clients.")},
	{37, "KRB_AP_ERR_SKEW", N_("The clocks differ by more than the allowed skew (five minutes by default).")},
	{38, "KRB_AP_ERR_BADADDR", N_("The network address does not match the one in the ticket.")},
	{39, "KRB_AP_ERR_BADVERSION", N_("The message uses an unsupported protocol version.")},
	{40, "KRB_AP_ERR_MSG_TYPE", N_("The message type is not the one expected.")},
	{41, "KRB_AP_ERR_MODIFIED",
	 N_("The server cannot decrypt the ticket: the SPN is on the wrong account, the keytab or machine password is "
	 "stale, or the SPN is duplicated.")},
	{42, "KRB_AP_ERR_BADORDER", N_("A message arrived out of order.")},
	{43, "KRB_AP_ERR_ILL_CR_TKT", N_("An illegal cross-realm ticket was presented.")},
	{44, "KRB_AP_ERR_BADKEYVER", N_("The server does not have the key version the ticket was encrypted with.")},
	{45, "KRB_AP_ERR_NOKEY", N_("The server has no key to decrypt the ticket.")},
	{46, "KRB_AP_ERR_MUT_FAIL", N_("Mutual authentication failed.")},
	{47, "KRB_AP_ERR_BADDIRECTION", N_("The message direction is wrong.")},
	{48, "KRB_AP_ERR_METHOD", N_("An alternative authentication method is required.")},
	{49, "KRB_AP_ERR_BADSEQ", N_("The sequence number in the message is wrong.")},
	{50, "KRB_AP_ERR_INAPP_CKSUM", N_("The checksum type is not appropriate for this message.")},
	{51, "KRB_AP_PATH_NOT_ACCEPTED", N_("The server does not accept the cross-realm path.")},
	{52, "KRB_ERR_RESPONSE_TOO_BIG", N_("The answer is too big for UDP; the client retries over TCP (normal).")},
	{60, "KRB_ERR_GENERIC", N_("A generic error; the error data usually carries the precise NTSTATUS.")},
	{61, "KRB_ERR_FIELD_TOOLONG", N_("A field is too long for this implementation.")},
	{62, "KDC_ERR_CLIENT_NOT_TRUSTED", N_("PKINIT: the KDC does not trust the client's certificate.")},
	{63, "KDC_ERR_KDC_NOT_TRUSTED", N_("PKINIT: the client does not trust the KDC.")},
	{64, "KDC_ERR_INVALID_SIG", N_("PKINIT: a signature is invalid.")},
	{65, "KDC_ERR_KEY_TOO_WEAK", N_("PKINIT: the key or Diffie-Hellman parameters are too weak for the KDC.")},
	{66, "KDC_ERR_CERTIFICATE_MISMATCH", N_("PKINIT: the certificate does not match the request.")},
	{67, "KRB_AP_ERR_NO_TGT", N_("No ticket-granting ticket is available for user-to-user authentication.")},
	{68, "KDC_ERR_WRONG_REALM", N_("The request belongs to another realm (a referral).")},
	{69, "KRB_AP_ERR_USER_TO_USER_REQUIRED", N_("The service requires user-to-user authentication.")},
	{70, "KDC_ERR_CANT_VERIFY_CERTIFICATE", N_("PKINIT: the certificate cannot be verified.")},
	{71, "KDC_ERR_INVALID_CERTIFICATE", N_("PKINIT: the certificate is invalid.")},
	{72, "KDC_ERR_REVOKED_CERTIFICATE", N_("PKINIT: the certificate is revoked.")},
	{73, "KDC_ERR_REVOCATION_STATUS_UNKNOWN", N_("PKINIT: the certificate's revocation status is unknown.")},
	{74, "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE", N_("PKINIT: the certificate's revocation status cannot be obtained.")},
	{75, "KDC_ERR_CLIENT_NAME_MISMATCH", N_("PKINIT: the client name does not match the certificate.")},
	{76, "KDC_ERR_KDC_NAME_MISMATCH", N_("PKINIT: the KDC name does not match the certificate.")},
	{77, "KDC_ERR_INCONSISTENT_KEY_PURPOSE", N_("PKINIT: the certificate's key purpose does not allow this use.")},
	{78, "KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED", N_("PKINIT: the certificate's digest algorithm is not accepted.")},
	{79, "KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED", N_("PKINIT: the request must carry a checksum.")},
	{80, "KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED", N_("PKINIT: the signed data's digest algorithm is not accepted.")},
	{81, "KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED", N_("PKINIT: public-key encryption is not supported.")},
	{85, "KRB_AP_ERR_IAKERB_KDC_NOT_FOUND", N_("IAKERB: the server found no KDC for the realm.")},
	{86, "KRB_AP_ERR_IAKERB_KDC_NO_RESPONSE", N_("IAKERB: the KDC did not answer the server.")},
	{90, "KDC_ERR_PREAUTH_EXPIRED", N_("FAST: the pre-authentication data has expired.")},
	{91, "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED", N_("FAST: the KDC needs more pre-authentication data.")},
	{92, "KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET", N_("FAST: the pre-authentication set is not acceptable.")},
	{93, "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS", N_("FAST: the request uses critical FAST options the KDC does not know.")},
};

#define KRB_COUNT (sizeof(krb_table) / sizeof(krb_table[0]))

static int
krb_cmp(const void *key, const void *elem)
{
	int32_t code = *(const int32_t *)key;
	const struct krb_error_info *info = elem;

	return code < info->code ? -1 : code > info->code;
}

const struct krb_error_info *
krb_error_info(int32_t code)
{
	return bsearch(&code, krb_table, KRB_COUNT, sizeof(krb_table[0]), krb_cmp);
}

const char *
krb_error_name(int32_t code)
{
	const struct krb_error_info *info = krb_error_info(code);

	return info ? info->name : NULL;
}

const struct krb_error_info *
krb_error_table(size_t *count)
{
	*count = KRB_COUNT;
	return krb_table;
}

/* Prefixes that may be left out of a name, tried in this order; the first
 * entry whose remainder matches wins (KDC_ERR_PATH_NOT_ACCEPTED before
 * KRB_AP_PATH_NOT_ACCEPTED). */
static const char *const krb_prefixes[] = {"KDC_ERR_", "KRB_AP_ERR_", "KRB_ERR_"};

static bool
krb_parse_number(const char *text, int32_t *code)
{
	long v;
	char *end;

	if (strncasecmp(text, "krb:", 4) == 0)
		text += 4;
	if (*text < '0' || *text > '9')
		return false;
	v = strtol(text, &end, 10);
	if (*end != '\0' || v > INT32_MAX)
		return false;
	*code = (int32_t)v;
	return true;
}

const char *
krb_etype_name(int32_t etype)
{
	switch (etype) {
	case 1: return "des-cbc-crc";
	case 3: return "des-cbc-md5";
	case 16: return "des3-cbc-sha1";
	case 17: return "aes128-cts-hmac-sha1-96";
	case 18: return "aes256-cts-hmac-sha1-96";
	case 19: return "aes128-cts-hmac-sha256-128";
	case 20: return "aes256-cts-hmac-sha384-192";
	case 23: return "rc4-hmac";
	case 24: return "rc4-hmac-exp";
	case 25: return "camellia128-cts-cmac";
	case 26: return "camellia256-cts-cmac";
	default: return NULL;
	}
}

static bool
krb_name_matches(const char *entry, const char *name)
{
	size_t i, n;

	if (strcasecmp(entry, name) == 0)
		return true;
	for (i = 0; i < sizeof(krb_prefixes) / sizeof(krb_prefixes[0]); i++) {
		n = strlen(krb_prefixes[i]);
		if (strncmp(entry, krb_prefixes[i], n) == 0 && strcasecmp(entry + n, name) == 0)
			return true;
	}
	return false;
}

bool
krb_error_lookup(const char *name, int32_t *code)
{
	int32_t number;
	size_t i;

	if (name == NULL)
		return false;
	if (krb_parse_number(name, &number)) {
		if (krb_error_info(number) == NULL)
			return false;
		*code = number;
		return true;
	}
	/* MIT spells them KRB5KDC_ERR_x and KRB5KRB_AP_ERR_x. */
	if (strncasecmp(name, "KRB5KDC_", 8) == 0 || strncasecmp(name, "KRB5KRB_", 8) == 0)
		name += 4;
	for (i = 0; i < KRB_COUNT; i++) {
		if (krb_name_matches(krb_table[i].name, name)) {
			*code = krb_table[i].code;
			return true;
		}
	}
	return false;
}

struct nbss_error_row {
	uint8_t code;
	const char *name;
	const char *meaning;
};

static const struct nbss_error_row nbss_error_table[] = {
	{0x80, "NOT_LISTENING_ON_CALLED_NAME", N_("The server does not listen on the called name.")},
	{0x81, "NOT_LISTENING_FOR_CALLING_NAME",
	 N_("The server refuses this caller (Samba: the client's address is excluded by hosts allow or hosts deny).")},
	{0x82, "CALLED_NAME_NOT_PRESENT",
	 N_("The called NetBIOS name is not registered on the server (use the server's name or *SMBSERVER).")},
	{0x83, "INSUFFICIENT_RESOURCES", N_("The called name is present, but the server lacks the resources to take the session.")},
	{0x8F, "UNSPECIFIED_ERROR", N_("The server refused the session without a specific reason.")},
};

#define NBSS_ERROR_COUNT (sizeof(nbss_error_table) / sizeof(nbss_error_table[0]))

static const struct nbss_error_row *
nbss_error_row(uint8_t code)
{
	size_t i;

	for (i = 0; i < NBSS_ERROR_COUNT; i++)
		if (nbss_error_table[i].code == code)
			return &nbss_error_table[i];
	return NULL;
}

const char *
nbss_error_name(uint8_t code)
{
	const struct nbss_error_row *row = nbss_error_row(code);

	return row ? row->name : NULL;
}

const char *
nbss_error_meaning(uint8_t code)
{
	const struct nbss_error_row *row = nbss_error_row(code);

	return row ? row->meaning : NULL;
}

bool
nbss_error_lookup(const char *name, uint8_t *code)
{
	unsigned long v;
	char *end;
	size_t i;

	if (name == NULL)
		return false;
	if (name[0] == '0' && (name[1] == 'x' || name[1] == 'X')) {
		v = strtoul(name + 2, &end, 16);
		if (*end != '\0' || name[2] == '\0' || v > UINT8_MAX || nbss_error_row((uint8_t)v) == NULL)
			return false;
		*code = (uint8_t)v;
		return true;
	}
	for (i = 0; i < NBSS_ERROR_COUNT; i++) {
		if (strcasecmp(nbss_error_table[i].name, name) == 0) {
			*code = nbss_error_table[i].code;
			return true;
		}
	}
	return false;
}
