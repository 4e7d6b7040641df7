#include "net/errqueue.h"

#if defined(__linux__)
#include <netinet/in.h>
#include <string.h>

bool
net_errqueue_take(int fd, struct net_errqueue_msg *m)
{
	memset(&m->msg, 0, sizeof(m->msg));
	m->msg.msg_control = m->control.buf;
	m->msg.msg_controllen = sizeof(m->control.buf);
	return recvmsg(fd, &m->msg, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0;
}

const void *
net_errqueue_part(struct net_errqueue_msg *m, int level, int type, size_t size)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(&m->msg); cm; cm = CMSG_NXTHDR(&m->msg, cm))
		if (cm->cmsg_level == level && cm->cmsg_type == type && cm->cmsg_len >= CMSG_LEN(size))
			return CMSG_DATA(cm);
	return NULL;
}

const struct sock_extended_err *
net_errqueue_error(struct net_errqueue_msg *m)
{
	const void *e = net_errqueue_part(m, SOL_IP, IP_RECVERR, sizeof(struct sock_extended_err));

	return e ? e : net_errqueue_part(m, SOL_IPV6, IPV6_RECVERR, sizeof(struct sock_extended_err));
}
#endif
