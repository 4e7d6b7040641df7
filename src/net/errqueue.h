/* Linux socket error queues (MSG_ERRQUEUE): ACK timestamps (ack_stamps.c)
 * and ICMP errors (probe_kdc_check.c) arrive there as one message each,
 * with a struct sock_extended_err in an IP_RECVERR / IPV6_RECVERR part. */
#ifndef SMBDIAG_NET_ERRQUEUE_H
#define SMBDIAG_NET_ERRQUEUE_H

#if defined(__linux__)
#include <stdbool.h>
#include <sys/socket.h>

#include <linux/errqueue.h>

struct net_errqueue_msg {
	struct msghdr msg;
	union {
		char buf[512];
		struct cmsghdr align;
	} control;
};

/* Takes one message off fd's error queue without waiting; false when the
 * queue is empty. */
bool net_errqueue_take(int fd, struct net_errqueue_msg *m);

/* The message's extended error, or NULL when it has none. */
const struct sock_extended_err *net_errqueue_error(struct net_errqueue_msg *m);

/* The payload of the message's part of level and type at least size
 * bytes long, or NULL. */
const void *net_errqueue_part(struct net_errqueue_msg *m, int level, int type, size_t size);
#endif

#endif
