/* Per-connection SMB state of the capture analyzer (src/capture only). */
#ifndef SMBDIAG_CAPTURE_CAP_SMB_H
#define SMBDIAG_CAPTURE_CAP_SMB_H

#include "capture/cap_dump.h"
#include "core/proto/negotiate_check.h"
#include "core/wire/smb2.h"

#define CAP_PENDING_MAX 64
#define CAP_TREE_REQ_MAX 4
#define CAP_SMB1_MID (UINT64_MAX)  /* pending key of an SMB1 NEGOTIATE */
/* A request unanswered this long before the capture ended counts as never
 * answered; a shorter wait is still in progress (servers answer in ms). */
#define CAP_NO_RESPONSE_AFTER 5.0

struct cap_pending {
	bool used;
	uint64_t message_id;
	uint16_t command;
	int step;                   /* index in the connection's steps, -1 none */
	bool interim;               /* STATUS_PENDING seen */
};

struct cap_tree_req {
	bool used;
	uint64_t message_id;
	char path[CAP_PATH_MAX];
};

struct cap_smbconn {
	size_t conn;                /* index in the timeline */
	struct cap_flow *flow;      /* the owner */
	struct cap_pending pending[CAP_PENDING_MAX];
	unsigned next_pending;
	struct cap_tree_req tree_req[CAP_TREE_REQ_MAX];
	unsigned next_tree_req;
	int ss_step;                /* SESSION_SETUP step in progress, -1 none */
	bool authenticated;         /* a SESSION_SETUP succeeded */
	struct smb2_keytrack *kt;   /* decryption, NULL when not asked for */
	struct cap_krb_keys *krb_keys;  /* --keytab: keys of the AP-REQ awaiting its answer */
	enum cap_krb_keys_result krb_keys_result;
	bool server_closed;
	bool client_closed;
	/* The last NEGOTIATE request, to check its answer by. */
	struct smb2_negotiate_offer offer;
	bool have_offer;
	/* The server's first bytes when they do not start an NBSS message
	 * (another service on the port), and where they came. */
	struct cap_first_bytes foreign;
	/* A NetBIOS negative session response that came before the request
	 * it refuses (smbd refuses a denied host as soon as it accepts). */
	struct cap_first_bytes refusal;
};

/* Security blobs (cap_auth.c). */
void cap_auth_request(struct cap_analyzer *a, struct ev_connection *c, const uint8_t *blob, size_t len);
void cap_auth_response(struct cap_analyzer *a, struct ev_connection *c, const struct cap_flow *f, int server_dir,
		       const uint8_t *blob, size_t len);
void cap_auth_negotiate_hint(struct ev_connection *c, const uint8_t *blob, size_t len);
/* --keytab (cap_auth_keys.c): the AP-REQ's keys, then on the final answer
 * the session key for the key tracker. */
void cap_auth_keys_request(struct cap_analyzer *a, struct cap_smbconn *sc, const uint8_t *blob, size_t len);
void cap_auth_keys_response(struct cap_analyzer *a, struct cap_smbconn *sc, uint64_t session_id, uint32_t status,
			    const uint8_t *blob, size_t len);
void cap_auth_keys_free(struct cap_analyzer *a, struct cap_smbconn *sc);

/* cap_smb_conn.c: the connection's record. */
double cap_smb_now(const struct cap_analyzer *a);     /* seconds since the first packet */
/* The sender of a request is the client. */
void cap_smb_learn_client(struct cap_analyzer *a, struct cap_flow *f, int di);
/* A new step; its index, or -1 when the connection has no room left even
 * after the oldest successful step (not the first of its kind) made room. */
int cap_smb_add_step(struct cap_analyzer *a, struct cap_smbconn *sc, enum sd_step kind);
/* The SESSION_SETUP step a request belongs to: the one in progress, or a
 * new one after a final answer (the index, -1 when full). */
int cap_smb_session_step(struct cap_analyzer *a, struct cap_smbconn *sc);
struct ev_step *cap_smb_step_at(struct cap_analyzer *a, struct cap_smbconn *sc, int i);
/* Notes when the server's TCP acknowledges the request ending at end_seq. */
void cap_smb_watch_ack(struct cap_flow *f, uint32_t end_seq, size_t conn, int step);
struct cap_pending *cap_smb_pending_add(struct cap_analyzer *a, struct cap_smbconn *sc, uint64_t mid, uint16_t cmd,
					int step);
struct cap_pending *cap_smb_pending_find(struct cap_smbconn *sc, uint64_t mid, uint16_t cmd);
/* h: the SMB2 header (signing), NULL for SMB1 / NetBIOS / TCP. */
void cap_smb_request_step(struct cap_analyzer *a, struct ev_step *s, uint32_t frame, uint64_t mid,
			  const struct smb2_header *h);
void cap_smb_answer_step(struct cap_analyzer *a, struct ev_step *s, uint32_t status, const struct smb2_header *h);

/* A TREE_CONNECT request for path (UTF-8): the step's detail, the ring of
 * requests awaiting their answer, and the connection's tree record (the
 * share the user wanted: IPC$ only until a real share shows up). */
void cap_smb_tree_request(struct cap_analyzer *a, struct cap_smbconn *sc, struct ev_step *s, uint64_t message_id,
			  const char *path);
/* The request an answer belongs to, taken off the ring; NULL if unknown. */
struct cap_tree_req *cap_smb_tree_answered(struct cap_smbconn *sc, uint64_t message_id);
/* cap_smb1.c: an SMB1 message (FF 'SMB') and NetBIOS control PDUs. */
void cap_smb1_message(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t len,
		      uint32_t end_seq);
void cap_smb_nbss_control(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t len);

static inline struct ev_connection *
cap_conn(struct cap_analyzer *a, const struct cap_smbconn *sc)
{
	return &a->t->conns[sc->conn];
}

#endif
