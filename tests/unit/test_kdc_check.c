/* src/net/probe_kdc_check.c against loopback ports of its own: a closed
 * port (ICMP port unreachable over IPv4 and IPv6), a UDP socket that
 * stays silent with a TCP listener beside it (the connection is accepted),
 * and addresses it must refuse to parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/probe_kdc_check.h"

/* A socket of type bound to a free port on the loopback of family; the
 * port, and the socket in *fd (left open). */
static unsigned
bound(int family, int type, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	}
	*fd = socket(family, type, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&ss, &len), 0);
	return ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
}

/* A port nothing listens on: bound, then closed. */
static unsigned
closed_port(int family)
{
	int fd;
	unsigned port = bound(family, SOCK_DGRAM, &fd);

	close(fd);
	return port;
}

static void
closed_port_answers_port_unreachable(void **state)
{
	struct kdc_check r;
	char kdc[64];

	(void)state;
	snprintf(kdc, sizeof(kdc), "127.0.0.1:%u", closed_port(AF_INET));
	assert_true(probe_kdc_check(kdc, 1000, &r));
	assert_int_equal(r.refusal, EV_KRB_REFUSAL_ICMP);
	assert_int_equal(r.icmp_type, 3);
	assert_int_equal(r.icmp_code, 3);
	assert_string_equal(r.from, "127.0.0.1");
}

static bool
has_ipv6_loopback(void)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&s6, sizeof(s6)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

static void
closed_port_answers_port_unreachable_v6(void **state)
{
	struct kdc_check r;
	char kdc[64];

	(void)state;
	if (!has_ipv6_loopback())
		skip();
	snprintf(kdc, sizeof(kdc), "[::1]:%u", closed_port(AF_INET6));
	assert_true(probe_kdc_check(kdc, 1000, &r));
	assert_int_equal(r.refusal, EV_KRB_REFUSAL_ICMPV6);
	assert_int_equal(r.icmp_type, 1);
	assert_int_equal(r.icmp_code, 4);
	assert_string_equal(r.from, "::1");
}

/* A UDP socket that reads nothing keeps quiet; the TCP listener on the
 * same port number then accepts the connection. */
static void
silent_udp_then_open_tcp(void **state)
{
	struct kdc_check r;
	char kdc[64];
	int udp, tcp = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port = bound(AF_INET, SOCK_DGRAM, &udp);
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

	(void)state;
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(tcp >= 0);
	assert_int_equal(bind(tcp, (struct sockaddr *)&s4, sizeof(s4)), 0);
	assert_int_equal(listen(tcp, 1), 0);
	snprintf(kdc, sizeof(kdc), "127.0.0.1:%u", port);
	assert_true(probe_kdc_check(kdc, 300, &r));
	assert_int_equal(r.refusal, EV_KRB_REFUSAL_NONE);
	assert_false(r.udp_answered);
	assert_true(r.tcp_open);
	close(tcp);
	close(udp);
}

static void
not_an_address(void **state)
{
	static const char *const bad[] = {"", "nonsense", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000",
					  "[::1:88", "[::1]88", "kdc.example.test:88", ":88", "[]:88"};
	struct kdc_check r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(probe_kdc_check(bad[i], 100, &r));
	assert_false(probe_kdc_check(NULL, 100, &r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_port_answers_port_unreachable),
		cmocka_unit_test(closed_port_answers_port_unreachable_v6),
		cmocka_unit_test(silent_udp_then_open_tcp),
		cmocka_unit_test(not_an_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
