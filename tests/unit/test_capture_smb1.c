/* The capture analyzer on SMB1 logons and tree connects: a Windows 9x
 * style chain (SESSION_SETUP_ANDX + TREE_CONNECT_ANDX in one message),
 * answered in full or cut by a refused logon, with DOS error codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pcap/pcap.h>

#include "capture/cap.h"
#include "capture_packets.h"
#include "smb1_messages.h"

#define SYN 0x02
#define ACK 0x10
#define PSH 0x08

/* One TCP connection 10.0.0.5:50001 -> 10.0.0.9:445, each message in one
 * segment behind a direct-TCP header. */
struct conn {
	struct run r;
	uint32_t seq[2];   /* [0] client, [1] server */
};

static void
segment(struct conn *c, bool from_server, uint8_t flags, const uint8_t *data, size_t n)
{
	static const uint8_t client[4] = {10, 0, 0, 5}, server[4] = {10, 0, 0, 9};
	int me = from_server ? 1 : 0;
	uint8_t pkt[1024];
	size_t len = ipv4_tcp_packet(pkt, sizeof(pkt), from_server ? server : client, from_server ? client : server,
				     from_server ? 445 : 50001, from_server ? 50001 : 445, c->seq[me], c->seq[!me],
				     flags, data, n);

	c->r.ts += 0.001;
	cap_analyzer_packet(c->r.a, c->r.ts, pkt, len, len, DLT_RAW);
	c->seq[me] += (uint32_t)n + ((flags & SYN) ? 1 : 0);
}

static void
message(struct conn *c, bool from_server, const uint8_t *smb, size_t n)
{
	uint8_t pdu[600];

	assert_true(n + 4 <= sizeof(pdu));
	put32(pdu, (uint32_t)n);
	memcpy(pdu + 4, smb, n);
	segment(c, from_server, ACK | PSH, pdu, n + 4);
}

static void
open_conn(struct conn *c)
{
	static const char *const nt_only[] = {SMB1_DIALECT_NT_LM_012};
	struct smb1_negotiate_response rsp = {.form = SMB1_NEG_FORM_NT, .dialect_index = 0,
					      .security_mode = SMB1_SECMODE_USER, .capabilities = SMB1_CAP_NT_SMBS};
	uint8_t buf[256];
	struct sd_wr w;

	memset(c, 0, sizeof(*c));
	c->seq[0] = 1000;
	c->seq[1] = 5000;
	run_start(&c->r, 0);
	segment(c, false, SYN, NULL, 0);
	segment(c, true, SYN | ACK, NULL, 0);
	segment(c, false, ACK, NULL, 0);
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(smb1_negotiate_request_encode(&w, NULL, nt_only, 1), SD_OK);
	message(c, false, buf, w.len);
	rsp.hdr.flags2 = 0;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(smb1_negotiate_response_encode(&w, &rsp), SD_OK);
	message(c, true, buf, w.len);
}

static const struct ev_connection *
finish(struct conn *c)
{
	run_finish(&c->r);
	assert_int_equal(c->r.t.n_conns, 1);
	return &c->r.t.conns[0];
}

static void
chain_answered_in_full(void **state)
{
	const struct ev_connection *ec;
	const struct ev_step *ss, *tc;
	uint8_t buf[512];
	struct conn c;

	(void)state;
	open_conn(&c);
	message(&c, false, buf, chained_logon(buf, sizeof(buf), false, 0));
	message(&c, true, buf, chained_answer(buf, sizeof(buf), 0));
	ec = finish(&c);
	ss = ev_last_step_const(ec, SD_STEP_SESSION_SETUP);
	tc = ev_last_step_const(ec, SD_STEP_TREE_CONNECT);
	assert_non_null(ss);
	assert_non_null(tc);
	assert_int_equal(ss->outcome, EV_ANSWERED);
	assert_int_equal(ss->status, 0);
	assert_int_equal(tc->outcome, EV_ANSWERED);
	assert_int_equal(tc->status, 0);
	assert_int_equal(tc->frame_request, ss->frame_request);
	assert_string_equal(ec->session.user, "MARTIN");
	assert_string_equal(ec->session.domain, "WORKGROUP");
	/* A plain-text password: the server asked for no encrypted one. */
	assert_int_equal(ec->session.ntlm_version, EV_NTLM_UNKNOWN);
	assert_true(ec->session.plaintext_password);
	assert_string_equal(ec->tree.path, "\\\\MDJR98\\TEST");
	assert_true(ec->tree.has_share);
	assert_int_equal(ec->tree.share_type, 1);
	run_end(&c.r);
}

static void
refused_logon_cuts_the_chain(void **state)
{
	const struct ev_connection *ec;
	const struct ev_step *ss;
	uint8_t buf[512];
	struct conn c;

	(void)state;
	open_conn(&c);
	message(&c, false, buf, chained_logon(buf, sizeof(buf), true, 0));
	message(&c, true, buf, chained_answer(buf, sizeof(buf), 0x00020002)); /* ERRSRV / ERRbadpw */
	ec = finish(&c);
	ss = ev_last_step_const(ec, SD_STEP_SESSION_SETUP);
	assert_non_null(ss);
	assert_int_equal(ss->outcome, EV_ANSWERED);
	assert_int_equal(ss->status, 0xC000006D);
	/* The server never ran the tree connect: no step, not an unanswered one. */
	assert_null(ev_last_step_const(ec, SD_STEP_TREE_CONNECT));
	assert_string_equal(ec->session.user, "bob");
	assert_int_equal(ec->session.ntlm_version, EV_NTLM_V1);
	assert_false(ec->session.plaintext_password);
	run_end(&c.r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chain_answered_in_full),
		cmocka_unit_test(refused_logon_cuts_the_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
