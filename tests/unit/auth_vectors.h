/* Test helpers shared by the auth decoder tests: captured tokens of the
 * shared corpus (read at run time) and exact-size copies for truncation runs (the
 * copy ends where the prefix ends, so ASan catches any read past it). */
#ifndef SMBDIAG_TESTS_UNIT_AUTH_VECTORS_H
#define SMBDIAG_TESTS_UNIT_AUTH_VECTORS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared_vectors.h"

#define AUTH_VECTOR_MAX 8192

/* Where the captured tokens are: they are read at run time from the shared
 * capture corpus (shared_vectors.h), which is not ours to copy. */
struct auth_source {
	const char *name;
	struct shared_vec at;
};

#define ARKIME_WIN10 "arkime-wireshark-smb-on-windows10.pcap"
static struct auth_source auth_sources[] = {
	{"krb-as-rep-udp-kinit.bin", {"zeek-kinit.pcap", 2, 0, 744, false, NULL, NULL, 0}},
	{"krb-as-req-preauth-tcp.bin", {"ndpi-kerberos.pcap", 3, 0, 319, false, NULL, NULL, 0}},
	{"krb-as-req-tcp-arkime.bin", {"arkime-krb5-tcp.pcap", 4, 0, 273, false, NULL, NULL, 0}},
	{"krb-as-req-udp-kinit.bin", {"zeek-kinit.pcap", 1, 0, 178, false, NULL, NULL, 0}},
	{"krb-error-ext-status-tcp.bin", {"ndpi-kerberos.pcap", 32, 0, 136, false, NULL, NULL, 0}},
	{"krb-error-preauth-required-tcp.bin", {"ndpi-kerberos.pcap", 2, 0, 278, false, NULL, NULL, 0}},
	{"krb-error-response-too-big-udp.bin", {"ndpi-kerberos-error.pcap", 2, 0, 102, false, NULL, NULL, 0}},
	{"krb-preauthpad-1.bin", {"zeek-error-preauth-padata.pcap", 1, 0, 22, false, NULL, NULL, 0}},
	{"krb-tgs-rep-tcp.bin", {"ndpi-kerberos.pcap", 8, 0, 1444, false, NULL, NULL, 0}},
	{"krb-tgs-req-tcp.bin", {"ndpi-kerberos.pcap", 7, 0, 1431, false, NULL, NULL, 0}},
	{"ntlm-raw-authenticate.bin", {"zeek-raw_ntlm_in_smb.pcap", 22, 63, 440, false, NULL, NULL, 0}},
	{"ntlm-raw-challenge.bin", {"zeek-raw_ntlm_in_smb.pcap", 20, 47, 234, false, NULL, NULL, 0}},
	{"ntlm-raw-negotiate.bin", {"suricata-verify-smb2-delete-input.pcap", 18, 126, 40, false, NULL, NULL, 0}},
	{"spnego-init-krb5-apreq.bin", {"zeek-smb2_krb.pcap", 12, 92, 2645, true, NULL, NULL, 0}},
	{"spnego-init-ntlm-negotiate.bin", {ARKIME_WIN10, 18, 63, 74, false, NULL, NULL, 0}},
	{"spnego-init2-negoex.bin", {ARKIME_WIN10, 6, 132, 320, false, NULL, NULL, 0}},
	{"spnego-init2-server.bin", {"zeek-smb2_krb.pcap", 6, 132, 96, false, NULL, NULL, 0}},
	{"spnego-resp-accept-completed.bin", {ARKIME_WIN10, 100, 76, 29, false, NULL, NULL, 0}},
	{"spnego-resp-krb5-aprep.bin", {"zeek-smb2_krb.pcap", 14, 76, 185, false, NULL, NULL, 0}},
	{"spnego-resp-ntlm-authenticate.bin", {ARKIME_WIN10, 45, 92, 565, false, NULL, NULL, 0}},
	{"spnego-resp-ntlm-challenge.bin", {ARKIME_WIN10, 44, 76, 271, false, NULL, NULL, 0}},
};
#undef ARKIME_WIN10

/* The token called name into buf; returns its length. Skips the running
 * test when the shared corpus is absent; fails it for an unknown name. */
static inline size_t
auth_vector(const char *name, uint8_t *buf, size_t cap)
{
	struct shared_vec *v;
	size_t i, n;

	for (i = 0; i < sizeof(auth_sources) / sizeof(auth_sources[0]); i++)
		if (strcmp(auth_sources[i].name, name) == 0)
			break;
	if (i == sizeof(auth_sources) / sizeof(auth_sources[0])) {
		fprintf(stderr, "unknown test vector %s\n", name);
		abort();
	}
	v = &auth_sources[i].at;
	shared_vec_need(v);  /* read once, kept for the program's life */
	n = v->len < cap ? v->len : cap;
	memcpy(buf, v->p, n);
	return n;
}

/* Hex text (whitespace allowed) to bytes; returns the byte count. */
static inline size_t
auth_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else if (n < cap) {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

/* A heap copy of exactly n bytes (NULL-safe for n == 0). */
static inline uint8_t *
auth_exact_copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (c && n)
		memcpy(c, p, n);
	return c;
}

#endif
