/* Feeds a byte stream (what a client sends) to the core server. The first
 * byte picks the policy (encryption, signing, SMB1, name hardening, guest,
 * anonymous access); the next one where to cut the stream in two, so
 * partial PDUs are exercised. The server's randomness and clock are fixed,
 * so seeds recorded from a real client exchange (tests/fuzz/corpus/server)
 * replay a valid NTLM logon and reach the post-authentication commands. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/auth/ntlm_crypto.h"
#include "core/proto/server.h"
#include "core/wire/smb2_const.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_rng {
	uint64_t state;
};

static void
fuzz_random(void *user, uint8_t *buf, size_t n)
{
	struct fuzz_rng *r = user;
	size_t i;

	for (i = 0; i < n; i++) {
		r->state = r->state * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(r->state >> 56);
	}
}

static uint64_t
fuzz_filetime(void *user)
{
	(void)user;
	return 133800000000000000ull;
}

static struct sd_crypto *crypto;
static struct smb2s_policy base;

static void
init_once(void)
{
	struct smb2s_share *sh;

	if (crypto)
		return;
	sd_crypto_create(&crypto);
	smb2s_policy_defaults(&base);
	strcpy(base.netbios_name, "FS1");
	strcpy(base.users[0].name, "alice");
	ntlm_nt_hash(crypto, "Passw0rd", base.users[0].nt_hash);
	base.n_users = 1;
	sh = &base.shares[base.n_shares++];
	strcpy(sh->name, "data");
	sh->path_exists = true;
	sh->type = SMB2_SHARE_TYPE_DISK;
	sh = &base.shares[base.n_shares++];
	strcpy(sh->name, "secure");
	sh->path_exists = true;
	sh->encrypt_data = true;
	sh->type = SMB2_SHARE_TYPE_DISK;
}

static void
drain(struct smb2_server *s)
{
	struct smb2s_event ev;
	const uint8_t *p;
	size_t n;

	while ((n = smb2_server_output(s, &p)) > 0)
		smb2_server_output_done(s, n);
	while (smb2_server_next_event(s, &ev))
		;
}

static void
feed(struct smb2_server *s, const uint8_t *p, size_t len, uint64_t now)
{
	size_t used;

	while (len > 0) {
		if (smb2_server_input(s, p, len, now, &used) != SD_OK)
			return;
		drain(s);
		if (used == 0)
			return;
		p += used;
		len -= used;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rng rng = {0x5EED};
	struct sd_ctx ctx = {&rng, fuzz_random, fuzz_filetime};
	struct smb2s_policy pol;
	struct smb2_server *s;
	size_t cut;

	if (size < 2)
		return 0;
	init_once();
	pol = base;
	pol.encrypt_data = data[0] & 0x01;
	pol.reject_unencrypted_access = data[0] & 0x02;
	pol.require_message_signing = data[0] & 0x04;
	pol.enable_smb1 = data[0] & 0x08;
	pol.name_hardening_level = (uint8_t)(((data[0] >> 4) & 3) % 3);
	pol.guest = (data[0] & 0x40) ? SMB2S_GUEST_BAD_USER : SMB2S_GUEST_NEVER;
	pol.allow_anonymous_access = !(data[0] & 0x80);
	cut = data[1];
	data += 2;
	size -= 2;
	if (smb2_server_create(&ctx, crypto, &pol, 0, &s) != SD_OK)
		return 0;
	if (cut > size)
		cut = size;
	feed(s, data, cut, 1000);
	feed(s, data + cut, size - cut, 2000);
	smb2_server_tick(s, UINT64_MAX / 2);
	drain(s);
	smb2_server_eof(s, UINT64_MAX / 2);
	smb2_server_free(s);
	return 0;
}
