/* The end-of-capture tie of Kerberos exchanges to SMB connections
 * (cap_krb_finish) over many clients and within one busy client: each
 * exchange goes to a connection of its own client, the closest in time,
 * with the connections indexed by client address and time and, when there
 * is no memory for that index, without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "capture/cap_internal.h"

#define CLIENTS 300

static void
add_connection(struct ev_timeline *t, const char *client, double negotiate_at, double session_at)
{
	struct ev_connection *c = ev_add_connection(t);
	struct ev_step *s;

	assert_non_null(c);
	snprintf(c->client, sizeof(c->client), "%s", client);
	snprintf(c->server_name, sizeof(c->server_name), "fs1.example.test");
	s = ev_add_step(c, SD_STEP_NEGOTIATE);
	s->request_at = negotiate_at;
	if (session_at >= 0) {
		s = ev_add_step(c, SD_STEP_SESSION_SETUP);
		s->request_at = session_at;
	}
}

static struct ev_kerberos *
add_exchange(struct ev_timeline *t, const char *client, const char *sname, double at)
{
	struct ev_kerberos *k = ev_add_kerberos(t);

	assert_non_null(k);
	snprintf(k->client, sizeof(k->client), "%s", client);
	snprintf(k->sname, sizeof(k->sname), "%s", sname);
	k->message = EV_KRB_TGS_REP;
	k->at = at;
	k->connection = -1;
	return k;
}

static void
address(unsigned i, bool v6, char *out, size_t cap)
{
	if (v6)
		snprintf(out, cap, "[fd00::%x]", i + 1);
	else
		snprintf(out, cap, "10.0.%u.%u", i / 200, i % 200 + 1);
}

/* Client i has two connections, 100 s apart; its service ticket comes
 * 0.2 s before the second one's SESSION_SETUP and its TGT while the first
 * one waited after NEGOTIATE. Clients are added in an order that is not
 * their address order. A client with no connection keeps its records. */
static void
ties_each_exchange_to_its_client(size_t memory)
{
	struct cap_opts o = {0};
	struct ev_timeline t;
	struct cap_analyzer *a;
	char ip[64], conn[80];
	unsigned i, k = 0;
	int first[CLIENTS], second[CLIENTS];

	ev_timeline_init(&t, EV_MODE_ANALYZE);
	a = cap_analyzer_new(&o, &t);
	assert_non_null(a);
	if (memory)
		a->max_memory = memory;
	for (i = 0; i < CLIENTS; i++) {
		unsigned who = (i * 7) % CLIENTS;

		address(who, who % 3 == 0, ip, sizeof(ip));
		snprintf(conn, sizeof(conn), "%s:%u", ip, 50000 + who);
		first[who] = (int)t.n_conns;
		add_connection(&t, conn, 10.0 + who, -1);
		second[who] = (int)t.n_conns;
		add_connection(&t, conn, 110.0 + who, 110.5 + who);
	}
	for (i = 0; i < CLIENTS; i++) {
		address(i, i % 3 == 0, ip, sizeof(ip));
		add_exchange(&t, ip, "cifs/fs1.example.test", 110.3 + i);
		add_exchange(&t, ip, "krbtgt/EXAMPLE.TEST", 10.1 + i);
	}
	add_exchange(&t, "10.9.9.9", "cifs/fs1.example.test", 110.3);
	cap_krb_finish(a);
	for (i = 0; i < CLIENTS; i++, k += 2) {
		assert_int_equal(t.krb[k].connection, second[i]);
		assert_int_equal(t.krb[k + 1].connection, first[i]);
	}
	assert_int_equal(t.krb[k].connection, -1);
	cap_analyzer_free(a);
	ev_timeline_cleanup(&t);
}

#define BUSY 2000

/* One client with many connections (a backup client, a terminal server):
 * connection i negotiates at 10 i s; even ones set up a session 0.5 s
 * later, after a service ticket at 10 i + 0.3; odd ones get a TGT at
 * 10 i + 0.1 while they wait after NEGOTIATE. Each record goes to its own
 * connection, the same with the index (a time window within the client)
 * as without (every connection). */
static void
ties_within_one_busy_client(size_t memory)
{
	struct cap_opts o = {0};
	struct ev_timeline t;
	struct cap_analyzer *a;
	char conn[80];
	unsigned i;

	ev_timeline_init(&t, EV_MODE_ANALYZE);
	a = cap_analyzer_new(&o, &t);
	assert_non_null(a);
	if (memory)
		a->max_memory = memory;
	for (i = 0; i < BUSY; i++) {
		snprintf(conn, sizeof(conn), "10.0.0.5:%u", 10000 + i);
		add_connection(&t, conn, 10.0 * i, i % 2 ? -1 : 10.0 * i + 0.5);
	}
	/* Records in an order unlike the connections'. */
	for (i = BUSY; i-- > 0;) {
		if (i % 2)
			add_exchange(&t, "10.0.0.5", "krbtgt/EXAMPLE.TEST", 10.0 * i + 0.1);
		else
			add_exchange(&t, "10.0.0.5", "cifs/fs1.example.test", 10.0 * i + 0.3);
	}
	cap_krb_finish(a);
	for (i = 0; i < BUSY; i++)
		assert_int_equal(t.krb[BUSY - 1 - i].connection, (int)i);
	cap_analyzer_free(a);
	ev_timeline_cleanup(&t);
}

static void
one_busy_client_with_the_index(void **state)
{
	(void)state;
	ties_within_one_busy_client(0);
}

static void
one_busy_client_without_memory_for_it(void **state)
{
	(void)state;
	ties_within_one_busy_client(1);
}

static void
with_the_client_index(void **state)
{
	(void)state;
	ties_each_exchange_to_its_client(0);
}

static void
without_memory_for_it(void **state)
{
	(void)state;
	ties_each_exchange_to_its_client(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(with_the_client_index),
		cmocka_unit_test(without_memory_for_it),
		cmocka_unit_test(one_busy_client_with_the_index),
		cmocka_unit_test(one_busy_client_without_memory_for_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
