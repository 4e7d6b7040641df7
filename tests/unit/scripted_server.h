/* A scripted SMB2 server in the test's own process, for the core client
 * tests (test_client_external.c, test_client_list.c): takes the request
 * the client has queued, lets the test build an answer with the product's
 * encoders and feeds it back, NBSS header included. Every step asserts
 * with cmocka, so a client that sends the wrong thing fails the test. */
#ifndef SMBDIAG_TESTS_UNIT_SCRIPTED_SERVER_H
#define SMBDIAG_TESTS_UNIT_SCRIPTED_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/proto/client.h"
#include "core/wire/smb2.h"

#define SCRIPTED_SESSION_ID 0x4000000000001ull
#define SCRIPTED_TREE_ID 7

struct scripted_server {
	uint8_t rx[70000];         /* the last request taken (SMB2 part) */
	size_t rx_len;
	uint8_t tx[140000];        /* the answer being built, NBSS header first */
};

/* Fixed randomness (0x5A bytes) and a fixed clock, so runs repeat. */
extern const struct sd_ctx scripted_ctx;
uint64_t scripted_filetime(void *user);

/* Takes the client's pending request into s->rx; returns its header. */
struct smb2_header scripted_take(struct scripted_server *s, struct smb2_client *c);

/* Starts the answer to req: a response header with status, 32 credits,
 * SCRIPTED_SESSION_ID after NEGOTIATE, SCRIPTED_TREE_ID on TREE_CONNECT
 * and the request's tree id otherwise. The body follows in w. */
void scripted_reply_begin(struct scripted_server *s, struct sd_wr *w, const struct smb2_header *req,
			  uint32_t status);
/* Sends what w holds (s->tx + 4 is the SMB2 message, to sign it first). */
void scripted_reply_send(struct scripted_server *s, struct smb2_client *c, struct sd_wr *w);
void scripted_reply_error(struct scripted_server *s, struct smb2_client *c, const struct smb2_header *req,
			  uint32_t status);
void scripted_reply_empty(struct scripted_server *s, struct smb2_client *c, const struct smb2_header *req);

struct spnego_resp;

/* Starts a SESSION_SETUP response to req carrying the SPNEGO NegTokenResp
 * sr; w is left whole, to sign (s->tx + 4) or send as it is. */
void scripted_session_rsp_begin(struct scripted_server *s, struct sd_wr *w, const struct smb2_header *req,
				uint32_t status, const struct spnego_resp *sr);

/* Takes the NEGOTIATE and chooses SMB 2.1 with signing enabled. */
void scripted_negotiate_210(struct scripted_server *s, struct smb2_client *c);

/* cmocka group setup / teardown: *state is an sd_crypto. */
int scripted_crypto_setup(void **state);
int scripted_crypto_teardown(void **state);

#endif
