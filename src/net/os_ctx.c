#include "net/os_ctx.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

static void
os_random(void *user, uint8_t *buf, size_t n)
{
	(void)user;
	while (n > 0) {
		ssize_t got = getrandom(buf, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			abort();  /* no safe way to make keys without randomness */
		}
		buf += got;
		n -= (size_t)got;
	}
}

static uint64_t
os_filetime(void *user)
{
	struct timespec ts;

	(void)user;
	clock_gettime(CLOCK_REALTIME, &ts);
	return SD_FILETIME_UNIX_EPOCH + (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u;
}

void
net_os_ctx(struct sd_ctx *ctx)
{
	ctx->random = os_random;
	ctx->filetime = os_filetime;
}

uint64_t
net_os_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
