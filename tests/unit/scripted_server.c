/* A scripted SMB2 server for the core client tests. */
#include "scripted_server.h"

#include "smb2_test_util.h"

#include "core/auth/crypto_ctx.h"
#include "core/auth/spnego.h"

static void
fixed_random(void *user, uint8_t *buf, size_t n)
{
	(void)user;
	memset(buf, 0x5A, n);
}

uint64_t
scripted_filetime(void *user)
{
	(void)user;
	return SD_FILETIME_UNIX_EPOCH + 10000000ull * 1800000000ull;
}

const struct sd_ctx scripted_ctx = {NULL, fixed_random, scripted_filetime};

struct smb2_header
scripted_take(struct scripted_server *s, struct smb2_client *c)
{
	struct smb2_header h;
	const uint8_t *p;
	size_t n = smb2_client_output(c, &p);

	assert_true(n > 4 + SMB2_HEADER_SIZE);
	assert_true(n - 4 <= sizeof(s->rx));
	memcpy(s->rx, p + 4, n - 4);
	s->rx_len = n - 4;
	smb2_client_output_done(c, n, 0);
	assert_int_equal(smb2_header_decode(s->rx, s->rx_len, &h), SD_OK);
	return h;
}

void
scripted_reply_begin(struct scripted_server *s, struct sd_wr *w, const struct smb2_header *req, uint32_t status)
{
	struct smb2_header h;

	memset(&h, 0, sizeof(h));
	h.command = req->command;
	h.status = status;
	h.credits = 32;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.message_id = req->message_id;
	h.session_id = req->command == SMB2_NEGOTIATE ? 0 : SCRIPTED_SESSION_ID;
	h.tree_id = req->command == SMB2_TREE_CONNECT ? SCRIPTED_TREE_ID : req->tree_id;
	sd_wr_init(w, s->tx + 4, sizeof(s->tx) - 4);
	assert_int_equal(smb2_header_encode(&h, w), SD_OK);
}

void
scripted_reply_send(struct scripted_server *s, struct smb2_client *c, struct sd_wr *w)
{
	assert_true(sd_wr_ok(w));
	s->tx[0] = 0;
	s->tx[1] = (uint8_t)(w->len >> 16);
	s->tx[2] = (uint8_t)(w->len >> 8);
	s->tx[3] = (uint8_t)w->len;
	(void)smb2_client_input(c, s->tx, w->len + 4, 0);
}

void
scripted_reply_error(struct scripted_server *s, struct smb2_client *c, const struct smb2_header *req, uint32_t status)
{
	struct smb2_error_rsp e;
	struct sd_wr w;

	memset(&e, 0, sizeof(e));
	scripted_reply_begin(s, &w, req, status);
	assert_int_equal(smb2_error_rsp_encode(&e, &w), SD_OK);
	scripted_reply_send(s, c, &w);
}

void
scripted_reply_empty(struct scripted_server *s, struct smb2_client *c, const struct smb2_header *req)
{
	struct sd_wr w;

	scripted_reply_begin(s, &w, req, 0);
	smb2_empty_body_encode(&w);
	scripted_reply_send(s, c, &w);
}

void
scripted_session_rsp_begin(struct scripted_server *s, struct sd_wr *w, const struct smb2_header *req,
			   uint32_t status, const struct spnego_resp *sr)
{
	struct smb2_session_setup_rsp r;
	uint8_t secbuf[1024];
	struct sd_wr sw;

	sd_wr_init(&sw, secbuf, sizeof(secbuf));
	assert_int_equal(spnego_encode_resp(&sw, sr), SD_OK);
	memset(&r, 0, sizeof(r));
	r.secbuf = secbuf;
	r.secbuf_len = (uint16_t)sw.len;
	scripted_reply_begin(s, w, req, status);
	assert_int_equal(smb2_session_setup_rsp_encode(&r, w), SD_OK);
}

void
scripted_negotiate_210(struct scripted_server *s, struct smb2_client *c)
{
	struct smb2_header h = scripted_take(s, c);
	struct smb2_negotiate_rsp nr;
	struct sd_wr w;

	assert_int_equal(h.command, SMB2_NEGOTIATE);
	memset(&nr, 0, sizeof(nr));
	nr.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	nr.dialect = SMB2_DIALECT_210;
	nr.max_transact_size = nr.max_read_size = nr.max_write_size = 65536;
	nr.system_time = scripted_filetime(NULL);
	scripted_reply_begin(s, &w, &h, 0);
	assert_int_equal(smb2_negotiate_rsp_encode(&nr, &w), SD_OK);
	scripted_reply_send(s, c, &w);
}

int
scripted_crypto_setup(void **state)
{
	struct sd_crypto *crypto;

	if (sd_crypto_create(&crypto) != SD_OK)
		return -1;
	*state = crypto;
	return 0;
}

int
scripted_crypto_teardown(void **state)
{
	sd_crypto_free(*state);
	return 0;
}
