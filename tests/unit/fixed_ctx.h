/* A context whose randomness and clock are fixed, for the tests and fuzz
 * targets that drive the core client: a run replays byte for byte. */
#ifndef SMBDIAG_TESTS_FIXED_CTX_H
#define SMBDIAG_TESTS_FIXED_CTX_H

#include <stdint.h>
#include <string.h>

#include "core/ctx.h"

static void
fixed_random(void *user, uint8_t *buf, size_t n)
{
	(void)user;
	memset(buf, 0x5A, n);
}

static uint64_t
fixed_filetime(void *user)
{
	(void)user;
	return SD_FILETIME_UNIX_EPOCH;
}

static const struct sd_ctx fixed_ctx = {NULL, fixed_random, fixed_filetime};

#endif
