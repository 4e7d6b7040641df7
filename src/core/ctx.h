/* What the core needs from the world, passed in so that the core never
 * reads the clock or the random source itself: replaying a capture, fuzzing
 * and client-against-server tests on a virtual clock stay deterministic. */
#ifndef SMBDIAG_CORE_CTX_H
#define SMBDIAG_CORE_CTX_H

#include <stddef.h>
#include <stdint.h>

struct sd_ctx {
	void *user;
	/* n unpredictable bytes: challenges, GUIDs, session keys, salts, nonces. */
	void (*random)(void *user, uint8_t *buf, size_t n);
	/* Wall-clock time as a Windows FILETIME (100 ns units since 1601). */
	uint64_t (*filetime)(void *user);
};

/* FILETIME of the Unix epoch. */
#define SD_FILETIME_UNIX_EPOCH 116444736000000000ull

#endif
