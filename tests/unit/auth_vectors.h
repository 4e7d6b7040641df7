/* Test helpers shared by the auth decoder tests: loading captured tokens
 * from tests/vectors/auth/ and exact-size copies for truncation runs (the
 * copy ends where the prefix ends, so ASan catches any read past it). */
#ifndef SMBDIAG_TESTS_UNIT_AUTH_VECTORS_H
#define SMBDIAG_TESTS_UNIT_AUTH_VECTORS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_VECTOR_MAX 8192

/* Reads tests/vectors/auth/<name> into buf; returns its length (fails the
 * test through abort() when the file is missing: a broken checkout). */
static inline size_t
auth_vector(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/auth/%s", TEST_VECTORS_DIR, name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "missing test vector %s\n", path);
		abort();
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
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
