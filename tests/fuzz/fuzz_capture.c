/* The whole capture pipeline from pcap bytes to findings: libpcap reads
 * the input from memory (pcap or pcapng), the analyzer reassembles and
 * decodes, the rules run. Nothing may crash, leak or read out of bounds,
 * whatever the bytes. A small memory budget makes the limits trip too.
 *
 * Seeds (corpus/capture/): our own recordings (a Kerberos-sealed SMB
 * session against smbd and an MIT KDC; kinit over UDP to [::1] with MTU
 * 1280, whose replies are IPv6 fragments); tests/run_all.py adds the
 * scenario captures (tests/scenarios) and, when it is there, the shared
 * corpus (../shared/captures) at fuzzing time. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture/cap.h"
#include "diag/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MEMORY ((size_t)4 * 1024 * 1024)

/* Kerberos sessions go through the --keytab path (cap_auth_keys.c): this
 * key source stands for a keytab that opens every ticket, so that the
 * routing of AP-REQ / AP-REP keys into the key tracker and the decryption
 * attempts that follow run on fuzzed input too (no fuzzed ciphertext opens
 * a real ticket; the decoders behind the real keytab have their own
 * target, fuzz_krb5enc). Keys come from the token's first bytes:
 * deterministic, different tokens give different keys. Seed:
 * smbdiag-kerberos-sealed-smb-4455-kdc-8888.pcap, our own
 * (tests/interop/test_analyze_kerberos.py's encrypted smbclient session,
 * ports rewritten to 4455 and 8888): AS and TGS exchanges on the KDC port,
 * a Kerberos SESSION_SETUP and SMB 3.1.1 messages encrypted after it. */
static enum cap_krb_keys_result
any_ticket(void *ctx, const uint8_t *token, size_t len, struct cap_krb_keys *keys)
{
	size_t i;

	(void)ctx;
	memset(keys, 0, sizeof(*keys));
	keys->ticket.enctype = 18;
	keys->ticket.len = 32;
	for (i = 0; i < keys->ticket.len; i++)
		keys->ticket.v[i] = (uint8_t)(i < len ? token[i] : i);
	if (len > 0 && (token[len - 1] & 1)) {
		keys->initiator = keys->ticket;
		keys->initiator.len = 16;
	}
	return len > 0 && token[0] == 0 ? CAP_KRB_KEYS_WRONG_KEY : CAP_KRB_KEYS_OK;
}

static enum cap_krb_keys_result
any_ap_rep(void *ctx, const uint8_t *token, size_t len, struct cap_krb_keys *keys)
{
	(void)ctx;
	if (len > 1 && (token[1] & 1)) {
		keys->acceptor = keys->ticket;
		keys->acceptor.v[0] ^= 0x5a;
		keys->acceptor.len = len > 2 && (token[2] & 1) ? 8 : 32;  /* short keys are padded */
	}
	return CAP_KRB_KEYS_OK;
}

static const struct cap_krb_keysource fuzz_keys = {NULL, any_ticket, any_ap_rep};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_opts opts = {.max_memory = FUZZ_MEMORY, .n_smb_ports = 1, .smb_ports = {4455},
				.krb_keys = &fuzz_keys, .n_krb_ports = 1, .krb_ports = {8888}};
	struct cap_source src = {0};
	struct ev_timeline t;
	struct cap_analyzer *a;
	char errbuf[256];
	FILE *fp;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "rb");
	if (fp == NULL)
		return 0;
	ev_timeline_init(&t, EV_MODE_ANALYZE);
	a = cap_analyzer_new(&opts, &t);
	if (a == NULL) {
		fclose(fp);
		ev_timeline_cleanup(&t);
		return 0;
	}
	src.stream = fp;  /* closed by cap_run */
	cap_run(a, &src, errbuf, sizeof(errbuf));
	cap_analyzer_finish(a);
	rules_run(&t);
	cap_analyzer_free(a);
	ev_timeline_cleanup(&t);
	return 0;
}
