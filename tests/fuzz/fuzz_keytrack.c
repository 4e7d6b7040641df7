/* Feeds one connection's worth of PDUs to the session key tracker with the
 * password of the blog exchange (tests/vectors/smb311-preauth-keys.txt),
 * so that a seed built from that exchange reaches key derivation,
 * signature checks and decryption. Input: records of one direction byte
 * (bit 0: server to client), a 16-bit little-endian length and that many
 * PDU bytes; a short last record takes what is left. */
#include <stddef.h>
#include <stdint.h>

#include "core/proto/keytrack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sd_crypto *crypto;  /* fuzzer-process state, created once */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct smb2_kt_creds creds = {"Password01!", NULL, NULL, NULL};
	static const uint8_t known_key[16] = {0x42};
	static uint8_t out[1 << 16];
	struct smb2_keytrack *kt = NULL;
	struct smb2_kt_result res;
	size_t len;

	if (crypto == NULL && sd_crypto_create(&crypto) != SD_OK)
		return 0;
	if (smb2_keytrack_create(crypto, &creds, &kt) != SD_OK)
		return 0;
	(void)smb2_keytrack_add_session_key(kt, 0x42, known_key, sizeof(known_key));
	while (size >= 3) {
		enum smb2_kt_dir dir = (data[0] & 1) ? SMB2_KT_S2C : SMB2_KT_C2S;

		len = (size_t)data[1] | (size_t)data[2] << 8;
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		(void)smb2_keytrack_feed(kt, dir, data, len, out, sizeof(out), &res);
		data += len;
		size -= len;
	}
	smb2_keytrack_free(kt);
	return 0;
}
