/* SMB1 SESSION_SETUP_ANDX and TREE_CONNECT_ANDX (core/wire/smb1_andx.h):
 * real messages of the shared corpus (an old smbclient without extended
 * security, Windows 10 with it, Windows XP's share listing), a hand-built
 * chain as Windows 9x sends it, and the bounds of every length field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/wire/cursor.h"
#include "core/wire/smb1.h"
#include "core/wire/smb1_andx.h"
#include "shared_vectors.h"
#include "smb1_messages.h"

/* smbclient without extended security, plain-text empty password, and
 * the guest answer; then its tree connect (arkime-smb-smbclient.pcap). */
SHARED_VECTOR(plain_setup, "arkime-smb-smbclient.pcap", 8, 4, 0, false)
SHARED_VECTOR(plain_setup_guest, "arkime-smb-smbclient.pcap", 9, 4, 0, false)
SHARED_VECTOR(tree_request, "arkime-smb-smbclient.pcap", 10, 4, 0, false)
SHARED_VECTOR(tree_response, "arkime-smb-smbclient.pcap", 11, 4, 0, false)
/* Windows 10 with extended security: NTLMSSP in SPNEGO, and the
 * MORE_PROCESSING answer (arkime-wireshark-smb-on-windows10.pcap). */
SHARED_VECTOR(spnego_setup, "arkime-wireshark-smb-on-windows10.pcap", 18, 4, 0, false)
SHARED_VECTOR(spnego_challenge, "arkime-wireshark-smb-on-windows10.pcap", 19, 4, 0, false)
/* IPC$ answered with the access masks (zeek-raw_ntlm_in_smb.pcap). */
SHARED_VECTOR(ipc_response, "zeek-raw_ntlm_in_smb.pcap", 26, 4, 0, false)

static void
text_of(const struct smb1_string *s, char *out, size_t cap)
{
	assert_true(smb1_string_text(s, out, cap));
}

static void
first_block(const uint8_t *p, size_t len, struct smb1_header *h, struct smb1_block *b)
{
	assert_int_equal(smb1_header_decode(p, len, h), SD_OK);
	assert_int_equal(smb1_block_decode(p, len, SMB1_HEADER_SIZE, b), SD_OK);
}

static void
plain_session_setup_and_guest_answer(void **state)
{
	struct shared_vec *q = plain_setup_vec(), *r = plain_setup_guest_vec();
	struct smb1_session_setup_response rsp;
	struct smb1_session_setup_request req;
	struct smb1_header h;
	struct smb1_block b;
	char text[64];

	(void)state;
	first_block(q->p, q->len, &h, &b);
	assert_int_equal(h.command, SMB1_COM_SESSION_SETUP_ANDX);
	assert_int_equal(b.andx_command, SMB1_COM_NO_ANDX);
	assert_int_equal(smb1_session_setup_request_decode(&b, h.flags2, &req), SD_OK);
	assert_int_equal(req.word_count, 13);
	assert_int_equal(req.oem_password_len, 0);
	assert_int_equal(req.unicode_password_len, 2);
	assert_true(req.account.unicode);
	text_of(&req.account, text, sizeof(text));
	assert_string_equal(text, "user");
	text_of(&req.domain, text, sizeof(text));
	assert_string_equal(text, "WORKGROUP");

	first_block(r->p, r->len, &h, &b);
	assert_int_equal(smb1_session_setup_response_decode(&b, &rsp), SD_OK);
	assert_int_equal(rsp.word_count, 3);
	assert_int_equal(rsp.action & SMB1_SETUP_GUEST, SMB1_SETUP_GUEST);
	assert_null(rsp.security_blob);
}

static void
extended_session_setup_carries_spnego(void **state)
{
	struct shared_vec *q = spnego_setup_vec(), *r = spnego_challenge_vec();
	struct smb1_session_setup_response rsp;
	struct smb1_session_setup_request req;
	struct smb1_header h;
	struct smb1_block b;

	(void)state;
	first_block(q->p, q->len, &h, &b);
	assert_int_equal(smb1_session_setup_request_decode(&b, h.flags2, &req), SD_OK);
	assert_int_equal(req.word_count, 12);
	assert_true(req.security_blob_len > 0);
	assert_int_equal(req.security_blob[0], 0x60); /* GSS-API InitialContextToken */
	assert_null(req.account.p);

	first_block(r->p, r->len, &h, &b);
	assert_int_equal(h.status, 0xC0000016); /* MORE_PROCESSING_REQUIRED */
	assert_int_equal(smb1_session_setup_response_decode(&b, &rsp), SD_OK);
	assert_int_equal(rsp.word_count, 4);
	assert_true(rsp.security_blob_len > 0 && rsp.security_blob_len <= b.byte_count);
	assert_int_equal(rsp.security_blob[0], 0xA1); /* NegTokenResp */
}

static void
tree_connect_request_and_answers(void **state)
{
	struct shared_vec *q = tree_request_vec(), *r = tree_response_vec(), *ipc = ipc_response_vec();
	struct smb1_tree_connect_response rsp;
	struct smb1_tree_connect_request req;
	struct smb1_header h;
	struct smb1_block b;
	char text[64];

	(void)state;
	first_block(q->p, q->len, &h, &b);
	assert_int_equal(h.command, SMB1_COM_TREE_CONNECT_ANDX);
	assert_int_equal(smb1_tree_connect_request_decode(&b, h.flags2, &req), SD_OK);
	text_of(&req.path, text, sizeof(text));
	assert_string_equal(text, "\\\\LOCALHOST\\MP3");
	text_of(&req.service, text, sizeof(text));
	assert_string_equal(text, "?????");

	first_block(r->p, r->len, &h, &b);
	assert_int_equal(smb1_tree_connect_response_decode(&b, &rsp), SD_OK);
	assert_int_equal(rsp.word_count, 7);
	assert_int_equal(rsp.maximal_access, 0x101F01FF);
	text_of(&rsp.service, text, sizeof(text));
	assert_string_equal(text, "A:");

	first_block(ipc->p, ipc->len, &h, &b);
	assert_int_equal(smb1_tree_connect_response_decode(&b, &rsp), SD_OK);
	text_of(&rsp.service, text, sizeof(text));
	assert_string_equal(text, "IPC");
}

static void
walks_a_chain(bool unicode, const char *user, const char *domain, const char *path)
{
	struct smb1_session_setup_request ss;
	struct smb1_tree_connect_request tc;
	struct smb1_block b, next, end;
	struct smb1_header h;
	uint8_t buf[512];
	size_t len = chained_logon(buf, sizeof(buf), unicode, 0), at = 0, end_at = 0;
	char text[64];

	first_block(buf, len, &h, &b);
	assert_int_equal(smb1_session_setup_request_decode(&b, h.flags2, &ss), SD_OK);
	text_of(&ss.account, text, sizeof(text));
	assert_string_equal(text, user);
	text_of(&ss.domain, text, sizeof(text));
	assert_string_equal(text, domain);
	assert_int_equal(b.andx_command, SMB1_COM_TREE_CONNECT_ANDX);
	assert_int_equal(smb1_block_next(buf, len, SMB1_HEADER_SIZE, &b, &next, &at), SD_OK);
	assert_int_equal(at, b.andx_offset);
	assert_int_equal(smb1_tree_connect_request_decode(&next, h.flags2, &tc), SD_OK);
	text_of(&tc.path, text, sizeof(text));
	assert_string_equal(text, path);
	text_of(&tc.service, text, sizeof(text));
	assert_string_equal(text, "?????");
	assert_int_equal(smb1_block_next(buf, len, at, &next, &end, &end_at), SD_ERR_NOT_FOUND);
}

static void
chained_logon_and_tree_connect(void **state)
{
	(void)state;
	walks_a_chain(false, "MARTIN", "WORKGROUP", "\\\\MDJR98\\TEST");
	walks_a_chain(true, "bob", "LAB", "\\\\S\\D");
}

static void
chain_must_go_forward(void **state)
{
	struct smb1_block b, next;
	struct smb1_header h;
	uint8_t buf[512];
	size_t len, at;

	(void)state;
	/* An AndXOffset pointing back at the first block would loop forever. */
	len = chained_logon(buf, sizeof(buf), false, SMB1_HEADER_SIZE);
	first_block(buf, len, &h, &b);
	assert_int_equal(smb1_block_next(buf, len, SMB1_HEADER_SIZE, &b, &next, &at), SD_ERR_BAD_OFFSET);
	/* One past the end. */
	len = chained_logon(buf, sizeof(buf), false, 0);
	first_block(buf, len, &h, &b);
	buf[SMB1_HEADER_SIZE + 3] = (uint8_t)len;
	buf[SMB1_HEADER_SIZE + 4] = (uint8_t)(len >> 8);
	first_block(buf, len, &h, &b);
	assert_int_equal(smb1_block_next(buf, len, SMB1_HEADER_SIZE, &b, &next, &at), SD_ERR_TRUNCATED);
}

static void
lengths_stay_inside_the_message(void **state)
{
	struct smb1_session_setup_request ss;
	struct smb1_tree_connect_request tc;
	struct smb1_block b, next;
	struct smb1_header h;
	uint8_t buf[512];
	size_t len = chained_logon(buf, sizeof(buf), false, 0), at, cut;

	(void)state;
	/* Every shorter message: a clear error or a decode inside the bytes. */
	for (cut = 0; cut < len; cut++) {
		if (smb1_block_decode(buf, cut, SMB1_HEADER_SIZE, &b) != SD_OK)
			continue;
		(void)smb1_session_setup_request_decode(&b, 0, &ss);
		if (smb1_block_next(buf, cut, SMB1_HEADER_SIZE, &b, &next, &at) == SD_OK)
			assert_true(next.bytes + next.byte_count <= buf + cut);
	}
	assert_int_equal(smb1_block_decode(buf, len, 8, &b), SD_ERR_BAD_OFFSET);
	/* A password longer than the byte block. */
	first_block(buf, len, &h, &b);
	assert_int_equal(smb1_block_next(buf, len, SMB1_HEADER_SIZE, &b, &next, &at), SD_OK);
	buf[at + 7] = 0xFF;
	assert_int_equal(smb1_block_decode(buf, len, at, &next), SD_OK);
	assert_int_equal(smb1_tree_connect_request_decode(&next, 0, &tc), SD_ERR_MALFORMED);
	/* A WordCount the command does not have. */
	b.word_count = 5;
	assert_int_equal(smb1_session_setup_request_decode(&b, 0, &ss), SD_ERR_MALFORMED);
	assert_int_equal(smb1_tree_connect_request_decode(&b, 0, &tc), SD_ERR_MALFORMED);
}

static void
inside(const struct smb1_block *b, const struct smb1_string *s)
{
	if (s->p != NULL)
		assert_true(s->p >= b->bytes && s->p + s->len <= b->bytes + b->byte_count);
}

/* A ByteCount that ends a string before its terminator (or inside a
 * UTF-16 unit): the string stops at the end of the bytes. */
static void
strings_cut_by_the_byte_count(void **state)
{
	struct smb1_tree_connect_request tc;
	struct smb1_block b, next;
	struct smb1_header h;
	uint8_t buf[512];
	size_t len, at;
	uint16_t full, n;
	int unicode;

	(void)state;
	for (unicode = 0; unicode < 2; unicode++) {
		len = chained_logon(buf, sizeof(buf), unicode, 0);
		first_block(buf, len, &h, &b);
		assert_int_equal(smb1_block_next(buf, len, SMB1_HEADER_SIZE, &b, &next, &at), SD_OK);
		full = next.byte_count;
		for (n = 1; n < full; n++) {
			/* TREE_CONNECT_ANDX: WordCount 4, so ByteCount sits 9 bytes in. */
			buf[at + 9] = (uint8_t)n;
			buf[at + 10] = (uint8_t)(n >> 8);
			assert_int_equal(smb1_block_decode(buf, len, at, &next), SD_OK);
			if (smb1_tree_connect_request_decode(&next, h.flags2, &tc) != SD_OK)
				continue;
			inside(&next, &tc.path);
			inside(&next, &tc.service);
			if (tc.path.unicode)
				assert_int_equal(tc.path.len % 2, 0);
		}
	}
}

static void
dos_errors_as_ntstatus(void **state)
{
	(void)state;
	/* Class in the low byte, code in the high half (MS-CIFS 2.2.2.4). */
	assert_int_equal(smb1_status_ntstatus(0x00060002, 0), 0xC00000CC);   /* ERRSRV/ERRinvnetname */
	assert_int_equal(smb1_status_ntstatus(0x00020002, 0), 0xC000006D);   /* ERRSRV/ERRbadpw */
	assert_int_equal(smb1_status_ntstatus(0x00040002, 0), 0xC0000022);   /* ERRSRV/ERRaccess */
	assert_int_equal(smb1_status_ntstatus(0x00050001, 0), 0xC0000022);   /* ERRDOS/ERRnoaccess */
	assert_int_equal(smb1_status_ntstatus(0x00470002, 0), 0xC0000001);   /* another: unsuccessful */
	assert_int_equal(smb1_status_ntstatus(0, 0), 0);
	assert_int_equal(smb1_status_ntstatus(0xC00000CC, SMB1_FLAGS2_NT_STATUS), 0xC00000CC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_session_setup_and_guest_answer),
		cmocka_unit_test(extended_session_setup_carries_spnego),
		cmocka_unit_test(tree_connect_request_and_answers),
		cmocka_unit_test(chained_logon_and_tree_connect),
		cmocka_unit_test(chain_must_go_forward),
		cmocka_unit_test(lengths_stay_inside_the_message),
		cmocka_unit_test(strings_cut_by_the_byte_count),
		cmocka_unit_test(dos_errors_as_ntstatus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
