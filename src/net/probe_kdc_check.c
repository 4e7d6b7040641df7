/* MIT's library reports only "cannot contact any KDC": its trace gives no
 * errno. An administrator needs to know which: nothing listens on the KDC
 * port (the service is stopped), a firewall rejects it, or packets vanish.
 * So after such a failure the probe asks the KDC's address itself, the
 * way the analyzer reads the answer from a capture: an empty UDP datagram
 * (a KDC ignores it; a closed port answers ICMP port unreachable, a
 * firewall "administratively prohibited"), then, when that stays silent,
 * a TCP connection (a reset means nothing listens). Blocking and bounded:
 * it runs once, after the exchange, as a follow-up experiment. */
#include "net/probe_kdc_check.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#if defined(__linux__)
#include "net/errqueue.h"
#endif

static bool
parse_kdc(const char *kdc, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon, *open = kdc[0] == '[' ? kdc + 1 : NULL;
	size_t n;
	unsigned long port;
	char *end;

	colon = strrchr(kdc, ':');
	if (!colon || colon == kdc)
		return false;
	port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535)
		return false;
	if (open) {
		const char *close = strchr(open, ']');

		if (!close || close + 1 != colon)
			return false;
		n = (size_t)(close - open);
	} else {
		open = kdc;
		n = (size_t)(colon - kdc);
	}
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, open, n);
	host[n] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss) == 0) {
		*len = sizeof(struct sockaddr_in);
		return true;
	}
	if (uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)ss) == 0) {
		*len = sizeof(struct sockaddr_in6);
		return true;
	}
	return false;
}

#if defined(__linux__)
/* The ICMP error our datagram earned, from the socket's error queue. */
static bool
icmp_error(int fd, struct kdc_check *out)
{
	struct net_errqueue_msg m;
	const struct sock_extended_err *e;
	const struct sockaddr *sender;

	if (!net_errqueue_take(fd, &m) || (e = net_errqueue_error(&m)) == NULL ||
	    (e->ee_origin != SO_EE_ORIGIN_ICMP && e->ee_origin != SO_EE_ORIGIN_ICMP6))
		return false;
	out->refusal = e->ee_origin == SO_EE_ORIGIN_ICMP ? EV_KRB_REFUSAL_ICMP : EV_KRB_REFUSAL_ICMPV6;
	out->icmp_type = e->ee_type;
	out->icmp_code = e->ee_code;
	/* The sender's address follows the error in the same part, when the
	 * part is long enough to hold it. */
	if (e->ee_origin == SO_EE_ORIGIN_ICMP6 &&
	    net_errqueue_part(&m, SOL_IPV6, IPV6_RECVERR, sizeof(*e) + sizeof(struct sockaddr_in6))) {
		sender = SO_EE_OFFENDER(e);
		if (sender->sa_family == AF_INET6)
			uv_ip6_name((const struct sockaddr_in6 *)(const void *)sender, out->from, sizeof(out->from));
	} else if (e->ee_origin == SO_EE_ORIGIN_ICMP &&
		   net_errqueue_part(&m, SOL_IP, IP_RECVERR, sizeof(*e) + sizeof(struct sockaddr_in))) {
		sender = SO_EE_OFFENDER(e);
		if (sender->sa_family == AF_INET)
			uv_ip4_name((const struct sockaddr_in *)(const void *)sender, out->from, sizeof(out->from));
	}
	return true;
}
#endif

static void
udp_check(const struct sockaddr_storage *ss, socklen_t len, unsigned timeout_ms, struct kdc_check *out)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), on = 1;
	struct pollfd pfd;

	if (fd < 0)
		return;
#if defined(__linux__)
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
	else
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
#else
	(void)on;
#endif
	if (connect(fd, (const struct sockaddr *)ss, len) != 0 || send(fd, "", 0, 0) < 0) {
		close(fd);
		return;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, (int)timeout_ms) > 0) {
#if defined(__linux__)
		if ((pfd.revents & POLLERR) && icmp_error(fd, out)) {
			close(fd);
			return;
		}
#endif
		out->udp_answered = (pfd.revents & POLLIN) != 0;
	}
	close(fd);
}

static void
tcp_check(const struct sockaddr_storage *ss, socklen_t len, unsigned timeout_ms, struct kdc_check *out)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), err = 0;
	socklen_t err_len = sizeof(err);
	struct pollfd pfd;

	if (fd < 0)
		return;
	if (connect(fd, (const struct sockaddr *)ss, len) == 0) {
		out->tcp_open = true;
	} else if (errno == EINPROGRESS) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)timeout_ms) > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0) {
			if (err == 0)
				out->tcp_open = true;
			else if (err == ECONNREFUSED)
				out->refusal = EV_KRB_REFUSAL_TCP_RESET;
		}
	} else if (errno == ECONNREFUSED) {
		out->refusal = EV_KRB_REFUSAL_TCP_RESET;
	}
	close(fd);
}

bool
probe_kdc_check(const char *kdc, unsigned timeout_ms, struct kdc_check *out)
{
	struct sockaddr_storage ss;
	socklen_t len;

	memset(out, 0, sizeof(*out));
	if (!kdc || !parse_kdc(kdc, &ss, &len))
		return false;
	udp_check(&ss, len, timeout_ms, out);
	if (out->refusal == EV_KRB_REFUSAL_NONE && !out->udp_answered)
		tcp_check(&ss, len, timeout_ms, out);
	return true;
}
