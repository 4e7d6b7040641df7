/* Feeds a byte stream (what a server sends) to the core client, the
 * probe's state machine: framing, answers that are not SMB, NEGOTIATE,
 * SESSION_SETUP and TREE_CONNECT answers in any order and shape. The first
 * byte picks the client's configuration (SMB1 first, signing, encryption,
 * anonymous, share listing); the next where to cut the stream in two, so
 * partial PDUs are exercised. Randomness and clock are fixed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/auth/crypto_ctx.h"
#include "core/proto/client.h"
#include "../unit/fixed_ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sd_crypto *crypto;

/* Sends whatever the client has to send, as if the peer took it all. */
static void
drain(struct smb2_client *c, uint64_t now_us)
{
	const uint8_t *p;
	size_t n;
	int rounds = 0;

	while ((n = smb2_client_output(c, &p)) > 0 && rounds++ < 64)
		smb2_client_output_done(c, n, now_us);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb2_client_config cfg;
	struct smb2_client *c = NULL;
	size_t cut;
	uint8_t knobs;

	if (size < 2)
		return 0;
	if (crypto == NULL && sd_crypto_create(&crypto) != SD_OK)
		return 0;
	knobs = data[0];
	cut = size > 2 ? data[1] % (size - 1) : 0;
	data += 2;
	size -= 2;
	memset(&cfg, 0, sizeof(cfg));
	cfg.user = "alice";
	cfg.password = "Passw0rd";
	cfg.server_name = "fs1";
	cfg.share = knobs & 0x40 ? "IPC$" : "data";
	cfg.list_shares = (knobs & 0x40) != 0;
	cfg.smb1_first = (knobs & 0x01) != 0;
	cfg.smb1_only = (knobs & 0x03) == 0x03;
	cfg.signing = (enum smb2_signing_mode)((knobs >> 2) % 3);
	cfg.no_encryption = (knobs & 0x10) != 0;
	cfg.encrypt = (knobs & 0x20) != 0 && !cfg.no_encryption;
	cfg.mech = knobs & 0x80 ? SMB2_MECH_ANONYMOUS : SMB2_MECH_NTLM;
	if (smb2_client_create(&fixed_ctx, crypto, &cfg, &c) != SD_OK)
		return 0;
	if (smb2_client_start(c, 1) == SD_OK) {
		drain(c, 2);
		(void)smb2_client_input(c, data, cut, 3);
		drain(c, 4);
		(void)smb2_client_input(c, data + cut, size - cut, 5);
		drain(c, 6);
		smb2_client_eof(c, 7);
		(void)smb2_client_result(c);
	}
	smb2_client_free(c);
	return 0;
}
