/* Feeds untrusted bytes to the crypto entry points that parse what they
 * are given: transform unsealing, chain signature checks, NTLMv2 response
 * verification and MIC checks. Keys are fixed: the point is bounds and
 * leaks, not forging. The first byte picks the cipher / algorithm. */
#include <stddef.h>
#include <stdint.h>

#include "core/auth/ntlm_crypto.h"
#include "core/auth/smb_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sd_crypto *crypto;  /* fuzzer-process state, created once */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t challenge[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};
	static uint8_t out[1 << 16];
	enum smb3_cipher cipher;
	uint8_t sbk[16];
	uint64_t sid;
	size_t out_len, third;

	if (crypto == NULL && sd_crypto_create(&crypto) != SD_OK)
		return 0;
	if (size < 1)
		return 0;
	cipher = (enum smb3_cipher)(data[0] % 6);
	data++;
	size--;
	(void)smb3_transform_session_id(data, size, &sid);
	(void)smb3_transform_unseal(crypto, cipher, key, smb3_cipher_key_len(cipher), data, size, out, sizeof(out),
	    &out_len);
	(void)smb2_verify_chain(crypto, (enum smb2_sign_alg)(cipher % 3), key, 16, data, size);
	(void)ntlm_v2_verify(crypto, key, data, size / 4 * 2, NULL, 0, challenge, data, size, sbk);
	third = size / 3;
	(void)ntlm_mic_verify(crypto, key, data, third, data + third, third, data + 2 * third, size - 2 * third, 72);
	return 0;
}
