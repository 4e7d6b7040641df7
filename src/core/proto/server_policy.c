/* The server's policy (MS-SMB2 3.3.1.5 globals, the ShareList and the
 * account table): defaults, lookups, and a consistency check so that a
 * bad configuration is refused before any client connects. */
#include <string.h>

#include "core/proto/server_internal.h"
#include "core/wire/smb2_const.h"

static const uint16_t known_dialects[] = {
	SMB2_DIALECT_202, SMB2_DIALECT_210, SMB2_DIALECT_300, SMB2_DIALECT_302, SMB2_DIALECT_311,
};

void
smb2s_policy_defaults(struct smb2s_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->min_dialect = SMB2_DIALECT_202;
	p->max_dialect = SMB2_DIALECT_311;
	p->allow_anonymous_access = true;
	/* Windows' default (Get-SmbServerConfiguration): EncryptData on a
	 * server or share refuses clients that cannot encrypt unless an
	 * administrator turns this off. */
	p->reject_unencrypted_access = true;
	p->guest = SMB2S_GUEST_NEVER;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

bool
srv_name_eq(const char *a, const char *b)
{
	while (*a && *b && lower((unsigned char)*a) == lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

const struct smb2s_share *
smb2s_policy_share(const struct smb2s_policy *p, const char *name)
{
	uint8_t i;

	for (i = 0; i < p->n_shares; i++)
		if (srv_name_eq(p->shares[i].name, name))
			return &p->shares[i];
	return NULL;
}

const struct smb2s_user *
smb2s_policy_user(const struct smb2s_policy *p, const char *name)
{
	uint8_t i;

	for (i = 0; i < p->n_users; i++)
		if (srv_name_eq(p->users[i].name, name))
			return &p->users[i];
	return NULL;
}

static bool
dialect_known(uint16_t d)
{
	size_t i;

	for (i = 0; i < sizeof(known_dialects) / sizeof(known_dialects[0]); i++)
		if (known_dialects[i] == d)
			return true;
	return false;
}

bool
srv_dialect_allowed(const struct smb2s_policy *p, uint16_t dialect)
{
	return dialect_known(dialect) && dialect >= p->min_dialect && dialect <= p->max_dialect;
}

enum sd_err
smb2s_policy_check(const struct smb2s_policy *p, const char **why)
{
	uint8_t i;

	*why = NULL;
	if (!dialect_known(p->min_dialect) || !dialect_known(p->max_dialect))
		*why = "MinDialect and MaxDialect must each be one of 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1";
	else if (p->min_dialect > p->max_dialect)
		*why = "MinDialect is above MaxDialect: no dialect is left";
	else if (p->name_hardening_level > 2)
		*why = "SmbServerNameHardeningLevel must be 0, 1 or 2";
	else if (p->n_ciphers > SMB2S_MAX_IDS || p->n_signing_algs > SMB2S_MAX_IDS ||
		 p->n_shares > SMB2S_MAX_SHARES || p->n_users > SMB2S_MAX_USERS ||
		 p->n_accepted_names > SMB2S_MAX_NAMES)
		*why = "a list in the policy is longer than its capacity";
	for (i = 0; *why == NULL && i < p->n_ciphers; i++)
		if (p->ciphers[i] < SMB2_ENCRYPTION_AES128_CCM || p->ciphers[i] > SMB2_ENCRYPTION_AES256_GCM)
			*why = "unknown cipher in the cipher preference";
	for (i = 0; *why == NULL && i < p->n_signing_algs; i++)
		if (p->signing_algs[i] > SMB2_SIGNING_AES_GMAC)
			*why = "unknown signing algorithm";
	for (i = 0; *why == NULL && i < p->n_shares; i++) {
		if (p->shares[i].name[0] == '\0' || strlen(p->shares[i].name) > 80)
			*why = "a share name is empty or longer than 80 characters";
		else if (srv_name_eq(p->shares[i].name, "IPC$"))
			*why = "IPC$ is built in and cannot be configured";
		else if (p->shares[i].n_allowed > SMB2S_MAX_ALLOWED)
			*why = "a share's allowed-user list is too long";
	}
	return *why ? SD_ERR_INVALID_ARG : SD_OK;
}

const char *
smb2s_account_name(enum smb2s_account a)
{
	switch (a) {
	case SMB2S_ACCOUNT_OK: return "ok";
	case SMB2S_ACCOUNT_DISABLED: return "disabled";
	case SMB2S_ACCOUNT_LOCKED: return "locked";
	case SMB2S_ACCOUNT_EXPIRED: return "expired";
	case SMB2S_ACCOUNT_PASSWORD_EXPIRED: return "password_expired";
	case SMB2S_ACCOUNT_MUST_CHANGE: return "must_change_password";
	case SMB2S_ACCOUNT_RESTRICTED: return "restricted";
	}
	return "?";
}

uint32_t
smb2s_account_status(enum smb2s_account a)
{
	switch (a) {
	case SMB2S_ACCOUNT_OK: return ST_SUCCESS;
	case SMB2S_ACCOUNT_DISABLED: return ST_ACCOUNT_DISABLED;
	case SMB2S_ACCOUNT_LOCKED: return ST_ACCOUNT_LOCKED_OUT;
	case SMB2S_ACCOUNT_EXPIRED: return ST_ACCOUNT_EXPIRED;
	case SMB2S_ACCOUNT_PASSWORD_EXPIRED: return ST_PASSWORD_EXPIRED;
	case SMB2S_ACCOUNT_MUST_CHANGE: return ST_PASSWORD_MUST_CHANGE;
	case SMB2S_ACCOUNT_RESTRICTED: return ST_ACCOUNT_RESTRICTION;
	}
	return ST_LOGON_FAILURE;
}

const char *
srv_netbios_name(const struct smb2s_policy *p)
{
	return p->netbios_name[0] ? p->netbios_name : "SMBDIAG";
}

const char *
srv_netbios_domain(const struct smb2s_policy *p)
{
	return p->netbios_domain[0] ? p->netbios_domain : "WORKGROUP";
}

void
srv_dns_name(const struct smb2s_policy *p, char *out, size_t cap)
{
	const char *src = p->dns_name[0] ? p->dns_name : srv_netbios_name(p);
	size_t i;

	if (cap == 0)
		return;
	for (i = 0; src[i] && i + 1 < cap; i++)
		out[i] = p->dns_name[0] ? src[i] : (char)lower((unsigned char)src[i]);
	out[i] = '\0';
}
