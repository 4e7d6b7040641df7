/* ACK times from the kernel. The kernel notes the moment an ACK covers the
 * last byte of each send and queues that note on the socket's error queue,
 * so the probe learns "acknowledged after 180 us" exactly, whenever it
 * next looks, with no timer and no polling while the server thinks. Before
 * this, the ACK was watched by reading TCP_INFO in 50 us sleeps for half a
 * millisecond after every request, then on a timer: a dozen wake-ups for
 * every request a server took its time to answer, and only as exact as
 * the sleeps. TCP_INFO stays the fallback (conn.c). */
#include "net/ack_stamps.h"

#include <string.h>
#include <sys/socket.h>
#include <time.h>

#if defined(__linux__)
#include <linux/net_tstamp.h>

#include "net/errqueue.h"
#endif

#if defined(__linux__) && defined(SO_TIMESTAMPING)

bool
ack_stamps_enable(int fd)
{
	/* OPT_ID numbers each stamp by the offset of the last byte it
	 * covers; TSONLY leaves the sent bytes out of the note. */
	int flags = SOF_TIMESTAMPING_TX_ACK | SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID |
		    SOF_TIMESTAMPING_OPT_TSONLY;

	return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags)) == 0;
}

static uint64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

bool
ack_stamps_next(int fd, uint32_t *acked_bytes, uint64_t *at_us)
{
	struct net_errqueue_msg m;
	const struct scm_timestamping *stamp;
	const struct sock_extended_err *err;
	uint64_t real_us, mono_now, real_now;

	/* Each note is one message; a message without both parts (another
	 * kind of error note) is skipped, a bounded number of times. */
	for (int tries = 0; tries < 16 && net_errqueue_take(fd, &m); tries++) {
		stamp = net_errqueue_part(&m, SOL_SOCKET, SO_TIMESTAMPING, sizeof(*stamp));
		err = net_errqueue_error(&m);
		if (!stamp || !err || err->ee_origin != SO_EE_ORIGIN_TIMESTAMPING || err->ee_info != SCM_TSTAMP_ACK)
			continue;
		/* The stamp is wall-clock time; the connection keeps
		 * monotonic time. The two clocks are read back to back. */
		real_us = (uint64_t)stamp->ts[0].tv_sec * 1000000u + (uint64_t)stamp->ts[0].tv_nsec / 1000u;
		mono_now = clock_us(CLOCK_MONOTONIC);
		real_now = clock_us(CLOCK_REALTIME);
		*at_us = real_us <= real_now ? mono_now - (real_now - real_us) : mono_now;
		*acked_bytes = err->ee_data + 1u;
		return true;
	}
	return false;
}

#else

bool
ack_stamps_enable(int fd)
{
	(void)fd;
	return false;
}

bool
ack_stamps_next(int fd, uint32_t *acked_bytes, uint64_t *at_us)
{
	(void)fd;
	(void)acked_bytes;
	(void)at_us;
	return false;
}

#endif
